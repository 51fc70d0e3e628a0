// fuzz/diff_tiers_loop.cpp -- the interp-vs-JIT differential fuzzer without libFuzzer: a loop over generated modules
// numbered from a seed (fuzz/lib/wasm_gen.h pseudoRandomBytes -> generateModule), each run on every configuration
// of fuzz/lib/differential.h (interp, jit and opt with guard pages and with explicit bounds checks, auto with tier-up
// thresholds 1 and 7, and with its third tier at 1/1 and 7/3). For a machine or an emulator without clang's
// libFuzzer (AArch64 under qemu-aarch64: scripts/test-arm64.sh builds it). Stops at the first difference or invalid
// module (the module's text, its number and the difference on stderr, exit 1), else after --count modules or --seconds
// of run time, whichever comes first.
//   diff_tiers_loop [--seed N] [--count N] [--seconds N]    (defaults: seed 0, count unlimited, seconds 60)
// Reproduce module K: diff_tiers_loop --seed K --count 1 (MYRT_FUZZ_PRINT=1 prints every module).
// Layer: fuzz.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "fuzz/lib/differential.h"
#include "fuzz/lib/wasm_gen.h"

int main(int argc, char** argv) {
  uint64_t seed = 0, count = UINT64_MAX, seconds = 60;
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    uint64_t* dst = std::strcmp(a, "--seed") == 0      ? &seed
                    : std::strcmp(a, "--count") == 0   ? &count
                    : std::strcmp(a, "--seconds") == 0 ? &seconds
                                                       : nullptr;
    char* end = nullptr;
    if (!dst || i + 1 >= argc || (*dst = std::strtoull(argv[i + 1], &end, 10), !end || *end)) {
      std::fprintf(stderr, "usage: diff_tiers_loop [--seed N] [--count N] [--seconds N]\n");
      return 2;
    }
    ++i;
  }
  const bool print = std::getenv("MYRT_FUZZ_PRINT") != nullptr;
  const auto configs = myrt::fuzz::diffConfigs();
  std::string names;
  for (const auto& c : configs) names += (names.empty() ? "" : ", ") + c.name();
  std::fprintf(stderr, "diff_tiers_loop: configurations %s\n", names.c_str());
  const auto start = std::chrono::steady_clock::now();
  uint64_t modules = 0, calls = 0, traps = 0, optimized = 0, osr = 0;
  for (uint64_t k = seed; modules < count; ++k) {
    if (std::chrono::steady_clock::now() - start >= std::chrono::seconds(seconds)) break;
    const auto bytes = myrt::fuzz::pseudoRandomBytes(k);
    const myrt::fuzz::GeneratedModule gm = myrt::fuzz::generateModule(bytes.data(), bytes.size());
    if (print) {
      std::fprintf(stderr, ";; module %llu\n%s", static_cast<unsigned long long>(k), gm.wat.c_str());
      for (const myrt::fuzz::GenCall& c : gm.calls) {  // (budget = gm.budget before each)
        std::fprintf(stderr, ";; call %s", c.exportName.c_str());
        for (const myrt::Value& v : c.args) std::fprintf(stderr, " 0x%llx", static_cast<unsigned long long>(v.i64));
        std::fprintf(stderr, "\n");
      }
    }
    const myrt::fuzz::DiffResult r = myrt::fuzz::runDifferential(gm, configs);
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n---- module %llu: %s: %s\n", gm.wat.c_str(), static_cast<unsigned long long>(k),
                   r.invalid.empty() ? "DIFFERENCE" : "INVALID MODULE",
                   r.invalid.empty() ? r.difference.c_str() : r.invalid.c_str());
      return 1;
    }
    ++modules;
    calls += r.calls;
    traps += r.traps;
    optimized += r.autoOptimized;
    osr += r.autoOsr;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("diff_tiers_loop: modules %llu..%llu (%llu) in %.0f s, %llu calls (%llu trapped), %llu functions "
              "recompiled by the auto tier's third tier (%llu OSR versions), no difference\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed + modules - (modules > 0)),
              static_cast<unsigned long long>(modules), secs, static_cast<unsigned long long>(calls),
              static_cast<unsigned long long>(traps), static_cast<unsigned long long>(optimized),
              static_cast<unsigned long long>(osr));
  return 0;
}
