// runtime/component/instance.cpp -- instantiation of components: replays the validated definitions (Component::defs)
// in order, building the runtime index spaces; core modules are instantiated with the existing engine (so they run
// on the store's tier), canon lower makes host FuncInsts that lift their arguments and call the component function,
// canon lift makes ComponentFuncs; imports link to the host's interfaces (Linker) by name with semver-compatible
// versions, or to the arguments of a nested instantiation.
// GCC 12 reports a false -Wrestrict in std::string concatenation ("a" + std::string(b); GCC bug 105329).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include <algorithm>

#include "runtime/component/names.h"
#include "runtime/component/runtime.h"
#include "runtime/exec/signals.h"

namespace myrt::component {

// ---------------------------------------------------------------- host side
ResourceType* HostInterface::resource(const std::string& name, std::function<void(uint32_t)> dtor) {
  auto& slot = resources_[name];
  if (!slot) {
    slot = std::make_shared<ResourceType>();
    slot->name = name_ + "/" + name;
  }
  if (dtor) slot->hostDtor = std::move(dtor);
  return slot.get();
}

HostInterface& Linker::define(const std::string& name) {
  auto& slot = interfaces_[name];
  if (!slot) slot = std::make_unique<HostInterface>(name);
  return *slot;
}

const HostInterface* Linker::find(const std::string& importName) const {
  if (auto it = interfaces_.find(importName); it != interfaces_.end()) return it->second.get();
  const InterfaceName want = splitVersion(importName);
  if (want.version.empty()) return nullptr;
  const HostInterface* best = nullptr;
  std::string bestVersion;
  for (auto& [n, iface] : interfaces_) {
    InterfaceName have = splitVersion(n);
    if (have.base != want.base || !versionCompatible(want.version, have.version)) continue;
    if (!best || versionCompatible(bestVersion, have.version)) {  // same track: keep the later one in map order
      best = iface.get();
      bestVersion = have.version;
    }
  }
  return best;
}

namespace {

struct Instantiator {
  Store& store;
  const Linker& linker;
  ComponentStore& cs;

  static Error err(const Def& d, std::string msg) { return Error(d.offset, std::move(msg)); }

  ComponentFunc* newFunc(ComponentInstance& inst) {
    inst.ownedFuncs.push_back(std::make_unique<ComponentFunc>());
    return inst.ownedFuncs.back().get();
  }
  InstanceVal* newInstanceVal(ComponentInstance& inst) {
    inst.ownedInstances.push_back(std::make_unique<InstanceVal>());
    return inst.ownedInstances.back().get();
  }

  // Binds the resource nodes an instance type exports to the runtime resource types of the provided instance.
  // Nested instance exports too (their resources are the nested instances' exports of the same names).
  void bindInstanceResources(ComponentInstance& inst, const Type* it, const InstanceVal& provided, int depth = 0) {
    if (!it || depth > 16) return;
    for (const ExternDecl& e : it->exports) {
      auto p = provided.exports.find(e.name);
      if (p == provided.exports.end()) continue;
      if (e.type.sort == Sort::Instance && p->second.instance)
        bindInstanceResources(inst, e.type.type, *p->second.instance, depth + 1);
      if (e.type.sort != Sort::Type || !e.type.type || e.type.type->kind != TK::Resource) continue;
      if (p->second.resource) inst.resources[e.type.type] = p->second.resource;
    }
  }

