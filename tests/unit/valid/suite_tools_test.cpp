// tests/unit/valid/suite_tools_test.cpp -- hidden tests that need outside data or time (not run by default):
//   [.spec]  decode + validate over a spec testsuite converted by wast2json:
//            for f in spec-testsuite-2.0/*.wast; do n=$(basename $f .wast); mkdir -p DIR/$n;
//              wast2json $f -o DIR/$n/$n.json; done
//            MYRT_SPEC_JSON_DIR=DIR [MYRT_SPEC_WASM2=1] [MYRT_SPEC_VERBOSE=1] unit_valid "[.spec]"
//            Every `module` must decode and validate; every assert_invalid must be rejected (and its message should
//            start with the expected text); binary assert_malformed modules must be rejected by decode or validate.
//   [.fuzz]  mutated spec modules (MYRT_SPEC_JSON_DIR) and random bodies never crash decode + validate + unchecked
//            re-walk (build with MYRT_SANITIZE=ON to catch out-of-bounds reads); MYRT_FUZZ_ROUNDS=N.
//   [.bench] validation throughput in MB/s of code section (CPU time) on sightglass programs;
//            MYRT_BENCH_ONLY=name, MYRT_BENCH_ITERATIONS=N (fixed count, for callgrind).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "runtime/binary/decoder.h"
#include "runtime/valid/code_reader.h"
#include "runtime/valid/validator.h"
#include "test_module.h"

using namespace myrt;

namespace {

// Extracts "key": "value" from one wast2json command line (values contain no escaped quotes in the fields we use,
// except "text", whose escapes we keep verbatim).
std::string field(const std::string& line, const std::string& key) {
  std::string pat = "\"" + key + "\": \"";
  size_t p = line.find(pat);
  if (p == std::string::npos) return {};
  p += pat.size();
  std::string out;
  while (p < line.size() && line[p] != '"') {
    if (line[p] == '\\' && p + 1 < line.size()) out += line[p++];
    out += line[p++];
  }
  return out;
}

std::vector<uint8_t> readFile(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

struct Stats {
  int modulesOk = 0, modulesBad = 0;
  int invalidRejected = 0, invalidMsgMatch = 0, invalidAccepted = 0;
  int malformedRejected = 0, malformedAccepted = 0;
};

Status decodeAndValidate(const std::vector<uint8_t>& bytes, const ValidateOptions& opts) {
  DecodeOptions dopts;
  dopts.wasm20 = opts.wasm2Only;
  auto m = decodeModule(bytes, dopts);
  if (!m.ok()) return m.error();
  return validateModule(*m, opts);
}

}  // namespace

TEST_CASE("spec testsuite: decode + validate (set MYRT_SPEC_JSON_DIR)", "[.spec]") {
  const char* dir = std::getenv("MYRT_SPEC_JSON_DIR");
  if (!dir) {
    WARN("MYRT_SPEC_JSON_DIR not set; skipping");
    return;
  }
  ValidateOptions opts;
  opts.wasm2Only = std::getenv("MYRT_SPEC_WASM2") != nullptr;
  const bool verbose = std::getenv("MYRT_SPEC_VERBOSE") != nullptr;
  Stats st;
  std::map<std::string, int> mismatchByExpected;
  std::vector<std::filesystem::path> jsons;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.path().extension() == ".json") jsons.push_back(e.path());
  std::sort(jsons.begin(), jsons.end());
  for (const auto& json : jsons) {
    std::ifstream in(json);
    std::string line;
    while (std::getline(in, line)) {
      std::string type = field(line, "type");
      std::string file = field(line, "filename");
      if (file.empty() || (type != "module" && type != "assert_invalid" && type != "assert_malformed")) continue;
      if (field(line, "module_type") == "text") continue;
      std::string where = json.stem().string() + ":" + field(line, "line") + " " + file;
      std::vector<uint8_t> bytes = readFile(json.parent_path() / file);
      Status s = decodeAndValidate(bytes, opts);
      std::string expected = field(line, "text");
      if (type == "module") {
        if (s.ok()) {
          st.modulesOk++;
        } else {
          st.modulesBad++;
          std::cout << "MODULE REJECTED " << where << ": " << s.error().toString() << "\n";
        }
      } else if (type == "assert_invalid") {
        if (s.ok()) {
          st.invalidAccepted++;
          std::cout << "INVALID ACCEPTED " << where << " (expected \"" << expected << "\")\n";
        } else {
          st.invalidRejected++;
          if (s.error().message.rfind(expected, 0) == 0) {
            st.invalidMsgMatch++;
          } else {
            mismatchByExpected[expected]++;
            if (verbose)
              std::cout << "MESSAGE " << where << ": expected \"" << expected << "\", got \"" << s.error().message
                        << "\"\n";
          }
        }
      } else {
        if (s.ok()) {
          st.malformedAccepted++;
          if (verbose) std::cout << "MALFORMED ACCEPTED " << where << " (expected \"" << expected << "\")\n";
        } else {
          st.malformedRejected++;
        }
      }
    }
  }
  std::cout << "modules: " << st.modulesOk << " ok, " << st.modulesBad << " rejected\n"
            << "assert_invalid: " << st.invalidRejected << " rejected (" << st.invalidMsgMatch
            << " with matching message), " << st.invalidAccepted << " accepted\n"
            << "assert_malformed (binary): " << st.malformedRejected << " rejected, " << st.malformedAccepted
            << " accepted\n";
  for (auto& [msg, n] : mismatchByExpected) std::cout << "  message mismatch x" << n << ": expected \"" << msg << "\"\n";
  CHECK(st.modulesBad == 0);
  CHECK(st.invalidAccepted == 0);
}

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

namespace {
double cpuSeconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }
}  // namespace

TEST_CASE("validation throughput (MB/s of code section, CPU time)", "[.bench]") {
  const std::string base = std::string(MYRT_SOURCE_DIR) + "/../shared/bench-wasm/sightglass/";
  const char* only = std::getenv("MYRT_BENCH_ONLY");        // one program name
  const char* fixed = std::getenv("MYRT_BENCH_ITERATIONS");  // fixed iteration count (for callgrind)
  for (const char* name : {"gcc-loops", "bz2", "pulldown-cmark", "rust-json", "spidermonkey"}) {
    if (only && std::string(only) != name) continue;
    std::ifstream f(base + name + "/benchmark.wasm", std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (bytes.empty()) continue;
    auto m = decodeModule(bytes);
    REQUIRE(m.ok());
    uint64_t code = 0;
    for (const auto& s : m->sections)
      if (s.id == 10) code = s.size;
    REQUIRE(validateModule(*m).ok());
    int iters = 0;
    double start = cpuSeconds(), now = start;
    const int maxIters = fixed ? std::atoi(fixed) : 1 << 30;
    while (iters < maxIters && (fixed || now - start < 1.0)) {
      Status s = validateModule(*m);
      REQUIRE(s.ok());
      ++iters;
      now = cpuSeconds();
    }
    double mbps = static_cast<double>(code) * iters / (now - start) / 1e6;
    std::cout << name << ": " << code << " bytes of code, " << mbps << " MB/s\n";
  }
}
