// jit/aot.cpp -- precompiled artifacts: write (compile into a placeholder instance, turn embedded addresses into
// relocations), parse (every field checked), load (map, relocate, install). See aot.h.
#include "jit/aot.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unordered_map>

#include "jit/common/backend.h"
#include "jit/common/helpers.h"
#include "runtime/binary/decoder.h"
#include "runtime/exec/engine.h"

#ifndef MYRT_VERSION
#define MYRT_VERSION "0.0.0"
#endif

namespace myrt::jit {

namespace {

enum SectionId : uint32_t { kWasm = 1, kCode = 2, kFuncs = 3, kSites = 4, kRelocs = 5, kMemories = 6, kFallbacks = 8 };
// 8-byte addresses, but kRelTypeId: a 4-byte canonical type id (of module type `arg`)
enum RelocKind : uint32_t { kRelImage = 1, kRelFunc = 2, kRelGlobal = 3, kRelMemBase = 4, kRelMemSize = 5, kRelTag = 6,
                            kRelTypeId = 7 };
constexpr uint32_t kFlagGuardPages = 2;
constexpr size_t kBuildTextSize = 64;
constexpr uint32_t kMaxSections = 16;

uint64_t rd64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
uint32_t rd32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
void put32(std::vector<uint8_t>& out, uint32_t v) {
  const uint8_t* b = reinterpret_cast<const uint8_t*>(&v);
  out.insert(out.end(), b, b + 4);
}
void put64(std::vector<uint8_t>& out, uint64_t v) {
  const uint8_t* b = reinterpret_cast<const uint8_t*>(&v);
  out.insert(out.end(), b, b + 8);
}

// The image (executable or shared library) holding the JIT's helpers: its load base and GNU build id.
struct Image {
  uintptr_t base = 0;
  std::string buildId;  // hex
};
const void* anchor() { return reinterpret_cast<const void*>(&trapHelper); }

int findBuildId(dl_phdr_info* info, size_t, void* data) {
  Image* img = static_cast<Image*>(data);
  const uintptr_t a = reinterpret_cast<uintptr_t>(anchor());
  bool mine = false;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_LOAD && a >= info->dlpi_addr + ph.p_vaddr && a < info->dlpi_addr + ph.p_vaddr + ph.p_memsz)
      mine = true;
  }
  if (!mine) return 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_NOTE) continue;
    const uint8_t* p = reinterpret_cast<const uint8_t*>(info->dlpi_addr + ph.p_vaddr);
    const uint8_t* end = p + ph.p_memsz;
    while (end - p >= 12) {
      const uint32_t namesz = rd32(p), descsz = rd32(p + 4), type = rd32(p + 8);
      const size_t nameLen = (size_t(namesz) + 3) & ~size_t(3), descLen = (size_t(descsz) + 3) & ~size_t(3);
      if (size_t(end - p - 12) < nameLen + descLen) break;
      if (type == NT_GNU_BUILD_ID && namesz == 4 && std::memcmp(p + 12, "GNU", 4) == 0) {
        static const char* const kHex = "0123456789abcdef";
        for (uint32_t k = 0; k < descsz; ++k) {
          img->buildId += kHex[p[12 + nameLen + k] >> 4];
          img->buildId += kHex[p[12 + nameLen + k] & 15];
        }
        return 1;
      }
      p += 12 + nameLen + descLen;
    }
  }
  return 1;
}

const Image& image() {
  static const Image img = [] {
    Image i;
    Dl_info info{};
    if (dladdr(anchor(), &info) && info.dli_fbase) i.base = reinterpret_cast<uintptr_t>(info.dli_fbase);
    dl_iterate_phdr(&findBuildId, &i);
    return i;
  }();
  return img;
}

const Backend* liveBackend() {
  const Backend* b = hostBackend();
  return b && b->cpuSupported() ? b : nullptr;
}

}  // namespace

bool isArtifact(std::span<const uint8_t> bytes) {
  return bytes.size() >= sizeof kAotMagic && std::memcmp(bytes.data(), kAotMagic, sizeof kAotMagic) == 0;
}

const std::string& buildText() {
  static const std::string t = [] {
    const Image& img = image();
    if (img.buildId.empty() || !img.base) return std::string();
    std::string s = std::string("myrt ") + MYRT_VERSION + " build-id " + img.buildId;
    if (s.size() >= kBuildTextSize) s.resize(kBuildTextSize - 1);
    return s;
  }();
  return t;
}

