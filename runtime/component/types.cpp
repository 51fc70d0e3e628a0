// runtime/component/types.cpp -- type names, Canonical ABI facts (alignment, elem_size, flatten_type: CanonicalABI.md
// "Alignment", "Element Size", "Flattening"), WIT-like printing and structural equality of component types.
// GCC 12 reports a false -Wrestrict in std::string concatenation ("a" + std::string(b); GCC bug 105329).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include "runtime/component/types.h"

#include <algorithm>
#include <array>

namespace myrt::component {

const char* tkName(TK k) {
  switch (k) {
    case TK::Bool: return "bool";
    case TK::S8: return "s8";
    case TK::U8: return "u8";
    case TK::S16: return "s16";
    case TK::U16: return "u16";
    case TK::S32: return "s32";
    case TK::U32: return "u32";
    case TK::S64: return "s64";
    case TK::U64: return "u64";
    case TK::F32: return "f32";
    case TK::F64: return "f64";
    case TK::Char: return "char";
    case TK::String: return "string";
    case TK::ErrorContext: return "error-context";
    case TK::Record: return "record";
    case TK::Variant: return "variant";
    case TK::List: return "list";
    case TK::FixedList: return "list";
    case TK::Tuple: return "tuple";
    case TK::Flags: return "flags";
    case TK::Enum: return "enum";
    case TK::Option: return "option";
    case TK::Result: return "result";
    case TK::Own: return "own";
    case TK::Borrow: return "borrow";
    case TK::Stream: return "stream";
    case TK::Future: return "future";
    case TK::Map: return "map";
    case TK::Func: return "func";
    case TK::Component: return "component";
    case TK::Instance: return "instance";
    case TK::Resource: return "resource";
  }
  return "?";
}

const char* sortName(Sort s) {
  switch (s) {
    case Sort::CoreFunc: return "core func";
    case Sort::CoreTable: return "core table";
    case Sort::CoreMemory: return "core memory";
    case Sort::CoreGlobal: return "core global";
    case Sort::CoreTag: return "core tag";
    case Sort::CoreType: return "core type";
    case Sort::CoreModule: return "core module";
    case Sort::CoreInstance: return "core instance";
    case Sort::Func: return "func";
    case Sort::Value: return "value";
    case Sort::Type: return "type";
    case Sort::Component: return "component";
    case Sort::Instance: return "instance";
  }
  return "?";
}

const Type* TypeArena::prim(TK k) {
  static const auto prims = [] {
    std::array<Type, size_t(TK::ErrorContext) + 1> a{};
    for (size_t i = 0; i < a.size(); ++i) {
      a[i].kind = static_cast<TK>(i);
      computeAbi(a[i]);
    }
    return a;
  }();
  return size_t(k) < prims.size() ? &prims[size_t(k)] : nullptr;  // nullptr: not a primitive kind
}

namespace {

uint32_t alignTo(uint32_t p, uint32_t a) { return (p + a - 1) / a * a; }

ValKind join(ValKind a, ValKind b) {
  if (a == b) return a;
  if ((a == ValKind::I32 && b == ValKind::F32) || (a == ValKind::F32 && b == ValKind::I32)) return ValKind::I32;
  return ValKind::I64;
}

// Discriminant of n cases: u8 / u16 / u32.
uint32_t discSize(size_t n) { return n <= 256 ? 1 : n <= 65536 ? 2 : 4; }

// Saturating arithmetic: sizes above 2^28 are rejected by the validator; keep them from overflowing first.
uint32_t satMul(uint64_t a, uint64_t b) { return static_cast<uint32_t>(std::min<uint64_t>(a * b, 1u << 30)); }

void variantAbi(AbiLayout& abi, bool p64, size_t numCases, const std::vector<const Type*>& payloads) {
  const uint32_t ds = discSize(numCases);
  uint32_t maxAlign = 1, maxSize = 0;
  std::vector<ValKind> flat;
  for (const Type* p : payloads) {
    if (!p) continue;
    const AbiLayout& pl = abiLayout(p, p64);
    maxAlign = std::max(maxAlign, pl.align);
    maxSize = std::max(maxSize, pl.size);
    for (size_t i = 0; i < pl.flat.size(); ++i) {
      if (i < flat.size()) flat[i] = join(flat[i], pl.flat[i]);
      else flat.push_back(pl.flat[i]);
    }
  }
  abi.align = std::max(ds, maxAlign);
  uint32_t s = alignTo(ds, maxAlign) + maxSize;
  abi.size = alignTo(s, abi.align);
  abi.flat.clear();
  abi.flat.push_back(ValKind::I32);
  abi.flat.insert(abi.flat.end(), flat.begin(), flat.end());
}

void recordAbi(AbiLayout& abi, bool p64, const std::vector<const Type*>& fields) {
  uint32_t s = 0, a = 1;
  abi.flat.clear();
  for (const Type* f : fields) {
    const AbiLayout& fl = abiLayout(f, p64);
    s = alignTo(s, fl.align) + fl.size;
    if (s > (1u << 30)) s = 1u << 30;
    a = std::max(a, fl.align);
    if (abi.flat.size() < 1024) abi.flat.insert(abi.flat.end(), fl.flat.begin(), fl.flat.end());
  }
  abi.align = a;
  abi.size = alignTo(s, a);
}

// The layout of t for one memory width (its elements' layouts are computed).
void layoutAbi(const Type& t, bool p64, AbiLayout& abi) {
  auto scalar = [&](uint32_t size, ValKind k) {
    abi.size = abi.align = size;
    abi.flat = {k};
  };
  switch (t.kind) {
    case TK::Bool: case TK::S8: case TK::U8: scalar(1, ValKind::I32); break;
    case TK::S16: case TK::U16: scalar(2, ValKind::I32); break;
    case TK::S32: case TK::U32: case TK::Char: case TK::ErrorContext: scalar(4, ValKind::I32); break;
    case TK::S64: case TK::U64: scalar(8, ValKind::I64); break;
    case TK::F32: scalar(4, ValKind::F32); break;
    case TK::F64: scalar(8, ValKind::F64); break;
    case TK::String: case TK::List: case TK::Map:
      abi.size = p64 ? 16 : 8;
      abi.align = p64 ? 8 : 4;
      abi.flat.assign(2, p64 ? ValKind::I64 : ValKind::I32);
      break;
    case TK::FixedList: {
      const AbiLayout& e = abiLayout(t.elem(), p64);
      abi.align = e.align;
      abi.size = satMul(t.length, e.size);
      for (uint32_t i = 0; i < t.length && abi.flat.size() < 1024; ++i) abi.flat.insert(abi.flat.end(), e.flat.begin(), e.flat.end());
      break;
    }
    case TK::Record: case TK::Tuple: recordAbi(abi, p64, t.elems); break;
    case TK::Variant: variantAbi(abi, p64, t.elems.size(), t.elems); break;
    case TK::Enum: variantAbi(abi, p64, t.labels.size(), {}); break;
    case TK::Option: variantAbi(abi, p64, 2, {nullptr, t.elem()}); break;
    case TK::Result: variantAbi(abi, p64, 2, t.elems); break;
    case TK::Flags: {
      const size_t n = t.labels.size();
      abi.size = abi.align = n <= 8 ? 1 : n <= 16 ? 2 : 4;
      abi.flat = {ValKind::I32};
      break;
    }
    case TK::Own: case TK::Borrow: case TK::Stream: case TK::Future: scalar(4, ValKind::I32); break;
    case TK::Func: case TK::Component: case TK::Instance: case TK::Resource: break;
  }
}

}  // namespace

void computeAbi(Type& t) {
  AbiInfo& abi = t.abi;
  abi = AbiInfo{};
  layoutAbi(t, false, abi);
  layoutAbi(t, true, abi.m64);
  switch (t.kind) {
    case TK::String: case TK::List: case TK::Map: case TK::FixedList: case TK::Record: case TK::Tuple:
    case TK::Variant: case TK::Option: case TK::Result:
      for (const Type* e : t.elems) {
        if (!e) continue;
        abi.hasBorrow |= e->abi.hasBorrow;
        abi.hasResource |= e->abi.hasResource;
      }
      break;
    case TK::Own: abi.hasResource = true; break;
    case TK::Borrow: abi.hasResource = abi.hasBorrow = true; break;
    default: break;
  }
  if (isValType(t.kind) && t.kind != TK::Own && t.kind != TK::Borrow)
    for (const Type* e : t.elems)
      if (e) abi.depth = std::max(abi.depth, e->abi.depth + 1);
}

FlatSig flattenFunc(const Type& ft, FlattenMode mode, bool memory64) {
  FlatSig s;
  const ValKind ptr = memory64 ? ValKind::I64 : ValKind::I32;
  for (const Type* p : ft.elems) {
    const AbiLayout& l = abiLayout(p, memory64);
    s.params.insert(s.params.end(), l.flat.begin(), l.flat.end());
  }
  if (ft.result) s.results = abiLayout(ft.result, memory64).flat;
  if (s.params.size() > 16) {
    s.params = {ptr};
    s.paramsInMemory = true;
  }
  if (s.results.size() > 1) {
    s.resultsInMemory = true;
    if (mode == FlattenMode::Lift) {
      s.results = {ptr};
    } else {
      s.params.push_back(ptr);
      s.results.clear();
    }
  }
  return s;
}

FlatSig flattenAsync(const Type& ft, FlattenMode mode, bool memory64, bool callback) {
  FlatSig s;
  const ValKind ptr = memory64 ? ValKind::I64 : ValKind::I32;
  for (const Type* p : ft.elems) {
    const AbiLayout& l = abiLayout(p, memory64);
    s.params.insert(s.params.end(), l.flat.begin(), l.flat.end());
  }
  if (mode == FlattenMode::Lift) {
    if (s.params.size() > 16) {
      s.params = {ptr};
      s.paramsInMemory = true;
    }
    if (callback) s.results = {ValKind::I32};
    return s;
  }
  if (s.params.size() > 4) {
    s.params = {ptr};
    s.paramsInMemory = true;
  }
  if (ft.result) {
    s.params.push_back(ptr);
    s.resultsInMemory = true;
  }
  s.results = {ValKind::I32};
  return s;
}

CompositeType toCoreFuncType(const FlatSig& s) {
  CompositeType ct;
  ct.kind = CompKind::Func;
  for (ValKind k : s.params) ct.params.push_back(ValType{k});
  for (ValKind k : s.results) ct.results.push_back(ValType{k});
  return ct;
}

namespace {
void printType(std::string& o, const Type* t, int depth) {
  if (!t) {
    o += "_";
    return;
  }
  if (depth > 0 && !t->debugName.empty() && t->kind != TK::Resource) {
    o += t->debugName;
    return;
  }
  if (depth > 32) {
    o += "...";
    return;
  }
  auto list = [&](const char* open, const std::vector<const Type*>& ts) {
    o += open;
    o += "<";
    for (size_t i = 0; i < ts.size(); ++i) {
      if (i) o += ", ";
      printType(o, ts[i], depth + 1);
    }
    o += ">";
  };
  switch (t->kind) {
    case TK::Record:
    case TK::Variant: {
      o += t->kind == TK::Record ? "record { " : "variant { ";
      for (size_t i = 0; i < t->labels.size(); ++i) {
        if (i) o += ", ";
        o += t->labels[i];
        if (i < t->elems.size() && t->elems[i]) {
          o += t->kind == TK::Record ? ": " : "(";
          printType(o, t->elems[i], depth + 1);
          if (t->kind == TK::Variant) o += ")";
        }
      }
      o += " }";
      return;
    }
    case TK::Flags:
    case TK::Enum: {
      o += t->kind == TK::Flags ? "flags { " : "enum { ";
      for (size_t i = 0; i < t->labels.size(); ++i) o += (i ? ", " : "") + t->labels[i];
      o += " }";
      return;
    }
    case TK::List: list("list", t->elems); return;
    case TK::FixedList:
      o += "list<";
      printType(o, t->elem(), depth + 1);
      o += ", " + std::to_string(t->length) + ">";
      return;
    case TK::Tuple: list("tuple", t->elems); return;
    case TK::Option: list("option", t->elems); return;
    case TK::Map: list("map", t->elems); return;
    case TK::Result:
      o += "result";
      if (t->elems[0] || t->elems[1]) {
        o += "<";
        printType(o, t->elems[0], depth + 1);
        if (t->elems[1]) {
          o += ", ";
          printType(o, t->elems[1], depth + 1);
        }
        o += ">";
      }
      return;
    case TK::Own:
    case TK::Borrow: {
      const Type* r = t->elem();
      if (t->kind == TK::Borrow) o += "borrow<";
      o += r && !r->debugName.empty() ? r->debugName : "resource";
      if (t->kind == TK::Borrow) o += ">";
      return;
    }
    case TK::Stream:
    case TK::Future:
      o += tkName(t->kind);
      if (t->elem()) {
        o += "<";
        printType(o, t->elem(), depth + 1);
        o += ">";
      }
      return;
    case TK::Func: {
      o += t->async ? "async func(" : "func(";
      for (size_t i = 0; i < t->elems.size(); ++i) {
        if (i) o += ", ";
        o += t->labels[i] + ": ";
        printType(o, t->elems[i], depth + 1);
      }
      o += ")";
      if (t->result) {
        o += " -> ";
        printType(o, t->result, depth + 1);
      }
      return;
    }
    case TK::Instance:
    case TK::Component: {
      o += t->kind == TK::Instance ? "instance { " : "component { ";
      for (auto& i : t->imports) o += "import " + i.name + "; ";
      for (auto& e : t->exports) o += "export " + e.name + "; ";
      o += "}";
      return;
    }
    case TK::Resource:
      o += "resource";
      if (!t->debugName.empty()) o += " " + t->debugName;
      return;
    default: o += tkName(t->kind); return;
  }
}
}  // namespace

std::string typeToString(const Type* t) {
  std::string o;
  printType(o, t, 0);
  return o;
}

std::string externTypeToString(const ExternType& t) {
  switch (t.sort) {
    case Sort::CoreModule: return "core module";
    case Sort::Type: return t.subResource ? "resource" : "type " + typeToString(t.type);
    default: return typeToString(t.type);
  }
}

bool sameValType(const Type* a, const Type* b, bool loose) {
  if (a == b) return true;
  if (!a || !b || a->kind != b->kind) return false;
  if (a->kind == TK::Resource) return loose;
  if (a->kind == TK::Own || a->kind == TK::Borrow) return sameValType(a->elem(), b->elem(), loose);
  if (a->labels != b->labels || a->elems.size() != b->elems.size() || a->length != b->length) return false;
  for (size_t i = 0; i < a->elems.size(); ++i)
    if (!sameValType(a->elems[i], b->elems[i], loose)) return false;
  if (a->kind == TK::Func) return sameValType(a->result, b->result, loose) && a->async == b->async;
  if (a->kind == TK::Instance || a->kind == TK::Component) {
    // Instance/component subtyping, simplified: every export of b exists in a with the same sort.
    for (auto& e : b->exports) {
      const ExternDecl* x = a->findExport(e.name);
      if (!x || x->type.sort != e.type.sort) return false;
    }
    return true;
  }
  return true;
}

}  // namespace myrt::component

