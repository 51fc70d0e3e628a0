// tests/unit/text/wast_test.cpp -- the WAST script parser (runtime/text/wast.h): command forms, constants, patterns.
#include <catch2/catch.hpp>

#include "runtime/text/wast.h"

using namespace myrt;
using namespace myrt::wast;

namespace {
Script parseOk(std::string_view text) {
  auto r = parseScript(text);
  if (!r.ok()) FAIL("parse error at " << r.error().offset << ": " << r.error().message);
  return std::move(r).value();
}
}  // namespace

TEST_CASE("wast: module forms", "[text][wast]") {
  Script s = parseOk(R"W((module $m (func (export "f")))
(module binary "\00asm" "\01\00\00\00")
(module $q quote "(func)" "(memory 1)")
(module definition $d (memory 1))
(module instance $i $d)
(module instance $d)
;; comment (module)
(; block (; nested ;) comment ;)
(register "reg" $m)
)W");
  REQUIRE(s.commands.size() == 7);
  const Command& c0 = s.commands[0];
  CHECK(c0.kind == CommandKind::Module);
  CHECK(c0.module.form == ScriptModule::Form::Text);
  CHECK(c0.module.name == std::optional<std::string>("$m"));
  CHECK(c0.module.text == R"W((module $m (func (export "f"))))W");
  CHECK(c0.line == 1);

  const Command& c1 = s.commands[1];
  CHECK(c1.module.form == ScriptModule::Form::Binary);
  CHECK(c1.module.bytes == std::vector<uint8_t>{0, 'a', 's', 'm', 1, 0, 0, 0});
  auto enc = c1.module.encode();
  REQUIRE(enc.ok());
  CHECK(enc.value().size() == 8);

  const Command& c2 = s.commands[2];
  CHECK(c2.module.form == ScriptModule::Form::Quote);
  CHECK(c2.module.text == "(func) (memory 1) ");
  CHECK(c2.line == 3);

  const Command& c3 = s.commands[3];
  CHECK(c3.module.definition);
  CHECK(c3.module.name == std::optional<std::string>("$d"));
  CHECK(c3.module.text == "(module            $d (memory 1))");  // `definition` blanked, offsets kept

  CHECK(s.commands[4].kind == CommandKind::ModuleInstance);
  CHECK(s.commands[4].name == std::optional<std::string>("$i"));
  CHECK(s.commands[4].of == std::optional<std::string>("$d"));
  CHECK(s.commands[5].kind == CommandKind::ModuleInstance);
  CHECK_FALSE(s.commands[5].name);
  CHECK(s.commands[5].of == std::optional<std::string>("$d"));

  CHECK(s.commands[6].kind == CommandKind::Register);
  CHECK(s.commands[6].message == "reg");
  CHECK(s.commands[6].name == std::optional<std::string>("$m"));
  CHECK(s.commands[6].line == 9);
}

TEST_CASE("wast: actions and scalar results", "[text][wast]") {
  Script s = parseOk(R"W(
(assert_return (invoke $m "add" (i32.const -1) (i64.const 0xffff_ffff_ffff_ffff) (f32.const 1.5) (f64.const -0x1p-1))
  (i32.const 4294967295))
(assert_return (invoke "f") (f32.const nan:canonical) (f64.const nan:arithmetic) (f32.const nan:0x200000))
(assert_return (get "g") (i64.const -2))
(invoke "nothing")
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
(assert_exhaustion (invoke "loop") "call stack exhausted")
(assert_exception (invoke "throw"))
)W");
  REQUIRE(s.commands.size() == 7);
  const Command& c0 = s.commands[0];
  CHECK(c0.kind == CommandKind::AssertReturn);
  REQUIRE(c0.hasAction);
  CHECK(c0.action.kind == Action::Kind::Invoke);
  CHECK(c0.action.module == std::optional<std::string>("$m"));
  CHECK(c0.action.name == "add");
  REQUIRE(c0.action.args.size() == 4);
  CHECK(c0.action.args[0].type == ValKind::I32);
  CHECK(c0.action.args[0].lo == 0xFFFFFFFFu);
  CHECK(c0.action.args[1].lo == ~uint64_t(0));
  CHECK(c0.action.args[2].lo == 0x3FC00000u);
  CHECK(c0.action.args[3].lo == 0xBFE0000000000000ull);
  REQUIRE(c0.expected.size() == 1);
  CHECK(c0.expected[0].kind == Expected::Kind::Value);
  CHECK(c0.expected[0].value.lo == 0xFFFFFFFFu);

  const Command& c1 = s.commands[1];
  REQUIRE(c1.expected.size() == 3);
  CHECK(c1.expected[0].kind == Expected::Kind::Nan);
  CHECK(c1.expected[0].nan == NumPattern::NanCanonical);
  CHECK(c1.expected[0].value.type == ValKind::F32);
  CHECK(c1.expected[1].nan == NumPattern::NanArithmetic);
  CHECK(c1.expected[1].value.type == ValKind::F64);
  CHECK(c1.expected[2].kind == Expected::Kind::Value);
  CHECK(c1.expected[2].value.lo == 0x7FA00000u);

  CHECK(s.commands[2].action.kind == Action::Kind::Get);
  CHECK(s.commands[2].expected[0].value.lo == uint64_t(-2));
  CHECK(s.commands[3].kind == CommandKind::Action);
  CHECK(s.commands[4].kind == CommandKind::AssertTrap);
  CHECK(s.commands[4].message == "integer divide by zero");
  CHECK(s.commands[5].kind == CommandKind::AssertExhaustion);
  CHECK(s.commands[6].kind == CommandKind::AssertException);
}

