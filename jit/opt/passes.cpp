// jit/opt/passes.cpp -- constant folding, value numbering, dead code elimination and control-flow cleanup (passes.h).
#include "jit/opt/passes.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "jit/opt/cfg.h"

namespace myrt::opt {

bool numericMayTrap(Op op) {
  switch (op) {
    case Op::I32DivS: case Op::I32DivU: case Op::I32RemS: case Op::I32RemU:
    case Op::I64DivS: case Op::I64DivU: case Op::I64RemS: case Op::I64RemU:
    case Op::I32TruncF32S: case Op::I32TruncF32U: case Op::I32TruncF64S: case Op::I32TruncF64U:
    case Op::I64TruncF32S: case Op::I64TruncF32U: case Op::I64TruncF64S: case Op::I64TruncF64U:
      return true;
    default:
      return false;
  }
}

namespace {

bool isConst(const Func& f, ValueId v) { return f.insts[v].kind == Kind::Const; }

// A constant's value in the carrier evalNumeric takes (scalars in the low bytes).
V128 carrierOf(const Func& f, ValueId v) {
  const Inst& in = f.insts[v];
  if (in.ty == Ty::V128) return f.v128s[in.aux];
  V128 c = V128::zero();
  std::memcpy(c.bytes, &in.imm, in.ty == Ty::I32 || in.ty == Ty::F32 ? 4 : 8);
  return c;
}

// Turns instruction v into the constant `c` of its type.
void makeConst(Func& f, ValueId v, const V128& c) {
  Inst& in = f.insts[v];
  in.kind = Kind::Const;
  in.op = Op::Nop;
  in.args.clear();
  if (in.ty == Ty::V128) {
    f.v128s.push_back(c);
    in.aux = static_cast<uint32_t>(f.v128s.size() - 1);
    in.imm = 0;
  } else {
    uint64_t bits = 0;
    std::memcpy(&bits, c.bytes, in.ty == Ty::I32 || in.ty == Ty::F32 ? 4 : 8);
    in.imm = bits;
    in.aux = 0;
  }
}
void makeIntConst(Func& f, ValueId v, uint64_t x) {
  V128 c = V128::zero();
  std::memcpy(c.bytes, &x, 8);
  makeConst(f, v, c);
}

// The integer value of constant v (i32 zero-extended), or nullopt-like `ok = false`.
bool intConst(const Func& f, ValueId v, uint64_t* out) {
  const Inst& in = f.insts[v];
  if (in.kind != Kind::Const || (in.ty != Ty::I32 && in.ty != Ty::I64)) return false;
  *out = in.imm;
  return true;
}

enum class Simplified { No, ToArg0, ToArg1, ToZero, ToOne, ToAllOnes };

// Integer identities of binary operator `op` on (a, b) (never for floats).
Simplified simplifyInt(const Func& f, Op op, ValueId a, ValueId b, bool is64) {
  uint64_t ka = 0, kb = 0;
  const bool ca = intConst(f, a, &ka), cb = intConst(f, b, &kb);
  const uint64_t ones = is64 ? ~uint64_t(0) : 0xffffffffull;
  const uint64_t shiftMask = is64 ? 63 : 31;
  auto one = [&](uint64_t k) { return k == 1; };
  switch (op) {
    case Op::I32Add: case Op::I64Add:
      if (cb && kb == 0) return Simplified::ToArg0;
      if (ca && ka == 0) return Simplified::ToArg1;
      return Simplified::No;
    case Op::I32Sub: case Op::I64Sub:
      if (cb && kb == 0) return Simplified::ToArg0;
      if (a == b) return Simplified::ToZero;
      return Simplified::No;
    case Op::I32Mul: case Op::I64Mul:
      if (cb && one(kb)) return Simplified::ToArg0;
      if (ca && one(ka)) return Simplified::ToArg1;
      if ((cb && kb == 0) || (ca && ka == 0)) return Simplified::ToZero;
      return Simplified::No;
    case Op::I32And: case Op::I64And:
      if (cb && kb == ones) return Simplified::ToArg0;
      if (ca && ka == ones) return Simplified::ToArg1;
      if ((cb && kb == 0) || (ca && ka == 0)) return Simplified::ToZero;
      if (a == b) return Simplified::ToArg0;
      return Simplified::No;
    case Op::I32Or: case Op::I64Or:
      if (cb && kb == 0) return Simplified::ToArg0;
      if (ca && ka == 0) return Simplified::ToArg1;
      if ((cb && kb == ones) || (ca && ka == ones)) return Simplified::ToAllOnes;
      if (a == b) return Simplified::ToArg0;
      return Simplified::No;
    case Op::I32Xor: case Op::I64Xor:
      if (cb && kb == 0) return Simplified::ToArg0;
      if (ca && ka == 0) return Simplified::ToArg1;
      if (a == b) return Simplified::ToZero;
      return Simplified::No;
    case Op::I32Shl: case Op::I32ShrS: case Op::I32ShrU: case Op::I32Rotl: case Op::I32Rotr:
    case Op::I64Shl: case Op::I64ShrS: case Op::I64ShrU: case Op::I64Rotl: case Op::I64Rotr:
      if (cb && (kb & shiftMask) == 0) return Simplified::ToArg0;
      return Simplified::No;
    case Op::I32Eq: case Op::I64Eq: case Op::I32LeS: case Op::I32LeU: case Op::I32GeS: case Op::I32GeU:
    case Op::I64LeS: case Op::I64LeU: case Op::I64GeS: case Op::I64GeU:
      return a == b ? Simplified::ToOne : Simplified::No;
    case Op::I32Ne: case Op::I64Ne: case Op::I32LtS: case Op::I32LtU: case Op::I32GtS: case Op::I32GtU:
    case Op::I64LtS: case Op::I64LtU: case Op::I64GtS: case Op::I64GtU:
      return a == b ? Simplified::ToZero : Simplified::No;
    default:
      return Simplified::No;
  }
}

bool isIntBinary(const Inst& in) {
  if (in.kind != Kind::Numeric || in.args.size() != 2) return false;
  const OpSig& sig = opInfo(in.op).sig;
  return (sig.params[0] == ValKind::I32 || sig.params[0] == ValKind::I64) && sig.params[0] == sig.params[1];
}

// Makes block b's terminator a jump along its successor `keep` (the others are dropped).
void jumpOnly(Func& f, BlockId b, size_t keep) {
  Block& bl = f.blocks[b];
  Inst& t = f.insts[bl.insts.back()];
  t.kind = Kind::Jump;
  t.args.clear();
  Edge e = std::move(bl.succs[keep]);
  bl.succs.clear();
  bl.succs.push_back(std::move(e));
}

bool hasEffect(const Inst& in) {
  switch (in.kind) {
    case Kind::Const:
    case Kind::Param:
    case Kind::Select:
    case Kind::GlobalGet:
    case Kind::Proj:
      return false;
    case Kind::Numeric:
      return numericMayTrap(in.op);
    default:  // loads (may trap), stores, calls, global.set, opaque instructions, terminators
      return true;
  }
}

// Parameters whose incoming values are all one value (or the parameter itself) are forwarded to it (to a fixed point).
bool forwardTrivialParams(Func& f) {
  std::vector<ValueId> repl(f.insts.size(), kNoId);
  std::vector<uint8_t> drop(f.insts.size(), 0);
  bool any = false;
  for (bool changed = true; changed;) {
    changed = false;
    for (BlockId b = 1; b < f.blocks.size(); ++b) {  // (the entry's parameters are the function's)
      Block& bl = f.blocks[b];
      if (bl.removed) continue;
      for (size_t i = 0; i < bl.params.size(); ++i) {
        const ValueId p = bl.params[i];
        if (drop[p]) continue;
        ValueId same = kNoId;
        bool trivial = !bl.preds.empty();
        for (const PredRef& pr : bl.preds) {
          const ValueId a = forwarded(repl, f.blocks[pr.from].succs[pr.succ].args[i]);
          if (a == p || a == same) continue;
          if (same != kNoId) {
            trivial = false;
            break;
          }
          same = a;
        }
        if (!trivial || same == kNoId) continue;
        repl[p] = same;
        drop[p] = 1;
        changed = any = true;
      }
    }
  }
  if (!any) return false;
  forwardUses(f, repl);
  dropParams(f, drop);
  return true;
}

}  // namespace

bool foldConstants(Func& f) {
  bool changed = false, cfgChanged = false;
  std::vector<ValueId> repl(f.insts.size(), kNoId);
  const Cfg cfg(f);
  for (BlockId b : cfg.rpo()) {
    Block& bl = f.blocks[b];
    for (ValueId id : bl.insts) {
      Inst& in = f.insts[id];
      for (ValueId& a : in.args) a = forwarded(repl, a);
      switch (in.kind) {
        case Kind::Numeric: {
          bool allConst = true;
          for (ValueId a : in.args) allConst &= isConst(f, a);
          if (allConst) {
            V128 args[3];
            for (size_t i = 0; i < in.args.size() && i < 3; ++i) args[i] = carrierOf(f, in.args[i]);
            const V128 imm = in.aux != kNoId ? f.v128s[in.aux] : V128::zero();
            const NumResult<V128> r = evalNumeric(in.op, args, imm);
            if (r.ok()) {
              makeConst(f, id, r.value);
              changed = true;
            }
            break;
          }
          if (!isIntBinary(in)) break;
          const bool is64 = opInfo(in.op).sig.params[0] == ValKind::I64;
          switch (simplifyInt(f, in.op, in.args[0], in.args[1], is64)) {
            case Simplified::No: break;
            case Simplified::ToArg0: repl[id] = in.args[0], changed = true; break;
            case Simplified::ToArg1: repl[id] = in.args[1], changed = true; break;
            case Simplified::ToZero: makeIntConst(f, id, 0), changed = true; break;
            case Simplified::ToOne: makeIntConst(f, id, 1), changed = true; break;
            case Simplified::ToAllOnes: makeIntConst(f, id, is64 ? ~uint64_t(0) : 0xffffffffull), changed = true; break;
          }
          break;
        }
        case Kind::Select: {
          uint64_t k = 0;
          if (intConst(f, in.args[2], &k)) {
            repl[id] = static_cast<uint32_t>(k) ? in.args[0] : in.args[1];
            changed = true;
          } else if (in.args[0] == in.args[1]) {
            repl[id] = in.args[0];
            changed = true;
          }
          break;
        }
        case Kind::Branch: {
          uint64_t k = 0;
          if (intConst(f, in.args[0], &k)) {
            jumpOnly(f, b, static_cast<uint32_t>(k) ? 0 : 1);
            changed = cfgChanged = true;
          }
          break;
        }
        case Kind::Switch: {
          uint64_t k = 0;
          if (intConst(f, in.args[0], &k)) {
            const size_t n = bl.succs.size() - 1;
            jumpOnly(f, b, static_cast<uint32_t>(k) < n ? static_cast<uint32_t>(k) : n);
            changed = cfgChanged = true;
          }
          break;
        }
        default: break;
      }
    }
    for (Edge& e : bl.succs)
      for (ValueId& a : e.args) a = forwarded(repl, a);
  }
  forwardUses(f, repl);
  if (cfgChanged) {
    removeUnreachableBlocks(f);
    forwardTrivialParams(f);
  }
  return changed;
}

namespace {

struct VnKey {
  Kind kind;
  Op op;
  Ty ty;
  uint32_t aux;
  uint64_t imm;
  uint8_t v128[16];
  std::vector<ValueId> args;
  bool operator==(const VnKey& o) const {
    return kind == o.kind && op == o.op && ty == o.ty && aux == o.aux && imm == o.imm &&
           std::memcmp(v128, o.v128, 16) == 0 && args == o.args;
  }
};
struct VnHash {
  size_t operator()(const VnKey& k) const {
    uint64_t h = 1469598103934665603ull;
    auto mix = [&](uint64_t x) { h = (h ^ x) * 1099511628211ull; };
    mix(static_cast<uint64_t>(k.kind));
    mix(static_cast<uint64_t>(k.op));
    mix(static_cast<uint64_t>(k.ty));
    mix(k.aux);
    mix(k.imm);
    uint64_t lo, hi;
    std::memcpy(&lo, k.v128, 8);
    std::memcpy(&hi, k.v128 + 8, 8);
    mix(lo);
    mix(hi);
    for (ValueId a : k.args) mix(a);
    return static_cast<size_t>(h);
  }
};

}  // namespace

bool numberValues(Func& f) {
  const Cfg cfg(f);
  std::vector<ValueId> repl(f.insts.size(), kNoId);
  std::unordered_map<VnKey, ValueId, VnHash> table;
  std::vector<const VnKey*> log;  // entries added, undone when leaving a block's subtree
  bool changed = false;
  std::vector<std::pair<BlockId, size_t>> work{{0, SIZE_MAX}};  // (block, log size to return to; SIZE_MAX: enter)
  while (!work.empty()) {
    auto [b, mark] = work.back();
    work.pop_back();
    if (mark != SIZE_MAX) {
      while (log.size() > mark) {
        table.erase(table.find(*log.back()));
        log.pop_back();
      }
      continue;
    }
    work.push_back({b, log.size()});
    Block& bl = f.blocks[b];
    for (ValueId id : bl.insts) {
      Inst& in = f.insts[id];
      for (ValueId& a : in.args) a = forwarded(repl, a);
      if (in.kind != Kind::Const && in.kind != Kind::Numeric && in.kind != Kind::Select) continue;
      VnKey k{in.kind, in.op, in.ty, in.ty == Ty::V128 && in.kind == Kind::Const ? 0u : in.aux, in.imm, {}, in.args};
      if (in.kind == Kind::Const && in.ty == Ty::V128) std::memcpy(k.v128, f.v128s[in.aux].bytes, 16);
      if (in.kind == Kind::Numeric && in.aux != kNoId) {  // a lane/shuffle immediate: by value
        std::memcpy(k.v128, f.v128s[in.aux].bytes, 16);
        k.aux = 0;
      }
      auto [it, inserted] = table.emplace(std::move(k), id);
      if (inserted) {
        log.push_back(&it->first);
      } else {
        repl[id] = it->second;
        changed = true;
      }
    }
    for (Edge& e : bl.succs)
      for (ValueId& a : e.args) a = forwarded(repl, a);
    const auto& kids = cfg.domChildren(b);
    for (auto it = kids.rbegin(); it != kids.rend(); ++it) work.push_back({*it, SIZE_MAX});
  }
  if (changed) forwardUses(f, repl);
  return changed;
}

bool eliminateDeadCode(Func& f) {
  bool changed = removeUnreachableBlocks(f);
  std::vector<uint8_t> live(f.insts.size(), 0);
  std::vector<ValueId> work;
  auto mark = [&](ValueId v) {
    if (v < live.size() && !live[v]) {
      live[v] = 1;
      work.push_back(v);
    }
  };
  for (const Block& bl : f.blocks) {
    if (bl.removed) continue;
    for (ValueId id : bl.insts)
      if (hasEffect(f.insts[id])) mark(id);
  }
  for (ValueId p : f.blocks[0].params) mark(p);  // the function's parameters stay (the calling convention)
  while (!work.empty()) {
    const ValueId v = work.back();
    work.pop_back();
    const Inst& in = f.insts[v];
    for (ValueId a : in.args) mark(a);
    // (edge arguments are used only through the parameters they feed: below)
    if (in.kind == Kind::Param) {
      const Block& bl = f.blocks[in.aux];
      for (const PredRef& pr : bl.preds) mark(f.blocks[pr.from].succs[pr.succ].args[in.imm]);
    }
  }
  std::vector<uint8_t> drop(f.insts.size(), 0);
  for (Block& bl : f.blocks) {
    if (bl.removed) continue;
    const size_t before = bl.insts.size();
    std::erase_if(bl.insts, [&](ValueId id) { return !live[id]; });
    changed |= bl.insts.size() != before;
    for (ValueId p : bl.params)
      if (!live[p]) drop[p] = 1, changed = true;
  }
  dropParams(f, drop);
  return changed;
}

bool simplifyControlFlow(Func& f) {
  bool changed = forwardTrivialParams(f);
  // Edges into blocks that only jump on go to the jump's target (with its arguments); chains of such blocks are
  // followed to their end (at most as many steps as there are blocks: a cycle of them is an infinite loop, kept).
  auto forwarder = [&](BlockId e) {
    const Block& eb = f.blocks[e];
    return e != 0 && !eb.removed && eb.params.empty() && eb.insts.size() == 1 &&
           f.insts[eb.insts[0]].kind == Kind::Jump && eb.succs[0].to != e;
  };
  bool threaded = false;
  for (BlockId p = 0; p < f.blocks.size(); ++p) {
    if (f.blocks[p].removed) continue;
    for (Edge& in : f.blocks[p].succs) {
      if (!forwarder(in.to)) continue;
      BlockId t = in.to;
      for (size_t steps = 0; forwarder(t) && steps < f.blocks.size(); ++steps) t = f.blocks[t].succs[0].to;
      if (forwarder(t)) continue;  // a cycle
      // the last forwarder on the way supplies the arguments (the earlier ones have no parameters to take any)
      BlockId last = in.to;
      while (f.blocks[last].succs[0].to != t) last = f.blocks[last].succs[0].to;
      in.args = f.blocks[last].succs[0].args;
      in.to = t;
      threaded = changed = true;
    }
  }
  if (threaded) removeUnreachableBlocks(f);  // (rebuilds the predecessor lists)
  // A block entered only by a jump from its single predecessor joins that predecessor.
  std::vector<ValueId> repl(f.insts.size(), kNoId);
  for (BlockId b = 0; b < f.blocks.size(); ++b) {
    for (;;) {  // b absorbs a chain of such blocks one after another
      Block& bl = f.blocks[b];
      if (bl.removed || bl.insts.empty() || f.insts[bl.insts.back()].kind != Kind::Jump) break;
      const BlockId c = bl.succs[0].to;
      if (c == b || c == 0 || f.blocks[c].preds.size() != 1) break;
      Block& cb = f.blocks[c];
      for (size_t i = 0; i < cb.params.size(); ++i) repl[cb.params[i]] = forwarded(repl, bl.succs[0].args[i]);
      bl.insts.pop_back();  // the jump
      for (ValueId id : cb.insts) {
        f.insts[id].block = b;
        bl.insts.push_back(id);
      }
      bl.succs = std::move(cb.succs);
      for (uint32_t k = 0; k < bl.succs.size(); ++k)  // the successors' predecessor entries name b now
        for (PredRef& pr : f.blocks[bl.succs[k].to].preds)
          if (pr.from == c && pr.succ == k) pr.from = b;
      cb.removed = true;
      cb.insts.clear();
      cb.params.clear();
      cb.succs.clear();
      cb.preds.clear();
      changed = true;
    }
  }
  forwardUses(f, repl);
  changed |= removeUnreachableBlocks(f);
  return changed;
}

bool hoistLoopInvariants(Func& f) {
  const Cfg cfg(f);
  const size_t nb = f.blocks.size();
  // Natural loops: for each header, the blocks that reach one of its back edges' sources without passing it.
  struct Loop {
    BlockId header;
    std::vector<BlockId> body;  // the header included
  };
  std::vector<Loop> loops;
  for (BlockId h : cfg.rpo()) {
    std::vector<BlockId> latches;
    for (const PredRef& p : f.blocks[h].preds)
      if (cfg.reachable(p.from) && cfg.dominates(h, p.from)) latches.push_back(p.from);
    if (latches.empty()) continue;
    Loop l{h, {h}};
    std::vector<uint8_t> in(nb, 0);
    in[h] = 1;
    std::vector<BlockId> work;
    for (BlockId b : latches)
      if (!in[b]) in[b] = 1, l.body.push_back(b), work.push_back(b);
    while (!work.empty()) {
      const BlockId b = work.back();
      work.pop_back();
      for (const PredRef& p : f.blocks[b].preds)
        if (cfg.reachable(p.from) && !in[p.from]) in[p.from] = 1, l.body.push_back(p.from), work.push_back(p.from);
    }
    loops.push_back(std::move(l));
  }
  // Inner loops first: a loop nested in another has fewer blocks.
  std::sort(loops.begin(), loops.end(), [](const Loop& a, const Loop& b) { return a.body.size() < b.body.size(); });
  bool changed = false;
  std::vector<uint8_t> inLoop(nb, 0);
  std::vector<uint32_t> rpoPos(nb, UINT32_MAX);
  for (uint32_t i = 0; i < cfg.rpo().size(); ++i) rpoPos[cfg.rpo()[i]] = i;
  for (Loop& l : loops) {
    // The preheader: the header's one predecessor outside the loop, ending in a jump.
    BlockId pre = kNoId;
    size_t outside = 0;
    for (BlockId b : l.body) inLoop[b] = 1;
    for (const PredRef& p : f.blocks[l.header].preds)
      if (!inLoop[p.from]) pre = p.from, ++outside;
    if (outside == 1 && f.insts[f.blocks[pre].insts.back()].kind == Kind::Jump) {
      std::sort(l.body.begin(), l.body.end(), [&](BlockId a, BlockId b) { return rpoPos[a] < rpoPos[b]; });
      auto definedOutside = [&](ValueId v) {
        const Inst& d = f.insts[v];
        const BlockId db = d.kind == Kind::Param ? d.aux : d.block;
        return !inLoop[db];
      };
      std::vector<ValueId> moved;
      for (BlockId b : l.body) {  // in reverse postorder: an operand hoisted earlier counts as outside
        std::vector<ValueId>& insts = f.blocks[b].insts;
        std::erase_if(insts, [&](ValueId id) {
          const Inst& in = f.insts[id];
          const bool pure = in.kind == Kind::Const || in.kind == Kind::Select ||
                            (in.kind == Kind::Numeric && !numericMayTrap(in.op));
          if (!pure) return false;
          for (ValueId a : in.args)
            if (!definedOutside(a)) return false;
          f.insts[id].block = pre;
          moved.push_back(id);
          return true;
        });
      }
      if (!moved.empty()) {
        std::vector<ValueId>& pi = f.blocks[pre].insts;
        pi.insert(pi.end() - 1, moved.begin(), moved.end());
        changed = true;
      }
    }
    for (BlockId b : l.body) inLoop[b] = 0;
  }
  return changed;
}

void optimize(Func& f) {
  for (int round = 0; round < 4; ++round) {
    bool changed = foldConstants(f);
    changed |= numberValues(f);
    changed |= eliminateDeadCode(f);
    changed |= simplifyControlFlow(f);
    changed |= hoistLoopInvariants(f);
    if (!changed) break;
  }
  eliminateDeadCode(f);
}

}  // namespace myrt::opt
