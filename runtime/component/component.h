// runtime/component/component.h -- a decoded and validated component (component-model Binary.md, Explainer.md):
// its nested core modules (decoded and validated by the core decoder/validator, unchanged), nested components, the
// type nodes, and the ordered list of definitions that instantiation replays to build the index spaces.
// Layer: component. Entry points: loadComponent (decode + validate), isComponentBinary.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "runtime/base/result.h"
#include "runtime/component/types.h"
#include "runtime/wasm/module.h"

namespace myrt::component {

enum class StringEncoding : uint8_t { Utf8, Utf16, Latin1Utf16 };

// The canonical options of a lift or lower (indices into the component's core index spaces).
struct CanonOpts {
  StringEncoding encoding = StringEncoding::Utf8;
  uint32_t memory = UINT32_MAX;
  bool memory64 = false;            // `memory` is a 64-bit memory: pointers and lengths are i64 (CanonicalABI.md)
  uint32_t realloc = UINT32_MAX;
  uint32_t postReturn = UINT32_MAX;
  bool async = false;
  uint32_t callback = UINT32_MAX;
  bool gc = false;                  // the `gc` option: values as GC references (only scalar values supported)
  uint32_t coreType = UINT32_MAX;   // `core-type`: the lowered core function type (with `gc`)
};

struct Component;

// One definition, in binary order. Every definition appends exactly one entry to the index space of `sort` (an
// import, an alias, an export, an instantiation ...), except Component-level markers noted below.
struct Def {
  enum class Kind : uint8_t {
    CoreModule,         // a: index into Component::modules
    CoreInstantiate,    // a: core module index; args: (name, core instance index)
    CoreInline,         // exports: (name, core sort, index)
    Instantiate,        // a: component index; args: (name, sort, index)
    Inline,             // exports: (name, sort, index)
    AliasExport,        // a: instance index, name
    AliasCoreExport,    // a: core instance index, name
    AliasOuter,         // the resolved target: type (a type node), module (a: Component::modules of the target
                        // scope via `outerModule`), component (`outerComponent`)
    TypeDef,            // a type definition (type: its node; resources get a runtime identity)
    CoreTypeDef,        // a core type (nothing at run time)
    CanonLift,          // a: core func index, opts, type: the func type
    CanonLower,         // a: func index, opts
    ResourceNew,        // type: the resource node
    ResourceDrop,
    ResourceRep,
    ComponentDef,       // a: index into Component::components
    Import,             // name, externType
    Export,             // name, exportSort + a: the exported index (the new index aliases it)
    AsyncBuiltin,       // a component-model async/thread/error-context built-in (validated, not runnable): name,
                        // coreType (a core function that traps "unsupported: ..." when called)
  };
  Kind kind = Kind::TypeDef;
  Sort sort = Sort::Type;           // the index space this definition appends to
  uint32_t a = 0;
  std::string name;
  struct Arg {
    std::string name;
    Sort sort = Sort::CoreInstance;
    uint32_t index = 0;
  };
  std::vector<Arg> args;            // instantiate args / inline exports
  CanonOpts opts;
  const Type* type = nullptr;
  ExternType externType;            // Import (and Export: the export's type)
  const CompositeType* coreType = nullptr;     // AsyncBuiltin: its core function type
  std::shared_ptr<const Module> outerModule;  // AliasOuter of a core module
  const Component* outerComponent = nullptr;  // AliasOuter of a component
  uint32_t outerCount = 0, outerIndex = 0;    // AliasOuter: the enclosing component (count) and its index
  uint32_t offset = 0;              // byte offset of the definition (errors at instantiation)
};

struct Component {
  std::shared_ptr<TypeArena> arena;  // shared by a component and every component nested in it
  std::vector<std::shared_ptr<const Module>> modules;
  std::vector<std::shared_ptr<const Component>> components;
  std::vector<Def> defs;
  std::vector<ExternDecl> imports;   // the component's type: imports and exports in order
  std::vector<ExternDecl> exports;
  uint32_t offset = 0;               // offset of the preamble within the outermost binary
  uint32_t size = 0;
  // Index-space sizes (for inspect).
  uint32_t numCoreFuncs = 0, numCoreInstances = 0, numFuncs = 0, numTypes = 0, numInstances = 0;
  std::vector<std::string> customSections;
};

struct ComponentLoadOptions {
  uint32_t maxNesting = 100;         // nested components / types
};

// True when the binary starts with the component preamble (magic, a version, layer 1).
bool isComponentBinary(std::span<const uint8_t> bytes);

// Decodes and validates a component. Errors carry the byte offset and the reason ("offset 0x1c: unknown section
// id 0x20", "offset 0x33: core module: type mismatch", "canonical option `memory` is required" ...).
Result<std::shared_ptr<const Component>> loadComponent(std::span<const uint8_t> bytes,
                                                       const ComponentLoadOptions& options = {});

// The component's imports and exports as WIT-like text (one item per line), for `myrt inspect`.
std::string describeComponent(const Component& c);

}  // namespace myrt::component
