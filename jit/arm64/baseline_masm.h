// jit/arm64/baseline_masm.h -- the AArch64 baseline macro assembler: what the ISA-neutral baseline compiler
// (jit/common/baseline_compiler.h) asks of an ISA (the interface: jit/common/baseline_masm.h), as A64 sequences over
// the MacroAssembler (masm.h). The x86-64 one (jit/x64/baseline_masm.h) is the model; the frame, the trap protocol
// and the call conventions are the same in spirit.
// Layer: jit/arm64 (asmjit types stay in jit/arm64).
//
// Fixed registers inside JIT code (callee-saved in AAPCS64, so helpers and callees keep them):
//   x19 = ExecContext*   x20 = FuncInst* (this function, for trap frames)   x21 = fp (frame slot of local 0)
//   x22 = Instance* (== &Instance::data)   x23 = base of memory 0   [sp + 32] = io (the entry's argument/result buffer)
// io is loaded into x10 where it is needed (ioSlot). Allocatable: GP x0-x8, x11-x15 (values i32/i64/ref; i32 values keep the upper 32 bits zero: every W-register write
// zero-extends), V0-V7 and V16-V29 (f32/f64 and v128; the callee-saved V8-V15 are not used). Scratch: x9 x10 x16 x17,
// v30 v31; x2/x3 on the trap paths; x30 is the return address of the last call (emitPropagate reads it).
// Calls: helpers get their arguments in x0-x7 and return a TrapReason in w0; a wasm callee is entered with x0 = cx,
// x1 = its FuncInst*, x2 = its io -- through FuncInst::entry, or as a direct `bl` (linked by jit.cpp through the
// backend's patchCall) to its direct entry, which expects x19/x22/x23 set. The trap protocol of a resumed fault:
// x3 = the access's wasm offset (Backend::faultOffsetRegister).
// SIMD: v128 constants, loads/stores, splats, lanes, shifts, any/all_true and the vector ops with a direct NEON form
// inline (neonForm); the rest (shuffles, narrowing/widening, extmul, dot, conversions, bitmask, pmin/pmax, relaxed
// ops, i64x2.all_true/mul) through the numeric helpers, as docs/status.md lists. i32/i64.popcnt: NEON cnt.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "jit/arm64/masm.h"
#include "jit/common/baseline_masm.h"
#include "jit/common/helpers.h"
#include "runtime/exec/store.h"
#include "runtime/exec/trap.h"
#include "runtime/wasm/opcodes.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"  // offsets into ExecContext / FuncInst (non-standard-layout)

namespace myrt::jit::arm64 {

// Internal linkage: only jit/arm64/compiler.cpp instantiates BaselineCompiler over it (see jit/x64/baseline_masm.h).
namespace {

class BaselineMasm {
 public:
  using Mem = a::Mem;
  using Label = asmjit::Label;
  using Cond = arm64::Cond;
  using Arg = HelperArg<Mem, Label>;
  static constexpr uint8_t kFpBase = arm64::kFpBase;
  // x0-x8, x11-x15
  static constexpr uint64_t kGpAllocatable = 0x1FFu | (0x1Fu << 11);
  // v0-v7, v16-v29
  static constexpr uint64_t kFpAllocatable = (uint64_t(0xFFu) | (uint64_t(0x3FFFu) << 16)) << kFpBase;
  // The full entry is 12 instructions (fullEntry): the direct entry follows it.
  static constexpr uint64_t kDirectEntryOffset = 48;

  explicit BaselineMasm(MacroAssembler& a) : a_(a) {}

  static Cond negate(Cond c) { return arm64::negateCond(c); }

  // ---- per function ----
  void reset() {
    pool_.clear();
    guardedAccess_ = false;
    frameBytes_ = scratchBytes_ = trapCommon_ = exhausted_ = exhaustedDepth_ = Label();
  }
  void beginFunction() {
    frameBytes_ = a_.newLabel();
    scratchBytes_ = a_.newLabel();
    trapCommon_ = a_.newLabel();
    exhausted_ = a_.newLabel();
    exhaustedDepth_ = a_.newLabel();
  }

  // ---- code position, labels, jumps ----
  size_t offset() const { return a_.offset(); }
  void setOffset(size_t o) { a_.setOffset(o); }
  Label newLabel() { return a_.newLabel(); }
  void bind(const Label& l) { a_.bind(l); }
  void jmp(const Label& l) { a_.b(l); }
  void j(Cond cc, const Label& l) { a_.b(cc, l); }
  size_t jFwd(Cond cc) { return a_.jFwd(cc); }
  size_t jmpFwd() { return a_.jmpFwd(); }
  void patchHere(size_t field) { a_.patchHere(field); }
  void chainFwd(size_t field, size_t prev) { a_.chainFwd(field, prev); }
  void patchChainHere(size_t last) { a_.patchChainHere(last); }
  void jmpBack(size_t target) { a_.jmpBack(target); }

  // ---- value moves ----
  Mem frameSlot(int32_t off) const { return a::ptr(kFp, off); }
  // io in x10 (a scratch register: results are written from allocated registers)
  Mem ioSlot(uint32_t i) const { return a::ptr(kIo, static_cast<int32_t>(16 * i)); }
  void loadIo() { a_.ldr(kIo, a::ptr(a::sp, kIoOffset)); }
  // (never both at once: global.get / global.set)
  Mem loadAddress(const void* p) {
    a_.loadImm(a::x9, reinterpret_cast<uint64_t>(p));
    return a::ptr(a::x9);
  }
  Mem storeAddress(const void* p) {
    a_.loadImm(a::x9, reinterpret_cast<uint64_t>(p));
    return a::ptr(a::x9);
  }
  void loadValue(ValKind k, uint8_t r, const Mem& src) {
    switch (k) {
      case ValKind::I32: a_.ldr(gpw(r), a_.fit(src, 4)); break;
      case ValKind::F32: a_.ldr(vs(r), a_.fit(src, 4)); break;
      case ValKind::F64: a_.ldr(vd(r), a_.fit(src, 8)); break;
      case ValKind::V128: a_.ldr(vq(r), a_.fit(src, 16)); break;
      default: a_.ldr(gpx(r), a_.fit(src, 8)); break;
    }
  }
  void moveReg(ValKind k, uint8_t dst, uint8_t src) {
    if (dst >= kFpBase) a_.mov(vq(dst).b16(), vq(src).b16());
    else if (k == ValKind::I32) a_.mov(gpw(dst), gpw(src));
    else a_.mov(gpx(dst), gpx(src));
  }
  void loadConst(ValKind k, uint8_t r, uint64_t bits) {
    if (r >= kFpBase) {
      if (k == ValKind::F32) {
        a_.loadImm(a::w16, bits);
        a_.fmov(vs(r), a::w16);
      } else {
        a_.loadImm(a::x16, bits);
        a_.fmov(vd(r), a::x16);
      }
    } else {
      a_.loadImm(k == ValKind::I32 ? gpw(r) : gpx(r), bits);
    }
  }
  void storeReg(ValKind k, uint8_t r, const Mem& dst) {
    if (r >= kFpBase) {
      if (k == ValKind::F32) a_.str(vs(r), a_.fit(dst, 4));
      else if (k == ValKind::V128) a_.str(vq(r), a_.fit(dst, 16));
      else a_.str(vd(r), a_.fit(dst, 8));
    } else {
      a_.str(gpx(r), a_.fit(dst, 8));
    }
  }
  // 8 bytes (an i32 / f32 zero-extended, as the x64 backend stores them)
  void storeConst(ValKind k, uint64_t bits, const Mem& dst) {
    if (k == ValKind::I32 || k == ValKind::F32) bits &= 0xffffffffu;
    if (bits == 0) {
      a_.str(a::xzr, a_.fit(dst, 8));
      return;
    }
    a_.loadImm(a::x16, bits);
    a_.str(a::x16, a_.fit(dst, 8));
  }
  void copyValue(const Mem& dst, const Mem& src, bool v128) { a_.copyValue(dst, src, v128); }

