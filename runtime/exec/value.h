// runtime/exec/value.h -- the runtime value representation shared by every tier: a 16-byte untyped slot.
// Layer: exec (depends only on the standard library). Types are known statically (validation), so a slot carries no
// tag: i32/i64 as unsigned integers, f32/f64 as IEEE floats, v128 as 16 bytes in lane order (the V128 type of
// semantics/numeric_simd.h has the same layout), references as pointers: funcref -> FuncInst*, struct/array -> GcObject*,
// i31 -> a tagged pointer (bit 0 set), externref -> ExternRefObject* (or a converted any reference), exnref ->
// ExnObject*; nullptr is the null reference of every heap type (see store.h).
// Frames of the interpreter, the JIT's spill slots, globals and host-call argument buffers are arrays of Value.
#pragma once
#include <cstdint>
#include <cstring>

namespace myrt {

// A reference value: pointer to a store-owned object, or nullptr for null.
using Ref = void*;

// A 16-byte untyped value slot. Writing one member and reading another of the same width (reinterpretation) is
// supported by GCC and Clang (union type punning); tiers rely on that only for same-size bit views.
union alignas(16) Value {
  uint32_t i32;
  uint64_t i64;
  float f32;
  double f64;
  Ref ref;
  uint8_t v128[16];  // v128 lanes in wasm order (semantics/numeric_simd.h's V128 has the same layout)

  Value() : v128{} {}
  static Value fromI32(uint32_t v) { Value x; x.i32 = v; return x; }
  static Value fromI64(uint64_t v) { Value x; x.i64 = v; return x; }
  static Value fromF32(float v) { Value x; x.f32 = v; return x; }
  static Value fromF64(double v) { Value x; x.f64 = v; return x; }
  static Value fromF32Bits(uint32_t bits) { return fromI32(bits); }
  static Value fromF64Bits(uint64_t bits) { return fromI64(bits); }
  static Value fromRef(Ref r) { Value x; x.ref = r; return x; }
  static Value fromV128Bytes(const uint8_t* b) { Value x; std::memcpy(x.v128, b, 16); return x; }
};
static_assert(sizeof(Value) == 16, "Value must be a 16-byte slot");

}  // namespace myrt
