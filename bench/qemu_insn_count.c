/* bench/qemu_insn_count.c -- a qemu-user TCG plugin that counts the guest instructions a program executes, in all and
 * inside JIT code: the translated blocks that start inside a range of the program's perf map (/tmp/perf-PID.map,
 * written by `myrt run --profile=perfmap`, read at exit). The same plugin under qemu-aarch64 and qemu-x86_64 gives
 * the two ISAs' counts with one method (docs/performance.md, AArch64 instructions executed; bench/insn-count.sh).
 * Debian's qemu-user ships the plugin interface (-plugin) but no plugins and no qemu-plugin.h: the few functions of
 * the plugin API (version 1, QEMU 4.2 .. 8.x) used here are declared below.
 *   gcc -shared -fPIC -O2 -o qemu_insn_count.so bench/qemu_insn_count.c
 *   qemu-aarch64 -plugin ./qemu_insn_count.so[,mapdir=DIR] PROGRAM ...   -> one line on stderr at exit:
 *   "qemu_insn_count: total N insns, jit M insns (K perf-map ranges)"
 * Counters are plain (inline) adds: with several guest threads running the same block at once a few may be lost;
 * count single-threaded runs (myrt run --tier=jit -j 1). */
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;
struct qemu_plugin_tb;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb* tb);
typedef void (*udata_cb_t)(qemu_plugin_id_t id, void* userdata);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb* tb, enum qemu_plugin_op op, void* ptr,
                                              uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb* tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb* tb);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, udata_cb_t cb, void* userdata);
void qemu_plugin_outs(const char* string);

#define EXPORT __attribute__((visibility("default")))
EXPORT int qemu_plugin_version = 1;

/* one per translation of a block (a block translated again gets another) */
struct Block {
  uint64_t execs;
  uint64_t vaddr;
  uint64_t insns;
  struct Block* next;
};
static struct Block* blocks;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char mapdir[256] = "/tmp";

static void onTranslate(qemu_plugin_id_t id, struct qemu_plugin_tb* tb) {
  (void)id;
  struct Block* b = calloc(1, sizeof *b);
  if (!b) return;
  b->vaddr = qemu_plugin_tb_vaddr(tb);
  b->insns = qemu_plugin_tb_n_insns(tb);
  pthread_mutex_lock(&lock);
  b->next = blocks;
  blocks = b;
  pthread_mutex_unlock(&lock);
  qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &b->execs, 1);
}

struct Range {
  uint64_t lo, hi;
};
static int byLo(const void* a, const void* b) {
  const struct Range *x = a, *y = b;
  return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void onExit(qemu_plugin_id_t id, void* userdata) {
  (void)id, (void)userdata;
  struct Range* ranges = NULL;
  size_t n = 0, cap = 0;
  char path[300];
  snprintf(path, sizeof path, "%s/perf-%d.map", mapdir, (int)getpid());
  FILE* f = fopen(path, "r");
  if (f) {
    uint64_t start, size;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
      if (sscanf(line, "%" SCNx64 " %" SCNx64, &start, &size) != 2) continue;
      if (n == cap) {
        cap = cap ? 2 * cap : 1024;
        struct Range* r = realloc(ranges, cap * sizeof *r);
        if (!r) break;
        ranges = r;
      }
      ranges[n].lo = start;
      ranges[n].hi = start + size;
      ++n;
    }
    fclose(f);
    qsort(ranges, n, sizeof *ranges, byLo);
  }
  uint64_t total = 0, jit = 0;
  for (struct Block* b = blocks; b; b = b->next) {
    const uint64_t c = b->execs * b->insns;
    total += c;
    size_t lo = 0, hi = n; /* the last range with lo <= vaddr */
    while (lo < hi) {
      const size_t mid = (lo + hi) / 2;
      if (ranges[mid].lo <= b->vaddr) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0 && b->vaddr < ranges[lo - 1].hi) jit += c;
  }
  char out[200];
  snprintf(out, sizeof out, "qemu_insn_count: total %" PRIu64 " insns, jit %" PRIu64 " insns (%zu perf-map ranges%s)\n",
           total, jit, n, f ? "" : ", no perf map");
  qemu_plugin_outs(out);
  free(ranges);
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t* info, int argc, char** argv) {
  (void)info;
  for (int i = 0; i < argc; ++i)
    if (strncmp(argv[i], "mapdir=", 7) == 0) snprintf(mapdir, sizeof mapdir, "%s", argv[i] + 7);
  qemu_plugin_register_vcpu_tb_trans_cb(id, onTranslate);
  qemu_plugin_register_atexit_cb(id, onExit, NULL);
  return 0;
}
