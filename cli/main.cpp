// cli/main.cpp -- `myrt` entry point: command-line parsing (CLI11), file loading and the small subcommands
// (validate, run). inspect lives in cli/inspect.cpp, the spec-test runner in cli/wast_runner.cpp.
// Layer: cli. CLI11 reports usage errors through exceptions; they are caught here and never reach the core.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <variant>

#include <CLI/CLI.hpp>

#include "cli/cli.h"
#include "runtime/binary/decoder.h"
#include "runtime/text/wat.h"
#include "runtime/valid/validator.h"

#ifndef MYRT_VERSION
#define MYRT_VERSION "0.0.0"
#endif

namespace myrt::cli {

// Inputs larger than this are refused (an endless device such as /dev/zero, a pipe that never ends), and a failed
// allocation while reading is an error, not an abort.
constexpr uint64_t kMaxInputBytes = uint64_t(1) << 30;

Result<std::string> readFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return Error(std::string("cannot read file: is a directory"));
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Error(std::string("cannot open file: ") + std::strerror(errno));
  std::string out;
  try {
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec && size <= kMaxInputBytes) out.reserve(static_cast<size_t>(size));
    char buf[65536];
    for (;;) {
      const size_t n = std::fread(buf, 1, sizeof buf, f);
      if (n == 0) break;
      if (out.size() + n > kMaxInputBytes) {
        std::fclose(f);
        return Error("cannot read file: larger than 1 GiB");
      }
      out.append(buf, n);
    }
  } catch (const std::bad_alloc&) {
    std::fclose(f);
    return Error(std::string("cannot read file: out of memory"));
  }
  const bool bad = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (bad) return Error(std::string("cannot read file: ") + std::strerror(err));
  return out;
}

bool isTextModule(std::string_view path, std::string_view contents) {
  auto ends = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix;
  };
  if (ends(".wat")) return true;
  if (ends(".wasm")) return false;
  return contents.substr(0, 4) != std::string_view("\0asm", 4);
}

std::string formatError(const std::string& path, const Error& e, const std::string* text) {
  if (text && e.offset != Error::kNoOffset) {
    LineCol lc = lineCol(*text, e.offset);
    return path + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.col) + ": " + e.message;
  }
  return path + ": " + e.toString();
}

const char* toString(Stage s) {
  switch (s) {
    case Stage::Read: return "read";
    case Stage::Text: return "text";
    case Stage::Decode: return "decode";
    case Stage::Validate: return "validate";
  }
  return "?";
}

Loaded loadBinary(std::vector<uint8_t> bytes, const FrontEndOptions& opts) {
  Loaded out;
  DecodeOptions dopts;
  dopts.wasm20 = opts.wasm2;
  dopts.threads20 = opts.threads;
  ValidateOptions vopts;
  vopts.wasm2Only = opts.wasm2;
  vopts.singleTable = opts.threads;
  auto m = decodeModule(std::move(bytes), dopts);
  if (!m.ok()) {
    out.stage = Stage::Decode;
    out.error = std::move(m).error();
    return out;
  }
  Status v = validateModule(m.value(), vopts);
  if (!v.ok()) {
    out.stage = Stage::Validate;
    out.error = std::move(v).error();
    return out;
  }
  out.module = std::move(m).value();
  return out;
}

namespace {

// Text that is plausibly WAT: after whitespace and comments (";; ...", nested "(; ... ;)") comes '('.
bool looksLikeWat(std::string_view t) {
  size_t i = 0;
  while (i < t.size()) {
    const char c = t[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
    } else if (t.substr(i, 2) == ";;") {
      size_t nl = t.find('\n', i);
      i = nl == std::string_view::npos ? t.size() : nl + 1;
    } else if (t.substr(i, 2) == "(;") {
      int depth = 0;
      do {
        if (t.substr(i, 2) == "(;") depth++, i += 2;
        else if (t.substr(i, 2) == ";)") depth--, i += 2;
        else ++i;
      } while (depth > 0 && i < t.size());
    } else {
      return c == '(';
    }
  }
  return false;
}

// The proposal behind an instruction or syntax the front end rejected, named for the user ("wide-arithmetic")
// instead of "illegal opcode fc 13". nullptr if the error is not about a known unsupported proposal.
const char* unsupportedProposal(const std::string& message, std::string_view textAtError) {
  auto starts = [&](std::string_view p) { return message.compare(0, p.size(), p) == 0; };
  for (const char* op : {"illegal opcode fc 13", "illegal opcode fc 14", "illegal opcode fc 15", "illegal opcode fc 16"})
    if (starts(op)) return "wide-arithmetic";
  for (const char* op : {"illegal opcode e0", "illegal opcode e1", "illegal opcode e2", "illegal opcode e3",
                         "illegal opcode e4", "illegal opcode e5"})
    if (starts(op)) return "stack switching";
  if (starts("unknown operator ")) {
    std::string_view op = std::string_view(message).substr(17);
    op = op.substr(0, op.find(' '));
    for (std::string_view w : {"i64.add128", "i64.sub128", "i64.mul_wide_s", "i64.mul_wide_u"})
      if (op == w) return "wide-arithmetic";
    for (std::string_view w : {"cont.new", "cont.bind", "suspend", "resume", "resume_throw", "switch"})
      if (op == w) return "stack switching";
  }
  if (textAtError.substr(0, 8) == "pagesize") return "custom-page-sizes";
  return nullptr;
}

// "unsupported proposal: wide-arithmetic (illegal opcode fc 13)" when the error comes from a proposal we do not run.
Error explainError(Error e, std::string_view textAtError = {}) {
  if (const char* p = unsupportedProposal(e.message, textAtError))
    e.message = std::string("unsupported proposal: ") + p + " (" + e.message + ")";
  return e;
}

// A WebAssembly component: the binary magic followed by a component's version/layer (0x0d 0x00, layer 0x01 0x00).
bool isComponentBinary(std::string_view c) {
  return c.size() >= 8 && c.substr(0, 4) == std::string_view("\0asm", 4) && c[6] == 1 && c[7] == 0;
}

}  // namespace

