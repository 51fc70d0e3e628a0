// jit/opt/ir.cpp -- IR helpers: names, predecessor lists, the verifier and the text form (see ir.h).
#include "jit/opt/ir.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "jit/opt/cfg.h"

namespace myrt::opt {

const char* tyName(Ty t) {
  switch (t) {
    case Ty::None: return "none";
    case Ty::I32: return "i32";
    case Ty::I64: return "i64";
    case Ty::F32: return "f32";
    case Ty::F64: return "f64";
    case Ty::V128: return "v128";
    case Ty::Ref: return "ref";
  }
  return "?";
}

Ty tyOf(ValKind k) {
  switch (k) {
    case ValKind::I32: return Ty::I32;
    case ValKind::I64: return Ty::I64;
    case ValKind::F32: return Ty::F32;
    case ValKind::F64: return Ty::F64;
    case ValKind::V128: return Ty::V128;
    case ValKind::Ref: return Ty::Ref;
    default: return Ty::None;
  }
}

const char* kindName(Kind k) {
  switch (k) {
    case Kind::Param: return "param";
    case Kind::Const: return "const";
    case Kind::Numeric: return "numeric";
    case Kind::Select: return "select";
    case Kind::GlobalGet: return "global.get";
    case Kind::GlobalSet: return "global.set";
    case Kind::Load: return "load";
    case Kind::Store: return "store";
    case Kind::Call: return "call";
    case Kind::CallIndirect: return "call_indirect";
    case Kind::Proj: return "proj";
    case Kind::Opaque: return "opaque";
    case Kind::Jump: return "jump";
    case Kind::Branch: return "br_if";
    case Kind::Switch: return "br_table";
    case Kind::Return: return "return";
    case Kind::Trap: return "trap";
  }
  return "?";
}

bool isTerminator(Kind k) {
  return k == Kind::Jump || k == Kind::Branch || k == Kind::Switch || k == Kind::Return || k == Kind::Trap;
}

const Inst* Func::terminator(BlockId b) const {
  const Block& bl = blocks[b];
  if (bl.insts.empty()) return nullptr;
  const Inst& t = insts[bl.insts.back()];
  return isTerminator(t.kind) ? &t : nullptr;
}

void rebuildPreds(Func& f) {
  for (Block& b : f.blocks) b.preds.clear();
  for (BlockId b = 0; b < f.blocks.size(); ++b) {
    if (f.blocks[b].removed) continue;
    for (uint32_t s = 0; s < f.blocks[b].succs.size(); ++s) f.blocks[f.blocks[b].succs[s].to].preds.push_back({b, s});
  }
}

ValueId forwarded(std::vector<ValueId>& repl, ValueId v) {
  ValueId r = v;
  while (r < repl.size() && repl[r] != kNoId) r = repl[r];
  while (v < repl.size() && repl[v] != kNoId && repl[v] != r) {  // path compression
    const ValueId next = repl[v];
    repl[v] = r;
    v = next;
  }
  return r;
}

void forwardUses(Func& f, std::vector<ValueId>& repl) {
  repl.resize(f.insts.size(), kNoId);
  for (Inst& in : f.insts)
    for (ValueId& a : in.args) a = forwarded(repl, a);
  for (Block& b : f.blocks)
    for (Edge& e : b.succs)
      for (ValueId& a : e.args) a = forwarded(repl, a);
}

void dropParams(Func& f, const std::vector<uint8_t>& drop) {
  for (Block& bl : f.blocks) {
    if (bl.removed) continue;
    std::vector<uint8_t> keep(bl.params.size(), 1);
    bool any = false;
    for (size_t i = 0; i < bl.params.size(); ++i)
      if (bl.params[i] < drop.size() && drop[bl.params[i]]) keep[i] = 0, any = true;
    if (!any) continue;
    for (const PredRef& p : bl.preds) {
      std::vector<ValueId>& args = f.blocks[p.from].succs[p.succ].args;
      std::vector<ValueId> kept;
      for (size_t i = 0; i < args.size(); ++i)
        if (keep[i]) kept.push_back(args[i]);
      args = std::move(kept);
    }
    std::vector<ValueId> params;
    for (size_t i = 0; i < bl.params.size(); ++i)
      if (keep[i]) {
        f.insts[bl.params[i]].imm = params.size();
        params.push_back(bl.params[i]);
      }
    bl.params = std::move(params);
  }
}

bool removeUnreachableBlocks(Func& f) {
  const Cfg cfg(f);
  bool any = false;
  for (BlockId b = 0; b < f.blocks.size(); ++b) {
    Block& bl = f.blocks[b];
    if (bl.removed || cfg.reachable(b)) continue;
    bl.removed = true;
    bl.insts.clear();
    bl.params.clear();
    bl.succs.clear();
    any = true;
  }
  rebuildPreds(f);
  return any;
}

namespace {

size_t expectedSuccs(const Inst& t) {
  switch (t.kind) {
    case Kind::Jump: return 1;
    case Kind::Branch: return 2;
    case Kind::Return:
    case Kind::Trap: return 0;
    default: return SIZE_MAX;  // Switch: at least 1
  }
}

std::string fail(BlockId b, const std::string& what) { return std::string("b") + std::to_string(b) + std::string(": ") + what; }

}  // namespace

Status verify(const Func& f) {
  if (f.blocks.empty()) return Error("no entry block");
  const Cfg cfg(f);
  std::vector<uint8_t> defined(f.insts.size(), 0);  // defined along the dominator-tree walk so far
  // Walk the dominator tree depth first, defining values on the way down and forgetting them on the way up.
  std::vector<std::vector<ValueId>> definedIn(f.blocks.size());
  std::vector<std::pair<BlockId, bool>> work{{0, false}};
  while (!work.empty()) {
    const BlockId b = work.back().first;  // (not a structured binding: the lambda below captures b, which clang
    const bool leaving = work.back().second;  // before 16 rejects for bindings -- the fuzz builds use clang)
    work.pop_back();
    const Block& bl = f.blocks[b];
    if (leaving) {
      for (ValueId v : definedIn[b]) defined[v] = 0;
      continue;
    }
    auto def = [&](ValueId v) {
      defined[v] = 1;
      definedIn[b].push_back(v);
    };
    for (uint32_t i = 0; i < bl.params.size(); ++i) {
      const ValueId p = bl.params[i];
      if (p >= f.insts.size() || f.insts[p].kind != Kind::Param || f.insts[p].aux != b || f.insts[p].imm != i)
        return Error(fail(b, std::string("parameter ") + std::to_string(i) + std::string(" is not v") + std::to_string(p) + " of this block"));
      def(p);
    }
    if (bl.insts.empty()) return Error(fail(b, "no terminator"));
    for (size_t k = 0; k < bl.insts.size(); ++k) {
      const ValueId v = bl.insts[k];
      if (v >= f.insts.size()) return Error(fail(b, std::string("unknown value v") + std::to_string(v)));
      const Inst& in = f.insts[v];
      if (in.block != b) return Error(fail(b, std::string("v") + std::to_string(v) + " belongs to another block"));
      if (in.kind == Kind::Param) return Error(fail(b, std::string("parameter v") + std::to_string(v) + " among instructions"));
      if (isTerminator(in.kind) != (k + 1 == bl.insts.size()))
        return Error(fail(b, std::string("v") + std::to_string(v) + (isTerminator(in.kind) ? ": terminator before the end"
                                                                               : ": block does not end in a terminator")));
      for (ValueId a : in.args) {
        if (a >= f.insts.size() || !defined[a])
          return Error(fail(b, std::string("v") + std::to_string(v) + std::string(" uses v") + std::to_string(a) +
                                   ", which does not dominate it"));
        if (f.insts[a].ty == Ty::None && in.kind != Kind::Proj)
          return Error(fail(b, std::string("v") + std::to_string(v) + std::string(" uses v") + std::to_string(a) + ", which has no value"));
      }
      if (in.kind == Kind::Branch || in.kind == Kind::Switch) {
        if (in.args.size() != 1 || f.insts[in.args[0]].ty != Ty::I32)
          return Error(fail(b, std::string("v") + std::to_string(v) + ": condition must be one i32"));
      }
      def(v);
    }
    const Inst& term = f.insts[bl.insts.back()];
    const size_t want = expectedSuccs(term);
    if (want == SIZE_MAX ? bl.succs.empty() : bl.succs.size() != want)
      return Error(fail(b, std::string(kindName(term.kind)) + std::string(" with ") + std::to_string(bl.succs.size()) + " successors"));
    for (const Edge& e : bl.succs) {
      if (e.to >= f.blocks.size() || f.blocks[e.to].removed) return Error(fail(b, "edge to a missing block"));
      const Block& to = f.blocks[e.to];
      if (e.args.size() != to.params.size())
        return Error(fail(b, std::string("edge to b") + std::to_string(e.to) + std::string(" with ") + std::to_string(e.args.size()) +
                                 std::string(" arguments for ") + std::to_string(to.params.size()) + " parameters"));
      for (size_t i = 0; i < e.args.size(); ++i) {
        const ValueId a = e.args[i];
        if (a >= f.insts.size() || !defined[a])
          return Error(fail(b, std::string("edge to b") + std::to_string(e.to) + std::string(": argument v") + std::to_string(a) +
                                   " does not dominate the edge"));
        if (f.insts[a].ty != f.insts[to.params[i]].ty)
          return Error(fail(b, std::string("edge to b") + std::to_string(e.to) + std::string(": argument v") + std::to_string(a) + " is " +
                                   tyName(f.insts[a].ty) + ", the parameter " + tyName(f.insts[to.params[i]].ty)));
      }
    }
    work.push_back({b, true});
    const auto& kids = cfg.domChildren(b);
    for (auto it = kids.rbegin(); it != kids.rend(); ++it) work.push_back({*it, false});
  }
  // Predecessor lists must match the edges.
  std::vector<size_t> incoming(f.blocks.size(), 0);
  for (const Block& bl : f.blocks)
    if (!bl.removed)
      for (const Edge& e : bl.succs) ++incoming[e.to];
  for (BlockId b = 0; b < f.blocks.size(); ++b) {
    if (f.blocks[b].removed) continue;
    if (incoming[b] != f.blocks[b].preds.size())
      return Error(fail(b, std::to_string(f.blocks[b].preds.size()) + " predecessors recorded, " +
                               std::to_string(incoming[b]) + " edges arrive"));
  }
  return {};
}

namespace {

std::string v(ValueId id) { return std::string("v") + std::to_string(id); }

std::string constText(const Func& f, const Inst& in) {
  char buf[96];
  switch (in.ty) {
    case Ty::I32: std::snprintf(buf, sizeof buf, "%" PRId32, static_cast<int32_t>(static_cast<uint32_t>(in.imm))); break;
    case Ty::I64: std::snprintf(buf, sizeof buf, "%" PRId64, static_cast<int64_t>(in.imm)); break;
    case Ty::F32: {
      float x;
      const uint32_t bits = static_cast<uint32_t>(in.imm);
      std::memcpy(&x, &bits, 4);
      std::snprintf(buf, sizeof buf, "%.9g (0x%08" PRIx32 ")", static_cast<double>(x), bits);
      break;
    }
    case Ty::F64: {
      double x;
      std::memcpy(&x, &in.imm, 8);
      std::snprintf(buf, sizeof buf, "%.17g (0x%016" PRIx64 ")", x, in.imm);
      break;
    }
    case Ty::V128: {
      const V128& c = f.v128s[in.aux];
      std::snprintf(buf, sizeof buf, "0x%016" PRIx64 "%016" PRIx64, c.hi(), c.lo());
      break;
    }
    default: std::snprintf(buf, sizeof buf, "null"); break;
  }
  return buf;
}

std::string argList(const std::vector<ValueId>& args) {
  std::string s;
  for (size_t i = 0; i < args.size(); ++i) s += std::string(i ? ", " : "") + v(args[i]);
  return s;
}

std::string edgeText(const Edge& e) { return std::string("b") + std::to_string(e.to) + std::string("(") + argList(e.args) + ")"; }

}  // namespace

std::string printIr(const Func& f, const Module* m) {
  std::string out = std::string("func ") + std::to_string(f.index);
  if (m && f.index < m->funcs.size()) out += " \"" + m->funcName(f.index) + "\"";
  out += " (";
  for (size_t i = 0; i < f.params.size(); ++i) out += std::string(i ? ", " : "") + std::string(tyName(f.params[i]));
  out += ") -> (";
  for (size_t i = 0; i < f.results.size(); ++i) out += std::string(i ? ", " : "") + std::string(tyName(f.results[i]));
  out += ")\n";
  for (BlockId b = 0; b < f.blocks.size(); ++b) {
    const Block& bl = f.blocks[b];
    if (bl.removed) continue;
    out += std::string("b") + std::to_string(b) + "(";
    for (size_t i = 0; i < bl.params.size(); ++i)
      out += std::string(i ? ", " : "") + v(bl.params[i]) + ": " + tyName(f.insts[bl.params[i]].ty);
    out += "):";
    if (!bl.preds.empty()) {
      out += "  ; preds";
      for (const PredRef& p : bl.preds) out += std::string(" b") + std::to_string(p.from);
    }
    out += "\n";
    size_t succ = 0;
    for (ValueId id : bl.insts) {
      const Inst& in = f.insts[id];
      std::string line = "  ";
      if (in.ty != Ty::None) line += v(id) + ": " + tyName(in.ty) + " = ";
      switch (in.kind) {
        case Kind::Const: line += std::string(tyName(in.ty)) + ".const " + constText(f, in); break;
        case Kind::Numeric:
          line += std::string(opName(in.op)) + std::string(" ") + argList(in.args);
          if (in.aux != kNoId) {
            const V128& c = f.v128s[in.aux];
            if (in.op == Op::I8x16Shuffle) {
              line += " [";
              for (int i = 0; i < 16; ++i) line += std::string(i ? " " : "") + std::to_string(c.bytes[i]);
              line += "]";
            } else {
              line += std::string(" lane ") + std::to_string(c.bytes[0]);
            }
          }
          break;
        case Kind::Select: line += std::string("select ") + argList(in.args); break;
        case Kind::GlobalGet: line += std::string("global.get ") + std::to_string(in.aux); break;
        case Kind::GlobalSet: line += std::string("global.set ") + std::to_string(in.aux) + std::string(", ") + argList(in.args); break;
        case Kind::Load:
        case Kind::Store:
          line += std::string(opName(in.op)) + std::string(" ") + argList(in.args) + std::string(" offset=") + std::to_string(in.imm);
          if (in.aux) line += std::string(" memory=") + std::to_string(in.aux);
          break;
        case Kind::Call: line += std::string("call ") + std::to_string(in.aux) + std::string("(") + argList(in.args) + ")"; break;
        case Kind::CallIndirect:
          line += std::string("call_indirect type=") + std::to_string(in.aux) + std::string(" table=") + std::to_string(in.imm) + " (" +
                  argList(in.args) + ")";
          break;
        case Kind::Proj: line += std::string("proj ") + std::to_string(in.imm) + std::string(" ") + argList(in.args); break;
        case Kind::Opaque:
          line += std::string(opName(in.op)) + std::string(" [") + std::to_string(in.aux) + std::string(" ") + std::to_string(in.imm) + "] " +
                  argList(in.args);
          break;
        case Kind::Jump: line += std::string("jump ") + edgeText(bl.succs[succ++]); break;
        case Kind::Branch:
          line += std::string("br_if ") + argList(in.args) + std::string(", ") + edgeText(bl.succs[succ]) + std::string(", ") + edgeText(bl.succs[succ + 1]);
          succ += 2;
          break;
        case Kind::Switch:
          line += std::string("br_table ") + argList(in.args) + ", [";
          for (size_t i = 0; i < bl.succs.size(); ++i) line += std::string(i ? ", " : "") + edgeText(bl.succs[i]);
          line += "]";
          break;
        case Kind::Return: line += std::string("return ") + argList(in.args); break;
        case Kind::Trap: line += std::string("trap \"") + trapMessage(static_cast<TrapReason>(in.imm)) + "\""; break;
        case Kind::Param: line += "param"; break;
      }
      char off[24];
      std::snprintf(off, sizeof off, "  @0x%x", in.offset);
      out += line + off + "\n";
    }
  }
  return out;
}

}  // namespace myrt::opt
