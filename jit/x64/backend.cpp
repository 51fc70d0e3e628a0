// jit/x64/backend.cpp -- the x86-64 backend of the JIT tier (jit/common/backend.h): the ModuleCompiler, the linking
// facts (rel32 direct calls, the call-via-entry stub, int3 padding) and the trap protocol of a resumed fault (rcx).
// Layer: jit/x64.
#if defined(__x86_64__)
#include <asmjit/core.h>
#include <cstring>

#include "jit/common/backend.h"
#include "jit/x64/compiler.h"
#include "jit/x64/opt_compiler.h"
#include "jit/x64/simd.h"
#include "runtime/exec/machine_context.h"

namespace myrt::jit {

namespace {

std::unique_ptr<FunctionCompiler> newX64Compiler(Instance& inst) { return std::make_unique<x64::ModuleCompiler>(inst); }

const char* x64SimdPath() {
  const x64::SimdFeatures& f = x64::simdFeatures();
  return f.avx2 ? "AVX2" : f.avx ? "AVX" : "SSE4.1";
}

// What the generated code may use (simd.h's choice, so MYRT_JIT_NO_AVX=1 clears AVX/AVX2; baseline_masm.h's bit counts).
uint64_t x64CpuFeatures() {
  const x64::SimdFeatures& f = x64::simdFeatures();
  const asmjit::CpuInfo& ci = asmjit::CpuInfo::host();
  uint64_t b = 1;  // SSE4.1: required
  if (f.sse42) b |= 2;
  if (f.avx) b |= 4;
  if (f.avx2) b |= 8;
  if (ci.hasFeature(asmjit::CpuFeatures::X86::kLZCNT)) b |= 16;
  if (ci.hasFeature(asmjit::CpuFeatures::X86::kBMI)) b |= 32;
  if (ci.hasFeature(asmjit::CpuFeatures::X86::kPOPCNT)) b |= 64;
  return b;
}
const char* x64CpuFeatureName(unsigned bit) {
  static const char* const kNames[] = {"SSE4.1", "SSE4.2", "AVX", "AVX2", "LZCNT", "BMI", "POPCNT"};
  return bit < sizeof kNames / sizeof kNames[0] ? kNames[bit] : nullptr;
}

// The fixup is the rel32 of a call/jmp: relative to the end of its 4 bytes.
void patchRel32(uint8_t* code, size_t site, size_t target) {
  const int32_t rel = static_cast<int32_t>(static_cast<int64_t>(target) - int64_t(site + 4));
  std::memcpy(code + site, &rel, 4);
}

const Backend kX64Backend = {
    "x86-64",
    &x64::cpuSupported,
    "SSE4.1",
    &x64SimdPath,
    &newX64Compiler,
    x64::ModuleCompiler::kDirectEntryOffset,
    &x64::ModuleCompiler::appendCallViaEntryStub,
    &patchRel32,
    &x64CpuFeatures,
    &x64CpuFeatureName,
    true,  // relocatable code (baseline_masm.h movPtr, constantTypeId)
    0xCC,  // int3
    mctx::kRegRcx,
    &x64::newOptCompiler,
};

}  // namespace

const Backend* hostBackend() { return &kX64Backend; }

}  // namespace myrt::jit
#endif
