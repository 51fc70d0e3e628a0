// fuzz/wast_parse.cpp -- libFuzzer target: arbitrary text -> wast::parseScript, then every parsed module through
// ScriptModule::encode (the WAT parser; components through componentToBinary, which also runs the WAT parser on their
// nested core modules). Must never crash, hang or trip a sanitizer.
// Layer: fuzz (uses runtime/text). Built only with -DMYRT_FUZZ=ON and clang; run with fuzz/run.sh --target wast.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "runtime/text/wast.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto script = myrt::wast::parseScript(text);
  if (!script.ok()) return 0;
  for (const auto& cmd : script.value().commands)
    if (cmd.hasModule) (void)cmd.module.encode().ok();
  return 0;
}
