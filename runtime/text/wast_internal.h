// runtime/text/wast_internal.h -- internals of the WAST script parser shared by wast.cpp and wast_values.cpp.
// Layer: text. Not part of the public interface (use wast.h).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/base/result.h"
#include "runtime/text/wast.h"

namespace myrt::wast {

struct Tok {
  enum Kind : uint8_t { LParen, RParen, Atom, String, Eof, Error };
  Kind kind = Eof;
  size_t begin = 0, end = 0;  // script offsets; a String includes its quotes
};

// Script-level S-expression scanner: parens, atoms, strings; skips whitespace, `;;` and nested `(; ;)` comments.
class Scanner {
 public:
  explicit Scanner(std::string_view src);
  const Tok& cur() const { return cur_; }
  void advance();
  // After a "(": skips to and past the matching ")" (its end offset -> *closeEnd); false at end of input / scan error.
  bool skipToClose(size_t* closeEnd = nullptr);
  std::string_view text(const Tok& t) const { return src_.substr(t.begin, t.end - t.begin); }
  Result<std::string> decodeString(const Tok& t) const;
  const std::string& error() const { return error_; }

 private:
  std::string_view src_;
  size_t pos_ = 0;
  Tok cur_;
  std::string error_;
  unsigned annotationDepth_ = 0;
  static constexpr unsigned kMaxAnnotationDepth = 256;
};

// Bit pattern of a scalar constant of type I32/I64/F32/F64 in text syntax (i32/i64 accept signed and unsigned forms;
// floats accept decimal/hex, inf, nan, nan:0x...). nullopt if malformed or out of range.
std::optional<uint64_t> parseScalar(ValKind type, std::string_view text);
// Bits of one v128 lane (zero-extended to 64 bits).
std::optional<uint64_t> parseLane(V128Shape shape, std::string_view text);

}  // namespace myrt::wast
