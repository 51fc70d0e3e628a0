// bench/frontend_bench.cpp -- front-end throughput: binary decoding and validation, in MB/s of code section.
// Usage: build/bench/bench_frontend [--benchmark_filter=...] [module.wasm ...]
// Without arguments it measures the sightglass programs under MYRT_BENCH_WASM (gcc-loops, bz2, pulldown-cmark, ...).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "runtime/binary/decoder.h"
#include "runtime/valid/validator.h"

namespace {

std::vector<uint8_t> readFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

uint64_t codeSectionBytes(const myrt::Module& m) {
  for (const auto& s : m.sections)
    if (s.id == 10) return s.size;
  return 0;
}

void registerModule(const std::string& label, const std::string& path) {
  std::vector<uint8_t> bytes = readFile(path);
  if (bytes.empty()) {
    std::fprintf(stderr, "bench_frontend: cannot read %s\n", path.c_str());
    return;
  }
  auto probe = myrt::decodeModule(bytes);
  if (!probe) {
    std::fprintf(stderr, "bench_frontend: %s: %s\n", path.c_str(), probe.error().toString().c_str());
    return;
  }
  uint64_t code = codeSectionBytes(*probe);
  benchmark::RegisterBenchmark(("decode/" + label).c_str(), [bytes, code](benchmark::State& st) {
    for (auto _ : st) {
      auto m = myrt::decodeModule(bytes);
      benchmark::DoNotOptimize(m.ok());
    }
    st.SetBytesProcessed(static_cast<int64_t>(st.iterations() * code));
  })->Unit(benchmark::kMillisecond);
  auto shared = std::make_shared<myrt::Module>(std::move(probe.value()));
  benchmark::RegisterBenchmark(("validate/" + label).c_str(), [shared, code](benchmark::State& st) {
    for (auto _ : st) {
      auto s = myrt::validateModule(*shared);
      if (!s) st.SkipWithError(s.error().toString().c_str());
    }
    st.SetBytesProcessed(static_cast<int64_t>(st.iterations() * code));
  })->Unit(benchmark::kMillisecond);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (argc > 1) {
    for (int i = 1; i < argc; ++i) registerModule(argv[i], argv[i]);
  } else {
    const std::string base = std::string(MYRT_BENCH_WASM) + "/sightglass/";
    for (const char* name : {"gcc-loops", "bz2", "pulldown-cmark", "spidermonkey", "rust-json"})
      registerModule(name, base + name + "/benchmark.wasm");
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
