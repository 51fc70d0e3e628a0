// runtime/exec/machine_context.h -- the per-ISA facts of a signal's machine context (ucontext_t), behind one interface:
// the PC, the stack pointer, and general registers by number, read and written. The signal handler (signals.cpp) is
// ISA-neutral; which register means what is the business of the tier that registered the code or pushed the
// activation (the interpreter's pinned code-position register, a JIT backend's trap protocol).
// Implemented once per ISA: machine_context_x64.cpp, machine_context_arm64.cpp (machine_context_other.cpp: no support,
// faults then fall back to the siglongjmp path without positions).
// Layer: exec. Async-signal-safe.
#pragma once
#include <cstdint>

namespace myrt::mctx {

// Register numbers are the ISA's own numbering in its ucontext: x86-64 the gregs index (REG_RAX ... REG_R15 of
// <sys/ucontext.h>, named below), AArch64 the X register number (0-30).
constexpr int kNoRegister = -1;
#if defined(__x86_64__)
constexpr int kRegR12 = 4;   // REG_R12
constexpr int kRegRcx = 14;  // REG_RCX
#elif defined(__aarch64__)
constexpr int kRegX28 = 28;
#endif

uintptr_t pc(const void* uc);
uintptr_t sp(const void* uc);
// 0 for kNoRegister or a number this ISA does not have.
uintptr_t reg(const void* uc, int r);
// False when this ISA's context cannot be changed (then the caller must not return into the changed context).
bool setPc(void* uc, uintptr_t pc);
bool setReg(void* uc, int r, uintptr_t value);

}  // namespace myrt::mctx
