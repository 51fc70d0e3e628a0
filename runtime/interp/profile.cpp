// runtime/interp/profile.cpp -- see profile.h (built into every interp library; called only by a profiling build's
// dispatch loop).
#include "runtime/interp/profile.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "runtime/interp/code.h"

namespace myrt::interp::profile {
namespace {

struct State {
  unsigned n = 0;
  std::vector<const void*> keys;     // open addressing: handler address -> op index
  std::vector<uint16_t> values;
  std::vector<uint64_t> pairs;       // n x n counts, [prev * n + cur]
  unsigned prev = 0;                 // the op before (n: none yet)
};
State* g = nullptr;

unsigned slotOf(const void* p, size_t mask) {
  return static_cast<unsigned>((reinterpret_cast<uintptr_t>(p) * 0x9E3779B97F4A7C15ull >> 40) & mask);
}

void dump() {
  const char* out = std::getenv("MYRT_INTERP_PROFILE_OUT");
  if (!g || !out || !*out) return;
  std::FILE* f = std::fopen(out, "a");
  if (!f) return;
  for (unsigned a = 0; a < g->n; ++a)
    for (unsigned b = 0; b < g->n; ++b)
      if (uint64_t c = g->pairs[size_t(a) * g->n + b])
        std::fprintf(f, "%llu %s %s\n", static_cast<unsigned long long>(c), iopName(static_cast<IOp>(a)),
                     iopName(static_cast<IOp>(b)));
  std::fclose(f);
}

}  // namespace

void init(const void* const* table, unsigned count) {
  if (g) return;
  g = new State;
  g->n = count;
  size_t size = 1;
  while (size < count * 4u) size <<= 1;
  g->keys.assign(size, nullptr);
  g->values.assign(size, 0);
  for (unsigned i = 0; i < count; ++i) {
    unsigned s = slotOf(table[i], size - 1);
    while (g->keys[s] && g->keys[s] != table[i]) s = (s + 1) & (size - 1);
    if (g->keys[s]) continue;  // ops sharing one handler count as the first of them
    g->keys[s] = table[i];
    g->values[s] = static_cast<uint16_t>(i);
  }
  g->pairs.assign(size_t(count) * count, 0);
  g->prev = count;
  std::atexit(dump);
}

void step(const void* handler) {
  const size_t mask = g->keys.size() - 1;
  unsigned s = slotOf(handler, mask);
  while (g->keys[s] != handler) {
    if (!g->keys[s]) return;  // not a handler of the table (cannot happen)
    s = (s + 1) & mask;
  }
  const unsigned cur = g->values[s];
  if (g->prev < g->n) ++g->pairs[size_t(g->prev) * g->n + cur];
  g->prev = cur;
}

}  // namespace myrt::interp::profile
