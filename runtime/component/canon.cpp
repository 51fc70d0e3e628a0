// runtime/component/canon.cpp -- the Canonical ABI (CanonicalABI.md "Loading", "Storing", "Flat Lifting", "Flat
// Lowering", `canon lift` / `canon lower`, resource.new/drop/rep): component values <-> core values and linear
// memory, handle tables, borrow scopes, reentrance (may_enter / may_leave) and the spec's traps with wasmtime's
// wording (the component-model test scripts expect it).
// Strings: between two components (a `canon lower` whose callee is a lifted function) a string argument is lifted
// lazily -- bounds and length checked, its code units left in the caller's memory -- and the callee's lowering calls
// realloc first and transcodes straight from that memory (store_string's realloc sequence; as wasmtime's fused
// adapters, so invalid text traps after the first realloc, not before it). Strings a host sees are decoded to UTF-8
// (Val::str) remembering their source encoding and code units, so lowering them makes the same realloc calls.
// A result going to another component is lifted the same lazy way and lowered into the caller before the callee's
// post-return (the spec's order: task.return, then post_return).
// GCC 12 reports a false -Wrestrict in std::string concatenation ("a" + std::string(b); GCC bug 105329).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include <cmath>
#include <cstring>

#include "runtime/base/reader.h"
#include "runtime/component/runtime.h"
#include "runtime/exec/signals.h"

namespace myrt::component {

ComponentStore& componentStore(Store& store) {
  if (!store.componentState) store.componentState = std::make_unique<ComponentStore>();
  return static_cast<ComponentStore&>(*store.componentState);
}

TrapReason callCore(ExecContext& cx, FuncInst* f, const Value* args, size_t na, Value* results, size_t nr) {
  const size_t n = std::max(na, nr);
  if (!cx.stackBase || static_cast<size_t>(cx.stackEnd - cx.sp) < n + 1) return TrapReason::CallStackExhausted;
  Value* io = cx.sp;
  std::copy(args, args + na, io);
  cx.sp = io + n;
  Instance* savedCaller = cx.caller;
  const uint32_t savedDepth = cx.depth;
  TrapReason t = f->entry(cx, *f, io);
  cx.caller = savedCaller;
  cx.depth = savedDepth;
  cx.sp = io;
  if (t == TrapReason::None) std::copy(io, io + nr, results);
  if (t == TrapReason::UncaughtException) {
    // No exception crosses a component boundary: the core code the canonical ABI called (a lifted function,
    // realloc, post-return, a destructor) let one escape, which traps here instead of unwinding into the caller
    // (wasmtime's wording; the core "uncaught exception" would read as if the host had thrown it).
    cx.exception = nullptr;
    return cx.hostTrap("uncaught exception propagated out of component");
  }
  return t;
}

namespace {

uint32_t alignTo(uint32_t p, uint32_t a) { return (p + a - 1) / a * a; }
uint32_t discSize(size_t n) { return n <= 256 ? 1 : n <= 65536 ? 2 : 4; }
size_t numCases(const Type* t) {
  switch (t->kind) {
    case TK::Variant: return t->elems.size();
    case TK::Enum: return t->labels.size();
    default: return 2;  // option, result
  }
}
// The payload type of case i (nullptr: none).
const Type* caseType(const Type* t, uint32_t i) {
  switch (t->kind) {
    case TK::Variant: return t->elems[i];
    case TK::Option: return i == 1 ? t->elem() : nullptr;
    case TK::Result: return t->elems[i];
    default: return nullptr;
  }
}
uint32_t maxCaseAlign(const Type* t, bool p64) {
  uint32_t a = 1;
  for (uint32_t i = 0; i < numCases(t); ++i)
    if (const Type* c = caseType(t, i)) a = std::max(a, abiLayout(c, p64).align);
  return a;
}

float canonF32(float f) {
  if (std::isnan(f)) {
    uint32_t b = 0x7fc00000;
    std::memcpy(&f, &b, 4);
  }
  return f;
}
uint64_t canonF64Bits(uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, 8);
  return std::isnan(d) ? 0x7ff8000000000000ull : bits;
}


// Decodes valid UTF-8 into code points (the input was validated).
template <typename F>
void forEachCodePoint(const std::string& s, F&& f) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  size_t i = 0, n = s.size();
  while (i < n) {
    uint32_t c = p[i];
    if (c < 0x80) {
      ++i;
    } else if (c < 0xe0) {
      c = ((c & 0x1f) << 6) | (p[i + 1] & 0x3f);
      i += 2;
    } else if (c < 0xf0) {
      c = ((c & 0x0f) << 12) | ((p[i + 1] & 0x3f) << 6) | (p[i + 2] & 0x3f);
      i += 3;
    } else {
      c = ((c & 0x07) << 18) | ((p[i + 1] & 0x3f) << 12) | ((p[i + 2] & 0x3f) << 6) | (p[i + 3] & 0x3f);
      i += 4;
    }
    f(c);
  }
}

// An invalid UTF-8 sequence that runs to the end is "incomplete"; anything else "invalid utf-8".
const char* utf8Problem(const uint8_t* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = s[i];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0) return "invalid utf-8 sequence";
    if (i + len > n) {
      bool contOk = true;
      for (size_t k = i + 1; k < n; ++k) contOk &= (s[k] & 0xc0) == 0x80;
      if (contOk) return "incomplete utf-8 byte sequence";
      return "invalid utf-8 sequence";
    }
    if (!isValidUtf8(s + i, len)) return "invalid utf-8 sequence";
    i += len;
  }
  return "invalid utf-8 sequence";
}

// The form of a string's code units (CanonicalABI.md src_simple_encoding).
enum class SimpleEncoding { Utf8, Utf16, Latin1 };

// Reads the code points of `n` bytes of text in one simple encoding, validating as it goes (UTF-8 sequences, UTF-16
// surrogate pairs): a string lifted lazily is decoded only as far as its lowering gets.
struct CodePoints {
  SimpleEncoding enc;
  const uint8_t* p;
  uint64_t n;
  uint64_t i = 0;
  const char* error = nullptr;  // a static message (no allocation: host strings are lowered through this type too)
  CodePoints(SimpleEncoding e, const uint8_t* text, uint64_t bytes) : enc(e), p(text), n(bytes) {}
  // 1: *cp is the next code point; 0: the end; -1: invalid text (`error`, the spec's trap)
  int next(uint32_t* cp) {
    if (i >= n) return 0;
    switch (enc) {
      case SimpleEncoding::Latin1: *cp = p[i++]; return 1;
      case SimpleEncoding::Utf16: {
        uint16_t u;
        std::memcpy(&u, p + i, 2);
        i += 2;
        if (u >= 0xdc00 && u <= 0xdfff) return fail("invalid utf-16 string: unpaired surrogate");
        if (u >= 0xd800 && u <= 0xdbff) {
          uint16_t lo = 0;
          if (i + 2 <= n) std::memcpy(&lo, p + i, 2);
          if (i + 2 > n || lo < 0xdc00 || lo > 0xdfff) return fail("invalid utf-16 string: unpaired surrogate");
          i += 2;
          *cp = 0x10000 + ((uint32_t(u) - 0xd800) << 10) + (lo - 0xdc00);
          return 1;
        }
        *cp = u;
        return 1;
      }
      case SimpleEncoding::Utf8: {
        const uint32_t c = p[i];
        if (c < 0x80) {
          ++i;
          *cp = c;
          return 1;
        }
        const size_t len = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (len == 0 || i + len > n || !isValidUtf8(p + i, len)) return fail(utf8Problem(p + i, n - i));
        const uint8_t* q = p + i;
        *cp = len == 2 ? ((c & 0x1f) << 6) | (q[1] & 0x3f)
              : len == 3 ? ((c & 0x0f) << 12) | ((q[1] & 0x3f) << 6) | (q[2] & 0x3f)
                         : ((c & 0x07) << 18) | ((q[1] & 0x3f) << 12) | ((q[2] & 0x3f) << 6) | (q[3] & 0x3f);
        i += len;
        return 1;
      }
    }
    return 0;
  }
  int fail(const char* why) {
    error = why;
    return -1;
  }
};
// Checks a whole text without decoding it for anyone (the lazy copies of store_string_copy).
bool validText(SimpleEncoding enc, const uint8_t* p, uint64_t n, const char** why) {
  if (enc == SimpleEncoding::Latin1) return true;
  if (enc == SimpleEncoding::Utf8) {
    if (isValidUtf8(p, n)) return true;
    *why = utf8Problem(p, n);
    return false;
  }
  CodePoints cps{enc, p, n};
  uint32_t cp;
  int r;
  while ((r = cps.next(&cp)) > 0) {}
  if (r == 0) return true;
  *why = cps.error;
  return false;
}

