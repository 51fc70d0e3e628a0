#include <catch2/catch.hpp>

#include "runtime/base/reader.h"

using namespace myrt;

TEST_CASE("LEB128 u32 decoding and errors", "[base]") {
  const uint8_t ok[] = {0xE5, 0x8E, 0x26};
  ByteReader r(ok, sizeof ok);
  auto v = r.u32();
  REQUIRE(v.ok());
  CHECK(*v == 624485u);
  CHECK(r.atEnd());

  const uint8_t tooLong[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  ByteReader r2(tooLong, sizeof tooLong);
  auto e2 = r2.u32();
  REQUIRE_FALSE(e2.ok());
  CHECK(e2.error().message == "integer representation too long");

  const uint8_t tooLarge[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x1F};
  ByteReader r3(tooLarge, sizeof tooLarge);
  auto e3 = r3.u32();
  REQUIRE_FALSE(e3.ok());
  CHECK(e3.error().message == "integer too large");
  CHECK(e3.error().offset == 4);

  const uint8_t truncated[] = {0x80};
  ByteReader r4(truncated, sizeof truncated, 100);
  auto e4 = r4.u32();
  REQUIRE_FALSE(e4.ok());
  CHECK(e4.error().message == "unexpected end");
  CHECK(e4.error().offset == 101);
}

TEST_CASE("LEB128 signed decoding", "[base]") {
  const uint8_t m1[] = {0x7F};
  ByteReader r(m1, 1);
  CHECK(*r.s32() == -1);
  const uint8_t min32[] = {0x80, 0x80, 0x80, 0x80, 0x78};
  ByteReader r2(min32, 5);
  CHECK(*r2.s32() == INT32_MIN);
  const uint8_t bad[] = {0x80, 0x80, 0x80, 0x80, 0x70};
  ByteReader r3(bad, 5);
  CHECK_FALSE(r3.s32().ok());
  const uint8_t s33[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x0F};  // 2^32-1, the largest s33
  ByteReader r4(s33, 5);
  auto v = r4.s33();
  REQUIRE(v.ok());
  CHECK(*v == (int64_t(1) << 32) - 1);
  const uint8_t s33bad[] = {0x80, 0x80, 0x80, 0x80, 0x10};  // 2^32 does not fit s33
  ByteReader r6(s33bad, 5);
  CHECK_FALSE(r6.s33().ok());
  const uint8_t minus64[] = {0x40};
  ByteReader r5(minus64, 1);
  CHECK(*r5.s64() == -64);
}

TEST_CASE("UTF-8 validation", "[base]") {
  CHECK(isValidUtf8("hello"));
  CHECK(isValidUtf8("\xC3\xA9"));
  CHECK_FALSE(isValidUtf8("\xC0\x80"));          // overlong
  CHECK_FALSE(isValidUtf8("\xED\xA0\x80"));      // surrogate
  CHECK_FALSE(isValidUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  CHECK_FALSE(isValidUtf8("\xE2\x82"));          // truncated
}
