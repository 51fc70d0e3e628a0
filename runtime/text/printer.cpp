// runtime/text/printer.cpp -- text form of one decoded instruction, driven by ImmKind (see printer.h).
// Layer: text.
#include "runtime/text/printer.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>

namespace myrt {
namespace {

std::string num(uint64_t v) { return std::to_string(v); }

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}

std::string blockType(const BlockTypeImm& b) {
  switch (b.kind) {
    case BlockTypeImm::Empty: return "";
    case BlockTypeImm::Val: {
      std::string s = " (result ";
      s += toString(b.val);
      s += ')';
      return s;
    }
    case BlockTypeImm::Index: {
      std::string s = " (type ";
      s += num(b.index);
      s += ')';
      return s;
    }
  }
  return "";
}

std::string memArg(const Instr& in) {
  std::string s;
  if (in.mem.memory != 0) {
    s += ' ';
    s += num(in.mem.memory);
  }
  if (in.mem.offset != 0) {
    s += " offset=";
    s += num(in.mem.offset);
  }
  // align is the log2 exponent; values >= 64 cannot be written as a power of two, print the natural default then
  if (in.mem.align < 64) {
    s += " align=";
    s += num(uint64_t{1} << in.mem.align);
  }
  return s;
}

std::string refType(HeapType h, bool nullable) {
  return toString(ValType::ref(h.kind, nullable, h.index));
}

}  // namespace

std::string printF32(uint32_t bits) {
  bool neg = bits >> 31;
  uint32_t exp = (bits >> 23) & 0xFF, mant = bits & 0x7FFFFF;
  std::string sign = neg ? "-" : "";
  if (exp == 0xFF) {
    sign += mant == 0 ? "inf" : "nan:";
    if (mant != 0) sign += hex(mant);
    return sign;
  }
  float f;
  std::memcpy(&f, &bits, 4);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", static_cast<double>(f));
  return buf;
}

std::string printF64(uint64_t bits) {
  bool neg = bits >> 63;
  uint64_t exp = (bits >> 52) & 0x7FF, mant = bits & 0xFFFFFFFFFFFFFull;
  std::string sign = neg ? "-" : "";
  if (exp == 0x7FF) {
    sign += mant == 0 ? "inf" : "nan:";
    if (mant != 0) sign += hex(mant);
    return sign;
  }
  double d;
  std::memcpy(&d, &bits, 8);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", d);
  return buf;
}

std::string printInstr(const Instr& in) {
  std::string s(opName(in.op));
  auto sp = [&s](const std::string& x) {
    s += ' ';
    s += x;
  };
  switch (opInfo(in.op).imm) {
    case ImmKind::None:
    case ImmKind::Zero: return s;
    case ImmKind::BlockType: s += blockType(in.block);
      return s;
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
      sp(num(in.idx));
      return s;
    case ImmKind::BrTable:
      for (uint32_t t : in.targets) sp(num(t));
      return s;
    case ImmKind::CallIndirect:
      sp(num(in.idx2));
      sp("(type");
      sp(num(in.idx));
      s += ')';
      return s;
    case ImmKind::MemArg:
      s += memArg(in);
      return s;
    case ImmKind::MemArgLane:
      s += memArg(in);
      sp(num(in.lane));
      return s;
    case ImmKind::I32: sp(std::to_string(in.i32)); return s;
    case ImmKind::I64: sp(std::to_string(in.i64)); return s;
    case ImmKind::F32: sp(printF32(in.f32bits)); return s;
    case ImmKind::F64: sp(printF64(in.f64bits)); return s;
    case ImmKind::V128: {
      s += " i32x4";
      for (int i = 0; i < 4; ++i) {
        uint32_t v = 0;
        for (int b = 0; b < 4; ++b) v |= static_cast<uint32_t>(in.bytes[i * 4 + b]) << (8 * b);
        sp(hex(v));
      }
      return s;
    }
    case ImmKind::Lane: sp(num(in.lane)); return s;
    case ImmKind::Shuffle:
      for (int i = 0; i < 16; ++i) sp(num(in.bytes[i]));
      return s;
    case ImmKind::SelectT: {
      s += " (result";
      for (ValType t : in.types) sp(toString(t));
      s += ')';
      return s;
    }
    case ImmKind::HeapType:
      if (in.op == Op::RefTest || in.op == Op::RefCast) sp(refType(in.heap, false));
      else if (in.op == Op::RefTestNull || in.op == Op::RefCastNull) sp(refType(in.heap, true));
      else sp(toString(in.heap));
      return s;
    case ImmKind::TypeField:
    case ImmKind::TypeCount:
    case ImmKind::TypeData:
    case ImmKind::TypeElem:
    case ImmKind::TypeType:
    case ImmKind::MemoryCopy:
    case ImmKind::TableCopy:
      sp(num(in.idx));
      sp(num(in.idx2));
      return s;
    case ImmKind::MemoryInit:
    case ImmKind::TableInit:
      sp(num(in.idx2));  // text order: memory/table first, then the segment
      sp(num(in.idx));
      return s;
    case ImmKind::TryTable: {
      s += blockType(in.block);
      static const char* const kinds[] = {"catch", "catch_ref", "catch_all", "catch_all_ref"};
      for (const CatchClause& c : in.catches) {
        s += " (";
        s += kinds[c.kind & 3];
        if (c.kind == CatchClause::Catch || c.kind == CatchClause::CatchRef) sp(num(c.tag));
        sp(num(c.label));
        s += ')';
      }
      return s;
    }
    case ImmKind::BrOnCast:
      sp(num(in.idx));
      sp(refType(in.heap, in.flags & 1));
      sp(refType(in.heap2, in.flags & 2));
      return s;
  }
  return s;
}

}  // namespace myrt
