// tests/unit/exec/opt_tierup_test.cpp -- the auto tier's third tier (jit/jit.h autoConfig's optThreshold, x86-64):
// baseline code compiled by the tier-up counts its entries and loop heads down (FuncInst::optBudget) and at 0 the
// function is recompiled by the optimizing tier and its code swapped (synchronously, or on the compile thread and
// installed at a later count). Checked: each transition at its count, results across them, a baseline frame that
// stays in its loop while its optimized code is installed, calls from baseline code reaching a callee's optimized code
// (the call-via-entry stub), functions the optimizing tier refuses staying in baseline code without retries, traps
// and backtraces equal to the interpreter's, and the background mode.
#include <catch2/catch.hpp>

#include <string>

#include "exec_harness.h"

using namespace myrt;
using namespace myrt::test;

namespace {

ExecTier auto3(uint32_t threshold, uint32_t optThreshold, TierUpMode mode = TierUpMode::Synchronous) {
  return ExecTier{"auto3", [=](const StoreLimits& l) {
                    return std::make_unique<Store>(autoConfig(l, threshold, mode, optThreshold));
                  }};
}

const char* kModule = R"((module
  (memory 1)
  (func $add1 (export "add1") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func (export "sum") (param i32) (result i32) (local i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get 0)))
      (local.set 1 (i32.add (local.get 1) (local.get 0)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br $l)))
    (local.get 1))
  (func (export "loop_calls") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (call $add1 (local.get 1)))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))
  (func $leaf (export "leaf") (param i32) (result i32)
    (if (i32.eqz (local.get 0)) (then unreachable))
    (if (i32.eq (local.get 0) (i32.const 1)) (then (drop (i32.load (i32.const 70000)))))
    (i32.add (local.get 0) (i32.const 1)))
  (func (export "caller") (param i32) (result i32) (i32.mul (call $leaf (local.get 0)) (i32.const 2)))
  (func (export "tail") (param i32) (result i32) (return_call $leaf (local.get 0)))
))";

bool optimized(const FuncInst* f) { return jit::optimizedCode(*f); }

using Outcome = CallOutcome;
Outcome run(Session& s, const std::string& name, std::vector<Value> args) { return callOutcome(s, name, std::move(args)); }

}  // namespace

TEST_CASE("auto tier, third tier (synchronous): interpreter, then baseline code, then optimized code, each at its count", "[jit]") {
  if (!tierAvailable(Tier::Opt)) FAIL("optimizing tier not available on this build/CPU");
  Session s(auto3(2, 3));
  REQUIRE(s.load(kModule) == "");
  FuncInst* add1 = findExportedFunc(*s.last, "add1");
  REQUIRE(add1);
  CHECK(s.i32("add1", {I32(1)}) == 2);  // interpreter (1 poll)
  CHECK(add1->jitCode == nullptr);
  CHECK(s.i32("add1", {I32(2)}) == 3);  // the 2nd poll compiles it (this call runs the new code)
  REQUIRE(add1->jitCode != nullptr);
  const uint32_t left = add1->optBudget;
  CHECK((left == 2 || left == 3));
  CHECK(add1->optTier == kOptCounting);
  CHECK(s.store->optCompiledFuncs == 0);
  for (uint32_t i = left; i > 1; --i) CHECK(s.i32("add1", {I32(3)}) == 4);  // baseline code: counts down to 1
  CHECK(add1->optBudget == 1);
  const TierCode* baseline = add1->jitCode.get();
  CHECK(s.i32("add1", {I32(5)}) == 6);  // 1 -> 0: recompiled and installed at the entry; this call ends in baseline code
  CHECK(s.store->optCompiledFuncs == 1);
  CHECK(add1->jitCode.get() != baseline);
  CHECK(optimized(add1));
  const uint32_t budget = add1->optBudget;
  for (uint32_t i = 0; i < 50; ++i) CHECK(s.i32("add1", {I32(i)}) == i + 1);  // optimized code: no counting
  CHECK(add1->optBudget == budget);
  CHECK(s.store->optCompiledFuncs == 1);
  CHECK(s.store->jitCompiledFuncs == 1);
}

