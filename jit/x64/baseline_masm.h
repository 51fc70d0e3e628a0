// jit/x64/baseline_masm.h -- the x86-64 baseline macro assembler: what the ISA-neutral baseline compiler
// (jit/common/baseline_compiler.h) asks of an ISA (the interface: jit/common/baseline_masm.h), as x86-64 sequences over
// the MacroAssembler (masm.h) and the SIMD instruction selection (simd.h).
// Layer: jit/x64 (asmjit types stay in jit/x64).
//
// Fixed registers inside JIT code (all callee-saved in the host ABI, so helpers and callees keep them):
//   r12 = ExecContext*   rbx = FuncInst* (this function, for trap frames)   r13 = fp (frame slot of local 0)
//   r14 = Instance* (== &Instance::data)   r15 = base of memory 0   [rsp] = io (the entry's argument/result buffer)
// Allocatable: GP rsi rdi r8-r11 rbp (values i32/i64/ref; i32 values keep the upper 32 bits zero), XMM0-13 (f32/f64
// and v128; a v128 spill/fill moves 16 bytes). Scratch: rax rcx rdx, xmm14 xmm15. SIMD ops are selected in simd.cpp
// (SSE4.1, VEX forms on AVX machines); the few without an inline form call the numeric helpers (docs/status.md).
// Calls: helpers get their arguments in rdi, rsi, rdx, rcx, r8, r9 and return a TrapReason in eax; a wasm callee is
// entered with rdi = cx, rsi = its FuncInst*, rdx = its io (its arguments' slots) -- through FuncInst::entry, or as a
// direct `call rel32` (linked by jit.cpp through the backend's patchCall) to its direct entry, which expects r12/r14/r15
// set. The trap protocol of a resumed fault: rcx = the access's wasm offset (Backend::faultOffsetRegister).
#pragma once
#include <algorithm>
#include <cstdint>
#include <initializer_list>

#include "jit/common/baseline_masm.h"
#include "jit/common/helpers.h"
#include "jit/x64/masm.h"
#include "jit/x64/simd.h"
#include "runtime/exec/store.h"
#include "runtime/exec/trap.h"
#include "runtime/wasm/opcodes.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"  // offsets into ExecContext / FuncInst (non-standard-layout)

namespace myrt::jit::x64 {

namespace a = asmjit::x86;

// Internal linkage (this header is for jit/x64/compiler.cpp, the one TU that instantiates BaselineCompiler over it):
// the instantiation's members are then local functions, which GCC inlines into their single callers as it did when
// the compiler was one class in that TU -- with vague (COMDAT) linkage it kept them out of line, +1.1% compile
// instructions (docs/performance.md).
namespace {

class BaselineMasm {
 public:
  using Mem = asmjit::x86::Mem;
  using Label = asmjit::Label;
  using Cond = asmjit::x86::CondCode;
  using Arg = HelperArg<Mem, Label>;
  static constexpr uint8_t kFpBase = x64::kFpBase;
  // rsi rdi r8 r9 r10 r11 rbp
  static constexpr uint64_t kGpAllocatable = (1u << 6) | (1u << 7) | (1u << 8) | (1u << 9) | (1u << 10) | (1u << 11) | (1u << 5);
  static constexpr uint64_t kFpAllocatable = ((uint64_t(1) << 14) - 1) << kFpBase;  // xmm0..xmm13

  explicit BaselineMasm(MacroAssembler& a) : a_(a), simd_(a, [this](const void* bytes) { return constant(bytes, 16); }) {}

  static Cond negate(Cond c) { return asmjit::x86::negateCond(c); }

  // ---- per function ----
  void reset() {
    pool_.clear();
    ptrSites_.clear();
    typeIdRefs_.clear();
    guardedAccess_ = false;
    trapCommon_ = exhausted_ = exhaustedDepth_ = Fwd();
    scratchImms_.clear();
    frameImms_.clear();
  }
  void beginFunction() {}

  // ---- code position, labels, jumps (MacroAssembler) ----
  size_t offset() const { return a_.offset(); }
  void setOffset(size_t o) { a_.setOffset(o); }
  Label newLabel() { return a_.newLabel(); }
  void bind(const Label& l) { a_.bind(l); }
  void jmp(const Label& l) { a_.jmp(l); }
  void j(Cond cc, const Label& l) { a_.j(cc, l); }
  size_t jFwd(Cond cc) { return a_.jFwd(cc); }
  size_t jmpFwd() { return a_.jmpFwd(); }
  void patchHere(size_t field) { a_.patchHere(field); }
  void chainFwd(size_t field, size_t prev) { a_.chainFwd(field, prev); }
  void patchChainHere(size_t last) { a_.patchChainHere(last); }
  void jmpBack(size_t target) { a_.jmpBack(target); }

  // ---- value moves ----
  Mem frameSlot(int32_t off) const { return a::qword_ptr(kFp, off); }
  Mem ioSlot(uint32_t i) const { return a::qword_ptr(a::rdx, static_cast<int32_t>(16 * i)); }
  void loadIo() { a_.mov(a::rdx, a::qword_ptr(a::rsp)); }
  Mem loadAddress(const void* p) {
    movPtr(a::rax, p);
    return a::ptr(a::rax);
  }
  Mem storeAddress(const void* p) {
    movPtr(a::rcx, p);
    return a::ptr(a::rcx);
  }
  // r = an absolute address, always as the 10-byte movabs, recorded in ptrSites() (jit/common/code_memory.h PtrSite):
  // every address the code embeds goes through here, so ahead-of-time code can be relocated.
  void movPtr(const a::Gp& r, const void* p) {
    const uint64_t v = reinterpret_cast<uint64_t>(p);
    const uint32_t id = r.id();
    uint8_t bytes[10] = {uint8_t(0x48 | (id >> 3)), uint8_t(0xB8 + (id & 7))};
    std::memcpy(bytes + 2, &v, 8);
    ptrSites_.push_back({static_cast<uint32_t>(a_.offset() + 2), v});
    a_.embed(bytes, sizeof bytes);
  }
  void callPtr(const void* fn) {
    movPtr(a::rax, fn);
    a_.call(a::rax);
  }
  // The embedded addresses of the function compiled last (reset per function).
  const std::vector<PtrSite>& ptrSites() const { return ptrSites_; }
  // The 4 bytes at `byteOffset` in constant `l` are the canonical id of module type `typeIndex` (resolved to code
  // offsets once the constants are placed: TypeIdRef, compiler.cpp).
  struct TypeIdRef {
    Label label;
    uint32_t byteOffset;
    uint32_t typeIndex;
  };
  void constantTypeId(const Label& l, uint32_t byteOffset, uint32_t typeIndex) { typeIdRefs_.push_back({l, byteOffset, typeIndex}); }
  const std::vector<TypeIdRef>& typeIdRefs() const { return typeIdRefs_; }
  [[gnu::flatten]] void loadValue(ValKind k, uint8_t r, const Mem& src) {
    switch (k) {
      case ValKind::I32: a_.mov(gpd(r), src.cloneResized(4)); break;
      case ValKind::F32: a_.movss(xmm(r), src.cloneResized(4)); break;
      case ValKind::F64: a_.movsd(xmm(r), src.cloneResized(8)); break;
      case ValKind::V128: a_.movups(xmm(r), src.cloneResized(16)); break;
      default: a_.mov(gpq(r), src.cloneResized(8)); break;
    }
  }
  void moveReg(ValKind k, uint8_t dst, uint8_t src) {
    if (dst >= kFpBase) a_.movaps(xmm(dst), xmm(src));
    else if (k == ValKind::I32) a_.mov(gpd(dst), gpd(src));
    else a_.mov(gpq(dst), gpq(src));
  }
  void loadConst(ValKind k, uint8_t r, uint64_t bits) {
    if (r >= kFpBase) {
      if (bits == 0) {
        a_.xorps(xmm(r), xmm(r));
      } else {
        a_.mov(a::rax, bits);
        if (k == ValKind::F32) a_.movd(xmm(r), a::eax);
        else a_.movq(xmm(r), a::rax);
      }
    } else {
      a_.loadImm64(gpq(r), bits);
    }
  }
  void storeReg(ValKind k, uint8_t r, const Mem& dst) {
    if (r >= kFpBase) {
      if (k == ValKind::F32) a_.movss(dst.cloneResized(4), xmm(r));
      else if (k == ValKind::V128) a_.movups(dst.cloneResized(16), xmm(r));
      else a_.movsd(dst.cloneResized(8), xmm(r));
    } else {
      a_.mov(dst.cloneResized(8), gpq(r));
    }
  }
  void storeConst(ValKind k, uint64_t bits, const Mem& dst) {
    if (k == ValKind::I32 || k == ValKind::F32) a_.storeImm64(dst, static_cast<uint32_t>(bits));
    else a_.storeImm64(dst, bits);
  }
  void copyValue(const Mem& dst, const Mem& src, bool v128) { a_.copyValue(dst, src, v128); }