  // The host's instance for an imported instance: functions and resources named by the import's instance type.
  Result<InstanceVal*> hostInstance(ComponentInstance& inst, const Def& d, const HostInterface& hi) {
    InstanceVal* iv = newInstanceVal(inst);
    for (const ExternDecl& e : d.externType.type->exports) {
      Item item;
      item.sort = e.type.sort;
      switch (e.type.sort) {
        case Sort::Func: {
          const HostFn* fn = hi.findFunc(e.name);
          if (!fn)
            return err(d, "unknown import: `" + d.name + "` has no function `" + e.name + "` (" +
                              typeToString(e.type.type) + ") in the host's " + hi.name());
          ComponentFunc* f = newFunc(inst);
          f->type = e.type.type;
          f->host = *fn;
          f->name = d.name + "#" + e.name;
          item.func = f;
          break;
        }
        case Sort::Type:
          item.type = e.type.type;
          if (e.type.type && e.type.type->kind == TK::Resource) {
            // `(eq T)` of a resource another import defines (wasi:io/streams' `error` is wasi:io/error's): the
            // identity bound by that import; `(sub resource)`: this interface's own resource type.
            if (!e.type.subResource) item.resource = inst.resolve(e.type.type);
            if (!item.resource) {
              auto shared = hi.shareResource(e.name);
              item.resource = shared.get();
              if (shared) inst.hostResources.push_back(std::move(shared));
              // bound now: a later `(eq T)` export of the same interface (wasi:http's `headers` = `fields`) is the
              // same node and must resolve to this identity
              if (item.resource) inst.resources[e.type.type] = item.resource;
            }
            if (!item.resource)
              return err(d, "unknown import: `" + d.name + "` has no resource `" + e.name + "` in the host's " + hi.name());
          }
          break;
        default:
          return err(d, "unsupported: host instances exporting a " + std::string(sortName(e.type.sort)) + " (`" +
                            e.name + "` of `" + d.name + "`)");
      }
      iv->exports[e.name] = item;
    }
    return iv;
  }

  Status push(ComponentInstance& inst, Sort sort, const Item& item, const Def& d) {
    switch (sort) {
      case Sort::Func: inst.funcs.push_back(item.func); break;
      case Sort::Instance: inst.instances.push_back(item.instance); break;
      case Sort::Component:
        inst.components.push_back(item.component);
        inst.componentEnvs.push_back(item.env);
        break;
      case Sort::CoreModule: inst.coreModules.push_back(item.module); break;
      case Sort::Type:
        inst.types.push_back(item);
        if (item.type && item.type->kind == TK::Resource && item.resource) inst.resources[item.type] = item.resource;
        break;
      default: return err(d, "unsupported: " + std::string(sortName(sort)) + " items");
    }
    return okStatus();
  }

  static ComponentInstance* ancestor(ComponentInstance& inst, uint32_t count) {
    ComponentInstance* i = &inst;
    for (uint32_t k = 0; k < count && i; ++k) i = i->parent;
    return i;
  }

  Item itemOf(ComponentInstance& inst, Sort sort, uint32_t i) {
    Item it;
    it.sort = sort;
    switch (sort) {
      case Sort::Func: it.func = inst.funcs[i]; break;
      case Sort::Instance: it.instance = inst.instances[i]; break;
      case Sort::Component:
        it.component = inst.components[i];
        it.env = inst.componentEnvs[i];
        break;
      case Sort::CoreModule: it.module = inst.coreModules[i]; break;
      case Sort::Type: it = inst.types[i]; break;
      default: break;
    }
    return it;
  }

  Extern coreExtern(ComponentInstance& inst, Sort sort, uint32_t i) {
    switch (sort) {
      case Sort::CoreTable: return Extern::of(inst.coreTables[i]);
      case Sort::CoreMemory: return Extern::of(inst.coreMemories[i]);
      case Sort::CoreGlobal: return Extern::of(inst.coreGlobals[i]);
      case Sort::CoreTag: return Extern::of(inst.coreTags[i]);
      default: return Extern::of(inst.coreFuncs[i]);
    }
  }

  void pushCore(ComponentInstance& inst, const Extern& e) {
    switch (e.kind) {
      case ExternKind::Func: inst.coreFuncs.push_back(e.func); break;
      case ExternKind::Table: inst.coreTables.push_back(e.table); break;
      case ExternKind::Memory: inst.coreMemories.push_back(e.memory); break;
      case ExternKind::Global: inst.coreGlobals.push_back(e.global); break;
      case ExternKind::Tag: inst.coreTags.push_back(e.tag); break;
    }
  }

