// cli/run.cpp -- `myrt run [options] FILE [ARGS...]`: load a module (.wasm or .wat), link WASI preview1 and the
// registered host modules, instantiate on the interpreter, then run `_start` (a WASI command) or `--invoke NAME`.
// Layer: cli (uses runtime/exec, runtime/interp, wasi/p1). Capabilities are opt-in: the guest sees only the
// directories given with --dir/--dir-ro and the variables given with --env (or --inherit-env).
// Exit codes: the guest's proc_exit status (0 when _start returns; also when a start function calls proc_exit during
// instantiation) when it is in [0, 126); a status outside that range is an error (message, exit code 1, as wasmtime
// does: 126 and up mean "not executable", "not found" and "killed by a signal" to shells, 256 would wrap to 0);
// 134 on a trap, also in a start function (message and wasm backtrace on stderr, as wasmtime does on
// Unix); 1 for a module that cannot be loaded, linked or instantiated, or an unsupported --tier; 2 for usage errors.
// --bench provides sightglass's `bench` module and prints the time between bench.start and bench.end on stderr last.
// Trap backtraces: one "  at NAME (wasm offset 0x2a)" line per frame (the module offset of the trapping instruction,
// or of the call in outer frames); deep ones keep the innermost and outermost frames around one "... N frames omitted".
// -v/--trace-traps: every backtrace frame (no collapsing of recursion) with its function index, a note when the guest
// exits with a non-zero code, and the tier on stderr before the run.
// --fuel N / --timeout DURATION bound a runaway guest: it traps ("fuel exhausted" / "interrupted", exit 134) after
// about N instructions or when a watchdog thread interrupts the store.
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <atomic>
#include <fcntl.h>
#include <unistd.h>
#include <thread>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <unordered_map>

#include "cli/cli.h"
#include "engine/code_cache.h"
#include "runtime/base/reader.h"
#include "runtime/exec/engine.h"
#include "wasi/p1/wasi.h"

extern char** environ;

namespace myrt::cli {

namespace {

std::string describeExternType(const Module& m, const Import& imp) {
  switch (imp.kind) {
    case ExternKind::Func: {
      const CompositeType& t = m.funcType(imp.index);
      return "func " + toString(t.params) + " -> " + toString(t.results);
    }
    case ExternKind::Global:
      return std::string("global ") + (m.globals[imp.index].type.mut ? "mut " : "") +
             toString(m.globals[imp.index].type.type);
    case ExternKind::Memory: return "memory";
    case ExternKind::Table: return "table " + toString(m.tables[imp.index].type.elem);
    case ExternKind::Tag: return "tag";
  }
  return "?";
}

// Parses a command-line argument of --invoke as a value of type t.
bool parseArg(const std::string& s, ValType t, Value& out) {
  errno = 0;
  char* end = nullptr;
  switch (t.kind) {
    case ValKind::I32: {
      long long v = std::strtoll(s.c_str(), &end, 0);
      if (errno || *end || s.empty() || v < INT32_MIN || v > UINT32_MAX) return false;
      out = Value::fromI32(static_cast<uint32_t>(v));
      return true;
    }
    case ValKind::I64: {
      bool neg = !s.empty() && s[0] == '-';
      uint64_t v = neg ? static_cast<uint64_t>(std::strtoll(s.c_str(), &end, 0)) : std::strtoull(s.c_str(), &end, 0);
      if (errno || *end || s.empty()) return false;
      out = Value::fromI64(v);
      return true;
    }
    case ValKind::F32: {
      float v = std::strtof(s.c_str(), &end);
      if (*end || s.empty()) return false;
      out = Value::fromF32(v);
      return true;
    }
    case ValKind::F64: {
      double v = std::strtod(s.c_str(), &end);
      if (*end || s.empty()) return false;
      out = Value::fromF64(v);
      return true;
    }
    default:
      return false;  // v128 and references cannot be written on a command line
  }
}

std::string formatResult(ValType t, const Value& v) {
  char buf[80];
  switch (t.kind) {
    case ValKind::I32: std::snprintf(buf, sizeof buf, "%" PRId32, static_cast<int32_t>(v.i32)); break;
    case ValKind::I64: std::snprintf(buf, sizeof buf, "%" PRId64, static_cast<int64_t>(v.i64)); break;
    case ValKind::F32: std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v.f32)); break;
    case ValKind::F64: std::snprintf(buf, sizeof buf, "%.17g", v.f64); break;
    case ValKind::V128: {
      std::string s = "0x";
      for (int i = 15; i >= 0; --i) {
        std::snprintf(buf, sizeof buf, "%02x", v.v128[i]);
        s += buf;
      }
      return s;
    }
    default: return v.ref ? "ref" : "null";
  }
  return buf;
}

