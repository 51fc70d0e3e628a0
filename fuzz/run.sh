#!/usr/bin/env bash
# fuzz/run.sh -- builds a libFuzzer target with clang + ASan + UBSan, seeds its corpus from the spec testsuites, and
# fuzzes for the given number of seconds.
#   fuzz/run.sh [SECONDS=60] [extra libFuzzer flags...]
# Targets (MYRT_FUZZ_TARGET): decode_validate (default; bytes -> decodeModule -> validateModule, seeded with every module
# of the suites, encoded by our own text parser) or wast_parse (text -> wast::parseScript -> watToBinary, seeded with the
# .wast scripts themselves) or diff_tiers (bytes -> a valid generated module run on the interpreter and the JIT, with
# guard pages and with explicit bounds checks; aborts on any difference in results, traps, memory or globals; no
# seeds: the generator makes a valid module of any input) or component_decode (bytes -> component::loadComponent ->
# describeComponent, seeded with tests/cli/inputs/component*.wasm and the components of ../shared/wasi-p2 under 64 KiB)
# or wave_parse (text -> component::parseWaveArgs for one of 22 parameter lists chosen by the first byte; what parses
# is printed, parsed and printed again and must give the same text; seeded with a few values of each type)
# or dwarf_lookup (runtime/debug's source locations over untrusted .debug_* sections; seeded with the DWARF of
# tests/debug/trap_dwarf.c and tests/programs/*.c built with clang --target=wasm32-wasi -g at -O0/-O2) or aot_parse
# (jit/aot.h's precompiled-artifact header and section parser; seeded with the artifacts of tests/cli/inputs/*.wasm
# and the small sightglass modules, compiled by fuzz_aot_parse -seed).
# Environment: MYRT_FUZZ_BUILD (build dir, default build-fuzz), MYRT_SPEC_TESTSUITE / MYRT_SPEC_TESTSUITE_20 (suites),
# MYRT_COMPONENT_TESTS (component-model scripts, also seeds of wast_parse).
# Crashes are written to $MYRT_FUZZ_BUILD/artifacts/; reproduce with `$MYRT_FUZZ_BUILD/fuzz_<target> FILE`.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-60}"
shift || true
target="${MYRT_FUZZ_TARGET:-decode_validate}"
build="${MYRT_FUZZ_BUILD:-$root/build-fuzz}"
suite3="${MYRT_SPEC_TESTSUITE:-$root/../shared/spec-testsuite}"
suite2="${MYRT_SPEC_TESTSUITE_20:-$root/../shared/spec-testsuite-2.0}"
cmtests="${MYRT_COMPONENT_TESTS:-$root/../shared/wasi-p2/component-model-tests}"
case "$target" in
  decode_validate|wast_parse|diff_tiers|component_decode|wave_parse|dwarf_lookup|aot_parse) ;;
  *) echo "fuzz/run.sh: unknown MYRT_FUZZ_TARGET '$target' (decode_validate, wast_parse, diff_tiers, component_decode, wave_parse, dwarf_lookup or aot_parse)" >&2
     exit 2 ;;
esac

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMYRT_FUZZ=ON -DMYRT_SANITIZE=ON -DMYRT_BUILD_TESTS=OFF -DMYRT_BUILD_BENCH=OFF >/dev/null
seeder=fuzz_seed_corpus
[ "$target" = dwarf_lookup ] && seeder=""  # seeds itself (fuzz_dwarf_lookup -seed)
[ "$target" = aot_parse ] && seeder=""  # seeds itself (fuzz_aot_parse -seed)
cmake --build "$build" --target "fuzz_$target" $seeder -j"${MYRT_JOBS:-2}"

