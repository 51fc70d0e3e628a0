// fuzz/lib/wasm_gen.cpp -- see wasm_gen.h. Expressions are generated type-directed (each pushes exactly one value of
// the requested type) and statements are stack-neutral, so every sequence validates, reachable or not.
#include "fuzz/lib/wasm_gen.h"

#include <cstdio>
#include <cstring>

#include "runtime/text/printer.h"

namespace myrt::fuzz {
namespace {

using T = GenType;
constexpr T kTypes[] = {T::I32, T::I64, T::F32, T::F64};

const char* tn(T t) {
  switch (t) {
    case T::I32: return "i32";
    case T::I64: return "i64";
    case T::F32: return "f32";
    case T::F64: return "f64";
  }
  return "?";
}
bool isFloat(T t) { return t == T::F32 || t == T::F64; }

// Bytes as a stream of choices; once exhausted every choice is 0, which always picks something small and terminal.
class Src {
 public:
  Src(const uint8_t* p, size_t n) : p_(p), n_(n) {}
  bool done() const { return i_ >= n_; }
  uint8_t u8() { return i_ < n_ ? p_[i_++] : 0; }
  uint32_t u32() {
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) v = (v << 8) | u8();
    return v;
  }
  uint64_t u64() { return (uint64_t(u32()) << 32) | u32(); }
  uint32_t below(uint32_t k) {
    if (k <= 1) return 0;
    return k <= 256 ? u8() % k : u32() % k;
  }
  bool chance(uint32_t numerator, uint32_t denominator) { return below(denominator) < numerator; }

