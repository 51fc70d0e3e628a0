// tests/unit/valid/code_reader_test.cpp -- function-body typing: valid and invalid bodies built by hand, checked
// against the spec testsuite's messages; the Validate=false walk and its hooks.
#include <catch2/catch.hpp>

#include "runtime/valid/code_reader.h"
#include "test_module.h"

using namespace myrt;
using namespace myrt::test;

namespace {
const ValType I32 = ValType::i32(), I64 = ValType::i64(), F32 = ValType::f32(), V128 = ValType::v128();
const ValType FUNCREF = ValType::funcref(), EXTERNREF = ValType::externref();
}  // namespace

TEST_CASE("simple bodies type-check from the opcode table's signatures", "[valid]") {
  CHECK(bodyError({}, {I32}, {}, {0x41, 0x01, 0x0b}) == "");                          // i32.const 1
  CHECK(bodyError({I32, I32}, {I32}, {}, {0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b}) == "");  // a + b
  CHECK(startsWith(bodyError({}, {I32}, {}, {0x42, 0x01, 0x0b}), "type mismatch"));   // i64 for i32
  CHECK(startsWith(bodyError({}, {I32}, {}, {0x0b}), "type mismatch"));               // nothing returned
  CHECK(startsWith(bodyError({}, {}, {}, {0x41, 0x01, 0x0b}), "type mismatch"));      // value left over
  CHECK(startsWith(bodyError({}, {I32}, {}, {0x41, 0x01, 0x42, 0x02, 0x6a, 0x0b}), "type mismatch"));
  CHECK(startsWith(bodyError({}, {I32}, {}, {0x6a, 0x0b}), "type mismatch"));  // i32.add on empty stack
  // conversion signature: i64.extend_i32_u i32 -> i64
  CHECK(bodyError({I32}, {I64}, {}, {0x20, 0x00, 0xad, 0x0b}) == "");
  CHECK(startsWith(bodyError({I64}, {I64}, {}, {0x20, 0x00, 0xad, 0x0b}), "type mismatch"));
}

TEST_CASE("locals and globals", "[valid]") {
  CHECK(startsWith(bodyError({}, {}, {I32}, {0x20, 0x01, 0x1a, 0x0b}), "unknown local"));
  CHECK(bodyError({}, {}, {I32}, {0x41, 0x05, 0x21, 0x00, 0x0b}) == "");
  CHECK(startsWith(bodyError({}, {}, {I32}, {0x42, 0x05, 0x21, 0x00, 0x0b}), "type mismatch"));
  CHECK(bodyError({}, {I64}, {I64}, {0x42, 0x05, 0x22, 0x00, 0x0b}) == "");  // local.tee keeps the value
  CHECK(startsWith(bodyError({}, {}, {}, {0x23, 0x00, 0x1a, 0x0b}), "unknown global"));

  ModuleBuilder b;
  b.global(I32, false, {0x41, 0x00, 0x0b});
  CHECK(startsWith(bodyError(b, {}, {}, {}, {0x41, 0x01, 0x24, 0x00, 0x0b}), "immutable global"));
  CHECK(startsWith(b.validate(true).error().message, "global is immutable"));  // 2.0 wording
  ModuleBuilder b2;
  b2.global(I32, true, {0x41, 0x00, 0x0b});
  CHECK(bodyError(b2, {}, {I32}, {}, {0x41, 0x01, 0x24, 0x00, 0x23, 0x00, 0x0b}) == "");
}

