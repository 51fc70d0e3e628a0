// jit/x64/simd.cpp -- WebAssembly SIMD instruction selection for x86-64 (see simd.h). Every sequence is written once in
// terms of SSE instruction ids; on AVX machines e()/v()/vi()/si() emit the VEX form of the same instruction (the
// three-operand form saves the copies SSE's destructive forms need). Semantics are exactly the spec's (and
// semantics/numeric_simd.h's): NaN lanes of min/max are canonical NaNs, saturating conversions clamp and map NaN to 0,
// shift counts are masked, out-of-range swizzle indices give 0.
// Layer: jit/x64.
#include "jit/x64/simd.h"

#include "jit/common/baseline_masm.h"

#include <array>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <string>

namespace myrt::jit::x64 {

using namespace asmjit;
namespace a = asmjit::x86;
using I = a::Inst::Id;

const SimdFeatures& simdFeatures() {
  static const SimdFeatures f = [] {
    const CpuInfo& ci = CpuInfo::host();
    SimdFeatures r;
    const char* no = std::getenv("MYRT_JIT_NO_AVX");
    const bool noAvx = no && *no && std::string(no) != "0";
    r.avx = !noAvx && ci.hasFeature(CpuFeatures::X86::kAVX);
    r.avx2 = r.avx && ci.hasFeature(CpuFeatures::X86::kAVX2);
    r.sse42 = ci.hasFeature(CpuFeatures::X86::kSSE4_2);
    return r;
  }();
  return f;
}

std::string hostSimdSummary() {
  const CpuInfo& ci = CpuInfo::host();
  const char* no = std::getenv("MYRT_JIT_NO_AVX");
  const bool avxOff = no && *no && std::string(no) != "0";
  std::string s = "sse4.1";
  if (!ci.hasFeature(CpuFeatures::X86::kSSE4_1)) s += " (missing on this CPU: no JIT)";
  if (ci.hasFeature(CpuFeatures::X86::kAVX)) s += avxOff ? ", avx (off: MYRT_JIT_NO_AVX=1)" : ", avx";
  if (ci.hasFeature(CpuFeatures::X86::kAVX2) && !avxOff) s += ", avx2";
  return s;
}

namespace {

const a::Xmm t0 = a::xmm14, t1 = a::xmm15;

// The VEX instruction of an SSE instruction ("paddb" -> "vpaddb"), built once from asmjit's instruction names.
InstId vexOf(InstId sse) {
  static const std::array<uint16_t, a::Inst::_kIdCount> table = [] {
    std::array<uint16_t, a::Inst::_kIdCount> t{};
    for (uint32_t id = 0; id < a::Inst::_kIdCount; ++id) {
      t[id] = static_cast<uint16_t>(id);
      String name;
      if (InstAPI::instIdToString(Arch::kX64, id, name) != kErrorOk) continue;
      char v[64];
      if (name.size() + 2 > sizeof v) continue;
      v[0] = 'v';
      std::memcpy(v + 1, name.data(), name.size());
      const InstId vid = InstAPI::stringToInstId(Arch::kX64, v, name.size() + 1);
      if (vid != a::Inst::kIdNone) t[id] = static_cast<uint16_t>(vid);
    }
    return t;
  }();
  return table[sse];
}

}  // namespace

SimdEmitter::SimdEmitter(MacroAssembler& a, ConstantFn constant)
    : a_(a), constant_(std::move(constant)), f_(simdFeatures()) {}

// ---- encoding helpers ----
template <typename... Ops>
void SimdEmitter::e(Id sse, const Ops&... ops) {
  a_.emit(f_.avx ? vexOf(sse) : sse, ops...);
}
// d = a OP b. SSE: d must be a, or distinct from b (then a is copied to d first).
void SimdEmitter::v(Id sse, a::Xmm d, a::Xmm a, const Operand& b) {
  if (f_.avx) {
    a_.emit(vexOf(sse), d, a, b);
    return;
  }
  mov(d, a);
  a_.emit(sse, d, b);
}
void SimdEmitter::vi(Id sse, a::Xmm d, a::Xmm a, const Operand& b, uint32_t imm) {
  if (f_.avx) {
    a_.emit(vexOf(sse), d, a, b, Imm(imm));
    return;
  }
  mov(d, a);
  a_.emit(sse, d, b, Imm(imm));
}
// Shifts by an immediate: SSE `op d, imm`, VEX `op d, a, imm`.
void SimdEmitter::si(Id sse, a::Xmm d, a::Xmm a, uint32_t imm) {
  if (f_.avx) {
    a_.emit(vexOf(sse), d, a, Imm(imm));
    return;
  }
  mov(d, a);
  a_.emit(sse, d, Imm(imm));
}
void SimdEmitter::mov(a::Xmm d, a::Xmm s) {
  if (d != s) e(I::kIdMovaps, d, s);
}
void SimdEmitter::zero(a::Xmm d) { v(I::kIdPxor, d, d, d); }
void SimdEmitter::ones(a::Xmm d) { v(I::kIdPcmpeqd, d, d, d); }
void SimdEmitter::not_(a::Xmm d) {
  ones(t1);
  v(I::kIdPxor, d, d, t1);
}
// d = all-ones in the 64-bit lanes of s that are negative.
void SimdEmitter::signMask64(a::Xmm d, a::Xmm s) {
  e(I::kIdPshufd, d, s, Imm(0xF5));  // high dwords to both halves
  si(I::kIdPsrad, d, d, 31);
}

// ---- constants ----
a::Mem SimdEmitter::k128(const void* bytes) { return a::xmmword_ptr(constant_(bytes)); }
a::Mem SimdEmitter::k8(uint8_t b) {
  uint8_t v[16];
  std::memset(v, b, 16);
  return k128(v);
}
a::Mem SimdEmitter::k16(uint16_t w) {
  uint16_t v[8];
  for (auto& x : v) x = w;
  return k128(v);
}
a::Mem SimdEmitter::k32(uint32_t d) {
  uint32_t v[4];
  for (auto& x : v) x = d;
  return k128(v);
}
a::Mem SimdEmitter::k64(uint64_t q) {
  const uint64_t v[2] = {q, q};
  return k128(v);
}
void SimdEmitter::constant(a::Xmm dst, const uint8_t* bytes) {
  bool allZero = true, allOnes = true;
  for (int i = 0; i < 16; ++i) {
    allZero &= bytes[i] == 0;
    allOnes &= bytes[i] == 0xff;
  }
  if (allZero) return zero(dst);
  if (allOnes) return ones(dst);
  e(I::kIdMovups, dst, k128(bytes));
}

bool SimdEmitter::inlined(Op op) const {
  switch (op) {
    case Op::I64x2GtS: case Op::I64x2LtS: case Op::I64x2GeS: case Op::I64x2LeS: return f_.sse42;
    case Op::I16x8RelaxedDotI8x16I7x16S: case Op::I32x4RelaxedDotI8x16I7x16AddS: return false;
    default: return true;
  }
}

// ---- v128 -> v128 ----
a::Xmm SimdEmitter::vector(Op op, a::Xmm x, a::Xmm y, a::Xmm z, const uint8_t* mask) {
  Id id = I::kIdNone;
  switch (op) {
    // plain lane-wise binary ops: x = x OP y
    case Op::I8x16Add: id = I::kIdPaddb; break;
    case Op::I16x8Add: id = I::kIdPaddw; break;
    case Op::I32x4Add: id = I::kIdPaddd; break;
    case Op::I64x2Add: id = I::kIdPaddq; break;
    case Op::I8x16Sub: id = I::kIdPsubb; break;
    case Op::I16x8Sub: id = I::kIdPsubw; break;
    case Op::I32x4Sub: id = I::kIdPsubd; break;
    case Op::I64x2Sub: id = I::kIdPsubq; break;
    case Op::I8x16AddSatS: id = I::kIdPaddsb; break;
    case Op::I8x16AddSatU: id = I::kIdPaddusb; break;
    case Op::I16x8AddSatS: id = I::kIdPaddsw; break;
    case Op::I16x8AddSatU: id = I::kIdPaddusw; break;
    case Op::I8x16SubSatS: id = I::kIdPsubsb; break;
    case Op::I8x16SubSatU: id = I::kIdPsubusb; break;
    case Op::I16x8SubSatS: id = I::kIdPsubsw; break;
    case Op::I16x8SubSatU: id = I::kIdPsubusw; break;
    case Op::I16x8Mul: id = I::kIdPmullw; break;
    case Op::I32x4Mul: id = I::kIdPmulld; break;
    case Op::I8x16MinS: id = I::kIdPminsb; break;
    case Op::I8x16MinU: id = I::kIdPminub; break;
    case Op::I8x16MaxS: id = I::kIdPmaxsb; break;
    case Op::I8x16MaxU: id = I::kIdPmaxub; break;
    case Op::I16x8MinS: id = I::kIdPminsw; break;
    case Op::I16x8MinU: id = I::kIdPminuw; break;
    case Op::I16x8MaxS: id = I::kIdPmaxsw; break;
    case Op::I16x8MaxU: id = I::kIdPmaxuw; break;
    case Op::I32x4MinS: id = I::kIdPminsd; break;
    case Op::I32x4MinU: id = I::kIdPminud; break;
    case Op::I32x4MaxS: id = I::kIdPmaxsd; break;
    case Op::I32x4MaxU: id = I::kIdPmaxud; break;
    case Op::I8x16AvgrU: id = I::kIdPavgb; break;
    case Op::I16x8AvgrU: id = I::kIdPavgw; break;
    case Op::V128And: id = I::kIdPand; break;
    case Op::V128Or: id = I::kIdPor; break;
    case Op::V128Xor: id = I::kIdPxor; break;
    case Op::I32x4DotI16x8S: id = I::kIdPmaddwd; break;
    case Op::I8x16NarrowI16x8S: id = I::kIdPacksswb; break;
    case Op::I8x16NarrowI16x8U: id = I::kIdPackuswb; break;
    case Op::I16x8NarrowI32x4S: id = I::kIdPackssdw; break;
    case Op::I16x8NarrowI32x4U: id = I::kIdPackusdw; break;
    case Op::F32x4Add: id = I::kIdAddps; break;
    case Op::F32x4Sub: id = I::kIdSubps; break;
    case Op::F32x4Mul: id = I::kIdMulps; break;
    case Op::F32x4Div: id = I::kIdDivps; break;
    case Op::F64x2Add: id = I::kIdAddpd; break;
    case Op::F64x2Sub: id = I::kIdSubpd; break;
    case Op::F64x2Mul: id = I::kIdMulpd; break;
    case Op::F64x2Div: id = I::kIdDivpd; break;
    default: break;
  }
  if (id != I::kIdNone) {
    v(id, x, x, y);
    return x;
  }
  switch (op) {
    case Op::V128Not: not_(x); return x;
    case Op::V128Andnot: {  // x & ~y; pandn d, s = ~d & s
      const a::Xmm r = rev(x, y);
      v(I::kIdPandn, r, y, x);
      return r;
    }
    case Op::V128Bitselect: case Op::I8x16RelaxedLaneselect: case Op::I16x8RelaxedLaneselect:
    case Op::I32x4RelaxedLaneselect: case Op::I64x2RelaxedLaneselect:  // ((x ^ y) & z) ^ y
      v(I::kIdPxor, x, x, y);
      v(I::kIdPand, x, x, z);
      v(I::kIdPxor, x, x, y);
      return x;
    case Op::I64x2Mul: {  // lo(x)*lo(y) + ((hi(x)*lo(y) + lo(x)*hi(y)) << 32)
      si(I::kIdPsrlq, t0, x, 32);
      v(I::kIdPmuludq, t0, t0, y);
      si(I::kIdPsrlq, t1, y, 32);
      v(I::kIdPmuludq, t1, t1, x);
      v(I::kIdPaddq, t0, t0, t1);
      si(I::kIdPsllq, t0, t0, 32);
      v(I::kIdPmuludq, x, x, y);
      v(I::kIdPaddq, x, x, t0);
      return x;
    }
    case Op::I8x16Abs: e(I::kIdPabsb, x, x); return x;
    case Op::I16x8Abs: e(I::kIdPabsw, x, x); return x;
    case Op::I32x4Abs: e(I::kIdPabsd, x, x); return x;
    case Op::I64x2Abs:  // (x ^ s) - s with s = sign mask
      signMask64(t0, x);
      v(I::kIdPxor, x, x, t0);
      v(I::kIdPsubq, x, x, t0);
      return x;
    case Op::I8x16Neg: case Op::I16x8Neg: case Op::I32x4Neg: case Op::I64x2Neg: {
      const Id sub = op == Op::I8x16Neg ? I::kIdPsubb : op == Op::I16x8Neg ? I::kIdPsubw
                     : op == Op::I32x4Neg ? I::kIdPsubd : I::kIdPsubq;
      zero(t0);
      if (f_.avx) {
        v(sub, x, t0, x);
      } else {
        a_.emit(sub, t0, x);
        mov(x, t0);
      }
      return x;
    }
    case Op::I8x16Popcnt: {  // nibble table lookups
      static const uint8_t kNibbleCounts[16] = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4};
      const a::Mem low = k8(0x0f), table = k128(kNibbleCounts);
      si(I::kIdPsrlw, t1, x, 4);
      v(I::kIdPand, t1, t1, low);
      v(I::kIdPand, x, x, low);
      e(I::kIdMovups, t0, table);
      v(I::kIdPshufb, t0, t0, x);
      e(I::kIdMovups, x, table);
      v(I::kIdPshufb, x, x, t1);
      v(I::kIdPaddb, x, x, t0);
      return x;
    }
    case Op::I8x16Swizzle: case Op::I8x16RelaxedSwizzle:  // indices >= 16 saturate to >= 0x80: pshufb gives 0
      v(I::kIdPaddusb, t0, y, k8(0x70));
      v(I::kIdPshufb, x, x, t0);
      return x;
    case Op::I8x16Shuffle: {
      uint8_t mx[16], my[16];
      bool useX = false, useY = false;
      for (int i = 0; i < 16; ++i) {
        const uint8_t l = mask[i] & 31;
        mx[i] = l < 16 ? l : 0x80;
        my[i] = l >= 16 ? uint8_t(l - 16) : 0x80;
        useX |= l < 16;
        useY |= l >= 16;
      }
      if (!useY) {
        v(I::kIdPshufb, x, x, k128(mx));
        return x;
      }
      if (!useX) {
        const a::Xmm r = rev(x, y);
        v(I::kIdPshufb, r, y, k128(my));
        return r;
      }
      v(I::kIdPshufb, x, x, k128(mx));
      v(I::kIdPshufb, y, y, k128(my));
      v(I::kIdPor, x, x, y);
      return x;
    }
    case Op::I16x8Q15mulrSatS: case Op::I16x8RelaxedQ15mulrS:  // pmulhrsw, then 0x8000 (only from -1 * -1) -> 0x7fff
      v(I::kIdPmulhrsw, x, x, y);
      v(I::kIdPcmpeqw, t0, x, k16(0x8000));
      v(I::kIdPxor, x, x, t0);
      return x;
    case Op::I16x8ExtaddPairwiseI8x16S: {  // pmaddubsw: unsigned first operand (the ones) times signed bytes
      e(I::kIdMovups, t0, k8(1));
      v(I::kIdPmaddubsw, t0, t0, x);
      mov(x, t0);
      return x;
    }
    case Op::I16x8ExtaddPairwiseI8x16U: v(I::kIdPmaddubsw, x, x, k8(1)); return x;
    case Op::I32x4ExtaddPairwiseI16x8S: v(I::kIdPmaddwd, x, x, k16(1)); return x;
    case Op::I32x4ExtaddPairwiseI16x8U:  // bias to signed, add pairs, remove the bias (2 * 0x8000)
      v(I::kIdPxor, x, x, k16(0x8000));
      v(I::kIdPmaddwd, x, x, k16(1));
      v(I::kIdPaddd, x, x, k32(0x10000));
      return x;
    case Op::F32x4Abs: v(I::kIdAndps, x, x, k32(0x7fffffffu)); return x;
    case Op::F32x4Neg: v(I::kIdXorps, x, x, k32(0x80000000u)); return x;
    case Op::F64x2Abs: v(I::kIdAndpd, x, x, k64(0x7fffffffffffffffull)); return x;
    case Op::F64x2Neg: v(I::kIdXorpd, x, x, k64(0x8000000000000000ull)); return x;
    case Op::F32x4Sqrt: e(I::kIdSqrtps, x, x); return x;
    case Op::F64x2Sqrt: e(I::kIdSqrtpd, x, x); return x;
    case Op::F32x4Nearest: e(I::kIdRoundps, x, x, Imm(0 | 8)); return x;
    case Op::F32x4Floor: e(I::kIdRoundps, x, x, Imm(1 | 8)); return x;
    case Op::F32x4Ceil: e(I::kIdRoundps, x, x, Imm(2 | 8)); return x;
    case Op::F32x4Trunc: e(I::kIdRoundps, x, x, Imm(3 | 8)); return x;
    case Op::F64x2Nearest: e(I::kIdRoundpd, x, x, Imm(0 | 8)); return x;
    case Op::F64x2Floor: e(I::kIdRoundpd, x, x, Imm(1 | 8)); return x;
    case Op::F64x2Ceil: e(I::kIdRoundpd, x, x, Imm(2 | 8)); return x;
    case Op::F64x2Trunc: e(I::kIdRoundpd, x, x, Imm(3 | 8)); return x;
    case Op::F32x4Min: case Op::F32x4Max: case Op::F64x2Min: case Op::F64x2Max: case Op::F32x4RelaxedMin:
    case Op::F32x4RelaxedMax: case Op::F64x2RelaxedMin: case Op::F64x2RelaxedMax:
      return minMax(op, x, y);
    case Op::F32x4Pmin: case Op::F32x4Pmax: case Op::F64x2Pmin: case Op::F64x2Pmax: {
      // pmin(x, y) = y < x ? y : x = minps(y, x) (minps returns its second operand unless the first is smaller)
      const Id id2 = op == Op::F32x4Pmin ? I::kIdMinps : op == Op::F32x4Pmax ? I::kIdMaxps
                     : op == Op::F64x2Pmin ? I::kIdMinpd : I::kIdMaxpd;
      const a::Xmm r = rev(x, y);
      v(id2, r, y, x);
      return r;
    }
    case Op::F32x4RelaxedMadd: case Op::F64x2RelaxedMadd: {  // unfused: round(x*y) + z
      const bool d = op == Op::F64x2RelaxedMadd;
      v(d ? I::kIdMulpd : I::kIdMulps, x, x, y);
      v(d ? I::kIdAddpd : I::kIdAddps, x, x, z);
      return x;
    }
    case Op::F32x4RelaxedNmadd: case Op::F64x2RelaxedNmadd: {  // z - round(x*y)
      const bool d = op == Op::F64x2RelaxedNmadd;
      v(d ? I::kIdMulpd : I::kIdMulps, x, x, y);
      const a::Xmm r = rev(x, z);
      v(d ? I::kIdSubpd : I::kIdSubps, r, z, x);
      return r;
    }
    default: break;
  }
  if (const a::Xmm r = compare(op, x, y); r.isValid()) return r;
  if (const a::Xmm r = extend(op, x); r.isValid()) return r;
  if (const a::Xmm r = extmul(op, x, y); r.isValid()) return r;
  return convert(op, x);
}

