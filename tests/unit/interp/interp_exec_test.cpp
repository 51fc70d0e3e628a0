// tests/unit/interp/interp_exec_test.cpp -- execution tests of the interpreter through the engine API: control flow,
// calls, call_indirect, locals/globals, numerics, traps. Written over tiers() so they run on every tier.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>

#include "tests/unit/exec/exec_harness.h"

using namespace myrt;
using namespace myrt::test;

TEST_CASE("interp: factorial (recursive and iterative)", "[interp]") {
  for (const ExecTier& tier : tiers()) {
    Session s(tier);
    REQUIRE(s.load(R"((module
      (func $fac (export "fac") (param i64) (result i64)
        (if (result i64) (i64.eqz (local.get 0))
          (then (i64.const 1))
          (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))
      (func (export "fac-iter") (param i64) (result i64) (local i64)
        (local.set 1 (i64.const 1))
        (block $done
          (loop $l
            (br_if $done (i64.eqz (local.get 0)))
            (local.set 1 (i64.mul (local.get 0) (local.get 1)))
            (local.set 0 (i64.sub (local.get 0) (i64.const 1)))
            (br $l)))
        (local.get 1)))
    )") == "");
    CHECK(s.i64("fac", {I64(0)}) == 1);
    CHECK(s.i64("fac", {I64(5)}) == 120);
    CHECK(s.i64("fac", {I64(20)}) == 2432902008176640000ull);
    CHECK(s.i64("fac-iter", {I64(20)}) == 2432902008176640000ull);
    CHECK(s.i64("fac-iter", {I64(1)}) == 1);
  }
}

TEST_CASE("interp: fib recursion", "[interp]") {
  for (const ExecTier& tier : tiers()) {
    Session s(tier);
    REQUIRE(s.load(R"((module
      (func $fib (export "fib") (param i32) (result i32)
        (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
          (then (local.get 0))
          (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                         (call $fib (i32.sub (local.get 0) (i32.const 2))))))))
    )") == "");
    CHECK(s.i32("fib", {I32(0)}) == 0);
    CHECK(s.i32("fib", {I32(1)}) == 1);
    CHECK(s.i32("fib", {I32(10)}) == 55);
    CHECK(s.i32("fib", {I32(25)}) == 75025);
  }
}

TEST_CASE("interp: br_table, block results, loops", "[interp]") {
  for (const ExecTier& tier : tiers()) {
    Session s(tier);
    REQUIRE(s.load(R"((module
      (func (export "switch") (param i32) (result i32)
        (block $d (block $c (block $b (block $a
          (br_table $a $b $c $d (local.get 0)))
          (return (i32.const 100)))
          (return (i32.const 101)))
          (return (i32.const 102)))
        (i32.const 103))
      (func (export "br-value") (param i32) (result i32)
        (block $out (result i32)
          (block $in (result i32)
            (br_table $in $out (i32.const 7) (local.get 0)))
          (i32.add (i32.const 10))))
      (func (export "sum-to") (param i32) (result i32) (local i32)
        (loop $l
          (local.set 1 (i32.add (local.get 1) (local.get 0)))
          (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))
          (br_if $l))
        (local.get 1))
      (func (export "multi") (result i32 i64)
        (block (result i32 i64) (i32.const 1) (i64.const 2)))
      (func (export "swap") (param i32 i32) (result i32 i32)
        (local.get 1) (local.get 0))
      (func (export "br-if-value") (param i32) (result i32)
        (block $b (result i32)
          (drop (br_if $b (i32.const 5) (local.get 0)))
          (i32.const 6)))
      (func (export "if-params") (param i32) (result i32)
        (i32.const 10)
        (if (param i32) (result i32) (local.get 0)
          (then (i32.add (i32.const 1)))
          (else (i32.sub (i32.const 1)))))
      (func (export "select") (param i32) (result i32)
        (select (i32.const 11) (i32.const 22) (local.get 0))))
    )") == "");
    for (uint32_t i = 0; i < 6; ++i) CHECK(s.i32("switch", {I32(i)}) == (i < 3 ? 100 + i : 103));
    CHECK(s.i32("br-value", {I32(0)}) == 17);
    CHECK(s.i32("br-value", {I32(1)}) == 7);
    CHECK(s.i32("br-value", {I32(9)}) == 7);
    CHECK(s.i32("sum-to", {I32(100)}) == 5050);
    std::vector<Value> res;
    REQUIRE(s.call("multi", {}, &res) == "");
    CHECK(res[0].i32 == 1);
    CHECK(res[1].i64 == 2);
    REQUIRE(s.call("swap", {I32(3), I32(4)}, &res) == "");
    CHECK(res[0].i32 == 4);
    CHECK(res[1].i32 == 3);
    CHECK(s.i32("br-if-value", {I32(1)}) == 5);
    CHECK(s.i32("br-if-value", {I32(0)}) == 6);
    CHECK(s.i32("if-params", {I32(1)}) == 11);
    CHECK(s.i32("if-params", {I32(0)}) == 9);
    CHECK(s.i32("select", {I32(1)}) == 11);
    CHECK(s.i32("select", {I32(0)}) == 22);
  }
}

