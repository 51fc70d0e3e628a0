// jit/common/perf_map.h -- Linux perf "JIT map" support: when enabled, every function the JIT installs gets a line
// "START SIZE NAME" (hex start address and size) in /tmp/perf-PID.map, so `perf report` names JIT frames. NAME is the
// function's name from the name section, else "wasm-function[N]" (N: index in its module's function space).
// Process-wide (perf reads one map per process); thread-safe (background compilation writes too).
// Layer: jit (common). Enabled by `myrt run --profile=perfmap`.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "runtime/base/result.h"

namespace myrt {
struct Module;
namespace jit {

// Opens (creates or truncates) the map file: $MYRT_PERF_MAP_DIR/perf-PID.map, default directory /tmp. Returns the
// path, or an error if the file cannot be created.
Result<std::string> enablePerfMap();
bool perfMapEnabled();
// Records one installed function (no-op unless enabled).
void perfMapAdd(const void* start, size_t size, const Module* module, uint32_t funcIndex);

}  // namespace jit
}  // namespace myrt
