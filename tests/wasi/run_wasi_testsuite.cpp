// tests/wasi/run_wasi_testsuite.cpp -- runs programs of the WASI testsuite: preview1 modules (/work/shared/wasi-testsuite)
// through wasi/p1, and the same programs adapted to WASI 0.2 command components (/work/shared/wasi-p2/
// wasi-testsuite-p2-adapted, with --overrides adapter-expectations.json) through wasi/p2 and runtime/component,
// on any tier (no dependency on cli/). For each X.wasm: read X.json (defaults when missing; the `operations` form
// too), copy the `root` fixture to a fresh temporary directory preopened as "/", capture stdout/stderr, run `_start`
// (a module) or `wasi:cli/run#run` (a component: ok 0, err 1, or the exit code), compare exit code and output.
// Layer: tests (uses runtime/binary, runtime/valid, engine/tiers, runtime/component, wasi/p1, wasi/p2).
//
//   run_wasi_testsuite [--tier interp|jit|auto] [--overrides F] [--walk] [--expect X.json] TEST.wasm...   exit 0 iff all pass; one line per test
//   run_wasi_testsuite [--tier T] --cases CASES.json NAME   one case of a component's cases.json
//   run_wasi_testsuite [--walk] --summary SUITE_DIR   runs every */testsuite/wasm32-wasip1/*.wasm, prints counts per folder
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/binary/decoder.h"
#include "runtime/component/component.h"
#include "runtime/component/instance.h"
#include "runtime/exec/engine.h"
#include "runtime/interp/interp.h"
#include "engine/tiers.h"
#include "runtime/valid/validator.h"
#include "wasi/host/sandbox.h"
#include "wasi/p1/wasi.h"
#include "wasi/p2/context.h"
#include "wasi/p2/link.h"

namespace fs = std::filesystem;
using namespace myrt;

namespace {

Tier gTier = Tier::Interp;

// ---- a minimal JSON reader (objects, arrays, strings, numbers, true/false/null) ----
struct Json {
  enum Kind { Null, Bool, Num, Str, Arr, Obj } kind = Null;
  bool b = false;
  double num = 0;
  std::string str;
  std::vector<Json> arr;
  std::vector<std::pair<std::string, Json>> obj;
  const Json* get(const std::string& k) const {
    for (auto& [key, v] : obj)
      if (key == k) return &v;
    return nullptr;
  }
};

class JsonParser {
 public:
  explicit JsonParser(const std::string& t) : t_(t) {}
  bool parse(Json& out) {
    if (!value(out)) return false;
    ws();
    return i_ == t_.size();
  }

 private:
  void ws() {
    while (i_ < t_.size() && std::isspace(static_cast<unsigned char>(t_[i_]))) ++i_;
  }
  bool lit(const char* w) {
    size_t n = std::strlen(w);
    if (t_.compare(i_, n, w) != 0) return false;
    i_ += n;
    return true;
  }
  bool string(std::string& out) {
    if (i_ >= t_.size() || t_[i_] != '"') return false;
    ++i_;
    while (i_ < t_.size() && t_[i_] != '"') {
      char c = t_[i_++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= t_.size()) return false;
      char e = t_[i_++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          if (i_ + 4 > t_.size()) return false;
          unsigned cp = static_cast<unsigned>(std::strtoul(t_.substr(i_, 4).c_str(), nullptr, 16));
          i_ += 4;
          if (cp < 0x80) {
            out += static_cast<char>(cp);
          } else if (cp < 0x800) {
            out += static_cast<char>(0xc0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3f));
          } else {
            out += static_cast<char>(0xe0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
          }
          break;
        }
        default: out += e;
      }
    }
    if (i_ >= t_.size()) return false;
    ++i_;
    return true;
  }
  bool value(Json& v) {
    ws();
    if (i_ >= t_.size()) return false;
    char c = t_[i_];
    if (c == '{') {
      ++i_;
      v.kind = Json::Obj;
      ws();
      if (i_ < t_.size() && t_[i_] == '}') return ++i_, true;
      for (;;) {
        ws();
        std::string k;
        if (!string(k)) return false;
        ws();
        if (i_ >= t_.size() || t_[i_++] != ':') return false;
        Json x;
        if (!value(x)) return false;
        v.obj.emplace_back(std::move(k), std::move(x));
        ws();
        if (i_ < t_.size() && t_[i_] == ',') {
          ++i_;
          continue;
        }
        return i_ < t_.size() && t_[i_++] == '}';
      }
    }
    if (c == '[') {
      ++i_;
      v.kind = Json::Arr;
      ws();
      if (i_ < t_.size() && t_[i_] == ']') return ++i_, true;
      for (;;) {
        Json x;
        if (!value(x)) return false;
        v.arr.push_back(std::move(x));
        ws();
        if (i_ < t_.size() && t_[i_] == ',') {
          ++i_;
          continue;
        }
        return i_ < t_.size() && t_[i_++] == ']';
      }
    }
    if (c == '"') {
      v.kind = Json::Str;
      return string(v.str);
    }
    if (lit("true")) return v.kind = Json::Bool, v.b = true, true;
    if (lit("false")) return v.kind = Json::Bool, true;
    if (lit("null")) return v.kind = Json::Null, true;
    char* end = nullptr;
    v.num = std::strtod(t_.c_str() + i_, &end);
    if (end == t_.c_str() + i_) return false;
    v.kind = Json::Num;
    i_ = static_cast<size_t>(end - t_.c_str());
    return true;
  }
  const std::string& t_;
  size_t i_ = 0;
};

