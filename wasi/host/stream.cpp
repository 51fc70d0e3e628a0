// wasi/host/stream.cpp -- the stream implementations of stream.h on host fds and files.
// Layer: wasi/host (Linux).
#include "wasi/host/stream.h"

#include <errno.h>
#include <poll.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>

namespace myrt::wasi::host {

namespace {

constexpr uint64_t kMaxChunk = 1u << 20;  // one read or check-write at most (the guest copies it anyway)

// Whether a zero-timeout poll says the fd is ready for `events` (POLLHUP/POLLERR count: the next call reports them).
bool readyNow(int fd, short events) {
  pollfd p{fd, events, 0};
  int r;
  do r = ::poll(&p, 1, 0);
  while (r < 0 && errno == EINTR);
  return r != 0;  // an error also counts as "ready": the call itself will report it
}

bool alwaysReady(FileType t) { return t == FileType::RegularFile || t == FileType::Directory; }

int waitFor(Poller& poller, Wait w) {
  std::vector<uint32_t> revents;
  return poller.poll(std::span<const Wait>(&w, 1), revents);
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// generic parts

int InputStream::blockingRead(uint64_t len, std::vector<uint8_t>& out, Poller& poller) {
  size_t before = out.size();
  for (;;) {
    if (int r = read(len, out); r != 0 || out.size() > before || len == 0) return r;
    if (int r = waitFor(poller, readiness()); r != 0) return r;
  }
}

int InputStream::skip(uint64_t len, uint64_t& skipped) {
  std::vector<uint8_t> tmp;
  int r = read(std::min(len, kMaxChunk), tmp);
  skipped = tmp.size();
  return r;
}

int InputStream::blockingSkip(uint64_t len, uint64_t& skipped, Poller& poller) {
  std::vector<uint8_t> tmp;
  int r = blockingRead(std::min(len, kMaxChunk), tmp, poller);
  skipped = tmp.size();
  return r;
}

int OutputStream::blockingWriteAndFlush(const uint8_t* p, size_t len, Poller& poller) {
  while (len > 0) {
    uint64_t n = 0;
    if (int r = checkWrite(n); r != 0) return r;
    if (n == 0) {
      if (int r = waitFor(poller, readiness()); r != 0) return r;
      continue;
    }
    size_t k = static_cast<size_t>(std::min<uint64_t>(n, len));
    if (int r = write(p, k); r != 0) return r;
    p += k;
    len -= k;
  }
  return blockingFlush(poller);
}

int OutputStream::blockingFlush(Poller&) { return flush(); }

int OutputStream::writeZeroes(uint64_t len) {
  std::vector<uint8_t> zeroes(static_cast<size_t>(std::min(len, kMaxChunk)), 0);
  while (len > 0) {
    size_t k = static_cast<size_t>(std::min<uint64_t>(len, zeroes.size()));
    if (int r = write(zeroes.data(), k); r != 0) return r;
    len -= k;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------------------------
// host fds

int FdInputStream::read(uint64_t len, std::vector<uint8_t>& out) {
  if (closed_) return kClosed;
  if (len == 0) return 0;
  if (!alwaysReady(d_->type()) && !readyNow(d_->fd(), POLLIN)) return 0;
  size_t at = out.size();
  out.resize(at + std::min(len, kMaxChunk));
  ssize_t n;
  do n = ::read(d_->fd(), out.data() + at, out.size() - at);
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    out.resize(at);
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    return errno;
  }
  out.resize(at + size_t(n));
  if (n == 0) {
    closed_ = true;
    return kClosed;
  }
  return 0;
}

int FdInputStream::blockingRead(uint64_t len, std::vector<uint8_t>& out, Poller& poller) {
  if (closed_) return kClosed;
  if (len == 0) return 0;
  if (!alwaysReady(d_->type()))
    if (int r = waitFor(poller, readiness()); r != 0) return r;
  return read(len, out);
}

Wait FdInputStream::readiness() const {
  if (closed_ || alwaysReady(d_->type())) return Wait::ready();
  return Wait::forFd(d_->fd(), EPOLLIN);
}

int FdOutputStream::checkWrite(uint64_t& n) {
  if (closed_) return kClosed;
  if (alwaysReady(d_->type()) || d_->type() == FileType::CharacterDevice) {
    n = kMaxChunk;
    return 0;
  }
  // A pipe or socket: PIPE_BUF bytes once it is writable (write() then does not block for long).
  n = readyNow(d_->fd(), POLLOUT) ? 4096 : 0;
  return 0;
}

int FdOutputStream::write(const uint8_t* p, size_t len) {
  if (closed_) return kClosed;
  while (len > 0) {
    iovec iov{const_cast<uint8_t*>(p), len};
    size_t done = 0;
    int r = d_->writev(&iov, 1, done);
    if (r == EINTR) continue;
    if (r == EPIPE) {
      closed_ = true;
      return kClosed;
    }
    if (r != 0) return r;
    p += done;
    len -= done;
  }
  return 0;
}

Wait FdOutputStream::readiness() const {
  if (closed_ || alwaysReady(d_->type()) || d_->type() == FileType::CharacterDevice) return Wait::ready();
  return Wait::forFd(d_->fd(), EPOLLOUT);
}

// ---------------------------------------------------------------------------------------------------------------
// files at an offset

int FileInputStream::read(uint64_t len, std::vector<uint8_t>& out) {
  if (len == 0) return 0;
  size_t at = out.size();
  out.resize(at + std::min(len, kMaxChunk));
  iovec iov{out.data() + at, out.size() - at};
  size_t done = 0;
  int r = d_->preadv(&iov, 1, offset_, done);
  out.resize(at + (r == 0 ? done : 0));
  if (r != 0) return r;
  if (done == 0) return kClosed;
  offset_ += done;
  return 0;
}

int FileOutputStream::checkWrite(uint64_t& n) {
  n = kMaxChunk;
  return 0;
}

int FileOutputStream::write(const uint8_t* p, size_t len) {
  while (len > 0) {
    if (append_) {
      struct stat st;
      if (int r = d_->stat(st); r != 0) return r;
      offset_ = uint64_t(st.st_size);
    }
    iovec iov{const_cast<uint8_t*>(p), len};
    size_t done = 0;
    if (int r = d_->pwritev(&iov, 1, offset_, done); r != 0) return r;
    if (done == 0) return EIO;
    offset_ += done;
    p += done;
    len -= done;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------------------------
// in-memory bodies

int BufferInputStream::read(uint64_t len, std::vector<uint8_t>& out) {
  if (pos_ >= bytes_->size()) return len == 0 ? 0 : kClosed;
  const size_t n = static_cast<size_t>(std::min<uint64_t>({len, bytes_->size() - pos_, kMaxChunk}));
  out.insert(out.end(), bytes_->begin() + static_cast<std::ptrdiff_t>(pos_),
             bytes_->begin() + static_cast<std::ptrdiff_t>(pos_ + n));
  pos_ += n;
  return 0;
}

int BufferOutputStream::checkWrite(uint64_t& n) {
  if (closed_) return kClosed;
  n = kMaxChunk;
  return 0;
}

int BufferOutputStream::write(const uint8_t* p, size_t len) {
  if (closed_) return kClosed;
  if (len > limit_ || sink_->size() > limit_ - len) return EFBIG;
  sink_->append(reinterpret_cast<const char*>(p), len);
  return 0;
}

}  // namespace myrt::wasi::host
