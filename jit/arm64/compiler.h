// jit/arm64/compiler.h -- the AArch64 single-pass compiler: the ISA-neutral baseline compiler over the A64 baseline
// macro assembler (baseline_masm.h). With backend.cpp the only interface of jit/arm64 to the rest of the JIT (jit.cpp
// reaches it through jit/common/backend.h only); asmjit stays behind it.
// Layer: jit/arm64 (depends on jit/common, valid, exec).
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "jit/common/backend.h"
#include "runtime/base/result.h"
#include "runtime/exec/store.h"

namespace myrt::jit::arm64 {

// Compiles functions of one instance (reuses the reader and buffers across functions). The machine code of each
// function is position independent (helpers and callees are called through absolute addresses in registers, direct
// calls are bl instructions linked by jit.cpp), so the caller may copy it anywhere; it is the function's FuncEntry.
class ModuleCompiler final : public FunctionCompiler {
 public:
  explicit ModuleCompiler(Instance& inst);
  ~ModuleCompiler() override;
  ModuleCompiler(const ModuleCompiler&) = delete;
  ModuleCompiler& operator=(const ModuleCompiler&) = delete;
  // Where the direct entry starts in each function's code (after the full entry's 12 instructions): direct calls
  // within the instance enter there with x19 (cx), x22 (instance) and x23 (memory base) set.
  static constexpr uint64_t kDirectEntryOffset = 48;
  // FunctionCompiler (jit/common/backend.h). The fault landing expects x3 = the access's wasm offset.
  Status compile(uint32_t funcIndex, std::vector<uint8_t>& out, std::vector<CallFixup>* fixups = nullptr,
                 OsrInfo* osr = nullptr) override;
  const std::vector<CodeSite>& sites() const override;
  uint32_t faultLanding() const override;
  std::shared_ptr<const StackMaps> gcMaps() const override;
  // (not recorded on AArch64 yet: Backend::relocatableCode is false)
  const std::vector<PtrSite>& ptrSites() const override;
  const std::vector<TypeIdSite>& typeIdSites() const override;
  // The shared stub for callees outside the caller's code block or known only at run time (x1 = the callee): its
  // direct entry (FuncInst::jitDirectEntry) when it is a function of the caller's instance (x22) with machine code,
  // else FuncInst::entry.
  static void appendCallViaEntryStub(std::vector<uint8_t>& out);
  // Links the bl / b at code[site] to code[target] (jit.cpp's patchCall; ranges of +-128 MB).
  static void patchCall(uint8_t* code, size_t site, size_t target);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace myrt::jit::arm64