TEST_CASE("blocks, branches and the polymorphic stack", "[valid]") {
  // block (result i32) i32.const 1 end
  CHECK(bodyError({}, {I32}, {}, {0x02, 0x7f, 0x41, 0x01, 0x0b, 0x0b}) == "");
  // block (result i32) i32.const 1 br 0 end
  CHECK(bodyError({}, {I32}, {}, {0x02, 0x7f, 0x41, 0x01, 0x0c, 0x00, 0x0b, 0x0b}) == "");
  // br 2 from depth 2 -> unknown label
  CHECK(startsWith(bodyError({}, {}, {}, {0x02, 0x40, 0x0c, 0x02, 0x0b, 0x0b}), "unknown label"));
  // loop label carries params (none): br 0 with a value left is fine after br (unreachable)
  CHECK(bodyError({}, {}, {}, {0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b}) == "");
  // unreachable makes the stack polymorphic: unreachable i32.add -> i32
  CHECK(bodyError({}, {I32}, {}, {0x00, 0x6a, 0x0b}) == "");
  // ... but known operands still have to match: unreachable i64.const 0 i32.add
  CHECK(startsWith(bodyError({}, {I32}, {}, {0x00, 0x42, 0x00, 0x6a, 0x0b}), "type mismatch"));
  // if (result i32) without else -> type mismatch
  CHECK(startsWith(bodyError({I32}, {I32}, {}, {0x20, 0x00, 0x04, 0x7f, 0x41, 0x01, 0x0b, 0x0b}), "type mismatch"));
  // if/else both producing i32
  CHECK(bodyError({I32}, {I32}, {}, {0x20, 0x00, 0x04, 0x7f, 0x41, 0x01, 0x05, 0x41, 0x02, 0x0b, 0x0b}) == "");
  // else branch producing i64
  CHECK(startsWith(bodyError({I32}, {I32}, {}, {0x20, 0x00, 0x04, 0x7f, 0x41, 0x01, 0x05, 0x42, 0x02, 0x0b, 0x0b}),
                   "type mismatch"));
  // br_if keeps the label's values: block (result i32) i32.const 1 local.get 0 br_if 0 end
  CHECK(bodyError({I32}, {I32}, {}, {0x02, 0x7f, 0x41, 0x01, 0x20, 0x00, 0x0d, 0x00, 0x0b, 0x0b}) == "");
  // br_table with targets of different arity: block (result i32) block  i32.const 0 i32.const 0 br_table 0 1 ...
  CHECK(startsWith(bodyError({}, {I32}, {},
                             {0x02, 0x7f, 0x02, 0x40, 0x41, 0x00, 0x41, 0x00, 0x0e, 0x01, 0x00, 0x01, 0x0b, 0x41,
                              0x00, 0x0b, 0x0b}),
                   "type mismatch"));
  // br_table to the same arity is fine; return is polymorphic
  CHECK(bodyError({}, {I32}, {}, {0x41, 0x07, 0x41, 0x00, 0x0e, 0x01, 0x00, 0x00, 0x0b}) == "");
  CHECK(bodyError({}, {I32}, {}, {0x41, 0x07, 0x0f, 0x0b}) == "");
  CHECK(startsWith(bodyError({}, {I32}, {}, {0x42, 0x07, 0x0f, 0x0b}), "type mismatch"));
}

TEST_CASE("multi-value block types by type index", "[valid]") {
  ModuleBuilder b;
  uint32_t bt = b.type({I32}, {I32, I32});
  // i32.const 1 block (type bt) local.get... : (i32) -> (i32 i32): dup via local
  std::vector<uint8_t> body = {0x41, 0x01, 0x02, static_cast<uint8_t>(bt), 0x41, 0x02, 0x0b, 0x6a, 0x0b};
  CHECK(bodyError(b, {}, {I32}, {}, body) == "");
  ModuleBuilder b2;
  b2.type({I32}, {I32, I32});
  CHECK(startsWith(bodyError(b2, {}, {I32}, {}, {0x02, 0x09, 0x0b, 0x0b}), "unknown type"));
}

TEST_CASE("body framing errors", "[valid]") {
  CHECK(startsWith(bodyError({}, {}, {}, {0x01}), "END opcode expected"));
  CHECK(startsWith(bodyError({}, {}, {}, {0x02, 0x40, 0x0b}), "END opcode expected"));
  CHECK(startsWith(bodyError({}, {}, {}, {0xff, 0x0b}), "illegal opcode"));
  CHECK(startsWith(bodyError({}, {}, {}, {0x41}), "unexpected end"));
  CHECK(!bodyError({}, {}, {}, {0x0b, 0x01}).empty());  // operators after the final end
  CHECK(!bodyError({}, {}, {}, {0x05, 0x0b}).empty());  // else without if
}

