// runtime/component/decoder.cpp -- component binary format (Binary.md) -> Component, validated in the same pass:
// index spaces are built incrementally as each definition is read (as Binary.md requires), so every index, sort and
// type is checked where it is read and errors carry that byte offset. Core modules go through decodeModule +
// validateModule unchanged (their errors are prefixed "core module: " and offset into the component binary).
// GCC 12 reports a false -Wrestrict in std::string concatenation ("a" + std::string(b); GCC bug 105329).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include <algorithm>
#include <set>
#include <unordered_set>

#include "runtime/base/reader.h"
#include "runtime/binary/decoder.h"
#include "runtime/binary/instr.h"
#include "runtime/component/component.h"
#include "runtime/component/names.h"
#include "runtime/valid/validator.h"

namespace myrt::component {

bool isComponentBinary(std::span<const uint8_t> b) {
  return b.size() >= 8 && b[0] == 0 && b[1] == 'a' && b[2] == 's' && b[3] == 'm' && b[6] == 1 && b[7] == 0;
}

namespace {

bool sameCoreFunc(const CompositeType& a, const CompositeType& b) {
  if (a.params.size() != b.params.size() || a.results.size() != b.results.size()) return false;
  auto eq = [](const ValType& x, const ValType& y) {
    return x.kind == y.kind && (x.kind != ValKind::Ref || (x.heap == y.heap && x.nullable == y.nullable));
  };
  for (size_t i = 0; i < a.params.size(); ++i)
    if (!eq(a.params[i], b.params[i])) return false;
  for (size_t i = 0; i < a.results.size(); ++i)
    if (!eq(a.results[i], b.results[i])) return false;
  return true;
}

std::string coreFuncToString(const CompositeType& t) {
  std::string s = "(func";
  auto vt = [](const ValType& v) -> std::string {
    switch (v.kind) {
      case ValKind::I32: return "i32";
      case ValKind::I64: return "i64";
      case ValKind::F32: return "f32";
      case ValKind::F64: return "f64";
      case ValKind::V128: return "v128";
      default: return "ref";
    }
  };
  if (!t.params.empty()) {
    s += " (param";
    for (auto& p : t.params) s += " " + vt(p);
    s += ")";
  }
  if (!t.results.empty()) {
    s += " (result";
    for (auto& p : t.results) s += " " + vt(p);
    s += ")";
  }
  return s + ")";
}

// A core type index-space entry: a function type or a module type.
struct CoreTypeEntry {
  const CompositeType* func = nullptr;
  const CoreModuleType* module = nullptr;
  // A GC-proposal definition (a `sub`/`rec` form, struct or array): its composite type (func: also `func`) and finality
  // (supertype checks). Plain function types (0x60) are final; module types have none.
  const CompositeType* comp = nullptr;
  bool final = true;
};

struct Scope {
  enum class Kind { Component, ComponentType, InstanceType, ModuleType } kind = Kind::Component;
  Scope* parent = nullptr;
  Component* comp = nullptr;  // Kind::Component
  std::vector<const CompositeType*> coreFuncs;
  std::vector<TableType> coreTables;
  std::vector<MemoryType> coreMemories;
  std::vector<GlobalType> coreGlobals;
  std::vector<const CompositeType*> coreTags;
  std::vector<CoreTypeEntry> coreTypes;
  std::vector<const CoreModuleType*> coreModules;
  std::vector<std::shared_ptr<const Module>> coreModuleDefs;  // Component scopes: the module behind each index
  std::vector<const CoreInstanceType*> coreInstances;
  std::vector<const Type*> funcs, types, components, instances;
  std::vector<const Component*> componentDefs;  // Component scopes: the component behind each index (or nullptr)
  std::vector<ExternDecl> imports, exports;
  std::unordered_set<std::string> importNames, exportNames;
  // Component and component-type scopes: the post-`.` labels of [method]R.l / [static]R.l names (uniqueness key ->
  // the full name), which conflict with a plain `l` (strong uniqueness on the post-`.` label).
  std::unordered_map<std::string, std::string> importMethodLabels, exportMethodLabels;
  // Resource nodes defined in this scope (resource.new/rep need a local resource).
  std::unordered_set<const Type*> localResources;
  // External visibility of types (Explainer.md "external visibility"): named types (records, variants, enums, flags,
  // resources) that an import/export of this component may refer to -- the types imported (or aliased from an
  // instance) for imports, those plus the types exported so far for exports.
  std::unordered_set<const Type*> importedTypes, exportedTypes;
  // Instance indices whose exports' types have names here (imported, exported, or aliased out of such an instance):
  // aliasing a type out of one confers visibility; out of an unexported instantiation or bag of exports it does not.
  std::unordered_set<uint32_t> namedInstances;
  bool namedInstance(uint32_t i) const { return kind != Kind::Component || namedInstances.count(i) != 0; }
  uint32_t size(Sort s) const {
    switch (s) {
      case Sort::CoreFunc: return uint32_t(coreFuncs.size());
      case Sort::CoreTable: return uint32_t(coreTables.size());
      case Sort::CoreMemory: return uint32_t(coreMemories.size());
      case Sort::CoreGlobal: return uint32_t(coreGlobals.size());
      case Sort::CoreTag: return uint32_t(coreTags.size());
      case Sort::CoreType: return uint32_t(coreTypes.size());
      case Sort::CoreModule: return uint32_t(coreModules.size());
      case Sort::CoreInstance: return uint32_t(coreInstances.size());
      case Sort::Func: return uint32_t(funcs.size());
      case Sort::Value: return 0;
      case Sort::Type: return uint32_t(types.size());
      case Sort::Component: return uint32_t(components.size());
      case Sort::Instance: return uint32_t(instances.size());
    }
    return 0;
  }
};

class Decoder {
 public:
  Decoder(std::span<const uint8_t> bytes, const ComponentLoadOptions& opts) : bytes_(bytes), opts_(opts) {
    arena_ = std::make_shared<TypeArena>();
  }

  Result<std::shared_ptr<const Component>> run() {
    ByteReader r(bytes_.data(), bytes_.size(), 0);
    auto c = std::make_shared<Component>();
    MYRT_TRY(component(r, *c, nullptr, 0));
    return std::shared_ptr<const Component>(std::move(c));
  }

 private:
  std::span<const uint8_t> bytes_;
  ComponentLoadOptions opts_;
  std::shared_ptr<TypeArena> arena_;
  uint32_t depth_ = 0;

  // Core function types must outlive the decoder: keep them in the arena through a module type holder.
  const CompositeType* keepCoreFunc(CompositeType t) {
    CoreModuleType* holder = arena_->makeModuleType();
    CoreExportDecl d;
    d.type.kind = ExternKind::Func;
    d.type.func = std::move(t);
    holder->exports.push_back(std::move(d));
    return &holder->exports.back().type.func;
  }

  static Error err(size_t off, std::string msg) { return Error(off, std::move(msg)); }

  // ---------------------------------------------------------------- preamble and sections
  Status component(ByteReader& r, Component& c, Scope* parent, uint32_t base) {
    if (++depth_ > opts_.maxNesting) return r.errorHere("nesting too deep");
    c.arena = arena_;
    c.offset = static_cast<uint32_t>(r.offset());
    if (r.remaining() < 8) return r.errorHere("unexpected end");
    MYRT_ASSIGN(uint32_t magic, r.fixedU32());
    if (magic != 0x6d736100) return err(r.offset() - 4, "magic header not detected");
    const size_t verOff = r.offset();
    MYRT_ASSIGN(uint8_t v0, r.u8());
    MYRT_ASSIGN(uint8_t v1, r.u8());
    MYRT_ASSIGN(uint8_t l0, r.u8());
    MYRT_ASSIGN(uint8_t l1, r.u8());
    if (l0 != 1 || l1 != 0) return err(verOff + 2, "not a component (layer " + std::to_string(l0 | (l1 << 8)) + ")");
    if (v1 != 0 || v0 != 0x0d)
      return err(verOff, "unknown binary version and encoding combination: 0x" + hex(v0 | (v1 << 8)) +
                             " and 0x1 (expected component version 0xd)");
    Scope scope;
    scope.kind = Scope::Kind::Component;
    scope.parent = parent;
    scope.comp = &c;
    while (!r.atEnd()) {
      const size_t secOff = r.offset();
      MYRT_ASSIGN(uint8_t id, r.u8());
      MYRT_ASSIGN(uint32_t size, r.u32());
      if (size > r.remaining()) return err(r.offset(), "section size mismatch: unexpected end");
      ByteReader s(r.cur(), size, r.offset());
      r.seek(r.pos() + size);
      switch (id) {
        case 0: {
          MYRT_ASSIGN(std::string_view name, s.name());
          c.customSections.emplace_back(name);
          continue;  // contents not validated (the name section may be invalid, Binary.md)
        }
        case 1: MYRT_TRY(coreModuleSection(s, scope)); break;
        case 2: MYRT_TRY(vec(s, [&] { return coreInstance(s, scope); })); break;
        case 3: MYRT_TRY(vec(s, [&] { return coreType(s, scope); })); break;
        case 4: MYRT_TRY(nestedComponent(s, scope, base)); break;
        case 5: MYRT_TRY(vec(s, [&] { return instance(s, scope); })); break;
        case 6: MYRT_TRY(vec(s, [&] { return alias(s, scope); })); break;
        case 7: MYRT_TRY(vec(s, [&] { return typeDef(s, scope); })); break;
        case 8: MYRT_TRY(vec(s, [&] { return canon(s, scope); })); break;
        case 9: return err(secOff, "unsupported: component start functions (value definitions)");
        case 10: MYRT_TRY(vec(s, [&] { return import(s, scope); })); break;
        case 11: MYRT_TRY(vec(s, [&] { return exportDef(s, scope); })); break;
        case 12: return err(secOff, "unsupported: component value definitions");
        default: return err(secOff, "unknown section id 0x" + hex(id));
      }
      if (!s.atEnd()) return err(s.offset(), "section size mismatch: unexpected content after last item");
    }
    c.imports = scope.imports;
    c.exports = scope.exports;
    c.numCoreFuncs = uint32_t(scope.coreFuncs.size());
    c.numCoreInstances = uint32_t(scope.coreInstances.size());
    c.numFuncs = uint32_t(scope.funcs.size());
    c.numTypes = uint32_t(scope.types.size());
    c.numInstances = uint32_t(scope.instances.size());
    c.size = static_cast<uint32_t>(r.offset() - c.offset);
    --depth_;
    return okStatus();
  }

  static std::string hex(uint32_t v) {
    static const char* d = "0123456789abcdef";
    std::string s;
    do {
      s.insert(s.begin(), d[v & 15]);
      v >>= 4;
    } while (v);
    return s;
  }

  template <typename F>
  Status vec(ByteReader& s, F&& f) {
    MYRT_ASSIGN(uint32_t n, s.u32());
    if (n > s.remaining()) return s.errorHere("unexpected end: vector length " + std::to_string(n) + " too large");
    for (uint32_t i = 0; i < n; ++i) MYRT_TRY(f());
    return okStatus();
  }

  Def& addDef(Scope& sc, Def::Kind k, Sort sort, size_t off) {
    sc.comp->defs.emplace_back();
    Def& d = sc.comp->defs.back();
    d.kind = k;
    d.sort = sort;
    d.offset = static_cast<uint32_t>(off);
    return d;
  }

  Result<uint32_t> index(ByteReader& s, const Scope& sc, Sort sort) {
    const size_t off = s.offset();
    MYRT_ASSIGN(uint32_t i, s.u32());
    if (i >= sc.size(sort))
      return err(off, std::string("unknown ") + sortName(sort) + " " + std::to_string(i) + ": " + sortName(sort) +
                          " index out of bounds");
    return i;
  }

  // ---------------------------------------------------------------- core modules and instances
  Status coreModuleSection(ByteReader& s, Scope& sc) {
    const size_t off = s.offset();
    std::vector<uint8_t> copy(s.data(), s.data() + s.size());
    s.seek(s.size());
    auto m = decodeModule(std::move(copy));
    if (!m) return coreError(off, m.error());
    auto mod = std::make_shared<Module>(std::move(*m));
    Status v = validateModule(*mod);
    if (!v) return coreError(off, v.error());
    CoreModuleType* mt = arena_->makeModuleType();
    // Two-level import names mangle to one name in components: duplicates are refused (core wasm allows them).
    std::set<std::pair<std::string_view, std::string_view>> seen;
    for (const Import& im : mod->imports)
      if (!seen.insert({im.module, im.name}).second)
        return err(off, "core module: duplicate import name `" + im.module + ":" + im.name + "`");
    for (const Import& im : mod->imports) mt->imports.push_back({im.module, im.name, coreExternOf(*mod, im.kind, im.index)});
    for (const Export& ex : mod->exports) mt->exports.push_back({ex.name, coreExternOf(*mod, ex.kind, ex.index)});
    Def& d = addDef(sc, Def::Kind::CoreModule, Sort::CoreModule, off);
    d.a = uint32_t(sc.comp->modules.size());
    sc.comp->modules.push_back(mod);
    sc.coreModules.push_back(mt);
    sc.coreModuleDefs.push_back(mod);
    return okStatus();
  }

