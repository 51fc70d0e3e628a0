// jit/arm64/masm.h -- the AArch64 MacroAssembler: asmjit's a64::Assembler plus the composite forms the baseline
// compiler needs: immediates of any width (movz/movn/movk), frame-slot operands at any offset, forward jumps without
// labels (their fixup fields patched in place), absolute calls, register codes <-> asmjit registers.
// Layer: jit/arm64 (with compiler.cpp the only place asmjit a64 types appear).
#pragma once
#include <asmjit/arm.h>
#include <asmjit/arm/a64assembler.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>

namespace myrt::jit::arm64 {

namespace a = asmjit::a64;
using Cond = asmjit::arm::CondCode;

// Register codes used by the value stack (jit/common/value_stack.h): 0..30 X registers, 32..63 V0..V31.
constexpr uint8_t kFpBase = 32;
inline a::Gp gpx(uint8_t code) { return a::x(code); }
inline a::Gp gpw(uint8_t code) { return a::w(code); }
inline a::Vec vs(uint8_t code) { return a::s(code - kFpBase); }
inline a::Vec vd(uint8_t code) { return a::d(code - kFpBase); }
inline a::Vec vq(uint8_t code) { return a::v(code - kFpBase); }
// asmjit's condition codes are the A64 encoding + 2 and come in complementary pairs (EQ/NE, HS/LO, ...).
inline Cond negateCond(Cond c) { return static_cast<Cond>(static_cast<uint8_t>(c) ^ 1u); }
inline asmjit::Imm condImm(Cond c) { return asmjit::imm(static_cast<uint32_t>(c)); }

class MacroAssembler : public a::Assembler {
  using Base = a::Assembler;

 public:
  using Base::Base;

  // ---- forward jumps without labels: the returned field is the branch instruction's offset ----
  size_t jFwd(Cond cc) { return raw(0x54000000u | (static_cast<uint32_t>(cc) - 2u)); }  // b.cond
  size_t jmpFwd() { return raw(0x14000000u); }                                          // b
  size_t cbnzFwd(const a::Gp& r) { return raw((r.isGpX() ? 0xB5000000u : 0x35000000u) | r.id()); }
  size_t blFwd() { return raw(0x94000000u); }  // bl (a call linked by jit.cpp: Backend::patchCall)
  void patchHere(size_t field) { patchTo(field, offset()); }
  // Several jFwd jumps to one place, chained (a side table: the fields of A64 branches are too narrow for a link)
  void chainFwd(size_t field, size_t prev) {
    if (field != SIZE_MAX) links_[field] = prev;
  }
  void patchChainHere(size_t last) {
    while (last != SIZE_MAX) {
      patchHere(last);
      auto it = links_.find(last);
      last = it == links_.end() ? SIZE_MAX : it->second;
    }
  }
  // b to an earlier code offset of this section
  void jmpBack(size_t target) {
    const size_t at = raw(0x14000000u);
    patchTo(at, target);
  }
  // A branch whose target is out of its range (+-1 MB for b.cond/cbz, +-128 MB for b/bl): the function cannot be
  // compiled this way (an error the FunctionCompiler reports: the function stays in the interpreter).
  bool rangeError() const { return rangeError_; }
  void resetJumps() {
    links_.clear();
    rangeError_ = false;
    unsupported_.clear();
  }
  // The first instruction the baseline masm could not compile (empty: none).
  void fail(std::string_view what) {
    if (unsupported_.empty()) unsupported_ = what;
  }
  const std::string& unsupported() const { return unsupported_; }
  // Patches the b/bl (imm26) or b.cond/cbz/cbnz (imm19) at `site` of a code buffer to `target`; false if out of range.
  static bool patchBranch(uint8_t* code, size_t site, size_t target) {
    uint32_t w;
    std::memcpy(&w, code + site, 4);
    const int64_t delta = (static_cast<int64_t>(target) - static_cast<int64_t>(site)) / 4;
    if ((w & 0x7C000000u) == 0x14000000u) {  // b / bl
      if (delta < -(int64_t(1) << 25) || delta >= (int64_t(1) << 25)) return false;
      w = (w & 0xFC000000u) | (static_cast<uint32_t>(delta) & 0x03FFFFFFu);
    } else {  // b.cond / cbz / cbnz
      if (delta < -(int64_t(1) << 18) || delta >= (int64_t(1) << 18)) return false;
      w = (w & 0xFF00001Fu) | ((static_cast<uint32_t>(delta) & 0x7FFFFu) << 5);
    }
    std::memcpy(code + site, &w, 4);
    return true;
  }

