// wasi/host/config.h -- what an embedder grants a WASI guest, shared by preview1 (wasi/p1) and WASI 0.2 (wasi/p2):
// arguments, environment, preopened directories (each optionally read-only) and the host fds used as stdio; and the
// choice of path resolver for the sandbox.
// Layer: wasi/host (depends on runtime/base only).
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/base/result.h"
#include "wasi/host/net.h"

namespace myrt::wasi {

struct Preopen {
  std::string hostPath;   // directory on the host
  std::string guestPath;  // name the guest sees (fd_prestat_dir_name, wasi:filesystem/preopens), e.g. "/" or "."
  bool readOnly = false;  // no rights that modify the file system, for the directory and all it opens
};

struct WasiConfig {
  std::vector<std::string> args;                            // argv, argv[0] included (the program name)
  std::vector<std::pair<std::string, std::string>> env;     // exactly what the guest sees
  std::vector<Preopen> preopens;                            // preview1: guest fds 3, 4, ... in this order
  int stdinFd = 0, stdoutFd = 1, stderrFd = 2;              // host fds (duplicated; -1: guest fd closed)
  NetworkGrants network;                                    // outgoing HTTP, sockets (WASI 0.2): none by default
};

// A command-line directory spec (wasmtime's `--dir` syntax): "HOST" (the guest sees the same path) or
// "HOST::GUEST". Error for an empty host or guest part.
Result<Preopen> parsePreopen(std::string_view spec, bool readOnly = false);

// Which path resolver the sandbox uses: openat2(RESOLVE_BENEATH) when the kernel has it, else a component walk.
// Tests force the walk to cover it.
enum class Resolver { Auto, Walk };
void setResolver(Resolver r);
bool kernelHasOpenat2();

}  // namespace myrt::wasi