  static Error coreError(size_t base, const Error& e) {
    return Error(e.offset == Error::kNoOffset ? base : base + e.offset, "core module: " + e.message);
  }

  static CoreExternType coreExternOf(const Module& m, ExternKind k, uint32_t i) {
    CoreExternType t;
    t.kind = k;
    switch (k) {
      case ExternKind::Func: t.func = m.funcType(i); break;
      case ExternKind::Table: t.table = m.tables[i].type; break;
      case ExternKind::Memory: t.memory = m.memories[i].type; break;
      case ExternKind::Global: t.global = m.globals[i].type; break;
      case ExternKind::Tag: t.func = m.types[m.tags[i].typeIndex].comp; break;
    }
    return t;
  }

  Result<Sort> coreSort(ByteReader& s) {
    const size_t off = s.offset();
    MYRT_ASSIGN(uint8_t b, s.u8());
    switch (b) {
      case 0x00: return Sort::CoreFunc;
      case 0x01: return Sort::CoreTable;
      case 0x02: return Sort::CoreMemory;
      case 0x03: return Sort::CoreGlobal;
      case 0x04: return Sort::CoreTag;
      case 0x10: return Sort::CoreType;
      case 0x11: return Sort::CoreModule;
      case 0x12: return Sort::CoreInstance;
      default: return err(off, "invalid leading byte (0x" + hex(b) + ") for core sort");
    }
  }

  Result<Sort> sort(ByteReader& s) {
    const size_t off = s.offset();
    MYRT_ASSIGN(uint8_t b, s.u8());
    switch (b) {
      case 0x00: return coreSort(s);
      case 0x01: return Sort::Func;
      case 0x02: return Sort::Value;
      case 0x03: return Sort::Type;
      case 0x04: return Sort::Component;
      case 0x05: return Sort::Instance;
      default: return err(off, "invalid leading byte (0x" + hex(b) + ") for sort");
    }
  }

  static ExternKind coreKindOf(Sort s) {
    switch (s) {
      case Sort::CoreTable: return ExternKind::Table;
      case Sort::CoreMemory: return ExternKind::Memory;
      case Sort::CoreGlobal: return ExternKind::Global;
      case Sort::CoreTag: return ExternKind::Tag;
      default: return ExternKind::Func;
    }
  }
  static Sort sortOfCoreKind(ExternKind k) {
    switch (k) {
      case ExternKind::Func: return Sort::CoreFunc;
      case ExternKind::Table: return Sort::CoreTable;
      case ExternKind::Memory: return Sort::CoreMemory;
      case ExternKind::Global: return Sort::CoreGlobal;
      case ExternKind::Tag: return Sort::CoreTag;
    }
    return Sort::CoreFunc;
  }

  CoreExternType coreItemType(const Scope& sc, Sort s, uint32_t i) {
    CoreExternType t;
    t.kind = coreKindOf(s);
    switch (s) {
      case Sort::CoreFunc: t.func = *sc.coreFuncs[i]; break;
      case Sort::CoreTable: t.table = sc.coreTables[i]; break;
      case Sort::CoreMemory: t.memory = sc.coreMemories[i]; break;
      case Sort::CoreGlobal: t.global = sc.coreGlobals[i]; break;
      case Sort::CoreTag: t.func = *sc.coreTags[i]; break;
      default: break;
    }
    return t;
  }

  void pushCoreItem(Scope& sc, const CoreExternType& t) {
    switch (t.kind) {
      case ExternKind::Func: sc.coreFuncs.push_back(&t.func); break;
      case ExternKind::Table: sc.coreTables.push_back(t.table); break;
      case ExternKind::Memory: sc.coreMemories.push_back(t.memory); break;
      case ExternKind::Global: sc.coreGlobals.push_back(t.global); break;
      case ExternKind::Tag: sc.coreTags.push_back(&t.func); break;
    }
  }

  static bool limitsMatch(const Limits& actual, const Limits& want) {
    if (actual.is64 != want.is64 || actual.min < want.min) return false;
    if (want.max) return actual.max && *actual.max <= *want.max;
    return true;
  }
  static bool coreExternMatches(const CoreExternType& actual, const CoreExternType& want) {
    if (actual.kind != want.kind) return false;
    switch (want.kind) {
      case ExternKind::Func:
      case ExternKind::Tag: return sameCoreFunc(actual.func, want.func);
      case ExternKind::Table:
        return actual.table.elem.kind == want.table.elem.kind && actual.table.elem.heap == want.table.elem.heap &&
               limitsMatch(actual.table.limits, want.table.limits);
      case ExternKind::Memory: return limitsMatch(actual.memory.limits, want.memory.limits);
      case ExternKind::Global:
        return actual.global.mut == want.global.mut && actual.global.type.kind == want.global.type.kind;
    }
    return false;
  }

  Status coreInstance(ByteReader& s, Scope& sc) {
    const size_t off = s.offset();
    MYRT_ASSIGN(uint8_t tag, s.u8());
    CoreInstanceType* it = arena_->makeCoreInstanceType();
    if (tag == 0x00) {
      MYRT_ASSIGN(uint32_t mi, index(s, sc, Sort::CoreModule));
      Def& d = addDef(sc, Def::Kind::CoreInstantiate, Sort::CoreInstance, off);
      d.a = mi;
      MYRT_ASSIGN(uint32_t n, s.u32());
      for (uint32_t i = 0; i < n; ++i) {
        MYRT_ASSIGN(std::string_view name, s.name());
        const size_t so = s.offset();
        MYRT_ASSIGN(uint8_t k, s.u8());
        if (k != 0x12) return err(so, "only instances are supported as module instantiation arguments");
        MYRT_ASSIGN(uint32_t ii, index(s, sc, Sort::CoreInstance));
        for (auto& a : d.args)
          if (a.name == name) return err(so, "duplicate module instantiation argument named `" + std::string(name) + "`");
        d.args.push_back({std::string(name), Sort::CoreInstance, ii});
      }
      const CoreModuleType* mt = sc.coreModules[mi];
      for (const CoreImportDecl& im : mt->imports) {
        const Def::Arg* arg = nullptr;
        for (auto& a : d.args)
          if (a.name == im.module) arg = &a;
        if (!arg) return err(off, "missing module instantiation argument named `" + im.module + "`");
        const CoreExternType* have = sc.coreInstances[arg->index]->find(im.name);
        if (!have)
          return err(off, "module instantiation argument `" + im.module + "` does not export an item named `" +
                              im.name + "`");
        if (!coreExternMatches(*have, im.type))
          return err(off, "type mismatch for export `" + im.name + "` of module instantiation argument `" +
                              im.module + "`: expected " + describeCore(im.type) + ", found " + describeCore(*have));
      }
      it->exports = mt->exports;
    } else if (tag == 0x01) {
      Def& d = addDef(sc, Def::Kind::CoreInline, Sort::CoreInstance, off);
      MYRT_ASSIGN(uint32_t n, s.u32());
      for (uint32_t i = 0; i < n; ++i) {
        MYRT_ASSIGN(std::string_view name, s.name());
        const size_t so = s.offset();
        MYRT_ASSIGN(Sort so2, coreSort(s));
        if (so2 == Sort::CoreType || so2 == Sort::CoreModule || so2 == Sort::CoreInstance)
          return err(so, "unsupported: core instance export of a " + std::string(sortName(so2)));
        MYRT_ASSIGN(uint32_t idx, index(s, sc, so2));
        if (it->find(name)) return err(so, "export name `" + std::string(name) + "` already defined");
        it->exports.push_back({std::string(name), coreItemType(sc, so2, idx)});
        d.args.push_back({std::string(name), so2, idx});
      }
    } else {
      return err(off, "invalid leading byte (0x" + hex(tag) + ") for core instance");
    }
    sc.coreInstances.push_back(it);
    return okStatus();
  }

  static std::string describeCore(const CoreExternType& t) {
    switch (t.kind) {
      case ExternKind::Func: return coreFuncToString(t.func);
      case ExternKind::Table: return "table";
      case ExternKind::Memory: return "memory";
      case ExternKind::Global: return "global";
      case ExternKind::Tag: return "tag";
    }
    return "?";
  }

  // ---------------------------------------------------------------- core types
  Result<Limits> limits(ByteReader& s) {
    const size_t off = s.offset();
    MYRT_ASSIGN(uint8_t flags, s.u8());
    if (flags & ~0x07u) return err(off, "malformed limits flags");
    Limits l;
    l.is64 = flags & 4;
    l.shared = flags & 2;
    if (l.is64) {
      MYRT_ASSIGN(l.min, s.u64());
    } else {
      MYRT_ASSIGN(uint32_t m, s.u32());
      l.min = m;
    }
    if (flags & 1) {
      if (l.is64) {
        MYRT_ASSIGN(uint64_t mx, s.u64());
        l.max = mx;
      } else {
        MYRT_ASSIGN(uint32_t mx, s.u32());
        l.max = mx;
      }
    }
    return l;
  }

  Result<CoreExternType> coreExternType(ByteReader& s, Scope& sc) {
    const size_t off = s.offset();
    MYRT_ASSIGN(uint8_t k, s.u8());
    CoreExternType t;
    switch (k) {
      case 0x00:
      case 0x04: {
        if (k == 0x04) {
          MYRT_ASSIGN(uint8_t z, s.u8());
          if (z != 0) return err(off, "malformed tag attribute");
        }
        MYRT_ASSIGN(uint32_t ti, index(s, sc, Sort::CoreType));
        if (!sc.coreTypes[ti].func) return err(off, "core type index " + std::to_string(ti) + " is not a function type");
        t.kind = k == 0 ? ExternKind::Func : ExternKind::Tag;
        t.func = *sc.coreTypes[ti].func;
        return t;
      }
      case 0x01: {
        t.kind = ExternKind::Table;
        MYRT_ASSIGN(t.table.elem, readRefType(s));
        MYRT_ASSIGN(t.table.limits, limits(s));
        return t;
      }
      case 0x02: {
        t.kind = ExternKind::Memory;
        const size_t lo = s.offset();
        MYRT_ASSIGN(t.memory.limits, limits(s));
        const uint64_t maxPages = t.memory.limits.is64 ? (uint64_t{1} << 48) : 65536;
        if (t.memory.limits.min > maxPages || (t.memory.limits.max && *t.memory.limits.max > maxPages))
          return err(lo, "memory size must be at most " + std::to_string(maxPages) + " pages (4GiB)");
        return t;
      }
      case 0x03: {
        t.kind = ExternKind::Global;
        MYRT_ASSIGN(t.global.type, readValType(s));
        MYRT_ASSIGN(uint8_t m, s.u8());
        if (m > 1) return err(s.offset() - 1, "malformed mutability");
        t.global.mut = m == 1;
        return t;
      }
      default: return err(off, "invalid leading byte (0x" + hex(k) + ") for core extern type");
    }
  }

  Result<CompositeType> coreFuncType(ByteReader& s) {
    CompositeType ft;
    ft.kind = CompKind::Func;
    MYRT_ASSIGN(uint32_t np, s.u32());
    if (np > s.remaining()) return s.errorHere("unexpected end");
    for (uint32_t i = 0; i < np; ++i) {
      MYRT_ASSIGN(ValType v, readValType(s));
      ft.params.push_back(v);
    }
    MYRT_ASSIGN(uint32_t nr, s.u32());
    if (nr > s.remaining()) return s.errorHere("unexpected end");
    for (uint32_t i = 0; i < nr; ++i) {
      MYRT_ASSIGN(ValType v, readValType(s));
      ft.results.push_back(v);
    }
    return ft;
  }