uint64_t cpuFeatures() {
  const Backend* b = liveBackend();
  return b ? b->cpuFeatures() : 0;
}

std::string cpuFeatureNames(uint64_t bits) {
  const Backend* b = hostBackend();
  std::string s;
  for (unsigned i = 0; i < 64; ++i) {
    if (!(bits >> i & 1)) continue;
    const char* n = b ? b->cpuFeatureName(i) : nullptr;
    if (!s.empty()) s += ",";
    s += n ? std::string(n) : "bit" + std::to_string(i);
  }
  return s;
}

namespace {

// Gives back the whole pages inside [from, to) of a read-only file mapping (MADV_DONTNEED: the mapping stays, a later
// read faults the page in again from the page cache). Keeps a big artifact's file pages out of the resident set once
// read: only for file mappings (on anonymous memory it would zero the pages).
// Returns where the pages given back end (`from` when none were).
const uint8_t* dropFilePages(const uint8_t* from, const uint8_t* to) {
  static const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t a = (reinterpret_cast<uintptr_t>(from) + page - 1) & ~(page - 1);
  const uintptr_t b = reinterpret_cast<uintptr_t>(to) & ~(page - 1);
  if (b <= a) return from;
  madvise(reinterpret_cast<void*>(a), b - a, MADV_DONTNEED);
  return reinterpret_cast<const uint8_t*>(b);
}

// checksum64, giving back the pages read so far every kDropChunk bytes when `fileMapped`.
uint64_t checksumOf(const uint8_t* p, size_t n, uint64_t seed, bool fileMapped) {
  constexpr uint64_t k1 = 0x9E3779B97F4A7C15ull, k2 = 0xC2B2AE3D27D4EB4Full;
  constexpr size_t kDropChunk = size_t(16) << 20;  // (a multiple of 32)
  uint64_t h[4] = {seed ^ k1, seed + k2, ~seed, seed * k1 + 1};
  size_t i = 0;
  const size_t blocks = n / 32 * 32;
  const uint8_t* dropped = p;
  while (i < blocks) {
    const size_t end = std::min(blocks, i + kDropChunk);
    for (; i < end; i += 32)
      for (int j = 0; j < 4; ++j) {
        const uint64_t w = rd64(p + i + 8 * j);
        h[j] = ((h[j] ^ w) * k2);
        h[j] = (h[j] << 31 | h[j] >> 33) * k1;
      }
    if (fileMapped) dropped = dropFilePages(dropped, p + i);
  }
  uint64_t r = n * k1;
  for (int j = 0; j < 4; ++j) r = ((r ^ h[j]) * k2) ^ (r >> 29);
  for (; i < n; ++i) r = (r ^ p[i]) * k1;
  r ^= r >> 32;
  r *= k2;
  return r ^ (r >> 29);
}

}  // namespace

uint64_t checksum64(const uint8_t* p, size_t n, uint64_t seed) { return checksumOf(p, n, seed, false); }

// ---- writing ----

