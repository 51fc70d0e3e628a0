// tests/unit/exec/osr_test.cpp -- on-stack replacement on the auto tier (jit/jit.h, StoreConfig::osr): an interpreter
// frame at a loop back-edge of a function that was just tiered up continues in the function's JIT code at that loop's
// head (jit::osrEntries counts it), with the same results as the interpreter: loops with params and values below them
// (v128 too), nested loops, traps after OSR (backtrace with each frame once), fuel, interruption, call depth, and a
// frame called from another interpreter frame.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "exec_harness.h"

using namespace myrt;
using namespace myrt::test;

namespace {

// Function indices: 0 the import, then in order: sum 1, calls_sum 2, params 3, nested 4, divloop 5, calls_divloop 6,
// oobloop 7, calls_oobloop 8, depthloop 9, calls_depthloop 10, spin 11, hidden 12.
const char* kModule = R"((module
  (import "host" "depth" (func $depth (result i32)))
  (memory 1)
  (func $sum (export "sum") (param i32) (result i32) (local i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get 0)))
      (local.set 1 (i32.add (local.get 1) (local.get 0)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br $l)))
    (local.get 1))
  (func (export "calls_sum") (param i32) (result i32) (i32.add (call $sum (local.get 0)) (i32.const 1)))
  (func (export "params") (param $n i32) (result i64) (local $i i32) (local $acc i64)
    (v128.const i32x4 5 6 7 8)
    (i64.const 1000)
    (i32.const 0) (i64.const 0)
    (loop $l (param i32 i64) (result i32 i64)
      (local.set $acc) (local.set $i)
      (i32.add (local.get $i) (i32.const 1))
      (i64.add (local.get $acc) (i64.extend_i32_u (local.get $i)))
      (br_if $l (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $n))))
    (local.set $acc) (drop)
    (local.get $acc) (i64.add)
    (local.set $acc)
    (i64.extend_i32_u (i32x4.extract_lane 3))
    (local.get $acc) (i64.add))
  (func (export "nested") (param $n i32) (param $m i32) (result i32) (local $i i32) (local $j i32) (local $acc i32)
    (loop $outer
      (local.set $j (i32.const 0))
      (loop $inner
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 31)) (i32.xor (local.get $i) (local.get $j))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $inner (i32.lt_u (local.get $j) (local.get $m))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc))
  (func $divloop (param $n i32) (result i32) (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (drop (i32.div_u (i32.const 1) (i32.sub (local.get $n) (local.get $i))))
      (br $l))
    (i32.const 0))
  (func (export "calls_divloop") (param i32) (result i32) (i32.add (call $divloop (local.get 0)) (i32.const 1)))
  (func $oobloop (param $a i32) (result i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (i32.load (local.get $a))))
      (local.set $a (i32.add (local.get $a) (i32.const 4)))
      (br $l))
    (local.get $s))
  (func (export "calls_oobloop") (result i32) (call $oobloop (i32.const 0)))
  (func $depthloop (export "depthloop") (param $n i32) (result i32) (local $last i32)
    (loop $l
      (local.set $last (call $depth))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n)))
    (local.get $last))
  (func (export "calls_depthloop") (param i32) (result i32) (call $depthloop (local.get 0)))
  (func (export "spin") (loop $l (br $l)))
  (tag $t (param i32))
  ;; a legacy catch body (the interpreter keeps its exception in a hidden local below the operands), then a loop
  ;; with a value below it: OSR hands over the operands at the JIT's frame layout
  (func $hidden (export "hidden") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (local.set $s
      (try (result i32)
        (do (try (do (throw $t (i32.const 7))) (catch $t (drop (call $sum (i32.const 3))) (rethrow 0))) (unreachable))
        (catch $t)))
    (i32.add (i32.const 1000)
      (i32.mul (i32.const 3)
        (block (result i32)
          (loop $l
            (local.set $s (i32.add (local.get $s) (local.get $i)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
          (local.get $s)))))
))";

constexpr uint32_t kThreshold = 50;

// A session on the auto tier (threshold kThreshold, or on another tier) with the "host" module providing `depth`.
struct OsrSession : Session {
  explicit OsrSession(const ExecTier& tier) : Session(tier) {
    Instance* host = store->newInstance();
    host->name = "host";
    CompositeType ft;
    ft.kind = CompKind::Func;
    ft.results = {ValType::i32()};
    FuncInst* f = store->newHostFunc(std::move(ft), [](ExecContext& cx, std::span<const Value>, std::span<Value> r) {
      r[0] = Value::fromI32(cx.depth);
      return TrapReason::None;
    });
    host->funcs.push_back(f);
    host->exports.emplace("depth", Extern::of(f));
    registerAs("host", host);
    loadError = load(kModule);
  }
  FuncInst* func(uint32_t index) const { return last->funcs[index]; }
  uint64_t osr(uint32_t index) const { return jit::osrEntries(*func(index)); }
  void checkIdle() {
    CHECK(store->context().depth == 0);
    CHECK(store->context().sp == store->context().stackBase);
  }
  std::string loadError;
};


uint32_t nestedExpected(uint32_t n, uint32_t m) {
  uint32_t acc = 0;
  for (uint32_t i = 0; i < n; ++i)
    for (uint32_t j = 0; j < m; ++j) acc = acc * 31 + (i ^ j);
  return acc;
}

// Calls `name` while another thread requests an interrupt after 30 ms; returns the trap message.
std::string callInterrupted(Session& s, std::string_view name) {
  auto handle = s.store->interruptHandle();
  std::thread t([handle] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    handle->request();
  });
  std::string msg = s.call(name, {});
  t.join();
  handle->clear();
  return msg;
}

}  // namespace

