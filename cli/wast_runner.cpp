// cli/wast_runner.cpp -- `myrt wast FILE...`: runs spec-test scripts (runtime/text/wast.h) on the execution engine.
// Layer: cli (uses runtime/text for scripts and modules, the front end through loadBinary, runtime/exec + the
// interpreter store for execution). Every command is checked: modules must load and instantiate;
// assert_malformed / assert_invalid must be rejected by the front end (we also count how many rejections carry the
// expected message; --strict fails the others); assert_return compares results (NaN patterns, v128 lanes, reference
// patterns checked against the value's kind) and prints expected and actual values on a mismatch; assert_trap /
// assert_exhaustion / assert_exception / assert_unlinkable / assert_uninstantiable require the failure and its
// message (prefix match, as the reference interpreter does). `thread` runs its commands on a thread of its own with a
// store of its own, seeing only the modules named in its `(shared (module $M))` (their memories are imported across
// stores); `wait` joins it and adds its counts and output in script order. Recognised but unsupported commands
// (assert_*_custom) are skipped (--strict: they fail unless their line is given with --known-skip); an unknown command
// always fails.
// Tier checks: on --tier=jit a function the JIT leaves in the interpreter fails the command that compiled it, and a
// file whose calls ran in the interpreter fails (unless --allow-fallback); --expect-jit fails a file that called wasm
// functions of which none ran in JIT code (the auto-tier tests). --stats prints the calls per tier.
// Output: failures as `FILE:LINE: <command>: <why>`, then exactly one line `N passed, M failed, K skipped`, then the
// message statistics; --json prints a JSON report instead (per file and per command), --junit FILE writes a JUnit XML
// report too. Exit code 0 iff nothing failed.
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <system_error>
#include <thread>

#include "cli/cli.h"
#include "engine/code_cache.h"
#include "cli/wast_component.h"
#include "runtime/component/component.h"
#include "runtime/component/instance.h"
#include "runtime/component/wave.h"
#include "runtime/exec/engine.h"
#include "runtime/text/wast.h"
#include "runtime/text/wat.h"
#include "engine/tiers.h"

