// jit/opt/ir.h -- the optimizing tier's SSA IR (issue 16, step 1).
// Layer: jit/opt (ISA-neutral; depends on runtime/wasm for Op and value types and on runtime/semantics for V128).
// Nothing here emits machine code: the IR is built from a validated function body (builder.h), optimized (passes.h)
// and printed (printIr) for tests and `myrt inspect --dump-ir`.
//
// Shape: a function is a list of basic blocks; blocks[0] is the entry, whose parameters are the function's parameters.
// Every value is an instruction (Inst) identified by its index in Func::insts (ValueId). Merges use block parameters
// instead of phi instructions: a terminator names its successors with the arguments for their parameters (Edge), the
// way Cranelift and MLIR do, so there is no phi placement to keep consistent with predecessor order.
// Numeric operators keep their wasm Op (the one opcode table), so constant folding evaluates them with the semantics
// every tier shares (evalNumeric) and no second copy of the arithmetic exists. Every instruction keeps the wasm byte
// offset it came from: traps and backtraces stay exact.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/base/result.h"
#include "runtime/semantics/numeric_simd.h"
#include "runtime/wasm/module.h"
#include "runtime/wasm/opcodes.h"

namespace myrt::opt {

enum class Ty : uint8_t { None, I32, I64, F32, F64, V128, Ref };
const char* tyName(Ty t);
Ty tyOf(ValKind k);  // Bot (unreachable code) -> None

using ValueId = uint32_t;
using BlockId = uint32_t;
constexpr uint32_t kNoId = UINT32_MAX;

enum class Kind : uint8_t {
  Param,         // a block parameter: aux = its block, imm = its position in Block::params
  Const,         // i32/i64/f32/f64: the bits in imm; v128: Func::v128s[aux]; ref: the null reference (imm 0)
  Numeric,       // the wasm numeric operator `op` over args (semantics: evalNumeric); lane and shuffle immediates in
                 // Func::v128s[aux] (kNoId without one)
  Select,        // args: a b cond
  GlobalGet,     // aux = global index
  GlobalSet,     // aux = global index; args: value
  Load,          // op = the wasm load; args: address; imm = offset; aux = memory index
  Store,         // op = the wasm store; args: address value; imm = offset; aux = memory index
  Call,          // aux = function index; args: the arguments; ty: the single result (None: none or several, see Proj)
  CallIndirect,  // aux = type index; imm = table index; args: the arguments, then the table index operand
  Proj,          // result imm of a call with several results (args: the call)
  Opaque,        // any other wasm instruction kept as is (memory.fill, table.get, ref.func ...): op; aux/imm = its first
                 // two index immediates (memory/table/segment/function); args in stack order; may trap or have effects
  // terminators: the last instruction of a block; successors in Block::succs
  Jump,          // to succs[0]
  Branch,        // args: cond; succs[0] when cond != 0, succs[1] otherwise
  Switch,        // args: index; succs[i] for index i < n, succs[n] (the last) otherwise
  Return,        // args: the function's results
  Trap,          // `unreachable` (imm: a TrapReason)
};
const char* kindName(Kind k);
bool isTerminator(Kind k);

struct Inst {
  Kind kind = Kind::Const;
  Op op = Op::Nop;
  Ty ty = Ty::None;  // the type of the value it defines (None: no value)
  BlockId block = kNoId;
  uint32_t aux = 0;
  uint64_t imm = 0;
  uint32_t offset = 0;  // wasm byte offset of the instruction it came from
  std::vector<ValueId> args;
};

struct Edge {
  BlockId to = kNoId;
  std::vector<ValueId> args;  // one per parameter of `to`
};

// One incoming edge: the predecessor and which of its successors it is (a switch may reach a block twice).
struct PredRef {
  BlockId from = kNoId;
  uint32_t succ = 0;
};

struct Block {
  std::vector<ValueId> params;
  std::vector<ValueId> insts;  // in order; the last one is the terminator (once the block is complete)
  std::vector<Edge> succs;
  std::vector<PredRef> preds;  // kept up to date by the builder; rebuildPreds() recomputes it after CFG changes
  bool removed = false;        // unreachable, dropped by a pass (its instructions are dead)
};

struct Func {
  uint32_t index = 0;  // in the module's function index space
  std::vector<Ty> params, results;
  // An OSR version (buildFunction's osrLoop): entered at the head of the loop at this wasm offset, with block 0's
  // parameters the frame's slots there (the locals, then the operand stack below the loop and its params); kNoOsr:
  // the function's own entry (block 0's parameters are its parameters).
  static constexpr uint32_t kNoOsr = UINT32_MAX;
  uint32_t osrLoop = kNoOsr;
  std::vector<Inst> insts;
  std::vector<Block> blocks;
  std::vector<V128> v128s;

  const Inst& operator[](ValueId v) const { return insts[v]; }
  Inst& operator[](ValueId v) { return insts[v]; }
  // The instruction ending block b (nullptr while it has none).
  const Inst* terminator(BlockId b) const;
};

// Recomputes every live block's preds from the successors of the live blocks.
void rebuildPreds(Func& f);

// Rewrites every use (instruction and edge arguments) of a value v with repl[v] != kNoId to what that forwards to
// (chains followed; repl has one entry per value, and is path-compressed on the way).
void forwardUses(Func& f, std::vector<ValueId>& repl);
// The value v forwards to in repl (v itself when it is not forwarded).
ValueId forwarded(std::vector<ValueId>& repl, ValueId v);

// Removes the block parameters with drop[v] set, and the matching argument of every incoming edge (preds must be
// current); the remaining parameters are renumbered.
void dropParams(Func& f, const std::vector<uint8_t>& drop);

// Marks the live blocks no path from the entry reaches as removed (their instructions become dead) and rebuilds the
// predecessor lists. Returns whether any block was removed.
bool removeUnreachableBlocks(Func& f);

// Checks the invariants: every live block ends in exactly one terminator with the right number of successors, edge
// arguments match the target's parameters in number and type, every argument is defined, of the type its use needs
// where the IR knows it, and dominates the use (single-pass check in a dominator-respecting order).
Status verify(const Func& f);

// Text form, one instruction per line ("  v7 = i32.add v3, v6  @0x2c"); blocks as "b2(v4: i32, v5: i64):" with their
// predecessors. `m` (optional) names functions from the name section.
std::string printIr(const Func& f, const Module* m = nullptr);

}  // namespace myrt::opt
