// runtime/semantics/numeric.h -- the scalar numeric semantics of WebAssembly, defined once.
//
// Every i32/i64/f32/f64 operator (arithmetic, bit counting, shifts and rotates, comparisons, float rounding and
// min/max, every conversion incl. trapping and saturating truncation, reinterpretation, sign extension) is a small
// inline function in myrt::num named exactly like its Op enumerator (num::I32DivS for Op::I32DivS). Operators that can
// trap return NumResult<T>{value, trap}; the others return the value directly.
//
// Layer: semantics (header-only; depends on wasm/opcodes.h and exec/trap.h). Consumers: the interpreter (dispatch per op
// through `eval<Op::X>(...)`), the constant folder (`numeric_simd.h: evalNumeric(op, ...)`), JIT slow paths
// (call num::X directly), and numeric_simd.h (lane-wise reuse).
//
// Value representation: i32 = uint32_t, i64 = uint64_t (wrap-around arithmetic without UB; signedness is an operator
// property), f32 = float, f64 = double (IEEE binary32/64; bit-level operators abs/neg/copysign/reinterpret never touch
// the FPU, so NaN payloads, including signalling NaNs, pass through unchanged).
//
// NaN results: arithmetic produces what the host FPU produces, which on x86-64 and AArch64 (default NaN mode off) is the
// first NaN operand with its quiet bit set, or the default NaN for invalid operations -- both allowed by the spec
// (canonical if all NaN inputs are canonical, otherwise arithmetic). min/max/nearest/ceil/floor/trunc/sqrt/demote/
// promote quieten signalling NaNs the same way.
//
// Undefined behaviour is avoided throughout: division special cases are checked before dividing, shifts mask their count,
// and a float is only converted to an integer after checking the truncated value is representable (UBSan-clean).
#pragma once
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <tuple>
#include <type_traits>

#include "runtime/exec/trap.h"
#include "runtime/wasm/opcodes.h"

