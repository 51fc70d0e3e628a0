// jit/opt/builder.cpp -- wasm body -> SSA IR (see builder.h).
#include "jit/opt/builder.h"

#include <cstring>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "runtime/valid/code_reader.h"
#include "runtime/valid/type_context.h"

namespace myrt::opt {
namespace {

class Builder;
using Reader = CodeReader<Builder, false>;

class Builder : public NullInterface {
 public:
  explicit Builder(Func& f) : f_(f) {}
  // The OSR version's target loop (Func::osrLoop); set before reading.
  void setOsrLoop(uint32_t offset) { f_.osrLoop = offset; }
  bool osrFound() const { return osrFound_; }
  void setReader(Reader* r) { r_ = r; }
  const std::string& failure() const { return failure_; }
  size_t failureOffset() const { return failureOffset_; }

  // ---- function ----
  void onFuncStart(uint32_t funcIndex, const CompositeType& ft) {
    f_.index = funcIndex;
    for (ValType t : ft.params) f_.params.push_back(tyOf(t.kind));
    for (ValType t : ft.results) f_.results.push_back(tyOf(t.kind));
    const auto locals = r_->locals();
    localTy_.clear();
    for (ValType t : locals) localTy_.push_back(tyOf(t.kind));
    cur_ = newBlock();
    seal(cur_);
    if (f_.osrLoop != Func::kNoOsr) {  // OSR version: block 0 gets its parameters at the loop; the code before it is dead
      cur_ = newBlock();
      seal(cur_);
      for (size_t i = 0; i < locals.size(); ++i) writeLocal(static_cast<uint32_t>(i), cur_, zeroOf(localTy_[i]));
      return;
    }
    for (size_t i = 0; i < ft.params.size(); ++i) writeLocal(static_cast<uint32_t>(i), cur_, newParam(cur_, f_.params[i]));
    for (size_t i = ft.params.size(); i < locals.size(); ++i)
      writeLocal(static_cast<uint32_t>(i), cur_, zeroOf(localTy_[i]));
  }