TEST_CASE("interp: locals pending across writes", "[interp]") {
  for (const ExecTier& tier : tiers()) {
    Session s(tier);
    // local.get values on the stack must keep their value when the local is overwritten before they are consumed.
    REQUIRE(s.load(R"((module
      (func (export "f") (param i32) (result i32)
        (local.get 0)
        (local.set 0 (i32.const 100))
        (local.get 0)
        (i32.sub))
      (func (export "tee") (param i32) (result i32)
        (local.get 0)
        (local.tee 0 (i32.const 7))
        (i32.add)
        (local.get 0)
        (i32.mul))
      (func (export "retarget") (param i32) (result i32)
        (local.get 0)
        (local.set 0 (i32.add (local.get 0) (i32.const 1)))
        (local.get 0)
        (i32.add)))
    )") == "");
    CHECK(s.i32("f", {I32(1)}) == static_cast<uint32_t>(1 - 100));
    CHECK(s.i32("tee", {I32(3)}) == (3 + 7) * 7);
    CHECK(s.i32("retarget", {I32(5)}) == 5 + 6);
  }
}

TEST_CASE("interp: globals, numerics and numeric traps", "[interp]") {
  for (const ExecTier& tier : tiers()) {
    Session s(tier);
    REQUIRE(s.load(R"((module
      (global $g (mut i32) (i32.const 40))
      (global $h i64 (i64.const -5))
      (func (export "inc") (result i32)
        (global.set $g (i32.add (global.get $g) (i32.const 2)))
        (global.get $g))
      (func (export "h") (result i64) (global.get $h))
      (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
      (func (export "rem") (param i32 i32) (result i32) (i32.rem_s (local.get 0) (local.get 1)))
      (func (export "trunc") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
      (func (export "fma") (param f64 f64 f64) (result f64) (f64.add (f64.mul (local.get 0) (local.get 1)) (local.get 2)))
      (func (export "conv") (param i32) (result f64) (f64.convert_i32_u (local.get 0)))
      (func (export "clz") (param i64) (result i64) (i64.clz (local.get 0)))
      (func (export "unreachable") (unreachable)))
    )") == "");
    CHECK(s.i32("inc") == 42);
    CHECK(s.i32("inc") == 44);
    CHECK(s.i64("h") == static_cast<uint64_t>(-5));
    CHECK(s.i32("div", {I32(7), I32(2)}) == 3);
    CHECK(s.i32("div", {I32(static_cast<uint32_t>(-7)), I32(2)}) == static_cast<uint32_t>(-3));
    CHECK(s.call("div", {I32(1), I32(0)}) == "integer divide by zero");
    CHECK(s.call("div", {I32(0x80000000u), I32(0xFFFFFFFFu)}) == "integer overflow");
    CHECK(s.i32("rem", {I32(0x80000000u), I32(0xFFFFFFFFu)}) == 0);
    CHECK(s.call("trunc", {F64(1e10)}) == "integer overflow");
    CHECK(s.call("trunc", {F64(std::nan(""))}) == "invalid conversion to integer");
    CHECK(s.i32("trunc", {F64(-3.9)}) == static_cast<uint32_t>(-3));
    CHECK(s.f64("fma", {F64(2), F64(3), F64(0.5)}) == 6.5);
    CHECK(s.f64("conv", {I32(0xFFFFFFFFu)}) == 4294967295.0);
    CHECK(s.i64("clz", {I64(1)}) == 63);
    CHECK(s.call("unreachable", {}) == "unreachable");
  }
}

TEST_CASE("interp: call_indirect", "[interp]") {
  for (const ExecTier& tier : tiers()) {
    Session s(tier);
    REQUIRE(s.load(R"((module
      (type $ii (func (param i32) (result i32)))
      (type $v (func))
      (table 4 funcref)
      (elem (i32.const 0) $double $square $nop)
      (func $double (type $ii) (i32.mul (local.get 0) (i32.const 2)))
      (func $square (type $ii) (i32.mul (local.get 0) (local.get 0)))
      (func $nop (type $v))
      (func (export "call") (param i32 i32) (result i32)
        (call_indirect (type $ii) (local.get 1) (local.get 0))))
    )") == "");
    CHECK(s.i32("call", {I32(0), I32(21)}) == 42);
    CHECK(s.i32("call", {I32(1), I32(9)}) == 81);
    CHECK(s.call("call", {I32(2), I32(1)}) == "indirect call type mismatch");
    CHECK(s.call("call", {I32(3), I32(1)}) == "uninitialized element 3");
    CHECK(s.call("call", {I32(4), I32(1)}) == "undefined element");
  }
}

TEST_CASE("interp: deep recursion traps with call stack exhausted", "[interp]") {
  for (const ExecTier& tier : tiers()) {
    StoreLimits limits;
    limits.maxCallDepth = 5000;
    Session s(tier, limits);
    REQUIRE(s.load(R"((module
      (func $inf (export "inf") (param i32) (result i32) (call $inf (i32.add (local.get 0) (i32.const 1))))
      (func $down (export "down") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
          (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1))))))))
    )") == "");
    CHECK(s.call("inf", {I32(0)}) == "call stack exhausted");
    CHECK(s.lastTrap.backtrace.size() > 0);
    // the store stays usable after exhaustion
    CHECK(s.i32("down", {I32(4000)}) == 4000);
    CHECK(s.call("down", {I32(6000)}) == "call stack exhausted");
    CHECK(s.i32("down", {I32(10)}) == 10);
  }
}

