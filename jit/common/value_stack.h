// jit/common/value_stack.h -- the single-pass compiler's model of the WebAssembly operand stack.
// Layer: jit/common (backend-neutral: registers are small integer codes chosen by the backend).
//
// Every operand stack position p has a home slot in the frame (Value-sized, see frame layout in jit.h). A value is
//   Stack  -- in its home slot,
//   Reg    -- in a register (GP for i32/i64/ref, FP for f32/f64/v128: the vector registers),
//   Const  -- a constant not yet materialized (i32/i64/f32/f64 bits; v128 constants go to a register at once),
//   Local  -- a pending `local.get`: the local's frame slot is read when the value is used (materialized first if the
//             local is overwritten while the read is pending).
// Values below the innermost block's entry height are always Stack: control flow merges in home slots (every
// block/loop/if/else/end and branch spills), so the operand stack needs no merge of register states. (Locals may also
// sit in registers: the local cache of jit/common/baseline_compiler.h, which has its own, simple merge rules.)
#pragma once
#include <cstdint>
#include <vector>

#include "runtime/wasm/types.h"

namespace myrt::jit {

enum class Loc : uint8_t { Stack, Reg, Const, Local };

struct VarState {
  Loc loc = Loc::Stack;
  ValKind kind = ValKind::I32;
  uint8_t reg = 0;      // Loc::Reg
  uint32_t local = 0;   // Loc::Local
  uint64_t bits = 0;    // Loc::Const
  static VarState stack(ValKind k) { return {Loc::Stack, k}; }
  static VarState inReg(ValKind k, uint8_t r) { return {Loc::Reg, k, r}; }
  static VarState constant(ValKind k, uint64_t b) { return {Loc::Const, k, 0, 0, b}; }
  static VarState ofLocal(ValKind k, uint32_t i) { return {Loc::Local, k, 0, i}; }
};

// Register classes of a value: FP (the vector registers) for floats and v128, GP for integers and references.
enum class RegClass : uint8_t { Gp, Fp };
inline RegClass regClassOf(ValKind k) {
  switch (k) {
    case ValKind::F32: case ValKind::F64: case ValKind::V128: return RegClass::Fp;
    default: return RegClass::Gp;
  }
}

// A set of allocatable registers (codes 0..63) with the free ones marked.
class RegSet {
 public:
  explicit RegSet(uint64_t allocatable = 0) : all_(allocatable), free_(allocatable) {}
  bool hasFree() const { return free_ != 0; }
  // Takes the lowest free register; call only when hasFree().
  uint8_t take() {
    const uint8_t r = static_cast<uint8_t>(__builtin_ctzll(free_));
    free_ &= free_ - 1;
    return r;
  }
  void take(uint8_t r) { free_ &= ~(uint64_t(1) << r); }
  void release(uint8_t r) { free_ |= (uint64_t(1) << r) & all_; }
  bool isFree(uint8_t r) const { return (free_ >> r) & 1; }
  void reset() { free_ = all_; }

 private:
  uint64_t all_, free_;
};

}  // namespace myrt::jit
