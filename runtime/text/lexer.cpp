// runtime/text/lexer.cpp -- the text-format tokenizer (see lexer.h).
// Layer: text. A token is either a parenthesis or a maximal run of idchars and string literals; a run that is not
// exactly one keyword/id/number/string (e.g. `0$x`, `$l"a"`, `"a""b"`) is a reserved token and an error.
#include "runtime/text/lexer.h"

#include "runtime/base/reader.h"

namespace myrt {

bool isIdChar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if (c >= 'a' && c <= 'z') return true;
  if (c >= 'A' && c <= 'Z') return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-': case '.': case '/':
    case ':': case '<': case '=': case '>': case '?': case '@': case '\\': case '^': case '_': case '`': case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

namespace {

int hexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 if malformed.
size_t utf8Len(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t len = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  if (!isValidUtf8(s.substr(i, len))) return 0;
  return len;
}

class Lexer {
 public:
  Lexer(std::string_view src, bool keep, std::vector<SkippedAnnotation>* skipped = nullptr)
      : src_(src), keep_(keep), skipped_(skipped) {}

  Result<std::vector<Token>> run() {
    size_t skipDepth = 0;  // > 0 while skipping an annotation
    size_t annotStart = 0;
    for (;;) {
      MYRT_TRY(skipSpace());
      if (pos_ >= src_.size()) break;
      char c = src_[pos_];
      if (skipDepth > 0) {  // inside a skipped annotation: any printable ASCII, strings, comments, nested parens
        unsigned char u = static_cast<unsigned char>(c);
        if (c == '(') {
          ++skipDepth;
          ++pos_;
        } else if (c == ')') {
          --skipDepth;
          if (skipDepth == 0 && skipped_) skipped_->back().bodyEnd = pos_;
          ++pos_;
        } else if (c == '"') {
          MYRT_TRY(readString());
        } else if (u > 0x20 && u < 0x7F) {
          ++pos_;
        } else if (u >= 0x80 && utf8Len(src_, pos_) == 0) {
          return Error(pos_, "malformed UTF-8 encoding");
        } else {
          return Error(pos_, "illegal character");
        }
        continue;
      }
      if (c == '(') {
        if (pos_ + 1 < src_.size() && src_[pos_ + 1] == '@') {
          size_t start = pos_;
          pos_ += 2;
          size_t idStart = pos_;
          auto rr = readRun();
          if (!rr.ok() || rr->end == idStart) return Error(start, "empty annotation id");
          RunInfo& ri = *rr;
          if (ri.strings > 0) {
            if (ri.strings != 1 || ri.idchars != 0) return Error(start, "unknown operator");
            if (ri.decoded.empty()) return Error(start, "empty annotation id");
            if (!isValidUtf8(ri.decoded)) return Error(start, "malformed UTF-8 encoding");
          }
          if (skipDepth > 0 || !keep_) {
            if (skipDepth == 0) {
              annotStart = start;
              if (skipped_) {
                SkippedAnnotation a;
                a.id = ri.strings == 1 && ri.idchars == 0 ? ri.decoded : std::string(src_.substr(idStart, pos_ - idStart));
                a.offset = start;
                a.bodyStart = pos_;
                a.tokenIndex = toks_.size();
                skipped_->push_back(std::move(a));
              }
            }
            ++skipDepth;
            continue;
          }
          Token t;
          t.kind = TokKind::Annotation;
          t.offset = start;
          t.text = src_.substr(start, pos_ - start);
          t.value = ri.strings == 1 && ri.idchars == 0 ? ri.decoded : std::string(src_.substr(idStart, pos_ - idStart));
          toks_.push_back(std::move(t));
          continue;
        }
        if (skipDepth > 0) { ++skipDepth; ++pos_; continue; }
        push(TokKind::LParen, pos_, 1);
        ++pos_;
        continue;
      }
      if (c == ')') {
        if (skipDepth > 0) { --skipDepth; ++pos_; continue; }
        push(TokKind::RParen, pos_, 1);
        ++pos_;
        continue;
      }
      unsigned char uc = static_cast<unsigned char>(c);
      if (c == '$' && (pos_ + 1 >= src_.size() || (src_[pos_ + 1] != '"' &&
                                                   !isIdChar(static_cast<unsigned char>(src_[pos_ + 1]))))) {
        if (skipDepth == 0) return Error(pos_, "empty identifier");
      }
      if (c == '$' && pos_ + 1 < src_.size() && src_[pos_ + 1] == '"' && skipDepth == 0) {
        size_t start = pos_;
        ++pos_;
        auto rs = readString();
        if (!rs.ok()) return Error(start, "empty identifier");
        pos_ = start;
      }
      if (c == '"' || isIdChar(uc)) {
        size_t start = pos_;
        MYRT_ASSIGN(RunInfo ri, readRun());
        if (skipDepth > 0) continue;  // reserved tokens are allowed inside annotations
        MYRT_TRY(classify(start, ri));
        continue;
      }
      if (uc < 0x20 || uc == 0x7F) return Error(pos_, "illegal character");
      if (uc >= 0x80) {
        if (utf8Len(src_, pos_) == 0) return Error(pos_, "malformed UTF-8 encoding");
        return Error(pos_, "illegal character");
      }
      return Error(pos_, "unknown operator");
    }
    if (skipDepth > 0) return Error(annotStart, "unclosed annotation");
    Token eof;
    eof.kind = TokKind::Eof;
    eof.offset = src_.size();
    toks_.push_back(std::move(eof));
    return std::move(toks_);
  }

