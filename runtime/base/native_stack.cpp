// runtime/base/native_stack.cpp -- the running thread's stack bounds (rules in native_stack.h).
// Layer: base.
#include "runtime/base/native_stack.h"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#if defined(__GLIBC__)
extern "C" void* __libc_stack_end;  // glibc: the main thread's stack pointer at process start (below argv/envp)
#endif

namespace myrt {

namespace {
// The main thread's stack without pthread_getattr_np, which reads and parses /proc/self/maps for it (a tenth of a
// hello-world run). glibc's answer is [end of the mapping holding __libc_stack_end - RLIMIT_STACK, that end); taking
// __libc_stack_end itself as the top gives a bound a few KiB (argv, envp, auxv) more conservative, never looser.
// Only for a limit of at most 128 MiB: Linux leaves at least that much (and at least the limit at exec) free below the
// stack for it to grow into, so nothing mapped by an ordinary mmap sits inside; for bigger or unlimited stacks (or a
// limit raised after exec), glibc's answer, which also clamps to the mapping below.
bool mainThreadStack(ThreadStack* out) {
#if defined(__GLIBC__)
  if (getpid() != gettid()) return false;
  rlimit rl{};
  if (getrlimit(RLIMIT_STACK, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (rlim_t(128) << 20)) return false;
  const uintptr_t top = reinterpret_cast<uintptr_t>(__libc_stack_end);
  if (!top || top < rl.rlim_cur) return false;
  out->high = top;
  out->low = top - rl.rlim_cur;
  return true;
#else
  (void)out;
  return false;
#endif
}
}  // namespace

ThreadStack currentThreadStack() {
  thread_local ThreadStack cached;
  thread_local bool known = false;
  if (known) return cached;
  known = true;  // asked once per thread
  if (mainThreadStack(&cached)) return cached;
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return cached;
  void* addr = nullptr;
  size_t size = 0;
  const int rc = pthread_attr_getstack(&attr, &addr, &size);
  pthread_attr_destroy(&attr);
  if (rc != 0 || !addr || !size) return cached;
  cached.low = reinterpret_cast<uintptr_t>(addr);
  cached.high = cached.low + size;
  return cached;
}

uintptr_t nativeStackLimit(size_t budget) {
  const ThreadStack s = currentThreadStack();
  const uintptr_t sp = nativeStackPointer();
  if (!s.low || sp <= s.low || sp > s.high) return 0;  // not on the stack we know (e.g. a coroutine's): unchecked
  const uintptr_t floor = sp - s.low > kNativeStackMargin ? s.low + kNativeStackMargin : sp;
  if (budget && sp - floor > budget) return sp - budget;
  return floor;
}

}  // namespace myrt