// Float min/max: both operand orders (minps/maxps return the second operand for NaN and for equal values), merged
// so that NaN and -0/+0 come out right; NaN lanes become canonical NaNs.
a::Xmm SimdEmitter::minMax(Op op, a::Xmm x, a::Xmm y) {
  const bool d = op == Op::F64x2Min || op == Op::F64x2Max || op == Op::F64x2RelaxedMin || op == Op::F64x2RelaxedMax;
  const bool isMin = op == Op::F32x4Min || op == Op::F64x2Min || op == Op::F32x4RelaxedMin || op == Op::F64x2RelaxedMin;
  const Id mm = isMin ? (d ? I::kIdMinpd : I::kIdMinps) : (d ? I::kIdMaxpd : I::kIdMaxps);
  const Id unord = d ? I::kIdCmppd : I::kIdCmpps;
  const Id payload = d ? I::kIdPsrlq : I::kIdPsrld;
  const uint32_t payloadBits = d ? 13 : 10;  // shifting all-ones right by this leaves the payload and quiet bits
  v(mm, t0, y, x);  // y-first order
  v(mm, x, x, y);   // x-first order
  if (isMin) {
    v(I::kIdOrps, t0, t0, x);  // -0 wins over +0; a NaN from either order survives
    vi(unord, x, x, t0, 3);    // NaN lanes
    v(I::kIdOrps, t0, t0, x);
  } else {
    v(I::kIdXorps, x, x, t0);  // where the orders disagree (NaN or zeros of different signs)
    v(I::kIdOrps, t0, t0, x);  // NaNs propagate
    v(d ? I::kIdSubpd : I::kIdSubps, t0, t0, x);  // +0 wins over -0, NaNs stay NaN
    vi(unord, x, x, t0, 3);
  }
  si(payload, x, x, payloadBits);
  v(I::kIdAndnps, x, x, t0);  // clear the payload of NaN lanes: canonical NaN
  return x;
}

