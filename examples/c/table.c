/* examples/c/table.c -- tables and function references: read an element, call it from the host, put a host function
 * into the table and call it from wasm through call_indirect, grow the table, and the traps of a null element and an
 * index out of bounds. */
#include "example.h"

static wasm_trap_t* mul(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = args->data[0].of.i32 * args->data[1].of.i32;
  return NULL;
}

static void call(wasm_func_t* f, int32_t index) {
  wasm_val_t args[3] = {WASM_I32_VAL(index), WASM_I32_VAL(7), WASM_I32_VAL(3)};
  wasm_val_t results[1] = {WASM_INIT_VAL};
  wasm_val_vec_t arg_vec = WASM_ARRAY_VEC(args), result_vec = WASM_ARRAY_VEC(results);
  wasm_trap_t* trap = wasm_func_call(f, &arg_vec, &result_vec);
  if (trap) {
    printf("call(%d, 7, 3): ", index);
    example_print_trap(trap);
  } else {
    printf("call(%d, 7, 3) = %d\n", index, results[0].of.i32);
  }
}

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = example_load(store, "table.wat");
  wasm_extern_vec_t imports = WASM_EMPTY_VEC;
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, NULL);
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  wasm_table_t* table = wasm_extern_as_table(exports.data[0]);
  wasm_func_t* call_fn = example_func(&exports, 1);

  wasm_tabletype_t* tt = wasm_table_type(table);
  printf("table: %u elements, limits %u..%u, funcref: %s\n", wasm_table_size(table), wasm_tabletype_limits(tt)->min,
         wasm_tabletype_limits(tt)->max, wasm_valtype_kind(wasm_tabletype_element(tt)) == WASM_FUNCREF ? "yes" : "no");
  wasm_tabletype_delete(tt);
  call(call_fn, 0);
  call(call_fn, 1);

  /* Element 1 read by the host and called directly. */
  wasm_ref_t* ref = wasm_table_get(table, 1);
  wasm_func_t* sub = wasm_ref_as_func(ref);
  wasm_val_t args[2] = {WASM_I32_VAL(100), WASM_I32_VAL(1)};
  wasm_val_t results[1] = {WASM_INIT_VAL};
  wasm_val_vec_t arg_vec = WASM_ARRAY_VEC(args), result_vec = WASM_ARRAY_VEC(results);
  wasm_trap_t* trap = wasm_func_call(sub, &arg_vec, &result_vec);
  printf("table[1](100, 1) = %d (trap: %s)\n", results[0].of.i32, trap ? "yes" : "no");
  wasm_ref_delete(ref);

  /* A host function in the table, called from wasm. */
  wasm_functype_t* ft = wasm_functype_new_2_1(wasm_valtype_new_i32(), wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t* mul_fn = wasm_func_new(store, ft, mul);
  wasm_functype_delete(ft);
  bool grown = wasm_table_grow(table, 2, NULL);
  printf("grow by 2: %s, size %u\n", grown ? "ok" : "failed", wasm_table_size(table));
  printf("set table[2]: %s\n", wasm_table_set(table, 2, wasm_func_as_ref(mul_fn)) ? "ok" : "failed");
  printf("set table[99]: %s\n", wasm_table_set(table, 99, wasm_func_as_ref(mul_fn)) ? "ok" : "failed");
  printf("table[3] is null: %s\n", wasm_table_get(table, 3) == NULL ? "yes" : "no");
  call(call_fn, 2);
  call(call_fn, 3);
  call(call_fn, 4);
  printf("grow past the maximum: %s\n", wasm_table_grow(table, 7, NULL) ? "ok" : "failed");

  wasm_func_delete(mul_fn);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
