// jit/common/helpers.cpp -- see helpers.h.
#include "jit/common/helpers.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "runtime/exec/bulk.h"
#include "runtime/exec/signals.h"
#include "runtime/semantics/atomic.h"
#include "runtime/semantics/numeric.h"
#include "runtime/semantics/numeric_simd.h"

namespace myrt::jit {

namespace {
// An exception in flight (UncaughtException with cx->exception set) records no frame, as in the interpreter.
bool recordsFrame(const ExecContext* cx, uint32_t reason) {
  return static_cast<TrapReason>(reason) != TrapReason::UncaughtException || !cx->exception;
}
}  // namespace

TrapReason trapHelper(ExecContext* cx, FuncInst* f, uint32_t reason, uint32_t wasmOffset) {
  if (recordsFrame(cx, reason)) cx->addFrame(*f, wasmOffset);
  return static_cast<TrapReason>(reason);
}

TrapReason callTrapHelper(ExecContext* cx, FuncInst* f, uint32_t reason, uintptr_t returnAddress) {
  if (!recordsFrame(cx, reason)) return static_cast<TrapReason>(reason);
  CodeLocation loc;
  const bool found = lookupCodeRange(returnAddress, &loc) && loc.func == f;
  cx->addFrame(*f, found ? loc.wasmOffset : kNoWasmOffset);
  return static_cast<TrapReason>(reason);
}

TrapReason throwHelper(ExecContext* cx, TagInst* tag, const Value* s, uint32_t n) {
  ExnObject* e = cx->store->newException(tag, n);
  if (!e) return TrapReason::OutOfMemory;
  std::copy(s, s + n, e->payload().begin());
  cx->exception = e;
  return TrapReason::UncaughtException;
}

TrapReason throwRefHelper(ExecContext* cx, const Value* s) {
  ExnObject* e = static_cast<ExnObject*>(s->ref);
  if (!e) {
    cx->trapMessage = "null exception reference";
    return TrapReason::NullReference;
  }
  cx->exception = e;
  return TrapReason::UncaughtException;
}

void catchHelper(ExecContext* cx, Value* dst, uint32_t flags) {
  ExnObject* e = cx->exception;
  cx->exception = nullptr;
  if (flags & 1) dst = std::copy(e->payload().begin(), e->payload().end(), dst);
  if (flags & 2) dst->ref = e;
}

namespace {

template <typename T> inline T rd(const Value& v) {
  if constexpr (std::is_same_v<T, uint32_t>) return v.i32;
  else if constexpr (std::is_same_v<T, uint64_t>) return v.i64;
  else if constexpr (std::is_same_v<T, float>) return v.f32;
  else if constexpr (std::is_same_v<T, double>) return v.f64;
  else {
    T x;
    std::memcpy(&x, v.v128, 16);
    return x;
  }
}
inline void wr(Value& v, uint32_t x) { v.i64 = x; }  // i32 results keep the upper half zero
inline void wr(Value& v, uint64_t x) { v.i64 = x; }
inline void wr(Value& v, float x) {
  v.i64 = 0;
  v.f32 = x;
}
inline void wr(Value& v, double x) { v.f64 = x; }
inline void wr(Value& v, const V128& x) { std::memcpy(v.v128, x.bytes, 16); }

template <Op op, typename T, size_t I>
inline T arg(const Value* s, uint64_t lane, const uint8_t* bytes) {
  if constexpr (I < opInfo(op).sig.numParams) {
    return rd<T>(s[I]);
  } else if constexpr (std::is_same_v<T, V128>) {
    V128 x;
    std::memcpy(x.bytes, bytes, 16);
    return x;
  } else {
    return static_cast<T>(lane);
  }
}
template <Op op, typename... A, size_t... I>
inline auto callNum(const Value* s, uint64_t lane, const uint8_t* bytes, std::tuple<A...>*, std::index_sequence<I...>) {
  return NumOp<op>::fn(arg<op, A, I>(s, lane, bytes)...);
}
template <typename Fn> struct ArgsOf;
template <typename R, typename... A> struct ArgsOf<R (*)(A...)> { using T = std::tuple<A...>; };

template <Op op>
TrapReason numeric(Value* s, uint64_t lane, const uint8_t* bytes) {
  using Args = typename ArgsOf<NumOpFn<op>>::T;
  auto r = callNum<op>(s, lane, bytes, static_cast<Args*>(nullptr), std::make_index_sequence<std::tuple_size_v<Args>>{});
  if constexpr (kNumOpTraps<op>) {
    if (!r.ok()) return r.trap;
    wr(s[0], r.value);
  } else {
    wr(s[0], r);
  }
  return TrapReason::None;
}

inline uint64_t idx(const Value& v, uint32_t flagWord) { return (flagWord & 0x80000000u) ? v.i64 : uint64_t(v.i32); }
inline void wrIdx(Value& v, uint64_t x, uint32_t flagWord) { v.i64 = (flagWord & 0x80000000u) ? x : uint32_t(x); }

}  // namespace

NumericHelper numericHelper(Op op) {
  switch (op) {
#define MYRT_CASE(name) \
  case Op::name: return &numeric<Op::name>;
    MYRT_NUMERIC_SCALAR_OPS(MYRT_CASE)
    MYRT_NUMERIC_SIMD_OPS(MYRT_CASE)
#undef MYRT_CASE
    default: return nullptr;
  }
}

TrapReason atomicHelper(ExecContext* cx, FuncInst* f, Value* s, uint32_t opWord, uint32_t mem, const uint8_t* offset) {
  const Op op = static_cast<Op>(opWord);
  const OpSig& sig = opInfo(op).sig;
  MemoryInst* m = op == Op::AtomicFence ? nullptr : f->instance->data.memories[mem & 0x7fffffffu];
  uint64_t off;
  std::memcpy(&off, offset, sizeof off);
  uint64_t v[3] = {0, 0, 0};
  for (unsigned i = 0; i < sig.numParams; ++i) v[i] = sig.params[i] == ValKind::I64 ? s[i].i64 : uint64_t(s[i].i32);
  if (op != Op::AtomicFence && !(mem & 0x80000000u)) v[0] = s[0].i32;  // an i32 address
  uint64_t out = 0;
  const TrapReason r = semantics::atomicStep(op, m, v[0], off, v[1], v[2], out, cx->interrupt);
  if (r != TrapReason::None) return r;
  if (sig.numResults) s[0].i64 = sig.results[0] == ValKind::I64 ? out : uint64_t(uint32_t(out));
  return TrapReason::None;
}

TrapReason bulkHelper(ExecContext* cx, FuncInst* f, Value* s, uint32_t opWord, uint32_t a, uint32_t b) {
  Instance* inst = f->instance;
  const InstanceData* id = &inst->data;
  switch (static_cast<Op>(opWord)) {
    case Op::MemorySize: wrIdx(s[0], id->memories[a & 0x7fffffffu]->pages(), a); return TrapReason::None;
    case Op::MemoryGrow: {
      MemoryInst* m = id->memories[a & 0x7fffffffu];
      wrIdx(s[0], m->grow(idx(s[0], a)), a);
      return TrapReason::None;
    }
    case Op::MemoryFill:
      return bulk::memoryFill(*id->memories[a & 0x7fffffffu], idx(s[0], a), static_cast<uint8_t>(s[1].i32), idx(s[2], a));
    case Op::MemoryCopy:
      return bulk::memoryCopy(*id->memories[a & 0x7fffffffu], idx(s[0], a), *id->memories[b & 0x7fffffffu], idx(s[1], b),
                              idx(s[2], a & b));
    case Op::MemoryInit:  // a = segment, b = memory
      return bulk::memoryInit(*inst, a, *id->memories[b & 0x7fffffffu], idx(s[0], b), s[1].i32, s[2].i32);
    case Op::DataDrop: inst->droppedData[a] = true; return TrapReason::None;
    case Op::TableGet: return bulk::tableGet(*id->tables[a & 0x7fffffffu], idx(s[0], a), s[0].ref);
    case Op::TableSet: return bulk::tableSet(*id->tables[a & 0x7fffffffu], idx(s[0], a), s[1].ref);
    case Op::TableSize: wrIdx(s[0], id->tables[a & 0x7fffffffu]->size, a); return TrapReason::None;
    case Op::TableGrow: {  // [init delta]
      TableInst* t = id->tables[a & 0x7fffffffu];
      wrIdx(s[0], t->grow(idx(s[1], a), s[0].ref, cx->store->config().limits.maxTableElems), a);
      return TrapReason::None;
    }
    case Op::TableFill: return bulk::tableFill(*id->tables[a & 0x7fffffffu], idx(s[0], a), s[1].ref, idx(s[2], a));
    case Op::TableCopy:
      return bulk::tableCopy(*id->tables[a & 0x7fffffffu], idx(s[0], a), *id->tables[b & 0x7fffffffu], idx(s[1], b),
                             idx(s[2], a & b));
    case Op::TableInit:  // a = segment, b = table
      return bulk::tableInit(*inst, a, *id->tables[b & 0x7fffffffu], idx(s[0], b), s[1].i32, s[2].i32);
    case Op::ElemDrop: inst->elemSegments[a] = std::vector<Ref>(); return TrapReason::None;
    default: return TrapReason::Unimplemented;
  }
}

const void* optTierUpHelper(ExecContext* cx, FuncInst* f, uint32_t loopOffset) {
  if (cx->optTierUp) return cx->optTierUp(*cx, *f, loopOffset);
  f->optBudget = UINT32_MAX;  // (no third tier on this store: count on, harmlessly, for a long time)
  return nullptr;
}

TrapReason indirectHelper(ExecContext* cx, FuncInst* f, Value* s, uint32_t typeIdx, uint32_t tableWord) {
  const InstanceData* id = &f->instance->data;
  FuncInst* callee = nullptr;
  TrapReason r =
      bulk::indirectCallee(*cx, *id->tables[tableWord & 0x7fffffffu], idx(s[0], tableWord), id->typeIds[typeIdx], callee);
  if (r == TrapReason::None) s[0].ref = callee;
  return r;
}

}  // namespace myrt::jit
