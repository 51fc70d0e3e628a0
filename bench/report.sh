#!/usr/bin/env bash
# bench/report.sh -- one command for the performance report: the sightglass programs (bench/sightglass.sh: myrt's
# interp, jit and auto tiers and node) and the bench/ macro workloads (bench/run.sh: native, interp, jit, auto, node),
# all measured in this run, written as a markdown report with the tables (OUT/report.md), the data (OUT/*.tsv) and a
# chart made by gnuplot (OUT/report.svg: time relative to node for sightglass, to native for the workloads; log scale).
#
#   bench/report.sh [BUILD_DIR=build] [BENCH_BUILD_DIR=build-bench]
#   env: OUT (default docs/bench), PROGRAMS (sightglass programs, as bench/sightglass.sh; default all but the three
#        slowest), WORKLOADS (as bench/run.sh), SKIP_WORKLOADS=1 (sightglass only), and bench/run.sh's *_REPEAT.
# The macro workloads need `cmake --build BENCH_BUILD_DIR --target macro_runner bench_workloads` first. Timings on a
# shared machine are noisy: the report records the load average; compare the ratios of one report.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
bench_build="${2:-$root/build-bench}"
out="${OUT:-$root/docs/bench}"
die() { echo "bench/report.sh: $*" >&2; exit 1; }
command -v gnuplot >/dev/null || die "gnuplot not found (Debian: gnuplot-nox)"
mkdir -p "$out"

# ---- measure ----
sg_md="$("$root/bench/sightglass.sh" "$build" | sed '1s/^# /Measured /')"
# | program | interp ms | jit ms | auto ms | node ms | interp/node | jit/node | auto/node |  ->  TSV
printf 'program\tinterp\tjit\tauto\tnode\n' >"$out/sightglass.tsv"
grep -E '^\| [a-z0-9]' <<<"$sg_md" | grep -v '^| program' |
  awk -F'|' '{ for (i = 2; i <= 6; i++) gsub(/ /, "", $i); print $2 "\t" $3 "\t" $4 "\t" $5 "\t" $6 }' >>"$out/sightglass.tsv"
wl_md=""
printf 'workload\tinterp\tjit\tauto\tnode\n' >"$out/workloads.tsv"
if [ "${SKIP_WORKLOADS:-0}" != 1 ]; then
  [ -x "$bench_build/bench/macro_runner" ] ||
    die "$bench_build/bench/macro_runner missing (cmake --build $bench_build --target macro_runner bench_workloads; or SKIP_WORKLOADS=1)"
  wl_md="$("$root/bench/run.sh" "$bench_build" | sed 's/^# /Measured: /')"  # its comment lines are no headings
  # | workload | native | interp | jit | auto | node | interp/native | jit/native | auto/native | node/native |
  grep -E '^\| [a-z]' <<<"$wl_md" | grep -v -E '^\| (workload|\*\*geomean)' | awk -F'|' 'NF >= 11 && $8 ~ /[0-9]/ {
      for (i = 2; i <= 11; i++) gsub(/ /, "", $i); print $2 "\t" $8 "\t" $9 "\t" $10 "\t" $11 }' >>"$out/workloads.tsv"
fi

# ---- chart ----
plot_set() {  # TSV TITLE YLABEL -> gnuplot commands for one clustered histogram (columns 2..5; log scale)
  cat <<EOF
set title "$2"
set ylabel "$3"
plot '$1' using (\$2 > 0 ? \$2 : 1/0):xtic(1) title 'interp', '' using (\$3 > 0 ? \$3 : 1/0) title 'jit', \
     '' using (\$4 > 0 ? \$4 : 1/0) title 'auto', '' using (\$5 > 0 ? \$5 : 1/0) title 'node'
EOF
}
# ratios: sightglass relative to node (to the interpreter where node is missing), workloads relative to native
# (bench/run.sh's ratio columns)
base=node
awk -F'\t' 'NR > 1 && $5 + 0 > 0 { found = 1 } END { exit !found }' "$out/sightglass.tsv" || base=interp
awk -F'\t' -v base="$base" 'NR == 1 { print; next }
  { b = base == "node" ? $5 : $2 }
  b + 0 > 0 { printf "%s\t%.3f\t%.3f\t%.3f\t%s\n", $1, $2 / b, $3 / b, $4 / b, ($5 + 0 > 0 ? $5 / b : "n/a") }' \
  "$out/sightglass.tsv" >"$out/.sg-ratio.tsv"
[ "$(wc -l <"$out/.sg-ratio.tsv")" -gt 1 ] || die "no sightglass figure above 0 ms to chart (PROGRAMS=${PROGRAMS:-})"
nplots=1
[ "$(wc -l <"$out/workloads.tsv")" -gt 1 ] && nplots=2
{
  echo "set terminal svg size 1100,$((420 * nplots)) dynamic font 'sans,11' background rgb 'white'"
  echo "set output '$out/report.svg'"
  echo "set datafile separator '\t'; set key autotitle columnhead top left horizontal"
  echo "set style data histograms; set style histogram clustered gap 1; set style fill solid 0.85 border -1"
  echo "set logscale y 2; set grid ytics; set xtics rotate by -45 scale 0; set yrange [0.1:*]"
  echo "set multiplot layout $nplots,1"
  plot_set "$out/.sg-ratio.tsv" "sightglass: time relative to $base (lower is faster)" "x $base"
  if [ "$nplots" = 2 ]; then
    echo "set key autotitle columnhead"
    plot_set "$out/workloads.tsv" "bench/ workloads: time relative to native (lower is faster)" "x native"
  fi
  echo "unset multiplot"
} | gnuplot
rm -f "$out/.sg-ratio.tsv"

# ---- report ----
{
  echo "# Benchmark report"
  echo
  echo "Made by \`bench/report.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'),"
  echo "$(nproc) CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end."
  echo "Every figure comes from this one run; on a shared machine compare ratios, not absolute times."
  echo
  echo "![chart](report.svg)"
  echo
  echo "## Sightglass (time between bench.start and bench.end)"
  echo
  echo "$sg_md"
  if [ -n "$wl_md" ]; then
    echo
    echo "## bench/ macro workloads"
    echo
    echo "$wl_md"
  fi
  echo
  echo "Data: sightglass.tsv and workloads.tsv (milliseconds for sightglass; ratios to native for the workloads)."
} >"$out/report.md"
echo "bench/report.sh: wrote $out/report.md, $out/report.svg, $out/sightglass.tsv, $out/workloads.tsv"