constexpr uint64_t kMaxStringBytes = 0x7fffffffu;  // MAX_STRING_BYTE_LENGTH (wasmtime's)
constexpr uint32_t kUtf16Tag32 = 0x80000000u;      // the UTF-16 tag in Val::srcUnits (32-bit form)

// Pointers and lengths are 64-bit throughout: with a 64-bit memory (the `memory` option's address type,
// CanonicalABI.md ptr_type) they are i64 core values and (ptr, len) pairs take 16 bytes aligned to 8; with a 32-bit
// memory i32 values and 8 bytes aligned to 4 (AbiLayout).
struct Abi {
  AbiCx& a;
  const bool p64;  // the memory option is a 64-bit memory
  explicit Abi(AbiCx& c) : a(c), p64(c.memory && c.memory->type.limits.is64) {}
  TrapReason trap(std::string msg) { return a.cx.hostTrap(std::move(msg)); }
  uint32_t sz(const Type* t) const { return abiLayout(t, p64).size; }
  uint32_t al(const Type* t) const { return abiLayout(t, p64).align; }
  // The UTF-16 tag of a latin1+utf16 length: the top bit of a pointer-sized length.
  uint64_t utf16Tag() const { return p64 ? uint64_t(1) << 63 : uint64_t(1) << 31; }
  Value ptrValue(uint64_t x) const { return p64 ? Value::fromI64(x) : Value::fromI32(uint32_t(x)); }
  uint64_t ptrOf(const Value& v) const { return p64 ? v.i64 : uint64_t(v.i32); }
  void loadPair(uint64_t at, uint64_t* p, uint64_t* n) {
    if (p64) {
      std::memcpy(p, mem(at), 8);
      std::memcpy(n, mem(at + 8), 8);
    } else {
      uint32_t p32, n32;
      std::memcpy(&p32, mem(at), 4);
      std::memcpy(&n32, mem(at + 4), 4);
      *p = p32;
      *n = n32;
    }
  }
  void storePair(uint64_t at, uint64_t p, uint64_t n) {
    if (p64) {
      std::memcpy(mem(at), &p, 8);
      std::memcpy(mem(at + 8), &n, 8);
    } else {
      const uint32_t p32 = uint32_t(p), n32 = uint32_t(n);
      std::memcpy(mem(at), &p32, 4);
      std::memcpy(mem(at + 4), &n32, 4);
    }
  }

  // ---------------------------------------------------------------- memory access
  uint8_t* mem(uint64_t ptr) { return a.memory->base + ptr; }
  // Copies n host bytes into guest memory at ptr (bounds already checked by reallocCall); n == 0 copies nothing (the
  // source of an empty string or vector may be null, which memcpy must not be given).
  void copyIn(uint64_t ptr, const void* src, size_t n) {
    if (n) std::memcpy(mem(ptr), src, n);
  }
  // Without overflow: a 64-bit pointer and length may each be close to 2^64.
  bool inBounds(uint64_t ptr, uint64_t len) { return a.memory && len <= a.memory->size && ptr <= a.memory->size - len; }

  // `what`: "string", "list" or "argument": the spec's trap names the content (`list content out-of-bounds`).
  TrapReason reallocCall(uint64_t oldPtr, uint64_t oldSize, uint32_t align, uint64_t newSize, uint64_t* out,
                         const char* what) {
    if (!a.realloc) return trap("unsupported: no realloc option for a value that needs one");
    Value args[4] = {ptrValue(oldPtr), ptrValue(oldSize), ptrValue(align), ptrValue(newSize)};
    Value res[1];
    const bool savedLeave = a.inst ? a.inst->mayLeave : true;
    if (a.inst) a.inst->mayLeave = false;
    TrapReason t = callCore(a.cx, a.realloc, args, 4, res, 1);
    if (a.inst) a.inst->mayLeave = savedLeave;
    if (t != TrapReason::None) return t;
    const uint64_t p = ptrOf(res[0]);
    if (p % align) return trap("unaligned pointer (realloc return: result not aligned)");
    if (!inBounds(p, newSize))
      return trap(std::string(what) + " content out-of-bounds (realloc return: beyond end of memory)");
    *out = p;
    return TrapReason::None;
  }

  // ---------------------------------------------------------------- loading (lift from memory)
  TrapReason load(const Type* t, uint64_t ptr, Val& v) {
    // The caller checked alignment and bounds of the whole value.
    switch (t->kind) {
      case TK::Bool: v = Val::boolean(*mem(ptr) != 0); return TrapReason::None;
      case TK::S8: v = Val::s8(int8_t(*mem(ptr))); return TrapReason::None;
      case TK::U8: v = Val::u8(*mem(ptr)); return TrapReason::None;
      case TK::S16: case TK::U16: {
        uint16_t x;
        std::memcpy(&x, mem(ptr), 2);
        v = t->kind == TK::S16 ? Val::s16(int16_t(x)) : Val::u16(x);
        return TrapReason::None;
      }
      case TK::S32: case TK::U32: case TK::Char: case TK::F32: {
        uint32_t x;
        std::memcpy(&x, mem(ptr), 4);
        return fromI32(t, x, v);
      }
      case TK::S64: case TK::U64: case TK::F64: {
        uint64_t x;
        std::memcpy(&x, mem(ptr), 8);
        return fromI64(t, x, v);
      }
      case TK::String: case TK::List: case TK::Map: {
        uint64_t p, n;
        loadPair(ptr, &p, &n);
        return t->kind == TK::String ? liftString(p, n, v) : liftList(t, p, n, v);
      }
      case TK::Record: case TK::Tuple: case TK::FixedList: {
        v = Val();
        v.kind = t->kind;
        uint32_t off = 0;
        const size_t n = t->kind == TK::FixedList ? t->length : t->elems.size();
        v.elems.resize(n);
        for (size_t i = 0; i < n; ++i) {
          const Type* f = t->kind == TK::FixedList ? t->elem() : t->elems[i];
          off = alignTo(off, al(f));
          if (auto r = load(f, ptr + off, v.elems[i]); r != TrapReason::None) return r;
          off += sz(f);
        }
        return TrapReason::None;
      }
      case TK::Variant: case TK::Enum: case TK::Option: case TK::Result: {
        const uint32_t ds = discSize(numCases(t));
        uint32_t c = 0;
        std::memcpy(&c, mem(ptr), ds);
        return liftCase(t, c, [&](const Type* pt, Val& pv) {
          return load(pt, ptr + alignTo(ds, maxCaseAlign(t, p64)), pv);
        }, v);
      }
      case TK::Flags: {
        uint32_t x = 0;
        std::memcpy(&x, mem(ptr), t->abi.size);
        return fromI32(t, x, v);
      }
      case TK::Own: case TK::Borrow: {
        uint32_t x;
        std::memcpy(&x, mem(ptr), 4);
        return fromI32(t, x, v);
      }
      default: return trap(std::string("unsupported: lifting values of type ") + tkName(t->kind));
    }
  }

