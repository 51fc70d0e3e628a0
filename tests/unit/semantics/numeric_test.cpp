// tests/unit/semantics/numeric_test.cpp -- edge cases of the scalar numeric semantics (runtime/semantics/numeric.h), the trap
// list (runtime/exec/trap.h), the by-Op bindings, and a sample of SIMD ops (runtime/semantics/numeric_simd.h).
// Layer: tests (interp).
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "runtime/exec/trap.h"
#include "runtime/semantics/numeric.h"
#include "runtime/semantics/numeric_simd.h"

using namespace myrt;
using namespace myrt::num;

namespace {
constexpr uint32_t b32(float f) { return std::bit_cast<uint32_t>(f); }
constexpr uint64_t b64(double d) { return std::bit_cast<uint64_t>(d); }
constexpr float f32(uint32_t b) { return std::bit_cast<float>(b); }
constexpr double f64(uint64_t b) { return std::bit_cast<double>(b); }
constexpr uint32_t kI32Min = 0x80000000u;
constexpr uint64_t kI64Min = 0x8000000000000000ull;
constexpr float kInfF = std::numeric_limits<float>::infinity();
constexpr double kInf = std::numeric_limits<double>::infinity();
template <typename T> bool traps(const NumResult<T>& r, TrapReason why) { return !r.ok() && r.trap == why; }
}  // namespace

// Compile-time evaluation works for the constexpr operators.
static_assert(I32Add(0xffffffffu, 1) == 0);
static_assert(I32DivS(7, static_cast<uint32_t>(-2)).value == static_cast<uint32_t>(-3));
static_assert(I32DivS(kI32Min, 0xffffffffu).trap == TrapReason::IntegerOverflow);
static_assert(F64Nearest(2.5) == 2.0 && F64Nearest(3.5) == 4.0);
static_assert(kNumOpTraps<Op::I32DivS> && !kNumOpTraps<Op::I32Add>);
static_assert(eval<Op::I64Rotl>(uint64_t{1}, uint64_t{65}) == 2);
static_assert(std::is_same_v<NumOpSig<Op::I32TruncF64S>::Value, uint32_t>);
static_assert(std::is_same_v<NumOpSig<Op::I32TruncF64S>::Param<0>, double>);
static_assert(NumOpSig<Op::I32TruncF64S>::kTraps && NumOpSig<Op::I32TruncF64S>::kArity == 1);
static_assert(std::is_same_v<NumOpSig<Op::I8x16ReplaceLane>::Param<2>, uint8_t>);
static_assert(std::is_same_v<NumOpSig<Op::F64x2ExtractLane>::Value, double>);
static_assert(trapFromMessage("integer divide by zero") == TrapReason::IntegerDivideByZero);

TEST_CASE("trap messages are the spec's texts", "[interp][numeric][trap]") {
  CHECK(std::string(trapMessage(TrapReason::Unreachable)) == "unreachable");
  CHECK(std::string(trapMessage(TrapReason::IntegerDivideByZero)) == "integer divide by zero");
  CHECK(std::string(trapMessage(TrapReason::IntegerOverflow)) == "integer overflow");
  CHECK(std::string(trapMessage(TrapReason::InvalidConversionToInteger)) == "invalid conversion to integer");
  CHECK(std::string(trapMessage(TrapReason::MemoryOutOfBounds)) == "out of bounds memory access");
  CHECK(std::string(trapMessage(TrapReason::IndirectCallTypeMismatch)) == "indirect call type mismatch");
  CHECK(std::string(trapMessage(TrapReason::CallStackExhausted)) == "call stack exhausted");
  CHECK(std::string(trapMessage(TrapReason::NullStructReference)) == "null structure reference");
  CHECK(std::string(trapMessage(TrapReason::None)).empty());
  // every reason has a distinct, non-empty message that maps back to it
  for (unsigned i = 1; i < kNumTrapReasons; ++i) {
    auto r = static_cast<TrapReason>(i);
    INFO(i);
    CHECK(std::strlen(trapMessage(r)) > 0);
    CHECK(trapFromMessage(trapMessage(r)) == r);
  }
}