namespace myrt::cli {

namespace {

struct Counts {
  size_t passed = 0, failed = 0, skipped = 0;
  size_t rejections = 0, messageMatches = 0;  // assert_malformed/assert_invalid rejections; with the expected text
  size_t excluded = 0;    // --exclusions: assertions not run (each reported with its reason)
  size_t equivalent = 0;  // component messages matched through wasmtimeMessageEquivalences()
  void add(const Counts& o) {
    passed += o.passed;
    failed += o.failed;
    skipped += o.skipped;
    rejections += o.rejections;
    messageMatches += o.messageMatches;
    excluded += o.excluded;
    equivalent += o.equivalent;
  }
};

// One command's outcome, kept for the --json / --junit reports.
struct CommandRecord {
  enum class Outcome : uint8_t { Passed, Failed, Skipped };
  unsigned line = 0;
  std::string keyword;
  Outcome outcome = Outcome::Passed;
  std::string detail;                         // why it failed / was skipped, or what passed (a trap message ...)
  bool hasValues = false;                     // assert_return failures: expected and actual values
  std::vector<std::string> expected, actual;
};

// One script's results.
struct FileReport {
  std::string path;
  Counts counts;
  std::vector<CommandRecord> commands;       // with --json / --junit only
  std::vector<std::string> errors;           // file-level failures (unreadable, script syntax, tier checks)
  ExecContext::TierCalls calls;
  uint64_t jitFunctions = 0;
  uint64_t optFunctions = 0;  // of jitFunctions: by the optimizing tier (--tier=opt)
  std::vector<std::string> jitFallbacks;
  uint64_t gcCollections = 0;
  // value-stack roots over all collections (Store::GcStats): precise slots, conservatively scanned slots, frames
  // without a map at their position, objects only the conservative scan would keep (MYRT_GC_CHECK_ROOTS)
  uint64_t gcPrecise = 0, gcConservative = 0, gcUnmapped = 0, gcConservativeOnly = 0;
};

bool startsWith(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

bool nanMatches(uint64_t bits, bool f64, wast::NumPattern p) {
  const uint64_t exp = f64 ? 0x7ff0000000000000ull : 0x7f800000u;
  const uint64_t mant = f64 ? 0x000fffffffffffffull : 0x007fffffu;
  const uint64_t quiet = f64 ? 0x0008000000000000ull : 0x00400000u;
  if ((bits & exp) != exp || (bits & mant) == 0) return false;
  if (p == wast::NumPattern::NanCanonical) return (bits & mant) == quiet;
  return (bits & quiet) != 0;
}

// The type hierarchy of a reference type (concrete indices resolved in `m`, the module that defines the type).
enum class Hierarchy : uint8_t { Func, Extern, Any, Exn, Unknown };
Hierarchy hierarchyOf(ValType t, const Module* m) {
  if (!t.isRef()) return Hierarchy::Unknown;
  switch (t.heap) {
    case HeapKind::Func:
    case HeapKind::NoFunc: return Hierarchy::Func;
    case HeapKind::Extern:
    case HeapKind::NoExtern: return Hierarchy::Extern;
    case HeapKind::Exn:
    case HeapKind::NoExn: return Hierarchy::Exn;
    case HeapKind::Any:
    case HeapKind::Eq:
    case HeapKind::I31:
    case HeapKind::Struct:
    case HeapKind::Array:
    case HeapKind::None: return Hierarchy::Any;
    default: break;
  }
  if (m && t.index < m->types.size()) return m->types[t.index].comp.kind == CompKind::Func ? Hierarchy::Func : Hierarchy::Any;
  return Hierarchy::Unknown;
}

// Does reference `r` (of static type `type`, defined in `m`) match the reference pattern `v`? The pattern's kind is
// checked against the value: `ref.func` needs a function reference, `ref.extern N` the host reference N, `ref.struct`
// a struct object ... (objects of the func and exn hierarchies have no GC header: their kind follows from the type).
bool refMatches(const wast::Value& v, ValType type, const Module* m, Ref r) {
  using RK = wast::RefKind;
  if (v.ref == RK::Null) return r == nullptr;
  if (r == nullptr) return false;
  const Hierarchy h = hierarchyOf(type, m);
  const bool anyOrExtern = h == Hierarchy::Any || h == Hierarchy::Extern;
  const GcObject* obj = anyOrExtern && !isI31(r) ? static_cast<const GcObject*>(r) : nullptr;
  switch (v.ref) {
    case RK::Extern:
    case RK::Host:
      if (!v.refIndex) return v.ref == RK::Extern ? h == Hierarchy::Extern : anyOrExtern;
      return obj && obj->kind == GcKind::Host && Store::externRefValue(r) == *v.refIndex;
    case RK::I31:
      if (!anyOrExtern || !isI31(r)) return false;
      return !v.refIndex || i31Value(r) == *v.refIndex;
    case RK::Struct:
      return h == Hierarchy::Any && obj && obj->kind == GcKind::Struct;
    case RK::Array:
      return h == Hierarchy::Any && obj && obj->kind == GcKind::Array;
    case RK::Eq:
      return h == Hierarchy::Any && (isI31(r) || (obj && obj->kind != GcKind::Host));
    case RK::Any:
      return h == Hierarchy::Any;
    case RK::Func:
      return h == Hierarchy::Func;
    case RK::Exn:
      return h == Hierarchy::Exn;
    case RK::Null:
      break;
  }
  return false;
}

bool matches(const wast::Expected& e, ValType type, const Module* m, const Value& got) {
  switch (e.kind) {
    case wast::Expected::Kind::Either:
      for (const auto& alt : e.either)
        if (matches(alt, type, m, got)) return true;
      return false;
    case wast::Expected::Kind::Nan:
      return e.value.type == ValKind::F64 ? nanMatches(got.i64, true, e.nan) : nanMatches(got.i32, false, e.nan);
    case wast::Expected::Kind::Lanes: {
      const unsigned n = static_cast<unsigned>(e.lanes.size());
      if (n == 0) return false;
      const unsigned bytes = 16 / n;
      const bool isFloat = e.shape == wast::V128Shape::F32x4 || e.shape == wast::V128Shape::F64x2;
      for (unsigned i = 0; i < n; ++i) {
        uint64_t lane = 0;
        std::memcpy(&lane, got.v128 + i * bytes, bytes);
        const auto& lp = e.lanes[i];
        if (lp.pat == wast::NumPattern::Exact) {
          if (lane != lp.bits) return false;
        } else if (!isFloat || !nanMatches(lane, bytes == 8, lp.pat)) {
          return false;
        }
      }
      return true;
    }
    case wast::Expected::Kind::Value:
      break;
  }
  const wast::Value& v = e.value;
  switch (v.type) {
    case ValKind::I32:
    case ValKind::F32:
      return type.kind == v.type && got.i32 == static_cast<uint32_t>(v.lo);
    case ValKind::I64:
    case ValKind::F64:
      return type.kind == v.type && got.i64 == v.lo;
    case ValKind::V128: {
      uint64_t lo, hi;
      std::memcpy(&lo, got.v128, 8);
      std::memcpy(&hi, got.v128 + 8, 8);
      return type.kind == ValKind::V128 && lo == v.lo && hi == v.hi;
    }
    default:
      return type.isRef() && refMatches(v, type, m, got.ref);
  }
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string describeV128(uint64_t lo, uint64_t hi) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "v128:0x%016llx%016llx", static_cast<unsigned long long>(hi),
                static_cast<unsigned long long>(lo));
  return buf;
}

std::string describeFloat(bool f64, uint64_t bits) {
  char buf[64];
  if (f64) {
    double d;
    std::memcpy(&d, &bits, 8);
    std::snprintf(buf, sizeof buf, "f64:%.17g (0x%llx)", d, static_cast<unsigned long long>(bits));
  } else {
    float f;
    const uint32_t b = static_cast<uint32_t>(bits);
    std::memcpy(&f, &b, 4);
    std::snprintf(buf, sizeof buf, "f32:%.9g (0x%x)", static_cast<double>(f), b);
  }
  return buf;
}

// An actual result, as the patterns below spell it: "i32:0x2a", "f32:1.5 (0x3fc00000)", "ref.extern 7", "ref.func".
std::string describeValue(ValType t, const Module* m, const Value& v) {
  switch (t.kind) {
    case ValKind::I32: return "i32:" + hex(v.i32);
    case ValKind::I64: return "i64:" + hex(v.i64);
    case ValKind::F32: return describeFloat(false, v.i32);
    case ValKind::F64: return describeFloat(true, v.i64);
    case ValKind::V128: {
      uint64_t lo, hi;
      std::memcpy(&lo, v.v128, 8);
      std::memcpy(&hi, v.v128 + 8, 8);
      return describeV128(lo, hi);
    }
    default: break;
  }
  const Ref r = v.ref;
  if (!r) return "ref.null";
  switch (hierarchyOf(t, m)) {
    case Hierarchy::Func: return "ref.func";
    case Hierarchy::Exn: return "ref.exn";
    case Hierarchy::Unknown: return "ref (" + toString(t) + ")";
    case Hierarchy::Any:
    case Hierarchy::Extern: break;
  }
  if (isI31(r)) return "ref.i31 " + std::to_string(i31Value(r));
  switch (static_cast<const GcObject*>(r)->kind) {
    case GcKind::Struct: return "ref.struct";
    case GcKind::Array: return "ref.array";
    case GcKind::Host: return "ref.extern " + std::to_string(Store::externRefValue(r));
    case GcKind::Exn: case GcKind::Free: break;
  }
  return "ref";
}

std::string describePattern(wast::NumPattern p) {
  return p == wast::NumPattern::NanCanonical ? "nan:canonical" : "nan:arithmetic";
}

// An expected result pattern, in the same spelling as describeValue.
std::string describeExpected(const wast::Expected& e) {
  switch (e.kind) {
    case wast::Expected::Kind::Either: {
      std::string out = "either(";
      for (size_t i = 0; i < e.either.size(); ++i) out += (i ? " | " : "") + describeExpected(e.either[i]);
      return out + ")";
    }
    case wast::Expected::Kind::Nan:
      return std::string(e.value.type == ValKind::F64 ? "f64:" : "f32:") + describePattern(e.nan);
    case wast::Expected::Kind::Lanes: {
      std::string out = std::string("v128:") + wast::toString(e.shape) + "[";
      for (size_t i = 0; i < e.lanes.size(); ++i) {
        if (i) out += " ";
        out += e.lanes[i].pat == wast::NumPattern::Exact ? hex(e.lanes[i].bits) : describePattern(e.lanes[i].pat);
      }
      return out + "]";
    }
    case wast::Expected::Kind::Value: break;
  }
  const wast::Value& v = e.value;
  switch (v.type) {
    case ValKind::I32: return "i32:" + hex(static_cast<uint32_t>(v.lo));
    case ValKind::I64: return "i64:" + hex(v.lo);
    case ValKind::F32: return describeFloat(false, v.lo);
    case ValKind::F64: return describeFloat(true, v.lo);
    case ValKind::V128: return describeV128(v.lo, v.hi);
    default: break;
  }
  std::string out = wast::toString(v.ref);
  if (v.refIndex) out += " " + std::to_string(*v.refIndex);
  return out;
}

std::string joinValues(const std::vector<std::string>& vs) {
  std::string out = "[";
  for (size_t i = 0; i < vs.size(); ++i) out += (i ? ", " : "") + vs[i];
  return out + "]";
}

// Commands the script parser recognises but myrt does not run (skipped; --strict fails them unless listed).
bool knownUnsupported(const std::string& keyword) {
  return keyword == "assert_malformed_custom" || keyword == "assert_invalid_custom" || keyword == "either";
}

StoreLimits storeLimits(const WastOptions& opts) {
  StoreLimits l;
  if (opts.maxMemoryBytes) l.maxMemoryBytes = *opts.maxMemoryBytes;
  return l;
}

class FileRunner {
 public:
  FileRunner(FileReport& rep, const std::string& text, const WastOptions& opts, std::ostream& out)
      : path_(rep.path), text_(text), opts_(opts), rep_(rep), c_(rep.counts), out_(out),
        store_(std::move(makeStore(opts.tier, storeLimits(opts)).value())) {
    createSpectest(*store_);
  }
  // A `thread` command's runner: a store of its own; `shared` are the parent's instances it may name.
  FileRunner(FileReport& rep, const std::string& text, const WastOptions& opts, std::ostream& out,
             const std::map<std::string, Instance*>& shared)
      : FileRunner(rep, text, opts, out) {
    instances_ = shared;
  }
  ~FileRunner() {
    for (auto& [name, t] : threads_)
      if (t->thread.joinable()) t->thread.join();
  }

