/* tests/capi/capi_fuel_test.c -- fuel and interruption through myrt.h: a long loop runs out of fuel ("fuel
 * exhausted"), another thread interrupts a long loop ("interrupted"), the interrupt handle outlives its store.
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

  wasm_extern_vec_delete(&ex);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  myrt_interrupt_handle_interrupt(handle);  /* harmless after the store is gone */
  myrt_interrupt_handle_delete(handle);
  wasm_engine_delete(engine);
  return check_summary();
}
