// tests/unit/text/wat_test.cpp -- watToBinary: exact encodings, abbreviations, symbolic ids, implicit types, the name
// section, text-level errors with the reference interpreter's wording, and decode+validate of feature-rich modules.
#include <catch2/catch.hpp>

#include <algorithm>

#include "runtime/binary/decoder.h"
#include "runtime/text/wat.h"
#include "runtime/valid/validator.h"

using namespace myrt;

namespace {

std::vector<uint8_t> wat(std::string_view text) {
  auto r = watToBinary(text);
  if (!r.ok()) FAIL(r.error().message << " at " << lineCol(text, r.error().offset).col);
  return std::move(r).value();
}

std::string watError(std::string_view text) {
  auto r = watToBinary(text);
  return r.ok() ? std::string("<ok>") : r.error().message;
}

Module decoded(std::string_view text) {
  auto m = decodeModule(wat(text));
  if (!m.ok()) FAIL("decode: " << m.error().toString());
  return std::move(m).value();
}

bool validates(std::string_view text) {
  auto m = decodeModule(wat(text));
  if (!m.ok()) return false;
  Status st = validateModule(*m);
  if (!st.ok()) UNSCOPED_INFO("validate: " << st.error().toString());
  return st.ok();
}

}  // namespace

TEST_CASE("wat: exact encoding of a small module", "[text][wat]") {
  auto b = watToBinary("(module (func (export \"f\") (param i32) (result i32) local.get 0 i32.const -1 i32.add))");
  REQUIRE(b.ok());
  const std::vector<uint8_t> expected = {
      0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,  // header
      0x01, 0x06, 0x01, 0x60, 0x01, 0x7F, 0x01, 0x7F,  // type section
      0x03, 0x02, 0x01, 0x00,                          // function section
      0x07, 0x05, 0x01, 0x01, 'f', 0x00, 0x00,         // export section
      0x0A, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x41, 0x7F, 0x6A, 0x0B,  // code
  };
  CHECK(*b == expected);
}

TEST_CASE("wat: empty module forms", "[text][wat]") {
  const std::vector<uint8_t> empty = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
  CHECK(wat("(module)") == empty);
  CHECK(wat("") == empty);
  CHECK(wat("(module binary \"\\00asm\" \"\\01\\00\\00\\00\")") == empty);
  CHECK(wat("(module quote \"(func)\")").size() > empty.size());
}

TEST_CASE("wat: implicit types are appended after explicit ones, reused when equal", "[text][wat]") {
  Module m = decoded(
      "(func (param i64))"
      "(type $t (func (param i32)))"
      "(func (param i32))"
      "(func (param i64))"
      "(func (type $t) (param i32))");
  REQUIRE(m.types.size() == 2);
  CHECK(m.types[0].comp.params == std::vector<ValType>{ValType::i32()});
  CHECK(m.types[1].comp.params == std::vector<ValType>{ValType::i64()});
  REQUIRE(m.funcs.size() == 4);
  CHECK(m.funcs[0].typeIndex == 1);
  CHECK(m.funcs[1].typeIndex == 0);
  CHECK(m.funcs[2].typeIndex == 1);
  CHECK(m.funcs[3].typeIndex == 0);
}

TEST_CASE("wat: symbolic ids in every index space and the name section", "[text][wat]") {
  Module m = decoded(
      "(module $mod"
      "  (import \"env\" \"g\" (global $g i32))"
      "  (import \"env\" \"f\" (func $imp (param i32)))"
      "  (memory $m 1) (table $t 2 funcref) (tag $e (param i32))"
      "  (elem $es func $f) (data $ds \"abc\")"
      "  (func $f (param $x i32) (local $y i64)"
      "    (block $out (br_if $out (local.get $x)))"
      "    (call $imp (global.get $g))"
      "    (memory.init $m $ds (i32.const 0) (i32.const 0) (i32.const 1))"
      "    (table.init $t $es (i32.const 0) (i32.const 0) (i32.const 1))"
      "    (throw $e (local.get $x))))");
  CHECK(m.names.moduleName == "mod");
  CHECK(m.names.funcs.at(0) == "imp");
  CHECK(m.names.funcs.at(1) == "f");
  CHECK(m.names.locals.at(1).at(0) == "x");
  CHECK(m.names.locals.at(1).at(1) == "y");
  CHECK(m.funcName(1) == "f");
  REQUIRE(m.dataCount.has_value());
  CHECK(*m.dataCount == 1u);
}

