// jit/common/baseline_compiler.h -- the ISA-neutral baseline compiler: CodeReader<BaselineCompiler<Masm>, false> calls
// one hook per instruction and the hook emits machine code at once (single pass) through the ISA's baseline macro
// assembler `Masm` (the interface: jit/common/baseline_masm.h; x86-64: jit/x64/baseline_masm.h), tracking the
// operand stack as VarStates (jit/common/value_stack.h). The shape of V8's Liftoff (LiftoffCompiler over a
// LiftoffAssembler) and wasmer's singlepass: the value stack, the control stack, calls, exception handlers, OSR, fuel
// and trap bookkeeping live here once; the Masm knows registers, instructions and the ABI.
// Layer: jit/common (depends on valid, exec, semantics; names no ISA). Instantiated once per ISA, in
// jit/<isa>/compiler.cpp (its FunctionCompiler), so every Masm call inlines.
//
// Every register holding a value is caller-saved from the wasm point of view: calls and helper calls spill the whole
// value stack first (values then sit in their home slots, which is also the merge state at control flow joins).
//
// Locals live in their frame slots, written through at every local.set/tee, and a register may also hold a local's
// current value (the local cache, "---- local register cache" below): reads of a cached local copy the register
// instead of loading. Since memory is always current, dropping a cache entry costs nothing: calls drop them all, a
// join keeps the entries every incoming edge agrees on. A loop header has a fixed cache state (the locals the loop body
// accesses most, found by a lookahead scan of the body and loaded before the loop), which every back-edge
// re-establishes with register moves or loads; loop-carried locals then stay in registers across iterations.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "jit/common/backend.h"
#include "jit/common/baseline_masm.h"
#include "jit/common/helpers.h"
#include "jit/common/value_stack.h"
#include "runtime/base/reader.h"
#include "runtime/binary/instr.h"
#include "runtime/semantics/gc.h"
#include "runtime/valid/code_reader.h"

namespace myrt::jit {

template <class Masm>
class BaselineCompiler {
 public:
  using Reader = CodeReader<BaselineCompiler, false>;
  using Mem = typename Masm::Mem;
  using MLabel = typename Masm::Label;
  using Cond = typename Masm::Cond;
  using Arg = typename Masm::Arg;

  // One compiler per FunctionCompiler, reused for each function: reset() before each. It owns its Masm (constructed
  // from `masmArgs`): one indirection less per emitted instruction than a reference to it.
  template <class... MasmArgs>
  explicit BaselineCompiler(Instance& inst, MasmArgs&&... masmArgs)
      : inst_(inst), m_(*inst.module), a_(std::forward<MasmArgs>(masmArgs)...) {}
  BaselineCompiler(const BaselineCompiler&) = delete;
  BaselineCompiler& operator=(const BaselineCompiler&) = delete;
  void setReader(Reader* r) { r_ = r; }
  const std::string& error() const { return error_; }
  MLabel directEntry() const { return directEntry_; }
  // OSR (jit/common/backend.h OsrInfo): the entry (valid when the function has loops) and each loop's target.
  struct OsrLoop {
    uint32_t wasmOffset, slots;
    size_t target;  // code offset (the text section starts the code)
  };
  MLabel osrEntry() const { return osrEntry_; }
  const std::vector<OsrLoop>& osrLoops() const { return osrLoops_; }
  // The GC stack maps of the function compiled last (null when its module holds no GC references).
  std::shared_ptr<const StackMaps> gcMaps() const { return gcMaps_; }

  // ---- function ----
  void onFuncStart(uint32_t funcIndex, const CompositeType& type) {
    const Func& f = m_.funcs[funcIndex];
    bodyBytes_ = f.body.size;
    numParams_ = static_cast<uint32_t>(type.params.size());
    numResults_ = static_cast<uint32_t>(type.results.size());
    numLocals_ = numParams_ + static_cast<uint32_t>(f.locals.size());
    for (ValType t : type.params) localKinds_.push_back(t.kind);
    for (ValType t : f.locals) localKinds_.push_back(t.kind);
    startGcMaps(type, f);
    localReg_.assign(numLocals_, -1);
    scanCounts_.assign(numLocals_, 0);
    bodyEnd_ = size_t(f.body.offset) + f.body.size;
    labels_.push_back(Label{});  // the function's (branches to it return: no label)
    a_.beginFunction();
    sites_ = sitesOut_;
    if (sites_) sites_->clear();
    prologueOffset_ = f.body.offset;
    inPrologue_ = true;
    prologue();
    inPrologue_ = false;
  }

  // Called after the whole body was read: out-of-line code and constants.
  void finish() {
    // epilogue: results are in io already
    if (epilogue_.isValid()) a_.bind(epilogue_);
    const size_t exit = a_.emitEpilogue();
    if (zeroOperands_ != SIZE_MAX) {
      a_.patchHere(zeroOperands_);
      a_.zeroFrameSlots(static_cast<int32_t>(16 * numLocals_), maxHeight_ + 1);
      a_.jmpBack(zeroOperandsBack_);
    }
    emitTierUpCalls(exit);
    for (const FuelSite& f : fuelSites_) {  // fuel charges: cost is about one unit per two code bytes of the region
      a_.patchHere(f.charge);
      const uint64_t cost = std::max<uint64_t>(1, f.bytes / 2);  // known now: an immediate
      trapIf(a_.chargeFuel(cost), TrapReason::FuelExhausted);
      a_.jmpBack(f.back);
    }
    // loops entered with their header state in registers: from a catch clause's handler, and by OSR (whose target
    // then is a pad that loads the state from the frame the OSR entry filled)
    for (const Label& l : labels_)
      if (l.reloadPad.isValid()) {
        a_.bind(l.reloadPad);
        emitHeadLoads(l.headState);
        a_.jmp(l.head);
      }
    for (size_t i = 0; i < osrLoops_.size(); ++i) {
      const Label& l = labels_[osrLoopLabels_[i]];
      if (l.headState.empty()) continue;
      const size_t pad = a_.offset();
      emitHeadLoads(l.headState);
      a_.jmpBack(osrLoops_[i].target);
      osrLoops_[i].target = pad;
    }
    // traps: each site passes its wasm offset, then its reason's stub the reason (a guarded access's fault resumes at
    // the MemoryOutOfBounds stub with the offset set by the signal handler: the backend's faultOffsetRegister)
    trapStubs_.emit(a_);
    emitHandlers();
    a_.emitTrapCommon(exit);
    // a callee's / helper's trap, reached right after that call returned: the Masm finds the call's offset through its
    // return address
    if (propagate_.isValid()) {
      a_.bind(propagate_);
      a_.emitPropagate(exit);
    }
    if (!osrLoops_.empty()) {
      osrEntry_ = a_.newLabel();
      a_.emitOsrEntry(osrEntry_);
    }
    for (const Table& t : tables_) a_.embedJumpTable(t.label, t.entries);
    a_.emitConstants();
    a_.emitFrameConstants(uint64_t(numLocals_ + maxHeight_ + 1) * 16, uint64_t(numScratch_) * 16);
    finishGcMaps();
  }

  // ---- control ----
  void onUnreachable() {
    if (failed()) return;
    if (labels_[r_->control(0).user].dead) return;
    trapJmp(TrapReason::Unreachable);
  }
  void onNop() {}
  void onBlock(const Instr&, ControlEntry& c) { openBlock(c, live(1)); }
  void onLoop(const Instr&, ControlEntry& c) {
    openBlock(c, live(1));
    if (failed()) return;
    Label& l = labels_[c.user];
    if (l.dead) return;
    enterLoopCache(c.offset);
    l.headState = cacheState();
    loopStack_.push_back(c.user);
    a_.bind(l.head);
    l.fuelSite = pollInterrupt(static_cast<uint32_t>(c.offset));
    l.startOffset = c.offset;
    // OSR target: after the poll (the interpreter's back-edge polled). Here every value is in its home slot and only
    // the fixed registers hold state -- what the OSR entry sets up. Not inside a legacy catch body: its exception
    // (rethrow) lives in a scratch slot the interpreter's frame does not have.
    if (osr_ && catchBodies_ == 0) {
      osrLoops_.push_back({static_cast<uint32_t>(c.offset), numLocals_ + c.height + c.numParams, fuelSites_[l.fuelSite].back});
      osrLoopLabels_.push_back(c.user);
    }
  }
  void onIf(const Instr&, ControlEntry& c) {
    const bool wasLive = live(1);
    Cond cc{};
    if (wasLive) cc = popCondition();  // the condition sits above the params; flags live until the jump
    openBlock(c, wasLive);
    if (failed()) return;
    Label& l = labels_[c.user];
    if (l.dead) return;
    // Params of an `if` must survive the then-branch for the else-branch: keep copies in scratch slots.
    for (uint32_t i = 0; i < c.numParams; ++i) {
      const uint32_t s = numScratch_++;
      l.savedParams.push_back(s);
      a_.copyValue(scratchMem(s), slotMem(c.height + i), c.params()[i].kind == ValKind::V128);
    }
    l.ifState = cacheState();  // what the registers hold where the jump to the else branch leaves
    l.elseJump = a_.jFwd(Masm::negate(cc));
  }
  void onElse(ControlEntry& c) {
    if (failed()) return;
    Label& l = labels_[c.user];
    if (!l.dead) {
      if (!c.unreachable) {
        spillAll();
        noteJumpToEnd(l);
        a_.jmp(endOf(l));
      }
      a_.patchHere(l.elseJump);
      l.elseBound = true;
      for (uint32_t i = 0; i < l.savedParams.size(); ++i)
        a_.copyValue(slotMem(c.height + i), scratchMem(l.savedParams[i]), c.params()[i].kind == ValKind::V128);
    }
    resetTo(c.height, c.params());
    if (!l.dead) setCache(l.ifState);  // the else branch starts where the `if` jumped from
  }
  void onEnd(ControlEntry& c) {
    if (failed()) return;
    Label& l = labels_[c.user];
    if (c.kind == CtrlKind::Loop && !loopStack_.empty() && loopStack_.back() == c.user) loopStack_.pop_back();
    if (c.kind == CtrlKind::TryTable || c.kind == CtrlKind::Try) closeHandler(l);  // (a try without catches)
    if (l.inCatch) --catchBodies_;
    if (l.fuelSite != SIZE_MAX) fuelSites_[l.fuelSite].bytes = r_->instr().offset - l.startOffset;
    CacheState join;
    bool joined = false;  // else: the code after the end keeps the fallthrough's cache (a loop's end, no jumps)
    if (!l.dead) {
      if (!c.unreachable) {
        if (c.kind == CtrlKind::Func) emitReturn(static_cast<uint32_t>(vs_.size()), /*fallthrough=*/true);
        else spillAll();
      }
      if (c.kind == CtrlKind::If && !l.elseBound) {
        a_.patchHere(l.elseJump);
        joined = true;
        join = l.ifState;
        if (!c.unreachable) keepCached(join);
      }
      if (c.kind != CtrlKind::Loop && c.kind != CtrlKind::Func) {
        bindEnd(l);
        if (l.end.isValid()) joinEnd(l, c, join, joined);
      }
      if (c.unreachable && !joined) joined = true;  // nothing reaches the end through the fallthrough
    }
    resetTo(c.height, c.results());
    if (joined) setCache(join);
  }
  void onBr(uint32_t, ControlEntry& target) {
    if (!live()) return sync();
    spillAll();
    branchTo(target, static_cast<uint32_t>(vs_.size()));
  }
  void onBrIf(uint32_t, ControlEntry& target) {
    if (!live()) return sync();
    const Cond cc = popCondition();
    spillAll();  // moves only: the flags survive
    branchIf(cc, target, static_cast<uint32_t>(vs_.size()));
  }
  void onBrTable(const Instr& in) {
    if (!live()) return sync();
    const uint8_t idx = popReg(RegClass::Gp);
    spillAll();
    const uint32_t top = static_cast<uint32_t>(vs_.size());
    const uint32_t n = static_cast<uint32_t>(in.targets.size() - 1);
    Table t;
    t.label = a_.newLabel();
    a_.tableJump(idx, n, t.label);
    freeReg(idx);
    std::vector<std::pair<uint32_t, MLabel>> stubs;
    for (uint32_t depth : in.targets) {
      ControlEntry& target = r_->control(depth);
      if (target.kind != CtrlKind::Func && !needsMoves(target, top) && !needsTransfer(target)) {
        if (target.kind != CtrlKind::Loop) noteJumpToEnd(labels_[target.user]);
        t.entries.push_back(labelOf(target));
        continue;
      }
      auto it = std::find_if(stubs.begin(), stubs.end(), [&](auto& s) { return s.first == depth; });
      if (it != stubs.end()) {
        t.entries.push_back(it->second);
        continue;
      }
      MLabel stub = a_.newLabel();
      a_.bind(stub);
      branchTo(target, top);
      stubs.emplace_back(depth, stub);
      t.entries.push_back(stub);
    }
    tables_.push_back(std::move(t));
  }
  // br_on_null: [t* ref] stays; taken (carrying t*) when ref is null.
  void onBrOnNull(uint32_t, ControlEntry& target, ValType) {
    if (!live()) return sync();
    spillAll();
    const uint32_t top = static_cast<uint32_t>(vs_.size());
    branchIf(a_.compareSlotZero(slotMem(top - 1), 8), target, top - 1);
  }
  // br_on_non_null: [t* ref]; taken (carrying t* ref) when ref is non-null, else the ref is dropped.
  void onBrOnNonNull(uint32_t, ControlEntry& target, ValType) {
    if (!live()) return sync();
    spillAll();
    const uint32_t top = static_cast<uint32_t>(vs_.size());
    branchIf(Masm::negate(a_.compareSlotZero(slotMem(top - 1), 8)), target, top);
    dropTop();
  }
  void onReturn() {
    if (!live()) return sync();
    emitReturn(static_cast<uint32_t>(vs_.size()), false);
  }