  void run() {
    auto script = wast::parseScript(text_);
    if (!script.ok()) {
      const Error& e = script.error();
      LineCol lc = lineCol(text_, e.offset == Error::kNoOffset ? 0 : e.offset);
      fileError(std::to_string(lc.line) + ":" + std::to_string(lc.col) + ": script: " + e.message);
      return;
    }
    for (const auto& cmd : script.value().commands)
      if (!excluded(cmd)) runCommand(cmd);
    finish();
  }

  // The --exclusions entries naming this script (SCRIPT a suffix of its path at a '/').
  void useExclusions(const std::vector<Exclusion>& all) {
    for (const Exclusion& x : all)
      if (path_ == x.script || (path_.size() > x.script.size() && path_.compare(path_.size() - x.script.size(), x.script.size(), x.script) == 0 &&
                                path_[path_.size() - x.script.size() - 1] == '/'))
        exclusions_.push_back({x, false});
  }

 private:
  bool recording() const { return opts_.json || !opts_.junit.empty(); }
  CommandRecord& record(const wast::Command& cmd, CommandRecord::Outcome o, const std::string& detail) {
    rep_.commands.push_back(CommandRecord{cmd.line, cmd.keyword, o, detail, false, {}, {}});
    return rep_.commands.back();
  }
  void pass(const wast::Command& cmd, const std::string& note = "") {
    if (std::string p = tierProblem(); !p.empty()) return fail(cmd, p);
    ++c_.passed;
    if (opts_.verbose) report(cmd, note.empty() ? "passed" : "passed (" + note + ")");
    if (recording()) record(cmd, CommandRecord::Outcome::Passed, note);
  }
  void fail(const wast::Command& cmd, const std::string& why) {
    std::string all = why;
    if (std::string p = tierProblem(); !p.empty()) all += "; " + p;
    ++c_.failed;
    report(cmd, all);
    if (recording()) record(cmd, CommandRecord::Outcome::Failed, all);
  }
  // assert_return with wrong results: the message and the report carry every expected and actual value.
  void failValues(const wast::Command& cmd, const std::string& why, std::vector<std::string> expected,
                  std::vector<std::string> actual) {
    const std::string line = why + ": expected " + joinValues(expected) + ", got " + joinValues(actual);
    fail(cmd, line);
    if (recording()) {
      CommandRecord& r = rep_.commands.back();
      r.hasValues = true;
      r.expected = std::move(expected);
      r.actual = std::move(actual);
    }
  }
  void skip(const wast::Command& cmd, const std::string& why) {
    ++c_.skipped;
    if (opts_.verbose) report(cmd, "skipped: " + why);
    if (recording()) record(cmd, CommandRecord::Outcome::Skipped, why);
  }
  // An assertion listed with --exclusions is not run: reported (always) with its reason and counted.
  bool excluded(const wast::Command& cmd) {
    for (auto& [x, used] : exclusions_) {
      if (x.line != cmd.line) continue;
      used = true;
      // An excluded assert_invalid/assert_malformed of a component is a component the listed reason calls valid:
      // it must load (an excluded assertion still checks that myrt accepts it).
      if ((cmd.kind == wast::CommandKind::AssertInvalid || cmd.kind == wast::CommandKind::AssertMalformed) &&
          cmd.module.component) {
        LoadedComponent l = loadComponent(cmd.module);
        if (!l.comp) {
          fail(cmd, "excluded (--exclusions: " + x.reason + ") but myrt rejects it too: " + describe(l));
          return true;
        }
      }
      ++c_.excluded;
      const bool checked = cmd.kind == wast::CommandKind::AssertInvalid || cmd.kind == wast::CommandKind::AssertMalformed;
      report(cmd, std::string(checked ? "excluded (--exclusions; myrt accepts it): " : "excluded (--exclusions): ") + x.reason);
      if (recording()) record(cmd, CommandRecord::Outcome::Skipped, "excluded: " + x.reason);
      return true;
    }
    return false;
  }
  void report(const wast::Command& cmd, const std::string& what) {
    out_ << path_ << ":" << cmd.line << ": " << cmd.keyword << ": " << what << "\n";
  }
  void fileError(const std::string& what) {
    ++c_.failed;
    rep_.errors.push_back(what);
    out_ << path_ << ": " << what << "\n";
  }

  // JIT fallbacks since the last check, as a failure text ("" if none, or allowed).
  std::string tierProblem() {
    const auto& fb = store_->jitFallbacks;
    if (fallbacksSeen_ == fb.size()) return "";
    std::string out;
    for (; fallbacksSeen_ < fb.size(); ++fallbacksSeen_)
      out += (out.empty() ? "" : "; ") + fb[fallbacksSeen_];
    if ((opts_.tier != Tier::Jit && opts_.tier != Tier::Opt) || opts_.allowFallback) return "";
    return "the JIT left a function in the interpreter (--allow-fallback accepts that): " + out;
  }

