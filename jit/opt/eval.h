// jit/opt/eval.h -- a reference evaluator for the SSA IR: runs an IR function on concrete values, so that tests can
// check the builder and every pass against the spec testsuite's expected results (and, later, the generated code
// against the IR it came from). It is a test oracle, not a tier: slow, and for the pure subset of the IR only.
// Layer: jit/opt (the arithmetic is semantics::evalNumeric, the one definition every tier uses).
//
// Supported: constants, numeric operators, select, block parameters, jumps, br_if, br_table, return, traps, and calls
// (through EvalEnv::call, e.g. to the IR of the callee). Anything touching the store (memory, globals, tables,
// call_indirect, opaque instructions) reports `unsupported`.
#pragma once
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "jit/opt/ir.h"

namespace myrt::opt {

struct EvalResult {
  enum class Status : uint8_t { Returned, Trapped, Unsupported, Exhausted };
  Status status = Status::Returned;
  TrapReason trap = TrapReason::None;  // Trapped
  std::vector<V128> values;            // Returned: the results, scalars in the low bytes
  std::string why;                     // Unsupported: the instruction
};

struct EvalEnv {
  // Calls function `index` of the module with `args` at call depth `depth`.
  std::function<EvalResult(uint32_t index, std::span<const V128> args, uint32_t depth)> call;
  uint64_t steps = 50'000'000;  // instructions left for the whole evaluation (Exhausted when it runs out)
  uint32_t maxDepth = 2000;     // calls deeper than this end as Exhausted
};

EvalResult evaluate(const Func& f, std::span<const V128> args, EvalEnv& env, uint32_t depth = 0);

}  // namespace myrt::opt
