// runtime/base/reader.h -- bounds-checked little-endian/LEB128 byte reader used by the binary decoder and CodeReader.
// Layer: base. Every read checks bounds; errors use the spec's wording ("unexpected end", "integer too large",
// "integer representation too long"). Offsets reported are absolute within the module binary (base_ + pos).
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "runtime/base/result.h"

namespace myrt {

class ByteReader {
 public:
  ByteReader() = default;
  // `data` points at the bytes to read; `baseOffset` is the absolute offset of data[0] within the module binary.
  ByteReader(const uint8_t* data, size_t size, size_t baseOffset = 0) : p_(data), size_(size), base_(baseOffset) {}

  size_t pos() const { return pos_; }                    // relative position
  size_t offset() const { return base_ + pos_; }         // absolute offset of the next byte
  size_t size() const { return size_; }
  size_t remaining() const { return size_ - pos_; }
  bool atEnd() const { return pos_ >= size_; }
  const uint8_t* data() const { return p_; }
  const uint8_t* cur() const { return p_ + pos_; }
  void seek(size_t relPos) { pos_ = relPos <= size_ ? relPos : size_; }

  Error errorHere(std::string msg) const { return Error(offset(), std::move(msg)); }
  Error errorAt(size_t absOffset, std::string msg) const { return Error(absOffset, std::move(msg)); }

  Result<uint8_t> u8() {
    if (pos_ >= size_) return errorHere("unexpected end");
    return p_[pos_++];
  }
  Result<uint8_t> peekU8() const {
    if (pos_ >= size_) return errorHere("unexpected end");
    return p_[pos_];
  }
  Result<uint32_t> fixedU32() {
    if (remaining() < 4) return errorHere("unexpected end");
    uint32_t v;
    std::memcpy(&v, p_ + pos_, 4);
    pos_ += 4;
    return v;
  }
  Result<uint64_t> fixedU64() {
    if (remaining() < 8) return errorHere("unexpected end");
    uint64_t v;
    std::memcpy(&v, p_ + pos_, 8);
    pos_ += 8;
    return v;
  }
  Result<const uint8_t*> bytes(size_t n) {
    if (remaining() < n) return errorHere("unexpected end");
    const uint8_t* r = p_ + pos_;
    pos_ += n;
    return r;
  }

  Result<uint32_t> u32() {  // fast path for the common 1-byte case
    if (pos_ < size_ && p_[pos_] < 0x80) return static_cast<uint32_t>(p_[pos_++]);
    return leb<uint32_t, false, 32>();
  }
  Result<uint64_t> u64() { return leb<uint64_t, false, 64>(); }
  Result<int32_t> s32() {
    MYRT_ASSIGN(uint32_t v, (leb<uint32_t, true, 32>()));
    return static_cast<int32_t>(v);
  }
  Result<int64_t> s64() {
    MYRT_ASSIGN(uint64_t v, (leb<uint64_t, true, 64>()));
    return static_cast<int64_t>(v);
  }
  // 33-bit signed (block types / heap types); returned sign-extended in an int64_t.
  Result<int64_t> s33() {
    MYRT_ASSIGN(uint64_t v, (leb<uint64_t, true, 33>()));
    return static_cast<int64_t>(v);
  }

  // Length-prefixed UTF-8 name; validates UTF-8 ("malformed UTF-8 encoding").
  Result<std::string_view> name();

 private:
  template <typename U, bool Signed, unsigned Bits>
  Result<U> leb() {
    constexpr unsigned kMaxBytes = (Bits + 6) / 7;
    U result = 0;
    unsigned shift = 0;
    for (unsigned i = 0;; ++i) {
      if (pos_ >= size_) return errorHere("unexpected end");
      uint8_t b = p_[pos_++];
      if (i == kMaxBytes - 1) {
        // last permitted byte: continuation bit must be clear, unused bits must be zero (or sign bits)
        if (b & 0x80) return errorAt(offset() - 1, "integer representation too long");
        constexpr unsigned used = Bits - 7 * (kMaxBytes - 1);  // bits of payload taken from this byte
        if constexpr (Signed) {
          // bits [used-1 .. 6] must all equal the sign bit
          uint8_t signAndUnused = static_cast<uint8_t>(b & (0x7F & ~((1u << (used - 1)) - 1)));
          uint8_t allOnes = static_cast<uint8_t>(0x7F & ~((1u << (used - 1)) - 1));
          if (signAndUnused != 0 && signAndUnused != allOnes) return errorAt(offset() - 1, "integer too large");
        } else {
          if (used < 7 && (b >> used) != 0) return errorAt(offset() - 1, "integer too large");
        }
        result |= static_cast<U>(static_cast<U>(b & 0x7F) << shift);
        shift += 7;
        if constexpr (Signed) {
          if (shift < sizeof(U) * 8 && (b & 0x40)) result |= static_cast<U>(~U(0) << shift);
          if constexpr (Bits < sizeof(U) * 8) {
            // sign-extend from Bits
            if (result & (U(1) << (Bits - 1))) result |= static_cast<U>(~U(0) << Bits);
            else result &= static_cast<U>((U(1) << Bits) - 1);
          }
        }
        return result;
      }
      result |= static_cast<U>(static_cast<U>(b & 0x7F) << shift);
      shift += 7;
      if (!(b & 0x80)) {
        if constexpr (Signed) {
          if (shift < sizeof(U) * 8 && (b & 0x40)) result |= static_cast<U>(~U(0) << shift);
        }
        return result;
      }
    }
  }

  const uint8_t* p_ = nullptr;
  size_t size_ = 0;
  size_t pos_ = 0;
  size_t base_ = 0;
};

// UTF-8 validation (base/utf8.cpp).
bool isValidUtf8(const uint8_t* s, size_t n);
inline bool isValidUtf8(std::string_view s) { return isValidUtf8(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }
// Appends the UTF-8 encoding of code point `cp` (< 0x110000).
void appendUtf8(std::string& out, uint32_t cp);

// A name from the module (name section, exports) made safe to print on one line of a diagnostic or a perf map: names
// are data, so control characters (C0, DEL, C1), U+2028/U+2029 and the bidirectional overrides/isolates become
// escapes (\t \n \r, else \u{hex}) as does a backslash (\\), so a name can neither start a forged line nor hide
// text. Other UTF-8 is kept; bytes that are not valid UTF-8 become \xNN.
std::string printableName(std::string_view name);

}  // namespace myrt