// Comparisons; invalid register: not a comparison.
a::Xmm SimdEmitter::compare(Op op, a::Xmm x, a::Xmm y) {
  Id eq = I::kIdNone, gt = I::kIdNone, maxS = I::kIdNone, minS = I::kIdNone, maxU = I::kIdNone, minU = I::kIdNone;
  enum { Eq, Ne, LtS, LtU, GtS, GtU, LeS, LeU, GeS, GeU, None } kind = None;
  int fpred = -1;  // float compares: cmpps predicate; `swap`: operands reversed
  bool swap = false, fd = false;
  switch (op) {
#define MYRT_ICMP(P)                   \
  case Op::P##Eq: kind = Eq; break;   \
  case Op::P##Ne: kind = Ne; break;   \
  case Op::P##LtS: kind = LtS; break; \
  case Op::P##LtU: kind = LtU; break; \
  case Op::P##GtS: kind = GtS; break; \
  case Op::P##GtU: kind = GtU; break; \
  case Op::P##LeS: kind = LeS; break; \
  case Op::P##LeU: kind = LeU; break; \
  case Op::P##GeS: kind = GeS; break; \
  case Op::P##GeU: kind = GeU; break;
    MYRT_ICMP(I8x16)
    MYRT_ICMP(I16x8)
    MYRT_ICMP(I32x4)
#undef MYRT_ICMP
    case Op::I64x2Eq: kind = Eq; break;
    case Op::I64x2Ne: kind = Ne; break;
    case Op::I64x2LtS: kind = LtS; break;
    case Op::I64x2GtS: kind = GtS; break;
    case Op::I64x2LeS: kind = LeS; break;
    case Op::I64x2GeS: kind = GeS; break;
    case Op::F32x4Eq: fpred = 0; break;
    case Op::F32x4Ne: fpred = 4; break;
    case Op::F32x4Lt: fpred = 1; break;
    case Op::F32x4Le: fpred = 2; break;
    case Op::F32x4Gt: fpred = 1, swap = true; break;
    case Op::F32x4Ge: fpred = 2, swap = true; break;
    case Op::F64x2Eq: fpred = 0, fd = true; break;
    case Op::F64x2Ne: fpred = 4, fd = true; break;
    case Op::F64x2Lt: fpred = 1, fd = true; break;
    case Op::F64x2Le: fpred = 2, fd = true; break;
    case Op::F64x2Gt: fpred = 1, fd = true, swap = true; break;
    case Op::F64x2Ge: fpred = 2, fd = true, swap = true; break;
    default: return a::Xmm();
  }
  if (fpred >= 0) {
    const Id id = fd ? I::kIdCmppd : I::kIdCmpps;
    if (!swap) {
      vi(id, x, x, y, static_cast<uint32_t>(fpred));
      return x;
    }
    const a::Xmm r = rev(x, y);
    vi(id, r, y, x, static_cast<uint32_t>(fpred));
    return r;
  }
  const OpInfo& info = opInfo(op);
  const char shape = info.name[1];  // i8x16 / i16x8 / i32x4 / i64x2
  if (info.name.starts_with("i8")) {
    eq = I::kIdPcmpeqb, gt = I::kIdPcmpgtb, maxS = I::kIdPmaxsb, minS = I::kIdPminsb, maxU = I::kIdPmaxub,
    minU = I::kIdPminub;
  } else if (shape == '1') {
    eq = I::kIdPcmpeqw, gt = I::kIdPcmpgtw, maxS = I::kIdPmaxsw, minS = I::kIdPminsw, maxU = I::kIdPmaxuw,
    minU = I::kIdPminuw;
  } else if (shape == '3') {
    eq = I::kIdPcmpeqd, gt = I::kIdPcmpgtd, maxS = I::kIdPmaxsd, minS = I::kIdPminsd, maxU = I::kIdPmaxud,
    minU = I::kIdPminud;
  } else {
    eq = I::kIdPcmpeqq, gt = I::kIdPcmpgtq;
  }
  // x >= y  <=>  max(x, y) == x  (and <= with min); i64x2 has no min/max: negate the strict compares instead
  auto viaMinMax = [&](Id mm) {
    v(mm, t0, x, y);
    v(eq, x, x, t0);
  };
  switch (kind) {
    case Eq: v(eq, x, x, y); return x;
    case Ne: v(eq, x, x, y); not_(x); return x;
    case GtS: v(gt, x, x, y); return x;
    case LtS: {
      const a::Xmm r = rev(x, y);
      v(gt, r, y, x);
      return r;
    }
    case GeS:
      if (maxS == I::kIdNone) {  // i64: !(x < y)
        const a::Xmm r = rev(x, y);
        v(gt, r, y, x);
        not_(r);
        return r;
      }
      viaMinMax(maxS);
      return x;
    case LeS:
      if (minS == I::kIdNone) {  // i64: !(x > y)
        v(gt, x, x, y);
        not_(x);
        return x;
      }
      viaMinMax(minS);
      return x;
    case GeU: viaMinMax(maxU); return x;
    case LeU: viaMinMax(minU); return x;
    case GtU: viaMinMax(minU); not_(x); return x;  // !(x <= y)
    case LtU: viaMinMax(maxU); not_(x); return x;  // !(x >= y)
    case None: break;
  }
  return a::Xmm();
}

