// runtime/exec/instantiate.cpp -- linking and instantiation: import type matching, constant-expression evaluation,
// creation of functions/globals/tables/memories/tags, element and data segment initialization in spec order, the start
// function; plus invoke() and the export lookup helpers of engine.h.
// Layer: exec (uses binary/instr.h to walk constant expressions; functions run through FuncInst::entry).
#include <algorithm>
#include <cstring>
#include <cstdio>

#include "runtime/base/native_stack.h"
#include "runtime/base/reader.h"
#include "runtime/binary/instr.h"
#include "runtime/debug/source_map.h"
#include "runtime/exec/bulk.h"
#include "runtime/exec/engine.h"

namespace myrt {

namespace {

// A reference type whose concrete index is replaced by its canonical id (how instances store types, so types from
// different modules compare with ==).
ValType canonType(ValType t, const std::vector<uint32_t>& typeIds) {
  if (t.kind == ValKind::Ref && t.heap == HeapKind::Concrete && t.index < typeIds.size()) t.index = typeIds[t.index];
  return t;
}

// Subtyping between canonical value types, enough for import matching of globals (abstract hierarchy + identity).
bool canonSubtype(ValType a, ValType b, const TypeRegistry& reg) {
  if (a == b) return true;
  if (a.kind != ValKind::Ref || b.kind != ValKind::Ref) return false;
  if (a.nullable && !b.nullable) return false;
  if (a.heap == b.heap && a.heap != HeapKind::Concrete) return true;
  if (a.heap == HeapKind::Concrete && b.heap == HeapKind::Concrete) return reg.isSubtype(a.index, b.index);
  auto top = [&](ValType t) -> HeapKind {
    switch (t.heap) {
      case HeapKind::Func: case HeapKind::NoFunc: return HeapKind::Func;
      case HeapKind::Extern: case HeapKind::NoExtern: return HeapKind::Extern;
      case HeapKind::Exn: case HeapKind::NoExn: return HeapKind::Exn;
      case HeapKind::Concrete: {
        const CompositeType* c = reg.type(t.index);
        return c && c->kind == CompKind::Func ? HeapKind::Func : HeapKind::Any;
      }
      default: return HeapKind::Any;
    }
  };
  if (top(a) != top(b)) return false;
  if (a.heap == HeapKind::NoFunc || a.heap == HeapKind::NoExtern || a.heap == HeapKind::NoExn || a.heap == HeapKind::None)
    return true;
  if (b.heap == HeapKind::Func || b.heap == HeapKind::Extern || b.heap == HeapKind::Exn || b.heap == HeapKind::Any)
    return true;
  if (b.heap == HeapKind::Eq) return a.heap == HeapKind::I31 || a.heap == HeapKind::Struct || a.heap == HeapKind::Array ||
                                    (a.heap == HeapKind::Concrete && reg.type(a.index) && reg.type(a.index)->kind != CompKind::Func);
  if (b.heap == HeapKind::Struct || b.heap == HeapKind::Array) {
    const CompKind want = b.heap == HeapKind::Struct ? CompKind::Struct : CompKind::Array;
    return a.heap == HeapKind::Concrete && reg.type(a.index) && reg.type(a.index)->kind == want;
  }
  return false;  // concrete <: concrete only by identity (declared subtyping across modules: not yet)
}

bool limitsMatch(const Limits& actual, const Limits& expected) {
  if (actual.is64 != expected.is64 || actual.shared != expected.shared) return false;
  if (actual.min < expected.min) return false;
  if (expected.max) {
    if (!actual.max || *actual.max > *expected.max) return false;
  }
  return true;
}

Error incompatible(const Import& imp, const char* what) {
  return Error(std::string("incompatible import type: ") + imp.module + "." + imp.name + " (" + what + ")");
}

}  // namespace

// Evaluates a constant expression in the context of a (partially built) instance.
static Result<Value> evalConst(Instance& inst, ConstExpr e) {
  const Module& m = *inst.module;
  if (uint64_t(e.offset) + e.size > m.bytes.size()) return Error(e.offset, "unexpected end");
  ByteReader r(m.data(e), e.size, e.offset);
  Instr in;
  std::vector<Value> stackVec(16);
  Value* stack = stackVec.data();
  unsigned sp = 0;
  auto need = [&](unsigned n) { return sp >= n; };
  Store& store = *inst.store;
  auto compOf = [&](uint32_t typeIdx) -> const CompositeType* {
    return typeIdx < m.types.size() ? &m.types[typeIdx].comp : nullptr;
  };
  while (!r.atEnd()) {
    MYRT_TRY(readInstr(r, in));
    switch (in.op) {
      case Op::End:
        if (sp != 1) return Error(in.offset, "type mismatch: constant expression");
        return stack[0];
      case Op::I32Const: if (sp == 16) goto overflow; stack[sp++] = Value::fromI32(static_cast<uint32_t>(in.i32)); break;
      case Op::I64Const: if (sp == 16) goto overflow; stack[sp++] = Value::fromI64(static_cast<uint64_t>(in.i64)); break;
      case Op::F32Const: if (sp == 16) goto overflow; stack[sp++] = Value::fromF32Bits(in.f32bits); break;
      case Op::F64Const: if (sp == 16) goto overflow; stack[sp++] = Value::fromF64Bits(in.f64bits); break;
      case Op::V128Const: {
        if (sp == 16) goto overflow;
        stack[sp++] = Value::fromV128Bytes(in.bytes);
        break;
      }
      case Op::RefNull: if (sp == 16) goto overflow; stack[sp++] = Value::fromRef(nullptr); break;
      case Op::RefFunc:
        if (sp == 16) goto overflow;
        if (in.idx >= inst.funcs.size()) return Error(in.offset, "unknown function");
        stack[sp++] = Value::fromRef(inst.funcs[in.idx]);
        break;
      case Op::GlobalGet:
        if (sp == 16) goto overflow;
        if (in.idx >= inst.globals.size() || !inst.globals[in.idx]) return Error(in.offset, "unknown global");
        stack[sp++] = inst.globals[in.idx]->value;
        break;
      case Op::I32Add: case Op::I32Sub: case Op::I32Mul: {
        if (!need(2)) return Error(in.offset, "type mismatch");
        uint32_t b = stack[--sp].i32, a = stack[sp - 1].i32;
        stack[sp - 1] = Value::fromI32(in.op == Op::I32Add ? a + b : in.op == Op::I32Sub ? a - b : a * b);
        break;
      }
      case Op::I64Add: case Op::I64Sub: case Op::I64Mul: {
        if (!need(2)) return Error(in.offset, "type mismatch");
        uint64_t b = stack[--sp].i64, a = stack[sp - 1].i64;
        stack[sp - 1] = Value::fromI64(in.op == Op::I64Add ? a + b : in.op == Op::I64Sub ? a - b : a * b);
        break;
      }
      case Op::RefI31:
        if (!need(1)) return Error(in.offset, "type mismatch");
        stack[sp - 1] = Value::fromRef(i31Ref(stack[sp - 1].i32));
        break;
      case Op::AnyConvertExtern: case Op::ExternConvertAny:  // the same reference
        if (!need(1)) return Error(in.offset, "type mismatch");
        break;
      case Op::StructNew: case Op::StructNewDefault: {
        const CompositeType* ct = compOf(in.idx);
        if (!ct || ct->kind != CompKind::Struct) return Error(in.offset, "unknown type");
        const unsigned n = static_cast<unsigned>(ct->fields.size());
        const bool dflt = in.op == Op::StructNewDefault;
        if (!dflt && !need(n)) return Error(in.offset, "type mismatch");
        StructObject* o = store.newStruct(inst.typeIds[in.idx], n);
        if (!o) return Error(trapMessage(TrapReason::OutOfMemory));
        if (!dflt) {
          for (unsigned i = 0; i < n; ++i) o->fields()[i] = packField(stack[sp - n + i], ct->fields[i].type);
          sp -= n;
        }
        if (sp == 16) goto overflow;
        stack[sp++] = Value::fromRef(o);
        break;
      }
      case Op::ArrayNew: case Op::ArrayNewDefault: case Op::ArrayNewFixed: {
        const CompositeType* ct = compOf(in.idx);
        if (!ct || ct->kind != CompKind::Array || ct->fields.empty()) return Error(in.offset, "unknown type");
        const ValType et = ct->fields[0].type;
        uint64_t len;
        Value init;
        if (in.op == Op::ArrayNewFixed) {
          len = in.idx2;
          if (!need(static_cast<unsigned>(len))) return Error(in.offset, "type mismatch");
        } else {
          if (!need(in.op == Op::ArrayNew ? 2 : 1)) return Error(in.offset, "type mismatch");
          len = stack[--sp].i32;
          if (in.op == Op::ArrayNew) init = stack[--sp];
        }
        if (len > store.config().limits.maxTableElems) return Error(trapMessage(TrapReason::OutOfMemory));
        ArrayObject* o = store.newArray(inst.typeIds[in.idx], static_cast<size_t>(len));
        if (!o) return Error(trapMessage(TrapReason::OutOfMemory));
        if (in.op == Op::ArrayNewFixed) {
          for (uint64_t i = 0; i < len; ++i) o->elems()[i] = packField(stack[sp - len + i], et);
          sp -= static_cast<unsigned>(len);
        } else if (in.op == Op::ArrayNew) {
          for (auto& e : o->elems()) e = packField(init, et);
        }
        if (sp == 16) goto overflow;
        stack[sp++] = Value::fromRef(o);
        break;
      }
      default:
        return Error(in.offset, "unsupported: constant expression instruction " + std::string(opName(in.op)));
    }
  }
  return Error(e.offset, "unexpected end");
overflow:
  return Error(e.offset, "unsupported: constant expression too deep");
}

namespace {
Result<Instance*> instantiateImpl(Store& store, std::shared_ptr<const Module> modPtr, const std::vector<Extern>& imports,
                                  std::optional<Trap>* startTrap, bool shell);
}

Result<Instance*> instantiate(Store& store, std::shared_ptr<const Module> modPtr, const std::vector<Extern>& imports,
                              std::optional<Trap>* startTrap) {
  return instantiateImpl(store, std::move(modPtr), imports, startTrap, /*shell=*/false);
}

Result<Instance*> instantiateForCompile(Store& store, std::shared_ptr<const Module> modPtr) {
  if (!modPtr) return Error("no module");
  const Module& m = *modPtr;
  std::vector<Extern> imports;
  uint32_t ti = 0, mi = 0, gi = 0;
  for (const Import& imp : m.imports) {
    switch (imp.kind) {
      case ExternKind::Func: imports.push_back(Extern::of(store.newFunc())); break;
      case ExternKind::Table: {  // (placeholders hold nothing: no elements, no pages)
        TableType tt = m.tables[ti++].type;
        tt.limits.min = 0;
        MYRT_ASSIGN(TableInst * t, store.newTable(tt, nullptr));
        imports.push_back(Extern::of(t));
        break;
      }
      case ExternKind::Memory: {
        MemoryType mt = m.memories[mi++].type;
        mt.limits.min = 0;
        MYRT_ASSIGN(MemoryInst * mem, store.newMemory(mt));
        imports.push_back(Extern::of(mem));
        break;
      }
      case ExternKind::Global: imports.push_back(Extern::of(store.newGlobal(m.globals[gi++].type, Value{}))); break;
      case ExternKind::Tag: imports.push_back(Extern::of(store.newTag())); break;
    }
  }
  return instantiateImpl(store, std::move(modPtr), imports, nullptr, /*shell=*/true);
}

namespace {
// shell: instantiateForCompile's placeholders (imports not matched, no initializers, segments or start function).
Result<Instance*> instantiateImpl(Store& store, std::shared_ptr<const Module> modPtr, const std::vector<Extern>& imports,
                                  std::optional<Trap>* startTrap, bool shell) {
  if (!modPtr) return Error("no module");
  const Module& m = *modPtr;
  if (imports.size() != m.imports.size()) return Error("unknown import: wrong number of imports");
  TypeRegistry& reg = store.types();
  std::vector<uint32_t> typeIds = reg.canonicalize(m);
  // Constant expressions hold references in C++ locals until they reach a global, table or segment: no collection
  // until the start function runs.
  std::optional<Store::GcInhibit> noGc;
  noGc.emplace(store);

  // ---- import matching (before anything is created) ----
  if (!shell) {
    uint32_t fi = 0, ti = 0, mi = 0, gi = 0, gTag = 0;
    for (size_t i = 0; i < imports.size(); ++i) {
      const Import& imp = m.imports[i];
      const Extern& ex = imports[i];
      if (ex.kind != imp.kind || !ex.ptr) return incompatible(imp, "kind");
      switch (imp.kind) {
        case ExternKind::Func: {
          const Func& f = m.funcs[fi++];
          if (f.typeIndex >= typeIds.size() || !reg.isSubtype(ex.func->typeId, typeIds[f.typeIndex]))
            return incompatible(imp, "function type");
          break;
        }
        case ExternKind::Table: {
          const Table& t = m.tables[ti++];
          if (canonType(t.type.elem, typeIds) != ex.table->type.elem) return incompatible(imp, "table element type");
          Limits actual = ex.table->type.limits;
          actual.min = ex.table->size;
          if (!limitsMatch(actual, t.type.limits)) return incompatible(imp, "table limits");
          break;
        }
        case ExternKind::Memory: {
          const Memory& mem = m.memories[mi++];
          Limits actual = ex.memory->type.limits;
          actual.min = ex.memory->pages();
          if (!limitsMatch(actual, mem.type.limits)) return incompatible(imp, "memory limits");
          break;
        }
        case ExternKind::Global: {
          const Global& g = m.globals[gi++];
          const GlobalType& actual = ex.global->type;
          ValType want = canonType(g.type.type, typeIds);
          if (actual.mut != g.type.mut) return incompatible(imp, "global mutability");
          if (g.type.mut ? actual.type != want : !canonSubtype(actual.type, want, reg))
            return incompatible(imp, "global type");
          break;
        }
        case ExternKind::Tag: {
          const Tag& t = m.tags[gTag++];
          if (t.typeIndex >= typeIds.size() || ex.tag->typeId != typeIds[t.typeIndex]) return incompatible(imp, "tag type");
          break;
        }
      }
    }
  }

  Instance* inst = store.newInstance();
  inst->module = modPtr;
  inst->typeIds = std::move(typeIds);
  for (const Extern& ex : imports) {
    switch (ex.kind) {
      case ExternKind::Func: inst->funcs.push_back(ex.func); break;
      case ExternKind::Table: inst->tables.push_back(ex.table); break;
      case ExternKind::Memory: inst->memories.push_back(ex.memory); break;
      case ExternKind::Global: inst->globals.push_back(ex.global); break;
      case ExternKind::Tag: inst->tags.push_back(ex.tag); break;
    }
  }
  // Functions (before globals and segments, which may take references to them).
  const bool precompiled = m.precompiled && store.config().precompiledEntry;  // (auto tier: no tier-up counting)
  for (uint32_t i = m.numImportedFuncs; i < m.funcs.size(); ++i) {
    FuncInst* f = store.newFunc();
    f->instance = inst;
    f->index = i;
    f->type = &m.types[m.funcs[i].typeIndex].comp;
    f->typeId = inst->typeIds[m.funcs[i].typeIndex];
    f->entry = precompiled ? store.config().precompiledEntry : store.config().wasmEntry;
    inst->funcs.push_back(f);
  }
  // Auto tier: the instance's functions are counted until it is compiled and installed (ExecContext::tierUpActive).
  if (store.context().tierUp && !precompiled && m.funcs.size() > m.numImportedFuncs) ++store.context().tierUpActive;
  for (uint32_t i = m.numImportedTags; i < m.tags.size(); ++i) {
    TagInst* t = store.newTag();
    t->type = &m.types[m.tags[i].typeIndex].comp;
    t->typeId = inst->typeIds[m.tags[i].typeIndex];
    inst->tags.push_back(t);
  }
  inst->syncData();
  // Globals in order: an initializer may read the globals before it.
  for (uint32_t i = m.numImportedGlobals; i < m.globals.size(); ++i) {
    Value v{};
    if (!shell) {
      MYRT_ASSIGN(v, evalConst(*inst, m.globals[i].init));
    }
    GlobalType gt = m.globals[i].type;
    gt.type = canonType(gt.type, inst->typeIds);
    inst->globals.push_back(store.newGlobal(gt, v));
    inst->syncData();
  }
  for (uint32_t i = m.numImportedTables; i < m.tables.size(); ++i) {
    Value init;
    if (m.tables[i].init && !shell) {
      MYRT_ASSIGN(init, evalConst(*inst, *m.tables[i].init));
    }
    TableType tt = m.tables[i].type;
    tt.elem = canonType(tt.elem, inst->typeIds);
    if (shell) tt.limits.min = 0;
    MYRT_ASSIGN(TableInst * t, store.newTable(tt, init.ref));
    inst->tables.push_back(t);
  }
  for (uint32_t i = m.numImportedMemories; i < m.memories.size(); ++i) {
    MemoryType mt = m.memories[i].type;
    if (shell) mt.limits.min = 0;
    MYRT_ASSIGN(MemoryInst * mem, store.newMemory(mt));
    inst->memories.push_back(mem);
  }
  inst->syncData();
  for (const Export& e : m.exports) {
    Extern ex;
    ex.kind = e.kind;
    switch (e.kind) {
      case ExternKind::Func: ex.func = e.index < inst->funcs.size() ? inst->funcs[e.index] : nullptr; break;
      case ExternKind::Table: ex.table = e.index < inst->tables.size() ? inst->tables[e.index] : nullptr; break;
      case ExternKind::Memory: ex.memory = e.index < inst->memories.size() ? inst->memories[e.index] : nullptr; break;
      case ExternKind::Global: ex.global = e.index < inst->globals.size() ? inst->globals[e.index] : nullptr; break;
      case ExternKind::Tag: ex.tag = e.index < inst->tags.size() ? inst->tags[e.index] : nullptr; break;
    }
    if (ex.ptr) inst->exports.emplace(e.name, ex);
  }

  if (shell) return inst;

  // Element segments: evaluate all, then initialize active ones in order (table.init + elem.drop), drop declarative.
  inst->elemSegments.resize(m.elems.size());
  for (size_t s = 0; s < m.elems.size(); ++s) {
    const ElemSegment& seg = m.elems[s];
    std::vector<Ref>& refs = inst->elemSegments[s];
    if (seg.usesExprs) {
      refs.reserve(seg.exprs.size());
      for (ConstExpr e : seg.exprs) {
        MYRT_ASSIGN(Value v, evalConst(*inst, e));
        refs.push_back(v.ref);
      }
    } else {
      refs.reserve(seg.funcIndices.size());
      for (uint32_t fidx : seg.funcIndices) refs.push_back(fidx < inst->funcs.size() ? inst->funcs[fidx] : nullptr);
    }
  }
  for (size_t s = 0; s < m.elems.size(); ++s) {
    const ElemSegment& seg = m.elems[s];
    if (seg.mode == SegmentMode::Active) {
      MYRT_ASSIGN(Value off, evalConst(*inst, seg.offset));
      if (seg.table >= inst->tables.size()) return Error("unknown table");
      TableInst* t = inst->tables[seg.table];
      uint64_t dst = t->type.limits.is64 ? off.i64 : off.i32;
      if (TrapReason r = bulk::tableInit(*inst, uint32_t(s), *t, dst, 0, inst->elemSegments[s].size());
          r != TrapReason::None)
        return Error(trapMessage(r));
    }
    if (seg.mode != SegmentMode::Passive) inst->elemSegments[s].clear();
  }
  inst->droppedData.assign(m.datas.size(), false);
  for (size_t s = 0; s < m.datas.size(); ++s) {
    const DataSegment& seg = m.datas[s];
    if (seg.mode != SegmentMode::Active) continue;
    MYRT_ASSIGN(Value off, evalConst(*inst, seg.offset));
    if (seg.memory >= inst->memories.size()) return Error("unknown memory");
    MemoryInst* mem = inst->memories[seg.memory];
    uint64_t dst = mem->type.limits.is64 ? off.i64 : off.i32;
    if (TrapReason r = bulk::memoryInit(*inst, uint32_t(s), *mem, dst, 0, seg.data.size); r != TrapReason::None)
      return Error(trapMessage(r));
    inst->droppedData[s] = true;
  }
  noGc.reset();
  if (m.start) {
    if (*m.start >= inst->funcs.size()) return Error("unknown function");
    InvokeResult r = invoke(store, inst->funcs[*m.start], {}, {});
    if (r.trap) {
      std::string message = r.trap->message;
      if (startTrap) *startTrap = std::move(r.trap);
      return Error(std::move(message));
    }
  }
  return inst;
}
}  // namespace

Result<std::vector<Extern>> resolveImports(Store& store, const Module& module, const ImportLookup& lookup) {
  std::vector<Extern> out;
  out.reserve(module.imports.size());
  for (const Import& imp : module.imports) {
    const Extern* ex = nullptr;
    if (lookup) {
      ex = lookup(imp.module, imp.name);
    } else {
      auto it = store.registered.find(imp.module);
      if (it != store.registered.end()) ex = it->second->findExport(imp.name);
    }
    if (!ex) return Error("unknown import: " + imp.module + "." + imp.name);
    out.push_back(*ex);
  }
  return out;
}

InvokeResult invoke(Store& store, FuncInst* f, std::span<const Value> args, std::span<Value> results) {
  ExecContext& cx = store.context();
  auto fail = [&](TrapReason r, std::string msg) {
    InvokeResult res;
    res.trap = Trap{r, std::move(msg), {}, {}, {}, 0};
    return res;
  };
  if (!f || !f->type) return fail(TrapReason::HostTrap, "invoke: no function");
  const size_t np = f->type->params.size(), nr = f->type->results.size();
  if (args.size() != np) return fail(TrapReason::HostTrap, "invoke: wrong number of arguments");
  if (results.size() < nr) return fail(TrapReason::HostTrap, "invoke: result buffer too small");
  if (!f->entry) return fail(TrapReason::Unimplemented, "unimplemented: no execution tier configured");
  const size_t n = std::max(np, nr);
  if (!cx.stackBase || static_cast<size_t>(cx.stackEnd - cx.sp) < n + 1)
    return fail(TrapReason::CallStackExhausted, trapMessage(TrapReason::CallStackExhausted));
  // The native stack bound of this thread (outermost entry), or the one in force (a host function calling in again).
  if (cx.hostEntries == 0) cx.stackLimit = nativeStackLimit(store.config().limits.maxNativeStack);
  else if (nativeStackExhausted(cx.stackLimit))
    return fail(TrapReason::CallStackExhausted, trapMessage(TrapReason::CallStackExhausted));
  Value* io = cx.sp;
  Value* savedSp = cx.sp;
  const uint32_t savedDepth = cx.depth;
  std::copy(args.begin(), args.end(), io);
  cx.sp = io + n;
  Instance* savedCaller = cx.caller;
  cx.caller = nullptr;
  cx.trapMessage.clear();
  cx.clearBacktrace();
  ++cx.hostEntries;
  TrapReason t;
  try {  // a failed host allocation under interpreter frames (JIT code never unwinds: its callees catch their own)
    t = f->entry(cx, *f, io);
  } catch (const std::bad_alloc&) {
    t = TrapReason::OutOfMemory;
    cx.trapMessage.clear();
  }
  --cx.hostEntries;
  cx.exception = nullptr;  // an exception escaping to the host is the "uncaught exception" trap
  cx.caller = savedCaller;
  cx.sp = savedSp;
  cx.depth = savedDepth;
  if (t != TrapReason::None) {
    InvokeResult res;
    res.trap = takeTrap(cx, t);
    return res;
  }
  std::copy(io, io + nr, results.begin());
  return {};
}

Trap takeTrap(ExecContext& cx, TrapReason t) {
  const uint64_t omitted = cx.finishBacktrace();
  Trap trap{t, cx.trapMessage.empty() ? std::string(trapMessage(t)) : cx.trapMessage, std::move(cx.backtrace),
            std::move(cx.backtraceInstances), std::move(cx.backtraceOffsets), omitted};
  cx.trapMessage.clear();
  cx.clearBacktrace();
  return trap;
}

uint32_t functionRelativeOffset(const Module& m, uint32_t funcIndex, uint32_t moduleOffset) {
  if (moduleOffset == kNoWasmOffset || funcIndex >= m.funcs.size() || m.funcs[funcIndex].imported) return kNoWasmOffset;
  // The body starts after its size (a LEB128 at bodyStart); the instructions' offsets are >= it.
  uint32_t at = m.funcs[funcIndex].bodyStart;
  while (at < m.bytes.size() && (m.bytes[at] & 0x80)) ++at;
  ++at;
  return moduleOffset >= at ? moduleOffset - at : kNoWasmOffset;
}

std::string Trap::toString(bool verbose) const {
  std::string s = message;
  std::string dwarfNote;  // verbose: why DWARF was there but gave nothing (once)
  auto sameFrame = [&](size_t a, size_t b) {
    auto instOf = [&](size_t i) { return i < backtraceInstances.size() ? backtraceInstances[i] : nullptr; };
    return backtrace[a] == backtrace[b] && instOf(a) == instOf(b) && offset(a) == offset(b);
  };
  auto frameLine = [&](size_t i) {
    const Instance* inst = i < backtraceInstances.size() ? backtraceInstances[i] : nullptr;
    std::string line = "\n  at ";
    line += inst && inst->module ? printableName(inst->module->funcName(backtrace[i]))  // names are data
                                 : "func[" + std::to_string(backtrace[i]) + "]";
    const uint32_t off = offset(i);
    char buf[96];
    if (verbose) {
      const uint32_t rel = inst && inst->module ? functionRelativeOffset(*inst->module, backtrace[i], off) : kNoWasmOffset;
      std::snprintf(buf, sizeof buf, " (func %u", backtrace[i]);
      line += buf;
      if (off != kNoWasmOffset) {
        std::snprintf(buf, sizeof buf, ", wasm offset 0x%x", off);
        line += buf;
      }
      if (rel != kNoWasmOffset) {
        std::snprintf(buf, sizeof buf, ", function offset 0x%x", rel);
        line += buf;
      }
      line += ")";
    } else if (off != kNoWasmOffset) {
      std::snprintf(buf, sizeof buf, " (wasm offset 0x%x)", off);
      line += buf;
    }
    // Source locations from the module's DWARF, one indented line each (inlined callees first); file and function
    // names are data, escaped like function names.
    if (inst && inst->module && off != kNoWasmOffset && debug::sourceLocationsEnabled()) {
      for (const debug::SourceLocation& loc : debug::sourceLocations(*inst->module, off)) {
        line.append("\n      at ");
        line.append(loc.file.empty() ? std::string("<unknown file>") : printableName(loc.file));
        if (loc.line) line.append(":").append(std::to_string(loc.line));
        if (loc.line && loc.column) line.append(":").append(std::to_string(loc.column));
        if (loc.inlined) line.append(" (inlined ").append(loc.function.empty() ? "?" : printableName(loc.function)).append(")");
      }
      if (verbose) {
        const std::string why = debug::sourceMapError(*inst->module);
        if (!why.empty())
          dwarfNote.assign("\n  note: no source locations: the module's DWARF cannot be read (").append(printableName(why)).append(")");
      }
    }
    return line;
  };
  for (size_t i = 0; i < backtrace.size();) {
    if (framesOmitted && i == ExecContext::kBacktraceHead)
      s += "\n  ... " + std::to_string(framesOmitted) + " frames omitted";
    // Runs of the same frame (deep recursion) print once with a count; never across the omission.
    size_t j = i + 1;
    const size_t runEnd = framesOmitted && i < ExecContext::kBacktraceHead ? ExecContext::kBacktraceHead : backtrace.size();
    while (!verbose && j < runEnd && sameFrame(i, j)) ++j;
    s += frameLine(i);
    if (j - i > 2) s += " (repeated " + std::to_string(j - i) + " times)";
    else if (j - i == 2) s += frameLine(i);
    i = j;
  }
  return s + dwarfNote;
}

FuncInst* findExportedFunc(const Instance& inst, std::string_view name) {
  const Extern* e = inst.findExport(name);
  return e && e->kind == ExternKind::Func ? e->func : nullptr;
}
GlobalInst* findExportedGlobal(const Instance& inst, std::string_view name) {
  const Extern* e = inst.findExport(name);
  return e && e->kind == ExternKind::Global ? e->global : nullptr;
}
MemoryInst* findExportedMemory(const Instance& inst, std::string_view name) {
  const Extern* e = inst.findExport(name);
  return e && e->kind == ExternKind::Memory ? e->memory : nullptr;
}
TableInst* findExportedTable(const Instance& inst, std::string_view name) {
  const Extern* e = inst.findExport(name);
  return e && e->kind == ExternKind::Table ? e->table : nullptr;
}

}  // namespace myrt