  // ---- calls ----
  // Calls and tail calls (emitTailCall: the callee's arguments go to this function's io, the frame is torn down, and
  // the callee is entered with a jump, so it returns straight to this function's caller).
  void onCall(uint32_t funcIndex, const CompositeType& ft) { callFunc(funcIndex, ft, false); }
  void onCallIndirect(uint32_t typeIndex, uint32_t tableIndex, const CompositeType& ft) {
    callIndirect(typeIndex, tableIndex, ft, false);
  }
  void onCallRef(uint32_t, const CompositeType& ft) { callRef(ft, false); }
  void onReturnCall(uint32_t funcIndex, const CompositeType& ft) { callFunc(funcIndex, ft, true); }
  void onReturnCallIndirect(uint32_t typeIndex, uint32_t tableIndex, const CompositeType& ft) {
    callIndirect(typeIndex, tableIndex, ft, true);
  }
  void onReturnCallRef(uint32_t, const CompositeType& ft) { callRef(ft, true); }
  // ---- exceptions ----
  // The interpreter's representation (ExecContext::exception): an exception in flight is cx.exception plus the
  // UncaughtException "trap" returned by every entry it leaves. Inside a try_table (or a legacy try body) a call that
  // returns non-zero and a throw jump to the handler's dispatch code (emitted by finish()), which tests the clauses
  // against cx.exception's tag, delivers the payload / exnref to the target label's slots (catchHelper) and branches;
  // no clause: on to the enclosing handler, finally out of the function (propagate_; no backtrace frame for an
  // exception). Everything is spilled at calls and throws, so the jump from any site meets its target's merge state.
  void onThrow(uint32_t tagIndex, const CompositeType& ft) {
    if (!live()) return sync();
    const uint32_t n = static_cast<uint32_t>(ft.params.size());
    spillForCall();
    const uint32_t b = static_cast<uint32_t>(vs_.size()) - n;
    maxHeight_ = std::max<uint32_t>(maxHeight_, b + 1);
    gcCallSite(b, ft);  // the exception's allocation may collect
    a_.callHelper(reinterpret_cast<const void*>(&throwHelper),
                  {Arg::cx(), Arg::pointer(inst_.tags[tagIndex]), Arg::address(slotMem(b)),
                   Arg::imm32(n)});
    a_.jmp(excTarget());
  }
  void onThrowRef() {
    if (!live()) return sync();
    spillForCall();
    emitThrowRef(slotMem(static_cast<uint32_t>(vs_.size()) - 1));
  }
  void onTryTable(const Instr& in, ControlEntry& c) {
    openBlock(c, live(1));
    if (failed() || labels_[c.user].dead) return;
    const uint32_t h = openHandler(c);
    for (const CatchClause& cc : in.catches) {
      ControlEntry& t = r_->control(cc.label + 1);  // catch labels are relative to the block around try_table
      Catch k;
      k.tagged = cc.kind == CatchClause::Catch || cc.kind == CatchClause::CatchRef;
      if (k.tagged) k.tag = inst_.tags[cc.tag];
      k.flags = (k.tagged ? 1u : 0u) | (cc.kind == CatchClause::CatchRef || cc.kind == CatchClause::CatchAllRef ? 2u : 0u);
      k.toFunc = t.kind == CtrlKind::Func;
      k.dstPos = t.height;
      if (!k.toFunc) k.target = catchTarget(t);
      maxHeight_ = std::max<uint32_t>(maxHeight_, t.height + static_cast<uint32_t>(t.labelTypes().size()));
      handlers_[h].catches.push_back(k);
    }
  }
  // Legacy exception handling: the try body is a handler's range; each catch is a landing pad receiving the payload
  // in the block's slots and the exception in a scratch slot (for rethrow).
  void onTry(const Instr&, ControlEntry& c) {
    openBlock(c, live(1));
    if (failed() || labels_[c.user].dead) return;
    openHandler(c);
  }
  void onCatch(uint32_t tagIndex, ControlEntry& c) { legacyCatch(c, true, tagIndex); }
  void onCatchAll(ControlEntry& c) { legacyCatch(c, false, 0); }
  void onDelegate(uint32_t depth, ControlEntry& c) {
    if (failed()) return;
    Label& l = labels_[c.user];
    CacheState join;
    bool joined = false;
    if (!l.dead) {
      // exceptions of the try body go to the handlers around the target label (and the target's own if it is a
      // try whose body encloses this one): the innermost active handler opened at or before it
      closeHandler(l);
      const ControlEntry& t = r_->control(depth + 1);
      Handler& h = handlers_[l.handler];
      h.next = -1;
      for (size_t i = tryStack_.size(); i-- > 0;) {
        if (handlers_[tryStack_[i]].block <= t.user && t.kind != CtrlKind::Func) {
          h.next = static_cast<int32_t>(tryStack_[i]);
          break;
        }
      }
      if (!c.unreachable) spillAll();
      bindEnd(l);
      if (l.end.isValid()) joinEnd(l, c, join, joined);
      else if (c.unreachable) joined = true;
    }
    resetTo(c.height, c.results());
    if (joined) setCache(join);
  }
  void onRethrow(uint32_t, ControlEntry& target) {
    if (!live()) return sync();
    const Label& l = labels_[target.user];
    if (l.dead || l.exnScratch == UINT32_MAX) return unsupported("rethrow");
    spillForCall();
    emitThrowRef(scratchMem(l.exnScratch));
  }
  // GC: i31 references (tagged, store.h i31Ref: value << 1 | 1) and the any/extern conversions (the same reference)
  // inline; struct/array objects and ref.test/ref.cast through semantics::gcStep on the spilled operands (its
  // operand words of semantics/gc.h, embedded after the code); br_on_cast/br_on_cast_fail a ref.test, then a branch.
  void onGc(const Instr& in) {
    switch (in.op) {
      case Op::AnyConvertExtern: case Op::ExternConvertAny: return;
      case Op::RefI31: {
        if (!live()) return sync();
        const uint8_t r = popReg(RegClass::Gp);
        a_.refI31(r);
        push(VarState::inReg(ValKind::Ref, r));
        return;
      }
      case Op::I31GetS: case Op::I31GetU: {
        if (!live()) return sync();
        const uint8_t r = popReg(RegClass::Gp);
        trapIf(a_.testZero64(r), TrapReason::NullI31Reference);
        a_.i31Get(in.op == Op::I31GetS, r);
        push(VarState::inReg(ValKind::I32, r));
        return;
      }
      case Op::BrOnCast: case Op::BrOnCastFail: {  // a ref.test into the slot above the stack, then the branch
        if (!live()) return sync();
        spillForCall();
        const uint32_t top = static_cast<uint32_t>(vs_.size());
        maxHeight_ = std::max<uint32_t>(maxHeight_, top + 1);
        emitGcStep(Op::RefTest, semantics::gcImmediates(in, m_, inst_.typeIds), top, top - 1, 1);
        const Cond zero = a_.compareSlotZero(slotMem(top), 4);
        branchIf(in.op == Op::BrOnCast ? Masm::negate(zero) : zero, r_->control(in.idx), top);
        return;
      }
      default: {
        if (!live()) return sync();
        spillForCall();
        const semantics::GcImms im = semantics::gcImmediates(in, m_, inst_.typeIds);
        const uint32_t after = static_cast<uint32_t>(r_->stack().size());  // the reader's stack after the op
        const uint32_t nIn = static_cast<uint32_t>(vs_.size()) - (after - (im.result ? 1 : 0));
        const uint32_t b = static_cast<uint32_t>(vs_.size()) - nIn;
        maxHeight_ = std::max<uint32_t>(maxHeight_, b + 1);
        if (semantics::gcAllocates(in.op)) gcAllocSite(in, b, nIn);
        emitGcStep(in.op, im, b, b, nIn);
        for (uint32_t i = 0; i < nIn; ++i) vs_.pop_back();
        if (im.result) push(VarState::stack(kindOr(r_->stack().back().kind)));
        return;
      }
    }
  }

  // ---- parametric, variables ----
  void onDrop(ValType) {
    if (!live()) return sync();
    dropTop();
  }
  void onSelect(ValType) {
    if (!live()) return sync();
    const uint8_t cond = popReg(RegClass::Gp);
    const ValKind k = vs_.back().kind;
    switch (regClassOf(k)) {
      case RegClass::Gp: {
        const uint8_t b = popReg(RegClass::Gp), x = popReg(RegClass::Gp);
        a_.selectGp(k, cond, x, b);
        freeReg(b);
        push(VarState::inReg(k, x));
        break;
      }
      case RegClass::Fp: {
        const uint8_t b = popReg(RegClass::Fp), x = popReg(RegClass::Fp);
        a_.selectFp(cond, x, b);
        freeReg(b);
        push(VarState::inReg(k, x));
        break;
      }
    }
    freeReg(cond);
  }
  void onLocalGet(uint32_t idx, ValType t) {
    if (!live()) return sync();
    push(VarState::ofLocal(t.kind, idx));
  }
  // Written through to the frame slot; a value in a register then stays there as the local's cached copy.
  void onLocalSet(uint32_t idx, ValType) {
    if (!live()) return sync();
    const uint32_t top = static_cast<uint32_t>(vs_.size()) - 1;
    materializeLocal(idx, top);
    const VarState v = vs_.back();
    if (v.loc == Loc::Local && v.local == idx) return dropTop();
    storeTo(v, top, localMem(idx));
    uncacheLocal(idx);
    if (v.loc == Loc::Reg && cacheable(idx)) {
      vs_.pop_back();  // the register goes to the cache
      cache(idx, v.reg);
      return;
    }
    dropTop();
  }
  void onLocalTee(uint32_t idx, ValType) {
    if (!live()) return sync();
    const uint32_t top = static_cast<uint32_t>(vs_.size()) - 1;
    materializeLocal(idx, top);
    const VarState v = vs_.back();
    if (v.loc == Loc::Local && v.local == idx) return;
    storeTo(v, top, localMem(idx));
    uncacheLocal(idx);
    // A local the innermost loop's header keeps in a register (`local.tee $i; ...; br_if $loop`): the value on the
    // stack becomes a pending read of the local, cached in the value's register. Not otherwise: the consumer would
    // copy the cached register where it now takes the value's own (tee-heavy straight-line code: blake3).
    if (v.loc == Loc::Reg && cacheable(idx) && inLoopHeader(idx)) {
      vs_.back() = VarState::ofLocal(v.kind, idx);
      cache(idx, v.reg);
    }
  }
  bool inLoopHeader(uint32_t local) const {
    if (loopStack_.empty()) return false;
    for (const auto& e : labels_[loopStack_.back()].headState)
      if (e.first == local) return true;
    return false;
  }
  void onGlobalGet(uint32_t idx, const GlobalType& gt) {
    if (!live()) return sync();
    GlobalInst* g = inst_.globals[idx];
    const ValKind k = gt.type.kind;
    const Mem src = a_.loadAddress(&g->value);
    const uint8_t r = allocReg(regClassOf(k));
    a_.loadValue(k, r, src);
    push(VarState::inReg(k, r));
  }
  void onGlobalSet(uint32_t idx, const GlobalType&) {
    if (!live()) return sync();
    GlobalInst* g = inst_.globals[idx];
    const uint32_t top = static_cast<uint32_t>(vs_.size()) - 1;
    const VarState v = vs_.back();
    const Mem dst = a_.storeAddress(&g->value);
    if (v.loc == Loc::Reg || v.loc == Loc::Const) storeTo(v, top, dst);
    else a_.copyValue(dst, v.loc == Loc::Local ? localMem(v.local) : slotMem(top), v.kind == ValKind::V128);
    dropTop();
  }

  // ---- constants and numeric ----
  void onConst(const Instr& in) {
    if (!live()) return sync();
    switch (in.op) {
      case Op::I32Const: push(VarState::constant(ValKind::I32, static_cast<uint32_t>(in.i32))); break;
      case Op::I64Const: push(VarState::constant(ValKind::I64, static_cast<uint64_t>(in.i64))); break;
      case Op::F32Const: push(VarState::constant(ValKind::F32, in.f32bits)); break;
      case Op::F64Const: push(VarState::constant(ValKind::F64, in.f64bits)); break;
      default: {  // v128: into a register (zero / all-ones computed, else a constant after the code)
        const uint8_t r = allocReg(RegClass::Fp);
        a_.simdConstant(r, in.bytes);
        push(VarState::inReg(ValKind::V128, r));
        break;
      }
    }
  }
  void onSimple(const Instr& in) {
    if (!live()) return sync();
    if (emitInline(in.op)) return;
    if (emitSimd(in)) return;
    emitNumericHelper(in);
  }

