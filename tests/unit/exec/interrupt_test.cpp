// tests/unit/exec/interrupt_test.cpp -- fuel and asynchronous interruption: runaway code (loops without calls, deep
// recursion without loops, tail-call loops) traps with "fuel exhausted" / "interrupted", finite code runs to
// completion, and the store stays usable afterwards. Interruption runs on every tier; fuel on the tiers that meter it
// (fuelTiers(): all of them).
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "exec_harness.h"

using namespace myrt;
using namespace myrt::test;

namespace {

const char* kRunaway = R"((module
  (func (export "spin") (loop $l (br $l)))
  (func (export "spin_if") (param i32) (result i32)
    (loop $l (local.set 0 (i32.add (local.get 0) (i32.const 1))) (br_if $l (i32.ne (local.get 0) (i32.const 0))))
    (local.get 0))
  (func (export "spin64") (param i64) (result i64)
    (loop $l (local.set 0 (i64.add (local.get 0) (i64.const 1))) (br_if $l (i64.gt_u (local.get 0) (i64.const 5))))
    (local.get 0))
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func $tail (export "tail") (param i32) (result i32) (return_call $tail (i32.add (local.get 0) (i32.const 1))))
  (func (export "count") (param i32) (result i32) (local i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get 0)))
      (local.set 1 (i32.add (local.get 1) (i32.const 3)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br $l)))
    (local.get 1))
))";

// Calls `name` while another thread requests an interrupt after `delay`; returns the trap message.
std::string callInterrupted(Session& s, std::string_view name, std::vector<Value> args,
                            std::chrono::milliseconds delay = std::chrono::milliseconds(30)) {
  auto handle = s.store->interruptHandle();
  std::thread t([handle, delay] {
    std::this_thread::sleep_for(delay);
    handle->request();
  });
  std::string msg = s.call(name, std::move(args));
  t.join();
  handle->clear();
  return msg;
}

std::vector<ExecTier> fuelTiers() { return tiers(); }  // every tier meters fuel

}  // namespace

TEST_CASE("fuel: runaway code traps with fuel exhausted", "[exec][fuel]") {
  for (const ExecTier& tier : fuelTiers()) {
    Session s(tier);
    REQUIRE(s.load(kRunaway) == "");
    s.store->setFuel(true, 100000);
    CHECK(s.call("spin", {}) == "fuel exhausted");
    CHECK_FALSE(s.lastTrap.backtrace.empty());
    s.store->setFuel(true, 100000);
    CHECK(s.call("spin_if", {I32(1)}) == "fuel exhausted");
    s.store->setFuel(true, 100000);
    CHECK(s.call("spin64", {I64(6)}) == "fuel exhausted");
    s.store->setFuel(true, 100000);
    CHECK(s.call("fib", {I32(40)}) == "fuel exhausted");  // no loops: charged at function entries
    s.store->setFuel(true, 100000);
    CHECK(s.call("tail", {I32(0)}) == "fuel exhausted");
  }
}

TEST_CASE("fuel: finite code completes and consumes about one unit per instruction", "[exec][fuel]") {
  for (const ExecTier& tier : fuelTiers()) {
    Session s(tier);
    REQUIRE(s.load(kRunaway) == "");
    // Tiers charge slightly different amounts for the same code; warm up first so that on the auto tier the measured
    // runs below all run the same (tiered-up) code.
    CHECK(s.i32("count", {I32(1000)}) == 3000);
    s.store->setFuel(true, 1'000'000);
    CHECK(s.i32("count", {I32(1000)}) == 3000);
    const int64_t used = 1'000'000 - s.store->context().fuel;
    CHECK(used >= 1000);    // at least one unit per iteration
    CHECK(used <= 20000);   // and about the loop's instruction count, not more
    // Too little fuel for the same work traps; enough lets it finish again.
    s.store->setFuel(true, used / 2);
    CHECK(s.call("count", {I32(1000)}) == "fuel exhausted");
    s.store->setFuel(true, used + 100);
    CHECK(s.i32("count", {I32(1000)}) == 3000);
    // Disabled: no limit.
    s.store->setFuel(false);
    CHECK(s.i32("count", {I32(100000)}) == 300000);
  }
}

TEST_CASE("interrupt: a flag set from another thread stops running code", "[exec][interrupt]") {
  for (const ExecTier& tier : tiers()) {
    StoreLimits limits;
    limits.maxCallDepth = 100000;
    Session s(tier, limits);
    REQUIRE(s.load(kRunaway) == "");
    SECTION("loop without calls") {
      CHECK(callInterrupted(s, "spin", {}) == "interrupted");
      CHECK_FALSE(s.lastTrap.backtrace.empty());
      CHECK(callInterrupted(s, "spin_if", {I32(1)}) == "interrupted");
      CHECK(callInterrupted(s, "spin64", {I64(6)}) == "interrupted");
    }
    SECTION("deep recursion without loops") {
      CHECK(callInterrupted(s, "fib", {I32(60)}) == "interrupted");
      CHECK(s.lastTrap.backtrace.size() > 1);
    }
    SECTION("tail-call loop") { CHECK(callInterrupted(s, "tail", {I32(0)}) == "interrupted"); }
    // Cleared flag: the store runs normally again.
    CHECK(s.i32("count", {I32(10)}) == 30);
    CHECK(s.i32("fib", {I32(15)}) == 610);
  }
}

TEST_CASE("interrupt: a flag already set traps at the next entry; clearing it resumes", "[exec][interrupt]") {
  for (const ExecTier& tier : tiers()) {
    Session s(tier);
    REQUIRE(s.load(kRunaway) == "");
    auto handle = s.store->interruptHandle();
    handle->request();
    CHECK(s.call("count", {I32(10)}) == "interrupted");
    CHECK(s.call("fib", {I32(10)}) == "interrupted");
    handle->clear();
    CHECK(s.i32("count", {I32(10)}) == 30);
  }
}
