// jit/x64/compiler.cpp -- the x86-64 baseline compiler: CodeReader<Compiler, false> calls one hook per instruction and
// the hook emits machine code at once (single pass), tracking the operand stack as VarStates (jit/common/value_stack.h).
// Layer: jit/x64.
//
// Fixed registers inside JIT code (all callee-saved in the host ABI, so helpers and callees keep them):
//   r12 = ExecContext*   rbx = FuncInst* (this function, for trap frames)   r13 = fp (frame slot of local 0)
//   r14 = Instance* (== &Instance::data)   r15 = base of memory 0   [rsp] = io (the entry's argument/result buffer)
// Allocatable: GP rsi rdi r8-r11 rbp (values i32/i64/ref; i32 values keep the upper 32 bits zero), XMM0-13 (f32/f64
// and v128; a v128 spill/fill moves 16 bytes). Scratch: rax rcx rdx, xmm14 xmm15. SIMD ops are selected in simd.cpp
// (SSE4.1, VEX forms on AVX machines); the few without an inline form call the numeric helpers (docs/status.md).
// Every register holding a value is caller-saved from the wasm point of view: calls and helper calls spill the whole
// value stack first (values then sit in their home slots, which is also the merge state at control flow joins).
#include "jit/x64/compiler.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "jit/common/helpers.h"
#include "jit/common/value_stack.h"
#include "jit/x64/masm.h"
#include "jit/x64/simd.h"
#include "runtime/semantics/gc.h"
#include "runtime/valid/code_reader.h"

#pragma GCC diagnostic ignored "-Winvalid-offsetof"  // offsets into ExecContext / FuncInst (non-standard-layout)

namespace myrt::jit::x64 {

using namespace asmjit;
namespace a = asmjit::x86;

bool cpuSupported() {
  const CpuInfo& ci = CpuInfo::host();
  return ci.hasFeature(CpuFeatures::X86::kSSE4_1);
}

namespace {

constexpr uint64_t bitOf(uint32_t r) { return uint64_t(1) << r; }
constexpr uint64_t kGpAllocatable = bitOf(6) | bitOf(7) | bitOf(8) | bitOf(9) | bitOf(10) | bitOf(11) | bitOf(5);
constexpr uint64_t kFpAllocatable = ((uint64_t(1) << 14) - 1) << kFpBase;  // xmm0..xmm13

const a::Gp kCx = a::r12, kFn = a::rbx, kFp = a::r13, kInst = a::r14, kMem = a::r15;

// Offsets of the runtime fields JIT code touches.
const int32_t kOffDepth = static_cast<int32_t>(offsetof(ExecContext, depth));
const int32_t kOffMaxDepth = static_cast<int32_t>(offsetof(ExecContext, maxDepth));
const int32_t kOffSp = static_cast<int32_t>(offsetof(ExecContext, sp));
const int32_t kOffStackEnd = static_cast<int32_t>(offsetof(ExecContext, stackEnd));
const int32_t kOffInterrupt = static_cast<int32_t>(offsetof(ExecContext, interrupt));
const int32_t kOffCaller = static_cast<int32_t>(offsetof(ExecContext, caller));
const int32_t kOffFuelEnabled = static_cast<int32_t>(offsetof(ExecContext, fuelEnabled));
const int32_t kOffFuel = static_cast<int32_t>(offsetof(ExecContext, fuel));
const int32_t kOffStackLimit = static_cast<int32_t>(offsetof(ExecContext, stackLimit));
const int32_t kOffJitFrames = static_cast<int32_t>(offsetof(ExecContext, jitFrames));
const int32_t kOffEntry = static_cast<int32_t>(offsetof(FuncInst, entry));
const int32_t kOffInstance = static_cast<int32_t>(offsetof(FuncInst, instance));
const int32_t kOffJitDirect = static_cast<int32_t>(offsetof(FuncInst, jitDirectEntry));
const int32_t kOffMem0Base = static_cast<int32_t>(offsetof(InstanceData, memory0Base));
const int32_t kOffMem0 = static_cast<int32_t>(offsetof(InstanceData, memory0));
const int32_t kOffMemSize = static_cast<int32_t>(offsetof(MemoryInst, size));

class ErrorRecorder : public ErrorHandler {
 public:
  void handleError(asmjit::Error err, const char* message, BaseEmitter*) override {
    if (!failed) {
      failed = true;
      text = message ? message : DebugUtils::errorAsString(err);
    }
  }
  bool failed = false;
  std::string text;
};

class Compiler {
 public:
  using Reader = CodeReader<Compiler, false>;

  // One Compiler per ModuleCompiler, reused for each function: reset() before each.
  Compiler(Instance& inst, MacroAssembler& masm)
      : inst_(inst), m_(*inst.module), a_(masm), guarded_(!inst.memories.empty() && inst.memories[0]->guarded),
        simd_(masm, [this](const void* bytes) { return constant(bytes, 16); }) {}
  void setReader(Reader* r) { r_ = r; }
  const std::string& error() const { return error_; }
  asmjit::Label directEntry() const { return directEntry_; }
  // OSR (ModuleCompiler::OsrInfo): the entry (valid when the function has loops) and each loop's target.
  struct OsrLoop {
    uint32_t wasmOffset, slots;
    size_t target;  // code offset (the text section starts the code)
  };
  asmjit::Label osrEntry() const { return osrEntry_; }
  const std::vector<OsrLoop>& osrLoops() const { return osrLoops_; }

  // ---- function ----
  void onFuncStart(uint32_t funcIndex, const CompositeType& type) {
    const Func& f = m_.funcs[funcIndex];
    bodyBytes_ = f.body.size;
    numParams_ = static_cast<uint32_t>(type.params.size());
    numResults_ = static_cast<uint32_t>(type.results.size());
    numLocals_ = numParams_ + static_cast<uint32_t>(f.locals.size());
    for (ValType t : type.params) localKinds_.push_back(t.kind);
    for (ValType t : f.locals) localKinds_.push_back(t.kind);
    labels_.push_back(Label{});  // the function's (branches to it return: no label)
    frameBytes_ = a_.newLabel();
    scratchBytes_ = a_.newLabel();
    trapCommon_ = a_.newLabel();
    exhausted_ = a_.newLabel();
    exhaustedDepth_ = a_.newLabel();
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
    a_.xor_(a::eax, a::eax);
    const size_t exit = a_.offset();
    a_.mov(a::rcx, a::qword_ptr(kFp, -8));  // unlink the frame
    a_.mov(a::qword_ptr(kCx, kOffJitFrames), a::rcx);
    a_.mov(a::rcx, kFp);
    a_.sub(a::rcx, a::qword_ptr(scratchBytes_));
    a_.mov(a::qword_ptr(kCx, kOffSp), a::rcx);
    a_.dec(a::dword_ptr(kCx, kOffDepth));
    a_.bind(exhausted_);  // (entered with eax set, before depth/sp were touched)
    a_.add(a::rsp, 8);
    a_.pop(a::r13);
    a_.pop(a::rbx);
    a_.ret();
    // stack space exhausted after depth was counted
    a_.bind(exhaustedDepth_);
    a_.dec(a::dword_ptr(kCx, kOffDepth));
    a_.mov(a::eax, static_cast<uint32_t>(TrapReason::CallStackExhausted));
    a_.jmp(exhausted_);
    for (const FuelSite& f : fuelSites_) {  // fuel charges: cost is about one unit per two code bytes of the region
      a_.patchHere(f.charge);
      const uint64_t cost = std::max<uint64_t>(1, f.bytes / 2);  // known now: an immediate
      if (cost <= 0x7fffffffu) {
        a_.sub(a::qword_ptr(kCx, kOffFuel), static_cast<int32_t>(cost));
      } else {
        a_.mov(a::rax, cost);
        a_.sub(a::qword_ptr(kCx, kOffFuel), a::rax);
      }
      trapIf(a::CondCode::kS, TrapReason::FuelExhausted);
      a_.jmpBack(f.back);
    }
    // traps: each site sets ecx = its wasm offset, then its reason's stub sets edx = reason (a guarded access's fault
    // resumes at the MemoryOutOfBounds stub with ecx set by the signal handler)
    for (const TrapSite& t : trapSites_) {
      a_.patchChainHere(t.jumps);
      a_.mov(a::ecx, t.wasmOffset);
      a_.jmp(trapLabels_[t.reason]);
    }
    for (unsigned r = 0; r < kNumTrapReasons; ++r) {
      if (!trapLabels_[r].isValid()) continue;
      a_.bind(trapLabels_[r]);
      a_.mov(a::edx, r);
      a_.jmp(trapCommon_);
    }
    emitHandlers();
    a_.bind(trapCommon_);
    a_.mov(a::rdi, kCx);
    a_.mov(a::rsi, kFn);
    a_.callAbs(reinterpret_cast<const void*>(&trapHelper));
    a_.jmpBack(exit);
    // eax = a callee's / helper's trap, reached right after that call returned: its return address is still at
    // [rsp - 8] (below rsp, inside the red zone that signal delivery leaves alone) and maps to the call's offset
    if (propagate_.isValid()) {
      a_.bind(propagate_);
      a_.mov(a::edx, a::eax);
      a_.mov(a::rcx, a::qword_ptr(a::rsp, -8));
      a_.mov(a::rdi, kCx);
      a_.mov(a::rsi, kFn);
      a_.callAbs(reinterpret_cast<const void*>(&callTrapHelper));
      a_.jmpBack(exit);
    }
    if (!osrLoops_.empty()) emitOsrEntry();
    // br_table jump tables (32-bit offsets relative to the table)
    for (const Table& t : tables_) {
      a_.align(AlignMode::kData, 4);
      a_.bind(t.label);
      for (const asmjit::Label& e : t.entries) a_.embedLabelDelta(e, t.label, 4);
    }
    for (const Constant& k : constants_) {
      a_.align(AlignMode::kData, 16);
      a_.bind(k.label);
      a_.embed(k.bytes.data(), k.bytes.size());
    }
    // frame constants read by the prologue / epilogue
    a_.align(AlignMode::kData, 8);
    const uint64_t slots = numLocals_ + maxHeight_ + 1;
    a_.bind(frameBytes_);
    a_.embedUInt64(slots * 16);
    a_.bind(scratchBytes_);
    a_.embedUInt64(uint64_t(numScratch_) * 16);
  }

