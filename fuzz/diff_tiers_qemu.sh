#!/usr/bin/env bash
# fuzz/diff_tiers_qemu.sh -- the interp-vs-JIT differential fuzzer (fuzz/diff_tiers_loop) for AArch64 under
# qemu-aarch64, for SECONDS of wall time from module number SEED on: batches of BATCH modules, each batch a fresh
# process. qemu-user keeps bookkeeping for every guest page of a mapping (each guarded memory reserves 8 GiB) and does
# not give it back before the process exits: one process over many modules grows by ~150 MB per module (9 GB after 60),
# so the loop runs in batches. Stops at the first difference (the batch's output names the module; reproduce with
# `qemu-aarch64 -L /usr/aarch64-linux-gnu BUILD/diff_tiers_loop --seed K --count 1`).
#   fuzz/diff_tiers_qemu.sh [SECONDS=1800] [SEED=1000000]     env: MYRT_ARM64_BUILD (default build-arm64, built by
#                                                               scripts/test-arm64.sh), BATCH (default 10)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-1800}"
seed="${2:-1000000}"
build="${MYRT_ARM64_BUILD:-$root/build-arm64}"
batch="${BATCH:-10}"
loop="$build/diff_tiers_loop"
[ -x "$loop" ] || { echo "fuzz/diff_tiers_qemu.sh: $loop missing (scripts/test-arm64.sh builds it)" >&2; exit 2; }
end=$((SECONDS + seconds))
first=$seed modules=0 calls=0 traps=0
while [ "$SECONDS" -lt "$end" ]; do
  out=$(qemu-aarch64 -L /usr/aarch64-linux-gnu "$loop" --seed "$seed" --count "$batch" --seconds $((end - SECONDS)) 2>&1) || {
    echo "$out" >&2
    echo "fuzz/diff_tiers_qemu.sh: a difference in the batch from module $seed (after $modules clean modules)" >&2
    exit 1
  }
  read -r n c t < <(echo "$out" | sed -n 's/.*(\([0-9]*\)) in [0-9]* s, \([0-9]*\) calls (\([0-9]*\) trapped).*/\1 \2 \3/p')
  [ -n "${n:-}" ] || { echo "$out" >&2; echo "fuzz/diff_tiers_qemu.sh: no summary from diff_tiers_loop" >&2; exit 1; }
  modules=$((modules + n)) calls=$((calls + c)) traps=$((traps + t)) seed=$((seed + n))
done
echo "fuzz/diff_tiers_qemu.sh: modules $first..$((seed - 1)) ($modules) in ${seconds} s under qemu-aarch64, $calls calls ($traps trapped), no difference"