  template <typename LoadPayload>
  TrapReason liftCase(const Type* t, uint32_t c, LoadPayload&& payload, Val& v) {
    const size_t n = numCases(t);
    if (c >= n) {
      return trap("invalid variant discriminant (discriminant " + std::to_string(c) + " out of range [0.." + std::to_string(n) + "))");
    }
    v = Val();
    v.kind = t->kind;
    v.index = c;
    if (const Type* pt = caseType(t, c)) {
      v.elems.emplace_back();
      return payload(pt, v.elems[0]);
    }
    return TrapReason::None;
  }

  // A scalar from its i32 form (flat, or loaded).
  TrapReason fromI32(const Type* t, uint32_t x, Val& v) {
    switch (t->kind) {
      case TK::Bool: v = Val::boolean(x != 0); break;
      case TK::S8: v = Val::s8(int8_t(x)); break;
      case TK::U8: v = Val::u8(uint8_t(x)); break;
      case TK::S16: v = Val::s16(int16_t(x)); break;
      case TK::U16: v = Val::u16(uint16_t(x)); break;
      case TK::S32: v = Val::s32(int32_t(x)); break;
      case TK::U32: v = Val::u32(x); break;
      case TK::F32: {
        float f;
        std::memcpy(&f, &x, 4);
        v = Val::f32(canonF32(f));
        break;
      }
      case TK::Char:
        if (x >= 0x110000 || (x >= 0xd800 && x <= 0xdfff)) return trap("invalid `char` bit pattern");
        v = Val::chr(x);
        break;
      case TK::Flags: {
        const size_t n = t->labels.size();
        v = Val::flags(n >= 32 ? x : (x & ((1u << n) - 1)));
        break;
      }
      case TK::Own: return liftOwn(t, x, v);
      case TK::Borrow: return liftBorrow(t, x, v);
      default: return trap(std::string("unsupported: lifting ") + tkName(t->kind));
    }
    return TrapReason::None;
  }
  TrapReason fromI64(const Type* t, uint64_t x, Val& v) {
    switch (t->kind) {
      case TK::S64: v = Val::s64(int64_t(x)); break;
      case TK::U64: v = Val::u64(x); break;
      case TK::F64: v = Val::scalar(TK::F64, canonF64Bits(x)); break;
      default: return fromI32(t, uint32_t(x), v);
    }
    return TrapReason::None;
  }

  // CanonicalABI.md load_string_from_range: the byte length is limited (MAX_STRING_BYTE_LENGTH, 2^31 - 1 as in
  // wasmtime and the spec before memory64: the component-model scripts expect that value), then the alignment and
  // bounds are checked. With a.lazyStrings (the value goes straight to another component's lowering) the code units
  // stay in the source memory: the lowering transcodes them from there after the destination's realloc, as
  // wasmtime's fused adapters do, and validates them as it reads (no host copy of the string is made).
  TrapReason liftString(uint64_t p, uint64_t n, Val& v) {
    if (!a.memory) return trap("unsupported: string without a memory option");
    v = Val();
    v.kind = TK::String;
    v.srcEncoding = uint8_t(a.encoding);
    const uint64_t tag = utf16Tag();
    const SimpleEncoding simple = a.encoding == StringEncoding::Utf8    ? SimpleEncoding::Utf8
                                  : a.encoding == StringEncoding::Utf16 ? SimpleEncoding::Utf16
                                  : (n & tag)                           ? SimpleEncoding::Utf16
                                                                        : SimpleEncoding::Latin1;
    const uint64_t units = a.encoding == StringEncoding::Latin1Utf16 ? n & ~tag : n;
    if (units > kMaxStringBytes || (simple == SimpleEncoding::Utf16 && 2 * units > kMaxStringBytes))
      return trap("string content out-of-bounds (string byte length above 2^31-1)");
    const uint64_t bytes = simple == SimpleEncoding::Utf16 ? 2 * units : units;
    // the spec aligns utf16 and latin1+utf16 strings (both forms) to 2
    if (a.encoding != StringEncoding::Utf8 && p % 2) return trap("unaligned pointer (string pointer not aligned to 2)");
    if (!inBounds(p, bytes)) return trap("string content out-of-bounds (string pointer/length out of bounds of memory)");
    // the 32-bit form of the tagged length (lowering to a 64-bit memory moves the tag); units < 2^31 here
    v.srcUnits = uint32_t(units) | (a.encoding == StringEncoding::Latin1Utf16 && simple == SimpleEncoding::Utf16 ? kUtf16Tag32 : 0);
    const uint8_t* s = mem(p);
    if (a.lazyStrings) {
      v.srcMemory = a.memory;
      v.srcPtr = p;
      return TrapReason::None;
    }
    if (simple == SimpleEncoding::Utf8) {
      if (!isValidUtf8(s, bytes)) return trap(utf8Problem(s, bytes));
      v.str.assign(reinterpret_cast<const char*>(s), bytes);
      return TrapReason::None;
    }
    v.str.reserve(bytes);
    CodePoints cps{simple, s, bytes};
    uint32_t cp;
    int r;
    while ((r = cps.next(&cp)) > 0) appendUtf8(v.str, cp);
    if (r < 0) return trap(cps.error);
    return TrapReason::None;
  }
  TrapReason liftList(const Type* t, uint64_t p, uint64_t n, Val& v) {
    const Type* e = t->listElem();
    if (!a.memory) return trap("unsupported: list without a memory option");
    const uint32_t es = sz(e);
    if (p % al(e)) return trap("unaligned pointer");
    if ((es && n > a.memory->size / es) || !inBounds(p, n * es))
      return trap("list content out-of-bounds (list pointer/length out of bounds of memory)");
    v = Val();
    v.kind = t->kind;  // List, or Map (elems: tuples of key and value)
    if (e->kind == TK::U8 || e->kind == TK::S8) {
      v.isBytes = true;
      v.str.assign(reinterpret_cast<const char*>(mem(p)), n);
      return TrapReason::None;
    }
    v.elems.resize(n);
    for (uint64_t i = 0; i < n; ++i)
      if (auto r = load(e, p + i * es, v.elems[i]); r != TrapReason::None) return r;
    return TrapReason::None;
  }

