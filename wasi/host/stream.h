// wasi/host/stream.h -- byte streams (wasi:io/streams), abstract so other hosts objects can be streams later
// (sockets and HTTP bodies: issue 15) without a change here. A stream says how to wait for it (readiness(): a Wait,
// see poll.h) and never blocks in the non-blocking calls; the blocking ones wait through a Poller.
// Implementations here: a host fd (stdin/stdout/stderr: pipes, ttys, files, sockets handed in) read or written at its
// current position; a file read or written at an explicit offset (wasi:filesystem read-via-stream, write-via-stream,
// append-via-stream), keeping its Descriptor alive.
//
// Results: 0, kClosed (end of stream, or the other end is gone), or a host errno (WASI 0.2: last-operation-failed
// with an error resource holding it).
// Layer: wasi/host. Used by wasi/p2 (and preview1 later, should its stdio become streams).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "wasi/host/descriptor.h"
#include "wasi/host/poll.h"

namespace myrt::wasi::host {

constexpr int kClosed = -1;

class InputStream {
 public:
  virtual ~InputStream() = default;
  // Appends up to `len` bytes that are available now to `out` (none when nothing is ready yet).
  virtual int read(uint64_t len, std::vector<uint8_t>& out) = 0;
  // Waits until at least one byte or the end, then reads.
  virtual int blockingRead(uint64_t len, std::vector<uint8_t>& out, Poller& poller);
  virtual Wait readiness() const = 0;
  // skip: read and drop (subclasses may seek instead).
  int skip(uint64_t len, uint64_t& skipped);
  int blockingSkip(uint64_t len, uint64_t& skipped, Poller& poller);
};

class OutputStream {
 public:
  virtual ~OutputStream() = default;
  // How many bytes write() accepts now (0: wait for readiness()).
  virtual int checkWrite(uint64_t& n) = 0;
  // Writes all of [p, p+len); len <= checkWrite's answer.
  virtual int write(const uint8_t* p, size_t len) = 0;
  virtual int flush() { return 0; }
  virtual Wait readiness() const = 0;
  // Waits for room, writes, flushes (the whole buffer, in pieces as the stream accepts them).
  int blockingWriteAndFlush(const uint8_t* p, size_t len, Poller& poller);
  virtual int blockingFlush(Poller& poller);  // default: flush() (streams that buffer wait for room)
  int writeZeroes(uint64_t len);
};

// A host fd at its current position. Never switches the fd to O_NONBLOCK (it may be the host's terminal): readiness
// is asked with a zero-timeout poll first, so read() does not block on a pipe, tty or socket.
class FdInputStream final : public InputStream {
 public:
  explicit FdInputStream(std::shared_ptr<Descriptor> d) : d_(std::move(d)) {}
  int read(uint64_t len, std::vector<uint8_t>& out) override;
  int blockingRead(uint64_t len, std::vector<uint8_t>& out, Poller& poller) override;
  Wait readiness() const override;

 private:
  std::shared_ptr<Descriptor> d_;
  bool closed_ = false;
};

class FdOutputStream final : public OutputStream {
 public:
  explicit FdOutputStream(std::shared_ptr<Descriptor> d) : d_(std::move(d)) {}
  int checkWrite(uint64_t& n) override;
  int write(const uint8_t* p, size_t len) override;
  Wait readiness() const override;

 private:
  std::shared_ptr<Descriptor> d_;
  bool closed_ = false;
};

// A file at an explicit offset (advancing); regular files are always ready.
class FileInputStream final : public InputStream {
 public:
  FileInputStream(std::shared_ptr<Descriptor> d, uint64_t offset) : d_(std::move(d)), offset_(offset) {}
  int read(uint64_t len, std::vector<uint8_t>& out) override;
  Wait readiness() const override { return Wait::ready(); }

 private:
  std::shared_ptr<Descriptor> d_;
  uint64_t offset_;
};

class FileOutputStream final : public OutputStream {
 public:
  // append: every write goes to the end of the file (append-via-stream).
  FileOutputStream(std::shared_ptr<Descriptor> d, uint64_t offset, bool append)
      : d_(std::move(d)), offset_(offset), append_(append) {}
  int checkWrite(uint64_t& n) override;
  int write(const uint8_t* p, size_t len) override;
  Wait readiness() const override { return Wait::ready(); }

 private:
  std::shared_ptr<Descriptor> d_;
  uint64_t offset_;
  bool append_;
};

// In-memory bodies (wasi:http request and response bodies buffered by the server): an input stream over bytes the
// host has (all of them at once; kClosed after the last), and an output stream appending to a buffer with a cap
// (past `limit` bytes write fails with EFBIG). Both are always ready.
class BufferInputStream final : public InputStream {
 public:
  explicit BufferInputStream(std::shared_ptr<const std::string> bytes) : bytes_(std::move(bytes)) {}
  int read(uint64_t len, std::vector<uint8_t>& out) override;
  Wait readiness() const override { return Wait::ready(); }

 private:
  std::shared_ptr<const std::string> bytes_;
  size_t pos_ = 0;
};

class BufferOutputStream final : public OutputStream {
 public:
  BufferOutputStream(std::shared_ptr<std::string> sink, uint64_t limit) : sink_(std::move(sink)), limit_(limit) {}
  int checkWrite(uint64_t& n) override;
  int write(const uint8_t* p, size_t len) override;
  Wait readiness() const override { return Wait::ready(); }
  // After close() (the body was finished or dropped with its parent) writes report kClosed.
  void close() { closed_ = true; }

 private:
  std::shared_ptr<std::string> sink_;
  uint64_t limit_;
  bool closed_ = false;
};

// The Wait of a stream, as a pollable (wasi:io/streams subscribe): keeps the stream alive.
class InputStreamPollable final : public Pollable {
 public:
  explicit InputStreamPollable(std::shared_ptr<InputStream> s) : s_(std::move(s)) {}
  Wait wait() const override { return s_->readiness(); }

 private:
  std::shared_ptr<InputStream> s_;
};

class OutputStreamPollable final : public Pollable {
 public:
  explicit OutputStreamPollable(std::shared_ptr<OutputStream> s) : s_(std::move(s)) {}
  Wait wait() const override { return s_->readiness(); }

 private:
  std::shared_ptr<OutputStream> s_;
};

}  // namespace myrt::wasi::host
