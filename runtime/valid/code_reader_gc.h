// runtime/valid/code_reader_gc.h -- CodeReader helpers typing the GC proposal's instructions (struct/array ops,
// i31, casts, extern/any conversions). Called from the single opcode switch in code_reader_ops.h; included at the end
// of code_reader.h only.
// Layer: valid. Messages follow the 3.0 testsuite: "immutable field", "immutable array", "array types do not match",
// "array type is not numeric or vector", "type mismatch", "unknown type".
#pragma once

namespace myrt {

#define MYRT_CR_TEMPLATE template <class Interface, bool Validate>
#define MYRT_CR CodeReader<Interface, Validate>

namespace detail {
inline ValType unpacked(ValType t) { return t.isPacked() ? ValType::i32() : t; }
}  // namespace detail

MYRT_CR_TEMPLATE
bool MYRT_CR::compositeAt(uint32_t typeIdx, CompKind kind, const CompositeType*& ct) {
  if (!ctx_.validTypeIndex(typeIdx)) return fail("unknown type " + std::to_string(typeIdx));
  ct = &m_.types[typeIdx].comp;
  if (ct->kind != kind || (kind == CompKind::Array && ct->fields.size() != 1))
    return fail(kind == CompKind::Struct ? "type mismatch: expected a struct type" : "type mismatch: expected an array type");
  return true;
}

// Pops `count` operands of type t (array.new_fixed); in unreachable code missing operands are Bot.
MYRT_CR_TEMPLATE
bool MYRT_CR::popMany(ValType t, uint32_t count) {
  const ControlEntry& c = ctrl_.back();
  size_t avail = stack_.size() - c.height;
  if (count > avail) {
    if (Validate && !c.unreachable) return fail("type mismatch: operand stack underflow");
    count = static_cast<uint32_t>(avail);
  }
  for (uint32_t i = 0; i < count; ++i)
    if (!popExpect(t)) return false;
  return true;
}

MYRT_CR_TEMPLATE
bool MYRT_CR::opStruct(Op op) {
  const uint32_t x = in_.idx;
  const CompositeType* st = nullptr;
  if (!compositeAt(x, CompKind::Struct, st)) return false;
  const ValType ref = ValType::ref(HeapKind::Concrete, true, x);
  if (op == Op::StructNew || op == Op::StructNewDefault) {
    if (op == Op::StructNew) {
      for (size_t i = st->fields.size(); i-- > 0;)
        if (!popExpect(detail::unpacked(st->fields[i].type))) return false;
    } else if constexpr (Validate) {
      for (const FieldType& f : st->fields)
        if (!TypeContext::defaultable(f.type)) return fail("type mismatch: field type is not defaultable");
    }
    push(ValType::ref(HeapKind::Concrete, false, x));
    iface_.onGc(in_);
    return true;
  }
  if (in_.idx2 >= st->fields.size()) return fail("unknown field " + std::to_string(in_.idx2));
  const FieldType& f = st->fields[in_.idx2];
  if (op == Op::StructSet) {
    if constexpr (Validate) {
      if (!f.mut) return fail("immutable field");
    }
    if (!popExpect(detail::unpacked(f.type)) || !popExpect(ref)) return false;
  } else {
    if constexpr (Validate) {
      if ((op == Op::StructGet) == f.type.isPacked())
        return fail(op == Op::StructGet ? "type mismatch: packed field needs struct.get_s/u"
                                        : "type mismatch: field is not packed");
    }
    if (!popExpect(ref)) return false;
    push(detail::unpacked(f.type));
  }
  iface_.onGc(in_);
  return true;
}

MYRT_CR_TEMPLATE
bool MYRT_CR::opArray(Op op) {
  if (op == Op::ArrayLen) {
    if (!popExpect(ValType::ref(HeapKind::Array, true))) return false;
    push(ValType::i32());
    iface_.onGc(in_);
    return true;
  }
  const uint32_t x = in_.idx;
  const CompositeType* at = nullptr;
  if (!compositeAt(x, CompKind::Array, at)) return false;
  const FieldType& f = at->fields[0];
  const ValType elem = detail::unpacked(f.type);
  const ValType ref = ValType::ref(HeapKind::Concrete, true, x);
  const ValType i32 = ValType::i32();
  auto needMutable = [&]() { return !Validate || f.mut || fail("immutable array"); };
  auto needNumeric = [&]() {
    return !Validate || !f.type.isRef() || fail("array type is not numeric or vector");
  };
  auto needData = [&](uint32_t d) {
    if constexpr (Validate) {
      if (!m_.dataCount && !m_.datas.empty()) return fail("data count section required");
      if (d >= m_.dataCount.value_or(0)) return fail("unknown data segment " + std::to_string(d));
    }
    return true;
  };
  auto needElem = [&](uint32_t e) {
    if (e >= m_.elems.size()) return fail("unknown elem segment " + std::to_string(e));
    if constexpr (Validate) {
      if (!ctx_.isSubtype(m_.elems[e].type, f.type)) return mismatch(f.type, m_.elems[e].type);
    }
    return true;
  };
  bool produces = false;
  switch (op) {
    case Op::ArrayNew:
      if (!popExpect(i32) || !popExpect(elem)) return false;
      produces = true;
      break;
    case Op::ArrayNewDefault:
      if constexpr (Validate) {
        if (!TypeContext::defaultable(f.type)) return fail("type mismatch: array element type is not defaultable");
      }
      if (!popExpect(i32)) return false;
      produces = true;
      break;
    case Op::ArrayNewFixed:
      if (!popMany(elem, in_.idx2)) return false;
      produces = true;
      break;
    case Op::ArrayNewData:
      if (!needNumeric() || !needData(in_.idx2) || !popExpect(i32) || !popExpect(i32)) return false;
      produces = true;
      break;
    case Op::ArrayNewElem:
      if (!needElem(in_.idx2) || !popExpect(i32) || !popExpect(i32)) return false;
      produces = true;
      break;
    case Op::ArrayGet:
    case Op::ArrayGetS:
    case Op::ArrayGetU:
      if constexpr (Validate) {
        if ((op == Op::ArrayGet) == f.type.isPacked())
          return fail(op == Op::ArrayGet ? "type mismatch: packed array needs array.get_s/u"
                                         : "type mismatch: array is not packed");
      }
      if (!popExpect(i32) || !popExpect(ref)) return false;
      push(elem);
      break;
    case Op::ArraySet:
      if (!needMutable() || !popExpect(elem) || !popExpect(i32) || !popExpect(ref)) return false;
      break;
    case Op::ArrayFill:
      if (!needMutable() || !popExpect(i32) || !popExpect(elem) || !popExpect(i32) || !popExpect(ref)) return false;
      break;
    case Op::ArrayCopy: {
      const CompositeType* src = nullptr;
      if (!compositeAt(in_.idx2, CompKind::Array, src)) return false;
      if (!needMutable()) return false;
      if constexpr (Validate) {
        const ValType st = src->fields[0].type;
        bool ok = (st.isPacked() || f.type.isPacked()) ? st.kind == f.type.kind : ctx_.isSubtype(st, f.type);
        if (!ok) return fail("array types do not match");
      }
      if (!popExpect(i32) || !popExpect(i32) || !popExpect(ValType::ref(HeapKind::Concrete, true, in_.idx2)) ||
          !popExpect(i32) || !popExpect(ref))
        return false;
      break;
    }
    case Op::ArrayInitData:
      if (!needMutable() || !needNumeric() || !needData(in_.idx2)) return false;
      if (!popExpect(i32) || !popExpect(i32) || !popExpect(i32) || !popExpect(ref)) return false;
      break;
    default:  // ArrayInitElem
      if (!needMutable() || !needElem(in_.idx2)) return false;
      if (!popExpect(i32) || !popExpect(i32) || !popExpect(i32) || !popExpect(ref)) return false;
      break;
  }
  if (produces) push(ValType::ref(HeapKind::Concrete, false, x));
  iface_.onGc(in_);
  return true;
}

// ref.test / ref.cast: the operand must be in the same hierarchy as the target type.
MYRT_CR_TEMPLATE
bool MYRT_CR::opRefTestCast(Op op) {
  if constexpr (Validate) {
    if (!ctx_.wellFormed(in_.heap)) return fail("unknown type " + std::to_string(in_.heap.index));
  }
  ValType t;
  if (!popRef(t)) return false;
  if constexpr (Validate) {
    if (t.kind != ValKind::Bot && ctx_.topOf(t.heapType()) != ctx_.topOf(in_.heap))
      return mismatch(ValType::ref(ctx_.topOf(in_.heap), true), t);
  }
  if (op == Op::RefTest || op == Op::RefTestNull) push(ValType::i32());
  else push(ValType::ref(in_.heap.kind, op == Op::RefCastNull, in_.heap.index));
  iface_.onGc(in_);
  return true;
}

// br_on_cast / br_on_cast_fail l rt1 rt2 (flags: bit0 rt1 nullable, bit1 rt2 nullable).
MYRT_CR_TEMPLATE
bool MYRT_CR::opBrOnCast(Op op) {
  const ValType rt1 = ValType::ref(in_.heap.kind, (in_.flags & 1) != 0, in_.heap.index);
  const ValType rt2 = ValType::ref(in_.heap2.kind, (in_.flags & 2) != 0, in_.heap2.index);
  const ValType diff = ValType::ref(rt1.heap, rt1.nullable && !rt2.nullable, rt1.index);
  if constexpr (Validate) {
    if (!ctx_.wellFormed(rt1) || !ctx_.wellFormed(rt2)) return fail("unknown type");
    if (!ctx_.isSubtype(rt2, rt1)) return mismatch(rt1, rt2);
  }
  ControlEntry* target = nullptr;
  if (!label(in_.idx, target)) return false;
  if (!popExpect(rt1)) return false;
  std::span<const ValType> lt = target->labelTypes();
  if (lt.empty()) return fail("type mismatch: br_on_cast target has no values");
  const ValType branchType = op == Op::BrOnCast ? rt2 : diff;
  if constexpr (Validate) {
    if (!ctx_.isSubtype(branchType, lt.back())) return mismatch(lt.back(), branchType);
  }
  std::span<const ValType> rest = lt.first(lt.size() - 1);
  if (!popTypes(rest)) return false;
  pushTypes(rest);
  push(op == Op::BrOnCast ? diff : rt2);
  iface_.onGc(in_);
  return true;
}

MYRT_CR_TEMPLATE
bool MYRT_CR::opGcMisc(Op op) {
  ValType t;
  switch (op) {
    case Op::AnyConvertExtern:
    case Op::ExternConvertAny: {
      const bool toAny = op == Op::AnyConvertExtern;
      if (!pop(t)) return false;
      if constexpr (Validate) {
        if (!ctx_.isSubtype(t, ValType::ref(toAny ? HeapKind::Extern : HeapKind::Any, true)))
          return mismatch(ValType::ref(toAny ? HeapKind::Extern : HeapKind::Any, true), t);
      }
      push(ValType::ref(toAny ? HeapKind::Any : HeapKind::Extern, t.kind == ValKind::Bot || t.nullable));
      break;
    }
    case Op::RefI31:
      if (!popExpect(ValType::i32())) return false;
      push(ValType::ref(HeapKind::I31, false));
      break;
    default:  // I31GetS / I31GetU
      if (!popExpect(ValType::ref(HeapKind::I31, true))) return false;
      push(ValType::i32());
      break;
  }
  iface_.onGc(in_);
  return true;
}

#undef MYRT_CR
#undef MYRT_CR_TEMPLATE

}  // namespace myrt