TEST_CASE("every simply-typed value op has a numeric implementation", "[interp][numeric]") {
  unsigned n = 0;
  for (unsigned i = 0; i < kNumOps; ++i) {
    Op op = static_cast<Op>(i);
    const OpInfo& info = opInfo(op);
    bool memory = info.imm == ImmKind::MemArg || info.imm == ImmKind::MemArgLane;
    bool constant = info.imm == ImmKind::I32 || info.imm == ImmKind::I64 || info.imm == ImmKind::F32 ||
                    info.imm == ImmKind::F64 || info.imm == ImmKind::V128;
    bool expected = !info.sig.isSpecial && info.sig.numResults == 1 && !memory && !constant;
    INFO(opName(op));
    CHECK(isNumericOp(op) == expected);
    n += isNumericOp(op);
  }
  CHECK(n >= 136 + 233);  // 136 scalar + 233 SIMD/relaxed value ops in today's opcodes.def
}

TEST_CASE("i32/i64 division and remainder", "[interp][numeric]") {
  CHECK(traps(I32DivS(1, 0), TrapReason::IntegerDivideByZero));
  CHECK(traps(I32DivU(1, 0), TrapReason::IntegerDivideByZero));
  CHECK(traps(I32RemS(1, 0), TrapReason::IntegerDivideByZero));
  CHECK(traps(I32RemU(1, 0), TrapReason::IntegerDivideByZero));
  CHECK(traps(I32DivS(kI32Min, 0xffffffffu), TrapReason::IntegerOverflow));
  CHECK(I32RemS(kI32Min, 0xffffffffu).value == 0);
  CHECK(I32RemS(kI32Min, 0xffffffffu).ok());
  CHECK(I32DivU(kI32Min, 0xffffffffu).value == 0);
  CHECK(I32RemS(static_cast<uint32_t>(-7), 2).value == static_cast<uint32_t>(-1));  // sign of the dividend
  CHECK(I32RemU(static_cast<uint32_t>(-7), 2).value == 1);
  CHECK(I32DivS(static_cast<uint32_t>(-7), 2).value == static_cast<uint32_t>(-3));  // truncation toward zero
  CHECK(traps(I64DivS(kI64Min, ~0ull), TrapReason::IntegerOverflow));
  CHECK(traps(I64DivU(5, 0), TrapReason::IntegerDivideByZero));
  CHECK(I64RemS(kI64Min, ~0ull).value == 0);
  CHECK(I64DivS(kI64Min, 2).value == 0xc000000000000000ull);
}

TEST_CASE("shifts, rotates and bit counts", "[interp][numeric]") {
  CHECK(I32Shl(1, 32) == 1);
  CHECK(I32Shl(1, 33) == 2);
  CHECK(I32ShrS(kI32Min, 31) == 0xffffffffu);
  CHECK(I32ShrS(kI32Min, 32) == kI32Min);
  CHECK(I32ShrU(kI32Min, 63) == 1);
  CHECK(I32Rotl(0x80000001u, 1) == 3);
  CHECK(I32Rotr(1, 0xffffffffu) == 2);
  CHECK(I64Shl(1, 64) == 1);
  CHECK(I64ShrS(kI64Min, 0xffffffffffffffffull) == ~0ull);
  CHECK(I64Rotl(kI64Min, 1) == 1);
  CHECK(I64Rotr(1, 64 + 1) == kI64Min);
  CHECK(I32Clz(0) == 32);
  CHECK(I32Ctz(0) == 32);
  CHECK(I64Clz(0) == 64);
  CHECK(I64Ctz(kI64Min) == 63);
  CHECK(I32Popcnt(0xffffffffu) == 32);
  CHECK(I64Popcnt(0x8000800080008000ull) == 4);
  CHECK(I32Extend8S(0x80) == 0xffffff80u);
  CHECK(I32Extend16S(0x17fff) == 0x7fffu);
  CHECK(I64Extend32S(0x80000000ull) == 0xffffffff80000000ull);
  CHECK(I64ExtendI32S(0xffffffffu) == ~0ull);
  CHECK(I64ExtendI32U(0xffffffffu) == 0xffffffffull);
  CHECK(I32WrapI64(0x123456789ull) == 0x23456789u);
  CHECK(I32LtS(kI32Min, 0) == 1);
  CHECK(I32LtU(kI32Min, 0) == 0);
  CHECK(I64GeS(0, kI64Min) == 1);
}