std::optional<Module> loadFileOrReport(const std::string& path, const FrontEndOptions& opts, bool* fromText) {
  auto contents = readFile(path);
  if (!contents.ok()) {
    std::cerr << "myrt: " << path << ": " << contents.error().message << "\n";
    return std::nullopt;
  }
  return loadContentsOrReport(path, contents.value(), opts, fromText);
}

std::optional<Module> loadContentsOrReport(const std::string& path, const std::string& c, const FrontEndOptions& opts,
                                           bool* fromText) {
  if (isComponentBinary(c)) {
    std::cerr << "myrt: " << path
              << ": this is a WebAssembly component (component model, layer 1), not a core module; myrt does not "
                 "run components yet (unsupported: component model)\n";
    return std::nullopt;
  }
  std::vector<uint8_t> bytes;
  const bool text = isTextModule(path, c);
  if (fromText) *fromText = text;
  const bool namedWat = path.size() >= 4 && path.compare(path.size() - 4, 4, ".wat") == 0;
  if (c.substr(0, 4) != std::string_view("\0asm", 4) && !namedWat && !looksLikeWat(c)) {
    std::cerr << "myrt: " << path << ": not a WebAssembly binary (no \\0asm header) and not WAT text\n";
    return std::nullopt;
  }
  if (text) {
    WatOptions wopts;
    wopts.wasm2 = opts.wasm2;
    auto bin = watToBinary(c, wopts);
    if (!bin.ok()) {
      const Error& e = bin.error();
      std::string_view at = e.offset < c.size() ? std::string_view(c).substr(e.offset) : std::string_view();
      std::cerr << "myrt: " << formatError(path, explainError(e, at), &c) << "\n";
      return std::nullopt;
    }
    bytes = std::move(bin).value();
  } else {
    bytes.assign(c.begin(), c.end());
  }
  Loaded l = loadBinary(std::move(bytes), opts);
  if (!l.module) {
    l.error = explainError(std::move(l.error));
    // Errors after the text stage are offsets into the binary encoding; for text input say so.
    if (text && l.error.offset != Error::kNoOffset) {
      char buf[48];
      std::snprintf(buf, sizeof buf, ": binary offset 0x%zx: ", l.error.offset);
      std::cerr << "myrt: " << path << buf << l.error.message << "\n";
    } else {
      std::cerr << "myrt: " << formatError(path, l.error) << "\n";
    }
    return std::nullopt;
  }
  return std::move(l.module);
}

// `myrt wat2wasm IN -o OUT`: the text parser's binary output, for a module or a component (no validation).
int cmdWat2Wasm(const std::string& in, const std::string& out, const FrontEndOptions& opts) {
  auto contents = readFile(in);
  if (!contents.ok()) {
    std::cerr << "myrt: " << in << ": " << contents.error().message << "\n";
    return kExitError;
  }
  Result<std::vector<uint8_t>> bin = isComponentText(contents.value())
                                         ? componentToBinary(contents.value())
                                         : watToBinary(contents.value(), WatOptions{opts.wasm2});
  if (!bin.ok()) {
    std::cerr << "myrt: " << formatError(in, bin.error(), &contents.value()) << "\n";
    return kExitError;
  }
  std::FILE* f = std::fopen(out.c_str(), "wb");
  if (!f || std::fwrite(bin->data(), 1, bin->size(), f) != bin->size()) {
    if (f) std::fclose(f);
    std::cerr << "myrt: " << out << ": cannot write\n";
    return kExitError;
  }
  std::fclose(f);
  return kExitOk;
}

int cmdValidate(const std::vector<std::string>& files, const FrontEndOptions& opts) {
  int rc = kExitOk;
  for (const auto& f : files) {
    bool failed = false;
    if (auto cb = componentBytesOf(f, &failed)) {
      if (validateComponentFile(f, *cb) != kExitOk) rc = kExitError;
      continue;
    }
    if (failed) {
      rc = kExitError;
      continue;
    }
    if (loadFileOrReport(f, opts)) std::cout << f << ": valid\n";
    else rc = kExitError;
  }
  return rc;
}

std::optional<uint64_t> parseSize(const std::string& text) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (errno || end == text.c_str()) return std::nullopt;
  std::string suffix = end;
  uint64_t mul = 1;
  if (suffix == "K" || suffix == "k" || suffix == "KiB") mul = uint64_t(1) << 10;
  else if (suffix == "M" || suffix == "m" || suffix == "MiB") mul = uint64_t(1) << 20;
  else if (suffix == "G" || suffix == "g" || suffix == "GiB") mul = uint64_t(1) << 30;
  else if (!suffix.empty()) return std::nullopt;
  if (v > UINT64_MAX / mul) return std::nullopt;
  return v * mul;
}

std::optional<uint64_t> parseDuration(const std::string& text) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (errno || end == text.c_str() || !(v >= 0) || text[0] == '-' || text[0] == '+') return std::nullopt;
  const std::string unit = end;
  double ms;
  if (unit.empty() || unit == "s") ms = v * 1e3;
  else if (unit == "ms") ms = v;
  else if (unit == "m" || unit == "min") ms = v * 60e3;
  else if (unit == "h") ms = v * 3600e3;
  else return std::nullopt;
  if (ms > 1e15) return std::nullopt;
  return static_cast<uint64_t>(ms + 0.5);
}

std::optional<uint64_t> parseFuel(const std::string& text) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long n = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || errno || *end || text[0] < '0' || text[0] > '9' || n > uint64_t(INT64_MAX)) return std::nullopt;
  return n;
}

}  // namespace myrt::cli

