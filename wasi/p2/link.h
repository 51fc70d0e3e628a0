// wasi/p2/link.h -- the component-model binding of WASI 0.2: registers every interface `wasi:cli/command` imports
// (at 0.2.12; imports of any 0.2.x link to them by semver) in a component Linker, each WIT function a host function
// that converts component values (runtime/component/value.h) to the WasiP2 methods' types and back.
// Layer: wasi/p2 (depends on runtime/component and wasi/p2/context.h).
#pragma once
#include <span>
#include <string>

#include "runtime/component/instance.h"
#include "wasi/p2/context.h"

namespace myrt::wasi::p2 {

constexpr const char* kVersion = "0.2.12";

// Helpers of the bindings (link.cpp, http_link.cpp, sockets_link.cpp).
namespace binding {
using Args = std::span<const component::Val>;
// "wasi:io/poll" -> "wasi:io/poll@0.2.12"
inline std::string iface(const char* name) { return std::string(name) + "@" + kVersion; }
// The end of every host function: a trap the context recorded becomes the call's trap.
inline TrapReason finish(component::HostCall& call, WasiP2& w) {
  if (auto t = w.takeTrap()) return call.trap(std::move(*t));
  return TrapReason::None;
}
}  // namespace binding

// `ctx` must outlive every instance linked through `linker`.
void addToLinker(component::Linker& linker, WasiP2& ctx);

}  // namespace myrt::wasi::p2
