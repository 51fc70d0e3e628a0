// bench/macro_runner.cpp -- runs one macro workload (bench/workloads/*.c built to .wasm) on the interpreter through the
// engine API and times it; also measures lowering throughput and the memory cost of an instance.
//
//   macro_runner [--tier interp|jit|auto] [--repeat N] [--expect CHECKSUM] [--no-guard] FILE.wasm
//       decode, validate, instantiate on the tier's store (default interp), invoke the export `run` (() -> i32) N times (default
//       1); --no-guard: StoreLimits::guardPages=false (explicit bounds checks instead of guard pages); prints one line:
//         checksum=<u32> seconds=<best of N> first=<seconds of call 1> lower_mbps=<MB/s> rss_instance_kb=<KB>
//         rss_run_kb=<KB>
//       exit code 1 if the checksum differs from --expect (the native build's checksum), it traps, or fails to load.
//   macro_runner --lower FILE.wasm...
//       lowering throughput only, for any module: imports are satisfied by stubs (functions that trap, fresh memories,
//       tables and globals); prints MB/s of code section lowered per module.
//   macro_runner --compile [--rounds N] FILE.wasm...
//       baseline JIT compile throughput (one core): every defined function compiled, repeated for >= 0.2 s (or exactly
//       N times: a fixed amount of work for instruction counts under valgrind); prints MB/s of code section and of
//       function bodies, the function / fallback counts and machine code bytes.
//   macro_runner --compile-jobs N1,N2,... [--rounds R] FILE.wasm...
//       the JIT tier's whole instance compile (compile on N threads, link, executable block: jit::compiledBytes) for
//       each N in turn, R rounds (default 5) interleaved; prints the best seconds per N and each one's ratio to the
//       first N's, and fails if the code differs between N (it must be identical).
//   macro_runner --dump FILE.wasm [FUNC]
//       prints the lowered interpreter code of function FUNC (default: every defined function) one internal op per
//       line, and a static histogram of ops per module: a diagnostic for profiling the interpreter (which ops the hot
//       loops of a workload become). Ops are found by their handler addresses in the code stream.
//
// Lowering: the engine lowers a function lazily on its first call and has no public lower-all API, so this uses the
// interpreter's internal lowerFunction() (runtime/interp/code.h) on every defined function of a fresh instance,
// repeated until at least 0.2 s have passed. MB/s are of code section bytes (same unit as bench_frontend).
// RSS: resident set from /proc/self/statm; rss_instance_kb = growth across instantiate() (memory, tables, globals,
// instance data), rss_run_kb = further growth across the calls (lowered code, touched linear memory and value stack).
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include "runtime/binary/decoder.h"
#include "runtime/exec/engine.h"
#include "runtime/interp/code.h"
#include "jit/jit.h"
#include "runtime/interp/interp.h"
#include "engine/tiers.h"
#include "runtime/valid/validator.h"

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

