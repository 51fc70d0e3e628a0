// capi/capi.h -- internal representation of the C API objects (include/wasm.h, include/myrt.h) over runtime/exec.
// Layer: capi (top; depends on exec, tiers, text, wasi). Shared by wasm_capi.cpp (wasm.h) and myrt_capi.cpp (myrt.h).
//
// Model: a wasm_store_t holds a shared StoreState that owns the myrt Store (which owns every runtime object). Runtime
// objects are reached through Handles: wasm_func_t*, wasm_global_t*, wasm_table_t*, wasm_memory_t*, wasm_extern_t*,
// wasm_instance_t*, wasm_foreign_t*, wasm_ref_t* all point to a Handle (the C types are never defined; pointers are
// reinterpreted). A handle keeps the StoreState alive, so the store dies when the wasm_store_t and the last handle are
// deleted; host info (and finalizers) of store-owned objects are kept in the StoreState by object identity and the
// finalizers run when the state dies. Traps and modules are not store-owned: their handles share TrapData/ModuleData,
// which carry their host info.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "myrt.h"
#include "runtime/exec/engine.h"
#include "runtime/exec/store.h"
#include "engine/tiers.h"
#include "runtime/component/component.h"
#include "wasi/p1/wasi.h"

namespace myrt::capi {

struct HostInfo {
  void* info = nullptr;
  void (*finalizer)(void*) = nullptr;
  // Replaces the info; the previous finalizer runs now (each finalizer runs exactly once).
  void set(void* i, void (*f)(void*)) {
    HostInfo old = *this;
    info = i;
    finalizer = f;
    if (old.finalizer) old.finalizer(old.info);
  }
  void finalize() {
    if (finalizer) finalizer(info);
    finalizer = nullptr;
    info = nullptr;
  }
};

// The code cache of wasm_module_new (myrt_config_set_code_cache; engine/code_cache.h): off by default.
struct CodeCacheSetting {
  bool enabled = false;
  std::string dir;  // "": defaultCodeCacheDir() when used
};

struct StoreState : std::enable_shared_from_this<StoreState> {
  // Destroyed in reverse order: finalizers run first (in ~StoreState), then the store, then the WASI contexts the
  // store's host functions refer to, then the stores owning shared memories this store's instances import.
  // Shared memories of other stores imported by this store's instances (wasm_instance_new, myrt_linker_define): their
  // stores live as long as this one (a store whose instances import each other's memories is never freed).
  std::vector<std::shared_ptr<StoreState>> sharedOwners;
  std::vector<std::shared_ptr<wasi::WasiContext>> wasi;
  std::unique_ptr<Store> store;
  std::unordered_map<const void*, HostInfo> hostInfo;          // by object identity
  std::vector<std::pair<void*, void (*)(void*)>> envFinalizers;  // wasm_func_new_with_env
  std::unordered_set<Ref> foreigns;                             // extern references made by wasm_foreign_new
  uint64_t nextForeign = 0;
  // The engine's settings modules compiled for this store use (wasm_module_new: the code cache).
  myrt::Tier tier = myrt::Tier::Interp;
  uint32_t compileJobs = 0;
  CodeCacheSetting cache;
  ~StoreState();
};

struct ModuleData {
  std::shared_ptr<const Module> module;
  HostInfo hostInfo;
  ~ModuleData() { hostInfo.finalize(); }
};

struct FrameInfo {
  uint32_t funcIndex = 0;
  const Instance* instance = nullptr;  // nullptr: a host function
  // wasm-c-api offsets of the frame's instruction (the trapping one innermost, the call in outer frames): from the
  // start of the module binary, and from the start of the function's body (its local declarations). Frames without
  // a known offset (host functions) give the function body's start and 0.
  size_t moduleOffset = 0;
  size_t funcOffset = 0;
  uint32_t wasmOffset = UINT32_MAX;    // the runtime's offset (kNoWasmOffset: unknown), for describeTrap
  std::string name;
};

struct TrapData {
  std::string message;
  std::vector<FrameInfo> frames;       // innermost first
  uint64_t framesOmitted = 0;          // deep backtraces: frames left out after the innermost ExecContext::kBacktraceHead
  std::shared_ptr<StoreState> st;      // keeps the frames' instances alive (may be null)
  TrapReason reason = TrapReason::None;  // None: made by the embedder (wasm_trap_new)
  std::string text;  // myrt_trap_describe's text when the frames' instances are gone (a served request's trap), else ""

