// fuzz/lib/differential.h -- runs a generated module (wasm_gen.h) on several execution configurations and compares
// everything observable: each invocation's results or trap reason and backtrace, then the final memory (size and bytes) and every
// exported global. Used by the libFuzzer target fuzz/diff_tiers.cpp and by tests/unit/exec/differential_test.cpp.
// Layer: fuzz (depends on tiers, text, binary, valid).
#pragma once
#include <string>
#include <vector>

#include "fuzz/lib/wasm_gen.h"
#include "engine/tiers.h"

namespace myrt::fuzz {

struct DiffConfig {
  Tier tier;
  bool guardPages;
  uint32_t tierUpThreshold = 0;  // Tier::Auto: 0 the default threshold
  uint32_t optTierUpThreshold = 0;  // Tier::Auto: the third tier's threshold, synchronous tier-ups (0: the defaults)
  std::string name() const;
};

// {interp, jit and opt (when available)} x {guard pages, explicit bounds checks}, then (when available) the auto tier with
// tier-up thresholds 1 (every function's first call tiers up at its entry and moves to the JIT code by on-stack
// replacement at its first taken back-edge) and 7 (tier-up and OSR somewhere inside the first call's loops), and with
// the optimizing tier (x86-64) the auto tier's third tier, synchronous: thresholds 1/1 (a function's first call
// recompiles it with the optimizing tier at its entry in baseline code, later calls run optimized code) and 7/3 (the
// recompile inside a loop of baseline code); the first configuration is the reference.
std::vector<DiffConfig> diffConfigs();

struct DiffResult {
  std::string invalid;     // the module did not parse/validate/instantiate the same way: a generator or front-end bug
  std::string difference;  // the first observable difference between configurations ("" if none)
  uint32_t calls = 0, traps = 0;  // invocations, and how many of them trapped (on the reference configuration)
  uint64_t autoOptimized = 0;      // functions the auto tier's third tier optimized (summed over those configurations)
  uint64_t autoOsr = 0;            // and OSR versions it installed (baseline frames moved into optimized code)
  bool ok() const { return invalid.empty() && difference.empty(); }
};

DiffResult runDifferential(const GeneratedModule& gm, const std::vector<DiffConfig>& configs = diffConfigs());

}  // namespace myrt::fuzz
