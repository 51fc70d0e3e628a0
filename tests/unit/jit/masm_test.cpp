// The x86-64 MacroAssembler's own encodings (jit/x64/masm.h) against asmjit's: every fast form, every register,
// every addressing form (bases incl. rsp/rbp/r12/r13, index registers, scales, displacement sizes), immediates at
// the edges of their encodings. Where the MacroAssembler picks a different valid encoding on purpose (mov r64 of an
// unsigned 32-bit immediate: the zero-extending `mov r32, imm32`), the expected bytes are spelled out.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "jit/x64/masm.h"

namespace {

using namespace myrt::jit::x64;
namespace a = asmjit::x86;

// Two assemblers side by side: the MacroAssembler and plain asmjit. `check` emits one instruction on both and compares
// the bytes it appended.
struct Pair {
  asmjit::CodeHolder fastCode, refCode;
  MacroAssembler* fast = nullptr;
  a::Assembler* ref = nullptr;
  size_t fastAt = 0, refAt = 0;
  size_t checked = 0;
  Pair() {
    fastCode.init(asmjit::Environment::host());
    refCode.init(asmjit::Environment::host());
    fast = new MacroAssembler(&fastCode);
    ref = new a::Assembler(&refCode);
  }
  ~Pair() {
    delete fast;
    delete ref;
  }
  static std::string hex(const uint8_t* p, size_t n) {
    std::string s;
    char b[4];
    for (size_t i = 0; i < n; ++i) {
      std::snprintf(b, sizeof b, "%02x ", p[i]);
      s += b;
    }
    return s;
  }
  std::vector<uint8_t> takeFast() {
    std::vector<uint8_t> v(fast->bufferData() + fastAt, fast->bufferPtr());
    fastAt = fast->offset();
    return v;
  }
  std::vector<uint8_t> takeRef() {
    std::vector<uint8_t> v(ref->bufferData() + refAt, ref->bufferPtr());
    refAt = ref->offset();
    return v;
  }
  // `emit` is called with each assembler (generic lambda); the MacroAssembler's overloads hide asmjit's.
  template <class F>
  void check(const char* what, F&& emit) {
    emit(*fast);
    emit(static_cast<a::Assembler&>(*ref));
    const auto f = takeFast(), r = takeRef();
    ++checked;
    if (f != r) {
      INFO(what << ": fast " << hex(f.data(), f.size()) << "| asmjit " << hex(r.data(), r.size()));
      CHECK(f == r);
    }
  }
  template <class F>
  void expect(const char* what, std::vector<uint8_t> bytes, F&& emit) {
    emit(*fast);
    const auto f = takeFast();
    ++checked;
    if (f != bytes) {
      INFO(what << ": fast " << hex(f.data(), f.size()) << "| expected " << hex(bytes.data(), bytes.size()));
      CHECK(f == bytes);
    }
  }
};

a::Gp gp(uint32_t size, uint32_t id) {
  switch (size) {
    case 1: return a::gpb_lo(id);
    case 2: return a::gpw(id);
    case 4: return a::gpd(id);
    default: return a::gpq(id);
  }
}

// Memory operands: every base, no index or an index (not rsp) with each scale, displacements around the disp8/disp32
// boundaries.
std::vector<a::Mem> memForms(uint32_t size) {
  std::vector<a::Mem> out;
  const int32_t disps[] = {0, 1, -1, 127, 128, -128, -129, 0x12345678, -0x12345678};
  for (uint32_t b = 0; b < 16; ++b) {
    for (int32_t d : disps) out.push_back(a::ptr(a::gpq(b), d, size));
    for (uint32_t x = 0; x < 16; ++x) {
      if (x == 4) continue;
      for (uint32_t s = 0; s < 4; ++s) out.push_back(a::ptr(a::gpq(b), a::gpq(x), s, disps[(b + x + s) % 9], size));
    }
  }
  return out;
}

}  // namespace

