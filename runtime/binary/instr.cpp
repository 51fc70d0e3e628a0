// runtime/binary/instr.cpp -- opcode + immediate decoding, value/heap type decoding.
#include "runtime/binary/instr.h"

#include <cstdio>

namespace myrt {

bool isValTypeStart(uint8_t b) {
  return (b >= 0x7B && b <= 0x7F) || (b >= 0x69 && b <= 0x74) || b == 0x63 || b == 0x64;
}

static bool abstractHeap(int64_t code, HeapKind& out) {
  switch (code) {
    case -0x10: out = HeapKind::Func; return true;      // 0x70
    case -0x11: out = HeapKind::Extern; return true;    // 0x6F
    case -0x12: out = HeapKind::Any; return true;       // 0x6E
    case -0x13: out = HeapKind::Eq; return true;        // 0x6D
    case -0x14: out = HeapKind::I31; return true;       // 0x6C
    case -0x15: out = HeapKind::Struct; return true;    // 0x6B
    case -0x16: out = HeapKind::Array; return true;     // 0x6A
    case -0x17: out = HeapKind::Exn; return true;       // 0x69
    case -0x0F: out = HeapKind::None; return true;      // 0x71
    case -0x0E: out = HeapKind::NoExtern; return true;  // 0x72
    case -0x0D: out = HeapKind::NoFunc; return true;    // 0x73
    case -0x0C: out = HeapKind::NoExn; return true;     // 0x74
    default: return false;
  }
}

Result<HeapType> readHeapType(ByteReader& r) {
  size_t at = r.offset();
  MYRT_ASSIGN(int64_t code, r.s33());
  if (code >= 0) {
    if (code > 0xFFFFFFFFll) return r.errorAt(at, "integer too large");
    return HeapType{HeapKind::Concrete, static_cast<uint32_t>(code)};
  }
  HeapKind k;
  if (!abstractHeap(code, k)) return r.errorAt(at, "malformed heap type");
  return HeapType{k, 0};
}

static Result<ValType> readRefAfterByte(ByteReader& r, uint8_t b, size_t at) {
  if (b == 0x63 || b == 0x64) {
    MYRT_ASSIGN(HeapType h, readHeapType(r));
    return ValType::ref(h.kind, b == 0x63, h.index);
  }
  HeapKind k;
  if (abstractHeap(static_cast<int64_t>(b) - 0x80, k)) return ValType::ref(k, true);
  return r.errorAt(at, "malformed reference type");
}

Result<ValType> readRefType(ByteReader& r) {
  size_t at = r.offset();
  MYRT_ASSIGN(uint8_t b, r.u8());
  return readRefAfterByte(r, b, at);
}

Result<ValType> readValType(ByteReader& r) {
  size_t at = r.offset();
  MYRT_ASSIGN(uint8_t b, r.u8());
  switch (b) {
    case 0x7F: return ValType::i32();
    case 0x7E: return ValType::i64();
    case 0x7D: return ValType::f32();
    case 0x7C: return ValType::f64();
    case 0x7B: return ValType::v128();
    default: break;
  }
  if (isValTypeStart(b)) return readRefAfterByte(r, b, at);
  return r.errorAt(at, "malformed value type");
}

static Status readBlockType(ByteReader& r, BlockTypeImm& bt) {
  MYRT_ASSIGN(uint8_t b, r.peekU8());
  if (b == 0x40) {
    r.u8().value();
    bt.kind = BlockTypeImm::Empty;
    return {};
  }
  if (isValTypeStart(b)) {
    bt.kind = BlockTypeImm::Val;
    MYRT_ASSIGN(bt.val, readValType(r));
    return {};
  }
  size_t at = r.offset();
  MYRT_ASSIGN(int64_t idx, r.s33());
  if (idx < 0) return r.errorAt(at, "malformed block type");
  bt.kind = BlockTypeImm::Index;
  bt.index = static_cast<uint32_t>(idx);
  return {};
}

static Status readMemArg(ByteReader& r, MemArgImm& m) {
  size_t at = r.offset();
  MYRT_ASSIGN(uint32_t flags, r.u32());
  m.memory = 0;
  if (flags & 0x40) {
    flags &= ~0x40u;
    MYRT_ASSIGN(m.memory, r.u32());
  }
  if (flags >= 64) return r.errorAt(at, "malformed memop flags");
  m.align = flags;
  MYRT_ASSIGN(m.offset, r.u64());
  return {};
}

Status readInstr(ByteReader& r, Instr& in) {
  in.offset = r.offset();
  MYRT_ASSIGN(uint8_t b, r.u8());
  std::optional<Op> op;
  uint32_t code = 0;
  if (isPrefixByte(b)) {
    MYRT_ASSIGN(code, r.u32());
    op = opFromPrefixed(b, code);
  } else {
    op = opFromByte(b);
  }
  if (!op) {
    // The reference interpreter's wording: "illegal opcode ff", "illegal opcode fc 12" (hex).
    char buf[40];
    if (isPrefixByte(b))
      std::snprintf(buf, sizeof buf, "illegal opcode %02x %02x", b, code);
    else
      std::snprintf(buf, sizeof buf, "illegal opcode %02x", b);
    return r.errorAt(in.offset, buf);
  }
  in.op = *op;
  switch (opInfo(*op).imm) {
    case ImmKind::None: return {};
    case ImmKind::BlockType: return readBlockType(r, in.block);
    case ImmKind::LabelIdx:
    case ImmKind::FuncIdx:
    case ImmKind::LocalIdx:
    case ImmKind::GlobalIdx:
    case ImmKind::TableIdx:
    case ImmKind::TypeIdx:
    case ImmKind::DataIdx:
    case ImmKind::ElemIdx:
    case ImmKind::TagIdx:
    case ImmKind::MemIdx: {
      MYRT_ASSIGN(in.idx, r.u32());
      return {};
    }
    case ImmKind::CallIndirect:
    case ImmKind::TypeField:
    case ImmKind::TypeCount:
    case ImmKind::TypeData:
    case ImmKind::TypeElem:
    case ImmKind::TypeType:
    case ImmKind::MemoryInit:
    case ImmKind::MemoryCopy:
    case ImmKind::TableInit:
    case ImmKind::TableCopy: {
      MYRT_ASSIGN(in.idx, r.u32());
      MYRT_ASSIGN(in.idx2, r.u32());
      return {};
    }
    case ImmKind::BrTable: {
      MYRT_ASSIGN(uint32_t n, r.u32());
      if (n > r.remaining()) return r.errorHere("unexpected end");
      in.targets.resize(size_t(n) + 1);
      uint32_t* out = in.targets.data();
      for (uint32_t i = 0; i <= n; ++i) {
        if (!r.atEnd() && *r.cur() < 0x80) {  // one-byte depth: no Result round trip
          out[i] = *r.cur();
          r.seek(r.pos() + 1);
          continue;
        }
        MYRT_ASSIGN(out[i], r.u32());
      }
      return {};
    }
    case ImmKind::MemArg: return readMemArg(r, in.mem);
    case ImmKind::MemArgLane: {
      MYRT_TRY(readMemArg(r, in.mem));
      MYRT_ASSIGN(in.lane, r.u8());
      return {};
    }
    case ImmKind::I32: {
      MYRT_ASSIGN(in.i32, r.s32());
      return {};
    }
    case ImmKind::I64: {
      MYRT_ASSIGN(in.i64, r.s64());
      return {};
    }
    case ImmKind::F32: {
      MYRT_ASSIGN(in.f32bits, r.fixedU32());
      return {};
    }
    case ImmKind::F64: {
      MYRT_ASSIGN(in.f64bits, r.fixedU64());
      return {};
    }
    case ImmKind::V128:
    case ImmKind::Shuffle: {
      MYRT_ASSIGN(const uint8_t* p, r.bytes(16));
      std::memcpy(in.bytes, p, 16);
      return {};
    }
    case ImmKind::Lane: {
      MYRT_ASSIGN(in.lane, r.u8());
      return {};
    }
    case ImmKind::SelectT: {
      MYRT_ASSIGN(uint32_t n, r.u32());
      if (n > r.remaining()) return r.errorHere("unexpected end");
      in.types.clear();
      for (uint32_t i = 0; i < n; ++i) {
        MYRT_ASSIGN(ValType t, readValType(r));
        in.types.push_back(t);
      }
      return {};
    }
    case ImmKind::HeapType: {
      MYRT_ASSIGN(in.heap, readHeapType(r));
      return {};
    }
    case ImmKind::TryTable: {
      MYRT_TRY(readBlockType(r, in.block));
      MYRT_ASSIGN(uint32_t n, r.u32());
      if (n > r.remaining()) return r.errorHere("unexpected end");
      in.catches.clear();
      for (uint32_t i = 0; i < n; ++i) {
        CatchClause c;
        size_t at = r.offset();
        MYRT_ASSIGN(uint8_t k, r.u8());
        if (k > 3) return r.errorAt(at, "malformed catch clause");
        c.kind = static_cast<CatchClause::Kind>(k);
        if (k <= 1) {
          MYRT_ASSIGN(c.tag, r.u32());
        }
        MYRT_ASSIGN(c.label, r.u32());
        in.catches.push_back(c);
      }
      return {};
    }
    case ImmKind::Zero: {  // atomic.fence: a reserved byte
      size_t at = r.offset();
      MYRT_ASSIGN(uint8_t z, r.u8());
      if (z != 0) return r.errorAt(at, "zero byte expected");
      return {};
    }
    case ImmKind::BrOnCast: {
      size_t at = r.offset();
      MYRT_ASSIGN(in.flags, r.u8());
      if (in.flags > 3) return r.errorAt(at, "malformed br_on_cast flags");
      MYRT_ASSIGN(in.idx, r.u32());
      MYRT_ASSIGN(in.heap, readHeapType(r));
      MYRT_ASSIGN(in.heap2, readHeapType(r));
      return {};
    }
  }
  return r.errorAt(in.offset, "illegal opcode");
}

// Opcodes that 3.0 added to the 2.0 binary format (exceptions, tail calls, typed function references, GC, the
// relaxed SIMD and memory64/multi-memory forms): "illegal opcode" in 2.0, as the 2.0 reference interpreter says.
static bool notIn20(uint8_t b, uint32_t sub) {
  if (b == 0xFB) return true;
  if (b == 0xFC) return sub > 17;
  if (b == 0xFD) return sub > 255;
  return (b >= 0x06 && b <= 0x0A) || (b >= 0x12 && b <= 0x15) || b == 0x18 || b == 0x19 || b == 0x1F ||
         (b >= 0xD3 && b <= 0xD6);
}

// WebAssembly 2.0 encodings that the 3.0 reader above accepts more generally: memory.size, memory.grow,
// memory.fill, memory.copy and memory.init take literal 0x00 bytes where 3.0 has memory indices, memarg offsets
// are u32, memarg flags are an alignment exponent below 32 ("malformed memop flags" otherwise: 2.0 has no memory
// index flag), and the opcodes 3.0 added are illegal. Reads from a copy of the reader; the instruction itself is then
// read by readInstr.
static Status check20(ByteReader r) {
  const size_t opAt = r.offset();
  MYRT_ASSIGN(uint8_t b, r.u8());
  auto illegal = [&](uint32_t sub) {
    char buf[40];
    if (isPrefixByte(b)) std::snprintf(buf, sizeof buf, "illegal opcode %02x %02x", b, sub);
    else std::snprintf(buf, sizeof buf, "illegal opcode %02x", b);
    return r.errorAt(opAt, buf);
  };
  if (!isPrefixByte(b) && notIn20(b, 0)) return illegal(0);
  auto zero = [&r]() -> Status {
    size_t at = r.offset();
    MYRT_ASSIGN(uint8_t z, r.u8());
    if (z != 0) return r.errorAt(at, "zero byte expected");
    return {};
  };
  std::optional<Op> op;
  if (b == 0x3F || b == 0x40) return zero();
  if (isPrefixByte(b)) {
    MYRT_ASSIGN(uint32_t sub, r.u32());
    if (notIn20(b, sub)) return illegal(sub);
    if (b == 0xFC) {
      if (sub == 8) {
        MYRT_TRY(r.u32());
        return zero();
      }
      if (sub == 10) {
        MYRT_TRY(zero());
        return zero();
      }
      if (sub == 11) return zero();
    }
    op = opFromPrefixed(b, sub);
  } else {
    op = opFromByte(b);
  }
  if (op && (opInfo(*op).imm == ImmKind::MemArg || opInfo(*op).imm == ImmKind::MemArgLane)) {
    const size_t at = r.offset();
    MYRT_ASSIGN(uint32_t align, r.u32());
    if (align >= 32) return r.errorAt(at, "malformed memop flags");
    MYRT_TRY(r.u32());  // offset: u32 in 2.0
  }
  return {};
}

Status skipConstExpr(ByteReader& r, bool wasm20) {
  Instr in;
  return skipInstrsToEnd(r, in, wasm20);
}

Status skipInstrsToEnd(ByteReader& r, Instr& in, bool wasm20) {
  // Block structure is followed (as the reference interpreter's decoder does) so that a malformed sequence is
  // reported where that decoder reports it; whether the instructions are allowed is the validator's business.
  uint32_t depth = 0;
  for (;;) {
    if (r.atEnd()) return r.errorHere("unexpected end");
    if (wasm20) MYRT_TRY(check20(r));
    MYRT_TRY(readInstr(r, in));
    switch (in.op) {
      case Op::Block:
      case Op::Loop:
      case Op::If:
      case Op::Try:
      case Op::TryTable: ++depth; break;
      case Op::Else:
        if (depth == 0) return r.errorAt(in.offset, "END opcode expected");
        break;
      case Op::Delegate:  // legacy exceptions: `try ... delegate l` closes the try without an `end`
        if (depth == 0) return r.errorAt(in.offset, "END opcode expected");
        --depth;
        break;
      case Op::End:
        if (depth == 0) return {};
        --depth;
        break;
      default: break;
    }
  }
}

}  // namespace myrt
