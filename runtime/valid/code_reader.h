// runtime/valid/code_reader.h -- THE function-body reader of myrt: the single switch over opcodes.
// Layer: valid (depends on base, wasm, binary/instr.h for immediate decoding, valid/type_context.h for subtyping).
//
// CodeReader<Interface, Validate> decodes a function body (or a constant expression) instruction by instruction with
// readInstr, keeps the operand type stack and the control stack, and calls one hook on the Interface per instruction.
//   Validate=true : full WebAssembly typing (2.0 complete; 3.0 reference subtyping, typed function references,
//                   non-nullable locals, tail calls, exceptions, extended constants, memory64/table64, multi-memory,
//                   GC struct/array/i31/cast typing, legacy try/catch/delegate/rethrow).
//                   Errors use the spec testsuite's wording: "type mismatch", "unknown local", ...
//   Validate=false: re-walks already validated code without checks; the stacks are still maintained so hooks receive
//                   operand types, block arities and resolved label targets (for the interpreter lowering and JITs).
// Hooks are called after the instruction's typing is done (results pushed), except onElse/onEnd which are called while
// the closing control entry is still on the control stack. Interfaces may query the reader (control(depth), stack(),
// locals()) from inside hooks. NullInterface (below) is the validation-only consumer.
//
// Performance: no allocation per instruction -- the Instr, the operand stack, the control stack and the locals vector
// are members reused across instructions and functions (reuse one CodeReader for a whole module).
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "runtime/base/reader.h"
#include "runtime/base/result.h"
#include "runtime/binary/instr.h"
#include "runtime/valid/type_context.h"
#include "runtime/wasm/module.h"
#include "runtime/wasm/opcodes.h"

#define MYRT_HOT [[gnu::always_inline]] inline

namespace myrt {

// ---- per-op facts derived from the opcode table ---------------------------------------------------------------------
namespace detail {
// log2Bytes, accessBytes: runtime/wasm/opcodes.h.
// Lane count of a SIMD lane op from its shape prefix: "i8x16.extract_lane_s" -> 16.
constexpr unsigned shapeLanes(std::string_view name) {
  size_t x = name.find('x');
  size_t dot = name.find('.');
  if (x == std::string_view::npos || dot == std::string_view::npos || x > dot) return 16;
  unsigned n = 0;
  for (size_t i = x + 1; i < dot; ++i) n = n * 10 + unsigned(name[i] - '0');
  return n;
}
struct OpFacts {
  uint8_t naturalAlign = 0;  // log2 of the access size (memory ops)
  uint8_t lanes = 0;         // exclusive bound of the lane immediate (Lane / MemArgLane ops)
};
constexpr std::array<OpFacts, kNumOps> makeOpFacts() {
  std::array<OpFacts, kNumOps> a{};
  for (unsigned i = 0; i < kNumOps; ++i) {
    const OpInfo& info = kOpInfo[i];
    if (info.imm == ImmKind::MemArg || info.imm == ImmKind::MemArgLane) {
      unsigned bytes = accessBytes(info.name);
      a[i].naturalAlign = static_cast<uint8_t>(log2Bytes(bytes));
      if (info.imm == ImmKind::MemArgLane) a[i].lanes = static_cast<uint8_t>(16 / bytes);
    } else if (info.imm == ImmKind::Lane) {
      a[i].lanes = static_cast<uint8_t>(shapeLanes(info.name));
    }
  }
  return a;
}
inline constexpr std::array<OpFacts, kNumOps> kOpFacts = makeOpFacts();

// Ops whose typing is their signature alone and whose immediate needs no check (numeric ops and constants), with at
// most two params: CodeReader::step types them before its switch. kind bytes are ValKind values; 0xFF: not plain.
struct PlainSig {
  uint8_t numParams = 0xFF;  // 0xFF: not plain
  uint8_t p0 = 0, p1 = 0;
  uint8_t result = 0xFF;     // 0xFF: no result
  uint8_t isConst = 0;       // constant instruction (onConst hook) rather than onSimple
};
constexpr std::array<PlainSig, kNumOps> makePlainSigs() {
  std::array<PlainSig, kNumOps> a{};
  for (unsigned i = 0; i < kNumOps; ++i) {
    const OpInfo& info = kOpInfo[i];
    if (info.sig.isSpecial || info.sig.numParams > 2 || static_cast<Op>(i) == Op::Nop) continue;
    const bool isConst = info.imm == ImmKind::I32 || info.imm == ImmKind::I64 || info.imm == ImmKind::F32 ||
                         info.imm == ImmKind::F64 || info.imm == ImmKind::V128;
    if (info.imm != ImmKind::None && !isConst) continue;
    a[i].numParams = info.sig.numParams;
    a[i].p0 = static_cast<uint8_t>(info.sig.params[0]);
    a[i].p1 = static_cast<uint8_t>(info.sig.params[1]);
    a[i].result = info.sig.numResults ? static_cast<uint8_t>(info.sig.results[0]) : 0xFF;
    a[i].isConst = isConst;
  }
  return a;
}
inline constexpr std::array<PlainSig, kNumOps> kPlainSigs = makePlainSigs();

// Single-byte opcodes CodeReader decodes without readInstr (see CodeReader::fastDecode).
enum : uint8_t { kFastSlow, kFastNone, kFastIndex, kFastI32, kFastMemArg, kFastBlock };
constexpr std::array<uint8_t, 256> makeFastKinds() {
  std::array<uint8_t, 256> a{};
  for (unsigned b = 0; b < 256; ++b) {
    const uint16_t v = kSingleByteOps[b];
    if (v == 0xFFFF) continue;
    switch (kOpInfo[v].imm) {
      case ImmKind::None: a[b] = kFastNone; break;
      case ImmKind::LocalIdx:
      case ImmKind::GlobalIdx:
      case ImmKind::FuncIdx:
      case ImmKind::LabelIdx: a[b] = kFastIndex; break;
      case ImmKind::I32: a[b] = kFastI32; break;
      case ImmKind::MemArg: a[b] = kFastMemArg; break;
      case ImmKind::BlockType: a[b] = kFastBlock; break;
      default: break;
    }
  }
  return a;
}
inline constexpr std::array<uint8_t, 256> kFastKinds = makeFastKinds();

// Single-byte opcodes CodeReader::hotLoop types in place (immediates read straight from the code bytes). For plain
// numeric ops, loads and stores: operand kinds (p0 = first operand / address, p1 = second / stored value), result
// kind (0xFF: none) and natural alignment.
enum : uint8_t {
  kHotNone, kHotLocalGet, kHotLocalSet, kHotLocalTee, kHotGlobalGet, kHotGlobalSet, kHotI32Const, kHotPlain,
  kHotLoad, kHotStore, kHotBrIf, kHotDrop, kHotCall, kHotBlock, kHotEnd, kHotI64Const, kHotF32Const, kHotF64Const,
  kHotCallIndirect, kHotBr, kHotSelect, kHotReturn
};
struct HotOp {
  uint8_t cls = kHotNone;
  uint8_t numParams = 0, p0 = 0, p1 = 0, result = 0xFF;
  uint8_t align = 0;
  uint16_t op = 0;  // the Op
};
constexpr std::array<HotOp, 256> makeHotOps() {
  std::array<HotOp, 256> a{};
  for (unsigned b = 0; b < 256; ++b) {
    const uint16_t v = kSingleByteOps[b];
    if (v == 0xFFFF) continue;
    const Op op = static_cast<Op>(v);
    const OpInfo& info = kOpInfo[v];
    HotOp& h = a[b];
    h.op = v;
    switch (op) {
      case Op::LocalGet: h.cls = kHotLocalGet; continue;
      case Op::LocalSet: h.cls = kHotLocalSet; continue;
      case Op::LocalTee: h.cls = kHotLocalTee; continue;
      case Op::GlobalGet: h.cls = kHotGlobalGet; continue;
      case Op::GlobalSet: h.cls = kHotGlobalSet; continue;
      case Op::I32Const: h.cls = kHotI32Const; continue;
      case Op::BrIf: h.cls = kHotBrIf; continue;
      case Op::Drop: h.cls = kHotDrop; continue;
      case Op::Call: h.cls = kHotCall; continue;
      case Op::Block:
      case Op::Loop: h.cls = kHotBlock; continue;
      case Op::End: h.cls = kHotEnd; continue;
      case Op::I64Const: h.cls = kHotI64Const; continue;
      case Op::F32Const: h.cls = kHotF32Const; continue;
      case Op::F64Const: h.cls = kHotF64Const; continue;
      case Op::CallIndirect: h.cls = kHotCallIndirect; continue;
      case Op::Br: h.cls = kHotBr; continue;
      case Op::Select: h.cls = kHotSelect; continue;
      case Op::Return: h.cls = kHotReturn; continue;
      default: break;
    }
    if (info.sig.isSpecial || info.sig.numParams > 2 || info.sig.numResults > 1) continue;
    h.numParams = info.sig.numParams;
    h.p0 = static_cast<uint8_t>(info.sig.params[0]);
    h.p1 = static_cast<uint8_t>(info.sig.params[1]);
    h.result = info.sig.numResults ? static_cast<uint8_t>(info.sig.results[0]) : 0xFF;
    if (info.imm == ImmKind::MemArg) {
      h.align = kOpFacts[v].naturalAlign;
      h.cls = info.sig.numResults ? kHotLoad : kHotStore;
      if (h.cls == kHotLoad && h.numParams != 1) h.cls = kHotNone;
      if (h.cls == kHotStore && h.numParams != 2) h.cls = kHotNone;
    } else if (info.imm == ImmKind::None && op != Op::Nop && h.numParams >= 1 && info.sig.numResults == 1) {
      h.cls = kHotPlain;
    }
  }
  return a;
}
inline constexpr std::array<HotOp, 256> kHotOps = makeHotOps();
static_assert(kHotOps[0x28].cls == kHotLoad && kHotOps[0x36].cls == kHotStore && kHotOps[0x6A].cls == kHotPlain);
static_assert(kHotOps[0x3F].cls == kHotNone && kHotOps[0x45].cls == kHotPlain && kHotOps[0x01].cls == kHotNone);

// LEB128 of a u32 / s32 (at most 5 bytes; linkers pad relocated indices and addresses to 5) at q, advancing q. False
// for anything the general decoder must judge (6+ bytes, unused bits set in the 5th byte): the caller falls back.
// The caller guarantees 5 readable bytes.
template <bool Signed>
MYRT_HOT bool leb5(const uint8_t*& q, uint32_t& v) {
  uint32_t b = q[0];
  if (b < 0x80) {
    v = Signed ? static_cast<uint32_t>(static_cast<int32_t>(b << 25) >> 25) : b;
    q += 1;
    return true;
  }
  uint32_t r = b & 0x7F;
  unsigned shift = 7;
  for (unsigned i = 1; i < 4; ++i, shift += 7) {
    b = q[i];
    r |= (b & 0x7F) << shift;
    if (b < 0x80) {
      q += i + 1;
      if constexpr (Signed) {
        const unsigned s = 32 - (shift + 7);
        r = static_cast<uint32_t>(static_cast<int32_t>(r << s) >> s);
      }
      v = r;
      return true;
    }
  }
  b = q[4];  // bits 28..31; the rest must be zero (u32) or copies of bit 31 (s32)
  if (Signed ? !(b < 0x08 || (b >= 0x78 && b < 0x80)) : b >= 0x10) return false;
  v = r | (b << 28);
  q += 5;
  return true;
}
}  // namespace detail

constexpr unsigned naturalAlignment(Op op) { return detail::kOpFacts[static_cast<unsigned>(op)].naturalAlign; }
constexpr unsigned laneCount(Op op) { return detail::kOpFacts[static_cast<unsigned>(op)].lanes; }
static_assert(naturalAlignment(Op::I64Load32U) == 2 && naturalAlignment(Op::V128Load8x8S) == 3);
static_assert(naturalAlignment(Op::V128Load) == 4 && naturalAlignment(Op::I32Store8) == 0);
static_assert(naturalAlignment(Op::I32AtomicLoad8U) == 0 && naturalAlignment(Op::I64AtomicRmw32CmpxchgU) == 2);
static_assert(naturalAlignment(Op::MemoryAtomicNotify) == 2 && naturalAlignment(Op::MemoryAtomicWait64) == 3);
static_assert(naturalAlignment(Op::I64AtomicRmwXchg) == 3 && naturalAlignment(Op::I32AtomicRmw16OrU) == 1);
static_assert(laneCount(Op::I8x16ExtractLaneS) == 16 && laneCount(Op::F64x2ReplaceLane) == 2);
static_assert(laneCount(Op::V128Load16Lane) == 8 && naturalAlignment(Op::V128Load32Zero) == 2);

// ---- control stack ------------------------------------------------------------------------------------------------
// Try/Catch/CatchAll: legacy exception handling (try ... catch x ... catch_all ... end / delegate).
enum class CtrlKind : uint8_t { Func, Block, Loop, If, Else, TryTable, Const, Try, Catch, CatchAll };

struct ControlEntry {
  CtrlKind kind = CtrlKind::Block;
  bool unreachable = false;   // the rest of this block is unreachable (stack-polymorphic)
  bool singleResult = false;  // block type was a single value type (stored in `single`)
  uint32_t height = 0;        // operand stack height at entry, params excluded
  uint32_t initHeight = 0;    // height of the local-initialization undo log at entry
  size_t offset = 0;          // offset of the opening instruction
  ValType single;
  const ValType* paramPtr = nullptr;
  const ValType* resultPtr = nullptr;
  uint32_t numParams = 0, numResults = 0;
  uint32_t typeIndex = UINT32_MAX;  // block type index when the block type is a type index
  uint64_t user = 0;                // free for the interface (label ids, patch lists ...)

