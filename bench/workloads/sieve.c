/* sieve: Eratosthenes over a byte array (byte loads/stores, tight counted loops). */
#include "bench.h"
#define LIMIT 4000000
static unsigned char composite[LIMIT + 1];
u32 run(void) {
  u32 limit = opaque32(LIMIT);
  u32 total = 0;
  for (u32 rep = 0; rep < 5; ++rep) {
    for (u32 i = 0; i <= limit; ++i) composite[i] = 0;
    u32 count = 0;
    for (u32 i = 2; i <= limit; ++i) {
      if (composite[i]) continue;
      ++count;
      for (u32 j = i + i; j <= limit; j += i) composite[j] = 1;
    }
    total = total * 31 + count;
  }
  return total;
}