// "HOST[::GUEST]" -> preopen.
wasi::Preopen parseDir(const std::string& spec, bool readOnly) {
  wasi::Preopen p;
  size_t sep = spec.find("::");
  p.hostPath = sep == std::string::npos ? spec : spec.substr(0, sep);
  p.guestPath = sep == std::string::npos ? spec : spec.substr(sep + 2);
  p.readOnly = readOnly;
  return p;
}

// The trap report: message and backtrace with wasm offsets (runs of one frame collapsed), or with -v every frame with
// its function index and function-relative offset.
std::string trapText(const Trap& t, bool verbose) { return t.toString(verbose); }

// Requests an interrupt of a store after a timeout (nothing without one); the destructor cancels and joins it.
class Watchdog {
 public:
  Watchdog(std::shared_ptr<InterruptFlag> flag, std::optional<uint64_t> timeoutMs) {
    if (!timeoutMs) return;
    thread_ = std::thread([this, flag = std::move(flag), ms = *timeoutMs] {
      std::unique_lock<std::mutex> lock(mu_);
      if (!cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return cancelled_; })) flag->request();
    });
  }
  ~Watchdog() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      cancelled_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool cancelled_ = false;
  std::thread thread_;
};

// Stubs for function imports nothing provides (--unknown-imports-trap / --unknown-imports-default, as wasmtime's
// -W unknown-imports-trap / -default): the default stub returns zeros / null references; one whose results cannot be
// defaulted (a non-nullable reference) traps, or is an error when trapping was not asked for.
bool resultsDefaultable(const CompositeType& type) {
  for (const ValType& t : type.results)
    if (t.isRef() && !t.nullable) return false;
  return true;
}

Result<FuncInst*> unknownImportStub(Store& store, const Module& m, const Import& imp, const RunOptions& opts) {
  const CompositeType& type = m.funcType(imp.index);
  const std::string name = printableName(imp.module) + "::" + printableName(imp.name);  // names are data
  for (const auto* list : {&type.params, &type.results})
    for (const ValType& t : *list)
      if (t.isRef() && t.heap == HeapKind::Concrete)
        return Error("unknown import: " + name + " (" + describeExternType(m, imp) +
                     "): no stub for a function whose type refers to the module's own types");
  if (opts.unknownImportsDefault && resultsDefaultable(type)) {
    return store.newHostFunc(type, [](ExecContext&, std::span<const Value>, std::span<Value> results) {
      for (Value& v : results) v = Value();
      return TrapReason::None;
    });
  }
  if (!opts.unknownImportsTrap)
    return Error("unknown import: " + name + " (" + describeExternType(m, imp) +
                 "): its results have no default value (a non-nullable reference); use --unknown-imports-trap");
  return store.newHostFunc(type, [name](ExecContext& cx, std::span<const Value>, std::span<Value>) {
    return cx.hostTrap("unknown import " + name + " was called (linked to a trapping stub by unknown-imports-trap)");
  });
}

// The total initial size of the memories a module defines, in bytes (imported ones count where they are defined).
uint64_t initialMemoryBytes(const Module& m) {
  uint64_t total = 0;
  for (const Memory& mem : m.memories)
    if (!mem.imported) total += mem.type.limits.min * 65536;
  return total;
}

std::string humanBytes(uint64_t n) {
  char buf[64];
  if (n >= (uint64_t(1) << 30) && n % (uint64_t(1) << 20) == 0) std::snprintf(buf, sizeof buf, "%.1f GiB", n / 1073741824.0);
  else if (n >= (uint64_t(1) << 20)) std::snprintf(buf, sizeof buf, "%.1f MiB", n / 1048576.0);
  else if (n >= 1024) std::snprintf(buf, sizeof buf, "%.1f KiB", n / 1024.0);
  else std::snprintf(buf, sizeof buf, "%" PRIu64 " bytes", n);
  return buf;
}

