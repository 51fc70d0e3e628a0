// runtime/text/wat_parser.h -- internal: the WAT parser shared by wat_module.cpp (module fields, sections),
// wat_types.cpp (value/heap/composite types, type uses) and wat_instr.cpp (instructions). Not a public header.
// Layer: text. The parser works on the lexer's token vector in two passes: pass 1 binds every $id of every module-level
// index space and parses all type definitions (they may be referenced before they appear); pass 2 parses the fields in
// order and encodes them straight into section buffers (ByteWriter), so the output is the binary format.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/base/native_stack.h"
#include "runtime/base/result.h"
#include "runtime/text/lexer.h"
#include "runtime/wasm/opcodes.h"
#include "runtime/wasm/types.h"

namespace myrt::wat {

// Growable byte buffer with the binary format's primitive encodings.
class ByteWriter {
 public:
  std::vector<uint8_t> bytes;

  void u8(uint8_t b) { bytes.push_back(b); }
  void u32(uint32_t v) { u64(v); }
  void u64(uint64_t v) {
    do {
      uint8_t b = v & 0x7F;
      v >>= 7;
      if (v) b |= 0x80;
      bytes.push_back(b);
    } while (v);
  }
  void s32(int32_t v) { s64(v); }
  void s64(int64_t v) {
    for (;;) {
      uint8_t b = v & 0x7F;
      v >>= 7;  // arithmetic shift
      bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
      if (!done) b |= 0x80;
      bytes.push_back(b);
      if (done) return;
    }
  }
  void fixed32(uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void fixed64(uint64_t v) {
    for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void name(std::string_view s) {
    u32(static_cast<uint32_t>(s.size()));
    bytes.insert(bytes.end(), s.begin(), s.end());
  }
  void append(const ByteWriter& w) { bytes.insert(bytes.end(), w.bytes.begin(), w.bytes.end()); }
  void op(Op o) {
    uint8_t buf[8];
    unsigned n = encodeOpcode(o, buf);
    bytes.insert(bytes.end(), buf, buf + n);
  }
  size_t size() const { return bytes.size(); }
};

constexpr uint8_t kLastSection = 0xFF;

enum Space : uint8_t { SpType, SpFunc, SpTable, SpMem, SpGlobal, SpTag, SpElem, SpData, SpCount };

// One index space: $id -> index, plus the number of entries seen so far (pass 1) and names by index.
struct IndexSpace {
  std::unordered_map<std::string, uint32_t> byName;
  std::unordered_map<uint32_t, std::string> nameOf;
  uint32_t count = 0;
};

// A parsed type use: `(type x)? (param ...)* (result ...)*`.
struct TypeUse {
  std::optional<uint32_t> index;  // explicit (type x)
  bool hasInline = false;         // any param/result written
  std::vector<ValType> params, results;
  std::vector<std::string> paramNames;  // "" when unnamed (only when names are allowed)
};

// Per-function context for instructions: locals and the label stack.
struct FuncCtx {
  IndexSpace locals;
  std::vector<std::optional<std::string>> labels;  // innermost last; nullopt = unnamed
};

class Parser {
 public:
  explicit Parser(const std::vector<Token>& toks) : t_(toks) {}
  Result<std::vector<uint8_t>> parseModule();

  // ---- token cursor (wat_module.cpp) ----
  const Token& peek(size_t k = 0) const { return t_[pos_ + k < t_.size() ? pos_ + k : t_.size() - 1]; }
  const Token& next() {
    const Token& t = peek();
    if (pos_ < t_.size() - 1) ++pos_;
    return t;
  }
  bool isLParenKw(std::string_view kw, size_t k = 0) const {
    return peek(k).kind == TokKind::LParen && peek(k + 1).isKeyword(kw);
  }
  bool isKw(std::string_view kw) const { return peek().isKeyword(kw); }
  Error errAt(const Token& t, std::string msg) const { return Error(t.offset, std::move(msg)); }
  Error unexpected() const;  // "unexpected token" / "unexpected end"
  Status expectLParen();
  Status expectRParen();
  Status skipBalanced();  // at '(' : skips through the matching ')'
  Result<std::string> parseString();  // a String token's bytes
  Result<std::string> parseName();    // a String that must be valid UTF-8 ("malformed UTF-8 encoding")
  Result<uint32_t> parseU32Tok();
  Result<uint64_t> parseU64Tok();

  // ---- index spaces ----
  static const char* spaceName(Space s);         // "func" (for duplicate errors)
  static const char* spaceUnknownName(Space s);  // "function" (for unknown errors)
  Status bind(Space s, const Token* id);          // pass 1: next index of s, with optional $id
  bool atIndex() const { return peek().kind == TokKind::Number || peek().kind == TokKind::Id; }
  Result<uint32_t> parseIndex(Space s);           // a nat or $id of the space
  Result<uint32_t> parseLocalIndex(FuncCtx& f);
  Result<uint32_t> parseLabelIndex(FuncCtx& f);
  Result<uint32_t> parseFieldIndex(uint32_t typeIdx);

  // ---- types (wat_types.cpp) ----
  bool atValType() const;
  Result<ValType> parseValType();
  Result<ValType> parseRefType();           // funcref / (ref null? ht)
  Result<HeapType> parseHeapType();
  Result<ValType> parseStorageType();       // valtype | i8 | i16
  Status parseTypeDefField();               // pass 1b: `(type ...)` or `(rec ...)`
  Result<SubType> parseSubType(uint32_t selfIndex);
  Result<TypeUse> parseTypeUse(bool allowNames);
  Result<uint32_t> resolveTypeUse(const TypeUse& tu, const Token& at);  // explicit or implicit type index
  uint32_t findOrAddFuncType(const std::vector<ValType>& params, const std::vector<ValType>& results);
  const CompositeType* funcTypeAt(uint32_t idx) const;
  void encodeValType(ByteWriter& w, ValType t) const;
  void encodeHeapType(ByteWriter& w, HeapType h) const;
  void encodeTypeSection(ByteWriter& w) const;

  // ---- instructions (wat_instr.cpp) ----
  Status parseInstrs(FuncCtx& f, ByteWriter& w);  // until ')' or a block terminator keyword
  Status parseConstExpr(ByteWriter& w);            // instrs + `end`
  Status parseInstr(FuncCtx& f, ByteWriter& w);
  Status parseFolded(FuncCtx& f, ByteWriter& w);
  Status parsePlain(FuncCtx& f, ByteWriter& w, Op op, const Token& at);
  Status parseImmediates(FuncCtx& f, ByteWriter& w, Op op, const Token& at);
  Status parseBlockType(ByteWriter& w, const Token& at);
  Status parseEndLabel(FuncCtx& f, bool pop);
  Status parseMemArg(ByteWriter& w, Op op, bool lane);
  Status parseV128Const(ByteWriter& w);

  // ---- state ----
  const std::vector<Token>& t_;
  size_t pos_ = 0;

  std::array<IndexSpace, SpCount> spaces_;
  std::vector<SubType> types_;  // explicit types (pass 1b) followed by implicit ones (pass 2)
  std::vector<std::pair<uint32_t, uint32_t>> recGroups_;  // (first, size) of explicit rec groups, in order
  std::vector<std::unordered_map<std::string, uint32_t>> fieldNames_;
  uint32_t numExplicitTypes_ = 0;

  // Section contents (pass 2).
  ByteWriter imports_, tables_, mems_, globals_, tags_, exports_, elems_, datas_;
  uint32_t numImports_ = 0, numTables_ = 0, numMems_ = 0, numGlobals_ = 0, numTags_ = 0, numExports_ = 0,
           numElems_ = 0, numDatas_ = 0;
  std::vector<uint32_t> funcTypes_;  // defined functions' type indices
  std::vector<ByteWriter> codes_;
  std::optional<uint32_t> start_;
  bool needDataCount_ = false;
  const char* firstDefinition_ = nullptr;  // "function", "table", ... once a non-import definition was seen
  std::optional<std::string> moduleName_;
  std::vector<std::pair<uint32_t, std::vector<std::pair<uint32_t, std::string>>>> localNames_;
  bool wasm2_ = false;                   // WatOptions::wasm2
  struct CustomSection {
    uint8_t sectionId = 0;  // placed before/after this section's place (kLastSection: after everything)
    bool after = true;
    std::string name, data;
  };
  std::vector<CustomSection> customs_;   // from `(@custom ...)` annotations
  std::vector<size_t> typeFieldStarts_;  // token positions of `(type ...)` / `(rec ...)` fields
  unsigned depth_ = 0;                   // nesting depth of blocks/folded instructions (bounded)
  // Native stack bound of the thread parsing (taken when the parser is made, at the entry from the host): folded
  // nesting deeper than the stack allows is "nesting too deep" like nesting beyond kMaxDepth.
  uintptr_t stackLimit_ = nativeStackLimit();
};

// Natural alignment (log2 bytes) of a memory access op.
uint32_t naturalAlignment(Op op);

}  // namespace myrt::wat
