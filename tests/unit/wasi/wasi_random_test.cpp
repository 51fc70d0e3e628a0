// tests/unit/wasi/wasi_random_test.cpp -- robustness: every WASI function (except proc_exit, poll_oneoff, which may
// legitimately wait, and fd_allocate, which could reserve real disk space) called many times with random arguments
// (small numbers, fds, pointers near the end of memory, random 32/64-bit values) over guest memory seeded with
// path-like strings, under a preopen inside a temporary directory. The host must never crash (run it under
// ASan/UBSan), every result must be a valid errno, and nothing beside the preopen may change.
// Layer: tests (wasi/p1 through its host instance).
#include <random>

#include <catch2/catch.hpp>

#include "tests/unit/wasi/wasi_harness.h"

using namespace myrt;
using namespace myrt::wasitest;

namespace {

void randomCalls(wasi::Resolver resolver, uint64_t seed) {
  wasi::setResolver(resolver);
  struct Reset {
    ~Reset() { wasi::setResolver(wasi::Resolver::Auto); }
  } reset;
  TempDir t;
  fs::path box = t / "box";
  fs::create_directory(box);
  t.write("outside", "keep");
  t.write("box/f", "data");
  fs::create_directory(box / "d");
  fs::create_symlink("..", box / "up");
  fs::create_symlink("/tmp", box / "abs");
  wasi::WasiConfig cfg;
  cfg.stdinFd = -1;
  cfg.stdoutFd = -1;
  cfg.stderrFd = -1;
  cfg.args = {"prog", "x"};
  cfg.env = {{"A", "b"}};
  cfg.preopens.push_back({box.string(), "/", false});
  cfg.preopens.push_back({(box / "d").string(), "/ro", true});
  Wasi w(cfg);
  REQUIRE(w.ok());

  std::mt19937_64 rng(seed);
  const char* paths[] = {"f", "d", "d/x", "..", "../outside", "up/outside", "abs", "abs/x", "new", "d/..", "/",
                         ".", "f/", "d/", "nested/a/b", "up", "x\0y"};
  auto seedMemory = [&] {
    for (uint32_t i = 0; i < 65536; i += 8) w.put64(i, rng());
    // Path strings at 0x1000 + 64*k, iovecs pointing into memory at 0x3000.
    for (size_t k = 0; k < sizeof paths / sizeof paths[0]; ++k) w.put(0x1000 + uint32_t(k) * 64, paths[k]);
    for (uint32_t k = 0; k < 8; ++k) {
      w.put32(0x3000 + k * 8, 0x4000 + k * 256);
      w.put32(0x3000 + k * 8 + 4, uint32_t(rng() % 300));
    }
  };
  auto pick = [&](bool is64) -> Value {
    switch (rng() % 8) {
      case 0: return is64 ? I64(rng() % 4) : I32(uint32_t(rng() % 8));  // small numbers, fds, flags
      case 1: return I32(0x1000 + uint32_t(rng() % 17) * 64);         // a path string
      case 2: return I32(uint32_t(rng() % 18));                       // a path length
      case 3: return I32(0x3000);                                     // iovecs
      case 4: return I32(65536 - uint32_t(rng() % 80));               // near the end of memory
      case 5: return is64 ? I64(rng()) : I32(uint32_t(rng()));
      case 6: return I32(0x5000 + uint32_t(rng() % 0x1000));           // a result pointer
      default: return is64 ? I64(uint64_t(rng() % 0x10000)) : I32(uint32_t(rng() % 0x10000));
    }
  };
  std::vector<std::pair<std::string, FuncInst*>> fns;
  for (auto& [name, ext] : w.host->exports)
    if (name != "proc_exit" && name != "poll_oneoff" && name != "fd_allocate" && ext.kind == ExternKind::Func)
      fns.emplace_back(name, ext.func);
  std::sort(fns.begin(), fns.end());
  REQUIRE(fns.size() == 43);
  int calls = 0, successes = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    if (iter % 500 == 0) seedMemory();
    auto& [name, f] = fns[rng() % fns.size()];
    std::vector<Value> args;
    for (ValType p : f->type->params) args.push_back(pick(p.kind == ValKind::I64));
    std::vector<Value> res(1);
    InvokeResult r = invoke(*w.store, f, args, res);
    REQUIRE(r.ok());
    INFO(name);
    REQUIRE(res[0].i32 <= 76);  // a WASI errno
    ++calls;
    if (res[0].i32 == 0) ++successes;
  }
  CHECK(calls == 20000);
  CHECK(successes > 100);
  CHECK(readHostFile(t / "outside") == "keep");
  std::vector<std::string> top;
  for (auto& e : fs::directory_iterator(t.path)) top.push_back(e.path().filename().string());
  std::sort(top.begin(), top.end());
  CHECK(top == std::vector<std::string>{"box", "outside"});
}

}  // namespace

TEST_CASE("wasi: random calls never crash the host nor escape the preopen (openat2)", "[wasi]") {
  randomCalls(wasi::Resolver::Auto, 12345);
}

TEST_CASE("wasi: random calls never crash the host nor escape the preopen (component walk)", "[wasi]") {
  randomCalls(wasi::Resolver::Walk, 67890);
}