// Links one module against WASI (its own context's instance when `wasi` is given), the registered host modules and,
// with --unknown-imports-*, stubs; prints the first failure and returns nullopt.
// `hostMemories`: shared memories the host made for the program's imports (wasi-threads), by "module::name".
using HostMemories = std::unordered_map<std::string, Extern>;
std::optional<std::vector<Extern>> link(Store& store, const std::string& file, const Module& m, Instance* wasi,
                                        const RunOptions& opts, const HostMemories* hostMemories = nullptr) {
  std::vector<std::unique_ptr<Extern>> stubs;
  std::unordered_map<std::string, Extern*> stubByName;
  auto find = [&](const std::string& mod, const std::string& name) -> const Extern* {
    if (wasi && mod == "wasi_snapshot_preview1") return wasi->findExport(name);
    if (hostMemories)
      if (auto it = hostMemories->find(mod + "::" + name); it != hostMemories->end()) return &it->second;
    auto it = store.registered.find(mod);
    if (it != store.registered.end())
      if (const Extern* e = it->second->findExport(name)) return e;
    auto s = stubByName.find(mod + "::" + name);
    return s == stubByName.end() ? nullptr : s->second;
  };
  for (const Import& imp : m.imports) {
    if (find(imp.module, imp.name)) continue;
    if (imp.kind == ExternKind::Func && (opts.unknownImportsTrap || opts.unknownImportsDefault)) {
      auto stub = unknownImportStub(store, m, imp, opts);
      if (!stub.ok()) {
        std::cerr << "myrt: " << file << ": " << stub.error().message << "\n";
        return std::nullopt;
      }
      if (opts.verbose) {
        const bool def = opts.unknownImportsDefault && resultsDefaultable(m.funcType(imp.index));
        std::cerr << "myrt: " << file << ": unknown import " << printableName(imp.module) << "::"
                  << printableName(imp.name) << " ("
                  << describeExternType(m, imp) << ") linked to "
                  << (def ? "a stub returning default values" : "a trapping stub") << "\n";
      }
      stubs.push_back(std::make_unique<Extern>(Extern::of(*stub)));
      stubByName[imp.module + "::" + imp.name] = stubs.back().get();
      continue;
    }
    std::cerr << "myrt: " << file << ": unknown import: " << printableName(imp.module) << "::"
              << printableName(imp.name) << " ("
              << describeExternType(m, imp) << ")"
              << (imp.module == "bench" ? "; --bench provides bench.start and bench.end" : "") << "\n";
    return std::nullopt;
  }
  auto imports = resolveImports(store, m, find);
  if (!imports.ok()) {
    std::cerr << "myrt: " << file << ": " << imports.error().message << "\n";
    return std::nullopt;
  }
  return std::move(imports).value();
}

// Compile progress on a terminal: while a JIT compile runs for more than half a second, one line on stderr,
// rewritten every 200 ms ("myrt: compiling FILE: 42% of 12.3 MiB of wasm code") and erased at the end. Nothing when
// stderr is not a terminal. MYRT_COMPILE_PROGRESS=1 (tests) shows it anyway, from the start and once more at the end.
class CompileProgress {
 public:
  CompileProgress(Store& store, const std::string& file) : store_(store), file_(file) {
    const char* force = std::getenv("MYRT_COMPILE_PROGRESS");
    forced_ = force && std::string(force) == "1";
    if (!isatty(2) && !forced_) return;
    store_.config().compileProgress = [this](uint64_t done, uint64_t total) {
      uint64_t prev = done_.load(std::memory_order_relaxed);
      while (prev < done && !done_.compare_exchange_weak(prev, done, std::memory_order_relaxed)) {
      }
      total_.store(total, std::memory_order_relaxed);
    };
    thread_ = std::thread([this] {
      const auto start = std::chrono::steady_clock::now();
      std::unique_lock<std::mutex> lock(mu_);
      const auto delay = std::chrono::milliseconds(forced_ ? 0 : 500);
      auto show = [this] {
        const uint64_t total = total_.load(std::memory_order_relaxed), done = done_.load(std::memory_order_relaxed);
        if (total == 0) return;
        std::fprintf(stderr, "\rmyrt: compiling %s: %3u%% of %s of wasm code", file_.c_str(),
                     static_cast<unsigned>(done * 100 / total), humanBytes(total).c_str());
        printed_ = true;
      };
      while (!cv_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stop_; }))
        if (std::chrono::steady_clock::now() - start >= delay) show();
      if (forced_) show();
      if (printed_) std::fprintf(stderr, forced_ ? "\n" : "\r\033[K");
    });
  }
  ~CompileProgress() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
    store_.config().compileProgress = nullptr;
  }
  CompileProgress(const CompileProgress&) = delete;
  CompileProgress& operator=(const CompileProgress&) = delete;

 private:
  Store& store_;
  std::string file_;
  std::atomic<uint64_t> done_{0}, total_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false, printed_ = false, forced_ = false;
  std::thread thread_;
};

// wasi-threads programs import their shared memory: the host makes one per such import (as wasmtime does) that no
// registered module provides, from the import's own limits, in the main store.
Result<HostMemories> makeSharedMemories(Store& store, const Module& m) {
  HostMemories out;
  for (const Import& imp : m.imports) {
    if (imp.kind != ExternKind::Memory || !m.memories[imp.index].type.limits.shared) continue;
    if (auto it = store.registered.find(imp.module); it != store.registered.end() && it->second->findExport(imp.name))
      continue;
    auto mem = store.newMemory(m.memories[imp.index].type);
    if (!mem.ok())
      return Error("shared memory import " + printableName(imp.module) + "::" + printableName(imp.name) + ": " +
                   mem.error().message);
    out.emplace(imp.module + "::" + imp.name, Extern::of(*mem));
  }
  return out;
}