TEST_CASE("wat: abbreviations (inline import/export, memory data, table elem, offsets)", "[text][wat]") {
  Module m = decoded(
      "(global (import \"m\" \"g\") (mut i32))"
      "(func $a (export \"a\") (export \"b\"))"
      "(memory (export \"mem\") (data \"hello\" \"world\"))"
      "(table $t funcref (elem $a $a))"
      "(elem (i32.const 1) $a)"
      "(data (offset (i32.const 8)) \"x\")");
  REQUIRE(m.exports.size() == 3);
  CHECK(m.exports[0].name == "a");
  CHECK(m.exports[1].name == "b");
  CHECK(m.exports[2].kind == ExternKind::Memory);
  REQUIRE(m.memories.size() == 1);
  CHECK(m.memories[0].type.limits.min == 1);
  REQUIRE(m.memories[0].type.limits.max.has_value());
  REQUIRE(m.tables.size() == 1);
  CHECK(m.tables[0].type.limits.min == 2);
  REQUIRE(m.elems.size() == 2);
  CHECK(m.elems[0].exprs.size() + m.elems[0].funcIndices.size() == 2);
  CHECK(m.elems[0].type == ValType::funcref());  // the table's element type
  CHECK(m.elems[1].funcIndices.size() == 1);
  REQUIRE(m.datas.size() == 2);
  CHECK(m.datas[0].data.size == 10);
  REQUIRE(m.globals.size() == 1);
  CHECK(m.globals[0].imported);
  CHECK(m.globals[0].type.mut);
}

TEST_CASE("wat: memory64, table64, multi-memory memargs", "[text][wat]") {
  Module m = decoded(
      "(memory i64 1 2) (memory $b 1) (table i64 1 funcref)"
      "(func (drop (i32.load $b offset=8 align=2 (i32.const 0))) (drop (i64.load (i64.const 0))))");
  REQUIRE(m.memories.size() == 2);
  CHECK(m.memories[0].type.limits.is64);
  CHECK_FALSE(m.memories[1].type.limits.is64);
  CHECK(m.tables[0].type.limits.is64);
  CHECK(validates(
      "(memory i64 1 2) (memory $b 1) (table i64 1 funcref)"
      "(func (drop (i32.load $b offset=8 align=2 (i32.const 0))) (drop (i64.load (i64.const 0))))"));
}

TEST_CASE("wat: GC types, rec groups, field names, casts", "[text][wat]") {
  const char* text =
      "(rec (type $node (sub (struct (field $val i32) (field $next (ref null $node)))))"
      "     (type $leaf (sub final $node (struct (field $val i32) (field $next (ref null $node))))))"
      "(type $arr (array (mut i8)))"
      "(func (param $n (ref null $node)) (result i32)"
      "  (drop (ref.test (ref $leaf) (local.get $n)))"
      "  (drop (ref.cast (ref null $leaf) (local.get $n)))"
      "  (drop (array.new_default $arr (i32.const 4)))"
      "  (block $l (result (ref $node)) (br_on_cast $l (ref null $node) (ref $node) (local.get $n)) (drop) (unreachable))"
      "  (drop)"
      "  (struct.get $node $val (local.get $n)))";
  Module m = decoded(text);
  REQUIRE(m.types.size() >= 3);
  CHECK(m.types[0].recGroupSize == 2);
  CHECK_FALSE(m.types[0].final);
  REQUIRE(m.types[1].supers.size() == 1);
  CHECK(m.types[1].final);
  CHECK(m.types[2].comp.kind == CompKind::Array);
  CHECK(validates(text));
}

TEST_CASE("wat: control flow, exceptions and SIMD validate", "[text][wat]") {
  CHECK(validates(
      "(tag $e (param i32))"
      "(func (result i32)"
      "  (block $done (result i32)"
      "    (try_table (result i32) (catch $e $done) (throw $e (i32.const 7)))))"
      "(func (param i32) (result i32)"
      "  local.get 0 if (result i32) i32.const 1 else i32.const 2 end"
      "  (select (result i32) (i32.const 3) (i32.const 4) (local.get 0)) i32.add)"
      "(func (result v128)"
      "  (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31"
      "    (v128.const f32x4 1.5 -inf nan:0x1 0x1p-3) (v128.const i8x16 -1 255 0 1 2 3 4 5 6 7 8 9 10 11 12 13)))"
      "(func (param i32) (br_table 0 0 0 (local.get 0)))"
      "(func (i32.const 5) (block (param i32) (result i32) (i32.const 1) (i32.add)) (drop))"));
}