  // ---- frame: entries, epilogue ----
  // The full entry (host ABI: rdi = cx, rsi = FuncInst*, rdx = io) saves the callee-saved registers that stay the same
  // across a direct call within the instance (r12 cx, r14 instance, r15 memory base; rbp holds no value at a call,
  // everything is spilled), sets them, and calls the direct entry at ModuleCompiler::kDirectEntryOffset, which saves
  // only rbx and r13 and sets up the frame.
  void emitEntry(const Label& direct) {
    fullEntry(direct);
    a_.bind(direct);
    frameSetup();
  }
  // The entries are the same bytes in every function but for their rel32 fields and frame-size immediates: recorded
  // at their first emission, then copied, the fields handed to `field` (asmjit's encoder and label bookkeeping cost
  // about 3,300 host instructions per function for them).
  struct CodeTemplate {
    std::vector<uint8_t> bytes;
    std::vector<std::pair<uint32_t, uint8_t>> fields;  // (field's offset in bytes, its kind for `field`)
    bool ready = false;
  };
  // Emits what `emit` emits, from `t` once recorded. `emit` calls note(k) right after each instruction that ends with
  // a 4-byte field of kind k (emitted as zeros: jFwd, callFwd, an immediate placeholder), which field(k, its offset)
  // then links or patches, as it does for a copy's.
  template <class Emit, class Field>
  void emitTemplate(CodeTemplate& t, Emit emit, Field field) {
    if (t.ready && a_.embedCode(t.bytes.data(), t.bytes.size())) {
      const size_t at = a_.offset() - t.bytes.size();
      for (const auto& [off, k] : t.fields) field(k, at + off);
      return;
    }
    // recording: with room for the whole sequence every instruction takes the MacroAssembler's own forms
    const bool record = !t.ready && a_.reserveCode(512);
    const size_t start = a_.offset();
    const auto note = [&](uint8_t k) {
      const size_t off = a_.offset() - 4;
      if (record) t.fields.push_back({static_cast<uint32_t>(off - start), k});
      field(k, off);
    };
    if (record) t.fields.clear();
    emit(note);
    if (!record || a_.offset() - start > 512) return;
    const uint8_t* p = a_.codeAt(start);
    t.bytes.assign(p, p + (a_.offset() - start));
    t.ready = true;
  }
  // A code position several jumps go to, bound once (cheaper than an asmjit label: no CodeHolder entry): jumps before
  // the bind are chained through their rel32 fields (MacroAssembler::chainFwd), later ones patched at once.
  struct Fwd {
    size_t chain = SIZE_MAX, at = SIZE_MAX;
  };
  void linkField(Fwd& f, size_t field) {
    if (field == SIZE_MAX) return;
    if (f.at != SIZE_MAX) return a_.patchField(field, f.at);
    a_.chainFwd(field, f.chain);
    f.chain = field;
  }
  void bindFwd(Fwd& f) {
    f.at = a_.offset();
    a_.patchChainHere(f.chain);
    f.chain = SIZE_MAX;
  }
  void jmpTo(Fwd& f) {
    if (f.at != SIZE_MAX) a_.jmpBack(f.at);
    else linkField(f, a_.jmpFwd());
  }
  // reg += / -= this function's scratch or frame bytes: an imm32 patched by emitFrameConstants (the sizes are known
  // after the body).
  static constexpr int32_t kSizePlaceholder = 0x12345678;  // (not an imm8: the imm32 form)
  void zeroFrameSlots(int32_t off, uint32_t n) {
    a_.xorps(a::xmm15, a::xmm15);
    if (n <= 16) {
      for (uint32_t i = 0; i < n; ++i) a_.movups(frameSlot(off + static_cast<int32_t>(16 * i)), a::xmm15);
    } else {
      a_.lea(a::rax, frameSlot(off));
      a_.mov(a::ecx, n);
      Label loop = a_.newLabel();
      a_.bind(loop);
      a_.movups(a::ptr(a::rax), a::xmm15);
      a_.add(a::rax, 16);
      a_.dec(a::ecx);
      a_.jnz(loop);
    }
  }
  // The epilogue (eax = 0: results are in io already) and the stack-exhausted exits; returns the exit's offset (eax
  // set, frame unlinked, cx.sp and cx.depth restored).
  size_t emitEpilogue() {
    a_.xor_(a::eax, a::eax);
    const size_t exit = a_.offset();
    a_.mov(a::rcx, a::qword_ptr(kFp, -8));  // unlink the frame
    a_.mov(a::qword_ptr(kCx, kOffJitFrames), a::rcx);
    a_.mov(a::rcx, kFp);
    a_.sub(a::rcx, kSizePlaceholder);
    scratchImms_.push_back(a_.offset() - 4);
    a_.mov(a::qword_ptr(kCx, kOffSp), a::rcx);
    a_.dec(a::dword_ptr(kCx, kOffDepth));
    bindFwd(exhausted_);  // (entered with eax set, before depth/sp were touched)
    a_.add(a::rsp, 8);
    a_.pop(a::r13);
    a_.pop(a::rbx);
    a_.ret();
    // stack space exhausted after depth was counted
    bindFwd(exhaustedDepth_);
    a_.dec(a::dword_ptr(kCx, kOffDepth));
    a_.mov(a::eax, static_cast<uint32_t>(TrapReason::CallStackExhausted));
    jmpTo(exhausted_);
    return exit;
  }
  // The frame sizes the prologue / epilogue add and subtract (immediates; too large: the compile fails).
  void emitFrameConstants(uint64_t frameBytes, uint64_t scratchBytes) {
    if (frameBytes > INT32_MAX || scratchBytes > INT32_MAX) {
      a_.reportError(asmjit::kErrorInvalidDisplacement);
      return;
    }
    for (size_t f : frameImms_) a_.patchImm32(f, static_cast<uint32_t>(frameBytes));
    for (size_t f : scratchImms_) a_.patchImm32(f, static_cast<uint32_t>(scratchBytes));
  }
  // The OSR entry (jit::OsrInfo): rcx = target, r8 = slots to copy from io. The frame setup keeps r8/r9.
  void emitOsrEntry(const Label& entry) {
    Label direct = a_.newLabel(), copy = a_.newLabel(), go = a_.newLabel();
    a_.bind(entry);
    fullEntry(direct);
    a_.bind(direct);
    a_.mov(a::r9, a::rcx);
    frameSetup();
    a_.test(a::r8, a::r8);
    a_.jz(go);
    a_.mov(a::rax, a::rdx);
    a_.mov(a::rcx, kFp);
    a_.bind(copy);
    a_.movups(a::xmm15, a::ptr(a::rax));
    a_.movups(a::ptr(a::rcx), a::xmm15);
    a_.add(a::rax, 16);
    a_.add(a::rcx, 16);
    a_.dec(a::r8);
    a_.jnz(copy);
    a_.bind(go);
    a_.jmp(a::r9);
  }

