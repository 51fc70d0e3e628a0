// runtime/text/lexer.h -- tokens of the WebAssembly text format (shared by the WAT parser and the WAST script parser).
// Layer: text (depends on base only).
//
// tokenize() turns source text into a flat token vector. Whitespace, `;;` line comments and nested `(; ;)` block
// comments are dropped; annotations `(@id ...)` are skipped (balanced) unless `keepAnnotations` is set, in which case
// `(@id` becomes an Annotation token whose `value` is the id (the rest lexes as ordinary tokens). Every token carries
// its byte offset into the source. Strings are decoded to raw bytes (all escapes); `$id` and `$"quoted"` ids are
// decoded to the id name without the `$`. Numbers are kept as raw text: use runtime/text/literals.h to convert them.
// Errors use the reference interpreter's wording: "unknown operator" (a reserved token, e.g. `0$x` or `$l"a"`),
// "unclosed string literal", "illegal escape", "illegal control character in string literal", "unclosed comment",
// "malformed UTF-8 encoding", "illegal character", "empty identifier", "empty annotation id".
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/result.h"

namespace myrt {

enum class TokKind : uint8_t {
  LParen,      // (
  RParen,      // )
  Keyword,     // starts with a lowercase letter: module, i32.add, offset=4, inf, nan:0x1 ...
  Id,          // $name or $"name"; value = the name without '$'
  Number,      // starts with a digit, or a sign: 12, -0x1p3, +inf, 1_000 (validity checked by literals.h)
  String,      // "..."; value = the decoded bytes
  Annotation,  // `(@id` (only with keepAnnotations); value = the id
  Eof,         // end of input (always the last token)
};

struct Token {
  TokKind kind = TokKind::Eof;
  size_t offset = 0;      // byte offset of the first character in the source
  std::string_view text;  // the raw source text of the token
  std::string value;      // String: decoded bytes; Id: name; Annotation: id

  bool is(TokKind k) const { return kind == k; }
  bool isKeyword(std::string_view kw) const { return kind == TokKind::Keyword && text == kw; }
};

// Tokenizes all of `src`. The result always ends with an Eof token (offset = src.size()).
Result<std::vector<Token>> tokenize(std::string_view src, bool keepAnnotations = false);

// An annotation skipped by the tokenizer: `(@id body)`.
struct SkippedAnnotation {
  std::string id;
  size_t offset = 0;      // of "(@"
  size_t bodyStart = 0;   // first byte after the id
  size_t bodyEnd = 0;     // offset of the closing ')'
  size_t tokenIndex = 0;  // number of tokens produced before it (to find its nesting level)
};
// Like tokenize(src) and also lists the outermost skipped annotations (for `(@custom ...)`).
Result<std::vector<Token>> tokenize(std::string_view src, std::vector<SkippedAnnotation>& skipped);

// True for the characters allowed in keywords, ids and numbers ("idchar" of the spec).
bool isIdChar(unsigned char c);

// Decodes the body of a string literal (between the quotes) into bytes. `offset` is the source offset of the body,
// used for error positions. Used by the lexer; exposed for tests.
Result<std::string> decodeStringBody(std::string_view body, size_t offset);

}  // namespace myrt
