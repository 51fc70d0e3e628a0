// runtime/valid/type_context.cpp -- canonical type ids (iso-recursive equivalence over rec groups), heap subtyping,
// declared function references.
// Layer: valid. See type_context.h.
#include "runtime/valid/type_context.h"

#include <string>
#include <unordered_map>

#include "runtime/binary/instr.h"

namespace myrt {

TypeContext::TypeContext(const Module& m) : m_(&m) {
  canonicalize();
  collectDeclaredFuncs();
}

namespace {

// Serializes a rec group so that two groups get the same key iff they are equivalent: references to types inside the
// group are written relative to its start, references to earlier types by their canonical id.
class KeyWriter {
 public:
  KeyWriter(const std::vector<uint32_t>& canon, uint32_t start, uint32_t size)
      : canon_(canon), start_(start), size_(size) {}
  std::string key;

  void u32(uint32_t v) { key.append(reinterpret_cast<const char*>(&v), 4); }
  void typeRef(uint32_t idx) {
    if (idx >= start_ && idx - start_ < size_) {
      key.push_back('r');
      u32(idx - start_);
    } else if (idx < start_ && idx < canon_.size()) {
      key.push_back('c');
      u32(canon_[idx]);
    } else {
      key.push_back('f');  // forward/out-of-range reference: invalid, keep distinct
      u32(idx);
    }
  }
  void val(ValType t) {
    key.push_back(static_cast<char>(t.kind));
    if (t.kind != ValKind::Ref) return;
    key.push_back(t.nullable ? 'n' : 'N');
    key.push_back(static_cast<char>(t.heap));
    if (t.heap == HeapKind::Concrete) typeRef(t.index);
  }
  void sub(const SubType& s) {
    key.push_back(s.final ? 'F' : 'O');
    u32(static_cast<uint32_t>(s.supers.size()));
    for (uint32_t sp : s.supers) typeRef(sp);
    key.push_back(static_cast<char>(s.comp.kind));
    u32(static_cast<uint32_t>(s.comp.params.size()));
    for (ValType t : s.comp.params) val(t);
    u32(static_cast<uint32_t>(s.comp.results.size()));
    for (ValType t : s.comp.results) val(t);
    u32(static_cast<uint32_t>(s.comp.fields.size()));
    for (const FieldType& f : s.comp.fields) {
      key.push_back(f.mut ? 'm' : 'c');
      val(f.type);
    }
  }