// --tier help of run and wast.
const char* const kTierHelp =
    "execution tier: interp, jit, auto (interpreter, tier-up to the JIT after MYRT_TIER_UP_THRESHOLD polls "
    "of a function, default 1000) or opt (like jit, with the optimizing tier for the functions it supports so far); "
    "default auto (interp where this build/CPU has no JIT)";

namespace {

using namespace myrt::cli;

const char* const kCommands[] = {"run", "serve", "compile", "validate", "inspect", "wast", "wat2wasm", "help"};

bool isCommand(std::string_view a) {
  for (const char* c : kCommands)
    if (a == c) return true;
  return false;
}

// One Usage line per command (CLI11's default would print "myrt run [OPTIONS]" without FILE and ARGS).
class Formatter : public CLI::Formatter {
 public:
  std::string make_usage(const CLI::App* app, std::string name) const override {
    if (app->get_name() == "run") return "\nUsage: myrt run [OPTIONS] FILE [ARGS...]\n";
    return CLI::Formatter::make_usage(app, std::move(name));
  }
};

// `myrt run` arguments: [OPTIONS] [--] FILE [ARGS...]. The options are split off here (CLI11 parses them), so that an
// unknown option is an error naming it instead of being taken for FILE, and `--` ends the options.
// Returns the index of FILE in args (args.size() if there is none), or an error message.
std::variant<size_t, std::string> findRunFile(CLI::App& run, const std::vector<std::string>& args, size_t from) {
  for (size_t i = from; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") return i + 1;
    if (a.size() < 2 || a[0] != '-') return i;
    std::string name = a;
    bool attached = false;
    if (a[1] == '-') {
      if (size_t eq = a.find('='); eq != std::string::npos) name = a.substr(0, eq), attached = true;
    } else if (a.size() > 2) {
      name = a.substr(0, 2), attached = true;  // -j3, -Wfuel=5
    }
    const CLI::Option* opt = run.get_option_no_throw(name);
    if (!opt) return "unknown option " + name;
    const bool takesValue = opt->get_items_expected_max() > 0;  // flags expect 0
    if (attached && !takesValue) return "option " + name + " takes no value";
    if (takesValue && !attached) ++i;  // its value (CLI11 reports a missing one)
  }
  return args.size();
}

// -W/-S values: KEY[=VALUE][,KEY[=VALUE]...] (wasmtime's syntax).
struct KeyValue {
  std::string key, value;
  bool hasValue = false;
};
std::vector<KeyValue> splitKeyValues(const std::vector<std::string>& items) {
  std::vector<KeyValue> out;
  for (const std::string& item : items) {
    size_t pos = 0;
    while (pos <= item.size()) {
      size_t comma = item.find(',', pos);
      if (comma == std::string::npos) comma = item.size();
      std::string part = item.substr(pos, comma - pos);
      pos = comma + 1;
      if (part.empty()) continue;
      KeyValue kv;
      if (size_t eq = part.find('='); eq != std::string::npos) {
        kv.key = part.substr(0, eq), kv.value = part.substr(eq + 1), kv.hasValue = true;
      } else {
        kv.key = part;
      }
      out.push_back(std::move(kv));
    }
  }
  return out;
}

// y/yes/true/on (or no value) -> true; n/no/false/off -> false.
std::optional<bool> parseBool(const KeyValue& kv) {
  if (!kv.hasValue) return true;
  for (const char* t : {"y", "yes", "true", "on"})
    if (kv.value == t) return true;
  for (const char* f : {"n", "no", "false", "off"})
    if (kv.value == f) return false;
  return std::nullopt;
}

// The values of run's options before they are checked (strings, so -W and the long options share one check).
struct RunText {
  std::string maxMemory, maxStack, maxNativeStack, fuel, timeout, memoryReservation;
};

// Applies -W (wasm/runtime options) and -S (WASI options) in wasmtime's spelling. Returns an error message.
std::optional<std::string> applyWasmtimeOptions(const std::vector<std::string>& w, const std::vector<std::string>& sOpts,
                                                RunOptions& opts, RunText& text) {
  static const char* const kW = "fuel, max-memory-size, max-wasm-stack, threads, timeout, unknown-imports-trap, "
                                "unknown-imports-default";
  static const char* const kS = "inherit-env, inherit-network, tcp, udp, allow-ip-name-lookup, threads";
  for (const KeyValue& kv : splitKeyValues(w)) {
    auto needValue = [&]() -> std::optional<std::string> {
      if (!kv.hasValue || kv.value.empty()) return "-W " + kv.key + " needs a value (-W " + kv.key + "=VALUE)";
      return std::nullopt;
    };
    if (kv.key == "fuel" || kv.key == "max-memory-size" || kv.key == "max-wasm-stack" || kv.key == "timeout") {
      if (auto e = needValue()) return e;
      std::string& dst = kv.key == "fuel"              ? text.fuel
                         : kv.key == "max-memory-size" ? text.maxMemory
                         : kv.key == "max-wasm-stack"  ? text.maxNativeStack
                                                       : text.timeout;
      dst = kv.value;
      // wasmtime's bound is the stack wasm may use: the machine stack of JIT code (and of interpreter re-entries),
      // and here also the interpreter's value stack, so that one bound holds on every tier
      if (kv.key == "max-wasm-stack") text.maxStack = kv.value;
    } else if (kv.key == "threads") {
      // wasmtime's switch for the threads proposal, which myrt always supports
      auto b = parseBool(kv);
      if (!b) return "-W threads: expected y or n, got '" + kv.value + "'";
      if (!*b) return std::string("-W threads=n: unsupported (the threads proposal is always enabled)");
    } else if (kv.key == "unknown-imports-trap" || kv.key == "unknown-imports-default") {
      auto b = parseBool(kv);
      if (!b) return "-W " + kv.key + ": expected y or n, got '" + kv.value + "'";
      (kv.key == "unknown-imports-trap" ? opts.unknownImportsTrap : opts.unknownImportsDefault) = *b;
    } else {
      return "unknown -W option '" + kv.key + "' (known: " + kW + ")";
    }
  }
  for (const KeyValue& kv : splitKeyValues(sOpts)) {
    if (kv.key == "inherit-env") {
      auto b = parseBool(kv);
      if (!b) return "-S " + kv.key + ": expected y or n, got '" + kv.value + "'";
      opts.inheritEnv = *b;
    } else if (kv.key == "inherit-network" || kv.key == "tcp" || kv.key == "udp" ||
               kv.key == "allow-ip-name-lookup") {  // network grants (wasi:http, wasi:sockets)
      auto b = parseBool(kv);
      if (!b) return "-S " + kv.key + ": expected y or n, got '" + kv.value + "'";
      (kv.key == "inherit-network" ? opts.inheritNetwork
       : kv.key == "tcp"           ? opts.tcp
       : kv.key == "udp"           ? opts.udp
                                   : opts.ipNameLookup) = *b;
    } else if (kv.key == "threads") {  // wasi-threads (provided by default; -S threads=n leaves `wasi` unlinked)
      auto b = parseBool(kv);
      if (!b) return "-S " + kv.key + ": expected y or n, got '" + kv.value + "'";
      opts.wasiThreads = *b;
    } else {
      return "unknown -S option '" + kv.key + "' (known: " + kS + ")";
    }
  }
  return std::nullopt;
}

int usageError(const std::string& message, const char* hint = "myrt --help") {
  std::cerr << "myrt: " << message << "\n";
  std::cerr << "Run `" << hint << "` for usage.\n";
  return kExitUsage;
}

// fds 0-2 closed by the parent would be taken by the next open (a preopened directory, a file the guest opens), and
// myrt's own diagnostics (trap messages with the module's path) and the guest's stdout would then be written into it.
// Reopen each closed one on /dev/null before anything else is opened.
void reopenStandardFds() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    const int got = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
    if (got >= 0 && got != fd) {  // a lower one was taken in between (cannot happen single-threaded): give it back
      close(got);
      _exit(myrt::cli::kExitError);
    }
    if (got < 0) _exit(myrt::cli::kExitError);  // nowhere safe to write diagnostics
  }
}

}  // namespace

