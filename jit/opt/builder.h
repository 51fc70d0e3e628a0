// jit/opt/builder.h -- builds the SSA IR of one function from its validated body: one more Interface of the one
// function-body reader (CodeReader<Interface, false>), like the interpreter lowering and the baseline JIT.
// Layer: jit/opt (depends on runtime/valid for the reader).
//
// Locals become SSA values with Braun et al.'s construction ("Simple and Efficient Construction of Static Single
// Assignment Form", CC 2013), made iterative: a read walks single-predecessor chains in a loop and a merge parameter
// gets its incoming values from a worklist, so neither long chains of br_if nor long sequences of merges recurse on the
// native stack. Structured control flow tells when a block is sealed (all its predecessors known): a block's merge at
// its `end`, a loop header at the loop's `end`, every other block when it is created. Trivial parameters (all incoming
// values the same, or the parameter itself) are removed at the end, to a fixed point.
//
// Instructions the IR does not model yet (exceptions, tail calls, call_ref, GC, atomics, SIMD lane loads/stores,
// br_on_null) make the build fail with "unsupported in the optimizing tier: NAME" and the instruction's offset; the
// function then stays on the baseline tier.
#pragma once
#include "jit/opt/ir.h"
#include "runtime/base/result.h"
#include "runtime/wasm/module.h"

namespace myrt {
class TypeContext;
}  // namespace myrt

namespace myrt::opt {

// The IR of defined function `funcIndex` (function index space, imports included) of a validated module. `ctx`:
// the module's type context, to share among the functions of a module (made here without one).
Result<Func> buildFunction(const Module& m, uint32_t funcIndex);
// With `osrLoop` (a loop's wasm offset): the function's OSR version, entered at that loop's head (Func::osrLoop): block 0
// takes the frame's slots there as parameters (the locals, the operand stack below the loop, the loop's params) and
// jumps to the loop's header; the code before the loop is built into blocks no path from block 0 reaches, which are
// removed. "OSR loop not found" when no reachable loop starts there; an error for a loop with values below it on the
// operand stack (see Builder::enterOsr).
Result<Func> buildFunction(const Module& m, const TypeContext& ctx, uint32_t funcIndex, uint32_t osrLoop = Func::kNoOsr);

}  // namespace myrt::opt
