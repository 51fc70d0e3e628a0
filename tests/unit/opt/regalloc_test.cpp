// tests/unit/opt/regalloc_test.cpp -- liveness, linear-scan register allocation, edge moves and the allocation checker
// of the optimizing tier (jit/opt/regalloc.h), on IR built from wasm text.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "jit/opt/builder.h"
#include "jit/opt/ir.h"
#include "jit/opt/passes.h"
#include "jit/opt/regalloc.h"
#include "runtime/binary/decoder.h"
#include "runtime/text/wat.h"
#include "runtime/valid/validator.h"

using namespace myrt;
using namespace myrt::opt;

namespace {

opt::Func buildWat(const std::string& body) {
  auto bin = watToBinary("(module " + body + ")");
  REQUIRE(bin.ok());
  auto m = decodeModule(std::move(bin).value());
  REQUIRE(m.ok());
  REQUIRE(validateModule(*m).ok());
  auto f = buildFunction(*m, static_cast<uint32_t>(m->funcs.size() - 1));
  if (!f.ok()) FAIL(f.error().message);
  optimize(*f);
  REQUIRE(verify(*f).ok());
  return std::move(f).value();
}

// Allocates and checks; also that no two values whose intervals overlap share a location (the invariant the checker
// proves by simulation, here by brute force).
Allocation allocChecked(const opt::Func& f, const AllocTarget& t = {}) {
  auto a = allocateRegisters(f, t);
  if (!a.ok()) FAIL(a.error().message);
  Status s = checkAllocation(f, *a, t);
  if (!s.ok()) FAIL(s.error().message << "\n" << printAllocation(f, *a));
  std::vector<ValueId> vals;
  for (ValueId v = 0; v < f.insts.size(); ++v)
    if (a->loc[v].kind != Location::None) vals.push_back(v);
  for (size_t i = 0; i < vals.size(); ++i)
    for (size_t j = i + 1; j < vals.size(); ++j) {
      const Interval &x = a->intervals[vals[i]], &y = a->intervals[vals[j]];
      const bool overlap = x.start <= y.end && y.start <= x.end;
      if (overlap && a->loc[vals[i]] == a->loc[vals[j]] &&
          (a->loc[vals[i]].kind == Location::Slot || a->loc[vals[i]].cls == a->loc[vals[j]].cls))
        FAIL("v" << vals[i] << " and v" << vals[j] << " overlap in " << locationName(a->loc[vals[i]]) << "\n"
                 << printAllocation(f, *a));
    }
  return std::move(a).value();
}

// Runs moves one after another on a map of location name -> value and returns the final map.
std::map<std::string, int> run(const std::vector<Move>& moves, std::map<std::string, int> st) {
  for (const Move& m : moves) st[locationName(m.dst)] = st[locationName(m.src)];
  return st;
}

Location gp(uint32_t i) { return Location::reg(RegClass::Gp, i); }
Location fp(uint32_t i) { return Location::reg(RegClass::Fp, i); }

}  // namespace