  // threads proposal: a running `thread` command.
  struct ThreadRun {
    FileReport rep;
    std::ostringstream out;
    std::unique_ptr<FileRunner> runner;
    std::thread thread;
  };
  void runThreadBody(const std::vector<wast::Command>& body) {
    for (const auto& cmd : body) runCommand(cmd);
    rep_.calls = store_->context().tierCalls;
    rep_.jitFunctions = store_->jitCompiledFuncs;
    rep_.optFunctions = store_->optCompiledFuncs;
    rep_.jitFallbacks = store_->jitFallbacks;
  }
  void startThread(const wast::Command& cmd) {
    const std::string name = cmd.name.value_or("");
    if (threads_.count(name)) return fail(cmd, "thread " + name + " is already running");
    std::map<std::string, Instance*> shared;
    for (const std::string& m : cmd.shared) {
      Instance* inst = target(m);
      if (!inst) return fail(cmd, "unknown module " + m);
      shared[m] = inst;
    }
    auto t = std::make_unique<ThreadRun>();
    t->rep.path = rep_.path;
    t->runner = std::make_unique<FileRunner>(t->rep, text_, opts_, t->out, shared);
    ThreadRun* tp = t.get();
    const std::vector<wast::Command>* body = &cmd.body;
    try {
      t->thread = std::thread([tp, body] { tp->runner->runThreadBody(*body); });
    } catch (const std::system_error& e) {
      return fail(cmd, std::string("cannot start a thread: ") + e.what());
    }
    threads_[name] = std::move(t);
    pass(cmd);
  }
  // Joins a thread and takes over its results (counts, failure lines, records, calls per tier).
  void joinThread(ThreadRun& t) {
    t.thread.join();
    t.runner.reset();  // its store (importing the parent's shared memories) goes first
    out_ << t.out.str();
    c_.add(t.rep.counts);
    for (auto& r : t.rep.commands) rep_.commands.push_back(std::move(r));
    for (auto& e : t.rep.errors) rep_.errors.push_back(std::move(e));
    childCalls_.interp += t.rep.calls.interp;
    childCalls_.jitEntries += t.rep.calls.jitEntries;
    childCalls_.osr += t.rep.calls.osr;
    childJitFunctions_ += t.rep.jitFunctions;
    childOptFunctions_ += t.rep.optFunctions;
    for (auto& f : t.rep.jitFallbacks) childFallbacks_.push_back(std::move(f));
  }
  void waitThread(const wast::Command& cmd) {
    auto it = threads_.find(*cmd.name);
    if (it == threads_.end()) return fail(cmd, "unknown thread " + *cmd.name);
    joinThread(*it->second);
    threads_.erase(it);
    pass(cmd);
  }

  // After the last command: known skips that did not happen, and the tier checks over the whole file.
  void finish() {
    for (auto& [name, t] : threads_) {
      joinThread(*t);
      fileError("thread " + name + " was never waited for");
    }
    threads_.clear();
    rep_.gcCollections = store_->gcStats().collections;
    rep_.gcPrecise = store_->gcStats().preciseSlots;
    rep_.gcConservative = store_->gcStats().conservativeSlots;
    rep_.gcUnmapped = store_->gcStats().unmappedFrames;
    rep_.gcConservativeOnly = store_->gcStats().conservativeOnly;
    rep_.calls = store_->context().tierCalls;
    rep_.calls.interp += childCalls_.interp;
    rep_.calls.jitEntries += childCalls_.jitEntries;
    rep_.calls.osr += childCalls_.osr;
    rep_.jitFunctions = store_->jitCompiledFuncs + childJitFunctions_;
    rep_.optFunctions = store_->optCompiledFuncs + childOptFunctions_;
    rep_.jitFallbacks = store_->jitFallbacks;
    rep_.jitFallbacks.insert(rep_.jitFallbacks.end(), childFallbacks_.begin(), childFallbacks_.end());
    for (const auto& [x, used] : exclusions_)
      if (!used) fileError("--exclusions: " + x.script + ":" + std::to_string(x.line) + " names no command of this script");
    if (opts_.strict)
      for (unsigned line : opts_.knownSkips)
        if (!skippedLines_.count(line))
          fileError("--known-skip " + std::to_string(line) + ": no unsupported command was skipped at that line");
    const auto& k = rep_.calls;
    if ((opts_.tier == Tier::Jit || opts_.tier == Tier::Opt) && !opts_.allowFallback && k.interp > 0)
      fileError(std::to_string(k.interp) + " function calls ran in the interpreter on --tier=" + tierName(opts_.tier));
    if (opts_.expectJit && k.interp + k.jitEntries > 0 && k.jitEntries + k.osr == 0)
      fileError("--expect-jit: none of the " + std::to_string(k.interp) +
                " function calls ran in JIT code (no tier-up happened)");
  }

  // Where a load error points: script line:col for text modules, the binary offset otherwise.
  std::string describe(const Loaded& l, const wast::ScriptModule& m) const {
    std::string where;
    if (l.stage == Stage::Text) {
      if (m.form == wast::ScriptModule::Form::Text && l.error.offset != Error::kNoOffset) {
        LineCol lc = lineCol(text_, l.error.offset);
        where = " at " + std::to_string(lc.line) + ":" + std::to_string(lc.col);
      }
      return std::string("text") + where + ": " + l.error.message;
    }
    return std::string(toString(l.stage)) + ": " + l.error.toString();
  }

  Loaded load(const wast::ScriptModule& m) {
    WatOptions wopts;
    wopts.wasm2 = opts_.frontEnd.wasm2;
    auto bin = m.encode(wopts);
    if (!bin.ok()) {
      Loaded l;
      l.stage = Stage::Text;
      l.error = std::move(bin).error();
      return l;
    }
    return loadBinary(std::move(bin).value(), opts_.frontEnd);
  }

  // Loads a script module into a shareable Module, or reports the failure and returns nullptr.
  std::shared_ptr<const Module> loadOrFail(const wast::Command& cmd, const wast::ScriptModule& m) {
    Loaded l = load(m);
    if (!l.module) {
      fail(cmd, "module failed to load: " + describe(l, m));
      return nullptr;
    }
    auto mod = std::make_shared<const Module>(std::move(*l.module));
    if (opts_.aotRoundTrip) {  // the machine code goes through an artifact's bytes (engine/code_cache.h)
      auto bytes = precompileArtifact(mod, 1);
      if (!bytes.ok()) {
        fail(cmd, "aot round trip: " + bytes.error().message);
        return nullptr;
      }
      auto back = loadPrecompiledArtifact(std::move(bytes).value());
      if (!back.ok()) {
        fail(cmd, "aot round trip: " + back.error().message);
        return nullptr;
      }
      return std::move(back).value();
    }
    return mod;
  }

  Result<Instance*> instantiateModule(const std::shared_ptr<const Module>& mod) {
    MYRT_ASSIGN(auto imports, resolveImports(*store_, *mod));
    return instantiate(*store_, mod, imports);
  }

  void nameInstance(const std::optional<std::string>& name, Instance* inst) {
    current_ = inst;
    if (name) instances_[*name] = inst;
  }

  Instance* target(const std::optional<std::string>& name) {
    if (!name) return current_;
    auto it = instances_.find(*name);
    return it == instances_.end() ? nullptr : it->second;
  }

  struct ActionResult {
    bool found = false;
    std::string error;  // why the action could not run (found == false)
    std::optional<Trap> trap;
    std::vector<Value> values;
    std::vector<ValType> types;
    const Module* module = nullptr;  // defines the types' concrete indices
  };

  ActionResult act(const wast::Action& a) {
    ActionResult r;
    Instance* inst = target(a.module);
    if (!inst) {
      r.error = "no module instance " + a.module.value_or("(current)");
      return r;
    }
    if (a.kind == wast::Action::Kind::Get) {
      GlobalInst* g = findExportedGlobal(*inst, a.name);
      if (!g) {
        r.error = "no exported global \"" + a.name + "\"";
        return r;
      }
      r.found = true;
      r.values = {g->value};
      r.types = {g->type.type};
      r.module = inst->module.get();
      return r;
    }
    FuncInst* f = findExportedFunc(*inst, a.name);
    if (!f) {
      r.error = "no exported function \"" + a.name + "\"";
      return r;
    }
    if (a.args.size() != f->numParams()) {
      r.error = "wrong number of arguments for \"" + a.name + "\"";
      return r;
    }
    r.found = true;
    std::vector<Value> args;
    args.reserve(a.args.size());
    for (const auto& v : a.args) args.push_back(toValue(v));
    r.values.assign(f->numResults(), Value());
    r.types = f->type->results;
    r.module = f->instance ? f->instance->module.get() : nullptr;
    InvokeResult res = invoke(*store_, f, args, r.values);
    r.trap = std::move(res.trap);
    return r;
  }

