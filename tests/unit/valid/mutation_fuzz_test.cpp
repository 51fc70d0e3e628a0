// tests/unit/valid/mutation_fuzz_test.cpp -- a poor man's fuzzer for decode + validate (hidden test): mutates the
// modules of a wast2json output directory and checks that nothing crashes (build with MYRT_SANITIZE=ON to catch
// out-of-bounds reads). Usage: MYRT_SPEC_JSON_DIR=DIR [MYRT_FUZZ_ROUNDS=N] unit_valid "[.fuzz]"
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

#include "runtime/binary/decoder.h"
#include "runtime/valid/code_reader.h"
#include "runtime/valid/validator.h"

using namespace myrt;

TEST_CASE("mutated modules never crash decode + validate", "[.fuzz]") {
  const char* dir = std::getenv("MYRT_SPEC_JSON_DIR");
  if (!dir) {
    WARN("MYRT_SPEC_JSON_DIR not set; skipping");
    return;
  }
  const int rounds = std::getenv("MYRT_FUZZ_ROUNDS") ? std::atoi(std::getenv("MYRT_FUZZ_ROUNDS")) : 20;
  std::vector<std::vector<uint8_t>> corpus;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.path().extension() != ".wasm") continue;
    std::ifstream f(e.path(), std::ios::binary);
    corpus.emplace_back((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  }
  REQUIRE(!corpus.empty());
  std::mt19937 rng(12345);
  int validated = 0, accepted = 0;
  for (int round = 0; round < rounds; ++round) {
    for (const auto& orig : corpus) {
      std::vector<uint8_t> b = orig;
      if (b.size() < 9) continue;
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int k = 0; k < edits; ++k) {
        size_t pos = 8 + rng() % (b.size() - 8);
        switch (rng() % 4) {
          case 0: b[pos] = static_cast<uint8_t>(rng()); break;
          case 1: b[pos] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;
          case 2: b.erase(b.begin() + static_cast<long>(pos)); break;
          default: b.insert(b.begin() + static_cast<long>(pos), static_cast<uint8_t>(rng())); break;
        }
        if (b.size() < 9) break;
      }
      auto m = decodeModule(b);
      if (!m.ok()) continue;
      ++validated;
      Status s = validateModule(*m);
      if (!s.ok()) continue;
      ++accepted;
      // Valid modules must also re-walk cleanly without checks.
      TypeContext ctx(*m);
      NullInterface null;
      CodeReader<NullInterface, false> reader(ctx, null);
      for (uint32_t i = m->numImportedFuncs; i < m->funcs.size(); ++i) CHECK(reader.readFunction(i).ok());
    }
  }
  WARN("decoded " << validated << " mutants, " << accepted << " valid");
}

#include "test_module.h"

TEST_CASE("random function bodies never crash the CodeReader", "[.fuzz]") {
  // Bytes biased towards opcodes and small immediates so that bodies get past the first instructions.
  static const uint8_t kAlphabet[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11,
                                      0x12, 0x14, 0x1a, 0x1b, 0x1c, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26,
                                      0x28, 0x36, 0x3f, 0x40, 0x41, 0x42, 0x45, 0x6a, 0x7f, 0x7e, 0x70, 0x6f, 0x63,
                                      0x64, 0xd0, 0xd1, 0xd2, 0xd4, 0xd5, 0xd6, 0xfb, 0xfc, 0xfd, 0x06, 0x07, 0x08,
                                      0x09, 0x18, 0x19, 0x0a, 0x80, 0xff};
  std::mt19937 rng(777);
  const int rounds = std::getenv("MYRT_FUZZ_ROUNDS") ? std::atoi(std::getenv("MYRT_FUZZ_ROUNDS")) * 5000 : 20000;
  int valid = 0;
  for (int round = 0; round < rounds; ++round) {
    test::ModuleBuilder b;
    b.memory(1);
    b.table(ValType::funcref());
    uint32_t t0 = b.type({ValType::i32()}, {ValType::i32()});
    b.type({}, {});
    b.tag(b.type({ValType::i32()}, {}));
    b.global(ValType::i32(), true, {0x41, 0x00, 0x0b});
    std::vector<uint8_t> body;
    const size_t len = 1 + rng() % 24;
    for (size_t i = 0; i < len; ++i)
      body.push_back(rng() % 3 == 0 ? static_cast<uint8_t>(rng() % 4) : kAlphabet[rng() % sizeof(kAlphabet)]);
    if (rng() % 2) body.push_back(0x0b);
    b.func(t0, {ValType::i32(), ValType::ref(HeapKind::Func, false)}, body);
    b.m.exports.push_back(Export{"f", ExternKind::Func, 0});
    Status s = b.validate(rng() % 4 == 0);
    if (!s.ok()) continue;
    ++valid;
    TypeContext ctx(b.m);
    NullInterface null;
    CodeReader<NullInterface, false> reader(ctx, null);
    CHECK(reader.readFunction(0).ok());
  }
  WARN(valid << " of " << rounds << " random bodies were valid");
}