  // ---- control ----
  void onBlock(const Instr&, ControlEntry& c) {
    Ctl ctl;
    ctl.kind = CtrlKind::Block;
    ctl.live = live();
    if (ctl.live) ctl.merge = newBlock(c.results());
    pushCtl(c, std::move(ctl));
    sync();
  }
  void onLoop(const Instr&, ControlEntry& c) {
    Ctl ctl;
    ctl.kind = CtrlKind::Loop;
    ctl.live = live();
    if (ctl.live) {
      ctl.header = newBlock(c.params());
      std::vector<ValueId> args = popN(c.numParams);
      jump(ctl.header, std::move(args));
      if (f_.osrLoop == c.offset && !osrFound_) enterOsr(ctl.header, c);
      cur_ = ctl.header;
      for (uint32_t i = 0; i < c.numParams; ++i) vs_.push_back(f_.blocks[ctl.header].params[i]);
    }
    pushCtl(c, std::move(ctl));
    sync();
  }
  void onIf(const Instr&, ControlEntry& c) {
    Ctl ctl;
    ctl.kind = CtrlKind::If;
    ctl.live = live();
    if (ctl.live) {
      const ValueId cond = pop();
      ctl.merge = newBlock(c.results());
      const BlockId thenB = newBlock(), elseB = newBlock();
      ctl.elseBlock = elseB;
      ctl.params.assign(vs_.end() - c.numParams, vs_.end());
      terminate(Kind::Branch, {cond}, {{thenB, {}}, {elseB, {}}});
      seal(thenB);
      seal(elseB);
      cur_ = thenB;
    }
    pushCtl(c, std::move(ctl));
    sync();
  }
  void onElse(ControlEntry& c) {
    if (!failure_.empty()) return;
    Ctl& ctl = ctl_[c.user];
    ctl.elseSeen = true;
    if (ctl.live) {
      if (live()) jump(ctl.merge, topN(c.results().size()));
      vs_.resize(c.height);
      vs_.insert(vs_.end(), ctl.params.begin(), ctl.params.end());
      cur_ = ctl.elseBlock;
    }
  }
  void onEnd(ControlEntry& c) {
    if (!failure_.empty()) {  // the build has failed: only keep the control records in step
      if (c.kind != CtrlKind::Func && !ctl_.empty()) ctl_.pop_back();
      return;
    }
    if (c.kind == CtrlKind::Func) {
      if (live()) terminate(Kind::Return, topN(c.numResults), {});
      return;
    }
    Ctl ctl = std::move(ctl_.back());
    ctl_.pop_back();
    const uint32_t nres = static_cast<uint32_t>(c.results().size());
    if (!ctl.live) {  // the whole construct was unreachable
      cur_ = kNoId;
      vs_.resize(c.height);
      vs_.resize(c.height + nres, kNoId);
      return;
    }
    if (ctl.kind == CtrlKind::Loop) {
      seal(ctl.header);
      if (!live()) {  // (values below the loop stay: an enclosing if's else arm may use them)
        vs_.resize(c.height);
        vs_.resize(c.height + nres, kNoId);
      }
      return;
    }
    if (live()) jump(ctl.merge, topN(nres));
    if (ctl.kind == CtrlKind::If && !ctl.elseSeen) {  // the missing else passes the params through
      cur_ = ctl.elseBlock;
      jump(ctl.merge, ctl.params);
    }
    seal(ctl.merge);
    vs_.resize(c.height);
    if (f_.blocks[ctl.merge].preds.empty()) {
      f_.blocks[ctl.merge].removed = true;
      cur_ = kNoId;
      vs_.resize(c.height + nres, kNoId);
    } else {
      cur_ = ctl.merge;
      for (uint32_t i = 0; i < nres; ++i) vs_.push_back(f_.blocks[ctl.merge].params[i]);
    }
  }
  void onBr(uint32_t depth, ControlEntry& target) {
    if (!live()) return sync();
    branchTo(depth, target, topN(target.labelTypes().size()));
    sync();
  }
  void onBrIf(uint32_t depth, ControlEntry& target) {
    if (!live()) return sync();
    const ValueId cond = pop();
    std::vector<ValueId> args = topN(target.labelTypes().size());
    BlockId taken;
    if (target.kind == CtrlKind::Func) {  // a conditional return: the taken edge enters a block returning them
      taken = returnBlock(args);
      args.clear();
    } else {
      taken = labelBlock(depth);
    }
    const BlockId next = newBlock();
    terminate(Kind::Branch, {cond}, {{taken, std::move(args)}, {next, {}}});
    seal(next);
    cur_ = next;
    sync();
  }
  void onBrTable(const Instr& in) {
    if (!live()) return sync();
    const ValueId index = pop();
    std::vector<std::pair<BlockId, std::vector<ValueId>>> succs;
    std::vector<std::pair<uint32_t, BlockId>> returns;  // one return block per switch
    for (uint32_t depth : in.targets) {
      ControlEntry& target = r_->control(depth);
      std::vector<ValueId> args = topN(target.labelTypes().size());
      if (target.kind == CtrlKind::Func) {
        BlockId rb = kNoId;
        for (auto& [d, b] : returns)
          if (d == depth) rb = b;
        if (rb == kNoId) {
          rb = returnBlock(args);
          returns.push_back({depth, rb});
        }
        succs.push_back({rb, {}});
      } else {
        succs.push_back({labelBlock(depth), std::move(args)});
      }
    }
    terminate(Kind::Switch, {index}, std::move(succs));
    sync();
  }
  void onReturn() {
    if (!live()) return sync();
    terminate(Kind::Return, topN(f_.results.size()), {});
    sync();
  }
  void onUnreachable() {
    if (!live()) return sync();
    const ValueId t = add(Kind::Trap, Ty::None, Op::Unreachable, {});
    f_.insts[t].imm = static_cast<uint64_t>(TrapReason::Unreachable);
    cur_ = kNoId;
    sync();
  }