TEST_CASE("memory instructions", "[valid]") {
  {
    ModuleBuilder b;  // no memory
    CHECK(startsWith(bodyError(b, {}, {I32}, {}, {0x41, 0x00, 0x28, 0x02, 0x00, 0x0b}), "unknown memory"));
  }
  {
    ModuleBuilder b;
    b.memory(1);
    CHECK(bodyError(b, {}, {I32}, {}, {0x41, 0x00, 0x28, 0x02, 0x00, 0x0b}) == "");
  }
  {
    ModuleBuilder b;
    b.memory(1);
    CHECK(startsWith(bodyError(b, {}, {I32}, {}, {0x41, 0x00, 0x28, 0x03, 0x00, 0x0b}),
                     "alignment must not be larger than natural"));
  }
  {
    ModuleBuilder b;  // i32.load8_u align 1 > natural 0
    b.memory(1);
    CHECK(startsWith(bodyError(b, {}, {I32}, {}, {0x41, 0x00, 0x2d, 0x01, 0x00, 0x0b}),
                     "alignment must not be larger than natural"));
  }
  {
    ModuleBuilder b;  // memory64: address is i64
    b.memory(1, true);
    CHECK(bodyError(b, {}, {I32}, {}, {0x42, 0x00, 0x28, 0x02, 0x00, 0x0b}) == "");
    ModuleBuilder b2;
    b2.memory(1, true);
    CHECK(startsWith(bodyError(b2, {}, {I32}, {}, {0x41, 0x00, 0x28, 0x02, 0x00, 0x0b}), "type mismatch"));
    ModuleBuilder b3;  // memory.size on memory64 gives i64
    b3.memory(1, true);
    CHECK(bodyError(b3, {}, {I64}, {}, {0x3f, 0x00, 0x0b}) == "");
  }
  {
    ModuleBuilder b;  // multi-memory: i32.load with memory index 1 (flag bit 6)
    b.memory(1);
    b.memory(1);
    CHECK(bodyError(b, {}, {I32}, {}, {0x41, 0x00, 0x28, 0x42, 0x01, 0x00, 0x0b}) == "");
    ModuleBuilder b2;
    b2.memory(1);
    CHECK(startsWith(bodyError(b2, {}, {I32}, {}, {0x41, 0x00, 0x28, 0x42, 0x01, 0x00, 0x0b}), "unknown memory 1"));
    ModuleBuilder b3;  // memory.size 1 -> unknown memory (3.0) / zero byte expected (2.0)
    b3.memory(1);
    CHECK(startsWith(bodyError(b3, {}, {I32}, {}, {0x3f, 0x01, 0x0b}), "unknown memory"));
    CHECK(startsWith(b3.validate(true).error().message, "zero byte expected"));
  }
  {
    ModuleBuilder b;  // data.drop 0 with a data segment but no data count section
    b.memory(1);
    b.m.datas.push_back(DataSegment{SegmentMode::Passive, 0, {}, {}, 0});
    CHECK(startsWith(bodyError(b, {}, {}, {}, {0xfc, 0x09, 0x00, 0x0b}), "data count section required"));
    ModuleBuilder b2;
    b2.memory(1);
    b2.m.datas.push_back(DataSegment{SegmentMode::Passive, 0, {}, {}, 0});
    b2.m.dataCount = 1;
    CHECK(bodyError(b2, {}, {}, {}, {0xfc, 0x09, 0x00, 0x0b}) == "");
    ModuleBuilder b3;
    b3.memory(1);
    b3.m.dataCount = 0;
    CHECK(startsWith(bodyError(b3, {}, {}, {}, {0xfc, 0x09, 0x00, 0x0b}), "unknown data segment"));
  }
}