 private:
  struct RunInfo {
    size_t end = 0;
    unsigned strings = 0;  // number of string literals in the run
    unsigned idchars = 0;  // number of idchar segments in the run
    bool stringFirst = false;
    std::string decoded;   // decoded bytes of the last string literal
  };

  void push(TokKind k, size_t start, size_t len) {
    Token t;
    t.kind = k;
    t.offset = start;
    t.text = src_.substr(start, len);
    toks_.push_back(std::move(t));
  }

  Status skipSpace() {
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') { ++pos_; continue; }
      if (c == ';' && pos_ + 1 < src_.size() && src_[pos_ + 1] == ';') {
        size_t i = pos_ + 2;
        // A line comment ends at a newline: LF, CR or CR LF (the spec's `newline`).
        while (i < src_.size() && src_[i] != '\n' && src_[i] != '\r') {
          size_t n = utf8Len(src_, i);
          if (n == 0) return Error(i, "malformed UTF-8 encoding");
          i += n;
        }
        pos_ = i;
        continue;
      }
      if (c == '(' && pos_ + 1 < src_.size() && src_[pos_ + 1] == ';') {
        size_t start = pos_;
        size_t depth = 1;
        size_t i = pos_ + 2;
        while (depth > 0) {
          if (i >= src_.size()) return Error(start, "unclosed comment");
          if (src_[i] == '(' && i + 1 < src_.size() && src_[i + 1] == ';') { ++depth; i += 2; continue; }
          if (src_[i] == ';' && i + 1 < src_.size() && src_[i + 1] == ')') { --depth; i += 2; continue; }
          size_t n = utf8Len(src_, i);
          if (n == 0) return Error(i, "malformed UTF-8 encoding");
          i += n;
        }
        pos_ = i;
        continue;
      }
      break;
    }
    return {};
  }

  // Reads a string literal starting at pos_ (the opening quote); leaves pos_ after the closing quote.
  Result<std::string> readString() {
    size_t start = pos_;
    size_t i = pos_ + 1;
    while (true) {
      if (i >= src_.size() || src_[i] == '\n') return Error(start, "unclosed string literal");
      char c = src_[i];
      if (c == '"') break;
      if (c == '\\') {
        if (i + 1 >= src_.size()) return Error(start, "unclosed string literal");
        i += 2;
        continue;
      }
      ++i;
    }
    MYRT_ASSIGN(std::string s, decodeStringBody(src_.substr(start + 1, i - start - 1), start + 1));
    pos_ = i + 1;
    return s;
  }

  // Reads a maximal run of idchars and string literals.
  Result<RunInfo> readRun() {
    RunInfo ri;
    bool first = true;
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (c == '"') {
        if (first) ri.stringFirst = true;
        MYRT_ASSIGN(ri.decoded, readString());
        ++ri.strings;
      } else if (isIdChar(static_cast<unsigned char>(c))) {
        while (pos_ < src_.size() && isIdChar(static_cast<unsigned char>(src_[pos_]))) ++pos_;
        ++ri.idchars;
      } else {
        break;
      }
      first = false;
    }
    ri.end = pos_;
    return ri;
  }

