#!/usr/bin/env bash
# bench/insn-count.sh -- instructions executed on the baseline JIT, AArch64 vs x86-64, counted by one method: each
# program runs under qemu-user (qemu-aarch64 for the cross build, qemu-x86_64 -cpu max for the native one) with the
# TCG plugin bench/qemu_insn_count.c, `myrt run --tier=jit -j 1 --profile=perfmap`; "jit" = instructions in blocks
# inside the perf map's ranges (the compiled wasm functions), "total" = the whole process (start-up, decoding,
# compiling, WASI, libc, the JIT code). Run time under qemu is not a performance figure; these counts are a proxy.
# Markdown table on stdout (docs/performance.md, "AArch64 baseline JIT: instructions executed").
#   bench/insn-count.sh [X64_BUILD=build] [ARM64_BUILD=build-arm64]
#   env: WORKLOADS="fib sieve ..." (bench/workloads, built by the bench_workloads target in X64_BUILD; --invoke run),
#        PROGRAMS="bz2 shootout-gimli ..." (sightglass under MYRT_BENCH_WASM, `--bench`; default a set of short ones)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
x64="$(cd "${1:-$root/build}" && pwd)"
arm="$(cd "${2:-$root/build-arm64}" && pwd)"
sg="${MYRT_BENCH_WASM:-$root/../shared/bench-wasm}/sightglass"
for tool in qemu-aarch64 qemu-x86_64 gcc; do
  command -v "$tool" >/dev/null || { echo "bench/insn-count.sh: $tool not found (qemu-user)" >&2; exit 2; }
done
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
plugin="$tmp/qemu_insn_count.so"
gcc -shared -fPIC -O2 -Wall -Wextra -Werror -o "$plugin" "$root/bench/qemu_insn_count.c"
workloads="${WORKLOADS:-bytecode fib hash matmul memops nbody quicksort sieve simd switch}"
programs="${PROGRAMS:-shootout-ackermann shootout-xchacha20 blake3-scalar blake3-simd shootout-gimli shootout-keccak shootout-memmove richards tinygo-json regex rust-json bz2}"

count() {  # ISA DIR ARGS... -> "total jit" (the program's result must match between the ISAs: printed to $tmp/out.ISA)
  local isa="$1" dir="$2"; shift 2
  local q=(qemu-x86_64 -cpu max) myrt="$x64/myrt"
  if [ "$isa" = arm64 ]; then q=(qemu-aarch64 -L /usr/aarch64-linux-gnu); myrt="$arm/myrt"; fi
  (cd "$dir" && MYRT_PERF_MAP_DIR="$tmp" "${q[@]}" -plugin "$plugin,mapdir=$tmp" -d plugin \
     "$myrt" run --tier=jit -j 1 --profile=perfmap "$@" </dev/null >"$tmp/out.$isa" 2>"$tmp/err.$isa") || {
    echo "bench/insn-count.sh: $isa $*: failed:" >&2; cat "$tmp/err.$isa" >&2; exit 1; }
  sed -n 's/^qemu_insn_count: total \([0-9]*\) insns, jit \([0-9]*\) insns.*/\1 \2/p' "$tmp/err.$isa"
}
group() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
row() {  # NAME DIR ARGS...
  local name="$1"; shift
  read -r xt xj < <(count x64 "$@")
  read -r at aj < <(count arm64 "$@")
  cmp -s "$tmp/out.x64" "$tmp/out.arm64" || { echo "bench/insn-count.sh: $name: outputs differ" >&2; exit 1; }
  [ -n "$xj" ] && [ -n "$aj" ] && [ "$xj" -gt 0 ] || { echo "bench/insn-count.sh: $name: no count" >&2; exit 1; }
  printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$(group "$xj")" "$(group "$aj")" \
    "$(ratio "$aj" "$xj")" "$(ratio "$xt" "$xj")" "$(ratio "$at" "$aj")"
}
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'), $(qemu-aarch64 --version | head -1)"
echo
echo "| program | x86-64 insns in JIT code | AArch64 insns in JIT code | AArch64 / x86-64 | x86-64 total / JIT | AArch64 total / JIT |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for w in $workloads; do
  row "bench/$w" "$x64/bench/workloads" --invoke run "$w.wasm"
done
for p in $programs; do
  wasm=""
  for f in "$sg"/*/"$p".wasm "$sg/$p/benchmark.wasm"; do [ -f "$f" ] && wasm="$f" && break; done
  [ -n "$wasm" ] || { echo "bench/insn-count.sh: sightglass program $p not found under $sg" >&2; exit 1; }
  row "$p" "$(dirname "$wasm")" --bench --dir . "$(basename "$wasm")"
done
