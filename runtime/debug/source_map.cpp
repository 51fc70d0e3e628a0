// runtime/debug/source_map.cpp -- the module's .debug_* sections as an in-memory ELF image for elfutils' libdw, and the
// lookups (line table row, inlined scopes) per code offset. See source_map.h.
#include "runtime/debug/source_map.h"

#include <dwarf.h>
#include <elf.h>
#include <elfutils/libdw.h>
#include <libelf.h>

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string_view>

namespace myrt::debug {

namespace {

// The sections libdw needs for line tables, unit ranges and scopes (DWARF 4 and 5). Everything else stays out of the
// image: .debug_sup / .gnu_debugaltlink would make libdw look for another file.
constexpr std::string_view kSections[] = {".debug_info",    ".debug_abbrev",      ".debug_line", ".debug_line_str",
                                          ".debug_str",     ".debug_str_offsets", ".debug_addr", ".debug_ranges",
                                          ".debug_rnglists", ".debug_aranges"};

// Deeper DIE trees are not handed to dwarf_getscopes (it recurses once per nesting level): no inlined frames there.
constexpr int kMaxScopeDepth = 256;
// Inlined frames reported per wasm frame at most.
constexpr int kMaxInlineDepth = 64;

// libdw and libelf are loaded at the first lookup (dlopen), not linked: a process that never asks for a source
// location maps neither them nor their dependencies (libz, liblzma, libbz2), which would cost every `myrt run` its
// start-up time (docs/performance.md, "DWARF source locations"). The prototypes come from the headers (libdw-dev).
#define MYRT_LIBDW_FUNCTIONS(X) X(dwarf_attr) X(dwarf_attr_integrate) X(dwarf_begin_elf) X(dwarf_child) \
  X(dwarf_dieoffset) X(dwarf_end) X(dwarf_errmsg) X(dwarf_filesrc) X(dwarf_formstring) X(dwarf_formudata) \
  X(dwarf_get_units) X(dwarf_getscopes) X(dwarf_getscopes_die) X(dwarf_getsrc_die) X(dwarf_getsrcfiles) \
  X(dwarf_haschildren) X(dwarf_haspc) X(dwarf_linecol) X(dwarf_lineno) X(dwarf_linesrc) X(dwarf_siblingof) \
  X(dwarf_tag) X(elf_end) X(elf_errmsg) X(elf_memory) X(elf_version)

struct Libdw {
#define MYRT_LIBDW_POINTER(f) decltype(&::f) f = nullptr;
  MYRT_LIBDW_FUNCTIONS(MYRT_LIBDW_POINTER)
#undef MYRT_LIBDW_POINTER
  std::string error;  // why it could not be loaded ("" when loaded)
};

// Loaded once per process (under lock()); never unloaded.
const Libdw& loadLibdw() {
  static const Libdw* lib = [] {
    auto* l = new Libdw;
    void* h = dlopen("libdw.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      const char* e = dlerror();
      l->error = std::string("cannot load libdw.so.1 (elfutils; Debian package libdw1): ") + (e ? e : "");
      return l;
    }
    // libdw.so.1 needs libelf.so.1, so dlsym on its handle finds the elf_* functions too.
#define MYRT_LIBDW_LOOKUP(f)                                                 \
    l->f = reinterpret_cast<decltype(l->f)>(dlsym(h, #f));                   \
    if (!l->f && l->error.empty()) l->error = "libdw.so.1 has no " #f;
    MYRT_LIBDW_FUNCTIONS(MYRT_LIBDW_LOOKUP)
#undef MYRT_LIBDW_LOOKUP
    if (!l->error.empty()) {
      const std::string e = l->error;
      *l = Libdw{};
      l->error = e;
    }
    return l;
  }();
  return *lib;
}

const Libdw* lib = nullptr;  // set by sourceLocations before any use (under lock())

std::mutex& lock() {
  static std::mutex m;
  return m;
}

const CustomSection* findCustom(const Module& m, std::string_view name) {
  for (const CustomSection& c : m.customs)
    if (c.name == name) return &c;  // the first of duplicates
  return nullptr;
}

std::string libdwError() {
  const char* e = lib->dwarf_errmsg(-1);
  return e ? e : "unknown error";
}

}  // namespace

struct SourceMap {
  struct Unit {
    Dwarf_Die die;
    int scopeDepthOk = -1;  // -1: not checked yet; 0: too deep for dwarf_getscopes; 1: fine
  };
  std::vector<char> image;  // ELF32 little-endian: header, section contents, .shstrtab, section headers
  Elf* elf = nullptr;
  Dwarf* dwarf = nullptr;
  std::vector<Unit> units;  // compile units libdw may read without looking for other files
  std::string error;

  ~SourceMap() {
    if (dwarf) lib->dwarf_end(dwarf);
    if (elf) lib->elf_end(elf);
  }

  bool open(const Module& m);
  std::vector<SourceLocation> lookup(uint64_t addr);
  bool scopesSafe(Unit& u);
};

bool SourceMap::open(const Module& m) {
  // The image: an ELF header, the sections' bytes, the section-name string table, the section headers.
  struct Part {
    const CustomSection* sec;
    uint32_t nameOffset;
  };
  std::vector<Part> parts;
  std::string names(1, '\0');
  for (std::string_view n : kSections)
    if (const CustomSection* c = findCustom(m, n)) {
      parts.push_back({c, static_cast<uint32_t>(names.size())});
      names.append(n);
      names.push_back('\0');
    }
  const uint32_t shstrtabName = static_cast<uint32_t>(names.size());
  names.append(".shstrtab");
  names.push_back('\0');

  std::vector<Elf32_Shdr> headers(1);  // [0]: the null section
  size_t size = sizeof(Elf32_Ehdr);
  for (const Part& p : parts) size += p.sec->contents.size;
  size += names.size();
  size = (size + 3) & ~size_t(3);
  if (size > UINT32_MAX / 2) {
    error = "debug sections too large";
    return false;
  }
  image.reserve(size + (parts.size() + 2) * sizeof(Elf32_Shdr));
  image.resize(sizeof(Elf32_Ehdr));
  auto addSection = [&](uint32_t name, uint32_t type, const uint8_t* data, size_t n) {
    Elf32_Shdr h{};
    h.sh_name = name;
    h.sh_type = type;
    h.sh_offset = static_cast<Elf32_Off>(image.size());
    h.sh_size = static_cast<Elf32_Word>(n);
    h.sh_addralign = 1;
    image.insert(image.end(), data, data + n);
    headers.push_back(h);
  };
  for (const Part& p : parts) addSection(p.nameOffset, SHT_PROGBITS, m.data(p.sec->contents), p.sec->contents.size);
  addSection(shstrtabName, SHT_STRTAB, reinterpret_cast<const uint8_t*>(names.data()), names.size());
  image.resize((image.size() + 3) & ~size_t(3));

  Elf32_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS32;  // wasm32: 4-byte addresses
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_EXEC;  // not ET_REL: libdw applies no relocations (there are none)
  eh.e_machine = EM_NONE;
  eh.e_version = EV_CURRENT;
  eh.e_ehsize = sizeof(Elf32_Ehdr);
  eh.e_shentsize = sizeof(Elf32_Shdr);
  eh.e_shnum = static_cast<Elf32_Half>(headers.size());
  eh.e_shstrndx = static_cast<Elf32_Half>(headers.size() - 1);
  eh.e_shoff = static_cast<Elf32_Off>(image.size());
  std::memcpy(image.data(), &eh, sizeof eh);
  const char* hp = reinterpret_cast<const char*>(headers.data());
  image.insert(image.end(), hp, hp + headers.size() * sizeof(Elf32_Shdr));

  lib->elf_version(EV_CURRENT);
  elf = lib->elf_memory(image.data(), image.size());
  if (!elf) {
    error = std::string("libelf: ") + lib->elf_errmsg(-1);
    return false;
  }
  dwarf = lib->dwarf_begin_elf(elf, DWARF_C_READ, nullptr);
  if (!dwarf) {
    error = "libdw: " + libdwError();
    return false;
  }
  // The compile units. dwarf_get_units without a subdie pointer never looks for split units.
  Dwarf_CU* cu = nullptr;
  Dwarf_CU* next = nullptr;
  Dwarf_Half version = 0;
  uint8_t unitType = 0;
  Dwarf_Die cudie;
  int rc;
  while ((rc = lib->dwarf_get_units(dwarf, cu, &next, &version, &unitType, &cudie, nullptr)) == 0) {
    cu = next;
    if (unitType != DW_UT_compile) continue;  // type, partial, skeleton and split units carry no code we look up
    Dwarf_Attribute a;
    if (lib->dwarf_attr(&cudie, DW_AT_dwo_name, &a) || lib->dwarf_attr(&cudie, DW_AT_GNU_dwo_name, &a)) continue;
    units.push_back({cudie, -1});
  }
  if (rc < 0) {
    error = "libdw: " + libdwError();
    if (units.empty()) return false;  // a tail of garbage after good units: keep the good ones
  }
  return true;
}

// Whether the unit's DIE tree is shallow enough for dwarf_getscopes (which recurses per level). Walked iteratively.
bool SourceMap::scopesSafe(Unit& u) {
  if (u.scopeDepthOk >= 0) return u.scopeDepthOk == 1;
  std::vector<Dwarf_Die> stack;
  Dwarf_Die child;
  bool ok = true;
  if (lib->dwarf_child(&u.die, &child) == 0) stack.push_back(child);
  while (ok && !stack.empty()) {
    if (stack.size() > size_t(kMaxScopeDepth)) {
      ok = false;
      break;
    }
    Dwarf_Die& top = stack.back();
    Dwarf_Die sub;
    if (lib->dwarf_haschildren(&top) > 0 && lib->dwarf_child(&top, &sub) == 0) {
      if (lib->dwarf_dieoffset(&sub) <= lib->dwarf_dieoffset(&top)) {
        ok = false;
        break;
      }
      stack.push_back(sub);
      continue;
    }
    // No children: move to the next sibling, climbing up as levels end.
    while (!stack.empty()) {
      Dwarf_Die sib;
      const int r = lib->dwarf_siblingof(&stack.back(), &sib);
      // A sibling must lie after its DIE: a DW_AT_sibling pointing back would make libdw's walk (ours and
      // dwarf_getscopes') go round for ever.
      if (r == 0 && lib->dwarf_dieoffset(&sib) <= lib->dwarf_dieoffset(&stack.back())) {
        ok = false;
        break;
      }
      if (r == 0) {
        stack.back() = sib;
        break;
      }
      if (r < 0) ok = false;  // malformed: do not trust the tree
      stack.pop_back();
      if (!ok) break;
    }
  }
  u.scopeDepthOk = ok ? 1 : 0;
  return ok;
}

namespace {

std::string attrString(Dwarf_Die* die, unsigned name) {
  Dwarf_Attribute a;
  if (!lib->dwarf_attr_integrate(die, name, &a)) return {};
  const char* s = lib->dwarf_formstring(&a);
  return s ? s : "";
}

uint32_t attrUnsigned(Dwarf_Die* die, unsigned name) {
  Dwarf_Attribute a;
  Dwarf_Word w = 0;
  if (!lib->dwarf_attr(die, name, &a) || lib->dwarf_formudata(&a, &w) != 0) return 0;
  return w > UINT32_MAX ? 0 : static_cast<uint32_t>(w);
}

}  // namespace

std::vector<SourceLocation> SourceMap::lookup(uint64_t addr) {
  std::vector<SourceLocation> out;
  if (!dwarf) return out;
  Unit* unit = nullptr;
  for (Unit& u : units)
    if (lib->dwarf_haspc(&u.die, addr) > 0) {
      unit = &u;
      break;
    }
  if (!unit) return out;
  Dwarf_Line* line = lib->dwarf_getsrc_die(&unit->die, addr);
  if (!line) return out;
  SourceLocation loc;
  int ln = 0, col = 0;
  lib->dwarf_lineno(line, &ln);
  lib->dwarf_linecol(line, &col);
  loc.line = ln > 0 ? static_cast<uint32_t>(ln) : 0;
  loc.column = col > 0 ? static_cast<uint32_t>(col) : 0;
  if (const char* f = lib->dwarf_linesrc(line, nullptr, nullptr)) loc.file = f;

  // Scopes, innermost first: each inlined subroutine turns the location so far into an inlined frame and continues at
  // its call site; the enclosing subprogram names the frame's own location. dwarf_getscopes continues an inlined
  // instance with its abstract definition's parents, so the caller's scopes come from dwarf_getscopes_die on the
  // inlined instance (its concrete parents; [0] is the instance itself).
  Dwarf_Die* scopes = nullptr;
  int n = scopesSafe(*unit) ? lib->dwarf_getscopes(&unit->die, addr, &scopes) : -1;
  Dwarf_Files* files = nullptr;
  size_t nfiles = 0;
  int inlines = 0;
  for (int i = 0; i < n; ++i) {
    Dwarf_Die* s = &scopes[i];
    const int tag = lib->dwarf_tag(s);
    if (tag == DW_TAG_inlined_subroutine) {
      loc.function = attrString(s, DW_AT_name);
      loc.inlined = true;
      out.push_back(std::move(loc));
      loc = SourceLocation{};
      const uint32_t fileIndex = attrUnsigned(s, DW_AT_call_file);
      if (!files && lib->dwarf_getsrcfiles(&unit->die, &files, &nfiles) != 0) files = nullptr;
      if (files && fileIndex < nfiles)
        if (const char* f = lib->dwarf_filesrc(files, fileIndex, nullptr, nullptr)) loc.file = f;
      loc.line = attrUnsigned(s, DW_AT_call_line);
      loc.column = attrUnsigned(s, DW_AT_call_column);
      if (++inlines > kMaxInlineDepth) break;
      Dwarf_Die* parents = nullptr;
      const int np = lib->dwarf_getscopes_die(s, &parents);
      std::free(scopes);
      scopes = parents;
      n = np;
      i = 0;  // the loop's ++i skips parents[0], the inlined instance itself
    } else if (tag == DW_TAG_subprogram) {
      loc.function = attrString(s, DW_AT_name);
      break;
    }
  }
  std::free(scopes);
  out.push_back(std::move(loc));
  return out;
}

std::optional<uint64_t> dwarfAddress(const Module& m, uint32_t moduleOffset) {
  if (moduleOffset == UINT32_MAX) return std::nullopt;  // kNoWasmOffset (runtime/exec): unknown
  for (const SectionInfo& s : m.sections)
    if (s.id == 10) {
      if (moduleOffset < s.offset) return std::nullopt;
      return uint64_t(moduleOffset - s.offset);
    }
  return std::nullopt;
}

bool hasDwarf(const Module& m) { return findCustom(m, ".debug_info") && findCustom(m, ".debug_line"); }

std::vector<SourceLocation> sourceLocations(const Module& m, uint32_t moduleOffset) {
  const std::optional<uint64_t> addr = dwarfAddress(m, moduleOffset);
  if (!addr || !hasDwarf(m)) return {};
  std::lock_guard<std::mutex> g(lock());
  if (!m.sourceMap) {
    if (!lib) lib = &loadLibdw();
    auto map = std::make_shared<SourceMap>();
    if (!lib->error.empty()) {
      map->error = lib->error;
    } else if (!map->open(m)) {
      // Keep only the reason: the image and libdw's state go.
      auto failed = std::make_shared<SourceMap>();
      failed->error = map->error;
      map = failed;
    }
    m.sourceMap = map;
  }
  return m.sourceMap->lookup(*addr);
}

std::string sourceMapError(const Module& m) {
  std::lock_guard<std::mutex> g(lock());
  return m.sourceMap ? m.sourceMap->error : std::string();
}

bool sourceLocationsEnabled() {
  static const bool on = [] {
    const char* v = std::getenv("MYRT_BACKTRACE_DETAILS");
    return !(v && std::string_view(v) == "0");
  }();
  return on;
}

}  // namespace myrt::debug
