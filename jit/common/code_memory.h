// jit/common/code_memory.h -- executable memory for JIT code with W^X: a block is mapped read+write, filled, then
// switched to read+execute (never writable and executable at once). Freed with its owner (the function's JitCode,
// which lives as long as the FuncInst, i.e. the store).
// Layer: jit/common (depends only on the OS).
#pragma once
#include <cstddef>
#include <cstdint>

namespace myrt::jit {

class CodeMemory {
 public:
  CodeMemory() = default;
  ~CodeMemory();
  CodeMemory(const CodeMemory&) = delete;
  CodeMemory& operator=(const CodeMemory&) = delete;

  // Maps `size` writable bytes (rounded up to pages); nullptr on failure.
  uint8_t* allocateWritable(size_t size);
  // Makes the block executable (and read-only); false on failure.
  bool makeExecutable();
  uint8_t* data() const { return base_; }
  size_t size() const { return size_; }

 private:
  uint8_t* base_ = nullptr;
  size_t size_ = 0;
};

}  // namespace myrt::jit
