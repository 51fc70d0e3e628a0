// wasi/p1/path.cpp -- the path_* functions of wasi_snapshot_preview1. Every path is resolved beneath its directory
// fd through sandbox.h: operations on the object itself (open, stat, set times, readlink) open it with openBeneath;
// operations on a directory entry (mkdir, unlink, rmdir, rename, link, symlink) open the parent with openParent and
// call the *at syscall on the final name, which never follows a final symlink.
// Layer: wasi/p1 (internal; table exported through pathFunctions() to context.cpp).
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "wasi/p1/context.h"
#include "wasi/p1/sandbox.h"

namespace myrt::wasi {

using namespace abi;

uint16_t timesFromFst(uint64_t atim, uint64_t mtim, uint32_t fst, timespec ts[2]);  // fd.cpp

namespace {

class OwnedFd {
 public:
  explicit OwnedFd(int fd) : fd_(fd) {}
  ~OwnedFd() {
    if (fd_ >= 0) close(fd_);
  }
  OwnedFd(const OwnedFd&) = delete;
  OwnedFd& operator=(const OwnedFd&) = delete;
  int get() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }

 private:
  int fd_;
};

std::string procPath(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

// Directory fd + guest path argument pair -> entry and path string.
uint16_t dirAndPath(WasiState& s, uint32_t fd, uint64_t need, uint32_t ptr, uint32_t len, FdEntry*& e,
                    std::string& path) {
  if (uint16_t err = s.lookup(fd, need, e); err != kSuccess) {
    if (err == kBadf && fd < s.fds.size() && s.fds[fd]) return kNotdir;  // a path operation on a non-directory
    return err;
  }
  auto p = s.string(ptr, len);
  if (!p) return kFault;
  path = std::move(*p);
  if (path.find('\0') != std::string::npos) return kInval;
  return kSuccess;
}

uint16_t path_create_directory(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  std::string path;
  if (uint16_t err = dirAndPath(s, argU32(a, 0), rights::kPathCreateDirectory, argU32(a, 1), argU32(a, 2), e, path);
      err != kSuccess)
    return err;
  ParentDir p;
  if (int r = openParent(e->hostFd, path, p); r < 0) return errnoFromResolve(-r);
  return mkdirat(p.fd, p.name.c_str(), 0777) == 0 ? kSuccess : errnoFromHost(errno);
}

uint16_t path_filestat_get(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  std::string path;
  if (uint16_t err = dirAndPath(s, argU32(a, 0), rights::kPathFilestatGet, argU32(a, 2), argU32(a, 3), e, path);
      err != kSuccess)
    return err;
  uint8_t* out = s.mem(argU32(a, 4), kFilestatSize);
  if (!out) return kFault;
  OwnedFd fd(openBeneath(e->hostFd, path, O_PATH, 0, argU32(a, 1) & kLookupSymlinkFollow));
  if (fd.get() < 0) return errnoFromResolve(-fd.get());
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return errnoFromHost(errno);
  writeFilestat(out, st);
  return kSuccess;
}

// utimensat on the object an O_PATH fd refers to (which may be a symlink itself).
int setTimesAt(int fd, const timespec ts[2]) {
  if (utimensat(fd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) == 0) return 0;
  if (errno != EINVAL && errno != ENOENT && errno != EBADF) return -errno;
  // Older kernels: the fd's /proc magic link. Never for a symlink itself: the link's target would be resolved
  // from the host's root, outside the sandbox.
  struct stat st;
  if (fstat(fd, &st) != 0) return -errno;
  if (S_ISLNK(st.st_mode)) return -EOPNOTSUPP;
  return utimensat(AT_FDCWD, procPath(fd).c_str(), ts, 0) == 0 ? 0 : -errno;
}

uint16_t path_filestat_set_times(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  std::string path;
  if (uint16_t err =
          dirAndPath(s, argU32(a, 0), rights::kPathFilestatSetTimes, argU32(a, 2), argU32(a, 3), e, path);
      err != kSuccess)
    return err;
  timespec ts[2];
  if (uint16_t err = timesFromFst(argU64(a, 4), argU64(a, 5), argU32(a, 6), ts); err != kSuccess) return err;
  OwnedFd fd(openBeneath(e->hostFd, path, O_PATH, 0, argU32(a, 1) & kLookupSymlinkFollow));
  if (fd.get() < 0) return errnoFromResolve(-fd.get());
  int r = setTimesAt(fd.get(), ts);
  return r == 0 ? kSuccess : errnoFromHost(-r);
}

uint16_t path_link(WasiState& s, std::span<const Value> a) {
  FdEntry* eo;
  FdEntry* en;
  std::string oldPath, newPath;
  if (uint16_t err = dirAndPath(s, argU32(a, 0), rights::kPathLinkSource, argU32(a, 2), argU32(a, 3), eo, oldPath);
      err != kSuccess)
    return err;
  if (uint16_t err = dirAndPath(s, argU32(a, 4), rights::kPathLinkTarget, argU32(a, 5), argU32(a, 6), en, newPath);
      err != kSuccess)
    return err;
  ParentDir np;
  if (int r = openParent(en->hostFd, newPath, np); r < 0) return errnoFromResolve(-r);
  if (argU32(a, 1) & kLookupSymlinkFollow) {
    OwnedFd fd(openBeneath(eo->hostFd, oldPath, O_PATH, 0, true));
    if (fd.get() < 0) return errnoFromResolve(-fd.get());
    if (linkat(fd.get(), "", np.fd, np.name.c_str(), AT_EMPTY_PATH) == 0) return kSuccess;
    if (errno != ENOENT && errno != EPERM) return errnoFromHost(errno);
    return linkat(AT_FDCWD, procPath(fd.get()).c_str(), np.fd, np.name.c_str(), AT_SYMLINK_FOLLOW) == 0
               ? kSuccess
               : errnoFromHost(errno);
  }
  ParentDir op;
  if (int r = openParent(eo->hostFd, oldPath, op); r < 0) return errnoFromResolve(-r);
  if (op.trailingSlash()) {
    // A trailing slash makes the kernel follow a final symlink: check the target stays beneath first.
    OwnedFd fd(openBeneath(eo->hostFd, oldPath, O_PATH, 0, true));
    if (fd.get() < 0) return errnoFromResolve(-fd.get());
  }
  return linkat(op.fd, op.name.c_str(), np.fd, np.name.c_str(), 0) == 0 ? kSuccess : errnoFromHost(errno);
}

uint16_t path_open(WasiState& s, std::span<const Value> a) {
  uint32_t dirflags = argU32(a, 1), oflags = argU32(a, 4), fdflags = argU32(a, 7), resultPtr = argU32(a, 8);
  uint64_t base = argU64(a, 5), inheriting = argU64(a, 6);
  if (oflags & ~uint32_t(kOflagCreat | kOflagDirectory | kOflagExcl | kOflagTrunc)) return kInval;
  if (fdflags & ~uint32_t(kFdflagAppend | kFdflagDsync | kFdflagNonblock | kFdflagRsync | kFdflagSync)) return kInval;
  uint64_t need = rights::kPathOpen;
  if (oflags & kOflagCreat) need |= rights::kPathCreateFile;
  if (oflags & kOflagTrunc) need |= rights::kPathFilestatSetSize;
  FdEntry* e;
  std::string path;
  if (uint16_t err = dirAndPath(s, argU32(a, 0), need, argU32(a, 2), argU32(a, 3), e, path); err != kSuccess)
    return err;
  if (!s.mem(resultPtr, 4)) return kFault;
  constexpr uint64_t kReadRights = rights::kFdRead | rights::kFdReaddir;
  constexpr uint64_t kWriteRights =
      rights::kFdWrite | rights::kFdDatasync | rights::kFdAllocate | rights::kFdFilestatSetSize;
  // Beneath a read-only preopen, asking for write access is refused rather than silently dropped.
  if (e->readOnly && ((base & kWriteRights) || (fdflags & kFdflagAppend))) return kNotcapable;
  bool wantRead = base & kReadRights;
  bool wantWrite = (base & kWriteRights) || (fdflags & kFdflagAppend) || (oflags & kOflagTrunc);
  int flags = O_NOCTTY;
  if (oflags & kOflagDirectory) flags |= O_DIRECTORY;  // with write access the kernel refuses (EISDIR)
  if (wantWrite)
    flags |= wantRead ? O_RDWR : O_WRONLY;
  else
    flags |= O_RDONLY;
  if (oflags & kOflagCreat) flags |= O_CREAT;
  if (oflags & kOflagExcl) flags |= O_EXCL;
  if (oflags & kOflagTrunc) flags |= O_TRUNC;
  if (fdflags & kFdflagAppend) flags |= O_APPEND;
  if (fdflags & kFdflagNonblock) flags |= O_NONBLOCK;
  if (fdflags & kFdflagDsync) flags |= O_DSYNC;
  if (fdflags & kFdflagRsync) flags |= O_RSYNC;
  if (fdflags & kFdflagSync) flags |= O_SYNC;
  OwnedFd fd(openBeneath(e->hostFd, path, flags, 0666, dirflags & kLookupSymlinkFollow));
  if (fd.get() < 0) {
    // Write access to a directory: Linux says EISDIR, which is also WASI's answer.
    return errnoFromResolve(-fd.get());
  }
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return errnoFromHost(errno);
  FdEntry n;
  n.filetype = filetypeFromMode(st.st_mode);
  n.rightsBase = maskRightsFor(n.filetype, base & e->rightsInheriting);
  n.rightsInheriting = inheriting & e->rightsInheriting;
  n.readOnly = e->readOnly;
  n.hostFd = fd.get();
  uint32_t gfd = s.allocFd(std::move(n));
  if (gfd == UINT32_MAX) return kNfile;
  fd.release();
  (void)s.store32(resultPtr, gfd);
  return kSuccess;
}

uint16_t path_readlink(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  std::string path;
  if (uint16_t err = dirAndPath(s, argU32(a, 0), rights::kPathReadlink, argU32(a, 1), argU32(a, 2), e, path);
      err != kSuccess)
    return err;
  uint32_t bufLen = argU32(a, 4);
  uint8_t* buf = s.mem(argU32(a, 3), bufLen);
  if (!buf || !s.mem(argU32(a, 5), 4)) return kFault;
  OwnedFd fd(openBeneath(e->hostFd, path, O_PATH, 0, false));
  if (fd.get() < 0) return errnoFromResolve(-fd.get());
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return errnoFromHost(errno);
  if (!S_ISLNK(st.st_mode)) return kInval;
  std::vector<char> tmp(4096);
  ssize_t n = readlinkat(fd.get(), "", tmp.data(), tmp.size());
  if (n < 0) return errnoFromHost(errno);
  uint32_t len = static_cast<uint32_t>(n);
  if (len > bufLen) len = bufLen;  // truncated, like readlink(2)
  std::memcpy(buf, tmp.data(), len);
  (void)s.store32(argU32(a, 5), len);
  return kSuccess;
}

uint16_t path_remove_directory(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  std::string path;
  if (uint16_t err = dirAndPath(s, argU32(a, 0), rights::kPathRemoveDirectory, argU32(a, 1), argU32(a, 2), e, path);
      err != kSuccess)
    return err;
  ParentDir p;
  if (int r = openParent(e->hostFd, path, p); r < 0) return errnoFromResolve(-r);
  if (unlinkat(p.fd, p.name.c_str(), AT_REMOVEDIR) == 0) return kSuccess;
  if (errno == EEXIST) return kNotempty;
  return errnoFromHost(errno);
}

uint16_t path_rename(WasiState& s, std::span<const Value> a) {
  FdEntry* eo;
  FdEntry* en;
  std::string oldPath, newPath;
  if (uint16_t err = dirAndPath(s, argU32(a, 0), rights::kPathRenameSource, argU32(a, 1), argU32(a, 2), eo, oldPath);
      err != kSuccess)
    return err;
  if (uint16_t err = dirAndPath(s, argU32(a, 3), rights::kPathRenameTarget, argU32(a, 4), argU32(a, 5), en, newPath);
      err != kSuccess)
    return err;
  ParentDir op, np;
  if (int r = openParent(eo->hostFd, oldPath, op); r < 0) return errnoFromResolve(-r);
  if (int r = openParent(en->hostFd, newPath, np); r < 0) return errnoFromResolve(-r);
  return renameat(op.fd, op.name.c_str(), np.fd, np.name.c_str()) == 0 ? kSuccess : errnoFromHost(errno);
}

uint16_t path_symlink(WasiState& s, std::span<const Value> a) {
  auto target = s.string(argU32(a, 0), argU32(a, 1));
  if (!target) return kFault;
  if (target->find('\0') != std::string::npos) return kInval;
  FdEntry* e;
  std::string path;
  if (uint16_t err = dirAndPath(s, argU32(a, 2), rights::kPathSymlink, argU32(a, 3), argU32(a, 4), e, path);
      err != kSuccess)
    return err;
  // An absolute target could never be followed beneath the preopen; refuse to create it.
  if (!target->empty() && (*target)[0] == '/') return kNotcapable;
  ParentDir p;
  if (int r = openParent(e->hostFd, path, p); r < 0) return errnoFromResolve(-r);
  return symlinkat(target->c_str(), p.fd, p.name.c_str()) == 0 ? kSuccess : errnoFromHost(errno);
}

uint16_t path_unlink_file(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  std::string path;
  if (uint16_t err = dirAndPath(s, argU32(a, 0), rights::kPathUnlinkFile, argU32(a, 1), argU32(a, 2), e, path);
      err != kSuccess)
    return err;
  ParentDir p;
  if (int r = openParent(e->hostFd, path, p); r < 0) return errnoFromResolve(-r);
  return unlinkat(p.fd, p.name.c_str(), 0) == 0 ? kSuccess : errnoFromHost(errno);
}

constexpr WasiFnDef kPathFunctions[] = {
    {"path_create_directory", "iii", path_create_directory},
    {"path_filestat_get", "iiiii", path_filestat_get},
    {"path_filestat_set_times", "iiiiIIi", path_filestat_set_times},
    {"path_link", "iiiiiii", path_link},
    {"path_open", "iiiiiIIii", path_open},
    {"path_readlink", "iiiiii", path_readlink},
    {"path_remove_directory", "iii", path_remove_directory},
    {"path_rename", "iiiiii", path_rename},
    {"path_symlink", "iiiii", path_symlink},
    {"path_unlink_file", "iii", path_unlink_file},
};

}  // namespace

std::span<const WasiFnDef> pathFunctions() { return kPathFunctions; }

}  // namespace myrt::wasi