  // ---- calls ----
  void onCall(uint32_t funcIndex, const CompositeType& ft) {
    if (!live()) return sync();
    std::vector<ValueId> args = popN(ft.params.size());
    pushResults(add(Kind::Call, ft.results.size() == 1 ? tyOf(ft.results[0].kind) : Ty::None, Op::Call,
                    std::move(args), funcIndex),
                ft);
    sync();
  }
  void onCallIndirect(uint32_t typeIndex, uint32_t tableIndex, const CompositeType& ft) {
    if (!live()) return sync();
    const ValueId index = pop();
    std::vector<ValueId> args = popN(ft.params.size());
    args.push_back(index);
    const ValueId call = add(Kind::CallIndirect, ft.results.size() == 1 ? tyOf(ft.results[0].kind) : Ty::None,
                             Op::CallIndirect, std::move(args), typeIndex);
    f_.insts[call].imm = tableIndex;
    pushResults(call, ft);
    sync();
  }
  void onCallRef(uint32_t, const CompositeType&) { unsupported(); }
  void onReturnCall(uint32_t, const CompositeType&) { unsupported(); }
  void onReturnCallIndirect(uint32_t, uint32_t, const CompositeType&) { unsupported(); }
  void onReturnCallRef(uint32_t, const CompositeType&) { unsupported(); }
  void onThrow(uint32_t, const CompositeType&) { unsupported(); }
  void onThrowRef() { unsupported(); }
  void onTryTable(const Instr&, ControlEntry& c) { unsupportedBlock(c); }
  void onTry(const Instr&, ControlEntry& c) { unsupportedBlock(c); }
  void onCatch(uint32_t, ControlEntry&) { unsupported(); }
  void onCatchAll(ControlEntry&) { unsupported(); }
  void onDelegate(uint32_t, ControlEntry&) { unsupported(); }
  void onRethrow(uint32_t, ControlEntry&) { unsupported(); }
  void onBrOnNull(uint32_t, ControlEntry&, ValType) { unsupported(); }
  void onBrOnNonNull(uint32_t, ControlEntry&, ValType) { unsupported(); }
  void onGc(const Instr&) { unsupported(); }
  void onAtomic(const Instr&, ValType) { unsupported(); }