TEST_CASE("float min/max, NaN propagation and signed zeros", "[interp][numeric]") {
  CHECK(b32(F32Min(-0.0f, 0.0f)) == 0x80000000u);
  CHECK(b32(F32Min(0.0f, -0.0f)) == 0x80000000u);
  CHECK(b32(F32Max(-0.0f, 0.0f)) == 0);
  CHECK(b32(F32Max(0.0f, -0.0f)) == 0);
  CHECK(b64(F64Min(-0.0, 0.0)) == 0x8000000000000000ull);
  CHECK(b64(F64Max(0.0, -0.0)) == 0);
  float nan = f32(0x7fc00000u);
  float snan = f32(0x7fa00000u);
  CHECK(isCanonicalNaN(F32Min(nan, 1.0f)));
  CHECK(isCanonicalNaN(F32Max(1.0f, nan)));
  CHECK(isArithmeticNaN(F32Min(snan, 1.0f)));  // signalling NaN comes out quiet
  CHECK(isArithmeticNaN(F32Max(-kInfF, snan)));
  CHECK(isArithmeticNaN(F32Add(snan, 1.0f)));
  CHECK(isCanonicalNaN(F32Sub(kInfF, kInfF)));
  CHECK(isCanonicalNaN(F32Sqrt(-1.0f)));
  CHECK(isCanonicalNaN(F64Div(0.0, 0.0)));
  CHECK(F32Min(-kInfF, kInfF) == -kInfF);
  CHECK(F64Max(-kInf, 1.0) == 1.0);
  // comparisons with NaN
  CHECK(F32Eq(nan, nan) == 0);
  CHECK(F32Ne(nan, nan) == 1);
  CHECK(F64Lt(f64(0x7ff8000000000000ull), 1.0) == 0);
  CHECK(F64Ge(1.0, f64(0x7ff8000000000000ull)) == 0);
  CHECK(F32Eq(-0.0f, 0.0f) == 1);
}

TEST_CASE("abs/neg/copysign are bit operations", "[interp][numeric]") {
  CHECK(b32(F32Abs(f32(0xffa00001u))) == 0x7fa00001u);  // sNaN payload survives
  CHECK(b32(F32Neg(f32(0x7fa00001u))) == 0xffa00001u);
  CHECK(b32(F32Neg(0.0f)) == 0x80000000u);
  CHECK(b32(F32Copysign(f32(0x7fa00001u), -1.0f)) == 0xffa00001u);
  CHECK(b64(F64Abs(f64(0xfff0000000000001ull))) == 0x7ff0000000000001ull);
  CHECK(b64(F64Neg(f64(0x7ff4000000000000ull))) == 0xfff4000000000000ull);
  CHECK(b64(F64Copysign(1.0, f64(0xfff8000000000000ull))) == b64(-1.0));
  CHECK(b32(F32ReinterpretI32(0x7fa00001u)) == 0x7fa00001u);
  CHECK(I64ReinterpretF64(F64ReinterpretI64(0xfff4000000000001ull)) == 0xfff4000000000001ull);
}

TEST_CASE("rounding: nearest (ties to even), ceil, floor, trunc", "[interp][numeric]") {
  CHECK(F32Nearest(2.5f) == 2.0f);
  CHECK(F32Nearest(-2.5f) == -2.0f);
  CHECK(F32Nearest(3.5f) == 4.0f);
  CHECK(b32(F32Nearest(0.5f)) == 0);
  CHECK(b32(F32Nearest(-0.5f)) == 0x80000000u);
  CHECK(b32(F32Nearest(-0.0f)) == 0x80000000u);
  CHECK(F32Nearest(8388607.5f) == 8388608.0f);
  CHECK(F32Nearest(-8388609.0f) == -8388609.0f);
  CHECK(F64Nearest(4503599627370495.5) == 4503599627370496.0);
  CHECK(F64Nearest(-1.5) == -2.0);
  CHECK(b64(F64Nearest(-0.25)) == 0x8000000000000000ull);
  CHECK(b32(F32Ceil(-0.5f)) == 0x80000000u);
  CHECK(F32Ceil(0.5f) == 1.0f);
  CHECK(F32Ceil(-1.5f) == -1.0f);
  CHECK(F32Floor(-0.5f) == -1.0f);
  CHECK(b32(F32Floor(0.5f)) == 0);
  CHECK(b64(F64Trunc(-0.9)) == 0x8000000000000000ull);
  CHECK(F64Trunc(-1.9) == -1.0);
  CHECK(F64Ceil(kInf) == kInf);
  CHECK(F64Floor(-kInf) == -kInf);
  CHECK(F64Floor(1e300) == 1e300);
  CHECK(isArithmeticNaN(F32Ceil(f32(0x7fa00000u))));
  CHECK(isArithmeticNaN(F64Nearest(f64(0xfff4000000000000ull))));
  CHECK(isCanonicalNaN(F32Trunc(f32(0x7fc00000u))));
}