  // canon lower: a host function with the flat core signature that lifts its arguments from the caller's memory,
  // calls the component function and lowers its result back.
  FuncInst* lower(ComponentInstance& inst, const Def& d) {
    ComponentFunc* callee = inst.funcs[d.a];
    const Type* ft = d.type;
    MemoryInst* memory = d.opts.memory != UINT32_MAX ? inst.coreMemories[d.opts.memory] : nullptr;
    FuncInst* realloc = d.opts.realloc != UINT32_MAX ? inst.coreFuncs[d.opts.realloc] : nullptr;
    const StringEncoding enc = d.opts.encoding;
    ComponentInstance* caller = &inst;
    Store* st = &store;
    if (d.opts.async) {  // validated (its core signature: flattenAsync), not runnable
      CompositeType core = toCoreFuncType(flattenAsync(*ft, FlattenMode::Lower, d.opts.memory64, false));
      return store.newHostFunc(std::move(core), [](ExecContext& cx, std::span<const Value>, std::span<Value>) -> TrapReason {
        return cx.hostTrap("unsupported: component-model async (calling an `async` lowered function)");
      });
    }
    CompositeType core = toCoreFuncType(flattenFunc(*ft, FlattenMode::Lower, d.opts.memory64));
    return store.newHostFunc(std::move(core), [=](ExecContext& cx, std::span<const Value> args,
                                                 std::span<Value> results) -> TrapReason {
      if (!caller->mayLeave) return cx.hostTrap("cannot leave component instance");
      CallScope scope;
      AbiCx a{*st, cx, caller, memory, realloc, enc, &scope};
      // A guest callee lowers the arguments at once: strings stay in this memory until its realloc has run.
      a.lazyStrings = !callee->host;
      std::vector<Val> params;
      TrapReason r = liftParams(a, *ft, args, params);
      a.lazyStrings = false;
      Value* out = results.empty() ? nullptr : &results[0];
      if (!callee->host) {
        // a guest callee hands its result here before its post-return: released lends, then lowered into the caller
        const ResultSink sink = [&](const Val& v) -> TrapReason {
          releaseScope(scope);
          a.scope = nullptr;
          return lowerResult(a, *ft, v, args, out);
        };
        if (r == TrapReason::None) r = callAny(*st, *callee, params, nullptr, scope, caller, &sink);
        releaseScope(scope);
        return r;
      }
      Val result;
      if (r == TrapReason::None) r = callAny(*st, *callee, params, ft->result ? &result : nullptr, scope, caller);
      releaseScope(scope);
      if (r != TrapReason::None) return r;
      a.scope = nullptr;
      return lowerResult(a, *ft, result, args, out);
    });
  }

  Status resolveLift(ComponentInstance& inst, const Def& d) {
    ComponentFunc* f = newFunc(inst);
    f->type = d.type;
    f->instance = &inst;
    f->core = inst.coreFuncs[d.a];
    f->opts = d.opts;
    if (d.opts.memory != UINT32_MAX) f->memory = inst.coreMemories[d.opts.memory];
    if (d.opts.realloc != UINT32_MAX) f->realloc = inst.coreFuncs[d.opts.realloc];
    if (d.opts.postReturn != UINT32_MAX) f->postReturn = inst.coreFuncs[d.opts.postReturn];
    inst.funcs.push_back(f);
    return okStatus();
  }

