// fuzz/dwarf_lookup.cpp -- libFuzzer target for runtime/debug (DWARF source locations of trap frames) over untrusted
// .debug_* sections: the input is cut into the sections runtime/debug hands to libdw, a Module is made of them, and
// source locations are looked up at the addresses the input names. Must never crash, hang or trip a sanitizer;
// finding nothing is the normal outcome. (libdw itself is Debian's uninstrumented build: the fuzzer sees crashes in
// it, not its coverage.)
// Input: 10 little-endian u32 lengths (.debug_info, .debug_abbrev, .debug_line, .debug_line_str, .debug_str,
// .debug_str_offsets, .debug_addr, .debug_ranges, .debug_rnglists, .debug_aranges), the sections' bytes in that order
// (clipped to what is there), then up to 16 u32 code addresses to look up (0, 1, 2, ... when none).
// `fuzz_dwarf_lookup -seed OUT.bin IN.wasm` writes IN.wasm's sections in this form (fuzz/run.sh seeds with it).
// Layer: fuzz (uses runtime/debug, runtime/binary).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "runtime/binary/decoder.h"
#include "runtime/debug/source_map.h"

namespace {

constexpr const char* kNames[] = {".debug_info",       ".debug_abbrev", ".debug_line",   ".debug_line_str",
                                  ".debug_str",        ".debug_str_offsets", ".debug_addr", ".debug_ranges",
                                  ".debug_rnglists",   ".debug_aranges"};
constexpr size_t kCount = sizeof kNames / sizeof kNames[0];

uint32_t u32(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < kCount * 4) return 0;
  myrt::Module m;
  m.bytes.assign(data, data + size);
  size_t at = kCount * 4;
  for (size_t i = 0; i < kCount; ++i) {
    const size_t len = std::min<size_t>(u32(data + 4 * i), size - at);
    if (len) m.customs.push_back({kNames[i], myrt::ByteRange{uint32_t(at), uint32_t(len)}});
    at += len;
  }
  // A code section whose contents start at module offset 16: DWARF address a is module offset a + 16.
  m.sections.push_back({10, 16, uint32_t(size), ""});
  std::vector<uint32_t> addrs;
  for (; at + 4 <= size && addrs.size() < 16; at += 4) addrs.push_back(u32(data + at));
  if (addrs.empty())
    for (uint32_t a = 0; a < 8; ++a) addrs.push_back(a * 5);
  for (uint32_t a : addrs) {
    if (a > UINT32_MAX - 17) continue;
    for (const auto& loc : myrt::debug::sourceLocations(m, a + 16)) (void)loc.file.size();
  }
  (void)myrt::debug::sourceMapError(m);
  return 0;
}

// Seed writer: `fuzz_dwarf_lookup -seed OUT IN.wasm` (libFuzzer's main is not reached: see LLVMFuzzerInitialize).
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  if (*argc != 4 || std::strcmp((*argv)[1], "-seed") != 0) return 0;
  std::ifstream in((*argv)[3], std::ios::binary);
  std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
  auto mod = myrt::decodeModule(std::move(bytes));
  if (!mod.ok()) {
    std::fprintf(stderr, "dwarf seed: %s: %s\n", (*argv)[3], mod.error().message.c_str());
    std::exit(1);
  }
  const myrt::Module& m = mod.value();
  std::vector<uint8_t> out(kCount * 4);
  for (size_t i = 0; i < kCount; ++i)
    for (const auto& c : m.customs)
      if (c.name == kNames[i]) {
        const uint32_t n = c.contents.size;
        for (int k = 0; k < 4; ++k) out[4 * i + k] = uint8_t(n >> (8 * k));
        out.insert(out.end(), m.data(c.contents), m.data(c.contents) + n);
        break;
      }
  // Addresses: the code offsets of a few function bodies' first instructions.
  uint32_t codeStart = 0;
  for (const auto& s : m.sections)
    if (s.id == 10) codeStart = s.offset;
  size_t added = 0;
  for (size_t f = m.numImportedFuncs; f < m.funcs.size() && added < 16; f += 1 + m.funcs.size() / 16, ++added) {
    const uint32_t a = m.funcs[f].body.offset - codeStart + 2;
    for (int k = 0; k < 4; ++k) out.push_back(uint8_t(a >> (8 * k)));
  }
  std::ofstream o((*argv)[2], std::ios::binary);
  o.write(reinterpret_cast<const char*>(out.data()), std::streamsize(out.size()));
  std::exit(o ? 0 : 1);
}