seeds="$build/seeds-$target"
corpus="$build/corpus-$target"
mkdir -p "$seeds" "$corpus" "$build/artifacts"
shopt -s nullglob
scripts=("$suite3"/*.wast "$suite3"/*/*.wast "$suite2"/*.wast)
if [ -z "$(ls -A "$seeds")" ] && [ "$target" = component_decode ]; then
  i=0
  for s in "$root"/tests/cli/inputs/component*.wasm; do cp "$s" "$seeds/seed-$((i++)).wasm"; done
  while IFS= read -r s; do cp "$s" "$seeds/seed-$((i++)).wasm"; done < <(find "${MYRT_WASI_P2:-$root/../shared/wasi-p2}" -name '*.wasm' -size -64k 2>/dev/null)
elif [ -z "$(ls -A "$seeds")" ] && [ "$target" = wave_parse ]; then
  # first byte: the parameter type (fuzz/wave_parse.cpp Types::funcs order), then the text
  i=0
  for v in '200' '-9' '3.5e-7' 'nan' "'\\u{1F600}'" '"a\tb\"c"' 'true' '[1, 2, 3,]' '(false, "x")' \
           '{a: 1, b-c: some("s")}' '{:}' '%err("oops")' '%ok' 'some(none)' '7' '5' 'err("e")' 'ok(none)' \
           '{write, read,}' '[["a"], []]'; do
    printf "\\$(printf %03o "$i")%s" "$v" > "$seeds/seed-$i.txt"
    i=$((i + 1))
  done
  printf '\025%s' '1, // c
 none' > "$seeds/seed-multi.txt"
  printf '\005%s' '"""
  two
   lines
  """' > "$seeds/seed-ml.txt"
elif [ -z "$(ls -A "$seeds")" ]; then
  if [ "${#scripts[@]}" -eq 0 ] && [ "$target" != dwarf_lookup ]; then
    echo "fuzz/run.sh: no .wast scripts found in $suite3 or $suite2; starting from an empty corpus" >&2
  elif [ "$target" = diff_tiers ]; then
    :  # no seeds needed: every input is a valid module
  elif [ "$target" = aot_parse ]; then
    ASAN_OPTIONS=detect_leaks=0 "$build/fuzz_aot_parse" -seed "$seeds" "$root"/tests/cli/inputs/*.wasm \
      $(find "${MYRT_BENCH_WASM:-$root/../shared/bench-wasm/sightglass}" -name '*.wasm' -size -64k 2>/dev/null)
  elif [ "$target" = dwarf_lookup ]; then
    i=0
    for c in "$root/tests/debug/trap_dwarf.c" "$root"/tests/programs/*.c; do
      for opt in -O0 -O2; do
        w="$seeds/src-$i.wasm"
        if clang --target=wasm32-wasi -g "$opt" "$c" -o "$w" 2>/dev/null; then
          ASAN_OPTIONS=detect_leaks=0 "$build/fuzz_dwarf_lookup" -seed "$seeds/seed-$i.bin" "$w" || true
        fi
        rm -f "$w"
        i=$((i + 1))
      done
    done
  elif [ "$target" = wast_parse ]; then
    i=0
    for s in "${scripts[@]}" "$cmtests"/*/*.wast "$cmtests"/*/*/*.wast; do cp "$s" "$seeds/seed-$((i++)).wast"; done
  else
    # Seeding may meet text-parser bugs; the fuzzer is what matters here.
    ASAN_OPTIONS=detect_leaks=0 "$build/fuzz_seed_corpus" "$seeds" "${scripts[@]}" || echo "fuzz/run.sh: seeding failed" >&2
  fi
fi

echo "fuzz/run.sh: fuzzing $target for ${seconds}s"
extra=(-max_len=65536)
# Generated modules use up to a few KB of choices; entropic scheduling costs half the (slow, 4-store) executions.
[ "$target" = diff_tiers ] && extra=(-max_len=4096 -len_control=0 -entropic=0)
# An artifact's code section starts 64 KiB into the file: room for it and some code.
[ "$target" = aot_parse ] && extra=(-max_len=262144)
# libdw's own leak on malformed input (see the file) would stop the run at once.
[ "$target" = dwarf_lookup ] && export LSAN_OPTIONS="suppressions=$root/fuzz/dwarf_lookup.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
exec "$build/fuzz_$target" -max_total_time="$seconds" "${extra[@]}" -timeout=10 -rss_limit_mb=4096 \
  -artifact_prefix="$build/artifacts/" -print_final_stats=1 "$@" "$corpus" "$seeds"
