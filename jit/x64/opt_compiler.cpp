// jit/x64/opt_compiler.cpp -- the optimizing tier's x86-64 code generator (see opt_compiler.h).
#include "jit/x64/opt_compiler.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "jit/common/asm_errors.h"
#include "jit/common/helpers.h"
#include "jit/opt/builder.h"
#include "jit/opt/cfg.h"
#include "jit/opt/passes.h"
#include "jit/opt/regalloc.h"
#include "jit/x64/baseline_masm.h"
#include "jit/x64/compiler.h"
#include "jit/x64/masm.h"
#include "runtime/valid/type_context.h"

namespace myrt::jit::x64 {

using namespace asmjit;

namespace {

using opt::BlockId;
using opt::Inst;
using opt::Kind;
using opt::Location;
using opt::RegClass;
using opt::Ty;
using opt::ValueId;
using Mem = BaselineMasm::Mem;
using MLabel = BaselineMasm::Label;
using Cond = BaselineMasm::Cond;
using Arg = BaselineMasm::Arg;

constexpr uint8_t kGpRegs[] = {6, 7, 8, 9, 10};  // rsi rdi r8 r9 r10
constexpr uint32_t kNumGp = sizeof kGpRegs;
constexpr uint32_t kNumFp = 12;                      // xmm0..xmm11
constexpr uint8_t kS1 = 11, kS2 = 5;                 // r11, rbp: GP values that live in slots
constexpr uint8_t kX1 = kFpBase + 12, kX2 = kFpBase + 13;
constexpr uint8_t kCycleGp = 0, kCycleFp = kFpBase + 14;  // rax, xmm14: edge-move cycles
constexpr uint8_t kCopyGp = 1, kCopyFp = kFpBase + 15;    // rcx, xmm15: slot-to-slot moves

ValKind kindOf(Ty t) {
  switch (t) {
    case Ty::I32: return ValKind::I32;
    case Ty::I64: return ValKind::I64;
    case Ty::F32: return ValKind::F32;
    case Ty::F64: return ValKind::F64;
    case Ty::V128: return ValKind::V128;
    case Ty::Ref: return ValKind::Ref;
    case Ty::None: break;
  }
  return ValKind::I64;
}

bool isIntBinary(Op op) {
  switch (op) {
    case Op::I32Add: case Op::I32Sub: case Op::I32Mul: case Op::I32And: case Op::I32Or: case Op::I32Xor:
    case Op::I64Add: case Op::I64Sub: case Op::I64Mul: case Op::I64And: case Op::I64Or: case Op::I64Xor: return true;
    default: return false;
  }
}
bool isShift(Op op) {
  switch (op) {
    case Op::I32Shl: case Op::I32ShrS: case Op::I32ShrU: case Op::I32Rotl: case Op::I32Rotr:
    case Op::I64Shl: case Op::I64ShrS: case Op::I64ShrU: case Op::I64Rotl: case Op::I64Rotr: return true;
    default: return false;
  }
}
bool isDivRem(Op op) {
  switch (op) {
    case Op::I32DivS: case Op::I32DivU: case Op::I32RemS: case Op::I32RemU:
    case Op::I64DivS: case Op::I64DivU: case Op::I64RemS: case Op::I64RemU: return true;
    default: return false;
  }
}
bool isIntCompare(Op op) { return (op >= Op::I32Eq && op <= Op::I32GeU && op != Op::I32Eqz) || (op >= Op::I64Eq && op <= Op::I64GeU && op != Op::I64Eqz); }
bool isFloatCompare(Op op) { return (op >= Op::F32Eq && op <= Op::F32Ge) || (op >= Op::F64Eq && op <= Op::F64Ge); }
bool isFloatBinary(Op op) {
  switch (op) {
    case Op::F32Add: case Op::F32Sub: case Op::F32Mul: case Op::F32Div:
    case Op::F64Add: case Op::F64Sub: case Op::F64Mul: case Op::F64Div: return true;
    default: return false;
  }
}
bool isFloatUnary(Op op) {
  switch (op) {
    case Op::F32Sqrt: case Op::F64Sqrt: case Op::F32Ceil: case Op::F32Floor: case Op::F32Trunc: case Op::F32Nearest:
    case Op::F64Ceil: case Op::F64Floor: case Op::F64Trunc: case Op::F64Nearest: return true;
    default: return false;
  }
}
bool isIntUnary(Op op) {
  switch (op) {
    case Op::I32WrapI64: case Op::I64ExtendI32U: case Op::I64ExtendI32S: case Op::I64Extend32S:
    case Op::I32Extend8S: case Op::I32Extend16S: case Op::I64Extend8S: case Op::I64Extend16S: return true;
    default: return false;
  }
}
bool isBitCount(Op op) {
  return op == Op::I32Clz || op == Op::I32Ctz || op == Op::I32Popcnt || op == Op::I64Clz || op == Op::I64Ctz ||
         op == Op::I64Popcnt;
}
bool isConvertIntToFloat(Op op) {
  switch (op) {
    case Op::F32ConvertI32S: case Op::F32ConvertI64S: case Op::F64ConvertI32S: case Op::F64ConvertI64S:
    case Op::F32ConvertI32U: case Op::F64ConvertI32U: return true;
    default: return false;
  }
}
// The numeric operators lowered inline (the rest of the scalar ones go through the numeric helpers: a call).
bool numericInline(Op op) {
  return isIntBinary(op) || isShift(op) || isDivRem(op) || isIntCompare(op) || op == Op::I32Eqz || op == Op::I64Eqz ||
         (isBitCount(op) && BaselineMasm::hasBitCount(op)) || isIntUnary(op) || isFloatBinary(op) ||
         isFloatCompare(op) || isFloatUnary(op) || op == Op::F32Copysign || op == Op::F64Copysign ||
         op == Op::F32Abs || op == Op::F32Neg || op == Op::F64Abs || op == Op::F64Neg || isConvertIntToFloat(op) ||
         op == Op::F32DemoteF64 || op == Op::F64PromoteF32 || op == Op::I32ReinterpretF32 ||
         op == Op::I64ReinterpretF64 || op == Op::F32ReinterpretI32 || op == Op::F64ReinterpretI64;
}
// Memory and table operations through bulkHelper (the ones without reference operands or results).
bool isBulk(Op op) {
  return op == Op::MemorySize || op == Op::MemoryGrow || op == Op::MemoryFill || op == Op::MemoryCopy ||
         op == Op::MemoryInit || op == Op::DataDrop || op == Op::TableSize || op == Op::TableCopy ||
         op == Op::TableInit || op == Op::ElemDrop;
}
// What the register allocator must treat as a call (every allocatable register clobbered).
bool clobbersRegisters(const Inst& in) {
  switch (in.kind) {
    case Kind::Call: case Kind::CallIndirect: case Kind::Opaque: return true;
    case Kind::Numeric: return !numericInline(in.op);
    default: return false;
  }
}
unsigned accessSize(Op op) {
  switch (op) {
    case Op::I32Load8S: case Op::I32Load8U: case Op::I64Load8S: case Op::I64Load8U: case Op::I32Store8:
    case Op::I64Store8: return 1;
    case Op::I32Load16S: case Op::I32Load16U: case Op::I64Load16S: case Op::I64Load16U: case Op::I32Store16:
    case Op::I64Store16: return 2;
    case Op::I64Load: case Op::F64Load: case Op::I64Store: case Op::F64Store: return 8;
    default: return 4;
  }
}


class OptCodegen {
 public:
  OptCodegen(Instance& inst, MacroAssembler& masm) : inst_(inst), m_(*inst.module), a_(masm), bm_(masm) {}