TEST_CASE("SIMD lanes and natural alignment facts", "[valid]") {
  std::vector<uint8_t> v128const = {0xfd, 0x0c};
  v128const.insert(v128const.end(), 16, 0);
  auto withTail = [&](std::vector<uint8_t> tail) {
    std::vector<uint8_t> b = v128const;
    b.insert(b.end(), tail.begin(), tail.end());
    return b;
  };
  CHECK(bodyError({}, {I32}, {}, withTail({0xfd, 0x15, 15, 0x0b})) == "");  // i8x16.extract_lane_s 15
  CHECK(startsWith(bodyError({}, {I32}, {}, withTail({0xfd, 0x15, 16, 0x0b})), "invalid lane index"));
  CHECK(startsWith(bodyError({}, {I64}, {}, withTail({0xfd, 0x1d, 2, 0x0b})), "invalid lane index"));  // i64x2
  CHECK(bodyError({}, {V128}, {}, withTail({0x0b})) == "");
  CHECK(naturalAlignment(Op::I64Load) == 3);
  CHECK(naturalAlignment(Op::V128Load64Splat) == 3);
  CHECK(naturalAlignment(Op::I64Store16) == 1);
  CHECK(laneCount(Op::V128Store64Lane) == 2);
  CHECK(laneCount(Op::I16x8ReplaceLane) == 8);
}

TEST_CASE("select", "[valid]") {
  CHECK(bodyError({}, {I32}, {}, {0x41, 0x01, 0x41, 0x02, 0x41, 0x00, 0x1b, 0x0b}) == "");
  CHECK(startsWith(bodyError({}, {I32}, {}, {0x41, 0x01, 0x42, 0x02, 0x41, 0x00, 0x1b, 0x0b}), "type mismatch"));
  // untyped select on references is invalid; the typed form is fine
  CHECK(startsWith(bodyError({}, {}, {}, {0xd0, 0x70, 0xd0, 0x70, 0x41, 0x00, 0x1b, 0x1a, 0x0b}), "type mismatch"));
  CHECK(bodyError({}, {}, {}, {0xd0, 0x70, 0xd0, 0x70, 0x41, 0x00, 0x1c, 0x01, 0x70, 0x1a, 0x0b}) == "");
  CHECK(startsWith(bodyError({}, {}, {}, {0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0x1c, 0x02, 0x7f, 0x7f, 0x1a, 0x0b}),
                   "invalid result arity"));
  // unreachable select yields a value usable as anything numeric
  CHECK(bodyError({}, {I64}, {}, {0x00, 0x1b, 0x0b}) == "");
}

TEST_CASE("calls and tables", "[valid]") {
  ModuleBuilder b;
  uint32_t t = b.type({I32}, {I32});
  b.func(t, {}, {0x20, 0x00, 0x0b});
  // call 0 with i32
  CHECK(bodyError(b, {}, {I32}, {}, {0x41, 0x01, 0x10, 0x00, 0x0b}) == "");
  ModuleBuilder b2;
  CHECK(startsWith(bodyError(b2, {}, {}, {}, {0x10, 0x05, 0x0b}), "unknown function"));
  ModuleBuilder b3;  // call_indirect without a table
  b3.type({}, {});
  CHECK(startsWith(bodyError(b3, {}, {}, {}, {0x41, 0x00, 0x11, 0x00, 0x00, 0x0b}), "unknown table"));
  ModuleBuilder b4;
  b4.type({}, {});
  b4.table(FUNCREF);
  CHECK(bodyError(b4, {}, {}, {}, {0x41, 0x00, 0x11, 0x00, 0x00, 0x0b}) == "");
  ModuleBuilder b5;  // externref table cannot be used by call_indirect
  b5.type({}, {});
  b5.table(EXTERNREF);
  CHECK(startsWith(bodyError(b5, {}, {}, {}, {0x41, 0x00, 0x11, 0x00, 0x00, 0x0b}), "type mismatch"));
  ModuleBuilder b6;  // table.get 0 -> funcref; table.size
  b6.table(FUNCREF);
  CHECK(bodyError(b6, {}, {FUNCREF}, {}, {0x41, 0x00, 0x25, 0x00, 0x0b}) == "");
  CHECK(startsWith(bodyError({}, {I32}, {}, {0xfc, 0x10, 0x00, 0x0b}), "unknown table"));
  ModuleBuilder b7;  // return_call with mismatching results
  uint32_t t7 = b7.type({}, {I64});
  b7.func(t7, {}, {0x42, 0x00, 0x0b});
  CHECK(startsWith(bodyError(b7, {}, {I32}, {}, {0x12, 0x00, 0x0b}), "type mismatch"));
  ModuleBuilder b8;
  uint32_t t8 = b8.type({}, {I32});
  b8.func(t8, {}, {0x41, 0x00, 0x0b});
  CHECK(bodyError(b8, {}, {I32}, {}, {0x12, 0x00, 0x0b}) == "");
}

