// tests/unit/binary/decoder_test.cpp -- unit tests of the binary decoder (runtime/binary/decoder*.cpp): every error
// with its message and offset, every section's decoded structure, wat2wasm-produced modules, and robustness against
// truncated / corrupted input.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "runtime/binary/decoder.h"

using namespace myrt;

namespace {

// Bytes from a string with C escapes; the module header is prepended by mod().
std::vector<uint8_t> raw(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }
std::vector<uint8_t> mod(const std::string& body) { return raw(std::string("\0asm\1\0\0\0", 8) + body); }
std::vector<uint8_t> hex(const char* h) {
  std::vector<uint8_t> out;
  for (size_t i = 0; h[i] && h[i + 1]; i += 2) out.push_back(static_cast<uint8_t>(std::stoi(std::string(h + i, 2), nullptr, 16)));
  return out;
}
#define S(lit) std::string(lit, sizeof(lit) - 1)

Module ok(std::vector<uint8_t> b, DecodeOptions o = {}) {
  auto r = decodeModule(std::move(b), o);
  INFO((r.ok() ? std::string("ok") : r.error().toString()));
  REQUIRE(r.ok());
  return std::move(r).value();
}

Error fail(std::vector<uint8_t> b, DecodeOptions o = {}) {
  auto r = decodeModule(std::move(b), o);
  REQUIRE_FALSE(r.ok());
  return r.error();
}

void expectError(std::vector<uint8_t> b, const std::string& msg, size_t offset, DecodeOptions o = {}) {
  Error e = fail(std::move(b), o);
  INFO(e.toString());
  CHECK(e.message == msg);
  CHECK(e.offset == offset);
}

}  // namespace

TEST_CASE("decoder: header", "[binary]") {
  ok(mod(""));
  expectError(raw(""), "unexpected end", 0);
  expectError(raw("\1"), "unexpected end", 1);
  expectError(raw(S("\0as")), "unexpected end", 3);
  expectError(raw(S("asm\0")), "magic header not detected", 0);
  expectError(raw(S("\0ASM\1\0\0\0")), "magic header not detected", 0);
  expectError(raw(S("\0asm")), "unexpected end", 4);
  expectError(raw(S("\0asm\1\0\0")), "unexpected end", 7);
  expectError(raw(S("\0asm\2\0\0\0")), "unknown binary version", 4);
  expectError(raw(S("\0asm\0\0\0\1")), "unknown binary version", 4);
}

TEST_CASE("decoder: section framing and order", "[binary]") {
  expectError(mod(S("\x0e\1\0")), "malformed section id", 8);
  expectError(mod(S("\x80\1\0")), "malformed section id", 8);
  ok(mod(S("\x0d\1\0")));  // tag section (3.0)
  DecodeOptions v2;
  v2.wasm20 = true;
  expectError(mod(S("\x0d\1\0")), "malformed section id", 8, v2);
  // duplicate and out-of-order sections
  expectError(mod(S("\1\1\0\1\1\0")), "unexpected content after last section", 11);
  expectError(mod(S("\3\1\0\2\1\0")), "unexpected content after last section", 11);
  expectError(mod(S("\x0a\1\0\x0c\1\0")), "unexpected content after last section", 11);
  expectError(mod(S("\6\1\0\x0d\1\0")), "unexpected content after last section", 11);  // tag before global
  ok(mod(S("\x0d\1\0\6\1\0")));
  // declared size larger than the rest of the binary
  expectError(mod(S("\1\7\2\x60\0\0")), "length out of bounds", 9);
  // one type declared, two present
  expectError(mod(S("\1\7\1\x60\0\0\x60\0\0")), "section size mismatch", 10);
  // two declared, one present: runs into the end of the binary
  expectError(mod(S("\4\1\1")), "unexpected end of section or function", 11);
  // custom sections anywhere, recorded with their names
  Module m = ok(mod(S("\0\4\1a\1\2") + S("\1\1\0") + S("\0\3\2bc")));
  REQUIRE(m.customs.size() == 2);
  CHECK(m.customs[0].name == "a");
  CHECK(m.customs[0].contents.offset == 12);
  CHECK(m.customs[0].contents.size == 2);
  CHECK(m.customs[1].name == "bc");
  CHECK(m.customs[1].contents.size == 0);
  REQUIRE(m.sections.size() == 3);
  CHECK(m.sections[0].id == 0);
  CHECK(m.sections[0].name == "a");
  CHECK(m.sections[1].id == 1);
  CHECK(m.sections[1].offset == 16);
  CHECK(m.sections[1].size == 1);
  // custom section errors
  expectError(mod(S("\0")), "unexpected end of section or function", 9);
  expectError(mod(S("\0\0")), "unexpected end of section or function", 10);
  expectError(mod(S("\0\0\0\5\1\0\7\0\0")), "unexpected end of section or function", 17);
  expectError(mod(S("\0\3\2\xff\xfe")), "malformed UTF-8 encoding", 10);
  expectError(mod(S("\0\5\7abc")), "length out of bounds", 10);
}