TEST_CASE("trapping float->int truncation at the exact boundaries", "[interp][numeric]") {
  CHECK(traps(I32TruncF32S(f32(0x7fc00000u)), TrapReason::InvalidConversionToInteger));
  CHECK(traps(I32TruncF32S(2147483648.0f), TrapReason::IntegerOverflow));
  CHECK(I32TruncF32S(-2147483648.0f).value == kI32Min);
  CHECK(traps(I32TruncF32S(-2147483904.0f), TrapReason::IntegerOverflow));  // next float below INT32_MIN
  CHECK(I32TruncF32S(2147483520.0f).value == 2147483520u);                    // largest float below 2^31
  CHECK(traps(I32TruncF32U(4294967296.0f), TrapReason::IntegerOverflow));
  CHECK(I32TruncF32U(4294967040.0f).value == 4294967040u);
  CHECK(I32TruncF32U(-0.9f).value == 0);
  CHECK(traps(I32TruncF32U(-1.0f), TrapReason::IntegerOverflow));
  CHECK(I32TruncF64S(-2147483648.9).value == kI32Min);
  CHECK(traps(I32TruncF64S(-2147483649.0), TrapReason::IntegerOverflow));
  CHECK(I32TruncF64S(2147483647.9).value == 0x7fffffffu);
  CHECK(traps(I32TruncF64S(2147483648.0), TrapReason::IntegerOverflow));
  CHECK(I32TruncF64U(4294967295.9).value == 0xffffffffu);
  CHECK(traps(I32TruncF64U(4294967296.0), TrapReason::IntegerOverflow));
  CHECK(I32TruncF64U(-0.9999).value == 0);
  CHECK(traps(I64TruncF32S(9223372036854775808.0f), TrapReason::IntegerOverflow));
  CHECK(I64TruncF32S(-9223372036854775808.0f).value == kI64Min);
  CHECK(traps(I64TruncF32U(18446744073709551616.0f), TrapReason::IntegerOverflow));
  CHECK(I64TruncF32U(18446742974197923840.0f).value == 18446742974197923840ull);
  CHECK(traps(I64TruncF64S(9223372036854775808.0), TrapReason::IntegerOverflow));
  CHECK(I64TruncF64S(-9223372036854775808.0).value == kI64Min);
  CHECK(traps(I64TruncF64S(-9223372036854777856.0), TrapReason::IntegerOverflow));
  CHECK(I64TruncF64U(18446744073709549568.0).value == 18446744073709549568ull);
  CHECK(traps(I64TruncF64U(18446744073709551616.0), TrapReason::IntegerOverflow));
  CHECK(traps(I64TruncF64U(kInf), TrapReason::IntegerOverflow));
  CHECK(traps(I64TruncF64S(-kInf), TrapReason::IntegerOverflow));
  CHECK(traps(I64TruncF64U(f64(0xfff8000000000000ull)), TrapReason::InvalidConversionToInteger));
}

