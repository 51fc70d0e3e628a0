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
  // Makes the block executable (and read-only); false on failure.
  bool makeExecutable();
  uint8_t* data() const { return base_; }
  size_t size() const { return size_; }

 private:
  uint8_t* base_ = nullptr;
  size_t size_ = 0;
};

}  // namespace myrt::jit