TEST_CASE("masm: GP register forms match asmjit", "[jit][masm]") {
  Pair p;
  for (uint32_t size : {1u, 2u, 4u, 8u}) {
    for (uint32_t d = 0; d < 16; ++d) {
      for (uint32_t s = 0; s < 16; ++s) {
        const a::Gp x = gp(size, d), y = gp(size, s);
        p.check("mov r,r", [&](auto& m) { m.mov(x, y); });
        p.check("add r,r", [&](auto& m) { m.add(x, y); });
        p.check("or r,r", [&](auto& m) { m.or_(x, y); });
        p.check("and r,r", [&](auto& m) { m.and_(x, y); });
        p.check("sub r,r", [&](auto& m) { m.sub(x, y); });
        p.check("xor r,r", [&](auto& m) { m.xor_(x, y); });
        p.check("cmp r,r", [&](auto& m) { m.cmp(x, y); });
        p.check("test r,r", [&](auto& m) { m.test(x, y); });
        if (size >= 2) p.check("imul r,r", [&](auto& m) { m.imul(x, y); });
        if (size >= 4) {
          const a::Gp b = a::gpb_lo(s), w = a::gpw(s);
          p.check("movzx r,r8", [&](auto& m) { m.movzx(x, b); });
          p.check("movzx r,r16", [&](auto& m) { m.movzx(x, w); });
          p.check("movsx r,r8", [&](auto& m) { m.movsx(x, b); });
          p.check("movsx r,r16", [&](auto& m) { m.movsx(x, w); });
        }
      }
      const a::Gp x = gp(size, d);
      p.check("inc r", [&](auto& m) { m.inc(x); });
      p.check("dec r", [&](auto& m) { m.dec(x); });
      if (size == 8) {
        p.check("push r", [&](auto& m) { m.push(x); });
        p.check("pop r", [&](auto& m) { m.pop(x); });
        p.check("call r", [&](auto& m) { m.call(x); });
      }
    }
  }
  p.check("ret", [&](auto& m) { m.ret(); });
  REQUIRE(p.checked > 4000);
}

TEST_CASE("masm: immediates match asmjit", "[jit][masm]") {
  Pair p;
  const int64_t imms[] = {0, 1, -1, 127, 128, -128, -129, 255, 32767, -32768, 65535, 0x12345678, INT32_MAX, INT32_MIN, 0x80000000ll, 0xffffffffll};
  for (uint32_t size : {1u, 2u, 4u, 8u}) {
    for (uint32_t d = 0; d < 16; ++d) {
      const a::Gp x = gp(size, d);
      for (int64_t v : imms) {
        if (size == 1 && (v < -128 || v > 255)) continue;
        if (size == 2 && (v < -32768 || v > 65535)) continue;
        if (size == 8 && v > INT32_MAX) continue;
        const asmjit::Imm i(v);
        p.check("add r,imm", [&](auto& m) { m.add(x, i); });
        p.check("or r,imm", [&](auto& m) { m.or_(x, i); });
        p.check("and r,imm", [&](auto& m) { m.and_(x, i); });
        p.check("sub r,imm", [&](auto& m) { m.sub(x, i); });
        p.check("xor r,imm", [&](auto& m) { m.xor_(x, i); });
        p.check("cmp r,imm", [&](auto& m) { m.cmp(x, i); });
        if (size == 8 && v >= 0) {  // zero-extending: the 32-bit form
          p.check("mov r64,u32", [&](auto& m) {
            if (&m == static_cast<void*>(p.fast)) m.mov(x, i);
            else m.mov(x.r32(), i);
          });
        } else {
          p.check("mov r,imm", [&](auto& m) { m.mov(x, i); });
        }
      }
    }
  }
  // 64-bit moves: sign-extended imm32, full imm64, and unsigned imm32 (zero-extending 32-bit form, shorter than asmjit's)
  for (uint32_t d = 0; d < 16; ++d) {
    const a::Gp x = a::gpq(d);
    p.check("mov r64,-1", [&](auto& m) { m.mov(x, asmjit::Imm(-1)); });
    p.check("mov r64,imm64", [&](auto& m) { m.mov(x, asmjit::Imm(int64_t(0x123456789abcdef0))); });
    p.check("mov r64,imm64 neg", [&](auto& m) { m.mov(x, asmjit::Imm(int64_t(-0x123456789ll))); });
    std::vector<uint8_t> want;
    if (d >= 8) want.push_back(0x41);
    want.push_back(uint8_t(0xB8 + (d & 7)));
    for (uint8_t b : {0x00, 0xf0, 0xff, 0xff}) want.push_back(b);
    p.expect("mov r64,u32", want, [&](auto& m) { m.mov(x, asmjit::Imm(uint64_t(0xfffff000u))); });
  }
  REQUIRE(p.checked > 2000);
}