  // ---- memory ----
  void onLoad(const Instr& in, ValType addr) {
    if (!live()) return sync();
    if (opInfo(in.op).sig.results[0] == ValKind::V128) return simdLoad(in, addr);
    const Op op = in.op;
    ValKind rk;
    unsigned size;
    switch (op) {
      case Op::I32Load: rk = ValKind::I32, size = 4; break;
      case Op::I64Load: rk = ValKind::I64, size = 8; break;
      case Op::F32Load: rk = ValKind::F32, size = 4; break;
      case Op::F64Load: rk = ValKind::F64, size = 8; break;
      case Op::I32Load8S: case Op::I32Load8U: rk = ValKind::I32, size = 1; break;
      case Op::I32Load16S: case Op::I32Load16U: rk = ValKind::I32, size = 2; break;
      case Op::I64Load8S: case Op::I64Load8U: rk = ValKind::I64, size = 1; break;
      case Op::I64Load16S: case Op::I64Load16U: rk = ValKind::I64, size = 2; break;
      case Op::I64Load32S: case Op::I64Load32U: rk = ValKind::I64, size = 4; break;
      default: return unsupported(opName(op));
    }
    const uint8_t ar = popReg(RegClass::Gp);
    const Mem m = effectiveAddress(ar, in, addr, size);
    uint8_t dst = ar;
    if (regClassOf(rk) == RegClass::Fp) {
      dst = allocReg(RegClass::Fp);
      freeReg(ar);
    }
    beginFaultSite();
    a_.load(op, dst, m);
    endFaultSite();
    push(VarState::inReg(rk, dst));
  }
  void onStore(const Instr& in, ValType addr) {
    if (!live()) return sync();
    if (opInfo(in.op).sig.params[1] == ValKind::V128) return simdStore(in, addr);
    unsigned size;
    switch (in.op) {
      case Op::I32Store: case Op::F32Store: case Op::I64Store32: size = 4; break;
      case Op::I64Store: case Op::F64Store: size = 8; break;
      case Op::I32Store8: case Op::I64Store8: size = 1; break;
      case Op::I32Store16: case Op::I64Store16: size = 2; break;
      default: return unsupported(opName(in.op));
    }
    const ValKind vk = vs_.back().kind;
    const uint8_t v = popRegRO(regClassOf(vk));
    const uint8_t ar = popReg(RegClass::Gp);
    const Mem m = effectiveAddress(ar, in, addr, size);
    checkStoreStraddle(in, m, size);
    beginFaultSite();
    a_.store(vk, size, m, v);
    endFaultSite();
    releaseRO(v);
    freeReg(ar);
  }
  // Atomics (threads): inline where the masm has them (x64: inlineAtomic below), else one call of atomicHelper
  // (semantics::atomicStep, shared with the interpreter) per instruction, operands spilled to their slots, the result
  // in the first one.
  void onAtomic(const Instr& in, ValType addr) {
    if (!live()) return sync();
    if constexpr (requires(Masm& m, uint8_t r, const Mem& mem) { m.atomicStore(4u, mem, r); }) {
      // MYRT_JIT_ATOMIC_HELPER=1: every atomic through the helper (to measure the inline code against it)
      static const bool kHelperOnly = std::getenv("MYRT_JIT_ATOMIC_HELPER") != nullptr;
      if (!kHelperOnly && inlineAtomic(in, addr)) return;
    }
    const OpSig& sig = opInfo(in.op).sig;
    spillForCall();
    const uint32_t b = static_cast<uint32_t>(vs_.size()) - sig.numParams;
    maxHeight_ = std::max<uint32_t>(maxHeight_, b + 1);
    uint8_t off[16] = {};
    std::memcpy(off, &in.mem.offset, sizeof in.mem.offset);
    const uint32_t mem = in.mem.memory | (addr.kind == ValKind::I64 ? 0x80000000u : 0);
    a_.callHelper(reinterpret_cast<const void*>(&atomicHelper),
                  {Arg::cx(), Arg::func(), Arg::address(slotMem(b)), Arg::imm32(static_cast<uint32_t>(in.op)),
                   Arg::imm32(mem), Arg::constant(a_.constant(off, 16))});
    checkCallResult();
    for (uint32_t i = 0; i < sig.numParams; ++i) vs_.pop_back();
    if (sig.numResults) push(VarState::stack(sig.results[0]));
  }
  void onMemoryOp(const Instr& in, ValType addr) {
    if (!live()) return sync();
    const uint32_t a64 = addr.kind == ValKind::I64 ? 0x80000000u : 0;
    switch (in.op) {
      case Op::MemorySize: return bulk(in.op, 0, 1, in.idx | a64, 0);
      case Op::MemoryGrow: return bulk(in.op, 1, 1, in.idx | a64, 0);
      case Op::MemoryFill: return bulk(in.op, 3, 0, in.idx | a64, 0);
      case Op::MemoryCopy: {
        const bool d64 = in.idx < m_.memories.size() && m_.memories[in.idx].type.limits.is64;
        const bool s64 = in.idx2 < m_.memories.size() && m_.memories[in.idx2].type.limits.is64;
        return bulk(in.op, 3, 0, in.idx | (d64 ? 0x80000000u : 0), in.idx2 | (s64 ? 0x80000000u : 0));
      }
      case Op::MemoryInit: return bulk(in.op, 3, 0, in.idx, in.idx2 | a64);
      case Op::DataDrop: return bulk(in.op, 0, 0, in.idx, 0);
      default: return unsupported(opName(in.op));
    }
  }
  void onTableOp(const Instr& in, const TableType& tt) {
    if (!live()) return sync();
    const uint32_t t64 = tt.limits.is64 ? 0x80000000u : 0;
    switch (in.op) {
      case Op::TableGet: return bulk(in.op, 1, 1, in.idx | t64, 0);
      case Op::TableSet: return bulk(in.op, 2, 0, in.idx | t64, 0);
      case Op::TableSize: return bulk(in.op, 0, 1, in.idx | t64, 0);
      case Op::TableGrow: return bulk(in.op, 2, 1, in.idx | t64, 0);
      case Op::TableFill: return bulk(in.op, 3, 0, in.idx | t64, 0);
      case Op::TableCopy: {
        const bool d64 = in.idx < m_.tables.size() && m_.tables[in.idx].type.limits.is64;
        const bool s64 = in.idx2 < m_.tables.size() && m_.tables[in.idx2].type.limits.is64;
        return bulk(in.op, 3, 0, in.idx | (d64 ? 0x80000000u : 0), in.idx2 | (s64 ? 0x80000000u : 0));
      }
      case Op::TableInit: return bulk(in.op, 3, 0, in.idx, in.idx2 | t64);
      case Op::ElemDrop: return bulk(in.op, 0, 0, in.idx, 0);
      default: return unsupported(opName(in.op));
    }
  }

  // ---- references ----
  void onRefNull(ValType) {
    if (!live()) return sync();
    push(VarState::constant(ValKind::Ref, 0));
  }
  void onRefIsNull(ValType) {
    if (!live()) return sync();
    const uint8_t r = popReg(RegClass::Gp);
    a_.refIsNull(r);
    push(VarState::inReg(ValKind::I32, r));
  }
  void onRefFunc(uint32_t idx, ValType) {
    if (!live()) return sync();
    const uint8_t r = allocReg(RegClass::Gp);  // (an address: in a register, recorded for relocation, never a constant)
    a_.loadPtr(r, inst_.funcs[idx]);
    push(VarState::inReg(ValKind::Ref, r));
  }
  void onRefAsNonNull(ValType) {
    if (!live()) return sync();
    const uint8_t r = popReg(RegClass::Gp);
    trapIf(a_.testZero64(r), TrapReason::NullReference);
    push(VarState::inReg(ValKind::Ref, r));
  }
  void onRefEq() {
    if (!live()) return sync();
    const uint8_t b = popReg(RegClass::Gp), x = popReg(RegClass::Gp);
    a_.refEq(x, b);
    freeReg(b);
    push(VarState::inReg(ValKind::I32, x));
  }

  // ---- traps (also called by the Masm's sequences that can trap: effectiveAddress, divRem) ----
  // The out-of-line trap of reason `r` at the current instruction: one small stub per (reason, instruction) that
  // passes the instruction's wasm offset to the reason's shared stub.
  // The jumps to a stub are patched when finish() emits it (Masm::jFwd): no label per site.
  void trapIf(Cond cc, TrapReason r) { addTrapJump(r, a_.jFwd(cc)); }
  void trapJmp(TrapReason r) { addTrapJump(r, a_.jmpFwd()); }

  // Where a fault of a guarded access resumes (invalid if the function has none).
  MLabel faultLanding() const { return faultLanding_; }
  void setSitesOut(std::vector<CodeSite>* out) { sitesOut_ = out; }
  // The Masm (its embedded addresses: ptrSites()).
  const Masm& masm() const { return a_; }

  // Before each function: every piece of per-function state back to its initial value (vectors keep their capacity,
  // labels are invalid: they belonged to the previous function's code). The members below are all either reset
  // here, set again by onFuncStart, or fixed per instance (inst_, m_, a_, r_, sitesOut_).
  void reset(std::vector<CallFixup>* fixups, bool osr) {
    fixups_ = fixups;
    osr_ = osr;
    vs_.clear();
    labels_.clear();
    localKinds_.clear();
    directEntry_ = osrEntry_ = MLabel();
    osrLoops_.clear();
    osrLoopLabels_.clear();
    loopStack_.clear();
    localReg_.clear();
    std::fill(std::begin(regLocal_), std::end(regLocal_), -1);
    cachedRegs_ = 0;
    pinned_ = 0;
    bodyEnd_ = 0;
    tables_.clear();
    handlers_.clear();
    tryStack_.clear();
    catchBodies_ = 0;
    gp_ = RegSet(Masm::kGpAllocatable);
    fp_ = RegSet(Masm::kFpAllocatable);
    bodyBytes_ = 0;
    numParams_ = numResults_ = numLocals_ = maxHeight_ = 0;
    zeroOperands_ = SIZE_MAX;
    numScratch_ = 1;  // scratch slot 0: the frame link
    gcMaps_.reset();
    gcArgs_.clear();
    trapStubs_.clear();
    sites_ = nullptr;
    faultLanding_ = MLabel();
    prologueOffset_ = 0;
    inPrologue_ = false;
    epilogue_ = propagate_ = MLabel();
    error_.clear();
    fuelSites_.clear();
    tierUpSites_.clear();
    tierUpCounters_ = osr && inst_.store && inst_.store->config().optTierUp && !m_.holdsGcRefs;
    pending_ = PendingCond{};
    a_.reset();
  }

 private:
  // A saved cache state: (local, register) entries in register order, held inline (a join, an if's else branch and a
  // loop header each keep one per block: no allocation). A state is a set of assumptions, so dropping entries is
  // always safe -- except a loop's header state, which holds at most half of each register class (enterLoopCache),
  // within kCap.
  struct CacheEntry {
    uint32_t first;  // local
    uint8_t second;  // register
    bool operator==(const CacheEntry&) const = default;
  };
  struct CacheState {
    static constexpr uint32_t kCap = 16;
    CacheEntry e[kCap];
    uint32_t n = 0;
    const CacheEntry* begin() const { return e; }
    const CacheEntry* end() const { return e + n; }
    bool empty() const { return n == 0; }
    void clear() { n = 0; }
    void add(uint32_t local, uint8_t reg) {
      if (n < kCap) e[n++] = {local, reg};
    }
    bool contains(const CacheEntry& x) const { return std::find(begin(), end(), x) != end(); }
    template <class Pred>
    void eraseIf(Pred drop) {
      uint32_t k = 0;
      for (uint32_t i = 0; i < n; ++i)
        if (!drop(e[i])) e[k++] = e[i];
      n = k;
    }
  };
  static_assert(CacheState::kCap >= 12, "a loop header state holds up to 6 + 6 locals (enterLoopCache)");
  struct Label {
    bool dead = false;
    bool handlerOpen = false;       // try_table / legacy try: its handler is on tryStack_
    bool inCatch = false;           // legacy try: in its catch bodies (counted in catchBodies_)
    uint32_t handler = UINT32_MAX;  // try_table / legacy try: index in handlers_
    uint32_t exnScratch = UINT32_MAX;  // legacy try: the scratch slot holding the caught exception (rethrow)
    bool elseBound = false;
    size_t fuelSite = SIZE_MAX;  // loops: their fuel site; startOffset: the loop instruction's code offset
    size_t startOffset = 0;
    MLabel end, head;
    size_t elseJump = SIZE_MAX;  // an if's jump to its else branch (patched where that begins)
    std::vector<uint32_t> savedParams;
    // local cache (see "---- local register cache"): a loop's header state; the intersection of the states of the
    // jumps to the end label (endSeen: one was noted); an if's state at its jump to the else branch; a loop's pad
    // that loads its header state and enters the loop (catch clauses targeting the loop)
    CacheState headState, endState, ifState;
    bool endSeen = false;
    MLabel reloadPad;
  };
  struct Table {
    MLabel label;
    std::vector<MLabel> entries;
  };

  // ---- frame addressing (jit/common/baseline_masm.h: the frame) ----
  Mem slotMem(uint32_t pos) const { return a_.frameSlot(static_cast<int32_t>(16 * (numLocals_ + pos))); }
  Mem localMem(uint32_t i) const { return a_.frameSlot(static_cast<int32_t>(16 * i)); }
  Mem scratchMem(uint32_t s) const { return a_.frameSlot(-static_cast<int32_t>(16 * (s + 1))); }

