// runtime/interp/lower.cpp -- lowering of a validated function body to interpreter code (code.h), driven by the one
// function-body reader: CodeReader<Lowering, /*Validate=*/false> calls a hook per instruction.
// Layer: interp.
//
// Operand resolution: the lowering mirrors the operand stack with `vs_`, the frame slot holding each stack value.
// A stack value normally lives in its own slot (numLocals + height); `local.get` only records the local's slot
// (no copy), and consumers read it from there. Before a local is overwritten, pending reads of it are materialized;
// at every control-flow boundary (block/loop/if entry, else, end) all pending values are materialized, so merges
// always see values in their own slots. Branches copy the label's values into the target's slots and jump.
// Dead code (after br/return/unreachable, and whole blocks opened in dead code) emits nothing.
//
// Constants and `x + constant` (i32.add/sub) are pending too (vs_ == kPend, details in pend_): nothing is emitted
// until a consumer needs them. Binary ops take a constant operand as an immediate (name##Imm / name##ImmL), loads
// and stores of memory 0 fold the added constant into their address (name##M0), and a comparison followed by br_if /
// if becomes one compare+branch op. Other consumers materialize the value into its own slot (use()).
#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "runtime/exec/signals.h"
#include "runtime/interp/code.h"
#include "runtime/valid/code_reader.h"

namespace myrt::interp {

namespace {

// Per-instance lowering context: module typing facts for the CodeReader.
struct LowerContext : TierCode {
  explicit LowerContext(const Module& m) : types(m) {}
  TypeContext types;
};

constexpr uint32_t kNoPos = UINT32_MAX;

IOp numericIOp(Op op) {
  switch (op) {
#define MYRT_CASE(name) case Op::name: return IOp::name;
    MYRT_NUMERIC_SCALAR_OPS(MYRT_CASE)
    MYRT_NUMERIC_SIMD_OPS(MYRT_CASE)
#undef MYRT_CASE
    default: return IOp::Count;
  }
}
// Binary scalar op -> its constant-operand forms (IOp::Count if none).
IOp immIOp(Op op) {
  switch (op) {
#define MYRT_CASE(name) case Op::name: return IOp::name##Imm;
    MYRT_IOPS_BIN_CMP(MYRT_CASE)
    MYRT_IOPS_BIN_ARITH(MYRT_CASE)
#undef MYRT_CASE
    default: return IOp::Count;
  }
}
IOp immLIOp(Op op) {
  switch (op) {
#define MYRT_CASE(name) case Op::name: return IOp::name##ImmL;
    MYRT_IOPS_BIN_ARITH(MYRT_CASE)
#undef MYRT_CASE
    default: return IOp::Count;
  }
}
// `c op x` as `x op' c` for comparisons (exact for integers and floats alike); Op::Unreachable if not a comparison.
Op mirroredCompare(Op op) {
  switch (op) {
    case Op::I32Eq: case Op::I32Ne: case Op::I64Eq: case Op::I64Ne: case Op::F32Eq: case Op::F32Ne:
    case Op::F64Eq: case Op::F64Ne: return op;
    case Op::I32LtS: return Op::I32GtS; case Op::I32GtS: return Op::I32LtS;
    case Op::I32LtU: return Op::I32GtU; case Op::I32GtU: return Op::I32LtU;
    case Op::I32LeS: return Op::I32GeS; case Op::I32GeS: return Op::I32LeS;
    case Op::I32LeU: return Op::I32GeU; case Op::I32GeU: return Op::I32LeU;
    case Op::I64LtS: return Op::I64GtS; case Op::I64GtS: return Op::I64LtS;
    case Op::I64LtU: return Op::I64GtU; case Op::I64GtU: return Op::I64LtU;
    case Op::I64LeS: return Op::I64GeS; case Op::I64GeS: return Op::I64LeS;
    case Op::I64LeU: return Op::I64GeU; case Op::I64GeU: return Op::I64LeU;
    case Op::F32Lt: return Op::F32Gt; case Op::F32Gt: return Op::F32Lt;
    case Op::F32Le: return Op::F32Ge; case Op::F32Ge: return Op::F32Le;
    case Op::F64Lt: return Op::F64Gt; case Op::F64Gt: return Op::F64Lt;
    case Op::F64Le: return Op::F64Ge; case Op::F64Ge: return Op::F64Le;
    default: return Op::Unreachable;
  }
}
IOp storeM0KIOp(Op op, bool guarded) {
  switch (op) {
#define MYRT_CASE(name, ...) case Op::name: return guarded ? IOp::name##M0GK : IOp::name##M0K;
    MYRT_IOPS_STORE(MYRT_CASE)
#undef MYRT_CASE
    default: return IOp::Count;
  }
}
IOp loadM0IOp(Op op) {
  switch (op) {
#define MYRT_CASE(name, ...) case Op::name: return IOp::name##M0;
    MYRT_IOPS_LOAD(MYRT_CASE)
    MYRT_IOPS_STORE(MYRT_CASE)
#undef MYRT_CASE
    default: return IOp::Count;
  }
}

// Fused compare+branch (code.h MYRT_BR_CMPS): comparisons come in the order Eq Ne LtS LtU GtS GtU LeS LeU GeS GeU in
// each family (i32, i32 imm, i64, i64 imm); the branch ops per comparison in the order of MYRT_IOP_BR_NAMES.
constexpr unsigned kBrNeg[10] = {1, 0, 8, 9, 6, 7, 4, 5, 2, 3};  // index of the negated comparison
static_assert(unsigned(IOp::I32GeU) - unsigned(IOp::I32Eq) == 9 && unsigned(IOp::I64GeU) - unsigned(IOp::I64Eq) == 9);
static_assert(unsigned(IOp::I32GeUImm) - unsigned(IOp::I32EqImm) == 9);
static_assert(unsigned(IOp::I64GeUImm) - unsigned(IOp::I64EqImm) == 9);
static_assert(unsigned(IOp::BrI32NeImm) - unsigned(IOp::BrI32Eq) == 9 && unsigned(IOp::BrI64GeUImmBack) + 1 ==
              unsigned(IOp::BrI32Eq) + 80);
static_assert(unsigned(IOp::BrI64LtSImmBack) - unsigned(IOp::BrI32LtS) == 7);
static_assert(unsigned(IOp::F64MulLoadM0GR) - unsigned(IOp::F64AddLoadM0L) == 11 &&
              unsigned(IOp::F64SubLoadM0GL) - unsigned(IOp::F64AddLoadM0L) == 4 + 2);
static_assert(unsigned(IOp::F64MulMulR) - unsigned(IOp::F64AddAddL) == 17 &&
              unsigned(IOp::F64SubMulL) - unsigned(IOp::F64AddAddL) == 6 + 4);
IOp fusedBranch(IOp cmp, bool negate, bool back) {
  unsigned fam, i;
  const unsigned c = static_cast<unsigned>(cmp);
  auto in = [&](IOp first, unsigned f) {
    if (c < unsigned(first) || c > unsigned(first) + 9) return false;
    fam = f;
    i = c - unsigned(first);
    return true;
  };
  if (!in(IOp::I32Eq, 0) && !in(IOp::I32EqImm, 1) && !in(IOp::I64Eq, 2) && !in(IOp::I64EqImm, 3)) return IOp::Count;
  if (negate) i = kBrNeg[i];
  return static_cast<IOp>(unsigned(IOp::BrI32Eq) + i * 8 + (back ? 4 : 0) + fam);
}

IOp loadIOp(Op op) {
  switch (op) {
#define MYRT_CASE(name, ...) case Op::name: return IOp::name;
    MYRT_IOPS_LOAD(MYRT_CASE)
    MYRT_IOPS_STORE(MYRT_CASE)
#undef MYRT_CASE
    default: return IOp::Count;
  }
}

// A label of the control stack while lowering.
struct Label {
  bool dead = false;
  uint32_t pos = kNoPos;                 // bound position (loops: the head)
  std::vector<uint32_t> patches;         // words to patch with the end position
  std::vector<uint32_t> elsePatches;     // if: the false branch
  std::vector<uint32_t> savedParams;     // if with params: scratch copies
  uint32_t handler = kNoPos;             // try_table / try: index into InterpFunc::handlers
  uint32_t handlersBefore = 0;           // number of handlers opened before this block
  uint32_t exnScratch = kNoPos;          // legacy catch: scratch slot with the caught exception
  uint32_t opsAtHead = 0;                // loop: opCount_ at its head (fuel cost of an iteration)
  std::vector<CatchEntry> legacyCatches;  // legacy try: its catch clauses until the end of the block
  void reset() {  // as new, keeping the vectors' storage
    dead = false;
    pos = handler = exnScratch = kNoPos;
    handlersBefore = opsAtHead = 0;
    patches.clear();
    elsePatches.clear();
    savedParams.clear();
    legacyCatches.clear();
  }
};
// A pending value (vs_[pos] == kPend): a constant (bits of `type`), or with addImm the i32
// `(slot base << shift) + bits` (base: a local, or the own slot of the same position).
struct Pend {
  bool addImm;
  ValKind type;
  uint32_t base;
  uint64_t bits;
  uint32_t shift = 0;
};

// The code being emitted: a word buffer whose append is a compare and a store (std::vector::push_back was not inlined
// and cost 13% of lowering).
class CodeBuf {
 public:
  uint32_t size() const { return n_; }
  uint32_t& operator[](uint32_t i) { return p_[i]; }
  const uint32_t* data() const { return p_; }
  [[gnu::always_inline]] void push_back(uint32_t w) {
    if (__builtin_expect(n_ == cap_, 0)) grow(n_ + 1);
    p_[n_++] = w;
  }
  void resize(uint32_t n) {  // shrink (or grow with unspecified contents)
    if (n > cap_) grow(n);
    n_ = n;
  }
  void reserve(size_t n) {
    if (n > cap_) grow(n);
  }
  void clear() { n_ = 0; }

