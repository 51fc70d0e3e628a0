// runtime/component/runtime.h -- internal: the runtime objects of component instances (index spaces, instance
// values, handle tables, call scopes) and the Canonical ABI entry points used by instance.cpp (canon.cpp).
// Layer: component (private to runtime/component).
#pragma once
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

#include "runtime/component/instance.h"

namespace myrt::component {

struct InstanceVal;

// An item of a component-level index space / an instance export.
struct Item {
  Sort sort = Sort::Func;
  ComponentFunc* func = nullptr;
  InstanceVal* instance = nullptr;
  const Component* component = nullptr;
  std::shared_ptr<const Module> module;
  const Type* type = nullptr;        // Type sort: the type node
  ResourceType* resource = nullptr;  // Type sort, resources: the runtime identity
  // Component sort: the instance its definition sits in (its outer aliases resolve there: a nested component
  // captures, e.g., a core module its enclosing component imported); nullptr: the instantiating instance.
  ComponentInstance* env = nullptr;
};

struct InstanceVal {
  std::map<std::string, Item> exports;
};

// One handle-table entry (CanonicalABI.md "Resource State"): own or borrow handle of (rt, rep).
struct Handle {
  ResourceType* rt = nullptr;
  uint32_t rep = 0;
  bool own = false;
  bool used = false;
  uint32_t lends = 0;                // own handles: borrows lent out for calls in progress
  struct CallScope* scope = nullptr; // borrow handles: the call that must drop them
};

// Borrow tracking of one call (the spec's borrow_scope + lenders): own handles of the caller lent for the call, and
// borrow handles created in the callee that it must drop before returning.
struct CallScope {
  std::vector<std::pair<ComponentInstance*, uint32_t>> lenders;
  uint32_t borrows = 0;
};

// A core instance at the component level: its exports by name.
using CoreInst = std::unordered_map<std::string, Extern>;

struct ComponentInstance {
  Store* store = nullptr;
  std::shared_ptr<const Component> component;
  ComponentInstance* parent = nullptr;
  // index spaces
  std::vector<FuncInst*> coreFuncs;
  std::vector<TableInst*> coreTables;
  std::vector<MemoryInst*> coreMemories;
  std::vector<GlobalInst*> coreGlobals;
  std::vector<TagInst*> coreTags;
  std::vector<std::shared_ptr<const Module>> coreModules;
  std::vector<const CoreInst*> coreInstances;
  std::vector<ComponentFunc*> funcs;
  std::vector<Item> types;
  std::vector<const Component*> components;
  std::vector<ComponentInstance*> componentEnvs;  // parallel to components (Item::env)
  std::vector<std::shared_ptr<const Component>> componentRefs;
  std::vector<InstanceVal*> instances;
  std::unordered_map<const Type*, ResourceType*> resources;
  InstanceVal exports;
  // canonical ABI state
  std::vector<Handle> handles{Handle{}};  // index 0 is reserved
  std::vector<uint32_t> freeHandles;
  uint32_t active = 0;     // calls into this instance in progress (sync: a second entry traps)
  bool mayLeave = true;    // false during realloc and post-return calls
  // owned objects
  std::vector<std::unique_ptr<ComponentFunc>> ownedFuncs;
  std::vector<std::unique_ptr<InstanceVal>> ownedInstances;
  std::vector<std::unique_ptr<CoreInst>> ownedCoreInstances;
  std::vector<std::unique_ptr<ResourceType>> ownedResources;
  std::vector<std::shared_ptr<ResourceType>> hostResources;  // kept alive after the Linker is gone

  ResourceType* resolve(const Type* node) const {
    for (const ComponentInstance* i = this; i; i = i->parent) {
      auto it = i->resources.find(node);
      if (it != i->resources.end()) return it->second;
    }
    return nullptr;
  }
};

// Per-store component state (kept in Store::componentState).
struct ComponentStore : TierCode {
  std::vector<std::unique_ptr<ComponentInstance>> instances;
  uint64_t hostCalls = 0;  // host functions called through lowered imports (callAny), for snapshotComponents
};
ComponentStore& componentStore(Store& store);

// ---- canon.cpp
// The options and instance a lift/lower runs with.
struct AbiCx {
  Store& store;
  ExecContext& cx;
  ComponentInstance* inst = nullptr;
  MemoryInst* memory = nullptr;
  FuncInst* realloc = nullptr;
  StringEncoding encoding = StringEncoding::Utf8;
  CallScope* scope = nullptr;
  // Lift strings lazily (Val::srcMemory): set when the lifted values go straight to another component's lowering.
  bool lazyStrings = false;
};

// Calls a core function on the store's context (nested calls keep the outer backtrace).
TrapReason callCore(ExecContext& cx, FuncInst* f, const Value* args, size_t numArgs, Value* results, size_t numResults);

// Lifts the parameters of a lowered import from the core arguments (flat or through memory).
TrapReason liftParams(AbiCx& a, const Type& ft, std::span<const Value> core, std::vector<Val>& out);
// Lowers a host/callee result into the caller (flat result in `coreResult`, or to the out-pointer).
TrapReason lowerResult(AbiCx& a, const Type& ft, const Val& v, std::span<const Value> coreArgs, Value* coreResult);
// Lowers call arguments into a lifted callee (flat, or through memory via realloc).
TrapReason lowerParams(AbiCx& a, const Type& ft, std::span<const Val> args, std::vector<Value>& flat);
// Lifts a lifted callee's result from its core results.
TrapReason liftResult(AbiCx& a, const Type& ft, std::span<const Value> coreResults, Val* out);

// Handle tables.
TrapReason resourceNew(ExecContext& cx, ComponentInstance& inst, ResourceType* rt, uint32_t rep, uint32_t* handle);
TrapReason resourceDrop(ExecContext& cx, ComponentInstance& inst, ResourceType* rt, uint32_t handle);
TrapReason resourceRep(ExecContext& cx, ComponentInstance& inst, ResourceType* rt, uint32_t handle, uint32_t* rep);

// Where a lifted callee's result goes when the caller is another component: it lowers the result into the caller
// (CanonicalABI.md: the caller's lowering runs before the callee's post-return, so the result can be lifted lazily --
// its strings read from the callee's memory -- without a host copy).
using ResultSink = std::function<TrapReason(const Val&)>;
// Calls a lifted function (lowering `args` into its instance, lifting its result, post-return, borrow checks). With
// `sink`, the result is lifted lazily and handed to it before post-return (`result` unused).
TrapReason callLifted(Store& store, ComponentFunc& f, std::span<const Val> args, Val* result, CallScope& scope,
                      const ResultSink* sink = nullptr);
// Calls any component function (host or lifted). `sink`: see callLifted (not used for a host function).
TrapReason callAny(Store& store, ComponentFunc& f, std::span<const Val> args, Val* result, CallScope& scope,
                   ComponentInstance* caller, const ResultSink* sink = nullptr);
// Releases the lends of a finished call.
void releaseScope(CallScope& scope);

}  // namespace myrt::component