 private:
  const uint8_t* p_;
  size_t n_;
  size_t i_ = 0;
};

struct FuncSig {
  std::vector<T> params, results;
};
struct GlobalDef {
  T t;
  bool mut;
};
struct Label {
  bool loop;
  bool hasResult;
  T t;
};

constexpr uint32_t kInt32s[] = {0, 1, 2, 0xffffffffu, 0xfffffffeu, 0x80000000u, 0x7fffffffu, 31, 32, 33, 0xffff,
                                0x10000, 0xfff0, 0xfffc, 0xffffff80u, 7, 0x1000, 100};
constexpr uint64_t kInt64s[] = {0, 1, 2, ~0ull, ~0ull - 1, 0x8000000000000000ull, 0x7fffffffffffffffull, 63, 64, 65,
                                0xffffffffull, 0x100000000ull, 0x80000000ull, 0xffffffff80000000ull, 0xffff, 7};
constexpr uint32_t kF32s[] = {0, 0x80000000u, 0x3f800000u, 0xbf800000u, 0x7f800000u, 0xff800000u, 0x7fc00000u,
                              0xffc00000u, 0x7fa00001u, 0x7fc00001u, 0x4f000000u, 0x4f800000u, 0xcf000000u,
                              0x5f000000u, 0xdf000000u, 0x3fc00000u, 0x40200000u, 0xbf000000u, 0x3effffffu, 1,
                              0x7f7fffffu, 0x00800000u, 0x4effffffu, 0xcf000001u, 0x4b800000u};
constexpr uint64_t kF64s[] = {0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
                              0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull,
                              0xfff8000000000000ull, 0x7ff4000000000001ull, 0x7ff8000000000001ull,
                              0x41e0000000000000ull, 0x41f0000000000000ull, 0xc1e0000000000000ull,
                              0x43e0000000000000ull, 0xc3e0000000000000ull, 0x3ff8000000000000ull,
                              0x4004000000000000ull, 0xbfe0000000000000ull, 0x3fdfffffffffffffull, 1,
                              0x7fefffffffffffffull, 0x0010000000000000ull, 0x41dfffffffc00000ull,
                              0xc1e0000000200000ull, 0x43f0000000000000ull, 0x4330000000000000ull};

template <class A>
auto pick(Src& s, const A& arr) {
  return arr[s.below(sizeof(arr) / sizeof(arr[0]))];
}

std::string hex(uint64_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

class Gen {
 public:
  Gen(const uint8_t* data, size_t size) : s_(data, size) {}

  GeneratedModule run() {
    GeneratedModule gm;
    canon_ = gm.canonicalNaNs = s_.below(8) != 0;  // mostly the exact mode
    const uint32_t nfuncs = 1 + s_.below(4);
    for (uint32_t i = 0; i < nfuncs; ++i) {
      FuncSig f;
      for (uint32_t k = s_.below(4); k > 0; --k) f.params.push_back(type());
      for (uint32_t k = s_.below(3); k > 0; --k) f.results.push_back(type());
      funcs_.push_back(std::move(f));
    }
    globals_.push_back({T::I32, true});  // 0: the budget
    for (uint32_t k = 1 + s_.below(5); k > 0; --k) globals_.push_back({type(), s_.below(4) != 0});

    out_ += "(module\n";
    for (uint32_t i = 0; i < nfuncs; ++i) {
      out_ += "  (type $t" + std::to_string(i) + " (func";
      sigText(funcs_[i]);
      out_ += "))\n";
    }
    out_ += "  (memory 1 3)\n";
    out_ += "  (table " + std::to_string(nfuncs + 2) + " funcref)\n";
    out_ += "  (elem (i32.const 0) func";
    for (uint32_t i = 0; i < nfuncs; ++i) out_ += " $f" + std::to_string(i);
    out_ += ")\n";
    out_ += "  (global (mut i32) (i32.const 0))\n";
    for (size_t g = 1; g < globals_.size(); ++g) {
      const GlobalDef& gd = globals_[g];
      out_ += std::string("  (global ") + (gd.mut ? "(mut " : "") + tn(gd.t) + (gd.mut ? ")" : "") + " ";
      constant(gd.t);
      out_ += ")\n";
    }
    if (uint32_t n = s_.below(33)) {
      out_ += "  (data (i32.const " + std::to_string(s_.below(65536 - n + 1)) + ") \"";
      for (; n > 0; --n) {
        char b[8];
        std::snprintf(b, sizeof b, "\\%02x", s_.u8());
        out_ += b;
      }
      out_ += "\")\n";
    }
    out_ += "  (export \"budget\" (global 0))\n  (export \"mem\" (memory 0))\n";
    for (size_t g = 1; g < globals_.size(); ++g)
      out_ += "  (export \"g" + std::to_string(g) + "\" (global " + std::to_string(g) + "))\n";
    for (uint32_t i = 0; i < nfuncs; ++i) function(i);
    out_ += ")\n";
    gm.wat = std::move(out_);

    // Invocations: every function once, then a few more in any order.
    const uint32_t extra = s_.below(4);
    for (uint32_t k = 0; k < nfuncs + extra; ++k) {
      const uint32_t i = k < nfuncs ? k : s_.below(nfuncs);
      GenCall c;
      c.exportName = "f";
      c.exportName += std::to_string(i);
      for (T t : funcs_[i].params) c.args.push_back(argValue(t));
      gm.calls.push_back(std::move(c));
    }
    return gm;
  }

 private:
  static constexpr int kMaxDepth = 6;
  static constexpr uint32_t kCounters = 4;  // nested loop counters per function

  T type() { return kTypes[s_.below(4)]; }

  void sigText(const FuncSig& f) {
    if (!f.params.empty()) {
      out_ += " (param";
      for (T t : f.params) out_ += std::string(" ") + tn(t);
      out_ += ")";
    }
    if (!f.results.empty()) {
      out_ += " (result";
      for (T t : f.results) out_ += std::string(" ") + tn(t);
      out_ += ")";
    }
  }

  Value argValue(T t) {
    const bool interesting = s_.below(4) != 0;
    switch (t) {
      case T::I32: return Value::fromI32(interesting ? pick(s_, kInt32s) : s_.u32());
      case T::I64: return Value::fromI64(interesting ? pick(s_, kInt64s) : s_.u64());
      case T::F32: return Value::fromF32Bits(interesting ? pick(s_, kF32s) : s_.u32());
      case T::F64: return Value::fromF64Bits(interesting ? pick(s_, kF64s) : s_.u64());
    }
    return Value();
  }

  void constant(T t) {
    Value v = argValue(t);
    switch (t) {
      case T::I32: out_ += "(i32.const " + hex(v.i32) + ")"; break;
      case T::I64: out_ += "(i64.const " + hex(v.i64) + ")"; break;
      case T::F32: out_ += "(f32.const " + printF32(v.i32) + ")"; break;
      case T::F64: out_ += "(f64.const " + printF64(v.i64) + ")"; break;
    }
  }

  void zero(T t) { out_ += std::string("(") + tn(t) + ".const 0)"; }

  // ---- functions ----
  void function(uint32_t i) {
    cur_ = i;
    const FuncSig& f = funcs_[i];
    locals_ = f.params;
    const uint32_t nuser = s_.below(5);
    std::vector<T> user;
    for (uint32_t k = 0; k < nuser; ++k) user.push_back(type());
    locals_.insert(locals_.end(), user.begin(), user.end());
    numReadable_ = static_cast<uint32_t>(locals_.size());
    counterBase_ = numReadable_;
    canonF32_ = counterBase_ + kCounters;
    canonF64_ = canonF32_ + 1;
    canonV_ = canonF64_ + 1;
    labels_.clear();
    loopDepth_ = 0;
    nodes_ = 30 + static_cast<int>(s_.below(200));
    callsLeft_ = 3;

    out_ += "  (func $f" + std::to_string(i) + " (export \"f" + std::to_string(i) + "\") (type $t" + std::to_string(i) + ")";
    sigText(f);
    out_ += "\n    (local";
    for (T t : user) out_ += std::string(" ") + tn(t);
    out_ += " i32 i32 i32 i32 f32 f64 v128)\n";
    // Entry: charge the budget; out of budget -> return zeros.
    out_ += "    (global.set 0 (i32.sub (global.get 0) (i32.const 1)))\n";
    out_ += "    (if (i32.le_s (global.get 0) (i32.const 0)) (then (return";
    for (T t : f.results) {
      out_ += " ";
      zero(t);
    }
    out_ += ")))\n";
    for (uint32_t k = s_.below(8); k > 0; --k) {
      out_ += "    ";
      stmt(0);
      out_ += "\n";
    }
    for (T t : f.results) {
      out_ += "    ";
      expr(t, 0);
      out_ += "\n";
    }
    out_ += "  )\n";
  }

  // ---- labels ----
  // Relative depth of labels_[pos] for br.
  uint32_t depthOf(size_t pos) const { return static_cast<uint32_t>(labels_.size() - 1 - pos); }
  // A random non-loop label (-1 if none). Loop labels are only targeted by the counted back-edge.
  int pickBranchLabel() {
    std::vector<int> c;
    for (size_t k = 0; k < labels_.size(); ++k)
      if (!labels_[k].loop) c.push_back(static_cast<int>(k));
    if (c.empty()) return -1;
    return c[s_.below(static_cast<uint32_t>(c.size()))];
  }
  int pickValueLabel(T t) {
    std::vector<int> c;
    for (size_t k = 0; k < labels_.size(); ++k)
      if (!labels_[k].loop && labels_[k].hasResult && labels_[k].t == t) c.push_back(static_cast<int>(k));
    if (c.empty()) return -1;
    return c[s_.below(static_cast<uint32_t>(c.size()))];
  }
  // The operands a branch to labels_[pos] carries.
  void branchValue(int pos, int d) {
    if (labels_[pos].hasResult) {
      out_ += " ";
      expr(labels_[pos].t, d + 1);
    }
  }

  // ---- statements (stack-neutral) ----
  void stmts(int d, uint32_t maxCount) {
    for (uint32_t k = s_.below(maxCount + 1); k > 0; --k) {
      out_ += " ";
      stmt(d);
    }
  }

  void stmt(int d) {
    if (--nodes_ <= 0 || d > kMaxDepth || s_.done()) {
      out_ += "(nop)";
      return;
    }
    switch (s_.below(20)) {
      case 0:
      case 1: {  // local.set
        const uint32_t l = s_.below(numReadable_ + 1);
        if (l >= numReadable_) return setGlobal(d);
        out_ += "(local.set " + std::to_string(l) + " ";
        expr(locals_[l], d + 1);
        out_ += ")";
        return;
      }
      case 2: return setGlobal(d);
      case 3:
      case 4: return store(d);
      case 5: {
        out_ += "(drop ";
        expr(type(), d + 1);
        out_ += ")";
        return;
      }
      case 6: {
        out_ += "(if ";
        cond(d + 1);
        labels_.push_back({false, false, T::I32});
        out_ += " (then";
        stmts(d + 1, 4);
        out_ += ")";
        if (s_.chance(1, 2)) {
          out_ += " (else";
          stmts(d + 1, 4);
          out_ += ")";
        }
        labels_.pop_back();
        out_ += ")";
        return;
      }
      case 7: {
        out_ += "(block";
        labels_.push_back({false, false, T::I32});
        stmts(d + 1, 5);
        labels_.pop_back();
        out_ += ")";
        return;
      }
      case 8:
      case 9: return loop(d);
      case 10: return callStmt(d);
      case 11: {  // br_if
        const int l = pickBranchLabel();
        if (l < 0) return stmt(d);
        const bool v = labels_[l].hasResult;
        out_ += v ? "(drop (br_if " : "(br_if ";
        out_ += std::to_string(depthOf(l));
        branchValue(l, d);
        out_ += " ";
        cond(d + 1);
        out_ += v ? "))" : ")";
        return;
      }
      case 12: return brTable(d);
      case 13: {  // br (rare)
        const int l = pickBranchLabel();
        if (l < 0 || !s_.chance(1, 3)) return stmt(d);
        out_ += "(br " + std::to_string(depthOf(l));
        branchValue(l, d);
        out_ += ")";
        return;
      }
      case 14: {  // return (rare)
        if (!s_.chance(1, 4)) return stmt(d);
        out_ += "(return";
        for (T t : funcs_[cur_].results) {
          out_ += " ";
          expr(t, d + 1);
        }
        out_ += ")";
        return;
      }
      case 15: {  // unreachable (rare)
        if (!s_.chance(1, 16)) return stmt(d);
        out_ += "(unreachable)";
        return;
      }
      case 16: {  // bulk memory
        const bool fill = s_.chance(1, 2);
        out_ += fill ? "(memory.fill " : "(memory.copy ";
        address(d);
        out_ += " ";
        if (fill)
          expr(T::I32, d + 1);
        else
          address(d);
        out_ += " (i32.const " + std::to_string(s_.chance(1, 32) ? s_.u32() : s_.below(300)) + "))";
        return;
      }
      case 17: {  // memory.grow for its effect
        out_ += "(drop (memory.grow (i32.const " + std::to_string(s_.below(3)) + ")))";
        return;
      }
      case 18: return simdStore(d);
      default: {
        out_ += "(drop ";
        expr(type(), d + 1);
        out_ += ")";
        return;
      }
    }
  }

  void setGlobal(int d) {
    std::vector<uint32_t> c;
    for (uint32_t g = 1; g < globals_.size(); ++g)
      if (globals_[g].mut) c.push_back(g);
    if (c.empty()) {
      out_ += "(nop)";
      return;
    }
    const uint32_t g = c[s_.below(static_cast<uint32_t>(c.size()))];
    out_ += "(global.set " + std::to_string(g) + " ";
    expr(globals_[g].t, d + 1);
    out_ += ")";
  }

  void loop(int d) {
    if (loopDepth_ >= kCounters) {
      out_ += "(nop)";
      return;
    }
    const std::string c = std::to_string(counterBase_ + loopDepth_);
    out_ += "(local.set " + c + " (i32.const " + std::to_string(1 + s_.below(12)) + ")) (loop";
    labels_.push_back({true, false, T::I32});
    ++loopDepth_;
    stmts(d + 1, 6);
    --loopDepth_;
    labels_.pop_back();
    out_ += " (global.set 0 (i32.sub (global.get 0) (i32.const 1)))";
    out_ += " (br_if 0 (i32.and (i32.ne (local.tee " + c + " (i32.sub (local.get " + c +
            ") (i32.const 1))) (i32.const 0)) (i32.gt_s (global.get 0) (i32.const 0)))))";
  }

  void brTable(int d) {
    const int def = pickBranchLabel();
    if (def < 0) return stmt(d);
    std::vector<int> same;
    for (size_t k = 0; k < labels_.size(); ++k) {
      const Label& l = labels_[k];
      if (!l.loop && l.hasResult == labels_[def].hasResult && (!l.hasResult || l.t == labels_[def].t))
        same.push_back(static_cast<int>(k));
    }
    out_ += "(br_table";
    for (uint32_t n = s_.below(5); n > 0; --n)
    {
      out_ += ' ';
      out_ += std::to_string(depthOf(same[s_.below(static_cast<uint32_t>(same.size()))]));
    }
    out_ += " " + std::to_string(depthOf(def));
    branchValue(def, d);
    out_ += " ";
    if (s_.chance(1, 2))
      out_ += "(i32.const " + std::to_string(s_.below(7)) + ")";
    else
      expr(T::I32, d + 1);
    out_ += ")";
  }

  // Callees have a higher index than the caller (no recursion). Returns false if none fits.
  bool callee(uint32_t& j, bool needResult, T t) {
    std::vector<uint32_t> c;
    for (uint32_t k = cur_ + 1; k < funcs_.size(); ++k) {
      const auto& r = funcs_[k].results;
      if (!needResult || (!r.empty() && r[0] == t)) c.push_back(k);
    }
    if (c.empty() || callsLeft_ == 0) return false;
    --callsLeft_;
    j = c[s_.below(static_cast<uint32_t>(c.size()))];
    return true;
  }

  void callText(uint32_t j, int d) {
    const bool indirect = s_.chance(1, 3);
    out_ += indirect ? "(call_indirect (type $t" + std::to_string(j) + ")" : "(call $f" + std::to_string(j);
    for (T t : funcs_[j].params) {
      out_ += " ";
      expr(t, d + 1);
    }
    if (indirect) {
      uint32_t k = j;
      if (s_.chance(1, 4)) {  // a null entry, out of the table, or another higher function (type mismatch)
        const uint32_t n = static_cast<uint32_t>(funcs_.size());
        const uint32_t r = s_.below(3);
        k = r == 0 ? n : r == 1 ? n + 2 + s_.below(100) : cur_ + 1 + s_.below(n - cur_ - 1);
      }
      out_ += " (i32.const " + std::to_string(k) + ")";
    }
    out_ += ")";
  }

  void callStmt(int d) {
    uint32_t j;
    if (!callee(j, false, T::I32)) {
      out_ += "(nop)";
      return;
    }
    callText(j, d);
    for (size_t k = 0; k < funcs_[j].results.size(); ++k) out_ += " drop";
  }

  // ---- memory ----
  // Mostly in bounds (memory has 1..3 pages), sometimes at a boundary, sometimes anything.
  void address(int d) {
    const uint32_t r = s_.below(16);
    if (r < 10) {
      out_ += "(i32.const " + std::to_string(s_.below(65536 - 8)) + ")";
    } else if (r < 13) {
      out_ += "(i32.and ";
      expr(T::I32, d + 1);
      out_ += " (i32.const 0x7ff8))";
    } else if (r == 13) {
      out_ += "(i32.const " + std::to_string(65536 - 1 - s_.below(16)) + ")";
    } else if (r == 14) {
      out_ += "(i32.const " + std::to_string(65536 * (1 + s_.below(3)) - s_.below(9)) + ")";
    } else {
      expr(T::I32, d + 1);
    }
  }

  void memarg(uint32_t naturalLog2) {
    const uint32_t r = s_.below(32);
    if (r < 20) {
    } else if (r < 31) {
      out_ += " offset=" + std::to_string(s_.below(64));
    } else {
      static constexpr uint32_t kOffsets[] = {65535, 65536, 0xfffffff0u, 0xffffffffu, 65528};
      out_ += " offset=" + std::to_string(pick(s_, kOffsets));
    }
    if (s_.chance(1, 4)) out_ += " align=" + std::to_string(1u << s_.below(naturalLog2 + 1));
  }

  void store(int d) {
    const T t = type();
    if (isFloat(t) && !canon_) return store(d);  // exact-mode only: stores expose NaN bits
    struct Op {
      const char* name;
      uint32_t log2;
    };
    static constexpr Op kI32[] = {{"i32.store", 2}, {"i32.store8", 0}, {"i32.store16", 1}};
    static constexpr Op kI64[] = {{"i64.store", 3}, {"i64.store8", 0}, {"i64.store16", 1}, {"i64.store32", 2}};
    Op op = t == T::I32 ? pick(s_, kI32) : t == T::I64 ? pick(s_, kI64) : t == T::F32 ? Op{"f32.store", 2} : Op{"f64.store", 3};
    out_ += std::string("(") + op.name;
    memarg(op.log2);
    out_ += " ";
    address(d);
    out_ += " ";
    expr(t, d + 1);
    out_ += ")";
  }

  void load(T t, int d) {
    struct Op {
      const char* name;
      uint32_t log2;
    };
    static constexpr Op kI32[] = {{"i32.load", 2}, {"i32.load8_s", 0}, {"i32.load8_u", 0}, {"i32.load16_s", 1},
                                  {"i32.load16_u", 1}};
    static constexpr Op kI64[] = {{"i64.load", 3},     {"i64.load8_s", 0},  {"i64.load8_u", 0}, {"i64.load16_s", 1},
                                  {"i64.load16_u", 1}, {"i64.load32_s", 2}, {"i64.load32_u", 2}};
    Op op = t == T::I32 ? pick(s_, kI32) : t == T::I64 ? pick(s_, kI64) : t == T::F32 ? Op{"f32.load", 2} : Op{"f64.load", 3};
    out_ += std::string("(") + op.name;
    memarg(op.log2);
    out_ += " ";
    address(d);
    out_ += ")";
  }

  // ---- expressions (push exactly one value of type t) ----
  void leaf(T t) {
    const uint32_t r = s_.below(4);
    if (r == 1 || r == 2) {
      std::vector<uint32_t> c;
      for (uint32_t l = 0; l < numReadable_; ++l)
        if (locals_[l] == t) c.push_back(l);
      if (!c.empty()) {
        out_ += "(local.get " + std::to_string(c[s_.below(static_cast<uint32_t>(c.size()))]) + ")";
        return;
      }
    } else if (r == 3) {
      std::vector<uint32_t> c;
      for (uint32_t g = 1; g < globals_.size(); ++g)
        if (globals_[g].t == t) c.push_back(g);
      if (!c.empty()) {
        out_ += "(global.get " + std::to_string(c[s_.below(static_cast<uint32_t>(c.size()))]) + ")";
        return;
      }
    }
    constant(t);
  }

  // Wraps a NaN-nondeterministic float result (exact mode): NaN -> positive canonical NaN.
  template <class F>
  void canonical(T t, F&& body) {
    if (!canon_ || !isFloat(t)) return body();
    const std::string l = std::to_string(t == T::F32 ? canonF32_ : canonF64_);
    out_ += std::string("(select (") + tn(t) + ".const nan) (local.tee " + l + " ";
    body();
    out_ += ") (" + std::string(tn(t)) + ".ne (local.get " + l + ") (local.get " + l + ")))";
  }

  void unary(T t, int d) {
    static constexpr const char* kInt[] = {"clz", "ctz", "popcnt", "extend8_s", "extend16_s", "eqz"};
    static constexpr const char* kFloat[] = {"abs", "neg", "sqrt", "ceil", "floor", "trunc", "nearest"};
    if (!isFloat(t)) {
      std::string op = pick(s_, kInt);
      if (op == "eqz") {  // result is i32
        if (t != T::I32) op = "extend32_s";
        else {
          const T a = s_.chance(1, 2) ? T::I32 : T::I64;
          out_ += std::string("(") + tn(a) + ".eqz ";
          expr(a, d + 1);
          out_ += ")";
          return;
        }
      }
      if (op == "extend32_s" && t == T::I32) op = "extend16_s";
      out_ += std::string("(") + tn(t) + "." + op + " ";
      expr(t, d + 1);
      out_ += ")";
      return;
    }
    const std::string op = pick(s_, kFloat);
    auto body = [&] {
      out_ += std::string("(") + tn(t) + "." + op + " ";
      expr(t, d + 1);
      out_ += ")";
    };
    if (op == "abs" || op == "neg") return body();
    canonical(t, body);
  }

  void binary(T t, int d) {
    static constexpr const char* kInt[] = {"add",  "sub",  "mul", "div_s", "div_u", "rem_s", "rem_u", "and",
                                           "or",   "xor",  "shl", "shr_s", "shr_u", "rotl",  "rotr",  "add"};
    static constexpr const char* kFloat[] = {"add", "sub", "mul", "div", "min", "max", "copysign"};
    std::string op = isFloat(t) ? pick(s_, kFloat) : pick(s_, kInt);
    if (op == "copysign" && !canon_) op = "add";  // copysign of a NaN operand exposes its sign
    auto body = [&] {
      out_ += std::string("(") + tn(t) + "." + op + " ";
      expr(t, d + 1);
      out_ += " ";
      expr(t, d + 1);
      out_ += ")";
    };
    if (op == "copysign") return body();
    canonical(t, body);
  }

  void compare(int d) {  // i32 result
    static constexpr const char* kInt[] = {"eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"};
    static constexpr const char* kFloat[] = {"eq", "ne", "lt", "gt", "le", "ge"};
    const T a = type();
    out_ += std::string("(") + tn(a) + "." + (isFloat(a) ? pick(s_, kFloat) : pick(s_, kInt)) + " ";
    expr(a, d + 1);
    out_ += " ";
    expr(a, d + 1);
    out_ += ")";
  }

  // A branch/select condition: often a comparison (the JIT fuses compare+branch).
  void cond(int d) {
    if (nodes_ > 0 && d <= kMaxDepth && !s_.done() && s_.chance(1, 2)) {
      --nodes_;
      return compare(d);
    }
    expr(T::I32, d + 1);
  }

  void convert(T t, int d) {
    struct Cv {
      const char* name;
      T from;
      bool nondet;   // NaN result is nondeterministic
      bool exposes;  // reinterprets a float's bits (exact mode only)
    };
    static constexpr Cv kI32[] = {{"i32.wrap_i64", T::I64, false, false},          {"i32.trunc_f32_s", T::F32, false, false},
                                  {"i32.trunc_f32_u", T::F32, false, false},       {"i32.trunc_f64_s", T::F64, false, false},
                                  {"i32.trunc_f64_u", T::F64, false, false},       {"i32.trunc_sat_f32_s", T::F32, false, false},
                                  {"i32.trunc_sat_f32_u", T::F32, false, false},   {"i32.trunc_sat_f64_s", T::F64, false, false},
                                  {"i32.trunc_sat_f64_u", T::F64, false, false},   {"i32.reinterpret_f32", T::F32, false, true}};
    static constexpr Cv kI64[] = {{"i64.extend_i32_s", T::I32, false, false},      {"i64.extend_i32_u", T::I32, false, false},
                                  {"i64.trunc_f32_s", T::F32, false, false},       {"i64.trunc_f32_u", T::F32, false, false},
                                  {"i64.trunc_f64_s", T::F64, false, false},       {"i64.trunc_f64_u", T::F64, false, false},
                                  {"i64.trunc_sat_f32_s", T::F32, false, false},   {"i64.trunc_sat_f32_u", T::F32, false, false},
                                  {"i64.trunc_sat_f64_s", T::F64, false, false},   {"i64.trunc_sat_f64_u", T::F64, false, false},
                                  {"i64.reinterpret_f64", T::F64, false, true}};
    static constexpr Cv kF32[] = {{"f32.convert_i32_s", T::I32, false, false}, {"f32.convert_i32_u", T::I32, false, false},
                                  {"f32.convert_i64_s", T::I64, false, false}, {"f32.convert_i64_u", T::I64, false, false},
                                  {"f32.demote_f64", T::F64, true, false},     {"f32.reinterpret_i32", T::I32, false, false}};
    static constexpr Cv kF64[] = {{"f64.convert_i32_s", T::I32, false, false}, {"f64.convert_i32_u", T::I32, false, false},
                                  {"f64.convert_i64_s", T::I64, false, false}, {"f64.convert_i64_u", T::I64, false, false},
                                  {"f64.promote_f32", T::F32, true, false},    {"f64.reinterpret_i64", T::I64, false, false}};
    Cv c = t == T::I32 ? pick(s_, kI32) : t == T::I64 ? pick(s_, kI64) : t == T::F32 ? pick(s_, kF32) : pick(s_, kF64);
    if (c.exposes && !canon_) c = t == T::I32 ? kI32[5] : kI64[6];
    auto body = [&] {
      out_ += std::string("(") + c.name + " ";
      expr(c.from, d + 1);
      out_ += ")";
    };
    if (c.nondet) return canonical(t, body);
    body();
  }

  // ---- SIMD: v128 values are built and consumed inside one expression (never params, results, globals) ----
  // Every v128 value has deterministic bits: the NaN-nondeterministic float ops appear only in exact mode, wrapped so
  // that NaN lanes become canonical; scalar floats enter vectors only in exact mode (where they are canonical).
  void vconst() {
    char b[48];
    out_ += "(v128.const ";
    switch (s_.below(4)) {
      case 0:
        out_ += "i32x4";
        for (int k = 0; k < 4; ++k) out_ += " " + hex(pick(s_, kInt32s));
        break;
      case 1:
        out_ += "i64x2";
        for (int k = 0; k < 2; ++k) out_ += " " + hex(pick(s_, kInt64s));
        break;
      case 2:
        out_ += "i32x4";  // float lanes by their bits
        for (int k = 0; k < 4; ++k) out_ += " " + hex(pick(s_, kF32s));
        break;
      default:
        out_ += "i8x16";
        for (int k = 0; k < 16; ++k) {
          std::snprintf(b, sizeof b, " 0x%02x", s_.u8());
          out_ += b;
        }
        break;
    }
    out_ += ")";
  }
  template <class F>
  void vcanonical(bool f64, F&& body) {
    const std::string l = std::to_string(canonV_);
    out_ += f64 ? "(v128.bitselect (v128.const i64x2 0x7ff8000000000000 0x7ff8000000000000) (local.tee "
                : "(v128.bitselect (v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000) (local.tee ";
    out_ += l + " ";
    body();
    out_ += std::string(") (") + (f64 ? "f64x2" : "f32x4") + ".ne (local.get " + l + ") (local.get " + l + ")))";
  }
  void vop(const char* name, int nvec, int d) {
    out_ += std::string("(") + name;
    for (int k = 0; k < nvec; ++k) {
      out_ += " ";
      vexpr(d + 1);
    }
    out_ += ")";
  }
  void vload(int d) {
    struct Ld {
      const char* name;
      uint32_t log2;
    };
    static constexpr Ld kLoads[] = {{"v128.load", 4},        {"v128.load8x8_s", 3},    {"v128.load8x8_u", 3},
                                    {"v128.load16x4_s", 3},  {"v128.load16x4_u", 3},   {"v128.load32x2_s", 3},
                                    {"v128.load32x2_u", 3},  {"v128.load8_splat", 0},  {"v128.load16_splat", 1},
                                    {"v128.load32_splat", 2}, {"v128.load64_splat", 3}, {"v128.load32_zero", 2},
                                    {"v128.load64_zero", 3}};
    static constexpr Ld kLanes[] = {{"v128.load8_lane", 0}, {"v128.load16_lane", 1}, {"v128.load32_lane", 2},
                                    {"v128.load64_lane", 3}};
    const bool lane = s_.chance(1, 4);
    const Ld op = lane ? pick(s_, kLanes) : pick(s_, kLoads);
    out_ += std::string("(") + op.name;
    memarg(op.log2);
    if (lane) out_ += " " + std::to_string(s_.below(16u >> op.log2));
    out_ += " ";
    address(d);
    if (lane) {
      out_ += " ";
      vexpr(d + 1);
    }
    out_ += ")";
  }
  void vexpr(int d) {
    if (--nodes_ <= 0 || d > kMaxDepth || s_.done()) return vconst();
    static constexpr const char* kUnary[] = {
        "i8x16.abs", "i8x16.neg", "i8x16.popcnt", "i16x8.abs", "i16x8.neg", "i32x4.abs", "i32x4.neg", "i64x2.abs",
        "i64x2.neg", "v128.not", "i16x8.extend_low_i8x16_s", "i16x8.extend_high_i8x16_s", "i16x8.extend_low_i8x16_u",
        "i16x8.extend_high_i8x16_u", "i32x4.extend_low_i16x8_s", "i32x4.extend_high_i16x8_s",
        "i32x4.extend_low_i16x8_u", "i32x4.extend_high_i16x8_u", "i64x2.extend_low_i32x4_s",
        "i64x2.extend_high_i32x4_s", "i64x2.extend_low_i32x4_u", "i64x2.extend_high_i32x4_u",
        "i16x8.extadd_pairwise_i8x16_s", "i16x8.extadd_pairwise_i8x16_u", "i32x4.extadd_pairwise_i16x8_s",
        "i32x4.extadd_pairwise_i16x8_u", "f32x4.abs", "f32x4.neg", "f64x2.abs", "f64x2.neg", "f32x4.convert_i32x4_s",
        "f32x4.convert_i32x4_u", "f64x2.convert_low_i32x4_s", "f64x2.convert_low_i32x4_u",
        "i32x4.trunc_sat_f32x4_s", "i32x4.trunc_sat_f32x4_u", "i32x4.trunc_sat_f64x2_s_zero",
        "i32x4.trunc_sat_f64x2_u_zero", "i32x4.relaxed_trunc_f32x4_s", "i32x4.relaxed_trunc_f64x2_u_zero"};
    static constexpr const char* kBinary[] = {
        "i8x16.add", "i8x16.sub", "i8x16.add_sat_s", "i8x16.add_sat_u", "i8x16.sub_sat_s", "i8x16.sub_sat_u",
        "i8x16.min_s", "i8x16.min_u", "i8x16.max_s", "i8x16.max_u", "i8x16.avgr_u", "i16x8.add", "i16x8.sub",
        "i16x8.mul", "i16x8.add_sat_s", "i16x8.add_sat_u", "i16x8.sub_sat_s", "i16x8.sub_sat_u", "i16x8.min_s",
        "i16x8.min_u", "i16x8.max_s", "i16x8.max_u", "i16x8.avgr_u", "i16x8.q15mulr_sat_s", "i32x4.add",
        "i32x4.sub", "i32x4.mul", "i32x4.min_s", "i32x4.min_u", "i32x4.max_s", "i32x4.max_u", "i32x4.dot_i16x8_s",
        "i64x2.add", "i64x2.sub", "i64x2.mul", "v128.and", "v128.or", "v128.xor", "v128.andnot",
        "i8x16.narrow_i16x8_s", "i8x16.narrow_i16x8_u", "i16x8.narrow_i32x4_s", "i16x8.narrow_i32x4_u",
        "i16x8.extmul_low_i8x16_s", "i16x8.extmul_high_i8x16_s", "i16x8.extmul_low_i8x16_u",
        "i16x8.extmul_high_i8x16_u", "i32x4.extmul_low_i16x8_s", "i32x4.extmul_high_i16x8_s",
        "i32x4.extmul_low_i16x8_u", "i32x4.extmul_high_i16x8_u", "i64x2.extmul_low_i32x4_s",
        "i64x2.extmul_high_i32x4_s", "i64x2.extmul_low_i32x4_u", "i64x2.extmul_high_i32x4_u", "i8x16.swizzle",
        "i8x16.relaxed_swizzle", "i16x8.relaxed_q15mulr_s", "i16x8.relaxed_dot_i8x16_i7x16_s", "f32x4.pmin",
        "f32x4.pmax", "f64x2.pmin", "f64x2.pmax"};
    static constexpr const char* kCmpShapes[] = {"i8x16", "i16x8", "i32x4"};
    static constexpr const char* kCmpInt[] = {"eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"};
    static constexpr const char* kCmpI64[] = {"eq", "ne", "lt_s", "gt_s", "le_s", "ge_s"};
    static constexpr const char* kCmpFloat[] = {"eq", "ne", "lt", "gt", "le", "ge"};
    static constexpr const char* kShapes[] = {"i8x16", "i16x8", "i32x4", "i64x2"};
    static constexpr const char* kShifts[] = {"shl", "shr_s", "shr_u"};
    switch (s_.below(14)) {
      case 0: return vconst();
      case 1: {  // splat
        static constexpr const char* kSplats[] = {"i8x16.splat", "i16x8.splat", "i32x4.splat", "i64x2.splat",
                                                  "f32x4.splat", "f64x2.splat"};
        const uint32_t k = s_.below(canon_ ? 6 : 4);
        const T st = k < 3 ? T::I32 : k == 3 ? T::I64 : k == 4 ? T::F32 : T::F64;
        out_ += std::string("(") + kSplats[k] + " ";
        expr(st, d + 1);
        out_ += ")";
        return;
      }
      case 2: return vload(d);
      case 3: return vop(pick(s_, kUnary), 1, d);
      case 4:
      case 5:
      case 6: return vop(pick(s_, kBinary), 2, d);
      case 7: {  // shifts: constant or computed counts (masked by the lane width)
        out_ += std::string("(") + pick(s_, kShapes) + "." + pick(s_, kShifts) + " ";
        vexpr(d + 1);
        out_ += " ";
        if (s_.chance(1, 2)) out_ += "(i32.const " + std::to_string(s_.below(70)) + ")";
        else expr(T::I32, d + 1);
        out_ += ")";
        return;
      }
      case 8: {  // comparisons
        const uint32_t k = s_.below(6);
        std::string name;
        if (k < 3) name = std::string(kCmpShapes[k]) + "." + pick(s_, kCmpInt);
        else if (k == 3) name = std::string("i64x2.") + pick(s_, kCmpI64);
        else name = std::string(k == 4 ? "f32x4." : "f64x2.") + pick(s_, kCmpFloat);
        return vop(name.c_str(), 2, d);
      }
      case 9: {  // float arithmetic (NaN-nondeterministic: exact mode, canonicalized)
        if (!canon_) return vop(pick(s_, kBinary), 2, d);
        static constexpr const char* kOps[] = {"add", "sub", "mul", "div", "min", "max", "relaxed_min", "relaxed_max",
                                               "sqrt", "ceil", "floor", "trunc", "nearest", "relaxed_madd",
                                               "relaxed_nmadd", "convert"};
        const bool f64 = s_.chance(1, 2);
        const std::string op = pick(s_, kOps);
        const int n = op == "relaxed_madd" || op == "relaxed_nmadd" ? 3
                      : (op == "sqrt" || op == "ceil" || op == "floor" || op == "trunc" || op == "nearest" ||
                         op == "convert")
                          ? 1
                          : 2;
        const std::string name = op == "convert" ? (f64 ? "f64x2.promote_low_f32x4" : "f32x4.demote_f64x2_zero")
                                                 : std::string(f64 ? "f64x2." : "f32x4.") + op;
        return vcanonical(f64, [&] { vop(name.c_str(), n, d); });
      }
      case 10: {
        static constexpr const char* kSel[] = {"v128.bitselect", "i8x16.relaxed_laneselect",
                                               "i32x4.relaxed_laneselect", "i64x2.relaxed_laneselect"};
        return vop(pick(s_, kSel), 3, d);
      }
      case 11: {  // shuffle
        out_ += "(i8x16.shuffle";
        const uint32_t mode = s_.below(3);  // first operand only, second only, both
        for (int k = 0; k < 16; ++k) {
          const uint32_t l = mode == 0 ? s_.below(16) : mode == 1 ? 16 + s_.below(16) : s_.below(32);
          out_ += " " + std::to_string(l);
        }
        out_ += " ";
        vexpr(d + 1);
        out_ += " ";
        vexpr(d + 1);
        out_ += ")";
        return;
      }
      case 12: {  // replace_lane
        const uint32_t k = s_.below(canon_ ? 6 : 4);
        static constexpr const char* kNames[] = {"i8x16", "i16x8", "i32x4", "i64x2", "f32x4", "f64x2"};
        static constexpr uint32_t kLanes[] = {16, 8, 4, 2, 4, 2};
        const T st = k < 3 ? T::I32 : k == 3 ? T::I64 : k == 4 ? T::F32 : T::F64;
        out_ += std::string("(") + kNames[k] + ".replace_lane " + std::to_string(s_.below(kLanes[k])) + " ";
        vexpr(d + 1);
        out_ += " ";
        expr(st, d + 1);
        out_ += ")";
        return;
      }
      default: return vop("i32x4.add", 2, d);
    }
  }
  // A scalar of type t computed from a vector.
  void simdScalar(T t, int d) {
    switch (t) {
      case T::I32: {
        static constexpr const char* kOps[] = {"v128.any_true", "i8x16.all_true", "i16x8.all_true", "i32x4.all_true",
                                               "i64x2.all_true", "i8x16.bitmask", "i16x8.bitmask", "i32x4.bitmask",
                                               "i64x2.bitmask"};
        const uint32_t k = s_.below(14);
        if (k < 9) return vop(kOps[k], 1, d);
        static constexpr const char* kExtract[] = {"i8x16.extract_lane_s", "i8x16.extract_lane_u",
                                                   "i16x8.extract_lane_s", "i16x8.extract_lane_u",
                                                   "i32x4.extract_lane"};
        static constexpr uint32_t kLanes[] = {16, 16, 8, 8, 4};
        const uint32_t e = k - 9;
        out_ += std::string("(") + kExtract[e] + " " + std::to_string(s_.below(kLanes[e])) + " ";
        vexpr(d + 1);
        out_ += ")";
        return;
      }
      case T::I64: out_ += "(i64x2.extract_lane " + std::to_string(s_.below(2)) + " "; break;
      case T::F32: out_ += "(f32x4.extract_lane " + std::to_string(s_.below(4)) + " "; break;
      case T::F64: out_ += "(f64x2.extract_lane " + std::to_string(s_.below(2)) + " "; break;
    }
    vexpr(d + 1);
    out_ += ")";
  }
  void simdStore(int d) {
    static constexpr const char* kLanes[] = {"v128.store8_lane", "v128.store16_lane", "v128.store32_lane",
                                             "v128.store64_lane"};
    const bool lane = s_.chance(1, 3);
    const uint32_t log2 = lane ? s_.below(4) : 4;
    out_ += lane ? std::string("(") + kLanes[log2] : std::string("(v128.store");
    memarg(log2);
    if (lane) out_ += " " + std::to_string(s_.below(16u >> log2));
    out_ += " ";
    address(d);
    out_ += " ";
    vexpr(d + 1);
    out_ += ")";
  }

  void expr(T t, int d) {
    if (--nodes_ <= 0 || d > kMaxDepth || s_.done()) return leaf(t);
    switch (s_.below(24)) {
      case 0:
      case 1:
      case 2: return leaf(t);
      case 22:
      case 23: return simdScalar(t, d);
      case 3:
      case 4: return unary(t, d);
      case 5:
      case 6:
      case 7: return binary(t, d);
      case 8:
        if (t == T::I32) return compare(d);
        return convert(t, d);
      case 9:
      case 10: return convert(t, d);
      case 11:
      case 12: return load(t, d);
      case 13: {
        out_ += "(select ";
        expr(t, d + 1);
        out_ += " ";
        expr(t, d + 1);
        out_ += " ";
        cond(d + 1);
        out_ += ")";
        return;
      }
      case 14: {
        out_ += std::string("(block (result ") + tn(t) + ")";
        labels_.push_back({false, true, t});
        stmts(d + 1, 3);
        out_ += " ";
        expr(t, d + 1);
        labels_.pop_back();
        out_ += ")";
        return;
      }
      case 15: {
        out_ += std::string("(if (result ") + tn(t) + ") ";
        cond(d + 1);
        labels_.push_back({false, true, t});
        out_ += " (then";
        stmts(d + 1, 2);
        out_ += " ";
        expr(t, d + 1);
        out_ += ") (else";
        stmts(d + 1, 2);
        out_ += " ";
        expr(t, d + 1);
        out_ += "))";
        labels_.pop_back();
        return;
      }
      case 16: {
        uint32_t j;
        if (!callee(j, true, t)) return leaf(t);
        if (funcs_[j].results.size() == 1) return callText(j, d);
        // Keep the first result only: a block drops the others.
        out_ += std::string("(block (result ") + tn(t) + ")";
        labels_.push_back({false, true, t});
        out_ += " ";
        callText(j, d + 1);
        for (size_t k = 1; k < funcs_[j].results.size(); ++k) out_ += " drop";
        labels_.pop_back();
        out_ += ")";
        return;
      }
      case 17: {
        std::vector<uint32_t> c;
        for (uint32_t l = 0; l < numReadable_; ++l)
          if (locals_[l] == t) c.push_back(l);
        if (c.empty()) return leaf(t);
        out_ += "(local.tee " + std::to_string(c[s_.below(static_cast<uint32_t>(c.size()))]) + " ";
        expr(t, d + 1);
        out_ += ")";
        return;
      }
      case 18: {  // br_if carrying a value
        const int l = pickValueLabel(t);
        if (l < 0) return leaf(t);
        out_ += "(br_if " + std::to_string(depthOf(l)) + " ";
        expr(t, d + 1);
        out_ += " ";
        cond(d + 1);
        out_ += ")";
        return;
      }
      case 19: {
        if (t != T::I32) return leaf(t);
        if (s_.chance(1, 2)) {
          out_ += "(memory.size)";
        } else {
          out_ += "(memory.grow ";
          if (s_.chance(3, 4))
            out_ += "(i32.const " + std::to_string(s_.below(3)) + ")";
          else
            expr(T::I32, d + 1);
          out_ += ")";
        }
        return;
      }
      case 20: {  // br (polymorphic: valid as any type), rare
        const int l = pickBranchLabel();
        if (l < 0 || !s_.chance(1, 4)) return leaf(t);
        out_ += "(br " + std::to_string(depthOf(l));
        branchValue(l, d);
        out_ += ")";
        return;
      }
      default: return binary(t, d);
    }
  }

  Src s_;
  std::string out_;
  bool canon_ = true;
  std::vector<FuncSig> funcs_;
  std::vector<GlobalDef> globals_;
  // current function
  uint32_t cur_ = 0;
  std::vector<T> locals_;
  uint32_t numReadable_ = 0, counterBase_ = 0, canonF32_ = 0, canonF64_ = 0, canonV_ = 0;
  std::vector<Label> labels_;
  uint32_t loopDepth_ = 0;
  int nodes_ = 0;
  uint32_t callsLeft_ = 0;
};

}  // namespace

GeneratedModule generateModule(const uint8_t* data, size_t size) { return Gen(data, size).run(); }

std::vector<uint8_t> pseudoRandomBytes(uint64_t seed) {
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  auto next = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  std::vector<uint8_t> out(64 + next() % 2048);
  for (auto& b : out) b = static_cast<uint8_t>(next());
  return out;
}

}  // namespace myrt::fuzz