  // Emits function `fi`'s code from its optimized, allocated IR; an error says what this tier does not lower.
  Status run(const opt::Func& f, const opt::Allocation& al, std::vector<CallFixup>* fixups, std::vector<CodeSite>& sites) {
    f_ = &f;
    al_ = &al;
    fixups_ = fixups;
    sites_ = &sites;
    sites.clear();
    bm_.reset();
    trapStubs_.clear();
    tables_.clear();
    fuelSites_.clear();
    faultLanding_ = propagate_ = MLabel();
    if (Status s = check(); !s.ok()) return s;
    bm_.beginFunction();
    const Func& wf = m_.funcs[f.index];
    bodyOffset_ = wf.body.offset;
    curOffset_ = bodyOffset_;
    // the frame: spill slots, then the call area
    numSlots_ = al.numSlots;
    uint32_t area = 1;
    for (const Inst& in : f.insts) area = std::max(area, callAreaOf(in));
    labels_.assign(f.blocks.size(), MLabel());
    for (BlockId b : al.order) labels_[b] = bm_.newLabel();
    findLoops();

    directEntry_ = bm_.newLabel();
    bm_.emitEntry(directEntry_);
    // an OSR version (Func::osrLoop): entered like the function (rdx = io for the results) with r8 = the slots that
    // are block 0's parameters (kept by the entry, like the baseline's OSR entry); the loop header polls
    const bool osr = f.osrLoop != opt::Func::kNoOsr;
    if (osr) a_.mov(x86::rdx, x86::r8);
    // parameters from io (rdx) to their locations
    for (size_t i = 0; i < f.blocks[0].params.size(); ++i) {
      const ValueId p = f.blocks[0].params[i];
      const Location& l = al.loc[p];
      if (l.kind == Location::Reg) {
        bm_.loadValue(kindOf(f[p].ty), code(l), bm_.ioSlot(static_cast<uint32_t>(i)));
      } else if (l.kind == Location::Slot) {
        bm_.loadValue(kindOf(f[p].ty), clsOf(p) == RegClass::Gp ? kCopyGp : kCopyFp, bm_.ioSlot(static_cast<uint32_t>(i)));
        bm_.storeReg(wide(p), clsOf(p) == RegClass::Gp ? kCopyGp : kCopyFp, slotMem(l.index));
      }
    }
    if (!osr) poll(std::max<uint64_t>(1, wf.body.size / 2));
    epilogue_ = bm_.newLabel();

    for (size_t oi = 0; oi < al.order.size(); ++oi) {
      const BlockId b = al.order[oi];
      next_ = oi + 1 < al.order.size() ? al.order[oi + 1] : opt::kNoId;
      bm_.bind(labels_[b]);
      if (loopCost_[b]) {
        curOffset_ = f[f.blocks[b].insts.front()].offset;
        poll(loopCost_[b]);
      }
      const std::vector<ValueId>& insts = f.blocks[b].insts;
      for (size_t k = 0; k < insts.size(); ++k) {
        const ValueId v = insts[k];
        curOffset_ = f[v].offset;
        // compare + branch fusion: a compare used only by the br_if right after it sets the flags for the branch
        if (k + 2 == insts.size() && f[insts[k + 1]].kind == Kind::Branch && f[insts[k + 1]].args[0] == v &&
            uses_[v] == 1 && isFusable(f[v])) {
          const Cond cc = compareFlags(f[v]);
          curOffset_ = f[insts[k + 1]].offset;
          branch(b, cc);
          break;
        }
        emit(b, v);
      }
    }
    return finish(area);
  }
  MLabel directEntry() const { return directEntry_; }
  MLabel faultLanding() const { return faultLanding_; }
  const BaselineMasm& masm() const { return bm_; }

