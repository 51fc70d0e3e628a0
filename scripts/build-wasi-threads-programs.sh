#!/usr/bin/env bash
# scripts/build-wasi-threads-programs.sh -- builds, from public sources outside this repository, what the
# wasm32-wasi-threads program tests (tests/programs/threads) need, with Debian's clang/lld 14:
#
#   build-wasi-threads-programs.sh sysroot WASI_LIBC_SRC OUT_SYSROOT
#       a wasm32-wasi-threads (THREAD_MODEL=posix) wasi-libc sysroot. Debian's wasi-libc package (0.0~git20220510)
#       has none. The source must have pthreads and must not require the linker symbol __heap_end (wasm-ld >= 15):
#       upstream WebAssembly/wasi-libc from 2023-01 up to bd950eb128bff337153de217b11270f948d04bb4 (2023-06-23, the
#       parent of d8abbaac "dlmalloc: require __heap_end"). The source tree is not written to.
#   build-wasi-threads-programs.sh zstd ZSTD_SRC SYSROOT OUT_DIR
#       the zstd command-line program (facebook/zstd, tested with v1.5.6 = 794ea1b0) with ZSTD_MULTITHREAD (its
#       compression jobs and its asynchronous I/O run on pthreads) as OUT_DIR/zstd.wasm, and OUT_DIR/zstd-input.bin
#       (its lib/ and programs/ C sources concatenated: a fixed input of ~1.3 MB, three 512 KiB jobs).
#       tests/programs/threads/zstd_shim.c supplies chmod/chown (not in wasi-libc: they fail with ENOTSUP).
#
# CMake runs both when MYRT_WASI_THREADS_SRC holds wasi-libc/ and zstd/ (see tests/programs/CMakeLists.txt);
# scripts/fetch-test-data.sh fetches them. Environment: CLANG (default clang), LLVM_AR, LLVM_NM.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
CLANG="${CLANG:-clang}"
LLVM_AR="${LLVM_AR:-llvm-ar}"
LLVM_NM="${LLVM_NM:-llvm-nm}"
jobs="$(nproc 2>/dev/null || echo 2)"

die() { echo "build-wasi-threads-programs: $*" >&2; exit 1; }

case "${1:-}" in
  sysroot)
    [ $# -eq 3 ] || die "usage: $0 sysroot WASI_LIBC_SRC OUT_SYSROOT"
    src="$(cd "$2" && pwd)" || die "no wasi-libc source at $2"
    out="$3"
    [ -f "$src/Makefile" ] && grep -q 'THREAD_MODEL), posix' "$src/Makefile" ||
      die "$src: not a wasi-libc source with THREAD_MODEL=posix (pthreads): use WebAssembly/wasi-libc 2023-01..bd950eb1"
    if grep -q '^extern char __heap_end;' "$src/dlmalloc/src/malloc.c"; then
      die "$src: this wasi-libc requires __heap_end, which wasm-ld 14 does not define: use bd950eb1 or older"
    fi
    mkdir -p "$out"
    out="$(cd "$out" && pwd)"
    obj="$out.obj"
    rm -rf "$obj"
    mkdir -p "$obj"
    make -s -C "$src" -j"$jobs" THREAD_MODEL=posix CC="$CLANG" AR="$LLVM_AR" NM="$LLVM_NM" SYSROOT="$out" OBJDIR="$obj" \
      finish >/dev/null
    rm -rf "$obj"
    [ -f "$out/lib/wasm32-wasi-threads/libc.a" ] || die "no $out/lib/wasm32-wasi-threads/libc.a after the build"
    echo "build-wasi-threads-programs: sysroot in $out"
    ;;
  zstd)
    [ $# -eq 4 ] || die "usage: $0 zstd ZSTD_SRC SYSROOT OUT_DIR"
    src="$(cd "$2" && pwd)" || die "no zstd source at $2"
    sysroot="$3"
    out="$4"
    [ -f "$src/programs/zstdcli.c" ] && [ -f "$src/lib/zstd.h" ] || die "$src: not a zstd source tree"
    mkdir -p "$out"
    # The library with its multi-threaded compressor (ZSTD_MULTITHREAD: pthreads), the CLI without the benchmark,
    # the dictionary builder, tracing, legacy formats and x86 assembly. util.h uses FILE without <stdio.h>.
    "$CLANG" --target=wasm32-wasi-threads --sysroot="$sysroot" -pthread -ftls-model=local-exec -O2 -w \
      -include stdio.h -DZSTD_MULTITHREAD -DZSTD_NOBENCH -DZSTD_NODICT -DZSTD_NOTRACE -DZSTD_LEGACY_SUPPORT=0 \
      -DZSTD_DISABLE_ASM -DBACKTRACE_ENABLE=0 -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS \
      -D_WASI_EMULATED_GETPID -I"$src/lib" -I"$src/lib/common" \
      "$src"/lib/common/*.c "$src"/lib/compress/*.c "$src"/lib/decompress/*.c \
      "$src"/programs/{zstdcli,fileio,fileio_asyncio,util,timefn,datagen,lorem,benchfn}.c \
      "$root/tests/programs/threads/zstd_shim.c" \
      -Wl,--import-memory,--max-memory=268435456 -lwasi-emulated-signal -lwasi-emulated-process-clocks \
      -lwasi-emulated-getpid -o "$out/zstd.wasm"
    cat "$src"/lib/common/*.c "$src"/lib/compress/*.c "$src"/lib/decompress/*.c "$src"/programs/*.c \
      > "$out/zstd-input.bin"
    echo "build-wasi-threads-programs: $out/zstd.wasm, $out/zstd-input.bin ($(wc -c < "$out/zstd-input.bin") bytes)"
    ;;
  *)
    die "usage: $0 sysroot WASI_LIBC_SRC OUT_SYSROOT | zstd ZSTD_SRC SYSROOT OUT_DIR"
    ;;
esac