  // ---- values ----
  void onDrop(ValType) {
    if (!live()) return sync();
    pop();
    sync();
  }
  void onSelect(ValType) {
    if (!live()) return sync();
    const ValueId cond = pop(), b = pop(), a = pop();
    vs_.push_back(add(Kind::Select, f_.insts[a].ty, Op::Select, {a, b, cond}));
    sync();
  }
  void onLocalGet(uint32_t i, ValType) {
    if (!live()) return sync();
    vs_.push_back(readLocal(i, cur_));
    sync();
  }
  void onLocalSet(uint32_t i, ValType) {
    if (!live()) return sync();
    writeLocal(i, cur_, pop());
    sync();
  }
  void onLocalTee(uint32_t i, ValType) {
    if (!live()) return sync();
    writeLocal(i, cur_, vs_.back());
    sync();
  }
  void onGlobalGet(uint32_t i, const GlobalType& g) {
    if (!live()) return sync();
    vs_.push_back(add(Kind::GlobalGet, tyOf(g.type.kind), Op::GlobalGet, {}, i));
    sync();
  }
  void onGlobalSet(uint32_t i, const GlobalType&) {
    if (!live()) return sync();
    const ValueId v = pop();
    add(Kind::GlobalSet, Ty::None, Op::GlobalSet, {v}, i);
    sync();
  }
  void onConst(const Instr& in) {
    if (!live()) return sync();
    switch (in.op) {
      case Op::I32Const: vs_.push_back(constant(Ty::I32, static_cast<uint32_t>(in.i32))); break;
      case Op::I64Const: vs_.push_back(constant(Ty::I64, static_cast<uint64_t>(in.i64))); break;
      case Op::F32Const: vs_.push_back(constant(Ty::F32, in.f32bits)); break;
      case Op::F64Const: vs_.push_back(constant(Ty::F64, in.f64bits)); break;
      default: {  // v128.const
        V128 c;
        std::memcpy(c.bytes, in.bytes, 16);
        vs_.push_back(constantV128(c));
        break;
      }
    }
    sync();
  }
  void onSimple(const Instr& in) {
    if (!live()) return sync();
    const OpInfo& info = opInfo(in.op);
    if (!isNumericOp(in.op)) return unsupported();
    std::vector<ValueId> args = popN(info.sig.numParams);
    uint32_t imm = kNoId;
    if (info.imm == ImmKind::Lane) {
      V128 c = V128::zero();
      c.bytes[0] = in.lane;
      imm = pool(c);
    } else if (info.imm == ImmKind::Shuffle) {
      V128 c;
      std::memcpy(c.bytes, in.bytes, 16);
      imm = pool(c);
    }
    const Ty ty = info.sig.numResults ? tyOf(info.sig.results[0]) : Ty::None;
    const ValueId v = add(Kind::Numeric, ty, in.op, std::move(args), imm);
    if (ty != Ty::None) vs_.push_back(v);
    sync();
  }
  void onLoad(const Instr& in, ValType) {
    if (!live()) return sync();
    if (opInfo(in.op).imm != ImmKind::MemArg) return unsupported();
    const ValueId addr = pop();
    const ValueId v = add(Kind::Load, tyOf(opInfo(in.op).sig.results[0]), in.op, {addr}, in.mem.memory);
    f_.insts[v].imm = in.mem.offset;
    vs_.push_back(v);
    sync();
  }
  void onStore(const Instr& in, ValType) {
    if (!live()) return sync();
    if (opInfo(in.op).imm != ImmKind::MemArg) return unsupported();
    const ValueId value = pop(), addr = pop();
    const ValueId v = add(Kind::Store, Ty::None, in.op, {addr, value}, in.mem.memory);
    f_.insts[v].imm = in.mem.offset;
    sync();
  }
  void onMemoryOp(const Instr& in, ValType) { opaque(in); }
  void onTableOp(const Instr& in, const TableType&) { opaque(in); }
  void onRefNull(ValType) {
    if (!live()) return sync();
    vs_.push_back(constant(Ty::Ref, 0));
    sync();
  }
  void onRefIsNull(ValType) { opaque(r_->instr()); }
  void onRefFunc(uint32_t, ValType) { opaque(r_->instr()); }
  void onRefAsNonNull(ValType) { opaque(r_->instr()); }
  void onRefEq() { opaque(r_->instr()); }

  // After the reader has finished: drop trivial parameters, forward every use, compact parameter lists.
  void finish() {
    if (f_.osrLoop != Func::kNoOsr) removeUnreachableBlocks(f_);  // the code before the OSR loop
    removeTrivialParams();
    std::vector<uint8_t> drop(f_.insts.size(), 0);
    for (ValueId v = 0; v < alias_.size(); ++v) drop[v] = f_.insts[v].kind == Kind::Param && alias_[v] != kNoId;
    forwardUses(f_, alias_);
    dropParams(f_, drop);
  }

 private:
  struct Ctl {
    CtrlKind kind = CtrlKind::Block;
    bool live = false;      // reachable at its start
    bool elseSeen = false;
    BlockId merge = kNoId;  // block/if: where `end` and branches to the label continue
    BlockId header = kNoId; // loop: the header branches to the label go to
    BlockId elseBlock = kNoId;
    std::vector<ValueId> params;  // if: the operands it started with (for the else arm)
  };

