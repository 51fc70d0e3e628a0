/* matmul: dense f64 matrix multiply (loads/stores, f64 mul/add, nested loops). */
#include "bench.h"
#define N 160
static double a[N][N], b[N][N], c[N][N];
u32 run(void) {
  u32 n = opaque32(N);
  for (u32 i = 0; i < n; ++i)
    for (u32 j = 0; j < n; ++j) {
      a[i][j] = (double)((i * 7 + j * 3) % 17) * 0.25;
      b[i][j] = (double)((i * 5 + j * 11) % 13) * 0.5 - 1.0;
    }
  double sum = 0;
  for (u32 rep = 0; rep < 20; ++rep) {
    for (u32 i = 0; i < n; ++i)
      for (u32 j = 0; j < n; ++j) {
        double s = 0;
        for (u32 k = 0; k < n; ++k) s += a[i][k] * b[k][j];
        c[i][j] = s;
      }
    for (u32 i = 0; i < n; ++i) { sum += c[i][(i * 3 + rep) % n]; a[i][rep] = c[rep][i] * 0.001; }
  }
  return (u32)(long long)(sum * 16.0);
}
