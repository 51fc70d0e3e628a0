// tests/unit/exec/atomics_test.cpp -- the threads proposal on every tier: atomic rmw/cmpxchg results (narrow forms
// wrap and zero-extend), alignment and bounds traps, wait/notify results and traps, and two stores on two threads
// sharing one shared memory: a counter incremented with atomic.rmw.add from both (exact total), and a waiter woken
// by a notify from the other store.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "exec_harness.h"
#include "runtime/semantics/atomic.h"

using namespace myrt;
using namespace myrt::test;

namespace {

// count(addr, n): n atomic increments of the i32 at addr (in both stores' modules).
const std::string kCountFunc = R"(
  (func (export "count") (param i32 i32) (local i32)
    (loop $l
      (drop (i32.atomic.rmw.add (local.get 0) (i32.const 1)))
      (local.set 2 (i32.add (local.get 2) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get 2) (local.get 1)))))
)";

const std::string kAtomics = R"((module
  (memory (export "mem") 1 1 shared)
  (func (export "rmw8") (param i32) (result i32) (i32.atomic.rmw8.add_u (i32.const 3) (local.get 0)))
  (func (export "load8") (result i32) (i32.atomic.load8_u (i32.const 3)))
  (func (export "xchg64") (param i64) (result i64) (i64.atomic.rmw.xchg (i32.const 16) (local.get 0)))
  (func (export "cmpxchg16") (param i64 i64) (result i64)
    (i64.atomic.rmw16.cmpxchg_u (i32.const 32) (local.get 0) (local.get 1)))
  (func (export "load16") (result i64) (i64.atomic.load16_u (i32.const 32)))
  (func (export "sub") (param i32) (result i32) (i32.atomic.rmw.sub (i32.const 40) (local.get 0)))
  (func (export "and_or_xor") (result i32)
    (i32.atomic.store (i32.const 44) (i32.const 0xF0F0))
    (drop (i32.atomic.rmw.and (i32.const 44) (i32.const 0xFF00)))
    (drop (i32.atomic.rmw.or (i32.const 44) (i32.const 0x000F)))
    (drop (i32.atomic.rmw.xor (i32.const 44) (i32.const 0x0101)))
    (atomic.fence)
    (i32.atomic.load (i32.const 44)))
  (func (export "unaligned") (result i32) (i32.atomic.rmw16.add_u (i32.const 1) (i32.const 1)))
  (func (export "oob") (result i64) (i64.atomic.load offset=65536 (i32.const 0)))
  (func (export "wait32") (param i32 i32 i64) (result i32)
    (memory.atomic.wait32 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "wait64") (param i32 i64 i64) (result i32)
    (memory.atomic.wait64 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "notify") (param i32 i32) (result i32) (memory.atomic.notify (local.get 0) (local.get 1)))
  (func (export "add") (param i32) (result i32) (i32.atomic.rmw.add (local.get 0) (i32.const 1))))" + kCountFunc + ")";

const char* kUnshared = R"((module (memory 1 1)
  (func (export "wait") (result i32) (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const 0)))
  (func (export "notify") (result i32) (memory.atomic.notify (i32.const 0) (i32.const 5)))
  (func (export "add") (result i32) (i32.atomic.rmw.add (i32.const 0) (i32.const 7)))
))";

// A second store's module importing the first store's shared memory.
const std::string kImporter = R"((module (memory (import "owner" "mem") 1 1 shared)
  (func (export "wait32") (param i32 i32 i64) (result i32)
    (memory.atomic.wait32 (local.get 0) (local.get 1) (local.get 2))))" + kCountFunc + ")";

}  // namespace

TEST_CASE("atomics: results, wrapping, traps", "[exec][atomics]") {
  for (const ExecTier& tier : tiers()) {
    SECTION(tier.name) {
      Session s(tier);
      REQUIRE(s.load(kAtomics) == "");
      CHECK(s.i32("rmw8", {I32(0x1FF)}) == 0);  // old value; the operand wraps to 0xFF
      CHECK(s.i32("load8") == 0xFF);
      CHECK(s.i32("rmw8", {I32(2)}) == 0xFF);  // 0xFF + 2 wraps to 1 in the byte
      CHECK(s.i32("load8") == 1);
      CHECK(s.i64("xchg64", {I64(0x1122334455667788ull)}) == 0);
      CHECK(s.i64("xchg64", {I64(1)}) == 0x1122334455667788ull);
      CHECK(s.i64("cmpxchg16", {I64(0x10000), I64(0xABCD)}) == 0);  // expected wraps to 0: replaced
      CHECK(s.i64("load16") == 0xABCD);
      CHECK(s.i64("cmpxchg16", {I64(1), I64(5)}) == 0xABCD);  // mismatch: unchanged
      CHECK(s.i64("load16") == 0xABCD);
      CHECK(s.i32("sub", {I32(1)}) == 0);
      CHECK(s.i32("sub", {I32(1)}) == 0xFFFFFFFFu);
      CHECK(s.i32("and_or_xor") == (((0xF0F0u & 0xFF00u) | 0xFu) ^ 0x101u));
      CHECK(s.call("unaligned", {}) == "unaligned atomic");
      CHECK(s.call("oob", {}) == "out of bounds memory access");
      CHECK(s.i32("wait32", {I32(8), I32(1), I64(0)}) == semantics::kWaitNotEqual);
      CHECK(s.i32("wait32", {I32(8), I32(0), I64(1000000)}) == semantics::kWaitTimedOut);  // 1 ms
      CHECK(s.i32("wait64", {I32(16), I64(1), I64(0)}) == semantics::kWaitTimedOut);
      CHECK(s.call("wait64", {I32(4), I64(0), I64(0)}) == "unaligned atomic");
      CHECK(s.call("wait32", {I32(65536), I32(0), I64(0)}) == "out of bounds memory access");
      CHECK(s.i32("notify", {I32(0), I32(10)}) == 0);  // nobody waits

      Session u(tier);
      REQUIRE(u.load(kUnshared) == "");
      CHECK(u.call("wait", {}) == "expected shared memory");
      CHECK(u.i32("notify") == 0);
      CHECK(u.i32("add") == 0);  // atomics work on unshared memories too
      CHECK(u.i32("add") == 7);
    }
  }
}

