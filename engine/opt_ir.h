// engine/opt_ir.h -- the optimizing tier's IR of a function as text, for `myrt inspect --dump-ir` (and tests): the one
// way cli/ reaches jit/opt (issue 16 step 1: the IR and its passes exist; no code is generated from them yet).
// Layer: engine (above runtime/ and jit/).
#pragma once
#include <cstdint>
#include <string>

#include "runtime/base/result.h"
#include "runtime/wasm/module.h"

namespace myrt {

// The SSA IR of defined function `funcIndex` of a validated module: as built from the body, or after the optimization
// pipeline (constant folding, value numbering, dead code elimination, control-flow cleanup). An error names what the
// IR does not model ("unsupported in the optimizing tier: NAME", with its offset). With `regalloc`: each value's location
// from the register allocator (jit/opt/regalloc.h: 7 GP and 14 FP registers, the baseline JIT's x86-64 sets) and the
// moves of every edge into a block with parameters, checked by the allocation checker.
Result<std::string> optIrText(const Module& m, uint32_t funcIndex, bool optimized, bool regalloc = false);

}  // namespace myrt
