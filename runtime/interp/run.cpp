// runtime/interp/run.cpp -- the interpreter's dispatch loop: direct-threaded (computed goto) execution of lowered code
// (code.h), with an explicit frame stack so wasm->wasm calls never recurse on the native stack.
// Layer: interp. Numeric ops call the one definition of their semantics (numeric.h / numeric_simd.h); table accesses
// and accesses to unguarded memories are bounds-checked explicitly; scalar loads/stores on guarded memories (the G ops)
// are not: their faults longjmp back to interpEntry (exec/signals.h). Traps unwind to the entry with a backtrace in the
// ExecContext.
//
// Because a fault longjmps out of run(), run() and the helpers it calls while an unchecked access can fault must own
// no object with a non-trivial destructor: the frame stack lives in the entry's InterpState, which also records the
// executing function (`fn`) so the entry can build the backtrace after a fault.
#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>
#include <tuple>
#include <utility>

#include "runtime/base/native_stack.h"
#include "runtime/binary/instr.h"
#include "runtime/exec/bulk.h"
#include "runtime/exec/machine_context.h"
#include "runtime/exec/signals.h"
#include "runtime/interp/code.h"
#include "runtime/interp/profile.h"
#include "runtime/interp/interp.h"
#include "runtime/semantics/atomic.h"

#pragma GCC diagnostic ignored "-Wpedantic"  // computed goto (&&label, goto *p) is a GNU extension