  // ---------------------------------------------------------------- handles
  TrapReason getHandle(const Type* t, uint32_t i, Handle** out) {
    auto& hs = a.inst->handles;
    if (i == 0 || i >= hs.size() || !hs[i].used) return trap("unknown handle index " + std::to_string(i));
    ResourceType* rt = a.inst->resolve(t->elem());
    if (hs[i].rt != rt)
      return trap("handle index " + std::to_string(i) +
                  " used with the wrong type, expected guest-defined resource but found a different guest-defined resource");
    *out = &hs[i];
    return TrapReason::None;
  }
  TrapReason liftOwn(const Type* t, uint32_t i, Val& v) {
    Handle* h;
    if (auto r = getHandle(t, i, &h); r != TrapReason::None) return r;
    if (h->lends) return trap("cannot remove owned resource while borrowed");
    if (!h->own) return trap("cannot lift own handle " + std::to_string(i) + ": it is a borrow");
    v = Val::own(h->rt, h->rep);
    *h = Handle{};
    a.inst->freeHandles.push_back(i);
    return TrapReason::None;
  }
  TrapReason liftBorrow(const Type* t, uint32_t i, Val& v) {
    Handle* h;
    if (auto r = getHandle(t, i, &h); r != TrapReason::None) return r;
    if (h->own && a.scope) {
      h->lends++;
      a.scope->lenders.emplace_back(a.inst, i);
    }
    v = Val::borrow(h->rt, h->rep);
    return TrapReason::None;
  }

  // ---------------------------------------------------------------- storing (lower into memory)
  TrapReason checkKind(const Type* t, const Val& v) {
    if (v.kind == t->kind) [[likely]]
      return TrapReason::None;
    return kindTrap(t->kind, v.kind);
  }
  [[gnu::noinline, gnu::cold]] TrapReason kindTrap(TK want, TK found) {
    return trap(std::string("host value of the wrong type: expected ") + tkName(want) + ", found " + tkName(found));
  }

  TrapReason store(const Type* t, const Val& v, uint64_t ptr) {
    if (auto r = checkKind(t, v); r != TrapReason::None) return r;
    switch (t->kind) {
      case TK::Bool: case TK::S8: case TK::U8: *mem(ptr) = uint8_t(v.bits); return TrapReason::None;
      case TK::S16: case TK::U16: {
        uint16_t x = uint16_t(v.bits);
        std::memcpy(mem(ptr), &x, 2);
        return TrapReason::None;
      }
      case TK::S32: case TK::U32: case TK::Char: case TK::F32: case TK::Flags: case TK::Own: case TK::Borrow: {
        uint32_t x;
        if (auto r = toI32(t, v, &x); r != TrapReason::None) return r;
        if (t->abi.size == 4) std::memcpy(mem(ptr), &x, 4);  // a constant size: no library call
        else if (t->abi.size == 2) std::memcpy(mem(ptr), &x, 2);
        else *mem(ptr) = uint8_t(x);
        return TrapReason::None;
      }
      case TK::S64: case TK::U64: case TK::F64: {
        uint64_t x = t->kind == TK::F64 ? canonF64Bits(v.bits) : v.bits;
        std::memcpy(mem(ptr), &x, 8);
        return TrapReason::None;
      }
      case TK::String: case TK::List: case TK::Map: {
        uint64_t p = 0, n = 0;
        auto r = t->kind == TK::String ? lowerString(v, &p, &n) : lowerList(t, v, &p, &n);
        if (r != TrapReason::None) return r;
        storePair(ptr, p, n);
        return TrapReason::None;
      }
      case TK::Record: case TK::Tuple: case TK::FixedList: {
        const size_t n = t->kind == TK::FixedList ? t->length : t->elems.size();
        if (v.elems.size() != n) return trap("host value of the wrong type: wrong number of fields");
        uint32_t off = 0;
        for (size_t i = 0; i < n; ++i) {
          const Type* f = t->kind == TK::FixedList ? t->elem() : t->elems[i];
          off = alignTo(off, al(f));
          if (auto r = store(f, v.elems[i], ptr + off); r != TrapReason::None) return r;
          off += sz(f);
        }
        return TrapReason::None;
      }
      case TK::Variant: case TK::Enum: case TK::Option: case TK::Result: {
        const uint32_t ds = discSize(numCases(t));
        if (v.index >= numCases(t)) return trap("host value of the wrong type: case index out of range");
        std::memcpy(mem(ptr), &v.index, ds);
        if (const Type* pt = caseType(t, v.index)) {
          if (v.elems.empty()) return trap("host value of the wrong type: missing payload");
          return store(pt, v.elems[0], ptr + alignTo(ds, maxCaseAlign(t, p64)));
        }
        return TrapReason::None;
      }
      default: return trap(std::string("unsupported: lowering values of type ") + tkName(t->kind));
    }
  }

  TrapReason toI32(const Type* t, const Val& v, uint32_t* out) {
    switch (t->kind) {
      case TK::F32: {
        float f = canonF32(v.f32v);
        std::memcpy(out, &f, 4);
        return TrapReason::None;
      }
      case TK::Own: return lowerOwn(t, v, out);
      case TK::Borrow: return lowerBorrow(t, v, out);
      default: *out = uint32_t(v.bits); return TrapReason::None;
    }
  }

  TrapReason lowerOwn(const Type* t, const Val& v, uint32_t* out) {
    ResourceType* rt = a.inst->resolve(t->elem());
    if (v.resource != rt) return trap("resource types are not the same");
    return resourceNew(a.cx, *a.inst, rt, v.rep(), out);
  }
  TrapReason lowerBorrow(const Type* t, const Val& v, uint32_t* out) {
    ResourceType* rt = a.inst->resolve(t->elem());
    if (v.resource != rt) return trap("resource types are not the same");
    if (rt->impl == a.inst) {
      *out = v.rep();
      return TrapReason::None;
    }
    if (auto r = resourceNew(a.cx, *a.inst, rt, v.rep(), out); r != TrapReason::None) return r;
    Handle& h = a.inst->handles[*out];
    h.own = false;
    h.scope = a.scope;
    if (a.scope) a.scope->borrows++;
    return TrapReason::None;
  }

