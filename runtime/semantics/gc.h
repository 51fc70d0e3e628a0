// runtime/semantics/gc.h -- the GC instructions' semantics (struct/array/i31, casts), defined once for every tier: one
// out-of-line step per instruction over operand words, and the cast test shared with br_on_cast. Objects live in
// the store's garbage-collected heap (exec/store.h, gc_heap.h); an allocation may collect first.
// Layer: semantics (depends on exec's runtime objects and binary/instr.h). Consumers: the interpreter (its IOp::Gc
// handler passes its own code words), the JITs (which build the same words after their code and call gcStep).
//
// Operand words (12): handler(2) op dst s0 s1 s2 s3 s4 imm0 imm1 imm2 -- the first two words are not read (the
// interpreter's handler address); dst and s* are slot indices relative to `fp`; imm0 is a canonical type id (or, for
// casts, a HeapKind), imm1 a field/segment index or count (casts: the canonical id of a concrete target), imm2 the
// source array type (array.copy) or the cast's nullability. The operands are contiguous slots s0...
#pragma once
#include <cstdint>
#include <vector>

#include "runtime/binary/instr.h"
#include "runtime/exec/store.h"

namespace myrt::semantics {

// One GC instruction on the operand words at `ip` (layout above).
TrapReason gcStep(ExecContext& cx, Value* fp, const uint32_t* ip, Instance& inst);

// The immediate words imm0..imm2 for instruction `in` (br_on_cast*: of the ref.test it runs), and whether it has a
// result (at the first operand's slot).
struct GcImms {
  uint32_t imm[3] = {0, 0, 0};
  bool result = false;
  // bit k: imm[k] is the store's canonical id of module type typeIndex[k] (precompiled code relocates it: jit/aot.h)
  uint8_t canonMask = 0;
  uint32_t typeIndex[3] = {0, 0, 0};
};
GcImms gcImmediates(const Instr& in, const Module& m, const std::vector<uint32_t>& typeIds);
bool castMatches(const TypeRegistry& reg, Ref r, HeapKind kind, uint32_t canonId, bool nullable);

// Whether instruction `op` allocates (and so may collect: a safepoint with a stack map in every tier).
constexpr bool gcAllocates(Op op) {
  return op == Op::StructNew || op == Op::StructNewDefault || op == Op::ArrayNew || op == Op::ArrayNewDefault ||
         op == Op::ArrayNewFixed || op == Op::ArrayNewData || op == Op::ArrayNewElem;
}
// An allocating instruction's operands (consecutive stack values): how many (`count`: array.new_fixed's imm1) and
// whether operand k is a reference to a GC object (struct.new's fields, array.new's initial value, array.new_fixed's
// elements, by the type `in.idx` of module m): the stack maps list those at the allocation.
inline uint32_t gcAllocOperands(const Instr& in, const Module& m, uint32_t count) {
  switch (in.op) {
    case Op::StructNew:
      return in.idx < m.types.size() ? static_cast<uint32_t>(m.types[in.idx].comp.fields.size()) : 0;
    case Op::ArrayNew: return 1;  // (then the length)
    case Op::ArrayNewFixed: return count;
    default: return 0;
  }
}
inline bool gcAllocOperandIsRef(const Instr& in, const Module& m, uint32_t k) {
  if (in.idx >= m.types.size()) return false;
  const CompositeType& c = m.types[in.idx].comp;
  if (in.op == Op::StructNew) return k < c.fields.size() && isGcRefType(c.fields[k].type, m);
  return (in.op == Op::ArrayNew || in.op == Op::ArrayNewFixed) && !c.fields.empty() && isGcRefType(c.fields[0].type, m);
}

}  // namespace myrt::semantics