 private:
  void grow(size_t need) {
    store_.resize(std::max<size_t>(need, store_.size() * 2 + 256));
    p_ = store_.data();
    cap_ = static_cast<uint32_t>(store_.size());
  }
  std::vector<uint32_t> store_;
  uint32_t* p_ = nullptr;
  uint32_t n_ = 0, cap_ = 0;
};

// Buffers of the lowering, kept per thread so that lowering a function allocates nothing once they are warm.
struct LowerBuffers {
  CodeBuf code;
  std::vector<uint32_t> vs, scratchFixups, srcs, retStubCatches;
  std::vector<Pend> pend;
  std::vector<Label> labels;
};

// Deliberately not derived from NullInterface: a hook added to the reader must be handled here (compile error
// otherwise), never silently skipped.
class Lowering {
 public:
  using Reader = CodeReader<Lowering, false>;

  // `hidden`: the hidden locals to reserve for the exceptions of legacy catch bodies (InterpFunc::numHidden); a
  // first lowering with 0 counts them (exnSlotsNeeded) and is done again with that count when there are any.
  Lowering(const Module& m, const std::vector<uint32_t>& typeIds, InterpFunc& out, LowerBuffers& b, uint32_t hidden)
      : m_(m), typeIds_(typeIds), out_(out), handlers_(handlerTable()), code_(b.code), vs_(b.vs), pend_(b.pend),
        labels_(b.labels), scratchFixups_(b.scratchFixups), srcs_(b.srcs), retStubCatches_(b.retStubCatches) {
    hidden_ = hidden;
    code_.clear();
    vs_.clear();
    scratchFixups_.clear();
    retStubCatches_.clear();
  }
  void setReader(Reader* r) { r_ = r; }
  void setInstance(const Instance* inst) { inst_ = inst; }
  const std::string& error() const { return error_; }
  uint32_t exnSlotsNeeded() const { return numExn_; }

  void onFuncStart(uint32_t funcIndex, const CompositeType& type) {
    const size_t bodyBytes = m_.funcs[funcIndex].body.size;
    code_.reserve(16 + bodyBytes * 3);
    const Func& f = m_.funcs[funcIndex];
    declaredLocals_ = static_cast<uint32_t>(type.params.size() + f.locals.size());
    numLocals_ = declaredLocals_ + hidden_;
    out_.numHidden = hidden_;
    numResults_ = static_cast<uint32_t>(type.results.size());
    out_.numParams = static_cast<uint32_t>(type.params.size());
    out_.numLocals = numLocals_;
    if (m_.holdsGcRefs) {
      out_.gcMaps = std::make_unique<InterpFunc::GcMaps>();
      uint32_t i = 0;
      for (ValType t : type.params) {
        if (isGcRefType(t, m_)) out_.gcMaps->maps.refLocals.push_back(static_cast<int32_t>(i));
        ++i;
      }
      for (ValType t : f.locals) {
        if (isGcRefType(t, m_)) out_.gcMaps->maps.refLocals.push_back(static_cast<int32_t>(i));
        ++i;
      }
    }
    nLabels_ = 0;
    newLabel();  // label 0: the function body (branches to it return)
  }

  // ---- control ----
  void onUnreachable() {
    // The reader marks the block unreachable before this hook; emitting the trap in already-dead code is harmless.
    if (labels_[r_->control(0).user].dead) return;
    emit(IOp::Unreachable);
  }
  void onBlock(const Instr&, ControlEntry& c) { openBlock(c); }
  void onLoop(const Instr&, ControlEntry& c) {
    openBlock(c);
    ++loopDepth_;
    if (!labels_[c.user].dead) {
      labels_[c.user].pos = pc();
      labels_[c.user].opsAtHead = opCount_;
      // Not inside a legacy catch body (its exception is live in a hidden local; the baseline JIT has no OSR
      // entries there either).
      if (!hidden_ || !inCatchBody()) out_.loopHeads.push_back({pc(), static_cast<uint32_t>(c.offset)});
    }
  }
  void onIf(const Instr&, ControlEntry& c) {
    const bool wasLive = live(1);
    const uint32_t condLoc = wasLive ? use(c.height + c.numParams) : 0;
    openBlock(c, wasLive);
    Label& l = labels_[c.user];
    if (l.dead) return;
    // Params of an if with else must survive the then-branch: keep a copy in scratch slots.
    for (uint32_t i = 0; i < c.numParams; ++i) {
      uint32_t s = scratch();
      l.savedParams.push_back(s);
      emitCopyToScratch(s, slot(c.height + i));
    }
    l.elsePatches.push_back(emitCondJump(false, condLoc));
    vs_.resize(c.height + c.numParams);
  }
  void onElse(ControlEntry& c) {
    Label& l = labels_[c.user];
    if (l.dead) return;
    if (!c.unreachable) {
      materializeAll();
      emit(IOp::Jump);
      l.patches.push_back(pc());
      word(kNoPos);
    }
    bind(l.elsePatches);
    for (uint32_t i = 0; i < l.savedParams.size(); ++i) emitCopyFromScratch(slot(c.height + i), l.savedParams[i]);
    setOwn(c.height, c.height + static_cast<uint32_t>(c.params().size()));
  }
  void onEnd(ControlEntry& c) {
    Label& l = labels_[c.user];
    const uint32_t nres = static_cast<uint32_t>(c.results().size());
    if (c.kind == CtrlKind::Loop) --loopDepth_;
    if (!l.dead) {
      if (!c.unreachable) {
        const uint32_t h = height();
        if (c.kind == CtrlKind::Func || c.kind == CtrlKind::Const) {
          emitReturn(h);
        } else {
          materializeAll();
        }
      }
      if (c.kind == CtrlKind::If) bind(l.elsePatches);
      // try_table, or a legacy try without catches (a try with catches ended its range at the first catch).
      if (l.handler != kNoPos && (c.kind == CtrlKind::TryTable || c.kind == CtrlKind::Try))
        out_.handlers[l.handler].end = pc();
      if (l.handler != kNoPos && !l.legacyCatches.empty()) {
        HandlerRange& h = out_.handlers[l.handler];
        h.firstCatch = static_cast<uint32_t>(out_.catches.size());
        h.numCatches = static_cast<uint32_t>(l.legacyCatches.size());
        out_.catches.insert(out_.catches.end(), l.legacyCatches.begin(), l.legacyCatches.end());
      }
      bind(l.patches);
    }
    setOwn(c.height, c.height + nres);
  }
  void onBr(uint32_t depth, ControlEntry& target) {
    if (!live()) return;
    emitBranch(target, height(), false, 0);
    (void)depth;
  }
  void onBrIf(uint32_t, ControlEntry& target) {
    if (!live()) return sync();
    const uint32_t h = height();
    emitBranch(target, h, true, use(h));
    sync();
  }
  void onBrTable(const Instr& in) {
    if (!live()) return;
    const uint32_t h = height();
    const uint32_t idxLoc = use(h);
    emit(IOp::BrTable, idxLoc, static_cast<uint32_t>(in.targets.size() - 1));
    const uint32_t table = pc();
    for (size_t i = 0; i < in.targets.size(); ++i) word(kNoPos);
    // Each entry jumps straight to its label when no values move, else to a stub doing the moves.
    std::vector<std::pair<uint32_t, uint32_t>> stubs;  // (depth, stub pos)
    for (size_t i = 0; i < in.targets.size(); ++i) {
      const uint32_t depth = in.targets[i];
      ControlEntry& t = r_->control(depth);
      const uint32_t at = table + static_cast<uint32_t>(i);
      if (t.kind != CtrlKind::Func && !needsMoves(t, h)) {
        jumpTo(t, at);
        continue;
      }
      auto it = std::find_if(stubs.begin(), stubs.end(), [&](auto& s) { return s.first == depth; });
      if (it != stubs.end()) {
        code_[at] = it->second;
        continue;
      }
      code_[at] = pc();
      stubs.emplace_back(depth, pc());
      emitBranch(t, h, false, 0);
    }
  }
  void onBrOnNull(uint32_t, ControlEntry& target, ValType) {
    if (!live()) return sync();
    // post: [t* ref]; branch (carrying t*) when ref is null.
    const uint32_t h = height();
    const uint32_t tmp = temp(h);
    emit(IOp::RefIsNull, tmp, use(h - 1));
    emitBranch(target, h - 1, true, tmp);
    sync();
  }
  void onBrOnNonNull(uint32_t, ControlEntry& target, ValType) {
    if (!live()) return sync();
    // pre: [t* ref] (ref at position h); branch carrying t* ref when non-null.
    const uint32_t h = height();
    const uint32_t tmp = temp(h + 1);
    emit(IOp::RefIsNull, tmp, use(h));
    emitBranch(target, h + 1, false, tmp, /*ifZero=*/true);
    sync();
  }
  void onReturn() {
    if (!live()) return;
    emitReturn(height());
  }

