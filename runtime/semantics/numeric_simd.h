// runtime/semantics/numeric_simd.h -- portable semantics of every SIMD (0xFD) value operator and of relaxed SIMD, plus
// by-Op evaluation over all numeric operators (scalar and SIMD) for the constant folder and tests.
//
// V128 is 16 bytes in wasm lane order (lane i of an iNxM shape at byte offset i*N/8, little endian). Each operator is
// an inline function in myrt::num named like its Op enumerator (num::I8x16AddSatS), bound to the Op through NumOp<op>
// as in numeric.h. Lane operands come first in stack order; lane-indexed ops take the lane immediate (uint8_t) last,
// i8x16.shuffle takes its 16 lane indices as a V128 last. Float lanes reuse the scalar functions of numeric.h, so NaN
// and signed-zero behaviour is the same as for scalars. Memory ops (loads/stores) are not here.
//
// Relaxed SIMD: myrt makes one deterministic choice per operator, the same in every tier (JITs must match):
//   relaxed_swizzle          = swizzle (indices >= 16 give 0)
//   relaxed_trunc*           = trunc_sat* (NaN -> 0, saturate out-of-range lanes)
//   relaxed_madd / nmadd     = unfused: round(a*b) then round(+c) (resp. round(-(a*b) + c)); two roundings
//   relaxed_laneselect       = bitselect (bitwise, whatever the mask)
//   relaxed_min / max        = min / max (NaN-propagating, -0 < +0)
//   relaxed_q15mulr_s        = q15mulr_sat_s (INT16_MIN * INT16_MIN -> INT16_MAX)
//   relaxed_dot_i8x16_i7x16  = both operands' lanes signed; i16 sums wrap; the _add_s form sums four signed products
//                              per i32 lane and adds c, wrapping
//
// Layer: semantics (header-only; depends on numeric.h).
#pragma once
#include <bit>
#include <cstdint>
#include <cstring>
#include <array>
#include <limits>
#include <tuple>
#include <type_traits>
#include <utility>

#include "runtime/semantics/numeric.h"

namespace myrt {

static_assert(std::endian::native == std::endian::little, "V128 lane access assumes a little-endian host");

struct V128 {
  uint8_t bytes[16];

