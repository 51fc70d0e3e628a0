# cmake/toolchain-aarch64-linux-gnu.cmake -- cross-build myrt for AArch64 Linux with Debian's g++-aarch64-linux-gnu,
# tests run under qemu-user (qemu-aarch64 with the cross C library as its root: CTest prefixes every test whose command
# is a built target with CMAKE_CROSSCOMPILING_EMULATOR). scripts/test-arm64.sh uses it:
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64-linux-gnu.cmake -DMYRT_BUILD_BENCH=OFF
# Header-only dependencies (CLI11, Catch2) and asmjit's headers (the same for every ISA) come from the build machine's
# /usr/include; the one arm64 library is asmjit's archive for the JIT backend (jit/arm64), from Debian multiarch:
#   dpkg --add-architecture arm64 && apt-get update && apt-get install libasmjit-dev:arm64   (scripts/install-deps.sh)
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(MYRT_CROSS_TRIPLE aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${MYRT_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${MYRT_CROSS_TRIPLE}-g++)
set(CMAKE_FIND_ROOT_PATH /usr/${MYRT_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)   # host tools: clang for wasm32, wat2wasm, ...
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)    # libraries must be the target's
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)    # header-only CLI11 / Catch2 from /usr/include
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
# (multiarch libraries live in /usr/lib/<triple>, outside the find root)
set(ASMJIT_LIBRARY /usr/lib/${MYRT_CROSS_TRIPLE}/libasmjit.a CACHE FILEPATH "asmjit for the target")
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/${MYRT_CROSS_TRIPLE})
