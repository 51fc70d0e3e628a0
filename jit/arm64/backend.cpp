// jit/arm64/backend.cpp -- the AArch64 backend of the JIT tier (jit/common/backend.h): the ModuleCompiler, the
// linking facts (bl/b imm26 direct calls, the call-via-entry stub, udf padding) and the trap protocol of a resumed
// fault (x3).
// Layer: jit/arm64.
#if defined(__aarch64__)
#include "jit/arm64/compiler.h"
#include "jit/common/backend.h"

namespace myrt::jit {

namespace {

std::unique_ptr<FunctionCompiler> newA64Compiler(Instance& inst) { return std::make_unique<arm64::ModuleCompiler>(inst); }

bool a64CpuSupported() { return true; }  // (the base A64 ISA: FP and Advanced SIMD are mandatory on Linux)
const char* a64SimdPath() { return "numeric helpers"; }

uint64_t a64CpuFeatures() { return 0; }
const char* a64CpuFeatureName(unsigned) { return nullptr; }

const Backend kA64Backend = {
    "aarch64",
    &a64CpuSupported,
    "",
    &a64SimdPath,
    &newA64Compiler,
    arm64::ModuleCompiler::kDirectEntryOffset,
    &arm64::ModuleCompiler::appendCallViaEntryStub,
    &arm64::ModuleCompiler::patchCall,
    &a64CpuFeatures,
    &a64CpuFeatureName,
    false,  // embedded addresses are not recorded yet: no precompiled artifacts on AArch64
    0x00,  // four zero bytes: udf #0 (functions and their sizes are multiples of 4)
    3,     // x3 (runtime/exec/machine_context.h: AArch64 register numbers are X numbers)
    nullptr,  // no optimizing tier on AArch64 yet
};

}  // namespace

const Backend* hostBackend() { return &kA64Backend; }

}  // namespace myrt::jit
#endif