TEST_CASE("auto tier, third tier: a loop in baseline code gets its optimized code installed while it runs", "[jit]") {
  if (!tierAvailable(Tier::Opt)) FAIL("optimizing tier not available on this build/CPU");
  for (TierUpMode mode : {TierUpMode::Synchronous, TierUpMode::Background}) {
    INFO((mode == TierUpMode::Synchronous ? "synchronous" : "background"));
    Session s(auto3(10, 100, mode));
    REQUIRE(s.load(kModule) == "");
    FuncInst* sum = findExportedFunc(*s.last, "sum");
    const uint32_t want = static_cast<uint32_t>(uint64_t(100000) * 100001 / 2);
    // first call: hot in the interpreter at its 10th back-edge, OSR into baseline code (synchronous: at once), 100
    // loop heads later it asks for the optimizing tier; the frame finishes in baseline code (no OSR into optimized code)
    CHECK(s.i32("sum", {I32(100000)}) == want);
    jit::finishTierUps(*s.store);
    if (mode == TierUpMode::Synchronous) {
      CHECK(jit::osrEntries(*sum) == 1);
      CHECK(optimized(sum));
    }
    for (int i = 0; i < 10 && !optimized(sum); ++i) {
      CHECK(s.i32("sum", {I32(100000)}) == want);
      jit::finishTierUps(*s.store);
    }
    CHECK(s.store->optCompiledFuncs == 1);
    CHECK(optimized(sum));
    CHECK(s.i32("sum", {I32(100)}) == 5050);
    // loop_calls calls add1 from its loop: both get hot; the optimized loop_calls reaches add1's optimized code
    for (int i = 0; i < 10 && s.store->optCompiledFuncs < 3; ++i) {
      CHECK(s.i32("loop_calls", {I32(5000)}) == 5000);
      jit::finishTierUps(*s.store);
    }
    CHECK(s.i32("loop_calls", {I32(5000)}) == 5000);
    CHECK(s.store->optCompiledFuncs == 3);
    CHECK(optimized(findExportedFunc(*s.last, "add1")));
    CHECK(optimized(findExportedFunc(*s.last, "loop_calls")));
  }
}

TEST_CASE("auto tier, third tier: baseline code calls the callee's optimized code once it is installed", "[jit]") {
  if (!tierAvailable(Tier::Opt)) FAIL("optimizing tier not available on this build/CPU");
  Session s(auto3(1, 1000));
  REQUIRE(s.load(kModule) == "");
  FuncInst* caller = findExportedFunc(*s.last, "caller");
  FuncInst* leaf = findExportedFunc(*s.last, "leaf");
  // both compiled by the baseline compiler (in separate blocks: the first poll of each)
  CHECK(s.i32("caller", {I32(5)}) == 12);
  CHECK(s.i32("caller", {I32(5)}) == 12);
  REQUIRE(caller->jitCode != nullptr);
  REQUIRE(leaf->jitCode != nullptr);
  // leaf alone gets hot and optimized
  while (!optimized(leaf)) CHECK(s.i32("leaf", {I32(7)}) == 8);
  CHECK(!optimized(caller));
  const uint32_t budget = leaf->optBudget;
  // caller's baseline code now calls leaf: its optimized code, which counts nothing (its baseline code would)
  for (uint32_t i = 0; i < 20; ++i) CHECK(s.i32("caller", {I32(i + 2)}) == 2 * (i + 3));
  CHECK(leaf->optBudget == budget);
  CHECK(!optimized(caller));
}

TEST_CASE("auto tier, third tier: a function the optimizing tier refuses stays in baseline code, not retried", "[jit]") {
  if (!tierAvailable(Tier::Opt)) FAIL("optimizing tier not available on this build/CPU");
  Session s(auto3(1, 2));
  REQUIRE(s.load(kModule) == "");
  FuncInst* tail = findExportedFunc(*s.last, "tail");  // return_call: not modelled by the optimizing tier's IR
  CHECK(s.i32("tail", {I32(5)}) == 6);
  REQUIRE(tail->jitCode != nullptr);
  const TierCode* baseline = tail->jitCode.get();
  for (int i = 0; i < 3 && tail->optTier != kOptSettled; ++i) CHECK(s.i32("tail", {I32(5)}) == 6);
  CHECK(tail->optTier == kOptSettled);  // the count reached 0: refused
  CHECK(tail->jitCode.get() == baseline);
  CHECK(!optimized(tail));
  const uint32_t budget = tail->optBudget;
  CHECK(budget >= UINT32_MAX - 2);
  for (uint32_t i = 0; i < 100; ++i) CHECK(s.i32("tail", {I32(i + 2)}) == i + 3);
  CHECK(tail->optBudget == budget - 100);  // still baseline code, counting down from "never": no retry
  CHECK(tail->jitCode.get() == baseline);
  CHECK(optimized(findExportedFunc(*s.last, "leaf")));
  CHECK(s.store->optCompiledFuncs == 1);  // leaf, reached by the tail call (return_call through the stub)
}

