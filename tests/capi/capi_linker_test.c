/* tests/capi/capi_linker_test.c -- myrt.h's linker (define, shadowing, WASI, instances, unknown-import stubs,
 * instantiate, get, get_default), host functions with a caller (myrt_caller_export_get), trap codes, per-store limits,
 * WASI stdin from bytes and captured stdout/stderr, GC references held by the embedder; and that wasm.h brings <assert.h> as upstream's does (assert() is
 * used below without including it). Runs on the tier given as argv[1] (default: the engine's). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "myrt.h"
#include "wasm.h"

static wasm_engine_t* engine;

static wasm_module_t* compile(wasm_store_t* store, const char* wat) {
  wasm_byte_vec_t bin;
  myrt_error_t* err = myrt_wat2wasm(wat, strlen(wat), &bin);
  if (err) {
    fprintf(stderr, "wat does not compile: %s\n", wat);
    exit(1);
  }
  wasm_module_t* module = wasm_module_new(store, &bin);
  wasm_byte_vec_delete(&bin);
  if (!module) exit(1);
  assert(module != NULL); /* assert() comes from wasm.h's <assert.h> */
  return module;
}

/* The error's message starts with `prefix`; deletes the error. */
static int error_starts(myrt_error_t* err, const char* prefix) {
  if (!err) {
    fprintf(stderr, "expected error '%s', got none\n", prefix);
    return 0;
  }
  wasm_message_t m;
  myrt_error_message(err, &m);
  int ok = strncmp(m.data, prefix, strlen(prefix)) == 0;
  if (!ok) fprintf(stderr, "expected error '%s', got '%s'\n", prefix, m.data);
  wasm_byte_vec_delete(&m);
  myrt_error_delete(err);
  return ok;
}

static wasm_func_t* get_func(myrt_linker_t* l, const char* module, const char* name) {
  wasm_extern_t* e = NULL;
  if (!myrt_linker_get(l, module, name, &e)) return NULL;
  return wasm_extern_as_func(e);
}

static wasm_trap_t* call(const wasm_func_t* f, int32_t arg, int32_t* result) {
  wasm_val_t a[1] = {WASM_I32_VAL(arg)}, r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = {wasm_func_param_arity(f), a}, results = {wasm_func_result_arity(f), r};
  wasm_trap_t* trap = wasm_func_call(f, &args, &results);
  if (!trap && result && results.size) *result = r[0].of.i32;
  return trap;
}

static int trap_code_is(wasm_trap_t* trap, myrt_trap_code_t expected) {
  myrt_trap_code_t code = 255;
  int ok = trap && myrt_trap_code(trap, &code) && code == expected;
  if (!ok) fprintf(stderr, "expected trap code %d, got %s %d\n", expected, trap ? "code" : "no trap", code);
  if (trap) wasm_trap_delete(trap);
  return ok;
}

/* host.peek(ptr) -> the byte at ptr in the caller's memory, read through myrt_caller_export_get; 0xff when the
 * caller has no memory (called from the embedder). */
static int peeks = 0;
static wasm_trap_t* peek(void* env, myrt_caller_t* caller, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  CHECK(env == &peeks);
  ++peeks;
  wasm_extern_t* mem = NULL;
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = 0xff;
  if (myrt_caller_export_get(caller, "memory", &mem)) {
    wasm_memory_t* m = wasm_extern_as_memory(mem);
    CHECK(m != NULL);
    if (m) results->data[0].of.i32 = (uint8_t)wasm_memory_data(m)[args->data[0].of.i32];
    wasm_extern_delete(mem);
  }
  CHECK(!myrt_caller_export_get(caller, "no-such-export", &mem) && mem == NULL);
  return NULL;
}

