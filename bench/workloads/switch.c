#include "bench.h"
/* switch: a 16-way switch on a value from a linear congruential generator (unpredictable case order), the
   counterpart of bytecode (a switch whose case sequence repeats): br_table code that suits one may not suit the other. */
u32 run(void) {
  u32 x = opaque32(12345), acc = 0;
  for (u32 i = 0; i < opaque32(8000000); ++i) {
    x = x * 1103515245u + 12345u;
    switch ((x >> 16) & 15) {
      case 0: acc += 3; break;
      case 1: acc ^= x; break;
      case 2: acc -= 7; break;
      case 3: acc = acc * 3; break;
      case 4: acc += x >> 3; break;
      case 5: acc ^= 0x55; break;
      case 6: acc += i; break;
      case 7: acc = (acc << 1) | (acc >> 31); break;
      case 8: acc -= x; break;
      case 9: acc += 11; break;
      case 10: acc ^= i; break;
      case 11: acc = acc * 5 + 1; break;
      case 12: acc -= i; break;
      case 13: acc += 0x1234; break;
      case 14: acc ^= x >> 5; break;
      default: acc += 1; break;
    }
  }
  return acc;
}