bool importsWasiThreads(const Module& m) {
  for (const Import& imp : m.imports)
    if (imp.module == wasi::kThreadsModuleName) return true;
  return false;
}

// FILE starts like a precompiled module (its first 8 bytes).
bool isPrecompiledFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  uint8_t head[8];
  const ssize_t n = read(fd, head, sizeof head);
  close(fd);
  return n > 0 && isPrecompiledArtifact(std::span<const uint8_t>(head, static_cast<size_t>(n)));
}

}  // namespace

std::optional<std::string> networkGrants(const NetworkOptions& o, wasi::NetworkGrants& out) {
  out.inheritNetwork = o.inheritNetwork;
  out.tcp = o.tcp;
  out.udp = o.udp;
  out.ipNameLookup = o.ipNameLookup;
  out.maxOutgoingHttp = o.maxOutgoingRequests;
  if (o.maxOutgoingBuffer) {
    auto n = parseSize(*o.maxOutgoingBuffer);
    if (!n) return "invalid --max-outgoing-buffer '" + *o.maxOutgoingBuffer + "'";
    out.maxOutgoingHttpBuffer = *n;
  }
  for (const std::string& spec : *o.allowHttp) {
    auto hp = wasi::parseHostPort(spec);
    if (!hp) return "--allow-http: " + hp.error().message;
    out.httpHosts.push_back(*hp);
  }
  for (auto [specs, list, name] : {std::tuple{o.allowConnect, &out.connect, "--allow-connect"},
                                   std::tuple{o.allowBind, &out.bind, "--allow-bind"}}) {
    for (const std::string& spec : *specs) {
      auto eps = wasi::resolveEndpointSpec(spec);
      if (!eps) return std::string(name) + ": " + eps.error().message;
      list->insert(list->end(), eps->begin(), eps->end());
    }
  }
  return std::nullopt;
}

std::optional<std::string> guestEnvironment(bool inherit, const std::vector<std::string>& specs,
                                            std::vector<std::pair<std::string, std::string>>& env) {
  if (inherit) {
    for (char** e = environ; e && *e; ++e) {
      std::string kv = *e;
      size_t eq = kv.find('=');
      if (eq != std::string::npos) env.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    }
  }
  // --env NAME=VALUE, or --env NAME for the host's value (as wasmtime); a later setting replaces an earlier one
  // (also one inherited with --inherit-env).
  for (const std::string& kv : specs) {
    size_t eq = kv.find('=');
    if (eq == 0 || kv.empty()) return "--env expects NAME=VALUE or NAME, got '" + kv + "'";
    std::string name = kv.substr(0, eq), value;
    if (eq != std::string::npos) {
      value = kv.substr(eq + 1);
    } else if (const char* host = std::getenv(name.c_str())) {
      value = host;
    } else {
      return "--env " + name + ": not set in this environment";
    }
    std::erase_if(env, [&](const auto& e) { return e.first == name; });
    env.emplace_back(std::move(name), std::move(value));
  }
  return std::nullopt;
}

int cmdCompile(const std::string& file, std::string out, unsigned jobs) {
  if (isPrecompiledFile(file)) {
    std::cerr << "myrt: compile: " << file << " is precompiled already\n";
    return kExitError;
  }
  if (!tierAvailable(Tier::Jit)) {
    std::cerr << "myrt: compile: unsupported: the JIT is not available on this machine\n";
    return kExitError;
  }
  auto loaded = loadFileOrReport(file);
  if (!loaded) return kExitError;
  if (out.empty()) {
    const size_t slash = file.rfind('/'), dot = file.rfind('.');
    out = (dot != std::string::npos && (slash == std::string::npos || dot > slash) ? file.substr(0, dot) : file) +
          ".cwasm";
  }
  auto bytes = precompileArtifact(std::make_shared<const Module>(std::move(*loaded)), jobs);
  if (!bytes.ok()) {
    std::cerr << "myrt: compile: " << file << ": " << bytes.error().message << "\n";
    return kExitError;
  }
  if (Status st = writeFileAtomically(out, *bytes); !st.ok()) {
    std::cerr << "myrt: compile: " << st.error().message << "\n";
    return kExitError;
  }
  return kExitOk;
}