  // ---- calls ----
  void onCall(uint32_t funcIndex, const CompositeType& ft) {
    if (!live()) return sync();
    const uint32_t b = callBase(ft);
    materializeRange(b, b + static_cast<uint32_t>(ft.params.size()));
    emit(IOp::Call, funcIndex, slot(b));
    callSafepoint(b, ft);
    reserve(b, ft);
    setOwn(b, height());
  }
  void onCallIndirect(uint32_t typeIndex, uint32_t tableIndex, const CompositeType& ft) {
    if (!live()) return sync();
    const uint32_t b = callBase(ft);
    const uint32_t np = static_cast<uint32_t>(ft.params.size());
    materializeRange(b, b + np);
    emit(IOp::CallIndirect, typeIndex, tableWord(tableIndex), use(b + np), slot(b));
    callSafepoint(b, ft);
    reserve(b, ft);
    setOwn(b, height());
  }
  void onCallRef(uint32_t, const CompositeType& ft) {
    if (!live()) return sync();
    const uint32_t b = callBase(ft);
    const uint32_t np = static_cast<uint32_t>(ft.params.size());
    materializeRange(b, b + np);
    emit(IOp::CallRef, use(b + np), slot(b));
    callSafepoint(b, ft);
    reserve(b, ft);
    setOwn(b, height());
  }
  void onReturnCall(uint32_t funcIndex, const CompositeType& ft) {
    if (!live()) return;
    const uint32_t b = height();  // the arguments were popped: they sit at [b, b+np)
    moveArgsDown(b, ft);
    emit(IOp::TailCall, funcIndex);
    tailCallSafepoint(ft);
  }
  void onReturnCallIndirect(uint32_t typeIndex, uint32_t tableIndex, const CompositeType& ft) {
    if (!live()) return;
    const uint32_t np = static_cast<uint32_t>(ft.params.size());
    const uint32_t b = height();  // popped: args at [b, b+np), callee operand at b+np
    materializeRange(b + np, b + np + 1);
    const uint32_t idx = slot(b + np);
    moveArgsDown(b, ft);
    emit(IOp::TailCallIndirect, typeIndex, tableWord(tableIndex), idx);
    tailCallSafepoint(ft);
  }
  void onReturnCallRef(uint32_t, const CompositeType& ft) {
    if (!live()) return;
    const uint32_t np = static_cast<uint32_t>(ft.params.size());
    const uint32_t b = height();  // popped: args at [b, b+np), callee operand at b+np
    materializeRange(b + np, b + np + 1);
    const uint32_t ref = slot(b + np);
    moveArgsDown(b, ft);
    emit(IOp::TailCallRef, ref);
    tailCallSafepoint(ft);
  }
  void onNop() {}
  // GC instructions: one generic internal op (gc.cpp) with up to five slot operands and three immediates.
  void onGc(const Instr& in) {
    if (!live()) return sync();
    const uint32_t h = height();
    const semantics::GcImms im = semantics::gcImmediates(in, m_, typeIds_);
    auto n = [&](uint32_t k) { return use(h + k); };  // operand k of an op with no result (popped)
    switch (in.op) {
      case Op::StructNew: case Op::ArrayNewFixed: {
        const uint32_t count = im.imm[1];
        const uint32_t b = h - 1;
        materializeRange(b, b + count);
        if (count) slot(b + count - 1);
        emitGc(in.op, slot(b), {slot(b)}, im);
        break;
      }
      case Op::StructNewDefault: emitGc(in.op, slot(h - 1), {}, im); break;
      case Op::StructGet: case Op::StructGetS: case Op::StructGetU:
        emitGc(in.op, slot(h - 1), {use(h - 1)}, im);
        break;
      case Op::StructSet: emitGc(in.op, 0, {n(0), n(1)}, im); break;
      case Op::ArrayNew: case Op::ArrayNewData: case Op::ArrayNewElem:
      case Op::ArrayGet: case Op::ArrayGetS: case Op::ArrayGetU:
        emitGc(in.op, slot(h - 1), {use(h - 1), use(h)}, im);
        break;
      case Op::ArrayNewDefault: emitGc(in.op, slot(h - 1), {use(h - 1)}, im); break;
      case Op::ArrayLen: emitGc(in.op, slot(h - 1), {use(h - 1)}, im); break;
      case Op::ArraySet: emitGc(in.op, 0, {n(0), n(1), n(2)}, im); break;
      case Op::ArrayFill: emitGc(in.op, 0, {n(0), n(1), n(2), n(3)}, im); break;
      case Op::ArrayCopy: emitGc(in.op, 0, {n(0), n(1), n(2), n(3), n(4)}, im); break;
      case Op::ArrayInitData: case Op::ArrayInitElem:
        emitGc(in.op, 0, {n(0), n(1), n(2), n(3)}, im);
        break;
      case Op::RefTest: case Op::RefTestNull: case Op::RefCast: case Op::RefCastNull:
        emitGc(in.op, slot(h - 1), {use(h - 1)}, im);
        break;
      case Op::BrOnCast: case Op::BrOnCastFail: {
        // The reference stays at h-1 on both paths; the label's values are [h-k, h).
        const uint32_t tmp = temp(h);
        emitGc(Op::RefTest, tmp, {use(h - 1)}, im);
        emitBranch(r_->control(in.idx), h, true, tmp, /*ifZero=*/in.op == Op::BrOnCastFail);
        return sync();
      }
      case Op::AnyConvertExtern: case Op::ExternConvertAny: return;  // the same reference, in place
      case Op::RefI31: case Op::I31GetS: case Op::I31GetU:
        emitGc(in.op, slot(h - 1), {use(h - 1)}, im);
        break;
      default: return unsupported(opName(in.op));
    }
    if (out_.gcMaps && semantics::gcAllocates(in.op)) allocSafepoint(in, h - 1);
    setOwnAfter(in.op, h);
  }
  // Legacy exception handling (try/catch/catch_all/delegate/rethrow): the try body is a handler range; each catch
  // is a landing pad receiving the payload in the block's slots and the exception in a scratch slot (for rethrow).
  void onTry(const Instr&, ControlEntry& c) {
    openBlock(c);
    Label& l = labels_[c.user];
    if (l.dead) return;
    HandlerRange h;
    h.start = pc();
    h.end = pc();
    h.firstCatch = static_cast<uint32_t>(out_.catches.size());
    l.handler = static_cast<uint32_t>(out_.handlers.size());
    out_.handlers.push_back(h);
  }
  void onCatch(uint32_t tagIndex, ControlEntry& c) { legacyCatch(c, CatchClause::Catch, tagIndex); }
  void onCatchAll(ControlEntry& c) { legacyCatch(c, CatchClause::CatchAll, 0); }
  void onDelegate(uint32_t depth, ControlEntry& c) {
    Label& l = labels_[c.user];
    const uint32_t nres = static_cast<uint32_t>(c.results().size());
    if (!l.dead) {
      if (!c.unreachable) materializeAll();
      HandlerRange& h = out_.handlers[l.handler];
      h.end = pc();
      // Handlers opened before the target label (and the target itself if it is a try) enclose it.
      const ControlEntry& t = r_->control(depth + 1);
      const Label& tl = labels_[t.user];
      h.delegateBelow = t.kind == CtrlKind::Func ? 0 : (tl.handler != kNoPos ? tl.handler + 1 : tl.handlersBefore);
      bind(l.patches);
    }
    setOwn(c.height, c.height + nres);
  }
  void onRethrow(uint32_t, ControlEntry& target) {
    if (!live()) return;
    const Label& l = labels_[target.user];
    if (l.dead || l.exnScratch == kNoPos) return unsupported("rethrow");
    emit(IOp::ThrowRef, l.exnScratch);
  }
  void onThrow(uint32_t tagIndex, const CompositeType& ft) {
    if (!live()) return;
    const uint32_t b = height();  // the payload was popped: [b, b+n)
    const uint32_t n = static_cast<uint32_t>(ft.params.size());
    materializeRange(b, b + n);
    emit(IOp::Throw, tagIndex, slot(b), n);
    callSafepoint(b, ft);  // the payload is the tag's params
  }
  void onThrowRef() {
    if (!live()) return;
    emit(IOp::ThrowRef, use(height()));
  }
  void onTryTable(const Instr& in, ControlEntry& c) {
    openBlock(c);
    Label& l = labels_[c.user];
    if (l.dead) return;
    HandlerRange h;
    h.start = pc();
    h.firstCatch = static_cast<uint32_t>(out_.catches.size());
    h.numCatches = static_cast<uint32_t>(in.catches.size());
    for (const CatchClause& cc : in.catches) {
      ControlEntry& t = r_->control(cc.label + 1);  // catch labels are relative to the block around try_table
      CatchEntry e;
      e.kind = static_cast<uint8_t>(cc.kind);
      e.tag = cc.tag;
      const uint32_t n = static_cast<uint32_t>(t.labelTypes().size());
      const uint32_t idx = static_cast<uint32_t>(out_.catches.size());
      if (t.kind == CtrlKind::Func) {
        e.dst = 0;
        retStubCatches_.push_back(idx);
      } else {
        e.dst = numLocals_ + t.height;
        if (n) slot(t.height + n - 1);
        if (t.kind == CtrlKind::Loop) e.target = labels_[t.user].pos;
        else labels_[t.user].patches.push_back(kCatchPatch | idx);
      }
      out_.catches.push_back(e);
    }
    l.handler = static_cast<uint32_t>(out_.handlers.size());
    out_.handlers.push_back(h);
  }

