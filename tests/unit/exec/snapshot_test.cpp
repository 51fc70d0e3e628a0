// tests/unit/exec/snapshot_test.cpp -- Store::snapshot / Store::restore (runtime/exec/snapshot.cpp): after a restore
// an instance is in the state the snapshot saw -- globals, memory contents and size (grown pages inaccessible
// again), table elements and size, dropped data and element segments, GC objects made since collected --, on every
// tier, again and again; restore refuses a store with objects added since, snapshot a store it cannot capture.
#include <catch2/catch.hpp>

#include "exec_harness.h"

using namespace myrt;
using namespace myrt::test;

namespace {

constexpr const char* kStateful = R"((module
  (type $ft (func (result i32)))
  (type $s (struct (field (mut i32))))
  (memory (export "memory") 1 10)
  (global $g (mut i32) (i32.const 5))
  (global $obj (mut (ref null $s)) (ref.null $s))
  (table $t 2 funcref)
  (elem $e func $seven)
  (data $d "\2a")
  (func $seven (result i32) (i32.const 7))
  (func (export "g") (result i32) (global.get $g))
  (func (export "peek") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "poke") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "pages") (result i32) (memory.size))
  (func (export "tsize") (result i32) (table.size $t))
  (func (export "call0") (result i32) (call_indirect $t (type $ft) (i32.const 0)))
  (func (export "obj") (result i32) (struct.get $s 0 (global.get $obj)))
  (func (export "mutate")
    (global.set $g (i32.const 9))
    (i32.store (i32.const 100) (i32.const 0x1234))
    (memory.init $d (i32.const 200) (i32.const 0) (i32.const 1))
    (data.drop $d)
    (table.init $t $e (i32.const 0) (i32.const 0) (i32.const 1))
    (elem.drop $e)
    (global.set $obj (struct.new $s (i32.const 11)))
    (drop (memory.grow (i32.const 2)))
    (drop (table.grow $t (ref.null func) (i32.const 3)))))
)";

}  // namespace

TEST_CASE("Store::snapshot / restore: globals, memory, tables, segments and GC objects back as they were, every tier") {
  // the memory copied back (memcpy), or mapped copy-on-write from its image (madvise)
  for (const ExecTier& tier : tiers()) {
   for (const uint64_t cowFrom : {~uint64_t(0), uint64_t(0)}) {
    DYNAMIC_SECTION(tier.name << (cowFrom ? " copied" : " copy-on-write")) {
      Session s(tier);
      s.store = tier.makeStore({});  // without the spectest instance (its shared memory cannot be captured)
      REQUIRE(s.load(kStateful) == "");
      auto snap = s.store->snapshot(cowFrom);
      REQUIRE(snap.ok());
      REQUIRE(s.last->memories[0]->imageMapped == (cowFrom ? 0 : 65536));
      const uint64_t bytes = s.store->memoryBytes();
      for (int round = 0; round < 3; ++round) {
        INFO("round " << round);
        REQUIRE(s.i32("g") == 5);
        REQUIRE(s.i32("pages") == 1);
        REQUIRE(s.i32("tsize") == 2);
        REQUIRE(s.i32("peek", {I32(100)}) == 0);
        REQUIRE(s.i32("peek", {I32(200)}) == 0);
        REQUIRE(s.call("peek", {I32(65536)}) == "out of bounds memory access");  // the grown pages are gone
        REQUIRE(s.call("call0", {}) == "uninitialized element 0");
        REQUIRE(s.call("obj", {}) == "null structure reference");
        REQUIRE(s.call("mutate", {}) == "");  // works only if $d and $e were not dropped
        REQUIRE(s.i32("g") == 9);
        REQUIRE(s.i32("pages") == 3);
        REQUIRE(s.i32("tsize") == 5);
        REQUIRE(s.i32("peek", {I32(100)}) == 0x1234);
        REQUIRE(s.i32("peek", {I32(200)}) == 0x2a);
        REQUIRE(s.i32("peek", {I32(3 * 65536 - 4)}) == 0);
        REQUIRE(s.i32("call0") == 7);
        REQUIRE(s.i32("obj") == 11);
        REQUIRE(s.call("mutate", {}) == "out of bounds memory access");  // $d dropped
        REQUIRE(s.store->heapBytes() > 0);
        REQUIRE(s.store->restore(**snap));
        REQUIRE(s.store->heapBytes() == 0);
        REQUIRE(s.store->memoryBytes() == bytes);
      }
      // a trap leaves the context anywhere: restore puts it at rest
      REQUIRE(s.call("obj", {}) == "null structure reference");
      REQUIRE(s.store->restore(**snap));
      REQUIRE(s.i32("g") == 5);
      // a second snapshot of other contents (copied: the memory keeps the first one's image), back to it, then the first
      REQUIRE(s.call("poke", {I32(100), I32(0x1234)}) == "");
      REQUIRE(s.i32("grow", {I32(2)}) == 1);
      auto second = s.store->snapshot(cowFrom);
      REQUIRE(second.ok());
      REQUIRE_FALSE((*second)->memories[0].image);
      REQUIRE(s.call("poke", {I32(100), I32(0x5678)}) == "");
      REQUIRE(s.store->restore(**second));
      REQUIRE(s.i32("peek", {I32(100)}) == 0x1234);
      REQUIRE(s.i32("pages") == 3);
      REQUIRE(s.store->restore(**snap));
      REQUIRE(s.i32("peek", {I32(100)}) == 0);
      REQUIRE(s.i32("pages") == 1);
      // objects added since: not this snapshot's store any more
      REQUIRE(s.load("(module (global (export \"x\") (mut i32) (i32.const 1)))") == "");
      REQUIRE_FALSE(s.store->restore(**snap));
    }
   }
  }
}

TEST_CASE("Store::snapshot refuses a store with a shared memory") {
  Session s(tiers()[0]);
  s.store = tiers()[0].makeStore({});
  REQUIRE(s.load("(module (memory 1 1 shared))") == "");
  auto snap = s.store->snapshot();
  REQUIRE_FALSE(snap.ok());
  REQUIRE(snap.error().message.find("unsupported: a snapshot of a store with a shared memory") == 0);
}
