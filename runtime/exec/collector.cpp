// runtime/exec/collector.cpp -- the garbage collector of a store: allocation policy (when to collect, the memory
// limit), roots, marking and the sweep (runtime/exec/gc_heap.h holds the memory). docs/design.md "Garbage
// collection" has the design and its reasons.
// Layer: exec.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unordered_set>

#include "runtime/exec/store.h"

namespace myrt {

bool gcStressFromEnv() {
  static const bool on = [] {
    const char* v = std::getenv("MYRT_GC_STRESS");
    return v && *v && std::strcmp(v, "0") != 0;
  }();
  return on;
}

bool gcCheckRootsFromEnv() {
  static const bool on = [] {
    const char* v = std::getenv("MYRT_GC_CHECK_ROOTS");
    return v && *v && std::strcmp(v, "0") != 0;
  }();
  return on;
}

namespace {

bool isFuncHierarchy(ValType t, const Module* m, const TypeRegistry* reg) {
  if (t.heap == HeapKind::Func || t.heap == HeapKind::NoFunc) return true;
  if (t.heap != HeapKind::Concrete) return false;
  if (m) return t.index < m->types.size() && m->types[t.index].comp.kind == CompKind::Func;
  const CompositeType* ct = reg ? reg->type(t.index) : nullptr;  // canonical id (globals, tables after canonType)
  return !ct || ct->kind == CompKind::Func;
}

}  // namespace

// ---- which values of an object are references to GC objects (by canonical type) -----------------------------------

std::vector<uint32_t> TypeRegistry::tracedOf(const CompositeType& c, const Module* m) {
  std::vector<uint32_t> out;
  auto gcRef = [&](ValType t) { return t.isRef() && !isFuncHierarchy(t, m, nullptr); };
  switch (c.kind) {
    case CompKind::Func:  // a tag's payload
      for (uint32_t i = 0; i < c.params.size(); ++i)
        if (gcRef(c.params[i])) out.push_back(i);
      break;
    case CompKind::Struct:
      for (uint32_t i = 0; i < c.fields.size(); ++i)
        if (gcRef(c.fields[i].type)) out.push_back(i);
      break;
    case CompKind::Array:
      if (!c.fields.empty() && gcRef(c.fields[0].type)) out.push_back(0);  // every element
      break;
  }
  return out;
}

// ---- allocation ------------------------------------------------------------------------------------------------------

GcObject* Store::newHeapObject(GcKind kind, size_t headerBytes, uint64_t slots) {
  if (slots > (uint64_t(1) << 32) - 1) return nullptr;
  const size_t bytes = GcHeap::cellBytes(headerBytes + slots * sizeof(Value));
  if (!gcInhibit_ && (gcStress_ || allocatedSinceGc_ >= gcTrigger_)) collectGarbage();
  if (!reserveHeapBytes(bytes)) {
    if (gcInhibit_) return nullptr;
    collectGarbage();  // at the memory limit: what is garbage does not count
    if (!reserveHeapBytes(bytes)) return nullptr;
  }
  GcObject* o = heap_.allocate(headerBytes + slots * sizeof(Value));
  if (!o) {
    releaseHeapBytes(bytes);
    return nullptr;
  }
  allocatedSinceGc_ += bytes;
  if (heapBytes_ > gcStats_.peakHeapBytes) gcStats_.peakHeapBytes = heapBytes_;
  o->length = static_cast<uint32_t>(slots);
  o->kind = kind;
  return o;
}

bool Store::reserveGrowBytes(uint64_t bytes) {
  if (reserveMemoryBytes(bytes)) return true;
  if (gcInhibit_ || heapBytes_ == 0) return false;
  collectGarbage();
  return reserveMemoryBytes(bytes);
}

void Store::pinRef(Ref r) {
  if (r && !isI31(r)) ++pinned_[r];
}

void Store::unpinRef(Ref r) {
  if (!r || isI31(r)) return;
  auto it = pinned_.find(r);
  if (it != pinned_.end() && --it->second == 0) pinned_.erase(it);
}

// ---- marking ---------------------------------------------------------------------------------------------------------

// `r` is a reference of a type in the any, extern or exn hierarchy: null, an i31, a host extern reference or a heap
// object. Pushed unchecked: drainMarkStack reads its header (a cache miss, mostly) only after prefetching it.
void Store::markFrom(Ref r) {
  if (r && !isI31(r)) markStack_.push_back(static_cast<GcObject*>(r));
}

// Objects leave the mark stack through a small FIFO: each is prefetched when it enters and examined kFifo objects
// later, so the miss on its header overlaps with the work on the others (Boehm's and Cher et al.'s prefetch queue).
void Store::drainMarkStack() {
  constexpr unsigned kFifo = 16;
  GcObject* fifo[kFifo];
  unsigned head = 0, count = 0;
  while (count || !markStack_.empty()) {
    while (count < kFifo && !markStack_.empty()) {
      GcObject* p = markStack_.back();
      markStack_.pop_back();
      __builtin_prefetch(p, 1);
      fifo[(head + count++) % kFifo] = p;
    }
    GcObject* o = fifo[head];
    head = (head + 1) % kFifo;
    --count;
    if (o->mark || o->kind == GcKind::Host) continue;
    o->mark = 1;
    const uint32_t typeId = o->kind == GcKind::Exn ? static_cast<ExnObject*>(o)->tag->typeId : o->typeId;
    const std::vector<uint32_t>& traced = types_.tracedSlots(typeId);
    if (traced.empty()) continue;
    switch (o->kind) {
      case GcKind::Struct: {
        Value* f = static_cast<StructObject*>(o)->fields().data();
        for (uint32_t i : traced) markFrom(f[i].ref);
        break;
      }
      case GcKind::Exn: {
        Value* p = static_cast<ExnObject*>(o)->payload().data();
        for (uint32_t i : traced) markFrom(p[i].ref);
        break;
      }
      case GcKind::Array:
        for (Value& e : static_cast<ArrayObject*>(o)->elems()) markFrom(e.ref);
        break;
      case GcKind::Host: case GcKind::Free: break;
    }
  }
}

// The value stack: every frame of every tier keeps its values in Value slots below cx.sp at every point where an
// allocation can happen (calls spill everything; see docs/design.md). Interpreter frames stopped at a safepoint
// with a stack map report the slots holding references (precise); every slot of [stackBase, cx.sp) outside those
// frames is a root when its reference word is the exact address of a live object (conservative: JIT frames, invoke's
// arguments, frames of modules without GC types). A precise slot is still tested (heap_.isObject): a stale reference
// in a slot can then only keep an object alive, never be misread.
void Store::markValueStack() {
  rootSlots_.clear();
  coveredFrames_.clear();
  uint64_t unmapped = 0;
  if (cx_.interpFrames && cx_.interpStates) cx_.interpFrames(cx_, rootSlots_, coveredFrames_, unmapped);
  if (cx_.jitFrameWalker && cx_.jitFrames) cx_.jitFrameWalker(cx_, rootSlots_, coveredFrames_, unmapped);
  const bool check = gcCheckRootsFromEnv();
  std::unordered_set<Ref> hostRefs;  // (check) extern references of host values: not in the heap
  if (check)
    for (const auto& [value, obj] : externRefs_) hostRefs.insert(obj.get());
  for (Value* v : rootSlots_) {
    const Ref r = v->ref;
    if (check && (v < cx_.stackBase || v >= cx_.sp || (r && !isI31(r) && !heap_.isObject(r) && !hostRefs.count(r)))) {
      std::fprintf(stderr, "myrt: MYRT_GC_CHECK_ROOTS: precise root slot %td (value stack top %td) holds %p, %s\n",
                   v - cx_.stackBase, cx_.sp - cx_.stackBase, r,
                   v < cx_.stackBase || v >= cx_.sp ? "outside the value stack" : "not a reference");
      std::abort();
    }
    if (heap_.isObject(r)) markFrom(r);
  }
  gcStats_.preciseSlots += rootSlots_.size();
  gcStats_.unmappedFrames += unmapped;
  // the gaps between covered frames (which may overlap: a callee's frame starts at its caller's arguments)
  std::sort(coveredFrames_.begin(), coveredFrames_.end());
  Value* v = cx_.stackBase;
  auto scan = [&](Value* end) {
    for (; v && v < end; ++v) {
      ++gcStats_.conservativeSlots;
      if (heap_.isObject(v->ref)) markFrom(v->ref);
    }
  };
  for (const auto& [from, to] : coveredFrames_) {
    scan(std::min(from, cx_.sp));
    v = std::max(v, to);
  }
  scan(cx_.sp);
}

// MYRT_GC_CHECK_ROOTS, after marking from the precise roots: objects that a value-stack slot points to but that
// are not marked are garbage to the precise roots (the conservative scan would have kept them). They are counted and
// freed; the heap poisons freed cells, so if the stack maps missed a root, its later use crashes the test run.
void Store::checkConservativeOnly() {
  heap_.setPoisonFreed(true);
  for (Value* v = cx_.stackBase; v && v < cx_.sp; ++v)
    if (heap_.isObject(v->ref)) {
      const auto* o = static_cast<const GcObject*>(v->ref);
      if (!o->mark && o->kind != GcKind::Host) ++gcStats_.conservativeOnly;
    }
}

void Store::collectGarbage() {
  const auto start = std::chrono::steady_clock::now();
  // A root of an ambiguous static type (a concrete type may be a function type; extern references may be host
  // objects) is marked only when it is a heap object.
  auto root = [&](Ref r) {
    if (heap_.isObject(r)) markFrom(r);
  };
  markValueStack();
  for (auto& g : globals_)
    if (g->type.type.isRef() && !isFuncHierarchy(g->type.type, nullptr, &types_)) root(g->value.ref);
  for (auto& t : tables_) {
    if (isFuncHierarchy(t->type.elem, nullptr, &types_)) continue;
    for (uint64_t i = 0; i < t->size; ++i) root(t->elems[i]);
  }
  for (auto& inst : instances_) {
    if (!inst->module) continue;
    const Module& m = *inst->module;
    for (size_t s = 0; s < inst->elemSegments.size() && s < m.elems.size(); ++s) {
      if (isFuncHierarchy(m.elems[s].type, &m, nullptr)) continue;
      for (Ref r : inst->elemSegments[s]) root(r);
    }
  }
  root(cx_.exception);
  for (auto& [r, n] : pinned_) root(r);
  drainMarkStack();
  if (gcCheckRootsFromEnv()) checkConservativeOnly();
  const uint64_t freed = heap_.sweep();
  releaseHeapBytes(freed);
  allocatedSinceGc_ = 0;
  gcTrigger_ = std::max(kMinGcTrigger, heapBytes_);
  const uint64_t ns = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count());
  ++gcStats_.collections;
  gcStats_.freedBytes += freed;
  gcStats_.totalPauseNs += ns;
  gcStats_.maxPauseNs = std::max(gcStats_.maxPauseNs, ns);
}

}  // namespace myrt
