// cli/wast_runner.cpp -- `myrt wast FILE...`: runs spec-test scripts (runtime/text/wast.h) on the execution engine.
// Layer: cli (uses runtime/text for scripts and modules, the front end through loadBinary, runtime/exec + the
// interpreter store for execution). Every command is checked: modules must load and instantiate;
// assert_malformed / assert_invalid must be rejected by the front end (we also count how many rejections carry the
// expected message); assert_return compares results (NaN patterns, v128 lanes, reference kinds); assert_trap /
// assert_exhaustion / assert_exception / assert_unlinkable / assert_uninstantiable require the failure and its
// message (prefix match, as the reference interpreter does). Output: failures as `FILE:LINE: <command>: <why>`, then
// exactly one line `N passed, M failed, K skipped` (skipped = recognised but unsupported commands such as `thread`),
// then the message statistics. Exit code 0 iff nothing failed.
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "cli/cli.h"
#include "runtime/exec/engine.h"
#include "runtime/interp/interp.h"
#include "runtime/text/wast.h"
#include "runtime/text/wat.h"

namespace myrt::cli {

namespace {

struct Counts {
  size_t passed = 0, failed = 0, skipped = 0;
  size_t rejections = 0, messageMatches = 0;  // assert_malformed/assert_invalid rejections; with the expected text
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

// Does reference `r` (of static type `type`) match the reference pattern `v`?
bool refMatches(const wast::Value& v, ValType type, Ref r) {
  using RK = wast::RefKind;
  if (v.ref == RK::Null) return r == nullptr;
  if (r == nullptr) return false;
  // Objects of the func and exn hierarchies have no GC header; only look inside any/extern references (a concrete
  // type is taken as struct/array here: a pattern asking for a GC kind on a function reference fails either way).
  const bool anyOrExtern = type.isRef() && type.heap != HeapKind::Func && type.heap != HeapKind::NoFunc &&
                           type.heap != HeapKind::Exn && type.heap != HeapKind::NoExn;
  switch (v.ref) {
    case RK::Extern:
    case RK::Host:
      if (!v.refIndex) return true;
      if (!anyOrExtern || isI31(r)) return false;
      return static_cast<const GcObject*>(r)->kind == GcKind::Host && Store::externRefValue(r) == *v.refIndex;
    case RK::I31:
      if (!isI31(r)) return false;
      return !v.refIndex || i31Value(r) == *v.refIndex;
    case RK::Struct:
      return anyOrExtern && !isI31(r) && static_cast<const GcObject*>(r)->kind == GcKind::Struct;
    case RK::Array:
      return anyOrExtern && !isI31(r) && static_cast<const GcObject*>(r)->kind == GcKind::Array;
    case RK::Eq:
      return anyOrExtern && (isI31(r) || static_cast<const GcObject*>(r)->kind != GcKind::Host);
    case RK::Func:
    case RK::Any:
    case RK::Exn:
    case RK::Null:
      return true;  // any non-null reference of the right static type
  }
  return false;
}

bool matches(const wast::Expected& e, ValType type, const Value& got) {
  switch (e.kind) {
    case wast::Expected::Kind::Either:
      for (const auto& alt : e.either)
        if (matches(alt, type, got)) return true;
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
      return type.isRef() && refMatches(v, type, got.ref);
  }
}

std::string describeValue(ValType t, const Value& v) {
  char buf[96];
  switch (t.kind) {
    case ValKind::I32: std::snprintf(buf, sizeof buf, "i32:0x%x", v.i32); break;
    case ValKind::I64: std::snprintf(buf, sizeof buf, "i64:0x%llx", static_cast<unsigned long long>(v.i64)); break;
    case ValKind::F32: std::snprintf(buf, sizeof buf, "f32:%g (0x%x)", static_cast<double>(v.f32), v.i32); break;
    case ValKind::F64:
      std::snprintf(buf, sizeof buf, "f64:%g (0x%llx)", v.f64, static_cast<unsigned long long>(v.i64));
      break;
    case ValKind::V128: {
      uint64_t lo, hi;
      std::memcpy(&lo, v.v128, 8);
      std::memcpy(&hi, v.v128 + 8, 8);
      std::snprintf(buf, sizeof buf, "v128:0x%016llx%016llx", static_cast<unsigned long long>(hi),
                    static_cast<unsigned long long>(lo));
      break;
    }
    default: std::snprintf(buf, sizeof buf, "%s:%s", toString(t).c_str(), v.ref ? "non-null" : "null"); break;
  }
  return buf;
}

class FileRunner {
 public:
  FileRunner(const std::string& path, const std::string& text, const WastOptions& opts, Counts& counts)
      : path_(path), text_(text), opts_(opts), c_(counts), store_(std::move(makeStore(opts.tier).value())) {
    createSpectest(*store_);
  }

