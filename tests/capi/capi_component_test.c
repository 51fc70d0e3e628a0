/* tests/capi/capi_component_test.c -- the component part of myrt.h: load (and a malformed binary's offset), a missing
 * import named with its type, host functions by name, calls with strings, lists of records, records, variants,
 * options, a host function called by the guest, traps, and values built and read through the myrt_cval_* API.
 * Usage: capi_component_test COMPONENT.wasm [TIER]. */
#include <stdlib.h>

#include "check.h"
#include "myrt.h"

static int concat_calls = 0;
static int finalized = 0;

static wasm_trap_t* host_concat(void* env, const myrt_cval_t* const* args, size_t nargs, myrt_cval_t** result) {
  (void)env;
  ++concat_calls;
  CHECK(nargs == 2);
  size_t la = 0, lb = 0;
  const char* a = myrt_cval_string(args[0], &la);
  const char* b = myrt_cval_string(args[1], &lb);
  char buf[256];
  if (la + lb + 1 > sizeof buf) return NULL;
  memcpy(buf, a, la);
  buf[la] = '+';
  memcpy(buf + la + 1, b, lb);
  *result = myrt_cval_new_string(buf, la + lb + 1);
  return NULL;
}
static void fin(void* env) { finalized += *(int*)env; }

static int error_starts(myrt_error_t* e, const char* prefix) {
  if (!e) return 0;
  wasm_message_t m;
  myrt_error_message(e, &m);
  int ok = strncmp(m.data, prefix, strlen(prefix)) == 0;
  if (!ok) fprintf(stderr, "expected error '%s...', got '%s'\n", prefix, m.data);
  wasm_byte_vec_delete(&m);
  myrt_error_delete(e);
  return ok;
}

