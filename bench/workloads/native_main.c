/* bench/workloads/native_main.c -- native harness for a workload: times `run()` (best of N calls, N = argv[1],
   default 3) and prints "checksum seconds". */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
unsigned run(void);
static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}
int main(int argc, char** argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 3;
  if (reps < 1) reps = 1;
  double best = 1e30;
  unsigned sum = 0;
  for (int i = 0; i < reps; ++i) {
    double t0 = now();
    unsigned s = run();
    double t = now() - t0;
    if (i > 0 && s != sum) { fprintf(stderr, "checksum differs between runs: %u vs %u\n", s, sum); return 1; }
    sum = s;
    if (t < best) best = t;
  }
  printf("%u %.6f\n", sum, best);
  return 0;
}
