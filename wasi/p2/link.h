// wasi/p2/link.h -- the component-model binding of WASI 0.2: registers every interface `wasi:cli/command` imports
// (at 0.2.12; imports of any 0.2.x link to them by semver) in a component Linker, each WIT function a host function
// that converts component values (runtime/component/value.h) to the WasiP2 methods' types and back.
// Layer: wasi/p2 (depends on runtime/component and wasi/p2/context.h).
#pragma once
#include "runtime/component/instance.h"
#include "wasi/p2/context.h"

namespace myrt::wasi::p2 {

constexpr const char* kVersion = "0.2.12";

// `ctx` must outlive every instance linked through `linker`.
void addToLinker(component::Linker& linker, WasiP2& ctx);

}  // namespace myrt::wasi::p2