  Status coreType(ByteReader& s, Scope& sc) {
    const size_t off = s.offset();
    MYRT_ASSIGN(uint8_t b, s.u8());
    if (b == 0x60) {
      if (sc.comp) addDef(sc, Def::Kind::CoreTypeDef, Sort::CoreType, off);
      MYRT_ASSIGN(CompositeType ft, coreFuncType(s));
      const CompositeType* f = keepCoreFunc(std::move(ft));
      sc.coreTypes.push_back({f, nullptr, f, true});
      return okStatus();
    }
    if (b == 0x50) {
      if (sc.kind == Scope::Kind::ModuleType) return err(off, "module types cannot be nested");
      if (sc.comp) addDef(sc, Def::Kind::CoreTypeDef, Sort::CoreType, off);
      MYRT_ASSIGN(const CoreModuleType* mt, moduleType(s, sc));
      sc.coreTypes.push_back({nullptr, mt});
      return okStatus();
    }
    // GC forms (Binary.md core:type): 0x4e rec group, 0x00 0x50 non-final sub (0x50 alone is a module type), 0x4f
    // final sub, 0x5f struct, 0x5e array.
    if (b == 0x4e) {
      MYRT_ASSIGN(uint32_t n, s.u32());
      if (n > s.remaining()) return s.errorHere("unexpected end");
      const uint32_t groupEnd = uint32_t(sc.coreTypes.size()) + n;  // types of the group may refer to each other
      for (uint32_t i = 0; i < n; ++i) {
        const size_t so = s.offset();
        MYRT_ASSIGN(uint8_t sb, s.u8());
        MYRT_TRY(gcSubType(s, sc, so, sb, groupEnd));
      }
      return okStatus();
    }
    if (b == 0x00 || b == 0x4f || b == 0x5f || b == 0x5e)
      return gcSubType(s, sc, off, b, uint32_t(sc.coreTypes.size()) + 1);
    return err(off, "invalid leading byte (0x" + hex(b) + ") for core type");
  }

  // One GC subtype (its first byte `b` read) appended to the core type index space. Type references (supertypes,
  // concrete heap types) must name a type defined before the end of its rec group (`limit`); a supertype must be an
  // earlier, non-final type of the same kind (func/struct/array). Structural subtyping against the supertype is not
  // checked (nothing in a component instantiates these types; core modules are validated by the core validator).
  Status gcSubType(ByteReader& s, Scope& sc, size_t off, uint8_t b, uint32_t limit) {
    bool final = true;
    std::vector<uint32_t> supers;
    if (b == 0x00 || b == 0x4f) {
      if (b == 0x00) {
        MYRT_ASSIGN(uint8_t b2, s.u8());
        if (b2 != 0x50) return err(off + 1, "invalid leading byte (0x" + hex(b2) + ") for non-final sub type");
        final = false;
      }
      MYRT_ASSIGN(uint32_t n, s.u32());
      if (n > 1) return err(off, "multiple supertypes not supported");
      for (uint32_t i = 0; i < n; ++i) {
        MYRT_ASSIGN(uint32_t si, s.u32());
        supers.push_back(si);
      }
      MYRT_ASSIGN(b, s.u8());
    }
    const size_t co = s.offset() - 1;
    CompositeType ct;
    switch (b) {
      case 0x60: {
        MYRT_ASSIGN(ct, coreFuncType(s));
        ct.kind = CompKind::Func;
        break;
      }
      case 0x5f: {
        ct.kind = CompKind::Struct;
        MYRT_ASSIGN(uint32_t n, s.u32());
        if (n > s.remaining()) return s.errorHere("unexpected end");
        for (uint32_t i = 0; i < n; ++i) {
          MYRT_ASSIGN(FieldType f, gcFieldType(s));
          ct.fields.push_back(f);
        }
        break;
      }
      case 0x5e: {
        ct.kind = CompKind::Array;
        MYRT_ASSIGN(FieldType f, gcFieldType(s));
        ct.fields.push_back(f);
        break;
      }
      default: return err(co, "invalid leading byte (0x" + hex(b) + ") for core composite type");
    }
    const uint32_t self = uint32_t(sc.coreTypes.size());
    auto checkRef = [&](const ValType& v) -> Status {
      if (v.isRef() && v.heap == HeapKind::Concrete && v.index >= limit)
        return err(off, "unknown type " + std::to_string(v.index) + ": type index out of bounds");
      return okStatus();
    };
    for (const ValType& v : ct.params) MYRT_TRY(checkRef(v));
    for (const ValType& v : ct.results) MYRT_TRY(checkRef(v));
    for (const FieldType& f : ct.fields) MYRT_TRY(checkRef(f.type));
    for (uint32_t si : supers) {
      if (si >= self) return err(off, "unknown type " + std::to_string(si) + ": type index out of bounds");
      const CoreTypeEntry& st = sc.coreTypes[si];
      if (!st.comp) return err(off, "sub type must match super type: type " + std::to_string(si) + " is a module type");
      if (st.final) return err(off, "sub type cannot have a final super type");
      if (st.comp->kind != ct.kind) return err(off, "sub type must match super type");
    }
    if (sc.comp) addDef(sc, Def::Kind::CoreTypeDef, Sort::CoreType, off);
    const CompositeType* kept = keepCoreFunc(std::move(ct));
    sc.coreTypes.push_back({kept->kind == CompKind::Func ? kept : nullptr, nullptr, kept, final});
    return okStatus();
  }

  Result<FieldType> gcFieldType(ByteReader& s) {
    FieldType f;
    MYRT_ASSIGN(uint8_t b, s.peekU8());
    if (b == 0x78 || b == 0x77) {
      s.seek(s.pos() + 1);
      f.type = b == 0x78 ? ValType::i8() : ValType::i16();
    } else {
      MYRT_ASSIGN(f.type, readValType(s));
    }
    const size_t mo = s.offset();
    MYRT_ASSIGN(uint8_t m, s.u8());
    if (m > 1) return err(mo, "malformed mutability");
    f.mut = m == 1;
    return f;
  }

  Result<const CoreModuleType*> moduleType(ByteReader& s, Scope& parent) {
    if (++depth_ > opts_.maxNesting) return s.errorHere("nesting too deep");
    Scope ms;
    ms.kind = Scope::Kind::ModuleType;
    ms.parent = &parent;
    CoreModuleType* mt = arena_->makeModuleType();
    MYRT_ASSIGN(uint32_t n, s.u32());
    for (uint32_t i = 0; i < n; ++i) {
      const size_t off = s.offset();
      MYRT_ASSIGN(uint8_t k, s.u8());
      switch (k) {
        case 0x00: {
          MYRT_ASSIGN(std::string_view mod, s.name());
          MYRT_ASSIGN(std::string_view name, s.name());
          MYRT_ASSIGN(CoreExternType t, coreExternType(s, ms));
          for (auto& e : mt->imports)
            if (e.module == mod && e.name == name)
              return err(off, "duplicate import name `" + std::string(mod) + ":" + std::string(name) + "`");
          mt->imports.push_back({std::string(mod), std::string(name), t});
          break;
        }
        case 0x01: MYRT_TRY(coreType(s, ms)); break;
        case 0x02: {
          MYRT_ASSIGN(uint8_t s0, s.u8());
          MYRT_ASSIGN(uint8_t s1, s.u8());
          if (s0 != 0x10 || s1 != 0x01) return err(off, "only outer type aliases are allowed in module types");
          MYRT_ASSIGN(uint32_t ct, s.u32());
          MYRT_ASSIGN(uint32_t idx, s.u32());
          Scope* target = &ms;
          for (uint32_t c = 0; c < ct && target; ++c) target = target->parent;
          if (!target || ct == 0) return err(off, "invalid outer alias count of " + std::to_string(ct));
          if (idx >= target->coreTypes.size()) return err(off, "type index out of bounds");
          if (target->coreTypes[idx].module) return err(off, "cannot alias a module type into a module type");
          ms.coreTypes.push_back(target->coreTypes[idx]);
          break;
        }
        case 0x03: {
          MYRT_ASSIGN(std::string_view name, s.name());
          MYRT_ASSIGN(CoreExternType t, coreExternType(s, ms));
          for (auto& e : mt->exports)
            if (e.name == name) return err(off, "duplicate export name `" + std::string(name) + "`");
          mt->exports.push_back({std::string(name), t});
          break;
        }
        default: return err(off, "invalid leading byte (0x" + hex(k) + ") for module type declaration");
      }
    }
    --depth_;
    return static_cast<const CoreModuleType*>(mt);
  }

  // ---------------------------------------------------------------- nested components
  Status nestedComponent(ByteReader& s, Scope& sc, uint32_t base) {
    const size_t off = s.offset();
    auto child = std::make_shared<Component>();
    ByteReader cr(s.data(), s.size(), s.offset());
    MYRT_TRY(component(cr, *child, &sc, base));
    s.seek(s.size());
    Def& d = addDef(sc, Def::Kind::ComponentDef, Sort::Component, off);
    d.a = uint32_t(sc.comp->components.size());
    sc.comp->components.push_back(child);
    sc.components.push_back(componentTypeOf(*child));
    sc.componentDefs.push_back(child.get());
    return okStatus();
  }

  const Type* componentTypeOf(const Component& c) {
    Type* t = arena_->make(TK::Component);
    t->imports = c.imports;
    t->exports = c.exports;
    return t;
  }

  // ---------------------------------------------------------------- component instances
  Status instance(ByteReader& s, Scope& sc) {
    const size_t off = s.offset();
    MYRT_ASSIGN(uint8_t tag, s.u8());
    Type* it = arena_->make(TK::Instance);
    if (tag == 0x00) {
      MYRT_ASSIGN(uint32_t ci, index(s, sc, Sort::Component));
      Def& d = addDef(sc, Def::Kind::Instantiate, Sort::Instance, off);
      d.a = ci;
      MYRT_ASSIGN(uint32_t n, s.u32());
      for (uint32_t i = 0; i < n; ++i) {
        MYRT_ASSIGN(std::string_view name, s.name());
        const size_t so = s.offset();
        MYRT_ASSIGN(Sort srt, sort(s));
        if (srt == Sort::Value) return err(so, "unsupported: component value arguments");
        MYRT_ASSIGN(uint32_t idx, index(s, sc, srt));
        for (auto& a : d.args)
          if (a.name == name) return err(so, "instantiation argument `" + std::string(name) + "` conflicts with previous argument");
        d.args.push_back({std::string(name), srt, idx});
      }
      const Type* ct = sc.components[ci];
      ResourceBinding rb;  // the component's abstract imported resources -> the arguments' resources
      for (const ExternDecl& im : ct->imports) {
        const Def::Arg* arg = nullptr;
        for (auto& a : d.args)
          if (a.name == im.name) arg = &a;
        if (!arg) return err(off, "missing import named `" + im.name + "`");
        if (arg->sort != im.type.sort)
          return err(off, "expected " + std::string(sortName(im.type.sort)) + " found " + sortName(arg->sort) +
                              " for instantiation argument `" + im.name + "`");
        MYRT_TRY(checkArgType(off, sc, *arg, im, rb));
      }
      // The instance's type: the component's exports with its imported resources replaced by the arguments' and
      // every other resource fresh (generative per instantiation).
      Subst sub;
      sub.freshUnbound = true;
      for (auto& [from, to] : rb.map) sub.m[from] = rb.get(to);
      // types imported with an `eq` bound are the arguments' (their names are the parent's)
      for (const ExternDecl& im : ct->imports) {
        if (im.type.sort != Sort::Type || im.type.subResource || !im.type.type) continue;
        if (im.type.type->kind == TK::Resource || TypeArena::prim(im.type.type->kind) == im.type.type) continue;
        for (auto& a : d.args)
          if (a.name == im.name && a.sort == Sort::Type) sub.m[im.type.type] = sc.types[a.index];
      }
      it->exports = ct->exports;
      for (ExternDecl& e : it->exports)
        if (e.type.sort != Sort::CoreModule) e.type.type = subst(e.type.type, sub);
      d.type = it;
    } else if (tag == 0x01) {
      Def& d = addDef(sc, Def::Kind::Inline, Sort::Instance, off);
      MYRT_ASSIGN(uint32_t n, s.u32());
      for (uint32_t i = 0; i < n; ++i) {
        const size_t so = s.offset();
        MYRT_ASSIGN(std::string name, nameAttributes(s));
        MYRT_ASSIGN(Sort srt, sort(s));
        MYRT_TRY(checkImplements(so, name, srt));
        if (srt == Sort::Value) return err(so, "unsupported: component values");
        if (isCoreSort(srt) && srt != Sort::CoreModule)
          return err(so, std::string(sortName(srt)) + " not valid to be used as export");
        MYRT_ASSIGN(uint32_t idx, index(s, sc, srt));
        if (it->findExport(name)) return err(so, "export name `" + name + "` conflicts with previous name");
        const ExternType et = externTypeOfItem(sc, srt, idx);
        MYRT_TRY(checkBagAnnotatedName(so, sc, *it, name, et));
        it->exports.push_back({name, et});
        d.args.push_back({name, srt, idx});
      }
    } else {
      return err(off, "invalid leading byte (0x" + hex(tag) + ") for instance");
    }
    sc.instances.push_back(it);
    return okStatus();
  }

  static bool isCoreSort(Sort s) { return s <= Sort::CoreInstance; }
  static bool isValOrResource(const Type* t) { return isValType(t->kind) || t->kind == TK::Resource; }

