// cli/bench_module.cpp -- the `bench` host module that sightglass benchmark programs import (`bench.start` and
// `bench.end`, both [] -> [], called once around the measured part), provided by `myrt run --bench`.
// Layer: cli (uses runtime/exec). The figure is wall time on the steady clock; `myrt run` prints it to stderr after
// the program has finished, so the guest's own output is unchanged.
#include <chrono>
#include <cstdio>

#include "cli/cli.h"
#include "runtime/exec/engine.h"

namespace myrt::cli {

namespace {
uint64_t nowNs() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}
}  // namespace

std::string BenchTimer::report() const {
  if (!startNs) return "myrt: bench: bench.start was not called";
  if (!endNs) return "myrt: bench: bench.end was not called after bench.start";
  char buf[96];
  std::snprintf(buf, sizeof buf, "myrt: bench: %.3f ms between bench.start and bench.end",
                static_cast<double>(*endNs - *startNs) / 1e6);
  return buf;
}

Instance* addBenchModule(Store& store, BenchTimer& timer) {
  Instance* inst = store.newInstance();
  inst->name = "bench";
  auto add = [&](const char* name, bool isStart) {
    CompositeType ft;
    ft.kind = CompKind::Func;
    FuncInst* f = store.newHostFunc(std::move(ft), [&timer, isStart](ExecContext&, std::span<const Value>,
                                                                     std::span<Value>) {
      if (isStart) {
        if (!timer.startNs) timer.startNs = nowNs();
      } else if (timer.startNs && !timer.endNs) {
        timer.endNs = nowNs();
      }
      return TrapReason::None;
    });
    inst->funcs.push_back(f);
    inst->exports.emplace(name, Extern::of(f));
  };
  add("start", true);
  add("end", false);
  store.registered["bench"] = inst;
  return inst;
}

}  // namespace myrt::cli
