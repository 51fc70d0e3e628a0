// runtime/text/wat_module.cpp -- WAT modules: the token cursor, index spaces and $id binding (pass 1), every module
// field (import, func, table, memory, global, tag, export, start, elem, data with their abbreviations) and the
// assembly of the binary sections, including a `name` section built from the $ids (pass 2).
// Layer: text (entry point watToBinary; see wat_parser.h for the parser's structure).
#include "runtime/text/wat.h"

#include <algorithm>

#include "runtime/base/reader.h"
#include "runtime/text/literals.h"
#include "runtime/text/wat_parser.h"
#include "runtime/wasm/module.h"

namespace myrt {
namespace wat {

// ---- token cursor ------------------------------------------------------------------------------------------------

Error Parser::unexpected() const {
  const Token& t = peek();
  if (t.kind == TokKind::Eof) return errAt(t, "unexpected end");
  return errAt(t, "unexpected token");
}

Status Parser::expectLParen() {
  if (peek().kind != TokKind::LParen) return unexpected();
  next();
  return {};
}

Status Parser::expectRParen() {
  if (peek().kind != TokKind::RParen) return unexpected();
  next();
  return {};
}

Status Parser::skipBalanced() {
  MYRT_TRY(expectLParen());
  size_t depth = 1;
  while (depth > 0) {
    const Token& t = next();
    if (t.kind == TokKind::Eof) return errAt(t, "unexpected end");
    if (t.kind == TokKind::LParen) ++depth;
    else if (t.kind == TokKind::RParen) --depth;
  }
  return {};
}

Result<std::string> Parser::parseString() {
  if (peek().kind != TokKind::String) return unexpected();
  return next().value;
}

Result<std::string> Parser::parseName() {
  const Token& t = peek();
  MYRT_ASSIGN(std::string s, parseString());
  if (!isValidUtf8(s)) return errAt(t, "malformed UTF-8 encoding");
  return s;
}

// A `nat` token: other number classes and keywords are "unexpected token", malformed numbers "unknown operator".
static Result<const Token*> natToken(Parser& p) {
  const Token& t = p.peek();
  if (t.kind != TokKind::Number) return p.unexpected();
  NumClass c = classifyNumber(t.text);
  if (c == NumClass::Malformed) return p.errAt(t, "unknown operator");
  if (c != NumClass::Nat) return p.errAt(t, "unexpected token");
  p.next();
  return &t;
}

Result<uint32_t> Parser::parseU32Tok() {
  MYRT_ASSIGN(const Token* t, natToken(*this));
  auto r = parseU32(t->text);
  if (!r.ok()) return errAt(*t, r.error().message);
  return *r;
}

Result<uint64_t> Parser::parseU64Tok() {
  MYRT_ASSIGN(const Token* t, natToken(*this));
  auto r = parseU64(t->text);
  if (!r.ok()) return errAt(*t, r.error().message);
  return *r;
}

// ---- index spaces ------------------------------------------------------------------------------------------------

const char* Parser::spaceName(Space s) {
  static const char* const names[] = {"type", "func", "table", "memory", "global", "tag", "elem", "data"};
  return names[s];
}

const char* Parser::spaceUnknownName(Space s) {
  static const char* const names[] = {"type", "function", "table", "memory", "global", "tag", "elem segment",
                                      "data segment"};
  return names[s];
}

Status Parser::bind(Space s, const Token* id) {
  IndexSpace& sp = spaces_[s];
  uint32_t idx = sp.count++;
  if (id) {
    if (!sp.byName.emplace(id->value, idx).second) return errAt(*id, std::string("duplicate ") + spaceName(s) + " $" + id->value);
    sp.nameOf.emplace(idx, id->value);
  }
  return {};
}

Result<uint32_t> Parser::parseIndex(Space s) {
  const Token& t = peek();
  if (t.kind == TokKind::Number) return parseU32Tok();
  if (t.kind == TokKind::Id) {
    next();
    auto it = spaces_[s].byName.find(t.value);
    if (it == spaces_[s].byName.end()) return errAt(t, std::string("unknown ") + spaceUnknownName(s) + " $" + t.value);
    return it->second;
  }
  return unexpected();
}

Result<uint32_t> Parser::parseLocalIndex(FuncCtx& f) {
  const Token& t = peek();
  if (t.kind == TokKind::Id) {
    next();
    auto it = f.locals.byName.find(t.value);
    if (it == f.locals.byName.end()) return errAt(t, "unknown local $" + t.value);
    return it->second;
  }
  return parseU32Tok();
}

Result<uint32_t> Parser::parseLabelIndex(FuncCtx& f) {
  const Token& t = peek();
  if (t.kind == TokKind::Id) {
    next();
    for (size_t i = f.labels.size(); i-- > 0;) {
      if (f.labels[i] && *f.labels[i] == t.value) return static_cast<uint32_t>(f.labels.size() - 1 - i);
    }
    return errAt(t, "unknown label $" + t.value);
  }
  return parseU32Tok();
}

Result<uint32_t> Parser::parseFieldIndex(uint32_t typeIdx) {
  const Token& t = peek();
  if (t.kind == TokKind::Id) {
    next();
    if (typeIdx < fieldNames_.size()) {
      auto it = fieldNames_[typeIdx].find(t.value);
      if (it != fieldNames_[typeIdx].end()) return it->second;
    }
    return errAt(t, "unknown field $" + t.value);
  }
  return parseU32Tok();
}

namespace {

using Import = std::optional<std::pair<std::string, std::string>>;

// The `func x*` / bare index forms have type (ref func) (3.0); the binary's function-index segment forms (flags 0-3)
// mean exactly that, so any other type (e.g. an explicit `funcref`) is encoded with expressions.
constexpr ValType kRefFunc = ValType::ref(HeapKind::Func, false);

struct ElemList {
  ValType type = kRefFunc;
  std::vector<ByteWriter> exprs;
  std::vector<std::optional<uint32_t>> funcIdx;  // set when the item is exactly `ref.func x`
};

// If `expr` is exactly `ref.func x end`, returns x.
std::optional<uint32_t> refFuncIndex(const ByteWriter& expr) {
  if (expr.bytes.size() < 3 || expr.bytes[0] != 0xD2 || expr.bytes.back() != 0x0B) return std::nullopt;
  ByteReader r(expr.bytes.data() + 1, expr.bytes.size() - 2);
  auto v = r.u32();
  if (!v.ok() || !r.atEnd()) return std::nullopt;
  return *v;
}

// A limit (min or max) of a memory or table: u64 for 64-bit address types and in 3.0 (the validator checks the range),
// u32 under 2.0 rules.
Result<uint64_t> parseLimit(Parser& p, bool is64) {
  const Token& t = p.peek();
  MYRT_ASSIGN(uint64_t v, p.parseU64Tok());
  if (p.wasm2_ && !is64 && v > UINT32_MAX) return p.errAt(t, "i32 constant out of range");
  return v;
}

void encodeLimits(ByteWriter& w, uint64_t min, std::optional<uint64_t> max, bool is64, bool shared) {
  w.u8(static_cast<uint8_t>((max ? 1 : 0) | (shared ? 2 : 0) | (is64 ? 4 : 0)));
  w.u64(min);
  if (max) w.u64(*max);
}

}  // namespace

// The module-field parser proper. Kept as free functions over Parser to split the work by field.
class ModuleParser {
 public:
  explicit ModuleParser(Parser& p) : p(p) {}