TEST_CASE("masm: memory forms match asmjit", "[jit][masm]") {
  Pair p;
  for (uint32_t size : {1u, 2u, 4u, 8u}) {
    const std::vector<a::Mem> mems = memForms(size);
    uint32_t k = 0;
    for (const a::Mem& mem : mems) {
      const a::Gp r = gp(size, k++ % 16);
      p.check("mov r,m", [&](auto& m) { m.mov(r, mem); });
      p.check("mov m,r", [&](auto& m) { m.mov(mem, r); });
      p.check("add r,m", [&](auto& m) { m.add(r, mem); });
      p.check("add m,r", [&](auto& m) { m.add(mem, r); });
      p.check("sub r,m", [&](auto& m) { m.sub(r, mem); });
      p.check("sub m,r", [&](auto& m) { m.sub(mem, r); });
      p.check("cmp r,m", [&](auto& m) { m.cmp(r, mem); });
      p.check("cmp m,r", [&](auto& m) { m.cmp(mem, r); });
      p.check("and r,m", [&](auto& m) { m.and_(r, mem); });
      p.check("or m,r", [&](auto& m) { m.or_(mem, r); });
      p.check("xor r,m", [&](auto& m) { m.xor_(r, mem); });
      p.check("inc m", [&](auto& m) { m.inc(mem); });
      p.check("dec m", [&](auto& m) { m.dec(mem); });
      for (int64_t v : {0ll, 1ll, -1ll, 127ll, 128ll, -129ll, 255ll}) {
        if (size == 1 && v < -128) continue;
        const asmjit::Imm i(v);
        p.check("mov m,imm", [&](auto& m) { m.mov(mem, i); });
        p.check("cmp m,imm", [&](auto& m) { m.cmp(mem, i); });
        p.check("add m,imm", [&](auto& m) { m.add(mem, i); });
        p.check("sub m,imm", [&](auto& m) { m.sub(mem, i); });
      }
      if (size >= 4) {
        p.check("lea", [&](auto& m) { m.lea(r, mem); });
        p.check("mov m,imm32", [&](auto& m) { m.mov(mem, asmjit::Imm(0x12345678)); });
      }
      if (size <= 2) {
        const a::Gp d32 = a::gpd(k % 16), d64 = a::gpq((k + 3) % 16);
        p.check("movzx r32,m", [&](auto& m) { m.movzx(d32, mem); });
        p.check("movzx r64,m", [&](auto& m) { m.movzx(d64, mem); });
        p.check("movsx r32,m", [&](auto& m) { m.movsx(d32, mem); });
        p.check("movsx r64,m", [&](auto& m) { m.movsx(d64, mem); });
      }
    }
  }
  REQUIRE(p.checked > 100000);
}

TEST_CASE("masm: SSE forms match asmjit", "[jit][masm]") {
  Pair p;
  for (uint32_t d = 0; d < 16; ++d) {
    for (uint32_t s = 0; s < 16; ++s) {
      const a::Xmm x = a::xmm(d), y = a::xmm(s);
      p.check("movss", [&](auto& m) { m.movss(x, y); });
      p.check("movsd", [&](auto& m) { m.movsd(x, y); });
      p.check("movaps", [&](auto& m) { m.movaps(x, y); });
      p.check("movups", [&](auto& m) { m.movups(x, y); });
      p.check("addss", [&](auto& m) { m.addss(x, y); });
      p.check("addsd", [&](auto& m) { m.addsd(x, y); });
      p.check("subss", [&](auto& m) { m.subss(x, y); });
      p.check("subsd", [&](auto& m) { m.subsd(x, y); });
      p.check("mulss", [&](auto& m) { m.mulss(x, y); });
      p.check("mulsd", [&](auto& m) { m.mulsd(x, y); });
      p.check("divss", [&](auto& m) { m.divss(x, y); });
      p.check("divsd", [&](auto& m) { m.divsd(x, y); });
      p.check("xorps", [&](auto& m) { m.xorps(x, y); });
      p.check("ucomiss", [&](auto& m) { m.ucomiss(x, y); });
      p.check("ucomisd", [&](auto& m) { m.ucomisd(x, y); });
      const a::Gp g32 = a::gpd(s), g64 = a::gpq(s);
      p.check("movd x,r", [&](auto& m) { m.movd(x, g32); });
      p.check("movd r,x", [&](auto& m) { m.movd(g32, x); });
      p.check("movq x,r", [&](auto& m) { m.movq(x, g64); });
      p.check("movq r,x", [&](auto& m) { m.movq(g64, x); });
    }
  }
  uint32_t k = 0;
  for (const a::Mem& mem : memForms(8)) {
    const a::Xmm x = a::xmm(k++ % 16);
    p.check("movss x,m", [&](auto& m) { m.movss(x, mem.cloneResized(4)); });
    p.check("movss m,x", [&](auto& m) { m.movss(mem.cloneResized(4), x); });
    p.check("movsd x,m", [&](auto& m) { m.movsd(x, mem); });
    p.check("movsd m,x", [&](auto& m) { m.movsd(mem, x); });
    p.check("movups x,m", [&](auto& m) { m.movups(x, mem.cloneResized(16)); });
    p.check("movups m,x", [&](auto& m) { m.movups(mem.cloneResized(16), x); });
    p.check("addsd x,m", [&](auto& m) { m.addsd(x, mem); });
    p.check("ucomisd x,m", [&](auto& m) { m.ucomisd(x, mem); });
  }
  REQUIRE(p.checked > 10000);
}

