// tests/unit/exec/tierup_test.cpp -- the auto tier (jit/jit.h autoConfig): functions start in the interpreter, a
// function is compiled by the JIT when it reaches the poll threshold -- that function only (synchronously, or on the
// background compile thread and installed at a later poll on the store's thread), entries are swapped, and an
// interpreter frame of a function tiered up while it runs still finishes with the right result. Functions that never
// get hot are never compiled; calls between compiled and interpreted functions (direct, indirect, call_ref, tail
// calls) and traps across them are right. Also: a store deleted with a compile in flight, the steady state (no slow
// polls once everything is installed), and the JIT tier's parallel compile giving the same code as one thread.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "exec_harness.h"

using namespace myrt;
using namespace myrt::test;

namespace {

const char* kModule = R"((module
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
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
))";

// A module with `n` functions of some size that call each other (for compile time and the parallel compile).
std::string bigModule(unsigned n) {
  std::string w = "(module (memory 1) (global $g (mut i32) (i32.const 0))\n";
  for (unsigned i = 0; i < n; ++i) {
    w += "(func $f" + std::to_string(i) + " (export \"f" + std::to_string(i) + "\") (param i32) (result i32) (local i32)\n";
    w += "  (local.set 1 (local.get 0))\n";
    for (unsigned k = 0; k < 6 + i % 7; ++k)
      w += "  (local.set 1 (i32.add (i32.mul (local.get 1) (i32.const " + std::to_string(k + i) +
           ")) (i32.load offset=" + std::to_string(4 * k) + " (i32.and (local.get 1) (i32.const 1020)))))\n";
    w += "  (global.set $g (i32.xor (global.get $g) (local.get 1)))\n";
    if (i > 0) w += "  (if (i32.eqz (local.get 0)) (then (return (call $f" + std::to_string(i - 1) + " (i32.const 1)))))\n";
    w += "  (local.get 1))\n";
  }
  return w + ")";
}

}  // namespace

TEST_CASE("auto tier (synchronous): a function called often enough is tiered up; its entry changes at the threshold", "[jit]") {
  if (!tierAvailable(Tier::Auto)) FAIL("auto tier not available on this build/CPU");
  Session s(autoTier(10, TierUpMode::Synchronous));
  REQUIRE(s.load(kModule) == "");
  FuncInst* add1 = findExportedFunc(*s.last, "add1");
  FuncInst* sum = findExportedFunc(*s.last, "sum");
  REQUIRE(add1);
  REQUIRE(sum);
  // add1 has no loop: one poll (its entry) per call
  for (uint32_t i = 0; i < 9; ++i) {
    CHECK(s.i32("add1", {I32(i)}) == i + 1);
    CHECK(add1->entry == interpreterEntry());
    CHECK(add1->hotness == i + 1);
  }
  CHECK(sum->entry == interpreterEntry());
  CHECK(s.i32("add1", {I32(41)}) == 42);  // the 10th poll tiers up add1
  CHECK(add1->entry != interpreterEntry());
  CHECK(sum->entry == interpreterEntry());  // never called: not compiled
  CHECK(sum->jitCode == nullptr);
  CHECK(sum->code == nullptr);              // nor lowered for the interpreter
  CHECK(s.store->jitCompiledFuncs == 1);
  CHECK(add1->hotness == kNoTierUp);
  CHECK(add1->jitCode != nullptr);
  CHECK(add1->code != nullptr);  // the interpreter's code stays
  CHECK(s.i32("add1", {I32(99)}) == 100);
  CHECK(s.i32("sum", {I32(100)}) == 5050);  // 100 back-edges: hot in its first call
  CHECK(sum->entry != interpreterEntry());
  CHECK(s.store->jitCompiledFuncs == 2);
  CHECK(s.store->context().tierUpActive == 1);  // loop_calls and fib are still counted
  CHECK(s.i32("fib", {I32(10)}) == 55);         // 177 calls: fib compiles at its 10th entry
  CHECK(s.i32("loop_calls", {I32(20)}) == 20);  // 20 back-edges
  CHECK(s.store->jitCompiledFuncs == 4);
  CHECK(s.store->context().tierUpActive == 0);  // every function installed: polls are cheap again
}

