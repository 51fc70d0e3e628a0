// runtime/wasm/types.h -- value types, heap types, composite/sub types, limits: the type vocabulary of WebAssembly 3.0.
// Layer: wasm (depends on base only). Used by the decoder, validator, text parser, and later exec/JIT.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace myrt {

enum class ValKind : uint8_t {
  I32, I64, F32, F64, V128,
  Ref,       // reference type: see ValType::heap / nullable
  I8, I16,   // packed storage types (struct/array fields only)
  Bot,       // the validator's unknown type (polymorphic stack); never appears in a module
};

// Abstract heap types (binary codes in comments) plus Concrete (a type index).
enum class HeapKind : uint8_t {
  Func,      // 0x70 func
  Extern,    // 0x6F extern
  Any,       // 0x6E any
  Eq,        // 0x6D eq
  I31,       // 0x6C i31
  Struct,    // 0x6B struct
  Array,     // 0x6A array
  Exn,       // 0x69 exn
  None,      // 0x71 none
  NoExtern,  // 0x72 noextern
  NoFunc,    // 0x73 nofunc
  NoExn,     // 0x74 noexn
  Concrete,  // type index in ValType::index
  Bot,       // validator only
};

struct HeapType {
  HeapKind kind = HeapKind::Func;
  uint32_t index = 0;  // for Concrete
  bool operator==(const HeapType&) const = default;
};

struct ValType {
  ValKind kind = ValKind::I32;
  bool nullable = false;            // for Ref
  HeapKind heap = HeapKind::Func;   // for Ref
  uint32_t index = 0;               // for Ref with heap == Concrete

  static constexpr ValType i32() { return {ValKind::I32}; }
  static constexpr ValType i64() { return {ValKind::I64}; }
  static constexpr ValType f32() { return {ValKind::F32}; }
  static constexpr ValType f64() { return {ValKind::F64}; }
  static constexpr ValType v128() { return {ValKind::V128}; }
  static constexpr ValType i8() { return {ValKind::I8}; }
  static constexpr ValType i16() { return {ValKind::I16}; }
  static constexpr ValType bot() { return {ValKind::Bot}; }
  static constexpr ValType ref(HeapKind h, bool nullable, uint32_t idx = 0) { return {ValKind::Ref, nullable, h, idx}; }
  static constexpr ValType funcref() { return ref(HeapKind::Func, true); }
  static constexpr ValType externref() { return ref(HeapKind::Extern, true); }
  static constexpr ValType exnref() { return ref(HeapKind::Exn, true); }

  bool isRef() const { return kind == ValKind::Ref; }
  bool isNum() const { return kind <= ValKind::F64; }
  bool isPacked() const { return kind == ValKind::I8 || kind == ValKind::I16; }
  HeapType heapType() const { return {heap, index}; }
  bool operator==(const ValType&) const = default;
};

// "i32", "funcref", "(ref null $3)", ... as in the text format.
std::string toString(ValType t);
std::string toString(HeapType h);
std::string toString(const std::vector<ValType>& ts);  // "[i32 i64]"
// Byte size of a value of this type in linear memory / value slots (packed: 1/2, v128: 16, refs: 8).
unsigned byteSize(ValType t);

struct FieldType {
  ValType type;  // may be packed (I8/I16)
  bool mut = false;
  bool operator==(const FieldType&) const = default;
};

enum class CompKind : uint8_t { Func, Struct, Array };

struct CompositeType {
  CompKind kind = CompKind::Func;
  std::vector<ValType> params;     // Func
  std::vector<ValType> results;    // Func
  std::vector<FieldType> fields;   // Struct (n fields) / Array (exactly 1 field)
};

// One entry of the type section (after flattening rec groups: each rec group member is one SubType).
struct SubType {
  bool final = true;
  std::vector<uint32_t> supers;  // at most one in 3.0
  CompositeType comp;
  uint32_t recGroupStart = 0;    // index of the first type of this type's rec group
  uint32_t recGroupSize = 1;
};

struct Limits {
  uint64_t min = 0;
  std::optional<uint64_t> max;
  bool is64 = false;    // memory64 / table64 address type
  bool shared = false;  // threads proposal (decoded, rejected by the validator unless supported)
};

struct TableType {
  ValType elem = ValType::funcref();
  Limits limits;
};

struct MemoryType {
  Limits limits;  // in pages of 64 KiB
};

struct GlobalType {
  ValType type;
  bool mut = false;
};

enum class ExternKind : uint8_t { Func = 0, Table = 1, Memory = 2, Global = 3, Tag = 4 };
const char* toString(ExternKind k);

}  // namespace myrt
