// tests/unit/exec/exec_harness.h -- execution-test helpers shared by tests/unit/exec and tests/unit/interp: WAT text ->
// binary -> decode -> validate -> instantiate on a given tier, plus typed invoke helpers. Tests loop over tiers() so
// the same assertions run on every execution tier (the interpreter today, JIT tiers when they exist).
#pragma once
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "jit/jit.h"
#include "runtime/binary/decoder.h"
#include "runtime/exec/engine.h"
#include "runtime/interp/interp.h"
#include "runtime/text/wat.h"
#include "engine/tiers.h"
#include "runtime/valid/validator.h"

namespace myrt::test {

struct ExecTier {  // (named apart from myrt::Tier, the tier enumeration)
  std::string name;
  std::function<std::unique_ptr<Store>(const StoreLimits&)> makeStore;
};

// Every tier this build and CPU can run (engine/tiers): the interpreter, and the JIT, auto and opt (the optimizing
// tier, functions it does not support on the baseline compiler) tiers on x86-64. The
// auto tier tiers up after 2 polls of a function (not the default 1000), and its baseline code to the optimizing tier
// after 2 more (where the optimizing tier exists: its third tier, jit/jit.h), so tests run on every side of each
// tier-up, synchronously (a background compile would often finish after a short test ends; tierup_test and
// opt_tierup_test test that mode).
constexpr uint32_t kTestTierUpThreshold = 2;
inline std::vector<ExecTier> tiers() {
  std::vector<ExecTier> out;
  for (myrt::Tier t : availableTiers()) {
    if (t == myrt::Tier::Auto)
      out.push_back(ExecTier{tierName(t), [](const StoreLimits& l) {
                               return std::make_unique<Store>(
                                   autoConfig(l, kTestTierUpThreshold, TierUpMode::Synchronous, kTestTierUpThreshold));
                             }});
    else
      out.push_back(ExecTier{tierName(t), [t](const StoreLimits& l) { return std::move(makeStore(t, l).value()); }});
  }
  return out;
}

// The auto tier with a given tier-up threshold; Synchronous by default (tier-up completes at the poll that reaches
// the threshold, so tests know when code is installed), Background for tests of the compile thread.
inline ExecTier autoTier(uint32_t threshold, TierUpMode mode = TierUpMode::Synchronous) {
  return ExecTier{"auto", [threshold, mode](const StoreLimits& l) {
                    return std::make_unique<Store>(autoConfig(l, threshold, mode));
                  }};
}

// Text -> validated module (errors as Error with a stage prefix).
inline Result<std::shared_ptr<const Module>> compileWat(std::string_view wat) {
  auto bin = watToBinary(wat);
  if (!bin.ok()) return Error("wat: " + bin.error().message);
  auto mod = decodeModule(std::move(bin.value()));
  if (!mod.ok()) return Error("decode: " + mod.error().toString());
  Status v = validateModule(*mod);
  if (!v.ok()) return Error("validate: " + v.error().toString());
  return std::shared_ptr<const Module>(std::make_shared<Module>(std::move(mod.value())));
}

// One store on one tier with the spectest module registered.
struct Session {
  explicit Session(const ExecTier& tier, const StoreLimits& limits = {}) : store(tier.makeStore(limits)) {
    createSpectest(*store);
  }
  // Compiles, links against registered instances and instantiates; "" on success, else the error message.
  std::string load(std::string_view wat, Instance** out = nullptr) {
    auto mod = compileWat(wat);
    if (!mod.ok()) return mod.error().message;
    auto imports = resolveImports(*store, **mod);
    if (!imports.ok()) return imports.error().message;
    auto inst = instantiate(*store, *mod, *imports);
    if (!inst.ok()) return inst.error().message;
    last = *inst;
    if (out) *out = *inst;
    return "";
  }
  void registerAs(const std::string& name, Instance* inst = nullptr) { store->registered[name] = inst ? inst : last; }
  // Keeps export `name` of the last instance in the interpreter (call before the instance's first call): on the jit
  // tier its callers and callees are compiled, so calls, tail calls and exceptions cross tiers.
  void interpret(std::string_view name) {
    if (FuncInst* f = findExportedFunc(*last, name)) f->entry = interpreterEntry();
  }

  // Invokes export `name` of the last instance; returns the trap message ("" if none) and fills `results`.
  std::string call(std::string_view name, std::vector<Value> args, std::vector<Value>* results = nullptr,
                   Instance* inst = nullptr) {
    FuncInst* f = findExportedFunc(inst ? *inst : *last, name);
    if (!f) return "no export " + std::string(name);
    std::vector<Value> res(f->numResults());
    InvokeResult r = invoke(*store, f, args, res);
    if (r.trap) {
      lastTrap = *r.trap;
      return r.trap->message;
    }
    if (results) *results = res;
    return "";
  }
  uint32_t i32(std::string_view name, std::vector<Value> args = {}, Instance* inst = nullptr) {
    std::vector<Value> res;
    std::string t = call(name, std::move(args), &res, inst);
    lastError = t;
    return t.empty() && !res.empty() ? res[0].i32 : 0xDEADBEEF;
  }
  uint64_t i64(std::string_view name, std::vector<Value> args = {}, Instance* inst = nullptr) {
    std::vector<Value> res;
    std::string t = call(name, std::move(args), &res, inst);
    lastError = t;
    return t.empty() && !res.empty() ? res[0].i64 : 0xDEADBEEFDEADBEEFull;
  }
  double f64(std::string_view name, std::vector<Value> args = {}, Instance* inst = nullptr) {
    std::vector<Value> res;
    std::string t = call(name, std::move(args), &res, inst);
    lastError = t;
    return t.empty() && !res.empty() ? res[0].f64 : -1.0;
  }

  std::unique_ptr<Store> store;
  Instance* last = nullptr;
  Trap lastTrap;
  std::string lastError;
};

// The outcome of an i32 call: its result, or its trap with the backtrace (frames and wasm offsets), to compare a tier
// against the interpreter.
struct CallOutcome {
  uint32_t value = 0;
  std::string trap;
  std::vector<uint32_t> frames, offsets;
  bool operator==(const CallOutcome&) const = default;
};
inline CallOutcome callOutcome(Session& s, const std::string& name, std::vector<Value> args) {
  CallOutcome o;
  o.value = s.i32(name, std::move(args));
  o.trap = s.lastError;
  if (!o.trap.empty()) {
    o.frames = s.lastTrap.backtrace;
    o.offsets = s.lastTrap.backtraceOffsets;
  }
  return o;
}

inline Value I32(uint32_t v) { return Value::fromI32(v); }
inline Value I64(uint64_t v) { return Value::fromI64(v); }
inline Value F32(float v) { return Value::fromF32(v); }
inline Value F64(double v) { return Value::fromF64(v); }

}  // namespace myrt::test