// extend_low/high; invalid register: not an extend.
a::Xmm SimdEmitter::extend(Op op, a::Xmm x) {
  Id low = I::kIdNone;
  bool high = false;
  switch (op) {
    case Op::I16x8ExtendLowI8x16S: low = I::kIdPmovsxbw; break;
    case Op::I16x8ExtendHighI8x16S: low = I::kIdPmovsxbw, high = true; break;
    case Op::I16x8ExtendLowI8x16U: low = I::kIdPmovzxbw; break;
    case Op::I16x8ExtendHighI8x16U: low = I::kIdPmovzxbw, high = true; break;
    case Op::I32x4ExtendLowI16x8S: low = I::kIdPmovsxwd; break;
    case Op::I32x4ExtendHighI16x8S: low = I::kIdPmovsxwd, high = true; break;
    case Op::I32x4ExtendLowI16x8U: low = I::kIdPmovzxwd; break;
    case Op::I32x4ExtendHighI16x8U: low = I::kIdPmovzxwd, high = true; break;
    case Op::I64x2ExtendLowI32x4S: low = I::kIdPmovsxdq; break;
    case Op::I64x2ExtendHighI32x4S: low = I::kIdPmovsxdq, high = true; break;
    case Op::I64x2ExtendLowI32x4U: low = I::kIdPmovzxdq; break;
    case Op::I64x2ExtendHighI32x4U: low = I::kIdPmovzxdq, high = true; break;
    default: return a::Xmm();
  }
  if (high) e(I::kIdPshufd, x, x, Imm(0xEE));  // high 64 bits to the low half
  e(low, x, x);
  return x;
}

