// tests/debug/corrupt_dwarf.cpp -- writes a copy of a wasm module whose DWARF custom sections (.debug_*) are damaged,
// for the tests that a trap in a module with unreadable DWARF still prints its plain backtrace.
//   corrupt_dwarf MODE IN.wasm OUT.wasm
// MODE: truncate   every .debug_* section cut to a third of its size (section sizes re-encoded)
//       garbage    every .debug_* section's bytes replaced by pseudo-random bytes (same size)
//       line       only .debug_line replaced by pseudo-random bytes (the units stay readable)
//       abbrev     .debug_abbrev cut to 5 bytes (every DIE refers to a missing abbreviation)
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

bool readLeb(const std::vector<uint8_t>& b, size_t& i, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (i >= b.size()) return false;
    const uint8_t c = b[i++];
    v |= uint64_t(c & 0x7f) << shift;
    if (!(c & 0x80)) return true;
  }
  return false;
}

void writeLeb(std::vector<uint8_t>& out, uint64_t v) {
  do {
    uint8_t c = v & 0x7f;
    v >>= 7;
    if (v) c |= 0x80;
    out.push_back(c);
  } while (v);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: corrupt_dwarf truncate|garbage|line|abbrev IN.wasm OUT.wasm\n");
    return 2;
  }
  const std::string mode = argv[1];
  std::ifstream in(argv[2], std::ios::binary);
  const std::vector<uint8_t> b{std::istreambuf_iterator<char>(in), {}};
  if (b.size() < 8) return std::fprintf(stderr, "corrupt_dwarf: %s: not a module\n", argv[2]), 1;
  std::vector<uint8_t> out(b.begin(), b.begin() + 8);
  uint32_t seed = 0x12345678;
  int changed = 0;
  for (size_t i = 8; i < b.size();) {
    const uint8_t id = b[i++];
    uint64_t size = 0;
    if (!readLeb(b, i, size) || size > b.size() - i) return std::fprintf(stderr, "corrupt_dwarf: bad section\n"), 1;
    std::vector<uint8_t> contents(b.begin() + i, b.begin() + i + size);
    i += size;
    size_t at = 0;
    uint64_t nameLen = 0;
    if (id == 0 && readLeb(contents, at, nameLen) && nameLen <= contents.size() - at) {
      const std::string name(contents.begin() + at, contents.begin() + at + nameLen);
      const size_t payload = at + nameLen;
      const bool debug = name.rfind(".debug_", 0) == 0;
      auto scramble = [&] {
        for (size_t k = payload; k < contents.size(); ++k) {
          seed = seed * 1103515245u + 12345u;
          contents[k] = uint8_t(seed >> 16);
        }
        ++changed;
      };
      if (debug && mode == "truncate") {
        contents.resize(payload + (contents.size() - payload) / 3);
        ++changed;
      } else if (debug && mode == "garbage") {
        scramble();
      } else if (name == ".debug_line" && mode == "line") {
        scramble();
      } else if (name == ".debug_abbrev" && mode == "abbrev") {
        contents.resize(payload + std::min<size_t>(5, contents.size() - payload));
        ++changed;
      }
    }
    out.push_back(id);
    writeLeb(out, contents.size());
    out.insert(out.end(), contents.begin(), contents.end());
  }
  if (!changed) return std::fprintf(stderr, "corrupt_dwarf: %s: no section to damage for %s\n", argv[2], mode.c_str()), 1;
  std::ofstream o(argv[3], std::ios::binary);
  o.write(reinterpret_cast<const char*>(out.data()), std::streamsize(out.size()));
  return o ? 0 : 1;
}