struct Expectation {
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  std::string root;  // "" = none
  int exitCode = 0;
  std::optional<std::string> stdoutText, stderrText;
  bool mustFail = false;  // adapter-expectations.json: the preview1 adapter itself makes this program fail
  std::optional<std::string> stdinText;  // else /dev/null
};

// The outcome of a finished run against the expectation: "" or why it differs.
std::string compareOutcome(const Expectation& exp, int code, const std::string& out, const std::string& errText) {
  if (code != exp.exitCode) return "exit code " + std::to_string(code) + ", expected " + std::to_string(exp.exitCode);
  if (exp.stdoutText && out != *exp.stdoutText)
    return "stdout differs: got [" + out + "] expected [" + *exp.stdoutText + "]";
  if (exp.stderrText && errText != *exp.stderrText)
    return "stderr differs: got [" + errText + "] expected [" + *exp.stderrText + "]";
  return "";
}

bool readFile(const fs::path& p, std::string& out) {
  std::ifstream f(p, std::ios::binary);
  if (!f) return false;
  std::stringstream ss;
  ss << f.rdbuf();
  out = ss.str();
  return true;
}

void applyRun(const Json& j, Expectation& e) {
  if (const Json* a = j.get("args"))
    for (auto& x : a->arr) e.args.push_back(x.str);
  if (const Json* v = j.get("env"))
    for (auto& [k, x] : v->obj) e.env.emplace_back(k, x.str);
  if (const Json* r = j.get("root"); r && r->kind == Json::Str) e.root = r->str;
  if (const Json* r = j.get("dirs"); r && r->kind == Json::Arr && !r->arr.empty()) e.root = r->arr[0].str;
  if (const Json* c = j.get("exit_code")) e.exitCode = static_cast<int>(c->num);
  if (const Json* s = j.get("stdout")) e.stdoutText = s->str;
  if (const Json* s = j.get("stderr")) e.stderrText = s->str;
}

bool loadExpectation(const fs::path& jp, Expectation& e, std::string& err) {
  std::string text;
  if (!readFile(jp, text)) return true;  // defaults
  Json j;
  if (!JsonParser(text).parse(j) || j.kind != Json::Obj) {
    err = "bad JSON in " + jp.string();
    return false;
  }
  if (const Json* ops = j.get("operations")) {
    for (auto& op : ops->arr) {
      const Json* type = op.get("type");
      if (!type) continue;
      if (type->str == "run") applyRun(op, e);
      if (type->str == "wait")
        if (const Json* c = op.get("exit_code")) e.exitCode = static_cast<int>(c->num);
      if (type->str == "read") {
        const Json* id = op.get("id");
        const Json* payload = op.get("payload");
        if (id && payload && id->str == "stdout") e.stdoutText = payload->str;
        if (id && payload && id->str == "stderr") e.stderrText = payload->str;
      }
    }
    return true;
  }
  applyRun(j, e);
  return true;
}