  std::span<const ValType> params() const { return {paramPtr, numParams}; }
  std::span<const ValType> results() const {
    return singleResult ? std::span<const ValType>(&single, 1) : std::span<const ValType>(resultPtr, numResults);
  }
  // Types a branch to this label carries: params for loops, results otherwise.
  std::span<const ValType> labelTypes() const { return kind == CtrlKind::Loop ? params() : results(); }
  bool isLoop() const { return kind == CtrlKind::Loop; }
};

// ---- operand stack: raw pointers into a reused buffer (push = one compare + one store in the hot path) -----------
// TypeStack: the reader's operand types; the x86-64 compiler keeps its value stack (VarState) in one too.
template <class T>
class ReusedStack {
 public:
  ReusedStack() = default;
  ReusedStack(const ReusedStack&) = delete;
  ReusedStack& operator=(const ReusedStack&) = delete;
  size_t size() const { return static_cast<size_t>(top_ - buf_); }
  bool empty() const { return top_ == buf_; }
  T& back() { return top_[-1]; }
  const T& back() const { return top_[-1]; }
  T& operator[](size_t i) { return buf_[i]; }
  const T& operator[](size_t i) const { return buf_[i]; }
  MYRT_HOT void push_back(T t) {  // (by value: t may be an element, and grow() moves them)
    if (top_ == cap_) [[unlikely]] grow(size() + 1);
    *top_++ = t;
  }
  MYRT_HOT void pop_back() { --top_; }
  MYRT_HOT void drop(size_t k) { top_ -= k; }                 // k <= size()
  MYRT_HOT T* top(size_t k) { return top_ - k; }             // the top k entries (k <= size())
  MYRT_HOT void append(std::span<const T> ts) {
    if (static_cast<size_t>(cap_ - top_) < ts.size()) [[unlikely]] grow(size() + ts.size());
    for (const T& t : ts) *top_++ = t;
  }
  void shrink(size_t n) {
    if (n < size()) top_ = buf_ + n;
  }
  void clear() { top_ = buf_; }
  void reserve(size_t n) {
    if (n > static_cast<size_t>(cap_ - buf_)) grow(n);
  }
  operator std::span<const T>() const { return {buf_, size()}; }  // NOLINT(google-explicit-constructor)

