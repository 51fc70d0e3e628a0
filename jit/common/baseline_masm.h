// jit/common/baseline_masm.h -- what one ISA provides to the ISA-neutral baseline compiler
// (jit/common/baseline_compiler.h, `BaselineCompiler<Masm>`): the per-ISA "baseline macro assembler". The compiler owns
// everything that is the same on every ISA -- the value stack (VarState, register allocation by code, spills), the
// control stack (labels, branches and their value moves, br_table targets), calls (which values go where, call
// fixups), exception handlers, OSR loop records, fuel regions, trap sites and the code map -- and asks the Masm for
// machine code only. A port to a new ISA (jit/arm64) implements this interface (a class passed as the template
// parameter; no virtual calls: everything inlines into the one instantiation in jit/<isa>/compiler.cpp) plus a
// FunctionCompiler around it (jit/common/backend.h). jit/x64/baseline_masm.h is the reference implementation.
// Layer: jit/common (no ISA; the types below are parameterised on the Masm's own Mem and Label types).
//
// ## The frame (fixed by the runtime, the same on every ISA)
// A function's frame is Value slots (16 bytes) addressed from a frame pointer `fp`: local i at fp + 16*i, operand
// stack position p at fp + 16*(numLocals + p), scratch slot s at fp - 16*(s+1) (scratch slot 0 is the frame link:
// [fp-16] = FuncInst*, [fp-8] = the previous link, read by trap backtraces). The compiler passes fp-relative byte
// offsets to `frameSlot`; everything else about registers (which hold cx, fp, the instance, memory 0's base, io) is
// the Masm's choice and stays inside it.
//
// ## Types and constants the Masm defines
//   using Mem, Label, Cond;            a memory operand, a code label (default-constructed: invalid, `isValid()`),
//                                      a flag condition (`Cond negate(Cond)`)
//   static constexpr uint8_t kFpBase;  register codes >= kFpBase are FP/vector registers, below are GP registers
//   static constexpr uint64_t kGpAllocatable, kFpAllocatable;   allocatable register codes (bit sets)
//   using Arg = HelperArg<Mem, Label>; the arguments of a helper call (below)
//
// ## Members the compiler calls (all emit at the current position unless said otherwise)
// Per function: reset() before it (per-function state back to its initial value); beginFunction() at its start.
// Code position and labels: offset(), setOffset(o) (drop code after o: compare+branch fusion), newLabel(), bind(l),
//   jmp(l), j(cond, l); forward jumps without labels: jFwd(cond) / jmpFwd() return the jump's fixup field (SIZE_MAX
//   on an assembler error), patchHere(field), chainFwd(field, prevField), patchChainHere(lastField) (several jumps to
//   one place chained through their fields), jmpBack(offset).
// Value moves (k = the value's kind; reg = a register code): loadValue(k, reg, mem), moveReg(k, dst, src),
//   loadConst(k, reg, bits), storeReg(k, reg, mem), storeConst(k, bits, mem), copyValue(dst, src, v128) (slot to slot
//   through the Masm's scratch registers), frameSlot(fpOffset), ioSlot(i) (Value i of the function's io buffer, valid
//   after loadIo() and in the prologue), loadIo(), loadAddress(p) / storeAddress(p) (a fixed address as an operand:
//   the former stays valid across loadValue, the latter across storeReg/storeConst/copyValue).
// Frame: emitEntry(direct) (the host-ABI entry around a call of `direct`, then `direct` bound and the frame set up:
//   stack/depth checks, frame link), zeroFrameSlots(fpOffset, n), emitEpilogue() (returns the exit's offset: results
//   are in io, TrapReason in the return register), emitFrameConstants(frameBytes, scratchBytes) (data read by the
//   frame setup), emitOsrEntry(entry) (jit/common/backend.h OsrInfo).
// Polls and fuel: testInterrupt() -> cond (true: interrupted), jumpIfFuelEnabled() -> field, chargeFuel(cost) -> cond
//   (true: exhausted).
// Traps (the trap protocol of jit/common/backend.h): trapSiteStub(wasmOffset, reasonLabel) (sets the fault-offset
//   register, jumps to the reason's stub), trapReasonStub(reason), emitTrapCommon(exit) (trapHelper, then the exit),
//   emitPropagate(exit) (a callee's or helper's trap: callTrapHelper with the call's return address).
// Calls: callHelper(fn, {args}) (C ABI, arguments in order: Arg::cx() ExecContext*, func() this FuncInst*, frame() fp,
//   instance(), io(), imm32/imm64, pointer(p) (an address of the runtime: recorded for relocation), address(mem) (the operand's address), constant(label) (embedded data)),
//   branchOnTrap(label) (the return register non-zero), calleeConst(FuncInst*), loadPtr(reg, p), calleeFromSlot(mem),
//   testCalleeNull() -> cond, callPrologue(argsMem, viaEntry), callDirect() / jumpDirect() (rel call/jump to be linked:
//   returns the fixup's offset, jit/common/backend.h CallFixup), callViaEntry(), tail calls: tailCallIoEnd(n),
//   tailCallCheckRoom() -> cond (true: exhausted), tailCallLeave(), tailJumpIndirect().
// Branch helpers: testNonZero32(reg) -> cond, setCond(cond, reg) (an i32 0/1), compareSlotZero(mem, bytes) -> cond
//   (true: zero), tableJump(indexReg, n, tableLabel), embedJumpTable(label, entries) (a jump table or a search tree), constant(bytes, n) -> label, constantTypeId(label, byteOffset, typeIndex) (a canonical type id inside a constant)
//   (16-byte data after the code, deduplicated; ConstantPool below), emitConstants().
// Exceptions: handlerPrologue(propagate) (not an exception in flight: on), branchIfTagNot(tag, next),
//   storeException(mem).
// Memory: effectiveAddress(traps, addrReg, offset, size, addr64, memIndex, mem) -> Mem (bounds check or a guarded
//   access; lastAccessGuarded()), load(op, dst, mem), store(kind, size, mem, src).
// Numeric and reference ops (registers the compiler owns; the result goes where the compiler says, see each call in
//   baseline_compiler.h): intBinaryHasImm / intBinaryImm / intBinary, shiftImm / shift, divRem(traps, ...),
//   compareHasImm / compareImm / compare / intCond(op), eqz, hasBitCount / bitCount, intUnary, floatBinary,
//   floatCompare + floatCompareResult, floatUnary, floatCopysign, floatAbsNeg, convertIntToFloat, floatConvert,
//   fpToGp / gpToFp, selectGp / selectFp, refIsNull, refEq, refI31, i31Get, testZero64 -> cond.
// SIMD: simdInlined(op) (false: the numeric helper), simdConstant, simdSplat, simdReplaceLane, simdShift, simdTest ->
//   cond, simdExtractFloat, simdToGp, simdVector -> result register, simdLoad, simdStore, simdAccessSize.
//
// `traps` is the compiler (any object with trapIf(Cond, TrapReason) and trapJmp(TrapReason)): a Masm sequence that
// can trap registers its jumps there, so trap stubs and their wasm offsets stay the compiler's bookkeeping.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <vector>

