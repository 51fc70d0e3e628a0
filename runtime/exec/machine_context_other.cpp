// runtime/exec/machine_context_other.cpp -- machine_context.h for ISAs without a port: nothing is known, nothing can be
// changed (guarded memories still trap through the activation's siglongjmp, without a code position).
#if !defined(__x86_64__) && !defined(__aarch64__)
#include "runtime/exec/machine_context.h"

namespace myrt::mctx {

uintptr_t pc(const void*) { return 0; }
uintptr_t sp(const void*) { return 0; }
uintptr_t reg(const void*, int) { return 0; }
bool setPc(void*, uintptr_t) { return false; }
bool setReg(void*, int, uintptr_t) { return false; }

}  // namespace myrt::mctx
#endif