 private:
  [[gnu::noinline]] void grow(size_t need) {
    const size_t n = size();
    storage_.resize(need < 64 ? 64 : need * 2);
    buf_ = storage_.data();
    top_ = buf_ + n;
    cap_ = buf_ + storage_.size();
  }
  std::vector<T> storage_;
  T* buf_ = nullptr;
  T* top_ = nullptr;
  T* cap_ = nullptr;
};
using TypeStack = ReusedStack<ValType>;

// ---- the validation-only interface ---------------------------------------------------------------------------------
struct NullInterface {
  void onFuncStart(uint32_t /*funcIndex*/, const CompositeType& /*type*/) {}
  void onUnreachable() {}
  void onNop() {}
  void onBlock(const Instr&, ControlEntry&) {}
  void onLoop(const Instr&, ControlEntry&) {}
  void onIf(const Instr&, ControlEntry&) {}
  void onElse(ControlEntry&) {}
  void onTryTable(const Instr&, ControlEntry&) {}  // catch labels: Instr::catches, relative to the enclosing block
  void onEnd(ControlEntry&) {}                     // also for the function's final end (kind Func) / const expr
  void onBr(uint32_t /*depth*/, ControlEntry& /*target*/) {}
  void onBrIf(uint32_t, ControlEntry&) {}
  void onBrTable(const Instr&) {}  // targets in Instr::targets (default last); resolve with reader.control(depth)
  void onBrOnNull(uint32_t, ControlEntry&, ValType /*operand*/) {}
  void onBrOnNonNull(uint32_t, ControlEntry&, ValType) {}
  void onReturn() {}
  void onCall(uint32_t /*funcIndex*/, const CompositeType&) {}
  void onCallIndirect(uint32_t /*typeIndex*/, uint32_t /*tableIndex*/, const CompositeType&) {}
  void onCallRef(uint32_t /*typeIndex*/, const CompositeType&) {}
  void onReturnCall(uint32_t, const CompositeType&) {}
  void onReturnCallIndirect(uint32_t, uint32_t, const CompositeType&) {}
  void onReturnCallRef(uint32_t, const CompositeType&) {}
  void onThrow(uint32_t /*tagIndex*/, const CompositeType&) {}
  void onThrowRef() {}
  void onDrop(ValType) {}
  void onSelect(ValType) {}  // the operand/result type (Bot in unreachable code)
  void onLocalGet(uint32_t, ValType) {}
  void onLocalSet(uint32_t, ValType) {}
  void onLocalTee(uint32_t, ValType) {}
  void onGlobalGet(uint32_t, const GlobalType&) {}
  void onGlobalSet(uint32_t, const GlobalType&) {}
  void onConst(const Instr&) {}   // i32/i64/f32/f64/v128.const
  void onSimple(const Instr&) {}  // typed by opInfo(op).sig: numeric, conversions, SIMD (lane/shuffle immediates)
  void onLoad(const Instr&, ValType /*addrType*/) {}   // incl. v128 load_lane/splat/zero/extend
  void onStore(const Instr&, ValType /*addrType*/) {}  // incl. v128 store_lane
  void onMemoryOp(const Instr&, ValType /*addrType*/) {}  // memory.size/grow/fill/copy/init, data.drop
  // Every 0xFE (threads) op: memory.atomic.notify/wait32/wait64, atomic.fence (addrType Bot), i32/i64.atomic.*; the
  // operands are typed by opInfo(op).sig (address first).
  void onAtomic(const Instr&, ValType /*addrType*/) {}
  void onTableOp(const Instr&, const TableType&) {}     // table.get/set/size/grow/fill/copy/init, elem.drop
  void onRefNull(ValType) {}
  void onRefIsNull(ValType /*operand*/) {}
  void onRefFunc(uint32_t, ValType /*result*/) {}
  void onRefAsNonNull(ValType /*operand*/) {}
  void onRefEq() {}
  void onGc(const Instr&) {}
  // Legacy exception handling (the pre-3.0 proposal still in the testsuite's legacy/ folder).
  void onTry(const Instr&, ControlEntry&) {}
  void onCatch(uint32_t /*tagIndex*/, ControlEntry&) {}  // called before the stack is reset to the tag's params
  void onCatchAll(ControlEntry&) {}
  void onDelegate(uint32_t /*depth, outside the try*/, ControlEntry& /*try entry*/) {}
  void onRethrow(uint32_t /*depth*/, ControlEntry& /*catch entry*/) {}  // struct/array/i31/cast/conversion ops; types are in the Instr's immediates
};

template <class Interface, bool Validate>
class CodeReader {
 public:
  CodeReader(const TypeContext& ctx, Interface& iface) : ctx_(ctx), m_(ctx.module()), iface_(iface) {
    stack_.reserve(64);
    ctrl_.reserve(16);
    if (!m_.memories.empty()) mem0Kind_ = m_.memories[0].type.limits.is64 ? ValKind::I64 : ValKind::I32;
  }

  // Reads the body of defined function `funcIndex` (Module::funcs index, imports included).
  Status readFunction(uint32_t funcIndex) {
    if (funcIndex >= m_.funcs.size() || m_.funcs[funcIndex].imported) return Error("unknown function");
    const Func& f = m_.funcs[funcIndex];
    if (!ctx_.isFuncType(f.typeIndex)) return Error(f.bodyStart, "unknown type");
    const CompositeType& ft = m_.types[f.typeIndex].comp;
    locals_.clear();
    locals_.insert(locals_.end(), ft.params.begin(), ft.params.end());
    locals_.insert(locals_.end(), f.locals.begin(), f.locals.end());
    trackInit_ = false;
    for (ValType t : locals_) {
      if constexpr (Validate) {
        if (!ctx_.wellFormed(t)) return Error(f.bodyStart, "unknown type");
      }
      if (!TypeContext::defaultable(t)) trackInit_ = true;
    }
    if (trackInit_) {
      localInit_.assign(locals_.size(), 1);
      for (size_t i = ft.params.size(); i < locals_.size(); ++i) localInit_[i] = TypeContext::defaultable(locals_[i]);
      initLog_.clear();
    }
    constMode_ = false;
    funcType_ = &ft;
    resetInstr();  // a reused reader: nothing of the previous function's last instruction shows through
    if (uint64_t(f.body.offset) + f.body.size > m_.bytes.size()) return Error(f.bodyStart, "unexpected end");
    iface_.onFuncStart(funcIndex, ft);
    stack_.clear();
    ctrl_.clear();
    ControlEntry& c = pushControl(CtrlKind::Func, f.body.offset);
    c.paramPtr = ft.params.data();
    c.resultPtr = ft.results.data();
    c.numResults = static_cast<uint32_t>(ft.results.size());
    c.typeIndex = f.typeIndex;
    ByteReader r(m_.data(f.body), f.body.size, f.body.offset);
    return run(r);
  }

  // Reads a constant expression (including its final `end`) that must produce `expected`. `numGlobals` globals may
  // be referenced by global.get (those defined before a global initializer; all for segment offsets).
  Status readConstExpr(ConstExpr e, ValType expected, uint32_t numGlobals) {
    if (uint64_t(e.offset) + e.size > m_.bytes.size()) return Error(e.offset, "unexpected end");
    locals_.clear();
    trackInit_ = false;
    constMode_ = true;
    constGlobals_ = numGlobals;
    funcType_ = nullptr;
    stack_.clear();
    ctrl_.clear();
    ControlEntry& c = pushControl(CtrlKind::Const, e.offset);
    c.single = expected;
    c.singleResult = true;
    ByteReader r(m_.data(e), e.size, e.offset);
    return run(r);
  }

  // Decodes a function body's instructions and block structure only (no typing): the malformed-binary errors the
  // reference decoder reports before any validation error. Used to give such errors precedence.
  Status scanStructure(uint32_t funcIndex) {
    if (funcIndex >= m_.funcs.size() || m_.funcs[funcIndex].imported) return {};
    const Func& f = m_.funcs[funcIndex];
    if (uint64_t(f.body.offset) + f.body.size > m_.bytes.size()) return Error(f.bodyStart, "unexpected end");
    constMode_ = false;
    ByteReader r(m_.data(f.body), f.body.size, f.body.offset);
    size_t depth = 1;
    while (depth > 0) {
      if (r.atEnd()) return Error(r.offset(), bodyEndMessage(r.offset()));
      MYRT_TRY(readInstr(r, in_));
      switch (in_.op) {
        case Op::Block: case Op::Loop: case Op::If: case Op::Try: case Op::TryTable: ++depth; break;
        case Op::End: case Op::Delegate: --depth; break;
        default: break;
      }
    }
    if (!r.atEnd()) return Error(r.offset(), "operators remaining after end of function");
    return {};
  }

