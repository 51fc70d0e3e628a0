// runtime/text/printer.h -- prints decoded instructions in the text format (flat/plain form).
// Layer: text (depends on wasm and on the header-only Instr structure of runtime/binary/instr.h). Generic over the
// opcode table's ImmKind, so every opcode has a printed form that the WAT parser reads back to the same opcode and
// immediates. Indices are printed numerically; floats exactly (hex floats, `nan:0x...` payloads).
#pragma once
#include <cstdint>
#include <string>

#include "runtime/binary/instr.h"

namespace myrt {

// "i32.load offset=4 align=2", "br_table 0 1 2", "f32.const 0x1.8p+1", "v128.const i32x4 0x1 0x2 0x3 0x4", ...
std::string printInstr(const Instr& in);

// Exact text forms of float bit patterns ("-inf", "nan:0x200000", "0x1.8p+1").
std::string printF32(uint32_t bits);
std::string printF64(uint64_t bits);

}  // namespace myrt
