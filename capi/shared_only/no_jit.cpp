// capi/shared_only/no_jit.cpp -- the JIT entry points for a libmyrt.so built without the JIT: Debian's libasmjit.a is
// not position independent, so it cannot be linked into a shared library (capi/library.cmake checks this at configure
// time). The `jit` tier then reports itself unavailable ("unsupported: tier jit ..."); libmyrt.a has the JIT.
// Layer: capi (linked into libmyrt.so only, before the stage libraries, so libmyrt_jit.a is never pulled in).
#include "jit/jit.h"
#include "runtime/interp/interp.h"

namespace myrt {

bool jitAvailable() { return false; }
FuncEntry jitEntry() { return interpreterEntry(); }
StoreConfig jitConfig(const StoreLimits& limits) { return interpreterConfig(limits); }

}  // namespace myrt