  // ---- polls, fuel ----
  Cond testInterrupt() {
    a_.mov(a::rax, a::qword_ptr(kCx, kOffInterrupt));
    a_.cmp(a::dword_ptr(a::rax), 0);
    return Cond::kNZ;
  }
  // The auto tier's count towards the optimizing tier (BaselineCompiler::countTierUp): FuncInst::optBudget of this
  // function (rbx) minus one; returns the fixup of the jump taken when it reaches 0.
  size_t countDownTierUp() {
    a_.dec(a::dword_ptr(kFn, kOffOptBudget));
    return a_.jFwd(Cond::kZ);
  }
  // rax = the entry of this function's optimized OSR version for the loop here, or null: null jumps to the returned
  // fixup's target; else the frame calls it through its full entry with rdx = this frame's io (the results) and r8 =
  // fp (the slots: locals, then the operand stack), not counted in cx.depth while it runs (that frame replaces this
  // one); eax = its TrapReason afterwards.
  size_t optOsrTransfer() {
    a_.test(a::rax, a::rax);
    const size_t stay = a_.jFwd(Cond::kZ);
    a_.dec(a::dword_ptr(kCx, kOffDepth));
    a_.mov(a::rdi, kCx);
    a_.mov(a::rsi, kFn);
    a_.mov(a::rdx, a::qword_ptr(a::rsp));
    a_.mov(a::r8, kFp);
    a_.call(a::rax);
    a_.inc(a::dword_ptr(kCx, kOffDepth));
    return stay;
  }
  size_t jumpIfFuelEnabled() {
    a_.cmp(a::byte_ptr(kCx, kOffFuelEnabled), 0);
    return a_.jFwd(Cond::kNE);
  }
  Cond chargeFuel(uint64_t cost) {
    if (cost <= 0x7fffffffu) {
      a_.sub(a::qword_ptr(kCx, kOffFuel), static_cast<int32_t>(cost));
    } else {
      a_.mov(a::rax, cost);
      a_.sub(a::qword_ptr(kCx, kOffFuel), a::rax);
    }
    return Cond::kS;
  }

  // ---- traps: each site sets ecx = its wasm offset, then its reason's stub sets edx = reason ----
  void trapSiteStub(uint32_t wasmOffset, const Label& reasonStub) {
    a_.mov(a::ecx, wasmOffset);
    a_.jmp(reasonStub);
  }
  void trapReasonStub(unsigned reason) {
    a_.mov(a::edx, reason);
    jmpTo(trapCommon_);
  }
  void emitTrapCommon(size_t exit) {
    bindFwd(trapCommon_);
    a_.mov(a::rdi, kCx);
    a_.mov(a::rsi, kFn);
    callPtr(reinterpret_cast<const void*>(&trapHelper));
    a_.jmpBack(exit);
  }
  // eax = a callee's / helper's trap, reached right after that call returned: its return address is still at
  // [rsp - 8] (below rsp, inside the red zone that signal delivery leaves alone) and maps to the call's offset.
  void emitPropagate(size_t exit) {
    a_.mov(a::edx, a::eax);
    a_.mov(a::rcx, a::qword_ptr(a::rsp, -8));
    a_.mov(a::rdi, kCx);
    a_.mov(a::rsi, kFn);
    callPtr(reinterpret_cast<const void*>(&callTrapHelper));
    a_.jmpBack(exit);
  }

  // ---- calls ----
  void callHelper(const void* fn, std::initializer_list<Arg> args) {
    static const a::Gp kArgs[] = {a::rdi, a::rsi, a::rdx, a::rcx, a::r8, a::r9};
    unsigned i = 0;
    for (const Arg& x : args) {
      const a::Gp r = kArgs[i++];
      switch (x.kind) {
        case Arg::Cx: a_.mov(r, kCx); break;
        case Arg::Func: a_.mov(r, kFn); break;
        case Arg::Frame: a_.mov(r, kFp); break;
        case Arg::Inst: a_.mov(r, kInst); break;
        case Arg::Io: a_.mov(r, a::qword_ptr(a::rsp)); break;
        case Arg::Imm32: a_.mov(r.r32(), static_cast<uint32_t>(x.imm)); break;
        case Arg::Imm64: a_.mov(r, x.imm); break;
        case Arg::Ptr: movPtr(r, reinterpret_cast<const void*>(x.imm)); break;
        case Arg::Address: a_.lea(r, x.mem); break;
        case Arg::Constant: a_.lea(r, a::ptr(x.label)); break;
      }
    }
    callPtr(fn);
  }
  // The return register (a TrapReason) non-zero: to `l`.
  void branchOnTrap(const Label& l) {
    a_.test(a::eax, a::eax);
    a_.jnz(l);
  }
  void calleeConst(const FuncInst* f) { movPtr(a::rsi, f); }
  // r (a register code) = the address `p` (a reference constant: ref.func's FuncInst).
  void loadPtr(uint8_t r, const void* p) { movPtr(gpq(r), p); }
  void calleeFromSlot(const Mem& m) { a_.mov(a::rsi, m); }
  Cond testCalleeNull() {
    a_.test(a::rsi, a::rsi);
    return Cond::kZ;
  }
  // rsi = callee; `args` = its io (the arguments' slots).
  void callPrologue(const Mem& args, bool viaEntry) {
    a_.mov(a::rdi, kCx);
    a_.lea(a::rdx, args);
    if (viaEntry) a_.mov(a::qword_ptr(kCx, kOffCaller), kInst);  // read by host functions only
  }
  // call rel32 / jmp rel32, patched by the linker (CallFixup, Backend::patchCall): returns the rel32's offset.
  size_t callDirect() { return relFixup(0xE8); }
  size_t jumpDirect() { return relFixup(0xE9); }
  void callViaEntry() { a_.call(a::qword_ptr(a::rsi, kOffEntry)); }
  // Tail calls (BaselineCompiler::emitTailCall): rdx = io, rcx = io + 16 * n (the callee's end of stack).
  void tailCallIoEnd(uint32_t n) {
    a_.mov(a::rdx, a::qword_ptr(a::rsp));  // io
    a_.lea(a::rcx, a::ptr(a::rdx, static_cast<int32_t>(16 * n)));
  }
  Cond tailCallCheckRoom() {
    a_.cmp(a::rcx, a::qword_ptr(kCx, kOffStackEnd));
    return Cond::kA;
  }
  // cx.sp = max(entry sp, rcx), the frame unlinked and torn down; rdi = cx, rsi = callee for the jump.
  void tailCallLeave() {
    a_.mov(a::rax, kFp);
    a_.sub(a::rax, kSizePlaceholder);  // this function's entry sp
    scratchImms_.push_back(a_.offset() - 4);
    a_.cmp(a::rcx, a::rax);
    a_.cmovb(a::rcx, a::rax);
    a_.mov(a::qword_ptr(kCx, kOffSp), a::rcx);
    a_.mov(a::rcx, a::qword_ptr(kFp, -8));  // unlink the frame
    a_.mov(a::qword_ptr(kCx, kOffJitFrames), a::rcx);
    a_.dec(a::dword_ptr(kCx, kOffDepth));
    a_.mov(a::rdi, kCx);
    a_.add(a::rsp, 8);
    a_.pop(a::r13);
    a_.pop(a::rbx);
  }
  // A compiled function of this instance (reached through a table or a reference): its direct entry; else its entry.
  void tailJumpIndirect() {
    Label viaEntry = a_.newLabel();
    a_.cmp(a::qword_ptr(a::rsi, kOffInstance), kInst);
    a_.jne(viaEntry);
    a_.mov(a::rax, a::qword_ptr(a::rsi, kOffJitDirect));
    a_.test(a::rax, a::rax);
    a_.jz(viaEntry);
    a_.jmp(a::rax);
    a_.bind(viaEntry);
    a_.mov(a::qword_ptr(kCx, kOffCaller), kInst);  // read by host functions only
    a_.jmp(a::qword_ptr(a::rsi, kOffEntry));
  }