TEST_CASE("decoder: LEB128 errors inside sections", "[binary]") {
  expectError(mod(S("\5\7\1\0\x82\x80\x80\x80\x80\x80\x80\x80\x80\x70")), "integer too large", 21);
  expectError(mod(S("\5\x0c\1\0\x82\x80\x80\x80\x80\x80\x80\x80\x80\x80\0")), "integer representation too long", 21);
  DecodeOptions v2;
  v2.wasm20 = true;
  expectError(mod(S("\5\x08\1\0\x82\x80\x80\x80\x80\0")), "integer representation too long", 16, v2);
  expectError(mod(S("\5\7\1\0\x82\x80\x80\x80\x70")), "integer too large", 16, v2);
  ok(mod(S("\5\x08\1\0\x82\x80\x80\x80\x80\0")));  // 3.0: limits are u64
}

TEST_CASE("decoder: type section", "[binary]") {
  SECTION("function types") {
    Module m = ok(mod(S("\1\x0a\2\x60\2\x7f\x7e\1\x7d\x60\0\0")));
    REQUIRE(m.types.size() == 2);
    CHECK(m.types[0].comp.kind == CompKind::Func);
    CHECK(m.types[0].comp.params == std::vector<ValType>{ValType::i32(), ValType::i64()});
    CHECK(m.types[0].comp.results == std::vector<ValType>{ValType::f32()});
    CHECK(m.types[0].final);
    CHECK(m.types[1].recGroupStart == 1);
    CHECK(m.types[1].recGroupSize == 1);
  }
  SECTION("rec groups, sub types, structs and arrays") {
    // rec { sub () (struct (field (mut i8)) (field i16)); sub final (0) (struct (field (mut i8)) (field i16)) },
    // then (array (mut (ref null 0))).
    Module m = ok(mod(S("\1\x18\2") + S("\x4e\2") + S("\x50\0\x5f\2\x78\1\x77\0") + S("\x4f\1\0\x5f\2\x78\1\x77\0") +
                      S("\x5e\x63\0\1")));
    REQUIRE(m.types.size() == 3);
    CHECK_FALSE(m.types[0].final);
    CHECK(m.types[0].supers.empty());
    CHECK(m.types[0].comp.kind == CompKind::Struct);
    REQUIRE(m.types[0].comp.fields.size() == 2);
    CHECK(m.types[0].comp.fields[0].type == ValType::i8());
    CHECK(m.types[0].comp.fields[0].mut);
    CHECK(m.types[0].comp.fields[1].type == ValType::i16());
    CHECK_FALSE(m.types[0].comp.fields[1].mut);
    CHECK(m.types[1].final);
    CHECK(m.types[1].supers == std::vector<uint32_t>{0});
    CHECK(m.types[0].recGroupStart == 0);
    CHECK(m.types[0].recGroupSize == 2);
    CHECK(m.types[1].recGroupStart == 0);
    CHECK(m.types[1].recGroupSize == 2);
    CHECK(m.types[2].comp.kind == CompKind::Array);
    REQUIRE(m.types[2].comp.fields.size() == 1);
    CHECK(m.types[2].comp.fields[0].type == ValType::ref(HeapKind::Concrete, true, 0));
    CHECK(m.types[2].recGroupStart == 2);
    CHECK(m.types[2].recGroupSize == 1);
  }
  SECTION("empty rec group") {
    Module m = ok(mod(S("\1\3\1\x4e\0")));
    CHECK(m.types.empty());
  }
  SECTION("errors") {
    expectError(mod(S("\1\4\1\x5e\x78\2")), "malformed mutability", 13);
    expectError(mod(S("\1\5\1\xe0\x7f\0\0")), "integer representation too long", 12);
    expectError(mod(S("\1\4\1\x5e\x10\0")), "malformed storage type", 12);
    expectError(mod(S("\1\4\1\x40\0\0")), "malformed definition type", 11);
    DecodeOptions v2;
    v2.wasm20 = true;
    expectError(mod(S("\1\3\1\x4e\0")), "malformed function type", 11, v2);
  }
}

