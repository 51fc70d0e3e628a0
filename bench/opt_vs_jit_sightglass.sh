#!/bin/bash
# bench/opt_vs_jit_sightglass.sh [BUILD_DIR] -- sightglass programs on --tier=jit and --tier=opt (docs/performance.md,
# "Optimizing tier"): best of 3 runs each, the time `myrt run --bench` reports between bench.start and bench.end.
m=$(realpath ${1:-build})/myrt
sg=${MYRT_BENCH_WASM:-$(dirname "$0")/../../shared/bench-wasm}/sightglass
echo "# $(date -u '+%Y-%m-%d %H:%M UTC') load:$(uptime | sed 's/.*load average://')"
echo "| program | jit ms | opt ms | opt/jit |"
echo "| --- | ---: | ---: | ---: |"
lr=0; n=0
for p in blake3-scalar bz2 blind-sig hashset pulldown-cmark quicksort regex richards rust-compression rust-html-rewriter rust-json sqlite3 shootout-fib2 shootout-heapsort shootout-matrix shootout-sieve; do
  w=$(ls $sg/$p/*.wasm 2>/dev/null | head -1)
  [ -z "$w" ] && w=$(ls $sg/shootout/$p.wasm 2>/dev/null)
  [ -z "$w" ] && continue
  d=$(dirname $w); f=$(basename $w)
  bj=999999; bo=999999
  for i in 1 2 3; do
    j=$(cd $d && $m run --tier=jit --bench --dir . $f 2>&1 >/dev/null | sed -n 's/.*bench: \([0-9.]*\) ms.*/\1/p')
    o=$(cd $d && $m run --tier=opt --bench --dir . $f 2>&1 >/dev/null | sed -n 's/.*bench: \([0-9.]*\) ms.*/\1/p')
    bj=$(awk -v a=$bj -v b=$j 'BEGIN{print (b<a)?b:a}'); bo=$(awk -v a=$bo -v b=$o 'BEGIN{print (b<a)?b:a}')
  done
  awk -v p=$p -v j=$bj -v o=$bo 'BEGIN{printf "| %s | %.1f | %.1f | %.2f |\n", p, j, o, o/j}'
  lr=$(awk -v s=$lr -v o=$bo -v j=$bj 'BEGIN{print s+log(o/j)}'); n=$((n+1))
done
awk -v lr=$lr -v n=$n 'BEGIN{printf "| **geomean** | | | **%.2f** |\n", exp(lr/n)}'