  // ---- frame: entries, epilogue ----
  // The full entry (host ABI: x0 = cx, x1 = FuncInst*, x2 = io) saves the callee-saved registers that stay the same
  // across a direct call within the instance (x19 cx, x22 instance, x23 memory base), sets them, and calls the direct
  // entry at kDirectEntryOffset, which saves x29/x30, x20 and x21 and sets up the frame.
  void emitEntry(const Label& direct) {
    fullEntry(direct);
    a_.bind(direct);
    frameSetup();
    a_.mov(kIo, a::x2);  // (the prologue copies the params from ioSlot)
  }
  void zeroFrameSlots(int32_t off, uint32_t n) {
    a_.eor(a::v(31).b16(), a::v(31).b16(), a::v(31).b16());
    if (n <= 16) {
      for (uint32_t i = 0; i < n; ++i) a_.str(a::v(31), a_.fit(frameSlot(off + static_cast<int32_t>(16 * i)), 16));
    } else {
      a_.addressOf(a::x16, frameSlot(off));
      a_.loadImm(a::w17, n);
      Label loop = a_.newLabel();
      a_.bind(loop);
      a_.str(a::v(31), a::ptr_post(a::x16, 16));
      a_.subs(a::w17, a::w17, 1);
      a_.b(Cond::kNE, loop);
    }
  }
  // The epilogue (w0 = 0: results are in io already) and the stack-exhausted exits; returns the exit's offset (w0
  // set, frame unlinked, cx.sp and cx.depth restored).
  size_t emitEpilogue() {
    a_.mov(a::w0, a::wzr);
    const size_t exit = a_.offset();
    a_.ldr(a::x16, a::ptr(kFp, -8));  // unlink the frame
    a_.str(a::x16, a_.fit(a::ptr(kCx, kOffJitFrames), 8));
    a_.ldr(a::x16, a::ptr(scratchBytes_));
    a_.sub(a::x16, kFp, a::x16);
    a_.str(a::x16, a_.fit(a::ptr(kCx, kOffSp), 8));
    decDepth();
    a_.bind(exhausted_);  // (entered with w0 set, before depth/sp were touched)
    a_.ldp(a::x20, a::x21, a::ptr(a::sp, 16));
    a_.ldp(a::x29, a::x30, a::ptr_post(a::sp, kFrameSize));
    a_.ret(a::x30);
    // stack space exhausted after depth was counted
    a_.bind(exhaustedDepth_);
    decDepth();
    a_.loadImm(a::w0, static_cast<uint32_t>(TrapReason::CallStackExhausted));
    a_.b(exhausted_);
    return exit;
  }
  // Frame constants read by the prologue / epilogue (literal loads).
  void emitFrameConstants(uint64_t frameBytes, uint64_t scratchBytes) {
    a_.align(asmjit::AlignMode::kData, 8);
    a_.bind(frameBytes_);
    a_.embedUInt64(frameBytes);
    a_.bind(scratchBytes_);
    a_.embedUInt64(scratchBytes);
  }
  // The OSR entry (jit::OsrInfo): x3 = target, x4 = slots to copy from io. The frame setup keeps x2-x4.
  void emitOsrEntry(const Label& entry) {
    Label direct = a_.newLabel(), copy = a_.newLabel(), go = a_.newLabel();
    a_.bind(entry);
    fullEntry(direct);
    a_.bind(direct);
    frameSetup();
    a_.cbz(a::x4, go);
    a_.mov(a::x9, a::x2);
    a_.mov(a::x10, kFp);
    a_.bind(copy);
    a_.ldr(a::v(31), a::ptr_post(a::x9, 16));
    a_.str(a::v(31), a::ptr_post(a::x10, 16));
    a_.subs(a::x4, a::x4, 1);
    a_.b(Cond::kNE, copy);
    a_.bind(go);
    a_.br(a::x3);
  }

  // ---- polls, fuel ----
  Cond testInterrupt() {
    a_.ldr(a::x16, a_.fit(a::ptr(kCx, kOffInterrupt), 8));
    a_.ldr(a::w16, a::ptr(a::x16));
    a_.cmp(a::w16, 0);
    return Cond::kNE;
  }
  size_t jumpIfFuelEnabled() {
    a_.ldrb(a::w16, a_.fit(a::ptr(kCx, kOffFuelEnabled), 1));
    return a_.cbnzFwd(a::w16);
  }
  Cond chargeFuel(uint64_t cost) {
    a_.ldr(a::x16, a_.fit(a::ptr(kCx, kOffFuel), 8));
    if (cost < 4096) {
      a_.subs(a::x16, a::x16, cost);
    } else {
      a_.loadImm(a::x17, cost);
      a_.subs(a::x16, a::x16, a::x17);
    }
    a_.str(a::x16, a_.fit(a::ptr(kCx, kOffFuel), 8));
    return Cond::kMI;
  }

  // ---- traps: each site sets w3 = its wasm offset, then its reason's stub sets w2 = reason ----
  void trapSiteStub(uint32_t wasmOffset, const Label& reasonStub) {
    a_.loadImm(a::w3, wasmOffset);
    a_.b(reasonStub);
  }
  void trapReasonStub(unsigned reason) {
    a_.loadImm(a::w2, reason);
    a_.b(trapCommon_);
  }
  void emitTrapCommon(size_t exit) {
    a_.bind(trapCommon_);
    a_.mov(a::x0, kCx);
    a_.mov(a::x1, kFn);
    a_.callAbs(reinterpret_cast<const void*>(&trapHelper));
    a_.jmpBack(exit);
  }
  // w0 = a callee's / helper's trap, reached right after that call returned: x30 is still its return address (the
  // code in between -- the trap check, handler dispatch without a matching clause -- makes no call).
  void emitPropagate(size_t exit) {
    a_.mov(a::w2, a::w0);
    a_.mov(a::x3, a::x30);
    a_.mov(a::x0, kCx);
    a_.mov(a::x1, kFn);
    a_.callAbs(reinterpret_cast<const void*>(&callTrapHelper));
    a_.jmpBack(exit);
  }

  // ---- calls ----
  void callHelper(const void* fn, std::initializer_list<Arg> args) {
    unsigned i = 0;
    for (const Arg& x : args) {
      const a::Gp r = a::x(i++);
      switch (x.kind) {
        case Arg::Cx: a_.mov(r, kCx); break;
        case Arg::Func: a_.mov(r, kFn); break;
        case Arg::Frame: a_.mov(r, kFp); break;
        case Arg::Inst: a_.mov(r, kInst); break;
        case Arg::Io: a_.ldr(r, a::ptr(a::sp, kIoOffset)); break;
        case Arg::Imm32: a_.loadImm(r.w(), static_cast<uint32_t>(x.imm)); break;
        case Arg::Imm64: a_.loadImm(r, x.imm); break;
        case Arg::Ptr: a_.loadImm(r, x.imm); break;  // (not recorded: Backend::relocatableCode is false here)
        case Arg::Address: a_.addressOf(r, x.mem); break;
        case Arg::Constant: a_.adr(r, x.label); break;
      }
    }
    a_.callAbs(fn);
  }
  // The return register (a TrapReason) non-zero: to `l`.
  void branchOnTrap(const Label& l) { a_.cbnz(a::w0, l); }
  void calleeConst(const FuncInst* f) { a_.loadImm(a::x1, reinterpret_cast<uint64_t>(f)); }
  // r (a register code) = the address `p` (ref.func's FuncInst).
  void loadPtr(uint8_t r, const void* p) { a_.loadImm(gpx(r), reinterpret_cast<uint64_t>(p)); }
  void calleeFromSlot(const Mem& m) { a_.ldr(a::x1, a_.fit(m, 8)); }
  Cond testCalleeNull() {
    a_.cmp(a::x1, 0);
    return Cond::kEQ;
  }
  // x1 = callee; `args` = its io (the arguments' slots).
  void callPrologue(const Mem& args, bool viaEntry) {
    a_.mov(a::x0, kCx);
    a_.addressOf(a::x2, args);
    if (viaEntry) a_.str(kInst, a_.fit(a::ptr(kCx, kOffCaller), 8));  // read by host functions only
  }
  // bl / b, patched by the linker (CallFixup, Backend::patchCall): returns the instruction's offset.
  size_t callDirect() { return a_.blFwd(); }
  size_t jumpDirect() { return a_.jmpFwd(); }
  void callViaEntry() {
    a_.ldr(a::x16, a_.fit(a::ptr(a::x1, kOffEntry), 8));
    a_.blr(a::x16);
  }
  // Tail calls (BaselineCompiler::emitTailCall): x2 = x10 = io, x9 = io + 16 * n (the callee's end of stack).
  void tailCallIoEnd(uint32_t n) {
    a_.ldr(kIo, a::ptr(a::sp, kIoOffset));
    a_.mov(a::x2, kIo);
    a_.addressOf(a::x9, a::ptr(kIo, static_cast<int32_t>(16 * n)));
  }
  Cond tailCallCheckRoom() {
    a_.ldr(a::x16, a_.fit(a::ptr(kCx, kOffStackEnd), 8));
    a_.cmp(a::x9, a::x16);
    return Cond::kHI;
  }
  // cx.sp = max(entry sp, x9), the frame unlinked and torn down; x0 = cx, x1 = callee for the jump.
  void tailCallLeave() {
    a_.ldr(a::x16, a::ptr(scratchBytes_));
    a_.sub(a::x16, kFp, a::x16);  // this function's entry sp
    a_.cmp(a::x9, a::x16);
    a_.csel(a::x9, a::x16, a::x9, condImm(Cond::kLO));
    a_.str(a::x9, a_.fit(a::ptr(kCx, kOffSp), 8));
    a_.ldr(a::x16, a::ptr(kFp, -8));  // unlink the frame
    a_.str(a::x16, a_.fit(a::ptr(kCx, kOffJitFrames), 8));
    decDepth();
    a_.mov(a::x0, kCx);
    a_.ldp(a::x20, a::x21, a::ptr(a::sp, 16));
    a_.ldp(a::x29, a::x30, a::ptr_post(a::sp, kFrameSize));
  }
  // A compiled function of this instance (reached through a table or a reference): its direct entry; else its entry.
  void tailJumpIndirect() {
    Label viaEntry = a_.newLabel();
    a_.ldr(a::x16, a_.fit(a::ptr(a::x1, kOffInstance), 8));
    a_.cmp(a::x16, kInst);
    a_.b(Cond::kNE, viaEntry);
    a_.ldr(a::x16, a_.fit(a::ptr(a::x1, kOffJitDirect), 8));
    a_.cbz(a::x16, viaEntry);
    a_.br(a::x16);
    a_.bind(viaEntry);
    a_.str(kInst, a_.fit(a::ptr(kCx, kOffCaller), 8));  // read by host functions only
    a_.ldr(a::x16, a_.fit(a::ptr(a::x1, kOffEntry), 8));
    a_.br(a::x16);
  }

