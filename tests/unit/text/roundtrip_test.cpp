// tests/unit/text/roundtrip_test.cpp -- every opcode has a text name and round-trips binary <-> text:
// build a representative Instr per Op, print it (printer.h), parse it back inside a function (watToBinary), decode the
// first instruction of the body (readInstr) and compare opcode and immediates.
#include <catch2/catch.hpp>

#include <cstring>

#include "runtime/binary/instr.h"
#include "runtime/text/printer.h"
#include "runtime/text/wat.h"

using namespace myrt;

namespace {

// Returns the bytes of the first function body after its local declarations.
bool firstBody(const std::vector<uint8_t>& wasm, ByteReader& out) {
  ByteReader r(wasm.data(), wasm.size());
  if (!r.bytes(8).ok()) return false;
  while (!r.atEnd()) {
    auto id = r.u8();
    auto size = r.u32();
    if (!id.ok() || !size.ok() || *size > r.remaining()) return false;
    size_t start = r.pos();
    if (*id == 10) {
      auto n = r.u32();
      auto bodySize = r.u32();
      auto locals = r.u32();
      if (!n.ok() || !bodySize.ok() || !locals.ok() || *locals != 0) return false;
      out = ByteReader(r.cur(), r.remaining(), r.offset());
      return true;
    }
    r.seek(start + *size);
  }
  return false;
}

Instr representative(Op op) {
  Instr in;
  in.op = op;
  switch (opInfo(op).imm) {
    case ImmKind::None:
    case ImmKind::Zero: break;
    case ImmKind::BlockType: in.block.kind = BlockTypeImm::Val; in.block.val = ValType::i64(); break;
    case ImmKind::LabelIdx:
    case ImmKind::FuncIdx:
    case ImmKind::LocalIdx:
    case ImmKind::GlobalIdx:
    case ImmKind::TableIdx:
    case ImmKind::MemIdx:
    case ImmKind::TypeIdx:
    case ImmKind::DataIdx:
    case ImmKind::ElemIdx:
    case ImmKind::TagIdx:
      in.idx = 3;
      break;
    case ImmKind::BrTable: in.targets = {2, 0, 1}; break;
    case ImmKind::CallIndirect:
    case ImmKind::TypeField:
    case ImmKind::TypeCount:
    case ImmKind::TypeData:
    case ImmKind::TypeElem:
    case ImmKind::TypeType:
    case ImmKind::MemoryInit:
    case ImmKind::MemoryCopy:
    case ImmKind::TableInit:
    case ImmKind::TableCopy:
      in.idx = 1;
      in.idx2 = 2;
      break;
    case ImmKind::MemArg:
    case ImmKind::MemArgLane:
      in.mem.align = 0;
      in.mem.memory = 1;
      in.mem.offset = 0x12345;
      if (opInfo(op).imm == ImmKind::MemArgLane) in.lane = 1;
      break;
    case ImmKind::I32: in.i32 = -123456; break;
    case ImmKind::I64: in.i64 = INT64_MIN + 7; break;
    case ImmKind::F32: in.f32bits = 0xFFA00001u; break;  // -nan:0x200001
    case ImmKind::F64: in.f64bits = 0x400921FB54442D18ull; break;
    case ImmKind::V128:
      for (int i = 0; i < 16; ++i) in.bytes[i] = static_cast<uint8_t>(0xF0 + i);
      break;
    case ImmKind::Lane: in.lane = 1; break;
    case ImmKind::Shuffle:
      for (int i = 0; i < 16; ++i) in.bytes[i] = static_cast<uint8_t>((i * 3) % 32);
      break;
    case ImmKind::SelectT: in.types = {ValType::ref(HeapKind::Concrete, true, 2)}; break;
    case ImmKind::HeapType: in.heap = HeapType{HeapKind::Concrete, 4}; break;
    case ImmKind::TryTable:
      in.block.kind = BlockTypeImm::Val;
      in.block.val = ValType::f32();
      in.catches = {CatchClause{CatchClause::Catch, 1, 0}, CatchClause{CatchClause::CatchAllRef, 0, 1}};
      break;
    case ImmKind::BrOnCast:
      in.flags = 2;
      in.idx = 1;
      in.heap = HeapType{HeapKind::Any, 0};
      in.heap2 = HeapType{HeapKind::Concrete, 5};
      break;
  }
  return in;
}

void requireSameImmediates(const Instr& a, const Instr& b) {
  REQUIRE(opName(a.op) == opName(b.op));
  REQUIRE(a.op == b.op);
  switch (opInfo(a.op).imm) {
    case ImmKind::None:
    case ImmKind::Zero: break;
    case ImmKind::BlockType:
      CHECK(a.block.kind == b.block.kind);
      CHECK(a.block.val == b.block.val);
      CHECK(a.block.index == b.block.index);
      break;
    case ImmKind::BrTable: CHECK(a.targets == b.targets); break;
    case ImmKind::MemArg:
    case ImmKind::MemArgLane:
      CHECK(a.mem.align == b.mem.align);
      CHECK(a.mem.memory == b.mem.memory);
      CHECK(a.mem.offset == b.mem.offset);
      CHECK(a.lane == b.lane);
      break;
    case ImmKind::I32: CHECK(a.i32 == b.i32); break;
    case ImmKind::I64: CHECK(a.i64 == b.i64); break;
    case ImmKind::F32: CHECK(a.f32bits == b.f32bits); break;
    case ImmKind::F64: CHECK(a.f64bits == b.f64bits); break;
    case ImmKind::V128:
    case ImmKind::Shuffle: CHECK(std::memcmp(a.bytes, b.bytes, 16) == 0); break;
    case ImmKind::Lane: CHECK(a.lane == b.lane); break;
    case ImmKind::SelectT: CHECK(a.types == b.types); break;
    case ImmKind::HeapType: CHECK(a.heap == b.heap); break;
    case ImmKind::TryTable:
      CHECK(a.block.kind == b.block.kind);
      CHECK(a.block.val == b.block.val);
      REQUIRE(a.catches.size() == b.catches.size());
      for (size_t i = 0; i < a.catches.size(); ++i) {
        CHECK(a.catches[i].kind == b.catches[i].kind);
        CHECK(a.catches[i].tag == b.catches[i].tag);
        CHECK(a.catches[i].label == b.catches[i].label);
      }
      break;
    case ImmKind::BrOnCast:
      CHECK(a.flags == b.flags);
      CHECK(a.idx == b.idx);
      CHECK(a.heap == b.heap);
      CHECK(a.heap2 == b.heap2);
      break;
    default:
      CHECK(a.idx == b.idx);
      CHECK(a.idx2 == b.idx2);
      break;
  }
}

}  // namespace

