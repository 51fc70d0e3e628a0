// runtime/text/wast_values.cpp -- numeric constants of WAST scripts (invoke arguments, expected results, v128 lanes).
// Layer: text. Thin adapters over the shared literal parsers (runtime/text/literals.h) so that scripts and modules
// agree on what a literal means.
#include "runtime/text/literals.h"
#include "runtime/text/wast_internal.h"

namespace myrt::wast {

namespace {
template <typename T>
std::optional<uint64_t> bits(Result<T> r) {
  if (!r.ok()) return std::nullopt;
  return static_cast<uint64_t>(r.value());
}
}  // namespace

std::optional<uint64_t> parseScalar(ValKind type, std::string_view text) {
  switch (type) {
    case ValKind::I32: return bits(parseI32(text));
    case ValKind::I64: return bits(parseI64(text));
    case ValKind::F32: return bits(parseF32Bits(text));
    case ValKind::F64: return bits(parseF64Bits(text));
    default: return std::nullopt;
  }
}

std::optional<uint64_t> parseLane(V128Shape shape, std::string_view text) {
  switch (shape) {
    case V128Shape::I8x16: return bits(parseI8(text));
    case V128Shape::I16x8: return bits(parseI16(text));
    case V128Shape::I32x4: return bits(parseI32(text));
    case V128Shape::I64x2: return bits(parseI64(text));
    case V128Shape::F32x4: return bits(parseF32Bits(text));
    case V128Shape::F64x2: return bits(parseF64Bits(text));
  }
  return std::nullopt;
}

}  // namespace myrt::wast
