/* tests/capi/capi_test.c -- the C API (wasm.h, myrt.h) from C: bad use (null and wrong arguments, traps in and from
 * host callbacks, a store used after its instance and after wasm_store_delete), host info and finalizers (each runs
 * exactly once), foreign objects through externref, compile errors with offsets, serialization, link errors, start
 * traps, limits and tiers. Prints each failed check and exits 1 if any failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "myrt.h"
#include "wasm.h"


static wasm_module_t* compile(wasm_store_t* store, const char* wat) {
  wasm_byte_vec_t bin;
  myrt_error_t* err = myrt_wat2wasm(wat, strlen(wat), &bin);
  if (err) {
    wasm_message_t m;
    myrt_error_message(err, &m);
    fprintf(stderr, "wat: %s\n", m.data);
    wasm_byte_vec_delete(&m);
    myrt_error_delete(err);
    exit(1);
  }
  wasm_module_t* module = wasm_module_new(store, &bin);
  wasm_byte_vec_delete(&bin);
  if (!module) exit(1);
  return module;
}

static wasm_instance_t* instantiate(wasm_store_t* store, wasm_module_t* module, wasm_extern_t** imports, size_t n,
                                    wasm_extern_vec_t* exports) {
  wasm_extern_vec_t import_vec = {n, imports};
  wasm_trap_t* trap = NULL;
  wasm_instance_t* instance = wasm_instance_new(store, module, &import_vec, &trap);
  if (!instance) {
    wasm_message_t m;
    wasm_trap_message(trap, &m);
    fprintf(stderr, "instantiate: %s\n", m.data);
    exit(1);
  }
  wasm_instance_exports(instance, exports);
  return instance;
}

/* ---- finalizers ---- */
static int finalized[16];
static void fin(void* p) { ++finalized[(size_t)p]; }

/* ---- host callbacks ---- */
static wasm_func_t* g_div;  /* the exported wasm function `div` (for the nested call) */

static wasm_trap_t* call_div_by_zero(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  wasm_val_t a[2] = {WASM_I32_VAL(1), WASM_I32_VAL(0)};
  wasm_val_t r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t av = WASM_ARRAY_VEC(a), rv = WASM_ARRAY_VEC(r);
  return wasm_func_call(g_div, &av, &rv);  /* the trap of the nested call is returned as ours */
}

static wasm_trap_t* call_div_ok(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  wasm_val_t a[2] = {WASM_I32_VAL(args->data[0].of.i32), WASM_I32_VAL(2)};
  wasm_val_vec_t av = WASM_ARRAY_VEC(a);
  return wasm_func_call(g_div, &av, results);  /* re-entrant call into wasm */
}

static wasm_trap_t* wrong_result(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  results->data[0].kind = WASM_F64;  /* the type says i32 */
  results->data[0].of.f64 = 1.0;
  return NULL;
}

static const char* kMain =
    "(module"
    "  (import \"h\" \"nested_trap\" (func $nt (result i32)))"
    "  (import \"h\" \"nested_ok\" (func $no (param i32) (result i32)))"
    "  (import \"h\" \"wrong\" (func $wr (result i32)))"
    "  (memory (export \"mem\") 1)"
    "  (func (export \"div\") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))"
    "  (func (export \"nested_trap\") (result i32) (call $nt))"
    "  (func (export \"nested_ok\") (param i32) (result i32) (call $no (local.get 0)))"
    "  (func (export \"wrong\") (result i32) (call $wr))"
    "  (func (export \"id\") (param externref) (result externref) (local.get 0))"
    "  (func (export \"load\") (param i32) (result i32) (i32.load (local.get 0))))";

