#!/usr/bin/env bash
# scripts/setup.sh -- README quick start 1: install the Debian packages myrt needs, build it (Release, build/), and try
# it on the bundled example.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"${MYRT_JOBS:-2}" --target myrt
echo
echo "+ build/myrt validate examples/hello.wat"
build/myrt validate examples/hello.wat
echo "+ build/myrt run examples/hello.wat"
build/myrt run examples/hello.wat
echo "+ build/myrt run --invoke add examples/hello.wat 40 2"
build/myrt run --invoke add examples/hello.wat 40 2
echo
echo "myrt is built: build/myrt --help lists the commands; scripts/test.sh runs the tests."
