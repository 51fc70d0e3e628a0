/* examples/c/trap.c -- traps: a wasm trap with its backtrace (origin and trace frames), a host function returning a
 * trap (wasm unwinds and the caller gets the host's message), and a trap's host info with a finalizer. */
#include "example.h"

static wasm_store_t* the_store;

static wasm_trap_t* fail(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  wasm_message_t msg;
  wasm_name_new_from_string_nt(&msg, "the host says no");
  wasm_trap_t* trap = wasm_trap_new(the_store, &msg);
  wasm_byte_vec_delete(&msg);
  return trap;
}

static void finalize(void* info) { printf("trap finalizer: %s\n", (const char*)info); }

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = the_store = wasm_store_new(engine);
  wasm_module_t* module = example_load(store, "trap.wat");
  wasm_functype_t* ft = wasm_functype_new_0_0();
  wasm_func_t* fail_fn = wasm_func_new(store, ft, fail);
  wasm_functype_delete(ft);
  wasm_extern_t* imports[] = {wasm_func_as_extern(fail_fn)};
  wasm_extern_vec_t import_vec = WASM_ARRAY_VEC(imports);
  wasm_instance_t* instance = wasm_instance_new(store, module, &import_vec, NULL);
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  wasm_func_t* divide = example_func(&exports, 0);
  wasm_func_t* call_host = example_func(&exports, 1);

  wasm_val_t args[1] = {WASM_I32_VAL(0)};
  wasm_val_t results[1] = {WASM_INIT_VAL};
  wasm_val_vec_t arg_vec = WASM_ARRAY_VEC(args), result_vec = WASM_ARRAY_VEC(results);
  wasm_trap_t* trap = wasm_func_call(divide, &arg_vec, &result_vec);
  if (!trap) return 1;
  wasm_frame_t* origin = wasm_trap_origin(trap);
  printf("origin: func %u, instance is ours: %s\n", wasm_frame_func_index(origin),
         wasm_instance_same(wasm_frame_instance(origin), instance) ? "yes" : "no");
  wasm_frame_delete(origin);
  wasm_trap_set_host_info_with_finalizer(trap, "divide trap", finalize);
  wasm_trap_t* copy = wasm_trap_copy(trap);
  printf("copy is the same trap: %s, host info: %s\n", wasm_trap_same(trap, copy) ? "yes" : "no",
         (const char*)wasm_trap_get_host_info(copy));
  wasm_trap_delete(copy);
  wasm_message_t text;
  myrt_trap_describe(trap, &text);
  printf("%s\n", text.data);
  wasm_byte_vec_delete(&text);
  example_print_trap(trap);  /* deletes the last handle: the finalizer runs */

  wasm_val_vec_t none = WASM_EMPTY_VEC;
  trap = wasm_func_call(call_host, &none, &none);
  if (!trap) return 1;
  example_print_trap(trap);

  /* Calling with the wrong number of arguments is a trap too, not a crash. */
  trap = wasm_func_call(divide, &none, &result_vec);
  example_print_trap(trap);

  wasm_func_delete(fail_fn);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
