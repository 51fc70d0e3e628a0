/* tests/capi/capi_component_wasi_test.c -- WASI 0.2 command components through myrt.h
 * (myrt_component_linker_define_wasi, myrt_component_instance_run) with ../shared/wasi-p2/components/wasi-tool (C
 * through the preview1 adapter): arguments and captured stdout, environment, a preopened directory, stdin bytes,
 * wasi:cli/exit statuses (myrt_wasi_exit_code), another thread's interrupt ending a 60 s sleep in wasi:io/poll, a
 * second WASI on one linker refused, a component without wasi:cli/run.
 * Usage: capi_component_wasi_test WASI-TOOL.wasm FIXTURE-DIR [TIER]. */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "myrt.h"

static wasm_store_t* store;
static myrt_component_t* comp;

struct Run {
  int status;
  wasm_trap_t* trap;
  char out[4096];
  int exitCodeSet;
  int exitCode;
};

/* Runs wasi-tool with args (argv[0] included), optional env NAME=VALUE pairs, a preopen and stdin bytes. */
static struct Run run(int argc, const char* const* argv, const char* env, const char* preopen, const char* stdinText) {
  struct Run r;
  memset(&r, 0, sizeof r);
  myrt_wasi_config_t* cfg = myrt_wasi_config_new();
  myrt_wasi_config_set_args(cfg, (size_t)argc, argv);
  if (env) {
    char name[64];
    const char* eq = strchr(env, '=');
    snprintf(name, sizeof name, "%.*s", (int)(eq - env), env);
    myrt_wasi_config_add_env(cfg, name, eq + 1);
  }
  if (preopen) myrt_wasi_config_preopen_dir(cfg, preopen, "/", false);
  if (stdinText) {
    wasm_byte_vec_t in;
    wasm_byte_vec_new(&in, strlen(stdinText), stdinText);
    CHECK(myrt_wasi_config_set_stdin_bytes(cfg, &in) == NULL);
    wasm_byte_vec_delete(&in);
  }
  CHECK(myrt_wasi_config_capture_stdout(cfg) == NULL);
  myrt_wasi_t* wasi = NULL;
  CHECK(myrt_wasi_new(store, cfg, &wasi) == NULL);
  myrt_wasi_config_delete(cfg);  /* the WASI 0.2 context is made later, from myrt_wasi_t's copy */
  myrt_component_linker_t* linker = myrt_component_linker_new();
  CHECK(myrt_component_linker_define_wasi(linker, wasi) == NULL);
  myrt_component_instance_t* inst = NULL;
  CHECK(myrt_component_instantiate(store, linker, comp, &inst) == NULL);
  myrt_component_linker_delete(linker);  /* the instance keeps the WASI context */
  r.status = inst ? myrt_component_instance_run(inst, &r.trap) : -1;
  wasm_byte_vec_t out;
  myrt_wasi_stdout(wasi, &out);
  if (out.size && out.size < sizeof r.out) memcpy(r.out, out.data, out.size);
  wasm_byte_vec_delete(&out);
  r.exitCodeSet = myrt_wasi_exit_code(wasi, &r.exitCode);
  myrt_wasi_delete(wasi);
  myrt_component_instance_delete(inst);
  return r;
}