std::string readAll(int fd) {
  std::string out;
  lseek(fd, 0, SEEK_SET);
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

// Runs a WASI 0.2 command component (the adapted testsuite): WasiP2 over the same config, the wasi:cli/run export.
std::string runComponent(const std::string& bytesText, const wasi::WasiConfig& cfg, const Expectation& exp,
                         int outFd, int errFd) {
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(bytesText.data()), bytesText.size());
  auto comp = component::loadComponent(bytes);
  if (!comp.ok()) return "load component: " + comp.error().toString();
  auto ctx = wasi::p2::WasiP2::create(cfg);
  if (!ctx.ok()) return "wasi: " + ctx.error().message;
  component::Linker linker;
  wasi::p2::addToLinker(linker, **ctx);
  auto madeStore = makeStore(gTier);
  if (!madeStore.ok()) return "store: " + madeStore.error().message;
  Store& store = **madeStore;
  auto inst = component::instantiate(store, *comp, linker);
  if (!inst.ok()) return "instantiate: " + inst.error().message;
  component::ComponentFunc* run = component::findFunc(**inst, "wasi:cli/run@0.2.12", "run");
  if (!run) return "no export wasi:cli/run#run";
  component::Val res;
  InvokeResult r = component::call(store, *run, {}, &res);
  int code;
  std::string result;
  if (r.trap && (*ctx)->exitCode() && r.trap->message == wasi::p2::kExitTrap) {
    code = static_cast<int>(*(*ctx)->exitCode());
  } else if (r.trap) {
    result = "trap: " + r.trap->toString();
    code = 134;
  } else {
    code = res.isErr() ? 1 : 0;
  }
  std::string out = readAll(outFd), errText = readAll(errFd);
  if (result.empty()) result = compareOutcome(exp, code, out, errText);
  if (!result.empty() && !errText.empty()) result += "\n  stderr: " + errText.substr(0, 2000);
  return result;
}

// adapter-expectations.json ("overrides": {"<lang>/<name>": {"exit_code": N} | {"expect": "fail"}}), when given.
Json gOverrides;

void applyOverride(const fs::path& wasm, Expectation& e) {
  const Json* all = gOverrides.get("overrides");
  if (!all) return;
  const Json* o = all->get(wasm.parent_path().filename().string() + "/" + wasm.stem().string());
  if (!o) return;
  if (const Json* c = o->get("exit_code")) e.exitCode = static_cast<int>(c->num);
  if (const Json* x = o->get("expect"); x && x->str == "fail") e.mustFail = true;
}

