// engine/tiers.cpp -- see tiers.h.
#include "engine/tiers.h"

#include "jit/common/backend.h"
#include "jit/common/perf_map.h"
#include "jit/jit.h"
#include "runtime/interp/interp.h"

namespace myrt {

Result<Tier> parseTier(std::string_view name) {
  if (name == "interp") return Tier::Interp;
  if (name == "jit") return Tier::Jit;
  if (name == "auto") return Tier::Auto;
  if (name == "opt") return Tier::Opt;
  return Error{Error::kNoOffset, "unknown tier '" + std::string(name) + "' (expected interp, jit, auto or opt)"};
}

const char* tierName(Tier t) {
  switch (t) {
    case Tier::Interp: return "interp";
    case Tier::Jit: return "jit";
    case Tier::Auto: return "auto";
    case Tier::Opt: return "opt";
  }
  return "?";
}

bool tierAvailable(Tier t) {
  switch (t) {
    case Tier::Interp: return true;
    case Tier::Jit: return jitAvailable();
    case Tier::Auto: return jitAvailable();
    case Tier::Opt: return optAvailable();
  }
  return false;
}

Tier defaultTier() { return tierAvailable(Tier::Auto) ? Tier::Auto : Tier::Interp; }

std::vector<Tier> availableTiers() {
  std::vector<Tier> out;
  for (Tier t : {Tier::Interp, Tier::Jit, Tier::Auto, Tier::Opt})
    if (tierAvailable(t)) out.push_back(t);
  return out;
}

namespace {

// Why the JIT tiers are unavailable here: no backend for this build's ISA (e.g. aarch64 until jit/arm64 exists), or
// the CPU lacks what the backend needs.
std::string jitUnavailable() {
  const jit::Backend* b = jit::hostBackend();
  if (!b) return std::string("jit on ") + jit::kBuildIsa + " (no JIT backend for this ISA yet; use --tier=interp)";
  return std::string("jit on this CPU (the ") + b->name + " JIT needs " + b->cpuRequires + "; use --tier=interp)";
}

}  // namespace

Result<StoreConfig> tierConfig(Tier t, const StoreLimits& limits) {
  if (t == Tier::Opt && jitAvailable() && !optAvailable())
    return Error{Error::kNoOffset, std::string("unsupported: tier opt on ") + jit::kBuildIsa +
                                       " (the optimizing tier generates x86-64 code only so far; use --tier=jit)"};
  if (!tierAvailable(t))
    return Error{Error::kNoOffset, "unsupported: " + jitUnavailable() + (t == Tier::Auto ? " (tier auto tiers up to it)" : "")};
  switch (t) {
    case Tier::Jit: return jitConfig(limits);
    case Tier::Opt: return optConfig(limits);
    case Tier::Auto: return autoConfig(limits);
    case Tier::Interp: break;
  }
  return interpreterConfig(limits);
}

Result<std::unique_ptr<Store>> makeStore(Tier t, const StoreLimits& limits) {
  MYRT_ASSIGN(StoreConfig config, tierConfig(t, limits));
  return std::make_unique<Store>(config);
}

PrecompileStats precompile(Instance& inst) {
  const jit::CompileStats cs = jit::compileInstance(inst);
  return {cs.functions, cs.optimized, cs.fallbacks, cs.bodyBytes, cs.machineBytes};
}

const char* simdCodePath() { return jitSimdPath(); }

Result<std::string> enableProfiling(std::string_view kind) {
  if (kind == "perfmap") return jit::enablePerfMap();
  return Error{Error::kNoOffset, "unknown profiling kind '" + std::string(kind) + "' (expected perfmap)"};
}

}  // namespace myrt
