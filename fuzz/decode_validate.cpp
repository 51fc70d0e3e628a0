// fuzz/decode_validate.cpp -- libFuzzer target: arbitrary bytes -> decodeModule -> validateModule. Must never crash,
// hang or trip a sanitizer; rejecting the input is the normal outcome.
// Layer: fuzz (uses runtime/binary and runtime/valid). Built only with -DMYRT_FUZZ=ON and clang; see fuzz/run.sh.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "runtime/binary/decoder.h"
#include "runtime/valid/validator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  auto m = myrt::decodeModule(std::move(bytes));
  if (!m.ok()) return 0;
  myrt::Status v = myrt::validateModule(m.value());
  (void)v.ok();
  return 0;
}