  // ---- parametric, variables ----
  void onDrop(ValType) { sync(); }
  void onSelect(ValType) {
    if (!live()) return sync();
    const uint32_t h = height();  // result at h-1; operands a=h-1 b=h cond=h+1
    const uint32_t a = use(h - 1), b = use(h), cond = use(h + 1);
    emit(IOp::Select, slot(h - 1), a, b, cond);
    setOwn(h - 1, h);
  }
  void onLocalGet(uint32_t idx, ValType) {
    if (!live()) return sync();
    const uint32_t h = height();
    vs_.resize(h);
    vs_[h - 1] = idx;  // pending: read the local's slot directly
  }
  void onLocalSet(uint32_t idx, ValType) {
    if (!live()) return sync();
    const uint32_t h = height();  // value at position h
    const uint32_t src = vs_[h];
    const bool pendingReads = hasPending(idx, h);
    if (src == kPend) {
      materializeLocal(idx, h);
      emitPendTo(idx, h);
    } else if (src != idx) {
      if (!pendingReads && src == slot(h) && lastDst_ != kNoPos && code_[lastDst_] == src) {
        code_[lastDst_] = idx;  // retarget the producer: `local.set (i32.add ...)` writes the local directly
      } else {
        materializeLocal(idx, h);
        emit(IOp::Copy, idx, src);
      }
    }
    lastDst_ = kNoPos;
    vs_.resize(h);
  }
  void onLocalTee(uint32_t idx, ValType) {
    if (!live()) return sync();
    const uint32_t h = height();  // value at h-1
    const uint32_t src = vs_[h - 1];
    if (src == kPend) {
      materializeLocal(idx, h - 1);
      emitPendTo(idx, h - 1);
    } else if (src != idx) {
      if (!hasPending(idx, h - 1) && src == slot(h - 1) && lastDst_ != kNoPos && code_[lastDst_] == src) {
        code_[lastDst_] = idx;
      } else {
        materializeLocal(idx, h - 1);
        emit(IOp::Copy, idx, src);
      }
    }
    lastDst_ = kNoPos;
    vs_[h - 1] = idx;
  }
  void onGlobalGet(uint32_t idx, const GlobalType&) {
    if (!live()) return sync();
    const uint32_t h = height();
    emitDst(IOp::GlobalGet, slot(h - 1), idx);
    setOwn(h - 1, h);
  }
  void onGlobalSet(uint32_t idx, const GlobalType&) {
    if (!live()) return sync();
    const uint32_t h = height();
    emit(IOp::GlobalSet, idx, use(h));
    sync();
  }

  // ---- numeric ----
  void onConst(const Instr& in) {
    if (!live()) return sync();
    const uint32_t h = height();
    switch (in.op) {
      case Op::I32Const: return pushConst(h - 1, ValKind::I32, static_cast<uint32_t>(in.i32));
      case Op::F32Const: return pushConst(h - 1, ValKind::F32, in.f32bits);
      case Op::I64Const: return pushConst(h - 1, ValKind::I64, static_cast<uint64_t>(in.i64));
      case Op::F64Const: return pushConst(h - 1, ValKind::F64, in.f64bits);
      default: {  // V128Const
        uint32_t w[4];
        std::memcpy(w, in.bytes, 16);
        emitDst(IOp::ConstV128, slot(h - 1), w[0], w[1], w[2], w[3]);
        break;
      }
    }
    setOwn(h - 1, h);
  }
  void onSimple(const Instr& in) {
    if (!live()) return sync();
    const IOp iop = numericIOp(in.op);
    const OpSig& sig = opInfo(in.op).sig;
    if (iop == IOp::Count) return unsupported(opName(in.op));
    const uint32_t h = height();
    const uint32_t base = h - sig.numResults;
    if (sig.numParams == 2 && sig.numResults == 1 && (vs_[base] == kPend || vs_[base + 1] == kPend) &&
        simpleWithConst(in.op, base, h))
      return;
    uint32_t ops[3] = {0, 0, 0};
    for (uint32_t i = 0; i < sig.numParams; ++i) ops[i] = use(base + i);
    if (fuseF64Pair(iop, ops, base)) return setOwn(base, h);
    head(iop);
    lastDst_ = pc();
    word(sig.numResults ? slot(base) : 0);
    for (uint32_t i = 0; i < sig.numParams; ++i) word(ops[i]);
    const ImmKind imm = opInfo(in.op).imm;
    if (imm == ImmKind::Lane) {
      word(in.lane);
    } else if (imm == ImmKind::Shuffle) {
      uint32_t w[4];
      std::memcpy(w, in.bytes, 16);
      for (uint32_t x : w) word(x);
    }
    setOwn(base, h);
  }
  // f64 add/sub/mul consuming the temporary that the op just emitted (also f64 add/sub/mul) computed: one op.
  static int f64ArithIndex(IOp op) {
    return op == IOp::F64Add ? 0 : op == IOp::F64Sub ? 1 : op == IOp::F64Mul ? 2 : -1;
  }
  bool fuseF64Pair(IOp consumer, const uint32_t* ops, uint32_t base) {
    const int c = f64ArithIndex(consumer);
    if (c < 0 || lastDst_ == kNoPos || lastDst_ != lastStart_ + 2) return false;
    if (lastIOp_ == IOp::F64LoadM0 || lastIOp_ == IOp::F64LoadM0G) return fuseF64Load(c, ops, base);
    const int p = f64ArithIndex(lastIOp_);
    const uint32_t t = code_[lastDst_];
    if (p < 0 || t < numLocals_ || (ops[0] == t) == (ops[1] == t)) return false;
    const bool left = ops[0] == t;
    const uint32_t a = code_[lastDst_ + 1], b = code_[lastDst_ + 2], other = left ? ops[1] : ops[0];
    code_.resize(lastStart_);
    --opCount_;
    if (loopDepth_ == 0) --outsideOps_;
    // F64##P##C##L/R in the order of MYRT_F64_PAIRS / MYRT_IOP_F64_PAIR_NAMES.
    head(static_cast<IOp>(unsigned(IOp::F64AddAddL) + unsigned(p) * 6 + unsigned(c) * 2 + (left ? 0 : 1)));
    lastDst_ = pc();
    word(slot(base));
    word(a);
    word(b);
    word(other);
    return true;
  }
  // f64 add/sub/mul consuming the value an F64LoadM0(G) just loaded into a temporary: one op reading memory.
  bool fuseF64Load(int c, const uint32_t* ops, uint32_t base) {
    const uint32_t t = code_[lastDst_];
    if (t < numLocals_ || (ops[0] == t) == (ops[1] == t)) return false;
    const bool left = ops[0] == t, guarded = lastIOp_ == IOp::F64LoadM0G;
    uint32_t addr[4];  // addr imm off shift
    for (uint32_t i = 0; i < 4; ++i) addr[i] = code_[lastDst_ + 1 + i];
    const uint32_t other = left ? ops[1] : ops[0];
    code_.resize(lastStart_);
    --opCount_;
    if (loopDepth_ == 0) --outsideOps_;
    // F64##C##LoadM0L, ...M0R, ...M0GL, ...M0GR in the order of MYRT_IOP_F64_LOADOP_NAMES.
    head(static_cast<IOp>(unsigned(IOp::F64AddLoadM0L) + unsigned(c) * 4 + (guarded ? 2 : 0) + (left ? 0 : 1)));
    lastDst_ = pc();
    word(slot(base));
    for (uint32_t w : addr) word(w);
    word(other);
    return true;
  }
  // A binary op with a pending constant operand (operands at base, base+1; result at base): i32.add/sub stay pending
  // (add-immediate), other ops use their immediate forms. False: not handled (use the generic form).
  bool simpleWithConst(Op op, uint32_t base, uint32_t h) {
    const bool ca = vs_[base] == kPend && !pend_[base].addImm;
    const bool cb = vs_[base + 1] == kPend && !pend_[base + 1].addImm;
    if (!ca && !cb) return false;
    if (op == Op::I32Shl && cb && !ca) {  // x << c: pending (an address scaled by a constant)
      const uint32_t x = use(base);
      pend_[base] = Pend{true, ValKind::I32, x, 0, static_cast<uint32_t>(pend_[base + 1].bits & 31)};
      vs_.resize(h);
      vs_[base] = kPend;
      return true;
    }
    if (op == Op::I32Add || op == Op::I32Sub) {
      if (cb || op == Op::I32Add) {
        const uint32_t xpos = cb ? base : base + 1;
        uint32_t k = static_cast<uint32_t>(pend_[cb ? base + 1 : base].bits);
        if (op == Op::I32Sub) k = 0u - k;
        if (vs_[xpos] == kPend && (!pend_[xpos].addImm || pend_[xpos].base < numLocals_ || xpos == base)) {
          Pend p = pend_[xpos];  // (c1 + c2) or ((x + c1) + c2): fold
          p.bits = static_cast<uint32_t>(p.bits + k);
          pend_[base] = p;
          vs_.resize(h);
          vs_[base] = kPend;
          return true;
        }
        const uint32_t x = use(xpos);
        if (x >= numLocals_ && xpos != base) {  // x in the own slot above the result: compute it now
          emitDst(IOp::I32AddImm, slot(base), x, k);
          setOwn(base, h);
          return true;
        }
        pend_[base] = Pend{true, ValKind::I32, x, k};
        vs_.resize(h);
        vs_[base] = kPend;
        return true;
      }
    }
    if (cb) {
      const IOp iop = immIOp(op);
      if (iop == IOp::Count) return false;
      const uint64_t k = pend_[base + 1].bits;
      const bool wide = is64(pend_[base + 1].type);
      const uint32_t a = use(base);
      head(iop);
      lastDst_ = pc();
      word(slot(base));
      word(a);
      word(lo(k));
      if (wide) word(hi(k));
      setOwn(base, h);
      return true;
    }
    const uint64_t k = pend_[base].bits;
    const bool wide = is64(pend_[base].type);
    const Op mirrored = mirroredCompare(op);
    const IOp iop = mirrored != Op::Unreachable ? immIOp(mirrored) : immLIOp(op);
    if (iop == IOp::Count) return false;
    const uint32_t b = use(base + 1);
    head(iop);
    lastDst_ = pc();
    word(slot(base));
    if (mirrored != Op::Unreachable) {  // x op' c: dst a imm
      word(b);
      word(lo(k));
      if (wide) word(hi(k));
    } else {  // dst imm b
      word(lo(k));
      if (wide) word(hi(k));
      word(b);
    }
    setOwn(base, h);
    return true;
  }

