// capi/myrt_capi.cpp -- myrt's extensions (include/myrt.h): errors with offsets, WAT text, tier and limits, fuel,
// interruption, trap descriptions, WASI preview1 (configuration, imports, _start, exit code).
// Layer: capi. Object model: capi/capi.h.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "capi/capi.h"
#include "runtime/debug/source_map.h"
#include "runtime/text/wat.h"

extern char** environ;

using namespace myrt;
using namespace myrt::capi;

struct myrt_interrupt_handle_t {
  std::shared_ptr<InterruptFlag> flag;
};

myrt_wasi_config_t::~myrt_wasi_config_t() {
  for (int fd : ownedFds)
    if (fd >= 0) close(fd);
}
void myrt_wasi_config_t::setFd(int which, int fd, bool owned, bool capture) {
  if (ownedFds[which] >= 0) close(ownedFds[which]);
  captured[which] = capture;
  ownedFds[which] = owned ? fd : -1;
  (which == 0 ? config.stdinFd : which == 1 ? config.stdoutFd : config.stderrFd) = fd;
}

myrt_wasi_t::~myrt_wasi_t() {
  for (int fd : captureFds)
    if (fd >= 0) close(fd);
  for (int fd : configFds)
    if (fd >= 0) close(fd);
}

namespace {

myrt_error_t* newError(Error e) { return new myrt_error_t{std::move(e)}; }

void setString(wasm_byte_vec_t* out, const std::string& s) {
  if (out) wasm_byte_vec_new(out, s.size() + 1, s.c_str());
}

}  // namespace

