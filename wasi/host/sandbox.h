// wasi/host/sandbox.h -- resolving guest paths beneath a directory fd, never escaping it: openat2(RESOLVE_BENEATH) when
// the kernel has it, else a component-by-component walk (O_NOFOLLOW at each step, symlinks expanded by us, bounded
// at 40 expansions, `..` never above the starting directory, absolute paths and absolute symlinks refused).
// Layer: wasi/host (POSIX/Linux only). Used by descriptor.cpp (the path operations of preview1 and WASI 0.2).
#pragma once
#include <sys/types.h>

#include <string>
#include <string_view>

namespace myrt::wasi::host {

// Escape attempts (absolute path, `..` above the start, a symlink leading outside) fail with -EXDEV; callers map it
// to errno `notcapable`.
// Opens `path` beneath `dirfd` with open(2) `flags`/`mode`; a symlink as the final component is followed only if
// `followFinal` (else -ELOOP, or the link itself with O_PATH). A trailing slash requires a directory.
// Returns a new fd or -errno.
int openBeneath(int dirfd, std::string_view path, int flags, mode_t mode, bool followFinal);

// Splits `path` into its parent directory (opened beneath `dirfd` as O_PATH|O_DIRECTORY, symlinks followed) and the
// final component (trailing slashes kept, so the *at syscalls see them). The final component is never followed here.
struct ParentDir {
  int fd = -1;
  std::string name;  // never empty, no '/' except trailing ones
  ParentDir() = default;
  ParentDir(const ParentDir&) = delete;
  ParentDir& operator=(const ParentDir&) = delete;
  ~ParentDir();
  // The name without trailing slashes, and whether there were any.
  std::string bareName() const;
  bool trailingSlash() const { return !name.empty() && name.back() == '/'; }
};
// 0 or -errno (-ENOENT for an empty path).
int openParent(int dirfd, std::string_view path, ParentDir& out);

// Which resolver openBeneath uses (see config.h setResolver); true if openat2 is used.
bool useOpenat2();
// Paths openBeneath resolved through each resolver since the process started (tests record which one ran).
struct ResolverCounts {
  uint64_t openat2 = 0, walk = 0;
};
ResolverCounts resolverCounts();

}  // namespace myrt::wasi::host
