// tests/limits/gen_module.cpp -- writes large generated modules for the limits tests (tests/limits/CMakeLists.txt):
//   gen_module types N OUT.wasm   one rec group of N struct types (struct (field i32)), and a function "f" -> i32 7
// Binary, not text, so the test measures instantiation (type canonicalization) rather than the WAT parser.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

void leb(std::vector<uint8_t>& out, uint64_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    out.push_back(v ? (b | 0x80) : b);
  } while (v);
}

void section(std::vector<uint8_t>& out, uint8_t id, const std::vector<uint8_t>& body) {
  out.push_back(id);
  leb(out, body.size());
  out.insert(out.end(), body.begin(), body.end());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 || std::strcmp(argv[1], "types") != 0) {
    std::fprintf(stderr, "usage: gen_module types N OUT.wasm\n");
    return 2;
  }
  const uint64_t n = std::strtoull(argv[2], nullptr, 10);
  std::vector<uint8_t> m = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  std::vector<uint8_t> types;
  leb(types, 2);                 // two rec groups: the N structs, then the function type
  types.push_back(0x4e);         // rec
  leb(types, n);
  for (uint64_t i = 0; i < n; ++i) types.insert(types.end(), {0x5f, 0x01, 0x7f, 0x00});  // (struct (field i32))
  types.insert(types.end(), {0x60, 0x00, 0x01, 0x7f});  // (func (result i32))
  section(m, 1, types);
  std::vector<uint8_t> funcs;
  leb(funcs, 1);
  leb(funcs, n);                 // the function type's index
  section(m, 3, funcs);
  section(m, 7, {0x01, 0x01, 'f', 0x00, 0x00});
  section(m, 10, {0x01, 0x04, 0x00, 0x41, 0x07, 0x0b});
  FILE* f = std::fopen(argv[3], "wb");
  if (!f || std::fwrite(m.data(), 1, m.size(), f) != m.size() || std::fclose(f) != 0) {
    std::perror(argv[3]);
    return 1;
  }
  return 0;
}