namespace myrt {

static_assert(std::numeric_limits<float>::is_iec559 && std::numeric_limits<double>::is_iec559,
              "myrt needs IEEE 754 binary32/binary64 floats");

// A value or a trap. `trap == TrapReason::None` means success; `value` is then the result.
template <typename T>
struct [[nodiscard]] NumResult {
  T value{};
  TrapReason trap = TrapReason::None;
  constexpr bool ok() const { return trap == TrapReason::None; }
  static constexpr NumResult fail(TrapReason r) { return NumResult{T{}, r}; }
};

namespace num {

// ---- bit-level helpers -------------------------------------------------------------------------------------------
template <typename F> struct FloatTraits;
template <> struct FloatTraits<float> {
  using Bits = uint32_t;
  using SInt = int32_t;
  static constexpr Bits kSign = 0x80000000u;
  static constexpr Bits kQuiet = 0x00400000u;
  static constexpr Bits kExp = 0x7f800000u;
  static constexpr Bits kMant = 0x007fffffu;
  static constexpr float kTwoPowMant = 8388608.0f;  // 2^23: every float at or above this magnitude is an integer
};
template <> struct FloatTraits<double> {
  using Bits = uint64_t;
  using SInt = int64_t;
  static constexpr Bits kSign = 0x8000000000000000ull;
  static constexpr Bits kQuiet = 0x0008000000000000ull;
  static constexpr Bits kExp = 0x7ff0000000000000ull;
  static constexpr Bits kMant = 0x000fffffffffffffull;
  static constexpr double kTwoPowMant = 4503599627370496.0;  // 2^52
};

template <typename F> constexpr typename FloatTraits<F>::Bits toBits(F f) {
  return std::bit_cast<typename FloatTraits<F>::Bits>(f);
}
constexpr float f32FromBits(uint32_t b) { return std::bit_cast<float>(b); }
constexpr double f64FromBits(uint64_t b) { return std::bit_cast<double>(b); }
template <typename F> constexpr F fromBits(typename FloatTraits<F>::Bits b) { return std::bit_cast<F>(b); }

template <typename F> constexpr bool isNaN(F x) {
  using T = FloatTraits<F>;
  return (toBits(x) & ~T::kSign) > T::kExp;
}
// Canonical NaN: exponent all ones, only the quiet bit in the payload, either sign.
template <typename F> constexpr bool isCanonicalNaN(F x) {
  using T = FloatTraits<F>;
  return (toBits(x) & ~T::kSign) == (T::kExp | T::kQuiet);
}
// Arithmetic NaN: a NaN with the quiet bit set.
template <typename F> constexpr bool isArithmeticNaN(F x) {
  using T = FloatTraits<F>;
  return isNaN(x) && (toBits(x) & T::kQuiet) != 0;
}

template <typename F> constexpr F fAbs(F x) { return fromBits<F>(toBits(x) & ~FloatTraits<F>::kSign); }
template <typename F> constexpr F fNeg(F x) { return fromBits<F>(toBits(x) ^ FloatTraits<F>::kSign); }
template <typename F> constexpr F fCopysign(F x, F y) {
  using T = FloatTraits<F>;
  return fromBits<F>((toBits(x) & ~T::kSign) | (toBits(y) & T::kSign));
}
// NaN in, quiet NaN out (same payload otherwise), through the FPU like every other NaN-producing operator.
template <typename F> constexpr F fQuiet(F x) { return x + x; }

// Round toward zero. |x| < 2^mant fits the same-width signed integer, so the conversion is exact and defined.
template <typename F> constexpr F fTrunc(F x) {
  if (isNaN(x)) return fQuiet(x);
  if (!(fAbs(x) < FloatTraits<F>::kTwoPowMant)) return x;  // infinities and large values are already integral
  F t = static_cast<F>(static_cast<typename FloatTraits<F>::SInt>(x));
  return fCopysign(t, x);  // keeps -0 for -0 and (-1, 0)
}
template <typename F> constexpr F fCeil(F x) {
  F t = fTrunc(x);
  if (t < x) t = t + F(1);  // only positive non-integers get here; the sign is kept below
  return isNaN(t) ? t : fCopysign(t, x);
}
template <typename F> constexpr F fFloor(F x) {
  F t = fTrunc(x);
  if (t > x) t = t - F(1);  // only negative non-integers get here
  return isNaN(t) ? t : fCopysign(t, x);
}
// Round to nearest, ties to even. Adding and subtracting 2^mant rounds |x| to an integer in the FPU's default
// round-to-nearest-even mode (the sum lies in [2^mant, 2^(mant+1)), where the spacing is exactly 1).
template <typename F> constexpr F fNearest(F x) {
  if (isNaN(x)) return fQuiet(x);
  F a = fAbs(x);
  if (!(a < FloatTraits<F>::kTwoPowMant)) return x;
  F r = (a + FloatTraits<F>::kTwoPowMant) - FloatTraits<F>::kTwoPowMant;
  return fCopysign(r, x);
}
// min/max: NaN if either operand is NaN (the quietened NaN operand), and -0 < +0.
template <typename F> constexpr F fMin(F a, F b) {
  if (isNaN(a) || isNaN(b)) return a + b;
  if (a == b) return fromBits<F>(toBits(a) | toBits(b));  // equal: only differs for -0/+0, where -0 wins
  return a < b ? a : b;
}
template <typename F> constexpr F fMax(F a, F b) {
  if (isNaN(a) || isNaN(b)) return a + b;
  if (a == b) return fromBits<F>(toBits(a) & toBits(b));  // +0 wins
  return a > b ? a : b;
}

// Float -> integer truncation. Valid iff trunc(x) is representable in I. The bounds are powers of two, exact in F:
// x must be below 2^N (unsigned) / 2^(N-1) (signed), and above -1 (unsigned) / trunc(x) at least -2^(N-1) (signed).
template <typename I, typename F> constexpr F truncUpperBound() {
  if constexpr (std::is_signed_v<I>) return -static_cast<F>(std::numeric_limits<I>::min());
  else return static_cast<F>(std::numeric_limits<I>::max() / 2 + 1) * F(2);
}
template <typename I, typename F> constexpr NumResult<I> truncTrap(F x) {
  if (isNaN(x)) return NumResult<I>::fail(TrapReason::InvalidConversionToInteger);
  if (!(x < truncUpperBound<I, F>())) return NumResult<I>::fail(TrapReason::IntegerOverflow);
  if constexpr (std::is_signed_v<I>) {
    constexpr F lo = static_cast<F>(std::numeric_limits<I>::min());
    // x in (lo - 1, lo) truncates to lo, which is fine (only representable for f64 -> i32)
    if (x < lo && fTrunc(x) != lo) return NumResult<I>::fail(TrapReason::IntegerOverflow);
  } else {
    if (!(x > F(-1))) return NumResult<I>::fail(TrapReason::IntegerOverflow);
  }
  return NumResult<I>{static_cast<I>(x)};
}
template <typename I, typename F> constexpr I truncSat(F x) {
  if (isNaN(x)) return 0;
  if (!(x < truncUpperBound<I, F>())) return std::numeric_limits<I>::max();
  if constexpr (std::is_signed_v<I>) {
    constexpr F lo = static_cast<F>(std::numeric_limits<I>::min());
    if (x < lo && fTrunc(x) != lo) return std::numeric_limits<I>::min();
  } else {
    if (!(x > F(-1))) return 0;
  }
  return static_cast<I>(x);
}

// ---- i32 -----------------------------------------------------------------------------------------------------------
constexpr uint32_t b2i(bool b) { return b ? 1u : 0u; }
constexpr int32_t s32(uint32_t a) { return static_cast<int32_t>(a); }
constexpr int64_t s64(uint64_t a) { return static_cast<int64_t>(a); }

constexpr uint32_t I32Eqz(uint32_t a) { return b2i(a == 0); }
constexpr uint32_t I32Eq(uint32_t a, uint32_t b) { return b2i(a == b); }
constexpr uint32_t I32Ne(uint32_t a, uint32_t b) { return b2i(a != b); }
constexpr uint32_t I32LtS(uint32_t a, uint32_t b) { return b2i(s32(a) < s32(b)); }
constexpr uint32_t I32LtU(uint32_t a, uint32_t b) { return b2i(a < b); }
constexpr uint32_t I32GtS(uint32_t a, uint32_t b) { return b2i(s32(a) > s32(b)); }
constexpr uint32_t I32GtU(uint32_t a, uint32_t b) { return b2i(a > b); }
constexpr uint32_t I32LeS(uint32_t a, uint32_t b) { return b2i(s32(a) <= s32(b)); }
constexpr uint32_t I32LeU(uint32_t a, uint32_t b) { return b2i(a <= b); }
constexpr uint32_t I32GeS(uint32_t a, uint32_t b) { return b2i(s32(a) >= s32(b)); }
constexpr uint32_t I32GeU(uint32_t a, uint32_t b) { return b2i(a >= b); }

constexpr uint32_t I32Clz(uint32_t a) { return static_cast<uint32_t>(std::countl_zero(a)); }
constexpr uint32_t I32Ctz(uint32_t a) { return static_cast<uint32_t>(std::countr_zero(a)); }
constexpr uint32_t I32Popcnt(uint32_t a) { return static_cast<uint32_t>(std::popcount(a)); }
constexpr uint32_t I32Add(uint32_t a, uint32_t b) { return a + b; }
constexpr uint32_t I32Sub(uint32_t a, uint32_t b) { return a - b; }
constexpr uint32_t I32Mul(uint32_t a, uint32_t b) { return a * b; }
constexpr NumResult<uint32_t> I32DivS(uint32_t a, uint32_t b) {
  if (b == 0) return NumResult<uint32_t>::fail(TrapReason::IntegerDivideByZero);
  if (a == 0x80000000u && b == 0xffffffffu) return NumResult<uint32_t>::fail(TrapReason::IntegerOverflow);
  return {static_cast<uint32_t>(s32(a) / s32(b))};
}
constexpr NumResult<uint32_t> I32DivU(uint32_t a, uint32_t b) {
  if (b == 0) return NumResult<uint32_t>::fail(TrapReason::IntegerDivideByZero);
  return {a / b};
}
constexpr NumResult<uint32_t> I32RemS(uint32_t a, uint32_t b) {
  if (b == 0) return NumResult<uint32_t>::fail(TrapReason::IntegerDivideByZero);
  if (b == 0xffffffffu) return {0};  // INT_MIN % -1 is 0 in wasm, UB in C++
  return {static_cast<uint32_t>(s32(a) % s32(b))};
}
constexpr NumResult<uint32_t> I32RemU(uint32_t a, uint32_t b) {
  if (b == 0) return NumResult<uint32_t>::fail(TrapReason::IntegerDivideByZero);
  return {a % b};
}
constexpr uint32_t I32And(uint32_t a, uint32_t b) { return a & b; }
constexpr uint32_t I32Or(uint32_t a, uint32_t b) { return a | b; }
constexpr uint32_t I32Xor(uint32_t a, uint32_t b) { return a ^ b; }
constexpr uint32_t I32Shl(uint32_t a, uint32_t b) { return a << (b & 31); }
constexpr uint32_t I32ShrS(uint32_t a, uint32_t b) { return static_cast<uint32_t>(s32(a) >> (b & 31)); }
constexpr uint32_t I32ShrU(uint32_t a, uint32_t b) { return a >> (b & 31); }
constexpr uint32_t I32Rotl(uint32_t a, uint32_t b) { return std::rotl(a, static_cast<int>(b & 31)); }
constexpr uint32_t I32Rotr(uint32_t a, uint32_t b) { return std::rotr(a, static_cast<int>(b & 31)); }

// ---- i64 -----------------------------------------------------------------------------------------------------------
constexpr uint32_t I64Eqz(uint64_t a) { return b2i(a == 0); }
constexpr uint32_t I64Eq(uint64_t a, uint64_t b) { return b2i(a == b); }
constexpr uint32_t I64Ne(uint64_t a, uint64_t b) { return b2i(a != b); }
constexpr uint32_t I64LtS(uint64_t a, uint64_t b) { return b2i(s64(a) < s64(b)); }
constexpr uint32_t I64LtU(uint64_t a, uint64_t b) { return b2i(a < b); }
constexpr uint32_t I64GtS(uint64_t a, uint64_t b) { return b2i(s64(a) > s64(b)); }
constexpr uint32_t I64GtU(uint64_t a, uint64_t b) { return b2i(a > b); }
constexpr uint32_t I64LeS(uint64_t a, uint64_t b) { return b2i(s64(a) <= s64(b)); }
constexpr uint32_t I64LeU(uint64_t a, uint64_t b) { return b2i(a <= b); }
constexpr uint32_t I64GeS(uint64_t a, uint64_t b) { return b2i(s64(a) >= s64(b)); }
constexpr uint32_t I64GeU(uint64_t a, uint64_t b) { return b2i(a >= b); }

constexpr uint64_t I64Clz(uint64_t a) { return static_cast<uint64_t>(std::countl_zero(a)); }
constexpr uint64_t I64Ctz(uint64_t a) { return static_cast<uint64_t>(std::countr_zero(a)); }
constexpr uint64_t I64Popcnt(uint64_t a) { return static_cast<uint64_t>(std::popcount(a)); }
constexpr uint64_t I64Add(uint64_t a, uint64_t b) { return a + b; }
constexpr uint64_t I64Sub(uint64_t a, uint64_t b) { return a - b; }
constexpr uint64_t I64Mul(uint64_t a, uint64_t b) { return a * b; }
constexpr NumResult<uint64_t> I64DivS(uint64_t a, uint64_t b) {
  if (b == 0) return NumResult<uint64_t>::fail(TrapReason::IntegerDivideByZero);
  if (a == 0x8000000000000000ull && b == ~0ull) return NumResult<uint64_t>::fail(TrapReason::IntegerOverflow);
  return {static_cast<uint64_t>(s64(a) / s64(b))};
}
constexpr NumResult<uint64_t> I64DivU(uint64_t a, uint64_t b) {
  if (b == 0) return NumResult<uint64_t>::fail(TrapReason::IntegerDivideByZero);
  return {a / b};
}
constexpr NumResult<uint64_t> I64RemS(uint64_t a, uint64_t b) {
  if (b == 0) return NumResult<uint64_t>::fail(TrapReason::IntegerDivideByZero);
  if (b == ~0ull) return {0};
  return {static_cast<uint64_t>(s64(a) % s64(b))};
}
constexpr NumResult<uint64_t> I64RemU(uint64_t a, uint64_t b) {
  if (b == 0) return NumResult<uint64_t>::fail(TrapReason::IntegerDivideByZero);
  return {a % b};
}
constexpr uint64_t I64And(uint64_t a, uint64_t b) { return a & b; }
constexpr uint64_t I64Or(uint64_t a, uint64_t b) { return a | b; }
constexpr uint64_t I64Xor(uint64_t a, uint64_t b) { return a ^ b; }
constexpr uint64_t I64Shl(uint64_t a, uint64_t b) { return a << (b & 63); }
constexpr uint64_t I64ShrS(uint64_t a, uint64_t b) { return static_cast<uint64_t>(s64(a) >> (b & 63)); }
constexpr uint64_t I64ShrU(uint64_t a, uint64_t b) { return a >> (b & 63); }
constexpr uint64_t I64Rotl(uint64_t a, uint64_t b) { return std::rotl(a, static_cast<int>(b & 63)); }
constexpr uint64_t I64Rotr(uint64_t a, uint64_t b) { return std::rotr(a, static_cast<int>(b & 63)); }

// ---- f32 / f64 -----------------------------------------------------------------------------------------------------
constexpr uint32_t F32Eq(float a, float b) { return b2i(a == b); }
constexpr uint32_t F32Ne(float a, float b) { return b2i(a != b); }
constexpr uint32_t F32Lt(float a, float b) { return b2i(a < b); }
constexpr uint32_t F32Gt(float a, float b) { return b2i(a > b); }
constexpr uint32_t F32Le(float a, float b) { return b2i(a <= b); }
constexpr uint32_t F32Ge(float a, float b) { return b2i(a >= b); }
constexpr uint32_t F64Eq(double a, double b) { return b2i(a == b); }
constexpr uint32_t F64Ne(double a, double b) { return b2i(a != b); }
constexpr uint32_t F64Lt(double a, double b) { return b2i(a < b); }
constexpr uint32_t F64Gt(double a, double b) { return b2i(a > b); }
constexpr uint32_t F64Le(double a, double b) { return b2i(a <= b); }
constexpr uint32_t F64Ge(double a, double b) { return b2i(a >= b); }

constexpr float F32Abs(float a) { return fAbs(a); }
constexpr float F32Neg(float a) { return fNeg(a); }
constexpr float F32Ceil(float a) { return fCeil(a); }
constexpr float F32Floor(float a) { return fFloor(a); }
constexpr float F32Trunc(float a) { return fTrunc(a); }
constexpr float F32Nearest(float a) { return fNearest(a); }
inline float F32Sqrt(float a) { return std::sqrt(a); }  // IEEE correctly rounded; sqrt(negative) = default NaN
constexpr float F32Add(float a, float b) { return a + b; }
constexpr float F32Sub(float a, float b) { return a - b; }
constexpr float F32Mul(float a, float b) { return a * b; }
constexpr float F32Div(float a, float b) { return a / b; }
constexpr float F32Min(float a, float b) { return fMin(a, b); }
constexpr float F32Max(float a, float b) { return fMax(a, b); }
constexpr float F32Copysign(float a, float b) { return fCopysign(a, b); }

constexpr double F64Abs(double a) { return fAbs(a); }
constexpr double F64Neg(double a) { return fNeg(a); }
constexpr double F64Ceil(double a) { return fCeil(a); }
constexpr double F64Floor(double a) { return fFloor(a); }
constexpr double F64Trunc(double a) { return fTrunc(a); }
constexpr double F64Nearest(double a) { return fNearest(a); }
inline double F64Sqrt(double a) { return std::sqrt(a); }
constexpr double F64Add(double a, double b) { return a + b; }
constexpr double F64Sub(double a, double b) { return a - b; }
constexpr double F64Mul(double a, double b) { return a * b; }
constexpr double F64Div(double a, double b) { return a / b; }
constexpr double F64Min(double a, double b) { return fMin(a, b); }
constexpr double F64Max(double a, double b) { return fMax(a, b); }
constexpr double F64Copysign(double a, double b) { return fCopysign(a, b); }

// ---- conversions ---------------------------------------------------------------------------------------------------
constexpr uint32_t I32WrapI64(uint64_t a) { return static_cast<uint32_t>(a); }
constexpr NumResult<uint32_t> I32TruncF32S(float a) {
  auto r = truncTrap<int32_t>(a);
  return {static_cast<uint32_t>(r.value), r.trap};
}
constexpr NumResult<uint32_t> I32TruncF32U(float a) { return truncTrap<uint32_t>(a); }
constexpr NumResult<uint32_t> I32TruncF64S(double a) {
  auto r = truncTrap<int32_t>(a);
  return {static_cast<uint32_t>(r.value), r.trap};
}
constexpr NumResult<uint32_t> I32TruncF64U(double a) { return truncTrap<uint32_t>(a); }
constexpr uint64_t I64ExtendI32S(uint32_t a) { return static_cast<uint64_t>(static_cast<int64_t>(s32(a))); }
constexpr uint64_t I64ExtendI32U(uint32_t a) { return a; }
constexpr NumResult<uint64_t> I64TruncF32S(float a) {
  auto r = truncTrap<int64_t>(a);
  return {static_cast<uint64_t>(r.value), r.trap};
}
constexpr NumResult<uint64_t> I64TruncF32U(float a) { return truncTrap<uint64_t>(a); }
constexpr NumResult<uint64_t> I64TruncF64S(double a) {
  auto r = truncTrap<int64_t>(a);
  return {static_cast<uint64_t>(r.value), r.trap};
}
constexpr NumResult<uint64_t> I64TruncF64U(double a) { return truncTrap<uint64_t>(a); }
// int -> float: the C++ conversions are IEEE correctly rounded (round to nearest even) on every host we target;
// GCC and Clang lower u64 -> f32/f64 with a sticky-bit halving sequence, not a double rounding through f64.
constexpr float F32ConvertI32S(uint32_t a) { return static_cast<float>(s32(a)); }
constexpr float F32ConvertI32U(uint32_t a) { return static_cast<float>(a); }
constexpr float F32ConvertI64S(uint64_t a) { return static_cast<float>(s64(a)); }
constexpr float F32ConvertI64U(uint64_t a) { return static_cast<float>(a); }
// Demotion rounds to nearest even; out-of-range magnitudes become infinities (IEEE 754 / Annex F semantics).
constexpr float F32DemoteF64(double a) { return static_cast<float>(a); }
constexpr double F64ConvertI32S(uint32_t a) { return static_cast<double>(s32(a)); }
constexpr double F64ConvertI32U(uint32_t a) { return static_cast<double>(a); }
constexpr double F64ConvertI64S(uint64_t a) { return static_cast<double>(s64(a)); }
constexpr double F64ConvertI64U(uint64_t a) { return static_cast<double>(a); }
constexpr double F64PromoteF32(float a) { return static_cast<double>(a); }
constexpr uint32_t I32ReinterpretF32(float a) { return std::bit_cast<uint32_t>(a); }
constexpr uint64_t I64ReinterpretF64(double a) { return std::bit_cast<uint64_t>(a); }
constexpr float F32ReinterpretI32(uint32_t a) { return std::bit_cast<float>(a); }
constexpr double F64ReinterpretI64(uint64_t a) { return std::bit_cast<double>(a); }
constexpr uint32_t I32Extend8S(uint32_t a) { return static_cast<uint32_t>(static_cast<int32_t>(static_cast<int8_t>(a))); }
constexpr uint32_t I32Extend16S(uint32_t a) { return static_cast<uint32_t>(static_cast<int32_t>(static_cast<int16_t>(a))); }
constexpr uint64_t I64Extend8S(uint64_t a) { return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(a))); }
constexpr uint64_t I64Extend16S(uint64_t a) { return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int16_t>(a))); }
constexpr uint64_t I64Extend32S(uint64_t a) { return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(a))); }
constexpr uint32_t I32TruncSatF32S(float a) { return static_cast<uint32_t>(truncSat<int32_t>(a)); }
constexpr uint32_t I32TruncSatF32U(float a) { return truncSat<uint32_t>(a); }
constexpr uint32_t I32TruncSatF64S(double a) { return static_cast<uint32_t>(truncSat<int32_t>(a)); }
constexpr uint32_t I32TruncSatF64U(double a) { return truncSat<uint32_t>(a); }
constexpr uint64_t I64TruncSatF32S(float a) { return static_cast<uint64_t>(truncSat<int64_t>(a)); }
constexpr uint64_t I64TruncSatF32U(float a) { return truncSat<uint64_t>(a); }
constexpr uint64_t I64TruncSatF64S(double a) { return static_cast<uint64_t>(truncSat<int64_t>(a)); }
constexpr uint64_t I64TruncSatF64U(double a) { return truncSat<uint64_t>(a); }

}  // namespace num

