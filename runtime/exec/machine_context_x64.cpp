// runtime/exec/machine_context_x64.cpp -- machine_context.h for x86-64 Linux (gregs of ucontext_t).
#if defined(__x86_64__)
#include <ucontext.h>

#include "runtime/exec/machine_context.h"

namespace myrt::mctx {

static_assert(kRegR12 == REG_R12 && kRegRcx == REG_RCX);

namespace {
const greg_t* gregs(const void* uc) { return static_cast<const ucontext_t*>(uc)->uc_mcontext.gregs; }
greg_t* gregs(void* uc) { return static_cast<ucontext_t*>(uc)->uc_mcontext.gregs; }
bool valid(int r) { return r >= 0 && r < NGREG; }
}  // namespace

uintptr_t pc(const void* uc) { return static_cast<uintptr_t>(gregs(uc)[REG_RIP]); }
uintptr_t sp(const void* uc) { return static_cast<uintptr_t>(gregs(uc)[REG_RSP]); }
uintptr_t reg(const void* uc, int r) { return valid(r) ? static_cast<uintptr_t>(gregs(uc)[r]) : 0; }
bool setPc(void* uc, uintptr_t v) {
  gregs(uc)[REG_RIP] = static_cast<greg_t>(v);
  return true;
}
bool setReg(void* uc, int r, uintptr_t v) {
  if (!valid(r)) return false;
  gregs(uc)[r] = static_cast<greg_t>(v);
  return true;
}

}  // namespace myrt::mctx
#endif
