// runtime/exec/engine.h -- the public engine API: create a store, instantiate a module against imports, find
// exports, invoke functions, and the `spectest` host module of the spec testsuite.
// Layer: exec. The executing tier is chosen by StoreConfig::wasmEntry (runtime/interp/interp.h: makeInterpreterStore()
// gives a store running the interpreter).
//
// Typical use:
//   auto store = makeInterpreterStore();                       // interp/interp.h
//   Instance* spectest = createSpectest(*store);
//   auto imports = resolveImports(*store, *module, ...);       // or build the Extern list yourself
//   auto inst = instantiate(*store, module, *imports);         // Error: link error or a trap during initialization
//   FuncInst* f = findExportedFunc(**inst, "fac");
//   Value args[1] = {Value::fromI64(5)}; Value res[1];
//   InvokeResult r = invoke(*store, f, args, res);             // r.trap: {reason, message, backtrace}
#pragma once
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "runtime/base/result.h"
#include "runtime/exec/store.h"
#include "runtime/wasm/module.h"

namespace myrt {

struct Trap {
  TrapReason reason = TrapReason::None;
  std::string message;              // the spec text ("integer divide by zero") or a host's message
  std::vector<uint32_t> backtrace;  // innermost first: function indices in their defining modules
  std::vector<const Instance*> backtraceInstances;
  // Per frame: the module-relative wasm code offset of the trapping instruction (innermost frame) or of the call
  // (the others); kNoWasmOffset when unknown. May be shorter than backtrace (traps built by hand): unknown.
  std::vector<uint32_t> backtraceOffsets;
  // Frames left out of a deep backtrace between backtrace[ExecContext::kBacktraceHead - 1] and the next (the
  // outermost ExecContext::kBacktraceTail frames are kept).
  uint64_t framesOmitted = 0;
  uint32_t offset(size_t i) const { return i < backtraceOffsets.size() ? backtraceOffsets[i] : kNoWasmOffset; }
  // "integer divide by zero\n  at fac (wasm offset 0x2a)\n  ..." with names from the name section when available;
  // runs of one frame collapsed ("(repeated N times)"), omitted frames as one "  ... N frames omitted" line.
  // verbose: every kept frame, with its function index and function-relative offset.
  std::string toString(bool verbose = false) const;
};

// The function-relative form of a module-relative code offset, as wasm-c-api's wasm_frame_func_offset defines it:
// relative to the start of the function's body (its local declarations, right after the body size). kNoWasmOffset
// stays kNoWasmOffset.
uint32_t functionRelativeOffset(const Module& m, uint32_t funcIndex, uint32_t moduleOffset);

struct [[nodiscard]] InvokeResult {
  std::optional<Trap> trap;
  bool ok() const { return !trap; }
};

// Instantiates `module` (already validated) with `imports` in the module's import order.
// Errors: "incompatible import type" (link), the trap message when a segment or the start function traps
// ("out of bounds table access", "out of bounds memory access", ...). Objects created before an initialization trap
// stay in the store (their effects on imported tables/memories persist, as the spec requires).
// When the start function traps and `startTrap` is given, it receives the whole trap (reason, backtrace): an embedder
// such as `myrt run` reports it like any other trap (or, for WASI's proc_exit, as an exit).
Result<Instance*> instantiate(Store& store, std::shared_ptr<const Module> module, const std::vector<Extern>& imports,
                              std::optional<Trap>* startTrap = nullptr);

// The objects of an instance of `module` for ahead-of-time compilation (jit/aot.h) and nothing more: each import a
// placeholder of its kind (functions: bare FuncInsts, never called; memories, tables, globals of the import's type), no
// initializer evaluated (globals and tables hold zero / null), no segment applied, no start function run.
Result<Instance*> instantiateForCompile(Store& store, std::shared_ptr<const Module> module);

// Resolves the module's imports by (module name, field name) through `lookup`; a missing one gives
// "unknown import: <module>.<name>". With no lookup, Store::registered is used.
using ImportLookup = std::function<const Extern*(const std::string& module, const std::string& name)>;
Result<std::vector<Extern>> resolveImports(Store& store, const Module& module, const ImportLookup& lookup = nullptr);

// Calls `f` with `args` (count must match the function type), writing its results to `results`.
// Argument count/size mismatches are reported as a trap with reason HostTrap.
InvokeResult invoke(Store& store, FuncInst* f, std::span<const Value> args, std::span<Value> results);

// The Trap of an entry call that returned `t` (not None), from the context's trap details (message, backtrace),
// which are cleared. For embedders that call entries themselves (the component runtime).
Trap takeTrap(ExecContext& cx, TrapReason t);

// Export lookup helpers (nullptr if missing or of another kind).
FuncInst* findExportedFunc(const Instance& inst, std::string_view name);
GlobalInst* findExportedGlobal(const Instance& inst, std::string_view name);
MemoryInst* findExportedMemory(const Instance& inst, std::string_view name);
TableInst* findExportedTable(const Instance& inst, std::string_view name);

// The spec testsuite's host module: print, print_i32, print_i64, print_f32, print_f64, print_i32_f32, print_f64_f64,
// global_i32 = 666, global_i64 = 666, global_f32 = 666.6, global_f64 = 666.6, table (10..20 funcref),
// table64 (10..20 funcref, i64 indices), memory (1..2).
// The print functions write to `out` (nothing if nullptr). Registers the instance as "spectest".
Instance* createSpectest(Store& store, std::FILE* out = nullptr);

}  // namespace myrt
