// runtime/valid/validator.cpp -- module-level typing and validation. First TypeContext (type_context.h): canonical
// type ids (iso-recursive equivalence over rec groups), heap subtyping, declared function references. Then the
// Validator: types (incl. 3.0 declared subtypes), imports, functions, tables, memories, globals and their constant
// expressions, exports, start, element/data segments, tags, and every function body through
// CodeReader<NullInterface, true>.
// Layer: valid (depends on base, wasm, binary/instr.h via code_reader.h). Messages: the spec testsuite's wording.
#include "runtime/valid/validator.h"

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "runtime/valid/code_reader.h"

namespace myrt {

// ==== TypeContext ====================================================================================================

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


// ==== Validator ======================================================================================================
namespace {

constexpr uint64_t kMaxPages32 = 65536;                 // 4 GiB
constexpr uint64_t kMaxPages64 = uint64_t(1) << 48;     // 2^64 bytes / 64 KiB
constexpr uint64_t kMaxTable32 = 0xFFFFFFFFull;

class Validator {
 public:
  Validator(const Module& m, const ValidateOptions& opts)
      : m_(m), opts_(opts), ctx_(m), reader_(ctx_, null_) {
    reader_.setWasm2Only(opts.wasm2Only);
  }

  // Malformed function bodies are reported before validation errors (the reference decodes the whole module first).
  Status run() {
    Status s = checkAll();
    if (s.ok()) return s;
    for (uint32_t i = m_.numImportedFuncs; i < m_.funcs.size(); ++i) {
      Status malformed = reader_.scanStructure(i);
      if (!malformed.ok()) return malformed;
    }
    return s;
  }

 private:
  Status checkAll() {
    MYRT_TRY(types());
    MYRT_TRY(funcs());
    MYRT_TRY(tables());
    MYRT_TRY(memories());
    MYRT_TRY(tags());
    MYRT_TRY(globals());
    MYRT_TRY(exports());
    MYRT_TRY(start());
    MYRT_TRY(elems());
    MYRT_TRY(datas());
    MYRT_TRY(bodies());
    return {};
  }

  static Error err(size_t off, std::string msg) { return Error(off, std::move(msg)); }

  Status valType(ValType t, size_t off) {
    if (!ctx_.wellFormed(t)) return err(off, "unknown type " + std::to_string(t.index));
    if (t.isPacked() || t.kind == ValKind::Bot) return err(off, "malformed value type");
    return {};
  }

  Status limits(const Limits& l, uint64_t cap, const char* sizeMsg, size_t off) {
    if (l.max && l.min > *l.max) return err(off, "size minimum must not be greater than maximum");
    if (l.min > cap || (l.max && *l.max > cap)) return err(off, sizeMsg);
    return {};
  }

  // A constant expression producing `t`; `numGlobals` globals are visible to global.get.
  Status constExpr(ConstExpr e, ValType t, uint32_t numGlobals) {
    return reader_.readConstExpr(e, t, numGlobals);
  }

  Status types() {
    const auto& ts = m_.types;
    for (uint32_t i = 0; i < ts.size(); ++i) {
      const SubType& st = ts[i];
      uint32_t groupEnd = st.recGroupStart + st.recGroupSize;
      if (st.recGroupStart > i || groupEnd <= i || groupEnd > ts.size()) groupEnd = i + 1;
      auto check = [&](ValType t) -> Status {
        if (t.isRef() && t.heap == HeapKind::Concrete && t.index >= groupEnd)
          return err(Error::kNoOffset, "unknown type " + std::to_string(t.index));
        return {};
      };
      for (ValType t : st.comp.params) MYRT_TRY(check(t));
      for (ValType t : st.comp.results) MYRT_TRY(check(t));
      for (const FieldType& f : st.comp.fields) MYRT_TRY(check(f.type));
      if (st.comp.kind == CompKind::Array && st.comp.fields.size() != 1)
        return err(Error::kNoOffset, "malformed array type");
      if (st.supers.size() > 1) return err(Error::kNoOffset, "sub type " + std::to_string(i) + " has more than one super type");
      for (uint32_t sup : st.supers) {
        if (sup >= i) return err(Error::kNoOffset, "unknown type " + std::to_string(sup));
        if (ts[sup].final || !ctx_.compositeSubtype(st.comp, ts[sup].comp))
          return err(Error::kNoOffset,
                     "sub type " + std::to_string(i) + " does not match super type " + std::to_string(sup));
      }
    }
    return {};
  }

  Status funcs() {
    for (uint32_t i = 0; i < m_.funcs.size(); ++i) {
      const Func& f = m_.funcs[i];
      if (!ctx_.isFuncType(f.typeIndex)) return err(f.bodyStart, "unknown type " + std::to_string(f.typeIndex));
    }
    return {};
  }

  Status tables() {
    if (opts_.wasm2Only && opts_.singleTable && m_.tables.size() > 1) return err(Error::kNoOffset, "multiple tables");
    for (const Table& t : m_.tables) {
      MYRT_TRY(valType(t.type.elem, Error::kNoOffset));
      if (!t.type.elem.isRef()) return err(Error::kNoOffset, "malformed reference type");
      MYRT_TRY(limits(t.type.limits, t.type.limits.is64 ? UINT64_MAX : kMaxTable32, "table size", Error::kNoOffset));
      if (t.init) {
        // the table section precedes the global section: only imported globals are visible
        MYRT_TRY(constExpr(*t.init, t.type.elem, m_.numImportedGlobals));
      } else if (!t.imported && !TypeContext::defaultable(t.type.elem)) {
        return err(Error::kNoOffset, "type mismatch: table of non-nullable type requires an initializer");
      }
    }
    return {};
  }

