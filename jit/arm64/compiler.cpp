// jit/arm64/compiler.cpp -- the AArch64 FunctionCompiler (jit/common/backend.h): the ISA-neutral baseline compiler
// (jit/common/baseline_compiler.h) instantiated over the A64 baseline macro assembler (baseline_masm.h), one asmjit
// CodeHolder per function, and the bytes, code map, OSR entry and fault landing handed to jit.cpp.
// Layer: jit/arm64.
#if defined(__aarch64__)
#include "jit/arm64/compiler.h"

#include <string>

#include "jit/arm64/baseline_masm.h"
#include "jit/arm64/masm.h"
#include "jit/common/baseline_compiler.h"

namespace myrt::jit::arm64 {

using namespace asmjit;

namespace {

class ErrorRecorder : public ErrorHandler {
 public:
  void handleError(asmjit::Error err, const char* message, BaseEmitter*) override {
    if (!failed) {
      failed = true;
      text = message ? message : DebugUtils::errorAsString(err);
    }
  }
  bool failed = false;
  std::string text;
};

using Compiler = BaselineCompiler<BaselineMasm>;
static_assert(BaselineMasm::kDirectEntryOffset == ModuleCompiler::kDirectEntryOffset);

}  // namespace

struct ModuleCompiler::Impl {
  explicit Impl(Instance& i) : inst(i), types(*i.module), compiler(i, masm), reader(types, compiler) {
    compiler.setReader(&reader);
    compiler.setSitesOut(&sites);
  }
  Instance& inst;
  TypeContext types;
  std::vector<CodeSite> sites;  // of the last compiled function
  uint32_t faultLanding = 0;
  CodeHolder code;
  ErrorRecorder errors;
  MacroAssembler masm;
  Compiler compiler;
  Compiler::Reader reader;
};

ModuleCompiler::ModuleCompiler(Instance& inst) : impl_(std::make_unique<Impl>(inst)) {}
ModuleCompiler::~ModuleCompiler() = default;

const std::vector<CodeSite>& ModuleCompiler::sites() const { return impl_->sites; }
uint32_t ModuleCompiler::faultLanding() const { return impl_->faultLanding; }
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
  CodeHolder& code = impl_->code;
  code.reset();  // (detaches masm)
  code.init(Environment::host());
  ErrorRecorder& errors = impl_->errors;
  errors.failed = false;
  errors.text.clear();
  code.setErrorHandler(&errors);
  MacroAssembler& masm = impl_->masm;
  code.attach(&masm);
  masm.resetJumps();
  const size_t fixupsBefore = fixups ? fixups->size() : 0;
  auto fail = [&](std::string message) -> Status {
    if (fixups) fixups->resize(fixupsBefore);
    return Error(std::move(message));
  };
  Compiler& c = impl_->compiler;
  c.reset(fixups, osr != nullptr);
  Compiler::Reader& reader = impl_->reader;
  impl_->faultLanding = 0;
  Status s = reader.readFunction(funcIndex);
  if (!s.ok()) return fail(s.error().message);
  if (!c.error().empty()) return fail(c.error());
  if (!masm.unsupported().empty()) return fail("unsupported: " + masm.unsupported() + " (not yet in the AArch64 JIT)");
  c.finish();
  if (errors.failed) return fail("jit: assembler: " + errors.text);
  if (masm.rangeError()) return fail("unsupported: a branch out of range (function too large for the AArch64 JIT)");
  code.flatten();
  code.resolveUnresolvedLinks();
  if (code.hasUnresolvedLinks()) return fail("jit: internal error: unbound label");
  code.relocateToBase(0);
  if (errors.failed) return fail("jit: assembler: " + errors.text);
  if (code.labelOffsetFromBase(c.directEntry()) != kDirectEntryOffset)  // the linker relies on it
    return fail("jit: internal error: direct entry at " + std::to_string(code.labelOffsetFromBase(c.directEntry())));
  if (osr) {
    osr->entryOffset = 0;
    osr->loops.clear();
    if (c.osrEntry().isValid()) {
      osr->entryOffset = static_cast<uint32_t>(code.labelOffsetFromBase(c.osrEntry()));
      for (const Compiler::OsrLoop& l : c.osrLoops())
        osr->loops.push_back({l.wasmOffset, static_cast<uint32_t>(l.target), l.slots});
    }
  }
  if (c.faultLanding().isValid()) impl_->faultLanding = static_cast<uint32_t>(code.labelOffsetFromBase(c.faultLanding()));
  const size_t n = code.codeSize();
  if (code.sectionCount() == 1) {
    const uint8_t* data = code.textSection()->data();
    out.insert(out.end(), data, data + n);
    return {};
  }
  const size_t at = out.size();
  out.resize(at + n);
  code.copyFlattenedData(out.data() + at, n, CopySectionFlags::kPadSectionBuffer);
  return {};
}

}  // namespace myrt::jit::arm64
#endif