  // ---- memory ----
  // A scalar access to a guarded memory (exec/signals.h) is emitted without a bounds check.
  bool guardedAccess(const Instr& in, ValType addr) const {
    return inst_ && addr.kind == ValKind::I32 && in.mem.memory < inst_->memories.size() &&
           inst_->memories[in.mem.memory]->guarded && in.mem.offset <= 0xFFFFFFFFull;
  }
  // A store too, except a store of more than one byte where such a store can straddle the end of memory and write its
  // in-bounds bytes before faulting (exec/signals.h kGuardStoresMayTear, AArch64): the checked form, no partial write.
  bool guardedStore(const Instr& in, ValType addr) const {
    return guardedAccess(in, addr) && !(kGuardStoresMayTear && naturalAlignment(in.op) > 0);
  }
  void onLoad(const Instr& in, ValType addr) {
    if (!live()) return sync();
    const uint32_t h = height();  // result at h-1, address was at h-1
    const uint32_t mem = in.mem.memory | (addr.kind == ValKind::I64 ? 0x80000000u : 0);
    IOp iop = loadIOp(in.op);
    if (iop != IOp::Count && fastMem(in, addr)) {
      uint32_t imm = 0, shift = 0;
      const uint32_t a = address(h - 1, imm, shift);
      const IOp m0 = loadM0IOp(in.op);
      emitDst(guardedAccess(in, addr) ? guardedM0IOp(m0) : m0, slot(h - 1), a, imm, lo(in.mem.offset), shift);
    } else if (iop != IOp::Count) {
      if (guardedAccess(in, addr)) iop = guardedIOp(iop);
      emitDst(iop, slot(h - 1), use(h - 1), mem, lo(in.mem.offset), hi(in.mem.offset));
    } else {  // v128 loads; load_lane has the vector operand after the address
      const bool lane = opInfo(in.op).imm == ImmKind::MemArgLane;
      const uint32_t a = use(h - 1), v = lane ? use(h) : 0;
      emitDst(IOp::SimdLoad, slot(h - 1), a, mem, lo(in.mem.offset), hi(in.mem.offset),
              static_cast<uint32_t>(in.op), in.lane, v);
    }
    setOwn(h - 1, h);
  }
  void onStore(const Instr& in, ValType addr) {
    if (!live()) return sync();
    const uint32_t h = height();  // address at h, value at h+1
    const uint32_t mem = in.mem.memory | (addr.kind == ValKind::I64 ? 0x80000000u : 0);
    IOp iop = loadIOp(in.op);
    if (iop != IOp::Count && fastMem(in, addr) && vs_[h + 1] == kPend && !pend_[h + 1].addImm) {
      const Pend k = pend_[h + 1];  // a constant value: its bits are the immediate
      uint32_t imm = 0, shift = 0;
      const uint32_t a = address(h, imm, shift);
      const IOp m0k = storeM0KIOp(in.op, guardedStore(in, addr));
      emit(m0k, lo(k.bits), a, imm, lo(in.mem.offset), shift);
      if (is64(k.type)) word(hi(k.bits));
      return sync();
    }
    const uint32_t v = use(h + 1);
    if (iop != IOp::Count && fastMem(in, addr)) {
      uint32_t imm = 0, shift = 0;
      const uint32_t a = address(h, imm, shift);
      const IOp m0 = loadM0IOp(in.op);
      emit(guardedStore(in, addr) ? guardedM0IOp(m0) : m0, v, a, imm, lo(in.mem.offset), shift);
    } else if (iop != IOp::Count) {
      if (guardedStore(in, addr)) iop = guardedIOp(iop);
      emit(iop, v, use(h), mem, lo(in.mem.offset), hi(in.mem.offset));
    } else {
      emit(IOp::SimdStore, use(h), v, mem, lo(in.mem.offset), hi(in.mem.offset), static_cast<uint32_t>(in.op),
           in.lane);
    }
    sync();
  }
  // Memory 0 with i32 addresses: the M0 forms (address operand + immediate + 32-bit offset).
  static bool fastMem(const Instr& in, ValType addr) {
    return in.mem.memory == 0 && addr.kind == ValKind::I32 && in.mem.offset <= 0xFFFFFFFFu;
  }
  // The address operand at `pos` for an M0 form: a pending `(x << s) + k` gives x's slot, k and s.
  uint32_t address(uint32_t pos, uint32_t& imm, uint32_t& shift) {
    if (vs_[pos] == kPend && pend_[pos].addImm) {
      imm = static_cast<uint32_t>(pend_[pos].bits);
      shift = pend_[pos].shift;
      return pend_[pos].base;
    }
    imm = shift = 0;
    return use(pos);
  }
  void onMemoryOp(const Instr& in, ValType addr) {
    if (!live()) return sync();
    const uint32_t h = height();
    if (in.op == Op::MemoryGrow) use(h - 1);
    if (in.op == Op::MemoryFill || in.op == Op::MemoryCopy || in.op == Op::MemoryInit) useRange(h, h + 3);
    const uint32_t a64 = addr.kind == ValKind::I64 ? 0x80000000u : 0;
    switch (in.op) {
      case Op::MemorySize: emitDst(IOp::MemorySize, slot(h - 1), in.idx | a64); setOwn(h - 1, h); return;
      case Op::MemoryGrow:
        emitDst(IOp::MemoryGrow, slot(h - 1), vs_[h - 1], in.idx | a64);
        safepoint(h - 1);
        setOwn(h - 1, h);
        return;
      case Op::MemoryFill: emit(IOp::MemoryFill, vs_[h], vs_[h + 1], vs_[h + 2], in.idx | a64); break;
      case Op::MemoryCopy: {
        const bool d64 = in.idx < m_.memories.size() && m_.memories[in.idx].type.limits.is64;
        const bool s64 = in.idx2 < m_.memories.size() && m_.memories[in.idx2].type.limits.is64;
        emit(IOp::MemoryCopy, vs_[h], vs_[h + 1], vs_[h + 2], in.idx | (d64 ? 0x80000000u : 0),
             in.idx2 | (s64 ? 0x80000000u : 0));
        break;
      }
      case Op::MemoryInit: emit(IOp::MemoryInit, vs_[h], vs_[h + 1], vs_[h + 2], in.idx, in.idx2 | a64); break;
      case Op::DataDrop: emit(IOp::DataDrop, in.idx); break;
      default: return unsupported(opName(in.op));
    }
    sync();
  }
  // Atomics (threads): one IOp::Atomic per instruction, run by semantics::atomicStep (dst op mem offLo offHi a v1 v2;
  // operand slots past the op's params are 0 and not read).
  void onAtomic(const Instr& in, ValType addr) {
    if (!live()) return sync();
    const OpSig& sig = opInfo(in.op).sig;
    const uint32_t h = height();
    const uint32_t base = h - sig.numResults;  // first operand (the address)
    uint32_t ops[3] = {0, 0, 0};
    for (unsigned i = 0; i < sig.numParams; ++i) ops[i] = use(base + i);
    const uint32_t mem = in.mem.memory | (addr.kind == ValKind::I64 ? 0x80000000u : 0);
    const uint32_t dst = sig.numResults ? slot(base) : 0;
    emit(IOp::Atomic, dst, static_cast<uint32_t>(in.op), mem, lo(in.mem.offset), hi(in.mem.offset), ops[0], ops[1],
         ops[2]);
    if (sig.numResults) return setOwn(base, h);
    sync();
  }
  void onTableOp(const Instr& in, const TableType& tt) {
    if (!live()) return sync();
    const uint32_t h = height();
    if (in.op == Op::TableGet) use(h - 1);
    if (in.op == Op::TableGrow) useRange(h - 1, h + 1);
    if (in.op == Op::TableSet) useRange(h, h + 2);
    if (in.op == Op::TableFill || in.op == Op::TableCopy || in.op == Op::TableInit) useRange(h, h + 3);
    const uint32_t t64 = tt.limits.is64 ? 0x80000000u : 0;
    switch (in.op) {
      case Op::TableGet: emitDst(IOp::TableGet, slot(h - 1), vs_[h - 1], in.idx | t64); setOwn(h - 1, h); return;
      case Op::TableSet: emit(IOp::TableSet, vs_[h], vs_[h + 1], in.idx | t64); break;
      case Op::TableSize: emitDst(IOp::TableSize, slot(h - 1), in.idx | t64); setOwn(h - 1, h); return;
      case Op::TableGrow:
        emitDst(IOp::TableGrow, slot(h - 1), vs_[h - 1], vs_[h], in.idx | t64);
        if (out_.gcMaps && isGcRefType(tt.elem, m_) && vs_[h - 1] != kPend && vs_[h - 1] >= numLocals_)
          gcArgs_.push_back(vs_[h - 1]);  // the initial value
        safepoint(h - 1);
        setOwn(h - 1, h);
        return;
      case Op::TableFill: emit(IOp::TableFill, vs_[h], vs_[h + 1], vs_[h + 2], in.idx | t64); break;
      case Op::TableCopy: {
        const bool d64 = in.idx < m_.tables.size() && m_.tables[in.idx].type.limits.is64;
        const bool s64 = in.idx2 < m_.tables.size() && m_.tables[in.idx2].type.limits.is64;
        emit(IOp::TableCopy, vs_[h], vs_[h + 1], vs_[h + 2], in.idx | (d64 ? 0x80000000u : 0),
             in.idx2 | (s64 ? 0x80000000u : 0));
        break;
      }
      case Op::TableInit: emit(IOp::TableInit, vs_[h], vs_[h + 1], vs_[h + 2], in.idx, in.idx2 | t64); break;
      case Op::ElemDrop: emit(IOp::ElemDrop, in.idx); break;
      default: return unsupported(opName(in.op));
    }
    sync();
  }