  static V128 zero() {
    V128 v;
    std::memset(v.bytes, 0, 16);
    return v;
  }
  static V128 fromHalves(uint64_t lo, uint64_t hi) {
    V128 v;
    std::memcpy(v.bytes, &lo, 8);
    std::memcpy(v.bytes + 8, &hi, 8);
    return v;
  }
  template <typename L> static V128 splat(L x) {
    V128 v;
    for (unsigned i = 0; i < 16 / sizeof(L); ++i) v.setLane<L>(i, x);
    return v;
  }
  uint64_t lo() const { return lane<uint64_t>(0); }
  uint64_t hi() const { return lane<uint64_t>(1); }
  template <typename L> L lane(unsigned i) const {
    L x;
    std::memcpy(&x, bytes + i * sizeof(L), sizeof(L));
    return x;
  }
  template <typename L> void setLane(unsigned i, L x) { std::memcpy(bytes + i * sizeof(L), &x, sizeof(L)); }
  friend bool operator==(const V128& a, const V128& b) { return std::memcmp(a.bytes, b.bytes, 16) == 0; }
};

namespace num {
namespace simd_detail {

template <typename L> inline constexpr unsigned kLanes = 16 / sizeof(L);

template <typename L, typename F> inline V128 map1(V128 a, F f) {
  V128 r;
  for (unsigned i = 0; i < kLanes<L>; ++i) r.setLane<L>(i, static_cast<L>(f(a.lane<L>(i))));
  return r;
}
template <typename L, typename F> inline V128 map2(V128 a, V128 b, F f) {
  V128 r;
  for (unsigned i = 0; i < kLanes<L>; ++i) r.setLane<L>(i, static_cast<L>(f(a.lane<L>(i), b.lane<L>(i))));
  return r;
}
template <size_t N> struct UIntOfSize;
template <> struct UIntOfSize<1> { using T = uint8_t; };
template <> struct UIntOfSize<2> { using T = uint16_t; };
template <> struct UIntOfSize<4> { using T = uint32_t; };
template <> struct UIntOfSize<8> { using T = uint64_t; };
// Lane-wise comparison producing all-ones / all-zeros lanes.
template <typename L, typename F> inline V128 cmp(V128 a, V128 b, F f) {
  using U = typename UIntOfSize<sizeof(L)>::T;
  V128 r;
  for (unsigned i = 0; i < kLanes<L>; ++i) r.setLane<U>(i, f(a.lane<L>(i), b.lane<L>(i)) ? static_cast<U>(~U(0)) : U(0));
  return r;
}
// Lane-wise conversion between two shapes with the same lane count (lanes are read as From and written as To, so
// float bit patterns never pass through a value conversion).
template <typename To, typename From, typename F> inline V128 convert(V128 a, F f) {
  static_assert(sizeof(To) == sizeof(From));
  V128 r;
  for (unsigned i = 0; i < kLanes<From>; ++i) r.setLane<To>(i, f(a.lane<From>(i)));
  return r;
}
template <typename L> inline uint32_t allTrue(V128 a) {
  for (unsigned i = 0; i < kLanes<L>; ++i)
    if (a.lane<L>(i) == 0) return 0;
  return 1;
}
template <typename L> inline uint32_t bitmask(V128 a) {
  using S = std::make_signed_t<L>;
  uint32_t m = 0;
  for (unsigned i = 0; i < kLanes<L>; ++i)
    if (static_cast<S>(a.lane<L>(i)) < 0) m |= 1u << i;
  return m;
}
template <typename To, typename From> inline To saturate(From x) {
  if (x < static_cast<From>(std::numeric_limits<To>::min())) return std::numeric_limits<To>::min();
  if (x > static_cast<From>(std::numeric_limits<To>::max())) return std::numeric_limits<To>::max();
  return static_cast<To>(x);
}
// Narrow: the wide signed lanes of a then b, saturated to the narrow type To.
template <typename To, typename From> inline V128 narrow(V128 a, V128 b) {
  V128 r;
  constexpr unsigned n = kLanes<From>;
  for (unsigned i = 0; i < n; ++i) r.setLane<To>(i, saturate<To>(static_cast<int32_t>(a.lane<From>(i))));
  for (unsigned i = 0; i < n; ++i) r.setLane<To>(n + i, saturate<To>(static_cast<int32_t>(b.lane<From>(i))));
  return r;
}
// Extend the low (high=false) or high half of the narrow lanes to the wide type.
template <typename To, typename From> inline V128 extend(V128 a, bool high) {
  V128 r;
  constexpr unsigned n = kLanes<To>;
  for (unsigned i = 0; i < n; ++i) r.setLane<To>(i, static_cast<To>(a.lane<From>(i + (high ? n : 0))));
  return r;
}
// Extended multiply: the wide product of the low/high narrow lanes. Prod is a type wide enough for the exact product.
template <typename To, typename From, typename Prod> inline V128 extmul(V128 a, V128 b, bool high) {
  V128 r;
  constexpr unsigned n = kLanes<To>;
  for (unsigned i = 0; i < n; ++i) {
    unsigned j = i + (high ? n : 0);
    Prod p = static_cast<Prod>(a.lane<From>(j)) * static_cast<Prod>(b.lane<From>(j));
    r.setLane<To>(i, static_cast<To>(p));
  }
  return r;
}
template <typename To, typename From> inline V128 extaddPairwise(V128 a) {
  V128 r;
  for (unsigned i = 0; i < kLanes<To>; ++i)
    r.setLane<To>(i, static_cast<To>(static_cast<int32_t>(a.lane<From>(2 * i)) + static_cast<int32_t>(a.lane<From>(2 * i + 1))));
  return r;
}
// Unsigned lane type U; shifts use the count modulo the lane width.
template <typename U> inline V128 shl(V128 a, uint32_t n) {
  unsigned s = n & (sizeof(U) * 8 - 1);
  return map1<U>(a, [s](U x) { return static_cast<U>(static_cast<uint64_t>(x) << s); });
}
template <typename U> inline V128 shrU(V128 a, uint32_t n) {
  unsigned s = n & (sizeof(U) * 8 - 1);
  return map1<U>(a, [s](U x) { return static_cast<U>(x >> s); });
}
template <typename U> inline V128 shrS(V128 a, uint32_t n) {
  using S = std::make_signed_t<U>;
  unsigned s = n & (sizeof(U) * 8 - 1);
  return map1<S>(a, [s](S x) { return static_cast<S>(static_cast<int64_t>(x) >> s); });
}
// Signed lane type S: |x| with wrap-around (abs(MIN) = MIN).
template <typename S> inline V128 iabs(V128 a) {
  using U = std::make_unsigned_t<S>;
  return map1<U>(a, [](U x) { return static_cast<S>(x) < 0 ? static_cast<U>(U(0) - x) : x; });
}
template <typename U> inline V128 ineg(V128 a) {
  return map1<U>(a, [](U x) { return static_cast<U>(U(0) - x); });
}
template <typename F, typename Fn> inline V128 fmap1(V128 a, Fn f) { return map1<F>(a, f); }
template <typename F, typename Fn> inline V128 fmap2(V128 a, V128 b, Fn f) { return map2<F>(a, b, f); }
// f32x4 <- trunc_sat of the two f64 lanes (zero upper lanes), and f32x4 -> i32x4.
template <typename I> inline V128 truncSatF64x2Zero(V128 a) {
  V128 r = V128::zero();
  for (unsigned i = 0; i < 2; ++i) r.setLane<I>(i, truncSat<I>(a.lane<double>(i)));
  return r;
}
template <typename I> inline V128 convertLowI32x4(V128 a) {
  V128 r;
  for (unsigned i = 0; i < 2; ++i) r.setLane<double>(i, static_cast<double>(a.lane<I>(i)));
  return r;
}
// Multiply-add with two roundings; `volatile` keeps the compiler from contracting it into an FMA.
template <typename F> inline F maddUnfused(F a, F b, F c, bool negate) {
  volatile F p = a * b;
  F q = p;
  return (negate ? fNeg(q) : q) + c;
}
inline int16_t q15mulr(int16_t a, int16_t b) {
  int32_t p = (static_cast<int32_t>(a) * static_cast<int32_t>(b) + 0x4000) >> 15;
  return saturate<int16_t>(p);
}

}  // namespace simd_detail

// ---- splat, lanes, shuffles ------------------------------------------------------------------------------------------
inline V128 I8x16Splat(uint32_t x) { return V128::splat<uint8_t>(static_cast<uint8_t>(x)); }
inline V128 I16x8Splat(uint32_t x) { return V128::splat<uint16_t>(static_cast<uint16_t>(x)); }
inline V128 I32x4Splat(uint32_t x) { return V128::splat<uint32_t>(x); }
inline V128 I64x2Splat(uint64_t x) { return V128::splat<uint64_t>(x); }
inline V128 F32x4Splat(float x) { return V128::splat<float>(x); }
inline V128 F64x2Splat(double x) { return V128::splat<double>(x); }

// Lane immediates are validated (< lane count); they are masked anyway so a bad index cannot leave the 16 bytes.
inline uint32_t I8x16ExtractLaneS(V128 a, uint8_t l) { return static_cast<uint32_t>(static_cast<int32_t>(a.lane<int8_t>(l & 15))); }
inline uint32_t I8x16ExtractLaneU(V128 a, uint8_t l) { return a.lane<uint8_t>(l & 15); }
inline uint32_t I16x8ExtractLaneS(V128 a, uint8_t l) { return static_cast<uint32_t>(static_cast<int32_t>(a.lane<int16_t>(l & 7))); }
inline uint32_t I16x8ExtractLaneU(V128 a, uint8_t l) { return a.lane<uint16_t>(l & 7); }
inline uint32_t I32x4ExtractLane(V128 a, uint8_t l) { return a.lane<uint32_t>(l & 3); }
inline uint64_t I64x2ExtractLane(V128 a, uint8_t l) { return a.lane<uint64_t>(l & 1); }
inline float F32x4ExtractLane(V128 a, uint8_t l) { return a.lane<float>(l & 3); }
inline double F64x2ExtractLane(V128 a, uint8_t l) { return a.lane<double>(l & 1); }
inline V128 I8x16ReplaceLane(V128 a, uint32_t x, uint8_t l) { a.setLane<uint8_t>(l & 15, static_cast<uint8_t>(x)); return a; }
inline V128 I16x8ReplaceLane(V128 a, uint32_t x, uint8_t l) { a.setLane<uint16_t>(l & 7, static_cast<uint16_t>(x)); return a; }
inline V128 I32x4ReplaceLane(V128 a, uint32_t x, uint8_t l) { a.setLane<uint32_t>(l & 3, x); return a; }
inline V128 I64x2ReplaceLane(V128 a, uint64_t x, uint8_t l) { a.setLane<uint64_t>(l & 1, x); return a; }
inline V128 F32x4ReplaceLane(V128 a, float x, uint8_t l) { a.setLane<float>(l & 3, x); return a; }
inline V128 F64x2ReplaceLane(V128 a, double x, uint8_t l) { a.setLane<double>(l & 1, x); return a; }

// i8x16.shuffle: lane i = (a ++ b)[lanes[i]]; the validator guarantees lanes[i] < 32.
inline V128 I8x16Shuffle(V128 a, V128 b, V128 lanes) {
  V128 r;
  for (unsigned i = 0; i < 16; ++i) {
    unsigned j = lanes.bytes[i] & 31;
    r.bytes[i] = j < 16 ? a.bytes[j] : b.bytes[j - 16];
  }
  return r;
}
inline V128 I8x16Swizzle(V128 a, V128 s) {
  V128 r;
  for (unsigned i = 0; i < 16; ++i) r.bytes[i] = s.bytes[i] < 16 ? a.bytes[s.bytes[i]] : 0;
  return r;
}

// ---- comparisons -----------------------------------------------------------------------------------------------------
#define MYRT_SIMD_CMP(Name, L, expr) \
  inline V128 Name(V128 a, V128 b) { return simd_detail::cmp<L>(a, b, [](L x, L y) { return expr; }); }
MYRT_SIMD_CMP(I8x16Eq, uint8_t, x == y)
MYRT_SIMD_CMP(I8x16Ne, uint8_t, x != y)
MYRT_SIMD_CMP(I8x16LtS, int8_t, x < y)
MYRT_SIMD_CMP(I8x16LtU, uint8_t, x < y)
MYRT_SIMD_CMP(I8x16GtS, int8_t, x > y)
MYRT_SIMD_CMP(I8x16GtU, uint8_t, x > y)
MYRT_SIMD_CMP(I8x16LeS, int8_t, x <= y)
MYRT_SIMD_CMP(I8x16LeU, uint8_t, x <= y)
MYRT_SIMD_CMP(I8x16GeS, int8_t, x >= y)
MYRT_SIMD_CMP(I8x16GeU, uint8_t, x >= y)
MYRT_SIMD_CMP(I16x8Eq, uint16_t, x == y)
MYRT_SIMD_CMP(I16x8Ne, uint16_t, x != y)
MYRT_SIMD_CMP(I16x8LtS, int16_t, x < y)
MYRT_SIMD_CMP(I16x8LtU, uint16_t, x < y)
MYRT_SIMD_CMP(I16x8GtS, int16_t, x > y)
MYRT_SIMD_CMP(I16x8GtU, uint16_t, x > y)
MYRT_SIMD_CMP(I16x8LeS, int16_t, x <= y)
MYRT_SIMD_CMP(I16x8LeU, uint16_t, x <= y)
MYRT_SIMD_CMP(I16x8GeS, int16_t, x >= y)
MYRT_SIMD_CMP(I16x8GeU, uint16_t, x >= y)
MYRT_SIMD_CMP(I32x4Eq, uint32_t, x == y)
MYRT_SIMD_CMP(I32x4Ne, uint32_t, x != y)
MYRT_SIMD_CMP(I32x4LtS, int32_t, x < y)
MYRT_SIMD_CMP(I32x4LtU, uint32_t, x < y)
MYRT_SIMD_CMP(I32x4GtS, int32_t, x > y)
MYRT_SIMD_CMP(I32x4GtU, uint32_t, x > y)
MYRT_SIMD_CMP(I32x4LeS, int32_t, x <= y)
MYRT_SIMD_CMP(I32x4LeU, uint32_t, x <= y)
MYRT_SIMD_CMP(I32x4GeS, int32_t, x >= y)
MYRT_SIMD_CMP(I32x4GeU, uint32_t, x >= y)
MYRT_SIMD_CMP(I64x2Eq, uint64_t, x == y)
MYRT_SIMD_CMP(I64x2Ne, uint64_t, x != y)
MYRT_SIMD_CMP(I64x2LtS, int64_t, x < y)
MYRT_SIMD_CMP(I64x2GtS, int64_t, x > y)
MYRT_SIMD_CMP(I64x2LeS, int64_t, x <= y)
MYRT_SIMD_CMP(I64x2GeS, int64_t, x >= y)
MYRT_SIMD_CMP(F32x4Eq, float, x == y)
MYRT_SIMD_CMP(F32x4Ne, float, x != y)
MYRT_SIMD_CMP(F32x4Lt, float, x < y)
MYRT_SIMD_CMP(F32x4Gt, float, x > y)
MYRT_SIMD_CMP(F32x4Le, float, x <= y)
MYRT_SIMD_CMP(F32x4Ge, float, x >= y)
MYRT_SIMD_CMP(F64x2Eq, double, x == y)
MYRT_SIMD_CMP(F64x2Ne, double, x != y)
MYRT_SIMD_CMP(F64x2Lt, double, x < y)
MYRT_SIMD_CMP(F64x2Gt, double, x > y)
MYRT_SIMD_CMP(F64x2Le, double, x <= y)
MYRT_SIMD_CMP(F64x2Ge, double, x >= y)
#undef MYRT_SIMD_CMP

// ---- bitwise ---------------------------------------------------------------------------------------------------------
inline V128 V128Not(V128 a) { return V128::fromHalves(~a.lo(), ~a.hi()); }
inline V128 V128And(V128 a, V128 b) { return V128::fromHalves(a.lo() & b.lo(), a.hi() & b.hi()); }
inline V128 V128Andnot(V128 a, V128 b) { return V128::fromHalves(a.lo() & ~b.lo(), a.hi() & ~b.hi()); }
inline V128 V128Or(V128 a, V128 b) { return V128::fromHalves(a.lo() | b.lo(), a.hi() | b.hi()); }
inline V128 V128Xor(V128 a, V128 b) { return V128::fromHalves(a.lo() ^ b.lo(), a.hi() ^ b.hi()); }
// Bits of a where c is 1, bits of b where c is 0.
inline V128 V128Bitselect(V128 a, V128 b, V128 c) {
  return V128::fromHalves((a.lo() & c.lo()) | (b.lo() & ~c.lo()), (a.hi() & c.hi()) | (b.hi() & ~c.hi()));
}
inline uint32_t V128AnyTrue(V128 a) { return (a.lo() | a.hi()) != 0 ? 1u : 0u; }

// ---- integer lane arithmetic -----------------------------------------------------------------------------------------
using simd_detail::map1;
using simd_detail::map2;

inline V128 I8x16Abs(V128 a) { return simd_detail::iabs<int8_t>(a); }
inline V128 I8x16Neg(V128 a) { return simd_detail::ineg<uint8_t>(a); }
inline V128 I8x16Popcnt(V128 a) { return map1<uint8_t>(a, [](uint8_t x) { return std::popcount(x); }); }
inline uint32_t I8x16AllTrue(V128 a) { return simd_detail::allTrue<uint8_t>(a); }
inline uint32_t I8x16Bitmask(V128 a) { return simd_detail::bitmask<uint8_t>(a); }
inline V128 I8x16NarrowI16x8S(V128 a, V128 b) { return simd_detail::narrow<int8_t, int16_t>(a, b); }
inline V128 I8x16NarrowI16x8U(V128 a, V128 b) { return simd_detail::narrow<uint8_t, int16_t>(a, b); }
inline V128 I8x16Shl(V128 a, uint32_t n) { return simd_detail::shl<uint8_t>(a, n); }
inline V128 I8x16ShrS(V128 a, uint32_t n) { return simd_detail::shrS<uint8_t>(a, n); }
inline V128 I8x16ShrU(V128 a, uint32_t n) { return simd_detail::shrU<uint8_t>(a, n); }
inline V128 I8x16Add(V128 a, V128 b) { return map2<uint8_t>(a, b, [](uint8_t x, uint8_t y) { return x + y; }); }
inline V128 I8x16AddSatS(V128 a, V128 b) {
  return map2<int8_t>(a, b, [](int8_t x, int8_t y) { return simd_detail::saturate<int8_t>(int32_t(x) + int32_t(y)); });
}
inline V128 I8x16AddSatU(V128 a, V128 b) {
  return map2<uint8_t>(a, b, [](uint8_t x, uint8_t y) { return simd_detail::saturate<uint8_t>(int32_t(x) + int32_t(y)); });
}
inline V128 I8x16Sub(V128 a, V128 b) { return map2<uint8_t>(a, b, [](uint8_t x, uint8_t y) { return x - y; }); }
inline V128 I8x16SubSatS(V128 a, V128 b) {
  return map2<int8_t>(a, b, [](int8_t x, int8_t y) { return simd_detail::saturate<int8_t>(int32_t(x) - int32_t(y)); });
}
inline V128 I8x16SubSatU(V128 a, V128 b) {
  return map2<uint8_t>(a, b, [](uint8_t x, uint8_t y) { return simd_detail::saturate<uint8_t>(int32_t(x) - int32_t(y)); });
}
inline V128 I8x16MinS(V128 a, V128 b) { return map2<int8_t>(a, b, [](int8_t x, int8_t y) { return x < y ? x : y; }); }
inline V128 I8x16MinU(V128 a, V128 b) { return map2<uint8_t>(a, b, [](uint8_t x, uint8_t y) { return x < y ? x : y; }); }
inline V128 I8x16MaxS(V128 a, V128 b) { return map2<int8_t>(a, b, [](int8_t x, int8_t y) { return x > y ? x : y; }); }
inline V128 I8x16MaxU(V128 a, V128 b) { return map2<uint8_t>(a, b, [](uint8_t x, uint8_t y) { return x > y ? x : y; }); }
inline V128 I8x16AvgrU(V128 a, V128 b) {
  return map2<uint8_t>(a, b, [](uint8_t x, uint8_t y) { return (uint32_t(x) + uint32_t(y) + 1) >> 1; });
}

inline V128 I16x8ExtaddPairwiseI8x16S(V128 a) { return simd_detail::extaddPairwise<int16_t, int8_t>(a); }
inline V128 I16x8ExtaddPairwiseI8x16U(V128 a) { return simd_detail::extaddPairwise<uint16_t, uint8_t>(a); }
inline V128 I32x4ExtaddPairwiseI16x8S(V128 a) { return simd_detail::extaddPairwise<int32_t, int16_t>(a); }
inline V128 I32x4ExtaddPairwiseI16x8U(V128 a) { return simd_detail::extaddPairwise<uint32_t, uint16_t>(a); }

inline V128 I16x8Abs(V128 a) { return simd_detail::iabs<int16_t>(a); }
inline V128 I16x8Neg(V128 a) { return simd_detail::ineg<uint16_t>(a); }
inline V128 I16x8Q15mulrSatS(V128 a, V128 b) { return map2<int16_t>(a, b, simd_detail::q15mulr); }
inline uint32_t I16x8AllTrue(V128 a) { return simd_detail::allTrue<uint16_t>(a); }
inline uint32_t I16x8Bitmask(V128 a) { return simd_detail::bitmask<uint16_t>(a); }
inline V128 I16x8NarrowI32x4S(V128 a, V128 b) { return simd_detail::narrow<int16_t, int32_t>(a, b); }
inline V128 I16x8NarrowI32x4U(V128 a, V128 b) { return simd_detail::narrow<uint16_t, int32_t>(a, b); }
inline V128 I16x8ExtendLowI8x16S(V128 a) { return simd_detail::extend<int16_t, int8_t>(a, false); }
inline V128 I16x8ExtendHighI8x16S(V128 a) { return simd_detail::extend<int16_t, int8_t>(a, true); }
inline V128 I16x8ExtendLowI8x16U(V128 a) { return simd_detail::extend<uint16_t, uint8_t>(a, false); }
inline V128 I16x8ExtendHighI8x16U(V128 a) { return simd_detail::extend<uint16_t, uint8_t>(a, true); }
inline V128 I16x8Shl(V128 a, uint32_t n) { return simd_detail::shl<uint16_t>(a, n); }
inline V128 I16x8ShrS(V128 a, uint32_t n) { return simd_detail::shrS<uint16_t>(a, n); }
inline V128 I16x8ShrU(V128 a, uint32_t n) { return simd_detail::shrU<uint16_t>(a, n); }
inline V128 I16x8Add(V128 a, V128 b) { return map2<uint16_t>(a, b, [](uint16_t x, uint16_t y) { return x + y; }); }
inline V128 I16x8AddSatS(V128 a, V128 b) {
  return map2<int16_t>(a, b, [](int16_t x, int16_t y) { return simd_detail::saturate<int16_t>(int32_t(x) + int32_t(y)); });
}
inline V128 I16x8AddSatU(V128 a, V128 b) {
  return map2<uint16_t>(a, b, [](uint16_t x, uint16_t y) { return simd_detail::saturate<uint16_t>(int32_t(x) + int32_t(y)); });
}
inline V128 I16x8Sub(V128 a, V128 b) { return map2<uint16_t>(a, b, [](uint16_t x, uint16_t y) { return x - y; }); }
inline V128 I16x8SubSatS(V128 a, V128 b) {
  return map2<int16_t>(a, b, [](int16_t x, int16_t y) { return simd_detail::saturate<int16_t>(int32_t(x) - int32_t(y)); });
}
inline V128 I16x8SubSatU(V128 a, V128 b) {
  return map2<uint16_t>(a, b, [](uint16_t x, uint16_t y) { return simd_detail::saturate<uint16_t>(int32_t(x) - int32_t(y)); });
}
inline V128 I16x8Mul(V128 a, V128 b) {
  return map2<uint16_t>(a, b, [](uint16_t x, uint16_t y) { return uint32_t(x) * uint32_t(y); });
}
inline V128 I16x8MinS(V128 a, V128 b) { return map2<int16_t>(a, b, [](int16_t x, int16_t y) { return x < y ? x : y; }); }
inline V128 I16x8MinU(V128 a, V128 b) { return map2<uint16_t>(a, b, [](uint16_t x, uint16_t y) { return x < y ? x : y; }); }
inline V128 I16x8MaxS(V128 a, V128 b) { return map2<int16_t>(a, b, [](int16_t x, int16_t y) { return x > y ? x : y; }); }
inline V128 I16x8MaxU(V128 a, V128 b) { return map2<uint16_t>(a, b, [](uint16_t x, uint16_t y) { return x > y ? x : y; }); }
inline V128 I16x8AvgrU(V128 a, V128 b) {
  return map2<uint16_t>(a, b, [](uint16_t x, uint16_t y) { return (uint32_t(x) + uint32_t(y) + 1) >> 1; });
}
inline V128 I16x8ExtmulLowI8x16S(V128 a, V128 b) { return simd_detail::extmul<int16_t, int8_t, int32_t>(a, b, false); }
inline V128 I16x8ExtmulHighI8x16S(V128 a, V128 b) { return simd_detail::extmul<int16_t, int8_t, int32_t>(a, b, true); }
inline V128 I16x8ExtmulLowI8x16U(V128 a, V128 b) { return simd_detail::extmul<uint16_t, uint8_t, uint32_t>(a, b, false); }
inline V128 I16x8ExtmulHighI8x16U(V128 a, V128 b) { return simd_detail::extmul<uint16_t, uint8_t, uint32_t>(a, b, true); }

inline V128 I32x4Abs(V128 a) { return simd_detail::iabs<int32_t>(a); }
inline V128 I32x4Neg(V128 a) { return simd_detail::ineg<uint32_t>(a); }
inline uint32_t I32x4AllTrue(V128 a) { return simd_detail::allTrue<uint32_t>(a); }
inline uint32_t I32x4Bitmask(V128 a) { return simd_detail::bitmask<uint32_t>(a); }
inline V128 I32x4ExtendLowI16x8S(V128 a) { return simd_detail::extend<int32_t, int16_t>(a, false); }
inline V128 I32x4ExtendHighI16x8S(V128 a) { return simd_detail::extend<int32_t, int16_t>(a, true); }
inline V128 I32x4ExtendLowI16x8U(V128 a) { return simd_detail::extend<uint32_t, uint16_t>(a, false); }
inline V128 I32x4ExtendHighI16x8U(V128 a) { return simd_detail::extend<uint32_t, uint16_t>(a, true); }
inline V128 I32x4Shl(V128 a, uint32_t n) { return simd_detail::shl<uint32_t>(a, n); }
inline V128 I32x4ShrS(V128 a, uint32_t n) { return simd_detail::shrS<uint32_t>(a, n); }
inline V128 I32x4ShrU(V128 a, uint32_t n) { return simd_detail::shrU<uint32_t>(a, n); }
inline V128 I32x4Add(V128 a, V128 b) { return map2<uint32_t>(a, b, [](uint32_t x, uint32_t y) { return x + y; }); }
inline V128 I32x4Sub(V128 a, V128 b) { return map2<uint32_t>(a, b, [](uint32_t x, uint32_t y) { return x - y; }); }
inline V128 I32x4Mul(V128 a, V128 b) { return map2<uint32_t>(a, b, [](uint32_t x, uint32_t y) { return x * y; }); }
inline V128 I32x4MinS(V128 a, V128 b) { return map2<int32_t>(a, b, [](int32_t x, int32_t y) { return x < y ? x : y; }); }
inline V128 I32x4MinU(V128 a, V128 b) { return map2<uint32_t>(a, b, [](uint32_t x, uint32_t y) { return x < y ? x : y; }); }
inline V128 I32x4MaxS(V128 a, V128 b) { return map2<int32_t>(a, b, [](int32_t x, int32_t y) { return x > y ? x : y; }); }
inline V128 I32x4MaxU(V128 a, V128 b) { return map2<uint32_t>(a, b, [](uint32_t x, uint32_t y) { return x > y ? x : y; }); }
// Pairwise sums of signed 16x16 products; only (-32768)^2 * 2 = 2^31 exceeds i32 and wraps.
inline V128 I32x4DotI16x8S(V128 a, V128 b) {
  V128 r;
  for (unsigned i = 0; i < 4; ++i) {
    int64_t s = int64_t(a.lane<int16_t>(2 * i)) * b.lane<int16_t>(2 * i) +
                int64_t(a.lane<int16_t>(2 * i + 1)) * b.lane<int16_t>(2 * i + 1);
    r.setLane<uint32_t>(i, static_cast<uint32_t>(s));
  }
  return r;
}
inline V128 I32x4ExtmulLowI16x8S(V128 a, V128 b) { return simd_detail::extmul<int32_t, int16_t, int64_t>(a, b, false); }
inline V128 I32x4ExtmulHighI16x8S(V128 a, V128 b) { return simd_detail::extmul<int32_t, int16_t, int64_t>(a, b, true); }
inline V128 I32x4ExtmulLowI16x8U(V128 a, V128 b) { return simd_detail::extmul<uint32_t, uint16_t, uint64_t>(a, b, false); }
inline V128 I32x4ExtmulHighI16x8U(V128 a, V128 b) { return simd_detail::extmul<uint32_t, uint16_t, uint64_t>(a, b, true); }

inline V128 I64x2Abs(V128 a) { return simd_detail::iabs<int64_t>(a); }
inline V128 I64x2Neg(V128 a) { return simd_detail::ineg<uint64_t>(a); }
inline uint32_t I64x2AllTrue(V128 a) { return simd_detail::allTrue<uint64_t>(a); }
inline uint32_t I64x2Bitmask(V128 a) { return simd_detail::bitmask<uint64_t>(a); }
inline V128 I64x2ExtendLowI32x4S(V128 a) { return simd_detail::extend<int64_t, int32_t>(a, false); }
inline V128 I64x2ExtendHighI32x4S(V128 a) { return simd_detail::extend<int64_t, int32_t>(a, true); }
inline V128 I64x2ExtendLowI32x4U(V128 a) { return simd_detail::extend<uint64_t, uint32_t>(a, false); }
inline V128 I64x2ExtendHighI32x4U(V128 a) { return simd_detail::extend<uint64_t, uint32_t>(a, true); }
inline V128 I64x2Shl(V128 a, uint32_t n) { return simd_detail::shl<uint64_t>(a, n); }
inline V128 I64x2ShrS(V128 a, uint32_t n) { return simd_detail::shrS<uint64_t>(a, n); }
inline V128 I64x2ShrU(V128 a, uint32_t n) { return simd_detail::shrU<uint64_t>(a, n); }
inline V128 I64x2Add(V128 a, V128 b) { return map2<uint64_t>(a, b, [](uint64_t x, uint64_t y) { return x + y; }); }
inline V128 I64x2Sub(V128 a, V128 b) { return map2<uint64_t>(a, b, [](uint64_t x, uint64_t y) { return x - y; }); }
inline V128 I64x2Mul(V128 a, V128 b) { return map2<uint64_t>(a, b, [](uint64_t x, uint64_t y) { return x * y; }); }
// The i64 product of two i32 is exact; the u64 product of two u32 is exact.
inline V128 I64x2ExtmulLowI32x4S(V128 a, V128 b) { return simd_detail::extmul<int64_t, int32_t, int64_t>(a, b, false); }
inline V128 I64x2ExtmulHighI32x4S(V128 a, V128 b) { return simd_detail::extmul<int64_t, int32_t, int64_t>(a, b, true); }
inline V128 I64x2ExtmulLowI32x4U(V128 a, V128 b) { return simd_detail::extmul<uint64_t, uint32_t, uint64_t>(a, b, false); }
inline V128 I64x2ExtmulHighI32x4U(V128 a, V128 b) { return simd_detail::extmul<uint64_t, uint32_t, uint64_t>(a, b, true); }

// ---- float lanes (scalar semantics of numeric.h) ---------------------------------------------------------------------
#define MYRT_SIMD_F1(Name, F, fn) \
  inline V128 Name(V128 a) { return map1<F>(a, [](F x) { return fn(x); }); }
#define MYRT_SIMD_F2(Name, F, fn) \
  inline V128 Name(V128 a, V128 b) { return map2<F>(a, b, [](F x, F y) { return fn(x, y); }); }
MYRT_SIMD_F1(F32x4Abs, float, F32Abs)
MYRT_SIMD_F1(F32x4Neg, float, F32Neg)
MYRT_SIMD_F1(F32x4Sqrt, float, F32Sqrt)
MYRT_SIMD_F1(F32x4Ceil, float, F32Ceil)
MYRT_SIMD_F1(F32x4Floor, float, F32Floor)
MYRT_SIMD_F1(F32x4Trunc, float, F32Trunc)
MYRT_SIMD_F1(F32x4Nearest, float, F32Nearest)
MYRT_SIMD_F2(F32x4Add, float, F32Add)
MYRT_SIMD_F2(F32x4Sub, float, F32Sub)
MYRT_SIMD_F2(F32x4Mul, float, F32Mul)
MYRT_SIMD_F2(F32x4Div, float, F32Div)
MYRT_SIMD_F2(F32x4Min, float, F32Min)
MYRT_SIMD_F2(F32x4Max, float, F32Max)
MYRT_SIMD_F1(F64x2Abs, double, F64Abs)
MYRT_SIMD_F1(F64x2Neg, double, F64Neg)
MYRT_SIMD_F1(F64x2Sqrt, double, F64Sqrt)
MYRT_SIMD_F1(F64x2Ceil, double, F64Ceil)
MYRT_SIMD_F1(F64x2Floor, double, F64Floor)
MYRT_SIMD_F1(F64x2Trunc, double, F64Trunc)
MYRT_SIMD_F1(F64x2Nearest, double, F64Nearest)
MYRT_SIMD_F2(F64x2Add, double, F64Add)
MYRT_SIMD_F2(F64x2Sub, double, F64Sub)
MYRT_SIMD_F2(F64x2Mul, double, F64Mul)
MYRT_SIMD_F2(F64x2Div, double, F64Div)
MYRT_SIMD_F2(F64x2Min, double, F64Min)
MYRT_SIMD_F2(F64x2Max, double, F64Max)
#undef MYRT_SIMD_F1
#undef MYRT_SIMD_F2
// Pseudo-min/max: exactly `b < a ? b : a` and `a < b ? b : a` (no NaN or zero-sign special cases).
inline V128 F32x4Pmin(V128 a, V128 b) { return map2<float>(a, b, [](float x, float y) { return y < x ? y : x; }); }
inline V128 F32x4Pmax(V128 a, V128 b) { return map2<float>(a, b, [](float x, float y) { return x < y ? y : x; }); }
inline V128 F64x2Pmin(V128 a, V128 b) { return map2<double>(a, b, [](double x, double y) { return y < x ? y : x; }); }
inline V128 F64x2Pmax(V128 a, V128 b) { return map2<double>(a, b, [](double x, double y) { return x < y ? y : x; }); }

// ---- conversions -----------------------------------------------------------------------------------------------------
inline V128 F32x4DemoteF64x2Zero(V128 a) {
  V128 r = V128::zero();
  for (unsigned i = 0; i < 2; ++i) r.setLane<float>(i, F32DemoteF64(a.lane<double>(i)));
  return r;
}
inline V128 F64x2PromoteLowF32x4(V128 a) {
  V128 r;
  for (unsigned i = 0; i < 2; ++i) r.setLane<double>(i, F64PromoteF32(a.lane<float>(i)));
  return r;
}
inline V128 I32x4TruncSatF32x4S(V128 a) { return simd_detail::convert<uint32_t, float>(a, I32TruncSatF32S); }
inline V128 I32x4TruncSatF32x4U(V128 a) { return simd_detail::convert<uint32_t, float>(a, I32TruncSatF32U); }
inline V128 F32x4ConvertI32x4S(V128 a) { return simd_detail::convert<float, uint32_t>(a, F32ConvertI32S); }
inline V128 F32x4ConvertI32x4U(V128 a) { return simd_detail::convert<float, uint32_t>(a, F32ConvertI32U); }
inline V128 I32x4TruncSatF64x2SZero(V128 a) { return simd_detail::truncSatF64x2Zero<int32_t>(a); }
inline V128 I32x4TruncSatF64x2UZero(V128 a) { return simd_detail::truncSatF64x2Zero<uint32_t>(a); }
inline V128 F64x2ConvertLowI32x4S(V128 a) { return simd_detail::convertLowI32x4<int32_t>(a); }
inline V128 F64x2ConvertLowI32x4U(V128 a) { return simd_detail::convertLowI32x4<uint32_t>(a); }

// ---- relaxed SIMD (deterministic choices, see the top of this file) ---------------------------------------------------
inline V128 I8x16RelaxedSwizzle(V128 a, V128 s) { return I8x16Swizzle(a, s); }
inline V128 I32x4RelaxedTruncF32x4S(V128 a) { return I32x4TruncSatF32x4S(a); }
inline V128 I32x4RelaxedTruncF32x4U(V128 a) { return I32x4TruncSatF32x4U(a); }
inline V128 I32x4RelaxedTruncF64x2SZero(V128 a) { return I32x4TruncSatF64x2SZero(a); }
inline V128 I32x4RelaxedTruncF64x2UZero(V128 a) { return I32x4TruncSatF64x2UZero(a); }
inline V128 F32x4RelaxedMadd(V128 a, V128 b, V128 c) {
  V128 r;
  for (unsigned i = 0; i < 4; ++i)
    r.setLane<float>(i, simd_detail::maddUnfused(a.lane<float>(i), b.lane<float>(i), c.lane<float>(i), false));
  return r;
}
inline V128 F32x4RelaxedNmadd(V128 a, V128 b, V128 c) {
  V128 r;
  for (unsigned i = 0; i < 4; ++i)
    r.setLane<float>(i, simd_detail::maddUnfused(a.lane<float>(i), b.lane<float>(i), c.lane<float>(i), true));
  return r;
}
inline V128 F64x2RelaxedMadd(V128 a, V128 b, V128 c) {
  V128 r;
  for (unsigned i = 0; i < 2; ++i)
    r.setLane<double>(i, simd_detail::maddUnfused(a.lane<double>(i), b.lane<double>(i), c.lane<double>(i), false));
  return r;
}
inline V128 F64x2RelaxedNmadd(V128 a, V128 b, V128 c) {
  V128 r;
  for (unsigned i = 0; i < 2; ++i)
    r.setLane<double>(i, simd_detail::maddUnfused(a.lane<double>(i), b.lane<double>(i), c.lane<double>(i), true));
  return r;
}
inline V128 I8x16RelaxedLaneselect(V128 a, V128 b, V128 m) { return V128Bitselect(a, b, m); }
inline V128 I16x8RelaxedLaneselect(V128 a, V128 b, V128 m) { return V128Bitselect(a, b, m); }
inline V128 I32x4RelaxedLaneselect(V128 a, V128 b, V128 m) { return V128Bitselect(a, b, m); }
inline V128 I64x2RelaxedLaneselect(V128 a, V128 b, V128 m) { return V128Bitselect(a, b, m); }
inline V128 F32x4RelaxedMin(V128 a, V128 b) { return F32x4Min(a, b); }
inline V128 F32x4RelaxedMax(V128 a, V128 b) { return F32x4Max(a, b); }
inline V128 F64x2RelaxedMin(V128 a, V128 b) { return F64x2Min(a, b); }
inline V128 F64x2RelaxedMax(V128 a, V128 b) { return F64x2Max(a, b); }
inline V128 I16x8RelaxedQ15mulrS(V128 a, V128 b) { return I16x8Q15mulrSatS(a, b); }
inline V128 I16x8RelaxedDotI8x16I7x16S(V128 a, V128 b) {
  V128 r;
  for (unsigned i = 0; i < 8; ++i) {
    int32_t s = int32_t(a.lane<int8_t>(2 * i)) * b.lane<int8_t>(2 * i) +
                int32_t(a.lane<int8_t>(2 * i + 1)) * b.lane<int8_t>(2 * i + 1);
    r.setLane<int16_t>(i, static_cast<int16_t>(s));
  }
  return r;
}
inline V128 I32x4RelaxedDotI8x16I7x16AddS(V128 a, V128 b, V128 c) {
  V128 r;
  for (unsigned i = 0; i < 4; ++i) {
    int32_t s = 0;  // |sum of four i8*i8 products| <= 4 * 2^14: no overflow
    for (unsigned j = 0; j < 4; ++j) s += int32_t(a.lane<int8_t>(4 * i + j)) * b.lane<int8_t>(4 * i + j);
    r.setLane<uint32_t>(i, static_cast<uint32_t>(s) + c.lane<uint32_t>(i));
  }
  return r;
}

}  // namespace num

// ---- calling by Op ---------------------------------------------------------------------------------------------------
// Every SIMD value op (no memory access, not v128.const), in opcodes.def order.
#define MYRT_NUMERIC_SIMD_OPS(X)                                                                                      \
  X(I8x16Shuffle) X(I8x16Swizzle) X(I8x16Splat) X(I16x8Splat) X(I32x4Splat) X(I64x2Splat) X(F32x4Splat)              \
  X(F64x2Splat) X(I8x16ExtractLaneS) X(I8x16ExtractLaneU) X(I8x16ReplaceLane) X(I16x8ExtractLaneS)                    \
  X(I16x8ExtractLaneU) X(I16x8ReplaceLane) X(I32x4ExtractLane) X(I32x4ReplaceLane) X(I64x2ExtractLane)                \
  X(I64x2ReplaceLane) X(F32x4ExtractLane) X(F32x4ReplaceLane) X(F64x2ExtractLane) X(F64x2ReplaceLane)                 \
  X(I8x16Eq) X(I8x16Ne) X(I8x16LtS) X(I8x16LtU) X(I8x16GtS) X(I8x16GtU) X(I8x16LeS) X(I8x16LeU) X(I8x16GeS)           \
  X(I8x16GeU) X(I16x8Eq) X(I16x8Ne) X(I16x8LtS) X(I16x8LtU) X(I16x8GtS) X(I16x8GtU) X(I16x8LeS) X(I16x8LeU)           \
  X(I16x8GeS) X(I16x8GeU) X(I32x4Eq) X(I32x4Ne) X(I32x4LtS) X(I32x4LtU) X(I32x4GtS) X(I32x4GtU) X(I32x4LeS)           \
  X(I32x4LeU) X(I32x4GeS) X(I32x4GeU) X(F32x4Eq) X(F32x4Ne) X(F32x4Lt) X(F32x4Gt) X(F32x4Le) X(F32x4Ge) X(F64x2Eq)    \
  X(F64x2Ne) X(F64x2Lt) X(F64x2Gt) X(F64x2Le) X(F64x2Ge) X(V128Not) X(V128And) X(V128Andnot) X(V128Or) X(V128Xor)     \
  X(V128Bitselect) X(V128AnyTrue) X(F32x4DemoteF64x2Zero) X(F64x2PromoteLowF32x4) X(I8x16Abs) X(I8x16Neg)             \
  X(I8x16Popcnt) X(I8x16AllTrue) X(I8x16Bitmask) X(I8x16NarrowI16x8S) X(I8x16NarrowI16x8U) X(F32x4Ceil)               \
  X(F32x4Floor) X(F32x4Trunc) X(F32x4Nearest) X(I8x16Shl) X(I8x16ShrS) X(I8x16ShrU) X(I8x16Add) X(I8x16AddSatS)       \
  X(I8x16AddSatU) X(I8x16Sub) X(I8x16SubSatS) X(I8x16SubSatU) X(F64x2Ceil) X(F64x2Floor) X(I8x16MinS) X(I8x16MinU)    \
  X(I8x16MaxS) X(I8x16MaxU) X(F64x2Trunc) X(I8x16AvgrU) X(I16x8ExtaddPairwiseI8x16S) X(I16x8ExtaddPairwiseI8x16U)     \
  X(I32x4ExtaddPairwiseI16x8S) X(I32x4ExtaddPairwiseI16x8U) X(I16x8Abs) X(I16x8Neg) X(I16x8Q15mulrSatS)               \
  X(I16x8AllTrue) X(I16x8Bitmask) X(I16x8NarrowI32x4S) X(I16x8NarrowI32x4U) X(I16x8ExtendLowI8x16S)                   \
  X(I16x8ExtendHighI8x16S) X(I16x8ExtendLowI8x16U) X(I16x8ExtendHighI8x16U) X(I16x8Shl) X(I16x8ShrS) X(I16x8ShrU)     \
  X(I16x8Add) X(I16x8AddSatS) X(I16x8AddSatU) X(I16x8Sub) X(I16x8SubSatS) X(I16x8SubSatU) X(F64x2Nearest)             \
  X(I16x8Mul) X(I16x8MinS) X(I16x8MinU) X(I16x8MaxS) X(I16x8MaxU) X(I16x8AvgrU) X(I16x8ExtmulLowI8x16S)               \
  X(I16x8ExtmulHighI8x16S) X(I16x8ExtmulLowI8x16U) X(I16x8ExtmulHighI8x16U) X(I32x4Abs) X(I32x4Neg) X(I32x4AllTrue)   \
  X(I32x4Bitmask) X(I32x4ExtendLowI16x8S) X(I32x4ExtendHighI16x8S) X(I32x4ExtendLowI16x8U) X(I32x4ExtendHighI16x8U)   \
  X(I32x4Shl) X(I32x4ShrS) X(I32x4ShrU) X(I32x4Add) X(I32x4Sub) X(I32x4Mul) X(I32x4MinS) X(I32x4MinU) X(I32x4MaxS)    \
  X(I32x4MaxU) X(I32x4DotI16x8S) X(I32x4ExtmulLowI16x8S) X(I32x4ExtmulHighI16x8S) X(I32x4ExtmulLowI16x8U)             \
  X(I32x4ExtmulHighI16x8U) X(I64x2Abs) X(I64x2Neg) X(I64x2AllTrue) X(I64x2Bitmask) X(I64x2ExtendLowI32x4S)            \
  X(I64x2ExtendHighI32x4S) X(I64x2ExtendLowI32x4U) X(I64x2ExtendHighI32x4U) X(I64x2Shl) X(I64x2ShrS) X(I64x2ShrU)     \
  X(I64x2Add) X(I64x2Sub) X(I64x2Mul) X(I64x2Eq) X(I64x2Ne) X(I64x2LtS) X(I64x2GtS) X(I64x2LeS) X(I64x2GeS)           \
  X(I64x2ExtmulLowI32x4S) X(I64x2ExtmulHighI32x4S) X(I64x2ExtmulLowI32x4U) X(I64x2ExtmulHighI32x4U) X(F32x4Abs)       \
  X(F32x4Neg) X(F32x4Sqrt) X(F32x4Add) X(F32x4Sub) X(F32x4Mul) X(F32x4Div) X(F32x4Min) X(F32x4Max) X(F32x4Pmin)       \
  X(F32x4Pmax) X(F64x2Abs) X(F64x2Neg) X(F64x2Sqrt) X(F64x2Add) X(F64x2Sub) X(F64x2Mul) X(F64x2Div) X(F64x2Min)       \
  X(F64x2Max) X(F64x2Pmin) X(F64x2Pmax) X(I32x4TruncSatF32x4S) X(I32x4TruncSatF32x4U) X(F32x4ConvertI32x4S)           \
  X(F32x4ConvertI32x4U) X(I32x4TruncSatF64x2SZero) X(I32x4TruncSatF64x2UZero) X(F64x2ConvertLowI32x4S)                \
  X(F64x2ConvertLowI32x4U) X(I8x16RelaxedSwizzle) X(I32x4RelaxedTruncF32x4S) X(I32x4RelaxedTruncF32x4U)               \
  X(I32x4RelaxedTruncF64x2SZero) X(I32x4RelaxedTruncF64x2UZero) X(F32x4RelaxedMadd) X(F32x4RelaxedNmadd)              \
  X(F64x2RelaxedMadd) X(F64x2RelaxedNmadd) X(I8x16RelaxedLaneselect) X(I16x8RelaxedLaneselect)                        \
  X(I32x4RelaxedLaneselect) X(I64x2RelaxedLaneselect) X(F32x4RelaxedMin) X(F32x4RelaxedMax) X(F64x2RelaxedMin)        \
  X(F64x2RelaxedMax) X(I16x8RelaxedQ15mulrS) X(I16x8RelaxedDotI8x16I7x16S) X(I32x4RelaxedDotI8x16I7x16AddS)

MYRT_NUMERIC_SIMD_OPS(MYRT_NUMERIC_BIND)

// ---- by-Op evaluation on untyped operands (constant folding, tests) ----------------------------------------------------
// Operands and the result travel in V128 carriers: i32/f32 in bytes 0..3, i64/f64 in bytes 0..7 (bit patterns), the
// remaining bytes zero in results. `imm` carries the lane index (byte 0) of lane ops and the 16 indices of
// i8x16.shuffle. Ops that are not numeric (see isNumericOp) give TrapReason::Unimplemented. Defined in numeric.cpp
// (one table of per-op thunks, instantiated once).
namespace num_detail {
template <size_t... I> constexpr std::array<bool, sizeof...(I)> makeDefined(std::index_sequence<I...>) {
  return {NumOp<static_cast<Op>(I)>::kDefined...};
}
inline constexpr auto kNumOpDefined = makeDefined(std::make_index_sequence<kNumOps>{});
}  // namespace num_detail

// Whether `op` is a numeric operator with an implementation here (scalar or SIMD).
constexpr bool isNumericOp(Op op) { return num_detail::kNumOpDefined[static_cast<unsigned>(op)]; }

NumResult<V128> evalNumeric(Op op, const V128* args, const V128& imm = V128::zero());

}  // namespace myrt
