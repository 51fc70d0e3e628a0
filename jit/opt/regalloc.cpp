// jit/opt/regalloc.cpp -- liveness, linear-scan allocation, edge moves and the allocation checker (see regalloc.h).
#include "jit/opt/regalloc.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "jit/opt/cfg.h"

namespace myrt::opt {

RegClass regClassOf(Ty t) {
  return t == Ty::F32 || t == Ty::F64 || t == Ty::V128 ? RegClass::Fp : RegClass::Gp;
}

bool defaultClobbers(const Inst& i) {
  return i.kind == Kind::Call || i.kind == Kind::CallIndirect || i.kind == Kind::Opaque;
}

std::string locationName(const Location& l) {
  switch (l.kind) {
    case Location::None: return "-";
    case Location::Reg:
    case Location::Slot: {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%c%u", l.kind == Location::Slot ? 's' : l.cls == RegClass::Gp ? 'r' : 'x', l.index);
      return buf;
    }
    case Location::Scratch: return l.cls == RegClass::Gp ? "scratch.gp" : "scratch.fp";
  }
  return "?";
}

namespace {

// Message text: "v7", "b3" (GCC 12 warns, -Wrestrict, on `"literal" + std::to_string(n)` in some inlining contexts).
std::string num(char prefix, uint32_t n) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%u", prefix, n);
  return buf;
}

// The instructions of a live block that define a value with a location: block parameters and typed instructions.
bool definesValue(const Inst& in) { return in.ty != Ty::None; }

}  // namespace

