// wasi/host/socket.cpp -- streams on non-blocking host sockets (see socket.h).
// Layer: wasi/host.
#include "wasi/host/socket.h"

#include <errno.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace myrt::wasi::host {

namespace {
constexpr uint64_t kPermit = 65536;  // check-write's answer while the socket is writable
}

SocketFd::~SocketFd() {
  if (fd_ >= 0) close(fd_);
}

int SocketInputStream::read(uint64_t len, std::vector<uint8_t>& out) {
  if (closed_) return kClosed;
  if (len == 0) return 0;
  const size_t want = static_cast<size_t>(std::min<uint64_t>(len, kPermit));
  const size_t before = out.size();
  out.resize(before + want);
  ssize_t n;
  do n = recv(s_->fd(), out.data() + before, want, MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    out.resize(before);
    return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : errno;
  }
  out.resize(before + static_cast<size_t>(n));
  if (n == 0) {
    closed_ = true;
    return kClosed;
  }
  return 0;
}

Wait SocketInputStream::readiness() const {
  return closed_ ? Wait::ready() : Wait::forFd(s_->fd(), EPOLLIN);
}

int SocketOutputStream::push() {
  while (!pending_.empty()) {
    ssize_t n = send(s_->fd(), pending_.data(), pending_.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
      error_ = errno;
      pending_.clear();
      return error_;
    }
    pending_.erase(0, static_cast<size_t>(n));
  }
  return 0;
}

int SocketOutputStream::checkWrite(uint64_t& n) {
  n = 0;
  if (error_) return error_;
  if (closed_) return kClosed;
  if (int r = push(); r != 0) return r;
  if (!pending_.empty()) return 0;
  pollfd p{s_->fd(), POLLOUT, 0};
  if (::poll(&p, 1, 0) > 0) {
    if (p.revents & (POLLERR | POLLHUP)) {
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(s_->fd(), SOL_SOCKET, SO_ERROR, &err, &len);
      if (err) return error_ = err;
      if (p.revents & POLLHUP) return kClosed;
    }
    if (p.revents & POLLOUT) n = kPermit;
  }
  return 0;
}

int SocketOutputStream::write(const uint8_t* p, size_t len) {
  if (error_) return error_;
  if (closed_) return kClosed;
  pending_.append(reinterpret_cast<const char*>(p), len);
  return push();
}

int SocketOutputStream::flush() { return error_ ? error_ : push(); }

int SocketOutputStream::blockingFlush(Poller& poller) {
  for (;;) {
    if (int r = flush(); r != 0) return r;
    if (pending_.empty()) return 0;
    std::vector<uint32_t> revents;
    const Wait w = Wait::forFd(s_->fd(), EPOLLOUT);
    if (int r = poller.poll(std::span<const Wait>(&w, 1), revents); r != 0) return r;
  }
}

Wait SocketOutputStream::readiness() const {
  return (error_ || closed_) ? Wait::ready() : Wait::forFd(s_->fd(), EPOLLOUT);
}

}  // namespace myrt::wasi::host
