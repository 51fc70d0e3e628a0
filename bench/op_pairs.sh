#!/usr/bin/env bash
# bench/op_pairs.sh -- which internal ops of the interpreter follow each other most often on real programs (issue 19:
# the candidates for super-instructions). Builds myrt with -DMYRT_INTERP_PROFILE=ON in BUILD_DIR (default
# build-profile), runs the sightglass programs on the interpreter (each in its folder, as the sightglass tests do;
# gcc-loops, shootout-ed25519 and shootout-seqhash only with PROGRAMS=all: minutes each), and prints the most frequent
# op pairs and single ops with their share of all dispatches.
#   bench/op_pairs.sh [BUILD_DIR] [TOP=40]        MYRT_BENCH_WASM=... to point at the programs
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build-profile}"
top="${2:-40}"
wasm_dir="${MYRT_BENCH_WASM:-$root/../shared/bench-wasm}/sightglass"
[ -d "$wasm_dir" ] || { echo "op_pairs: sightglass programs not found at $wasm_dir (set MYRT_BENCH_WASM)" >&2; exit 1; }
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMYRT_INTERP_PROFILE=ON -DMYRT_BUILD_TESTS=OFF \
  -DMYRT_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" --target myrt >/dev/null
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
for wasm in "$wasm_dir"/*/*.wasm; do
  name="$(basename "$wasm" .wasm)"
  case "$name" in gcc-loops|shootout-ed25519|shootout-seqhash) [ "${PROGRAMS:-}" = all ] || continue ;; esac
  (cd "$(dirname "$wasm")" && MYRT_INTERP_PROFILE_OUT="$out" "$build/myrt" run --tier=interp --bench --dir . \
     "$(basename "$wasm")" >/dev/null 2>&1) || echo "op_pairs: $name exited non-zero" >&2
done
total=$(awk '{ t += $1 } END { printf "%d", t }' "$out")
echo "$total dispatches"
echo
echo "most frequent pairs (share of all dispatches):"
awk '{ c[$2 " " $3] += $1 } END { for (p in c) print c[p], p }' "$out" | sort -rn | head -n "$top" |
  awk -v t="$total" '{ printf "%6.2f%%  %s %s\n", 100 * $1 / t, $2, $3 }'
echo
echo "most frequent ops:"
awk '{ c[$3] += $1 } END { for (p in c) print c[p], p }' "$out" | sort -rn | head -n "$top" |
  awk -v t="$total" '{ printf "%6.2f%%  %s\n", 100 * $1 / t, $2 }'
