// capi/component_capi.cpp -- the component part of myrt.h: components, linkers with host functions and resource
// types by interface name, instances in a wasm_store_t, calls with component values (myrt_cval_t wraps
// component::Val). Model: a linker is shared (instances keep it alive, so host functions and resource types outlive
// a deleted linker handle while an instance may still call them); an instance handle keeps its store alive.
#include <cstring>

#include "capi/capi.h"
#include "runtime/component/instance.h"
#include "wasi/p2/http.h"
#include "wasi/p2/http_link.h"
#include "wasi/p2/link.h"
#include "wasi/p2/sockets_link.h"

using namespace myrt;
using namespace myrt::capi;
namespace cm = myrt::component;

struct myrt_cval_t {
  cm::Val v;
};

namespace myrt::capi {
// WASI 0.2 over one configuration (myrt_component_linker_define_wasi): the context, its wasi:http and wasi:sockets
// bindings (network grants of the configuration) and the store whose interrupt ends its blocking waits.
struct ComponentWasi {
  std::shared_ptr<StoreState> st;
  std::unique_ptr<wasi::p2::WasiP2> io;
  std::unique_ptr<wasi::p2::WasiHttp> http;
  std::unique_ptr<wasi::p2::WasiSockets> sockets;
};
std::optional<uint32_t> componentWasiExitCode(const ComponentWasi& w) { return w.io->exitCode(); }
}  // namespace myrt::capi

struct LinkerData {
  std::shared_ptr<ComponentWasi> wasi;  // myrt_component_linker_define_wasi
  cm::Linker linker;
  std::vector<std::pair<void*, void (*)(void*)>> finalizers;
  ~LinkerData() {
    for (auto& [env, fin] : finalizers)
      if (fin) fin(env);
  }
};
struct myrt_component_linker_t {
  std::shared_ptr<LinkerData> d = std::make_shared<LinkerData>();
};
struct myrt_component_instance_t {
  std::shared_ptr<StoreState> st;
  std::shared_ptr<LinkerData> linker;
  cm::ComponentInstance* inst = nullptr;
};

namespace {
myrt_error_t* newError(Error e) { return new myrt_error_t{std::move(e)}; }
myrt_cval_t* wrap(cm::Val v) { return new myrt_cval_t{std::move(v)}; }
cm::TK kindOf(myrt_cval_kind_t k) { return static_cast<cm::TK>(k <= uint8_t(MYRT_CVAL_BORROW) ? k : uint8_t(MYRT_CVAL_U32)); }
bool isSignedKind(cm::TK k) {
  return k == cm::TK::S8 || k == cm::TK::S16 || k == cm::TK::S32 || k == cm::TK::S64 || k == cm::TK::Bool;
}
}  // namespace

extern "C" {

myrt_error_t* myrt_component_new(const wasm_byte_vec_t* binary, myrt_component_t** out) {
  if (out) *out = nullptr;
  if (!binary || !out) return newError(Error("myrt_component_new: null argument"));
  auto c = cm::loadComponent(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(binary->data), binary->size));
  if (!c) return newError(c.error());
  *out = new myrt_component_t{*c};
  return nullptr;
}
void myrt_component_delete(myrt_component_t* c) { delete c; }
bool myrt_is_component(const wasm_byte_vec_t* b) {
  return b && cm::isComponentBinary(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(b->data), b->size));
}
void myrt_component_describe(const myrt_component_t* c, wasm_name_t* out) {
  if (!out) return;
  if (!c) return wasm_byte_vec_new_empty(out);
  const std::string s = cm::describeComponent(*c->c);
  wasm_byte_vec_new(out, s.size() + 1, s.c_str());
}

myrt_component_linker_t* myrt_component_linker_new(void) { return new myrt_component_linker_t; }
void myrt_component_linker_delete(myrt_component_linker_t* l) { delete l; }

void myrt_component_linker_define_func(myrt_component_linker_t* l, const char* iface, const char* name,
                                       myrt_component_func_callback_t cb, void* env, void (*finalizer)(void*)) {
  if (!l || !name || !cb) return;
  cm::HostFn fn = [cb, env](cm::HostCall& call, std::span<const cm::Val> args, cm::Val* result) -> TrapReason {
    std::vector<myrt_cval_t> boxed;
    boxed.reserve(args.size());
    for (const cm::Val& a : args) boxed.push_back(myrt_cval_t{a});
    std::vector<const myrt_cval_t*> ptrs;
    for (auto& b : boxed) ptrs.push_back(&b);
    myrt_cval_t* res = nullptr;
    wasm_trap_t* trap = cb(env, ptrs.data(), ptrs.size(), &res);
    if (trap) {
      std::string msg = H(trap)->trap ? H(trap)->trap->message : std::string("host trap");
      wasm_trap_delete(trap);
      if (res) myrt_cval_delete(res);
      return call.trap(std::move(msg));
    }
    if (call.type && call.type->result) {
      if (!res) return call.trap("host function returned no result");
      *result = std::move(res->v);
    }
    if (res) myrt_cval_delete(res);
    return TrapReason::None;
  };
  if (iface) l->d->linker.define(iface).func(name, std::move(fn));
  else l->d->linker.func(name, std::move(fn));
  if (finalizer) l->d->finalizers.emplace_back(env, finalizer);
}