  // CanonicalABI.md store_string_into_range: the realloc calls depend on the source encoding and code units (a
  // transcoding lowering allocates a worst case and shrinks or grows it with a second realloc, each result checked).
  // The code points come from the host's UTF-8 text, or from the source memory for a lazily lifted string (decoded
  // and validated only as far as the lowering gets: a realloc that traps, or a worst case over the limit, stops it
  // before the rest is read).
  struct StringSource {
    StringEncoding encoding;  // src_encoding
    SimpleEncoding simple;    // src_simple_encoding
    uint64_t units;           // src_code_units
    bool lazy;                // cps reads the source memory (else the Val's UTF-8 text)
    CodePoints cps;
  };
  static StringSource stringSource(const Val& v) {
    const StringEncoding enc = StringEncoding(v.srcEncoding);
    if (v.srcMemory) {
      const SimpleEncoding simple = enc == StringEncoding::Utf8    ? SimpleEncoding::Utf8
                                    : enc == StringEncoding::Utf16 ? SimpleEncoding::Utf16
                                    : (v.srcUnits & kUtf16Tag32)   ? SimpleEncoding::Utf16
                                                                   : SimpleEncoding::Latin1;
      const uint64_t units = v.srcUnits & ~kUtf16Tag32;
      const uint64_t bytes = simple == SimpleEncoding::Utf16 ? 2 * units : units;
      return StringSource{enc, simple, units, true, CodePoints{simple, v.srcMemory->base + v.srcPtr, bytes}};
    }
    const std::string& s = v.str;
    CodePoints text{SimpleEncoding::Utf8, reinterpret_cast<const uint8_t*>(s.data()), s.size()};
    if (v.srcUnits == UINT32_MAX)  // made by the host
      return StringSource{StringEncoding::Utf8, SimpleEncoding::Utf8, s.size(), false, text};
    SimpleEncoding simple = enc == StringEncoding::Utf8 ? SimpleEncoding::Utf8 : SimpleEncoding::Utf16;
    uint64_t units = v.srcUnits;
    if (enc == StringEncoding::Latin1Utf16) {
      simple = (v.srcUnits & kUtf16Tag32) ? SimpleEncoding::Utf16 : SimpleEncoding::Latin1;
      units = v.srcUnits & ~kUtf16Tag32;
    }
    // The sizes are computed from `units`: a Val whose text no longer matches them (changed by the embedder after
    // lifting) counts as UTF-8 made by the host.
    bool consistent = simple == SimpleEncoding::Utf8 ? units == s.size() : isValidUtf8(s);
    if (simple != SimpleEncoding::Utf8 && consistent) {
      uint64_t n = 0;
      bool latin1 = true;
      forEachCodePoint(s, [&](uint32_t c) {
        n += simple == SimpleEncoding::Utf16 && c >= 0x10000 ? 2 : 1;
        latin1 &= c < 256;
      });
      consistent = n == units && (simple != SimpleEncoding::Latin1 || latin1);
    }
    if (!consistent) return StringSource{StringEncoding::Utf8, SimpleEncoding::Utf8, s.size(), false, text};
    return StringSource{enc, simple, units, false, text};
  }
  TrapReason lowerString(const Val& v, uint64_t* ptr, uint64_t* len) {
    StringSource s = stringSource(v);
    switch (a.encoding) {
      case StringEncoding::Utf8:
        if (s.simple == SimpleEncoding::Utf8) return copyString(s, SimpleEncoding::Utf8, 1, ptr, len);
        return storeToUtf8(s, s.units * (s.simple == SimpleEncoding::Utf16 ? 3 : 2), ptr, len);
      case StringEncoding::Utf16:
        if (s.simple == SimpleEncoding::Utf8) return storeUtf8ToUtf16(s, ptr, len);
        return copyString(s, SimpleEncoding::Utf16, 2, ptr, len);
      case StringEncoding::Latin1Utf16:
        if (s.encoding != StringEncoding::Latin1Utf16) return storeToLatin1OrUtf16(s, ptr, len);
        if (s.simple == SimpleEncoding::Latin1) return copyString(s, SimpleEncoding::Latin1, 2, ptr, len);
        return storeProbablyUtf16(s, ptr, len);
    }
    return TrapReason::None;
  }
  TrapReason realloc2(uint64_t oldPtr, uint64_t oldSize, uint32_t align, uint64_t newSize, uint64_t* out) {
    if (newSize > kMaxStringBytes) return trap("string content out-of-bounds");
    return reallocCall(oldPtr, oldSize, align, newSize, out, "string");
  }
  // Writes code point cp in `form` at dst + *at (the buffer holds `cap` bytes) and advances *at. The sizes allocated
  // from the source's code units always fit its code points; the checks keep a broken invariant from writing outside.
  TrapReason put(SimpleEncoding form, uint64_t dst, uint64_t cap, uint64_t* at, uint32_t cp) {
    uint8_t b[4];
    size_t k;
    switch (form) {
      case SimpleEncoding::Latin1:
        if (cp >= 256) return trap("internal error: a non-latin1 character in a latin1 string");
        b[0] = uint8_t(cp);
        k = 1;
        break;
      case SimpleEncoding::Utf16:
        if (cp >= 0x10000) {
          const uint16_t hi = uint16_t(0xd800 + ((cp - 0x10000) >> 10)), lo = uint16_t(0xdc00 + (cp & 0x3ff));
          std::memcpy(b, &hi, 2);
          std::memcpy(b + 2, &lo, 2);
          k = 4;
        } else {
          const uint16_t u = uint16_t(cp);
          std::memcpy(b, &u, 2);
          k = 2;
        }
        break;
      default:
        if (cp < 0x80) {
          b[0] = uint8_t(cp);
          k = 1;
        } else if (cp < 0x800) {
          b[0] = uint8_t(0xc0 | (cp >> 6));
          b[1] = uint8_t(0x80 | (cp & 0x3f));
          k = 2;
        } else if (cp < 0x10000) {
          b[0] = uint8_t(0xe0 | (cp >> 12));
          b[1] = uint8_t(0x80 | ((cp >> 6) & 0x3f));
          b[2] = uint8_t(0x80 | (cp & 0x3f));
          k = 3;
        } else {
          b[0] = uint8_t(0xf0 | (cp >> 18));
          b[1] = uint8_t(0x80 | ((cp >> 12) & 0x3f));
          b[2] = uint8_t(0x80 | ((cp >> 6) & 0x3f));
          b[3] = uint8_t(0x80 | (cp & 0x3f));
          k = 4;
        }
        break;
    }
    if (*at > cap || k > cap - *at) return trap("internal error: string larger than its allocation");
    std::memcpy(mem(dst + *at), b, k);
    *at += k;
    return TrapReason::None;
  }
  // Writes the code points left in s.cps after `first` (already read; UINT32_MAX: none).
  TrapReason putRest(StringSource& s, SimpleEncoding form, uint64_t dst, uint64_t cap, uint64_t* at, uint32_t first,
                     bool* allLatin1 = nullptr) {
    uint32_t cp = first;
    int r = 1;
    if (cp == UINT32_MAX) r = s.cps.next(&cp);
    for (; r > 0; r = s.cps.next(&cp)) {
      if (allLatin1) *allLatin1 &= cp < 256;
      if (auto t = put(form, dst, cap, at, cp); t != TrapReason::None) return t;
    }
    return r < 0 ? trap(s.cps.error) : TrapReason::None;
  }
  // store_string_copy: `units` code units of the destination's size, one allocation; the same form is copied as is
  // (validated first when it comes from guest memory).
  TrapReason copyString(StringSource& s, SimpleEncoding form, uint32_t align, uint64_t* ptr, uint64_t* len) {
    const uint64_t bytes = s.units * (form == SimpleEncoding::Utf16 ? 2 : 1);
    if (auto r = realloc2(0, 0, align, bytes, ptr); r != TrapReason::None) return r;
    *len = s.units;
    if (s.simple == form && (s.lazy || form == SimpleEncoding::Utf8)) {
      const char* why = nullptr;
      if (s.lazy && !validText(s.simple, s.cps.p, s.cps.n, &why)) return trap(why);
      if (bytes) std::memmove(mem(*ptr), s.cps.p, bytes);  // lazily lifted: another memory, unless a component lowers its own lift
      return TrapReason::None;
    }
    uint64_t at = 0;
    return putRest(s, form, *ptr, bytes, &at, UINT32_MAX);
  }
  // store_string_to_utf8: optimistic (one byte per code unit), grown to the worst case at the first non-ASCII
  // character, then shrunk.
  TrapReason storeToUtf8(StringSource& s, uint64_t worst, uint64_t* ptr, uint64_t* len) {
    if (auto r = realloc2(0, 0, 1, s.units, ptr); r != TrapReason::None) return r;
    uint64_t at = 0;
    uint32_t cp;
    int r;
    while ((r = s.cps.next(&cp)) > 0) {
      if (cp >= 0x80) {
        if (auto t = realloc2(*ptr, s.units, 1, worst, ptr); t != TrapReason::None) return t;
        if (auto t = putRest(s, SimpleEncoding::Utf8, *ptr, worst, &at, cp); t != TrapReason::None) return t;
        if (worst > at)
          if (auto t = realloc2(*ptr, worst, 1, at, ptr); t != TrapReason::None) return t;
        *len = at;
        return TrapReason::None;
      }
      if (auto t = put(SimpleEncoding::Utf8, *ptr, s.units, &at, cp); t != TrapReason::None) return t;
    }
    if (r < 0) return trap(s.cps.error);
    *len = at;
    return TrapReason::None;
  }
  // store_utf8_to_utf16: the worst case (2 bytes per UTF-8 byte), then shrunk.
  TrapReason storeUtf8ToUtf16(StringSource& s, uint64_t* ptr, uint64_t* len) {
    const uint64_t worst = 2 * s.units;
    if (auto r = realloc2(0, 0, 2, worst, ptr); r != TrapReason::None) return r;
    uint64_t at = 0;
    if (auto r = putRest(s, SimpleEncoding::Utf16, *ptr, worst, &at, UINT32_MAX); r != TrapReason::None) return r;
    if (at < worst)
      if (auto r = realloc2(*ptr, worst, 2, at, ptr); r != TrapReason::None) return r;
    *len = at / 2;
    return TrapReason::None;
  }
  // store_string_to_latin1_or_utf16: latin1 while the characters fit, widened in place to UTF-16 (worst case) at the
  // first one that does not, then shrunk.
  TrapReason storeToLatin1OrUtf16(StringSource& s, uint64_t* ptr, uint64_t* len) {
    if (auto r = realloc2(0, 0, 2, s.units, ptr); r != TrapReason::None) return r;
    uint64_t dst = 0;
    uint32_t cp;
    int r;
    while ((r = s.cps.next(&cp)) > 0) {
      if (cp < 256) {
        if (auto t = put(SimpleEncoding::Latin1, *ptr, s.units, &dst, cp); t != TrapReason::None) return t;
        continue;
      }
      const uint64_t worst = 2 * s.units;
      if (auto t = realloc2(*ptr, s.units, 2, worst, ptr); t != TrapReason::None) return t;
      for (uint64_t j = dst; j-- > 0;) {
        *mem(*ptr + 2 * j) = *mem(*ptr + j);
        *mem(*ptr + 2 * j + 1) = 0;
      }
      uint64_t at = 2 * dst;
      if (auto t = putRest(s, SimpleEncoding::Utf16, *ptr, worst, &at, cp); t != TrapReason::None) return t;
      if (worst > at)
        if (auto t = realloc2(*ptr, worst, 2, at, ptr); t != TrapReason::None) return t;
      *len = (at / 2) | utf16Tag();
      return TrapReason::None;
    }
    if (r < 0) return trap(s.cps.error);
    if (dst < s.units)
      if (auto t = realloc2(*ptr, s.units, 2, dst, ptr); t != TrapReason::None) return t;
    *len = dst;
    return TrapReason::None;
  }
  // store_probably_utf16_to_latin1_or_utf16: UTF-16 first; narrowed in place to latin1 (and shrunk) if it fits.
  TrapReason storeProbablyUtf16(StringSource& s, uint64_t* ptr, uint64_t* len) {
    const uint64_t srcBytes = 2 * s.units;
    if (auto r = realloc2(0, 0, 2, srcBytes, ptr); r != TrapReason::None) return r;
    uint64_t at = 0;
    bool latin1 = true;
    if (auto r = putRest(s, SimpleEncoding::Utf16, *ptr, srcBytes, &at, UINT32_MAX, &latin1); r != TrapReason::None)
      return r;
    const uint64_t n = at / 2;
    if (!latin1) {
      *len = n | utf16Tag();
      return TrapReason::None;
    }
    for (uint64_t i = 0; i < n; ++i) *mem(*ptr + i) = *mem(*ptr + 2 * i);
    // latin1+utf16 strings are 2-aligned in both forms (the shrink asks for 2 and its result is checked)
    if (auto r = realloc2(*ptr, srcBytes, 2, n, ptr); r != TrapReason::None) return r;
    *len = n;
    return TrapReason::None;
  }
  TrapReason lowerList(const Type* t, const Val& v, uint64_t* ptr, uint64_t* len) {
    const Type* e = t->listElem();
    const uint64_t n = v.isBytes ? v.str.size() : v.elems.size();
    const uint32_t es = sz(e);
    const uint64_t bytes = n * es;
    if (bytes > 0x7fffffffu) return trap("list content out-of-bounds");
    if (auto r = reallocCall(0, 0, al(e), bytes, ptr, "list"); r != TrapReason::None) return r;
    *len = n;
    if (v.isBytes) {
      if (es != 1) return trap("host value of the wrong type: bytes for a list of " + std::string(tkName(e->kind)));
      copyIn(*ptr, v.str.data(), n);
      return TrapReason::None;
    }
    ScalarField fields[kMaxScalarFields];
    size_t nf = 0;
    if (scalarLayout(e, fields, &nf)) {  // records/tuples of scalars: the layout once, then no recursion per element
      uint8_t* base = mem(*ptr);
      for (uint64_t i = 0; i < n; ++i) {
        const Val& r = v.elems[i];
        if (r.kind != e->kind) [[unlikely]]
          return kindTrap(e->kind, r.kind);
        if (r.elems.size() != nf) [[unlikely]]
          return trap("host value of the wrong type: wrong number of fields");
        uint8_t* p = base + i * es;
        for (size_t k = 0; k < nf; ++k) {
          const Val& f = r.elems[k];
          if (f.kind != fields[k].kind) [[unlikely]]
            return kindTrap(fields[k].kind, f.kind);
          storeScalar(fields[k].kind, f, p + fields[k].off);
        }
      }
      return TrapReason::None;
    }
    for (uint64_t i = 0; i < n; ++i)
      if (auto r = store(e, v.elems[i], *ptr + i * es); r != TrapReason::None) return r;
    return TrapReason::None;
  }

