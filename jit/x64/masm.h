// jit/x64/masm.h -- the x86-64 MacroAssembler: asmjit's x86::Assembler plus the few composite forms the compiler
// needs (immediates of any width, absolute calls, 16-byte slot copies, register codes <-> asmjit registers).
// Layer: jit/x64 (the only place besides compiler.cpp where asmjit types appear).
#pragma once
#include <asmjit/x86.h>

#include <cstdint>
#include <cstring>

namespace myrt::jit::x64 {

namespace a64 = asmjit::x86;

// Register codes used by the value stack (jit/common/value_stack.h): 0..15 GP (x86 numbering), 16..31 XMM0..15.
constexpr uint8_t kFpBase = 16;
inline a64::Gp gpq(uint8_t code) { return a64::gpq(code); }
inline a64::Gp gpd(uint8_t code) { return a64::gpd(code); }
inline a64::Gp gpb(uint8_t code) { return a64::gpb_lo(code); }
inline a64::Xmm xmm(uint8_t code) { return a64::xmm(code - kFpBase); }

// The MacroAssembler encodes the instruction forms the baseline compiler emits most (GP and scalar SSE moves and
// arithmetic on registers, [base + index*scale + disp32] memory and 32-bit immediates) itself, straight into asmjit's
// code buffer, and leaves everything else (labels, jumps, rip-relative operands, rare forms) to asmjit: asmjit's
// generic encoder validates and looks up every instruction (~200 host instructions each), which was half of the
// compile time. Each fast form falls back to asmjit when an operand is outside what it encodes, so callers see the
// ordinary asmjit API; tests/unit/jit/masm_test.cpp checks the bytes against asmjit's for every register and
// addressing form.
class MacroAssembler : public a64::Assembler {
  using Base = a64::Assembler;
  using Gp = a64::Gp;
  using Mem = a64::Mem;
  using Xmm = a64::Xmm;
  using Imm = asmjit::Imm;
  using Err = asmjit::Error;

 public:
  using Base::Base;