// extmul_low/high: extend both operands, multiply; invalid register: not an extmul.
a::Xmm SimdEmitter::extmul(Op op, a::Xmm x, a::Xmm y) {
  switch (op) {
    case Op::I16x8ExtmulLowI8x16S: case Op::I16x8ExtmulHighI8x16S: case Op::I16x8ExtmulLowI8x16U:
    case Op::I16x8ExtmulHighI8x16U: {
      const bool high = op == Op::I16x8ExtmulHighI8x16S || op == Op::I16x8ExtmulHighI8x16U;
      const bool s = op == Op::I16x8ExtmulLowI8x16S || op == Op::I16x8ExtmulHighI8x16S;
      const Op ext = high ? (s ? Op::I16x8ExtendHighI8x16S : Op::I16x8ExtendHighI8x16U)
                          : (s ? Op::I16x8ExtendLowI8x16S : Op::I16x8ExtendLowI8x16U);
      extend(ext, x);
      extend(ext, y);
      v(I::kIdPmullw, x, x, y);
      return x;
    }
    case Op::I32x4ExtmulLowI16x8S: case Op::I32x4ExtmulHighI16x8S: case Op::I32x4ExtmulLowI16x8U:
    case Op::I32x4ExtmulHighI16x8U: {  // low and high halves of the 16x16 products, interleaved
      const bool high = op == Op::I32x4ExtmulHighI16x8S || op == Op::I32x4ExtmulHighI16x8U;
      const bool s = op == Op::I32x4ExtmulLowI16x8S || op == Op::I32x4ExtmulHighI16x8S;
      v(s ? I::kIdPmulhw : I::kIdPmulhuw, t0, x, y);
      v(I::kIdPmullw, x, x, y);
      v(high ? I::kIdPunpckhwd : I::kIdPunpcklwd, x, x, t0);
      return x;
    }
    case Op::I64x2ExtmulLowI32x4S: case Op::I64x2ExtmulHighI32x4S: case Op::I64x2ExtmulLowI32x4U:
    case Op::I64x2ExtmulHighI32x4U: {  // the two lanes to dwords 0 and 2, then pmuldq / pmuludq
      const bool high = op == Op::I64x2ExtmulHighI32x4S || op == Op::I64x2ExtmulHighI32x4U;
      const bool s = op == Op::I64x2ExtmulLowI32x4S || op == Op::I64x2ExtmulHighI32x4S;
      const uint32_t sel = high ? 0xFA : 0x50;
      e(I::kIdPshufd, x, x, Imm(sel));
      e(I::kIdPshufd, y, y, Imm(sel));
      v(s ? I::kIdPmuldq : I::kIdPmuludq, x, x, y);
      return x;
    }
    default: return a::Xmm();
  }
}

