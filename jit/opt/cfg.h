// jit/opt/cfg.h -- control-flow facts of an IR function: reverse postorder and the dominator tree (Cooper, Harvey and
// Kennedy's iterative algorithm over the reverse postorder: simple, and fast for the reducible graphs wasm produces).
// Layer: jit/opt. Computed from Block::succs of the live blocks reachable from the entry; recompute after CFG changes.
#pragma once
#include <vector>

#include "jit/opt/ir.h"

namespace myrt::opt {

class Cfg {
 public:
  explicit Cfg(const Func& f);

  // Blocks reachable from the entry, in reverse postorder (the entry first).
  const std::vector<BlockId>& rpo() const { return rpo_; }
  bool reachable(BlockId b) const { return rpoIndex_[b] != kNoId; }
  // The immediate dominator (kNoId for the entry and unreachable blocks).
  BlockId idom(BlockId b) const { return idom_[b]; }
  const std::vector<BlockId>& domChildren(BlockId b) const { return children_[b]; }
  // Whether a dominates b (reflexive).
  bool dominates(BlockId a, BlockId b) const;
  // The dominator tree in preorder (parents before children; children in reverse postorder).
  std::vector<BlockId> domPreorder() const;

 private:
  std::vector<BlockId> rpo_;
  std::vector<uint32_t> rpoIndex_;
  std::vector<BlockId> idom_;
  std::vector<std::vector<BlockId>> children_;
};

}  // namespace myrt::opt
