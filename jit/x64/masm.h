// jit/x64/masm.h -- the x86-64 MacroAssembler: asmjit's x86::Assembler plus the few composite forms the compiler
// needs (immediates of any width, absolute calls, 16-byte slot copies, register codes <-> asmjit registers).
// Layer: jit/x64 (the only place besides compiler.cpp where asmjit types appear).
#pragma once
#include <asmjit/x86.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace myrt::jit::x64 {

#define MYRT_MASM_INLINE [[gnu::always_inline]] inline

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

  // setcc on a low byte register
  using Base::set;
  Err set(a64::CondCode cc, const Gp& r) { return setcc(static_cast<uint32_t>(cc), r) ? ok() : Base::set(cc, r); }
#define MYRT_MASM_SETCC(name, cc) \
  using Base::name;               \
  Err name(const Gp& r) { return setcc(static_cast<uint32_t>(a64::CondCode::cc), r) ? ok() : Base::name(r); }
  MYRT_MASM_SETCC(seta, kA)
  MYRT_MASM_SETCC(setae, kAE)
  MYRT_MASM_SETCC(setb, kB)
  MYRT_MASM_SETCC(setbe, kBE)
  MYRT_MASM_SETCC(sete, kE)
  MYRT_MASM_SETCC(setg, kG)
  MYRT_MASM_SETCC(setge, kGE)
  MYRT_MASM_SETCC(setl, kL)
  MYRT_MASM_SETCC(setle, kLE)
  MYRT_MASM_SETCC(setne, kNE)
  MYRT_MASM_SETCC(setnp, kNP)
  MYRT_MASM_SETCC(setp, kP)
#undef MYRT_MASM_SETCC
  // shifts and rotates of 32/64-bit registers by an immediate or by cl
#define MYRT_MASM_SHIFT(name, ext)                                                                      \
  using Base::name;                                                                                     \
  Err name(const Gp& d, const Imm& i) { return shiftR(ext, d, &i, a64::Gp()) ? ok() : Base::name(d, i); } \
  Err name(const Gp& d, const Gp& c) { return shiftR(ext, d, nullptr, c) ? ok() : Base::name(d, c); }
  MYRT_MASM_SHIFT(rol, 0)
  MYRT_MASM_SHIFT(ror, 1)
  MYRT_MASM_SHIFT(shl, 4)
  MYRT_MASM_SHIFT(shr, 5)
  MYRT_MASM_SHIFT(sar, 7)
#undef MYRT_MASM_SHIFT
  // call qword [mem]
  Err call(const Mem& m) {
    MemParts mp;
    if (!plainMem(m, mp) || mp.rip || !room()) return Base::call(m);
    return done(modrmMem(head(_bufferPtr, 4, 0, mp.index, mp.base, false, 0xFF), 2, mp));
  }
  // Data (db/dd/dq, embedUInt64 ...): one item of 1, 2, 4 or 8 bytes straight into the buffer.
  Err embedDataArray(asmjit::TypeId typeId, const void* data, size_t itemCount, size_t repeatCount = 1) override {
    const uint32_t t = static_cast<uint32_t>(typeId);
    const size_t n = t == 34 || t == 35 ? 1 : t == 36 || t == 37 ? 2 : t == 38 || t == 39 ? 4 : t == 40 || t == 41 ? 8 : 0;
    if (!n || itemCount != 1 || repeatCount != 1 || !room()) return Base::embedDataArray(typeId, data, itemCount, repeatCount);
    std::memcpy(_bufferPtr, data, n);
    return done(_bufferPtr + n);
  }

  // ---- jumps and calls to labels ----
  // A bound label (backward jump) gets its short or near form at once. A forward jump is emitted as rel32 and chained
  // through its own rel32 field (each holds the position + 1 of the previous pending field of the same label, 0 ends
  // the chain) until bind() patches the chain: asmjit's label links (a zone allocation per use) are not involved.
  using Base::j;
  Err j(a64::CondCode cc, const asmjit::Label& l) { return jumpTo(static_cast<uint32_t>(cc), l); }