static void test_linker(void) {
  wasm_store_t* store = wasm_store_new(engine);
  myrt_linker_t* l = myrt_linker_new(store);
  wasm_functype_t* peek_type = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  CHECK(myrt_linker_define_func(l, "host", "peek", peek_type, peek, &peeks, NULL) == NULL);
  /* a second definition is an error, unless shadowing is allowed */
  CHECK(error_starts(myrt_linker_define_func(l, "host", "peek", peek_type, peek, &peeks, NULL),
                     "myrt_linker: host::peek is already defined"));
  myrt_linker_allow_shadowing(l, true);
  CHECK(myrt_linker_define_func(l, "host", "peek", peek_type, peek, &peeks, NULL) == NULL);
  myrt_linker_allow_shadowing(l, false);

  /* a library instance, defined as a whole under "lib"; its default export is its "" function */
  wasm_module_t* lib = compile(store,
                               "(module (func (export \"double\") (param i32) (result i32)"
                               "  (i32.mul (local.get 0) (i32.const 2)))"
                               " (func (export \"\") (param i32) (result i32) (i32.const 7))"
                               " (global (export \"g\") i32 (i32.const 5)))");
  wasm_instance_t* lib_inst = NULL;
  wasm_trap_t* trap = NULL;
  CHECK(myrt_linker_instantiate(l, lib, &lib_inst, &trap) == NULL && lib_inst && !trap);
  CHECK(myrt_linker_define_instance(l, "lib", lib_inst) == NULL);
  wasm_func_t* def = NULL;
  CHECK(myrt_linker_get_default(l, "lib", &def) == NULL && def);
  int32_t r = 0;
  if (def) {
    CHECK(call(def, 0, &r) == NULL && r == 7);
    wasm_func_delete(def);
  }
  CHECK(error_starts(myrt_linker_get_default(l, "host", &def), "myrt_linker_get_default: module 'host' has no default"));
  wasm_extern_t* g = NULL;
  CHECK(myrt_linker_get(l, "lib", "g", &g) && wasm_extern_kind(g) == WASM_EXTERN_GLOBAL);
  if (g) wasm_extern_delete(g);
  CHECK(!myrt_linker_get(l, "lib", "nope", &g) && g == NULL);

  /* the main module: imports lib.double, host.peek and two functions nobody defines */
  wasm_module_t* app = compile(store,
                               "(module (import \"lib\" \"double\" (func $d (param i32) (result i32)))"
                               " (import \"host\" \"peek\" (func $p (param i32) (result i32)))"
                               " (import \"env\" \"missing\" (func $m (param i32) (result i32)))"
                               " (import \"env\" \"gone\" (func $g))"
                               " (memory (export \"memory\") 1) (data (i32.const 10) \"\\2a\")"
                               " (func (export \"run\") (param i32) (result i32)"
                               "   (i32.add (call $d (local.get 0)) (call $p (i32.const 10))))"
                               " (func (export \"missing\") (param i32) (result i32) (call $m (local.get 0)))"
                               " (func (export \"_start\") (param i32) (result i32) (call $g) (i32.const 1)))");
  wasm_instance_t* app_inst = NULL;
  CHECK(error_starts(myrt_linker_instantiate(l, app, &app_inst, &trap), "unknown import: env::missing"));
  CHECK(app_inst == NULL);

  /* stubs: default values first (a second linker keeps the first one's names clean) */
  myrt_linker_t* l2 = myrt_linker_new(store);
  CHECK(myrt_linker_define_instance(l2, "lib", lib_inst) == NULL);
  CHECK(myrt_linker_define_func(l2, "host", "peek", peek_type, peek, &peeks, NULL) == NULL);
  CHECK(myrt_linker_define_unknown_imports_as_default_values(l2, app) == NULL);
  CHECK(myrt_linker_instantiate(l2, app, &app_inst, &trap) == NULL && app_inst);
  CHECK(myrt_linker_define_instance(l2, "app", app_inst) == NULL);
  wasm_func_t* f = get_func(l2, "app", "missing");
  CHECK(f && call(f, 3, &r) == NULL && r == 0);
  if (f) wasm_func_delete(f);
  f = get_func(l2, "app", "run");
  r = 0;
  CHECK(f && call(f, 4, &r) == NULL && r == 8 + 42);  /* peek read 0x2a from app's memory through the caller */
  if (f) wasm_func_delete(f);
  CHECK(peeks == 1);
  f = get_func(l2, "host", "peek");  /* called by the embedder: no caller instance */
  r = 0;
  CHECK(f && call(f, 10, &r) == NULL && r == 0xff);
  if (f) wasm_func_delete(f);
  CHECK(myrt_linker_get_default(l2, "app", &def) == NULL && def);  /* "_start" */
  if (def) wasm_func_delete(def);
  wasm_instance_delete(app_inst);
  myrt_linker_delete(l2);

  /* stubs that trap: MYRT_TRAP_HOST */
  CHECK(myrt_linker_define_unknown_imports_as_traps(l, app) == NULL);
  CHECK(myrt_linker_instantiate(l, app, &app_inst, &trap) == NULL && app_inst);
  CHECK(myrt_linker_define_instance(l, "app", app_inst) == NULL);
  f = get_func(l, "app", "missing");
  if (f) {
    wasm_trap_t* t = call(f, 1, NULL);
    wasm_message_t m;
    if (t) {
      wasm_trap_message(t, &m);
      CHECK(strcmp(m.data, "unknown import env::missing called") == 0);
      wasm_byte_vec_delete(&m);
    }
    CHECK(trap_code_is(t, MYRT_TRAP_HOST));
    wasm_func_delete(f);
  }
  wasm_instance_delete(app_inst);

  /* a start function that traps: the trap, no error */
  wasm_module_t* bad = compile(store, "(module (func $s unreachable) (start $s))");
  CHECK(myrt_linker_instantiate(l, bad, &app_inst, &trap) == NULL && app_inst == NULL);
  CHECK(trap_code_is(trap, MYRT_TRAP_UNREACHABLE));
  /* a non-defaultable result has no default-value stub */
  wasm_module_t* nd = compile(store, "(module (import \"env\" \"r\" (func (result (ref extern)))))");
  CHECK(error_starts(myrt_linker_define_unknown_imports_as_default_values(l, nd),
                     "unknown import: env::r: its results have no default value"));
  /* externs of another store are refused */
  wasm_store_t* other = wasm_store_new(engine);
  wasm_module_t* om = compile(other, "(module (func (export \"f\")))");
  wasm_instance_t* oi = wasm_instance_new(other, om, NULL, NULL);
  CHECK(error_starts(myrt_linker_define_instance(l, "o", oi), "myrt_linker_define_instance: the instance belongs to another store"));
  wasm_instance_delete(oi);
  wasm_module_delete(om);
  wasm_store_delete(other);

  wasm_module_delete(nd);
  wasm_module_delete(bad);
  wasm_module_delete(app);
  wasm_module_delete(lib);
  wasm_instance_delete(lib_inst);
  wasm_functype_delete(peek_type);
  myrt_linker_delete(l);
  wasm_store_delete(store);
}

