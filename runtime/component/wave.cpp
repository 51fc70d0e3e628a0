// runtime/component/wave.cpp -- WAVE, the WebAssembly Value Encoding wasmtime uses for `--invoke` arguments and
// results: 42, -1.5, nan, inf, true, 'c', "str\n", [1, 2], (1, "a"), {x: 1, y: 2}, red, circle(1.5), some(3), none,
// ok, ok("x"), err(e), {read, write} (flags). Resources have no WAVE form (an error).
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


void quoteChar(std::string& o, uint32_t c, char quote) {
  switch (c) {
    case '\n': o += "\\n"; return;
    case '\t': o += "\\t"; return;
    case '\r': o += "\\r"; return;
    case '\\': o += "\\\\"; return;
    default: break;
  }
  if (c == uint32_t(quote)) {
    o += '\\';
    o += quote;
    return;
  }
  if (c < 0x20 || c == 0x7f) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "\\u{%x}", c);
    o += buf;
    return;
  }
  appendUtf8(o, c);
}

std::string floatText(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  // shortest round-trip form
  for (int p = 1; p <= 17; ++p) {
    char t[64];
    std::snprintf(t, sizeof t, "%.*g", p, d);
    if (std::strtod(t, nullptr) == d) {
      std::strcpy(buf, t);
      break;
    }
  }
  return buf;
}

void print(std::string& o, const Val& v, const Type* t) {
  switch (t->kind) {
    case TK::Bool: o += v.asBool() ? "true" : "false"; return;
    case TK::S8: case TK::S16: case TK::S32: case TK::S64: o += std::to_string(v.asS64()); return;
    case TK::U8: case TK::U16: case TK::U32: case TK::U64: o += std::to_string(v.asU64()); return;
    case TK::F32: {
      const float f = v.asF32();
      if (std::isnan(f) || std::isinf(f)) {
        o += floatText(f);
        return;
      }
      for (int p = 1; p <= 9; ++p) {  // shortest text that reads back as the same f32
        char b[32];
        std::snprintf(b, sizeof b, "%.*g", p, double(f));
        if (std::strtof(b, nullptr) == f) {
          o += b;
          return;
        }
      }
      o += floatText(f);
      return;
    }
    case TK::F64: o += floatText(v.asF64()); return;
    case TK::Char:
      o += '\'';
      quoteChar(o, v.asU32(), '\'');
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
        if (len == 1) quoteChar(o, c, '"');
        else o.append(v.str, i, len);
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
    case TK::Record: {
      o += '{';
      for (size_t i = 0; i < v.elems.size() && i < t->elems.size(); ++i) {
        if (i) o += ", ";
        o += t->labels[i] + ": ";
        print(o, v.elems[i], t->elems[i]);
      }
      o += '}';
      return;
    }
    case TK::Variant:
    case TK::Enum:
      o += v.index < t->labels.size() ? t->labels[v.index] : "?";
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

  void ws() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
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
  bool number(double* out) {
    std::string_view w = word();
    std::string t(w);
    if (t == "nan") *out = NAN;
    else if (t == "inf") *out = INFINITY;
    else if (t == "-inf") *out = -INFINITY;
    else {
      char* end = nullptr;
      *out = std::strtod(t.c_str(), &end);
      if (t.empty() || *end) return fail("invalid number `" + t + "`");
    }
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
  bool stringLit(std::string* out) {
    if (!eat('"')) return fail("expected a string");
    while (true) {
      if (i >= s.size()) return fail("unterminated string");
      if (s[i] == '"') {
        ++i;
        return true;
      }
      uint32_t cp = 0;
      if (s[i] == '\\') {
        ++i;
        if (!escape(&cp)) return false;
      } else if (!utf8Char(&cp)) {
        return false;
      }
      appendUtf8(*out, cp);
    }
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
        double d;
        if (!number(&d)) return false;
        v = t->kind == TK::F32 ? Val::f32(float(d)) : Val::f64(d);
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
        if (!eat('}')) {
          do {
            ws();
            if (i < s.size() && s[i] == '}') break;
            std::string_view f = word();
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
        std::string_view w = word();
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
        size_t save = i;
        std::string_view w = word();
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
        i = save;  // WAVE allows a bare value for some(value) when unambiguous
        Val inner;
        if (!value(t->elem(), inner)) return false;
        v = Val::some(std::move(inner));
        return true;
      }
      case TK::Result: {
        std::string_view w = word();
        if (w != "ok" && w != "err") return fail("expected ok or err");
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
            std::string_view f = word();
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