  bool live() const { return cur_ != kNoId && failure_.empty(); }
  // The operand stack mirrors the reader's: exact while reachable; in unreachable code (where the reader's stack is
  // polymorphic) it is resized to the reader's height with placeholders.
  void sync() {
    if (!live()) vs_.resize(r_->stack().size(), kNoId);
    else if (vs_.size() != r_->stack().size()) internal("operand stack out of step");
  }
  // A bug of the builder (never expected): the build fails with this message instead of producing wrong IR.
  void internal(const char* what) {
    if (failure_.empty()) {
      failure_ = std::string("internal error in the optimizing tier's IR builder: ") + what + " at " +
                 std::string(opName(r_->instr().op));
      failureOffset_ = r_->instr().offset;
    }
    cur_ = kNoId;
    vs_.resize(r_->stack().size(), kNoId);
  }
  void unsupported() {
    if (failure_.empty()) {
      failure_ = "unsupported in the optimizing tier: " + std::string(opName(r_->instr().op));
      failureOffset_ = r_->instr().offset;
    }
    cur_ = kNoId;
    sync();
  }
  // A construct the IR does not model that opens a label (try_table, try): a record so that its `end` stays in step.
  void unsupportedBlock(ControlEntry& c) {
    pushCtl(c, Ctl{});
    unsupported();
  }
  void pushCtl(ControlEntry& c, Ctl ctl) {
    c.user = ctl_.size();
    ctl_.push_back(std::move(ctl));
  }

  ValueId pop() {
    if (vs_.empty()) {
      internal("operand stack underflow");
      return kNoId;
    }
    const ValueId v = vs_.back();
    vs_.pop_back();
    return v;
  }
  std::vector<ValueId> popN(size_t n) {
    std::vector<ValueId> out = topN(n);
    vs_.resize(vs_.size() - out.size());
    return out;
  }
  std::vector<ValueId> topN(size_t n) {
    if (n > vs_.size()) {
      internal("operand stack underflow");
      return {};
    }
    return {vs_.end() - static_cast<std::ptrdiff_t>(n), vs_.end()};
  }

