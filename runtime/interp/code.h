// runtime/interp/code.h -- the interpreter's internal code: the list of internal ops (IOps), the per-function code
// object produced by the lowering, and the interface between the lowering (lower.cpp) and the dispatch loop
// (run.cpp). Internal to runtime/interp.
// Layer: interp (depends on exec's runtime objects, wasm's opcode table, semantics/numeric*.h).
//
// Code format: a stream of 32-bit words. Each instruction is a handler address (2 words, memcpy'd; direct threading
// with computed goto) followed by its operands. Operands are frame slot indices (fp[i]) resolved at lowering time,
// immediates, or absolute word indices of branch targets. A frame is [params, locals, hidden locals, operand stack
// slots, scratch];
// a call passes its arguments in place: the callee's frame starts at the caller's slot of the first argument, and
// results come back in the same slots.
#pragma once
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "runtime/binary/instr.h"
#include "runtime/exec/store.h"
#include "runtime/semantics/gc.h"
#include "runtime/semantics/numeric_simd.h"

namespace myrt::interp {

// Internal ops other than the numeric ones. Operands listed after each.
#define MYRT_IOPS_CONTROL(X)                                                                     \
  X(Unreachable)      /* */                                                                    \
  X(Jump)             /* target */                                                             \
  X(BrIf)             /* cond target */                                                        \
  X(BrUnless)         /* cond target */                                                        \
  X(BrTable)          /* idx n target*(n+1) (last = default) */                                \
  X(Copy)             /* dst src */                                                            \
  X(Ret)              /* (results already in slots 0..r) */                                    \
  X(Call)             /* funcIdx base */                                                       \
  X(CallIndirect)     /* typeIdx tableIdx idxSlot base */                                      \
  X(CallRef)          /* refSlot base */                                                       \
  X(TailCall)         /* funcIdx (args already in slots 0..n) */                               \
  X(TailCallIndirect) /* typeIdx tableIdx idxSlot */                                           \
  X(TailCallRef)      /* refSlot */                                                            \
  X(Select)           /* dst a b cond */                                                       \
  X(Const32)          /* dst imm */                                                            \
  X(Const64)          /* dst lo hi */                                                          \
  X(ConstV128)        /* dst w0 w1 w2 w3 */                                                    \
  X(GlobalGet)        /* dst idx */                                                            \
  X(GlobalSet)        /* idx src */                                                            \
  X(MemorySize)       /* dst mem */                                                            \
  X(MemoryGrow)       /* dst delta mem */                                                      \
  X(MemoryFill)       /* d val n mem */                                                        \
  X(MemoryCopy)       /* d s n dstMem srcMem */                                                \
  X(MemoryInit)       /* d s n seg mem */                                                      \
  X(DataDrop)         /* seg */                                                                \
  X(TableGet)         /* dst idx table */                                                      \
  X(TableSet)         /* idx val table */                                                      \
  X(TableSize)        /* dst table */                                                          \
  X(TableGrow)        /* dst init delta table */                                               \
  X(TableFill)        /* i val n table */                                                      \
  X(TableCopy)        /* d s n dstTable srcTable */                                            \
  X(TableInit)        /* d s n seg table */                                                    \
  X(ElemDrop)         /* seg */                                                                \
  X(RefNull)          /* dst */                                                                \
  X(RefIsNull)        /* dst src */                                                            \
  X(RefFunc)          /* dst funcIdx */                                                        \
  X(RefAsNonNull)     /* dst src */                                                            \
  X(RefEq)            /* dst a b */                                                            \
  X(Throw)            /* tagIdx base n (payload in slots [base, base+n)) */                    \
  X(ThrowRef)         /* exnSlot */                                                            \
  X(Gc)               /* op dst s0 s1 s2 s3 s4 imm0 imm1 imm2 (semantics/gc.h) */                       \
  X(JumpBack)         /* target cost: a loop back-edge (polls interruption, charges fuel) */  \
  X(BrIfBack)         /* cond target cost */                                                   \
  X(BrUnlessBack)     /* cond target cost */                                                   \
  X(BrIf64)           /* cond target (i64 condition: fused i64.eqz+br_if) */                   \
  X(BrUnless64)       /* cond target */                                                        \
  X(BrIf64Back) X(BrUnless64Back) /* cond target cost */                                       \
  X(SimdLoad)         /* dst addr mem offLo offHi op lane vecSlot (v128 loads incl. lane/splat/zero/extend) */ \
  X(SimdStore)        /* addr src mem offLo offHi op lane */                                   \
  X(Atomic)           /* dst op mem offLo offHi a v1 v2 (threads; semantics/atomic.h) */

// Scalar loads/stores: X(Name, ValueMember, MemoryType, ValueType). Operands: dst/src, addr, mem, offLo, offHi.
// `mem` has bit 31 set for a 64-bit memory (the address operand is then i64).
#define MYRT_IOPS_LOAD(X)                                                                      \
  X(I32Load, i32, uint32_t, uint32_t) X(I64Load, i64, uint64_t, uint64_t)                     \
  X(F32Load, f32, float, float) X(F64Load, f64, double, double)                               \
  X(I32Load8S, i32, int8_t, uint32_t) X(I32Load8U, i32, uint8_t, uint32_t)                    \
  X(I32Load16S, i32, int16_t, uint32_t) X(I32Load16U, i32, uint16_t, uint32_t)                \
  X(I64Load8S, i64, int8_t, uint64_t) X(I64Load8U, i64, uint8_t, uint64_t)                    \
  X(I64Load16S, i64, int16_t, uint64_t) X(I64Load16U, i64, uint16_t, uint64_t)                \
  X(I64Load32S, i64, int32_t, uint64_t) X(I64Load32U, i64, uint32_t, uint64_t)
#define MYRT_IOPS_STORE(X)                                                                     \
  X(I32Store, i32, uint32_t) X(I64Store, i64, uint64_t) X(F32Store, f32, float)               \
  X(F64Store, f64, double) X(I32Store8, i32, uint8_t) X(I32Store16, i32, uint16_t)            \
  X(I64Store8, i64, uint8_t) X(I64Store16, i64, uint16_t) X(I64Store32, i64, uint32_t)

// Fused compare+branch: Br##T##Cmp (a b target), Br##T##Cmp##Imm (a imm target; imm is one word for i32, lo hi for
// i64), and ##Back variants of both for loop back-edges (an extra `cost` word: polls interruption, charges fuel).
// X(Cmp, C++ operator, signed)
#define MYRT_BR_CMPS(X)                                                                                  \
  X(Eq, ==, false) X(Ne, !=, false) X(LtS, <, true) X(LtU, <, false) X(GtS, >, true) X(GtU, >, false)    \
  X(LeS, <=, true) X(LeU, <=, false) X(GeS, >=, true) X(GeU, >=, false)
#define MYRT_IOP_BR_NAMES(Cmp, ...)                                                                      \
  MYRT_IOP_X(BrI32##Cmp) MYRT_IOP_X(BrI32##Cmp##Imm) MYRT_IOP_X(BrI64##Cmp) MYRT_IOP_X(BrI64##Cmp##Imm)  \
  MYRT_IOP_X(BrI32##Cmp##Back) MYRT_IOP_X(BrI32##Cmp##Imm##Back) MYRT_IOP_X(BrI64##Cmp##Back)            \
  MYRT_IOP_X(BrI64##Cmp##Imm##Back)

// Binary scalar numeric ops that also have forms with a constant operand (the constant is an immediate: one word for
// 32-bit operand types, lo hi for 64-bit): name##Imm (dst a imm) for all of them, name##ImmL (dst imm b) for the
// non-comparisons (a comparison with a constant first operand is lowered as the mirrored comparison).
#define MYRT_IOPS_BIN_CMP(X)                                                                             \
  X(I32Eq) X(I32Ne) X(I32LtS) X(I32LtU) X(I32GtS) X(I32GtU) X(I32LeS) X(I32LeU) X(I32GeS) X(I32GeU)      \
  X(I64Eq) X(I64Ne) X(I64LtS) X(I64LtU) X(I64GtS) X(I64GtU) X(I64LeS) X(I64LeU) X(I64GeS) X(I64GeU)      \
  X(F32Eq) X(F32Ne) X(F32Lt) X(F32Gt) X(F32Le) X(F32Ge) X(F64Eq) X(F64Ne) X(F64Lt) X(F64Gt) X(F64Le) X(F64Ge)
#define MYRT_IOPS_BIN_ARITH(X)                                                                           \
  X(I32Add) X(I32Sub) X(I32Mul) X(I32DivS) X(I32DivU) X(I32RemS) X(I32RemU) X(I32And) X(I32Or) X(I32Xor)  \
  X(I32Shl) X(I32ShrS) X(I32ShrU) X(I32Rotl) X(I32Rotr)                                                  \
  X(I64Add) X(I64Sub) X(I64Mul) X(I64DivS) X(I64DivU) X(I64RemS) X(I64RemU) X(I64And) X(I64Or) X(I64Xor)  \
  X(I64Shl) X(I64ShrS) X(I64ShrU) X(I64Rotl) X(I64Rotr)                                                  \
  X(F32Add) X(F32Sub) X(F32Mul) X(F32Div) X(F32Min) X(F32Max) X(F32Copysign)                             \
  X(F64Add) X(F64Sub) X(F64Mul) X(F64Div) X(F64Min) X(F64Max) X(F64Copysign)

// Two f64 ops in one: F64##P##C##L (dst a b c) = C(P(a, b), c), F64##P##C##R = C(c, P(a, b)), for P, C in
// add/sub/mul -- when P's result is a temporary consumed right away by C (each op still rounds on its own).
#define MYRT_F64_PAIRS(X) X(Add) X(Sub) X(Mul)
#define MYRT_IOP_F64_PAIR_NAMES(P)                                                                       \
  MYRT_IOP_X(F64##P##AddL) MYRT_IOP_X(F64##P##AddR) MYRT_IOP_X(F64##P##SubL) MYRT_IOP_X(F64##P##SubR)    \
  MYRT_IOP_X(F64##P##MulL) MYRT_IOP_X(F64##P##MulR)

// An f64 add/sub/mul with an operand loaded from memory 0 (the load's result consumed right away):
// F64##C##LoadM0##L|R and F64##C##LoadM0G##L|R: dst addr imm off shift other (the M0/M0G address operands), computing
// C(mem, other) (L) or C(other, mem) (R).
#define MYRT_IOP_F64_LOADOP_NAMES(C)                                                                     \
  MYRT_IOP_X(F64##C##LoadM0L) MYRT_IOP_X(F64##C##LoadM0R) MYRT_IOP_X(F64##C##LoadM0GL)                   \
  MYRT_IOP_X(F64##C##LoadM0GR)

// All internal ops in enum order. Object-like: define MYRT_IOP_X(name) before expanding MYRT_IOPS_ALL, e.g.
//   #define MYRT_IOP_X(name) &&L_##name,   ... MYRT_IOPS_ALL ...   #undef MYRT_IOP_X
#define MYRT_IOP_NAME_MEM(name, ...) MYRT_IOP_X(name)
#define MYRT_IOP_NAME_MEM_G(name, ...) MYRT_IOP_X(name##G)
#define MYRT_IOP_NAME_MEM0(name, ...) MYRT_IOP_X(name##M0)
#define MYRT_IOP_NAME_MEM0_G(name, ...) MYRT_IOP_X(name##M0G)
#define MYRT_IOP_NAME_STORE_K(name, ...) MYRT_IOP_X(name##M0K) MYRT_IOP_X(name##M0GK)
#define MYRT_IOP_NAME_IMM(name) MYRT_IOP_X(name##Imm)
#define MYRT_IOP_NAME_IMML(name) MYRT_IOP_X(name##ImmL)
#define MYRT_IOPS_ALL                                                                                    \
  MYRT_IOPS_CONTROL(MYRT_IOP_X) MYRT_BR_CMPS(MYRT_IOP_BR_NAMES)                                           \
  MYRT_IOPS_LOAD(MYRT_IOP_NAME_MEM) MYRT_IOPS_STORE(MYRT_IOP_NAME_MEM)                                    \
  MYRT_IOPS_LOAD(MYRT_IOP_NAME_MEM_G) MYRT_IOPS_STORE(MYRT_IOP_NAME_MEM_G)                                \
  MYRT_IOPS_LOAD(MYRT_IOP_NAME_MEM0) MYRT_IOPS_STORE(MYRT_IOP_NAME_MEM0)                                  \
  MYRT_IOPS_LOAD(MYRT_IOP_NAME_MEM0_G) MYRT_IOPS_STORE(MYRT_IOP_NAME_MEM0_G)                              \
  MYRT_IOPS_STORE(MYRT_IOP_NAME_STORE_K)                                                                 \
  MYRT_IOPS_BIN_CMP(MYRT_IOP_NAME_IMM) MYRT_IOPS_BIN_ARITH(MYRT_IOP_NAME_IMM)                             \
  MYRT_IOPS_BIN_ARITH(MYRT_IOP_NAME_IMML) MYRT_F64_PAIRS(MYRT_IOP_F64_PAIR_NAMES)                        \
  MYRT_F64_PAIRS(MYRT_IOP_F64_LOADOP_NAMES)                                                              \
  MYRT_NUMERIC_SCALAR_OPS(MYRT_IOP_X) MYRT_NUMERIC_SIMD_OPS(MYRT_IOP_X)

// Each scalar load/store also has a guarded variant (name##G, same operands, offHi always 0) for a memory with
// MemoryInst::guarded: no bounds check, an out-of-bounds access faults and the fault handler reports the trap
// (exec/signals.h; run.cpp's entry turns the fault into TrapReason::MemoryOutOfBounds).
// Memory-0 fast forms (name##M0, and name##M0G when memory 0 is guarded) of the scalar loads/stores, for memory 0 with
// i32 addresses: dst/src addr imm off shift; the address is uint32_t((fp[addr].i32 << shift) + imm) + off (shift, imm:
// a fused i32.shl / i32.add by constants, else 0). Stores of a constant: name##M0K / name##M0GK: value addr imm off
// shift [valueHi] (valueHi for 64-bit value types).
enum class IOp : uint16_t {
#define MYRT_IOP_X(name) name,
  MYRT_IOPS_ALL
#undef MYRT_IOP_X
  Count
};
constexpr unsigned kNumIOps = static_cast<unsigned>(IOp::Count);
// Name of an internal op (diagnostics: macro_runner --dump).
const char* iopName(IOp op);
// The guarded variant of a scalar load/store op (the G ops mirror the checked ones in order; so do M0G and M0).
constexpr IOp guardedIOp(IOp checked) {
  return static_cast<IOp>(static_cast<unsigned>(checked) - static_cast<unsigned>(IOp::I32Load) +
                          static_cast<unsigned>(IOp::I32LoadG));
}
static_assert(guardedIOp(IOp::I64Store32) == IOp::I64Store32G);
constexpr IOp guardedM0IOp(IOp checked) {
  return static_cast<IOp>(static_cast<unsigned>(checked) - static_cast<unsigned>(IOp::I32LoadM0) +
                          static_cast<unsigned>(IOp::I32LoadM0G));
}
static_assert(guardedM0IOp(IOp::I64Store32M0) == IOp::I64Store32M0G);

// Exception handlers of try_table blocks: a throw at code position p (or a call at p that unwinds) is caught by the
// first handler with start <= p < end whose catch clause matches (inner blocks come first). A catch writes the payload
// (and, for *_ref, the exnref) to slots [dst, ...) and jumps to `target`.
struct CatchEntry {
  uint8_t kind = 0;      // CatchClause::Kind
  uint32_t tag = 0;      // module tag index (Catch/CatchRef)
  uint32_t dst = 0;      // first destination slot
  uint32_t target = 0;   // code position
  uint32_t exnSlot = UINT32_MAX;  // legacy catch/catch_all: slot keeping the exception for `rethrow`
};
struct HandlerRange {
  uint32_t start = 0, end = 0;
  uint32_t firstCatch = 0, numCatches = 0;  // into InterpFunc::catches
  // Legacy `delegate`: instead of catching, continue the search with the handlers below this index (those enclosing
  // the delegate's target label); UINT32_MAX for an ordinary handler.
  uint32_t delegateBelow = UINT32_MAX;
};

// The lowered code of one function.
struct InterpFunc : TierCode {
  std::vector<uint32_t> code;
  std::vector<HandlerRange> handlers;
  std::vector<CatchEntry> catches;
  uint32_t numParams = 0;
  uint32_t numLocals = 0;   // params + declared locals + numHidden
  // Hidden locals after the declared ones: one per legacy try with a catch clause, holding the caught exception for
  // `rethrow` while its catch body runs. They lie below the operand area because a call's callee frame starts at
  // its arguments and overwrites everything above them.
  uint32_t numHidden = 0;
  uint32_t frameSize = 0;   // slots: locals + max operand height + scratch (>= numResults)
  // Slots [numParams, zeroEnd) are zeroed on entry: the declared locals, and the whole frame in modules whose frames
  // may hold GC references (Module::holdsGcRefs: no stale reference of an earlier frame stays for the collector).
  uint32_t zeroEnd = 0;
  uint32_t entryCost = 1;   // fuel charged per call: the ops of the function outside loops (loops charge per iteration)
  // Loop heads (OSR, StoreConfig::osr): {code position, wasm offset of the loop instruction}, by position (loops
  // nested without an op between them share a position; the outermost comes first).
  struct LoopHead {
    uint32_t pos = 0, wasmOffset = 0;
  };
  std::vector<LoopHead> loopHeads;
  // The wasm offset of the loop whose head is at code position `pos`, or UINT32_MAX.
  uint32_t loopAt(uint32_t pos) const {
    const auto it = std::lower_bound(loopHeads.begin(), loopHeads.end(), pos,
                                     [](const LoopHead& h, uint32_t p) { return h.pos < p; });
    return it != loopHeads.end() && it->pos == pos ? it->wasmOffset : UINT32_MAX;
  }
  // GC stack maps (only in modules whose frames may hold GC references, Module::holdsGcRefs; docs/design.md "Garbage
  // collection"): at each safepoint -- a call (also a tail call to another tier), an allocation (struct.new*,
  // array.new*, throw), memory.grow / table.grow -- the frame slots that hold a reference to a GC object (any,
  // extern or exn hierarchy), keyed by the code position right after the safepoint's op (a call's return position).
  // Locals of such a type are live at every safepoint except tail calls (whose arguments overwrote them) and listed
  // once.
  struct GcMaps {
    StackMaps maps;
    std::vector<uint32_t> pos;  // per safepoint of `maps`: its position, ascending
  };
  std::unique_ptr<GcMaps> gcMaps;     // null: no maps (the frame is scanned conservatively)
  // Code position -> wasm offset (sorted (position, module offset) pairs, one per op start), built on the first trap
  // through the function (wasmOffsetAt); nullptr until then.
  std::unique_ptr<std::vector<std::pair<uint32_t, uint32_t>>> posMap;
};

// The module-relative wasm offset of the instruction the op containing code position `pos` of f's lowered code came
// from (kNoWasmOffset if unknown). Cold: builds the function's position map on first use.
uint32_t wasmOffsetAt(const FuncInst& f, uint32_t pos);

// Handler addresses of the dispatch loop, indexed by IOp (run.cpp).
const void* const* handlerTable();

// Lowers function `funcIndex` of `inst` (a defined function of a validated module). Errors: "unsupported: <op>".
Result<std::unique_ptr<InterpFunc>> lowerFunction(Instance& inst, uint32_t funcIndex);

// v128 loads/stores (all SIMD memory instructions) on the operands of an IOp::SimdLoad / IOp::SimdStore at `ip`
// (slot indices relative to fp); also called by the JIT with operand words it builds the same way.
TrapReason simdLoad(Value* fp, const uint32_t* ip, const InstanceData* id);
TrapReason simdStore(Value* fp, const uint32_t* ip, const InstanceData* id);

// The FuncEntry of interpreted functions (run.cpp).
TrapReason interpEntry(ExecContext& cx, FuncInst& f, Value* io);

}  // namespace myrt::interp
