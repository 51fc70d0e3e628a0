// jit/common/perf_map.cpp -- see perf_map.h.
#include "jit/common/perf_map.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "runtime/base/reader.h"
#include "runtime/wasm/module.h"

namespace myrt::jit {
namespace {
std::mutex gMutex;
std::FILE* gFile = nullptr;
std::atomic<bool> gEnabled{false};
}  // namespace

Result<std::string> enablePerfMap() {
  std::lock_guard<std::mutex> lock(gMutex);
  const char* dir = std::getenv("MYRT_PERF_MAP_DIR");
  const std::string path =
      std::string(dir && *dir ? dir : "/tmp") + "/perf-" + std::to_string(static_cast<long>(getpid())) + ".map";
  if (gFile) return path;
  gFile = std::fopen(path.c_str(), "w");
  if (!gFile) return Error(Error::kNoOffset, "cannot create perf map " + path + ": " + std::strerror(errno));
  gEnabled.store(true, std::memory_order_release);
  return path;
}

bool perfMapEnabled() { return gEnabled.load(std::memory_order_acquire); }

void perfMapAdd(const void* start, size_t size, const Module* module, uint32_t funcIndex) {
  if (!perfMapEnabled()) return;
  std::string name;
  if (module) {
    auto it = module->names.funcs.find(funcIndex);
    if (it != module->names.funcs.end() && !it->second.empty()) name = it->second;
  }
  if (name.empty()) name = "wasm-function[" + std::to_string(funcIndex) + "]";
  name = printableName(name);  // one line per symbol: names are data (control characters escaped)
  std::lock_guard<std::mutex> lock(gMutex);
  std::fprintf(gFile, "%llx %zx %s\n", static_cast<unsigned long long>(reinterpret_cast<uintptr_t>(start)), size,
               name.c_str());
  std::fflush(gFile);  // perf may read it while we still run; a crash must not lose lines
}

}  // namespace myrt::jit
