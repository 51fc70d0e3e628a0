/* tests/capi/capi_aot_test.c -- serialized modules with machine code and the code cache through the C API:
 * wasm_module_serialize / myrt_module_serialize write a precompiled artifact where the JIT can (else the bytes-only
 * form), which deserializes -- in another store, twice, shared -- into a module whose instances run (host import,
 * memory, global, call_indirect, start function, traps); truncated, damaged and foreign input gives NULL and a reason,
 * never a crash; the bytes-only form of older libraries still loads; myrt_config_set_code_cache writes one entry per
 * module, hits it (the file is not rewritten), replaces a damaged one, and is off when disabled or on the interpreter.
 * capi_aot_test TIER CACHE_DIR */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "myrt.h"

static const char* kWat =
    "(module"
    "  (import \"env\" \"twice\" (func $twice (param i32) (result i32)))"
    "  (memory (export \"mem\") 1)"
    "  (global $g (mut i32) (i32.const 0))"
    "  (table 2 funcref)"
    "  (elem (i32.const 0) $inc $twice)"
    "  (func $start (global.set $g (i32.const 100)))"
    "  (start $start)"
    "  (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))"
    "  (func (export \"run\") (param i32) (result i32) (local $i i32) (local $s i32)"
    "    (loop $l"
    "      (local.set $s (call_indirect (param i32) (result i32) (local.get $s) (i32.and (local.get $i) (i32.const 1))))"
    "      (local.set $i (i32.add (local.get $i) (i32.const 1)))"
    "      (br_if $l (i32.lt_u (local.get $i) (local.get 0))))"
    "    (i32.store (i32.const 16) (local.get $s))"
    "    (global.set $g (i32.add (global.get $g) (i32.const 1)))"
    "    (i32.add (global.get $g) (i32.load (i32.const 16))))"
    "  (func (export \"div\") (param i32) (result i32) (i32.div_u (i32.const 7) (local.get 0)))"
    ")";

static wasm_trap_t* twice_cb(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = args->data[0].of.i32 * 2;
  return NULL;
}

static char* error_text(myrt_error_t* err) {
  static char buf[512];
  buf[0] = 0;
  if (!err) return buf;
  wasm_message_t m;
  myrt_error_message(err, &m);
  snprintf(buf, sizeof buf, "%s", m.data);
  wasm_byte_vec_delete(&m);
  myrt_error_delete(err);
  return buf;
}

static void wasm_of(wasm_byte_vec_t* bin) {
  myrt_error_t* err = myrt_wat2wasm(kWat, strlen(kWat), bin);
  if (err) {
    fprintf(stderr, "wat: %s\n", error_text(err));
    exit(1);
  }
}

/* run(n): the start function set $g to 100; each call adds 1 to $g; $s alternates +1 and *2 from 0. */
static int32_t expected_run(int32_t n, int32_t call) {
  int32_t s = 0;
  for (int32_t i = 0; i < n; ++i) s = (i & 1) ? s * 2 : s + 1;
  return 100 + call + s;
}

