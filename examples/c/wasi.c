/* examples/c/wasi.c -- embedding a WASI program (myrt.h): arguments, an environment variable, a writable and a
 * read-only preopened directory, stdout inherited, stderr to a file; link WASI into the instance, run _start and read
 * proc_exit's code. */
#include <unistd.h>

#include "example.h"

int main(void) {
  char dir[] = "/tmp/myrt-wasi-example-XXXXXX";
  char ro_dir[] = "/tmp/myrt-wasi-example-ro-XXXXXX";
  if (!mkdtemp(dir) || !mkdtemp(ro_dir)) return 1;

  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = example_load(store, "wasi.wat");

  myrt_wasi_config_t* config = myrt_wasi_config_new();
  const char* argv[] = {"wasi.wasm", "one", "two"};
  myrt_wasi_config_set_args(config, 3, argv);
  myrt_wasi_config_add_env(config, "GREETING", "hi");
  myrt_wasi_config_preopen_dir(config, dir, "/data", false);
  myrt_wasi_config_preopen_dir(config, ro_dir, "/ro", true);
  myrt_wasi_config_inherit_stdout(config);
  char err_path[300];
  snprintf(err_path, sizeof err_path, "%s/stderr.txt", dir);
  myrt_error_t* err = myrt_wasi_config_set_stderr_file(config, err_path);
  if (err) {
    example_print_error("stderr", err);
    return 1;
  }
  myrt_wasi_t* wasi = NULL;
  err = myrt_wasi_new(store, config, &wasi);
  myrt_wasi_config_delete(config);
  if (err) {
    example_print_error("wasi", err);
    return 1;
  }

  wasm_extern_vec_t imports;
  err = myrt_wasi_imports(wasi, module, &imports);
  if (err) {
    example_print_error("imports", err);
    return 1;
  }
  wasm_trap_t* trap = NULL;
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, &trap);
  wasm_extern_vec_delete(&imports);
  if (!instance) {
    example_print_trap(trap);
    return 1;
  }
  fflush(stdout);
  int code = myrt_wasi_run_start(wasi, instance, &trap);
  if (trap) example_print_trap(trap);
  int exit_code = -1;
  bool exited = myrt_wasi_exit_code(wasi, &exit_code);
  printf("exit code %d (proc_exit called: %s, code %d)\n", code, exited ? "yes" : "no", exit_code);

  char path[300];
  snprintf(path, sizeof path, "%s/out.txt", dir);
  wasm_byte_vec_t written = example_read(path);
  printf("out.txt: %.*s", (int)written.size, written.data);
  wasm_byte_vec_delete(&written);
  snprintf(path, sizeof path, "%s/out.txt", ro_dir);
  printf("read-only dir has out.txt: %s\n", access(path, F_OK) == 0 ? "yes" : "no");
  unlink(err_path);
  snprintf(path, sizeof path, "%s/out.txt", dir);
  unlink(path);
  rmdir(dir);
  rmdir(ro_dir);

  myrt_wasi_delete(wasi);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