  // ---- branches, tables, constants ----
  Cond testNonZero32(uint8_t r) {
    a_.test(gpd(r), gpd(r));
    return Cond::kNE;
  }
  void setCond(Cond cc, uint8_t r) {
    a_.set(cc, a::al);
    a_.movzx(gpd(r), a::al);
  }
  Cond compareSlotZero(const Mem& m, unsigned bytes) {
    a_.cmp(m.cloneResized(bytes), 0);
    return Cond::kE;
  }
  // br_table with at most kMaxTreeTargets targets: the index in eax and a jump to a binary search tree of compares at
  // `table`, emitted after the code by embedJumpTable. Conditional branches are predicted per site with the global
  // history, where the one indirect jump shared by every case of a dispatch loop mispredicts: a switch-based bytecode
  // loop (bench/workloads/bytecode, 15 cases) ran 2.4x faster, level with V8's Liftoff, which also searches. Larger
  // tables (deeper trees) jump through a table of 32-bit offsets relative to it, the index clamped to n (default).
  static constexpr uint32_t kMaxTreeTargets = 16;
  void tableJump(uint8_t idx, uint32_t n, const Label& table) {
    a_.mov(a::eax, gpd(idx));
    if (n <= kMaxTreeTargets) {
      a_.jmp(table);
      return;
    }
    a_.mov(a::ecx, n);
    a_.cmp(a::eax, a::ecx);
    a_.cmova(a::eax, a::ecx);
    a_.lea(a::rcx, a::ptr(table));
    a_.movsxd(a::rax, a::dword_ptr(a::rcx, a::rax, 2));
    a_.add(a::rax, a::rcx);
    a_.jmp(a::rax);
  }
  void embedJumpTable(const Label& table, const std::vector<Label>& entries) {
    const uint32_t n = static_cast<uint32_t>(entries.size() - 1);
    if (n > kMaxTreeTargets) {
      a_.align(asmjit::AlignMode::kData, 4);
      a_.bind(table);
      for (const Label& e : entries) a_.embedLabelDelta(e, table, 4);
      return;
    }
    a_.bind(table);
    a_.cmp(a::eax, n);
    a_.jae(entries[n]);
    searchTree(entries, 0, n);
  }
  void searchTree(const std::vector<Label>& e, uint32_t lo, uint32_t hi) {  // eax in [lo, hi): on to e[eax]
    bool same = true;
    for (uint32_t i = lo + 1; i < hi && same; ++i) same = e[i].id() == e[lo].id();
    if (same) {
      a_.jmp(e[lo]);
      return;
    }
    const uint32_t mid = lo + (hi - lo) / 2;
    Label right = a_.newLabel();
    a_.cmp(a::eax, mid);
    a_.jae(right);
    searchTree(e, lo, mid);
    a_.bind(right);
    searchTree(e, mid, hi);
  }
  // Data embedded after the code (16-byte aligned), addressed rip-relative.
  Label constant(const void* data, size_t n) {
    return pool_.get(data, n, [this] { return a_.newLabel(); });
  }
  void emitConstants() {
    for (const auto& k : pool_.entries()) {
      a_.align(asmjit::AlignMode::kData, 16);
      a_.bind(k.label);
      a_.embed(k.bytes.data(), k.bytes.size());
    }
  }

  // ---- exception handlers (the dispatch code: eax = the result of the call or throw) ----
  void handlerPrologue(const Label& propagate) {
    const int32_t offExn = static_cast<int32_t>(offsetof(ExecContext, exception));
    a_.cmp(a::eax, static_cast<uint32_t>(TrapReason::UncaughtException));
    a_.jne(propagate);
    a_.mov(a::rcx, a::qword_ptr(kCx, offExn));
    a_.test(a::rcx, a::rcx);
    a_.jz(propagate);
  }
  void branchIfTagNot(const TagInst* tag, const Label& next) {
    const int32_t offTag = static_cast<int32_t>(offsetof(ExnObject, tag));
    movPtr(a::rdx, tag);
    a_.cmp(a::qword_ptr(a::rcx, offTag), a::rdx);
    a_.jne(next);
  }
  void storeException(const Mem& m) { a_.mov(m, a::rcx); }

