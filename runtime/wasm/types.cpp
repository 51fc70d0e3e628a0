// runtime/wasm/types.cpp -- printing of types, module helpers.
#include "runtime/wasm/types.h"

#include "runtime/wasm/module.h"

namespace myrt {

std::string toString(HeapType h) {
  switch (h.kind) {
    case HeapKind::Func: return "func";
    case HeapKind::Extern: return "extern";
    case HeapKind::Any: return "any";
    case HeapKind::Eq: return "eq";
    case HeapKind::I31: return "i31";
    case HeapKind::Struct: return "struct";
    case HeapKind::Array: return "array";
    case HeapKind::Exn: return "exn";
    case HeapKind::None: return "none";
    case HeapKind::NoExtern: return "noextern";
    case HeapKind::NoFunc: return "nofunc";
    case HeapKind::NoExn: return "noexn";
    case HeapKind::Concrete: return std::to_string(h.index);
    case HeapKind::Bot: return "bot";
  }
  return "?";
}

std::string toString(ValType t) {
  switch (t.kind) {
    case ValKind::I32: return "i32";
    case ValKind::I64: return "i64";
    case ValKind::F32: return "f32";
    case ValKind::F64: return "f64";
    case ValKind::V128: return "v128";
    case ValKind::I8: return "i8";
    case ValKind::I16: return "i16";
    case ValKind::Bot: return "bot";
    case ValKind::Ref: break;
  }
  if (t.nullable && t.heap != HeapKind::Concrete && t.heap != HeapKind::Bot) {
    switch (t.heap) {
      case HeapKind::None: return "nullref";
      case HeapKind::NoExtern: return "nullexternref";
      case HeapKind::NoFunc: return "nullfuncref";
      case HeapKind::NoExn: return "nullexnref";
      default: return toString(t.heapType()) + "ref";
    }
  }
  return std::string("(ref ") + (t.nullable ? "null " : "") + toString(t.heapType()) + ")";
}

std::string toString(const std::vector<ValType>& ts) {
  std::string s = "[";
  for (size_t i = 0; i < ts.size(); ++i) {
    if (i) s += ' ';
    s += toString(ts[i]);
  }
  return s + "]";
}

unsigned byteSize(ValType t) {
  switch (t.kind) {
    case ValKind::I32: case ValKind::F32: return 4;
    case ValKind::I64: case ValKind::F64: return 8;
    case ValKind::V128: return 16;
    case ValKind::I8: return 1;
    case ValKind::I16: return 2;
    default: return 8;
  }
}

const char* toString(ExternKind k) {
  switch (k) {
    case ExternKind::Func: return "func";
    case ExternKind::Table: return "table";
    case ExternKind::Memory: return "memory";
    case ExternKind::Global: return "global";
    case ExternKind::Tag: return "tag";
  }
  return "?";
}

std::string Module::funcName(uint32_t i) const {
  auto it = names.funcs.find(i);
  if (it != names.funcs.end()) return it->second;
  for (const Export& e : exports)
    if (e.kind == ExternKind::Func && e.index == i) return e.name;
  return "func[" + std::to_string(i) + "]";
}

}  // namespace myrt