#define MYRT_MASM_JCC(name, cc)  \
  using Base::name;              \
  Err name(const asmjit::Label& l) { return jumpTo(static_cast<uint32_t>(a64::CondCode::cc), l); }
  MYRT_MASM_JCC(ja, kA)
  MYRT_MASM_JCC(jae, kAE)
  MYRT_MASM_JCC(jb, kB)
  MYRT_MASM_JCC(jbe, kBE)
  MYRT_MASM_JCC(jc, kC)
  MYRT_MASM_JCC(je, kE)
  MYRT_MASM_JCC(jg, kG)
  MYRT_MASM_JCC(jge, kGE)
  MYRT_MASM_JCC(jl, kL)
  MYRT_MASM_JCC(jle, kLE)
  MYRT_MASM_JCC(jnc, kNC)
  MYRT_MASM_JCC(jne, kNE)
  MYRT_MASM_JCC(jno, kNO)
  MYRT_MASM_JCC(jnp, kNP)
  MYRT_MASM_JCC(jns, kNS)
  MYRT_MASM_JCC(jnz, kNZ)
  MYRT_MASM_JCC(jo, kO)
  MYRT_MASM_JCC(jp, kP)
  MYRT_MASM_JCC(js, kS)
  MYRT_MASM_JCC(jz, kZ)
