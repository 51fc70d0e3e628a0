// bench/dwarf/wasm_sections.h -- shared by the two DWARF library measurements (measure_libdw.cpp,
// measure_libdwarf.cpp): read a .wasm file, list its custom sections, peak RSS, a clock, a line-table row.
// Measurement only (docs/performance.md, "DWARF source locations"); not part of the build.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>
#include <fstream>
#include <iterator>
#include <chrono>
#include <sys/resource.h>
struct Sec { std::string name; size_t off, size; };
static std::vector<uint8_t> readFile(const char* p) { std::ifstream f(p, std::ios::binary); return {std::istreambuf_iterator<char>(f), {}}; }
static uint64_t leb(const std::vector<uint8_t>& b, size_t& i) { uint64_t r = 0; int s = 0; while (true) { uint8_t c = b[i++]; r |= uint64_t(c & 0x7f) << s; s += 7; if (!(c & 0x80)) break; } return r; }
// custom sections by name + code payload start
static std::vector<Sec> sections(const std::vector<uint8_t>& b, size_t& codeStart) {
  std::vector<Sec> out; size_t i = 8;
  while (i < b.size()) { uint8_t id = b[i++]; size_t sz = leb(b, i); size_t end = i + sz;
    if (id == 0) { size_t n = leb(b, i); out.push_back({std::string((const char*)&b[i], n), i + n, end - i - n}); }
    if (id == 10) codeStart = i;
    i = end; }
  return out;
}
static long maxrssKb() { rusage u; getrusage(RUSAGE_SELF, &u); return u.ru_maxrss; }
static double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
struct Row { uint64_t addr; uint32_t line, col; uint32_t file; bool end; };