TEST_CASE("masm: forms outside the fast path still go through asmjit", "[jit][masm]") {
  Pair p;
  asmjit::Label l = p.fast->newLabel();
  asmjit::Label lr = p.ref->newLabel();
  p.fast->bind(l);
  p.ref->bind(lr);
  // rip-relative (label) operands, a high-byte register, a 32-bit base: all asmjit's encodings
  p.check("mov r, [label]", [&](auto& m) { m.mov(a::rax, a::ptr(&m == static_cast<void*>(p.fast) ? l : lr)); });
  p.check("add r, [label]", [&](auto& m) { m.add(a::rcx, a::ptr(&m == static_cast<void*>(p.fast) ? l : lr)); });
  p.check("mov ah, cl", [&](auto& m) { m.mov(a::ah, a::cl); });
  p.check("mov r, [r32]", [&](auto& m) { m.mov(a::eax, a::dword_ptr(a::ecx, 4)); });
  // a full buffer: the fast path asks asmjit to grow it
  for (int i = 0; i < 20000; ++i) p.check("mov r,m (growing)", [&](auto& m) { m.mov(a::r13, a::qword_ptr(a::r12, i)); });
  REQUIRE(p.fast->offset() == p.ref->offset());
}

TEST_CASE("masm: jumps and calls to labels", "[jit][masm]") {
  asmjit::CodeHolder code;
  code.init(asmjit::Environment::host());
  MacroAssembler m(&code);
  asmjit::Label back = m.newLabel(), fwd = m.newLabel(), far = m.newLabel();
  m.bind(back);
  m.jz(back);  // short backward: 74 fe
  m.j(a::CondCode::kG, back);  // 7f fc
  m.jmp(back);  // eb fa
  m.jne(fwd);  // 0f 85 rel32 (forward: always near)
  m.jmp(fwd);  // e9 rel32
  m.call(fwd);  // e8 rel32
  m.bind(fwd);
  for (int i = 0; i < 40; ++i) m.mov(a::rax, a::qword_ptr(a::r12, 0x1000));  // 8 bytes each
  m.jc(back);  // near backward
  m.jmp(back);
  m.js(far);
  REQUIRE(m.hasPendingJumps());
  m.bind(far);
  REQUIRE_FALSE(m.hasPendingJumps());
  const uint8_t* b = m.bufferData();
  const std::vector<uint8_t> head(b, b + 6);
  CHECK(head == std::vector<uint8_t>{0x74, 0xfe, 0x7f, 0xfc, 0xeb, 0xfa});
  // forward fields: 0f 85 at 6 (field 8: 22 - 12 = 10), e9 at 12 (field 13: 22 - 17 = 5), e8 at 17 (field 18: 0)
  auto rel = [&](size_t at) { int32_t r; std::memcpy(&r, b + at, 4); return r; };
  CHECK(b[6] == 0x0f);
  CHECK(b[7] == 0x85);
  CHECK(rel(8) == 10);
  CHECK(b[12] == 0xe9);
  CHECK(rel(13) == 5);
  CHECK(b[17] == 0xe8);
  CHECK(rel(18) == 0);
  const size_t jc = 22 + 40 * 8;
  CHECK(b[jc] == 0x0f);
  CHECK(b[jc + 1] == 0x82);
  CHECK(rel(jc + 2) == -int32_t(jc + 6));
  CHECK(b[jc + 6] == 0xe9);
  CHECK(rel(jc + 7) == -int32_t(jc + 11));
  CHECK(b[jc + 11] == 0x0f);
  CHECK(b[jc + 12] == 0x88);
  CHECK(rel(jc + 13) == 0);
  // asmjit agrees on the backward forms
  asmjit::CodeHolder rc;
  rc.init(asmjit::Environment::host());
  a::Assembler r(&rc);
  asmjit::Label rb = r.newLabel();
  r.bind(rb);
  r.jz(rb);
  r.jg(rb);
  r.jmp(rb);
  CHECK(std::vector<uint8_t>(r.bufferData(), r.bufferPtr()) == head);
}