myrt_resource_type_t* myrt_component_linker_define_resource(myrt_component_linker_t* l, const char* iface,
                                                             const char* name, void (*dtor)(void*, uint32_t),
                                                             void* env) {
  if (!l || !iface || !name) return nullptr;
  std::function<void(uint32_t)> d;
  if (dtor) d = [dtor, env](uint32_t rep) { dtor(env, rep); };
  cm::ResourceType* rt = l->d->linker.define(iface).resource(name, std::move(d));
  return reinterpret_cast<myrt_resource_type_t*>(rt);
}

myrt_error_t* myrt_component_linker_define_wasi(myrt_component_linker_t* l, myrt_wasi_t* w) {
  if (!l || !w) return newError(Error("myrt_component_linker_define_wasi: null argument"));
  if (l->d->wasi) return newError(Error("myrt_component_linker_define_wasi: the linker already links WASI"));
  if (!w->p2) {
    auto io = wasi::p2::WasiP2::create(w->config);
    if (!io) return newError(io.error());
    auto cw = std::make_shared<ComponentWasi>();
    cw->st = w->st;
    cw->io = std::move(*io);
    cw->http = std::make_unique<wasi::p2::WasiHttp>(*cw->io, uint64_t(64) << 20, w->config.network);
    cw->sockets = std::make_unique<wasi::p2::WasiSockets>(*cw->io, w->config.network);
    InterruptFlag& intr = w->st->store->interruptFlag();
    cw->io->setInterrupt(wasi::host::Interrupt{&intr.requested, intr.wakeFd()});
    w->p2 = std::move(cw);
  }
  wasi::p2::addToLinker(l->d->linker, *w->p2->io);
  wasi::p2::addHttpToLinker(l->d->linker, *w->p2->io, *w->p2->http);
  wasi::p2::addSocketsToLinker(l->d->linker, *w->p2->io, *w->p2->sockets);
  l->d->wasi = w->p2;
  return nullptr;
}

myrt_error_t* myrt_component_instantiate(wasm_store_t* s, const myrt_component_linker_t* l, const myrt_component_t* c,
                                         myrt_component_instance_t** out) {
  if (out) *out = nullptr;
  if (!s || !l || !c || !out) return newError(Error("myrt_component_instantiate: null argument"));
  auto inst = cm::instantiate(*s->st->store, c->c, l->d->linker);
  if (!inst) return newError(inst.error());
  *out = new myrt_component_instance_t{s->st, l->d, *inst};
  return nullptr;
}
void myrt_component_instance_delete(myrt_component_instance_t* i) { delete i; }

int myrt_component_instance_run(myrt_component_instance_t* i, wasm_trap_t** trap) {
  if (trap) *trap = nullptr;
  if (!i) {
    if (trap) *trap = messageTrap(nullptr, "myrt_component_instance_run: null argument");
    return 134;
  }
  cm::ComponentFunc* run = cm::findFunc(*i->inst, "wasi:cli/run@0.2.0", "run");  // any 0.2.x
  if (!run) {
    if (trap) *trap = messageTrap(i->st, "the component exports no wasi:cli/run@0.2.x#run");
    return 134;
  }
  cm::Val result;
  InvokeResult r = cm::call(*i->st->store, *run, {}, &result);
  if (r.trap) {
    const ComponentWasi* w = i->linker->wasi.get();
    if (w && w->io->exitCode() && wasi::isExitTrap(*r.trap)) return static_cast<int>(*w->io->exitCode());
    if (trap) *trap = makeTrap(i->st, *r.trap);
    return 134;
  }
  return result.index == 0 ? 0 : 1;
}

myrt_error_t* myrt_component_instance_call(myrt_component_instance_t* i, const char* iface, const char* name,
                                           const myrt_cval_t* const* args, size_t nargs, myrt_cval_t** result,
                                           wasm_trap_t** trap) {
  if (result) *result = nullptr;
  if (trap) *trap = nullptr;
  if (!i || !name || (nargs && !args)) return newError(Error("myrt_component_instance_call: null argument"));
  cm::ComponentFunc* f = cm::findFunc(*i->inst, iface ? iface : "", name);
  if (!f)
    return newError(Error(std::string("no exported function `") + (iface ? std::string(iface) + "#" : "") + name + "`"));
  std::vector<cm::Val> a;
  a.reserve(nargs);
  for (size_t k = 0; k < nargs; ++k) {
    if (!args[k]) return newError(Error("myrt_component_instance_call: null argument value"));
    a.push_back(args[k]->v);
  }
  cm::Val r;
  InvokeResult res = cm::call(*i->st->store, *f, a, &r);
  if (res.trap) {
    if (trap) *trap = makeTrap(i->st, *res.trap);
    return nullptr;
  }
  if (result && f->type->result) *result = wrap(std::move(r));
  return nullptr;
}

