/* tests/capi/capi_threads_test.c -- shared memories through the C API (issue 17 part 4), on the tier given as argv[1]:
 * a shared memory type (myrt_memorytype_new_shared / myrt_memorytype_is_shared, also on a module's import type and
 * on wasm_memory_type), wasm_memory_new of it in one store, and instances of three other stores importing it, each
 * store run by its own pthread: 3 x 100,000 atomic increments of one counter give exactly 300,000 (read back through
 * wasm_memory_data); a waiter in one thread's instance woken by memory.atomic.notify from another's; memory.grow from
 * the threads (the base never moves, every page is counted once); the refusals: a shared type without a maximum, an
 * unshared memory of another store as an import. The memory's store is deleted before the importers: they keep it. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "myrt.h"
#include "wasm.h"

enum { kThreads = 3, kIters = 100000, kGrows = 20 };

static const char* kModule =
    "(module\n"
    "  (import \"env\" \"mem\" (memory 1 100 shared))\n"
    "  (func (export \"count\") (param i32) (local i32)\n"
    "    (loop $l\n"
    "      (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))\n"
    "      (local.set 1 (i32.add (local.get 1) (i32.const 1)))\n"
    "      (br_if $l (i32.lt_u (local.get 1) (local.get 0)))))\n"
    "  (func (export \"grow\") (param i32) (result i32) (local i32)\n"  /* n grows of 1 page; -1 if one failed */
    "    (loop $l\n"
    "      (if (i32.lt_s (memory.grow (i32.const 1)) (i32.const 0)) (then (return (i32.const -1))))\n"
    "      (local.set 1 (i32.add (local.get 1) (i32.const 1)))\n"
    "      (br_if $l (i32.lt_u (local.get 1) (local.get 0))))\n"
    "    (i32.const 0))\n"
    "  (func (export \"wait\") (result i32) (memory.atomic.wait32 (i32.const 64) (i32.const 0) (i64.const -1)))\n"
    "  (func (export \"notify\") (result i32)\n"
    "    (i32.atomic.store (i32.const 64) (i32.const 1))\n"
    "    (memory.atomic.notify (i32.const 64) (i32.const 1))))\n";

static wasm_engine_t* g_engine;
static wasm_byte_vec_t g_binary;
static wasm_memory_t* g_memory;

typedef struct {
  wasm_store_t* store;
  wasm_instance_t* instance;
  wasm_extern_vec_t exports;
} Importer;

static wasm_func_t* export_func(Importer* im, size_t index) {
  return wasm_extern_as_func(im->exports.data[index]);
}

static int call_i32(wasm_func_t* f, const int32_t* arg, int32_t* out) {
  wasm_val_t a[1] = {WASM_I32_VAL(arg ? *arg : 0)};
  wasm_val_t r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t av = {arg ? 1u : 0u, a}, rv = {out ? 1u : 0u, r};
  wasm_trap_t* trap = wasm_func_call(f, &av, &rv);
  if (trap) {
    trap_is(trap, "");  /* prints it */
    return 0;
  }
  if (out) *out = r[0].of.i32;
  return 1;
}

/* A store of its own with an instance of kModule importing g_memory. */
static int make_importer(Importer* im) {
  im->store = wasm_store_new(g_engine);
  wasm_module_t* module = wasm_module_new(im->store, &g_binary);
  if (!module) return 0;
  wasm_extern_t* imports[1] = {wasm_memory_as_extern(g_memory)};
  wasm_extern_vec_t iv = WASM_ARRAY_VEC(imports);
  wasm_trap_t* trap = NULL;
  im->instance = wasm_instance_new(im->store, module, &iv, &trap);
  wasm_module_delete(module);
  if (!im->instance) {
    trap_is(trap, "");
    return 0;
  }
  wasm_instance_exports(im->instance, &im->exports);
  return im->exports.size == 4;
}

static void free_importer(Importer* im) {
  wasm_extern_vec_delete(&im->exports);
  wasm_instance_delete(im->instance);
  wasm_store_delete(im->store);
}

static void* count_thread(void* p) {
  int32_t n = kIters;
  return (void*)(intptr_t)call_i32(export_func((Importer*)p, 0), &n, NULL);
}
static void* grow_thread(void* p) {
  int32_t n = kGrows, r = -2;
  int ok = call_i32(export_func((Importer*)p, 1), &n, &r);
  return (void*)(intptr_t)(ok && r == 0);
}
static int32_t g_woke = -1;
static void* wait_thread(void* p) {
  return (void*)(intptr_t)call_i32(export_func((Importer*)p, 2), NULL, &g_woke);
}