  // ---- memory ----
  // Bounds check of [addr+offset, +size) against the memory's current size; returns the operand.
  // Memory 0 with i32 addresses uses r15 (its base); guarded: no check, [r15 + address register + offset] (a fault
  // in the reservation's guard region becomes the trap). Other memories (multi-memory) and i64 addresses (memory64)
  // use the MemoryInst's base as a constant (bases never move) and always check bounds unless guarded.
  template <class Traps>
  Mem effectiveAddress(Traps& traps, uint8_t ar, uint64_t offset, unsigned size, bool is64, uint32_t memIndex,
                       MemoryInst* mem) {
    if (memIndex != 0 || is64) {
      if (is64) a_.mov(a::rax, gpq(ar));
      else a_.mov(a::eax, gpd(ar));
      if (!is64 && mem->guarded && offset <= 0x7fffffffu) {
        movPtr(a::rdx, mem->base);
        guardedAccess_ = true;
        return a::ptr(a::rdx, a::rax, 0, static_cast<int32_t>(offset));
      }
      guardedAccess_ = false;
      if (offset > UINT64_MAX - size) traps.trapJmp(TrapReason::MemoryOutOfBounds);  // always out of bounds
      a_.mov(a::rcx, offset + size);
      a_.add(a::rcx, a::rax);  // end of the access; a carry means it wrapped past 2^64
      traps.trapIf(Cond::kC, TrapReason::MemoryOutOfBounds);
      movPtr(a::rdx, &mem->size);
      a_.cmp(a::rcx, a::qword_ptr(a::rdx));
      traps.trapIf(Cond::kA, TrapReason::MemoryOutOfBounds);
      if (offset) {
        a_.mov(a::rcx, offset);
        a_.add(a::rax, a::rcx);
      }
      movPtr(a::rdx, mem->base);
      return a::ptr(a::rdx, a::rax);
    }
    guardedAccess_ = mem->guarded && offset <= 0x7fffffffu;
    if (guardedAccess_) {
      // i32 values keep the upper 32 bits of their register zero: the register itself is the index
      return a::ptr(kMem, gpq(ar), 0, static_cast<int32_t>(offset));
    }
    a_.mov(a::eax, gpd(ar));  // zero-extends the i32 address
    if (offset) {
      if (offset <= 0x7fffffffu) {
        a_.add(a::rax, static_cast<int32_t>(offset));
      } else {
        a_.mov(a::rcx, offset);
        a_.add(a::rax, a::rcx);
      }
    }
    a_.lea(a::rcx, a::ptr(a::rax, static_cast<int32_t>(size)));
    a_.mov(a::rdx, a::qword_ptr(kInst, kOffMem0));
    a_.cmp(a::rcx, a::qword_ptr(a::rdx, kOffMemSize));
    traps.trapIf(Cond::kA, TrapReason::MemoryOutOfBounds);
    return a::ptr(kMem, a::rax);
  }
  // The last effectiveAddress() is an unchecked access to a guarded memory (a fault site).
  bool lastAccessGuarded() const { return guardedAccess_; }
  void load(Op op, uint8_t dst, const Mem& m) {
    const a::Gp d32 = gpd(dst), d64 = gpq(dst);
    switch (op) {
      case Op::I32Load: case Op::I64Load32U: a_.mov(d32, m.cloneResized(4)); break;
      case Op::I64Load: a_.mov(d64, m.cloneResized(8)); break;
      case Op::F32Load: a_.movss(xmm(dst), m.cloneResized(4)); break;
      case Op::F64Load: a_.movsd(xmm(dst), m.cloneResized(8)); break;
      case Op::I32Load8S: a_.movsx(d32, m.cloneResized(1)); break;
      case Op::I32Load8U: case Op::I64Load8U: a_.movzx(d32, m.cloneResized(1)); break;
      case Op::I32Load16S: a_.movsx(d32, m.cloneResized(2)); break;
      case Op::I32Load16U: case Op::I64Load16U: a_.movzx(d32, m.cloneResized(2)); break;
      case Op::I64Load8S: a_.movsx(d64, m.cloneResized(1)); break;
      case Op::I64Load16S: a_.movsx(d64, m.cloneResized(2)); break;
      case Op::I64Load32S: a_.movsxd(d64, m.cloneResized(4)); break;
      default: break;
    }
  }
  void store(ValKind vk, unsigned size, const Mem& m, uint8_t v) {
    if (vk == ValKind::F32) a_.movss(m.cloneResized(4), xmm(v));
    else if (vk == ValKind::F64) a_.movsd(m.cloneResized(8), xmm(v));
    else if (size == 1) a_.mov(m.cloneResized(1), gpb(v));
    else if (size == 2) a_.mov(m.cloneResized(2), a::gpw(v));
    else if (size == 4) a_.mov(m.cloneResized(4), gpd(v));
    else a_.mov(m.cloneResized(8), gpq(v));
  }

  // ---- atomics (threads; BaselineCompiler::inlineAtomic) ----
  // Traps "unaligned atomic" unless (i32 address `ar` + offset) is a multiple of `size`.
  template <class Traps>
  void atomicAlignCheck(Traps& traps, uint8_t ar, uint64_t offset, unsigned size) {
    if (size == 1) return;
    if (offset % size == 0) {
      a_.test(gpd(ar), size - 1);
    } else {
      a_.lea(a::ecx, a::ptr(gpq(ar), static_cast<int32_t>(offset)));
      a_.test(a::ecx, size - 1);
    }
    traps.trapIf(Cond::kNZ, TrapReason::UnalignedAtomic);
  }
  // A sequentially consistent store: xchg with memory (implicitly locked, a full barrier, so x86's plain loads are
  // seq-cst too; cheaper than mov + mfence). Clobbers v (the caller owns and frees it).
  void atomicStore(unsigned size, const Mem& m, uint8_t v) {
    if (size == 1) a_.xchg(m.cloneResized(1), gpb(v));
    else if (size == 2) a_.xchg(m.cloneResized(2), a::gpw(v));
    else if (size == 4) a_.xchg(m.cloneResized(4), gpd(v));
    else a_.xchg(m.cloneResized(8), gpq(v));
  }
  // lock xadd: [m] += v, v := the old value (zero-extended for 32 bits).
  void atomicAdd(unsigned size, const Mem& m, uint8_t v) {
    a_.lock();
    if (size == 8) a_.xadd(m.cloneResized(8), gpq(v));
    else a_.xadd(m.cloneResized(4), gpd(v));
  }
  void atomicFence() { a_.mfence(); }