TEST_CASE("decoder: imports and index spaces", "[binary]") {
  // (import "a" "f" (func 0)) (import "a" "t" (table 1 funcref)) (import "a" "m" (memory 1 2))
  // (import "a" "g" (global (mut i32))) (import "a" "e" (tag 0)), then one defined function.
  std::string imports = S("\5\1a\1f\0\0") + S("\1a\1t\1\x70\0\1") + S("\1a\1m\2\1\1\2") + S("\1a\1g\3\x7f\1") +
                        S("\1a\1e\4\0\0");
  std::string sec = S("\2") + std::string(1, static_cast<char>(imports.size())) + imports;
  Module m = ok(mod(S("\1\4\1\x60\0\0") + sec + S("\3\2\1\0") + S("\x0a\4\1\2\0\x0b")));
  REQUIRE(m.imports.size() == 5);
  CHECK(m.imports[0].module == "a");
  CHECK(m.imports[0].name == "f");
  CHECK(m.imports[1].kind == ExternKind::Table);
  CHECK(m.imports[4].kind == ExternKind::Tag);
  CHECK(m.numImportedFuncs == 1);
  CHECK(m.numImportedTables == 1);
  CHECK(m.numImportedMemories == 1);
  CHECK(m.numImportedGlobals == 1);
  CHECK(m.numImportedTags == 1);
  REQUIRE(m.funcs.size() == 2);
  CHECK(m.funcs[0].imported);
  CHECK_FALSE(m.funcs[1].imported);
  CHECK(m.memories[0].type.limits.min == 1);
  CHECK(m.memories[0].type.limits.max == 2u);
  CHECK(m.globals[0].type.mut);
  CHECK(m.tables[0].type.elem == ValType::funcref());
  CHECK(m.tables[0].type.limits.min == 1);
  CHECK_FALSE(m.tables[0].type.limits.max);

  expectError(mod(S("\2\4\1\0\0\5")), "malformed import kind", 13);
  expectError(mod(S("\2\5\1\0\0\x80\0")), "malformed import kind", 13);
  DecodeOptions v2;
  v2.wasm20 = true;
  expectError(mod(S("\2\6\1\0\0\4\0\0")), "malformed import kind", 13, v2);
  expectError(mod(S("\2\4\1\1\xff\0")), "malformed UTF-8 encoding", 11);
  // name longer than the rest of the binary
  expectError(mod(S("\2\3\1\x09") + S("a")), "length out of bounds", 11);
}

