// jit/opt/regalloc.h -- liveness and linear-scan register allocation over the SSA IR (issue 16, step 2), and an
// independent checker of the result. ISA-neutral: a target says how many registers each class has and which
// instructions clobber them (calls: every allocatable register is caller-saved in the runtime's convention, as in the
// baseline JIT); register numbers here are indices within a class (the code generator maps them to machine registers).
// Layer: jit/opt.
//
// Liveness: exact per-value live blocks by path exploration from each use back to the definition (SSA: the definition
// dominates every use), over the linear order (reverse postorder). Each value then gets one interval, the hull of the
// positions where it is live (from its definition to its last live position in the linear order): conservative, so
// two values whose hulls do not overlap are never live at the same time. An instruction reads its operands at its
// position p and defines its value at p+1, so a result may take the register of an operand that dies there.
//
// Allocation: Poletto and Sarkar's linear scan over the hulls per class (GP: i32/i64/ref; FP: f32/f64/v128). A value
// live across a clobbering instruction (a call: defined before it and used after it) lives in a spill slot for its
// whole life (no interval splitting yet: the simple form of "spill around calls"); when a class runs out of registers
// the interval that ends last is spilled. Spill slots (16-byte Value slots, so any class fits) are reused once their
// value is dead.
//
// Block parameters: every edge into a block with parameters is a parallel move from the arguments' locations to the
// parameters' locations; edgeMoves() orders it (moves whose destination no other move still reads first, a cycle
// broken through the class's scratch location). Moves on the edges of a br_if / br_table run on that edge only (the
// code generator puts them in a stub per edge), so they may overwrite anything not live into the edge's target.
//
// checkAllocation() verifies a result without trusting the interval code: it simulates which value every location
// holds (definitions write, clobbering instructions erase every register, edge moves run in the order edgeMoves()
// gives, meets over predecessors to a fixed point) and requires every operand to be found in its value's location.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "jit/opt/ir.h"
#include "runtime/base/result.h"

namespace myrt::opt {

enum class RegClass : uint8_t { Gp, Fp };
RegClass regClassOf(Ty t);  // i32, i64, ref: Gp; f32, f64, v128: Fp

struct Location {
  enum Kind : uint8_t { None, Reg, Slot, Scratch };
  Kind kind = None;
  RegClass cls = RegClass::Gp;  // Reg and Scratch: the class; Slot: the class of the value it holds here
  uint32_t index = 0;           // Reg: register index within the class; Slot: spill slot number
  static Location reg(RegClass c, uint32_t i) { return {Reg, c, i}; }
  static Location slot(RegClass c, uint32_t i) { return {Slot, c, i}; }
  static Location scratch(RegClass c) { return {Scratch, c, 0}; }
  bool operator==(const Location& o) const {
    return kind == o.kind && index == o.index && (kind == Slot || kind == None || cls == o.cls);
  }
};
std::string locationName(const Location& l);  // "r3", "x1" (FP), "s4", "scratch.gp", "-"

struct AllocTarget {
  uint32_t gpRegs = 7;   // allocatable registers per class
  uint32_t fpRegs = 14;
  // Instructions that clobber every allocatable register (calls and anything the code generator implements with a
  // call); nullptr: Call, CallIndirect and Opaque.
  bool (*clobbers)(const Inst&) = nullptr;
};
bool defaultClobbers(const Inst& i);

struct Interval {
  uint32_t start = 0, end = 0;  // positions in the linear order, inclusive (start: the definition)
};

struct Allocation {
  std::vector<BlockId> order;         // the linear order (reverse postorder of the reachable blocks)
  std::vector<uint32_t> blockStart;   // position of each block's start (its parameters' definition); per BlockId
  std::vector<uint32_t> instPos;      // position of each instruction (its operands' reads); per ValueId
  std::vector<Interval> intervals;    // per ValueId (meaningful where loc[v].kind != None)
  std::vector<Location> loc;          // per ValueId: None for values without a type (stores, calls without one result)
                                      // and for dead instructions
  uint32_t numSlots = 0;              // spill slots used
  uint32_t spilledAcrossCalls = 0;    // values in slots because they live across a clobbering instruction
  uint32_t spilledForPressure = 0;    // values in slots because their class ran out of registers
};

Result<Allocation> allocateRegisters(const Func& f, const AllocTarget& target = {});

struct Move {
  Location dst, src;
};
// The moves of edge `succ` of block `from`, in an order that runs them correctly one after another (a cycle goes
// through Location::scratch of the class of the value it saves); moves of a location to itself are left out. Both
// sides of every move carry the class of the value moved (Location::cls), which the code generator moves by: a slot
// may hold a value of another class before the edge than after it.
std::vector<Move> edgeMoves(const Func& f, const Allocation& a, BlockId from, uint32_t succ);
// Orders a parallel move (destinations distinct): the algorithm behind edgeMoves, exposed for tests.
std::vector<Move> sequentializeMoves(std::vector<Move> parallel);

// The independent check described above; an error names the block, the instruction and the location.
Status checkAllocation(const Func& f, const Allocation& a, const AllocTarget& target = {});

// The IR text with each value's location ("v5: i32 @r2 = ..."), for tests and `myrt inspect --dump-ir --regalloc`.
std::string printAllocation(const Func& f, const Allocation& a, const Module* m = nullptr);

}  // namespace myrt::opt