  static void markVisible(Scope& sc, const Type* t, int depth = 0) {
    if (!t || depth > 64 || !isValOrResource(t)) return;
    if (isNamedKind(t->kind) && !sc.importedTypes.insert(t).second) return;  // already (and its contents)
    sc.exportedTypes.insert(t);
    for (const Type* e : t->elems) markVisible(sc, e, depth + 1);
  }
  static bool isNamedKind(TK k) {
    return k == TK::Record || k == TK::Variant || k == TK::Enum || k == TK::Flags || k == TK::Resource;
  }
  // Whether every named type `t` refers to is in `visible` (the imported types, plus for exports the exported ones).
  // `self`: t is itself being exported (only what it refers to must be visible).
  static bool visibleIn(const Type* t, const std::unordered_set<const Type*>& visible, bool self, int depth = 0) {
    if (!t || depth > 64) return true;
    if (!self && isNamedKind(t->kind) && !visible.count(t)) return false;
    if (!self && isNamedKind(t->kind)) return true;  // its own contents were checked where it became visible
    if (t->kind == TK::Instance || t->kind == TK::Component) return true;
    for (const Type* e : t->elems)
      if (!visibleIn(e, visible, false, depth + 1)) return false;
    return visibleIn(t->result, visible, false, depth + 1);
  }

  // Whether an import/export of extern type `t` may be declared where `visible` types have names: funcs and types
  // refer only to visible named types; instance types (and types bound to one) are checked export by export, their
  // own exported types becoming visible to the later ones (instance types defer the check to this point).
  static bool externVisible(const ExternType& t, const std::unordered_set<const Type*>& visible) {
    switch (t.sort) {
      case Sort::Func: return visibleIn(t.type, visible, false);
      case Sort::Type:
        if (t.subResource || !t.type) return true;
        if (t.type->kind == TK::Instance) return instanceVisible(t.type, visible, 0);
        return visibleIn(t.type, visible, true);
      case Sort::Instance: return !t.type || instanceVisible(t.type, visible, 0);
      default: return true;
    }
  }
  static bool instanceVisible(const Type* it, const std::unordered_set<const Type*>& base, int depth) {
    if (depth > 16) return true;
    std::unordered_set<const Type*> local;  // the instance's own exported types, as they come
    std::unordered_set<const Type*> vis;
    auto visible = [&]() -> const std::unordered_set<const Type*>& {
      if (local.empty()) return base;
      if (vis.empty()) vis = base;
      return vis;
    };
    auto add = [&](const Type* x) {
      if (!x) return;
      if (vis.empty()) vis = base;
      vis.insert(x);
      local.insert(x);
    };
    for (const ExternDecl& e : it->exports) {
      switch (e.type.sort) {
        case Sort::Func:
          if (!visibleIn(e.type.type, visible(), false)) return false;
          break;
        case Sort::Type:
          if (!e.type.subResource && e.type.type) {
            if (e.type.type->kind == TK::Instance ? !instanceVisible(e.type.type, visible(), depth + 1)
                                                  : !visibleIn(e.type.type, visible(), true))
              return false;
          }
          add(e.type.type);
          break;
        case Sort::Instance:
          if (!e.type.type) break;
          if (!instanceVisible(e.type.type, visible(), depth + 1)) return false;
          for (const ExternDecl& n : e.type.type->exports)
            if (n.type.sort == Sort::Type) add(n.type.type);
          break;
        default: break;
      }
    }
    return true;
  }

  // An instantiation argument must be a subtype of the import it satisfies (types.h externSubtype).
  Status checkArgType(size_t off, const Scope& sc, const Def::Arg& arg, const ExternDecl& im, ResourceBinding& rb) {
    std::string why;
    if (!externSubtype(externTypeOfItem(sc, arg.sort, arg.index), im.type, &why, &rb))
      return err(off, why + " (instantiation argument `" + im.name + "`)");
    return okStatus();
  }

  ExternType externTypeOfItem(const Scope& sc, Sort srt, uint32_t idx) {
    ExternType t;
    t.sort = srt;
    switch (srt) {
      case Sort::Func: t.type = sc.funcs[idx]; break;
      case Sort::Instance: t.type = sc.instances[idx]; break;
      case Sort::Component: t.type = sc.components[idx]; break;
      case Sort::Type:
        t.type = sc.types[idx];
        t.subResource = t.type->kind == TK::Resource;
        break;
      case Sort::CoreModule: t.module = sc.coreModules[idx]; break;
      default: break;
    }
    return t;
  }

  // ---------------------------------------------------------------- aliases
  Status alias(ByteReader& s, Scope& sc) {
    const size_t off = s.offset();
    MYRT_ASSIGN(Sort srt, sort(s));
    MYRT_ASSIGN(uint8_t tag, s.u8());
    switch (tag) {
      case 0x00: {  // export of a component instance
        MYRT_ASSIGN(uint32_t ii, index(s, sc, Sort::Instance));
        MYRT_ASSIGN(std::string_view name, s.name());
        const ExternDecl* e = sc.instances[ii]->findExport(name);
        if (!e) return err(off, "instance " + std::to_string(ii) + " has no export named `" + std::string(name) + "`");
        if (e->type.sort != srt)
          return err(off, "export `" + std::string(name) + "` for instance " + std::to_string(ii) + " is not a " +
                              sortName(srt));
        if (sc.kind != Scope::Kind::Component && srt != Sort::Type && srt != Sort::Instance)
          return err(off, "only type and instance export aliases are allowed in type declarations");
        if (sc.comp) {
          Def& d = addDef(sc, Def::Kind::AliasExport, srt, off);
          d.a = ii;
          d.name = std::string(name);
        }
        pushItem(sc, e->type, nullptr);
        // A type aliased out of a named instance (imported or exported: its exports passed a visibility check) is
        // visible, and so are the named types it refers to; out of an unexported instantiation or bag it is not.
        const bool named = sc.namedInstance(ii);
        if (srt == Sort::Type && e->type.type && named) markVisible(sc, e->type.type);
        if (srt == Sort::Instance && named) sc.namedInstances.insert(uint32_t(sc.instances.size() - 1));
        return okStatus();
      }
      case 0x01: {  // export of a core instance
        MYRT_ASSIGN(uint32_t ii, index(s, sc, Sort::CoreInstance));
        MYRT_ASSIGN(std::string_view name, s.name());
        if (!isCoreSort(srt) || srt == Sort::CoreType || srt == Sort::CoreModule || srt == Sort::CoreInstance)
          return err(off, "unsupported: core export alias of a " + std::string(sortName(srt)));
        const CoreExternType* t = sc.coreInstances[ii]->find(name);
        if (!t) return err(off, "core instance " + std::to_string(ii) + " has no export named `" + std::string(name) + "`");
        if (sortOfCoreKind(t->kind) != srt)
          return err(off, "export `" + std::string(name) + "` for core instance " + std::to_string(ii) + " is not a " +
                              sortName(srt));
        if (sc.comp) {
          Def& d = addDef(sc, Def::Kind::AliasCoreExport, srt, off);
          d.a = ii;
          d.name = std::string(name);
        }
        pushCoreItem(sc, *t);
        return okStatus();
      }
      case 0x02: {
        MYRT_ASSIGN(uint32_t ct, s.u32());
        const size_t io = s.offset();
        MYRT_ASSIGN(uint32_t idx, s.u32());
        if (srt != Sort::Type && srt != Sort::CoreType && srt != Sort::CoreModule && srt != Sort::Component)
          return err(off, "outer aliases may only refer to types, modules or components");
        if (sc.kind != Scope::Kind::Component && srt != Sort::Type && srt != Sort::CoreType)
          return err(off, "outer aliases in type declarations may only refer to types or instances");
        Scope* target = &sc;
        for (uint32_t c = 0; c < ct && target; ++c) target = target->parent;
        while (target && target->kind == Scope::Kind::ModuleType) target = target->parent;
        if (!target) return err(off, "invalid outer alias count of " + std::to_string(ct));
        if (idx >= target->size(srt))
          return err(io, std::string(sortName(srt)) + " index out of bounds: " + std::to_string(idx));
        Def* d = nullptr;
        if (sc.comp) d = &addDef(sc, Def::Kind::AliasOuter, srt, off);
        switch (srt) {
          case Sort::Type: {
            const Type* t = target->types[idx];
            // a type that refers to resources may not cross a component boundary (from a nested component or a
            // type declaration inside one)
            bool crosses = false;
            for (const Scope* x = &sc; x && x != target; x = x->parent)
              if (x->kind == Scope::Kind::Component) crosses = true;
            if (ct > 0 && target->kind == Scope::Kind::Component && crosses && refersToResource(t))
              return err(off, "canonical option: outer alias of a type that transitively refers to resources");
            sc.types.push_back(t);
            if (d) d->type = t;
            if (sc.kind != Scope::Kind::Component) markVisible(sc, t);  // type declarations: outer names are visible
            break;
          }
          case Sort::CoreType: sc.coreTypes.push_back(target->coreTypes[idx]); break;
          case Sort::CoreModule:
            sc.coreModules.push_back(target->coreModules[idx]);
            if (sc.comp) {
              // null for a module the enclosing component imported: the runtime takes it from that instance
              d->outerModule = idx < target->coreModuleDefs.size() ? target->coreModuleDefs[idx] : nullptr;
              d->outerCount = ct;
              d->outerIndex = idx;
              sc.coreModuleDefs.push_back(d->outerModule);
            }
            break;
          case Sort::Component:
            sc.components.push_back(target->components[idx]);
            if (sc.comp) {
              const Component* cc = idx < target->componentDefs.size() ? target->componentDefs[idx] : nullptr;
              if (!cc) return err(off, "unsupported: outer alias of an imported component");
              d->outerComponent = cc;
              d->outerCount = ct;
              d->outerIndex = idx;
              sc.componentDefs.push_back(cc);
            }
            break;
          default: break;
        }
        return okStatus();
      }
      default: return err(off, "invalid leading byte (0x" + hex(tag) + ") for alias target");
    }
  }

  static bool refersToResource(const Type* t) {
    if (!t) return false;
    if (t->kind == TK::Resource) return true;
    if (isValType(t->kind)) return t->abi.hasResource;
    for (const Type* e : t->elems)
      if (refersToResource(e)) return true;
    if (refersToResource(t->result)) return true;
    for (auto* list : {&t->imports, &t->exports})
      for (auto& e : *list)
        if (e.type.sort == Sort::Type && refersToResource(e.type.type)) return true;
    return false;
  }

  // ---------------------------------------------------------------- resource substitution
  // Rewrites the resource nodes a type refers to (`m`), copying every node on the way (memoized in `m`, so shared
  // parts stay shared). Instance types give their `(sub resource)` exports fresh nodes: each import of an instance
  // type, and each instance-typed export of a type declaration, has its own abstract resources. `freshUnbound`
  // (the instance type an instantiation produces): every resource not bound by the component's imports is new --
  // resource definitions are generative per instantiation.
  struct Subst {
    std::unordered_map<const Type*, const Type*> m;
    bool freshUnbound = false;
    uint32_t budget = 1u << 16;  // nodes copied (a bound on work for adversarial types)
  };
  const Type* freshResource(const Type* r) {
    Type* n = arena_->make(TK::Resource);
    *n = *r;
    n->abstract = true;
    n->origin = nullptr;  // a new identity
    return n;
  }
  // A node is copied only when something it refers to changes (memoized either way).
  const Type* subst(const Type* t, Subst& s, int depth = 0) {
    if (!t) return t;
    if (auto it = s.m.find(t); it != s.m.end()) return it->second;
    if (t->kind == TK::Resource) {
      if (t->origin)  // another index of a resource: the same substitution
        if (auto it = s.m.find(t->origin); it != s.m.end()) return s.m[t] = it->second;
      if (!s.freshUnbound) return t;
      const Type* f = freshResource(t);
      s.m[t->identity()] = f;
      return s.m[t] = f;
    }
    if (TypeArena::prim(t->kind) == t || depth > 64 || s.budget == 0) return t;
    --s.budget;
    Type c = *t;
    bool changed = false;
    auto sub = [&](const Type*& x) {
      const Type* y = subst(x, s, depth + 1);
      changed |= y != x;
      x = y;
    };
    for (const Type*& e : c.elems) sub(e);
    sub(c.result);
    sub(c.entry);
    for (ExternDecl& d : c.imports)  // component types
      if (d.type.sort != Sort::CoreModule) sub(d.type.type);
    for (ExternDecl& d : c.exports) {
      if (t->kind == TK::Instance && d.type.sort == Sort::Type && d.type.subResource && d.type.type) {
        d.type.type = s.m[d.type.type] = freshResource(d.type.type);
        changed = true;
        continue;
      }
      if (d.type.sort != Sort::CoreModule) sub(d.type.type);
    }
    if (!changed) return s.m[t] = t;
    Type* n = arena_->make(t->kind);
    *n = std::move(c);
    return s.m[t] = n;
  }
  // An instance type as an import (or an instance-typed export of a type declaration) sees it: fresh abstract
  // resources for its `(sub resource)` exports, the rest unchanged.
  ExternType freshened(ExternType t) {
    if (t.sort != Sort::Instance || !t.type) return t;
    Subst s;
    t.type = subst(t.type, s);
    return t;
  }