  // ---- liveness / stack sync ----
  // After an unsupported instruction the function will not be used: every hook becomes a no-op.
  bool failed() const { return !error_.empty(); }
  bool live(uint32_t depth = 0) const {
    if (failed()) return false;
    const ControlEntry& c = r_->control(depth);
    return !c.unreachable && !labels_[c.user].dead;
  }
  // In unreachable code: the mirror follows the reader's stack (values in their home slots, never read).
  void sync() {
    if (failed()) return;
    const auto st = r_->stack();
    while (vs_.size() > st.size()) dropTop();
    while (vs_.size() < st.size()) push(VarState::stack(kindOr(st[vs_.size()].kind)));
  }
  static ValKind kindOr(ValKind k) { return k == ValKind::Bot ? ValKind::I32 : k; }
  void resetTo(uint32_t height, std::span<const ValType> types) {
    while (vs_.size() > height) dropTop();
    while (vs_.size() < height) push(VarState::stack(ValKind::I32));  // (only after unreachable code)
    for (ValType t : types) push(VarState::stack(kindOr(t.kind)));
  }
  [[gnu::always_inline]] void push(const VarState& v) {
    vs_.push_back(v);
    maxHeight_ = std::max<uint32_t>(maxHeight_, static_cast<uint32_t>(vs_.size()));
  }
  void dropTop() {
    if (vs_.back().loc == Loc::Reg) freeReg(vs_.back().reg);
    vs_.pop_back();
  }

  // ---- registers ----
  RegSet& setOf(uint8_t reg) { return reg >= Masm::kFpBase ? fp_ : gp_; }
  void freeReg(uint8_t reg) { setOf(reg).release(reg); }
  uint8_t allocReg(RegClass c) {
    RegSet& s = c == RegClass::Fp ? fp_ : gp_;
    if (!s.hasFree() && !evictCached(c)) {
      for (uint32_t p = 0; p < vs_.size(); ++p) {
        if (vs_[p].loc == Loc::Reg && regClassOf(vs_[p].kind) == c) {
          spill(static_cast<uint32_t>(p));
          break;
        }
      }
    }
    return s.take();
  }
  // Pops the top value into a register of class `c` that the caller then owns.
  uint8_t popReg(RegClass c) {
    const uint32_t pos = static_cast<uint32_t>(vs_.size()) - 1;
    VarState v = vs_.back();
    vs_.pop_back();
    if (v.loc == Loc::Reg) return v.reg;
    const uint8_t r = allocReg(c);
    loadTo(v, pos, r);
    return r;
  }
  // Pops the top value for an instruction that only reads it: a cached local's own register (pinned: never evicted
  // until releaseRO), else a register the caller owns. Give it back with releaseRO.
  uint8_t popRegRO(RegClass c) {
    const VarState& v = vs_.back();
    if (v.loc == Loc::Local && localReg_[v.local] >= 0) {
      const uint8_t r = static_cast<uint8_t>(localReg_[v.local]);
      vs_.pop_back();
      pinned_ |= uint64_t(1) << r;
      return r;
    }
    return popReg(c);
  }
  // Pops the operand an instruction overwrites with its result. When it is a pending read of a cached local L and the
  // next instruction is `local.set L` / `local.tee L` (`local.get L ... i32.add; local.set L`: a loop counter), the
  // result is computed in L's own register, which the set then gives back to L: no copy here, and the register stays
  // the one a loop header expects. (L's frame slot still holds its old value for any other pending read.)
  uint8_t popRegForUpdate(RegClass c) {
    const VarState& v = vs_.back();
    if (v.loc == Loc::Local && localReg_[v.local] >= 0 && !(pinned_ >> localReg_[v.local] & 1) &&
        nextWritesLocal(v.local)) {
      const uint32_t local = v.local;
      const uint8_t r = static_cast<uint8_t>(localReg_[local]);
      localReg_[local] = -1;  // uncached; the register stays taken: it is the popped value's now
      regLocal_[r] = -1;
      cachedRegs_ &= ~(uint64_t(1) << r);
      vs_.pop_back();
      return r;
    }
    return popReg(c);
  }
  // The instruction after the current one-byte opcode is local.set/tee `local`.
  bool nextWritesLocal(uint32_t local) const {
    const size_t at = r_->instr().offset + 1;
    if (at + 1 >= bodyEnd_) return false;
    const uint8_t* p = m_.bytes.data() + at;
    if (p[0] != 0x21 && p[0] != 0x22) return false;
    uint32_t v = 0;
    for (unsigned i = 0, shift = 0; i < 5; ++i, shift += 7) {
      if (at + 1 + i >= bodyEnd_) return false;
      v |= uint32_t(p[1 + i] & 0x7f) << shift;
      if (!(p[1 + i] & 0x80)) return v == local;
    }
    return false;
  }
  void releaseRO(uint8_t r) {  // (both operands may be the same cached register: it stays the cache's)
    if (regLocal_[r] >= 0) pinned_ &= ~(uint64_t(1) << r);
    else freeReg(r);
  }
  // Loads value `v` (at stack position pos) into register r (not the value's own register).
  void loadTo(const VarState& v, uint32_t pos, uint8_t r) {
    switch (v.loc) {
      case Loc::Reg:
        if (v.reg == r) return;
        a_.moveReg(v.kind, r, v.reg);
        return;
      case Loc::Stack: return a_.loadValue(v.kind, r, slotMem(pos));
      case Loc::Local:
        if (localReg_[v.local] >= 0) return a_.moveReg(v.kind, r, static_cast<uint8_t>(localReg_[v.local]));
        return a_.loadValue(v.kind, r, localMem(v.local));
      case Loc::Const: return a_.loadConst(v.kind, r, v.bits);
    }
  }
  // Writes value `v` (at stack position pos) to memory `dst` (a Value slot); does not change its state.
  void storeTo(const VarState& v, uint32_t pos, const Mem& dst) {
    switch (v.loc) {
      case Loc::Reg: return a_.storeReg(v.kind, v.reg, dst);
      case Loc::Const: return a_.storeConst(v.kind, v.bits, dst);
      case Loc::Local:
        if (localReg_[v.local] >= 0) return a_.storeReg(v.kind, static_cast<uint8_t>(localReg_[v.local]), dst);
        return a_.copyValue(dst, localMem(v.local), v.kind == ValKind::V128);
      case Loc::Stack: return a_.copyValue(dst, slotMem(pos), v.kind == ValKind::V128);
    }
  }
  void spill(uint32_t pos) {
    VarState& v = vs_[pos];
    if (v.loc == Loc::Stack) return;
    storeTo(v, pos, slotMem(pos));
    if (v.loc == Loc::Reg) freeReg(v.reg);
    v.loc = Loc::Stack;
  }
  void spillAll() {
    for (uint32_t p = 0; p < vs_.size(); ++p) spill(p);
  }
  // Before local `idx` is overwritten: pending reads of it below `below` get their own copy.
  void materializeLocal(uint32_t idx, uint32_t below) {
    for (uint32_t p = 0; p < below; ++p)
      if (vs_[p].loc == Loc::Local && vs_[p].local == idx) spill(p);
  }
  // Before a call or helper call: it clobbers every allocatable register.
  void spillForCall() {
    spillAll();
    clearCache();
  }

  // ---- local register cache ----
  // localReg_[i]: the register holding local i's current value (its frame slot holds it too), or -1; regLocal_ the
  // reverse. A cached register is taken in gp_/fp_ like a value's. Only scalar numeric locals are cached.
  bool cacheable(uint32_t local) const {
    const ValKind k = localKinds_[local];
    return k == ValKind::I32 || k == ValKind::I64 || k == ValKind::F32 || k == ValKind::F64;
  }
  void cache(uint32_t local, uint8_t reg) {  // `reg` is taken; it becomes the cache's
    localReg_[local] = reg;
    regLocal_[reg] = static_cast<int32_t>(local);
    cachedRegs_ |= uint64_t(1) << reg;
  }
  void uncacheLocal(uint32_t local) {
    const int16_t r = localReg_[local];
    if (r < 0) return;
    localReg_[local] = -1;
    regLocal_[r] = -1;
    cachedRegs_ &= ~(uint64_t(1) << r);
    freeReg(static_cast<uint8_t>(r));
  }
  // (the cached locals are found through cachedRegs_: a function may have thousands of locals)
  void clearCache() {
    while (cachedRegs_) uncacheLocal(static_cast<uint32_t>(regLocal_[__builtin_ctzll(cachedRegs_)]));
  }
  CacheState cacheState() const {
    CacheState st;
    for (uint64_t m = cachedRegs_; m; m &= m - 1) {
      const uint8_t r = static_cast<uint8_t>(__builtin_ctzll(m));
      st.add(static_cast<uint32_t>(regLocal_[r]), r);
    }
    return st;
  }
  // Only when every register of `st` is free or cached (no value of the operand stack in a register).
  void setCache(const CacheState& st) {
    clearCache();
    for (const auto& [local, reg] : st) {
      setOf(reg).take(reg);
      cache(local, reg);
    }
  }
  static void intersect(CacheState& a, const CacheState& b) {
    a.eraseIf([&](const CacheEntry& e) { return !b.contains(e); });
  }
  // Drops one cached local of class `c` (its register becomes free); false if none.
  bool evictCached(RegClass c) {
    for (uint64_t m = cachedRegs_ & ~pinned_; m; m &= m - 1) {
      const uint8_t r = static_cast<uint8_t>(__builtin_ctzll(m));
      if ((r >= Masm::kFpBase) == (c == RegClass::Fp)) {
        uncacheLocal(static_cast<uint32_t>(regLocal_[r]));
        return true;
      }
    }
    return false;
  }
  // A jump to block `l`'s end leaves from here: the end's state keeps what every such jump agrees on.
  void noteJumpToEnd(Label& l) {
    if (!l.endSeen) {
      l.endState = cacheState();
      l.endSeen = true;
    } else {
      keepCached(l.endState);
    }
  }
  // Keeps the entries of `st` that the current cache agrees with.
  void keepCached(CacheState& st) const {
    st.eraseIf([&](const CacheEntry& e) { return localReg_[e.first] != e.second; });
  }
  // At a bound end label: `join` becomes the state every edge into it agrees on (the fallthrough's when reachable,
  // the noted jumps', and whatever `join` already holds when `joined`).
  void joinEnd(const Label& l, const ControlEntry& c, CacheState& join, bool& joined) {
    const CacheState jumps = l.endSeen ? l.endState : CacheState();  // (a jump not noted: nothing assumed)
    if (!joined) {
      join = jumps;
      if (!c.unreachable) keepCached(join);
      joined = true;
    } else {
      intersect(join, jumps);
    }
  }
  // A branch to loop `t` must first establish its header state.
  bool needsTransfer(const ControlEntry& t) const {
    if (t.kind != CtrlKind::Loop) return false;
    for (const auto& [local, reg] : labels_[t.user].headState)
      if (localReg_[local] != reg) return true;
    return false;
  }
  // Moves/loads into the header state's registers (runtime only: the compile-time cache stays as it is, for the code
  // after a conditional branch). A register is written once no other pending entry still reads it; in a cycle, the
  // readers of one register load from the frame slot (always current) instead.
  void emitLoopTransfer(const CacheState& head) {
    struct Move {
      uint32_t local;
      uint8_t reg;
      int16_t src;
    };
    Move pend[64];
    uint32_t n = 0;
    for (const auto& [local, reg] : head)
      if (localReg_[local] != reg && n < 64) pend[n++] = {local, reg, localReg_[local]};
    while (n) {
      uint32_t pick = n;
      for (uint32_t i = 0; i < n && pick == n; ++i) {
        bool read = false;
        for (uint32_t j = 0; j < n && !read; ++j) read = j != i && pend[j].src == pend[i].reg;
        if (!read) pick = i;
      }
      if (pick == n) {  // a cycle: the readers of pend[0]'s register load from the frame instead
        for (uint32_t j = 1; j < n; ++j)
          if (pend[j].src == pend[0].reg) pend[j].src = -1;
        pick = 0;
      }
      const Move m = pend[pick];
      if (m.src >= 0) a_.moveReg(localKinds_[m.local], m.reg, static_cast<uint8_t>(m.src));
      else a_.loadValue(localKinds_[m.local], m.reg, localMem(m.local));
      pend[pick] = pend[--n];
    }
  }
  // Where a catch clause's handler jumps for target `t` (after catchHelper, every register clobbered).
  MLabel catchTarget(ControlEntry& t) {
    Label& l = labels_[t.user];
    if (t.kind != CtrlKind::Loop) {
      l.endSeen = true;
      l.endState.clear();
      return endOf(l);
    }
    if (l.headState.empty()) return l.head;
    if (!l.reloadPad.isValid()) l.reloadPad = a_.newLabel();
    return l.reloadPad;
  }
  void emitHeadLoads(const CacheState& head) {
    for (const auto& [local, reg] : head) a_.loadValue(localKinds_[local], reg, localMem(local));
  }
  // Before a loop's header: keep cached (and load) the locals its body accesses most, at most half of each register
  // class; drop the other cache entries.
  // Only small loops (their whole body within kLoopScanBytes): in a large body, with many paths, loading the header
  // state at every back-edge costs more than the loads it saves (bench/workloads/bytecode: a switch loop), and the
  // scan stays cheap; elsewhere the cache starts empty at the header.
  static constexpr size_t kLoopScanBytes = 512;
  void enterLoopCache(uint32_t loopOffset) {
    // scanCounts_ is all zero between calls; scanPicks_ lists the locals the scan touched
    scanPicks_.clear();
    const size_t end = std::min<size_t>(bodyEnd_, size_t(loopOffset) + kLoopScanBytes);
    bool whole = false;
    if (loopOffset < end) {
      // the common single-byte forms skipped in place (the kinds CodeReader::fastDecode knows), the rest by readInstr
      const uint8_t* p = m_.bytes.data() + loopOffset;
      const uint8_t* const e = m_.bytes.data() + end;
      auto leb = [&](uint32_t& v) {
        v = 0;
        for (unsigned sh = 0; p < e; sh += 7) {
          const uint8_t c = *p++;
          if (sh < 32) v |= uint32_t(c & 0x7f) << sh;
          if (!(c & 0x80)) return true;
        }
        return false;
      };
      auto count = [&](uint32_t local) {
        if (local < numLocals_ && cacheable(local) && scanCounts_[local]++ == 0) scanPicks_.push_back(local);
      };
      uint32_t depth = 0, v = 0;
      bool ok = true;
      do {
        if (p >= e) {
          ok = false;
          break;
        }
        const uint8_t b = *p;
        switch (detail::kFastKinds[b]) {
          case detail::kFastNone:
            ++p;
            if (b == 0x0b) --depth;  // end
            break;
          case detail::kFastIndex: case detail::kFastI32:
            ++p;
            ok = leb(v);
            if (b >= 0x20 && b <= 0x22) count(v);  // local.get / local.set / local.tee
            break;
          case detail::kFastMemArg:
            ++p;
            ok = leb(v);
            if (ok && (v & 0x40)) ok = leb(v);  // memory index
            if (ok) ok = leb(v);                // offset (u64: its bytes skipped the same way)
            break;
          case detail::kFastBlock:
            if (p + 1 < e && (p[1] == 0x40 || (p[1] >= 0x7B && p[1] <= 0x7F))) {  // empty / numeric / v128 type
              p += 2;
              ++depth;
              break;
            }
            [[fallthrough]];  // a type index or reference type: readInstr
          default: {
            ByteReader r(p, static_cast<size_t>(e - p), static_cast<size_t>(p - m_.bytes.data()));
            if (!readInstr(r, scanInstr_).ok()) {
              ok = false;
              break;
            }
            p += r.pos();
            switch (scanInstr_.op) {
              case Op::Block: case Op::Loop: case Op::If: case Op::Try: case Op::TryTable: ++depth; break;
              case Op::End: case Op::Delegate: --depth; break;
              default: break;
            }
          }
        }
      } while (ok && depth > 0);
      whole = ok && depth == 0;
    }
    std::stable_sort(scanPicks_.begin(), scanPicks_.end(),
                     [&](uint32_t a, uint32_t b) { return scanCounts_[a] > scanCounts_[b]; });
    for (uint32_t i : scanPicks_) scanCounts_[i] = 0;
    uint32_t want[2] = {std::min<uint32_t>(6, __builtin_popcountll(Masm::kGpAllocatable) / 2),
                        std::min<uint32_t>(6, __builtin_popcountll(Masm::kFpAllocatable) / 2)};
    size_t n = 0;  // the chosen ones first in scanPicks_
    if (whole)
      for (size_t k = 0; k < scanPicks_.size(); ++k) {
        uint32_t& w = want[regClassOf(localKinds_[scanPicks_[k]]) == RegClass::Fp];
        if (w == 0) continue;
        --w;
        scanPicks_[n++] = scanPicks_[k];
      }
    scanPicks_.resize(n);
    auto chosen = [&](uint32_t local) { return std::find(scanPicks_.begin(), scanPicks_.end(), local) != scanPicks_.end(); };
    for (uint64_t m = cachedRegs_; m; m &= m - 1) {
      const uint32_t local = static_cast<uint32_t>(regLocal_[__builtin_ctzll(m)]);
      if (!chosen(local)) uncacheLocal(local);
    }
    for (uint32_t i : scanPicks_) {
      if (localReg_[i] >= 0) continue;
      RegSet& set = regClassOf(localKinds_[i]) == RegClass::Fp ? fp_ : gp_;
      if (!set.hasFree()) continue;
      const uint8_t r = set.take();
      a_.loadValue(localKinds_[i], r, localMem(i));
      cache(i, r);
    }
  }


