#!/usr/bin/env bash
# scripts/fetch-test-data.sh -- fetches the test data CTest needs (the spec testsuites, the WASI testsuite, the
# sightglass programs and the sources of the wasm32-wasi-threads test programs) from their upstream repositories, at
# the commits this project tests against, into one folder with the layout of this environment's ../shared
# (spec-testsuite/, spec-testsuite-2.0/, wasi-testsuite/, bench-wasm/sightglass/, wasi-threads-src/). Only needed
# outside the project's environment (a clone without ../shared): CMake finds the
# folder as test-data/ in the source tree (the default destination), or wherever MYRT_TEST_DATA points (environment
# variable or CMake cache variable, e.g. `cmake -B build -DMYRT_TEST_DATA=/data/myrt`).
#
#   scripts/fetch-test-data.sh [DEST]        DEST defaults to test-data/ in the repository root
#
# Needs git and network access to github.com. The commits are those of the copies in ../shared (their SOURCE.md
# files); CTest's file-count tests (spec2/file-count, spec3/file-count, wasi/program-count, sightglass/program-count)
# then check that every suite is complete. CI does not run this script: it uses ../shared.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="${1:-$root/test-data}"
mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The upstream commits (../shared/<suite>/SOURCE.md).
SPEC3_REPO=https://github.com/WebAssembly/testsuite
SPEC3_COMMIT=193e551ff22663995b1ac95dc62344133669e14b    # 2026-06-17, WebAssembly 3.0 (top level, custom/, legacy/)
SPEC2_COMMIT=a8101597d3c3c660086c3cd1eedee608ff18d3c3    # 2025-09-11, = spec tag wg-2.0 (WebAssembly 2.0)
WASI_REPO=https://github.com/WebAssembly/wasi-testsuite
WASI_COMMIT=9f80ca35444cfd9e63100725615140a346652e6c     # branch prod/testsuite-base (prebuilt programs)
SIGHTGLASS_REPO=https://github.com/bytecodealliance/sightglass
SIGHTGLASS_COMMIT=08180eba9354b1c46a366ef522e9fbdf711512ce
SIGHTGLASS_INPUTS_COMMIT=481404b9f74eaa0468b956c0fa417588ade3a8ab  # hex-simd, rust-protobuf inputs (see below)
# Sources of the wasm32-wasi-threads programs (tests/programs/threads, scripts/build-wasi-threads-programs.sh):
# wasi-libc's last commit that clang/lld 14 can build and link with pthreads, and zstd 1.5.6.
WASI_LIBC_REPO=https://github.com/WebAssembly/wasi-libc
WASI_LIBC_COMMIT=bd950eb128bff337153de217b11270f948d04bb4  # 2023-06-23, parent of "dlmalloc: require __heap_end"
ZSTD_REPO=https://github.com/facebook/zstd
ZSTD_COMMIT=794ea1b0afca0f020f4e57b6732332231fb23c70       # tag v1.5.6
SIGHTGLASS_BENCHMARKS="blake3-scalar blake3-simd blind-sig bz2 gcc-loops hashset hex-simd intgemm-simd meshoptimizer noop
  pulldown-cmark quicksort regex richards rust-compression rust-html-rewriter rust-json rust-protobuf shootout sqlite3 tinygo"

# checkout REPO COMMIT DIR: a blobless clone checked out at COMMIT.
checkout() {
  git clone --quiet --filter=blob:none --no-checkout "$1" "$3"
  git -C "$3" fetch --quiet origin "$2" 2>/dev/null || true  # a commit off the default branch
  git -C "$3" -c advice.detachedHead=false checkout --quiet "$2"
}

echo "fetch-test-data: WebAssembly/testsuite -> $dest/spec-testsuite, $dest/spec-testsuite-2.0"
checkout "$SPEC3_REPO" "$SPEC3_COMMIT" "$work/testsuite"
rm -rf "$dest/spec-testsuite" "$dest/spec-testsuite-2.0"
mkdir -p "$dest/spec-testsuite" "$dest/spec-testsuite-2.0"
(cd "$work/testsuite" && find . -name '*.wast' -exec cp --parents {} "$dest/spec-testsuite/" \; &&
 cp LICENSE "$dest/spec-testsuite/")