static void test_trap_codes(void) {
  wasm_store_t* store = wasm_store_new(engine);
  myrt_linker_t* l = myrt_linker_new(store);
  wasm_module_t* m = compile(store,
                             "(module (memory 1)"
                             " (func (export \"div\") (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))"
                             " (func (export \"load\") (param i32) (result i32) (i32.load (local.get 0)))"
                             " (func $rec (export \"rec\") (param i32) (result i32) (call $rec (local.get 0)))"
                             " (func (export \"spin\") (param i32) (result i32) (loop $l (br $l)) (i32.const 0)))");
  wasm_instance_t* inst = NULL;
  wasm_trap_t* trap = NULL;
  CHECK(myrt_linker_instantiate(l, m, &inst, &trap) == NULL && inst);
  CHECK(myrt_linker_define_instance(l, "m", inst) == NULL);
  struct {
    const char* name;
    int32_t arg;
    myrt_trap_code_t code;
  } cases[] = {{"div", 0, MYRT_TRAP_INTEGER_DIVIDE_BY_ZERO},
               {"load", 70000, MYRT_TRAP_MEMORY_OUT_OF_BOUNDS},
               {"rec", 0, MYRT_TRAP_STACK_OVERFLOW}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    wasm_func_t* f = get_func(l, "m", cases[i].name);
    CHECK(f && trap_code_is(call(f, cases[i].arg, NULL), cases[i].code));
    if (f) wasm_func_delete(f);
  }
  myrt_store_set_fuel(store, true, 10000);
  wasm_func_t* f = get_func(l, "m", "spin");
  CHECK(f && trap_code_is(call(f, 0, NULL), MYRT_TRAP_OUT_OF_FUEL));
  myrt_store_set_fuel(store, false, 0);
  myrt_interrupt_handle_t* h = myrt_interrupt_handle_new(store);
  myrt_interrupt_handle_interrupt(h);
  CHECK(f && trap_code_is(call(f, 0, NULL), MYRT_TRAP_INTERRUPT));
  myrt_interrupt_handle_delete(h);
  if (f) wasm_func_delete(f);
  /* a trap made by the embedder has no code */
  wasm_message_t msg;
  wasm_name_new_from_string_nt(&msg, "mine");
  wasm_trap_t* own = wasm_trap_new(store, &msg);
  wasm_byte_vec_delete(&msg);
  myrt_trap_code_t code;
  CHECK(!myrt_trap_code(own, &code));
  wasm_trap_delete(own);
  wasm_instance_delete(inst);
  wasm_module_delete(m);
  myrt_linker_delete(l);
  wasm_store_delete(store);
}

