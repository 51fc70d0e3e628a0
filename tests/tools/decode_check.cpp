// tests/tools/decode_check.cpp -- throwaway conformance helper for the binary decoder (not built by CMake).
// Reads .wasm paths from stdin, decodes each (optionally with --wasm20; --summary adds section counts) and prints "OK <path>" or
// "ERR <path> <offset> <message>" per line. Build: g++ -std=c++20 -I. tests/tools/decode_check.cpp
//   build-dec/libmyrt_binary.a build-dec/libmyrt_wasm.a build-dec/libmyrt_base.a
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "runtime/binary/decoder.h"

int main(int argc, char** argv) {
  myrt::DecodeOptions opts;
  bool summary = false;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--wasm20") opts.wasm20 = true;
    if (std::string(argv[i]) == "--summary") summary = true;
  }
  std::string path;
  while (std::getline(std::cin, path)) {
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto r = myrt::decodeModule(std::move(bytes), opts);
    if (r.ok() && summary) {
      const myrt::Module& m = *r;
      size_t locals = 0;
      for (const auto& f : m.funcs) locals += f.locals.size();
      std::printf("OK %s types=%zu imports=%zu funcs=%zu tables=%zu memories=%zu globals=%zu exports=%zu elems=%zu "
                  "datas=%zu tags=%zu locals=%zu\n",
                  path.c_str(), m.types.size(), m.imports.size(), m.funcs.size() - m.numImportedFuncs,
                  m.tables.size() - m.numImportedTables, m.memories.size() - m.numImportedMemories,
                  m.globals.size() - m.numImportedGlobals, m.exports.size(), m.elems.size(), m.datas.size(),
                  m.tags.size() - m.numImportedTags, locals);
    } else if (r.ok())
      std::printf("OK %s\n", path.c_str());
    else
      std::printf("ERR %s %zd %s\n", path.c_str(), static_cast<ssize_t>(r.error().offset), r.error().message.c_str());
  }
  return 0;
}
