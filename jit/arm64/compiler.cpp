// jit/arm64/compiler.cpp -- the AArch64 FunctionCompiler (jit/common/backend.h): the ISA-neutral baseline compiler
// (jit/common/baseline_compiler.h) instantiated over the A64 baseline macro assembler (baseline_masm.h), one asmjit
// CodeHolder per function, and the bytes, code map, OSR entry and fault landing handed to jit.cpp.
// Layer: jit/arm64.
#if defined(__aarch64__)
#include "jit/arm64/compiler.h"

#include <string>

#include "jit/arm64/baseline_masm.h"
#include "jit/arm64/masm.h"
#include "jit/common/baseline_driver.h"

namespace myrt::jit::arm64 {

using namespace asmjit;

static_assert(BaselineMasm::kDirectEntryOffset == ModuleCompiler::kDirectEntryOffset);

struct ModuleCompiler::Impl : BaselineDriver<BaselineMasm, MacroAssembler> {
  using BaselineDriver::BaselineDriver;
};

ModuleCompiler::ModuleCompiler(Instance& inst) : impl_(std::make_unique<Impl>(inst)) {}
ModuleCompiler::~ModuleCompiler() = default;

const std::vector<CodeSite>& ModuleCompiler::sites() const { return impl_->sites; }
uint32_t ModuleCompiler::faultLanding() const { return impl_->faultLanding; }
std::shared_ptr<const StackMaps> ModuleCompiler::gcMaps() const { return impl_->compiler.gcMaps(); }
const std::vector<PtrSite>& ModuleCompiler::ptrSites() const {
  static const std::vector<PtrSite> kNone;
  return kNone;
}
const std::vector<TypeIdSite>& ModuleCompiler::typeIdSites() const {
  static const std::vector<TypeIdSite> kNone;
  return kNone;
}

void ModuleCompiler::appendCallViaEntryStub(std::vector<uint8_t>& out) {
  CodeHolder code;
  code.init(Environment::host());
  MacroAssembler s(&code);
  Label viaEntry = s.newLabel();
  s.ldr(a::x16, a::ptr(a::x1, BaselineMasm::kOffInstance));
  s.cmp(a::x16, a::x22);
  s.b(Cond::kNE, viaEntry);
  s.ldr(a::x16, a::ptr(a::x1, BaselineMasm::kOffJitDirect));
  s.cbz(a::x16, viaEntry);
  s.br(a::x16);
  s.bind(viaEntry);
  s.ldr(a::x16, a::ptr(a::x1, BaselineMasm::kOffEntry));
  s.br(a::x16);
  code.flatten();
  code.resolveUnresolvedLinks();
  code.relocateToBase(0);
  const uint8_t* data = code.textSection()->data();
  out.insert(out.end(), data, data + code.codeSize());
}

void ModuleCompiler::patchCall(uint8_t* code, size_t site, size_t target) {
  MacroAssembler::patchBranch(code, site, target);  // (a code block is far below 128 MB: jit.cpp's windows)
}

Status ModuleCompiler::compile(uint32_t funcIndex, std::vector<uint8_t>& out, std::vector<CallFixup>* fixups,
                               OsrInfo* osr) {
  return impl_->compile(
      funcIndex, out, fixups, osr, kDirectEntryOffset,
      [](const MacroAssembler& masm) {
        return masm.unsupported().empty() ? std::string()
                                          : "unsupported: " + masm.unsupported() + " (not yet in the AArch64 JIT)";
      },
      [](const MacroAssembler& masm) {
        return std::string(masm.rangeError() ? "unsupported: a branch out of range (function too large for the AArch64 JIT)"
                                             : "");
      },
      NoDriverHook{});
}

}  // namespace myrt::jit::arm64
#endif
