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
// Whether a trap of a guarded memory access (a fault) in the interpreter knows the faulting instruction's wasm offset:
// the dispatch loop pins its code position to a register the fault handler reads, which only GCC builds on x86-64
// and AArch64 do (run.cpp). Elsewhere (e.g. clang, the fuzzing builds) such a trap has the function but no offset.
bool interpreterFaultOffsetsKnown();

}  // namespace myrt