 private:
  const std::vector<uint32_t>& canon_;
  uint32_t start_, size_;
};

}  // namespace

void TypeContext::canonicalize() {
  const auto& types = m_->types;
  uint32_t n = static_cast<uint32_t>(types.size());
  canon_.assign(n, 0);
  std::unordered_map<std::string, uint32_t> groups;
  for (uint32_t i = 0; i < n;) {
    uint32_t start = i;
    uint32_t size = types[i].recGroupSize;
    if (types[i].recGroupStart != i || size == 0 || size > n - i) size = 1;  // malformed grouping: treat as singleton
    KeyWriter w(canon_, start, size);
    w.u32(size);
    for (uint32_t k = 0; k < size; ++k) w.sub(types[start + k]);
    auto [it, inserted] = groups.emplace(std::move(w.key), start);
    for (uint32_t k = 0; k < size; ++k) canon_[start + k] = it->second + k;
    i = start + size;
  }
}

void TypeContext::collectDeclaredFuncs() {
  const Module& m = *m_;
  declared_.assign(m.funcs.size(), false);
  auto mark = [&](uint32_t f) {
    if (f < declared_.size()) declared_[f] = true;
  };
  for (const Export& e : m.exports)
    if (e.kind == ExternKind::Func) mark(e.index);
  Instr in;
  auto scan = [&](ConstExpr e) {
    if (uint64_t(e.offset) + e.size > m.bytes.size()) return;
    ByteReader r(m.data(e), e.size, e.offset);
    while (!r.atEnd()) {
      if (!readInstr(r, in).ok()) return;
      if (in.op == Op::RefFunc) mark(in.idx);
    }
  };
  for (const Global& g : m.globals)
    if (!g.imported) scan(g.init);
  for (const Table& t : m.tables)
    if (t.init) scan(*t.init);
  for (const ElemSegment& s : m.elems) {
    for (uint32_t f : s.funcIndices) mark(f);
    for (ConstExpr e : s.exprs) scan(e);
  }
}

HeapKind TypeContext::topOf(HeapType h) const {
  switch (h.kind) {
    case HeapKind::Func:
    case HeapKind::NoFunc: return HeapKind::Func;
    case HeapKind::Extern:
    case HeapKind::NoExtern: return HeapKind::Extern;
    case HeapKind::Exn:
    case HeapKind::NoExn: return HeapKind::Exn;
    case HeapKind::Any:
    case HeapKind::Eq:
    case HeapKind::I31:
    case HeapKind::Struct:
    case HeapKind::Array:
    case HeapKind::None: return HeapKind::Any;
    case HeapKind::Concrete:
      if (!validTypeIndex(h.index)) return HeapKind::Bot;
      return m_->types[h.index].comp.kind == CompKind::Func ? HeapKind::Func : HeapKind::Any;
    case HeapKind::Bot: return HeapKind::Bot;
  }
  return HeapKind::Bot;
}

bool TypeContext::heapSubtype(HeapType a, HeapType b) const {
  if (a.kind == HeapKind::Bot) return true;
  if (a.kind == HeapKind::Concrete && !validTypeIndex(a.index)) return false;
  if (b.kind == HeapKind::Concrete && !validTypeIndex(b.index)) return false;
  auto compOf = [&](HeapType h) { return m_->types[h.index].comp.kind; };
  if (b.kind == HeapKind::Concrete) {
    if (a.kind == HeapKind::Concrete) {
      uint32_t target = canon(b.index);
      uint32_t t = a.index;
      for (;;) {
        if (canon(t) == target) return true;
        const SubType& st = m_->types[t];
        if (st.supers.empty() || st.supers[0] >= t) return false;  // supers must precede their subtypes
        t = st.supers[0];
      }
    }
    CompKind bk = compOf(b);
    if (a.kind == HeapKind::NoFunc) return bk == CompKind::Func;
    if (a.kind == HeapKind::None) return bk != CompKind::Func;
    return false;
  }
  if (a.kind == b.kind) return true;
  switch (b.kind) {
    case HeapKind::Any:
    case HeapKind::Eq:
      if (a.kind == HeapKind::Concrete) return compOf(a) != CompKind::Func;
      if (b.kind == HeapKind::Any && a.kind == HeapKind::Eq) return true;
      return a.kind == HeapKind::I31 || a.kind == HeapKind::Struct || a.kind == HeapKind::Array ||
             a.kind == HeapKind::None;
    case HeapKind::I31: return a.kind == HeapKind::None;
    case HeapKind::Struct:
      if (a.kind == HeapKind::Concrete) return compOf(a) == CompKind::Struct;
      return a.kind == HeapKind::None;
    case HeapKind::Array:
      if (a.kind == HeapKind::Concrete) return compOf(a) == CompKind::Array;
      return a.kind == HeapKind::None;
    case HeapKind::Func:
      if (a.kind == HeapKind::Concrete) return compOf(a) == CompKind::Func;
      return a.kind == HeapKind::NoFunc;
    case HeapKind::Extern: return a.kind == HeapKind::NoExtern;
    case HeapKind::Exn: return a.kind == HeapKind::NoExn;
    default: return false;  // none, nofunc, noextern, noexn: only themselves
  }
}

static bool fieldSubtype(const TypeContext& c, const FieldType& sub, const FieldType& sup) {
  if (sub.mut != sup.mut) return false;
  if (sub.type.isPacked() || sup.type.isPacked()) return sub.type.kind == sup.type.kind;
  if (sub.mut) return c.sameType(sub.type, sup.type);
  return c.isSubtype(sub.type, sup.type);
}

bool TypeContext::compositeSubtype(const CompositeType& sub, const CompositeType& sup) const {
  if (sub.kind != sup.kind) return false;
  switch (sub.kind) {
    case CompKind::Func:
      if (sub.params.size() != sup.params.size() || sub.results.size() != sup.results.size()) return false;
      for (size_t i = 0; i < sub.params.size(); ++i)
        if (!isSubtype(sup.params[i], sub.params[i])) return false;
      for (size_t i = 0; i < sub.results.size(); ++i)
        if (!isSubtype(sub.results[i], sup.results[i])) return false;
      return true;
    case CompKind::Struct:
      if (sub.fields.size() < sup.fields.size()) return false;
      for (size_t i = 0; i < sup.fields.size(); ++i)
        if (!fieldSubtype(*this, sub.fields[i], sup.fields[i])) return false;
      return true;
    case CompKind::Array:
      if (sub.fields.size() != 1 || sup.fields.size() != 1) return false;
      return fieldSubtype(*this, sub.fields[0], sup.fields[0]);
  }
  return false;
}

}  // namespace myrt
