// fuzz/lib/differential.cpp -- see differential.h.
#include "fuzz/lib/differential.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>

#include "jit/jit.h"
#include "runtime/binary/decoder.h"
#include "runtime/exec/engine.h"
#include "runtime/interp/interp.h"
#include "runtime/text/printer.h"
#include "runtime/text/wat.h"
#include "runtime/valid/validator.h"

namespace myrt::fuzz {
namespace {

struct CallOutcome {
  TrapReason trap = TrapReason::None;
  std::string message;
  std::vector<uint32_t> backtrace;  // function indices, innermost first
  std::vector<uint32_t> offsets;    // their wasm offsets (the trapping instruction, then the calls)
  bool faultOffsetUnknown = false;  // offsets[0] is unknown by design (interpreterFaultOffsetsKnown)
  std::vector<Value> results;
};

struct Outcome {
  std::string instantiateError;
  std::vector<CallOutcome> calls;
  std::vector<uint8_t> memory;
  struct Global {
    std::string name;
    ValKind kind;
    Value value;
  };
  std::vector<Global> globals;
  uint64_t optimized = 0;  // functions whose optimized code was installed (Store::optCompiledFuncs)
  uint64_t osrVersions = 0;  // OSR versions of it installed (jit::optOsrVersions)
};

Outcome runOn(const DiffConfig& c, const std::shared_ptr<const Module>& mod, const GeneratedModule& gm) {
  Outcome o;
  StoreLimits limits;
  limits.guardPages = c.guardPages;
  limits.valueStackSlots = 1 << 16;  // no recursion in generated modules; keeps store creation cheap
  auto store = c.tier == Tier::Auto && c.optTierUpThreshold
                   ? Result<std::unique_ptr<Store>>(std::make_unique<Store>(
                         autoConfig(limits, c.tierUpThreshold, TierUpMode::Synchronous, c.optTierUpThreshold)))
               : c.tier == Tier::Auto && c.tierUpThreshold
                   ? Result<std::unique_ptr<Store>>(std::make_unique<Store>(autoConfig(limits, c.tierUpThreshold)))
                   : makeStore(c.tier, limits);
  if (!store.ok()) {
    o.instantiateError = store.error().message;
    return o;
  }
  auto inst = instantiate(**store, mod, {});
  if (!inst.ok()) {
    o.instantiateError = inst.error().message;
    return o;
  }
  GlobalInst* budget = findExportedGlobal(**inst, "budget");
  for (const GenCall& call : gm.calls) {
    CallOutcome co;
    FuncInst* f = findExportedFunc(**inst, call.exportName);
    if (!f || !budget) {
      o.instantiateError = "missing export " + call.exportName;
      return o;
    }
    budget->value = Value::fromI32(gm.budget);
    co.results.resize(f->numResults());
    InvokeResult r = invoke(**store, f, call.args, co.results);
    if (r.trap) {
      co.trap = r.trap->reason;
      co.message = r.trap->message;
      co.backtrace = r.trap->backtrace;
      co.offsets = r.trap->backtraceOffsets;
      // (a fault in the interpreter of a build that cannot tell its offset: interpreterFaultOffsetsKnown)
      co.faultOffsetUnknown = c.tier == Tier::Interp && c.guardPages && !interpreterFaultOffsetsKnown() &&
                              co.trap == TrapReason::MemoryOutOfBounds && !co.offsets.empty() &&
                              co.offsets[0] == kNoWasmOffset;
      co.results.clear();
    }
    o.calls.push_back(std::move(co));
  }
  o.optimized = (*store)->optCompiledFuncs;
  for (const FuncInst* f : (*inst)->funcs)
    if (f) o.osrVersions += jit::optOsrVersions(*f);
  if (MemoryInst* m = findExportedMemory(**inst, "mem")) o.memory.assign(m->base, m->base + m->size);
  for (const auto& [name, ex] : (*inst)->exports)
    if (ex.kind == ExternKind::Global) o.globals.push_back({name, ex.global->type.type.kind, ex.global->value});
  std::sort(o.globals.begin(), o.globals.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return o;
}

bool isNaN32(uint32_t b) { return (b & 0x7f800000u) == 0x7f800000u && (b & 0x7fffffu) != 0; }
bool isNaN64(uint64_t b) {
  return (b & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (b & 0xfffffffffffffull) != 0;
}

// Equal as the spec allows: exact bits, except that in the non-canonical mode two quiet NaNs are equal (an
// arithmetic NaN result may have any payload and sign).
bool sameValue(ValKind k, const Value& a, const Value& b, bool exact) {
  switch (k) {
    case ValKind::I32: return a.i32 == b.i32;
    case ValKind::F32:
      if (a.i32 == b.i32) return true;
      return !exact && isNaN32(a.i32) && isNaN32(b.i32) && (a.i32 & b.i32 & 0x400000u);
    case ValKind::I64: return a.i64 == b.i64;
    case ValKind::F64:
      if (a.i64 == b.i64) return true;
      return !exact && isNaN64(a.i64) && isNaN64(b.i64) && (a.i64 & b.i64 & 0x8000000000000ull);
    default: return std::memcmp(&a, &b, sizeof a) == 0;
  }
}

std::string show(ValKind k, const Value& v) {
  char b[64];
  switch (k) {
    case ValKind::I32: std::snprintf(b, sizeof b, "i32:0x%x", v.i32); return b;
    case ValKind::I64: std::snprintf(b, sizeof b, "i64:0x%llx", static_cast<unsigned long long>(v.i64)); return b;
    case ValKind::F32: return "f32:" + printF32(v.i32);
    case ValKind::F64: return "f64:" + printF64(v.i64);
    default: return "?";
  }
}

std::string showCall(const CallOutcome& c, const CompositeType& type) {
  if (c.trap != TrapReason::None) {
    std::string s = "trap '" + c.message + "' at";
    for (size_t i = 0; i < c.backtrace.size(); ++i) {
      s += " f" + std::to_string(c.backtrace[i]);
      if (i < c.offsets.size()) {
        s += '@';
        s += std::to_string(c.offsets[i]);
      }
    }
    return s;
  }
  std::string s = "[";
  for (size_t i = 0; i < c.results.size(); ++i) {
    if (i) s += ' ';
    s += show(type.results[i].kind, c.results[i]);
  }
  return s + "]";
}

}  // namespace

std::string DiffConfig::name() const {
  return std::string(tierName(tier)) + (tierUpThreshold ? std::to_string(tierUpThreshold) : "") +
         (optTierUpThreshold ? "-opt" + std::to_string(optTierUpThreshold) : "") + (guardPages ? "+guard" : "+checks");
}

std::vector<DiffConfig> diffConfigs() {
  std::vector<DiffConfig> out;
  for (Tier t : {Tier::Interp, Tier::Jit, Tier::Opt})
    if (tierAvailable(t))
      for (bool g : {true, false}) out.push_back({t, g});
  if (tierAvailable(Tier::Auto)) {
    out.push_back({Tier::Auto, true, 1});
    out.push_back({Tier::Auto, false, 7});
  }
  if (tierAvailable(Tier::Auto) && tierAvailable(Tier::Opt)) {
    out.push_back({Tier::Auto, true, 1, 1});
    out.push_back({Tier::Auto, false, 7, 3});
  }
  return out;
}

DiffResult runDifferential(const GeneratedModule& gm, const std::vector<DiffConfig>& configs) {
  DiffResult res;
  auto bin = watToBinary(gm.wat);
  if (!bin.ok()) {
    res.invalid = "wat: " + bin.error().message;
    return res;
  }
  auto mod = decodeModule(std::move(*bin));
  if (!mod.ok()) {
    res.invalid = "decode: " + mod.error().toString();
    return res;
  }
  if (Status v = validateModule(*mod); !v.ok()) {
    res.invalid = "validate: " + v.error().toString();
    return res;
  }
  auto shared = std::shared_ptr<const Module>(std::make_shared<Module>(std::move(*mod)));
  std::vector<Outcome> outs;
  for (const DiffConfig& c : configs) outs.push_back(runOn(c, shared, gm));
  const Outcome& ref = outs[0];
  res.calls = static_cast<uint32_t>(ref.calls.size());
  for (const CallOutcome& c : ref.calls) res.traps += c.trap != TrapReason::None;
  for (size_t k = 0; k < outs.size(); ++k)
    if (configs[k].optTierUpThreshold) {
      res.autoOptimized += outs[k].optimized;
      res.autoOsr += outs[k].osrVersions;
    }
  const bool exact = gm.canonicalNaNs;
  for (size_t k = 0; k < outs.size(); ++k) {
    if (!outs[k].instantiateError.empty()) {
      res.invalid = configs[k].name() + ": " + outs[k].instantiateError;
      return res;
    }
  }
  auto differ = [&](size_t k, const std::string& what) {
    res.difference = what + " (" + configs[0].name() + " vs " + configs[k].name() + ")";
    return res;
  };
  for (size_t k = 1; k < outs.size(); ++k) {
    const Outcome& o = outs[k];
    for (size_t i = 0; i < gm.calls.size(); ++i) {
      const CallOutcome& a = ref.calls[i];
      const CallOutcome& b = o.calls[i];
      const Module& m = *shared;
      // Export name "fN" -> function N (no imports).
      const CompositeType& type = m.funcType(static_cast<uint32_t>(std::stoul(gm.calls[i].exportName.substr(1))));
      const bool sameOffsets =
          a.offsets == b.offsets || ((a.faultOffsetUnknown || b.faultOffsetUnknown) && a.offsets.size() == b.offsets.size() &&
                                     std::equal(a.offsets.begin() + 1, a.offsets.end(), b.offsets.begin() + 1));
      bool same = a.trap == b.trap && a.backtrace == b.backtrace && sameOffsets && a.results.size() == b.results.size();
      for (size_t r = 0; same && r < a.results.size(); ++r)
        same = sameValue(type.results[r].kind, a.results[r], b.results[r], exact);
      if (!same) {
        std::string args;
        for (size_t p = 0; p < gm.calls[i].args.size(); ++p)
        {
          if (p) args += ' ';
          args += show(type.params[p].kind, gm.calls[i].args[p]);
        }
        return differ(k, "call #" + std::to_string(i) + " " + gm.calls[i].exportName + "(" + args + "): " +
                             showCall(a, type) + " vs " + showCall(b, type));
      }
    }
    if (ref.memory.size() != o.memory.size())
      return differ(k, "memory size " + std::to_string(ref.memory.size()) + " vs " + std::to_string(o.memory.size()));
    for (size_t i = 0; ref.memory != o.memory && i < ref.memory.size(); ++i) {  // (vector == is one memcmp)
      if (ref.memory[i] != o.memory[i]) {
        char b[96];
        std::snprintf(b, sizeof b, "memory[%zu]: 0x%02x vs 0x%02x", i, ref.memory[i], o.memory[i]);
        return differ(k, b);
      }
    }
    for (size_t g = 0; g < ref.globals.size(); ++g) {
      const auto& a = ref.globals[g];
      const auto& b = o.globals[g];
      if (!sameValue(a.kind, a.value, b.value, exact))
        return differ(k, "global " + a.name + ": " + show(a.kind, a.value) + " vs " + show(b.kind, b.value));
    }
  }
  return res;
}

}  // namespace myrt::fuzz