  HostInfo hostInfo;
  ~TrapData() { hostInfo.finalize(); }
};

enum class HKind : uint8_t { Func, Global, Table, Memory, Tag, Instance, Foreign, Trap, Module, Other };

struct Handle {
  HKind kind = HKind::Other;
  std::shared_ptr<StoreState> st;      // store-owned objects
  void* obj = nullptr;                 // identity: FuncInst*, GlobalInst*, TableInst*, MemoryInst*, Instance*, Ref
  std::shared_ptr<TrapData> trap;      // Trap
  std::shared_ptr<ModuleData> module;  // Module
  // A reference (HKind::Other: a GC object, i31 or host extern reference) is a root of the store's collector while
  // its handle lives (Store::pinRef; set by newHandle, again by a copy, released by the destructor).
  bool pinned = false;
  Handle() = default;
  Handle(const Handle& o) : kind(o.kind), st(o.st), obj(o.obj), trap(o.trap), module(o.module), pinned(o.pinned) {
    if (pinned) st->store->pinRef(obj);
  }
  Handle& operator=(const Handle&) = delete;
  ~Handle() {
    if (pinned) st->store->unpinRef(obj);
  }
};

Handle* newHandle(HKind kind, std::shared_ptr<StoreState> st, void* obj);
wasm_trap_t* makeTrap(std::shared_ptr<StoreState> st, const Trap& t);
wasm_trap_t* messageTrap(std::shared_ptr<StoreState> st, std::string message);
// A WASI 0.2 context and its wasi:http / wasi:sockets bindings for components (component_capi.cpp).
struct ComponentWasi;
std::optional<uint32_t> componentWasiExitCode(const ComponentWasi&);
std::string describeTrap(const TrapData& t);
// Decodes and validates a module; with `st`, through the code cache when its engine enables it (machine code of a hit
// attached; a miss compiled into the cache).
Result<std::shared_ptr<const Module>> compileModule(const wasm_byte_vec_t* binary, const StoreState* st = nullptr);
// wasm_module_serialize's forms: a precompiled artifact with the machine code (jit/aot.h; an error where there is no
// JIT tier to compile for), and the bytes-only form ("\0myrtmod", a version byte, the module binary).
Result<std::vector<uint8_t>> serializeNative(const std::shared_ptr<const Module>& m);
// Either form back: an artifact is loaded with its machine code (trusted input: not validated again), the bytes-only
// form decoded and validated. The error says what is wrong (damaged, truncated, another build, other CPU features).
Result<std::shared_ptr<const Module>> deserializeModule(const wasm_byte_vec_t* bytes);
// A host function of the store calling `call` with the arguments converted to wasm_val_t (results checked back);
// `finalizer(env)` runs when the store dies. NULL (and the finalizer run now) for a null argument.
using HostCall = std::function<wasm_trap_t*(ExecContext& cx, const wasm_val_vec_t* args, wasm_val_vec_t* results)>;
wasm_func_t* newHostFuncWith(wasm_store_t* s, const wasm_functype_t* type, HostCall call, void* env,
                             void (*finalizer)(void*));
// The handle of a runtime extern (wasm_extern_t*), and back (nullopt for a handle that is no extern).
Handle* externHandle(std::shared_ptr<StoreState> st, const Extern& e);
std::optional<Extern> externOf(const Handle* h);
wasm_module_t* newModuleHandle(std::shared_ptr<const Module> m);
// An extern of another store may be used by `importer` only if it is a shared memory (threads): then its store is
// kept alive by the importer (StoreState::sharedOwners) and this returns true.
bool adoptSharedMemory(StoreState& importer, const Handle* h);

template <typename T>
Handle* H(T* p) {
  return reinterpret_cast<Handle*>(const_cast<std::remove_const_t<T>*>(p));
}
template <typename T>
T* As(Handle* h) {
  return reinterpret_cast<T*>(h);
}

}  // namespace myrt::capi

struct wasm_config_t {
  myrt::Tier tier = myrt::defaultTier();
  myrt::StoreLimits limits;
  uint32_t compileJobs = 0;  // StoreConfig::compileJobs
  myrt::capi::CodeCacheSetting cache;
};

struct wasm_engine_t {
  myrt::Tier tier = myrt::defaultTier();
  myrt::StoreLimits limits;
  uint32_t compileJobs = 0;
  myrt::capi::CodeCacheSetting cache;
};

struct wasm_store_t {
  std::shared_ptr<myrt::capi::StoreState> st;
};

struct wasm_shared_module_t {
  std::shared_ptr<const myrt::Module> module;
};

struct myrt_error_t {
  myrt::Error error;
};

struct myrt_component_t {
  std::shared_ptr<const myrt::component::Component> c;
};

struct myrt_wasi_config_t {
  myrt::wasi::WasiConfig config;
  int ownedFds[3] = {-1, -1, -1};  // files opened for stdin/stdout/stderr (closed with the config)
  bool captured[3] = {false, false, false};  // stdout/stderr: an in-memory file (memfd) read back by myrt_wasi_std*
  myrt_wasi_config_t() { config.stdinFd = config.stdoutFd = config.stderrFd = -1; }
  ~myrt_wasi_config_t();
  void setFd(int which, int fd, bool owned, bool capture = false);
};

struct myrt_wasi_t {
  std::shared_ptr<myrt::capi::StoreState> st;
  std::shared_ptr<myrt::wasi::WasiContext> ctx;
  myrt::Instance* host = nullptr;  // the wasi_snapshot_preview1 host instance in st's store
  int captureFds[3] = {-1, -1, -1};  // our duplicates of captured stdout/stderr (read with pread)
  // WASI 0.2 for components (myrt_component_linker_define_wasi): the configuration (its stdio fds are our duplicates,
  // configFds) and the context made from it on first use, shared with the linkers that link it.
  myrt::wasi::WasiConfig config;
  int configFds[3] = {-1, -1, -1};
  std::shared_ptr<myrt::capi::ComponentWasi> p2;
  ~myrt_wasi_t();
};