git -C "$work/testsuite" -c advice.detachedHead=false checkout --quiet "$SPEC2_COMMIT"
cp "$work/testsuite"/*.wast "$work/testsuite/LICENSE" "$dest/spec-testsuite-2.0/"

echo "fetch-test-data: WebAssembly/wasi-testsuite -> $dest/wasi-testsuite"
checkout "$WASI_REPO" "$WASI_COMMIT" "$work/wasi"
rm -rf "$dest/wasi-testsuite"
mkdir -p "$dest/wasi-testsuite"
for lang in assemblyscript c rust; do
  mkdir -p "$dest/wasi-testsuite/$lang/testsuite"
  cp -R "$work/wasi/tests/$lang/testsuite/wasm32-wasip1" "$dest/wasi-testsuite/$lang/testsuite/"
done
cp "$work/wasi/LICENSE" "$dest/wasi-testsuite/" 2>/dev/null || true

echo "fetch-test-data: bytecodealliance/sightglass -> $dest/bench-wasm/sightglass"
checkout "$SIGHTGLASS_REPO" "$SIGHTGLASS_COMMIT" "$work/sightglass"
rm -rf "$dest/bench-wasm/sightglass"
mkdir -p "$dest/bench-wasm/sightglass"
for b in $SIGHTGLASS_BENCHMARKS; do
  # the programs, their inputs and expected outputs (no sources, Dockerfiles or build scripts)
  mkdir -p "$dest/bench-wasm/sightglass/$b"
  (cd "$work/sightglass/benchmarks/$b" &&
   find . -maxdepth 1 -type f \( -name '*.wasm' -o -name '*.input' -o -name '*.input.*' -o -name '*.expected' \
        -o -name '*.der' -o -name 'LICENSE*' \) -exec cp {} "$dest/bench-wasm/sightglass/$b/" \;)
done
cp "$work/sightglass/LICENSE-APACHE" "$work/sightglass/LICENSE-MIT" "$dest/bench-wasm/sightglass/" 2>/dev/null || true
# As in ../shared: hex-simd and rust-protobuf use the inputs (and expected output) of the parent commit, whose .wasm
# programs are the same (the enlarged inputs of the later commit are what ../shared/bench-wasm/SOURCE.md describes).
git -C "$work/sightglass" -c advice.detachedHead=false checkout --quiet "$SIGHTGLASS_INPUTS_COMMIT" -- \
  benchmarks/hex-simd/default.input benchmarks/hex-simd/benchmark.stdout.expected \
  benchmarks/rust-protobuf/default.input benchmarks/rust-protobuf/benchmark.stderr.expected
for f in hex-simd/default.input hex-simd/benchmark.stdout.expected rust-protobuf/default.input \
         rust-protobuf/benchmark.stderr.expected; do
  cp "$work/sightglass/benchmarks/$f" "$dest/bench-wasm/sightglass/$f"
done

echo "fetch-test-data: wasi-libc, zstd sources -> $dest/wasi-threads-src"
rm -rf "$dest/wasi-threads-src"
mkdir -p "$dest/wasi-threads-src"
checkout "$WASI_LIBC_REPO" "$WASI_LIBC_COMMIT" "$work/wasi-libc"
git -C "$work/wasi-libc" archive --prefix=wasi-libc/ HEAD | tar -x -C "$dest/wasi-threads-src"
checkout "$ZSTD_REPO" "$ZSTD_COMMIT" "$work/zstd"
git -C "$work/zstd" archive --prefix=zstd/ HEAD | tar -x -C "$dest/wasi-threads-src"

count() { find "$1" -path "$2" -type f | wc -l; }
echo "fetch-test-data: done in $dest:"
echo "  spec 3.0: $(count "$dest/spec-testsuite" '*.wast') scripts (CTest uses the top level, custom/ and legacy/: 264)"
echo "  spec 2.0: $(count "$dest/spec-testsuite-2.0" '*.wast') scripts (148)"
echo "  WASI:     $(count "$dest/wasi-testsuite" '*/wasm32-wasip1/*.wasm') programs (72)"
echo "  sightglass: $(count "$dest/bench-wasm/sightglass" '*.wasm') programs (40)"
if [ "$dest" != "$root/test-data" ]; then
  echo "configure with: cmake -B build -DMYRT_TEST_DATA=$dest   (or export MYRT_TEST_DATA=$dest)"
fi
