/* tests/tools/guest_util.h -- shared by the C test components written against the canonical ABI
 * (tests/http/http-client.c, tests/sockets/sockets-client.c): the import attribute, the cabi_realloc export the host
 * lowers strings and lists through, and a growable text buffer for their one-line reports. */
#pragma once
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT(mod, name) __attribute__((import_module(mod), import_name(name)))

__attribute__((export_name("cabi_realloc")))
void *cabi_realloc(void *ptr, size_t old_size, size_t align, size_t new_size) {
  (void)old_size;
  if (new_size == 0) return (void *)align;  /* no allocation: never freed */
  void *r = realloc(ptr, new_size);
  if (!r) __builtin_trap();
  return r;
}

typedef struct { char *p; size_t len, cap; } buf;  /* always NUL-terminated once written */
static void put(buf *b, const void *p, size_t n) {
  if (b->len + n + 1 > b->cap) { b->cap = (b->len + n + 1) * 2; b->p = realloc(b->p, b->cap); if (!b->p) __builtin_trap(); }
  memcpy(b->p + b->len, p, n); b->len += n; b->p[b->len] = 0;
}
static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }
static void putnum(buf *b, uint64_t v) {
  char t[24]; int k = 0; do { t[k++] = (char)('0' + v % 10); v /= 10; } while (v);
  while (k) put(b, &t[--k], 1);
}
