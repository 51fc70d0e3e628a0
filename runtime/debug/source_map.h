// runtime/debug/source_map.h -- source locations (file:line:column, inlined frames) of wasm code offsets from the
// module's DWARF: the custom sections .debug_info, .debug_line, ... that clang -g emits for wasm32.
// Layer: above runtime/wasm (Module), below runtime/exec (Trap::toString) and capi (myrt_frame_source_location).
// The DWARF is read by elfutils' libdw (chosen by measurement over libdwarf: docs/performance.md, "DWARF"), through an
// in-memory ELF image holding copies of the module's .debug_* sections; nothing here parses DWARF itself.
// Lazy: nothing happens at load. The first lookup in a module builds the image and opens it (one CU's line table and
// scopes are read per looked-up offset, by libdw, on demand). Untrusted input: malformed DWARF yields no locations
// (and an error text for -v), never a crash; only the sections needed for lines and scopes are handed to libdw, and
// units that would make libdw look for other files (split DWARF: skeleton units, dwo names) are skipped.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/wasm/module.h"

namespace myrt::debug {

struct SourceLocation {
  std::string file;      // as the line table names it (comp_dir joined, usually absolute); raw bytes, not escaped
  std::string function;  // DWARF name of the function the location is in (empty: unknown); raw
  uint32_t line = 0;     // 1-based; 0 for the compiler's "no line"
  uint32_t column = 0;   // 1-based; 0: unknown
  bool inlined = false;  // the location is in `function`, which was inlined into the next location's function
};

// The source locations of the instruction at a module-relative code offset (Trap::backtraceOffsets,
// wasm_frame_module_offset): innermost first, i.e. the inlined callees' locations (inlined = true) and last the
// location in the frame's own function. Empty when the module has no DWARF, the offset is unknown or has no line, or
// the DWARF cannot be read. Thread-safe (one lock for all modules: lookups happen when traps are reported).
std::vector<SourceLocation> sourceLocations(const Module& m, uint32_t moduleOffset);

// Why the module's DWARF could not be used ("" when it could, when it has none, or before the first lookup).
std::string sourceMapError(const Module& m);

// Whether the module carries DWARF line information (.debug_info and .debug_line custom sections). Cheap; parses
// nothing.
bool hasDwarf(const Module& m);

// Whether trap backtraces show source locations: on unless the environment variable MYRT_BACKTRACE_DETAILS is "0"
// (read once per process).
bool sourceLocationsEnabled();

// The wasm DWARF address of a module-relative code offset: its offset from the start of the Code section's contents
// (where the function count is). nullopt without a code section or for an offset before it.
std::optional<uint64_t> dwarfAddress(const Module& m, uint32_t moduleOffset);

}  // namespace myrt::debug
