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
//
// On-stack replacement (OSR): an interpreter frame of a function whose JIT code is installed continues in that code at
// its next taken loop back-edge (the poll that counts back-edges; StoreConfig::osr, exec/store.h), so a hot loop in a
// function called once (main) does not stay interpreted. At a loop head both tiers keep the frame as Value slots
// (locals, then the operand stack values below the loop and its params, each in its own slot), so the transfer copies
// those slots into a new JIT frame on the value stack above the interpreter's and jumps to the loop head after its
// poll (the interpreter's back-edge polled and charged fuel for this iteration). The JIT frame replaces the
// interpreter frame in the call depth and in backtraces; its results land in the interpreter frame's result slots and
// the interpreter returns them to its caller as if it had run the call to its end. Every reachable loop of a compiled
// function is an OSR target (functions the JIT does not compile have none). x64::ModuleCompiler::OsrInfo describes
// the machine-code side. MYRT_OSR=0 in the environment turns OSR off (measurements, diagnostics).
// threshold 0: defaultTierUpThreshold().
StoreConfig autoConfig(const StoreLimits& limits = {}, uint32_t threshold = 0);
// False when MYRT_OSR=0 (read once): autoConfig then leaves StoreConfig::osr null.
bool osrEnabled();

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
// The same for the functions of `inst` whose entry is `from` (the auto tier: interpreterEntry()). With
// `osrEntries`, functions with loops also get an OSR entry (see autoConfig).
CompileStats compileInstanceFrom(Instance& inst, FuncEntry from, bool osrEntries = false);

// How many interpreter frames of `f` continued in its machine code by on-stack replacement (0 without JIT code).
uint64_t osrEntries(const FuncInst& f);

// Compiles every defined function of `inst` into a scratch buffer without installing anything (compile-speed
// measurement); `bodyBytes`/`machineBytes` count what was compiled.
CompileStats compileForMeasurement(Instance& inst);

// Compiles function `funcIndex` of `inst` into a standalone block (tests / diagnostics); the error says what is
// unsupported.
Status compileCheck(Instance& inst, uint32_t funcIndex);

}  // namespace jit
}  // namespace myrt
