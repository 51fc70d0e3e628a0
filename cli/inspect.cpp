// cli/inspect.cpp -- `myrt inspect FILE`: a wasm-objdump -h -x style listing of a decoded module (sections with
// offsets and sizes, types, imports, functions, tables, memories, globals, tags, exports, start, segments, code sizes,
// custom sections, names).
// Layer: cli. Reads only the Module produced by the decoder (plus the section headers' element counts).
#include <cinttypes>
#include <cstdio>
#include <iostream>
#include <string>

#include "cli/cli.h"
#include "engine/opt_ir.h"
#include "runtime/base/reader.h"

namespace myrt::cli {

namespace {

const char* sectionName(uint8_t id) {
  switch (id) {
    case 0: return "Custom";
    case 1: return "Type";
    case 2: return "Import";
    case 3: return "Function";
    case 4: return "Table";
    case 5: return "Memory";
    case 6: return "Global";
    case 7: return "Export";
    case 8: return "Start";
    case 9: return "Elem";
    case 10: return "Code";
    case 11: return "Data";
    case 12: return "DataCount";
    case 13: return "Tag";
    default: return "Unknown";
  }
}

std::string hex(uint64_t v, int width = 8) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%0*" PRIx64, width, v);
  return buf;
}

std::string limitsStr(const Limits& l) {
  std::string s = l.is64 ? "i64 " : "";
  s += "initial=" + std::to_string(l.min);
  if (l.max) s += " max=" + std::to_string(*l.max);
  if (l.shared) s += " shared";
  return s;
}

std::string fieldStr(const FieldType& f) {
  std::string t = f.type.kind == ValKind::I8 ? "i8" : f.type.kind == ValKind::I16 ? "i16" : toString(f.type);
  return f.mut ? "(mut " + t + ")" : t;
}

std::string typeStr(const SubType& st) {
  const CompositeType& c = st.comp;
  std::string s;
  switch (c.kind) {
    case CompKind::Func: {
      s = "(func";
      if (!c.params.empty()) {
        s += " (param";
        for (auto t : c.params) {
          s += ' ';
          s += toString(t);
        }
        s += ")";
      }
      if (!c.results.empty()) {
        s += " (result";
        for (auto t : c.results) {
          s += ' ';
          s += toString(t);
        }
        s += ")";
      }
      s += ")";
      break;
    }
    case CompKind::Struct: {
      s = "(struct";
      for (const auto& f : c.fields) {
        s += " (field ";
        s += fieldStr(f);
        s += ')';
      }
      s += ")";
      break;
    }
    case CompKind::Array:
      s = "(array " + (c.fields.empty() ? std::string("?") : fieldStr(c.fields[0])) + ")";
      break;
  }
  if (!st.final || !st.supers.empty()) {
    std::string sub = st.final ? "(sub final" : "(sub";
    for (auto i : st.supers) {
      sub += ' ';
      sub += std::to_string(i);
    }
    sub += ' ';
    sub += s;
    sub += ')';
    s = std::move(sub);
  }
  if (st.recGroupSize > 1) s += "  ; rec group at " + std::to_string(st.recGroupStart);
  return s;
}

// The element count written at the start of a section's contents (nullopt for sections without one).
std::optional<uint32_t> sectionCount(const Module& m, const SectionInfo& s) {
  if (s.id == 0 || s.id == 8 || s.id > 13) return std::nullopt;
  if (static_cast<uint64_t>(s.offset) + s.size > m.bytes.size()) return std::nullopt;
  ByteReader r(m.bytes.data() + s.offset, s.size, s.offset);
  auto n = r.u32();
  if (!n.ok()) return std::nullopt;
  return n.value();
}

// " <name>" if function i has a name (name section or export).
std::string funcLabel(const Module& m, uint32_t i) {
  auto it = m.names.funcs.find(i);
  if (it != m.names.funcs.end()) return " <" + printableName(it->second) + ">";
  for (const auto& e : m.exports)
    if (e.kind == ExternKind::Func && e.index == i) return " <" + printableName(e.name) + ">";
  return "";
}

// --dump-ir FUNC: a function index, or a name from the name section or the exports.
int dumpIr(const std::string& file, const Module& m, const InspectOptions& opts) {
  const std::string& want = opts.dumpIr;
  uint32_t index = UINT32_MAX;
  if (!want.empty() && want.find_first_not_of("0123456789") == std::string::npos && want.size() < 10) {
    index = static_cast<uint32_t>(std::stoul(want));
  } else {
    for (uint32_t i = 0; i < m.funcs.size() && index == UINT32_MAX; ++i)
      if (m.funcName(i) == want) index = i;
    for (const Export& e : m.exports)
      if (index == UINT32_MAX && e.kind == ExternKind::Func && e.name == want) index = e.index;
  }
  if (index >= m.funcs.size()) {
    std::cerr << "myrt: inspect: " << file << ": no function '" << printableName(want) << "'\n";
    return kExitError;
  }
  if (m.funcs[index].imported) {
    std::cerr << "myrt: inspect: " << file << ": function " << index << " is imported (no body)\n";
    return kExitError;
  }
  auto text = optIrText(m, index, !opts.noOptimize, opts.regalloc);
  if (!text.ok()) {
    std::cerr << "myrt: inspect: " << formatError(file, text.error()) << "\n";
    return kExitError;
  }
  std::cout << *text;
  return 0;
}

}  // namespace