static void test_null_arguments(void) {
  CHECK(wasm_store_new(NULL) == NULL);
  CHECK(wasm_module_new(NULL, NULL) == NULL);
  CHECK(!wasm_module_validate(NULL, NULL));
  CHECK(wasm_valtype_new(77) == NULL);
  CHECK(wasm_valtype_kind(NULL) == WASM_I32);
  CHECK(wasm_functype_params(NULL) == NULL);
  CHECK(wasm_func_param_arity(NULL) == 0);
  CHECK(wasm_memory_data(NULL) == NULL);
  CHECK(wasm_memory_data_size(NULL) == 0);
  CHECK(!wasm_memory_grow(NULL, 1));
  CHECK(wasm_table_get(NULL, 0) == NULL);
  CHECK(!wasm_table_set(NULL, 0, NULL));
  CHECK(wasm_table_size(NULL) == 0);
  CHECK(wasm_extern_as_func(NULL) == NULL);
  CHECK(wasm_ref_as_func(NULL) == NULL);
  CHECK(wasm_trap_origin(NULL) == NULL);
  CHECK(wasm_frame_instance(NULL) == NULL);
  wasm_val_t v = WASM_I32_VAL(5);
  wasm_global_get(NULL, &v);
  CHECK(v.kind == WASM_I32 && v.of.i32 == 0);
  wasm_global_set(NULL, &v);
  CHECK(trap_is(wasm_func_call(NULL, NULL, NULL), "wasm_func_call: not a function"));
  wasm_trap_t* trap = NULL;
  CHECK(wasm_instance_new(NULL, NULL, NULL, &trap) == NULL);
  CHECK(trap_is(trap, "wasm_instance_new: null argument"));
  wasm_extern_vec_t ev;
  wasm_instance_exports(NULL, &ev);
  CHECK(ev.size == 0);
  wasm_extern_vec_delete(&ev);
  /* Deleting NULL is harmless everywhere. */
  wasm_func_delete(NULL);
  wasm_module_delete(NULL);
  wasm_store_delete(NULL);
  wasm_engine_delete(NULL);
  wasm_byte_vec_delete(NULL);
  wasm_val_vec_delete(NULL);
  wasm_trap_delete(NULL);
  wasm_frame_delete(NULL);
  myrt_error_delete(NULL);
}

static void test_compile_errors(wasm_store_t* store) {
  /* Truncated: the magic is there, the version is cut. */
  wasm_byte_vec_t bin;
  wasm_byte_vec_new(&bin, 6, "\0asm\1\0");
  CHECK(!wasm_module_validate(store, &bin));
  CHECK(wasm_module_new(store, &bin) == NULL);
  wasm_module_t* module = NULL;
  myrt_error_t* err = myrt_module_new(store, &bin, &module);
  CHECK(err != NULL && module == NULL);
  size_t offset = 99;
  CHECK(myrt_error_offset(err, &offset) && offset == 6);  /* where the bytes end */
  if (offset != 6) fprintf(stderr, "offset %zu\n", offset);
  wasm_message_t m;
  myrt_error_message(err, &m);
  CHECK(strstr(m.data, "unexpected end") != NULL);
  wasm_byte_vec_delete(&m);
  myrt_error_delete(err);
  wasm_byte_vec_delete(&bin);

  /* Invalid: the function returns an i64 where an i32 is declared. */
  const char* wat = "(module (func (result i32) (i64.const 1)))";
  myrt_wat2wasm(wat, strlen(wat), &bin);
  err = myrt_module_new(store, &bin, &module);
  CHECK(err != NULL);
  CHECK(myrt_error_offset(err, &offset) && offset > 8 && offset < bin.size);
  myrt_error_message(err, &m);
  CHECK(strncmp(m.data, "type mismatch", 13) == 0);
  wasm_byte_vec_delete(&m);
  myrt_error_delete(err);
  wasm_byte_vec_delete(&bin);

  /* Text errors carry the offset in the text. */
  wat = "(module (func (i32.bogus)))";
  err = myrt_wat2wasm(wat, strlen(wat), &bin);
  CHECK(err != NULL && bin.size == 0);
  CHECK(myrt_error_offset(err, &offset) && offset == 15);
  myrt_error_delete(err);
  wasm_byte_vec_delete(&bin);
}