TEST_CASE("osr: one call with a long loop continues in JIT code", "[exec][osr][jit]") {
  if (!tierAvailable(Tier::Auto)) FAIL("auto tier not available on this build/CPU");
  OsrSession s(autoTier(kThreshold));
  REQUIRE(s.loadError == "");
  CHECK(s.osr(1) == 0);
  CHECK(s.i32("sum", {I32(100000)}) == 5000050000u % (uint64_t(1) << 32));
  CHECK(s.func(1)->jitCode != nullptr);
  CHECK(s.osr(1) == 1);
  s.checkIdle();
  CHECK(s.i32("sum", {I32(1000)}) == 500500);  // now a call of the JIT code: no second OSR
  CHECK(s.osr(1) == 1);
}

TEST_CASE("osr: a frame called from an interpreter frame returns its results to it", "[exec][osr][jit]") {
  if (!tierAvailable(Tier::Auto)) FAIL("auto tier not available on this build/CPU");
  OsrSession s(autoTier(kThreshold));
  REQUIRE(s.loadError == "");
  CHECK(s.i32("calls_sum", {I32(100000)}) == uint32_t(5000050000u % (uint64_t(1) << 32)) + 1);
  CHECK(s.osr(1) == 1);
  CHECK(s.osr(2) == 0);  // the caller has no loop; its interpreter frame got the results
  s.checkIdle();
}

TEST_CASE("osr: loops with params and values (v128 too) below them", "[exec][osr][jit]") {
  if (!tierAvailable(Tier::Auto)) FAIL("auto tier not available on this build/CPU");
  for (uint32_t n : {10u, 200u, 5000u}) {
    OsrSession s(autoTier(kThreshold));
    REQUIRE(s.loadError == "");
    CHECK(s.i64("params", {I32(n)}) == 1000 + uint64_t(n) * (n - 1) / 2 + 8);
    CHECK(s.osr(3) == (n > kThreshold ? 1u : 0u));  // 10 iterations stay below the threshold
    s.checkIdle();
  }
}

TEST_CASE("osr: nested loops, entered at the inner or the outer loop", "[exec][osr][jit]") {
  if (!tierAvailable(Tier::Auto)) FAIL("auto tier not available on this build/CPU");
  // (n, m): the threshold is reached at an inner back-edge (m large) or at an outer one (m == 1: the inner loop
  // never branches back)
  for (auto [n, m] : {std::pair{40u, 1000u}, std::pair{3000u, 1u}, std::pair{500u, 7u}}) {
    OsrSession s(autoTier(kThreshold));
    REQUIRE(s.loadError == "");
    CHECK(s.i32("nested", {I32(n), I32(m)}) == nestedExpected(n, m));
    CHECK(s.osr(4) == 1);
    s.checkIdle();
  }
}

TEST_CASE("osr: a trap after OSR has each frame once in the backtrace", "[exec][osr][jit]") {
  if (!tierAvailable(Tier::Auto)) FAIL("auto tier not available on this build/CPU");
  {
    OsrSession s(autoTier(kThreshold));
    REQUIRE(s.loadError == "");
    CHECK(s.call("calls_divloop", {I32(10000)}) == "integer divide by zero");
    CHECK(s.osr(5) == 1);
    CHECK(s.lastTrap.backtrace == std::vector<uint32_t>{5, 6});
    s.checkIdle();
    CHECK(s.i32("sum", {I32(100)}) == 5050);  // the store stays usable
  }
  {  // a guard-page fault in the JIT code entered by OSR
    OsrSession s(autoTier(kThreshold));
    REQUIRE(s.loadError == "");
    CHECK(s.call("calls_oobloop", {}) == "out of bounds memory access");
    CHECK(s.osr(7) == 1);
    CHECK(s.lastTrap.backtrace == std::vector<uint32_t>{7, 8});
    s.checkIdle();
    CHECK(s.i32("sum", {I32(100)}) == 5050);
  }
}