TEST_CASE("auto tier (background): the threshold starts a compile; finishTierUps installs it", "[jit]") {
  if (!tierAvailable(Tier::Auto)) FAIL("auto tier not available on this build/CPU");
  Session s(autoTier(10, TierUpMode::Background));
  REQUIRE(s.load(kModule) == "");
  FuncInst* add1 = findExportedFunc(*s.last, "add1");
  FuncInst* sum = findExportedFunc(*s.last, "sum");
  REQUIRE(add1);
  REQUIRE(sum);
  CHECK(s.store->context().tierUpActive == 1);  // one instance counted
  for (uint32_t i = 0; i < 9; ++i) CHECK(s.i32("add1", {I32(i)}) == i + 1);
  CHECK(add1->hotness == 9);
  CHECK(add1->entry == interpreterEntry());
  CHECK(s.i32("add1", {I32(41)}) == 42);  // the 10th poll submits the compile; the call finishes meanwhile
  CHECK(add1->hotness == kNoTierUp);
  CHECK(sum->hotness == 0);
  jit::finishTierUps(*s.store);
  CHECK(add1->entry != interpreterEntry());
  CHECK(sum->entry == interpreterEntry());  // never called: never compiled
  CHECK(add1->jitCode != nullptr);
  CHECK(s.store->jitCompiledFuncs == 1);
  CHECK(s.store->context().tierUpActive == 1);
  CHECK(s.i32("add1", {I32(99)}) == 100);
  CHECK(s.i32("sum", {I32(100)}) == 5050);
  jit::finishTierUps(*s.store);
  CHECK(sum->entry != interpreterEntry());
  CHECK(s.store->jitCompiledFuncs == 2);
}