  Value toValue(const wast::Value& v) {
    switch (v.type) {
      case ValKind::I32:
      case ValKind::F32:
        return Value::fromI32(static_cast<uint32_t>(v.lo));
      case ValKind::I64:
      case ValKind::F64:
        return Value::fromI64(v.lo);
      case ValKind::V128: {
        uint8_t b[16];
        std::memcpy(b, &v.lo, 8);
        std::memcpy(b + 8, &v.hi, 8);
        return Value::fromV128Bytes(b);
      }
      default:
        if (v.ref == wast::RefKind::Null) return Value::fromRef(nullptr);
        if (v.ref == wast::RefKind::I31) return Value::fromRef(i31Ref(v.refIndex.value_or(0)));
        return Value::fromRef(store_->externRef(v.refIndex.value_or(0)));
    }
  }

  // An action whose failure is expected: the trap message must start with the expected text.
  void expectTrap(const wast::Command& cmd, const ActionResult& r) {
    if (!r.found) return fail(cmd, r.error);
    if (!r.trap) return fail(cmd, "returned normally, expected trap \"" + cmd.message + "\"");
    if (!startsWith(r.trap->message, cmd.message))
      return fail(cmd, "trapped with \"" + r.trap->message + "\", expected \"" + cmd.message + "\"");
    pass(cmd, r.trap->message);
  }

  // Component-model commands (component-model scripts): components are encoded (text through componentToBinary),
  // decoded and validated (runtime/component), instantiated on the store's tier with no host imports, and their
  // exports called through the Canonical ABI with script values converted to the declared types
  // (cli/wast_component.h). Rejections count as for core modules (any stage; the message is compared as a prefix).
  // Unsupported constructs (component-model async, ...) fail with "unsupported: ..." -- the scripts that need them
  // are listed in spec-tests/expected-failures-component.txt.
  struct LoadedComponent {
    std::shared_ptr<const component::Component> comp;
    std::string stage;  // "text", "component" (decode/validate)
    Error error;
  };
  LoadedComponent loadComponent(const wast::ScriptModule& m) {
    LoadedComponent l;
    auto bin = m.encode();
    if (!bin.ok()) {
      l.stage = "text";
      l.error = std::move(bin).error();
      if (m.form == wast::ScriptModule::Form::Text && l.error.offset != Error::kNoOffset) {
        LineCol lc = lineCol(text_, l.error.offset);
        l.error.message += " (at " + std::to_string(lc.line) + ":" + std::to_string(lc.col) + ")";
        l.error.offset = Error::kNoOffset;
      }
      return l;
    }
    auto c = component::loadComponent(bin.value());
    if (!c) {
      l.stage = "component";
      l.error = std::move(c).error();
      return l;
    }
    l.comp = std::move(c).value();
    return l;
  }
  static std::string describe(const LoadedComponent& l) { return l.stage + ": " + l.error.toString(); }
  // Component scripts expect a message the way wasmtime's harness checks it: contained in the error, with wasmtime's
  // "wasm trap: " prefix dropped (our traps carry the spec's wording, then wasmtime's in parentheses where they differ),
  // or standing for ours through the explicit table of wasmtime/myrt wordings (wasmtimeMessageEquivalences; counted
  // and printed in the summary).
  bool componentMessageMatches(const std::string& actual, std::string expected) {
    static const std::string kPrefix = "wasm trap: ";
    if (startsWith(expected, kPrefix)) expected.erase(0, kPrefix.size());
    if (actual.find(expected) != std::string::npos) return true;
    if (!equivalentMessage(actual, expected)) return false;
    ++c_.equivalent;
    return true;
  }

  // The scripts' components import no host interfaces; as in wasmtime's harness, a named component instance
  // (`(component $foo ...)`, `(component instance $foo $D)`) can be imported by later components as "foo".
  Result<component::ComponentInstance*> instantiateComponent(std::shared_ptr<const component::Component> c) {
    return component::instantiate(*store_, std::move(c), componentLinker_);
  }

  struct CompActionResult {
    bool found = false;
    std::string error;
    std::optional<Trap> trap;
    component::Val value;
    const component::Type* type = nullptr;  // the result type (nullptr: none)
  };
  CompActionResult actComponent(const wast::Action& a) {
    CompActionResult r;
    component::ComponentInstance* inst = currentComponent_;
    if (a.module) {
      auto it = componentInstances_.find(*a.module);
      inst = it == componentInstances_.end() ? nullptr : it->second;
    }
    if (!inst) {
      r.error = "no component instance " + a.module.value_or("(current)");
      return r;
    }
    if (a.kind != wast::Action::Kind::Invoke) {
      r.error = "unsupported: `get` of a component export";
      return r;
    }
    component::ComponentFunc* f = component::findFunc(*inst, "", a.name);
    if (!f) {
      r.error = "no exported function \"" + a.name + "\"";
      return r;
    }
    const component::Type& ft = *f->type;
    if (a.compArgs.size() != ft.elems.size()) {
      r.error = "wrong number of arguments for \"" + a.name + "\": " + std::to_string(a.compArgs.size()) +
                " for " + component::typeToString(&ft);
      return r;
    }
    std::vector<component::Val> args(a.compArgs.size());
    for (size_t i = 0; i < args.size(); ++i) {
      std::string why;
      if (!toComponentVal(a.compArgs[i], ft.elems[i], &args[i], &why)) {
        r.error = "argument " + std::to_string(i) + ": " + why;
        return r;
      }
    }
    r.found = true;
    r.type = ft.result;
    InvokeResult res = component::call(*store_, *f, args, &r.value);
    r.trap = std::move(res.trap);
    return r;
  }

  void nameComponent(const std::optional<std::string>& name, component::ComponentInstance* inst) {
    currentComponent_ = inst;
    if (!name) return;
    componentInstances_[*name] = inst;
    componentLinker_.instance(name->substr(name->rfind('$') == 0 ? 1 : 0), inst);
  }