  // Appends the item an extern type describes to its index space (imports, export aliases).
  void pushItem(Scope& sc, const ExternType& t, const Component* def) {
    switch (t.sort) {
      case Sort::Func: sc.funcs.push_back(t.type); break;
      case Sort::Type: sc.types.push_back(t.type); break;
      case Sort::Instance: sc.instances.push_back(t.type); break;
      case Sort::Component:
        sc.components.push_back(t.type);
        sc.componentDefs.push_back(def);
        break;
      case Sort::CoreModule:
        sc.coreModules.push_back(t.module);
        sc.coreModuleDefs.push_back(nullptr);  // imported / aliased: known at run time only
        break;
      default: break;
    }
  }

  // ---------------------------------------------------------------- types
  Result<const Type*> valType(ByteReader& s, const Scope& sc) {
    const size_t off = s.offset();
    MYRT_ASSIGN(int64_t v, s.s33());
    if (v < 0) {
      const uint8_t code = static_cast<uint8_t>(v & 0x7f);
      auto p = primOf(code);
      if (!p) return err(off, "invalid leading byte (0x" + hex(code) + ") for component value type");
      return p;
    }
    if (uint64_t(v) >= sc.types.size()) return err(off, "type index out of bounds");
    const Type* t = sc.types[size_t(v)];
    if (!isValType(t->kind)) return err(off, "type index " + std::to_string(v) + " is not a defined type");
    return t;
  }

  static const Type* primOf(uint8_t code) {
    if (code >= 0x73 && code <= 0x7f) return TypeArena::prim(static_cast<TK>(0x7f - code));
    if (code == 0x64) return TypeArena::prim(TK::ErrorContext);
    return nullptr;
  }

  Result<std::string> label(ByteReader& s) {
    const size_t off = s.offset();
    MYRT_ASSIGN(std::string_view l, s.name());
    std::string why;
    if (!isKebab(l)) return err(off, "`" + std::string(l) + "` is not in kebab case");
    return std::string(l);
  }

  Result<std::vector<std::string>> labels(ByteReader& s, size_t off, const char* what) {
    MYRT_ASSIGN(uint32_t n, s.u32());
    if (n > s.remaining()) return s.errorHere("unexpected end");
    std::vector<std::string> ls;
    for (uint32_t i = 0; i < n; ++i) {
      MYRT_ASSIGN(std::string l, label(s));
      ls.push_back(std::move(l));
    }
    MYRT_TRY(uniqueLabels(ls, off, what));
    return ls;
  }

  Status uniqueLabels(const std::vector<std::string>& ls, size_t off, const char* what) {
    for (size_t i = 0; i < ls.size(); ++i)
      for (size_t j = 0; j < i; ++j)
        if (equalsIgnoreCase(ls[i], ls[j]))
          return err(off, std::string(what) + " name `" + ls[i] + "` conflicts with previous " + what + " name `" +
                              ls[j] + "`");
    return okStatus();
  }

  Result<const Type*> optValType(ByteReader& s, const Scope& sc) {
    const size_t off = s.offset();
    MYRT_ASSIGN(uint8_t b, s.u8());
    if (b == 0) return static_cast<const Type*>(nullptr);
    if (b != 1) return err(off, "invalid optional value type flag 0x" + hex(b));
    return valType(s, sc);
  }

  Result<const Type*> defValType(ByteReader& s, Scope& sc, uint8_t code, size_t off) {
    if (const Type* p = primOf(code)) return p;
    Type* t = nullptr;
    switch (code) {
      case 0x72: {
        t = arena_->make(TK::Record);
        MYRT_ASSIGN(uint32_t n, s.u32());
        if (n == 0) return err(off, "record type must have at least one field");
        if (n > s.remaining()) return s.errorHere("unexpected end");
        for (uint32_t i = 0; i < n; ++i) {
          MYRT_ASSIGN(std::string l, label(s));
          MYRT_ASSIGN(const Type* ft, valType(s, sc));
          t->labels.push_back(std::move(l));
          t->elems.push_back(ft);
        }
        MYRT_TRY(uniqueLabels(t->labels, off, "record field"));
        break;
      }
      case 0x71: {
        t = arena_->make(TK::Variant);
        MYRT_ASSIGN(uint32_t n, s.u32());
        if (n == 0) return err(off, "variant type must have at least one case");
        if (n > s.remaining()) return s.errorHere("unexpected end");
        for (uint32_t i = 0; i < n; ++i) {
          MYRT_ASSIGN(std::string l, label(s));
          MYRT_ASSIGN(const Type* ct, optValType(s, sc));
          const size_t zo = s.offset();
          MYRT_ASSIGN(uint8_t z, s.u8());
          if (z != 0) return err(zo, "variant case refinement is not supported (expected 0x00)");
          t->labels.push_back(std::move(l));
          t->elems.push_back(ct);
        }
        MYRT_TRY(uniqueLabels(t->labels, off, "variant case"));
        break;
      }
      case 0x70:
      case 0x67: {
        t = arena_->make(code == 0x70 ? TK::List : TK::FixedList);
        MYRT_ASSIGN(const Type* e, valType(s, sc));
        t->elems.push_back(e);
        if (code == 0x67) {
          MYRT_ASSIGN(t->length, s.u32());
          if (t->length == 0) return err(off, "Fixed size lists must have more than zero elements");
        }
        break;
      }
      case 0x6f: {
        t = arena_->make(TK::Tuple);
        MYRT_ASSIGN(uint32_t n, s.u32());
        if (n == 0) return err(off, "tuple type must have at least one type");
        if (n > s.remaining()) return s.errorHere("unexpected end");
        for (uint32_t i = 0; i < n; ++i) {
          MYRT_ASSIGN(const Type* e, valType(s, sc));
          t->elems.push_back(e);
        }
        break;
      }
      case 0x6e:
      case 0x6d: {
        t = arena_->make(code == 0x6e ? TK::Flags : TK::Enum);
        MYRT_ASSIGN(t->labels, labels(s, off, code == 0x6e ? "flag" : "enum tag"));
        if (t->labels.empty())
          return err(off, code == 0x6e ? "flags must have at least one entry" : "enum type must have at least one variant");
        if (code == 0x6e && t->labels.size() > 32) return err(off, "cannot have more than 32 flags");
        break;
      }
      case 0x6b: {
        t = arena_->make(TK::Option);
        MYRT_ASSIGN(const Type* e, valType(s, sc));
        t->elems.push_back(e);
        break;
      }
      case 0x6a: {
        t = arena_->make(TK::Result);
        MYRT_ASSIGN(const Type* ok, optValType(s, sc));
        MYRT_ASSIGN(const Type* er, optValType(s, sc));
        t->elems = {ok, er};
        break;
      }
      case 0x69:
      case 0x68: {
        t = arena_->make(code == 0x69 ? TK::Own : TK::Borrow);
        const size_t io = s.offset();
        MYRT_ASSIGN(uint32_t ri, s.u32());
        if (ri >= sc.types.size()) return err(io, "type index out of bounds");
        if (sc.types[ri]->kind != TK::Resource) return err(io, "type index " + std::to_string(ri) + " is not a resource type");
        t->elems.push_back(sc.types[ri]);
        break;
      }
      case 0x66:
      case 0x65: {
        t = arena_->make(code == 0x66 ? TK::Stream : TK::Future);
        MYRT_ASSIGN(const Type* e, optValType(s, sc));
        // reserved for a future string stream (Explainer.md); wasmparser's wording
        if (code == 0x66 && e && e->kind == TK::Char) return err(off, "`stream<char>` is not valid at this time");
        t->elems.push_back(e);
        break;
      }
      case 0x63: {
        t = arena_->make(TK::Map);
        MYRT_ASSIGN(const Type* k, valType(s, sc));
        MYRT_ASSIGN(const Type* v, valType(s, sc));
        t->elems = {k, v};
        Type* entry = arena_->make(TK::Tuple);  // the Canonical ABI lays a map out as list<tuple<K, V>>
        entry->elems = {k, v};
        computeAbi(*entry);
        t->entry = entry;
        break;
      }
      default: return err(off, "invalid leading byte (0x" + hex(code) + ") for component defined type");
    }
    computeAbi(*t);
    // either pointer width (a list of strings is twice as large with 64-bit memories)
    if (t->abi.size >= (1u << 28) || t->abi.m64.size >= (1u << 28)) return err(off, "type exceeds maximum byte size");
    if (t->abi.depth > kMaxValTypeDepth) return err(off, "type nesting is too deep");
    return static_cast<const Type*>(t);
  }

  Result<const Type*> funcType(ByteReader& s, Scope& sc, bool async, size_t off) {
    Type* t = arena_->make(TK::Func);
    t->async = async;
    MYRT_ASSIGN(uint32_t n, s.u32());
    if (n > s.remaining()) return s.errorHere("unexpected end");
    for (uint32_t i = 0; i < n; ++i) {
      MYRT_ASSIGN(std::string l, label(s));
      MYRT_ASSIGN(const Type* pt, valType(s, sc));
      t->labels.push_back(std::move(l));
      t->elems.push_back(pt);
    }
    MYRT_TRY(uniqueLabels(t->labels, off, "function parameter"));
    const size_t ro = s.offset();
    MYRT_ASSIGN(uint8_t rk, s.u8());
    if (rk == 0x00) {
      MYRT_ASSIGN(t->result, valType(s, sc));
      if (t->result->abi.hasBorrow) return err(ro, "function result cannot contain a `borrow` type");
    } else if (rk == 0x01) {
      MYRT_ASSIGN(uint8_t z, s.u8());
      if (z != 0) return err(ro, "named function results are not supported");
    } else {
      return err(ro, "invalid leading byte (0x" + hex(rk) + ") for component function results");
    }
    return static_cast<const Type*>(t);
  }

  Status typeDef(ByteReader& s, Scope& sc) {
    const size_t off = s.offset();
    MYRT_ASSIGN(uint8_t code, s.u8());
    const Type* t = nullptr;
    switch (code) {
      case 0x40:
      case 0x43: {
        MYRT_ASSIGN(t, funcType(s, sc, code == 0x43, off));
        break;
      }
      case 0x41:
      case 0x42: {
        MYRT_ASSIGN(t, declType(s, sc, code == 0x41));
        break;
      }
      case 0x3f:
      case 0x3e: {
        if (sc.kind != Scope::Kind::Component)
          return err(off, "resources can only be defined within a concrete component");
        if (code == 0x3e) return err(off, "unsupported: async resource destructors");
        Type* r = arena_->make(TK::Resource);
        const size_t ro = s.offset();
        MYRT_ASSIGN(uint8_t rep, s.u8());
        if (rep != 0x7f) return err(ro, "resources can only be represented by `i32`");
        MYRT_ASSIGN(uint8_t has, s.u8());
        if (has == 1) {
          const size_t fo = s.offset();
          MYRT_ASSIGN(uint32_t f, index(s, sc, Sort::CoreFunc));
          const CompositeType& ft = *sc.coreFuncs[f];
          if (ft.params.size() != 1 || ft.params[0].kind != ValKind::I32 || !ft.results.empty())
            return err(fo, "wrong signature for a destructor: expected (func (param i32)), found " + coreFuncToString(ft));
          r->dtorFunc = f;
        } else if (has != 0) {
          return err(ro + 1, "invalid optional destructor flag");
        }
        sc.localResources.insert(r);
        t = r;
        break;
      }
      default: {
        MYRT_ASSIGN(t, defValType(s, sc, code, off));
        break;
      }
    }
    if (sc.comp) {
      Def& d = addDef(sc, Def::Kind::TypeDef, Sort::Type, off);
      d.type = t;
    }
    sc.types.push_back(t);
    return okStatus();
  }

