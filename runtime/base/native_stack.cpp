// runtime/base/native_stack.cpp -- the running thread's stack bounds (rules in native_stack.h).
// Layer: base.
#include "runtime/base/native_stack.h"

#include <pthread.h>

namespace myrt {

ThreadStack currentThreadStack() {
  thread_local ThreadStack cached;
  thread_local bool known = false;
  if (known) return cached;
  known = true;  // asked once per thread: for the main thread glibc reads /proc/self/maps
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