// Conversions (the last group: anything else reaching here is a bug, emitted as ud2 so it can never run silently).
a::Xmm SimdEmitter::convert(Op op, a::Xmm x) {
  switch (op) {
    case Op::F32x4ConvertI32x4S: e(I::kIdCvtdq2ps, x, x); return x;
    case Op::F32x4ConvertI32x4U:  // low 16 bits converted exactly; high part halved (exact), converted, doubled
      zero(t0);
      vi(I::kIdPblendw, t0, t0, x, 0x55);
      v(I::kIdPsubd, x, x, t0);
      e(I::kIdCvtdq2ps, t0, t0);
      si(I::kIdPsrld, x, x, 1);
      e(I::kIdCvtdq2ps, x, x);
      v(I::kIdAddps, x, x, x);
      v(I::kIdAddps, x, x, t0);
      return x;
    case Op::F64x2ConvertLowI32x4S: e(I::kIdCvtdq2pd, x, x); return x;
    case Op::F64x2ConvertLowI32x4U:  // (2^52 + u) as a double, minus 2^52
      v(I::kIdUnpcklps, x, x, k32(0x43300000u));
      v(I::kIdSubpd, x, x, k64(0x4330000000000000ull));
      return x;
    case Op::F32x4DemoteF64x2Zero: e(I::kIdCvtpd2ps, x, x); return x;
    case Op::F64x2PromoteLowF32x4: e(I::kIdCvtps2pd, x, x); return x;
    case Op::I32x4TruncSatF32x4S: case Op::I32x4RelaxedTruncF32x4S:
      vi(I::kIdCmpps, t0, x, x, 0);  // ordered lanes
      v(I::kIdPand, x, x, t0);       // NaN -> 0
      v(I::kIdPxor, t0, t0, x);      // sign bit set where x >= +0
      e(I::kIdCvttps2dq, x, x);      // out of range -> 0x80000000
      v(I::kIdPand, t0, t0, x);      // sign bit set where a non-negative input overflowed
      si(I::kIdPsrad, t0, t0, 31);
      v(I::kIdPxor, x, x, t0);       // those lanes -> 0x7fffffff
      return x;
    case Op::I32x4TruncSatF32x4U: case Op::I32x4RelaxedTruncF32x4U:
      zero(t1);
      v(I::kIdMaxps, x, x, t1);      // NaN and negative -> 0
      ones(t1);
      si(I::kIdPsrld, t1, t1, 1);
      e(I::kIdCvtdq2ps, t1, t1);     // 2^31
      v(I::kIdSubps, t0, x, t1);     // x - 2^31
      vi(I::kIdCmpps, t1, t1, t0, 2);  // x >= 2^32
      e(I::kIdCvttps2dq, t0, t0);
      v(I::kIdPxor, t0, t0, t1);     // x >= 2^32: 0x7fffffff
      zero(t1);
      v(I::kIdPmaxsd, t0, t0, t1);   // x < 2^31: 0
      e(I::kIdCvttps2dq, x, x);      // x >= 2^31: 0x80000000
      v(I::kIdPaddd, x, x, t0);
      return x;
    case Op::I32x4TruncSatF64x2SZero: case Op::I32x4RelaxedTruncF64x2SZero:
      vi(I::kIdCmppd, t0, x, x, 0);  // ordered lanes
      v(I::kIdAndpd, t0, t0, k64(std::bit_cast<uint64_t>(2147483647.0)));
      v(I::kIdMinpd, x, x, t0);      // NaN -> 0 (minpd returns its second operand), clamp above
      e(I::kIdCvttpd2dq, x, x);      // below range -> 0x80000000; upper lanes 0
      return x;
    case Op::I32x4TruncSatF64x2UZero: case Op::I32x4RelaxedTruncF64x2UZero:
      zero(t0);
      v(I::kIdMaxpd, x, x, t0);      // NaN and negative -> 0
      v(I::kIdMinpd, x, x, k64(std::bit_cast<uint64_t>(4294967295.0)));
      e(I::kIdRoundpd, x, x, Imm(3 | 8));
      v(I::kIdAddpd, x, x, k64(0x4330000000000000ull));  // + 2^52: the integer in the low 32 bits
      vi(I::kIdShufps, x, x, t0, 0x88);
      return x;
    default: break;
  }
  a_.ud2();
  return x;
}