TEST_CASE("references: ref.func declaration, typed function references, non-nullable locals", "[valid]") {
  {
    ModuleBuilder b;
    uint32_t t = b.type({}, {});
    b.func(t, {}, {0xd2, 0x00, 0x1a, 0x0b});  // ref.func 0 without a declaration
    CHECK(startsWith(b.validate().error().message, "undeclared function reference"));
    b.m.exports.push_back(Export{"f", ExternKind::Func, 0});  // exporting declares it
    CHECK(b.validate().ok());
  }
  {
    // call_ref $t: (ref.func 0) call_ref 0 ; ref.as_non_null ; br_on_null
    ModuleBuilder b;
    uint32_t t = b.type({}, {I32});
    b.func(t, {}, {0xd2, 0x00, 0x14, 0x00, 0x0b});
    b.m.exports.push_back(Export{"f", ExternKind::Func, 0});
    CHECK(b.validate().ok());
    // call_ref with a funcref (abstract) operand is a mismatch
    ModuleBuilder b2;
    uint32_t t2 = b2.type({}, {I32});
    b2.func(t2, {}, {0xd0, 0x70, 0x14, 0x00, 0x0b});
    CHECK(startsWith(b2.validate().error().message, "type mismatch"));
  }
  {
    // non-nullable local (ref func): reading before initialization is invalid
    const ValType nonNullFunc = ValType::ref(HeapKind::Func, false);
    ModuleBuilder b;
    uint32_t t = b.type({}, {});
    b.func(t, {nonNullFunc}, {0x20, 0x00, 0x1a, 0x0b});
    CHECK(startsWith(b.validate().error().message, "uninitialized local"));
    // set it (ref.func 0 is non-null), then read: ok
    ModuleBuilder b2;
    uint32_t t2 = b2.type({}, {});
    b2.func(t2, {nonNullFunc}, {0xd2, 0x00, 0x21, 0x00, 0x20, 0x00, 0x1a, 0x0b});
    b2.m.exports.push_back(Export{"f", ExternKind::Func, 0});
    CHECK(b2.validate().ok());
    // initialized only inside a block: unset again after its end
    ModuleBuilder b3;
    uint32_t t3 = b3.type({}, {});
    b3.func(t3, {nonNullFunc}, {0x02, 0x40, 0xd2, 0x00, 0x21, 0x00, 0x0b, 0x20, 0x00, 0x1a, 0x0b});
    b3.m.exports.push_back(Export{"f", ExternKind::Func, 0});
    CHECK(startsWith(b3.validate().error().message, "uninitialized local"));
    // local.set of a nullable value into a non-nullable local is a mismatch
    ModuleBuilder b4;
    uint32_t t4 = b4.type({}, {});
    b4.func(t4, {nonNullFunc}, {0xd0, 0x70, 0x21, 0x00, 0x0b});
    CHECK(startsWith(b4.validate().error().message, "type mismatch"));
  }
  // ref.as_non_null then br_on_null
  CHECK(bodyError({FUNCREF}, {}, {}, {0x20, 0x00, 0xd4, 0x1a, 0x0b}) == "");
  CHECK(bodyError({FUNCREF}, {}, {}, {0x20, 0x00, 0xd5, 0x00, 0x1a, 0x0b}) == "");
  CHECK(startsWith(bodyError({I32}, {}, {}, {0x20, 0x00, 0xd4, 0x1a, 0x0b}), "type mismatch"));
  // ref.is_null on a number
  CHECK(startsWith(bodyError({}, {I32}, {}, {0x41, 0x00, 0xd1, 0x0b}), "type mismatch"));
}

