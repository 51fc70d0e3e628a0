/* tests/capi/capi_fuel_test.c -- fuel and interruption through myrt.h: a long loop runs out of fuel ("fuel
 * exhausted"), another thread interrupts a long loop ("interrupted") and a WASI guest sleeping in poll_oneoff (the
 * blocked host call wakes and traps "interrupted"), the interrupt handle outlives its store.
 * The loops are bounded (they end on their own after a few seconds) so a missing check fails instead of hanging. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "myrt.h"
#include "wasm.h"


static const char* kLoop =
    "(module (func (export \"loop\") (param $n i32) (result i32)"
    "  (loop $l (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br_if $l (local.get $n)))"
    "  (local.get $n)))";

/* Sleeps 20 s in one poll_oneoff (a relative monotonic clock subscription). */
static const char* kSleep =
    "(module (import \"wasi_snapshot_preview1\" \"poll_oneoff\" (func $poll (param i32 i32 i32 i32) (result i32)))"
    "  (memory (export \"memory\") 1)"
    "  (func (export \"sleep\") (result i32)"
    "    (i32.store8 (i32.const 8) (i32.const 0)) (i32.store (i32.const 16) (i32.const 1))"
    "    (i64.store (i32.const 24) (i64.const 20000000000))"
    "    (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128))))";

static void* interrupter(void* arg) {
  struct timespec ts = {0, 50 * 1000 * 1000};
  nanosleep(&ts, NULL);
  myrt_interrupt_handle_interrupt((myrt_interrupt_handle_t*)arg);
  return NULL;
}

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_byte_vec_t bin;
  if (myrt_wat2wasm(kLoop, strlen(kLoop), &bin)) return 1;
  wasm_module_t* module = wasm_module_new(store, &bin);
  wasm_byte_vec_delete(&bin);
  wasm_extern_vec_t none = WASM_EMPTY_VEC, ex;
  wasm_instance_t* instance = wasm_instance_new(store, module, &none, NULL);
  wasm_instance_exports(instance, &ex);
  wasm_func_t* loop = wasm_extern_as_func(ex.data[0]);
  wasm_val_t r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t rv = WASM_ARRAY_VEC(r);

  /* Fuel: 10000 units cannot pay for 50 million iterations. */
  int64_t left = 0;
  CHECK(!myrt_store_get_fuel(store, &left));
  myrt_store_set_fuel(store, true, 10000);
  CHECK(myrt_store_get_fuel(store, &left) && left == 10000);
  wasm_val_t big[1] = {WASM_I32_VAL(50 * 1000 * 1000)};
  wasm_val_vec_t bigv = WASM_ARRAY_VEC(big);
  CHECK(trap_is(wasm_func_call(loop, &bigv, &rv), "fuel exhausted"));
  CHECK(myrt_store_get_fuel(store, &left) && left <= 0);
  /* Enough fuel for a short loop; then fuel off. */
  myrt_store_set_fuel(store, true, 1000000);
  wasm_val_t small[1] = {WASM_I32_VAL(1000)};
  wasm_val_vec_t smallv = WASM_ARRAY_VEC(small);
  CHECK(wasm_func_call(loop, &smallv, &rv) == NULL);
  CHECK(myrt_store_get_fuel(store, &left) && left < 1000000 && left > 0);
  myrt_store_set_fuel(store, false, 0);

  /* Interruption from another thread. */
  myrt_interrupt_handle_t* handle = myrt_interrupt_handle_new(store);
  pthread_t thread;
  pthread_create(&thread, NULL, interrupter, handle);
  wasm_val_t huge[1] = {WASM_I32_VAL(300 * 1000 * 1000)};
  wasm_val_vec_t hugev = WASM_ARRAY_VEC(huge);
  CHECK(trap_is(wasm_func_call(loop, &hugev, &rv), "interrupted"));
  pthread_join(thread, NULL);
  /* The request stays until cleared. */
  CHECK(trap_is(wasm_func_call(loop, &smallv, &rv), "interrupted"));
  myrt_interrupt_handle_clear(handle);
  CHECK(wasm_func_call(loop, &smallv, &rv) == NULL);

  /* A guest blocked in a WASI call: the interrupt wakes poll_oneoff long before its 20 s. */
  {
    myrt_wasi_config_t* cfg = myrt_wasi_config_new();
    myrt_wasi_t* wasi = NULL;
    CHECK(myrt_wasi_new(store, cfg, &wasi) == NULL);
    myrt_wasi_config_delete(cfg);
    if (myrt_wat2wasm(kSleep, strlen(kSleep), &bin)) return 1;
    wasm_module_t* sm = wasm_module_new(store, &bin);
    wasm_byte_vec_delete(&bin);
    wasm_extern_vec_t imports, sex;
    CHECK(myrt_wasi_imports(wasi, sm, &imports) == NULL);
    wasm_instance_t* si = wasm_instance_new(store, sm, &imports, NULL);
    myrt_wasi_bind_instance(wasi, si);
    wasm_instance_exports(si, &sex);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_create(&thread, NULL, interrupter, handle);
    wasm_val_vec_t noargs = WASM_EMPTY_VEC;
    CHECK(trap_is(wasm_func_call(wasm_extern_as_func(sex.data[1]), &noargs, &rv), "interrupted"));
    pthread_join(thread, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(t1.tv_sec - t0.tv_sec < 10);
    myrt_interrupt_handle_clear(handle);
    wasm_extern_vec_delete(&sex);
    wasm_extern_vec_delete(&imports);
    wasm_instance_delete(si);
    wasm_module_delete(sm);
    myrt_wasi_delete(wasi);
  }

  wasm_extern_vec_delete(&ex);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  myrt_interrupt_handle_interrupt(handle);  /* harmless after the store is gone */
  myrt_interrupt_handle_delete(handle);
  wasm_engine_delete(engine);
  return check_summary();
}
