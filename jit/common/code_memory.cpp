// jit/common/code_memory.cpp -- see code_memory.h.
#include "jit/common/code_memory.h"

#include <sys/mman.h>
#include <unistd.h>

namespace myrt::jit {

CodeMemory::~CodeMemory() {
  if (base_) munmap(base_, size_);
}

uint8_t* CodeMemory::allocateWritable(size_t size) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size = (size + page - 1) / page * page;
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  base_ = static_cast<uint8_t*>(p);
  size_ = size;
  return base_;
}

uint8_t* CodeMemory::resizeWritable(size_t size) {
  if (!base_) return allocateWritable(size);
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size = (size + page - 1) / page * page;
  if (size == size_) return base_;
  void* p = mremap(base_, size_, size, MREMAP_MAYMOVE);
  if (p == MAP_FAILED) return nullptr;
  base_ = static_cast<uint8_t*>(p);
  size_ = size;
  return base_;
}

bool CodeMemory::makeExecutable() {
  if (!base_) return false;
  // ISAs without a coherent instruction cache (AArch64): the written code must reach it (no code on x86-64)
  __builtin___clear_cache(reinterpret_cast<char*>(base_), reinterpret_cast<char*>(base_ + size_));
  return mprotect(base_, size_, PROT_READ | PROT_EXEC) == 0;
}

}  // namespace myrt::jit
