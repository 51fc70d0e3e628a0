// jit/x64/compiler.h -- the x86-64 single-pass compiler: one CodeReader walk per function emits machine code through
// the MacroAssembler (masm.h). With backend.cpp the only interface of jit/x64 to the rest of the JIT (jit.cpp reaches it
// through jit/common/backend.h only); asmjit stays behind it.
// Layer: jit/x64 (depends on jit/common, valid, exec).
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "jit/common/backend.h"
#include "jit/common/code_memory.h"
#include "runtime/base/result.h"
#include "runtime/exec/store.h"

namespace myrt::jit::x64 {

// CPU features the backend needs (SSE4.1 for float rounding); false: the JIT tier is unavailable.
bool cpuSupported();

// Compiles functions of one instance (reuses the reader and buffers across functions). The machine code of each
// function is position independent (calls to helpers and callees use absolute addresses in registers), so the caller
// may copy it anywhere; it is the function's FuncEntry.
class ModuleCompiler final : public FunctionCompiler {
 public:
  explicit ModuleCompiler(Instance& inst);
  ~ModuleCompiler() override;
  ModuleCompiler(const ModuleCompiler&) = delete;
  ModuleCompiler& operator=(const ModuleCompiler&) = delete;
  // A direct call (or tail-call jump) is a rel32 at CallFixup::offset; the call-via-entry stub is
  // `jmp [rsi + FuncInst::entry]`. At the call, rdi/rsi/rdx hold the entry's arguments.
  // Where the direct entry starts in each function's code (after the full entry's wrapper): direct calls within the
  // instance enter there with r12 (cx), r14 (instance) and r15 (memory base) already set and rbp free.
  static constexpr uint64_t kDirectEntryOffset = 38;
  using CallFixup = jit::CallFixup;
  using OsrLoop = jit::OsrLoop;
  using OsrInfo = jit::OsrInfo;
  // FunctionCompiler (jit/common/backend.h). The fault landing expects rcx = the access's wasm offset.
  Status compile(uint32_t funcIndex, std::vector<uint8_t>& out, std::vector<CallFixup>* fixups = nullptr,
                 OsrInfo* osr = nullptr) override;
  using Site = CodeSite;
  const std::vector<Site>& sites() const override;
  uint32_t faultLanding() const override;
  const std::vector<PtrSite>& ptrSites() const override;
  const std::vector<TypeIdSite>& typeIdSites() const override;
  std::shared_ptr<const StackMaps> gcMaps() const override;
  // Appends the shared stub calls use for callees outside the caller's code block or known only at run time: to the
  // callee's direct entry (FuncInst::jitDirectEntry) when it is a function of the caller's instance with machine code,
  // else jmp [rsi + offsetof(FuncInst, entry)] (the interpreter, a host function, another instance).
  static void appendCallViaEntryStub(std::vector<uint8_t>& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace myrt::jit::x64
