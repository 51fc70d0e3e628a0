// tests/unit/semantics/numeric_spec_test.cpp -- cross-checks runtime/semantics/numeric*.h against the assert_return /
// assert_trap lines of the spec testsuite's numeric scripts, read at test time (never copied into the repository).
//
// A deliberately small reader: s-expressions, and in each module the exported functions whose body is exactly one
// numeric op applied to the parameters in order (`(i32.add (local.get $x) (local.get $y))`, lane immediates allowed).
// Assertions invoking such a function are evaluated with evalNumeric(); everything else in the scripts is skipped.
// Layer: tests (depends on interp only; not on the text parser, so it keeps working while that stage changes).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/semantics/numeric_simd.h"

#ifndef MYRT_SPEC_TESTSUITE_20
#define MYRT_SPEC_TESTSUITE_20 MYRT_SOURCE_DIR "/../shared/spec-testsuite-2.0"
#endif
#ifndef MYRT_SPEC_TESTSUITE
#define MYRT_SPEC_TESTSUITE MYRT_SOURCE_DIR "/../shared/spec-testsuite"
#endif

using namespace myrt;

namespace {

// ---- s-expressions ---------------------------------------------------------------------------------------------------
struct Sx {
  bool isList = false;
  bool isString = false;
  std::string atom;  // atom text, or string contents (escapes left as written)
  std::vector<Sx> items;
  size_t line = 0;
  const std::string& head() const {
    static const std::string empty;
    return isList && !items.empty() && !items[0].isList ? items[0].atom : empty;
  }
};

class SxReader {
 public:
  explicit SxReader(std::string text) : s_(std::move(text)) {}
  // Top-level forms; stops at the end (or the first malformed form).
  std::vector<Sx> readAll() {
    std::vector<Sx> out;
    for (;;) {
      skipSpace();
      if (p_ >= s_.size() || s_[p_] != '(') break;
      auto f = read();
      if (!f) break;
      out.push_back(std::move(*f));
    }
    return out;
  }

