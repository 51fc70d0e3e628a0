/* tests/debug/capi_dwarf_test.c -- DWARF source locations through the C API: myrt_frame_source_location on the frames
 * of wasm_trap_trace, and myrt_trap_describe's text. Runs trap_dwarf-lib.wasm (built with -g -O2, no imports; its
 * reader(i) loads table[i] through the inlined load() at trap_dwarf.c:6:10, called at line 10:10; crash(n) traps at
 * line 14:15) on the tier given as argv[1]; argv[3], the same module with garbage DWARF, must trap with no location.
 *   capi_dwarf_test TIER trap_dwarf-lib.wasm trap_dwarf-garbage-lib.wasm */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../capi/check.h"
#include "myrt.h"
#include "wasm.h"

static wasm_engine_t* engine;

static bool read_file(const char* path, wasm_byte_vec_t* out) {
  FILE* f = fopen(path, "rb");
  if (!f) return false;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  wasm_byte_vec_new_uninitialized(out, (size_t)n);
  bool ok = fread(out->data, 1, (size_t)n, f) == (size_t)n;
  fclose(f);
  return ok;
}

static bool ends_with(const wasm_name_t* s, const char* suffix) {
  size_t n = strlen(suffix);
  /* s is null-terminated: size counts the terminator */
  return s->size >= n + 1 && s->data[s->size - 1] == '\0' && strcmp(s->data + s->size - 1 - n, suffix) == 0;
}

/* Calls export `name`(arg) of a fresh instance of `path`; returns its trap (or NULL). */
static wasm_trap_t* call_export(wasm_store_t* store, const char* path, const char* name, int32_t arg) {
  wasm_byte_vec_t bytes;
  if (!read_file(path, &bytes)) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(1);
  }
  wasm_module_t* module = wasm_module_new(store, &bytes);
  wasm_byte_vec_delete(&bytes);
  CHECK(module != NULL);
  if (!module) exit(1);
  wasm_extern_vec_t imports = WASM_EMPTY_VEC;
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, NULL);
  CHECK(instance != NULL);
  wasm_exporttype_vec_t types;
  wasm_module_exports(module, &types);
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  wasm_func_t* func = NULL;
  for (size_t i = 0; i < types.size; ++i) {
    const wasm_name_t* n = wasm_exporttype_name(types.data[i]);
    if (n->size == strlen(name) && memcmp(n->data, name, n->size) == 0) func = wasm_extern_as_func(exports.data[i]);
  }
  CHECK(func != NULL);
  wasm_val_t args_val[1] = {WASM_I32_VAL(arg)};
  wasm_val_t results_val[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(args_val);
  wasm_val_vec_t results = WASM_ARRAY_VEC(results_val);
  wasm_trap_t* trap = func ? wasm_func_call(func, &args, &results) : NULL;
  wasm_extern_vec_delete(&exports);
  wasm_exporttype_vec_delete(&types);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  return trap;
}

static void check_location(const wasm_frame_t* frame, size_t index, const char* file_suffix, uint32_t line,
                           uint32_t column, bool inlined, const char* function) {
  myrt_source_location_t loc;
  bool ok = myrt_frame_source_location(frame, index, &loc);
  CHECK(ok);
  if (ok) {
    CHECK(ends_with(&loc.file, file_suffix));
    CHECK(loc.line == line);
    CHECK(loc.column == column);
    CHECK(loc.inlined == inlined);
    CHECK(ends_with(&loc.function, function));
    if (loc.line != line || loc.column != column || !ends_with(&loc.function, function))
      fprintf(stderr, "frame location %zu: %s:%u:%u in '%s'\n", index, loc.file.data, loc.line, loc.column,
              loc.function.data);
  }
  myrt_source_location_delete(&loc);
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: capi_dwarf_test TIER trap_dwarf-lib.wasm trap_dwarf-garbage-lib.wasm\n");
    return 2;
  }
  wasm_config_t* config = wasm_config_new();
  myrt_error_t* err = myrt_config_set_tier(config, argv[1]);
  if (err) {
    myrt_error_delete(err);
    fprintf(stderr, "tier %s is not available\n", argv[1]);
    return 1;
  }
  engine = wasm_engine_new_with_config(config);
  wasm_store_t* store = wasm_store_new(engine);

  /* reader(100000000): out of bounds in the inlined load(). */
  wasm_trap_t* trap = call_export(store, argv[2], "reader", 100000000);
  CHECK(trap != NULL);
  if (trap) {
    wasm_frame_vec_t frames;
    wasm_trap_trace(trap, &frames);
    CHECK(frames.size >= 1);
    if (frames.size >= 1) {
      check_location(frames.data[0], 0, "trap_dwarf.c", 6, 10, true, "load");
      check_location(frames.data[0], 1, "trap_dwarf.c", 10, 10, false, "reader");
      myrt_source_location_t none;
      CHECK(!myrt_frame_source_location(frames.data[0], 2, &none));
      CHECK(none.file.size == 0 && none.line == 0);
      myrt_source_location_delete(&none);
    }
    wasm_frame_vec_delete(&frames);
    wasm_message_t text;
    myrt_trap_describe(trap, &text);
    CHECK(text.data && strstr(text.data, "trap_dwarf.c:6:10 (inlined load)\n      at ") != NULL);
    CHECK(text.data && strstr(text.data, "trap_dwarf.c:10:10") != NULL);
    wasm_byte_vec_delete(&text);
    wasm_trap_delete(trap);
  }

  /* crash(3): unreachable at line 14, through the recursion at line 15. */
  trap = call_export(store, argv[2], "crash", 3);
  CHECK(trap != NULL);
  if (trap) {
    wasm_frame_t* origin = wasm_trap_origin(trap);
    CHECK(origin != NULL);
    if (origin) check_location(origin, 0, "trap_dwarf.c", 14, 15, false, "crash");
    wasm_frame_delete(origin);
    wasm_trap_delete(trap);
  }

  /* Garbage DWARF: the trap and its frames as usual, no location, no crash. */
  CHECK(trap_starts(call_export(store, argv[3], "reader", 100000000), "out of bounds memory access"));
  trap = call_export(store, argv[3], "reader", 100000000);
  CHECK(trap != NULL);
  if (trap) {
    wasm_frame_t* origin = wasm_trap_origin(trap);
    CHECK(origin != NULL);
    myrt_source_location_t loc;
    CHECK(!myrt_frame_source_location(origin, 0, &loc));
    myrt_source_location_delete(&loc);
    wasm_frame_delete(origin);
    wasm_message_t text;
    myrt_trap_describe(trap, &text);
    CHECK(text.data && strstr(text.data, "  at reader (wasm offset 0x") != NULL);
    CHECK(text.data && strstr(text.data, "trap_dwarf.c") == NULL);
    wasm_byte_vec_delete(&text);
    wasm_trap_delete(trap);
  }

  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return check_summary();
}
