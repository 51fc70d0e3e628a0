// runtime/semantics/atomic.cpp -- atomic memory instructions and the wait queues (see atomic.h).
#include "runtime/semantics/atomic.h"

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace myrt::semantics {

AtomicOpInfo atomicOpInfo(Op op) {
  switch (op) {
    case Op::MemoryAtomicNotify: return {AtomicKind::Notify, 4, false, true};
    case Op::MemoryAtomicWait32: return {AtomicKind::Wait, 4, false, true};
    case Op::MemoryAtomicWait64: return {AtomicKind::Wait, 8, true, true};
    case Op::AtomicFence: return {AtomicKind::Fence, 0, false, false};
    default: break;
  }
  // i32/i64.atomic.* rows come in groups of seven forms (opcodes.def): i32, i64, i32 8, i32 16, i64 8, i64 16, i64 32.
  static constexpr uint8_t kBytes[7] = {4, 8, 1, 2, 1, 2, 4};
  static constexpr bool kWide[7] = {false, true, false, false, true, true, true};
  static constexpr AtomicKind kGroups[9] = {AtomicKind::Load, AtomicKind::Store, AtomicKind::Add,
                                            AtomicKind::Sub,  AtomicKind::And,   AtomicKind::Or,
                                            AtomicKind::Xor,  AtomicKind::Xchg,  AtomicKind::Cmpxchg};
  const unsigned i = static_cast<unsigned>(op) - static_cast<unsigned>(Op::I32AtomicLoad);
  const AtomicKind k = kGroups[i / 7];
  return {k, kBytes[i % 7], kWide[i % 7], k != AtomicKind::Store};
}
static_assert(static_cast<unsigned>(Op::I64AtomicRmw32CmpxchgU) - static_cast<unsigned>(Op::I32AtomicLoad) == 62);
static_assert(static_cast<unsigned>(Op::I32AtomicRmwAdd) - static_cast<unsigned>(Op::I32AtomicLoad) == 14);

namespace {

// ---- wait queues ----------------------------------------------------------------------------------------------------
struct Waiter {
  const void* cell = nullptr;
  std::condition_variable cv;
  bool notified = false;
  Waiter* next = nullptr;
};
struct Bucket {
  std::mutex mu;
  Waiter* head = nullptr;  // FIFO: append at the tail
  void append(Waiter* w) {
    Waiter** p = &head;
    while (*p) p = &(*p)->next;
    *p = w;
  }
  void remove(Waiter* w) {
    for (Waiter** p = &head; *p; p = &(*p)->next)
      if (*p == w) {
        *p = w->next;
        return;
      }
  }
};
constexpr unsigned kBuckets = 64;
Bucket gBuckets[kBuckets];
std::atomic<uint32_t> gWaiters{0};
Bucket& bucketOf(const void* cell) { return gBuckets[(reinterpret_cast<uintptr_t>(cell) >> 2) % kBuckets]; }

template <typename T>
T loadSeqCst(const uint8_t* p) {
  return __atomic_load_n(reinterpret_cast<const T*>(p), __ATOMIC_SEQ_CST);
}

TrapReason waitOn(uint8_t* cell, bool wide, uint64_t expected, int64_t timeoutNs, uint64_t& out,
                  const std::atomic<uint32_t>* interrupt) {
  using Clock = std::chrono::steady_clock;
  Bucket& b = bucketOf(cell);
  std::unique_lock<std::mutex> lock(b.mu);
  // Notifiers take the bucket lock too, so no notify can fall between this read and the enqueue.
  const uint64_t cur = wide ? loadSeqCst<uint64_t>(cell) : loadSeqCst<uint32_t>(cell);
  if (cur != (wide ? expected : uint64_t(uint32_t(expected)))) {
    out = kWaitNotEqual;
    return TrapReason::None;
  }
  Waiter w;
  w.cell = cell;
  b.append(&w);
  gWaiters.fetch_add(1, std::memory_order_relaxed);
  const bool forever = timeoutNs < 0;
  const Clock::time_point deadline =
      forever ? Clock::time_point::max() : Clock::now() + std::chrono::nanoseconds(timeoutNs);
  constexpr auto kPollSlice = std::chrono::milliseconds(20);  // how often a waiter looks at the interrupt flag
  TrapReason r = TrapReason::None;
  out = kWaitOk;
  while (!w.notified) {
    if (interrupt && interrupt->load(std::memory_order_relaxed)) {
      r = TrapReason::Interrupted;
      break;
    }
    const Clock::time_point now = Clock::now();
    if (!forever && now >= deadline) {
      out = kWaitTimedOut;
      break;
    }
    if (!interrupt && forever) {
      w.cv.wait(lock);
    } else {
      Clock::time_point until = interrupt ? now + kPollSlice : deadline;
      if (!forever && deadline < until) until = deadline;
      w.cv.wait_until(lock, until);
    }
  }
  if (!w.notified) b.remove(&w);  // a notified waiter was unlinked by its notifier
  gWaiters.fetch_sub(1, std::memory_order_relaxed);
  return r;
}

}  // namespace

uint32_t atomicNotifyAddress(const void* cell, uint32_t count) {
  Bucket& b = bucketOf(cell);
  std::lock_guard<std::mutex> lock(b.mu);
  uint32_t woken = 0;
  for (Waiter** p = &b.head; *p && woken < count;) {
    Waiter* w = *p;
    if (w->cell != cell) {
      p = &w->next;
      continue;
    }
    *p = w->next;
    w->notified = true;
    w->cv.notify_one();
    ++woken;
  }
  return woken;
}

uint32_t atomicWaiterCount() { return gWaiters.load(std::memory_order_relaxed); }

TrapReason atomicStep(Op op, MemoryInst* m, uint64_t addr, uint64_t offset, uint64_t v1, uint64_t v2, uint64_t& out,
                      const std::atomic<uint32_t>* interrupt) {
  const AtomicOpInfo info = atomicOpInfo(op);
  if (info.kind == AtomicKind::Fence) {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    return TrapReason::None;
  }
  uint64_t ea;
  if (__builtin_add_overflow(addr, offset, &ea)) return TrapReason::MemoryOutOfBounds;
  if (ea & (info.bytes - 1u)) return TrapReason::UnalignedAtomic;
  if (!m->inBounds(ea, info.bytes)) return TrapReason::MemoryOutOfBounds;
  uint8_t* p = m->base + ea;
  switch (info.kind) {
    case AtomicKind::Notify:
      out = m->type.limits.shared ? atomicNotifyAddress(p, static_cast<uint32_t>(v1)) : 0;
      return TrapReason::None;
    case AtomicKind::Wait:
      if (!m->type.limits.shared) return TrapReason::ExpectedSharedMemory;
      return waitOn(p, info.wide, v1, static_cast<int64_t>(v2), out, interrupt);
    default: break;
  }
  auto rmw = [&](auto* cell) {
    using T = std::remove_pointer_t<decltype(cell)>;
    const T a = static_cast<T>(v1), b = static_cast<T>(v2);
    T old = 0;
    switch (info.kind) {
      case AtomicKind::Load: old = __atomic_load_n(cell, __ATOMIC_SEQ_CST); break;
      case AtomicKind::Store: __atomic_store_n(cell, a, __ATOMIC_SEQ_CST); break;
      case AtomicKind::Add: old = __atomic_fetch_add(cell, a, __ATOMIC_SEQ_CST); break;
      case AtomicKind::Sub: old = __atomic_fetch_sub(cell, a, __ATOMIC_SEQ_CST); break;
      case AtomicKind::And: old = __atomic_fetch_and(cell, a, __ATOMIC_SEQ_CST); break;
      case AtomicKind::Or: old = __atomic_fetch_or(cell, a, __ATOMIC_SEQ_CST); break;
      case AtomicKind::Xor: old = __atomic_fetch_xor(cell, a, __ATOMIC_SEQ_CST); break;
      case AtomicKind::Xchg: old = __atomic_exchange_n(cell, a, __ATOMIC_SEQ_CST); break;
      case AtomicKind::Cmpxchg:
        old = a;  // on failure the builtin writes the current value to `old`
        __atomic_compare_exchange_n(cell, &old, b, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        break;
      default: break;
    }
    out = old;
  };
  switch (info.bytes) {
    case 1: rmw(reinterpret_cast<uint8_t*>(p)); break;
    case 2: rmw(reinterpret_cast<uint16_t*>(p)); break;
    case 4: rmw(reinterpret_cast<uint32_t*>(p)); break;
    default: rmw(reinterpret_cast<uint64_t*>(p)); break;
  }
  return TrapReason::None;
}

}  // namespace myrt::semantics