TEST_CASE("exceptions: throw, try_table", "[valid]") {
  ModuleBuilder b;
  uint32_t tt = b.type({I32}, {});
  b.tag(tt);
  // block (result i32) try_table (catch 0 0) i32.const 1 throw 0 end unreachable end
  std::vector<uint8_t> body = {0x02, 0x7f, 0x1f, 0x40, 0x01, 0x00, 0x00, 0x00, 0x41, 0x01, 0x08, 0x00,
                               0x0b, 0x00, 0x0b, 0x0b};
  CHECK(bodyError(b, {}, {I32}, {}, body) == "");
  ModuleBuilder b2;
  uint32_t tt2 = b2.type({I32}, {});
  b2.tag(tt2);
  // catch into a label expecting nothing -> mismatch
  std::vector<uint8_t> bad = {0x02, 0x40, 0x1f, 0x40, 0x01, 0x00, 0x00, 0x00, 0x0b, 0x0b, 0x0b};
  CHECK(startsWith(bodyError(b2, {}, {}, {}, bad), "type mismatch"));
  CHECK(startsWith(bodyError({}, {}, {}, {0x08, 0x00, 0x0b}), "unknown tag"));
  // catch_all_ref to a label of exnref
  CHECK(bodyError({}, {}, {}, {0x02, 0x69, 0x1f, 0x40, 0x01, 0x03, 0x00, 0x0b, 0xd0, 0x69, 0x0b, 0x1a, 0x0b}) == "");
  ModuleBuilder b3;
  uint32_t bad3 = b3.type({}, {I32});
  b3.tag(bad3);
  CHECK(startsWith(b3.validate().error().message, "non-empty tag result type"));
}

TEST_CASE("GC: i31, structs, arrays, casts", "[valid]") {
  // i32.const 5 ref.i31 i31.get_s
  CHECK(bodyError({}, {I32}, {}, {0x41, 0x05, 0xfb, 0x1c, 0xfb, 0x1d, 0x0b}) == "");
  CHECK(startsWith(bodyError({}, {}, {}, {0xfb, 0x1c, 0x1a, 0x0b}), "type mismatch"));  // ref.i31 without operand
  auto structType = [](ModuleBuilder& b, bool mut) {
    SubType st;
    st.comp.kind = CompKind::Struct;
    st.comp.fields = {FieldType{ValType::i32(), mut}, FieldType{ValType::i8(), true}};
    st.recGroupStart = static_cast<uint32_t>(b.m.types.size());
    b.m.types.push_back(st);
  };
  {
    ModuleBuilder b;  // struct.new 0 (i32.const 1, i32.const 2) struct.get 0 0
    structType(b, false);
    CHECK(bodyError(b, {}, {I32}, {}, {0x41, 0x01, 0x41, 0x02, 0xfb, 0x00, 0x00, 0xfb, 0x02, 0x00, 0x00, 0x0b}) == "");
  }
  {
    ModuleBuilder b;  // struct.set on an immutable field
    structType(b, false);
    CHECK(startsWith(bodyError(b, {}, {}, {}, {0xfb, 0x01, 0x00, 0x41, 0x01, 0xfb, 0x05, 0x00, 0x00, 0x0b}),
                     "immutable field"));
  }
  {
    ModuleBuilder b;  // struct.get of a packed field needs get_s/get_u
    structType(b, true);
    CHECK(startsWith(bodyError(b, {}, {I32}, {}, {0xfb, 0x01, 0x00, 0xfb, 0x02, 0x00, 0x01, 0x0b}), "type mismatch"));
    ModuleBuilder b2;
    structType(b2, true);
    CHECK(bodyError(b2, {}, {I32}, {}, {0xfb, 0x01, 0x00, 0xfb, 0x03, 0x00, 0x01, 0x0b}) == "");
  }
  {
    ModuleBuilder b;  // immutable array: array.set rejected; array.len fine
    SubType at;
    at.comp.kind = CompKind::Array;
    at.comp.fields = {FieldType{ValType::i64(), false}};
    b.m.types.push_back(at);
    CHECK(startsWith(bodyError(b, {}, {}, {},
                               {0x42, 0x00, 0x41, 0x03, 0xfb, 0x06, 0x00, 0x41, 0x00, 0x42, 0x01, 0xfb, 0x0e, 0x00, 0x0b}),
                     "immutable array"));
    ModuleBuilder b2;
    b2.m.types.push_back(at);
    CHECK(bodyError(b2, {}, {I32}, {}, {0x42, 0x00, 0x41, 0x03, 0xfb, 0x06, 0x00, 0xfb, 0x0f, 0x0b}) == "");
  }
  // ref.cast across hierarchies is a mismatch: (ref.null func) ref.cast (ref any)
  CHECK(startsWith(bodyError({}, {}, {}, {0xd0, 0x70, 0xfb, 0x16, 0x6e, 0x1a, 0x0b}), "type mismatch"));
  CHECK(bodyError({}, {}, {}, {0xd0, 0x6e, 0xfb, 0x16, 0x6c, 0x1a, 0x0b}) == "");  // any -> (ref i31)
}

