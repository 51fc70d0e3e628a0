// runtime/valid/code_reader_ops.h -- CodeReader's switch over the `special` ops (control, calls, variables,
// references, tables, bulk memory, exceptions, GC) and its helpers. Included at the end of code_reader.h only.
// Layer: valid. Ops typed by their opcode-table signature (numeric, SIMD, loads/stores) take step's `default:` to
// CodeReader::simpleStep (code_reader.h).
#pragma once

namespace myrt {

#define MYRT_CR_TEMPLATE template <class Interface, bool Validate>
#define MYRT_CR CodeReader<Interface, Validate>

MYRT_CR_TEMPLATE
bool MYRT_CR::step() {
  const Op op = in_.op;
  const detail::PlainSig& ps = detail::kPlainSigs[static_cast<unsigned>(op)];
  if (ps.numParams != 0xFF && plainStep(ps)) return true;  // else: errors / unreachable code take the full path
  switch (op) {
    case Op::Unreachable:
      setUnreachable();
      iface_.onUnreachable();
      return true;
    case Op::Block:
      if (!enterBlock(CtrlKind::Block)) return false;
      iface_.onBlock(in_, ctrl_.back());
      return true;
    case Op::Loop:
      if (!enterBlock(CtrlKind::Loop)) return false;
      iface_.onLoop(in_, ctrl_.back());
      return true;
    case Op::If:
      if (!checkBlockType() || !popExpect(ValType::i32())) return false;
      if (!enterBlock(CtrlKind::If)) return false;
      iface_.onIf(in_, ctrl_.back());
      return true;
    case Op::Else: return opElse();
    case Op::End: return opEnd();
    case Op::TryTable: return opTryTable();
    case Op::Throw: {
      if (in_.idx >= m_.tags.size()) return fail("unknown tag " + std::to_string(in_.idx));
      const CompositeType* ft = nullptr;
      if (!funcTypeAt(m_.tags[in_.idx].typeIndex, ft)) return false;
      if (!popTypes(ft->params)) return false;
      iface_.onThrow(in_.idx, *ft);
      setUnreachable();
      return true;
    }
    case Op::ThrowRef:
      if (!popExpect(ValType::exnref())) return false;
      iface_.onThrowRef();
      setUnreachable();
      return true;
    case Op::Br: {
      ControlEntry* target = nullptr;
      if (!label(in_.idx, target)) return false;
      if (!checkTop(target->labelTypes())) return false;
      iface_.onBr(in_.idx, *target);
      setUnreachable();
      return true;
    }
    case Op::BrIf: {
      ControlEntry* target = nullptr;
      if (!popExpect(ValType::i32())) return false;
      if (!label(in_.idx, target)) return false;
      // [t* i32] -> [t*] with t* the label's types (3.0: the stack takes the label types)
      std::span<const ValType> lt = target->labelTypes();
      if (!popTypes(lt)) return false;
      pushTypes(lt);
      iface_.onBrIf(in_.idx, *target);
      return true;
    }
    case Op::BrTable: return opBrTable();
    case Op::Return:
      if (!funcType_) return fail("constant expression required");
      if (!checkTop(funcType_->results)) return false;
      iface_.onReturn();
      setUnreachable();
      return true;
    case Op::Call:
    case Op::ReturnCall: return opCall(op);
    case Op::CallIndirect:
    case Op::ReturnCallIndirect: return opCallIndirect(op);
    case Op::CallRef:
    case Op::ReturnCallRef: return opCallRef(op);
    case Op::Drop: {
      ValType t;
      if (!pop(t)) return false;
      iface_.onDrop(t);
      return true;
    }
    case Op::Select: return opSelect(false);
    case Op::SelectT: return opSelect(true);
    case Op::LocalGet:
    case Op::LocalSet:
    case Op::LocalTee: return opLocal(op);
    case Op::GlobalGet:
    case Op::GlobalSet: return opGlobal(op);
    case Op::TableGet:
    case Op::TableSet:
    case Op::TableGrow:
    case Op::TableSize:
    case Op::TableFill:
    case Op::TableCopy:
    case Op::TableInit: return opTable(op);
    case Op::MemorySize:
    case Op::MemoryGrow:
    case Op::MemoryFill:
    case Op::MemoryCopy:
    case Op::MemoryInit: return opMemory(op);
    case Op::RefNull:
    case Op::RefIsNull:
    case Op::RefFunc:
    case Op::RefEq:
    case Op::RefAsNonNull: return opRef(op);
    case Op::BrOnNull: return opBrOnNull(false);
    case Op::BrOnNonNull: return opBrOnNull(true);

    // GC proposal (helpers at the end of this file)
    case Op::StructNew: case Op::StructNewDefault: case Op::StructGet: case Op::StructGetS: case Op::StructGetU:
    case Op::StructSet:
      return opStruct(op);
    case Op::ArrayNew: case Op::ArrayNewDefault: case Op::ArrayNewFixed: case Op::ArrayNewData:
    case Op::ArrayNewElem: case Op::ArrayGet: case Op::ArrayGetS: case Op::ArrayGetU: case Op::ArraySet:
    case Op::ArrayLen: case Op::ArrayFill: case Op::ArrayCopy: case Op::ArrayInitData: case Op::ArrayInitElem:
      return opArray(op);
    case Op::RefTest: case Op::RefTestNull: case Op::RefCast: case Op::RefCastNull:
      return opRefTestCast(op);
    case Op::BrOnCast: case Op::BrOnCastFail:
      return opBrOnCast(op);
    case Op::AnyConvertExtern: case Op::ExternConvertAny: case Op::RefI31: case Op::I31GetS: case Op::I31GetU:
      return opGcMisc(op);
    // Legacy exception handling (try/catch/delegate/rethrow): not part of 3.0 (try_table is), kept for legacy/.
    case Op::Try:
      if (!enterBlock(CtrlKind::Try)) return false;
      iface_.onTry(in_, ctrl_.back());
      return true;
    case Op::Catch: return opCatch(false);
    case Op::CatchAll: return opCatch(true);
    case Op::Delegate: return opDelegate();
    case Op::Rethrow: return opRethrow();
    default:
      return simpleStep(op);
  }
}

MYRT_CR_TEMPLATE
bool MYRT_CR::opEnd() {
  ControlEntry& c = ctrl_.back();
  if constexpr (Validate) {
    if (c.kind == CtrlKind::If) {  // implicit empty else: params flow to results
      std::span<const ValType> ps = c.params(), rs = c.results();
      if (ps.size() != rs.size()) return fail("type mismatch: if without else must not change the stack");
      for (size_t i = 0; i < ps.size(); ++i)
        if (!ctx_.isSubtype(ps[i], rs[i])) return mismatch(rs[i], ps[i]);
    }
  }
  if (!checkBlockEnd(c)) return false;
  iface_.onEnd(c);
  popBlock();
  return true;
}

// Pops the innermost control entry (already checked) and pushes its results onto the enclosing block's stack.
MYRT_CR_TEMPLATE
void MYRT_CR::popBlock() {
  ControlEntry& c = ctrl_.back();
  if (trackInit_) resetLocalInit(c.initHeight);
  const bool single = c.singleResult;
  const ValType sv = c.single;
  const ValType* rp = c.resultPtr;
  const uint32_t rn = c.numResults;
  stack_.shrink(c.height);
  ctrl_.pop_back();
  curHeight_ = ctrl_.empty() ? 0 : ctrl_.back().height;
  if (!ctrl_.empty()) {
    if (single) push(sv);
    else pushTypes({rp, rn});
  }
}

MYRT_CR_TEMPLATE
bool MYRT_CR::opCatch(bool all) {
  ControlEntry& c = ctrl_.back();
  if (c.kind != CtrlKind::Try && c.kind != CtrlKind::Catch) return fail(all ? "catch_all without try" : "catch without try");
  const CompositeType* tagType = nullptr;
  if (!all) {
    if (in_.idx >= m_.tags.size()) return fail("unknown tag " + std::to_string(in_.idx));
    if (!funcTypeAt(m_.tags[in_.idx].typeIndex, tagType)) return false;
  }
  if (!checkBlockEnd(c)) return false;
  if (all) iface_.onCatchAll(c);
  else iface_.onCatch(in_.idx, c);
  if (trackInit_) resetLocalInit(c.initHeight);
  stack_.shrink(c.height);
  if (tagType) pushTypes(tagType->params);
  c.kind = all ? CtrlKind::CatchAll : CtrlKind::Catch;
  c.unreachable = false;
  return true;
}

MYRT_CR_TEMPLATE
bool MYRT_CR::opDelegate() {
  ControlEntry& c = ctrl_.back();
  if (c.kind != CtrlKind::Try) return fail("delegate without try");
  // the label is counted from the block enclosing the try
  if (in_.idx >= ctrl_.size() - 1) return fail("unknown label");
  if (!checkBlockEnd(c)) return false;
  iface_.onDelegate(in_.idx, c);
  popBlock();
  return true;
}

MYRT_CR_TEMPLATE
bool MYRT_CR::opRethrow() {
  ControlEntry* target = nullptr;
  if (!label(in_.idx, target)) return false;
  if (target->kind != CtrlKind::Catch && target->kind != CtrlKind::CatchAll) return fail("invalid rethrow label");
  iface_.onRethrow(in_.idx, *target);
  setUnreachable();
  return true;
}

MYRT_CR_TEMPLATE
bool MYRT_CR::opElse() {
  ControlEntry& c = ctrl_.back();
  if (c.kind != CtrlKind::If) return fail("else without matching if");
  if (!checkBlockEnd(c)) return false;
  iface_.onElse(c);
  if (trackInit_) resetLocalInit(c.initHeight);
  stack_.shrink(c.height);
  pushTypes(c.params());
  c.kind = CtrlKind::Else;
  c.unreachable = false;
  return true;
}

MYRT_CR_TEMPLATE
bool MYRT_CR::opTryTable() {
  // Catch labels are relative to the context outside the try_table block.
  for (const CatchClause& cc : in_.catches) {
    ControlEntry* target = nullptr;
    if (!label(cc.label, target)) return false;
    if constexpr (Validate) {
      const CompositeType* tagType = nullptr;
      if (cc.kind == CatchClause::Catch || cc.kind == CatchClause::CatchRef) {
        if (cc.tag >= m_.tags.size()) return fail("unknown tag " + std::to_string(cc.tag));
        if (!funcTypeAt(m_.tags[cc.tag].typeIndex, tagType)) return false;
      }
      bool withRef = cc.kind == CatchClause::CatchRef || cc.kind == CatchClause::CatchAllRef;
      std::span<const ValType> lt = target->labelTypes();
      size_t n = (tagType ? tagType->params.size() : 0) + (withRef ? 1 : 0);
      if (lt.size() != n) return fail("type mismatch: catch label arity");
      if (tagType) {
        for (size_t i = 0; i < tagType->params.size(); ++i)
          if (!ctx_.isSubtype(tagType->params[i], lt[i])) return mismatch(lt[i], tagType->params[i]);
      }
      if (withRef && !ctx_.isSubtype(ValType::ref(HeapKind::Exn, false), lt[n - 1]))
        return mismatch(lt[n - 1], ValType::ref(HeapKind::Exn, false));
    }
  }
  if (!enterBlock(CtrlKind::TryTable)) return false;
  iface_.onTryTable(in_, ctrl_.back());
  return true;
}

MYRT_CR_TEMPLATE
bool MYRT_CR::opBrTable() {
  if (!popExpect(ValType::i32())) return false;
  if (in_.targets.empty()) return fail("unknown label");
  ControlEntry* def = nullptr;
  if (!label(in_.targets.back(), def)) return false;
  const size_t arity = def->labelTypes().size();
  for (uint32_t depth : in_.targets) {
    ControlEntry* target = nullptr;
    if (!label(depth, target)) return false;
    if constexpr (Validate) {
      std::span<const ValType> lt = target->labelTypes();
      if (lt.size() != arity) return fail("type mismatch: br_table targets have different arities");
      if (!checkTop(lt)) return false;
    }
  }
  iface_.onBrTable(in_);
  setUnreachable();
  return true;
}

MYRT_CR_TEMPLATE
bool MYRT_CR::opBrOnNull(bool onNonNull) {
  ValType t;
  if (!popRef(t)) return false;
  ControlEntry* target = nullptr;
  if (!label(in_.idx, target)) return false;
  const ValType nonNull = t.kind == ValKind::Bot ? t : ValType::ref(t.heap, false, t.index);
  std::span<const ValType> lt = target->labelTypes();
  if (!onNonNull) {
    // [t* (ref null ht)] -> [t* (ref ht)], branch carries t*
    if (!popTypes(lt)) return false;
    pushTypes(lt);
    push(nonNull);
    iface_.onBrOnNull(in_.idx, *target, t);
    return true;
  }
  // [t* (ref null ht)] -> [t*], branch carries t* (ref ht)
  if (lt.empty()) return fail("type mismatch: br_on_non_null target has no values");
  if constexpr (Validate) {
    if (!ctx_.isSubtype(nonNull, lt.back())) return mismatch(lt.back(), nonNull);
  }
  std::span<const ValType> rest = lt.first(lt.size() - 1);
  if (!popTypes(rest)) return false;
  pushTypes(rest);
  iface_.onBrOnNonNull(in_.idx, *target, t);
  return true;
}

MYRT_CR_TEMPLATE
bool MYRT_CR::opSelect(bool typed) {
  if (typed && in_.types.size() != 1) return fail("invalid result arity");
  if (!popExpect(ValType::i32())) return false;
  ValType t;
  if (typed) {
    t = in_.types[0];
    if constexpr (Validate) {
      if (!ctx_.wellFormed(t)) return fail("unknown type");
    }
    if (!popExpect(t) || !popExpect(t)) return false;
  } else {
    ValType b, a;
    if (!pop(b) || !pop(a)) return false;
    if constexpr (Validate) {
      if (a.isRef() || b.isRef()) return fail("type mismatch: select without type requires numeric or vector operands");
      if (a.kind != ValKind::Bot && b.kind != ValKind::Bot && a.kind != b.kind) return mismatch(a, b);
    }
    t = a.kind == ValKind::Bot ? b : a;
  }
  push(t);
  iface_.onSelect(t);
  return true;
}

MYRT_CR_TEMPLATE
bool MYRT_CR::opLocal(Op op) {
  const uint32_t idx = in_.idx;
  if (idx >= locals_.size()) return fail("unknown local " + std::to_string(idx));
  const ValType t = locals_[idx];
  switch (op) {
    case Op::LocalGet:
      if constexpr (Validate) {
        if (trackInit_ && !localInit_[idx]) return fail("uninitialized local " + std::to_string(idx));
      }
      push(t);
      iface_.onLocalGet(idx, t);
      return true;
    case Op::LocalSet:
      if (!popExpect(t)) return false;
      markInit(idx);
      iface_.onLocalSet(idx, t);
      return true;
    default:  // LocalTee
      if (!popExpect(t)) return false;
      markInit(idx);
      push(t);
      iface_.onLocalTee(idx, t);
      return true;
  }
}

MYRT_CR_TEMPLATE
bool MYRT_CR::opGlobal(Op op) {
  const uint32_t idx = in_.idx;
  if (idx >= m_.globals.size()) return fail("unknown global " + std::to_string(idx));
  const GlobalType& g = m_.globals[idx].type;
  if (op == Op::GlobalGet) {
    if constexpr (Validate) {
      if (constMode_) {
        if (idx >= constGlobals_) return fail("unknown global " + std::to_string(idx));
        if (g.mut) return fail("constant expression required");
      }
    }
    push(g.type);
    iface_.onGlobalGet(idx, g);
    return true;
  }
  if constexpr (Validate) {
    if (!g.mut) return fail(wasm2Only_ ? "global is immutable" : "immutable global");
  }
  if (!popExpect(g.type)) return false;
  iface_.onGlobalSet(idx, g);
  return true;
}

MYRT_CR_TEMPLATE
bool MYRT_CR::opCall(Op op) {
  const uint32_t idx = in_.idx;
  if (idx >= m_.funcs.size()) return fail("unknown function " + std::to_string(idx));
  const CompositeType* ft = nullptr;
  if (!funcTypeAt(m_.funcs[idx].typeIndex, ft)) return false;
  if (!popTypes(ft->params)) return false;
  if (op == Op::Call) {
    pushTypes(ft->results);
    iface_.onCall(idx, *ft);
    return true;
  }
  if (!checkTailResults(*ft)) return false;
  iface_.onReturnCall(idx, *ft);
  setUnreachable();
  return true;
}

MYRT_CR_TEMPLATE
bool MYRT_CR::opCallIndirect(Op op) {
  const Table* table = nullptr;
  if (!tableRef(in_.idx2, table)) return false;
  if constexpr (Validate) {
    if (!ctx_.isSubtype(table->type.elem, ValType::funcref())) return mismatch(ValType::funcref(), table->type.elem);
  }
  const CompositeType* ft = nullptr;
  if (!funcTypeAt(in_.idx, ft)) return false;
  if (!popExpect(tableAddr(*table))) return false;
  if (!popTypes(ft->params)) return false;
  if (op == Op::CallIndirect) {
    pushTypes(ft->results);
    iface_.onCallIndirect(in_.idx, in_.idx2, *ft);
    return true;
  }
  if (!checkTailResults(*ft)) return false;
  iface_.onReturnCallIndirect(in_.idx, in_.idx2, *ft);
  setUnreachable();
  return true;
}

MYRT_CR_TEMPLATE
bool MYRT_CR::opCallRef(Op op) {
  const CompositeType* ft = nullptr;
  if (!funcTypeAt(in_.idx, ft)) return false;
  if (!popExpect(ValType::ref(HeapKind::Concrete, true, in_.idx))) return false;
  if (!popTypes(ft->params)) return false;
  if (op == Op::CallRef) {
    pushTypes(ft->results);
    iface_.onCallRef(in_.idx, *ft);
    return true;
  }
  if (!checkTailResults(*ft)) return false;
  iface_.onReturnCallRef(in_.idx, *ft);
  setUnreachable();
  return true;
}

MYRT_CR_TEMPLATE
bool MYRT_CR::opRef(Op op) {
  ValType t;
  switch (op) {
    case Op::RefNull:
      if constexpr (Validate) {
        if (!ctx_.wellFormed(in_.heap)) return fail("unknown type");
      }
      t = ValType::ref(in_.heap.kind, true, in_.heap.index);
      push(t);
      iface_.onRefNull(t);
      return true;
    case Op::RefIsNull:
      if (!popRef(t)) return false;
      push(ValType::i32());
      iface_.onRefIsNull(t);
      return true;
    case Op::RefFunc: {
      const uint32_t idx = in_.idx;
      if (idx >= m_.funcs.size()) return fail("unknown function " + std::to_string(idx));
      if constexpr (Validate) {
        if (!constMode_ && !ctx_.funcDeclared(idx)) return fail("undeclared function reference");
      }
      t = ValType::ref(HeapKind::Concrete, false, m_.funcs[idx].typeIndex);
      push(t);
      iface_.onRefFunc(idx, t);
      return true;
    }
    case Op::RefEq:
      if (!popExpect(ValType::ref(HeapKind::Eq, true)) || !popExpect(ValType::ref(HeapKind::Eq, true))) return false;
      push(ValType::i32());
      iface_.onRefEq();
      return true;
    default:  // RefAsNonNull
      if (!popRef(t)) return false;
      push(t.kind == ValKind::Bot ? t : ValType::ref(t.heap, false, t.index));
      iface_.onRefAsNonNull(t);
      return true;
  }
}

MYRT_CR_TEMPLATE
bool MYRT_CR::opTable(Op op) {
  const Table* table = nullptr;
  const uint32_t tableIdx = op == Op::TableInit ? in_.idx2 : in_.idx;
  if (!tableRef(tableIdx, table)) return false;
  const ValType elem = table->type.elem;
  const ValType addr = tableAddr(*table);
  switch (op) {
    case Op::TableGet:
      if (!popExpect(addr)) return false;
      push(elem);
      break;
    case Op::TableSet:
      if (!popExpect(elem) || !popExpect(addr)) return false;
      break;
    case Op::TableSize:
      push(addr);
      break;
    case Op::TableGrow:
      if (!popExpect(addr) || !popExpect(elem)) return false;
      push(addr);
      break;
    case Op::TableFill:
      if (!popExpect(addr) || !popExpect(elem) || !popExpect(addr)) return false;
      break;
    case Op::TableCopy: {
      const Table* src = nullptr;
      if (!tableRef(in_.idx2, src)) return false;
      if constexpr (Validate) {
        if (!ctx_.isSubtype(src->type.elem, elem)) return mismatch(elem, src->type.elem);
      }
      const ValType srcAddr = tableAddr(*src);
      if (!popExpect(minAddr(addr, srcAddr)) || !popExpect(srcAddr) || !popExpect(addr)) return false;
      break;
    }
    default: {  // TableInit
      if (in_.idx >= m_.elems.size()) return fail("unknown elem segment " + std::to_string(in_.idx));
      if constexpr (Validate) {
        const ValType segType = m_.elems[in_.idx].type;
        if (!ctx_.isSubtype(segType, elem)) return mismatch(elem, segType);
      }
      if (!popExpect(ValType::i32()) || !popExpect(ValType::i32()) || !popExpect(addr)) return false;
      break;
    }
  }
  iface_.onTableOp(in_, table->type);
  return true;
}

MYRT_CR_TEMPLATE
bool MYRT_CR::opMemory(Op op) {
  ValType addr;
  const uint32_t memIdx = op == Op::MemoryInit ? in_.idx2 : in_.idx;
  if (!memoryAddr(memIdx, addr)) return false;
  switch (op) {
    case Op::MemorySize:
      push(addr);
      break;
    case Op::MemoryGrow:
      if (!popExpect(addr)) return false;
      push(addr);
      break;
    case Op::MemoryFill:
      if (!popExpect(addr) || !popExpect(ValType::i32()) || !popExpect(addr)) return false;
      break;
    case Op::MemoryCopy: {
      ValType srcAddr;
      if (!memoryAddr(in_.idx2, srcAddr)) return false;
      if (!popExpect(minAddr(addr, srcAddr)) || !popExpect(srcAddr) || !popExpect(addr)) return false;
      break;
    }
    default:  // MemoryInit
      if constexpr (Validate) {
        if (!m_.dataCount && !m_.datas.empty()) return fail("data count section required");
        if (in_.idx >= m_.dataCount.value_or(0)) return fail("unknown data segment " + std::to_string(in_.idx));
      }
      if (!popExpect(ValType::i32()) || !popExpect(ValType::i32()) || !popExpect(addr)) return false;
      break;
  }
  iface_.onMemoryOp(in_, addr);
  return true;
}

// ---- GC proposal: struct/array/i31/cast/conversion ops -------------------------------------------------------
// Messages follow the 3.0 testsuite: "immutable field", "immutable array", "array types do not match",
// "array type is not numeric or vector", "type mismatch", "unknown type".

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
