// tests/unit/valid/validator_test.cpp -- module-level validation on hand-built modules: constant expressions, limits,
// exports, start, segments, declared subtypes and type canonicalization.
#include <catch2/catch.hpp>

#include "runtime/valid/type_context.h"
#include "test_module.h"

using namespace myrt;
using namespace myrt::test;

namespace {
const ValType I32 = ValType::i32(), I64 = ValType::i64(), FUNCREF = ValType::funcref();
std::string err(const ModuleBuilder& b, bool wasm2 = false) {
  Status s = b.validate(wasm2);
  return s.ok() ? std::string() : s.error().message;
}
}  // namespace

TEST_CASE("global initializers are constant expressions", "[valid]") {
  {
    ModuleBuilder b;
    b.global(I32, false, {0x41, 0x05, 0x0b});
    CHECK(err(b) == "");
  }
  {
    ModuleBuilder b;  // wrong type
    b.global(I32, false, {0x42, 0x05, 0x0b});
    CHECK(startsWith(err(b), "type mismatch"));
  }
  {
    ModuleBuilder b;  // extended constants: i32.const 1 i32.const 2 i32.add
    b.global(I32, false, {0x41, 0x01, 0x41, 0x02, 0x6a, 0x0b});
    CHECK(err(b) == "");
  }
  {
    ModuleBuilder b;  // i32.div_s is not constant
    b.global(I32, false, {0x41, 0x01, 0x41, 0x02, 0x6d, 0x0b});
    CHECK(startsWith(err(b), "constant expression required"));
  }
  {
    ModuleBuilder b;  // two values
    b.global(I32, false, {0x41, 0x01, 0x41, 0x02, 0x0b});
    CHECK(startsWith(err(b), "type mismatch"));
  }
  {
    ModuleBuilder b;  // empty initializer
    b.global(I32, false, {0x0b});
    CHECK(startsWith(err(b), "type mismatch"));
  }
  {
    ModuleBuilder b;  // global.get of a later global
    b.global(I32, false, {0x23, 0x01, 0x0b});
    b.global(I32, false, {0x41, 0x00, 0x0b});
    CHECK(startsWith(err(b), "unknown global"));
  }
  {
    ModuleBuilder b;  // global.get of an earlier defined immutable global: 3.0 yes, 2.0 no
    b.global(I32, false, {0x41, 0x00, 0x0b});
    b.global(I32, false, {0x23, 0x00, 0x0b});
    CHECK(err(b) == "");
    CHECK(startsWith(err(b, true), "unknown global"));
  }
  {
    ModuleBuilder b;  // global.get of a mutable global
    b.global(I32, true, {0x41, 0x00, 0x0b});
    b.global(I32, false, {0x23, 0x00, 0x0b});
    CHECK(startsWith(err(b), "constant expression required"));
  }
  {
    ModuleBuilder b;  // ref.func in a global declares the function and needs no declaration itself
    uint32_t t = b.type({}, {});
    b.func(t, {}, {0xd2, 0x00, 0x1a, 0x0b});
    b.global(FUNCREF, false, {0xd2, 0x00, 0x0b});
    CHECK(err(b) == "");
    ModuleBuilder b2;
    b2.global(FUNCREF, false, {0xd2, 0x03, 0x0b});
    CHECK(startsWith(err(b2), "unknown function"));
  }
}

TEST_CASE("limits of memories and tables", "[valid]") {
  {
    ModuleBuilder b;
    b.memory(2);
    b.m.memories[0].type.limits.max = 1;
    CHECK(startsWith(err(b), "size minimum must not be greater than maximum"));
  }
  {
    ModuleBuilder b;
    b.memory(65537);
    CHECK(startsWith(err(b), "memory size must be at most 65536 pages (4GiB)"));
  }
  {
    ModuleBuilder b;
    b.memory(65537, true);  // memory64 allows it
    CHECK(err(b) == "");
  }
  {
    ModuleBuilder b;  // multiple memories: allowed in 3.0, rejected in 2.0
    b.memory(1);
    b.memory(1);
    CHECK(err(b) == "");
    CHECK(startsWith(err(b, true), "multiple memories"));
  }
  {
    ModuleBuilder b;
    b.table(FUNCREF, 5);
    b.m.tables[0].type.limits.max = 4;
    CHECK(startsWith(err(b), "size minimum must not be greater than maximum"));
  }
  {
    ModuleBuilder b;  // non-nullable table element type needs an initializer
    b.table(ValType::ref(HeapKind::Func, false));
    CHECK(startsWith(err(b), "type mismatch"));
  }
}