  // Runs the definitions of `c` into a new instance. `args`: the imports by name (nested instantiation), or null
  // for the outermost component (imports from the linker).
  Result<ComponentInstance*> run(std::shared_ptr<const Component> c, ComponentInstance* parent,
                                 const std::map<std::string, Item>* args, uint32_t depth) {
    if (depth > 100) return Error("component instantiation nested too deeply");
    cs.instances.push_back(std::make_unique<ComponentInstance>());
    ComponentInstance& inst = *cs.instances.back();
    inst.store = &store;
    inst.component = c;
    inst.parent = parent;
    for (const Def& d : c->defs) {
      switch (d.kind) {
        case Def::Kind::CoreModule: inst.coreModules.push_back(c->modules[d.a]); break;
        case Def::Kind::CoreInstantiate: {
          const auto& mod = inst.coreModules[d.a];
          if (!mod) return err(d, "unsupported: instantiating an imported core module");
          std::vector<Extern> imports;
          for (const Import& im : mod->imports) {
            const CoreInst* src = nullptr;
            for (auto& a : d.args)
              if (a.name == im.module) src = inst.coreInstances[a.index];
            auto it = src ? src->find(im.name) : CoreInst::const_iterator();
            if (!src || it == src->end())
              return err(d, "unknown import: " + im.module + "::" + im.name + " for a core instance");
            imports.push_back(it->second);
          }
          std::optional<Trap> startTrap;
          auto ci = myrt::instantiate(store, mod, imports, &startTrap);
          if (!ci) {
            if (startTrap) return Error(d.offset, startTrap->toString());
            return Error(d.offset, ci.error().message);
          }
          inst.ownedCoreInstances.push_back(std::make_unique<CoreInst>((*ci)->exports.begin(), (*ci)->exports.end()));
          inst.coreInstances.push_back(inst.ownedCoreInstances.back().get());
          break;
        }
        case Def::Kind::CoreInline: {
          auto ci = std::make_unique<CoreInst>();
          for (auto& a : d.args) (*ci)[a.name] = coreExtern(inst, a.sort, a.index);
          inst.coreInstances.push_back(ci.get());
          inst.ownedCoreInstances.push_back(std::move(ci));
          break;
        }
        case Def::Kind::AliasCoreExport: {
          const CoreInst& ci = *inst.coreInstances[d.a];
          auto it = ci.find(d.name);
          if (it == ci.end()) return err(d, "core instance has no export `" + d.name + "`");
          pushCore(inst, it->second);
          break;
        }
        case Def::Kind::CoreTypeDef: break;
        case Def::Kind::TypeDef: {
          Item it;
          it.sort = Sort::Type;
          it.type = d.type;
          if (d.type->kind == TK::Resource) {
            inst.ownedResources.push_back(std::make_unique<ResourceType>());
            ResourceType* rt = inst.ownedResources.back().get();
            rt->name = d.type->debugName;
            rt->impl = &inst;
            if (d.type->dtorFunc != UINT32_MAX) rt->dtor = inst.coreFuncs[d.type->dtorFunc];
            it.resource = rt;
          }
          MYRT_TRY(push(inst, Sort::Type, it, d));
          break;
        }
        case Def::Kind::AliasOuter: {
          Item it;
          it.sort = d.sort;
          if (d.sort == Sort::Type) {
            it.type = d.type;
            if (d.type && d.type->kind == TK::Resource) it.resource = inst.resolve(d.type);
          } else if (d.sort == Sort::CoreModule) {
            it.module = d.outerModule;
            if (!it.module) {  // a module the enclosing component imported: that instance's
              const ComponentInstance* outer = ancestor(inst, d.outerCount);
              if (!outer || d.outerIndex >= outer->coreModules.size()) return err(d, "outer alias: no enclosing instance");
              it.module = outer->coreModules[d.outerIndex];
            }
          } else if (d.sort == Sort::Component) {
            it.component = d.outerComponent;
            it.env = ancestor(inst, d.outerCount);
          } else {
            break;  // core types: nothing at run time
          }
          MYRT_TRY(push(inst, d.sort, it, d));
          break;
        }
        case Def::Kind::AliasExport: {
          const InstanceVal* iv = inst.instances[d.a];
          auto it = iv->exports.find(d.name);
          if (it == iv->exports.end()) return err(d, "instance has no export `" + d.name + "`");
          MYRT_TRY(push(inst, d.sort, it->second, d));
          break;
        }
        case Def::Kind::CanonLift: MYRT_TRY(resolveLift(inst, d)); break;
        case Def::Kind::CanonLower: inst.coreFuncs.push_back(lower(inst, d)); break;
        case Def::Kind::AsyncBuiltin: {
          const std::string msg = "unsupported: component-model async (the `" + d.name + "` built-in)";
          inst.coreFuncs.push_back(store.newHostFunc(
              *d.coreType, [msg](ExecContext& cx, std::span<const Value>, std::span<Value>) -> TrapReason {
                return cx.hostTrap(msg);
              }));
          break;
        }
        case Def::Kind::ResourceNew:
        case Def::Kind::ResourceDrop:
        case Def::Kind::ResourceRep: {
          ResourceType* rt = inst.resolve(d.type);
          if (!rt) return err(d, "unsupported: resource type without a runtime identity");
          ComponentInstance* self = &inst;
          CompositeType ct;
          ct.params = {ValType::i32()};
          if (d.kind != Def::Kind::ResourceDrop) ct.results = {ValType::i32()};
          const Def::Kind k = d.kind;
          inst.coreFuncs.push_back(store.newHostFunc(std::move(ct), [self, rt, k](ExecContext& cx, std::span<const Value> a,
                                                                                 std::span<Value> r) -> TrapReason {
            uint32_t out = 0;
            TrapReason t = TrapReason::None;
            if (k == Def::Kind::ResourceNew) t = resourceNew(cx, *self, rt, a[0].i32, &out);
            else if (k == Def::Kind::ResourceRep) t = resourceRep(cx, *self, rt, a[0].i32, &out);
            else t = resourceDrop(cx, *self, rt, a[0].i32);
            if (t == TrapReason::None && !r.empty()) r[0] = Value::fromI32(out);
            return t;
          }));
          break;
        }
        case Def::Kind::ComponentDef: {
          inst.componentRefs.push_back(c->components[d.a]);
          inst.components.push_back(c->components[d.a].get());
          inst.componentEnvs.push_back(&inst);
          break;
        }
        case Def::Kind::Instantiate: {
          const Component* child = inst.components[d.a];
          if (!child) return err(d, "unsupported: instantiating an imported component");
          std::map<std::string, Item> childArgs;
          for (auto& a : d.args) childArgs[a.name] = itemOf(inst, a.sort, a.index);
          // Keep the child alive through the parent's component (nested components are shared_ptr-owned there).
          std::shared_ptr<const Component> childRef;
          for (auto& r : c->components)
            if (r.get() == child) childRef = r;
          if (!childRef)
            for (auto& r : inst.componentRefs)
              if (r.get() == child) childRef = r;
          if (!childRef) childRef = std::shared_ptr<const Component>(c, child);  // outer alias: owned by an ancestor
          ComponentInstance* env = inst.componentEnvs[d.a];
          MYRT_ASSIGN(ComponentInstance* ci, run(childRef, env ? env : &inst, &childArgs, depth + 1));
          InstanceVal* iv = newInstanceVal(inst);
          iv->exports = ci->exports.exports;
          // the instance type validation gave this instantiation (fresh resource nodes) -> the child's resources
          bindInstanceResources(inst, d.type, *iv);
          inst.instances.push_back(iv);
          break;
        }
        case Def::Kind::Inline: {
          InstanceVal* iv = newInstanceVal(inst);
          for (auto& a : d.args) iv->exports[a.name] = itemOf(inst, a.sort, a.index);
          inst.instances.push_back(iv);
          break;
        }
        case Def::Kind::Import: MYRT_TRY(import(inst, d, args)); break;
        case Def::Kind::Export: {
          Item it = itemOf(inst, d.sort, d.a);
          if (d.sort == Sort::Type && it.resource && d.externType.type && d.externType.type->kind == TK::Resource) {
            it.type = d.externType.type;  // an abstract (ascribed) export has its own node, the same identity
            inst.resources[it.type] = it.resource;
          }
          inst.exports.exports[d.name] = it;
          MYRT_TRY(push(inst, d.sort, it, d));
          break;
        }
      }
    }
    return &inst;
  }