  bool componentCommand(const wast::Command& cmd) {
    using K = wast::CommandKind;
    bool moduleIsComponent = (cmd.hasModule || cmd.kind == K::ModuleInstance) && cmd.module.component;
    bool actionIsComponent = cmd.hasAction && cmd.action.component;
    if (!moduleIsComponent && !actionIsComponent) return false;
    switch (cmd.kind) {
      case K::Module: {
        LoadedComponent l = loadComponent(cmd.module);
        if (!l.comp) {
          currentComponent_ = nullptr;
          fail(cmd, "component failed to load: " + describe(l));
          return true;
        }
        if (cmd.module.definition) {
          if (cmd.module.name) componentDefinitions_[*cmd.module.name] = l.comp;
          lastComponentDefinition_ = l.comp;
          pass(cmd);
          return true;
        }
        auto inst = instantiateComponent(l.comp);
        if (!inst) {
          currentComponent_ = nullptr;
          fail(cmd, "instantiation failed: " + inst.error().message);
          return true;
        }
        nameComponent(cmd.module.name, *inst);
        pass(cmd);
        return true;
      }
      case K::ModuleInstance: {
        std::shared_ptr<const component::Component> c = lastComponentDefinition_;
        if (cmd.of) {
          auto it = componentDefinitions_.find(*cmd.of);
          c = it == componentDefinitions_.end() ? nullptr : it->second;
        }
        if (!c) {
          fail(cmd, "unknown component definition " + cmd.of.value_or("(none)"));
          return true;
        }
        auto inst = instantiateComponent(c);
        if (!inst) {
          currentComponent_ = nullptr;
          fail(cmd, "instantiation failed: " + inst.error().message);
          return true;
        }
        nameComponent(cmd.name, *inst);
        pass(cmd);
        return true;
      }
      case K::AssertMalformed:
      case K::AssertInvalid: {
        LoadedComponent l = loadComponent(cmd.module);
        if (l.comp) {
          fail(cmd, "component was accepted, expected \"" + cmd.message + "\"");
          return true;
        }
        ++c_.rejections;
        bool match = componentMessageMatches(l.error.message, cmd.message);
        if (match) ++c_.messageMatches;
        const std::string mismatch = "expected \"" + cmd.message + "\", got " + describe(l);
        if (!match && opts_.strict) {
          fail(cmd, "message mismatch: " + mismatch);
          return true;
        }
        if (!match && opts_.mismatches && !opts_.verbose) report(cmd, "message mismatch: " + mismatch);
        pass(cmd, match ? describe(l) : mismatch);
        return true;
      }
      case K::AssertUnlinkable:
      case K::AssertUninstantiable:
      case K::AssertTrap: {
        if (cmd.hasAction) break;  // assert_trap of an invoke: below
        LoadedComponent l = loadComponent(cmd.module);
        if (!l.comp) {
          fail(cmd, "component failed to load: " + describe(l));
          return true;
        }
        auto inst = instantiateComponent(l.comp);
        if (inst) {
          fail(cmd, "instantiation succeeded, expected \"" + cmd.message + "\"");
          return true;
        }
        if (!componentMessageMatches(inst.error().message, cmd.message))
          fail(cmd, "failed with \"" + inst.error().message + "\", expected \"" + cmd.message + "\"");
        else
          pass(cmd, inst.error().message);
        return true;
      }
      default:
        break;
    }
    if (!cmd.hasAction) {
      fail(cmd, std::string("unsupported: ") + cmd.keyword + " of a component");
      return true;
    }
    CompActionResult r = actComponent(cmd.action);
    if (!r.found) {
      fail(cmd, r.error);
      return true;
    }
    if (cmd.kind == K::AssertTrap) {
      if (!r.trap)
        fail(cmd, "returned normally, expected trap \"" + cmd.message + "\"");
      else if (!componentMessageMatches(r.trap->message, cmd.message))
        fail(cmd, "trapped with \"" + r.trap->message + "\", expected \"" + cmd.message + "\"");
      else
        pass(cmd, r.trap->message);
      return true;
    }
    if (r.trap) {
      fail(cmd, "trapped: " + r.trap->message);
      return true;
    }
    if (cmd.kind == K::Action) {
      pass(cmd);
      return true;
    }
    if (cmd.kind != K::AssertReturn) {
      fail(cmd, std::string("unsupported: ") + cmd.keyword + " of a component");
      return true;
    }
    const std::string actual = r.type ? component::toWave(r.value, r.type) : std::string();
    if (cmd.compExpected.size() != (r.type ? 1u : 0u)) {
      failValues(cmd, "returned " + std::to_string(r.type ? 1 : 0) + " values, expected " +
                          std::to_string(cmd.compExpected.size()),
                 {}, r.type ? std::vector<std::string>{actual} : std::vector<std::string>{});
      return true;
    }
    if (!r.type) {
      pass(cmd);
      return true;
    }
    component::Val expected;
    std::string why;
    if (!toComponentVal(cmd.compExpected[0], r.type, &expected, &why)) {
      fail(cmd, "expected result: " + why + " (got " + actual + ")");
      return true;
    }
    if (!componentValEqual(expected, r.value, r.type)) {
      failValues(cmd, "result differs", {component::toWave(expected, r.type)}, {actual});
      return true;
    }
    pass(cmd);
    return true;
  }