  // ---- blocks and branches ----
  void openBlock(ControlEntry& c, bool parentLive) {
    if (failed()) return;
    c.user = labels_.size();
    Label l;
    l.dead = !parentLive;
    if (c.kind == CtrlKind::Loop) l.head = a_.newLabel();  // (the end label: created by the first jump to it)
    labels_.push_back(std::move(l));
    if (parentLive) spillAll();
  }
  MLabel labelOf(const ControlEntry& t) {
    Label& l = labels_[t.user];
    return t.kind == CtrlKind::Loop ? l.head : endOf(l);
  }
  // A block's end label, created lazily: most blocks are never branched to, and a label costs (asmjit: ~170 host
  // instructions) to create and bind. bindEnd binds it only if some jump was emitted to it.
  MLabel endOf(Label& l) {
    if (!l.end.isValid()) l.end = a_.newLabel();
    return l.end;
  }
  void bindEnd(const Label& l) {
    if (l.end.isValid()) a_.bind(l.end);
  }
  bool needsMoves(const ControlEntry& t, uint32_t top) const {
    const uint32_t k = static_cast<uint32_t>(t.labelTypes().size());
    return k != 0 && top - k != t.height;
  }
  // Branch to `t` with everything spilled; the label's values are the top k of [0, top).
  void branchTo(ControlEntry& t, uint32_t top) {
    if (t.kind == CtrlKind::Func) return emitReturn(top, false);
    const uint32_t k = static_cast<uint32_t>(t.labelTypes().size());
    if (needsMoves(t, top))
      for (uint32_t i = 0; i < k; ++i)
        a_.copyValue(slotMem(t.height + i), slotMem(top - k + i), t.labelTypes()[i].kind == ValKind::V128);
    if (t.kind == CtrlKind::Loop) emitLoopTransfer(labels_[t.user].headState);
    else noteJumpToEnd(labels_[t.user]);
    a_.jmp(labelOf(t));
  }
  // A conditional branch on condition `cc` (set by the caller; everything spilled) to `t` with its values below `top`.
  void branchIf(Cond cc, ControlEntry& t, uint32_t top) {
    if (t.kind != CtrlKind::Func && !needsMoves(t, top) && !needsTransfer(t)) {
      if (t.kind != CtrlKind::Loop) noteJumpToEnd(labels_[t.user]);
      a_.j(cc, labelOf(t));
      return;
    }
    const size_t skip = a_.jFwd(Masm::negate(cc));
    branchTo(t, top);
    a_.patchHere(skip);
  }
  // Writes the results (stack positions [top-r, top)) to io and leaves through the epilogue. Does not change vs_.
  void emitReturn(uint32_t top, bool fallthrough) {
    const uint32_t r = numResults_;
    if (r) a_.loadIo();
    for (uint32_t i = 0; i < r; ++i) {
      const uint32_t pos = top - r + i;
      const Mem dst = a_.ioSlot(i);
      const VarState& v = vs_[pos];
      if (v.loc == Loc::Local || v.loc == Loc::Stack) {
        const Mem src = v.loc == Loc::Local ? localMem(v.local) : slotMem(pos);
        a_.copyValue(dst, src, v.kind == ValKind::V128);
      } else {
        storeTo(v, pos, dst);
      }
    }
    if (!fallthrough) a_.jmp(epilogue());
  }
  // Function entries and loop headers: the interrupt flag, and fuel when metered (an out-of-line charge of the
  // region's cost, emitted by finish() when the region's size is known). Returns the fuel site's index.
  size_t pollInterrupt(uint32_t loopOffset = kNoWasmOffset) {
    countTierUp(loopOffset);
    trapIf(a_.testInterrupt(), TrapReason::Interrupted);
    FuelSite site;
    site.charge = a_.jumpIfFuelEnabled();
    site.back = a_.offset();
    fuelSites_.push_back(site);
    return fuelSites_.size() - 1;
  }
  // The auto tier's count towards the optimizing tier (StoreConfig::optTierUp, jit/jit.h), before each poll: the
  // function's FuncInst::optBudget minus one, and at 0 an out-of-line call of optTierUpHelper (emitted by finish()),
  // after which the registers the local cache holds here are loaded again from the frame (every value is in its home
  // slot at a function's entry poll and at a loop head; the cache is write-through) and the poll goes on. Only in
  // code the auto tier compiles (with OSR entries) for a store with a third tier, in modules whose frames hold no GC
  // references (the optimizing tier refuses those), and where the Masm has the count (x86-64).
  // At a loop head the helper may return the entry of the function's optimized OSR version for that loop: then this
  // frame continues in it (Masm::optOsrTransfer: the frame's slots -- locals, operand stack -- are its parameters,
  // the results go to this frame's io, it records its own backtrace frame) and leaves through the exit with its
  // TrapReason, recording no frame of its own.
  void countTierUp(uint32_t loopOffset) {
    if constexpr (requires(Masm& m) { m.countDownTierUp(); }) {
      if (!tierUpCounters_) return;
      TierUpSite t;
      t.jump = a_.countDownTierUp();
      t.back = a_.offset();
      t.state = cacheState();
      t.loopOffset = loopOffset;
      tierUpSites_.push_back(t);
    }
  }
  void emitTierUpCalls(size_t exit) {
    if constexpr (requires(Masm& m) { m.optOsrTransfer(); }) {
      for (const TierUpSite& t : tierUpSites_) {
        a_.patchHere(t.jump);
        a_.callHelper(reinterpret_cast<const void*>(&optTierUpHelper), {Arg::cx(), Arg::func(), Arg::imm32(t.loopOffset)});
        if (t.loopOffset != kNoWasmOffset) {
          const size_t stay = a_.optOsrTransfer();
          a_.jmpBack(exit);
          a_.patchHere(stay);
        }
        emitHeadLoads(t.state);
        a_.jmpBack(t.back);
      }
    }
  }
  // ---- exception handlers ----
  struct Catch {
    bool tagged = false;  // catch / catch_ref (else catch_all / catch_all_ref)
    bool toFunc = false;  // the target is the function's label: the values are the results (io), then return
    uint32_t flags = 0;   // catchHelper: 1 payload, 2 exnref
    uint32_t dstPos = 0;  // stack position of the target's first value
    uint32_t exnScratch = UINT32_MAX;  // legacy catch: scratch slot receiving the exception
    TagInst* tag = nullptr;
    MLabel target;
  };
  struct Handler {
    MLabel dispatch;
    uint32_t block = 0;  // Label index (ControlEntry::user) of the try_table / try
    int32_t next = -1;   // handler tried when no clause matches (-1: leave the function)
    std::vector<Catch> catches;
  };
  // Where a call or throw at this point goes with a non-zero result: the innermost active handler, or out.
  MLabel excTarget() { return tryStack_.empty() ? propagate() : handlers_[tryStack_.back()].dispatch; }
  // Created by the first jump to them (finish() emits the code behind propagate_ only then): a leaf function needs
  // neither.
  MLabel propagate() {
    if (!propagate_.isValid()) propagate_ = a_.newLabel();
    return propagate_;
  }
  MLabel epilogue() {
    if (!epilogue_.isValid()) epilogue_ = a_.newLabel();
    return epilogue_;
  }
  uint32_t openHandler(ControlEntry& c) {
    Handler h;
    h.dispatch = a_.newLabel();
    h.block = c.user;
    h.next = tryStack_.empty() ? -1 : static_cast<int32_t>(tryStack_.back());
    const uint32_t i = static_cast<uint32_t>(handlers_.size());
    handlers_.push_back(std::move(h));
    tryStack_.push_back(i);
    labels_[c.user].handler = i;
    labels_[c.user].handlerOpen = true;
    return i;
  }
  void closeHandler(Label& l) {
    if (!l.handlerOpen) return;
    l.handlerOpen = false;
    tryStack_.pop_back();
  }
  // The dispatch code of every handler (after the function body).
  void emitHandlers() {
    for (const Handler& h : handlers_) {
      a_.bind(h.dispatch);
      a_.handlerPrologue(propagate());
      for (const Catch& k : h.catches) {
        MLabel next = a_.newLabel();
        if (k.tagged) a_.branchIfTagNot(k.tag, next);
        if (k.exnScratch != UINT32_MAX) a_.storeException(scratchMem(k.exnScratch));
        a_.callHelper(reinterpret_cast<const void*>(&catchHelper),
                      {Arg::cx(), k.toFunc ? Arg::io() : Arg::address(slotMem(k.dstPos)), Arg::imm32(k.flags)});
        a_.jmp(k.toFunc ? epilogue() : k.target);
        a_.bind(next);
      }
      a_.jmp(h.next < 0 ? propagate() : handlers_[h.next].dispatch);
    }
  }
  // semantics::gcStep on operand words laid out as semantics/gc.h says (slot indices relative to fp, embedded after
  // the code): result at stack position `dst` (when im.result), `nIn` operands at positions [b, b+nIn) (spilled).
  void emitGcStep(Op op, const semantics::GcImms& im, uint32_t dst, uint32_t b, uint32_t nIn) {
    uint32_t w[12] = {0, 0, static_cast<uint32_t>(op), im.result ? numLocals_ + dst : 0};
    for (uint32_t k = 0; k < std::min<uint32_t>(nIn, 5); ++k) w[4 + k] = numLocals_ + b + k;
    for (uint32_t k = 0; k < 3; ++k) w[9 + k] = im.imm[k];
    const MLabel words = a_.constant(w, sizeof w);
    for (uint32_t k = 0; k < 3; ++k)  // the store's canonical type ids: recorded for relocation
      if (im.canonMask >> k & 1) a_.constantTypeId(words, 4 * (9 + k), im.typeIndex[k]);
    a_.callHelper(reinterpret_cast<const void*>(&semantics::gcStep),
                  {Arg::cx(), Arg::frame(), Arg::constant(words), Arg::instance()});
    recordSite();  // (a trap, never an exception: straight out)
    a_.branchOnTrap(propagate());
  }
  // throw_ref of the exnref at `src` (rethrow: the legacy catch's scratch slot).
  void emitThrowRef(const Mem& src) {
    a_.callHelper(reinterpret_cast<const void*>(&throwRefHelper), {Arg::cx(), Arg::address(src)});
    a_.jmp(excTarget());
  }
  std::span<const ValType> tagParams(uint32_t tagIndex) const {
    if (tagIndex >= m_.tags.size() || m_.tags[tagIndex].typeIndex >= m_.types.size()) return {};
    return m_.types[m_.tags[tagIndex].typeIndex].comp.params;
  }
  // A legacy catch / catch_all (called before the reader resets the stack to the try's height plus the payload).
  void legacyCatch(ControlEntry& c, bool tagged, uint32_t tagIndex) {
    if (failed()) return;
    Label& l = labels_[c.user];
    const std::span<const ValType> params = tagged ? tagParams(tagIndex) : std::span<const ValType>();
    if (!l.inCatch) {
      l.inCatch = true;
      ++catchBodies_;
    }
    if (!l.dead) {
      closeHandler(l);  // the first catch ends the try body
      if (!c.unreachable) {
        spillAll();
        noteJumpToEnd(l);
        a_.jmp(endOf(l));
      }
      if (l.exnScratch == UINT32_MAX) l.exnScratch = numScratch_++;
      Catch k;
      k.tagged = tagged;
      if (tagged) k.tag = inst_.tags[tagIndex];
      k.flags = params.empty() ? 0u : 1u;
      k.dstPos = c.height;
      k.exnScratch = l.exnScratch;
      k.target = a_.newLabel();
      a_.bind(k.target);
      handlers_[l.handler].catches.push_back(k);
    }
    resetTo(c.height, params);
    clearCache();  // a catch body is entered from the handler dispatch, after a call
  }