  // Component (0x41) and instance (0x42) types.
  Result<const Type*> declType(ByteReader& s, Scope& parent, bool isComponent) {
    if (++depth_ > opts_.maxNesting) return s.errorHere("nesting too deep");
    Scope ts;
    ts.kind = isComponent ? Scope::Kind::ComponentType : Scope::Kind::InstanceType;
    ts.parent = &parent;
    Type* t = arena_->make(isComponent ? TK::Component : TK::Instance);
    MYRT_ASSIGN(uint32_t n, s.u32());
    for (uint32_t i = 0; i < n; ++i) {
      const size_t off = s.offset();
      MYRT_ASSIGN(uint8_t k, s.u8());
      switch (k) {
        case 0x00: MYRT_TRY(coreType(s, ts)); break;
        case 0x01: MYRT_TRY(typeDef(s, ts)); break;
        case 0x02: MYRT_TRY(alias(s, ts)); break;
        case 0x03: {
          if (!isComponent) return err(off, "instance types cannot contain imports");
          MYRT_ASSIGN(ExternDecl d, externDecl(s, ts, /*import=*/true));
          t->imports.push_back(d);
          break;
        }
        case 0x04: {
          MYRT_ASSIGN(ExternDecl d, externDecl(s, ts, /*import=*/false));
          t->exports.push_back(d);
          break;
        }
        default: return err(off, "invalid leading byte (0x" + hex(k) + ") for " +
                                     (isComponent ? "component" : "instance") + " type declaration");
      }
    }
    --depth_;
    return static_cast<const Type*>(t);
  }

  // nameattributes (Binary.md "Import and Export Definitions").
  // `implements` (attribute 0x00) of the last name read by nameAttributes: only instances with plain names may have it.
  bool lastImplements_ = false;
  Status checkImplements(size_t off, const std::string& name, Sort srt) {
    if (!lastImplements_) return okStatus();
    if (srt != Sort::Instance) return err(off, "only instances can have an `implements` attribute");
    if (name.find(':') != std::string::npos) return err(off, "name `" + name + "` is not valid with `implements`");
    return okStatus();
  }

  Result<std::string> nameAttributes(ByteReader& s) {
    lastImplements_ = false;
    const size_t off = s.offset();
    MYRT_ASSIGN(uint8_t k, s.u8());
    if (k > 2) return err(off, "invalid leading byte (0x" + hex(k) + ") for component external name");
    MYRT_ASSIGN(std::string_view n, s.name());
    if (k == 2) {
      MYRT_ASSIGN(uint32_t na, s.u32());
      bool seen[3] = {false, false, false};
      for (uint32_t i = 0; i < na; ++i) {
        const size_t ao = s.offset();
        MYRT_ASSIGN(uint8_t ak, s.u8());
        if (ak > 2) return err(ao, "invalid leading byte (0x" + hex(ak) + ") for name attribute");
        if (seen[ak]) return err(ao, "duplicate name attribute");
        seen[ak] = true;
        MYRT_ASSIGN(std::string_view v, s.name());
        if (ak == 0x00) {  // implements: an interface name
          lastImplements_ = true;
          if (v.empty()) return err(ao, "`` is not a valid name for `implements`");
          if (v.find(':') == std::string_view::npos)
            return err(ao, "`implements` value `" + std::string(v) + "` must be an interface name");
          if (std::string why = checkExternName(v); !why.empty())
            return err(ao, "`implements` value is not a valid name: " + why);
        }
      }
    }
    std::string why = checkExternName(n);
    if (!why.empty()) return err(off, why);
    return std::string(n);
  }

  Result<ExternType> externType(ByteReader& s, Scope& sc) {
    const size_t off = s.offset();
    MYRT_ASSIGN(uint8_t k, s.u8());
    ExternType t;
    switch (k) {
      case 0x00: {
        MYRT_ASSIGN(uint8_t m, s.u8());
        if (m != 0x11) return err(off + 1, "invalid leading byte (0x" + hex(m) + ") for core module extern type");
        MYRT_ASSIGN(uint32_t ti, index(s, sc, Sort::CoreType));
        if (!sc.coreTypes[ti].module) return err(off, "core type index " + std::to_string(ti) + " is not a module type");
        t.sort = Sort::CoreModule;
        t.module = sc.coreTypes[ti].module;
        return t;
      }
      case 0x01:
      case 0x04:
      case 0x05: {
        const size_t io = s.offset();
        MYRT_ASSIGN(uint32_t ti, s.u32());
        if (ti >= sc.types.size()) return err(io, "type index out of bounds");
        const Type* tt = sc.types[ti];
        const TK want = k == 0x01 ? TK::Func : k == 0x04 ? TK::Component : TK::Instance;
        if (tt->kind != want)
          return err(io, "type index " + std::to_string(ti) + " is not a " +
                             (k == 0x01 ? "function" : k == 0x04 ? "component" : "instance") + " type");
        t.sort = k == 0x01 ? Sort::Func : k == 0x04 ? Sort::Component : Sort::Instance;
        t.type = tt;
        return t;
      }
      case 0x02: return err(off, "unsupported: component value imports/exports");
      case 0x03: {
        MYRT_ASSIGN(uint8_t b, s.u8());
        t.sort = Sort::Type;
        if (b == 0x00) {
          const size_t io = s.offset();
          MYRT_ASSIGN(uint32_t ti, s.u32());
          if (ti >= sc.types.size()) return err(io, "type index out of bounds");
          t.type = sc.types[ti];
        } else if (b == 0x01) {
          t.subResource = true;
        } else {
          return err(off + 1, "invalid leading byte (0x" + hex(b) + ") for type bound");
        }
        return t;
      }
      default: return err(off, "invalid leading byte (0x" + hex(k) + ") for component extern type");
    }
  }

  // An import or export declaration (of a component/instance type, or a component's import): checks the name,
  // its uniqueness, and appends the item to the scope's index spaces.
  Result<ExternDecl> externDecl(ByteReader& s, Scope& sc, bool isImport) {
    const size_t off = s.offset();
    MYRT_ASSIGN(std::string name, nameAttributes(s));
    const bool implements = lastImplements_;
    MYRT_ASSIGN(ExternType t0, externType(s, sc));
    ExternType t = freshened(t0);
    lastImplements_ = implements;  // externType may read nested names
    MYRT_TRY(checkImplements(off, name, t.sort));
    MYRT_TRY(uniqueName(off, sc, name, isImport));
    if (t.sort == Sort::Type && t.subResource) {
      Type* r = arena_->make(TK::Resource);
      r->abstract = true;
      r->debugName = name;
      t.type = r;
    } else if (t.sort == Sort::Type && t.type && t.type->debugName.empty() && t.type->kind != TK::Func &&
               t.type->kind != TK::Instance && t.type->kind != TK::Component && TypeArena::prim(t.type->kind) != t.type) {
      const_cast<Type*>(t.type)->debugName = name;  // the first name a type is exported under (for printing)
    }
    MYRT_TRY(checkAnnotatedName(off, sc, name, t, isImport));
    // Component type declarations validate visibility eagerly; instance types defer it until they are attached to a
    // concrete import or export (not checked then: a listed gap).
    const bool typeDecl = sc.kind == Scope::Kind::ComponentType;
    if (!isImport && typeDecl) {
      if (!externVisible(t, sc.exportedTypes)) return err(off, std::string(sortName(t.sort)) + " not valid to be used as export");
      if (t.sort == Sort::Type && t.type) sc.exportedTypes.insert(t.type);
      if (t.sort == Sort::Instance && t.type)
        for (const ExternDecl& e : t.type->exports)
          if (e.type.sort == Sort::Type && e.type.type) sc.exportedTypes.insert(e.type.type);
    }
    if (isImport && (sc.kind == Scope::Kind::Component || typeDecl)) {
      if (!externVisible(t, sc.importedTypes)) return err(off, std::string(sortName(t.sort)) + " not valid to be used as import");
      auto visible = [&sc](const Type* x) {
        sc.importedTypes.insert(x);
        sc.exportedTypes.insert(x);
      };
      if (t.sort == Sort::Type && t.type) visible(t.type);
      if (t.sort == Sort::Instance && t.type)
        for (const ExternDecl& e : t.type->exports)
          if (e.type.sort == Sort::Type && e.type.type) visible(e.type.type);
    }
    ExternDecl d{name, t};
    // Imports, and exports of type declarations (the only exports read here), add an item of their sort (an
    // exported instance may then be aliased: `(export "x" (instance $x ...)) (alias export $x "y" (type $t))`).
    pushItem(sc, t, nullptr);
    if (t.sort == Sort::Instance) sc.namedInstances.insert(uint32_t(sc.instances.size() - 1));
    (isImport ? sc.imports : sc.exports).push_back(d);
    return d;
  }

  // Strong uniqueness of import/export names (case-insensitive). A [method]R.l / [static]R.l name also conflicts with a
  // plain `l` (annotated-names.wast) -- applied to the imports and exports of a component or component type, not
  // inside instance types: WASI 0.2's own wasi:http/types instance has both `method` (a variant) and
  // `[method]incoming-request.method`, and refusing it would refuse every wasi:http component.
  Status uniqueName(size_t off, Scope& sc, const std::string& name, bool isImport) {
    auto& names = isImport ? sc.importNames : sc.exportNames;
    const std::string what = isImport ? "import" : "export";
    if (!names.insert(uniquenessKey(name)).second)
      return err(off, what + " name `" + name + "` conflicts with previous name");
    if (sc.kind != Scope::Kind::Component && sc.kind != Scope::Kind::ComponentType) return okStatus();
    auto& labels = isImport ? sc.importMethodLabels : sc.exportMethodLabels;
    for (const char* p : {"[method]", "[static]"}) {
      if (name.rfind(p, 0) != 0) continue;
      const size_t dot = name.find('.');
      if (dot == std::string::npos) return okStatus();
      const std::string label = name.substr(dot + 1);
      if (names.count(uniquenessKey(label)))
        return err(off, what + " name `" + name + "` conflicts with previous name `" + label + "`");
      labels.emplace(uniquenessKey(label), name);
      return okStatus();
    }
    if (auto it = labels.find(uniquenessKey(name)); it != labels.end())
      return err(off, what + " name `" + name + "` conflicts with previous name `" + it->second + "`");
    return okStatus();
  }

  // [constructor]/[method]/[static] names: func only; the resource must precede in this scope, among the imports for
  // an import and the exports for an export; a constructor returns (own $R) or (result (own $R)) of that resource.
  // The annotation of an extern name ("[constructor]", "[method]", "[static]"; nullptr: none) and its resource name;
  // an error if an annotated name is not a function.
  Result<const char*> annotation(size_t off, const std::string& name, const ExternType& t, std::string* res) {
    const char* kind = nullptr;
    for (const char* p : {"[constructor]", "[method]", "[static]"})
      if (name.rfind(p, 0) == 0) kind = p;
    if (!kind) return kind;
    if (t.sort != Sort::Func) return err(off, "`" + name + "` is not a valid extern name: only functions may be " + kind);
    std::string rest = name.substr(std::string(kind).size());
    *res = rest.substr(0, rest.find('.'));
    return kind;
  }

  Status checkAnnotatedName(size_t off, const Scope& sc, const std::string& name, const ExternType& t, bool isImport) {
    std::string res;
    MYRT_ASSIGN(const char* kind, annotation(off, name, t, &res));
    if (!kind) return okStatus();
    const auto& decls = isImport ? sc.imports : sc.exports;
    if (std::string(kind) == "[constructor]" && t.type) {
      const Type* r = t.type->result;
      if (r && r->kind == TK::Result && !r->elems.empty()) r = r->elems[0];
      if (!r || r->kind != TK::Own) return err(off, "function should return `(own $T)` or `(result (own $T))`");
      // the returned resource must be the one named `res` here (a resource may have several names: WIT's
      // `type headers = fields`)
      std::string other;
      bool named = false;
      for (auto& d : decls)
        if (d.type.sort == Sort::Type && d.type.type && d.type.type->identity() == r->elem()->identity()) {
          if (d.name == res) named = true;
          else if (other.empty()) other = d.name;
        }
      if (!named && !other.empty()) return err(off, "function does not match expected resource name `" + other + "`");
    }
    bool found = false;
    for (auto& d : decls)
      if (d.name == res && d.type.sort == Sort::Type && d.type.type && d.type.type->kind == TK::Resource) found = true;
    if (!found) return err(off, "resource used in function does not have a name in this context: `" + res + "`");
    return okStatus();
  }

  // [constructor]R / [method]R.m / [static]R.m exported from a bag of exports (an instance made of inline exports,
  // whose type is synthesized): R must be a resource exported earlier by the bag, a constructor's or method's
  // resource that one, and the function's types nameable outside the component (imported, exported, or aliased from
  // a named instance: a resource only defined locally has no name there) -- annotated-names.wast.
  Status checkBagAnnotatedName(size_t off, const Scope& sc, const Type& bag, const std::string& name, const ExternType& t) {
    std::string res;
    MYRT_ASSIGN(const char* kind, annotation(off, name, t, &res));
    if (!kind) return okStatus();
    const std::string unnamed = "resource used in function does not have a name in this context: `" + res + "`";
    const ExternDecl* r = bag.findExport(res);
    if (!r || r->type.sort != Sort::Type || !r->type.type || r->type.type->kind != TK::Resource) return err(off, unnamed);
    const Type* used = nullptr;  // the resource a constructor returns or a method borrows
    if (std::string(kind) == "[constructor]" && t.type) {
      const Type* rt = t.type->result;
      if (rt && rt->kind == TK::Result && !rt->elems.empty()) rt = rt->elems[0];
      if (!rt || rt->kind != TK::Own) return err(off, "function should return `(own $T)` or `(result (own $T))`");
      used = rt->elem();
    } else if (std::string(kind) == "[method]" && t.type && !t.type->elems.empty() && t.type->elems[0] &&
               t.type->elems[0]->kind == TK::Borrow) {
      used = t.type->elems[0]->elem();
    }
    if (used && used->identity() != r->type.type->identity()) return err(off, unnamed);
    if (!externVisible(t, sc.exportedTypes)) return err(off, unnamed);
    return okStatus();
  }