  // ---- references ----
  void onRefNull(ValType) {
    if (!live()) return sync();
    const uint32_t h = height();
    emitDst(IOp::RefNull, slot(h - 1));
    setOwn(h - 1, h);
  }
  void onRefIsNull(ValType) {
    if (!live()) return sync();
    const uint32_t h = height();
    emitDst(IOp::RefIsNull, slot(h - 1), use(h - 1));
    setOwn(h - 1, h);
  }
  void onRefFunc(uint32_t idx, ValType) {
    if (!live()) return sync();
    const uint32_t h = height();
    emitDst(IOp::RefFunc, slot(h - 1), idx);
    setOwn(h - 1, h);
  }
  void onRefAsNonNull(ValType) {
    if (!live()) return sync();
    const uint32_t h = height();
    emitDst(IOp::RefAsNonNull, slot(h - 1), use(h - 1));
    setOwn(h - 1, h);
  }
  void onRefEq() {
    if (!live()) return sync();
    const uint32_t h = height();
    const uint32_t a = use(h - 1), b = use(h);
    emitDst(IOp::RefEq, slot(h - 1), a, b);
    setOwn(h - 1, h);
  }

  // Called after the whole body was read: fix scratch slot numbers, compute the frame size.
  void finish() {
    if (!retStubCatches_.empty()) {  // catches that branch to the function label land on a trailing `ret`
      for (uint32_t idx : retStubCatches_) out_.catches[idx].target = pc();
      emit(IOp::Ret);
    }
    const uint32_t scratchBase = numLocals_ + maxHeight_ + 1;
    for (uint32_t pos : scratchFixups_) code_[pos] += scratchBase;
    out_.frameSize = std::max(scratchBase + numScratch_, std::max(numResults_, out_.numParams));
    if (InterpFunc::GcMaps* g = out_.gcMaps.get()) {
      g->maps.finish();
    }
    out_.zeroEnd = m_.holdsGcRefs ? out_.frameSize : out_.numLocals;
    out_.entryCost = std::max<uint32_t>(1, outsideOps_);
    out_.code.assign(code_.data(), code_.data() + code_.size());
  }

 private:
  static constexpr uint32_t kCatchPatch = 0x80000000u;

  // ---- stack mirror ----
  uint32_t height() const { return static_cast<uint32_t>(r_->stack().size()); }
  uint32_t slot(uint32_t pos) {
    maxHeight_ = std::max(maxHeight_, pos + 1);
    return numLocals_ + pos;
  }
  uint32_t temp(uint32_t pos) { return slot(pos); }  // a free slot above the live stack
  [[gnu::always_inline]] bool live(uint32_t depth = 0) const {
    const ControlEntry& c = r_->control(depth);
    return !c.unreachable && !labels_[c.user].dead;
  }
  // Resizes the mirror to the reader's height; values above the old height live in their own slots.
  void sync() { setOwnFrom(static_cast<uint32_t>(std::min<size_t>(vs_.size(), height()))); }
  void setOwnFrom(uint32_t from) { setOwn(from, height()); }
  void setOwn(uint32_t from, uint32_t to) {
    const uint32_t old = static_cast<uint32_t>(vs_.size());
    vs_.resize(to);
    for (uint32_t i = std::min(old, from); i < to; ++i) vs_[i] = slot(i);
  }
  // Whether position i reads `local` later (a pending local.get, or a pending add-immediate on it).
  bool readsLocal(uint32_t i, uint32_t local) const {
    return vs_[i] == local || (vs_[i] == kPend && pend_[i].addImm && pend_[i].base == local);
  }
  bool hasPending(uint32_t local, uint32_t below) const {
    for (uint32_t i = 0; i < below && i < vs_.size(); ++i)
      if (readsLocal(i, local)) return true;
    return false;
  }
  void materializeRange(uint32_t from, uint32_t to) {
    for (uint32_t i = from; i < to && i < vs_.size(); ++i) {
      if (vs_[i] < numLocals_) {
        emit(IOp::Copy, slot(i), vs_[i]);
        vs_[i] = slot(i);
      } else if (vs_[i] == kPend) {
        emitPendTo(slot(i), i);
        vs_[i] = slot(i);
      }
    }
  }
  void materializeAll() { materializeRange(0, static_cast<uint32_t>(vs_.size())); }
  void materializeLocal(uint32_t local, uint32_t below) {
    for (uint32_t i = 0; i < below && i < vs_.size(); ++i) {
      if (readsLocal(i, local)) {
        if (vs_[i] == kPend) emitPendTo(slot(i), i);
        else emit(IOp::Copy, slot(i), local);
        vs_[i] = slot(i);
      }
    }
  }
  // ---- pending constants and add-immediates ----
  static bool is64(ValKind k) { return k == ValKind::I64 || k == ValKind::F64; }
  [[gnu::always_inline]] void pushConst(uint32_t pos, ValKind type, uint64_t bits) {
    vs_.resize(pos + 1);
    if (pend_.size() <= pos) pend_.resize(pos + 16);
    vs_[pos] = kPend;
    pend_[pos] = Pend{false, type, 0, bits};
  }
  // Emits the pending value at `pos` into slot `dst`.
  void emitPendTo(uint32_t dst, uint32_t pos) {
    const Pend& p = pend_[pos];
    if (p.addImm && p.shift) {
      const uint32_t base = p.base, k = static_cast<uint32_t>(p.bits);
      emitDst(IOp::I32ShlImm, dst, base, p.shift);
      if (k) emitDst(IOp::I32AddImm, dst, dst, k);
    } else if (p.addImm) emitDst(IOp::I32AddImm, dst, p.base, static_cast<uint32_t>(p.bits));
    else if (is64(p.type)) emitDst(IOp::Const64, dst, lo(p.bits), hi(p.bits));
    else emitDst(IOp::Const32, dst, lo(p.bits));
  }
  // The slot holding the value at `pos`, materializing a pending constant/add-immediate into its own slot. Call
  // before emitting the consuming instruction.
  [[gnu::always_inline]] uint32_t use(uint32_t pos) {
    const uint32_t v = vs_[pos];
    if (v != kPend) return v;
    emitPendTo(slot(pos), pos);
    return vs_[pos] = slot(pos);
  }
  void useRange(uint32_t from, uint32_t to) {
    for (uint32_t i = from; i < to; ++i) use(i);
  }
  // A value of the label/result area: a move into `dst` (nothing if it is there already).
  void emitMove(uint32_t dst, uint32_t pos) {
    if (vs_[pos] == kPend) emitPendTo(dst, pos);
    else if (vs_[pos] != dst) emit(IOp::Copy, dst, vs_[pos]);
  }

