// fuzz/diff_tiers.cpp -- libFuzzer target: bytes -> a valid module (fuzz/lib/wasm_gen.h) -> run on the interpreter and
// the JIT, each with guard pages and with explicit bounds checks (fuzz/lib/differential.h) -> abort on any
// difference in results, trap reasons, final memory or globals, and on a module that does not validate (a generator
// bug). The module text and the difference go to stderr; MYRT_FUZZ_PRINT=1 prints every module.
// Layer: fuzz. Built only with -DMYRT_FUZZ=ON and clang; see fuzz/run.sh (MYRT_FUZZ_TARGET=diff_tiers).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz/lib/differential.h"
#include "fuzz/lib/wasm_gen.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool print = std::getenv("MYRT_FUZZ_PRINT") != nullptr;
  const myrt::fuzz::GeneratedModule gm = myrt::fuzz::generateModule(data, size);
  if (print) std::fprintf(stderr, "%s", gm.wat.c_str());
  static const std::vector<myrt::fuzz::DiffConfig> configs = [] {
    auto all = myrt::fuzz::diffConfigs();
    const char* only = std::getenv("MYRT_FUZZ_CONFIGS");  // e.g. "guard" or "checks": a subset (speed)
    if (!only || !*only) return all;
    std::vector<myrt::fuzz::DiffConfig> some;
    for (const auto& c : all)
      if (c.name().find(only) != std::string::npos) some.push_back(c);
    return some.size() >= 2 ? some : all;
  }();
  const myrt::fuzz::DiffResult r = myrt::fuzz::runDifferential(gm, configs);
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n---- %s: %s\n", gm.wat.c_str(), r.invalid.empty() ? "DIFFERENCE" : "INVALID MODULE",
                 r.invalid.empty() ? r.difference.c_str() : r.invalid.c_str());
    std::abort();
  }
  return 0;
}