TEST_CASE("exports and start", "[valid]") {
  {
    ModuleBuilder b;
    uint32_t t = b.type({}, {});
    b.func(t, {}, {0x0b});
    b.m.exports.push_back(Export{"a", ExternKind::Func, 0});
    b.m.exports.push_back(Export{"a", ExternKind::Func, 0});
    CHECK(startsWith(err(b), "duplicate export name"));
  }
  {
    ModuleBuilder b;
    b.m.exports.push_back(Export{"a", ExternKind::Memory, 0});
    CHECK(startsWith(err(b), "unknown memory"));
  }
  {
    ModuleBuilder b;
    uint32_t t = b.type({I32}, {});
    b.func(t, {}, {0x0b});
    b.m.start = 0;
    CHECK(startsWith(err(b), "start function"));
    b.m.start = 7;
    CHECK(startsWith(err(b), "unknown function"));
  }
}

TEST_CASE("element and data segments", "[valid]") {
  {
    ModuleBuilder b;  // active elem segment without a table
    uint32_t t = b.type({}, {});
    b.func(t, {}, {0x0b});
    ElemSegment s;
    s.offset = b.bytes({0x41, 0x00, 0x0b});
    s.funcIndices = {0};
    b.m.elems.push_back(s);
    CHECK(startsWith(err(b), "unknown table"));
    b.table(FUNCREF);
    CHECK(err(b) == "");
    b.m.elems[0].funcIndices = {3};
    CHECK(startsWith(err(b), "unknown function"));
    b.m.elems[0].funcIndices = {0};
    b.m.elems[0].offset = b.bytes({0x42, 0x00, 0x0b});  // i64 offset for a 32-bit table
    CHECK(startsWith(err(b), "type mismatch"));
  }
  {
    ModuleBuilder b;  // active data segment
    DataSegment d;
    d.offset = b.bytes({0x41, 0x00, 0x0b});
    b.m.datas.push_back(d);
    CHECK(startsWith(err(b), "unknown memory"));
    b.memory(1);
    CHECK(err(b) == "");
    b.m.datas[0].offset = b.bytes({0x41, 0x00, 0x41, 0x01, 0x6b, 0x0b});  // extended: i32.sub
    CHECK(err(b) == "");
  }
}

TEST_CASE("declared subtypes and iso-recursive canonicalization", "[valid]") {
  ModuleBuilder b;
  uint32_t a = b.type({}, {I32});
  uint32_t a2 = b.type({}, {I32});  // structurally identical singleton group: same canonical type
  uint32_t c = b.type({}, {I64});
  TypeContext ctx(b.m);
  CHECK(ctx.canon(a) == ctx.canon(a2));
  CHECK(ctx.canon(a) != ctx.canon(c));
  CHECK(ctx.isSubtype(ValType::ref(HeapKind::Concrete, false, a), ValType::ref(HeapKind::Concrete, true, a2)));
  CHECK_FALSE(ctx.isSubtype(ValType::ref(HeapKind::Concrete, true, a), ValType::ref(HeapKind::Concrete, false, a2)));
  CHECK(ctx.isSubtype(ValType::ref(HeapKind::Concrete, false, a), FUNCREF));
  CHECK_FALSE(ctx.isSubtype(FUNCREF, ValType::ref(HeapKind::Concrete, true, a)));
  CHECK(ctx.isSubtype(ValType::ref(HeapKind::NoFunc, true), ValType::ref(HeapKind::Concrete, true, c)));
  CHECK_FALSE(ctx.isSubtype(ValType::ref(HeapKind::NoExtern, true), FUNCREF));
  CHECK(ctx.isSubtype(ValType::ref(HeapKind::I31, false), ValType::ref(HeapKind::Eq, true)));
  CHECK_FALSE(ctx.isSubtype(ValType::ref(HeapKind::Any, false), ValType::ref(HeapKind::Eq, true)));

  // declared super type: final supers are rejected, non-final matching ones accepted
  ModuleBuilder s;
  s.type({}, {});
  s.type({}, {});
  s.m.types[1].supers = {0};
  CHECK(startsWith(err(s), "sub type"));  // type 0 is final
  s.m.types[0].final = false;
  CHECK(err(s) == "");
  TypeContext sctx(s.m);
  CHECK(sctx.heapSubtype({HeapKind::Concrete, 1}, {HeapKind::Concrete, 0}));
  s.m.types[1].comp.results = {I32};  // no longer a subtype of [] -> []
  CHECK(startsWith(err(s), "sub type"));
}
