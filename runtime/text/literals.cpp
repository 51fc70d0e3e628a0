// runtime/text/literals.cpp -- integer and float literal parsing (see literals.h).
// Layer: text. Float conversion: the literal's syntax is validated and `_` separators removed here, then the C library's
// strtof/strtod (correctly rounded, round-to-nearest-even, decimal and hex, independent of the "C" locale's
// decimal point since we only feed it '.') converts the cleaned text.
#include "runtime/text/literals.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

namespace myrt {
namespace {

Error malformed() { return Error("unknown operator"); }
Error outOfRange() { return Error("constant out of range"); }

bool isDigit(char c, bool hex) {
  if (c >= '0' && c <= '9') return true;
  return hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
}
unsigned digitVal(char c) {
  if (c >= '0' && c <= '9') return static_cast<unsigned>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<unsigned>(c - 'a' + 10);
  return static_cast<unsigned>(c - 'A' + 10);
}

// Consumes `num` (digit ('_'? digit)*) at text[i..]; appends the digits to out. Returns false if there is none or an
// underscore is misplaced. Stops at the first character that is neither a digit nor a valid '_'.
bool scanNum(std::string_view text, size_t& i, bool hex, std::string* out) {
  if (i >= text.size() || !isDigit(text[i], hex)) return false;
  while (i < text.size()) {
    char c = text[i];
    if (isDigit(c, hex)) {
      if (out) *out += c;
      ++i;
    } else if (c == '_') {
      if (i + 1 >= text.size() || !isDigit(text[i + 1], hex)) return false;
      ++i;
    } else {
      break;
    }
  }
  return true;
}

// Parses an unsigned natural (decimal or 0x hex) into a 64-bit magnitude. `overflow` is set if it exceeds 2^64-1.
bool parseMagnitude(std::string_view text, uint64_t& mag, bool& overflow) {
  bool hex = text.size() > 2 && text[0] == '0' && text[1] == 'x';
  size_t i = hex ? 2 : 0;
  std::string digits;
  if (!scanNum(text, i, hex, &digits) || i != text.size()) return false;
  mag = 0;
  overflow = false;
  unsigned base = hex ? 16 : 10;
  for (char c : digits) {
    unsigned d = digitVal(c);
    if (mag > (UINT64_MAX - d) / base) overflow = true;
    mag = mag * base + d;
  }
  return true;
}

// Integer of N bits: unsigned range without sign, signed range with a sign.
Result<uint64_t> parseIntN(std::string_view text, unsigned bits) {
  if (text.empty()) return malformed();
  bool neg = false, sign = false;
  if (text[0] == '+' || text[0] == '-') {
    sign = true;
    neg = text[0] == '-';
    text.remove_prefix(1);
  }
  uint64_t mag;
  bool overflow;
  if (!parseMagnitude(text, mag, overflow)) return malformed();
  if (overflow) return outOfRange();
  uint64_t mask = bits == 64 ? UINT64_MAX : ((uint64_t{1} << bits) - 1);
  if (!sign) {
    if (mag > mask) return outOfRange();
    return mag;
  }
  uint64_t half = uint64_t{1} << (bits - 1);
  if (neg) {
    if (mag > half) return outOfRange();
    return (uint64_t{0} - mag) & mask;
  }
  if (mag >= half) return outOfRange();
  return mag;
}

// Validates a float literal (without sign, not inf/nan) and returns the cleaned text for strtod, or "" if malformed.
std::string cleanFloat(std::string_view text) {
  bool hex = text.size() > 2 && text[0] == '0' && text[1] == 'x';
  size_t i = hex ? 2 : 0;
  std::string out = hex ? "0x" : "";
  if (!scanNum(text, i, hex, &out)) return "";
  if (i < text.size() && text[i] == '.') {
    out += '.';
    ++i;
    if (i < text.size() && isDigit(text[i], hex)) {
      if (!scanNum(text, i, hex, &out)) return "";
    }
  }
  if (i < text.size() && (hex ? (text[i] == 'p' || text[i] == 'P') : (text[i] == 'e' || text[i] == 'E'))) {
    out += hex ? 'p' : 'e';
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) out += text[i++];
    if (!scanNum(text, i, false, &out)) return "";
  }
  if (i != text.size()) return "";
  return out;
}

template <typename Bits>
Result<Bits> parseFloat(std::string_view text, unsigned mantBits, unsigned expBits) {
  if (text.empty()) return malformed();
  bool neg = false;
  if (text[0] == '+' || text[0] == '-') {
    neg = text[0] == '-';
    text.remove_prefix(1);
  }
  const Bits signBit = Bits{1} << (mantBits + expBits);
  const Bits expMask = ((Bits{1} << expBits) - 1) << mantBits;
  const Bits mantMask = (Bits{1} << mantBits) - 1;
  Bits s = neg ? signBit : 0;
  if (text == "inf") return static_cast<Bits>(s | expMask);
  if (text == "nan") return static_cast<Bits>(s | expMask | (Bits{1} << (mantBits - 1)));
  if (text.substr(0, 4) == "nan:") {
    std::string_view p = text.substr(4);
    if (p.size() < 3 || p[0] != '0' || p[1] != 'x') return malformed();
    uint64_t mag;
    bool overflow;
    if (!parseMagnitude(p, mag, overflow)) return malformed();
    if (overflow || mag == 0 || mag > mantMask) return outOfRange();
    return static_cast<Bits>(s | expMask | static_cast<Bits>(mag));
  }
  if (text.empty() || !(text[0] >= '0' && text[0] <= '9')) return malformed();
  std::string clean = cleanFloat(text);
  if (clean.empty()) return malformed();
  Bits bits;
  if constexpr (sizeof(Bits) == 4) {
    float f = std::strtof(clean.c_str(), nullptr);
    if (std::isinf(f)) return outOfRange();
    std::memcpy(&bits, &f, 4);
  } else {
    double d = std::strtod(clean.c_str(), nullptr);
    if (std::isinf(d)) return outOfRange();
    std::memcpy(&bits, &d, 8);
  }
  return static_cast<Bits>(bits | s);
}

}  // namespace

