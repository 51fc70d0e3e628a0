// tests/unit/component/wave_test.cpp -- WAVE (runtime/component/wave.h), the value syntax of `myrt run --invoke`:
// every value type parsed from wasm-wave's README forms (flat some/ok, %-escaped labels, {:}, multiline strings,
// comments, left-out trailing options) and printed as wasm-wave's writer prints it; errors name the problem.
// GCC 12 reports a false -Wrestrict in std::string concatenation ("a" + std::string(b); GCC bug 105329).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include <catch2/catch.hpp>
#include <cmath>

#include "runtime/component/type_builder.h"
#include "runtime/component/wave.h"

using namespace myrt::component;

namespace {

// Type nodes for the tests, with a shorthand for the scalar kinds.
struct Types : TypeBuilder {
  const Type* prim(TK k) { return make(k); }
};

std::vector<Val> parse(const Type* ft, const std::string& text, std::string* error = nullptr) {
  std::vector<Val> out;
  std::string why;
  const bool ok = parseWaveArgs(text, *ft, &out, &why);
  if (error) *error = ok ? "" : why;
  else if (!ok) FAIL("parse of `" << text << "`: " << why);
  return out;
}

std::string parseError(const Type* ft, const std::string& text) {
  std::string why;
  parse(ft, text, &why);
  return why;
}

}  // namespace

TEST_CASE("WAVE: scalars, strings and chars", "[component]") {
  Types ty;
  const Type* ft = ty.func({ty.prim(TK::U8), ty.prim(TK::S32), ty.prim(TK::F64), ty.prim(TK::F32), ty.prim(TK::Bool),
                            ty.prim(TK::String), ty.prim(TK::Char)});
  auto v = parse(ft, "255, -7, 6.022e+23, 0.1, true, \"a\\tb\\u{1F600}\\\"\", '\\''");
  REQUIRE(v.size() == 7);
  CHECK(v[0].asU32() == 255);
  CHECK(v[1].asS32() == -7);
  CHECK(v[2].asF64() == 6.022e23);
  CHECK(v[3].asF32() == 0.1f);  // read as an f32, not rounded through f64
  CHECK(v[4].asBool());
  CHECK(v[5].str == "a\tb\xf0\x9f\x98\x80\"");
  CHECK(v[6].asU32() == '\'');
  // comments and whitespace between tokens
  v = parse(ft, "1, // the first\n 2, nan, -inf, false, \"\", 'x' // end");
  CHECK(std::isnan(v[2].asF64()));
  CHECK(std::isinf(v[3].asF32()));
  CHECK(parseError(ft, "256, 0, 0, 0, true, \"\", 'x'") == "integer out of range `256` at column 4");
  CHECK(parseError(ft, "1, 2, 0x10, 0, true, \"\", 'x'") == "invalid number `0x10` at column 11");
  CHECK(parseError(ft, "1, 2, 3, 4, yes, \"\", 'x'") == "expected true or false at column 16");
  CHECK(parseError(ft, "1, 2, 3, 4, true, \"a\nb\", 'x'") == "a newline in a string must be written \\n at column 21");
  CHECK(parseError(ft, "1, 2, 3, 4, true, \"\"") == "expected `,` and 7 arguments at column 21");
  CHECK(parseError(ft, "1, 2, 3, 4, true, \"\", 'x', 5") ==
        "unexpected text (the function takes 7 arguments) at column 28");
}

TEST_CASE("WAVE: multiline strings are dedented by their closing line", "[component]") {
  Types ty;
  const Type* ft = ty.func({ty.prim(TK::String)});
  CHECK(parse(ft, "\"\"\"\nA single line\n\"\"\"")[0].str == "A single line");
  CHECK(parse(ft, "\"\"\"\n    Indentation determined\n      by ending delimiter\n  \"\"\"")[0].str ==
        "  Indentation determined\n    by ending delimiter");
  // a """ inside is broken up (""\""), an empty line needs no indentation, \r is an escape
  CHECK(parse(ft, "\"\"\"\n  a \"\"\\\"\"\n\n  b\\r\n  \"\"\"")[0].str == "a \"\"\"\"\n\nb\r");
  CHECK(parseError(ft, "\"\"\" x\n\"\"\"") == "expected a line break after \"\"\" at column 4");
  CHECK(parseError(ft, "\"\"\"\nab\n  \"\"\"") ==
        "a line of a multiline string is indented less than its closing \"\"\" at column 5");
}

