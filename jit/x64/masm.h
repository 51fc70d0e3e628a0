// jit/x64/masm.h -- the x86-64 MacroAssembler: asmjit's x86::Assembler plus the few composite forms the compiler
// needs (immediates of any width, absolute calls, 16-byte slot copies, register codes <-> asmjit registers).
// Layer: jit/x64 (the only place besides compiler.cpp where asmjit types appear).
#pragma once
#include <asmjit/x86.h>

#include <cstdint>

namespace myrt::jit::x64 {

namespace a64 = asmjit::x86;

// Register codes used by the value stack (jit/common/value_stack.h): 0..15 GP (x86 numbering), 16..31 XMM0..15.
constexpr uint8_t kFpBase = 16;
inline a64::Gp gpq(uint8_t code) { return a64::gpq(code); }
inline a64::Gp gpd(uint8_t code) { return a64::gpd(code); }
inline a64::Gp gpb(uint8_t code) { return a64::gpb_lo(code); }
inline a64::Xmm xmm(uint8_t code) { return a64::xmm(code - kFpBase); }

class MacroAssembler : public a64::Assembler {
 public:
  using a64::Assembler::Assembler;

  // dst = imm (shortest encoding: xor for 0, 32-bit mov for values that zero-extend).
  void loadImm64(const a64::Gp& dst, uint64_t v) {
    if (v == 0) xor_(dst.r32(), dst.r32());
    else if (v <= 0xffffffffu) mov(dst.r32(), static_cast<uint32_t>(v));
    else mov(dst.r64(), v);
  }
  void loadImm32(const a64::Gp& dst, uint32_t v) {
    if (v == 0) xor_(dst.r32(), dst.r32());
    else mov(dst.r32(), v);
  }
  // Stores a 64-bit immediate to memory (through rax when it does not sign-extend from 32 bits).
  void storeImm64(const a64::Mem& dst, uint64_t v) {
    const int64_t s = static_cast<int64_t>(v);
    a64::Mem m = dst;
    m.setSize(8);
    if (s >= INT32_MIN && s <= INT32_MAX) {
      mov(m, asmjit::imm(s));
    } else {
      mov(a64::rax, v);
      mov(m, a64::rax);
    }
  }
  void storeImm32(const a64::Mem& dst, uint32_t v) {
    a64::Mem m = dst;
    m.setSize(4);
    mov(m, asmjit::imm(v));
  }
  // Calls an absolute address (through rax; the code stays position independent).
  void callAbs(const void* fn) {
    mov(a64::rax, reinterpret_cast<uint64_t>(fn));
    call(a64::rax);
  }
  // Copies a 16-byte Value slot (through xmm15).
  void copy16(const a64::Mem& dst, const a64::Mem& src) {
    movups(a64::xmm15, src);
    movups(dst, a64::xmm15);
  }
  // Copies a value slot: 16 bytes for v128 (through xmm15), else the low 8 bytes through rax (the width the value was
  // stored with: a 16-byte load of an 8-byte store defeats store-to-load forwarding, which made every call's argument
  // copy stall).
  void copyValue(const a64::Mem& dst, const a64::Mem& src, bool v128) {
    if (v128) return copy16(dst, src);
    a64::Mem d = dst, s = src;
    d.setSize(8);
    s.setSize(8);
    mov(a64::rax, s);
    mov(d, a64::rax);
  }
};

}  // namespace myrt::jit::x64
