// tests/unit/semantics/fp_contract_test.cpp -- WebAssembly rounds after every float operation: f64.mul then f64.add
// must not become one fused multiply-add. The probes (fp_contract_probe.cpp) are compiled with FMA available; with
// operands where the fused result differs from the twice-rounded one, a contracting build fails here.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>

namespace myrt::test {
double probeMulAddF64(double a, double b, double c);
float probeMulAddF32(float a, float b, float c);
double probeMulSubF64(double a, double b, double c);
}  // namespace myrt::test

namespace {

bool cpuHasFma() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("fma");
#else
  return true;  // AArch64: fused multiply-add is part of the base ISA
#endif
}

}  // namespace

TEST_CASE("float multiply then add rounds twice (no FMA contraction)", "[numeric]") {
  if (!cpuHasFma()) {
    WARN("this CPU has no FMA instructions: the probes are not run (the contraction could not happen on it)");
    return;
  }
  // a = 1 + 2^-52: a*a = 1 + 2^-51 + 2^-104 rounds to 1 + 2^-51, so a*a - (1 + 2^-51) is 0 when rounded twice and
  // 2^-104 when fused.
  const double a = 1.0 + 0x1p-52, c = 1.0 + 0x1p-51;
  CHECK(myrt::test::probeMulAddF64(a, a, -c) == 0.0);
  CHECK(myrt::test::probeMulSubF64(a, a, c) == 0.0);
  const float af = 1.0f + 0x1p-23f, cf = 1.0f + 0x1p-22f;
  CHECK(myrt::test::probeMulAddF32(af, af, -cf) == 0.0f);
}
