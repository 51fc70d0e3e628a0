// cli/main.cpp -- `myrt` entry point: command-line parsing (CLI11), file loading and the small subcommands
// (validate, run). inspect lives in cli/inspect.cpp, the spec-test runner in cli/wast_runner.cpp.
// Layer: cli. CLI11 reports usage errors through exceptions; they are caught here and never reach the core.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "cli/cli.h"
#include "runtime/binary/decoder.h"
#include "runtime/text/wat.h"
#include "runtime/valid/validator.h"

#ifndef MYRT_VERSION
#define MYRT_VERSION "0.0.0"
#endif

namespace myrt::cli {

Result<std::string> readFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return Error(std::string("cannot read file: is a directory"));
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(std::string("cannot open file: ") + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Error(std::string("cannot read file: ") + std::strerror(errno));
  return ss.str();
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
  ValidateOptions vopts;
  vopts.wasm2Only = opts.wasm2;
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

std::optional<Module> loadFileOrReport(const std::string& path, const FrontEndOptions& opts, bool* fromText) {
  auto contents = readFile(path);
  if (!contents.ok()) {
    std::cerr << "myrt: " << path << ": " << contents.error().message << "\n";
    return std::nullopt;
  }
  std::vector<uint8_t> bytes;
  const bool text = isTextModule(path, contents.value());
  if (fromText) *fromText = text;
  if (text) {
    WatOptions wopts;
    wopts.wasm2 = opts.wasm2;
    auto bin = watToBinary(contents.value(), wopts);
    if (!bin.ok()) {
      std::cerr << "myrt: " << formatError(path, bin.error(), &contents.value()) << "\n";
      return std::nullopt;
    }
    bytes = std::move(bin).value();
  } else {
    bytes.assign(contents.value().begin(), contents.value().end());
  }
  Loaded l = loadBinary(std::move(bytes), opts);
  if (!l.module) {
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

int cmdValidate(const std::vector<std::string>& files, const FrontEndOptions& opts) {
  int rc = kExitOk;
  for (const auto& f : files) {
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

}  // namespace myrt::cli

// --tier help of run and wast.
const char* const kTierHelp =
    "execution tier: interp, jit or auto (interpreter, tier-up to the JIT after MYRT_TIER_UP_THRESHOLD polls "
    "of a function, default 1000); default auto (interp where this build/CPU has no JIT)";

int main(int argc, char** argv) {
  using namespace myrt::cli;
  CLI::App app{"myrt -- a WebAssembly runtime.\n"
               "Validates, inspects and runs WebAssembly modules (.wasm binary or .wat text), and runs .wast spec tests.",
               "myrt"};
  app.set_version_flag("--version", std::string("myrt ") + MYRT_VERSION);
  app.require_subcommand(1);
  app.footer("Exit codes: 0 success, 1 invalid input / failed tests / unsupported, 2 usage error.\n"
             "Run `myrt COMMAND --help` for the options of a command.");

  std::vector<std::string> validateFiles;
  auto* validate = app.add_subcommand("validate", "Decode and validate modules (.wasm, or .wat through the text parser)");
  validate->add_option("FILE", validateFiles, "module files")->required();
  FrontEndOptions validateOpts;
  validate->add_flag("--wasm2", validateOpts.wasm2, "apply WebAssembly 2.0 rules where 3.0 changed them");

  std::string inspectFile;
  auto* inspect = app.add_subcommand("inspect", "Print sections, types, imports, exports, code sizes and names");
  inspect->add_option("FILE", inspectFile, "module file (.wasm or .wat)")->required();

  std::vector<std::string> wastFiles;
  WastOptions wastOpts;
  auto* wast = app.add_subcommand("wast", "Run .wast spec-test scripts; prints `N passed, M failed, K skipped`");
  wast->add_option("FILE", wastFiles, ".wast scripts")->required();
  wast->add_flag("-v,--verbose", wastOpts.verbose, "list every command with its outcome");
  wast->add_flag("-m,--mismatches", wastOpts.mismatches,
                 "list assert_malformed/assert_invalid rejections whose message differs from the expected text");
  wast->add_flag("--wasm2", wastOpts.frontEnd.wasm2,
                 "apply WebAssembly 2.0 rules where 3.0 changed them (for the 2.0 spec testsuite)");

  std::string wastTier = myrt::tierName(myrt::defaultTier());
  wast->add_option("--tier", wastTier, kTierHelp);

  RunOptions runOpts;
  std::string runTier = myrt::tierName(myrt::defaultTier());
  std::string maxMemory, maxStack;
  auto* run = app.add_subcommand("run", "Run a WebAssembly program (its _start, with WASI preview1) or --invoke an export.\nUsage: myrt run [OPTIONS] FILE [ARGS...]");
  run->prefix_command();  // everything after FILE belongs to the guest
  run->add_option("--invoke", runOpts.invoke, "call this exported function with ARGS and print its results");
  run->add_option("--dir", runOpts.dirs, "grant a host directory, read-write: HOST[::GUEST]")
      ->allow_extra_args(false);
  run->add_option("--dir-ro", runOpts.dirsReadOnly, "grant a host directory, read-only: HOST[::GUEST]")
      ->allow_extra_args(false);
  run->add_option("--env", runOpts.env, "set an environment variable for the guest: NAME=VALUE, or NAME to pass the host's value")
      ->allow_extra_args(false);
  run->add_flag("--inherit-env", runOpts.inheritEnv, "pass this process's whole environment to the guest");
  run->add_option("--max-memory", maxMemory, "limit all linear memories together, e.g. 64M, 1G");
  run->add_option("--tier", runTier, kTierHelp);
  run->add_option("-j,--jobs", runOpts.jobs,
                  "threads compiling the module on --tier=jit (default 0: the online CPUs, at most 8; the code is the "
                  "same for any number; the auto tier compiles on one background thread)")
      ->check(CLI::Range(0u, 256u));
  run->add_option("--profile", runOpts.profile,
                  "perfmap: write /tmp/perf-PID.map naming JIT-compiled functions for `perf report` (--tier=jit)");
  run->add_option("--max-stack", maxStack, "size of the wasm value stack, e.g. 1M (deep recursion traps cleanly)");
  std::string fuel, timeout;
  run->add_option("--fuel", fuel, "trap with \"fuel exhausted\" after about N wasm instructions");
  run->add_option("--timeout", timeout, "trap with \"interrupted\" after this wall time: 500ms, 2s, 1m (bare = seconds)");
  run->add_flag("--bench", runOpts.bench,
                "provide the `bench` module of sightglass programs (bench.start, bench.end) and print the time "
                "between them on stderr");
  run->add_flag("-v,--trace-traps", runOpts.verbose,
                "full wasm backtraces (every frame, with function indices), the tier and non-zero exit codes on stderr");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "myrt: " << e.what() << "\n";
    std::cerr << "Run `myrt --help` for usage.\n";
    return kExitUsage;
  }

  if (validate->parsed()) return cmdValidate(validateFiles, validateOpts);
  if (inspect->parsed()) return cmdInspect(inspectFile);
  for (auto [text, out] : {std::pair{&wastTier, &wastOpts.tier}, std::pair{&runTier, &runOpts.tier}}) {
    auto t = myrt::parseTier(*text);
    if (!t.ok()) {
      std::cerr << "myrt: " << t.error().message << "\n";
      return kExitUsage;
    }
    *out = *t;
  }
  if (wast->parsed()) return cmdWast(wastFiles, wastOpts);
  if (run->parsed()) {
    runOpts.argv = run->remaining();
    for (auto [text, out] : {std::pair{&maxMemory, &runOpts.maxMemoryBytes}, std::pair{&maxStack, &runOpts.maxStackBytes}}) {
      if (text->empty()) continue;
      auto bytes = parseSize(*text);
      if (!bytes) {
        std::cerr << "myrt: run: invalid size '" << *text << "' (expected a number with an optional K, M or G suffix)\n";
        return kExitUsage;
      }
      *out = *bytes;
    }
    if (!fuel.empty()) {
      char* end = nullptr;
      errno = 0;
      const unsigned long long n = std::strtoull(fuel.c_str(), &end, 10);
      if (errno || *end || fuel[0] < '0' || fuel[0] > '9' || n > uint64_t(INT64_MAX)) {
        std::cerr << "myrt: run: invalid --fuel '" << fuel << "' (expected a non-negative integer)\n";
        return kExitUsage;
      }
      runOpts.fuel = n;
    }
    if (!timeout.empty()) {
      runOpts.timeoutMs = parseDuration(timeout);
      if (!runOpts.timeoutMs) {
        std::cerr << "myrt: run: invalid --timeout '" << timeout << "' (expected e.g. 500ms, 2s, 1m)\n";
        return kExitUsage;
      }
    }
    return cmdRun(runOpts);
  }
  std::cerr << "myrt: no command given\n";
  return kExitUsage;
}