// ---- shifts ----
void SimdEmitter::shift(Op op, a::Xmm x, a::Gp count, uint32_t constCount) {
  unsigned width = 0;
  Id id = I::kIdNone;
  switch (op) {
    case Op::I8x16Shl: width = 8, id = I::kIdPsllw; break;
    case Op::I8x16ShrU: width = 8, id = I::kIdPsrlw; break;
    case Op::I8x16ShrS: width = 8, id = I::kIdPsraw; break;
    case Op::I16x8Shl: width = 16, id = I::kIdPsllw; break;
    case Op::I16x8ShrU: width = 16, id = I::kIdPsrlw; break;
    case Op::I16x8ShrS: width = 16, id = I::kIdPsraw; break;
    case Op::I32x4Shl: width = 32, id = I::kIdPslld; break;
    case Op::I32x4ShrU: width = 32, id = I::kIdPsrld; break;
    case Op::I32x4ShrS: width = 32, id = I::kIdPsrad; break;
    case Op::I64x2Shl: width = 64, id = I::kIdPsllq; break;
    case Op::I64x2ShrU: case Op::I64x2ShrS: width = 64, id = I::kIdPsrlq; break;
    default: a_.ud2(); return;
  }
  const bool isConst = !count.isValid();
  const uint32_t n = constCount & (width - 1);
  const uint32_t bias = op == Op::I8x16ShrS ? 8 : 0;  // i8 arithmetic shifts run on words holding the byte high
  a::Xmm c = t0;  // the count for variable shifts
  if (!isConst) {
    a_.mov(a::ecx, count.r32());
    a_.and_(a::ecx, width - 1);
    if (bias) a_.add(a::ecx, bias);
    if (width == 8 || op == Op::I64x2ShrS) c = t1;
    e(I::kIdMovd, c, a::ecx);
  }
  auto sh = [&](a::Xmm d, a::Xmm s) {
    if (isConst) si(id, d, s, n + bias);
    else v(id, d, s, c);
  };
  if (op == Op::I64x2ShrS) {  // ((x ^ s) >>> n) ^ s with s = sign mask
    signMask64(t0, x);
    v(I::kIdPxor, x, x, t0);
    sh(x, x);
    v(I::kIdPxor, x, x, t0);
    return;
  }
  if (op == Op::I8x16ShrS) {  // bytes to the high half of words, arithmetic shift by n + 8, pack
    v(I::kIdPunpckhbw, t0, x, x);
    v(I::kIdPunpcklbw, x, x, x);
    sh(t0, t0);
    sh(x, x);
    v(I::kIdPacksswb, x, x, t0);
    return;
  }
  sh(x, x);
  if (width != 8) return;
  // i8 shl / shr_u on words: clear the bits shifted in from the neighbouring byte
  if (isConst) {
    v(I::kIdPand, x, x, k8(static_cast<uint8_t>(op == Op::I8x16Shl ? 0xffu << n : 0xffu >> n)));
    return;
  }
  a_.mov(a::eax, 0xff);
  if (op == Op::I8x16Shl) a_.shl(a::eax, a::cl);
  else a_.shr(a::eax, a::cl);
  a_.movzx(a::eax, a::al);
  a_.imul(a::eax, a::eax, 0x01010101);
  e(I::kIdMovd, t0, a::eax);
  e(I::kIdPshufd, t0, t0, Imm(0));
  v(I::kIdPand, x, x, t0);
}

// ---- scalars <-> lanes ----
void SimdEmitter::splat(Op op, a::Xmm d, a::Gp src) {
  switch (op) {
    case Op::I8x16Splat:
      e(I::kIdMovd, d, src.r32());
      if (f_.avx2) {
        a_.emit(I::kIdVpbroadcastb, d, d);
      } else {
        zero(t0);
        v(I::kIdPshufb, d, d, t0);
      }
      return;
    case Op::I16x8Splat:
      e(I::kIdMovd, d, src.r32());
      if (f_.avx2) {
        a_.emit(I::kIdVpbroadcastw, d, d);
      } else {
        e(I::kIdPshuflw, d, d, Imm(0));
        e(I::kIdPshufd, d, d, Imm(0));
      }
      return;
    case Op::I32x4Splat:
      e(I::kIdMovd, d, src.r32());
      e(I::kIdPshufd, d, d, Imm(0));
      return;
    case Op::I64x2Splat:
      e(I::kIdMovq, d, src.r64());
      e(I::kIdPshufd, d, d, Imm(0x44));
      return;
    case Op::F32x4Splat: vi(I::kIdShufps, d, d, d, 0); return;
    case Op::F64x2Splat: e(I::kIdMovddup, d, d); return;
    default: a_.ud2(); return;
  }
}

a::CondCode SimdEmitter::test(Op op, a::Xmm x) {
  Id eq = I::kIdNone;
  switch (op) {
    case Op::V128AnyTrue: e(I::kIdPtest, x, x); return a::CondCode::kNZ;
    case Op::I8x16AllTrue: eq = I::kIdPcmpeqb; break;
    case Op::I16x8AllTrue: eq = I::kIdPcmpeqw; break;
    case Op::I32x4AllTrue: eq = I::kIdPcmpeqd; break;
    default: eq = I::kIdPcmpeqq; break;
  }
  zero(t0);
  v(eq, t0, t0, x);  // lanes equal to zero
  e(I::kIdPtest, t0, t0);
  return a::CondCode::kZ;
}