  // WebAssembly 2.0 rules (see ValidateOptions::wasm2Only).
  void setWasm2Only(bool v) { wasm2Only_ = v; }

  // ---- queries for interfaces (valid inside hooks) ----
  uint32_t controlDepth() const { return static_cast<uint32_t>(ctrl_.size()); }
  ControlEntry& control(uint32_t depth) { return ctrl_[ctrl_.size() - 1 - depth]; }  // 0 = innermost
  const ControlEntry& control(uint32_t depth) const { return ctrl_[ctrl_.size() - 1 - depth]; }
  std::span<const ValType> stack() const { return stack_; }
  std::span<const ValType> locals() const { return locals_; }
  const Instr& instr() const { return in_; }
  const TypeContext& context() const { return ctx_; }

 private:
  // ---- errors ----
  [[gnu::cold, gnu::noinline]] bool fail(const char* msg) {
    if constexpr (Validate) err_ = Error(in_.offset, msg);
    return false;
  }
  [[gnu::cold, gnu::noinline]] bool fail(std::string msg) {
    if constexpr (Validate) err_ = Error(in_.offset, std::move(msg));
    return false;
  }
  [[gnu::cold, gnu::noinline]] bool mismatch(ValType expected, ValType got) {
    return fail("type mismatch: instruction requires [" + toString(expected) + "] but stack has [" +
                (got.kind == ValKind::Bot ? std::string() : toString(got)) + "]");
  }

  // ---- operand stack ----
  MYRT_HOT void push(ValType t) { stack_.push_back(t); }
  MYRT_HOT void pushTypes(std::span<const ValType> ts) { stack_.append(ts); }
  MYRT_HOT bool pop(ValType& out) {
    const ControlEntry& c = ctrl_.back();
    if (stack_.size() <= c.height) {
      out = ValType::bot();
      if (!Validate || c.unreachable) return true;
      return fail("type mismatch: operand stack underflow");
    }
    out = stack_.back();
    stack_.pop_back();
    return true;
  }
  MYRT_HOT bool popExpect(ValType expected) {
    if (stack_.size() <= curHeight_) {
      if (!Validate || ctrl_.back().unreachable) return true;
      return failRequires("instruction", {&expected, 1});
    }
    if constexpr (Validate) {
      const ValType got = stack_.back();
      // numeric/vector operands: equal kinds; references: subtyping; Bot (from unreachable code) matches anything
      if (got.kind != expected.kind ? got.kind != ValKind::Bot
                                    : expected.kind == ValKind::Ref && !ctx_.isSubtype(got, expected))
        return failRequires("instruction", {&expected, 1});
    }
    stack_.pop_back();
    return true;
  }
  MYRT_HOT bool popTypes(std::span<const ValType> ts) {
    if constexpr (Validate) {
      if (!peekTypes(ts)) return failRequires("instruction", ts);
    }
    const ControlEntry& c = ctrl_.back();
    const size_t avail = stack_.size() - c.height;
    stack_.shrink(stack_.size() - (avail < ts.size() ? avail : ts.size()));
    return true;
  }
  // The reference interpreter's wording: "type mismatch: instruction requires [i32] but stack has [i64]" (the stack
  // part lists the top values of the current block, as many as required).
  [[gnu::cold, gnu::noinline]] bool failRequires(const char* what, std::span<const ValType> ts, bool wholeBlock = false) {
    if constexpr (Validate) {
      const ControlEntry& c = ctrl_.back();
      const size_t avail = stack_.size() - c.height;
      const size_t n = wholeBlock ? avail : (avail < ts.size() ? avail : ts.size());
      std::vector<ValType> want(ts.begin(), ts.end()), have;
      for (size_t i = stack_.size() - n; i < stack_.size(); ++i) have.push_back(stack_[i]);
      return fail(std::string("type mismatch: ") + what + " requires " + toString(want) + " but stack has " +
                  toString(have));
    }
    return false;
  }
  // Pops a reference operand (any reference type, or Bot in unreachable code).
  bool popRef(ValType& out) {
    if (!pop(out)) return false;
    if constexpr (Validate) {
      if (out.kind != ValKind::Ref && out.kind != ValKind::Bot) return fail("type mismatch: expected a reference, got " + toString(out));
    }
    return true;
  }
  // Checks that the top of the stack matches `ts` without consuming it (also br_table's per-target check).
  bool peekTypes(std::span<const ValType> ts) {
    if constexpr (!Validate) return true;
    const ControlEntry& c = ctrl_.back();
    const size_t avail = stack_.size() - c.height;
    for (size_t i = 0; i < ts.size(); ++i) {
      if (i >= avail) {
        if (c.unreachable) return true;
        return false;
      }
      if (!ctx_.isSubtype(stack_[stack_.size() - 1 - i], ts[ts.size() - 1 - i])) return false;
    }
    return true;
  }
  // peekTypes with the reference interpreter's message on failure.
  bool checkTop(std::span<const ValType> ts) { return peekTypes(ts) || failRequires("instruction", ts); }
  void setUnreachable() {
    ControlEntry& c = ctrl_.back();
    stack_.shrink(c.height);
    c.unreachable = true;
  }

  // ---- control stack ----
  ControlEntry& pushControl(CtrlKind kind, size_t offset) {
    ControlEntry& c = ctrl_.emplace_back();
    c.kind = kind;
    c.offset = offset;
    c.height = static_cast<uint32_t>(stack_.size());
    curHeight_ = c.height;
    c.initHeight = static_cast<uint32_t>(initLog_.size());
    return c;
  }
  bool label(uint32_t depth, ControlEntry*& out) {
    if (depth >= ctrl_.size()) return fail("unknown label");
    out = &ctrl_[ctrl_.size() - 1 - depth];
    return true;
  }
  void resetLocalInit(uint32_t initHeight) {
    while (initLog_.size() > initHeight) {
      localInit_[initLog_.back()] = 0;
      initLog_.pop_back();
    }
  }
  void markInit(uint32_t idx) {
    if (trackInit_ && !localInit_[idx]) {
      localInit_[idx] = 1;
      initLog_.push_back(idx);
    }
  }
  // Decodes the block type of `in_` into a new control entry (params popped and re-pushed above the new height).
  // The block type must name a function type / be a well-formed value type (checked before any operand).
  bool checkBlockType() {
    const BlockTypeImm& bt = in_.block;
    if (bt.kind == BlockTypeImm::Index) {
      if (!ctx_.isFuncType(bt.index)) return fail("unknown type " + std::to_string(bt.index));
    } else if (bt.kind == BlockTypeImm::Val) {
      if constexpr (Validate) {
        if (!ctx_.wellFormed(bt.val)) return fail("unknown type " + std::to_string(bt.val.index));
      }
    }
    return true;
  }
  bool enterBlock(CtrlKind kind) {
    const BlockTypeImm& bt = in_.block;
    if (!checkBlockType()) return false;
    const ValType* params = nullptr;
    uint32_t numParams = 0;
    if (bt.kind == BlockTypeImm::Index) {
      const CompositeType& ft = m_.types[bt.index].comp;
      params = ft.params.data();
      numParams = static_cast<uint32_t>(ft.params.size());
      if (!popTypes({params, numParams})) return false;
    }
    ControlEntry& c = pushControl(kind, in_.offset);
    if (bt.kind == BlockTypeImm::Index) {
      const CompositeType& ft = m_.types[bt.index].comp;
      c.paramPtr = params;
      c.numParams = numParams;
      c.resultPtr = ft.results.data();
      c.numResults = static_cast<uint32_t>(ft.results.size());
      c.typeIndex = bt.index;
      pushTypes({params, numParams});
    } else if (bt.kind == BlockTypeImm::Val) {
      c.single = bt.val;
      c.singleResult = true;
    }
    return true;
  }
  // Checks that the operands of the closing block are exactly its results.
  bool checkBlockEnd(const ControlEntry& c) {
    if constexpr (Validate) {
      std::span<const ValType> rs = c.results();
      if (!checkTop(rs)) return false;
      if (stack_.size() - c.height > rs.size()) return failRequires("block", rs, true);
    }
    return true;
  }

