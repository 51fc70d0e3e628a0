/* nbody: f64 arithmetic with sqrt over a small array of structs (float-heavy loop). */
#include "bench.h"
#define NB 5
typedef struct { double x, y, z, vx, vy, vz, m; } Body;
static Body bodies[NB];
static void init(void) {
  for (int i = 0; i < NB; ++i) {
    Body* b = &bodies[i];
    b->x = i * 1.5 - 3.0; b->y = (i % 3) * 0.7 - 0.5; b->z = (i % 2) * 0.3;
    b->vx = (i % 2) * 0.01; b->vy = 0.02 - i * 0.005; b->vz = 0.001 * i;
    b->m = 1.0 + i * 0.25;
  }
}
static void advance(double dt) {
  for (int i = 0; i < NB; ++i)
    for (int j = i + 1; j < NB; ++j) {
      Body* p = &bodies[i]; Body* q = &bodies[j];
      double dx = p->x - q->x, dy = p->y - q->y, dz = p->z - q->z;
      double d2 = dx * dx + dy * dy + dz * dz + 0.01;
      double mag = dt / (d2 * __builtin_sqrt(d2));
      p->vx -= dx * q->m * mag; p->vy -= dy * q->m * mag; p->vz -= dz * q->m * mag;
      q->vx += dx * p->m * mag; q->vy += dy * p->m * mag; q->vz += dz * p->m * mag;
    }
  for (int i = 0; i < NB; ++i) {
    Body* b = &bodies[i];
    b->x += dt * b->vx; b->y += dt * b->vy; b->z += dt * b->vz;
  }
}
static double energy(void) {
  double e = 0;
  for (int i = 0; i < NB; ++i) {
    Body* p = &bodies[i];
    e += 0.5 * p->m * (p->vx * p->vx + p->vy * p->vy + p->vz * p->vz);
    for (int j = i + 1; j < NB; ++j) {
      Body* q = &bodies[j];
      double dx = p->x - q->x, dy = p->y - q->y, dz = p->z - q->z;
      e -= p->m * q->m / __builtin_sqrt(dx * dx + dy * dy + dz * dz + 0.01);
    }
  }
  return e;
}
u32 run(void) {
  init();
  u32 steps = opaque32(800000);
  for (u32 s = 0; s < steps; ++s) advance(0.001);
  return (u32)(long long)(energy() * 1e6);
}
