// runtime/interp/interp.h -- public face of the interpreter tier: the FuncEntry it installs into wasm functions and
// a store configured to run on it. Everything else (lowering, dispatch) is internal (code.h).
// Layer: interp (depends on exec).
#pragma once
#include <memory>

#include "runtime/exec/store.h"

namespace myrt {

// The entry of interpreted functions; a store created with StoreConfig::wasmEntry = interpreterEntry() runs every wasm
// function in the interpreter (lowered lazily on its first call).
FuncEntry interpreterEntry();
StoreConfig interpreterConfig(const StoreLimits& limits = {});
std::unique_ptr<Store> makeInterpreterStore(const StoreLimits& limits = {});

}  // namespace myrt