  // ---- branches, tables, constants ----
  Cond testNonZero32(uint8_t r) {
    a_.cmp(gpw(r), 0);
    return Cond::kNE;
  }
  void setCond(Cond cc, uint8_t r) { a_.cset(gpw(r), condImm(cc)); }
  Cond compareSlotZero(const Mem& m, unsigned bytes) {
    if (bytes == 4) {
      a_.ldr(a::w16, a_.fit(m, 4));
      a_.cmp(a::w16, 0);
    } else {
      a_.ldr(a::x16, a_.fit(m, 8));
      a_.cmp(a::x16, 0);
    }
    return Cond::kEQ;
  }
  // br_table with at most kMaxTreeTargets targets: the index in w16 and a branch to a binary search tree of compares
  // at `table`, emitted after the code by embedJumpTable (as on x86-64, jit/x64/baseline_masm.h: conditional branches
  // predict a dispatch loop's repeating case sequence where one shared indirect branch does not; measured there, not
  // on AArch64 hardware). Larger tables: a branch through 32-bit offsets relative to the table, the index clamped to n.
  static constexpr uint32_t kMaxTreeTargets = 16;
  void tableJump(uint8_t idx, uint32_t n, const Label& table) {
    if (n <= kMaxTreeTargets) {
      a_.mov(a::w16, gpw(idx));
      a_.b(table);
      return;
    }
    a_.loadImm(a::w16, n);
    a_.cmp(gpw(idx), a::w16);
    a_.csel(a::w16, a::w16, gpw(idx), condImm(Cond::kHI));
    a_.adr(a::x17, table);
    a_.ldrsw(a::x16, a::ptr(a::x17, a::x16, asmjit::arm::lsl(2)));
    a_.add(a::x16, a::x17, a::x16);
    a_.br(a::x16);
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
    a_.cmp(a::w16, n);
    a_.b(Cond::kHS, entries[n]);
    searchTree(entries, 0, n);
  }
  void searchTree(const std::vector<Label>& e, uint32_t lo, uint32_t hi) {  // w16 in [lo, hi): on to e[w16]
    bool same = true;
    for (uint32_t i = lo + 1; i < hi && same; ++i) same = e[i].id() == e[lo].id();
    if (same) {
      a_.b(e[lo]);
      return;
    }
    const uint32_t mid = lo + (hi - lo) / 2;
    Label right = a_.newLabel();
    a_.cmp(a::w16, mid);
    a_.b(Cond::kHS, right);
    searchTree(e, lo, mid);
    a_.bind(right);
    searchTree(e, mid, hi);
  }
  // Data embedded after the code (16-byte aligned), addressed pc-relative.
  // A canonical type id inside a constant (x86-64 records it for precompiled code; not recorded here yet).
  void constantTypeId(const Label&, uint32_t, uint32_t) {}
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

  // ---- exception handlers (the dispatch code: w0 = the result of the call or throw; x9 = the exception) ----
  void handlerPrologue(const Label& propagate) {
    const int32_t offExn = static_cast<int32_t>(offsetof(ExecContext, exception));
    a_.cmp(a::w0, static_cast<uint32_t>(TrapReason::UncaughtException));
    a_.b(Cond::kNE, propagate);
    a_.ldr(a::x9, a_.fit(a::ptr(kCx, offExn), 8));
    a_.cbz(a::x9, propagate);
  }
  void branchIfTagNot(const TagInst* tag, const Label& next) {
    const int32_t offTag = static_cast<int32_t>(offsetof(ExnObject, tag));
    a_.ldr(a::x16, a_.fit(a::ptr(a::x9, offTag), 8));
    a_.loadImm(a::x17, reinterpret_cast<uint64_t>(tag));
    a_.cmp(a::x16, a::x17);
    a_.b(Cond::kNE, next);
  }
  void storeException(const Mem& m) { a_.str(a::x9, a_.fit(m, 8)); }