int main(int argc, char** argv) {
  const char* tier = argc > 1 ? argv[1] : "interp";
  wasm_config_t* config = wasm_config_new();
  myrt_error_t* err = myrt_config_set_tier(config, tier);
  if (err) {
    fprintf(stderr, "tier %s unavailable\n", tier);
    return 1;
  }
  g_engine = wasm_engine_new_with_config(config);
  err = myrt_wat2wasm(kModule, strlen(kModule), &g_binary);
  CHECK(err == NULL);

  /* Types: a shared memory needs a maximum; the import's type says shared. */
  wasm_limits_t unbounded = {1, wasm_limits_max_default}, limits = {1, 100};
  CHECK(myrt_memorytype_new_shared(&unbounded) == NULL);
  wasm_memorytype_t* plain = wasm_memorytype_new(&limits);
  CHECK(!myrt_memorytype_is_shared(plain));
  wasm_memorytype_t* type = myrt_memorytype_new_shared(&limits);
  CHECK(myrt_memorytype_is_shared(type));
  wasm_memorytype_t* copy = wasm_memorytype_copy(type);
  CHECK(myrt_memorytype_is_shared(copy));
  wasm_memorytype_delete(copy);

  wasm_store_t* owner = wasm_store_new(g_engine);
  wasm_module_t* module = wasm_module_new(owner, &g_binary);
  CHECK(module != NULL);
  wasm_importtype_vec_t imports;
  wasm_module_imports(module, &imports);
  CHECK(imports.size == 1);
  const wasm_memorytype_t* itype = wasm_externtype_as_memorytype_const(wasm_importtype_type(imports.data[0]));
  CHECK(itype && myrt_memorytype_is_shared(itype));
  wasm_importtype_vec_delete(&imports);
  wasm_module_delete(module);

  g_memory = wasm_memory_new(owner, type);
  CHECK(g_memory != NULL);
  wasm_memorytype_t* mtype = wasm_memory_type(g_memory);
  CHECK(myrt_memorytype_is_shared(mtype));
  wasm_memorytype_delete(mtype);
  byte_t* base = wasm_memory_data(g_memory);

  /* An unshared memory of another store is refused as an import. */
  wasm_memory_t* unshared = wasm_memory_new(owner, plain);
  {
    wasm_store_t* other = wasm_store_new(g_engine);
    const char* wat = "(module (import \"env\" \"mem\" (memory 1 100)))";
    wasm_byte_vec_t bin;
    CHECK(myrt_wat2wasm(wat, strlen(wat), &bin) == NULL);
    wasm_module_t* m = wasm_module_new(other, &bin);
    wasm_extern_t* ex[1] = {wasm_memory_as_extern(unshared)};
    wasm_extern_vec_t ev = WASM_ARRAY_VEC(ex);
    wasm_trap_t* trap = NULL;
    CHECK(wasm_instance_new(other, m, &ev, &trap) == NULL);
    CHECK(trap_starts(trap, "wasm_instance_new: import 0 belongs to another store"));
    wasm_module_delete(m);
    wasm_byte_vec_delete(&bin);
    wasm_store_delete(other);
  }
  wasm_memory_delete(unshared);
  wasm_memorytype_delete(plain);
  wasm_memorytype_delete(type);

  Importer im[kThreads];
  for (int i = 0; i < kThreads; ++i) CHECK(make_importer(&im[i]));
  /* The owner store goes first: its memory lives on in the importers. */
  wasm_store_delete(owner);

  /* Atomic increments from three threads, one store each. */
  pthread_t t[kThreads];
  for (int i = 0; i < kThreads; ++i) pthread_create(&t[i], NULL, count_thread, &im[i]);
  for (int i = 0; i < kThreads; ++i) {
    void* ok;
    pthread_join(t[i], &ok);
    CHECK(ok != NULL);
  }
  uint32_t counter;
  memcpy(&counter, wasm_memory_data(g_memory), 4);
  CHECK(counter == kThreads * kIters);

  /* A waiter in store 0, woken by a notify from store 1. */
  pthread_t w;
  pthread_create(&w, NULL, wait_thread, &im[0]);
  struct timespec pause = {0, 200 * 1000000};  /* 200 ms: time for the waiter to park */
  nanosleep(&pause, NULL);
  int32_t woken = -1;
  CHECK(call_i32(export_func(&im[1], 3), NULL, &woken));
  void* wok;
  pthread_join(w, &wok);
  CHECK(wok != NULL);
  /* 0: woken by the notify ("ok"); 1 would mean the notify came first and wait saw the stored 1 ("not-equal"). */
  CHECK(g_woke == 0 || (g_woke == 1 && woken == 0));
  CHECK(woken == 1 || (g_woke == 1 && woken == 0));

  /* memory.grow from every thread at once: 1 + 3 x 20 pages, the base unchanged. */
  for (int i = 0; i < kThreads; ++i) pthread_create(&t[i], NULL, grow_thread, &im[i]);
  for (int i = 0; i < kThreads; ++i) {
    void* ok;
    pthread_join(t[i], &ok);
    CHECK(ok != NULL);
  }
  CHECK(wasm_memory_size(g_memory) == 1 + kThreads * kGrows);
  CHECK(wasm_memory_data_size(g_memory) == (size_t)(1 + kThreads * kGrows) * 65536);
  CHECK(wasm_memory_data(g_memory) == base);

  wasm_memory_delete(g_memory);
  for (int i = 0; i < kThreads; ++i) free_importer(&im[i]);
  wasm_byte_vec_delete(&g_binary);
  wasm_engine_delete(g_engine);
  return check_summary();
}
