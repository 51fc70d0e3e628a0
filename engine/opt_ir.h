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
// IR does not model ("unsupported in the optimizing tier: NAME", with its offset).
Result<std::string> optIrText(const Module& m, uint32_t funcIndex, bool optimized);

}  // namespace myrt
