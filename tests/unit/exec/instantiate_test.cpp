// tests/unit/exec/instantiate_test.cpp -- linking and instantiation: import matching, constant expressions, segment
// initialization order and traps, memory growth limits, the spectest module, instance layout for compiled code.
#include <catch2/catch.hpp>

#include "tests/unit/exec/exec_harness.h"

using namespace myrt;
using namespace myrt::test;

TEST_CASE("exec: spectest module exports", "[exec]") {
  for (const ExecTier& tier : tiers()) {
    Session s(tier);
    Instance* st = s.store->registered["spectest"];
    REQUIRE(st);
    CHECK(findExportedGlobal(*st, "global_i32")->value.i32 == 666);
    CHECK(findExportedGlobal(*st, "global_f64")->value.f64 == 666.6);
    CHECK(findExportedMemory(*st, "memory")->pages() == 1);
    CHECK(findExportedTable(*st, "table")->size == 10);
    CHECK(findExportedFunc(*st, "print_i32") != nullptr);
    REQUIRE(s.load(R"((module
      (import "spectest" "print_i32" (func $p (param i32)))
      (import "spectest" "global_i32" (global $g i32))
      (import "spectest" "memory" (memory 1 2))
      (import "spectest" "table" (table 10 funcref))
      (func (export "f") (result i32) (call $p (i32.const 1)) (global.get $g)))
    )") == "");
    CHECK(s.i32("f") == 666);
  }
}

TEST_CASE("exec: import type checks", "[exec]") {
  for (const ExecTier& tier : tiers()) {
    Session s(tier);
    auto bad = [&](const char* wat) { return s.load(wat).rfind("incompatible import type", 0) == 0; };
    CHECK(bad(R"((module (import "spectest" "print_i32" (func (param i64)))))"));
    CHECK(bad(R"((module (import "spectest" "global_i32" (global i64))))"));
    CHECK(bad(R"((module (import "spectest" "global_i32" (global (mut i32)))))"));
    CHECK(bad(R"((module (import "spectest" "memory" (memory 2))))"));
    CHECK(bad(R"((module (import "spectest" "memory" (memory 0 1))))"));
    CHECK(bad(R"((module (import "spectest" "table" (table 10 15 funcref))))"));
    CHECK(bad(R"((module (import "spectest" "table" (table 10 externref))))"));
    CHECK(bad(R"((module (import "spectest" "print_i32" (global i32))))"));
    CHECK(s.load(R"((module (import "spectest" "nope" (func))))").rfind("unknown import", 0) == 0);
    CHECK(s.load(R"((module (import "spectest" "memory" (memory 0 3))))") == "");
    CHECK(s.load(R"((module (import "spectest" "table" (table 5 20 funcref))))") == "");
  }
}

TEST_CASE("exec: function types are canonical across modules", "[exec]") {
  for (const ExecTier& tier : tiers()) {
    Session s(tier);
    Instance* a = nullptr;
    REQUIRE(s.load(R"((module
      (type (func (param i32) (result i32)))
      (table (export "t") 2 funcref)
      (func $id (param i32) (result i32) (local.get 0))
      (func $other (param i64) (result i64) (local.get 0))
      (elem (i32.const 0) $id $other)))", &a) == "");
    s.registerAs("A", a);
    REQUIRE(s.load(R"((module
      (type $x (func (param f32)))
      (type $ii (func (param i32) (result i32)))
      (import "A" "t" (table 2 funcref))
      (func (export "call") (param i32 i32) (result i32)
        (call_indirect (type $ii) (local.get 1) (local.get 0))))
    )") == "");
    CHECK(s.i32("call", {I32(0), I32(77)}) == 77);
    CHECK(s.call("call", {I32(1), I32(77)}) == "indirect call type mismatch");
  }
}

TEST_CASE("exec: globals, constant expressions, exports", "[exec]") {
  for (const ExecTier& tier : tiers()) {
    Session s(tier);
    REQUIRE(s.load(R"((module
      (import "spectest" "global_i32" (global $imp i32))
      (global $a i32 (i32.add (global.get $imp) (i32.const 4)))
      (global $b i64 (i64.mul (i64.const 6) (i64.const 7)))
      (global $c (mut f32) (f32.const 1.5))
      (global $r funcref (ref.func $f))
      (func $f (result i32) (global.get $a))
      (export "a" (global $a)) (export "b" (global $b)) (export "c" (global $c)) (export "f" (func $f))
      (func (export "r") (result i32) (ref.is_null (global.get $r))))
    )") == "");
    CHECK(findExportedGlobal(*s.last, "a")->value.i32 == 670);
    CHECK(findExportedGlobal(*s.last, "b")->value.i64 == 42);
    CHECK(findExportedGlobal(*s.last, "c")->value.f32 == 1.5f);
    CHECK(s.i32("f") == 670);
    CHECK(s.i32("r") == 0);
  }
}

