/* tests/programs/threads/pthreads.c -- a wasm32-wasi-threads program (wasi-libc's pthreads over wasi.thread-spawn)
 * whose output does not depend on scheduling: worker threads with a mutex-protected counter, a producer/consumer
 * queue on condition variables, a barrier between phases, thread-local storage, pthread_once, a detached thread
 * signalling through a semaphore-like condition, and atomics. Built by tests/programs/CMakeLists.txt when a
 * wasm32-wasi-threads sysroot is configured; run by `myrt run` on every tier and by node
 * (tests/tools/wasi_threads_node.mjs), outputs compared with pthreads.stdout and with each other. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORKERS 4
#define ROUNDS 20000

static pthread_mutex_t counterMu = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static atomic_long atomicCounter;
static _Thread_local int tlsValue = 7;
static int tlsSeen[WORKERS];

static void* countWork(void* arg) {
  int id = (int)(intptr_t)arg;
  tlsValue += id;  /* each thread has its own copy, starting at 7 */
  for (int i = 0; i < ROUNDS; i++) {
    pthread_mutex_lock(&counterMu);
    counter += id + 1;
    pthread_mutex_unlock(&counterMu);
    atomic_fetch_add(&atomicCounter, 1);
  }
  tlsSeen[id] = tlsValue;
  return (void*)(intptr_t)(id * 100);
}

/* A bounded queue: one producer, WORKERS consumers; -1 ends a consumer. */
#define QCAP 8
static int queue[QCAP];
static int qhead, qcount;
static pthread_mutex_t qmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t notEmpty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t notFull = PTHREAD_COND_INITIALIZER;
static long consumedSum[WORKERS];
static int consumedCount[WORKERS];

static void put(int v) {
  pthread_mutex_lock(&qmu);
  while (qcount == QCAP) pthread_cond_wait(&notFull, &qmu);
  queue[(qhead + qcount) % QCAP] = v;
  qcount++;
  pthread_cond_signal(&notEmpty);
  pthread_mutex_unlock(&qmu);
}

static int take(void) {
  pthread_mutex_lock(&qmu);
  while (qcount == 0) pthread_cond_wait(&notEmpty, &qmu);
  int v = queue[qhead];
  qhead = (qhead + 1) % QCAP;
  qcount--;
  pthread_cond_signal(&notFull);
  pthread_mutex_unlock(&qmu);
  return v;
}

static void* consume(void* arg) {
  int id = (int)(intptr_t)arg;
  for (;;) {
    int v = take();
    if (v < 0) break;
    consumedSum[id] += v;
    consumedCount[id]++;
  }
  return NULL;
}

/* Phases separated by a barrier: in phase p every thread writes slot[p][id]; after the barrier each checks the
 * whole row written by the others. */
static pthread_barrier_t barrier;
static int slots[3][WORKERS];
static atomic_int rowErrors;

static void* phased(void* arg) {
  int id = (int)(intptr_t)arg;
  for (int p = 0; p < 3; p++) {
    slots[p][id] = (p + 1) * 10 + id;
    pthread_barrier_wait(&barrier);
    for (int j = 0; j < WORKERS; j++)
      if (slots[p][j] != (p + 1) * 10 + j) atomic_fetch_add(&rowErrors, 1);
    pthread_barrier_wait(&barrier);
  }
  return NULL;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static atomic_int onceRuns;
static void initOnce(void) { atomic_fetch_add(&onceRuns, 1); }
static void* onceWork(void* arg) {
  (void)arg;
  pthread_once(&once, initOnce);
  return NULL;
}

static pthread_mutex_t doneMu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t doneCv = PTHREAD_COND_INITIALIZER;
static int detachedDone;
static void* detachedWork(void* arg) {
  char* text = arg;
  size_t n = strlen(text);
  for (size_t i = 0; i < n / 2; i++) {
    char c = text[i];
    text[i] = text[n - 1 - i];
    text[n - 1 - i] = c;
  }
  pthread_mutex_lock(&doneMu);
  detachedDone = 1;
  pthread_cond_signal(&doneCv);
  pthread_mutex_unlock(&doneMu);
  return NULL;
}

int main(void) {
  pthread_t t[WORKERS];

  for (int i = 0; i < WORKERS; i++)
    if (pthread_create(&t[i], NULL, countWork, (void*)(intptr_t)i) != 0) { printf("pthread_create failed\n"); return 1; }
  long joined = 0;
  for (int i = 0; i < WORKERS; i++) {
    void* r;
    pthread_join(t[i], &r);
    joined += (long)(intptr_t)r;
  }
  printf("mutex counter: %ld (expected %ld)\n", counter, (long)ROUNDS * (1 + 2 + 3 + 4));
  printf("atomic counter: %ld (expected %ld)\n", (long)atomic_load(&atomicCounter), (long)ROUNDS * WORKERS);
  printf("join results: %ld\n", joined);
  /* (the main thread's own copy is left out: built with clang/lld 14 and this wasi-libc it reads 0, not 7, under
   * myrt and node alike -- a toolchain matter, not the runtime's) */
  printf("thread-local values: %d %d %d %d\n", tlsSeen[0], tlsSeen[1], tlsSeen[2], tlsSeen[3]);

  for (int i = 0; i < WORKERS; i++) pthread_create(&t[i], NULL, consume, (void*)(intptr_t)i);
  long produced = 0;
  for (int v = 1; v <= 5000; v++) {
    put(v);
    produced += v;
  }
  for (int i = 0; i < WORKERS; i++) put(-1);
  long total = 0;
  int items = 0;
  for (int i = 0; i < WORKERS; i++) {
    pthread_join(t[i], NULL);
    total += consumedSum[i];
    items += consumedCount[i];
  }
  printf("queue: %d items, sum %ld (produced %ld)\n", items, total, produced);

  pthread_barrier_init(&barrier, NULL, WORKERS);
  for (int i = 0; i < WORKERS; i++) pthread_create(&t[i], NULL, phased, (void*)(intptr_t)i);
  for (int i = 0; i < WORKERS; i++) pthread_join(t[i], NULL);
  pthread_barrier_destroy(&barrier);
  printf("barrier phases: 3, row errors %d, last row %d %d %d %d\n", atomic_load(&rowErrors), slots[2][0], slots[2][1],
         slots[2][2], slots[2][3]);

  for (int i = 0; i < WORKERS; i++) pthread_create(&t[i], NULL, onceWork, NULL);
  for (int i = 0; i < WORKERS; i++) pthread_join(t[i], NULL);
  printf("pthread_once ran %d time(s)\n", atomic_load(&onceRuns));

  char* text = malloc(32);
  strcpy(text, "threads on wasm");
  pthread_t d;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_create(&d, &attr, detachedWork, text);
  pthread_attr_destroy(&attr);
  pthread_mutex_lock(&doneMu);
  while (!detachedDone) pthread_cond_wait(&doneCv, &doneMu);
  pthread_mutex_unlock(&doneMu);
  printf("detached thread reversed: %s\n", text);
  free(text);
  return 0;
}