TEST_CASE("atomics: a shared memory between two stores on two threads", "[exec][atomics][threads]") {
  for (const ExecTier& tier : tiers()) {
    SECTION(tier.name) {
      Session owner(tier), other(tier);
      REQUIRE(owner.load(kAtomics) == "");
      other.store->registered["owner"] = owner.last;  // the import resolves to the owner's MemoryInst
      REQUIRE(other.load(kImporter) == "");

      // A counter incremented 20,000 times from each side at once: exactly 40,000 (atomic read-modify-write).
      constexpr uint32_t kN = 20000;
      std::string err;
      std::thread t([&] { err = other.call("count", {I32(64), I32(kN)}); });
      CHECK(owner.call("count", {I32(64), I32(kN)}) == "");
      t.join();
      CHECK(err == "");
      CHECK(owner.i32("add", {I32(64)}) == 2 * kN);

      // A waiter in the other store, woken by a notify from the owner.
      uint32_t woke = 99;
      std::thread w([&] { woke = other.i32("wait32", {I32(128), I32(0), I64(-1)}); });
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      while (semantics::atomicWaiterCount() == 0 && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      REQUIRE(semantics::atomicWaiterCount() == 1);
      CHECK(owner.i32("notify", {I32(128), I32(5)}) == 1);
      w.join();
      CHECK(woke == semantics::kWaitOk);
      CHECK(semantics::atomicWaiterCount() == 0);
    }
  }
}

// memory.grow of one shared memory from two stores on two threads at once: every grow gets a distinct old size (the
// growth is serialized), none is lost, the base never moves, and each thread's new pages are usable at once by the
// other (it stores into the page its grow returned, the owner reads them all back after the join).
TEST_CASE("atomics: a shared memory grown from two threads at once", "[exec][atomics][threads]") {
  const std::string kGrower = R"(
    (func (export "grow") (param i32) (result i32) (local i32 i32)
      ;; n grows of one page; store the new page's index at its first word; return the sum of the old sizes
      (loop $l
        (local.set 2 (memory.grow (i32.const 1)))
        (if (i32.lt_s (local.get 2) (i32.const 0)) (then (unreachable)))
        (i32.atomic.store (i32.shl (local.get 2) (i32.const 16)) (local.get 2))
        (local.set 1 (i32.add (local.get 1) (local.get 2)))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br_if $l (local.get 0)))
      (local.get 1))
    (func (export "size") (result i32) (memory.size))
    (func (export "check") (param i32) (result i32) (local i32)
      ;; the number of pages 1..n-1 whose first word holds their index
      (local.set 1 (i32.const 1))
      (loop $l
        (if (i32.eq (i32.load (i32.shl (local.get 1) (i32.const 16))) (local.get 1))
          (then (local.set 0 (i32.sub (local.get 0) (i32.const 1)))))
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get 1) (memory.size))))
      (local.get 0)))";
  for (const ExecTier& tier : tiers()) {
    SECTION(tier.name) {
      Session owner(tier), other(tier);
      REQUIRE(owner.load(R"((module (memory (export "mem") 1 400 shared))" + kGrower + ")") == "");
      other.store->registered["owner"] = owner.last;
      REQUIRE(other.load(R"((module (memory (import "owner" "mem") 1 400 shared))" + kGrower + ")") == "");
      MemoryInst* mem = owner.last->memories[0];
      uint8_t* base = mem->base;
      constexpr uint32_t kN = 150;
      uint32_t sumOther = 0;
      std::thread t([&] { sumOther = other.i32("grow", {I32(kN)}); });
      const uint32_t sumOwner = owner.i32("grow", {I32(kN)});
      t.join();
      CHECK(owner.lastError == "");
      CHECK(other.lastError == "");
      // The old sizes handed out are exactly 1 .. 2N: their sum is fixed whatever the interleaving.
      CHECK(uint64_t(sumOwner) + sumOther == uint64_t(2 * kN) * (2 * kN + 1) / 2);
      CHECK(owner.i32("size") == 1 + 2 * kN);
      CHECK(other.i32("size") == 1 + 2 * kN);
      CHECK(mem->base == base);
      CHECK(owner.i32("check", {I32(2 * kN)}) == 0);
      CHECK(owner.store->memoryBytes() >= uint64_t(1 + 2 * kN) * kPageSize);
    }
  }
}