  Status memories() {
    if (opts_.wasm2Only && m_.memories.size() > 1) return err(Error::kNoOffset, "multiple memories");
    for (const Memory& mem : m_.memories) {
      const Limits& l = mem.type.limits;
      MYRT_TRY(limits(l, l.is64 ? kMaxPages64 : kMaxPages32,
                      l.is64 ? "memory size must be at most 2^48 pages" : "memory size must be at most 65536 pages (4GiB)",
                      Error::kNoOffset));
      if (l.shared && !l.max) return err(Error::kNoOffset, "shared memory must have maximum");
    }
    return {};
  }

  Status tags() {
    for (const Tag& t : m_.tags) {
      if (!ctx_.isFuncType(t.typeIndex)) return err(Error::kNoOffset, "unknown type " + std::to_string(t.typeIndex));
      if (!m_.types[t.typeIndex].comp.results.empty()) return err(Error::kNoOffset, "non-empty tag result type");
    }
    return {};
  }

  Status globals() {
    for (uint32_t i = 0; i < m_.globals.size(); ++i) {
      const Global& g = m_.globals[i];
      MYRT_TRY(valType(g.type.type, g.init.offset));
      if (g.imported) continue;
      // 3.0: any earlier global; 2.0: imported globals only.
      uint32_t visible = opts_.wasm2Only ? std::min(i, m_.numImportedGlobals) : i;
      MYRT_TRY(constExpr(g.init, g.type.type, visible));
    }
    return {};
  }

  Status exports() {
    std::unordered_set<std::string_view> names;
    names.reserve(m_.exports.size());
    for (const Export& e : m_.exports) {
      if (!names.insert(e.name).second) return err(Error::kNoOffset, "duplicate export name");
      size_t n = 0;
      const char* what = "";
      switch (e.kind) {
        case ExternKind::Func: n = m_.funcs.size(); what = "unknown function "; break;
        case ExternKind::Table: n = m_.tables.size(); what = "unknown table "; break;
        case ExternKind::Memory: n = m_.memories.size(); what = "unknown memory "; break;
        case ExternKind::Global: n = m_.globals.size(); what = "unknown global "; break;
        case ExternKind::Tag: n = m_.tags.size(); what = "unknown tag "; break;
      }
      if (e.index >= n) return err(Error::kNoOffset, what + std::to_string(e.index));
    }
    return {};
  }

  Status start() {
    if (!m_.start) return {};
    uint32_t f = *m_.start;
    if (f >= m_.funcs.size()) return err(Error::kNoOffset, "unknown function " + std::to_string(f));
    const CompositeType& ft = m_.funcType(f);
    if (!ft.params.empty() || !ft.results.empty()) return err(Error::kNoOffset, "start function");
    return {};
  }

  // Globals visible to segment offsets / element expressions: all (3.0) or the imported ones (2.0).
  uint32_t segmentGlobals() const {
    return opts_.wasm2Only ? m_.numImportedGlobals : static_cast<uint32_t>(m_.globals.size());
  }

  Status elems() {
    const uint32_t allGlobals = segmentGlobals();
    for (const ElemSegment& s : m_.elems) {
      MYRT_TRY(valType(s.type, s.sourceOffset));
      if (!s.type.isRef()) return err(s.sourceOffset, "malformed reference type");
      if (s.mode == SegmentMode::Active) {
        if (s.table >= m_.tables.size()) return err(s.sourceOffset, "unknown table " + std::to_string(s.table));
        const TableType& tt = m_.tables[s.table].type;
        MYRT_TRY(constExpr(s.offset, tt.limits.is64 ? ValType::i64() : ValType::i32(), allGlobals));
        if (!ctx_.isSubtype(s.type, tt.elem)) return err(s.sourceOffset, "type mismatch: element segment type");
      }
      for (uint32_t f : s.funcIndices) {
        if (f >= m_.funcs.size()) return err(s.sourceOffset, "unknown function " + std::to_string(f));
        if (!ctx_.isSubtype(ValType::ref(HeapKind::Concrete, false, m_.funcs[f].typeIndex), s.type))
          return err(s.sourceOffset, "type mismatch: element segment function");
      }
      for (ConstExpr e : s.exprs) MYRT_TRY(constExpr(e, s.type, allGlobals));
    }
    return {};
  }

  Status datas() {
    const uint32_t allGlobals = segmentGlobals();
    for (const DataSegment& d : m_.datas) {
      if (d.mode != SegmentMode::Active) continue;
      if (d.memory >= m_.memories.size()) return err(d.sourceOffset, "unknown memory " + std::to_string(d.memory));
      const bool is64 = m_.memories[d.memory].type.limits.is64;
      MYRT_TRY(constExpr(d.offset, is64 ? ValType::i64() : ValType::i32(), allGlobals));
    }
    if (m_.dataCount && *m_.dataCount != m_.datas.size())
      return err(Error::kNoOffset, "data count and data section have inconsistent lengths");
    return {};
  }

  Status bodies() {
    for (uint32_t i = m_.numImportedFuncs; i < m_.funcs.size(); ++i) {
      if (m_.funcs[i].imported) continue;
      MYRT_TRY(reader_.readFunction(i));
    }
    return {};
  }

  const Module& m_;
  const ValidateOptions& opts_;
  TypeContext ctx_;
  NullInterface null_;
  CodeReader<NullInterface, true> reader_;
};

}  // namespace

Status validateModule(const Module& m) { return validateModule(m, ValidateOptions{}); }

Status validateModule(const Module& m, const ValidateOptions& opts) {
  Validator v(m, opts);
  return v.run();
}

}  // namespace myrt