/* Instantiates `module` in `store` with the host import and checks run() twice and a trap. */
static void check_instance(wasm_store_t* store, const wasm_module_t* module, const char* what) {
  wasm_functype_t* ft = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t* twice = wasm_func_new(store, ft, twice_cb);
  wasm_functype_delete(ft);
  wasm_extern_t* imp[1] = {wasm_func_as_extern(twice)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(imp);
  wasm_trap_t* trap = NULL;
  wasm_instance_t* inst = wasm_instance_new(store, module, &imports, &trap);
  CHECK(inst != NULL && trap == NULL);
  if (!inst) {
    fprintf(stderr, "%s: no instance\n", what);
    if (trap) wasm_trap_delete(trap);
    wasm_func_delete(twice);
    return;
  }
  wasm_extern_vec_t ex;
  wasm_instance_exports(inst, &ex);
  CHECK(ex.size == 3);
  if (ex.size == 3) {
    wasm_func_t* run = wasm_extern_as_func(ex.data[1]);
    wasm_func_t* div = wasm_extern_as_func(ex.data[2]);
    for (int32_t call = 1; call <= 2; ++call) {
      wasm_val_t a[1] = {WASM_I32_VAL(20)};
      wasm_val_t r[1] = {WASM_INIT_VAL};
      wasm_val_vec_t args = WASM_ARRAY_VEC(a), res = WASM_ARRAY_VEC(r);
      wasm_trap_t* t = wasm_func_call(run, &args, &res);
      CHECK(t == NULL);
      if (t) wasm_trap_delete(t);
      if (r[0].of.i32 != expected_run(20, call))
        fprintf(stderr, "%s: run #%d = %d, expected %d\n", what, call, r[0].of.i32, expected_run(20, call));
      CHECK(r[0].of.i32 == expected_run(20, call));
    }
    wasm_val_t a[1] = {WASM_I32_VAL(0)};
    wasm_val_t r[1] = {WASM_INIT_VAL};
    wasm_val_vec_t args = WASM_ARRAY_VEC(a), res = WASM_ARRAY_VEC(r);
    CHECK(trap_is(wasm_func_call(div, &args, &res), "integer divide by zero"));
  }
  wasm_extern_vec_delete(&ex);
  wasm_instance_delete(inst);
  wasm_func_delete(twice);
}

/* myrt_module_deserialize refuses `bytes` (NULL module, an error) without crashing. */
static int refused(wasm_store_t* store, const char* data, size_t size) {
  wasm_byte_vec_t v = {size, (wasm_byte_t*)data};
  wasm_module_t* m = (wasm_module_t*)1;
  myrt_error_t* err = myrt_module_deserialize(store, &v, &m);
  const int ok = err != NULL && m == NULL;
  if (!ok) fprintf(stderr, "accepted a damaged or truncated serialization (%zu bytes)\n", size);
  if (m) wasm_module_delete(m);
  if (err) myrt_error_delete(err);
  CHECK(wasm_module_deserialize(store, &v) == NULL);
  return ok;
}

static void test_round_trip_and_damage(wasm_engine_t* engine, int native) {
  wasm_store_t* store = wasm_store_new(engine);
  wasm_byte_vec_t bin;
  wasm_of(&bin);
  wasm_module_t* module = wasm_module_new(store, &bin);
  CHECK(module != NULL);
  check_instance(store, module, "compiled");

  wasm_byte_vec_t image;
  wasm_module_serialize(module, &image);
  wasm_byte_vec_t native_image;
  myrt_error_t* err = myrt_module_serialize(module, &native_image);
  if (native) {
    CHECK(err == NULL);
    CHECK(image.size > 16 && memcmp(image.data, "\0myrtaot", 8) == 0);
    CHECK(native_image.size == image.size && memcmp(native_image.data, image.data, image.size) == 0);
  } else {  /* no JIT to compile for (or none that can write relocatable code): the bytes-only form */
    const char* why = error_text(err);
    CHECK(strncmp(why, "unsupported", 11) == 0);
    CHECK(native_image.size == 0);
    CHECK(image.size == 9 + bin.size && memcmp(image.data, "\0myrtmod\1", 9) == 0);
  }
  wasm_byte_vec_delete(&native_image);

  /* the round trip: another store, twice, shared with a third store; a module serialized from a deserialized one */
  wasm_store_t* store2 = wasm_store_new(engine);
  wasm_module_t* again = NULL;
  err = myrt_module_deserialize(store2, &image, &again);
  if (err) fprintf(stderr, "deserialize: %s\n", error_text(err));
  CHECK(again != NULL);
  if (again) {
    check_instance(store2, again, "deserialized");
    check_instance(store2, again, "deserialized, second instance");
    wasm_shared_module_t* shared = wasm_module_share(again);
    wasm_store_t* store3 = wasm_store_new(engine);
    wasm_module_t* obtained = wasm_module_obtain(store3, shared);
    CHECK(obtained != NULL);
    if (obtained) check_instance(store3, obtained, "shared");
    wasm_module_delete(obtained);
    wasm_shared_module_delete(shared);
    wasm_store_delete(store3);
    wasm_byte_vec_t image2;
    wasm_module_serialize(again, &image2);
    wasm_module_t* third = wasm_module_deserialize(store2, &image2);
    CHECK(third != NULL);
    if (third) check_instance(store2, third, "serialized again");
    wasm_module_delete(third);
    wasm_byte_vec_delete(&image2);
    wasm_module_delete(again);
  }

  /* the bytes-only form (what older libraries wrote) loads everywhere; an unknown version byte does not */
  wasm_byte_vec_t old;
  wasm_byte_vec_new_uninitialized(&old, 9 + bin.size);
  memcpy(old.data, "\0myrtmod\1", 9);
  memcpy(old.data + 9, bin.data, bin.size);
  wasm_module_t* from_old = wasm_module_deserialize(store2, &old);
  CHECK(from_old != NULL);
  if (from_old) check_instance(store2, from_old, "bytes-only form");
  wasm_module_delete(from_old);
  old.data[8] = 2;
  CHECK(refused(store2, old.data, old.size));
  wasm_byte_vec_delete(&old);

  /* the raw module binary, garbage, empty: refused */
  CHECK(refused(store2, bin.data, bin.size));
  CHECK(refused(store2, "\0myrtaot", 8));
  CHECK(refused(store2, "", 0));
  wasm_byte_vec_t empty = WASM_EMPTY_VEC;
  CHECK(wasm_module_deserialize(store2, &empty) == NULL);
  CHECK(wasm_module_deserialize(store2, NULL) == NULL);
  CHECK(wasm_module_deserialize(NULL, &image) == NULL);

  if (native) {
    /* every truncation (short ones all, then a stride and the last 16) and a trailing byte */
    char* buf = malloc(image.size + 1);
    int bad = 0;
    for (size_t n = 0; n < image.size; n += (n < 256 || n + 16 >= image.size) ? 1 : 613) {
      memcpy(buf, image.data, n);
      bad += !refused(store2, buf, n);
    }
    memcpy(buf, image.data, image.size);
    buf[image.size] = 0;
    bad += !refused(store2, buf, image.size + 1);
    /* each header byte damaged, then every 211th byte of the rest */
    for (size_t i = 0; i < image.size; i += i < 112 ? 1 : 211) {
      memcpy(buf, image.data, image.size);
      buf[i] ^= 0x20;
      bad += !refused(store2, buf, image.size);
    }
    /* the magic followed by garbage of every length up to 300 */
    for (size_t n = 9; n < 300; ++n) {
      memcpy(buf, "\0myrtaot", 8);
      for (size_t k = 8; k < n; ++k) buf[k] = (char)(k * 37 + n);
      bad += !refused(store2, buf, n);
    }
    CHECK(bad == 0);
    free(buf);
    /* the undamaged copy still loads */
    wasm_module_t* ok = wasm_module_deserialize(store2, &image);
    CHECK(ok != NULL);
    wasm_module_delete(ok);
  }
  wasm_byte_vec_delete(&image);
  wasm_byte_vec_delete(&bin);
  wasm_module_delete(module);
  wasm_store_delete(store2);
  wasm_store_delete(store);
}

/* ---- the code cache ---- */

/* Removes the files in dir; returns how many .cwasm files it held, and the path of one in `one`. */
static int cache_entries(const char* dir, int clear, char* one, size_t one_size) {
  DIR* d = opendir(dir);
  if (!d) return 0;
  int n = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    const size_t len = strlen(e->d_name);
    if (len > 6 && strcmp(e->d_name + len - 6, ".cwasm") == 0) {
      ++n;
      if (one) snprintf(one, one_size, "%s", path);
    } else {
      fprintf(stderr, "unexpected file in the cache: %s\n", path);
      ++n;
    }
    if (clear) unlink(path);
  }
  closedir(d);
  return n;
}