  // ---- traps (BaselineMasm sequences call these) ----
  void trapIf(Cond cc, TrapReason r) { addTrapJump(r, a_.jFwd(cc)); }
  void trapJmp(TrapReason r) { addTrapJump(r, a_.jmpFwd()); }

 private:
  struct Table {
    MLabel label;
    std::vector<MLabel> entries;
  };

  // ---- what this tier lowers ----
  Status check() {
    const opt::Func& f = *f_;
    if (m_.holdsGcRefs) return Error("frames hold GC references");
    for (BlockId b : al_->order) {
      ValueId lastCall = opt::kNoId;
      for (ValueId v : f.blocks[b].params)
        if (f[v].ty == Ty::V128 || f[v].ty == Ty::Ref) return Error(std::string("a ") + opt::tyName(f[v].ty) + " value");
      for (ValueId v : f.blocks[b].insts) {
        const Inst& in = f[v];
        if (in.ty == Ty::V128 || in.ty == Ty::Ref) return Error(std::string("a ") + opt::tyName(in.ty) + " value");
        for (ValueId x : in.args)
          if (f[x].ty == Ty::V128 || f[x].ty == Ty::Ref) return Error(std::string("a ") + opt::tyName(f[x].ty) + " operand");
        switch (in.kind) {
          case Kind::Numeric:
            if (!numericInline(in.op) && (!numericHelper(in.op) || opInfo(in.op).sig.numResults > 1))
              return Error(std::string(opName(in.op)));
            break;
          case Kind::Load: case Kind::Store:
            if (in.aux != 0 || m_.memories.empty() || m_.memories[0].type.limits.is64) return Error("memory64 or multi-memory access");
            break;
          case Kind::Opaque:
            if (!isBulk(in.op)) return Error(std::string(opName(in.op)));
            for (const auto& mem : m_.memories)
              if (mem.type.limits.is64) return Error("memory64 bulk operation");
            for (const auto& t : m_.tables)
              if (t.type.limits.is64) return Error("table64 bulk operation");
            break;
          case Kind::CallIndirect:
            if (in.imm < m_.tables.size() && m_.tables[in.imm].type.limits.is64) return Error("table64 call_indirect");
            break;
          case Kind::Proj:
            // a projection reads its call's result slot: after the call, with no other call in between
            if (in.args[0] != lastCall) return Error("projection away from its call");
            break;
          default: break;
        }
        if (in.kind != Kind::Proj && clobbersRegisters(in))
          lastCall = in.kind == Kind::Call || in.kind == Kind::CallIndirect ? v : opt::kNoId;
      }
    }
    uses_.assign(f.insts.size(), 0);
    for (BlockId b : al_->order) {
      for (ValueId v : f.blocks[b].insts)
        for (ValueId x : f[v].args) ++uses_[x];
      for (const opt::Edge& e : f.blocks[b].succs)
        for (ValueId x : e.args) ++uses_[x];
    }
    return {};
  }
  // Value slots of the call area an instruction needs: its operands and its results (a callee's io holds
  // max(params, results); call_indirect's table index follows the arguments).
  uint32_t callAreaOf(const Inst& in) const {
    const uint32_t n = static_cast<uint32_t>(in.args.size());
    switch (in.kind) {
      case Kind::Call: return std::max<uint32_t>(n, static_cast<uint32_t>(m_.funcType(in.aux).results.size()));
      case Kind::CallIndirect:
        return std::max<uint32_t>(n, static_cast<uint32_t>(m_.types[in.aux].comp.results.size()));
      case Kind::Opaque: case Kind::Numeric: return std::max<uint32_t>(n, 1);
      default: return 0;
    }
  }

  // Loop headers (a block with a back edge: a predecessor it dominates) and their fuel cost (half the wasm bytes the
  // loop's blocks span, as the baseline charges per region).
  void findLoops() {
    const opt::Func& f = *f_;
    const opt::Cfg cfg(f);
    loopCost_.assign(f.blocks.size(), 0);
    std::vector<std::vector<BlockId>> preds(f.blocks.size());
    for (BlockId b : al_->order)
      for (const opt::Edge& e : f.blocks[b].succs) preds[e.to].push_back(b);
    std::vector<uint32_t> mark(f.blocks.size(), UINT32_MAX);
    for (BlockId h : al_->order) {
      std::vector<BlockId> work;
      for (BlockId p : preds[h])
        if (cfg.dominates(h, p)) work.push_back(p);
      if (work.empty()) continue;
      uint32_t lo = UINT32_MAX, hi = 0;
      mark[h] = h;
      auto span = [&](BlockId b) {
        for (ValueId v : f.blocks[b].insts) {
          lo = std::min(lo, f[v].offset);
          hi = std::max(hi, f[v].offset);
        }
      };
      span(h);
      while (!work.empty()) {
        const BlockId b = work.back();
        work.pop_back();
        if (mark[b] == h) continue;
        mark[b] = h;
        span(b);
        for (BlockId p : preds[b])
          if (mark[p] != h) work.push_back(p);
      }
      loopCost_[h] = std::max<uint64_t>(1, lo <= hi ? (hi - lo + 1) / 2 : 1);
    }
  }