TEST_CASE("decoder: tables, memories, tags, globals, exports, start", "[binary]") {
  SECTION("tables") {
    // table 1 externref; table64 (flags 5) 2..3 funcref; the 3.0 form with an init expression.
    Module m = ok(mod(S("\4\x10\3") + S("\x6f\0\1") + S("\x70\5\2\3") + S("\x40\0\x70\0\4\xd0\x70\x0b")));
    REQUIRE(m.tables.size() == 3);
    CHECK(m.tables[0].type.elem == ValType::externref());
    CHECK(m.tables[1].type.limits.is64);
    CHECK(m.tables[1].type.limits.max == 3u);
    CHECK_FALSE(m.tables[1].init);
    REQUIRE(m.tables[2].init);
    CHECK(m.tables[2].init->size == 3);
    CHECK(m.bytes[m.tables[2].init->offset] == 0xd0);
    expectError(mod(S("\4\3\1\x70\x08")), "malformed limits flags", 12);
    expectError(mod(S("\4\4\1\x70\2\0")), "malformed limits flags", 12);  // no shared tables
    expectError(mod(S("\4\6\1\x70\x81\0\0\0")), "malformed limits flags", 12);
    expectError(mod(S("\4\5\1\x40\1\x70\0")), "malformed reference type", 11);
  }
  SECTION("memories") {
    Module m = ok(mod(S("\5\x0a\3\0\1\3\2\3\5\0\x80\2")));
    REQUIRE(m.memories.size() == 3);
    CHECK(m.memories[0].type.limits.min == 1);
    CHECK_FALSE(m.memories[0].type.limits.max);
    CHECK(m.memories[1].type.limits.shared);
    CHECK(m.memories[1].type.limits.max == 3u);
    CHECK(m.memories[2].type.limits.is64);
    CHECK(m.memories[2].type.limits.min == 0);
    CHECK(m.memories[2].type.limits.max == 0x100u);
    expectError(mod(S("\5\2\1\x10")), "malformed limits flags", 11);
    DecodeOptions v2;
    v2.wasm20 = true;
    expectError(mod(S("\5\2\1\2")), "integer too large", 11, v2);
    expectError(mod(S("\5\5\1\x81\0\0\0")), "integer representation too long", 12, v2);
  }
  SECTION("tags") {
    Module m = ok(mod(S("\1\5\1\x60\1\x7f\0") + S("\x0d\3\1\0\0")));
    REQUIRE(m.tags.size() == 1);
    CHECK(m.tags[0].typeIndex == 0);
    expectError(mod(S("\x0d\3\1\1\0")), "zero byte expected", 11);
  }
  SECTION("globals") {
    Module m = ok(mod(S("\6\x0b\2\x7f\0\x41\x2a\x0b\x7e\1\x42\0\x0b")));
    REQUIRE(m.globals.size() == 2);
    CHECK_FALSE(m.globals[0].type.mut);
    CHECK(m.globals[0].init.offset == 13);
    CHECK(m.globals[0].init.size == 3);
    CHECK(m.globals[1].type.type == ValType::i64());
    CHECK(m.globals[1].type.mut);
    expectError(mod(S("\6\6\1\x7f\2\x41\0\x0b")), "malformed mutability", 12);
    // missing `end`: runs to the end of the binary
    expectError(mod(S("\6\5\1\x7f\0\x41\0")), "unexpected end of section or function", 15);
    expectError(mod(S("\6\5\1\x7f\0\xff\x0b")), "illegal opcode ff", 13);
  }
  SECTION("exports and start") {
    Module m = ok(mod(S("\7\x0a\2\1f\0\0\2mm\2\3") + S("\x08\1\5")));
    REQUIRE(m.exports.size() == 2);
    CHECK(m.exports[0].name == "f");
    CHECK(m.exports[1].name == "mm");
    CHECK(m.exports[1].kind == ExternKind::Memory);
    CHECK(m.exports[1].index == 3);
    CHECK(m.start == 5u);
    expectError(mod(S("\7\5\1\1f\5\0")), "malformed export kind", 13);
  }
}

