// engine/code_cache.cpp -- see code_cache.h.
#include "engine/code_cache.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "jit/aot.h"

namespace myrt {

bool isPrecompiledArtifact(std::span<const uint8_t> bytes) { return jit::isArtifact(bytes); }

Result<std::vector<uint8_t>> precompileArtifact(std::shared_ptr<const Module> module, unsigned jobs) {
  return jit::compileArtifact(std::move(module), jobs ? jobs : defaultCompileJobs());
}

Status writeFileAtomically(const std::string& path, std::span<const uint8_t> bytes) {
  return jit::writeFileAtomic(path, bytes);
}

Result<std::shared_ptr<Module>> loadPrecompiledArtifact(std::vector<uint8_t> bytes) {
  return jit::loadArtifact(std::move(bytes));
}

Result<std::shared_ptr<Module>> loadPrecompiledFile(const std::string& path) { return jit::loadArtifactFile(path); }

std::string defaultCodeCacheDir() {
  if (const char* d = std::getenv("MYRT_CACHE_DIR"); d && *d) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x == '/') return std::string(x) + "/myrt";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/myrt";
  return "";
}

uint64_t codeCacheMinBytes() {
  static const uint64_t v = [] {
    const char* e = std::getenv("MYRT_CACHE_MIN_BYTES");
    if (e && *e) {
      char* end = nullptr;
      const unsigned long long n = std::strtoull(e, &end, 10);
      if (end && *end == 0) return static_cast<uint64_t>(n);
    }
    return kDefaultCodeCacheMinBytes;
  }();
  return v;
}

namespace {

uint64_t codeBytes(const Module& m) {
  uint64_t n = 0;
  for (uint32_t i = m.numImportedFuncs; i < m.funcs.size(); ++i) n += m.funcs[i].body.size;
  return n;
}

std::string hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// mkdir -p
bool makeDirs(const std::string& dir) {
  for (size_t i = 1; i <= dir.size(); ++i) {
    if (i < dir.size() && dir[i] != '/') continue;
    const std::string part = dir.substr(0, i);
    if (mkdir(part.c_str(), 0755) != 0 && errno != EEXIST) return false;
  }
  return true;
}

}  // namespace

std::string codeCachePath(const std::string& dir, const Module& module) {
  // the module's bytes (two independent 64-bit checksums), the build, the CPU features the code may use, and the
  // compile settings (format version; guard pages as the default store has them)
  const std::string settings = jit::buildText() + "|" + std::to_string(jit::cpuFeatures()) + "|v" +
                               std::to_string(jit::kAotFormatVersion) + "|guard";
  const uint64_t s = jit::checksum64(reinterpret_cast<const uint8_t*>(settings.data()), settings.size(), 7);
  return dir + "/" + hex64(jit::checksum64(module.bytes.data(), module.bytes.size(), 1)) +
         hex64(jit::checksum64(module.bytes.data(), module.bytes.size(), 2)) + "-" + hex64(s) + ".cwasm";
}

CacheLookup codeCacheLookup(const std::string& dir, Module& module, std::string* why) {
  if (dir.empty() || codeBytes(module) < codeCacheMinBytes() || jit::buildText().empty()) return CacheLookup::Skipped;
  const std::string path = codeCachePath(dir, module);
  if (access(path.c_str(), F_OK) != 0) return CacheLookup::Miss;
  const Status st = jit::attachArtifactFile(module, path);
  if (st.ok()) return CacheLookup::Hit;
  if (why) *why = st.error().message;
  unlink(path.c_str());  // (a bad entry is never executed: it is replaced)
  return CacheLookup::Rejected;
}

Status codeCacheFill(const std::string& dir, const std::shared_ptr<Module>& module, unsigned jobs) {
  if (dir.empty()) return Error("no cache directory");
  module->precompiled = nullptr;
  MYRT_ASSIGN(std::vector<uint8_t> bytes, jit::compileArtifact(module, jobs ? jobs : defaultCompileJobs()));
  if (!makeDirs(dir)) return Error("cannot create " + dir + ": " + std::strerror(errno));
  const std::string path = codeCachePath(dir, *module);
  MYRT_TRY(jit::writeFileAtomic(path, bytes));
  std::vector<uint8_t>().swap(bytes);
  return jit::attachArtifactFile(*module, path);
}

}  // namespace myrt