TEST_CASE("wat: text-level errors use the reference interpreter's wording", "[text][wat]") {
  CHECK(watError("(func (br $nope))") == "unknown label $nope");
  CHECK(watError("(func block $a end $b)") == "mismatching label");
  CHECK(watError("(func $f) (func $f)") == "duplicate func $f");
  CHECK(watError("(func (local $x i32) (local $x i32))") == "duplicate local $x");
  CHECK(watError("(type $t (func (param i32))) (func (type $t) (param i64))") == "inline function type");
  CHECK(watError("(func) (import \"a\" \"b\" (func))") == "import after function");
  CHECK(watError("(memory 1) (import \"a\" \"b\" (memory 1))") == "import after memory");
  CHECK(watError("(func $f) (start $f) (start $f)") == "multiple start sections");
  CHECK(watError("(memory 1) (func (drop (i32.load align=3 (i32.const 0))))") == "alignment must be a power of two");
  CHECK(watError("(func (i32.foo))") == "unknown operator i32.foo");
  CHECK(watError("(func (drop (i32.const 0x1_0000_0000)))") == "constant out of range");
  CHECK(watError("(func (drop (i32.const 1.5)))") == "unexpected token");
  CHECK(watError("(func (call $g))") == "unknown function $g");
  CHECK(watError("(func (local.get $x))") == "unknown local $x");
  CHECK(watError("(func (type $t))") == "unknown type $t");
  CHECK(watError("(func") == "unexpected end");
  CHECK(watError("(func (nop)) )") == "unexpected token");
  CHECK(watError("(func (v128.const i32x4 1 2 3))") == "wrong number of lane literals");
  CHECK(watError("(type $s (struct (field $a i32) (field $a i32)))") == "duplicate field $a");
  CHECK(watError("(func (nop) (local i32))") == "unexpected token");
  // numeric indices are not checked by the text parser (the validator rejects them)
  CHECK(watError("(func (call 7))") == "<ok>");
}

TEST_CASE("wat: 2.0 rules reject u32-overflowing limits and offsets", "[text][wat]") {
  WatOptions o;
  o.wasm2 = true;
  auto a = watToBinary("(memory 0x1_0000_0000)", o);
  REQUIRE_FALSE(a.ok());
  CHECK(a.error().message == "i32 constant out of range");
  auto b = watToBinary("(memory 1) (func (drop (i32.load offset=4294967296 (i32.const 0))))", o);
  REQUIRE_FALSE(b.ok());
  CHECK(b.error().message.rfind("i32 constant", 0) == 0);
  CHECK(watToBinary("(memory 0x1_0000_0000)").ok());  // 3.0: encoded, the validator says "memory size"
}

TEST_CASE("wat: error offsets map to line and column", "[text][wat]") {
  std::string text = "(module\n  (func\n    (i32.bogus)))";
  auto r = watToBinary(text);
  REQUIRE_FALSE(r.ok());
  LineCol lc = lineCol(text, r.error().offset);
  CHECK(lc.line == 3);
  CHECK(lc.col == 6);
}

TEST_CASE("wat: deep nesting is an error, not a crash", "[text][wat]") {
  std::string text = "(func ";
  for (int i = 0; i < 20000; ++i) text += "(block ";
  for (int i = 0; i < 20000; ++i) text += ")";
  text += ")";
  CHECK(watError(text) == "nesting too deep");
}

TEST_CASE("wat: deep flat nesting uses no native stack", "[text][wat]") {
  std::string text = "(func ";
  for (int i = 0; i < 100000; ++i) text += "block ";
  for (int i = 0; i < 100000; ++i) text += "end ";
  text += ")";
  auto r = watToBinary(text);
  REQUIRE(r.ok());
  CHECK(r->size() > 200000u);
}

TEST_CASE("wat: (@custom ...) annotations become custom sections; other annotations are ignored", "[text][wat]") {
  Module m = decoded(
      "(module (@custom \"a\" \"x\" \"y\") (func (@other stuff , ; ] ) nop)"
      "  (@custom \"b\" (before first) \"\") (@custom \"c\" (after func) \"zz\")"
      "  (func (@custom \"misplaced\" \"ignored\")))");
  std::vector<std::string> names;
  for (const auto& c : m.customs) names.push_back(c.name);
  REQUIRE(names.size() >= 3);
  CHECK(names[0] == "b");
  CHECK(names[1] == "c");
  CHECK(names[2] == "a");
  CHECK(m.customs[2].contents.size == 2);
  CHECK(std::find(names.begin(), names.end(), "misplaced") == names.end());
  CHECK(m.funcs.size() == 2);
}

TEST_CASE("wat: folded instructions with plain instructions among their operands", "[text][wat]") {
  // wasm-tools accepts plain operands inside a folded instruction (wasmtime's streams-massive-send.wast does this):
  // the operands are emitted in order, then the folded instruction itself.
  const auto mixed = wat("(module (func $g (result i32) i32.const 7) (func (param i32 i32 i32) (result i32) local.get 0)"
                         " (func (export \"f\") (result i32) (call 1 (call $g) i32.const 0 i32.const 100)))");
  const auto plain = wat("(module (func $g (result i32) i32.const 7) (func (param i32 i32 i32) (result i32) local.get 0)"
                         " (func (export \"f\") (result i32) call $g i32.const 0 i32.const 100 call 1))");
  CHECK(mixed == plain);
  CHECK(validates("(module (func (result i32) (i32.add i32.const 1 (i32.const 2))))"));
  CHECK(watError("(module (func (i32.add i32.const 1 end)))") != "<ok>");
}