TEST_CASE("WAVE: lists, tuples, records, flags", "[component]") {
  Types ty;
  const Type* u8 = ty.prim(TK::U8);
  const Type* optU8 = ty.make(TK::Option, {u8});
  const Type* rec = ty.make(TK::Record, {u8, optU8}, {"must-have", "optional"});
  const Type* allOpt = ty.make(TK::Record, {optU8}, {"optional"});
  const Type* flags = ty.make(TK::Flags, {}, {"read", "write", "exec"});
  const Type* ft = ty.func({ty.make(TK::List, {u8}), ty.make(TK::Tuple, {u8, ty.prim(TK::String)}), rec, allOpt, flags});
  auto v = parse(ft, "[1, 2, 3,], (4, \"x\",), {must-have: 5}, {:}, {write, read,}");
  CHECK(v[0].elems.size() == 3);
  CHECK(v[1].elems[1].str == "x");
  CHECK(v[2].elems[0].asU32() == 5);
  CHECK(v[2].elems[1].index == 0);  // left out: none
  CHECK(v[3].elems[0].index == 0);
  CHECK(v[4].bits == 3);
  v = parse(ft, "[], (0, \"\"), {%optional: 7, must-have: 1}, {optional: none}, {}");
  CHECK(v[2].elems[1].isSome());
  CHECK(v[2].elems[1].payload()->asU32() == 7);
  CHECK(v[4].bits == 0);
  CHECK(parseError(ft, "[], (0, \"\"), {optional: 1}, {:}, {}") == "missing field `must-have` at column 27");
  CHECK(parseError(ft, "[], (0, \"\"), {must-have: 1, x: 2}, {:}, {}") == "unknown field `x` at column 30");
  CHECK(parseError(ft, "[], (0, \"\"), {must-have: 1}, {:}, {run}") == "unknown flag `run` at column 39");
}

TEST_CASE("WAVE: variants, enums, options and results (flat forms, %-escaped keyword cases)", "[component]") {
  Types ty;
  const Type* u8 = ty.prim(TK::U8);
  const Type* str = ty.prim(TK::String);
  const Type* variant = ty.make(TK::Variant, {nullptr, ty.make(TK::List, {u8}), str}, {"empty", "body", "err"});
  const Type* en = ty.make(TK::Enum, {}, {"ok", "not-found"});
  const Type* opt = ty.make(TK::Option, {u8});
  const Type* optOpt = ty.make(TK::Option, {opt});
  const Type* res = ty.make(TK::Result, {u8, str});
  const Type* resErr = ty.make(TK::Result, {nullptr, str});
  const Type* ft = ty.func({variant, en, opt, optOpt, res, resErr});
  auto v = parse(ft, "%err(\"oops\"), %ok, 123, some(none), 7, err(\"no\")");
  CHECK(v[0].index == 2);
  CHECK(v[0].payload()->str == "oops");
  CHECK(v[1].index == 0);
  CHECK(v[2].isSome());
  CHECK(v[2].payload()->asU32() == 123);
  CHECK(v[3].isSome());
  CHECK(!v[3].payload()->isSome());
  CHECK(!v[4].isErr());
  CHECK(v[4].payload()->asU32() == 7);
  CHECK(v[5].isErr());
  v = parse(ft, "body([79, 75]), not-found, none, none, ok(8), ok");
  CHECK(v[0].payload()->elems.size() == 2);
  CHECK(v[1].index == 1);
  CHECK(!v[2].isSome());
  CHECK(!v[5].isErr());
  CHECK(!v[5].payload());
  // a flat some/ok is not allowed where the payload is itself an option or result (ambiguous)
  CHECK(parseError(ft, "empty, %ok, 1, 2, 3, ok") == "expected some(...) or none at column 16");
  const Type* resOpt = ty.make(TK::Result, {opt, nullptr});
  CHECK(parseError(ty.func({resOpt}), "3") == "expected ok or err at column 2");
  CHECK(parseError(ft, "empty, lost, 1, 2, 3, ok") == "unknown case `lost` at column 12");
}

