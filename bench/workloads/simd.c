/* simd: 128-bit vector code written with clang's vector extensions (wasm SIMD with -msimd128, SSE natively): f32 dot
   products, byte scanning with compare masks (memchr/strlen-like counting), i32 blends (compare + bitwise select), and
   byte shuffles with i16 widening sums. The data changes every pass so nothing can be hoisted out of the loop. */
#include "bench.h"
typedef float f4 __attribute__((vector_size(16)));
typedef int i4 __attribute__((vector_size(16)));
typedef short s8 __attribute__((vector_size(16)));
typedef unsigned char u16 __attribute__((vector_size(16)));

#define NV 1024 /* vectors per array */
static f4 fa[NV], fb[NV];
static i4 ia[NV], ib[NV];
static u16 text[NV];

static u32 lcg(u32* s) {
  *s = *s * 1103515245u + 12345u;
  return *s >> 8;
}

u32 run(void) {
  u32 seed = opaque32(7);
  for (u32 i = 0; i < NV; ++i) {
    for (u32 k = 0; k < 4; ++k) {
      fa[i][k] = (float)(lcg(&seed) & 1023) / 1024.0f;
      fb[i][k] = (float)(lcg(&seed) & 1023) / 512.0f - 1.0f;
      ia[i][k] = (i32)lcg(&seed) - (1 << 23);
      ib[i][k] = (i32)lcg(&seed) - (1 << 23);
    }
    for (u32 k = 0; k < 16; ++k) text[i][k] = (unsigned char)(lcg(&seed) % 40 + 'a');
  }
  const u16 reverse = {15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
  u32 sum = 0;
  u32 iters = opaque32(20000);
  for (u32 it = 0; it < iters; ++it) {
    /* dot product */
    f4 acc = {0, 0, 0, 0};
    for (u32 i = 0; i < NV; ++i) acc += fa[i] * fb[i];
    const float dot = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    sum = sum * 31 + (u32)(i32)(dot * 16.0f);
    fa[it % NV] *= 0.5f;
    /* byte scanning: how many bytes equal `key`, in chunks of 64 vectors (u8 lane counters cannot overflow) */
    const unsigned char key = (unsigned char)('a' + it % 40);
    u32 count = 0;
    for (u32 c = 0; c < NV; c += 64) {
      u16 n = {0};
      for (u32 i = c; i < c + 64; ++i) n -= (u16)(text[i] == key);
      s8 wide = {0};
      for (u32 k = 0; k < 16; ++k) wide[k & 7] += n[k];
      count += (u32)(wide[0] + wide[1] + wide[2] + wide[3] + wide[4] + wide[5] + wide[6] + wide[7]);
    }
    sum = sum * 31 + count;
    /* blend: ia = max(ia, ib ^ it) by compare + select */
    i4 total = {0, 0, 0, 0};
    const i4 salt = {(i32)it, (i32)it, (i32)it, (i32)it};
    for (u32 i = 0; i < NV; ++i) {
      const i4 b = ib[i] ^ salt;
      const i4 m = ia[i] > b;
      const i4 r = (ia[i] & m) | (b & ~m);
      ia[i] = r >> 1;
      total += r;
    }
    sum = sum * 31 + (u32)(total[0] ^ total[1] ^ total[2] ^ total[3]);
    /* shuffle: reverse the bytes of every other vector, rotate the text by one vector */
    if (it % 16 == 0) {
      for (u32 i = 0; i < NV; i += 2) text[i] = __builtin_shufflevector(text[i], text[i], 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
      const u16 first = text[0];
      for (u32 i = 0; i + 1 < NV; ++i) text[i] = text[i + 1];
      text[NV - 1] = first + reverse;
    }
  }
  return sum;
}
