/* examples/c/example.h -- helpers shared by the C API examples: read a .wat/.wasm file and compile it (a compile
 * error is printed with its byte offset), print a trap with its backtrace. */
#ifndef MYRT_EXAMPLE_H
#define MYRT_EXAMPLE_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "myrt.h"
#include "wasm.h"

/* The whole file, or exits. */
static inline wasm_byte_vec_t example_read(const char* path) {
  wasm_byte_vec_t bytes = {0, NULL};
  FILE* f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(1);
  }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  wasm_byte_vec_new_uninitialized(&bytes, (size_t)size);
  if (size > 0 && fread(bytes.data, 1, (size_t)size, f) != (size_t)size) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(1);
  }
  fclose(f);
  return bytes;
}

static inline void example_print_error(const char* what, myrt_error_t* err) {
  wasm_message_t msg;
  myrt_error_message(err, &msg);
  size_t offset = 0;
  if (myrt_error_offset(err, &offset))
    fprintf(stderr, "%s: offset 0x%zx: %s\n", what, offset, msg.data);
  else
    fprintf(stderr, "%s: %s\n", what, msg.data);
  wasm_byte_vec_delete(&msg);
  myrt_error_delete(err);
}

/* Compiles a module from a .wat (through myrt_wat2wasm) or .wasm file, or exits. */
static inline wasm_module_t* example_load(wasm_store_t* store, const char* path) {
  wasm_byte_vec_t bytes = example_read(path);
  size_t n = strlen(path);
  if (n > 4 && strcmp(path + n - 4, ".wat") == 0) {
    wasm_byte_vec_t bin;
    myrt_error_t* err = myrt_wat2wasm(bytes.data, bytes.size, &bin);
    wasm_byte_vec_delete(&bytes);
    if (err) {
      example_print_error(path, err);
      exit(1);
    }
    bytes = bin;
  }
  wasm_module_t* module = NULL;
  myrt_error_t* err = myrt_module_new(store, &bytes, &module);
  wasm_byte_vec_delete(&bytes);
  if (err) {
    example_print_error(path, err);
    exit(1);
  }
  return module;
}

/* "trap: MESSAGE" and one "  at FUNC (func N, offset 0x..)" line per frame; deletes the trap. */
static inline void example_print_trap(wasm_trap_t* trap) {
  wasm_message_t msg;
  wasm_trap_message(trap, &msg);
  printf("trap: %s\n", msg.data);
  wasm_byte_vec_delete(&msg);
  wasm_frame_vec_t trace;
  wasm_trap_trace(trap, &trace);
  for (size_t i = 0; i < trace.size; ++i) {
    wasm_name_t name;
    myrt_frame_func_name(trace.data[i], &name);
    printf("  at %s (func %u, module offset 0x%zx, function offset 0x%zx)\n", name.data,
           wasm_frame_func_index(trace.data[i]), wasm_frame_module_offset(trace.data[i]),
           wasm_frame_func_offset(trace.data[i]));
    wasm_byte_vec_delete(&name);
  }
  wasm_frame_vec_delete(&trace);
  wasm_trap_delete(trap);
}

/* The export `i` of `exports` as a function, or exits. */
static inline wasm_func_t* example_func(const wasm_extern_vec_t* exports, size_t i) {
  wasm_func_t* f = i < exports->size ? wasm_extern_as_func(exports->data[i]) : NULL;
  if (!f) {
    fprintf(stderr, "export %zu is not a function\n", i);
    exit(1);
  }
  return f;
}
#endif
