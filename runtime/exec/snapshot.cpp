// runtime/exec/snapshot.cpp -- Store::snapshot / Store::restore (store.h StoreSnapshot): the mutable state of a
// store's memories, tables, globals and segments taken at one moment and put back later, so a store whose instances
// were just instantiated can serve as a fresh instance again and again (`myrt serve`).
// Layer: exec.
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "runtime/exec/store.h"

namespace myrt {

namespace {

// Maps [base, base + size) privately from a memfd holding its current bytes: what the memory reads stays the same,
// and madvise(MADV_DONTNEED) later drops the pages written since (they read the image again). False if any step
// fails (the memory is then unchanged).
bool mapImage(uint8_t* base, uint64_t size) {
  const int fd = memfd_create("myrt-snapshot", MFD_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ftruncate(fd, static_cast<off_t>(size)) == 0;
  for (uint64_t done = 0; ok && done < size;) {
    const ssize_t n = pwrite(fd, base + done, size - done, static_cast<off_t>(done));
    if (n <= 0) ok = false;
    else done += static_cast<uint64_t>(n);
  }
  ok = ok && mmap(base, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, 0) != MAP_FAILED;
  close(fd);  // the mapping keeps the file
  return ok;
}

}  // namespace

Result<std::unique_ptr<StoreSnapshot>> Store::snapshot(uint64_t copyOnWriteFrom) {
  if (heapBytes_ != 0 || !pinned_.empty())
    return Error("unsupported: a snapshot of a store with live garbage-collected objects");
  auto snap = std::make_unique<StoreSnapshot>();
  snap->memories.reserve(memories_.size());
  for (const auto& m : memories_) {
    if (m->type.limits.shared) return Error("unsupported: a snapshot of a store with a shared memory");
    StoreSnapshot::Memory sm;
    sm.size = m->size;
    // (a memory already mapped from an earlier snapshot's image keeps it: this one copies its bytes)
    sm.image = m->imageMapped == 0 && m->size >= copyOnWriteFrom && m->size > 0 && mapImage(m->base, m->size);
    if (sm.image) m->imageMapped = m->size;
    else sm.bytes.assign(m->base, m->base + m->size);
    snap->memories.push_back(std::move(sm));
  }
  for (const auto& t : tables_) snap->tables.emplace_back(t->storage.begin(), t->storage.begin() + t->size);
  for (const auto& g : globals_) snap->globals.push_back(g->value);
  for (const auto& i : instances_) {
    snap->elemSegments.push_back(i->elemSegments);
    snap->droppedData.push_back(i->droppedData);
  }
  snap->funcs = funcs_.size();
  snap->tags = tags_.size();
  snap->memoryBytes = memoryBytes_.load();
  return snap;
}

bool Store::restore(const StoreSnapshot& snap) {
  if (snap.memories.size() != memories_.size() || snap.tables.size() != tables_.size() ||
      snap.globals.size() != globals_.size() || snap.elemSegments.size() != instances_.size() ||
      snap.funcs != funcs_.size() || snap.tags != tags_.size())
    return false;
  // Nothing runs: the execution context is at rest (a trap may have left frames behind).
  cx_.sp = cx_.stackBase;
  cx_.depth = 0;
  cx_.exception = nullptr;
  cx_.caller = nullptr;
  cx_.jitFrames = nullptr;
  cx_.trapMessage.clear();
  cx_.clearBacktrace();
  if (interrupt_->requested.load() != 0) {
    interrupt_->clear();
    interrupt_->drainWake();
  }
  for (size_t i = 0; i < memories_.size(); ++i) {
    MemoryInst& m = *memories_[i];
    const StoreSnapshot::Memory& sm = snap.memories[i];
    if (m.size < sm.size) return false;  // memories never shrink: not this store's snapshot
    if (m.size > sm.size) {
      // the pages grown since: zero (they refault as zeros) and inaccessible again, as before the grow
      uint8_t* from = m.base + sm.size;
      const uint64_t n = m.size - sm.size;
      if (madvise(from, n, MADV_DONTNEED) != 0 || mprotect(from, n, PROT_NONE) != 0) return false;
      m.size = sm.size;
      m.type.limits.min = sm.size / kPageSize;
    }
    if (sm.image) {
      if (m.imageMapped != sm.size || madvise(m.base, sm.size, MADV_DONTNEED) != 0) return false;
    } else if (sm.size) {
      if (sm.bytes.size() != sm.size) return false;
      std::memcpy(m.base, sm.bytes.data(), sm.size);
    }
  }
  for (size_t i = 0; i < tables_.size(); ++i) {
    TableInst& t = *tables_[i];
    const std::vector<Ref>& st = snap.tables[i];
    if (t.size < st.size()) return false;
    t.storage.assign(st.begin(), st.end());
    t.elems = t.storage.data();
    t.size = st.size();
    t.type.limits.min = t.size;
  }
  for (size_t i = 0; i < globals_.size(); ++i) globals_[i]->value = snap.globals[i];
  for (size_t i = 0; i < instances_.size(); ++i) {
    Instance& inst = *instances_[i];
    const auto& segs = snap.elemSegments[i];
    if (inst.elemSegments.size() != segs.size()) return false;
    for (size_t k = 0; k < segs.size(); ++k)
      if (inst.elemSegments[k].size() != segs[k].size()) inst.elemSegments[k] = segs[k];  // elem.drop empties
    inst.droppedData = snap.droppedData[i];
  }
  // Objects made since are unreachable now (the snapshot had none): collect them.
  if (heapBytes_ != 0) {
    pinned_.clear();
    collectGarbage();
    if (heapBytes_ != 0) return false;
  }
  memoryBytes_.store(snap.memoryBytes);
  return true;
}

}  // namespace myrt