TEST_CASE("interp: tail calls do not grow the stack", "[interp]") {
  for (const ExecTier& tier : tiers()) {
    StoreLimits limits;
    limits.maxCallDepth = 100;
    Session s(tier, limits);
    REQUIRE(s.load(R"((module
      (func $count (export "count") (param i64 i64) (result i64)
        (if (result i64) (i64.eqz (local.get 0)) (then (local.get 1))
          (else (return_call $count (i64.sub (local.get 0) (i64.const 1)) (i64.add (local.get 1) (i64.const 2)))))))
    )") == "");
    CHECK(s.i64("count", {I64(100000), I64(0)}) == 200000);
  }
}

TEST_CASE("interp: host function calls and traps with backtrace", "[interp]") {
  for (const ExecTier& tier : tiers()) {
    Session s(tier);
    CompositeType ft;
    ft.params = {ValType::i32()};
    ft.results = {ValType::i32()};
    FuncInst* host = s.store->newHostFunc(ft, [](ExecContext& cx, std::span<const Value> args, std::span<Value> res) {
      if (args[0].i32 == 13) return cx.hostTrap("unlucky");
      res[0] = Value::fromI32(args[0].i32 * 3);
      return TrapReason::None;
    });
    Instance* env = s.store->newInstance();
    env->exports.emplace("triple", Extern::of(host));
    s.registerAs("env", env);
    REQUIRE(s.load(R"((module
      (import "env" "triple" (func $t (param i32) (result i32)))
      (func $inner (param i32) (result i32) (call $t (local.get 0)))
      (func (export "outer") (param i32) (result i32) (i32.add (call $inner (local.get 0)) (i32.const 1)))
      (func (export "div0") (param i32) (result i32) (call $d (local.get 0)))
      (func $d (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0))))
    )") == "");
    CHECK(s.i32("outer", {I32(5)}) == 16);
    CHECK(s.call("outer", {I32(13)}) == "unlucky");
    CHECK(s.call("div0", {I32(0)}) == "integer divide by zero");
    REQUIRE(s.lastTrap.backtrace.size() == 2);
    CHECK(s.lastTrap.backtrace[0] == 4);  // $d (the import is function 0)
    CHECK(s.lastTrap.backtrace[1] == 3);  // div0
  }
}

