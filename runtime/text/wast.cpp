// runtime/text/wast.cpp -- WAST script parser: script text -> Script commands (see wast.h).
// Layer: text. The script level has its own small S-expression scanner (parens, atoms, strings, comments, annotations);
// module bodies are not tokenized here but cut out as source text and handed to watToBinary. Strings use the WAT
// lexer's escape decoding (lexer.h); numeric constants of invoke arguments and expected results go through the shared
// literal parsers (literals.h), so scripts and modules agree on what a literal means.
#include "runtime/text/wast.h"

#include <cstring>
#include <unordered_map>

#include "runtime/base/reader.h"

#include "runtime/text/lexer.h"
#include "runtime/text/literals.h"
#include "runtime/text/wat.h"

namespace myrt::wast {

// ---- scanner declaration, numeric constants --------------------------------------------------------------------------
namespace {

struct Tok {
  enum Kind : uint8_t { LParen, RParen, Atom, String, Eof, Error };
  Kind kind = Eof;
  size_t begin = 0, end = 0;  // script offsets; a String includes its quotes
};

// Script-level S-expression scanner: parens, atoms, strings; skips whitespace, `;;` and nested `(; ;)` comments.
class Scanner {
 public:
  explicit Scanner(std::string_view src);
  const Tok& cur() const { return cur_; }
  void advance();
  // After a "(": skips to and past the matching ")" (its end offset -> *closeEnd); false at end of input / scan error.
  bool skipToClose(size_t* closeEnd = nullptr);
  std::string_view text(const Tok& t) const { return src_.substr(t.begin, t.end - t.begin); }
  Result<std::string> decodeString(const Tok& t) const;
  const std::string& error() const { return error_; }

 private:
  std::string_view src_;
  size_t pos_ = 0;
  Tok cur_;
  std::string error_;
  unsigned annotationDepth_ = 0;
  static constexpr unsigned kMaxAnnotationDepth = 256;
};

// ---- numeric constants ----------------------------------------------------------------------------------------------

template <typename T>
std::optional<uint64_t> bits(Result<T> r) {
  if (!r.ok()) return std::nullopt;
  return static_cast<uint64_t>(r.value());
}

// Bit pattern of a scalar constant of type I32/I64/F32/F64 in text syntax (i32/i64 accept signed and unsigned forms;
// floats accept decimal/hex, inf, nan, nan:0x...). nullopt if malformed or out of range.
std::optional<uint64_t> parseScalar(ValKind type, std::string_view text) {
  switch (type) {
    case ValKind::I32: return bits(parseI32(text));
    case ValKind::I64: return bits(parseI64(text));
    case ValKind::F32: return bits(parseF32Bits(text));
    case ValKind::F64: return bits(parseF64Bits(text));
    default: return std::nullopt;
  }
}

// Bits of one v128 lane (zero-extended to 64 bits).
std::optional<uint64_t> parseLane(V128Shape shape, std::string_view text) {
  switch (shape) {
    case V128Shape::I8x16: return bits(parseI8(text));
    case V128Shape::I16x8: return bits(parseI16(text));
    case V128Shape::I32x4: return bits(parseI32(text));
    case V128Shape::I64x2: return bits(parseI64(text));
    case V128Shape::F32x4: return bits(parseF32Bits(text));
    case V128Shape::F64x2: return bits(parseF64Bits(text));
  }
  return std::nullopt;
}

}  // namespace

// ---- names ----------------------------------------------------------------------------------------------------------

const char* toString(RefKind k) {
  switch (k) {
    case RefKind::Null: return "ref.null";
    case RefKind::Func: return "ref.func";
    case RefKind::Extern: return "ref.extern";
    case RefKind::Host: return "ref.host";
    case RefKind::Any: return "ref.any";
    case RefKind::Eq: return "ref.eq";
    case RefKind::I31: return "ref.i31";
    case RefKind::Struct: return "ref.struct";
    case RefKind::Array: return "ref.array";
    case RefKind::Exn: return "ref.exn";
  }
  return "ref.?";
}

unsigned laneCount(V128Shape s) {
  switch (s) {
    case V128Shape::I8x16: return 16;
    case V128Shape::I16x8: return 8;
    case V128Shape::I32x4: case V128Shape::F32x4: return 4;
    case V128Shape::I64x2: case V128Shape::F64x2: return 2;
  }
  return 0;
}

const char* toString(V128Shape s) {
  switch (s) {
    case V128Shape::I8x16: return "i8x16";
    case V128Shape::I16x8: return "i16x8";
    case V128Shape::I32x4: return "i32x4";
    case V128Shape::I64x2: return "i64x2";
    case V128Shape::F32x4: return "f32x4";
    case V128Shape::F64x2: return "f64x2";
  }
  return "?";
}

const char* toString(CommandKind k) {
  switch (k) {
    case CommandKind::Module: return "module";
    case CommandKind::ModuleInstance: return "module instance";
    case CommandKind::Register: return "register";
    case CommandKind::Action: return "action";
    case CommandKind::AssertReturn: return "assert_return";
    case CommandKind::AssertTrap: return "assert_trap";
    case CommandKind::AssertExhaustion: return "assert_exhaustion";
    case CommandKind::AssertException: return "assert_exception";
    case CommandKind::AssertInvalid: return "assert_invalid";
    case CommandKind::AssertMalformed: return "assert_malformed";
    case CommandKind::AssertUnlinkable: return "assert_unlinkable";
    case CommandKind::AssertUninstantiable: return "assert_uninstantiable";
    case CommandKind::Thread: return "thread";
    case CommandKind::Wait: return "wait";
    case CommandKind::Unsupported: return "unsupported";
  }
  return "?";
}

unsigned lineOf(std::string_view text, size_t offset) {
  if (offset > text.size()) offset = text.size();
  unsigned line = 1;
  for (size_t i = 0; i < offset; ++i)
    if (text[i] == '\n') ++line;
  return line;
}

// ---- ScriptModule ---------------------------------------------------------------------------------------------------

const char* toString(CompValue::Kind k) {
  static const char* const names[] = {"bool",  "s8",    "u8",     "s16",    "u16",     "s32",   "u32",
                                      "s64",   "u64",   "f32",    "f64",    "char",    "string", "list",
                                      "tuple", "record", "variant", "enum", "flags", "option", "result"};
  return names[static_cast<unsigned>(k)];
}

Result<std::vector<uint8_t>> ScriptModule::encode(const WatOptions& opts) const {
  if (form == Form::Binary) return bytes;
  auto r = !component                                  ? watToBinary(text, opts)
           : form == Form::Text || isComponentText(text) ? componentToBinary(text)
                                                         : componentToBinary("(component " + text + ")");
  if (r.ok()) return std::move(r).value();
  Error e = std::move(r).error();
  if (form == Form::Text) {
    if (e.offset != Error::kNoOffset) e.offset = offset + (e.offset <= text.size() ? e.offset : text.size());
    else e.offset = offset;
  } else {
    e.offset = offset;
  }
  return e;
}

// ---- scanner --------------------------------------------------------------------------------------------------------

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool isAtomEnd(char c) { return isSpace(c) || c == '(' || c == ')' || c == '"' || c == ';'; }

}  // namespace