  // ---- the fast forms (hide asmjit's overloads of the same signature; the others stay visible) ----
  using Base::mov;
  Err mov(const Gp& d, const Gp& s) { return gpRR(0x89, d, s) ? ok() : Base::mov(d, s); }
  Err mov(const Gp& d, const Mem& m) { return gpRM(0x8B, d, m) ? ok() : Base::mov(d, m); }
  Err mov(const Mem& m, const Gp& s) { return gpRM(0x89, s, m) ? ok() : Base::mov(m, s); }
  Err mov(const Gp& d, const Imm& i) { return movRI(d, i) ? ok() : Base::mov(d, i); }
  Err mov(const Mem& m, const Imm& i) { return movMI(m, i) ? ok() : Base::mov(m, i); }
#define MYRT_MASM_ALU(name, ext)                                                                            \
  using Base::name;                                                                                         \
  Err name(const Gp& d, const Gp& s) { return gpRR(ext * 8 + 1, d, s) ? ok() : Base::name(d, s); }          \
  Err name(const Gp& d, const Mem& m) { return gpRM(ext * 8 + 3, d, m) ? ok() : Base::name(d, m); }         \
  Err name(const Mem& m, const Gp& s) { return gpRM(ext * 8 + 1, s, m) ? ok() : Base::name(m, s); }         \
  Err name(const Gp& d, const Imm& i) { return aluRI(ext, d, i) ? ok() : Base::name(d, i); }               \
  Err name(const Mem& m, const Imm& i) { return aluMI(ext, m, i) ? ok() : Base::name(m, i); }
  MYRT_MASM_ALU(add, 0)
  MYRT_MASM_ALU(or_, 1)
  MYRT_MASM_ALU(and_, 4)
  MYRT_MASM_ALU(sub, 5)
  MYRT_MASM_ALU(xor_, 6)
  MYRT_MASM_ALU(cmp, 7)
#undef MYRT_MASM_ALU
  using Base::test;
  Err test(const Gp& a, const Gp& b) { return gpRR(0x85, a, b) ? ok() : Base::test(a, b); }
  using Base::lea;
  Err lea(const Gp& d, const Mem& m) { return d.size() >= 4 && gpRM(0x8D, d, m) ? ok() : Base::lea(d, m); }
  using Base::movzx;
  Err movzx(const Gp& d, const Gp& s) { return extRR(s.size() == 1 ? 0x0FB6 : 0x0FB7, d, s) ? ok() : Base::movzx(d, s); }
  Err movzx(const Gp& d, const Mem& m) { return extRM(m.size() == 1 ? 0x0FB6 : 0x0FB7, d, m) ? ok() : Base::movzx(d, m); }
  using Base::movsx;
  Err movsx(const Gp& d, const Gp& s) { return extRR(s.size() == 1 ? 0x0FBE : 0x0FBF, d, s) ? ok() : Base::movsx(d, s); }
  Err movsx(const Gp& d, const Mem& m) { return extRM(m.size() == 1 ? 0x0FBE : 0x0FBF, d, m) ? ok() : Base::movsx(d, m); }
  using Base::imul;
  Err imul(const Gp& d, const Gp& s) { return d.size() >= 4 && gpRR(0x0FAF, s, d) ? ok() : Base::imul(d, s); }
  using Base::push;
  Err push(const Gp& r) { return pushPop(0x50, r) ? ok() : Base::push(r); }
  using Base::pop;
  Err pop(const Gp& r) { return pushPop(0x58, r) ? ok() : Base::pop(r); }
  using Base::inc;
  Err inc(const Gp& r) { return unaryR(0, r) ? ok() : Base::inc(r); }
  Err inc(const Mem& m) { return unaryM(0, m) ? ok() : Base::inc(m); }
  using Base::dec;
  Err dec(const Gp& r) { return unaryR(1, r) ? ok() : Base::dec(r); }
  Err dec(const Mem& m) { return unaryM(1, m) ? ok() : Base::dec(m); }
  using Base::call;
  Err call(const Gp& r) { return r.size() == 8 && unaryR(2, r) ? ok() : Base::call(r); }
  using Base::ret;
  Err ret() {
    if (!room()) return Base::ret();
    _bufferPtr[0] = 0xC3;
    return done(_bufferPtr + 1);
  }
  // scalar SSE: prefix, opcode (0F xx), operands xmm <- xmm/mem and mem <- xmm
#define MYRT_MASM_SSE_RM(name, pfx, op)                                                                      \
  using Base::name;                                                                                          \
  Err name(const Xmm& d, const Xmm& s) { return sseRR(pfx, op, d.id(), s.id()) ? ok() : Base::name(d, s); }  \
  Err name(const Xmm& d, const Mem& m) { return sseRM(pfx, op, d.id(), m) ? ok() : Base::name(d, m); }
#define MYRT_MASM_SSE_MOV(name, pfx, op)                                                                    \
  MYRT_MASM_SSE_RM(name, pfx, op)                                                                           \
  Err name(const Mem& m, const Xmm& s) { return sseRM(pfx, op + 1, s.id(), m) ? ok() : Base::name(m, s); }
  MYRT_MASM_SSE_MOV(movss, 0xF3, 0x10)
  MYRT_MASM_SSE_MOV(movsd, 0xF2, 0x10)
  MYRT_MASM_SSE_MOV(movups, 0, 0x10)
  MYRT_MASM_SSE_RM(movaps, 0, 0x28)
  MYRT_MASM_SSE_RM(addss, 0xF3, 0x58)
  MYRT_MASM_SSE_RM(addsd, 0xF2, 0x58)
  MYRT_MASM_SSE_RM(mulss, 0xF3, 0x59)
  MYRT_MASM_SSE_RM(mulsd, 0xF2, 0x59)
  MYRT_MASM_SSE_RM(subss, 0xF3, 0x5C)
  MYRT_MASM_SSE_RM(subsd, 0xF2, 0x5C)
  MYRT_MASM_SSE_RM(divss, 0xF3, 0x5E)
  MYRT_MASM_SSE_RM(divsd, 0xF2, 0x5E)
  MYRT_MASM_SSE_RM(xorps, 0, 0x57)
  MYRT_MASM_SSE_RM(ucomiss, 0, 0x2E)
  MYRT_MASM_SSE_RM(ucomisd, 0x66, 0x2E)
#undef MYRT_MASM_SSE_MOV
#undef MYRT_MASM_SSE_RM
  // movd / movq between GP and XMM registers (66 [REX.W] 0F 6E: xmm <- gp, 0F 7E: gp <- xmm)
  using Base::movd;
  Err movd(const Xmm& d, const Gp& s) { return s.size() == 4 && gpXmm(0x6E, false, d.id(), s.id()) ? ok() : Base::movd(d, s); }
  Err movd(const Gp& d, const Xmm& s) { return d.size() == 4 && gpXmm(0x7E, false, s.id(), d.id()) ? ok() : Base::movd(d, s); }
  using Base::movq;
  Err movq(const Xmm& d, const Gp& s) { return s.size() == 8 && gpXmm(0x6E, true, d.id(), s.id()) ? ok() : Base::movq(d, s); }
  Err movq(const Gp& d, const Xmm& s) { return d.size() == 8 && gpXmm(0x7E, true, s.id(), d.id()) ? ok() : Base::movq(d, s); }

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

