// runtime/valid/validator.h -- module validation (WebAssembly 2.0 complete; 3.0 typing structured in).
// Layer: valid (depends on base, wasm, binary's type readers). Function bodies are checked with
// CodeReader<NullInterface, true> (code_reader.h).
#pragma once
#include "runtime/base/result.h"
#include "runtime/wasm/module.h"

namespace myrt {

struct ValidateOptions {
  // WebAssembly 2.0 rules where 3.0 relaxed them: a single memory ("multiple memories"), global initializers may only
  // read imported globals, non-zero memory index bytes ("zero byte expected"), 2.0 message wordings
  // ("global is immutable" instead of 3.0's "immutable global"). Default: 3.0.
  bool wasm2Only = false;
  // With wasm2Only: also 1.0's single table ("multiple tables"). The threads proposal's testsuite was written against
  // 1.0 with its own additions (`myrt wast --wasm2 --threads`).
  bool singleTable = false;
};

// Validates everything about a decoded module, including all function bodies and constant expressions.
Status validateModule(const Module& m);
Status validateModule(const Module& m, const ValidateOptions& opts);

}  // namespace myrt