  void run() {
    auto script = wast::parseScript(text_);
    if (!script.ok()) {
      const Error& e = script.error();
      LineCol lc = lineCol(text_, e.offset == Error::kNoOffset ? 0 : e.offset);
      std::cout << path_ << ":" << lc.line << ":" << lc.col << ": script: " << e.message << "\n";
      ++c_.failed;
      return;
    }
    for (const auto& cmd : script.value().commands) runCommand(cmd);
  }

 private:
  void pass(const wast::Command& cmd, const std::string& note = "") {
    ++c_.passed;
    if (opts_.verbose) report(cmd, note.empty() ? "passed" : "passed (" + note + ")");
  }
  void fail(const wast::Command& cmd, const std::string& why) {
    ++c_.failed;
    report(cmd, why);
  }
  void skip(const wast::Command& cmd, const std::string& why) {
    ++c_.skipped;
    if (opts_.verbose) report(cmd, "skipped: " + why);
  }
  void report(const wast::Command& cmd, const std::string& what) {
    std::cout << path_ << ":" << cmd.line << ": " << cmd.keyword << ": " << what << "\n";
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
    return std::make_shared<const Module>(std::move(*l.module));
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

  void runCommand(const wast::Command& cmd) {
    using K = wast::CommandKind;
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
        else if (opts_.mismatches && !opts_.verbose)
          report(cmd, "message mismatch: expected \"" + cmd.message + "\", got " + describe(l, cmd.module));
        return pass(cmd, match ? describe(l, cmd.module)
                               : "expected \"" + cmd.message + "\", got " + describe(l, cmd.module));
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
        if (r.values.size() != cmd.expected.size())
          return fail(cmd, "returned " + std::to_string(r.values.size()) + " values, expected " +
                               std::to_string(cmd.expected.size()));
        for (size_t i = 0; i < r.values.size(); ++i)
          if (!matches(cmd.expected[i], r.types[i], r.values[i]))
            return fail(cmd, "result " + std::to_string(i) + " is " + describeValue(r.types[i], r.values[i]) +
                                 ", not the expected value");
        return pass(cmd);
      }
      case K::Unsupported:
        return skip(cmd, "unsupported command");
    }
  }

  const std::string& path_;
  const std::string& text_;
  const WastOptions& opts_;
  Counts& c_;
  std::unique_ptr<Store> store_;
  Instance* current_ = nullptr;
  std::map<std::string, Instance*> instances_;
  std::map<std::string, std::shared_ptr<const Module>> definitions_;
  std::shared_ptr<const Module> lastDefinition_;
};

}  // namespace

int cmdWast(const std::vector<std::string>& files, const WastOptions& opts) {
  if (auto c = tierConfig(opts.tier); !c.ok()) {
    std::cerr << "myrt: wast: " << c.error().message << "\n";
    return kExitError;
  }
  Counts counts;
  for (const auto& f : files) {
    auto text = readFile(f);
    if (!text.ok()) {
      std::cout << "myrt: " << f << ": " << text.error().message << "\n";
      ++counts.failed;
      continue;
    }
    FileRunner(f, text.value(), opts, counts).run();
  }
  std::cout << counts.passed << " passed, " << counts.failed << " failed, " << counts.skipped << " skipped\n";
  std::cout << "expected messages: " << counts.messageMatches << " of " << counts.rejections
            << " rejections carry the expected message\n";
  std::cout.flush();
  return counts.failed == 0 ? kExitOk : kExitError;
}

}  // namespace myrt::cli