Result<std::vector<uint8_t>> compileArtifact(std::shared_ptr<const Module> module, unsigned jobs, bool guardPages) {
  if (!module) return Error("no module");
  if (!liveBackend()) return Error(std::string("unsupported: precompiling needs the JIT (") + kBuildIsa + ")");
  if (!liveBackend()->relocatableCode)
    return Error(std::string("unsupported: precompiled code on ") + kBuildIsa + " (its JIT does not record relocations yet)");
  if (buildText().empty()) return Error("unsupported: precompiling needs a build id in myrt's image");
  StoreLimits limits;
  limits.guardPages = guardPages;
  Store store(jitConfig(limits));
  MYRT_ASSIGN(Instance * inst, instantiateForCompile(store, module));
  MYRT_ASSIGN(PortableCode pc, compilePortable(*inst, jobs));

  // the embedded addresses, as relocations: objects of the instance by index, helpers relative to the image
  std::unordered_map<uint64_t, std::pair<uint32_t, uint64_t>> sym;
  auto add = [&](const void* p, RelocKind k, uint64_t i) { sym.emplace(reinterpret_cast<uint64_t>(p), std::pair{uint32_t(k), i}); };
  for (size_t i = 0; i < inst->funcs.size(); ++i) add(inst->funcs[i], kRelFunc, i);
  for (size_t i = 0; i < inst->globals.size(); ++i) add(&inst->globals[i]->value, kRelGlobal, i);
  for (size_t i = 0; i < inst->memories.size(); ++i) {
    add(inst->memories[i]->base, kRelMemBase, i);
    add(&inst->memories[i]->size, kRelMemSize, i);
  }
  for (size_t i = 0; i < inst->tags.size(); ++i) add(inst->tags[i], kRelTag, i);
  std::vector<uint8_t> relocs;
  relocs.reserve(pc.ptrs.size() * 16);
  const uintptr_t base = image().base;
  for (const PtrSite& ps : pc.ptrs) {
    uint32_t kind;
    uint64_t arg;
    if (auto it = sym.find(ps.value); it != sym.end()) {
      kind = it->second.first;
      arg = it->second.second;
    } else {
      Dl_info info{};
      if (!dladdr(reinterpret_cast<const void*>(ps.value), &info) || reinterpret_cast<uintptr_t>(info.dli_fbase) != base)
        return Error("unsupported: precompiled code would embed an address outside myrt (" +
                     std::string(info.dli_sname ? info.dli_sname : "unknown") + ")");
      kind = kRelImage;
      arg = ps.value - base;
    }
    put32(relocs, ps.machineOffset);
    put32(relocs, kind);
    put64(relocs, arg);
    // the site holds the compiling process's address until loading patches it: zero, so that an artifact does not
    // depend on (or reveal) where this process's objects were, and compiling one module twice gives equal bytes
    if (uint64_t(ps.machineOffset) + 8 <= pc.code.size()) std::memset(pc.code.data() + ps.machineOffset, 0, 8);
  }
  for (const TypeIdSite& t : pc.typeIds) {
    put32(relocs, t.machineOffset);
    put32(relocs, kRelTypeId);
    put64(relocs, t.typeIndex);
    if (uint64_t(t.machineOffset) + 4 <= pc.code.size()) std::memset(pc.code.data() + t.machineOffset, 0, 4);
  }

  std::vector<uint8_t> funcs, sites, memories, fallbacks;
  for (const PortableFunc& f : pc.funcs)
    for (uint32_t v : {f.index, f.offset, f.size, f.faultLanding, f.numSites}) put32(funcs, v);
  for (const CodeSite& s : pc.sites) {
    put32(sites, s.machineOffset);
    put32(sites, s.wasmOffset);
  }
  for (const MemoryInst* m : inst->memories) memories.push_back(m->guarded ? 1 : 0);
  for (const auto& [index, why] : pc.fallbacks) {
    put32(fallbacks, index);
    put32(fallbacks, static_cast<uint32_t>(why.size()));
    fallbacks.insert(fallbacks.end(), why.begin(), why.end());
  }

  struct Sec {
    uint32_t id;
    std::span<const uint8_t> bytes;
  };
  const Sec secs[] = {{kWasm, module->bytes}, {kFuncs, funcs},   {kSites, sites},         {kRelocs, relocs},
                      {kMemories, memories},  {kFallbacks, fallbacks}, {kCode, pc.code}};
  const uint32_t n = sizeof secs / sizeof secs[0];
  std::vector<uint8_t> out(kAotHeaderSize + 24 * n, 0);
  std::vector<std::pair<uint64_t, uint64_t>> placed;
  for (const Sec& s : secs) {
    const size_t align = s.id == kCode ? kCodeAlign : 16;
    out.resize((out.size() + align - 1) / align * align, 0);
    placed.push_back({out.size(), s.bytes.size()});
    out.insert(out.end(), s.bytes.begin(), s.bytes.end());
  }
  std::memcpy(out.data(), kAotMagic, 8);
  auto set32 = [&](size_t at, uint32_t v) { std::memcpy(out.data() + at, &v, 4); };
  auto set64 = [&](size_t at, uint64_t v) { std::memcpy(out.data() + at, &v, 8); };
  set32(8, kAotFormatVersion);
  set32(12, static_cast<uint32_t>(kAotHeaderSize + 24 * n));
  set64(16, out.size());
  std::memcpy(out.data() + 32, buildText().data(), buildText().size());
  set64(96, cpuFeatures());
  set32(104, guardPages ? kFlagGuardPages : 0);
  set32(108, n);
  for (uint32_t i = 0; i < n; ++i) {
    set32(kAotHeaderSize + 24 * i, secs[i].id);
    set64(kAotHeaderSize + 24 * i + 8, placed[i].first);
    set64(kAotHeaderSize + 24 * i + 16, placed[i].second);
  }
  set64(24, checksum64(out.data() + 32, out.size() - 32));
  return out;
}

