// tests/unit/component/builder.h -- hand-built component binaries for the component tests: LEB128 bytes, sections,
// and core modules from WAT (runtime/text).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/text/wat.h"

namespace myrt::test {

struct Bytes {
  std::vector<uint8_t> b;
  Bytes& byte(uint8_t x) {
    b.push_back(x);
    return *this;
  }
  Bytes& u32(uint32_t v) {
    do {
      uint8_t x = v & 0x7f;
      v >>= 7;
      if (v) x |= 0x80;
      b.push_back(x);
    } while (v);
    return *this;
  }
  Bytes& str(std::string_view s) {
    u32(uint32_t(s.size()));
    b.insert(b.end(), s.begin(), s.end());
    return *this;
  }
  Bytes& raw(const std::vector<uint8_t>& x) {
    b.insert(b.end(), x.begin(), x.end());
    return *this;
  }
  Bytes& raw(const Bytes& x) { return raw(x.b); }
  size_t size() const { return b.size(); }
};

// A component binary: the preamble, then sections appended in order.
struct ComponentBytes {
  Bytes out;
  ComponentBytes() { out.raw({0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00}); }
  // A section holding `count` items (vec) given as bytes.
  ComponentBytes& section(uint8_t id, uint32_t count, const Bytes& items) {
    Bytes body;
    body.u32(count).raw(items);
    out.byte(id).u32(uint32_t(body.size())).raw(body);
    return *this;
  }
  // Section with raw contents (core module, nested component).
  ComponentBytes& rawSection(uint8_t id, const std::vector<uint8_t>& contents) {
    out.byte(id).u32(uint32_t(contents.size())).raw(contents);
    return *this;
  }
  ComponentBytes& coreModule(std::string_view wat) {
    auto bin = watToBinary(wat);
    return rawSection(1, bin.ok() ? *bin : std::vector<uint8_t>{});
  }
  const std::vector<uint8_t>& bytes() const { return out.b; }
};

}  // namespace myrt::test
