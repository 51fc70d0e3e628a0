// jit/x64/compiler.h -- the x86-64 single-pass compiler: one CodeReader walk per function emits machine code through
// the MacroAssembler (masm.h). The only interface of jit/x64 to the rest of the JIT; asmjit stays behind it.
// Layer: jit/x64 (depends on jit/common, valid, exec).
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

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
  // A direct call from JIT code to a function of the same instance: the rel32 at `offset` (from the start of the
  // caller's code) must be patched to the callee's machine code, or to a stub `jmp [rsi + FuncInst::entry]`
  // (kCallViaEntryStub) when the callee was not compiled. At the call, rdi/rsi/rdx hold the entry's arguments.
  // Where the direct entry starts in each function's code (after the full entry's wrapper): direct calls within the
  // instance enter there with r12 (cx), r14 (instance) and r15 (memory base) already set and rbp free.
  static constexpr uint64_t kDirectEntryOffset = 38;
  struct CallFixup {
    uint32_t offset = 0;
    uint32_t calleeIndex = 0;  // module function index
  };
  // Appends the code of function `funcIndex` (module function index of a defined function) to `out`, and its direct
  // calls to `fixups` (offsets relative to the function's start).
  // Errors: "unsupported: <what>" for instructions the backend does not compile yet.
  Status compile(uint32_t funcIndex, std::vector<uint8_t>& out, std::vector<CallFixup>* fixups = nullptr);
  // Appends the shared stub direct calls use for callees without machine code: jmp [rsi + offsetof(FuncInst, entry)].
  static void appendCallViaEntryStub(std::vector<uint8_t>& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace myrt::jit::x64
