// tests/unit/exec/tierup_test.cpp -- the auto tier (jit/jit.h autoConfig): functions start in the interpreter, an
// instance is compiled by the JIT when one of its functions reaches the poll threshold (synchronously, or on the
// background compile thread and installed at a later poll on the store's thread), entries are swapped, and an
// interpreter frame of a function tiered up while it runs still finishes with the right result. Also: a store deleted
// with a compile in flight, the steady state (no slow polls once everything is installed), and the JIT tier's
// parallel compile giving the same code as one thread.
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

TEST_CASE("auto tier (synchronous): a function called often enough is tiered up; its entry changes at the threshold") {
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
  CHECK(s.i32("add1", {I32(41)}) == 42);  // the 10th poll tiers up the whole instance
  CHECK(add1->entry != interpreterEntry());
  CHECK(sum->entry != interpreterEntry());  // compiled with the instance, though never called
  CHECK(add1->hotness == kNoTierUp);
  CHECK(add1->jitCode != nullptr);
  CHECK(add1->code != nullptr);  // the interpreter's code stays
  CHECK(s.i32("add1", {I32(99)}) == 100);
  CHECK(s.i32("sum", {I32(100)}) == 5050);
  CHECK(s.store->context().tierUpActive == 0);  // everything installed: polls are cheap again
}

TEST_CASE("auto tier (background): the threshold starts a compile; finishTierUps installs it") {
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
  CHECK(sum->hotness == kNoTierUp);
  jit::finishTierUps(*s.store);
  CHECK(add1->entry != interpreterEntry());
  CHECK(sum->entry != interpreterEntry());
  CHECK(add1->jitCode != nullptr);
  CHECK(s.store->context().tierUpActive == 0);
  CHECK(s.i32("add1", {I32(99)}) == 100);
  CHECK(s.i32("sum", {I32(100)}) == 5050);
}

TEST_CASE("auto tier (background): the interpreter installs finished code by itself at a poll") {
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
  CHECK(s.store->context().tierUpActive == 0);
  CHECK(s.store->context().tierUpReady.load() == 0);
  CHECK(s.i32("add1", {I32(7)}) == 8);
}

TEST_CASE("auto tier (background): a long loop moves to the code installed while it runs (OSR), then polls are cheap") {
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
  const ExecContext& cx = s.store->context();
  CHECK(cx.tierUpActive == 0);
  CHECK(cx.interpActivations == 0);
  CHECK(!cx.osrHold);  // released with the last interpreter activation
}

TEST_CASE("auto tier (background): instances are counted until installed; another instance keeps polls slow") {
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
  CHECK(s.store->context().tierUpActive == 1);  // b's functions are still counted
  for (uint32_t i = 0; i < 5; ++i) CHECK(s.i32("sum", {I32(10)}, b) == 55);
  jit::finishTierUps(*s.store);
  CHECK(findExportedFunc(*b, "sum")->entry != interpreterEntry());
  CHECK(s.store->context().tierUpActive == 0);
}

TEST_CASE("auto tier (background): a store deleted while its compile runs or waits is safe") {
  if (!tierAvailable(Tier::Auto)) FAIL("auto tier not available on this build/CPU");
  const std::string big = bigModule(400);
  for (int round = 0; round < 4; ++round) {
    // several stores queue compiles; each dies at once (queued: dropped; running: waited for)
    std::vector<std::unique_ptr<Session>> sessions;
    for (int k = 0; k < 3; ++k) {
      auto sp = std::make_unique<Session>(autoTier(1, TierUpMode::Background));
      REQUIRE(sp->load(big) == "");
      CHECK(sp->i32("f5", {I32(3)}) != 0xDEADBEEF);  // the first poll starts the compile
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

TEST_CASE("jit tier: a parallel compile gives the same code as one thread") {
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

TEST_CASE("auto tier: a function tiered up inside its own loop finishes in the interpreter with the right result") {
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

TEST_CASE("auto tier: recursion tiered up with interpreter frames of the function on the stack") {
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