  // ---------------------------------------------------------------- imports and exports of a component
  Status import(ByteReader& s, Scope& sc) {
    const size_t off = s.offset();
    MYRT_ASSIGN(ExternDecl d, externDecl(s, sc, /*import=*/true));
    Def& def = addDef(sc, Def::Kind::Import, d.type.sort, off);
    def.name = d.name;
    def.externType = d.type;
    if (d.type.sort == Sort::Type && !d.type.subResource && d.type.type && d.type.type->kind == TK::Resource) {
      // (eq i) of a resource: the same identity; nothing new.
    }
    return okStatus();
  }

  Status exportDef(ByteReader& s, Scope& sc) {
    const size_t off = s.offset();
    MYRT_ASSIGN(std::string name, nameAttributes(s));
    const size_t so = s.offset();
    MYRT_ASSIGN(Sort srt, sort(s));
    MYRT_TRY(checkImplements(off, name, srt));
    if (srt == Sort::Value) return err(so, "unsupported: component value exports");
    if (isCoreSort(srt) && srt != Sort::CoreModule) return err(so, std::string(sortName(srt)) + " not valid to be used as export");
    MYRT_ASSIGN(uint32_t idx, index(s, sc, srt));
    ExternType t = externTypeOfItem(sc, srt, idx);
    MYRT_ASSIGN(uint8_t has, s.u8());
    if (has == 1) {
      const size_t to = s.offset();
      MYRT_ASSIGN(ExternType asc, externType(s, sc));
      if (asc.sort != srt) return err(to, "export type ascription has the wrong sort");
      ResourceBinding rb;
      if (std::string why; !externSubtype(t, asc, &why, &rb))
        return err(to, "type mismatch in export `" + name + "`: " + why);
      if (srt == Sort::Type && asc.subResource) {
        t.type = freshResource(t.type);  // exported as an abstract resource: a new identity for its users
      } else if (srt != Sort::Type) {
        Subst sub;  // the ascribed type, its abstract resources being the exported item's
        for (auto& [from, to2] : rb.map) sub.m[from] = rb.get(to2);
        asc.type = subst(asc.type, sub);
        t = asc;
      }
    } else if (has != 0) {
      return err(so, "invalid optional export type flag");
    }
    MYRT_TRY(uniqueName(off, sc, name, false));
    if (srt == Sort::Type && t.type && t.type->debugName.empty() && isValOrResource(t.type) &&
        TypeArena::prim(t.type->kind) != t.type)
      const_cast<Type*>(t.type)->debugName = name;
    MYRT_TRY(checkAnnotatedName(off, sc, name, t, false));
    if (sc.kind == Scope::Kind::Component && !externVisible(t, sc.exportedTypes))
      return err(off, std::string(sortName(srt)) + " not valid to be used as export");
    if (srt == Sort::Type && t.type && isNamedKind(t.type->kind) && !(t.type->kind == TK::Resource && has == 1)) {
      // The exported index is a new type (the old index stays invisible to later exports); a resource's new node
      // keeps its identity (Type::origin; the runtime binds the node to the same resource).
      Type* copy = arena_->make(t.type->kind);
      *copy = *t.type;
      copy->debugName = name;
      if (copy->kind == TK::Resource) copy->origin = t.type->identity();
      t.type = copy;
    }
    if (srt == Sort::Type && t.type) sc.exportedTypes.insert(t.type);
    Def& d = addDef(sc, Def::Kind::Export, srt, off);
    d.name = name;
    d.a = idx;
    d.externType = t;
    sc.exports.push_back({name, t});
    // The export is a new index aliasing the item.
    switch (srt) {
      case Sort::Func: sc.funcs.push_back(sc.funcs[idx]); break;
      case Sort::Type: sc.types.push_back(t.type); break;
      case Sort::Instance:
        sc.instances.push_back(t.type);
        sc.namedInstances.insert(uint32_t(sc.instances.size() - 1));
        break;
      case Sort::Component:
        sc.components.push_back(sc.components[idx]);
        sc.componentDefs.push_back(idx < sc.componentDefs.size() ? sc.componentDefs[idx] : nullptr);
        break;
      case Sort::CoreModule:
        sc.coreModules.push_back(sc.coreModules[idx]);
        sc.coreModuleDefs.push_back(idx < sc.coreModuleDefs.size() ? sc.coreModuleDefs[idx] : nullptr);
        break;
      default: break;
    }
    return okStatus();
  }

  // ---------------------------------------------------------------- canonical definitions
  Result<CanonOpts> canonOpts(ByteReader& s, Scope& sc) {
    CanonOpts o;
    bool haveEnc = false;
    size_t reallocOff = 0;
    MYRT_ASSIGN(uint32_t n, s.u32());
    for (uint32_t i = 0; i < n; ++i) {
      const size_t off = s.offset();
      MYRT_ASSIGN(uint8_t k, s.u8());
      auto dup = [&](bool cond, const char* what) -> Status {
        if (cond) return err(off, std::string("`") + what + "` is specified more than once");
        return okStatus();
      };
      switch (k) {
        case 0x00:
        case 0x01:
        case 0x02:
          if (haveEnc) return err(off, "canonical encoding option `" + std::string(k == 0 ? "utf8" : k == 1 ? "utf16" : "latin1-utf16") + "` conflicts with option `" + (o.encoding == StringEncoding::Utf8 ? "utf8" : o.encoding == StringEncoding::Utf16 ? "utf16" : "latin1-utf16") + "`");
          haveEnc = true;
          o.encoding = static_cast<StringEncoding>(k);
          break;
        case 0x03: {
          MYRT_TRY(dup(o.memory != UINT32_MAX, "memory"));
          MYRT_ASSIGN(o.memory, index(s, sc, Sort::CoreMemory));
          o.memory64 = sc.coreMemories[o.memory].limits.is64;
          break;
        }
        case 0x04: {
          MYRT_TRY(dup(o.realloc != UINT32_MAX, "realloc"));
          reallocOff = off;
          MYRT_ASSIGN(o.realloc, index(s, sc, Sort::CoreFunc));
          break;
        }
        case 0x05: {
          MYRT_TRY(dup(o.postReturn != UINT32_MAX, "post-return"));
          MYRT_ASSIGN(o.postReturn, index(s, sc, Sort::CoreFunc));
          break;
        }
        case 0x06: MYRT_TRY(dup(o.async, "async")); o.async = true; break;
        case 0x07: {
          MYRT_TRY(dup(o.callback != UINT32_MAX, "callback"));
          MYRT_ASSIGN(o.callback, index(s, sc, Sort::CoreFunc));
          break;
        }
        case 0x08: {
          MYRT_TRY(dup(o.coreType != UINT32_MAX, "core-type"));
          MYRT_ASSIGN(o.coreType, index(s, sc, Sort::CoreType));
          if (!sc.coreTypes[o.coreType].func)
            return err(off, "canonical option `core-type` must be a core function type");
          break;
        }
        case 0x09: MYRT_TRY(dup(o.gc, "gc")); o.gc = true; break;
        default: return err(off, "invalid leading byte (0x" + hex(k) + ") for canonical option");
      }
    }
    if (o.realloc != UINT32_MAX) {  // (ptr, ptr, ptr, ptr) -> ptr, ptr the memory's address type (any option order)
      const CompositeType& ft = *sc.coreFuncs[o.realloc];
      const ValType ptr = o.memory64 ? ValType::i64() : ValType::i32();
      CompositeType want;
      want.params = {ptr, ptr, ptr, ptr};
      want.results = {ptr};
      if (!sameCoreFunc(ft, want))
        return err(reallocOff, "canonical option `realloc` uses a core function with an incorrect signature");
    }
    return o;
  }

  static FlatSig coreSig(const Type& ft, bool lift, const CanonOpts& o) {
    const FlattenMode m = lift ? FlattenMode::Lift : FlattenMode::Lower;
    return o.async ? flattenAsync(ft, m, o.memory64, o.callback != UINT32_MAX) : flattenFunc(ft, m, o.memory64);
  }

  static bool needsMemory(const Type* t) {
    if (!t) return false;
    switch (t->kind) {
      case TK::String: case TK::List: case TK::Map: return true;
      case TK::Own: case TK::Borrow: case TK::Resource: return false;
      default: break;
    }
    for (const Type* e : t->elems)
      if (needsMemory(e)) return true;
    return false;
  }

  Status checkOpts(size_t off, const CanonOpts& o, const Type& ft, bool lift, const Scope& sc) {
    if (o.callback != UINT32_MAX && !o.async) return err(off, "cannot specify callback without async");
    if (o.callback != UINT32_MAX) {
      if (!lift) return err(off, "cannot specify callback without lifting");
      CompositeType want;
      want.params = {ValType::i32(), ValType::i32(), ValType::i32()};
      want.results = {ValType::i32()};
      if (!sameCoreFunc(*sc.coreFuncs[o.callback], want))
        return err(off, "canonical option `callback` uses a core function with an incorrect signature");
    }
    if (o.async && !ft.async) return err(off, "the `async` canonical option requires an async function type");
    if (o.async && o.postReturn != UINT32_MAX) return err(off, "cannot specify post-return function in async");
    if (o.coreType != UINT32_MAX && !o.gc) return err(off, "cannot specify `core-type` without `gc`");
    if (o.gc) MYRT_TRY(checkGc(off, o, ft, lift, sc));
    const FlatSig sig = coreSig(ft, lift, o);
    bool paramsMem = sig.paramsInMemory, resMem = sig.resultsInMemory;
    bool paramsNeed = paramsMem, resNeed = resMem;
    for (const Type* p : ft.elems) paramsNeed |= needsMemory(p);
    resNeed |= needsMemory(ft.result);
    if ((paramsNeed || resNeed) && o.memory == UINT32_MAX) return err(off, "canonical option `memory` is required");
    // The side that receives values written by the other side must provide realloc: lift -> params (and params
    // in memory), lower -> results (results in memory use the caller's out pointer, no realloc).
    bool reallocNeed = lift ? (paramsMem || anyNeedsMemory(ft.elems)) : needsMemory(ft.result);
    if (reallocNeed && o.realloc == UINT32_MAX) return err(off, "canonical option `realloc` is required");
    if (o.postReturn != UINT32_MAX) {
      if (!lift) return err(off, "canonical option `post-return` cannot be used with lowering");
      const CompositeType& pr = *sc.coreFuncs[o.postReturn];
      CompositeType want;
      for (ValKind k : sig.results) want.params.push_back(ValType{k});
      if (!sameCoreFunc(pr, want))
        return err(off, "canonical option `post-return` uses a core function with an incorrect signature: expected " +
                            coreFuncToString(want) + ", found " + coreFuncToString(pr));
    }
    return okStatus();
  }
  // The `gc` option (component-model GC ABI): values are passed as core values and GC references instead of through
  // linear memory. Supported for functions whose values are all scalars (bool, integers, floats, char), where a
  // GC-ABI value is the same single core value as the flat one; any other value type is `unsupported: ...`.
  Status checkGc(size_t off, const CanonOpts& o, const Type& ft, bool lift, const Scope& sc) {
    if (o.memory != UINT32_MAX || o.realloc != UINT32_MAX)
      return err(off, "cannot specify `memory` or `realloc` with `gc`");
    auto scalar = [](const Type* t) {
      if (!t) return true;
      switch (t->kind) {
        case TK::Bool: case TK::S8: case TK::U8: case TK::S16: case TK::U16: case TK::S32: case TK::U32:
        case TK::S64: case TK::U64: case TK::F32: case TK::F64: case TK::Char: return true;
        default: return false;
      }
    };
    for (const Type* p : ft.elems)
      if (!scalar(p)) return err(off, "unsupported: the `gc` canonical option with non-scalar values");
    if (!scalar(ft.result)) return err(off, "unsupported: the `gc` canonical option with non-scalar values");
    const FlatSig sig = flattenFunc(ft, lift ? FlattenMode::Lift : FlattenMode::Lower);
    if (sig.paramsInMemory || sig.resultsInMemory)
      return err(off, "unsupported: the `gc` canonical option beyond the flat parameter/result limits");
    if (o.coreType != UINT32_MAX) {
      const CompositeType want = toCoreFuncType(sig);
      const CompositeType& have = *sc.coreTypes[o.coreType].func;
      if (!sameCoreFunc(have, want))
        return err(off, "canonical option `core-type` " + coreFuncToString(have) +
                            " does not match the lowered function type " + coreFuncToString(want));
    }
    return okStatus();
  }
  static bool anyNeedsMemory(const std::vector<const Type*>& ts) {
    for (const Type* t : ts)
      if (needsMemory(t)) return true;
    return false;
  }

