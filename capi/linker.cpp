// capi/linker.cpp -- myrt.h's linker (names -> externs of one store, instantiation by name, WASI, whole instances,
// stubs for unknown imports, default exports), host functions with a caller (myrt_caller_export_get), trap codes and
// per-store limits. Layer: capi. Object model: capi/capi.h.
#include <map>
#include <string>
#include <utility>

#include "capi/capi.h"

using namespace myrt;
using namespace myrt::capi;

struct myrt_caller_t {
  std::shared_ptr<StoreState> st;
  Instance* instance = nullptr;  // the calling wasm instance; nullptr when called from the embedder
};

struct myrt_linker_t {
  std::shared_ptr<StoreState> st;
  wasm_store_t* store = nullptr;  // borrowed: the linker is used while its store lives
  bool allowShadowing = false;
  std::map<std::pair<std::string, std::string>, Extern> defs;
};

namespace {

myrt_error_t* newError(std::string message) { return new myrt_error_t{Error(std::move(message))}; }

myrt_error_t* define(myrt_linker_t* l, const std::string& module, const std::string& name, const Extern& e) {
  auto key = std::make_pair(module, name);
  if (!l->allowShadowing && l->defs.count(key))
    return newError("myrt_linker: " + module + "::" + name + " is already defined");
  l->defs[key] = e;
  return nullptr;
}

const Extern* lookup(const myrt_linker_t* l, const std::string& module, const std::string& name) {
  auto it = l->defs.find({module, name});
  return it == l->defs.end() ? nullptr : &it->second;
}

bool defaultable(const CompositeType& t) {
  for (const ValType& v : t.results)
    if (v.isRef() && !v.nullable) return false;
  return true;
}

// Stubs for the function imports of `module` the linker cannot resolve (myrt_linker_define_unknown_imports_*).
myrt_error_t* defineUnknown(myrt_linker_t* l, const wasm_module_t* module, bool trap) {
  const Handle* mh = H(module);
  if (!l || !mh || !mh->module) return newError("myrt_linker: null argument");
  const Module& m = *mh->module->module;
  for (const Import& imp : m.imports) {
    if (imp.kind != ExternKind::Func || lookup(l, imp.module, imp.name)) continue;
    const CompositeType& type = m.funcType(imp.index);
    for (const auto* list : {&type.params, &type.results})
      for (const ValType& t : *list)
        if (t.isRef() && t.heap == HeapKind::Concrete)
          return newError("unknown import: " + imp.module + "::" + imp.name +
                          ": no stub for a function whose type refers to the module's own types");
    if (!trap && !defaultable(type))
      return newError("unknown import: " + imp.module + "::" + imp.name +
                      ": its results have no default value (a non-nullable reference)");
    const std::string what = imp.module + "::" + imp.name;
    FuncInst* f = l->st->store->newHostFunc(type, [trap, what](ExecContext& cx, std::span<const Value>,
                                                               std::span<Value> results) {
      if (trap) return cx.hostTrap("unknown import " + what + " called");
      for (Value& v : results) v = Value();
      return TrapReason::None;
    });
    if (myrt_error_t* e = define(l, imp.module, imp.name, Extern::of(f))) return e;
  }
  return nullptr;
}

}  // namespace

