// wasi/host/sandbox.cpp -- path resolution beneath a directory fd (see sandbox.h): openat2 with RESOLVE_BENEATH, or a
// careful component walk when the kernel lacks openat2 (or the tests force it).
// Layer: wasi/host (Linux syscalls only).
#include "wasi/host/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <deque>
#include <vector>

#include "wasi/host/config.h"

namespace myrt::wasi::host {

namespace {

std::atomic<int> gResolver{0};  // 0 auto, 1 walk
constexpr int kMaxSymlinkExpansions = 40;

int probeOpenat2() {
  open_how how{};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH;
  long fd = syscall(SYS_openat2, AT_FDCWD, ".", &how, sizeof how);
  if (fd >= 0) {
    close(static_cast<int>(fd));
    return 1;
  }
  return 0;
}

int openat2Beneath(int dirfd, const std::string& path, int flags, mode_t mode, bool followFinal) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC | (followFinal ? 0 : O_NOFOLLOW));
  if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) how.mode = mode;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  for (int attempt = 0; attempt < 16; ++attempt) {  // EAGAIN: a concurrent rename raced with the lookup
    long fd = syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how);
    if (fd >= 0) return static_cast<int>(fd);
    if (errno != EAGAIN || (flags & O_NONBLOCK)) return -errno;
  }
  return -EAGAIN;
}

void splitInto(std::string_view path, std::deque<std::string>& out, bool front) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    parts.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  // "a/b/" -> a, b, "" : an empty last component means "must be a directory": make it "."
  if (!parts.empty() && parts.back().empty() && parts.size() > 1) parts.back().assign(1, '.');
  if (front)
    out.insert(out.begin(), parts.begin(), parts.end());
  else
    out.insert(out.end(), parts.begin(), parts.end());
}

class FdStack {
 public:
  ~FdStack() {
    for (int fd : fds_) close(fd);
  }
  void push(int fd) { fds_.push_back(fd); }
  bool empty() const { return fds_.empty(); }
  int top() const { return fds_.back(); }
  void pop() {
    close(fds_.back());
    fds_.pop_back();
  }
  int release() {
    int fd = fds_.back();
    fds_.pop_back();
    return fd;
  }
  size_t size() const { return fds_.size(); }

 private:
  std::vector<int> fds_;
};

// The component walk. `stack.top()` is the current directory; entries below it are its ancestors (for `..`).
int walkBeneath(int dirfd, std::string_view path, int flags, mode_t mode, bool followFinal) {
  if (path.empty()) return -ENOENT;
  if (path[0] == '/') return -EXDEV;
  std::deque<std::string> comps;
  splitInto(path, comps, false);
  FdStack stack;
  int start = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
  if (start < 0) return -errno;
  stack.push(start);
  int links = 0;
  while (!comps.empty()) {
    std::string c = std::move(comps.front());
    comps.pop_front();
    bool last = comps.empty();
    if (c.empty() || c == ".") {
      if (!last) continue;
      c.assign(1, '.');
    } else if (c == "..") {
      if (stack.size() <= 1) return -EXDEV;
      stack.pop();
      if (!last) continue;
      c.assign(1, '.');
    }
    int cur = stack.top();
    bool expand = false;
    if (last) {
      if (c != "." && followFinal) {
        struct stat st;
        if (fstatat(cur, c.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) expand = true;
      }
      if (!expand) {
        int fd = openat(cur, c.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0) return -errno;
        return fd;
      }
    } else {
      int fd = openat(cur, c.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) return -errno;
      struct stat st;
      if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return -e;
      }
      if (S_ISLNK(st.st_mode)) {
        close(fd);
        expand = true;
      } else if (!S_ISDIR(st.st_mode)) {
        close(fd);
        return -ENOTDIR;
      } else {
        stack.push(fd);
        continue;
      }
    }
    // Expand the symlink `c` in the current directory: its target replaces it in the component list.
    if (++links > kMaxSymlinkExpansions) return -ELOOP;
    std::vector<char> buf(4096);
    ssize_t n = readlinkat(cur, c.c_str(), buf.data(), buf.size());
    if (n < 0) return -errno;
    if (static_cast<size_t>(n) >= buf.size()) return -ENAMETOOLONG;
    std::string_view target(buf.data(), static_cast<size_t>(n));
    if (target.empty()) return -ENOENT;
    if (target[0] == '/') return -EXDEV;
    splitInto(target, comps, true);
  }
  return -EINVAL;  // unreachable: the last component always returns or expands into more components
}

}  // namespace

bool useOpenat2() { return gResolver.load() == 0 && kernelHasOpenat2(); }

namespace {
std::atomic<uint64_t> gOpenat2Opens{0}, gWalkOpens{0};
}  // namespace

ResolverCounts resolverCounts() { return {gOpenat2Opens.load(), gWalkOpens.load()}; }

int openBeneath(int dirfd, std::string_view path, int flags, mode_t mode, bool followFinal) {
  if (path.empty()) return -ENOENT;
  if (path.find('\0') != std::string_view::npos) return -EINVAL;
  if (path[0] == '/') return -EXDEV;
  if (useOpenat2()) {
    gOpenat2Opens.fetch_add(1, std::memory_order_relaxed);
    return openat2Beneath(dirfd, std::string(path), flags, mode, followFinal);
  }
  gWalkOpens.fetch_add(1, std::memory_order_relaxed);
  return walkBeneath(dirfd, path, flags, mode, followFinal);
}

ParentDir::~ParentDir() {
  if (fd >= 0) close(fd);
}

std::string ParentDir::bareName() const {
  size_t end = name.size();
  while (end > 1 && name[end - 1] == '/') --end;
  return name.substr(0, end);
}

int openParent(int dirfd, std::string_view path, ParentDir& out) {
  if (path.empty()) return -ENOENT;
  if (path.find('\0') != std::string_view::npos) return -EINVAL;
  size_t end = path.size();
  while (end > 0 && path[end - 1] == '/') --end;
  if (end == 0) return -EXDEV;  // "/" or "///": absolute
  size_t slash = path.rfind('/', end - 1);
  std::string_view dir = slash == std::string_view::npos ? std::string_view(".") : path.substr(0, slash + 1);
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  int fd = openBeneath(dirfd, dir, O_PATH | O_DIRECTORY, 0, true);
  if (fd < 0) return fd;
  if (out.fd >= 0) close(out.fd);
  out.fd = fd;
  out.name = std::string(name);
  return 0;
}

}  // namespace myrt::wasi::host

namespace myrt::wasi {

void setResolver(Resolver r) { host::gResolver.store(r == Resolver::Walk ? 1 : 0); }

bool kernelHasOpenat2() {
  static const int has = host::probeOpenat2();
  return has != 0;
}

}  // namespace myrt::wasi
