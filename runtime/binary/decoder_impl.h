// runtime/binary/decoder_impl.h -- internal to the binary decoder: the ModuleDecoder class shared by decoder.cpp
// (framing, section order, type/import/function/table/memory/tag/global/export/start sections) and
// decoder_sections.cpp (element, data count, code, data, custom and name sections).
// Layer: binary. Not to be included outside runtime/binary.
//
// Reading model (follows the reference interpreter so error wording matches the spec tests): one ByteReader over the
// whole module; a section's declared size only gives "section size mismatch" when its contents end elsewhere, reads
// past the end of the binary give "unexpected end of section or function", and every length/count is checked against
// the bytes left in the binary ("length out of bounds") before anything is allocated for it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/reader.h"
#include "runtime/base/result.h"
#include "runtime/binary/decoder.h"
#include "runtime/wasm/module.h"

namespace myrt::binary_detail {

// Section ids of the binary format.
enum SectionId : uint8_t {
  kCustomSection = 0,
  kTypeSection = 1,
  kImportSection = 2,
  kFunctionSection = 3,
  kTableSection = 4,
  kMemorySection = 5,
  kGlobalSection = 6,
  kExportSection = 7,
  kStartSection = 8,
  kElemSection = 9,
  kCodeSection = 10,
  kDataSection = 11,
  kDataCountSection = 12,
  kTagSection = 13,
};

// Position of a non-custom section in the required order (type, import, func, table, memory, tag, global, export,
// start, elem, datacount, code, data); 0 for custom sections.
int sectionRank(uint8_t id);

// Reads the code section whose contents start at `codeStart` like the reference interpreter (see rescanCode).
std::optional<Error> scanCode(const std::vector<uint8_t>& bytes, size_t codeStart, bool wasm20, size_t before);

inline constexpr const char* kUnexpectedEnd = "unexpected end of section or function";

class ModuleDecoder {
 public:
  ModuleDecoder(Module& m, const DecodeOptions& opts)
      : m_(m), opts_(opts), r_(m.bytes.data(), m.bytes.size(), 0) {}

  Status decode();
  // Error path only: re-reads the code section as the reference interpreter does (instructions decoded without
  // trusting body sizes, which are checked afterwards) and returns the first error met before offset `before`.
  std::optional<Error> rescanCode(size_t before) const;
  // Success path: a body that is empty or does not end in 0x0B is malformed; report it as rescanCode does.
  Status checkBodyEnds() const;

 private:
  // ---- primitives (decoder.cpp) ----
  // A u32 length or count, checked like the reference interpreter's len32: it may not exceed the bytes left in the
  // binary counted from the start of the LEB ("length out of bounds").
  Result<uint32_t> readLen();
  // A UTF-8 name: readLen + bytes + validation ("malformed UTF-8 encoding").
  Result<std::string_view> readName();
  // n raw bytes starting at the reader; "unexpected end of section or function" if the binary ends first.
  Result<ByteRange> readBytes(uint32_t n);
  Result<uint8_t> readByte();
  Result<ValType> readValType();
  Result<ValType> readRefType();
  Result<FieldType> readFieldType();
  Result<Limits> readLimits(bool table);
  Result<GlobalType> readGlobalType();
  Result<TableType> readTableType();
  Result<uint32_t> readTagType();
  // A constant expression up to and including its `end`.
  Result<ConstExpr> readConstExpr();
  // Capacity to reserve for a vector of `count` entries of at least `minBytes` bytes each, given the bytes left.
  size_t reserveFor(uint32_t count, size_t minBytes) const;

  // ---- sections (decoder.cpp) ----
  Status typeSection();
  Status subType(SubType& st);
  Status compositeType(CompositeType& ct);
  Status importSection();
  Status functionSection();
  Status tableSection();
  Status memorySection();
  Status tagSection();
  Status globalSection();
  Status exportSection();
  Status startSection();

  // ---- sections (decoder_sections.cpp) ----
  Status elemSection();
  Status dataCountSection();
  Status codeSection();
  Status codeEntry(Func& f, std::vector<std::pair<uint32_t, ValType>>& decls);
  Status dataSection();
  Status customSection(size_t start, uint32_t size, SectionInfo& info);
  void nameSection(ByteRange contents);  // never fails: a malformed name section is ignored

  Module& m_;
  DecodeOptions opts_;
  ByteReader r_;
  uint32_t numDefinedFuncs_ = 0;    // from the function section
  uint32_t numCodeEntries_ = 0;     // from the code section
  bool sawCode_ = false, sawData_ = false, sawNames_ = false;
  uint64_t totalLocals_ = 0;
  std::optional<size_t> codeStart_;  // offset of the code section's contents
};

}  // namespace myrt::binary_detail
