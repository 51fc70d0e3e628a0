// wasi/host/descriptor.h -- the file-system capability shared by preview1 and WASI 0.2: a Descriptor owns one host fd
// (a file, directory, pipe, character device or socket handed in by the embedder) and offers the operations both
// bindings need, on the descriptor itself (read/write, seek, stat, sizes, times, flags, sync, directory listing) and,
// for a directory, on paths beneath it (open, stat, set times, link, readlink, mkdir, rmdir, rename, symlink, unlink),
// every path resolved through sandbox.h so nothing beneath a directory can reach above it.
//
// Errors: every operation returns 0 or a positive host errno, or kNotCapable (an escape from the sandbox, or a
// modification beneath a read-only directory). The bindings translate: preview1 to its errno (notcapable), WASI 0.2
// to filesystem error-code (not-permitted). No preview1 rights here: rights are preview1's finer layer on top.
// Layer: wasi/host (Linux syscalls). Used by wasi/p1 (fd_*, path_*) and wasi/p2 (wasi:filesystem).
#pragma once
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace myrt::wasi::host {

// Not an errno: the sandbox refused (escape attempt, or a modification beneath a read-only directory).
constexpr int kNotCapable = 0x10000;

enum class FileType : uint8_t {
  Unknown, BlockDevice, CharacterDevice, Directory, Fifo, SymbolicLink, RegularFile, Socket,
};
FileType fileTypeFromMode(unsigned mode);

struct DirEntry {
  uint64_t ino = 0;
  FileType type = FileType::Unknown;
  std::string name;
};

// What to open (open(2) flags are derived from it).
struct OpenOptions {
  bool read = false, write = false;
  bool create = false, directory = false, exclusive = false, truncate = false;
  bool append = false, nonblock = false, dsync = false, rsync = false, sync = false;
  bool followFinal = false;  // follow a symlink as the final component
};

class Descriptor {
 public:
  Descriptor() = default;
  // Takes ownership of `fd`.
  Descriptor(int fd, FileType type, bool readOnly) : fd_(fd), type_(type), readOnly_(readOnly) {}
  ~Descriptor() { reset(); }
  Descriptor(Descriptor&& o) noexcept : fd_(o.fd_), type_(o.type_), readOnly_(o.readOnly_) { o.fd_ = -1; }
  Descriptor& operator=(Descriptor&& o) noexcept;
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;

  // A duplicate of a host fd the embedder hands in (stdio): the guest closing it leaves the host's fd alone.
  // Invalid (fd() < 0) when hostFd < 0 or it cannot be duplicated.
  static Descriptor duplicate(int hostFd);
  // A directory on the host, opened for use as a preopen. 0 or errno.
  static int openDirectory(const std::string& hostPath, bool readOnly, Descriptor& out);

  bool valid() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  FileType type() const { return type_; }
  bool readOnly() const { return readOnly_; }
  bool isDirectory() const { return type_ == FileType::Directory; }
  void reset();

  // Data. `done` is the byte count transferred. Writes to pipes and sockets cannot raise SIGPIPE (EPIPE instead).
  int readv(const iovec* iov, int n, size_t& done);
  int writev(const iovec* iov, int n, size_t& done);
  int preadv(const iovec* iov, int n, uint64_t offset, size_t& done);
  int pwritev(const iovec* iov, int n, uint64_t offset, size_t& done);  // at `offset` even on an append fd
  int seek(int64_t offset, int whence, uint64_t& pos);
  int stat(struct ::stat& st) const;
  int setSize(uint64_t size);
  int setTimes(const timespec ts[2]);  // utimensat conventions (UTIME_NOW, UTIME_OMIT)
  int sync();                          // stdio (EINVAL/EROFS from fsync) counts as success
  int datasync();
  int advise(uint64_t offset, uint64_t len, int posixAdvice);  // ESPIPE (pipes, devices) counts as success
  int allocate(uint64_t offset, uint64_t len);
  // fcntl status flags (O_APPEND, O_NONBLOCK, O_SYNC, O_DSYNC ...).
  int statusFlags(int& flags) const;
  int setAppendNonblock(bool append, bool nonblock);
  // Every entry of a directory in getdents order, "." and ".." included.
  int readDirectory(std::vector<DirEntry>& out) const;

  // Paths beneath this directory (sandboxed). A new descriptor inherits readOnly.
  int openAt(std::string_view path, const OpenOptions& o, Descriptor& out) const;
  int statAt(std::string_view path, bool followFinal, struct ::stat& st) const;
  int setTimesAt(std::string_view path, bool followFinal, const timespec ts[2]) const;
  int linkAt(std::string_view oldPath, bool followFinal, const Descriptor& newDir, std::string_view newPath) const;
  // The link's target, truncated to `max` bytes (EINVAL if not a symlink).
  int readlinkAt(std::string_view path, size_t max, std::string& target) const;
  int createDirectoryAt(std::string_view path) const;
  int removeDirectoryAt(std::string_view path) const;  // ENOTEMPTY (never EEXIST) for a non-empty directory
  int renameAt(std::string_view oldPath, const Descriptor& newDir, std::string_view newPath) const;
  int symlinkAt(std::string_view target, std::string_view path) const;  // absolute targets: kNotCapable
  int unlinkFileAt(std::string_view path) const;

 private:
  int fd_ = -1;
  FileType type_ = FileType::Unknown;
  bool readOnly_ = false;
};

}  // namespace myrt::wasi::host
