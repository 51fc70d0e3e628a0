#!/usr/bin/env bash
# fuzz/run.sh -- builds the libFuzzer target fuzz_decode_validate (clang, ASan+UBSan), seeds a corpus with every module
# of the spec testsuites (encoded by our own text parser), and fuzzes for the given number of seconds.
#   fuzz/run.sh [SECONDS=60] [extra libFuzzer flags...]
# Environment: MYRT_FUZZ_BUILD (build dir, default build-fuzz), MYRT_SPEC_TESTSUITE / MYRT_SPEC_TESTSUITE_20 (suites).
# Crashes are written to $MYRT_FUZZ_BUILD/artifacts/; reproduce with `$MYRT_FUZZ_BUILD/fuzz_decode_validate FILE`.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-60}"
shift || true
build="${MYRT_FUZZ_BUILD:-$root/build-fuzz}"
suite3="${MYRT_SPEC_TESTSUITE:-$root/../shared/spec-testsuite}"
suite2="${MYRT_SPEC_TESTSUITE_20:-$root/../shared/spec-testsuite-2.0}"

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMYRT_FUZZ=ON -DMYRT_SANITIZE=ON -DMYRT_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target fuzz_decode_validate fuzz_seed_corpus -j"${MYRT_JOBS:-2}"

seeds="$build/seeds"
corpus="$build/corpus"
mkdir -p "$seeds" "$corpus" "$build/artifacts"
if [ -z "$(ls -A "$seeds")" ]; then
  shopt -s nullglob
  scripts=("$suite3"/*.wast "$suite3"/*/*.wast "$suite2"/*.wast)
  if [ "${#scripts[@]}" -eq 0 ]; then
    echo "fuzz/run.sh: no .wast scripts found in $suite3 or $suite2; starting from an empty corpus" >&2
  else
    # Seeding may meet text-parser bugs; the fuzzer is what matters here.
    ASAN_OPTIONS=detect_leaks=0 "$build/fuzz_seed_corpus" "$seeds" "${scripts[@]}" || echo "fuzz/run.sh: seeding failed" >&2
  fi
fi

echo "fuzz/run.sh: fuzzing decodeModule + validateModule for ${seconds}s"
exec "$build/fuzz_decode_validate" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
  -artifact_prefix="$build/artifacts/" -print_final_stats=1 "$@" "$corpus" "$seeds"