TEST_CASE("wast: v128 constants and lane patterns", "[text][wast]") {
  Script s = parseOk(R"W(
(assert_return (invoke "v" (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 -1))
  (v128.const i32x4 1 2 3 4)
  (v128.const f32x4 nan:canonical 1.0 nan:arithmetic -0)
  (v128.const i64x2 -1 0x8000000000000000))
)W");
  REQUIRE(s.commands.size() == 1);
  const Command& c = s.commands[0];
  REQUIRE(c.action.args.size() == 1);
  CHECK(c.action.args[0].type == ValKind::V128);
  CHECK(c.action.args[0].lo == 0x0706050403020100ull);
  CHECK(c.action.args[0].hi == 0xFF0E0D0C0B0A0908ull);
  REQUIRE(c.expected.size() == 3);
  CHECK(c.expected[0].kind == Expected::Kind::Value);
  CHECK(c.expected[0].value.lo == 0x0000000200000001ull);
  CHECK(c.expected[0].value.hi == 0x0000000400000003ull);
  CHECK(c.expected[1].kind == Expected::Kind::Lanes);
  CHECK(c.expected[1].shape == V128Shape::F32x4);
  REQUIRE(c.expected[1].lanes.size() == 4);
  CHECK(c.expected[1].lanes[0].pat == NumPattern::NanCanonical);
  CHECK(c.expected[1].lanes[1].bits == 0x3F800000u);
  CHECK(c.expected[1].lanes[2].pat == NumPattern::NanArithmetic);
  CHECK(c.expected[1].lanes[3].bits == 0x80000000u);  // -0
  CHECK(c.expected[2].value.lo == ~uint64_t(0));
  CHECK(c.expected[2].value.hi == 0x8000000000000000ull);
}

TEST_CASE("wast: reference constants and patterns, either", "[text][wast]") {
  Script s = parseOk(R"W(
(assert_return (invoke "r" (ref.null func) (ref.extern 7) (ref.host 3) (ref.null extern))
  (ref.null) (ref.null any) (ref.extern) (ref.extern 2) (ref.func) (ref.host 1) (ref.any) (ref.eq) (ref.i31)
  (ref.struct) (ref.array) (ref.exn) (either (i32.const 1) (i32.const 2)))
)W");
  const Command& c = s.commands.at(0);
  REQUIRE(c.action.args.size() == 4);
  CHECK(c.action.args[0].type == ValKind::Ref);
  CHECK(c.action.args[0].ref == RefKind::Null);
  CHECK(c.action.args[0].heap.kind == HeapKind::Func);
  CHECK(c.action.args[1].ref == RefKind::Extern);
  CHECK(c.action.args[1].refIndex == std::optional<uint32_t>(7));
  CHECK(c.action.args[2].ref == RefKind::Host);
  CHECK(c.action.args[3].heap.kind == HeapKind::Extern);
  REQUIRE(c.expected.size() == 13);
  CHECK(c.expected[0].value.nullAnyHeap);
  CHECK(c.expected[1].value.heap.kind == HeapKind::Any);
  CHECK(c.expected[2].value.ref == RefKind::Extern);
  CHECK_FALSE(c.expected[2].value.refIndex);
  CHECK(c.expected[3].value.refIndex == std::optional<uint32_t>(2));
  CHECK(c.expected[4].value.ref == RefKind::Func);
  CHECK(c.expected[6].value.ref == RefKind::Any);
  CHECK(c.expected[7].value.ref == RefKind::Eq);
  CHECK(c.expected[8].value.ref == RefKind::I31);
  CHECK(c.expected[9].value.ref == RefKind::Struct);
  CHECK(c.expected[10].value.ref == RefKind::Array);
  CHECK(c.expected[11].value.ref == RefKind::Exn);
  CHECK(c.expected[12].kind == Expected::Kind::Either);
  REQUIRE(c.expected[12].either.size() == 2);
  CHECK(c.expected[12].either[1].value.lo == 2);
}