  void runCommand(const wast::Command& cmd) {
    using K = wast::CommandKind;
    if (componentCommand(cmd)) return;
    switch (cmd.kind) {
      case K::Module: {
        auto mod = loadOrFail(cmd, cmd.module);
        if (!mod) {
          current_ = nullptr;
          return;
        }
        if (cmd.module.definition) {
          if (cmd.module.name) definitions_[*cmd.module.name] = mod;
          lastDefinition_ = mod;
          return pass(cmd);
        }
        auto inst = instantiateModule(mod);
        if (!inst.ok()) {
          current_ = nullptr;
          return fail(cmd, "instantiation failed: " + inst.error().message);
        }
        nameInstance(cmd.module.name, *inst);
        return pass(cmd);
      }
      case K::ModuleInstance: {
        std::shared_ptr<const Module> mod = lastDefinition_;
        if (cmd.of) {
          auto it = definitions_.find(*cmd.of);
          mod = it == definitions_.end() ? nullptr : it->second;
        }
        if (!mod) return fail(cmd, "unknown module definition " + cmd.of.value_or("(none)"));
        auto inst = instantiateModule(mod);
        if (!inst.ok()) return fail(cmd, "instantiation failed: " + inst.error().message);
        nameInstance(cmd.name, *inst);
        return pass(cmd);
      }
      case K::Register: {
        Instance* inst = target(cmd.name);
        if (!inst) return fail(cmd, "unknown module " + cmd.name.value_or("(no current module)"));
        store_->registered[cmd.message] = inst;
        return pass(cmd);
      }
      case K::AssertMalformed:
      case K::AssertInvalid: {
        Loaded l = load(cmd.module);
        if (l.module) return fail(cmd, "module was accepted, expected \"" + cmd.message + "\"");
        ++c_.rejections;
        bool match = startsWith(l.error.message, cmd.message);
        if (match) ++c_.messageMatches;
        const std::string mismatch = "expected \"" + cmd.message + "\", got " + describe(l, cmd.module);
        if (!match && opts_.strict) return fail(cmd, "message mismatch: " + mismatch);
        if (!match && opts_.mismatches && !opts_.verbose) report(cmd, "message mismatch: " + mismatch);
        return pass(cmd, match ? describe(l, cmd.module) : mismatch);
      }
      case K::AssertUnlinkable:
      case K::AssertUninstantiable:
      case K::AssertTrap: {
        if (cmd.kind == K::AssertTrap && !cmd.hasModule) return expectTrap(cmd, act(cmd.action));
        auto mod = loadOrFail(cmd, cmd.module);
        if (!mod) return;
        auto inst = instantiateModule(mod);
        if (inst.ok()) return fail(cmd, "instantiation succeeded, expected \"" + cmd.message + "\"");
        if (!startsWith(inst.error().message, cmd.message))
          return fail(cmd, "failed with \"" + inst.error().message + "\", expected \"" + cmd.message + "\"");
        return pass(cmd, inst.error().message);
      }
      case K::AssertExhaustion:
        return expectTrap(cmd, act(cmd.action));
      case K::AssertException: {
        ActionResult r = act(cmd.action);
        if (!r.found) return fail(cmd, r.error);
        if (!r.trap) return fail(cmd, "returned normally, expected an exception");
        if (r.trap->reason != TrapReason::UncaughtException)
          return fail(cmd, "trapped with \"" + r.trap->message + "\", expected an exception");
        return pass(cmd);
      }
      case K::Action: {
        ActionResult r = act(cmd.action);
        if (!r.found) return fail(cmd, r.error);
        if (r.trap) return fail(cmd, "trapped: " + r.trap->message);
        return pass(cmd);
      }
      case K::AssertReturn: {
        ActionResult r = act(cmd.action);
        if (!r.found) return fail(cmd, r.error);
        if (r.trap) return fail(cmd, "trapped: " + r.trap->message);
        if (r.values.size() != cmd.expected.size()) {
          std::vector<std::string> expected, actual;
          for (const auto& e : cmd.expected) expected.push_back(describeExpected(e));
          for (size_t k = 0; k < r.values.size(); ++k) actual.push_back(describeValue(r.types[k], r.module, r.values[k]));
          return failValues(cmd, "returned " + std::to_string(r.values.size()) + " values, expected " +
                                     std::to_string(cmd.expected.size()), std::move(expected), std::move(actual));
        }
        for (size_t i = 0; i < r.values.size(); ++i) {
          if (matches(cmd.expected[i], r.types[i], r.module, r.values[i])) continue;
          std::vector<std::string> expected, actual;
          for (size_t k = 0; k < r.values.size(); ++k) {
            expected.push_back(describeExpected(cmd.expected[k]));
            actual.push_back(describeValue(r.types[k], r.module, r.values[k]));
          }
          return failValues(cmd, "result " + std::to_string(i) + " differs", std::move(expected), std::move(actual));
        }
        return pass(cmd);
      }
      case K::Thread: return startThread(cmd);
      case K::Wait: return waitThread(cmd);
      case K::Unsupported:
        if (!knownUnsupported(cmd.keyword)) return fail(cmd, "unknown command");
        if (opts_.strict && !opts_.knownSkips.count(cmd.line))
          return fail(cmd, "unsupported command (--strict: not listed with --known-skip)");
        skippedLines_.insert(cmd.line);
        return skip(cmd, "unsupported command");
    }
  }

  const std::string& path_;
  const std::string& text_;
  const WastOptions& opts_;
  FileReport& rep_;
  Counts& c_;
  std::ostream& out_;
  std::unique_ptr<Store> store_;
  std::map<std::string, std::unique_ptr<ThreadRun>> threads_;
  ExecContext::TierCalls childCalls_;
  uint64_t childJitFunctions_ = 0;
  uint64_t childOptFunctions_ = 0;
  std::vector<std::string> childFallbacks_;
  size_t fallbacksSeen_ = 0;
  std::set<unsigned> skippedLines_;
  std::vector<std::pair<Exclusion, bool>> exclusions_;  // this script's --exclusions entries, and whether used
  Instance* current_ = nullptr;
  std::map<std::string, Instance*> instances_;
  std::map<std::string, std::shared_ptr<const Module>> definitions_;
  std::shared_ptr<const Module> lastDefinition_;
  component::ComponentInstance* currentComponent_ = nullptr;
  component::Linker componentLinker_;
  std::map<std::string, component::ComponentInstance*> componentInstances_;
  std::map<std::string, std::shared_ptr<const component::Component>> componentDefinitions_;
  std::shared_ptr<const component::Component> lastComponentDefinition_;
};

const char* outcomeName(CommandRecord::Outcome o) {
  switch (o) {
    case CommandRecord::Outcome::Passed: return "passed";
    case CommandRecord::Outcome::Failed: return "failed";
    case CommandRecord::Outcome::Skipped: return "skipped";
  }
  return "?";
}

std::string jsonString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string jsonList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + jsonString(items[i]);
  return out + "]";
}

std::string jsonCounts(const Counts& c) {
  return "\"passed\": " + std::to_string(c.passed) + ", \"failed\": " + std::to_string(c.failed) +
         ", \"skipped\": " + std::to_string(c.skipped) + ", \"rejections\": " + std::to_string(c.rejections) +
         ", \"expected_messages\": " + std::to_string(c.messageMatches) + ", \"excluded\": " + std::to_string(c.excluded) +
         ", \"wasmtime_wording\": " + std::to_string(c.equivalent);
}

// The --json report (format "myrt-wast-report" version 1; docs/testing.md describes it; tests/cli checks it against
// a fixed expected file).
void writeJson(std::ostream& o, const std::vector<FileReport>& files, const Counts& total, const WastOptions& opts) {
  o << "{\n  \"format\": \"myrt-wast-report\", \"version\": 1,\n  \"tier\": " << jsonString(tierName(opts.tier))
    << ", \"strict\": " << (opts.strict ? "true" : "false") << ",\n  \"totals\": {" << jsonCounts(total)
    << "},\n  \"files\": [";
  for (size_t f = 0; f < files.size(); ++f) {
    const FileReport& r = files[f];
    o << (f ? "," : "") << "\n    {\"file\": " << jsonString(r.path) << ", " << jsonCounts(r.counts)
      << ",\n     \"calls\": {\"interp\": " << r.calls.interp << ", \"jit_entries\": " << r.calls.jitEntries
      << ", \"osr\": " << r.calls.osr << "}, \"jit_functions\": " << r.jitFunctions
      << ", \"jit_fallbacks\": " << jsonList(r.jitFallbacks) << ",\n     \"errors\": " << jsonList(r.errors)
      << ",\n     \"commands\": [";
    for (size_t i = 0; i < r.commands.size(); ++i) {
      const CommandRecord& c = r.commands[i];
      o << (i ? "," : "") << "\n       {\"line\": " << c.line << ", \"command\": " << jsonString(c.keyword)
        << ", \"result\": \"" << outcomeName(c.outcome) << "\"";
      if (!c.detail.empty())
        o << ", \"" << (c.outcome == CommandRecord::Outcome::Passed ? "note" : "reason") << "\": " << jsonString(c.detail);
      if (c.hasValues) o << ", \"expected\": " << jsonList(c.expected) << ", \"actual\": " << jsonList(c.actual);
      o << "}";
    }
    o << (r.commands.empty() ? "" : "\n     ") << "]}";
  }
  o << (files.empty() ? "" : "\n  ") << "]\n}\n";
}

std::string xmlEscape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        if (c < 0x20 && c != '\n' && c != '\t') out += ' ';
        else out += static_cast<char>(c);
    }
  }
  return out;
}