  // ---- memory ----
  // Bounds check of [addr+offset, +size) against the memory's current size; returns the operand.
  // Memory 0 with i32 addresses: [x23 + index]; guarded: no check (a fault in the reservation's guard region becomes
  // the trap). Other memories and i64 addresses use the MemoryInst's base as a constant (bases never move) and check
  // bounds unless guarded. Uses x10, x16, x17 (the operand is [x23 or x17, x16 or the address register]).
  template <class Traps>
  Mem effectiveAddress(Traps& traps, uint8_t ar, uint64_t offset, unsigned size, bool is64, uint32_t memIndex,
                       MemoryInst* mem) {
    if (memIndex != 0 || is64) {
      if (is64) a_.mov(a::x16, gpx(ar));
      else a_.mov(a::w16, gpw(ar));  // zero-extends
      if (!is64 && mem->guarded && offset <= 0x7fffffffu) {
        addOffset(offset);
        a_.loadImm(a::x17, reinterpret_cast<uint64_t>(mem->base));
        guardedAccess_ = true;
        return a::ptr(a::x17, a::x16);
      }
      guardedAccess_ = false;
      if (offset > UINT64_MAX - size) traps.trapJmp(TrapReason::MemoryOutOfBounds);  // always out of bounds
      a_.loadImm(a::x17, offset + size);
      a_.adds(a::x17, a::x17, a::x16);  // end of the access; a carry means it wrapped past 2^64
      traps.trapIf(Cond::kHS, TrapReason::MemoryOutOfBounds);
      a_.loadImm(a::x10, reinterpret_cast<uint64_t>(&mem->size));
      a_.ldr(a::x10, a::ptr(a::x10));
      a_.cmp(a::x17, a::x10);
      traps.trapIf(Cond::kHI, TrapReason::MemoryOutOfBounds);
      addOffset(offset);
      a_.loadImm(a::x17, reinterpret_cast<uint64_t>(mem->base));
      return a::ptr(a::x17, a::x16);
    }
    guardedAccess_ = mem->guarded && offset <= 0x7fffffffu;
    if (guardedAccess_) {
      // i32 values keep the upper 32 bits of their register zero: the register itself is the index
      if (offset == 0) return a::ptr(kMem, gpx(ar));
      a_.mov(a::x16, gpx(ar));
      addOffset(offset);
      return a::ptr(kMem, a::x16);
    }
    a_.mov(a::w16, gpw(ar));  // zero-extends the i32 address
    addOffset(offset);
    a_.add(a::x17, a::x16, size);
    a_.ldr(a::x10, a_.fit(a::ptr(kInst, kOffMem0), 8));
    a_.ldr(a::x10, a_.fit(a::ptr(a::x10, kOffMemSize), 8));
    a_.cmp(a::x17, a::x10);
    traps.trapIf(Cond::kHI, TrapReason::MemoryOutOfBounds);
    return a::ptr(kMem, a::x16);
  }
  // The last effectiveAddress() is an unchecked access to a guarded memory (a fault site).
  bool lastAccessGuarded() const { return guardedAccess_; }
  // Before a store of `size` > 1 bytes to a guarded memory (operand m from effectiveAddress): AArch64 may write the
  // in-bounds bytes of a misaligned store that straddles the end of memory before the guard page faults, which wasm
  // forbids (exec/signals.h kGuardStoresMayTear). The end of memory is a multiple of 64 KiB, so only an access whose
  // first and last bytes lie in different 64 KiB blocks (bit 16 of index ^ (index + size - 1)) can straddle it: that
  // one is checked against the memory's size; every other store runs 3 more instructions (add, eor, tbz).
  // Uses x9, x10.
  template <class Traps>
  void checkStoreStraddle(Traps& traps, const Mem& m, unsigned size, MemoryInst* mem) {
    const a::Gp index = a::x(m.indexId());
    a_.add(a::x10, index, size - 1);
    a_.eor(a::x10, a::x10, index);
    const Label ok = a_.newLabel();
    a_.tbz(a::x10, 16, ok);
    a_.add(a::x10, index, size);  // the end of the access (index < 2^33: no wrap)
    if (m.baseId() == kMem.id()) {
      a_.ldr(a::x9, a_.fit(a::ptr(kInst, kOffMem0), 8));
      a_.ldr(a::x9, a_.fit(a::ptr(a::x9, kOffMemSize), 8));
    } else {
      a_.loadImm(a::x9, reinterpret_cast<uint64_t>(&mem->size));
      a_.ldr(a::x9, a::ptr(a::x9));
    }
    a_.cmp(a::x10, a::x9);
    traps.trapIf(Cond::kHI, TrapReason::MemoryOutOfBounds);
    a_.bind(ok);
  }
  void load(Op op, uint8_t dst, const Mem& m) {
    const a::Gp d32 = gpw(dst), d64 = gpx(dst);
    switch (op) {
      case Op::I32Load: case Op::I64Load32U: a_.ldr(d32, m); break;
      case Op::I64Load: a_.ldr(d64, m); break;
      case Op::F32Load: a_.ldr(vs(dst), m); break;
      case Op::F64Load: a_.ldr(vd(dst), m); break;
      case Op::I32Load8S: a_.ldrsb(d32, m); break;
      case Op::I32Load8U: case Op::I64Load8U: a_.ldrb(d32, m); break;
      case Op::I32Load16S: a_.ldrsh(d32, m); break;
      case Op::I32Load16U: case Op::I64Load16U: a_.ldrh(d32, m); break;
      case Op::I64Load8S: a_.ldrsb(d64, m); break;
      case Op::I64Load16S: a_.ldrsh(d64, m); break;
      case Op::I64Load32S: a_.ldrsw(d64, m); break;
      default: break;
    }
  }
  void store(ValKind vk, unsigned size, const Mem& m, uint8_t v) {
    if (vk == ValKind::F32) a_.str(vs(v), m);
    else if (vk == ValKind::F64) a_.str(vd(v), m);
    else if (size == 1) a_.strb(gpw(v), m);
    else if (size == 2) a_.strh(gpw(v), m);
    else if (size == 4) a_.str(gpw(v), m);
    else a_.str(gpx(v), m);
  }

  // ---- integer ops (x = x op y, in place) ----
  bool intBinaryHasImm(Op op, bool is64, uint64_t bits) const {
    if (!is64) bits &= 0xffffffffu;
    return (op == Op::I32Add || op == Op::I64Add || op == Op::I32Sub || op == Op::I64Sub) && bits < 4096;
  }
  void intBinaryImm(Op op, bool is64, uint8_t x, uint64_t bits) {
    const a::Gp d = is64 ? gpx(x) : gpw(x);
    const uint64_t i = is64 ? bits : (bits & 0xffffffffu);
    if (op == Op::I32Add || op == Op::I64Add) a_.add(d, d, i);
    else a_.sub(d, d, i);
  }
  void intBinary(Op op, bool is64, uint8_t x, uint8_t y) {
    const a::Gp d = is64 ? gpx(x) : gpw(x), s = is64 ? gpx(y) : gpw(y);
    switch (op) {
      case Op::I32Add: case Op::I64Add: a_.add(d, d, s); break;
      case Op::I32Sub: case Op::I64Sub: a_.sub(d, d, s); break;
      case Op::I32Mul: case Op::I64Mul: a_.mul(d, d, s); break;
      case Op::I32And: case Op::I64And: a_.and_(d, d, s); break;
      case Op::I32Or: case Op::I64Or: a_.orr(d, d, s); break;
      default: a_.eor(d, d, s); break;
    }
  }
  // count: masked to the width already
  void shiftImm(Op op, bool is64, uint8_t x, uint32_t count) {
    const a::Gp d = is64 ? gpx(x) : gpw(x);
    const uint32_t width = is64 ? 64 : 32;
    switch (op) {
      case Op::I32Shl: case Op::I64Shl: a_.lsl(d, d, count); break;
      case Op::I32ShrS: case Op::I64ShrS: a_.asr(d, d, count); break;
      case Op::I32ShrU: case Op::I64ShrU: a_.lsr(d, d, count); break;
      case Op::I32Rotl: case Op::I64Rotl: a_.ror(d, d, (width - count) & (width - 1)); break;
      default: a_.ror(d, d, count); break;
    }
  }
  // A64's variable shifts take the count modulo the width, as WebAssembly does.
  void shift(Op op, bool is64, uint8_t x, uint8_t y) {
    const a::Gp d = is64 ? gpx(x) : gpw(x), s = is64 ? gpx(y) : gpw(y);
    switch (op) {
      case Op::I32Shl: case Op::I64Shl: a_.lsl(d, d, s); break;
      case Op::I32ShrS: case Op::I64ShrS: a_.asr(d, d, s); break;
      case Op::I32ShrU: case Op::I64ShrU: a_.lsr(d, d, s); break;
      case Op::I32Rotl: case Op::I64Rotl: {
        const a::Gp t = is64 ? a::Gp(a::x16) : a::Gp(a::w16);
        a_.neg(t, s);
        a_.ror(d, d, t);
        break;
      }
      default: a_.ror(d, d, s); break;
    }
  }
  // sdiv/udiv never trap: the divide by zero and INT_MIN / -1 checks are explicit; rem is x - (x / y) * y (INT_MIN
  // rem -1: sdiv gives INT_MIN, and the msub 0, as WebAssembly wants).
  template <class Traps>
  void divRem(Traps& traps, Op op, bool is64, uint8_t x, uint8_t y) {
    const a::Gp d = is64 ? gpx(x) : gpw(x), s = is64 ? gpx(y) : gpw(y);
    const a::Gp t = is64 ? a::Gp(a::x16) : a::Gp(a::w16);
    const bool isSigned = op == Op::I32DivS || op == Op::I32RemS || op == Op::I64DivS || op == Op::I64RemS;
    const bool isRem = op == Op::I32RemS || op == Op::I32RemU || op == Op::I64RemS || op == Op::I64RemU;
    a_.cmp(s, 0);
    traps.trapIf(Cond::kEQ, TrapReason::IntegerDivideByZero);
    if (isSigned && !isRem) {
      Label normal = a_.newLabel();
      a_.cmn(s, 1);
      a_.b(Cond::kNE, normal);
      a_.loadImm(t, is64 ? uint64_t(0x8000000000000000ull) : uint64_t(0x80000000u));
      a_.cmp(d, t);
      traps.trapIf(Cond::kEQ, TrapReason::IntegerOverflow);
      a_.bind(normal);
    }
    if (isSigned) a_.sdiv(t, d, s);
    else a_.udiv(t, d, s);
    if (isRem) a_.msub(d, t, s, d);
    else a_.mov(d, t);
  }
  static Cond intCond(Op op) {
    switch (op) {
      case Op::I32Eq: case Op::I64Eq: return Cond::kEQ;
      case Op::I32Ne: case Op::I64Ne: return Cond::kNE;
      case Op::I32LtS: case Op::I64LtS: return Cond::kLT;
      case Op::I32LtU: case Op::I64LtU: return Cond::kLO;
      case Op::I32GtS: case Op::I64GtS: return Cond::kGT;
      case Op::I32GtU: case Op::I64GtU: return Cond::kHI;
      case Op::I32LeS: case Op::I64LeS: return Cond::kLE;
      case Op::I32LeU: case Op::I64LeU: return Cond::kLS;
      case Op::I32GeS: case Op::I64GeS: return Cond::kGE;
      default: return Cond::kHS;
    }
  }
  bool compareHasImm(bool is64, uint64_t bits) const { return (is64 ? bits : (bits & 0xffffffffu)) < 4096; }
  void compareImm(bool is64, uint8_t x, uint64_t bits) {
    if (is64) a_.cmp(gpx(x), bits);
    else a_.cmp(gpw(x), bits & 0xffffffffu);
  }
  void compare(bool is64, uint8_t x, uint8_t y) {
    if (is64) a_.cmp(gpx(x), gpx(y));
    else a_.cmp(gpw(x), gpw(y));
  }
  Cond eqz(bool is64, uint8_t r) {
    if (is64) a_.cmp(gpx(r), 0);
    else a_.cmp(gpw(r), 0);
    return Cond::kEQ;
  }
  Cond testZero64(uint8_t r) {
    a_.cmp(gpx(r), 0);
    return Cond::kEQ;
  }
  // clz; ctz = rbit + clz; popcnt through NEON: cnt per byte, then addv
  static bool hasBitCount(Op) { return true; }
  void bitCount(Op op, bool is64, uint8_t r) {
    const a::Gp d = is64 ? gpx(r) : gpw(r);
    if (op == Op::I32Popcnt || op == Op::I64Popcnt) {
      const a::Vec t = a::v(30);
      if (is64) a_.fmov(t.d(), d);
      else a_.fmov(t.s(), d);
      a_.cnt(t.b8(), t.b8());
      a_.addv(t.b(), t.b8());
      a_.fmov(gpw(r), t.s());
      return;
    }
    if (op == Op::I32Ctz || op == Op::I64Ctz) a_.rbit(d, d);
    a_.clz(d, d);
  }
  // wrap, extends (in place)
  void intUnary(Op op, uint8_t r) {
    switch (op) {
      case Op::I32WrapI64: case Op::I64ExtendI32U: a_.mov(gpw(r), gpw(r)); break;
      case Op::I64ExtendI32S: case Op::I64Extend32S: a_.sxtw(gpx(r), gpw(r)); break;
      case Op::I32Extend8S: a_.sxtb(gpw(r), gpw(r)); break;
      case Op::I32Extend16S: a_.sxth(gpw(r), gpw(r)); break;
      case Op::I64Extend8S: a_.sxtb(gpx(r), gpw(r)); break;
      default: a_.sxth(gpx(r), gpw(r)); break;  // I64Extend16S
    }
  }

