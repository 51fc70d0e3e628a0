// wasi/host/socket.h -- byte streams on a connected, non-blocking host socket (wasi:sockets/tcp's input-stream and
// output-stream): reads and writes never block; readiness is the socket's EPOLLIN / EPOLLOUT. The fd is shared by the
// socket resource and its streams (SocketFd closes it when the last one goes).
// Layer: wasi/host.
#pragma once
#include <memory>
#include <string>

#include "wasi/host/stream.h"

namespace myrt::wasi::host {

class SocketFd {
 public:
  explicit SocketFd(int fd) : fd_(fd) {}
  ~SocketFd();
  SocketFd(const SocketFd&) = delete;
  SocketFd& operator=(const SocketFd&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

class SocketInputStream final : public InputStream {
 public:
  explicit SocketInputStream(std::shared_ptr<SocketFd> s) : s_(std::move(s)) {}
  int read(uint64_t len, std::vector<uint8_t>& out) override;  // recv(MSG_DONTWAIT); 0 bytes at the end: kClosed
  Wait readiness() const override;
  void shutdown() { closed_ = true; }  // shutdown(receive): reads report the end

 private:
  std::shared_ptr<SocketFd> s_;
  bool closed_ = false;
};

// Writes go out at once (send with MSG_DONTWAIT | MSG_NOSIGNAL); what the socket does not take waits in a buffer
// (check-write says 0 until it is sent; blocking-flush waits for it).
class SocketOutputStream final : public OutputStream {
 public:
  explicit SocketOutputStream(std::shared_ptr<SocketFd> s) : s_(std::move(s)) {}
  int checkWrite(uint64_t& n) override;
  int write(const uint8_t* p, size_t len) override;
  int flush() override;
  int blockingFlush(Poller& poller) override;
  Wait readiness() const override;
  void shutdown() { closed_ = true; }  // shutdown(send): writes report closed

 private:
  int push();  // sends what is pending
  std::shared_ptr<SocketFd> s_;
  std::string pending_;
  int error_ = 0;
  bool closed_ = false;
};

}  // namespace myrt::wasi::host
