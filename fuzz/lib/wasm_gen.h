// fuzz/lib/wasm_gen.h -- turns arbitrary bytes into a VALID wasm module (WAT text) plus a list of invocations, for
// differential testing of the execution tiers (fuzz/diff_tiers.cpp, tests/unit/exec/differential_test.cpp).
// Layer: fuzz (depends on exec's Value only; the module is text so a finding is a readable regression test).
//
// The modules use i32/i64/f32/f64 arithmetic, comparisons and conversions (trapping and saturating), locals, globals,
// blocks/ifs with results, bounded loops, br/br_if/br_table (with values), return, unreachable, direct calls and
// call_indirect (callees only ever have a higher index: no recursion), loads/stores of every width with in-bounds,
// boundary and out-of-bounds addresses and offsets, memory.size/grow/fill/copy and a data segment, and SIMD: v128
// expressions (constants, splats, every load form and load lanes, integer/bitwise/compare/shift/shuffle/swizzle/
// narrow/extend/extmul/dot ops, float arithmetic, conversions, some relaxed ops) consumed by lane extracts, any/all_true,
// bitmask and v128 stores / store lanes.
// Termination: an exported mutable global "budget" is decremented at every function entry and loop back-edge; a
// function entered with budget <= 0 returns zeros at once, and a loop exits when its counter or the budget runs out.
//
// NaNs: the spec lets arithmetic produce any NaN (canonical or arithmetic, either sign), so the tiers may legally
// differ. In `canonicalNaNs` mode every result of a NaN-nondeterministic operator is replaced by the positive
// canonical NaN when it is a NaN, so every observable bit (results, memory, globals) must agree exactly; otherwise
// the module never stores floats, reinterprets them or uses copysign, and float results/globals are compared
// NaN-aware (both NaNs quiet counts as equal; see differential.h).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/exec/value.h"

namespace myrt::fuzz {

enum class GenType : uint8_t { I32, I64, F32, F64 };

struct GenCall {
  std::string exportName;
  std::vector<Value> args;
};

struct GeneratedModule {
  std::string wat;
  bool canonicalNaNs = true;
  std::vector<GenCall> calls;       // run in this order on each tier
  uint32_t budget = 400;            // value the runner stores in global "budget" before each call
};

GeneratedModule generateModule(const uint8_t* data, size_t size);

// The deterministic input bytes of generated module number `seed` (64 to 2,111 bytes, xorshift): what
// tests/unit/exec/differential_test.cpp and the standalone loop fuzz/diff_tiers_loop.cpp feed generateModule.
std::vector<uint8_t> pseudoRandomBytes(uint64_t seed);

}  // namespace myrt::fuzz