TEST_CASE("auto tier (background): the interpreter installs finished code by itself at a poll", "[jit]") {
  if (!tierAvailable(Tier::Auto)) FAIL("auto tier not available on this build/CPU");
  Session s(autoTier(3, TierUpMode::Background));
  REQUIRE(s.load(kModule) == "");
  FuncInst* add1 = findExportedFunc(*s.last, "add1");
  REQUIRE(add1);
  // keep calling (each call polls at its entry) until the compile thread is done and a poll installed the code
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  uint32_t calls = 0;
  while (add1->entry == interpreterEntry() && std::chrono::steady_clock::now() < deadline) {
    REQUIRE(s.i32("add1", {I32(calls)}) == calls + 1);
    if (++calls > 3) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  CHECK(add1->entry != interpreterEntry());
  CHECK(calls >= 3);
  CHECK(s.store->context().tierUpActive == 1);  // the other functions are still counted
  CHECK(s.store->context().tierUpReady.load() == 0);
  CHECK(s.i32("add1", {I32(7)}) == 8);
}

TEST_CASE("auto tier (background): a long loop moves to the code installed while it runs (OSR), then polls are cheap", "[jit]") {
  if (!tierAvailable(Tier::Auto)) FAIL("auto tier not available on this build/CPU");
  if (!osrEnabled()) FAIL("MYRT_OSR=0 is set: this test needs on-stack replacement");
  Session s(autoTier(50, TierUpMode::Background));
  REQUIRE(s.load(kModule) == "");
  FuncInst* loop = findExportedFunc(*s.last, "loop_calls");
  REQUIRE(loop);
  // add1 gets hot first; the install happens at a later poll (add1's entry or the loop's back-edge) while this
  // interpreter frame runs: osrHold keeps the back-edge polls slow, so the frame moves to the JIT code
  CHECK(s.i32("loop_calls", {I32(20'000'000)}) == 20'000'000u);
  CHECK(loop->entry != interpreterEntry());
  CHECK(jit::osrEntries(*loop) == 1);
  CHECK(s.store->jitCompiledFuncs == 2);  // loop_calls and add1; sum and fib never ran
  const ExecContext& cx = s.store->context();
  CHECK(cx.tierUpActive == 1);  // sum and fib are still counted
  CHECK(cx.interpActivations == 0);
  CHECK(!cx.osrHold);  // released with the last interpreter activation
}

TEST_CASE("auto tier (background): functions of each instance compile on their own; instances stay counted", "[jit]") {
  if (!tierAvailable(Tier::Auto)) FAIL("auto tier not available on this build/CPU");
  Session s(autoTier(5, TierUpMode::Background));
  Instance* a = nullptr;
  Instance* b = nullptr;
  REQUIRE(s.load(kModule, &a) == "");
  REQUIRE(s.load(kModule, &b) == "");
  CHECK(s.store->context().tierUpActive == 2);
  for (uint32_t i = 0; i < 5; ++i) CHECK(s.i32("add1", {I32(i)}, a) == i + 1);
  jit::finishTierUps(*s.store);
  CHECK(findExportedFunc(*a, "add1")->entry != interpreterEntry());
  CHECK(findExportedFunc(*b, "add1")->entry == interpreterEntry());
  CHECK(findExportedFunc(*a, "sum")->entry == interpreterEntry());
  CHECK(s.store->context().tierUpActive == 2);  // both instances have functions still counted
  for (uint32_t i = 0; i < 5; ++i) CHECK(s.i32("sum", {I32(10)}, b) == 55);
  jit::finishTierUps(*s.store);
  CHECK(findExportedFunc(*b, "sum")->entry != interpreterEntry());
  CHECK(findExportedFunc(*b, "add1")->entry == interpreterEntry());
  CHECK(s.store->jitCompiledFuncs == 2);
}

TEST_CASE("auto tier (background): a store deleted while its compile runs or waits is safe", "[jit]") {
  if (!tierAvailable(Tier::Auto)) FAIL("auto tier not available on this build/CPU");
  const std::string big = bigModule(400);
  for (int round = 0; round < 4; ++round) {
    // several stores queue compiles; each dies at once (queued: dropped; running: waited for)
    std::vector<std::unique_ptr<Session>> sessions;
    for (int k = 0; k < 3; ++k) {
      auto sp = std::make_unique<Session>(autoTier(1, TierUpMode::Background));
      REQUIRE(sp->load(big) == "");
      for (int f = 0; f < 400; f += 2) {  // each first call queues its function: a long queue of batches
        std::string name = std::to_string(f);
        name.insert(name.begin(), 'f');
        CHECK(sp->i32(name, {I32(3)}) != 0xDEADBEEF);
      }
      CHECK(sp->store->context().tierUpActive == 1);
      sessions.push_back(std::move(sp));
    }
    if (round % 2) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    sessions.clear();
  }
  // the compile thread still works for a new store
  Session s(autoTier(1, TierUpMode::Background));
  REQUIRE(s.load(kModule) == "");
  CHECK(s.i32("add1", {I32(1)}) == 2);
  jit::finishTierUps(*s.store);
  CHECK(findExportedFunc(*s.last, "add1")->entry != interpreterEntry());
}

TEST_CASE("jit tier: a parallel compile gives the same code as one thread", "[jit]") {
  if (!tierAvailable(Tier::Jit)) FAIL("jit tier not available on this build/CPU");
  Session s(ExecTier{"interp", [](const StoreLimits& l) { return std::make_unique<Store>(interpreterConfig(l)); }});
  const std::string big = bigModule(600);
  REQUIRE(s.load(big) == "");
  uint64_t bodyBytes = 0;
  for (uint32_t i = s.last->module->numImportedFuncs; i < s.last->module->funcs.size(); ++i)
    bodyBytes += s.last->module->funcs[i].body.size;
  REQUIRE(bodyBytes >= kParallelCompileMinBytes);  // large enough to be split
  const std::vector<uint8_t> one = jit::compiledBytes(*s.last, 1);
  REQUIRE(one.size() > bodyBytes);
  CHECK(jit::compiledBytes(*s.last, 2) == one);
  CHECK(jit::compiledBytes(*s.last, 5) == one);
  // and a JIT store compiling on several threads runs it
  StoreConfig c = jitConfig();
  c.compileJobs = 3;
  Session j(ExecTier{"jit", [c](const StoreLimits&) { return std::make_unique<Store>(c); }});
  REQUIRE(j.load(big) == "");
  CHECK(j.i32("f599", {I32(0)}) == s.i32("f599", {I32(0)}));
  CHECK(findExportedFunc(*j.last, "f300")->jitCode != nullptr);
}

TEST_CASE("auto tier: a function tiered up inside its own loop finishes in the interpreter with the right result", "[jit]") {
  if (!tierAvailable(Tier::Auto)) FAIL("auto tier not available on this build/CPU");
  Session s(autoTier(50, TierUpMode::Synchronous));
  REQUIRE(s.load(kModule) == "");
  FuncInst* sum = findExportedFunc(*s.last, "sum");
  REQUIRE(sum);
  CHECK(sum->entry == interpreterEntry());
  // one call: the loop's back-edge polls reach 50 after ~49 iterations, while this interpreter frame runs
  CHECK(s.i32("sum", {I32(1000)}) == 500500);
  CHECK(sum->entry != interpreterEntry());
  CHECK(s.i32("sum", {I32(1000)}) == 500500);  // now on the JIT
}

TEST_CASE("auto tier: recursion tiered up with interpreter frames of the function on the stack", "[jit]") {
  if (!tierAvailable(Tier::Auto)) FAIL("auto tier not available on this build/CPU");
  Session s(autoTier(20, TierUpMode::Synchronous));
  REQUIRE(s.load(kModule) == "");
  FuncInst* fib = findExportedFunc(*s.last, "fib");
  REQUIRE(fib);
  // fib(20): the 20th entry tiers up while ~5 interpreter frames of fib are live; they return through the
  // interpreter, their later calls go to the JIT code
  CHECK(s.i32("fib", {I32(20)}) == 6765);
  CHECK(fib->entry != interpreterEntry());
  CHECK(s.i32("fib", {I32(20)}) == 6765);
}

TEST_CASE("auto tier: a store without tier-up counts nothing") {
  Session s(ExecTier{"interp", [](const StoreLimits& l) { return std::make_unique<Store>(interpreterConfig(l)); }});
  REQUIRE(s.load(kModule) == "");
  FuncInst* add1 = findExportedFunc(*s.last, "add1");
  for (uint32_t i = 0; i < 5; ++i) CHECK(s.i32("add1", {I32(i)}) == i + 1);
  CHECK(add1->hotness == 0);
  CHECK(add1->entry == interpreterEntry());
}

TEST_CASE("auto tier: MYRT_TIER_UP_THRESHOLD unset or invalid gives the documented default") {
  // (the test environment does not set it: ctest runs unit tests without it)
  const char* e = std::getenv("MYRT_TIER_UP_THRESHOLD");
  if (!e) CHECK(defaultTierUpThreshold() == kDefaultTierUpThreshold);
  CHECK(autoConfig({}, 7).tierUpThreshold == 7);
}

namespace {

// Calls from each kind of call site to $leaf, which traps (unreachable for 0, an out-of-bounds load -- a guard-page
// fault -- for 1) or returns its argument + 1. A caller's second parameter 0 skips the call (to make the caller hot
// without running $leaf).
const char* kMixed = R"((module
  (type $t (func (param i32) (result i32)))
  (memory 1)
  (table $tab 1 funcref) (elem (table $tab) (i32.const 0) func $leaf)
  (elem declare func $leaf)
  (func $leaf (export "leaf") (param i32) (result i32)
    (if (i32.eqz (local.get 0)) (then unreachable))
    (if (i32.eq (local.get 0) (i32.const 1)) (then (drop (i32.load (i32.const 70000)))))
    (i32.add (local.get 0) (i32.const 1)))
  (func (export "direct") (param i32 i32) (result i32)
    (if (result i32) (local.get 1) (then (call $leaf (local.get 0))) (else (i32.const -1))))
  (func (export "indirect") (param i32 i32) (result i32)
    (if (result i32) (local.get 1) (then (call_indirect (type $t) (local.get 0) (i32.const 0))) (else (i32.const -1))))
  (func (export "ref") (param i32 i32) (result i32)
    (if (result i32) (local.get 1) (then (call_ref $t (local.get 0) (ref.func $leaf))) (else (i32.const -1))))
  (func (export "tail") (param i32 i32) (result i32)
    (if (local.get 1) (then (return_call $leaf (local.get 0)))) (i32.const -1))
  (func (export "tail_indirect") (param i32 i32) (result i32)
    (if (local.get 1) (then (return_call_indirect (type $t) (local.get 0) (i32.const 0)))) (i32.const -1))
  (func (export "tail_ref") (param i32 i32) (result i32)
    (if (local.get 1) (then (return_call_ref $t (local.get 0) (ref.func $leaf)))) (i32.const -1))
  (func (export "outer") (param i32) (result i32) (call $direct2 (local.get 0)))
  (func $direct2 (param i32) (result i32) (call $leaf (local.get 0)))
))";