#include "runtime/exec/trap.h"
#include "runtime/wasm/opcodes.h"

namespace myrt::jit {

// "No register" for the Masm calls that take an optional register (e.g. a SIMD shift by a constant).
constexpr uint8_t kNoReg = 0xFF;

// The bytes a SIMD memory op accesses (Masm::simdAccessSize: every ISA's bounds check and fault site).
inline unsigned simdMemAccessSize(Op op) {
  switch (op) {
    case Op::V128Load: case Op::V128Store: return 16;
    case Op::V128Load8x8S: case Op::V128Load8x8U: case Op::V128Load16x4S: case Op::V128Load16x4U:
    case Op::V128Load32x2S: case Op::V128Load32x2U: case Op::V128Load64Splat: case Op::V128Load64Zero:
    case Op::V128Load64Lane: case Op::V128Store64Lane:
      return 8;
    case Op::V128Load32Splat: case Op::V128Load32Zero: case Op::V128Load32Lane: case Op::V128Store32Lane: return 4;
    case Op::V128Load16Splat: case Op::V128Load16Lane: case Op::V128Store16Lane: return 2;
    default: return 1;
  }
}

// One argument of a helper call (Masm::callHelper), passed in the C ABI's argument registers in order.
template <class Mem, class Label>
struct HelperArg {
  enum Kind : uint8_t { Cx, Func, Frame, Inst, Io, Imm32, Imm64, Ptr, Address, Constant };
  Kind kind;
  uint64_t imm = 0;
  Mem mem{};
  Label label{};
  static HelperArg cx() { return {Cx}; }              // the ExecContext*
  static HelperArg func() { return {Func}; }          // this function's FuncInst*
  static HelperArg frame() { return {Frame}; }        // fp (the frame's Value slot 0)
  static HelperArg instance() { return {Inst}; }      // the Instance*
  static HelperArg io() { return {Io}; }              // the function's io buffer
  static HelperArg imm32(uint32_t v) { return {Imm32, v}; }
  static HelperArg imm64(uint64_t v) { return {Imm64, v}; }
  static HelperArg pointer(const void* p) { return {Ptr, reinterpret_cast<uint64_t>(p)}; }  // an embedded address
  static HelperArg address(const Mem& m) { return {Address, 0, m}; }    // the address of a frame slot
  static HelperArg constant(const Label& l) { return {Constant, 0, Mem{}, l}; }  // embedded data (ConstantPool)
};

// The trap stubs of one function (the trap protocol, jit/common/backend.h): one small stub per (instruction, reason)
// that passes the instruction's wasm offset to the reason's shared stub. The jumps to one site's stub chain through
// their fixup fields (Masm::jFwd / chainFwd), so no label per site; emit() patches them and places the stubs. Used by
// the baseline compiler and the optimizing tier's code generator.
template <class Label>
class TrapStubs {
 public:
  void clear() {
    sites_.clear();
    for (Label& l : labels_) l = Label();
  }
  // The shared stub of reason r (created on first use): a guarded access's fault lands on MemoryOutOfBounds's.
  template <class Masm>
  Label reasonLabel(Masm& a, TrapReason r) {
    Label& l = labels_[static_cast<unsigned>(r)];
    if (!l.isValid()) l = a.newLabel();
    return l;
  }
  // The jump whose fixup field is `field` goes to the stub of (wasmOffset, r).
  template <class Masm>
  void add(Masm& a, TrapReason r, uint32_t wasmOffset, size_t field) {
    const uint8_t reason = static_cast<uint8_t>(r);
    if (field == SIZE_MAX) return;  // (the assembler reported an error)
    for (auto it = sites_.rbegin(); it != sites_.rend() && it->wasmOffset == wasmOffset; ++it) {
      if (it->reason == reason) {
        a.chainFwd(field, it->jumps);
        it->jumps = field;
        return;
      }
    }
    reasonLabel(a, r);
    sites_.push_back(Site{field, wasmOffset, reason});
  }
  // Each site sets its wasm offset and goes to its reason's stub, which passes the reason on (Masm::trapSiteStub,
  // trapReasonStub).
  template <class Masm>
  void emit(Masm& a) {
    for (const Site& t : sites_) {
      a.patchChainHere(t.jumps);
      a.trapSiteStub(t.wasmOffset, labels_[t.reason]);
    }
    for (unsigned r = 0; r < kNumTrapReasons; ++r) {
      if (!labels_[r].isValid()) continue;
      a.bind(labels_[r]);
      a.trapReasonStub(r);
    }
  }