  // ---- integer ops (x = x op y, in place) ----
  static bool fitsImm32(uint64_t bits, bool is64) {
    if (!is64) return true;
    const int64_t s = static_cast<int64_t>(bits);
    return s >= INT32_MIN && s <= INT32_MAX;
  }
  static asmjit::Imm imm(uint64_t bits, bool is64) {
    return asmjit::imm(is64 ? static_cast<int64_t>(bits) : static_cast<int64_t>(static_cast<int32_t>(bits)));
  }
  bool intBinaryHasImm(Op op, bool is64, uint64_t bits) const {
    return fitsImm32(bits, is64) && op != Op::I32Mul && op != Op::I64Mul;
  }
  void intBinaryImm(Op op, bool is64, uint8_t x, uint64_t bits) {
    const a::Gp d = is64 ? gpq(x) : gpd(x);
    const asmjit::Imm i = imm(bits, is64);
    switch (op) {
      case Op::I32Add: case Op::I64Add: a_.add(d, i); break;
      case Op::I32Sub: case Op::I64Sub: a_.sub(d, i); break;
      case Op::I32And: case Op::I64And: a_.and_(d, i); break;
      case Op::I32Or: case Op::I64Or: a_.or_(d, i); break;
      default: a_.xor_(d, i); break;
    }
  }
  void intBinary(Op op, bool is64, uint8_t x, uint8_t y) {
    const a::Gp d = is64 ? gpq(x) : gpd(x), s = is64 ? gpq(y) : gpd(y);
    switch (op) {
      case Op::I32Add: case Op::I64Add: a_.add(d, s); break;
      case Op::I32Sub: case Op::I64Sub: a_.sub(d, s); break;
      case Op::I32Mul: case Op::I64Mul: a_.imul(d, s); break;
      case Op::I32And: case Op::I64And: a_.and_(d, s); break;
      case Op::I32Or: case Op::I64Or: a_.or_(d, s); break;
      default: a_.xor_(d, s); break;
    }
  }
  // count: masked to the width already
  void shiftImm(Op op, bool is64, uint8_t x, uint32_t count) {
    const a::Gp d = is64 ? gpq(x) : gpd(x);
    const asmjit::Imm i = asmjit::imm(count);
    switch (op) {
      case Op::I32Shl: case Op::I64Shl: a_.shl(d, i); break;
      case Op::I32ShrS: case Op::I64ShrS: a_.sar(d, i); break;
      case Op::I32ShrU: case Op::I64ShrU: a_.shr(d, i); break;
      case Op::I32Rotl: case Op::I64Rotl: a_.rol(d, i); break;
      default: a_.ror(d, i); break;
    }
  }
  void shift(Op op, bool is64, uint8_t x, uint8_t y) {
    const a::Gp d = is64 ? gpq(x) : gpd(x);
    a_.mov(a::ecx, gpd(y));
    switch (op) {
      case Op::I32Shl: case Op::I64Shl: a_.shl(d, a::cl); break;
      case Op::I32ShrS: case Op::I64ShrS: a_.sar(d, a::cl); break;
      case Op::I32ShrU: case Op::I64ShrU: a_.shr(d, a::cl); break;
      case Op::I32Rotl: case Op::I64Rotl: a_.rol(d, a::cl); break;
      default: a_.ror(d, a::cl); break;
    }
  }
  template <class Traps>
  void divRem(Traps& traps, Op op, bool is64, uint8_t x, uint8_t y) {
    const a::Gp d = is64 ? gpq(x) : gpd(x), s = is64 ? gpq(y) : gpd(y);
    const a::Gp ax = is64 ? a::Gp(a::rax) : a::Gp(a::eax), dx = is64 ? a::Gp(a::rdx) : a::Gp(a::edx);
    const bool isSigned = op == Op::I32DivS || op == Op::I32RemS || op == Op::I64DivS || op == Op::I64RemS;
    const bool isRem = op == Op::I32RemS || op == Op::I32RemU || op == Op::I64RemS || op == Op::I64RemU;
    a_.test(s, s);
    traps.trapIf(Cond::kZ, TrapReason::IntegerDivideByZero);
    Label done = a_.newLabel();
    if (isSigned) {
      Label normal = a_.newLabel();
      a_.cmp(s, -1);
      a_.jne(normal);
      if (isRem) {
        a_.xor_(gpd(x), gpd(x));  // INT_MIN % -1 == 0 (and x % -1 == 0 for all x)
        a_.jmp(done);
      } else {
        if (is64) {
          a_.mov(a::rax, uint64_t(0x8000000000000000ull));
          a_.cmp(d, a::rax);
        } else {
          a_.cmp(d, static_cast<int32_t>(0x80000000u));
        }
        traps.trapIf(Cond::kE, TrapReason::IntegerOverflow);
      }
      a_.bind(normal);
      a_.mov(ax, d);
      if (is64) a_.cqo();
      else a_.cdq();
      a_.idiv(s);
    } else {
      a_.mov(ax, d);
      a_.xor_(a::edx, a::edx);
      a_.div(s);
    }
    a_.mov(d, isRem ? dx : ax);
    a_.bind(done);
  }
  static Cond intCond(Op op) {
    switch (op) {
      case Op::I32Eq: case Op::I64Eq: return Cond::kE;
      case Op::I32Ne: case Op::I64Ne: return Cond::kNE;
      case Op::I32LtS: case Op::I64LtS: return Cond::kL;
      case Op::I32LtU: case Op::I64LtU: return Cond::kB;
      case Op::I32GtS: case Op::I64GtS: return Cond::kG;
      case Op::I32GtU: case Op::I64GtU: return Cond::kA;
      case Op::I32LeS: case Op::I64LeS: return Cond::kLE;
      case Op::I32LeU: case Op::I64LeU: return Cond::kBE;
      case Op::I32GeS: case Op::I64GeS: return Cond::kGE;
      default: return Cond::kAE;
    }
  }
  bool compareHasImm(bool is64, uint64_t bits) const { return fitsImm32(bits, is64); }
  void compareImm(bool is64, uint8_t x, uint64_t bits) {
    if (is64) a_.cmp(gpq(x), imm(bits, true));
    else a_.cmp(gpd(x), imm(bits, false));
  }
  void compare(bool is64, uint8_t x, uint8_t y) {
    if (is64) a_.cmp(gpq(x), gpq(y));
    else a_.cmp(gpd(x), gpd(y));
  }
  Cond eqz(bool is64, uint8_t r) {
    if (is64) a_.test(gpq(r), gpq(r));
    else a_.test(gpd(r), gpd(r));
    return Cond::kE;
  }
  Cond testZero64(uint8_t r) {
    a_.test(gpq(r), gpq(r));
    return Cond::kZ;
  }
  static bool hasBitCount(Op op) {
    const asmjit::CpuInfo& ci = asmjit::CpuInfo::host();
    if ((op == Op::I32Clz || op == Op::I64Clz) && !ci.hasFeature(asmjit::CpuFeatures::X86::kLZCNT)) return false;
    if ((op == Op::I32Ctz || op == Op::I64Ctz) && !ci.hasFeature(asmjit::CpuFeatures::X86::kBMI)) return false;
    if ((op == Op::I32Popcnt || op == Op::I64Popcnt) && !ci.hasFeature(asmjit::CpuFeatures::X86::kPOPCNT)) return false;
    return true;
  }
  void bitCount(Op op, bool is64, uint8_t r) {
    const a::Gp d = is64 ? gpq(r) : gpd(r);
    if (op == Op::I32Clz || op == Op::I64Clz) a_.lzcnt(d, d);
    else if (op == Op::I32Ctz || op == Op::I64Ctz) a_.tzcnt(d, d);
    else a_.popcnt(d, d);
  }
  // wrap, extends (in place)
  void intUnary(Op op, uint8_t r) {
    switch (op) {
      case Op::I32WrapI64: case Op::I64ExtendI32U: a_.mov(gpd(r), gpd(r)); break;
      case Op::I64ExtendI32S: case Op::I64Extend32S: a_.movsxd(gpq(r), gpd(r)); break;
      default: {
        const bool is64 = op == Op::I64Extend8S || op == Op::I64Extend16S;
        const a::Gp src = (op == Op::I32Extend8S || op == Op::I64Extend8S) ? a::Gp(gpb(r)) : a::Gp(a::gpw(r));
        if (is64) a_.movsx(gpq(r), src);
        else a_.movsx(gpd(r), src);
        break;
      }
    }
  }