static int cliMain(int argc, char** argv) {
  reopenStandardFds();
  // The command line as CLI11 sees it: `myrt help [CMD]` is `myrt [CMD] --help`, a first argument that is not a
  // command (a file or a run option) means `run`, and run's FILE and ARGS are split off before parsing.
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "help") {
    if (args.size() > 2) return usageError("help: expected at most one command name");
    if (args.size() == 2 && (!isCommand(args[1]) || args[1] == "help"))
      return usageError("help: unknown command '" + args[1] + "' (commands: run, serve, compile, validate, inspect, wast, wat2wasm)");
    args.erase(args.begin());
    args.push_back("--help");
  }
  const bool topLevelFlag = !args.empty() && (args[0] == "--help" || args[0] == "-h" || args[0] == "--version" || args[0] == "-V");
  if (!args.empty() && !isCommand(args[0]) && !topLevelFlag) {
    // A bare word that names no file is more likely a mistyped command than a module.
    std::error_code ec;
    if (args[0][0] != '-' && args[0].find_first_of("./") == std::string::npos &&
        !std::filesystem::exists(args[0], ec))
      return usageError("'" + args[0] + "' is neither a command nor a file (commands: run, serve, compile, validate, inspect, wast, wat2wasm, help)");
    args.insert(args.begin(), "run");
  }
  // Only the chosen command's options are built: CLI11 checks each new option against every earlier one, and building
  // all of them cost a hello-world run a third of its instructions. `myrt --help` lists the commands only.
  const std::string cmd = !args.empty() && isCommand(args[0]) ? args[0] : std::string();
  if (cmd == "run" && args.size() >= 2 && (args[1].size() < 2 || args[1][0] != '-')) {
    // `myrt [run] FILE ARGS...` with no option: nothing for CLI11 to parse (findRunFile would stop at FILE), so it is
    // not built at all -- the most common command line starts as fast as a command line can.
    RunOptions plain;
    plain.argv.assign(args.begin() + 1, args.end());
    return cmdRun(plain);
  }
  CLI::App app{"myrt -- a WebAssembly runtime.\n"
               "Validates, inspects and runs WebAssembly modules (.wasm binary or .wat text), and runs .wast spec tests.\n"
               "`myrt FILE [ARGS...]` is `myrt run FILE [ARGS...]`.",
               "myrt"};
  app.formatter(std::make_shared<Formatter>());
  app.set_version_flag("-V,--version", versionText());
  app.require_subcommand(1);
  app.footer("Exit codes: 0 success, 1 invalid input / failed tests / unsupported, 2 usage error;\n"
             "run: the guest's exit status when in [0, 126) (1 with an error for any other status), 134 for a trap.\n"
             "Run `myrt help COMMAND` or `myrt COMMAND --help` for the options of a command.");

  std::vector<std::string> validateFiles;
  auto* validate = app.add_subcommand("validate", "Decode and validate modules (.wasm, or .wat through the text parser)");
  FrontEndOptions validateOpts;
  if (cmd == "validate") {
    validate->add_option("FILE", validateFiles, "module files")->required();
    validate->add_flag("--wasm2", validateOpts.wasm2, "apply WebAssembly 2.0 rules where 3.0 changed them");
  }

  std::string w2wIn, w2wOut;
  FrontEndOptions w2wOpts;
  auto* w2w = app.add_subcommand("wat2wasm", "Encode a text module or component (.wat) to the binary format");
  if (cmd == "wat2wasm") {
    w2w->add_option("FILE", w2wIn, "text file")->required();
    w2w->add_option("-o,--output", w2wOut, "output file")->required();
    w2w->add_flag("--wasm2", w2wOpts.wasm2, "apply WebAssembly 2.0 rules where 3.0 changed them");
  }

  std::string compileFile, compileOut;
  unsigned compileJobs = 0;
  auto* compile = app.add_subcommand(
      "compile", "Compile a module ahead of time for this CPU and this myrt: FILE.cwasm, run with --allow-precompiled");
  if (cmd == "compile") {
    compile->add_option("FILE", compileFile, "module file (.wasm or .wat)")->required();
    compile->add_option("-o,--output", compileOut, "the precompiled module (default: FILE with the extension .cwasm)")
        ->type_name("OUT");
    compile->add_option("-j,--jobs", compileJobs, "compile threads (default 0: the online CPUs, at most 8)")
        ->type_name("N")->check(CLI::Range(0u, 256u));
  }

  std::string inspectFile;
  InspectOptions inspectOpts;
  auto* inspect = app.add_subcommand("inspect", "Print sections, types, imports, exports, code sizes and names");
  if (cmd == "inspect") {
    inspect->add_option("FILE", inspectFile, "module file (.wasm or .wat)")->required();
    inspect->add_option("--dump-ir", inspectOpts.dumpIr,
                        "print the optimizing tier's SSA IR of this function (index or name) instead, after its "
                        "optimizations (a debugging aid: no code is generated from it yet)")
        ->type_name("FUNC");
    inspect->add_flag("--no-optimize", inspectOpts.noOptimize, "with --dump-ir: the IR as built, before optimizing");
    inspect->add_flag("--regalloc", inspectOpts.regalloc,
                      "with --dump-ir: each value's register or spill slot (the optimizing tier's linear-scan "
                      "allocator) and the moves on edges into blocks with parameters");
  }

  std::vector<std::string> wastFiles;
  WastOptions wastOpts;
  std::string wastMaxMemory;
  auto* wast = app.add_subcommand("wast", "Run .wast spec-test scripts; prints `N passed, M failed, K skipped`");
  std::string wastTier = myrt::tierName(myrt::defaultTier());
  if (cmd == "wast") {
    wast->add_option("FILE", wastFiles, ".wast scripts")->required();
    wast->add_flag("-v,--verbose", wastOpts.verbose, "list every command with its outcome");
    wast->add_flag("-m,--mismatches", wastOpts.mismatches,
                   "list assert_malformed/assert_invalid rejections whose message differs from the expected text");
    wast->add_flag("--wasm2", wastOpts.frontEnd.wasm2,
                   "apply WebAssembly 2.0 rules where 3.0 changed them (for the 2.0 spec testsuite)");
    wast->add_flag("--threads", wastOpts.frontEnd.threads,
                   "with --wasm2: the threads proposal's testsuite rules (it was written against 1.0: shared memories "
                   "in the 2.0 limits encoding, a single table)");

    wast->add_option("--tier", wastTier, kTierHelp)->type_name("TIER");
    wast->add_flag("--strict", wastOpts.strict,
                   "fail a rejection whose message differs from the expected text and any skipped command not listed "
                   "with --known-skip");
    wast->add_option("--known-skip", wastOpts.knownSkips,
                     "LINE of an unsupported command allowed to be skipped under --strict (repeatable; a listed line "
                     "that is not skipped fails)")
        ->allow_extra_args(false);
    wast->add_option("--exclusions", wastOpts.exclusions,
                     "FILE of assertions not to run, one `SCRIPT:LINE  # reason` a line (each excluded one is reported "
                     "with its reason and counted; a line naming no command of a script that ran fails)")
        ->type_name("FILE");
    wast->add_flag("--stats", wastOpts.stats, "print the function calls per tier and the JIT's compiled functions");
    wast->add_flag("--expect-jit", wastOpts.expectJit,
                   "fail a script that called wasm functions none of which ran in JIT code (auto-tier tests)");
    wast->add_flag("--allow-fallback", wastOpts.allowFallback,
                   "--tier=jit: accept functions the JIT leaves in the interpreter (default: they fail)");
    wast->add_flag("--aot-roundtrip", wastOpts.aotRoundTrip,
                   "--tier=jit: compile each module ahead of time, serialize and load it back before use (tests of "
                   "precompiled code)");
    wast->add_flag("--json", wastOpts.json,
                   "print a JSON report (per file and per command: passed, failed with the reason and for assert_return "
                   "the expected and actual values, skipped with the reason) instead of the text lines");
    wast->add_option("--junit", wastOpts.junit, "also write a JUnit XML report to this FILE");
    wast->add_option("--max-memory", wastMaxMemory,
                     "limit the host memory of each script's store (linear memories by their size, tables, GC objects), "
                     "e.g. 64M, 200G (default 16G)")
        ->type_name("SIZE");
  }

  ServeOptions serveOpts;
  std::string serveTier = "interp";
  auto* serve = app.add_subcommand(
      "serve", "Serve a wasi:http proxy component over HTTP/1.1: a fresh instance per request, on every core");
  if (cmd == "serve") {
    serve->add_option("FILE", serveOpts.file, "component exporting wasi:http/incoming-handler")->required();
    serve->add_option("--addr", serveOpts.addr, "listen on HOST:PORT or [V6]:PORT (port 0: any free one; default "
                      "127.0.0.1:8080)")->type_name("HOST:PORT");
    serve->add_option("--threads", serveOpts.threads, "server threads running requests (default 0: the online CPUs)")
        ->type_name("N")->check(CLI::Range(0u, 1024u));
    serve->add_option("--timeout", serveOpts.timeout,
                      "per request: the guest is interrupted after this wall time and the request answered 500")
        ->type_name("DURATION");
    serve->add_option("--fuel", serveOpts.fuel, "per request: about N wasm instructions, then 500")->type_name("N");
    serve->add_option("--max-memory", serveOpts.maxMemory, "per request: host memory of the instance (e.g. 64M)")
        ->type_name("SIZE");
    serve->add_option("--max-body", serveOpts.maxBody, "request and response bodies, each (default 64M; a larger "
                      "request body is answered 413)")->type_name("SIZE");
    serve->add_option("--max-connections", serveOpts.connectionLimit, "concurrent connections (default 0: the open-file limit, raised to its hard limit, less 64)")
        ->type_name("N");
    serve->add_option("--idle-timeout", serveOpts.idleTimeoutSec,
                      "seconds a connection may stay silent, also while sending a request (default 30)")->type_name("S");
    serve->add_option("--tier", serveTier, "execution tier: interp (default), jit or auto (the JIT tiers compile once per "
                      "server thread, and again after a request that trapped)")->type_name("TIER");
    serve->add_option("--dir", serveOpts.dirs, "grant a host directory, read-write: HOST[::GUEST]")
        ->type_name("HOST[::GUEST]")->allow_extra_args(false);
    serve->add_option("--dir-ro", serveOpts.dirsReadOnly, "grant a host directory, read-only: HOST[::GUEST]")
        ->type_name("HOST[::GUEST]")->allow_extra_args(false);
    serve->add_option("--env", serveOpts.env, "set an environment variable for the guest: NAME=VALUE, or NAME")
        ->type_name("NAME[=VALUE]")->allow_extra_args(false);
    serve->add_flag("--inherit-env", serveOpts.inheritEnv, "pass this process's whole environment to the guest");
    serve->add_option("--allow-http", serveOpts.allowHttp,
                      "let the guest send HTTP(S) requests (wasi:http/outgoing-handler) to HOST, on PORT only if "
                      "given (repeatable)")
        ->type_name("HOST[:PORT]")->allow_extra_args(false);
    serve->add_option("--max-outgoing-requests", serveOpts.maxOutgoingRequests,
                      "outgoing HTTP requests a request's guest may have alive at once (more: connection-limit-reached; "
                      "default 32)")
        ->type_name("N")->check(CLI::Range(1u, 1u << 20));
    serve->add_option("--max-outgoing-buffer", serveOpts.maxOutgoingBuffer,
                      "bytes of outgoing request bodies a guest may buffer before they are sent (more: "
                      "HTTP-request-body-size; default 64M)")
        ->type_name("SIZE");
    serve->add_option("--allow-connect", serveOpts.allowConnect,
                      "let the guest's sockets connect / send to HOST:PORT (port 0: any; repeatable)")
        ->type_name("HOST:PORT")->allow_extra_args(false);
    serve->add_option("--allow-bind", serveOpts.allowBind, "let the guest's sockets bind ADDR:PORT (repeatable)")
        ->type_name("ADDR:PORT")->allow_extra_args(false);
    serve->add_option("-S", serveOpts.sOpts, "wasmtime-style WASI option: inherit-network (every network destination), "
                      "tcp, udp, allow-ip-name-lookup")
        ->type_name("KEY=VALUE")->allow_extra_args(false);
    serve->add_flag("-v,--verbose", serveOpts.verbose, "an access log line per request on stderr");
    serve->footer("Stops on SIGINT/SIGTERM after the requests in flight. A guest trap, timeout, fuel exhaustion or "
                  "memory limit answers 500 for that request only.");
  }

  RunOptions runOpts;
  RunText runText;
  std::string runTier = myrt::tierName(myrt::defaultTier());
  std::vector<std::string> wOpts, sOpts;
  auto* run = app.add_subcommand(
      "run",
      "Run a WebAssembly program (its _start, with WASI preview1) or --invoke an export. The default command.");
  if (cmd == "run") {
    run->footer(
        "Exit codes: the guest's exit status (proc_exit, 0 when _start returns), 134 for a trap (message and wasm\n"
        "backtrace on stderr), 1 for a module that cannot be loaded, linked or instantiated, 2 for usage errors.\n"
        "Options in wasmtime's spelling: -W KEY=VALUE (" "fuel, max-memory-size, max-wasm-stack, timeout,\n"
        "unknown-imports-trap, unknown-imports-default, threads) and -S inherit-env=y, -S inherit-network=y,\n"
        "-S threads=y; several as -W a=1,b=2.\n"
        "Network (WASI 0.2 components): denied unless granted. --allow-http HOST[:PORT] lets wasi:http's\n"
        "outgoing-handler reach that host (any port without one; e.g. --allow-http example.com:443); -S inherit-network\n"
        "allows every destination. A denied request gets the error-code HTTP-request-denied.\n"
        "wasi:sockets: a socket needs -S inherit-network or an --allow-connect HOST:PORT / --allow-bind ADDR:PORT\n"
        "(port 0: any; 0.0.0.0 or [::]: any address; names resolved now), else access-denied and no host socket;\n"
        "-S tcp=n / -S udp=n turn a protocol off; -S allow-ip-name-lookup lets the guest resolve names.\n"
        "wasi-threads (wasm32-wasip1-threads programs): an imported shared memory is made by the host; each\n"
        "wasi.thread-spawn runs wasi_thread_start in a fresh instance on a new thread (--max-threads running at once);\n"
        "proc_exit or a trap in any thread ends the whole program with that status.\n"
        "`--` ends the options: myrt run --tier jit -- FILE ARGS...");
    run->add_option("--invoke", runOpts.invoke, "call this exported function with ARGS and print its results")
        ->type_name("NAME");
    run->add_option("--dir", runOpts.dirs, "grant a host directory, read-write: HOST[::GUEST]")
        ->type_name("HOST[::GUEST]")->allow_extra_args(false);
    run->add_option("--dir-ro", runOpts.dirsReadOnly, "grant a host directory, read-only: HOST[::GUEST]")
        ->type_name("HOST[::GUEST]")->allow_extra_args(false);
    run->add_option("--env", runOpts.env, "set an environment variable for the guest: NAME=VALUE, or NAME to pass the host's value")
        ->type_name("NAME[=VALUE]")->allow_extra_args(false);
    run->add_flag("--inherit-env", runOpts.inheritEnv, "pass this process's whole environment to the guest (-S inherit-env)");
    run->add_option("--argv0", runOpts.argv0, "the guest's argv[0] (default: FILE as given), for multi-call programs")
        ->type_name("NAME");
    run->add_option("--preload", runOpts.preloads,
                    "instantiate FILE first and let the program import its exports as module NAME (repeatable; a "
                    "preloaded module may import WASI and earlier preloads)")
        ->type_name("NAME=FILE")->allow_extra_args(false);
    run->add_flag("--unknown-imports-trap", runOpts.unknownImportsTrap,
                  "link every function import nothing provides to a stub that traps when called (-W unknown-imports-trap)");
    run->add_flag("--unknown-imports-default", runOpts.unknownImportsDefault,
                  "link every function import nothing provides to a stub returning zeros / null "
                  "(-W unknown-imports-default)");
    run->add_option("--max-memory", runText.maxMemory, "limit the host memory of the guest (linear memories, tables, GC objects) together, e.g. 64M, 1G "
                    "(-W max-memory-size)")
        ->type_name("SIZE");
    run->add_option("--tier", runTier, kTierHelp)->type_name("TIER");
    run->add_option("-j,--jobs", runOpts.jobs,
                    "threads compiling the module on --tier=jit (default 0: the online CPUs, at most 8; the code is the "
                    "same for any number; the auto tier compiles on one background thread)")
        ->type_name("N")->check(CLI::Range(0u, 256u));
    run->add_option("--profile", runOpts.profile,
                    "perfmap: write /tmp/perf-PID.map naming JIT-compiled functions for `perf report` (--tier=jit)")
        ->type_name("KIND");
    run->add_option("--memory-reservation", runText.memoryReservation,
                    "address space reserved per linear memory: default 8G+64K with guard pages (no bounds checks); "
                    "smaller, e.g. 64K: explicit bounds checks, memory.grow fails past it (many more instances)")
        ->type_name("SIZE");
    run->add_option("--max-stack", runText.maxStack,
                    "size of the interpreter's wasm value stack, e.g. 1M (deep recursion traps cleanly)")
        ->type_name("SIZE");
    run->add_option("--max-native-stack", runText.maxNativeStack,
                    "machine stack wasm may use below the host's entry (JIT frames, host re-entries), e.g. 512K; "
                    "default: the thread's stack less a margin (-W max-wasm-stack sets this and --max-stack)")
        ->type_name("SIZE");
    run->add_option("--fuel", runText.fuel, "trap with \"fuel exhausted\" after about N wasm instructions (-W fuel)")
        ->type_name("N");
    run->add_option("--timeout", runText.timeout,
                    "trap with \"interrupted\" after this wall time: 500ms, 2s, 1m (bare = seconds) (-W timeout)")
        ->type_name("DURATION");
    run->add_option("-W", wOpts, "wasmtime-style runtime option KEY[=VALUE][,...] (see below)")
        ->type_name("KEY=VALUE")->allow_extra_args(false);
    run->add_option("--max-threads", runOpts.maxThreads,
                    "wasi-threads: at most N spawned threads running at once (thread-spawn fails beyond; default " +
                        std::to_string(myrt::wasi::kDefaultMaxThreads) + ")")
        ->type_name("N")->check(CLI::Range(1u, 1u << 20));
    run->add_option("--allow-http", runOpts.allowHttp,
                    "let the guest send HTTP(S) requests (wasi:http/outgoing-handler) to HOST, on PORT only if given; "
                    "[V6]:PORT for IPv6 (repeatable)")
        ->type_name("HOST[:PORT]")->allow_extra_args(false);
    run->add_option("--max-outgoing-requests", runOpts.maxOutgoingRequests,
                    "outgoing HTTP requests (wasi:http) alive at once (more: connection-limit-reached; default 32)")
        ->type_name("N")->check(CLI::Range(1u, 1u << 20));
    run->add_option("--max-outgoing-buffer", runOpts.maxOutgoingBuffer,
                    "bytes of outgoing HTTP request bodies buffered before they are sent (more: HTTP-request-body-size; "
                    "default 64M)")
        ->type_name("SIZE");
    run->add_option("--allow-connect", runOpts.allowConnect,
                    "let the guest's sockets (wasi:sockets) connect / send to HOST:PORT (port 0: any; repeatable)")
        ->type_name("HOST:PORT")->allow_extra_args(false);
    run->add_option("--allow-bind", runOpts.allowBind,
                    "let the guest's sockets bind ADDR:PORT (port 0: any; 0.0.0.0 or [::]: any address; repeatable)")
        ->type_name("ADDR:PORT")->allow_extra_args(false);
    run->add_option("-S", sOpts, "wasmtime-style WASI option KEY[=VALUE][,...]: inherit-env, inherit-network, tcp, udp, "
                    "allow-ip-name-lookup, threads")
        ->type_name("KEY=VALUE")->allow_extra_args(false);
    run->add_flag("--bench", runOpts.bench,
                  "provide the `bench` module of sightglass programs (bench.start, bench.end) and print the time "
                  "between them on stderr");
    run->add_flag("--allow-fallback", runOpts.allowFallback,
                  "--tier=jit: run functions the JIT cannot compile in the interpreter (default: an error naming them)");
    run->add_flag("--allow-precompiled", runOpts.allowPrecompiled,
                  "FILE may be a precompiled module (`myrt compile`): native code, run it only if you trust it");
    run->add_flag("--no-cache", runOpts.noCache,
                  "neither read nor write the code cache (machine code of big modules under $MYRT_CACHE_DIR, else "
                  "$XDG_CACHE_HOME/myrt or ~/.cache/myrt)");
    run->add_flag("-v,--trace-traps", runOpts.verbose,
                  "full wasm backtraces (every frame, with function indices), the tier, linking notes, compile time and "
                  "code size, and non-zero exit codes on stderr");
  }

  size_t runFile = args.size();
  if (!args.empty() && args[0] == "run") {
    auto found = findRunFile(*run, args, 1);
    if (auto* msg = std::get_if<std::string>(&found)) return usageError("run: " + *msg, "myrt help run");
    runFile = std::get<size_t>(found);
    runOpts.argv.assign(args.begin() + static_cast<std::ptrdiff_t>(runFile), args.end());
    size_t cut = runFile;
    if (cut > 1 && args[cut - 1] == "--") --cut;
    args.erase(args.begin() + static_cast<std::ptrdiff_t>(cut), args.end());
  }
  std::vector<const char*> cargv{argv[0]};
  for (const std::string& a : args) cargv.push_back(a.c_str());

  try {
    app.parse(static_cast<int>(cargv.size()), const_cast<char**>(cargv.data()));
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // CLI11 reports an unknown option as an unexpected argument: name it as one, with the command's help.
    const std::string prefix = "The following argument was not expected: -";
    const std::string what = e.what();
    for (CLI::App* sub : app.get_subcommands())
      if (sub->parsed() && what.compare(0, prefix.size(), prefix) == 0)
        return usageError(sub->get_name() + ": unknown option " + what.substr(prefix.size() - 1),
                          ("myrt help " + sub->get_name()).c_str());
    return usageError(what);
  }

  if (validate->parsed()) return cmdValidate(validateFiles, validateOpts);
  if (compile->parsed()) return cmdCompile(compileFile, compileOut, compileJobs);
  if (inspect->parsed()) return cmdInspect(inspectFile, inspectOpts);
  if (w2w->parsed()) return cmdWat2Wasm(w2wIn, w2wOut, w2wOpts);
  for (auto [text, out] : {std::pair{&wastTier, &wastOpts.tier}, std::pair{&runTier, &runOpts.tier}}) {
    auto t = myrt::parseTier(*text);
    if (!t.ok()) {
      std::cerr << "myrt: " << t.error().message << "\n";
      return kExitUsage;
    }
    *out = *t;
  }
  if (wast->parsed()) {
    if (!wastMaxMemory.empty()) {
      wastOpts.maxMemoryBytes = parseSize(wastMaxMemory);
      if (!wastOpts.maxMemoryBytes) {
        std::cerr << "myrt: wast: invalid size '" << wastMaxMemory << "' (expected a number with an optional K, M or G suffix)\n";
        return kExitUsage;
      }
    }
    return cmdWast(wastFiles, wastOpts);
  }
  if (serve->parsed()) {
    auto t = myrt::parseTier(serveTier);
    if (!t.ok()) {
      std::cerr << "myrt: serve: " << t.error().message << "\n";
      return kExitUsage;
    }
    serveOpts.tier = *t;
    for (const KeyValue& kv : splitKeyValues(serveOpts.sOpts)) {
      auto b = parseBool(kv);
      if (kv.key != "inherit-network" && kv.key != "tcp" && kv.key != "udp" && kv.key != "allow-ip-name-lookup")
        return usageError("serve: unknown -S option '" + kv.key +
                              "' (known: inherit-network, tcp, udp, allow-ip-name-lookup)",
                          "myrt help serve");
      if (!b) return usageError("serve: -S " + kv.key + ": expected y or n, got '" + kv.value + "'", "myrt help serve");
      (kv.key == "inherit-network" ? serveOpts.inheritNetwork
       : kv.key == "tcp"           ? serveOpts.tcp
       : kv.key == "udp"           ? serveOpts.udp
                                   : serveOpts.ipNameLookup) = *b;
    }
    return cmdServe(serveOpts);
  }
  if (run->parsed()) {
    if (auto e = applyWasmtimeOptions(wOpts, sOpts, runOpts, runText)) return usageError("run: " + *e, "myrt help run");
    for (auto [text, out] : {std::pair{&runText.maxMemory, &runOpts.maxMemoryBytes},
                             std::pair{&runText.maxStack, &runOpts.maxStackBytes},
                             std::pair{&runText.maxNativeStack, &runOpts.maxNativeStackBytes},
                             std::pair{&runText.memoryReservation, &runOpts.memoryReservation}}) {
      if (text->empty()) continue;
      auto bytes = parseSize(*text);
      if (!bytes) {
        std::cerr << "myrt: run: invalid size '" << *text << "' (expected a number with an optional K, M or G suffix)\n";
        return kExitUsage;
      }
      *out = *bytes;
    }
    const std::string& fuel = runText.fuel;
    if (!fuel.empty()) {
      runOpts.fuel = parseFuel(fuel);
      if (!runOpts.fuel) {
        std::cerr << "myrt: run: invalid --fuel '" << fuel << "' (expected a non-negative integer)\n";
        return kExitUsage;
      }
    }
    if (!runText.timeout.empty()) {
      runOpts.timeoutMs = parseDuration(runText.timeout);
      if (!runOpts.timeoutMs) {
        std::cerr << "myrt: run: invalid --timeout '" << runText.timeout << "' (expected e.g. 500ms, 2s, 1m)\n";
        return kExitUsage;
      }
    }
    return cmdRun(runOpts);
  }
  std::cerr << "myrt: no command given\n";
  return kExitUsage;
}

// A failed host allocation that no stage turned into an error or a trap (the core has no exceptions; the runtime
// catches std::bad_alloc where wasm can cause it: tables, GC objects, host calls) ends the command with a message and
// exit code 1, never std::terminate.
int main(int argc, char** argv) {
  try {
    return cliMain(argc, argv);
  } catch (const std::bad_alloc&) {
    std::fflush(stdout);
    std::fputs("myrt: out of memory\n", stderr);
    return 1;
  }
}