int cmdRun(const RunOptions& opts) {
  if (opts.argv.empty()) {
    std::cerr << "myrt: run: a module file is required (myrt run [OPTIONS] FILE [ARGS...])\n";
    return kExitUsage;
  }
  if (!opts.profile.empty()) {
    if (opts.profile != "perfmap") {
      std::cerr << "myrt: run: unknown --profile '" << opts.profile << "' (expected perfmap)\n";
      return kExitUsage;
    }
    if (opts.tier == Tier::Interp) {
      std::cerr << "myrt: run: --profile=perfmap needs a compiling tier (--tier=jit or --tier=auto)\n";
      return kExitUsage;
    }
  }
  const std::string& file = opts.argv[0];
  // A component (layer 1) runs through runtime/component (cli/component_cli.cpp); everything else is a module.
  std::optional<std::vector<uint8_t>> componentBytes;
  std::shared_ptr<const Module> module;
  Tier tier = opts.tier;
  if (isPrecompiledFile(file)) {
    // native code is trusted input (wasmtime's rule): only when asked for
    if (!opts.allowPrecompiled) {
      std::cerr << "myrt: " << file << ": a precompiled module (native code): run it with --allow-precompiled if you "
                   "trust it\n";
      return kExitError;
    }
    auto pre = loadPrecompiledFile(file);  // (mapped, not read)
    if (!pre.ok()) {
      std::cerr << "myrt: " << file << ": " << pre.error().message << "\n";
      return kExitError;
    }
    module = std::move(pre).value();
    if (tier == Tier::Auto) tier = Tier::Jit;  // (all of it is compiled already)
  } else {
    auto contents = readFile(file);  // read once, and freed once decoded (a big program's file is tens of MB)
    if (!contents.ok()) {
      std::cerr << "myrt: " << file << ": " << contents.error().message << "\n";
      return kExitError;
    }
    bool failed = false;
    componentBytes = componentBytesIn(contents.value(), file, &failed);
    if (failed) return kExitError;
    if (!componentBytes) {
      auto loaded = loadContentsOrReport(file, contents.value());
      if (!loaded) return kExitError;
      auto mod = std::make_shared<Module>(std::move(*loaded));
      // the code cache (engine/code_cache.h): a hit runs the cached machine code; a miss on --tier=jit compiles into
      // the cache; on auto a miss runs as without a cache (lazy per-function tier-up) -- see docs/design.md
      // (not on --tier=opt: the cache holds baseline code)
      if (tier != Tier::Interp && tier != Tier::Opt && !opts.noCache && tierAvailable(Tier::Jit)) {
        const std::string dir = defaultCodeCacheDir();
        std::string why;
        const CacheLookup hit = codeCacheLookup(dir, *mod, &why);
        if (opts.verbose && hit == CacheLookup::Rejected)
          std::cerr << "myrt: " << file << ": code cache entry rejected (" << why << "): compiling again\n";
        if (hit == CacheLookup::Hit) {
          if (opts.verbose) std::cerr << "myrt: " << file << ": machine code from the code cache (" << dir << ")\n";
          if (tier == Tier::Auto) tier = Tier::Jit;
        } else if (hit != CacheLookup::Skipped && tier == Tier::Jit) {
          const Status st = codeCacheFill(dir, mod, opts.jobs);
          if (opts.verbose)
            std::cerr << "myrt: " << file << ": "
                      << (st.ok() ? "compiled into the code cache (" + dir + ")" : "code cache not written: " + st.error().message)
                      << "\n";
        }
      }
      module = std::move(mod);
    }
  }
  // --max-memory below the initial memory: say so with both numbers instead of failing in instantiation.
  if (module && opts.maxMemoryBytes && initialMemoryBytes(*module) > *opts.maxMemoryBytes) {
    const uint64_t need = initialMemoryBytes(*module);
    std::cerr << "myrt: " << file << ": the initial memory of " << need << " bytes (" << humanBytes(need) << ", "
              << need / 65536 << " pages) exceeds --max-memory " << *opts.maxMemoryBytes << " bytes ("
              << humanBytes(*opts.maxMemoryBytes) << ")\n";
    return kExitError;
  }

  StoreLimits limits;
  if (opts.maxMemoryBytes) limits.maxMemoryBytes = *opts.maxMemoryBytes;
  if (opts.memoryReservation) limits.memoryReservation = *opts.memoryReservation;
  if (opts.maxStackBytes) limits.valueStackSlots = std::max<uint64_t>(*opts.maxStackBytes / sizeof(Value), 1024);
  if (opts.maxNativeStackBytes) limits.maxNativeStack = *opts.maxNativeStackBytes;
  auto made = makeStore(tier, limits);
  if (!made.ok()) {
    std::cerr << "myrt: run: " << made.error().message << "\n";
    return kExitError;
  }
  std::unique_ptr<Store> store = std::move(made.value());
  store->config().compileJobs = opts.jobs;
  if (opts.fuel) store->setFuel(true, static_cast<int64_t>(*opts.fuel));
  // --timeout: a watchdog thread requests an interrupt when the time is up; leaving cmdRun cancels it.
  Watchdog watchdog(store->interruptHandle(), opts.timeoutMs);
  if (opts.verbose) std::cerr << "myrt: " << file << ": running on tier " << tierName(tier) << "\n";
  if (opts.profile == "perfmap") {
    if (auto path = enableProfiling(opts.profile); !path.ok()) {
      std::cerr << "myrt: run: " << path.error().message << "\n";
      return kExitError;
    }
  }

  wasi::WasiConfig cfg;
  cfg.args = opts.argv;
  if (opts.argv0) cfg.args[0] = *opts.argv0;
  if (auto e = guestEnvironment(opts.inheritEnv, opts.env, cfg.env)) {
    std::cerr << "myrt: run: " << *e << "\n";
    return kExitUsage;
  }
  for (const std::string& d : opts.dirs) cfg.preopens.push_back(parseDir(d, false));
  for (const std::string& d : opts.dirsReadOnly) cfg.preopens.push_back(parseDir(d, true));
  if (auto e = networkGrants(opts, cfg.network)) {
    std::cerr << "myrt: run: " << *e << "\n";
    return kExitUsage;
  }
  // A component gets the same capabilities through WASI 0.2 (wasi/p2).
  if (componentBytes) return runComponent(opts, *componentBytes, *store, cfg);
  auto ctx = wasi::WasiContext::create(cfg);
  if (!ctx.ok()) {
    std::cerr << "myrt: run: " << ctx.error().message << "\n";
    return kExitUsage;
  }
  (*ctx)->addToStore(*store, module.get());  // only the functions the program imports
  BenchTimer bench;
  if (opts.bench) addBenchModule(*store, bench);
  // The guest's exit status, with --bench's figure printed after everything the guest wrote.
  auto finish = [&](int rc) {
    if (opts.bench) std::cerr << bench.report() << "\n";
    if (opts.verbose && rc != 0 && rc != 134) std::cerr << "myrt: " << file << ": exit code " << rc << "\n";
    if (opts.verbose)
      std::cerr << "myrt: " << file << ": "
                << tierStatsLine(store->context().tierCalls, store->jitCompiledFuncs, store->jitFallbacks.size()) << "\n";
    if (opts.verbose && tier == Tier::Auto && store->optCompiledFuncs)  // the auto tier's third tier
      std::cerr << "myrt: " << file << ": optimizing tier: " << store->optCompiledFuncs << " of the "
                << store->jitCompiledFuncs << " compiled functions recompiled\n";
    if (opts.verbose && store->gcStats().collections) {
      const Store::GcStats& g = store->gcStats();
      std::cerr << "myrt: " << file << ": gc: " << g.collections << " collections, pauses " << g.totalPauseNs / 1000
                << " us in all, " << g.maxPauseNs / 1000 << " us at most; peak heap " << g.peakHeapBytes
                << " bytes, " << g.freedBytes << " bytes freed; value-stack roots: " << g.preciseSlots
                << " precise slots, " << g.conservativeSlots << " scanned conservatively, " << g.unmappedFrames
                << " frames without a map\n";
    }
    return rc;
  };
  // proc_exit's status becomes the process's exit status only inside [0, 126) (as in wasmtime): 126 and above are
  // the shell's (command not executable / not found, 128+N killed by signal N: 134 is myrt's trap) and a status
  // >= 256 would wrap (256 -> 0, success). Anything else is an error with its own message, exit code 1.
  auto guestExit = [&](uint32_t status) {
    if (status < kMaxGuestExit) return finish(static_cast<int>(status));
    std::cerr << "myrt: " << file << ": exit with invalid exit status " << status << " (outside [0, "
              << kMaxGuestExit << "))\n";
    return finish(kExitError);
  };

  // --preload NAME=FILE: instantiate FILE (with its own WASI context: the same args, environment and directories,
  // bound to its own memory) and register it as NAME for the modules after it.
  std::vector<std::unique_ptr<wasi::WasiContext>> preloadCtx;
  for (const std::string& spec : opts.preloads) {
    const size_t eq = spec.find('=');
    if (eq == 0 || eq == std::string::npos || eq + 1 == spec.size()) {
      std::cerr << "myrt: run: --preload expects NAME=FILE, got '" << spec << "'\n";
      return kExitUsage;
    }
    const std::string name = spec.substr(0, eq), pfile = spec.substr(eq + 1);
    auto pm = loadFileOrReport(pfile);
    if (!pm) return kExitError;
    auto pmod = std::make_shared<const Module>(std::move(*pm));
    auto pctx = wasi::WasiContext::create(cfg);
    if (!pctx.ok()) {
      std::cerr << "myrt: run: " << pctx.error().message << "\n";
      return kExitUsage;
    }
    Instance* pwasi = (*pctx)->createInstance(*store);
    auto pimports = link(*store, pfile, *pmod, pwasi, opts);
    if (!pimports) return kExitError;
    std::optional<Trap> ptrap;
    auto pinst = instantiate(*store, pmod, *pimports, &ptrap);
    if (!pinst.ok()) {
      std::cerr << "myrt: " << pfile << ": "
                << (ptrap ? "trap in the start function: " + trapText(*ptrap, opts.verbose)
                          : "instantiation failed: " + pinst.error().message)
                << "\n";
      return ptrap ? finish(134) : kExitError;
    }
    (*pctx)->bindInstance(*pinst);
    (*pinst)->name = name;
    store->registered[name] = *pinst;
    preloadCtx.push_back(std::move(pctx).value());
    if (opts.verbose) std::cerr << "myrt: " << pfile << ": preloaded as module '" << name << "'\n";
  }

  // wasi-threads: host-made shared memories for the imports, and thread-spawn (each thread: a store like this one,
  // linked the same way, sharing the memories and the WASI context).
  auto hostMemories = makeSharedMemories(*store, *module);
  if (!hostMemories.ok()) {
    std::cerr << "myrt: " << file << ": " << hostMemories.error().message << "\n";
    return kExitError;
  }
  std::unique_ptr<wasi::WasiThreads> threads;  // declared after store and ctx: joined before they go
  if (opts.wasiThreads && importsWasiThreads(*module)) {
    wasi::ThreadsConfig tc;
    tc.module = module;
    tc.maxThreads = opts.maxThreads;
    tc.newStore = [&opts, limits, fuel = opts.fuel]() -> Result<std::unique_ptr<Store>> {
      auto s = makeStore(opts.tier, limits);
      if (!s.ok()) return s.error();
      (*s)->config().compileJobs = 1;  // a thread's instance compiles on its own thread
      if (fuel) (*s)->setFuel(true, static_cast<int64_t>(*fuel));
      return s;
    };
    tc.link = [&file, &module, &opts, mems = &hostMemories.value()](Store& s) -> Result<std::vector<Extern>> {
      auto im = link(s, file, *module, nullptr, opts, mems);
      if (!im) return Error("cannot link a thread's instance");
      return std::move(*im);
    };
    threads = std::make_unique<wasi::WasiThreads>(**ctx, std::move(tc));
    threads->addToStore(*store);
  }
  // The program's end when threads may run: the first ending (this thread's `mainEnd` or a spawned thread's proc_exit
  // or trap) decides; every other thread is interrupted and joined before the report.
  auto concludeThreads = [&](wasi::ThreadsEnd mainEnd) -> std::optional<int> {
    if (!threads) return std::nullopt;
    const bool mainFirst = threads->endProgram(mainEnd);
    wasi::ThreadsEnd end = mainFirst ? std::move(mainEnd) : *threads->programEnd();
    threads->stopAndJoin();
    if (mainFirst) return std::nullopt;  // reported as usual by the caller
    if (end.exitCode) return guestExit(*end.exitCode);
    std::cerr << "myrt: " << file << ": trap in thread " << end.tid << ": "
              << (end.trap ? trapText(*end.trap, opts.verbose) : std::string("?")) << "\n";
    return finish(134);
  };

  // Link: every import must be provided by WASI, a registered host module, a preload or an unknown-imports stub.
  auto imports = link(*store, file, *module, nullptr, opts, &hostMemories.value());
  if (!imports) return kExitError;
  std::optional<Trap> startTrap;
  auto inst = instantiate(*store, module, *imports, &startTrap);
  if (!inst.ok() && startTrap) {  // the start function trapped or called proc_exit (then exit as wasmtime does)
    if (auto rc = concludeThreads(wasi::ThreadsEnd{0, (*ctx)->exitCode(), startTrap, nullptr})) return *rc;
    if ((*ctx)->exitCode() && wasi::isExitTrap(*startTrap)) return guestExit(*(*ctx)->exitCode());
    std::cerr << "myrt: " << file << ": trap in the start function: " << trapText(*startTrap, opts.verbose) << "\n";
    return finish(134);
  }
  if (!inst.ok()) {
    std::cerr << "myrt: " << file << ": instantiation failed: " << inst.error().message << "\n";
    return kExitError;
  }
  (*ctx)->bindInstance(*inst);
  // --tier=jit: compile the whole module now (it would compile at the first call), with progress on a terminal and,
  // with -v, the time and code size.
  if (tier == Tier::Jit || tier == Tier::Opt) {
    const auto t0 = std::chrono::steady_clock::now();
    PrecompileStats cs;
    {
      CompileProgress progress(*store, file);
      cs = precompile(**inst);
    }
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (opts.verbose && module->precompiled) {
      char buf[120];
      std::snprintf(buf, sizeof buf, "%" PRIu64 " functions installed from precompiled machine code in %.1f ms", cs.functions, ms);
      std::cerr << "myrt: " << file << ": " << buf << "\n";
    } else if (opts.verbose && cs.functions + cs.fallbacks > 0) {
      char buf[200];
      std::snprintf(buf, sizeof buf,
                    "compiled %" PRIu64 " functions (%" PRIu64 " bytes of wasm code) to %" PRIu64
                    " bytes of machine code in %.1f ms",
                    cs.functions, cs.bodyBytes, cs.machineBytes, ms);
      std::cerr << "myrt: " << file << ": " << buf;
      if (tier == Tier::Opt)
        std::cerr << "; " << cs.optimized << " by the optimizing tier, " << cs.functions - cs.optimized
                  << " by the baseline compiler (MYRT_OPT_VERBOSE=1 says why)";
      if (cs.fallbacks) std::cerr << "; " << cs.fallbacks << " left on the interpreter (MYRT_JIT_VERBOSE=1 names them)";
      std::cerr << "\n";
    }
    if (!store->jitFallbacks.empty() && !opts.allowFallback && (opts.tier == Tier::Jit || opts.tier == Tier::Opt)) {
      for (const std::string& fb : store->jitFallbacks)
        std::cerr << "myrt: " << file << ": the JIT cannot compile " << fb << "\n";
      std::cerr << "myrt: " << file << ": --tier=" << tierName(opts.tier)
                << ": --allow-fallback runs such functions in the interpreter\n";
      return kExitError;
    }
  }

  if (!opts.invoke) {
    FuncInst* start = findExportedFunc(**inst, "_start");
    if (!start) {
      // A reactor or library: instantiation (incl. its start function) is all there is to run.
      if (module->start) return finish(kExitOk);
      std::cerr << "myrt: " << file << ": no exported _start function; use --invoke NAME to call an export\n";
      return kExitError;
    }
    wasi::RunResult r = wasi::runStart(*store, **inst, **ctx);
    if (auto rc = concludeThreads(wasi::ThreadsEnd{0, r.trap ? std::nullopt : std::optional<uint32_t>(r.exitCode), r.trap, nullptr}))
      return *rc;
    if (r.trap) {
      std::cerr << "myrt: " << file << ": trap: " << trapText(*r.trap, opts.verbose) << "\n";
      return finish(134);
    }
    return (*ctx)->exitCode() ? guestExit(*(*ctx)->exitCode()) : finish(r.exitCode);
  }

  FuncInst* f = findExportedFunc(**inst, *opts.invoke);
  if (!f) {
    std::cerr << "myrt: " << file << ": no exported function '" << *opts.invoke << "'\n";
    return kExitError;
  }
  const std::vector<ValType>& params = f->type->params;
  const size_t nargs = opts.argv.size() - 1;
  if (nargs != params.size()) {
    std::cerr << "myrt: " << file << ": '" << *opts.invoke << "' takes " << params.size() << " argument(s) "
              << toString(params) << ", got " << nargs << "\n";
    return kExitUsage;
  }
  std::vector<Value> args(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    if (!parseArg(opts.argv[i + 1], params[i], args[i])) {
      std::cerr << "myrt: " << file << ": argument " << (i + 1) << " '" << opts.argv[i + 1] << "' is not a valid "
                << toString(params[i]) << "\n";
      return kExitUsage;
    }
  }
  std::vector<Value> results(f->numResults());
  InvokeResult r = invoke(*store, f, args, results);
  if (auto rc = concludeThreads(wasi::ThreadsEnd{0, (*ctx)->exitCode(), r.trap, nullptr})) return *rc;
  if (r.trap) {
    if ((*ctx)->exitCode() && wasi::isExitTrap(*r.trap)) return guestExit(*(*ctx)->exitCode());
    std::cerr << "myrt: " << file << ": trap: " << trapText(*r.trap, opts.verbose) << "\n";
    return finish(134);
  }
  for (size_t i = 0; i < results.size(); ++i) std::cout << formatResult(f->type->results[i], results[i]) << "\n";
  std::cout.flush();
  return finish(kExitOk);
}

}  // namespace myrt::cli