  // ---- float ops ----
  void floatBinary(Op op, uint8_t x, uint8_t y) {
    const a::Xmm d = xmm(x), s = xmm(y);
    switch (op) {
      case Op::F32Add: a_.addss(d, s); break;
      case Op::F32Sub: a_.subss(d, s); break;
      case Op::F32Mul: a_.mulss(d, s); break;
      case Op::F32Div: a_.divss(d, s); break;
      case Op::F64Add: a_.addsd(d, s); break;
      case Op::F64Sub: a_.subsd(d, s); break;
      case Op::F64Mul: a_.mulsd(d, s); break;
      default: a_.divsd(d, s); break;
    }
  }
  // The comparison's 0/1 into al (floatCompareResult moves it to the result register the compiler allocates after
  // freeing x and y).
  void floatCompare(Op op, uint8_t x, uint8_t y) {
    const bool is64 = op >= Op::F64Eq && op <= Op::F64Ge;
    auto ucomi = [&](uint8_t p, uint8_t q) {
      if (is64) a_.ucomisd(xmm(p), xmm(q));
      else a_.ucomiss(xmm(p), xmm(q));
    };
    switch (op) {
      case Op::F32Eq: case Op::F64Eq:
        ucomi(x, y);
        a_.sete(a::al);
        a_.setnp(a::cl);
        a_.and_(a::al, a::cl);
        break;
      case Op::F32Ne: case Op::F64Ne:
        ucomi(x, y);
        a_.setne(a::al);
        a_.setp(a::cl);
        a_.or_(a::al, a::cl);
        break;
      case Op::F32Lt: case Op::F64Lt: ucomi(y, x); a_.seta(a::al); break;
      case Op::F32Gt: case Op::F64Gt: ucomi(x, y); a_.seta(a::al); break;
      case Op::F32Le: case Op::F64Le: ucomi(y, x); a_.setae(a::al); break;
      default: ucomi(x, y); a_.setae(a::al); break;
    }
  }
  void floatCompareResult(uint8_t r) { a_.movzx(gpd(r), a::al); }
  void floatUnary(Op op, uint8_t x) {
    const bool is64 = op == Op::F64Sqrt || op == Op::F64Ceil || op == Op::F64Floor || op == Op::F64Trunc ||
                      op == Op::F64Nearest;
    const a::Xmm d = xmm(x);
    int mode = -1;
    switch (op) {
      case Op::F32Sqrt: a_.sqrtss(d, d); break;
      case Op::F64Sqrt: a_.sqrtsd(d, d); break;
      case Op::F32Nearest: case Op::F64Nearest: mode = 0; break;
      case Op::F32Floor: case Op::F64Floor: mode = 1; break;
      case Op::F32Ceil: case Op::F64Ceil: mode = 2; break;
      default: mode = 3; break;
    }
    if (mode >= 0) {
      if (is64) a_.roundsd(d, d, mode | 8);
      else a_.roundss(d, d, mode | 8);
    }
  }
  // bit operations in GP registers: NaN payloads pass unchanged
  void floatCopysign(bool is64, uint8_t x, uint8_t y) {
    if (is64) {
      a_.movq(a::rax, xmm(x));
      a_.movq(a::rcx, xmm(y));
      a_.btr(a::rax, 63);
      a_.shr(a::rcx, 63);
      a_.shl(a::rcx, 63);
      a_.or_(a::rax, a::rcx);
      a_.movq(xmm(x), a::rax);
    } else {
      a_.movd(a::eax, xmm(x));
      a_.movd(a::ecx, xmm(y));
      a_.and_(a::eax, 0x7fffffff);
      a_.and_(a::ecx, static_cast<int32_t>(0x80000000u));
      a_.or_(a::eax, a::ecx);
      a_.movd(xmm(x), a::eax);
    }
  }
  void floatAbsNeg(Op op, uint8_t x) {
    const bool is64 = op == Op::F64Abs || op == Op::F64Neg;
    const bool abs = op == Op::F32Abs || op == Op::F64Abs;
    if (is64) {
      a_.movq(a::rax, xmm(x));
      if (abs) a_.btr(a::rax, 63);
      else a_.btc(a::rax, 63);
      a_.movq(xmm(x), a::rax);
    } else {
      a_.movd(a::eax, xmm(x));
      if (abs) a_.and_(a::eax, 0x7fffffff);
      else a_.xor_(a::eax, static_cast<int32_t>(0x80000000u));
      a_.movd(xmm(x), a::eax);
    }
  }
  void convertIntToFloat(Op op, uint8_t x, uint8_t r) {
    const bool src64 = op == Op::F32ConvertI64S || op == Op::F64ConvertI64S || op == Op::F32ConvertI32U ||
                       op == Op::F64ConvertI32U;  // u32 sources are zero-extended: convert as i64
    const bool to64 = op == Op::F64ConvertI32S || op == Op::F64ConvertI64S || op == Op::F64ConvertI32U;
    a_.xorps(xmm(x), xmm(x));
    if (to64) a_.cvtsi2sd(xmm(x), src64 ? gpq(r) : gpd(r));
    else a_.cvtsi2ss(xmm(x), src64 ? gpq(r) : gpd(r));
  }
  void floatConvert(Op op, uint8_t x) {
    if (op == Op::F32DemoteF64) a_.cvtsd2ss(xmm(x), xmm(x));
    else a_.cvtss2sd(xmm(x), xmm(x));
  }
  void fpToGp(bool is64, uint8_t r, uint8_t x) {
    if (!is64) a_.movd(gpd(r), xmm(x));
    else a_.movq(gpq(r), xmm(x));
  }
  void gpToFp(bool is64, uint8_t x, uint8_t r) {
    if (!is64) a_.movd(xmm(x), gpd(r));
    else a_.movq(xmm(x), gpq(r));
  }

  // ---- select, references ----
  void selectGp(ValKind k, uint8_t cond, uint8_t x, uint8_t b) {
    a_.test(gpd(cond), gpd(cond));
    if (k == ValKind::I32) a_.cmovz(gpd(x), gpd(b));
    else a_.cmovz(gpq(x), gpq(b));
  }
  void selectFp(uint8_t cond, uint8_t x, uint8_t b) {
    Label keep = a_.newLabel();
    a_.test(gpd(cond), gpd(cond));
    a_.jnz(keep);
    a_.movaps(xmm(x), xmm(b));
    a_.bind(keep);
  }
  void refIsNull(uint8_t r) {
    a_.test(gpq(r), gpq(r));
    a_.sete(a::al);
    a_.movzx(gpd(r), a::al);
  }
  void refEq(uint8_t x, uint8_t b) {
    a_.cmp(gpq(x), gpq(b));
    a_.sete(a::al);
    a_.movzx(gpd(x), a::al);
  }
  void refI31(uint8_t r) {
    a_.and_(gpd(r), 0x7fffffff);
    a_.add(gpd(r), gpd(r));
    a_.or_(gpd(r), 1);
  }
  void i31Get(bool isSigned, uint8_t r) {
    if (isSigned) a_.sar(gpd(r), 1);  // bit 30 of the value is bit 31 of the tagged word
    else a_.shr(gpd(r), 1);
  }

  // ---- SIMD (simd.cpp selects the instructions) ----
  bool simdInlined(Op op) const { return simd_.inlined(op); }
  static unsigned simdAccessSize(Op op) { return SimdEmitter::accessSize(op); }
  void simdConstant(uint8_t r, const uint8_t* bytes) { simd_.constant(xmm(r), bytes); }
  void simdSplat(Op op, uint8_t x, uint8_t gp) { simd_.splat(op, xmm(x), gp == kNoReg ? a::Gp() : gpq(gp)); }
  void simdReplaceLane(Op op, uint8_t x, uint8_t gp, uint8_t fp, uint8_t lane) {
    simd_.replaceLane(op, xmm(x), gp == kNoReg ? a::Gp() : gpq(gp), fp == kNoReg ? a::Xmm() : xmm(fp), lane);
  }
  void simdShift(Op op, uint8_t x, uint8_t count, uint32_t constCount) {
    simd_.shift(op, xmm(x), count == kNoReg ? a::Gp() : gpq(count), constCount);
  }
  Cond simdTest(Op op, uint8_t x) { return simd_.test(op, xmm(x)); }
  void simdExtractFloat(Op op, uint8_t x, uint8_t lane) { simd_.extractFloat(op, xmm(x), lane); }
  void simdToGp(Op op, uint8_t r, uint8_t x, uint8_t lane) { simd_.toGp(op, gpq(r), xmm(x), lane); }
  uint8_t simdVector(Op op, uint8_t x, uint8_t y, uint8_t z, const uint8_t* mask) {
    auto reg = [](uint8_t r) { return r == kNoReg ? a::Xmm() : xmm(r); };
    const a::Xmm r = simd_.vector(op, reg(x), reg(y), reg(z), mask);
    return static_cast<uint8_t>(r.id() + kFpBase);
  }
  void simdLoad(Op op, uint8_t dst, const Mem& m, uint8_t lane) { simd_.load(op, xmm(dst), m, lane); }
  void simdStore(Op op, const Mem& m, uint8_t src, uint8_t lane) { simd_.store(op, m, xmm(src), lane); }

