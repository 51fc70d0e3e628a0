#!/usr/bin/env bash
# scripts/install-deps.sh -- installs myrt's build and test dependencies from Debian packages (skips apt when all are
# already installed). Uses sudo only when not root.
set -euo pipefail

packages=(cmake ninja-build g++ pkg-config libcli11-dev catch2 libasmjit-dev libdw-dev libbenchmark-dev wabt clang lld wasi-libc libclang-rt-14-dev-wasm32
          libc++-14-dev-wasm32 libc++abi-14-dev-wasm32
          groff-base zsh fish gnuplot-nox  # tests/packaging: man page, completions, bench/report.sh's chart
          g++-aarch64-linux-gnu qemu-user)  # scripts/test-arm64.sh: the AArch64 cross-build, tests under qemu
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all packages present (${packages[*]})"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
