// runtime/binary/decoder.h -- binary format (WebAssembly 3.0) -> Module.
// Layer: binary (depends on base, wasm). Decodes every section's structure; function bodies are left as byte ranges and
// are checked by the CodeReader during validation (runtime/valid). Errors: Error{offset, spec wording}.
#pragma once
#include <cstdint>
#include <vector>

#include "runtime/base/result.h"
#include "runtime/wasm/module.h"

namespace myrt {

// Decodes a whole module. The module takes ownership of `bytes`.
Result<Module> decodeModule(std::vector<uint8_t> bytes);

// Value/heap type and instruction decoding live in runtime/binary/instr.h.

}  // namespace myrt
