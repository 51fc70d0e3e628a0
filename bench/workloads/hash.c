/* hash: i64 arithmetic -- FNV-1a 64, a xorshift generator and a table-driven CRC-64 over a buffer. */
#include "bench.h"
#define LEN 65536
static unsigned char buf[LEN];
static u64 crcTable[256];
u32 run(void) {
  for (u32 i = 0; i < 256; ++i) {
    u64 c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0xC96C5795D7870F42ull : c >> 1;
    crcTable[i] = c;
  }
  u64 x = 0x9E3779B97F4A7C15ull ^ opaque32(1);
  for (u32 i = 0; i < LEN; ++i) {
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    buf[i] = (unsigned char)(x >> 32);
  }
  u64 fnv = 0xcbf29ce484222325ull, crc = ~0ull;
  u32 reps = opaque32(400);
  for (u32 r = 0; r < reps; ++r) {
    for (u32 i = 0; i < LEN; ++i) {
      fnv = (fnv ^ buf[i]) * 0x100000001b3ull;
      crc = crcTable[(crc ^ buf[i]) & 0xff] ^ (crc >> 8);
    }
    buf[r] ^= (unsigned char)fnv;
  }
  u64 h = fnv ^ (crc * 0x9E3779B97F4A7C15ull);
  return (u32)(h ^ (h >> 32));
}
