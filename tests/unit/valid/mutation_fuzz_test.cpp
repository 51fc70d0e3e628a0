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
