// jit/x64/compiler.cpp -- the x86-64 FunctionCompiler (jit/common/backend.h): the ISA-neutral baseline compiler
// (jit/common/baseline_compiler.h) instantiated over the x86-64 baseline macro assembler (baseline_masm.h), one
// asmjit CodeHolder per function, and the bytes, code map, OSR entry and fault landing handed to jit.cpp.
// Layer: jit/x64.
#include "jit/x64/compiler.h"

#include <string>

#include "jit/common/baseline_compiler.h"
#include "jit/x64/baseline_masm.h"
#include "jit/x64/masm.h"

namespace myrt::jit::x64 {

using namespace asmjit;

bool cpuSupported() {
  const CpuInfo& ci = CpuInfo::host();
  return ci.hasFeature(CpuFeatures::X86::kSSE4_1);
}

namespace {

using Compiler = BaselineCompiler<BaselineMasm>;

}  // namespace

struct ModuleCompiler::Impl {
  explicit Impl(Instance& i) : inst(i), types(*i.module), compiler(i, masm), reader(types, compiler) {
    compiler.setReader(&reader);
    compiler.setSitesOut(&sites);
  }
  Instance& inst;
  TypeContext types;
  std::vector<ModuleCompiler::Site> sites;  // of the last compiled function
  uint32_t faultLanding = 0;
  std::vector<TypeIdSite> typeIdSites;  // of the last compiled function
  // Reused for each function (their buffers keep their capacity): compile() resets them first.
  CodeHolder code;
  AsmErrorRecorder errors;
  MacroAssembler masm;
  Compiler compiler;
  Compiler::Reader reader;
};

ModuleCompiler::ModuleCompiler(Instance& inst) : impl_(std::make_unique<Impl>(inst)) {}
ModuleCompiler::~ModuleCompiler() = default;

const std::vector<ModuleCompiler::Site>& ModuleCompiler::sites() const { return impl_->sites; }
uint32_t ModuleCompiler::faultLanding() const { return impl_->faultLanding; }
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
  CodeHolder& code = impl_->code;
  code.reset();  // (detaches masm)
  code.init(Environment::host());
  AsmErrorRecorder& errors = impl_->errors;
  errors.failed = false;
  errors.text.clear();
  code.setErrorHandler(&errors);
  MacroAssembler& masm = impl_->masm;
  code.attach(&masm);
  masm.resetJumps();
  const size_t fixupsBefore = fixups ? fixups->size() : 0;
  Compiler& c = impl_->compiler;
  c.reset(fixups, osr != nullptr);
  Compiler::Reader& reader = impl_->reader;
  impl_->faultLanding = 0;
  Status s = reader.readFunction(funcIndex);
  if (!s.ok() || !c.error().empty()) {
    if (fixups) fixups->resize(fixupsBefore);
    return Error(!s.ok() ? s.error().message : c.error());
  }
  c.finish();
  if (errors.failed) {
    if (fixups) fixups->resize(fixupsBefore);
    return Error("jit: assembler: " + errors.text);
  }
  code.flatten();
  code.resolveUnresolvedLinks();
  if (code.hasUnresolvedLinks() || masm.hasPendingJumps()) {  // a label used but never bound: a compiler bug, never run such code
    if (fixups) fixups->resize(fixupsBefore);
    return Error("jit: internal error: unbound label");
  }
  code.relocateToBase(0);
  if (errors.failed) {
    if (fixups) fixups->resize(fixupsBefore);
    return Error("jit: assembler: " + errors.text);
  }
  if (code.labelOffsetFromBase(c.directEntry()) != kDirectEntryOffset) {  // the linker relies on it
    if (fixups) fixups->resize(fixupsBefore);
    return Error("jit: internal error: direct entry at " + std::to_string(code.labelOffsetFromBase(c.directEntry())));
  }
  if (osr) {
    osr->entryOffset = 0;
    osr->loops.clear();
    if (c.osrEntry().isValid()) {
      osr->entryOffset = static_cast<uint32_t>(code.labelOffsetFromBase(c.osrEntry()));
      for (const Compiler::OsrLoop& l : c.osrLoops())
        osr->loops.push_back({l.wasmOffset, static_cast<uint32_t>(l.target), l.slots});
    }
  }
  impl_->typeIdSites.clear();
  for (const BaselineMasm::TypeIdRef& t : c.masm().typeIdRefs())
    impl_->typeIdSites.push_back({static_cast<uint32_t>(code.labelOffsetFromBase(t.label) + t.byteOffset), t.typeIndex});
  if (c.faultLanding().isValid()) impl_->faultLanding = static_cast<uint32_t>(code.labelOffsetFromBase(c.faultLanding()));
  const size_t n = code.codeSize();
  if (code.sectionCount() == 1) {  // the usual case: append the one section's bytes (no zero-fill first)
    const uint8_t* data = code.textSection()->data();
    out.insert(out.end(), data, data + n);
    return {};
  }
  const size_t at = out.size();
  out.resize(at + n);
  code.copyFlattenedData(out.data() + at, n, CopySectionFlags::kPadSectionBuffer);
  return {};
}

}  // namespace myrt::jit::x64