Result<Allocation> allocateRegisters(const Func& f, const AllocTarget& target) {
  bool (*clobbers)(const Inst&) = target.clobbers ? target.clobbers : defaultClobbers;
  Allocation a;
  const Cfg cfg(f);
  a.order = cfg.rpo();
  a.blockStart.assign(f.blocks.size(), UINT32_MAX);
  a.instPos.assign(f.insts.size(), UINT32_MAX);
  a.intervals.assign(f.insts.size(), {});
  a.loc.assign(f.insts.size(), {});
  std::vector<uint32_t> termPos(f.blocks.size(), 0);
  std::vector<uint32_t> clobberPos;
  uint32_t p = 0;
  for (BlockId b : a.order) {
    a.blockStart[b] = p;
    p += 2;
    const Block& bl = f.blocks[b];
    if (bl.insts.empty() || !isTerminator(f.insts[bl.insts.back()].kind))
      return Error(std::string("regalloc: block ") + num('b', b) + " has no terminator");
    for (ValueId v : bl.insts) {
      a.instPos[v] = p;
      if (clobbers(f.insts[v])) clobberPos.push_back(p);
      p += 2;
    }
    termPos[b] = a.instPos[bl.insts.back()];
  }

  // Predecessors among the reachable blocks (one entry per edge).
  std::vector<std::vector<BlockId>> preds(f.blocks.size());
  for (BlockId b : a.order)
    for (const Edge& e : f.blocks[b].succs) preds[e.to].push_back(b);

  // Definitions: each value's block and position.
  std::vector<BlockId> defBlock(f.insts.size(), kNoId);
  std::vector<ValueId> values;  // every value with a location, in definition order
  for (BlockId b : a.order) {
    for (ValueId v : f.blocks[b].params) {
      defBlock[v] = b;
      a.intervals[v] = {a.blockStart[b], a.blockStart[b]};
      values.push_back(v);
    }
    for (ValueId v : f.blocks[b].insts)
      if (definesValue(f.insts[v])) {
        defBlock[v] = b;
        a.intervals[v] = {a.instPos[v] + 1, a.instPos[v] + 1};
        values.push_back(v);
      }
  }

  // Liveness by path exploration: a use in block U at position u makes the value live up to u in U, and, when U is not
  // the defining block, live into U and out of every predecessor, up to the definition (which dominates the use).
  std::vector<uint32_t> stamp(f.blocks.size(), UINT32_MAX);
  std::vector<BlockId> work;
  auto use = [&](ValueId v, BlockId u, uint32_t pos) -> Status {
    if (v >= f.insts.size() || defBlock[v] == kNoId) {
      if (v < f.insts.size() && f.insts[v].ty == Ty::None) return {};  // (a projection's call operand)
      return Error(std::string("regalloc: ") + num('v', v) + " used in " + num('b', u) + " has no definition");
    }
    Interval& iv = a.intervals[v];
    iv.end = std::max(iv.end, pos);
    if (u == defBlock[v] || stamp[u] == v) return {};
    stamp[u] = v;
    work.push_back(u);
    while (!work.empty()) {
      const BlockId b = work.back();
      work.pop_back();
      for (BlockId q : preds[b]) {
        iv.end = std::max(iv.end, termPos[q]);
        if (q == defBlock[v] || stamp[q] == v) continue;
        stamp[q] = v;
        work.push_back(q);
      }
    }
    return {};
  };
  for (BlockId b : a.order) {
    const Block& bl = f.blocks[b];
    for (ValueId i : bl.insts) {
      for (ValueId v : f.insts[i].args)
        if (Status s = use(v, b, a.instPos[i]); !s.ok()) return s.error();
    }
    for (const Edge& e : bl.succs)
      for (ValueId v : e.args)
        if (Status s = use(v, b, termPos[b]); !s.ok()) return s.error();
  }

  // Linear scan per class over the intervals in order of their start.
  std::vector<ValueId> byStart = values;
  std::stable_sort(byStart.begin(), byStart.end(),
                   [&](ValueId x, ValueId y) { return a.intervals[x].start < a.intervals[y].start; });
  std::sort(clobberPos.begin(), clobberPos.end());
  auto acrossClobber = [&](const Interval& iv) {
    auto it = std::upper_bound(clobberPos.begin(), clobberPos.end(), iv.start);
    return it != clobberPos.end() && *it < iv.end;
  };
  std::vector<uint8_t> spilled(f.insts.size(), 0);
  for (RegClass cls : {RegClass::Gp, RegClass::Fp}) {
    const uint32_t n = cls == RegClass::Gp ? target.gpRegs : target.fpRegs;
    std::vector<uint8_t> busy(n, 0);
    std::vector<ValueId> active;  // holding a register
    for (ValueId v : byStart) {
      if (regClassOf(f.insts[v].ty) != cls) continue;
      const Interval& iv = a.intervals[v];
      // expire the intervals that ended before this one starts
      for (size_t i = 0; i < active.size();) {
        if (a.intervals[active[i]].end < iv.start) {
          busy[a.loc[active[i]].index] = 0;
          active[i] = active.back();
          active.pop_back();
        } else {
          ++i;
        }
      }
      if (acrossClobber(iv) || n == 0) {
        spilled[v] = 1;
        if (n != 0) ++a.spilledAcrossCalls;
        else ++a.spilledForPressure;
        continue;
      }
      uint32_t r = 0;
      while (r < n && busy[r]) ++r;
      if (r == n) {  // no register: spill whichever of the active ones and this one ends last
        size_t far = 0;
        for (size_t i = 1; i < active.size(); ++i)
          if (a.intervals[active[i]].end > a.intervals[active[far]].end) far = i;
        ++a.spilledForPressure;
        if (a.intervals[active[far]].end <= iv.end) {
          spilled[v] = 1;
          continue;
        }
        const ValueId victim = active[far];
        r = a.loc[victim].index;
        a.loc[victim] = {};
        spilled[victim] = 1;
        active[far] = active.back();
        active.pop_back();
      }
      busy[r] = 1;
      a.loc[v] = Location::reg(cls, r);
      active.push_back(v);
    }
  }
  // Spill slots: another linear scan, with as many slots as needed (reused once their value is dead).
  std::vector<uint32_t> freeSlots;
  std::vector<ValueId> inSlot;
  for (ValueId v : byStart) {
    if (!spilled[v]) continue;
    const Interval& iv = a.intervals[v];
    for (size_t i = 0; i < inSlot.size();) {
      if (a.intervals[inSlot[i]].end < iv.start) {
        freeSlots.push_back(a.loc[inSlot[i]].index);
        inSlot[i] = inSlot.back();
        inSlot.pop_back();
      } else {
        ++i;
      }
    }
    uint32_t s;
    if (!freeSlots.empty()) {
      s = freeSlots.back();
      freeSlots.pop_back();
    } else {
      s = a.numSlots++;
    }
    a.loc[v] = Location::slot(regClassOf(f.insts[v].ty), s);
    inSlot.push_back(v);
  }
  return a;
}

