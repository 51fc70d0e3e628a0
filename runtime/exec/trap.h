// runtime/exec/trap.h -- the one list of trap reasons. Messages are exactly the spec testsuite's assert_trap /
// assert_exhaustion texts (a spec runner compares them as prefixes), followed by myrt's own reasons.
// Layer: exec (header-only, depends on nothing). Used by semantics/numeric*.h, the interpreter, the JITs' trap stubs,
// the signal handler and the C API.
#pragma once
#include <cstdint>
#include <string_view>

namespace myrt {

// MYRT_TRAP(Name, "message")
#define MYRT_TRAP_LIST(MYRT_TRAP)                                                  \
  /* core 1.0 / 2.0 */                                                              \
  MYRT_TRAP(Unreachable, "unreachable")                                             \
  MYRT_TRAP(IntegerDivideByZero, "integer divide by zero")                          \
  MYRT_TRAP(IntegerOverflow, "integer overflow")                                    \
  MYRT_TRAP(InvalidConversionToInteger, "invalid conversion to integer")            \
  MYRT_TRAP(MemoryOutOfBounds, "out of bounds memory access")                       \
  MYRT_TRAP(TableOutOfBounds, "out of bounds table access")                         \
  MYRT_TRAP(UndefinedElement, "undefined element")                                  \
  MYRT_TRAP(UninitializedElement, "uninitialized element")                          \
  MYRT_TRAP(IndirectCallTypeMismatch, "indirect call type mismatch")                \
  MYRT_TRAP(CallStackExhausted, "call stack exhausted")                             \
  /* 3.0: typed function references, GC */                                          \
  MYRT_TRAP(NullReference, "null reference")                                        \
  MYRT_TRAP(NullFunctionReference, "null function reference")                       \
  MYRT_TRAP(NullStructReference, "null structure reference")                        \
  MYRT_TRAP(NullArrayReference, "null array reference")                             \
  MYRT_TRAP(NullI31Reference, "null i31 reference")                                 \
  MYRT_TRAP(ArrayOutOfBounds, "out of bounds array access")                         \
  MYRT_TRAP(CastFailure, "cast failure")                                            \
  /* 3.0: exceptions (an exception escaping to the host) */                         \
  MYRT_TRAP(UncaughtException, "uncaught exception")                                \
  /* proposals in the suite: threads, custom descriptors */                         \
  MYRT_TRAP(UnalignedAtomic, "unaligned atomic")                                    \
  MYRT_TRAP(ExpectedSharedMemory, "expected shared memory") /* wait on an unshared memory */ \
  MYRT_TRAP(NullDescriptorReference, "null descriptor reference")                   \
  MYRT_TRAP(DescriptorCastFailure, "descriptor cast failure")                       \
  /* myrt's own */                                                                  \
  MYRT_TRAP(OutOfMemory, "out of memory")           /* host allocation failed (GC object, table/memory grow) */ \
  MYRT_TRAP(MemoryLimitExceeded, "memory limit exceeded") /* the embedder's resource limit */               \
  MYRT_TRAP(FuelExhausted, "fuel exhausted")                                        \
  MYRT_TRAP(Interrupted, "interrupted")             /* asynchronous interrupt / epoch deadline */           \
  MYRT_TRAP(HostTrap, "host trap")                  /* a host function reported a trap of its own */        \
  MYRT_TRAP(Unimplemented, "unimplemented")         /* a feature this tier cannot execute */

// None (0) means "no trap": functions returning a value-or-trap use it for success.
enum class TrapReason : uint8_t {
  None = 0,
#define MYRT_TRAP_ENUM(name, msg) name,
  MYRT_TRAP_LIST(MYRT_TRAP_ENUM)
#undef MYRT_TRAP_ENUM
};

constexpr unsigned kNumTrapReasons = 1
#define MYRT_TRAP_COUNT(name, msg) +1
    MYRT_TRAP_LIST(MYRT_TRAP_COUNT)
#undef MYRT_TRAP_COUNT
    ;

// The spec text of a trap ("integer divide by zero"); "" for TrapReason::None and out-of-range values.
constexpr const char* trapMessage(TrapReason r) {
  switch (r) {
    case TrapReason::None: return "";
#define MYRT_TRAP_CASE(name, msg) \
  case TrapReason::name: return msg;
    MYRT_TRAP_LIST(MYRT_TRAP_CASE)
#undef MYRT_TRAP_CASE
  }
  return "";
}

// Inverse of trapMessage for tests and the C API: the reason whose message is `msg`, or None.
constexpr TrapReason trapFromMessage(std::string_view msg) {
  for (unsigned i = 1; i < kNumTrapReasons; ++i)
    if (msg == trapMessage(static_cast<TrapReason>(i))) return static_cast<TrapReason>(i);
  return TrapReason::None;
}

}  // namespace myrt
