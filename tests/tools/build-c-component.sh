#!/usr/bin/env bash
# tests/tools/build-c-component.sh SRC.c WIT_DIR WORLD OUT.wasm -- a component from C written against the canonical
# ABI (tests/http/http-client.c, tests/sockets/sockets-client.c; the .wasm files are committed, small): clang
# --target=wasm32-wasi (Debian clang 14 + wasi-libc), then jco embed (WIT_DIR/world.wit, with the WASI 0.2.12 WIT of
# ../shared/wasi-p2/wit as deps) and jco new.
#   JCO_DIR=/path/with/node_modules  (default /work/tmp-comp-text/jco: npm i @bytecodealliance/jco@1.35.0)
#   WASI_WIT=/path/to/wasi-0.2.12    (default ../../../shared/wasi-p2/wit/wasi-0.2.12 from this folder)
# e.g. tests/tools/build-c-component.sh tests/http/http-client.c tests/http/wit http-client tests/http/http-client.wasm
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 SRC.c WIT_DIR WORLD OUT.wasm" >&2; exit 2; }
src=$1 witdir=$2 world=$3 out=$4
here=$(cd "$(dirname "$0")" && pwd)
jco_dir=${JCO_DIR:-/work/tmp-comp-text/jco}
wasi_wit=${WASI_WIT:-$here/../../../shared/wasi-p2/wit/wasi-0.2.12}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/wit/deps"
cp "$witdir/world.wit" "$tmp/wit/"
for d in cli clocks filesystem http io random sockets; do cp -r "$wasi_wit/$d" "$tmp/wit/deps/"; done
clang --target=wasm32-wasi -O2 -mexec-model=reactor -nostartfiles -Wl,--no-entry -Wl,--strip-debug \
  -o "$tmp/core.wasm" "$src"
# jco's in-process wasm-tools sees no files without a preopen
shim=$(find "$jco_dir/node_modules" -path '*preview2-shim/dist/nodejs/filesystem.js' | head -1)
printf 'import { _setPreopens } from %s;\n_setPreopens({"/": "/"});\n' "\"$shim\"" > "$tmp/pre.mjs"
jco=$jco_dir/node_modules/@bytecodealliance/jco/dist/jco.js
node --import "$tmp/pre.mjs" "$jco" embed "$tmp/core.wasm" --wit "$tmp/wit" -n "$world" -o "$tmp/embed.wasm"
node --import "$tmp/pre.mjs" "$jco" new "$tmp/embed.wasm" -o "$out"
ls -l "$out"
