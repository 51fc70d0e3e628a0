#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "runtime/wasm/opcodes.h"

using namespace myrt;

TEST_CASE("every opcode has a unique encoding and a name that maps back", "[wasm]") {
  std::set<std::pair<unsigned, unsigned>> encodings;
  for (unsigned i = 0; i < kNumOps; ++i) {
    Op op = static_cast<Op>(i);
    const OpInfo& info = opInfo(op);
    INFO("op #" << i << " " << info.name);
    CHECK_FALSE(info.name.empty());
    CHECK(encodings.insert({info.prefix, info.code}).second);
    // binary round trip
    uint8_t buf[8];
    unsigned n = encodeOpcode(op, buf);
    std::optional<Op> back = n == 1 ? opFromByte(buf[0]) : std::nullopt;
    if (n > 1) {
      uint32_t code = 0;
      for (unsigned k = 1, shift = 0; k < n; ++k, shift += 7) code |= uint32_t(buf[k] & 0x7F) << shift;
      back = opFromPrefixed(buf[0], code);
    }
    REQUIRE(back.has_value());
    CHECK(*back == op);
    // text: the keyword maps to this op or to its sibling sharing the keyword with the same immediate family
    auto byName = opFromName(info.name);
    REQUIRE(byName.has_value());
    CHECK(opName(*byName) == info.name);
  }
}

TEST_CASE("signatures are parsed from the table", "[wasm]") {
  const OpSig& add = opInfo(Op::I32Add).sig;
  CHECK_FALSE(add.isSpecial);
  CHECK(add.numParams == 2);
  CHECK(add.numResults == 1);
  CHECK(add.results[0] == ValKind::I32);
  const OpSig& st = opInfo(Op::V128Store).sig;
  CHECK(st.numParams == 2);
  CHECK(st.numResults == 0);
  CHECK(st.params[1] == ValKind::V128);
  CHECK(opInfo(Op::Block).sig.isSpecial);
  CHECK(opInfo(Op::I32Const).sig.numParams == 0);
  CHECK(opInfo(Op::I32Const).sig.numResults == 1);
  CHECK(opFromPrefixed(0xFD, 0x113) == Op::I32x4RelaxedDotI8x16I7x16AddS);
  CHECK_FALSE(opFromPrefixed(0xFD, 154).has_value());
  CHECK_FALSE(opFromByte(0x27).has_value());
}