  // ---- locations ----
  RegClass clsOf(ValueId v) const { return opt::regClassOf((*f_)[v].ty); }
  // GP values move as 8 bytes (an i32's upper half is zero everywhere), FP values as 8 (an f32 in the low 4).
  ValKind wide(ValueId v) const { return clsOf(v) == RegClass::Gp ? ValKind::I64 : ValKind::F64; }
  static uint8_t code(const Location& l) {
    if (l.kind == Location::Scratch) return l.cls == RegClass::Gp ? kCycleGp : kCycleFp;
    return l.cls == RegClass::Gp ? kGpRegs[l.index] : static_cast<uint8_t>(kFpBase + l.index);
  }
  Mem slotMem(uint32_t s) const { return bm_.frameSlot(static_cast<int32_t>(16 * s)); }
  Mem callMem(uint32_t i) const { return bm_.frameSlot(static_cast<int32_t>(16 * (numSlots_ + i))); }
  bool inReg(ValueId v, uint8_t r) const { return al_->loc[v].kind == Location::Reg && code(al_->loc[v]) == r; }

  // The register holding v: its own, or `scratch` loaded from its slot.
  uint8_t use(ValueId v, uint8_t scratch) {
    const Location& l = al_->loc[v];
    if (l.kind == Location::Reg) return code(l);
    bm_.loadValue(kindOf((*f_)[v].ty), scratch, slotMem(l.index));
    return scratch;
  }
  // Where the instruction computes v: its register, or the scratch of its class (stored by finishDef).
  uint8_t defReg(ValueId v) const {
    const Location& l = al_->loc[v];
    if (l.kind == Location::Reg) return code(l);
    return clsOf(v) == RegClass::Gp ? kS1 : kX1;
  }
  void finishDef(ValueId v, uint8_t r) {
    const Location& l = al_->loc[v];
    if (l.kind == Location::Slot) bm_.storeReg(wide(v), r, slotMem(l.index));
  }
  // r = v's value.
  void moveTo(uint8_t r, ValueId v) {
    const Location& l = al_->loc[v];
    if (l.kind == Location::Reg) {
      if (code(l) != r) bm_.moveReg(wide(v), r, code(l));
    } else {
      bm_.loadValue(kindOf((*f_)[v].ty), r, slotMem(l.index));
    }
  }
  // For r = x op y computed in place: r holds x on return, and the register returned holds y (scratch2 when y is in a
  // slot, or when y's register is r and the op cannot swap its operands). With `swapped` the op may swap (commutative).
  uint8_t operands(uint8_t r, ValueId& x, ValueId& y, bool commutative, uint8_t scratch2) {
    if (inReg(y, r) && !inReg(x, r)) {
      if (commutative) {
        std::swap(x, y);
      } else {
        bm_.moveReg(wide(y), scratch2, r);
        moveTo(r, x);
        return scratch2;
      }
    }
    moveTo(r, x);
    return use(y, scratch2);
  }
  bool isConst(ValueId v) const { return (*f_)[v].kind == Kind::Const; }
  uint64_t constBits(ValueId v) const {
    const Inst& c = (*f_)[v];
    return c.ty == Ty::I32 || c.ty == Ty::F32 ? (c.imm & 0xffffffffull) : c.imm;
  }

  // ---- moves on edges ----
  void emitMoves(const std::vector<opt::Move>& moves) {
    for (const opt::Move& mv : moves) {
      const ValKind k = mv.src.cls == RegClass::Gp ? ValKind::I64 : ValKind::F64;
      const bool dReg = mv.dst.kind != Location::Slot, sReg = mv.src.kind != Location::Slot;
      if (dReg && sReg) {
        bm_.moveReg(k, code(mv.dst), code(mv.src));
      } else if (dReg) {
        bm_.loadValue(k, code(mv.dst), slotMem(mv.src.index));
      } else if (sReg) {
        bm_.storeReg(k, code(mv.src), slotMem(mv.dst.index));
      } else {
        const uint8_t t = mv.src.cls == RegClass::Gp ? kCopyGp : kCopyFp;
        bm_.loadValue(k, t, slotMem(mv.src.index));
        bm_.storeReg(k, t, slotMem(mv.dst.index));
      }
    }
  }
  void jumpTo(BlockId t) {
    if (t != next_) bm_.jmp(labels_[t]);
  }

  // ---- polls ----
  void poll(uint64_t cost) {
    trapIf(bm_.testInterrupt(), TrapReason::Interrupted);
    FuelSite s;
    s.charge = bm_.jumpIfFuelEnabled();
    s.back = bm_.offset();
    s.cost = cost;
    s.offset = curOffset_;
    fuelSites_.push_back(s);
  }

  // ---- instructions ----
  bool isFusable(const Inst& in) const {
    return in.kind == Kind::Numeric && (isIntCompare(in.op) || in.op == Op::I32Eqz || in.op == Op::I64Eqz);
  }
  // Sets the flags for an integer compare or eqz; returns the condition under which it is true.
  Cond compareFlags(const Inst& in) {
    const bool is64 = (in.op >= Op::I64Eqz && in.op <= Op::I64GeU);
    const uint8_t x = use(in.args[0], kS1);
    if (in.op == Op::I32Eqz || in.op == Op::I64Eqz) return bm_.eqz(is64, x);
    const ValueId y = in.args[1];
    if (isConst(y) && bm_.compareHasImm(is64, constBits(y))) {
      bm_.compareImm(is64, x, constBits(y));
    } else {
      bm_.compare(is64, x, use(y, kS2));
    }
    return BaselineMasm::intCond(in.op);
  }

