/* tests/capi/capi_stack_test.c -- native stack bounds on any thread (issue 11, item 1), on the tier given as argv[1]
 * (interp, jit or auto): deep and unbounded recursion trap "call stack exhausted" on an embedder's small-stack thread
 * (256 KiB) as on a big one; one store used in turn by threads with different stacks (the bound is taken from the
 * running thread at each entry, never kept from the first); host re-entry (host callback -> wasm_func_call -> wasm ->
 * host ...) traps instead of overflowing the native stack; myrt_wat2wasm of deeply nested text on a small thread is
 * "nesting too deep"; a native stack budget (myrt_config_set_max_native_stack_bytes) bounds JIT recursion. Stack
 * sizes are scaled under AddressSanitizer (its frames are several times larger). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "myrt.h"
#include "wasm.h"

#if defined(__SANITIZE_ADDRESS__)
#define SCALE 4
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SCALE 4
#endif
#endif
#ifndef SCALE
#define SCALE 1
#endif

static const char* kModule =
    "(module\n"
    "  (import \"host\" \"reenter\" (func $reenter (param i32) (result i32)))\n"
    "  (func $rec (export \"rec\") (param i32) (result i32)\n"
    "    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))\n"
    "      (else (i32.add (i32.const 1) (call $rec (i32.sub (local.get 0) (i32.const 1)))))))\n"
    "  (func $forever (export \"forever\") (param i32) (result i32)\n"
    "    (i32.add (i32.const 1) (call $forever (local.get 0))))\n"
    "  (func (export \"bounce\") (param i32) (result i32)\n"
    "    (i32.add (i32.const 1) (call $reenter (i32.add (local.get 0) (i32.const 1))))))\n";

static wasm_func_t* g_rec;
static wasm_func_t* g_forever;
static wasm_func_t* g_bounce;
static unsigned g_max_reentry;  /* deepest host re-entry reached */

/* host.reenter(n): calls bounce(n) again (unbounded: the bound must come from the runtime). */
static wasm_trap_t* reenter(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  unsigned n = (unsigned)args->data[0].of.i32;
  if (n > g_max_reentry) g_max_reentry = n;
  wasm_val_t a[1] = {WASM_I32_VAL((int32_t)n)};
  wasm_val_t r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t av = WASM_ARRAY_VEC(a), rv = WASM_ARRAY_VEC(r);
  wasm_trap_t* t = wasm_func_call(g_bounce, &av, &rv);
  if (t) return t;
  results->data[0] = r[0];
  return NULL;
}

/* rec(n) == n, or the trap's message prefix check when `expect_trap`. */
static int call1(wasm_func_t* f, int32_t arg, int32_t* out, wasm_trap_t** trap) {
  wasm_val_t a[1] = {WASM_I32_VAL(arg)};
  wasm_val_t r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t av = WASM_ARRAY_VEC(a), rv = WASM_ARRAY_VEC(r);
  *trap = wasm_func_call(f, &av, &rv);
  if (!*trap && out) *out = r[0].of.i32;
  return *trap == NULL;
}

static void check_rec(int32_t n) {
  int32_t out = -1;
  wasm_trap_t* trap = NULL;
  CHECK(call1(g_rec, n, &out, &trap));
  if (trap) trap_is(trap, "");  /* prints and deletes it */
  CHECK(out == n);
}

static void check_exhausted(wasm_func_t* f) {
  wasm_trap_t* trap = NULL;
  CHECK(!call1(f, 0, NULL, &trap));
  CHECK(trap_is(trap, "call stack exhausted"));
}

/* What each thread does with the shared store. */
enum { kUnbounded, kRec1000, kReenter, kWat };

static const char* deep_text(void) {
  /* (module (func (block (block ... )))) nested 1001 deep: beyond the parser's 1000 levels and, on a small stack,
   * beyond what the stack holds. */
  static char* text;
  if (!text) {
    const int n = 1001;
    text = malloc(64 + (size_t)n * 8);
    char* p = text + sprintf(text, "(module (func ");
    for (int i = 0; i < n; ++i) p += sprintf(p, "(block ");
    for (int i = 0; i < n; ++i) *p++ = ')';
    strcpy(p, "))");
  }
  return text;
}

static void* work(void* arg) {
  switch (*(int*)arg) {
    case kUnbounded:
      check_exhausted(g_forever);
      check_rec(100);  /* the store still works */
      break;
    case kRec1000:
      check_rec(1000);
      break;
    case kReenter:
      g_max_reentry = 0;
      check_exhausted(g_bounce);
      CHECK(g_max_reentry > 10);
      check_rec(10);
      break;
    case kWat: {
      const char* t = deep_text();
      wasm_byte_vec_t bin;
      myrt_error_t* e = myrt_wat2wasm(t, strlen(t), &bin);
      CHECK(e != NULL);
      if (e) {
        wasm_message_t m;
        myrt_error_message(e, &m);
        CHECK(strstr(m.data, "nesting too deep") != NULL);
        if (!strstr(m.data, "nesting too deep")) fprintf(stderr, "wat2wasm: %s\n", m.data);
        wasm_byte_vec_delete(&m);
        myrt_error_delete(e);
      } else {
        wasm_byte_vec_delete(&bin);
      }
      break;
    }
  }
  return NULL;
}

