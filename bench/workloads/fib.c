/* fib: recursive calls (call/return overhead, small frames). */
#include "bench.h"
static u32 fib(u32 n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
u32 run(void) { return fib(opaque32(37)); }
