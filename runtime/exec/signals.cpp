// runtime/exec/signals.cpp -- the SIGSEGV/SIGBUS handler for guard-page bounds checks, its lock-free registries and
// the thread-local activation stack. The rules are in signals.h.
// Layer: exec. ISA-neutral: the per-ISA facts of the machine context are in machine_context_<isa>.cpp, the meaning of
// registers belongs to the tiers (WasmActivation::tierRegister, CodeLocation::resumeRegister).
#include "runtime/exec/signals.h"

#include "runtime/exec/machine_context.h"

#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>

#include <atomic>
#include <cerrno>
#include <mutex>

#if defined(__SANITIZE_ADDRESS__)
#define MYRT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MYRT_ASAN 1
#endif
#endif
#ifdef MYRT_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace myrt {

namespace {

// ---- lock-free range tables ----------------------------------------------------------------------------------------
// Fixed arrays of slots, each guarded by a sequence counter (odd while a writer changes it). Writers serialize on a
// mutex; the signal handler reads without locks and ignores slots that change under it (they belong to other threads:
// a thread's own memories and code cannot be unregistered while it runs wasm in them).
struct RangeSlot {
  std::atomic<uint32_t> seq{0};
  std::atomic<uintptr_t> begin{0};
  std::atomic<uintptr_t> end{0};  // 0: free
  std::atomic<CodeLookup> lookup{nullptr};
  std::atomic<void*> user{nullptr};
};

struct RangeSnapshot {
  uintptr_t begin = 0, end = 0;
  CodeLookup lookup = nullptr;
  void* user = nullptr;
};

template <size_t N>
class RangeTable {
 public:
  // Index + 1 of the slot now holding the range, or 0 when full.
  size_t add(uintptr_t begin, uintptr_t end, CodeLookup lookup, void* user) {
    std::lock_guard<std::mutex> lock(mu_);
    const size_t used = used_.load(std::memory_order_relaxed);
    size_t i = 0;
    while (i < used && slots_[i].end.load(std::memory_order_relaxed) != 0) ++i;
    if (i == N) return 0;
    write(slots_[i], begin, end, lookup, user);
    if (i == used) used_.store(used + 1, std::memory_order_release);
    return i + 1;
  }
  void removeSlot(size_t handle) {
    if (handle == 0 || handle > N) return;
    std::lock_guard<std::mutex> lock(mu_);
    write(slots_[handle - 1], 0, 0, nullptr, nullptr);
  }
  void removeBegin(uintptr_t begin) {
    std::lock_guard<std::mutex> lock(mu_);
    const size_t used = used_.load(std::memory_order_relaxed);
    for (size_t i = 0; i < used; ++i)
      if (slots_[i].end.load(std::memory_order_relaxed) != 0 && slots_[i].begin.load(std::memory_order_relaxed) == begin)
        return write(slots_[i], 0, 0, nullptr, nullptr);
  }
  // Async-signal-safe: the range containing `a`.
  bool find(uintptr_t a, RangeSnapshot* out) const {
    const size_t used = used_.load(std::memory_order_acquire);
    for (size_t i = 0; i < used; ++i) {
      const RangeSlot& s = slots_[i];
      const uint32_t s1 = s.seq.load(std::memory_order_acquire);
      if (s1 & 1) continue;
      RangeSnapshot r;
      r.begin = s.begin.load(std::memory_order_relaxed);
      r.end = s.end.load(std::memory_order_relaxed);
      r.lookup = s.lookup.load(std::memory_order_relaxed);
      r.user = s.user.load(std::memory_order_relaxed);
      std::atomic_thread_fence(std::memory_order_acquire);
      if (s.seq.load(std::memory_order_relaxed) != s1) continue;
      if (a >= r.begin && a < r.end) {
        if (out) *out = r;
        return true;
      }
    }
    return false;
  }