  static bool staticOnly(const ExternType& et, int depth = 0) {
    if (et.sort == Sort::Type) return !et.subResource && et.type;  // (eq T): T's identity, resources included
    if (et.sort != Sort::Instance || !et.type || depth > 16) return false;
    for (const ExternDecl& e : et.type->exports)
      if (!staticOnly(e.type, depth + 1)) return false;
    return true;
  }
  InstanceVal* staticInstance(ComponentInstance& inst, const Type* it) {
    InstanceVal* iv = newInstanceVal(inst);
    for (const ExternDecl& e : it->exports) {
      Item item;
      item.sort = e.type.sort;
      if (e.type.sort == Sort::Type) {
        item.type = e.type.type;
        if (item.type->kind == TK::Resource) item.resource = inst.resolve(item.type);
      } else {
        item.instance = staticInstance(inst, e.type.type);
      }
      iv->exports.emplace(e.name, item);
    }
    return iv;
  }

  Status import(ComponentInstance& inst, const Def& d, const std::map<std::string, Item>* args) {
    const ExternType& et = d.externType;
    if (args) {
      auto it = args->find(d.name);
      if (it == args->end()) return err(d, "missing instantiation argument `" + d.name + "`");
      Item item = it->second;
      if (et.sort == Sort::Type && et.type && et.type->kind == TK::Resource) {
        inst.resources[et.type] = item.resource;
        item.type = et.type;
      }
      if (et.sort == Sort::Instance && item.instance) bindInstanceResources(inst, et.type, *item.instance);
      return push(inst, et.sort, item, d);
    }
    Item item;
    item.sort = et.sort;
    // An import that carries no run-time value -- a type with an `eq` bound, or an instance exporting only such
    // types -- is fully determined by its type: nothing needs to be provided (a host or another instance by that
    // name is still used when there is one).
    if (staticOnly(et) && !linker.find(d.name) && !linker.findInstance(d.name)) {
      if (et.sort == Sort::Type) {
        item.type = et.type;
        if (et.type->kind == TK::Resource) item.resource = inst.resolve(et.type);
      } else {
        item.instance = staticInstance(inst, et.type);
      }
      return push(inst, et.sort, item, d);
    }
    // Something of another sort under this name is a type mismatch, not a missing import.
    const bool instanceNamed = linker.find(d.name) || linker.findInstance(d.name);
    const bool funcNamed = linker.findRootFunc(d.name) != nullptr;
    if ((instanceNamed && et.sort != Sort::Instance) || (funcNamed && !instanceNamed && et.sort != Sort::Func))
      return err(d, "type mismatch for import `" + d.name + "`: expected " + sortName(et.sort) + ", found " +
                        (instanceNamed ? "instance" : "func"));
    switch (et.sort) {
      case Sort::Instance: {
        const HostInterface* hi = linker.find(d.name);
        if (!hi) {
          if (ComponentInstance* other = linker.findInstance(d.name)) {
            Type provided;  // the other instance's type: its component's exports
            provided.kind = TK::Instance;
            provided.exports = other->component->exports;
            std::string why;
            if (!externSubtype(ExternType{Sort::Instance, &provided}, et, &why))
              return err(d, "type mismatch for import `" + d.name + "`: " + why);
            item.instance = &other->exports;
            bindInstanceResources(inst, et.type, *item.instance);
            break;
          }
        }
        if (!hi) return err(d, "unknown import: `" + d.name + "` (" + externTypeToString(et) + ") is not provided by the host");
        MYRT_ASSIGN(item.instance, hostInstance(inst, d, *hi));
        bindInstanceResources(inst, et.type, *item.instance);
        break;
      }
      case Sort::Func: {
        const HostFn* fn = linker.findRootFunc(d.name);
        if (!fn) return err(d, "unknown import: `" + d.name + "` (" + typeToString(et.type) + ") is not provided by the host");
        ComponentFunc* f = newFunc(inst);
        f->type = et.type;
        f->host = *fn;
        f->name = d.name;
        item.func = f;
        break;
      }
      default:  // the host provides no core modules, components or (non-static) types by name
        return err(d, "unknown import: `" + d.name + "` (" + externTypeToString(et) + ") is not provided by the host");
    }
    return push(inst, et.sort, item, d);
  }
};

void collectFuncs(const InstanceVal& iv, const std::string& prefix, std::vector<std::pair<std::string, ComponentFunc*>>& out,
                  int depth) {
  for (auto& [n, item] : iv.exports) {
    if (item.sort == Sort::Func && item.func) out.emplace_back(prefix + n, item.func);
    else if (item.sort == Sort::Instance && item.instance && depth < 4) collectFuncs(*item.instance, prefix + n + "#", out, depth + 1);
  }
}

}  // namespace

Result<ComponentInstance*> instantiate(Store& store, std::shared_ptr<const Component> component, const Linker& linker) {
  Instantiator in{store, linker, componentStore(store)};
  return in.run(std::move(component), nullptr, nullptr, 0);
}

ComponentFunc* findFunc(ComponentInstance& inst, const std::string& iface, const std::string& name) {
  const InstanceVal* iv = &inst.exports;
  if (!iface.empty()) {
    const Item* found = nullptr;
    auto it = iv->exports.find(iface);
    if (it != iv->exports.end()) {
      found = &it->second;
    } else {
      const InterfaceName want = splitVersion(iface);
      for (auto& [n, item] : iv->exports) {
        InterfaceName have = splitVersion(n);
        if (have.base == want.base && !want.version.empty() && versionCompatible(want.version, have.version)) found = &item;
      }
    }
    if (!found || found->sort != Sort::Instance || !found->instance) return nullptr;
    iv = found->instance;
  }
  auto it = iv->exports.find(name);
  if (it == iv->exports.end() || it->second.sort != Sort::Func) return nullptr;
  return it->second.func;
}

std::vector<std::pair<std::string, ComponentFunc*>> exportedFuncs(ComponentInstance& inst) {
  std::vector<std::pair<std::string, ComponentFunc*>> out;
  collectFuncs(inst.exports, "", out, 0);
  return out;
}

struct ComponentSnapshot {
  struct State {
    std::vector<Handle> handles;
    std::vector<uint32_t> freeHandles;
  };
  std::vector<State> instances;  // parallel to ComponentStore::instances
};

Result<std::shared_ptr<const ComponentSnapshot>> snapshotComponents(Store& store) {
  ComponentStore& cs = componentStore(store);
  if (cs.hostCalls != 0)
    return Error("unsupported: a snapshot of component instances whose instantiation called the host");
  auto snap = std::make_shared<ComponentSnapshot>();
  for (const auto& ci : cs.instances) {
    if (ci->active != 0 || !ci->mayLeave) return Error("unsupported: a snapshot of a component instance in a call");
    for (const Handle& h : ci->handles)
      if (h.scope || h.lends) return Error("unsupported: a snapshot of a component instance with lent handles");
    snap->instances.push_back({ci->handles, ci->freeHandles});
  }
  return std::shared_ptr<const ComponentSnapshot>(std::move(snap));
}

bool restoreComponents(Store& store, const ComponentSnapshot& snap) {
  ComponentStore& cs = componentStore(store);
  if (cs.instances.size() != snap.instances.size()) return false;
  for (size_t i = 0; i < snap.instances.size(); ++i) {
    ComponentInstance& ci = *cs.instances[i];
    ci.handles = snap.instances[i].handles;
    ci.freeHandles = snap.instances[i].freeHandles;
    ci.active = 0;
    ci.mayLeave = true;
  }
  return true;
}

InvokeResult call(Store& store, ComponentFunc& f, std::span<const Val> args, Val* result) {
  ExecContext& cx = store.context();
  Value* savedSp = cx.sp;
  const uint32_t savedDepth = cx.depth;
  Instance* savedCaller = cx.caller;
  cx.trapMessage.clear();
  cx.clearBacktrace();
  CallScope scope;
  TrapReason t = callAny(store, f, args, result, scope, nullptr);
  releaseScope(scope);
  cx.exception = nullptr;
  cx.caller = savedCaller;
  cx.sp = savedSp;
  cx.depth = savedDepth;
  InvokeResult res;
  if (t != TrapReason::None) res.trap = takeTrap(cx, t);
  return res;
}

}  // namespace myrt::component