extern "C" {

// ---- errors ----------------------------------------------------------------------------------------------------------

void myrt_error_delete(myrt_error_t* e) { delete e; }
void myrt_error_message(const myrt_error_t* e, wasm_message_t* out) {
  if (!out) return;
  if (!e) return wasm_byte_vec_new_empty(out);
  setString(out, e->error.message);
}
bool myrt_error_offset(const myrt_error_t* e, size_t* offset) {
  if (!e || e->error.offset == Error::kNoOffset) return false;
  if (offset) *offset = e->error.offset;
  return true;
}

const char* myrt_version(void) { return MYRT_VERSION; }

// ---- modules ---------------------------------------------------------------------------------------------------------

myrt_error_t* myrt_module_new(wasm_store_t* s, const wasm_byte_vec_t* binary, wasm_module_t** out) {
  if (out) *out = nullptr;
  if (!s || !out) return newError(Error("myrt_module_new: null argument"));
  auto m = compileModule(binary, s->st.get());
  if (!m.ok()) return newError(m.error());
  *out = newModuleHandle(std::move(*m));
  return nullptr;
}

myrt_error_t* myrt_module_serialize(const wasm_module_t* mod, wasm_byte_vec_t* out) {
  if (out) wasm_byte_vec_new_empty(out);
  const Handle* h = H(mod);
  if (!h || !h->module || !out) return newError(Error("myrt_module_serialize: null argument"));
  auto bytes = serializeNative(h->module->module);
  if (!bytes.ok()) return newError(bytes.error());
  wasm_byte_vec_new(out, bytes->size(), reinterpret_cast<const char*>(bytes->data()));
  return nullptr;
}

myrt_error_t* myrt_module_deserialize(wasm_store_t* s, const wasm_byte_vec_t* serialized, wasm_module_t** out) {
  if (out) *out = nullptr;
  if (!s || !out) return newError(Error("myrt_module_deserialize: null argument"));
  auto m = deserializeModule(serialized);
  if (!m.ok()) return newError(m.error());
  *out = newModuleHandle(std::move(*m));
  return nullptr;
}

myrt_error_t* myrt_wat2wasm(const char* text, size_t len, wasm_byte_vec_t* out) {
  if (!out) return newError(Error("myrt_wat2wasm: null argument"));
  wasm_byte_vec_new_empty(out);
  if (!text && len) return newError(Error("myrt_wat2wasm: null argument"));
  Result<std::vector<uint8_t>> bin = Error("out of memory");
  try {  // a failed host allocation is an error for the embedder, never std::terminate
    bin = watToBinary(std::string_view(text ? text : "", len));
  } catch (const std::bad_alloc&) {
    bin = Error("out of memory");
  }
  if (!bin.ok()) return newError(bin.error());
  wasm_byte_vec_new(out, bin->size(), reinterpret_cast<const char*>(bin->data()));
  return nullptr;
}

// ---- configuration ---------------------------------------------------------------------------------------------------

myrt_error_t* myrt_config_set_tier(wasm_config_t* c, const char* name) {
  if (!c || !name) return newError(Error("myrt_config_set_tier: null argument"));
  auto t = parseTier(name);
  if (!t.ok()) return newError(t.error());
  if ((*t == Tier::Jit || *t == Tier::Opt) && !tierAvailable(Tier::Jit))
    return newError(Error(
        "unsupported: tier jit is not available in this library or on this CPU (libmyrt.so is built without the JIT "
        "when the configure step cannot link asmjit into it; libmyrt.a has it)"));
  auto cfg = tierConfig(*t);
  if (!cfg.ok()) return newError(cfg.error());
  c->tier = *t;
  return nullptr;
}
void myrt_config_set_compile_jobs(wasm_config_t* c, uint32_t jobs) {
  if (c) c->compileJobs = jobs;
}
void myrt_config_set_max_memory_bytes(wasm_config_t* c, uint64_t bytes) {
  if (c && bytes) c->limits.maxMemoryBytes = bytes;
}
void myrt_config_set_max_table_elements(wasm_config_t* c, uint64_t n) {
  if (c && n) c->limits.maxTableElems = n;
}
void myrt_config_set_max_call_depth(wasm_config_t* c, uint32_t depth) {
  if (c && depth) c->limits.maxCallDepth = depth;
}
void myrt_config_set_memory_reservation(wasm_config_t* c, uint64_t bytes) {
  if (c) c->limits.memoryReservation = bytes;
}
void myrt_config_set_code_cache(wasm_config_t* c, bool enabled, const char* dir) {
  if (!c) return;
  c->cache.enabled = enabled;
  c->cache.dir = dir ? dir : "";
}
void myrt_config_set_max_stack_bytes(wasm_config_t* c, uint64_t bytes) {
  if (c && bytes) c->limits.valueStackSlots = std::max<uint64_t>(bytes / sizeof(Value), 1024);
}
void myrt_config_set_max_native_stack_bytes(wasm_config_t* c, uint64_t bytes) {
  if (c) c->limits.maxNativeStack = bytes;
}

// ---- fuel and interruption -------------------------------------------------------------------------------------------

void myrt_store_set_fuel(wasm_store_t* s, bool enabled, int64_t amount) {
  if (s) s->st->store->setFuel(enabled, amount);
}
bool myrt_store_get_fuel(const wasm_store_t* s, int64_t* remaining) {
  if (!s) return false;
  const ExecContext& cx = s->st->store->context();
  if (remaining) *remaining = cx.fuelEnabled ? cx.fuel : 0;
  return cx.fuelEnabled;
}

myrt_interrupt_handle_t* myrt_interrupt_handle_new(wasm_store_t* s) {
  return s ? new myrt_interrupt_handle_t{s->st->store->interruptHandle()} : nullptr;
}
void myrt_interrupt_handle_delete(myrt_interrupt_handle_t* h) { delete h; }
void myrt_interrupt_handle_interrupt(myrt_interrupt_handle_t* h) {
  if (h) h->flag->request();
}
void myrt_interrupt_handle_clear(myrt_interrupt_handle_t* h) {
  if (h) h->flag->clear();
}

// ---- traps -----------------------------------------------------------------------------------------------------------

void myrt_trap_describe(const wasm_trap_t* t, wasm_message_t* out) {
  if (!out) return;
  const Handle* h = H(t);
  if (!h || !h->trap) return wasm_byte_vec_new_empty(out);
  setString(out, describeTrap(*h->trap));
}

}  // extern "C"

