#!/usr/bin/env bash
# scripts/install-deps.sh -- installs myrt's build and test dependencies from Debian packages (skips apt when all are
# already installed). Uses sudo only when not root.
set -euo pipefail

packages=(cmake ninja-build g++ pkg-config libcli11-dev catch2 libasmjit-dev libdw-dev libbenchmark-dev wabt clang lld wasi-libc libclang-rt-14-dev-wasm32
          libc++-14-dev-wasm32 libc++abi-14-dev-wasm32
          libmicrohttpd-dev python3  # myrt serve: the HTTP/1.1 server library; tests/serve's client
          libcurl4-openssl-dev openssl  # outgoing HTTP (libcurl's header; libcurl4 is dlopen()ed); tests/http's TLS cert
          groff-base zsh fish gnuplot-nox  # tests/packaging: man page, completions, bench/report.sh's chart
          g++-aarch64-linux-gnu qemu-user)  # scripts/test-arm64.sh: the AArch64 cross-build, tests under qemu
# asmjit for AArch64 (the arm64 JIT backend of the cross build, cmake/toolchain-aarch64-linux-gnu.cmake): a Debian
# multiarch package, so dpkg must know the arm64 architecture first
arm64_packages=(libasmjit-dev:arm64)
missing=()
for p in "${packages[@]}" "${arm64_packages[@]}"; do
  # (with arm64 packages installed, a Multi-Arch: same package needs its native architecture named)
  dpkg -s "$p" >/dev/null 2>&1 || dpkg -s "$p:$(dpkg --print-architecture)" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all packages present (${packages[*]} ${arm64_packages[*]})"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! dpkg --print-foreign-architectures | grep -qx arm64; then $sudo dpkg --add-architecture arm64; fi
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
