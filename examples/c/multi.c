/* examples/c/multi.c -- multi-value: a host function with three results, a wasm function with five, and reflection of
 * the module's imports and exports (names, kinds, function types). */
#include <inttypes.h>

#include "example.h"

static wasm_trap_t* split(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  int64_t x = args->data[0].of.i64;
  wasm_val_t r0 = WASM_I32_VAL((int32_t)(x >> 32));
  wasm_val_t r1 = WASM_I32_VAL((int32_t)(x & 0xffffffff));
  wasm_val_t r2 = WASM_F32_VAL(0.5f);
  results->data[0] = r0;
  results->data[1] = r1;
  results->data[2] = r2;
  return NULL;
}

static const char* kind_name(wasm_valkind_t k) {
  switch (k) {
    case WASM_I32: return "i32";
    case WASM_I64: return "i64";
    case WASM_F32: return "f32";
    case WASM_F64: return "f64";
    case WASM_EXTERNREF: return "externref";
    case WASM_FUNCREF: return "funcref";
    default: return "other";
  }
}

static void print_functype(const wasm_functype_t* ft) {
  const wasm_valtype_vec_t* ps = wasm_functype_params(ft);
  const wasm_valtype_vec_t* rs = wasm_functype_results(ft);
  printf("(");
  for (size_t i = 0; i < ps->size; ++i) printf("%s%s", i ? " " : "", kind_name(wasm_valtype_kind(ps->data[i])));
  printf(") -> (");
  for (size_t i = 0; i < rs->size; ++i) printf("%s%s", i ? " " : "", kind_name(wasm_valtype_kind(rs->data[i])));
  printf(")\n");
}

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = example_load(store, "multi.wat");

  wasm_importtype_vec_t its;
  wasm_module_imports(module, &its);
  for (size_t i = 0; i < its.size; ++i) {
    const wasm_name_t* m = wasm_importtype_module(its.data[i]);
    const wasm_name_t* n = wasm_importtype_name(its.data[i]);
    printf("import %.*s.%.*s: ", (int)m->size, m->data, (int)n->size, n->data);
    print_functype(wasm_externtype_as_functype_const(wasm_importtype_type(its.data[i])));
  }
  wasm_importtype_vec_delete(&its);
  wasm_exporttype_vec_t ets;
  wasm_module_exports(module, &ets);
  for (size_t i = 0; i < ets.size; ++i) {
    const wasm_name_t* n = wasm_exporttype_name(ets.data[i]);
    printf("export %.*s: ", (int)n->size, n->data);
    print_functype(wasm_externtype_as_functype_const(wasm_exporttype_type(ets.data[i])));
  }
  wasm_exporttype_vec_delete(&ets);

  wasm_functype_t* ft = wasm_functype_new_1_3(wasm_valtype_new_i64(), wasm_valtype_new_i32(), wasm_valtype_new_i32(),
                                              wasm_valtype_new_f32());
  wasm_func_t* split_fn = wasm_func_new(store, ft, split);
  wasm_functype_delete(ft);
  wasm_extern_t* imports[] = {wasm_func_as_extern(split_fn)};
  wasm_extern_vec_t import_vec = WASM_ARRAY_VEC(imports);
  wasm_instance_t* instance = wasm_instance_new(store, module, &import_vec, NULL);
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  wasm_func_t* swap = example_func(&exports, 0);
  printf("arity: %zu params, %zu results\n", wasm_func_param_arity(swap), wasm_func_result_arity(swap));

  wasm_val_t args[2] = {WASM_I32_VAL(7), WASM_I64_VAL(0x0000000300000004)};
  wasm_val_t results[5];
  wasm_val_vec_t arg_vec = WASM_ARRAY_VEC(args), result_vec = WASM_ARRAY_VEC(results);
  wasm_trap_t* trap = wasm_func_call(swap, &arg_vec, &result_vec);
  if (trap) {
    example_print_trap(trap);
    return 1;
  }
  printf("swap(7, 0x300000004) = 0x%" PRIx64 " %d %d %d %.1f\n", results[0].of.i64, results[1].of.i32,
         results[2].of.i32, results[3].of.i32, (double)results[4].of.f32);

  wasm_func_delete(split_fn);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
