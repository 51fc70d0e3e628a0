#!/usr/bin/env bash
# bench/run.sh -- the macro suite: each workload of bench/workloads natively, on myrt's interpreter, on myrt's baseline
# JIT, on its auto tier (interpreter, tier-up to the JIT at the default threshold), on node (V8: Liftoff, then
# TurboFan) and on node's baseline compiler alone (`node --liftoff-only`: the peer of myrt's baseline JIT), as a
# markdown table (seconds = best of N calls of run(); ratios against native, and myrt's JIT against Liftoff), then lowering speed
# and memory per instance, then interpreter lowering and JIT compile speed on the prebuilt sightglass modules when
# MYRT_BENCH_WASM has them.
#
#   bench/run.sh [BUILD_DIR]          (default build-bench; build first:
#                                      cmake --build BUILD_DIR --target macro_runner bench_workloads)
#   env: NATIVE_REPEAT (default 5), INTERP_REPEAT (default 1), JIT_REPEAT (default 3), AUTO_REPEAT (default 3),
#        NODE_REPEAT (default 3), MYRT_TIER_UP_THRESHOLD (auto tier, default 1000),
#        WORKLOADS="fib sieve ..."
#
# Every interpreter and node result must return the native checksum, otherwise the script fails. The machine is often
# shared: compare ratios from one run, and note `uptime` (printed first).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-$here/../build-bench}"
wl="$build/bench/workloads"
runner="$build/bench/macro_runner"
native_rep="${NATIVE_REPEAT:-5}"
interp_rep="${INTERP_REPEAT:-1}"
jit_rep="${JIT_REPEAT:-3}"
auto_rep="${AUTO_REPEAT:-3}"
node_rep="${NODE_REPEAT:-3}"
workloads=(${WORKLOADS:-fib matmul sieve nbody hash memops bytecode switch quicksort simd})
sightglass="${MYRT_BENCH_WASM:-$here/../../shared/bench-wasm}/sightglass"

die() { echo "bench/run.sh: $*" >&2; exit 1; }
[ -x "$runner" ] || die "$runner missing (cmake --build $build --target macro_runner bench_workloads)"
for w in "${workloads[@]}"; do
  [ -x "$wl/$w.native" ] && [ -f "$wl/$w.wasm" ] || die "workload $w not built in $wl (needs clang + lld; see the cmake output)"
