// runtime/exec/machine_context_arm64.cpp -- machine_context.h for AArch64 Linux (regs[0..30], sp, pc of mcontext_t).
#if defined(__aarch64__)
#include <ucontext.h>

#include "runtime/exec/machine_context.h"

namespace myrt::mctx {

namespace {
const mcontext_t& mc(const void* uc) { return static_cast<const ucontext_t*>(uc)->uc_mcontext; }
mcontext_t& mc(void* uc) { return static_cast<ucontext_t*>(uc)->uc_mcontext; }
bool valid(int r) { return r >= 0 && r <= 30; }
}  // namespace

uintptr_t pc(const void* uc) { return static_cast<uintptr_t>(mc(uc).pc); }
uintptr_t sp(const void* uc) { return static_cast<uintptr_t>(mc(uc).sp); }
uintptr_t reg(const void* uc, int r) { return valid(r) ? static_cast<uintptr_t>(mc(uc).regs[r]) : 0; }
bool setPc(void* uc, uintptr_t v) {
  mc(uc).pc = v;
  return true;
}
bool setReg(void* uc, int r, uintptr_t v) {
  if (!valid(r)) return false;
  mc(uc).regs[r] = v;
  return true;
}

}  // namespace myrt::mctx
#endif