using Outcome = CallOutcome;
Outcome run(Session& s, const std::string& name, std::vector<Value> args) { return callOutcome(s, name, std::move(args)); }

}  // namespace

TEST_CASE("auto tier: calls between JIT and interpreted functions, every kind, with traps and backtraces", "[jit]") {
  if (!tierAvailable(Tier::Auto)) FAIL("auto tier not available on this build/CPU");
  constexpr uint32_t kT = 4;
  Session ref(ExecTier{"interp", [](const StoreLimits& l) { return std::make_unique<Store>(interpreterConfig(l)); }});
  REQUIRE(ref.load(kMixed) == "");
  for (const char* caller : {"direct", "indirect", "ref", "tail", "tail_indirect", "tail_ref"}) {
    INFO(caller);
    // what the interpreter gives: a result, a trap in $leaf, a guard-page fault in $leaf
    std::vector<Outcome> want;
    for (uint32_t a : {5u, 0u, 1u}) want.push_back(run(ref, caller, {I32(a), I32(1)}));
    REQUIRE(want[0].value == 6);
    REQUIRE(want[1].trap == "unreachable");
    REQUIRE(want[2].trap == "out of bounds memory access");
    auto check = [&](Session& s) {
      size_t i = 0;
      for (uint32_t a : {5u, 0u, 1u}) {
        INFO("argument " << a);
        CHECK(run(s, caller, {I32(a), I32(1)}) == want[i++]);
      }
    };
    {
      // JIT caller -> interpreted callee, then -> a callee compiled later in its own block
      Session s(autoTier(kT, TierUpMode::Synchronous));
      REQUIRE(s.load(kMixed) == "");
      FuncInst* c = findExportedFunc(*s.last, caller);
      FuncInst* leaf = findExportedFunc(*s.last, "leaf");
      for (uint32_t i = 0; i < kT; ++i) CHECK(s.i32(caller, {I32(5), I32(0)}) == 0xFFFFFFFFu);
      REQUIRE(c->jitCode != nullptr);
      REQUIRE(leaf->code == nullptr);  // never ran
      check(s);
      CHECK(leaf->jitCode == nullptr);  // three calls: still below the threshold
      CHECK(s.store->context().tierCalls.interp >= 3);
      while (!leaf->jitCode && leaf->hotness != kNoTierUp) CHECK(s.i32("leaf", {I32(7)}) == 8);
      REQUIRE(leaf->jitCode != nullptr);
      check(s);
      CHECK(s.store->jitCompiledFuncs == 2);
    }
    {
      // interpreted caller -> JIT callee
      Session s(autoTier(kT, TierUpMode::Synchronous));
      REQUIRE(s.load(kMixed) == "");
      FuncInst* c = findExportedFunc(*s.last, caller);
      FuncInst* leaf = findExportedFunc(*s.last, "leaf");
      for (uint32_t i = 0; i < kT; ++i) CHECK(s.i32("leaf", {I32(i + 2)}) == i + 3);
      REQUIRE(leaf->jitCode != nullptr);
      const uint64_t entries = s.store->context().tierCalls.jitEntries;
      check(s);
      CHECK(c->jitCode == nullptr);
      CHECK(s.store->context().tierCalls.jitEntries >= entries + 3);  // the callee ran as JIT code
      CHECK(s.store->jitCompiledFuncs == 1);
    }
  }
  // a chain JIT -> interpreter -> JIT: outer and leaf hot, direct2 (between them) interpreted
  Session s(autoTier(kT, TierUpMode::Synchronous));
  REQUIRE(s.load(kMixed) == "");
  for (uint32_t i = 0; i < kT; ++i) CHECK(s.i32("leaf", {I32(i + 2)}) == i + 3);
  for (uint32_t i = 0; i < kT; ++i) CHECK(s.i32("outer", {I32(5)}) == 6);  // direct2 gets hot here too
  FuncInst* direct2 = s.last->funcs[s.last->module->numImportedFuncs + 8];
  REQUIRE(direct2->index == 8);
  CHECK(direct2->jitCode != nullptr);
  CHECK(run(s, "outer", {I32(0)}) == run(ref, "outer", {I32(0)}));
  CHECK(run(s, "outer", {I32(1)}) == run(ref, "outer", {I32(1)}));
}

