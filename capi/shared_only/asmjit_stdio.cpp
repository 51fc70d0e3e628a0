// capi/shared_only/asmjit_stdio.cpp -- for libmyrt.so only: Debian's libasmjit.a is PIE code whose references to
// glibc's `stderr`/`stdout` cannot be relocated in a shared object. capi/library.cmake links a copy of the archive
// in which those references are renamed to the two hidden pointers below (asmjit uses them only for debug output).
// Layer: capi.
#include <cstdio>

extern "C" {
__attribute__((visibility("hidden"))) extern FILE* myrt_asmjit_stderr;
__attribute__((visibility("hidden"))) extern FILE* myrt_asmjit_stdout;
FILE* myrt_asmjit_stderr = stderr;
FILE* myrt_asmjit_stdout = stdout;
}
