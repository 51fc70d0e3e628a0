// tests/unit/valid/throughput_test.cpp -- validation throughput on real programs (hidden test, a quick check without
// Google Benchmark). Usage: unit_valid "[.bench]"  (reads MYRT_BENCH_WASM/sightglass/*/benchmark.wasm).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "runtime/binary/decoder.h"
#include "runtime/valid/validator.h"

using namespace myrt;

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