Scanner::Scanner(std::string_view src) : src_(src) { advance(); }

// Skips whitespace and comments; sets cur_ to the next token.
void Scanner::advance() {
  size_t i = pos_;
  const size_t n = src_.size();
  for (;;) {
    while (i < n && isSpace(src_[i])) ++i;
    if (i + 1 < n && src_[i] == ';' && src_[i + 1] == ';') {
      while (i < n && src_[i] != '\n' && src_[i] != '\r') ++i;  // a line comment ends at LF or CR
      continue;
    }
    if (i + 1 < n && src_[i] == '(' && src_[i + 1] == ';') {
      size_t depth = 0;
      size_t start = i;
      while (i < n) {
        if (i + 1 < n && src_[i] == '(' && src_[i + 1] == ';') { ++depth; i += 2; continue; }
        if (i + 1 < n && src_[i] == ';' && src_[i + 1] == ')') {
          i += 2;
          if (--depth == 0) break;
          continue;
        }
        ++i;
      }
      if (depth != 0) {
        cur_ = {Tok::Error, start, n};
        error_ = "unclosed block comment";
        pos_ = n;
        return;
      }
      continue;
    }
    if (i + 1 < n && src_[i] == '(' && src_[i + 1] == '@') {
      // An annotation `(@id ...)` is trivia at the script level; skip it balanced (nested ones recursively).
      size_t start = i;
      if (++annotationDepth_ > kMaxAnnotationDepth) {
        cur_ = {Tok::Error, start, n};
        error_ = "annotations nested too deeply";
        pos_ = n;
        return;
      }
      pos_ = i + 2;
      size_t depth = 1;
      while (depth > 0) {
        advance();
        if (cur_.kind == Tok::Error) { --annotationDepth_; return; }
        if (cur_.kind == Tok::Eof) {
          cur_ = {Tok::Error, start, n};
          error_ = "unclosed annotation";
          --annotationDepth_;
          return;
        }
        if (cur_.kind == Tok::LParen) ++depth;
        else if (cur_.kind == Tok::RParen) --depth;
      }
      --annotationDepth_;
      i = pos_;
      continue;
    }
    break;
  }
  if (i >= n) { cur_ = {Tok::Eof, n, n}; pos_ = n; return; }
  char c = src_[i];
  if (c == '(') { cur_ = {Tok::LParen, i, i + 1}; pos_ = i + 1; return; }
  if (c == ')') { cur_ = {Tok::RParen, i, i + 1}; pos_ = i + 1; return; }
  if (c == '"') {
    size_t j = i + 1;
    while (j < n && src_[j] != '"') {
      if (src_[j] == '\\' && j + 1 < n) ++j;
      if (src_[j] == '\n') break;
      ++j;
    }
    if (j >= n || src_[j] != '"') {
      cur_ = {Tok::Error, i, j};
      error_ = "unclosed string";
      pos_ = n;
      return;
    }
    cur_ = {Tok::String, i, j + 1};
    pos_ = j + 1;
    return;
  }
  if (c == ';') {  // a lone ';' is a reserved token (it may appear inside annotations)
    cur_ = {Tok::Atom, i, i + 1};
    pos_ = i + 1;
    return;
  }
  size_t j = i;
  while (j < n && !isAtomEnd(src_[j])) ++j;
  cur_ = {Tok::Atom, i, j};
  pos_ = j;
}