std::vector<Move> sequentializeMoves(std::vector<Move> pending) {
  std::vector<Move> out;
  pending.erase(std::remove_if(pending.begin(), pending.end(), [](const Move& m) { return m.dst == m.src; }),
                pending.end());
  auto isRead = [&](const Location& l, size_t except) {
    for (size_t j = 0; j < pending.size(); ++j)
      if (j != except && pending[j].src == l) return true;
    return false;
  };
  while (!pending.empty()) {
    bool progress = false;
    for (size_t i = 0; i < pending.size(); ++i) {
      if (isRead(pending[i].dst, i)) continue;
      out.push_back(pending[i]);
      pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(i));
      progress = true;
      break;
    }
    if (progress) continue;
    // Only cycles are left: save the destination of the first move (which another move reads) in the scratch
    // location of the class of the value it holds, and let its readers take it from there.
    const Location d = pending[0].dst;
    RegClass cls = RegClass::Gp;
    for (const Move& m : pending)
      if (m.src == d) cls = m.src.cls;
    // (a slot may change class across the edge: the save reads it as the class of the value it holds now)
    const Location tmp = Location::scratch(cls);
    Location saved = d;
    saved.cls = cls;
    out.push_back({tmp, saved});
    for (Move& m : pending)
      if (m.src == d) m.src = tmp;
  }
  return out;
}

std::vector<Move> edgeMoves(const Func& f, const Allocation& a, BlockId from, uint32_t succ) {
  const Edge& e = f.blocks[from].succs[succ];
  const Block& to = f.blocks[e.to];
  std::vector<Move> par;
  for (size_t i = 0; i < e.args.size() && i < to.params.size(); ++i) {
    const Location dst = a.loc[to.params[i]], src = a.loc[e.args[i]];
    if (dst.kind == Location::None) continue;
    par.push_back({dst, src});
  }
  return sequentializeMoves(std::move(par));
}

