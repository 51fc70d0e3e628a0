// fuzz/aot_parse.cpp -- libFuzzer target: bytes -> jit::parseArtifact -> (when it parses) the module decoded from the
// artifact's wasm section (jit::loadArtifact), never installed (native code is trusted input; what is fuzzed is the
// header and section parser that decides whether an artifact may be used). So that mutations reach the section
// parser, the input's build text and CPU feature bits are set to this build's and its checksum is recomputed before
// parsing (each of those checks is a plain comparison, tested by tests/unit/exec/aot_test.cpp). Must never crash,
// hang or trip a sanitizer.
//   fuzz_aot_parse -seed DIR FILE.wasm...   writes one artifact per module (the seeds of fuzz/run.sh)
// Layer: fuzz. Built only with -DMYRT_FUZZ=ON and clang; see fuzz/run.sh (MYRT_FUZZ_TARGET=aot_parse).
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "jit/aot.h"
#include "runtime/binary/decoder.h"
#include "runtime/valid/validator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> b(data, data + size);
  if (b.size() >= myrt::jit::kAotHeaderSize) {
    std::memset(b.data() + 32, 0, 64);
    const std::string& build = myrt::jit::buildText();
    std::memcpy(b.data() + 32, build.data(), std::min<size_t>(build.size(), 63));
    uint64_t features;
    std::memcpy(&features, b.data() + 96, 8);
    features &= myrt::jit::cpuFeatures();
    std::memcpy(b.data() + 96, &features, 8);
    const uint64_t c = myrt::jit::checksum64(b.data() + 32, b.size() - 32);
    std::memcpy(b.data() + 24, &c, 8);
  }
  auto view = myrt::jit::parseArtifact(b);
  if (!view.ok()) return 0;
  auto m = myrt::jit::loadArtifact(std::move(b));
  (void)m.ok();
  return 0;
}

// -seed DIR FILE.wasm...: the artifact of each valid module as DIR/seed-N.bin.
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  if (*argc < 3 || std::strcmp((*argv)[1], "-seed") != 0) return 0;
  int n = 0;
  for (int i = 3; i < *argc; ++i) {
    std::ifstream in((*argv)[i], std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto m = myrt::decodeModule(std::move(bytes));
    if (!m.ok() || !myrt::validateModule(*m).ok()) continue;
    auto art = myrt::jit::compileArtifact(std::make_shared<const myrt::Module>(std::move(*m)), 1);
    if (!art.ok()) continue;
    const std::string out = std::string((*argv)[2]) + "/seed-" + std::to_string(n++) + ".bin";
    std::ofstream(out, std::ios::binary).write(reinterpret_cast<const char*>(art->data()), static_cast<std::streamsize>(art->size()));
  }
  std::printf("fuzz_aot_parse: %d seeds written to %s\n", n, (*argv)[2]);
  std::exit(0);
}