// Skips a balanced S-expression whose "(" has been consumed; leaves the scanner after its ")". Returns false at EOF.
bool Scanner::skipToClose(size_t* closeEnd) {
  size_t depth = 1;
  while (depth > 0) {
    switch (cur_.kind) {
      case Tok::LParen: ++depth; break;
      case Tok::RParen:
        if (--depth == 0 && closeEnd) *closeEnd = cur_.end;
        break;
      case Tok::Eof: case Tok::Error: return false;
      default: break;
    }
    advance();
  }
  return true;
}

// Decodes the string token `t` (with its quotes) into bytes, with the text format's escapes (lexer.h).
Result<std::string> Scanner::decodeString(const Tok& t) const {
  return decodeStringBody(src_.substr(t.begin + 1, t.end - t.begin - 2), t.begin + 1);
}

// ---- parser ---------------------------------------------------------------------------------------------------------

namespace {

// Token text for messages: printable ASCII as is, anything else as \hh.
std::string printable(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += '\\';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

class Parser {
 public:
  explicit Parser(std::string_view src) : src_(src), s_(src) {}

  Result<Script> run() {
    Script script;
    if (isInlineModule()) {
      // A script of bare module fields is one module (spec: inline modules).
      Command cmd;
      cmd.kind = CommandKind::Module;
      cmd.keyword = "module";
      cmd.offset = s_.cur().begin;
      cmd.line = lineAt(cmd.offset);
      cmd.hasModule = true;
      cmd.module.offset = 0;
      cmd.module.text = std::string(src_);
      script.commands.push_back(std::move(cmd));
      return script;
    }
    for (;;) {
      if (s_.cur().kind == Tok::Eof) break;
      MYRT_ASSIGN(Command cmd, command());
      script.commands.push_back(std::move(cmd));
    }
    return script;
  }

 private:
  Error errorAt(const Tok& t, std::string msg) const {
    if (t.kind == Tok::Error) return Error(t.begin, s_.error());
    return Error(t.begin, std::move(msg));
  }
  Error unexpected() const {
    const Tok& t = s_.cur();
    if (t.kind == Tok::Eof) return Error(t.begin, "unexpected end of script");
    return errorAt(t, "unexpected token \"" + printable(s_.text(t).substr(0, 40)) + "\"");
  }
  bool isAtom(std::string_view word) const { return s_.cur().kind == Tok::Atom && s_.text(s_.cur()) == word; }
  bool isId() const { return s_.cur().kind == Tok::Atom && s_.text(s_.cur()).size() > 1 && s_.text(s_.cur())[0] == '$'; }
  Status expect(Tok::Kind k) {
    if (s_.cur().kind != k) return unexpected();
    s_.advance();
    return okStatus();
  }
  Result<std::string> string() {
    if (s_.cur().kind != Tok::String) return unexpected();
    MYRT_ASSIGN(std::string str, s_.decodeString(s_.cur()));
    s_.advance();
    return str;
  }
  std::optional<std::string> optId() {
    if (!isId()) return std::nullopt;
    std::string id(s_.text(s_.cur()));
    s_.advance();
    return id;
  }
  unsigned lineAt(size_t off) {
    // Incremental: commands come in increasing offsets.
    if (off < lineOff_) { lineOff_ = 0; line_ = 1; }
    for (; lineOff_ < off && lineOff_ < src_.size(); ++lineOff_)
      if (src_[lineOff_] == '\n') ++line_;
    return line_;
  }

  Result<Command> command() {
    Command cmd;
    const Tok open = s_.cur();
    MYRT_TRY(expect(Tok::LParen));
    if (s_.cur().kind != Tok::Atom) return unexpected();
    cmd.offset = open.begin;
    cmd.line = lineAt(open.begin);
    cmd.keyword = printable(s_.text(s_.cur()));
    const std::string& kw = cmd.keyword;
    s_.advance();
    if (kw == "module" || kw == "component") {
      cmd.module.component = kw == "component";
      MYRT_TRY(moduleRest(open.begin, cmd));
      noteTarget(cmd);
      return cmd;
    }
    if (kw == "register") {
      cmd.kind = CommandKind::Register;
      MYRT_ASSIGN(cmd.message, string());
      cmd.name = optId();
      MYRT_TRY(expect(Tok::RParen));
      return cmd;
    }
    if (kw == "invoke" || kw == "get") {
      cmd.kind = CommandKind::Action;
      cmd.hasAction = true;
      MYRT_TRY(actionRest(kw, cmd.action));
      return cmd;
    }
    if (kw == "assert_return") {
      cmd.kind = CommandKind::AssertReturn;
      MYRT_TRY(nestedAction(cmd));
      while (s_.cur().kind == Tok::LParen) {
        if (cmd.action.component) {
          MYRT_ASSIGN(CompValue v, compValue());
          cmd.compExpected.push_back(std::move(v));
          continue;
        }
        MYRT_ASSIGN(Expected e, expected());
        cmd.expected.push_back(std::move(e));
      }
      MYRT_TRY(expect(Tok::RParen));
      return cmd;
    }
    if (kw == "assert_trap" || kw == "assert_exhaustion" || kw == "assert_exception") {
      cmd.kind = kw == "assert_trap"        ? CommandKind::AssertTrap
                 : kw == "assert_exhaustion" ? CommandKind::AssertExhaustion
                                             : CommandKind::AssertException;
      if (cmd.kind == CommandKind::AssertTrap && (peekKeyword() == "module" || peekKeyword() == "component")) {
        MYRT_TRY(nestedModule(cmd));
      } else {
        MYRT_TRY(nestedAction(cmd));
      }
      if (s_.cur().kind == Tok::String) {
        MYRT_ASSIGN(cmd.message, string());
      }
      MYRT_TRY(expect(Tok::RParen));
      return cmd;
    }
    if (kw == "assert_invalid" || kw == "assert_malformed" || kw == "assert_unlinkable" ||
        kw == "assert_uninstantiable") {
      cmd.kind = kw == "assert_invalid"      ? CommandKind::AssertInvalid
                 : kw == "assert_malformed"  ? CommandKind::AssertMalformed
                 : kw == "assert_unlinkable" ? CommandKind::AssertUnlinkable
                                             : CommandKind::AssertUninstantiable;
      MYRT_TRY(nestedModule(cmd));
      MYRT_ASSIGN(cmd.message, string());
      MYRT_TRY(expect(Tok::RParen));
      return cmd;
    }
    if (kw == "thread") {  // threads proposal: (thread $T? (shared (module $M)*)* command*)
      cmd.kind = CommandKind::Thread;
      cmd.name = optId();
      while (peekKeyword() == "shared") {
        s_.advance();
        s_.advance();
        while (peekKeyword() == "module") {
          s_.advance();
          s_.advance();
          std::optional<std::string> m = optId();
          if (!m) return unexpected();
          cmd.shared.push_back(*m);
          MYRT_TRY(expect(Tok::RParen));
        }
        MYRT_TRY(expect(Tok::RParen));
      }
      while (s_.cur().kind == Tok::LParen) {
        MYRT_ASSIGN(Command c, command());
        cmd.body.push_back(std::move(c));
      }
      MYRT_TRY(expect(Tok::RParen));
      return cmd;
    }
    if (kw == "wait") {
      cmd.kind = CommandKind::Wait;
      cmd.name = optId();
      if (!cmd.name) return unexpected();
      MYRT_TRY(expect(Tok::RParen));
      return cmd;
    }
    // either at top level, assert_*_custom, script extensions: recognised as a command, not run.
    cmd.kind = CommandKind::Unsupported;
    if (!s_.skipToClose()) return s_.cur().kind == Tok::Error ? errorAt(s_.cur(), "") : unexpected();
    return cmd;
  }

  bool isInlineModule() const {
    static constexpr std::string_view kFields[] = {"func", "memory", "table", "global", "type", "import", "export",
                                                   "start", "elem", "data", "rec", "tag"};
    std::string_view kw = peekKeyword();
    for (auto f : kFields)
      if (kw == f) return true;
    return false;
  }

  // The keyword after the current "(", without consuming anything.
  std::string_view peekKeyword() const {
    if (s_.cur().kind != Tok::LParen) return {};
    Scanner look = s_;
    look.advance();
    return look.cur().kind == Tok::Atom ? look.text(look.cur()) : std::string_view();
  }

  Status nestedModule(Command& cmd) {
    const Tok open = s_.cur();
    MYRT_TRY(expect(Tok::LParen));
    if (!isAtom("module") && !isAtom("component")) return unexpected();
    cmd.module.component = isAtom("component");
    s_.advance();
    const CommandKind kind = cmd.kind;
    MYRT_TRY(moduleRest(open.begin, cmd));
    if (cmd.kind == CommandKind::ModuleInstance) return Error(open.begin, "unexpected module instance");
    cmd.kind = kind;
    return okStatus();
  }

  Status nestedAction(Command& cmd) {
    MYRT_TRY(expect(Tok::LParen));
    if (!isAtom("invoke") && !isAtom("get")) return unexpected();
    std::string kw(s_.text(s_.cur()));
    s_.advance();
    cmd.hasAction = true;
    return actionRest(kw, cmd.action);
  }

  // After "(invoke" / "(get": `$m? "name" const* )`.
  Status actionRest(std::string_view kw, Action& a) {
    a.kind = kw == "get" ? Action::Kind::Get : Action::Kind::Invoke;
    a.module = optId();
    if (a.module) {
      auto it = componentNames_.find(*a.module);
      a.component = it != componentNames_.end() && it->second;
    } else {
      a.component = currentIsComponent_;
    }
    MYRT_ASSIGN(a.name, string());
    if (a.kind == Action::Kind::Invoke && a.component) {
      while (s_.cur().kind == Tok::LParen) {
        MYRT_ASSIGN(CompValue v, compValue());
        a.compArgs.push_back(std::move(v));
      }
    } else if (a.kind == Action::Kind::Invoke) {
      while (s_.cur().kind == Tok::LParen) {
        MYRT_ASSIGN(Value v, constant(false, nullptr));
        a.args.push_back(std::move(v));
      }
    }
    return expect(Tok::RParen);
  }

  // After "(module" (at `start`), for a module command or a module inside an assertion.
  Status moduleRest(size_t start, Command& cmd) {
    ScriptModule& m = cmd.module;
    m.offset = start;
    size_t defBegin = 0, defEnd = 0;
    if (isAtom("instance")) {
      cmd.kind = CommandKind::ModuleInstance;
      s_.advance();
      std::optional<std::string> a = optId(), b = optId();
      if (!a) return unexpected();
      if (b) { cmd.name = a; cmd.of = b; } else { cmd.of = a; }
      return expect(Tok::RParen);
    }
    cmd.kind = CommandKind::Module;
    cmd.hasModule = true;
    if (isAtom("definition")) {
      m.definition = true;
      defBegin = s_.cur().begin;
      defEnd = s_.cur().end;
      s_.advance();
    }
    m.name = optId();
    if (isAtom("binary") || isAtom("quote")) {
      m.form = isAtom("binary") ? ScriptModule::Form::Binary : ScriptModule::Form::Quote;
      s_.advance();
      std::string all;
      while (s_.cur().kind == Tok::String) {
        MYRT_ASSIGN(std::string part, string());
        all += part;
        if (m.form == ScriptModule::Form::Quote) all += ' ';
      }
      if (m.form == ScriptModule::Form::Binary) m.bytes.assign(all.begin(), all.end());
      else m.text = std::move(all);
      return expect(Tok::RParen);
    }
    m.form = ScriptModule::Form::Text;
    size_t close = start;
    if (!s_.skipToClose(&close)) return s_.cur().kind == Tok::Error ? errorAt(s_.cur(), "") : unexpected();
    m.text = std::string(src_.substr(start, close - start));
    if (m.definition)
      for (size_t i = defBegin; i < defEnd; ++i) m.text[i - start] = ' ';
    return okStatus();
  }

  // Which kind of thing later actions address: the last instantiated module or component, or a named one.
  void noteTarget(const Command& cmd) {
    if (cmd.kind == CommandKind::ModuleInstance) {
      currentIsComponent_ = cmd.module.component;
      if (cmd.name) componentNames_[*cmd.name] = cmd.module.component;
      return;
    }
    if (cmd.module.name) componentNames_[*cmd.module.name] = cmd.module.component;
    if (!cmd.module.definition) currentIsComponent_ = cmd.module.component;
  }

  // A component value in `(...)` (see CompValue), or, after `(field "name"`, also without parentheses.
  Result<CompValue> compValue() {
    if (++compDepth_ > kMaxCompDepth) return errorAt(s_.cur(), "component value nested too deeply");
    MYRT_TRY(expect(Tok::LParen));
    MYRT_ASSIGN(CompValue v, compValueBody());
    MYRT_TRY(expect(Tok::RParen));
    --compDepth_;
    return v;
  }

  Result<CompValue> compValueBody() {
    using K = CompValue::Kind;
    if (s_.cur().kind != Tok::Atom) return unexpected();
    const Tok headTok = s_.cur();
    std::string_view head = s_.text(headTok);
    s_.advance();
    CompValue v;
    static constexpr struct { std::string_view name; K kind; unsigned bits; bool sign; } kInts[] = {
        {"u8.const", K::U8, 8, false},    {"s8.const", K::S8, 8, true},    {"u16.const", K::U16, 16, false},
        {"s16.const", K::S16, 16, true},  {"u32.const", K::U32, 32, false}, {"s32.const", K::S32, 32, true},
        {"u64.const", K::U64, 64, false}, {"s64.const", K::S64, 64, true}};
    for (const auto& e : kInts) {
      if (head != e.name) continue;
      v.kind = e.kind;
      if (s_.cur().kind != Tok::Atom) return unexpected();
      std::string_view num = s_.text(s_.cur());
      bool neg = !num.empty() && num[0] == '-';
      std::optional<uint64_t> bits;
      if (neg && e.sign) {
        bits = this->bits(parseI64(num));
        if (bits && e.bits < 64 && static_cast<int64_t>(*bits) < -(int64_t{1} << (e.bits - 1))) bits.reset();
      } else if (!neg) {
        bits = this->bits(parseU64(num.size() > 1 && num[0] == '+' ? num.substr(1) : num));
        uint64_t max = e.bits == 64 ? (e.sign ? uint64_t{INT64_MAX} : UINT64_MAX)
                                    : (uint64_t{1} << (e.sign ? e.bits - 1 : e.bits)) - 1;
        if (bits && *bits > max) bits.reset();
      }
      if (!bits) return errorAt(s_.cur(), "malformed constant \"" + printable(num) + "\"");
      v.bits = *bits;
      s_.advance();
      return v;
    }
    if (head == "f32.const" || head == "f64.const") {
      v.kind = head[1] == '3' ? K::F32 : K::F64;
      if (s_.cur().kind != Tok::Atom) return unexpected();
      auto bits = parseScalar(v.kind == K::F32 ? ValKind::F32 : ValKind::F64, s_.text(s_.cur()));
      if (!bits) return errorAt(s_.cur(), "malformed constant \"" + printable(s_.text(s_.cur())) + "\"");
      v.bits = *bits;
      s_.advance();
      return v;
    }
    if (head == "bool.const") {
      v.kind = K::Bool;
      if (isAtom("true")) v.bits = 1;
      else if (!isAtom("false")) return unexpected();
      s_.advance();
      return v;
    }
    if (head == "char.const" || head == "str.const" || head == "enum.const") {
      v.kind = head[0] == 'c' ? K::Char : head[0] == 's' ? K::String : K::Enum;
      const Tok t = s_.cur();
      MYRT_ASSIGN(v.str, string());
      if (v.kind == K::Char) {
        if (!isValidUtf8(v.str) || v.str.empty()) return errorAt(t, "malformed char constant");
        uint32_t cp = static_cast<uint8_t>(v.str[0]);
        size_t n = cp < 0x80 ? 1 : cp < 0xE0 ? 2 : cp < 0xF0 ? 3 : 4;
        if (n != v.str.size()) return errorAt(t, "char constant is not one character");
        if (n > 1) {
          cp &= (0x7F >> n);
          for (size_t i = 1; i < n; ++i) cp = (cp << 6) | (static_cast<uint8_t>(v.str[i]) & 0x3F);
        }
        v.bits = cp;
        v.str.clear();
      }
      return v;
    }
    if (head == "list.const" || head == "tuple.const") {
      v.kind = head[0] == 'l' ? K::List : K::Tuple;
      while (s_.cur().kind == Tok::LParen) {
        MYRT_ASSIGN(CompValue e, compValue());
        v.items.push_back(std::move(e));
      }
      return v;
    }
    if (head == "record.const") {
      v.kind = K::Record;
      while (s_.cur().kind == Tok::LParen) {
        s_.advance();
        if (!isAtom("field")) return unexpected();
        s_.advance();
        MYRT_ASSIGN(std::string name, string());
        v.names.push_back(std::move(name));
        if (s_.cur().kind == Tok::LParen) {
          MYRT_ASSIGN(CompValue e, compValue());
          v.items.push_back(std::move(e));
        } else {
          if (++compDepth_ > kMaxCompDepth) return errorAt(s_.cur(), "component value nested too deeply");
          MYRT_ASSIGN(CompValue e, compValueBody());
          --compDepth_;
          v.items.push_back(std::move(e));
        }
        MYRT_TRY(expect(Tok::RParen));
      }
      return v;
    }
    if (head == "flags.const") {
      v.kind = K::Flags;
      while (s_.cur().kind == Tok::String) {
        MYRT_ASSIGN(std::string f, string());
        v.names.push_back(std::move(f));
      }
      return v;
    }
    if (head == "variant.const" || head == "option.some" || head == "option.none" || head == "result.ok" ||
        head == "result.err") {
      v.kind = head[0] == 'v' ? K::Variant : head[0] == 'o' ? K::Option : K::Result;
      if (v.kind == K::Variant) {
        MYRT_ASSIGN(v.str, string());
      }
      v.bits = head == "option.some" || head == "result.err";
      bool payload = head != "option.none" && s_.cur().kind == Tok::LParen;
      if (head == "option.some" && !payload) return unexpected();
      if (payload) {
        MYRT_ASSIGN(CompValue e, compValue());
        v.items.push_back(std::move(e));
      }
      return v;
    }
    return errorAt(headTok, "unexpected token \"" + printable(head) + "\" in component value");
  }

  template <typename T>
  static std::optional<uint64_t> bits(Result<T> r) {
    if (!r.ok()) return std::nullopt;
    return static_cast<uint64_t>(r.value());
  }

  // A constant in `(...)`: `i32.const N`, `v128.const shape lanes`, `ref.null ht`, ... If `exp` is given, result
  // patterns are allowed too (nan:canonical, lane patterns, ref.func without index ...) and recorded in *exp.
  Result<Value> constant(bool patterns, Expected* exp) {
    MYRT_TRY(expect(Tok::LParen));
    if (s_.cur().kind != Tok::Atom) return unexpected();
    std::string_view head = s_.text(s_.cur());
    const Tok headTok = s_.cur();
    s_.advance();
    Value v;
    if (head == "i32.const" || head == "i64.const" || head == "f32.const" || head == "f64.const") {
      v.type = head[0] == 'i' ? (head[1] == '3' ? ValKind::I32 : ValKind::I64)
                              : (head[1] == '3' ? ValKind::F32 : ValKind::F64);
      if (s_.cur().kind != Tok::Atom) return unexpected();
      const Tok numTok = s_.cur();
      std::string_view num = s_.text(numTok);
      s_.advance();
      if (patterns && (num == "nan:canonical" || num == "nan:arithmetic") &&
          (v.type == ValKind::F32 || v.type == ValKind::F64)) {
        exp->kind = Expected::Kind::Nan;
        exp->nan = num == "nan:canonical" ? NumPattern::NanCanonical : NumPattern::NanArithmetic;
      } else {
        auto bits = parseScalar(v.type, num);
        if (!bits) return errorAt(numTok, "malformed constant \"" + printable(num) + "\"");
        v.lo = *bits;
      }
    } else if (head == "v128.const") {
      v.type = ValKind::V128;
      MYRT_TRY(v128(v, patterns ? exp : nullptr));
    } else if (head.substr(0, 4) == "ref.") {
      v.type = ValKind::Ref;
      MYRT_TRY(reference(head, headTok, patterns, v));
    } else if (head == "either" && patterns) {
      exp->kind = Expected::Kind::Either;
      if (++eitherDepth_ > kMaxEitherDepth) return errorAt(headTok, "either nested too deeply");
      while (s_.cur().kind == Tok::LParen) {
        MYRT_ASSIGN(Expected alt, expected());
        exp->either.push_back(std::move(alt));
      }
      --eitherDepth_;
    } else {
      return errorAt(headTok, "unexpected token \"" + printable(head) + "\" in constant");
    }
    if (s_.cur().kind != Tok::RParen) return unexpected();
    s_.advance();
    return v;
  }

  Result<Expected> expected() {
    Expected e;
    MYRT_ASSIGN(e.value, constant(true, &e));
    return e;
  }

  // After "v128.const": shape and lanes. With `exp`, NaN lane patterns make it an Expected::Kind::Lanes.
  Status v128(Value& v, Expected* exp) {
    if (s_.cur().kind != Tok::Atom) return unexpected();
    std::string_view sh = s_.text(s_.cur());
    V128Shape shape;
    if (sh == "i8x16") shape = V128Shape::I8x16;
    else if (sh == "i16x8") shape = V128Shape::I16x8;
    else if (sh == "i32x4") shape = V128Shape::I32x4;
    else if (sh == "i64x2") shape = V128Shape::I64x2;
    else if (sh == "f32x4") shape = V128Shape::F32x4;
    else if (sh == "f64x2") shape = V128Shape::F64x2;
    else return unexpected();
    s_.advance();
    const unsigned n = laneCount(shape);
    const unsigned laneBits = 128 / n;
    std::vector<LanePattern> lanes;
    bool anyPattern = false;
    for (unsigned i = 0; i < n; ++i) {
      if (s_.cur().kind != Tok::Atom) return unexpected();
      const Tok t = s_.cur();
      std::string_view num = s_.text(t);
      s_.advance();
      LanePattern lp;
      if (exp && (shape == V128Shape::F32x4 || shape == V128Shape::F64x2) &&
          (num == "nan:canonical" || num == "nan:arithmetic")) {
        lp.pat = num == "nan:canonical" ? NumPattern::NanCanonical : NumPattern::NanArithmetic;
        anyPattern = true;
      } else {
        auto bits = parseLane(shape, num);
        if (!bits) return errorAt(t, "malformed lane \"" + printable(num) + "\"");
        lp.bits = *bits;
        unsigned bit = i * laneBits;
        if (bit < 64) v.lo |= laneBits == 64 ? lp.bits : (lp.bits << bit);
        else v.hi |= laneBits == 64 ? lp.bits : (lp.bits << (bit - 64));
      }
      lanes.push_back(lp);
    }
    if (exp && anyPattern) {
      exp->kind = Expected::Kind::Lanes;
      exp->shape = shape;
      exp->lanes = std::move(lanes);
    }
    return okStatus();
  }

  // After "ref.xxx": the reference constant / pattern.
  Status reference(std::string_view head, const Tok& headTok, bool patterns, Value& v) {
    std::string_view k = head.substr(4);
    if (k == "null") {
      v.ref = RefKind::Null;
      if (s_.cur().kind == Tok::RParen) {
        if (!patterns) return errorAt(s_.cur(), "ref.null needs a heap type");
        v.nullAnyHeap = true;
        return okStatus();
      }
      if (s_.cur().kind != Tok::Atom) return unexpected();
      auto ht = heapType(s_.text(s_.cur()));
      if (!ht) return errorAt(s_.cur(), "unknown heap type \"" + printable(s_.text(s_.cur())) + "\"");
      v.heap = *ht;
      s_.advance();
      return okStatus();
    }
    static constexpr struct { std::string_view name; RefKind kind; } kKinds[] = {
        {"func", RefKind::Func}, {"extern", RefKind::Extern}, {"host", RefKind::Host}, {"any", RefKind::Any},
        {"eq", RefKind::Eq},     {"i31", RefKind::I31},       {"struct", RefKind::Struct}, {"array", RefKind::Array},
        {"exn", RefKind::Exn},
    };
    bool found = false;
    for (const auto& e : kKinds)
      if (e.name == k) { v.ref = e.kind; found = true; }
    if (!found) return errorAt(headTok, "unexpected token \"" + printable(head) + "\" in constant");
    if (s_.cur().kind == Tok::Atom) {
      std::string_view a = s_.text(s_.cur());
      if (a[0] != '$') {
        auto n = parseScalar(ValKind::I32, a);
        if (!n) return errorAt(s_.cur(), "malformed constant \"" + printable(a) + "\"");
        v.refIndex = static_cast<uint32_t>(*n);
      }
      s_.advance();
    } else if (!patterns && (v.ref == RefKind::Extern || v.ref == RefKind::Host)) {
      return errorAt(s_.cur(), std::string(head) + " needs a number");
    }
    return okStatus();
  }

  static std::optional<HeapType> heapType(std::string_view s) {
    static constexpr struct { std::string_view name; HeapKind kind; } kHeaps[] = {
        {"func", HeapKind::Func},     {"extern", HeapKind::Extern},     {"any", HeapKind::Any},
        {"eq", HeapKind::Eq},         {"i31", HeapKind::I31},           {"struct", HeapKind::Struct},
        {"array", HeapKind::Array},   {"exn", HeapKind::Exn},           {"none", HeapKind::None},
        {"noextern", HeapKind::NoExtern}, {"nofunc", HeapKind::NoFunc}, {"noexn", HeapKind::NoExn},
    };
    for (const auto& e : kHeaps)
      if (e.name == s) return HeapType{e.kind, 0};
    if (!s.empty() && s[0] == '$') return HeapType{HeapKind::Concrete, 0};
    auto n = parseScalar(ValKind::I32, s);
    if (n) return HeapType{HeapKind::Concrete, static_cast<uint32_t>(*n)};
    return std::nullopt;
  }

  std::string_view src_;
  Scanner s_;
  unsigned eitherDepth_ = 0;
  static constexpr unsigned kMaxEitherDepth = 64;
  unsigned compDepth_ = 0;
  static constexpr unsigned kMaxCompDepth = 64;
  bool currentIsComponent_ = false;
  std::unordered_map<std::string, bool> componentNames_;
  size_t lineOff_ = 0;
  unsigned line_ = 1;
};

}  // namespace

Result<Script> parseScript(std::string_view text) {
  Parser p(text);
  return p.run();
}

}  // namespace myrt::wast
