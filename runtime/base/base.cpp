// runtime/base/base.cpp -- Error formatting, UTF-8 validation, name reading.
#include <cstdio>

#include "runtime/base/reader.h"
#include "runtime/base/result.h"

namespace myrt {

std::string Error::toString() const {
  if (offset == kNoOffset) return message;
  char buf[32];
  std::snprintf(buf, sizeof buf, "offset 0x%zx: ", offset);
  return buf + message;
}

bool isValidUtf8(const uint8_t* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = s[i];
    if (c < 0x80) { ++i; continue; }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
    else return false;
    if (n - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return false;
    if (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return false;
    i += len;
  }
  return true;
}

Result<std::string_view> ByteReader::name() {
  MYRT_ASSIGN(uint32_t len, u32());
  if (len > remaining()) return errorHere("length out of bounds");
  const uint8_t* start = cur();
  size_t at = offset();
  pos_ += len;
  if (!isValidUtf8(start, len)) return errorAt(at, "malformed UTF-8 encoding");
  return std::string_view(reinterpret_cast<const char*>(start), len);
}

}  // namespace myrt