  // ---- the loop ----
  Status run(ByteReader& r) {
    const bool constMode = constMode_, wasm2 = wasm2Only_;
    while (!ctrl_.empty()) {
      if (!constMode) hotLoop(r);
      if (r.atEnd()) {
        return Error(r.offset(), bodyEndMessage(r.offset()));
      }
      if (!fastDecode(r)) {
        Status s = readInstr(r, in_);
        if (!s.ok()) return s;
      }
      if (Validate && constMode && !constAllowed(in_.op)) return Error(in_.offset, "constant expression required");
      if (Validate && wasm2) {
        const Op op = in_.op;
        const unsigned zeros = op == Op::MemoryCopy ? 2
                               : (op == Op::MemorySize || op == Op::MemoryGrow || op == Op::MemoryFill ||
                                  op == Op::MemoryInit)
                                   ? 1
                                   : 0;
        if (zeros && !reservedZeroBytes(r.offset(), zeros)) return Error(in_.offset, "zero byte expected");
        const ImmKind imm = opInfo(op).imm;
        if (imm == ImmKind::MemArg || imm == ImmKind::MemArgLane) {
          Status s = checkMemArg32(r.offset());
          if (!s.ok()) return s;
        }
      }
      if (!step()) {
        if constexpr (Validate) return std::move(err_);
        return Error(in_.offset, "invalid code");
      }
    }
    if (!r.atEnd()) {
      if (constMode_) return Error(r.offset(), "constant expression required");
      return Error(r.offset(), "operators remaining after end of function");
    }
    return {};
  }

  // A body that runs out before its final `end`: the reference decoder reads on into the following bytes, so it reports
  // "END opcode expected" when another function body follows and "unexpected end" at the end of the code section.
  const char* bodyEndMessage(size_t end) const {
    if (constMode_) return "unexpected end";
    for (const SectionInfo& sec : m_.sections)
      if (sec.id == 10 && uint64_t(sec.offset) + sec.size == end) return "unexpected end of section or function";
    return "END opcode expected";
  }

  // 2.0: a memarg's offset is a u32 LEB128 (3.0 widened it to u64); re-read it to reject overlong encodings.
  Status checkMemArg32(size_t end) const {
    if (end <= in_.offset || end > m_.bytes.size()) return {};
    ByteReader r(m_.bytes.data() + in_.offset, end - in_.offset, in_.offset);
    auto b = r.u8();
    if (b.ok() && isPrefixByte(*b)) MYRT_TRY(r.u32());
    MYRT_TRY(r.u32());  // alignment flags
    MYRT_TRY(r.u32());  // offset
    return {};
  }

  // Fast path of readInstr for the most frequent encodings: a single-byte opcode with no immediate, or with one index
  // / i32 constant that fits one LEB128 byte. Produces exactly what readInstr would; anything else returns false and
  // the caller uses readInstr.
  MYRT_HOT bool fastDecode(ByteReader& r) {
    const size_t rem = r.remaining();
    const uint8_t* p = r.cur();
    const uint8_t kind = detail::kFastKinds[p[0]];
    if (kind == detail::kFastSlow) return false;
    in_.offset = r.offset();
    in_.op = static_cast<Op>(detail::kSingleByteOps[p[0]]);
    if (kind == detail::kFastNone) {
      r.seek(r.pos() + 1);
      return true;
    }
    if (rem < 2) return false;
    switch (kind) {
      case detail::kFastIndex:
      case detail::kFastI32: {
        if (rem >= 6) {  // up to 5 bytes (padded indices and addresses near the end of a body)
          const uint8_t* q = p + 1;
          uint32_t v;
          if (!(kind == detail::kFastIndex ? detail::leb5<false>(q, v) : detail::leb5<true>(q, v))) return false;
          if (kind == detail::kFastIndex) in_.idx = v;
          else in_.i32 = static_cast<int32_t>(v);
          r.seek(r.pos() + static_cast<size_t>(q - p));
          return true;
        }
        // one- or two-byte LEB128 (the longer forms go through readInstr)
        uint32_t v = p[1];
        unsigned len = 2, bits = 7;
        if (v >= 0x80) {
          if (rem < 3 || p[2] >= 0x80) return false;
          v = (v & 0x7F) | (uint32_t(p[2]) << 7);
          len = 3;
          bits = 14;
        }
        if (kind == detail::kFastIndex) {
          in_.idx = v;
        } else {
          const unsigned shift = 32 - bits;  // sign-extend from `bits`
          in_.i32 = static_cast<int32_t>(v << shift) >> shift;
        }
        r.seek(r.pos() + len);
        return true;
      }
      case detail::kFastBlock: {  // empty or numeric/vector single-result block type
        const uint8_t bt = p[1];
        if (bt == 0x40) {
          in_.block.kind = BlockTypeImm::Empty;
        } else if (bt >= 0x7B && bt <= 0x7F) {
          in_.block.kind = BlockTypeImm::Val;
          in_.block.val = ValType{bt == 0x7F   ? ValKind::I32
                                  : bt == 0x7E ? ValKind::I64
                                  : bt == 0x7D ? ValKind::F32
                                  : bt == 0x7C ? ValKind::F64
                                               : ValKind::V128};
        } else {
          return false;
        }
        r.seek(r.pos() + 2);
        return true;
      }
      default: {  // kFastMemArg: one-byte alignment without the memory-index flag, one- or two-byte offset
        if (rem < 3 || p[1] >= 0x40) return false;
        uint32_t off = p[2];
        unsigned len = 3;
        if (off >= 0x80) {
          if (rem < 4 || p[3] >= 0x80) return false;
          off = (off & 0x7F) | (uint32_t(p[3]) << 7);
          len = 4;
        }
        in_.mem.align = p[1];
        in_.mem.memory = 0;
        in_.mem.offset = off;
        r.seek(r.pos() + len);
        return true;
      }
    }
  }