  void branch(BlockId b, Cond cc) {
    const opt::Block& bl = f_->blocks[b];
    const std::vector<opt::Move> m0 = opt::edgeMoves(*f_, *al_, b, 0), m1 = opt::edgeMoves(*f_, *al_, b, 1);
    const BlockId t0 = bl.succs[0].to, t1 = bl.succs[1].to;
    if (m1.empty()) {
      bm_.j(BaselineMasm::negate(cc), labels_[t1]);
      emitMoves(m0);
      jumpTo(t0);
    } else if (m0.empty()) {
      bm_.j(cc, labels_[t0]);
      emitMoves(m1);
      jumpTo(t1);
    } else {
      const MLabel other = bm_.newLabel();
      bm_.j(BaselineMasm::negate(cc), other);
      emitMoves(m0);
      bm_.jmp(labels_[t0]);
      bm_.bind(other);
      emitMoves(m1);
      jumpTo(t1);
    }
  }

  void emit(BlockId b, ValueId v) {
    const opt::Func& f = *f_;
    const Inst& in = f[v];
    switch (in.kind) {
      case Kind::Param: break;
      case Kind::Const: {
        const Location& l = al_->loc[v];
        if (l.kind == Location::Reg) bm_.loadConst(kindOf(in.ty), code(l), constBits(v));
        else if (l.kind == Location::Slot) bm_.storeConst(ValKind::I64, constBits(v), slotMem(l.index));
        break;
      }
      case Kind::Numeric: numeric(v); break;
      case Kind::Select: select(v); break;
      case Kind::GlobalGet: {
        GlobalInst* g = inst_.globals[in.aux];
        const Mem src = bm_.loadAddress(&g->value);
        const uint8_t r = defReg(v);
        bm_.loadValue(kindOf(in.ty), r, src);
        finishDef(v, r);
        break;
      }
      case Kind::GlobalSet: {
        GlobalInst* g = inst_.globals[in.aux];
        const ValueId x = in.args[0];
        const uint8_t r = use(x, clsOf(x) == RegClass::Gp ? kS1 : kX1);
        const Mem dst = bm_.storeAddress(&g->value);
        bm_.storeReg(kindOf(f[x].ty), r, dst);
        break;
      }
      case Kind::Load: {
        const uint8_t addr = use(in.args[0], kS1);
        const Mem m = bm_.effectiveAddress(*this, addr, in.imm, accessSize(in.op), false, 0, inst_.memories[0]);
        const uint8_t r = defReg(v);
        beginFaultSite();
        bm_.load(in.op, r, m);
        endFaultSite();
        finishDef(v, r);
        break;
      }
      case Kind::Store: {
        const ValueId x = in.args[1];
        const uint8_t addr = use(in.args[0], kS1);
        const uint8_t val = use(x, clsOf(x) == RegClass::Gp ? kS2 : kX1);
        const Mem m = bm_.effectiveAddress(*this, addr, in.imm, accessSize(in.op), false, 0, inst_.memories[0]);
        beginFaultSite();
        bm_.store(kindOf(f[x].ty), accessSize(in.op), m, val);
        endFaultSite();
        break;
      }
      case Kind::Call: call(v); break;
      case Kind::CallIndirect: call(v); break;
      case Kind::Proj: {
        const uint8_t r = defReg(v);
        bm_.loadValue(kindOf(in.ty), r, callMem(static_cast<uint32_t>(in.imm)));
        finishDef(v, r);
        break;
      }
      case Kind::Opaque: bulk(v); break;
      case Kind::Jump:
        emitMoves(opt::edgeMoves(f, *al_, b, 0));
        jumpTo(f.blocks[b].succs[0].to);
        break;
      case Kind::Branch: {
        const uint8_t c = use(in.args[0], kS1);
        branch(b, bm_.testNonZero32(c));
        break;
      }
      case Kind::Switch: {
        const opt::Block& bl = f.blocks[b];
        const uint8_t idx = use(in.args[0], kS1);
        Table t;
        t.label = bm_.newLabel();
        std::vector<std::pair<MLabel, uint32_t>> stubs;
        for (uint32_t s = 0; s < bl.succs.size(); ++s) {
          if (opt::edgeMoves(f, *al_, b, s).empty()) {
            t.entries.push_back(labels_[bl.succs[s].to]);
          } else {
            t.entries.push_back(bm_.newLabel());
            stubs.push_back({t.entries.back(), s});
          }
        }
        bm_.tableJump(idx, static_cast<uint32_t>(bl.succs.size() - 1), t.label);
        for (const auto& [label, s] : stubs) {
          bm_.bind(label);
          emitMoves(opt::edgeMoves(f, *al_, b, s));
          bm_.jmp(labels_[bl.succs[s].to]);
        }
        tables_.push_back(std::move(t));
        break;
      }
      case Kind::Return: {
        bm_.loadIo();
        for (size_t i = 0; i < in.args.size(); ++i) {
          const ValueId x = in.args[i];
          const uint8_t r = use(x, clsOf(x) == RegClass::Gp ? kS1 : kX1);
          bm_.storeReg(kindOf(f[x].ty), r, bm_.ioSlot(static_cast<uint32_t>(i)));
        }
        bm_.jmp(epilogue_);
        break;
      }
      case Kind::Trap: trapJmp(static_cast<TrapReason>(in.imm)); break;
    }
  }

