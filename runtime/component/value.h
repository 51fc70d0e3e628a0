// runtime/component/value.h -- component values as the host sees them (Val), and runtime resource types.
// Layer: component. Values are shaped by the component-level type they are lifted from / lowered to (the guest's
// declared types): the host reads and builds them with the accessors below. See docs/design.md "component model".
//
//   bool/integers: bits (zero- or sign-extended); f32/f64: the IEEE value (f32 in `f32`); char: the code point;
//   string: `str` (UTF-8); list<u8>/list<s8>: `str` holds the bytes (isBytes), other lists: `elems`;
//   map<K, V>: `elems` = one tuple (key, value) per entry, in the guest's order (duplicates kept);
//   record/tuple/fixed list: `elems` (field order); variant: `index` = case + `elems` = 0 or 1 payload;
//   enum: `index`; option: index 0 none / 1 some (+ payload); result: index 0 ok / 1 error (+ payload if the case
//   has a type); flags: `bits` = bit i set for label i; own/borrow: `resource` + `bits` = the representation (rep).
#pragma once
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "runtime/component/types.h"

namespace myrt {
struct FuncInst;
struct MemoryInst;
}

namespace myrt::component {

struct ComponentInstance;

// A runtime resource type: one per `(type (resource ...))` per component instance, or one per host resource.
struct ResourceType {
  std::string name;
  // Host resources: called with the rep when the guest drops its last own handle (may be empty).
  std::function<void(uint32_t rep)> hostDtor;
  // Guest resources: the defining instance (resource.new/rep/drop and borrows by the owner use it) and its
  // destructor (a core function [i32] -> [], or nullptr).
  ComponentInstance* impl = nullptr;
  FuncInst* dtor = nullptr;
};

struct Val {
  TK kind = TK::Bool;
  uint32_t index = 0;              // variant case / enum case / option (1 = some) / result (1 = error)
  bool isBytes = false;            // list<u8>/list<s8> held in `str`
  uint64_t bits = 0;               // integers, bool, char, flags, handle rep; f64 bits
  float f32v = 0;
  std::string str;
  std::vector<Val> elems;
  ResourceType* resource = nullptr;
  // string lifted from a guest: its string-encoding option (0 utf8, 1 utf16, 2 latin1+utf16) and code units as the
  // guest gave them (tagged for latin1+utf16): lowering follows the Canonical ABI's realloc sequence for that pair.
  // UINT32_MAX (host-made strings): UTF-8, str.size() units.
  uint8_t srcEncoding = 0;
  uint32_t srcUnits = UINT32_MAX;
  // A string lifted lazily by a `canon lower` whose callee is another component's lifted function (never one a host
  // sees): `str` is empty and the code units are still in srcMemory at srcPtr (validated bounds, not yet decoded);
  // the callee's lowering transcodes them from there (runtime/component/canon.cpp).
  MemoryInst* srcMemory = nullptr;
  uint64_t srcPtr = 0;

  // ---- construction
  static Val boolean(bool b) { return scalar(TK::Bool, b ? 1 : 0); }
  static Val s8(int8_t v) { return scalar(TK::S8, uint64_t(int64_t(v))); }
  static Val u8(uint8_t v) { return scalar(TK::U8, v); }
  static Val s16(int16_t v) { return scalar(TK::S16, uint64_t(int64_t(v))); }
  static Val u16(uint16_t v) { return scalar(TK::U16, v); }
  static Val s32(int32_t v) { return scalar(TK::S32, uint64_t(int64_t(v))); }
  static Val u32(uint32_t v) { return scalar(TK::U32, v); }
  static Val s64(int64_t v) { return scalar(TK::S64, uint64_t(v)); }
  static Val u64(uint64_t v) { return scalar(TK::U64, v); }
  static Val f32(float v) {
    Val x;
    x.kind = TK::F32;
    x.f32v = v;
    return x;
  }
  static Val f64(double v) {
    Val x;
    x.kind = TK::F64;
    std::memcpy(&x.bits, &v, 8);
    return x;
  }
  static Val chr(uint32_t cp) { return scalar(TK::Char, cp); }
  static Val string(std::string s) {
    Val x;
    x.kind = TK::String;
    x.str = std::move(s);
    return x;
  }
  static Val list(std::vector<Val> e) {
    Val x;
    x.kind = TK::List;
    x.elems = std::move(e);
    return x;
  }
  static Val bytes(std::string b) {  // list<u8>
    Val x;
    x.kind = TK::List;
    x.isBytes = true;
    x.str = std::move(b);
    return x;
  }
  static Val record(std::vector<Val> fields) {
    Val x;
    x.kind = TK::Record;
    x.elems = std::move(fields);
    return x;
  }
  static Val tuple(std::vector<Val> e) {
    Val x;
    x.kind = TK::Tuple;
    x.elems = std::move(e);
    return x;
  }
  static Val variant(uint32_t caseIndex, std::optional<Val> payload = std::nullopt) {
    return withCase(TK::Variant, caseIndex, std::move(payload));
  }
  static Val enumCase(uint32_t caseIndex) { return withCase(TK::Enum, caseIndex, std::nullopt); }
  static Val none() { return withCase(TK::Option, 0, std::nullopt); }
  static Val some(Val v) { return withCase(TK::Option, 1, std::move(v)); }
  static Val ok(std::optional<Val> v = std::nullopt) { return withCase(TK::Result, 0, std::move(v)); }
  static Val err(std::optional<Val> v = std::nullopt) { return withCase(TK::Result, 1, std::move(v)); }
  static Val flags(uint32_t bitsSet) { return scalar(TK::Flags, bitsSet); }
  static Val own(ResourceType* rt, uint32_t rep) { return handle(TK::Own, rt, rep); }
  static Val borrow(ResourceType* rt, uint32_t rep) { return handle(TK::Borrow, rt, rep); }

  // ---- access
  bool asBool() const { return bits != 0; }
  uint32_t asU32() const { return static_cast<uint32_t>(bits); }
  int32_t asS32() const { return static_cast<int32_t>(bits); }
  uint64_t asU64() const { return bits; }
  int64_t asS64() const { return static_cast<int64_t>(bits); }
  float asF32() const { return f32v; }
  double asF64() const {
    double d;
    std::memcpy(&d, &bits, 8);
    return d;
  }
  uint32_t rep() const { return static_cast<uint32_t>(bits); }
  const Val* payload() const { return elems.empty() ? nullptr : &elems[0]; }
  bool isSome() const { return index == 1; }
  bool isErr() const { return index == 1; }

  static Val scalar(TK k, uint64_t b) {
    Val x;
    x.kind = k;
    x.bits = b;
    return x;
  }
  static Val withCase(TK k, uint32_t i, std::optional<Val> p) {
    Val x;
    x.kind = k;
    x.index = i;
    if (p) x.elems.push_back(std::move(*p));
    return x;
  }
  static Val handle(TK k, ResourceType* rt, uint32_t rep) {
    Val x;
    x.kind = k;
    x.resource = rt;
    x.bits = rep;
    return x;
  }
};

}  // namespace myrt::component