/* Two stores of one engine: a limit set on one store only applies there. */
static void test_store_limits(void) {
  const char* wat = "(module (memory (export \"memory\") 1) (table 1 funcref)"
                    " (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0)))"
                    " (func (export \"tgrow\") (param i32) (result i32) (table.grow (ref.null func) (local.get 0)))"
                    " (func $rec (export \"rec\") (param i32) (result i32)"
                    "   (if (result i32) (local.get 0) (then (i32.add (i32.const 1) (call $rec (i32.sub (local.get 0) (i32.const 1)))))"
                    "   (else (i32.const 0)))))";
  wasm_store_t* stores[2] = {wasm_store_new(engine), wasm_store_new(engine)};
  myrt_store_set_limits(stores[0], 4 * 65536 + 4096, 10, 100);  /* + 4 KiB: table elements count too (8 bytes each) */
  for (int s = 0; s < 2; ++s) {
    myrt_linker_t* l = myrt_linker_new(stores[s]);
    wasm_module_t* m = compile(stores[s], wat);
    wasm_instance_t* inst = NULL;
    wasm_trap_t* trap = NULL;
    CHECK(myrt_linker_instantiate(l, m, &inst, &trap) == NULL && inst);
    CHECK(myrt_linker_define_instance(l, "m", inst) == NULL);
    wasm_func_t* grow = get_func(l, "m", "grow");
    wasm_func_t* tgrow = get_func(l, "m", "tgrow");
    wasm_func_t* rec = get_func(l, "m", "rec");
    int32_t r = 0;
    CHECK(call(grow, 8, &r) == NULL && r == (s == 0 ? -1 : 1));
    CHECK(call(grow, 3, &r) == NULL && r == (s == 0 ? 1 : 9));
    CHECK(call(tgrow, 20, &r) == NULL && r == (s == 0 ? -1 : 1));
    if (s == 0) CHECK(trap_code_is(call(rec, 1000, NULL), MYRT_TRAP_STACK_OVERFLOW));
    else CHECK(call(rec, 1000, &r) == NULL && r == 1000);
    wasm_func_delete(grow);
    wasm_func_delete(tgrow);
    wasm_func_delete(rec);
    wasm_instance_delete(inst);
    wasm_module_delete(m);
    myrt_linker_delete(l);
    wasm_store_delete(stores[s]);
  }
}

/* A GC reference held by the embedder (a wasm_ref_t from a call's result, and a copy of it) survives collections
 * while wasm allocates garbage: C API reference handles are roots of the collector. */
static void test_gc_handles(void) {
  const char* wat = "(module (type $box (struct (field i32)))"
                    " (func (export \"make\") (param i32) (result anyref) (struct.new $box (local.get 0)))"
                    " (func (export \"get\") (param anyref) (result i32)"
                    "   (struct.get $box 0 (ref.cast (ref $box) (local.get 0))))"
                    " (func (export \"churn\") (param $n i32)"
                    "   (loop $l (drop (struct.new $box (local.get $n)))"
                    "     (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))";
  wasm_store_t* store = wasm_store_new(engine);
  myrt_linker_t* l = myrt_linker_new(store);
  wasm_module_t* m = compile(store, wat);
  wasm_instance_t* inst = NULL;
  wasm_trap_t* trap = NULL;
  CHECK(myrt_linker_instantiate(l, m, &inst, &trap) == NULL && inst);
  CHECK(myrt_linker_define_instance(l, "m", inst) == NULL);
  wasm_func_t* make = get_func(l, "m", "make");
  wasm_func_t* get = get_func(l, "m", "get");
  wasm_func_t* churn = get_func(l, "m", "churn");
  wasm_val_t a[1] = {WASM_I32_VAL(0x5eed1e55)}, r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = {1, a}, results = {1, r};
  CHECK(wasm_func_call(make, &args, &results) == NULL && r[0].kind == MYRT_ANYREF && r[0].of.ref);
  wasm_ref_t* box = r[0].of.ref;
  wasm_ref_t* copy = wasm_ref_copy(box);
  for (int round = 0; round < 2; ++round) {
    /* 300,000 dead 32-byte structs: past the 4 MiB collection trigger twice; their values never equal the box's */
    CHECK(call(churn, 300000, NULL) == NULL);
    wasm_val_t ga[1] = {WASM_INIT_VAL}, gr[1] = {WASM_INIT_VAL};
    ga[0].kind = MYRT_ANYREF;
    ga[0].of.ref = round == 0 ? box : copy;
    wasm_val_vec_t gargs = {1, ga}, gres = {1, gr};
    CHECK(wasm_func_call(get, &gargs, &gres) == NULL && gr[0].of.i32 == 0x5eed1e55);
    if (round == 0) wasm_ref_delete(box);  /* the copy alone keeps it */
  }
  wasm_ref_delete(copy);
  CHECK(call(churn, 300000, NULL) == NULL);
  wasm_func_delete(make);
  wasm_func_delete(get);
  wasm_func_delete(churn);
  wasm_instance_delete(inst);
  wasm_module_delete(m);
  myrt_linker_delete(l);
  wasm_store_delete(store);
}