  void addTrapJump(TrapReason r, size_t field) { trapStubs_.add(a_, r, wasmOffset(), field); }
  // The module offset of the instruction being compiled (the function's first instruction in the prologue).
  uint32_t wasmOffset() const { return inPrologue_ ? prologueOffset_ : static_cast<uint32_t>(r_->instr().offset); }
  // Code map (FunctionCompiler::sites): the current machine offset belongs to the instruction being compiled.
  void recordSite() {
    if (sites_) sites_->push_back({static_cast<uint32_t>(a_.offset()), wasmOffset()});
  }
  // After a call of a callee or helper returning a TrapReason: the return address is a site; a trap goes to the
  // innermost exception handler or propagate_ (which finds the call's offset through the return address: the
  // handlers' dispatch code in between makes no call).
  void checkCallResult() {
    recordSite();
    a_.branchOnTrap(excTarget());
  }
  // Around the code of an unchecked access to a guarded memory (one instruction, or a SIMD sequence): a fault at a PC
  // in [begin, end) resumes at the MemoryOutOfBounds stub with the access's offset. `end` closes the range with an
  // entry of unknown offset, so other PCs are never taken for the access.
  void beginFaultSite() {
    if (!sites_ || !a_.lastAccessGuarded()) return;
    recordSite();
    faultLanding_ = trapStubs_.reasonLabel(a_, TrapReason::MemoryOutOfBounds);
  }
  void endFaultSite() {
    if (sites_ && a_.lastAccessGuarded()) sites_->push_back({static_cast<uint32_t>(a_.offset()), kNoWasmOffset});
  }

  // ---- GC stack maps (precise roots, docs/design.md "Garbage collection") ----
  // In a module whose frames may hold GC references, every call and every helper call that may collect (an
  // allocation, throw, memory.grow / table.grow) is a safepoint: its index is stored in scratch slot 1 of the frame
  // right before it, and its map (StackMaps, slots relative to fp) lists the slots holding references then -- the
  // operand-stack values below the op (spilled: in their home slots), the op's operands in gcArgs_, the exception
  // scratch slot of each enclosing legacy catch body (rethrow), and the locals of such types (write-through: their
  // frame slots are current). A tail call is no safepoint: the frame is gone before the callee runs.
  void startGcMaps(const CompositeType& type, const Func& f) {
    if (!m_.holdsGcRefs) return;
    gcMaps_ = std::make_shared<StackMaps>();
    numScratch_ = 2;  // scratch slot 1: the index of the safepoint the frame is stopped at
    int32_t i = 0;
    for (ValType t : type.params) {
      if (isGcRefType(t, m_)) gcMaps_->refLocals.push_back(i);
      ++i;
    }
    for (ValType t : f.locals) {
      if (isGcRefType(t, m_)) gcMaps_->refLocals.push_back(i);
      ++i;
    }
  }
  void finishGcMaps() {
    if (!gcMaps_) return;
    gcMaps_->frameLow = -static_cast<int32_t>(numScratch_);
    gcMaps_->frameHigh = static_cast<int32_t>(numLocals_ + maxHeight_ + 1);
    gcMaps_->finish();
  }
  void gcSite(uint32_t below) {
    if (!gcMaps_) return gcArgs_.clear();
    StackMaps& g = *gcMaps_;
    a_.storeConst(ValKind::I32, g.start.size(), scratchMem(1));
    g.begin(/*noLocals=*/false);
    const std::span<const ValType> types = r_->stack();
    for (uint32_t p = 0; p < below; ++p)
      if (isGcRefType(types[p], m_)) g.slots.push_back(static_cast<int32_t>(numLocals_ + p));
    g.slots.insert(g.slots.end(), gcArgs_.begin(), gcArgs_.end());
    gcArgs_.clear();
    for (uint32_t d = 0; d < r_->controlDepth(); ++d) {
      const Label& l = labels_[r_->control(d).user];
      if (l.inCatch && l.exnScratch != UINT32_MAX) g.slots.push_back(-static_cast<int32_t>(l.exnScratch + 1));
    }
  }
  // A call (or throw) with its arguments (payload) spilled to [b, b+np).
  void gcCallSite(uint32_t b, const CompositeType& ft) {
    if (!gcMaps_) return;
    for (uint32_t i = 0; i < ft.params.size(); ++i)
      if (isGcRefType(ft.params[i], m_)) gcArgs_.push_back(static_cast<int32_t>(numLocals_ + b + i));
    gcSite(b);
  }
  void gcAllocSite(const Instr& in, uint32_t b, uint32_t nIn) {
    if (!gcMaps_) return;
    for (uint32_t k = 0, n = std::min(nIn, semantics::gcAllocOperands(in, m_, nIn)); k < n; ++k)
      if (semantics::gcAllocOperandIsRef(in, m_, k)) gcArgs_.push_back(static_cast<int32_t>(numLocals_ + b + k));
    gcSite(b);
  }
  void gcGrowSite(Op op, uint32_t b, uint32_t table) {
    if (!gcMaps_) return;
    if (op == Op::TableGrow && table < m_.tables.size() && isGcRefType(m_.tables[table].type.elem, m_))
      gcArgs_.push_back(static_cast<int32_t>(numLocals_ + b));  // the initial value
    gcSite(b);
  }

  // ---- prologue ----
  // The Masm's entry (host ABI: saves what it must, checks the native stack, the call depth and the value stack,
  // links the frame) around the direct entry that calls within the instance use; then params from io, declared
  // locals zeroed, and the function's poll.
  void prologue() {
    directEntry_ = a_.newLabel();
    a_.emitEntry(directEntry_);
    for (uint32_t i = 0; i < numParams_; ++i) a_.copyValue(localMem(i), a_.ioSlot(i), localKinds_[i] == ValKind::V128);
    if (numLocals_ > numParams_) a_.zeroFrameSlots(static_cast<int32_t>(16 * numParams_), numLocals_ - numParams_);
    // Frames that may hold GC references clear their operand slots too (Module::holdsGcRefs), out of line at the end
    // where their number is known (finish()).
    if (m_.holdsGcRefs) {
      zeroOperands_ = a_.jmpFwd();
      zeroOperandsBack_ = a_.offset();
    }
    fuelSites_[pollInterrupt()].bytes = bodyBytes_;
  }

  // ---- calls ----
  // The callee FuncInst* is set (Masm::calleeConst / calleeFromSlot); arguments in slots [b, b+np) (spilled).
  // Results land in the same slots.
  void emitCallEntry(uint32_t b, const CompositeType& ft, uint32_t directCallee = UINT32_MAX) {
    const uint32_t np = static_cast<uint32_t>(ft.params.size());
    const uint32_t nr = static_cast<uint32_t>(ft.results.size());
    maxHeight_ = std::max<uint32_t>(maxHeight_, b + std::max(np, nr));
    a_.callPrologue(slotMem(b), directCallee == UINT32_MAX);
    if (directCallee != UINT32_MAX) fixups_->push_back({static_cast<uint32_t>(a_.callDirect()), directCallee});
    else if (fixups_) fixups_->push_back({static_cast<uint32_t>(a_.callDirect()), kCallViaStub});  // (linked code)
    else a_.callViaEntry();
    checkCallResult();
    for (uint32_t i = 0; i < np; ++i) vs_.pop_back();
    for (ValType t : ft.results) push(VarState::stack(t.kind));
  }
  void callFunc(uint32_t funcIndex, const CompositeType& ft, bool tail) {
    if (!live()) return sync();
    const uint32_t np = static_cast<uint32_t>(ft.params.size());
    const uint32_t b = static_cast<uint32_t>(vs_.size()) - np;
    spillForCall();
    if (!tail) gcCallSite(b, ft);
    FuncInst* callee = inst_.funcs[funcIndex];
    a_.calleeConst(callee);
    // same instance: a direct call to its machine code (patched at link time), no activation / entry indirection
    const bool direct = callee->instance == &inst_ && funcIndex >= m_.numImportedFuncs && fixups_;
    emitCall(b, ft, direct ? funcIndex : UINT32_MAX, tail);
  }
  void callIndirect(uint32_t typeIndex, uint32_t tableIndex, const CompositeType& ft, bool tail) {
    if (!live()) return sync();
    const uint32_t np = static_cast<uint32_t>(ft.params.size());
    const uint32_t b = static_cast<uint32_t>(vs_.size()) - np - 1;
    spillForCall();
    if (!tail) gcCallSite(b, ft);
    emitIndirectCallee(b + np, typeIndex, tableIndex);
    vs_.pop_back();
    emitCall(b, ft, UINT32_MAX, tail);
  }
  void callRef(const CompositeType& ft, bool tail) {
    if (!live()) return sync();
    const uint32_t np = static_cast<uint32_t>(ft.params.size());
    const uint32_t b = static_cast<uint32_t>(vs_.size()) - np - 1;
    spillForCall();
    if (!tail) gcCallSite(b, ft);
    a_.calleeFromSlot(slotMem(b + np));
    trapIf(a_.testCalleeNull(), TrapReason::NullFunctionReference);
    vs_.pop_back();
    emitCall(b, ft, UINT32_MAX, tail);
  }
  void emitCall(uint32_t b, const CompositeType& ft, uint32_t directCallee, bool tail) {
    if (tail) emitTailCall(b, ft, directCallee);
    else emitCallEntry(b, ft, directCallee);
  }
  // call_indirect's callee: the table index in slot `pos` (spilled) resolved by indirectHelper into that slot.
  void emitIndirectCallee(uint32_t pos, uint32_t typeIndex, uint32_t tableIndex) {
    const bool t64 = tableIndex < m_.tables.size() && m_.tables[tableIndex].type.limits.is64;
    a_.callHelper(reinterpret_cast<const void*>(&indirectHelper),
                  {Arg::cx(), Arg::func(), Arg::address(slotMem(pos)), Arg::imm32(typeIndex),
                   Arg::imm32(tableIndex | (t64 ? 0x80000000u : 0))});
    recordSite();  // (a trap of the call, never an exception: straight out)
    a_.branchOnTrap(propagate());
    a_.calleeFromSlot(slotMem(pos));
  }
  // A tail call: the callee FuncInst* is set; arguments in slots [b, b+np) (spilled). Every caller hands its callee
  // the value stack from io upwards (the interpreter runs a frame at io itself), so the arguments move down to this
  // function's io (a forward copy: io lies below this frame), the frame is unlinked as in the epilogue, and the callee
  // gets cx.sp = max(this function's entry sp, io + its max(params, results)): a loop of tail calls runs in constant
  // value stack and native stack (the callee is jumped to with this function's return address on top). Same-instance
  // callees are entered at their direct entry, others through FuncInst::entry (host ABI; the callee returns to this
  // function's caller, which only relies on callee-saved registers). The frame disappears from backtraces, as in the
  // interpreter.
  void emitTailCall(uint32_t b, const CompositeType& ft, uint32_t directCallee = UINT32_MAX) {
    const uint32_t np = static_cast<uint32_t>(ft.params.size());
    const uint32_t n = std::max<uint32_t>(np, static_cast<uint32_t>(ft.results.size()));
    maxHeight_ = std::max<uint32_t>(maxHeight_, b + np);
    a_.tailCallIoEnd(n);
    if (n > std::max(numParams_, numResults_))  // more than the caller provided room for: within the stack?
      trapIf(a_.tailCallCheckRoom(), TrapReason::CallStackExhausted);
    for (uint32_t i = 0; i < np; ++i) a_.copyValue(a_.ioSlot(i), slotMem(b + i), ft.params[i].kind == ValKind::V128);
    a_.tailCallLeave();
    if (directCallee != UINT32_MAX) {
      fixups_->push_back({static_cast<uint32_t>(a_.jumpDirect()), directCallee});
      return;
    }
    a_.tailJumpIndirect();
  }
  // A bulk memory/table op through bulkHelper: `nIn` operands (spilled) at the top, `nOut` (0/1) result.
  void bulk(Op op, uint32_t nIn, uint32_t nOut, uint32_t immA, uint32_t immB) {
    spillForCall();
    const uint32_t b = static_cast<uint32_t>(vs_.size()) - nIn;
    maxHeight_ = std::max<uint32_t>(maxHeight_, b + 1);
    if (op == Op::MemoryGrow || op == Op::TableGrow) gcGrowSite(op, b, immA & 0x7fffffffu);  // may collect
    a_.callHelper(reinterpret_cast<const void*>(&bulkHelper),
                  {Arg::cx(), Arg::func(), Arg::address(slotMem(b)), Arg::imm32(static_cast<uint32_t>(op)),
                   Arg::imm32(immA), Arg::imm32(immB)});
    checkCallResult();
    for (uint32_t i = 0; i < nIn; ++i) vs_.pop_back();
    if (nOut) {
      const ValType t = r_->stack().back();
      push(VarState::stack(t.kind));
    }
  }
  void emitNumericHelper(const Instr& in) {
    NumericHelper fn = numericHelper(in.op);
    if (!fn) return unsupported(opName(in.op));
    const OpSig& sig = opInfo(in.op).sig;
    spillForCall();
    const uint32_t b = static_cast<uint32_t>(vs_.size()) - sig.numParams;
    maxHeight_ = std::max<uint32_t>(maxHeight_, b + 1);
    if (opInfo(in.op).imm == ImmKind::Shuffle)  // the mask is embedded after the code
      a_.callHelper(reinterpret_cast<const void*>(fn), {Arg::address(slotMem(b)), Arg::imm32(in.lane),
                                                        Arg::constant(a_.constant(in.bytes, 16))});
    else
      a_.callHelper(reinterpret_cast<const void*>(fn), {Arg::address(slotMem(b)), Arg::imm32(in.lane)});
    checkCallResult();
    for (uint32_t i = 0; i < sig.numParams; ++i) vs_.pop_back();
    if (sig.numResults) push(VarState::stack(sig.results[0]));
  }

