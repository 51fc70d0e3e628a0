// jit/x64/compiler.cpp -- the x86-64 FunctionCompiler (jit/common/backend.h): the ISA-neutral baseline compiler
// (jit/common/baseline_compiler.h) instantiated over the x86-64 baseline macro assembler (baseline_masm.h), one
// asmjit CodeHolder per function, and the bytes, code map, OSR entry and fault landing handed to jit.cpp.
// Layer: jit/x64.
#include "jit/x64/compiler.h"

#include <string>

#include "jit/common/baseline_driver.h"
#include <cpuid.h>

#include "jit/x64/baseline_masm.h"
#include "jit/x64/masm.h"

namespace myrt::jit::x64 {

using namespace asmjit;

// One CPUID leaf instead of asmjit's CpuInfo::host() (a dozen leaves): every `myrt run` asks this when it picks its
// tier, and under a hypervisor each CPUID is a VM exit (CpuInfo::host was ~55 us of a 1.3 ms hello-world process).
bool cpuSupported() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  return __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_SSE4_1);
}

struct ModuleCompiler::Impl : BaselineDriver<BaselineMasm, MacroAssembler> {
  using BaselineDriver::BaselineDriver;
  std::vector<TypeIdSite> typeIdSites;  // of the last compiled function
};

ModuleCompiler::ModuleCompiler(Instance& inst) : impl_(std::make_unique<Impl>(inst)) {}
ModuleCompiler::~ModuleCompiler() = default;

const std::vector<ModuleCompiler::Site>& ModuleCompiler::sites() const { return impl_->sites; }
uint32_t ModuleCompiler::faultLanding() const { return impl_->faultLanding; }
std::shared_ptr<const StackMaps> ModuleCompiler::gcMaps() const { return impl_->compiler.gcMaps(); }
const std::vector<PtrSite>& ModuleCompiler::ptrSites() const { return impl_->compiler.masm().ptrSites(); }
const std::vector<TypeIdSite>& ModuleCompiler::typeIdSites() const { return impl_->typeIdSites; }

void ModuleCompiler::appendCallViaEntryStub(std::vector<uint8_t>& out) {
  // rsi = the callee; a function of the caller's instance (r14) has r12/r14/r15 right for its direct entry
  const int32_t ins = BaselineMasm::kOffInstance, dir = BaselineMasm::kOffJitDirect, off = BaselineMasm::kOffEntry;
  const uint8_t stub[] = {
      0x4C, 0x39, 0xB6, uint8_t(ins), uint8_t(ins >> 8), uint8_t(ins >> 16), uint8_t(ins >> 24),  // cmp [rsi + instance], r14
      0x75, 0x0E,                                                                                 // jne +14 (via entry)
      0x48, 0x8B, 0x86, uint8_t(dir), uint8_t(dir >> 8), uint8_t(dir >> 16), uint8_t(dir >> 24),  // mov rax, [rsi + jitDirectEntry]
      0x48, 0x85, 0xC0,                                                                           // test rax, rax
      0x74, 0x02,                                                                                 // jz +2
      0xFF, 0xE0,                                                                                 // jmp rax
      0xFF, 0xA6, uint8_t(off), uint8_t(off >> 8), uint8_t(off >> 16), uint8_t(off >> 24)};       // jmp [rsi + entry]
  out.insert(out.end(), stub, stub + sizeof stub);
}

Status ModuleCompiler::compile(uint32_t funcIndex, std::vector<uint8_t>& out, std::vector<CallFixup>* fixups,
                               OsrInfo* osr) {
  Impl& d = *impl_;
  return d.compile(
      funcIndex, out, fixups, osr, kDirectEntryOffset, NoDriverHook{},
      [](const MacroAssembler& masm) {  // the MacroAssembler's own short jumps, like asmjit's labels
        return std::string(masm.hasPendingJumps() ? "jit: internal error: unbound label" : "");
      },
      [&d](const CodeHolder& code, Impl::Compiler& c) {
        d.typeIdSites.clear();
        for (const BaselineMasm::TypeIdRef& t : c.masm().typeIdRefs())
          d.typeIdSites.push_back(
              {static_cast<uint32_t>(code.labelOffsetFromBase(t.label) + t.byteOffset), t.typeIndex});
        return std::string();
      });
}

}  // namespace myrt::jit::x64
