// wasi/p2/http_link.h -- the component-model binding of wasi:http (types, outgoing-handler) at 0.2.12 (imports of any
// 0.2.x link to it), over WasiHttp (http.h) and the WasiP2 context whose table holds the bodies' streams.
// Layer: wasi/p2 (depends on runtime/component).
#pragma once
#include "runtime/component/instance.h"
#include "wasi/p2/http.h"
#include "wasi/p2/link.h"

namespace myrt::wasi::p2 {

// The resource types a server needs to call an incoming-handler (handle(own<incoming-request>,
// own<response-outparam>)).
struct HttpResourceTypes {
  component::ResourceType* incomingRequest = nullptr;
  component::ResourceType* responseOutparam = nullptr;
};

// Call after addToLinker(linker, io) (the bodies' streams use its wasi:io resource types). `io` and `http` must
// outlive every instance linked through `linker`.
HttpResourceTypes addHttpToLinker(component::Linker& linker, WasiP2& io, WasiHttp& http);

}  // namespace myrt::wasi::p2
