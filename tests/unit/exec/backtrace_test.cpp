// tests/unit/exec/backtrace_test.cpp -- wasm code offsets in trap backtraces, on every tier: the trapping instruction
// in the innermost frame, the call in the others (module-relative, and function-relative as wasm-c-api defines it),
// through host functions, and the innermost/outermost cap of deep backtraces (ExecContext::addFrame).
#include <catch2/catch.hpp>

#include <cstdio>
#include <optional>

#include "tests/unit/exec/exec_harness.h"

using namespace myrt;
using namespace myrt::test;

namespace {

// Function-relative offsets of the backtrace's frames (kNoWasmOffset where unknown).
std::vector<uint32_t> functionOffsets(const Trap& t) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < t.backtrace.size(); ++i) {
    const Instance* inst = t.backtraceInstances[i];
    out.push_back(inst && inst->module ? functionRelativeOffset(*inst->module, t.backtrace[i], t.offset(i))
                                       : kNoWasmOffset);
  }
  return out;
}

}  // namespace

TEST_CASE("backtrace: offsets of the trapping instruction and of the calls", "[exec][backtrace]") {
  std::vector<uint32_t> first;  // module offsets on the first tier: every tier must give the same
  for (const ExecTier& tier : tiers()) {
    INFO(tier.name);
    Session s(tier);
    REQUIRE(s.load(R"((module
      (func $inner (param i32) (result i32) (nop) (i32.div_u (i32.const 7) (local.get 0)))
      (func $mid (param i32) (result i32) (drop (i32.const 1)) (call $inner (local.get 0)))
      (func (export "outer") (param i32) (result i32) (call $mid (local.get 0))))
    )") == "");
    for (int round = 0; round < 4; ++round) {  // auto: the later rounds run JIT code
      CHECK(s.call("outer", {I32(0)}) == "integer divide by zero");
      REQUIRE(s.lastTrap.backtrace.size() == 3);
      // $inner: locals(1) nop(1) i32.const 7(2) local.get 0(2) -> i32.div_u at 6; $mid: locals i32.const(2) drop
      // local.get(2) -> call at 6; outer: locals local.get(2) -> call at 3.
      CHECK(functionOffsets(s.lastTrap) == std::vector<uint32_t>{6, 6, 3});
      if (first.empty()) first = s.lastTrap.backtraceOffsets;
      CHECK(s.lastTrap.backtraceOffsets == first);
      CHECK(s.lastTrap.framesOmitted == 0);
    }
    char line[64];
    std::snprintf(line, sizeof line, "\n  at inner (wasm offset 0x%x)\n", first[0]);
    CHECK(s.lastTrap.toString().find(line) != std::string::npos);
  }
}

TEST_CASE("backtrace: a trap in wasm called from a host function", "[exec][backtrace]") {
  std::vector<uint32_t> innerFirst, outerFirst;
  for (const ExecTier& tier : tiers()) {
    INFO(tier.name);
    Session s(tier);
    Instance* inst = nullptr;
    std::optional<Trap> nested;
    CompositeType ft;
    ft.params = {ValType::i32()};
    ft.results = {ValType::i32()};
    // The host function calls the module's export "inner" (which traps) and reports that trap as its own.
    FuncInst* host = s.store->newHostFunc(ft, [&](ExecContext& cx, std::span<const Value> args, std::span<Value> res) {
      FuncInst* inner = findExportedFunc(*inst, "inner");
      InvokeResult r = invoke(*s.store, inner, args, res);
      if (!r.trap) return TrapReason::None;
      nested = r.trap;
      return cx.hostTrap("host: " + r.trap->message);
    });
    Instance* env = s.store->newInstance();
    env->exports.emplace("callback", Extern::of(host));
    s.registerAs("env", env);
    REQUIRE(s.load(R"((module
      (import "env" "callback" (func $cb (param i32) (result i32)))
      (func $deep (param i32) (result i32) (i32.rem_s (i32.const 5) (local.get 0)))
      (func (export "inner") (param i32) (result i32) (call $deep (local.get 0)))
      (func $viaHost (param i32) (result i32) (call $cb (local.get 0)))
      (func (export "outer") (param i32) (result i32) (i32.add (i32.const 1) (call $viaHost (local.get 0)))))
    )", &inst) == "");
    for (int round = 0; round < 4; ++round) {
      nested.reset();
      CHECK(s.call("outer", {I32(0)}) == "host: integer divide by zero");
      REQUIRE(nested);
      REQUIRE(nested->backtrace.size() == 2);  // $deep at i32.rem_s, inner at its call
      CHECK(nested->backtrace[0] == 1);
      CHECK(functionOffsets(*nested) == std::vector<uint32_t>{5, 3});
      REQUIRE(s.lastTrap.backtrace.size() == 2);  // $viaHost at the call of the import, outer at its call
      CHECK(s.lastTrap.backtrace[0] == 3);
      CHECK(functionOffsets(s.lastTrap) == std::vector<uint32_t>{3, 5});
      if (innerFirst.empty()) innerFirst = nested->backtraceOffsets, outerFirst = s.lastTrap.backtraceOffsets;
      CHECK(nested->backtraceOffsets == innerFirst);
      CHECK(s.lastTrap.backtraceOffsets == outerFirst);
    }
  }
}

TEST_CASE("backtrace: deep recursion keeps the innermost and outermost frames", "[exec][backtrace]") {
  for (const ExecTier& tier : tiers()) {
    INFO(tier.name);
    StoreLimits limits;
    limits.maxCallDepth = 1000;
    Session s(tier, limits);
    REQUIRE(s.load(R"((module
      (func $rec (param i32) (result i32) (call $rec (i32.add (local.get 0) (i32.const 1))))
      (func (export "start") (result i32) (call $rec (i32.const 0))))
    )") == "");
    CHECK(s.call("start", {}) == "call stack exhausted");
    const Trap& t = s.lastTrap;
    REQUIRE(t.backtrace.size() == ExecContext::kBacktraceHead + ExecContext::kBacktraceTail);
    CHECK(t.framesOmitted == 1000 - t.backtrace.size());
    CHECK(t.backtrace.front() == 0);
    CHECK(t.backtrace.back() == 1);  // the outermost frame: "start"
    const std::vector<uint32_t> rel = functionOffsets(t);
    for (size_t i = 0; i + 1 < rel.size(); ++i) CHECK(rel[i] == 6);  // every $rec frame at its call
    CHECK(rel.back() == 3);
    const std::string text = t.toString();
    CHECK(text.find("(repeated 32 times)\n  ... " + std::to_string(t.framesOmitted) + " frames omitted\n  at rec") !=
          std::string::npos);
  }
}