// Runs one test; "" on success, else why it failed. The expectation is `json` (default: X.json beside X.wasm);
// its `root` is relative to the JSON file's folder.
// `given`: an expectation made elsewhere (a case of a cases.json; `json` then only locates the fixture).
std::string runTest(const fs::path& wasm, fs::path json = {}, const Expectation* given = nullptr) {
  if (json.empty()) json = fs::path(wasm).replace_extension(".json");
  Expectation exp;
  std::string err;
  if (given)
    exp = *given;
  else if (!loadExpectation(json, exp, err))
    return err;
  applyOverride(wasm, exp);
  std::string bytesText;
  if (!readFile(wasm, bytesText)) return "cannot read " + wasm.string();
  const bool isComponent = component::isComponentBinary(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytesText.data()), bytesText.size()));
  std::shared_ptr<const Module> module;
  if (!isComponent) {
    auto mod = decodeModule(std::vector<uint8_t>(bytesText.begin(), bytesText.end()));
    if (!mod.ok()) return "decode: " + mod.error().toString();
    if (Status v = validateModule(*mod); !v.ok()) return "validate: " + v.error().toString();
    module = std::make_shared<const Module>(std::move(mod.value()));
  }

  // Fresh copy of the fixture: <tmp>/<root> preopened as "/".
  char tmpl[] = "/tmp/myrt-wasi-XXXXXX";
  if (!mkdtemp(tmpl)) return "mkdtemp failed";
  fs::path tmp = tmpl;
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  } cleanup{tmp};
  wasi::WasiConfig cfg;
  cfg.args.push_back(wasm.filename().string());
  for (auto& a : exp.args) cfg.args.push_back(a);
  cfg.env = exp.env;
  if (!exp.root.empty()) {
    fs::path src = json.parent_path() / exp.root;
    fs::path dst = tmp / exp.root;
    std::error_code ec;
    fs::copy(src, dst, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
    if (ec) return "copying fixture " + src.string() + ": " + ec.message();
    fs::permissions(dst, fs::perms::owner_all, fs::perm_options::add, ec);
    for (auto it = fs::recursive_directory_iterator(dst, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (it->is_symlink()) continue;
      fs::permissions(it->path(), fs::perms::owner_read | fs::perms::owner_write |
                      (it->is_directory() ? fs::perms::owner_exec : fs::perms::none), fs::perm_options::add, ec);
    }
    // Scratch files of earlier runs (there are none in a fresh copy, but the suite asks to delete them).
    for (auto it = fs::directory_iterator(dst, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
      if (it->path().extension() == ".cleanup") fs::remove_all(it->path(), ec);
    cfg.preopens.push_back({dst.string(), "/", false});
  }
  int outFd = memfd_create("wasi-stdout", MFD_CLOEXEC);
  int errFd = memfd_create("wasi-stderr", MFD_CLOEXEC);
  int inFd;
  if (exp.stdinText) {
    inFd = memfd_create("wasi-stdin", MFD_CLOEXEC);
    if (write(inFd, exp.stdinText->data(), exp.stdinText->size()) != ssize_t(exp.stdinText->size())) return "stdin";
    lseek(inFd, 0, SEEK_SET);
  } else {
    inFd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  }
  cfg.stdinFd = inFd;
  cfg.stdoutFd = outFd;
  cfg.stderrFd = errFd;
  std::string result;
  if (isComponent) {
    result = runComponent(bytesText, cfg, exp, outFd, errFd);
  } else {
    auto ctx = wasi::WasiContext::create(cfg);
    auto madeStore = makeStore(gTier);
    if (!ctx.ok()) {
      result = "wasi: " + ctx.error().message;
    } else if (!madeStore.ok()) {
      result = "store: " + madeStore.error().message;
    } else {
      auto& store = *madeStore;
      (*ctx)->addToStore(*store);
      auto imports = resolveImports(*store, *module);
      if (!imports.ok()) {
        result = "link: " + imports.error().message;
      } else if (auto inst = instantiate(*store, module, *imports); !inst.ok()) {
        result = "instantiate: " + inst.error().message;
      } else {
        wasi::RunResult r = wasi::runStart(*store, **inst, **ctx);
        std::string out = readAll(outFd), errText = readAll(errFd);
        if (r.trap)
          result = "trap: " + r.trap->toString();
        else
          result = compareOutcome(exp, r.exitCode, out, errText);
        if (!result.empty() && !errText.empty()) result += "\n  stderr: " + errText.substr(0, 2000);
      }
    }
  }
  close(outFd);
  close(errFd);
  close(inFd);
  if (exp.mustFail) return result.empty() ? "passed, but adapter-expectations.json says the adapter makes it fail" : "";
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  // Options, in any order, before the programs.
  bool walk = false;
  for (bool more = true; more && !args.empty();) {
    more = false;
    if (args.size() >= 2 && args[0] == "--tier") {  // interp (default), jit, auto
      auto t = parseTier(args[1]);
      if (!t.ok()) {
        std::fprintf(stderr, "%s\n", t.error().message.c_str());
        return 2;
      }
      gTier = *t;
      args.erase(args.begin(), args.begin() + 2);
      more = true;
    } else if (args.size() >= 2 && args[0] == "--overrides") {  // adapter-expectations.json of the adapted 0.2 suite
      std::string text;
      if (!readFile(args[1], text) || !JsonParser(text).parse(gOverrides)) {
        std::fprintf(stderr, "cannot read overrides %s\n", args[1].c_str());
        return 2;
      }
      args.erase(args.begin(), args.begin() + 2);
      more = true;
    } else if (args[0] == "--walk") {  // force the component-walk resolver (covers the fallback)
      walk = true;
      wasi::setResolver(wasi::Resolver::Walk);
      args.erase(args.begin());
      more = true;
    }
  }
  // --cases FILE NAME: one case of a component's cases.json (../shared/wasi-p2/components/*/cases.json: "component",
  // "cases": [{name, args, env {}, root (folder or null), stdin?, stdout, exit_code}]).
  if (args.size() == 3 && args[0] == "--cases") {
    std::string text;
    Json j;
    if (!readFile(args[1], text) || !JsonParser(text).parse(j) || !j.get("cases") || !j.get("component")) {
      std::fprintf(stderr, "cannot read cases %s\n", args[1].c_str());
      return 2;
    }
    for (const Json& c : j.get("cases")->arr) {
      const Json* name = c.get("name");
      if (!name || name->str != args[2]) continue;
      Expectation e;
      applyRun(c, e);
      if (const Json* in = c.get("stdin"); in && in->kind == Json::Str) e.stdinText = in->str;
      if (const Json* out = c.get("stdout"); !out) e.stdoutText = "";  // no output expected
      fs::path wasm = fs::path(args[1]).parent_path() / j.get("component")->str;
      std::string why = runTest(wasm, args[1], &e);
      std::printf("%s %s%s%s\n", why.empty() ? "PASS" : "FAIL", args[2].c_str(), why.empty() ? "" : ": ", why.c_str());
      return why.empty() ? 0 : 1;
    }
    std::fprintf(stderr, "no case %s in %s\n", args[2].c_str(), args[1].c_str());
    return 2;
  }
  fs::path expect;
  if (args.size() >= 2 && args[0] == "--expect") {  // the expectation file of a program built elsewhere
    expect = args[1];
    args.erase(args.begin(), args.begin() + 2);
  }
  if (args.size() == 2 && args[0] == "--summary") {
    std::map<std::string, std::pair<int, int>> counts;
    std::vector<fs::path> tests;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(args[1], ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
      if (it->path().extension() == ".wasm") tests.push_back(it->path());
    std::sort(tests.begin(), tests.end());
    for (auto& t : tests) {
      std::string lang = fs::relative(t, args[1]).begin()->string();
      std::string why = runTest(t);
      auto& c = counts[lang];
      ++c.second;
      if (why.empty()) ++c.first;
      std::printf("%s %s/%s%s%s\n", why.empty() ? "PASS" : "FAIL", lang.c_str(), t.stem().c_str(),
                  why.empty() ? "" : ": ", why.c_str());
    }
    for (auto& [lang, c] : counts) std::printf("%s: %d / %d passed\n", lang.c_str(), c.first, c.second);
    return 0;
  }
  if (args.empty()) {
    std::fprintf(stderr,
                 "usage: run_wasi_testsuite [--tier T] [--walk] [--expect X.json] TEST.wasm... | [--tier T] [--walk] --summary DIR\n");
    return 2;
  }
  int failed = 0;
  for (auto& a : args) {
    std::string why = runTest(a, expect);
    std::printf("%s %s%s%s\n", why.empty() ? "PASS" : "FAIL", a.c_str(), why.empty() ? "" : ": ", why.c_str());
    if (!why.empty()) ++failed;
  }
  // Which resolver ran (recorded in the test log), and a failure when it is not the one this run claims to test: the
  // default run must use openat2 where the kernel has it, --walk only the component walk.
  const wasi::host::ResolverCounts rc = wasi::host::resolverCounts();
  std::printf("resolver: %llu paths through openat2, %llu through the component walk (kernel openat2: %s, mode: %s)\n",
              static_cast<unsigned long long>(rc.openat2), static_cast<unsigned long long>(rc.walk),
              wasi::kernelHasOpenat2() ? "yes" : "no", walk ? "walk" : "default");
  if (walk ? rc.openat2 != 0 : (wasi::kernelHasOpenat2() && rc.walk != 0)) {
    std::printf("FAIL: the %s resolver did not handle every path\n", walk ? "component-walk" : "openat2");
    ++failed;
  }
  return failed ? 1 : 0;
}
