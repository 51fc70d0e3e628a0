// bench/component/component_bench.cpp -- component calls across the Canonical ABI, embedder -> guest, on every tier:
// local:bench/calls#len(string of 64 bytes) and #sum(list of 16 records) from calls.wasm; prints calls/s. The jco
// counterpart is node_calls.mjs (same component, same arguments). Usage: component_bench CALLS.wasm [SECONDS].
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "runtime/component/instance.h"
#include "engine/tiers.h"

using namespace myrt;
using namespace myrt::component;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: component_bench CALLS.wasm [SECONDS]\n");
    return 2;
  }
  const double seconds = argc > 2 ? std::atof(argv[2]) : 2.0;
  std::ifstream in(argv[1], std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto comp = loadComponent(bytes);
  if (!comp) {
    std::fprintf(stderr, "%s\n", comp.error().toString().c_str());
    return 1;
  }
  const Val str = Val::string(std::string(64, 'x'));
  std::vector<Val> pts;
  for (int i = 0; i < 16; ++i) pts.push_back(Val::record({Val::s32(i), Val::s32(-2 * i)}));
  const Val list = Val::list(pts);
  for (Tier t : availableTiers()) {
    auto store = std::move(makeStore(t).value());
    Linker linker;
    auto inst = instantiate(*store, *comp, linker);
    if (!inst) {
      std::fprintf(stderr, "%s\n", inst.error().toString().c_str());
      return 1;
    }
    auto measure = [&](const char* name, const char* fn, const Val& arg, uint64_t expect) {
      ComponentFunc* f = findFunc(**inst, "local:bench/calls", fn);
      Val r;
      for (int i = 0; i < 20000; ++i)  // warm up (and tier up on auto)
        if (!call(*store, *f, {&arg, 1}, &r).ok() || r.bits != expect) {
          std::fprintf(stderr, "%s: wrong result\n", name);
          std::exit(1);
        }
      uint64_t n = 0;
      const auto t0 = std::chrono::steady_clock::now();
      const auto end = t0 + std::chrono::duration<double>(seconds);
      auto now = t0;
      while (now < end) {
        for (int i = 0; i < 1000; ++i) (void)call(*store, *f, {&arg, 1}, &r).ok();
        n += 1000;
        now = std::chrono::steady_clock::now();
      }
      const double secs = std::chrono::duration<double>(now - t0).count();
      std::printf("%-6s %-18s %12.0f calls/s\n", tierName(t), name, double(n) / secs);
    };
    measure("len(string)", "len", str, 64);
    measure("sum(list<record>)", "sum", list, uint64_t(-120));
  }
  return 0;
}