 private:
  void skipSpace() {
    while (p_ < s_.size()) {
      char c = s_[p_];
      if (c == '\n') { ++line_; ++p_; }
      else if (c == ' ' || c == '\t' || c == '\r') ++p_;
      else if (c == ';' && p_ + 1 < s_.size() && s_[p_ + 1] == ';') { while (p_ < s_.size() && s_[p_] != '\n') ++p_; }
      else if (c == '(' && p_ + 1 < s_.size() && s_[p_ + 1] == ';') {
        int depth = 0;
        while (p_ + 1 < s_.size()) {
          if (s_[p_] == '(' && s_[p_ + 1] == ';') { ++depth; p_ += 2; }
          else if (s_[p_] == ';' && s_[p_ + 1] == ')') { p_ += 2; if (--depth == 0) break; }
          else { if (s_[p_] == '\n') ++line_; ++p_; }
        }
      } else break;
    }
  }
  std::optional<Sx> read() {
    skipSpace();
    if (p_ >= s_.size()) return std::nullopt;
    Sx x;
    x.line = line_;
    char c = s_[p_];
    if (c == '(') {
      ++p_;
      x.isList = true;
      for (;;) {
        skipSpace();
        if (p_ >= s_.size()) return std::nullopt;
        if (s_[p_] == ')') { ++p_; return x; }
        auto item = read();
        if (!item) return std::nullopt;
        x.items.push_back(std::move(*item));
      }
    }
    if (c == ')') return std::nullopt;
    if (c == '"') {
      x.isString = true;
      ++p_;
      while (p_ < s_.size() && s_[p_] != '"') {
        if (s_[p_] == '\\' && p_ + 1 < s_.size()) x.atom += s_[p_++];
        x.atom += s_[p_++];
      }
      ++p_;
      return x;
    }
    while (p_ < s_.size() && !std::strchr(" \t\r\n()\"", s_[p_]) && s_.compare(p_, 2, ";;") != 0) x.atom += s_[p_++];
    if (x.atom.empty()) x.atom += s_[p_++];  // always make progress
    return x;
  }
  std::string s_;
  size_t p_ = 0;
  size_t line_ = 1;
};

// ---- literals --------------------------------------------------------------------------------------------------------
std::string stripUnderscores(const std::string& s) {
  std::string r;
  for (char c : s)
    if (c != '_') r += c;
  return r;
}

std::optional<uint64_t> parseInt(const std::string& text) {
  std::string s = stripUnderscores(text);
  bool neg = false;
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  if (i >= s.size()) return std::nullopt;
  int base = 10;
  if (s.compare(i, 2, "0x") == 0) { base = 16; i += 2; }
  char* end = nullptr;
  errno = 0;
  uint64_t mag = std::strtoull(s.c_str() + i, &end, base);
  if (errno != 0 || *end != 0) return std::nullopt;
  return neg ? 0 - mag : mag;
}

// Float literal -> bit pattern. `pattern` receives "canonical"/"arithmetic" for nan:canonical / nan:arithmetic.
template <typename F>
std::optional<typename num::FloatTraits<F>::Bits> parseFloat(const std::string& text, std::string* pattern) {
  using T = num::FloatTraits<F>;
  using Bits = typename T::Bits;
  std::string s = stripUnderscores(text);
  bool neg = false;
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  std::string body = s.substr(i);
  Bits sign = neg ? T::kSign : 0;
  if (body == "nan:canonical" || body == "nan:arithmetic") {
    if (pattern) *pattern = body.substr(4);
    return sign | T::kExp | T::kQuiet;
  }
  if (body == "inf") return sign | T::kExp;
  if (body == "nan") return sign | T::kExp | T::kQuiet;
  if (body.compare(0, 4, "nan:") == 0) {
    auto payload = parseInt(body.substr(4));
    if (!payload) return std::nullopt;
    return sign | T::kExp | (*payload & T::kMant);
  }
  char* end = nullptr;
  F v;
  if constexpr (std::is_same_v<F, float>) v = std::strtof(body.c_str(), &end);
  else v = std::strtod(body.c_str(), &end);
  if (*end != 0) return std::nullopt;
  return num::toBits(v) | sign;
}

// A typed value or expected-value pattern per lane.
struct Val {
  ValKind kind = ValKind::I32;
  V128 bits = V128::zero();
  // Per lane (f32x4: 4, f64x2: 2, scalars: lane 0): "", "canonical" or "arithmetic"
  std::vector<std::string> patterns;
  unsigned floatLaneBytes = 0;  // 4 or 8 when patterns apply to float lanes
};

std::optional<Val> parseConst(const Sx& x) {
  if (!x.isList || x.items.size() < 2) return std::nullopt;
  const std::string& h = x.head();
  Val v;
  std::string pat;
  if (h == "i32.const") {
    auto n = parseInt(x.items[1].atom);
    if (!n) return std::nullopt;
    v.kind = ValKind::I32;
    v.bits.setLane<uint32_t>(0, static_cast<uint32_t>(*n));
  } else if (h == "i64.const") {
    auto n = parseInt(x.items[1].atom);
    if (!n) return std::nullopt;
    v.kind = ValKind::I64;
    v.bits.setLane<uint64_t>(0, *n);
  } else if (h == "f32.const") {
    auto b = parseFloat<float>(x.items[1].atom, &pat);
    if (!b) return std::nullopt;
    v.kind = ValKind::F32;
    v.bits.setLane<uint32_t>(0, *b);
    v.patterns = {pat};
    v.floatLaneBytes = 4;
  } else if (h == "f64.const") {
    auto b = parseFloat<double>(x.items[1].atom, &pat);
    if (!b) return std::nullopt;
    v.kind = ValKind::F64;
    v.bits.setLane<uint64_t>(0, *b);
    v.patterns = {pat};
    v.floatLaneBytes = 8;
  } else if (h == "v128.const") {
    v.kind = ValKind::V128;
    const std::string& shape = x.items[1].atom;
    unsigned lanes = shape == "i8x16" ? 16 : shape == "i16x8" ? 8 : (shape == "i32x4" || shape == "f32x4") ? 4 : 2;
    if (x.items.size() != 2 + lanes) return std::nullopt;
    for (unsigned l = 0; l < lanes; ++l) {
      const std::string& a = x.items[2 + l].atom;
      if (shape[0] == 'f') {
        pat.clear();
        if (shape == "f32x4") {
          auto b = parseFloat<float>(a, &pat);
          if (!b) return std::nullopt;
          v.bits.setLane<uint32_t>(l, *b);
        } else {
          auto b = parseFloat<double>(a, &pat);
          if (!b) return std::nullopt;
          v.bits.setLane<uint64_t>(l, *b);
        }
        v.patterns.push_back(pat);
        v.floatLaneBytes = shape == "f32x4" ? 4 : 8;
      } else {
        auto n = parseInt(a);
        if (!n) return std::nullopt;
        if (lanes == 16) v.bits.setLane<uint8_t>(l, static_cast<uint8_t>(*n));
        else if (lanes == 8) v.bits.setLane<uint16_t>(l, static_cast<uint16_t>(*n));
        else if (lanes == 4) v.bits.setLane<uint32_t>(l, static_cast<uint32_t>(*n));
        else v.bits.setLane<uint64_t>(l, *n);
      }
    }
  } else {
    return std::nullopt;
  }
  return v;
}

bool matches(const Val& expected, const V128& got) {
  if (expected.floatLaneBytes == 0) {
    unsigned bytes = expected.kind == ValKind::I32 ? 4 : expected.kind == ValKind::I64 ? 8 : 16;
    return std::memcmp(expected.bits.bytes, got.bytes, bytes) == 0;
  }
  unsigned w = expected.floatLaneBytes;
  for (unsigned l = 0; l < expected.patterns.size(); ++l) {
    const std::string& p = expected.patterns[l];
    if (p.empty()) {
      if (std::memcmp(expected.bits.bytes + l * w, got.bytes + l * w, w) != 0) return false;
    } else if (w == 4) {
      float f = got.lane<float>(l);
      if (!(p == "canonical" ? num::isCanonicalNaN(f) : num::isArithmeticNaN(f))) return false;
    } else {
      double d = got.lane<double>(l);
      if (!(p == "canonical" ? num::isCanonicalNaN(d) : num::isArithmeticNaN(d))) return false;
    }
  }
  // v128 results with float lanes cover all 16 bytes through the lanes; scalars compared their lane above
  return true;
}

std::string hex(const V128& v, unsigned bytes) {
  std::ostringstream os;
  os << "0x";
  for (unsigned i = bytes; i-- > 0;) {
    static const char* d = "0123456789abcdef";
    os << d[v.bytes[i] >> 4] << d[v.bytes[i] & 15];
  }
  return os.str();
}

// ---- the checker -----------------------------------------------------------------------------------------------------
struct Target {
  Op op;
  V128 imm = V128::zero();
};

// If `func` is `(func (export "name") params results BODY)` with BODY exactly one numeric op over the parameters in
// order (plus integer lane immediates), returns the export name and the op.
std::optional<std::pair<std::string, Target>> singleOpFunc(const Sx& func) {
  std::string name;
  std::map<std::string, unsigned> paramIndex;
  unsigned numParams = 0;
  std::vector<const Sx*> body;
  for (size_t i = 1; i < func.items.size(); ++i) {
    const Sx& it = func.items[i];
    if (it.head() == "export" && it.items.size() == 2) name = it.items[1].atom;
    else if (it.head() == "param") {
      if (it.items.size() == 3 && it.items[1].atom.size() && it.items[1].atom[0] == '$') paramIndex[it.items[1].atom] = numParams++;
      else numParams += static_cast<unsigned>(it.items.size() - 1);
    } else if (it.head() == "result" || it.head() == "type") {
      continue;
    } else if (!it.isList && !it.atom.empty() && it.atom[0] == '$') {
      continue;
    } else {
      body.push_back(&it);
    }
  }
  if (name.empty()) return std::nullopt;
  // Flatten folded and plain instruction sequences into one post-order atom stream.
  std::vector<std::string> atoms;
  std::function<void(const Sx&)> flat = [&](const Sx& x) {
    if (!x.isList) { atoms.push_back(x.atom); return; }
    if (x.items.empty()) return;
    // folded: (op imm* operand*) -> operands first, then op imm*
    std::vector<std::string> head;
    size_t k = 0;
    for (; k < x.items.size() && !x.items[k].isList; ++k) head.push_back(x.items[k].atom);
    for (; k < x.items.size(); ++k) flat(x.items[k]);
    atoms.insert(atoms.end(), head.begin(), head.end());
  };
  for (const Sx* b : body) flat(*b);
  std::optional<Op> op;
  std::vector<unsigned> gets;
  std::vector<uint8_t> imms;
  for (size_t i = 0; i < atoms.size(); ++i) {
    const std::string& a = atoms[i];
    if (a == "local.get" && i + 1 < atoms.size()) {
      const std::string& ref = atoms[++i];
      if (!ref.empty() && ref[0] == '$') {
        auto it = paramIndex.find(ref);
        if (it == paramIndex.end()) return std::nullopt;
        gets.push_back(it->second);
      } else {
        auto n = parseInt(ref);
        if (!n) return std::nullopt;
        gets.push_back(static_cast<unsigned>(*n));
      }
      continue;
    }
    if (auto o = opFromName(a)) {
      if (op || !isNumericOp(*o)) return std::nullopt;
      op = *o;
      continue;
    }
    auto n = parseInt(a);
    if (!n || !op) return std::nullopt;  // an immediate must follow the op
    imms.push_back(static_cast<uint8_t>(*n));
  }
  if (!op) return std::nullopt;
  if (gets.size() != opInfo(*op).sig.numParams || gets.size() != numParams) return std::nullopt;
  for (unsigned i = 0; i < gets.size(); ++i)
    if (gets[i] != i) return std::nullopt;
  Target t{*op};
  ImmKind ik = opInfo(*op).imm;
  if (ik == ImmKind::Lane) {
    if (imms.size() != 1) return std::nullopt;
    t.imm.bytes[0] = imms[0];
  } else if (ik == ImmKind::Shuffle) {
    if (imms.size() != 16) return std::nullopt;
    std::memcpy(t.imm.bytes, imms.data(), 16);
  } else if (!imms.empty()) {
    return std::nullopt;
  }
  return std::make_pair(name, t);
}

struct Stats {
  unsigned checked = 0, failed = 0, skipped = 0;
};

void checkScript(const std::string& path, Stats& st) {
  std::ifstream in(path);
  if (!in) FAIL("cannot open " << path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto forms = SxReader(ss.str()).readAll();
  std::map<std::string, Target> funcs;
  for (const Sx& f : forms) {
    const std::string& h = f.head();
    if (h == "module") {
      funcs.clear();
      for (const Sx& it : f.items)
        if (it.head() == "func")
          if (auto t = singleOpFunc(it)) funcs[t->first] = t->second;
      continue;
    }
    if (h != "assert_return" && h != "assert_trap") continue;
    if (f.items.size() < 2 || f.items[1].head() != "invoke") { ++st.skipped; continue; }
    const Sx& inv = f.items[1];
    size_t k = 1;
    if (k < inv.items.size() && !inv.items[k].isString) ++k;  // module name
    if (k >= inv.items.size()) { ++st.skipped; continue; }
    auto fit = funcs.find(inv.items[k].atom);
    if (fit == funcs.end()) { ++st.skipped; continue; }
    std::vector<V128> args;
    bool ok = true;
    for (size_t a = k + 1; a < inv.items.size(); ++a) {
      auto v = parseConst(inv.items[a]);
      if (!v) { ok = false; break; }
      args.push_back(v->bits);
    }
    if (!ok) { ++st.skipped; continue; }
    Op op = fit->second.op;
    auto r = evalNumeric(op, args.data(), fit->second.imm);
    std::string where = path + ":" + std::to_string(f.line) + " " + std::string(opName(op));
    ++st.checked;
    if (h == "assert_trap") {
      std::string want = f.items.size() > 2 ? f.items[2].atom : "";
      if (r.ok() || want != trapMessage(r.trap)) {
        ++st.failed;
        FAIL_CHECK(where << ": expected trap \"" << want << "\", got " << (r.ok() ? "a value" : trapMessage(r.trap)));
      }
      continue;
    }
    if (!r.ok()) {
      ++st.failed;
      FAIL_CHECK(where << ": unexpected trap " << trapMessage(r.trap));
      continue;
    }
    if (f.items.size() < 3) continue;
    std::vector<Val> alternatives;
    const Sx& e = f.items[2];
    if (e.head() == "either") {
      for (size_t a = 1; a < e.items.size(); ++a)
        if (auto v = parseConst(e.items[a])) alternatives.push_back(*v);
    } else if (auto v = parseConst(e)) {
      alternatives.push_back(*v);
    }
    if (alternatives.empty()) { --st.checked; ++st.skipped; continue; }
    bool any = false;
    for (const Val& v : alternatives) any = any || matches(v, r.value);
    if (!any) {
      ++st.failed;
      unsigned bytes = alternatives[0].kind == ValKind::I32 || alternatives[0].kind == ValKind::F32 ? 4
                       : alternatives[0].kind == ValKind::V128                                        ? 16
                                                                                                      : 8;
      FAIL_CHECK(where << ": expected " << hex(alternatives[0].bits, bytes) << " got " << hex(r.value, bytes));
    }
  }
}

bool dirExists(const std::string& d) { return std::ifstream(d + "/i32.wast").good(); }

}  // namespace

TEST_CASE("numeric ops agree with the spec testsuite (2.0 scalar scripts)", "[interp][numeric][spec]") {
  std::string dir = MYRT_SPEC_TESTSUITE_20;
  if (!dirExists(dir)) FAIL("spec testsuite 2.0 not found at " << dir << " (MYRT_TEST_DATA, scripts/fetch-test-data.sh)");
  Stats st;
  for (const char* f : {"i32", "i64", "f32", "f64", "f32_bitwise", "f64_bitwise", "f32_cmp", "f64_cmp", "conversions",
                        "float_misc", "float_exprs", "int_exprs"})
    checkScript(dir + "/" + f + ".wast", st);
  INFO("checked " << st.checked << ", skipped " << st.skipped);
  CHECK(st.failed == 0);
  CHECK(st.checked > 12000);  // ~12,300 applicable assertions: make sure they were not skipped
  // the 3.0 suite's float_misc.wast differs from 2.0's
  std::string dir30 = MYRT_SPEC_TESTSUITE;
  if (dirExists(dir30)) {
    Stats st30;
    checkScript(dir30 + "/float_misc.wast", st30);
    CHECK(st30.failed == 0);
    CHECK(st30.checked > 300);
  }
}

TEST_CASE("SIMD ops agree with the spec testsuite (simd_*.wast)", "[interp][numeric][spec][simd]") {
  std::string dir = MYRT_SPEC_TESTSUITE_20;
  if (!dirExists(dir)) FAIL("spec testsuite 2.0 not found at " << dir << " (MYRT_TEST_DATA, scripts/fetch-test-data.sh)");
  Stats st;
  for (const char* f :
       {"simd_bit_shift", "simd_bitwise", "simd_boolean", "simd_conversions", "simd_f32x4", "simd_f32x4_arith",
        "simd_f32x4_cmp", "simd_f32x4_pmin_pmax", "simd_f32x4_rounding", "simd_f64x2", "simd_f64x2_arith",
        "simd_f64x2_cmp", "simd_f64x2_pmin_pmax", "simd_f64x2_rounding", "simd_i16x8_arith", "simd_i16x8_arith2",
        "simd_i16x8_cmp", "simd_i16x8_extadd_pairwise_i8x16", "simd_i16x8_extmul_i8x16", "simd_i16x8_q15mulr_sat_s",
        "simd_i16x8_sat_arith", "simd_i32x4_arith", "simd_i32x4_arith2", "simd_i32x4_cmp", "simd_i32x4_dot_i16x8",
        "simd_i32x4_extadd_pairwise_i16x8", "simd_i32x4_extmul_i16x8", "simd_i32x4_trunc_sat_f32x4",
        "simd_i32x4_trunc_sat_f64x2", "simd_i64x2_arith", "simd_i64x2_arith2", "simd_i64x2_cmp",
        "simd_i64x2_extmul_i32x4", "simd_i8x16_arith", "simd_i8x16_arith2", "simd_i8x16_cmp", "simd_i8x16_sat_arith",
        "simd_int_to_int_extend", "simd_lane", "simd_splat"})
    checkScript(dir + "/" + f + ".wast", st);
  // scripts that changed in the 3.0 suite
  std::string dir30 = MYRT_SPEC_TESTSUITE;
  if (dirExists(dir30))
    for (const char* f : {"simd_i32x4_dot_i16x8", "simd_lane"}) checkScript(dir30 + "/" + f + ".wast", st);
  INFO("checked " << st.checked << ", skipped " << st.skipped);
  CHECK(st.failed == 0);
  CHECK(st.checked > 5000);
}

TEST_CASE("relaxed SIMD choices are among the spec's alternatives", "[interp][numeric][spec][simd]") {
  std::string dir = MYRT_SPEC_TESTSUITE;
  if (!dirExists(dir)) FAIL("spec testsuite 3.0 not found at " << dir << " (MYRT_TEST_DATA, scripts/fetch-test-data.sh)");
  Stats st;
  for (const char* f : {"i16x8_relaxed_q15mulr_s", "i32x4_relaxed_trunc", "i8x16_relaxed_swizzle",
                        "relaxed_dot_product", "relaxed_laneselect", "relaxed_madd_nmadd", "relaxed_min_max"})
    checkScript(dir + "/" + f + ".wast", st);
  INFO("checked " << st.checked << ", skipped " << st.skipped);
  CHECK(st.failed == 0);
  CHECK(st.checked > 30);
}

TEST_CASE("every assert_trap / assert_exhaustion text of the suites is a TrapReason", "[interp][numeric][spec][trap]") {
  unsigned seen = 0;
  for (std::string dir : {std::string(MYRT_SPEC_TESTSUITE_20), std::string(MYRT_SPEC_TESTSUITE)}) {
    if (!dirExists(dir)) { WARN("spec testsuite not found at " << dir << "; skipped"); continue; }
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
      if (e.path().extension() != ".wast") continue;
      std::ifstream in(e.path());
      std::stringstream ss;
      ss << in.rdbuf();
      for (const Sx& f : SxReader(ss.str()).readAll()) {
        if (f.head() != "assert_trap" && f.head() != "assert_exhaustion") continue;
        if (f.items.size() < 3 || !f.items.back().isString) continue;
        const std::string& msg = f.items.back().atom;
        // the runner matches by prefix ("uninitialized element 2" is "uninitialized element")
        bool found = false;
        for (unsigned i = 1; i < kNumTrapReasons && !found; ++i)
          found = msg.rfind(trapMessage(static_cast<TrapReason>(i)), 0) == 0;
        INFO(e.path().string() << ":" << f.line << " \"" << msg << "\"");
        CHECK(found);
        ++seen;
      }
    }
  }
  if (seen) CHECK(seen > 1000);
}
