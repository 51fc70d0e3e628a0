// bench/density.cpp -- instance density: how many one-page instances one process holds and what instantiation costs.
//   density [N] [--reservation BYTES] [--tier interp|jit|auto] [--stores]
// Instantiates a module with one 64 KiB memory (and a function touching it) N times -- into one store, or with
// --stores one store per instance (a serverless host's shape; the value stack is then 64 KiB per store) -- until N or
// the first failure, then prints the count, the wall time per instantiation, RSS and the number of mappings. Every
// 1000th instance runs its function (so code and memory are really used). Figures: docs/performance.md.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "runtime/binary/decoder.h"
#include "runtime/exec/engine.h"
#include "runtime/text/wat.h"
#include "engine/tiers.h"
#include "runtime/valid/validator.h"

using namespace myrt;

namespace {

constexpr const char* kWat = R"((module
  (memory (export "memory") 1)
  (func (export "touch") (param i32) (result i32)
    (i32.store (local.get 0) (i32.add (i32.load (local.get 0)) (i32.const 1)))
    (i32.load (local.get 0)))))";

long statusKb(const char* key) {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind(key, 0) == 0) return std::atol(line.c_str() + std::strlen(key));
  return -1;
}

long mappings() {
  std::ifstream f("/proc/self/maps");
  std::string line;
  long n = 0;
  while (std::getline(f, line)) ++n;
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t n = 100000, reservation = 0;
  bool perStore = false;
  Tier tier = Tier::Interp;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--reservation" && i + 1 < argc) reservation = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--stores") perStore = true;
    else if (a == "--tier" && i + 1 < argc) {
      auto t = parseTier(argv[++i]);
      if (!t.ok()) {
        std::fprintf(stderr, "density: unknown tier %s\n", argv[i]);
        return 2;
      }
      tier = *t;
    } else n = std::strtoull(a.c_str(), nullptr, 10);
  }
  auto bin = watToBinary(kWat);
  auto mod = decodeModule(std::move(bin.value()));
  if (!mod.ok() || !validateModule(*mod).ok()) return 1;
  auto module = std::make_shared<const Module>(std::move(*mod));
  StoreLimits limits;
  limits.memoryReservation = reservation;
  limits.maxMemoryBytes = ~uint64_t(0) >> 1;
  if (perStore) limits.valueStackSlots = 4096;  // 64 KiB
  std::vector<std::unique_ptr<Store>> stores;
  auto newStore = [&]() -> bool {
    auto s = makeStore(tier, limits);
    if (!s.ok()) return false;
    stores.push_back(std::move(s.value()));
    return true;
  };
  if (!perStore && !newStore()) return 1;
  const long rss0 = statusKb("VmRSS:");
  const auto t0 = std::chrono::steady_clock::now();
  uint64_t made = 0;
  std::string failure;
  for (; made < n; ++made) {
    if (perStore && !newStore()) {
      failure = "store creation failed";
      break;
    }
    Store& st = *stores.back();
    auto inst = instantiate(st, module, {});
    if (!inst.ok()) {
      failure = inst.error().message;
      break;
    }
    if (made % 1000 == 0) {
      Value io[1] = {Value::fromI32(static_cast<uint32_t>(made % 60000))};
      InvokeResult r = invoke(st, findExportedFunc(**inst, "touch"), std::span<const Value>(io, 1), std::span<Value>(io, 1));
      if (r.trap || io[0].i32 != 1) {
        failure = "touch failed";
        break;
      }
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("instances: %llu of %llu (%s, tier %s, reservation %s)%s%s\n", static_cast<unsigned long long>(made),
              static_cast<unsigned long long>(n), perStore ? "one store each" : "one store", tierName(tier),
              reservation ? std::to_string(reservation).c_str() : "default", failure.empty() ? "" : "; stopped: ",
              failure.c_str());
  std::printf("instantiate: %.2f us each (%.3f s in all)\n", made ? secs * 1e6 / double(made) : 0.0, secs);
  std::printf("RSS: %+ld KiB (%.1f KiB per instance); mappings: %ld; VmSize: %ld MiB\n", statusKb("VmRSS:") - rss0,
              made ? double(statusKb("VmRSS:") - rss0) / double(made) : 0.0, mappings(), statusKb("VmSize:") / 1024);
  return failure.empty() ? 0 : 1;
}
