// runtime/exec/store.cpp -- Store object creation, linear memory reservation and growth (mmap: the base never
// moves), table growth, and the canonical type registry.
// Layer: exec.
#include "runtime/exec/store.h"

#include "runtime/exec/signals.h"

#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <vector>

namespace myrt {

namespace {

void* reserveAddressSpace(uint64_t bytes) {
  if (bytes == 0) bytes = kPageSize;
  void* p = mmap(nullptr, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

// StoreConfig::poolMemories: guarded reservations of dead memories, zeroed, with their first `accessible` bytes still
// readable and writable (the rest PROT_NONE). Bounded: beyond kPoolMax a dying memory is unmapped as before.
struct PooledReservation {
  uint8_t* base;
  uint64_t accessible;
};
constexpr size_t kPoolMax = 64;
constexpr uint64_t kZeroByMemset = uint64_t(256) << 10;  // larger: madvise(MADV_DONTNEED) (pages refault as zeros)
std::mutex poolMu;
std::vector<PooledReservation> pool;

bool poolReservation(uint8_t* base, uint64_t size) {
  {
    std::lock_guard<std::mutex> lock(poolMu);
    if (pool.size() >= kPoolMax) return false;
  }
  if (size <= kZeroByMemset) {
    std::memset(base, 0, size);
  } else if (madvise(base, size, MADV_DONTNEED) != 0) {
    return false;
  }
  std::lock_guard<std::mutex> lock(poolMu);
  if (pool.size() >= kPoolMax) return false;
  pool.push_back({base, size});
  return true;
}

// A pooled reservation with exactly `initial` bytes accessible, or nullptr.
uint8_t* takePooledReservation(uint64_t initial) {
  PooledReservation r;
  {
    std::lock_guard<std::mutex> lock(poolMu);
    if (pool.empty()) return nullptr;
    r = pool.back();
    pool.pop_back();
  }
  const int bad = r.accessible > initial ? mprotect(r.base + initial, r.accessible - initial, PROT_NONE)
                  : r.accessible < initial ? mprotect(r.base + r.accessible, initial - r.accessible, PROT_READ | PROT_WRITE)
                                           : 0;
  if (bad != 0) {
    munmap(r.base, kGuardedReservation);
    return nullptr;
  }
  return r.base;
}

}  // namespace

// ---- memories -------------------------------------------------------------------------------------------------------

MemoryInst::~MemoryInst() {
  if (guarded) unregisterGuardedMemory(base);
  const bool pooled = base && store && store->config().poolMemories && reserved == kGuardedReservation &&
                      !type.limits.shared && imageMapped == 0 && poolReservation(base, size);
  if (base && !pooled) munmap(base, reserved ? reserved : kPageSize);
  if (store) store->releaseMemoryBytes(size);
}

uint64_t MemoryInst::grow(uint64_t delta) {
  if (!type.limits.shared) return growLocked(delta);
  std::lock_guard<std::mutex> lock(growMu);
  return growLocked(delta);
}

uint64_t MemoryInst::growLocked(uint64_t delta) {
  const uint64_t old = pages();
  if (delta == 0) return old;
  if (delta > maxPages || old > maxPages - delta) return ~uint64_t(0);
  const uint64_t newPages = old + delta;
  const uint64_t newSize = newPages * kPageSize;
  if (newSize > reserved) return ~uint64_t(0);
  // A shared memory may grow on another store's thread: only its own store could collect (see reserveGrowBytes).
  if (!(type.limits.shared ? store->reserveMemoryBytes(newSize - size) : store->reserveGrowBytes(newSize - size)))
    return ~uint64_t(0);
  if (mprotect(base + size, newSize - size, PROT_READ | PROT_WRITE) != 0) {
    store->releaseMemoryBytes(newSize - size);
    return ~uint64_t(0);
  }
  __atomic_store_n(&size, newSize, __ATOMIC_RELEASE);
  type.limits.min = newPages;
  return old;
}

Result<MemoryInst*> Store::newMemory(const MemoryType& type) {
  auto m = std::make_unique<MemoryInst>();
  const Limits& l = type.limits;
  const uint64_t addrMax = l.is64 ? (uint64_t(1) << 48) : 65536;  // pages
  m->type = type;
  m->maxPages = std::min<uint64_t>(l.max.value_or(addrMax), addrMax);
  if (l.min > m->maxPages) return Error("memory size must be at most 65536 pages (4GiB)");
  const uint64_t limitPages = config_.limits.maxMemoryBytes / kPageSize;
  if (l.min > limitPages) return Error("out of memory: memory limit exceeded");
  // Reserve once: 32-bit memories get kGuardedReservation (4 GiB + 4 GiB guard + 64 KiB: any u32 index + u32 offset
  // + 16-byte access stays inside, so tiers skip bounds checks and the fault handler reports the trap); otherwise
  // the largest size the memory can reach under the store limit.
  uint64_t want = std::min(m->maxPages, limitPages) * kPageSize;
  const uint64_t resv = config_.limits.memoryReservation;
  const bool small = resv != 0 && resv < kGuardedReservation;
  if (small) want = std::min(want, std::max(l.min * kPageSize, (resv + kPageSize - 1) / kPageSize * kPageSize));
  void* p = nullptr;
  const uint64_t initial = l.min * kPageSize;
  bool committed = false;  // a pooled reservation comes with `initial` bytes accessible
  if (!l.is64 && config_.limits.guardPages && !small && installSignalHandlers()) {
    if (config_.poolMemories && !l.shared) {
      p = takePooledReservation(initial);
      committed = p != nullptr;
    }
    if (!p) p = reserveAddressSpace(kGuardedReservation);
    if (p) {
      m->reserved = kGuardedReservation;
      m->guarded = registerGuardedMemory(p, kGuardedReservation);
    }
  }
  while (!p && want >= l.min * kPageSize) {
    p = reserveAddressSpace(want);
    if (p) { m->reserved = want ? want : kPageSize; break; }
    if (want == l.min * kPageSize) break;
    want = std::max(l.min * kPageSize, want / 2);
  }
  if (!p) return Error("out of memory: cannot reserve linear memory");
  m->base = static_cast<uint8_t*>(p);
  m->store = this;
  // With a reservation smaller than maxPages, grow fails past it (allowed: grow may always fail).
  if (m->reserved / kPageSize < m->maxPages) m->maxPages = m->reserved / kPageSize;
  if (initial) {
    if (!reserveMemoryBytes(initial)) {
      if (committed) mprotect(m->base, initial, PROT_NONE);  // (pooled or unmapped with nothing accessible)
      return Error("out of memory: memory limit exceeded");
    }
    if (!committed && mprotect(m->base, initial, PROT_READ | PROT_WRITE) != 0) {
      releaseMemoryBytes(initial);
      return Error("out of memory: cannot commit linear memory");
    }
    m->size = initial;
  }
  memories_.push_back(std::move(m));
  return memories_.back().get();
}

bool Store::reserveMemoryBytes(uint64_t bytes) {
  // Atomic: a shared memory owned by this store may grow on another thread (MemoryInst::grow).
  uint64_t cur = memoryBytes_.load(std::memory_order_relaxed);
  do {
    if (bytes > config_.limits.maxMemoryBytes - cur) return false;
  } while (!memoryBytes_.compare_exchange_weak(cur, cur + bytes, std::memory_order_relaxed));
  return true;
}

bool Store::reserveHeapBytes(uint64_t bytes) {
  if (!reserveMemoryBytes(bytes)) return false;
  heapBytes_ += bytes;
  return true;
}

// ---- tables ---------------------------------------------------------------------------------------------------------

TableInst::~TableInst() {
  if (store) store->releaseMemoryBytes(size * sizeof(Ref));
}

uint64_t TableInst::grow(uint64_t delta, Ref init, uint64_t limit) {
  const uint64_t old = size;
  if (delta == 0) return old;
  const uint64_t max = std::min(maxSize, limit);
  if (delta > max || old > max - delta) return ~uint64_t(0);
  if (delta > (~uint64_t(0) >> 4) || (store && !store->reserveGrowBytes(delta * sizeof(Ref)))) return ~uint64_t(0);
  try {
    storage.resize(old + delta, init);
  } catch (const std::bad_alloc&) {  // also std::length_error: a failed grow is -1, never a crash
    if (store) store->releaseMemoryBytes(delta * sizeof(Ref));
    return ~uint64_t(0);
  } catch (const std::length_error&) {
    if (store) store->releaseMemoryBytes(delta * sizeof(Ref));
    return ~uint64_t(0);
  }
  elems = storage.data();
  size = old + delta;
  type.limits.min = size;
  return old;
}

Result<TableInst*> Store::newTable(const TableType& type, Ref init) {
  auto t = std::make_unique<TableInst>();
  const uint64_t addrMax = type.limits.is64 ? ~uint64_t(0) : 0xFFFFFFFFull;
  t->type = type;
  t->maxSize = std::min(type.limits.max.value_or(addrMax), addrMax);
  if (type.limits.min > config_.limits.maxTableElems) return Error("out of memory: table limit exceeded");
  if (!reserveMemoryBytes(type.limits.min * sizeof(Ref))) return Error("out of memory: memory limit exceeded");
  t->store = this;  // from here on its destructor gives the bytes back
  t->size = type.limits.min;
  try {
    t->storage.assign(type.limits.min, init);
  } catch (const std::bad_alloc&) {
    return Error("out of memory: cannot allocate table");
  }
  t->elems = t->storage.data();
  tables_.push_back(std::move(t));
  return tables_.back().get();
}

// ---- interruption ---------------------------------------------------------------------------------------------------

InterruptFlag::~InterruptFlag() {
  if (int fd = wakeFd_.load(); fd >= 0) close(fd);
}

void InterruptFlag::request() {
  requested.store(1, std::memory_order_seq_cst);
  if (int fd = wakeFd_.load(std::memory_order_seq_cst); fd >= 0) {
    const uint64_t one = 1;
    ssize_t r = write(fd, &one, sizeof one);  // EAGAIN (counter full) still leaves it readable
    (void)r;
  }
}

int InterruptFlag::wakeFd() {
  int fd = wakeFd_.load(std::memory_order_seq_cst);
  if (fd >= 0) return fd;
  const int made = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (made < 0) return -1;
  if (!wakeFd_.compare_exchange_strong(fd, made, std::memory_order_seq_cst)) {
    close(made);  // another thread made one first
    return fd;
  }
  return made;
}

void InterruptFlag::drainWake() {
  if (int fd = wakeFd_.load(); fd >= 0) {
    uint64_t v;
    ssize_t r = read(fd, &v, sizeof v);
    (void)r;
  }
}

// ---- other objects --------------------------------------------------------------------------------------------------

Store::Store(const StoreConfig& config) : config_(config) {
  cx_.store = this;
  cx_.interrupt = &interrupt_->requested;
  cx_.tierUp = config_.tierUp;
  cx_.tierInstall = config_.tierInstall;
  cx_.tierUpThreshold = config_.tierUpThreshold;
  cx_.osr = config_.osr;
  cx_.optTierUp = config_.optTierUp;
  cx_.maxDepth = config_.limits.maxCallDepth;
  gcStress_ = config_.gcStress || gcStressFromEnv();
  initStack();
}

Store::~Store() {
  // First: background work of the tier (compiles reading this store's objects) is cancelled or finished.
  tierState.reset();
  // Memories and tables release their bytes into the store: destroy them while the store is still alive.
  memories_.clear();
  tables_.clear();
  if (cx_.stackBase) munmap(cx_.stackBase, stackBytes_);
}

bool Store::initStack() {
  stackBytes_ = static_cast<size_t>(config_.limits.valueStackSlots * sizeof(Value));
  void* p = mmap(nullptr, stackBytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    stackBytes_ = 0;
    return false;
  }
  cx_.stackBase = static_cast<Value*>(p);
  cx_.stackEnd = cx_.stackBase + config_.limits.valueStackSlots;
  cx_.sp = cx_.stackBase;
  return true;
}

FuncInst* Store::newFunc() {
  funcs_.push_back(std::make_unique<FuncInst>());
  return funcs_.back().get();
}

namespace {
TrapReason hostEntry(ExecContext& cx, FuncInst& f, Value* io) {
  // Arguments and results share `io`; copy the arguments out first.
  Value argBuf[8];
  std::vector<Value> bigArgs;
  const uint32_t np = f.numParams(), nr = f.numResults();
  Value* args = argBuf;
  if (np > 8) {
    bigArgs.resize(np);
    args = bigArgs.data();
  }
  std::copy(io, io + np, args);
  Value resBuf[8];
  std::vector<Value> bigRes;
  Value* res = resBuf;
  if (nr > 8) {
    bigRes.resize(nr);
    res = bigRes.data();
  }
  TrapReason t;
  try {
    HostCallScope outsideWasm;  // a fault in host code is never taken for a wasm trap (exec/signals.h)
    t = f.host(cx, std::span<const Value>(args, np), std::span<Value>(res, nr));
  } catch (const std::bad_alloc&) {
    // A host function's failed allocation must not unwind into wasm frames (JIT code has no unwind tables).
    t = TrapReason::OutOfMemory;
  }
  if (t == TrapReason::None) std::copy(res, res + nr, io);
  return t;
}
}  // namespace

FuncInst* Store::newHostFunc(CompositeType type, HostFunc fn) {
  FuncInst* f = newFunc();
  f->ownedType = std::make_unique<CompositeType>(std::move(type));
  f->type = f->ownedType.get();
  f->typeId = types_.funcTypeId(*f->type);
  f->host = std::move(fn);
  f->entry = &hostEntry;
  f->index = 0;
  return f;
}

GlobalInst* Store::newGlobal(const GlobalType& type, Value v) {
  globals_.push_back(std::make_unique<GlobalInst>());
  GlobalInst* g = globals_.back().get();
  g->type = type;
  g->value = v;
  return g;
}

TagInst* Store::newTag() {
  tags_.push_back(std::make_unique<TagInst>());
  return tags_.back().get();
}

TagInst* Store::newTag(CompositeType type) {
  TagInst* t = newTag();
  t->ownedType = std::make_unique<CompositeType>(std::move(type));
  t->type = t->ownedType.get();
  t->typeId = types_.funcTypeId(*t->type);
  return t;
}

Instance* Store::newInstance() {
  instances_.push_back(std::make_unique<Instance>());
  instances_.back()->store = this;
  return instances_.back().get();
}

Ref Store::externRef(uint64_t hostValue) {
  auto& slot = externRefs_[hostValue];
  if (!slot) {
    slot = std::make_unique<ExternRefObject>();
    slot->hostValue = hostValue;
  }
  return slot.get();
}

// Heap objects (collector.cpp has the policy and the collection): see newHeapObject there.
ExnObject* Store::newException(TagInst* tag, size_t payloadSize) {
  auto* o = static_cast<ExnObject*>(newHeapObject(GcKind::Exn, sizeof(ExnObject), payloadSize));
  if (o) o->tag = tag;
  return o;
}

StructObject* Store::newStruct(uint32_t typeId, size_t numFields) {
  auto* o = static_cast<StructObject*>(newHeapObject(GcKind::Struct, sizeof(StructObject), numFields));
  if (o) o->typeId = typeId;
  return o;
}

ArrayObject* Store::newArray(uint32_t typeId, size_t length) {
  auto* o = static_cast<ArrayObject*>(newHeapObject(GcKind::Array, sizeof(ArrayObject), length));
  if (o) o->typeId = typeId;
  return o;
}

// ---- instances ------------------------------------------------------------------------------------------------------

void Instance::syncData() {
  data.memories = memories.data();
  data.memory0 = memories.empty() ? nullptr : memories[0];
  data.memory0Base = memories.empty() ? nullptr : memories[0]->base;
  data.globals = globals.data();
  data.tables = tables.data();
  data.funcs = funcs.data();
  data.tags = tags.data();
  data.typeIds = typeIds.data();
}

const Extern* Instance::findExport(std::string_view n) const {
  auto it = exports.find(std::string(n));
  return it == exports.end() ? nullptr : &it->second;
}

// ---- canonical types ------------------------------------------------------------------------------------------------

namespace {

void encodeU32(std::string& out, uint32_t v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

// Encodes a value type; concrete indices inside [groupStart, groupStart+groupSize) stay relative ('r'), others are
// replaced by their canonical id ('g').
void encodeValType(std::string& out, ValType t, uint32_t groupStart, uint32_t groupSize,
                   const std::vector<uint32_t>& canon) {
  out.push_back(static_cast<char>(t.kind));
  if (t.kind != ValKind::Ref) return;
  out.push_back(t.nullable ? 1 : 0);
  out.push_back(static_cast<char>(t.heap));
  if (t.heap != HeapKind::Concrete) return;
  if (t.index >= groupStart && t.index - groupStart < groupSize) {
    out.push_back('r');
    encodeU32(out, t.index - groupStart);
  } else {
    out.push_back('g');
    encodeU32(out, t.index < canon.size() ? canon[t.index] : UINT32_MAX);
  }
}

void encodeSubType(std::string& out, const SubType& st, uint32_t groupStart, uint32_t groupSize,
                   const std::vector<uint32_t>& canon) {
  out.push_back(st.final ? 'F' : 'O');
  out.push_back(static_cast<char>(st.supers.size()));
  for (uint32_t s : st.supers) encodeValType(out, ValType::ref(HeapKind::Concrete, false, s), groupStart, groupSize, canon);
  const CompositeType& c = st.comp;
  out.push_back(static_cast<char>(c.kind));
  encodeU32(out, static_cast<uint32_t>(c.params.size()));
  for (ValType t : c.params) encodeValType(out, t, groupStart, groupSize, canon);
  encodeU32(out, static_cast<uint32_t>(c.results.size()));
  for (ValType t : c.results) encodeValType(out, t, groupStart, groupSize, canon);
  encodeU32(out, static_cast<uint32_t>(c.fields.size()));
  for (const FieldType& f : c.fields) {
    out.push_back(f.mut ? 'm' : 'c');
    encodeValType(out, f.type, groupStart, groupSize, canon);
  }
}

}  // namespace

// A rec group is hashed once: its key is the encoding of all its members (references inside the group relative,
// others by canonical id), and its members get consecutive ids (group's first id + index). Linear in the size of the
// module's types (a per-member key holding the group's encoding made one group of N types quadratic).
std::vector<uint32_t> TypeRegistry::canonicalize(const Module& m) {
  std::vector<uint32_t> canon(m.types.size(), UINT32_MAX);
  uint32_t i = 0;
  std::string group;
  while (i < m.types.size()) {
    const uint32_t start = i;
    uint32_t size = m.types[i].recGroupSize;
    if (size == 0 || start + size > m.types.size()) size = 1;
    group.clear();
    encodeU32(group, size);
    for (uint32_t k = 0; k < size; ++k) encodeSubType(group, m.types[start + k], start, size, canon);
    auto [it, inserted] = ids_.emplace(group, static_cast<uint32_t>(types_.size()));
    if (inserted) {
      for (uint32_t k = 0; k < size; ++k) {
        types_.push_back(std::make_unique<CompositeType>(m.types[start + k].comp));
        supers_.push_back(UINT32_MAX);
        traced_.push_back(tracedOf(m.types[start + k].comp, &m));
      }
    }
    for (uint32_t k = 0; k < size; ++k) canon[start + k] = it->second + k;
    // Supertypes are declared before (or within) the group, so their ids are known now.
    for (uint32_t k = 0; k < size; ++k) {
      const SubType& st = m.types[start + k];
      if (!st.supers.empty() && st.supers[0] < canon.size() && supers_[canon[start + k]] == UINT32_MAX)
        supers_[canon[start + k]] = canon[st.supers[0]];
    }
    i = start + size;
  }
  return canon;
}

uint32_t TypeRegistry::funcTypeId(const CompositeType& ft) {
  SubType st;
  st.final = true;
  st.comp = ft;
  std::string key;
  static const std::vector<uint32_t> kNone;
  // A rec group of its own (the key canonicalize gives it). Host types only use abstract heap types; a concrete
  // index would have no module to resolve against.
  encodeU32(key, 1);
  encodeSubType(key, st, 0, 0, kNone);
  auto [it, inserted] = ids_.emplace(std::move(key), static_cast<uint32_t>(types_.size()));
  if (inserted) {
    types_.push_back(std::make_unique<CompositeType>(ft));
    supers_.push_back(UINT32_MAX);
    traced_.push_back(tracedOf(ft, nullptr));
  }
  return it->second;
}

}  // namespace myrt