TEST_CASE("auto tier: a long function without loops is hot at its first entry and runs that call as JIT code") {
  if (!tierAvailable(Tier::Auto)) FAIL("auto tier not available on this build/CPU");
  // 4000 additions in straight-line code: the entry poll stands for thousands of ops (pollSlow: one more count per
  // 256 of them), so one call reaches a threshold of 10; a short function needs 10 calls
  std::string w = "(module (func (export \"long\") (param i32) (result i32)\n";
  for (int i = 0; i < 4000; ++i) w += "  (local.set 0 (i32.add (local.get 0) (i32.const 1)))\n";
  w += "  (local.get 0))\n  (func (export \"short\") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))";
  Session s(autoTier(10, TierUpMode::Synchronous));
  REQUIRE(s.load(w) == "");
  FuncInst* longF = findExportedFunc(*s.last, "long");
  FuncInst* shortF = findExportedFunc(*s.last, "short");
  CHECK(s.i32("long", {I32(5)}) == 4005);
  CHECK(longF->jitCode != nullptr);
  CHECK(s.store->context().tierCalls.jitEntries == 1);  // the first call itself ran in the JIT code
  CHECK(s.i32("short", {I32(5)}) == 6);
  CHECK(shortF->jitCode == nullptr);
  CHECK(shortF->hotness == 1);
}

