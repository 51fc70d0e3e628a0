// jit/jit.h -- public face of the baseline JIT tier (x86-64, single pass over the CodeReader, asmjit backend).
// Layer: jit (depends on exec, valid, interp -- functions the JIT cannot compile run on the interpreter's entry).
//
// Tier model: a store configured with jitConfig() installs jitEntry() into every wasm function. The first call of any
// function of an instance compiles all functions of that instance that still have this entry (one code block per
// instance, W^X) and swaps each FuncInst::entry to its machine code; a function using an instruction the JIT does not
// compile yet (see docs/status.md) gets the interpreter's entry instead -- per function, never silently per op.
//
// Calling convention: the machine code of a function *is* its FuncEntry: `TrapReason(ExecContext&, FuncInst&, Value*
// io)` with the host C ABI, so the host, the interpreter and other JIT functions call it through FuncInst::entry, and
// JIT code calls every callee the same way. Frame: Value slots on the ExecContext value stack (cx.sp):
//   [scratch slots (if-with-params copies)] [params + locals] [operand stack slots]   (fp points at local 0)
// Checks in every prologue: call depth (cx.depth < cx.maxDepth), value stack space, native stack (cx.stackLimit), the
// interrupt flag; loop headers poll the interrupt flag too. Traps jump to shared out-of-line stubs that record the
// backtrace frame (cx.addFrame) and return the reason.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "runtime/base/result.h"
#include "runtime/exec/store.h"

namespace myrt {

// Whether this build and CPU can run JIT code (x86-64 with SSE4.1).
bool jitAvailable();
// The lazily-compiling entry installed into wasm functions by a JIT store.
FuncEntry jitEntry();
StoreConfig jitConfig(const StoreLimits& limits = {});

// Auto tier: functions start in the interpreter, which counts polls per function (function entries and loop
// back-edges, FuncInst::hotness); when one function reaches the threshold, its whole instance is compiled
// synchronously (jit::compileInstanceFrom) and the compiled functions' entries are swapped. The JIT's code object lives
// in FuncInst::jitCode, so interpreter frames of a function tiered up while they run finish in the interpreter.
constexpr uint32_t kDefaultTierUpThreshold = 1000;
// kDefaultTierUpThreshold, or MYRT_TIER_UP_THRESHOLD (a positive integer) from the environment.
uint32_t defaultTierUpThreshold();
// threshold 0: defaultTierUpThreshold().
StoreConfig autoConfig(const StoreLimits& limits = {}, uint32_t threshold = 0);

namespace jit {

struct CompileStats {
  uint64_t functions = 0;     // compiled to machine code
  uint64_t fallbacks = 0;     // left on the interpreter (unsupported instruction)
  uint64_t bodyBytes = 0;     // wasm code bytes of the compiled functions
  uint64_t machineBytes = 0;  // machine code bytes emitted
};

// Compiles every function of `inst` that still has jitEntry() (all of them for a fresh instance) and swaps entries.
// A function that cannot be compiled gets the interpreter's entry; its reason is kept for diagnostics
// (MYRT_JIT_VERBOSE=1 prints one line per fallback to stderr).
CompileStats compileInstance(Instance& inst);
// The same for the functions of `inst` whose entry is `from` (the auto tier: interpreterEntry()).
CompileStats compileInstanceFrom(Instance& inst, FuncEntry from);

// Compiles every defined function of `inst` into a scratch buffer without installing anything (compile-speed
// measurement); `bodyBytes`/`machineBytes` count what was compiled.
CompileStats compileForMeasurement(Instance& inst);

// Compiles function `funcIndex` of `inst` into a standalone block (tests / diagnostics); the error says what is
// unsupported.
Status compileCheck(Instance& inst, uint32_t funcIndex);

}  // namespace jit
}  // namespace myrt