  // ---- float ops ----
  void floatBinary(Op op, uint8_t x, uint8_t y) {
    const bool is64 = op == Op::F64Add || op == Op::F64Sub || op == Op::F64Mul || op == Op::F64Div;
    const a::Vec d = is64 ? vd(x) : vs(x), s = is64 ? vd(y) : vs(y);
    switch (op) {
      case Op::F32Add: case Op::F64Add: a_.fadd(d, d, s); break;
      case Op::F32Sub: case Op::F64Sub: a_.fsub(d, d, s); break;
      case Op::F32Mul: case Op::F64Mul: a_.fmul(d, d, s); break;
      default: a_.fdiv(d, d, s); break;
    }
  }
  // fcmp, then floatCompareResult materializes the condition (false for unordered operands except ne).
  void floatCompare(Op op, uint8_t x, uint8_t y) {
    const bool is64 = op >= Op::F64Eq && op <= Op::F64Ge;
    if (is64) a_.fcmp(vd(x), vd(y));
    else a_.fcmp(vs(x), vs(y));
    switch (op) {
      case Op::F32Eq: case Op::F64Eq: floatCond_ = Cond::kEQ; break;
      case Op::F32Ne: case Op::F64Ne: floatCond_ = Cond::kNE; break;
      case Op::F32Lt: case Op::F64Lt: floatCond_ = Cond::kMI; break;
      case Op::F32Gt: case Op::F64Gt: floatCond_ = Cond::kGT; break;
      case Op::F32Le: case Op::F64Le: floatCond_ = Cond::kLS; break;
      default: floatCond_ = Cond::kGE; break;
    }
  }
  void floatCompareResult(uint8_t r) { a_.cset(gpw(r), condImm(floatCond_)); }
  void floatUnary(Op op, uint8_t x) {
    const bool is64 = op == Op::F64Sqrt || op == Op::F64Ceil || op == Op::F64Floor || op == Op::F64Trunc ||
                      op == Op::F64Nearest;
    const a::Vec d = is64 ? vd(x) : vs(x);
    switch (op) {
      case Op::F32Sqrt: case Op::F64Sqrt: a_.fsqrt(d, d); break;
      case Op::F32Nearest: case Op::F64Nearest: a_.frintn(d, d); break;
      case Op::F32Floor: case Op::F64Floor: a_.frintm(d, d); break;
      case Op::F32Ceil: case Op::F64Ceil: a_.frintp(d, d); break;
      default: a_.frintz(d, d); break;
    }
  }
  // bit operations in GP registers: NaN payloads pass unchanged
  void floatCopysign(bool is64, uint8_t x, uint8_t y) {
    if (is64) {
      a_.fmov(a::x16, vd(x));
      a_.fmov(a::x17, vd(y));
      a_.and_(a::x16, a::x16, uint64_t(0x7fffffffffffffffull));
      a_.and_(a::x17, a::x17, uint64_t(0x8000000000000000ull));
      a_.orr(a::x16, a::x16, a::x17);
      a_.fmov(vd(x), a::x16);
    } else {
      a_.fmov(a::w16, vs(x));
      a_.fmov(a::w17, vs(y));
      a_.and_(a::w16, a::w16, 0x7fffffffu);
      a_.and_(a::w17, a::w17, 0x80000000u);
      a_.orr(a::w16, a::w16, a::w17);
      a_.fmov(vs(x), a::w16);
    }
  }
  // fabs / fneg only change the sign bit (NaN payloads pass unchanged, signalling NaNs stay signalling)
  void floatAbsNeg(Op op, uint8_t x) {
    const bool is64 = op == Op::F64Abs || op == Op::F64Neg;
    const a::Vec d = is64 ? vd(x) : vs(x);
    if (op == Op::F32Abs || op == Op::F64Abs) a_.fabs(d, d);
    else a_.fneg(d, d);
  }
  void convertIntToFloat(Op op, uint8_t x, uint8_t r) {
    switch (op) {
      case Op::F32ConvertI32S: a_.scvtf(vs(x), gpw(r)); break;
      case Op::F32ConvertI64S: a_.scvtf(vs(x), gpx(r)); break;
      case Op::F64ConvertI32S: a_.scvtf(vd(x), gpw(r)); break;
      case Op::F64ConvertI64S: a_.scvtf(vd(x), gpx(r)); break;
      case Op::F32ConvertI32U: a_.ucvtf(vs(x), gpw(r)); break;
      default: a_.ucvtf(vd(x), gpw(r)); break;  // F64ConvertI32U
    }
  }
  void floatConvert(Op op, uint8_t x) {
    if (op == Op::F32DemoteF64) a_.fcvt(vs(x), vd(x));
    else a_.fcvt(vd(x), vs(x));
  }
  void fpToGp(bool is64, uint8_t r, uint8_t x) {
    if (!is64) a_.fmov(gpw(r), vs(x));
    else a_.fmov(gpx(r), vd(x));
  }
  void gpToFp(bool is64, uint8_t x, uint8_t r) {
    if (!is64) a_.fmov(vs(x), gpw(r));
    else a_.fmov(vd(x), gpx(r));
  }

