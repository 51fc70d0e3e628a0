// runtime/interp/interp.cpp -- the interpreter tier's public entry points (interp.h).
// Layer: interp.
#include "runtime/interp/interp.h"

#include "runtime/interp/code.h"

namespace myrt {

FuncEntry interpreterEntry() { return &interp::interpEntry; }

StoreConfig interpreterConfig(const StoreLimits& limits) {
  StoreConfig c;
  c.limits = limits;
  c.wasmEntry = interpreterEntry();
  return c;
}

std::unique_ptr<Store> makeInterpreterStore(const StoreLimits& limits) {
  return std::make_unique<Store>(interpreterConfig(limits));
}

}  // namespace myrt