TEST_CASE("parallel moves: chains in order, cycles through the class's scratch, self moves dropped", "[opt]") {
  std::map<std::string, int> init{{"r0", 0}, {"r1", 1}, {"r2", 2}, {"r3", 3}, {"x0", 10}, {"x1", 11}, {"s0", 20}, {"s1", 21}};
  SECTION("swap") {
    auto seq = sequentializeMoves({{gp(0), gp(1)}, {gp(1), gp(0)}});
    CHECK(seq.size() == 3);
    auto st = run(seq, init);
    CHECK(st["r0"] == 1);
    CHECK(st["r1"] == 0);
  }
  SECTION("three-cycle and a chain hanging off it") {
    // r0 <- r1, r1 <- r2, r2 <- r0, r3 <- r0 (r3 must get r0's old value)
    auto seq = sequentializeMoves({{gp(0), gp(1)}, {gp(1), gp(2)}, {gp(2), gp(0)}, {gp(3), gp(0)}});
    auto st = run(seq, init);
    CHECK(st["r0"] == 1);
    CHECK(st["r1"] == 2);
    CHECK(st["r2"] == 0);
    CHECK(st["r3"] == 0);
    CHECK(seq.size() <= 5);
  }
  SECTION("an FP cycle through slots uses the FP scratch") {
    Location s0 = Location::slot(RegClass::Fp, 0), s1 = Location::slot(RegClass::Fp, 1);
    auto seq = sequentializeMoves({{s0, s1}, {s1, s0}, {fp(0), fp(1)}});
    auto st = run(seq, init);
    CHECK(st["s0"] == 21);
    CHECK(st["s1"] == 20);
    CHECK(st["x0"] == 11);
    bool fpScratch = false;
    for (const Move& m : seq) fpScratch |= m.dst.kind == Location::Scratch && m.dst.cls == RegClass::Fp;
    CHECK(fpScratch);
  }
  SECTION("a cycle through slots that change class (an f32 and an i64 swap slots): saved by the value's class") {
    // s3 <- s2 (an f32 value), s2 <- s3 (an i64 value)
    auto seq = sequentializeMoves({{Location::slot(RegClass::Fp, 3), Location::slot(RegClass::Fp, 2)},
                                   {Location::slot(RegClass::Gp, 2), Location::slot(RegClass::Gp, 3)}});
    init["s2"] = 30;
    init["s3"] = 31;
    auto st = run(seq, init);
    CHECK(st["s3"] == 30);
    CHECK(st["s2"] == 31);
    for (const Move& m : seq) {
      INFO(locationName(m.dst) << " <- " << locationName(m.src));
      CHECK(m.src.cls == m.dst.cls);  // the code generator moves by this class
      if (m.dst.kind == Location::Scratch) CHECK(m.src.cls == RegClass::Gp);  // the i64 in s3 is saved
    }
  }
  SECTION("self moves and fan-out") {
    auto seq = sequentializeMoves({{gp(0), gp(0)}, {gp(1), gp(2)}, {gp(3), gp(2)}, {gp(2), gp(1)}});
    auto st = run(seq, init);
    CHECK(st["r0"] == 0);
    CHECK(st["r1"] == 2);
    CHECK(st["r2"] == 1);
    CHECK(st["r3"] == 2);
    for (const Move& m : seq) CHECK(!(m.dst == m.src));
  }
}

TEST_CASE("straight-line code gets registers, a result reuses the register of an operand that dies", "[opt]") {
  opt::Func f = buildWat(R"((func (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.add local.get 0 i32.mul))");
  Allocation a = allocChecked(f);
  CHECK(a.numSlots == 0);
  CHECK(a.spilledAcrossCalls + a.spilledForPressure == 0);
  const std::string t = printAllocation(f, a);
  INFO(t);
  CHECK(t.find("b0(v0: i32 @r0, v1: i32 @r1)") != std::string::npos);
  // v1 dies at the add: the sum takes its register; v0 lives on to the mul
  CHECK(t.find("i32.add v0, v1") != std::string::npos);
  CHECK(t.find(": i32 @r1 = i32.add") != std::string::npos);
}

TEST_CASE("registers run out: the interval ending last is spilled, the checker agrees", "[opt]") {
  std::string body = "(func (param i32) (result i32)";
  for (int i = 0; i < 8; ++i) body += " local.get 0 i32.const " + std::to_string(i + 1) + " i32.add";
  for (int i = 0; i < 7; ++i) body += " i32.add";
  body += ")";
  opt::Func f = buildWat(body);
  AllocTarget t;
  t.gpRegs = 3;
  Allocation a = allocChecked(f, t);
  CHECK(a.spilledForPressure > 0);
  CHECK(a.numSlots > 0);
  Allocation roomy = allocChecked(f);  // 7 registers
  CHECK(roomy.spilledForPressure < a.spilledForPressure);
}

