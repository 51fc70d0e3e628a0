// engine/code_cache.h -- ahead-of-time code for the CLI and the C API: precompiled artifacts (`myrt compile`,
// `.cwasm`, wasm_module_serialize; the format and its checks: jit/aot.h) and the code cache.
// Layer: engine (above runtime/ and jit/).
//
// The code cache: one artifact per (module bytes, myrt build, CPU features, compile settings) under
// $MYRT_CACHE_DIR, else $XDG_CACHE_HOME/myrt, else $HOME/.cache/myrt; the file name is that key in hex. An entry is
// written to a temporary file and renamed into place, so concurrent writers of one key leave one whole file; an entry
// that fails any check (truncated, corrupt, another build) is removed and never executed, and the module is compiled
// and cached again. Modules with less than codeCacheMinBytes() of code are not cached (they compile in a few
// milliseconds; MYRT_CACHE_MIN_BYTES overrides it for tests).
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "runtime/base/result.h"
#include "runtime/wasm/module.h"

namespace myrt {

// The bytes begin like a precompiled artifact (not checked further).
bool isPrecompiledArtifact(std::span<const uint8_t> bytes);
// `module` (decoded and validated) compiled for this CPU and this myrt: an artifact's bytes.
Result<std::vector<uint8_t>> precompileArtifact(std::shared_ptr<const Module> module, unsigned jobs = 0);
// Writes bytes to path through a temporary file and a rename.
Status writeFileAtomically(const std::string& path, std::span<const uint8_t> bytes);
// A precompiled artifact from memory or a file: the module with its machine code (trusted input: the caller decided
// to run native code). A one-line error for anything unusable (jit/aot.h parseArtifact).
Result<std::shared_ptr<Module>> loadPrecompiledArtifact(std::vector<uint8_t> bytes);
Result<std::shared_ptr<Module>> loadPrecompiledFile(const std::string& path);

// ---- the code cache ----
// The cache directory from the environment ("" when none can be named: no HOME either).
std::string defaultCodeCacheDir();
constexpr uint64_t kDefaultCodeCacheMinBytes = 64 * 1024;
uint64_t codeCacheMinBytes();
// The entry's path for `module` in `dir`.
std::string codeCachePath(const std::string& dir, const Module& module);
enum class CacheLookup : uint8_t { Hit, Miss, Skipped, Rejected };
// Attaches the cached machine code to `module` when `dir` has a good entry for it (Hit). Miss: no entry; Rejected:
// an entry that failed a check (removed; `why` says what); Skipped: the module is too small to cache.
CacheLookup codeCacheLookup(const std::string& dir, Module& module, std::string* why = nullptr);
// Compiles `module` and writes its entry (creating the directory), then attaches the written entry's code.
Status codeCacheFill(const std::string& dir, const std::shared_ptr<Module>& module, unsigned jobs = 0);

}  // namespace myrt
