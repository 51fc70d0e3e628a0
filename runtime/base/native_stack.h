// runtime/base/native_stack.h -- native (machine) stack bounds derived from the running thread's real stack.
// Layer: base (POSIX). Used by the tier entries (invoke() computes ExecContext::stackLimit, the JIT prologues and the
// interpreter's entry compare against it) and by the recursive parsers (the WAT parser's folded instructions).
//
// Every bound is taken at an entry from the host (into wasm, into a parser) on the thread that runs it, never cached
// per store or per module: a store may move between threads (one at a time) and threads have different stacks (an
// embedder's 256 KiB thread, `ulimit -s 512`, the 8 MiB default). The thread's stack [low, high) comes from
// pthread_getattr_np once per thread (cached thread-locally; the main thread's from RLIMIT_STACK and glibc's
// __libc_stack_end, native_stack.cpp). The limit is
// the lowest stack pointer at which recursion may still go one level deeper:
//     limit = max(sp at the entry - budget, low + kNativeStackMargin)        (budget 0: no budget, the whole stack)
// like wasmtime's "stack pointer at entry minus max_wasm_stack", clamped by the real stack. The margin below the limit
// is for the work that runs below the last check without checking again: runtime helpers, host functions (WASI, C API
// callbacks: an embedder's callback needing more than the margin must check or run on a bigger stack), the
// interpreter's own frame, libc (lazy binding saves the vector registers). Signal handlers run on the alternate
// signal stack (runtime/exec/signals.h), not in the margin. Sanitizer builds scale the margin (their frames are
// several times larger). A thread whose stack is not larger than the margin gets limit = sp: every check fails
// cleanly ("call stack exhausted", "nesting too deep").
#pragma once
#include <cstddef>
#include <cstdint>

namespace myrt {

#if defined(__SANITIZE_ADDRESS__)
#define MYRT_NATIVE_STACK_SCALE 4
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MYRT_NATIVE_STACK_SCALE 4
#endif
#endif
#ifndef MYRT_NATIVE_STACK_SCALE
#define MYRT_NATIVE_STACK_SCALE 1
#endif

// Native frames are this many times larger in this build than in a plain one (4 under AddressSanitizer).
constexpr size_t kNativeStackScale = MYRT_NATIVE_STACK_SCALE;
constexpr size_t kNativeStackMargin = size_t(64) * 1024 * kNativeStackScale;

// The calling thread's stack [low, high); {0, 0} when the platform cannot tell (then limits are 0: unchecked).
struct ThreadStack {
  uintptr_t low = 0, high = 0;
};
ThreadStack currentThreadStack();

// The current frame's address (a stack address of the caller's frame when inlined), for comparisons with limits.
inline uintptr_t nativeStackPointer() { return reinterpret_cast<uintptr_t>(__builtin_frame_address(0)); }

// The limit for a recursion starting here (see above); `budget` 0: bounded by the thread's stack only. 0 when the
// thread's stack is unknown.
uintptr_t nativeStackLimit(size_t budget = 0);

// True when the native stack is below `limit` (never when limit is 0).
inline bool nativeStackExhausted(uintptr_t limit) { return nativeStackPointer() < limit; }

}  // namespace myrt
