// jit/common/helpers.h -- C++ functions that JIT code calls for slow paths: numeric ops not emitted inline (semantics
// from semantics/numeric*.h, never rewritten), bulk memory / table ops, call_indirect resolution and trap recording.
// Every helper is a plain function with the host C calling convention. Operands are passed in the caller's frame
// slots (`s` points at the first operand; a result is written to s[0]), so a backend spills, passes a pointer and
// reads the result back.
// Layer: jit/common (depends on exec and semantics/numeric*.h).
#pragma once
#include <cstdint>

#include "runtime/exec/store.h"
#include "runtime/wasm/opcodes.h"

namespace myrt::jit {

// Records the trap `reason` of JIT function `f` at the instruction with module offset `wasmOffset` (backtrace frame)
// and returns it. An exception in flight (UncaughtException with cx->exception set) records no frame, as in the
// interpreter.
TrapReason trapHelper(ExecContext* cx, FuncInst* f, uint32_t reason, uint32_t wasmOffset);
// The same for a trap returned by a call of `f` (a callee or a helper): `returnAddress` is the call's, which the code
// map of f's code block (jit.cpp, through lookupCodeRange) maps to the call's wasm offset.
TrapReason callTrapHelper(ExecContext* cx, FuncInst* f, uint32_t reason, uintptr_t returnAddress);

// Exceptions (the interpreter's representation: cx->exception set and TrapReason::UncaughtException returned, see
// ExecContext::exception). throw: a new exception of `tag` with payload s[0..n); returns UncaughtException.
TrapReason throwHelper(ExecContext* cx, TagInst* tag, const Value* s, uint32_t n);
// throw_ref of s->ref: UncaughtException, or the NullReference trap for a null exnref.
TrapReason throwRefHelper(ExecContext* cx, const Value* s);
// A catch clause took the exception in flight: its payload (when `flags` & 1) then the exnref (when `flags` & 2) are
// written to dst[0..), and cx->exception is cleared.
void catchHelper(ExecContext* cx, Value* dst, uint32_t flags);

// A numeric op on slots: operands s[0..n), result to s[0]; `lane` is the lane immediate, `bytes` the shuffle mask.
using NumericHelper = TrapReason (*)(Value* s, uint64_t lane, const uint8_t* bytes);
// The helper of a scalar or SIMD numeric op; nullptr if `op` is not one.
NumericHelper numericHelper(Op op);

// memory.size/grow/fill/copy/init, data.drop, table.get/set/size/grow/fill/copy/init, elem.drop: operands in s[0..),
// result (if any) to s[0]. `a`/`b` are the op's index immediates; bit 31 set marks a 64-bit memory/table (i64 operands),
// as in the interpreter's encoding.
TrapReason bulkHelper(ExecContext* cx, FuncInst* f, Value* s, uint32_t op, uint32_t a, uint32_t b);

// Atomics (threads): the 0xFE op `op` through semantics::atomicStep -- the address in s[0] (i64 when bit 31 of `mem` is
// set), the other operands in s[1..), the result (if any) to s[0]; `offset` points at the memarg offset (8 bytes).
TrapReason atomicHelper(ExecContext* cx, FuncInst* f, Value* s, uint32_t op, uint32_t mem, const uint8_t* offset);

// The auto tier's third tier: baseline code whose FuncInst::optBudget ran out calls this (cx->optTierUp, jit/jit.h),
// which may queue, compile and install code for any function. At a loop head (`loopOffset`: the loop's wasm offset,
// else kNoWasmOffset) it may return the entry of f's optimized OSR version for that loop: the baseline frame continues
// there (Masm::optOsrTransfer); null: the running code goes on where it called it.
const void* optTierUpHelper(ExecContext* cx, FuncInst* f, uint32_t loopOffset);

// call_indirect: resolves table[tableWord][s->i32/i64] against type `typeIdx` (bounds, null, subtyping); the callee is
// written to s->ref.
TrapReason indirectHelper(ExecContext* cx, FuncInst* f, Value* s, uint32_t typeIdx, uint32_t tableWord);

}  // namespace myrt::jit