  // ---- control ----
  void onUnreachable() {
    if (failed()) return;
    if (labels_[r_->control(0).user].dead) return;
    trapJmp(TrapReason::Unreachable);
  }
  void onNop() {}
  void onBlock(const Instr&, ControlEntry& c) {
    openBlock(c, live(1));
  }
  void onLoop(const Instr&, ControlEntry& c) {
    openBlock(c, live(1));
    if (failed()) return;
    Label& l = labels_[c.user];
    if (l.dead) return;
    a_.bind(l.head);
    l.fuelSite = pollInterrupt();
    l.startOffset = c.offset;
    // OSR target: after the poll (the interpreter's back-edge polled). Here every value is in its home slot and only
    // the fixed registers hold state -- what the OSR entry sets up. Not inside a legacy catch body: its exception
    // (rethrow) lives in a scratch slot the interpreter's frame does not have.
    if (osr_ && catchBodies_ == 0)
      osrLoops_.push_back({static_cast<uint32_t>(c.offset), numLocals_ + c.height + c.numParams, fuelSites_[l.fuelSite].back});
  }
  void onIf(const Instr&, ControlEntry& c) {
    const bool wasLive = live(1);
    a::CondCode cc = a::CondCode::kNE;
    if (wasLive) cc = popCondition();  // the condition sits above the params; flags live until the jump
    openBlock(c, wasLive);
    if (failed()) return;
    Label& l = labels_[c.user];
    l.elseL = a_.newLabel();
    if (l.dead) return;
    // Params of an `if` must survive the then-branch for the else-branch: keep copies in scratch slots.
    for (uint32_t i = 0; i < c.numParams; ++i) {
      const uint32_t s = numScratch_++;
      l.savedParams.push_back(s);
      a_.copyValue(scratchMem(s), slotMem(c.height + i), c.params()[i].kind == ValKind::V128);
    }
    a_.j(a::negateCond(cc), l.elseL);
  }
  void onElse(ControlEntry& c) {
    if (failed()) return;
    Label& l = labels_[c.user];
    if (!l.dead) {
      if (!c.unreachable) {
        spillAll();
        a_.jmp(endOf(l));
      }
      a_.bind(l.elseL);
      l.elseBound = true;
      for (uint32_t i = 0; i < l.savedParams.size(); ++i) a_.copyValue(slotMem(c.height + i), scratchMem(l.savedParams[i]), c.params()[i].kind == ValKind::V128);
    }
    resetTo(c.height, c.params());
  }
  void onEnd(ControlEntry& c) {
    if (failed()) return;
    Label& l = labels_[c.user];
    if (c.kind == CtrlKind::TryTable || c.kind == CtrlKind::Try) closeHandler(l);  // (a try without catches)
    if (l.inCatch) --catchBodies_;
    if (l.fuelSite != SIZE_MAX) fuelSites_[l.fuelSite].bytes = r_->instr().offset - l.startOffset;
    if (!l.dead) {
      if (!c.unreachable) {
        if (c.kind == CtrlKind::Func) emitReturn(static_cast<uint32_t>(vs_.size()), /*fallthrough=*/true);
        else spillAll();
      }
      if (c.kind == CtrlKind::If && !l.elseBound) a_.bind(l.elseL);
      if (c.kind != CtrlKind::Loop && c.kind != CtrlKind::Func) bindEnd(l);
    }
    resetTo(c.height, c.results());
  }
  void onBr(uint32_t, ControlEntry& target) {
    if (!live()) return sync();
    spillAll();
    branchTo(target, static_cast<uint32_t>(vs_.size()));
  }
  void onBrIf(uint32_t, ControlEntry& target) {
    if (!live()) return sync();
    const a::CondCode cc = popCondition();
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
    a_.mov(a::eax, gpd(idx));
    freeReg(idx);
    a_.mov(a::ecx, n);
    a_.cmp(a::eax, a::ecx);
    a_.cmova(a::eax, a::ecx);
    a_.lea(a::rcx, a::ptr(t.label));
    a_.movsxd(a::rax, a::dword_ptr(a::rcx, a::rax, 2));
    a_.add(a::rax, a::rcx);
    a_.jmp(a::rax);
    std::vector<std::pair<uint32_t, asmjit::Label>> stubs;
    for (uint32_t depth : in.targets) {
      ControlEntry& target = r_->control(depth);
      if (target.kind != CtrlKind::Func && !needsMoves(target, top)) {
        t.entries.push_back(labelOf(target));
        continue;
      }
      auto it = std::find_if(stubs.begin(), stubs.end(), [&](auto& s) { return s.first == depth; });
      if (it != stubs.end()) {
        t.entries.push_back(it->second);
        continue;
      }
      asmjit::Label stub = a_.newLabel();
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
    a_.cmp(slotMem(top - 1), 0);
    branchIf(a::CondCode::kE, target, top - 1);
  }
  // br_on_non_null: [t* ref]; taken (carrying t* ref) when ref is non-null, else the ref is dropped.
  void onBrOnNonNull(uint32_t, ControlEntry& target, ValType) {
    if (!live()) return sync();
    spillAll();
    const uint32_t top = static_cast<uint32_t>(vs_.size());
    a_.cmp(slotMem(top - 1), 0);
    branchIf(a::CondCode::kNE, target, top);
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
    spillAll();
    const uint32_t b = static_cast<uint32_t>(vs_.size()) - n;
    maxHeight_ = std::max<uint32_t>(maxHeight_, b + 1);
    a_.mov(a::rdi, kCx);
    a_.mov(a::rsi, reinterpret_cast<uint64_t>(inst_.tags[tagIndex]));
    a_.lea(a::rdx, slotMem(b));
    a_.mov(a::ecx, n);
    a_.callAbs(reinterpret_cast<const void*>(&throwHelper));
    a_.jmp(excTarget());
  }
  void onThrowRef() {
    if (!live()) return sync();
    spillAll();
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
      if (!k.toFunc) k.target = labelOf(t);
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
    }
    resetTo(c.height, c.results());
  }
  void onRethrow(uint32_t, ControlEntry& target) {
    if (!live()) return sync();
    const Label& l = labels_[target.user];
    if (l.dead || l.exnScratch == UINT32_MAX) return unsupported("rethrow");
    spillAll();
    emitThrowRef(scratchMem(l.exnScratch));
  }
  // GC: i31 references (tagged, store.h i31Ref: value << 1 | 1) and the any/extern conversions (the same reference)
  // inline; struct/array objects and ref.test/ref.cast through semantics::gcStep on the spilled operands (its
  // operand words of semantics/gc.h, embedded after the code); br_on_cast/br_on_cast_fail are not compiled yet.
  void onGc(const Instr& in) {
    switch (in.op) {
      case Op::AnyConvertExtern: case Op::ExternConvertAny: return;
      case Op::RefI31: {
        if (!live()) return sync();
        const uint8_t r = popReg(RegClass::Gp);
        a_.and_(gpd(r), 0x7fffffff);
        a_.add(gpd(r), gpd(r));
        a_.or_(gpd(r), 1);
        push(VarState::inReg(ValKind::Ref, r));
        return;
      }
      case Op::I31GetS: case Op::I31GetU: {
        if (!live()) return sync();
        const uint8_t r = popReg(RegClass::Gp);
        a_.test(gpq(r), gpq(r));
        trapIf(a::CondCode::kZ, TrapReason::NullI31Reference);
        if (in.op == Op::I31GetS) a_.sar(gpd(r), 1);  // bit 30 of the value is bit 31 of the tagged word
        else a_.shr(gpd(r), 1);
        push(VarState::inReg(ValKind::I32, r));
        return;
      }
      case Op::BrOnCast: case Op::BrOnCastFail: {  // a ref.test into the slot above the stack, then the branch
        if (!live()) return sync();
        spillAll();
        const uint32_t top = static_cast<uint32_t>(vs_.size());
        maxHeight_ = std::max<uint32_t>(maxHeight_, top + 1);
        emitGcStep(Op::RefTest, semantics::gcImmediates(in, m_, inst_.typeIds), top, top - 1, 1);
        a_.cmp(slotMem(top).cloneResized(4), 0);
        branchIf(in.op == Op::BrOnCast ? a::CondCode::kNE : a::CondCode::kE, r_->control(in.idx), top);
        return;
      }
      default: {
        if (!live()) return sync();
        spillAll();
        const semantics::GcImms im = semantics::gcImmediates(in, m_, inst_.typeIds);
        const uint32_t after = static_cast<uint32_t>(r_->stack().size());  // the reader's stack after the op
        const uint32_t nIn = static_cast<uint32_t>(vs_.size()) - (after - (im.result ? 1 : 0));
        const uint32_t b = static_cast<uint32_t>(vs_.size()) - nIn;
        maxHeight_ = std::max<uint32_t>(maxHeight_, b + 1);
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
        a_.test(gpd(cond), gpd(cond));
        if (k == ValKind::I32) a_.cmovz(gpd(x), gpd(b));
        else a_.cmovz(gpq(x), gpq(b));
        freeReg(b);
        push(VarState::inReg(k, x));
        break;
      }
      case RegClass::Fp: {
        const uint8_t b = popReg(RegClass::Fp), x = popReg(RegClass::Fp);
        asmjit::Label keep = a_.newLabel();
        a_.test(gpd(cond), gpd(cond));
        a_.jnz(keep);
        a_.movaps(xmm(x), xmm(b));
        a_.bind(keep);
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
  void onLocalSet(uint32_t idx, ValType) {
    if (!live()) return sync();
    const uint32_t top = static_cast<uint32_t>(vs_.size()) - 1;
    materializeLocal(idx, top);
    const VarState v = vs_.back();
    if (!(v.loc == Loc::Local && v.local == idx)) storeTo(v, top, localMem(idx));
    dropTop();
  }
  void onLocalTee(uint32_t idx, ValType) {
    if (!live()) return sync();
    const uint32_t top = static_cast<uint32_t>(vs_.size()) - 1;
    materializeLocal(idx, top);
    const VarState v = vs_.back();
    if (!(v.loc == Loc::Local && v.local == idx)) storeTo(v, top, localMem(idx));
  }
  void onGlobalGet(uint32_t idx, const GlobalType& gt) {
    if (!live()) return sync();
    GlobalInst* g = inst_.globals[idx];
    const ValKind k = gt.type.kind;
    a_.mov(a::rax, reinterpret_cast<uint64_t>(&g->value));
    const uint8_t r = allocReg(regClassOf(k));
    loadFromMem(k, r, a::ptr(a::rax));
    push(VarState::inReg(k, r));
  }
  void onGlobalSet(uint32_t idx, const GlobalType& gt) {
    if (!live()) return sync();
    GlobalInst* g = inst_.globals[idx];
    const uint32_t top = static_cast<uint32_t>(vs_.size()) - 1;
    const VarState v = vs_.back();
    if (v.loc == Loc::Reg || v.loc == Loc::Const) {
      a_.mov(a::rcx, reinterpret_cast<uint64_t>(&g->value));
      storeTo(v, top, a::ptr(a::rcx));
    } else {
      a_.mov(a::rcx, reinterpret_cast<uint64_t>(&g->value));
      a_.copyValue(a::ptr(a::rcx), v.loc == Loc::Local ? localMem(v.local) : slotMem(top), v.kind == ValKind::V128);
    }
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
        simd_.constant(xmm(r), in.bytes);
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
    const a::Mem m = effectiveAddress(ar, in, addr, size);
    uint8_t dst = ar;
    if (regClassOf(rk) == RegClass::Fp) {
      dst = allocReg(RegClass::Fp);
      freeReg(ar);
    }
    const a::Gp d32 = gpd(dst), d64 = gpq(dst);
    beginFaultSite();
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
    const uint8_t v = popReg(regClassOf(vk));
    const uint8_t ar = popReg(RegClass::Gp);
    const a::Mem m = effectiveAddress(ar, in, addr, size);
    beginFaultSite();
    if (vk == ValKind::F32) a_.movss(m.cloneResized(4), xmm(v));
    else if (vk == ValKind::F64) a_.movsd(m.cloneResized(8), xmm(v));
    else if (size == 1) a_.mov(m.cloneResized(1), gpb(v));
    else if (size == 2) a_.mov(m.cloneResized(2), a::gpw(v));
    else if (size == 4) a_.mov(m.cloneResized(4), gpd(v));
    else a_.mov(m.cloneResized(8), gpq(v));
    endFaultSite();
    freeReg(v);
    freeReg(ar);
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
    a_.test(gpq(r), gpq(r));
    a_.sete(a::al);
    a_.movzx(gpd(r), a::al);
    push(VarState::inReg(ValKind::I32, r));
  }
  void onRefFunc(uint32_t idx, ValType) {
    if (!live()) return sync();
    push(VarState::constant(ValKind::Ref, reinterpret_cast<uint64_t>(inst_.funcs[idx])));
  }
  void onRefAsNonNull(ValType) {
    if (!live()) return sync();
    const uint8_t r = popReg(RegClass::Gp);
    a_.test(gpq(r), gpq(r));
    trapIf(a::CondCode::kZ, TrapReason::NullReference);
    push(VarState::inReg(ValKind::Ref, r));
  }
  void onRefEq() {
    if (!live()) return sync();
    const uint8_t b = popReg(RegClass::Gp), x = popReg(RegClass::Gp);
    a_.cmp(gpq(x), gpq(b));
    a_.sete(a::al);
    a_.movzx(gpd(x), a::al);
    freeReg(b);
    push(VarState::inReg(ValKind::I32, x));
  }

 private:
  struct Label {
    bool dead = false;
    bool handlerOpen = false;       // try_table / legacy try: its handler is on tryStack_
    bool inCatch = false;           // legacy try: in its catch bodies (counted in catchBodies_)
    uint32_t handler = UINT32_MAX;  // try_table / legacy try: index in handlers_
    uint32_t exnScratch = UINT32_MAX;  // legacy try: the scratch slot holding the caught exception (rethrow)
    bool elseBound = false;
    size_t fuelSite = SIZE_MAX;  // loops: their fuel site; startOffset: the loop instruction's code offset
    size_t startOffset = 0;
    asmjit::Label end, head, elseL;
    std::vector<uint32_t> savedParams;
  };
  struct Table {
    asmjit::Label label;
    std::vector<asmjit::Label> entries;
  };

  // ---- frame addressing ----
  a::Mem slotMem(uint32_t pos) const { return a::qword_ptr(kFp, static_cast<int32_t>(16 * (numLocals_ + pos))); }
  a::Mem localMem(uint32_t i) const { return a::qword_ptr(kFp, static_cast<int32_t>(16 * i)); }
  a::Mem scratchMem(uint32_t s) const { return a::qword_ptr(kFp, -static_cast<int32_t>(16 * (s + 1))); }

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
  RegSet& setOf(uint8_t reg) { return reg >= kFpBase ? fp_ : gp_; }
  void freeReg(uint8_t reg) { setOf(reg).release(reg); }
  uint8_t allocReg(RegClass c) {
    RegSet& s = c == RegClass::Fp ? fp_ : gp_;
    if (!s.hasFree()) {
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
  void loadFromMem(ValKind k, uint8_t r, const a::Mem& src) {
    switch (k) {
      case ValKind::I32: a_.mov(gpd(r), src.cloneResized(4)); break;
      case ValKind::F32: a_.movss(xmm(r), src.cloneResized(4)); break;
      case ValKind::F64: a_.movsd(xmm(r), src.cloneResized(8)); break;
      case ValKind::V128: a_.movups(xmm(r), src.cloneResized(16)); break;
      default: a_.mov(gpq(r), src.cloneResized(8)); break;
    }
  }
  // Loads value `v` (at stack position pos) into register r (not the value's own register).
  void loadTo(const VarState& v, uint32_t pos, uint8_t r) {
    switch (v.loc) {
      case Loc::Reg:
        if (v.reg == r) return;
        if (r >= kFpBase) a_.movaps(xmm(r), xmm(v.reg));
        else if (v.kind == ValKind::I32) a_.mov(gpd(r), gpd(v.reg));
        else a_.mov(gpq(r), gpq(v.reg));
        return;
      case Loc::Stack: return loadFromMem(v.kind, r, slotMem(pos));
      case Loc::Local: return loadFromMem(v.kind, r, localMem(v.local));
      case Loc::Const:
        if (r >= kFpBase) {
          if (v.bits == 0) {
            a_.xorps(xmm(r), xmm(r));
          } else {
            a_.mov(a::rax, v.bits);
            if (v.kind == ValKind::F32) a_.movd(xmm(r), a::eax);
            else a_.movq(xmm(r), a::rax);
          }
        } else {
          a_.loadImm64(gpq(r), v.bits);
        }
        return;
    }
  }
  // Writes value `v` (at stack position pos) to memory `dst` (a Value slot); does not change its state.
  void storeTo(const VarState& v, uint32_t pos, const a::Mem& dst) {
    switch (v.loc) {
      case Loc::Reg:
        if (v.reg >= kFpBase) {
          if (v.kind == ValKind::F32) a_.movss(dst.cloneResized(4), xmm(v.reg));
          else if (v.kind == ValKind::V128) a_.movups(dst.cloneResized(16), xmm(v.reg));
          else a_.movsd(dst.cloneResized(8), xmm(v.reg));
        } else {
          a_.mov(dst.cloneResized(8), gpq(v.reg));
        }
        return;
      case Loc::Const:
        if (v.kind == ValKind::I32 || v.kind == ValKind::F32) a_.storeImm64(dst, static_cast<uint32_t>(v.bits));
        else a_.storeImm64(dst, v.bits);
        return;
      case Loc::Local:
        if (v.kind == ValKind::V128) {
          a_.copy16(dst, localMem(v.local));
        } else {
          a_.mov(a::rax, localMem(v.local));
          a_.mov(dst.cloneResized(8), a::rax);
        }
        return;
      case Loc::Stack:
        if (v.kind == ValKind::V128) {
          a_.copy16(dst, slotMem(pos));
        } else {
          a_.mov(a::rax, slotMem(pos));
          a_.mov(dst.cloneResized(8), a::rax);
        }
        return;
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
  asmjit::Label labelOf(const ControlEntry& t) {
    Label& l = labels_[t.user];
    return t.kind == CtrlKind::Loop ? l.head : endOf(l);
  }
  // A block's end label, created lazily: most blocks are never branched to, and an asmjit label costs ~170 host
  // instructions to create and bind. bindEnd binds it only if some jump was emitted to it.
  asmjit::Label endOf(Label& l) {
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
    a_.jmp(labelOf(t));
  }
  // A conditional branch on flags `cc` (set by the caller; everything spilled) to `t` with its values below `top`.
  void branchIf(a::CondCode cc, ControlEntry& t, uint32_t top) {
    if (t.kind != CtrlKind::Func && !needsMoves(t, top)) {
      a_.j(cc, labelOf(t));
      return;
    }
    const size_t skip = a_.jFwd(a::negateCond(cc));
    branchTo(t, top);
    a_.patchHere(skip);
  }
  // Writes the results (stack positions [top-r, top)) to io and leaves through the epilogue. Does not change vs_.
  void emitReturn(uint32_t top, bool fallthrough) {
    const uint32_t r = numResults_;
    if (r) a_.mov(a::rdx, a::qword_ptr(a::rsp));
    for (uint32_t i = 0; i < r; ++i) {
      const uint32_t pos = top - r + i;
      const a::Mem dst = a::qword_ptr(a::rdx, static_cast<int32_t>(16 * i));
      const VarState& v = vs_[pos];
      if (v.loc == Loc::Local || v.loc == Loc::Stack) {
        const a::Mem src = v.loc == Loc::Local ? localMem(v.local) : slotMem(pos);
        a_.copyValue(dst, src, v.kind == ValKind::V128);
      } else {
        storeTo(v, pos, dst);
      }
    }
    if (!fallthrough) a_.jmp(epilogue());
  }
  // Function entries and loop headers: the interrupt flag, and fuel when metered (an out-of-line charge of the
  // region's cost, emitted by finish() when the region's size is known). Returns the fuel site's index.
  size_t pollInterrupt() {
    a_.mov(a::rax, a::qword_ptr(kCx, kOffInterrupt));
    a_.cmp(a::dword_ptr(a::rax), 0);
    trapIf(a::CondCode::kNZ, TrapReason::Interrupted);
    FuelSite site;
    a_.cmp(a::byte_ptr(kCx, kOffFuelEnabled), 0);
    site.charge = a_.jFwd(a::CondCode::kNE);
    site.back = a_.offset();
    fuelSites_.push_back(site);
    return fuelSites_.size() - 1;
  }
  // Data embedded after the code (16-byte aligned), addressed rip-relative.
  asmjit::Label constant(const void* data, size_t n) {
    for (const Constant& k : constants_)  // SIMD masks repeat within a function: embed each once
      if (k.bytes.size() == n && std::memcmp(k.bytes.data(), data, n) == 0) return k.label;
    Constant k;
    k.label = a_.newLabel();
    k.bytes.assign(static_cast<const uint8_t*>(data), static_cast<const uint8_t*>(data) + n);
    constants_.push_back(std::move(k));
    return constants_.back().label;
  }
  // ---- exception handlers ----
  struct Catch {
    bool tagged = false;  // catch / catch_ref (else catch_all / catch_all_ref)
    bool toFunc = false;  // the target is the function's label: the values are the results (io), then return
    uint32_t flags = 0;   // catchHelper: 1 payload, 2 exnref
    uint32_t dstPos = 0;  // stack position of the target's first value
    uint32_t exnScratch = UINT32_MAX;  // legacy catch: scratch slot receiving the exception
    TagInst* tag = nullptr;
    asmjit::Label target;
  };
  struct Handler {
    asmjit::Label dispatch;
    uint32_t block = 0;  // Label index (ControlEntry::user) of the try_table / try
    int32_t next = -1;   // handler tried when no clause matches (-1: leave the function)
    std::vector<Catch> catches;
  };
  // Where a call or throw at this point goes with a non-zero result: the innermost active handler, or out.
  asmjit::Label excTarget() { return tryStack_.empty() ? propagate() : handlers_[tryStack_.back()].dispatch; }
  // Created by the first jump to them (finish() emits the code behind propagate_ only then): a leaf function needs
  // neither, and an asmjit label costs ~170 host instructions.
  asmjit::Label propagate() {
    if (!propagate_.isValid()) propagate_ = a_.newLabel();
    return propagate_;
  }
  asmjit::Label epilogue() {
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
    const int32_t offExn = static_cast<int32_t>(offsetof(ExecContext, exception));
    const int32_t offTag = static_cast<int32_t>(offsetof(ExnObject, tag));
    for (const Handler& h : handlers_) {
      a_.bind(h.dispatch);
      a_.cmp(a::eax, static_cast<uint32_t>(TrapReason::UncaughtException));
      a_.jne(propagate());
      a_.mov(a::rcx, a::qword_ptr(kCx, offExn));
      a_.test(a::rcx, a::rcx);
      a_.jz(propagate());
      for (const Catch& k : h.catches) {
        asmjit::Label next = a_.newLabel();
        if (k.tagged) {
          a_.mov(a::rdx, reinterpret_cast<uint64_t>(k.tag));
          a_.cmp(a::qword_ptr(a::rcx, offTag), a::rdx);
          a_.jne(next);
        }
        if (k.exnScratch != UINT32_MAX) a_.mov(scratchMem(k.exnScratch), a::rcx);
        a_.mov(a::rdi, kCx);
        if (k.toFunc) a_.mov(a::rsi, a::qword_ptr(a::rsp));
        else a_.lea(a::rsi, slotMem(k.dstPos));
        a_.mov(a::edx, k.flags);
        a_.callAbs(reinterpret_cast<const void*>(&catchHelper));
        a_.jmp(k.toFunc ? epilogue() : k.target);
        a_.bind(next);
      }
      a_.jmp(h.next < 0 ? propagate() : handlers_[h.next].dispatch);
    }
  }
  // semantics::gcStep on operand words laid out as semantics/gc.h says (slot indices relative to fp, embedded after the code):
  // result at stack position `dst` (when im.result), `nIn` operands at positions [b, b+nIn) (spilled).
  void emitGcStep(Op op, const semantics::GcImms& im, uint32_t dst, uint32_t b, uint32_t nIn) {
    uint32_t w[12] = {0, 0, static_cast<uint32_t>(op), im.result ? numLocals_ + dst : 0};
    for (uint32_t k = 0; k < std::min<uint32_t>(nIn, 5); ++k) w[4 + k] = numLocals_ + b + k;
    for (uint32_t k = 0; k < 3; ++k) w[9 + k] = im.imm[k];
    a_.mov(a::rdi, kCx);
    a_.mov(a::rsi, kFp);
    a_.lea(a::rdx, a::ptr(constant(w, sizeof w)));
    a_.mov(a::rcx, kInst);
    a_.callAbs(reinterpret_cast<const void*>(&semantics::gcStep));
    recordSite();  // (a trap, never an exception: straight out)
    a_.test(a::eax, a::eax);
    a_.jnz(propagate());
  }
  // throw_ref of the exnref at `src` (rethrow: the legacy catch's scratch slot).
  void emitThrowRef(const a::Mem& src) {
    a_.mov(a::rdi, kCx);
    a_.lea(a::rsi, src);
    a_.callAbs(reinterpret_cast<const void*>(&throwRefHelper));
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
  }

  // The out-of-line trap of reason `r` at the current instruction: one small stub per (reason, instruction) that
  // passes the instruction's wasm offset to the reason's shared stub.
  // The jumps to a stub are patched when finish() emits it (MacroAssembler::jFwd): no label per site.
  void trapIf(a::CondCode cc, TrapReason r) { addTrapJump(r, a_.jFwd(cc)); }
  void trapJmp(TrapReason r) { addTrapJump(r, a_.jmpFwd()); }
  void addTrapJump(TrapReason r, size_t field) {
    const uint32_t off = wasmOffset();
    const uint8_t reason = static_cast<uint8_t>(r);
    if (field == SIZE_MAX) return;  // (the assembler reported an error)
    for (auto it = trapSites_.rbegin(); it != trapSites_.rend() && it->wasmOffset == off; ++it) {
      if (it->reason == reason) {
        a_.chainFwd(field, it->jumps);
        it->jumps = field;
        return;
      }
    }
    asmjit::Label& shared = trapLabels_[reason];
    if (!shared.isValid()) shared = a_.newLabel();
    trapSites_.push_back(TrapSite{field, off, reason});
  }
  // The module offset of the instruction being compiled (the function's first instruction in the prologue).
  uint32_t wasmOffset() const { return inPrologue_ ? prologueOffset_ : static_cast<uint32_t>(r_->instr().offset); }
  // Code map (ModuleCompiler::sites): the current machine offset belongs to the instruction being compiled.
  void recordSite() {
    if (sites_) sites_->push_back({static_cast<uint32_t>(a_.offset()), wasmOffset()});
  }
  // After a call of a callee or helper returning a TrapReason in eax: the return address is a site; a trap goes to
  // the innermost exception handler or propagate_ (which finds the call's offset through the return address: the
  // handlers' dispatch code in between makes no call and writes nothing below rsp).
  void checkCallResult() {
    recordSite();
    a_.test(a::eax, a::eax);
    a_.jnz(excTarget());
  }
  // Around the code of an unchecked access to a guarded memory (one instruction, or a SIMD sequence): a fault at a PC
  // in [begin, end) resumes at the MemoryOutOfBounds stub with the access's offset. `end` closes the range with an
  // entry of unknown offset, so other PCs are never taken for the access.
  void beginFaultSite() {
    if (!sites_ || !guardedAccess_) return;
    recordSite();
    asmjit::Label& l = trapLabels_[static_cast<unsigned>(TrapReason::MemoryOutOfBounds)];
    if (!l.isValid()) l = a_.newLabel();
    faultLanding_ = l;
  }
  void endFaultSite() {
    if (sites_ && guardedAccess_) sites_->push_back({static_cast<uint32_t>(a_.offset()), kNoWasmOffset});
  }

 public:
  // Where a fault of a guarded access resumes (invalid if the function has none).
  asmjit::Label faultLanding() const { return faultLanding_; }
  void setSitesOut(std::vector<ModuleCompiler::Site>* out) { sitesOut_ = out; }

 private:

  // ---- prologue ----
  // The full entry (host ABI: rdi = cx, rsi = FuncInst*, rdx = io) saves the callee-saved registers that stay the same
  // across a direct call within the instance (r12 cx, r14 instance, r15 memory base; rbp holds no value at a call,
  // everything is spilled), sets them, and calls the direct entry at ModuleCompiler::kDirectEntryOffset, which saves
  // only rbx and r13.
  void prologue() {
    directEntry_ = a_.newLabel();
    fullEntry(directEntry_);
    a_.bind(directEntry_);
    frameSetup();
    // params from io, declared locals zeroed
    for (uint32_t i = 0; i < numParams_; ++i)
      a_.copyValue(localMem(i), a::qword_ptr(a::rdx, static_cast<int32_t>(16 * i)), localKinds_[i] == ValKind::V128);
    if (numLocals_ > numParams_) {
      a_.xorps(a::xmm15, a::xmm15);
      const uint32_t n = numLocals_ - numParams_;
      if (n <= 16) {
        for (uint32_t i = numParams_; i < numLocals_; ++i) a_.movups(localMem(i), a::xmm15);
      } else {
        a_.lea(a::rax, localMem(numParams_));
        a_.mov(a::ecx, n);
        asmjit::Label loop = a_.newLabel();
        a_.bind(loop);
        a_.movups(a::ptr(a::rax), a::xmm15);
        a_.add(a::rax, 16);
        a_.dec(a::ecx);
        a_.jnz(loop);
      }
    }
    fuelSites_[pollInterrupt()].bytes = bodyBytes_;
  }
  // The full entry's wrapper (host ABI) around a call of `direct`: saves r12/r14/r15 (and rbp) and sets them.
  void fullEntry(asmjit::Label direct) {
    a_.push(a::rbp);
    a_.push(a::r12);
    a_.push(a::r14);
    a_.push(a::r15);
    a_.sub(a::rsp, 8);
    a_.mov(kCx, a::rdi);
    a_.mov(kInst, a::qword_ptr(a::rsi, kOffInstance));
    a_.mov(kMem, a::qword_ptr(kInst, kOffMem0Base));
    a_.call(direct);
    a_.add(a::rsp, 8);
    a_.pop(a::r15);
    a_.pop(a::r14);
    a_.pop(a::r12);
    a_.pop(a::rbp);
    a_.ret();
  }
  // The OSR entry (ModuleCompiler::OsrInfo): rcx = target, r8 = slots to copy from io. The frame setup keeps r8/r9.
  void emitOsrEntry() {
    osrEntry_ = a_.newLabel();
    asmjit::Label direct = a_.newLabel(), copy = a_.newLabel(), go = a_.newLabel();
    a_.bind(osrEntry_);
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
  // The direct entry's frame setup (rsi = FuncInst*, rdx = io, kept): saves rbx/r13 and io, checks the native stack,
  // the call depth and the value stack, links the frame. Uses rax/rcx only.
  void frameSetup() {
    a_.push(a::rbx);
    a_.push(a::r13);
    a_.push(a::rdx);  // io at [rsp]; rsp is now 16-byte aligned
    a_.mov(kFn, a::rsi);
    a_.mov(a::eax, static_cast<uint32_t>(TrapReason::CallStackExhausted));
    a_.cmp(a::rsp, a::qword_ptr(kCx, kOffStackLimit));
    a_.jb(exhausted_);
    a_.mov(a::ecx, a::dword_ptr(kCx, kOffDepth));
    a_.cmp(a::ecx, a::dword_ptr(kCx, kOffMaxDepth));
    a_.jae(exhausted_);
    a_.inc(a::ecx);
    a_.mov(a::dword_ptr(kCx, kOffDepth), a::ecx);
    a_.mov(kFp, a::qword_ptr(kCx, kOffSp));
    a_.add(kFp, a::qword_ptr(scratchBytes_));
    a_.mov(a::rcx, kFp);
    a_.add(a::rcx, a::qword_ptr(frameBytes_));
    a_.cmp(a::rcx, a::qword_ptr(kCx, kOffStackEnd));
    a_.ja(exhaustedDepth_);
    a_.mov(a::qword_ptr(kCx, kOffSp), a::rcx);
    // frame link in scratch slot 0: [fp-16] = FuncInst*, [fp-8] = previous link
    a_.mov(a::qword_ptr(kFp, -16), kFn);
    a_.mov(a::rcx, a::qword_ptr(kCx, kOffJitFrames));
    a_.mov(a::qword_ptr(kFp, -8), a::rcx);
    a_.lea(a::rcx, a::ptr(kFp, -16));
    a_.mov(a::qword_ptr(kCx, kOffJitFrames), a::rcx);
  }

  // ---- calls ----
  // rsi = callee FuncInst*; arguments in slots [b, b+np) (spilled). Results land in the same slots.
  void emitCallEntry(uint32_t b, const CompositeType& ft, uint32_t directCallee = UINT32_MAX) {
    const uint32_t np = static_cast<uint32_t>(ft.params.size());
    const uint32_t nr = static_cast<uint32_t>(ft.results.size());
    maxHeight_ = std::max<uint32_t>(maxHeight_, b + std::max(np, nr));
    a_.mov(a::rdi, kCx);
    a_.lea(a::rdx, slotMem(b));
    if (directCallee == UINT32_MAX) a_.mov(a::qword_ptr(kCx, kOffCaller), kInst);  // read by host functions only
    if (directCallee != UINT32_MAX) {
      a_.db(0xE8);  // call rel32, patched by the linker (ModuleCompiler::CallFixup)
      fixups_->push_back({static_cast<uint32_t>(a_.offset()), directCallee});
      a_.dd(0);
    } else {
      a_.call(a::qword_ptr(a::rsi, kOffEntry));
    }
    checkCallResult();
    for (uint32_t i = 0; i < np; ++i) vs_.pop_back();
    for (ValType t : ft.results) push(VarState::stack(t.kind));
  }
  void callFunc(uint32_t funcIndex, const CompositeType& ft, bool tail) {
    if (!live()) return sync();
    const uint32_t np = static_cast<uint32_t>(ft.params.size());
    const uint32_t b = static_cast<uint32_t>(vs_.size()) - np;
    spillAll();
    FuncInst* callee = inst_.funcs[funcIndex];
    a_.mov(a::rsi, reinterpret_cast<uint64_t>(callee));
    // same instance: a direct call to its machine code (patched at link time), no activation / entry indirection
    const bool direct = callee->instance == &inst_ && funcIndex >= m_.numImportedFuncs && fixups_;
    emitCall(b, ft, direct ? funcIndex : UINT32_MAX, tail);
  }
  void callIndirect(uint32_t typeIndex, uint32_t tableIndex, const CompositeType& ft, bool tail) {
    if (!live()) return sync();
    const uint32_t np = static_cast<uint32_t>(ft.params.size());
    const uint32_t b = static_cast<uint32_t>(vs_.size()) - np - 1;
    spillAll();
    emitIndirectCallee(b + np, typeIndex, tableIndex);
    vs_.pop_back();
    emitCall(b, ft, UINT32_MAX, tail);
  }
  void callRef(const CompositeType& ft, bool tail) {
    if (!live()) return sync();
    const uint32_t np = static_cast<uint32_t>(ft.params.size());
    const uint32_t b = static_cast<uint32_t>(vs_.size()) - np - 1;
    spillAll();
    a_.mov(a::rsi, slotMem(b + np));
    a_.test(a::rsi, a::rsi);
    trapIf(a::CondCode::kZ, TrapReason::NullFunctionReference);
    vs_.pop_back();
    emitCall(b, ft, UINT32_MAX, tail);
  }
  void emitCall(uint32_t b, const CompositeType& ft, uint32_t directCallee, bool tail) {
    if (tail) emitTailCall(b, ft, directCallee);
    else emitCallEntry(b, ft, directCallee);
  }
  // call_indirect's callee: the table index in slot `pos` (spilled) resolved by indirectHelper into rsi.
  void emitIndirectCallee(uint32_t pos, uint32_t typeIndex, uint32_t tableIndex) {
    const bool t64 = tableIndex < m_.tables.size() && m_.tables[tableIndex].type.limits.is64;
    a_.mov(a::rdi, kCx);
    a_.mov(a::rsi, kFn);
    a_.lea(a::rdx, slotMem(pos));
    a_.mov(a::ecx, typeIndex);
    a_.mov(a::r8d, tableIndex | (t64 ? 0x80000000u : 0));
    a_.callAbs(reinterpret_cast<const void*>(&indirectHelper));
    recordSite();  // (a trap of the call, never an exception: straight out)
    a_.test(a::eax, a::eax);
    a_.jnz(propagate());
    a_.mov(a::rsi, slotMem(pos));
  }
  // A tail call: rsi = callee FuncInst*; arguments in slots [b, b+np) (spilled). Every caller hands its callee the
  // value stack from io upwards (the interpreter runs a frame at io itself), so the arguments move down to this
  // function's io (a forward copy: io lies below this frame), the frame is unlinked as in the epilogue, and the callee
  // gets cx.sp = max(this function's entry sp, io + its max(params, results)): a loop of tail calls runs in constant
  // value stack and native stack (the callee is jumped to with this function's return address on top). Same-instance
  // callees are entered at their direct entry (r12/r14/r15 stay valid), others through FuncInst::entry (host ABI; the
  // callee returns to this function's caller, which only relies on callee-saved registers). The frame disappears
  // from backtraces, as in the interpreter.
  void emitTailCall(uint32_t b, const CompositeType& ft, uint32_t directCallee = UINT32_MAX) {
    const uint32_t np = static_cast<uint32_t>(ft.params.size());
    const uint32_t n = std::max<uint32_t>(np, static_cast<uint32_t>(ft.results.size()));
    maxHeight_ = std::max<uint32_t>(maxHeight_, b + np);
    a_.mov(a::rdx, a::qword_ptr(a::rsp));  // io
    a_.lea(a::rcx, a::ptr(a::rdx, static_cast<int32_t>(16 * n)));
    if (n > std::max(numParams_, numResults_)) {  // more than the caller provided room for: within the stack?
      a_.cmp(a::rcx, a::qword_ptr(kCx, kOffStackEnd));
      trapIf(a::CondCode::kA, TrapReason::CallStackExhausted);
    }
    for (uint32_t i = 0; i < np; ++i)
      a_.copyValue(a::qword_ptr(a::rdx, static_cast<int32_t>(16 * i)), slotMem(b + i), ft.params[i].kind == ValKind::V128);
    a_.mov(a::rax, kFp);
    a_.sub(a::rax, a::qword_ptr(scratchBytes_));  // this function's entry sp
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
    if (directCallee != UINT32_MAX) {
      a_.db(0xE9);  // jmp rel32, patched by the linker (ModuleCompiler::CallFixup)
      fixups_->push_back({static_cast<uint32_t>(a_.offset()), directCallee});
      a_.dd(0);
      return;
    }
    // a compiled function of this instance (reached through a table or a reference): its direct entry
    asmjit::Label viaEntry = a_.newLabel();
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
  // A bulk memory/table op through bulkHelper: `nIn` operands (spilled) at the top, `nOut` (0/1) result.
  void bulk(Op op, uint32_t nIn, uint32_t nOut, uint32_t immA, uint32_t immB) {
    spillAll();
    const uint32_t b = static_cast<uint32_t>(vs_.size()) - nIn;
    maxHeight_ = std::max<uint32_t>(maxHeight_, b + 1);
    a_.mov(a::rdi, kCx);
    a_.mov(a::rsi, kFn);
    a_.lea(a::rdx, slotMem(b));
    a_.mov(a::ecx, static_cast<uint32_t>(op));
    a_.mov(a::r8d, immA);
    a_.mov(a::r9d, immB);
    a_.callAbs(reinterpret_cast<const void*>(&bulkHelper));
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
    spillAll();
    const uint32_t b = static_cast<uint32_t>(vs_.size()) - sig.numParams;
    maxHeight_ = std::max<uint32_t>(maxHeight_, b + 1);
    a_.lea(a::rdi, slotMem(b));
    a_.mov(a::esi, static_cast<uint32_t>(in.lane));
    if (opInfo(in.op).imm == ImmKind::Shuffle) {  // the mask is embedded after the code
      a_.lea(a::rdx, a::ptr(constant(in.bytes, 16)));
    }
    a_.callAbs(reinterpret_cast<const void*>(fn));
    checkCallResult();
    for (uint32_t i = 0; i < sig.numParams; ++i) vs_.pop_back();
    if (sig.numResults) push(VarState::stack(sig.results[0]));
  }

  // ---- SIMD (instruction selection in simd.cpp; here: operands, registers, bounds checks) ----
  void simdLoad(const Instr& in, ValType addr) {
    const bool lane = opInfo(in.op).imm == ImmKind::MemArgLane;
    uint8_t dst = lane ? popReg(RegClass::Fp) : allocReg(RegClass::Fp);  // load*_lane: [addr v128]
    const uint8_t ar = popReg(RegClass::Gp);
    const a::Mem m = effectiveAddress(ar, in, addr, SimdEmitter::accessSize(in.op));
    freeReg(ar);
    beginFaultSite();
    simd_.load(in.op, xmm(dst), m, in.lane);
    endFaultSite();
    push(VarState::inReg(ValKind::V128, dst));
  }
  void simdStore(const Instr& in, ValType addr) {
    const uint8_t v = popReg(RegClass::Fp);
    const uint8_t ar = popReg(RegClass::Gp);
    const a::Mem m = effectiveAddress(ar, in, addr, SimdEmitter::accessSize(in.op));
    beginFaultSite();
    simd_.store(in.op, m, xmm(v), in.lane);
    endFaultSite();
    freeReg(v);
    freeReg(ar);
  }
  // A SIMD value op inline; false: not one, or no inline form on this CPU (then the numeric helper).
  bool emitSimd(const Instr& in) {
    const OpInfo& info = opInfo(in.op);
    if (info.prefix != 0xFD || !simd_.inlined(in.op)) return false;
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
        simd_.constant(xmm(r), bytes);
        push(VarState::inReg(ValKind::V128, r));
        return true;
      }
      if (regClassOf(sig.params[0]) == RegClass::Fp) {
        const uint8_t x = popReg(RegClass::Fp);
        simd_.splat(op, xmm(x), a::Gp());
        push(VarState::inReg(ValKind::V128, x));
        return true;
      }
      const uint8_t g = popReg(RegClass::Gp);
      const uint8_t x = allocReg(RegClass::Fp);
      simd_.splat(op, xmm(x), gpq(g));
      freeReg(g);
      push(VarState::inReg(ValKind::V128, x));
      return true;
    }
    if (info.imm == ImmKind::Lane && rk == ValKind::V128) {  // replace_lane: [v128 scalar]
      const RegClass sc = regClassOf(sig.params[1]);
      const uint8_t s = popReg(sc);
      const uint8_t x = popReg(RegClass::Fp);
      if (sc == RegClass::Fp) simd_.replaceLane(op, xmm(x), a::Gp(), xmm(s), in.lane);
      else simd_.replaceLane(op, xmm(x), gpq(s), a::Xmm(), in.lane);
      freeReg(s);
      push(VarState::inReg(ValKind::V128, x));
      return true;
    }
    if (rk == ValKind::V128 && sig.numParams == 2 && sig.params[1] == ValKind::I32) {  // shifts: [v128 count]
      const VarState cv = vs_.back();
      if (cv.loc == Loc::Const) {
        vs_.pop_back();
        const uint8_t x = popReg(RegClass::Fp);
        simd_.shift(op, xmm(x), a::Gp(), static_cast<uint32_t>(cv.bits));
        push(VarState::inReg(ValKind::V128, x));
        return true;
      }
      const uint8_t c = popReg(RegClass::Gp);
      const uint8_t x = popReg(RegClass::Fp);
      simd_.shift(op, xmm(x), gpq(c), 0);
      freeReg(c);
      push(VarState::inReg(ValKind::V128, x));
      return true;
    }
    if (rk != ValKind::V128) {  // [v128] -> scalar
      const uint8_t x = popReg(RegClass::Fp);
      if (op == Op::V128AnyTrue || op == Op::I8x16AllTrue || op == Op::I16x8AllTrue || op == Op::I32x4AllTrue ||
          op == Op::I64x2AllTrue) {
        const a::CondCode cc = simd_.test(op, xmm(x));
        freeReg(x);
        materializeCond(cc, allocReg(RegClass::Gp));  // br_if / if on it branch on the flags
        return true;
      }
      if (regClassOf(rk) == RegClass::Fp) {  // f32x4 / f64x2 extract_lane: in place
        simd_.extractFloat(op, xmm(x), in.lane);
        push(VarState::inReg(rk, x));
        return true;
      }
      const uint8_t r = allocReg(RegClass::Gp);
      simd_.toGp(op, gpq(r), xmm(x), in.lane);
      freeReg(x);
      push(VarState::inReg(rk, r));
      return true;
    }
    uint8_t regs[3] = {0, 0, 0};  // all operands v128
    const unsigned n = sig.numParams;
    for (unsigned i = n; i-- > 0;) regs[i] = popReg(RegClass::Fp);
    auto reg = [&](unsigned i) { return i < n ? xmm(regs[i]) : a::Xmm(); };
    const a::Xmm r = simd_.vector(op, reg(0), reg(1), reg(2), in.bytes);
    const uint8_t rc = static_cast<uint8_t>(r.id() + kFpBase);
    for (unsigned i = 0; i < n; ++i)
      if (regs[i] != rc) freeReg(regs[i]);
    push(VarState::inReg(ValKind::V128, rc));
    return true;
  }

  // ---- memory ----
  // Bounds check of [addr+offset, +size) against memory 0's current size; returns the operand [r15 + rax]
  // (guarded memory 0: no check, [r15 + address register + offset]).
  // Memory 0 with i32 addresses uses r15 (its base); other memories (multi-memory) and i64 addresses (memory64) use
  // the MemoryInst's base as a constant (bases never move) and always check bounds unless guarded.
  a::Mem effectiveAddress(uint8_t ar, const Instr& in, ValType addrType, unsigned size) {
    const uint64_t offset = in.mem.offset;
    if (in.mem.memory != 0 || addrType.kind == ValKind::I64) {
      MemoryInst* mem = inst_.memories[in.mem.memory];
      const bool is64 = addrType.kind == ValKind::I64;
      if (is64) a_.mov(a::rax, gpq(ar));
      else a_.mov(a::eax, gpd(ar));
      if (!is64 && mem->guarded && offset <= 0x7fffffffu) {
        a_.mov(a::rdx, reinterpret_cast<uint64_t>(mem->base));
        guardedAccess_ = true;
        return a::ptr(a::rdx, a::rax, 0, static_cast<int32_t>(offset));
      }
      guardedAccess_ = false;
      if (offset > UINT64_MAX - size) trapJmp(TrapReason::MemoryOutOfBounds);  // always out of bounds
      a_.mov(a::rcx, offset + size);
      a_.add(a::rcx, a::rax);  // end of the access; a carry means it wrapped past 2^64
      trapIf(a::CondCode::kC, TrapReason::MemoryOutOfBounds);
      a_.mov(a::rdx, reinterpret_cast<uint64_t>(&mem->size));
      a_.cmp(a::rcx, a::qword_ptr(a::rdx));
      trapIf(a::CondCode::kA, TrapReason::MemoryOutOfBounds);
      if (offset) {
        a_.mov(a::rcx, offset);
        a_.add(a::rax, a::rcx);
      }
      a_.mov(a::rdx, reinterpret_cast<uint64_t>(mem->base));
      return a::ptr(a::rdx, a::rax);
    }
    guardedAccess_ = guarded_ && offset <= 0x7fffffffu;
    if (guardedAccess_) {  // a fault in the reservation's guard region becomes the trap
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
    trapIf(a::CondCode::kA, TrapReason::MemoryOutOfBounds);
    return a::ptr(kMem, a::rax);
  }

  // ---- numeric ops emitted inline; false: use the helper ----
  bool isSmallConst(const VarState& v, bool is64) const {
    if (v.loc != Loc::Const) return false;
    if (!is64) return true;
    const int64_t s = static_cast<int64_t>(v.bits);
    return s >= INT32_MIN && s <= INT32_MAX;
  }
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
        if (op == Op::I32Eqz) a_.test(gpd(r), gpd(r));
        else a_.test(gpq(r), gpq(r));
        materializeCond(a::CondCode::kE, r);
        return true;
      }
      case Op::I32Clz: case Op::I32Ctz: case Op::I32Popcnt: case Op::I64Clz: case Op::I64Ctz: case Op::I64Popcnt:
        return bitCount(op);
      case Op::I32WrapI64: case Op::I64ExtendI32U: {
        const uint8_t r = popReg(RegClass::Gp);
        a_.mov(gpd(r), gpd(r));
        push(VarState::inReg(op == Op::I32WrapI64 ? ValKind::I32 : ValKind::I64, r));
        return true;
      }
      case Op::I64ExtendI32S: case Op::I64Extend32S: {
        const uint8_t r = popReg(RegClass::Gp);
        a_.movsxd(gpq(r), gpd(r));
        push(VarState::inReg(ValKind::I64, r));
        return true;
      }
      case Op::I32Extend8S: case Op::I32Extend16S: case Op::I64Extend8S: case Op::I64Extend16S: {
        const uint8_t r = popReg(RegClass::Gp);
        const bool is64 = op == Op::I64Extend8S || op == Op::I64Extend16S;
        const a::Gp src = (op == Op::I32Extend8S || op == Op::I64Extend8S) ? a::Gp(gpb(r)) : a::Gp(a::gpw(r));
        if (is64) a_.movsx(gpq(r), src);
        else a_.movsx(gpd(r), src);
        push(VarState::inReg(is64 ? ValKind::I64 : ValKind::I32, r));
        return true;
      }
      // floats
      case Op::F32Add: case Op::F32Sub: case Op::F32Mul: case Op::F32Div:
      case Op::F64Add: case Op::F64Sub: case Op::F64Mul: case Op::F64Div:
        floatBinary(op); return true;
      case Op::F32Eq: case Op::F32Ne: case Op::F32Lt: case Op::F32Gt: case Op::F32Le: case Op::F32Ge:
      case Op::F64Eq: case Op::F64Ne: case Op::F64Lt: case Op::F64Gt: case Op::F64Le: case Op::F64Ge:
        floatCompare(op); return true;
      case Op::F32Sqrt: case Op::F64Sqrt: case Op::F32Ceil: case Op::F32Floor: case Op::F32Trunc: case Op::F32Nearest:
      case Op::F64Ceil: case Op::F64Floor: case Op::F64Trunc: case Op::F64Nearest:
        floatUnary(op); return true;
      case Op::F32Abs: case Op::F32Neg: case Op::F64Abs: case Op::F64Neg: case Op::F32Copysign:
      case Op::F64Copysign:
        floatSign(op); return true;
      case Op::F32ConvertI32S: case Op::F32ConvertI64S: case Op::F64ConvertI32S: case Op::F64ConvertI64S:
      case Op::F32ConvertI32U: case Op::F64ConvertI32U: {
        const bool src64 = op == Op::F32ConvertI64S || op == Op::F64ConvertI64S || op == Op::F32ConvertI32U ||
                           op == Op::F64ConvertI32U;  // u32 sources are zero-extended: convert as i64
        const bool to64 = op == Op::F64ConvertI32S || op == Op::F64ConvertI64S || op == Op::F64ConvertI32U;
        const uint8_t r = popReg(RegClass::Gp);
        const uint8_t x = allocReg(RegClass::Fp);
        a_.xorps(xmm(x), xmm(x));
        if (to64) a_.cvtsi2sd(xmm(x), src64 ? gpq(r) : gpd(r));
        else a_.cvtsi2ss(xmm(x), src64 ? gpq(r) : gpd(r));
        freeReg(r);
        push(VarState::inReg(to64 ? ValKind::F64 : ValKind::F32, x));
        return true;
      }
      case Op::F32DemoteF64: case Op::F64PromoteF32: {
        const uint8_t x = popReg(RegClass::Fp);
        if (op == Op::F32DemoteF64) a_.cvtsd2ss(xmm(x), xmm(x));
        else a_.cvtss2sd(xmm(x), xmm(x));
        push(VarState::inReg(op == Op::F32DemoteF64 ? ValKind::F32 : ValKind::F64, x));
        return true;
      }
      case Op::I32ReinterpretF32: case Op::I64ReinterpretF64: {
        const uint8_t x = popReg(RegClass::Fp);
        const uint8_t r = allocReg(RegClass::Gp);
        if (op == Op::I32ReinterpretF32) a_.movd(gpd(r), xmm(x));
        else a_.movq(gpq(r), xmm(x));
        freeReg(x);
        push(VarState::inReg(op == Op::I32ReinterpretF32 ? ValKind::I32 : ValKind::I64, r));
        return true;
      }
      case Op::F32ReinterpretI32: case Op::F64ReinterpretI64: {
        const uint8_t r = popReg(RegClass::Gp);
        const uint8_t x = allocReg(RegClass::Fp);
        if (op == Op::F32ReinterpretI32) a_.movd(xmm(x), gpd(r));
        else a_.movq(xmm(x), gpq(r));
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
    if (isSmallConst(bv, is64) && op != Op::I32Mul && op != Op::I64Mul) {
      vs_.pop_back();
      const uint8_t x = popReg(RegClass::Gp);
      const a::Gp d = is64 ? gpq(x) : gpd(x);
      const auto imm = asmjit::imm(is64 ? static_cast<int64_t>(bv.bits) : static_cast<int64_t>(static_cast<int32_t>(bv.bits)));
      switch (op) {
        case Op::I32Add: case Op::I64Add: a_.add(d, imm); break;
        case Op::I32Sub: case Op::I64Sub: a_.sub(d, imm); break;
        case Op::I32And: case Op::I64And: a_.and_(d, imm); break;
        case Op::I32Or: case Op::I64Or: a_.or_(d, imm); break;
        default: a_.xor_(d, imm); break;
      }
      push(VarState::inReg(k, x));
      return;
    }
    const uint8_t y = popReg(RegClass::Gp), x = popReg(RegClass::Gp);
    const a::Gp d = is64 ? gpq(x) : gpd(x), s = is64 ? gpq(y) : gpd(y);
    switch (op) {
      case Op::I32Add: case Op::I64Add: a_.add(d, s); break;
      case Op::I32Sub: case Op::I64Sub: a_.sub(d, s); break;
      case Op::I32Mul: case Op::I64Mul: a_.imul(d, s); break;
      case Op::I32And: case Op::I64And: a_.and_(d, s); break;
      case Op::I32Or: case Op::I64Or: a_.or_(d, s); break;
      default: a_.xor_(d, s); break;
    }
    freeReg(y);
    push(VarState::inReg(k, x));
  }
  void shift(Op op, bool is64) {
    const ValKind k = is64 ? ValKind::I64 : ValKind::I32;
    const VarState bv = vs_.back();
    if (bv.loc == Loc::Const) {
      vs_.pop_back();
      const uint8_t x = popReg(RegClass::Gp);
      const a::Gp d = is64 ? gpq(x) : gpd(x);
      const auto imm = asmjit::imm(static_cast<uint32_t>(bv.bits & (is64 ? 63 : 31)));
      switch (op) {
        case Op::I32Shl: case Op::I64Shl: a_.shl(d, imm); break;
        case Op::I32ShrS: case Op::I64ShrS: a_.sar(d, imm); break;
        case Op::I32ShrU: case Op::I64ShrU: a_.shr(d, imm); break;
        case Op::I32Rotl: case Op::I64Rotl: a_.rol(d, imm); break;
        default: a_.ror(d, imm); break;
      }
      push(VarState::inReg(k, x));
      return;
    }
    const uint8_t y = popReg(RegClass::Gp), x = popReg(RegClass::Gp);
    const a::Gp d = is64 ? gpq(x) : gpd(x);
    a_.mov(a::ecx, gpd(y));
    switch (op) {
      case Op::I32Shl: case Op::I64Shl: a_.shl(d, a::cl); break;
      case Op::I32ShrS: case Op::I64ShrS: a_.sar(d, a::cl); break;
      case Op::I32ShrU: case Op::I64ShrU: a_.shr(d, a::cl); break;
      case Op::I32Rotl: case Op::I64Rotl: a_.rol(d, a::cl); break;
      default: a_.ror(d, a::cl); break;
    }
    freeReg(y);
    push(VarState::inReg(k, x));
  }
  void divRem(Op op, bool is64) {
    const ValKind k = is64 ? ValKind::I64 : ValKind::I32;
    const uint8_t y = popReg(RegClass::Gp), x = popReg(RegClass::Gp);
    const a::Gp d = is64 ? gpq(x) : gpd(x), s = is64 ? gpq(y) : gpd(y);
    const a::Gp ax = is64 ? a::Gp(a::rax) : a::Gp(a::eax), dx = is64 ? a::Gp(a::rdx) : a::Gp(a::edx);
    const bool isSigned = op == Op::I32DivS || op == Op::I32RemS || op == Op::I64DivS || op == Op::I64RemS;
    const bool isRem = op == Op::I32RemS || op == Op::I32RemU || op == Op::I64RemS || op == Op::I64RemU;
    a_.test(s, s);
    trapIf(a::CondCode::kZ, TrapReason::IntegerDivideByZero);
    asmjit::Label done = a_.newLabel();
    if (isSigned) {
      asmjit::Label normal = a_.newLabel();
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
        trapIf(a::CondCode::kE, TrapReason::IntegerOverflow);
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
    freeReg(y);
    push(VarState::inReg(k, x));
  }
  static a::CondCode intCond(Op op) {
    switch (op) {
      case Op::I32Eq: case Op::I64Eq: return a::CondCode::kE;
      case Op::I32Ne: case Op::I64Ne: return a::CondCode::kNE;
      case Op::I32LtS: case Op::I64LtS: return a::CondCode::kL;
      case Op::I32LtU: case Op::I64LtU: return a::CondCode::kB;
      case Op::I32GtS: case Op::I64GtS: return a::CondCode::kG;
      case Op::I32GtU: case Op::I64GtU: return a::CondCode::kA;
      case Op::I32LeS: case Op::I64LeS: return a::CondCode::kLE;
      case Op::I32LeU: case Op::I64LeU: return a::CondCode::kBE;
      case Op::I32GeS: case Op::I64GeS: return a::CondCode::kGE;
      default: return a::CondCode::kAE;
    }
  }
  void intCompare(Op op, bool is64) {
    const VarState bv = vs_.back();
    uint8_t x;
    if (isSmallConst(bv, is64)) {
      vs_.pop_back();
      x = popReg(RegClass::Gp);
      const auto imm = asmjit::imm(is64 ? static_cast<int64_t>(bv.bits) : static_cast<int64_t>(static_cast<int32_t>(bv.bits)));
      if (is64) a_.cmp(gpq(x), imm);
      else a_.cmp(gpd(x), imm);
    } else {
      const uint8_t y = popReg(RegClass::Gp);
      x = popReg(RegClass::Gp);
      if (is64) a_.cmp(gpq(x), gpq(y));
      else a_.cmp(gpd(x), gpd(y));
      freeReg(y);
    }
    materializeCond(intCond(op), x);
  }
  // After a flag-setting compare: the i32 result into `x` via setcc, remembered so that an immediately following
  // br_if / if can drop the setcc and branch on the flags (compare+branch fusion).
  void materializeCond(a::CondCode cc, uint8_t x) {
    pending_.cmpEnd = a_.offset();
    a_.set(cc, a::al);
    a_.movzx(gpd(x), a::al);
    pending_.end = a_.offset();
    pending_.reg = x;
    pending_.cc = cc;
    pending_.valid = true;
    push(VarState::inReg(ValKind::I32, x));
  }
  // Pops an i32 condition and returns the flag condition under which it is true (the flags are set on return; only
  // flag-neutral moves may be emitted before the branch).
  a::CondCode popCondition() {
    const VarState& v = vs_.back();
    if (pending_.valid && v.loc == Loc::Reg && v.reg == pending_.reg && a_.offset() == pending_.end) {
      a_.setOffset(pending_.cmpEnd);  // drop setcc + movzx; the compare's flags are still live
      pending_.valid = false;
      freeReg(v.reg);
      vs_.pop_back();
      return pending_.cc;
    }
    const uint8_t r = popReg(RegClass::Gp);
    a_.test(gpd(r), gpd(r));
    freeReg(r);
    return a::CondCode::kNE;
  }
  bool bitCount(Op op) {
    const CpuInfo& ci = CpuInfo::host();
    const bool is64 = op == Op::I64Clz || op == Op::I64Ctz || op == Op::I64Popcnt;
    if ((op == Op::I32Clz || op == Op::I64Clz) && !ci.hasFeature(CpuFeatures::X86::kLZCNT)) return false;
    if ((op == Op::I32Ctz || op == Op::I64Ctz) && !ci.hasFeature(CpuFeatures::X86::kBMI)) return false;
    if ((op == Op::I32Popcnt || op == Op::I64Popcnt) && !ci.hasFeature(CpuFeatures::X86::kPOPCNT)) return false;
    const uint8_t r = popReg(RegClass::Gp);
    const a::Gp d = is64 ? gpq(r) : gpd(r);
    if (op == Op::I32Clz || op == Op::I64Clz) a_.lzcnt(d, d);
    else if (op == Op::I32Ctz || op == Op::I64Ctz) a_.tzcnt(d, d);
    else a_.popcnt(d, d);
    push(VarState::inReg(is64 ? ValKind::I64 : ValKind::I32, r));
    return true;
  }
  void floatBinary(Op op) {
    const bool is64 = op == Op::F64Add || op == Op::F64Sub || op == Op::F64Mul || op == Op::F64Div;
    const uint8_t y = popReg(RegClass::Fp), x = popReg(RegClass::Fp);
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
    freeReg(y);
    push(VarState::inReg(is64 ? ValKind::F64 : ValKind::F32, x));
  }
  void floatCompare(Op op) {
    const bool is64 = op >= Op::F64Eq && op <= Op::F64Ge;
    const uint8_t y = popReg(RegClass::Fp), x = popReg(RegClass::Fp);
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
    freeReg(x);
    freeReg(y);
    const uint8_t r = allocReg(RegClass::Gp);
    a_.movzx(gpd(r), a::al);
    push(VarState::inReg(ValKind::I32, r));
  }
  void floatUnary(Op op) {
    const bool is64 = op == Op::F64Sqrt || op == Op::F64Ceil || op == Op::F64Floor || op == Op::F64Trunc ||
                      op == Op::F64Nearest;
    const uint8_t x = popReg(RegClass::Fp);
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
    push(VarState::inReg(is64 ? ValKind::F64 : ValKind::F32, x));
  }
  void floatSign(Op op) {
    const bool is64 = op == Op::F64Abs || op == Op::F64Neg || op == Op::F64Copysign;
    const ValKind k = is64 ? ValKind::F64 : ValKind::F32;
    // bit operations in GP registers: NaN payloads pass unchanged
    if (op == Op::F32Copysign || op == Op::F64Copysign) {
      const uint8_t y = popReg(RegClass::Fp), x = popReg(RegClass::Fp);
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
      freeReg(y);
      push(VarState::inReg(k, x));
      return;
    }
    const uint8_t x = popReg(RegClass::Fp);
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
    push(VarState::inReg(k, x));
  }

  void unsupported(std::string_view what) {
    if (error_.empty()) error_ = "unsupported: " + std::string(what);
  }

 public:
  // Before each function: every piece of per-function state back to its initial value (vectors keep their capacity,
  // labels are invalid: they belonged to the previous function's CodeHolder). The members below this point are all
  // either reset here, set again by onFuncStart, or fixed per instance (inst_, m_, a_, guarded_, r_, sitesOut_, simd_).
  void reset(std::vector<ModuleCompiler::CallFixup>* fixups, bool osr) {
    fixups_ = fixups;
    osr_ = osr;
    vs_.clear();
    labels_.clear();
    localKinds_.clear();
    directEntry_ = osrEntry_ = asmjit::Label();
    osrLoops_.clear();
    tables_.clear();
    handlers_.clear();
    tryStack_.clear();
    catchBodies_ = 0;
    gp_ = RegSet(kGpAllocatable);
    fp_ = RegSet(kFpAllocatable);
    bodyBytes_ = 0;
    numParams_ = numResults_ = numLocals_ = maxHeight_ = 0;
    numScratch_ = 1;  // scratch slot 0: the frame link
    for (auto& l : trapLabels_) l = asmjit::Label();
    trapSites_.clear();
    sites_ = nullptr;
    faultLanding_ = asmjit::Label();
    prologueOffset_ = 0;
    inPrologue_ = guardedAccess_ = false;
    frameBytes_ = scratchBytes_ = epilogue_ = trapCommon_ = propagate_ = exhausted_ = exhaustedDepth_ = asmjit::Label();
    error_.clear();
    fuelSites_.clear();
    pending_ = PendingCond{};
    constants_.clear();
  }

 private:
  Instance& inst_;
  const Module& m_;
  MacroAssembler& a_;
  std::vector<ModuleCompiler::CallFixup>* fixups_ = nullptr;
  const bool guarded_;  // memory 0 has a guard-page reservation: accesses need no bounds check
  Reader* r_ = nullptr;
  ReusedStack<VarState> vs_;
  std::vector<Label> labels_;
  std::vector<ValKind> localKinds_;
  asmjit::Label directEntry_, osrEntry_;
  bool osr_ = false;  // emit an OSR entry and record the loops' targets
  std::vector<OsrLoop> osrLoops_;
  std::vector<Table> tables_;
  std::vector<Handler> handlers_;
  std::vector<uint32_t> tryStack_;  // active handlers (indices into handlers_), innermost last
  uint32_t catchBodies_ = 0;        // legacy catch bodies open around the current instruction
  RegSet gp_{kGpAllocatable}, fp_{kFpAllocatable};
  uint64_t bodyBytes_ = 0;
  uint32_t numParams_ = 0, numResults_ = 0, numLocals_ = 0, maxHeight_ = 0, numScratch_ = 0;
  asmjit::Label trapLabels_[kNumTrapReasons];  // shared per reason: edx = reason, then trapCommon_
  struct TrapSite {
    size_t jumps;  // the rel32 field of the last jump to the stub, chained to the others (MacroAssembler::chainFwd)
    uint32_t wasmOffset;
    uint8_t reason;
  };
  std::vector<TrapSite> trapSites_;
  std::vector<ModuleCompiler::Site>* sitesOut_ = nullptr;
  std::vector<ModuleCompiler::Site>* sites_ = nullptr;
  asmjit::Label faultLanding_;
  uint32_t prologueOffset_ = 0;
  bool inPrologue_ = false;
  bool guardedAccess_ = false;  // the last effectiveAddress() is an unchecked access to a guarded memory
  asmjit::Label frameBytes_, scratchBytes_, epilogue_, trapCommon_, propagate_, exhausted_, exhaustedDepth_;
  std::string error_;
  struct FuelSite {
    size_t charge = 0;  // the rel32 field of the jump to the charge (MacroAssembler::jFwd)
    size_t back = 0;  // code offset the charge returns to
    uint64_t bytes = 0;  // code bytes of the metered region (function body, or a loop)
  };
  std::vector<FuelSite> fuelSites_;
  struct PendingCond {
    bool valid = false;
    size_t cmpEnd = 0, end = 0;  // code offsets: after the compare, after setcc+movzx
    uint8_t reg = 0;
    a::CondCode cc = a::CondCode::kNE;
  } pending_;
  struct Constant {
    asmjit::Label label;
    std::vector<uint8_t> bytes;
  };
  std::vector<Constant> constants_;  // 16-byte immediates (v128 constants, SIMD masks) embedded after the code
  SimdEmitter simd_;
};

}  // namespace

struct ModuleCompiler::Impl {
  explicit Impl(Instance& i) : inst(i), types(*i.module), compiler(i, masm), reader(types, compiler) {
    compiler.setReader(&reader);
    compiler.setSitesOut(&sites);
  }
  Instance& inst;
  TypeContext types;
  std::vector<ModuleCompiler::Site> sites;  // of the last compiled function
  uint32_t faultLanding = 0;
  // Reused for each function (their buffers keep their capacity): compile() resets them first.
  CodeHolder code;
  ErrorRecorder errors;
  MacroAssembler masm;
  Compiler compiler;
  Compiler::Reader reader;
};

ModuleCompiler::ModuleCompiler(Instance& inst) : impl_(std::make_unique<Impl>(inst)) {}
ModuleCompiler::~ModuleCompiler() = default;

const std::vector<ModuleCompiler::Site>& ModuleCompiler::sites() const { return impl_->sites; }
uint32_t ModuleCompiler::faultLanding() const { return impl_->faultLanding; }

void ModuleCompiler::appendCallViaEntryStub(std::vector<uint8_t>& out) {
  const int32_t off = kOffEntry;
  const uint8_t stub[] = {0xFF, 0xA6, uint8_t(off), uint8_t(off >> 8), uint8_t(off >> 16), uint8_t(off >> 24)};
  out.insert(out.end(), stub, stub + sizeof stub);  // jmp qword ptr [rsi + disp32]
}

Status ModuleCompiler::compile(uint32_t funcIndex, std::vector<uint8_t>& out, std::vector<CallFixup>* fixups,
                               OsrInfo* osr) {
  CodeHolder& code = impl_->code;
  code.reset();  // (detaches masm)
  code.init(Environment::host());
  ErrorRecorder& errors = impl_->errors;
  errors.failed = false;
  errors.text.clear();
  code.setErrorHandler(&errors);
  MacroAssembler& masm = impl_->masm;
  code.attach(&masm);
  masm.resetJumps();
  const size_t fixupsBefore = fixups ? fixups->size() : 0;
  Compiler& c = impl_->compiler;
  c.reset(fixups, osr != nullptr);
  Compiler::Reader& reader = impl_->reader;
  impl_->faultLanding = 0;
  Status s = reader.readFunction(funcIndex);
  if (!s.ok() || !c.error().empty()) {
    if (fixups) fixups->resize(fixupsBefore);
    return Error(!s.ok() ? s.error().message : c.error());
  }
  c.finish();
  if (errors.failed) {
    if (fixups) fixups->resize(fixupsBefore);
    return Error("jit: assembler: " + errors.text);
  }
  code.flatten();
  code.resolveUnresolvedLinks();
  if (code.hasUnresolvedLinks() || masm.hasPendingJumps()) {  // a label used but never bound: a compiler bug, never run such code
    if (fixups) fixups->resize(fixupsBefore);
    return Error("jit: internal error: unbound label");
  }
  code.relocateToBase(0);
  if (errors.failed) {
    if (fixups) fixups->resize(fixupsBefore);
    return Error("jit: assembler: " + errors.text);
  }
  if (code.labelOffsetFromBase(c.directEntry()) != kDirectEntryOffset) {  // the linker relies on it
    if (fixups) fixups->resize(fixupsBefore);
    return Error("jit: internal error: direct entry at " + std::to_string(code.labelOffsetFromBase(c.directEntry())));
  }
  if (osr) {
    osr->entryOffset = 0;
    osr->loops.clear();
    if (c.osrEntry().isValid()) {
      osr->entryOffset = static_cast<uint32_t>(code.labelOffsetFromBase(c.osrEntry()));
      for (const Compiler::OsrLoop& l : c.osrLoops())
        osr->loops.push_back({l.wasmOffset, static_cast<uint32_t>(l.target), l.slots});
    }
  }
  if (c.faultLanding().isValid()) impl_->faultLanding = static_cast<uint32_t>(code.labelOffsetFromBase(c.faultLanding()));
  const size_t n = code.codeSize();
  if (code.sectionCount() == 1) {  // the usual case: append the one section's bytes (no zero-fill first)
    const uint8_t* data = code.textSection()->data();
    out.insert(out.end(), data, data + n);
    return {};
  }
  const size_t at = out.size();
  out.resize(at + n);
  code.copyFlattenedData(out.data() + at, n, CopySectionFlags::kPadSectionBuffer);
  return {};
}

}  // namespace myrt::jit::x64
