// cli/version.cpp -- the text of `myrt --version`: version, git commit and build date (build_info.h, generated at build
// time by cmake/build_info.cmake), and the features of this build on this CPU (tiers, ISA, the SIMD extensions the JIT
// uses). Layer: cli (uses engine/tiers).
#include <cstdlib>
#include <string>

#include "build_info.h"
#include "cli/cli.h"

#ifndef MYRT_VERSION
#define MYRT_VERSION "0.0.0"
#endif

#if defined(__x86_64__)
namespace myrt::jit::x64 {
std::string hostSimdSummary();  // jit/x64/simd.h (declared here without asmjit's headers)
}
#endif

namespace myrt::cli {

std::string versionText() {
  std::string s = std::string("myrt ") + MYRT_VERSION + " (commit " + MYRT_BUILD_COMMIT + ", built " + MYRT_BUILD_DATE +
                  ")\nfeatures: tiers";
  const char* sep = " ";
  for (Tier t : availableTiers()) s += sep, s += tierName(t), sep = ", ";
  s += std::string(" (default ") + tierName(defaultTier()) + ")";
#if defined(__x86_64__)
  s += "; isa x86-64";
  // What the JIT's SIMD code uses (jit/x64/simd.h reads the same CPU bits; MYRT_JIT_NO_AVX=1 turns AVX off). Not
  // __builtin_cpu_supports: it links libgcc's CPU probe, a constructor that ran CPUID at every process start.
  s += "; simd " + jit::x64::hostSimdSummary();
#elif defined(__aarch64__)
  s += "; isa arm64 (interpreter only)";
#else
  s += "; isa other (interpreter only)";
#endif
  s += "; wasi preview1; guard pages (64-bit hosts)";
  return s;
}

}  // namespace myrt::cli
