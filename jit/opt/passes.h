// jit/opt/passes.h -- optimizations over the SSA IR (issue 16, step 1). Each keeps verify() true and the wasm offsets
// of everything that can still trap, and each is tested on IR text (tests/unit/opt).
// Layer: jit/opt.
#pragma once
#include "jit/opt/ir.h"

namespace myrt::opt {

// Evaluates numeric operators whose operands are constants with the semantics every tier shares (evalNumeric: one
// definition of the arithmetic); an operator that would trap is left to trap at run time. Also: integer identities
// (x+0, x-0, x*1, x*0, x&-1, x&0, x|0, x^0, shifts and rotates by 0, x-x, x^x, x==x ...; never for floats, where -0
// and NaN make them wrong), select of a constant condition, and a br_if / br_table on a constant (the edges not taken
// are dropped; blocks left without predecessors are removed).
bool foldConstants(Func& f);

// Global value numbering over the dominator tree: a pure instruction (constant, numeric operator, select) identical
// to one that dominates it (same operator, immediates and operands) is replaced by it. Trapping operators (div, rem,
// trunc) are included: the dominating copy traps first on the same operands.
bool numberValues(Func& f);

// Removes instructions whose values are unused and that have no effect (numeric operators that cannot trap,
// constants, selects, global.get), block parameters nothing uses (and their edge arguments), and blocks no path
// reaches.
bool eliminateDeadCode(Func& f);

// Control flow cleanup: an edge into a block that only jumps on (no parameters, no instructions) goes straight to that
// jump's target; a block entered only by a jump from its single predecessor is merged into it; block parameters
// whose incoming values are all the same value are replaced by it.
bool simplifyControlFlow(Func& f);

// Loop-invariant code motion: in each natural loop (a back edge to a header that dominates its source), pure
// instructions that cannot trap (constants, numeric operators other than div/rem/trunc, selects) whose operands are all
// defined outside the loop move to the end of the loop's preheader (the header's single predecessor outside the loop,
// entered by a jump); inner loops first, so code leaves a nest as far as it can. Loads are not moved (no alias
// analysis yet; a load may trap).
bool hoistLoopInvariants(Func& f);

// The pipeline: the passes above until nothing changes (at most a few rounds).
void optimize(Func& f);

// Whether the numeric operator can trap (integer division and remainder, float-to-int truncation).
bool numericMayTrap(Op op);

}  // namespace myrt::opt
