// tests/unit/text/lexer_test.cpp -- tokenizer and numeric literal tests.
#include <catch2/catch.hpp>

#include "runtime/text/lexer.h"
#include "runtime/text/literals.h"

using namespace myrt;

static std::string lexError(std::string_view src) {
  auto r = tokenize(src);
  return r.ok() ? std::string("<ok>") : r.error().message;
}

TEST_CASE("lexer: token kinds and offsets", "[text]") {
  auto r = tokenize("(module $m (func $\"a b\" (i32.const -0x1_0) \"x\\n\\41\\u{1F600}\")) ;; c\n(; nested (; ;) ;)");
  REQUIRE(r.ok());
  auto& t = *r;
  REQUIRE(t.size() == 14);
  CHECK(t[0].kind == TokKind::LParen);
  CHECK(t[1].isKeyword("module"));
  CHECK(t[2].kind == TokKind::Id);
  CHECK(t[2].value == "m");
  CHECK(t[2].offset == 8);
  CHECK(t[5].kind == TokKind::Id);
  CHECK(t[5].value == "a b");
  CHECK(t[8].kind == TokKind::Number);
  CHECK(t[8].text == "-0x1_0");
  CHECK(t[10].kind == TokKind::String);
  CHECK(t[10].value == "x\nA\xF0\x9F\x98\x80");
  CHECK(t[13].kind == TokKind::Eof);
}

TEST_CASE("lexer: annotations are skipped or surfaced", "[text]") {
  auto r = tokenize("(func (@name \"x\" (nested \")\")) nop)");
  REQUIRE(r.ok());
  CHECK(r->size() == 5);
  auto k = tokenize("(@custom \"x\")", true);
  REQUIRE(k.ok());
  CHECK((*k)[0].kind == TokKind::Annotation);
  CHECK((*k)[0].value == "custom");
}

TEST_CASE("lexer: errors", "[text]") {
  CHECK(lexError("(data $l\"a\")") == "unknown operator");
  CHECK(lexError("(data \"a\"\"b\")") == "unknown operator");
  CHECK(lexError("br_table $l\"x\"") == "unknown operator");
  CHECK(lexError("\"abc") == "unclosed string literal");
  CHECK(lexError("\"\\q\"") == "illegal escape");
  CHECK(lexError("\"\x01\"") == "illegal control character in string literal");
  CHECK(lexError("(; open") == "unclosed comment");
  CHECK(lexError(";; \xff\n") == "malformed UTF-8 encoding");
  CHECK(lexError("\"\xc0\x80\"") == "malformed UTF-8 encoding");
  CHECK(lexError("$\"\"") == "empty identifier");
  CHECK(lexError("\xe2\x80\x83") == "illegal character");
  CHECK(lexError("(func;;bla\n)") == "<ok>");
}

TEST_CASE("literals: integers", "[text]") {
  CHECK(*parseI32("0xffffffff") == 0xffffffffu);
  CHECK(*parseI32("-0x80000000") == 0x80000000u);
  CHECK(*parseI32("-1") == 0xffffffffu);
  CHECK(*parseI32("1_000") == 1000u);
  CHECK(parseI32("4294967296").error().message == "constant out of range");
  CHECK(parseI32("+2147483648").error().message == "constant out of range");
  CHECK(parseI32("-2147483649").error().message == "constant out of range");
  CHECK(parseI32("1__0").error().message == "unknown operator");
  CHECK(parseI32("_1").error().message == "unknown operator");
  CHECK(parseI32("0x").error().message == "unknown operator");
  CHECK(*parseI64("18446744073709551615") == UINT64_MAX);
  CHECK(*parseI64("-9223372036854775808") == 0x8000000000000000ull);
  CHECK(parseI64("18446744073709551616").error().message == "constant out of range");
  CHECK(*parseI8("-128") == 0x80);
  CHECK(*parseI8("255") == 0xff);
  CHECK(parseI8("256").error().message == "constant out of range");
  CHECK(*parseI16("-1") == 0xffff);
  CHECK(*parseU32("0x10") == 16u);
  CHECK(parseU32("-1").error().message == "unknown operator");
  CHECK(looksLikeNat("12"));
  CHECK_FALSE(looksLikeNat("$x"));
}

TEST_CASE("literals: floats", "[text]") {
  CHECK(*parseF32Bits("0x1p-149") == 1u);
  CHECK(*parseF32Bits("-0.0") == 0x80000000u);
  CHECK(*parseF32Bits("1.5") == 0x3fc00000u);
  CHECK(*parseF32Bits("inf") == 0x7f800000u);
  CHECK(*parseF32Bits("-nan") == 0xffc00000u);
  CHECK(*parseF32Bits("nan:0x200000") == 0x7fa00000u);
  CHECK(*parseF32Bits("+0x1.fffffefffffff8000000p127") == 0x7f7fffffu);
  CHECK(parseF32Bits("0x1.fffffffffffffffffffp127").error().message == "constant out of range");
  CHECK(parseF32Bits("1e39").error().message == "constant out of range");
  CHECK(parseF32Bits("nan:0x800000").error().message == "constant out of range");
  CHECK(parseF32Bits("nan:0x0").error().message == "constant out of range");
  CHECK(parseF32Bits("1.e_1").error().message == "unknown operator");
  CHECK(parseF32Bits("0x.1").error().message == "unknown operator");
  // ties-to-even at the f32 boundary: 1 + 2^-24 rounds down, 1 + 3*2^-24 rounds up
  CHECK(*parseF32Bits("0x1.000001p0") == 0x3f800000u);
  CHECK(*parseF32Bits("0x1.000003p0") == 0x3f800002u);
  CHECK(*parseF64Bits("0x1p-1074") == 1ull);
  CHECK(*parseF64Bits("1_000.000_1") == 0x408f4000346dc5d6ull);
  CHECK(*parseF64Bits("1.") == 0x3ff0000000000000ull);
  CHECK(*parseF64Bits("1e+1") == 0x4024000000000000ull);
  CHECK(*parseF64Bits("nan:0xfffffffffffff") == 0x7fffffffffffffffull);
  CHECK(parseF64Bits("1e309").error().message == "constant out of range");
  CHECK(*parseF64Bits("2.2250738585072012e-308") == 0x0010000000000000ull);
}