 private:
  // ---- fixed registers and runtime offsets ----
  static constexpr a::Gp kCx = a::r12, kFn = a::rbx, kFp = a::r13, kInst = a::r14, kMem = a::r15;
  static constexpr int32_t kOffDepth = static_cast<int32_t>(offsetof(ExecContext, depth));
  static constexpr int32_t kOffMaxDepth = static_cast<int32_t>(offsetof(ExecContext, maxDepth));
  static constexpr int32_t kOffSp = static_cast<int32_t>(offsetof(ExecContext, sp));
  static constexpr int32_t kOffStackEnd = static_cast<int32_t>(offsetof(ExecContext, stackEnd));
  static constexpr int32_t kOffInterrupt = static_cast<int32_t>(offsetof(ExecContext, interrupt));
  static constexpr int32_t kOffCaller = static_cast<int32_t>(offsetof(ExecContext, caller));
  static constexpr int32_t kOffFuelEnabled = static_cast<int32_t>(offsetof(ExecContext, fuelEnabled));
  static constexpr int32_t kOffFuel = static_cast<int32_t>(offsetof(ExecContext, fuel));
  static constexpr int32_t kOffStackLimit = static_cast<int32_t>(offsetof(ExecContext, stackLimit));
  static constexpr int32_t kOffJitFrames = static_cast<int32_t>(offsetof(ExecContext, jitFrames));
  static constexpr int32_t kOffMem0Base = static_cast<int32_t>(offsetof(InstanceData, memory0Base));
  static constexpr int32_t kOffMem0 = static_cast<int32_t>(offsetof(InstanceData, memory0));
  static constexpr int32_t kOffMemSize = static_cast<int32_t>(offsetof(MemoryInst, size));

 public:
  static constexpr int32_t kOffEntry = static_cast<int32_t>(offsetof(FuncInst, entry));
  static constexpr int32_t kOffJitDirect = static_cast<int32_t>(offsetof(FuncInst, jitDirectEntry));  // (the call stub)
  static constexpr int32_t kOffInstance = static_cast<int32_t>(offsetof(FuncInst, instance));
  static constexpr int32_t kOffOptBudget = static_cast<int32_t>(offsetof(FuncInst, optBudget));

 private:
  size_t relFixup(uint8_t opcode) {
    a_.db(opcode);
    const size_t at = a_.offset();
    a_.dd(0);
    return at;
  }
  // The full entry's wrapper (host ABI) around a call of `direct`: saves r12/r14/r15 (and rbp) and sets them.
  void fullEntry(const Label& direct) {
    emitTemplate(
        fullEntryT_,
        [&](auto note) {
          a_.push(a::rbp);
          a_.push(a::r12);
          a_.push(a::r14);
          a_.push(a::r15);
          a_.sub(a::rsp, 8);
          a_.mov(kCx, a::rdi);
          a_.mov(kInst, a::qword_ptr(a::rsi, kOffInstance));
          a_.mov(kMem, a::qword_ptr(kInst, kOffMem0Base));
          a_.callFwd();
          note(0);
          a_.add(a::rsp, 8);
          a_.pop(a::r15);
          a_.pop(a::r14);
          a_.pop(a::r12);
          a_.pop(a::rbp);
          a_.ret();
        },
        [&](uint8_t, size_t field) { a_.linkForward(field, direct); });
  }
  // The direct entry's frame setup (rsi = FuncInst*, rdx = io, kept): saves rbx/r13 and io, checks the native stack,
  // the call depth and the value stack, links the frame. Uses rax/rcx only.
  void frameSetup() {
    enum : uint8_t { kExhausted, kExhaustedDepth, kScratch, kFrame };
    emitTemplate(
        frameSetupT_,
        [&](auto note) {
          a_.push(a::rbx);
          a_.push(a::r13);
          a_.push(a::rdx);  // io at [rsp]; rsp is now 16-byte aligned
          a_.mov(kFn, a::rsi);
          a_.mov(a::eax, static_cast<uint32_t>(TrapReason::CallStackExhausted));
          a_.cmp(a::rsp, a::qword_ptr(kCx, kOffStackLimit));
          a_.jFwd(a::CondCode::kB);
          note(kExhausted);
          a_.mov(a::ecx, a::dword_ptr(kCx, kOffDepth));
          a_.cmp(a::ecx, a::dword_ptr(kCx, kOffMaxDepth));
          a_.jFwd(a::CondCode::kAE);
          note(kExhausted);
          a_.inc(a::ecx);
          a_.mov(a::dword_ptr(kCx, kOffDepth), a::ecx);
          a_.mov(kFp, a::qword_ptr(kCx, kOffSp));
          a_.add(kFp, kSizePlaceholder);
          note(kScratch);
          a_.mov(a::rcx, kFp);
          a_.add(a::rcx, kSizePlaceholder);
          note(kFrame);
          a_.cmp(a::rcx, a::qword_ptr(kCx, kOffStackEnd));
          a_.jFwd(a::CondCode::kA);
          note(kExhaustedDepth);
          a_.mov(a::qword_ptr(kCx, kOffSp), a::rcx);
          // frame link in scratch slot 0: [fp-16] = FuncInst*, [fp-8] = previous link
          a_.mov(a::qword_ptr(kFp, -16), kFn);
          a_.mov(a::rcx, a::qword_ptr(kCx, kOffJitFrames));
          a_.mov(a::qword_ptr(kFp, -8), a::rcx);
          a_.lea(a::rcx, a::ptr(kFp, -16));
          a_.mov(a::qword_ptr(kCx, kOffJitFrames), a::rcx);
        },
        [&](uint8_t k, size_t field) {
          switch (k) {
            case kExhausted: linkField(exhausted_, field); break;
            case kExhaustedDepth: linkField(exhaustedDepth_, field); break;
            case kScratch: scratchImms_.push_back(field); break;
            default: frameImms_.push_back(field); break;
          }
        });
  }

  MacroAssembler& a_;
  SimdEmitter simd_;
  ConstantPool<Label> pool_;
  std::vector<PtrSite> ptrSites_;
  std::vector<TypeIdRef> typeIdRefs_;
  bool guardedAccess_ = false;  // the last effectiveAddress() is an unchecked access to a guarded memory
  Fwd trapCommon_, exhausted_, exhaustedDepth_;
  std::vector<size_t> scratchImms_, frameImms_;  // imm32 fields of this function's frame sizes (emitFrameConstants)
  CodeTemplate fullEntryT_, frameSetupT_;
};

}  // namespace
}  // namespace myrt::jit::x64

#pragma GCC diagnostic pop