  // ---- construction ----
  BlockId newBlock(std::span<const ValType> params = {}) {
    const BlockId b = static_cast<BlockId>(f_.blocks.size());
    f_.blocks.emplace_back();
    sealed_.push_back(0);
    incomplete_.emplace_back();
    for (ValType t : params) newParam(b, tyOf(t.kind));
    return b;
  }
  ValueId newInst(Inst in) {
    const ValueId id = static_cast<ValueId>(f_.insts.size());
    f_.insts.push_back(std::move(in));
    alias_.push_back(kNoId);
    return id;
  }
  // A parameter of block b; edges already arriving get a placeholder argument, filled when it is known.
  ValueId newParam(BlockId b, Ty ty) {
    Inst in;
    in.kind = Kind::Param;
    in.ty = ty;
    in.block = b;
    in.aux = b;
    in.imm = f_.blocks[b].params.size();
    const ValueId p = newInst(std::move(in));
    f_.blocks[b].params.push_back(p);
    for (const PredRef& pr : f_.blocks[b].preds) f_.blocks[pr.from].succs[pr.succ].args.push_back(kNoId);
    return p;
  }
  ValueId add(Kind k, Ty ty, Op op, std::vector<ValueId> args, uint32_t aux = 0) {
    Inst in;
    in.kind = k;
    in.op = op;
    in.ty = ty;
    in.block = cur_;
    in.aux = aux;
    in.offset = static_cast<uint32_t>(r_->instr().offset);
    in.args = std::move(args);
    const ValueId v = newInst(std::move(in));
    if (cur_ != kNoId) f_.blocks[cur_].insts.push_back(v);  // (kNoId only after an internal error: the build fails)
    return v;
  }
  ValueId constant(Ty ty, uint64_t bits) {
    const ValueId v = add(Kind::Const, ty, Op::Nop, {});
    f_.insts[v].imm = bits;
    return v;
  }
  uint32_t pool(const V128& c) {
    f_.v128s.push_back(c);
    return static_cast<uint32_t>(f_.v128s.size() - 1);
  }
  ValueId constantV128(const V128& c) { return add(Kind::Const, Ty::V128, Op::Nop, {}, pool(c)); }
  // The zero (or null) of a type, made once in the entry block: the initial value of declared locals and the value of
  // a local read where no definition reaches (a block without predecessors).
  ValueId zeroOf(Ty ty) {
    ValueId& z = zeros_[static_cast<unsigned>(ty)];
    if (z != kNoId) return z;
    Inst in;
    in.kind = Kind::Const;
    in.ty = ty;
    in.block = 0;
    in.aux = ty == Ty::V128 ? pool(V128::zero()) : 0;
    z = newInst(std::move(in));
    std::vector<ValueId>& entry = f_.blocks[0].insts;
    entry.insert(entry.begin(), z);
    return z;
  }
  void addEdge(BlockId from, BlockId to, std::vector<ValueId> args) {
    Block& target = f_.blocks[to];
    args.resize(target.params.size(), kNoId);  // placeholders for parameters added by the SSA construction
    f_.blocks[from].succs.push_back({to, std::move(args)});
    target.preds.push_back({from, static_cast<uint32_t>(f_.blocks[from].succs.size() - 1)});
  }
  void terminate(Kind k, std::vector<ValueId> args, std::vector<std::pair<BlockId, std::vector<ValueId>>> succs) {
    const BlockId from = cur_;
    if (from == kNoId) return;  // (only after an internal error: the build fails)
    add(k, Ty::None, Op::Nop, std::move(args));
    for (auto& [to, a] : succs) addEdge(from, to, std::move(a));
    cur_ = kNoId;
  }
  void jump(BlockId to, std::vector<ValueId> args) { terminate(Kind::Jump, {}, {{to, std::move(args)}}); }
  BlockId returnBlock(const std::vector<ValueId>& results) {
    const BlockId saved = cur_, rb = newBlock();
    cur_ = rb;
    terminate(Kind::Return, results, {});
    cur_ = saved;
    return rb;
  }
  // The block a branch to label `depth` enters (a loop's header, a block's or if's merge).
  BlockId labelBlock(uint32_t depth) {
    const ControlEntry& c = r_->control(depth);
    const Ctl& ctl = ctl_[c.user];
    return c.kind == CtrlKind::Loop ? ctl.header : ctl.merge;
  }
  void branchTo(uint32_t depth, ControlEntry& target, std::vector<ValueId> args) {
    if (target.kind == CtrlKind::Func) return terminate(Kind::Return, std::move(args), {});
    jump(labelBlock(depth), std::move(args));
  }
  void pushResults(ValueId call, const CompositeType& ft) {
    if (ft.results.size() == 1) {
      vs_.push_back(call);
    } else {
      for (size_t i = 0; i < ft.results.size(); ++i) {
        const ValueId p = add(Kind::Proj, tyOf(ft.results[i].kind), Op::Nop, {call});
        f_.insts[p].imm = i;
        vs_.push_back(p);
      }
    }
  }
  void opaque(const Instr& in) {
    if (!live()) return sync();
    // Operand and result counts: the reader has typed the instruction, so its stack now ends with the results.
    unsigned nparams = 0, nresults = 0;
    switch (in.op) {
      case Op::MemorySize: nresults = 1; break;
      case Op::MemoryGrow: nparams = 1, nresults = 1; break;
      case Op::MemoryFill: case Op::MemoryCopy: case Op::MemoryInit: nparams = 3; break;
      case Op::DataDrop: case Op::ElemDrop: break;
      case Op::TableGet: nparams = 1, nresults = 1; break;
      case Op::TableSet: nparams = 2; break;
      case Op::TableSize: nresults = 1; break;
      case Op::TableGrow: nparams = 2, nresults = 1; break;
      case Op::TableFill: case Op::TableCopy: case Op::TableInit: nparams = 3; break;
      case Op::RefIsNull: case Op::RefAsNonNull: nparams = 1, nresults = 1; break;
      case Op::RefFunc: nresults = 1; break;
      case Op::RefEq: nparams = 2, nresults = 1; break;
      default: return unsupported();
    }
    std::vector<ValueId> args = popN(nparams);
    const Ty ty = nresults ? tyOf(r_->stack().back().kind) : Ty::None;
    const ValueId v = add(Kind::Opaque, ty, in.op, std::move(args), in.idx);
    f_.insts[v].imm = in.idx2;
    if (nresults) vs_.push_back(v);
    sync();
  }