Status writeFileAtomic(const std::string& path, std::span<const uint8_t> bytes) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  std::string tmp = (slash == std::string::npos ? std::string() : dir) + ".myrt-tmp-XXXXXX";
  int fd = mkstemp(tmp.data());
  if (fd < 0) return Error("cannot write " + path + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t w = write(fd, bytes.data() + done, bytes.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      const int e = errno;
      close(fd);
      unlink(tmp.c_str());
      return Error("cannot write " + path + ": " + std::strerror(e));
    }
    done += static_cast<size_t>(w);
  }
  fchmod(fd, 0644);
  if (close(fd) != 0 || rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    unlink(tmp.c_str());
    return Error("cannot write " + path + ": " + std::strerror(e));
  }
  return {};
}

// ---- parsing ----

Result<ArtifactView> parseArtifact(std::span<const uint8_t> b, bool fileMapped) {
  if (!isArtifact(b)) return Error("not a precompiled myrt module");
  if (b.size() < kAotHeaderSize) return Error("truncated precompiled module (" + std::to_string(b.size()) + " bytes)");
  const uint8_t* p = b.data();
  if (rd32(p + 8) != kAotFormatVersion)
    return Error("precompiled module of another format version (" + std::to_string(rd32(p + 8)) + "; this myrt reads " +
                 std::to_string(kAotFormatVersion) + "): compile it again with this myrt");
  const uint64_t fileSize = rd64(p + 16);
  if (fileSize > b.size())
    return Error("truncated precompiled module (" + std::to_string(b.size()) + " of " + std::to_string(fileSize) +
                 " bytes)");
  if (fileSize < b.size()) return Error("corrupt precompiled module (" + std::to_string(b.size() - fileSize) +
                                        " bytes after its end)");
  if (checksumOf(p + 32, b.size() - 32, 0, fileMapped) != rd64(p + 24))
    return Error("corrupt precompiled module (checksum mismatch)");
  ArtifactView v;
  const char* bt = reinterpret_cast<const char*>(p + 32);
  v.build.assign(bt, strnlen(bt, kBuildTextSize));
  if (buildText().empty() || v.build != buildText())
    return Error("precompiled by another myrt build (" + v.build + "; this is " +
                 (buildText().empty() ? std::string("a build without a build id") : buildText()) +
                 "): compile it again with this myrt");
  v.cpuFeatures = rd64(p + 96);
  if (const uint64_t missing = v.cpuFeatures & ~cpuFeatures())
    return Error("precompiled for CPU features this CPU lacks (or MYRT_JIT_NO_AVX turned off): " +
                 cpuFeatureNames(missing));
  v.flags = rd32(p + 104);
  const uint32_t n = rd32(p + 108);
  const uint32_t headerSize = rd32(p + 12);
  if (n > kMaxSections || headerSize != kAotHeaderSize + 24 * uint64_t(n) || headerSize > b.size())
    return Error("corrupt precompiled module (bad section table)");
  bool seen[16] = {};
  for (uint32_t i = 0; i < n; ++i) {
    const uint8_t* e = p + kAotHeaderSize + 24 * i;
    const uint32_t id = rd32(e);
    const uint64_t off = rd64(e + 8), size = rd64(e + 16);
    if (id == 0 || id >= 16 || seen[id] || off < headerSize || off > b.size() || size > b.size() - off)
      return Error("corrupt precompiled module (bad section table)");
    seen[id] = true;
    const std::span<const uint8_t> s = b.subspan(off, size);
    auto bad = [&](const char* what) { return Error(std::string("corrupt precompiled module (bad ") + what + " section)"); };
    switch (id) {
      case kWasm: v.wasm = s; break;
      case kCode:
        if (off % kCodeAlign) return bad("code");
        v.code = s;
        v.codeFileOffset = off;
        break;
      case kFuncs:
        if (size % 20) return bad("function");
        for (size_t k = 0; k < size; k += 20) {
          const uint8_t* r = s.data() + k;
          v.funcs.push_back({rd32(r), rd32(r + 4), rd32(r + 8), rd32(r + 12), rd32(r + 16)});
        }
        break;
      case kSites:
        if (size % 8) return bad("code map");
        v.sites.resize(size / 8);
        for (size_t k = 0; k < v.sites.size(); ++k) v.sites[k] = {rd32(s.data() + 8 * k), rd32(s.data() + 8 * k + 4)};
        break;
      case kRelocs:
        if (size % 16) return bad("relocation");
        v.relocs = s;
        break;
      case kMemories: v.memoryGuarded.assign(s.begin(), s.end()); break;
      case kFallbacks:
        for (size_t k = 0; k < size;) {
          if (size - k < 8 || rd32(s.data() + k + 4) > size - k - 8) return bad("fallback");
          const uint32_t len = rd32(s.data() + k + 4);
          v.fallbacks.push_back({rd32(s.data() + k), std::string(reinterpret_cast<const char*>(s.data() + k + 8), len)});
          k += 8 + len;
        }
        break;
      default: return Error("corrupt precompiled module (unknown section " + std::to_string(id) + ")");
    }
  }
  for (uint32_t id : {kWasm, kCode, kFuncs, kSites, kRelocs, kMemories})
    if (!seen[id]) return Error("corrupt precompiled module (a section is missing)");
  // the records against the code (the instance's indices are checked at install)
  uint64_t prevEnd = 0, numSites = 0;
  for (const PortableFunc& f : v.funcs) {
    if (f.offset < prevEnd || uint64_t(f.offset) + f.size > v.code.size() || f.faultLanding >= std::max<uint32_t>(f.size, 1))
      return Error("corrupt precompiled module (bad function table)");
    prevEnd = uint64_t(f.offset) + f.size;
    numSites += f.numSites;
  }
  if (numSites != v.sites.size()) return Error("corrupt precompiled module (bad code map)");
  for (size_t k = 0; k < v.relocs.size(); k += 16) {
    const uint32_t off = rd32(v.relocs.data() + k), kind = rd32(v.relocs.data() + k + 4);
    if (uint64_t(off) + (kind == kRelTypeId ? 4 : 8) > v.code.size() || kind < kRelImage || kind > kRelTypeId)
      return Error("corrupt precompiled module (bad relocation)");
  }
  return v;
}