  // ---- select, references ----
  void selectGp(ValKind k, uint8_t cond, uint8_t x, uint8_t b) {
    a_.cmp(gpw(cond), 0);
    if (k == ValKind::I32) a_.csel(gpw(x), gpw(x), gpw(b), condImm(Cond::kNE));
    else a_.csel(gpx(x), gpx(x), gpx(b), condImm(Cond::kNE));
  }
  void selectFp(uint8_t cond, uint8_t x, uint8_t b) {
    Label keep = a_.newLabel();
    a_.cbnz(gpw(cond), keep);
    a_.mov(vq(x).b16(), vq(b).b16());
    a_.bind(keep);
  }
  void refIsNull(uint8_t r) {
    a_.cmp(gpx(r), 0);
    a_.cset(gpw(r), condImm(Cond::kEQ));
  }
  void refEq(uint8_t x, uint8_t b) {
    a_.cmp(gpx(x), gpx(b));
    a_.cset(gpw(x), condImm(Cond::kEQ));
  }
  void refI31(uint8_t r) {
    a_.lsl(gpw(r), gpw(r), 1);  // (drops bit 31)
    a_.orr(gpw(r), gpw(r), 1u);
  }
  void i31Get(bool isSigned, uint8_t r) {
    if (isSigned) a_.asr(gpw(r), gpw(r), 1);  // bit 30 of the value is bit 31 of the tagged word
    else a_.lsr(gpw(r), gpw(r), 1);
  }

  // ---- SIMD on NEON: the ops with a direct NEON form inline (neonForm), the rest through the numeric helpers ----
  bool simdInlined(Op op) const { return neonForm(nullptr, op, 0, 0, 0, nullptr); }
  static unsigned simdAccessSize(Op op) { return simdMemAccessSize(op); }
  void simdConstant(uint8_t r, const uint8_t* bytes) {
    static const uint8_t kZero[16] = {};
    if (std::memcmp(bytes, kZero, 16) == 0) {
      a_.eor(vq(r).b16(), vq(r).b16(), vq(r).b16());
      return;
    }
    a_.ldr(vq(r), a::ptr(constant(bytes, 16)));
  }
  // The memory access is the first instruction (the fault site's PC range covers the whole sequence).
  void simdLoad(Op op, uint8_t dst, const Mem& m, uint8_t lane) {
    const a::Vec d = vq(dst), t = a::v(30);
    switch (op) {
      case Op::V128Load: a_.ldr(d, m); return;
      case Op::V128Load32Zero: a_.ldr(vs(dst), m); return;  // (a scalar load zeroes the rest)
      case Op::V128Load64Zero: a_.ldr(vd(dst), m); return;
      case Op::V128Load8x8S: case Op::V128Load8x8U: case Op::V128Load16x4S: case Op::V128Load16x4U:
      case Op::V128Load32x2S: case Op::V128Load32x2U: {
        a_.ldr(a::d(30), m);
        switch (op) {
          case Op::V128Load8x8S: a_.sxtl(d.h8(), t.b8()); break;
          case Op::V128Load8x8U: a_.uxtl(d.h8(), t.b8()); break;
          case Op::V128Load16x4S: a_.sxtl(d.s4(), t.h4()); break;
          case Op::V128Load16x4U: a_.uxtl(d.s4(), t.h4()); break;
          case Op::V128Load32x2S: a_.sxtl(d.d2(), t.s2()); break;
          default: a_.uxtl(d.d2(), t.s2()); break;
        }
        return;
      }
      case Op::V128Load8Splat: a_.ldrb(a::w16, m); a_.dup(d.b16(), a::w16); return;
      case Op::V128Load16Splat: a_.ldrh(a::w16, m); a_.dup(d.h8(), a::w16); return;
      case Op::V128Load32Splat: a_.ldr(a::w16, m); a_.dup(d.s4(), a::w16); return;
      case Op::V128Load64Splat: a_.ldr(a::x16, m); a_.dup(d.d2(), a::x16); return;
      case Op::V128Load8Lane: a_.ldrb(a::w16, m); a_.ins(d.b(lane), a::w16); return;
      case Op::V128Load16Lane: a_.ldrh(a::w16, m); a_.ins(d.h(lane), a::w16); return;
      case Op::V128Load32Lane: a_.ldr(a::w16, m); a_.ins(d.s(lane), a::w16); return;
      case Op::V128Load64Lane: a_.ldr(a::x16, m); a_.ins(d.d(lane), a::x16); return;
      default: fail(opName(op)); return;
    }
  }
  // The lane goes to x9 first: the memory access is the sequence's last instruction.
  void simdStore(Op op, const Mem& m, uint8_t src, uint8_t lane) {
    const a::Vec v = vq(src);
    switch (op) {
      case Op::V128Store: a_.str(v, m); return;
      case Op::V128Store8Lane: a_.umov(a::w9, v.b(lane)); a_.strb(a::w9, m); return;
      case Op::V128Store16Lane: a_.umov(a::w9, v.h(lane)); a_.strh(a::w9, m); return;
      case Op::V128Store32Lane: a_.umov(a::w9, v.s(lane)); a_.str(a::w9, m); return;
      case Op::V128Store64Lane: a_.umov(a::x9, v.d(lane)); a_.str(a::x9, m); return;
      default: fail(opName(op)); return;
    }
  }
  void simdSplat(Op op, uint8_t x, uint8_t gp) {
    const a::Vec X = vq(x);
    switch (op) {
      case Op::I8x16Splat: a_.dup(X.b16(), gpw(gp)); break;
      case Op::I16x8Splat: a_.dup(X.h8(), gpw(gp)); break;
      case Op::I32x4Splat: a_.dup(X.s4(), gpw(gp)); break;
      case Op::I64x2Splat: a_.dup(X.d2(), gpx(gp)); break;
      case Op::F32x4Splat: a_.dup(X.s4(), X.s(0)); break;
      default: a_.dup(X.d2(), X.d(0)); break;  // F64x2Splat
    }
  }
  void simdReplaceLane(Op op, uint8_t x, uint8_t gp, uint8_t fp, uint8_t lane) {
    const a::Vec X = vq(x);
    switch (op) {
      case Op::I8x16ReplaceLane: a_.ins(X.b(lane), gpw(gp)); break;
      case Op::I16x8ReplaceLane: a_.ins(X.h(lane), gpw(gp)); break;
      case Op::I32x4ReplaceLane: a_.ins(X.s(lane), gpw(gp)); break;
      case Op::I64x2ReplaceLane: a_.ins(X.d(lane), gpx(gp)); break;
      case Op::F32x4ReplaceLane: a_.mov(X.s(lane), vq(fp).s(0)); break;
      default: a_.mov(X.d(lane), vq(fp).d(0)); break;  // F64x2ReplaceLane
    }
  }
  // Shifts by a constant: the immediate forms (count modulo the lane width, 0: no change); by a register: the count
  // masked, broadcast to v30 (negated for right shifts) and sshl/ushl.
  void simdShift(Op op, uint8_t x, uint8_t count, uint32_t constCount) {
    const unsigned w = shiftWidth(op);
    const a::Vec X = lanes(vq(x), w), t = lanes(a::v(30), w);
    const bool left = op == Op::I8x16Shl || op == Op::I16x8Shl || op == Op::I32x4Shl || op == Op::I64x2Shl;
    const bool arith = op == Op::I8x16ShrS || op == Op::I16x8ShrS || op == Op::I32x4ShrS || op == Op::I64x2ShrS;
    if (count == kNoReg) {
      const uint32_t c = constCount & (w - 1);
      if (c == 0) return;
      if (left) a_.shl(X, X, c);
      else if (arith) a_.sshr(X, X, c);
      else a_.ushr(X, X, c);
      return;
    }
    a_.and_(a::w16, gpw(count), w - 1);
    if (w == 64) a_.dup(t, a::x16);
    else a_.dup(t, a::w16);
    if (!left) a_.neg(t, t);
    if (arith) a_.sshl(X, X, t);
    else a_.ushl(X, X, t);
  }
  // any_true: the maximum lane non-zero; all_true: the minimum lane non-zero.
  Cond simdTest(Op op, uint8_t x) {
    const a::Vec X = vq(x), t = a::v(30);
    switch (op) {
      case Op::V128AnyTrue: a_.umaxv(t.b(), X.b16()); break;
      case Op::I8x16AllTrue: a_.uminv(t.b(), X.b16()); break;
      case Op::I16x8AllTrue: a_.uminv(t.h(), X.h8()); break;
      default: a_.uminv(t.s(), X.s4()); break;  // I32x4AllTrue
    }
    a_.fmov(a::w16, t.s());
    a_.cmp(a::w16, 0);
    return Cond::kNE;
  }
  void simdExtractFloat(Op op, uint8_t x, uint8_t lane) {
    if (lane == 0) return;
    const a::Vec X = vq(x);
    if (op == Op::F32x4ExtractLane) a_.mov(X.s(0), X.s(lane));
    else a_.mov(X.d(0), X.d(lane));
  }
  void simdToGp(Op op, uint8_t r, uint8_t x, uint8_t lane) {
    const a::Vec X = vq(x);
    switch (op) {
      case Op::I8x16ExtractLaneS: a_.smov(gpw(r), X.b(lane)); break;
      case Op::I8x16ExtractLaneU: a_.umov(gpw(r), X.b(lane)); break;
      case Op::I16x8ExtractLaneS: a_.smov(gpw(r), X.h(lane)); break;
      case Op::I16x8ExtractLaneU: a_.umov(gpw(r), X.h(lane)); break;
      case Op::I32x4ExtractLane: a_.umov(gpw(r), X.s(lane)); break;
      default: a_.umov(gpx(r), X.d(lane)); break;  // I64x2ExtractLane
    }
  }
  uint8_t simdVector(Op op, uint8_t x, uint8_t y, uint8_t z, const uint8_t*) {
    uint8_t out = x;
    if (!neonForm(&a_, op, x, y, z, &out)) fail(opName(op));
    return out;
  }