TEST_CASE("decoder: element segments", "[binary]") {
  // kinds 0..7 in order
  std::string segs = S("\0\x41\0\x0b\1\0") +                // 0: active table 0, func indices
                     S("\1\0\2\0\1") +                      // 1: passive, elemkind, 2 funcs
                     S("\2\3\x41\0\x0b\0\1\4") +            // 2: active table 3, elemkind
                     S("\3\0\0") +                          // 3: declarative, elemkind, 0 funcs
                     S("\4\x41\0\x0b\1\xd2\0\x0b") +        // 4: active table 0, exprs
                     S("\5\x6f\1\xd0\x6f\x0b") +            // 5: passive, externref exprs
                     S("\6\1\x41\0\x0b\x70\0") +            // 6: active table 1, funcref, 0 exprs
                     S("\7\x70\1\xd2\0\x0b");               // 7: declarative, funcref exprs
  std::string sec = S("\x09") + std::string(1, static_cast<char>(segs.size() + 1)) + S("\x08") + segs;
  Module m = ok(mod(sec));
  REQUIRE(m.elems.size() == 8);
  CHECK(m.elems[0].mode == SegmentMode::Active);
  CHECK(m.elems[0].table == 0);
  CHECK(m.elems[0].offset.size == 3);
  CHECK(m.elems[0].funcIndices == std::vector<uint32_t>{0});
  CHECK(m.elems[0].type == ValType::ref(HeapKind::Func, false));
  CHECK(m.elems[1].mode == SegmentMode::Passive);
  CHECK(m.elems[1].funcIndices == std::vector<uint32_t>{0, 1});
  CHECK(m.elems[2].table == 3);
  CHECK(m.elems[2].funcIndices == std::vector<uint32_t>{4});
  CHECK(m.elems[3].mode == SegmentMode::Declarative);
  CHECK(m.elems[4].usesExprs);
  CHECK(m.elems[4].exprs.size() == 1);
  CHECK(m.elems[4].type == ValType::funcref());
  CHECK(m.elems[5].type == ValType::externref());
  CHECK(m.elems[5].mode == SegmentMode::Passive);
  CHECK(m.elems[6].table == 1);
  CHECK(m.elems[6].exprs.empty());
  CHECK(m.elems[7].mode == SegmentMode::Declarative);
  CHECK(m.elems[7].exprs[0].size == 3);

  expectError(mod(S("\x09\2\1\x08")), "malformed elements segment kind", 11);
  expectError(mod(S("\x09\4\1\1\1\0")), "malformed element kind", 12);
  expectError(mod(S("\x09\7\1\5\x7f\1\xd2\0\x0b")), "malformed reference type", 12);
  expectError(mod(S("\x09\7\1\5\x70\1\xf3\0\x0b")), "illegal opcode f3", 14);
  expectError(mod(S("\x09\7\2\0\x41\0\x0b\1\0")), "unexpected end of section or function", 17);
}