  // ---- blocks and branches ----
  uint32_t newLabel() {
    if (nLabels_ == labels_.size()) labels_.emplace_back();
    labels_[nLabels_].reset();
    return nLabels_++;
  }
  void openBlock(ControlEntry& c, bool parentLive) {
    c.user = newLabel();
    Label& l = labels_[c.user];
    l.dead = !parentLive;
    l.handlersBefore = static_cast<uint32_t>(out_.handlers.size());
    if (parentLive) {
      materializeAll();
      // A loop head is a jump target, a try starts a handler range: nothing before them may be fused or retargeted.
      // (A block or if start is no target: an `if` can still fuse the comparison computing its condition.)
      if (c.kind != CtrlKind::Block && c.kind != CtrlKind::If) lastDst_ = kNoPos;
    }
  }
  void openBlock(ControlEntry& c) { openBlock(c, live(1)); }
  void bind(std::vector<uint32_t>& patches) {
    for (uint32_t p : patches) {
      if (p & kCatchPatch) out_.catches[p & ~kCatchPatch].target = pc();
      else code_[p] = pc();
    }
    patches.clear();
    lastDst_ = kNoPos;
  }
  bool needsMoves(const ControlEntry& t, uint32_t top) const {
    const uint32_t k = static_cast<uint32_t>(t.labelTypes().size());
    for (uint32_t i = 0; i < k; ++i)
      if (vs_[top - k + i] != numLocals_ + t.height + i) return true;
    return false;
  }
  // Writes the jump target of label `t` into code[at] (now, or when the label is bound).
  void jumpTo(ControlEntry& t, uint32_t at) {
    Label& l = labels_[t.user];
    if (t.kind == CtrlKind::Loop) code_[at] = l.pos;
    else l.patches.push_back(at);
  }
  // A branch to `t` with the label's values at positions [top-k, top). Conditional when `cond` is set: taken when
  // the condition slot is non-zero (or zero with ifZero).
  void emitBranch(ControlEntry& t, uint32_t top, bool conditional, uint32_t cond, bool ifZero = false) {
    conditional = conditional || ifZero;
    const uint32_t back = backCost(t);
    if (t.kind == CtrlKind::Func) {
      uint32_t skip = kNoPos;
      if (conditional) skip = emitCondJump(ifZero, cond);
      emitReturn(top);
      if (conditional) code_[skip] = pc();
      lastDst_ = kNoPos;
      return;
    }
    if (!needsMoves(t, top)) {
      if (conditional) jumpTo(t, emitCondJump(!ifZero, cond, back));
      else jumpTo(t, emitJump(back));
      return;
    }
    uint32_t skip = kNoPos;
    if (conditional) skip = emitCondJump(ifZero, cond);
    const uint32_t k = static_cast<uint32_t>(t.labelTypes().size());
    for (uint32_t i = 0; i < k; ++i) emitMove(slot(t.height + i), top - k + i);
    jumpTo(t, emitJump(back));
    if (conditional) code_[skip] = pc();
    lastDst_ = kNoPos;
  }
  // Fuel cost of one iteration of loop `t` when branching back to it now (kNoPos: not a back-edge).
  uint32_t backCost(const ControlEntry& t) const {
    if (t.kind != CtrlKind::Loop) return kNoPos;
    return opCount_ - labels_[t.user].opsAtHead + 1;
  }
  // An unconditional jump (a loop back-edge when cost != kNoPos); returns the position of its target word.
  uint32_t emitJump(uint32_t cost = kNoPos) {
    emit(cost == kNoPos ? IOp::Jump : IOp::JumpBack);
    word(kNoPos);
    const uint32_t at = pc() - 1;
    if (cost != kNoPos) word(cost);
    return at;
  }
  // Moves the function results (positions [top-r, top)) to slots 0..r and returns.
  // Does not change the mirror (it may sit on a conditional path). Own-slot sources lie above their destinations, so
  // forward copies never clobber them; a pending local inside the destination area is first copied to its own slot.
  // Result i is written at step i, so a source reading local j < i (overwritten at step j) is copied first.
  void emitReturn(uint32_t top) {
    const uint32_t r = numResults_;
    if (r == 1 && vs_[top - 1] == slot(top - 1) && lastDst_ != kNoPos && code_[lastDst_] == vs_[top - 1]) {
      code_[lastDst_] = 0;  // the producer writes the result slot directly
      emit(IOp::Ret);
      return;
    }
    srcs_.assign(vs_.begin() + (top - r), vs_.begin() + top);
    for (uint32_t i = 0; i < r; ++i) {
      const uint32_t p = top - r + i, v = srcs_[i];
      const uint32_t reads = v == kPend ? (pend_[p].addImm ? pend_[p].base : kNoPos) : v;
      if (reads < numLocals_ && reads < i) {
        if (v == kPend) emitPendTo(slot(p), p);
        else emit(IOp::Copy, slot(p), v);
        srcs_[i] = slot(p);
      }
    }
    for (uint32_t i = 0; i < r; ++i) {
      if (srcs_[i] == kPend) emitPendTo(i, top - r + i);
      else if (srcs_[i] != i) emit(IOp::Copy, i, srcs_[i]);
    }
    emit(IOp::Ret);
  }
  // ---- GC stack maps (InterpFunc::GcMaps; only with out_.gcMaps) ----
  // A safepoint whose op was just emitted (its key: the position after it): the GC references among the operand-stack
  // values [0, below) (types from the reader; values pending as local reads are covered by the locals), the slots in
  // gcArgs_ (the op's consumed operands that are references), the exception scratch slot of each enclosing legacy
  // catch body (for rethrow), and the locals unless `noLocals`.
  void safepoint(uint32_t below, bool noLocals = false) {
    InterpFunc::GcMaps* g = out_.gcMaps.get();
    if (!g) return;
    g->pos.push_back(pc());
    g->maps.begin(noLocals);
    std::vector<int32_t>& out = g->maps.slots;
    const std::span<const ValType> types = r_->stack();
    for (uint32_t p = 0; p < below; ++p)
      if (isGcRefType(types[p], m_) && vs_[p] != kPend && vs_[p] >= numLocals_) out.push_back(static_cast<int32_t>(vs_[p]));
    for (uint32_t sl : gcArgs_) out.push_back(static_cast<int32_t>(sl));
    gcArgs_.clear();
    for (uint32_t d = 0; d < r_->controlDepth(); ++d) {
      const Label& l = labels_[r_->control(d).user];
      if (l.exnScratch != kNoPos) out.push_back(static_cast<int32_t>(l.exnScratch));
    }
  }
  // A call (or throw) with its arguments (payload) in their own slots [b, b+np).
  void callSafepoint(uint32_t b, const CompositeType& ft) {
    if (!out_.gcMaps) return;
    for (uint32_t i = 0; i < ft.params.size(); ++i)
      if (isGcRefType(ft.params[i], m_)) gcArgs_.push_back(numLocals_ + b + i);
    safepoint(b);
  }
  // A tail call: the arguments were moved to slots [0, np) (over the locals); nothing else of the frame is live.
  void tailCallSafepoint(const CompositeType& ft) {
    if (!out_.gcMaps) return;
    for (uint32_t i = 0; i < ft.params.size(); ++i)
      if (isGcRefType(ft.params[i], m_)) gcArgs_.push_back(i);
    safepoint(0, /*noLocals=*/true);
  }
  // An allocating GC op just emitted (emitGc: 2 handler words, op, dst, s0..s4, 3 immediates); its operands start at
  // stack position `b`. struct.new / array.new_fixed read their values from consecutive slots from s0, array.new its
  // initial value from s0.
  void allocSafepoint(const Instr& in, uint32_t b) {
    const uint32_t s0 = code_[pc() - 12 + 4];
    for (uint32_t k = 0, n = semantics::gcAllocOperands(in, m_, code_[pc() - 2]); k < n; ++k)  // (imm1: a count)
      if (semantics::gcAllocOperandIsRef(in, m_, k) && s0 + k >= numLocals_) gcArgs_.push_back(s0 + k);
    safepoint(b);
  }

  uint32_t callBase(const CompositeType& ft) const { return height() - static_cast<uint32_t>(ft.results.size()); }
  void reserve(uint32_t b, const CompositeType& ft) {
    slot(b + static_cast<uint32_t>(std::max(ft.params.size(), ft.results.size())));
  }
  void moveArgsDown(uint32_t b, const CompositeType& ft) {
    const uint32_t np = static_cast<uint32_t>(ft.params.size());
    materializeRange(b, b + np);
    for (uint32_t i = 0; i < np; ++i)
      if (slot(b + i) != i) emit(IOp::Copy, i, slot(b + i));
  }
  void emitGc(Op op, uint32_t dst, std::initializer_list<uint32_t> slots, const semantics::GcImms& im) {
    head(IOp::Gc);
    word(static_cast<uint32_t>(op));
    word(dst);
    uint32_t k = 0;
    for (uint32_t sl : slots) word(sl), ++k;
    for (; k < 5; ++k) word(0);
    for (uint32_t w : im.imm) word(w);
  }
  // After a GC op: a result (if any) sits in its own slot at h-1.
  void setOwnAfter(Op op, uint32_t h) {
    const bool hasResult = op != Op::StructSet && op != Op::ArraySet && op != Op::ArrayFill && op != Op::ArrayCopy &&
                           op != Op::ArrayInitData && op != Op::ArrayInitElem;
    if (hasResult) setOwn(h - 1, h);
    else sync();
  }
  // A conditional jump on `cond` (taken when non-zero, or zero with !jumpIfTrue); returns the position of its target
  // word. When `cond` was just computed by an i32 comparison into a dead stack slot, the comparison is fused into the
  // jump (compare+branch in one dispatch).
  // With `cost` != kNoPos the jump is a loop back-edge (a ##Back op with the cost word after the target).
  uint32_t emitCondJump(bool jumpIfTrue, uint32_t cond, uint32_t cost = kNoPos) {
    const bool back = cost != kNoPos;
    if (lastDst_ != kNoPos && lastDst_ == lastStart_ + 2 && code_[lastDst_] == cond && cond >= numLocals_) {
      const IOp prev = lastIOp_;
      IOp fused = IOp::Count;
      if (prev == IOp::I32Eqz)
        fused = jumpIfTrue ? (back ? IOp::BrUnlessBack : IOp::BrUnless) : (back ? IOp::BrIfBack : IOp::BrIf);
      else if (prev == IOp::I64Eqz)
        fused = jumpIfTrue ? (back ? IOp::BrUnless64Back : IOp::BrUnless64) : (back ? IOp::BrIf64Back : IOp::BrIf64);
      else
        fused = fusedBranch(prev, !jumpIfTrue, back);
      if (fused != IOp::Count) {
        // The comparison's operands (after its dst) become the branch's, followed by the target (and cost).
        uint32_t ops[3];
        const uint32_t n = pc() - (lastDst_ + 1);
        for (uint32_t i = 0; i < n; ++i) ops[i] = code_[lastDst_ + 1 + i];
        code_.resize(lastStart_);
        --opCount_;
        if (loopDepth_ == 0) --outsideOps_;
        head(fused);
        for (uint32_t i = 0; i < n; ++i) word(ops[i]);
        word(kNoPos);
        const uint32_t at = pc() - 1;
        if (back) word(cost);
        return at;
      }
    }
    emit(jumpIfTrue ? (back ? IOp::BrIfBack : IOp::BrIf) : (back ? IOp::BrUnlessBack : IOp::BrUnless), cond);
    word(kNoPos);
    const uint32_t at = pc() - 1;
    if (back) word(cost);
    return at;
  }
  void legacyCatch(ControlEntry& c, CatchClause::Kind kind, uint32_t tagIndex) {
    Label& l = labels_[c.user];
    if (l.dead) return;
    if (!c.unreachable) {  // the previous body falls through to the end of the try
      materializeAll();
      emit(IOp::Jump);
      l.patches.push_back(pc());
      word(kNoPos);
    }
    HandlerRange& h = out_.handlers[l.handler];
    if (c.kind == CtrlKind::Try) h.end = pc();  // the first catch closes the try body
    if (l.exnScratch == kNoPos) l.exnScratch = declaredLocals_ + numExn_++;  // a hidden local (second lowering)
    CatchEntry e;
    e.kind = static_cast<uint8_t>(kind);
    e.tag = tagIndex;
    e.dst = numLocals_ + c.height;
    e.target = pc();
    e.exnSlot = l.exnScratch;
    l.legacyCatches.push_back(e);  // made contiguous in InterpFunc::catches at the end of the try
    lastDst_ = kNoPos;
    const uint32_t np = kind == CatchClause::Catch && tagIndex < m_.tags.size() &&
                                m_.tags[tagIndex].typeIndex < m_.types.size()
                            ? static_cast<uint32_t>(m_.types[m_.tags[tagIndex].typeIndex].comp.params.size())
                            : 0;
    if (np) slot(c.height + np - 1);
    setOwn(c.height, c.height + np);
  }
  uint32_t scratch() { return numScratch_++; }
  bool inCatchBody() const {
    for (uint32_t d = 0; d < r_->controlDepth(); ++d)
      if (labels_[r_->control(d).user].exnScratch != kNoPos) return true;
    return false;
  }
  // Table index with bit 31 set for a 64-bit table (its index operands are i64).
  uint32_t tableWord(uint32_t t) const {
    return t | (t < m_.tables.size() && m_.tables[t].type.limits.is64 ? 0x80000000u : 0);
  }
  void emitCopyToScratch(uint32_t s, uint32_t src) {
    emit(IOp::Copy);
    scratchFixups_.push_back(pc());
    word(s);
    word(src);
  }
  void emitCopyFromScratch(uint32_t dst, uint32_t s) {
    emit(IOp::Copy, dst);
    scratchFixups_.push_back(pc());
    word(s);
  }

