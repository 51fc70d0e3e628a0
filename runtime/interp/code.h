// runtime/interp/code.h -- the interpreter's internal code: the list of internal ops (IOps), the per-function code
// object produced by the lowering, and the interface between the lowering (lower.cpp) and the dispatch loop
// (run.cpp). Internal to runtime/interp.
// Layer: interp (depends on exec's runtime objects, wasm's opcode table, interp/numeric*.h).
//
// Code format: a stream of 32-bit words. Each instruction is a handler address (2 words, memcpy'd; direct threading
// with computed goto) followed by its operands. Operands are frame slot indices (fp[i]) resolved at lowering time,
// immediates, or absolute word indices of branch targets. A frame is [params, locals, operand stack slots, scratch];
// a call passes its arguments in place: the callee's frame starts at the caller's slot of the first argument, and
// results come back in the same slots.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/exec/store.h"
#include "runtime/interp/numeric_simd.h"

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
  X(Gc)               /* op dst s0 s1 s2 s3 s4 imm0 imm1 imm2 (gc.cpp) */                       \
  X(I32AddImm)        /* dst a imm (i32.add/sub with a constant operand) */                    \
  X(BrI32Eq) X(BrI32Ne) X(BrI32LtS) X(BrI32LtU) X(BrI32GtS) /* a b target: fused compare+branch */   \
  X(BrI32GtU) X(BrI32LeS) X(BrI32LeU) X(BrI32GeS) X(BrI32GeU)                                    \
  X(SimdLoad)         /* dst addr mem offLo offHi op lane vecSlot (v128 loads incl. lane/splat/zero/extend) */ \
  X(SimdStore)        /* addr src mem offLo offHi op lane */

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

// Each scalar load/store also has a guarded variant (name##G, same operands, offHi always 0) for a memory with
// MemoryInst::guarded: no bounds check, an out-of-bounds access faults and the fault handler reports the trap
// (exec/signals.h; run.cpp's entry turns the fault into TrapReason::MemoryOutOfBounds).
enum class IOp : uint16_t {
#define MYRT_IOP_ENUM(name) name,
#define MYRT_IOP_ENUM_MEM(name, ...) name,
#define MYRT_IOP_ENUM_MEM_G(name, ...) name##G,
  MYRT_IOPS_CONTROL(MYRT_IOP_ENUM)
  MYRT_IOPS_LOAD(MYRT_IOP_ENUM_MEM)
  MYRT_IOPS_STORE(MYRT_IOP_ENUM_MEM)
  MYRT_IOPS_LOAD(MYRT_IOP_ENUM_MEM_G)
  MYRT_IOPS_STORE(MYRT_IOP_ENUM_MEM_G)
  MYRT_NUMERIC_SCALAR_OPS(MYRT_IOP_ENUM)
  MYRT_NUMERIC_SIMD_OPS(MYRT_IOP_ENUM)
#undef MYRT_IOP_ENUM
#undef MYRT_IOP_ENUM_MEM
#undef MYRT_IOP_ENUM_MEM_G
  Count
};
constexpr unsigned kNumIOps = static_cast<unsigned>(IOp::Count);
// The guarded variant of a scalar load/store op (the G ops mirror the checked ones in order).
constexpr IOp guardedIOp(IOp checked) {
  return static_cast<IOp>(static_cast<unsigned>(checked) - static_cast<unsigned>(IOp::I32Load) +
                          static_cast<unsigned>(IOp::I32LoadG));
}
static_assert(guardedIOp(IOp::I64Store32) == IOp::I64Store32G);

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
  uint32_t numLocals = 0;   // params + declared locals
  uint32_t frameSize = 0;   // slots: locals + max operand height + scratch (>= numResults)
};

// Handler addresses of the dispatch loop, indexed by IOp (run.cpp).
const void* const* handlerTable();

// Lowers function `funcIndex` of `inst` (a defined function of a validated module). Errors: "unsupported: <op>".
Result<std::unique_ptr<InterpFunc>> lowerFunction(Instance& inst, uint32_t funcIndex);

// GC instructions (gc.cpp): one step of IOp::Gc, and the cast test shared with br_on_cast.
TrapReason gcStep(ExecContext& cx, Value* fp, const uint32_t* ip, Instance& inst);
bool castMatches(const TypeRegistry& reg, Ref r, HeapKind kind, uint32_t canonId, bool nullable);

// The FuncEntry of interpreted functions (run.cpp).
TrapReason interpEntry(ExecContext& cx, FuncInst& f, Value* io);

}  // namespace myrt::interp
