// tests/unit/exec/tailcall_test.cpp -- tail calls (return_call, return_call_indirect, return_call_ref) on every tier:
// constant stack in long loops, callees of every kind (same instance, other instance, host, a function the JIT leaves
// to the interpreter), arguments that need more room than the caller's, and backtraces without the replaced frame.
#include <catch2/catch.hpp>

#include "exec_harness.h"

using namespace myrt;
using namespace myrt::test;

TEST_CASE("tail calls: loops through tables and references run in constant stack", "[exec][tailcall]") {
  for (const ExecTier& tier : tiers()) {
    INFO(tier.name);
    StoreLimits limits;
    limits.maxCallDepth = 50;
    Session s(tier, limits);
    REQUIRE(s.load(R"((module
      (type $ii (func (param i64 i64) (result i64)))
      (table funcref (elem $even $odd))
      (elem declare func $even $odd $count)
      (func $even (export "even") (param i64 i64) (result i64)
        (if (result i64) (i64.eqz (local.get 0)) (then (local.get 1))
          (else (return_call_indirect (type $ii) (i64.sub (local.get 0) (i64.const 1))
                                      (i64.add (local.get 1) (i64.const 1)) (i32.const 1)))))
      (func $odd (param i64 i64) (result i64)
        (if (result i64) (i64.eqz (local.get 0)) (then (i64.sub (i64.const 0) (local.get 1)))
          (else (return_call_indirect (type $ii) (i64.sub (local.get 0) (i64.const 1))
                                      (i64.add (local.get 1) (i64.const 1)) (i32.const 0)))))
      (func $count (export "count") (param i64 i64) (result i64)
        (if (result i64) (i64.eqz (local.get 0)) (then (local.get 1))
          (else (return_call_ref $ii (i64.sub (local.get 0) (i64.const 1)) (i64.add (local.get 1) (i64.const 3))
                                 (ref.func $count)))))
      (func (export "nested") (param i64) (result i64)
        (i64.add (call $count (local.get 0) (i64.const 0)) (i64.const 1))))
    )") == "");
    CHECK(s.i64("even", {I64(1000000), I64(0)}) == 1000000);
    CHECK(s.i64("even", {I64(1000001), I64(0)}) == static_cast<uint64_t>(-1000001));
    CHECK(s.i64("count", {I64(1000000), I64(0)}) == 3000000);
    CHECK(s.i64("nested", {I64(300000)}) == 900001);
  }
}

TEST_CASE("tail calls: to host functions, other instances and interpreted functions", "[exec][tailcall]") {
  for (const ExecTier& tier : tiers()) {
    INFO(tier.name);
    Session s(tier);
    CompositeType ft;
    for (int i = 0; i < 6; ++i) ft.params.push_back(ValType::i64());
    ft.results = {ValType::i64()};
    FuncInst* host = s.store->newHostFunc(ft, [](ExecContext& cx, std::span<const Value> args, std::span<Value> res) {
      if (args[0].i64 == 13) return cx.hostTrap("unlucky");
      uint64_t x = 0;
      for (size_t i = 0; i < args.size(); ++i) x = x * 10 + args[i].i64;
      res[0] = Value::fromI64(x);
      return TrapReason::None;
    });
    Instance* env = s.store->newInstance();
    env->exports.emplace("digits", Extern::of(host));
    s.registerAs("env", env);
    REQUIRE(s.load(R"((module
      (import "env" "digits" (func $digits (param i64 i64 i64 i64 i64 i64) (result i64)))
      (type $v (func (param v128 f64 i32) (result f64)))
      (func (export "host") (param i64) (result i64)
        (return_call $digits (local.get 0) (i64.const 2) (i64.const 3) (i64.const 4) (i64.const 5) (i64.const 6)))
      (func $interp (export "interp") (param i32) (result i32)
        (i32.add (local.get 0) (i32.const 1)))
      (func (export "to-interp") (param i32) (result i32) (return_call $interp (i32.mul (local.get 0) (i32.const 2))))
      (func $wide (param v128 f64 i32) (result f64)
        (f64.add (f64.add (local.get 1) (f64.convert_i32_s (local.get 2)))
                 (f64x2.extract_lane 1 (local.get 0))))
      (elem declare func $wide)
      (func (export "wide") (param f64) (result f64)
        (return_call_ref $v (v128.const f64x2 0.5 0.25) (local.get 0) (i32.const 7) (ref.func $wide)))
      (func $loop (export "loop") (param i32 i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0)) (then (local.get 1))
          (else (return_call $loop (i32.sub (local.get 0) (i32.const 1)) (i32.add (local.get 1) (i32.const 1)))))))
    )") == "");
    s.interpret("interp");
    CHECK(s.i64("host", {I64(1)}) == 123456);
    CHECK(s.call("host", {I64(13)}) == "unlucky");
    CHECK(s.lastTrap.backtrace.empty());  // the tail-calling frame was replaced (a host function has no frame)
    CHECK(s.i32("to-interp", {I32(20)}) == 41);
    CHECK(s.f64("wide", {F64(1.5)}) == 8.75);
    Instance* first = s.last;
    s.registerAs("env2", first);
    REQUIRE(s.load(R"((module
      (import "env2" "loop" (func $loop (param i32 i32) (result i32)))
      (func (export "other") (param i32) (result i32) (return_call $loop (local.get 0) (i32.const 100))))
    )") == "");
    CHECK(s.i32("other", {I32(100000)}) == 100100);
  }
}

TEST_CASE("tail calls: the replaced frame is not in the backtrace", "[exec][tailcall]") {
  for (const ExecTier& tier : tiers()) {
    INFO(tier.name);
    Session s(tier);
    REQUIRE(s.load(R"((module
      (func $div (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
      (func $tail (param i32) (result i32) (return_call $div (local.get 0)))
      (func (export "outer") (param i32) (result i32) (i32.add (call $tail (local.get 0)) (i32.const 1))))
    )") == "");
    CHECK(s.i32("outer", {I32(1)}) == 2);
    CHECK(s.call("outer", {I32(0)}) == "integer divide by zero");
    REQUIRE(s.lastTrap.backtrace.size() == 2);
    CHECK(s.lastTrap.backtrace[0] == 0);  // $div
    CHECK(s.lastTrap.backtrace[1] == 2);  // outer ($tail was replaced)
  }
}
