// jit/common/backend.h -- the interface between the ISA-neutral JIT tier (jit/jit.cpp: compile an instance on N threads,
// lay out, link, install, OSR, fault resumption) and one ISA's code generator (jit/<isa>/backend.cpp). jit.cpp names
// no ISA: it asks hostBackend() for the backend this build has for the CPU it runs on.
//
// What a backend provides:
//  - a FunctionCompiler per compile thread (reused across functions): the machine code of one function, position
//    independent, which *is* the function's FuncEntry (host C ABI); its direct calls within the instance (CallFixup),
//    its code map (CodeSite: call return addresses and guarded accesses), its fault landing, and for the auto tier its
//    OSR entry and loop heads (OsrInfo);
//  - linking: where a function's direct entry starts, how a direct call is patched to its callee, the shared stub for
//    callees without machine code, the padding byte between functions;
//  - the trap protocol of a resumed fault: a guarded access's fault resumes at the function's fault landing with the
//    access's wasm offset in `faultOffsetRegister` (a runtime/exec/machine_context.h register number), so the code's
//    own trap path records every frame.
// Layer: jit/common (depends on exec).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "jit/common/code_memory.h"
#include "runtime/base/result.h"
#include "runtime/exec/store.h"

namespace myrt::jit {

// A direct call (or tail-call jump) from JIT code to a function of the same instance, to be linked: the call site at
// `offset` (from the start of the caller's code) goes to the callee's direct entry, or to the call-via-entry stub when
// the callee was not compiled. calleeIndex kCallViaStub: a call whose callee is known only at run time
// (call_indirect, call_ref, an import), linked to the stub, which picks the entry from the FuncInst in the callee
// register.
constexpr uint32_t kCallViaStub = UINT32_MAX;
struct CallFixup {
  uint32_t offset = 0;
  uint32_t calleeIndex = 0;  // module function index, or kCallViaStub
};

// On-stack replacement (the auto tier, jit.h): a function with loops gets one OSR entry, out of line,
//   TrapReason osrEntry(ExecContext* cx, FuncInst* f, Value* io, const void* target, uint64_t slots)
// which sets up the frame like the prologue (same checks, same frame link), copies the first `slots` Value slots
// from io into the frame (the interpreter frame: locals, then the operand stack values below the loop and its
// params, each in its own slot -- the JIT's layout at a loop head, where everything is spilled) and jumps to
// `target`, a loop head after its poll. Results go to io, as from the entry.
struct OsrLoop {
  uint32_t wasmOffset = 0;  // of the loop instruction
  uint32_t codeOffset = 0;  // the target (relative to the function's start)
  uint32_t slots = 0;       // numLocals + the loop's height + its params
};
struct OsrInfo {
  uint32_t entryOffset = 0;    // of the OSR entry (relative to the function's start); 0: none (no loops)
  std::vector<OsrLoop> loops;  // by wasm offset
};

// Compiles functions of one instance; one per compile thread, reused across functions. Reads only what is immutable
// after instantiation (jit.h).
class FunctionCompiler {
 public:
  virtual ~FunctionCompiler() = default;
  // Appends the code of function `funcIndex` (module function index of a defined function) to `out`, and its direct
  // calls to `fixups` (offsets relative to the function's start); with `osr` set, also its OSR entry and loops.
  // Errors: "unsupported: <what>" for instructions the backend does not compile yet.
  virtual Status compile(uint32_t funcIndex, std::vector<uint8_t>& out, std::vector<CallFixup>* fixups = nullptr,
                         OsrInfo* osr = nullptr) = 0;
  // The code map of the function compiled last (cleared by each compile): (machine offset from the function's start,
  // module-relative wasm offset) for the return address of every call that returns a TrapReason (callees, helpers)
  // and the PC of every unchecked access to a guarded memory, ascending. Trap sites need no entry: their out-of-line
  // stubs pass their offset themselves.
  virtual const std::vector<CodeSite>& sites() const = 0;
  // Machine offset of the stub a guarded access's fault resumes at (the access's wasm offset in the backend's
  // faultOffsetRegister); 0 if the function has no guarded accesses.
  virtual uint32_t faultLanding() const = 0;
  // Every absolute address and every canonical type id embedded in the function compiled last (offsets from its
  // start): what ahead-of-time code (jit/aot.h) relocates.
  virtual const std::vector<PtrSite>& ptrSites() const = 0;
  virtual const std::vector<TypeIdSite>& typeIdSites() const = 0;
  // The function compiled last was compiled by the optimizing tier (Backend::newOptCompiler).
  virtual bool optimized() const { return false; }
  // The optimizing tier's compiler: with `on` false, a function the optimizing tier does not compile is an error (its
  // reason) instead of being compiled by the baseline compiler (the auto tier's recompiles of hot baseline code).
  virtual void setBaselineFallback(bool on) { (void)on; }
  // The optimizing tier's compiler: compile the OSR version of each function entered at the head of the loop at this
  // wasm offset (UINT32_MAX: the function itself) -- TrapReason(cx, f, io) entered through the function's full entry
  // with the frame's slots at that loop head (locals, operand stack below the loop, the loop's params) in r8 (x86-64);
  // results go to io. No OSR info of its own; no fallback.
  virtual void setOsrLoop(uint32_t wasmOffset) { (void)wasmOffset; }
  // The GC stack maps of the function compiled last (precise roots: the safepoint index is in the frame's scratch
  // slot 1, see jit/common/baseline_compiler.h); null when it has none (its frames are scanned conservatively).
  virtual std::shared_ptr<const StackMaps> gcMaps() const { return nullptr; }
};

struct Backend {
  const char* name;  // "x86-64"
  // CPU features the backend needs are present (else the JIT tiers are unavailable); cpuRequires names them.
  bool (*cpuSupported)();
  const char* cpuRequires;  // "SSE4.1"
  // The SIMD instruction set the generated code uses on this CPU (diagnostics: "AVX2", "SSE4.1", ...).
  const char* (*simdPath)();
  std::unique_ptr<FunctionCompiler> (*newCompiler)(Instance& inst);
  // Where the direct entry starts in each function's code: direct calls within the instance enter there.
  uint32_t directEntryOffset;
  // Appends the stub calls use for callees without machine code in the same block (and for callees known only at run
  // time, kCallViaStub): it goes to the callee's FuncInst::jitDirectEntry when the callee is a function of the
  // caller's instance with machine code (in another block: the auto tier compiles per function; or reached through a
  // table or a reference), else through FuncInst::entry. So a call site never needs patching when its callee
  // compiles later, and calls through tables between compiled functions skip the entry trampoline.
  void (*appendCallViaEntryStub)(std::vector<uint8_t>& out);
  // Links the direct call whose fixup is at code[site] to code[target].
  void (*patchCall)(uint8_t* code, size_t site, size_t target);
  // The CPU features the code generated in this process may use, as bits (precompiled code records them and runs
  // only where all are present), and the name of bit i ("AVX2"; nullptr: no such bit).
  uint64_t (*cpuFeatures)();
  const char* (*cpuFeatureName)(unsigned bit);
  // Every embedded address and type id is recorded (FunctionCompiler::ptrSites/typeIdSites): precompiled artifacts
  // (jit/aot.h) can be made. False: the backend does not record them yet (`myrt compile` is unsupported there).
  bool relocatableCode;
  uint8_t padByte;         // fills the gap between functions (each starts 16-byte aligned): a trapping instruction
  int faultOffsetRegister; // trap protocol of a resumed fault (above)
  // The optimizing tier's compiler (issue 16; nullptr: none on this ISA yet): a FunctionCompiler that compiles each
  // function from the SSA IR when its code generator supports it and with the baseline compiler otherwise
  // (FunctionCompiler::optimized); OSR entries always come from the baseline compiler.
  std::unique_ptr<FunctionCompiler> (*newOptCompiler)(Instance& inst);
};

// The backend of this build for the running CPU's ISA, or nullptr when there is none (the JIT tiers are unavailable).
// Defined by jit/<isa>/backend.cpp (jit/common/no_backend.cpp for ISAs without one).
const Backend* hostBackend();

// The ISA this build targets, for messages ("unsupported: jit on aarch64 ...").
#if defined(__x86_64__)
inline constexpr const char* kBuildIsa = "x86-64";
#elif defined(__aarch64__)
inline constexpr const char* kBuildIsa = "aarch64";
#else
inline constexpr const char* kBuildIsa = "this ISA";
#endif

}  // namespace myrt::jit
