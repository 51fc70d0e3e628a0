// capi/wasm_capi.cpp -- the standard C API (include/wasm.h) over runtime/exec: vectors, types, values, references
// and host info, frames and traps, modules, functions (host callbacks), globals, tables, memories, externs, instances.
// Layer: capi. The object model is described in capi/capi.h. Every function checks its pointers for NULL and returns
// a neutral result (NULL, false, 0, an empty vector, or a trap for wasm_func_call / wasm_instance_new).
#include <cstdlib>
#include <cstring>

#include "capi/capi.h"
#include "engine/code_cache.h"
#include "runtime/binary/decoder.h"
#include "runtime/valid/validator.h"

using namespace myrt;
using namespace myrt::capi;

namespace myrt::capi {

StoreState::~StoreState() {
  // Finalizers first, while every object is still alive; each runs exactly once.
  for (auto& [obj, info] : hostInfo) info.finalize();
  hostInfo.clear();
  for (auto& [env, fin] : envFinalizers) fin(env);
  envFinalizers.clear();
}

Handle* newHandle(HKind kind, std::shared_ptr<StoreState> st, void* obj) {
  auto* h = new Handle;
  h->kind = kind;
  h->st = std::move(st);
  h->obj = obj;
  if (kind == HKind::Other && obj && h->st && h->st->store) {
    h->st->store->pinRef(obj);
    h->pinned = true;
  }
  return h;
}

wasm_trap_t* messageTrap(std::shared_ptr<StoreState> st, std::string message) {
  auto* h = new Handle;
  h->kind = HKind::Trap;
  h->trap = std::make_shared<TrapData>();
  h->trap->message = std::move(message);
  h->trap->st = std::move(st);
  return As<wasm_trap_t>(h);
}

// The trap of a failed host allocation. When even its own allocation fails, a static trap that wasm_trap_delete leaves
// alone (a trap is returned either way, never std::terminate).
Handle* staticOutOfMemoryTrap() {
  static Handle h = [] {
    Handle t;
    t.kind = HKind::Trap;
    t.trap = std::make_shared<TrapData>();
    t.trap->message = "out of memory";
    return t;
  }();
  return &h;
}

wasm_trap_t* outOfMemoryTrap(std::shared_ptr<StoreState> st) noexcept {
  try {
    return messageTrap(std::move(st), "out of memory");
  } catch (const std::bad_alloc&) {
    return As<wasm_trap_t>(staticOutOfMemoryTrap());
  }
}

wasm_trap_t* makeTrap(std::shared_ptr<StoreState> st, const Trap& t) {
  wasm_trap_t* trap = messageTrap(std::move(st), t.message);
  TrapData& d = *H(trap)->trap;
  for (size_t i = 0; i < t.backtrace.size(); ++i) {
    FrameInfo f;
    f.funcIndex = t.backtrace[i];
    f.instance = i < t.backtraceInstances.size() ? t.backtraceInstances[i] : nullptr;
    f.wasmOffset = t.offset(i);
    if (f.instance && f.instance->module) {
      const Module& m = *f.instance->module;
      f.name = m.funcName(f.funcIndex);
      const uint32_t rel = functionRelativeOffset(m, f.funcIndex, f.wasmOffset);
      if (rel != kNoWasmOffset) {
        f.moduleOffset = f.wasmOffset;
        f.funcOffset = rel;
      } else if (f.funcIndex < m.funcs.size()) {
        f.moduleOffset = m.funcs[f.funcIndex].bodyStart;
      }
    } else {
      f.name = "func[" + std::to_string(f.funcIndex) + "]";
    }
    d.frames.push_back(std::move(f));
  }
  d.framesOmitted = t.framesOmitted;
  d.reason = wasi::isExitTrap(t) ? TrapReason::None : t.reason;  // proc_exit is no trap (myrt_trap_code)
  return trap;
}

std::string describeTrap(const TrapData& t) {
  if (!t.text.empty()) return t.text;
  Trap tr;
  tr.message = t.message;
  for (const FrameInfo& f : t.frames) {
    tr.backtrace.push_back(f.funcIndex);
    tr.backtraceInstances.push_back(f.instance);
    tr.backtraceOffsets.push_back(f.wasmOffset);
  }
  tr.framesOmitted = t.framesOmitted;
  return tr.toString();
}

}  // namespace myrt::capi

namespace {

// ---- vectors ---------------------------------------------------------------------------------------------------------

template <typename V, typename T>
void vecNewUninit(V* out, size_t n) {
  if (!out) return;
  out->size = n;
  out->data = n ? new T[n]() : nullptr;
}

template <typename V, typename T>
void vecNew(V* out, size_t n, const T* src) {
  if (!out) return;
  vecNewUninit<V, T>(out, n);
  for (size_t i = 0; i < n && src; ++i) out->data[i] = src[i];
}

// ---- types -----------------------------------------------------------------------------------------------------------

}  // namespace

struct wasm_valtype_t {
  ValType type;
};

// One representation for the four extern types (the as_* conversions return the same object).
struct wasm_externtype_t {
  wasm_externkind_t kind = WASM_EXTERN_FUNC;
  wasm_valtype_vec_t params{0, nullptr}, results{0, nullptr};  // func
  wasm_valtype_t* content = nullptr;                           // global content, table element
  wasm_mutability_t mut = WASM_CONST;
  wasm_limits_t limits{0, 0};                                  // table, memory
  bool limits64 = false;                                       // memory64 / table64 (limits clamped to 32 bits)
  bool shared = false;                                         // a shared memory (threads; myrt_memorytype_*)
  ~wasm_externtype_t() {
    wasm_valtype_vec_delete(&params);
    wasm_valtype_vec_delete(&results);
    delete content;
  }
};

struct wasm_importtype_t {
  wasm_name_t module{0, nullptr}, name{0, nullptr};
  wasm_externtype_t* type = nullptr;
  ~wasm_importtype_t() {
    wasm_byte_vec_delete(&module);
    wasm_byte_vec_delete(&name);
    delete type;
  }
};

struct wasm_exporttype_t {
  wasm_name_t name{0, nullptr};
  wasm_externtype_t* type = nullptr;
  ~wasm_exporttype_t() {
    wasm_byte_vec_delete(&name);
    delete type;
  }
};

struct wasm_frame_t {
  FrameInfo info;
  std::shared_ptr<StoreState> st;
  mutable Handle* instance = nullptr;  // made on first wasm_frame_instance, owned by the frame
  ~wasm_frame_t() { delete instance; }
};

namespace myrt::capi {
const std::string& frameName(const wasm_frame_t* f) { return f->info.name; }
const FrameInfo& frameInfo(const wasm_frame_t* f) { return f->info; }
}  // namespace myrt::capi