static void* interrupter(void* arg) {
  usleep(100 * 1000);
  myrt_interrupt_handle_interrupt((myrt_interrupt_handle_t*)arg);
  return NULL;
}

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  wasm_config_t* config = wasm_config_new();
  if (argc > 3) CHECK(myrt_config_set_tier(config, argv[3]) == NULL);
  wasm_engine_t* engine = wasm_engine_new_with_config(config);
  store = wasm_store_new(engine);
  wasm_byte_vec_t bin = read_file_bytes(argv[1]);
  CHECK(myrt_component_new(&bin, &comp) == NULL);
  wasm_byte_vec_delete(&bin);
  if (!comp) return 1;

  const char* echo[] = {"wasi-tool", "echo", "hello", "from C"};
  struct Run r = run(4, echo, NULL, NULL, NULL);
  CHECK(r.status == 0 && r.trap == NULL);
  CHECK(strcmp(r.out, "hello from C\n") == 0);
  CHECK(!r.exitCodeSet);

  const char* envArgs[] = {"wasi-tool", "env"};
  r = run(2, envArgs, "GREETING=two words", NULL, NULL);
  CHECK(r.status == 0);
  CHECK(strcmp(r.out, "1 variables\nGREETING=two words\n") == 0);

  const char* cat[] = {"wasi-tool", "cat", "/hello.txt"};
  r = run(3, cat, NULL, argv[2], NULL);
  CHECK(r.status == 0);
  CHECK(strcmp(r.out, "hello from a preopened directory\n") == 0);
  r = run(3, cat, NULL, NULL, NULL);  /* no preopen: the guest's open fails, main returns 1 */
  CHECK(r.status == 1);

  const char* catStdin[] = {"wasi-tool", "cat"};
  r = run(2, catStdin, NULL, NULL, "piped\ninput\n");
  CHECK(r.status == 0);
  CHECK(strcmp(r.out, "piped\ninput\n") == 0);

  const char* exit7[] = {"wasi-tool", "exit", "7"};  /* proc_exit(7) -> wasi:cli/exit.exit(err) under the adapter */
  r = run(3, exit7, NULL, NULL, NULL);
  CHECK(r.status == 1 && r.trap == NULL);
  CHECK(r.exitCodeSet && r.exitCode == 1);
  const char* exit0[] = {"wasi-tool", "exit", "0"};
  r = run(3, exit0, NULL, NULL, NULL);
  CHECK(r.status == 0 && r.exitCodeSet && r.exitCode == 0);

  /* another thread's interrupt ends a 60 s sleep in wasi:io/poll at once */
  myrt_interrupt_handle_t* handle = myrt_interrupt_handle_new(store);
  pthread_t thread;
  pthread_create(&thread, NULL, interrupter, handle);
  const char* sleepArgs[] = {"wasi-tool", "sleep", "60000"};
  const time_t start = time(NULL);
  r = run(3, sleepArgs, NULL, NULL, NULL);
  pthread_join(thread, NULL);
  CHECK(r.status == 134);
  CHECK(trap_is(r.trap, "interrupted"));
  CHECK(time(NULL) - start < 20);
  myrt_interrupt_handle_clear(handle);
  myrt_interrupt_handle_delete(handle);

  /* one WASI per linker; a component without wasi:cli/run */
  myrt_wasi_config_t* cfg = myrt_wasi_config_new();
  myrt_wasi_t* wasi = NULL;
  CHECK(myrt_wasi_new(store, cfg, &wasi) == NULL);
  myrt_component_linker_t* linker = myrt_component_linker_new();
  CHECK(myrt_component_linker_define_wasi(linker, wasi) == NULL);
  myrt_error_t* e = myrt_component_linker_define_wasi(linker, wasi);
  CHECK(e != NULL);
  if (e) myrt_error_delete(e);
  static const char kEmpty[] = "\0asm\x0d\0\x01\0";  /* an empty component */
  wasm_byte_vec_t emptyBin;
  wasm_byte_vec_new(&emptyBin, 8, kEmpty);
  myrt_component_t* empty = NULL;
  CHECK(myrt_component_new(&emptyBin, &empty) == NULL);
  wasm_byte_vec_delete(&emptyBin);
  myrt_component_instance_t* inst = NULL;
  CHECK(myrt_component_instantiate(store, linker, empty, &inst) == NULL);
  wasm_trap_t* trap = NULL;
  CHECK(myrt_component_instance_run(inst, &trap) == 134);
  CHECK(trap_is(trap, "the component exports no wasi:cli/run@0.2.x#run"));
  myrt_component_instance_delete(inst);
  myrt_component_delete(empty);
  myrt_component_linker_delete(linker);
  myrt_wasi_delete(wasi);
  myrt_wasi_config_delete(cfg);

  myrt_component_delete(comp);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  if (failures) fprintf(stderr, "%d check(s) failed\n", failures);
  return failures ? 1 : 0;
}
