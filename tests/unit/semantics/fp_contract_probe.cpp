// tests/unit/semantics/fp_contract_probe.cpp -- a*b+c written with the shared numeric operators, in a translation unit
// that the build compiles with FMA instructions available (-mfma on x86-64; AArch64 always has them), so that a
// compiler allowed to contract (-ffp-contract=fast/on) would fuse the two operations here. fp_contract_test.cpp checks
// that it did not: the project builds with -ffp-contract=off (CMakeLists.txt).
#include "runtime/semantics/numeric.h"

namespace myrt::test {

// Not inlined into the test, so the operands are run-time values (constant folding never fuses).
[[gnu::noinline]] double probeMulAddF64(double a, double b, double c) { return num::F64Add(num::F64Mul(a, b), c); }
[[gnu::noinline]] float probeMulAddF32(float a, float b, float c) { return num::F32Add(num::F32Mul(a, b), c); }
[[gnu::noinline]] double probeMulSubF64(double a, double b, double c) { return num::F64Sub(num::F64Mul(a, b), c); }

}  // namespace myrt::test