 private:
  struct Site {
    size_t jumps;  // the fixup field of the last jump to the stub, chained to the others (Masm::chainFwd)
    uint32_t wasmOffset;
    uint8_t reason;
  };
  std::vector<Site> sites_;
  Label labels_[kNumTrapReasons];
};

// Data embedded after a function's code (v128 constants, SIMD masks, operand words), each distinct blob once.
template <class Label>
class ConstantPool {
 public:
  struct Entry {
    Label label;
    std::vector<uint8_t> bytes;
  };
  // The label of `n` bytes at `data`: an earlier equal entry's, or a new one from newLabel().
  template <class NewLabel>
  Label get(const void* data, size_t n, NewLabel&& newLabel) {
    for (const Entry& k : entries_)  // SIMD masks repeat within a function: embed each once
      if (k.bytes.size() == n && std::memcmp(k.bytes.data(), data, n) == 0) return k.label;
    Entry k;
    k.label = newLabel();
    k.bytes.assign(static_cast<const uint8_t*>(data), static_cast<const uint8_t*>(data) + n);
    entries_.push_back(std::move(k));
    return entries_.back().label;
  }
  const std::vector<Entry>& entries() const { return entries_; }
  void clear() { entries_.clear(); }

 private:
  std::vector<Entry> entries_;
};

}  // namespace myrt::jit