namespace myrt::interp {

namespace {

constexpr uint32_t kNoPos32 = UINT32_MAX;

struct Frame {
  const uint32_t* ip;  // return address
  Value* fp;
  FuncInst* func;
  // The caller's dispatch state, restored without chasing pointers on return.
  const uint32_t* base;
  const InstanceData* id;
  const MemoryInst* mem0;
};

// What run() keeps outside its own stack frame (owned by interpEntry, alive after a fault's longjmp).
struct InterpState {
  std::vector<Frame> frames;  // callers of `fn`, innermost last
  FuncInst* fn = nullptr;     // the function executing now (updated at calls, tail calls, returns, unwinding)
  const uint32_t* base = nullptr;  // fn's code (updated with fn): a fault's position is relative to it
  // fn's frame and position at its last safepoint (the collector's frame walk, walkFrames): set by every op that may
  // collect (allocations, grows) and every call to another tier or the host; ip is the position after that op (the
  // key of its stack map), nullptr when the frame continued in JIT code (OSR, enter_jit: no slot of it is live).
  const uint32_t* ip = nullptr;
  Value* fp = nullptr;
  InterpState* prev = nullptr;  // the next outer interpreter activation of the context (ExecContext::interpStates)
};

// The register run() pins its code position `ip` to, so that the fault handler can record it
// (WasmActivation::tierRegister): with GCC x86-64 r12, AArch64 x28 (callee-saved); none elsewhere (a fault then has no
// position). The frame pointer `fp` is pinned too (rbx, x27).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define MYRT_INTERP_PINNED_IP 1
#define MYRT_INTERP_IP_REG "r12"
#define MYRT_INTERP_FP_REG "rbx"
constexpr int kIpRegister = mctx::kRegR12;
#elif defined(__aarch64__) && defined(__GNUC__) && !defined(__clang__)
#define MYRT_INTERP_PINNED_IP 1
#define MYRT_INTERP_IP_REG "x28"
#define MYRT_INTERP_FP_REG "x27"
constexpr int kIpRegister = mctx::kRegX28;
#else
constexpr int kIpRegister = mctx::kNoRegister;
#endif

// The code position of the op whose guarded access faulted: the pinned ip the handler recorded; kNoPos32 when that is
// not known or not inside fn's code.
uint32_t faultPosition(const WasmActivation& act, const InterpState& st) {
#if MYRT_INTERP_PINNED_IP
  const auto* code = st.fn ? static_cast<const InterpFunc*>(st.fn->code.get()) : nullptr;
  const auto ip = act.faultTierReg, b = reinterpret_cast<uintptr_t>(st.base);
  if (code && st.base == code->code.data() && ip >= b && ip < b + code->code.size() * sizeof(uint32_t))
    return static_cast<uint32_t>((ip - b) / sizeof(uint32_t));
#else
  (void)act;
  (void)st;
#endif
  return kNoPos32;
}

// The backtrace frames of a trap in `fn` at code position `pos` (the op that trapped) with `frames` as its callers:
// the callers' frames are at their call ops (the op before the return position).
[[gnu::noinline, gnu::cold]] void addFrames(ExecContext& cx, const FuncInst* fn, uint32_t pos,
                                           const std::vector<Frame>& frames) {
  if (fn) cx.addFrame(*fn, pos == kNoPos32 ? kNoWasmOffset : wasmOffsetAt(*fn, pos));
  for (size_t i = frames.size(); i-- > 0;) {
    const Frame& f = frames[i];
    cx.addFrame(*f.func, wasmOffsetAt(*f.func, static_cast<uint32_t>(f.ip - f.base) - 1));
  }
}

// ---- typed access to untyped slots ----
template <typename T> inline T rd(const Value& v);
template <> inline uint32_t rd<uint32_t>(const Value& v) { return v.i32; }
template <> inline uint64_t rd<uint64_t>(const Value& v) { return v.i64; }
template <> inline float rd<float>(const Value& v) { return v.f32; }
template <> inline double rd<double>(const Value& v) { return v.f64; }
template <> inline V128 rd<V128>(const Value& v) {
  V128 x;
  std::memcpy(x.bytes, v.v128, 16);
  return x;
}
// Scalars are written as 8 bytes (32-bit ones zero-extended) and slots are copied 8 bytes at a time, so a read right
// after a write is always forwarded from the store buffer (a wider load over a narrower store stalls).
inline void wr(Value& v, uint32_t x) { v.i64 = x; }
inline void wr(Value& v, uint64_t x) { v.i64 = x; }
inline void wr(Value& v, float x) { v.i64 = std::bit_cast<uint32_t>(x); }
inline void wr(Value& v, double x) { v.f64 = x; }
inline void wr(Value& v, const V128& x) { std::memcpy(v.v128, x.bytes, 16); }
inline void copySlot(Value& d, const Value& s) {
  uint64_t lo, hi;
  std::memcpy(&lo, s.v128, 8);
  std::memcpy(&hi, s.v128 + 8, 8);
  __asm__("" : "+r"(hi));  // keep two 8-byte moves (not one 16-byte one, see wr)
  std::memcpy(d.v128, &lo, 8);
  std::memcpy(d.v128 + 8, &hi, 8);
}

// ---- generic numeric handler: operands [dst, params..., immediates...] ----
template <typename Fn> struct Sig;
template <typename R, typename... A> struct Sig<R (*)(A...)> {
  using Ret = R;
  using Args = std::tuple<A...>;
  static constexpr size_t kArity = sizeof...(A);
};
template <Op op> inline constexpr unsigned kParams = opInfo(op).sig.numParams;
template <Op op> inline constexpr unsigned kImmWords =
    opInfo(op).imm == ImmKind::Lane ? 1 : opInfo(op).imm == ImmKind::Shuffle ? 4 : 0;
template <Op op> inline constexpr unsigned kNumLen = 3 + kParams<op> + kImmWords<op>;

template <Op op, typename T, size_t I>
inline T numArg(const Value* fp, const uint32_t* ip) {
  if constexpr (I < kParams<op>) {
    return rd<T>(fp[ip[3 + I]]);
  } else if constexpr (std::is_same_v<T, V128>) {  // i8x16.shuffle lane indices
    V128 x;
    std::memcpy(x.bytes, ip + 3 + kParams<op>, 16);
    return x;
  } else {  // lane immediate
    return static_cast<T>(ip[3 + kParams<op>]);
  }
}
template <Op op, size_t... I>
inline auto callNum(const Value* fp, const uint32_t* ip, std::index_sequence<I...>) {
  using S = Sig<std::remove_cv_t<decltype(NumOp<op>::fn)>>;
  return NumOp<op>::fn(numArg<op, std::tuple_element_t<I, typename S::Args>, I>(fp, ip)...);
}
template <typename T> struct IsNumResult : std::false_type {};
template <typename T> struct IsNumResult<NumResult<T>> : std::true_type {};

template <Op op>
inline TrapReason numStep(Value* fp, const uint32_t* ip) {
  using S = Sig<std::remove_cv_t<decltype(NumOp<op>::fn)>>;
  auto r = callNum<op>(fp, ip, std::make_index_sequence<S::kArity>{});
  if constexpr (IsNumResult<decltype(r)>::value) {
    if (!r.ok()) return r.trap;
    wr(fp[ip[2]], r.value);
  } else {
    wr(fp[ip[2]], r);
  }
  return TrapReason::None;
}

inline uint64_t off64(const uint32_t* p) { return uint64_t(p[0]) | (uint64_t(p[1]) << 32); }

// ---- binary numeric op with a constant operand (code.h name##Imm: dst a imm, name##ImmL: dst imm b) ----
template <typename T> inline T immAt(const uint32_t* p) {
  if constexpr (sizeof(T) == 8) return std::bit_cast<T>(off64(p));
  else return std::bit_cast<T>(p[0]);
}
template <typename T> inline constexpr unsigned kImmWordsOf = sizeof(T) == 8 ? 2 : 1;
template <Op op> using BinSig = Sig<std::remove_cv_t<decltype(NumOp<op>::fn)>>;
template <Op op, size_t I> using BinArg = std::tuple_element_t<I, typename BinSig<op>::Args>;
template <Op op, bool Left> inline constexpr unsigned kImmLen = 4 + kImmWordsOf<BinArg<op, Left ? 0 : 1>>;
template <Op op, bool Left>
inline TrapReason numStepImm(Value* fp, const uint32_t* ip) {
  using A = BinArg<op, 0>;
  using B = BinArg<op, 1>;
  auto r = [&] {
    if constexpr (Left) return NumOp<op>::fn(immAt<A>(ip + 3), rd<B>(fp[ip[3 + kImmWordsOf<A>]]));
    else return NumOp<op>::fn(rd<A>(fp[ip[3]]), immAt<B>(ip + 4));
  }();
  if constexpr (IsNumResult<decltype(r)>::value) {
    if (!r.ok()) return r.trap;
    wr(fp[ip[2]], r.value);
  } else {
    wr(fp[ip[2]], r);
  }
  return TrapReason::None;
}

// The value of a store of a constant: ip[2], with the high word at ip[7] for 64-bit types.
template <typename T> inline T storedConst(const uint32_t* ip) {
  if constexpr (sizeof(T) == 8) return std::bit_cast<T>(uint64_t(ip[2]) | (uint64_t(ip[7]) << 32));
  else return std::bit_cast<T>(ip[2]);
}

// Interruption, fuel and tier-up, at loop back-edges and function entries of `fn` (the fast test is inline in POLL).
// Tier-up (auto tier): this is where the store's thread installs finished background compiles (tierInstall) and
// counts `fn`'s polls towards its threshold (tierUp starts a compile). Installing swaps entries only: this frame and
// the other interpreter frames of `fn` go on in the interpreter (their code stays in FuncInst::code); later calls
// take the new entry.
std::atomic<uint32_t> kPollAlways{1};
constexpr uint32_t kHotOpsPerPoll = 256;
[[gnu::noinline]] TrapReason pollSlow(ExecContext& cx, uint32_t cost, FuncInst* fn) {
  if (cx.interrupt && cx.interrupt->load(std::memory_order_relaxed)) return TrapReason::Interrupted;
  if (cx.fuelEnabled) {
    cx.fuel -= cost;
    if (cx.fuel < 0) return TrapReason::FuelExhausted;
  }
  if (cx.tierUp) {
    if (cx.tierUpReady.load(std::memory_order_acquire)) cx.tierInstall(cx);
    if (fn->hotness != kNoTierUp) {
      // One per poll, plus one per kHotOpsPerPoll ops of the code the poll stands for (the function's ops outside
      // loops at an entry, the loop's ops at a back-edge): a long function without loops that runs once (a
      // generated straight-line `main` calling helpers 100,000s of times) is worth compiling at its first entry.
      const uint64_t h = uint64_t(fn->hotness) + 1 + cost / kHotOpsPerPoll;
      fn->hotness = static_cast<uint32_t>(std::min<uint64_t>(h, kNoTierUp - 1));
      if (fn->hotness >= cx.tierUpThreshold) cx.tierUp(cx, *fn);
    }
  }
  return TrapReason::None;
}
// The word POLL tests: the store's interrupt flag, or (fuel metered, tier-up counting or installing pending, frames
// that may still move to JIT code by OSR) one that is always set, so that the hot path is a single load and test and
// those polls go to pollSlow. Chosen when a run starts and again after every slow poll: an auto store's polls become
// cheap once ExecContext::tierUpActive is 0 and no osrHold remains.
inline const std::atomic<uint32_t>* pollWordOf(const ExecContext& cx) {
  return cx.fuelEnabled || cx.tierUpActive || cx.osrHold || !cx.interrupt ? &kPollAlways : cx.interrupt;
}
inline uint64_t addrOf(const Value& v, uint32_t flagWord) { return (flagWord & 0x80000000u) ? v.i64 : uint64_t(v.i32); }
inline bool effective(uint64_t a, uint64_t off, uint64_t len, const MemoryInst* m, uint64_t& ea) {
  return !__builtin_add_overflow(a, off, &ea) && m->inBounds(ea, len);
}

// f's lowered code, lowering it at the first call (nullptr: it cannot be lowered; cx.trapMessage says why). The check
// is inlined into every interpreted call; the lowering stays out of line.
[[gnu::noinline]] InterpFunc* lowerCode(ExecContext& cx, FuncInst& f);
inline InterpFunc* ensureCode(ExecContext& cx, FuncInst& f) {
  if (f.code) [[likely]] return static_cast<InterpFunc*>(f.code.get());
  return lowerCode(cx, f);
}
InterpFunc* lowerCode(ExecContext& cx, FuncInst& f) {
  if (!f.instance) {
    cx.trapMessage = "unsupported: function without instance";
    return nullptr;
  }
  Result<std::unique_ptr<InterpFunc>> r = Error(trapMessage(TrapReason::OutOfMemory));
  try {  // may run under JIT frames (a JIT function calling an interpreted one): nothing may unwind through them
    r = lowerFunction(*f.instance, f.index);
  } catch (const std::bad_alloc&) {
  }
  if (!r.ok()) {
    cx.trapMessage = r.error().message;
    return nullptr;
  }
  f.code = std::move(r.value());
  return static_cast<InterpFunc*>(f.code.get());
}

inline void zeroLocals(Value* fp, const InterpFunc* c) {
  for (uint32_t i = c->numParams; i < c->zeroEnd; ++i) fp[i] = Value();
}

// v128 loads (plain, extending, splat, zero, lane) and stores (plain, lane).
}  // namespace

TrapReason simdLoad(Value* fp, const uint32_t* ip, const InstanceData* id) {
  const MemoryInst* m = id->memories[ip[4] & 0x7fffffffu];
  const Op op = static_cast<Op>(ip[7]);
  const uint32_t lane = ip[8];
  uint64_t ea;
  const uint64_t a = addrOf(fp[ip[3]], ip[4]), off = off64(ip + 5);
  V128 out = V128::zero();
  auto load = [&](void* dst, uint64_t n) {
    if (!effective(a, off, n, m, ea)) return false;
    std::memcpy(dst, m->base + ea, n);
    return true;
  };
  auto extend = [&](auto narrow, auto wide) {
    using N = decltype(narrow);
    using W = decltype(wide);
    N in[8 / sizeof(N)];
    if (!load(in, 8)) return false;
    for (unsigned i = 0; i < 8 / sizeof(N); ++i) out.setLane<W>(i, static_cast<W>(in[i]));
    return true;
  };
  auto splat = [&](auto t) {
    using T = decltype(t);
    T x;
    if (!load(&x, sizeof x)) return false;
    out = V128::splat<T>(x);
    return true;
  };
  auto laneLoad = [&](auto t) {
    using T = decltype(t);
    T x;
    if (!load(&x, sizeof x)) return false;
    out = rd<V128>(fp[ip[9]]);
    out.setLane<T>(lane, x);
    return true;
  };
  bool ok = false;
  switch (op) {
    case Op::V128Load: ok = load(out.bytes, 16); break;
    case Op::V128Load8x8S: ok = extend(int8_t(), int16_t()); break;
    case Op::V128Load8x8U: ok = extend(uint8_t(), uint16_t()); break;
    case Op::V128Load16x4S: ok = extend(int16_t(), int32_t()); break;
    case Op::V128Load16x4U: ok = extend(uint16_t(), uint32_t()); break;
    case Op::V128Load32x2S: ok = extend(int32_t(), int64_t()); break;
    case Op::V128Load32x2U: ok = extend(uint32_t(), uint64_t()); break;
    case Op::V128Load8Splat: ok = splat(uint8_t()); break;
    case Op::V128Load16Splat: ok = splat(uint16_t()); break;
    case Op::V128Load32Splat: ok = splat(uint32_t()); break;
    case Op::V128Load64Splat: ok = splat(uint64_t()); break;
    case Op::V128Load32Zero: ok = load(out.bytes, 4); break;
    case Op::V128Load64Zero: ok = load(out.bytes, 8); break;
    case Op::V128Load8Lane: ok = laneLoad(uint8_t()); break;
    case Op::V128Load16Lane: ok = laneLoad(uint16_t()); break;
    case Op::V128Load32Lane: ok = laneLoad(uint32_t()); break;
    case Op::V128Load64Lane: ok = laneLoad(uint64_t()); break;
    default: return TrapReason::Unimplemented;
  }
  if (!ok) return TrapReason::MemoryOutOfBounds;
  wr(fp[ip[2]], out);
  return TrapReason::None;
}

TrapReason simdStore(Value* fp, const uint32_t* ip, const InstanceData* id) {
  MemoryInst* m = id->memories[ip[4] & 0x7fffffffu];
  const Op op = static_cast<Op>(ip[7]);
  const uint32_t lane = ip[8];
  const V128 v = rd<V128>(fp[ip[3]]);
  uint64_t ea;
  const uint64_t a = addrOf(fp[ip[2]], ip[4]), off = off64(ip + 5);
  uint64_t n = 16;
  const uint8_t* src = v.bytes;
  switch (op) {
    case Op::V128Store: break;
    case Op::V128Store8Lane: n = 1; break;
    case Op::V128Store16Lane: n = 2; break;
    case Op::V128Store32Lane: n = 4; break;
    case Op::V128Store64Lane: n = 8; break;
    default: return TrapReason::Unimplemented;
  }
  if (op != Op::V128Store) src = v.bytes + (lane * n) % 16;
  if (!effective(a, off, n, m, ea)) return TrapReason::MemoryOutOfBounds;
  std::memcpy(m->base + ea, src, n);
  return TrapReason::None;
}

namespace {

// Ref/table helpers.
inline uint64_t idxOf(const Value& v, uint32_t flagWord) { return addrOf(v, flagWord); }
// call_indirect / return_call_indirect: the callee at table[ip[3]][index] after the bounds, null and type checks.
inline TrapReason indirectCallee(ExecContext& cx, const InstanceData* id, uint32_t typeIdx, uint32_t tableWord,
                                 const Value& index, FuncInst*& callee) {
  return bulk::indirectCallee(cx, *id->tables[tableWord & 0x7fffffffu], idxOf(index, tableWord), id->typeIds[typeIdx],
                              callee);
}
inline void wrAddr(Value& v, uint64_t x, uint32_t flagWord) {
  if (flagWord & 0x80000000u) v.i64 = x;
  else v.i64 = static_cast<uint32_t>(x);
}

const void* const* gTable = nullptr;

// The dispatch loop. With `tableOut` set, only publishes the handler table.
TrapReason run(ExecContext* cxp, FuncInst* fn, Value* fpArg, InterpState* st, const void* const** tableOut) {
  // The frame pointer is read by nearly every handler: keep it in a callee-saved register (GCC otherwise spilled it
  // in this large function, adding a stack load to every handler).
#if MYRT_INTERP_PINNED_IP
  register Value* fp asm(MYRT_INTERP_FP_REG) = fpArg;
#else
  Value* fp = fpArg;
#endif
  static const void* const kTable[] = {
#define MYRT_IOP_X(name) &&L_##name,
      MYRT_IOPS_ALL
#undef MYRT_IOP_X
  };
  static_assert(sizeof(kTable) / sizeof(kTable[0]) == kNumIOps);
  if (tableOut) {
    *tableOut = kTable;
    return TrapReason::None;
  }
  ExecContext& cx = *cxp;
  TrapReason reason = TrapReason::None;
  std::vector<Frame>& frames = st->frames;
  st->fn = fn;
  st->base = static_cast<InterpFunc*>(fn->code.get())->code.data();
  const InterpFunc* const entryCode = static_cast<InterpFunc*>(fn->code.get());
  const InstanceData* id = &fn->instance->data;
  const uint32_t* base = entryCode->code.data();
  // The code position, pinned (r12, x28) so that the fault handler can tell where a guarded access faulted
  // (WasmActivation::faultTierReg; faultPosition below).
#if MYRT_INTERP_PINNED_IP  // (kIpRegister)
  register const uint32_t* ip asm(MYRT_INTERP_IP_REG) = base;
#else
  const uint32_t* ip = base;
#endif
  const MemoryInst* mem0 = id->memory0;
  const std::atomic<uint32_t>* pollWord = pollWordOf(cx);  // what POLL tests (see pollWordOf)
  FuncInst* callee = nullptr;
  Value* nfp = nullptr;
  ExnObject* exn = nullptr;  // the exception being unwound
  uint32_t throwPos = 0;     // code position where it was thrown (or the call it came through)
  uint32_t osrTarget = 0;    // code position of the loop head a back-edge taking OSR branches to
  zeroLocals(fp, entryCode);

#if MYRT_INTERP_PROFILE  // op-pair counting (profile.h): every dispatch is counted
  static const bool profileReady = (profile::init(kTable, kNumIOps), true);
  (void)profileReady;
#define NEXT()                          \
  do {                                  \
    const void* h_;                     \
    std::memcpy(&h_, ip, sizeof h_);    \
    profile::step(h_);                  \
    goto* h_;                           \
  } while (0)
#else
#define NEXT()                          \
  do {                                  \
    const void* h_;                     \
    std::memcpy(&h_, ip, sizeof h_);    \
    goto* h_;                           \
  } while (0)
#endif
#define TRAP(r)     \
  do {              \
    reason = (r);   \
    goto trap;      \
  } while (0)
#define TRAP_IN_CALL(r) \
  do {                   \
    reason = (r);        \
    goto trap_in_call;   \
  } while (0)
#define S(i) fp[ip[i]]
  // Interruption / fuel check (loop back-edges, function entries): one load and a test unless fuel is metered.
  // (MYRT_INTERP_NO_POLL: a build without the polls, only to measure what they cost -- docs/performance.md.)
#ifdef MYRT_INTERP_NO_POLL
#define POLL(cost) (void)(cost)
#define POLL_ENTRY(cost)     \
  do {                       \
    (void)(cost);            \
    if (0) goto enter_jit;   \
  } while (0)
#define POLL_BACK(cost, taken, target) \
  do {                                 \
    (void)(cost);                      \
    if (0) goto osr;                   \
  } while (0)
#else
#define POLL(cost)                                                                                         \
  do {                                                                                                     \
    if (__builtin_expect(pollWord->load(std::memory_order_relaxed) != 0, 0)) {                             \
      reason = pollSlow(cx, (cost), fn);                                                                   \
      pollWord = pollWordOf(cx);                                                                           \
      if (reason != TrapReason::None) goto trap;                                                           \
    }                                                                                                      \
  } while (0)
  // A function entry (the frame is set up, nothing of it ran): POLL, and on an auto store whose tier-up gave this
  // function JIT code at this very poll (a synchronous tier-up, or an install), the call runs there (`enter_jit`).
#define POLL_ENTRY(cost)                                                                                   \
  do {                                                                                                     \
    if (__builtin_expect(pollWord->load(std::memory_order_relaxed) != 0, 0)) {                             \
      reason = pollSlow(cx, (cost), fn);                                                                   \
      pollWord = pollWordOf(cx);                                                                           \
      if (reason != TrapReason::None) goto trap;                                                           \
      if (cx.tierUp && fn->jitCode && fn->entry != &interpEntry) goto enter_jit;                           \
    }                                                                                                      \
  } while (0)
  // A loop back-edge to code position `target`, taken when `taken`: POLL, and on an auto store whose tier-up gave
  // this function JIT code, on-stack replacement when the branch is taken (`osr`).
#define POLL_BACK(cost, taken, target)                                                                     \
  do {                                                                                                     \
    if (__builtin_expect(pollWord->load(std::memory_order_relaxed) != 0, 0)) {                             \
      reason = pollSlow(cx, (cost), fn);                                                                   \
      pollWord = pollWordOf(cx);                                                                           \
      if (reason != TrapReason::None) goto trap;                                                           \
      if (cx.osr && fn->jitCode && (taken)) {                                                              \
        osrTarget = (target);                                                                              \
        goto osr;                                                                                          \
      }                                                                                                    \
    }                                                                                                      \
  } while (0)
#endif
  // The function state after fn changed (call, return, unwind).
#define ENTER_FN(c)                                   \
  do {                                                \
    id = &fn->instance->data;                         \
    base = (c)->code.data();                          \
    mem0 = id->memory0;                               \
    st->fn = fn;                                      \
    st->base = base;                                  \
  } while (0)
  // The executing function's code object (cold paths only: host calls, unwinding).
#define CODE() static_cast<const InterpFunc*>(fn->code.get())

  POLL_ENTRY(entryCode->entryCost);
  NEXT();

L_Unreachable:
  TRAP(TrapReason::Unreachable);
L_Jump:
  ip = base + ip[2];
  NEXT();
L_BrIf:
  ip = S(2).i32 ? base + ip[3] : ip + 4;
  NEXT();
L_BrUnless:
  ip = S(2).i32 ? ip + 4 : base + ip[3];
  NEXT();
L_BrIf64:
  ip = S(2).i64 ? base + ip[3] : ip + 4;
  NEXT();
L_BrUnless64:
  ip = S(2).i64 ? ip + 4 : base + ip[3];
  NEXT();
L_JumpBack:
  POLL_BACK(ip[3], true, ip[2]);
  ip = base + ip[2];
  NEXT();
L_BrIfBack:
  POLL_BACK(ip[4], S(2).i32 != 0, ip[3]);
  ip = S(2).i32 ? base + ip[3] : ip + 5;
  NEXT();
L_BrUnlessBack:
  POLL_BACK(ip[4], S(2).i32 == 0, ip[3]);
  ip = S(2).i32 ? ip + 5 : base + ip[3];
  NEXT();
L_BrIf64Back:
  POLL_BACK(ip[4], S(2).i64 != 0, ip[3]);
  ip = S(2).i64 ? base + ip[3] : ip + 5;
  NEXT();
L_BrUnless64Back:
  POLL_BACK(ip[4], S(2).i64 == 0, ip[3]);
  ip = S(2).i64 ? ip + 5 : base + ip[3];
  NEXT();
L_BrTable: {
  const uint32_t n = ip[3];
  const uint32_t i = std::min(S(2).i32, n);
  const uint32_t t = ip[4 + i];
  if (t <= static_cast<uint32_t>(ip - base)) POLL_BACK(1, true, t);  // a loop back-edge
  ip = base + t;
  NEXT();
}
L_Copy:
  copySlot(S(2), S(3));
  ip += 4;
  NEXT();
L_Ret:
  if (frames.empty()) return TrapReason::None;
  {
    const Frame& f = frames.back();
    ip = f.ip;
    fp = f.fp;
    fn = f.func;
    base = f.base;
    id = f.id;
    mem0 = f.mem0;
    st->fn = fn;
    st->base = base;
    frames.pop_back();
    --cx.depth;
  }
  NEXT();

L_Call:
  callee = id->funcs[ip[2]];
  nfp = fp + ip[3];
  ip += 4;
  goto do_call;
L_CallIndirect: {
  if (TrapReason r = indirectCallee(cx, id, ip[2], ip[3], S(4), callee); r != TrapReason::None) TRAP(r);
  nfp = fp + ip[5];
  ip += 6;
  goto do_call;
}
L_CallRef:
  callee = static_cast<FuncInst*>(S(2).ref);
  if (!callee) TRAP(TrapReason::NullFunctionReference);
  nfp = fp + ip[3];
  ip += 4;
  goto do_call;

do_call:
  if (cx.depth >= cx.maxDepth) TRAP_IN_CALL(TrapReason::CallStackExhausted);
  if (callee->entry == &interpEntry) {
    InterpFunc* ncode = ensureCode(cx, *callee);
    if (!ncode) TRAP_IN_CALL(TrapReason::Unimplemented);
    if (nfp + ncode->frameSize > cx.stackEnd) TRAP_IN_CALL(TrapReason::CallStackExhausted);
    frames.push_back(Frame{ip, fp, fn, base, id, mem0});
    ++cx.depth;
    ++cx.tierCalls.interp;
    zeroLocals(nfp, ncode);
    fp = nfp;
    fn = callee;
    ENTER_FN(ncode);
    ip = base;
    POLL_ENTRY(ncode->entryCost);
    NEXT();
  }
  cx.sp = fp + CODE()->frameSize;
  cx.caller = fn->instance;
  st->ip = ip;  // a safepoint (the callee may collect)
  st->fp = fp;
  // A wasm callee's entry (another tier's) counts its own frame, as JIT code does; a host function counts here.
  cx.depth += callee->isHost();
  reason = callee->entry(cx, *callee, nfp);
  cx.depth -= callee->isHost();
  if (reason != TrapReason::None) {
    if (reason == TrapReason::UncaughtException && cx.exception) {
      exn = cx.exception;
      cx.exception = nullptr;
      throwPos = static_cast<uint32_t>(ip - base) - 1;
      goto unwind;
    }
    goto trap_in_call;
  }
  NEXT();

L_TailCall:
  callee = id->funcs[ip[2]];
  st->ip = ip + 3;  // the safepoint of a callee of another tier (do_tail_call)
  goto do_tail_call;
L_TailCallIndirect: {
  if (TrapReason r = indirectCallee(cx, id, ip[2], ip[3], S(4), callee); r != TrapReason::None) TRAP(r);
  st->ip = ip + 5;
  goto do_tail_call;
}
L_TailCallRef:
  callee = static_cast<FuncInst*>(S(2).ref);
  if (!callee) TRAP(TrapReason::NullFunctionReference);
  st->ip = ip + 3;
  goto do_tail_call;

do_tail_call:
  if (callee->entry == &interpEntry) {
    InterpFunc* ncode = ensureCode(cx, *callee);
    if (!ncode) TRAP(TrapReason::Unimplemented);
    if (fp + ncode->frameSize > cx.stackEnd) TRAP(TrapReason::CallStackExhausted);
    ++cx.tierCalls.interp;
    zeroLocals(fp, ncode);
    fn = callee;
    ENTER_FN(ncode);
    ip = base;
    POLL_ENTRY(ncode->entryCost);
    NEXT();
  }
  if (cx.depth >= cx.maxDepth) TRAP(TrapReason::CallStackExhausted);
  cx.sp = fp + std::max<size_t>(CODE()->frameSize, std::max(callee->numParams(), callee->numResults()));
  cx.caller = fn->instance;
  st->fp = fp;
  cx.depth += callee->isHost();
  reason = callee->entry(cx, *callee, fp);
  cx.depth -= callee->isHost();
  if (reason != TrapReason::None) {
    if (reason == TrapReason::UncaughtException && cx.exception) {
      exn = cx.exception;
      cx.exception = nullptr;
      throwPos = UINT32_MAX;  // the frame was replaced by the tail call: no handler of it applies
      goto unwind;
    }
    goto trap_framed;  // nor is it in the backtrace (as when the callee is interpreted, and on the JIT)
  }
  goto L_Ret;

L_Select:
  copySlot(S(2), S(5).i32 ? S(3) : S(4));
  ip += 6;
  NEXT();
L_Const32:
  S(2).i64 = ip[3];
  ip += 4;
  NEXT();
L_Const64:
  S(2).i64 = off64(ip + 3);
  ip += 5;
  NEXT();
L_ConstV128:
  std::memcpy(S(2).v128, ip + 3, 16);
  ip += 7;
  NEXT();
L_GlobalGet:
  copySlot(S(2), id->globals[ip[3]]->value);
  ip += 4;
  NEXT();
L_GlobalSet:
  copySlot(id->globals[ip[2]]->value, S(3));
  ip += 4;
  NEXT();

  // ---- memory ----
#define MYRT_LOAD_HANDLER(name, member, MemT, ValT)                              \
  L_##name: {                                                                    \
    const MemoryInst* m = id->memories[ip[4] & 0x7fffffffu];                     \
    uint64_t ea;                                                                 \
    if (!effective(addrOf(S(3), ip[4]), off64(ip + 5), sizeof(MemT), m, ea))     \
      TRAP(TrapReason::MemoryOutOfBounds);                                       \
    MemT x;                                                                      \
    std::memcpy(&x, m->base + ea, sizeof x);                                     \
    wr(S(2), static_cast<ValT>(x));                                              \
    ip += 7;                                                                     \
    NEXT();                                                                      \
  }
  MYRT_IOPS_LOAD(MYRT_LOAD_HANDLER)
#undef MYRT_LOAD_HANDLER
#define MYRT_STORE_HANDLER(name, member, MemT)                                   \
  L_##name: {                                                                    \
    MemoryInst* m = id->memories[ip[4] & 0x7fffffffu];                           \
    uint64_t ea;                                                                 \
    if (!effective(addrOf(S(3), ip[4]), off64(ip + 5), sizeof(MemT), m, ea))     \
      TRAP(TrapReason::MemoryOutOfBounds);                                       \
    const MemT x = static_cast<MemT>(S(2).member);                               \
    std::memcpy(m->base + ea, &x, sizeof x);                                     \
    ip += 7;                                                                     \
    NEXT();                                                                      \
  }
  MYRT_IOPS_STORE(MYRT_STORE_HANDLER)
#undef MYRT_STORE_HANDLER
  // Memory accesses other than the general (checked, any memory) ones above, all from these two macros:
  //   G    guarded memory (32-bit, MemoryInst::guarded), operands as the general ops: base + u32 address + u32 offset
  //        stays inside the reservation; beyond the current size it faults and interpEntry reports the trap.
  //   M0   memory 0, i32 address: dst/src addr imm off shift, address uint32_t((addr << shift) + imm) + off (< 2^33);
  //        one bounds test.
  //   M0G  memory 0 guarded: the same without the test.
  // An access that can fault (guarded) is followed by FAULT_FENCE: ip stays at the op until the access is done (the
  // compiler may not advance it first), so the fault handler finds the faulting op's position in r12.
#define FAULT_FENCE() __asm__ volatile("" : "+r"(ip) : : "memory")
#define NO_FENCE() (void)0
#define MYRT_MEM_LOAD(label, PTR, MemT, ValT, len, FENCE) \
  label: {                                                \
    const uint8_t* p = PTR;                               \
    if (!p) TRAP(TrapReason::MemoryOutOfBounds);          \
    MemT x;                                               \
    std::memcpy(&x, p, sizeof x);                         \
    FENCE();                                              \
    wr(S(2), static_cast<ValT>(x));                       \
    ip += len;                                            \
    NEXT();                                               \
  }
#define MYRT_MEM_STORE(label, PTR, member, MemT, len, FENCE) \
  label: {                                                   \
    uint8_t* p = PTR;                                        \
    if (!p) TRAP(TrapReason::MemoryOutOfBounds);             \
    const MemT x = static_cast<MemT>(S(2).member);           \
    std::memcpy(p, &x, sizeof x);                            \
    FENCE();                                                 \
    ip += len;                                               \
    NEXT();                                                  \
  }
#define G_PTR() ((ip[4] == 0 ? id->memory0Base : id->memories[ip[4]]->base) + uint64_t(S(3).i32) + ip[5])
#define M0_EA() (uint64_t(static_cast<uint32_t>((S(3).i32 << ip[6]) + ip[4])) + ip[5])
#define M0_PTR(n) (__builtin_expect(M0_EA() + (n) > mem0->size, 0) ? nullptr : mem0->base + M0_EA())
#define M0G_PTR() (mem0->base + M0_EA())
#define MYRT_LOADS(name, member, MemT, ValT)                                     \
  MYRT_MEM_LOAD(L_##name##G, G_PTR(), MemT, ValT, 7, FAULT_FENCE)                \
  MYRT_MEM_LOAD(L_##name##M0, M0_PTR(sizeof(MemT)), MemT, ValT, 7, NO_FENCE)     \
  MYRT_MEM_LOAD(L_##name##M0G, M0G_PTR(), MemT, ValT, 7, FAULT_FENCE)
#define MYRT_STORES(name, member, MemT)                                          \
  MYRT_MEM_STORE(L_##name##G, G_PTR(), member, MemT, 7, FAULT_FENCE)             \
  MYRT_MEM_STORE(L_##name##M0, M0_PTR(sizeof(MemT)), member, MemT, 7, NO_FENCE)  \
  MYRT_MEM_STORE(L_##name##M0G, M0G_PTR(), member, MemT, 7, FAULT_FENCE)
  MYRT_IOPS_LOAD(MYRT_LOADS)
  MYRT_IOPS_STORE(MYRT_STORES)
  // Stores of a constant (M0K, M0GK): value addr imm off shift [valueHi]; the value's type is that of the member.
#define MYRT_STORES_K(name, member, MemT)                                                          \
  L_##name##M0K: {                                                                                 \
    uint8_t* p = M0_PTR(sizeof(MemT));                                                             \
    if (!p) TRAP(TrapReason::MemoryOutOfBounds);                                                   \
    const MemT x = static_cast<MemT>(storedConst<decltype(Value::member)>(ip));                      \
    std::memcpy(p, &x, sizeof x);                                                                  \
    ip += 7 + (sizeof(Value::member) == 8);                                                        \
    NEXT();                                                                                        \
  }                                                                                                \
  L_##name##M0GK: {                                                                                \
    const MemT x = static_cast<MemT>(storedConst<decltype(Value::member)>(ip));                      \
    std::memcpy(M0G_PTR(), &x, sizeof x);                                                          \
    FAULT_FENCE();                                                                                 \
    ip += 7 + (sizeof(Value::member) == 8);                                                        \
    NEXT();                                                                                        \
  }
  MYRT_IOPS_STORE(MYRT_STORES_K)
#undef MYRT_STORES_K
  // f64 op with a memory-0 operand (code.h MYRT_IOP_F64_LOADOP_NAMES): dst addr imm off shift other.
#define MYRT_F64_LOADOP(C, SUF, PTR, FENCE)                      \
  L_F64##C##Load##SUF##L: {                                      \
    const uint8_t* p = PTR;                                      \
    if (!p) TRAP(TrapReason::MemoryOutOfBounds);                 \
    double m;                                                    \
    std::memcpy(&m, p, sizeof m);                                \
    FENCE();                                                     \
    wr(S(2), eval<Op::F64##C>(m, S(7).f64));                     \
    ip += 8;                                                     \
    NEXT();                                                      \
  }                                                              \
  L_F64##C##Load##SUF##R: {                                      \
    const uint8_t* p = PTR;                                      \
    if (!p) TRAP(TrapReason::MemoryOutOfBounds);                 \
    double m;                                                    \
    std::memcpy(&m, p, sizeof m);                                \
    FENCE();                                                     \
    wr(S(2), eval<Op::F64##C>(S(7).f64, m));                     \
    ip += 8;                                                     \
    NEXT();                                                      \
  }
#define MYRT_F64_LOADOPS(C) MYRT_F64_LOADOP(C, M0, M0_PTR(8), NO_FENCE) MYRT_F64_LOADOP(C, M0G, M0G_PTR(), FAULT_FENCE)
  MYRT_F64_PAIRS(MYRT_F64_LOADOPS)
#undef MYRT_F64_LOADOPS
#undef MYRT_F64_LOADOP
#undef MYRT_LOADS
#undef MYRT_STORES
#undef MYRT_MEM_LOAD
#undef MYRT_MEM_STORE
#undef G_PTR
#undef M0_EA
#undef M0_PTR
#undef M0G_PTR
#undef FAULT_FENCE
#undef NO_FENCE
L_Throw: {
  TagInst* tag = id->tags[ip[2]];
  cx.sp = fp + CODE()->frameSize;  // the allocation may collect: a safepoint (docs/design.md)
  st->ip = ip + 5;
  st->fp = fp;
  exn = cx.store->newException(tag, ip[4]);
  if (!exn) TRAP(TrapReason::OutOfMemory);
  std::copy(fp + ip[3], fp + ip[3] + ip[4], exn->payload().begin());
  throwPos = static_cast<uint32_t>(ip - base);
  goto unwind;
}
L_ThrowRef:
  exn = static_cast<ExnObject*>(S(2).ref);
  if (!exn) {
    cx.trapMessage = "null exception reference";
    TRAP(TrapReason::NullReference);
  }
  throwPos = static_cast<uint32_t>(ip - base);
  goto unwind;

  // Unwinding: find the innermost try_table of this frame covering throwPos with a matching catch, else pop the
  // frame and look in the caller (at its call instruction); past the entry frame the exception leaves this loop.
unwind:
  for (;;) {
    const InterpFunc* code = CODE();
    for (size_t hi = code->handlers.size(); hi-- > 0;) {
      const HandlerRange& h = code->handlers[hi];
      if (throwPos < h.start || throwPos >= h.end) continue;
      if (h.delegateBelow != UINT32_MAX) {  // legacy delegate: skip to the handlers around the target label
        hi = std::min<size_t>(hi, h.delegateBelow);
        continue;
      }
      for (uint32_t k = 0; k < h.numCatches; ++k) {
        const CatchEntry& c = code->catches[h.firstCatch + k];
        const bool all = c.kind == CatchClause::CatchAll || c.kind == CatchClause::CatchAllRef;
        if (!all && id->tags[c.tag] != exn->tag) continue;
        Value* d = fp + c.dst;
        if (!all) d = std::copy(exn->payload().begin(), exn->payload().end(), d);
        if (c.kind == CatchClause::CatchRef || c.kind == CatchClause::CatchAllRef) d->ref = exn;
        if (c.exnSlot != UINT32_MAX) fp[c.exnSlot].ref = exn;
        ip = base + c.target;
        POLL(1);  // the catch may lead back into a loop
        NEXT();
      }
    }
    if (frames.empty()) {
      cx.exception = exn;
      return TrapReason::UncaughtException;
    }
    const Frame& f = frames.back();
    ip = f.ip;
    fp = f.fp;
    fn = f.func;
    frames.pop_back();
    --cx.depth;
    ENTER_FN(CODE());
    throwPos = static_cast<uint32_t>(ip - base) - 1;
  }

  // ---- fused compare+branch (code.h MYRT_BR_CMPS); ##Back: loop back-edges with a trailing cost word ----
#define CMP32(SGN, a, OP, b) ((SGN) ? int32_t(a) OP int32_t(b) : uint32_t(a) OP uint32_t(b))
#define CMP64(SGN, a, OP, b) ((SGN) ? int64_t(a) OP int64_t(b) : uint64_t(a) OP uint64_t(b))
#define MYRT_BR_HANDLERS(Cmp, OP, SGN)                                                     \
  L_BrI32##Cmp:                                                                            \
  ip = CMP32(SGN, S(2).i32, OP, S(3).i32) ? base + ip[4] : ip + 5;                         \
  NEXT();                                                                                  \
  L_BrI32##Cmp##Imm:                                                                       \
  ip = CMP32(SGN, S(2).i32, OP, ip[3]) ? base + ip[4] : ip + 5;                            \
  NEXT();                                                                                  \
  L_BrI64##Cmp:                                                                            \
  ip = CMP64(SGN, S(2).i64, OP, S(3).i64) ? base + ip[4] : ip + 5;                         \
  NEXT();                                                                                  \
  L_BrI64##Cmp##Imm:                                                                       \
  ip = CMP64(SGN, S(2).i64, OP, off64(ip + 3)) ? base + ip[5] : ip + 6;                    \
  NEXT();                                                                                  \
  L_BrI32##Cmp##Back:                                                                      \
  POLL_BACK(ip[5], CMP32(SGN, S(2).i32, OP, S(3).i32), ip[4]);                             \
  ip = CMP32(SGN, S(2).i32, OP, S(3).i32) ? base + ip[4] : ip + 6;                         \
  NEXT();                                                                                  \
  L_BrI32##Cmp##Imm##Back:                                                                 \
  POLL_BACK(ip[5], CMP32(SGN, S(2).i32, OP, ip[3]), ip[4]);                                \
  ip = CMP32(SGN, S(2).i32, OP, ip[3]) ? base + ip[4] : ip + 6;                            \
  NEXT();                                                                                  \
  L_BrI64##Cmp##Back:                                                                      \
  POLL_BACK(ip[5], CMP64(SGN, S(2).i64, OP, S(3).i64), ip[4]);                             \
  ip = CMP64(SGN, S(2).i64, OP, S(3).i64) ? base + ip[4] : ip + 6;                         \
  NEXT();                                                                                  \
  L_BrI64##Cmp##Imm##Back:                                                                 \
  POLL_BACK(ip[6], CMP64(SGN, S(2).i64, OP, off64(ip + 3)), ip[5]);                        \
  ip = CMP64(SGN, S(2).i64, OP, off64(ip + 3)) ? base + ip[5] : ip + 7;                    \
  NEXT();
  MYRT_BR_CMPS(MYRT_BR_HANDLERS)
#undef MYRT_BR_HANDLERS
#undef CMP32
#undef CMP64
L_Gc:
  cx.sp = fp + CODE()->frameSize;  // an allocation may collect: a safepoint (docs/design.md)
  st->ip = ip + 12;
  st->fp = fp;
  reason = semantics::gcStep(cx, fp, ip, *fn->instance);
  if (reason != TrapReason::None) goto trap;
  ip += 12;
  NEXT();
L_SimdLoad:
  reason = simdLoad(fp, ip, id);
  if (reason != TrapReason::None) goto trap;
  ip += 10;
  NEXT();
L_SimdStore:
  reason = simdStore(fp, ip, id);
  if (reason != TrapReason::None) goto trap;
  ip += 9;
  NEXT();
L_Atomic: {  // dst op mem offLo offHi a v1 v2
  const Op aop = static_cast<Op>(ip[3]);
  const OpSig& sig = opInfo(aop).sig;
  MemoryInst* m = aop == Op::AtomicFence ? nullptr : id->memories[ip[4] & 0x7fffffffu];
  const uint64_t a = aop == Op::AtomicFence ? 0 : addrOf(S(7), ip[4]);
  // i32 operands are read zero-extended (Value::i32), i64 ones whole.
  uint64_t v[3] = {0, 0, 0};
  for (unsigned i = 1; i < sig.numParams; ++i)
    v[i] = sig.params[i] == ValKind::I64 ? S(7 + i).i64 : uint64_t(S(7 + i).i32);
  uint64_t out = 0;
  reason = semantics::atomicStep(aop, m, a, off64(ip + 5), v[1], v[2], out, cx.interrupt);
  if (reason != TrapReason::None) goto trap;
  if (sig.numResults) {
    if (sig.results[0] == ValKind::I64) S(2).i64 = out;
    else S(2).i64 = static_cast<uint32_t>(out);
  }
  ip += 10;
  NEXT();
}
L_MemorySize:
  wrAddr(S(2), id->memories[ip[3] & 0x7fffffffu]->pages(), ip[3]);
  ip += 4;
  NEXT();
L_MemoryGrow: {
  MemoryInst* m = id->memories[ip[4] & 0x7fffffffu];
  cx.sp = fp + CODE()->frameSize;  // at the memory limit grow collects: a safepoint
  st->ip = ip + 5;
  st->fp = fp;
  const uint64_t r = m->grow(addrOf(S(3), ip[4]));
  wrAddr(S(2), r, ip[4]);
  ip += 5;
  NEXT();
}
L_MemoryFill: {
  reason = bulk::memoryFill(*id->memories[ip[5] & 0x7fffffffu], addrOf(S(2), ip[5]), static_cast<uint8_t>(S(3).i32),
                            addrOf(S(4), ip[5]));
  if (reason != TrapReason::None) goto trap;
  ip += 6;
  NEXT();
}
L_MemoryCopy: {
  reason = bulk::memoryCopy(*id->memories[ip[5] & 0x7fffffffu], addrOf(S(2), ip[5]),
                            *id->memories[ip[6] & 0x7fffffffu], addrOf(S(3), ip[6]), addrOf(S(4), ip[5] & ip[6]));
  if (reason != TrapReason::None) goto trap;
  ip += 7;
  NEXT();
}
L_MemoryInit: {
  reason = bulk::memoryInit(*fn->instance, ip[5], *id->memories[ip[6] & 0x7fffffffu], addrOf(S(2), ip[6]), S(3).i32,
                            S(4).i32);
  if (reason != TrapReason::None) goto trap;
  ip += 7;
  NEXT();
}
L_DataDrop:
  fn->instance->droppedData[ip[2]] = true;
  ip += 3;
  NEXT();

  // ---- tables ----
L_TableGet: {
  reason = bulk::tableGet(*id->tables[ip[4] & 0x7fffffffu], idxOf(S(3), ip[4]), S(2).ref);
  if (reason != TrapReason::None) goto trap;
  ip += 5;
  NEXT();
}
L_TableSet: {
  reason = bulk::tableSet(*id->tables[ip[4] & 0x7fffffffu], idxOf(S(2), ip[4]), S(3).ref);
  if (reason != TrapReason::None) goto trap;
  ip += 5;
  NEXT();
}
L_TableSize:
  wrAddr(S(2), id->tables[ip[3] & 0x7fffffffu]->size, ip[3]);
  ip += 4;
  NEXT();
L_TableGrow: {
  TableInst* t = id->tables[ip[5] & 0x7fffffffu];
  cx.sp = fp + CODE()->frameSize;  // at the memory limit grow collects: a safepoint
  st->ip = ip + 6;
  st->fp = fp;
  const uint64_t r = t->grow(idxOf(S(4), ip[5]), S(3).ref, cx.store->config().limits.maxTableElems);
  wrAddr(S(2), r, ip[5]);
  ip += 6;
  NEXT();
}
L_TableFill: {
  reason = bulk::tableFill(*id->tables[ip[5] & 0x7fffffffu], idxOf(S(2), ip[5]), S(3).ref, idxOf(S(4), ip[5]));
  if (reason != TrapReason::None) goto trap;
  ip += 6;
  NEXT();
}
L_TableCopy: {
  reason = bulk::tableCopy(*id->tables[ip[5] & 0x7fffffffu], idxOf(S(2), ip[5]), *id->tables[ip[6] & 0x7fffffffu],
                           idxOf(S(3), ip[6]), idxOf(S(4), ip[5] & ip[6]));
  if (reason != TrapReason::None) goto trap;
  ip += 7;
  NEXT();
}
L_TableInit: {
  reason = bulk::tableInit(*fn->instance, ip[5], *id->tables[ip[6] & 0x7fffffffu], idxOf(S(2), ip[6]), S(3).i32,
                           S(4).i32);
  if (reason != TrapReason::None) goto trap;
  ip += 7;
  NEXT();
}
L_ElemDrop:
  fn->instance->elemSegments[ip[2]] = std::vector<Ref>();
  ip += 3;
  NEXT();

  // ---- references ----
L_RefNull:
  S(2).ref = nullptr;
  ip += 3;
  NEXT();
L_RefIsNull:
  S(2).i64 = S(3).ref == nullptr;
  ip += 4;
  NEXT();
L_RefFunc:
  S(2).ref = id->funcs[ip[3]];
  ip += 4;
  NEXT();
L_RefAsNonNull:
  if (!S(3).ref) TRAP(TrapReason::NullReference);
  S(2).ref = S(3).ref;
  ip += 4;
  NEXT();
L_RefEq:
  S(2).i64 = S(3).ref == S(4).ref;
  ip += 5;
  NEXT();

  // ---- numeric (scalar and SIMD): one handler per op, semantics from numeric*.h ----
#define MYRT_NUM_HANDLER(name)                                   \
  L_##name: {                                                    \
    const TrapReason r_ = numStep<Op::name>(fp, ip);             \
    if (r_ != TrapReason::None) TRAP(r_);                        \
    ip += kNumLen<Op::name>;                                     \
    NEXT();                                                      \
  }
  MYRT_NUMERIC_SCALAR_OPS(MYRT_NUM_HANDLER)
  MYRT_NUMERIC_SIMD_OPS(MYRT_NUM_HANDLER)
#undef MYRT_NUM_HANDLER
#define MYRT_F64_PAIR(P, C)                                                                \
  L_F64##P##C##L:                                                                          \
  wr(S(2), eval<Op::F64##C>(eval<Op::F64##P>(S(3).f64, S(4).f64), S(5).f64));              \
  ip += 6;                                                                                 \
  NEXT();                                                                                  \
  L_F64##P##C##R:                                                                          \
  wr(S(2), eval<Op::F64##C>(S(5).f64, eval<Op::F64##P>(S(3).f64, S(4).f64)));              \
  ip += 6;                                                                                 \
  NEXT();
#define MYRT_F64_PAIR_HANDLERS(P) MYRT_F64_PAIR(P, Add) MYRT_F64_PAIR(P, Sub) MYRT_F64_PAIR(P, Mul)
  MYRT_F64_PAIRS(MYRT_F64_PAIR_HANDLERS)
#undef MYRT_F64_PAIR_HANDLERS
#undef MYRT_F64_PAIR
#define MYRT_IMM_HANDLER(name, suffix, left)                         \
  L_##name##suffix: {                                                \
    const TrapReason r_ = numStepImm<Op::name, left>(fp, ip);        \
    if (r_ != TrapReason::None) TRAP(r_);                            \
    ip += kImmLen<Op::name, left>;                                   \
    NEXT();                                                          \
  }
#define MYRT_IMM_R(name) MYRT_IMM_HANDLER(name, Imm, false)
#define MYRT_IMM_L(name) MYRT_IMM_HANDLER(name, ImmL, true)
  MYRT_IOPS_BIN_CMP(MYRT_IMM_R)
  MYRT_IOPS_BIN_ARITH(MYRT_IMM_R)
  MYRT_IOPS_BIN_ARITH(MYRT_IMM_L)
#undef MYRT_IMM_R
#undef MYRT_IMM_L
#undef MYRT_IMM_HANDLER

  // On-stack replacement (POLL_BACK): the rest of this call runs in fn's JIT code from the loop at osrTarget, with
  // this frame's slots as its locals and operand stack; the results come back in fp[0..) as from a call.
osr: {
  const InterpFunc* code = CODE();
  const uint32_t loopOffset = code->loopAt(osrTarget);
  if (loopOffset != UINT32_MAX) {
    cx.sp = fp + code->frameSize;
    st->ip = nullptr;  // the JIT frame holds this frame's values from now on
    st->fp = fp;
    // JIT frames have no hidden locals (InterpFunc::numHidden): the operands move down next to the declared locals
    // (the hidden ones are dead here: no loop head inside a legacy catch body is recorded), and back if OSR declines.
    const uint32_t hidden = code->numHidden, operands = code->frameSize - code->numLocals;
    if (hidden) std::memmove(fp + code->numLocals - hidden, fp + code->numLocals, operands * sizeof(Value));
    --cx.depth;  // the JIT frame replaces this one
    const bool entered = cx.osr(cx, *fn, loopOffset, fp, &reason);
    ++cx.depth;
    if (entered) goto jit_ran;
    if (hidden) std::memmove(fp + code->numLocals, fp + code->numLocals - hidden, operands * sizeof(Value));
  }
  ip = base + osrTarget;
  NEXT();
}

  // A function that got JIT code at its entry poll (POLL_ENTRY): the call runs in that code with this frame's params
  // (fp[0..)) as its arguments; the results come back in fp[0..) as from a call, and this frame returns them.
enter_jit:
  cx.sp = fp + CODE()->frameSize;
  st->ip = nullptr;  // the JIT frame holds this frame's values from now on
  st->fp = fp;
  --cx.depth;  // the JIT frame replaces this one
  reason = fn->entry(cx, *fn, fp);
  ++cx.depth;
  // The rest of this call ran in fn's JIT code (osr, enter_jit): `reason` is its outcome, the results are in fp[0..).
jit_ran: {
  if (reason == TrapReason::None) goto L_Ret;
  if (reason == TrapReason::UncaughtException && cx.exception) {
    exn = cx.exception;
    cx.exception = nullptr;
    throwPos = UINT32_MAX;  // escaped the function: no handler of this frame applies
    goto unwind;
  }
  goto trap_framed;
}

trap_in_call:  // a trap at a call after ip moved past it (stack exhaustion, a trap of a callee with another entry)
  --ip;           // inside the call op: its position maps to the call instruction
trap:
  addFrames(cx, fn, static_cast<uint32_t>(ip - base), frames);
  goto trap_unwound;
trap_framed:  // (fn's frame is in the backtrace already)
  addFrames(cx, nullptr, kNoPos32, frames);
trap_unwound:
  cx.depth -= static_cast<uint32_t>(frames.size());
  return reason;
#undef NEXT
#undef TRAP
#undef TRAP_IN_CALL
#undef S
#undef POLL
#undef POLL_BACK
#undef POLL_ENTRY
#undef ENTER_FN
#undef CODE
}

}  // namespace

const void* const* handlerTable() {
  if (!gTable) run(nullptr, nullptr, nullptr, nullptr, &gTable);
  return gTable;
}

// Runs `f` inside a wasm activation (exec/signals.h): a fault of a guarded access longjmps back here and becomes the
// MemoryOutOfBounds trap with the backtrace recorded in `st`. The caller restores cx.depth and cx.sp.
// The end of an interpreter activation: with none left, no interpreter frame can move to JIT code any more.
inline void leaveActivation(ExecContext& cx) {
  if (--cx.interpActivations == 0) cx.osrHold = false;
}

[[gnu::noinline]] TrapReason runActivation(ExecContext& cx, FuncInst& f, Value* fp, InterpState& st) {
  WasmActivation act;
  act.cx = &cx;
  act.kind = WasmActivation::Kind::Interpreter;
  act.tierState = &st;
  act.tierRegister = kIpRegister;
  pushActivation(act);
  ++cx.interpActivations;
  if (sigsetjmp(act.recover, 0) != 0) {
    afterFaultRecovery(act);
    popActivation(act);
    leaveActivation(cx);
    addFrames(cx, st.fn, faultPosition(act, st), st.frames);
    return TrapReason::MemoryOutOfBounds;
  }
  const TrapReason r = run(&cx, &f, fp, &st, nullptr);
  popActivation(act);
  leaveActivation(cx);
  return r;
}

namespace {

// ExecContext::interpFrames: the frames of every interpreter activation of the context (innermost first). A frame
// whose function has stack maps reports the slots its map at the frame's position lists and its range; a frame
// without maps (a module without GC types) is left to the conservative scan.
void walkFrames(const ExecContext& cx, std::vector<Value*>& slots, std::vector<std::pair<Value*, Value*>>& covered,
                uint64_t& unmapped) {
  auto frame = [&](const FuncInst* f, Value* fp, const uint32_t* base, const uint32_t* ip) {
    const auto* code = static_cast<const InterpFunc*>(f->code.get());
    const InterpFunc::GcMaps* g = code ? code->gcMaps.get() : nullptr;
    if (!g || !fp) return;
    if (ip) {  // (nullptr: the frame continued in JIT code, no slot of it is live)
      const uint32_t pos = static_cast<uint32_t>(ip - base);
      const auto it = std::lower_bound(g->pos.begin(), g->pos.end(), pos);
      if (base != code->code.data() || it == g->pos.end() || *it != pos) {
        ++unmapped;  // (not expected: a collection only happens at safepoints) scanned conservatively
        return;
      }
      g->maps.collect(static_cast<size_t>(it - g->pos.begin()), fp, slots);
    }
    covered.emplace_back(fp, fp + code->frameSize);
  };
  for (auto* st = static_cast<const InterpState*>(cx.interpStates); st; st = st->prev) {
    if (st->fn && st->fp) frame(st->fn, st->fp, st->base, st->ip);
    for (const Frame& f : st->frames) frame(f.func, f.fp, f.base, f.ip);
  }
}

// Links an activation's InterpState into the context's chain for its lifetime (also when a host allocation failure
// unwinds through it as std::bad_alloc).
struct StateLink {
  ExecContext& cx;
  InterpState& st;
  StateLink(ExecContext& c, InterpState& s) : cx(c), st(s) {
    st.prev = static_cast<InterpState*>(cx.interpStates);
    cx.interpStates = &st;
    cx.interpFrames = &walkFrames;
  }
  ~StateLink() { cx.interpStates = st.prev; }
  StateLink(const StateLink&) = delete;
  StateLink& operator=(const StateLink&) = delete;
};

}  // namespace

TrapReason interpEntry(ExecContext& cx, FuncInst& f, Value* io) {
  InterpFunc* code = ensureCode(cx, f);
  if (!code) {
    cx.addFrame(f);
    return TrapReason::Unimplemented;
  }
  const uint32_t np = f.numParams(), nr = f.numResults();
  Value* fp = io;
  const bool outside = io < cx.stackBase || io >= cx.stackEnd;
  if (outside) fp = cx.sp;
  if (cx.depth >= cx.maxDepth || !fp || fp + code->frameSize > cx.stackEnd) return TrapReason::CallStackExhausted;
  // Native recursion reaches here through host functions calling in again and through JIT code calling interpreted
  // functions: bounded like the JIT's prologues (ExecContext::stackLimit).
  if (nativeStackExhausted(cx.stackLimit)) return TrapReason::CallStackExhausted;
  if (outside) std::copy(io, io + np, fp);
  Value* savedSp = cx.sp;
  const uint32_t savedDepth = cx.depth;
  ++cx.depth;
  ++cx.tierCalls.interp;
  InterpState st;
  const StateLink link(cx, st);
  const TrapReason r = runActivation(cx, f, fp, st);
  cx.depth = savedDepth;
  cx.sp = savedSp;
  if (outside && r == TrapReason::None) std::copy(fp, fp + nr, io);
  return r;
}

}  // namespace myrt::interp

// ---- the tier's public entry points (interp.h) ----
namespace myrt {

bool interpreterFaultOffsetsKnown() {
#if MYRT_INTERP_PINNED_IP
  return true;
#else
  return false;
#endif
}

FuncEntry interpreterEntry() { return &interp::interpEntry; }

StoreConfig interpreterConfig(const StoreLimits& limits) {
  StoreConfig c;
  c.limits = limits;
  c.wasmEntry = interpreterEntry();
  return c;
}

std::unique_ptr<Store> makeInterpreterStore(const StoreLimits& limits) {
  return std::make_unique<Store>(interpreterConfig(limits));
}

}  // namespace myrt