namespace {
// Records what a Validate=false walk reports, to check hook arguments.
struct RecordingInterface : NullInterface {
  CodeReader<RecordingInterface, false>* reader = nullptr;
  int simple = 0, consts = 0, ends = 0, brs = 0, loads = 0;
  std::vector<ValType> localTypes;
  uint32_t lastBrArity = 99;
  bool lastBrLoop = false;
  ValType loadAddr = ValType::bot();
  void onSimple(const Instr&) { ++simple; }
  void onConst(const Instr&) { ++consts; }
  void onEnd(ControlEntry&) { ++ends; }
  void onBr(uint32_t, ControlEntry& target) {
    ++brs;
    lastBrArity = static_cast<uint32_t>(target.labelTypes().size());
    lastBrLoop = target.isLoop();
  }
  void onLocalGet(uint32_t, ValType t) { localTypes.push_back(t); }
  void onLoad(const Instr&, ValType addr) {
    ++loads;
    loadAddr = addr;
  }
};
}  // namespace

TEST_CASE("Validate=false walk reports types, arities and label targets", "[valid]") {
  ModuleBuilder b;
  b.memory(1, true);
  uint32_t t = b.type({I64, F32}, {I32});
  // block (result i32) local.get 0 i32.load local.get 1 drop br 0 end
  b.func(t, {}, {0x02, 0x7f, 0x20, 0x00, 0x28, 0x02, 0x00, 0x20, 0x01, 0x1a, 0x0c, 0x00, 0x0b, 0x0b});
  REQUIRE(b.validate().ok());
  TypeContext ctx(b.m);
  RecordingInterface rec;
  CodeReader<RecordingInterface, false> reader(ctx, rec);
  rec.reader = &reader;
  REQUIRE(reader.readFunction(0).ok());
  CHECK(rec.ends == 2);
  CHECK(rec.brs == 1);
  CHECK(rec.lastBrArity == 1);
  CHECK_FALSE(rec.lastBrLoop);
  CHECK(rec.loads == 1);
  CHECK(rec.loadAddr.kind == ValKind::I64);
  REQUIRE(rec.localTypes.size() == 2);
  CHECK(rec.localTypes[0].kind == ValKind::I64);
  CHECK(rec.localTypes[1].kind == ValKind::F32);
}

TEST_CASE("one reader reused across functions (stacks are reset)", "[valid]") {
  ModuleBuilder b;
  uint32_t t = b.type({}, {I32});
  for (int i = 0; i < 50; ++i) b.func(t, {I32}, {0x02, 0x7f, 0x41, 0x01, 0x0b, 0x20, 0x00, 0x6a, 0x0b});
  CHECK(b.validate().ok());
  b.func(t, {}, {0x02, 0x7f, 0x41, 0x01, 0x0b, 0x6a, 0x0b});  // the 51st is broken
  CHECK(startsWith(b.validate().error().message, "type mismatch"));
}

