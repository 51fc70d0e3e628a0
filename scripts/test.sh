#!/usr/bin/env bash
# scripts/test.sh -- the test command (README quick start 2, also run by .ci/run): Release build with warnings as
# errors into build/, then every CTest test (unit, CLI, spec suites).
#   scripts/test.sh [extra ctest args...]       e.g. scripts/test.sh -L spec2
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${MYRT_JOBS:-2}"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DMYRT_WERROR=ON
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs" "$@"
