// runtime/exec/gc_heap.h -- the memory of a store's garbage-collected objects (GC structs and arrays, exceptions):
// a non-moving allocator with size-class free lists, the mark bits, the sweep, and the exact "is this the start of a
// live object" test the conservative scan of the value stack uses. What is a root and how objects are traced is the
// collector's (runtime/exec/collector.cpp, Store::collectGarbage); policy (when to collect, the memory limit) is the
// Store's. See docs/design.md "Garbage collection".
// Layer: exec (depends on store.h's object header only).
//
// Small objects (up to kMaxSmallBytes) live in 256 KiB chunks aligned to their size, one size class per chunk; cells
// of a chunk are handed out by a bump index first, then from the class's free list (rebuilt by every sweep, in
// address order). A free cell has GcKind::Free in its header and the next free cell in its second word. Chunks left
// empty by a sweep go to a small pool of empty chunks (reused by any class) or back to the system. Large objects are
// allocated one by one (operator new) and kept in a set.
#pragma once
#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace myrt {

struct GcObject;

class GcHeap {
 public:
  static constexpr size_t kChunkBytes = size_t(256) << 10;
  static constexpr size_t kMaxSmallBytes = 8192;
  static constexpr uint8_t kLarge = 0xff;  // GcObject::sizeClass of a large object

  GcHeap();
  ~GcHeap();
  GcHeap(const GcHeap&) = delete;
  GcHeap& operator=(const GcHeap&) = delete;

  // The bytes an object of `bytes` occupies (its cell size, or `bytes` rounded up to 16 for a large one).
  static size_t cellBytes(size_t bytes);
  // A zeroed block of cellBytes(bytes) bytes, 16-aligned, whose header (sizeClass) is set; nullptr if the system
  // allocation fails. The caller sets the rest of the header (kind last).
  GcObject* allocate(size_t bytes);
  // Whether `p` is the start of an object allocated here and not freed (any pointer-sized value may be asked).
  bool isObject(const void* p) const;
  // Frees every unmarked object and clears the marks of the others. Returns the bytes freed (cell sizes).
  uint64_t sweep();
  // Debugging (MYRT_GC_CHECK_ROOTS): the sweep fills the values of every small object it frees with 0xdb bytes, so a
  // later use of an object whose root was missed reads wild references (and crashes) instead of stale values.
  void setPoisonFreed(bool on) { poisonFreed_ = on; }
  uint64_t chunkBytes() const { return chunks_.size() * kChunkBytes; }  // committed to small objects
  uint64_t largeBytes() const { return largeBytes_; }

 private:
  struct Chunk {
    uint32_t cellSize = 0;
    uint32_t numCells = 0;
    uint32_t bump = 0;   // cells [0, bump) have been handed out at least once
    uint8_t cls = 0;
    uint8_t* cells() { return reinterpret_cast<uint8_t*>(this) + kCellsOffset; }
  };
  static constexpr size_t kCellsOffset = 64;
  static constexpr size_t kMaxEmptyChunks = 8;

  Chunk* newChunk(uint8_t cls);
  void releaseChunk(Chunk* c);
  void freeCell(uint8_t cls, void* cell);

  std::vector<Chunk*> chunks_;              // every chunk holding cells
  std::unordered_set<uintptr_t> chunkSet_;  // their addresses, for isObject
  std::vector<Chunk*> current_;             // per class: the chunk whose bump index is handed out next (or null)
  std::vector<void*> freeLists_;            // per class: first free cell (next in its second word)
  std::vector<Chunk*> emptyChunks_;         // pool of empty chunks
  std::unordered_map<const void*, size_t> large_;  // large objects and their sizes
  uint64_t largeBytes_ = 0;
  bool poisonFreed_ = false;
};

}  // namespace myrt
