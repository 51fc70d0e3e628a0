// runtime/binary/decoder.cpp -- binary module decoding: header, section framing and order, the final cross-section
// checks, and the type, import, function, table, memory, tag, global, export and start sections.
// Layer: binary (depends on base, wasm; instr.h for value types and constant expressions). Element, data count, code,
// data and custom/name sections are in decoder_sections.cpp; the shared class is in decoder_impl.h.
#include <algorithm>
#include <cstring>

#include "runtime/binary/decoder.h"
#include "runtime/binary/decoder_impl.h"
#include "runtime/binary/instr.h"

namespace myrt {
namespace binary_detail {

int sectionRank(uint8_t id) {
  switch (id) {
    case kTypeSection: return 1;
    case kImportSection: return 2;
    case kFunctionSection: return 3;
    case kTableSection: return 4;
    case kMemorySection: return 5;
    case kTagSection: return 6;
    case kGlobalSection: return 7;
    case kExportSection: return 8;
    case kStartSection: return 9;
    case kElemSection: return 10;
    case kDataCountSection: return 11;
    case kCodeSection: return 12;
    case kDataSection: return 13;
    default: return 0;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Primitives

Result<uint8_t> ModuleDecoder::readByte() {
  if (r_.atEnd()) return r_.errorHere(kUnexpectedEnd);
  return r_.u8();
}

Result<uint32_t> ModuleDecoder::readLen() {
  size_t at = r_.offset();
  MYRT_ASSIGN(uint32_t n, r_.u32());
  // Counted from the start of the LEB, like the reference interpreter's len32.
  if (n > r_.size() - at) return r_.errorAt(at, "length out of bounds");
  return n;
}

Result<ByteRange> ModuleDecoder::readBytes(uint32_t n) {
  if (n > r_.remaining()) return Error(r_.size(), kUnexpectedEnd);
  ByteRange br{static_cast<uint32_t>(r_.offset()), n};
  r_.seek(r_.pos() + n);
  return br;
}

Result<std::string_view> ModuleDecoder::readName() {
  size_t at = r_.offset();
  MYRT_ASSIGN(uint32_t n, readLen());
  MYRT_ASSIGN(ByteRange br, readBytes(n));
  const uint8_t* p = m_.bytes.data() + br.offset;
  if (!isValidUtf8(p, n)) return r_.errorAt(at, "malformed UTF-8 encoding");
  return std::string_view(reinterpret_cast<const char*>(p), n);
}

size_t ModuleDecoder::reserveFor(uint32_t count, size_t minBytes) const {
  size_t cap = r_.remaining() / (minBytes ? minBytes : 1);
  return std::min<size_t>(count, cap);
}

Result<ValType> ModuleDecoder::readValType() { return myrt::readValType(r_); }
Result<ValType> ModuleDecoder::readRefType() { return myrt::readRefType(r_); }

Result<FieldType> ModuleDecoder::readFieldType() {
  FieldType ft;
  size_t at = r_.offset();
  MYRT_ASSIGN(uint8_t b, r_.peekU8());
  if (b == 0x78) {
    r_.seek(r_.pos() + 1);
    ft.type = ValType::i8();
  } else if (b == 0x77) {
    r_.seek(r_.pos() + 1);
    ft.type = ValType::i16();
  } else if (isValTypeStart(b)) {
    MYRT_ASSIGN(ft.type, readValType());
  } else if (b & 0x80) {
    return r_.errorAt(at + 1, "integer representation too long");
  } else {
    return r_.errorAt(at, "malformed storage type");
  }
  size_t mat = r_.offset();
  MYRT_ASSIGN(uint8_t mut, readByte());
  if (mut > 1) return r_.errorAt(mat, "malformed mutability");
  ft.mut = mut == 1;
  return ft;
}

Result<Limits> ModuleDecoder::readLimits(bool table) {
  Limits lim;
  size_t at = r_.offset();
  MYRT_ASSIGN(uint8_t flags, readByte());
  if (opts_.wasm20) {
    // 2.0: a u1 LEB ("has max").
    const uint8_t max20 = opts_.threads20 && !table ? 3 : 1;  // threads: bit 1 shared (memories only)
    if ((flags & 0x7F) > max20) return r_.errorAt(at, "integer too large");
    lim.shared = (flags & 0x02) != 0;
    if (flags & 0x80) return r_.errorAt(at + 1, "integer representation too long");
    MYRT_ASSIGN(uint32_t mn, r_.u32());
    lim.min = mn;
    if (flags & 1) {
      MYRT_ASSIGN(uint32_t mx, r_.u32());
      lim.max = mx;
    }
    return lim;
  }
  // 3.0: bit 0 has-max, bit 1 shared (threads; memories only), bit 2 64-bit address type.
  uint8_t allowed = table ? 0x05 : 0x07;
  if (flags & ~allowed) return r_.errorAt(at, "malformed limits flags");
  lim.shared = (flags & 0x02) != 0;
  lim.is64 = (flags & 0x04) != 0;
  // Both address types use u64 LEBs in the binary; the validator checks the range of 32-bit limits.
  MYRT_ASSIGN(lim.min, r_.u64());
  if (flags & 1) {
    MYRT_ASSIGN(uint64_t mx, r_.u64());
    lim.max = mx;
  }
  return lim;
}

Result<GlobalType> ModuleDecoder::readGlobalType() {
  GlobalType gt;
  MYRT_ASSIGN(gt.type, readValType());
  size_t at = r_.offset();
  MYRT_ASSIGN(uint8_t mut, readByte());
  if (mut > 1) return r_.errorAt(at, "malformed mutability");
  gt.mut = mut == 1;
  return gt;
}

Result<TableType> ModuleDecoder::readTableType() {
  TableType tt;
  MYRT_ASSIGN(tt.elem, readRefType());
  MYRT_ASSIGN(tt.limits, readLimits(true));
  return tt;
}

Result<uint32_t> ModuleDecoder::readTagType() {
  size_t at = r_.offset();
  MYRT_ASSIGN(uint8_t attr, readByte());
  if (attr != 0) return r_.errorAt(at, "zero byte expected");
  return r_.u32();
}

Result<ConstExpr> ModuleDecoder::readConstExpr() {
  size_t start = r_.offset();
  MYRT_TRY(skipConstExpr(r_, opts_.wasm20));
  return ConstExpr{static_cast<uint32_t>(start), static_cast<uint32_t>(r_.offset() - start)};
}

// ---------------------------------------------------------------------------------------------------------------------
// Type section: vec(rectype); rectype = 0x4E vec(subtype) | subtype; subtype = 0x50/0x4F vec(typeidx) comptype | comptype

Status ModuleDecoder::compositeType(CompositeType& ct) {
  size_t at = r_.offset();
  MYRT_ASSIGN(uint8_t form, readByte());
  if (form & 0x80) return r_.errorAt(at + 1, "integer representation too long");  // an s7 that is not one byte
  if (opts_.wasm20 && form != 0x60) return r_.errorAt(at, "malformed function type");
  switch (form) {
    case 0x60: {  // func
      ct.kind = CompKind::Func;
      MYRT_ASSIGN(uint32_t np, readLen());
      ct.params.reserve(reserveFor(np, 1));
      for (uint32_t i = 0; i < np; ++i) {
        MYRT_ASSIGN(ValType t, readValType());
        ct.params.push_back(t);
      }
      MYRT_ASSIGN(uint32_t nr, readLen());
      ct.results.reserve(reserveFor(nr, 1));
      for (uint32_t i = 0; i < nr; ++i) {
        MYRT_ASSIGN(ValType t, readValType());
        ct.results.push_back(t);
      }
      return {};
    }
    case 0x5F: {  // struct
      ct.kind = CompKind::Struct;
      MYRT_ASSIGN(uint32_t nf, readLen());
      ct.fields.reserve(reserveFor(nf, 2));
      for (uint32_t i = 0; i < nf; ++i) {
        MYRT_ASSIGN(FieldType f, readFieldType());
        ct.fields.push_back(f);
      }
      return {};
    }
    case 0x5E: {  // array
      ct.kind = CompKind::Array;
      MYRT_ASSIGN(FieldType f, readFieldType());
      ct.fields.push_back(f);
      return {};
    }
    default: return r_.errorAt(at, "malformed definition type");
  }
}

Status ModuleDecoder::subType(SubType& st) {
  MYRT_ASSIGN(uint8_t b, r_.peekU8());
  if (!opts_.wasm20 && (b == 0x50 || b == 0x4F)) {
    r_.seek(r_.pos() + 1);
    st.final = b == 0x4F;
    MYRT_ASSIGN(uint32_t n, readLen());
    st.supers.reserve(reserveFor(n, 1));
    for (uint32_t i = 0; i < n; ++i) {
      MYRT_ASSIGN(uint32_t s, r_.u32());
      st.supers.push_back(s);
    }
  } else {
    st.final = true;
  }
  return compositeType(st.comp);
}

Status ModuleDecoder::typeSection() {
  MYRT_ASSIGN(uint32_t n, readLen());
  m_.types.reserve(reserveFor(n, 3));
  for (uint32_t g = 0; g < n; ++g) {
    MYRT_ASSIGN(uint8_t b, r_.peekU8());
    size_t groupStart = m_.types.size();
    if (!opts_.wasm20 && b == 0x4E) {
      r_.seek(r_.pos() + 1);
      MYRT_ASSIGN(uint32_t k, readLen());
      for (uint32_t i = 0; i < k; ++i) {
        m_.types.emplace_back();
        MYRT_TRY(subType(m_.types.back()));
      }
    } else {
      m_.types.emplace_back();
      MYRT_TRY(subType(m_.types.back()));
    }
    if (m_.types.size() > UINT32_MAX) return r_.errorHere("too many types");
    uint32_t size = static_cast<uint32_t>(m_.types.size() - groupStart);
    for (size_t i = groupStart; i < m_.types.size(); ++i) {
      m_.types[i].recGroupStart = static_cast<uint32_t>(groupStart);
      m_.types[i].recGroupSize = size;
    }
  }
  return {};
}

// ---------------------------------------------------------------------------------------------------------------------
// Import, function, table, memory, tag, global, export and start sections

Status ModuleDecoder::importSection() {
  MYRT_ASSIGN(uint32_t n, readLen());
  m_.imports.reserve(reserveFor(n, 4));
  for (uint32_t i = 0; i < n; ++i) {
    Import imp;
    MYRT_ASSIGN(std::string_view mod, readName());
    MYRT_ASSIGN(std::string_view name, readName());
    imp.module.assign(mod);
    imp.name.assign(name);
    size_t at = r_.offset();
    MYRT_ASSIGN(uint8_t kind, readByte());
    switch (kind) {
      case 0: {
        Func f;
        MYRT_ASSIGN(f.typeIndex, r_.u32());
        f.imported = true;
        imp.index = static_cast<uint32_t>(m_.funcs.size());
        m_.funcs.push_back(std::move(f));
        ++m_.numImportedFuncs;
        break;
      }
      case 1: {
        Table t;
        MYRT_ASSIGN(t.type, readTableType());
        t.imported = true;
        imp.index = static_cast<uint32_t>(m_.tables.size());
        m_.tables.push_back(std::move(t));
        ++m_.numImportedTables;
        break;
      }
      case 2: {
        Memory mem;
        MYRT_ASSIGN(mem.type.limits, readLimits(false));
        mem.imported = true;
        imp.index = static_cast<uint32_t>(m_.memories.size());
        m_.memories.push_back(mem);
        ++m_.numImportedMemories;
        break;
      }
      case 3: {
        Global g;
        MYRT_ASSIGN(g.type, readGlobalType());
        g.imported = true;
        imp.index = static_cast<uint32_t>(m_.globals.size());
        m_.globals.push_back(g);
        ++m_.numImportedGlobals;
        break;
      }
      case 4:
        if (!opts_.wasm20) {
          Tag t;
          MYRT_ASSIGN(t.typeIndex, readTagType());
          t.imported = true;
          imp.index = static_cast<uint32_t>(m_.tags.size());
          m_.tags.push_back(t);
          ++m_.numImportedTags;
          break;
        }
        [[fallthrough]];
      default: return r_.errorAt(at, "malformed import kind");
    }
    imp.kind = static_cast<ExternKind>(kind);
    m_.imports.push_back(std::move(imp));
  }
  return {};
}

Status ModuleDecoder::functionSection() {
  MYRT_ASSIGN(uint32_t n, readLen());
  m_.funcs.reserve(m_.funcs.size() + reserveFor(n, 1));
  for (uint32_t i = 0; i < n; ++i) {
    Func f;
    MYRT_ASSIGN(f.typeIndex, r_.u32());
    m_.funcs.push_back(std::move(f));
  }
  numDefinedFuncs_ = n;
  return {};
}

Status ModuleDecoder::tableSection() {
  MYRT_ASSIGN(uint32_t n, readLen());
  m_.tables.reserve(m_.tables.size() + reserveFor(n, 3));
  for (uint32_t i = 0; i < n; ++i) {
    Table t;
    size_t at = r_.offset();
    MYRT_ASSIGN(uint8_t b, r_.peekU8());
    if (b == 0x40 && !opts_.wasm20) {
      // 3.0 `0x40 0x00 tabletype expr`. As in the reference interpreter, a failure anywhere in this form is reported
      // as the plain table type it then falls back to, which cannot start with 0x40.
      r_.seek(r_.pos() + 1);
      auto parsed = [&]() -> Status {
        MYRT_ASSIGN(uint8_t zero, readByte());
        if (zero != 0) return r_.errorAt(at, "malformed reference type");
        MYRT_ASSIGN(t.type, readTableType());
        MYRT_ASSIGN(ConstExpr e, readConstExpr());
        t.init = e;
        return {};
      }();
      if (!parsed.ok()) return r_.errorAt(at, "malformed reference type");
    } else {
      MYRT_ASSIGN(t.type, readTableType());
    }
    m_.tables.push_back(std::move(t));
  }
  return {};
}

Status ModuleDecoder::memorySection() {
  MYRT_ASSIGN(uint32_t n, readLen());
  m_.memories.reserve(m_.memories.size() + reserveFor(n, 2));
  for (uint32_t i = 0; i < n; ++i) {
    Memory mem;
    MYRT_ASSIGN(mem.type.limits, readLimits(false));
    m_.memories.push_back(mem);
  }
  return {};
}

Status ModuleDecoder::tagSection() {
  MYRT_ASSIGN(uint32_t n, readLen());
  m_.tags.reserve(m_.tags.size() + reserveFor(n, 2));
  for (uint32_t i = 0; i < n; ++i) {
    Tag t;
    MYRT_ASSIGN(t.typeIndex, readTagType());
    m_.tags.push_back(t);
  }
  return {};
}

Status ModuleDecoder::globalSection() {
  MYRT_ASSIGN(uint32_t n, readLen());
  m_.globals.reserve(m_.globals.size() + reserveFor(n, 3));
  for (uint32_t i = 0; i < n; ++i) {
    Global g;
    MYRT_ASSIGN(g.type, readGlobalType());
    MYRT_ASSIGN(g.init, readConstExpr());
    m_.globals.push_back(g);
  }
  return {};
}

Status ModuleDecoder::exportSection() {
  MYRT_ASSIGN(uint32_t n, readLen());
  m_.exports.reserve(reserveFor(n, 3));
  for (uint32_t i = 0; i < n; ++i) {
    Export e;
    MYRT_ASSIGN(std::string_view name, readName());
    e.name.assign(name);
    size_t at = r_.offset();
    MYRT_ASSIGN(uint8_t kind, readByte());
    if (kind > 4 || (kind == 4 && opts_.wasm20)) return r_.errorAt(at, "malformed export kind");
    e.kind = static_cast<ExternKind>(kind);
    MYRT_ASSIGN(e.index, r_.u32());
    m_.exports.push_back(std::move(e));
  }
  return {};
}

Status ModuleDecoder::startSection() {
  MYRT_ASSIGN(uint32_t s, r_.u32());
  m_.start = s;
  return {};
}

// ---------------------------------------------------------------------------------------------------------------------
// Module framing

Status ModuleDecoder::decode() {
  const size_t size = m_.bytes.size();
  if (size > UINT32_MAX) return Error(0, "module too large");
  static constexpr uint8_t kMagic[4] = {0x00, 0x61, 0x73, 0x6D};
  if (size < 4) return Error(size, "unexpected end");
  if (std::memcmp(m_.bytes.data(), kMagic, 4) != 0) return Error(0, "magic header not detected");
  if (size < 8) return Error(size, "unexpected end");
  static constexpr uint8_t kVersion[4] = {0x01, 0x00, 0x00, 0x00};
  if (std::memcmp(m_.bytes.data() + 4, kVersion, 4) != 0) return Error(4, "unknown binary version");
  r_.seek(8);

  int lastRank = 0;
  while (!r_.atEnd()) {
    size_t idAt = r_.offset();
    uint8_t id = r_.u8().value();
    if (id > kTagSection || (opts_.wasm20 && id == kTagSection)) return r_.errorAt(idAt, "malformed section id");
    int rank = sectionRank(id);
    if (id != kCustomSection && rank <= lastRank) return r_.errorAt(idAt, "unexpected content after last section");
    MYRT_ASSIGN(uint32_t secSize, readLen());
    size_t start = r_.offset();
    SectionInfo info;
    info.id = id;
    info.offset = static_cast<uint32_t>(start);
    info.size = secSize;
    switch (id) {
      case kCustomSection: MYRT_TRY(customSection(start, secSize, info)); break;
      case kTypeSection: MYRT_TRY(typeSection()); break;
      case kImportSection: MYRT_TRY(importSection()); break;
      case kFunctionSection: MYRT_TRY(functionSection()); break;
      case kTableSection: MYRT_TRY(tableSection()); break;
      case kMemorySection: MYRT_TRY(memorySection()); break;
      case kTagSection: MYRT_TRY(tagSection()); break;
      case kGlobalSection: MYRT_TRY(globalSection()); break;
      case kExportSection: MYRT_TRY(exportSection()); break;
      case kStartSection: MYRT_TRY(startSection()); break;
      case kElemSection: MYRT_TRY(elemSection()); break;
      case kDataCountSection: MYRT_TRY(dataCountSection()); break;
      case kCodeSection: MYRT_TRY(codeSection()); break;
      case kDataSection: MYRT_TRY(dataSection()); break;
      default: return r_.errorAt(idAt, "malformed section id");
    }
    if (r_.offset() != start + secSize) return r_.errorAt(start, "section size mismatch");
    m_.sections.push_back(std::move(info));
    if (id != kCustomSection) lastRank = rank;
  }

  if (numDefinedFuncs_ != numCodeEntries_)
    return Error(size, "function and code section have inconsistent lengths");
  if (m_.dataCount && *m_.dataCount != m_.datas.size())
    return Error(size, "data count and data section have inconsistent lengths");
  MYRT_TRY(checkBodyEnds());
  // The 2.0 suite's malformed bodies (zero bytes, u32 offsets) are only detectable here: 3.0 reads those bytes as
  // indices. The 2.0 mode exists for conformance runs, so it always pays for the extra pass.
  if (opts_.wasm20) {
    if (auto e = rescanCode(SIZE_MAX)) return std::move(*e);
  }
  return {};
}

}  // namespace binary_detail

namespace {
bool holdsGcRefs(const Module& m) {
  if (!m.tags.empty()) return true;
  auto gcRef = [&](ValType t) { return isGcRefType(t, m); };
  for (const SubType& st : m.types) {
    if (st.comp.kind != CompKind::Func) return true;
    for (ValType t : st.comp.params)
      if (gcRef(t)) return true;
    for (ValType t : st.comp.results)
      if (gcRef(t)) return true;
  }
  for (const Global& g : m.globals)
    if (gcRef(g.type.type)) return true;
  for (const Table& t : m.tables)
    if (gcRef(t.type.elem)) return true;
  return false;
}
}  // namespace

Result<Module> decodeModule(std::vector<uint8_t> bytes, const DecodeOptions& options) {
  Module m;
  m.bytes = std::move(bytes);
  binary_detail::ModuleDecoder d(m, options);
  Status st = d.decode();
  if (!st.ok()) {
    Error e = std::move(st).error();
    if (auto earlier = d.rescanCode(e.offset)) e = std::move(*earlier);
    // Past the header every premature end is reported with the reference interpreter's wording.
    if (e.message == "unexpected end" && m.bytes.size() >= 8) e.message = binary_detail::kUnexpectedEnd;
    return e;
  }
  m.holdsGcRefs = holdsGcRefs(m);
  return m;
}

Result<Module> decodeModule(std::vector<uint8_t> bytes) { return decodeModule(std::move(bytes), DecodeOptions{}); }

}  // namespace myrt