  // The hot path for the most frequent single-byte instructions (locals, globals, i32.const, numeric ops, plain
  // loads/stores, br_if to a label without values, drop): immediates are read in place, operand types are compared
  // by kind, the Instr gets only the fields the hooks read (op, offset and the immediate). Anything unusual -- long
  // immediates, reference-typed locals/globals, operands missing or of another kind (errors and unreachable code, Bot
  // included), the last bytes of the body -- returns with `r` at that instruction, for the general path (readInstr +
  // step), which then reports errors exactly as before. Function bodies only (never in constant expressions).
  // The validation-only interface reads no Instr, so the hot loop leaves `in_` alone for it (the general path sets
  // every field it uses itself).
  static constexpr bool kFillInstr = !std::is_same_v<Interface, NullInterface>;
  [[gnu::noinline]] void hotLoop(ByteReader& r) {
    const uint8_t* const data = r.data();
    const uint8_t* p = r.cur();
    const uint8_t* const limit = data + r.size() - (r.size() >= 11 ? 11 : r.size());  // 11 bytes readable from p
    const size_t base = r.offset() - r.pos();
    const ValType* const locals = locals_.data();
    const size_t numLocals = locals_.size();
    const auto kindOf = [](ValType t) { return static_cast<uint8_t>(t.kind); };
    while (p < limit) {
      const detail::HotOp h = detail::kHotOps[*p];
      const uint8_t* q = p + 1;
      static const void* const kDispatch[] = {  // indexed by detail::HotOp::cls (labels as values, GCC/Clang)
          &&HotNone, &&HotLocalGet, &&HotLocalSet, &&HotLocalTee, &&HotGlobalGet, &&HotGlobalSet, &&HotI32Const,
          &&HotPlain, &&HotLoad, &&HotStore, &&HotBrIf, &&HotDrop, &&HotCall, &&HotBlock, &&HotEnd, &&HotI64Const,
          &&HotF32Const, &&HotF64Const, &&HotCallIndirect, &&HotBr, &&HotSelect, &&HotReturn};
      goto *kDispatch[h.cls];  // GCC duplicates this jump into every handler
      {
        HotLocalGet: {
          uint32_t idx;
          if (!detail::leb5<false>(q, idx) || idx >= numLocals) goto out;
          if (Validate && trackInit_ && !localInit_[idx]) goto out;
          const ValType t = locals[idx];
          stack_.push_back(t);
          if constexpr (kFillInstr) in_.op = Op::LocalGet, in_.offset = base + static_cast<size_t>(p - data), in_.idx = idx;
          p = q;
          iface_.onLocalGet(idx, t);
          continue;
        }
        HotLocalSet:
        HotLocalTee: {
          uint32_t idx;
          if (!detail::leb5<false>(q, idx) || idx >= numLocals) goto out;
          const ValType t = locals[idx];
          if (stack_.size() <= curHeight_) goto out;
          if (Validate && (t.kind == ValKind::Ref || stack_.back().kind != t.kind)) goto out;
          if constexpr (kFillInstr) in_.offset = base + static_cast<size_t>(p - data), in_.idx = idx;
          p = q;
          markInit(idx);
          if (h.cls == detail::kHotLocalSet) {
            if constexpr (kFillInstr) in_.op = Op::LocalSet;
            stack_.pop_back();
            iface_.onLocalSet(idx, t);
          } else {
            if constexpr (kFillInstr) in_.op = Op::LocalTee;
            stack_.back() = t;
            iface_.onLocalTee(idx, t);
          }
          continue;
        }
        HotGlobalGet:
        HotGlobalSet: {
          uint32_t idx;
          if (!detail::leb5<false>(q, idx) || idx >= m_.globals.size()) goto out;
          const GlobalType& g = m_.globals[idx].type;
          if constexpr (kFillInstr) in_.offset = base + static_cast<size_t>(p - data), in_.idx = idx;
          if (h.cls == detail::kHotGlobalGet) {
            stack_.push_back(g.type);
            if constexpr (kFillInstr) in_.op = Op::GlobalGet;
            p = q;
            iface_.onGlobalGet(idx, g);
          } else {
            if (stack_.size() <= curHeight_) goto out;
            if (Validate && (!g.mut || g.type.kind == ValKind::Ref || stack_.back().kind != g.type.kind)) goto out;
            stack_.pop_back();
            if constexpr (kFillInstr) in_.op = Op::GlobalSet;
            p = q;
            iface_.onGlobalSet(idx, g);
          }
          continue;
        }
        HotI32Const: {
          uint32_t v;
          if (!detail::leb5<true>(q, v)) goto out;
          if constexpr (kFillInstr) in_.i32 = static_cast<int32_t>(v);
          if constexpr (kFillInstr) in_.op = Op::I32Const, in_.offset = base + static_cast<size_t>(p - data);
          stack_.push_back(ValType::i32());
          p = q;
          iface_.onConst(in_);
          continue;
        }
        HotPlain: {  // 1 or 2 operands, 1 result
          const size_t n = h.numParams;
          if (stack_.size() < curHeight_ + n) goto out;
          ValType* top = stack_.top(n);
          if constexpr (Validate) {
            if (kindOf(top[0]) != h.p0 || (n == 2 && kindOf(top[1]) != h.p1)) goto out;
          }
          stack_.drop(n - 1);
          top[0] = ValType{static_cast<ValKind>(h.result)};
          if constexpr (kFillInstr) in_.op = static_cast<Op>(h.op), in_.offset = base + static_cast<size_t>(p - data);
          p = q;
          iface_.onSimple(in_);
          continue;
        }
        HotLoad:
        HotStore: {
          const uint32_t align = *q++;
          uint32_t off;
          if (align > h.align || !detail::leb5<false>(q, off)) goto out;  // also: memory-index flag (bit 6), errors
          if (mem0Kind_ == ValKind::Bot) goto out;
          const ValType addr{mem0Kind_};
          if (h.cls == detail::kHotLoad) {
            if (stack_.size() <= curHeight_) goto out;
            ValType* top = stack_.top(1);
            if (Validate && top[0].kind != addr.kind) goto out;
            top[0] = ValType{static_cast<ValKind>(h.result)};
          } else {
            if (stack_.size() < curHeight_ + 2) goto out;
            ValType* top = stack_.top(2);
            if (Validate && (top[0].kind != addr.kind || kindOf(top[1]) != h.p1)) goto out;
            stack_.drop(2);
          }
          if constexpr (kFillInstr) in_.op = static_cast<Op>(h.op), in_.offset = base + static_cast<size_t>(p - data);
          if constexpr (kFillInstr) in_.mem.align = align, in_.mem.memory = 0, in_.mem.offset = off;
          p = q;
          if (h.cls == detail::kHotLoad) iface_.onLoad(in_, addr);
          else iface_.onStore(in_, addr);
          continue;
        }
        HotBrIf: {
          uint32_t depth;
          if (!detail::leb5<false>(q, depth) || depth >= ctrl_.size()) goto out;
          ControlEntry& target = ctrl_[ctrl_.size() - 1 - depth];
          const bool noValues = target.kind == CtrlKind::Loop ? target.numParams == 0
                                                               : !target.singleResult && target.numResults == 0;
          if (!noValues || stack_.size() <= curHeight_) goto out;
          if (Validate && stack_.back().kind != ValKind::I32) goto out;
          stack_.pop_back();
          if constexpr (kFillInstr) in_.op = Op::BrIf, in_.offset = base + static_cast<size_t>(p - data), in_.idx = depth;
          p = q;
          iface_.onBrIf(depth, target);
          continue;
        }
        HotDrop: {
          if (stack_.size() <= curHeight_) goto out;
          const ValType t = stack_.back();
          stack_.pop_back();
          if constexpr (kFillInstr) in_.op = Op::Drop, in_.offset = base + static_cast<size_t>(p - data);
          p = q;
          iface_.onDrop(t);
          continue;
        }
        HotCall: {  // numeric params and results
          uint32_t idx;
          if (!detail::leb5<false>(q, idx) || idx >= m_.funcs.size()) goto out;
          const uint32_t ti = m_.funcs[idx].typeIndex;
          if (!ctx_.isFuncType(ti)) goto out;
          const CompositeType& ft = m_.types[ti].comp;
          const size_t n = ft.params.size();
          if (stack_.size() < curHeight_ + n) goto out;
          if constexpr (Validate) {
            const ValType* top = stack_.top(n);
            for (size_t i = 0; i < n; ++i)
              if (top[i].kind != ft.params[i].kind || top[i].kind == ValKind::Ref) goto out;
          }
          stack_.drop(n);
          stack_.append(ft.results);
          if constexpr (kFillInstr) in_.op = Op::Call, in_.offset = base + static_cast<size_t>(p - data), in_.idx = idx;
          p = q;
          iface_.onCall(idx, ft);
          continue;
        }
        HotBlock: {  // block / loop with an empty or single numeric/vector result type
          const uint8_t bt = *q++;
          if (bt == 0x40) {
            in_.block.kind = BlockTypeImm::Empty;
          } else if (bt >= 0x7B && bt <= 0x7F) {
            in_.block.kind = BlockTypeImm::Val;
            in_.block.val = ValType{static_cast<ValKind>(0x7F - bt)};
          } else {
            goto out;
          }
          const bool isLoop = h.op == static_cast<uint16_t>(Op::Loop);
          in_.op = static_cast<Op>(h.op), in_.offset = base + static_cast<size_t>(p - data);
          p = q;
          ControlEntry& c = pushControl(isLoop ? CtrlKind::Loop : CtrlKind::Block, in_.offset);
          if (in_.block.kind == BlockTypeImm::Val) {
            c.single = in_.block.val;
            c.singleResult = true;
          }
          if (isLoop) iface_.onLoop(in_, c);
          else iface_.onBlock(in_, c);
          continue;
        }
        HotEnd: {  // end of a block / loop / else / if without params whose results are in place
          ControlEntry& c = ctrl_.back();
          const size_t avail = stack_.size() - curHeight_;
          if (c.kind == CtrlKind::Block || c.kind == CtrlKind::Loop || c.kind == CtrlKind::Else ||
              (c.kind == CtrlKind::If && c.numParams == 0 && !c.singleResult && c.numResults == 0)) {
            if (c.singleResult) {
              if (avail != 1) goto out;
              if (Validate && (c.single.kind == ValKind::Ref || stack_.back().kind != c.single.kind)) goto out;
            } else if (c.numResults != 0 || avail != 0) {
              goto out;
            }
          } else {
            goto out;
          }
          if constexpr (kFillInstr) in_.op = Op::End, in_.offset = base + static_cast<size_t>(p - data);
          p = q;
          iface_.onEnd(c);
          // popBlock, with the results already in place on the stack (kinds checked above)
          if (trackInit_) resetLocalInit(c.initHeight);
          if (c.singleResult) stack_.back() = c.single;
          ctrl_.pop_back();
          curHeight_ = ctrl_.back().height;  // not the function's entry: that `end` takes the general path
          continue;
        }
        HotI64Const: {  // encodings of up to 5 bytes
          uint64_t v = 0;
          unsigned i = 0;
          for (;; ++i) {
            if (i == 5) goto out;
            v |= uint64_t(q[i] & 0x7F) << (7 * i);
            if (q[i] < 0x80) break;
          }
          const unsigned shift = 64 - 7 * (i + 1);
          if constexpr (kFillInstr) in_.i64 = static_cast<int64_t>(v << shift) >> shift;
          q += i + 1;
          if constexpr (kFillInstr) in_.op = Op::I64Const, in_.offset = base + static_cast<size_t>(p - data);
          stack_.push_back(ValType::i64());
          p = q;
          iface_.onConst(in_);
          continue;
        }
        HotF32Const:
        HotF64Const: {
          if constexpr (kFillInstr) in_.offset = base + static_cast<size_t>(p - data);
          if (h.cls == detail::kHotF32Const) {
            std::memcpy(&in_.f32bits, q, 4);
            if constexpr (kFillInstr) in_.op = Op::F32Const;
            stack_.push_back(ValType::f32());
            p = q + 4;
          } else {
            std::memcpy(&in_.f64bits, q, 8);
            if constexpr (kFillInstr) in_.op = Op::F64Const;
            stack_.push_back(ValType::f64());
            p = q + 8;
          }
          iface_.onConst(in_);
          continue;
        }
        HotCallIndirect: {  // funcref table, numeric params and results
          uint32_t typeIdx, tableIdx;
          if (!detail::leb5<false>(q, typeIdx) || !detail::leb5<false>(q, tableIdx)) goto out;
          if (tableIdx >= m_.tables.size() || !ctx_.isFuncType(typeIdx)) goto out;
          const TableType& tt = m_.tables[tableIdx].type;
          if (tt.elem.kind != ValKind::Ref || tt.elem.heap != HeapKind::Func) goto out;
          const CompositeType& ft = m_.types[typeIdx].comp;
          const size_t n = ft.params.size();
          if (stack_.size() < curHeight_ + n + 1) goto out;
          if constexpr (Validate) {
            const ValType* top = stack_.top(n + 1);
            for (size_t i = 0; i < n; ++i)
              if (top[i].kind != ft.params[i].kind || top[i].kind == ValKind::Ref) goto out;
            if (top[n].kind != (tt.limits.is64 ? ValKind::I64 : ValKind::I32)) goto out;
          }
          stack_.drop(n + 1);
          stack_.append(ft.results);
          if constexpr (kFillInstr) in_.op = Op::CallIndirect, in_.offset = base + static_cast<size_t>(p - data);
          if constexpr (kFillInstr) in_.idx = typeIdx, in_.idx2 = tableIdx;
          p = q;
          iface_.onCallIndirect(typeIdx, tableIdx, ft);
          continue;
        }
        HotBr: {  // to a label without values or with one numeric/vector value
          uint32_t depth;
          if (!detail::leb5<false>(q, depth) || depth >= ctrl_.size()) goto out;
          ControlEntry& target = ctrl_[ctrl_.size() - 1 - depth];
          if (target.kind == CtrlKind::Loop ? target.numParams != 0 : target.numResults != 0) goto out;
          if (target.kind != CtrlKind::Loop && target.singleResult) {
            if (stack_.size() <= curHeight_) goto out;
            if (Validate && (target.single.kind == ValKind::Ref || stack_.back().kind != target.single.kind)) goto out;
          }
          if constexpr (kFillInstr) in_.op = Op::Br, in_.offset = base + static_cast<size_t>(p - data), in_.idx = depth;
          p = q;
          iface_.onBr(depth, target);
          setUnreachable();
          continue;
        }
        HotSelect: {  // numeric/vector operands of the same kind
          if (stack_.size() < curHeight_ + 3) goto out;
          ValType* top = stack_.top(3);
          if (Validate && (top[2].kind != ValKind::I32 || top[0].kind != top[1].kind ||
                           top[0].kind == ValKind::Ref || top[0].kind == ValKind::Bot))
            goto out;
          const ValType t = top[0];
          stack_.drop(2);
          if constexpr (kFillInstr) in_.op = Op::Select, in_.offset = base + static_cast<size_t>(p - data);
          p = q;
          iface_.onSelect(t);
          continue;
        }
        HotReturn: {  // numeric/vector results
          const std::vector<ValType>& rs = funcType_->results;
          const size_t n = rs.size();
          if (stack_.size() < curHeight_ + n) goto out;
          if constexpr (Validate) {
            const ValType* top = stack_.top(n);
            for (size_t i = 0; i < n; ++i)
              if (top[i].kind != rs[i].kind || top[i].kind == ValKind::Ref) goto out;
          }
          if constexpr (kFillInstr) in_.op = Op::Return, in_.offset = base + static_cast<size_t>(p - data);
          p = q;
          iface_.onReturn();
          setUnreachable();
          continue;
        }
        HotNone:
          goto out;
      }
    }
  out:
    r.seek(static_cast<size_t>(p - data));
  }

