// tests/unit/exec/jit_reuse_test.cpp -- one x86-64 ModuleCompiler compiles many functions (jit/x64/compiler.h: the
// Compiler, reader and assembler are reset per function, not rebuilt): each function's code, call fixups, OSR entry
// and code map must be the same whatever was compiled before it with the same ModuleCompiler.
#include <catch2/catch.hpp>
#include <cstring>

#include "exec_harness.h"

#if defined(__x86_64__)
#include "jit/x64/compiler.h"

using namespace myrt;
using namespace myrt::test;

namespace {

const char* kModule = R"((module
  (memory 1)
  (table 2 funcref)
  (type $t (func (param i32) (result i32)))
  (func $sum (param i32) (result i32) (local i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get 0)))
      (local.set 1 (i32.add (local.get 1) (local.get 0)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br $l)))
    (local.get 1))
  (func $mem (param i32) (result i64)
    (i64.store (local.get 0) (i64.const 7))
    (if (result i64) (i32.lt_u (local.get 0) (i32.const 100))
      (then (i64.load (local.get 0)))
      (else (i64.const 3))))
  (func $simd (param i32) (result i32)
    (i32x4.extract_lane 2 (i32x4.add (v128.const i32x4 1 2 3 4) (i32x4.splat (local.get 0)))))
  (func $switch (param i32) (result i32)
    (block $a (block $b (block $c (br_table $a $b $c (local.get 0))) (return (i32.const 1))) (return (i32.const 2)))
    (i32.add (call $sum (local.get 0)) (call_indirect (type $t) (local.get 0) (i32.const 0))))
  (func $div (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (elem (i32.const 0) $sum $simd))
)";

struct Compiled {
  std::vector<uint8_t> code;
  std::vector<jit::x64::ModuleCompiler::CallFixup> fixups;
  jit::x64::ModuleCompiler::OsrInfo osr;
  std::vector<jit::x64::ModuleCompiler::Site> sites;
  uint32_t faultLanding = 0;
};

Compiled compileWith(jit::x64::ModuleCompiler& mc, uint32_t f) {
  Compiled c;
  Status s = mc.compile(f, c.code, &c.fixups, &c.osr);
  REQUIRE(s.ok());
  c.sites = mc.sites();
  c.faultLanding = mc.faultLanding();
  return c;
}

void requireSame(const Compiled& a, const Compiled& b) {
  REQUIRE(a.code == b.code);
  REQUIRE(a.fixups.size() == b.fixups.size());
  for (size_t i = 0; i < a.fixups.size(); ++i) {
    REQUIRE(a.fixups[i].offset == b.fixups[i].offset);
    REQUIRE(a.fixups[i].calleeIndex == b.fixups[i].calleeIndex);
  }
  REQUIRE(a.osr.entryOffset == b.osr.entryOffset);
  REQUIRE(a.osr.loops.size() == b.osr.loops.size());
  for (size_t i = 0; i < a.osr.loops.size(); ++i) {
    REQUIRE(a.osr.loops[i].wasmOffset == b.osr.loops[i].wasmOffset);
    REQUIRE(a.osr.loops[i].codeOffset == b.osr.loops[i].codeOffset);
    REQUIRE(a.osr.loops[i].slots == b.osr.loops[i].slots);
  }
  REQUIRE(a.sites.size() == b.sites.size());
  for (size_t i = 0; i < a.sites.size(); ++i) REQUIRE(std::memcmp(&a.sites[i], &b.sites[i], sizeof a.sites[i]) == 0);
  REQUIRE(a.faultLanding == b.faultLanding);
}

}  // namespace

TEST_CASE("jit x64: a reused ModuleCompiler compiles each function as a fresh one does") {
  if (!jit::x64::cpuSupported()) {
    FAIL("the JIT tier needs SSE4.1: this CPU cannot run the JIT tests");
  }
  Session s(tiers().front());
  Instance* inst = nullptr;
  REQUIRE(s.load(kModule, &inst) == "");
  const uint32_t n = static_cast<uint32_t>(inst->module->funcs.size());
  REQUIRE(n == 5);
  std::vector<Compiled> fresh;
  for (uint32_t f = 0; f < n; ++f) {
    jit::x64::ModuleCompiler mc(*inst);
    fresh.push_back(compileWith(mc, f));
    REQUIRE(!fresh.back().code.empty());
  }
  REQUIRE(!fresh[0].osr.loops.empty());  // the loop gets an OSR target
  REQUIRE(!fresh[3].fixups.empty());  // the direct call
  jit::x64::ModuleCompiler reused(*inst);
  for (uint32_t f = n; f-- > 0;) requireSame(compileWith(reused, f), fresh[f]);  // backwards, then forwards again
  for (uint32_t f = 0; f < n; ++f) requireSame(compileWith(reused, f), fresh[f]);
  // A function that fails (an unknown index) leaves nothing behind either.
  std::vector<uint8_t> out;
  REQUIRE(!reused.compile(n + 7, out).ok());
  REQUIRE(out.empty());
  for (uint32_t f = 0; f < n; ++f) requireSame(compileWith(reused, f), fresh[f]);
}
#endif
