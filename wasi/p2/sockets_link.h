// wasi/p2/sockets_link.h -- the component-model binding of wasi:sockets (network, instance-network, tcp,
// tcp-create-socket, udp, udp-create-socket, ip-name-lookup) at 0.2.12 (imports of any 0.2.x link to it), over
// WasiSockets (sockets.h) and the WasiP2 context whose table holds the TCP streams and the pollables.
// Layer: wasi/p2 (depends on runtime/component).
#pragma once
#include "runtime/component/instance.h"
#include "wasi/p2/link.h"
#include "wasi/p2/sockets.h"

namespace myrt::wasi::p2 {

// Call after addToLinker(linker, io). `io` and `sockets` must outlive every instance linked through `linker`.
void addSocketsToLinker(component::Linker& linker, WasiP2& io, WasiSockets& sockets);

}  // namespace myrt::wasi::p2
