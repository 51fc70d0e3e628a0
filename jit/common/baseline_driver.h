// jit/common/baseline_driver.h -- what both ISAs' baseline FunctionCompilers (jit/x64/compiler.cpp,
// jit/arm64/compiler.cpp) do around BaselineCompiler<Masm> for each function: one reused asmjit CodeHolder and
// MacroAssembler, the CodeReader walk, error collection, flattening and relocation, the direct-entry check the linker
// relies on, the OSR entry and loops, the fault landing, and the bytes appended to the caller's buffer. An ISA adds
// only its checks through the hooks of compile(); everything else lives here once.
// Layer: jit/common (asmjit core only; the MacroAssembler type is the ISA's template argument).
#pragma once
#include <asmjit/core.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "jit/common/asm_errors.h"
#include "jit/common/backend.h"
#include "jit/common/baseline_compiler.h"
#include "runtime/base/result.h"
#include "runtime/valid/code_reader.h"

namespace myrt::jit {

// The ISA's checks, called by BaselineDriver::compile (each returns an error text, empty when fine):
//   beforeFinish(masm)   after the body was read, before the epilogue and out-of-line code are emitted;
//   afterFinish(masm)    after everything was emitted;
//   afterRelocate(code, compiler)  the code is final (at base 0): record per-function sites.
struct NoDriverHook {
  template <class... A>
  std::string operator()(A&&...) const { return {}; }
};

template <class Masm, class MacroAssembler>
class BaselineDriver {
 public:
  using Compiler = BaselineCompiler<Masm>;

  explicit BaselineDriver(Instance& i) : types(*i.module), compiler(i, masm), reader(types, compiler) {
    compiler.setReader(&reader);
    compiler.setSitesOut(&sites);
  }

  template <class BeforeFinish, class AfterFinish, class AfterRelocate>
  Status compile(uint32_t funcIndex, std::vector<uint8_t>& out, std::vector<CallFixup>* fixups, OsrInfo* osr,
                 uint64_t directEntryOffset, BeforeFinish&& beforeFinish, AfterFinish&& afterFinish,
                 AfterRelocate&& afterRelocate) {
    code.reset();  // (detaches masm)
    code.init(asmjit::Environment::host());
    errors.failed = false;
    errors.text.clear();
    code.setErrorHandler(&errors);
    code.attach(&masm);
    masm.resetJumps();
    const size_t fixupsBefore = fixups ? fixups->size() : 0;
    auto fail = [&](std::string message) -> Status {
      if (fixups) fixups->resize(fixupsBefore);
      return Error(std::move(message));
    };
    compiler.reset(fixups, osr != nullptr);
    faultLanding = 0;
    Status s = reader.readFunction(funcIndex);
    if (!s.ok()) return fail(s.error().message);
    if (!compiler.error().empty()) return fail(compiler.error());
    if (std::string e = beforeFinish(masm); !e.empty()) return fail(std::move(e));
    compiler.finish();
    if (errors.failed) return fail("jit: assembler: " + errors.text);
    if (std::string e = afterFinish(masm); !e.empty()) return fail(std::move(e));
    code.flatten();
    code.resolveUnresolvedLinks();
    if (code.hasUnresolvedLinks()) return fail("jit: internal error: unbound label");  // a compiler bug: never run it
    code.relocateToBase(0);
    if (errors.failed) return fail("jit: assembler: " + errors.text);
    if (code.labelOffsetFromBase(compiler.directEntry()) != directEntryOffset)  // the linker relies on it
      return fail("jit: internal error: direct entry at " +
                  std::to_string(code.labelOffsetFromBase(compiler.directEntry())));
    if (osr) {
      osr->entryOffset = 0;
      osr->loops.clear();
      if (compiler.osrEntry().isValid()) {
        osr->entryOffset = static_cast<uint32_t>(code.labelOffsetFromBase(compiler.osrEntry()));
        for (const typename Compiler::OsrLoop& l : compiler.osrLoops())
          osr->loops.push_back({l.wasmOffset, static_cast<uint32_t>(l.target), l.slots});
      }
    }
    if (std::string e = afterRelocate(code, compiler); !e.empty()) return fail(std::move(e));
    if (compiler.faultLanding().isValid())
      faultLanding = static_cast<uint32_t>(code.labelOffsetFromBase(compiler.faultLanding()));
    const size_t n = code.codeSize();
    if (code.sectionCount() == 1) {  // the usual case: append the one section's bytes (no zero-fill first)
      const uint8_t* data = code.textSection()->data();
      out.insert(out.end(), data, data + n);
      return {};
    }
    const size_t at = out.size();
    out.resize(at + n);
    code.copyFlattenedData(out.data() + at, n, asmjit::CopySectionFlags::kPadSectionBuffer);
    return {};
  }

  TypeContext types;
  std::vector<CodeSite> sites;  // of the last compiled function
  uint32_t faultLanding = 0;    // of the last compiled function
  // Reused for each function (their buffers keep their capacity): compile() resets them first.
  asmjit::CodeHolder code;
  AsmErrorRecorder errors;
  MacroAssembler masm;
  Compiler compiler;
  typename Compiler::Reader reader;
};

}  // namespace myrt::jit
