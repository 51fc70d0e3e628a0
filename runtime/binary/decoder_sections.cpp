// runtime/binary/decoder_sections.cpp -- binary module decoding, second half: element, data count, code and data
// sections, custom sections and the "name" custom section.
// Layer: binary (depends on base, wasm; instr.h for reference types and constant expressions). The section framing
// and the other sections are in decoder.cpp; the shared ModuleDecoder class is declared in decoder_impl.h.
#include <utility>

#include "runtime/binary/decoder_impl.h"
#include "runtime/binary/instr.h"

namespace myrt::binary_detail {

// ---------------------------------------------------------------------------------------------------------------------
// Element section. The segment kind is a u32 whose bits say: 0 = passive or declarative (else active), 1 = explicit
// table index (active) or declarative (non-active), 2 = elements are expressions (else function indices).

Status ModuleDecoder::elemSection() {
  MYRT_ASSIGN(uint32_t n, readLen());
  m_.elems.reserve(reserveFor(n, 3));
  for (uint32_t i = 0; i < n; ++i) {
    ElemSegment seg;
    size_t at = r_.offset();
    seg.sourceOffset = static_cast<uint32_t>(at);
    MYRT_ASSIGN(uint32_t kind, r_.u32());
    if (kind > 7) return r_.errorAt(at, "malformed elements segment kind");
    const bool nonActive = kind & 1, bit1 = kind & 2;
    seg.usesExprs = (kind & 4) != 0;
    if (!nonActive) {
      seg.mode = SegmentMode::Active;
      if (bit1) {
        MYRT_ASSIGN(seg.table, r_.u32());
      }
      MYRT_ASSIGN(seg.offset, readConstExpr());
    } else {
      seg.mode = bit1 ? SegmentMode::Declarative : SegmentMode::Passive;
    }
    if (kind & 3) {
      // An explicit element type: a reference type for expressions, else an element kind (0x00 = func).
      if (seg.usesExprs) {
        MYRT_ASSIGN(seg.type, readRefType());
      } else {
        size_t kat = r_.offset();
        MYRT_ASSIGN(uint8_t ek, readByte());
        if (ek != 0x00) return r_.errorAt(kat, "malformed element kind");
        seg.type = opts_.wasm20 ? ValType::funcref() : ValType::ref(HeapKind::Func, false);
      }
    } else {
      // Kinds 0 and 4 (active, table 0): function indices are (ref func), expressions (ref null func).
      seg.type = (seg.usesExprs || opts_.wasm20) ? ValType::funcref() : ValType::ref(HeapKind::Func, false);
    }
    MYRT_ASSIGN(uint32_t count, readLen());
    if (seg.usesExprs) {
      seg.exprs.reserve(reserveFor(count, 2));
      for (uint32_t k = 0; k < count; ++k) {
        MYRT_ASSIGN(ConstExpr e, readConstExpr());
        seg.exprs.push_back(e);
      }
    } else {
      seg.funcIndices.reserve(reserveFor(count, 1));
      for (uint32_t k = 0; k < count; ++k) {
        MYRT_ASSIGN(uint32_t f, r_.u32());
        seg.funcIndices.push_back(f);
      }
    }
    m_.elems.push_back(std::move(seg));
  }
  return {};
}

// ---------------------------------------------------------------------------------------------------------------------
// Data count and data sections

Status ModuleDecoder::dataCountSection() {
  MYRT_ASSIGN(uint32_t c, r_.u32());
  m_.dataCount = c;
  return {};
}

Status ModuleDecoder::dataSection() {
  MYRT_ASSIGN(uint32_t n, readLen());
  sawData_ = true;
  m_.datas.reserve(reserveFor(n, 2));
  for (uint32_t i = 0; i < n; ++i) {
    DataSegment seg;
    size_t at = r_.offset();
    seg.sourceOffset = static_cast<uint32_t>(at);
    MYRT_ASSIGN(uint32_t kind, r_.u32());
    switch (kind) {
      case 0: {
        seg.mode = SegmentMode::Active;
        MYRT_ASSIGN(seg.offset, readConstExpr());
        break;
      }
      case 1: seg.mode = SegmentMode::Passive; break;
      case 2: {
        seg.mode = SegmentMode::Active;
        MYRT_ASSIGN(seg.memory, r_.u32());
        MYRT_ASSIGN(seg.offset, readConstExpr());
        break;
      }
      default: return r_.errorAt(at, "malformed data segment kind");
    }
    MYRT_ASSIGN(uint32_t len, readLen());
    MYRT_ASSIGN(seg.data, readBytes(len));
    m_.datas.push_back(seg);
  }
  return {};
}

// ---------------------------------------------------------------------------------------------------------------------
// Code section: vec(size:u32 locals:vec(count:u32 valtype) instructions). Bodies stay byte ranges for the CodeReader.

Status ModuleDecoder::codeEntry(Func& f, std::vector<std::pair<uint32_t, ValType>>& decls) {
  f.bodyStart = static_cast<uint32_t>(r_.offset());
  MYRT_ASSIGN(uint32_t size, readLen());
  const size_t start = r_.offset();
  const size_t end = start + size;
  if (end > r_.size()) return Error(r_.size(), kUnexpectedEnd);

  const size_t localsAt = r_.offset();
  MYRT_ASSIGN(uint32_t ndecl, readLen());
  decls.clear();
  decls.reserve(reserveFor(ndecl, 2));
  uint64_t total = 0;
  for (uint32_t i = 0; i < ndecl; ++i) {
    MYRT_ASSIGN(uint32_t cnt, r_.u32());
    MYRT_ASSIGN(ValType t, readValType());
    total += cnt;  // at most 2^32 declarations of < 2^32 each: cannot overflow u64
    decls.emplace_back(cnt, t);
  }
  // The spec limit is 2^32-1; we reject far earlier so a tiny binary cannot request gigabytes of locals.
  if (total > opts_.maxLocalsPerFunction) return r_.errorAt(localsAt, "too many locals");
  totalLocals_ += total;
  if (totalLocals_ > opts_.maxLocalsPerModule + opts_.localsPerModuleByte * m_.bytes.size())
    return r_.errorAt(localsAt, "too many locals");
  if (r_.offset() > end) return r_.errorAt(start, "section size mismatch");

  f.locals.clear();
  f.locals.reserve(static_cast<size_t>(total));
  for (const auto& [cnt, t] : decls) f.locals.insert(f.locals.end(), cnt, t);
  f.body = ByteRange{static_cast<uint32_t>(r_.offset()), static_cast<uint32_t>(end - r_.offset())};
  r_.seek(end);
  return {};
}

Status ModuleDecoder::codeSection() {
  codeStart_ = r_.offset();
  MYRT_ASSIGN(uint32_t n, readLen());
  sawCode_ = true;
  numCodeEntries_ = n;
  // With a count that disagrees with the function section the entries are still decoded (their errors come first, as
  // in the reference interpreter) and the mismatch is reported after the last section.
  const bool fill = n == numDefinedFuncs_ && m_.funcs.size() == size_t(m_.numImportedFuncs) + n;
  std::vector<std::pair<uint32_t, ValType>> decls;
  Func scratch;
  for (uint32_t i = 0; i < n; ++i) {
    Func& f = fill ? m_.funcs[m_.numImportedFuncs + i] : scratch;
    MYRT_TRY(codeEntry(f, decls));
  }
  return {};
}

std::optional<Error> scanCode(const std::vector<uint8_t>& bytes, size_t codeStart, bool wasm20, size_t before) {
  // The reference interpreter reads sequentially, so an error inside body i is reported first whenever body i starts
  // before `before` (the bounded decode's error may sit in bytes that reader never treats as a section).
  if (codeStart >= before) return std::nullopt;
  ByteReader r(bytes.data(), bytes.size(), 0);
  r.seek(codeStart);
  auto n = r.u32();
  if (!n.ok()) return n.error();
  Instr in;
  for (uint32_t i = 0; i < *n; ++i) {
    if (r.offset() >= before) return std::nullopt;
    auto size = r.u32();
    if (!size.ok()) return size.error();
    size_t start = r.offset();
    auto ndecl = r.u32();
    if (!ndecl.ok()) return ndecl.error();
    for (uint32_t k = 0; k < *ndecl; ++k) {
      auto cnt = r.u32();
      if (!cnt.ok()) return cnt.error();
      auto t = myrt::readValType(r);
      if (!t.ok()) return t.error();
    }
    Status st = skipInstrsToEnd(r, in, wasm20);
    if (!st.ok()) return st.error();
    if (r.offset() != start + *size) return Error(start, "section size mismatch");
  }
  return std::nullopt;
}

std::optional<Error> ModuleDecoder::rescanCode(size_t before) const {
  if (!codeStart_) return std::nullopt;
  return scanCode(m_.bytes, *codeStart_, opts_.wasm20, before);
}

Status ModuleDecoder::checkBodyEnds() const {
  for (size_t i = m_.numImportedFuncs; i < m_.funcs.size(); ++i) {
    const ByteRange& b = m_.funcs[i].body;
    if (b.size == 0 || m_.bytes[b.offset + b.size - 1] != 0x0B) {
      if (auto e = rescanCode(SIZE_MAX)) return std::move(*e);
      return Error(b.offset + b.size, "END opcode expected");
    }
  }
  return {};
}

// ---------------------------------------------------------------------------------------------------------------------
// Custom sections and the name section

Status ModuleDecoder::customSection(size_t start, uint32_t size, SectionInfo& info) {
  MYRT_ASSIGN(std::string_view name, readName());
  size_t consumed = r_.offset() - start;
  if (consumed > size) return Error(r_.size(), kUnexpectedEnd);
  MYRT_ASSIGN(ByteRange contents, readBytes(static_cast<uint32_t>(size - consumed)));
  info.name.assign(name);
  CustomSection cs;
  cs.name.assign(name);
  cs.contents = contents;
  m_.customs.push_back(std::move(cs));
  if (name == "name" && !sawNames_) {
    sawNames_ = true;
    nameSection(contents);
  }
  return {};
}

namespace {

// A name map: vec(idx name). Fails (returns false) on any malformation.
bool readNameMap(ByteReader& r, std::unordered_map<uint32_t, std::string>& out) {
  auto n = r.u32();
  if (!n.ok() || *n > r.remaining()) return false;
  out.reserve(*n);
  for (uint32_t i = 0; i < *n; ++i) {
    auto idx = r.u32();
    if (!idx.ok()) return false;
    auto name = r.name();
    if (!name.ok()) return false;
    out[*idx].assign(*name);
  }
  return true;
}

bool parseNames(ByteReader& r, NameSection& ns) {
  int lastId = -1;
  while (!r.atEnd()) {
    auto id = r.u8();
    if (!id.ok()) return false;
    auto size = r.u32();
    if (!size.ok() || *size > r.remaining()) return false;
    if (static_cast<int>(*id) <= lastId) return false;  // subsections are unique and in increasing id order
    lastId = *id;
    ByteReader sub(r.cur(), *size, r.offset());
    switch (*id) {
      case 0: {  // module name
        auto name = sub.name();
        if (!name.ok()) return false;
        ns.moduleName.assign(*name);
        break;
      }
      case 1:  // function names
        if (!readNameMap(sub, ns.funcs)) return false;
        break;
      case 2: {  // local names: vec(funcidx namemap)
        auto n = sub.u32();
        if (!n.ok() || *n > sub.remaining()) return false;
        for (uint32_t i = 0; i < *n; ++i) {
          auto f = sub.u32();
          if (!f.ok()) return false;
          if (!readNameMap(sub, ns.locals[*f])) return false;
        }
        break;
      }
      default: sub.seek(sub.size()); break;  // other subsections (labels, types, ...) are skipped
    }
    if (!sub.atEnd()) return false;
    r.seek(r.pos() + *size);
  }
  return true;
}

}  // namespace

void ModuleDecoder::nameSection(ByteRange contents) {
  ByteReader r(m_.bytes.data() + contents.offset, contents.size, contents.offset);
  NameSection ns;
  if (parseNames(r, ns)) m_.names = std::move(ns);
}

}  // namespace myrt::binary_detail

namespace myrt {

Status checkCodeEncoding(const Module& m, const DecodeOptions& options) {
  for (const SectionInfo& s : m.sections) {
    if (s.id != binary_detail::kCodeSection) continue;
    if (auto e = binary_detail::scanCode(m.bytes, s.offset, options.wasm20, SIZE_MAX)) {
      if (e->message == "unexpected end") e->message = binary_detail::kUnexpectedEnd;
      return std::move(*e);
    }
  }
  return {};
}

}  // namespace myrt