  // Instructions allowed in constant expressions: 2.0 set, plus 3.0 extended constants and GC allocations.
  bool constAllowed(Op op) const {
    switch (op) {
      case Op::I32Const: case Op::I64Const: case Op::F32Const: case Op::F64Const: case Op::V128Const:
      case Op::RefNull: case Op::RefFunc: case Op::GlobalGet: case Op::End:
        return true;
      case Op::I32Add: case Op::I32Sub: case Op::I32Mul: case Op::I64Add: case Op::I64Sub: case Op::I64Mul:
      case Op::StructNew: case Op::StructNewDefault: case Op::ArrayNew: case Op::ArrayNewDefault:
      case Op::ArrayNewFixed: case Op::RefI31: case Op::AnyConvertExtern: case Op::ExternConvertAny:
        return !wasm2Only_;
      default: return false;
    }
  }

  // 2.0: the memory index of memory.size/grow/fill/copy/init is a reserved single 0x00 byte. The instruction ends at
  // `end`; its last `n` bytes must be 0x00 and must not continue an LEB128 (previous byte without the 0x80 bit).
  bool reservedZeroBytes(size_t end, unsigned n) const {
    if (end < in_.offset + 1 + n || end > m_.bytes.size()) return false;
    for (unsigned i = 1; i <= n; ++i)
      if (m_.bytes[end - i] != 0) return false;
    return (m_.bytes[end - n - 1] & 0x80) == 0 || end - n - 1 == in_.offset;
  }

  MYRT_HOT bool memoryAddr(uint32_t mem, ValType& addr) {
    if constexpr (Validate) {
      if (mem >= m_.memories.size()) return fail("unknown memory " + std::to_string(mem));
    }
    addr = mem < m_.memories.size() && m_.memories[mem].type.limits.is64 ? ValType::i64() : ValType::i32();
    return true;
  }
  bool tableRef(uint32_t idx, const Table*& t) {
    if (idx >= m_.tables.size()) return fail("unknown table " + std::to_string(idx));
    t = &m_.tables[idx];
    return true;
  }
  static ValType tableAddr(const Table& t) { return t.type.limits.is64 ? ValType::i64() : ValType::i32(); }
  static ValType minAddr(ValType a, ValType b) {
    return a.kind == ValKind::I64 && b.kind == ValKind::I64 ? ValType::i64() : ValType::i32();
  }
  bool funcTypeAt(uint32_t typeIdx, const CompositeType*& ft) {
    if (!ctx_.isFuncType(typeIdx)) return fail("unknown type " + std::to_string(typeIdx));
    ft = &m_.types[typeIdx].comp;
    return true;
  }
  // Tail calls: the callee's results must be subtypes of the caller's results.
  bool checkTailResults(const CompositeType& callee) {
    if constexpr (Validate) {
      if (!funcType_) return fail("constant expression required");
      const auto& mine = funcType_->results;
      if (callee.results.size() != mine.size()) return fail("type mismatch: tail call result arity");
      for (size_t i = 0; i < mine.size(); ++i)
        if (!ctx_.isSubtype(callee.results[i], mine[i])) return mismatch(mine[i], callee.results[i]);
    }
    return true;
  }