static void test_calls_and_bad_use(wasm_engine_t* engine) {
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = compile(store, kMain);
  wasm_functype_t* t_0_1 = wasm_functype_new_0_1(wasm_valtype_new_i32());
  wasm_functype_t* t_1_1 = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t* nt = wasm_func_new(store, t_0_1, call_div_by_zero);
  wasm_func_t* no = wasm_func_new(store, t_1_1, call_div_ok);
  wasm_func_t* wr = wasm_func_new(store, t_0_1, wrong_result);
  wasm_extern_t* imports[] = {wasm_func_as_extern(nt), wasm_func_as_extern(no), wasm_func_as_extern(wr)};
  wasm_extern_vec_t ex;
  wasm_instance_t* instance = instantiate(store, module, imports, 3, &ex);
  CHECK(ex.size == 7);
  wasm_memory_t* mem = wasm_extern_as_memory(ex.data[0]);
  g_div = wasm_extern_as_func(ex.data[1]);
  wasm_func_t* f_nested_trap = wasm_extern_as_func(ex.data[2]);
  wasm_func_t* f_nested_ok = wasm_extern_as_func(ex.data[3]);
  wasm_func_t* f_wrong = wasm_extern_as_func(ex.data[4]);
  wasm_func_t* f_id = wasm_extern_as_func(ex.data[5]);
  wasm_func_t* f_load = wasm_extern_as_func(ex.data[6]);
  CHECK(wasm_extern_as_func(ex.data[0]) == NULL);  /* a memory is not a function */
  CHECK(wasm_extern_kind(ex.data[0]) == WASM_EXTERN_MEMORY);

  wasm_val_t r[2] = {WASM_INIT_VAL, WASM_INIT_VAL};
  wasm_val_vec_t rv = {1, r}, none = WASM_EMPTY_VEC;

  /* A trap inside a host callback (its nested call into wasm trapped), returned by the callback. */
  CHECK(trap_is(wasm_func_call(f_nested_trap, &none, &rv), "integer divide by zero"));
  /* Re-entrant calls work and the store is still usable afterwards. */
  wasm_val_t a1[1] = {WASM_I32_VAL(42)};
  wasm_val_vec_t av1 = WASM_ARRAY_VEC(a1);
  CHECK(wasm_func_call(f_nested_ok, &av1, &rv) == NULL && r[0].of.i32 == 21);
  /* A host callback returning a value of the wrong kind. */
  CHECK(trap_starts(wasm_func_call(f_wrong, &none, &rv), "host function result 0: "));

  /* Wrong arguments: count, kind, result space. */
  CHECK(trap_starts(wasm_func_call(g_div, &av1, &rv), "wasm_func_call: expected 2 argument(s), got 1"));
  wasm_val_t bad[2] = {WASM_I32_VAL(1), WASM_F32_VAL(1.0f)};
  wasm_val_vec_t badv = WASM_ARRAY_VEC(bad);
  CHECK(trap_starts(wasm_func_call(g_div, &badv, &rv), "wasm_func_call: argument 1: "));
  wasm_val_t good[2] = {WASM_I32_VAL(9), WASM_I32_VAL(3)};
  wasm_val_vec_t goodv = WASM_ARRAY_VEC(good);
  CHECK(trap_starts(wasm_func_call(g_div, &goodv, &none), "wasm_func_call: the result vector must hold 1"));
  CHECK(wasm_func_call(g_div, &goodv, &rv) == NULL && r[0].kind == WASM_I32 && r[0].of.i32 == 3);

  /* Foreign objects through externref keep their identity and host info. */
  wasm_foreign_t* foreign = wasm_foreign_new(store);
  wasm_foreign_set_host_info_with_finalizer(foreign, (void*)1, fin);
  wasm_val_t fa[1] = {WASM_REF_VAL(wasm_foreign_as_ref(foreign))};
  wasm_val_vec_t fav = WASM_ARRAY_VEC(fa);
  CHECK(wasm_func_call(f_id, &fav, &rv) == NULL);
  CHECK(r[0].kind == WASM_EXTERNREF && r[0].of.ref != NULL);
  wasm_foreign_t* back = wasm_ref_as_foreign(r[0].of.ref);
  CHECK(back != NULL && wasm_foreign_same(back, foreign));
  CHECK(wasm_foreign_get_host_info(back) == (void*)1);
  CHECK(wasm_ref_as_func(r[0].of.ref) == NULL);
  wasm_val_delete(&r[0]);
  /* A null externref round-trips as NULL. */
  wasm_val_t na[1] = {WASM_REF_VAL(NULL)};
  wasm_val_vec_t nav = WASM_ARRAY_VEC(na);
  CHECK(wasm_func_call(f_id, &nav, &rv) == NULL && r[0].of.ref == NULL);
  /* A function is not an externref value. */
  wasm_val_t fn[1] = {WASM_REF_VAL(wasm_func_as_ref(g_div))};
  wasm_val_vec_t fnv = WASM_ARRAY_VEC(fn);
  CHECK(trap_starts(wasm_func_call(f_id, &fnv, &rv), "wasm_func_call: argument 0: "));

  /* Host info on store-owned objects: shared by all handles, replaced (old finalizer runs), finalized once. */
  wasm_func_set_host_info_with_finalizer(g_div, (void*)2, fin);
  wasm_func_t* div_copy = wasm_func_copy(g_div);
  CHECK(wasm_func_same(div_copy, g_div) && wasm_func_get_host_info(div_copy) == (void*)2);
  wasm_func_set_host_info_with_finalizer(div_copy, (void*)3, fin);
  CHECK(finalized[2] == 1 && wasm_func_get_host_info(g_div) == (void*)3);
  wasm_func_delete(div_copy);
  wasm_instance_set_host_info_with_finalizer(instance, (void*)4, fin);
  wasm_memory_set_host_info_with_finalizer(mem, (void*)5, fin);
  wasm_module_set_host_info_with_finalizer(module, (void*)6, fin);
  wasm_module_t* module_copy = wasm_module_copy(module);
  CHECK(wasm_module_get_host_info(module_copy) == (void*)6);

  /* The store after its instance is deleted: the exports stay usable. */
  wasm_instance_delete(instance);
  CHECK(finalized[4] == 0);
  wasm_memory_data(mem)[8] = 0x11;
  wasm_val_t la[1] = {WASM_I32_VAL(8)};
  wasm_val_vec_t lav = WASM_ARRAY_VEC(la);
  CHECK(wasm_func_call(f_load, &lav, &rv) == NULL && r[0].of.i32 == 0x11);
  /* A second instance in the same store. */
  wasm_extern_vec_t ex2;
  wasm_instance_t* instance2 = instantiate(store, module, imports, 3, &ex2);
  CHECK(!wasm_memory_same(wasm_extern_as_memory(ex2.data[0]), mem));
  wasm_extern_vec_delete(&ex2);
  wasm_instance_delete(instance2);

  /* Imports from another store, wrong count, wrong type. */
  wasm_store_t* other = wasm_store_new(engine);
  wasm_func_t* foreign_fn = wasm_func_new(other, t_0_1, wrong_result);
  wasm_extern_t* bad_imports[] = {wasm_func_as_extern(foreign_fn), wasm_func_as_extern(no), wasm_func_as_extern(wr)};
  wasm_extern_vec_t biv = {3, bad_imports};
  wasm_trap_t* trap = NULL;
  CHECK(wasm_instance_new(store, module, &biv, &trap) == NULL);
  CHECK(trap_is(trap, "wasm_instance_new: import 0 belongs to another store"));
  biv.size = 2;
  CHECK(wasm_instance_new(store, module, &biv, &trap) == NULL);
  CHECK(trap_starts(trap, "wasm_instance_new: the module has 3 import(s), got 2"));
  wasm_extern_t* swapped[] = {wasm_func_as_extern(no), wasm_func_as_extern(nt), wasm_func_as_extern(wr)};
  wasm_extern_vec_t sv = {3, swapped};
  CHECK(wasm_instance_new(store, module, &sv, &trap) == NULL);
  CHECK(trap_starts(trap, "incompatible import type"));
  CHECK(wasm_instance_new(store, module, &sv, NULL) == NULL);  /* no trap wanted: none leaks */
  wasm_func_delete(foreign_fn);
  wasm_store_delete(other);

  /* The store deleted while handles remain: they keep it alive until they are deleted. */
  wasm_store_delete(store);
  CHECK(finalized[3] == 0);
  CHECK(wasm_func_call(g_div, &goodv, &rv) == NULL && r[0].of.i32 == 3);
  wasm_extern_vec_delete(&ex);
  wasm_func_delete(nt);
  wasm_func_delete(no);
  wasm_func_delete(wr);
  wasm_foreign_delete(foreign);
  wasm_functype_delete(t_0_1);
  wasm_functype_delete(t_1_1);
  /* Last handle gone: the store-owned objects' finalizers ran exactly once. */
  CHECK(finalized[1] == 1 && finalized[2] == 1 && finalized[3] == 1 && finalized[4] == 1 && finalized[5] == 1);
  CHECK(finalized[6] == 0);  /* the module lives on */
  wasm_module_delete(module);
  CHECK(finalized[6] == 0);
  wasm_module_delete(module_copy);
  CHECK(finalized[6] == 1);
}

