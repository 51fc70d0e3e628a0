// runtime/semantics/gc.cpp -- see gc.h (operand words, consumers).
#include <algorithm>
#include <cstring>

#include "runtime/semantics/gc.h"

namespace myrt::semantics {

namespace {

unsigned storageBytes(ValType t) {
  switch (t.kind) {
    case ValKind::I8: return 1;
    case ValKind::I16: return 2;
    case ValKind::I32: case ValKind::F32: return 4;
    case ValKind::V128: return 16;
    default: return 8;  // i64, f64 (references cannot come from data segments)
  }
}

Value readElem(const uint8_t* p, ValType t) {
  Value v;
  std::memcpy(v.v128, p, storageBytes(t));  // little endian: the low bytes of the slot
  return v;
}

Value unpack(Value v, ValType t, bool sign) {
  if (t.kind == ValKind::I8) return Value::fromI32(sign ? uint32_t(int32_t(int8_t(v.i32))) : (v.i32 & 0xffu));
  if (t.kind == ValKind::I16) return Value::fromI32(sign ? uint32_t(int32_t(int16_t(v.i32))) : (v.i32 & 0xffffu));
  return v;
}

}  // namespace

bool castMatches(const TypeRegistry& reg, Ref r, HeapKind kind, uint32_t id, bool nullable) {
  if (!r) return nullable;
  switch (kind) {
    case HeapKind::Any: case HeapKind::Func: case HeapKind::Extern: case HeapKind::Exn: return true;
    case HeapKind::None: case HeapKind::NoFunc: case HeapKind::NoExtern: case HeapKind::NoExn: case HeapKind::Bot:
      return false;
    case HeapKind::I31: return isI31(r);
    case HeapKind::Eq:
      return isI31(r) || static_cast<const GcObject*>(r)->kind != GcKind::Host;
    case HeapKind::Struct: return !isI31(r) && static_cast<const GcObject*>(r)->kind == GcKind::Struct;
    case HeapKind::Array: return !isI31(r) && static_cast<const GcObject*>(r)->kind == GcKind::Array;
    case HeapKind::Concrete: {
      const CompositeType* ct = reg.type(id);
      if (!ct) return false;
      if (ct->kind == CompKind::Func) return reg.isSubtype(static_cast<const FuncInst*>(r)->typeId, id);
      if (isI31(r)) return false;
      const GcObject* o = static_cast<const GcObject*>(r);
      return o->kind != GcKind::Host && reg.isSubtype(o->typeId, id);
    }
  }
  return false;
}

GcImms gcImmediates(const Instr& in, const Module& m, const std::vector<uint32_t>& typeIds) {
  auto canon = [&](uint32_t i) { return i < typeIds.size() ? typeIds[i] : UINT32_MAX; };
  const uint32_t t = canon(in.idx);
  auto make = [](uint32_t a, uint32_t b, uint32_t c, bool result) {
    GcImms g;
    g.imm[0] = a, g.imm[1] = b, g.imm[2] = c;
    g.result = result;
    return g;
  };
  // which immediates are canonical ids, of which module types (GcImms::canonMask)
  auto typed = [](GcImms g, unsigned k, uint32_t typeIndex) {
    g.canonMask |= uint8_t(1u << k);
    g.typeIndex[k] = typeIndex;
    return g;
  };
  switch (in.op) {
    case Op::StructNew:
      return typed(make(t, in.idx < m.types.size() ? static_cast<uint32_t>(m.types[in.idx].comp.fields.size()) : 0, 0,
                        true), 0, in.idx);
    case Op::ArrayNewFixed: case Op::StructGet: case Op::StructGetS: case Op::StructGetU: case Op::ArrayNew:
    case Op::ArrayNewData: case Op::ArrayNewElem: case Op::ArrayGet: case Op::ArrayGetS: case Op::ArrayGetU:
      return typed(make(t, in.idx2, 0, true), 0, in.idx);
    case Op::StructNewDefault: case Op::ArrayNewDefault: return typed(make(t, 0, 0, true), 0, in.idx);
    case Op::StructSet: case Op::ArrayInitData: case Op::ArrayInitElem: return typed(make(t, in.idx2, 0, false), 0, in.idx);
    case Op::ArraySet: case Op::ArrayFill: return typed(make(t, 0, 0, false), 0, in.idx);
    case Op::ArrayCopy: return typed(typed(make(t, 0, canon(in.idx2), false), 0, in.idx), 2, in.idx2);
    case Op::RefTest: case Op::RefTestNull: case Op::RefCast: case Op::RefCastNull: {
      const GcImms g = make(static_cast<uint32_t>(in.heap.kind),
                            in.heap.kind == HeapKind::Concrete ? canon(in.heap.index) : 0,
                            in.op == Op::RefTestNull || in.op == Op::RefCastNull, true);
      return in.heap.kind == HeapKind::Concrete ? typed(g, 1, in.heap.index) : g;
    }
    case Op::BrOnCast: case Op::BrOnCastFail: {  // the ref.test deciding the branch (flags bit 1: the target is nullable)
      const GcImms g = make(static_cast<uint32_t>(in.heap2.kind),
                            in.heap2.kind == HeapKind::Concrete ? canon(in.heap2.index) : 0, (in.flags & 2) != 0, true);
      return in.heap2.kind == HeapKind::Concrete ? typed(g, 1, in.heap2.index) : g;
    }
    default: return make(0, 0, 0, true);  // array.len, ref.i31, i31.get_s/u
  }
}

TrapReason gcStep(ExecContext& cx, Value* fp, const uint32_t* ip, Instance& inst) {
  Store& st = *cx.store;
  const TypeRegistry& reg = st.types();
  const Op op = static_cast<Op>(ip[2]);
  Value& dst = fp[ip[3]];
  auto S = [&](unsigned i) -> Value& { return fp[ip[4 + i]]; };
  const uint32_t imm0 = ip[9], imm1 = ip[10], imm2 = ip[11];
  const uint64_t kMaxLen = st.config().limits.maxTableElems;
  auto structOf = [&](Ref r) { return static_cast<StructObject*>(r); };
  auto arrayOf = [&](Ref r) { return static_cast<ArrayObject*>(r); };
  auto elemType = [&](uint32_t typeId) {
    const CompositeType* ct = reg.type(typeId);
    return ct && !ct->fields.empty() ? ct->fields[0].type : ValType::i32();
  };
  auto dataOf = [&](uint32_t seg, uint64_t& len) -> const uint8_t* {
    const Module& m = *inst.module;
    len = inst.droppedData[seg] ? 0 : m.datas[seg].data.size;
    return m.data(m.datas[seg].data);
  };
  switch (op) {
    case Op::StructNew: case Op::StructNewDefault: {
      const CompositeType* ct = reg.type(imm0);
      const size_t n = ct ? ct->fields.size() : 0;
      StructObject* o = st.newStruct(imm0, n);
      if (!o) return TrapReason::OutOfMemory;
      if (op == Op::StructNew)
        for (size_t i = 0; i < n; ++i) o->fields()[i] = packField(fp[ip[4] + i], ct->fields[i].type);
      dst.ref = o;
      return TrapReason::None;
    }
    case Op::StructGet: case Op::StructGetS: case Op::StructGetU: {
      if (!S(0).ref) return TrapReason::NullStructReference;
      const CompositeType* ct = reg.type(imm0);
      dst = unpack(structOf(S(0).ref)->fields()[imm1], ct->fields[imm1].type, op == Op::StructGetS);
      return TrapReason::None;
    }
    case Op::StructSet: {
      if (!S(0).ref) return TrapReason::NullStructReference;
      const CompositeType* ct = reg.type(imm0);
      structOf(S(0).ref)->fields()[imm1] = packField(S(1), ct->fields[imm1].type);
      return TrapReason::None;
    }
    case Op::ArrayNew: case Op::ArrayNewDefault: {
      const uint64_t len = (op == Op::ArrayNew ? S(1) : S(0)).i32;
      if (len > kMaxLen) return TrapReason::OutOfMemory;
      ArrayObject* o = st.newArray(imm0, static_cast<size_t>(len));
      if (!o) return TrapReason::OutOfMemory;
      if (op == Op::ArrayNew) std::fill(o->elems().begin(), o->elems().end(), packField(S(0), elemType(imm0)));
      dst.ref = o;
      return TrapReason::None;
    }
    case Op::ArrayNewFixed: {
      ArrayObject* o = st.newArray(imm0, imm1);
      if (!o) return TrapReason::OutOfMemory;
      const ValType et = elemType(imm0);
      for (uint32_t i = 0; i < imm1; ++i) o->elems()[i] = packField(fp[ip[4] + i], et);
      dst.ref = o;
      return TrapReason::None;
    }
    case Op::ArrayNewData: {
      const ValType et = elemType(imm0);
      const uint64_t s = S(0).i32, n = S(1).i32, sz = storageBytes(et);
      uint64_t segLen;
      const uint8_t* data = dataOf(imm1, segLen);
      if (s > segLen || n * sz > segLen - s) return TrapReason::MemoryOutOfBounds;
      if (n > kMaxLen) return TrapReason::OutOfMemory;
      ArrayObject* o = st.newArray(imm0, static_cast<size_t>(n));
      if (!o) return TrapReason::OutOfMemory;
      for (uint64_t i = 0; i < n; ++i) o->elems()[i] = readElem(data + s + i * sz, et);
      dst.ref = o;
      return TrapReason::None;
    }
    case Op::ArrayNewElem: {
      const std::vector<Ref>& seg = inst.elemSegments[imm1];
      const uint64_t s = S(0).i32, n = S(1).i32;
      if (s > seg.size() || n > seg.size() - s) return TrapReason::TableOutOfBounds;
      ArrayObject* o = st.newArray(imm0, static_cast<size_t>(n));
      if (!o) return TrapReason::OutOfMemory;
      for (uint64_t i = 0; i < n; ++i) o->elems()[i].ref = seg[s + i];
      dst.ref = o;
      return TrapReason::None;
    }
    case Op::ArrayGet: case Op::ArrayGetS: case Op::ArrayGetU: {
      if (!S(0).ref) return TrapReason::NullArrayReference;
      ArrayObject* a = arrayOf(S(0).ref);
      const uint32_t i = S(1).i32;
      if (i >= a->elems().size()) return TrapReason::ArrayOutOfBounds;
      dst = unpack(a->elems()[i], elemType(imm0), op == Op::ArrayGetS);
      return TrapReason::None;
    }
    case Op::ArraySet: {
      if (!S(0).ref) return TrapReason::NullArrayReference;
      ArrayObject* a = arrayOf(S(0).ref);
      const uint32_t i = S(1).i32;
      if (i >= a->elems().size()) return TrapReason::ArrayOutOfBounds;
      a->elems()[i] = packField(S(2), elemType(imm0));
      return TrapReason::None;
    }
    case Op::ArrayLen:
      if (!S(0).ref) return TrapReason::NullArrayReference;
      dst.i32 = static_cast<uint32_t>(arrayOf(S(0).ref)->elems().size());
      return TrapReason::None;
    case Op::ArrayFill: {
      if (!S(0).ref) return TrapReason::NullArrayReference;
      ArrayObject* a = arrayOf(S(0).ref);
      const uint64_t i = S(1).i32, n = S(3).i32;
      if (i > a->elems().size() || n > a->elems().size() - i) return TrapReason::ArrayOutOfBounds;
      std::fill(a->elems().begin() + static_cast<ptrdiff_t>(i), a->elems().begin() + static_cast<ptrdiff_t>(i + n),
                packField(S(2), elemType(imm0)));
      return TrapReason::None;
    }
    case Op::ArrayCopy: {
      if (!S(0).ref || !S(2).ref) return TrapReason::NullArrayReference;
      ArrayObject* d = arrayOf(S(0).ref);
      ArrayObject* s = arrayOf(S(2).ref);
      const uint64_t di = S(1).i32, si = S(3).i32, n = S(4).i32;
      if (di > d->elems().size() || n > d->elems().size() - di || si > s->elems().size() || n > s->elems().size() - si)
        return TrapReason::ArrayOutOfBounds;
      (void)imm2;
      if (n) std::memmove(static_cast<void*>(d->elems().data() + di), s->elems().data() + si, n * sizeof(Value));
      return TrapReason::None;
    }
    case Op::ArrayInitData: {
      if (!S(0).ref) return TrapReason::NullArrayReference;
      ArrayObject* a = arrayOf(S(0).ref);
      const ValType et = elemType(imm0);
      const uint64_t d = S(1).i32, s = S(2).i32, n = S(3).i32, sz = storageBytes(et);
      if (d > a->elems().size() || n > a->elems().size() - d) return TrapReason::ArrayOutOfBounds;
      uint64_t segLen;
      const uint8_t* data = dataOf(imm1, segLen);
      if (s > segLen || n * sz > segLen - s) return TrapReason::MemoryOutOfBounds;
      for (uint64_t i = 0; i < n; ++i) a->elems()[d + i] = readElem(data + s + i * sz, et);
      return TrapReason::None;
    }
    case Op::ArrayInitElem: {
      if (!S(0).ref) return TrapReason::NullArrayReference;
      ArrayObject* a = arrayOf(S(0).ref);
      const std::vector<Ref>& seg = inst.elemSegments[imm1];
      const uint64_t d = S(1).i32, s = S(2).i32, n = S(3).i32;
      if (d > a->elems().size() || n > a->elems().size() - d) return TrapReason::ArrayOutOfBounds;
      if (s > seg.size() || n > seg.size() - s) return TrapReason::TableOutOfBounds;
      for (uint64_t i = 0; i < n; ++i) a->elems()[d + i].ref = seg[s + i];
      return TrapReason::None;
    }
    case Op::RefTest: case Op::RefTestNull:
      dst.i32 = castMatches(reg, S(0).ref, static_cast<HeapKind>(imm0), imm1, imm2 != 0) ? 1 : 0;
      return TrapReason::None;
    case Op::RefCast: case Op::RefCastNull:
      if (!castMatches(reg, S(0).ref, static_cast<HeapKind>(imm0), imm1, imm2 != 0)) return TrapReason::CastFailure;
      dst = S(0);
      return TrapReason::None;
    case Op::RefI31:
      dst.ref = i31Ref(S(0).i32);
      return TrapReason::None;
    case Op::I31GetS: case Op::I31GetU: {
      if (!S(0).ref) return TrapReason::NullI31Reference;
      const uint32_t v = i31Value(S(0).ref);
      dst.i32 = op == Op::I31GetS ? ((v & 0x40000000u) ? (v | 0x80000000u) : v) : v;
      return TrapReason::None;
    }
    default:
      return TrapReason::Unimplemented;
  }
}

}  // namespace myrt::semantics