TEST_CASE("auto tier, third tier: traps and backtraces in every tier equal the interpreter's", "[jit]") {
  if (!tierAvailable(Tier::Opt)) FAIL("optimizing tier not available on this build/CPU");
  Session ref(ExecTier{"interp", [](const StoreLimits& l) { return std::make_unique<Store>(interpreterConfig(l)); }});
  REQUIRE(ref.load(kModule) == "");
  std::vector<Outcome> want;
  for (uint32_t a : {5u, 0u, 1u}) want.push_back(run(ref, "caller", {I32(a)}));
  REQUIRE(want[1].trap == "unreachable");
  REQUIRE(want[2].trap == "out of bounds memory access");
  Session s(auto3(2, 2));
  REQUIRE(s.load(kModule) == "");
  FuncInst* caller = findExportedFunc(*s.last, "caller");
  FuncInst* leaf = findExportedFunc(*s.last, "leaf");
  // rounds of three calls: interpreter, interpreter -> baseline, baseline -> optimized, then optimized only
  for (int round = 0; round < 4; ++round) {
    INFO("round " << round);
    size_t i = 0;
    for (uint32_t a : {5u, 0u, 1u}) {
      INFO("argument " << a);
      CHECK(run(s, "caller", {I32(a)}) == want[i++]);
    }
  }
  CHECK(optimized(caller));
  CHECK(optimized(leaf));
}

namespace {

// Loops whose first call runs long: OSR from baseline code into the optimized code's OSR version, an inner loop inside
// an outer one, a trap inside the loop (and through a caller); a loop with a value below it on the operand stack (no
// OSR version: it stays in baseline code).
const char* kOsr = R"((module
  (func (export "below") (param i32) (result i32) (local i32)
    (i32.add (i32.const 1000)
      (loop $l (result i32)
        (local.set 1 (i32.add (local.get 1) (local.get 0)))
        (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1))))
        (local.get 1))))
  (func (export "nested") (param i32) (result i32) (local i32 i32)
    (loop $o
      (local.set 2 (i32.const 1000))
      (loop $i
        (local.set 1 (i32.add (local.get 1) (i32.mul (local.get 2) (local.get 0))))
        (br_if $i (local.tee 2 (i32.sub (local.get 2) (i32.const 1)))))
      (br_if $o (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))
  (func (export "countdown") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (i32.div_u (i32.const 1000000) (local.get 0))))
      (br_if $l (i32.ge_s (local.tee 0 (i32.sub (local.get 0) (i32.const 1))) (i32.const 0))))
    (local.get 1))
  (func (export "outer") (param i32) (result i32) (i32.add (call 2 (local.get 0)) (i32.const 1)))
  ;; rec(n): a loop of n iterations whose last one calls rec(n / 2) (from the OSR version: its recursive call must
  ;; enter the function, not the OSR version)
  (func $rec (export "rec") (param i32) (result i32) (local i32 i32)
    (local.set 2 (local.get 0))
    (loop $l
      (local.set 1 (i32.add (local.get 1) (local.get 2)))
      (if (i32.and (i32.eq (local.get 2) (i32.const 1)) (i32.gt_u (local.get 0) (i32.const 1)))
        (then (local.set 1 (i32.add (local.get 1) (call $rec (i32.shr_u (local.get 0) (i32.const 1)))))))
      (br_if $l (local.tee 2 (i32.sub (local.get 2) (i32.const 1)))))
    (local.get 1))
))";

}  // namespace

TEST_CASE("auto tier, third tier: a long first call moves from baseline code into optimized code (OSR)", "[jit]") {
  if (!tierAvailable(Tier::Opt)) FAIL("optimizing tier not available on this build/CPU");
  Session ref(ExecTier{"interp", [](const StoreLimits& l) { return std::make_unique<Store>(interpreterConfig(l)); }});
  REQUIRE(ref.load(kOsr) == "");
  for (TierUpMode mode : {TierUpMode::Synchronous, TierUpMode::Background}) {
    INFO((mode == TierUpMode::Synchronous ? "synchronous" : "background"));
    for (const char* name : {"below", "nested", "countdown", "outer", "rec"}) {
      INFO(name);
      const uint32_t n = std::string(name) == "nested" ? 3000 : 3000000;
      const Outcome want = run(ref, name, {I32(n)});
      CHECK((std::string(name) == "countdown" || std::string(name) == "outer") == !want.trap.empty());
      Session s(auto3(10, 100, mode));
      REQUIRE(s.load(kOsr) == "");
      FuncInst* f = findExportedFunc(*s.last, std::string(name) == "outer" ? "countdown" : name);
      CHECK(run(s, name, {I32(n)}) == want);
      jit::finishTierUps(*s.store);
      // synchronous: the first call's loop moved into the OSR version; background: it may have ended before the
      // compiles did (then the next calls run the optimized code's own entry)
      // ("below": a loop with a value below it on the operand stack gets no OSR version; its frame stays in baseline
      // code)
      if (mode == TierUpMode::Synchronous) CHECK(jit::optOsrVersions(*f) == (std::string(name) == "below" ? 0u : 1u));
      for (int i = 0; i < 20 && !optimized(f); ++i) {
        CHECK(run(s, name, {I32(n)}) == want);
        jit::finishTierUps(*s.store);
      }
      CHECK(optimized(f));
      CHECK(run(s, name, {I32(n)}) == want);  // (the optimized code's own entry)
    }
  }
}
