// runtime/text/wat_types.cpp -- WAT types: value/heap/reference/storage types, type definitions (func, struct, array,
// sub/final, rec groups), type uses with implicit type creation, and their binary encoding.
// Layer: text (internal to the WAT parser, see wat_parser.h).
#include <algorithm>

#include "runtime/text/literals.h"
#include "runtime/text/wat_parser.h"

namespace myrt::wat {
namespace {

struct HeapName {
  std::string_view name;
  HeapKind kind;
  uint8_t code;
};
constexpr HeapName kHeapNames[] = {
    {"func", HeapKind::Func, 0x70},          {"extern", HeapKind::Extern, 0x6F},
    {"any", HeapKind::Any, 0x6E},            {"eq", HeapKind::Eq, 0x6D},
    {"i31", HeapKind::I31, 0x6C},            {"struct", HeapKind::Struct, 0x6B},
    {"array", HeapKind::Array, 0x6A},        {"exn", HeapKind::Exn, 0x69},
    {"none", HeapKind::None, 0x71},          {"noextern", HeapKind::NoExtern, 0x72},
    {"nofunc", HeapKind::NoFunc, 0x73},      {"noexn", HeapKind::NoExn, 0x74},
};

struct RefShorthand {
  std::string_view name;
  HeapKind kind;
};
constexpr RefShorthand kRefShorthands[] = {
    {"funcref", HeapKind::Func},       {"externref", HeapKind::Extern},       {"anyref", HeapKind::Any},
    {"eqref", HeapKind::Eq},           {"i31ref", HeapKind::I31},             {"structref", HeapKind::Struct},
    {"arrayref", HeapKind::Array},     {"exnref", HeapKind::Exn},             {"nullref", HeapKind::None},
    {"nullexternref", HeapKind::NoExtern}, {"nullfuncref", HeapKind::NoFunc}, {"nullexnref", HeapKind::NoExn},
};

uint8_t heapCode(HeapKind k) {
  for (const auto& h : kHeapNames)
    if (h.kind == k) return h.code;
  return 0x70;
}

}  // namespace

bool Parser::atValType() const {
  const Token& t = peek();
  if (t.kind == TokKind::LParen) return peek(1).isKeyword("ref");
  if (t.kind != TokKind::Keyword) return false;
  std::string_view s = t.text;
  if (s == "i32" || s == "i64" || s == "f32" || s == "f64" || s == "v128") return true;
  for (const auto& r : kRefShorthands)
    if (r.name == s) return true;
  return false;
}

Result<HeapType> Parser::parseHeapType() {
  const Token& t = peek();
  if (t.kind == TokKind::Keyword) {
    for (const auto& h : kHeapNames) {
      if (h.name == t.text) {
        next();
        return HeapType{h.kind, 0};
      }
    }
    return unexpected();
  }
  if (t.kind == TokKind::Number || t.kind == TokKind::Id) {
    MYRT_ASSIGN(uint32_t idx, parseIndex(SpType));
    return HeapType{HeapKind::Concrete, idx};
  }
  return unexpected();
}

Result<ValType> Parser::parseRefType() {
  const Token& t = peek();
  if (t.kind == TokKind::Keyword) {
    for (const auto& r : kRefShorthands) {
      if (r.name == t.text) {
        next();
        return ValType::ref(r.kind, true);
      }
    }
    if (t.text == "anyfunc") return errAt(t, "unknown operator anyfunc");  // pre-1.0 spelling of funcref
    return unexpected();
  }
  if (!isLParenKw("ref")) return unexpected();
  next();
  next();
  bool nullable = false;
  if (isKw("null")) {
    next();
    nullable = true;
  }
  MYRT_ASSIGN(HeapType h, parseHeapType());
  MYRT_TRY(expectRParen());
  return ValType::ref(h.kind, nullable, h.index);
}

Result<ValType> Parser::parseValType() {
  const Token& t = peek();
  if (t.kind == TokKind::Keyword) {
    std::string_view s = t.text;
    if (s == "i32") { next(); return ValType::i32(); }
    if (s == "i64") { next(); return ValType::i64(); }
    if (s == "f32") { next(); return ValType::f32(); }
    if (s == "f64") { next(); return ValType::f64(); }
    if (s == "v128") { next(); return ValType::v128(); }
  }
  return parseRefType();
}

Result<ValType> Parser::parseStorageType() {
  if (isKw("i8")) { next(); return ValType::i8(); }
  if (isKw("i16")) { next(); return ValType::i16(); }
  return parseValType();
}

// One field type: storagetype | (mut storagetype).
static Result<FieldType> parseFieldType(Parser& p) {
  FieldType ft;
  if (p.isLParenKw("mut")) {
    p.next();
    p.next();
    ft.mut = true;
    MYRT_ASSIGN(ft.type, p.parseStorageType());
    MYRT_TRY(p.expectRParen());
    return ft;
  }
  MYRT_ASSIGN(ft.type, p.parseStorageType());
  return ft;
}

// `(func ...)`, `(struct ...)` or `(array ...)` at '('.
static Result<CompositeType> parseCompType(Parser& p, std::unordered_map<std::string, uint32_t>& fieldNames) {
  MYRT_TRY(p.expectLParen());
  const Token& kw = p.next();
  CompositeType ct;
  if (kw.isKeyword("func")) {
    ct.kind = CompKind::Func;
    MYRT_ASSIGN(TypeUse tu, p.parseTypeUse(true));
    if (tu.index) return p.errAt(kw, "unexpected token");
    ct.params = std::move(tu.params);
    ct.results = std::move(tu.results);
  } else if (kw.isKeyword("struct")) {
    ct.kind = CompKind::Struct;
    while (p.isLParenKw("field")) {
      p.next();
      p.next();
      if (p.peek().kind == TokKind::Id) {
        const Token& id = p.next();
        uint32_t idx = static_cast<uint32_t>(ct.fields.size());
        if (!fieldNames.emplace(id.value, idx).second) return p.errAt(id, "duplicate field $" + id.value);
        MYRT_ASSIGN(FieldType ft, parseFieldType(p));
        ct.fields.push_back(ft);
      } else {
        while (p.peek().kind != TokKind::RParen) {
          MYRT_ASSIGN(FieldType ft, parseFieldType(p));
          ct.fields.push_back(ft);
        }
      }
      MYRT_TRY(p.expectRParen());
    }
  } else if (kw.isKeyword("array")) {
    ct.kind = CompKind::Array;
    MYRT_ASSIGN(FieldType ft, parseFieldType(p));
    ct.fields.push_back(ft);
  } else {
    return p.errAt(kw, "unexpected token");
  }
  MYRT_TRY(p.expectRParen());
  return ct;
}

Result<SubType> Parser::parseSubType(uint32_t selfIndex) {
  SubType st;
  if (fieldNames_.size() <= selfIndex) fieldNames_.resize(selfIndex + 1);
  if (isLParenKw("sub")) {
    next();
    next();
    st.final = false;
    if (isKw("final")) {
      next();
      st.final = true;
    }
    while (atIndex()) {
      MYRT_ASSIGN(uint32_t s, parseIndex(SpType));
      st.supers.push_back(s);
    }
    MYRT_ASSIGN(st.comp, parseCompType(*this, fieldNames_[selfIndex]));
    MYRT_TRY(expectRParen());
    return st;
  }
  MYRT_ASSIGN(st.comp, parseCompType(*this, fieldNames_[selfIndex]));
  return st;
}

// `(type $id? subtype)` or `(rec (type ...)*)`; ids were bound in pass 1.
Status Parser::parseTypeDefField() {
  MYRT_TRY(expectLParen());
  const Token& kw = next();
  auto parseOne = [&]() -> Status {
    if (peek().kind == TokKind::Id) next();
    uint32_t idx = static_cast<uint32_t>(types_.size());
    MYRT_ASSIGN(SubType st, parseSubType(idx));
    types_.push_back(std::move(st));
    return expectRParen();
  };
  if (kw.isKeyword("type")) {
    uint32_t first = static_cast<uint32_t>(types_.size());
    MYRT_TRY(parseOne());
    types_.back().recGroupStart = first;
    types_.back().recGroupSize = 1;
    recGroups_.push_back({first, 0xFFFFFFFFu});  // size marker: a lone type, not written as (rec ...)
    return {};
  }
  uint32_t first = static_cast<uint32_t>(types_.size());
  while (isLParenKw("type")) {
    next();
    next();
    MYRT_TRY(parseOne());
  }
  MYRT_TRY(expectRParen());
  uint32_t n = static_cast<uint32_t>(types_.size()) - first;
  for (uint32_t i = first; i < first + n; ++i) {
    types_[i].recGroupStart = first;
    types_[i].recGroupSize = n;
  }
  recGroups_.push_back({first, n});
  return {};
}

Result<TypeUse> Parser::parseTypeUse(bool allowNames) {
  TypeUse tu;
  if (isLParenKw("type")) {
    next();
    next();
    MYRT_ASSIGN(uint32_t idx, parseIndex(SpType));
    tu.index = idx;
    MYRT_TRY(expectRParen());
  }
  while (isLParenKw("param")) {
    next();
    next();
    tu.hasInline = true;
    if (peek().kind == TokKind::Id) {
      if (!allowNames) return unexpected();
      std::string name = next().value;
      MYRT_ASSIGN(ValType t, parseValType());
      tu.params.push_back(t);
      tu.paramNames.push_back(std::move(name));
    } else {
      while (peek().kind != TokKind::RParen) {
        MYRT_ASSIGN(ValType t, parseValType());
        tu.params.push_back(t);
        tu.paramNames.emplace_back();
      }
    }
    MYRT_TRY(expectRParen());
  }
  while (isLParenKw("result")) {
    next();
    next();
    tu.hasInline = true;
    while (peek().kind != TokKind::RParen) {
      MYRT_ASSIGN(ValType t, parseValType());
      tu.results.push_back(t);
    }
    MYRT_TRY(expectRParen());
  }
  if (isLParenKw("param")) return unexpected();  // params after results
  return tu;
}

const CompositeType* Parser::funcTypeAt(uint32_t idx) const {
  if (idx >= types_.size() || types_[idx].comp.kind != CompKind::Func) return nullptr;
  return &types_[idx].comp;
}

uint32_t Parser::findOrAddFuncType(const std::vector<ValType>& params, const std::vector<ValType>& results) {
  for (uint32_t i = 0; i < types_.size(); ++i) {
    const SubType& st = types_[i];
    if (st.recGroupSize != 1 || !st.final || !st.supers.empty() || st.comp.kind != CompKind::Func) continue;
    if (st.comp.params == params && st.comp.results == results) return i;
  }
  SubType st;
  st.comp.kind = CompKind::Func;
  st.comp.params = params;
  st.comp.results = results;
  st.recGroupStart = static_cast<uint32_t>(types_.size());
  st.recGroupSize = 1;
  types_.push_back(std::move(st));
  return static_cast<uint32_t>(types_.size() - 1);
}

Result<uint32_t> Parser::resolveTypeUse(const TypeUse& tu, const Token& at) {
  if (tu.index) {
    if (tu.hasInline) {
      if (*tu.index >= types_.size()) return errAt(at, "unknown type");
      const CompositeType* ft = funcTypeAt(*tu.index);
      if (!ft || ft->params != tu.params || ft->results != tu.results) return errAt(at, "inline function type");
    }
    return *tu.index;
  }
  return findOrAddFuncType(tu.params, tu.results);
}

void Parser::encodeHeapType(ByteWriter& w, HeapType h) const {
  if (h.kind == HeapKind::Concrete) {
    w.s64(static_cast<int64_t>(h.index));
    return;
  }
  w.u8(heapCode(h.kind));
}

void Parser::encodeValType(ByteWriter& w, ValType t) const {
  switch (t.kind) {
    case ValKind::I32: w.u8(0x7F); return;
    case ValKind::I64: w.u8(0x7E); return;
    case ValKind::F32: w.u8(0x7D); return;
    case ValKind::F64: w.u8(0x7C); return;
    case ValKind::V128: w.u8(0x7B); return;
    case ValKind::I8: w.u8(0x78); return;
    case ValKind::I16: w.u8(0x77); return;
    case ValKind::Bot: w.u8(0x40); return;
    case ValKind::Ref:
      if (t.nullable && t.heap != HeapKind::Concrete) {
        w.u8(heapCode(t.heap));
        return;
      }
      w.u8(t.nullable ? 0x63 : 0x64);
      encodeHeapType(w, t.heapType());
      return;
  }
}

static void encodeSubType(const Parser& p, ByteWriter& w, const SubType& st) {
  if (!st.final || !st.supers.empty()) {
    w.u8(st.final ? 0x4F : 0x50);
    w.u32(static_cast<uint32_t>(st.supers.size()));
    for (uint32_t s : st.supers) w.u32(s);
  }
  const CompositeType& c = st.comp;
  switch (c.kind) {
    case CompKind::Func:
      w.u8(0x60);
      w.u32(static_cast<uint32_t>(c.params.size()));
      for (ValType t : c.params) p.encodeValType(w, t);
      w.u32(static_cast<uint32_t>(c.results.size()));
      for (ValType t : c.results) p.encodeValType(w, t);
      return;
    case CompKind::Struct:
      w.u8(0x5F);
      w.u32(static_cast<uint32_t>(c.fields.size()));
      for (const FieldType& f : c.fields) {
        p.encodeValType(w, f.type);
        w.u8(f.mut ? 1 : 0);
      }
      return;
    case CompKind::Array:
      w.u8(0x5E);
      if (!c.fields.empty()) {
        p.encodeValType(w, c.fields[0].type);
        w.u8(c.fields[0].mut ? 1 : 0);
      }
      return;
  }
}

void Parser::encodeTypeSection(ByteWriter& w) const {
  uint32_t groups = static_cast<uint32_t>(recGroups_.size()) + static_cast<uint32_t>(types_.size()) - numExplicitTypes_;
  w.u32(groups);
  for (const auto& [first, size] : recGroups_) {
    if (size == 0xFFFFFFFFu) {
      encodeSubType(*this, w, types_[first]);
      continue;
    }
    w.u8(0x4E);
    w.u32(size);
    for (uint32_t i = first; i < first + size; ++i) encodeSubType(*this, w, types_[i]);
  }
  for (uint32_t i = numExplicitTypes_; i < types_.size(); ++i) encodeSubType(*this, w, types_[i]);
}

uint32_t naturalAlignment(Op op) { return accessAlignLog2(op); }  // the validator's (runtime/wasm/opcodes.h)

}  // namespace myrt::wat
