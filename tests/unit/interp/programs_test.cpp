// tests/unit/interp/programs_test.cpp -- runs compiler-generated programs (the sightglass shootout kernels from
// ../shared/bench-wasm) on the execution tiers with a minimal WASI preview1 stub (fd_write to a buffer, proc_exit,
// no args/environ, everything else ENOSYS) and compares stdout with the expected output. Hidden ("[.programs]"):
// some kernels run for seconds in an interpreter. The real WASI implementation lives in wasi/.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/unit/exec/exec_harness.h"

using namespace myrt;
using namespace myrt::test;

namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct ProgramRun {
  std::string stdoutText, error;
  int exitCode = -1;
};

ProgramRun runProgram(const ExecTier& tier, const std::string& wasmPath) {
  ProgramRun run;
  const std::string bytes = readFile(wasmPath);
  auto mod = decodeModule(std::vector<uint8_t>(bytes.begin(), bytes.end()));
  if (!mod.ok()) return run.error = "decode: " + mod.error().message, run;
  if (Status v = validateModule(*mod); !v.ok()) return run.error = "validate: " + v.error().message, run;
  auto module = std::make_shared<const Module>(std::move(mod.value()));
  auto store = tier.makeStore(StoreLimits{});
  std::vector<Extern> imports;
  for (const Import& imp : module->imports) {
    if (imp.kind != ExternKind::Func) return run.error = "unsupported import kind", run;
    const CompositeType ft = module->funcType(imp.index);
    const std::string name = imp.name;
    const bool wasi = imp.module == "wasi_snapshot_preview1";
    FuncInst* f = store->newHostFunc(ft, [&run, name, wasi](ExecContext& cx, std::span<const Value> a,
                                                            std::span<Value> r) -> TrapReason {
      auto mem = [&]() -> MemoryInst* { return cx.caller ? cx.caller->data.memory0 : nullptr; };
      auto u32At = [&](uint32_t addr, uint32_t& out) {
        MemoryInst* m = mem();
        if (!m || !m->inBounds(addr, 4)) return false;
        std::memcpy(&out, m->base + addr, 4);
        return true;
      };
      auto putU32 = [&](uint32_t addr, uint32_t v) {
        MemoryInst* m = mem();
        if (!m || !m->inBounds(addr, 4)) return false;
        std::memcpy(m->base + addr, &v, 4);
        return true;
      };
      uint32_t errnoVal = 52;  // ENOSYS
      if (!wasi) {
        errnoVal = 0;  // bench.start / bench.end
      } else if (name == "proc_exit") {
        run.exitCode = static_cast<int>(a[0].i32);
        return cx.hostTrap("exit");
      } else if (name == "fd_write") {
        uint32_t fd = a[0].i32, iovs = a[1].i32, n = a[2].i32, total = 0;
        for (uint32_t i = 0; i < n; ++i) {
          uint32_t p, len;
          if (!u32At(iovs + 8 * i, p) || !u32At(iovs + 8 * i + 4, len) || !mem()->inBounds(p, len))
            return TrapReason::MemoryOutOfBounds;
          if (fd == 1) run.stdoutText.append(reinterpret_cast<const char*>(mem()->base + p), len);
          total += len;
        }
        putU32(a[3].i32, total);
        errnoVal = 0;
      } else if (name == "args_sizes_get" || name == "environ_sizes_get") {
        putU32(a[0].i32, 0);
        putU32(a[1].i32, 0);
        errnoVal = 0;
      } else if (name == "args_get" || name == "environ_get") {
        errnoVal = 0;
      } else if (name == "fd_fdstat_get" || name == "fd_close" || name == "fd_seek") {
        errnoVal = 8;  // EBADF
      }
      if (!r.empty()) r[0] = Value::fromI32(errnoVal);
      return TrapReason::None;
    });
    imports.push_back(Extern::of(f));
  }
  auto inst = instantiate(*store, module, imports);
  if (!inst.ok()) return run.error = "instantiate: " + inst.error().message, run;
  FuncInst* start = findExportedFunc(**inst, "_start");
  if (!start) return run.error = "no _start", run;
  InvokeResult r = invoke(*store, start, {}, {});
  if (r.trap && !(r.trap->message == "exit")) return run.error = "trap: " + r.trap->toString(), run;
  if (!r.trap) run.exitCode = 0;
  return run;
}

}  // namespace

TEST_CASE("programs: sightglass shootout kernels produce the expected output", "[.programs]") {
  const std::string dir = std::string(MYRT_SOURCE_DIR) + "/../shared/bench-wasm/sightglass/shootout";
  if (!std::filesystem::exists(dir)) return;
  const char* const kernels[] = {"base64", "ctype", "ed25519", "fib2", "gimli", "heapsort", "keccak", "matrix",
                                 "memmove", "minicsv", "nestedloop", "random", "ratelimit", "seqhash", "sieve",
                                 "switch", "xblabla20", "xchacha20"};
  for (const ExecTier& tier : tiers()) {
    const char* only = std::getenv("MYRT_KERNELS");  // e.g. MYRT_KERNELS=sieve,fib2
    for (const char* k : kernels) {
      if (only && std::string(",") .append(only).append(",").find(std::string(",") + k + ",") == std::string::npos) continue;
      const std::string base = dir + "/shootout-" + k;
      if (!std::filesystem::exists(base + ".wasm")) continue;
      auto t0 = std::chrono::steady_clock::now();
      ProgramRun run = runProgram(tier, base + ".wasm");
      auto t1 = std::chrono::steady_clock::now();
      std::printf("%s %-10s %8.0f ms %s\n", tier.name.c_str(), k, std::chrono::duration<double, std::milli>(t1 - t0).count(),
                  run.error.c_str());
      std::fflush(stdout);
      INFO(tier.name << " " << k << ": " << run.error);
      CHECK(run.error.empty());
      CHECK(run.exitCode == 0);
      if (std::filesystem::exists(base + ".stdout.expected")) CHECK(run.stdoutText == readFile(base + ".stdout.expected"));
    }
  }
}