static void test_start_trap_and_serialize(wasm_engine_t* engine) {
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = compile(store,
                                  "(module (func $boom (unreachable)) (func $s (call $boom)) (start $s)"
                                  "  (func (export \"f\")))");
  wasm_extern_vec_t none = WASM_EMPTY_VEC;
  wasm_trap_t* trap = NULL;
  CHECK(wasm_instance_new(store, module, &none, &trap) == NULL);
  CHECK(trap != NULL);
  wasm_frame_vec_t trace;
  wasm_trap_trace(trap, &trace);
  CHECK(trace.size == 2);
  if (trace.size == 2) {
    CHECK(wasm_frame_func_index(trace.data[0]) == 0 && wasm_frame_func_index(trace.data[1]) == 1);
    wasm_name_t name;
    myrt_frame_func_name(trace.data[0], &name);
    CHECK(strcmp(name.data, "boom") == 0);
    wasm_byte_vec_delete(&name);
    CHECK(wasm_frame_instance(trace.data[0]) != NULL);
    CHECK(wasm_frame_module_offset(trace.data[0]) > 0);
    /* offsets of the instructions (wasm-c-api): `unreachable` in $boom and `call $boom` in $s, each one byte after
     * its function's body start (the local declarations); $s's body starts 4 bytes after $boom's. */
    CHECK(wasm_frame_func_offset(trace.data[0]) == 1);
    CHECK(wasm_frame_func_offset(trace.data[1]) == 1);
    CHECK(wasm_frame_module_offset(trace.data[1]) == wasm_frame_module_offset(trace.data[0]) + 4);
    wasm_frame_t* origin = wasm_trap_origin(trap);
    CHECK(origin && wasm_frame_module_offset(origin) == wasm_frame_module_offset(trace.data[0]) &&
          wasm_frame_func_offset(origin) == 1);
    wasm_frame_delete(origin);
  }
  wasm_frame_vec_delete(&trace);
  CHECK(trap_is(trap, "unreachable"));

  /* serialize / deserialize round trip; garbage is rejected. */
  wasm_byte_vec_t image;
  wasm_module_serialize(module, &image);
  wasm_module_t* again = wasm_module_deserialize(store, &image);
  CHECK(again != NULL);
  wasm_exporttype_vec_t exports;
  wasm_module_exports(again, &exports);
  CHECK(exports.size == 1);
  const wasm_name_t* n = exports.size ? wasm_exporttype_name(exports.data[0]) : NULL;
  CHECK(n && n->size == 1 && n->data[0] == 'f');
  wasm_exporttype_vec_delete(&exports);
  image.data[3] ^= 1;
  CHECK(wasm_module_deserialize(store, &image) == NULL);
  wasm_byte_vec_delete(&image);
  /* Shared across stores. */
  wasm_shared_module_t* shared = wasm_module_share(again);
  wasm_store_t* store2 = wasm_store_new(engine);
  wasm_module_t* obtained = wasm_module_obtain(store2, shared);
  CHECK(obtained != NULL);
  wasm_module_delete(obtained);
  wasm_shared_module_delete(shared);
  wasm_store_delete(store2);
  wasm_module_delete(again);
  wasm_module_delete(module);
  wasm_store_delete(store);
}

