// runtime/binary/decoder.h -- binary format (WebAssembly 3.0) -> Module.
// Layer: binary (depends on base, wasm). Decodes every section's structure; function bodies are left as byte ranges and
// are checked by the CodeReader during validation (runtime/valid). Errors: Error{offset, spec wording}.
#pragma once
#include <cstdint>
#include <vector>

#include "runtime/base/result.h"
#include "runtime/wasm/module.h"

namespace myrt {

struct DecodeOptions {
  // WebAssembly 2.0 encoding rules where 3.0 changed the binary format: limits are a u1 flag + u32 LEBs (3.0: a flags
  // byte + u64 LEBs), no tag section, no rec/sub/struct/array types, import kinds 0-3, no `0x40 0x00` table form.
  bool wasm20 = false;
  // With wasm20: the threads proposal's limits flags 2 and 3 (shared memories) as the proposal extends 2.0 (the 3.0
  // flags byte always has them). For the threads proposal's testsuite, which is written against 2.0.
  bool threads20 = false;
  // Caps on declared locals ("too many locals"; the spec's own limit is 2^32-1): per function, and for all functions of
  // a module together a base allowance plus localsPerModuleByte per byte of the binary, so that a small binary cannot
  // make the decoder expand gigabytes of locals.
  uint32_t maxLocalsPerFunction = 50000;
  uint64_t maxLocalsPerModule = uint64_t(1) << 20;
  uint64_t localsPerModuleByte = 16;
};

// Decodes a whole module. The module takes ownership of `bytes`.
Result<Module> decodeModule(std::vector<uint8_t> bytes);
Result<Module> decodeModule(std::vector<uint8_t> bytes, const DecodeOptions& options);

// Re-reads every function body of a decoded module the way the reference interpreter's decoder does: instructions are
// decoded without trusting the body sizes (checked afterwards: "section size mismatch"), running out of bytes gives
// "unexpected end of section or function", an `else` closing no `if` gives "END opcode expected", and with
// options.wasm20 the 2.0-only encodings are enforced ("zero byte expected", u32 memarg offsets). Returns the first
// malformation. Meant for the error path: when validation fails, a malformation found here is the error the spec
// reports (malformed takes precedence over invalid). decodeModule already does this when a body lacks its final end.
Status checkCodeEncoding(const Module& m, const DecodeOptions& options = {});

// Value/heap type and instruction decoding live in runtime/binary/instr.h.

}  // namespace myrt