TEST_CASE("decoder: code section", "[binary]") {
  std::string types = S("\1\5\1\x60\1\x7f\0");
  SECTION("locals expand and the body starts after them") {
    Module m = ok(mod(types + S("\3\2\1\0") + S("\x0a\x0b\1\x09\3\1\x7f\0\x7e\2\x7d\1\x0b")));
    REQUIRE(m.funcs.size() == 1);
    const Func& f = m.funcs[0];
    CHECK(f.locals == std::vector<ValType>{ValType::i32(), ValType::f32(), ValType::f32()});
    CHECK(f.bodyStart == 22);
    CHECK(f.body.offset == 30);
    CHECK(f.body.size == 2);
    CHECK(m.bytes[f.body.offset + f.body.size - 1] == 0x0b);
  }
  SECTION("count mismatches") {
    expectError(mod(types + S("\3\3\2\0\0")), "function and code section have inconsistent lengths", 20);
    expectError(mod(S("\x0a\4\1\2\0\x0b")), "function and code section have inconsistent lengths", 14);
    ok(mod(S("\3\1\0")));
    ok(mod(S("\x0a\1\0")));
  }
  SECTION("too many locals") {
    std::string f = types + S("\3\2\1\0");
    expectError(mod(f + S("\x0a\x0c\1\x0a\2\xff\xff\xff\xff\x0f\x7f\2\x7e\x0b")), "too many locals", 23);
    expectError(mod(f + S("\x0a\x08\1\x06\1\xd1\x86\x03\x7f\x0b")), "too many locals", 23);  // 50001
    ok(mod(f + S("\x0a\x08\1\x06\1\xd0\x86\x03\x7f\x0b")));                                 // 50000
    expectError(mod(f + S("\x0a\x0c\1\x0a\2\x80\x80\x80\x80\x10\x7f\2\x7e\x0b")), "integer too large", 28);
    // the module-wide allowance: 20 functions of 50000 locals each in a tiny binary
    std::string bodies;
    for (int i = 0; i < 20; ++i) bodies += S("\x06\1\xd0\x86\x03\x7f\x0b");
    std::string funcs = S("\3\x15\x14") + std::string(20, '\0');
    std::string code = S("\x0a\x8d\x01\x14") + bodies;  // size 141 = 1 + 20 * 7
    DecodeOptions small;
    small.maxLocalsPerModule = 999999;
    small.localsPerModuleByte = 0;
    Error e = fail(mod(S("\1\4\1\x60\0\0") + funcs + code), small);
    CHECK(e.message == "too many locals");
    Module big = ok(mod(S("\1\4\1\x60\0\0") + funcs + code));  // default allowance: 1M locals are fine
    CHECK(big.funcs[19].locals.size() == 50000);
  }
  SECTION("bodies without their final end") {
    std::string f2 = S("\1\4\1\x60\0\0\3\3\2\0\0");
    // between two functions: `else` read as the next instruction
    expectError(mod(f2 + S("\x0a\x0c\2\4\0\x41\1\x1a\5\0\x41\1\x1a\x0b")), "END opcode expected", 27);
    std::string f1 = S("\1\4\1\x60\0\0\3\2\1\0");
    // at the end of the binary
    expectError(mod(f1 + S("\x0a\6\1\4\0\x41\1\x1a")), "unexpected end of section or function", 26);
    // reading on into the next section finds an `end` elsewhere
    expectError(mod(f1 + S("\x0a\6\1\4\0\x41\1\x1a\x0b\3\1\1\0")), "section size mismatch", 22);
  }
  SECTION("instruction errors before a later framing error are reported first") {
    std::string f1 = S("\1\4\1\x60\0\0\3\2\1\0\5\3\1\0\1");
    // body size too small for its memarg; the bounded decode would next read garbage as a section id
    Error e = fail(mod(f1 + S("\x0a\x11\1\x0f\1\1\x7f\x41\0\x28\2\x82\x80\x80\x80\x80\x80\x80\x80\x80\x80\0\x1a\x0b")));
    CHECK(e.message == "integer representation too long");
  }
}

TEST_CASE("decoder: data and data count", "[binary]") {
  Module m = ok(mod(S("\5\3\1\0\1") + S("\x0c\1\3") +
                    S("\x0b\x13\3") + S("\0\x41\0\x0b\2hi") + S("\1\3abc") + S("\2\1\x41\4\x0b\0")));
  CHECK(m.dataCount == 3u);
  REQUIRE(m.datas.size() == 3);
  CHECK(m.datas[0].mode == SegmentMode::Active);
  CHECK(m.datas[0].data.size == 2);
  CHECK(std::memcmp(m.data(m.datas[0].data), "hi", 2) == 0);
  CHECK(m.datas[1].mode == SegmentMode::Passive);
  CHECK(std::memcmp(m.data(m.datas[1].data), "abc", 3) == 0);
  CHECK(m.datas[2].memory == 1);
  CHECK(m.datas[2].data.size == 0);

  expectError(mod(S("\x0c\1\1") + S("\x0b\5\2\1\0\1\0")), "data count and data section have inconsistent lengths", 18);
  expectError(mod(S("\5\3\1\0\1\x0c\1\1")), "data count and data section have inconsistent lengths", 16);
  ok(mod(S("\x0c\1\0")));
  expectError(mod(S("\x0b\3\1\3\0")), "malformed data segment kind", 11);
  expectError(mod(S("\5\3\1\0\1\x0b\x0c\1\0\x41\3\x0b\7abcdef")), "unexpected end of section or function", 27);
  expectError(mod(S("\5\3\1\0\1\x0b\x0c\1\0\x41\0\x0b\5abcdef")), "section size mismatch", 15);
}

