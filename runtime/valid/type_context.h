// runtime/valid/type_context.h -- module-level typing facts shared by every CodeReader walk: canonical (iso-recursive)
// type identities, reference subtyping over abstract and concrete heap types, and the set of function indices that
// may be named by `ref.func` inside function bodies ("undeclared function reference").
// Layer: valid (depends on base, wasm; implemented in validator.cpp). Built once per module; cheap enough to build
// again for a lowering pass.
// Robust against unvalidated modules (out-of-range indices never crash; they simply compare unequal).
#pragma once
#include <cstdint>
#include <vector>

#include "runtime/wasm/module.h"

namespace myrt {

class TypeContext {
 public:
  explicit TypeContext(const Module& m);

  const Module& module() const { return *m_; }

  bool validTypeIndex(uint32_t idx) const { return idx < m_->types.size(); }
  bool isFuncType(uint32_t idx) const { return idx < m_->types.size() && m_->types[idx].comp.kind == CompKind::Func; }
  // Canonical id of a type index: two indices denote the same type (iso-recursive equivalence) iff ids are equal.
  uint32_t canon(uint32_t idx) const { return idx < canon_.size() ? canon_[idx] : UINT32_MAX - 1; }

  // t1 <: t2 (value types; Bot is a subtype of everything, numeric/vector types only of themselves).
  bool isSubtype(ValType a, ValType b) const {
    if (a.kind == ValKind::Bot) return true;
    if (a.kind != ValKind::Ref || b.kind != ValKind::Ref) return a.kind == b.kind;
    if (a.nullable && !b.nullable) return false;
    if (a.heap == b.heap && a.heap != HeapKind::Concrete) return true;
    return heapSubtype(a.heapType(), b.heapType());
  }
  bool heapSubtype(HeapType a, HeapType b) const;
  // Exact type equality (used for mutable fields / globals and select's operand agreement).
  bool sameType(ValType a, ValType b) const {
    if (a.kind != b.kind) return false;
    if (a.kind != ValKind::Ref) return true;
    if (a.nullable != b.nullable || a.heap != b.heap) return false;
    return a.heap != HeapKind::Concrete || canon(a.index) == canon(b.index);
  }
  // The top of the hierarchy a heap type belongs to: Func, Extern, Any or Exn (Bot for Bot).
  HeapKind topOf(HeapType h) const;
  // Values of this type can be default-initialized (numbers, vectors, nullable references).
  static bool defaultable(ValType t) { return t.kind != ValKind::Ref || t.nullable; }
  // A type whose concrete indices all exist.
  bool wellFormed(ValType t) const { return t.kind != ValKind::Ref || t.heap != HeapKind::Concrete || validTypeIndex(t.index); }
  bool wellFormed(HeapType h) const { return h.kind != HeapKind::Concrete || validTypeIndex(h.index); }

  // ref.func x inside a function body requires x to be "declared" (referenced outside function bodies).
  bool funcDeclared(uint32_t f) const { return f < declared_.size() && declared_[f]; }

  // Nominal/structural subtype check between two defined composite types (for the type section's declared supers).
  bool compositeSubtype(const CompositeType& sub, const CompositeType& super) const;

 private:
  void canonicalize();
  void collectDeclaredFuncs();

  const Module* m_;
  std::vector<uint32_t> canon_;
  std::vector<bool> declared_;
};

}  // namespace myrt
