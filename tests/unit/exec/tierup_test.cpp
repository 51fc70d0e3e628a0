// tests/unit/exec/tierup_test.cpp -- the auto tier (jit/jit.h autoConfig): functions start in the interpreter, an
// instance is compiled by the JIT when one of its functions reaches the poll threshold, entries are swapped, and an
// interpreter frame of a function tiered up while it runs still finishes with the right result.
#include <catch2/catch.hpp>

#include "exec_harness.h"

using namespace myrt;
using namespace myrt::test;

namespace {

const char* kModule = R"((module
  (func (export "add1") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func (export "sum") (param i32) (result i32) (local i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get 0)))
      (local.set 1 (i32.add (local.get 1) (local.get 0)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br $l)))
    (local.get 1))
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
))";

}  // namespace

TEST_CASE("auto tier: a function called often enough is tiered up; its entry changes at the threshold") {
  if (!tierAvailable(Tier::Auto)) FAIL("auto tier not available on this build/CPU");
  Session s(autoTier(10));
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
}

TEST_CASE("auto tier: a function tiered up inside its own loop finishes in the interpreter with the right result") {
  if (!tierAvailable(Tier::Auto)) FAIL("auto tier not available on this build/CPU");
  Session s(autoTier(50));
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
  Session s(autoTier(20));
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