  void numeric(ValueId v) {
    const Inst& in = (*f_)[v];
    const Op op = in.op;
    if (!numericInline(op)) return numericCall(v);
    const uint8_t r = defReg(v);
    if (isIntBinary(op) || isShift(op) || isDivRem(op)) {
      const bool is64 = in.ty == Ty::I64;
      ValueId x = in.args[0], y = in.args[1];
      if (isShift(op) && isConst(y)) {
        moveTo(r, x);
        bm_.shiftImm(op, is64, r, static_cast<uint32_t>(constBits(y) & (is64 ? 63 : 31)));
      } else if (isIntBinary(op) && isConst(y) && bm_.intBinaryHasImm(op, is64, constBits(y)) && !inReg(y, r)) {
        moveTo(r, x);
        bm_.intBinaryImm(op, is64, r, constBits(y));
      } else {
        const bool comm = op == Op::I32Add || op == Op::I32Mul || op == Op::I32And || op == Op::I32Or ||
                          op == Op::I32Xor || op == Op::I64Add || op == Op::I64Mul || op == Op::I64And ||
                          op == Op::I64Or || op == Op::I64Xor;
        const uint8_t s = operands(r, x, y, comm, kS2);
        if (isShift(op)) bm_.shift(op, is64, r, s);
        else if (isDivRem(op)) bm_.divRem(*this, op, is64, r, s);
        else bm_.intBinary(op, is64, r, s);
      }
    } else if (isFusable(in)) {
      const Cond cc = compareFlags(in);
      bm_.setCond(cc, r);
    } else if (isBitCount(op)) {
      moveTo(r, in.args[0]);
      bm_.bitCount(op, in.ty == Ty::I64, r);
    } else if (isIntUnary(op)) {
      moveTo(r, in.args[0]);
      bm_.intUnary(op, r);
    } else if (isFloatBinary(op) || op == Op::F32Copysign || op == Op::F64Copysign) {
      ValueId x = in.args[0], y = in.args[1];
      const bool comm = op == Op::F32Add || op == Op::F32Mul || op == Op::F64Add || op == Op::F64Mul;
      const uint8_t s = operands(r, x, y, comm, kX2);
      if (isFloatBinary(op)) bm_.floatBinary(op, r, s);
      else bm_.floatCopysign(op == Op::F64Copysign, r, s);
    } else if (isFloatCompare(op)) {
      const uint8_t x = use(in.args[0], kX1), y = use(in.args[1], kX2);
      bm_.floatCompare(op, x, y);
      bm_.floatCompareResult(r);
    } else if (isFloatUnary(op)) {
      moveTo(r, in.args[0]);
      bm_.floatUnary(op, r);
    } else if (op == Op::F32Abs || op == Op::F32Neg || op == Op::F64Abs || op == Op::F64Neg) {
      moveTo(r, in.args[0]);
      bm_.floatAbsNeg(op, r);
    } else if (isConvertIntToFloat(op)) {
      const uint8_t g = use(in.args[0], kS1);
      bm_.convertIntToFloat(op, r, g);
    } else if (op == Op::F32DemoteF64 || op == Op::F64PromoteF32) {
      moveTo(r, in.args[0]);
      bm_.floatConvert(op, r);
    } else if (op == Op::I32ReinterpretF32 || op == Op::I64ReinterpretF64) {
      bm_.fpToGp(op == Op::I64ReinterpretF64, r, use(in.args[0], kX1));
    } else {  // F32ReinterpretI32, F64ReinterpretI64
      bm_.gpToFp(op == Op::F64ReinterpretI64, r, use(in.args[0], kS1));
    }
    finishDef(v, r);
  }

  void select(ValueId v) {
    const Inst& in = (*f_)[v];
    ValueId x = in.args[0], y = in.args[1];
    const ValueId c = in.args[2];
    const uint8_t r = defReg(v);
    uint8_t cr = use(c, kCycleGp);  // (rax: a condition in a slot)
    if (cr == r && !inReg(x, r)) {  // the condition dies here in the result's register: keep it
      bm_.moveReg(ValKind::I64, kCycleGp, cr);
      cr = kCycleGp;
    }
    if (clsOf(v) == RegClass::Gp) {
      const uint8_t s = operands(r, x, y, false, kS2);
      bm_.selectGp(kindOf(in.ty), cr, r, s);
    } else {
      const uint8_t s = operands(r, x, y, false, kX2);
      bm_.selectFp(cr, r, s);
    }
    finishDef(v, r);
  }

  // Operands to the call area, from their locations.
  void storeArgs(const std::vector<ValueId>& args, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      const ValueId x = args[i];
      const uint8_t r = use(x, clsOf(x) == RegClass::Gp ? kS1 : kX1);
      bm_.storeReg(wide(x), r, callMem(static_cast<uint32_t>(i)));
    }
  }
  void resultFromCallArea(ValueId v) {
    if (al_->loc[v].kind == Location::None) return;
    const uint8_t r = defReg(v);
    bm_.loadValue(kindOf((*f_)[v].ty), r, callMem(0));
    finishDef(v, r);
  }
  void checkCallResult() {
    recordSite();
    bm_.branchOnTrap(propagate());
  }
  MLabel propagate() {
    if (!propagate_.isValid()) propagate_ = bm_.newLabel();
    return propagate_;
  }

