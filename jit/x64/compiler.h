// jit/x64/compiler.h -- the x86-64 single-pass compiler: one CodeReader walk per function emits machine code through
// the MacroAssembler (masm.h). The only interface of jit/x64 to the rest of the JIT; asmjit stays behind it.
// Layer: jit/x64 (depends on jit/common, valid, exec).
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "jit/common/code_memory.h"
#include "runtime/base/result.h"
#include "runtime/exec/store.h"

namespace myrt::jit::x64 {

// CPU features the backend needs (SSE4.1 for float rounding); false: the JIT tier is unavailable.
bool cpuSupported();

// Compiles functions of one instance (reuses the reader and buffers across functions). The machine code of each
// function is position independent (calls to helpers and callees use absolute addresses in registers), so the caller
// may copy it anywhere; it is the function's FuncEntry.
class ModuleCompiler {
 public:
  explicit ModuleCompiler(Instance& inst);
  ~ModuleCompiler();
  ModuleCompiler(const ModuleCompiler&) = delete;
  ModuleCompiler& operator=(const ModuleCompiler&) = delete;
  // A direct call (or tail-call jump) from JIT code to a function of the same instance: the rel32 at `offset` (from
  // the start of the caller's code) must be patched to the callee's machine code, or to a stub
  // `jmp [rsi + FuncInst::entry]` (kCallViaEntryStub) when the callee was not compiled. At the call, rdi/rsi/rdx hold
  // the entry's arguments.
  // Where the direct entry starts in each function's code (after the full entry's wrapper): direct calls within the
  // instance enter there with r12 (cx), r14 (instance) and r15 (memory base) already set and rbp free.
  static constexpr uint64_t kDirectEntryOffset = 38;
  struct CallFixup {
    uint32_t offset = 0;
    uint32_t calleeIndex = 0;  // module function index
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
  // Appends the code of function `funcIndex` (module function index of a defined function) to `out`, and its direct
  // calls to `fixups` (offsets relative to the function's start); with `osr` set, also its OSR entry and loops.
  // Errors: "unsupported: <what>" for instructions the backend does not compile yet.
  Status compile(uint32_t funcIndex, std::vector<uint8_t>& out, std::vector<CallFixup>* fixups = nullptr,
                 OsrInfo* osr = nullptr);
  // The code map of the function compiled last (cleared by each compile): (machine offset from the function's start,
  // module-relative wasm offset) for the return address of every call that returns a TrapReason (callees, helpers)
  // and the PC of every unchecked access to a guarded memory, ascending. Trap sites need no entry: their out-of-line
  // stubs pass their offset themselves.
  using Site = CodeSite;
  const std::vector<Site>& sites() const;
  // Machine offset of the stub a guarded access's fault resumes at (rcx = the access's wasm offset, set by the
  // signal handler); 0 if the function has no guarded accesses.
  uint32_t faultLanding() const;
  // Appends the shared stub direct calls use for callees without machine code: jmp [rsi + offsetof(FuncInst, entry)].
  static void appendCallViaEntryStub(std::vector<uint8_t>& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace myrt::jit::x64
