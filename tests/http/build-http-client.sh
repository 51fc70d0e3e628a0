#!/usr/bin/env bash
# tests/http/build-http-client.sh -- rebuilds http-client.wasm (committed: 20 KB, used by outgoing_test.py) from
# http-client.c: clang --target=wasm32-wasi (Debian clang 14 + wasi-libc), then jco embed (adds the WIT world
# wit/world.wit with the WASI 0.2.12 WIT of ../shared/wasi-p2/wit as deps) and jco new (makes the component).
#   JCO_DIR=/path/with/node_modules  (default /work/tmp-comp-text/jco: npm i @bytecodealliance/jco@1.35.0)
#   WASI_WIT=/path/to/wasi-0.2.12    (default ../../../shared/wasi-p2/wit/wasi-0.2.12 from this folder)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jco_dir=${JCO_DIR:-/work/tmp-comp-text/jco}
wasi_wit=${WASI_WIT:-$here/../../../shared/wasi-p2/wit/wasi-0.2.12}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/wit/deps"
cp "$here/wit/world.wit" "$tmp/wit/"
for d in cli clocks filesystem http io random sockets; do cp -r "$wasi_wit/$d" "$tmp/wit/deps/"; done
clang --target=wasm32-wasi -O2 -mexec-model=reactor -nostartfiles -Wl,--no-entry -Wl,--strip-debug \
  -o "$tmp/core.wasm" "$here/http-client.c"
# jco's in-process wasm-tools sees no files without a preopen
shim=$(find "$jco_dir/node_modules" -path '*preview2-shim/dist/nodejs/filesystem.js' | head -1)
printf 'import { _setPreopens } from %s;\n_setPreopens({"/": "/"});\n' "\"$shim\"" > "$tmp/pre.mjs"
jco=$jco_dir/node_modules/@bytecodealliance/jco/dist/jco.js
node --import "$tmp/pre.mjs" "$jco" embed "$tmp/core.wasm" --wit "$tmp/wit" -n http-client -o "$tmp/embed.wasm"
node --import "$tmp/pre.mjs" "$jco" new "$tmp/embed.wasm" -o "$here/http-client.wasm"
ls -l "$here/http-client.wasm"