static myrt_cval_t* call1(myrt_component_instance_t* inst, const char* name, myrt_cval_t* arg) {
  myrt_cval_t* result = NULL;
  wasm_trap_t* trap = NULL;
  const myrt_cval_t* args[1] = {arg};
  myrt_error_t* e = myrt_component_instance_call(inst, NULL, name, args, arg ? 1 : 0, &result, &trap);
  CHECK(e == NULL);
  CHECK(trap == NULL);
  if (trap) wasm_trap_delete(trap);
  if (e) myrt_error_delete(e);
  myrt_cval_delete(arg);
  return result;
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  wasm_config_t* config = wasm_config_new();
  if (argc > 2) CHECK(myrt_config_set_tier(config, argv[2]) == NULL);
  wasm_engine_t* engine = wasm_engine_new_with_config(config);
  wasm_store_t* store = wasm_store_new(engine);

  wasm_byte_vec_t bin = read_file_bytes(argv[1]);
  CHECK(bin.size > 0);
  CHECK(myrt_is_component(&bin));
  myrt_component_t* comp = NULL;
  CHECK(myrt_component_new(&bin, &comp) == NULL);
  if (!comp) return check_summary();
  wasm_name_t text;
  myrt_component_describe(comp, &text);
  CHECK(strstr(text.data, "export len: func(s: string) -> u32") != NULL);
  wasm_byte_vec_delete(&text);

  /* a malformed component: the error has the offset of the bad byte */
  wasm_byte_vec_t bad;
  wasm_byte_vec_new_uninitialized(&bad, bin.size + 2);
  memcpy(bad.data, bin.data, bin.size);
  bad.data[bin.size] = 0x20;
  bad.data[bin.size + 1] = 0;
  myrt_component_t* none = NULL;
  myrt_error_t* e = myrt_component_new(&bad, &none);
  size_t off = 0;
  CHECK(e && myrt_error_offset(e, &off) && off == bin.size);
  CHECK(error_starts(e, "unknown section id 0x20"));
  wasm_byte_vec_delete(&bad);

  /* without the host function: a missing import, named with its type */
  myrt_component_linker_t* empty = myrt_component_linker_new();
  myrt_component_instance_t* inst = NULL;
  CHECK(error_starts(myrt_component_instantiate(store, empty, comp, &inst),
                     "unknown import: `host-concat` (func(a: string, b: string) -> string)"));
  myrt_component_linker_delete(empty);

  static int one = 1;
  myrt_component_linker_t* linker = myrt_component_linker_new();
  myrt_component_linker_define_func(linker, NULL, "host-concat", host_concat, &one, fin);
  CHECK(myrt_component_instantiate(store, linker, comp, &inst) == NULL);
  myrt_component_linker_delete(linker);  /* the instance keeps the host functions alive */
  CHECK(finalized == 0);
  if (!inst) return check_summary();

  myrt_cval_t* r = call1(inst, "len", myrt_cval_new_string("hello", 5));
  CHECK(r && myrt_cval_kind(r) == MYRT_CVAL_U32 && myrt_cval_uint(r) == 5);
  myrt_cval_delete(r);

  r = call1(inst, "echo16", myrt_cval_new_string("caf\xc3\xa9", 5));
  size_t len = 0;
  const char* s = myrt_cval_string(r, &len);
  CHECK(s && len == 5 && memcmp(s, "caf\xc3\xa9", 5) == 0);
  myrt_cval_delete(r);

  /* list<record {x: s32, y: s32}> */
  myrt_cval_t* pts[3];
  for (int i = 0; i < 3; ++i) {
    myrt_cval_t* f[2] = {myrt_cval_new_int(MYRT_CVAL_S32, i + 1), myrt_cval_new_int(MYRT_CVAL_S32, 10 * (i + 1))};
    pts[i] = myrt_cval_new_list(MYRT_CVAL_RECORD, f, 2);
  }
  r = call1(inst, "sum", myrt_cval_new_list(MYRT_CVAL_LIST, pts, 3));
  CHECK(r && myrt_cval_int(r) == 66);
  myrt_cval_delete(r);

  /* option<u32> */
  r = call1(inst, "opt-double", myrt_cval_new_case(MYRT_CVAL_OPTION, 1, myrt_cval_new_uint(MYRT_CVAL_U32, 4)));
  CHECK(r && myrt_cval_case(r) == 1 && myrt_cval_payload(r) && myrt_cval_uint(myrt_cval_payload(r)) == 8);
  myrt_cval_delete(r);

  /* records come back as elements */
  {
    myrt_cval_t* result = NULL;
    wasm_trap_t* trap = NULL;
    myrt_cval_t* a0 = myrt_cval_new_int(MYRT_CVAL_S32, -5);
    myrt_cval_t* a1 = myrt_cval_new_int(MYRT_CVAL_S32, 9);
    const myrt_cval_t* args[2] = {a0, a1};
    CHECK(myrt_component_instance_call(inst, NULL, "make-point", args, 2, &result, &trap) == NULL);
    CHECK(result && myrt_cval_len(result) == 2 && myrt_cval_int(myrt_cval_elem(result, 0)) == -5 &&
          myrt_cval_int(myrt_cval_elem(result, 1)) == 9);
    myrt_cval_delete(result);
    myrt_cval_delete(a0);
    myrt_cval_delete(a1);
  }

  /* the guest calls the host */
  r = call1(inst, "call-host", myrt_cval_new_string("xy", 2));
  s = myrt_cval_string(r, &len);
  CHECK(s && len == 5 && memcmp(s, "xy+xy", 5) == 0);
  CHECK(concat_calls == 1);
  myrt_cval_delete(r);

  /* a trap, and an unknown export */
  {
    myrt_cval_t* result = NULL;
    wasm_trap_t* trap = NULL;
    CHECK(myrt_component_instance_call(inst, NULL, "bad-char", NULL, 0, &result, &trap) == NULL);
    CHECK(trap_is(trap, "invalid `char` bit pattern"));
    CHECK(result == NULL);
    CHECK(error_starts(myrt_component_instance_call(inst, NULL, "nope", NULL, 0, &result, &trap),
                       "no exported function `nope`"));
  }

  myrt_component_instance_delete(inst);
  myrt_component_delete(comp);
  wasm_byte_vec_delete(&bin);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  CHECK(finalized == 1);  /* the linker's finalizers ran once its last user (the instance's store) was gone */
  return check_summary();
}
