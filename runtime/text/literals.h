// runtime/text/literals.h -- numeric literals of the text format.
// Layer: text (depends on base only).
//
// API: every function takes the raw token text (as produced by the lexer: Number or Keyword tokens) and returns the
// value or an Error without offset (the caller adds the token's offset). Digits may be separated by single `_`;
// integers are decimal or `0x` hex. parseU32/parseU64 accept unsigned naturals only (indices, memarg offsets, limits).
// parseI32/parseI64/parseI8/parseI16 accept both the unsigned range [0, 2^N) and, with an explicit sign, the signed range
// [-2^(N-1), 2^(N-1)) and return the two's-complement bit pattern. parseF32Bits/parseF64Bits accept decimal and hex
// floats (correctly rounded to nearest, ties to even), `inf`, `nan`, `nan:0x<payload>`, each with an optional sign, and
// return the IEEE-754 bit pattern; a finite literal that rounds to infinity, a zero or too wide NaN payload are out of
// range. Errors: "unknown operator" for malformed text (what the reference lexer reports for such a token),
// "constant out of range" for well-formed literals outside the type's range.
#pragma once
#include <cstdint>
#include <string_view>

#include "runtime/base/result.h"

namespace myrt {

Result<uint32_t> parseU32(std::string_view text);
Result<uint64_t> parseU64(std::string_view text);
Result<uint32_t> parseI32(std::string_view text);
Result<uint64_t> parseI64(std::string_view text);
Result<uint8_t> parseI8(std::string_view text);
Result<uint16_t> parseI16(std::string_view text);
Result<uint32_t> parseF32Bits(std::string_view text);
Result<uint64_t> parseF64Bits(std::string_view text);

// Token classes of the reference lexer: `nat` (unsigned), `int` (explicitly signed integer), `float` (anything else
// that is a float literal, incl. inf/nan forms with or without sign), or Malformed (e.g. `0x`, `1__0`, `nan:0xg`).
// Parsers use it to choose between "unexpected token" (a literal of the wrong class) and "unknown operator".
enum class NumClass : uint8_t { Nat, Int, Float, Malformed };
NumClass classifyNumber(std::string_view text);

// True if the text looks like a natural number (digits or 0x hex digits, `_` allowed): an index, not an id/keyword.
bool looksLikeNat(std::string_view text);

}  // namespace myrt
