// Differential check of the execution tiers on generated modules (fuzz/lib): the same deterministic pseudo-random
// inputs the libFuzzer target (fuzz/diff_tiers.cpp) would turn into modules, run on the interpreter and the JIT, with
// guard pages and with explicit bounds checks, and on the auto tier with thresholds 1 and 7 (tier-up and on-stack
// replacement inside the first calls). Any difference in results, traps, memory or globals fails.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/lib/differential.h"
#include "fuzz/lib/wasm_gen.h"

using namespace myrt;
using namespace myrt::fuzz;

TEST_CASE("generated modules validate and behave the same on every tier", "[exec][differential]") {
  const auto configs = diffConfigs();
  REQUIRE(configs.size() >= 2);  // at least the interpreter with and without guard pages
  uint32_t withSimd = 0, calls = 0, traps = 0;
  for (uint64_t seed = 0; seed < 300; ++seed) {
    const auto bytes = pseudoRandomBytes(seed);
    const GeneratedModule gm = generateModule(bytes.data(), bytes.size());
    const DiffResult r = runDifferential(gm, configs);
    INFO("seed " << seed << "\n" << gm.wat);
    REQUIRE(r.invalid == "");
    REQUIRE(r.difference == "");
    withSimd += gm.wat.find("x16.") != std::string::npos || gm.wat.find("x8.") != std::string::npos ||
                gm.wat.find("x4.") != std::string::npos || gm.wat.find("x2.") != std::string::npos;
    calls += r.calls;
    traps += r.traps;
  }
  INFO(withSimd << " modules with SIMD ops, " << calls << " calls, " << traps << " traps");
  CHECK(withSimd >= 100);  // the generator's SIMD expressions are exercised, not only scalar code
  CHECK(traps < calls);
}

TEST_CASE("the differential runner reports a difference", "[exec][differential]") {
  // Same module, a NaN result: exact mode tells two NaN payloads apart, the NaN-aware mode does not.
  GeneratedModule gm;
  gm.wat = R"((module (memory 1) (global (mut i32) (i32.const 0)) (export "budget" (global 0)) (export "mem" (memory 0))
    (func (export "f0") (param f32) (result f32) (local.get 0))))";
  gm.calls.push_back({"f0", {Value::fromF32Bits(0x7fc00001)}});
  DiffConfig interp{Tier::Interp, true};
  REQUIRE(runDifferential(gm, {interp, interp}).ok());
  gm.canonicalNaNs = false;
  REQUIRE(runDifferential(gm, {interp, {Tier::Interp, false}}).ok());
  gm.wat = "(module (func))";
  REQUIRE(runDifferential(gm, {interp, interp}).invalid != "");
}
