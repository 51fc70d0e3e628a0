/* examples/c/hello.c -- the smallest embedding: compile a module, give it a host function with an environment,
 * instantiate, call an export. Uses only wasm.h (plus example.h's file loading). */
#include "example.h"

static wasm_trap_t* greet(void* env, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  int* calls = (int*)env;
  ++*calls;
  printf("host: greet(%d)\n", args->data[0].of.i32);
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = args->data[0].of.i32 * 10;
  return NULL;
}

static void finalize(void* env) { printf("finalizer: greet was called %d time(s)\n", *(int*)env); }

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = example_load(store, "hello.wat");

  static int calls = 0;
  wasm_functype_t* type = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t* greet_fn = wasm_func_new_with_env(store, type, greet, &calls, finalize);
  wasm_functype_delete(type);

  wasm_extern_t* imports[] = {wasm_func_as_extern(greet_fn)};
  wasm_extern_vec_t import_vec = WASM_ARRAY_VEC(imports);
  wasm_trap_t* trap = NULL;
  wasm_instance_t* instance = wasm_instance_new(store, module, &import_vec, &trap);
  if (!instance) {
    example_print_trap(trap);
    return 1;
  }
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  wasm_func_t* run = example_func(&exports, 0);

  wasm_val_t args[] = {WASM_I32_VAL(4)};
  wasm_val_t results[1] = {WASM_INIT_VAL};
  wasm_val_vec_t arg_vec = WASM_ARRAY_VEC(args), result_vec = WASM_ARRAY_VEC(results);
  trap = wasm_func_call(run, &arg_vec, &result_vec);
  if (trap) {
    example_print_trap(trap);
    return 1;
  }
  printf("run(4) = %d\n", results[0].of.i32);

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_func_delete(greet_fn);
  wasm_module_delete(module);
  wasm_store_delete(store);  /* the finalizer runs here */
  wasm_engine_delete(engine);
  printf("done\n");
  return 0;
}
