// runtime/exec/gc_heap.cpp -- see gc_heap.h.
#include "runtime/exec/gc_heap.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include "runtime/exec/store.h"

namespace myrt {

namespace {

// Size classes (bytes): 32..512 by 16, then four per power of two up to kMaxSmallBytes. A constant table (no guard
// of a function-local static on the allocation path).
constexpr size_t kNumClasses = (512 - 32) / 16 + 1 + 4 * 4;
struct Classes {
  uint32_t sizes[kNumClasses] = {};
  uint8_t byUnits[GcHeap::kMaxSmallBytes / 16 + 1] = {};  // class of a size in 16-byte units
};
constexpr Classes makeClasses() {
  Classes c;
  size_t n = 0;
  for (uint32_t s = 32; s <= 512; s += 16) c.sizes[n++] = s;
  for (uint32_t p = 512; p < GcHeap::kMaxSmallBytes; p *= 2)
    for (uint32_t q = 1; q <= 4; ++q) c.sizes[n++] = p + q * p / 4;
  size_t k = 0;
  for (uint32_t u = 0; u <= GcHeap::kMaxSmallBytes / 16; ++u) {
    while (c.sizes[k] < u * 16) ++k;
    c.byUnits[u] = static_cast<uint8_t>(k);
  }
  return c;
}
constexpr Classes kClasses = makeClasses();
static_assert(kClasses.sizes[kNumClasses - 1] == GcHeap::kMaxSmallBytes);
const Classes& classes() { return kClasses; }

size_t roundUp16(size_t n) { return (n + 15) & ~size_t(15); }

}  // namespace

GcHeap::GcHeap() {
  current_.assign(kNumClasses, nullptr);
  freeLists_.assign(kNumClasses, nullptr);
}

GcHeap::~GcHeap() {
  for (Chunk* c : chunks_) std::free(c);
  for (Chunk* c : emptyChunks_) std::free(c);
  for (auto& [p, n] : large_) ::operator delete(const_cast<void*>(p), std::align_val_t(16));
}

size_t GcHeap::cellBytes(size_t bytes) {
  if (bytes > kMaxSmallBytes) return roundUp16(bytes);
  const Classes& c = classes();
  return c.sizes[c.byUnits[roundUp16(bytes) / 16]];
}

GcHeap::Chunk* GcHeap::newChunk(uint8_t cls) {
  void* mem = nullptr;
  if (!emptyChunks_.empty()) {
    mem = emptyChunks_.back();
    emptyChunks_.pop_back();
  } else {
    mem = std::aligned_alloc(kChunkBytes, kChunkBytes);
    if (!mem) return nullptr;
  }
  try {
    chunks_.reserve(chunks_.size() + 1);
    chunkSet_.insert(reinterpret_cast<uintptr_t>(mem));
  } catch (const std::bad_alloc&) {
    std::free(mem);
    return nullptr;
  }
  auto* c = new (mem) Chunk;
  c->cls = cls;
  c->cellSize = classes().sizes[cls];
  c->numCells = static_cast<uint32_t>((kChunkBytes - kCellsOffset) / c->cellSize);
  c->bump = 0;
  chunks_.push_back(c);
  return c;
}

void GcHeap::releaseChunk(Chunk* c) {
  chunkSet_.erase(reinterpret_cast<uintptr_t>(c));
  if (current_[c->cls] == c) current_[c->cls] = nullptr;
  if (emptyChunks_.size() < kMaxEmptyChunks) {
    emptyChunks_.push_back(c);  // its cells are zeroed again when handed out
  } else {
    std::free(c);
  }
}

GcObject* GcHeap::allocate(size_t bytes) {
  if (bytes > kMaxSmallBytes) {
    const size_t n = roundUp16(bytes);
    void* p = ::operator new(n, std::align_val_t(16), std::nothrow);
    if (!p) return nullptr;
    try {
      large_.emplace(p, n);
    } catch (const std::bad_alloc&) {
      ::operator delete(p, std::align_val_t(16));
      return nullptr;
    }
    std::memset(p, 0, n);
    largeBytes_ += n;
    auto* o = static_cast<GcObject*>(p);
    o->sizeClass = kLarge;
    return o;
  }
  const uint8_t cls = classes().byUnits[roundUp16(bytes) / 16];
  const size_t size = classes().sizes[cls];
  void* cell = freeLists_[cls];
  if (cell) {
    std::memcpy(&freeLists_[cls], static_cast<uint8_t*>(cell) + 8, sizeof(void*));
  } else {
    Chunk* c = current_[cls];
    if (!c || c->bump == c->numCells) {
      c = newChunk(cls);
      if (!c) return nullptr;
      current_[cls] = c;
    }
    cell = c->cells() + size_t(c->bump++) * c->cellSize;
  }
  std::memset(cell, 0, size);
  auto* o = static_cast<GcObject*>(cell);
  o->sizeClass = cls;
  return o;
}

bool GcHeap::isObject(const void* p) const {
  const auto a = reinterpret_cast<uintptr_t>(p);
  if (!a || (a & 15)) return false;
  const uintptr_t base = a & ~uintptr_t(kChunkBytes - 1);
  if (chunkSet_.count(base)) {
    const auto* c = reinterpret_cast<const Chunk*>(base);
    if (a < base + kCellsOffset) return false;
    const uintptr_t off = a - base - kCellsOffset;
    if (off % c->cellSize || off / c->cellSize >= c->bump) return false;
    return static_cast<const GcObject*>(p)->kind != GcKind::Free;
  }
  return large_.count(p) != 0;
}

void GcHeap::freeCell(uint8_t cls, void* cell) {
  auto* o = static_cast<GcObject*>(cell);
  o->kind = GcKind::Free;
  o->mark = 0;
  std::memcpy(static_cast<uint8_t*>(cell) + 8, &freeLists_[cls], sizeof(void*));
  freeLists_[cls] = cell;
}

uint64_t GcHeap::sweep() {
  uint64_t freed = 0;
  // Free lists are rebuilt in address order of their chunks' cells: chunks back to front, cells back to front, each
  // pushed on the front of its class's list.
  for (void*& f : freeLists_) f = nullptr;
  std::vector<Chunk*> kept, empty;
  kept.reserve(chunks_.size());
  for (size_t i = chunks_.size(); i-- > 0;) {
    Chunk* c = chunks_[i];
    void* const listBefore = freeLists_[c->cls];
    uint32_t live = 0;
    for (uint32_t k = c->bump; k-- > 0;) {
      auto* o = reinterpret_cast<GcObject*>(c->cells() + size_t(k) * c->cellSize);
      if (o->kind == GcKind::Free) {
        freeCell(c->cls, o);
      } else if (o->mark) {
        o->mark = 0;
        ++live;
      } else {
        freed += c->cellSize;
        if (poisonFreed_) std::memset(reinterpret_cast<uint8_t*>(o) + 16, 0xdb, c->cellSize - 16);
        freeCell(c->cls, o);
      }
    }
    if (live == 0 && c != current_[c->cls]) {
      freeLists_[c->cls] = listBefore;  // none of its cells stay on the list
      empty.push_back(c);
    } else {
      kept.push_back(c);
    }
  }
  chunks_.assign(kept.rbegin(), kept.rend());
  for (Chunk* c : empty) releaseChunk(c);
  for (auto it = large_.begin(); it != large_.end();) {
    auto* o = static_cast<GcObject*>(const_cast<void*>(it->first));
    if (o->mark) {
      o->mark = 0;
      ++it;
      continue;
    }
    freed += it->second;
    largeBytes_ -= it->second;
    ::operator delete(o, std::align_val_t(16));
    it = large_.erase(it);
  }
  return freed;
}

}  // namespace myrt