/* WASI: stdin from bytes, stdout and stderr captured; proc_exit has no trap code. */
static void test_wasi_memory_stdio(void) {
  wasm_store_t* store = wasm_store_new(engine);
  myrt_wasi_config_t* cfg = myrt_wasi_config_new();
  wasm_byte_vec_t in;
  wasm_name_new_from_string(&in, "abc");
  CHECK(myrt_wasi_config_set_stdin_bytes(cfg, &in) == NULL);
  wasm_byte_vec_delete(&in);
  CHECK(myrt_wasi_config_capture_stdout(cfg) == NULL);
  CHECK(myrt_wasi_config_capture_stderr(cfg) == NULL);
  myrt_wasi_t* wasi = NULL;
  CHECK(myrt_wasi_new(store, cfg, &wasi) == NULL && wasi);
  myrt_wasi_config_delete(cfg);  /* the captures outlive the configuration */
  myrt_linker_t* l = myrt_linker_new(store);
  CHECK(myrt_linker_define_wasi(l, wasi) == NULL);
  /* echo: stdin -> stdout, "err" -> stderr, then proc_exit(5) */
  wasm_module_t* m = compile(store,
                             "(module (import \"wasi_snapshot_preview1\" \"fd_read\" (func $r (param i32 i32 i32 i32) (result i32)))"
                             " (import \"wasi_snapshot_preview1\" \"fd_write\" (func $w (param i32 i32 i32 i32) (result i32)))"
                             " (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $x (param i32)))"
                             " (memory (export \"memory\") 1) (data (i32.const 200) \"err\")"
                             " (func (export \"_start\")"
                             "  (i32.store (i32.const 0) (i32.const 100)) (i32.store (i32.const 4) (i32.const 50))"
                             "  (drop (call $r (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))"
                             "  (i32.store (i32.const 4) (i32.load (i32.const 8)))"
                             "  (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))"
                             "  (i32.store (i32.const 0) (i32.const 200)) (i32.store (i32.const 4) (i32.const 3))"
                             "  (drop (call $w (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))"
                             "  (call $x (i32.const 5))))");
  wasm_instance_t* inst = NULL;
  wasm_trap_t* trap = NULL;
  CHECK(myrt_linker_instantiate(l, m, &inst, &trap) == NULL && inst);
  CHECK(myrt_wasi_run_start(wasi, inst, &trap) == 5 && trap == NULL);
  wasm_byte_vec_t out, err;
  myrt_wasi_stdout(wasi, &out);
  myrt_wasi_stderr(wasi, &err);
  CHECK(out.size == 3 && memcmp(out.data, "abc", 3) == 0);
  CHECK(err.size == 3 && memcmp(err.data, "err", 3) == 0);
  wasm_byte_vec_delete(&out);
  wasm_byte_vec_delete(&err);
  /* through wasm_func_call, proc_exit comes back as a trap without a code */
  wasm_extern_vec_t exports;
  wasm_instance_exports(inst, &exports);
  wasm_func_t* start = NULL;
  for (size_t i = 0; i < exports.size; ++i)
    if (wasm_extern_kind(exports.data[i]) == WASM_EXTERN_FUNC) start = wasm_extern_as_func(exports.data[i]);
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  wasm_trap_t* t = start ? wasm_func_call(start, &none, &none) : NULL;
  myrt_trap_code_t code;
  CHECK(t && !myrt_trap_code(t, &code));
  if (t) wasm_trap_delete(t);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(inst);
  wasm_module_delete(m);
  myrt_linker_delete(l);
  myrt_wasi_delete(wasi);
  wasm_store_delete(store);
}

int main(int argc, char** argv) {
  wasm_config_t* config = wasm_config_new();
  if (argc > 1) {
    myrt_error_t* err = myrt_config_set_tier(config, argv[1]);
    if (err) {
      myrt_error_delete(err);
      fprintf(stderr, "tier %s is not available\n", argv[1]);
      return 1;
    }
  }
  engine = wasm_engine_new_with_config(config);
  test_linker();
  test_trap_codes();
  test_store_limits();
  test_gc_handles();
  test_wasi_memory_stdio();
  wasm_engine_delete(engine);
  return check_summary();
}
