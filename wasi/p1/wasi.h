// wasi/p1/wasi.h -- public API of WASI preview1 (`wasi_snapshot_preview1`): configure the guest's world (arguments,
// environment, preopened directories, stdio), create the host module, run `_start` and learn the exit code.
// Layer: wasi/p1 (depends on runtime/exec). Implementation: context.cpp (fd table, args/env/clock/random/poll/proc/
// sock, host module), fd.cpp (fd_*), path.cpp (path_*), sandbox.cpp (path resolution beneath a preopen).
//
// Typical embedding (what `myrt run` does):
//   WasiConfig cfg;  cfg.args = {"prog.wasm", "x"};  cfg.preopens.push_back({"/tmp/data", "/", false});
//   auto ctx = WasiContext::create(cfg);                 // Error: a preopen that cannot be opened
//   (*ctx)->addToStore(store);                           // registers "wasi_snapshot_preview1" in store.registered
//   auto imports = resolveImports(store, *module);       // finds the WASI functions by name
//   auto inst = instantiate(store, module, *imports);
//   RunResult r = runStart(store, **inst, **ctx);        // binds the instance, invokes "_start"
//   // r.exitCode: proc_exit's code, or 0 when _start returned; r.trap: a real trap (exitCode is then 134)
//
// Guest memory: the guest instance's exported "memory", resolved lazily at the first call that needs it (bind the
// instance with bindInstance, or a memory directly with bindMemory). Bad guest pointers give errno `fault`, never a
// host access out of bounds.
// proc_exit: unwinds the wasm stack with a HostTrap whose message is kExitTrapMessage; the code is in exitCode().
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/base/result.h"
#include "runtime/exec/engine.h"
#include "runtime/exec/store.h"
#include "wasi/host/config.h"  // WasiConfig, Preopen, parsePreopen, setResolver

namespace myrt::wasi {

constexpr const char* kModuleName = "wasi_snapshot_preview1";
constexpr const char* kExitTrapMessage = "wasi proc_exit";

class WasiState;  // internal (context.h)

class WasiContext {
 public:
  static Result<std::unique_ptr<WasiContext>> create(const WasiConfig& config);
  ~WasiContext();
  WasiContext(const WasiContext&) = delete;
  WasiContext& operator=(const WasiContext&) = delete;

  // A host instance exporting every wasi_snapshot_preview1 function. The functions refer to this context, which must
  // outlive every call into them.
  // With `onlyImportsOf`, only the functions that module imports from wasi_snapshot_preview1 are created (a hello
  // world imports 2 of 46; creating all was a sixth of its start-up): for a store that links no other module to WASI.
  Instance* createInstance(Store& store, const Module* onlyImportsOf = nullptr);
  // createInstance + store.registered["wasi_snapshot_preview1"] (so resolveImports finds the functions).
  Instance* addToStore(Store& store, const Module* onlyImportsOf = nullptr);
  // The guest whose exported "memory" the functions use (resolved at the first call that needs memory).
  void bindInstance(Instance* guest);
  void bindMemory(MemoryInst* memory);
  // Set once proc_exit has been called.
  std::optional<uint32_t> exitCode() const;

  WasiState& state() { return *state_; }

 private:
  WasiContext() = default;
  std::unique_ptr<WasiState> state_;
};

struct RunResult {
  int exitCode = 0;          // proc_exit code, 0 if _start returned, 134 on a trap, 127 if there is no _start
  std::optional<Trap> trap;  // set if the guest trapped (not for proc_exit)
};

// Binds `guest` to `ctx` and invokes its exported "_start" (a `() -> ()` function).
RunResult runStart(Store& store, Instance& guest, WasiContext& ctx);

// True if the trap is proc_exit's unwinding (not a real trap).
bool isExitTrap(const Trap& trap);

}  // namespace myrt::wasi
