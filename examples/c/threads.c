/* examples/c/threads.c -- the API's thread model: one engine and one compiled module shared by several threads
 * (wasm_module_share / wasm_module_obtain); each thread has its own store, instance and host function. */
#include <pthread.h>

#include "example.h"

#define NTHREADS 4

static wasm_engine_t* engine;
static wasm_shared_module_t* shared;
static int reported[NTHREADS];

static wasm_trap_t* report(void* env, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  reported[(size_t)env] = args->data[0].of.i32;
  return NULL;
}

static void* thread_main(void* arg) {
  size_t id = (size_t)arg;
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = wasm_module_obtain(store, shared);
  wasm_functype_t* ft = wasm_functype_new_1_0(wasm_valtype_new_i32());
  wasm_func_t* report_fn = wasm_func_new_with_env(store, ft, report, (void*)id, NULL);
  wasm_functype_delete(ft);
  wasm_extern_t* imports[] = {wasm_func_as_extern(report_fn)};
  wasm_extern_vec_t import_vec = WASM_ARRAY_VEC(imports);
  wasm_instance_t* instance = wasm_instance_new(store, module, &import_vec, NULL);
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  wasm_val_t args[1] = {WASM_I32_VAL((int32_t)(15 + id))};
  wasm_val_vec_t arg_vec = WASM_ARRAY_VEC(args), none = WASM_EMPTY_VEC;
  wasm_trap_t* trap = wasm_func_call(example_func(&exports, 0), &arg_vec, &none);
  if (trap) {
    reported[id] = -1;
    wasm_trap_delete(trap);
  }
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_func_delete(report_fn);
  wasm_module_delete(module);
  wasm_store_delete(store);
  return NULL;
}

int main(void) {
  engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = example_load(store, "threads.wat");
  shared = wasm_module_share(module);
  wasm_module_delete(module);
  wasm_store_delete(store);

  pthread_t threads[NTHREADS];
  for (size_t i = 0; i < NTHREADS; ++i) pthread_create(&threads[i], NULL, thread_main, (void*)i);
  for (size_t i = 0; i < NTHREADS; ++i) pthread_join(threads[i], NULL);
  for (size_t i = 0; i < NTHREADS; ++i) printf("thread %zu: fib(%zu) = %d\n", i, 15 + i, reported[i]);

  wasm_shared_module_delete(shared);
  wasm_engine_delete(engine);
  return 0;
}
