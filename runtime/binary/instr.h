// runtime/binary/instr.h -- decoding of one instruction (opcode + immediates) driven by the opcode table's ImmKind.
// Layer: binary. Used by the decoder (to find the end of constant expressions) and by the CodeReader (runtime/valid),
// which adds typing on top. This is the only place that knows how immediates are encoded.
#pragma once
#include <cstdint>
#include <cstring>
#include <vector>

#include "runtime/base/reader.h"
#include "runtime/base/result.h"
#include "runtime/wasm/opcodes.h"
#include "runtime/wasm/types.h"

namespace myrt {

struct BlockTypeImm {
  enum Kind : uint8_t { Empty, Val, Index } kind = Empty;
  ValType val;         // Val
  uint32_t index = 0;  // Index: a type index (function type)
};

struct MemArgImm {
  uint32_t align = 0;   // log2 alignment
  uint32_t memory = 0;  // memory index (multi-memory: flag bit 6 of the alignment field)
  uint64_t offset = 0;  // u64 (memory64); the validator checks the range against the memory's address type
};

struct CatchClause {
  enum Kind : uint8_t { Catch = 0, CatchRef = 1, CatchAll = 2, CatchAllRef = 3 } kind = Catch;
  uint32_t tag = 0;    // Catch / CatchRef
  uint32_t label = 0;
};

// One decoded instruction. Which fields are meaningful depends on opInfo(op).imm:
//   LabelIdx/FuncIdx/LocalIdx/GlobalIdx/TableIdx/MemIdx/TypeIdx/DataIdx/ElemIdx/TagIdx -> idx
//   CallIndirect: idx = type, idx2 = table        TypeField: idx = type, idx2 = field   TypeCount: idx, idx2 = count
//   TypeData/TypeElem: idx = type, idx2 = data/elem   TypeType: idx = dst type, idx2 = src type
//   MemoryInit: idx = data, idx2 = memory   MemoryCopy: idx = dst, idx2 = src   TableInit: idx = elem, idx2 = table
//   TableCopy: idx = dst, idx2 = src   BrTable: targets (default last)   SelectT: types   TryTable: block + catches
//   I32: i32  I64: i64  F32: f32bits  F64: f64bits  V128/Shuffle: bytes  Lane/MemArgLane: lane  MemArg*: mem
//   HeapType: heap   BrOnCast: flags, idx = label, heap = source type, heap2 = target type  BlockType: block
struct Instr {
  Op op = Op::Nop;
  size_t offset = 0;  // absolute offset of the opcode byte
  uint32_t idx = 0, idx2 = 0;
  int32_t i32 = 0;
  int64_t i64 = 0;
  uint32_t f32bits = 0;
  uint64_t f64bits = 0;
  uint8_t bytes[16] = {};
  uint8_t lane = 0;
  uint8_t flags = 0;
  MemArgImm mem;
  BlockTypeImm block;
  HeapType heap, heap2;
  // Variable-length immediates live in these vectors, reused across instructions (no allocation once warm).
  std::vector<uint32_t> targets;
  std::vector<ValType> types;
  std::vector<CatchClause> catches;
};

// Reads the opcode and all its immediates. Unknown opcodes give "illegal opcode"; bad encodings give the spec's
// malformed messages ("integer too large", "malformed reference type", "zero byte expected" ...).
Status readInstr(ByteReader& r, Instr& out);

// Reads a value type, heap type, reference type (binary format, 3.0 incl. (ref null? ht) and abstract shorthands).
Result<ValType> readValType(ByteReader& r);
Result<HeapType> readHeapType(ByteReader& r);
Result<ValType> readRefType(ByteReader& r);  // only reference types; else "malformed reference type"
// Decodes a value-type byte that has already been peeked (helper for block types); nullopt if not a value type.
bool isValTypeStart(uint8_t b);

// Skips a constant expression starting at r, leaving r after its final `end` ("unexpected end" if there is none).
// Nested blocks are followed, so the expression ends at the first `end` that closes no block.
// With `wasm20`, the 2.0 encodings are enforced too (0x00 bytes of memory.size/grow/init/copy/fill, u32 memarg offsets).
Status skipConstExpr(ByteReader& r, bool wasm20 = false);
// The same for any instruction sequence (a function body after its locals), reusing `scratch`. An `else` that closes
// no `if` gives "END opcode expected".
Status skipInstrsToEnd(ByteReader& r, Instr& scratch, bool wasm20 = false);

}  // namespace myrt