static void test_host_objects(wasm_engine_t* engine) {
  wasm_store_t* store = wasm_store_new(engine);
  /* Globals: kind mismatch refused. */
  wasm_globaltype_t* gt = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_VAR);
  wasm_val_t f = WASM_F32_VAL(1.0f);
  CHECK(wasm_global_new(store, gt, &f) == NULL);
  wasm_val_t i = WASM_I32_VAL(7);
  wasm_global_t* g = wasm_global_new(store, gt, &i);
  CHECK(g != NULL);
  wasm_globaltype_delete(gt);
  /* Tables of funcref with a host function; externref tables refuse functions. */
  wasm_limits_t lim = {2, 4};
  wasm_tabletype_t* tt = wasm_tabletype_new(wasm_valtype_new_funcref(), &lim);
  wasm_table_t* t = wasm_table_new(store, tt, NULL);
  wasm_tabletype_delete(tt);
  CHECK(t && wasm_table_size(t) == 2);
  wasm_functype_t* ft = wasm_functype_new_0_1(wasm_valtype_new_i32());
  wasm_func_t* fn = wasm_func_new(store, ft, wrong_result);
  CHECK(wasm_table_set(t, 1, wasm_func_as_ref(fn)));
  wasm_ref_t* got = wasm_table_get(t, 1);
  CHECK(got && wasm_func_same(wasm_ref_as_func(got), fn));
  wasm_ref_delete(got);
  CHECK(wasm_table_grow(t, 2, wasm_func_as_ref(fn)) && wasm_table_size(t) == 4);
  CHECK(!wasm_table_grow(t, 1, NULL));
  tt = wasm_tabletype_new(wasm_valtype_new_externref(), &lim);
  wasm_table_t* et = wasm_table_new(store, tt, NULL);
  wasm_tabletype_delete(tt);
  CHECK(!wasm_table_set(et, 0, wasm_func_as_ref(fn)));
  /* Memories: limits checked. */
  wasm_limits_t bad = {3, 2};
  wasm_memorytype_t* mt = wasm_memorytype_new(&bad);
  CHECK(wasm_memory_new(store, mt) == NULL);
  wasm_memorytype_delete(mt);
  /* Host functions with an environment: the finalizer runs with the store. */
  wasm_func_t* envfn = wasm_func_new_with_env(store, ft, NULL, (void*)7, fin);
  CHECK(envfn == NULL && finalized[7] == 1);  /* no callback: refused, the environment released at once */
  wasm_functype_delete(ft);
  wasm_func_delete(fn);
  wasm_table_delete(t);
  wasm_table_delete(et);
  wasm_global_delete(g);
  wasm_store_delete(store);
}

