// cli/component_cli.cpp -- `myrt validate` / `myrt inspect` / `myrt run` of components (runtime/component; WASI 0.2
// from wasi/p2 with the same --dir/--env capabilities as preview1).
#include <iostream>

#include "cli/cli.h"
#include "runtime/component/component.h"
#include "runtime/component/instance.h"
#include "runtime/component/wave.h"
#include "runtime/text/wat.h"
#include "wasi/p1/wasi.h"
#include "wasi/p2/http.h"
#include "wasi/p2/http_link.h"
#include "wasi/p2/link.h"
#include "wasi/p2/sockets_link.h"

namespace myrt::cli {

std::optional<std::vector<uint8_t>> componentBytesOf(const std::string& path, bool* failed) {
  *failed = false;
  auto contents = readFile(path);
  if (!contents.ok()) return std::nullopt;
  return componentBytesIn(contents.value(), path, failed);
}

std::optional<std::vector<uint8_t>> componentBytesIn(const std::string& c, const std::string& path, bool* failed) {
  *failed = false;
  std::span<const uint8_t> b(reinterpret_cast<const uint8_t*>(c.data()), c.size());
  if (component::isComponentBinary(b)) return std::vector<uint8_t>(b.begin(), b.end());
  if (!isComponentText(c)) return std::nullopt;
  auto bin = componentToBinary(c);
  if (!bin.ok()) {
    std::cerr << "myrt: " << formatError(path, bin.error(), &c) << "\n";
    *failed = true;
    return std::nullopt;
  }
  return std::move(bin).value();
}

int validateComponentFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  auto c = component::loadComponent(bytes);
  if (!c) {
    std::cerr << "myrt: " << formatError(path, c.error()) << "\n";
    return kExitError;
  }
  std::cout << path << ": valid component\n";
  return kExitOk;
}

int inspectComponentFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  auto c = component::loadComponent(bytes);
  if (!c) {
    std::cerr << "myrt: " << formatError(path, c.error()) << "\n";
    return kExitError;
  }
  std::cout << path << ": WebAssembly component, " << bytes.size() << " bytes\n";
  std::cout << component::describeComponent(**c);
  return kExitOk;
}

namespace {
// "name(args)" -> name, args (the text between the outer parentheses); a bare name means no arguments.
bool splitInvoke(const std::string& expr, std::string* name, std::string* args) {
  const size_t open = expr.find('(');
  if (open == std::string::npos) {
    *name = expr;
    args->clear();
    return true;
  }
  const size_t close = expr.rfind(')');
  if (close == std::string::npos || close < open) return false;
  for (size_t i = close + 1; i < expr.size(); ++i)
    if (expr[i] != ' ') return false;
  *name = expr.substr(0, open);
  while (!name->empty() && name->back() == ' ') name->pop_back();
  *args = expr.substr(open + 1, close - open - 1);
  return true;
}
}  // namespace