  void call(ValueId v) {
    const Inst& in = (*f_)[v];
    if (in.kind == Kind::Call) {
      const uint32_t fi = in.aux;
      storeArgs(in.args, in.args.size());
      FuncInst* callee = inst_.funcs[fi];
      bm_.calleeConst(callee);
      const bool direct = callee->instance == &inst_ && fi >= m_.numImportedFuncs && fixups_;
      bm_.callPrologue(callMem(0), !direct);
      if (direct) fixups_->push_back({static_cast<uint32_t>(bm_.callDirect()), fi});
      else if (fixups_) fixups_->push_back({static_cast<uint32_t>(bm_.callDirect()), kCallViaStub});
      else bm_.callViaEntry();
    } else {
      const uint32_t np = static_cast<uint32_t>(in.args.size()) - 1;
      storeArgs(in.args, in.args.size());  // the table index last, at np
      const uint32_t tableIndex = static_cast<uint32_t>(in.imm);
      bm_.callHelper(reinterpret_cast<const void*>(&indirectHelper),
                     {Arg::cx(), Arg::func(), Arg::address(callMem(np)), Arg::imm32(in.aux), Arg::imm32(tableIndex)});
      recordSite();
      bm_.branchOnTrap(propagate());
      bm_.calleeFromSlot(callMem(np));
      bm_.callPrologue(callMem(0), true);
      if (fixups_) fixups_->push_back({static_cast<uint32_t>(bm_.callDirect()), kCallViaStub});
      else bm_.callViaEntry();
    }
    checkCallResult();
    if (in.ty != Ty::None) resultFromCallArea(v);
  }

  void numericCall(ValueId v) {
    const Inst& in = (*f_)[v];
    storeArgs(in.args, in.args.size());
    bm_.callHelper(reinterpret_cast<const void*>(numericHelper(in.op)), {Arg::address(callMem(0)), Arg::imm32(0)});
    checkCallResult();
    resultFromCallArea(v);
  }

  void bulk(ValueId v) {
    const Inst& in = (*f_)[v];
    storeArgs(in.args, in.args.size());
    const uint32_t a = in.aux, b = static_cast<uint32_t>(in.imm);
    bm_.callHelper(reinterpret_cast<const void*>(&bulkHelper),
                   {Arg::cx(), Arg::func(), Arg::address(callMem(0)), Arg::imm32(static_cast<uint32_t>(in.op)),
                    Arg::imm32(a),
                    Arg::imm32(in.op == Op::MemoryCopy || in.op == Op::MemoryInit || in.op == Op::TableCopy ||
                                       in.op == Op::TableInit
                                   ? b
                                   : 0)});
    checkCallResult();
    if (in.ty != Ty::None) resultFromCallArea(v);
  }

  // ---- trap sites, code map ----
  void addTrapJump(TrapReason r, size_t field) { trapStubs_.add(bm_, r, curOffset_, field); }
  void recordSite() { sites_->push_back({static_cast<uint32_t>(bm_.offset()), curOffset_}); }
  void beginFaultSite() {
    if (!bm_.lastAccessGuarded()) return;
    recordSite();
    faultLanding_ = trapStubs_.reasonLabel(bm_, TrapReason::MemoryOutOfBounds);
  }
  void endFaultSite() {
    if (bm_.lastAccessGuarded()) sites_->push_back({static_cast<uint32_t>(bm_.offset()), kNoWasmOffset});
  }

  Status finish(uint32_t area) {
    bm_.bind(epilogue_);
    const size_t exit = bm_.emitEpilogue();
    for (const FuelSite& s : fuelSites_) {
      bm_.patchHere(s.charge);
      curOffset_ = s.offset;
      trapIf(bm_.chargeFuel(s.cost), TrapReason::FuelExhausted);
      bm_.jmpBack(s.back);
    }
    fuelSites_.clear();
    trapStubs_.emit(bm_);
    bm_.emitTrapCommon(exit);
    if (propagate_.isValid()) {
      bm_.bind(propagate_);
      bm_.emitPropagate(exit);
    }
    for (const Table& t : tables_) bm_.embedJumpTable(t.label, t.entries);
    bm_.emitConstants();
    bm_.emitFrameConstants(uint64_t(numSlots_ + area + 1) * 16, 16);
    return {};
  }

  struct FuelSite {
    size_t charge = 0, back = 0;
    uint64_t cost = 1;
    uint32_t offset = 0;
  };

  Instance& inst_;
  const Module& m_;
  MacroAssembler& a_;
  BaselineMasm bm_;
  const opt::Func* f_ = nullptr;
  const opt::Allocation* al_ = nullptr;
  std::vector<CallFixup>* fixups_ = nullptr;
  std::vector<CodeSite>* sites_ = nullptr;
  std::vector<MLabel> labels_;
  std::vector<uint64_t> loopCost_;
  std::vector<uint32_t> uses_;
  TrapStubs<MLabel> trapStubs_;
  std::vector<FuelSite> fuelSites_;
  std::vector<Table> tables_;
  MLabel directEntry_, epilogue_, propagate_, faultLanding_;
  BlockId next_ = opt::kNoId;
  uint32_t numSlots_ = 0;
  uint32_t bodyOffset_ = 0, curOffset_ = 0;
};

class OptFunctionCompiler final : public FunctionCompiler {
 public:
  explicit OptFunctionCompiler(Instance& inst) : inst_(inst), types_(*inst.module), baseline_(inst), gen_(inst, masm_) {}