TEST_CASE("saturating float->int truncation", "[interp][numeric]") {
  CHECK(I32TruncSatF32S(f32(0x7fc00000u)) == 0);
  CHECK(I32TruncSatF32S(2147483648.0f) == 0x7fffffffu);
  CHECK(I32TruncSatF32S(-kInfF) == kI32Min);
  CHECK(I32TruncSatF32S(-2147483904.0f) == kI32Min);
  CHECK(I32TruncSatF32U(-1.0f) == 0);
  CHECK(I32TruncSatF32U(kInfF) == 0xffffffffu);
  CHECK(I32TruncSatF64S(-2147483648.9) == kI32Min);
  CHECK(I32TruncSatF64S(-2147483649.0) == kI32Min);
  CHECK(I32TruncSatF64U(4294967296.0) == 0xffffffffu);
  CHECK(I64TruncSatF32S(f32(0xff800000u)) == kI64Min);
  CHECK(I64TruncSatF32U(1e30f) == ~0ull);
  CHECK(I64TruncSatF64S(9223372036854775808.0) == 0x7fffffffffffffffull);
  CHECK(I64TruncSatF64U(-0.5) == 0);
  CHECK(I64TruncSatF64U(f64(0x7ff4000000000000ull)) == 0);
}

TEST_CASE("int->float conversions round to nearest even", "[interp][numeric]") {
  CHECK(b32(F32ConvertI64U(0x7fffffffffffffffull)) == b32(9223372036854775808.0f));
  CHECK(b32(F32ConvertI64U(0xffffffffffffffffull)) == b32(18446744073709551616.0f));
  // 2^53 + 1 + 2^(53-24)...: double rounding through f64 would give the wrong answer here
  CHECK(b32(F32ConvertI64U(0x0020000020000001ull)) == 0x5a000001u);
  CHECK(b32(F32ConvertI64S(0x0020000020000001ull)) == 0x5a000001u);
  CHECK(b32(F32ConvertI64S(static_cast<uint64_t>(-0x0020000020000001ll))) == 0xda000001u);
  CHECK(b32(F32ConvertI64U(0x8000008000000001ull)) == 0x5f000001u);
  CHECK(b32(F32ConvertI32S(0x7fffffffu)) == b32(2147483648.0f));
  CHECK(b32(F32ConvertI32U(0xffffffffu)) == b32(4294967296.0f));
  CHECK(b32(F32ConvertI32S(16777217)) == b32(16777216.0f));  // tie -> even
  CHECK(b32(F32ConvertI32S(16777219)) == b32(16777220.0f));  // tie -> even (up)
  CHECK(b64(F64ConvertI64U(0xffffffffffffffffull)) == b64(18446744073709551616.0));
  CHECK(b64(F64ConvertI64S(0x7ffffffffffffdffll)) == b64(9223372036854774784.0));
  CHECK(b64(F64ConvertI64U(0x8000000000000401ull)) == 0x43e0000000000001ull);
  CHECK(F64ConvertI32U(0xffffffffu) == 4294967295.0);
  CHECK(F64ConvertI32S(kI32Min) == -2147483648.0);
}

TEST_CASE("demote and promote", "[interp][numeric]") {
  CHECK(F32DemoteF64(1e300) == kInfF);
  CHECK(F32DemoteF64(-1e300) == -kInfF);
  CHECK(b32(F32DemoteF64(0x1.fffffefffffffp+127)) == 0x7f7fffffu);  // just below the overflow threshold
  CHECK(b32(F32DemoteF64(1e-50)) == 0);
  CHECK(b32(F32DemoteF64(-1e-50)) == 0x80000000u);
  CHECK(isCanonicalNaN(F32DemoteF64(f64(0x7ff8000000000000ull))));
  CHECK(isArithmeticNaN(F32DemoteF64(f64(0x7ff4000000000000ull))));
  CHECK(isCanonicalNaN(F64PromoteF32(f32(0xffc00000u))));
  CHECK(isArithmeticNaN(F64PromoteF32(f32(0x7fa00000u))));
  CHECK(F64PromoteF32(f32(1)) == 0x1p-149);
}

