/* examples/c/reactor.c -- a WASI reactor with a host import through myrt.h's linker: WASI stdin from bytes and stdout
 * captured in memory, a host function that reads the guest's memory through its caller, `_initialize` then calls into
 * the exports, a trap code, and a per-store memory limit. */
#include "example.h"

/* host.log(ptr, len): prints the guest's text, read from the calling instance's exported memory. */
static wasm_trap_t* host_log(void* env, myrt_caller_t* caller, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  (void)env;
  (void)results;
  wasm_extern_t* mem = NULL;
  if (!myrt_caller_export_get(caller, "memory", &mem) || !wasm_extern_as_memory(mem)) {
    if (mem) wasm_extern_delete(mem);
    wasm_message_t msg;
    wasm_name_new_from_string_nt(&msg, "host.log: the caller exports no memory");
    wasm_trap_t* trap = wasm_trap_new(NULL, &msg);
    wasm_byte_vec_delete(&msg);
    return trap;
  }
  const wasm_memory_t* memory = wasm_extern_as_memory(mem);
  const uint32_t ptr = (uint32_t)args->data[0].of.i32, len = (uint32_t)args->data[1].of.i32;
  if ((size_t)ptr + len <= wasm_memory_data_size(memory))
    printf("host.log: %.*s\n", (int)len, wasm_memory_data((wasm_memory_t*)memory) + ptr);
  wasm_extern_delete(mem);
  return NULL;
}

static int32_t call_i32(const wasm_func_t* f, const wasm_val_t* arg, wasm_trap_t** trap) {
  wasm_val_t res[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = {arg ? 1 : 0, (wasm_val_t*)arg}, results = {wasm_func_result_arity(f), res};
  *trap = wasm_func_call(f, &args, &results);
  return *trap || results.size == 0 ? 0 : res[0].of.i32;
}

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = example_load(store, "reactor.wat");

  /* WASI: stdin from bytes, stdout into memory */
  myrt_wasi_config_t* config = myrt_wasi_config_new();
  wasm_byte_vec_t input;
  wasm_name_new_from_string(&input, "hello reactor");
  myrt_error_t* err = myrt_wasi_config_set_stdin_bytes(config, &input);
  if (!err) err = myrt_wasi_config_capture_stdout(config);
  wasm_byte_vec_delete(&input);
  myrt_wasi_t* wasi = NULL;
  if (!err) err = myrt_wasi_new(store, config, &wasi);
  myrt_wasi_config_delete(config);

  /* the linker: WASI and host.log */
  myrt_linker_t* linker = myrt_linker_new(store);
  if (!err) err = myrt_linker_define_wasi(linker, wasi);
  wasm_functype_t* log_type = wasm_functype_new_2_0(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  if (!err) err = myrt_linker_define_func(linker, "host", "log", log_type, host_log, NULL, NULL);
  wasm_functype_delete(log_type);
  wasm_instance_t* instance = NULL;
  wasm_trap_t* trap = NULL;
  if (!err) err = myrt_linker_instantiate(linker, module, &instance, &trap);
  if (err) {
    example_print_error("linking", err);
    myrt_error_delete(err);
    return 1;
  }
  myrt_linker_define_instance(linker, "reactor", instance);
  myrt_wasi_bind_instance(wasi, instance);

  /* _initialize, then the exports */
  wasm_extern_t* ext = NULL;
  myrt_linker_get(linker, "reactor", "_initialize", &ext);
  call_i32(wasm_extern_as_func(ext), NULL, &trap);
  wasm_extern_delete(ext);
  myrt_linker_get(linker, "reactor", "process", &ext);
  int32_t n = call_i32(wasm_extern_as_func(ext), NULL, &trap);
  wasm_extern_delete(ext);
  printf("process read %d bytes\n", n);

  wasm_byte_vec_t out;
  myrt_wasi_stdout(wasi, &out);
  printf("captured stdout: %.*s", (int)out.size, out.data);
  wasm_byte_vec_delete(&out);

  /* a trap code */
  myrt_linker_get(linker, "reactor", "crash", &ext);
  call_i32(wasm_extern_as_func(ext), NULL, &trap);
  wasm_extern_delete(ext);
  myrt_trap_code_t code = 0;
  if (trap && myrt_trap_code(trap, &code))
    printf("crash: trap code %d (%s)\n", code, code == MYRT_TRAP_UNREACHABLE ? "MYRT_TRAP_UNREACHABLE" : "?");
  if (trap) wasm_trap_delete(trap);

  /* a per-store memory limit: 2 pages in all, so growing the 1-page memory by 2 fails, by 1 works */
  myrt_store_set_limits(store, 2 * 65536, 0, 0);
  myrt_linker_get(linker, "reactor", "grow", &ext);
  wasm_val_t two = WASM_I32_VAL(2), one = WASM_I32_VAL(1);
  int32_t r2 = call_i32(wasm_extern_as_func(ext), &two, &trap);
  int32_t r1 = call_i32(wasm_extern_as_func(ext), &one, &trap);
  wasm_extern_delete(ext);
  printf("grow by 2 under a 2-page limit: %d, grow by 1: %d\n", r2, r1);

  wasm_instance_delete(instance);
  myrt_linker_delete(linker);
  myrt_wasi_delete(wasi);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
