// jit/x64/simd.h -- instruction selection for WebAssembly SIMD (0xFD) on x86-64: SSE4.1 sequences, and VEX
// (AVX) three-operand forms of the same sequences when the CPU has AVX (chosen once per process, see simdFeatures).
// The compiler (compiler.cpp) owns the value stack and register allocation; it hands this emitter XMM/GP registers
// it owns and memory operands it has bounds-checked, and gets back the register that holds the result.
// Scratch registers: xmm14, xmm15, rcx (never hold values across instructions in the compiler's model).
// Layer: jit/x64 (asmjit types stay in jit/x64).
#pragma once
#include <functional>

#include <string>

#include "jit/x64/masm.h"
#include "runtime/wasm/opcodes.h"

namespace myrt::jit::x64 {

struct SimdFeatures {
  bool avx = false;    // VEX encodings (three-operand forms, unaligned memory operands)
  bool avx2 = false;   // vpbroadcast*
  bool sse42 = false;  // pcmpgtq (i64x2 signed compares)
};
// The host CPU's features, read once. MYRT_JIT_NO_AVX=1 in the environment (read once) clears avx/avx2, so the
// SSE4.1 sequences can be tested on an AVX machine.
const SimdFeatures& simdFeatures();
// For `myrt --version`: "sse4.1[ (missing on this CPU: no JIT)][, avx[ (off: MYRT_JIT_NO_AVX=1)]][, avx2]" (cli/version.cpp
// declares it too, without asmjit's headers).
std::string hostSimdSummary();

class SimdEmitter {
 public:
  // Embeds 16 bytes after the function's code (16-byte aligned) and returns their label (rip-relative operand).
  using ConstantFn = std::function<asmjit::Label(const void* bytes16)>;
  SimdEmitter(MacroAssembler& a, ConstantFn constant);

  // Whether value op `op` (0xFD prefix, not a memory access) is emitted inline on this CPU; false: use the helper.
  bool inlined(Op op) const;
  // v128 -> v128 ops whose operands are all v128 (1..3 of them, in x, y, z; unused ones are invalid registers). The
  // registers are the caller's and consumed (all may be clobbered); returns the one holding the result (x, y or z).
  // `mask`: the i8x16.shuffle lane indices.
  a64::Xmm vector(Op op, a64::Xmm x, a64::Xmm y, a64::Xmm z, const uint8_t* mask);
  // Shifts: x <<= count (count masked to the lane width); `count` is a GP register, or invalid with `constCount`.
  void shift(Op op, a64::Xmm x, a64::Gp count, uint32_t constCount);
  // Splats: from a GP register (integer shapes) into dst, or f32/f64 in place (dst is the scalar's register).
  void splat(Op op, a64::Xmm dst, a64::Gp src);
  // any_true / all_true: sets the flags, returns the condition under which the result is 1.
  a64::CondCode test(Op op, a64::Xmm x);
  // bitmask and integer extract_lane into a GP register.
  void toGp(Op op, a64::Gp dst, a64::Xmm x, uint8_t lane);
  // f32x4/f64x2.extract_lane: the lane moves to the low lane of x (the scalar's register).
  void extractFloat(Op op, a64::Xmm x, uint8_t lane);
  // replace_lane: `gp` for integer shapes, `fp` for f32/f64.
  void replaceLane(Op op, a64::Xmm x, a64::Gp gp, a64::Xmm fp, uint8_t lane);
  // dst = the 16 bytes.
  void constant(a64::Xmm dst, const uint8_t* bytes16);
  // SIMD memory ops on a checked operand `m` (size set here): loads into dst (which holds the vector operand of
  // load*_lane), stores from src.
  void load(Op op, a64::Xmm dst, a64::Mem m, uint8_t lane);
  void store(Op op, a64::Mem m, a64::Xmm src, uint8_t lane);
  // Bytes accessed by a SIMD memory op.
  static unsigned accessSize(Op op);

 private:
  using Id = asmjit::InstId;
  template <typename... Ops>
  void e(Id sse, const Ops&... ops);
  void v(Id sse, a64::Xmm d, a64::Xmm a, const asmjit::Operand& b);
  void vi(Id sse, a64::Xmm d, a64::Xmm a, const asmjit::Operand& b, uint32_t imm);
  void si(Id sse, a64::Xmm d, a64::Xmm a, uint32_t imm);
  void mov(a64::Xmm d, a64::Xmm s);
  void zero(a64::Xmm d);
  void ones(a64::Xmm d);
  void not_(a64::Xmm d);
  void signMask64(a64::Xmm d, a64::Xmm s);
  a64::Xmm rev(a64::Xmm x, a64::Xmm y) const { return f_.avx ? x : y; }
  a64::Mem k8(uint8_t b);
  a64::Mem k16(uint16_t w);
  a64::Mem k32(uint32_t d);
  a64::Mem k64(uint64_t q);
  a64::Mem k128(const void* bytes);
  a64::Xmm minMax(Op op, a64::Xmm x, a64::Xmm y);
  a64::Xmm compare(Op op, a64::Xmm x, a64::Xmm y);
  a64::Xmm convert(Op op, a64::Xmm x);
  a64::Xmm extend(Op op, a64::Xmm x);
  a64::Xmm extmul(Op op, a64::Xmm x, a64::Xmm y);

  MacroAssembler& a_;
  ConstantFn constant_;
  const SimdFeatures& f_;
};

}  // namespace myrt::jit::x64