Status checkAllocation(const Func& f, const Allocation& a, const AllocTarget& target) {
  bool (*clobbers)(const Inst&) = target.clobbers ? target.clobbers : defaultClobbers;
  const uint32_t gp = target.gpRegs, fp = target.fpRegs;
  const uint32_t scratchGp = gp + fp, scratchFp = gp + fp + 1, slotBase = gp + fp + 2;
  const size_t nLoc = slotBase + a.numSlots;
  if (a.order.size() * nLoc > (size_t(1) << 26)) return Error("regalloc check: function too large to check");
  constexpr uint32_t kUnknown = UINT32_MAX;
  auto idx = [&](const Location& l) -> size_t {
    switch (l.kind) {
      case Location::Reg: return l.cls == RegClass::Gp ? l.index : gp + l.index;
      case Location::Scratch: return l.cls == RegClass::Gp ? scratchGp : scratchFp;
      case Location::Slot: return slotBase + l.index;
      case Location::None: break;
    }
    return SIZE_MAX;
  };
  // Each value's location is well formed: the right class, in range.
  for (BlockId b : a.order) {
    auto checkLoc = [&](ValueId v) -> Status {
      const Inst& in = f.insts[v];
      const Location& l = a.loc[v];
      if (in.ty == Ty::None) return l.kind == Location::None ? Status{} : Status(Error(num('v', v) + " has no value but a location"));
      if (l.kind == Location::None || l.kind == Location::Scratch)
        return Error(num('v', v) + " has no location");
      if (l.cls != regClassOf(in.ty)) return Error(num('v', v) + " is in a location of the wrong class");
      if (l.kind == Location::Reg && l.index >= (l.cls == RegClass::Gp ? gp : fp))
        return Error(num('v', v) + " is in a register out of range");
      if (l.kind == Location::Slot && l.index >= a.numSlots) return Error(num('v', v) + " is in a slot out of range");
      return {};
    };
    for (ValueId v : f.blocks[b].params)
      if (Status s = checkLoc(v); !s.ok()) return s;
    for (ValueId v : f.blocks[b].insts)
      if (Status s = checkLoc(v); !s.ok()) return s;
  }

  std::vector<std::vector<uint32_t>> in(f.blocks.size());
  in[0].assign(nLoc, kUnknown);
  for (ValueId v : f.blocks[0].params) in[0][idx(a.loc[v])] = v;
  std::string error;
  auto fail = [&](BlockId b, const std::string& what) {
    if (error.empty()) error = std::string("regalloc check: ") + num('b', b) + ": " + what;
  };
  std::vector<uint32_t> st, edge;
  for (int round = 0;; ++round) {
    bool changed = false;
    error.clear();
    for (BlockId b : a.order) {
      if (in[b].empty()) continue;  // not reached yet (a loop entered later in this round)
      st = in[b];
      const Block& bl = f.blocks[b];
      for (ValueId i : bl.insts) {
        const Inst& ins = f.insts[i];
        for (ValueId v : ins.args) {
          if (a.loc[v].kind == Location::None) continue;
          if (st[idx(a.loc[v])] != v)
            fail(b, num('v', i) + " reads " + num('v', v) + " from " + locationName(a.loc[v]) +
                        ", which does not hold it there");
        }
        if (clobbers(ins))
          for (size_t l = 0; l < slotBase; ++l) st[l] = kUnknown;
        if (a.loc[i].kind != Location::None) st[idx(a.loc[i])] = i;
      }
      for (uint32_t s = 0; s < bl.succs.size(); ++s) {
        const Edge& e = bl.succs[s];
        edge = st;
        for (const Move& m : edgeMoves(f, a, b, s)) {
          if (m.dst.cls != m.src.cls)  // the code generator moves by the class: both sides must agree
            fail(b, std::string("edge to ") + num('b', e.to) + ": a move from " + locationName(m.src) + " to " +
                        locationName(m.dst) + " between classes");
          edge[idx(m.dst)] = edge[idx(m.src)];
        }
        const Block& to = f.blocks[e.to];
        for (size_t k = 0; k < to.params.size(); ++k) {
          const size_t l = idx(a.loc[to.params[k]]);
          if (k >= e.args.size() || edge[l] != e.args[k])
            fail(b, std::string("edge to ") + num('b', e.to) + ": parameter " + num('v', to.params[k]) + " in " +
                        locationName(a.loc[to.params[k]]) + " does not receive its argument");
        }
        for (ValueId v : to.params) edge[idx(a.loc[v])] = v;
        // the scratch locations are dead after the moves
        edge[scratchGp] = edge[scratchFp] = kUnknown;
        std::vector<uint32_t>& dst = in[e.to];
        if (dst.empty()) {
          dst = edge;
          changed = true;
          continue;
        }
        for (size_t l = 0; l < nLoc; ++l)
          if (dst[l] != edge[l] && dst[l] != kUnknown) {
            dst[l] = kUnknown;
            changed = true;
          }
      }
    }
    if (!changed) break;
    if (round > 1000) return Error("regalloc check: no fixed point");
  }
  if (!error.empty()) return Error(error);
  return {};
}

std::string printAllocation(const Func& f, const Allocation& a, const Module* m) {
  // printIr's text with " @loc" after each defined value's type ("v5: i32" -> "v5: i32 @r2").
  const std::string s = printIr(f, m);
  std::string out;
  out.reserve(s.size() + s.size() / 4);
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == 'v' && (i == 0 || !std::isalnum(static_cast<unsigned char>(s[i - 1]))) && i + 1 < s.size() &&
        std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      size_t j = i + 1;
      uint64_t v = 0;
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) v = v * 10 + uint64_t(s[j++] - '0');
      if (s.compare(j, 2, ": ") == 0 && v < a.loc.size()) {
        size_t k = j + 2;
        while (k < s.size() && std::isalnum(static_cast<unsigned char>(s[k]))) ++k;
        out.append(s, i, k - i);
        if (a.loc[v].kind != Location::None) {
          out += " @";
          out += locationName(a.loc[v]);
        }
        i = k;
        continue;
      }
      out.append(s, i, j - i);
      i = j;
      continue;
    }
    out += s[i++];
  }
  return out;
}

}  // namespace myrt::opt