TEST_CASE("wast: assertions on modules", "[text][wast]") {
  Script s = parseOk(R"W(
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_malformed (module quote "(func") "unexpected end")
(assert_malformed (module binary "\00asm") "unexpected end")
(assert_unlinkable (module (import "x" "y" (func))) "unknown import")
(assert_uninstantiable (module (func $f unreachable) (start $f)) "unreachable")
(assert_trap (module (func $f unreachable) (start $f)) "unreachable")
)W");
  REQUIRE(s.commands.size() == 6);
  CHECK(s.commands[0].kind == CommandKind::AssertInvalid);
  CHECK(s.commands[0].hasModule);
  CHECK(s.commands[0].message == "type mismatch");
  CHECK(s.commands[1].kind == CommandKind::AssertMalformed);
  CHECK(s.commands[1].module.form == ScriptModule::Form::Quote);
  CHECK(s.commands[2].module.form == ScriptModule::Form::Binary);
  CHECK(s.commands[3].kind == CommandKind::AssertUnlinkable);
  CHECK(s.commands[4].kind == CommandKind::AssertUninstantiable);
  CHECK(s.commands[5].kind == CommandKind::AssertTrap);
  CHECK(s.commands[5].hasModule);
  CHECK_FALSE(s.commands[5].hasAction);
}

TEST_CASE("wast: unsupported commands, annotations and inline modules", "[text][wast]") {
  Script s = parseOk(R"W(
(@annotation at (script) level)
((@a) module (@a) $m)
(thread $T (shared (module $Mem)) (invoke "run"))
(wait $T)
(assert_malformed_custom (module quote "(@custom)") "malformed")
)W");
  REQUIRE(s.commands.size() == 4);
  CHECK(s.commands[0].kind == CommandKind::Module);
  CHECK(s.commands[0].module.name == std::optional<std::string>("$m"));
  CHECK(s.commands[1].kind == CommandKind::Thread);
  CHECK(s.commands[1].keyword == "thread");
  CHECK(s.commands[1].name == std::optional<std::string>("$T"));
  REQUIRE(s.commands[1].shared.size() == 1);
  CHECK(s.commands[1].shared[0] == "$Mem");
  REQUIRE(s.commands[1].body.size() == 1);
  CHECK(s.commands[1].body[0].kind == CommandKind::Action);
  CHECK(s.commands[2].kind == CommandKind::Wait);
  CHECK(s.commands[2].name == std::optional<std::string>("$T"));
  CHECK(s.commands[3].kind == CommandKind::Unsupported);

  Script cr = parseOk(";; comment ended by CR\r(module $cr)");
  REQUIRE(cr.commands.size() == 1);
  CHECK(cr.commands[0].module.name == std::optional<std::string>("$cr"));

  Script inl = parseOk("(func) (memory 0) (func (export \"f\"))");
  REQUIRE(inl.commands.size() == 1);
  CHECK(inl.commands[0].kind == CommandKind::Module);
  CHECK(inl.commands[0].module.text == "(func) (memory 0) (func (export \"f\"))");
}

TEST_CASE("wast: script errors are reported, never crash", "[text][wast]") {
  const char* bad[] = {
      "(module",
      "(assert_return (invoke \"f\" (i32.const 0x1_0000_0000)))",
      "(assert_return (invoke \"f\") (i32.const nan:canonical))",
      "(register)",
      "(invoke \"unclosed)",
      "(; unclosed comment",
      "(assert_invalid (module) )",
      "(assert_return (invoke \"f\" (v128.const i32x4 1 2 3)))",
      "(assert_return (invoke \"f\" (ref.null bogus)))",
      "(module binary \"\\zz\")",
      ")",
      "((((((((((",
  };
  for (const char* t : bad) {
    INFO(t);
    CHECK_FALSE(parseScript(t).ok());
  }
  std::string deep(100000, '(');
  CHECK_FALSE(parseScript(deep).ok());
  std::string deepAnn;
  for (int i = 0; i < 10000; ++i) deepAnn += "(@a ";
  CHECK_FALSE(parseScript(deepAnn).ok());
  std::string deepEither = "(assert_return (invoke \"f\")";
  for (int i = 0; i < 10000; ++i) deepEither += " (either";
  CHECK_FALSE(parseScript(deepEither).ok());
}