  Status classify(size_t start, RunInfo& ri) {
    std::string_view text = src_.substr(start, ri.end - start);
    Token t;
    t.offset = start;
    t.text = text;
    if (ri.strings == 1 && ri.idchars == 0) {
      t.kind = TokKind::String;
      t.value = std::move(ri.decoded);
    } else if (ri.strings == 1 && ri.idchars == 1 && !ri.stringFirst && text.size() >= 3 && text[0] == '$' &&
               text[1] == '"') {
      if (ri.decoded.empty()) return Error(start, "empty identifier");
      if (!isValidUtf8(ri.decoded)) return Error(start, "malformed UTF-8 encoding");
      t.kind = TokKind::Id;
      t.value = std::move(ri.decoded);
    } else if (ri.strings == 0) {
      char c = text[0];
      if (c == '$') {
        if (text.size() == 1) return Error(start, "unknown operator");
        t.kind = TokKind::Id;
        t.value = std::string(text.substr(1));
      } else if (c >= 'a' && c <= 'z') {
        t.kind = TokKind::Keyword;
      } else if ((c >= '0' && c <= '9') || c == '+' || c == '-') {
        t.kind = TokKind::Number;
      } else {
        return Error(start, "unknown operator");
      }
    } else {
      return Error(start, "unknown operator");
    }
    toks_.push_back(std::move(t));
    return {};
  }

  std::string_view src_;
  bool keep_;
  std::vector<SkippedAnnotation>* skipped_;
  size_t pos_ = 0;
  std::vector<Token> toks_;
};

}  // namespace

Result<std::string> decodeStringBody(std::string_view body, size_t offset) {
  std::string out;
  out.reserve(body.size());
  size_t i = 0;
  while (i < body.size()) {
    unsigned char c = static_cast<unsigned char>(body[i]);
    if (c == '\\') {
      if (i + 1 >= body.size()) return Error(offset + i, "illegal escape");
      char e = body[i + 1];
      switch (e) {
        case 't': out += '\t'; i += 2; continue;
        case 'n': out += '\n'; i += 2; continue;
        case 'r': out += '\r'; i += 2; continue;
        case '"': out += '"'; i += 2; continue;
        case '\'': out += '\''; i += 2; continue;
        case '\\': out += '\\'; i += 2; continue;
        case 'u': {
          if (i + 2 >= body.size() || body[i + 2] != '{') return Error(offset + i, "illegal escape");
          size_t j = i + 3;
          uint32_t cp = 0;
          bool any = false, lastUnderscore = false;
          while (j < body.size() && body[j] != '}') {
            if (body[j] == '_' && any && !lastUnderscore) { lastUnderscore = true; ++j; continue; }
            int h = hexVal(body[j]);
            if (h < 0) return Error(offset + i, "illegal escape");
            if (cp > 0x10FFFF) return Error(offset + i, "illegal escape");
            cp = cp * 16 + static_cast<uint32_t>(h);
            any = true;
            lastUnderscore = false;
            ++j;
          }
          if (j >= body.size() || !any || lastUnderscore) return Error(offset + i, "illegal escape");
          if (cp >= 0x110000 || (cp >= 0xD800 && cp < 0xE000)) return Error(offset + i, "illegal escape");
          appendUtf8(out, cp);
          i = j + 1;
          continue;
        }
        default: {
          int h1 = hexVal(e);
          int h2 = i + 2 < body.size() ? hexVal(body[i + 2]) : -1;
          if (h1 < 0 || h2 < 0) return Error(offset + i, "illegal escape");
          out += static_cast<char>(h1 * 16 + h2);
          i += 3;
          continue;
        }
      }
    }
    if (c < 0x20 || c == 0x7F) return Error(offset + i, "illegal control character in string literal");
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    size_t n = utf8Len(body, i);
    if (n == 0) return Error(offset + i, "malformed UTF-8 encoding");
    out.append(body.substr(i, n));
    i += n;
  }
  return out;
}

Result<std::vector<Token>> tokenize(std::string_view src, bool keepAnnotations) {
  Lexer lx(src, keepAnnotations);
  return lx.run();
}

Result<std::vector<Token>> tokenize(std::string_view src, std::vector<SkippedAnnotation>& skipped) {
  Lexer lx(src, false, &skipped);
  return lx.run();
}

}  // namespace myrt