TEST_CASE("decoder: name section", "[binary]") {
  // module name "m"; function names {0: "f", 2: "g"}; local names {0: {1: "x"}}
  std::string payload = S("\0\2\1m") + S("\1\7\2\0\1f\2\1g") + S("\2\6\1\0\1\1\1x");
  std::string sec = S("\4name") + payload;
  Module m = ok(mod(S("\0") + std::string(1, static_cast<char>(sec.size())) + sec));
  CHECK(m.names.moduleName == "m");
  CHECK(m.names.funcs.size() == 2);
  CHECK(m.names.funcs.at(2) == "g");
  CHECK(m.names.locals.at(0).at(1) == "x");

  // a malformed name section is ignored, never an error
  std::string bad = S("\4name") + S("\1\7\x09\0\1f\2\1g");
  Module m2 = ok(mod(S("\0") + std::string(1, static_cast<char>(bad.size())) + bad));
  CHECK(m2.names.funcs.empty());
  std::string badUtf8 = S("\4name") + S("\0\2\1\xff");
  Module m3 = ok(mod(S("\0") + std::string(1, static_cast<char>(badUtf8.size())) + badUtf8));
  CHECK(m3.names.moduleName.empty());
  CHECK(m3.customs.size() == 1);
}

TEST_CASE("decoder: 2.0 mode body encodings", "[binary]") {
  DecodeOptions v2;
  v2.wasm20 = true;
  std::string f = S("\1\4\1\x60\0\0\3\2\1\0\5\3\1\0\0");
  std::string body = S("\x0a\x09\1\7\0\x41\0\x40\1\x1a\x0b");  // memory.grow with reserved byte 1
  expectError(mod(f + body), "zero byte expected", 31, v2);
  ok(mod(f + body));  // 3.0: memory index 1 (the validator rejects it)
  Module m = ok(mod(f + body));
  CHECK(checkCodeEncoding(m, v2).error().message == "zero byte expected");
  CHECK(checkCodeEncoding(m).ok());
}

TEST_CASE("decoder: checkCodeEncoding re-reads bodies like the reference decoder", "[binary]") {
  std::string f1 = S("\1\4\1\x60\0\0\3\2\1\0");
  // well-formed: block ... end end
  Module good = ok(mod(f1 + S("\x0a\7\1\5\0\2\x40\x0b\x0b")));
  CHECK(checkCodeEncoding(good).ok());
  // an illegal opcode inside an otherwise well-framed body is left to the CodeReader by decodeModule
  Module bad = ok(mod(f1 + S("\x0a\6\1\4\0\x00\xff\x0b")));
  Status st = checkCodeEncoding(bad);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message == "illegal opcode ff");
  CHECK(st.error().offset == 24);
  // nested blocks are followed: the body's last `end` closes the block, so the function itself is unterminated
  Module open = ok(mod(f1 + S("\x0a\6\1\4\0\2\x40\x0b") + S("\x0b\1\0")));  // then an empty data section
  st = checkCodeEncoding(open);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message == "section size mismatch");
  // legacy exceptions: `try ... delegate 0` needs no `end`
  Module legacy = ok(mod(f1 + S("\x0a\x08\1\6\0\6\x40\x18\0\x0b")));
  CHECK(checkCodeEncoding(legacy).ok());
  // `else` closing no `if` in a constant expression
  expectError(mod(S("\6\6\1\x7f\0\x41\0\5")), "END opcode expected", 15);
}