TEST_CASE("wast: component-model scripts", "[text][wast][component]") {
  Script s = parseOk(R"WAST((component definition $D (core module $m))
(component instance $i $D)
(assert_return (invoke "f" (u32.const 4294967295) (s8.const -128) (str.const "h\u{e9}")
                (record.const (field "a" bool.const true) (field "b" (char.const "\u{1F600}")))
                (list.const (u8.const 1) (u8.const 2)) (variant.const "c" (option.some (f32.const 1.5)))
                (flags.const "x" "y") (enum.const "e") (option.none) (result.ok) (result.err (s64.const -1))
                (tuple.const (u16.const 65535)))
  (tuple.const (f64.const -0)))
(component $c (import "x" (func)))
(assert_invalid (component (type (list u8 0))) "zero length")
(assert_malformed (component quote "(type $t u8) (type $t u8)") "duplicate")
(module $core (func (export "g")))
(assert_return (invoke "g" (i32.const 1)))
(assert_return (invoke $c "h" (u32.const 7)) (u32.const 8))
)WAST");
  REQUIRE(s.commands.size() == 9);
  const Command& def = s.commands[0];
  CHECK(def.kind == CommandKind::Module);
  CHECK(def.module.component);
  CHECK(def.module.definition);
  CHECK(s.commands[1].kind == CommandKind::ModuleInstance);
  CHECK(s.commands[1].module.component);
  const Command& ret = s.commands[2];
  REQUIRE(ret.action.component);
  REQUIRE(ret.action.compArgs.size() == 12);
  using K = CompValue::Kind;
  const auto& a = ret.action.compArgs;
  CHECK(a[0].kind == K::U32);
  CHECK(a[0].bits == 4294967295u);
  CHECK(a[1].kind == K::S8);
  CHECK(static_cast<int64_t>(a[1].bits) == -128);
  CHECK(a[2].str == "h\xC3\xA9");
  REQUIRE(a[3].kind == K::Record);
  CHECK(a[3].names == std::vector<std::string>{"a", "b"});
  CHECK(a[3].items[0].bits == 1);
  CHECK(a[3].items[1].kind == K::Char);
  CHECK(a[3].items[1].bits == 0x1F600);
  CHECK(a[4].items.size() == 2);
  CHECK(a[5].str == "c");
  CHECK(a[5].items[0].kind == K::Option);
  CHECK(a[5].items[0].bits == 1);
  CHECK(a[5].items[0].items[0].bits == 0x3FC00000);
  CHECK(a[6].names.size() == 2);
  CHECK(a[7].str == "e");
  CHECK(a[8].items.empty());
  CHECK(a[9].bits == 0);
  CHECK(a[10].bits == 1);
  CHECK(a[11].items[0].bits == 65535);
  REQUIRE(ret.compExpected.size() == 1);
  CHECK(ret.compExpected[0].items[0].bits == 0x8000000000000000ull);
  // definitions do not change the target; `component $c` and a core module do
  CHECK(s.commands[3].module.component);
  CHECK(s.commands[4].kind == CommandKind::AssertInvalid);
  CHECK(s.commands[4].module.component);
  auto enc = s.commands[4].module.encode();
  REQUIRE(enc.ok());
  CHECK((*enc)[4] == 0x0D);
  auto bad = s.commands[5].module.encode();
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("duplicate") == 0);
  CHECK_FALSE(s.commands[7].action.component);  // after a core module
  CHECK(s.commands[8].action.component);        // named component
  CHECK(s.commands[8].compExpected.size() == 1);
  const char* bad2[] = {
      "(component) (assert_return (invoke \"f\" (u8.const 256)))",
      "(component) (assert_return (invoke \"f\" (s8.const -129)))",
      "(component) (assert_return (invoke \"f\" (char.const \"ab\")))",
      "(component) (assert_return (invoke \"f\" (bool.const maybe)))",
      "(component) (assert_return (invoke \"f\" (i32.const 1)))",
      "(component) (assert_return (invoke \"f\" (option.some)))",
  };
  for (const char* t : bad2) {
    INFO(t);
    CHECK_FALSE(parseScript(t).ok());
  }
  std::string deep = "(component) (invoke \"f\"";
  for (int i = 0; i < 10000; ++i) deep += " (list.const";
  CHECK_FALSE(parseScript(deep).ok());
}