// ---- calling by Op -------------------------------------------------------------------------------------------------
// Every scalar numeric op (signature not `special`, no immediate, not a memory access), in opcodes.def order.
// X(Name) for each; the implementation is num::Name.
#define MYRT_NUMERIC_SCALAR_OPS(X)                                                                                 \
  X(I32Eqz) X(I32Eq) X(I32Ne) X(I32LtS) X(I32LtU) X(I32GtS) X(I32GtU) X(I32LeS) X(I32LeU) X(I32GeS) X(I32GeU)      \
  X(I64Eqz) X(I64Eq) X(I64Ne) X(I64LtS) X(I64LtU) X(I64GtS) X(I64GtU) X(I64LeS) X(I64LeU) X(I64GeS) X(I64GeU)      \
  X(F32Eq) X(F32Ne) X(F32Lt) X(F32Gt) X(F32Le) X(F32Ge) X(F64Eq) X(F64Ne) X(F64Lt) X(F64Gt) X(F64Le) X(F64Ge)      \
  X(I32Clz) X(I32Ctz) X(I32Popcnt) X(I32Add) X(I32Sub) X(I32Mul) X(I32DivS) X(I32DivU) X(I32RemS) X(I32RemU)       \
  X(I32And) X(I32Or) X(I32Xor) X(I32Shl) X(I32ShrS) X(I32ShrU) X(I32Rotl) X(I32Rotr)                               \
  X(I64Clz) X(I64Ctz) X(I64Popcnt) X(I64Add) X(I64Sub) X(I64Mul) X(I64DivS) X(I64DivU) X(I64RemS) X(I64RemU)       \
  X(I64And) X(I64Or) X(I64Xor) X(I64Shl) X(I64ShrS) X(I64ShrU) X(I64Rotl) X(I64Rotr)                               \
  X(F32Abs) X(F32Neg) X(F32Ceil) X(F32Floor) X(F32Trunc) X(F32Nearest) X(F32Sqrt) X(F32Add) X(F32Sub) X(F32Mul)    \
  X(F32Div) X(F32Min) X(F32Max) X(F32Copysign)                                                                     \
  X(F64Abs) X(F64Neg) X(F64Ceil) X(F64Floor) X(F64Trunc) X(F64Nearest) X(F64Sqrt) X(F64Add) X(F64Sub) X(F64Mul)    \
  X(F64Div) X(F64Min) X(F64Max) X(F64Copysign)                                                                     \
  X(I32WrapI64) X(I32TruncF32S) X(I32TruncF32U) X(I32TruncF64S) X(I32TruncF64U) X(I64ExtendI32S) X(I64ExtendI32U)  \
  X(I64TruncF32S) X(I64TruncF32U) X(I64TruncF64S) X(I64TruncF64U) X(F32ConvertI32S) X(F32ConvertI32U)              \
  X(F32ConvertI64S) X(F32ConvertI64U) X(F32DemoteF64) X(F64ConvertI32S) X(F64ConvertI32U) X(F64ConvertI64S)        \
  X(F64ConvertI64U) X(F64PromoteF32) X(I32ReinterpretF32) X(I64ReinterpretF64) X(F32ReinterpretI32)                \
  X(F64ReinterpretI64) X(I32Extend8S) X(I32Extend16S) X(I64Extend8S) X(I64Extend16S) X(I64Extend32S)               \
  X(I32TruncSatF32S) X(I32TruncSatF32U) X(I32TruncSatF64S) X(I32TruncSatF64U) X(I64TruncSatF32S)                   \
  X(I64TruncSatF32U) X(I64TruncSatF64S) X(I64TruncSatF64U)