TEST_CASE("decoder: modules produced by wat2wasm", "[binary]") {
  SECTION("imports, functions, globals, exports, start, segments, names (wat2wasm --debug-names)") {
    Module m = ok(hex(
        "0061736d0100000001140460027f7e017d60027f7f017f6000017f60000002270403656e760166000003656e760174017001020a03656e"
        "76016d0201010203656e760167037f010304030102030606017f00412a0b070d02036164640001036d656d0200080103090c0200410"
        "00b020102010001020a15030b02017e027d200020016a0b040041020b02000b0b14020041080b0568656c6c6f010770617373697665"
        "004e046e616d6500050464656d6f0117040003696d700103616464020374776f03057374617274021404000001030001780101790203"
        "746d700200030004060100037369670709020002676901026731"));
    CHECK(m.types.size() == 4);
    CHECK(m.imports.size() == 4);
    CHECK(m.funcs.size() == 4);
    CHECK(m.numImportedFuncs == 1);
    CHECK(m.funcs[1].locals == std::vector<ValType>{ValType::i64(), ValType::f32(), ValType::f32()});
    CHECK(m.globals.size() == 2);
    CHECK(m.exports.size() == 2);
    CHECK(m.exports[0].name == "add");
    CHECK(m.start == 3u);
    CHECK(m.elems.size() == 2);
    CHECK(m.datas.size() == 2);
    CHECK(m.datas[1].mode == SegmentMode::Passive);
    CHECK(m.names.moduleName == "demo");
    CHECK(m.names.funcs.at(1) == "add");
    CHECK(m.names.locals.at(1).at(2) == "tmp");
    CHECK(m.sections.size() == 10);
    CHECK(m.sections.back().name == "name");
  }
  SECTION("tags, multi-memory, memory64, externref (wat2wasm --enable-all)") {
    Module m = ok(hex(
        "0061736d0100000001050160017f00020c0103656e7603746167040000030201000404016f000305060200010501050d030100000606"
        "016f01d06f0b070b0201650401036d36340201090b02056f01d06f0b030001000a0a010801017b200008010b0b0801020142000b01"
        "78"));
    CHECK(m.tags.size() == 2);
    CHECK(m.numImportedTags == 1);
    CHECK(m.memories.size() == 2);
    CHECK(m.memories[1].type.limits.is64);
    CHECK(m.memories[1].type.limits.max == 5u);
    CHECK(m.tables[0].type.elem == ValType::externref());
    CHECK(m.globals[0].type.type == ValType::externref());
    CHECK(m.elems[0].type == ValType::externref());
    CHECK(m.elems[1].mode == SegmentMode::Declarative);
    CHECK(m.funcs[0].locals == std::vector<ValType>{ValType::v128()});
    CHECK(m.datas[0].memory == 1);
    CHECK(m.exports[0].kind == ExternKind::Tag);
  }
}

TEST_CASE("decoder: truncated and corrupted input never crashes", "[binary]") {
  std::vector<uint8_t> base = hex(
      "0061736d0100000001140460027f7e017d60027f7f017f6000017f60000002270403656e760166000003656e760174017001020a03656e"
      "76016d0201010203656e760167037f010304030102030606017f00412a0b070d02036164640001036d656d0200080103090c0200410"
      "00b020102010001020a15030b02017e027d200020016a0b040041020b02000b0b14020041080b0568656c6c6f010770617373697665"
      "004e046e616d6500050464656d6f0117040003696d700103616464020374776f03057374617274021404000001030001780101790203"
      "746d700200030004060100037369670709020002676901026731");
  REQUIRE(decodeModule(base).ok());
  // every truncation point before the name section fails (the last section must be complete)
  size_t failures = 0;
  for (size_t n = 0; n < base.size(); ++n) {
    std::vector<uint8_t> t(base.begin(), base.begin() + static_cast<std::ptrdiff_t>(n));
    auto r = decodeModule(std::move(t));
    if (!r.ok()) {
      ++failures;
      CHECK(r.error().offset <= n);
    }
  }
  CHECK(failures + 1 >= base.size() - 9);  // all but section boundaries
  // every byte replaced by a few interesting values: any result, but no crash and in-range error offsets
  const uint8_t vals[] = {0x00, 0x01, 0x0b, 0x40, 0x7f, 0x80, 0xff};
  for (size_t i = 8; i < base.size(); ++i)
    for (uint8_t v : vals) {
      std::vector<uint8_t> c = base;
      c[i] = v;
      auto r = decodeModule(std::move(c));
      if (!r.ok()) CHECK(r.error().offset <= base.size());
    }
}
