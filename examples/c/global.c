/* examples/c/global.c -- globals: a host global imported by the module, exported globals read and written by the host,
 * the type of a global, setting an immutable global is refused. */
#include <inttypes.h>

#include "example.h"

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = example_load(store, "global.wat");

  wasm_globaltype_t* gt = wasm_globaltype_new(wasm_valtype_new_i64(), WASM_VAR);
  wasm_val_t init = WASM_I64_VAL(5);
  wasm_global_t* counter = wasm_global_new(store, gt, &init);
  wasm_globaltype_delete(gt);
  wasm_extern_t* imports[] = {wasm_global_as_extern(counter)};
  wasm_extern_vec_t import_vec = WASM_ARRAY_VEC(imports);
  wasm_instance_t* instance = wasm_instance_new(store, module, &import_vec, NULL);
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  wasm_global_t* pi = wasm_extern_as_global(exports.data[0]);
  wasm_global_t* g = wasm_extern_as_global(exports.data[1]);
  wasm_func_t* bump = example_func(&exports, 2);

  wasm_globaltype_t* pt = wasm_global_type(pi);
  printf("pi: f64 %s, %s\n", wasm_valtype_kind(wasm_globaltype_content(pt)) == WASM_F64 ? "yes" : "no",
         wasm_globaltype_mutability(pt) == WASM_CONST ? "const" : "var");
  wasm_globaltype_delete(pt);
  wasm_val_t v;
  wasm_global_get(pi, &v);
  printf("pi = %.2f\n", v.of.f64);
  wasm_val_t other = WASM_F64_VAL(1.0);
  wasm_global_set(pi, &other);  /* immutable: ignored */
  wasm_global_get(pi, &v);
  printf("pi after set = %.2f\n", v.of.f64);

  wasm_val_vec_t none = WASM_EMPTY_VEC;
  wasm_trap_t* trap = wasm_func_call(bump, &none, &none);
  if (trap) return 1;
  wasm_global_get(g, &v);
  printf("g = %d\n", v.of.i32);
  wasm_val_t ten = WASM_I32_VAL(10);
  wasm_global_set(g, &ten);
  trap = wasm_func_call(bump, &none, &none);
  if (trap) return 1;
  wasm_global_get(g, &v);
  printf("g = %d\n", v.of.i32);
  wasm_global_get(counter, &v);
  printf("counter = %" PRId64 "\n", v.of.i64);
  wasm_val_t wrong = WASM_I32_VAL(1);
  wasm_global_set(counter, &wrong);  /* wrong kind: ignored */
  wasm_global_get(counter, &v);
  printf("counter after a wrong-kind set = %" PRId64 "\n", v.of.i64);

  wasm_global_delete(counter);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