TEST_CASE("osr: the frame counts once in the call depth after OSR, as on the JIT tier", "[exec][osr][jit]") {
  if (!tierAvailable(Tier::Auto)) FAIL("auto tier not available on this build/CPU");
  // (the interpreter counts a host call as a frame, JIT code does not: compare with what the JIT tier sees)
  OsrSession j(ExecTier{"jit", [](const StoreLimits& l) { return std::make_unique<Store>(jitConfig(l)); }});
  REQUIRE(j.loadError == "");
  const uint32_t direct = j.i32("depthloop", {I32(1000)}), nested = j.i32("calls_depthloop", {I32(1000)});
  CHECK(nested == direct + 1);
  OsrSession s(autoTier(kThreshold));
  REQUIRE(s.loadError == "");
  CHECK(s.i32("depthloop", {I32(1000)}) == direct);
  CHECK(s.osr(9) == 1);
  s.checkIdle();
  OsrSession s2(autoTier(kThreshold));
  REQUIRE(s2.loadError == "");
  CHECK(s2.i32("calls_depthloop", {I32(1000)}) == nested);
  CHECK(s2.osr(9) == 1);
  s2.checkIdle();
}

TEST_CASE("osr: fuel is charged before and after OSR", "[exec][osr][fuel][jit]") {
  if (!tierAvailable(Tier::Auto)) FAIL("auto tier not available on this build/CPU");
  {
    OsrSession s(autoTier(kThreshold));
    REQUIRE(s.loadError == "");
    s.store->setFuel(true, 10'000'000);
    CHECK(s.i32("sum", {I32(100000)}) == 5000050000u % (uint64_t(1) << 32));
    CHECK(s.osr(1) == 1);
    const int64_t used = 10'000'000 - s.store->context().fuel;
    CHECK(used >= 100000);  // at least one unit per iteration, interpreted or compiled
    CHECK(used < 5'000'000);
  }
  {
    OsrSession s(autoTier(kThreshold));
    REQUIRE(s.loadError == "");
    s.store->setFuel(true, 100000);
    CHECK(s.call("spin", {}) == "fuel exhausted");
    CHECK(s.osr(11) == 1);
    CHECK(s.lastTrap.backtrace == std::vector<uint32_t>{11});
    s.checkIdle();
  }
}

TEST_CASE("osr: an interrupt stops a loop that continued in JIT code", "[exec][osr][jit]") {
  if (!tierAvailable(Tier::Auto)) FAIL("auto tier not available on this build/CPU");
  OsrSession s(autoTier(kThreshold));
  REQUIRE(s.loadError == "");
  CHECK(callInterrupted(s, "spin") == "interrupted");
  CHECK(s.osr(11) == 1);
  CHECK(s.lastTrap.backtrace == std::vector<uint32_t>{11});
  s.checkIdle();
}

TEST_CASE("osr: every tier computes the same results (interp and jit never OSR)", "[exec][osr]") {
  for (const ExecTier& tier : tiers()) {
    INFO(tier.name);
    OsrSession s(tier);
    REQUIRE(s.loadError == "");
    CHECK(s.i32("nested", {I32(300), I32(9)}) == nestedExpected(300, 9));
    CHECK(s.i64("params", {I32(777)}) == 1000 + uint64_t(777) * 776 / 2 + 8);
    CHECK(s.call("calls_divloop", {I32(500)}) == "integer divide by zero");
    CHECK(s.lastTrap.backtrace == std::vector<uint32_t>{5, 6});
    if (tier.name != "auto") CHECK(s.osr(4) == 0);
    s.checkIdle();
  }
}

TEST_CASE("osr: operands of a frame with hidden locals (a legacy catch body) move to the JIT's layout",
          "[exec][osr][jit]") {
  if (!tierAvailable(Tier::Auto)) FAIL("auto tier not available on this build/CPU");
  OsrSession s(autoTier(kThreshold));
  REQUIRE(s.loadError == "");
  CHECK(s.i32("hidden", {I32(100000)}) == uint32_t(1000 + 3 * (7 + uint64_t(99999) * 100000 / 2)));
  CHECK(s.osr(12) == 1);
  s.checkIdle();
}
