// jit/x64/opt_compiler.h -- the x86-64 code generator of the optimizing tier (issue 16, step 2): machine code from the
// SSA IR (jit/opt) after its passes and the linear-scan register allocation (jit/opt/regalloc.h).
// Layer: jit/x64 (reached by jit.cpp only through Backend::newOptCompiler, jit/common/backend.h).
//
// The FunctionCompiler it returns compiles each function with the optimizing tier when the code generator supports
// everything in it, and with the baseline compiler otherwise (per function; FunctionCompiler::optimized() says which).
// The generated code keeps every convention of the baseline tier, so the two call each other freely: the same entry
// and frame setup (jit/x64/baseline_masm.h emitEntry: full entry, direct entry at kDirectEntryOffset, frame link,
// stack/depth checks), the same epilogue, trap stubs and trap protocol (wasm offsets from the IR), the same code map
// (call return addresses, guarded-access fault sites), the same interrupt and fuel polls at the function's entry and
// at loop headers. The frame is Value slots at fp: spill slots first, then the call area (arguments and results of
// calls and numeric/bulk helpers: the callee's io).
//
// Registers: allocatable GP rsi rdi r8 r9 r10, FP xmm0-xmm11 (all caller-saved: values live across a call are in
// spill slots, regalloc.h); r11/rbp and xmm12/xmm13 hold operands and results that live in slots; rax/rcx/rdx and
// xmm14/xmm15 are the baseline masm's scratch (rax and xmm14 also break cycles of edge moves). i32 values keep the
// upper half of their register and their slot's upper half zero.
//
// Not compiled by this tier yet (the function goes to the baseline compiler): functions with v128 or reference values,
// modules whose frames must be GC-scanned (Module::holdsGcRefs), memory64, table64 and multi-memory accesses, OSR
// entries (the auto tier), and IR instructions without a lowering (reference and table element ops, SIMD, ...;
// `myrt run -v` counts the fallbacks, MYRT_OPT_VERBOSE=1 prints each function's reason).
#pragma once
#include <memory>

#include "jit/common/backend.h"

namespace myrt::jit::x64 {

std::unique_ptr<FunctionCompiler> newOptCompiler(Instance& inst);

}  // namespace myrt::jit::x64