namespace {

const wasm_externtype_t* AsET(const wasm_functype_t* t) { return reinterpret_cast<const wasm_externtype_t*>(t); }
const wasm_externtype_t* AsET(const wasm_globaltype_t* t) { return reinterpret_cast<const wasm_externtype_t*>(t); }
const wasm_externtype_t* AsET(const wasm_tabletype_t* t) { return reinterpret_cast<const wasm_externtype_t*>(t); }
const wasm_externtype_t* AsET(const wasm_memorytype_t* t) { return reinterpret_cast<const wasm_externtype_t*>(t); }

// The C kind of a myrt value type. Standard kinds for numbers, funcref (every function reference type) and externref
// (the extern hierarchy); myrt's own values for v128 and the other reference hierarchies (myrt.h).
wasm_valkind_t kindOf(ValType t) {
  switch (t.kind) {
    case ValKind::I32: return WASM_I32;
    case ValKind::I64: return WASM_I64;
    case ValKind::F32: return WASM_F32;
    case ValKind::F64: return WASM_F64;
    case ValKind::V128: return MYRT_V128;
    case ValKind::Ref:
      switch (t.heap) {
        case HeapKind::Func:
        case HeapKind::NoFunc: return WASM_FUNCREF;
        case HeapKind::Extern:
        case HeapKind::NoExtern: return WASM_EXTERNREF;
        case HeapKind::Exn:
        case HeapKind::NoExn: return MYRT_EXNREF;
        default: return MYRT_ANYREF;  // any, eq, i31, struct, array, none, concrete (resolved by isFuncRef)
      }
    default: return MYRT_ANYREF;
  }
}

bool isFuncRefType(ValType t, const Module* m) {
  if (!t.isRef()) return false;
  if (t.heap == HeapKind::Func || t.heap == HeapKind::NoFunc) return true;
  if (t.heap == HeapKind::Concrete && m && t.index < m->types.size())
    return m->types[t.index].comp.kind == CompKind::Func;
  return false;
}

wasm_valkind_t kindOf(ValType t, const Module* m) {
  if (t.isRef() && t.heap == HeapKind::Concrete) return isFuncRefType(t, m) || !m ? wasm_valkind_t(WASM_FUNCREF) : wasm_valkind_t(MYRT_ANYREF);
  return kindOf(t);
}

bool valTypeOf(wasm_valkind_t k, ValType& out) {
  switch (k) {
    case WASM_I32: out = ValType::i32(); return true;
    case WASM_I64: out = ValType::i64(); return true;
    case WASM_F32: out = ValType::f32(); return true;
    case WASM_F64: out = ValType::f64(); return true;
    case WASM_EXTERNREF: out = ValType::externref(); return true;
    case WASM_FUNCREF: out = ValType::funcref(); return true;
    case MYRT_V128: out = ValType::v128(); return true;
    case MYRT_ANYREF: out = ValType::ref(HeapKind::Any, true); return true;
    case MYRT_EXNREF: out = ValType::exnref(); return true;
    default: return false;
  }
}

wasm_valtype_t* newValType(ValType t, const Module* m) {
  // Concrete function references appear as plain funcref to C (their exact type is not expressible in wasm.h).
  if (t.isRef() && t.heap == HeapKind::Concrete) {
    ValType g = ValType::ref(isFuncRefType(t, m) || !m ? HeapKind::Func : HeapKind::Any, t.nullable);
    return new wasm_valtype_t{g};
  }
  return new wasm_valtype_t{t};
}

wasm_limits_t toLimits(const Limits& l) {
  auto clamp = [](uint64_t v) { return v > 0xffffffffull ? 0xffffffffu : static_cast<uint32_t>(v); };
  return {clamp(l.min), l.max ? clamp(*l.max) : wasm_limits_max_default};
}

Limits fromLimits(const wasm_limits_t& l) {
  Limits r;
  r.min = l.min;
  if (l.max != wasm_limits_max_default) r.max = l.max;
  return r;
}

void fillValTypeVec(wasm_valtype_vec_t* out, const std::vector<ValType>& ts, const Module* m) {
  wasm_valtype_vec_new_uninitialized(out, ts.size());
  for (size_t i = 0; i < ts.size(); ++i) out->data[i] = newValType(ts[i], m);
}

wasm_externtype_t* newFuncType(const CompositeType& ft, const Module* m) {
  auto* t = new wasm_externtype_t;
  t->kind = WASM_EXTERN_FUNC;
  fillValTypeVec(&t->params, ft.params, m);
  fillValTypeVec(&t->results, ft.results, m);
  return t;
}

wasm_externtype_t* newGlobalType(const GlobalType& g, const Module* m) {
  auto* t = new wasm_externtype_t;
  t->kind = WASM_EXTERN_GLOBAL;
  t->content = newValType(g.type, m);
  t->mut = g.mut ? WASM_VAR : WASM_CONST;
  return t;
}

wasm_externtype_t* newTableType(const TableType& tt, const Module* m) {
  auto* t = new wasm_externtype_t;
  t->kind = WASM_EXTERN_TABLE;
  t->content = newValType(tt.elem, m);
  t->limits = toLimits(tt.limits);
  t->limits64 = tt.limits.is64;
  return t;
}

wasm_externtype_t* newMemoryType(const MemoryType& mt) {
  auto* t = new wasm_externtype_t;
  t->kind = WASM_EXTERN_MEMORY;
  t->limits = toLimits(mt.limits);
  t->limits64 = mt.limits.is64;
  t->shared = mt.limits.shared;
  return t;
}

wasm_externtype_t* copyExternType(const wasm_externtype_t* s) {
  auto* t = new wasm_externtype_t;
  t->kind = s->kind;
  wasm_valtype_vec_copy(&t->params, &s->params);
  wasm_valtype_vec_copy(&t->results, &s->results);
  t->content = s->content ? new wasm_valtype_t{*s->content} : nullptr;
  t->mut = s->mut;
  t->limits = s->limits;
  t->limits64 = s->limits64;
  t->shared = s->shared;
  return t;
}

CompositeType compositeOf(const wasm_externtype_t* ft) {
  CompositeType c;
  c.kind = CompKind::Func;
  for (size_t i = 0; i < ft->params.size; ++i)
    if (ft->params.data[i]) c.params.push_back(ft->params.data[i]->type);
  for (size_t i = 0; i < ft->results.size; ++i)
    if (ft->results.data[i]) c.results.push_back(ft->results.data[i]->type);
  return c;
}

// The extern type of an export/import of module m.
wasm_externtype_t* externTypeOf(const Module& m, ExternKind kind, uint32_t index) {
  switch (kind) {
    case ExternKind::Func: return newFuncType(m.funcType(index), &m);
    case ExternKind::Global: return newGlobalType(m.globals[index].type, &m);
    case ExternKind::Table: return newTableType(m.tables[index].type, &m);
    case ExternKind::Memory: return newMemoryType(m.memories[index].type);
    case ExternKind::Tag: {
      // Tags have no wasm.h kind; they appear as the function type of their payload (myrt.h: MYRT_EXTERN_TAG).
      wasm_externtype_t* t = newFuncType(m.types[m.tags[index].typeIndex].comp, &m);
      t->kind = MYRT_EXTERN_TAG;
      return t;
    }
  }
  return nullptr;
}

// ---- values ----------------------------------------------------------------------------------------------------------

// A C value for a wasm value of type t (refs become new owned handles).
wasm_val_t toC(const std::shared_ptr<StoreState>& st, ValType t, const Value& v, const Module* m) {
  wasm_val_t out{};
  out.kind = kindOf(t, m);
  switch (t.kind) {
    case ValKind::I32: out.of.i32 = static_cast<int32_t>(v.i32); break;
    case ValKind::I64: out.of.i64 = static_cast<int64_t>(v.i64); break;
    case ValKind::F32: out.of.f32 = v.f32; break;
    case ValKind::F64: out.of.f64 = v.f64; break;
    case ValKind::V128: out.of.i64 = 0; break;  // not representable: rejected before (see checkRepresentable)
    case ValKind::Ref: {
      if (!v.ref) {
        out.of.ref = nullptr;
      } else if (out.kind == WASM_FUNCREF) {
        out.of.ref = As<wasm_ref_t>(newHandle(HKind::Func, st, v.ref));
      } else {
        HKind k = st->foreigns.count(v.ref) ? HKind::Foreign : HKind::Other;
        out.of.ref = As<wasm_ref_t>(newHandle(k, st, v.ref));
      }
      break;
    }
    default: break;
  }
  return out;
}

// A wasm value of type t from a C value; false (with a reason) if the kinds differ or the reference does not fit.
bool fromC(const StoreState* st, ValType t, const Module* m, const wasm_val_t& in, Value& out, std::string& why) {
  const wasm_valkind_t want = kindOf(t, m);
  if (in.kind != want) {
    why = "value of kind " + std::to_string(in.kind) + " where " + toString(t) + " is expected";
    return false;
  }
  switch (t.kind) {
    case ValKind::I32: out = Value::fromI32(static_cast<uint32_t>(in.of.i32)); return true;
    case ValKind::I64: out = Value::fromI64(static_cast<uint64_t>(in.of.i64)); return true;
    case ValKind::F32: out = Value::fromF32(in.of.f32); return true;
    case ValKind::F64: out = Value::fromF64(in.of.f64); return true;
    case ValKind::Ref: {
      const Handle* h = H(in.of.ref);
      if (!h) {
        if (!t.nullable) {
          why = "null reference for a non-nullable " + toString(t);
          return false;
        }
        out = Value::fromRef(nullptr);
        return true;
      }
      if (h->st.get() != st) {
        why = "reference from another store";
        return false;
      }
      if (want == WASM_FUNCREF) {
        if (h->kind != HKind::Func) {
          why = "funcref value that is not a function";
          return false;
        }
        if (t.heap == HeapKind::Concrete || t.heap == HeapKind::NoFunc) {
          why = "typed function references are not supported by the C API";
          return false;
        }
      } else if (h->kind != HKind::Foreign && h->kind != HKind::Other) {
        why = "reference value that is not a foreign object";
        return false;
      }
      out = Value::fromRef(h->obj);
      return true;
    }
    default:
      why = "unsupported: " + toString(t) + " values in the C API";
      return false;
  }
}

bool representable(const std::vector<ValType>& ts) {
  for (ValType t : ts)
    if (t.kind == ValKind::V128) return false;
  return true;
}

Handle* storeHandle(HKind kind, const wasm_store_t* s, void* obj) { return newHandle(kind, s->st, obj); }

HostInfo* hostInfoOf(const Handle* h, bool create) {
  if (!h) return nullptr;
  if (h->kind == HKind::Trap) return h->trap ? &h->trap->hostInfo : nullptr;
  if (h->kind == HKind::Module) return h->module ? &h->module->hostInfo : nullptr;
  if (!h->st) return nullptr;
  auto it = h->st->hostInfo.find(h->obj);
  if (it != h->st->hostInfo.end()) return &it->second;
  return create ? &h->st->hostInfo[h->obj] : nullptr;
}

bool sameObject(const Handle* a, const Handle* b) {
  if (!a || !b) return a == b;
  if (a->kind == HKind::Trap || b->kind == HKind::Trap) return a->trap && a->trap == b->trap;
  if (a->kind == HKind::Module || b->kind == HKind::Module) return a->module && a->module == b->module;
  return a->obj == b->obj && a->st == b->st;
}

Handle* copyHandle(const Handle* h) { return h ? new Handle(*h) : nullptr; }

const Module* moduleOfFunc(const FuncInst* f) { return f && f->instance ? f->instance->module.get() : nullptr; }

}  // namespace

