// jit/common/asm_errors.h -- the asmjit error handler every code generator (baseline on both ISAs, the optimizing
// tier) attaches to its CodeHolder.
// Layer: jit/common (asmjit core only).
#pragma once
#include <asmjit/core.h>

#include <string>

namespace myrt::jit {

// Keeps the first error asmjit reports while a function is assembled (the compile then fails with its text).
class AsmErrorRecorder : public asmjit::ErrorHandler {
 public:
  void handleError(asmjit::Error err, const char* message, asmjit::BaseEmitter*) override {
    if (!failed) {
      failed = true;
      text = message ? message : asmjit::DebugUtils::errorAsString(err);
    }
  }
  bool failed = false;
  std::string text;
};

}  // namespace myrt::jit