TEST_CASE("by-Op evaluation", "[interp][numeric]") {
  V128 args[3] = {V128::zero(), V128::zero(), V128::zero()};
  args[0].setLane<uint32_t>(0, 7);
  args[1].setLane<uint32_t>(0, 0);
  auto r = evalNumeric(Op::I32DivU, args);
  CHECK(r.trap == TrapReason::IntegerDivideByZero);
  args[1].setLane<uint32_t>(0, 2);
  r = evalNumeric(Op::I32DivU, args);
  REQUIRE(r.ok());
  CHECK(r.value.lane<uint32_t>(0) == 3);
  CHECK(r.value.lane<uint32_t>(1) == 0);
  args[0].setLane<double>(0, -2.5);
  r = evalNumeric(Op::F64Nearest, args);
  CHECK(r.value.lane<double>(0) == -2.0);
  CHECK(evalNumeric(Op::Call, args).trap == TrapReason::Unimplemented);
  // lane immediate
  V128 v = V128::fromHalves(0x0706050403020100ull, 0x8f0e0d0c0b0a0908ull);
  V128 imm = V128::zero();
  imm.bytes[0] = 15;
  r = evalNumeric(Op::I8x16ExtractLaneS, &v, imm);
  CHECK(r.value.lane<uint32_t>(0) == 0xffffff8fu);
  // i32.const-free interpreter-style use
  CHECK(eval<Op::F32Min>(-0.0f, 0.0f) == -0.0f);
  CHECK(eval<Op::I32DivS>(uint32_t{1}, uint32_t{0}).trap == TrapReason::IntegerDivideByZero);
}

