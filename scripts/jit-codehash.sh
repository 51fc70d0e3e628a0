#!/bin/bash
# scripts/jit-codehash.sh -- fingerprints of the machine code the baseline JIT generates, to prove that a refactoring of
# the compiler leaves the generated code byte-identical (docs/performance.md, "JIT restructure for a second ISA").
#
#   scripts/jit-codehash.sh BUILD_DIR OUT_DIR        dump + hash: OUT_DIR/hashes.txt ("name bytes md5" per block)
#   scripts/jit-codehash.sh --compare A.txt B.txt    lists the blocks that differ; exit status 1 if any does
#
# Blocks: the linked JIT block of every loadable .wasm of the bench data (MYRT_BENCH_WASM, default
# /work/shared/bench-wasm: sightglass, shootout, ...) and of BUILD_DIR/bench/workloads/*.wasm, each compiled on one
# thread (`macro_runner --compile-jobs 1`, MYRT_JIT_DUMP), plus auto-tier blocks with OSR entries (`myrt run --bench
# --tier=auto` with MYRT_TIER_UP_THRESHOLD=1 MYRT_TIER_UP_SYNC=1) for five sightglass modules. Each block is
# disassembled (objdump) with the 64-bit `movabs` immediates masked -- helper, global and FuncInst addresses, which
# differ between two binaries and two runs -- and its disassembly hashed. x86-64 only (objdump -mi386:x86-64).
# Needs: BUILD_DIR/myrt and BUILD_DIR/bench/macro_runner built, objdump (binutils), setarch (ASLR off).
set -u
if [ "${1:-}" = --compare ]; then
  [ $# -eq 3 ] || { echo "usage: $0 --compare A.txt B.txt" >&2; exit 2; }
  same=0 diff=0
  while read -r n size md5; do
    other=$(awk -v n="$n" '$1 == n { print $2 " " $3 }' "$3")
    if [ "$other" = "$size $md5" ]; then same=$((same + 1)); else diff=$((diff + 1)); echo "differs: $n ($size $md5 vs ${other:-missing})"; fi
  done < "$2"
  echo "$same identical, $diff different (of $(wc -l < "$2") blocks in $2)"
  [ $diff -eq 0 ]
  exit
fi
[ $# -eq 2 ] || { echo "usage: $0 BUILD_DIR OUT_DIR | --compare A.txt B.txt" >&2; exit 2; }
BUILD=$(realpath "$1"); OUT=$(realpath -m "$2"); mkdir -p "$OUT"
MR=$BUILD/bench/macro_runner MYRT=$BUILD/myrt
BENCH=${MYRT_BENCH_WASM:-/work/shared/bench-wasm}
for t in "$MR" "$MYRT"; do [ -x "$t" ] || { echo "missing $t (build it first)" >&2; exit 2; }; done
# disassembly with movabs imm64 masked (objdump's continuation lines of long instructions dropped), hashed
hash() {
  objdump -D -b binary -mi386:x86-64 "$1" | tail -n +8 | grep -v -P '^ +[0-9a-f]+:\t[0-9a-f ]+ *$' |
    sed -E 's/movabs \$0x[0-9a-f]+/movabs $IMM/; s/^ *[0-9a-f]+:\t([0-9a-f ]+)\t/\t/' | md5sum | cut -c1-12
}
: > "$OUT/hashes.txt"
for f in "$BENCH"/sightglass/*/benchmark.wasm $(find "$BENCH" -name "*.wasm" ! -name benchmark.wasm | sort) \
         "$BUILD"/bench/workloads/*.wasm; do
  [ -f "$f" ] || continue
  n=$(echo "$f" | sed "s#^$BENCH/##; s#^$BUILD/bench/##; s#/benchmark.wasm##; s#/#_#g")
  rm -f "$OUT/$n.bin"
  MYRT_JIT_DUMP=$OUT/$n.bin setarch -R "$MR" --compile-jobs 1 --rounds 1 "$f" >/dev/null 2>"$OUT/$n.err"
  [ -s "$OUT/$n.bin" ] || continue  # not loadable by macro_runner (e.g. needs imports it lacks): no block
  echo "$n $(stat -c %s "$OUT/$n.bin") $(hash "$OUT/$n.bin")" >> "$OUT/hashes.txt"
done
for w in quicksort richards bz2 blake3-simd gcc-loops; do
  d=$BENCH/sightglass/$w
  [ -f "$d/benchmark.wasm" ] || continue
  rm -f "$OUT/auto_$w.bin"
  (cd "$d" && MYRT_JIT_DUMP=$OUT/auto_$w.bin MYRT_TIER_UP_THRESHOLD=1 MYRT_TIER_UP_SYNC=1 timeout 120 \
     "$MYRT" run --bench --tier=auto benchmark.wasm >/dev/null 2>&1)
  [ -s "$OUT/auto_$w.bin" ] && echo "auto_$w $(stat -c %s "$OUT/auto_$w.bin") $(hash "$OUT/auto_$w.bin")" >> "$OUT/hashes.txt"
done
echo "$(wc -l < "$OUT/hashes.txt") blocks -> $OUT/hashes.txt"
