// fuzz/seed_corpus.cpp -- writes one .wasm file per module found in .wast scripts (text modules through watToBinary,
// `binary` modules as they are), as the seed corpus of fuzz/decode_validate. Usage: seed_corpus OUTDIR FILE.wast...
// Layer: fuzz tooling (uses runtime/text). Modules the text parser rejects are skipped.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "runtime/text/wast.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: seed_corpus OUTDIR FILE.wast...\n";
    return 2;
  }
  const std::string outDir = argv[1];
  size_t written = 0;
  for (int i = 2; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    auto script = myrt::wast::parseScript(text);
    if (!script.ok()) continue;
    for (const auto& cmd : script.value().commands) {
      if (!cmd.hasModule) continue;
      auto bin = cmd.module.encode();
      if (!bin.ok()) continue;
      char name[64];
      std::snprintf(name, sizeof name, "/seed-%06zu.wasm", written++);
      std::ofstream out(outDir + name, std::ios::binary);
      out.write(reinterpret_cast<const char*>(bin.value().data()), static_cast<std::streamsize>(bin.value().size()));
    }
  }
  std::cout << written << " seed modules written to " << outDir << "\n";
  return 0;
}
