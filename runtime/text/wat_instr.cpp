// runtime/text/wat_instr.cpp -- WAT instructions -> binary code: flat and folded forms, structured control with labels,
// and immediates parsed generically from the opcode table's ImmKind (runtime/wasm/opcodes.def).
// Layer: text (internal to the WAT parser, see wat_parser.h).
#include <cstring>

#include "runtime/text/literals.h"
#include "runtime/text/wat_parser.h"

namespace myrt::wat {
namespace {

bool isTerminator(const Token& t) {
  return t.isKeyword("end") || t.isKeyword("else") || t.isKeyword("catch") || t.isKeyword("catch_all") ||
         t.isKeyword("delegate");
}

bool isFieldKeyword(const Token& t) {
  static const char* const kws[] = {"param", "result", "local", "type", "export", "import", "then", "do", "item",
                                    "offset", "mut", "field", "func", "table", "memory", "global", "elem", "data"};
  for (const char* k : kws)
    if (t.isKeyword(k)) return true;
  return false;
}

// A token that can be a float literal: a number, or a keyword inf/nan/nan:0x... (nan:canonical and nan:arithmetic
// are script-level patterns, not literals).
bool isFloatToken(const Token& t) {
  if (t.kind == TokKind::Number) return true;
  if (t.kind != TokKind::Keyword) return false;
  if (t.text == "nan:canonical" || t.text == "nan:arithmetic") return false;
  return t.text.substr(0, 3) == "inf" || t.text.substr(0, 3) == "nan";
}

// Folded nesting: about 0.6 KiB of native stack per level (several times more under sanitizers); a thread with less
// stack than that stops earlier (Parser::stackLimit_), with the same error.
constexpr unsigned kMaxDepth = 1000;

struct DepthGuard {
  unsigned& d;
  explicit DepthGuard(unsigned& d) : d(d) { ++d; }
  ~DepthGuard() { --d; }
};

Error literalError(const Token& t, Result<uint64_t>&& r) { return Error(t.offset, std::move(r).error().message); }

}  // namespace

static Status parseCatchClauses(Parser& p, FuncCtx& f, ByteWriter& w);

// An instruction sequence up to ')' or a terminator keyword that belongs to an enclosing construct. Flat structured
// instructions (block ... end) are tracked on an explicit stack, so their nesting depth costs no native stack; folded
// instructions recurse (bounded by kMaxDepth).
Status Parser::parseInstrs(FuncCtx& f, ByteWriter& w) {
  struct Frame {
    Op op;
    bool sawElse = false, sawCatch = false, sawCatchAll = false;
  };
  std::vector<Frame> stack;
  for (;;) {
    const Token& t = peek();
    if (t.kind == TokKind::LParen) {
      MYRT_TRY(parseFolded(f, w));
      continue;
    }
    if (t.kind != TokKind::Keyword) {
      if (t.kind == TokKind::RParen && stack.empty()) return {};
      return unexpected();
    }
    if (isTerminator(t)) {
      if (stack.empty()) return {};
      Frame& fr = stack.back();
      if (t.isKeyword("end")) {
        next();
        w.op(Op::End);
        MYRT_TRY(parseEndLabel(f, true));
        stack.pop_back();
      } else if (t.isKeyword("else")) {
        if (fr.op != Op::If || fr.sawElse) return unexpected();
        next();
        fr.sawElse = true;
        MYRT_TRY(parseEndLabel(f, false));
        w.op(Op::Else);
      } else if (t.isKeyword("catch") || t.isKeyword("catch_all")) {
        if (fr.op != Op::Try || fr.sawCatchAll) return unexpected();
        bool all = t.isKeyword("catch_all");
        next();
        fr.sawCatch = true;
        fr.sawCatchAll = all;
        if (all) {
          w.op(Op::CatchAll);
        } else {
          w.op(Op::Catch);
          MYRT_ASSIGN(uint32_t tag, parseIndex(SpTag));
          w.u32(tag);
        }
      } else {  // delegate
        if (fr.op != Op::Try || fr.sawCatch) return unexpected();
        next();
        f.labels.pop_back();
        w.op(Op::Delegate);
        MYRT_ASSIGN(uint32_t l, parseLabelIndex(f));
        w.u32(l);
        stack.pop_back();
      }
      continue;
    }
    auto op = opFromName(t.text);
    if (op && (*op == Op::Block || *op == Op::Loop || *op == Op::If || *op == Op::Try || *op == Op::TryTable)) {
      const Token& kw = next();
      std::optional<std::string> label;
      if (peek().kind == TokKind::Id) label = next().value;
      w.op(*op);
      MYRT_TRY(parseBlockType(w, kw));
      if (*op == Op::TryTable) MYRT_TRY(parseCatchClauses(*this, f, w));
      f.labels.push_back(label);
      stack.push_back(Frame{*op});
      continue;
    }
    MYRT_TRY(parseInstr(f, w));
  }
}

Status Parser::parseConstExpr(ByteWriter& w) {
  FuncCtx f;
  MYRT_TRY(parseInstrs(f, w));
  if (peek().kind != TokKind::RParen) return unexpected();
  w.u8(0x0B);
  return {};
}

Status Parser::parseEndLabel(FuncCtx& f, bool pop) {
  if (peek().kind == TokKind::Id) {
    const Token& id = next();
    if (f.labels.empty() || !f.labels.back() || *f.labels.back() != id.value) return errAt(id, "mismatching label");
  }
  if (pop && !f.labels.empty()) f.labels.pop_back();
  return {};
}

Status Parser::parseBlockType(ByteWriter& w, const Token& at) {
  MYRT_ASSIGN(TypeUse tu, parseTypeUse(false));
  if (!tu.index) {
    if (!tu.hasInline) {
      w.u8(0x40);
      return {};
    }
    if (tu.params.empty() && tu.results.size() == 1) {
      encodeValType(w, tu.results[0]);
      return {};
    }
  }
  MYRT_ASSIGN(uint32_t idx, resolveTypeUse(tu, at));
  const CompositeType* ft = funcTypeAt(idx);
  if (ft && ft->params.empty() && ft->results.size() <= 1) {
    if (ft->results.empty()) w.u8(0x40);
    else encodeValType(w, ft->results[0]);
    return {};
  }
  w.s64(static_cast<int64_t>(idx));
  return {};
}

Status Parser::parseMemArg(ByteWriter& w, Op op, bool lane) {
  uint32_t mem = 0;
  bool hasMem = false;
  if (peek().kind == TokKind::Id) {
    hasMem = true;
  } else if (peek().kind == TokKind::Number) {
    if (!lane) {
      hasMem = true;
    } else {
      const Token& n1 = peek(1);
      hasMem = n1.kind == TokKind::Number ||
               (n1.kind == TokKind::Keyword && (n1.text.substr(0, 7) == "offset=" || n1.text.substr(0, 6) == "align="));
    }
  }
  if (hasMem) {
    MYRT_ASSIGN(mem, parseIndex(SpMem));
  }
  uint64_t offset = 0;
  uint32_t align = naturalAlignment(op);
  if (peek().kind == TokKind::Keyword && peek().text.substr(0, 7) == "offset=") {
    const Token& t = next();
    auto r = parseU64(t.text.substr(7));
    if (!r.ok()) return literalError(t, std::move(r));
    offset = *r;
    if (wasm2_ && offset > UINT32_MAX) return errAt(t, "i32 constant out of range");
  }
  if (peek().kind == TokKind::Keyword && peek().text.substr(0, 6) == "align=") {
    const Token& t = next();
    auto r = parseU64(t.text.substr(6));
    if (!r.ok()) return literalError(t, std::move(r));
    uint64_t a = *r;
    if (a == 0 || (a & (a - 1)) != 0) return errAt(t, "alignment must be a power of two");
    align = 0;
    while ((uint64_t{1} << align) < a) ++align;
  }
  w.u32(align | (mem != 0 ? 0x40u : 0u));
  if (mem != 0) w.u32(mem);
  w.u64(offset);
  return {};
}

Status Parser::parseV128Const(ByteWriter& w) {
  const Token& shape = next();
  unsigned lanes;
  int kind;  // 0 i8, 1 i16, 2 i32, 3 i64, 4 f32, 5 f64
  if (shape.isKeyword("i8x16")) { lanes = 16; kind = 0; }
  else if (shape.isKeyword("i16x8")) { lanes = 8; kind = 1; }
  else if (shape.isKeyword("i32x4")) { lanes = 4; kind = 2; }
  else if (shape.isKeyword("i64x2")) { lanes = 2; kind = 3; }
  else if (shape.isKeyword("f32x4")) { lanes = 4; kind = 4; }
  else if (shape.isKeyword("f64x2")) { lanes = 2; kind = 5; }
  else return errAt(shape, "unexpected token");
  uint8_t bytes[16];
  unsigned laneBytes = 16 / lanes;
  unsigned have = 0;
  while (have < 17 && isFloatToken(peek(have))) ++have;
  if (have != lanes) return errAt(peek(have < lanes ? have : lanes), "wrong number of lane literals");
  for (unsigned i = 0; i < lanes; ++i) {
    const Token& t = next();
    if (kind < 4) {
      if (t.kind != TokKind::Number) return errAt(t, "unexpected token");
      NumClass c = classifyNumber(t.text);
      if (c == NumClass::Malformed) return errAt(t, "unknown operator");
      if (c == NumClass::Float) return errAt(t, "unexpected token");
    }
    uint64_t v = 0;
    Error err;
    bool ok = true;
    switch (kind) {
      case 0: { auto r = parseI8(t.text); if (r.ok()) v = *r; else { ok = false; err = r.error(); } break; }
      case 1: { auto r = parseI16(t.text); if (r.ok()) v = *r; else { ok = false; err = r.error(); } break; }
      case 2: { auto r = parseI32(t.text); if (r.ok()) v = *r; else { ok = false; err = r.error(); } break; }
      case 3: { auto r = parseI64(t.text); if (r.ok()) v = *r; else { ok = false; err = r.error(); } break; }
      case 4: { auto r = parseF32Bits(t.text); if (r.ok()) v = *r; else { ok = false; err = r.error(); } break; }
      default: { auto r = parseF64Bits(t.text); if (r.ok()) v = *r; else { ok = false; err = r.error(); } break; }
    }
    if (!ok) return errAt(t, err.message);
    for (unsigned b = 0; b < laneBytes; ++b) bytes[i * laneBytes + b] = static_cast<uint8_t>(v >> (8 * b));
  }
  w.bytes.insert(w.bytes.end(), bytes, bytes + 16);
  return {};
}

// Immediates of a non-block instruction whose opcode has already been written.
Status Parser::parseImmediates(FuncCtx& f, ByteWriter& w, Op op, const Token& at) {
  ImmKind kind = opInfo(op).imm;
  auto index = [&](Space s) -> Status {
    MYRT_ASSIGN(uint32_t i, parseIndex(s));
    w.u32(i);
    return {};
  };
  auto optIndex = [&](Space s) -> Status {
    uint32_t i = 0;
    if (atIndex()) {
      MYRT_ASSIGN(i, parseIndex(s));
    }
    w.u32(i);
    return {};
  };
  // An integer literal token (nat or signed int).
  auto intLiteral = [&]() -> Result<const Token*> {
    const Token& t = peek();
    if (t.kind != TokKind::Number) return unexpected();
    NumClass c = classifyNumber(t.text);
    if (c == NumClass::Malformed) return errAt(t, "unknown operator");
    if (c == NumClass::Float) return errAt(t, "unexpected token");
    next();
    return &t;
  };
  // A float literal token: any number, or an inf/nan keyword.
  auto floatLiteral = [&]() -> Result<const Token*> {
    const Token& t = peek();
    if (!isFloatToken(t)) return unexpected();
    next();
    return &t;
  };
  // A lane index: a nat that fits in a byte. The reference interpreter's wording changed between 2.0 and 3.0.
  const char* laneRange = wasm2_ ? "malformed lane index" : "i8 constant out of range";
  auto laneIndex = [&](const char* wrongClass) -> Status {
    const Token& t = peek();
    if (t.kind != TokKind::Number && t.kind != TokKind::Keyword) return unexpected();
    NumClass c = t.kind == TokKind::Number ? classifyNumber(t.text) : NumClass::Float;
    if (c == NumClass::Malformed) return errAt(t, "unknown operator");
    if (c != NumClass::Nat) return errAt(t, wrongClass);
    next();
    auto r = parseU32(t.text);
    if (!r.ok() || *r > 255) return errAt(t, laneRange);
    w.u8(static_cast<uint8_t>(*r));
    return {};
  };
  switch (kind) {
    case ImmKind::None: return {};
    case ImmKind::Zero: w.u8(0); return {};  // atomic.fence's reserved byte
    case ImmKind::BlockType:
    case ImmKind::TryTable:
      return errAt(at, "unexpected token");  // handled by the block parsers
    case ImmKind::LabelIdx: {
      MYRT_ASSIGN(uint32_t l, parseLabelIndex(f));
      w.u32(l);
      return {};
    }
    case ImmKind::BrTable: {
      std::vector<uint32_t> ls;
      while (atIndex()) {
        MYRT_ASSIGN(uint32_t l, parseLabelIndex(f));
        ls.push_back(l);
      }
      if (ls.empty()) return unexpected();
      w.u32(static_cast<uint32_t>(ls.size() - 1));
      for (uint32_t l : ls) w.u32(l);
      return {};
    }
    case ImmKind::FuncIdx: return index(SpFunc);
    case ImmKind::CallIndirect: {
      uint32_t table = 0;
      if (atIndex()) {
        MYRT_ASSIGN(table, parseIndex(SpTable));
      }
      MYRT_ASSIGN(TypeUse tu, parseTypeUse(false));
      MYRT_ASSIGN(uint32_t ti, resolveTypeUse(tu, at));
      w.u32(ti);
      w.u32(table);
      return {};
    }
    case ImmKind::LocalIdx: {
      MYRT_ASSIGN(uint32_t l, parseLocalIndex(f));
      w.u32(l);
      return {};
    }
    case ImmKind::GlobalIdx: return index(SpGlobal);
    case ImmKind::TableIdx: return optIndex(SpTable);
    case ImmKind::MemArg: return parseMemArg(w, op, false);
    case ImmKind::MemArgLane: {
      MYRT_TRY(parseMemArg(w, op, true));
      return laneIndex("unexpected token");
    }
    case ImmKind::MemIdx: return optIndex(SpMem);
    case ImmKind::I32: {
      MYRT_ASSIGN(const Token* t, intLiteral());
      auto r = parseI32(t->text);
      if (!r.ok()) return errAt(*t, r.error().message);
      w.s32(static_cast<int32_t>(*r));
      return {};
    }
    case ImmKind::I64: {
      MYRT_ASSIGN(const Token* t, intLiteral());
      auto r = parseI64(t->text);
      if (!r.ok()) return errAt(*t, r.error().message);
      w.s64(static_cast<int64_t>(*r));
      return {};
    }
    case ImmKind::F32: {
      MYRT_ASSIGN(const Token* t, floatLiteral());
      auto r = parseF32Bits(t->text);
      if (!r.ok()) return errAt(*t, r.error().message);
      w.fixed32(*r);
      return {};
    }
    case ImmKind::F64: {
      MYRT_ASSIGN(const Token* t, floatLiteral());
      auto r = parseF64Bits(t->text);
      if (!r.ok()) return errAt(*t, r.error().message);
      w.fixed64(*r);
      return {};
    }
    case ImmKind::V128: return parseV128Const(w);
    case ImmKind::Lane: return laneIndex("unexpected token");
    case ImmKind::Shuffle: {
      for (int i = 0; i < 16; ++i) {
        const Token& t = peek();
        if (t.kind != TokKind::Number && !isFloatToken(t)) return errAt(t, "invalid lane length");
        MYRT_TRY(laneIndex(laneRange));
      }
      if (peek().kind == TokKind::Number) return errAt(peek(), "invalid lane length");
      return {};
    }
    case ImmKind::SelectT: return {};  // handled in parsePlain
    case ImmKind::HeapType: {
      MYRT_ASSIGN(HeapType h, parseHeapType());
      encodeHeapType(w, h);
      return {};
    }
    case ImmKind::TypeIdx: return index(SpType);
    case ImmKind::TypeField: {
      MYRT_ASSIGN(uint32_t ti, parseIndex(SpType));
      MYRT_ASSIGN(uint32_t fi, parseFieldIndex(ti));
      w.u32(ti);
      w.u32(fi);
      return {};
    }
    case ImmKind::TypeCount: {
      MYRT_TRY(index(SpType));
      MYRT_ASSIGN(uint32_t n, parseU32Tok());
      w.u32(n);
      return {};
    }
    case ImmKind::TypeData: MYRT_TRY(index(SpType)); return index(SpData);
    case ImmKind::TypeElem: MYRT_TRY(index(SpType)); return index(SpElem);
    case ImmKind::TypeType: MYRT_TRY(index(SpType)); return index(SpType);
    case ImmKind::DataIdx: return index(SpData);
    case ImmKind::ElemIdx: return index(SpElem);
    case ImmKind::TagIdx: return index(SpTag);
    case ImmKind::MemoryInit:
    case ImmKind::TableInit: {
      Space outer = kind == ImmKind::MemoryInit ? SpMem : SpTable;
      Space seg = kind == ImmKind::MemoryInit ? SpData : SpElem;
      uint32_t o = 0;
      if (atIndex() && (peek(1).kind == TokKind::Number || peek(1).kind == TokKind::Id)) {
        MYRT_ASSIGN(o, parseIndex(outer));
      }
      MYRT_ASSIGN(uint32_t s, parseIndex(seg));
      w.u32(s);
      w.u32(o);
      return {};
    }
    case ImmKind::MemoryCopy:
    case ImmKind::TableCopy: {
      Space sp = kind == ImmKind::MemoryCopy ? SpMem : SpTable;
      uint32_t d = 0, s = 0;
      if (atIndex()) {
        MYRT_ASSIGN(d, parseIndex(sp));
        MYRT_ASSIGN(s, parseIndex(sp));
      }
      w.u32(d);
      w.u32(s);
      return {};
    }
    case ImmKind::BrOnCast: {
      MYRT_ASSIGN(uint32_t l, parseLabelIndex(f));
      MYRT_ASSIGN(ValType a, parseRefType());
      MYRT_ASSIGN(ValType b, parseRefType());
      w.u8(static_cast<uint8_t>((a.nullable ? 1 : 0) | (b.nullable ? 2 : 0)));
      w.u32(l);
      encodeHeapType(w, a.heapType());
      encodeHeapType(w, b.heapType());
      return {};
    }
  }
  return errAt(at, "unknown operator");
}

// A non-block instruction: opcode (choosing select/ref.test/ref.cast variants) and immediates.
Status Parser::parsePlain(FuncCtx& f, ByteWriter& w, Op op, const Token& at) {
  ImmKind k = opInfo(op).imm;
  if (k == ImmKind::DataIdx || k == ImmKind::TypeData || k == ImmKind::MemoryInit) needDataCount_ = true;
  if (op == Op::Select) {
    std::vector<ValType> types;
    bool any = false;
    while (isLParenKw("result")) {
      any = true;
      next();
      next();
      while (peek().kind != TokKind::RParen) {
        MYRT_ASSIGN(ValType t, parseValType());
        types.push_back(t);
      }
      MYRT_TRY(expectRParen());
    }
    if (!any) {
      w.op(Op::Select);
      return {};
    }
    w.op(Op::SelectT);
    w.u32(static_cast<uint32_t>(types.size()));
    for (ValType t : types) encodeValType(w, t);
    return {};
  }
  if (op == Op::RefTest || op == Op::RefCast) {
    MYRT_ASSIGN(ValType rt, parseRefType());
    if (rt.nullable) op = op == Op::RefTest ? Op::RefTestNull : Op::RefCastNull;
    w.op(op);
    encodeHeapType(w, rt.heapType());
    return {};
  }
  w.op(op);
  return parseImmediates(f, w, op, at);
}

static Status parseCatchClauses(Parser& p, FuncCtx& f, ByteWriter& w) {
  ByteWriter body;
  uint32_t n = 0;
  for (;;) {
    uint8_t kind;  // binary catch clause kinds: 0 catch, 1 catch_ref, 2 catch_all, 3 catch_all_ref
    if (p.isLParenKw("catch")) kind = 0;
    else if (p.isLParenKw("catch_ref")) kind = 1;
    else if (p.isLParenKw("catch_all")) kind = 2;
    else if (p.isLParenKw("catch_all_ref")) kind = 3;
    else break;
    p.next();
    p.next();
    body.u8(kind);
    if (kind <= 1) {
      MYRT_ASSIGN(uint32_t tag, p.parseIndex(SpTag));
      body.u32(tag);
    }
    MYRT_ASSIGN(uint32_t l, p.parseLabelIndex(f));
    body.u32(l);
    MYRT_TRY(p.expectRParen());
    ++n;
  }
  w.u32(n);
  w.append(body);
  return {};
}

// One plain (flat) non-block instruction; block instructions are handled by parseInstrs' explicit control stack.
Status Parser::parseInstr(FuncCtx& f, ByteWriter& w) {
  const Token& kw = next();
  auto op = opFromName(kw.text);
  if (!op) return errAt(kw, "unknown operator " + std::string(kw.text));
  return parsePlain(f, w, *op, kw);
}

Status Parser::parseFolded(FuncCtx& f, ByteWriter& w) {
  DepthGuard guard(depth_);
  if (depth_ > kMaxDepth || nativeStackExhausted(stackLimit_)) return errAt(peek(), "nesting too deep");
  MYRT_TRY(expectLParen());
  const Token& kw = next();
  if (kw.kind != TokKind::Keyword) return errAt(kw, "unexpected token");
  auto op = opFromName(kw.text);
  if (!op) return errAt(kw, isFieldKeyword(kw) ? "unexpected token" : "unknown operator " + std::string(kw.text));
  switch (*op) {
    case Op::Block:
    case Op::Loop:
    case Op::TryTable: {
      std::optional<std::string> label;
      if (peek().kind == TokKind::Id) label = next().value;
      w.op(*op);
      MYRT_TRY(parseBlockType(w, kw));
      if (*op == Op::TryTable) MYRT_TRY(parseCatchClauses(*this, f, w));
      f.labels.push_back(label);
      MYRT_TRY(parseInstrs(f, w));
      MYRT_TRY(expectRParen());
      f.labels.pop_back();
      w.op(Op::End);
      return {};
    }
    case Op::If: {
      std::optional<std::string> label;
      if (peek().kind == TokKind::Id) label = next().value;
      ByteWriter bt;
      MYRT_TRY(parseBlockType(bt, kw));
      while (peek().kind == TokKind::LParen && !isLParenKw("then")) MYRT_TRY(parseFolded(f, w));
      w.op(Op::If);
      w.append(bt);
      f.labels.push_back(label);
      if (!isLParenKw("then")) return unexpected();
      next();
      next();
      MYRT_TRY(parseInstrs(f, w));
      MYRT_TRY(expectRParen());
      if (isLParenKw("else")) {
        next();
        next();
        w.op(Op::Else);
        MYRT_TRY(parseInstrs(f, w));
        MYRT_TRY(expectRParen());
      }
      MYRT_TRY(expectRParen());
      f.labels.pop_back();
      w.op(Op::End);
      return {};
    }
    case Op::Try: {
      std::optional<std::string> label;
      if (peek().kind == TokKind::Id) label = next().value;
      w.op(Op::Try);
      MYRT_TRY(parseBlockType(w, kw));
      f.labels.push_back(label);
      if (!isLParenKw("do")) return unexpected();
      next();
      next();
      MYRT_TRY(parseInstrs(f, w));
      MYRT_TRY(expectRParen());
      bool anyCatch = false;
      while (isLParenKw("catch")) {
        anyCatch = true;
        next();
        next();
        w.op(Op::Catch);
        MYRT_ASSIGN(uint32_t tag, parseIndex(SpTag));
        w.u32(tag);
        MYRT_TRY(parseInstrs(f, w));
        MYRT_TRY(expectRParen());
      }
      if (isLParenKw("catch_all")) {
        next();
        next();
        w.op(Op::CatchAll);
        MYRT_TRY(parseInstrs(f, w));
        MYRT_TRY(expectRParen());
      } else if (isLParenKw("delegate") && !anyCatch) {
        next();
        next();
        f.labels.pop_back();
        w.op(Op::Delegate);
        MYRT_ASSIGN(uint32_t l, parseLabelIndex(f));
        w.u32(l);
        MYRT_TRY(expectRParen());
        return expectRParen();
      }
      MYRT_TRY(expectRParen());
      f.labels.pop_back();
      w.op(Op::End);
      return {};
    }
    case Op::End:
    case Op::Else:
    case Op::Catch:
    case Op::CatchAll:
    case Op::Delegate:
      return errAt(kw, "unexpected token");
    default: {
      ByteWriter self;
      MYRT_TRY(parsePlain(f, self, *op, kw));
      // The operands: folded instructions, and (as wasm-tools accepts) plain ones too: `(call $f (call $g) i32.const 0)`.
      MYRT_TRY(parseInstrs(f, w));
      MYRT_TRY(expectRParen());
      w.append(self);
      return {};
    }
  }
}

}  // namespace myrt::wat