// ---- loading ----

struct Precompiled {
  std::shared_ptr<const void> keep;  // the artifact's bytes (a vector or a file mapping)
  int fd = -1;                       // the file (its code section is mapped per instance), or -1
  ArtifactView view;
  ~Precompiled() {
    if (fd >= 0) close(fd);
  }
};

namespace {

struct FileMapping {
  void* base = nullptr;
  size_t size = 0;
  ~FileMapping() {
    if (base) munmap(base, size);
  }
};

Result<std::shared_ptr<Module>> moduleOf(std::shared_ptr<Precompiled> pre) {
  const std::span<const uint8_t> w = pre->view.wasm;
  MYRT_ASSIGN(Module m, decodeModule(std::vector<uint8_t>(w.begin(), w.end())));
  auto mod = std::make_shared<Module>(std::move(m));
  mod->precompiled = std::move(pre);
  return mod;
}

// The file mapped read-only with its fd, or an error naming it.
Result<std::shared_ptr<Precompiled>> mapFile(const std::string& path, std::span<const uint8_t>* bytes) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error(std::string("cannot open: ") + std::strerror(errno));
  auto pre = std::make_shared<Precompiled>();
  pre->fd = fd;
  struct stat st{};
  if (fstat(fd, &st) != 0) return Error(std::string("cannot read: ") + std::strerror(errno));
  auto map = std::make_shared<FileMapping>();
  if (st.st_size > 0) {
    void* p = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) return Error(std::string("cannot map: ") + std::strerror(errno));
    map->base = p;
    map->size = static_cast<size_t>(st.st_size);
  }
  *bytes = std::span<const uint8_t>(static_cast<const uint8_t*>(map->base), map->size);
  pre->keep = std::move(map);
  return pre;
}

}  // namespace

Result<std::shared_ptr<Module>> loadArtifact(std::vector<uint8_t> bytes) {
  auto pre = std::make_shared<Precompiled>();
  auto keep = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
  MYRT_ASSIGN(pre->view, parseArtifact(*keep));
  pre->keep = std::move(keep);
  return moduleOf(std::move(pre));
}