  Status compile(uint32_t funcIndex, std::vector<uint8_t>& out, std::vector<CallFixup>* fixups, OsrInfo* osr) override {
    optimized_ = false;
    // MYRT_OPT_ONLY=N (diagnostics: narrowing a difference down to one function): only function N is optimized
    static const long only = [] {
      const char* e = std::getenv("MYRT_OPT_ONLY");
      return e && *e ? std::strtol(e, nullptr, 10) : -1L;
    }();
    if (!fallback_ && (osr || (only >= 0 && only != long(funcIndex))))
      return Error(osr ? "OSR entries come from the baseline compiler" : "not optimized (MYRT_OPT_ONLY)");
    if (!osr && (only < 0 || only == long(funcIndex))) {  // (OSR entries: the baseline tier's frames only)
      const size_t outBefore = out.size(), fixupsBefore = fixups ? fixups->size() : 0;
      Status s = compileOpt(funcIndex, out, fixups);
      if (s.ok()) {
        optimized_ = true;
        return s;
      }
      out.resize(outBefore);
      if (fixups) fixups->resize(fixupsBefore);
      static const bool verbose = [] {
        const char* e = std::getenv("MYRT_OPT_VERBOSE");
        return e && *e && std::string(e) != "0";
      }();
      if (verbose)
        std::fprintf(stderr, "opt: function %u: %s: %s\n", funcIndex, fallback_ ? "baseline compiler" : "refused",
                     s.error().message.c_str());
      if (!fallback_) return s;
    }
    return baseline_.compile(funcIndex, out, fixups, osr);
  }
  const std::vector<CodeSite>& sites() const override { return optimized_ ? sites_ : baseline_.sites(); }
  uint32_t faultLanding() const override { return optimized_ ? faultLanding_ : baseline_.faultLanding(); }
  const std::vector<PtrSite>& ptrSites() const override { return optimized_ ? gen_.masm().ptrSites() : baseline_.ptrSites(); }
  const std::vector<TypeIdSite>& typeIdSites() const override { return optimized_ ? noTypeIds_ : baseline_.typeIdSites(); }
  bool optimized() const override { return optimized_; }
  void setBaselineFallback(bool on) override { fallback_ = on; }
  void setOsrLoop(uint32_t wasmOffset) override { osrLoop_ = wasmOffset; }
  // (optimized functions hold no GC references: check() refuses modules whose frames may)
  std::shared_ptr<const StackMaps> gcMaps() const override { return optimized_ ? nullptr : baseline_.gcMaps(); }

 private:
  Status compileOpt(uint32_t funcIndex, std::vector<uint8_t>& out, std::vector<CallFixup>* fixups) {
    auto built = opt::buildFunction(*inst_.module, types_, funcIndex, osrLoop_);
    if (!built.ok()) return built.error();
    opt::Func& f = *built;
    opt::optimize(f);
    opt::AllocTarget target;
    target.gpRegs = kNumGp;
    target.fpRegs = kNumFp;
    target.clobbers = &clobbersRegisters;
    auto al = opt::allocateRegisters(f, target);
    if (!al.ok()) return al.error();
    CodeHolder& code = code_;
    code.reset();
    code.init(Environment::host());
    errors_.failed = false;
    errors_.text.clear();
    code.setErrorHandler(&errors_);
    code.attach(&masm_);
    masm_.resetJumps();
    faultLanding_ = 0;
    if (Status s = gen_.run(f, *al, fixups, sites_); !s.ok()) return s;
    if (errors_.failed) return Error("jit: assembler: " + errors_.text);
    code.flatten();
    code.resolveUnresolvedLinks();
    if (code.hasUnresolvedLinks() || masm_.hasPendingJumps()) return Error("jit: internal error: unbound label");
    code.relocateToBase(0);
    if (errors_.failed) return Error("jit: assembler: " + errors_.text);
    if (code.labelOffsetFromBase(gen_.directEntry()) != ModuleCompiler::kDirectEntryOffset)
      return Error("jit: internal error: direct entry misplaced");
    if (gen_.faultLanding().isValid()) faultLanding_ = static_cast<uint32_t>(code.labelOffsetFromBase(gen_.faultLanding()));
    const size_t n = code.codeSize();
    const size_t at = out.size();
    out.resize(at + n);
    code.copyFlattenedData(out.data() + at, n, CopySectionFlags::kPadSectionBuffer);
    return {};
  }

  Instance& inst_;
  TypeContext types_;
  ModuleCompiler baseline_;
  CodeHolder code_;
  AsmErrorRecorder errors_;
  MacroAssembler masm_;
  OptCodegen gen_;
  std::vector<CodeSite> sites_;
  std::vector<TypeIdSite> noTypeIds_;
  uint32_t faultLanding_ = 0;
  bool optimized_ = false;
  bool fallback_ = true;  // setBaselineFallback
  uint32_t osrLoop_ = opt::Func::kNoOsr;  // setOsrLoop
};

}  // namespace

std::unique_ptr<FunctionCompiler> newOptCompiler(Instance& inst) { return std::make_unique<OptFunctionCompiler>(inst); }

}  // namespace myrt::jit::x64