void SimdEmitter::toGp(Op op, a::Gp dst, a::Xmm x, uint8_t lane) {
  const a::Gp d32 = dst.r32();
  switch (op) {
    case Op::I8x16Bitmask: e(I::kIdPmovmskb, d32, x); return;
    case Op::I16x8Bitmask:
      v(I::kIdPacksswb, x, x, x);  // signed saturation keeps the sign
      e(I::kIdPmovmskb, d32, x);
      a_.and_(d32, 0xff);
      return;
    case Op::I32x4Bitmask: e(I::kIdMovmskps, d32, x); return;
    case Op::I64x2Bitmask: e(I::kIdMovmskpd, d32, x); return;
    case Op::I8x16ExtractLaneS:
      e(I::kIdPextrb, d32, x, Imm(lane));
      a_.movsx(d32, a::gpb_lo(dst.id()));
      return;
    case Op::I8x16ExtractLaneU: e(I::kIdPextrb, d32, x, Imm(lane)); return;
    case Op::I16x8ExtractLaneS:
      e(I::kIdPextrw, d32, x, Imm(lane));
      a_.movsx(d32, a::gpw(dst.id()));
      return;
    case Op::I16x8ExtractLaneU: e(I::kIdPextrw, d32, x, Imm(lane)); return;
    case Op::I32x4ExtractLane:
      if (lane == 0) e(I::kIdMovd, d32, x);
      else e(I::kIdPextrd, d32, x, Imm(lane));
      return;
    case Op::I64x2ExtractLane:
      if (lane == 0) e(I::kIdMovq, dst.r64(), x);
      else e(I::kIdPextrq, dst.r64(), x, Imm(lane));
      return;
    default: a_.ud2(); return;
  }
}

void SimdEmitter::extractFloat(Op op, a::Xmm x, uint8_t lane) {
  if (lane == 0) return;
  if (op == Op::F32x4ExtractLane) vi(I::kIdShufps, x, x, x, lane);
  else v(I::kIdUnpckhpd, x, x, x);
}

void SimdEmitter::replaceLane(Op op, a::Xmm x, a::Gp gp, a::Xmm fp, uint8_t lane) {
  switch (op) {
    case Op::I8x16ReplaceLane: vi(I::kIdPinsrb, x, x, gp.r32(), lane); return;
    case Op::I16x8ReplaceLane: vi(I::kIdPinsrw, x, x, gp.r32(), lane); return;
    case Op::I32x4ReplaceLane: vi(I::kIdPinsrd, x, x, gp.r32(), lane); return;
    case Op::I64x2ReplaceLane: vi(I::kIdPinsrq, x, x, gp.r64(), lane); return;
    case Op::F32x4ReplaceLane: vi(I::kIdInsertps, x, x, fp, uint32_t(lane) << 4); return;
    case Op::F64x2ReplaceLane:
      if (lane == 0) vi(I::kIdBlendpd, x, x, fp, 1);
      else v(I::kIdUnpcklpd, x, x, fp);
      return;
    default: a_.ud2(); return;
  }
}

// ---- memory ----
unsigned SimdEmitter::accessSize(Op op) { return simdMemAccessSize(op); }

void SimdEmitter::load(Op op, a::Xmm d, a::Mem m, uint8_t lane) {
  m.setSize(accessSize(op));
  switch (op) {
    case Op::V128Load: e(I::kIdMovups, d, m); return;
    case Op::V128Load8x8S: e(I::kIdPmovsxbw, d, m); return;
    case Op::V128Load8x8U: e(I::kIdPmovzxbw, d, m); return;
    case Op::V128Load16x4S: e(I::kIdPmovsxwd, d, m); return;
    case Op::V128Load16x4U: e(I::kIdPmovzxwd, d, m); return;
    case Op::V128Load32x2S: e(I::kIdPmovsxdq, d, m); return;
    case Op::V128Load32x2U: e(I::kIdPmovzxdq, d, m); return;
    case Op::V128Load8Splat:
      if (f_.avx2) return void(a_.emit(I::kIdVpbroadcastb, d, m));
      a_.movzx(a::ecx, m);
      return splat(Op::I8x16Splat, d, a::ecx);
    case Op::V128Load16Splat:
      if (f_.avx2) return void(a_.emit(I::kIdVpbroadcastw, d, m));
      a_.movzx(a::ecx, m);
      return splat(Op::I16x8Splat, d, a::ecx);
    case Op::V128Load32Splat:
      if (f_.avx) return void(a_.emit(I::kIdVbroadcastss, d, m));
      e(I::kIdMovss, d, m);
      return splat(Op::F32x4Splat, d, a::Gp());
    case Op::V128Load64Splat: e(I::kIdMovddup, d, m); return;
    case Op::V128Load32Zero: e(I::kIdMovss, d, m); return;
    case Op::V128Load64Zero: e(I::kIdMovq, d, m); return;
    case Op::V128Load8Lane: vi(I::kIdPinsrb, d, d, m, lane); return;
    case Op::V128Load16Lane: vi(I::kIdPinsrw, d, d, m, lane); return;
    case Op::V128Load32Lane: vi(I::kIdPinsrd, d, d, m, lane); return;
    case Op::V128Load64Lane: vi(I::kIdPinsrq, d, d, m, lane); return;
    default: a_.ud2(); return;
  }
}

void SimdEmitter::store(Op op, a::Mem m, a::Xmm src, uint8_t lane) {
  m.setSize(accessSize(op));
  switch (op) {
    case Op::V128Store: e(I::kIdMovups, m, src); return;
    case Op::V128Store8Lane: e(I::kIdPextrb, m, src, Imm(lane)); return;
    case Op::V128Store16Lane: e(I::kIdPextrw, m, src, Imm(lane)); return;
    case Op::V128Store32Lane:
      if (lane == 0) e(I::kIdMovss, m, src);
      else e(I::kIdPextrd, m, src, Imm(lane));
      return;
    case Op::V128Store64Lane:
      if (lane == 0) e(I::kIdMovq, m, src);
      else e(I::kIdMovhps, m, src);
      return;
    default: a_.ud2(); return;
  }
}

}  // namespace myrt::jit::x64
