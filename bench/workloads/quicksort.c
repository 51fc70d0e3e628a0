/* quicksort: recursive quicksort of pseudo-random i32 keys (compares, swaps, data-dependent branches). */
#include "bench.h"
#define COUNT 400000
static i32 keys[COUNT];
static void sort(i32* a, i32 lo, i32 hi) {
  while (hi - lo > 12) {
    i32 mid = lo + ((hi - lo) >> 1);
    i32 x = a[lo], y = a[mid], z = a[hi];
    i32 pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
    i32 i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) ++i;
      while (a[j] > pivot) --j;
      if (i <= j) { i32 t = a[i]; a[i] = a[j]; a[j] = t; ++i; --j; }
    }
    if (j - lo < hi - i) { sort(a, lo, j); lo = i; }
    else { sort(a, i, hi); hi = j; }
  }
  for (i32 i = lo + 1; i <= hi; ++i) {
    i32 v = a[i], k = i - 1;
    while (k >= lo && a[k] > v) { a[k + 1] = a[k]; --k; }
    a[k + 1] = v;
  }
}
u32 run(void) {
  u32 seed = opaque32(2463534242u), check = 0;
  for (u32 rep = 0; rep < 2; ++rep) {
    for (u32 i = 0; i < COUNT; ++i) { seed ^= seed << 13; seed ^= seed >> 17; seed ^= seed << 5; keys[i] = (i32)seed; }
    sort(keys, 0, COUNT - 1);
    for (u32 i = 0; i < COUNT; i += 997) check = check * 31 + (u32)keys[i];
    for (u32 i = 1; i < COUNT; ++i) if (keys[i - 1] > keys[i]) return 0;  /* not sorted: wrong checksum */
  }
  return check;
}
