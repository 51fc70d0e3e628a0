// cli/wast_component.cpp -- script component values <-> runtime component values (see wast_component.h).
#include "cli/wast_component.h"

#include <cmath>
#include <cstring>
#include <regex>
#include <sstream>

namespace myrt::cli {

using component::TK;
using component::Type;
using component::Val;
using K = wast::CompValue::Kind;

namespace {

// The script value kind written for a primitive type.
bool primitiveMatches(K k, TK t) {
  switch (t) {
    case TK::Bool: return k == K::Bool;
    case TK::S8: return k == K::S8;
    case TK::U8: return k == K::U8;
    case TK::S16: return k == K::S16;
    case TK::U16: return k == K::U16;
    case TK::S32: return k == K::S32;
    case TK::U32: return k == K::U32;
    case TK::S64: return k == K::S64;
    case TK::U64: return k == K::U64;
    case TK::F32: return k == K::F32;
    case TK::F64: return k == K::F64;
    case TK::Char: return k == K::Char;
    case TK::String: return k == K::String;
    default: return false;
  }
}

int labelIndex(const Type* t, const std::string& name) {
  for (size_t i = 0; i < t->labels.size(); ++i)
    if (t->labels[i] == name) return static_cast<int>(i);
  return -1;
}

bool mismatch(const wast::CompValue& v, const Type* t, std::string* why) {
  *why = std::string("a ") + wast::toString(v.kind) + " value for a parameter of type " + component::typeToString(t);
  return false;
}

// The optional payload of a case whose type is `pt` (nullptr: no payload).
bool payload(const wast::CompValue& v, const Type* pt, std::optional<Val>* out, std::string* why) {
  if (!pt) {
    if (!v.items.empty()) {
      *why = "a payload for a case without one";
      return false;
    }
    return true;
  }
  if (v.items.size() != 1) {
    *why = "no payload for a case of type " + component::typeToString(pt);
    return false;
  }
  Val p;
  if (!toComponentVal(v.items[0], pt, &p, why)) return false;
  *out = std::move(p);
  return true;
}

}  // namespace

bool toComponentVal(const wast::CompValue& v, const Type* t, Val* out, std::string* why) {
  if (!t) {
    *why = "a value for no type";
    return false;
  }
  switch (t->kind) {
    case TK::Bool: case TK::S8: case TK::U8: case TK::S16: case TK::U16: case TK::S32: case TK::U32:
    case TK::S64: case TK::U64: case TK::Char:
      if (!primitiveMatches(v.kind, t->kind)) return mismatch(v, t, why);
      *out = Val::scalar(t->kind, v.bits);
      return true;
    case TK::F32: {
      if (v.kind != K::F32) return mismatch(v, t, why);
      const uint32_t b = static_cast<uint32_t>(v.bits);
      float f;
      std::memcpy(&f, &b, 4);
      *out = Val::f32(f);
      return true;
    }
    case TK::F64:
      if (v.kind != K::F64) return mismatch(v, t, why);
      *out = Val::scalar(TK::F64, v.bits);
      return true;
    case TK::String:
      if (v.kind != K::String) return mismatch(v, t, why);
      *out = Val::string(v.str);
      return true;
    case TK::List:
    case TK::FixedList: {
      if (v.kind != K::List) return mismatch(v, t, why);
      if (t->kind == TK::FixedList && v.items.size() != t->length) {
        *why = "a list of " + std::to_string(v.items.size()) + " elements for " + component::typeToString(t);
        return false;
      }
      std::vector<Val> elems(v.items.size());
      for (size_t i = 0; i < v.items.size(); ++i)
        if (!toComponentVal(v.items[i], t->elem(), &elems[i], why)) return false;
      *out = Val::list(std::move(elems));
      out->kind = t->kind;
      return true;
    }
    case TK::Tuple: {
      if (v.kind != K::Tuple) return mismatch(v, t, why);
      if (v.items.size() != t->elems.size()) {
        *why = "a tuple of " + std::to_string(v.items.size()) + " for " + component::typeToString(t);
        return false;
      }
      std::vector<Val> elems(v.items.size());
      for (size_t i = 0; i < v.items.size(); ++i)
        if (!toComponentVal(v.items[i], t->elems[i], &elems[i], why)) return false;
      *out = Val::tuple(std::move(elems));
      return true;
    }
    case TK::Record: {
      if (v.kind != K::Record) return mismatch(v, t, why);
      if (v.items.size() != t->elems.size()) {
        *why = "a record of " + std::to_string(v.items.size()) + " fields for " + component::typeToString(t);
        return false;
      }
      std::vector<Val> fields(t->elems.size());
      std::vector<bool> seen(t->elems.size());
      for (size_t i = 0; i < v.items.size(); ++i) {
        const int k = labelIndex(t, v.names[i]);
        if (k < 0 || seen[k]) {
          *why = "record field \"" + v.names[i] + "\" is not a field of " + component::typeToString(t);
          return false;
        }
        seen[k] = true;
        if (!toComponentVal(v.items[i], t->elems[k], &fields[k], why)) return false;
      }
      *out = Val::record(std::move(fields));
      return true;
    }
    case TK::Variant: {
      if (v.kind != K::Variant) return mismatch(v, t, why);
      const int k = labelIndex(t, v.str);
      if (k < 0) {
        *why = "\"" + v.str + "\" is not a case of " + component::typeToString(t);
        return false;
      }
      std::optional<Val> p;
      if (!payload(v, t->elems[k], &p, why)) return false;
      *out = Val::variant(static_cast<uint32_t>(k), std::move(p));
      return true;
    }
    case TK::Enum: {
      if (v.kind != K::Enum) return mismatch(v, t, why);
      const int k = labelIndex(t, v.str);
      if (k < 0) {
        *why = "\"" + v.str + "\" is not a case of " + component::typeToString(t);
        return false;
      }
      *out = Val::enumCase(static_cast<uint32_t>(k));
      return true;
    }
    case TK::Flags: {
      if (v.kind != K::Flags) return mismatch(v, t, why);
      uint64_t bits = 0;
      for (const auto& n : v.names) {
        const int k = labelIndex(t, n);
        if (k < 0) {
          *why = "\"" + n + "\" is not a flag of " + component::typeToString(t);
          return false;
        }
        bits |= uint64_t{1} << k;
      }
      *out = Val::scalar(TK::Flags, bits);
      return true;
    }
    case TK::Option: {
      if (v.kind != K::Option) return mismatch(v, t, why);
      if (!v.bits) {
        *out = Val::none();
        return true;
      }
      std::optional<Val> p;
      if (!payload(v, t->elem(), &p, why)) return false;
      *out = Val::some(std::move(*p));
      return true;
    }
    case TK::Result: {
      if (v.kind != K::Result) return mismatch(v, t, why);
      const Type* pt = t->elems.size() == 2 ? t->elems[v.bits ? 1 : 0] : nullptr;
      std::optional<Val> p;
      if (!payload(v, pt, &p, why)) return false;
      *out = v.bits ? Val::err(std::move(p)) : Val::ok(std::move(p));
      return true;
    }
    default:
      *why = std::string("unsupported: script values of type ") + component::typeToString(t);
      return false;
  }
}

bool componentValEqual(const Val& e, const Val& a, const Type* t) {
  switch (t->kind) {
    case TK::F32: {
      const float x = e.asF32(), y = a.asF32();
      if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
      uint32_t bx, by;
      std::memcpy(&bx, &x, 4);
      std::memcpy(&by, &y, 4);
      return bx == by;
    }
    case TK::F64: {
      const double x = e.asF64(), y = a.asF64();
      if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
      return e.bits == a.bits;
    }
    case TK::String: return e.str == a.str;
    case TK::List:
    case TK::FixedList: {
      // list<u8>/list<s8> may be lifted as bytes
      auto elem = [](const Val& v, size_t i) { return v.isBytes ? Val::scalar(TK::U8, uint8_t(v.str[i])) : v.elems[i]; };
      const size_t ne = e.isBytes ? e.str.size() : e.elems.size(), na = a.isBytes ? a.str.size() : a.elems.size();
      if (ne != na) return false;
      const bool bytes = e.isBytes || a.isBytes;
      for (size_t i = 0; i < ne; ++i) {
        const Val x = elem(e, i), y = elem(a, i);
        if (bytes ? uint8_t(x.bits) != uint8_t(y.bits) : !componentValEqual(x, y, t->elem())) return false;
      }
      return true;
    }
    case TK::Tuple:
    case TK::Record: {
      if (e.elems.size() != a.elems.size() || e.elems.size() != t->elems.size()) return false;
      for (size_t i = 0; i < e.elems.size(); ++i)
        if (!componentValEqual(e.elems[i], a.elems[i], t->elems[i])) return false;
      return true;
    }
    case TK::Variant:
    case TK::Option:
    case TK::Result:
    case TK::Enum: {
      if (e.index != a.index || e.elems.size() != a.elems.size()) return false;
      if (e.elems.empty()) return true;
      const Type* pt = t->kind == TK::Variant ? t->elems[e.index]
                       : t->kind == TK::Option ? t->elem()
                       : t->elems[e.index];
      return pt && componentValEqual(e.elems[0], a.elems[0], pt);
    }
    case TK::S8: return int8_t(e.bits) == int8_t(a.bits);
    case TK::S16: return int16_t(e.bits) == int16_t(a.bits);
    case TK::S32: return int32_t(e.bits) == int32_t(a.bits);
    case TK::U8: return uint8_t(e.bits) == uint8_t(a.bits);
    case TK::U16: return uint16_t(e.bits) == uint16_t(a.bits);
    case TK::U32: case TK::Char: return uint32_t(e.bits) == uint32_t(a.bits);
    case TK::Bool: return (e.bits != 0) == (a.bits != 0);
    default: return e.bits == a.bits && e.resource == a.resource;
  }
}

const std::vector<MessageEquivalence>& wasmtimeMessageEquivalences() {
  static const std::vector<MessageEquivalence> table = {
      // traps: myrt keeps the core spec's wording
      {"wasm `unreachable` instruction executed", "unreachable"},
      // core module types checked at link time (wasmtime's texts; ours are wasmparser's subtyping messages)
      {"module export `{a}` not defined", "missing expected export `{a}`"},
      {"module import `{a}` not defined", "missing expected import `{a}`"},
      {"export `{a}` has the wrong type", "type mismatch in export `{a}`"},
      {"module import `{a}` has the wrong type", "type mismatch in import `{a}`"},
      {"expected type `(func (param i32))`, found type `(func)`", "expected: (func [i32] -> []), found (func [] -> [])"},
      // sorts: "function" is our "func", a core "module" our "core module"
      {"expected function found {b}", "expected func, found {b}"},
      {"expected module found {b}", "expected core module, found {b}"},
      {"expected {a} found {b}", "expected {a}, found {b}"},
      // an import, or an export of an imported instance, that is not there
      {"was not found", "unknown import: "},
      {"was not found", "missing expected export `"},
  };
  return table;
}

namespace {

std::string regexEscape(const std::string& s) {
  static const std::string special = R"(\^$.|?*+()[]{})";
  std::string o;
  for (char c : s) {
    if (special.find(c) != std::string::npos) o += '\\';
    o += c;
  }
  return o;
}

// Matches `text` against `pattern` with {a}/{b} placeholders; fills the captures.
bool matchPattern(const std::string& pattern, const std::string& text, std::string* a, std::string* b) {
  std::string re = "^";
  std::vector<char> order;
  size_t i = 0;
  while (i < pattern.size()) {
    size_t open = pattern.find('{', i);
    if (open == std::string::npos || open + 2 >= pattern.size() || pattern[open + 2] != '}' ||
        (pattern[open + 1] != 'a' && pattern[open + 1] != 'b')) {
      re += regexEscape(pattern.substr(i));
      break;
    }
    re += regexEscape(pattern.substr(i, open - i)) + "(.+?)";
    order.push_back(pattern[open + 1]);
    i = open + 3;
  }
  re += "$";
  std::smatch m;
  if (!std::regex_match(text, m, std::regex(re))) return false;
  for (size_t k = 0; k < order.size(); ++k) (order[k] == 'a' ? *a : *b) = m[k + 1].str();
  return true;
}

std::string substitute(std::string s, const std::string& a, const std::string& b) {
  for (auto [ph, v] : {std::pair<const char*, const std::string*>{"{a}", &a}, {"{b}", &b}})
    for (size_t p; (p = s.find(ph)) != std::string::npos;) s.replace(p, 3, *v);
  return s;
}

}  // namespace

bool equivalentMessage(const std::string& actual, const std::string& expected) {
  for (const MessageEquivalence& e : wasmtimeMessageEquivalences()) {
    std::string a, b;
    if (matchPattern(e.wasmtime, expected, &a, &b) && actual.find(substitute(e.myrt, a, b)) != std::string::npos)
      return true;
  }
  return false;
}

bool parseExclusions(const std::string& text, const std::string& file, std::vector<Exclusion>* out, std::string* error) {
  std::istringstream in(text);
  std::string line;
  for (unsigned n = 1; std::getline(in, line); ++n) {
    const size_t hash = line.find('#');
    std::string item = line.substr(0, hash), reason = hash == std::string::npos ? "" : line.substr(hash + 1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t' || item.back() == '\r')) item.pop_back();
    while (!reason.empty() && reason.front() == ' ') reason.erase(0, 1);
    while (!reason.empty() && (reason.back() == ' ' || reason.back() == '\r')) reason.pop_back();
    if (item.empty()) continue;
    const size_t colon = item.rfind(':');
    Exclusion x;
    x.script = colon == std::string::npos ? "" : item.substr(0, colon);
    const std::string num = colon == std::string::npos ? "" : item.substr(colon + 1);
    if (x.script.empty() || num.empty() || num.find_first_not_of("0123456789") != std::string::npos || num.size() > 9) {
      *error = file + ":" + std::to_string(n) + ": expected `SCRIPT:LINE  # reason`";
      return false;
    }
    if (reason.empty()) {
      *error = file + ":" + std::to_string(n) + ": an exclusion needs a reason (`# ...`)";
      return false;
    }
    x.line = unsigned(std::stoul(num));
    x.reason = reason;
    out->push_back(std::move(x));
  }
  return true;
}

}  // namespace myrt::cli