TEST_CASE("SIMD sample", "[interp][numeric][simd]") {
  V128 a = V128::splat<int8_t>(-128);
  V128 b = V128::splat<int8_t>(-1);
  CHECK(I8x16AddSatS(a, b).lane<int8_t>(3) == -128);
  CHECK(I8x16SubSatU(V128::splat<uint8_t>(3), V128::splat<uint8_t>(5)).lane<uint8_t>(0) == 0);
  CHECK(I8x16Abs(a).lane<uint8_t>(0) == 0x80);
  CHECK(I8x16Neg(a).lane<uint8_t>(0) == 0x80);
  CHECK(I8x16AvgrU(V128::splat<uint8_t>(255), V128::splat<uint8_t>(254)).lane<uint8_t>(7) == 255);
  CHECK(I8x16Popcnt(V128::splat<uint8_t>(0xf1)).lane<uint8_t>(9) == 5);
  CHECK(I8x16Bitmask(V128::fromHalves(0x80, 0x8000000000000000ull)) == 0x8001u);
  CHECK(I8x16AllTrue(V128::splat<uint8_t>(1)) == 1);
  CHECK(I16x8AllTrue(V128::fromHalves(0x0001000100010001ull, 0x0001000100010000ull)) == 0);
  CHECK(I8x16Shl(V128::splat<uint8_t>(1), 9).lane<uint8_t>(0) == 2);   // count mod 8
  CHECK(I16x8ShrS(V128::splat<int16_t>(-4), 17).lane<int16_t>(2) == -2);
  CHECK(I64x2ShrU(V128::splat<uint64_t>(~0ull), 64 + 63).lane<uint64_t>(1) == 1);
  CHECK(I16x8Q15mulrSatS(V128::splat<int16_t>(-32768), V128::splat<int16_t>(-32768)).lane<int16_t>(0) == 32767);
  CHECK(I16x8Q15mulrSatS(V128::splat<int16_t>(16384), V128::splat<int16_t>(16384)).lane<int16_t>(0) == 8192);
  CHECK(I32x4DotI16x8S(V128::splat<int16_t>(-32768), V128::splat<int16_t>(-32768)).lane<uint32_t>(0) == 0x80000000u);
  CHECK(I8x16NarrowI16x8U(V128::splat<int16_t>(-5), V128::splat<int16_t>(300)).lane<uint8_t>(0) == 0);
  CHECK(I8x16NarrowI16x8U(V128::splat<int16_t>(-5), V128::splat<int16_t>(300)).lane<uint8_t>(8) == 255);
  CHECK(I16x8NarrowI32x4S(V128::splat<int32_t>(-40000), V128::zero()).lane<int16_t>(0) == -32768);
  CHECK(I32x4ExtmulHighI16x8U(V128::splat<uint16_t>(65535), V128::splat<uint16_t>(65535)).lane<uint32_t>(0) ==
        0xfffe0001u);
  CHECK(I64x2ExtmulLowI32x4S(V128::splat<int32_t>(INT32_MIN), V128::splat<int32_t>(INT32_MIN)).lane<uint64_t>(0) ==
        0x4000000000000000ull);
  CHECK(I16x8ExtaddPairwiseI8x16U(V128::splat<uint8_t>(255)).lane<uint16_t>(0) == 510);
  CHECK(I32x4ExtendHighI16x8S(V128::fromHalves(0, 0xffff000000000000ull)).lane<int32_t>(3) == -1);
  V128 f = V128::zero();
  f.setLane<float>(0, -0.0f);
  f.setLane<float>(1, 0.0f);
  V128 g = V128::zero();
  g.setLane<float>(0, 0.0f);
  g.setLane<float>(1, std::bit_cast<float>(0x7fc00000u));
  CHECK(b32(F32x4Pmin(f, g).lane<float>(0)) == 0x80000000u);  // pmin(-0, +0) = first operand
  CHECK(b32(F32x4Pmin(f, g).lane<float>(1)) == 0);            // pmin(x, NaN) = x
  CHECK(b32(F32x4Min(f, g).lane<float>(0)) == 0x80000000u);
  CHECK(isCanonicalNaN(F32x4Min(f, g).lane<float>(1)));
  CHECK(I32x4TruncSatF32x4S(F32x4Splat(3e9f)).lane<int32_t>(2) == INT32_MAX);
  CHECK(I32x4TruncSatF64x2UZero(F64x2Splat(-1.0)).lane<uint64_t>(0) == 0);
  CHECK(I32x4TruncSatF64x2UZero(F64x2Splat(5e9)).lane<uint32_t>(1) == 0xffffffffu);
  CHECK(I32x4TruncSatF64x2UZero(F64x2Splat(5e9)).lane<uint64_t>(1) == 0);
  CHECK(F32x4ConvertI32x4U(I32x4Splat(0xffffffffu)).lane<float>(3) == 4294967296.0f);
  CHECK(F64x2ConvertLowI32x4S(I32x4Splat(0x80000000u)).lane<double>(1) == -2147483648.0);
  V128 lanes = V128::zero();
  for (uint8_t i = 0; i < 16; ++i) lanes.bytes[i] = static_cast<uint8_t>(31 - i);
  V128 x = V128::fromHalves(0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull);
  V128 y = V128::fromHalves(0x1716151413121110ull, 0x1f1e1d1c1b1a1918ull);
  CHECK(I8x16Shuffle(x, y, lanes).bytes[0] == 0x1f);
  CHECK(I8x16Shuffle(x, y, lanes).bytes[15] == 0x10);
  V128 idx = V128::fromHalves(0x00000000000010ffull, 0x0000000000000f01ull);
  CHECK(I8x16Swizzle(x, idx).bytes[0] == 0);   // 255 out of range
  CHECK(I8x16Swizzle(x, idx).bytes[1] == 0);   // 16 out of range
  CHECK(I8x16Swizzle(x, idx).bytes[8] == 1);
  CHECK(I8x16Swizzle(x, idx).bytes[9] == 15);
  CHECK(V128Bitselect(x, y, V128::fromHalves(~0ull, 0)) == V128::fromHalves(x.lo(), y.hi()));
  CHECK(V128AnyTrue(V128::fromHalves(0, 1)) == 1);
  CHECK(I64x2ExtractLane(I64x2ReplaceLane(x, 42, 1), 1) == 42);
  CHECK(F64x2ExtractLane(F64x2PromoteLowF32x4(F32x4Splat(1.5f)), 1) == 1.5);
  // relaxed: documented deterministic choices
  CHECK(I8x16RelaxedSwizzle(x, idx) == I8x16Swizzle(x, idx));
  CHECK(I32x4RelaxedTruncF32x4S(F32x4Splat(std::bit_cast<float>(0x7fc00000u))).lane<uint32_t>(0) == 0);
  CHECK(I16x8RelaxedDotI8x16I7x16S(V128::splat<int8_t>(-128), V128::splat<int8_t>(-127)).lane<int16_t>(0) == 32512);
  V128 m = F32x4RelaxedMadd(F32x4Splat(0x1.000002p+0f), F32x4Splat(0x1.000002p+0f), F32x4Splat(-0x1.000004p+0f));
  CHECK(m.lane<float>(0) == 0.0f);  // unfused: the 2^-46 term of the exact product is rounded away
}