myrt_cval_t* myrt_cval_new_bool(bool b) { return wrap(cm::Val::boolean(b)); }
myrt_cval_t* myrt_cval_new_int(myrt_cval_kind_t k, int64_t v) { return wrap(cm::Val::scalar(kindOf(k), uint64_t(v))); }
myrt_cval_t* myrt_cval_new_uint(myrt_cval_kind_t k, uint64_t v) { return wrap(cm::Val::scalar(kindOf(k), v)); }
myrt_cval_t* myrt_cval_new_f32(float f) { return wrap(cm::Val::f32(f)); }
myrt_cval_t* myrt_cval_new_f64(double d) { return wrap(cm::Val::f64(d)); }
myrt_cval_t* myrt_cval_new_string(const char* s, size_t n) { return wrap(cm::Val::string(std::string(s ? s : "", s ? n : 0))); }
myrt_cval_t* myrt_cval_new_bytes(const uint8_t* b, size_t n) {
  return wrap(cm::Val::bytes(std::string(reinterpret_cast<const char*>(b ? b : reinterpret_cast<const uint8_t*>("")), b ? n : 0)));
}
myrt_cval_t* myrt_cval_new_list(myrt_cval_kind_t k, myrt_cval_t* const* elems, size_t n) {
  cm::Val v;
  v.kind = kindOf(k);
  for (size_t i = 0; i < n; ++i) {
    if (!elems || !elems[i]) continue;
    v.elems.push_back(std::move(elems[i]->v));
    delete elems[i];
  }
  return wrap(std::move(v));
}
myrt_cval_t* myrt_cval_new_case(myrt_cval_kind_t k, uint32_t index, myrt_cval_t* payload) {
  std::optional<cm::Val> p;
  if (payload) {
    p = std::move(payload->v);
    delete payload;
  }
  return wrap(cm::Val::withCase(kindOf(k), index, std::move(p)));
}
myrt_cval_t* myrt_cval_new_handle(myrt_cval_kind_t k, const myrt_resource_type_t* rt, uint32_t rep) {
  return wrap(cm::Val::handle(kindOf(k), reinterpret_cast<cm::ResourceType*>(const_cast<myrt_resource_type_t*>(rt)), rep));
}
myrt_cval_t* myrt_cval_copy(const myrt_cval_t* v) { return v ? wrap(v->v) : nullptr; }
void myrt_cval_delete(myrt_cval_t* v) { delete v; }
myrt_cval_kind_t myrt_cval_kind(const myrt_cval_t* v) { return v ? static_cast<myrt_cval_kind_t>(v->v.kind) : 0; }
int64_t myrt_cval_int(const myrt_cval_t* v) {
  if (!v) return 0;
  if (!isSignedKind(v->v.kind)) return static_cast<int64_t>(v->v.bits);
  return v->v.asS64();
}
uint64_t myrt_cval_uint(const myrt_cval_t* v) { return v ? v->v.bits : 0; }
float myrt_cval_f32(const myrt_cval_t* v) { return v ? v->v.asF32() : 0.0f; }
double myrt_cval_f64(const myrt_cval_t* v) { return v ? v->v.asF64() : 0.0; }
const char* myrt_cval_string(const myrt_cval_t* v, size_t* len) {
  if (!v || (v->v.kind != cm::TK::String && !v->v.isBytes)) {
    if (len) *len = 0;
    return nullptr;
  }
  if (len) *len = v->v.str.size();
  return v->v.str.data();
}
size_t myrt_cval_len(const myrt_cval_t* v) { return v && !v->v.isBytes ? v->v.elems.size() : 0; }
const myrt_cval_t* myrt_cval_elem(const myrt_cval_t* v, size_t i) {
  if (!v || v->v.isBytes || i >= v->v.elems.size()) return nullptr;
  // myrt_cval_t is layout-identical to its Val (a struct with one member)
  return reinterpret_cast<const myrt_cval_t*>(&v->v.elems[i]);
}
uint32_t myrt_cval_case(const myrt_cval_t* v) { return v ? v->v.index : 0; }
const myrt_cval_t* myrt_cval_payload(const myrt_cval_t* v) {
  if (!v || v->v.elems.empty()) return nullptr;
  switch (v->v.kind) {
    case cm::TK::Variant: case cm::TK::Option: case cm::TK::Result:
      return reinterpret_cast<const myrt_cval_t*>(&v->v.elems[0]);
    default: return nullptr;
  }
}
const myrt_resource_type_t* myrt_cval_resource(const myrt_cval_t* v) {
  return v ? reinterpret_cast<const myrt_resource_type_t*>(v->v.resource) : nullptr;
}

}  // extern "C"