extern "C" {

// ---- vectors ---------------------------------------------------------------------------------------------------------

// Plain-value vectors (bytes, values): copy copies, delete frees (values: their references too).
void wasm_byte_vec_new_empty(wasm_byte_vec_t* out) { vecNewUninit<wasm_byte_vec_t, wasm_byte_t>(out, 0); }
void wasm_byte_vec_new_uninitialized(wasm_byte_vec_t* out, size_t n) {
  vecNewUninit<wasm_byte_vec_t, wasm_byte_t>(out, n);
}
void wasm_byte_vec_new(wasm_byte_vec_t* out, size_t n, const wasm_byte_t src[]) {
  vecNew<wasm_byte_vec_t, wasm_byte_t>(out, n, src);
}
void wasm_byte_vec_copy(wasm_byte_vec_t* out, const wasm_byte_vec_t* v) {
  if (!out) return;
  if (!v) return wasm_byte_vec_new_empty(out);
  vecNew<wasm_byte_vec_t, wasm_byte_t>(out, v->size, v->data);
}
void wasm_byte_vec_delete(wasm_byte_vec_t* v) {
  if (!v) return;
  delete[] v->data;
  v->data = nullptr;
  v->size = 0;
}

void wasm_val_delete(wasm_val_t* v) {
  if (v && wasm_valkind_is_ref(v->kind) && v->of.ref) {
    wasm_ref_delete(v->of.ref);
    v->of.ref = nullptr;
  }
}
void wasm_val_copy(wasm_val_t* out, const wasm_val_t* v) {
  if (!out) return;
  if (!v) {
    *out = wasm_val_t{};
    return;
  }
  *out = *v;
  if (wasm_valkind_is_ref(v->kind) && v->of.ref) out->of.ref = wasm_ref_copy(v->of.ref);
}
void wasm_val_vec_new_empty(wasm_val_vec_t* out) { vecNewUninit<wasm_val_vec_t, wasm_val_t>(out, 0); }
void wasm_val_vec_new_uninitialized(wasm_val_vec_t* out, size_t n) { vecNewUninit<wasm_val_vec_t, wasm_val_t>(out, n); }
void wasm_val_vec_new(wasm_val_vec_t* out, size_t n, const wasm_val_t src[]) {
  vecNew<wasm_val_vec_t, wasm_val_t>(out, n, src);  // takes ownership of the values
}
void wasm_val_vec_copy(wasm_val_vec_t* out, const wasm_val_vec_t* v) {
  if (!out) return;
  if (!v) return wasm_val_vec_new_empty(out);
  vecNewUninit<wasm_val_vec_t, wasm_val_t>(out, v->size);
  for (size_t i = 0; i < v->size; ++i) wasm_val_copy(&out->data[i], &v->data[i]);
}
void wasm_val_vec_delete(wasm_val_vec_t* v) {
  if (!v) return;
  for (size_t i = 0; i < v->size && v->data; ++i) wasm_val_delete(&v->data[i]);
  delete[] v->data;
  v->data = nullptr;
  v->size = 0;
}

// Vectors of owned pointers: copy deep-copies the elements, delete deletes them.
#define MYRT_PTR_VEC(name)                                                                               \
  void wasm_##name##_vec_new_empty(wasm_##name##_vec_t* out) {                                           \
    vecNewUninit<wasm_##name##_vec_t, wasm_##name##_t*>(out, 0);                                         \
  }                                                                                                      \
  void wasm_##name##_vec_new_uninitialized(wasm_##name##_vec_t* out, size_t n) {                         \
    vecNewUninit<wasm_##name##_vec_t, wasm_##name##_t*>(out, n);                                         \
  }                                                                                                      \
  void wasm_##name##_vec_new(wasm_##name##_vec_t* out, size_t n, wasm_##name##_t* const src[]) {         \
    vecNew<wasm_##name##_vec_t, wasm_##name##_t*>(out, n, src);                                          \
  }                                                                                                      \
  void wasm_##name##_vec_copy(wasm_##name##_vec_t* out, const wasm_##name##_vec_t* v) {                  \
    if (!out) return;                                                                                    \
    if (!v) return wasm_##name##_vec_new_empty(out);                                                     \
    vecNewUninit<wasm_##name##_vec_t, wasm_##name##_t*>(out, v->size);                                   \
    for (size_t i = 0; i < v->size; ++i) out->data[i] = v->data[i] ? wasm_##name##_copy(v->data[i]) : nullptr; \
  }                                                                                                      \
  void wasm_##name##_vec_delete(wasm_##name##_vec_t* v) {                                                \
    if (!v) return;                                                                                      \
    for (size_t i = 0; i < v->size && v->data; ++i) wasm_##name##_delete(v->data[i]);                    \
    delete[] v->data;                                                                                    \
    v->data = nullptr;                                                                                   \
    v->size = 0;                                                                                         \
  }

MYRT_PTR_VEC(valtype)
MYRT_PTR_VEC(functype)
MYRT_PTR_VEC(globaltype)
MYRT_PTR_VEC(tabletype)
MYRT_PTR_VEC(memorytype)
MYRT_PTR_VEC(externtype)
MYRT_PTR_VEC(importtype)
MYRT_PTR_VEC(exporttype)
MYRT_PTR_VEC(frame)
MYRT_PTR_VEC(extern)

// ---- config, engine, store -------------------------------------------------------------------------------------------

wasm_config_t* wasm_config_new(void) { return new wasm_config_t; }
void wasm_config_delete(wasm_config_t* c) { delete c; }

wasm_engine_t* wasm_engine_new(void) { return new wasm_engine_t; }
wasm_engine_t* wasm_engine_new_with_config(wasm_config_t* c) {
  auto* e = new wasm_engine_t;
  if (c) {
    e->tier = c->tier;
    e->limits = c->limits;
    e->compileJobs = c->compileJobs;
    e->cache = c->cache;
    delete c;
  }
  return e;
}
void wasm_engine_delete(wasm_engine_t* e) { delete e; }

wasm_store_t* wasm_store_new(wasm_engine_t* e) {
  if (!e) return nullptr;
  auto made = makeStore(e->tier, e->limits);
  if (!made.ok()) return nullptr;
  (*made)->config().compileJobs = e->compileJobs;
  auto* s = new wasm_store_t;
  s->st = std::make_shared<StoreState>();
  s->st->store = std::move(*made);
  s->st->tier = e->tier;
  s->st->compileJobs = e->compileJobs;
  s->st->cache = e->cache;
  return s;
}
void wasm_store_delete(wasm_store_t* s) { delete s; }

// ---- types -----------------------------------------------------------------------------------------------------------

wasm_valtype_t* wasm_valtype_new(wasm_valkind_t k) {
  ValType t;
  if (!valTypeOf(k, t)) return nullptr;
  return new wasm_valtype_t{t};
}
wasm_valtype_t* wasm_valtype_copy(const wasm_valtype_t* t) { return t ? new wasm_valtype_t{*t} : nullptr; }
void wasm_valtype_delete(wasm_valtype_t* t) { delete t; }
wasm_valkind_t wasm_valtype_kind(const wasm_valtype_t* t) { return t ? kindOf(t->type) : wasm_valkind_t(WASM_I32); }