TEST_CASE("a value live across a call lives in a slot; one that dies at the call keeps a register", "[opt]") {
  opt::Func f = buildWat(R"((func $g (param i32) (result i32) local.get 0)
    (func (param i32 i32) (result i32)
      local.get 1 call $g local.get 0 i32.add))");
  Allocation a = allocChecked(f);
  const std::string t = printAllocation(f, a);
  INFO(t);
  CHECK(a.spilledAcrossCalls == 1);  // v0 (used after the call)
  CHECK(a.loc[f.blocks[0].params[0]].kind == Location::Slot);
  CHECK(a.loc[f.blocks[0].params[1]].kind == Location::Reg);  // the call's argument only
  // a target whose calls clobber nothing keeps everything in registers
  AllocTarget t2;
  t2.clobbers = [](const Inst&) { return false; };
  Allocation b = allocChecked(f, t2);
  CHECK(b.numSlots == 0);
}

TEST_CASE("loops: header parameters, a swap on the back edge resolved through the scratch register", "[opt]") {
  // each iteration swaps locals 1 and 2 (a cycle in the back edge's parallel move) and counts local 0 down
  opt::Func f = buildWat(R"((func (param i32 i32 i32) (result i32) (local i32)
    block
      loop
        local.get 0 i32.eqz br_if 1
        local.get 1 local.set 3 local.get 2 local.set 1 local.get 3 local.set 2
        local.get 0 i32.const 1 i32.sub local.set 0
        br 0
      end
    end
    local.get 1 local.get 2 i32.const 16 i32.shl i32.or))");
  Allocation a = allocChecked(f);
  const std::string t = printAllocation(f, a);
  INFO(t);
  CHECK(a.numSlots == 0);
  bool cycle = false;
  for (BlockId b : a.order)
    for (uint32_t s = 0; s < f.blocks[b].succs.size(); ++s)
      for (const Move& m : edgeMoves(f, a, b, s)) cycle |= m.dst.kind == Location::Scratch;
  CHECK(cycle);
  AllocTarget tight;
  tight.gpRegs = 2;
  Allocation b = allocChecked(f, tight);
  CHECK(b.numSlots > 0);
}

TEST_CASE("floats take the FP class; br_table edges carry their own moves", "[opt]") {
  opt::Func f = buildWat(R"((func (param i32 f64 f64) (result f64)
    block (result f64)
      block (result f64)
        local.get 1
        local.get 2
        local.get 0
        br_table 0 1 0
      end
      local.get 2 f64.mul
    end
    local.get 1 f64.add))");
  Allocation a = allocChecked(f);
  INFO(printAllocation(f, a));
  CHECK(a.loc[f.blocks[0].params[0]].cls == RegClass::Gp);
  CHECK(a.loc[f.blocks[0].params[1]].cls == RegClass::Fp);
  CHECK(a.loc[f.blocks[0].params[2]].cls == RegClass::Fp);
}

TEST_CASE("the checker rejects allocations that break the invariants", "[opt]") {
  opt::Func f = buildWat(R"((func $g (param i32) (result i32) local.get 0)
    (func (param i32 i32) (result i32)
      local.get 0 local.get 1 i32.add
      local.get 1 call $g
      i32.add))");
  Allocation good = allocChecked(f);
  SECTION("two live values in one register") {
    Allocation bad = good;
    const ValueId p0 = f.blocks[0].params[0], p1 = f.blocks[0].params[1];
    bad.loc[p1] = bad.loc[p0] = Location::reg(RegClass::Gp, 0);
    CHECK(!checkAllocation(f, bad).ok());
  }
  SECTION("a value live across the call moved to a register") {
    Allocation bad = good;
    bool moved = false;
    for (ValueId v = 0; v < f.insts.size(); ++v)
      if (bad.loc[v].kind == Location::Slot) {
        bad.loc[v] = Location::reg(RegClass::Gp, 6);
        moved = true;
      }
    REQUIRE(moved);
    Status s = checkAllocation(f, bad);
    REQUIRE(!s.ok());
    CHECK(s.error().message.find("does not hold it") != std::string::npos);
  }
  SECTION("a value in the wrong class") {
    Allocation bad = good;
    bad.loc[f.blocks[0].params[0]] = Location::reg(RegClass::Fp, 0);
    CHECK(!checkAllocation(f, bad).ok());
  }
}
