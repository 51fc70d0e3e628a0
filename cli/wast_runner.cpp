// cli/wast_runner.cpp -- `myrt wast FILE...`: runs spec-test scripts (runtime/text/wast.h) against the front end.
// Layer: cli. Until the execution engine exists this runner checks what needs no engine: every module must encode,
// decode and validate; assert_malformed / assert_invalid modules must be rejected (by the text parser, the decoder or
// the validator), and we count how many rejections carry the expected message as a prefix. Commands that need
// execution are "skipped: no engine" -- counted separately, never as passed. Output: failures as
// `FILE:LINE: <command>: <why>`, then exactly one line `N passed, M failed, K skipped`, then the message statistics.
#include <iostream>
#include <map>
#include <string>

#include "cli/cli.h"
#include "runtime/text/wast.h"
#include "runtime/text/wat.h"

namespace myrt::cli {

namespace {

struct Counts {
  size_t passed = 0, failed = 0, skipped = 0;
  size_t rejections = 0, messageMatches = 0;  // assert_malformed/assert_invalid rejections; with the expected text
};

class FileRunner {
 public:
  FileRunner(const std::string& path, const std::string& text, const WastOptions& opts, Counts& counts)
      : path_(path), text_(text), opts_(opts), c_(counts) {}

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
  struct ModuleState {
    bool loaded = false;
  };

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

  void defineModule(const wast::Command& cmd, bool loaded) {
    ModuleState st{loaded};
    if (cmd.module.name) modules_[*cmd.module.name] = st;
    current_ = st;
    haveCurrent_ = true;
  }

  void runCommand(const wast::Command& cmd) {
    using K = wast::CommandKind;
    switch (cmd.kind) {
      case K::Module: {
        Loaded l = load(cmd.module);
        defineModule(cmd, l.module.has_value());
        if (l.module) pass(cmd);
        else fail(cmd, "module failed to load: " + describe(l, cmd.module));
        return;
      }
      case K::AssertMalformed:
      case K::AssertInvalid: {
        Loaded l = load(cmd.module);
        if (l.module) {
          fail(cmd, "module was accepted, expected \"" + cmd.message + "\"");
          return;
        }
        ++c_.rejections;
        bool match = l.error.message.compare(0, cmd.message.size(), cmd.message) == 0;
        if (match) ++c_.messageMatches;
        else if (opts_.mismatches && !opts_.verbose)
          report(cmd, "message mismatch: expected \"" + cmd.message + "\", got " + describe(l, cmd.module));
        pass(cmd, match ? describe(l, cmd.module)
                        : "expected \"" + cmd.message + "\", got " + describe(l, cmd.module));
        return;
      }
      case K::AssertUnlinkable:
      case K::AssertUninstantiable:
      case K::AssertTrap:
        if (cmd.hasModule) {
          // The module itself must be valid; linking / instantiation needs the engine.
          Loaded l = load(cmd.module);
          if (!l.module) {
            fail(cmd, "module failed to load: " + describe(l, cmd.module));
            return;
          }
        }
        skip(cmd, "no engine");
        return;
      case K::Register: {
        if (cmd.name ? modules_.count(*cmd.name) == 0 : !haveCurrent_) {
          fail(cmd, "unknown module " + cmd.name.value_or("(no current module)"));
          return;
        }
        pass(cmd);
        return;
      }
      case K::ModuleInstance: {
        auto it = cmd.of ? modules_.find(*cmd.of) : modules_.end();
        if (it == modules_.end()) {
          fail(cmd, "unknown module definition " + cmd.of.value_or("(none)"));
          return;
        }
        // The instance is named like a module from now on (register, invoke); instantiating it needs the engine.
        ModuleState st = it->second;
        if (cmd.name) modules_[*cmd.name] = st;
        current_ = st;
        haveCurrent_ = true;
        skip(cmd, "no engine");
        return;
      }
      case K::Action:
      case K::AssertReturn:
      case K::AssertExhaustion:
      case K::AssertException:
        skip(cmd, "no engine");
        return;
      case K::Unsupported:
        skip(cmd, "unsupported command");
        return;
    }
  }

  const std::string& path_;
  const std::string& text_;
  const WastOptions& opts_;
  Counts& c_;
  std::map<std::string, ModuleState> modules_;
  ModuleState current_;
  bool haveCurrent_ = false;
};

}  // namespace

int cmdWast(const std::vector<std::string>& files, const WastOptions& opts) {
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
