#!/bin/bash
# bench/auto_tiers.sh [BUILD_DIR] [ROUNDS] -- time-to-peak of the auto tier with its third tier (docs/performance.md,
# "Auto tier with the optimizing tier"): sightglass programs as whole `myrt run --bench` processes on --tier=jit,
# --tier=opt, --tier=auto (interpreter -> baseline -> optimizing) and auto with two tiers (MYRT_OPT_TIER_UP_THRESHOLD=0),
# the four runs of a program interleaved, best of ROUNDS (default 3) for each: the process's wall time (compile,
# tier-up and run) and the time between bench.start and bench.end.
b=$(realpath ${1:-build}); m=$b/myrt; rounds=${2:-3}
sg=${MYRT_BENCH_WASM:-$(dirname "$0")/../../shared/bench-wasm}/sightglass
echo "# $(date -u '+%Y-%m-%d %H:%M UTC') commit $(git -C $(dirname "$0") rev-parse --short HEAD) load:$(uptime | sed 's/.*load average://')"
echo "| program | jit wall s | opt wall s | auto wall s | auto2 wall s | auto/opt | auto/jit | auto/auto2 | bench ms jit / opt / auto / auto2 |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
la=0; lj=0; l2=0; n=0
for p in ${PROGRAMS:-bz2 hashset pulldown-cmark regex richards rust-json sqlite3 shootout-matrix shootout-heapsort shootout-ed25519}; do
  w=$(ls $sg/$p/*.wasm 2>/dev/null | head -1)
  [ -z "$w" ] && w=$(ls $sg/shootout/$p.wasm 2>/dev/null)
  [ -z "$w" ] && continue
  d=$(dirname $w); f=$(basename $w)
  declare -A wall=() ms=()
  for c in jit opt auto auto2; do wall[$c]=999999; ms[$c]=999999; done
  for i in $(seq $rounds); do
    for c in jit opt auto auto2; do
      t=$c; env=""; [ $c = auto2 ] && { t=auto; env="MYRT_OPT_TIER_UP_THRESHOLD=0"; }
      s=$EPOCHREALTIME
      o=$(cd $d && env $env $m run --tier=$t --bench --dir . $f 2>&1 >/dev/null | sed -n 's/.*bench: \([0-9.]*\) ms.*/\1/p')
      e=$EPOCHREALTIME
      x=$(awk -v s=$s -v e=$e 'BEGIN{print e-s}')
      wall[$c]=$(awk -v a=${wall[$c]} -v b=$x 'BEGIN{print (b<a)?b:a}')
      ms[$c]=$(awk -v a=${ms[$c]} -v b=${o:-999999} 'BEGIN{print (b<a)?b:a}')
    done
  done
  awk -v p=$p -v j=${wall[jit]} -v o=${wall[opt]} -v a=${wall[auto]} -v a2=${wall[auto2]} \
      -v mj=${ms[jit]} -v mo=${ms[opt]} -v ma=${ms[auto]} -v m2=${ms[auto2]} \
      'BEGIN{printf "| %s | %.3f | %.3f | %.3f | %.3f | %.2f | %.2f | %.2f | %.0f / %.0f / %.0f / %.0f |\n", p, j, o, a, a2, a/o, a/j, a/a2, mj, mo, ma, m2}'
  la=$(awk -v s=$la -v a=${wall[auto]} -v o=${wall[opt]} 'BEGIN{print s+log(a/o)}')
  lj=$(awk -v s=$lj -v a=${wall[auto]} -v j=${wall[jit]} 'BEGIN{print s+log(a/j)}')
  l2=$(awk -v s=$l2 -v a=${wall[auto]} -v j=${wall[auto2]} 'BEGIN{print s+log(a/j)}'); n=$((n+1))
done
awk -v la=$la -v lj=$lj -v l2=$l2 -v n=$n 'BEGIN{printf "| **geomean** | | | | | **%.2f** | **%.2f** | **%.2f** | |\n", exp(la/n), exp(lj/n), exp(l2/n)}'
