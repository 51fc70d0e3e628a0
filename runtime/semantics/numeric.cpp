// runtime/semantics/numeric.cpp -- by-Op evaluation of every numeric operator on untyped V128 carriers: one table of
// thunks generated from the NumOp<op> bindings of numeric.h / numeric_simd.h, instantiated once here so that
// consumers (constant folder, tests, the CLI's debugging tools) do not pay for ~370 instantiations each.
// Layer: semantics (depends on numeric_simd.h only).
#include <array>
#include <cstring>
#include <tuple>
#include <utility>

#include "runtime/semantics/numeric_simd.h"

namespace myrt {
namespace {

template <typename T> T fromCarrier(const V128& v) {
  if constexpr (std::is_same_v<T, V128>) {
    return v;
  } else {
    T x;
    std::memcpy(&x, v.bytes, sizeof(T));
    return x;
  }
}
template <typename T> V128 toCarrier(T x) {
  if constexpr (std::is_same_v<T, V128>) {
    return x;
  } else {
    V128 v = V128::zero();
    std::memcpy(v.bytes, &x, sizeof(T));
    return v;
  }
}

// Parameter i of an op's implementation: a value operand while i < the op's operand count, else its immediate.
template <typename P> P operand(const V128* args, const V128& imm, unsigned i, unsigned numOperands) {
  if (i < numOperands) return fromCarrier<P>(args[i]);
  if constexpr (std::is_same_v<P, uint8_t>) return imm.bytes[0];  // lane index
  else return fromCarrier<P>(imm);                                 // i8x16.shuffle lane indices
}

template <Op op, unsigned... I> NumResult<V128> invoke(const V128* args, const V128& imm, std::integer_sequence<unsigned, I...>) {
  constexpr unsigned n = opInfo(op).sig.numParams;
  auto r = NumOp<op>::fn(operand<typename NumOpSig<op>::template Param<I>>(args, imm, I, n)...);
  if constexpr (num_detail::IsNumResult<decltype(r)>::value) return {toCarrier(r.value), r.trap};
  else return {toCarrier(r)};
}

using Thunk = NumResult<V128> (*)(const V128* args, const V128& imm);

template <Op op> NumResult<V128> thunk(const V128* args, const V128& imm) {
  return invoke<op>(args, imm, std::make_integer_sequence<unsigned, NumOpSig<op>::kArity>{});
}
template <Op op> constexpr Thunk thunkFor() {
  if constexpr (NumOp<op>::kDefined) return &thunk<op>;
  else return nullptr;
}
template <size_t... I> constexpr std::array<Thunk, sizeof...(I)> makeThunks(std::index_sequence<I...>) {
  return {thunkFor<static_cast<Op>(I)>()...};
}
constexpr auto kThunks = makeThunks(std::make_index_sequence<kNumOps>{});

}  // namespace

NumResult<V128> evalNumeric(Op op, const V128* args, const V128& imm) {
  unsigned i = static_cast<unsigned>(op);
  Thunk t = i < kThunks.size() ? kThunks[i] : nullptr;
  return t ? t(args, imm) : NumResult<V128>::fail(TrapReason::Unimplemented);
}

}  // namespace myrt