Result<std::shared_ptr<Module>> loadArtifactFile(const std::string& path) {
  std::span<const uint8_t> bytes;
  MYRT_ASSIGN(std::shared_ptr<Precompiled> pre, mapFile(path, &bytes));
  MYRT_ASSIGN(pre->view, parseArtifact(bytes, true));
  auto mod = moduleOf(std::move(pre));
  dropFilePages(bytes.data(), bytes.data() + bytes.size());  // (read; the relocations are read again at install)
  return mod;
}

Status attachArtifactFile(Module& module, const std::string& path) {
  std::span<const uint8_t> bytes;
  MYRT_ASSIGN(std::shared_ptr<Precompiled> pre, mapFile(path, &bytes));
  MYRT_ASSIGN(pre->view, parseArtifact(bytes, true));
  const bool same = pre->view.wasm.size() == module.bytes.size() &&
                    std::memcmp(pre->view.wasm.data(), module.bytes.data(), module.bytes.size()) == 0;
  dropFilePages(bytes.data(), bytes.data() + bytes.size());  // (read; the relocations are read again at install)
  if (!same) return Error("precompiled code of another module");
  module.precompiled = std::move(pre);
  return {};
}

Status installPrecompiled(Instance& inst, FuncEntry from) {
  if (!inst.module || !inst.module->precompiled) return Error("no precompiled code");
  const Precompiled& pre = *inst.module->precompiled;
  const ArtifactView& v = pre.view;
  if (v.memoryGuarded.size() != inst.memories.size()) return Error("precompiled code: another number of memories");
  for (size_t i = 0; i < inst.memories.size(); ++i)
    if ((v.memoryGuarded[i] != 0) != inst.memories[i]->guarded)
      return Error("precompiled code: memory " + std::to_string(i) + (inst.memories[i]->guarded ? " has" : " has no") +
                   " guard pages here, unlike where it was compiled");
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t size = std::max<size_t>((v.code.size() + page - 1) / page * page, page);
  void* p = MAP_FAILED;
  if (pre.fd >= 0 && v.codeFileOffset % page == 0)
    p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, pre.fd, static_cast<off_t>(v.codeFileOffset));
  if (p == MAP_FAILED) {
    p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return Error("no memory for precompiled code");
    if (!v.code.empty()) std::memcpy(p, v.code.data(), v.code.size());
  }
  uint8_t* code = static_cast<uint8_t*>(p);
  const uintptr_t base = image().base;
  for (size_t k = 0; k < v.relocs.size(); k += 16) {
    const uint8_t* r = v.relocs.data() + k;
    const uint32_t off = rd32(r), kind = rd32(r + 4);
    const uint64_t arg = rd64(r + 8);
    uint64_t value = 0;
    auto bad = [&] {
      munmap(p, size);
      return Error("precompiled code: relocation " + std::to_string(k / 16) + " names an object this instance lacks");
    };
    switch (kind) {
      case kRelImage: value = base + arg; break;
      case kRelFunc:
        if (arg >= inst.funcs.size()) return bad();
        value = reinterpret_cast<uint64_t>(inst.funcs[arg]);
        break;
      case kRelGlobal:
        if (arg >= inst.globals.size()) return bad();
        value = reinterpret_cast<uint64_t>(&inst.globals[arg]->value);
        break;
      case kRelMemBase:
        if (arg >= inst.memories.size()) return bad();
        value = reinterpret_cast<uint64_t>(inst.memories[arg]->base);
        break;
      case kRelMemSize:
        if (arg >= inst.memories.size()) return bad();
        value = reinterpret_cast<uint64_t>(&inst.memories[arg]->size);
        break;
      case kRelTag:
        if (arg >= inst.tags.size()) return bad();
        value = reinterpret_cast<uint64_t>(inst.tags[arg]);
        break;
      case kRelTypeId: {
        if (arg >= inst.typeIds.size()) return bad();
        const uint32_t id = inst.typeIds[arg];
        std::memcpy(code + off, &id, 4);  // (parseArtifact checked off + 4 <= the code's size)
        continue;
      }
      default: return bad();
    }
    std::memcpy(code + off, &value, 8);  // (parseArtifact checked off + 8 <= the code's size)
  }
  if (pre.fd >= 0) dropFilePages(v.relocs.data(), v.relocs.data() + v.relocs.size());  // (a file mapping: read)
  return installPortable(inst, from, code, size, v.funcs, v.sites, v.fallbacks);
}

}  // namespace myrt::jit
