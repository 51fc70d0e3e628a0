#!/bin/bash
# bench/opt_vs_jit.sh [BUILD_DIR] -- the macro workloads on --tier=jit and --tier=opt in one run (docs/performance.md,
# "Optimizing tier"): best of 3 calls of run() each (bench/macro_runner), ratios against native clang -O2.
# Build first: cmake --build BUILD_DIR --target macro_runner bench_workloads myrt
b=${1:-build}
echo "# $(date -u '+%Y-%m-%d %H:%M UTC') commit $(git rev-parse --short HEAD) load:$(uptime | sed 's/.*load average://')"
echo "| workload | native s | jit s | opt s | jit/native | opt/native | opt/jit |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
lj=0; lo=0; lr=0; n=0
for w in fib matmul sieve nbody hash memops bytecode switch quicksort simd; do
  read -r sum nat < <($b/bench/workloads/$w.native 5)
  j=$($b/bench/macro_runner --tier jit --repeat 3 --expect $sum $b/bench/workloads/$w.wasm | sed -n 's/.*seconds=\([^ ]*\).*/\1/p')
  o=$($b/bench/macro_runner --tier opt --repeat 3 --expect $sum $b/bench/workloads/$w.wasm | sed -n 's/.*seconds=\([^ ]*\).*/\1/p')
  [ -n "$j" ] && [ -n "$o" ] || { echo "$w failed"; exit 1; }
  awk -v w=$w -v a=$nat -v j=$j -v o=$o 'BEGIN{printf "| %s | %.3f | %.3f | %.3f | %.2f | %.2f | %.2f |\n", w, a, j, o, j/a, o/a, o/j}'
  lj=$(awk -v s=$lj -v j=$j -v a=$nat 'BEGIN{print s+log(j/a)}'); lo=$(awk -v s=$lo -v o=$o -v a=$nat 'BEGIN{print s+log(o/a)}')
  lr=$(awk -v s=$lr -v o=$o -v j=$j 'BEGIN{print s+log(o/j)}'); n=$((n+1))
done
awk -v lj=$lj -v lo=$lo -v lr=$lr -v n=$n 'BEGIN{printf "| **geomean** | | | | **%.2f** | **%.2f** | **%.2f** |\n", exp(lj/n), exp(lo/n), exp(lr/n)}'
