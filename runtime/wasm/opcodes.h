// runtime/wasm/opcodes.h -- everything generated from opcodes.def: the Op enum, per-op info (encoding, name, immediate
// kind, signature), binary lookup (prefix, code) -> Op, and text lookup name -> Op.
// Layer: wasm.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "runtime/wasm/types.h"

namespace myrt {

enum class Op : uint16_t {
#define MYRT_OP(name, prefix, code, text, imm, sig) name,
#include "runtime/wasm/opcodes.def"
#undef MYRT_OP
};

constexpr unsigned kNumOps = 0
#define MYRT_OP(name, prefix, code, text, imm, sig) +1
#include "runtime/wasm/opcodes.def"
#undef MYRT_OP
    ;

// How the operands following the opcode are encoded (binary) / written (text).
enum class ImmKind : uint8_t {
  None,
  BlockType,     // s33 block type: 0x40 | valtype | type index
  LabelIdx,      // u32 label depth
  BrTable,       // vec(u32) labels + u32 default
  FuncIdx,       // u32
  CallIndirect,  // u32 type index, u32 table index
  LocalIdx,      // u32
  GlobalIdx,     // u32
  TableIdx,      // u32
  MemArg,        // u32 align flags (bit 6: memory index follows), [u32 memidx], u32/u64 offset
  MemArgLane,    // memarg + u8 lane
  MemIdx,        // u32 memory index (binary: a single 0x00 byte in 2.0)
  I32,           // s32
  I64,           // s64
  F32,           // 4 bytes
  F64,           // 8 bytes
  V128,          // 16 bytes
  Lane,          // u8
  Shuffle,       // 16 x u8 lanes
  SelectT,       // vec(valtype)
  HeapType,      // s33 heap type
  TypeIdx,       // u32
  TypeField,     // u32 type index, u32 field index
  TypeCount,     // u32 type index, u32 count (array.new_fixed)
  TypeData,      // u32 type index, u32 data index
  TypeElem,      // u32 type index, u32 elem index
  TypeType,      // u32 type index, u32 type index (array.copy dst, src)
  DataIdx,       // u32
  ElemIdx,       // u32
  MemoryInit,    // u32 data index, u32 memory index
  MemoryCopy,    // u32 dst memory, u32 src memory
  TableInit,     // u32 elem index, u32 table index
  TableCopy,     // u32 dst table, u32 src table
  TagIdx,        // u32
  TryTable,      // block type, vec(catch clause), see runtime/valid
  BrOnCast,      // u8 flags (bit0: src nullable, bit1: dst nullable), u32 label, heap type, heap type
  Zero,          // binary: one reserved 0x00 byte (atomic.fence); text: nothing
};

// Operand signature of a simply-typed op. `special` ops have numParams == numResults == 0 and isSpecial set.
struct OpSig {
  bool isSpecial = false;
  uint8_t numParams = 0;
  uint8_t numResults = 0;
  ValKind params[3] = {};
  ValKind results[1] = {};
};

struct OpInfo {
  uint8_t prefix;  // 0 or 0xFB/0xFC/0xFD/0xFE
  uint32_t code;
  std::string_view name;
  ImmKind imm;
  OpSig sig;
};

namespace detail {
constexpr ValKind sigChar(char c) {
  switch (c) {
    case 'i': return ValKind::I32;
    case 'l': return ValKind::I64;
    case 'f': return ValKind::F32;
    case 'd': return ValKind::F64;
    default: return ValKind::V128;  // 'v'
  }
}
// Parses "results_params" (e.g. "i_ii", "x_iv", "v_x"), or "special".
constexpr OpSig parseSig(std::string_view s) {
  OpSig r{};
  if (s == "special") { r.isSpecial = true; return r; }
  size_t us = s.find('_');
  for (size_t i = 0; i < us; ++i)
    if (s[i] != 'x') r.results[r.numResults++] = sigChar(s[i]);
  for (size_t i = us + 1; i < s.size(); ++i)
    if (s[i] != 'x') r.params[r.numParams++] = sigChar(s[i]);
  return r;
}
}  // namespace detail

inline constexpr OpInfo kOpInfo[] = {
#define MYRT_OP(name, prefix, code, text, imm, sig) \
  {prefix, code, text, ImmKind::imm, detail::parseSig(#sig)},
#include "runtime/wasm/opcodes.def"
#undef MYRT_OP
};

constexpr const OpInfo& opInfo(Op op) { return kOpInfo[static_cast<unsigned>(op)]; }
constexpr std::string_view opName(Op op) { return opInfo(op).name; }

// Access sizes of memory instructions, from their names (the validator's natural alignment, the text format's
// default `align=`).
namespace detail {
constexpr unsigned log2Bytes(unsigned bytes) {
  unsigned l = 0;
  while (bytes > 1) bytes >>= 1, ++l;
  return l;
}
constexpr unsigned typeBytes(std::string_view ty) {
  if (ty == "i32" || ty == "f32") return 4;
  if (ty == "i64" || ty == "f64") return 8;
  return 16;  // v128
}
// Access size in bytes of a memory instruction, from its name: "i64.load32_u" -> 4, "v128.load8x8_s" -> 8,
// "v128.load16_lane" -> 2, "f64.store" -> 8, "v128.load" -> 16.
// Atomics: "i64.atomic.rmw16.add_u" -> 2, "i32.atomic.load" -> 4, "memory.atomic.wait64" -> 8, "memory.atomic.notify"
// -> 4 (the "atomic." part is skipped; memory.atomic.* access an i32 unless the name says otherwise).
constexpr unsigned accessBytes(std::string_view name) {
  size_t dot = name.find('.');
  if (dot == std::string_view::npos) return 1;
  std::string_view ty = name.substr(0, dot);
  size_t i = dot + 1;
  if (name.substr(i, 7) == "atomic.") {
    i += 7;
    if (ty == "memory") ty = "i32";
  }
  while (i < name.size() && name[i] >= 'a' && name[i] <= 'z') ++i;
  unsigned n = 0;
  while (i < name.size() && name[i] >= '0' && name[i] <= '9') n = n * 10 + unsigned(name[i++] - '0');
  if (n == 0) return typeBytes(ty);
  unsigned bits = n;
  if (i < name.size() && name[i] == 'x') {
    ++i;
    unsigned m = 0;
    while (i < name.size() && name[i] >= '0' && name[i] <= '9') m = m * 10 + unsigned(name[i++] - '0');
    bits = n * m;
  }
  return bits / 8 ? bits / 8 : 1;
}
}  // namespace detail
// log2 of the access size of a memory instruction (MemArg / MemArgLane immediates).
constexpr unsigned accessAlignLog2(Op op) { return detail::log2Bytes(detail::accessBytes(opName(op))); }

// Binary lookup. Returns nullopt for an unknown opcode.
// Single-byte opcodes: a compile-time table, inline so hot decoders keep the result in registers.
namespace detail {
constexpr std::array<uint16_t, 256> makeSingleByteOps() {
  std::array<uint16_t, 256> a{};
  for (auto& v : a) v = 0xFFFF;
  for (unsigned i = 0; i < kNumOps; ++i)
    if (kOpInfo[i].prefix == 0) a[kOpInfo[i].code & 0xFF] = static_cast<uint16_t>(i);
  return a;
}
inline constexpr std::array<uint16_t, 256> kSingleByteOps = makeSingleByteOps();
}  // namespace detail
inline std::optional<Op> opFromByte(uint8_t byte) {
  const uint16_t v = detail::kSingleByteOps[byte];
  if (v == 0xFFFF) return std::nullopt;
  return static_cast<Op>(v);
}
std::optional<Op> opFromPrefixed(uint8_t prefix, uint32_t code);  // 0xFB/0xFC/0xFD/0xFE
inline bool isPrefixByte(uint8_t b) { return b >= 0xFB && b <= 0xFE; }

// Text lookup by keyword. For keywords shared by two ops (select, ref.test, ref.cast) this returns the first row
// (Select, RefTest, RefCast); the text parser picks the variant from the immediates.
std::optional<Op> opFromName(std::string_view name);

// Writes the opcode's encoding (prefix + LEB code) to out; returns bytes written (<= 6).
unsigned encodeOpcode(Op op, uint8_t* out);

}  // namespace myrt
