// capi/shared_only/no_jit.cpp -- the JIT entry points for a libmyrt.so built without the JIT: Debian's libasmjit.a is
// not position independent, so it cannot be linked into a shared library (capi/library.cmake checks this at configure
// time). The `jit` tier then reports itself unavailable ("unsupported: tier jit ..."); libmyrt.a has the JIT.
// Layer: capi (linked into libmyrt.so only, before the stage libraries, so libmyrt_jit.a is never pulled in).
#include <algorithm>

#include "engine/code_cache.h"
#include "jit/jit.h"
#include "runtime/interp/interp.h"

namespace myrt {

bool jitAvailable() { return false; }
FuncEntry jitEntry() { return interpreterEntry(); }
StoreConfig jitConfig(const StoreLimits& limits) { return interpreterConfig(limits); }

// engine/code_cache.h without the JIT: no artifact can be written or loaded (wasm_module_serialize writes the
// bytes-only form; wasm_module_deserialize refuses an artifact with this error; the code cache is never used).
bool isPrecompiledArtifact(std::span<const uint8_t> bytes) {
  static constexpr uint8_t kMagic[8] = {0, 'm', 'y', 'r', 't', 'a', 'o', 't'};
  return bytes.size() >= 8 && std::equal(kMagic, kMagic + 8, bytes.begin());
}
Result<std::vector<uint8_t>> precompileArtifact(std::shared_ptr<const Module>, unsigned) {
  return Error("unsupported: precompiled code: this libmyrt.so has no JIT");
}
Result<std::shared_ptr<Module>> loadPrecompiledArtifact(std::vector<uint8_t>) {
  return Error("unsupported: precompiled code: this libmyrt.so has no JIT");
}
std::string defaultCodeCacheDir() { return ""; }
CacheLookup codeCacheLookup(const std::string&, Module&, std::string*) { return CacheLookup::Skipped; }
Status codeCacheFill(const std::string&, const std::shared_ptr<Module>&, unsigned) {
  return Error("unsupported: precompiled code: this libmyrt.so has no JIT");
}

}  // namespace myrt