int cmdInspect(const std::string& file, const InspectOptions& opts) {
  bool failed = false;
  if (auto cb = componentBytesOf(file, &failed)) return inspectComponentFile(file, *cb);
  if (failed) return kExitError;
  bool fromText = false;
  auto loaded = loadFileOrReport(file, {}, &fromText);
  if (!loaded) return kExitError;
  const Module& m = *loaded;
  if (!opts.dumpIr.empty()) return dumpIr(file, m, opts);
  std::ostream& o = std::cout;

  o << file << ": WebAssembly module, " << m.bytes.size() << " bytes"
    << (fromText ? " (encoded from text)" : "") << "\n\n";

  o << "Sections:\n";
  for (const auto& s : m.sections) {
    char name[16];
    std::snprintf(name, sizeof name, "%9s", sectionName(s.id));
    o << name << " start=" << hex(s.offset) << " end=" << hex(uint64_t(s.offset) + s.size) << " (size=" << hex(s.size)
      << ")";
    if (s.id == 0) o << " \"" << s.name << "\"";
    if (s.id == 8 && m.start) o << " start: " << *m.start;
    if (s.id == 12 && m.dataCount) o << " count: " << *m.dataCount;
    if (auto n = sectionCount(m, s)) o << " count: " << *n;
    o << "\n";
  }

  o << "\nSection Details:\n";
  if (!m.types.empty()) {
    o << "Type[" << m.types.size() << "]:\n";
    for (size_t i = 0; i < m.types.size(); ++i) o << " - type[" << i << "] " << typeStr(m.types[i]) << "\n";
  }
  if (!m.imports.empty()) {
    o << "Import[" << m.imports.size() << "]:\n";
    for (const auto& im : m.imports) {
      o << " - " << toString(im.kind) << "[" << im.index << "]";
      switch (im.kind) {
        case ExternKind::Func:
          if (im.index < m.funcs.size()) o << " sig=" << m.funcs[im.index].typeIndex;
          break;
        case ExternKind::Table:
          if (im.index < m.tables.size())
            o << " type=" << toString(m.tables[im.index].type.elem) << " " << limitsStr(m.tables[im.index].type.limits);
          break;
        case ExternKind::Memory:
          if (im.index < m.memories.size()) o << " pages: " << limitsStr(m.memories[im.index].type.limits);
          break;
        case ExternKind::Global:
          if (im.index < m.globals.size())
            o << " " << toString(m.globals[im.index].type.type) << " mutable=" << m.globals[im.index].type.mut;
          break;
        case ExternKind::Tag:
          if (im.index < m.tags.size()) o << " sig=" << m.tags[im.index].typeIndex;
          break;
      }
      if (im.kind == ExternKind::Func) o << funcLabel(m, im.index);
      o << " <- " << printableName(im.module) << "." << printableName(im.name) << "\n";
    }
  }
  const size_t defined = m.funcs.size() - m.numImportedFuncs;
  o << "Function[" << defined << "]: " << m.numImportedFuncs << " imported, " << defined << " defined\n";
  for (size_t i = m.numImportedFuncs; i < m.funcs.size(); ++i)
    o << " - func[" << i << "] sig=" << m.funcs[i].typeIndex << funcLabel(m, uint32_t(i)) << "\n";
  if (!m.tables.empty()) {
    o << "Table[" << m.tables.size() << "]:\n";
    for (size_t i = 0; i < m.tables.size(); ++i)
      o << " - table[" << i << "] type=" << toString(m.tables[i].type.elem) << " "
        << limitsStr(m.tables[i].type.limits) << (m.tables[i].imported ? " (imported)" : "") << "\n";
  }
  if (!m.memories.empty()) {
    o << "Memory[" << m.memories.size() << "]:\n";
    for (size_t i = 0; i < m.memories.size(); ++i)
      o << " - memory[" << i << "] pages: " << limitsStr(m.memories[i].type.limits)
        << (m.memories[i].imported ? " (imported)" : "") << "\n";
  }
  if (!m.globals.empty()) {
    o << "Global[" << m.globals.size() << "]:\n";
    for (size_t i = 0; i < m.globals.size(); ++i)
      o << " - global[" << i << "] " << toString(m.globals[i].type.type) << " mutable=" << m.globals[i].type.mut
        << (m.globals[i].imported ? " (imported)" : "") << "\n";
  }
  if (!m.tags.empty()) {
    o << "Tag[" << m.tags.size() << "]:\n";
    for (size_t i = 0; i < m.tags.size(); ++i)
      o << " - tag[" << i << "] sig=" << m.tags[i].typeIndex << (m.tags[i].imported ? " (imported)" : "") << "\n";
  }
  if (!m.exports.empty()) {
    o << "Export[" << m.exports.size() << "]:\n";
    for (const auto& e : m.exports) {
      o << " - " << toString(e.kind) << "[" << e.index << "]";
      if (e.kind == ExternKind::Func) o << funcLabel(m, e.index);
      o << " -> \"" << printableName(e.name) << "\"\n";
    }
  }
  if (m.start) o << "Start:\n - start function: " << *m.start << funcLabel(m, *m.start) << "\n";
  if (!m.elems.empty()) {
    o << "Elem[" << m.elems.size() << "]:\n";
    for (size_t i = 0; i < m.elems.size(); ++i) {
      const auto& e = m.elems[i];
      size_t n = e.usesExprs ? e.exprs.size() : e.funcIndices.size();
      const char* mode = e.mode == SegmentMode::Active ? "active" : e.mode == SegmentMode::Passive ? "passive"
                                                                                                 : "declarative";
      o << " - segment[" << i << "] " << mode;
      if (e.mode == SegmentMode::Active) o << " table=" << e.table;
      o << " type=" << toString(e.type) << " count=" << n << "\n";
    }
  }
  if (!m.datas.empty()) {
    o << "Data[" << m.datas.size() << "]:\n";
    for (size_t i = 0; i < m.datas.size(); ++i) {
      const auto& d = m.datas[i];
      o << " - segment[" << i << "] " << (d.mode == SegmentMode::Active ? "active" : "passive");
      if (d.mode == SegmentMode::Active) o << " memory=" << d.memory;
      o << " size=" << d.data.size << "\n";
    }
  }
  uint64_t codeBytes = 0;
  for (size_t i = m.numImportedFuncs; i < m.funcs.size(); ++i) codeBytes += m.funcs[i].body.size;
  o << "Code[" << defined << "]: " << codeBytes << " bytes of instructions\n";
  for (size_t i = m.numImportedFuncs; i < m.funcs.size(); ++i)
    o << " - func[" << i << "] size=" << m.funcs[i].body.size << " locals=" << m.funcs[i].locals.size()
      << funcLabel(m, uint32_t(i)) << "\n";
  if (!m.customs.empty()) {
    o << "Custom[" << m.customs.size() << "]:\n";
    for (const auto& c : m.customs) o << " - \"" << c.name << "\" size=" << c.contents.size << "\n";
  }
  if (!m.names.moduleName.empty() || !m.names.funcs.empty() || !m.names.locals.empty()) {
    o << "Names:\n";
    if (!m.names.moduleName.empty()) o << " - module <" << m.names.moduleName << ">\n";
    size_t nlocals = 0;
    for (const auto& [f, ls] : m.names.locals) nlocals += ls.size();
    o << " - " << m.names.funcs.size() << " function names, " << nlocals << " local names\n";
  }
  return kExitOk;
}

}  // namespace myrt::cli