  // The OSR version at loop `c` (its header just created and entered from the code before it): block 0's parameters
  // are the frame's slots -- every local, then the loop's params -- and it jumps to the header. Only for a loop with
  // nothing below it on the operand stack: a value below it would be used after the enclosing constructs' ends, which
  // paths that bypass the loop (an else arm, a branch out before it) also reach with their own value, so it cannot
  // simply become a parameter of block 0 (LLVM's loops sit at statement level: their operand stack is empty).
  void enterOsr(BlockId header, const ControlEntry& c) {
    if (!vs_.empty()) {
      if (failure_.empty()) {
        failure_ = "no OSR version for a loop with values below it on the operand stack";
        failureOffset_ = c.offset;
      }
      return;
    }
    osrFound_ = true;
    cur_ = 0;
    for (uint32_t i = 0; i < localTy_.size(); ++i) {
      // (a v128 or reference local of a function whose optimized code has no such values is never read live: its slot
      // stays an unused i64 parameter and its reads get the zero)
      const bool plain = localTy_[i] != Ty::V128 && localTy_[i] != Ty::Ref;
      const ValueId p = newParam(0, plain ? localTy_[i] : Ty::I64);
      writeLocal(i, 0, plain ? p : zeroOf(localTy_[i]));
    }
    std::vector<ValueId> args;
    for (ValType t : c.params()) args.push_back(newParam(0, tyOf(t.kind)));
    jump(header, std::move(args));
  }

