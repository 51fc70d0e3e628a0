// runtime/semantics/atomic.h -- the threads proposal's memory instructions (0xFE prefix), defined once for every tier:
// atomic loads/stores/read-modify-writes/cmpxchg on linear memory, memory.atomic.wait32/wait64/notify, atomic.fence.
// Layer: semantics (depends on exec's MemoryInst and trap list, wasm's opcode table).
//
// Memory model: every atomic access is one sequentially consistent __atomic builtin on the linear memory's bytes
// (naturally aligned, so never torn); non-atomic accesses of the tiers stay plain loads/stores (the proposal allows
// them to tear, x86-64 does not for aligned ones). Checks, in the reference interpreter's order: the effective address
// (index + offset) is aligned to the access size, else "unaligned atomic"; the access is in bounds, else "out of
// bounds memory access"; wait needs a shared memory ("expected shared memory"), notify on an unshared memory wakes
// nobody (0).
//
// Wait/notify use one process-wide table of wait queues keyed by the host address of the waited-on cell, so waiters
// and notifiers may run on different threads and different stores (a shared memory imported by several stores has one
// address). A waiter sleeps on its own condition variable; notify wakes waiters of that address in FIFO order.
#pragma once
#include <atomic>
#include <cstdint>

#include "runtime/exec/store.h"
#include "runtime/wasm/opcodes.h"

namespace myrt::semantics {

enum class AtomicKind : uint8_t { Load, Store, Add, Sub, And, Or, Xor, Xchg, Cmpxchg, Notify, Wait, Fence };
struct AtomicOpInfo {
  AtomicKind kind = AtomicKind::Fence;
  uint8_t bytes = 0;     // access size
  bool wide = false;     // i64 value operands / result (wait64: the expected value)
  bool result = false;   // pushes a result (everything but stores and fence)
};
// The facts of a 0xFE op (from its place in opcodes.def).
AtomicOpInfo atomicOpInfo(Op op);

// memory.atomic.wait results.
enum : uint32_t { kWaitOk = 0, kWaitNotEqual = 1, kWaitTimedOut = 2 };

// One atomic instruction on memory `m` at index `addr` (already zero-extended for i32 addresses) + `offset`.
// v1: the stored value / rmw operand / cmpxchg expected value / wait's expected value / notify's count;
// v2: cmpxchg replacement / wait's timeout in ns (negative: forever). `out`: the result, zero-extended (narrow rmw
// results are the old value zero-extended). A wait polls `interrupt` (when non-null) every few milliseconds and
// returns TrapReason::Interrupted once it is set. atomic.fence: `m` is not touched (pass any memory, even null).
TrapReason atomicStep(Op op, MemoryInst* m, uint64_t addr, uint64_t offset, uint64_t v1, uint64_t v2, uint64_t& out,
                      const std::atomic<uint32_t>* interrupt);

// Wakes up to `count` waiters of the cell at `cell` (a host address); returns how many woke. For hosts (wasi-threads).
uint32_t atomicNotifyAddress(const void* cell, uint32_t count);
// The number of threads waiting anywhere (tests, diagnostics).
uint32_t atomicWaiterCount();

}  // namespace myrt::semantics
