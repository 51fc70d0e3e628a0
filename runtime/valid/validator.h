// runtime/valid/validator.h -- module validation (WebAssembly 2.0 complete; 3.0 typing structured in).
// Layer: valid (depends on base, wasm, binary's type readers). Function bodies are checked with
// CodeReader<NullInterface, true> (code_reader.h).
#pragma once
#include "runtime/base/result.h"
#include "runtime/wasm/module.h"

namespace myrt {

// Validates everything about a decoded module, including all function bodies and constant expressions.
Status validateModule(const Module& m);

}  // namespace myrt