  // ---- emission ----
  uint32_t pc() const { return static_cast<uint32_t>(code_.size()); }
  [[gnu::always_inline]] void word(uint32_t w) { code_.push_back(w); }
  static uint32_t lo(uint64_t v) { return static_cast<uint32_t>(v); }
  static uint32_t hi(uint64_t v) { return static_cast<uint32_t>(v >> 32); }
  [[gnu::always_inline]] void head(IOp op) {
    if (__builtin_expect(posMap_ != nullptr, 0)) recordPos();
    lastStart_ = pc();
    lastIOp_ = op;
    ++opCount_;
    if (loopDepth_ == 0) ++outsideOps_;
    const void* h = handlers_[static_cast<unsigned>(op)];
    uint32_t w[2];
    std::memcpy(w, &h, sizeof h);
    word(w[0]);
    word(w[1]);
    lastDst_ = kNoPos;
  }
  template <typename... W>
  void emit(IOp op, W... ws) {
    head(op);
    (word(static_cast<uint32_t>(ws)), ...);
  }
  // An instruction whose first operand is its destination slot (candidate for local.set retargeting).
  template <typename... W>
  void emitDst(IOp op, uint32_t dst, W... ws) {
    head(op);
    lastDst_ = pc();
    word(dst);
    (word(static_cast<uint32_t>(ws)), ...);
  }
  void unsupported(std::string_view what) {
    if (error_.empty()) error_ = "unsupported: " + std::string(what);
  }
  // The position map (recording lowering only, see wasmOffsetAt): the op starting at pc() comes from the instruction
  // the reader is at. An op fused into the previous one (code cut back to its start, then re-emitted) keeps the first
  // record at that position: the part that can trap (an f64 load fused into an add) is the earlier instruction.
  [[gnu::noinline]] void recordPos() {
    const uint32_t at = pc();
    while (!posMap_->empty() && posMap_->back().first > at) posMap_->pop_back();
    if (!posMap_->empty() && posMap_->back().first == at) return;
    posMap_->emplace_back(at, static_cast<uint32_t>(r_->instr().offset));
  }

 public:
  void setPosMap(std::vector<std::pair<uint32_t, uint32_t>>* map) { posMap_ = map; }

 private:
  std::vector<std::pair<uint32_t, uint32_t>>* posMap_ = nullptr;

  const Module& m_;
  const std::vector<uint32_t>& typeIds_;
  InterpFunc& out_;
  const void* const* handlers_;
  Reader* r_ = nullptr;
  static constexpr uint32_t kPend = 0xFFFFFFF0u;
  CodeBuf& code_;
  std::vector<uint32_t>& vs_;
  std::vector<Pend>& pend_;  // by stack position
  std::vector<Label>& labels_;  // [0, nLabels_) in use
  std::vector<uint32_t>& scratchFixups_;
  std::vector<uint32_t>& srcs_;
  std::vector<uint32_t>& retStubCatches_;
  std::vector<uint32_t> gcArgs_;  // safepoint(): the op's consumed operand slots holding references
  uint32_t nLabels_ = 0;
  uint32_t opCount_ = 0, outsideOps_ = 0, loopDepth_ = 0;
  uint32_t hidden_ = 0;
  uint32_t declaredLocals_ = 0, numExn_ = 0;
  uint32_t numLocals_ = 0, numResults_ = 0, maxHeight_ = 0, numScratch_ = 0;
  uint32_t lastDst_ = kNoPos;    // dst word of the last instruction, while it may still be retargeted or fused
  uint32_t lastStart_ = kNoPos;  // start of the last instruction
  IOp lastIOp_ = IOp::Count;
  std::string error_;
  const Instance* inst_ = nullptr;  // the instance the code runs in (its memories decide guarded accesses)
};

}  // namespace

const char* iopName(IOp op) {
  static const char* const kNames[] = {
#define MYRT_IOP_X(name) #name,
      MYRT_IOPS_ALL
#undef MYRT_IOP_X
  };
  static_assert(sizeof(kNames) / sizeof(kNames[0]) == kNumIOps);
  return static_cast<unsigned>(op) < kNumIOps ? kNames[static_cast<unsigned>(op)] : "?";
}

namespace {
Result<std::unique_ptr<InterpFunc>> lower(Instance& inst, uint32_t funcIndex,
                                          std::vector<std::pair<uint32_t, uint32_t>>* posMap) {
  if (!inst.module) return Error("unsupported: no module");
  const Module& m = *inst.module;
  if (!inst.tierData) inst.tierData = std::make_unique<LowerContext>(m);
  auto* lc = static_cast<LowerContext*>(inst.tierData.get());
  static thread_local LowerBuffers buffers;
  for (uint32_t hidden = 0;;) {
    auto out = std::make_unique<InterpFunc>();
    Lowering low(m, inst.typeIds, *out, buffers, hidden);
    Lowering::Reader reader(lc->types, low);
    low.setReader(&reader);
    low.setInstance(&inst);
    if (posMap) posMap->clear();
    low.setPosMap(posMap);
    Status s = reader.readFunction(funcIndex);
    if (!s.ok()) return Error(s.error().message);
    if (!low.error().empty()) return Error(low.error());
    if (low.exnSlotsNeeded() != hidden) {  // legacy catch bodies: again, with their hidden locals
      hidden = low.exnSlotsNeeded();
      continue;
    }
    low.finish();
    return out;
  }
}
}  // namespace

namespace {

// StoreConfig::shareInterpCode: lowered functions per Module (by address, checked against a weak pointer so a new
// Module at a freed one's address never sees its code) and per lowering key. Lowering reads only the module, the
// instance's canonical type ids and which of its memories are guarded, so code lowered for one instance is the code
// of any instance with the same key.
struct SharedCode {
  std::weak_ptr<const Module> module;
  std::vector<uint32_t> typeIds;
  std::vector<bool> guarded;
  std::unordered_map<uint32_t, std::shared_ptr<const InterpFunc>> funcs;
};
std::mutex sharedMu;
std::unordered_map<const Module*, std::vector<SharedCode>> sharedCode;

std::unique_ptr<InterpFunc> copyOf(const InterpFunc& f) {
  auto out = std::make_unique<InterpFunc>();
  out->code = f.code;
  out->handlers = f.handlers;
  out->catches = f.catches;
  out->numParams = f.numParams;
  out->numLocals = f.numLocals;
  out->numHidden = f.numHidden;
  out->frameSize = f.frameSize;
  out->zeroEnd = f.zeroEnd;
  out->entryCost = f.entryCost;
  out->loopHeads = f.loopHeads;
  return out;  // posMap: built again from this instance on the first trap (wasmOffsetAt)
}

Result<std::unique_ptr<InterpFunc>> lowerShared(Instance& inst, uint32_t funcIndex) {
  std::vector<bool> guarded;
  guarded.reserve(inst.memories.size());
  for (const MemoryInst* m : inst.memories) guarded.push_back(m->guarded);
  SharedCode* entry = nullptr;
  {
    std::lock_guard<std::mutex> lock(sharedMu);
    auto& list = sharedCode[inst.module.get()];
    std::erase_if(list, [](const SharedCode& c) { return c.module.expired(); });
    for (SharedCode& c : list)
      if (c.typeIds == inst.typeIds && c.guarded == guarded) entry = &c;
    if (entry) {
      if (auto it = entry->funcs.find(funcIndex); it != entry->funcs.end()) return copyOf(*it->second);
    }
  }
  auto r = lower(inst, funcIndex, nullptr);
  if (!r.ok()) return r;
  auto shared = std::shared_ptr<const InterpFunc>(copyOf(**r));
  std::lock_guard<std::mutex> lock(sharedMu);
  auto& list = sharedCode[inst.module.get()];
  std::erase_if(list, [](const SharedCode& c) { return c.module.expired(); });
  entry = nullptr;
  for (SharedCode& c : list)
    if (c.typeIds == inst.typeIds && c.guarded == guarded) entry = &c;
  if (!entry) {
    list.push_back(SharedCode{inst.module, inst.typeIds, std::move(guarded), {}});
    entry = &list.back();
  }
  entry->funcs.emplace(funcIndex, std::move(shared));
  return r;
}

}  // namespace

Result<std::unique_ptr<InterpFunc>> lowerFunction(Instance& inst, uint32_t funcIndex) {
  if (inst.store && inst.store->config().shareInterpCode && inst.module) return lowerShared(inst, funcIndex);
  return lower(inst, funcIndex, nullptr);
}

// Lowering is deterministic, so the map is built by lowering the function again with recording on, the first time a
// trap needs it (V8 collects source positions lazily the same way): lowering itself pays one predictable test per op,
// and only functions that trapped hold a map. The copy must produce the same code; if not, offsets stay unknown.
uint32_t wasmOffsetAt(const FuncInst& f, uint32_t pos) {
  auto* code = static_cast<InterpFunc*>(f.code.get());
  if (!code || !f.instance) return kNoWasmOffset;
  if (!code->posMap) {
    code->posMap = std::make_unique<std::vector<std::pair<uint32_t, uint32_t>>>();
    auto again = lower(*f.instance, f.index, code->posMap.get());
    if (!again.ok() || (*again)->code != code->code) code->posMap->clear();
  }
  const auto& map = *code->posMap;
  auto it = std::upper_bound(map.begin(), map.end(), pos, [](uint32_t p, const auto& e) { return p < e.first; });
  return it == map.begin() ? kNoWasmOffset : std::prev(it)->second;
}

}  // namespace myrt::interp