static void test_config(void) {
  wasm_config_t* config = wasm_config_new();
  myrt_error_t* err = myrt_config_set_tier(config, "bogus");
  CHECK(err != NULL);
  myrt_error_delete(err);
  CHECK(myrt_config_set_tier(config, "interp") == NULL);
  myrt_config_set_max_memory_bytes(config, 2 * 65536);
  myrt_config_set_max_call_depth(config, 100);
  myrt_config_set_compile_jobs(config, 3);
  wasm_engine_t* engine = wasm_engine_new_with_config(config);
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = compile(store,
                                  "(module (memory (export \"m\") 1)"
                                  "  (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0)))"
                                  "  (func $r (export \"rec\") (call $r))"
                                  "  (type $a (array (mut i64))) (table $t 0 externref)"
                                  "  (func (export \"gc\") (loop (drop (array.new_default $a (i32.const 100))) (br 0)))"
                                  "  (func (export \"tgrow\") (result i32) (table.grow $t (ref.null extern) (i32.const 1))))");
  wasm_extern_vec_t ex;
  wasm_instance_t* instance = instantiate(store, module, NULL, 0, &ex);
  wasm_val_t a[1] = {WASM_I32_VAL(1)};
  wasm_val_t r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t av = WASM_ARRAY_VEC(a), rv = WASM_ARRAY_VEC(r), none = WASM_EMPTY_VEC;
  CHECK(wasm_func_call(wasm_extern_as_func(ex.data[1]), &av, &rv) == NULL && r[0].of.i32 == 1);
  CHECK(wasm_func_call(wasm_extern_as_func(ex.data[1]), &av, &rv) == NULL && r[0].of.i32 == -1);  /* the limit */
  CHECK(!wasm_memory_grow(wasm_extern_as_memory(ex.data[0]), 1));
  CHECK(trap_is(wasm_func_call(wasm_extern_as_func(ex.data[2]), &none, &none), "call stack exhausted"));
  /* GC objects and table elements count against the same limit: allocating at the limit traps, table.grow fails */
  CHECK(trap_is(wasm_func_call(wasm_extern_as_func(ex.data[3]), &none, &none), "out of memory"));
  CHECK(wasm_func_call(wasm_extern_as_func(ex.data[4]), &none, &rv) == NULL && r[0].of.i32 == -1);
  wasm_extern_vec_delete(&ex);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

/* capi_test [TIER]: runs everything on the engine's default tier, or on TIER ("jit" with libmyrt.a). */
int main(int argc, char** argv) {
  printf("libmyrt %s\n", myrt_version());
  wasm_config_t* config = wasm_config_new();
  if (argc > 1) {
    myrt_error_t* err = myrt_config_set_tier(config, argv[1]);
    if (err) {
      wasm_message_t m;
      myrt_error_message(err, &m);
      fprintf(stderr, "tier %s: %s\n", argv[1], m.data);
      wasm_byte_vec_delete(&m);
      myrt_error_delete(err);
      wasm_config_delete(config);
      return 1;
    }
  }
  wasm_engine_t* engine = wasm_engine_new_with_config(config);
  wasm_store_t* store = wasm_store_new(engine);
  test_null_arguments();
  test_compile_errors(store);
  wasm_store_delete(store);
  test_calls_and_bad_use(engine);
  test_start_trap_and_serialize(engine);
  test_host_objects(engine);
  test_config();
  wasm_engine_delete(engine);
  return check_summary();
}
