// fuzz/lib/differential.h -- runs a generated module (wasm_gen.h) on several execution configurations and compares
// everything observable: each invocation's results or trap reason and backtrace, then the final memory (size and bytes) and every
// exported global. Used by the libFuzzer target fuzz/diff_tiers.cpp and by tests/unit/exec/differential_test.cpp.
// Layer: fuzz (depends on tiers, text, binary, valid).
#pragma once
#include <string>
#include <vector>

#include "fuzz/lib/wasm_gen.h"
#include "runtime/tiers/tiers.h"

namespace myrt::fuzz {

struct DiffConfig {
  Tier tier;
  bool guardPages;
  std::string name() const;
};

// {interp, jit (when available)} x {guard pages, explicit bounds checks}; the first is the reference.
std::vector<DiffConfig> diffConfigs();

struct DiffResult {
  std::string invalid;     // the module did not parse/validate/instantiate the same way: a generator or front-end bug
  std::string difference;  // the first observable difference between configurations ("" if none)
  uint32_t calls = 0, traps = 0;  // invocations, and how many of them trapped (on the reference configuration)
  bool ok() const { return invalid.empty() && difference.empty(); }
};

DiffResult runDifferential(const GeneratedModule& gm, const std::vector<DiffConfig>& configs = diffConfigs());

}  // namespace myrt::fuzz
