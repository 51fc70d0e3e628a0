// jit/common/code_memory.h -- executable memory for JIT code with W^X: a block is mapped read+write, filled, then
// switched to read+execute (never writable and executable at once). Freed with its owner (the function's JitCode,
// which lives as long as the FuncInst, i.e. the store).
// Also the code map entry type (CodeSite).
// Layer: jit/common (depends only on the OS).
#pragma once
#include <cstddef>
#include <cstdint>

namespace myrt::jit {

// One entry of a function's code map: a machine code offset (from the function's start) and the module-relative wasm
// offset of the instruction it belongs to. Backends record the return address of every call that can return a trap
// and the PC of every access that can fault through a guard page; the tier looks them up on a trap (jit.cpp).
struct CodeSite {
  uint32_t machineOffset = 0;
  uint32_t wasmOffset = 0;
};

// An absolute address embedded in a function's code (a helper, a FuncInst, a global's value, a memory's base ...):
// the 8 little-endian bytes at `machineOffset` (from the function's start) hold `value`. Backends record every one,
// so that ahead-of-time code (jit/aot.h) can be relocated to another process and instance; nothing else in the code
// depends on where it or the runtime's objects are.
struct PtrSite {
  uint32_t machineOffset = 0;
  uint64_t value = 0;
};

// A store's canonical type id embedded in a function's code (GC instructions' operand words): the 4 bytes at
// `machineOffset` hold the id of module type `typeIndex` (relocated like PtrSite).
struct TypeIdSite {
  uint32_t machineOffset = 0;
  uint32_t typeIndex = 0;
};

class CodeMemory {
 public:
  CodeMemory() = default;
  ~CodeMemory();
  CodeMemory(const CodeMemory&) = delete;
  CodeMemory& operator=(const CodeMemory&) = delete;

  // Maps `size` writable bytes (rounded up to pages); nullptr on failure. Pages cost memory only once written, so a
  // generous size is cheap.
  uint8_t* allocateWritable(size_t size);
  // While writable: makes the block `size` bytes (rounded up to pages), keeping its contents; it may move (code is
  // position independent until linked). The new base, or nullptr on failure (the old block stays).
  uint8_t* resizeWritable(size_t size);
  // Takes ownership of a mapping made elsewhere (ahead-of-time code mapped from a file), writable until
  // makeExecutable; the block must be empty.
  void adopt(uint8_t* base, size_t size) {
    base_ = base;
    size_ = size;
  }
  // Makes the block executable (and read-only); false on failure.
  bool makeExecutable();
  uint8_t* data() const { return base_; }
  size_t size() const { return size_; }

 private:
  uint8_t* base_ = nullptr;
  size_t size_ = 0;
};

}  // namespace myrt::jit