TEST_CASE("interp: speed of calls and loops", "[.bench]") {
  for (const ExecTier& tier : tiers()) {
    Session s(tier);
    REQUIRE(s.load(R"((module
      (func $fib (export "fib") (param i32) (result i32)
        (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
          (then (local.get 0))
          (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                         (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
      (func (export "loop") (param i32) (result i32) (local i32 i32)
        (loop $l
          (local.set 1 (i32.add (local.get 1) (i32.xor (local.get 0) (local.get 2))))
          (local.set 2 (i32.add (local.get 2) (i32.const 3)))
          (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
        (local.get 1)))
    )") == "");
    auto t0 = std::chrono::steady_clock::now();
    CHECK(s.i32("fib", {I32(32)}) == 2178309);
    auto t1 = std::chrono::steady_clock::now();
    s.i32("loop", {I32(100000000)});
    auto t2 = std::chrono::steady_clock::now();
    std::printf("%s: fib(32) %.0f ms, loop 1e8 iterations %.0f ms\n", tier.name.c_str(),
                std::chrono::duration<double, std::milli>(t1 - t0).count(),
                std::chrono::duration<double, std::milli>(t2 - t1).count());
  }
}

TEST_CASE("interp: host functions see the calling instance (memory access for WASI-style hosts)", "[interp]") {
  for (const ExecTier& tier : tiers()) {
    Session s(tier);
    CompositeType ft;
    ft.params = {ValType::i32(), ValType::i32()};
    ft.results = {ValType::i32()};
    FuncInst* sum = s.store->newHostFunc(ft, [](ExecContext& cx, std::span<const Value> args, std::span<Value> res) {
      if (!cx.caller || !cx.caller->data.memory0) return cx.hostTrap("no caller memory");
      const MemoryInst* m = cx.caller->data.memory0;
      if (!m->inBounds(args[0].i32, args[1].i32)) return TrapReason::MemoryOutOfBounds;
      uint32_t total = 0;
      for (uint32_t i = 0; i < args[1].i32; ++i) total += m->base[args[0].i32 + i];
      res[0] = Value::fromI32(total);
      return TrapReason::None;
    });
    Instance* env = s.store->newInstance();
    env->exports.emplace("sum", Extern::of(sum));
    s.registerAs("env", env);
    REQUIRE(s.load(R"((module
      (import "env" "sum" (func $sum (param i32 i32) (result i32)))
      (memory 1)
      (data (i32.const 100) "\01\02\03\04")
      (func (export "f") (param i32 i32) (result i32) (call $sum (local.get 0) (local.get 1))))
    )") == "");
    CHECK(s.i32("f", {I32(100), I32(4)}) == 10);
    CHECK(s.call("f", {I32(65535), I32(4)}) == "out of bounds memory access");
  }
}

TEST_CASE("interp: constants and add-immediates folded into their consumers", "[interp]") {
  for (const ExecTier& tier : tiers()) {
   for (bool guard : {true, false}) {  // guarded memory (fault handler) and explicit bounds checks
    StoreLimits limits;
    limits.guardPages = guard;
    Session s(tier, limits);
    REQUIRE(s.load(R"((module
      (memory 1)
      (data (i32.const 16) "\01\02\03\04\05\06\07\08")
      ;; a pending (local + const) must see the local's old value when the local is overwritten first
      (func (export "old") (param i32) (result i32)
        (i32.add (local.get 0) (i32.const 5)) (local.set 0 (i32.const 100)) (local.get 0) (i32.add))
      ;; address = local + const folded into the load; negative addend wraps like i32.add
      (func (export "ld") (param i32) (result i32) (i32.load8_u offset=2 (i32.add (local.get 0) (i32.const -4))))
      ;; constant on the left of non-commutative ops and comparisons
      (func (export "left") (param i32) (result i32)
        (i32.add (i32.add (i32.sub (i32.const 100) (local.get 0)) (i32.shl (i32.const 1) (local.get 0)))
                 (i32.mul (i32.lt_s (i32.const 3) (local.get 0)) (i32.const 1000))))
      (func (export "fleft") (param f64) (result f64) (f64.div (f64.const 1) (f64.sub (f64.const 10) (local.get 0))))
      ;; i64 compare+branch with immediates and registers
      (func (export "cmp64") (param i64 i64) (result i32)
        (if (i64.lt_s (local.get 0) (i64.const -5)) (then (return (i32.const 1))))
        (if (i64.ge_u (local.get 0) (local.get 1)) (then (return (i32.const 2))))
        (if (i64.eqz (local.get 1)) (then (return (i32.const 3))))
        (i32.const 4))
      ;; results read locals that earlier results overwrite
      (func (export "swap") (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))
      (func (export "swapsum") (param i32 i32) (result i32)
        (call 5 (local.get 0) (local.get 1)) (i32.const 10) (i32.mul) (i32.add))
      (func (export "addret") (param i32 i32) (result i32 i32)
        (i32.add (local.get 1) (i32.const 1)) (i32.add (local.get 0) (i32.const 2)))
      (func (export "addretsum") (param i32 i32) (result i32)
        (call 7 (local.get 0) (local.get 1)) (i32.const 100) (i32.mul) (i32.add))
      ;; constants carried by branches and block results
      (func (export "brconst") (param i32) (result i32)
        (block $b (result i32) (br_if $b (i32.const 7) (local.get 0)) (drop) (i32.const 9)))
      ;; stores of constants at folded addresses, and an out-of-bounds folded address
      (func (export "st") (param i32) (result i32)
        (i32.store16 offset=1 (i32.add (local.get 0) (i32.const 3)) (i32.const 0xBEEF))
        (i32.load16_u (i32.add (local.get 0) (i32.const 4))))
      (func (export "st64") (param i32) (result i64)
        (i64.store offset=8 (local.get 0) (i64.const 0x123456789ABCDEF0))
        (f64.store offset=16 (local.get 0) (f64.const -2.5))
        (f32.store offset=24 (local.get 0) (f32.const 0.75))
        (i64.store32 offset=28 (local.get 0) (i64.const 0x1122334455667788))
        (i64.add (i64.add (i64.load offset=8 (local.get 0)) (i64.trunc_f64_s (f64.load offset=16 (local.get 0))))
                 (i64.add (i64.trunc_f32_s (f32.mul (f32.load offset=24 (local.get 0)) (f32.const 4)))
                          (i64.load32_u offset=28 (local.get 0)))))
      ;; pairs of f64 ops fused when the first result is consumed right away (left and right operand, sub order)
      (func (export "pairs") (param f64 f64 f64) (result f64)
        (f64.sub
          (f64.add
            (f64.add
              (f64.mul (f64.add (f64.mul (f64.sub (f64.mul (local.get 0) (local.get 1)) (local.get 2)) (f64.const 1000))
                                (f64.sub (local.get 2) (f64.mul (local.get 0) (local.get 1))))
                       (f64.const 1000))
              (f64.mul (f64.sub (local.get 2) (f64.sub (local.get 0) (local.get 1))) (f64.const 7)))
            (f64.mul (f64.const 0.5) (f64.add (local.get 0) (local.get 1))))
          (f64.sub (f64.sub (local.get 2) (local.get 1)) (local.get 0))))
      ;; f64 ops with an operand loaded right before (left and right operand)
      (func (export "ldop") (param i32 f64) (result f64)
        (f64.store (local.get 0) (f64.const 0.5))
        (f64.add (f64.mul (f64.sub (f64.load (local.get 0)) (local.get 1)) (f64.const 2))
                 (f64.mul (f64.sub (local.get 1) (f64.load (local.get 0))) (f64.const 100))))
      ;; scaled addresses: (x << c) + k folded into loads/stores; the shift wraps like i32.shl
      (func (export "idx") (param i32) (result i32)
        (i32.store (i32.add (i32.shl (local.get 0) (i32.const 2)) (i32.const 200)) (i32.const 77))
        (i32.load offset=200 (i32.shl (local.get 0) (i32.const 34))))
      (func (export "idxtee") (param i32) (result i32) (local i32)
        (drop (i32.load (local.tee 1 (i32.add (i32.shl (local.get 0) (i32.const 3)) (i32.const 8)))))
        (local.set 0 (i32.add (i32.shl (local.get 0) (i32.const 1)) (i32.const 1)))
        (i32.add (local.get 0) (local.get 1)))
    ))") == "");
    CHECK(s.f64("pairs", {F64(2), F64(3), F64(5)}) == ((2.0 * 3 - 5) * 1000 + (5 - 2.0 * 3)) * 1000 + (5 - (2.0 - 3)) * 7 + 0.5 * (2.0 + 3) - ((5 - 3.0) - 2));
    CHECK(s.f64("ldop", {I32(64), F64(8)}) == (0.5 - 8.0) * 2 + (8.0 - 0.5) * 100);
    CHECK(s.call("ldop", {I32(65530), F64(8)}) == "out of bounds memory access");
    CHECK(s.i32("idx", {I32(5)}) == 77);
    CHECK(s.i32("idx", {I32(0x40000005)}) == 77);  // (x << 2) wraps to 20
    CHECK(s.call("idx", {I32(20000)}) == "out of bounds memory access");
    CHECK(s.i32("idxtee", {I32(3)}) == 7 + 32);
    CHECK(s.i64("st64", {I32(64)}) == 0x123456789ABCDEF0ull - 2 + 3 + 0x55667788ull);
    CHECK(s.call("st64", {I32(65530)}) == "out of bounds memory access");
    CHECK(s.i32("old", {I32(1)}) == 106);
    CHECK(s.i32("ld", {I32(20)}) == 3);  // byte at 20-4+2 = 18
    CHECK(s.call("ld", {I32(2)}) == "out of bounds memory access");  // 2-4 wraps to 0xFFFFFFFE
    CHECK(s.i32("left", {I32(2)}) == 98 + 4);
    CHECK(s.i32("left", {I32(4)}) == 96 + 16 + 1000);
    CHECK(s.f64("fleft", {F64(6)}) == 0.25);
    CHECK(s.i32("cmp64", {I64(uint64_t(-6)), I64(0)}) == 1);
    CHECK(s.i32("cmp64", {I64(7), I64(7)}) == 2);
    CHECK(s.i32("cmp64", {I64(uint64_t(-5)), I64(0)}) == 2);
    CHECK(s.i32("cmp64", {I64(1), I64(2)}) == 4);
    CHECK(s.i32("swapsum", {I32(1), I32(2)}) == 2 + 1 * 10);  // swap(1, 2) = (2, 1)
    CHECK(s.i32("addretsum", {I32(1), I32(2)}) == 3 * 100 + 3);
    CHECK(s.i32("brconst", {I32(1)}) == 7);
    CHECK(s.i32("brconst", {I32(0)}) == 9);
    CHECK(s.i32("st", {I32(100)}) == 0xBEEF);
    CHECK(s.call("st", {I32(65532)}) == "out of bounds memory access");
   }
  }
}
