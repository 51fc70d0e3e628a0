// runtime/component/wave.cpp -- WAVE, the WebAssembly Value Encoding wasmtime uses for `--invoke` arguments and
// results (wasm-tools crates/wasm-wave README): 42, -1.5, nan, inf, true, 'c', "str\n", multiline strings (""""),
// [1, 2], (1, "a"), {x: 1, y: 2} ({:}: a record whose option fields are all none, which may be left out), red,
// circle(1.5), %ok (a case named like a keyword), some(3) or a flat 3, none, ok, ok("x") or a flat "x", err(e),
// {read, write} (flags), // comments; trailing option arguments may be left out. Values are printed as wasm-wave's
// writer prints them (none fields left out, floats in Rust's plain decimal form, both quotes escaped). Resources have
// no WAVE form (an error).
// GCC 12 reports a false -Wrestrict in std::string concatenation ("a" + std::string(b); GCC bug 105329).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "runtime/base/reader.h"
#include "runtime/component/value.h"
#include "runtime/component/wave.h"

namespace myrt::component {

namespace {


bool isKeyword(std::string_view w) {
  return w == "true" || w == "false" || w == "inf" || w == "nan" || w == "some" || w == "none" || w == "ok" ||
         w == "err";
}

// As wasm-wave's writer: \ " ' tab CR LF escaped in chars and strings alike, other control characters as \u{..}.
void quoteChar(std::string& o, uint32_t c) {
  switch (c) {
    case '\n': o += "\\n"; return;
    case '\t': o += "\\t"; return;
    case '\r': o += "\\r"; return;
    case '\\': o += "\\\\"; return;
    case '"': o += "\\\""; return;
    case '\'': o += "\\'"; return;
    default: break;
  }
  if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "\\u{%x}", c);
    o += buf;
    return;
  }
  appendUtf8(o, c);
}

// Rust's Display of f32/f64 (what wasm-wave prints): the shortest digits that read back as the same value, in plain
// decimal (no exponent: 1e20 -> 100000000000000000000, 1e-7 -> 0.0000001), -0 for negative zero.
std::string floatText(double d, bool isF32) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  char buf[64];
  for (int p = 1; p <= 17; ++p) {
    std::snprintf(buf, sizeof buf, "%.*e", p - 1, d);
    if (isF32 ? std::strtof(buf, nullptr) == float(d) : std::strtod(buf, nullptr) == d) break;
  }
  // buf: [-]D[.DDD]e[+-]X
  std::string m(buf);
  const size_t e = m.find('e');
  const int exp = std::atoi(m.c_str() + e + 1);
  std::string digits;
  for (size_t k = 0; k < e; ++k)
    if (std::isdigit(static_cast<unsigned char>(m[k]))) digits += m[k];
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string o = m[0] == '-' ? "-" : "";
  const int point = exp + 1;  // digits before the decimal point
  if (point <= 0) {
    o += "0." + std::string(size_t(-point), '0') + digits;
  } else if (size_t(point) >= digits.size()) {
    o += digits + std::string(size_t(point) - digits.size(), '0');
  } else {
    o += digits.substr(0, size_t(point)) + "." + digits.substr(size_t(point));
  }
  return o;
}
void label(std::string& o, const std::string& l) {
  if (isKeyword(l)) o += '%';
  o += l;
}

