#!/usr/bin/env bash
# bench/startup.sh -- process wall time of `myrt run` on a tiny WASI command (examples/hello.wat, encoded to .wasm
# with wabt's wat2wasm), against node's WASI running the same .wasm, both measured in one run.
#   bench/startup.sh [BUILD_DIR=build] [RUNS=50]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
runs="${2:-50}"
myrt="$build/myrt"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
wat2wasm "$root/examples/hello.wat" -o "$tmp/hello.wasm"
"$myrt" run "$tmp/hello.wasm" >/dev/null
per_run_us() {  # command... -> microseconds per run
  local t0 t1
  t0=$(date +%s%N)
  for _ in $(seq "$runs"); do "$@" >/dev/null 2>&1; done
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / runs / 1000 ))
}
m=$(per_run_us "$myrt" run "$tmp/hello.wasm")
n=$(per_run_us node --no-warnings "$root/bench/node_wasi_run.mjs" "$tmp/hello.wasm")
echo "startup (process wall time per run, $runs runs, load: $(cut -d' ' -f1-3 /proc/loadavg))"
echo "  myrt run hello.wasm   ${m} us"
echo "  node (WASI) same      ${n} us"
awk -v m="$m" -v n="$n" 'BEGIN { printf "  node / myrt           %.1fx\n", n / m }'