wasm_functype_t* wasm_functype_new(wasm_valtype_vec_t* params, wasm_valtype_vec_t* results) {
  auto* t = new wasm_externtype_t;
  t->kind = WASM_EXTERN_FUNC;
  if (params) {
    t->params = *params;
    *params = {0, nullptr};
  }
  if (results) {
    t->results = *results;
    *results = {0, nullptr};
  }
  return reinterpret_cast<wasm_functype_t*>(t);
}
const wasm_valtype_vec_t* wasm_functype_params(const wasm_functype_t* t) { return t ? &AsET(t)->params : nullptr; }
const wasm_valtype_vec_t* wasm_functype_results(const wasm_functype_t* t) { return t ? &AsET(t)->results : nullptr; }

wasm_globaltype_t* wasm_globaltype_new(wasm_valtype_t* content, wasm_mutability_t mut) {
  if (!content) return nullptr;
  auto* t = new wasm_externtype_t;
  t->kind = WASM_EXTERN_GLOBAL;
  t->content = content;
  t->mut = mut;
  return reinterpret_cast<wasm_globaltype_t*>(t);
}
const wasm_valtype_t* wasm_globaltype_content(const wasm_globaltype_t* t) { return t ? AsET(t)->content : nullptr; }
wasm_mutability_t wasm_globaltype_mutability(const wasm_globaltype_t* t) { return t ? AsET(t)->mut : wasm_mutability_t(WASM_CONST); }

wasm_tabletype_t* wasm_tabletype_new(wasm_valtype_t* elem, const wasm_limits_t* limits) {
  if (!elem || !limits) {
    delete elem;
    return nullptr;
  }
  auto* t = new wasm_externtype_t;
  t->kind = WASM_EXTERN_TABLE;
  t->content = elem;
  t->limits = *limits;
  return reinterpret_cast<wasm_tabletype_t*>(t);
}
const wasm_valtype_t* wasm_tabletype_element(const wasm_tabletype_t* t) { return t ? AsET(t)->content : nullptr; }
const wasm_limits_t* wasm_tabletype_limits(const wasm_tabletype_t* t) { return t ? &AsET(t)->limits : nullptr; }

wasm_memorytype_t* wasm_memorytype_new(const wasm_limits_t* limits) {
  if (!limits) return nullptr;
  auto* t = new wasm_externtype_t;
  t->kind = WASM_EXTERN_MEMORY;
  t->limits = *limits;
  return reinterpret_cast<wasm_memorytype_t*>(t);
}
const wasm_limits_t* wasm_memorytype_limits(const wasm_memorytype_t* t) { return t ? &AsET(t)->limits : nullptr; }

wasm_memorytype_t* myrt_memorytype_new_shared(const wasm_limits_t* limits) {
  if (!limits || limits->max == wasm_limits_max_default) return nullptr;  // a shared memory needs a maximum
  wasm_memorytype_t* t = wasm_memorytype_new(limits);
  reinterpret_cast<wasm_externtype_t*>(t)->shared = true;
  return t;
}
bool myrt_memorytype_is_shared(const wasm_memorytype_t* t) { return t && AsET(t)->shared; }

// All four are wasm_externtype_t underneath: copy/delete are shared.
#define MYRT_EXTERNTYPE_VIEW(name, KIND)                                                                         \
  wasm_##name##_t* wasm_##name##_copy(const wasm_##name##_t* t) {                                               \
    return t ? reinterpret_cast<wasm_##name##_t*>(copyExternType(reinterpret_cast<const wasm_externtype_t*>(t))) \
             : nullptr;                                                                                          \
  }                                                                                                              \
  void wasm_##name##_delete(wasm_##name##_t* t) { delete reinterpret_cast<wasm_externtype_t*>(t); }             \
  wasm_externtype_t* wasm_##name##_as_externtype(wasm_##name##_t* t) {                                          \
    return reinterpret_cast<wasm_externtype_t*>(t);                                                              \
  }                                                                                                              \
  const wasm_externtype_t* wasm_##name##_as_externtype_const(const wasm_##name##_t* t) {                        \
    return reinterpret_cast<const wasm_externtype_t*>(t);                                                        \
  }                                                                                                              \
  wasm_##name##_t* wasm_externtype_as_##name(wasm_externtype_t* t) {                                            \
    return t && t->kind == KIND ? reinterpret_cast<wasm_##name##_t*>(t) : nullptr;                               \
  }                                                                                                              \
  const wasm_##name##_t* wasm_externtype_as_##name##_const(const wasm_externtype_t* t) {                        \
    return t && t->kind == KIND ? reinterpret_cast<const wasm_##name##_t*>(t) : nullptr;                         \
  }

MYRT_EXTERNTYPE_VIEW(functype, WASM_EXTERN_FUNC)
MYRT_EXTERNTYPE_VIEW(globaltype, WASM_EXTERN_GLOBAL)
MYRT_EXTERNTYPE_VIEW(tabletype, WASM_EXTERN_TABLE)
MYRT_EXTERNTYPE_VIEW(memorytype, WASM_EXTERN_MEMORY)

wasm_externtype_t* wasm_externtype_copy(const wasm_externtype_t* t) { return t ? copyExternType(t) : nullptr; }
void wasm_externtype_delete(wasm_externtype_t* t) { delete t; }
wasm_externkind_t wasm_externtype_kind(const wasm_externtype_t* t) { return t ? t->kind : wasm_externkind_t(WASM_EXTERN_FUNC); }

wasm_importtype_t* wasm_importtype_new(wasm_name_t* module, wasm_name_t* name, wasm_externtype_t* type) {
  auto* t = new wasm_importtype_t;
  if (module) {
    t->module = *module;
    *module = {0, nullptr};
  }
  if (name) {
    t->name = *name;
    *name = {0, nullptr};
  }
  t->type = type;
  return t;
}
wasm_importtype_t* wasm_importtype_copy(const wasm_importtype_t* s) {
  if (!s) return nullptr;
  auto* t = new wasm_importtype_t;
  wasm_byte_vec_copy(&t->module, &s->module);
  wasm_byte_vec_copy(&t->name, &s->name);
  t->type = s->type ? copyExternType(s->type) : nullptr;
  return t;
}
void wasm_importtype_delete(wasm_importtype_t* t) { delete t; }
const wasm_name_t* wasm_importtype_module(const wasm_importtype_t* t) { return t ? &t->module : nullptr; }
const wasm_name_t* wasm_importtype_name(const wasm_importtype_t* t) { return t ? &t->name : nullptr; }
const wasm_externtype_t* wasm_importtype_type(const wasm_importtype_t* t) { return t ? t->type : nullptr; }

wasm_exporttype_t* wasm_exporttype_new(wasm_name_t* name, wasm_externtype_t* type) {
  auto* t = new wasm_exporttype_t;
  if (name) {
    t->name = *name;
    *name = {0, nullptr};
  }
  t->type = type;
  return t;
}
wasm_exporttype_t* wasm_exporttype_copy(const wasm_exporttype_t* s) {
  if (!s) return nullptr;
  auto* t = new wasm_exporttype_t;
  wasm_byte_vec_copy(&t->name, &s->name);
  t->type = s->type ? copyExternType(s->type) : nullptr;
  return t;
}
void wasm_exporttype_delete(wasm_exporttype_t* t) { delete t; }
const wasm_name_t* wasm_exporttype_name(const wasm_exporttype_t* t) { return t ? &t->name : nullptr; }
const wasm_externtype_t* wasm_exporttype_type(const wasm_exporttype_t* t) { return t ? t->type : nullptr; }

// ---- references ------------------------------------------------------------------------------------------------------

// The common reference functions, for every reference type (all are Handles underneath).
#define MYRT_REF_BASE(name)                                                                                    \
  void wasm_##name##_delete(wasm_##name##_t* r) {                                                              \
    if (H(r) != staticOutOfMemoryTrap()) delete H(r);                                                          \
  }                                                                                                            \
  wasm_##name##_t* wasm_##name##_copy(const wasm_##name##_t* r) { return As<wasm_##name##_t>(copyHandle(H(r))); } \
  bool wasm_##name##_same(const wasm_##name##_t* a, const wasm_##name##_t* b) { return sameObject(H(a), H(b)); } \
  void* wasm_##name##_get_host_info(const wasm_##name##_t* r) {                                                \
    HostInfo* i = hostInfoOf(H(r), false);                                                                     \
    return i ? i->info : nullptr;                                                                              \
  }                                                                                                            \
  void wasm_##name##_set_host_info(wasm_##name##_t* r, void* info) {                                           \
    if (HostInfo* i = hostInfoOf(H(r), true)) i->set(info, nullptr);                                           \
  }                                                                                                            \
  void wasm_##name##_set_host_info_with_finalizer(wasm_##name##_t* r, void* info, void (*fin)(void*)) {        \
    if (HostInfo* i = hostInfoOf(H(r), true)) i->set(info, fin);                                               \
  }