TEST_CASE("jit tier: code larger than the block's first estimate grows the block (mremap) and runs") {
  if (!tierAvailable(Tier::Jit)) FAIL("jit tier not available on this build/CPU");
  // i32.div_s with its trap checks expands ~10x; the block is first mapped at 4 bytes per wasm byte + 512
  std::string w = "(module (func (export \"f\") (param i32 i32) (result i32)\n";
  for (int i = 0; i < 3000; ++i) w += "  (local.set 0 (i32.div_s (local.get 0) (local.get 1)))\n";
  w += "  (local.get 0)))";
  Session s(ExecTier{"interp", [](const StoreLimits& l) { return std::make_unique<Store>(interpreterConfig(l)); }});
  REQUIRE(s.load(w) == "");
  const uint64_t body = s.last->module->funcs[0].body.size;
  const std::vector<uint8_t> one = jit::compiledBytes(*s.last, 1);
  REQUIRE(one.size() > 2 * (4 * body + 512 + 64));  // grown at least twice
  CHECK(jit::compiledBytes(*s.last, 2) == one);
  Session j(ExecTier{"jit", [](const StoreLimits& l) { return std::make_unique<Store>(jitConfig(l)); }});
  REQUIRE(j.load(w) == "");
  CHECK(j.i32("f", {I32(1000), I32(1)}) == 1000);
  CHECK(findExportedFunc(*j.last, "f")->jitCode != nullptr);
  CHECK(j.call("f", {I32(7), I32(0)}) == "integer divide by zero");
  CHECK(j.lastTrap.backtrace.size() == 1);
}
