// runtime/exec/signals.h -- out-of-bounds memory accesses caught by guard pages: the SIGSEGV/SIGBUS handler, the
// registries it reads (live wasm memory reservations, JIT code ranges) and the per-thread wasm activation records.
// Layer: exec (POSIX only). Used by store.cpp (memory reservations, host calls), the interpreter (run.cpp) and the JIT.
//
// Guarded memories: a 32-bit memory of a store with StoreLimits::guardPages reserves kGuardedReservation bytes once
// (PROT_NONE beyond the current size; grow makes pages accessible). Every address an access can form,
// base + u32 index + u32 offset + access size (<= 16), lies inside the reservation, so tiers emit loads/stores with no
// bounds check and an out-of-bounds access faults. memory64 memories and stores with guardPages=false keep explicit
// checks (MemoryInst::guarded is false for them, and when the reservation or the handler installation failed).
//
// Activation and claim rules. A thread "runs wasm" while its innermost WasmActivation (a thread-local stack, pushed at
// every host->wasm boundary: the tier entries invoke()/instantiate call through) is active; HostCallScope (used by the
// host-function trampoline) suspends it while a host function runs, so a fault in host code is never claimed. The
// handler claims a SIGSEGV/SIGBUS only when ALL hold:
//   1. the thread has an active activation (not suspended by a host call);
//   2. the fault address lies in a live guarded memory reservation [base, base+reserved);
//   3. the PC lies in registered JIT code (registerCodeRange), or the activation is an interpreter activation
//      (Kind::Interpreter: the interpreter's own accesses are C++ code at no fixed address; while it runs wasm it
//      touches reservations only through unchecked loads/stores).
// A claimed fault in JIT code whose CodeLocation has a resumePc continues there (PC = resumePc, rcx = the access's
// wasm offset): the code reports the trap through its ordinary trap path, so every frame keeps its offset. Any other
// claimed fault records the PC, the address and (for JIT code) the CodeLocation in the activation, restores the
// signal mask of the faulting context and siglongjmps to the activation's `recover` buffer (set with
// sigsetjmp(recover, 0) by the tier entry); the tier then reports TrapReason::MemoryOutOfBounds with its backtrace and
// releases what the activation held. Code between the sigsetjmp and the fault must hold no object with a non-trivial
// destructor (the longjmp skips destructors). Any other fault is passed on to the handler that was installed before
// ours: a previous sa_sigaction/sa_handler is called; SIG_DFL (and SIG_IGN for a synchronous fault, as the kernel
// does) resets the default action so the fault recurs and kills the process as if myrt had no handler. A handler
// installed after myrt's (by the embedder) must pass faults on to it, or wasm out-of-bounds accesses crash.
//
// For a JIT tier: registerCodeRange(code, code + size, lookup, user) for each code buffer (unregister before freeing
// it); in the tier's entry push a WasmActivation with Kind::Compiled, sigsetjmp(act.recover, 0), and on a fault call
// afterFaultRecovery(act), build the backtrace from act.faultLocation (and the tier's own frame records), restore
// cx.depth / cx.sp, pop the activation and return TrapReason::MemoryOutOfBounds. A compiled activation claims a fault
// only at a registered PC, so a bug in a runtime helper called from JIT code still crashes instead of becoming a trap.
//
// Platform notes: x86-64 and AArch64 Linux (PC/SP/registers from ucontext, runtime/exec/machine_context_*.cpp). On
// x86-64 a store that crosses the end of memory faults before writing any byte, as wasm requires; AArch64 may commit
// the in-bounds part of such a (misaligned) store before the fault, so there (kGuardStoresMayTear) no tier leaves a
// store of more than one byte to the guard pages alone: the interpreter lowers such stores to its bounds-checked forms,
// the AArch64 JIT checks a store that crosses a 64 KiB boundary (the only place where the end of memory can be)
// against the memory's size before writing. Under AddressSanitizer the handler chains to ASan's (which then reports
// real crashes); afterFaultRecovery unpoisons the abandoned frames.
#pragma once
#include <csetjmp>
#include <cstddef>
#include <cstdint>