  Status canon(ByteReader& s, Scope& sc) {
    const size_t off = s.offset();
    MYRT_ASSIGN(uint8_t k, s.u8());
    switch (k) {
      case 0x00: {
        MYRT_ASSIGN(uint8_t z, s.u8());
        if (z != 0x00) return err(off + 1, "invalid leading byte (0x" + hex(z) + ") for canon lift");
        MYRT_ASSIGN(uint32_t f, index(s, sc, Sort::CoreFunc));
        MYRT_ASSIGN(CanonOpts o, canonOpts(s, sc));
        const size_t to = s.offset();
        MYRT_ASSIGN(uint32_t ti, s.u32());
        if (ti >= sc.types.size()) return err(to, "type index out of bounds");
        const Type* ft = sc.types[ti];
        if (ft->kind != TK::Func) return err(to, "type index " + std::to_string(ti) + " is not a function type");
        MYRT_TRY(checkOpts(off, o, *ft, true, sc));
        const CompositeType want = toCoreFuncType(coreSig(*ft, true, o));
        if (!sameCoreFunc(*sc.coreFuncs[f], want))
          return err(off, "lowered function type " + coreFuncToString(want) + " does not match core function " +
                              std::to_string(f) + "'s type " + coreFuncToString(*sc.coreFuncs[f]));
        Def& d = addDef(sc, Def::Kind::CanonLift, Sort::Func, off);
        d.a = f;
        d.opts = o;
        d.type = ft;
        sc.funcs.push_back(ft);
        return okStatus();
      }
      case 0x01: {
        MYRT_ASSIGN(uint8_t z, s.u8());
        if (z != 0x00) return err(off + 1, "invalid leading byte (0x" + hex(z) + ") for canon lower");
        MYRT_ASSIGN(uint32_t f, index(s, sc, Sort::Func));
        MYRT_ASSIGN(CanonOpts o, canonOpts(s, sc));
        const Type* ft = sc.funcs[f];
        MYRT_TRY(checkOpts(off, o, *ft, false, sc));
        Def& d = addDef(sc, Def::Kind::CanonLower, Sort::CoreFunc, off);
        d.a = f;
        d.opts = o;
        d.type = ft;
        sc.coreFuncs.push_back(keepCoreFunc(toCoreFuncType(coreSig(*ft, false, o))));
        return okStatus();
      }
      case 0x02:
      case 0x03:
      case 0x04: {
        const size_t to = s.offset();
        MYRT_ASSIGN(uint32_t ti, s.u32());
        if (ti >= sc.types.size()) return err(to, "type index out of bounds");
        const Type* rt = sc.types[ti];
        if (rt->kind != TK::Resource) return err(to, "type index " + std::to_string(ti) + " is not a resource type");
        if (k != 0x03 && !sc.localResources.count(rt->identity()))
          return err(to, "type " + std::to_string(ti) + " is not a local resource");
        Def& d = addDef(sc, k == 0x02 ? Def::Kind::ResourceNew : k == 0x03 ? Def::Kind::ResourceDrop : Def::Kind::ResourceRep,
                        Sort::CoreFunc, off);
        d.type = rt;
        CompositeType ct;
        ct.params = {ValType::i32()};
        if (k != 0x03) ct.results = {ValType::i32()};
        sc.coreFuncs.push_back(keepCoreFunc(std::move(ct)));
        return okStatus();
      }
      default: return asyncBuiltin(s, sc, off, k);
    }
  }

  // ---------------------------------------------------------------- async, thread and error-context built-ins
  // Decoded and validated (immediates, the types they name, their core signatures: CanonicalABI.md), appended to the
  // core function index space; running one is `unsupported: ...` (component-model async is not implemented).
  Result<bool> flag(ByteReader& s) {
    const size_t o = s.offset();
    MYRT_ASSIGN(uint8_t b, s.u8());
    if (b > 1) return err(o, "invalid boolean value");
    return b == 1;
  }
  Result<const Type*> typeOfKind(ByteReader& s, const Scope& sc, TK kind, const char* what) {
    const size_t o = s.offset();
    MYRT_ASSIGN(uint32_t ti, s.u32());
    if (ti >= sc.types.size()) return err(o, "type index out of bounds");
    if (sc.types[ti]->kind != kind) return err(o, std::string("`") + what + "` requires a " + tkName(kind) + " type");
    return sc.types[ti];
  }
  Status asyncBuiltin(ByteReader& s, Scope& sc, size_t off, uint8_t k) {
    using V = std::vector<ValType>;
    const ValType i32 = ValType::i32(), i64 = ValType::i64();
    V params, results;
    const char* name = nullptr;
    switch (k) {
      case 0x05: name = "task.cancel"; break;
      case 0x06: name = "subtask.cancel"; MYRT_TRY(flag(s)); params = {i32}; results = {i32}; break;
      case 0x09: {
        name = "task.return";
        const size_t ro = s.offset();
        MYRT_ASSIGN(uint8_t rb, s.u8());
        const Type* rt = nullptr;
        if (rb == 0x00) {
          MYRT_ASSIGN(rt, valType(s, sc));
        } else if (rb == 0x01) {
          MYRT_ASSIGN(uint8_t z, s.u8());
          if (z != 0x00) return err(ro + 1, "invalid leading byte (0x" + hex(z) + ") for result list");
        } else {
          return err(ro, "invalid leading byte (0x" + hex(rb) + ") for result list");
        }
        MYRT_ASSIGN(CanonOpts o, canonOpts(s, sc));
        if (o.async || o.callback != UINT32_MAX || o.postReturn != UINT32_MAX)
          return err(off, "cannot specify `async`, `callback` or `post-return` on `task.return`");
        if (rt) {
          const AbiLayout& l = abiLayout(rt, o.memory64);
          if (l.flat.size() > 16) params = {o.memory64 ? i64 : i32};
          else
            for (ValKind vk : l.flat) params.push_back(ValType{vk});
          if ((l.flat.size() > 16 || needsMemory(rt)) && o.memory == UINT32_MAX)
            return err(off, "canonical option `memory` is required");
        }
        break;
      }
      case 0x0a: case 0x0b: {
        name = k == 0x0a ? "context.get" : "context.set";
        const size_t to = s.offset();
        MYRT_ASSIGN(uint8_t t, s.u8());
        if (t != 0x7f) return err(to, "invalid leading byte (0x" + hex(t) + ") for context slot type (only i32)");
        const size_t io = s.offset();
        MYRT_ASSIGN(uint32_t slot, s.u32());
        if (slot > 1) return err(io, "context slot index " + std::to_string(slot) + " out of bounds");
        if (k == 0x0a) results = {i32};
        else params = {i32};
        break;
      }
      case 0x0c: name = "thread.yield"; MYRT_TRY(flag(s)); results = {i32}; break;
      case 0x0d: name = "subtask.drop"; params = {i32}; break;
      case 0x0e: case 0x15: {
        const bool st = k == 0x0e;
        name = st ? "stream.new" : "future.new";
        MYRT_TRY(typeOfKind(s, sc, st ? TK::Stream : TK::Future, name));
        results = {i64};
        break;
      }
      case 0x0f: case 0x10: case 0x16: case 0x17: {
        const bool st = k <= 0x10;
        name = k == 0x0f ? "stream.read" : k == 0x10 ? "stream.write" : k == 0x16 ? "future.read" : "future.write";
        MYRT_ASSIGN(const Type* t, typeOfKind(s, sc, st ? TK::Stream : TK::Future, name));
        MYRT_ASSIGN(CanonOpts o, canonOpts(s, sc));
        if (o.callback != UINT32_MAX || o.postReturn != UINT32_MAX)
          return err(off, std::string("cannot specify `callback` or `post-return` on `") + name + "`");
        if (t->elem() && o.memory == UINT32_MAX) return err(off, "canonical option `memory` is required");
        const ValType ptr = o.memory64 ? i64 : i32;
        params = st ? V{i32, ptr, ptr} : V{i32, ptr};
        results = {i32};
        break;
      }
      case 0x11: case 0x12: case 0x18: case 0x19: {
        const bool st = k <= 0x12;
        name = k == 0x11 ? "stream.cancel-read" : k == 0x12 ? "stream.cancel-write" : k == 0x18 ? "future.cancel-read"
                                                                                                 : "future.cancel-write";
        MYRT_TRY(typeOfKind(s, sc, st ? TK::Stream : TK::Future, name));
        MYRT_TRY(flag(s));
        params = {i32};
        results = {i32};
        break;
      }
      case 0x13: case 0x14: case 0x1a: case 0x1b: {
        const bool st = k <= 0x14;
        name = k == 0x13 ? "stream.drop-readable" : k == 0x14 ? "stream.drop-writable" : k == 0x1a ? "future.drop-readable"
                                                                                                    : "future.drop-writable";
        MYRT_TRY(typeOfKind(s, sc, st ? TK::Stream : TK::Future, name));
        params = {i32};
        break;
      }
      case 0x1c: case 0x1d: {
        name = k == 0x1c ? "error-context.new" : "error-context.debug-message";
        MYRT_ASSIGN(CanonOpts o, canonOpts(s, sc));
        if (o.memory == UINT32_MAX) return err(off, "canonical option `memory` is required");
        if (k == 0x1d && o.realloc == UINT32_MAX) return err(off, "canonical option `realloc` is required");
        const ValType ptr = o.memory64 ? i64 : i32;
        params = k == 0x1c ? V{ptr, ptr} : V{i32, ptr};
        if (k == 0x1c) results = {i32};
        break;
      }
      case 0x1e: name = "error-context.drop"; params = {i32}; break;
      case 0x1f: name = "waitable-set.new"; results = {i32}; break;
      case 0x20: case 0x21: {
        name = k == 0x20 ? "waitable-set.wait" : "waitable-set.poll";
        MYRT_TRY(flag(s));
        MYRT_ASSIGN(uint32_t m, index(s, sc, Sort::CoreMemory));
        params = {i32, sc.coreMemories[m].limits.is64 ? i64 : i32};
        results = {i32};
        break;
      }
      case 0x22: name = "waitable-set.drop"; params = {i32}; break;
      case 0x23: name = "waitable.join"; params = {i32, i32}; break;
      case 0x24: name = "backpressure.inc"; break;
      case 0x25: name = "backpressure.dec"; break;
      case 0x26: name = "thread.index"; results = {i32}; break;
      case 0x27: {
        name = "thread.new-indirect";
        const size_t to = s.offset();
        MYRT_ASSIGN(uint32_t ti, index(s, sc, Sort::CoreType));
        const CoreTypeEntry& te = sc.coreTypes[ti];
        if (!te.func || te.func->params.size() != 1 || te.func->params[0] != i32 || !te.func->results.empty())
          return err(to, "`thread.new-indirect` requires a core function type (func (param i32))");
        MYRT_TRY(index(s, sc, Sort::CoreTable));
        params = {i32, i32};
        results = {i32};
        break;
      }
      case 0x28: name = "thread.resume-later"; params = {i32}; break;
      case 0x29: name = "thread.suspend"; MYRT_TRY(flag(s)); results = {i32}; break;
      case 0x2a: case 0x2b: case 0x2c: case 0x2d:
        name = k == 0x2a ? "thread.suspend-then-resume" : k == 0x2b ? "thread.yield-then-resume"
                                                        : k == 0x2c ? "thread.suspend-then-promote"
                                                                    : "thread.yield-then-promote";
        MYRT_TRY(flag(s));
        params = {i32};
        results = {i32};
        break;
      default: return err(off, "invalid leading byte (0x" + hex(k) + ") for canonical function");
    }
    CompositeType ct;
    ct.params = std::move(params);
    ct.results = std::move(results);
    const CompositeType* kept = keepCoreFunc(std::move(ct));
    Def& d = addDef(sc, Def::Kind::AsyncBuiltin, Sort::CoreFunc, off);
    d.name = name;
    d.coreType = kept;
    sc.coreFuncs.push_back(kept);
    return okStatus();
  }
};

}  // namespace

Result<std::shared_ptr<const Component>> loadComponent(std::span<const uint8_t> bytes,
                                                       const ComponentLoadOptions& options) {
  Decoder d(bytes, options);
  return d.run();
}

}  // namespace myrt::component