TEST_CASE("masm: setcc, shifts, call [mem], data match asmjit", "[jit][masm]") {
  Pair p;
  for (uint32_t r = 0; r < 16; ++r) {
    const a::Gp b = a::gpb_lo(r);
    for (uint32_t cc = 0; cc < 16; ++cc)
      p.check("setcc", [&](auto& m) { m.set(static_cast<a::CondCode>(cc), b); });
    p.check("sete", [&](auto& m) { m.sete(b); });
    p.check("setnp", [&](auto& m) { m.setnp(b); });
    for (uint32_t size : {4u, 8u}) {
      const a::Gp d = gp(size, r);
      for (int64_t k : {0ll, 1ll, 2ll, 31ll, 63ll}) {
        const asmjit::Imm i(k);
        p.check("shl imm", [&](auto& m) { m.shl(d, i); });
        p.check("shr imm", [&](auto& m) { m.shr(d, i); });
        p.check("sar imm", [&](auto& m) { m.sar(d, i); });
        p.check("rol imm", [&](auto& m) { m.rol(d, i); });
        p.check("ror imm", [&](auto& m) { m.ror(d, i); });
      }
      p.check("shl cl", [&](auto& m) { m.shl(d, a::cl); });
      p.check("shr cl", [&](auto& m) { m.shr(d, a::cl); });
      p.check("sar cl", [&](auto& m) { m.sar(d, a::cl); });
      p.check("rol cl", [&](auto& m) { m.rol(d, a::cl); });
      p.check("ror cl", [&](auto& m) { m.ror(d, a::cl); });
    }
  }
  for (const a::Mem& mem : memForms(8)) p.check("call [m]", [&](auto& m) { m.call(mem); });
  p.check("db", [&](auto& m) { m.db(0xE8); });
  p.check("dd", [&](auto& m) { m.dd(0x12345678u); });
  p.check("dq", [&](auto& m) { m.dq(0x123456789abcdef0ull); });
  p.check("embedUInt64", [&](auto& m) { m.embedUInt64(42); });
  REQUIRE(p.checked > 1000);
}

TEST_CASE("masm: rip-relative label operands match asmjit", "[jit][masm]") {
  // the same program on both: a bound label (backward), then forward references bound later, then data at the labels
  auto program = [](auto& m) {
    asmjit::Label back = m.newLabel(), fwd = m.newLabel(), data = m.newLabel();
    m.bind(back);
    m.mov(a::rax, a::ptr(back));
    m.add(a::r13, a::qword_ptr(back, 8));
    m.lea(a::rcx, a::ptr(fwd));
    m.mov(a::r9, a::qword_ptr(data));
    m.sub(a::rcx, a::qword_ptr(data));
    m.movsd(a::xmm9, a::qword_ptr(data));
    m.movzx(a::eax, a::byte_ptr(data));
    m.cmp(a::qword_ptr(back), a::rdx);
    m.bind(fwd);
    m.ret();
    m.bind(data);
    m.embedUInt64(0x1122334455667788ull);
  };
  asmjit::CodeHolder fc, rc;
  fc.init(asmjit::Environment::host());
  rc.init(asmjit::Environment::host());
  MacroAssembler f(&fc);
  a::Assembler r(&rc);
  program(f);
  program(r);
  REQUIRE_FALSE(f.hasPendingJumps());
  rc.flatten();
  rc.resolveUnresolvedLinks();
  REQUIRE_FALSE(rc.hasUnresolvedLinks());
  rc.relocateToBase(0);
  const std::vector<uint8_t> fb(f.bufferData(), f.bufferPtr());
  std::vector<uint8_t> rb(rc.codeSize());
  rc.copyFlattenedData(rb.data(), rb.size(), asmjit::CopySectionFlags::kPadSectionBuffer);
  INFO("fast " << Pair::hex(fb.data(), fb.size()) << "| asmjit " << Pair::hex(rb.data(), rb.size()));
  CHECK(fb == rb);
}