void print(std::string& o, const Val& v, const Type* t) {
  switch (t->kind) {
    case TK::Bool: o += v.asBool() ? "true" : "false"; return;
    case TK::S8: case TK::S16: case TK::S32: case TK::S64: o += std::to_string(v.asS64()); return;
    case TK::U8: case TK::U16: case TK::U32: case TK::U64: o += std::to_string(v.asU64()); return;
    case TK::F32: o += floatText(v.asF32(), true); return;
    case TK::F64: o += floatText(v.asF64(), false); return;
    case TK::Char:
      o += '\'';
      quoteChar(o, v.asU32());
      o += '\'';
      return;
    case TK::String: {
      o += '"';
      // decode UTF-8 to escape control characters
      const auto* p = reinterpret_cast<const uint8_t*>(v.str.data());
      size_t i = 0, n = v.str.size();
      while (i < n) {
        uint32_t c = p[i];
        size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
        if (len == 1 || (len == 2 && i + 1 < n && c == 0xc2 && p[i + 1] < 0xa0)) {  // ASCII, or a C1 control
          quoteChar(o, len == 1 ? c : p[i + 1]);
          i += len;
          continue;
        }
        o.append(v.str, i, len);
        i += len;
      }
      o += '"';
      return;
    }
    case TK::List:
    case TK::FixedList: {
      o += '[';
      if (v.isBytes) {
        for (size_t i = 0; i < v.str.size(); ++i) {
          if (i) o += ", ";
          o += t->elem()->kind == TK::S8 ? std::to_string(int8_t(v.str[i])) : std::to_string(uint8_t(v.str[i]));
        }
      } else {
        for (size_t i = 0; i < v.elems.size(); ++i) {
          if (i) o += ", ";
          print(o, v.elems[i], t->elem());
        }
      }
      o += ']';
      return;
    }
    case TK::Tuple: {
      o += '(';
      for (size_t i = 0; i < v.elems.size() && i < t->elems.size(); ++i) {
        if (i) o += ", ";
        print(o, v.elems[i], t->elems[i]);
      }
      o += ')';
      return;
    }
    case TK::Record: {  // fields that are `none` left out; `{:}` when nothing is left
      o += '{';
      bool first = true;
      for (size_t i = 0; i < v.elems.size() && i < t->elems.size(); ++i) {
        if (t->elems[i]->kind == TK::Option && v.elems[i].index == 0) continue;
        if (!first) o += ", ";
        first = false;
        o += t->labels[i] + ": ";
        print(o, v.elems[i], t->elems[i]);
      }
      o += first ? ":}" : "}";
      return;
    }
    case TK::Variant:
    case TK::Enum:
      if (v.index < t->labels.size()) label(o, t->labels[v.index]);
      else o += "?";
      if (t->kind == TK::Variant && v.payload() && v.index < t->elems.size() && t->elems[v.index]) {
        o += '(';
        print(o, *v.payload(), t->elems[v.index]);
        o += ')';
      }
      return;
    case TK::Option:
      if (v.index == 0) {
        o += "none";
        return;
      }
      o += "some(";
      if (v.payload()) print(o, *v.payload(), t->elem());
      o += ')';
      return;
    case TK::Result: {
      o += v.index == 0 ? "ok" : "err";
      const Type* pt = t->elems[v.index ? 1 : 0];
      if (pt && v.payload()) {
        o += '(';
        print(o, *v.payload(), pt);
        o += ')';
      }
      return;
    }
    case TK::Flags: {
      o += '{';
      bool first = true;
      for (size_t i = 0; i < t->labels.size(); ++i)
        if (v.bits & (uint64_t(1) << i)) {
          if (!first) o += ", ";
          first = false;
          o += t->labels[i];
        }
      o += '}';
      return;
    }
    case TK::Own:
    case TK::Borrow: o += "<resource " + std::to_string(v.rep()) + ">"; return;
    default: o += "<" + std::string(tkName(t->kind)) + ">"; return;
  }
}

struct Parser {
  std::string_view s;
  size_t i = 0;
  std::string err;