static ino_t inode_of(const char* path) {
  struct stat st;
  return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* The cache entry at path deserializes. */
static int entry_loads(wasm_engine_t* engine, const char* path) {
  FILE* f = fopen(path, "rb");
  if (!f) return 0;
  fseek(f, 0, SEEK_END);
  const long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  wasm_byte_vec_t bytes;
  wasm_byte_vec_new_uninitialized(&bytes, (size_t)size);
  const int read = fread(bytes.data, 1, bytes.size, f) == bytes.size;
  fclose(f);
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* m = NULL;
  myrt_error_t* err = myrt_module_deserialize(store, &bytes, &m);
  if (err) error_text(err);
  const int ok = read && m != NULL;
  wasm_module_delete(m);
  wasm_store_delete(store);
  wasm_byte_vec_delete(&bytes);
  return ok;
}

static wasm_engine_t* engine_for(const char* tier, int cache, const char* dir) {
  wasm_config_t* config = wasm_config_new();
  myrt_error_t* err = myrt_config_set_tier(config, tier);
  if (err) {
    fprintf(stderr, "tier %s: %s\n", tier, error_text(err));
    exit(1);
  }
  if (cache) myrt_config_set_code_cache(config, true, dir);
  if (cache == 2) myrt_config_set_code_cache(config, false, dir);  /* switched off again */
  return wasm_engine_new_with_config(config);
}

/* wasm_module_new + instance in a fresh store of `engine`. */
static void compile_and_run(wasm_engine_t* engine, const char* what) {
  wasm_store_t* store = wasm_store_new(engine);
  wasm_byte_vec_t bin;
  wasm_of(&bin);
  wasm_module_t* m = NULL;
  myrt_error_t* err = myrt_module_new(store, &bin, &m);
  if (err) fprintf(stderr, "%s: %s\n", what, error_text(err));
  CHECK(m != NULL);
  if (m) check_instance(store, m, what);
  wasm_module_delete(m);
  wasm_byte_vec_delete(&bin);
  wasm_store_delete(store);
}

static void test_code_cache(const char* tier, const char* dir, int native) {
  char path[4096] = "";
  mkdir(dir, 0755);
  cache_entries(dir, 1, NULL, 0);
  wasm_engine_t* engine = engine_for(tier, 1, dir);
  const int cached = native && strcmp(tier, "interp") != 0;
  compile_and_run(engine, "cache miss");
  CHECK(cache_entries(dir, 0, path, sizeof path) == (cached ? 1 : 0));
  if (cached) {
    /* the entry is an artifact myrt_module_deserialize loads */
    CHECK(entry_loads(engine, path));
    /* a hit reads the entry and does not write it again */
    const ino_t before = inode_of(path);
    compile_and_run(engine, "cache hit");
    CHECK(inode_of(path) == before);
    CHECK(cache_entries(dir, 0, NULL, 0) == 1);
    /* a damaged entry is replaced (a new file), never run */
    FILE* f = fopen(path, "r+b");
    CHECK(f != NULL);
    if (f) {
      fseek(f, 200, SEEK_SET);
      fputc(0x5a, f);
      fputc(0xa5, f);
      fclose(f);
    }
    CHECK(!entry_loads(engine, path));
    compile_and_run(engine, "damaged cache entry");
    CHECK(cache_entries(dir, 0, NULL, 0) == 1);
    CHECK(entry_loads(engine, path));
    compile_and_run(engine, "rewritten cache entry");
  }
  wasm_engine_delete(engine);
  /* switched off again: nothing written */
  cache_entries(dir, 1, NULL, 0);
  engine = engine_for(tier, 2, dir);
  compile_and_run(engine, "cache off");
  CHECK(cache_entries(dir, 0, NULL, 0) == 0);
  wasm_engine_delete(engine);
  /* off by default */
  engine = engine_for(tier, 0, dir);
  compile_and_run(engine, "cache default");
  CHECK(cache_entries(dir, 0, NULL, 0) == 0);
  wasm_engine_delete(engine);
  rmdir(dir);
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: capi_aot_test TIER CACHE_DIR\n");
    return 2;
  }
  setenv("MYRT_CACHE_MIN_BYTES", "0", 1);  /* the test module is tiny: cache it anyway */
  wasm_engine_t* engine = engine_for(argv[1], 0, NULL);
  /* does this library write machine code? (a JIT that records relocations: not the interpreter-only library, not
   * AArch64 yet) */
  wasm_store_t* store = wasm_store_new(engine);
  wasm_byte_vec_t bin;
  wasm_of(&bin);
  wasm_module_t* m = wasm_module_new(store, &bin);
  wasm_byte_vec_t probe;
  myrt_error_t* err = myrt_module_serialize(m, &probe);
  const int native = err == NULL;
  if (err) printf("no machine code: %s\n", error_text(err));
  wasm_byte_vec_delete(&probe);
  wasm_module_delete(m);
  wasm_byte_vec_delete(&bin);
  wasm_store_delete(store);
  /* null arguments */
  wasm_module_t* out = (wasm_module_t*)1;
  err = myrt_module_deserialize(NULL, NULL, &out);
  CHECK(err != NULL && out == NULL);
  CHECK(strcmp(error_text(err), "myrt_module_deserialize: null argument") == 0);
  wasm_byte_vec_t none;
  err = myrt_module_serialize(NULL, &none);
  CHECK(err != NULL && none.size == 0);
  error_text(err);
  wasm_byte_vec_delete(&none);
  myrt_config_set_code_cache(NULL, true, NULL);

  test_round_trip_and_damage(engine, native);
  wasm_engine_delete(engine);
  test_code_cache(argv[1], argv[2], native);
  return check_summary();
}