TEST_CASE("every opcode has a name and round-trips binary <-> text", "[text][roundtrip]") {
  unsigned checked = 0;
  for (unsigned i = 0; i < kNumOps; ++i) {
    Op op = static_cast<Op>(i);
    REQUIRE(!opName(op).empty());
    Instr in = representative(op);
    std::string printed = printInstr(in);
    // Structural ops only exist inside their construct; `skip` counts the instructions before the one under test.
    std::string body = printed;
    unsigned skip = 0;
    switch (op) {
      case Op::Block: case Op::Loop: case Op::If: case Op::Try: case Op::TryTable: body = printed + " end"; break;
      case Op::Else: body = "if " + printed + " end"; skip = 1; break;
      case Op::End: body = "block " + printed; skip = 1; break;
      case Op::Catch: body = "try " + printed + " end"; skip = 1; break;
      case Op::CatchAll: body = "try " + printed + " end"; skip = 1; break;
      case Op::Delegate: body = "try " + printed; skip = 1; break;
      default: break;
    }
    INFO("op " << opName(op) << " printed as: " << body);
    auto wasm = watToBinary("(module (func " + body + "))");
    if (!wasm.ok()) FAIL_CHECK(wasm.error().message);
    REQUIRE(wasm.ok());
    ByteReader r;
    REQUIRE(firstBody(*wasm, r));
    Instr back;
    for (unsigned k = 0; k <= skip; ++k) {
      Status st = readInstr(r, back);
      if (!st.ok()) FAIL_CHECK(st.error().message);
      REQUIRE(st.ok());
    }
    requireSameImmediates(in, back);
    ++checked;
  }
  CHECK(checked == kNumOps);
}

TEST_CASE("printer: exact float forms", "[text]") {
  CHECK(printF32(0x7F800000u) == "inf");
  CHECK(printF32(0xFFC00000u) == "-nan:0x400000");
  CHECK(printF32(0x3FC00000u) == "0x1.8p+0");
  CHECK(printF32(0x00000001u) == "0x1p-149");
  CHECK(printF64(0x8000000000000000ull) == "-0x0p+0");
  CHECK(printF64(0x7FF0000000000001ull) == "nan:0x1");
}
