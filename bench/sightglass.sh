#!/usr/bin/env bash
# bench/sightglass.sh -- the sightglass programs (MYRT_BENCH_WASM/sightglass, see its SOURCE.md) on myrt's interpreter,
# baseline JIT and auto tier (`myrt run --bench --tier=...`) and on node's WASI (V8, bench/node_sightglass.mjs), all measured in
# one run: the time between bench.start and bench.end, as a markdown table with the ratios to node. Each program runs
# in its own folder.
#   bench/sightglass.sh [BUILD_DIR=build]        env: PROGRAMS="bz2 shootout-fib2 ..." (default: all but the three
#                                                that take minutes on a tier; PROGRAMS=all for every one)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
myrt="$(cd "$build" && pwd)/myrt"
sg="${MYRT_BENCH_WASM:-$root/../shared/bench-wasm}/sightglass"
[ -x "$myrt" ] || { echo "bench/sightglass.sh: $myrt missing" >&2; exit 1; }
[ -d "$sg" ] || { echo "bench/sightglass.sh: $sg missing (set MYRT_BENCH_WASM)" >&2; exit 1; }
have_node=1
command -v node >/dev/null || { have_node=0; echo "bench/sightglass.sh: node not found: the node column is n/a" >&2; }
slow=" gcc-loops shootout-ed25519 shootout-seqhash "
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'), load:$(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| program | myrt interp ms | myrt jit ms | myrt auto ms | node ms | interp/node | jit/node | auto/node |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for wasm in "$sg"/*/*.wasm; do
  dir="$(dirname "$wasm")"; stem="$(basename "$wasm" .wasm)"
  name="$(basename "$dir")"; [ "$stem" = benchmark ] || name="$stem"
  if [ -n "${PROGRAMS:-}" ] && [ "$PROGRAMS" != all ]; then
    [[ " $PROGRAMS " == *" $name "* ]] || continue
  elif [ -z "${PROGRAMS:-}" ] && [[ "$slow" == *" $name "* ]]; then
    continue
  fi
  myrt_ms() {  # TIER -> ms between bench.start and bench.end
    (cd "$dir" && "$myrt" run --tier="$1" --bench --dir . "$stem.wasm" 2>&1 >/dev/null </dev/null) |
      sed -n 's/^myrt: bench: \([0-9.]*\) ms.*/\1/p'
  }
  m=$(myrt_ms interp); j=$(myrt_ms jit); a=$(myrt_ms auto)
  [ -n "$m" ] && [ -n "$j" ] && [ -n "$a" ] || { echo "bench/sightglass.sh: $name: no bench figure from myrt" >&2; exit 1; }
  n="n/a"; r="n/a"; rj="n/a"; ra="n/a"
  if [ "$have_node" = 1 ]; then
    n=$(cd "$dir" && node --no-warnings "$root/bench/node_sightglass.mjs" "$stem.wasm" 2>&1 >/dev/null </dev/null |
        sed -n 's/^bench_ms=//p')
    [ -n "$n" ] || { echo "bench/sightglass.sh: $name: no bench figure from node" >&2; exit 1; }
    ratio() { awk -v a="$1" -v b="$n" 'BEGIN { if (b > 0) printf "%.1f", a / b; else printf "n/a" }'; }
    r=$(ratio "$m"); rj=$(ratio "$j"); ra=$(ratio "$a")
    n=$(awk -v a="$n" 'BEGIN { printf "%.1f", a }')
  fi
  printf "| %s | %.1f | %.1f | %.1f | %s | %s | %s | %s |\n" "$name" "$m" "$j" "$a" "$n" "$r" "$rj" "$ra"
done