  // ---- SIMD (instruction selection in the Masm; here: operands, registers, bounds checks) ----
  void simdLoad(const Instr& in, ValType addr) {
    const bool lane = opInfo(in.op).imm == ImmKind::MemArgLane;
    uint8_t dst = lane ? popReg(RegClass::Fp) : allocReg(RegClass::Fp);  // load*_lane: [addr v128]
    const uint8_t ar = popReg(RegClass::Gp);
    const Mem m = effectiveAddress(ar, in, addr, Masm::simdAccessSize(in.op));
    freeReg(ar);
    beginFaultSite();
    a_.simdLoad(in.op, dst, m, in.lane);
    endFaultSite();
    push(VarState::inReg(ValKind::V128, dst));
  }
  void simdStore(const Instr& in, ValType addr) {
    const uint8_t v = popReg(RegClass::Fp);
    const uint8_t ar = popReg(RegClass::Gp);
    const Mem m = effectiveAddress(ar, in, addr, Masm::simdAccessSize(in.op));
    checkStoreStraddle(in, m, Masm::simdAccessSize(in.op));
    beginFaultSite();
    a_.simdStore(in.op, m, v, in.lane);
    endFaultSite();
    freeReg(v);
    freeReg(ar);
  }
  // A SIMD value op inline; false: not one, or no inline form on this CPU (then the numeric helper).
  bool emitSimd(const Instr& in) {
    const OpInfo& info = opInfo(in.op);
    if (info.prefix != 0xFD || !a_.simdInlined(in.op)) return false;
    const OpSig& sig = info.sig;
    const ValKind rk = sig.results[0];
    const Op op = in.op;
    if (rk == ValKind::V128 && sig.numParams == 1 && sig.params[0] != ValKind::V128) {  // splat
      const VarState sv = vs_.back();
      if (sv.loc == Loc::Const) {  // a constant vector
        const unsigned w = op == Op::I8x16Splat ? 1 : op == Op::I16x8Splat ? 2
                           : (op == Op::I32x4Splat || op == Op::F32x4Splat) ? 4 : 8;
        uint8_t bytes[16];
        for (unsigned i = 0; i < 16; i += w) std::memcpy(bytes + i, &sv.bits, w);
        vs_.pop_back();
        const uint8_t r = allocReg(RegClass::Fp);
        a_.simdConstant(r, bytes);
        push(VarState::inReg(ValKind::V128, r));
        return true;
      }
      if (regClassOf(sig.params[0]) == RegClass::Fp) {
        const uint8_t x = popReg(RegClass::Fp);
        a_.simdSplat(op, x, kNoReg);
        push(VarState::inReg(ValKind::V128, x));
        return true;
      }
      const uint8_t g = popReg(RegClass::Gp);
      const uint8_t x = allocReg(RegClass::Fp);
      a_.simdSplat(op, x, g);
      freeReg(g);
      push(VarState::inReg(ValKind::V128, x));
      return true;
    }
    if (info.imm == ImmKind::Lane && rk == ValKind::V128) {  // replace_lane: [v128 scalar]
      const RegClass sc = regClassOf(sig.params[1]);
      const uint8_t s = popReg(sc);
      const uint8_t x = popReg(RegClass::Fp);
      if (sc == RegClass::Fp) a_.simdReplaceLane(op, x, kNoReg, s, in.lane);
      else a_.simdReplaceLane(op, x, s, kNoReg, in.lane);
      freeReg(s);
      push(VarState::inReg(ValKind::V128, x));
      return true;
    }
    if (rk == ValKind::V128 && sig.numParams == 2 && sig.params[1] == ValKind::I32) {  // shifts: [v128 count]
      const VarState cv = vs_.back();
      if (cv.loc == Loc::Const) {
        vs_.pop_back();
        const uint8_t x = popReg(RegClass::Fp);
        a_.simdShift(op, x, kNoReg, static_cast<uint32_t>(cv.bits));
        push(VarState::inReg(ValKind::V128, x));
        return true;
      }
      const uint8_t c = popReg(RegClass::Gp);
      const uint8_t x = popReg(RegClass::Fp);
      a_.simdShift(op, x, c, 0);
      freeReg(c);
      push(VarState::inReg(ValKind::V128, x));
      return true;
    }
    if (rk != ValKind::V128) {  // [v128] -> scalar
      const uint8_t x = popReg(RegClass::Fp);
      if (op == Op::V128AnyTrue || op == Op::I8x16AllTrue || op == Op::I16x8AllTrue || op == Op::I32x4AllTrue ||
          op == Op::I64x2AllTrue) {
        const Cond cc = a_.simdTest(op, x);
        freeReg(x);
        materializeCond(cc, allocReg(RegClass::Gp));  // br_if / if on it branch on the flags
        return true;
      }
      if (regClassOf(rk) == RegClass::Fp) {  // f32x4 / f64x2 extract_lane: in place
        a_.simdExtractFloat(op, x, in.lane);
        push(VarState::inReg(rk, x));
        return true;
      }
      const uint8_t r = allocReg(RegClass::Gp);
      a_.simdToGp(op, r, x, in.lane);
      freeReg(x);
      push(VarState::inReg(rk, r));
      return true;
    }
    uint8_t regs[3] = {kNoReg, kNoReg, kNoReg};  // all operands v128
    const unsigned n = sig.numParams;
    for (unsigned i = n; i-- > 0;) regs[i] = popReg(RegClass::Fp);
    const uint8_t rc = a_.simdVector(op, regs[0], regs[1], regs[2], in.bytes);
    for (unsigned i = 0; i < n; ++i)
      if (regs[i] != rc) freeReg(regs[i]);
    push(VarState::inReg(ValKind::V128, rc));
    return true;
  }

  // ---- memory ----
  // The common atomics inline, for a masm that has atomicAlignCheck/atomicStore/atomicAdd/atomicFence (x64): i32
  // addresses into a guarded memory 0 (bounds by the guard pages, as plain accesses). The alignment check comes first
  // ("unaligned atomic" before "out of bounds", as semantics::atomicStep). Loads are plain loads (sequentially
  // consistent on x86 when every atomic store is a locked instruction), stores xchg, full-width rmw.add lock xadd,
  // atomic.fence mfence. False: the caller calls the helper.
  bool inlineAtomic(const Instr& in, ValType addr) {
    if (in.op == Op::AtomicFence) {
      a_.atomicFence();
      return true;
    }
    if (addr.kind != ValKind::I32 || in.mem.memory != 0 || inst_.memories.empty()) return false;
    const MemoryInst* mem = inst_.memories[0];
    if (!mem->guarded || in.mem.offset > 0x7fffffffu) return false;
    enum { Load, Store, Add } kind;
    Op plain = in.op;
    unsigned size;
    switch (in.op) {
      case Op::I32AtomicLoad: kind = Load, plain = Op::I32Load, size = 4; break;
      case Op::I64AtomicLoad: kind = Load, plain = Op::I64Load, size = 8; break;
      case Op::I32AtomicLoad8U: kind = Load, plain = Op::I32Load8U, size = 1; break;
      case Op::I32AtomicLoad16U: kind = Load, plain = Op::I32Load16U, size = 2; break;
      case Op::I64AtomicLoad8U: kind = Load, plain = Op::I64Load8U, size = 1; break;
      case Op::I64AtomicLoad16U: kind = Load, plain = Op::I64Load16U, size = 2; break;
      case Op::I64AtomicLoad32U: kind = Load, plain = Op::I64Load32U, size = 4; break;
      case Op::I32AtomicStore: case Op::I64AtomicStore32: kind = Store, size = 4; break;
      case Op::I64AtomicStore: kind = Store, size = 8; break;
      case Op::I32AtomicStore8: case Op::I64AtomicStore8: kind = Store, size = 1; break;
      case Op::I32AtomicStore16: case Op::I64AtomicStore16: kind = Store, size = 2; break;
      case Op::I32AtomicRmwAdd: kind = Add, size = 4; break;
      case Op::I64AtomicRmwAdd: kind = Add, size = 8; break;
      default: return false;
    }
    if (kind == Load) {
      const ValKind rk = opInfo(in.op).sig.results[0];
      const uint8_t ar = popReg(RegClass::Gp);
      a_.atomicAlignCheck(*this, ar, in.mem.offset, size);
      const Mem m = effectiveAddress(ar, in, addr, size);
      beginFaultSite();
      a_.load(plain, ar, m);
      endFaultSite();
      push(VarState::inReg(rk, ar));
      return true;
    }
    const ValKind vk = vs_.back().kind;
    const uint8_t v = popReg(RegClass::Gp);
    const uint8_t ar = popReg(RegClass::Gp);
    a_.atomicAlignCheck(*this, ar, in.mem.offset, size);
    const Mem m = effectiveAddress(ar, in, addr, size);
    beginFaultSite();
    if (kind == Store) a_.atomicStore(size, m, v);  // clobbers v
    else a_.atomicAdd(size, m, v);  // v := the old value
    endFaultSite();
    freeReg(ar);
    if (kind == Store) freeReg(v);
    else push(VarState::inReg(vk, v));
    return true;
  }

  // A store of more than one byte to a guarded memory, on an ISA where it could write its in-bounds bytes before the
  // guard page faults (exec/signals.h kGuardStoresMayTear): the Masm's explicit check for a store that can straddle
  // the end of memory (AArch64). x86-64 has no such check: such a store faults before writing.
  void checkStoreStraddle(const Instr& in, const Mem& m, unsigned size) {
    if constexpr (requires(Masm& x, BaselineCompiler& c, MemoryInst* mem) { x.checkStoreStraddle(c, m, size, mem); }) {
      if (size > 1 && a_.lastAccessGuarded()) a_.checkStoreStraddle(*this, m, size, inst_.memories[in.mem.memory]);
    }
  }
  Mem effectiveAddress(uint8_t ar, const Instr& in, ValType addrType, unsigned size) {
    return a_.effectiveAddress(*this, ar, in.mem.offset, size, addrType.kind == ValKind::I64, in.mem.memory,
                               inst_.memories[in.mem.memory]);
  }

