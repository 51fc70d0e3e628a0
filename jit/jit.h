// jit/jit.h -- public face of the baseline JIT tier (single pass over the CodeReader; one backend per ISA behind
// jit/common/backend.h -- today x86-64 on asmjit).
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
// Checks in every prologue: call depth (cx.depth < cx.maxDepth), value stack space, native stack (cx.stackLimit, set
// by invoke() from the running thread's stack: runtime/base/native_stack.h), the interrupt flag; loop headers poll
// the interrupt flag too. Traps jump to shared out-of-line stubs that record the
// backtrace frame (cx.addFrame) and return the reason.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "jit/common/code_memory.h"
#include "runtime/base/result.h"
#include "runtime/exec/store.h"

namespace myrt {

// Whether this build and CPU can run JIT code (x86-64 with SSE4.1).
bool jitAvailable();
// The JIT's SIMD code on this CPU: "AVX2", "AVX" (VEX encodings) or "SSE4.1" (also with MYRT_JIT_NO_AVX=1); "" without
// the JIT. `myrt wast --stats` prints it so the AVX and no-AVX test runs record which code ran.
const char* jitSimdPath();
// The lazily-compiling entry installed into wasm functions by a JIT store.
FuncEntry jitEntry();
StoreConfig jitConfig(const StoreLimits& limits = {});
// The optimizing tier (issue 16, `--tier=opt`): a JIT store whose functions compile from the SSA IR (jit/opt) where
// the backend's code generator supports them, else with the baseline compiler (per function, counted in
// CompileStats::optimized and Store::optCompiledFuncs). optAvailable(): the backend has one (x86-64).
bool optAvailable();
StoreConfig optConfig(const StoreLimits& limits = {});

// Auto tier: functions start in the interpreter, which counts polls per function (function entries and loop
// back-edges, FuncInst::hotness); a function that reaches the threshold -- that function alone -- is queued for the
// background compile thread (jit/common/compile_service.h), which compiles the store's queue in the order the
// functions got hot, in batches of one instance's functions, while the interpreter goes on. Functions that never
// reach the threshold are never compiled. Compiled code is installed on the store's thread at the interpreter's next
// slow poll after a batch finished (ExecContext::tierUpReady -> tierInstall): FuncInst::entry, jitCode and
// jitDirectEntry are written only there, so every reader (interpreter, JIT code, host) is on the store's thread. JIT
// code reaches a callee compiled in another batch, or still interpreted, through the backend's call-via-entry stub
// (FuncInst::jitDirectEntry when set, else FuncInst::entry), so call sites are never patched after linking. The JIT's
// code object lives in FuncInst::jitCode and the interpreter's in FuncInst::code, so interpreter frames of a function
// tiered up while they run finish in the interpreter (or move to the JIT code at a loop back-edge: OSR); new calls
// take the new entry. A store that dies with compiles queued or running cancels or waits for them
// (Store::tierState is destroyed first).
//
// What the compiler reads of an Instance from the compile thread is immutable after instantiation: the Module,
// Instance::funcs/globals/memories/tags/typeIds (the vectors and the objects' identities), FuncInst::instance/index,
// and MemoryInst::guarded/base (a memory's base never moves). It takes addresses (globals' values, memory sizes, FuncInst
// pointers) but never reads mutable state; keep it so when the compiler changes (the ThreadSanitizer run of
// tierup_test checks it).
constexpr uint32_t kDefaultTierUpThreshold = 1000;
// kDefaultTierUpThreshold, or MYRT_TIER_UP_THRESHOLD (a positive integer) from the environment.
uint32_t defaultTierUpThreshold();

// On-stack replacement (OSR): an interpreter frame of a function whose JIT code is installed continues in that code at
// its next taken loop back-edge (the poll that counts back-edges; StoreConfig::osr, exec/store.h), so a hot loop in a
// function called once (main) does not stay interpreted. At a loop head both tiers keep the frame as Value slots
// (locals, then the operand stack values below the loop and its params, each in its own slot), so the transfer copies
// those slots into a new JIT frame on the value stack above the interpreter's and jumps to the loop head after its
// poll (the interpreter's back-edge polled and charged fuel for this iteration). The JIT frame replaces the
// interpreter frame in the call depth and in backtraces; its results land in the interpreter frame's result slots and
// the interpreter returns them to its caller as if it had run the call to its end. Every reachable loop of a compiled
// function is an OSR target (functions the JIT does not compile have none). jit::OsrInfo (jit/common/backend.h) describes
// the machine-code side. MYRT_OSR=0 in the environment turns OSR off (measurements, diagnostics).
// False when MYRT_OSR=0 (read once): autoConfig then leaves StoreConfig::osr null.
bool osrEnabled();

enum class TierUpMode : uint8_t {
  Background,   // compile on the compile thread, install at a later poll (the default)
  Synchronous,  // compile and install at the poll that reached the threshold (tests, diagnostics)
};
// Background, or Synchronous when MYRT_TIER_UP_SYNC is set (and not "0").
TierUpMode defaultTierUpMode();
// The third tier (x86-64: where optAvailable()): the auto tier's baseline code counts its polls (function entries,
// loop heads) per function, down from the opt threshold (FuncInst::optBudget, one `dec` of memory and a branch per poll);
// a function that reaches 0 is recompiled by the optimizing tier -- in the background after the interpreter's hot
// functions, or at once in the Synchronous mode -- and its optimized code installed at a later count of any baseline
// code or interpreter poll (store's thread), its baseline code kept for the frames still running it. What the
// optimizing tier refuses stays in baseline code (never retried). Direct calls in that baseline code go through the
// call-via-entry stub (FuncInst::jitDirectEntry), so they reach the optimized callee once installed. Tiers the
// function through only when the module's frames hold no GC references (the optimizing tier refuses those).
constexpr uint32_t kDefaultOptTierUpThreshold = 20000;
// kDefaultOptTierUpThreshold, or MYRT_OPT_TIER_UP_THRESHOLD from the environment (0: no third tier).
uint32_t defaultOptTierUpThreshold();
// threshold 0: defaultTierUpThreshold(); no mode: defaultTierUpMode(); no optThreshold: defaultOptTierUpThreshold()
// (0: the auto tier stops at the baseline compiler; so it does where !optAvailable()).
StoreConfig autoConfig(const StoreLimits& limits = {}, uint32_t threshold = 0, std::optional<TierUpMode> mode = {},
                       std::optional<uint32_t> optThreshold = {});

// Threads compiling one instance on the JIT tier when StoreConfig::compileJobs is 0: the online CPUs, at most
// kMaxDefaultCompileJobs. Instances with less than kParallelCompileMinBytes of code compile on one thread.
constexpr unsigned kMaxDefaultCompileJobs = 8;
constexpr uint64_t kParallelCompileMinBytes = 64 * 1024;
unsigned defaultCompileJobs();

namespace jit {

struct CompileStats {
  uint64_t functions = 0;     // compiled to machine code
  uint64_t optimized = 0;     // of those: by the optimizing tier (StoreConfig::optimize)
  uint64_t fallbacks = 0;     // left on the interpreter (unsupported instruction)
  uint64_t bodyBytes = 0;     // wasm code bytes of the compiled functions
  uint64_t machineBytes = 0;  // machine code bytes emitted
};

// Compiles every function of `inst` that still has jitEntry() (all of them for a fresh instance) and swaps entries,
// on StoreConfig::compileJobs threads (each with its own backend FunctionCompiler; the functions are linked in index order,
// so the code is the same for any number of threads).
// A function that cannot be compiled gets the interpreter's entry; its reason is kept for diagnostics
// (MYRT_JIT_VERBOSE=1 prints one line per fallback to stderr).
CompileStats compileInstance(Instance& inst);
// The same for the functions of `inst` whose entry is `from` (the auto tier: interpreterEntry()). With
// `osrEntries`, functions with loops also get an OSR entry (see autoConfig).
CompileStats compileInstanceFrom(Instance& inst, FuncEntry from, bool osrEntries = false);

// Whether `f`'s machine code now (FuncInst::jitCode) was compiled by the optimizing tier.
bool optimizedCode(const FuncInst& f);

// How many OSR versions of `f`'s optimized code the auto tier's third tier installed (baseline frames moved into them).
uint64_t optOsrVersions(const FuncInst& f);

// How many interpreter frames of `f` continued in its machine code by on-stack replacement (0 without JIT code).
uint64_t osrEntries(const FuncInst& f);

// Auto tier: waits for the store's background compiles and installs them (store's thread; tests, benchmarks).
void finishTierUps(Store& store);

// The linked machine code of every defined function of `inst` compiled on `jobs` threads, installing nothing (tests:
// the same bytes for every `jobs`).
std::vector<uint8_t> compiledBytes(Instance& inst, unsigned jobs);

// Compiles every defined function of `inst` into a scratch buffer without installing anything (compile-speed
// measurement); `bodyBytes`/`machineBytes` count what was compiled.
CompileStats compileForMeasurement(Instance& inst);

// Compiles function `funcIndex` of `inst` into a standalone block (tests / diagnostics); the error says what is
// unsupported.
Status compileCheck(Instance& inst, uint32_t funcIndex);

// ---- ahead-of-time code: what jit/aot.h writes to and reads from precompiled artifacts ----
struct PortableFunc {
  uint32_t index = 0;         // module function index (a defined function)
  uint32_t offset = 0;        // of its code in PortableCode::code (16-byte aligned)
  uint32_t size = 0;
  uint32_t faultLanding = 0;  // FunctionCompiler::faultLanding (0: none)
  uint32_t numSites = 0;      // its code map: the next numSites entries of PortableCode::sites
};
struct PortableCode {
  std::vector<uint8_t> code;        // linked machine code (and the call-via-entry stub): position independent but for `ptrs`
  std::vector<PortableFunc> funcs;  // ascending offsets
  std::vector<CodeSite> sites;
  std::vector<PtrSite> ptrs;        // every embedded address (offsets in `code`), valued for the compiling instance
  std::vector<TypeIdSite> typeIds;  // every embedded canonical type id (GC instructions' operand words)
  std::vector<std::pair<uint32_t, std::string>> fallbacks;  // functions left to the interpreter, and why
};
// Compiles every defined function of `inst` (jit-tier code: no OSR entries) on `jobs` threads, installing nothing.
Result<PortableCode> compilePortable(Instance& inst, unsigned jobs);
// Installs precompiled code into the functions of `inst` whose entry is `from`. `code` (a mapping of `size` bytes,
// writable, relocated for `inst` already) is owned from here on: made executable and shared by the functions' code
// objects, or unmapped on failure. Defined functions not in `funcs` get the interpreter's entry (`fallbacks` says why
// for some). Errors: an inconsistent function table (index, offset, size or code map out of range).
Status installPortable(Instance& inst, FuncEntry from, uint8_t* code, size_t size, std::span<const PortableFunc> funcs,
                       std::span<const CodeSite> sites, std::span<const std::pair<uint32_t, std::string>> fallbacks);
// The entry the JIT tier gives every function until its instance is compiled (jitEntry()).
bool isLazyEntry(FuncEntry e);

}  // namespace jit
}  // namespace myrt
