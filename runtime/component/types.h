// runtime/component/types.h -- the component model's types after validation: value types (bool .. map, own/borrow),
// function, component, instance and resource types, and the Canonical ABI facts of each value type (size, alignment,
// flat core types), computed once by the validator.
// Layer: component (depends on base, wasm). See docs/design.md "component model".
//
// Types are nodes owned by the Component (TypeArena) that defined them and never change after validation. Index
// spaces hold pointers to them, so an `alias`, an `(eq i)` bound or an outer alias is the same pointer. A resource
// type node is an identity: `(type (resource ...))`, `(sub resource)` imports/exports and instance-type exports
// each make a fresh node; at run time a component instance maps each resource node it can see to the runtime
// resource type (ResourceType in value.h) bound to it.
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/wasm/types.h"

namespace myrt::component {

enum class TK : uint8_t {
  // primitive value types (binary codes 0x7f .. 0x73, 0x64)
  Bool, S8, U8, S16, U16, S32, U32, S64, U64, F32, F64, Char, String, ErrorContext,
  // defined value types
  Record, Variant, List, FixedList, Tuple, Flags, Enum, Option, Result, Own, Borrow, Stream, Future, Map,
  // other type definitions
  Func, Component, Instance, Resource,
};
inline bool isValType(TK k) { return k <= TK::Map; }
const char* tkName(TK k);

struct Type;

// The sorts of a component's index spaces.
enum class Sort : uint8_t {
  CoreFunc, CoreTable, CoreMemory, CoreGlobal, CoreTag, CoreType, CoreModule, CoreInstance,
  Func, Value, Type, Component, Instance,
};
const char* sortName(Sort s);  // "core func", "func", "instance", ...

// The core side: a core function type, a core extern type, a core module type and a core instance type.
struct CoreExternType {
  ExternKind kind = ExternKind::Func;
  CompositeType func;       // Func, Tag (tag: the payload as params)
  TableType table;
  MemoryType memory;
  GlobalType global;
};
struct CoreImportDecl {
  std::string module, name;
  CoreExternType type;
};
struct CoreExportDecl {
  std::string name;
  CoreExternType type;
};
struct CoreModuleType {
  std::vector<CoreImportDecl> imports;
  std::vector<CoreExportDecl> exports;
};
struct CoreInstanceType {
  std::vector<CoreExportDecl> exports;
  const CoreExternType* find(std::string_view n) const {
    for (auto& e : exports)
      if (e.name == n) return &e.type;
    return nullptr;
  }
};

// An extern type of the component level: what an import/export declares.
struct ExternType {
  Sort sort = Sort::Func;         // CoreModule, Func, Value, Type, Component, Instance
  const Type* type = nullptr;     // func/component/instance type; Type: the bound type (a resource node for sub resource)
  const CoreModuleType* module = nullptr;  // CoreModule
  bool subResource = false;       // Type: (sub resource) -- `type` is then a fresh abstract resource node
};

struct ExternDecl {
  std::string name;               // the plain extern name ("wasi:io/streams@0.2.12", "[method]r.m", "run")
  ExternType type;
};

// Canonical ABI facts of a value type (CanonicalABI.md: alignment, elem_size, flatten_type).
// The layout of a value type for one memory width: strings and lists hold pointer-sized (ptr, len) pairs, 8 bytes
// aligned to 4 with a 32-bit memory, 16 aligned to 8 with a 64-bit one (flat: two i32 or two i64).
struct AbiLayout {
  uint32_t size = 0, align = 1;
  std::vector<ValKind> flat;      // I32/I64/F32/F64 (joined per the spec's variant rules)
};
// AbiInfo's own layout is the 32-bit memory one; m64 the 64-bit memory one (`memory` option of a 64-bit memory).
struct AbiInfo : AbiLayout {
  AbiLayout m64;
  bool hasBorrow = false;         // transitively contains a borrow
  bool hasResource = false;       // transitively contains own/borrow
  uint32_t depth = 1;             // nesting: 1 for scalars, strings and handles, 1 + the deepest element otherwise
};
// The deepest value type accepted (wasmtime's limit, "type nesting is too deep"): lifting and lowering recurse
// along the type, so this also bounds their native stack use.
inline constexpr uint32_t kMaxValTypeDepth = 100;

struct Type {
  TK kind = TK::Bool;
  // Record fields / variant cases / flags / enum labels / func param names.
  std::vector<std::string> labels;
  // Record field types, variant case payloads (nullptr = none), tuple elements, func params;
  // List/FixedList/Option/Stream/Future: [elem] (Stream/Future may hold nullptr); Result: [ok, err] (each may be
  // nullptr); Map: [key, value]; Own/Borrow: [the resource node].
  std::vector<const Type*> elems;
  const Type* result = nullptr;   // Func: the result type, nullptr for none
  const Type* entry = nullptr;    // Map: the tuple<key, value> node its entries are laid out as (a list of them)
  // Resource: the node this one is another index of (a concrete component's export of a resource is a new node --
  // uses of the pre-export index are not visible to later exports -- with the same identity). nullptr: itself.
  const Type* origin = nullptr;
  bool async = false;             // Func: `func async` (recognised, not runnable: unsupported)
  uint32_t length = 0;            // FixedList
  // Resource: representation (i32) and the destructor's core function index in the defining component (or
  // UINT32_MAX). `abstract`: an imported/exported (sub resource) node (no definition here).
  bool abstract = false;
  uint32_t dtorFunc = UINT32_MAX;
  std::string debugName;          // Resource: the name it was imported/exported under, for messages
  // Component / Instance types.
  std::vector<ExternDecl> imports;  // Component only
  std::vector<ExternDecl> exports;
  AbiInfo abi;                    // value types only

