// cli/cli.h -- the `myrt` command-line tool: shared helpers and one entry point per subcommand.
// Layer: cli (top of the stack; uses runtime/text, runtime/binary, runtime/valid, later runtime/exec). The CLI is the only
// place that prints; every error is one line `myrt: FILE: offset 0x1a: message` (binary) or
// `myrt: FILE:LINE:COL: message` (text) and exit code 1; usage errors exit with 2.
#pragma once
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/result.h"
#include "runtime/exec/store.h"
#include "engine/tiers.h"
#include "runtime/wasm/module.h"
#include "wasi/host/config.h"
#include "wasi/p1/threads.h"

namespace myrt::cli {

constexpr int kExitOk = 0;
constexpr int kExitError = 1;  // bad input, failing tests, unsupported feature
constexpr uint32_t kMaxGuestExit = 126;  // `run`: a guest's proc_exit status must be below this (else kExitError)
constexpr int kExitUsage = 2;  // bad command line

// Reads a whole file; on failure returns an Error whose message describes why ("cannot open file: ...").
Result<std::string> readFile(const std::string& path);

// True if a file holds a text module: a .wat file, or any file that is not .wasm and does not start with the binary
// magic "\0asm".
bool isTextModule(std::string_view path, std::string_view contents);

// Where an error happened: prints "FILE: offset 0x..: msg" for binary errors and "FILE:LINE:COL: msg" for errors at
// an offset into `text` (if text is given).
std::string formatError(const std::string& path, const Error& e, const std::string* text = nullptr);

// What loading a module produced: the module or the first error, and which stage rejected it.
enum class Stage : uint8_t { Read, Text, Decode, Validate };
const char* toString(Stage s);

struct Loaded {
  std::optional<Module> module;  // set iff loading succeeded
  Stage stage = Stage::Read;     // the stage that failed
  Error error;
};

// Which rules the front end applies.
struct FrontEndOptions {
  bool wasm2 = false;  // WebAssembly 2.0 rules where 3.0 changed them (for the 2.0 spec testsuite)
  bool threads = false;  // with wasm2: the threads proposal's shared memories in the 2.0 limits encoding
};

// Binary -> decodeModule -> validateModule.
Loaded loadBinary(std::vector<uint8_t> bytes, const FrontEndOptions& opts = {});

// Reads FILE (text through watToBinary, see isTextModule), decodes and validates it. On failure prints the one-line
// error to stderr and returns nullopt. *fromText tells whether the file was a text module.
std::optional<Module> loadFileOrReport(const std::string& path, const FrontEndOptions& opts = {},
                                       bool* fromText = nullptr);
// The same for a file already read (its contents).
std::optional<Module> loadContentsOrReport(const std::string& path, const std::string& contents,
                                           const FrontEndOptions& opts = {}, bool* fromText = nullptr);

// Subcommands. Each returns the process exit code.
int cmdValidate(const std::vector<std::string>& files, const FrontEndOptions& opts);
// Components (cli/component_cli.cpp): the file's bytes when it is a component -- a component binary, or component text
// (`(component ...)`, encoded as `myrt wat2wasm` does). Text that does not encode is reported (PATH:LINE:COL: reason)
// and *failed is set (nullopt then means "stop", not "a module").
std::optional<std::vector<uint8_t>> componentBytesOf(const std::string& path, bool* failed);
// The same for a file already read (its contents).
std::optional<std::vector<uint8_t>> componentBytesIn(const std::string& contents, const std::string& path, bool* failed);
int validateComponentFile(const std::string& path, const std::vector<uint8_t>& bytes);
int inspectComponentFile(const std::string& path, const std::vector<uint8_t>& bytes);
struct InspectOptions {
  std::string dumpIr;       // --dump-ir FUNC: the optimizing tier's IR of FUNC (index or name) instead of the summary
  bool noOptimize = false;  // --no-optimize: that IR as built
  bool regalloc = false;    // --regalloc: with each value's register or spill slot and the edge moves
};
int cmdInspect(const std::string& file, const InspectOptions& opts = {});
// `myrt run`: argv = FILE then the guest's arguments.
struct RunOptions {
  std::vector<std::string> argv;
  std::optional<std::string> invoke;       // call this export with argv[1..] instead of _start
  std::vector<std::string> dirs;           // HOST[::GUEST], read-write
  std::vector<std::string> dirsReadOnly;   // HOST[::GUEST], read-only
  std::vector<std::string> env;            // NAME=VALUE, or NAME (the host's value)
  bool inheritEnv = false;
  std::optional<uint64_t> maxMemoryBytes;  // all linear memories together
  std::optional<uint64_t> maxStackBytes;   // the interpreter's value stack
  std::optional<uint64_t> maxNativeStackBytes;  // machine stack below the host's entry (StoreLimits::maxNativeStack)
  std::optional<uint64_t> memoryReservation;  // --memory-reservation: address space per linear memory (StoreLimits)
  Tier tier = defaultTier();                // execution tier (--tier)
  uint32_t jobs = 0;                       // -j/--jobs: threads compiling an instance on the jit tier (0: default)
  bool bench = false;                      // --bench: provide bench.start/bench.end, report the time between them
  bool verbose = false;                    // -v/--trace-traps: full backtraces, exit/instantiation notes
  std::optional<uint64_t> fuel;            // --fuel: trap "fuel exhausted" after about this many instructions
  std::optional<uint64_t> timeoutMs;       // --timeout: trap "interrupted" after this much wall time
  std::string profile;                     // --profile: "" or "perfmap" (/tmp/perf-PID.map for perf)
  std::optional<std::string> argv0;        // --argv0: the guest's argv[0] instead of FILE
  std::vector<std::string> preloads;       // --preload NAME=FILE: instances whose exports satisfy imports from NAME
  bool unknownImportsTrap = false;         // link missing function imports to stubs that trap
  bool unknownImportsDefault = false;      // link missing function imports to stubs returning zeros / null
  bool allowFallback = false;              // --tier=jit: run functions the JIT cannot compile in the interpreter
  bool wasiThreads = true;                 // provide wasi-threads' `wasi.thread-spawn` (-S threads=n: not)
  uint32_t maxThreads = wasi::kDefaultMaxThreads;  // --max-threads: spawned threads running at once
  bool allowPrecompiled = false;           // --allow-precompiled: FILE may be a precompiled module (native code)
  bool noCache = false;                    // --no-cache: neither read nor write the code cache
  bool inheritNetwork = false;             // -S inherit-network: every network destination (wasi:http, sockets)
  std::vector<std::string> allowHttp;      // --allow-http HOST[:PORT]: outgoing HTTP(S) to these (WASI 0.2 guests)
  std::vector<std::string> allowConnect;   // --allow-connect HOST:PORT: wasi:sockets connect / send to these
  std::vector<std::string> allowBind;      // --allow-bind ADDR:PORT: wasi:sockets bind to these
  bool tcp = true, udp = true;             // -S tcp / -S udp (wasmtime's; on by default, no address by themselves)
  bool ipNameLookup = false;               // -S allow-ip-name-lookup
  uint32_t maxOutgoingRequests = 32;       // --max-outgoing-requests: outgoing HTTP requests alive at once
  std::string maxOutgoingBuffer = "64M";   // --max-outgoing-buffer: request-body bytes buffered before sending
};
int cmdRun(const RunOptions& opts);
// `myrt compile FILE [-o OUT]`: a precompiled module (.cwasm) for this CPU and this myrt.
int cmdCompile(const std::string& file, std::string out, unsigned jobs);
// `myrt run` of a component (cli/component_cli.cpp) on the store cmdRun made (tier, limits, fuel, timeout applied):
// --invoke 'name(WAVE args)' calls that export and prints its result in WAVE; otherwise wasi:cli/run#run (exit 0
// for ok, 1 for err, or the code wasi:cli/exit recorded). WASI 0.2 (wasi/p2) gets `wasiConfig`'s capabilities.
int runComponent(const RunOptions& opts, const std::vector<uint8_t>& bytes, Store& store,
                 const wasi::WasiConfig& wasiConfig);

// `myrt serve FILE` (cli/serve_cli.cpp): a wasi:http proxy component behind an HTTP/1.1 server (serve/server.h).
struct ServeOptions {
  std::string file;
  std::string addr = "127.0.0.1:8080";
  unsigned threads = 0;
  std::vector<std::string> dirs, dirsReadOnly, env;
  bool inheritEnv = false;
  bool inheritNetwork = false;     // -S inherit-network
  std::vector<std::string> allowHttp;  // --allow-http HOST[:PORT]
  std::vector<std::string> allowConnect, allowBind;  // --allow-connect / --allow-bind
  bool tcp = true, udp = true, ipNameLookup = false;  // -S tcp / udp / allow-ip-name-lookup
  uint32_t maxOutgoingRequests = 32;         // --max-outgoing-requests (per request's guest)
  std::string maxOutgoingBuffer = "64M";     // --max-outgoing-buffer
  std::string maxMemory, fuel, timeout, maxBody = "64M";
  std::vector<std::string> wOpts, sOpts;
  Tier tier = Tier::Interp;
  unsigned connectionLimit = 0;  // 0: the fd limit (raised to its hard limit) less 64
  unsigned idleTimeoutSec = 30;
  bool verbose = false;
};
int cmdServe(const ServeOptions& opts);
// The guest's environment from --inherit-env and --env NAME=VALUE / NAME (the host's value); a later setting
// replaces an earlier one. Returns an error message (without the command's prefix).
std::optional<std::string> guestEnvironment(bool inherit, const std::vector<std::string>& specs,
                                            std::vector<std::pair<std::string, std::string>>& env);
// The network options (--allow-http HOST[:PORT], --allow-connect HOST:PORT, --allow-bind ADDR:PORT, -S
// inherit-network, tcp, udp, allow-ip-name-lookup) -> the guest's network grants. Returns an error message.
struct NetworkOptions {
  bool inheritNetwork = false, tcp = true, udp = true, ipNameLookup = false;
  const std::vector<std::string>* allowHttp = nullptr;
  const std::vector<std::string>* allowConnect = nullptr;
  const std::vector<std::string>* allowBind = nullptr;
  uint32_t maxOutgoingRequests = 32;
  const std::string* maxOutgoingBuffer = nullptr;
};
std::optional<std::string> networkGrants(const NetworkOptions& o, wasi::NetworkGrants& out);
template <class Opts>
std::optional<std::string> networkGrants(const Opts& o, wasi::NetworkGrants& out) {
  return networkGrants(NetworkOptions{o.inheritNetwork, o.tcp, o.udp, o.ipNameLookup, &o.allowHttp,
                                      &o.allowConnect, &o.allowBind, o.maxOutgoingRequests, &o.maxOutgoingBuffer},
                       out);
}
// --fuel's value: a non-negative integer up to INT64_MAX (nullopt if malformed).
std::optional<uint64_t> parseFuel(const std::string& text);

// `myrt --version`: "myrt X.Y.Z (commit C, built DATE)" and a "features: ..." line (cli/version.cpp).
std::string versionText();

// "500ms", "2s", "1.5m", "1h", or a bare number of seconds -> milliseconds (nullopt if malformed or negative).
std::optional<uint64_t> parseDuration(const std::string& text);

// The host module "bench" of sightglass programs (cli/bench_module.cpp): `start` and `end`, both [] -> [], take
// steady-clock timestamps. Registered in store.registered["bench"] by `myrt run --bench`.
struct BenchTimer {
  std::optional<uint64_t> startNs, endNs;  // steady clock, at the first start / first end after it
  // "myrt: bench: 12.345 ms between bench.start and bench.end", or why there is no figure.
  std::string report() const;
};
Instance* addBenchModule(Store& store, BenchTimer& timer);

// "64M" -> 67108864 (suffixes K, M, G; powers of 1024).
std::optional<uint64_t> parseSize(const std::string& text);

struct WastOptions {
  bool verbose = false;     // list every command with its outcome
  bool mismatches = false;  // list rejections whose message differs from the expected text
  bool strict = false;      // a message mismatch or an unsupported command not in knownSkips fails
  std::set<unsigned> knownSkips;  // --known-skip LINE: unsupported commands allowed (skipped) under --strict
  bool stats = false;       // print the calls per tier and the JIT's compiled/fallback functions
  bool expectJit = false;   // fail a file that called wasm functions none of which ran in JIT code
  bool allowFallback = false;  // --tier=jit: accept functions the JIT leaves in the interpreter
  bool aotRoundTrip = false;   // --aot-roundtrip: every module precompiled, serialized and loaded back before use
  bool json = false;        // print a JSON report instead of the text lines
  std::string junit;        // also write a JUnit XML report to this file
  std::string exclusions;   // --exclusions FILE: assertions not run, each with its reason (cli/wast_component.h)
  std::optional<uint64_t> maxMemoryBytes;  // --max-memory: the store's limit (StoreLimits::maxMemoryBytes)
  FrontEndOptions frontEnd;
  Tier tier = defaultTier();  // execution tier (--tier)
};
int cmdWast(const std::vector<std::string>& files, const WastOptions& opts);
// "calls: N in the interpreter, M entries into JIT code, K OSR transfers; JIT: F functions compiled, B left in the
// interpreter" (ExecContext::tierCalls, Store::jitCompiledFuncs/jitFallbacks; `myrt run -v`, `myrt wast --stats`).
std::string tierStatsLine(const ExecContext::TierCalls& calls, uint64_t jitFunctions, uint64_t jitFallbacks);

}  // namespace myrt::cli
