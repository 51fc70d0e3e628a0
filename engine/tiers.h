// engine/tiers.h -- tier selection: the one place that maps a tier name (CLI --tier, myrt.h, tests, bench) to
// a StoreConfig, i.e. where the tiers (the interpreter, the JIT: jit/jit.h) meet. The store knows no tier: a tier is a
// StoreConfig of entry points and hooks.
// Layer: engine (above runtime/ and jit/; used by cli/, capi/, fuzz/, bench/ and tests). runtime/ never includes it.
#pragma once
#include <memory>
#include <string_view>
#include <vector>

#include "runtime/base/result.h"
#include "runtime/exec/store.h"

namespace myrt {

enum class Tier : uint8_t {
  Interp,  // every function runs in the interpreter
  Jit,     // every function is compiled by the baseline JIT before it runs
  Auto,    // start in the interpreter, compile an instance with the JIT when one of its functions is hot (jit.h)
  Opt,     // like Jit, with the optimizing tier (issue 16) for the functions its code generator supports
};

// "interp" | "jit" | "auto" | "opt"; an error for anything else.
Result<Tier> parseTier(std::string_view name);
const char* tierName(Tier t);
// The tier used when none is chosen (CLI `run` and `wast`, wasm_config_t): Auto where this build/CPU has the JIT,
// else Interp.
Tier defaultTier();
// Whether this build/CPU can run `t`.
bool tierAvailable(Tier t);
// Tiers this build/CPU can run, in the order above.
std::vector<Tier> availableTiers();
// A store configuration running `t`; "unsupported: tier jit ..." when !tierAvailable(t).
Result<StoreConfig> tierConfig(Tier t, const StoreLimits& limits = {});
Result<std::unique_ptr<Store>> makeStore(Tier t, const StoreLimits& limits = {});

// What compiling an instance ahead of its first call did (`myrt run --tier=jit`, whose -v reports it).
struct PrecompileStats {
  uint64_t functions = 0;     // compiled to machine code
  uint64_t optimized = 0;     // of those: by the optimizing tier (--tier=opt)
  uint64_t fallbacks = 0;     // left on the interpreter (unsupported instruction)
  uint64_t bodyBytes = 0;     // wasm code bytes of the compiled functions
  uint64_t machineBytes = 0;  // machine code bytes emitted
};
// Compiles every function of a jit-tier instance now (otherwise its first call does), on the store's compileJobs.
PrecompileStats precompile(Instance& inst);
// The JIT's SIMD code path on this CPU (e.g. "AVX2"), "" without a JIT.
const char* simdCodePath();
// Profiling support: "perfmap" writes /tmp/perf-PID.map naming JIT-compiled functions (returns its path).
Result<std::string> enableProfiling(std::string_view kind);

}  // namespace myrt