  void ws() {  // whitespace and // comments
    while (i < s.size()) {
      if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
        ++i;
      } else if (s.substr(i, 2) == "//") {
        while (i < s.size() && s[i] != '\n') ++i;
      } else {
        break;
      }
    }
  }
  bool eat(char c) {
    ws();
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  }
  bool fail(std::string m) {
    if (err.empty()) err = m + " at column " + std::to_string(i + 1);
    return false;
  }
  std::string_view word() {
    ws();
    size_t st = i;
    while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '-' || s[i] == '_' ||
                            s[i] == '.' || s[i] == '+'))
      ++i;
    return s.substr(st, i - st);
  }
  bool integer(bool isSigned, int bits, uint64_t* out) {
    std::string_view w = word();
    if (w.empty()) return fail("expected an integer");
    std::string t(w);
    char* end = nullptr;
    errno = 0;
    if (isSigned) {
      long long x = std::strtoll(t.c_str(), &end, 10);
      if (errno || *end) return fail("invalid integer `" + t + "`");
      if (bits < 64 && (x < -(1ll << (bits - 1)) || x >= (1ll << (bits - 1)))) return fail("integer out of range `" + t + "`");
      *out = uint64_t(x);
    } else {
      if (t[0] == '-') return fail("invalid unsigned integer `" + t + "`");
      unsigned long long x = std::strtoull(t.c_str(), &end, 10);
      if (errno || *end) return fail("invalid integer `" + t + "`");
      if (bits < 64 && x >= (1ull << bits)) return fail("integer out of range `" + t + "`");
      *out = x;
    }
    return true;
  }
  // JSON numbers, nan, inf, -inf; an f32 is read as an f32 (no double rounding through f64).
  bool number(bool isF32, double* out, float* outF) {
    std::string_view w = word();
    std::string t(w);
    if (t == "nan") *out = NAN;
    else if (t == "inf") *out = INFINITY;
    else if (t == "-inf") *out = -INFINITY;
    else {
      const bool json = !t.empty() && (std::isdigit(static_cast<unsigned char>(t[0])) ||
                                       (t[0] == '-' && t.size() > 1 && std::isdigit(static_cast<unsigned char>(t[1]))));
      char* end = nullptr;
      errno = 0;
      if (isF32) *outF = std::strtof(t.c_str(), &end);
      else *out = std::strtod(t.c_str(), &end);
      if (!json || *end || t.find_first_of("xXpP") != std::string::npos) return fail("invalid number `" + t + "`");
      return true;
    }
    *outF = float(*out);
    return true;
  }
  bool escape(uint32_t* cp) {
    if (i >= s.size()) return fail("unterminated escape");
    char c = s[i++];
    switch (c) {
      case 'n': *cp = '\n'; return true;
      case 't': *cp = '\t'; return true;
      case 'r': *cp = '\r'; return true;
      case '\\': *cp = '\\'; return true;
      case '"': *cp = '"'; return true;
      case '\'': *cp = '\''; return true;
      case 'u': {
        if (i >= s.size() || s[i] != '{') return fail("expected `{` after \\u");
        size_t close = s.find('}', i);
        if (close == std::string_view::npos) return fail("unterminated \\u{...}");
        std::string h(s.substr(i + 1, close - i - 1));
        char* end = nullptr;
        unsigned long v = std::strtoul(h.c_str(), &end, 16);
        if (h.empty() || *end || v >= 0x110000 || (v >= 0xd800 && v <= 0xdfff)) return fail("invalid \\u{" + h + "}");
        *cp = uint32_t(v);
        i = close + 1;
        return true;
      }
      default: return fail(std::string("unknown escape \\") + c);
    }
  }
  bool utf8Char(uint32_t* cp) {
    const auto* p = reinterpret_cast<const uint8_t*>(s.data());
    uint32_t c = p[i];
    size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    if (i + len > s.size() || !isValidUtf8(p + i, len)) return fail("invalid UTF-8");
    if (len == 1) *cp = c;
    else if (len == 2) *cp = ((c & 0x1f) << 6) | (p[i + 1] & 0x3f);
    else if (len == 3) *cp = ((c & 0x0f) << 12) | ((p[i + 1] & 0x3f) << 6) | (p[i + 2] & 0x3f);
    else *cp = ((c & 0x07) << 18) | ((p[i + 1] & 0x3f) << 12) | ((p[i + 2] & 0x3f) << 6) | (p[i + 3] & 0x3f);
    i += len;
    return true;
  }
  // One character of a string at i (an escape or a UTF-8 sequence), appended to *out.
  bool stringChar(std::string* out) {
    uint32_t cp = 0;
    if (s[i] == '\\') {
      ++i;
      if (!escape(&cp)) return false;
    } else if (!utf8Char(&cp)) {
      return false;
    }
    appendUtf8(*out, cp);
    return true;
  }
  // """ + line break ... line break + the indentation + """: every line loses that indentation (WAVE "Multiline
  // Strings"); the first and last line breaks are not part of the string.
  bool multilineString(std::string* out) {
    i += 3;
    if (s.substr(i, 2) == "\r\n") i += 2;
    else if (i < s.size() && s[i] == '\n') ++i;
    else return fail("expected a line break after \"\"\"");
    const size_t close = s.find("\"\"\"", i);
    if (close == std::string_view::npos) return fail("unterminated multiline string");
    size_t lineStart = close;  // the closing line: a line break, spaces, """
    while (lineStart > i && s[lineStart - 1] == ' ') --lineStart;
    if (lineStart == i || s[lineStart - 1] != '\n') return fail("the closing \"\"\" must be on a line of its own");
    const size_t indent = close - lineStart;
    size_t end = lineStart - 1;  // the last line break (and a CR before it) is not part of the string
    if (end > i && s[end - 1] == '\r') --end;
    bool lineBegin = true;
    while (i < end) {
      if (lineBegin) {
        for (size_t k = 0; k < indent; ++k, ++i)
          if (i >= end || s[i] != ' ') {
            if (i < end && (s[i] == '\n' || s[i] == '\r')) break;  // an empty line
            return fail("a line of a multiline string is indented less than its closing \"\"\"");
          }
        lineBegin = false;
        continue;
      }
      if (s.substr(i, 2) == "\r\n" || s[i] == '\n') {
        i += s[i] == '\r' ? 2 : 1;
        *out += '\n';
        lineBegin = true;
        continue;
      }
      if (!stringChar(out)) return false;
    }
    i = close + 3;
    return true;
  }
  bool stringLit(std::string* out) {
    ws();
    if (s.substr(i, 3) == "\"\"\"") return multilineString(out);
    if (!eat('"')) return fail("expected a string");
    while (true) {
      if (i >= s.size()) return fail("unterminated string");
      if (s[i] == '"') {
        ++i;
        return true;
      }
      if (s[i] == '\n') return fail("a newline in a string must be written \\n");
      if (!stringChar(out)) return false;
    }
  }
  // A label, `%` prefix allowed (a case named like a keyword must have it); *escaped: it had one.
  std::string_view label(bool* escaped = nullptr) {
    ws();
    const bool pct = i < s.size() && s[i] == '%';
    if (pct) ++i;
    if (escaped) *escaped = pct;
    return word();
  }
  int labelIndex(const Type* t, std::string_view w) {
    for (size_t k = 0; k < t->labels.size(); ++k)
      if (t->labels[k] == w) return int(k);
    return -1;
  }

  bool value(const Type* t, Val& v) {
    ws();
    switch (t->kind) {
      case TK::Bool: {
        std::string_view w = word();
        if (w != "true" && w != "false") return fail("expected true or false");
        v = Val::boolean(w == "true");
        return true;
      }
      case TK::S8: case TK::S16: case TK::S32: case TK::S64:
      case TK::U8: case TK::U16: case TK::U32: case TK::U64: {
        const bool sg = t->kind == TK::S8 || t->kind == TK::S16 || t->kind == TK::S32 || t->kind == TK::S64;
        const int bits = (t->kind == TK::S8 || t->kind == TK::U8) ? 8 : (t->kind == TK::S16 || t->kind == TK::U16) ? 16
                         : (t->kind == TK::S32 || t->kind == TK::U32) ? 32 : 64;
        uint64_t x;
        if (!integer(sg, bits, &x)) return false;
        v = Val::scalar(t->kind, x);
        return true;
      }
      case TK::F32: case TK::F64: {
        double d = 0;
        float f = 0;
        if (!number(t->kind == TK::F32, &d, &f)) return false;
        v = t->kind == TK::F32 ? Val::f32(f) : Val::f64(d);
        return true;
      }
      case TK::Char: {
        if (!eat('\'')) return fail("expected a char");
        uint32_t cp = 0;
        if (i < s.size() && s[i] == '\\') {
          ++i;
          if (!escape(&cp)) return false;
        } else if (i >= s.size() || !utf8Char(&cp)) {
          return fail("expected a char");
        }
        if (i >= s.size() || s[i] != '\'') return fail("expected `'`");
        ++i;
        v = Val::chr(cp);
        return true;
      }
      case TK::String: {
        std::string str;
        if (!stringLit(&str)) return false;
        v = Val::string(std::move(str));
        return true;
      }
      case TK::List:
      case TK::FixedList: {
        if (!eat('[')) return fail("expected `[`");
        v = Val::list({});
        v.kind = t->kind;
        if (!eat(']')) {
          do {
            ws();
            if (i < s.size() && s[i] == ']') break;  // a trailing comma
            v.elems.emplace_back();
            if (!value(t->elem(), v.elems.back())) return false;
          } while (eat(','));
          if (!eat(']')) return fail("expected `]`");
        }
        if (t->kind == TK::FixedList && v.elems.size() != t->length)
          return fail("expected " + std::to_string(t->length) + " elements");
        return true;
      }
      case TK::Tuple: {
        if (!eat('(')) return fail("expected `(`");
        v = Val::tuple({});
        for (size_t k = 0; k < t->elems.size(); ++k) {
          if (k && !eat(',')) return fail("expected `,`");
          v.elems.emplace_back();
          if (!value(t->elems[k], v.elems.back())) return false;
        }
        eat(',');
        if (!eat(')')) return fail("expected `)`");
        return true;
      }
      case TK::Record: {
        if (!eat('{')) return fail("expected `{`");
        v = Val::record({});
        v.elems.resize(t->elems.size());
        std::vector<bool> seen(t->elems.size());
        if (eat(':')) {  // {:} -- every field left out (all are options)
          if (!eat('}')) return fail("expected `}` after `{:`");
        } else if (!eat('}')) {
          do {
            ws();
            if (i < s.size() && s[i] == '}') break;
            std::string_view f = label();
            int k = labelIndex(t, f);
            if (k < 0) return fail("unknown field `" + std::string(f) + "`");
            if (!eat(':')) return fail("expected `:`");
            if (!value(t->elems[k], v.elems[k])) return false;
            seen[k] = true;
          } while (eat(','));
          if (!eat('}')) return fail("expected `}`");
        }
        for (size_t k = 0; k < seen.size(); ++k) {
          if (seen[k]) continue;
          if (t->elems[k]->kind == TK::Option) v.elems[k] = Val::none();
          else return fail("missing field `" + t->labels[k] + "`");
        }
        return true;
      }
      case TK::Variant:
      case TK::Enum: {
        std::string_view w = label();
        int k = labelIndex(t, w);
        if (k < 0) return fail("unknown case `" + std::string(w) + "`");
        v = t->kind == TK::Enum ? Val::enumCase(uint32_t(k)) : Val::variant(uint32_t(k));
        if (t->kind == TK::Variant && t->elems[k]) {
          if (!eat('(')) return fail("expected `(` and a payload for case `" + std::string(w) + "`");
          v.elems.emplace_back();
          if (!value(t->elems[k], v.elems[0])) return false;
          if (!eat(')')) return fail("expected `)`");
        }
        return true;
      }
      case TK::Option: {
        ws();
        size_t save = i;
        std::string_view w = word();  // a `%none` case of the payload is not the keyword
        if (w == "none") {
          v = Val::none();
          return true;
        }
        if (w == "some") {
          if (!eat('(')) return fail("expected `(`");
          Val inner;
          if (!value(t->elem(), inner)) return false;
          if (!eat(')')) return fail("expected `)`");
          v = Val::some(std::move(inner));
          return true;
        }
        i = save;  // a flat some(value): not for an option or result payload (ambiguous)
        if (t->elem()->kind == TK::Option || t->elem()->kind == TK::Result) return fail("expected some(...) or none");
        Val inner;
        if (!value(t->elem(), inner)) return false;
        v = Val::some(std::move(inner));
        return true;
      }
      case TK::Result: {
        ws();
        const size_t save = i;
        std::string_view w = word();
        if (w != "ok" && w != "err") {  // a flat ok(value): only with an ok payload that is no option or result
          const Type* okType = t->elems[0];
          if (!okType || okType->kind == TK::Option || okType->kind == TK::Result) return fail("expected ok or err");
          i = save;
          Val inner;
          if (!value(okType, inner)) return false;
          v = Val::ok(std::move(inner));
          return true;
        }
        const uint32_t k = w == "ok" ? 0 : 1;
        v = k == 0 ? Val::ok() : Val::err();
        if (t->elems[k]) {
          if (!eat('(')) return fail("expected `(` and a payload");
          v.elems.emplace_back();
          if (!value(t->elems[k], v.elems[0])) return false;
          if (!eat(')')) return fail("expected `)`");
        }
        return true;
      }
      case TK::Flags: {
        if (!eat('{')) return fail("expected `{`");
        uint32_t bits = 0;
        if (!eat('}')) {
          do {
            ws();
            if (i < s.size() && s[i] == '}') break;  // a trailing comma
            std::string_view f = label();
            int k = labelIndex(t, f);
            if (k < 0) return fail("unknown flag `" + std::string(f) + "`");
            bits |= 1u << k;
          } while (eat(','));
          if (!eat('}')) return fail("expected `}`");
        }
        v = Val::flags(bits);
        return true;
      }
      default: return fail(std::string("values of type ") + tkName(t->kind) + " have no WAVE form");
    }
  }
};

}  // namespace

