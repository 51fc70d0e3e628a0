// wasi/host/descriptor.cpp -- Descriptor: operations on a host fd and on paths beneath a directory fd (see
// descriptor.h). Path operations: on the object itself (open, stat, set times, readlink) open it with openBeneath; on
// a directory entry (mkdir, unlink, rmdir, rename, link, symlink) open the parent with openParent and call the *at
// syscall on the final name, which never follows a final symlink.
// Layer: wasi/host (Linux syscalls).
#include "wasi/host/descriptor.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "wasi/host/sandbox.h"

namespace myrt::wasi::host {

namespace {

int resolveErr(int negErrno) { return negErrno == -EXDEV ? kNotCapable : -negErrno; }

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

// Writing to a pipe or socket whose reader is gone raises SIGPIPE, which would kill the host: block it for the
// write and consume a SIGPIPE the write raised (the caller sees EPIPE).
class SigpipeGuard {
 public:
  explicit SigpipeGuard(bool active) : active_(active) {
    if (!active_) return;
    sigemptyset(&set_);
    sigaddset(&set_, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    wasPending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
  }
  ~SigpipeGuard() {
    if (!active_) return;
    if (!wasPending_) {
      sigset_t pending;
      sigemptyset(&pending);
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        timespec zero{};
        while (sigtimedwait(&set_, nullptr, &zero) < 0 && errno == EINTR) {
        }
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  bool active_;
  bool wasPending_ = false;
  sigset_t set_, old_;
};

bool mayRaiseSigpipe(FileType t) { return t != FileType::RegularFile && t != FileType::CharacterDevice; }

// utimensat on the object an O_PATH fd refers to (which may be a symlink itself).
int setTimesOfPathFd(int fd, const timespec ts[2]) {
  if (utimensat(fd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) == 0) return 0;
  if (errno != EINVAL && errno != ENOENT && errno != EBADF) return errno;
  // Older kernels: the fd's /proc magic link. Never for a symlink itself: the link's target would be resolved
  // from the host's root, outside the sandbox.
  struct stat st;
  if (fstat(fd, &st) != 0) return errno;
  if (S_ISLNK(st.st_mode)) return EOPNOTSUPP;
  return utimensat(AT_FDCWD, procPath(fd).c_str(), ts, 0) == 0 ? 0 : errno;
}

}  // namespace

FileType fileTypeFromMode(unsigned mode) {
  switch (mode & S_IFMT) {
    case S_IFREG: return FileType::RegularFile;
    case S_IFDIR: return FileType::Directory;
    case S_IFLNK: return FileType::SymbolicLink;
    case S_IFCHR: return FileType::CharacterDevice;
    case S_IFBLK: return FileType::BlockDevice;
    case S_IFSOCK: return FileType::Socket;
    case S_IFIFO: return FileType::Fifo;
    default: return FileType::Unknown;
  }
}

Descriptor& Descriptor::operator=(Descriptor&& o) noexcept {
  if (this != &o) {
    reset();
    fd_ = o.fd_;
    type_ = o.type_;
    readOnly_ = o.readOnly_;
    o.fd_ = -1;
  }
  return *this;
}

void Descriptor::reset() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

Descriptor Descriptor::duplicate(int hostFd) {
  if (hostFd < 0) return {};
  int fd = fcntl(hostFd, F_DUPFD_CLOEXEC, 3);
  if (fd < 0) return {};
  struct stat st;
  FileType t = fstat(fd, &st) == 0 ? fileTypeFromMode(st.st_mode) : FileType::Unknown;
  return Descriptor(fd, t, false);
}

int Descriptor::openDirectory(const std::string& hostPath, bool readOnly, Descriptor& out) {
  int fd = open(hostPath.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno;
  out = Descriptor(fd, FileType::Directory, readOnly);
  return 0;
}

// ---------------------------------------------------------------------------------------------------------------
// operations on the descriptor

int Descriptor::readv(const iovec* iov, int n, size_t& done) {
  ssize_t r = ::readv(fd_, iov, n);
  if (r < 0) return errno;
  done = size_t(r);
  return 0;
}

int Descriptor::writev(const iovec* iov, int n, size_t& done) {
  SigpipeGuard sigpipe(mayRaiseSigpipe(type_));
  ssize_t r = ::writev(fd_, iov, n);
  if (r < 0) return errno;
  done = size_t(r);
  return 0;
}

int Descriptor::preadv(const iovec* iov, int n, uint64_t offset, size_t& done) {
  if (offset > uint64_t(INT64_MAX)) return EINVAL;
  ssize_t r = ::preadv(fd_, iov, n, static_cast<off_t>(offset));
  if (r < 0) return errno;
  done = size_t(r);
  return 0;
}

int Descriptor::pwritev(const iovec* iov, int n, uint64_t offset, size_t& done) {
  if (offset > uint64_t(INT64_MAX)) return EINVAL;
  SigpipeGuard sigpipe(mayRaiseSigpipe(type_));
  // POSIX pwrite on an O_APPEND file appends on Linux; WASI wants the given offset: clear O_APPEND around it.
  int fl = fcntl(fd_, F_GETFL);
  bool append = fl >= 0 && (fl & O_APPEND);
  if (append) fcntl(fd_, F_SETFL, fl & ~O_APPEND);
  ssize_t r = ::pwritev(fd_, iov, n, static_cast<off_t>(offset));
  int saved = errno;
  if (append) fcntl(fd_, F_SETFL, fl);
  if (r < 0) return saved;
  done = size_t(r);
  return 0;
}

int Descriptor::seek(int64_t offset, int whence, uint64_t& pos) {
  off_t r = lseek(fd_, static_cast<off_t>(offset), whence);
  if (r < 0) return errno;
  pos = uint64_t(r);
  return 0;
}

int Descriptor::stat(struct ::stat& st) const { return fstat(fd_, &st) == 0 ? 0 : errno; }

int Descriptor::setSize(uint64_t size) {
  if (readOnly_) return kNotCapable;
  if (size > uint64_t(INT64_MAX)) return EINVAL;
  return ftruncate(fd_, static_cast<off_t>(size)) == 0 ? 0 : errno;
}

int Descriptor::setTimes(const timespec ts[2]) {
  if (readOnly_) return kNotCapable;
  return futimens(fd_, ts) == 0 ? 0 : errno;
}

int Descriptor::sync() {
  if (fsync(fd_) == 0) return 0;
  if (errno == EINVAL || errno == EROFS) return 0;  // stdio: nothing to flush
  return errno;
}

int Descriptor::datasync() { return fdatasync(fd_) == 0 ? 0 : errno; }

int Descriptor::advise(uint64_t offset, uint64_t len, int posixAdvice) {
  int r = posix_fadvise(fd_, static_cast<off_t>(offset), static_cast<off_t>(len), posixAdvice);
  return r == ESPIPE ? 0 : r;  // advice is only a hint: pipes and character devices ignore it
}

int Descriptor::allocate(uint64_t offset, uint64_t len) {
  if (readOnly_) return kNotCapable;
  if (offset > uint64_t(INT64_MAX) || len > uint64_t(INT64_MAX) - offset) return EINVAL;
  return posix_fallocate(fd_, static_cast<off_t>(offset), static_cast<off_t>(len));
}

int Descriptor::statusFlags(int& flags) const {
  flags = fcntl(fd_, F_GETFL);
  return flags < 0 ? errno : 0;
}

int Descriptor::setAppendNonblock(bool append, bool nonblock) {
  int fl = fcntl(fd_, F_GETFL);
  if (fl < 0) return errno;
  fl &= ~(O_APPEND | O_NONBLOCK);
  if (append) fl |= O_APPEND;
  if (nonblock) fl |= O_NONBLOCK;
  return fcntl(fd_, F_SETFL, fl) == 0 ? 0 : errno;
}

int Descriptor::readDirectory(std::vector<DirEntry>& out) const {
  if (lseek(fd_, 0, SEEK_SET) < 0) return errno;
  std::vector<char> buf(32768);
  for (;;) {
    long n = syscall(SYS_getdents64, fd_, buf.data(), buf.size());
    if (n < 0) return errno;
    if (n == 0) return 0;
    for (long off = 0; off < n;) {
      // struct linux_dirent64: u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type, char d_name[]
      uint64_t ino;
      uint16_t reclen;
      std::memcpy(&ino, buf.data() + off, 8);
      std::memcpy(&reclen, buf.data() + off + 16, 2);
      uint8_t dtype = static_cast<uint8_t>(buf[size_t(off) + 18]);
      const char* name = buf.data() + off + 19;
      DirEntry d{ino, FileType::Unknown, name};
      switch (dtype) {
        case DT_REG: d.type = FileType::RegularFile; break;
        case DT_DIR: d.type = FileType::Directory; break;
        case DT_LNK: d.type = FileType::SymbolicLink; break;
        case DT_CHR: d.type = FileType::CharacterDevice; break;
        case DT_BLK: d.type = FileType::BlockDevice; break;
        case DT_SOCK: d.type = FileType::Socket; break;
        case DT_FIFO: d.type = FileType::Fifo; break;
        default: {
          struct stat st;
          if (fstatat(fd_, name, &st, AT_SYMLINK_NOFOLLOW) == 0) d.type = fileTypeFromMode(st.st_mode);
        }
      }
      out.push_back(std::move(d));
      if (reclen == 0) return EIO;
      off += reclen;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// paths beneath a directory

int Descriptor::openAt(std::string_view path, const OpenOptions& o, Descriptor& out) const {
  // Beneath a read-only directory, asking for write access is refused rather than silently dropped.
  if (readOnly_ && (o.write || o.append || o.create || o.truncate)) return kNotCapable;
  int flags = O_NOCTTY;
  if (o.directory) flags |= O_DIRECTORY;  // with write access the kernel refuses (EISDIR)
  if (o.write)
    flags |= o.read ? O_RDWR : O_WRONLY;
  else
    flags |= O_RDONLY;
  if (o.create) flags |= O_CREAT;
  if (o.exclusive) flags |= O_EXCL;
  if (o.truncate) flags |= O_TRUNC;
  if (o.append) flags |= O_APPEND;
  if (o.nonblock) flags |= O_NONBLOCK;
  if (o.dsync) flags |= O_DSYNC;
  if (o.rsync) flags |= O_RSYNC;
  if (o.sync) flags |= O_SYNC;
  OwnedFd fd(openBeneath(fd_, path, flags, 0666, o.followFinal));
  if (fd.get() < 0) return resolveErr(fd.get());  // write access to a directory: EISDIR, also WASI's answer
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return errno;
  out = Descriptor(fd.release(), fileTypeFromMode(st.st_mode), readOnly_);
  return 0;
}

int Descriptor::statAt(std::string_view path, bool followFinal, struct ::stat& st) const {
  OwnedFd fd(openBeneath(fd_, path, O_PATH, 0, followFinal));
  if (fd.get() < 0) return resolveErr(fd.get());
  return fstat(fd.get(), &st) == 0 ? 0 : errno;
}

int Descriptor::setTimesAt(std::string_view path, bool followFinal, const timespec ts[2]) const {
  if (readOnly_) return kNotCapable;
  OwnedFd fd(openBeneath(fd_, path, O_PATH, 0, followFinal));
  if (fd.get() < 0) return resolveErr(fd.get());
  return setTimesOfPathFd(fd.get(), ts);
}

int Descriptor::linkAt(std::string_view oldPath, bool followFinal, const Descriptor& newDir,
                       std::string_view newPath) const {
  if (newDir.readOnly_) return kNotCapable;
  ParentDir np;
  if (int r = openParent(newDir.fd_, newPath, np); r < 0) return resolveErr(r);
  if (followFinal) {
    OwnedFd fd(openBeneath(fd_, oldPath, O_PATH, 0, true));
    if (fd.get() < 0) return resolveErr(fd.get());
    if (linkat(fd.get(), "", np.fd, np.name.c_str(), AT_EMPTY_PATH) == 0) return 0;
    if (errno != ENOENT && errno != EPERM) return errno;
    return linkat(AT_FDCWD, procPath(fd.get()).c_str(), np.fd, np.name.c_str(), AT_SYMLINK_FOLLOW) == 0 ? 0 : errno;
  }
  ParentDir op;
  if (int r = openParent(fd_, oldPath, op); r < 0) return resolveErr(r);
  if (op.trailingSlash()) {
    // A trailing slash makes the kernel follow a final symlink: check the target stays beneath first.
    OwnedFd fd(openBeneath(fd_, oldPath, O_PATH, 0, true));
    if (fd.get() < 0) return resolveErr(fd.get());
  }
  return linkat(op.fd, op.name.c_str(), np.fd, np.name.c_str(), 0) == 0 ? 0 : errno;
}

int Descriptor::readlinkAt(std::string_view path, size_t max, std::string& target) const {
  OwnedFd fd(openBeneath(fd_, path, O_PATH, 0, false));
  if (fd.get() < 0) return resolveErr(fd.get());
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return errno;
  if (!S_ISLNK(st.st_mode)) return EINVAL;
  std::vector<char> tmp(4096);
  ssize_t n = readlinkat(fd.get(), "", tmp.data(), tmp.size());
  if (n < 0) return errno;
  target.assign(tmp.data(), std::min(size_t(n), max));  // truncated, like readlink(2)
  return 0;
}

int Descriptor::createDirectoryAt(std::string_view path) const {
  if (readOnly_) return kNotCapable;
  ParentDir p;
  if (int r = openParent(fd_, path, p); r < 0) return resolveErr(r);
  return mkdirat(p.fd, p.name.c_str(), 0777) == 0 ? 0 : errno;
}

int Descriptor::removeDirectoryAt(std::string_view path) const {
  if (readOnly_) return kNotCapable;
  ParentDir p;
  if (int r = openParent(fd_, path, p); r < 0) return resolveErr(r);
  if (unlinkat(p.fd, p.name.c_str(), AT_REMOVEDIR) == 0) return 0;
  return errno == EEXIST ? ENOTEMPTY : errno;
}

int Descriptor::renameAt(std::string_view oldPath, const Descriptor& newDir, std::string_view newPath) const {
  if (readOnly_ || newDir.readOnly_) return kNotCapable;
  ParentDir op, np;
  if (int r = openParent(fd_, oldPath, op); r < 0) return resolveErr(r);
  if (int r = openParent(newDir.fd_, newPath, np); r < 0) return resolveErr(r);
  return renameat(op.fd, op.name.c_str(), np.fd, np.name.c_str()) == 0 ? 0 : errno;
}

int Descriptor::symlinkAt(std::string_view target, std::string_view path) const {
  if (readOnly_) return kNotCapable;
  if (target.find('\0') != std::string_view::npos) return EINVAL;
  // An absolute target could never be followed beneath the directory; refuse to create it.
  if (!target.empty() && target[0] == '/') return kNotCapable;
  ParentDir p;
  if (int r = openParent(fd_, path, p); r < 0) return resolveErr(r);
  return symlinkat(std::string(target).c_str(), p.fd, p.name.c_str()) == 0 ? 0 : errno;
}

int Descriptor::unlinkFileAt(std::string_view path) const {
  if (readOnly_) return kNotCapable;
  ParentDir p;
  if (int r = openParent(fd_, path, p); r < 0) return resolveErr(r);
  return unlinkat(p.fd, p.name.c_str(), 0) == 0 ? 0 : errno;
}

}  // namespace myrt::wasi::host