#define MYRT_REF(name, test)                                                                                   \
  MYRT_REF_BASE(name)                                                                                          \
  wasm_ref_t* wasm_##name##_as_ref(wasm_##name##_t* r) { return reinterpret_cast<wasm_ref_t*>(r); }            \
  const wasm_ref_t* wasm_##name##_as_ref_const(const wasm_##name##_t* r) {                                     \
    return reinterpret_cast<const wasm_ref_t*>(r);                                                             \
  }                                                                                                            \
  wasm_##name##_t* wasm_ref_as_##name(wasm_ref_t* r) {                                                         \
    const Handle* h = H(r);                                                                                    \
    return h && (test) ? reinterpret_cast<wasm_##name##_t*>(r) : nullptr;                                      \
  }                                                                                                            \
  const wasm_##name##_t* wasm_ref_as_##name##_const(const wasm_ref_t* r) {                                     \
    const Handle* h = H(r);                                                                                    \
    return h && (test) ? reinterpret_cast<const wasm_##name##_t*>(r) : nullptr;                                \
  }

MYRT_REF_BASE(ref)
MYRT_REF(trap, h->kind == HKind::Trap)
MYRT_REF(foreign, h->kind == HKind::Foreign)
MYRT_REF(module, h->kind == HKind::Module)
MYRT_REF(func, h->kind == HKind::Func)
MYRT_REF(global, h->kind == HKind::Global)
MYRT_REF(table, h->kind == HKind::Table)
MYRT_REF(memory, h->kind == HKind::Memory)
MYRT_REF(extern, h->kind == HKind::Func || h->kind == HKind::Global || h->kind == HKind::Table ||
                     h->kind == HKind::Memory || h->kind == HKind::Tag)
MYRT_REF(instance, h->kind == HKind::Instance)

// ---- frames and traps ------------------------------------------------------------------------------------------------

void wasm_frame_delete(wasm_frame_t* f) { delete f; }
wasm_frame_t* wasm_frame_copy(const wasm_frame_t* f) {
  if (!f) return nullptr;
  auto* c = new wasm_frame_t;
  c->info = f->info;
  c->st = f->st;
  return c;
}
wasm_instance_t* wasm_frame_instance(const wasm_frame_t* f) {
  if (!f || !f->info.instance || !f->st) return nullptr;
  if (!f->instance) f->instance = newHandle(HKind::Instance, f->st, const_cast<Instance*>(f->info.instance));
  return As<wasm_instance_t>(f->instance);
}
uint32_t wasm_frame_func_index(const wasm_frame_t* f) { return f ? f->info.funcIndex : 0; }
size_t wasm_frame_func_offset(const wasm_frame_t* f) { return f ? f->info.funcOffset : 0; }
size_t wasm_frame_module_offset(const wasm_frame_t* f) { return f ? f->info.moduleOffset : 0; }

wasm_trap_t* wasm_trap_new(wasm_store_t* s, const wasm_message_t* msg) {
  std::string m;
  if (msg && msg->data) {
    m.assign(msg->data, msg->size);
    if (!m.empty() && m.back() == '\0') m.pop_back();
  }
  return messageTrap(s ? s->st : nullptr, std::move(m));
}
void wasm_trap_message(const wasm_trap_t* t, wasm_message_t* out) {
  if (!out) return;
  const Handle* h = H(t);
  if (!h || !h->trap) return wasm_byte_vec_new_empty(out);
  const std::string& m = h->trap->message;
  wasm_byte_vec_new(out, m.size() + 1, m.c_str());
}
wasm_frame_t* wasm_trap_origin(const wasm_trap_t* t) {
  const Handle* h = H(t);
  if (!h || !h->trap || h->trap->frames.empty()) return nullptr;
  auto* f = new wasm_frame_t;
  f->info = h->trap->frames.front();
  f->st = h->trap->st;
  return f;
}
void wasm_trap_trace(const wasm_trap_t* t, wasm_frame_vec_t* out) {
  if (!out) return;
  const Handle* h = H(t);
  if (!h || !h->trap) return wasm_frame_vec_new_empty(out);
  wasm_frame_vec_new_uninitialized(out, h->trap->frames.size());
  for (size_t i = 0; i < h->trap->frames.size(); ++i) {
    auto* f = new wasm_frame_t;
    f->info = h->trap->frames[i];
    f->st = h->trap->st;
    out->data[i] = f;
  }
}

// ---- foreign objects -------------------------------------------------------------------------------------------------

wasm_foreign_t* wasm_foreign_new(wasm_store_t* s) {
  if (!s) return nullptr;
  // A distinct extern reference per foreign object (host values from the top half never clash with script values).
  Ref r = s->st->store->externRef((uint64_t(1) << 63) | ++s->st->nextForeign);
  s->st->foreigns.insert(r);
  return As<wasm_foreign_t>(storeHandle(HKind::Foreign, s, r));
}

// ---- modules ---------------------------------------------------------------------------------------------------------

}  // extern "C"

namespace myrt::capi {

namespace {
// "\0myrtmod" + format version 1, then the module's binary (re-validated on deserialization): what
// wasm_module_serialize writes where there is no JIT tier to compile for.
constexpr char kSerialMagic[8] = {'\0', 'm', 'y', 'r', 't', 'm', 'o', 'd'};
constexpr uint8_t kSerialVersion = 1;

// The code cache for a module decoded in a store whose engine enables it (wasm_capi.h CodeCacheSetting): a hit attaches
// the cached machine code, a miss (or a rejected entry, which the cache removed) compiles into the cache. Failures to
// write leave the module as it is (it compiles when instantiated, as without a cache).
void useCodeCache(const StoreState& st, const std::shared_ptr<Module>& m) {
  if (!st.cache.enabled || st.tier == Tier::Interp || !tierAvailable(Tier::Jit)) return;
  const std::string dir = st.cache.dir.empty() ? defaultCodeCacheDir() : st.cache.dir;
  const CacheLookup hit = codeCacheLookup(dir, *m);
  if (hit == CacheLookup::Miss || hit == CacheLookup::Rejected) (void)codeCacheFill(dir, m, st.compileJobs);
}
}  // namespace

Result<std::shared_ptr<const Module>> compileModule(const wasm_byte_vec_t* binary, const StoreState* st) {
  if (!binary || (!binary->data && binary->size)) return Error("no binary");
  try {  // a failed host allocation is an error for the embedder, never std::terminate
    std::vector<uint8_t> bytes(binary->data, binary->data + binary->size);
    MYRT_ASSIGN(Module m, decodeModule(std::move(bytes)));
    MYRT_TRY(validateModule(m));
    auto shared = std::make_shared<Module>(std::move(m));
    if (st) useCodeCache(*st, shared);
    return std::shared_ptr<const Module>(std::move(shared));
  } catch (const std::bad_alloc&) {
    return Error("out of memory");
  }
}

Result<std::vector<uint8_t>> serializeNative(const std::shared_ptr<const Module>& m) {
  if (!tierAvailable(Tier::Jit))
    return Error("unsupported: no machine code to serialize: the jit tier is not available in this library or on this CPU");
  try {
    return precompileArtifact(m);
  } catch (const std::bad_alloc&) {
    return Error("out of memory");
  }
}

Result<std::shared_ptr<const Module>> deserializeModule(const wasm_byte_vec_t* bytes) {
  if (!bytes || !bytes->data || !bytes->size) return Error("not a serialized module (empty)");
  const auto* p = reinterpret_cast<const uint8_t*>(bytes->data);
  try {
    if (isPrecompiledArtifact(std::span<const uint8_t>(p, bytes->size))) {
      MYRT_ASSIGN(std::shared_ptr<Module> m, loadPrecompiledArtifact(std::vector<uint8_t>(p, p + bytes->size)));
      return std::shared_ptr<const Module>(std::move(m));
    }
  } catch (const std::bad_alloc&) {
    return Error("out of memory");
  }
  if (bytes->size < sizeof kSerialMagic + 1 || std::memcmp(bytes->data, kSerialMagic, sizeof kSerialMagic) != 0)
    return Error("not a serialized module (no \"\\0myrtaot\" or \"\\0myrtmod\" header)");
  if (p[sizeof kSerialMagic] != kSerialVersion)
    return Error("serialized module of an unknown format version " + std::to_string(p[sizeof kSerialMagic]));
  wasm_byte_vec_t bin{bytes->size - sizeof kSerialMagic - 1, bytes->data + sizeof kSerialMagic + 1};
  return compileModule(&bin);
}

wasm_module_t* newModuleHandle(std::shared_ptr<const Module> m) {
  auto* h = new Handle;
  h->kind = HKind::Module;
  h->module = std::make_shared<ModuleData>();
  h->module->module = std::move(m);
  return As<wasm_module_t>(h);
}

}  // namespace myrt::capi

