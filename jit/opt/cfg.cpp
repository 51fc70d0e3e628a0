// jit/opt/cfg.cpp -- reverse postorder and dominators (see cfg.h).
#include "jit/opt/cfg.h"

#include <utility>

namespace myrt::opt {

Cfg::Cfg(const Func& f)
    : rpoIndex_(f.blocks.size(), kNoId), idom_(f.blocks.size(), kNoId), children_(f.blocks.size()) {
  if (f.blocks.empty()) return;
  // Postorder by an explicit stack (no recursion: a function may have hundreds of thousands of blocks).
  std::vector<uint8_t> seen(f.blocks.size(), 0);
  std::vector<BlockId> post;
  std::vector<std::pair<BlockId, uint32_t>> stack{{0, 0}};
  seen[0] = 1;
  while (!stack.empty()) {
    auto& [b, next] = stack.back();
    const Block& bl = f.blocks[b];
    if (next < bl.succs.size()) {
      const BlockId s = bl.succs[next++].to;
      if (!seen[s] && !f.blocks[s].removed) {
        seen[s] = 1;
        stack.push_back({s, 0});
      }
      continue;
    }
    post.push_back(b);
    stack.pop_back();
  }
  rpo_.assign(post.rbegin(), post.rend());
  for (uint32_t i = 0; i < rpo_.size(); ++i) rpoIndex_[rpo_[i]] = i;

  // Predecessors among the reachable blocks.
  std::vector<std::vector<BlockId>> preds(f.blocks.size());
  for (BlockId b : rpo_)
    for (const Edge& e : f.blocks[b].succs) preds[e.to].push_back(b);
  idom_[0] = 0;
  auto intersect = [&](BlockId a, BlockId b) {
    while (a != b) {
      while (rpoIndex_[a] > rpoIndex_[b]) a = idom_[a];
      while (rpoIndex_[b] > rpoIndex_[a]) b = idom_[b];
    }
    return a;
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 1; i < rpo_.size(); ++i) {
      const BlockId b = rpo_[i];
      BlockId d = kNoId;
      for (BlockId p : preds[b]) {
        if (idom_[p] == kNoId) continue;  // not processed yet
        d = d == kNoId ? p : intersect(p, d);
      }
      if (d != idom_[b]) {
        idom_[b] = d;
        changed = true;
      }
    }
  }
  idom_[0] = kNoId;
  for (size_t i = 1; i < rpo_.size(); ++i) children_[idom_[rpo_[i]]].push_back(rpo_[i]);
}

bool Cfg::dominates(BlockId a, BlockId b) const {
  if (!reachable(a) || !reachable(b)) return false;
  while (b != kNoId && rpoIndex_[b] >= rpoIndex_[a]) {
    if (b == a) return true;
    b = idom_[b];
  }
  return false;
}

std::vector<BlockId> Cfg::domPreorder() const {
  std::vector<BlockId> out;
  if (rpo_.empty()) return out;
  std::vector<BlockId> stack{0};
  while (!stack.empty()) {
    const BlockId b = stack.back();
    stack.pop_back();
    out.push_back(b);
    for (auto it = children_[b].rbegin(); it != children_[b].rend(); ++it) stack.push_back(*it);
  }
  return out;
}

}  // namespace myrt::opt