  Result<std::vector<uint8_t>> run();

 private:
  Status scanField();                 // pass 1
  Status parseField();                // pass 2
  Status inlineExports(ExternKind kind, uint32_t idx);
  Result<Import> inlineImport();
  Status noteImport(const Token& at);
  void noteDefinition(const char* what) {
    if (!p.firstDefinition_) p.firstDefinition_ = what;
  }
  void addImportHeader(const Import& imp, uint8_t kind) {
    p.imports_.name(imp->first);
    p.imports_.name(imp->second);
    p.imports_.u8(kind);
    ++p.numImports_;
  }
  Status parseFunc(const Token& kw, const Import& imported);
  Status parseTable(const Token& kw, const Import& imported);
  Status parseMemory(const Token& kw, const Import& imported);
  Status parseGlobal(const Token& kw, const Import& imported);
  Status parseTag(const Token& kw, const Import& imported);
  Status parseImport(const Token& kw);
  Status parseExport();
  Status parseStart(const Token& kw);
  Status parseElem();
  Status parseData();
  Result<ElemList> parseElemList(bool allowBareIndices);
  Status parseOffset(ByteWriter& w);
  Status parseElemExpr(ByteWriter& e);
  void encodeElem(SegmentMode mode, uint32_t table, const ByteWriter* offset, const ElemList& list);
  void encodeData(SegmentMode mode, uint32_t mem, const ByteWriter* offset, std::string_view bytes);
  std::vector<uint8_t> assemble();