TEST_CASE("exec: segments initialize in order; out-of-bounds segments trap after earlier effects", "[exec]") {
  for (const ExecTier& tier : tiers()) {
    Session s(tier);
    Instance* a = nullptr;
    REQUIRE(s.load(R"((module
      (memory (export "m") 1)
      (table (export "t") 3 funcref)
      (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
      (data (i32.const 10) "\01\02\03")))", &a) == "");
    s.registerAs("A", a);
    CHECK(s.call("load", {I32(11)}) == "");
    CHECK(s.i32("load", {I32(11)}) == 2);
    // The first data segment is written, the second is out of bounds.
    CHECK(s.load(R"((module
      (import "A" "m" (memory 1))
      (data (i32.const 0) "\2a")
      (data (i32.const 65535) "\01\02")))") == "out of bounds memory access");
    CHECK(s.i32("load", {I32(0)}, a) == 0x2a);
    CHECK(s.load(R"((module
      (import "A" "t" (table 3 funcref))
      (func $f)
      (elem (i32.const 2) $f $f)))") == "out of bounds table access");
    // Start function runs after segments; a trap in it fails instantiation with the trap message.
    CHECK(s.load(R"((module
      (import "A" "m" (memory 1))
      (data (i32.const 5) "\07")
      (func $start (if (i32.ne (i32.load8_u (i32.const 5)) (i32.const 7)) (then unreachable))
        (drop (i32.div_u (i32.const 1) (i32.const 0))))
      (start $start)))") == "integer divide by zero");
    CHECK(s.i32("load", {I32(5)}, a) == 7);
  }
}

TEST_CASE("exec: memory.grow respects max, the address type and the store limit", "[exec]") {
  for (const ExecTier& tier : tiers()) {
    StoreLimits limits;
    limits.maxMemoryBytes = 64 * kPageSize;
    Session s(tier, limits);
    REQUIRE(s.load(R"((module
      (memory 1 10)
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
      (func (export "size") (result i32) (memory.size))
      (func (export "poke") (param i32) (i32.store8 (local.get 0) (i32.const 9)))
      (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0))))
    )") == "");
    uint8_t* base = s.last->memories[0]->base;
    CHECK(s.i32("grow", {I32(2)}) == 1);
    CHECK(s.i32("size") == 3);
    CHECK(s.i32("grow", {I32(100)}) == 0xFFFFFFFFu);
    CHECK(s.call("poke", {I32(3 * 65536)}) == "out of bounds memory access");
    CHECK(s.call("poke", {I32(3 * 65536 - 1)}) == "");
    CHECK(s.i32("peek", {I32(3 * 65536 - 1)}) == 9);
    CHECK(s.i32("peek", {I32(2 * 65536)}) == 0);
    CHECK(s.last->memories[0]->base == base);  // the base never moves
    CHECK(s.last->data.memory0Base == base);
    // Store-wide limit: the spectest memory (1 page) + this one (3) + 61 more pages would exceed 64.
    CHECK(s.i32("grow", {I32(7)}) == 3);
    REQUIRE(s.load(R"((module (memory 0) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))))") == "");
    CHECK(s.i32("grow", {I32(60)}) == 0xFFFFFFFFu);
    CHECK(s.i32("grow", {I32(50)}) == 0);
  }
}

TEST_CASE("exec: instance data gives compiled code fixed-offset access", "[exec]") {
  for (const ExecTier& tier : tiers()) {
    Session s(tier);
    REQUIRE(s.load(R"((module
      (memory 1) (global (mut i32) (i32.const 3)) (table 2 funcref) (func $f) (elem (i32.const 1) $f)))") == "");
    const InstanceData& d = s.last->data;
    CHECK(reinterpret_cast<const void*>(&d) == reinterpret_cast<const void*>(s.last));
    CHECK(d.memory0 == s.last->memories[0]);
    CHECK(d.memory0Base == s.last->memories[0]->base);
    CHECK(d.globals[0]->value.i32 == 3);
    CHECK(d.tables[0]->elems[1] == d.funcs[0]);
    CHECK(d.funcs[0]->typeId == d.typeIds[0]);
  }
}
