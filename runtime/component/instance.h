// runtime/component/instance.h -- running components: the host interface (interfaces by name with functions over
// component values and resource types), linking with semver-compatible interface versions, instantiation of a
// component (nested components, core instances on the store's tier), calling exported functions, and the
// Canonical ABI between them (runtime/component/canon.cpp).
// Layer: component (depends on exec). See docs/design.md "component model" and /work/notes/coord-comp-core.md.
//
// Typical use (the WASI 0.2 host registers its interfaces the same way):
//   component::Linker linker;
//   auto& streams = linker.define("wasi:io/streams@0.2.12");
//   ResourceType* out = streams.resource("output-stream", [](uint32_t rep) { /* close */ });
//   streams.func("[method]output-stream.blocking-write-and-flush",
//                [](HostCall& call, std::span<const Val> args, Val* result) {
//                  uint32_t rep = args[0].rep();            // borrow<output-stream>
//                  const std::string& bytes = args[1].str;  // list<u8> (isBytes)
//                  ...
//                  *result = Val::ok();                     // result<_, stream-error>
//                  return TrapReason::None;
//                });
//   auto inst = component::instantiate(store, comp, linker);   // Error: "unknown import ..." with its type
//   ComponentFunc* run = component::findFunc(**inst, "wasi:cli/run@0.2.12", "run");
//   Val result; auto r = component::call(store, *run, {}, &result);
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "runtime/component/component.h"
#include "runtime/component/value.h"
#include "runtime/exec/engine.h"

namespace myrt::component {

struct ComponentInstance;

// The context of a host function call.
struct HostCall {
  Store& store;
  ExecContext& cx;
  ComponentInstance* caller = nullptr;  // the component instance whose lowered import is running (may be null)
  const Type* type = nullptr;           // the guest's declared function type (params, result)
  // A trap with a message (the caller's call fails with it).
  TrapReason trap(std::string message) { return cx.hostTrap(std::move(message)); }
};

// A host function: `args` are the lifted parameters (shaped by the guest's declared type), `*result` receives the
// result when the type has one. Return TrapReason::None, or a trap (HostCall::trap, or the WASI exit unwinding).
using HostFn = std::function<TrapReason(HostCall& call, std::span<const Val> args, Val* result)>;

// One host interface (an instance the host provides): functions and resource types by their export names.
class HostInterface {
 public:
  explicit HostInterface(std::string name) : name_(std::move(name)) {}
  const std::string& name() const { return name_; }
  void func(const std::string& name, HostFn fn) { funcs_[name] = std::move(fn); }
  // Defines (or returns the already defined) resource type `name`; `dtor` runs when the guest drops an own handle.
  ResourceType* resource(const std::string& name, std::function<void(uint32_t rep)> dtor = nullptr);
  const HostFn* findFunc(const std::string& n) const {
    auto it = funcs_.find(n);
    return it == funcs_.end() ? nullptr : &it->second;
  }
  ResourceType* findResource(const std::string& n) const {
    auto it = resources_.find(n);
    return it == resources_.end() ? nullptr : it->second.get();
  }
  // Instances keep the host's resource types alive (their handle tables refer to them).
  std::shared_ptr<ResourceType> shareResource(const std::string& n) const {
    auto it = resources_.find(n);
    return it == resources_.end() ? nullptr : it->second;
  }

 private:
  std::string name_;
  std::map<std::string, HostFn> funcs_;
  std::map<std::string, std::shared_ptr<ResourceType>> resources_;
};

// Host interfaces by name. An import "ns:pkg/iface@V" links to the defined interface with the same name and a
// semver-compatible version (the exact version first, else the highest compatible one); unversioned names match
// exactly. Functions of a top-level import (`import "f" (func ...)`) are defined with func().
class Linker {
 public:
  HostInterface& define(const std::string& interfaceName);
  void func(const std::string& name, HostFn fn) { rootFuncs_[name] = std::move(fn); }
  const HostInterface* find(const std::string& importName) const;
  const HostFn* findRootFunc(const std::string& n) const {
    auto it = rootFuncs_.find(n);
    return it == rootFuncs_.end() ? nullptr : &it->second;
  }
  // An instance of another component (same store) provided under `name`: an instance import of that name links to
  // its exports when they are a subtype of the import's instance type (wasmtime's wast harness registers named
  // component instances this way). Host interfaces of the same name take precedence.
  void instance(const std::string& name, ComponentInstance* inst) { instances_[name] = inst; }
  ComponentInstance* findInstance(const std::string& name) const {
    auto it = instances_.find(name);
    return it == instances_.end() ? nullptr : it->second;
  }

 private:
  std::map<std::string, std::unique_ptr<HostInterface>> interfaces_;
  std::map<std::string, HostFn> rootFuncs_;
  std::map<std::string, ComponentInstance*> instances_;
};

// A component-level function: a lifted core function of some instance, or a host function.
struct ComponentFunc {
  const Type* type = nullptr;            // its func type (nodes of the component that declared it)
  ComponentInstance* instance = nullptr; // lifted: the instance whose core function it lifts
  FuncInst* core = nullptr;              // lifted: the core function
  CanonOpts opts;                        // lifted
  MemoryInst* memory = nullptr;          // lifted: resolved options
  FuncInst* realloc = nullptr;
  FuncInst* postReturn = nullptr;
  HostFn host;                           // host functions (a copy: the Linker need not outlive the instance)
  std::string name;                      // for messages
};

// Instantiates a validated component. Imports are resolved through `linker`; a missing one is an Error naming the
// import and its type ("unknown import: wasi:io/streams@0.2.12 (instance { ... })", "... has no function `x`").
// A trap while instantiating core modules (start functions, segments) is an Error with the trap message.
Result<ComponentInstance*> instantiate(Store& store, std::shared_ptr<const Component> component, const Linker& linker);

// The exported function `name` of the instance (`iface` empty), or function `name` of the exported instance
// `iface` ("wasi:cli/run@0.2.12", "run"; versions match semver-compatibly). nullptr if there is none.
ComponentFunc* findFunc(ComponentInstance& inst, const std::string& iface, const std::string& name);
// Every exported function, with its path ("len", "wasi:cli/run@0.2.12#run").
std::vector<std::pair<std::string, ComponentFunc*>> exportedFuncs(ComponentInstance& inst);

// The canonical-ABI state of a store's component instances (their handle tables), taken and put back together with
// the store's (Store::snapshot / Store::restore): serve/handler.cpp runs each request on an instance restored to
// the state right after instantiation. snapshotComponents fails ("unsupported: ...") when the instantiation called a
// host function (a start function calling an import: its result may differ the next time, so only a real
// instantiation is a fresh instance then); restoreComponents is false when component instances were added since.
struct ComponentSnapshot;
Result<std::shared_ptr<const ComponentSnapshot>> snapshotComponents(Store& store);
bool restoreComponents(Store& store, const ComponentSnapshot& snap);

// Calls a component function with component values (lowered with its canonical options), lifting its result.
InvokeResult call(Store& store, ComponentFunc& f, std::span<const Val> args, Val* result);

}  // namespace myrt::component