extern "C" {

wasm_module_t* wasm_module_new(wasm_store_t* s, const wasm_byte_vec_t* binary) {
  if (!s) return nullptr;
  auto m = compileModule(binary, s->st.get());
  return m.ok() ? newModuleHandle(std::move(*m)) : nullptr;
}

bool wasm_module_validate(wasm_store_t* s, const wasm_byte_vec_t* binary) { return s && compileModule(binary).ok(); }

void wasm_module_imports(const wasm_module_t* mod, wasm_importtype_vec_t* out) {
  if (!out) return;
  const Handle* h = H(mod);
  if (!h || !h->module) return wasm_importtype_vec_new_empty(out);
  const Module& m = *h->module->module;
  wasm_importtype_vec_new_uninitialized(out, m.imports.size());
  for (size_t i = 0; i < m.imports.size(); ++i) {
    const Import& imp = m.imports[i];
    auto* t = new wasm_importtype_t;
    wasm_byte_vec_new(&t->module, imp.module.size(), imp.module.data());
    wasm_byte_vec_new(&t->name, imp.name.size(), imp.name.data());
    t->type = externTypeOf(m, imp.kind, imp.index);
    out->data[i] = t;
  }
}

void wasm_module_exports(const wasm_module_t* mod, wasm_exporttype_vec_t* out) {
  if (!out) return;
  const Handle* h = H(mod);
  if (!h || !h->module) return wasm_exporttype_vec_new_empty(out);
  const Module& m = *h->module->module;
  wasm_exporttype_vec_new_uninitialized(out, m.exports.size());
  for (size_t i = 0; i < m.exports.size(); ++i) {
    const Export& ex = m.exports[i];
    auto* t = new wasm_exporttype_t;
    wasm_byte_vec_new(&t->name, ex.name.size(), ex.name.data());
    t->type = externTypeOf(m, ex.kind, ex.index);
    out->data[i] = t;
  }
}

// The machine code too where this library and CPU have the JIT (a precompiled artifact, jit/aot.h: loading it compiles
// nothing), else the bytes-only form; myrt_module_serialize says why there is no machine code.
void wasm_module_serialize(const wasm_module_t* mod, wasm_byte_vec_t* out) {
  if (!out) return;
  const Handle* h = H(mod);
  if (!h || !h->module) return wasm_byte_vec_new_empty(out);
  if (auto native = serializeNative(h->module->module); native.ok()) {
    wasm_byte_vec_new(out, native->size(), reinterpret_cast<const char*>(native->data()));
    return;
  }
  const std::vector<uint8_t>& bin = h->module->module->bytes;
  wasm_byte_vec_new_uninitialized(out, sizeof kSerialMagic + 1 + bin.size());
  std::memcpy(out->data, kSerialMagic, sizeof kSerialMagic);
  out->data[sizeof kSerialMagic] = static_cast<char>(kSerialVersion);
  if (!bin.empty()) std::memcpy(out->data + sizeof kSerialMagic + 1, bin.data(), bin.size());
}

wasm_module_t* wasm_module_deserialize(wasm_store_t* s, const wasm_byte_vec_t* bytes) {
  if (!s) return nullptr;
  auto m = deserializeModule(bytes);
  return m.ok() ? newModuleHandle(std::move(*m)) : nullptr;
}

void wasm_shared_module_delete(wasm_shared_module_t* m) { delete m; }
wasm_shared_module_t* wasm_module_share(const wasm_module_t* mod) {
  const Handle* h = H(mod);
  if (!h || !h->module) return nullptr;
  return new wasm_shared_module_t{h->module->module};
}
wasm_module_t* wasm_module_obtain(wasm_store_t* s, const wasm_shared_module_t* shared) {
  if (!s || !shared) return nullptr;
  return newModuleHandle(shared->module);
}

// ---- functions -------------------------------------------------------------------------------------------------------

}  // extern "C"

namespace myrt::capi {

// The host function behind wasm_func_new / wasm_func_new_with_env / myrt_func_new_with_caller: converts the
// arguments, calls `call`, turns a returned trap into a host trap with its message, and checks the results' kinds.
wasm_func_t* newHostFuncWith(wasm_store_t* s, const wasm_functype_t* type, HostCall call, void* env,
                             void (*finalizer)(void*)) {
  if (!s || !type || !call) {
    if (finalizer) finalizer(env);  // the environment is ours now: release it rather than leak it
    return nullptr;
  }
  CompositeType ct = compositeOf(AsET(type));
  StoreState* st = s->st.get();
  FuncInst* f = st->store->newHostFunc(std::move(ct), nullptr);
  const CompositeType* ft = f->type;  // owned by f, which lives as long as the store (and so the callback)
  f->host = [st, call = std::move(call), ft](ExecContext& cx, std::span<const Value> args,
                                             std::span<Value> results) -> TrapReason {
    std::shared_ptr<StoreState> self = st->shared_from_this();
    struct OwnedVals {  // deleted on every path, a std::bad_alloc thrown midway included (hostEntry catches it)
      wasm_val_vec_t v = WASM_EMPTY_VEC;
      explicit OwnedVals(size_t n) {
        wasm_val_vec_new_uninitialized(&v, n);
        for (size_t i = 0; i < n; ++i) v.data[i] = wasm_val_t{};  // nothing to delete until filled
      }
      ~OwnedVals() { wasm_val_vec_delete(&v); }
    };
    OwnedVals a(args.size());
    for (size_t i = 0; i < args.size(); ++i) a.v.data[i] = toC(self, ft->params[i], args[i], nullptr);
    OwnedVals r(results.size());
    for (size_t i = 0; i < results.size(); ++i) r.v.data[i].kind = kindOf(ft->results[i]);
    wasm_trap_t* trap = call(cx, &a.v, &r.v);
    if (trap) {
      std::string msg = H(trap)->trap ? H(trap)->trap->message : std::string("host trap");
      wasm_trap_delete(trap);
      return cx.hostTrap(std::move(msg));
    }
    std::string why;
    for (size_t i = 0; i < results.size(); ++i)
      if (!fromC(st, ft->results[i], nullptr, r.v.data[i], results[i], why))
        return cx.hostTrap("host function result " + std::to_string(i) + ": " + why);
    return TrapReason::None;
  };
  if (finalizer) st->envFinalizers.emplace_back(env, finalizer);
  return As<wasm_func_t>(newHandle(HKind::Func, s->st, f));
}

Handle* externHandle(std::shared_ptr<StoreState> st, const Extern& e) {
  HKind k = HKind::Func;
  switch (e.kind) {
    case ExternKind::Func: k = HKind::Func; break;
    case ExternKind::Global: k = HKind::Global; break;
    case ExternKind::Table: k = HKind::Table; break;
    case ExternKind::Memory: k = HKind::Memory; break;
    case ExternKind::Tag: k = HKind::Tag; break;  // no wasm.h kind: myrt.h's MYRT_EXTERN_TAG
  }
  return newHandle(k, std::move(st), e.ptr);
}

std::optional<Extern> externOf(const Handle* h) {
  if (!h) return std::nullopt;
  switch (h->kind) {
    case HKind::Func: return Extern::of(static_cast<FuncInst*>(h->obj));
    case HKind::Global: return Extern::of(static_cast<GlobalInst*>(h->obj));
    case HKind::Table: return Extern::of(static_cast<TableInst*>(h->obj));
    case HKind::Memory: return Extern::of(static_cast<MemoryInst*>(h->obj));
    case HKind::Tag: return Extern::of(static_cast<TagInst*>(h->obj));
    default: return std::nullopt;
  }
}

}  // namespace myrt::capi