// NumOp<op>::fn is a pointer to the implementation of `op` (specialised for every numeric op, scalar here and SIMD in
// numeric_simd.h); NumOp<op>::kDefined says whether there is one. Operands are the op's value operands in stack order
// (first pushed first), followed by the immediate for lane/shuffle ops.
template <Op op>
struct NumOp {
  static constexpr bool kDefined = false;
};
#define MYRT_NUMERIC_BIND(name)                       \
  template <>                                         \
  struct NumOp<Op::name> {                            \
    static constexpr bool kDefined = true;            \
    static constexpr auto fn = &num::name;            \
  };
MYRT_NUMERIC_SCALAR_OPS(MYRT_NUMERIC_BIND)

namespace num_detail {
template <typename T> struct IsNumResult : std::false_type {};
template <typename T> struct IsNumResult<NumResult<T>> : std::true_type { using Value = T; };
template <typename Fn> struct FnSig;
template <typename R, typename... A> struct FnSig<R (*)(A...)> {
  using Ret = R;
  static constexpr unsigned kArity = sizeof...(A);
};
}  // namespace num_detail

template <Op op> using NumOpFn = std::remove_cv_t<decltype(NumOp<op>::fn)>;

// eval<Op::I32Add>(a, b): the interpreter's per-op handlers and templated JIT slow paths call through this.
template <Op op, typename... A>
constexpr auto eval(A... args) {
  static_assert(NumOp<op>::kDefined, "not a numeric op");
  return NumOp<op>::fn(args...);
}
// Whether `op` can trap (its implementation returns NumResult).
template <Op op>
inline constexpr bool kNumOpTraps = num_detail::IsNumResult<typename num_detail::FnSig<NumOpFn<op>>::Ret>::value;