  Parser& p;
  uint32_t seen_[SpCount] = {};  // pass 2 index counters
};

Status ModuleParser::noteImport(const Token& at) {
  if (p.firstDefinition_) return p.errAt(at, std::string("import after ") + p.firstDefinition_);
  return {};
}

Status ModuleParser::inlineExports(ExternKind kind, uint32_t idx) {
  while (p.isLParenKw("export")) {
    p.next();
    p.next();
    MYRT_ASSIGN(std::string name, p.parseName());
    MYRT_TRY(p.expectRParen());
    p.exports_.name(name);
    p.exports_.u8(static_cast<uint8_t>(kind));
    p.exports_.u32(idx);
    ++p.numExports_;
  }
  return {};
}

Result<Import> ModuleParser::inlineImport() {
  if (!p.isLParenKw("import")) return Import{};
  const Token& at = p.peek();
  p.next();
  p.next();
  MYRT_ASSIGN(std::string mod, p.parseName());
  MYRT_ASSIGN(std::string name, p.parseName());
  MYRT_TRY(p.expectRParen());
  MYRT_TRY(noteImport(at));
  return Import{std::make_pair(std::move(mod), std::move(name))};
}

// ---- pass 1 ------------------------------------------------------------------------------------------------------

static Space spaceOfKeyword(const Token& t, bool& ok) {
  ok = true;
  if (t.isKeyword("func")) return SpFunc;
  if (t.isKeyword("table")) return SpTable;
  if (t.isKeyword("memory")) return SpMem;
  if (t.isKeyword("global")) return SpGlobal;
  if (t.isKeyword("tag")) return SpTag;
  ok = false;
  return SpFunc;
}

Status ModuleParser::scanField() {
  size_t start = p.pos_;
  MYRT_TRY(p.expectLParen());
  const Token& kw = p.next();
  auto optId = [&]() -> const Token* { return p.peek().kind == TokKind::Id ? &p.next() : nullptr; };
  // Scans `(export ..)* (import ..)? i64?` for the inline elem/data abbreviation of tables/memories.
  auto scanAbbrev = [&](Space inner, std::string_view innerKw) {
    size_t save = p.pos_;
    while (p.isLParenKw("export") || p.isLParenKw("import")) {
      if (!p.skipBalanced().ok()) break;
    }
    if (p.isKw("i64") || p.isKw("i32")) p.next();
    if (p.atValType()) {
      if (p.peek().kind == TokKind::LParen) (void)p.skipBalanced();
      else p.next();
    }
    bool abbrev = p.isLParenKw(innerKw);
    p.pos_ = save;
    return abbrev ? p.bind(inner, nullptr) : Status{};
  };
  if (kw.isKeyword("type")) {
    MYRT_TRY(p.bind(SpType, optId()));
    p.typeFieldStarts_.push_back(start);
  } else if (kw.isKeyword("rec")) {
    p.typeFieldStarts_.push_back(start);
    while (p.isLParenKw("type")) {
      size_t save = p.pos_;
      p.next();
      p.next();
      MYRT_TRY(p.bind(SpType, optId()));
      p.pos_ = save;
      MYRT_TRY(p.skipBalanced());
    }
  } else if (kw.isKeyword("import")) {
    if (p.peek().kind == TokKind::String) p.next();
    if (p.peek().kind == TokKind::String) p.next();
    if (p.peek().kind == TokKind::LParen) {
      bool ok;
      Space s = spaceOfKeyword(p.peek(1), ok);
      if (ok) {
        p.next();
        p.next();
        MYRT_TRY(p.bind(s, optId()));
      }
    }
  } else if (kw.isKeyword("func") || kw.isKeyword("global") || kw.isKeyword("tag")) {
    bool ok;
    MYRT_TRY(p.bind(spaceOfKeyword(kw, ok), optId()));
  } else if (kw.isKeyword("table")) {
    MYRT_TRY(p.bind(SpTable, optId()));
    MYRT_TRY(scanAbbrev(SpElem, "elem"));
  } else if (kw.isKeyword("memory")) {
    MYRT_TRY(p.bind(SpMem, optId()));
    MYRT_TRY(scanAbbrev(SpData, "data"));
  } else if (kw.isKeyword("elem")) {
    MYRT_TRY(p.bind(SpElem, optId()));
  } else if (kw.isKeyword("data")) {
    MYRT_TRY(p.bind(SpData, optId()));
  } else if (kw.isKeyword("export") || kw.isKeyword("start")) {
  } else {
    return p.errAt(kw, kw.kind == TokKind::Eof ? "unexpected end" : "unexpected token");
  }
  p.pos_ = start;
  return p.skipBalanced();
}

// ---- pass 2: fields ----------------------------------------------------------------------------------------------

Status ModuleParser::parseField() {
  if (p.isLParenKw("type") || p.isLParenKw("rec")) return p.skipBalanced();
  MYRT_TRY(p.expectLParen());
  const Token& kw = p.next();
  if (kw.isKeyword("func")) return parseFunc(kw, Import{});
  if (kw.isKeyword("table")) return parseTable(kw, Import{});
  if (kw.isKeyword("memory")) return parseMemory(kw, Import{});
  if (kw.isKeyword("global")) return parseGlobal(kw, Import{});
  if (kw.isKeyword("tag")) return parseTag(kw, Import{});
  if (kw.isKeyword("import")) return parseImport(kw);
  if (kw.isKeyword("export")) return parseExport();
  if (kw.isKeyword("start")) return parseStart(kw);
  if (kw.isKeyword("elem")) return parseElem();
  if (kw.isKeyword("data")) return parseData();
  return p.errAt(kw, "unexpected token");
}

Status ModuleParser::parseImport(const Token& kw) {
  MYRT_TRY(noteImport(kw));
  MYRT_ASSIGN(std::string mod, p.parseName());
  MYRT_ASSIGN(std::string name, p.parseName());
  Import imp = std::make_pair(std::move(mod), std::move(name));
  MYRT_TRY(p.expectLParen());
  const Token& k = p.next();
  Status st = k.isKeyword("func")     ? parseFunc(k, imp)
              : k.isKeyword("table")  ? parseTable(k, imp)
              : k.isKeyword("memory") ? parseMemory(k, imp)
              : k.isKeyword("global") ? parseGlobal(k, imp)
              : k.isKeyword("tag")    ? parseTag(k, imp)
                                      : Status(p.errAt(k, "unexpected token"));
  MYRT_TRY(st);
  return p.expectRParen();
}

Status ModuleParser::parseFunc(const Token& kw, const Import& imported) {
  if (p.peek().kind == TokKind::Id) p.next();
  uint32_t idx = seen_[SpFunc]++;
  Import imp = imported;
  if (!imp) {
    MYRT_TRY(inlineExports(ExternKind::Func, idx));
    MYRT_ASSIGN(imp, inlineImport());
  }
  MYRT_ASSIGN(TypeUse tu, p.parseTypeUse(true));
  MYRT_ASSIGN(uint32_t typeIdx, p.resolveTypeUse(tu, kw));
  if (imp) {
    addImportHeader(imp, 0x00);
    p.imports_.u32(typeIdx);
    return p.expectRParen();
  }
  noteDefinition("function");
  p.funcTypes_.push_back(typeIdx);
  FuncCtx f;
  std::vector<std::pair<uint32_t, std::string>> names;
  uint32_t numParams = 0;
  if (tu.hasInline || !tu.index) {
    for (const std::string& n : tu.paramNames) {
      if (!n.empty()) {
        if (!f.locals.byName.emplace(n, numParams).second) return p.errAt(kw, "duplicate local $" + n);
        names.emplace_back(numParams, n);
      }
      ++numParams;
    }
  } else if (const CompositeType* ft = p.funcTypeAt(typeIdx)) {
    numParams = static_cast<uint32_t>(ft->params.size());
  }
  std::vector<ValType> locals;
  while (p.isLParenKw("local")) {
    p.next();
    p.next();
    if (p.peek().kind == TokKind::Id) {
      const Token& id = p.next();
      uint32_t li = numParams + static_cast<uint32_t>(locals.size());
      if (!f.locals.byName.emplace(id.value, li).second) return p.errAt(id, "duplicate local $" + id.value);
      names.emplace_back(li, id.value);
      MYRT_ASSIGN(ValType t, p.parseValType());
      locals.push_back(t);
    } else {
      while (p.peek().kind != TokKind::RParen) {
        MYRT_ASSIGN(ValType t, p.parseValType());
        locals.push_back(t);
      }
    }
    MYRT_TRY(p.expectRParen());
  }
  ByteWriter body;
  MYRT_TRY(p.parseInstrs(f, body));
  MYRT_TRY(p.expectRParen());
  ByteWriter code;
  std::vector<std::pair<uint32_t, ValType>> runs;
  for (ValType t : locals) {
    if (!runs.empty() && runs.back().second == t) ++runs.back().first;
    else runs.emplace_back(1, t);
  }
  code.u32(static_cast<uint32_t>(runs.size()));
  for (auto& [n, t] : runs) {
    code.u32(n);
    p.encodeValType(code, t);
  }
  code.append(body);
  code.u8(0x0B);
  p.codes_.push_back(std::move(code));
  if (!names.empty()) p.localNames_.emplace_back(idx, std::move(names));
  return {};
}

// The constant expression `(i32.const 0)` / `(i64.const 0)` + end: the offset of an inline elem/data segment.
static ByteWriter zeroOffsetExpr(bool is64) {
  ByteWriter off;
  if (is64) {
    off.op(Op::I64Const);
    off.s64(0);
  } else {
    off.op(Op::I32Const);
    off.s32(0);
  }
  off.u8(0x0B);
  return off;
}

Status ModuleParser::parseTable(const Token& kw, const Import& imported) {
  if (p.peek().kind == TokKind::Id) p.next();
  uint32_t idx = seen_[SpTable]++;
  Import imp = imported;
  if (!imp) {
    MYRT_TRY(inlineExports(ExternKind::Table, idx));
    MYRT_ASSIGN(imp, inlineImport());
  }
  bool is64 = false;
  if (p.isKw("i64") || p.isKw("i32")) is64 = p.next().text == "i64";
  ByteWriter* out = imp ? &p.imports_ : &p.tables_;
  if (imp) addImportHeader(imp, 0x01);
  else noteDefinition("table");
  if (!imp && p.atValType()) {  // (table reftype (elem ...))
    MYRT_ASSIGN(ValType rt, p.parseRefType());
    if (!p.isLParenKw("elem")) return p.unexpected();
    p.next();
    p.next();
    ElemList list;
    list.type = rt;
    if (p.peek().kind == TokKind::LParen) {
      while (p.peek().kind == TokKind::LParen) {
        ByteWriter e;
        MYRT_TRY(parseElemExpr(e));
        list.funcIdx.push_back(refFuncIndex(e));
        list.exprs.push_back(std::move(e));
      }
    } else {
      MYRT_ASSIGN(ElemList idxs, parseElemList(true));
      list.exprs = std::move(idxs.exprs);
      list.funcIdx = std::move(idxs.funcIdx);
    }
    MYRT_TRY(p.expectRParen());
    uint64_t n = list.exprs.size();
    p.encodeValType(*out, rt);
    encodeLimits(*out, n, n, is64, false);
    ++p.numTables_;
    ByteWriter off = zeroOffsetExpr(is64);
    encodeElem(SegmentMode::Active, idx, &off, list);
    return p.expectRParen();
  }
  MYRT_ASSIGN(uint64_t min, parseLimit(p, is64));
  std::optional<uint64_t> max;
  if (p.peek().kind == TokKind::Number) {
    MYRT_ASSIGN(max, parseLimit(p, is64));
  }
  MYRT_ASSIGN(ValType rt, p.parseRefType());
  if (!imp && p.peek().kind == TokKind::LParen) {
    out->u8(0x40);
    out->u8(0x00);
    p.encodeValType(*out, rt);
    encodeLimits(*out, min, max, is64, false);
    MYRT_TRY(p.parseConstExpr(*out));
  } else {
    p.encodeValType(*out, rt);
    encodeLimits(*out, min, max, is64, false);
  }
  if (!imp) ++p.numTables_;
  return p.expectRParen();
}

Status ModuleParser::parseMemory(const Token& kw, const Import& imported) {
  if (p.peek().kind == TokKind::Id) p.next();
  uint32_t idx = seen_[SpMem]++;
  Import imp = imported;
  if (!imp) {
    MYRT_TRY(inlineExports(ExternKind::Memory, idx));
    MYRT_ASSIGN(imp, inlineImport());
  }
  bool is64 = false;
  if (p.isKw("i64") || p.isKw("i32")) is64 = p.next().text == "i64";
  ByteWriter* out = imp ? &p.imports_ : &p.mems_;
  if (imp) addImportHeader(imp, 0x02);
  else noteDefinition("memory");
  if (!imp && p.isLParenKw("data")) {  // (memory (data "..."))
    p.next();
    p.next();
    std::string bytes;
    while (p.peek().kind == TokKind::String) bytes += p.next().value;
    MYRT_TRY(p.expectRParen());
    uint64_t pages = (bytes.size() + 0xFFFF) / 0x10000;
    encodeLimits(*out, pages, pages, is64, false);
    ++p.numMems_;
    ByteWriter off = zeroOffsetExpr(is64);
    encodeData(SegmentMode::Active, idx, &off, bytes);
    return p.expectRParen();
  }
  MYRT_ASSIGN(uint64_t min, parseLimit(p, is64));
  std::optional<uint64_t> max;
  if (p.peek().kind == TokKind::Number) {
    MYRT_ASSIGN(max, parseLimit(p, is64));
  }
  bool shared = false;
  if (p.isKw("shared")) {
    p.next();
    shared = true;
  } else if (p.isKw("unshared")) {
    p.next();
  }
  encodeLimits(*out, min, max, is64, shared);
  if (!imp) ++p.numMems_;
  return p.expectRParen();
}

Status ModuleParser::parseGlobal(const Token& kw, const Import& imported) {
  if (p.peek().kind == TokKind::Id) p.next();
  uint32_t idx = seen_[SpGlobal]++;
  Import imp = imported;
  if (!imp) {
    MYRT_TRY(inlineExports(ExternKind::Global, idx));
    MYRT_ASSIGN(imp, inlineImport());
  }
  bool mut = false;
  ValType t;
  if (p.isLParenKw("mut")) {
    p.next();
    p.next();
    mut = true;
    MYRT_ASSIGN(t, p.parseValType());
    MYRT_TRY(p.expectRParen());
  } else {
    MYRT_ASSIGN(t, p.parseValType());
  }
  ByteWriter* out = imp ? &p.imports_ : &p.globals_;
  if (imp) addImportHeader(imp, 0x03);
  p.encodeValType(*out, t);
  out->u8(mut ? 1 : 0);
  if (!imp) {
    noteDefinition("global");
    MYRT_TRY(p.parseConstExpr(*out));
    ++p.numGlobals_;
  }
  return p.expectRParen();
}

Status ModuleParser::parseTag(const Token& kw, const Import& imported) {
  if (p.peek().kind == TokKind::Id) p.next();
  uint32_t idx = seen_[SpTag]++;
  Import imp = imported;
  if (!imp) {
    MYRT_TRY(inlineExports(ExternKind::Tag, idx));
    MYRT_ASSIGN(imp, inlineImport());
  }
  MYRT_ASSIGN(TypeUse tu, p.parseTypeUse(true));
  MYRT_ASSIGN(uint32_t typeIdx, p.resolveTypeUse(tu, kw));
  ByteWriter* out = imp ? &p.imports_ : &p.tags_;
  if (imp) {
    addImportHeader(imp, 0x04);
  } else {
    noteDefinition("tag");
    ++p.numTags_;
  }
  out->u8(0x00);
  out->u32(typeIdx);
  return p.expectRParen();
}

Status ModuleParser::parseExport() {
  MYRT_ASSIGN(std::string name, p.parseName());
  MYRT_TRY(p.expectLParen());
  const Token& k = p.next();
  bool ok;
  Space s = spaceOfKeyword(k, ok);
  if (!ok) return p.errAt(k, "unexpected token");
  MYRT_ASSIGN(uint32_t idx, p.parseIndex(s));
  MYRT_TRY(p.expectRParen());
  static const ExternKind kinds[] = {ExternKind::Func, ExternKind::Func, ExternKind::Table, ExternKind::Memory,
                                     ExternKind::Global, ExternKind::Tag};
  p.exports_.name(name);
  p.exports_.u8(static_cast<uint8_t>(kinds[s]));
  p.exports_.u32(idx);
  ++p.numExports_;
  return p.expectRParen();
}

Status ModuleParser::parseStart(const Token& kw) {
  if (p.start_) return p.errAt(kw, "multiple start sections");
  MYRT_ASSIGN(uint32_t idx, p.parseIndex(SpFunc));
  p.start_ = idx;
  return p.expectRParen();
}

// `(offset instr*)` or a single folded instruction.
Status ModuleParser::parseOffset(ByteWriter& w) {
  if (p.isLParenKw("offset")) {
    p.next();
    p.next();
    MYRT_TRY(p.parseConstExpr(w));
    return p.expectRParen();
  }
  FuncCtx f;
  MYRT_TRY(p.parseFolded(f, w));
  w.u8(0x0B);
  return {};
}

// `(item instr*)` or a single folded instruction.
Status ModuleParser::parseElemExpr(ByteWriter& e) {
  if (p.isLParenKw("item")) {
    p.next();
    p.next();
    MYRT_TRY(p.parseConstExpr(e));
    return p.expectRParen();
  }
  FuncCtx f;
  MYRT_TRY(p.parseFolded(f, e));
  e.u8(0x0B);
  return {};
}

Result<ElemList> ModuleParser::parseElemList(bool allowBareIndices) {
  ElemList list;
  auto indices = [&]() -> Status {
    while (p.atIndex()) {
      MYRT_ASSIGN(uint32_t fi, p.parseIndex(SpFunc));
      ByteWriter e;
      e.op(Op::RefFunc);
      e.u32(fi);
      e.u8(0x0B);
      list.exprs.push_back(std::move(e));
      list.funcIdx.push_back(fi);
    }
    return {};
  };
  if (p.isKw("func")) {
    p.next();
    MYRT_TRY(indices());
    return list;
  }
  if (p.atValType()) {
    MYRT_ASSIGN(list.type, p.parseRefType());
    while (p.peek().kind == TokKind::LParen) {
      ByteWriter e;
      MYRT_TRY(parseElemExpr(e));
      list.funcIdx.push_back(refFuncIndex(e));
      list.exprs.push_back(std::move(e));
    }
    return list;
  }
  if (!allowBareIndices) return p.unexpected();
  MYRT_TRY(indices());
  return list;
}

void ModuleParser::encodeElem(SegmentMode mode, uint32_t table, const ByteWriter* offset, const ElemList& list) {
  ByteWriter& w = p.elems_;
  bool isFuncref = list.type == kRefFunc;
  bool useExprs = !isFuncref;
  for (const auto& fi : list.funcIdx)
    if (!fi) useExprs = true;
  uint8_t flags = useExprs ? 4 : 0;
  bool explicitTable = false;
  switch (mode) {
    case SegmentMode::Active:
      if (table != 0 || (useExprs && list.type != ValType::funcref())) {  // flag 4 implies funcref
        flags |= 2;
        explicitTable = true;
      }
      break;
    case SegmentMode::Passive: flags |= 1; break;
    case SegmentMode::Declarative: flags |= 3; break;
  }
  w.u8(flags);
  if (explicitTable) w.u32(table);
  if (mode == SegmentMode::Active) w.append(*offset);
  if (flags & 3) {
    if (useExprs) p.encodeValType(w, list.type);
    else w.u8(0x00);
  }
  w.u32(static_cast<uint32_t>(list.exprs.size()));
  for (size_t i = 0; i < list.exprs.size(); ++i) {
    if (useExprs) w.append(list.exprs[i]);
    else w.u32(*list.funcIdx[i]);
  }
  ++p.numElems_;
}

Status ModuleParser::parseElem() {
  if (p.peek().kind == TokKind::Id) p.next();
  ++seen_[SpElem];
  SegmentMode mode = SegmentMode::Passive;
  uint32_t table = 0;
  ByteWriter offset;
  bool explicitTable = false;
  if (p.isKw("declare")) {
    p.next();
    mode = SegmentMode::Declarative;
  } else {
    if (p.isLParenKw("table")) {
      p.next();
      p.next();
      MYRT_ASSIGN(table, p.parseIndex(SpTable));
      MYRT_TRY(p.expectRParen());
      explicitTable = true;
    } else if (p.peek().kind == TokKind::Number) {
      // The 1.0 (MVP) form `(elem 0 (offset) $f ...)`: a bare table index (still in the threads proposal's tests).
      MYRT_ASSIGN(table, p.parseIndex(SpTable));
      explicitTable = true;
    }
    bool hasOffset = p.isLParenKw("offset") ||
                     (p.peek().kind == TokKind::LParen && p.peek(1).kind == TokKind::Keyword &&
                      !p.peek(1).isKeyword("ref") && !p.peek(1).isKeyword("item"));
    if (hasOffset) {
      mode = SegmentMode::Active;
      MYRT_TRY(parseOffset(offset));
    } else if (explicitTable) {
      return p.unexpected();
    }
  }
  MYRT_ASSIGN(ElemList list, parseElemList(mode == SegmentMode::Active));
  MYRT_TRY(p.expectRParen());
  encodeElem(mode, table, &offset, list);
  return {};
}

void ModuleParser::encodeData(SegmentMode mode, uint32_t mem, const ByteWriter* offset, std::string_view bytes) {
  ByteWriter& w = p.datas_;
  if (mode == SegmentMode::Passive) {
    w.u8(0x01);
  } else if (mem == 0) {
    w.u8(0x00);
    w.append(*offset);
  } else {
    w.u8(0x02);
    w.u32(mem);
    w.append(*offset);
  }
  w.name(bytes);
  ++p.numDatas_;
}

Status ModuleParser::parseData() {
  if (p.peek().kind == TokKind::Id) p.next();
  ++seen_[SpData];
  SegmentMode mode = SegmentMode::Passive;
  uint32_t mem = 0;
  ByteWriter offset;
  bool explicitMem = false;
  if (p.isLParenKw("memory")) {
    p.next();
    p.next();
    MYRT_ASSIGN(mem, p.parseIndex(SpMem));
    MYRT_TRY(p.expectRParen());
    explicitMem = true;
  } else if (p.peek().kind == TokKind::Number) {
    // The 1.0 (MVP) form `(data 0 (offset) "...")`: a bare memory index (still in the threads proposal's tests).
    MYRT_ASSIGN(mem, p.parseIndex(SpMem));
    explicitMem = true;
  }
  if (p.peek().kind == TokKind::LParen) {
    mode = SegmentMode::Active;
    MYRT_TRY(parseOffset(offset));
  } else if (explicitMem) {
    return p.unexpected();
  }
  std::string bytes;
  while (p.peek().kind == TokKind::String) bytes += p.next().value;
  MYRT_TRY(p.expectRParen());
  encodeData(mode, mem, &offset, bytes);
  return {};
}

// ---- assembly ----------------------------------------------------------------------------------------------------

static void section(std::vector<uint8_t>& out, uint8_t id, const ByteWriter& content) {
  ByteWriter hdr;
  hdr.u8(id);
  hdr.u32(static_cast<uint32_t>(content.size()));
  out.insert(out.end(), hdr.bytes.begin(), hdr.bytes.end());
  out.insert(out.end(), content.bytes.begin(), content.bytes.end());
}

static void vecSection(std::vector<uint8_t>& out, uint8_t id, uint32_t n, const ByteWriter& items) {
  if (n == 0) return;
  ByteWriter w;
  w.u32(n);
  w.append(items);
  section(out, id, w);
}

std::vector<uint8_t> ModuleParser::assemble() {
  std::vector<uint8_t> out = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
  // `(@custom ...)` sections go before/after the place of a section id, present or not.
  auto customs = [&](uint8_t id, bool after) {
    for (const auto& c : p.customs_) {
      if (c.sectionId != id || c.after != after) continue;
      ByteWriter w;
      w.name(c.name);
      w.bytes.insert(w.bytes.end(), c.data.begin(), c.data.end());
      section(out, 0, w);
    }
  };
  auto slot = [&](uint8_t id, auto&& emit) {
    customs(id, false);
    emit();
    customs(id, true);
  };
  slot(1, [&] {
    if (p.types_.empty() && p.recGroups_.empty()) return;
    ByteWriter w;
    p.encodeTypeSection(w);
    section(out, 1, w);
  });
  slot(2, [&] { vecSection(out, 2, p.numImports_, p.imports_); });
  slot(3, [&] {
    ByteWriter w;
    for (uint32_t t : p.funcTypes_) w.u32(t);
    vecSection(out, 3, static_cast<uint32_t>(p.funcTypes_.size()), w);
  });
  slot(4, [&] { vecSection(out, 4, p.numTables_, p.tables_); });
  slot(5, [&] { vecSection(out, 5, p.numMems_, p.mems_); });
  slot(13, [&] { vecSection(out, 13, p.numTags_, p.tags_); });
  slot(6, [&] { vecSection(out, 6, p.numGlobals_, p.globals_); });
  slot(7, [&] { vecSection(out, 7, p.numExports_, p.exports_); });
  slot(8, [&] {
    if (!p.start_) return;
    ByteWriter w;
    w.u32(*p.start_);
    section(out, 8, w);
  });
  slot(9, [&] { vecSection(out, 9, p.numElems_, p.elems_); });
  slot(12, [&] {
    if (!p.needDataCount_) return;
    ByteWriter w;
    w.u32(p.numDatas_);
    section(out, 12, w);
  });
  slot(10, [&] {
    ByteWriter w;
    for (const ByteWriter& c : p.codes_) {
      w.u32(static_cast<uint32_t>(c.size()));
      w.append(c);
    }
    vecSection(out, 10, static_cast<uint32_t>(p.codes_.size()), w);
  });
  slot(11, [&] { vecSection(out, 11, p.numDatas_, p.datas_); });
  // name section: module name, function names, local names
  const auto& fnames = p.spaces_[SpFunc].nameOf;
  if (p.moduleName_ || !fnames.empty() || !p.localNames_.empty()) {
    ByteWriter w;
    w.name("name");
    if (p.moduleName_) {
      ByteWriter sub;
      sub.name(*p.moduleName_);
      w.u8(0);
      w.u32(static_cast<uint32_t>(sub.size()));
      w.append(sub);
    }
    if (!fnames.empty()) {
      std::vector<std::pair<uint32_t, std::string>> sorted(fnames.begin(), fnames.end());
      std::sort(sorted.begin(), sorted.end());
      ByteWriter sub;
      sub.u32(static_cast<uint32_t>(sorted.size()));
      for (auto& [i, n] : sorted) {
        sub.u32(i);
        sub.name(n);
      }
      w.u8(1);
      w.u32(static_cast<uint32_t>(sub.size()));
      w.append(sub);
    }
    if (!p.localNames_.empty()) {
      auto locals = p.localNames_;
      std::sort(locals.begin(), locals.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      ByteWriter sub;
      sub.u32(static_cast<uint32_t>(locals.size()));
      for (auto& [fi, names] : locals) {
        std::sort(names.begin(), names.end());
        sub.u32(fi);
        sub.u32(static_cast<uint32_t>(names.size()));
        for (auto& [li, n] : names) {
          sub.u32(li);
          sub.name(n);
        }
      }
      w.u8(2);
      w.u32(static_cast<uint32_t>(sub.size()));
      w.append(sub);
    }
    section(out, 0, w);
  }
  customs(kLastSection, true);
  return out;
}

Result<std::vector<uint8_t>> ModuleParser::run() {
  // `(module $id? field*)` or a bare list of fields.
  bool wrapped = p.isLParenKw("module");
  if (wrapped) {
    p.next();
    p.next();
    if (p.peek().kind == TokKind::Id) p.moduleName_ = p.next().value;
    if (p.isKw("binary") || p.isKw("quote")) {
      bool quote = p.next().text == "quote";
      std::string s;
      while (p.peek().kind == TokKind::String) s += p.next().value;
      MYRT_TRY(p.expectRParen());
      if (p.peek().kind != TokKind::Eof) return p.unexpected();
      if (!quote) return std::vector<uint8_t>(s.begin(), s.end());
      WatOptions opts;
      opts.wasm2 = p.wasm2_;
      return watToBinary(s, opts);
    }
  }
  size_t fieldsStart = p.pos_;
  // A structural error found by pass 1 is reported only if pass 2 finds no earlier error in the fields before it
  // (the reference parser reports the leftmost error).
  std::optional<Error> structural;
  std::vector<size_t> fieldEnds;
  while (p.peek().kind == TokKind::LParen) {
    size_t at = p.pos_;
    Status st = scanField();
    if (!st.ok()) {
      structural = st.error();
      p.pos_ = at;
      break;
    }
    fieldEnds.push_back(p.pos_);
  }
  if (!structural) {
    if (wrapped && p.peek().kind != TokKind::RParen) structural = p.unexpected();
    else if (wrapped) p.next();
    if (!structural && p.peek().kind != TokKind::Eof) structural = p.unexpected();
  }
  auto earlier = [&](Error e) -> Error {
    if (structural && structural->offset < e.offset) return *structural;
    return e;
  };
  // pass 1b: type definitions
  for (size_t start : p.typeFieldStarts_) {
    p.pos_ = start;
    Status st = p.parseTypeDefField();
    if (!st.ok()) return earlier(st.error());
  }
  p.numExplicitTypes_ = static_cast<uint32_t>(p.types_.size());
  // pass 2
  p.pos_ = fieldsStart;
  for (size_t i = 0; i < fieldEnds.size(); ++i) {
    Status st = parseField();
    if (!st.ok()) return earlier(st.error());
  }
  if (structural) return *structural;
  return assemble();
}

Result<std::vector<uint8_t>> Parser::parseModule() {
  ModuleParser mp(*this);
  return mp.run();
}

}  // namespace wat

namespace wat {

// `(@custom "name" place? "data"*)` at module level -> a custom section. place: (before|after section-keyword),
// (before first), (after last); default (after last). Malformed or misplaced custom annotations are ignored (the
// reference interpreter only reports them in its custom-annotation mode).
static void collectCustoms(Parser& p, std::string_view text, const std::vector<Token>& toks,
                           const std::vector<SkippedAnnotation>& annots) {
  bool wrapped = toks.size() > 1 && toks[0].kind == TokKind::LParen && toks[1].isKeyword("module");
  for (const SkippedAnnotation& a : annots) {
    if (a.id != "custom" || a.bodyEnd < a.bodyStart) continue;
    int depth = 0;
    for (size_t i = 0; i < a.tokenIndex && i < toks.size(); ++i) {
      if (toks[i].kind == TokKind::LParen) ++depth;
      else if (toks[i].kind == TokKind::RParen) --depth;
    }
    if (depth != (wrapped ? 1 : 0)) continue;
    auto body = tokenize(text.substr(a.bodyStart, a.bodyEnd - a.bodyStart));
    if (!body.ok()) continue;
    const std::vector<Token>& t = *body;
    size_t i = 0;
    if (t[i].kind != TokKind::String || !isValidUtf8(t[i].value)) continue;
    Parser::CustomSection cs;
    cs.name = t[i++].value;
    cs.sectionId = kLastSection;
    cs.after = true;
    bool ok = true;
    if (t[i].kind == TokKind::LParen) {
      if (i + 3 >= t.size()) continue;
      static const std::pair<std::string_view, uint8_t> kSections[] = {
          {"type", 1}, {"import", 2}, {"func", 3},  {"table", 4}, {"memory", 5}, {"tag", 13},      {"global", 6},
          {"export", 7}, {"start", 8}, {"elem", 9}, {"datacount", 12}, {"code", 10}, {"data", 11}};
      ok = t[i + 1].isKeyword("before") || t[i + 1].isKeyword("after");
      cs.after = t[i + 1].isKeyword("after");
      const Token& where = t[i + 2];
      if (where.isKeyword("first")) {
        cs.sectionId = 1;
        ok = ok && !cs.after;
      } else if (where.isKeyword("last")) {
        cs.sectionId = kLastSection;
        ok = ok && cs.after;
      } else {
        bool found = false;
        for (const auto& [kw, id] : kSections) {
          if (where.isKeyword(kw)) {
            cs.sectionId = id;
            found = true;
          }
        }
        ok = ok && found;
      }
      ok = ok && t[i + 3].kind == TokKind::RParen;
      i += 4;
    }
    while (ok && i < t.size() && t[i].kind == TokKind::String) cs.data += t[i++].value;
    if (!ok || i >= t.size() || t[i].kind != TokKind::Eof) continue;
    p.customs_.push_back(std::move(cs));
  }
}

}  // namespace wat

Result<std::vector<uint8_t>> watToBinary(std::string_view text) { return watToBinary(text, WatOptions{}); }

Result<std::vector<uint8_t>> watToBinary(std::string_view text, const WatOptions& opts) {
  std::vector<SkippedAnnotation> annots;
  MYRT_ASSIGN(std::vector<Token> toks, tokenize(text, annots));
  wat::Parser p(toks);
  p.wasm2_ = opts.wasm2;
  wat::collectCustoms(p, text, toks, annots);
  return p.parseModule();
}

LineCol lineCol(std::string_view text, size_t offset) {
  LineCol lc;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++lc.line;
      lc.col = 1;
    } else {
      ++lc.col;
    }
  }
  return lc;
}

}  // namespace myrt