// wasm_frame_t is defined in wasm_capi.cpp; frames expose their name and facts through these accessors.
namespace myrt::capi {
const std::string& frameName(const wasm_frame_t* f);
const FrameInfo& frameInfo(const wasm_frame_t* f);
}

extern "C" {

void myrt_frame_func_name(const wasm_frame_t* f, wasm_name_t* out) {
  if (!out) return;
  if (!f) return wasm_byte_vec_new_empty(out);
  setString(out, frameName(f));
}

bool myrt_frame_source_location(const wasm_frame_t* f, size_t index, myrt_source_location_t* out) {
  if (!out) return false;
  wasm_byte_vec_new_empty(&out->file);
  wasm_byte_vec_new_empty(&out->function);
  out->line = out->column = 0;
  out->inlined = false;
  const FrameInfo* info = f ? &frameInfo(f) : nullptr;
  if (!info || !info->instance || !info->instance->module) return false;
  const std::vector<debug::SourceLocation> locs = debug::sourceLocations(*info->instance->module, info->wasmOffset);
  if (index >= locs.size()) return false;
  setString(&out->file, locs[index].file);
  setString(&out->function, locs[index].function);
  out->line = locs[index].line;
  out->column = locs[index].column;
  out->inlined = locs[index].inlined;
  return true;
}

void myrt_source_location_delete(myrt_source_location_t* loc) {
  if (!loc) return;
  wasm_byte_vec_delete(&loc->file);
  wasm_byte_vec_delete(&loc->function);
}

// ---- WASI ------------------------------------------------------------------------------------------------------------

myrt_wasi_config_t* myrt_wasi_config_new(void) { return new myrt_wasi_config_t; }
void myrt_wasi_config_delete(myrt_wasi_config_t* c) { delete c; }
void myrt_wasi_config_set_args(myrt_wasi_config_t* c, size_t argc, const char* const argv[]) {
  if (!c) return;
  c->config.args.clear();
  for (size_t i = 0; i < argc && argv; ++i) c->config.args.emplace_back(argv[i] ? argv[i] : "");
}
void myrt_wasi_config_add_env(myrt_wasi_config_t* c, const char* name, const char* value) {
  if (c && name) c->config.env.emplace_back(name, value ? value : "");
}
void myrt_wasi_config_inherit_env(myrt_wasi_config_t* c) {
  if (!c) return;
  for (char** e = environ; e && *e; ++e) {
    const char* eq = std::strchr(*e, '=');
    if (eq) c->config.env.emplace_back(std::string(*e, static_cast<size_t>(eq - *e)), std::string(eq + 1));
  }
}
void myrt_wasi_config_preopen_dir(myrt_wasi_config_t* c, const char* host, const char* guest, bool readOnly) {
  if (!c || !host) return;
  c->config.preopens.push_back({host, guest ? guest : host, readOnly});
}
void myrt_wasi_config_inherit_stdin(myrt_wasi_config_t* c) {
  if (c) c->setFd(0, 0, false);
}
void myrt_wasi_config_inherit_stdout(myrt_wasi_config_t* c) {
  if (c) c->setFd(1, 1, false);
}
void myrt_wasi_config_inherit_stderr(myrt_wasi_config_t* c) {
  if (c) c->setFd(2, 2, false);
}

}  // extern "C"