TEST_CASE("legacy exception handling: try/catch/catch_all/delegate/rethrow", "[valid]") {
  ModuleBuilder b;
  uint32_t tt = b.type({I32}, {});
  b.tag(tt);
  // try (result i32) i32.const 1 catch 0 (pushes i32) end
  CHECK(bodyError(b, {}, {I32}, {}, {0x06, 0x7f, 0x41, 0x01, 0x07, 0x00, 0x0b, 0x0b}) == "");
  ModuleBuilder b2;
  uint32_t tt2 = b2.type({I64}, {});
  b2.tag(tt2);
  // catch pushes i64 where i32 is required
  CHECK(bodyError(b2, {}, {I32}, {}, {0x06, 0x7f, 0x41, 0x01, 0x07, 0x00, 0x0b, 0x0b}) ==
        "type mismatch: instruction requires [i32] but stack has [i64]");
  // try catch_all rethrow 0 end
  CHECK(bodyError({}, {}, {}, {0x06, 0x40, 0x19, 0x09, 0x00, 0x0b, 0x0b}) == "");
  // rethrow outside a catch
  CHECK(startsWith(bodyError({}, {}, {}, {0x02, 0x40, 0x09, 0x00, 0x0b, 0x0b}), "invalid rethrow label"));
  // try delegate 0 (to the function); delegate 1 is out of range
  CHECK(bodyError({}, {}, {}, {0x06, 0x40, 0x18, 0x00, 0x0b}) == "");
  CHECK(startsWith(bodyError({}, {}, {}, {0x06, 0x40, 0x18, 0x01, 0x0b}), "unknown label"));
  // leftover values at a catch: the reference wording
  CHECK(bodyError({}, {}, {}, {0x06, 0x40, 0x19, 0x41, 0x01, 0x0b, 0x0b}) ==
        "type mismatch: block requires [] but stack has [i32]");
}

TEST_CASE("a malformed body wins over an earlier validation error", "[valid]") {
  ModuleBuilder b;
  uint32_t t = b.type({}, {});
  b.func(t, {}, {0x41, 0x00, 0x0b});  // invalid: leaves an i32
  b.func(t, {}, {0x01});              // malformed: no end
  CHECK(startsWith(b.validate().error().message, "END opcode expected"));
}

namespace {
struct ConstRecorder : NullInterface {
  std::vector<int32_t> values;
  std::vector<uint32_t> locals;
  std::vector<uint64_t> offsets;
  void onConst(const Instr& in) { values.push_back(in.i32); }
  void onLocalGet(uint32_t idx, ValType) { locals.push_back(idx); }
  void onLoad(const Instr& in, ValType) { offsets.push_back(in.mem.offset); }
};
}  // namespace

TEST_CASE("immediates decode the same on the fast path and through readInstr", "[valid]") {
  // i32.const with 1-, 2- and 3-byte LEB128s; local.get 200 (2 bytes); i32.load offset 1, 300, 70000
  ModuleBuilder b;
  b.memory(1);
  uint32_t t = b.type({}, {});
  std::vector<ValType> locals(201, I32);
  b.func(t, locals,
         {0x41, 0x3f, 0x1a, 0x41, 0x40, 0x1a, 0x41, 0xe8, 0x07, 0x1a, 0x41, 0x98, 0x78, 0x1a, 0x41, 0xa0, 0x8d, 0x06,
          0x1a, 0x20, 0xc8, 0x01, 0x1a, 0x41, 0x00, 0x28, 0x02, 0x01, 0x1a, 0x41, 0x00, 0x28, 0x02, 0xac, 0x02, 0x1a,
          0x41, 0x00, 0x28, 0x02, 0xf0, 0xa2, 0x04, 0x1a, 0x0b});
  REQUIRE(b.validate().ok());
  TypeContext ctx(b.m);
  ConstRecorder rec;
  CodeReader<ConstRecorder, false> reader(ctx, rec);
  REQUIRE(reader.readFunction(0).ok());
  CHECK(rec.values == std::vector<int32_t>{63, -64, 1000, -1000, 100000, 0, 0, 0});
  CHECK(rec.locals == std::vector<uint32_t>{200});
  CHECK(rec.offsets == std::vector<uint64_t>{1, 300, 70000});
}