long rssKb() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  long size = 0, resident = 0;
  int n = std::fscanf(f, "%ld %ld", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

bool readFile(const std::string& path, std::vector<uint8_t>& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  out.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return true;
}

uint64_t codeSectionBytes(const myrt::Module& m) {
  for (const auto& s : m.sections)
    if (s.id == 10) return s.size;
  return 0;
}

// Decodes and validates; prints the error and returns nullptr on failure.
std::shared_ptr<const myrt::Module> load(const std::string& path) {
  std::vector<uint8_t> bytes;
  if (!readFile(path, bytes) || bytes.empty()) {
    std::fprintf(stderr, "macro_runner: cannot read %s\n", path.c_str());
    return nullptr;
  }
  auto m = myrt::decodeModule(std::move(bytes));
  if (!m) {
    std::fprintf(stderr, "macro_runner: %s: %s\n", path.c_str(), m.error().toString().c_str());
    return nullptr;
  }
  auto v = myrt::validateModule(*m);
  if (!v) {
    std::fprintf(stderr, "macro_runner: %s: %s\n", path.c_str(), v.error().toString().c_str());
    return nullptr;
  }
  return std::make_shared<const myrt::Module>(std::move(m.value()));
}

// Imports satisfied by stubs: functions trap when called, memories/tables/globals are fresh objects of the imported type.
bool stubImports(myrt::Store& store, const myrt::Module& m, std::vector<myrt::Extern>& out) {
  for (const auto& imp : m.imports) {
    switch (imp.kind) {
      case myrt::ExternKind::Func: {
        myrt::CompositeType t = m.funcType(imp.index);
        out.push_back(myrt::Extern::of(store.newHostFunc(
            std::move(t), [](myrt::ExecContext& cx, std::span<const myrt::Value>, std::span<myrt::Value>) {
              return cx.hostTrap("stub import called");
            })));
        break;
      }
      case myrt::ExternKind::Memory: {
        auto mem = store.newMemory(m.memories[imp.index].type);
        if (!mem) return false;
        out.push_back(myrt::Extern::of(*mem));
        break;
      }
      case myrt::ExternKind::Table: {
        auto t = store.newTable(m.tables[imp.index].type, myrt::Ref{});
        if (!t) return false;
        out.push_back(myrt::Extern::of(*t));
        break;
      }
      case myrt::ExternKind::Global:
        out.push_back(myrt::Extern::of(store.newGlobal(m.globals[imp.index].type, myrt::Value{})));
        break;
      default:
        return false;
    }
  }
  return true;
}

// Lowers every defined function of `inst` repeatedly for at least 0.2 s; returns MB/s of code section (0 on error).
double lowerThroughput(myrt::Instance& inst, const myrt::Module& m, const std::string& path) {
  uint64_t bytes = codeSectionBytes(m);
  uint64_t passes = 0;
  auto t0 = Clock::now();
  double elapsed = 0;
  do {
    for (uint32_t i = m.numImportedFuncs; i < m.funcs.size(); ++i) {
      auto code = myrt::interp::lowerFunction(inst, i);
      if (!code) {
        std::fprintf(stderr, "macro_runner: %s: lowering func %u: %s\n", path.c_str(), i,
                     code.error().toString().c_str());
        return 0;
      }
    }
    ++passes;
    elapsed = secondsSince(t0);
  } while (elapsed < 0.2);
  return static_cast<double>(bytes) * static_cast<double>(passes) / elapsed / 1e6;
}

int lowerOnly(int argc, char** argv, int first) {
  int status = 0;
  for (int i = first; i < argc; ++i) {
    auto m = load(argv[i]);
    if (!m) { status = 1; continue; }
    auto store = myrt::makeInterpreterStore();
    std::vector<myrt::Extern> imports;
    if (!stubImports(*store, *m, imports)) {
      std::fprintf(stderr, "macro_runner: %s: cannot stub its imports\n", argv[i]);
      status = 1;
      continue;
    }
    auto inst = myrt::instantiate(*store, m, imports);
    if (!inst) {
      std::fprintf(stderr, "macro_runner: %s: %s\n", argv[i], inst.error().toString().c_str());
      status = 1;
      continue;
    }
    double mbps = lowerThroughput(**inst, *m, argv[i]);
    if (mbps == 0) status = 1;
    std::printf("%s code_bytes=%" PRIu64 " lower_mbps=%.1f\n", argv[i], codeSectionBytes(*m), mbps);
  }
  return status;
}

int dumpLowered(int argc, char** argv, int first) {
  if (first >= argc) return 2;
  auto m = load(argv[first]);
  if (!m) return 1;
  long only = first + 1 < argc ? std::atol(argv[first + 1]) : -1;
  auto store = myrt::makeInterpreterStore();
  std::vector<myrt::Extern> imports;
  if (!stubImports(*store, *m, imports)) return 1;
  auto inst = myrt::instantiate(*store, m, imports);
  if (!inst) return 1;
  const void* const* table = myrt::interp::handlerTable();
  std::vector<uint64_t> histogram(myrt::interp::kNumIOps);
  for (uint32_t f = m->numImportedFuncs; f < m->funcs.size(); ++f) {
    if (only >= 0 && f != static_cast<unsigned long>(only)) continue;
    auto code = myrt::interp::lowerFunction(**inst, f);
    if (!code) return 1;
    const std::vector<uint32_t>& c = (*code)->code;
    std::printf("func %u %s: %zu words, frame %u slots\n", f, m->funcName(f).c_str(), c.size(), (*code)->frameSize);
    for (size_t i = 0; i + 1 < c.size();) {
      const void* h;
      std::memcpy(&h, &c[i], sizeof h);
      unsigned op = 0;
      while (op < myrt::interp::kNumIOps && table[op] != h) ++op;
      if (op == myrt::interp::kNumIOps) {  // an operand word: belongs to the previous op
        std::printf(" %u", c[i]);
        ++i;
        continue;
      }
      ++histogram[op];
      std::printf("%s%5zu %s", i ? "\n" : "", i, myrt::interp::iopName(static_cast<myrt::interp::IOp>(op)));
      i += 2;
    }
    std::printf("\n");
  }
  std::printf("static op histogram:");
  for (unsigned op = 0; op < myrt::interp::kNumIOps; ++op)
    if (histogram[op]) std::printf(" %s=%" PRIu64, myrt::interp::iopName(static_cast<myrt::interp::IOp>(op)), histogram[op]);
  std::printf("\n");
  return 0;
}

// `--rounds N` at argv[first] (consumed), else `dflt`.
int roundsOption(int argc, char** argv, int& first, int dflt) {
  if (first + 1 < argc && std::strcmp(argv[first], "--rounds") == 0) {
    dflt = std::max(1, std::atoi(argv[first + 1]));
    first += 2;
  }
  return dflt;
}

bool requireJit() {
  if (myrt::jitAvailable()) return true;
  std::fprintf(stderr, "macro_runner: the JIT is not available on this machine\n");
  return false;
}

// Module `m` (from `path`) instantiated on `store` with stub imports (compile measurements); nullptr after saying why.
myrt::Instance* instantiateStubbed(myrt::Store& store, const std::shared_ptr<const myrt::Module>& m, const char* path) {
  std::vector<myrt::Extern> imports;
  if (!stubImports(store, *m, imports)) return nullptr;
  auto inst = myrt::instantiate(store, m, imports);
  if (!inst) {
    std::fprintf(stderr, "macro_runner: %s: %s\n", path, inst.error().toString().c_str());
    return nullptr;
  }
  return *inst;
}

// A module file loaded and instantiated with stub imports on its own interpreter store (compile measurements).
struct Stubbed {
  std::shared_ptr<const myrt::Module> module;
  std::unique_ptr<myrt::Store> store;
  myrt::Instance* instance = nullptr;  // nullptr after saying why
};
Stubbed loadStubbed(const char* path) {
  Stubbed s;
  s.module = load(path);
  s.store = myrt::makeInterpreterStore();
  s.instance = s.module ? instantiateStubbed(*s.store, s.module, path) : nullptr;
  return s;
}

// Baseline JIT compile throughput: every defined function of each module compiled repeatedly for at least 0.2 s;
// prints MB/s of code section (and of function bodies) compiled, on one core.
int compileOnly(int argc, char** argv, int first) {
  const int fixedRounds = roundsOption(argc, argv, first, 0);
  if (!requireJit()) return 1;
  for (int i = first; i < argc; ++i) {
    const Stubbed loaded = loadStubbed(argv[i]);
    if (!loaded.instance) return 1;
    const myrt::Module* m = loaded.module.get();
    myrt::Instance* inst = loaded.instance;
    myrt::jit::CompileStats st;
    int rounds = 0;
    auto t0 = Clock::now();
    do {
      st = myrt::jit::compileForMeasurement(*inst);
      ++rounds;
    } while (fixedRounds ? rounds < fixedRounds : secondsSince(t0) < 0.2);
    const double s = secondsSince(t0) / rounds;
    std::printf("%s code_bytes=%" PRIu64 " jit_mbps=%.1f body_mbps=%.1f functions=%" PRIu64 " fallbacks=%" PRIu64
                " machine_bytes=%" PRIu64 "\n",
                argv[i], codeSectionBytes(*m), codeSectionBytes(*m) / s / 1e6, st.bodyBytes / s / 1e6, st.functions,
                st.fallbacks, st.machineBytes);
  }
  return 0;
}

int usage();

// Whole-instance compile time per number of compile threads (same run, interleaved rounds, best of R).
int compileJobs(int argc, char** argv, int first) {
  std::vector<unsigned> jobs;
  for (const char* p = argv[first]; *p;) {
    char* end = nullptr;
    const unsigned long n = std::strtoul(p, &end, 10);
    if (end == p || n == 0 || n > 256) return usage();
    jobs.push_back(static_cast<unsigned>(n));
    p = *end == ',' ? end + 1 : end;
    if (*end && *end != ',') return usage();
  }
  ++first;
  const int rounds = roundsOption(argc, argv, first, 5);
  if (!requireJit()) return 1;
  for (int i = first; i < argc; ++i) {
    const Stubbed loaded = loadStubbed(argv[i]);
    if (!loaded.instance) return 1;
    const myrt::Module* m = loaded.module.get();
    myrt::Instance* inst = loaded.instance;
    std::vector<double> best(jobs.size(), 1e30);
    std::vector<uint8_t> reference;
    for (int r = 0; r < rounds; ++r) {
      for (size_t k = 0; k < jobs.size(); ++k) {
        const auto t0 = Clock::now();
        std::vector<uint8_t> code = myrt::jit::compiledBytes(*inst, jobs[k]);
        best[k] = std::min(best[k], secondsSince(t0));
        if (reference.empty()) reference = std::move(code);
        else if (code != reference) {
          std::fprintf(stderr, "macro_runner: %s: the code compiled on %u threads differs\n", argv[i], jobs[k]);
          return 1;
        }
      }
    }
    std::printf("%s code_bytes=%" PRIu64, argv[i], codeSectionBytes(*m));
    for (size_t k = 0; k < jobs.size(); ++k)
      std::printf(" j%u_s=%.4f j%u_ratio=%.2f", jobs[k], best[k], jobs[k], best[k] / best[0]);
    std::printf("\n");
  }
  return 0;
}

int usage() {
  std::fprintf(stderr, "usage: macro_runner [--tier interp|jit|auto] [--repeat N] [--expect CHECKSUM] [--no-guard] FILE.wasm\n"
                       "       macro_runner --compile [--rounds N] FILE.wasm...\n"
                       "       macro_runner --compile-jobs N1,N2,... [--rounds R] FILE.wasm...\n"
                       "       macro_runner --lower FILE.wasm...\n"
                       "       macro_runner --dump FILE.wasm [FUNC]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int repeat = 1;
  myrt::Tier tier = myrt::Tier::Interp;
  bool haveExpect = false;
  unsigned long expect = 0;
  myrt::StoreLimits limits;
  std::string path;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--lower") return lowerOnly(argc, argv, i + 1);
    if (a == "--compile") return compileOnly(argc, argv, i + 1);
    if (a == "--compile-jobs" && i + 2 < argc) return compileJobs(argc, argv, i + 1);
    if (a == "--tier" && i + 1 < argc) {
      auto t = myrt::parseTier(argv[++i]);
      if (!t) {
        std::fprintf(stderr, "macro_runner: %s\n", t.error().message.c_str());
        return 2;
      }
      tier = *t;
      continue;
    }
    if (a == "--dump") return dumpLowered(argc, argv, i + 1) == 2 ? usage() : 0;
    if (a == "--repeat" && i + 1 < argc) {
      repeat = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--expect" && i + 1 < argc) {
      haveExpect = true;
      expect = std::strtoul(argv[++i], nullptr, 10);
    } else if (a == "--no-guard") {
      limits.guardPages = false;
    } else if (!a.empty() && a[0] != '-' && path.empty()) {
      path = a;
    } else {
      return usage();
    }
  }
  if (path.empty()) return usage();

  auto m = load(path);
  if (!m) return 1;
  auto made = myrt::makeStore(tier, limits);
  if (!made) {
    std::fprintf(stderr, "macro_runner: %s\n", made.error().message.c_str());
    return 1;
  }
  auto store = std::move(made.value());
  long rss0 = rssKb();
  auto inst = myrt::instantiate(*store, m, {});
  if (!inst) {
    std::fprintf(stderr, "macro_runner: %s: %s\n", path.c_str(), inst.error().toString().c_str());
    return 1;
  }
  long rss1 = rssKb();
  myrt::FuncInst* run = myrt::findExportedFunc(**inst, "run");
  if (!run || run->numParams() != 0 || run->numResults() != 1) {
    std::fprintf(stderr, "macro_runner: %s: no export `run` of type [] -> [i32]\n", path.c_str());
    return 1;
  }

  double best = 1e30, first = 0;
  uint32_t checksum = 0;
  for (int r = 0; r < repeat; ++r) {
    myrt::Value result[1];
    auto t0 = Clock::now();
    myrt::InvokeResult res = myrt::invoke(*store, run, {}, result);
    double t = secondsSince(t0);
    if (!res.ok()) {
      std::fprintf(stderr, "macro_runner: %s: trap: %s\n", path.c_str(), res.trap->toString().c_str());
      return 1;
    }
    if (r == 0) first = t;
    if (r > 0 && result[0].i32 != checksum) {
      std::fprintf(stderr, "macro_runner: %s: checksum differs between calls (%u, %u)\n", path.c_str(), checksum,
                   result[0].i32);
      return 1;
    }
    checksum = result[0].i32;
    best = std::min(best, t);
  }
  long rss2 = rssKb();
  double mbps = lowerThroughput(**inst, *m, path);
  std::printf("checksum=%u seconds=%.6f first=%.6f lower_mbps=%.1f rss_instance_kb=%ld rss_run_kb=%ld\n", checksum,
              best, first, mbps, rss1 - rss0, rss2 - rss1);
  if (haveExpect && checksum != expect) {
    std::fprintf(stderr, "macro_runner: %s: checksum %u, expected %lu (native)\n", path.c_str(), checksum, expect);
    return 1;
  }
  return 0;
}