// The --junit report: one <testsuite> per script, one <testcase> per command (and one per file-level error).
void writeJunit(std::ostream& o, const std::vector<FileReport>& files, const Counts& total) {
  o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"myrt wast\" tests=\""
    << total.passed + total.failed + total.skipped << "\" failures=\"" << total.failed << "\" skipped=\""
    << total.skipped << "\">\n";
  for (const FileReport& r : files) {
    const Counts& c = r.counts;
    o << "  <testsuite name=\"" << xmlEscape(r.path) << "\" tests=\"" << c.passed + c.failed + c.skipped
      << "\" failures=\"" << c.failed << "\" skipped=\"" << c.skipped << "\">\n";
    for (const std::string& e : r.errors)
      o << "    <testcase classname=\"" << xmlEscape(r.path) << "\" name=\"file\"><failure message=\"" << xmlEscape(e)
        << "\"/></testcase>\n";
    for (const CommandRecord& cr : r.commands) {
      o << "    <testcase classname=\"" << xmlEscape(r.path) << "\" name=\"line " << cr.line << ": "
        << xmlEscape(cr.keyword) << "\"";
      if (cr.outcome == CommandRecord::Outcome::Passed) {
        o << "/>\n";
        continue;
      }
      o << ">";
      if (cr.outcome == CommandRecord::Outcome::Skipped) {
        o << "<skipped message=\"" << xmlEscape(cr.detail) << "\"/>";
      } else {
        o << "<failure message=\"" << xmlEscape(cr.detail) << "\">";
        if (cr.hasValues) {
          o << "expected:";
          for (const auto& v : cr.expected) o << " " << xmlEscape(v);
          o << "\nactual:";
          for (const auto& v : cr.actual) o << " " << xmlEscape(v);
        }
        o << "</failure>";
      }
      o << "</testcase>\n";
    }
    o << "  </testsuite>\n";
  }
  o << "</testsuites>\n";
}

}  // namespace

std::string tierStatsLine(const ExecContext::TierCalls& calls, uint64_t jitFunctions, uint64_t jitFallbacks) {
  return "calls: " + std::to_string(calls.interp) + " in the interpreter, " + std::to_string(calls.jitEntries) +
         " entries into JIT code, " + std::to_string(calls.osr) + " OSR transfers; JIT: " +
         std::to_string(jitFunctions) + " functions compiled, " + std::to_string(jitFallbacks) +
         " left in the interpreter";
}

int cmdWast(const std::vector<std::string>& files, const WastOptions& opts) {
  if (auto c = tierConfig(opts.tier); !c.ok()) {
    std::cerr << "myrt: wast: " << c.error().message << "\n";
    return kExitError;
  }
  std::ostringstream discard;  // --json: the text lines are not printed
  std::ostream& out = opts.json ? static_cast<std::ostream&>(discard) : std::cout;
  std::vector<FileReport> reports;
  Counts total;
  std::vector<Exclusion> exclusions;
  if (!opts.exclusions.empty()) {
    auto text = readFile(opts.exclusions);
    std::string why;
    if (!text.ok() || !parseExclusions(text.value(), opts.exclusions, &exclusions, &why)) {
      std::cerr << "myrt: wast: --exclusions: " << (text.ok() ? why : opts.exclusions + ": " + text.error().message) << "\n";
      return kExitError;
    }
  }
  ExecContext::TierCalls calls;
  uint64_t jitFunctions = 0, jitFallbacks = 0, gcCollections = 0, optFunctions = 0;
  uint64_t gcPrecise = 0, gcConservative = 0, gcUnmapped = 0, gcConservativeOnly = 0;
  for (const auto& f : files) {
    FileReport rep;
    rep.path = f;
    auto text = readFile(f);
    if (!text.ok()) {
      out << "myrt: " << f << ": " << text.error().message << "\n";
      rep.errors.push_back(text.error().message);
      ++rep.counts.failed;
    } else {
      FileRunner fr(rep, text.value(), opts, out);
      fr.useExclusions(exclusions);
      fr.run();
    }
    total.add(rep.counts);
    calls.interp += rep.calls.interp;
    calls.jitEntries += rep.calls.jitEntries;
    calls.osr += rep.calls.osr;
    jitFunctions += rep.jitFunctions;
    optFunctions += rep.optFunctions;
    jitFallbacks += rep.jitFallbacks.size();
    gcCollections += rep.gcCollections;
    gcPrecise += rep.gcPrecise;
    gcConservative += rep.gcConservative;
    gcUnmapped += rep.gcUnmapped;
    gcConservativeOnly += rep.gcConservativeOnly;
    if (opts.json || !opts.junit.empty()) reports.push_back(std::move(rep));
    discard.str("");
  }
  out << total.passed << " passed, " << total.failed << " failed, " << total.skipped << " skipped\n";
  out << "expected messages: " << total.messageMatches << " of " << total.rejections
      << " rejections carry the expected message\n";
  if (!opts.exclusions.empty() || total.excluded)
    out << "excluded: " << total.excluded << " assertions listed in " << opts.exclusions << " (each reported above)\n";
  if (total.equivalent)
    out << "wasmtime wording: " << total.equivalent
        << " component messages matched through the equivalence table (cli/wast_component.cpp)\n";
  if (opts.stats) {
    out << tierStatsLine(calls, jitFunctions, jitFallbacks) << "\n";
    if (opts.tier != Tier::Interp && *simdCodePath()) out << "JIT SIMD code: " << simdCodePath() << "\n";
    if (opts.tier == Tier::Opt || (opts.tier == Tier::Auto && tierAvailable(Tier::Opt)))
      out << "optimizing tier: " << optFunctions << " of the " << jitFunctions << " compiled functions\n";
    if (gcCollections) {
      out << "GC collections: " << gcCollections << "\n";
      out << "GC value-stack roots: " << gcPrecise << " precise slots, " << gcConservative
          << " slots scanned conservatively, " << gcUnmapped << " frames without a map";
      if (gcCheckRootsFromEnv()) out << ", " << gcConservativeOnly << " objects only the conservative scan keeps";
      out << "\n";
    }
  }
  if (opts.json) writeJson(std::cout, reports, total, opts);
  std::cout.flush();
  if (!opts.junit.empty()) {
    std::ofstream j(opts.junit, std::ios::binary);
    writeJunit(j, reports, total);
    if (!j) {
      std::cerr << "myrt: wast: cannot write " << opts.junit << "\n";
      return kExitError;
    }
  }
  return total.failed == 0 ? kExitOk : kExitError;
}

}  // namespace myrt::cli