extern "C" {

// ---- host functions with a caller ------------------------------------------------------------------------------------

wasm_func_t* myrt_func_new_with_caller(wasm_store_t* s, const wasm_functype_t* type, myrt_func_callback_t cb, void* env,
                                       void (*finalizer)(void*)) {
  HostCall call;
  if (cb && s) {
    StoreState* st = s->st.get();
    call = [cb, env, st](ExecContext& cx, const wasm_val_vec_t* a, wasm_val_vec_t* r) {
      myrt_caller_t caller{st->shared_from_this(), cx.caller};
      return cb(env, &caller, a, r);
    };
  }
  return newHostFuncWith(s, type, std::move(call), env, finalizer);
}

bool myrt_caller_export_get(myrt_caller_t* caller, const char* name, wasm_extern_t** out) {
  if (out) *out = nullptr;
  if (!caller || !caller->instance || !name || !out) return false;
  const Extern* e = caller->instance->findExport(name);
  if (!e) return false;
  *out = As<wasm_extern_t>(externHandle(caller->st, *e));
  return true;
}

// ---- trap codes, per-store limits ------------------------------------------------------------------------------------

bool myrt_trap_code(const wasm_trap_t* t, myrt_trap_code_t* code) {
  const Handle* h = H(t);
  if (!h || !h->trap) return false;
  myrt_trap_code_t c;
  switch (h->trap->reason) {
    case TrapReason::None: return false;
    case TrapReason::Unreachable: c = MYRT_TRAP_UNREACHABLE; break;
    case TrapReason::IntegerDivideByZero: c = MYRT_TRAP_INTEGER_DIVIDE_BY_ZERO; break;
    case TrapReason::IntegerOverflow: c = MYRT_TRAP_INTEGER_OVERFLOW; break;
    case TrapReason::InvalidConversionToInteger: c = MYRT_TRAP_BAD_CONVERSION_TO_INTEGER; break;
    case TrapReason::MemoryOutOfBounds: c = MYRT_TRAP_MEMORY_OUT_OF_BOUNDS; break;
    case TrapReason::TableOutOfBounds:
    case TrapReason::UndefinedElement:
    case TrapReason::UninitializedElement: c = MYRT_TRAP_TABLE_OUT_OF_BOUNDS; break;
    case TrapReason::IndirectCallTypeMismatch: c = MYRT_TRAP_INDIRECT_CALL_TYPE_MISMATCH; break;
    case TrapReason::CallStackExhausted: c = MYRT_TRAP_STACK_OVERFLOW; break;
    case TrapReason::NullReference:
    case TrapReason::NullFunctionReference:
    case TrapReason::NullStructReference:
    case TrapReason::NullArrayReference:
    case TrapReason::NullI31Reference:
    case TrapReason::NullDescriptorReference: c = MYRT_TRAP_NULL_REFERENCE; break;
    case TrapReason::ArrayOutOfBounds: c = MYRT_TRAP_ARRAY_OUT_OF_BOUNDS; break;
    case TrapReason::CastFailure:
    case TrapReason::DescriptorCastFailure: c = MYRT_TRAP_CAST_FAILURE; break;
    case TrapReason::UncaughtException: c = MYRT_TRAP_UNCAUGHT_EXCEPTION; break;
    case TrapReason::UnalignedAtomic: c = MYRT_TRAP_UNALIGNED_ATOMIC; break;
    case TrapReason::ExpectedSharedMemory: c = MYRT_TRAP_EXPECTED_SHARED_MEMORY; break;
    case TrapReason::OutOfMemory:
    case TrapReason::MemoryLimitExceeded: c = MYRT_TRAP_OUT_OF_MEMORY; break;
    case TrapReason::FuelExhausted: c = MYRT_TRAP_OUT_OF_FUEL; break;
    case TrapReason::Interrupted: c = MYRT_TRAP_INTERRUPT; break;
    case TrapReason::HostTrap: c = MYRT_TRAP_HOST; break;
    case TrapReason::Unimplemented: c = MYRT_TRAP_UNIMPLEMENTED; break;
    default: return false;
  }
  if (code) *code = c;
  return true;
}

void myrt_store_set_limits(wasm_store_t* s, uint64_t maxMemoryBytes, uint64_t maxTableElements, uint32_t maxCallDepth) {
  if (!s) return;
  Store& store = *s->st->store;
  StoreLimits& l = store.config().limits;
  if (maxMemoryBytes) l.maxMemoryBytes = maxMemoryBytes;
  if (maxTableElements) l.maxTableElems = maxTableElements;
  if (maxCallDepth) {
    l.maxCallDepth = maxCallDepth;
    store.context().maxDepth = maxCallDepth;
  }
}

// ---- linker ----------------------------------------------------------------------------------------------------------

myrt_linker_t* myrt_linker_new(wasm_store_t* s) {
  if (!s) return nullptr;
  auto* l = new myrt_linker_t;
  l->st = s->st;
  l->store = s;
  return l;
}
void myrt_linker_delete(myrt_linker_t* l) { delete l; }
void myrt_linker_allow_shadowing(myrt_linker_t* l, bool allow) {
  if (l) l->allowShadowing = allow;
}

myrt_error_t* myrt_linker_define(myrt_linker_t* l, const char* module, const char* name, const wasm_extern_t* ext) {
  const Handle* h = H(ext);
  if (!l || !module || !name || !h) return newError("myrt_linker_define: null argument");
  if (h->st != l->st && !adoptSharedMemory(*l->st, h))
    return newError("myrt_linker_define: the extern belongs to another store");
  std::optional<Extern> e = externOf(h);
  if (!e) return newError("myrt_linker_define: not an extern");
  return define(l, module, name, *e);
}

myrt_error_t* myrt_linker_define_func(myrt_linker_t* l, const char* module, const char* name,
                                      const wasm_functype_t* type, myrt_func_callback_t cb, void* env,
                                      void (*finalizer)(void*)) {
  if (!l || !module || !name) {
    if (finalizer) finalizer(env);
    return newError("myrt_linker_define_func: null argument");
  }
  wasm_func_t* f = myrt_func_new_with_caller(l->store, type, cb, env, finalizer);
  if (!f) return newError("myrt_linker_define_func: null argument");
  myrt_error_t* e = define(l, module, name, Extern::of(static_cast<FuncInst*>(H(f)->obj)));
  wasm_func_delete(f);
  return e;
}

myrt_error_t* myrt_linker_define_instance(myrt_linker_t* l, const char* module, const wasm_instance_t* inst) {
  const Handle* h = H(inst);
  if (!l || !module || !h || h->kind != HKind::Instance) return newError("myrt_linker_define_instance: bad argument");
  if (h->st != l->st) return newError("myrt_linker_define_instance: the instance belongs to another store");
  const Instance* i = static_cast<const Instance*>(h->obj);
  for (const auto& [name, e] : i->exports)
    if (myrt_error_t* err = define(l, module, name, e)) return err;
  return nullptr;
}

myrt_error_t* myrt_linker_define_unknown_imports_as_traps(myrt_linker_t* l, const wasm_module_t* m) {
  return defineUnknown(l, m, true);
}
myrt_error_t* myrt_linker_define_unknown_imports_as_default_values(myrt_linker_t* l, const wasm_module_t* m) {
  return defineUnknown(l, m, false);
}

myrt_error_t* myrt_linker_instantiate(const myrt_linker_t* l, const wasm_module_t* module, wasm_instance_t** out,
                                      wasm_trap_t** trap) {
  if (out) *out = nullptr;
  if (trap) *trap = nullptr;
  const Handle* mh = H(module);
  if (!l || !mh || !mh->module || !out) return newError("myrt_linker_instantiate: null argument");
  const Module& m = *mh->module->module;
  std::vector<Extern> imports;
  for (const Import& imp : m.imports) {
    const Extern* e = lookup(l, imp.module, imp.name);
    if (!e) return newError("unknown import: " + imp.module + "::" + imp.name);
    imports.push_back(*e);
  }
  std::optional<Trap> startTrap;
  auto inst = instantiate(*l->st->store, mh->module->module, imports, &startTrap);
  if (!inst.ok()) {
    if (!startTrap) return newError(inst.error().message);
    wasm_trap_t* t = makeTrap(l->st, *startTrap);
    if (trap) *trap = t;
    else wasm_trap_delete(t);
    return nullptr;
  }
  *out = As<wasm_instance_t>(newHandle(HKind::Instance, l->st, *inst));
  return nullptr;
}

bool myrt_linker_get(const myrt_linker_t* l, const char* module, const char* name, wasm_extern_t** out) {
  if (out) *out = nullptr;
  if (!l || !module || !name || !out) return false;
  const Extern* e = lookup(l, module, name);
  if (!e) return false;
  *out = As<wasm_extern_t>(externHandle(l->st, *e));
  return true;
}

myrt_error_t* myrt_linker_get_default(const myrt_linker_t* l, const char* module, wasm_func_t** out) {
  if (out) *out = nullptr;
  if (!l || !module || !out) return newError("myrt_linker_get_default: null argument");
  for (const char* name : {"", "_start"}) {
    const Extern* e = lookup(l, module, name);
    if (e && e->kind == ExternKind::Func) {
      *out = As<wasm_func_t>(newHandle(HKind::Func, l->st, e->func));
      return nullptr;
    }
  }
  return newError(std::string("myrt_linker_get_default: module '") + module + "' has no default export (\"\" or _start)");
}

}  // extern "C"
