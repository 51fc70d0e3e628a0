// runtime/text/wat_module.cpp -- placeholder while the WAT parser lands.
#include "runtime/text/wat.h"

namespace myrt {

Result<std::vector<uint8_t>> watToBinary(std::string_view) { return Error(0, "text format not implemented yet"); }

LineCol lineCol(std::string_view text, size_t offset) {
  LineCol lc;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++lc.line;
      lc.col = 1;
    } else {
      ++lc.col;
    }
  }
  return lc;
}

}  // namespace myrt