  // ---- immediates ----
  // dst = v (w registers: the low 32 bits) in at most four instructions (movz or movn, then movk).
  void loadImm(const a::Gp& dst, uint64_t v) {
    const bool x = dst.isGpX();
    const unsigned n = x ? 4 : 2;
    if (!x) v &= 0xffffffffu;
    unsigned zeros = 0, ones = 0;
    for (unsigned i = 0; i < n; ++i) {
      const uint32_t h = static_cast<uint32_t>(v >> (16 * i)) & 0xffff;
      zeros += h == 0;
      ones += h == 0xffff;
    }
    const bool inverted = ones > zeros;
    const uint32_t skip = inverted ? 0xffff : 0;
    const uint32_t sf = x ? 0x80000000u : 0, rd = dst.id();
    bool first = true;
    for (unsigned i = 0; i < n; ++i) {
      const uint32_t h = static_cast<uint32_t>(v >> (16 * i)) & 0xffff;
      if (h == skip) continue;
      if (first) {
        const uint32_t op = inverted ? 0x12800000u : 0x52800000u;  // movn / movz
        raw(sf | op | (i << 21) | ((inverted ? (~h & 0xffff) : h) << 5) | rd);
        first = false;
      } else {
        raw(sf | 0x72800000u | (i << 21) | (h << 5) | rd);  // movk
      }
    }
    if (first) raw(sf | (inverted ? 0x12800000u : 0x52800000u) | rd);  // all halfwords equal to `skip`: 0 or -1
  }
  // Calls an absolute address (through x16; the code stays position independent).
  void callAbs(const void* fn) {
    loadImm(a::x16, reinterpret_cast<uint64_t>(fn));
    blr(a::x16);
  }

  // ---- memory operands ----
  // `m` as an operand that an access of `size` bytes can encode: [base, #off] with an offset out of range of both the
  // scaled unsigned and the unscaled signed form becomes [x17] (x17 = base + off).
  a::Mem fit(const a::Mem& m, unsigned size) {
    if (m.hasIndex() || m.hasBaseLabel() || !m.hasBaseReg()) return m;
    const int64_t off = m.offset();
    if (off >= -256 && off <= 255) return m;
    if (off >= 0 && off % size == 0 && off / size < 4096) return m;
    const a::Gp base = a::x(m.baseId());
    if (off > 0 && off < 4096) {
      add(a::x17, base, off);
    } else if (off < 0 && off > -4096) {
      sub(a::x17, base, -off);
    } else {
      loadImm(a::x17, static_cast<uint64_t>(off));
      add(a::x17, base, a::x17);
    }
    return a::ptr(a::x17);
  }
  // dst = the address of a [base, #off] operand
  void addressOf(const a::Gp& dst, const a::Mem& m) {
    const int64_t off = m.offset();
    const a::Gp base = m.baseId() == a::Gp::kIdSp ? a::sp : a::x(m.baseId());
    if (off >= 0 && off < 4096) {
      add(dst, base, off);
    } else if (off < 0 && off > -4096) {
      sub(dst, base, -off);
    } else {
      loadImm(dst, static_cast<uint64_t>(off));
      add(dst, base, dst);
    }
  }
  // Copies a value slot through x16 (8 bytes) or q31 (v128).
  void copyValue(const a::Mem& dst, const a::Mem& src, bool v128) {
    if (v128) {
      ldr(a::v(31), fit(src, 16));
      str(a::v(31), fit(dst, 16));
    } else {
      ldr(a::x16, fit(src, 8));
      str(a::x16, fit(dst, 8));
    }
  }

 private:
  size_t raw(uint32_t word) {
    const size_t at = offset();
    embedUInt32(word);
    return at;
  }
  void patchTo(size_t field, size_t target) {
    if (field == SIZE_MAX) return;
    if (field + 4 > static_cast<size_t>(_bufferPtr - _bufferData) || !patchBranch(_bufferData, field, target))
      rangeError_ = true;
  }
  std::unordered_map<size_t, size_t> links_;
  bool rangeError_ = false;
  std::string unsupported_;
};

}  // namespace myrt::jit::arm64
