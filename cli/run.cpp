// cli/run.cpp -- `myrt run [options] FILE [ARGS...]`: load a module (.wasm or .wat), link WASI preview1 and the
// registered host modules, instantiate on the interpreter, then run `_start` (a WASI command) or `--invoke NAME`.
// Layer: cli (uses runtime/exec, runtime/interp, wasi/p1). Capabilities are opt-in: the guest sees only the
// directories given with --dir/--dir-ro and the variables given with --env (or --inherit-env).
// Exit codes: the guest's proc_exit status (0 when _start returns; also when a start function calls proc_exit during
// instantiation); 134 on a trap, also in a start function (message and wasm backtrace on stderr, as wasmtime does on
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
#include <thread>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>

#include "cli/cli.h"
#include "jit/common/perf_map.h"
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

}  // namespace

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
  auto loaded = loadFileOrReport(file);
  if (!loaded) return kExitError;
  auto module = std::make_shared<const Module>(std::move(*loaded));

  StoreLimits limits;
  if (opts.maxMemoryBytes) limits.maxMemoryBytes = *opts.maxMemoryBytes;
  if (opts.maxStackBytes) limits.valueStackSlots = std::max<uint64_t>(*opts.maxStackBytes / sizeof(Value), 1024);
  auto made = makeStore(opts.tier, limits);
  if (!made.ok()) {
    std::cerr << "myrt: run: " << made.error().message << "\n";
    return kExitError;
  }
  std::unique_ptr<Store> store = std::move(made.value());
  store->config().compileJobs = opts.jobs;
  if (opts.fuel) store->setFuel(true, static_cast<int64_t>(*opts.fuel));
  // --timeout: a watchdog thread requests an interrupt when the time is up; leaving cmdRun cancels it.
  Watchdog watchdog(store->interruptHandle(), opts.timeoutMs);
  if (opts.verbose) std::cerr << "myrt: " << file << ": running on tier " << tierName(opts.tier) << "\n";
  if (opts.profile == "perfmap") {
    if (auto path = jit::enablePerfMap(); !path.ok()) {
      std::cerr << "myrt: run: " << path.error().message << "\n";
      return kExitError;
    }
  }

  wasi::WasiConfig cfg;
  cfg.args = opts.argv;
  if (opts.inheritEnv) {
    for (char** e = environ; e && *e; ++e) {
      std::string kv = *e;
      size_t eq = kv.find('=');
      if (eq != std::string::npos) cfg.env.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    }
  }
  // --env NAME=VALUE, or --env NAME for the host's value (as wasmtime); a later setting replaces an earlier one
  // (also one inherited with --inherit-env).
  for (const std::string& kv : opts.env) {
    size_t eq = kv.find('=');
    if (eq == 0 || kv.empty()) {
      std::cerr << "myrt: run: --env expects NAME=VALUE or NAME, got '" << kv << "'\n";
      return kExitUsage;
    }
    std::string name = kv.substr(0, eq), value;
    if (eq != std::string::npos) {
      value = kv.substr(eq + 1);
    } else if (const char* host = std::getenv(name.c_str())) {
      value = host;
    } else {
      std::cerr << "myrt: run: --env " << name << ": not set in this environment\n";
      return kExitUsage;
    }
    std::erase_if(cfg.env, [&](const auto& e) { return e.first == name; });
    cfg.env.emplace_back(std::move(name), std::move(value));
  }
  for (const std::string& d : opts.dirs) cfg.preopens.push_back(parseDir(d, false));
  for (const std::string& d : opts.dirsReadOnly) cfg.preopens.push_back(parseDir(d, true));
  auto ctx = wasi::WasiContext::create(cfg);
  if (!ctx.ok()) {
    std::cerr << "myrt: run: " << ctx.error().message << "\n";
    return kExitUsage;
  }
  (*ctx)->addToStore(*store);
  BenchTimer bench;
  if (opts.bench) addBenchModule(*store, bench);
  // The guest's exit status, with --bench's figure printed after everything the guest wrote.
  auto finish = [&](int rc) {
    if (opts.bench) std::cerr << bench.report() << "\n";
    if (opts.verbose && rc != 0 && rc != 134) std::cerr << "myrt: " << file << ": exit code " << rc << "\n";
    return rc;
  };

  // Link: every import must be provided by WASI (or another registered host module).
  for (const Import& imp : module->imports) {
    auto it = store->registered.find(imp.module);
    if (it == store->registered.end() || !it->second->findExport(imp.name)) {
      std::cerr << "myrt: " << file << ": unknown import: " << imp.module << "::" << imp.name << " ("
                << describeExternType(*module, imp) << ")"
                << (imp.module == "bench" ? "; --bench provides bench.start and bench.end" : "") << "\n";
      return kExitError;
    }
  }
  auto imports = resolveImports(*store, *module);
  if (!imports.ok()) {
    std::cerr << "myrt: " << file << ": " << imports.error().message << "\n";
    return kExitError;
  }
  std::optional<Trap> startTrap;
  auto inst = instantiate(*store, module, *imports, &startTrap);
  if (!inst.ok() && startTrap) {  // the start function trapped or called proc_exit (then exit as wasmtime does)
    if ((*ctx)->exitCode() && wasi::isExitTrap(*startTrap)) return finish(static_cast<int>(*(*ctx)->exitCode()));
    std::cerr << "myrt: " << file << ": trap in the start function: " << trapText(*startTrap, opts.verbose) << "\n";
    return finish(134);
  }
  if (!inst.ok()) {
    std::cerr << "myrt: " << file << ": instantiation failed: " << inst.error().message << "\n";
    return kExitError;
  }
  (*ctx)->bindInstance(*inst);

  if (!opts.invoke) {
    FuncInst* start = findExportedFunc(**inst, "_start");
    if (!start) {
      // A reactor or library: instantiation (incl. its start function) is all there is to run.
      if (module->start) return finish(kExitOk);
      std::cerr << "myrt: " << file << ": no exported _start function; use --invoke NAME to call an export\n";
      return kExitError;
    }
    wasi::RunResult r = wasi::runStart(*store, **inst, **ctx);
    if (r.trap) {
      std::cerr << "myrt: " << file << ": trap: " << trapText(*r.trap, opts.verbose) << "\n";
      return finish(134);
    }
    return finish(r.exitCode);
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
  if (r.trap) {
    if ((*ctx)->exitCode() && wasi::isExitTrap(*r.trap)) return finish(static_cast<int>(*(*ctx)->exitCode()));
    std::cerr << "myrt: " << file << ": trap: " << trapText(*r.trap, opts.verbose) << "\n";
    return finish(134);
  }
  for (size_t i = 0; i < results.size(); ++i) std::cout << formatResult(f->type->results[i], results[i]) << "\n";
  std::cout.flush();
  return finish(kExitOk);
}

}  // namespace myrt::cli
