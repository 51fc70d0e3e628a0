// runtime/wasm/module.h -- the decoded Module: what the binary decoder produces and everything after it consumes.
// Layer: wasm. Function bodies and constant expressions are kept as byte ranges into Module::bytes; the CodeReader
// (runtime/valid/code_reader.h) walks them. Index spaces list imports first, then definitions.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/wasm/types.h"

namespace myrt {

namespace debug {
struct SourceMap;  // runtime/debug: the module's DWARF, opened at the first source lookup
}
namespace jit {
struct Precompiled;  // jit/aot.h: machine code loaded from a precompiled artifact (.cwasm, the code cache)
}

// A byte range [offset, offset+size) of Module::bytes.
struct ByteRange {
  uint32_t offset = 0;
  uint32_t size = 0;
};

// A constant expression, e.g. a global initializer or segment offset: bytes up to and including the final `end`.
using ConstExpr = ByteRange;

struct Import {
  std::string module;
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;  // index in the kind's index space (the import is that entry)
};

struct Export {
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;
};

struct Func {
  uint32_t typeIndex = 0;
  bool imported = false;
  // Defined functions only:
  std::vector<ValType> locals;  // declared locals, expanded (params not included)
  ByteRange body;               // instruction bytes after the local declarations, including the final `end`
  uint32_t bodyStart = 0;       // offset of the function body entry (its size LEB) for error/backtrace mapping
};

struct Table {
  TableType type;
  bool imported = false;
  std::optional<ConstExpr> init;  // 3.0 `table t e` form (0x40 0x00 prefix)
};

struct Memory {
  MemoryType type;
  bool imported = false;
};

struct Global {
  GlobalType type;
  bool imported = false;
  ConstExpr init;  // defined globals only
};

struct Tag {
  uint32_t typeIndex = 0;  // a function type with no results
  bool imported = false;
};

enum class SegmentMode : uint8_t { Active, Passive, Declarative };

struct ElemSegment {
  SegmentMode mode = SegmentMode::Active;
  uint32_t table = 0;
  ConstExpr offset;                 // Active only
  ValType type = ValType::funcref();
  bool usesExprs = false;           // false: funcIndices; true: exprs
  std::vector<uint32_t> funcIndices;
  std::vector<ConstExpr> exprs;
  uint32_t sourceOffset = 0;        // offset of the segment in the binary (for errors)
};

struct DataSegment {
  SegmentMode mode = SegmentMode::Active;  // Active or Passive
  uint32_t memory = 0;
  ConstExpr offset;  // Active only
  ByteRange data;
  uint32_t sourceOffset = 0;
};

struct CustomSection {
  std::string name;
  ByteRange contents;
};

struct NameSection {
  std::string moduleName;
  std::unordered_map<uint32_t, std::string> funcs;
  std::unordered_map<uint32_t, std::unordered_map<uint32_t, std::string>> locals;
};

// Section ids and where each section sits, for `myrt inspect`.
struct SectionInfo {
  uint8_t id = 0;
  uint32_t offset = 0;  // offset of the section contents
  uint32_t size = 0;
  std::string name;     // custom sections
};

struct Module {
  std::vector<uint8_t> bytes;  // the binary the module was decoded from; ranges above index into it
  // The module's frames may hold references to garbage-collected objects: it declares struct/array types or tags, or
  // a type, global or table mentions a reference outside the func hierarchy (set by the decoder). The tiers then
  // clear a frame's operand slots on entry, so the collector's conservative scan of the value stack does not find
  // stale references of earlier frames there (docs/design.md "Garbage collection").
  bool holdsGcRefs = false;

  std::vector<SubType> types;
  std::vector<Import> imports;
  std::vector<Func> funcs;          // imports first
  std::vector<Table> tables;        // imports first
  std::vector<Memory> memories;     // imports first
  std::vector<Global> globals;      // imports first
  std::vector<Tag> tags;            // imports first
  std::vector<Export> exports;
  std::optional<uint32_t> start;
  std::vector<ElemSegment> elems;
  std::vector<DataSegment> datas;
  std::optional<uint32_t> dataCount;
  std::vector<CustomSection> customs;
  std::vector<SectionInfo> sections;
  NameSection names;

  uint32_t numImportedFuncs = 0, numImportedTables = 0, numImportedMemories = 0, numImportedGlobals = 0,
           numImportedTags = 0;

  const CompositeType& funcType(uint32_t funcIndex) const { return types[funcs[funcIndex].typeIndex].comp; }
  const uint8_t* data(ByteRange r) const { return bytes.data() + r.offset; }
  // Name of function i for backtraces: name section, else export name, else "func[i]".
  std::string funcName(uint32_t i) const;

  // The DWARF source map (runtime/debug/source_map.h): never made at load, only by the first source lookup (a trap
  // printed, a frame asked for), under runtime/debug's lock; a copy of the Module shares the one already made.
  mutable std::shared_ptr<debug::SourceMap> sourceMap;
  // Ahead-of-time machine code for this module (jit/aot.h: a .cwasm file, wasm_module_deserialize, the code cache):
  // the JIT tier installs it into each instance instead of compiling. Null for modules loaded from wasm.
  std::shared_ptr<const jit::Precompiled> precompiled;
};

// Whether values of type `t` (of module `m`) may be references to garbage-collected objects: a reference type outside
// the func hierarchy (any, eq, i31, struct, array, extern, exn, none ..., or a concrete non-function type).
inline bool isGcRefType(ValType t, const Module& m) {
  if (!t.isRef() || t.heap == HeapKind::Func || t.heap == HeapKind::NoFunc) return false;
  return t.heap != HeapKind::Concrete || t.index >= m.types.size() || m.types[t.index].comp.kind != CompKind::Func;
}

}  // namespace myrt