#undef MYRT_MASM_JCC
  using Base::jmp;
  Err jmp(const asmjit::Label& l) { return jumpTo(kJmp, l); }
  Err call(const asmjit::Label& l) { return jumpTo(kCall, l); }
  // jmp to an earlier code offset of this section (a position the caller remembered instead of binding a label).
  Err jmpBack(uint64_t target) {
    if (room()) return jumpBack(kJmp, static_cast<int64_t>(target));
    const asmjit::Label l = newLabel();  // (no room: asmjit grows the buffer)
    _code->bindLabel(l, _section->id(), target);
    return Base::jmp(l);
  }
  // A jcc / jmp (rel32) to a position not known yet: patchHere(the returned field) points it at the current offset.
  // For targets with one jump (a skip over a branch's moves, an out-of-line stub): no label to create and bind.
  size_t jFwd(a64::CondCode cc) { return jumpForward(static_cast<uint32_t>(cc)); }
  size_t jmpFwd() { return jumpForward(kJmp); }
  size_t callFwd() { return jumpForward(kCall); }
  void patchHere(size_t field) { patchField(field, offset()); }
  // The rel32 field at `field` (it ends its instruction) refers to code offset `target`.
  void patchField(size_t field, size_t target) {
    if (field == SIZE_MAX) return;  // (the jump failed: the error is reported)
    const int32_t rel = static_cast<int32_t>(static_cast<int64_t>(target) - static_cast<int64_t>(field + 4));
    std::memcpy(_bufferData + field, &rel, 4);
  }
  // Writes a 32-bit value into already emitted code (an immediate known only later).
  void patchImm32(size_t field, uint32_t v) { std::memcpy(_bufferData + field, &v, 4); }
  // Several jFwd jumps to one place: each new field holds the previous one's position + 1 (a fresh field holds 0, the
  // chain's end) until patchChainHere patches them all.
  void chainFwd(size_t field, size_t prev) {
    if (field == SIZE_MAX) return;
    const uint32_t link = prev == SIZE_MAX ? 0 : static_cast<uint32_t>(prev + 1);
    std::memcpy(_bufferData + field, &link, 4);
  }
  void patchChainHere(size_t last) {
    while (last != SIZE_MAX) {
      uint32_t link;
      std::memcpy(&link, _bufferData + last, 4);
      patchHere(last);
      last = link ? link - 1 : SIZE_MAX;
    }
  }
  // Binds `l` here (asmjit's label) and patches the forward jumps waiting for it.
  Err bind(const asmjit::Label& l) override {
    const Err e = Base::bind(l);
    const uint32_t id = l.id();
    if (id < pending_.size() && pending_[id]) {
      const int64_t target = static_cast<int64_t>(offset());
      uint32_t link = pending_[id];
      pending_[id] = 0;
      while (link) {
        uint8_t* q = _bufferData + (link - 1);
        const int32_t rel = static_cast<int32_t>(target - int64_t(link - 1 + 4));
        std::memcpy(&link, q, 4);
        std::memcpy(q, &rel, 4);
        --numPending_;
      }
    }
    return e;
  }
  // ---- code templates (fixed sequences recorded once, then copied: BaselineMasm's entries) ----
  // Makes room for `n` more bytes, growing the buffer as asmjit's emitters do (false: out of memory, reported).
  bool reserveCode(size_t n) {
    if (static_cast<size_t>(_bufferEnd - _bufferPtr) >= n) return true;
    const size_t at = offset();
    const Err e = _code->growBuffer(&_section->_buffer, n);
    if (e != asmjit::kErrorOk) {
      reportError(e);
      return false;
    }
    _bufferData = _section->_buffer.data();
    _bufferEnd = _bufferData + _section->_buffer.capacity();
    _bufferPtr = _bufferData + at;
    return true;
  }
  const uint8_t* codeAt(size_t off) const { return _bufferData + off; }
  bool isBound(const asmjit::Label& l) const { return _code->isLabelBound(l); }
  // Copies `n` bytes of machine code here (false: no room could be made).
  bool embedCode(const uint8_t* bytes, size_t n) {
    if (!reserveCode(n) || _instOptions != asmjit::InstOptions::kNone || _inlineComment) return false;
    std::memcpy(_bufferPtr, bytes, n);
    done(_bufferPtr + n);
    return true;
  }
  // The rel32 field at `field` (the last 4 bytes of its instruction: a jump, a call or a rip-relative operand) refers
  // to `l`, a label of this section: not bound yet, it is chained as jumpTo / ripLink chain theirs (bind() patches it).
  void linkForward(size_t field, const asmjit::Label& l) {
    const asmjit::LabelEntry* le = _code->labelEntry(l);
    if (le && le->isBound()) {  // (a label of this section, bound before: the field gets its displacement now)
      const int32_t rel = static_cast<int32_t>(static_cast<int64_t>(le->offset()) - static_cast<int64_t>(field + 4));
      std::memcpy(_bufferData + field, &rel, 4);
      return;
    }
    chainPending(field, l.id());
  }
  // Forward jumps to labels that were never bound (a compiler bug: such code must not run).
  bool hasPendingJumps() const { return numPending_ != 0; }
  // Forgets the pending jumps (after a failed function; a MacroAssembler is reused across CodeHolders). Without
  // pending jumps every entry of pending_ is 0 already (bind zeroes the label's entry as it patches its chain).
  void resetJumps() {
    if (numPending_ == 0) return;
    std::fill(pending_.begin(), pending_.end(), 0u);
    numPending_ = 0;
  }

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
  static constexpr uint32_t kJmp = 16, kCall = 17;  // jumpTo's kinds besides the 16 condition codes
  std::vector<uint32_t> pending_;  // per label id: position + 1 of the last pending rel32 field, 0: none
  size_t numPending_ = 0;
  // The rel32 field at `field` waits for label `id`: it holds the previous pending field's position + 1 (0 ends the
  // chain) until bind() patches the chain.
  MYRT_MASM_INLINE void chainPending(size_t field, uint32_t id) {
    if (id >= pending_.size()) pending_.resize(id + 1 + id / 2, 0);
    std::memcpy(_bufferData + field, &pending_[id], 4);
    pending_[id] = static_cast<uint32_t>(field) + 1;
    ++numPending_;
  }
  Err jumpTo(uint32_t kind, const asmjit::Label& l) {
    asmjit::LabelEntry* le = room() ? _code->labelEntry(l) : nullptr;
    if (!le || (le->isBound() && le->section() != _section)) {
      if (kind == kJmp) return Base::jmp(l);
      if (kind == kCall) return Base::call(l);
      return Base::j(static_cast<a64::CondCode>(kind), l);
    }
    if (le->isBound()) return jumpBack(kind, static_cast<int64_t>(le->offset()));
    uint8_t* p = _bufferPtr;
    if (kind < 16) *p++ = 0x0F;
    *p++ = static_cast<uint8_t>(kind == kJmp ? 0xE9 : kind == kCall ? 0xE8 : 0x80 + kind);
    chainPending(static_cast<size_t>(p - _bufferData), l.id());
    return done(p + 4);
  }
  size_t jumpForward(uint32_t kind) {
    if (!reserveCode(16)) return SIZE_MAX;  // (grows the buffer as asmjit's emitters do)
    uint8_t* p = _bufferPtr;
    if (kind < 16) *p++ = 0x0F;
    *p++ = static_cast<uint8_t>(kind == kJmp ? 0xE9 : kind == kCall ? 0xE8 : 0x80 + kind);
    std::memset(p, 0, 4);
    const size_t field = static_cast<size_t>(p - _bufferData);
    done(p + 4);
    return field;
  }
  // A jump / call to `target` at or before the current offset, in its short form when it reaches (needs room()).
  Err jumpBack(uint32_t kind, int64_t target) {
    uint8_t* p = _bufferPtr;
    const int64_t at = static_cast<int64_t>(offset());
    if (kind != kCall && target - (at + 2) >= -128) {  // (backward: never beyond +127)
      *p++ = static_cast<uint8_t>(kind == kJmp ? 0xEB : 0x70 + kind);
      *p++ = static_cast<uint8_t>(target - (at + 2));
      return done(p);
    }
    if (kind < 16) *p++ = 0x0F;
    *p++ = static_cast<uint8_t>(kind == kJmp ? 0xE9 : kind == kCall ? 0xE8 : 0x80 + kind);
    const int32_t rel = static_cast<int32_t>(target - (at + (p - _bufferPtr) + 4));
    std::memcpy(p, &rel, 4);
    return done(p + 4);
  }
  static Err ok() { return asmjit::kErrorOk; }
  // Room for the longest instruction, and no pending asmjit options (prefixes, comments) that only asmjit handles.
  MYRT_MASM_INLINE bool room() const {
    return _bufferEnd - _bufferPtr >= 16 && _instOptions == asmjit::InstOptions::kNone && !_inlineComment &&
           !_extraReg.isReg();
  }
  // The instruction ends at `p`: what asmjit's own writer does when it is done.
  MYRT_MASM_INLINE Err done(uint8_t* p) {
    _bufferPtr = p;
    const size_t n = static_cast<size_t>(p - _bufferData);
    if (n > _section->_buffer._size) _section->_buffer._size = n;
    return ok();
  }
  // Operand size of a GP register (8/4/2, 1 for the low byte registers when `allowByte`), 0: not encoded here.
  MYRT_MASM_INLINE static uint32_t gpSize(const Gp& r, bool allowByte) {
    if (r.id() >= 16) return 0;
    if (r.isGpq()) return 8;
    if (r.isGpd()) return 4;
    if (r.isGpw()) return 2;
    return allowByte && r.isGpbLo() ? 1 : 0;
  }
  // [base + index << shift + disp32] with 64-bit GP base/index (no rip, label, segment or absolute forms), decoded.
  // A label base (rip-relative, no index) is accepted when the label is bound in this section or the displacement is
  // 0 (the rel32 then waits in the label's chain like a forward jump); `rip` forms must end with their rel32.
  struct MemParts {
    uint32_t base, index, shift;  // index 4 (rsp): none
    int32_t disp;
    bool rip = false;
    uint32_t label = 0;
  };
  MYRT_MASM_INLINE bool plainMem(const Mem& m, MemParts& o) const {
    constexpr uint32_t kOther = Mem::kSignatureMemSegmentMask | Mem::kSignatureMemAddrTypeMask | Mem::kSignatureMemBroadcastMask;
    o.rip = false;
    if (m.baseType() == asmjit::RegType::kLabelTag) return ripMem(m, o);
    if (m.baseType() != asmjit::RegType::kX86_Gpq || (m.signature().bits() & kOther) || m.baseId() >= 16) return false;
    o.base = m.baseId();
    o.disp = m.offsetLo32();
    o.shift = m.shift();
    if (m.indexType() == asmjit::RegType::kNone) {
      o.index = 4;
      return true;
    }
    o.index = m.indexId();
    return m.indexType() == asmjit::RegType::kX86_Gpq && o.index < 16 && o.index != 4;
  }
  // Legacy prefix of an operation of `size` bytes (0x66 for 16 bits), REX from W and the high bits of reg / index /
  // base (`force`: byte registers spl..dil), then 1 or 2 opcode bytes (0F xx). Returns the cursor.
  MYRT_MASM_INLINE static uint8_t* head(uint8_t* p, uint32_t size, uint32_t reg, uint32_t index, uint32_t base, bool force, uint32_t op) {
    if (size == 2) *p++ = 0x66;
    const uint32_t r = 0x40 | (size == 8 ? 8 : 0) | ((reg >> 1) & 4) | ((index >> 2) & 2) | ((base >> 3) & 1);
    if (r != 0x40 || force) *p++ = static_cast<uint8_t>(r);
    if (op > 0xFF) *p++ = static_cast<uint8_t>(op >> 8);
    *p++ = static_cast<uint8_t>(op);
    return p;
  }
  MYRT_MASM_INLINE static uint8_t* modrmReg(uint8_t* p, uint32_t reg, uint32_t rm) {
    *p++ = static_cast<uint8_t>(0xC0 | ((reg & 7) << 3) | (rm & 7));
    return p;
  }
  // The ModRM mod field for displacement `disp` from a base whose low three bits are `base3` (rbp/r13 need a disp8 even
  // for 0), and the displacement bytes that mod calls for.
  MYRT_MASM_INLINE static uint32_t dispMod(int32_t disp, uint32_t base3) {
    return (disp == 0 && base3 != 5) ? 0 : (disp >= -128 && disp <= 127) ? 1 : 2;
  }
  MYRT_MASM_INLINE static uint8_t* putDisp(uint8_t* p, uint32_t mod, int32_t disp) {
    if (mod == 1) {
      *p++ = static_cast<uint8_t>(disp);
    } else if (mod == 2) {
      std::memcpy(p, &disp, 4);
      p += 4;
    }
    return p;
  }
  // ModRM (+ SIB + displacement) of a plain memory operand.
  MYRT_MASM_INLINE static uint8_t* modrmMem(uint8_t* p, uint32_t reg, const MemParts& m) {
    if (m.rip) {  // [rip + rel32]: the field is filled by ripLink once the instruction is complete
      *p++ = static_cast<uint8_t>(((reg & 7) << 3) | 5);
      std::memset(p, 0, 4);
      return p + 4;
    }
    const uint32_t base = m.base & 7;
    const int32_t disp = m.disp;
    const bool sib = m.index != 4 || base == 4;
    const uint32_t mod = dispMod(disp, base);
    *p++ = static_cast<uint8_t>((mod << 6) | ((reg & 7) << 3) | (sib ? 4 : base));
    if (sib) *p++ = static_cast<uint8_t>((m.shift << 6) | ((m.index & 7) << 3) | base);
    p = putDisp(p, mod, disp);
    return p;
  }
  bool ripMem(const Mem& m, MemParts& o) const {
    constexpr uint32_t kOther = Mem::kSignatureMemSegmentMask | Mem::kSignatureMemAddrTypeMask | Mem::kSignatureMemBroadcastMask;
    if (m.hasIndex() || (m.signature().bits() & kOther)) return false;
    const asmjit::LabelEntry* le = _code->labelEntry(m.baseId());
    if (!le || (le->isBound() ? le->section() != _section : m.offsetLo32() != 0)) return false;
    o.rip = true;
    o.label = m.baseId();
    o.base = 5;
    o.index = 4;
    o.shift = 0;
    o.disp = m.offsetLo32();
    return true;
  }
  // The instruction of a rip-relative operand ends at `end` (its last 4 bytes are the rel32).
  void ripLink(uint8_t* end, const MemParts& m) {
    const int64_t field = (end - 4) - _bufferData;
    const asmjit::LabelEntry* le = _code->labelEntry(m.label);
    if (le->isBound()) {
      const int32_t rel = static_cast<int32_t>(static_cast<int64_t>(le->offset()) + m.disp - (field + 4));
      std::memcpy(end - 4, &rel, 4);
      return;
    }
    chainPending(static_cast<size_t>(field), m.label);
  }
  bool setcc(uint32_t cc, const Gp& r) {
    if (gpSize(r, true) != 1 || !room()) return false;
    done(modrmReg(head(_bufferPtr, 4, 0, 0, r.id(), r.id() >= 4, 0x0F90 + cc), 0, r.id()));
    return true;
  }
  // shift/rotate (ModRM extension `ext`) of a 32/64-bit register by an immediate (`i`) or by cl.
  bool shiftR(uint32_t ext, const Gp& d, const Imm* i, const Gp& c) {
    const uint32_t size = gpSize(d, false);
    if (size < 4 || !room()) return false;
    if (i) {
      if (i->type() != asmjit::ImmType::kInt || i->value() < 0 || i->value() > 255) return false;
      if (i->value() == 1) {
        done(modrmReg(head(_bufferPtr, size, 0, 0, d.id(), false, 0xD1), ext, d.id()));
      } else {
        uint8_t* p = modrmReg(head(_bufferPtr, size, 0, 0, d.id(), false, 0xC1), ext, d.id());
        *p++ = static_cast<uint8_t>(i->value());
        done(p);
      }
      return true;
    }
    if (!c.isGpbLo() || c.id() != 1) return false;
    done(modrmReg(head(_bufferPtr, size, 0, 0, d.id(), false, 0xD3), ext, d.id()));
    return true;
  }
  MYRT_MASM_INLINE static bool needsByteRex(uint32_t size, uint32_t id) { return size == 1 && id >= 4; }
  // op r/m(rm), reg with one- or two-byte `op` (one-byte ops: the 8-bit form is op - 1).
  bool gpRR(uint32_t op, const Gp& rm, const Gp& reg) {
    const uint32_t size = gpSize(rm, op <= 0xFF);
    if (!size || gpSize(reg, op <= 0xFF) != size || !room()) return false;
    const uint32_t g = reg.id(), b = rm.id();
    uint8_t* p = head(_bufferPtr, size, g, 0, b, needsByteRex(size, b) || needsByteRex(size, g), size == 1 ? op - 1 : op);
    done(modrmReg(p, g, b));
    return true;
  }
  bool gpRM(uint32_t op, const Gp& reg, const Mem& m) {
    // the bulk of all calls (frame slots, fields of cx/instance): a 32/64-bit register and [gpq base + disp32]
    constexpr uint32_t kBaseOnly = asmjit::OperandSignature::fromOpType(asmjit::OperandType::kMem).bits() |
                                   asmjit::OperandSignature::fromMemBaseType(asmjit::RegType::kX86_Gpq).bits();
    if ((m.signature().bits() & ~uint32_t(asmjit::OperandSignature::kSizeMask)) == kBaseOnly && m.baseId() < 16 &&
        reg.id() < 16 && (reg.isGpq() || reg.isGpd()) && room()) {
      const uint32_t g = reg.id(), b = m.baseId();
      const int32_t disp = m.offsetLo32();
      uint8_t* p = _bufferPtr;
      const uint32_t rex = 0x40 | (reg.isGpq() ? 8 : 0) | ((g >> 1) & 4) | (b >> 3);
      if (rex != 0x40) *p++ = static_cast<uint8_t>(rex);
      if (op > 0xFF) *p++ = static_cast<uint8_t>(op >> 8);
      *p++ = static_cast<uint8_t>(op);
      const uint32_t lo = b & 7, mod = dispMod(disp, lo);
      *p++ = static_cast<uint8_t>((mod << 6) | ((g & 7) << 3) | lo);
      if (lo == 4) *p++ = 0x24;  // rsp/r12 base: SIB without index
      p = putDisp(p, mod, disp);
      done(p);
      return true;
    }
    return gpRMIndexed(op, reg, m);
  }
  // [gpq base + gpq index << shift + disp32] (guarded memory accesses) with a 32/64-bit register, else gpRMGeneral.
  [[gnu::noinline]] bool gpRMIndexed(uint32_t op, const Gp& reg, const Mem& m) {
    constexpr uint32_t kBaseIndex = asmjit::OperandSignature::fromOpType(asmjit::OperandType::kMem).bits() |
                                    asmjit::OperandSignature::fromMemBaseType(asmjit::RegType::kX86_Gpq).bits() |
                                    asmjit::OperandSignature::fromMemIndexType(asmjit::RegType::kX86_Gpq).bits();
    constexpr uint32_t kIgnored = uint32_t(asmjit::OperandSignature::kSizeMask) | uint32_t(Mem::kSignatureMemShiftValueMask);
    if ((m.signature().bits() & ~kIgnored) != kBaseIndex || m.baseId() >= 16 || m.indexId() >= 16 || m.indexId() == 4 ||
        reg.id() >= 16 || !(reg.isGpq() || reg.isGpd()) || !room())
      return gpRMGeneral(op, reg, m);
    const uint32_t g = reg.id(), b = m.baseId(), x = m.indexId();
    const int32_t disp = m.offsetLo32();
    uint8_t* p = _bufferPtr;
    const uint32_t rex = 0x40 | (reg.isGpq() ? 8 : 0) | ((g >> 1) & 4) | ((x >> 2) & 2) | (b >> 3);
    if (rex != 0x40) *p++ = static_cast<uint8_t>(rex);
    if (op > 0xFF) *p++ = static_cast<uint8_t>(op >> 8);
    *p++ = static_cast<uint8_t>(op);
    const uint32_t lo = b & 7, mod = dispMod(disp, lo);
    *p++ = static_cast<uint8_t>((mod << 6) | ((g & 7) << 3) | 4);
    *p++ = static_cast<uint8_t>((m.shift() << 6) | ((x & 7) << 3) | lo);
    p = putDisp(p, mod, disp);
    done(p);
    return true;
  }
  // gpRM's other forms (index, byte/word registers, rip): out of line, so the fast path above needs few registers
  // (no callee-saved register spills on every call).
  [[gnu::noinline]] bool gpRMGeneral(uint32_t op, const Gp& reg, const Mem& m) {
    MemParts mp;
    const uint32_t size = gpSize(reg, op <= 0xFF && op != 0x8D);
    if (!size || !plainMem(m, mp) || !room()) return false;
    const uint32_t g = reg.id();
    uint8_t* p = modrmMem(head(_bufferPtr, size, g, mp.index, mp.base, needsByteRex(size, g), size == 1 ? op - 1 : op), g, mp);
    if (mp.rip) ripLink(p, mp);
    done(p);
    return true;
  }
  // movzx / movsx from an 8- or 16-bit source.
  bool extRR(uint32_t op, const Gp& d, const Gp& s) {
    const uint32_t dsize = gpSize(d, false), ssize = gpSize(s, true);
    if (dsize < 4 || !ssize || ssize > 2 || !room()) return false;
    uint8_t* p = head(_bufferPtr, dsize, d.id(), 0, s.id(), needsByteRex(ssize, s.id()), op);
    done(modrmReg(p, d.id(), s.id()));
    return true;
  }
  bool extRM(uint32_t op, const Gp& d, const Mem& m) {
    MemParts mp;
    const uint32_t dsize = gpSize(d, false);
    if (dsize < 4 || (m.size() != 1 && m.size() != 2) || !plainMem(m, mp) || !room()) return false;
    uint8_t* p = modrmMem(head(_bufferPtr, dsize, d.id(), mp.index, mp.base, false, op), d.id(), mp);
    if (mp.rip) ripLink(p, mp);
    done(p);
    return true;
  }
  MYRT_MASM_INLINE static bool immFits(const Imm& i, uint32_t size, int64_t& v) {  // the value as the CPU sign-extends it
    if (i.type() != asmjit::ImmType::kInt) return false;
    const int64_t x = i.value();
    switch (size) {
      case 1: if (x < -128 || x > 255) return false; v = static_cast<int8_t>(x); return true;
      case 2: if (x < -32768 || x > 65535) return false; v = static_cast<int16_t>(x); return true;
      case 4: if (x < INT32_MIN || x > UINT32_MAX) return false; v = static_cast<int32_t>(x); return true;
      default: if (x < INT32_MIN || x > INT32_MAX) return false; v = x; return true;
    }
  }
  MYRT_MASM_INLINE static uint8_t* imm(uint8_t* p, int64_t v, uint32_t bytes) {
    if (bytes == 1) {
      *p++ = static_cast<uint8_t>(v);
    } else if (bytes == 2) {
      const int16_t v16 = static_cast<int16_t>(v);
      std::memcpy(p, &v16, 2);
      p += 2;
    } else {
      const int32_t v32 = static_cast<int32_t>(v);
      std::memcpy(p, &v32, 4);
      p += 4;
    }
    return p;
  }
  bool movRI(const Gp& d, const Imm& i) {
    const uint32_t size = gpSize(d, true);
    if (!size || i.type() != asmjit::ImmType::kInt || !room()) return false;
    const int64_t x = i.value();
    const uint32_t r = d.id();
    uint8_t* p = _bufferPtr;
    if (size == 8) {
      if (x >= 0 && x <= UINT32_MAX) {  // mov r32, imm32 zero-extends: the short form
        p = imm(head(p, 4, 0, 0, r, false, 0xB8 + (r & 7)), x, 4);
      } else if (x >= INT32_MIN && x <= INT32_MAX) {
        p = imm(modrmReg(head(p, 8, 0, 0, r, false, 0xC7), 0, r), x, 4);
      } else {
        p = head(p, 8, 0, 0, r, false, 0xB8 + (r & 7));
        std::memcpy(p, &x, 8);
        p += 8;
      }
      done(p);
      return true;
    }
    int64_t v;
    if (!immFits(i, size, v)) return false;
    done(imm(head(p, size, 0, 0, r, needsByteRex(size, r), (size == 1 ? 0xB0 : 0xB8) + (r & 7)), v, size));
    return true;
  }
  bool movMI(const Mem& m, const Imm& i) {
    MemParts mp;
    const uint32_t size = m.size();
    int64_t v;
    if (!size || !immFits(i, size, v) || !plainMem(m, mp) || mp.rip || !room()) return false;
    uint8_t* p = modrmMem(head(_bufferPtr, size, 0, mp.index, mp.base, false, size == 1 ? 0xC6 : 0xC7), 0, mp);
    done(imm(p, v, size == 8 ? 4 : size));
    return true;
  }
  // add/or/and/sub/xor/cmp (ModRM extension `ext`) with an immediate: imm8 form when it fits, the accumulator form
  // (no ModRM) for al/eax/rax otherwise, as asmjit picks them. 16-bit operands go to asmjit.
  bool aluRI(uint32_t ext, const Gp& d, const Imm& i) {
    const uint32_t size = gpSize(d, true);
    int64_t v;
    if (!size || size == 2 || !immFits(i, size, v) || !room()) return false;
    const uint32_t r = d.id();
    const bool short8 = size != 1 && v >= -128 && v <= 127;
    uint8_t* p;
    if (r == 0 && !short8) {
      p = head(_bufferPtr, size, 0, 0, 0, false, ext * 8 + (size == 1 ? 4 : 5));
    } else {
      p = modrmReg(head(_bufferPtr, size, 0, 0, r, needsByteRex(size, r), size == 1 ? 0x80 : short8 ? 0x83 : 0x81), ext, r);
    }
    done(imm(p, v, size == 1 || short8 ? 1 : 4));
    return true;
  }
  bool aluMI(uint32_t ext, const Mem& m, const Imm& i) {
    MemParts mp;
    const uint32_t size = m.size();
    int64_t v;
    if (!size || size == 2 || !immFits(i, size, v) || !plainMem(m, mp) || mp.rip || !room()) return false;
    const bool short8 = size != 1 && v >= -128 && v <= 127;
    uint8_t* p = modrmMem(head(_bufferPtr, size, 0, mp.index, mp.base, false, size == 1 ? 0x80 : short8 ? 0x83 : 0x81), ext, mp);
    done(imm(p, v, size == 1 || short8 ? 1 : 4));
    return true;
  }
  bool pushPop(uint32_t op, const Gp& r) {
    if (gpSize(r, false) != 8 || !room()) return false;
    done(head(_bufferPtr, 4, 0, 0, r.id(), false, op + (r.id() & 7)));
    return true;
  }
  // inc/dec/call (FF /ext, FE for bytes) on a register or memory operand (call: no REX.W).
  bool unaryR(uint32_t ext, const Gp& r) {
    const uint32_t size = gpSize(r, true);
    if (!size || !room()) return false;
    uint8_t* p = head(_bufferPtr, ext == 2 ? 4 : size, 0, 0, r.id(), needsByteRex(size, r.id()), size == 1 ? 0xFE : 0xFF);
    done(modrmReg(p, ext, r.id()));
    return true;
  }
  bool unaryM(uint32_t ext, const Mem& m) {
    MemParts mp;
    const uint32_t size = m.size();
    if (!size || !plainMem(m, mp) || !room()) return false;
    uint8_t* p = modrmMem(head(_bufferPtr, size, 0, mp.index, mp.base, false, size == 1 ? 0xFE : 0xFF), ext, mp);
    if (mp.rip) ripLink(p, mp);
    done(p);
    return true;
  }
  // SSE: mandatory prefix (0 none), REX without W, 0F op.
  MYRT_MASM_INLINE static uint8_t* sseHead(uint8_t* p, uint32_t pfx, uint32_t reg, uint32_t index, uint32_t base, uint32_t op) {
    if (pfx) *p++ = static_cast<uint8_t>(pfx);
    return head(p, 4, reg, index, base, false, 0x0F00 | op);
  }
  bool sseRR(uint32_t pfx, uint32_t op, uint32_t reg, uint32_t rm) {
    if (reg >= 16 || rm >= 16 || !room()) return false;
    done(modrmReg(sseHead(_bufferPtr, pfx, reg, 0, rm, op), reg, rm));
    return true;
  }
  bool sseRM(uint32_t pfx, uint32_t op, uint32_t reg, const Mem& m) {
    MemParts mp;
    if (reg >= 16 || !plainMem(m, mp) || !room()) return false;
    uint8_t* p = modrmMem(sseHead(_bufferPtr, pfx, reg, mp.index, mp.base, op), reg, mp);
    if (mp.rip) ripLink(p, mp);
    done(p);
    return true;
  }
  // movd/movq: 66 [REX.W] 0F op, reg = the XMM register, rm = the GP register.
  bool gpXmm(uint32_t op, bool w, uint32_t x, uint32_t g) {
    if (x >= 16 || g >= 16 || !room()) return false;
    uint8_t* p = _bufferPtr;
    *p++ = 0x66;
    done(modrmReg(head(p, w ? 8 : 4, x, 0, g, false, 0x0F00 | op), x, g));
    return true;
  }
};

}  // namespace myrt::jit::x64