// The C++ signature of an op's implementation, for consumers that generate one handler per op from the op lists:
//   NumOpSig<op>::Value     result type (uint32_t, uint64_t, float, double, V128), NumResult unwrapped
//   NumOpSig<op>::Param<i>  type of parameter i (value operands first, then the lane/shuffle immediate if any)
//   NumOpSig<op>::kArity    number of parameters; kTraps as kNumOpTraps
// e.g. an interpreter handler:
//   template <Op op> void run(Slot* s, const Ins& in) {
//     auto r = eval<op>(load<NumOpSig<op>::template Param<0>>(s, in.a), load<...Param<1>>(s, in.b));
//     if constexpr (NumOpSig<op>::kTraps) { if (!r.ok()) return trap(r.trap); store(s, in.dst, r.value); }
//     else store(s, in.dst, r);
//   }
namespace num_detail {
template <typename T> struct Unwrap { using T_ = T; };
template <typename T> struct Unwrap<NumResult<T>> { using T_ = T; };
template <typename Fn> struct ParamList;
template <typename R, typename... A> struct ParamList<R (*)(A...)> {
  template <unsigned I> using At = std::tuple_element_t<I, std::tuple<A...>>;
};
}  // namespace num_detail
template <Op op>
struct NumOpSig {
  using Fn = NumOpFn<op>;
  using Value = typename num_detail::Unwrap<typename num_detail::FnSig<Fn>::Ret>::T_;
  template <unsigned I> using Param = typename num_detail::ParamList<Fn>::template At<I>;
  static constexpr unsigned kArity = num_detail::FnSig<Fn>::kArity;
  static constexpr bool kTraps = kNumOpTraps<op>;
};

}  // namespace myrt