 private:
  // ---- fixed registers and runtime offsets ----
  static constexpr a::Gp kCx = a::x19, kFn = a::x20, kFp = a::x21, kInst = a::x22, kMem = a::x23, kIo = a::x10;
  static constexpr int32_t kFrameSize = 48, kIoOffset = 32;  // the direct entry's: x29 x30 | x20 x21 | io, pad
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

 private:
  // An instruction this masm does not compile yet: the FunctionCompiler reports "unsupported: <what>" (the function
  // stays in the interpreter).
  void fail(std::string_view what) { a_.fail(what); }
  // x16 += offset
  void addOffset(uint64_t offset) {
    if (offset == 0) return;
    if (offset < 4096) {
      a_.add(a::x16, a::x16, offset);
    } else {
      a_.loadImm(a::x17, offset);
      a_.add(a::x16, a::x16, a::x17);
    }
  }
  static unsigned shiftWidth(Op op) {
    switch (op) {
      case Op::I8x16Shl: case Op::I8x16ShrS: case Op::I8x16ShrU: return 8;
      case Op::I16x8Shl: case Op::I16x8ShrS: case Op::I16x8ShrU: return 16;
      case Op::I32x4Shl: case Op::I32x4ShrS: case Op::I32x4ShrU: return 32;
      default: return 64;
    }
  }
  // v as lanes of `w` bits (16B, 8H, 4S, 2D)
  static a::Vec lanes(const a::Vec& v, unsigned w) {
    return w == 8 ? a::Vec(v.b16()) : w == 16 ? a::Vec(v.h8()) : w == 32 ? a::Vec(v.s4()) : a::Vec(v.d2());
  }
  // The NEON form of a SIMD op (m == nullptr: only whether there is one). Vector ops: x = x op y (the result in *out;
  // bitselect's in z); the other kinds (splat, lanes, shifts, tests) are emitted by the simd* members above.
  static bool neonForm(MacroAssembler* m, Op op, uint8_t rx, uint8_t ry, uint8_t rz, uint8_t* out) {
    const a::Vec X = a::v(rx - kFpBase), Y = a::v(ry - kFpBase), Z = a::v(rz - kFpBase);
#define MYRT_NEON_BIN(name, insn, w) \
  case Op::name:                     \
    if (m) m->insn(lanes(X, w), lanes(X, w), lanes(Y, w)); \
    return true;
#define MYRT_NEON_REV(name, insn, w) \
  case Op::name:                     \
    if (m) m->insn(lanes(X, w), lanes(Y, w), lanes(X, w)); \
    return true;
#define MYRT_NEON_NE(name, insn, w)                         \
  case Op::name:                                            \
    if (m) {                                                \
      m->insn(lanes(X, w), lanes(X, w), lanes(Y, w));       \
      m->not_(X.b16(), X.b16());                            \
    }                                                       \
    return true;
#define MYRT_NEON_UN(name, insn, w) \
  case Op::name:                    \
    if (m) m->insn(lanes(X, w), lanes(X, w)); \
    return true;
#define MYRT_NEON_INT_CMP(P, w)                                                                              \
  MYRT_NEON_BIN(P##Eq, cmeq, w) MYRT_NEON_NE(P##Ne, cmeq, w) MYRT_NEON_BIN(P##GtS, cmgt, w)                 \
  MYRT_NEON_REV(P##LtS, cmgt, w) MYRT_NEON_BIN(P##GeS, cmge, w) MYRT_NEON_REV(P##LeS, cmge, w)
#define MYRT_NEON_UINT_CMP(P, w)                                                                             \
  MYRT_NEON_BIN(P##GtU, cmhi, w) MYRT_NEON_REV(P##LtU, cmhi, w) MYRT_NEON_BIN(P##GeU, cmhs, w)              \
  MYRT_NEON_REV(P##LeU, cmhs, w)
#define MYRT_NEON_FLOAT(P, w)                                                                                \
  MYRT_NEON_BIN(P##Add, fadd, w) MYRT_NEON_BIN(P##Sub, fsub, w) MYRT_NEON_BIN(P##Mul, fmul, w)              \
  MYRT_NEON_BIN(P##Div, fdiv, w) MYRT_NEON_BIN(P##Min, fmin, w) MYRT_NEON_BIN(P##Max, fmax, w)              \
  MYRT_NEON_UN(P##Abs, fabs, w) MYRT_NEON_UN(P##Neg, fneg, w) MYRT_NEON_UN(P##Sqrt, fsqrt, w)               \
  MYRT_NEON_UN(P##Ceil, frintp, w) MYRT_NEON_UN(P##Floor, frintm, w) MYRT_NEON_UN(P##Trunc, frintz, w)      \
  MYRT_NEON_UN(P##Nearest, frintn, w) MYRT_NEON_BIN(P##Eq, fcmeq, w) MYRT_NEON_NE(P##Ne, fcmeq, w)          \
  MYRT_NEON_REV(P##Lt, fcmgt, w) MYRT_NEON_BIN(P##Gt, fcmgt, w) MYRT_NEON_REV(P##Le, fcmge, w)              \
  MYRT_NEON_BIN(P##Ge, fcmge, w)
    switch (op) {
      // splat, lanes, shifts, tests: simdSplat, simdReplaceLane, simdToGp, simdExtractFloat, simdShift, simdTest
      case Op::I8x16Splat: case Op::I16x8Splat: case Op::I32x4Splat: case Op::I64x2Splat: case Op::F32x4Splat:
      case Op::F64x2Splat: case Op::I8x16ExtractLaneS: case Op::I8x16ExtractLaneU: case Op::I16x8ExtractLaneS:
      case Op::I16x8ExtractLaneU: case Op::I32x4ExtractLane: case Op::I64x2ExtractLane: case Op::F32x4ExtractLane:
      case Op::F64x2ExtractLane: case Op::I8x16ReplaceLane: case Op::I16x8ReplaceLane: case Op::I32x4ReplaceLane:
      case Op::I64x2ReplaceLane: case Op::F32x4ReplaceLane: case Op::F64x2ReplaceLane:
      case Op::I8x16Shl: case Op::I8x16ShrS: case Op::I8x16ShrU: case Op::I16x8Shl: case Op::I16x8ShrS:
      case Op::I16x8ShrU: case Op::I32x4Shl: case Op::I32x4ShrS: case Op::I32x4ShrU: case Op::I64x2Shl:
      case Op::I64x2ShrS: case Op::I64x2ShrU:
      case Op::V128AnyTrue: case Op::I8x16AllTrue: case Op::I16x8AllTrue: case Op::I32x4AllTrue:
        return !m;
      // bitwise
      MYRT_NEON_UN(V128Not, not_, 8)
      MYRT_NEON_BIN(V128And, and_, 8) MYRT_NEON_BIN(V128Or, orr, 8) MYRT_NEON_BIN(V128Xor, eor, 8)
      MYRT_NEON_BIN(V128Andnot, bic, 8)
      case Op::V128Bitselect:  // (x & z) | (y & ~z): bsl keeps the mask in its destination
        if (m) m->bsl(Z.b16(), X.b16(), Y.b16());
        if (out) *out = rz;
        return true;
      // integer arithmetic
      MYRT_NEON_BIN(I8x16Add, add, 8) MYRT_NEON_BIN(I16x8Add, add, 16) MYRT_NEON_BIN(I32x4Add, add, 32)
      MYRT_NEON_BIN(I64x2Add, add, 64) MYRT_NEON_BIN(I8x16Sub, sub, 8) MYRT_NEON_BIN(I16x8Sub, sub, 16)
      MYRT_NEON_BIN(I32x4Sub, sub, 32) MYRT_NEON_BIN(I64x2Sub, sub, 64) MYRT_NEON_BIN(I16x8Mul, mul, 16)
      MYRT_NEON_BIN(I32x4Mul, mul, 32)
      MYRT_NEON_BIN(I8x16AddSatS, sqadd, 8) MYRT_NEON_BIN(I8x16AddSatU, uqadd, 8) MYRT_NEON_BIN(I8x16SubSatS, sqsub, 8)
      MYRT_NEON_BIN(I8x16SubSatU, uqsub, 8) MYRT_NEON_BIN(I16x8AddSatS, sqadd, 16) MYRT_NEON_BIN(I16x8AddSatU, uqadd, 16)
      MYRT_NEON_BIN(I16x8SubSatS, sqsub, 16) MYRT_NEON_BIN(I16x8SubSatU, uqsub, 16)
      MYRT_NEON_BIN(I8x16MinS, smin, 8) MYRT_NEON_BIN(I8x16MinU, umin, 8) MYRT_NEON_BIN(I8x16MaxS, smax, 8)
      MYRT_NEON_BIN(I8x16MaxU, umax, 8) MYRT_NEON_BIN(I16x8MinS, smin, 16) MYRT_NEON_BIN(I16x8MinU, umin, 16)
      MYRT_NEON_BIN(I16x8MaxS, smax, 16) MYRT_NEON_BIN(I16x8MaxU, umax, 16) MYRT_NEON_BIN(I32x4MinS, smin, 32)
      MYRT_NEON_BIN(I32x4MinU, umin, 32) MYRT_NEON_BIN(I32x4MaxS, smax, 32) MYRT_NEON_BIN(I32x4MaxU, umax, 32)
      MYRT_NEON_BIN(I8x16AvgrU, urhadd, 8) MYRT_NEON_BIN(I16x8AvgrU, urhadd, 16)
      MYRT_NEON_UN(I8x16Abs, abs, 8) MYRT_NEON_UN(I16x8Abs, abs, 16) MYRT_NEON_UN(I32x4Abs, abs, 32)
      MYRT_NEON_UN(I64x2Abs, abs, 64) MYRT_NEON_UN(I8x16Neg, neg, 8) MYRT_NEON_UN(I16x8Neg, neg, 16)
      MYRT_NEON_UN(I32x4Neg, neg, 32) MYRT_NEON_UN(I64x2Neg, neg, 64) MYRT_NEON_UN(I8x16Popcnt, cnt, 8)
      // comparisons
      MYRT_NEON_INT_CMP(I8x16, 8) MYRT_NEON_UINT_CMP(I8x16, 8) MYRT_NEON_INT_CMP(I16x8, 16)
      MYRT_NEON_UINT_CMP(I16x8, 16) MYRT_NEON_INT_CMP(I32x4, 32) MYRT_NEON_UINT_CMP(I32x4, 32)
      MYRT_NEON_INT_CMP(I64x2, 64)
      // floats (fmin/fmax: NaN if either is NaN, -0 < +0, as WebAssembly's min/max)
      MYRT_NEON_FLOAT(F32x4, 32) MYRT_NEON_FLOAT(F64x2, 64)
      default: return false;
    }
#undef MYRT_NEON_BIN
#undef MYRT_NEON_REV
#undef MYRT_NEON_NE
#undef MYRT_NEON_UN
#undef MYRT_NEON_INT_CMP
#undef MYRT_NEON_UINT_CMP
#undef MYRT_NEON_FLOAT
  }
  void decDepth() {
    a_.ldr(a::w16, a_.fit(a::ptr(kCx, kOffDepth), 4));
    a_.sub(a::w16, a::w16, 1);
    a_.str(a::w16, a_.fit(a::ptr(kCx, kOffDepth), 4));
  }
  // The full entry's wrapper (host ABI) around a call of `direct`: saves x19/x22/x23 (and x29/x30) and sets them.
  // 12 instructions: kDirectEntryOffset.
  void fullEntry(const Label& direct) {
    a_.stp(a::x29, a::x30, a::ptr_pre(a::sp, -kFrameSize));
    a_.mov(a::x29, a::sp);
    a_.stp(kCx, kInst, a::ptr(a::sp, 16));
    a_.str(kMem, a::ptr(a::sp, 32));
    a_.mov(kCx, a::x0);
    a_.ldr(kInst, a::ptr(a::x1, kOffInstance));
    a_.ldr(kMem, a::ptr(kInst, kOffMem0Base));
    a_.bl(direct);
    a_.ldp(kCx, kInst, a::ptr(a::sp, 16));
    a_.ldr(kMem, a::ptr(a::sp, 32));
    a_.ldp(a::x29, a::x30, a::ptr_post(a::sp, kFrameSize));
    a_.ret(a::x30);
  }
  // The direct entry's frame setup (x1 = FuncInst*, x2 = io; x2-x4 kept): saves x29/x30, x20/x21 and io, checks the
  // native stack, the call depth and the value stack, links the frame. Uses x0 (the exhausted result), x16, x17.
  void frameSetup() {
    a_.stp(a::x29, a::x30, a::ptr_pre(a::sp, -kFrameSize));
    a_.stp(kFn, kFp, a::ptr(a::sp, 16));
    a_.str(a::x2, a::ptr(a::sp, kIoOffset));
    a_.mov(a::x29, a::sp);
    a_.mov(kFn, a::x1);
    a_.loadImm(a::w0, static_cast<uint32_t>(TrapReason::CallStackExhausted));
    a_.ldr(a::x16, a_.fit(a::ptr(kCx, kOffStackLimit), 8));
    a_.mov(a::x17, a::sp);
    a_.cmp(a::x17, a::x16);
    a_.b(Cond::kLO, exhausted_);
    a_.ldr(a::w16, a_.fit(a::ptr(kCx, kOffDepth), 4));
    a_.ldr(a::w17, a_.fit(a::ptr(kCx, kOffMaxDepth), 4));
    a_.cmp(a::w16, a::w17);
    a_.b(Cond::kHS, exhausted_);
    a_.add(a::w16, a::w16, 1);
    a_.str(a::w16, a_.fit(a::ptr(kCx, kOffDepth), 4));
    a_.ldr(kFp, a_.fit(a::ptr(kCx, kOffSp), 8));
    a_.ldr(a::x16, a::ptr(scratchBytes_));
    a_.add(kFp, kFp, a::x16);
    a_.ldr(a::x16, a::ptr(frameBytes_));
    a_.add(a::x16, kFp, a::x16);
    a_.ldr(a::x17, a_.fit(a::ptr(kCx, kOffStackEnd), 8));
    a_.cmp(a::x16, a::x17);
    a_.b(Cond::kHI, exhaustedDepth_);
    a_.str(a::x16, a_.fit(a::ptr(kCx, kOffSp), 8));
    // frame link in scratch slot 0: [fp-16] = FuncInst*, [fp-8] = previous link
    a_.str(kFn, a::ptr(kFp, -16));
    a_.ldr(a::x16, a_.fit(a::ptr(kCx, kOffJitFrames), 8));
    a_.str(a::x16, a::ptr(kFp, -8));
    a_.sub(a::x16, kFp, 16);
    a_.str(a::x16, a_.fit(a::ptr(kCx, kOffJitFrames), 8));
  }

  MacroAssembler& a_;
  ConstantPool<Label> pool_;
  bool guardedAccess_ = false;  // the last effectiveAddress() is an unchecked access to a guarded memory
  Cond floatCond_ = Cond::kEQ;
  Label frameBytes_, scratchBytes_, trapCommon_, exhausted_, exhaustedDepth_;
};

}  // namespace
}  // namespace myrt::jit::arm64

#pragma GCC diagnostic pop
