/* tests/capi/consumer/consumer.c -- an out-of-tree program using only the standard wasm.h, built against an installed
 * myrt (pkg-config and find_package). The module (in binary, below) imports env.log and exports run(a, b): it logs
 * a + b and returns a * b. Prints "log: 10" and "run: 21"; exits 0 iff everything worked. */
#include <stdio.h>

#include <wasm.h>

/* (module (import "env" "log" (func $log (param i32)))
 *   (func (export "run") (param i32 i32) (result i32)
 *     (call $log (i32.add (local.get 0) (local.get 1))) (i32.mul (local.get 0) (local.get 1)))) */
static const char module_bytes[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0b, 0x02, 0x60, 0x01, 0x7f, 0x00, 0x60, 0x02,
    0x7f, 0x7f, 0x01, 0x7f, 0x02, 0x0b, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x03, 0x6c, 0x6f, 0x67, 0x00, 0x00,
    0x03, 0x02, 0x01, 0x01, 0x07, 0x07, 0x01, 0x03, 0x72, 0x75, 0x6e, 0x00, 0x01, 0x0a, 0x10, 0x01, 0x0e,
    0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x10, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6c, 0x0b};

static wasm_trap_t* log_i32(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  (void)results;
  printf("log: %d\n", args->data[0].of.i32);
  return NULL;
}

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_byte_vec_t binary;
  wasm_byte_vec_new(&binary, sizeof module_bytes, module_bytes);
  wasm_module_t* module = wasm_module_new(store, &binary);
  wasm_byte_vec_delete(&binary);
  if (!module) return 1;
  wasm_functype_t* type = wasm_functype_new_1_0(wasm_valtype_new_i32());
  wasm_func_t* log_fn = wasm_func_new(store, type, log_i32);
  wasm_functype_delete(type);
  wasm_extern_t* imports[] = {wasm_func_as_extern(log_fn)};
  wasm_extern_vec_t import_vec = WASM_ARRAY_VEC(imports);
  wasm_instance_t* instance = wasm_instance_new(store, module, &import_vec, NULL);
  if (!instance) return 1;
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  wasm_func_t* run = exports.size == 1 ? wasm_extern_as_func(exports.data[0]) : NULL;
  if (!run) return 1;
  wasm_val_t args[2] = {WASM_I32_VAL(3), WASM_I32_VAL(7)};
  wasm_val_t results[1] = {WASM_INIT_VAL};
  wasm_val_vec_t arg_vec = WASM_ARRAY_VEC(args), result_vec = WASM_ARRAY_VEC(results);
  wasm_trap_t* trap = wasm_func_call(run, &arg_vec, &result_vec);
  if (trap) return 1;
  printf("run: %d\n", results[0].of.i32);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_func_delete(log_fn);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return results[0].of.i32 == 21 ? 0 : 1;
}