  // Fields of a record/tuple made only of scalars (bool, integers, floats, char), with their offsets.
  struct ScalarField {
    uint32_t off;
    TK kind;
  };
  static constexpr size_t kMaxScalarFields = 16;
  static bool scalarLayout(const Type* e, ScalarField* out, size_t* n) {
    if ((e->kind != TK::Record && e->kind != TK::Tuple) || e->elems.size() > kMaxScalarFields) return false;
    uint32_t off = 0;
    for (size_t i = 0; i < e->elems.size(); ++i) {
      const Type* f = e->elems[i];
      if (f->kind > TK::Char) return false;  // Bool .. F64, Char
      off = alignTo(off, f->abi.align);
      out[i] = {off, f->kind};
      off += f->abi.size;
    }
    *n = e->elems.size();
    return true;
  }
  static void storeScalar(TK k, const Val& v, uint8_t* p) {
    switch (k) {
      case TK::Bool: case TK::S8: case TK::U8: *p = uint8_t(v.bits); return;
      case TK::S16: case TK::U16: {
        const uint16_t x = uint16_t(v.bits);
        std::memcpy(p, &x, 2);
        return;
      }
      case TK::F32: {
        const float f = canonF32(v.f32v);
        std::memcpy(p, &f, 4);
        return;
      }
      case TK::S64: case TK::U64: std::memcpy(p, &v.bits, 8); return;
      case TK::F64: {
        const uint64_t x = canonF64Bits(v.bits);
        std::memcpy(p, &x, 8);
        return;
      }
      default: {  // S32, U32, Char
        const uint32_t x = uint32_t(v.bits);
        std::memcpy(p, &x, 4);
        return;
      }
    }
  }