std::string toWave(const Val& v, const Type* t) {
  std::string o;
  print(o, v, t);
  return o;
}

bool parseWaveArgs(std::string_view text, const Type& ft, std::vector<Val>* out, std::string* error) {
  Parser p{text, 0, {}};
  out->clear();
  for (size_t k = 0; k < ft.elems.size(); ++k) {
    // trailing option arguments may be left out (none): the text ends here (after an optional comma)
    bool restOptional = true;
    for (size_t r = k; r < ft.elems.size(); ++r) restOptional &= ft.elems[r]->kind == TK::Option;
    if (restOptional) {
      const size_t save = p.i;
      if (k) p.eat(',');
      p.ws();
      const bool atEnd = p.i == text.size();
      p.i = save;
      if (atEnd) {
        for (; k < ft.elems.size(); ++k) out->push_back(Val::none());
        break;
      }
    }
    if (k && !p.eat(',')) {
      p.fail("expected `,` and " + std::to_string(ft.elems.size()) + " arguments");
      break;
    }
    out->emplace_back();
    if (!p.value(ft.elems[k], out->back())) break;
  }
  if (p.err.empty()) {
    p.eat(',');
    p.ws();
    if (p.i != text.size()) p.fail("unexpected text (the function takes " + std::to_string(ft.elems.size()) + " arguments)");
  }
  if (!p.err.empty()) {
    *error = p.err;
    return false;
  }
  return true;
}

}  // namespace myrt::component
