// runtime/text/wat.h -- WebAssembly text format (WAT) -> binary encoding.
// Layer: text (depends on base, wasm). The text parser produces the binary format; the binary decoder then builds the
// Module, so there is exactly one path to a Module. Errors carry the byte offset into the text; use lineCol() to print.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/result.h"

namespace myrt {

// Parses one module: either `(module $id? field*)` or a bare sequence of module fields. Text-level errors use the
// reference interpreter's wording where one exists ("unexpected token", "unknown operator", "unknown type",
// "constant out of range", "alignment", "mismatching label", "inline function type", "duplicate func", ...).
Result<std::vector<uint8_t>> watToBinary(std::string_view text);

struct WatOptions {
  // WebAssembly 2.0 rules where 3.0 changed the text format: memory/table limits and memarg offsets are u32 and a larger
  // literal is malformed ("i32 constant out of range") instead of being encoded for the validator to reject.
  bool wasm2 = false;
};
Result<std::vector<uint8_t>> watToBinary(std::string_view text, const WatOptions& opts);

// Parses one component: `(component $id? field*)` (also `(component binary "..."*)` / `(component quote "..."*)`), the
// component model's text format, to the component binary format (layer 1). Nested `(core module ...)` go through the
// core parser above; the output is the same as the reference tooling's (wasm-tools), including the `component-name`
// section built from $ids.
Result<std::vector<uint8_t>> componentToBinary(std::string_view text);
// True if the text's first token after comments is `(component`.
bool isComponentText(std::string_view text);

// 1-based line and column of a byte offset in text.
struct LineCol {
  unsigned line = 1, col = 1;
};
LineCol lineCol(std::string_view text, size_t offset);

}  // namespace myrt
