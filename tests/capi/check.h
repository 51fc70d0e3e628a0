/* tests/capi/check.h -- the checks shared by the C API tests: CHECK (counts and prints a failed condition) and
 * trap_is / trap_starts (a trap's message, deleting the trap), read_file_bytes. */
#ifndef MYRT_CAPI_CHECK_H
#define MYRT_CAPI_CHECK_H
#include <stdio.h>
#include <string.h>

#include "wasm.h"

static int failures = 0;
#define CHECK(cond)                                                             \
  do {                                                                          \
    if (!(cond)) {                                                              \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);  \
      ++failures;                                                               \
    }                                                                           \
  } while (0)

/* The trap's message equals `expected` (exact) or starts with it (prefix); deletes the trap. */
static inline int trap_matches(wasm_trap_t* trap, const char* expected, int prefix) {
  if (!trap) {
    fprintf(stderr, "expected trap '%s', got none\n", expected);
    return 0;
  }
  wasm_message_t m;
  wasm_trap_message(trap, &m);
  int ok = prefix ? strncmp(m.data, expected, strlen(expected)) == 0
                  : m.size == strlen(expected) + 1 && strcmp(m.data, expected) == 0;
  if (!ok) fprintf(stderr, "expected trap '%s'%s, got '%s'\n", expected, prefix ? " (prefix)" : "", m.data);
  wasm_byte_vec_delete(&m);
  wasm_trap_delete(trap);
  return ok;
}
static inline int trap_is(wasm_trap_t* trap, const char* expected) { return trap_matches(trap, expected, 0); }
static inline int trap_starts(wasm_trap_t* trap, const char* prefix) { return trap_matches(trap, prefix, 1); }

/* The bytes of a file (an empty vector, and a message, when it cannot be read). */
static inline wasm_byte_vec_t read_file_bytes(const char* path) {
  wasm_byte_vec_t v;
  wasm_byte_vec_new_empty(&v);
  FILE* f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot read %s\n", path);
    return v;
  }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  wasm_byte_vec_new_uninitialized(&v, (size_t)n);
  if (fread(v.data, 1, (size_t)n, f) != (size_t)n) v.size = 0;
  fclose(f);
  return v;
}

/* Prints the result line and returns main's exit code. */
static inline int check_summary(void) {
  if (failures) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("all checks passed\n");
  return 0;
}
#endif