// ---------------------------------------------------------------- subtyping (instantiation arguments, ascriptions)
namespace myrt::component {
namespace {

bool fail(std::string* why, std::string msg) {
  *why = std::move(msg);
  return false;
}
bool wrap(std::string* why, const std::string& context) {
  *why = context + ": " + *why;
  return false;
}
bool isPrim(const Type* t) { return t && t->kind <= TK::ErrorContext; }

bool coreExternSub(const CoreExternType& a, const CoreExternType& e, std::string* why) {
  auto kindName = [](ExternKind k) { return std::string(toString(k)); };
  if (a.kind != e.kind) return fail(why, "expected " + kindName(e.kind) + ", found " + kindName(a.kind));
  auto limitsSub = [](const Limits& x, const Limits& y) {  // x <: y
    if (x.is64 != y.is64 || x.min < y.min) return false;
    if (y.max && (!x.max || *x.max > *y.max)) return false;
    return true;
  };
  switch (a.kind) {
    case ExternKind::Func:
    case ExternKind::Tag:
      if (a.func.params != e.func.params || a.func.results != e.func.results)
        return fail(why, "expected: (func " + toString(e.func.params) + " -> " + toString(e.func.results) + "), found (func " +
                             toString(a.func.params) + " -> " + toString(a.func.results) + ")");
      return true;
    case ExternKind::Global:
      if (!(a.global.type == e.global.type) || a.global.mut != e.global.mut)
        return fail(why, "expected global type " + toString(e.global.type) + ", found " + toString(a.global.type));
      return true;
    case ExternKind::Table:
      if (!(a.table.elem == e.table.elem))
        return fail(why, "expected table element type " + toString(e.table.elem) + ", found " + toString(a.table.elem));
      if (!limitsSub(a.table.limits, e.table.limits)) return fail(why, "mismatch in table limits");
      return true;
    case ExternKind::Memory:
      if (a.memory.limits.shared != e.memory.limits.shared) return fail(why, "mismatch in the shared flag for memories");
      if (!limitsSub(a.memory.limits, e.memory.limits)) return fail(why, "mismatch in memory limits");
      return true;
  }
  return true;
}

}  // namespace

bool coreModuleSubtype(const CoreModuleType& a, const CoreModuleType& e, std::string* why) {
  // Imports are contravariant: everything `a` imports must be offered by `e`'s imports, at a subtype.
  for (const CoreImportDecl& ai : a.imports) {
    const CoreImportDecl* ei = nullptr;
    for (const CoreImportDecl& x : e.imports)
      if (x.module == ai.module && x.name == ai.name) ei = &x;
    const std::string n = "`" + ai.module + "::" + ai.name + "`";
    if (!ei) return fail(why, "missing expected import " + n);
    if (!coreExternSub(ei->type, ai.type, why)) return wrap(why, "type mismatch in import " + n);
  }
  // Exports are covariant.
  for (const CoreExportDecl& ee : e.exports) {
    const CoreExportDecl* ae = nullptr;
    for (const CoreExportDecl& x : a.exports)
      if (x.name == ee.name) ae = &x;
    if (!ae) return fail(why, "missing expected export `" + ee.name + "`");
    if (!coreExternSub(ae->type, ee.type, why)) return wrap(why, "type mismatch in export `" + ee.name + "`");
  }
  return true;
}

namespace {
bool valMatch(const Type* a, const Type* e, bool top, std::string* why, ResourceBinding& rb);
bool externSub(const ExternType& a, const ExternType& e, std::string* why, ResourceBinding& rb);
}  // namespace

bool valTypeMatches(const Type* a, const Type* e, bool top, std::string* why, ResourceBinding* rb) {
  ResourceBinding local;
  return valMatch(a, e, top, why, rb ? *rb : local);
}

bool externSubtype(const ExternType& a, const ExternType& e, std::string* why, ResourceBinding* rb) {
  ResourceBinding local;
  return externSub(a, e, why, rb ? *rb : local);
}

namespace {
bool valMatch(const Type* a, const Type* e, bool top, std::string* why, ResourceBinding& rb) {
  if (a == e) return true;
  if (!a || !e) return fail(why, a ? "expected no type, found one" : "expected a type, found none");
  if (isPrim(e) || isPrim(a)) {
    if (isPrim(e) && isPrim(a)) {
      if (a->kind == e->kind) return true;
      return fail(why, std::string("expected primitive `") + tkName(e->kind) + "` found primitive `" + tkName(a->kind) + "`");
    }
    if (top && isPrim(e)) return fail(why, std::string("expected primitive, found ") + tkName(a->kind));
    return fail(why, std::string("expected ") + tkName(e->kind) + ", found " + tkName(a->kind));
  }
  if (a->kind != e->kind) return fail(why, std::string("expected ") + tkName(e->kind) + ", found " + tkName(a->kind));
  switch (e->kind) {
    case TK::Resource:
      if (rb.get(a)->identity() != rb.get(e)->identity()) return fail(why, "resource types are not the same");
      return true;
    case TK::Own:
    case TK::Borrow: return valMatch(a->elem(), e->elem(), false, why, rb);
    case TK::Record:
      if (a->elems.size() != e->elems.size())
        return fail(why, "expected " + std::to_string(e->elems.size()) + " fields, found " + std::to_string(a->elems.size()));
      for (size_t i = 0; i < e->elems.size(); ++i) {
        if (a->labels[i] != e->labels[i])
          return fail(why, "expected field name `" + e->labels[i] + "`, found `" + a->labels[i] + "`");
        if (!valMatch(a->elems[i], e->elems[i], false, why, rb))
          return wrap(why, "type mismatch in record field `" + e->labels[i] + "`");
      }
      return true;
    case TK::Variant:
      if (a->elems.size() != e->elems.size())
        return fail(why, "expected " + std::to_string(e->elems.size()) + " cases, found " + std::to_string(a->elems.size()));
      for (size_t i = 0; i < e->elems.size(); ++i) {
        if (a->labels[i] != e->labels[i])
          return fail(why, "expected case named `" + e->labels[i] + "`, found `" + a->labels[i] + "`");
        if (!e->elems[i] && a->elems[i]) return fail(why, "expected case `" + e->labels[i] + "` to have no type");
        if (e->elems[i] && !a->elems[i])
          return fail(why, "expected case `" + e->labels[i] + "` to have a type, found none");
        if (e->elems[i] && !valMatch(a->elems[i], e->elems[i], false, why, rb))
          return wrap(why, "type mismatch in variant case `" + e->labels[i] + "`");
      }
      return true;
    case TK::Tuple:
      if (a->elems.size() != e->elems.size())
        return fail(why, "expected " + std::to_string(e->elems.size()) + " types, found " + std::to_string(a->elems.size()));
      for (size_t i = 0; i < e->elems.size(); ++i)
        if (!valMatch(a->elems[i], e->elems[i], false, why, rb))
          return wrap(why, "type mismatch in tuple field " + std::to_string(i));
      return true;
    case TK::Flags:
      if (a->labels != e->labels) return fail(why, "mismatch in flags elements");
      return true;
    case TK::Enum:
      if (a->labels != e->labels) return fail(why, "mismatch in enum elements");
      return true;
    case TK::Result:
      for (int i = 0; i < 2; ++i) {
        const char* which = i ? "err" : "ok";
        const Type* x = a->elems.size() > size_t(i) ? a->elems[i] : nullptr;
        const Type* y = e->elems.size() > size_t(i) ? e->elems[i] : nullptr;
        if (!y && x) return fail(why, std::string("expected ") + which + " type to not be present");
        if (y && !x) return fail(why, std::string("expected ") + which + " type, but found none");
        if (y && !valMatch(x, y, false, why, rb)) return wrap(why, std::string("type mismatch in ") + which + " variant");
      }
      return true;
    case TK::FixedList:
      if (a->length != e->length)
        return fail(why, "expected a list of length " + std::to_string(e->length) + ", found " + std::to_string(a->length));
      [[fallthrough]];
    case TK::List:
    case TK::Option:
    case TK::Stream:
    case TK::Future:
    case TK::Map:
      if (a->elems.size() != e->elems.size()) return fail(why, std::string("type mismatch in ") + tkName(e->kind));
      for (size_t i = 0; i < e->elems.size(); ++i) {
        if (!a->elems[i] && !e->elems[i]) continue;
        if (!valMatch(a->elems[i], e->elems[i], false, why, rb))
          return wrap(why, std::string("type mismatch in ") + tkName(e->kind));
      }
      return true;
    case TK::Func: {
      if (a->async != e->async) return fail(why, "mismatch in async attribute");
      if (a->elems.size() != e->elems.size())
        return fail(why, "expected " + std::to_string(e->elems.size()) + " parameters, found " + std::to_string(a->elems.size()));
      for (size_t i = 0; i < e->elems.size(); ++i) {
        if (a->labels[i] != e->labels[i])
          return fail(why, "expected parameter named `" + e->labels[i] + "`, found `" + a->labels[i] + "`");
        if (!valMatch(a->elems[i], e->elems[i], false, why, rb))
          return wrap(why, "type mismatch in function parameter `" + e->labels[i] + "`");
      }
      if (e->result && !a->result) return fail(why, "expected a result, found none");
      if (!e->result && a->result) return fail(why, "expected no result, found one");
      if (e->result && !valMatch(a->result, e->result, false, why, rb)) return wrap(why, "type mismatch with result type");
      return true;
    }
    case TK::Instance:
      for (const ExternDecl& ee : e->exports) {
        const ExternDecl* ae = a->findExport(ee.name);
        if (!ae) return fail(why, "missing expected export `" + ee.name + "`");
        if (!externSub(ae->type, ee.type, why, rb)) return wrap(why, "type mismatch in instance export `" + ee.name + "`");
      }
      return true;
    case TK::Component:
      for (const ExternDecl& ai : a->imports) {  // contravariant
        const ExternDecl* ei = nullptr;
        for (const ExternDecl& x : e->imports)
          if (x.name == ai.name) ei = &x;
        if (!ei) return fail(why, "missing expected import `" + ai.name + "`");
        if (!externSub(ei->type, ai.type, why, rb)) return wrap(why, "type mismatch in import `" + ai.name + "`");
      }
      for (const ExternDecl& ee : e->exports) {
        const ExternDecl* ae = a->findExport(ee.name);
        if (!ae) return fail(why, "missing expected export `" + ee.name + "`");
        if (!externSub(ae->type, ee.type, why, rb)) return wrap(why, "type mismatch in export `" + ee.name + "`");
      }
      return true;
    default: return sameValType(a, e, true) || fail(why, std::string("type mismatch in ") + tkName(e->kind));
  }
}

bool externSub(const ExternType& a, const ExternType& e, std::string* why, ResourceBinding& rb) {
  if (a.sort != e.sort) return fail(why, std::string("expected ") + sortName(e.sort) + ", found " + sortName(a.sort));
  switch (e.sort) {
    case Sort::CoreModule:
      if (!a.module || !e.module) return true;
      return coreModuleSubtype(*a.module, *e.module, why);
    case Sort::Type:
      if (e.subResource) {
        if (!a.type || a.type->kind != TK::Resource)
          return fail(why, std::string("expected resource, found ") + (a.type ? "defined type" : "none"));
        if (e.type && e.type != a.type) rb.map[e.type] = rb.get(a.type);  // bind the abstract resource
        return true;
      }
      if (e.type && e.type->kind == TK::Resource && a.type && a.type->kind != TK::Resource)
        return fail(why, "expected resource, found defined type");
      if (e.type && e.type->kind != TK::Resource && a.type && a.type->kind == TK::Resource)
        return fail(why, "expected defined type, found resource");
      return valMatch(a.type, e.type, true, why, rb);
    case Sort::Func:
    case Sort::Instance:
    case Sort::Component: return valMatch(a.type, e.type, true, why, rb);
    default: return true;
  }
}
}  // namespace

}  // namespace myrt::component
