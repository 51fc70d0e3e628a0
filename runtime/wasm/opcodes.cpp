// runtime/wasm/opcodes.cpp -- lookup tables generated from opcodes.def.
#include "runtime/wasm/opcodes.h"

#include <array>
#include <string>
#include <unordered_map>

namespace myrt {
namespace {

constexpr uint16_t kNoOp = 0xFFFF;

struct Tables {
  std::array<uint16_t, 256> single{};
  std::array<uint16_t, 32> fb{};
  std::array<uint16_t, 32> fc{};
  std::array<uint16_t, 0x120> fd{};
  std::array<uint16_t, 0x50> fe{};
  std::unordered_map<std::string_view, Op> byName;
  Tables() {
    single.fill(kNoOp);
    fb.fill(kNoOp);
    fc.fill(kNoOp);
    fd.fill(kNoOp);
    fe.fill(kNoOp);
    for (unsigned i = 0; i < kNumOps; ++i) {
      const OpInfo& info = kOpInfo[i];
      switch (info.prefix) {
        case 0x00: single[info.code] = static_cast<uint16_t>(i); break;
        case 0xFB: fb[info.code] = static_cast<uint16_t>(i); break;
        case 0xFC: fc[info.code] = static_cast<uint16_t>(i); break;
        case 0xFD: fd[info.code] = static_cast<uint16_t>(i); break;
        case 0xFE: fe[info.code] = static_cast<uint16_t>(i); break;
        default: break;
      }
      byName.emplace(info.name, static_cast<Op>(i));  // first row wins for shared keywords
    }
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

template <size_t N>
std::optional<Op> lookup(const std::array<uint16_t, N>& a, uint32_t code) {
  if (code >= N || a[code] == kNoOp) return std::nullopt;
  return static_cast<Op>(a[code]);
}

}  // namespace

// opFromByte is inline in opcodes.h (compile-time table).

std::optional<Op> opFromPrefixed(uint8_t prefix, uint32_t code) {
  switch (prefix) {
    case 0xFB: return lookup(tables().fb, code);
    case 0xFC: return lookup(tables().fc, code);
    case 0xFD: return lookup(tables().fd, code);
    case 0xFE: return lookup(tables().fe, code);
    default: return std::nullopt;
  }
}

std::optional<Op> opFromName(std::string_view name) {
  const auto& m = tables().byName;
  auto it = m.find(name);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

unsigned encodeOpcode(Op op, uint8_t* out) {
  const OpInfo& info = opInfo(op);
  if (info.prefix == 0) {
    out[0] = static_cast<uint8_t>(info.code);
    return 1;
  }
  unsigned n = 0;
  out[n++] = info.prefix;
  uint32_t v = info.code;
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    if (v) b |= 0x80;
    out[n++] = b;
  } while (v);
  return n;
}

}  // namespace myrt
