// runtime/exec/bulk.h -- bulk memory, table and call_indirect semantics, defined once for every tier: the
// interpreter's handlers (runtime/interp/run.cpp), the JIT's helper calls (jit/common/helpers.cpp) and instantiation
// of active segments (runtime/exec/instantiate.cpp) all call these. Each returns TrapReason::None or the spec's trap;
// nothing is written when it traps. Indices are already zero-extended (i32) or full (i64) by the caller.
// Layer: exec (header-only).
#pragma once
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "runtime/exec/store.h"

namespace myrt::bulk {

inline bool rangeOk(uint64_t start, uint64_t n, uint64_t size) { return start <= size && n <= size - start; }

inline TrapReason memoryFill(MemoryInst& m, uint64_t d, uint8_t val, uint64_t n) {
  if (!m.inBounds(d, n)) return TrapReason::MemoryOutOfBounds;
  if (n) std::memset(m.base + d, val, n);
  return TrapReason::None;
}

inline TrapReason memoryCopy(MemoryInst& dm, uint64_t d, const MemoryInst& sm, uint64_t s, uint64_t n) {
  if (!dm.inBounds(d, n) || !sm.inBounds(s, n)) return TrapReason::MemoryOutOfBounds;
  if (n) std::memmove(dm.base + d, sm.base + s, n);
  return TrapReason::None;
}

// memory.init (and active data segments): bytes [s, s+n) of data segment `seg` of `inst` (empty once dropped).
inline TrapReason memoryInit(const Instance& inst, uint32_t seg, MemoryInst& m, uint64_t d, uint64_t s, uint64_t n) {
  const DataSegment& ds = inst.module->datas[seg];
  const uint64_t segLen = inst.droppedData[seg] ? 0 : ds.data.size;
  if (!m.inBounds(d, n) || !rangeOk(s, n, segLen)) return TrapReason::MemoryOutOfBounds;
  if (n) std::memcpy(m.base + d, inst.module->data(ds.data) + s, n);
  return TrapReason::None;
}

inline TrapReason tableGet(const TableInst& t, uint64_t i, Ref& out) {
  if (i >= t.size) return TrapReason::TableOutOfBounds;
  out = t.elems[i];
  return TrapReason::None;
}

inline TrapReason tableSet(TableInst& t, uint64_t i, Ref v) {
  if (i >= t.size) return TrapReason::TableOutOfBounds;
  t.elems[i] = v;
  return TrapReason::None;
}

inline TrapReason tableFill(TableInst& t, uint64_t i, Ref v, uint64_t n) {
  if (!rangeOk(i, n, t.size)) return TrapReason::TableOutOfBounds;
  std::fill(t.elems + i, t.elems + i + n, v);
  return TrapReason::None;
}

inline TrapReason tableCopy(TableInst& dt, uint64_t d, const TableInst& st, uint64_t s, uint64_t n) {
  if (!rangeOk(d, n, dt.size) || !rangeOk(s, n, st.size)) return TrapReason::TableOutOfBounds;
  if (n) std::memmove(static_cast<void*>(dt.elems + d), st.elems + s, n * sizeof(Ref));
  return TrapReason::None;
}

// table.init (and active element segments): elements [s, s+n) of the evaluated element segment `seg` of `inst`.
inline TrapReason tableInit(const Instance& inst, uint32_t seg, TableInst& t, uint64_t d, uint64_t s, uint64_t n) {
  const std::vector<Ref>& refs = inst.elemSegments[seg];
  if (!rangeOk(d, n, t.size) || !rangeOk(s, n, refs.size())) return TrapReason::TableOutOfBounds;
  std::copy(refs.begin() + static_cast<ptrdiff_t>(s), refs.begin() + static_cast<ptrdiff_t>(s + n), t.elems + d);
  return TrapReason::None;
}

// call_indirect / return_call_indirect: the callee at t[i] after the bounds, null and type checks (the expected type
// is the canonical id `typeId`).
inline TrapReason indirectCallee(ExecContext& cx, const TableInst& t, uint64_t i, uint32_t typeId, FuncInst*& callee) {
  if (i >= t.size) return TrapReason::UndefinedElement;
  callee = static_cast<FuncInst*>(t.elems[i]);
  if (!callee) {
    cx.trapMessage = "uninitialized element " + std::to_string(i);  // the reference interpreter's wording
    return TrapReason::UninitializedElement;
  }
  if (callee->typeId != typeId && !cx.store->types().isSubtype(callee->typeId, typeId))
    return TrapReason::IndirectCallTypeMismatch;
  return TrapReason::None;
}

}  // namespace myrt::bulk