int runComponent(const RunOptions& opts, const std::vector<uint8_t>& bytes, Store& store,
                 const wasi::WasiConfig& wasiConfig) {
  const std::string& file = opts.argv[0];
  auto comp = component::loadComponent(bytes);
  if (!comp) {
    std::cerr << "myrt: " << formatError(file, comp.error()) << "\n";
    return kExitError;
  }
  auto wasiCtx = wasi::p2::WasiP2::create(wasiConfig);
  if (!wasiCtx) {
    std::cerr << "myrt: run: " << wasiCtx.error().message << "\n";
    return kExitUsage;
  }
  // Blocking waits (wasi:io/poll, blocking stream reads/writes, sleeps) end when the store's interrupt is requested
  // (--timeout's watchdog), so the guest traps "interrupted" at once instead of after the wait.
  InterruptFlag& intr = store.interruptFlag();
  (*wasiCtx)->setInterrupt(wasi::host::Interrupt{&intr.requested, intr.wakeFd()});
  component::Linker linker;
  wasi::p2::addToLinker(linker, **wasiCtx);  // the interfaces wasi:cli/command imports, at 0.2.12 (any 0.2.x links)
  // wasi:http/types and outgoing-handler (requests only to the destinations granted: --allow-http, -S inherit-network)
  // and wasi:sockets (sockets only with a grant: -S inherit-network, --allow-connect, --allow-bind), linked only for a
  // component that imports them (their ~150 host functions cost a command component 2% of its instructions)
  auto imports = [&](std::string_view prefix) {
    for (const auto& im : (*comp)->imports)
      if (im.name.compare(0, prefix.size(), prefix) == 0) return true;
    return false;
  };
  wasi::p2::WasiHttp http(**wasiCtx, uint64_t(64) << 20, wasiConfig.network);
  if (imports("wasi:http/")) wasi::p2::addHttpToLinker(linker, **wasiCtx, http);
  wasi::p2::WasiSockets sockets(**wasiCtx, wasiConfig.network);
  if (imports("wasi:sockets/")) wasi::p2::addSocketsToLinker(linker, **wasiCtx, sockets);
  auto inst = component::instantiate(store, *comp, linker);
  if (!inst) {
    std::cerr << "myrt: " << file << ": " << (inst.error().offset != Error::kNoOffset ? inst.error().toString()
                                                                                     : inst.error().message)
              << "\n";
    return kExitError;
  }
  if (!opts.invoke) {
    component::ComponentFunc* run = component::findFunc(**inst, "wasi:cli/run@0.2.0", "run");
    if (!run) {
      if (component::findFunc(**inst, "wasi:http/incoming-handler@0.2.0", "handle")) {
        std::cerr << "myrt: " << file << ": the component is a wasi:http handler (it exports "
                  << "wasi:http/incoming-handler, no wasi:cli/run): serve it with `myrt serve " << file << "`\n";
        return kExitError;
      }
      std::cerr << "myrt: " << file << ": the component exports no wasi:cli/run; use --invoke 'NAME(ARGS)' to call an export\n";
      return kExitError;
    }
    component::Val result;
    InvokeResult r = component::call(store, *run, {}, &result);
    if (r.trap && (*wasiCtx)->exitCode() && wasi::isExitTrap(*r.trap)) return static_cast<int>(*(*wasiCtx)->exitCode());
    if (r.trap) {
      std::cerr << "myrt: " << file << ": trap: " << r.trap->toString(opts.verbose) << "\n";
      return 134;
    }
    return result.index == 0 ? kExitOk : 1;
  }
  std::string name, argText;
  if (!splitInvoke(*opts.invoke, &name, &argText)) {
    std::cerr << "myrt: " << file << ": --invoke expects NAME(ARGS) with WAVE values, got '" << *opts.invoke << "'\n";
    return kExitUsage;
  }
  if (opts.argv.size() > 1) argText += (argText.empty() ? "" : ", ") + opts.argv[1];
  for (size_t i = 2; i < opts.argv.size(); ++i) argText += ", " + opts.argv[i];
  // NAME, or INSTANCE#NAME for a function of an exported instance ("wasi:cli/run@0.2.0#run").
  component::ComponentFunc* f = nullptr;
  if (size_t hash = name.rfind('#'); hash != std::string::npos)
    f = component::findFunc(**inst, name.substr(0, hash), name.substr(hash + 1));
  else
    f = component::findFunc(**inst, "", name);
  if (!f) {
    std::cerr << "myrt: " << file << ": no exported function '" << name << "'; exports:";
    for (auto& [path, fn] : component::exportedFuncs(**inst)) std::cerr << " " << path;
    std::cerr << "\n";
    return kExitError;
  }
  std::vector<component::Val> args;
  std::string why;
  if (!component::parseWaveArgs(argText, *f->type, &args, &why)) {
    std::cerr << "myrt: " << file << ": arguments of '" << name << "' (" << component::typeToString(f->type)
              << "): " << why << "\n";
    return kExitUsage;
  }
  component::Val result;
  InvokeResult r = component::call(store, *f, args, &result);
  if (r.trap && (*wasiCtx)->exitCode() && wasi::isExitTrap(*r.trap)) return static_cast<int>(*(*wasiCtx)->exitCode());
  if (r.trap) {
    std::cerr << "myrt: " << file << ": trap: " << r.trap->toString(opts.verbose) << "\n";
    return 134;
  }
  if (f->type->result) std::cout << component::toWave(result, f->type->result) << "\n";
  std::cout.flush();
  return kExitOk;
}

}  // namespace myrt::cli