namespace {

wasm_func_t* newHostFunc(wasm_store_t* s, const wasm_functype_t* type, wasm_func_callback_t cb,
                         wasm_func_callback_with_env_t cbEnv, void* env, void (*finalizer)(void*)) {
  HostCall call;
  if (cb) call = [cb](ExecContext&, const wasm_val_vec_t* a, wasm_val_vec_t* r) { return cb(a, r); };
  else if (cbEnv) call = [cbEnv, env](ExecContext&, const wasm_val_vec_t* a, wasm_val_vec_t* r) { return cbEnv(env, a, r); };
  return newHostFuncWith(s, type, std::move(call), env, finalizer);
}

FuncInst* funcOf(const wasm_func_t* f) {
  const Handle* h = H(f);
  return h && h->kind == HKind::Func ? static_cast<FuncInst*>(h->obj) : nullptr;
}

}  // namespace

extern "C" {

wasm_func_t* wasm_func_new(wasm_store_t* s, const wasm_functype_t* type, wasm_func_callback_t cb) {
  return newHostFunc(s, type, cb, nullptr, nullptr, nullptr);
}
wasm_func_t* wasm_func_new_with_env(wasm_store_t* s, const wasm_functype_t* type, wasm_func_callback_with_env_t cb,
                                    void* env, void (*finalizer)(void*)) {
  return newHostFunc(s, type, nullptr, cb, env, finalizer);
}

wasm_functype_t* wasm_func_type(const wasm_func_t* f) {
  FuncInst* fi = funcOf(f);
  return fi ? reinterpret_cast<wasm_functype_t*>(newFuncType(*fi->type, moduleOfFunc(fi))) : nullptr;
}
size_t wasm_func_param_arity(const wasm_func_t* f) {
  FuncInst* fi = funcOf(f);
  return fi ? fi->numParams() : 0;
}
size_t wasm_func_result_arity(const wasm_func_t* f) {
  FuncInst* fi = funcOf(f);
  return fi ? fi->numResults() : 0;
}

}  // extern "C"

namespace {
wasm_trap_t* funcCall(const wasm_func_t* func, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  const Handle* h = H(func);
  FuncInst* f = funcOf(func);
  if (!f || !h->st) return messageTrap(nullptr, "wasm_func_call: not a function");
  const std::shared_ptr<StoreState>& st = h->st;
  const Module* m = moduleOfFunc(f);
  const CompositeType& ft = *f->type;
  const size_t np = ft.params.size(), nr = ft.results.size();
  const size_t nargs = args ? args->size : 0;
  if (nargs != np || (np && !args->data))
    return messageTrap(st, "wasm_func_call: expected " + std::to_string(np) + " argument(s), got " +
                               std::to_string(nargs));
  if (nr && (!results || results->size < nr || !results->data))
    return messageTrap(st, "wasm_func_call: the result vector must hold " + std::to_string(nr) + " value(s)");
  if (!representable(ft.params) || !representable(ft.results))
    return messageTrap(st, "wasm_func_call: unsupported: v128 parameters or results in the C API");
  std::vector<Value> in(np), out(nr);
  std::string why;
  for (size_t i = 0; i < np; ++i)
    if (!fromC(st.get(), ft.params[i], m, args->data[i], in[i], why))
      return messageTrap(st, "wasm_func_call: argument " + std::to_string(i) + ": " + why);
  InvokeResult r = invoke(*st->store, f, in, out);
  if (r.trap) return makeTrap(st, *r.trap);
  for (size_t i = 0; i < nr; ++i) results->data[i] = toC(st, ft.results[i], out[i], m);
  return nullptr;
}
}  // namespace

extern "C" {

wasm_trap_t* wasm_func_call(const wasm_func_t* func, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  try {  // a failed host allocation is a trap for the embedder, never std::terminate
    return funcCall(func, args, results);
  } catch (const std::bad_alloc&) {
    const Handle* h = H(func);
    return outOfMemoryTrap(h ? h->st : nullptr);
  }
}

// ---- globals ---------------------------------------------------------------------------------------------------------

}  // extern "C"

namespace {
GlobalInst* globalOf(const wasm_global_t* g) {
  const Handle* h = H(g);
  return h && h->kind == HKind::Global ? static_cast<GlobalInst*>(h->obj) : nullptr;
}
TableInst* tableOf(const wasm_table_t* t) {
  const Handle* h = H(t);
  return h && h->kind == HKind::Table ? static_cast<TableInst*>(h->obj) : nullptr;
}
MemoryInst* memoryOf(const wasm_memory_t* m) {
  const Handle* h = H(m);
  return h && h->kind == HKind::Memory ? static_cast<MemoryInst*>(h->obj) : nullptr;
}
Instance* instanceOf(const wasm_instance_t* i) {
  const Handle* h = H(i);
  return h && h->kind == HKind::Instance ? static_cast<Instance*>(h->obj) : nullptr;
}
bool refValue(const Handle* store, ValType elem, const wasm_ref_t* r, Ref& out) {
  wasm_val_t v{};
  v.kind = kindOf(elem);
  v.of.ref = const_cast<wasm_ref_t*>(r);
  Value val;
  std::string why;
  if (!fromC(store->st.get(), elem, nullptr, v, val, why)) return false;
  out = val.ref;
  return true;
}
}  // namespace