NumClass classifyNumber(std::string_view text) {
  uint64_t mag;
  bool overflow;
  if (text.empty()) return NumClass::Malformed;
  if (parseMagnitude(text, mag, overflow)) return NumClass::Nat;
  if ((text[0] == '+' || text[0] == '-') && parseMagnitude(text.substr(1), mag, overflow)) return NumClass::Int;
  auto f = parseF64Bits(text);
  if (f.ok() || f.error().message != "unknown operator") return NumClass::Float;
  return NumClass::Malformed;
}

bool looksLikeNat(std::string_view text) {
  uint64_t mag;
  bool overflow;
  return !text.empty() && parseMagnitude(text, mag, overflow);
}

Result<uint32_t> parseU32(std::string_view text) {
  uint64_t mag;
  bool overflow;
  if (!parseMagnitude(text, mag, overflow)) return malformed();
  if (overflow || mag > UINT32_MAX) return outOfRange();
  return static_cast<uint32_t>(mag);
}

Result<uint64_t> parseU64(std::string_view text) {
  uint64_t mag;
  bool overflow;
  if (!parseMagnitude(text, mag, overflow)) return malformed();
  if (overflow) return outOfRange();
  return mag;
}

Result<uint32_t> parseI32(std::string_view text) {
  MYRT_ASSIGN(uint64_t v, parseIntN(text, 32));
  return static_cast<uint32_t>(v);
}
Result<uint64_t> parseI64(std::string_view text) { return parseIntN(text, 64); }
Result<uint8_t> parseI8(std::string_view text) {
  MYRT_ASSIGN(uint64_t v, parseIntN(text, 8));
  return static_cast<uint8_t>(v);
}
Result<uint16_t> parseI16(std::string_view text) {
  MYRT_ASSIGN(uint64_t v, parseIntN(text, 16));
  return static_cast<uint16_t>(v);
}
Result<uint32_t> parseF32Bits(std::string_view text) { return parseFloat<uint32_t>(text, 23, 8); }
Result<uint64_t> parseF64Bits(std::string_view text) { return parseFloat<uint64_t>(text, 52, 11); }

}  // namespace myrt
