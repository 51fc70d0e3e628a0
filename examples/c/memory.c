/* examples/c/memory.c -- memory access from both sides: the host reads and writes the bytes of an exported memory,
 * wasm code sees the host's writes, growing from the host and from wasm, an out-of-bounds access traps. */
#include "example.h"

static int32_t call_i32(wasm_func_t* f, int32_t a, int32_t b, size_t nargs, wasm_trap_t** trap) {
  wasm_val_t args[2] = {WASM_I32_VAL(a), WASM_I32_VAL(b)};
  wasm_val_t results[1] = {WASM_I32_VAL(0)};
  wasm_val_vec_t arg_vec = {nargs, args};
  wasm_val_vec_t result_vec = {wasm_func_result_arity(f), results};
  *trap = wasm_func_call(f, &arg_vec, &result_vec);
  return results[0].of.i32;
}

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = example_load(store, "memory.wat");
  wasm_extern_vec_t imports = WASM_EMPTY_VEC;
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, NULL);
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  wasm_memory_t* mem = wasm_extern_as_memory(exports.data[0]);
  wasm_func_t* load = example_func(&exports, 1);
  wasm_func_t* store_fn = example_func(&exports, 2);
  wasm_func_t* size = example_func(&exports, 3);
  wasm_func_t* grow = example_func(&exports, 4);
  wasm_trap_t* trap = NULL;

  printf("pages %u, bytes %zu\n", wasm_memory_size(mem), wasm_memory_data_size(mem));
  printf("data segment byte: %d\n", wasm_memory_data(mem)[16]);
  printf("load(16) = %d\n", call_i32(load, 16, 0, 1, &trap));
  wasm_memory_data(mem)[100] = 7;  /* the host writes, wasm reads */
  printf("load(100) = %d\n", call_i32(load, 100, 0, 1, &trap));
  call_i32(store_fn, 200, 0x01020304, 2, &trap);  /* wasm writes, the host reads */
  printf("host reads byte 200: %d\n", wasm_memory_data(mem)[200]);

  printf("host grow by 1: %s\n", wasm_memory_grow(mem, 1) ? "ok" : "failed");
  printf("wasm grow by 1: old size %d\n", call_i32(grow, 1, 0, 1, &trap));
  printf("size() = %d\n", call_i32(size, 0, 0, 0, &trap));
  printf("host grow past the maximum: %s\n", wasm_memory_grow(mem, 1) ? "ok" : "failed");
  printf("wasm grow past the maximum: %d\n", call_i32(grow, 1, 0, 1, &trap));

  call_i32(load, 3 * 65536 - 2, 0, 1, &trap);
  if (trap) example_print_trap(trap);

  /* A memory made by the host. */
  wasm_limits_t limits = {2, 5};
  wasm_memorytype_t* mt = wasm_memorytype_new(&limits);
  wasm_memory_t* host_mem = wasm_memory_new(store, mt);
  const wasm_limits_t* l = wasm_memorytype_limits(mt);
  printf("host memory: %u pages (limits %u..%u)\n", wasm_memory_size(host_mem), l->min, l->max);
  wasm_memorytype_delete(mt);
  wasm_memory_delete(host_mem);

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
