/* bench/workloads/bench.h -- shared by the macro workloads: freestanding (no libc), one exported entry point
   `unsigned run(void)` that returns a checksum. Built for wasm32 with clang -nostdlib and natively with a harness. */
#ifndef MYRT_BENCH_WORKLOAD_H
#define MYRT_BENCH_WORKLOAD_H
typedef unsigned int u32;
typedef unsigned long long u64;
typedef int i32;
#define EXPORT __attribute__((visibility("default")))
/* Keeps the compiler from folding a whole workload into a constant. */
static inline u32 opaque32(u32 x) {
  __asm__ volatile("" : "+r"(x));
  return x;
}
EXPORT u32 run(void);
#endif
