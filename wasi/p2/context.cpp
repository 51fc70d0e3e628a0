// wasi/p2/context.cpp -- WASI 0.2 over wasi/host: the resource table, wasi:cli, wasi:io, wasi:clocks, wasi:random
// (filesystem.cpp has wasi:filesystem). Capability rules are preview1's: only the configured preopens, stdio fds,
// arguments and environment exist for the guest.
// Layer: wasi/p2 (depends on wasi/host).
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "wasi/p2/context.h"
#include "wasi/p2/http_client.h"

namespace myrt::wasi::p2 {

namespace {

// A stream on a closed stdio fd (the embedder passed -1): reads end at once, writes report closed.
class ClosedInput final : public host::InputStream {
 public:
  int read(uint64_t, std::vector<uint8_t>&) override { return host::kClosed; }
  host::Wait readiness() const override { return host::Wait::ready(); }
};
class ClosedOutput final : public host::OutputStream {
 public:
  int checkWrite(uint64_t&) override { return host::kClosed; }
  int write(const uint8_t*, size_t) override { return host::kClosed; }
  host::Wait readiness() const override { return host::Wait::ready(); }
};

std::shared_ptr<host::Descriptor> stdioDescriptor(int fd) {
  host::Descriptor d = host::Descriptor::duplicate(fd);
  if (!d.valid()) return nullptr;
  return std::make_shared<host::Descriptor>(std::move(d));
}

}  // namespace

const char* errorCodeName(ErrorCode c) {
  static const char* const kNames[] = {
      "access", "would-block", "already", "bad-descriptor", "busy", "deadlock", "quota", "exist", "file-too-large",
      "illegal-byte-sequence", "in-progress", "interrupted", "invalid", "io", "is-directory", "loop",
      "too-many-links", "message-size", "name-too-long", "no-device", "no-entry", "no-lock", "insufficient-memory",
      "insufficient-space", "not-directory", "not-empty", "not-recoverable", "unsupported", "no-tty",
      "no-such-device", "overflow", "not-permitted", "pipe", "read-only", "invalid-seek", "text-file-busy",
      "cross-device"};
  return kNames[static_cast<size_t>(c)];
}

ErrorCode errorCodeFromHost(int e) {
  switch (e) {
    case host::kNotCapable: return ErrorCode::NotPermitted;
    case EACCES: return ErrorCode::Access;
    case EAGAIN: return ErrorCode::WouldBlock;
    case EALREADY: return ErrorCode::Already;
    case EBADF: return ErrorCode::BadDescriptor;
    case EBUSY: return ErrorCode::Busy;
    case EDEADLK: return ErrorCode::Deadlock;
    case EDQUOT: return ErrorCode::Quota;
    case EEXIST: return ErrorCode::Exist;
    case EFBIG: return ErrorCode::FileTooLarge;
    case EILSEQ: return ErrorCode::IllegalByteSequence;
    case EINPROGRESS: return ErrorCode::InProgress;
    case EINTR: return ErrorCode::Interrupted;
    case EINVAL: return ErrorCode::Invalid;
    case EISDIR: return ErrorCode::IsDirectory;
    case ELOOP: return ErrorCode::Loop;
    case EMLINK: return ErrorCode::TooManyLinks;
    case EMSGSIZE: return ErrorCode::MessageSize;
    case ENAMETOOLONG: return ErrorCode::NameTooLong;
    case ENODEV: return ErrorCode::NoDevice;
    case ENOENT: return ErrorCode::NoEntry;
    case ENOLCK: return ErrorCode::NoLock;
    case ENOMEM: return ErrorCode::InsufficientMemory;
    case ENOSPC: return ErrorCode::InsufficientSpace;
    case ENOTDIR: return ErrorCode::NotDirectory;
    case ENOTEMPTY: return ErrorCode::NotEmpty;
    case ENOTRECOVERABLE: return ErrorCode::NotRecoverable;
    case EOPNOTSUPP: return ErrorCode::Unsupported;
    case ENOSYS: return ErrorCode::Unsupported;
    case ENOTTY: return ErrorCode::NoTty;
    case ENXIO: return ErrorCode::NoSuchDevice;
    case EOVERFLOW: return ErrorCode::Overflow;
    case EPERM: return ErrorCode::NotPermitted;
    case EPIPE: return ErrorCode::Pipe;
    case EROFS: return ErrorCode::ReadOnly;
    case ESPIPE: return ErrorCode::InvalidSeek;
    case ETXTBSY: return ErrorCode::TextFileBusy;
    case EXDEV: return ErrorCode::CrossDevice;
    default: return ErrorCode::Io;
  }
}

Result<std::unique_ptr<WasiP2>> WasiP2::create(const WasiConfig& config) {
  std::unique_ptr<WasiP2> w(new WasiP2());
  w->args_ = config.args;
  w->env_ = config.env;
  for (const Preopen& p : config.preopens) {
    host::Descriptor d;
    if (int r = host::Descriptor::openDirectory(p.hostPath, p.readOnly, d); r != 0)
      return Error("cannot open directory '" + p.hostPath + "': " + std::strerror(r));
    w->preopens_.push_back({std::make_shared<host::Descriptor>(std::move(d)), p.guestPath});
  }
  w->stdin_ = stdioDescriptor(config.stdinFd);
  w->stdout_ = stdioDescriptor(config.stdoutFd);
  w->stderr_ = stdioDescriptor(config.stderrFd);
  return w;
}

// ---------------------------------------------------------------------------------------------------------------
// resources

void WasiP2::drop(Kind kind, Rep rep) {
  if (!table_.erase(rep, size_t(kind))) setTrap("unknown handle dropped");
}

void WasiP2::reset() {
  table_.clear();
  trap_.reset();
  exitCode_.reset();
  poller_.setInterrupt({});
}

size_t WasiP2::liveResources() const { return table_.live(); }

StreamError WasiP2::streamError(int err, bool filesystem) {
  if (err == host::kClosed) return StreamError{true, 0};
  if (err <= kHttpStreamErrorBase) filesystem = false;  // an HTTP body's error-code (http-error-code)
  return StreamError{false, add(ErrorRes{err, filesystem})};
}

std::optional<uint32_t> WasiP2::httpErrorCode(Rep error) {
  ErrorRes* e = get<5>(error, "error");
  if (!e || e->err > kHttpStreamErrorBase) return std::nullopt;
  return static_cast<uint32_t>(kHttpStreamErrorBase - e->err);
}

// ---------------------------------------------------------------------------------------------------------------
// wasi:cli

void WasiP2::exit(bool ok) {
  exitCode_ = ok ? 0 : 1;
  setTrap(kExitTrap);
}

Rep WasiP2::getStdin() {
  if (!stdin_) return add(std::shared_ptr<host::InputStream>(std::make_shared<ClosedInput>()));
  return add(std::shared_ptr<host::InputStream>(std::make_shared<host::FdInputStream>(stdin_)));
}

Rep WasiP2::getStdout() {
  if (!stdout_) return add(OutputRes{std::make_shared<ClosedOutput>(), 0});
  return add(OutputRes{std::make_shared<host::FdOutputStream>(stdout_), 0});
}

Rep WasiP2::getStderr() {
  if (!stderr_) return add(OutputRes{std::make_shared<ClosedOutput>(), 0});
  return add(OutputRes{std::make_shared<host::FdOutputStream>(stderr_), 0});
}

std::optional<Rep> WasiP2::getTerminalStdin() {
  if (!stdin_ || !isatty(stdin_->fd())) return std::nullopt;
  return add(TerminalInRes{});
}

std::optional<Rep> WasiP2::getTerminalStdout() {
  if (!stdout_ || !isatty(stdout_->fd())) return std::nullopt;
  return add(TerminalOutRes{});
}

std::optional<Rep> WasiP2::getTerminalStderr() {
  if (!stderr_ || !isatty(stderr_->fd())) return std::nullopt;
  return add(TerminalOutRes{});
}

// ---------------------------------------------------------------------------------------------------------------
// wasi:io/error, poll

std::string WasiP2::errorToDebugString(Rep error) {
  ErrorRes* e = get<5>(error, "error");
  if (!e) return {};
  if (e->err <= kHttpStreamErrorBase)
    return std::string("HTTP error: ") + httpErrorCodeName(static_cast<uint32_t>(kHttpStreamErrorBase - e->err));
  return std::string(errorCodeName(errorCodeFromHost(e->err))) + ": " +
         (e->err == host::kNotCapable ? "not permitted by the sandbox" : std::strerror(e->err));
}

bool WasiP2::pollableReady(Rep pollable) {
  auto* p = get<4>(pollable, "pollable");
  if (!p) return false;
  host::Wait w = (*p)->wait();
  std::vector<uint32_t> re;
  if (poller_.poll(std::span<const host::Wait>(&w, 1), re, 0) != 0) return true;  // let the next call report it
  return re[0] != 0;
}

void WasiP2::pollableBlock(Rep pollable) {
  auto* p = get<4>(pollable, "pollable");
  if (!p) return;
  host::Wait w = (*p)->wait();
  std::vector<uint32_t> re;
  (void)poller_.poll(std::span<const host::Wait>(&w, 1), re);
}

std::vector<uint32_t> WasiP2::poll(const std::vector<Rep>& pollables) {
  if (pollables.empty()) {
    setTrap("poll: empty list of pollables");  // nothing could ever wake it (wasmtime traps too)
    return {};
  }
  std::vector<host::Wait> waits;
  waits.reserve(pollables.size());
  for (Rep r : pollables) {
    auto* p = get<4>(r, "pollable");
    if (!p) return {};
    waits.push_back((*p)->wait());
  }
  std::vector<uint32_t> re, ready;
  if (poller_.poll(waits, re) != 0) {  // an epoll failure: report every entry ready so the guest's calls see it
    re.assign(waits.size(), 1);
  }
  for (size_t i = 0; i < re.size(); ++i)
    if (re[i]) ready.push_back(static_cast<uint32_t>(i));
  return ready;
}

// ---------------------------------------------------------------------------------------------------------------
// wasi:io/streams

Expected<std::vector<uint8_t>, StreamError> WasiP2::read(Rep in, uint64_t len) {
  auto* s = get<2>(in, "input-stream");
  if (!s) return std::vector<uint8_t>{};
  std::vector<uint8_t> out;
  if (int r = (*s)->read(len, out); r != 0) return Expected<std::vector<uint8_t>, StreamError>::failure(streamError(r, true));
  return out;
}

Expected<std::vector<uint8_t>, StreamError> WasiP2::blockingRead(Rep in, uint64_t len) {
  auto* s = get<2>(in, "input-stream");
  if (!s) return std::vector<uint8_t>{};
  std::vector<uint8_t> out;
  if (int r = (*s)->blockingRead(len, out, poller_); r != 0)
    return Expected<std::vector<uint8_t>, StreamError>::failure(streamError(r, true));
  return out;
}

Expected<uint64_t, StreamError> WasiP2::skip(Rep in, uint64_t len) {
  auto* s = get<2>(in, "input-stream");
  if (!s) return uint64_t(0);
  uint64_t n = 0;
  if (int r = (*s)->skip(len, n); r != 0) return Expected<uint64_t, StreamError>::failure(streamError(r, true));
  return n;
}

Expected<uint64_t, StreamError> WasiP2::blockingSkip(Rep in, uint64_t len) {
  auto* s = get<2>(in, "input-stream");
  if (!s) return uint64_t(0);
  uint64_t n = 0;
  if (int r = (*s)->blockingSkip(len, n, poller_); r != 0)
    return Expected<uint64_t, StreamError>::failure(streamError(r, true));
  return n;
}

Rep WasiP2::subscribeInput(Rep in) {
  auto* s = get<2>(in, "input-stream");
  if (!s) return 0;
  return add(std::shared_ptr<host::Pollable>(std::make_shared<host::InputStreamPollable>(*s)));
}

Expected<uint64_t, StreamError> WasiP2::checkWrite(Rep out) {
  OutputRes* o = get<3>(out, "output-stream");
  if (!o) return uint64_t(0);
  uint64_t n = 0;
  if (int r = o->s->checkWrite(n); r != 0) return Expected<uint64_t, StreamError>::failure(streamError(r, true));
  o->permit = n;
  return n;
}

Expected<Unit, StreamError> WasiP2::write(Rep out, const std::vector<uint8_t>& contents) {
  OutputRes* o = get<3>(out, "output-stream");
  if (!o) return Unit{};
  if (contents.size() > o->permit) {
    setTrap("output-stream.write: more bytes than check-write permitted");
    return Unit{};
  }
  o->permit -= contents.size();
  if (int r = o->s->write(contents.data(), contents.size()); r != 0)
    return Expected<Unit, StreamError>::failure(streamError(r, true));
  return Unit{};
}

Expected<Unit, StreamError> WasiP2::blockingWriteAndFlush(Rep out, const std::vector<uint8_t>& contents) {
  OutputRes* o = get<3>(out, "output-stream");
  if (!o) return Unit{};
  if (contents.size() > kMaxBlockingWrite) {
    setTrap("output-stream.blocking-write-and-flush: more than 4096 bytes");
    return Unit{};
  }
  if (int r = o->s->blockingWriteAndFlush(contents.data(), contents.size(), poller_); r != 0)
    return Expected<Unit, StreamError>::failure(streamError(r, true));
  return Unit{};
}

Expected<Unit, StreamError> WasiP2::flush(Rep out) {
  OutputRes* o = get<3>(out, "output-stream");
  if (!o) return Unit{};
  if (int r = o->s->flush(); r != 0) return Expected<Unit, StreamError>::failure(streamError(r, true));
  return Unit{};
}

Expected<Unit, StreamError> WasiP2::blockingFlush(Rep out) {
  OutputRes* o = get<3>(out, "output-stream");
  if (!o) return Unit{};
  if (int r = o->s->blockingFlush(poller_); r != 0) return Expected<Unit, StreamError>::failure(streamError(r, true));
  return Unit{};
}

Expected<Unit, StreamError> WasiP2::writeZeroes(Rep out, uint64_t len) {
  OutputRes* o = get<3>(out, "output-stream");
  if (!o) return Unit{};
  if (len > o->permit) {
    setTrap("output-stream.write-zeroes: more bytes than check-write permitted");
    return Unit{};
  }
  o->permit -= len;
  if (int r = o->s->writeZeroes(len); r != 0) return Expected<Unit, StreamError>::failure(streamError(r, true));
  return Unit{};
}

Expected<Unit, StreamError> WasiP2::blockingWriteZeroesAndFlush(Rep out, uint64_t len) {
  OutputRes* o = get<3>(out, "output-stream");
  if (!o) return Unit{};
  if (len > kMaxBlockingWrite) {
    setTrap("output-stream.blocking-write-zeroes-and-flush: more than 4096 bytes");
    return Unit{};
  }
  std::vector<uint8_t> zeroes(static_cast<size_t>(len), 0);
  if (int r = o->s->blockingWriteAndFlush(zeroes.data(), zeroes.size(), poller_); r != 0)
    return Expected<Unit, StreamError>::failure(streamError(r, true));
  return Unit{};
}

Expected<uint64_t, StreamError> WasiP2::splice(Rep out, Rep in, uint64_t len) {
  OutputRes* o = get<3>(out, "output-stream");
  auto* s = get<2>(in, "input-stream");
  if (!o || !s) return uint64_t(0);
  uint64_t room = 0;
  if (int r = o->s->checkWrite(room); r != 0) return Expected<uint64_t, StreamError>::failure(streamError(r, true));
  std::vector<uint8_t> buf;
  if (int r = (*s)->read(std::min(len, room), buf); r != 0)
    return Expected<uint64_t, StreamError>::failure(streamError(r, true));
  if (int r = o->s->write(buf.data(), buf.size()); r != 0)
    return Expected<uint64_t, StreamError>::failure(streamError(r, true));
  return uint64_t(buf.size());
}

Expected<uint64_t, StreamError> WasiP2::blockingSplice(Rep out, Rep in, uint64_t len) {
  OutputRes* o = get<3>(out, "output-stream");
  auto* s = get<2>(in, "input-stream");
  if (!o || !s) return uint64_t(0);
  std::vector<uint8_t> buf;
  if (int r = (*s)->blockingRead(std::min<uint64_t>(len, kMaxBlockingWrite), buf, poller_); r != 0)
    return Expected<uint64_t, StreamError>::failure(streamError(r, true));
  if (int r = o->s->blockingWriteAndFlush(buf.data(), buf.size(), poller_); r != 0)
    return Expected<uint64_t, StreamError>::failure(streamError(r, true));
  return uint64_t(buf.size());
}

Rep WasiP2::subscribeOutput(Rep out) {
  OutputRes* o = get<3>(out, "output-stream");
  if (!o) return 0;
  return add(std::shared_ptr<host::Pollable>(std::make_shared<host::OutputStreamPollable>(o->s)));
}

// ---------------------------------------------------------------------------------------------------------------
// wasi:clocks, wasi:random

uint64_t WasiP2::monotonicNow() const { return host::monotonicNow(); }

uint64_t WasiP2::monotonicResolution() const {
  uint64_t ns = 1;
  (void)host::clockResolution(host::Clock::Monotonic, ns);
  return ns;
}

Rep WasiP2::subscribeInstant(uint64_t when) {
  return add(std::shared_ptr<host::Pollable>(std::make_shared<host::SimplePollable>(host::Wait::until(when))));
}

Rep WasiP2::subscribeDuration(uint64_t ns) {
  uint64_t now = host::monotonicNow();
  uint64_t when = ns > UINT64_MAX - 1 - now ? UINT64_MAX - 1 : now + ns;
  return subscribeInstant(when);
}

Datetime WasiP2::wallNow() const {
  uint64_t ns = 0;
  (void)host::clockNow(host::Clock::Realtime, ns);
  return Datetime{ns / 1000000000ull, static_cast<uint32_t>(ns % 1000000000ull)};
}

Datetime WasiP2::wallResolution() const {
  uint64_t ns = 1;
  (void)host::clockResolution(host::Clock::Realtime, ns);
  return Datetime{ns / 1000000000ull, static_cast<uint32_t>(ns % 1000000000ull)};
}

std::vector<uint8_t> WasiP2::getRandomBytes(uint64_t len) {
  if (len > (uint64_t(1) << 30)) {
    setTrap("get-random-bytes: more than 1 GiB requested");
    return {};
  }
  std::vector<uint8_t> out(static_cast<size_t>(len));
  if (host::randomBytes(out.data(), out.size()) != 0) setTrap("get-random-bytes: the host's random source failed");
  return out;
}

uint64_t WasiP2::getRandomU64() {
  uint64_t v = 0;
  if (host::randomBytes(reinterpret_cast<uint8_t*>(&v), sizeof v) != 0)
    setTrap("get-random-u64: the host's random source failed");
  return v;
}

std::vector<uint8_t> WasiP2::getInsecureRandomBytes(uint64_t len) {
  if (len > (uint64_t(1) << 30)) {
    setTrap("get-insecure-random-bytes: more than 1 GiB requested");
    return {};
  }
  std::vector<uint8_t> out(static_cast<size_t>(len));
  insecure_.fill(out.data(), out.size());
  return out;
}

uint64_t WasiP2::getInsecureRandomU64() { return insecure_.next(); }

}  // namespace myrt::wasi::p2
