/* memops: memcpy/memset-heavy loop (bulk memory.copy/memory.fill in wasm, libc-style builtins natively) with short
   and long blocks at varying offsets. */
#include "bench.h"
#define SIZE (1 << 20)
static unsigned char src[SIZE], dst[SIZE];
u32 run(void) {
  for (u32 i = 0; i < SIZE; ++i) src[i] = (unsigned char)(i * 131 + (i >> 9));
  u32 sum = 0, seed = opaque32(12345);
  u32 iters = opaque32(3000000);
  for (u32 it = 0; it < iters; ++it) {
    seed = seed * 1103515245u + 12345u;
    u32 len = (it & 15) == 0 ? 4096 + (seed >> 20) : 8 + ((seed >> 16) & 127);
    u32 s = (seed >> 8) % (SIZE - len), d = (seed >> 3) % (SIZE - len);
    if (it & 1) __builtin_memcpy(dst + d, src + s, len);
    else __builtin_memset(dst + d, (int)(seed & 0xff), len);
    sum = sum * 33 + dst[d + (len >> 1)] + dst[d];
  }
  return sum;
}