  // ---------------------------------------------------------------- flat lifting / lowering
  // Flat values are read in order; joined variant slots are read with the payload's own width (the Value slots hold
  // the low bits of a wider join unchanged, so i32<-i64 wrap and f32/f64 reinterpretation are plain reads).
  TrapReason liftFlat(const Type* t, const Value*& it, const Value* end, Val& v) {
    const size_t need = t->abi.flat.size();
    if (size_t(end - it) < need) return trap("internal: flat values exhausted");
    switch (t->kind) {
      case TK::S64: case TK::U64: case TK::F64: {
        auto r = fromI64(t, it->i64, v);
        ++it;
        return r;
      }
      case TK::String: case TK::List: case TK::Map: {
        const uint64_t p = ptrOf(it[0]), n = ptrOf(it[1]);
        it += 2;
        return t->kind == TK::String ? liftString(p, n, v) : liftList(t, p, n, v);
      }
      case TK::Record: case TK::Tuple: case TK::FixedList: {
        v = Val();
        v.kind = t->kind;
        const size_t n = t->kind == TK::FixedList ? t->length : t->elems.size();
        v.elems.resize(n);
        for (size_t i = 0; i < n; ++i)
          if (auto r = liftFlat(t->kind == TK::FixedList ? t->elem() : t->elems[i], it, end, v.elems[i]);
              r != TrapReason::None)
            return r;
        return TrapReason::None;
      }
      case TK::Variant: case TK::Enum: case TK::Option: case TK::Result: {
        const Value* start = it;
        const uint32_t c = it->i32;
        ++it;
        auto r = liftCase(t, c, [&](const Type* pt, Val& pv) { return liftFlat(pt, it, end, pv); }, v);
        it = start + need;
        return r;
      }
      default: {
        auto r = fromI32(t, it->i32, v);
        ++it;
        return r;
      }
    }
  }

  TrapReason lowerFlat(const Type* t, const Val& v, std::vector<Value>& out) {
    if (auto r = checkKind(t, v); r != TrapReason::None) return r;
    switch (t->kind) {
      case TK::S64: case TK::U64: out.push_back(Value::fromI64(v.bits)); return TrapReason::None;
      case TK::F64: out.push_back(Value::fromI64(canonF64Bits(v.bits))); return TrapReason::None;
      case TK::String: case TK::List: case TK::Map: {
        uint64_t p = 0, n = 0;
        auto r = t->kind == TK::String ? lowerString(v, &p, &n) : lowerList(t, v, &p, &n);
        if (r != TrapReason::None) return r;
        out.push_back(ptrValue(p));
        out.push_back(ptrValue(n));
        return TrapReason::None;
      }
      case TK::Record: case TK::Tuple: case TK::FixedList: {
        const size_t n = t->kind == TK::FixedList ? t->length : t->elems.size();
        if (v.elems.size() != n) return trap("host value of the wrong type: wrong number of fields");
        for (size_t i = 0; i < n; ++i)
          if (auto r = lowerFlat(t->kind == TK::FixedList ? t->elem() : t->elems[i], v.elems[i], out);
              r != TrapReason::None)
            return r;
        return TrapReason::None;
      }
      case TK::Variant: case TK::Enum: case TK::Option: case TK::Result: {
        const size_t start = out.size();
        if (v.index >= numCases(t)) return trap("host value of the wrong type: case index out of range");
        out.push_back(Value::fromI32(v.index));
        if (const Type* pt = caseType(t, v.index)) {
          if (v.elems.empty()) return trap("host value of the wrong type: missing payload");
          if (auto r = lowerFlat(pt, v.elems[0], out); r != TrapReason::None) return r;
        }
        out.resize(start + t->abi.flat.size());  // pad the joined slots with zeros
        return TrapReason::None;
      }
      default: {
        uint32_t x;
        if (auto r = toI32(t, v, &x); r != TrapReason::None) return r;
        out.push_back(Value::fromI32(x));
        return TrapReason::None;
      }
    }
  }

  // The parameters as one tuple in memory (more than 16 flat values).
  uint32_t tupleAlign(const std::vector<const Type*>& ts) {
    uint32_t al = 1;
    for (const Type* t : ts) al = std::max(al, this->al(t));
    return al;
  }
  uint32_t tupleSize(const std::vector<const Type*>& ts) {
    uint32_t s = 0;
    for (const Type* t : ts) s = alignTo(s, al(t)) + sz(t);
    return alignTo(s, tupleAlign(ts));
  }
  TrapReason checkPtr(uint64_t p, uint32_t align, uint32_t size) {
    if (!a.memory) return trap("unsupported: values in memory without a memory option");
    if (p % align) return trap("unaligned pointer");
    if (!inBounds(p, size)) return trap("pointer out of bounds of memory");
    return TrapReason::None;
  }
};

}  // namespace

TrapReason liftParams(AbiCx& a, const Type& ft, std::span<const Value> core, std::vector<Val>& out) {
  Abi abi{a};
  const FlatFlags sig = flatFlags(ft);
  out.resize(ft.elems.size());
  if (sig.paramsInMemory) {
    const uint64_t p = abi.ptrOf(core[0]);
    if (auto r = abi.checkPtr(p, abi.tupleAlign(ft.elems), abi.tupleSize(ft.elems)); r != TrapReason::None) return r;
    uint32_t off = 0;
    for (size_t i = 0; i < ft.elems.size(); ++i) {
      off = alignTo(off, abi.al(ft.elems[i]));
      if (auto r = abi.load(ft.elems[i], p + off, out[i]); r != TrapReason::None) return r;
      off += abi.sz(ft.elems[i]);
    }
    return TrapReason::None;
  }
  const Value* it = core.data();
  const Value* end = core.data() + core.size();
  for (size_t i = 0; i < ft.elems.size(); ++i)
    if (auto r = abi.liftFlat(ft.elems[i], it, end, out[i]); r != TrapReason::None) return r;
  return TrapReason::None;
}

TrapReason lowerResult(AbiCx& a, const Type& ft, const Val& v, std::span<const Value> coreArgs, Value* coreResult) {
  if (!ft.result) return TrapReason::None;
  Abi abi{a};
  const FlatFlags sig = flatFlags(ft);
  if (sig.resultsInMemory) {
    const uint64_t p = abi.ptrOf(coreArgs.back());
    if (auto r = abi.checkPtr(p, abi.al(ft.result), abi.sz(ft.result)); r != TrapReason::None) return r;
    return abi.store(ft.result, v, p);
  }
  std::vector<Value> flat;
  if (auto r = abi.lowerFlat(ft.result, v, flat); r != TrapReason::None) return r;
  if (!flat.empty()) *coreResult = flat[0];
  return TrapReason::None;
}

