// jit/common/no_backend.cpp -- hostBackend() for ISAs without a JIT backend in this tree: the JIT tiers are unavailable
// there and every function runs in the interpreter.
#if !defined(__x86_64__) && !defined(__aarch64__)
#include "jit/common/backend.h"

namespace myrt::jit {
const Backend* hostBackend() { return nullptr; }
}  // namespace myrt::jit
#endif
