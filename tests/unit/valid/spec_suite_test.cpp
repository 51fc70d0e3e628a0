// tests/unit/valid/spec_suite_test.cpp -- decode+validate over a spec testsuite converted by wast2json (hidden test).
// Usage: for f in spec-testsuite-2.0/*.wast; do n=$(basename $f .wast); mkdir -p DIR/$n;
//          wast2json $f -o DIR/$n/$n.json; done
//        MYRT_SPEC_JSON_DIR=DIR [MYRT_SPEC_WASM2=1] [MYRT_SPEC_VERBOSE=1] unit_valid "[.spec]"
// Every `module` must decode and validate; every assert_invalid must be rejected (and its message should start with
// the expected text); binary assert_malformed modules must be rejected by decode or validate.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/binary/decoder.h"
#include "runtime/valid/validator.h"

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
