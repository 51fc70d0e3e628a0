// fuzz/component_decode.cpp -- libFuzzer target: arbitrary bytes -> component::loadComponent (component binary
// decoding and validation, nested core modules through decodeModule + validateModule) -> describeComponent. Must
// never crash, hang or trip a sanitizer; rejecting the input is the normal outcome.
// Layer: fuzz (uses runtime/component). Built only with -DMYRT_FUZZ=ON and clang; see fuzz/run.sh.
#include <cstddef>
#include <cstdint>
#include <span>

#include "runtime/component/component.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto c = myrt::component::loadComponent(std::span<const uint8_t>(data, size));
  if (!c.ok()) return 0;
  std::string text = myrt::component::describeComponent(**c);
  (void)text;
  return 0;
}