done
have_node=1
command -v node >/dev/null || { have_node=0; echo "bench/run.sh: node not found: the node column is n/a" >&2; }
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$2"; }

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?'), load:$(uptime | sed 's/.*load average://')"
echo "# native: clang -O2 best of $native_rep; interp: myrt interpreter best of $interp_rep; jit: myrt baseline JIT best of $jit_rep (the first call compiles); auto: interpreter + tier-up best of $auto_rep (the first call tiers up); node $(node --version 2>/dev/null || echo -): best of $node_rep after a warm-up call; liftoff: the same with node --liftoff-only (no TurboFan)"
echo
echo "| workload | native s | interp s | jit s | auto s | node s | interp/native | jit/native | auto/native | node/native | liftoff s | jit/liftoff |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
extra=()
lg_i=0; lg_j=0; lg_a=0; lg_n=0; lg_l=0; count=0
for w in "${workloads[@]}"; do
  read -r sum nat < <("$wl/$w.native" "$native_rep")
  out=$("$runner" --repeat "$interp_rep" --expect "$sum" "$wl/$w.wasm") || die "$w: interpreter failed or checksum differs from native ($sum)"
  it=$(field seconds "$out")
  jout=$("$runner" --tier jit --repeat "$jit_rep" --expect "$sum" "$wl/$w.wasm") || die "$w: JIT failed or checksum differs from native ($sum)"
  jt=$(field seconds "$jout")
  aout=$("$runner" --tier auto --repeat "$auto_rep" --expect "$sum" "$wl/$w.wasm") || die "$w: auto tier failed or checksum differs from native ($sum)"
  at=$(field seconds "$aout")
  extra+=("| $w | $(wc -c <"$wl/$w.wasm") | $(field lower_mbps "$out") | $(field rss_instance_kb "$out") | $(field rss_run_kb "$out") |")
  nd="n/a"; nr="n/a"; ld="n/a"; lr="n/a"
  if [ "$have_node" = 1 ]; then
    nout=$(node "$here/node_run.mjs" "$wl/$w.wasm" "$node_rep") || die "$w: node failed"
    [ "$(field checksum "$nout")" = "$sum" ] || die "$w: node checksum $(field checksum "$nout") != native $sum"
    nd=$(field seconds "$nout")
    lg_n=$(awk -v s="$lg_n" -v a="$nd" -v b="$nat" 'BEGIN{printf "%.9f", s+log(a/b)}')
    nr=$(awk -v a="$nd" -v b="$nat" 'BEGIN{printf "%.2f", a/b}')
    nd=$(awk -v a="$nd" 'BEGIN{printf "%.3f", a}')
    lout=$(node --liftoff-only "$here/node_run.mjs" "$wl/$w.wasm" "$node_rep") || die "$w: node --liftoff-only failed"
    [ "$(field checksum "$lout")" = "$sum" ] || die "$w: node --liftoff-only checksum $(field checksum "$lout") != native $sum"
    ld=$(field seconds "$lout")
    lg_l=$(awk -v s="$lg_l" -v a="$jt" -v b="$ld" 'BEGIN{printf "%.9f", s+log(a/b)}')
    lr=$(awk -v a="$jt" -v b="$ld" 'BEGIN{printf "%.2f", a/b}')
    ld=$(awk -v a="$ld" 'BEGIN{printf "%.3f", a}')
  fi
  ir=$(awk -v a="$it" -v b="$nat" 'BEGIN{printf "%.2f", a/b}')
  jr=$(awk -v a="$jt" -v b="$nat" 'BEGIN{printf "%.2f", a/b}')
  ar=$(awk -v a="$at" -v b="$nat" 'BEGIN{printf "%.2f", a/b}')
  lg_i=$(awk -v s="$lg_i" -v a="$it" -v b="$nat" 'BEGIN{printf "%.9f", s+log(a/b)}')
  lg_j=$(awk -v s="$lg_j" -v a="$jt" -v b="$nat" 'BEGIN{printf "%.9f", s+log(a/b)}')
  lg_a=$(awk -v s="$lg_a" -v a="$at" -v b="$nat" 'BEGIN{printf "%.9f", s+log(a/b)}')
  count=$((count + 1))
  printf "| %s | %.3f | %.3f | %.3f | %.3f | %s | %s | %s | %s | %s | %s | %s |\n" "$w" "$nat" "$it" "$jt" "$at" "$nd" "$ir" "$jr" "$ar" "$nr" "$ld" "$lr"
done
gi=$(awk -v s="$lg_i" -v n="$count" 'BEGIN{printf "%.2f", exp(s/n)}')
gj=$(awk -v s="$lg_j" -v n="$count" 'BEGIN{printf "%.2f", exp(s/n)}')
ga=$(awk -v s="$lg_a" -v n="$count" 'BEGIN{printf "%.2f", exp(s/n)}')
gn="n/a"; [ "$have_node" = 1 ] && gn=$(awk -v s="$lg_n" -v n="$count" 'BEGIN{printf "%.2f", exp(s/n)}')
gl="n/a"; [ "$have_node" = 1 ] && gl=$(awk -v s="$lg_l" -v n="$count" 'BEGIN{printf "%.2f", exp(s/n)}')
echo "| **geomean** | | | | | | **$gi** | **$gj** | **$ga** | **$gn** | | **$gl** |"
echo
echo "| workload | .wasm bytes | lowering MB/s | RSS instantiate KB | RSS after run KB |"
echo "| --- | ---: | ---: | ---: | ---: |"
printf '%s\n' "${extra[@]}"
mods=()
for m in gcc-loops bz2 pulldown-cmark rust-json regex blake3-simd; do
  [ -f "$sightglass/$m/benchmark.wasm" ] && mods+=("$sightglass/$m/benchmark.wasm")
done
if [ "${#mods[@]}" -gt 0 ]; then
  echo
  echo "| sightglass module | code bytes | interp lowering MB/s | JIT compile MB/s | JIT functions (interp fallbacks) | machine code bytes |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: |"
  paste -d' ' <("$runner" --lower "${mods[@]}") <("$runner" --compile "${mods[@]}") |
    while read -r path code mb _p _c jit _body fns fbs mach; do
      echo "| $(basename "$(dirname "$path")") | ${code#code_bytes=} | ${mb#lower_mbps=} | ${jit#jit_mbps=} | ${fns#functions=} (${fbs#fallbacks=}) | ${mach#machine_bytes=} |"
    done
else
  echo "(no sightglass modules under $sightglass: lowering measured on the workloads only)"
fi