 private:
  static Err ok() { return asmjit::kErrorOk; }
  // Room for the longest instruction, and no pending asmjit options (prefixes, comments) that only asmjit handles.
  bool room() const {
    return _bufferEnd - _bufferPtr >= 16 && _instOptions == asmjit::InstOptions::kNone && !_inlineComment &&
           !_extraReg.isReg();
  }
  // The instruction ends at `p`: what asmjit's own writer does when it is done.
  Err done(uint8_t* p) {
    _bufferPtr = p;
    const size_t n = static_cast<size_t>(p - _bufferData);
    if (n > _section->_buffer._size) _section->_buffer._size = n;
    return ok();
  }
  static bool isGp(const Gp& r, bool allowByte) {
    switch (r.type()) {
      case asmjit::RegType::kX86_Gpq: case asmjit::RegType::kX86_Gpd: case asmjit::RegType::kX86_Gpw: return r.id() < 16;
      case asmjit::RegType::kX86_GpbLo: return allowByte && r.id() < 16;
      default: return false;
    }
  }
  // [base + index << shift + disp32] with 64-bit GP base/index (no rip, label, segment or absolute forms).
  static bool plainMem(const Mem& m) {
    return m.baseType() == asmjit::RegType::kX86_Gpq && m.baseId() < 16 &&
           (m.indexType() == asmjit::RegType::kNone || (m.indexType() == asmjit::RegType::kX86_Gpq && m.indexId() < 16 && m.indexId() != 4)) &&
           !m.hasSegment() && m.addrType() == Mem::AddrType::kDefault && !m.hasBroadcast();
  }
  // Legacy prefixes of an operation of `size` bytes (0x66 for 16 bits); returns the cursor.
  static uint8_t* sizePrefix(uint8_t* p, uint32_t size) {
    if (size == 2) *p++ = 0x66;
    return p;
  }
  // REX from W and the high bits of reg / index / base; `force` for byte registers spl..dil.
  static uint8_t* rex(uint8_t* p, bool w, uint32_t reg, uint32_t index, uint32_t base, bool force) {
    const uint32_t r = 0x40 | (w ? 8 : 0) | ((reg >> 1) & 4) | ((index >> 2) & 2) | ((base >> 3) & 1);
    if (r != 0x40 || force) *p++ = static_cast<uint8_t>(r);
    return p;
  }
  static uint8_t* opcode(uint8_t* p, uint32_t op) {  // 1 or 2 opcode bytes (0F xx)
    if (op > 0xFF) *p++ = static_cast<uint8_t>(op >> 8);
    *p++ = static_cast<uint8_t>(op);
    return p;
  }
  // ModRM (+ SIB + displacement) of a plain memory operand.
  static uint8_t* modrmMem(uint8_t* p, uint32_t reg, const Mem& m) {
    const uint32_t base = m.baseId() & 7;
    const int32_t disp = m.offsetLo32();
    const bool sib = m.hasIndex() || base == 4;
    const uint32_t mod = (disp == 0 && base != 5) ? 0 : (disp >= -128 && disp <= 127) ? 1 : 2;
    *p++ = static_cast<uint8_t>((mod << 6) | ((reg & 7) << 3) | (sib ? 4 : base));
    if (sib) *p++ = static_cast<uint8_t>((m.shift() << 6) | ((m.hasIndex() ? (m.indexId() & 7) : 4) << 3) | base);
    if (mod == 1) {
      *p++ = static_cast<uint8_t>(disp);
    } else if (mod == 2) {
      std::memcpy(p, &disp, 4);
      p += 4;
    }
    return p;
  }
  static bool needsByteRex(const Gp& r) { return r.size() == 1 && r.id() >= 4; }
  // op r/m(rm), reg: one- or two-byte `op` (+0 for 8-bit forms when op is a one-byte odd opcode).
  bool gpRR(uint32_t op, const Gp& rm, const Gp& reg) {
    if (!room() || !isGp(rm, op <= 0xFF) || !isGp(reg, op <= 0xFF) || rm.size() != reg.size()) return false;
    const uint32_t size = rm.size();
    uint8_t* p = sizePrefix(_bufferPtr, size);
    p = rex(p, size == 8, reg.id(), 0, rm.id(), needsByteRex(rm) || needsByteRex(reg));
    p = opcode(p, size == 1 ? op - 1 : op);
    *p++ = static_cast<uint8_t>(0xC0 | ((reg.id() & 7) << 3) | (rm.id() & 7));
    return done(p) == asmjit::kErrorOk;
  }
  bool gpRM(uint32_t op, const Gp& reg, const Mem& m) {
    if (!room() || !isGp(reg, op <= 0xFF && op != 0x8D) || !plainMem(m)) return false;
    const uint32_t size = reg.size();
    uint8_t* p = sizePrefix(_bufferPtr, size);
    p = rex(p, size == 8, reg.id(), m.indexId() * m.hasIndex(), m.baseId(), needsByteRex(reg));
    p = opcode(p, size == 1 ? op - 1 : op);
    return done(modrmMem(p, reg.id(), m)) == asmjit::kErrorOk;
  }
  // movzx / movsx from an 8- or 16-bit source.
  bool extRR(uint32_t op, const Gp& d, const Gp& s) {
    if (!room() || !isGp(d, false) || !isGp(s, true) || s.size() > 2 || d.size() < 4) return false;
    uint8_t* p = rex(_bufferPtr, d.size() == 8, d.id(), 0, s.id(), needsByteRex(s));
    p = opcode(p, op);
    *p++ = static_cast<uint8_t>(0xC0 | ((d.id() & 7) << 3) | (s.id() & 7));
    return done(p) == asmjit::kErrorOk;
  }
  bool extRM(uint32_t op, const Gp& d, const Mem& m) {
    if (!room() || !isGp(d, false) || d.size() < 4 || (m.size() != 1 && m.size() != 2) || !plainMem(m)) return false;
    uint8_t* p = rex(_bufferPtr, d.size() == 8, d.id(), m.indexId() * m.hasIndex(), m.baseId(), false);
    p = opcode(p, op);
    return done(modrmMem(p, d.id(), m)) == asmjit::kErrorOk;
  }
  static bool immFits(const Imm& i, uint32_t size, int64_t& v) {  // the value as the CPU sign-extends it
    if (i.type() != asmjit::ImmType::kInt) return false;
    const int64_t x = i.value();
    switch (size) {
      case 1: if (x < -128 || x > 255) return false; v = static_cast<int8_t>(x); return true;
      case 2: if (x < -32768 || x > 65535) return false; v = static_cast<int16_t>(x); return true;
      case 4: if (x < INT32_MIN || x > UINT32_MAX) return false; v = static_cast<int32_t>(x); return true;
      default: if (x < INT32_MIN || x > INT32_MAX) return false; v = x; return true;
    }
  }
  static uint8_t* imm(uint8_t* p, int64_t v, uint32_t bytes) {
    const int32_t v32 = static_cast<int32_t>(v);
    if (bytes == 1) *p++ = static_cast<uint8_t>(v);
    else if (bytes == 2) { const int16_t v16 = static_cast<int16_t>(v); std::memcpy(p, &v16, 2); p += 2; }
    else { std::memcpy(p, &v32, 4); p += 4; }
    return p;
  }
  bool movRI(const Gp& d, const Imm& i) {
    if (!room() || !isGp(d, true) || i.type() != asmjit::ImmType::kInt) return false;
    const uint32_t size = d.size();
    const int64_t x = i.value();
    uint8_t* p = sizePrefix(_bufferPtr, size);
    if (size == 8) {
      if (x >= 0 && x <= UINT32_MAX) {  // mov r32, imm32 zero-extends: the short form
        p = rex(p, false, 0, 0, d.id(), false);
        *p++ = static_cast<uint8_t>(0xB8 + (d.id() & 7));
        p = imm(p, x, 4);
      } else if (x >= INT32_MIN && x <= INT32_MAX) {
        p = rex(p, true, 0, 0, d.id(), false);
        *p++ = 0xC7;
        *p++ = static_cast<uint8_t>(0xC0 | (d.id() & 7));
        p = imm(p, x, 4);
      } else {
        p = rex(p, true, 0, 0, d.id(), false);
        *p++ = static_cast<uint8_t>(0xB8 + (d.id() & 7));
        std::memcpy(p, &x, 8);
        p += 8;
      }
      return done(p) == asmjit::kErrorOk;
    }
    int64_t v;
    if (!immFits(i, size, v)) return false;
    p = rex(p, false, 0, 0, d.id(), needsByteRex(d));
    *p++ = static_cast<uint8_t>((size == 1 ? 0xB0 : 0xB8) + (d.id() & 7));
    return done(imm(p, v, size)) == asmjit::kErrorOk;
  }
  bool movMI(const Mem& m, const Imm& i) {
    const uint32_t size = m.size();
    int64_t v;
    if (!room() || size == 0 || !plainMem(m) || !immFits(i, size, v)) return false;
    uint8_t* p = sizePrefix(_bufferPtr, size);
    p = rex(p, size == 8, 0, m.indexId() * m.hasIndex(), m.baseId(), false);
    *p++ = size == 1 ? 0xC6 : 0xC7;
    p = modrmMem(p, 0, m);
    return done(imm(p, v, size == 8 ? 4 : size)) == asmjit::kErrorOk;
  }
  // add/or/adc/sbb/and/sub/xor/cmp (ModRM extension `ext`) with an immediate: imm8 form when it fits.
  bool aluRI(uint32_t ext, const Gp& d, const Imm& i) {
    const uint32_t size = d.size();
    int64_t v;
    if (!room() || size == 2 || !isGp(d, true) || !immFits(i, size, v)) return false;
    uint8_t* p = sizePrefix(_bufferPtr, size);
    p = rex(p, size == 8, 0, 0, d.id(), needsByteRex(d));
    const bool short8 = size != 1 && v >= -128 && v <= 127;
    if (d.id() == 0 && !short8) {  // al/ax/eax/rax: the accumulator form without ModRM (as asmjit picks it)
      *p++ = static_cast<uint8_t>(ext * 8 + (size == 1 ? 4 : 5));
    } else {
      *p++ = size == 1 ? 0x80 : short8 ? 0x83 : 0x81;
      *p++ = static_cast<uint8_t>(0xC0 | (ext << 3) | (d.id() & 7));
    }
    return done(imm(p, v, size == 1 || short8 ? 1 : size == 8 ? 4 : size)) == asmjit::kErrorOk;
  }
  bool aluMI(uint32_t ext, const Mem& m, const Imm& i) {
    const uint32_t size = m.size();
    int64_t v;
    if (!room() || size == 0 || size == 2 || !plainMem(m) || !immFits(i, size, v)) return false;
    uint8_t* p = sizePrefix(_bufferPtr, size);
    p = rex(p, size == 8, 0, m.indexId() * m.hasIndex(), m.baseId(), false);
    const bool short8 = size != 1 && v >= -128 && v <= 127;
    *p++ = size == 1 ? 0x80 : short8 ? 0x83 : 0x81;
    p = modrmMem(p, ext, m);
    return done(imm(p, v, size == 1 || short8 ? 1 : size == 8 ? 4 : size)) == asmjit::kErrorOk;
  }
  bool pushPop(uint8_t op, const Gp& r) {
    if (!room() || r.type() != asmjit::RegType::kX86_Gpq || r.id() >= 16) return false;
    uint8_t* p = rex(_bufferPtr, false, 0, 0, r.id(), false);
    *p++ = static_cast<uint8_t>(op + (r.id() & 7));
    return done(p) == asmjit::kErrorOk;
  }
  // inc/dec/call (FF /ext) on a register or memory operand.
  bool unaryR(uint32_t ext, const Gp& r) {
    if (!room() || !isGp(r, true)) return false;
    const uint32_t size = r.size();
    uint8_t* p = sizePrefix(_bufferPtr, size);
    p = rex(p, size == 8 && ext != 2, 0, 0, r.id(), needsByteRex(r));
    *p++ = size == 1 ? 0xFE : 0xFF;
    *p++ = static_cast<uint8_t>(0xC0 | (ext << 3) | (r.id() & 7));
    return done(p) == asmjit::kErrorOk;
  }
  bool unaryM(uint32_t ext, const Mem& m) {
    const uint32_t size = m.size();
    if (!room() || size == 0 || !plainMem(m)) return false;
    uint8_t* p = sizePrefix(_bufferPtr, size);
    p = rex(p, size == 8, 0, m.indexId() * m.hasIndex(), m.baseId(), false);
    *p++ = size == 1 ? 0xFE : 0xFF;
    return done(modrmMem(p, ext, m)) == asmjit::kErrorOk;
  }
  bool sseRR(uint8_t pfx, uint8_t op, uint32_t reg, uint32_t rm) {
    if (!room() || reg >= 16 || rm >= 16) return false;
    uint8_t* p = _bufferPtr;
    if (pfx) *p++ = pfx;
    p = rex(p, false, reg, 0, rm, false);
    *p++ = 0x0F;
    *p++ = op;
    *p++ = static_cast<uint8_t>(0xC0 | ((reg & 7) << 3) | (rm & 7));
    return done(p) == asmjit::kErrorOk;
  }
  bool sseRM(uint8_t pfx, uint8_t op, uint32_t reg, const Mem& m) {
    if (!room() || reg >= 16 || !plainMem(m)) return false;
    uint8_t* p = _bufferPtr;
    if (pfx) *p++ = pfx;
    p = rex(p, false, reg, m.indexId() * m.hasIndex(), m.baseId(), false);
    *p++ = 0x0F;
    *p++ = op;
    return done(modrmMem(p, reg, m)) == asmjit::kErrorOk;
  }
  bool gpXmm(uint8_t op, bool w, uint32_t x, uint32_t g) {
    if (!room() || x >= 16 || g >= 16) return false;
    uint8_t* p = _bufferPtr;
    *p++ = 0x66;
    p = rex(p, w, x, 0, g, false);
    *p++ = 0x0F;
    *p++ = op;
    *p++ = static_cast<uint8_t>(0xC0 | ((x & 7) << 3) | (g & 7));
    return done(p) == asmjit::kErrorOk;
  }
};


}  // namespace myrt::jit::x64