  // Typing of an op fully described by its signature; the first param of a memory op is its address.
  MYRT_HOT bool simpleOp(const OpSig& sig, ValType addr) {
    const unsigned n = sig.numParams;
    // Fast path: all operands present in this block; signature types are numeric/vector, compared by kind.
    if (stack_.size() >= curHeight_ + n) {
      ValType* top = stack_.top(n);
      bool ok = true;
      if constexpr (Validate) {
        for (unsigned i = 0; i < n; ++i) {
          const ValKind want = (i == 0 && addr.kind != ValKind::Bot) ? addr.kind : sig.params[i];
          ok &= top[i].kind == want || top[i].kind == ValKind::Bot;
        }
      }
      if (ok) {
        stack_.shrink(stack_.size() - n);
        if (sig.numResults) push(ValType{sig.results[0]});
        return true;
      }
    }
    for (int i = static_cast<int>(n) - 1; i >= 0; --i) {
      ValType want = (i == 0 && addr.kind != ValKind::Bot) ? addr : ValType{sig.params[i]};
      if (!popExpect(want)) return false;
    }
    if (sig.numResults) push(ValType{sig.results[0]});
    return true;
  }

  // Ops typed by their opcode-table signature (the `default:` of step's switch).
  MYRT_HOT bool simpleStep(Op op) {
    const OpInfo& info = opInfo(op);
    if (info.sig.isSpecial) return fail("illegal opcode");  // a `special` op missing from step's switch
    {
      ValType addr = ValType::bot();
      switch (info.imm) {
        case ImmKind::MemArg:
        case ImmKind::MemArgLane: {
          if (!memoryAddr(in_.mem.memory, addr)) return false;
          if (info.prefix == 0xFE) {  // atomics: the alignment is exactly the natural one
            if constexpr (Validate) {
              if (in_.mem.align != naturalAlignment(op)) return fail("atomic alignment must be natural");
              if (addr.kind == ValKind::I32 && in_.mem.offset > 0xFFFFFFFFull) return fail("offset out of range");
            }
            if (!simpleOp(info.sig, addr)) return false;
            iface_.onAtomic(in_, addr);
            return true;
          }
          if constexpr (Validate) {
            if (in_.mem.align > naturalAlignment(op)) return fail("alignment must not be larger than natural");
            if (addr.kind == ValKind::I32 && in_.mem.offset > 0xFFFFFFFFull) return fail("offset out of range");
            if (info.imm == ImmKind::MemArgLane && in_.lane >= laneCount(op)) return fail("invalid lane index");
          }
          if (!simpleOp(info.sig, addr)) return false;
          if (info.sig.numResults) iface_.onLoad(in_, addr);
          else iface_.onStore(in_, addr);
          return true;
        }
        case ImmKind::Lane:
          if constexpr (Validate) {
            if (in_.lane >= laneCount(op)) return fail("invalid lane index");
          }
          break;
        case ImmKind::Shuffle:
          if constexpr (Validate) {
            for (uint8_t b : in_.bytes)
              if (b >= 32) return fail("invalid lane index");
          }
          break;
        case ImmKind::DataIdx: {  // data.drop
          if constexpr (Validate) {
            if (!m_.dataCount && !m_.datas.empty()) return fail("data count section required");
            if (in_.idx >= m_.dataCount.value_or(0)) return fail("unknown data segment " + std::to_string(in_.idx));
          }
          iface_.onMemoryOp(in_, ValType::i32());
          return true;
        }
        case ImmKind::ElemIdx: {  // elem.drop
          if constexpr (Validate) {
            if (in_.idx >= m_.elems.size()) return fail("unknown elem segment " + std::to_string(in_.idx));
          }
          static const TableType kNoTable{};
          iface_.onTableOp(in_, kNoTable);
          return true;
        }
        case ImmKind::I32:
        case ImmKind::I64:
        case ImmKind::F32:
        case ImmKind::F64:
        case ImmKind::V128:
          if (!simpleOp(info.sig, addr)) return false;
          iface_.onConst(in_);
          return true;
        case ImmKind::Zero:  // atomic.fence
          iface_.onAtomic(in_, addr);
          return true;
        default: break;
      }
      if (!simpleOp(info.sig, addr)) return false;
      if (op == Op::Nop) iface_.onNop();
      else iface_.onSimple(in_);
      return true;
    }
  }

  // Plain ops (numeric, constants): typed straight from kPlainSigs when their operands are on the stack.
  MYRT_HOT bool plainStep(const detail::PlainSig& ps) {
    const size_t n = ps.numParams;
    if (stack_.size() < curHeight_ + n) return false;
    ValType* top = stack_.top(n);
    if constexpr (Validate) {
      const auto k = [](ValType t) { return static_cast<uint8_t>(t.kind); };
      constexpr uint8_t bot = static_cast<uint8_t>(ValKind::Bot);
      if (n >= 1 && k(top[0]) != ps.p0 && k(top[0]) != bot) return false;
      if (n == 2 && k(top[1]) != ps.p1 && k(top[1]) != bot) return false;
    }
    stack_.shrink(stack_.size() - n);
    if (ps.result != 0xFF) push(ValType{static_cast<ValKind>(ps.result)});
    if (ps.isConst) iface_.onConst(in_);
    else iface_.onSimple(in_);
    return true;
  }

  // THE switch over opcodes (code_reader_ops.h): the `special` ops by name, everything else via simpleStep.
  MYRT_HOT bool step();
  bool opEnd();
  void popBlock();
  bool opCatch(bool all);
  bool opDelegate();
  bool opRethrow();
  bool opElse();
  bool opTryTable();
  bool opBrTable();
  bool opBrOnNull(bool onNonNull);
  bool opSelect(bool typed);
  MYRT_HOT bool opLocal(Op op);
  bool opGlobal(Op op);
  bool opCall(Op op);
  bool opCallIndirect(Op op);
  bool opCallRef(Op op);
  bool opRef(Op op);
  bool opTable(Op op);
  bool opMemory(Op op);
  // GC proposal (code_reader_ops.h)
  bool compositeAt(uint32_t typeIdx, CompKind kind, const CompositeType*& ct);
  bool popMany(ValType t, uint32_t count);
  bool opStruct(Op op);
  bool opArray(Op op);
  bool opRefTestCast(Op op);
  bool opBrOnCast(Op op);
  bool opGcMisc(Op op);

  // in_ back to a default Instr, its immediate vectors emptied but keeping their capacity.
  void resetInstr() {
    std::vector<uint32_t> targets = std::move(in_.targets);
    std::vector<ValType> types = std::move(in_.types);
    std::vector<CatchClause> catches = std::move(in_.catches);
    in_ = Instr{};
    targets.clear();
    types.clear();
    catches.clear();
    in_.targets = std::move(targets);
    in_.types = std::move(types);
    in_.catches = std::move(catches);
  }

  const TypeContext& ctx_;
  const Module& m_;
  Interface& iface_;
  Instr in_;
  TypeStack stack_;
  std::vector<ControlEntry> ctrl_;
  std::vector<ValType> locals_;
  std::vector<uint8_t> localInit_;
  std::vector<uint32_t> initLog_;
  bool trackInit_ = false;
  size_t curHeight_ = 0;  // == ctrl_.back().height (cached for the hot operand checks)
  bool constMode_ = false;
  bool wasm2Only_ = false;
  ValKind mem0Kind_ = ValKind::Bot;  // address type of memory 0 (Bot: no memory), for hotLoop
  uint32_t constGlobals_ = 0;
  const CompositeType* funcType_ = nullptr;
  Error err_;
};

}  // namespace myrt

#include "runtime/valid/code_reader_ops.h"