extern "C" {

wasm_global_t* wasm_global_new(wasm_store_t* s, const wasm_globaltype_t* type, const wasm_val_t* val) {
  if (!s || !type || !val || !AsET(type)->content) return nullptr;
  GlobalType gt{AsET(type)->content->type, AsET(type)->mut == WASM_VAR};
  Value v;
  std::string why;
  if (!fromC(s->st.get(), gt.type, nullptr, *val, v, why)) return nullptr;
  GlobalInst* g = s->st->store->newGlobal(gt, v);
  return As<wasm_global_t>(storeHandle(HKind::Global, s, g));
}
wasm_globaltype_t* wasm_global_type(const wasm_global_t* g) {
  GlobalInst* gi = globalOf(g);
  return gi ? reinterpret_cast<wasm_globaltype_t*>(newGlobalType(gi->type, nullptr)) : nullptr;
}
void wasm_global_get(const wasm_global_t* g, wasm_val_t* out) {
  GlobalInst* gi = globalOf(g);
  if (!out) return;
  if (!gi) {
    *out = wasm_val_t{};
    return;
  }
  *out = toC(H(g)->st, gi->type.type, gi->value, nullptr);
}
void wasm_global_set(wasm_global_t* g, const wasm_val_t* val) {
  GlobalInst* gi = globalOf(g);
  if (!gi || !val || !gi->type.mut) return;
  Value v;
  std::string why;
  if (fromC(H(g)->st.get(), gi->type.type, nullptr, *val, v, why)) gi->value = v;
}

// ---- tables ----------------------------------------------------------------------------------------------------------

wasm_table_t* wasm_table_new(wasm_store_t* s, const wasm_tabletype_t* type, wasm_ref_t* init) {
  if (!s || !type || !AsET(type)->content) return nullptr;
  TableType tt;
  tt.elem = AsET(type)->content->type;
  tt.limits = fromLimits(AsET(type)->limits);
  if (!tt.elem.isRef() || (tt.limits.max && *tt.limits.max < tt.limits.min)) return nullptr;
  Handle tmp;
  tmp.st = s->st;
  Ref r = nullptr;
  if (!refValue(&tmp, tt.elem, init, r)) return nullptr;
  auto t = s->st->store->newTable(tt, r);
  if (!t.ok()) return nullptr;
  return As<wasm_table_t>(storeHandle(HKind::Table, s, *t));
}
wasm_tabletype_t* wasm_table_type(const wasm_table_t* t) {
  TableInst* ti = tableOf(t);
  return ti ? reinterpret_cast<wasm_tabletype_t*>(newTableType(ti->type, nullptr)) : nullptr;
}
wasm_ref_t* wasm_table_get(const wasm_table_t* t, wasm_table_size_t index) {
  TableInst* ti = tableOf(t);
  if (!ti || index >= ti->size) return nullptr;
  return toC(H(t)->st, ti->type.elem, Value::fromRef(ti->elems[index]), nullptr).of.ref;
}
bool wasm_table_set(wasm_table_t* t, wasm_table_size_t index, wasm_ref_t* r) {
  TableInst* ti = tableOf(t);
  if (!ti || index >= ti->size) return false;
  Ref v = nullptr;
  if (!refValue(H(t), ti->type.elem, r, v)) return false;
  ti->elems[index] = v;
  return true;
}
wasm_table_size_t wasm_table_size(const wasm_table_t* t) {
  TableInst* ti = tableOf(t);
  return ti ? static_cast<wasm_table_size_t>(std::min<uint64_t>(ti->size, UINT32_MAX)) : 0;
}
bool wasm_table_grow(wasm_table_t* t, wasm_table_size_t delta, wasm_ref_t* init) {
  TableInst* ti = tableOf(t);
  if (!ti) return false;
  Ref v = nullptr;
  if (!refValue(H(t), ti->type.elem, init, v)) return false;
  return ti->grow(delta, v, H(t)->st->store->config().limits.maxTableElems) != ~uint64_t(0);
}

// ---- memories --------------------------------------------------------------------------------------------------------

wasm_memory_t* wasm_memory_new(wasm_store_t* s, const wasm_memorytype_t* type) {
  if (!s || !type) return nullptr;
  MemoryType mt;
  mt.limits = fromLimits(AsET(type)->limits);
  mt.limits.shared = AsET(type)->shared;
  if (mt.limits.min > 65536 || (mt.limits.max && (*mt.limits.max < mt.limits.min || *mt.limits.max > 65536)))
    return nullptr;
  if (mt.limits.shared && !mt.limits.max) return nullptr;  // a shared memory needs a maximum (as in the validator)
  auto m = s->st->store->newMemory(mt);
  if (!m.ok()) return nullptr;
  return As<wasm_memory_t>(storeHandle(HKind::Memory, s, *m));
}
wasm_memorytype_t* wasm_memory_type(const wasm_memory_t* m) {
  MemoryInst* mi = memoryOf(m);
  return mi ? reinterpret_cast<wasm_memorytype_t*>(newMemoryType(mi->type)) : nullptr;
}
byte_t* wasm_memory_data(wasm_memory_t* m) {
  MemoryInst* mi = memoryOf(m);
  return mi ? reinterpret_cast<byte_t*>(mi->base) : nullptr;
}
size_t wasm_memory_data_size(const wasm_memory_t* m) {
  MemoryInst* mi = memoryOf(m);
  return mi ? static_cast<size_t>(mi->currentSize()) : 0;
}
wasm_memory_pages_t wasm_memory_size(const wasm_memory_t* m) {
  MemoryInst* mi = memoryOf(m);
  return mi ? static_cast<wasm_memory_pages_t>(std::min<uint64_t>(mi->pages(), UINT32_MAX)) : 0;
}
bool wasm_memory_grow(wasm_memory_t* m, wasm_memory_pages_t delta) {
  MemoryInst* mi = memoryOf(m);
  return mi && mi->grow(delta) != ~uint64_t(0);
}

// ---- externs ---------------------------------------------------------------------------------------------------------

wasm_externkind_t wasm_extern_kind(const wasm_extern_t* e) {
  const Handle* h = H(e);
  if (!h) return WASM_EXTERN_FUNC;
  switch (h->kind) {
    case HKind::Global: return WASM_EXTERN_GLOBAL;
    case HKind::Table: return WASM_EXTERN_TABLE;
    case HKind::Memory: return WASM_EXTERN_MEMORY;
    case HKind::Tag: return MYRT_EXTERN_TAG;
    default: return WASM_EXTERN_FUNC;
  }
}
wasm_externtype_t* wasm_extern_type(const wasm_extern_t* e) {
  const Handle* h = H(e);
  if (!h) return nullptr;
  switch (h->kind) {
    case HKind::Func: return reinterpret_cast<wasm_externtype_t*>(wasm_func_type(As<wasm_func_t>(H(e))));
    case HKind::Global: return reinterpret_cast<wasm_externtype_t*>(wasm_global_type(As<wasm_global_t>(H(e))));
    case HKind::Table: return reinterpret_cast<wasm_externtype_t*>(wasm_table_type(As<wasm_table_t>(H(e))));
    case HKind::Memory: return reinterpret_cast<wasm_externtype_t*>(wasm_memory_type(As<wasm_memory_t>(H(e))));
    default: return nullptr;
  }
}

#define MYRT_EXTERN_VIEW(name, KIND)                                                                            \
  wasm_extern_t* wasm_##name##_as_extern(wasm_##name##_t* x) { return reinterpret_cast<wasm_extern_t*>(x); }    \
  const wasm_extern_t* wasm_##name##_as_extern_const(const wasm_##name##_t* x) {                                \
    return reinterpret_cast<const wasm_extern_t*>(x);                                                           \
  }                                                                                                             \
  wasm_##name##_t* wasm_extern_as_##name(wasm_extern_t* e) {                                                    \
    return H(e) && H(e)->kind == KIND ? reinterpret_cast<wasm_##name##_t*>(e) : nullptr;                        \
  }                                                                                                             \
  const wasm_##name##_t* wasm_extern_as_##name##_const(const wasm_extern_t* e) {                                \
    return H(e) && H(e)->kind == KIND ? reinterpret_cast<const wasm_##name##_t*>(e) : nullptr;                  \
  }

MYRT_EXTERN_VIEW(func, HKind::Func)
MYRT_EXTERN_VIEW(global, HKind::Global)
MYRT_EXTERN_VIEW(table, HKind::Table)
MYRT_EXTERN_VIEW(memory, HKind::Memory)

}  // extern "C"

namespace myrt::capi {
bool adoptSharedMemory(StoreState& importer, const Handle* h) {
  if (!h || h->kind != HKind::Memory || !h->st) return false;
  const auto* mi = static_cast<const MemoryInst*>(h->obj);
  if (!mi->type.limits.shared) return false;
  for (const auto& o : importer.sharedOwners)
    if (o == h->st) return true;
  importer.sharedOwners.push_back(h->st);
  return true;
}
}  // namespace myrt::capi

extern "C" {

// ---- instances -------------------------------------------------------------------------------------------------------

wasm_instance_t* wasm_instance_new(wasm_store_t* s, const wasm_module_t* mod, const wasm_extern_vec_t* imports,
                                   wasm_trap_t** trap) {
  if (trap) *trap = nullptr;
  auto fail = [&](wasm_trap_t* t) -> wasm_instance_t* {
    if (trap) *trap = t;
    else wasm_trap_delete(t);
    return nullptr;
  };
  const Handle* mh = H(mod);
  if (!s || !mh || !mh->module) return fail(messageTrap(s ? s->st : nullptr, "wasm_instance_new: null argument"));
  std::vector<Extern> exts;
  const size_t n = imports ? imports->size : 0;
  const Module& m = *mh->module->module;
  if (n != m.imports.size())
    return fail(messageTrap(s->st, "wasm_instance_new: the module has " + std::to_string(m.imports.size()) +
                                       " import(s), got " + std::to_string(n)));
  for (size_t i = 0; i < n; ++i) {
    const Handle* h = imports->data ? H(imports->data[i]) : nullptr;
    if (!h) return fail(messageTrap(s->st, "wasm_instance_new: import " + std::to_string(i) + " is null"));
    if (h->st != s->st && !adoptSharedMemory(*s->st, h))
      return fail(messageTrap(s->st, "wasm_instance_new: import " + std::to_string(i) + " belongs to another store"));
    std::optional<Extern> e = externOf(h);
    if (!e) return fail(messageTrap(s->st, "wasm_instance_new: import " + std::to_string(i) + " is not an extern"));
    exts.push_back(*e);
  }
  std::optional<Trap> startTrap;
  Result<Instance*> inst = Error("out of memory");
  try {  // a failed host allocation while building the instance is an error, never std::terminate
    inst = instantiate(*s->st->store, mh->module->module, exts, &startTrap);
  } catch (const std::bad_alloc&) {
    inst = Error("out of memory");
  }
  if (!inst.ok())
    return fail(startTrap ? makeTrap(s->st, *startTrap) : messageTrap(s->st, inst.error().message));
  return As<wasm_instance_t>(storeHandle(HKind::Instance, s, *inst));
}

void wasm_instance_exports(const wasm_instance_t* i, wasm_extern_vec_t* out) {
  if (!out) return;
  Instance* inst = instanceOf(i);
  if (!inst || !inst->module) return wasm_extern_vec_new_empty(out);
  const Module& m = *inst->module;
  std::vector<wasm_extern_t*> exts;
  for (const Export& ex : m.exports) {
    const Extern* e = inst->findExport(ex.name);
    if (!e) continue;
    exts.push_back(As<wasm_extern_t>(externHandle(H(i)->st, *e)));
  }
  wasm_extern_vec_new(out, exts.size(), exts.data());
}

}  // extern "C"