namespace {
myrt_error_t* openStdio(myrt_wasi_config_t* c, int which, const char* path) {
  if (!c || !path) return newError(Error("myrt_wasi_config: null argument"));
  int flags = which == 0 ? O_RDONLY : (O_WRONLY | O_CREAT | O_TRUNC);
  int fd = open(path, flags | O_CLOEXEC, 0644);
  if (fd < 0) return newError(Error(std::string("cannot open file: ") + path + ": " + std::strerror(errno)));
  c->setFd(which, fd, true);
  return nullptr;
}

// An anonymous in-memory file (stdin from bytes, captured stdout/stderr).
myrt_error_t* memoryFile(myrt_wasi_config_t* c, int which, const wasm_byte_vec_t* bytes) {
  if (!c) return newError(Error("myrt_wasi_config: null argument"));
  int fd = memfd_create(which == 0 ? "myrt-stdin" : which == 1 ? "myrt-stdout" : "myrt-stderr", MFD_CLOEXEC);
  if (fd < 0) return newError(Error(std::string("cannot create an in-memory file: ") + std::strerror(errno)));
  for (size_t done = 0; bytes && done < bytes->size;) {
    const ssize_t n = write(fd, bytes->data + done, bytes->size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      close(fd);
      return newError(Error(std::string("cannot write the stdin bytes: ") + std::strerror(err)));
    }
    done += static_cast<size_t>(n);
  }
  lseek(fd, 0, SEEK_SET);
  c->setFd(which, fd, true, which != 0);
  return nullptr;
}

void readCaptured(const myrt_wasi_t* w, int which, wasm_byte_vec_t* out) {
  if (!out) return;
  wasm_byte_vec_new_empty(out);
  if (!w || w->captureFds[which] < 0) return;
  struct stat st;
  if (fstat(w->captureFds[which], &st) != 0 || st.st_size <= 0) return;
  wasm_byte_vec_new_uninitialized(out, static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < out->size) {
    const ssize_t n = pread(w->captureFds[which], out->data + done, out->size - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  out->size = done;
}

}  // namespace

extern "C" {

myrt_error_t* myrt_wasi_config_set_stdin_bytes(myrt_wasi_config_t* c, const wasm_byte_vec_t* bytes) {
  return memoryFile(c, 0, bytes);
}
myrt_error_t* myrt_wasi_config_capture_stdout(myrt_wasi_config_t* c) { return memoryFile(c, 1, nullptr); }
myrt_error_t* myrt_wasi_config_capture_stderr(myrt_wasi_config_t* c) { return memoryFile(c, 2, nullptr); }
void myrt_wasi_stdout(const myrt_wasi_t* w, wasm_byte_vec_t* out) { readCaptured(w, 1, out); }
void myrt_wasi_stderr(const myrt_wasi_t* w, wasm_byte_vec_t* out) { readCaptured(w, 2, out); }

myrt_error_t* myrt_wasi_config_set_stdin_file(myrt_wasi_config_t* c, const char* path) { return openStdio(c, 0, path); }
myrt_error_t* myrt_wasi_config_set_stdout_file(myrt_wasi_config_t* c, const char* path) {
  return openStdio(c, 1, path);
}
myrt_error_t* myrt_wasi_config_set_stderr_file(myrt_wasi_config_t* c, const char* path) {
  return openStdio(c, 2, path);
}

myrt_error_t* myrt_wasi_new(wasm_store_t* s, const myrt_wasi_config_t* c, myrt_wasi_t** out) {
  if (out) *out = nullptr;
  if (!s || !c || !out) return newError(Error("myrt_wasi_new: null argument"));
  auto ctx = wasi::WasiContext::create(c->config);
  if (!ctx.ok()) return newError(ctx.error());
  auto* w = new myrt_wasi_t;
  w->st = s->st;
  w->ctx = std::shared_ptr<wasi::WasiContext>(std::move(*ctx));
  w->host = w->ctx->createInstance(*s->st->store);
  s->st->wasi.push_back(w->ctx);  // the store's host functions refer to the context
  for (int which : {1, 2})
    if (c->captured[which]) w->captureFds[which] = fcntl(c->ownedFds[which], F_DUPFD_CLOEXEC, 0);
  // kept for a WASI 0.2 context (components), which may be made after the caller deleted the configuration
  w->config = c->config;
  int* fds[3] = {&w->config.stdinFd, &w->config.stdoutFd, &w->config.stderrFd};
  for (int k = 0; k < 3; ++k)
    if (*fds[k] >= 0) *fds[k] = w->configFds[k] = fcntl(*fds[k], F_DUPFD_CLOEXEC, 0);
  *out = w;
  return nullptr;
}
void myrt_wasi_delete(myrt_wasi_t* w) { delete w; }

wasm_extern_t* myrt_wasi_get_import(myrt_wasi_t* w, const char* module, const char* name) {
  if (!w || !module || !name || std::strcmp(module, wasi::kModuleName) != 0) return nullptr;
  const Extern* e = w->host->findExport(name);
  if (!e || e->kind != ExternKind::Func) return nullptr;
  return As<wasm_extern_t>(newHandle(HKind::Func, w->st, e->func));
}

myrt_error_t* myrt_wasi_imports(myrt_wasi_t* w, const wasm_module_t* mod, wasm_extern_vec_t* out) {
  if (!out) return newError(Error("myrt_wasi_imports: null argument"));
  wasm_extern_vec_new_empty(out);
  const Handle* mh = H(mod);
  if (!w || !mh || !mh->module) return newError(Error("myrt_wasi_imports: null argument"));
  std::vector<wasm_extern_t*> exts;
  for (const Import& imp : mh->module->module->imports) {
    wasm_extern_t* e = imp.kind == ExternKind::Func ? myrt_wasi_get_import(w, imp.module.c_str(), imp.name.c_str())
                                                    : nullptr;
    if (!e) {
      for (wasm_extern_t* x : exts) wasm_extern_delete(x);
      return newError(Error("unknown import: " + imp.module + "." + imp.name));
    }
    exts.push_back(e);
  }
  wasm_extern_vec_new(out, exts.size(), exts.data());
  return nullptr;
}

myrt_error_t* myrt_linker_define_wasi(myrt_linker_t* l, myrt_wasi_t* w) {
  if (!l || !w) return newError(Error("myrt_linker_define_wasi: null argument"));
  for (const auto& [name, e] : w->host->exports) {
    wasm_extern_t* ext = As<wasm_extern_t>(externHandle(w->st, e));
    myrt_error_t* err = myrt_linker_define(l, wasi::kModuleName, name.c_str(), ext);
    wasm_extern_delete(ext);
    if (err) return err;
  }
  return nullptr;
}

void myrt_wasi_bind_instance(myrt_wasi_t* w, const wasm_instance_t* i) {
  const Handle* h = H(i);
  if (w && h && h->kind == HKind::Instance && h->st == w->st) w->ctx->bindInstance(static_cast<Instance*>(h->obj));
}

int myrt_wasi_run_start(myrt_wasi_t* w, const wasm_instance_t* i, wasm_trap_t** trap) {
  if (trap) *trap = nullptr;
  const Handle* h = H(i);
  if (!w || !h || h->kind != HKind::Instance || h->st != w->st) {
    if (trap) *trap = messageTrap(w ? w->st : nullptr, "myrt_wasi_run_start: bad argument");
    return 134;
  }
  wasi::RunResult r = wasi::runStart(*w->st->store, *static_cast<Instance*>(h->obj), *w->ctx);
  if (r.trap && trap) *trap = makeTrap(w->st, *r.trap);
  return r.exitCode;
}

bool myrt_wasi_exit_code(const myrt_wasi_t* w, int* code) {
  if (!w) return false;
  auto c = w->ctx->exitCode();
  if (!c && w->p2) c = capi::componentWasiExitCode(*w->p2);
  if (!c) return false;
  if (code) *code = static_cast<int>(*c);
  return true;
}

}  // extern "C"
