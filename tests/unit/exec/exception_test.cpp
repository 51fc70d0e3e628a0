// tests/unit/exec/exception_test.cpp -- exception handling on every tier: try_table clauses, throw_ref, the legacy
// instructions, and exceptions crossing frames of different tiers (on the jit tier a function with a GC instruction
// stays in the interpreter) and instances in both directions.
#include <catch2/catch.hpp>

#include "exec_harness.h"

using namespace myrt;
using namespace myrt::test;

TEST_CASE("exceptions: try_table clauses, throw_ref, catch into the function label and loops", "[exec][exception]") {
  for (const ExecTier& tier : tiers()) {
    INFO(tier.name);
    Session s(tier);
    REQUIRE(s.load(R"((module
      (tag $e (param i32 i64))
      (tag $f)
      (func $thrower (param i32)
        (if (i32.eqz (local.get 0)) (then (throw $f)))
        (throw $e (local.get 0) (i64.const 7)))
      (func (export "catch") (param i32) (result i64) (local $t i64)
        (block $f
          (block $e (result i32 i64)
            (try_table (catch $e $e) (catch $f $f) (call $thrower (local.get 0)))
            (return (i64.const -1)))
          (local.set $t) (return (i64.add (i64.extend_i32_u) (local.get $t))))
        (i64.const 100))
      (func (export "to-func") (param i32) (result i32 i64)
        (try_table (catch $e 0) (call $thrower (local.get 0)))
        (i32.const 1) (i64.const 1))
      (func (export "loop") (param i32) (result i32) (local $sum i32)
        (loop $l
          (block $h (result i32 i64)
            (try_table (catch $e $h) (call $thrower (i32.add (local.get 0) (i32.const 1))))
            (unreachable))
          (drop)
          (local.set $sum (i32.add (local.get $sum)))
          (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
        (local.get $sum))
      (func (export "rethrow") (param i32) (result i32)
        (block $h (result i32 i64)
          (try_table (catch $e $h)
            (block $r (result exnref)
              (try_table (catch_all_ref $r) (call $thrower (local.get 0)))
              (unreachable))
            (throw_ref))
          (unreachable))
        (drop))
      (func (export "null") (throw_ref (ref.null exn)))
      (func (export "uncaught") (param i32) (call $thrower (local.get 0))))
    )") == "");
    CHECK(s.i64("catch", {I32(5)}) == 12);
    CHECK(s.i64("catch", {I32(0)}) == 100);
    std::vector<Value> r;
    CHECK(s.call("to-func", {I32(9)}, &r) == "");
    REQUIRE(r.size() == 2);
    CHECK(r[0].i32 == 9);
    CHECK(r[1].i64 == 7);
    CHECK(s.call("to-func", {I32(0)}) == "uncaught exception");
    CHECK(s.i32("loop", {I32(1000)}) == 501500);
    CHECK(s.i32("rethrow", {I32(42)}) == 42);
    CHECK(s.call("null", {}) == "null exception reference");
    CHECK(s.call("uncaught", {I32(3)}) == "uncaught exception");
    CHECK(s.lastTrap.backtrace.empty());  // as in the interpreter: an exception records no frames
    CHECK(s.i64("catch", {I32(6)}) == 13);  // the store is fine afterwards
  }
}

TEST_CASE("exceptions: across interpreted and compiled frames and instances", "[exec][exception]") {
  for (const ExecTier& tier : tiers()) {
    INFO(tier.name);
    Session s(tier);
    // the "-interp" functions and "mid" stay in the interpreter (Session::interpret)
    REQUIRE(s.load(R"((module
      (tag $e (export "e") (param i32))
      (func (export "throw-interp") (param i32) (throw $e (local.get 0)))
      (func (export "throw-jit") (param i32) (throw $e (local.get 0)))
      (func $mid (export "mid") (param i32) (result i32) (call $inner (local.get 0)))
      (func $inner (param i32) (result i32) (throw $e (i32.add (local.get 0) (i32.const 1))))
      (func (export "catch-interp") (param i32) (result i32)
        (block $h (result i32)
          (try_table (catch $e $h) (drop (call $mid (local.get 0))))
          (i32.const -1))))
    )") == "");
    for (const char* name : {"throw-interp", "mid", "catch-interp"}) s.interpret(name);
    s.registerAs("a");
    REQUIRE(s.load(R"((module
      (import "a" "e" (tag $e (param i32)))
      (import "a" "throw-interp" (func $ti (param i32)))
      (import "a" "throw-jit" (func $tj (param i32)))
      (import "a" "mid" (func $mid (param i32) (result i32)))
      (func $catch (export "catch") (param i32 i32) (result i32)
        (block $h (result i32)
          (try_table (catch $e $h)
            (if (i32.eqz (local.get 0)) (then (call $ti (local.get 1))) (else (call $tj (local.get 1)))))
          (i32.const -1)))
      (func (export "through") (param i32) (result i32)
        (block $h
          (try_table (catch_all $h) (drop (call $mid (local.get 0))))
          (return (i32.const -1)))
        (i32.const 77))
      (func (export "legacy") (param i32) (result i32)
        (try (result i32)
          (do (try (result i32)
                (do (call $ti (local.get 0)) (i32.const -1))
                (delegate 0)))
          (catch $e (i32.mul (i32.const 2)))))
      (func (export "legacy-rethrow") (param i32) (result i32)
        (try (result i32)
          (do (try (result i32)
                (do (call $tj (local.get 0)) (i32.const -1))
                (catch_all (rethrow 0))))
          (catch $e (i32.add (i32.const 1))))))
    )") == "");
    CHECK(s.i32("catch", {I32(0), I32(11)}) == 11);
    CHECK(s.i32("catch", {I32(1), I32(12)}) == 12);
    CHECK(s.i32("through", {I32(3)}) == 77);
    CHECK(s.i32("legacy", {I32(21)}) == 42);
    CHECK(s.i32("legacy-rethrow", {I32(41)}) == 42);
    // a fresh instance: on the auto tier it tiers up inside the loop, and OSR must not enter a loop in a catch body
    REQUIRE(s.load(R"((module
      (import "a" "e" (tag $e (param i32)))
      (import "a" "throw-jit" (func $tj (param i32)))
      (func (export "rethrow-after-loop") (param i32) (result i32) (local i32)
        ;; a loop in a catch body (an on-stack replacement candidate on the auto tier), then rethrow
        (try (result i32)
          (do (try (result i32)
                (do (call $tj (local.get 0)) (i32.const -1))
                (catch_all
                  (loop $l
                    (local.set 1 (i32.add (local.get 1) (i32.const 1)))
                    (br_if $l (i32.lt_u (local.get 1) (i32.const 5000))))
                  (rethrow 0))))
          (catch $e (i32.add (local.get 1))))))
    )") == "");
    CHECK(s.i32("rethrow-after-loop", {I32(3)}) == 5003);
    CHECK(s.i32("catch-interp", {I32(4)}, s.store->registered["a"]) == 5);
    if (tier.name != "auto")  // (auto compiles interpreted functions when they get hot)
      CHECK(findExportedFunc(*s.store->registered["a"], "mid")->entry == interpreterEntry());
  }
}

// A legacy catch body's exception is kept for `rethrow` in a slot a call inside the body must not overwrite: the
// interpreter keeps it in a hidden local below the operand area (a callee's frame starts at its arguments).
TEST_CASE("exceptions: legacy rethrow after a call in the catch body", "[exec][exception]") {
  for (const ExecTier& tier : tiers()) {
    INFO(tier.name);
    Session s(tier);
    REQUIRE(s.load(R"((module
      (tag $t (param i32))
      (func $f (param i32) (result i32) (local i32 i32 i32 i32 i32 i32)
        (local.set 1 (i32.const 1)) (local.set 2 (i32.const 2)) (local.set 3 (i32.const 3))
        (local.set 4 (i32.const 4)) (local.set 5 (i32.const 5)) (local.set 6 (i32.const 6))
        (i32.add (i32.add (local.get 0) (local.get 1)) (i32.add (local.get 2) (i32.add (local.get 3) (local.get 6)))))
      (func (export "run") (param i32) (result i32)
        (try (result i32)
          (do
            (try
              (do (throw $t (local.get 0)))
              (catch $t (drop (call $f (i32.const 3)))
                (try (do (throw $t (i32.const 9))) (catch_all (drop (call $f (i32.const 4))) (rethrow 1)))
                (unreachable)))
            (unreachable))
          (catch $t))))
    )") == "");
    CHECK(s.i32("run", {I32(7)}) == 7);
    CHECK(s.i32("run", {I32(-3)}) == uint32_t(-3));
  }
}