namespace myrt {

struct ExecContext;
struct FuncInst;

// True where a multi-byte store that straddles the end of a guarded memory may write its in-bounds bytes before the
// fault (every ISA but x86-64, conservatively; AArch64 does): such stores need an explicit check (see above).
#if defined(__x86_64__)
constexpr bool kGuardStoresMayTear = false;
#else
constexpr bool kGuardStoresMayTear = true;
#endif

// base + 0xFFFFFFFF + 0xFFFFFFFF + 16 bytes, rounded up to whole 64 KiB pages: 8 GiB + 64 KiB.
constexpr uint64_t kGuardedReservation = (uint64_t(8) << 30) + 65536;

// Installs the SIGSEGV/SIGBUS handlers once per process (thread-safe); false if sigaction failed. Idempotent.
// SIGSEGV/SIGBUS are unblocked on the calling thread here and on every thread at its first activation
// (pushActivation): a signal mask inherited with them blocked (it survives exec) would otherwise turn every guard-page
// trap into the death of the process. A thread that blocks them again after running wasm is the embedder's error.
bool installSignalHandlers();
// Gives the calling thread an alternate signal stack (once per thread; keeps an existing one of >= 16 KiB), so the
// handler also runs when the fault is a native stack overflow.
void ensureThreadAltStack();

// Registry of live guarded memory reservations (read lock-free by the handler). Returns false when full (the memory
// then keeps explicit checks).
bool registerGuardedMemory(const void* base, size_t reserved);
void unregisterGuardedMemory(const void* base);
bool isGuardedMemoryAddress(const void* addr);  // inside some registered reservation

// JIT code: a PC inside [begin, end) maps to a function and wasm offset through `lookup`, which runs inside the signal
// handler and must be async-signal-safe (no allocation, no locks; read immutable tables). Returns a handle for
// unregisterCodeRange, or 0 when the registry is full.
struct CodeLocation {
  const FuncInst* func = nullptr;
  uint32_t wasmOffset = UINT32_MAX;  // module-relative offset of the instruction at pc (UINT32_MAX: unknown)
  // For a fault: where the faulting code continues (0: siglongjmp to the activation instead). The handler sets the
  // PC to it and `resumeRegister` (a machine_context.h register number; the JIT backend's trap protocol, x86-64: rcx)
  // to wasmOffset and returns, so the JIT code's own trap path unwinds its frames.
  uintptr_t resumePc = 0;
  int resumeRegister = -1;
};
using CodeLookup = bool (*)(void* user, uintptr_t pc, CodeLocation* out);
uintptr_t registerCodeRange(const void* begin, const void* end, CodeLookup lookup, void* user);
void unregisterCodeRange(uintptr_t handle);
bool lookupCodeRange(uintptr_t pc, CodeLocation* out);  // true if pc is in registered code (out filled if lookup does)

// One host->wasm transition on this thread. Push it, then `if (sigsetjmp(act.recover, 0)) { ...fault... }` in the same
// function that stays on the stack while wasm runs, then run wasm, then pop it (also after a fault).
struct WasmActivation {
  enum class Kind : uint8_t { Interpreter, Compiled };
  WasmActivation* prev = nullptr;
  ExecContext* cx = nullptr;
  Kind kind = Kind::Interpreter;
  sigjmp_buf recover;
  // Filled by the handler for a claimed fault:
  uintptr_t faultPc = 0;
  uintptr_t faultAddress = 0;
  uintptr_t faultSp = 0;  // stack pointer at the fault (the deepest frame abandoned by the jump)
  uintptr_t faultTierReg = 0;  // the value of `tierRegister` at the fault
  // Set by the tier that pushes the activation: a register (machine_context.h number) whose value at a fault it needs
  // (the interpreter on x86-64 GCC: r12, its code position); -1: none.
  int tierRegister = -1;
  CodeLocation faultLocation;
  // Tier-private state the tier needs to rebuild its backtrace after the jump (the interpreter: its frame stack).
  void* tierState = nullptr;
};

// Call first thing after sigsetjmp returned from a fault, in the function that called sigsetjmp: under AddressSanitizer
// it clears the stack poisoning of the frames the jump abandoned (ASan cannot do it for a longjmp that starts on the
// alternate signal stack). No-op otherwise.
void afterFaultRecovery(const WasmActivation& act);

// The calling thread's innermost active activation (nullptr outside wasm or while a host function runs).
WasmActivation* currentActivation();
void pushActivation(WasmActivation& act);  // act.prev = current; current = &act
void popActivation(WasmActivation& act);   // current = act.prev

// Suspends the current activation while a host function runs (faults there are never claimed).
class HostCallScope {
 public:
  HostCallScope();
  ~HostCallScope();
  HostCallScope(const HostCallScope&) = delete;
  HostCallScope& operator=(const HostCallScope&) = delete;

 private:
  WasmActivation* saved_;
};

}  // namespace myrt