  // ---- numeric ops emitted inline; false: use the helper ----
  bool emitInline(Op op) {
    switch (op) {
      // i32 / i64 arithmetic and bitwise
      case Op::I32Add: case Op::I32Sub: case Op::I32Mul: case Op::I32And: case Op::I32Or: case Op::I32Xor:
        intBinary(op, false); return true;
      case Op::I64Add: case Op::I64Sub: case Op::I64Mul: case Op::I64And: case Op::I64Or: case Op::I64Xor:
        intBinary(op, true); return true;
      case Op::I32Shl: case Op::I32ShrS: case Op::I32ShrU: case Op::I32Rotl: case Op::I32Rotr:
        shift(op, false); return true;
      case Op::I64Shl: case Op::I64ShrS: case Op::I64ShrU: case Op::I64Rotl: case Op::I64Rotr:
        shift(op, true); return true;
      case Op::I32DivS: case Op::I32DivU: case Op::I32RemS: case Op::I32RemU: divRem(op, false); return true;
      case Op::I64DivS: case Op::I64DivU: case Op::I64RemS: case Op::I64RemU: divRem(op, true); return true;
      case Op::I32Eq: case Op::I32Ne: case Op::I32LtS: case Op::I32LtU: case Op::I32GtS: case Op::I32GtU:
      case Op::I32LeS: case Op::I32LeU: case Op::I32GeS: case Op::I32GeU:
        intCompare(op, false); return true;
      case Op::I64Eq: case Op::I64Ne: case Op::I64LtS: case Op::I64LtU: case Op::I64GtS: case Op::I64GtU:
      case Op::I64LeS: case Op::I64LeU: case Op::I64GeS: case Op::I64GeU:
        intCompare(op, true); return true;
      case Op::I32Eqz: case Op::I64Eqz: {
        const uint8_t r = popReg(RegClass::Gp);
        materializeCond(a_.eqz(op == Op::I64Eqz, r), r);
        return true;
      }
      case Op::I32Clz: case Op::I32Ctz: case Op::I32Popcnt: case Op::I64Clz: case Op::I64Ctz: case Op::I64Popcnt: {
        if (!a_.hasBitCount(op)) return false;
        const bool is64 = op == Op::I64Clz || op == Op::I64Ctz || op == Op::I64Popcnt;
        const uint8_t r = popReg(RegClass::Gp);
        a_.bitCount(op, is64, r);
        push(VarState::inReg(is64 ? ValKind::I64 : ValKind::I32, r));
        return true;
      }
      case Op::I32WrapI64: case Op::I64ExtendI32U: case Op::I64ExtendI32S: case Op::I64Extend32S:
      case Op::I32Extend8S: case Op::I32Extend16S: case Op::I64Extend8S: case Op::I64Extend16S: {
        const uint8_t r = popReg(RegClass::Gp);
        a_.intUnary(op, r);
        push(VarState::inReg(op == Op::I32WrapI64 || op == Op::I32Extend8S || op == Op::I32Extend16S ? ValKind::I32
                                                                                                       : ValKind::I64,
                             r));
        return true;
      }
      // floats
      case Op::F32Add: case Op::F32Sub: case Op::F32Mul: case Op::F32Div:
      case Op::F64Add: case Op::F64Sub: case Op::F64Mul: case Op::F64Div: {
        const bool is64 = op == Op::F64Add || op == Op::F64Sub || op == Op::F64Mul || op == Op::F64Div;
        const uint8_t y = popRegRO(RegClass::Fp), x = popRegForUpdate(RegClass::Fp);
        a_.floatBinary(op, x, y);
        releaseRO(y);
        push(VarState::inReg(is64 ? ValKind::F64 : ValKind::F32, x));
        return true;
      }
      case Op::F32Eq: case Op::F32Ne: case Op::F32Lt: case Op::F32Gt: case Op::F32Le: case Op::F32Ge:
      case Op::F64Eq: case Op::F64Ne: case Op::F64Lt: case Op::F64Gt: case Op::F64Le: case Op::F64Ge: {
        const uint8_t y = popRegRO(RegClass::Fp), x = popRegRO(RegClass::Fp);
        a_.floatCompare(op, x, y);
        releaseRO(x);
        releaseRO(y);
        const uint8_t r = allocReg(RegClass::Gp);
        a_.floatCompareResult(r);
        push(VarState::inReg(ValKind::I32, r));
        return true;
      }
      case Op::F32Sqrt: case Op::F64Sqrt: case Op::F32Ceil: case Op::F32Floor: case Op::F32Trunc: case Op::F32Nearest:
      case Op::F64Ceil: case Op::F64Floor: case Op::F64Trunc: case Op::F64Nearest: {
        const bool is64 = op == Op::F64Sqrt || op == Op::F64Ceil || op == Op::F64Floor || op == Op::F64Trunc ||
                          op == Op::F64Nearest;
        const uint8_t x = popReg(RegClass::Fp);
        a_.floatUnary(op, x);
        push(VarState::inReg(is64 ? ValKind::F64 : ValKind::F32, x));
        return true;
      }
      case Op::F32Copysign: case Op::F64Copysign: {
        const bool is64 = op == Op::F64Copysign;
        const uint8_t y = popReg(RegClass::Fp), x = popReg(RegClass::Fp);
        a_.floatCopysign(is64, x, y);
        freeReg(y);
        push(VarState::inReg(is64 ? ValKind::F64 : ValKind::F32, x));
        return true;
      }
      case Op::F32Abs: case Op::F32Neg: case Op::F64Abs: case Op::F64Neg: {
        const uint8_t x = popReg(RegClass::Fp);
        a_.floatAbsNeg(op, x);
        push(VarState::inReg(op == Op::F64Abs || op == Op::F64Neg ? ValKind::F64 : ValKind::F32, x));
        return true;
      }
      case Op::F32ConvertI32S: case Op::F32ConvertI64S: case Op::F64ConvertI32S: case Op::F64ConvertI64S:
      case Op::F32ConvertI32U: case Op::F64ConvertI32U: {
        const bool to64 = op == Op::F64ConvertI32S || op == Op::F64ConvertI64S || op == Op::F64ConvertI32U;
        const uint8_t r = popReg(RegClass::Gp);
        const uint8_t x = allocReg(RegClass::Fp);
        a_.convertIntToFloat(op, x, r);
        freeReg(r);
        push(VarState::inReg(to64 ? ValKind::F64 : ValKind::F32, x));
        return true;
      }
      case Op::F32DemoteF64: case Op::F64PromoteF32: {
        const uint8_t x = popReg(RegClass::Fp);
        a_.floatConvert(op, x);
        push(VarState::inReg(op == Op::F32DemoteF64 ? ValKind::F32 : ValKind::F64, x));
        return true;
      }
      case Op::I32ReinterpretF32: case Op::I64ReinterpretF64: {
        const uint8_t x = popReg(RegClass::Fp);
        const uint8_t r = allocReg(RegClass::Gp);
        a_.fpToGp(op == Op::I64ReinterpretF64, r, x);
        freeReg(x);
        push(VarState::inReg(op == Op::I32ReinterpretF32 ? ValKind::I32 : ValKind::I64, r));
        return true;
      }
      case Op::F32ReinterpretI32: case Op::F64ReinterpretI64: {
        const uint8_t r = popReg(RegClass::Gp);
        const uint8_t x = allocReg(RegClass::Fp);
        a_.gpToFp(op == Op::F64ReinterpretI64, x, r);
        freeReg(r);
        push(VarState::inReg(op == Op::F32ReinterpretI32 ? ValKind::F32 : ValKind::F64, x));
        return true;
      }
      default: return false;
    }
  }
  void intBinary(Op op, bool is64) {
    const ValKind k = is64 ? ValKind::I64 : ValKind::I32;
    const VarState bv = vs_.back();
    if (bv.loc == Loc::Const && a_.intBinaryHasImm(op, is64, bv.bits)) {
      vs_.pop_back();
      const uint8_t x = popRegForUpdate(RegClass::Gp);
      a_.intBinaryImm(op, is64, x, bv.bits);
      push(VarState::inReg(k, x));
      return;
    }
    const uint8_t y = popRegRO(RegClass::Gp), x = popRegForUpdate(RegClass::Gp);
    a_.intBinary(op, is64, x, y);
    releaseRO(y);
    push(VarState::inReg(k, x));
  }
  void shift(Op op, bool is64) {
    const ValKind k = is64 ? ValKind::I64 : ValKind::I32;
    const VarState bv = vs_.back();
    if (bv.loc == Loc::Const) {
      vs_.pop_back();
      const uint8_t x = popRegForUpdate(RegClass::Gp);
      a_.shiftImm(op, is64, x, static_cast<uint32_t>(bv.bits & (is64 ? 63 : 31)));
      push(VarState::inReg(k, x));
      return;
    }
    const uint8_t y = popReg(RegClass::Gp), x = popReg(RegClass::Gp);
    a_.shift(op, is64, x, y);
    freeReg(y);
    push(VarState::inReg(k, x));
  }
  void divRem(Op op, bool is64) {
    const uint8_t y = popReg(RegClass::Gp), x = popReg(RegClass::Gp);
    a_.divRem(*this, op, is64, x, y);
    freeReg(y);
    push(VarState::inReg(is64 ? ValKind::I64 : ValKind::I32, x));
  }
  void intCompare(Op op, bool is64) {
    const VarState bv = vs_.back();
    uint8_t x;
    if (bv.loc == Loc::Const && a_.compareHasImm(is64, bv.bits)) {
      vs_.pop_back();
      x = popReg(RegClass::Gp);
      a_.compareImm(is64, x, bv.bits);
    } else {
      const uint8_t y = popRegRO(RegClass::Gp);
      x = popReg(RegClass::Gp);
      a_.compare(is64, x, y);
      releaseRO(y);
    }
    materializeCond(Masm::intCond(op), x);
  }
  // After a flag-setting compare: the i32 result into `x` (Masm::setCond), remembered so that an immediately
  // following br_if / if can drop it and branch on the flags (compare+branch fusion).
  void materializeCond(Cond cc, uint8_t x) {
    pending_.cmpEnd = a_.offset();
    a_.setCond(cc, x);
    pending_.end = a_.offset();
    pending_.reg = x;
    pending_.cc = cc;
    pending_.valid = true;
    push(VarState::inReg(ValKind::I32, x));
  }
  // Pops an i32 condition and returns the condition under which it is true (the flags are set on return; only
  // flag-neutral moves may be emitted before the branch).
  Cond popCondition() {
    const VarState& v = vs_.back();
    if (pending_.valid && v.loc == Loc::Reg && v.reg == pending_.reg && a_.offset() == pending_.end) {
      a_.setOffset(pending_.cmpEnd);  // drop the setCond; the compare's flags are still live
      pending_.valid = false;
      freeReg(v.reg);
      vs_.pop_back();
      return pending_.cc;
    }
    const uint8_t r = popReg(RegClass::Gp);
    const Cond cc = a_.testNonZero32(r);
    freeReg(r);
    return cc;
  }

  void unsupported(std::string_view what) {
    if (error_.empty()) error_ = "unsupported: " + std::string(what);
  }

  Instance& inst_;
  const Module& m_;
  Masm a_;
  std::vector<CallFixup>* fixups_ = nullptr;
  Reader* r_ = nullptr;
  ReusedStack<VarState> vs_;
  std::vector<Label> labels_;
  std::vector<ValKind> localKinds_;
  MLabel directEntry_, osrEntry_;
  std::shared_ptr<StackMaps> gcMaps_;  // GC stack maps of the function (null: its module holds no GC references)
  std::vector<int32_t> gcArgs_;       // gcSite(): the op's operand slots holding references
  bool osr_ = false;  // emit an OSR entry and record the loops' targets
  std::vector<OsrLoop> osrLoops_;
  std::vector<uint32_t> osrLoopLabels_;  // per osrLoops_ entry: its loop's Label index
  std::vector<uint32_t> loopStack_;      // Label indices of the live loops around the current instruction
  std::vector<Table> tables_;
  // local register cache
  std::vector<int16_t> localReg_;
  int32_t regLocal_[64] = {};
  uint64_t cachedRegs_ = 0;       // registers holding a cached local
  uint64_t pinned_ = 0;           // cached registers read by the instruction being compiled (popRegRO)
  size_t bodyEnd_ = 0;            // module offset of the function body's end (loop lookahead)
  std::vector<uint32_t> scanCounts_, scanPicks_;
  Instr scanInstr_;
  std::vector<Handler> handlers_;
  std::vector<uint32_t> tryStack_;  // active handlers (indices into handlers_), innermost last
  uint32_t catchBodies_ = 0;        // legacy catch bodies open around the current instruction
  RegSet gp_{Masm::kGpAllocatable}, fp_{Masm::kFpAllocatable};
  uint64_t bodyBytes_ = 0;
  uint32_t numParams_ = 0, numResults_ = 0, numLocals_ = 0, maxHeight_ = 0, numScratch_ = 0;
  size_t zeroOperands_ = SIZE_MAX, zeroOperandsBack_ = 0;  // the prologue's jump to the operand-slot clearing
  TrapStubs<MLabel> trapStubs_;
  std::vector<CodeSite>* sitesOut_ = nullptr;
  std::vector<CodeSite>* sites_ = nullptr;
  MLabel faultLanding_;
  uint32_t prologueOffset_ = 0;
  bool inPrologue_ = false;
  MLabel epilogue_, propagate_;
  std::string error_;
  struct FuelSite {
    size_t charge = 0;  // the fixup field of the jump to the charge (Masm::jumpIfFuelEnabled)
    size_t back = 0;  // code offset the charge returns to
    uint64_t bytes = 0;  // code bytes of the metered region (function body, or a loop)
  };
  std::vector<FuelSite> fuelSites_;
  struct TierUpSite {
    size_t jump = 0;  // the fixup field of the jump to the helper call (Masm::countDownTierUp)
    size_t back = 0;  // code offset the call returns to
    CacheState state;  // what the local cache holds there
    uint32_t loopOffset = kNoWasmOffset;  // a loop head's: the loop's wasm offset
  };
  std::vector<TierUpSite> tierUpSites_;
  bool tierUpCounters_ = false;  // countTierUp emits counts (reset())
  struct PendingCond {
    bool valid = false;
    size_t cmpEnd = 0, end = 0;  // code offsets: after the compare, after the setCond
    uint8_t reg = 0;
    Cond cc{};
  } pending_;
};

}  // namespace myrt::jit