  // ---- SSA construction for locals ----
  static uint64_t key(BlockId b, uint32_t local) { return (uint64_t(b) << 32) | local; }
  void writeLocal(uint32_t local, BlockId b, ValueId v) { defs_[key(b, local)] = v; }
  ValueId resolve(ValueId v) { return forwarded(alias_, v); }
  // The value of `local` at the end of (what is built so far of) block b. Never recurses: single-predecessor chains
  // are walked in a loop, and a merge's new parameter gets its incoming values through pending_ (fill()).
  ValueId readLocal(uint32_t local, BlockId b) {
    const ValueId v = lookup(local, b);
    fill();
    return v;
  }
  ValueId lookup(uint32_t local, BlockId b) {
    chain_.clear();
    ValueId v = kNoId;
    for (;;) {
      if (auto it = defs_.find(key(b, local)); it != defs_.end()) {
        v = it->second;
        break;
      }
      Block& bl = f_.blocks[b];
      if (!sealed_[b]) {
        v = newParam(b, localTy_[local]);
        incomplete_[b].push_back({local, v});
        break;
      }
      if (bl.preds.empty()) {
        v = zeroOf(localTy_[local]);
        break;
      }
      if (bl.preds.size() == 1) {
        chain_.push_back(b);
        b = bl.preds[0].from;
        continue;
      }
      v = newParam(b, localTy_[local]);
      pending_.push_back({local, v});
      break;
    }
    writeLocal(local, b, v);
    for (BlockId c : chain_) writeLocal(local, c, v);
    return v;
  }
  // Gives every parameter in pending_ its incoming values (which may queue more parameters).
  void fill() {
    while (!pending_.empty()) {
      auto [local, p] = pending_.back();
      pending_.pop_back();
      const Inst& pi = f_.insts[p];
      const BlockId b = pi.aux;
      const size_t idx = pi.imm;
      for (size_t k = 0; k < f_.blocks[b].preds.size(); ++k) {
        const PredRef pr = f_.blocks[b].preds[k];
        const ValueId v = lookup(local, pr.from);
        f_.blocks[pr.from].succs[pr.succ].args[idx] = v;
      }
    }
  }
  void seal(BlockId b) {
    if (sealed_[b]) return;
    sealed_[b] = 1;
    std::vector<std::pair<uint32_t, ValueId>> inc = std::move(incomplete_[b]);
    incomplete_[b].clear();
    for (auto& lp : inc) pending_.push_back(lp);
    fill();
  }
  // A parameter is trivial when every incoming value is the same value or the parameter itself: it is forwarded to
  // that value (a parameter with no other incoming value, of an unreachable block, to its type's zero).
  void removeTrivialParams() {
    for (bool changed = true; changed;) {
      changed = false;
      for (BlockId b = 0; b < f_.blocks.size(); ++b) {
        Block& bl = f_.blocks[b];
        if (b == 0) continue;  // the function's parameters
        for (size_t i = 0; i < bl.params.size(); ++i) {
          const ValueId p = bl.params[i];
          if (alias_[p] != kNoId) continue;
          ValueId same = kNoId;
          bool trivial = true;
          for (const PredRef& pr : bl.preds) {
            const ValueId a = resolve(f_.blocks[pr.from].succs[pr.succ].args[i]);
            if (a == p || a == same) continue;
            if (same != kNoId) {
              trivial = false;
              break;
            }
            same = a;
          }
          if (!trivial) continue;
          alias_[p] = same == kNoId ? zeroOf(f_.insts[p].ty) : same;
          changed = true;
        }
      }
    }
  }

  Func& f_;
  Reader* r_ = nullptr;
  BlockId cur_ = kNoId;  // the block being filled; kNoId in unreachable code
  std::vector<ValueId> vs_;
  std::vector<Ty> localTy_;
  std::vector<Ctl> ctl_;
  std::unordered_map<uint64_t, ValueId> defs_;
  std::vector<uint8_t> sealed_;
  std::vector<std::vector<std::pair<uint32_t, ValueId>>> incomplete_;
  std::vector<std::pair<uint32_t, ValueId>> pending_;
  std::vector<BlockId> chain_;
  std::vector<ValueId> alias_;
  ValueId zeros_[7] = {kNoId, kNoId, kNoId, kNoId, kNoId, kNoId, kNoId};
  std::string failure_;
  size_t failureOffset_ = 0;
  bool osrFound_ = false;
};

}  // namespace

Result<Func> buildFunction(const Module& m, uint32_t funcIndex) {
  const TypeContext ctx(m);
  return buildFunction(m, ctx, funcIndex);
}

Result<Func> buildFunction(const Module& m, const TypeContext& ctx, uint32_t funcIndex, uint32_t osrLoop) {
  if (funcIndex >= m.funcs.size() || m.funcs[funcIndex].imported) return Error("not a defined function");
  Func f;
  Builder b(f);
  b.setOsrLoop(osrLoop);
  Reader reader(ctx, b);
  b.setReader(&reader);
  if (Status s = reader.readFunction(funcIndex); !s.ok()) return s.error();
  if (!b.failure().empty()) return Error(b.failureOffset(), b.failure());
  if (osrLoop != Func::kNoOsr && !b.osrFound()) return Error("OSR loop not found");
  b.finish();
  return f;
}

}  // namespace myrt::opt