TEST_CASE("WAVE: trailing option arguments may be left out", "[component]") {
  Types ty;
  const Type* opt = ty.make(TK::Option, {ty.prim(TK::U8)});
  const Type* ft = ty.func({ty.prim(TK::U8), opt, opt});
  auto v = parse(ft, "1, some(2)");
  REQUIRE(v.size() == 3);
  CHECK(v[1].payload()->asU32() == 2);
  CHECK(!v[2].isSome());
  v = parse(ft, "1,");
  REQUIRE(v.size() == 3);
  CHECK(!v[1].isSome());
  CHECK(parseError(ft, "") == "expected an integer at column 1");
  CHECK(parse(ty.func({opt}), "").size() == 1);
}

TEST_CASE("WAVE: values print as wasm-wave's writer prints them", "[component]") {
  Types ty;
  const Type* u8 = ty.prim(TK::U8);
  const Type* opt = ty.make(TK::Option, {u8});
  CHECK(toWave(Val::f64(1e20), ty.prim(TK::F64)) == "100000000000000000000");
  CHECK(toWave(Val::f64(1e-7), ty.prim(TK::F64)) == "0.0000001");
  CHECK(toWave(Val::f64(1.5), ty.prim(TK::F64)) == "1.5");
  CHECK(toWave(Val::f64(-0.0), ty.prim(TK::F64)) == "-0");
  CHECK(toWave(Val::f64(100), ty.prim(TK::F64)) == "100");
  CHECK(toWave(Val::f32(0.1f), ty.prim(TK::F32)) == "0.1");
  CHECK(toWave(Val::f32(16777216.0f), ty.prim(TK::F32)) == "16777216");
  CHECK(toWave(Val::f64(NAN), ty.prim(TK::F64)) == "nan");
  CHECK(toWave(Val::f32(-INFINITY), ty.prim(TK::F32)) == "-inf");
  CHECK(toWave(Val::chr('\''), ty.prim(TK::Char)) == "'\\''");
  CHECK(toWave(Val::chr('"'), ty.prim(TK::Char)) == "'\\\"'");
  CHECK(toWave(Val::string("q\"'\\\n\x01\xc2\x85\xc3\xa9"), ty.prim(TK::String)) ==
        "\"q\\\"\\'\\\\\\n\\u{1}\\u{85}\xc3\xa9\"");
  const Type* rec = ty.make(TK::Record, {u8, opt}, {"a", "b"});
  CHECK(toWave(Val::record({Val::u8(1), Val::none()}), rec) == "{a: 1}");
  CHECK(toWave(Val::record({Val::u8(1), Val::some(Val::u8(2))}), rec) == "{a: 1, b: some(2)}");
  const Type* allOpt = ty.make(TK::Record, {opt}, {"b"});
  CHECK(toWave(Val::record({Val::none()}), allOpt) == "{:}");
  const Type* en = ty.make(TK::Enum, {}, {"ok", "not-found"});
  CHECK(toWave(Val::enumCase(0), en) == "%ok");
  CHECK(toWave(Val::enumCase(1), en) == "not-found");
  const Type* flags = ty.make(TK::Flags, {}, {"read", "write"});
  CHECK(toWave(Val::flags(3), flags) == "{read, write}");
  CHECK(toWave(Val::flags(0), flags) == "{}");
  // what is printed parses back to the same value
  const Type* ft = ty.func({rec, en, ty.prim(TK::F64)});
  auto v = parse(ft, toWave(Val::record({Val::u8(9), Val::none()}), rec) + ", " + toWave(Val::enumCase(0), en) + ", " +
                         toWave(Val::f64(1e-300), ty.prim(TK::F64)));
  CHECK(v[0].elems[0].asU32() == 9);
  CHECK(v[1].index == 0);
  CHECK(v[2].asF64() == 1e-300);
}