  const ExternDecl* findExport(std::string_view n) const {
    for (auto& e : exports)
      if (e.name == n) return &e;
    return nullptr;
  }
  const Type* elem() const { return elems.empty() ? nullptr : elems[0]; }
  const Type* identity() const { return origin ? origin : this; }
  // The element of a list in the Canonical ABI: List: elem(); Map: its entry tuple (map<K, V> is list<tuple<K, V>>).
  const Type* listElem() const { return kind == TK::Map ? entry : elem(); }
};

// Owns the type nodes of one component (and of every component/instance type inside it).
class TypeArena {
 public:
  Type* make(TK k) {
    nodes_.push_back(std::make_unique<Type>());
    nodes_.back()->kind = k;
    return nodes_.back().get();
  }
  CoreModuleType* makeModuleType() {
    modules_.push_back(std::make_unique<CoreModuleType>());
    return modules_.back().get();
  }
  CoreInstanceType* makeCoreInstanceType() {
    coreInstances_.push_back(std::make_unique<CoreInstanceType>());
    return coreInstances_.back().get();
  }
  // The shared primitive nodes (one per primitive kind, process-wide); nullptr for a kind that is not primitive.
  static const Type* prim(TK k);

 private:
  std::vector<std::unique_ptr<Type>> nodes_;
  std::vector<std::unique_ptr<CoreModuleType>> modules_;
  std::vector<std::unique_ptr<CoreInstanceType>> coreInstances_;
};

// Computes the AbiInfo of a value type from its elements' (validation calls it bottom-up). The flat types of a
// function: flattenFunc (params capped at 16, results at 1: beyond that they pass through memory).
void computeAbi(Type& t);
struct FlatSig {
  std::vector<ValKind> params, results;
  bool paramsInMemory = false;   // > 16 flat params: one pointer (i32, or i64 with a 64-bit memory)
  bool resultsInMemory = false;  // > 1 flat result: lift: one result pointer; lower: an out-pointer param
};
enum class FlattenMode { Lift, Lower };
// memory64: the `memory` option is a 64-bit memory (pointers and lengths are i64).
FlatSig flattenFunc(const Type& ft, FlattenMode mode, bool memory64 = false);
// The core signature of an `async` lift or lower (CanonicalABI.md flatten_functype): lift: params as for sync,
// results [i32] with a callback, else none (results go through task.return); lower: at most 4 flat params (else a
// pointer), an out-pointer param when there is a result, result [i32] (the subtask status).
FlatSig flattenAsync(const Type& ft, FlattenMode mode, bool memory64, bool callback);
inline const AbiLayout& abiLayout(const Type* t, bool memory64) { return memory64 ? t->abi.m64 : t->abi; }
// Only whether params/results go through memory (the same for both modes), without building the lists: per call.
struct FlatFlags {
  bool paramsInMemory = false, resultsInMemory = false;
};
inline FlatFlags flatFlags(const Type& ft) {
  size_t params = 0;
  for (const Type* p : ft.elems) params += p->abi.flat.size();
  return {params > 16, ft.result && ft.result->abi.flat.size() > 1};
}
CompositeType toCoreFuncType(const FlatSig& s);

// WIT-like text of a type ("list<u8>", "result<u64, stream-error>", "func(self: borrow<output-stream>) -> ...").
// Names of defined types are not known here: defined types print structurally (named resources print their name).
std::string typeToString(const Type* t);
std::string externTypeToString(const ExternType& t);

// Structural type equality used for linking checks (resources compared by node identity unless `looseResources`).
bool sameValType(const Type* a, const Type* b, bool looseResources);

// Subtyping of the component model (instantiation arguments against the imports they satisfy, export ascriptions):
// `a` may stand where `e` is expected. Value types are compared structurally (invariant), functions by parameter
// names/types and result, instance/component types by exports (covariant) and imports (contravariant), core module
// types by imports/exports with core extern subtyping (limits), resources by identity (below). False with a
// wasmparser-style reason ("type mismatch in record field `x`: expected u32, found tuple").
//
// Resource identity (Explainer.md "type checking"): the abstract resources of the expected side -- `(sub resource)`
// imports of the component being instantiated, `(sub resource)` exports of an expected instance type -- are bound to
// the actual side's resources as they are met, in declaration order (`rb`; one per instantiation or check); every
// other pair of resources must be the same node after binding ("resource types are not the same").
struct ResourceBinding {
  std::unordered_map<const Type*, const Type*> map;
  const Type* get(const Type* t) const {
    for (int i = 0; i < 64 && t; ++i) {  // bindings may chain (an expected node bound to another expected node)
      auto it = map.find(t);
      if (it == map.end() || it->second == t) return t;
      t = it->second;
    }
    return t;
  }
};
bool externSubtype(const ExternType& a, const ExternType& e, std::string* why, ResourceBinding* rb = nullptr);
bool valTypeMatches(const Type* a, const Type* e, bool top, std::string* why, ResourceBinding* rb = nullptr);
bool coreModuleSubtype(const CoreModuleType& a, const CoreModuleType& e, std::string* why);

}  // namespace myrt::component
