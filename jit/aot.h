// jit/aot.h -- ahead-of-time code: precompiled artifacts (`myrt compile`, `.cwasm`, wasm_module_serialize, the code
// cache) holding a module's wasm bytes and the JIT's machine code of all its functions for this CPU and this build.
// Layer: jit (depends on exec, binary; jit.h's portable compile and install).
//
// Native code is trusted input (as in wasmtime): an artifact is run only when the embedder says so
// (`myrt run --allow-precompiled`, wasm_module_deserialize). What is checked before anything is used -- so that a
// stale, truncated or damaged file is refused with a one-line reason and never executed: the magic and format
// version, the file size, a checksum of everything after the header's first 32 bytes, the build (myrt's version and
// the GNU build id of the image holding the JIT's helpers: the code calls them at image-relative addresses), the CPU
// features the code relies on (a subset of this CPU's), and every section's bounds and record (parseArtifact, which
// has a libFuzzer target: fuzz/aot_parse.cpp).
//
// The code is position independent except for the absolute addresses it embeds, each recorded by the backend
// (FunctionCompiler::ptrSites) and written as a relocation: a helper (image-relative), or an object of the instance
// (a function, a global's value, a memory's base or size field, a tag, a canonical type id) by index. Loading maps the code section of
// the file privately (mmap; an in-memory artifact is copied), patches the relocations for the instance and makes it
// executable: nothing is compiled. The store's canonical GC type ids that the code embeds (GC instructions' operand
// words) are relocations too (by module type index). Which memories use guard pages is recorded: an instance whose
// memories differ compiles with the JIT instead.
//
// File layout (little-endian): a 112-byte header (magic "\0myrtaot", format version, header size, file size,
// checksum, build text (64 bytes), CPU feature bits, flags, section count), the section table ({id, size, offset}),
// then the sections, each 16-byte aligned and the code section page aligned (kCodeAlign) so it can be mapped.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "jit/jit.h"
#include "runtime/base/result.h"
#include "runtime/exec/store.h"
#include "runtime/wasm/module.h"

namespace myrt::jit {

constexpr uint8_t kAotMagic[8] = {0, 'm', 'y', 'r', 't', 'a', 'o', 't'};
constexpr uint32_t kAotFormatVersion = 1;
constexpr size_t kAotHeaderSize = 112;
constexpr size_t kCodeAlign = 65536;  // the code section's file offset (any page size up to 64 KiB maps it)

// The bytes start like an artifact (its magic); says nothing about whether it is valid.
bool isArtifact(std::span<const uint8_t> bytes);

// This build's identity as artifacts record it: "myrt VERSION build-id HEX" (at most 63 bytes); "" when the image has
// no GNU build id (then no artifact can be written or read).
const std::string& buildText();
// The CPU features JIT code of this process relies on (backend bits), and their names ("AVX2,LZCNT").
uint64_t cpuFeatures();
std::string cpuFeatureNames(uint64_t bits);

// A 64-bit checksum of the bytes (also the code cache's module hash, with a second seed).
uint64_t checksum64(const uint8_t* p, size_t n, uint64_t seed = 0);

// Compiles every function of `module` (decoded and validated) for this CPU and build, without running anything (an
// instance of placeholders: exec/engine.h instantiateForCompile), into an artifact. `guardPages`: the store's
// StoreLimits::guardPages the code is compiled for.
Result<std::vector<uint8_t>> compileArtifact(std::shared_ptr<const Module> module, unsigned jobs, bool guardPages = true);
// Writes `bytes` to `path` atomically (a temporary file in the same directory, then rename): concurrent writers of one
// path never leave a mixed file.
Status writeFileAtomic(const std::string& path, std::span<const uint8_t> bytes);

// The parsed sections of an artifact (views into its bytes).
struct ArtifactView {
  std::string build;     // the build text recorded
  uint64_t cpuFeatures = 0;
  uint32_t flags = 0;
  std::span<const uint8_t> wasm;
  std::span<const uint8_t> code;
  uint64_t codeFileOffset = 0;
  std::vector<PortableFunc> funcs;
  std::vector<CodeSite> sites;
  std::span<const uint8_t> relocs;  // 16 bytes each: u32 code offset, u32 kind, u64 argument
  std::vector<uint8_t> memoryGuarded;  // per memory of the instance: 1 guarded
  std::vector<std::pair<uint32_t, std::string>> fallbacks;
};
// Checks and parses an artifact (untrusted-looking input: every field bounded; nothing is executed or mapped). The
// error is one line: "not a precompiled myrt module", "truncated precompiled module (N of M bytes)", "corrupt
// precompiled module (checksum mismatch)", "precompiled by another myrt build (...; this is ...)", "precompiled for
// CPU features this CPU lacks: AVX2", "corrupt precompiled module (bad ... section)".
// `fileMapped`: the bytes are a read-only file mapping, whose pages are given back as the checksum has read them (a
// big artifact's file does not stay in the resident set).
Result<ArtifactView> parseArtifact(std::span<const uint8_t> bytes, bool fileMapped = false);

// The machine code of a loaded artifact (Module::precompiled).
struct Precompiled;
// Loads an artifact from memory or from a file (mapped; the code section is mapped again, privately, per instance):
// the module (decoded from the artifact's wasm section; not validated again -- it was validated by the build that
// compiled it, and the checksum holds) with Module::precompiled set.
Result<std::shared_ptr<Module>> loadArtifact(std::vector<uint8_t> bytes);
Result<std::shared_ptr<Module>> loadArtifactFile(const std::string& path);
// Attaches the code of a parsed artifact of the same wasm bytes to `module` (the code cache: the module was decoded
// from its .wasm already). The artifact's file is `path` (mapped).
Status attachArtifactFile(Module& module, const std::string& path);

// The JIT tier (compileInstanceFrom): installs module.precompiled into `inst` (functions whose entry is `from`).
// Errors: the instance differs from what the code was compiled for (guard pages, GC type ids), or no memory.
Status installPrecompiled(Instance& inst, FuncEntry from);

}  // namespace myrt::jit