 private:
  static void write(RangeSlot& s, uintptr_t begin, uintptr_t end, CodeLookup lookup, void* user) {
    s.seq.fetch_add(1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    s.begin.store(begin, std::memory_order_relaxed);
    s.end.store(end, std::memory_order_relaxed);
    s.lookup.store(lookup, std::memory_order_relaxed);
    s.user.store(user, std::memory_order_relaxed);
    s.seq.fetch_add(1, std::memory_order_release);
  }

  std::mutex mu_;
  std::atomic<size_t> used_{0};  // slots [0, used_) have ever been written
  RangeSlot slots_[N];
};

// 128 TiB of user address space holds at most ~16k reservations of 8 GiB.
RangeTable<16384> gMemories;
RangeTable<16384> gCode;  // (one size for both: GCC 12 mis-warns -Warray-bounds on two instantiations)

// ---- activations, alternate signal stacks -------------------------------------------------------------------------

thread_local WasmActivation* tCurrent = nullptr;

constexpr size_t kAltStackSize = 256 * 1024;  // enough for a chained handler (a sanitizer's report) as well
constexpr size_t kMinExistingAltStack = 16 * 1024;

struct ThreadAltStack {
  bool checked = false;
  void* mem = nullptr;  // our mapping (guard page + stack), or nullptr if we kept an existing stack
  ~ThreadAltStack() {
    if (!mem) return;
    stack_t cur{};
    if (sigaltstack(nullptr, &cur) == 0 && cur.ss_sp == static_cast<char*>(mem) + pageSize()) {
      stack_t off{};
      off.ss_flags = SS_DISABLE;
      sigaltstack(&off, nullptr);
    }
    munmap(mem, kAltStackSize + pageSize());
  }
  static size_t pageSize() { return 4096 * 16; }  // a guard below the stack (>= any host page size we run on)
};
thread_local ThreadAltStack tAltStack;

// ---- the handler ----------------------------------------------------------------------------------------------------

struct sigaction gPrevSegv;
struct sigaction gPrevBus;

void resetToDefault(int sig) {
  struct sigaction d{};
  d.sa_handler = SIG_DFL;
  sigemptyset(&d.sa_mask);
  sigaction(sig, &d, nullptr);
}

// Passes a fault that is not ours to the handler installed before ours (see signals.h).
void chain(int sig, siginfo_t* si, void* ctx) {
  const struct sigaction& p = sig == SIGBUS ? gPrevBus : gPrevSegv;
  const bool synchronous = si && si->si_code > 0;  // raised by the kernel for an instruction (not kill/raise)
  if (p.sa_flags & SA_SIGINFO) {
    if (p.sa_sigaction) {
      sigset_t old;
      pthread_sigmask(SIG_BLOCK, &p.sa_mask, &old);
      p.sa_sigaction(sig, si, ctx);
      pthread_sigmask(SIG_SETMASK, &old, nullptr);
      return;
    }
  } else if (p.sa_handler == SIG_IGN) {
    if (synchronous) resetToDefault(sig);  // the kernel does not let a fault be ignored: the retry kills
    return;
  } else if (p.sa_handler != SIG_DFL) {
    sigset_t old;
    pthread_sigmask(SIG_BLOCK, &p.sa_mask, &old);
    p.sa_handler(sig);
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return;
  }
  // SIG_DFL: the faulting instruction runs again on return and now kills the process with the default action; a
  // signal sent by kill/raise is raised again (pending until this handler returns).
  resetToDefault(sig);
  if (!synchronous) raise(sig);
}

void handler(int sig, siginfo_t* si, void* ctx) {
  const int savedErrno = errno;
  WasmActivation* act = tCurrent;
  if (act && si && si->si_code > 0) {
    const uintptr_t addr = reinterpret_cast<uintptr_t>(si->si_addr);
    if (gMemories.find(addr, nullptr)) {
      const uintptr_t pc = mctx::pc(ctx);
      CodeLocation loc;
      const bool inCode = lookupCodeRange(pc, &loc);
      // the code's own trap protocol (jit/common/backend.h): resume at its landing with the offset in its register
      if (inCode && loc.resumePc && loc.resumeRegister != mctx::kNoRegister &&
          act->kind == WasmActivation::Kind::Compiled && mctx::setReg(ctx, loc.resumeRegister, loc.wasmOffset) &&
          mctx::setPc(ctx, loc.resumePc)) {
        errno = savedErrno;
        return;
      }
      if (inCode || act->kind == WasmActivation::Kind::Interpreter) {
        act->faultPc = pc;
        act->faultAddress = addr;
        act->faultSp = mctx::sp(ctx);
        act->faultTierReg = mctx::reg(ctx, act->tierRegister);
        act->faultLocation = loc;
        // sigsetjmp(recover, 0) saved no mask: restore the faulting context's mask (the handler blocked `sig`).
        pthread_sigmask(SIG_SETMASK, &static_cast<ucontext_t*>(ctx)->uc_sigmask, nullptr);
        siglongjmp(act->recover, 1);
      }
    }
  }
  errno = savedErrno;
  chain(sig, si, ctx);
}

// Unblocks SIGSEGV/SIGBUS on the calling thread. A blocked one (the signal mask is inherited across fork and exec,
// so a parent can hand us one) makes the kernel kill the process at the first guard-page fault instead of running
// the handler.
void unblockFaultSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGSEGV);
  sigaddset(&set, SIGBUS);
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

thread_local bool tUnblocked = false;

}  // namespace