static void on_thread(size_t stack_kib, int what) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  CHECK(pthread_attr_setstacksize(&attr, stack_kib * 1024 * SCALE) == 0);
  pthread_t th;
  CHECK(pthread_create(&th, &attr, work, &what) == 0);
  pthread_join(th, NULL);
  pthread_attr_destroy(&attr);
}

/* myrt_config_set_max_native_stack_bytes: a 5000-deep recursion fits the main thread's stack but not a 64 KiB budget
 * on the jit tier (JIT frames live on the native stack); the interpreter's wasm-to-wasm calls use none, so it runs
 * there. (auto: which frames are compiled depends on when the background compile finishes; not checked.) */
static void check_budget(const char* tier) {
  wasm_config_t* config = wasm_config_new();
  myrt_error_t* err = myrt_config_set_tier(config, tier);
  if (err) myrt_error_delete(err);
  myrt_config_set_max_native_stack_bytes(config, 64 * 1024);
  wasm_engine_t* engine = wasm_engine_new_with_config(config);
  wasm_store_t* store = wasm_store_new(engine);
  static const char* kRec =
      "(module (func $rec (export \"rec\") (param i32) (result i32)\n"
      "  (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))\n"
      "    (else (i32.add (i32.const 1) (call $rec (i32.sub (local.get 0) (i32.const 1))))))))";
  wasm_byte_vec_t bin;
  if (myrt_wat2wasm(kRec, strlen(kRec), &bin)) {
    CHECK(0);
    return;
  }
  wasm_module_t* module = wasm_module_new(store, &bin);
  wasm_byte_vec_delete(&bin);
  wasm_extern_vec_t none = WASM_EMPTY_VEC, ex;
  wasm_instance_t* instance = wasm_instance_new(store, module, &none, NULL);
  wasm_instance_exports(instance, &ex);
  wasm_func_t* rec = wasm_extern_as_func(ex.data[0]);
  int32_t out = -1;
  wasm_trap_t* trap = NULL;
  if (!strcmp(tier, "jit")) {
    CHECK(!call1(rec, 5000, &out, &trap));
    CHECK(trap_is(trap, "call stack exhausted"));
    CHECK(call1(rec, 50, &out, &trap) && out == 50);
  } else if (!strcmp(tier, "interp")) {
    CHECK(call1(rec, 5000, &out, &trap) && out == 5000);
  }
  if (trap) wasm_trap_delete(trap);
  wasm_extern_vec_delete(&ex);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

int main(int argc, char** argv) {
  const char* tier = argc > 1 ? argv[1] : "interp";
  wasm_config_t* config = wasm_config_new();
  myrt_error_t* err = myrt_config_set_tier(config, tier);
  if (err) {
    fprintf(stderr, "tier %s unavailable\n", tier);
    return 1;
  }
  /* Far more frames than any of these stacks holds: the native bound must stop the recursion, not the depth. */
  myrt_config_set_max_call_depth(config, 1000000);
  myrt_config_set_max_stack_bytes(config, (uint64_t)64 << 20);
  wasm_engine_t* engine = wasm_engine_new_with_config(config);
  wasm_store_t* store = wasm_store_new(engine);
  wasm_byte_vec_t bin;
  if (myrt_wat2wasm(kModule, strlen(kModule), &bin)) return 1;
  wasm_module_t* module = wasm_module_new(store, &bin);
  wasm_byte_vec_delete(&bin);
  wasm_valtype_t* p = wasm_valtype_new_i32();
  wasm_valtype_t* r = wasm_valtype_new_i32();
  wasm_functype_t* t = wasm_functype_new_1_1(p, r);
  wasm_func_t* host = wasm_func_new(store, t, reenter);
  wasm_functype_delete(t);
  wasm_extern_t* imports[1] = {wasm_func_as_extern(host)};
  wasm_extern_vec_t iv = WASM_ARRAY_VEC(imports), ex;
  wasm_instance_t* instance = wasm_instance_new(store, module, &iv, NULL);
  CHECK(instance != NULL);
  if (!instance) return check_summary();
  wasm_instance_exports(instance, &ex);
  g_rec = wasm_extern_as_func(ex.data[0]);
  g_forever = wasm_extern_as_func(ex.data[1]);
  g_bounce = wasm_extern_as_func(ex.data[2]);

  /* The store moves between threads: small (256 KiB), big (16 MiB), small again, the main thread. */
  on_thread(256, kUnbounded);
  on_thread(16384, kRec1000);
  on_thread(256, kUnbounded);
  on_thread(16384, kRec1000);
  work(&(int){kUnbounded});
  check_rec(1000);
  /* Host re-entry, on the main thread and on a small one. */
  work(&(int){kReenter});
  on_thread(256, kReenter);
  on_thread(256, kUnbounded);
  /* The WAT parser on a small thread and on the main thread. */
  on_thread(256, kWat);
  work(&(int){kWat});

  wasm_extern_vec_delete(&ex);
  wasm_instance_delete(instance);
  wasm_func_delete(host);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  check_budget(tier);
  return check_summary();
}