TrapReason lowerParams(AbiCx& a, const Type& ft, std::span<const Val> args, std::vector<Value>& flat) {
  Abi abi{a};
  if (args.size() != ft.elems.size())
    return a.cx.hostTrap("wrong number of arguments: expected " + std::to_string(ft.elems.size()) + ", got " +
                         std::to_string(args.size()));
  const FlatFlags sig = flatFlags(ft);
  if (sig.paramsInMemory) {
    uint64_t p = 0;
    if (auto r = abi.reallocCall(0, 0, abi.tupleAlign(ft.elems), abi.tupleSize(ft.elems), &p, "argument"); r != TrapReason::None)
      return r;
    uint32_t off = 0;
    for (size_t i = 0; i < ft.elems.size(); ++i) {
      off = alignTo(off, abi.al(ft.elems[i]));
      if (auto r = abi.store(ft.elems[i], args[i], p + off); r != TrapReason::None) return r;
      off += abi.sz(ft.elems[i]);
    }
    flat.push_back(abi.ptrValue(p));
    return TrapReason::None;
  }
  for (size_t i = 0; i < ft.elems.size(); ++i)
    if (auto r = abi.lowerFlat(ft.elems[i], args[i], flat); r != TrapReason::None) return r;
  return TrapReason::None;
}

TrapReason liftResult(AbiCx& a, const Type& ft, std::span<const Value> coreResults, Val* out) {
  if (!ft.result) return TrapReason::None;
  Abi abi{a};
  Val tmp;
  Val& v = out ? *out : tmp;
  const FlatFlags sig = flatFlags(ft);
  if (sig.resultsInMemory) {
    const uint64_t p = abi.ptrOf(coreResults[0]);
    if (auto r = abi.checkPtr(p, abi.al(ft.result), abi.sz(ft.result)); r != TrapReason::None) return r;
    return abi.load(ft.result, p, v);
  }
  const Value* it = coreResults.data();
  return abi.liftFlat(ft.result, it, coreResults.data() + coreResults.size(), v);
}

TrapReason resourceNew(ExecContext& cx, ComponentInstance& inst, ResourceType* rt, uint32_t rep, uint32_t* handle) {
  uint32_t i;
  if (!inst.freeHandles.empty()) {
    i = inst.freeHandles.back();
    inst.freeHandles.pop_back();
  } else {
    if (inst.handles.size() >= (1u << 28) - 1) return cx.hostTrap("handle table full");
    i = uint32_t(inst.handles.size());
    inst.handles.emplace_back();
  }
  Handle& h = inst.handles[i];
  h = Handle{};
  h.rt = rt;
  h.rep = rep;
  h.own = true;
  h.used = true;
  *handle = i;
  return TrapReason::None;
}

static TrapReason checkedHandle(ExecContext& cx, ComponentInstance& inst, ResourceType* rt, uint32_t i, Handle** out) {
  if (i == 0 || i >= inst.handles.size() || !inst.handles[i].used)
    return cx.hostTrap("unknown handle index " + std::to_string(i));
  if (inst.handles[i].rt != rt)
    return cx.hostTrap("handle index " + std::to_string(i) +
                       " used with the wrong type, expected guest-defined resource but found a different guest-defined resource");
  *out = &inst.handles[i];
  return TrapReason::None;
}

TrapReason resourceDrop(ExecContext& cx, ComponentInstance& inst, ResourceType* rt, uint32_t i) {
  Handle* h;
  if (auto r = checkedHandle(cx, inst, rt, i, &h); r != TrapReason::None) return r;
  if (h->own && h->lends) return cx.hostTrap("cannot remove owned resource while borrowed");
  const Handle copy = *h;
  *h = Handle{};
  inst.freeHandles.push_back(i);
  if (!copy.own) {
    if (copy.scope && copy.scope->borrows) copy.scope->borrows--;
    return TrapReason::None;
  }
  if (rt->hostDtor) {
    HostCallScope outsideWasm;
    rt->hostDtor(copy.rep);
  } else if (rt->dtor) {
    if (rt->impl && rt->impl != &inst && rt->impl->active) return cx.hostTrap("cannot enter component instance");
    Value arg = Value::fromI32(copy.rep);
    return callCore(cx, rt->dtor, &arg, 1, nullptr, 0);
  }
  return TrapReason::None;
}

TrapReason resourceRep(ExecContext& cx, ComponentInstance& inst, ResourceType* rt, uint32_t i, uint32_t* rep) {
  Handle* h;
  if (auto r = checkedHandle(cx, inst, rt, i, &h); r != TrapReason::None) return r;
  *rep = h->rep;
  return TrapReason::None;
}

void releaseScope(CallScope& scope) {
  for (auto& [inst, i] : scope.lenders)
    if (i < inst->handles.size() && inst->handles[i].lends) inst->handles[i].lends--;
  scope.lenders.clear();
}

TrapReason callLifted(Store& store, ComponentFunc& f, std::span<const Val> args, Val* result, CallScope& scope,
                      const ResultSink* sink) {
  ExecContext& cx = store.context();
  ComponentInstance& inst = *f.instance;
  if (f.opts.async) return cx.hostTrap("unsupported: component-model async (calling an `async` lifted function)");
  if (inst.active) return cx.hostTrap("cannot enter component instance");
  AbiCx a{store, cx, &inst, f.memory, f.realloc, f.opts.encoding, &scope};
  std::vector<Value> flat;
  flat.reserve(16);
  inst.active++;
  struct Leave {
    ComponentInstance& i;
    ~Leave() { i.active--; }
  } leave{inst};
  if (auto r = lowerParams(a, *f.type, args, flat); r != TrapReason::None) return r;
  Value results[1];
  const size_t nr = f.core->numResults();
  if (auto r = callCore(cx, f.core, flat.data(), flat.size(), results, nr); r != TrapReason::None) return r;
  if (sink) {
    // the result goes to another component: strings stay in this memory until the caller's lowering has read them,
    // which happens now, before post-return (CanonicalABI.md canon_lift: task.return, then post_return)
    Val v;
    a.lazyStrings = true;
    TrapReason r = liftResult(a, *f.type, std::span<const Value>(results, nr), f.type->result ? &v : nullptr);
    a.lazyStrings = false;
    if (r != TrapReason::None) return r;
    if (scope.borrows) return cx.hostTrap("borrow handles still remain at the end of the call");
    if (r = (*sink)(v); r != TrapReason::None) return r;
  } else if (auto r = liftResult(a, *f.type, std::span<const Value>(results, nr), result); r != TrapReason::None) {
    return r;
  }
  if (f.postReturn) {
    const bool savedLeave = inst.mayLeave;
    inst.mayLeave = false;
    TrapReason r = callCore(cx, f.postReturn, results, nr, nullptr, 0);
    inst.mayLeave = savedLeave;
    if (r != TrapReason::None) return r;
  }
  if (scope.borrows) return cx.hostTrap("borrow handles still remain at the end of the call");
  return TrapReason::None;
}

TrapReason callAny(Store& store, ComponentFunc& f, std::span<const Val> args, Val* result, CallScope& scope,
                   ComponentInstance* caller, const ResultSink* sink) {
  if (f.host) {
    ++componentStore(store).hostCalls;
    HostCall hc{store, store.context(), caller, f.type};
    Val tmp;
    HostCallScope outsideWasm;
    return f.host(hc, args, result ? result : &tmp);
  }
  return callLifted(store, f, args, result, scope, sink);
}

}  // namespace myrt::component