bool installSignalHandlers() {
  static std::once_flag once;
  static bool ok = false;
  unblockFaultSignals();
  tUnblocked = true;
  std::call_once(once, [] {
    struct sigaction sa{};
    sa.sa_sigaction = &handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    ok = sigaction(SIGSEGV, &sa, &gPrevSegv) == 0 && sigaction(SIGBUS, &sa, &gPrevBus) == 0;
  });
  return ok;
}

void ensureThreadAltStack() {
  ThreadAltStack& t = tAltStack;
  if (t.checked) return;
  t.checked = true;
  stack_t cur{};
  if (sigaltstack(nullptr, &cur) == 0 && !(cur.ss_flags & SS_DISABLE) && cur.ss_size >= kMinExistingAltStack) return;
  const size_t guard = ThreadAltStack::pageSize();
  void* p = mmap(nullptr, kAltStackSize + guard, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                 -1, 0);
  if (p == MAP_FAILED) return;
  mprotect(p, guard, PROT_NONE);
  stack_t ss{};
  ss.ss_sp = static_cast<char*>(p) + guard;
  ss.ss_size = kAltStackSize;
  if (sigaltstack(&ss, nullptr) != 0) {
    munmap(p, kAltStackSize + guard);
    return;
  }
  t.mem = p;
}

bool registerGuardedMemory(const void* base, size_t reserved) {
  const auto b = reinterpret_cast<uintptr_t>(base);
  return gMemories.add(b, b + reserved, nullptr, nullptr) != 0;
}
void unregisterGuardedMemory(const void* base) { gMemories.removeBegin(reinterpret_cast<uintptr_t>(base)); }
bool isGuardedMemoryAddress(const void* addr) { return gMemories.find(reinterpret_cast<uintptr_t>(addr), nullptr); }

uintptr_t registerCodeRange(const void* begin, const void* end, CodeLookup lookup, void* user) {
  return gCode.add(reinterpret_cast<uintptr_t>(begin), reinterpret_cast<uintptr_t>(end), lookup, user);
}
void unregisterCodeRange(uintptr_t handle) { gCode.removeSlot(handle); }
bool lookupCodeRange(uintptr_t pc, CodeLocation* out) {
  RangeSnapshot r;
  if (!gCode.find(pc, &r)) return false;
  if (r.lookup && out) r.lookup(r.user, pc, out);
  return true;
}

void afterFaultRecovery(const WasmActivation& act) {
#ifdef MYRT_ASAN
  // The abandoned frames lie between the fault's stack pointer (minus the x86-64 red zone) and the activation record.
  const uintptr_t low = act.faultSp > 256 ? act.faultSp - 256 : 0;
  const auto high = reinterpret_cast<uintptr_t>(&act);
  if (low && low < high && high - low < (uintptr_t(1) << 30))
    __asan_unpoison_memory_region(reinterpret_cast<void*>(low), high - low);
#else
  (void)act;
#endif
}

WasmActivation* currentActivation() { return tCurrent; }
void pushActivation(WasmActivation& act) {
  ensureThreadAltStack();
  if (!tUnblocked) {  // once per thread: the first activation of every thread that runs wasm
    unblockFaultSignals();
    tUnblocked = true;
  }
  act.prev = tCurrent;
  tCurrent = &act;
}
void popActivation(WasmActivation& act) { tCurrent = act.prev; }

HostCallScope::HostCallScope() : saved_(tCurrent) { tCurrent = nullptr; }
HostCallScope::~HostCallScope() { tCurrent = saved_; }

}  // namespace myrt
