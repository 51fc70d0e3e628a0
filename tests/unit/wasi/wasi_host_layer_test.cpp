// tests/unit/wasi/wasi_host_layer_test.cpp -- the capability layer shared by preview1 and WASI 0.2 (wasi/host):
// the Poller on real readiness (pipes, a deadline, regular files that epoll refuses), streams over pipes and files
// (non-blocking reads return nothing rather than block; end of stream; a vanished reader), descriptors beneath a
// read-only directory, clocks and random.
// Layer: tests (wasi/host).
#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <thread>

#include <catch2/catch.hpp>

#include "tests/unit/wasi/wasi_harness.h"
#include "wasi/host/clock_random.h"
#include "wasi/host/descriptor.h"
#include "wasi/host/poll.h"
#include "wasi/host/stream.h"

using namespace myrt::wasi::host;
using myrt::wasitest::TempDir;

namespace {

struct Pipe {
  int r = -1, w = -1;
  Pipe() {
    int fds[2];
    REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
    r = fds[0];
    w = fds[1];
  }
  ~Pipe() {
    if (r >= 0) close(r);
    if (w >= 0) close(w);
  }
};

std::shared_ptr<Descriptor> dupShared(int fd) { return std::make_shared<Descriptor>(Descriptor::duplicate(fd)); }

}  // namespace

TEST_CASE("host poller: pipe readiness, deadlines, regular files", "[wasi][host]") {
  Poller poller;
  Pipe p;
  std::vector<uint32_t> re;
  // Nothing to read yet, a deadline 20 ms ahead: the deadline fires, the pipe does not.
  uint64_t start = monotonicNow();
  std::vector<Wait> waits = {Wait::forFd(p.r, EPOLLIN), Wait::until(start + 20'000'000)};
  REQUIRE(poller.poll(waits, re) == 0);
  CHECK(re[0] == 0);
  CHECK(re[1] != 0);
  CHECK(monotonicNow() - start >= 20'000'000);
  // Data written by another thread wakes the wait long before a far deadline.
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    REQUIRE(write(p.w, "x", 1) == 1);
  });
  waits = {Wait::forFd(p.r, EPOLLIN), Wait::until(monotonicNow() + 10'000'000'000ull)};
  REQUIRE(poller.poll(waits, re) == 0);
  writer.join();
  CHECK((re[0] & EPOLLIN) != 0);
  CHECK(re[1] == 0);
  // The write end of a pipe with room is writable; the same fd twice with different interests.
  waits = {Wait::forFd(p.w, EPOLLOUT), Wait::forFd(p.r, EPOLLIN), Wait::forFd(p.r, EPOLLOUT)};
  REQUIRE(poller.poll(waits, re) == 0);
  CHECK((re[0] & EPOLLOUT) != 0);
  CHECK((re[1] & EPOLLIN) != 0);
  CHECK(re[2] == 0);
  // A regular file (epoll refuses it) is ready at once; an empty list is an error, not an endless wait.
  TempDir t;
  t.write("f", "abc");
  int f = open((t / "f").c_str(), O_RDONLY | O_CLOEXEC);
  waits = {Wait::forFd(f, EPOLLIN), Wait::until(monotonicNow() + 10'000'000'000ull)};
  REQUIRE(poller.poll(waits, re) == 0);
  CHECK(re[0] != 0);
  close(f);
  CHECK(poller.poll({}, re) == EINVAL);
  // blockAtMost bounds a wait that nothing ends.
  waits = {Wait::forFd(p.r, EPOLLIN)};
  char c;
  REQUIRE(read(p.r, &c, 1) == 1);
  start = monotonicNow();
  REQUIRE(poller.poll(waits, re, 5'000'000) == 0);
  CHECK(re[0] == 0);
  CHECK(monotonicNow() - start >= 5'000'000);
}

TEST_CASE("host streams: pipe input never blocks, end of stream, closed reader", "[wasi][host]") {
  Poller poller;
  auto p = std::make_unique<Pipe>();
  FdInputStream in(dupShared(p->r));
  std::vector<uint8_t> out;
  CHECK(in.read(10, out) == 0);  // nothing yet: empty, not blocked
  CHECK(out.empty());
  CHECK(in.readiness().fd >= 0);
  REQUIRE(write(p->w, "hello", 5) == 5);
  CHECK(in.read(3, out) == 0);
  CHECK(std::string(out.begin(), out.end()) == "hel");
  out.clear();
  CHECK(in.blockingRead(10, out, poller) == 0);
  CHECK(std::string(out.begin(), out.end()) == "lo");
  close(p->w);
  p->w = -1;
  out.clear();
  CHECK(in.blockingRead(10, out, poller) == kClosed);
  CHECK(in.read(1, out) == kClosed);
  CHECK(in.readiness().readyNow);

  // Output to a pipe whose reader is gone: closed, and no SIGPIPE kills the test.
  Pipe q;
  FdOutputStream os(dupShared(q.w));
  uint64_t n = 0;
  REQUIRE(os.checkWrite(n) == 0);
  CHECK(n > 0);
  CHECK(os.blockingWriteAndFlush(reinterpret_cast<const uint8_t*>("hi"), 2, poller) == 0);
  char buf[4];
  CHECK(read(q.r, buf, 4) == 2);
  close(q.r);
  q.r = -1;
  CHECK(os.write(reinterpret_cast<const uint8_t*>("x"), 1) == kClosed);
}

TEST_CASE("host streams on files: offsets, append, end of file", "[wasi][host]") {
  TempDir t;
  t.write("f", "0123456789");
  Descriptor dir;
  REQUIRE(Descriptor::openDirectory(t.path.string(), false, dir) == 0);
  OpenOptions o;
  o.read = o.write = true;
  Descriptor file;
  REQUIRE(dir.openAt("f", o, file) == 0);
  auto d = std::make_shared<Descriptor>(std::move(file));
  FileInputStream in(d, 7);
  std::vector<uint8_t> out;
  CHECK(in.read(100, out) == 0);
  CHECK(std::string(out.begin(), out.end()) == "789");
  CHECK(in.read(100, out) == kClosed);
  FileOutputStream at(d, 2, false);
  CHECK(at.write(reinterpret_cast<const uint8_t*>("ab"), 2) == 0);
  FileOutputStream app(d, 0, true);
  CHECK(app.write(reinterpret_cast<const uint8_t*>("Z"), 1) == 0);
  CHECK(app.writeZeroes(2) == 0);
  CHECK(myrt::wasitest::readHostFile(t / "f") == std::string("01ab456789Z\0\0", 13));
}

TEST_CASE("host descriptors beneath a read-only directory refuse modification", "[wasi][host]") {
  TempDir t;
  t.write("f", "x");
  Descriptor dir;
  REQUIRE(Descriptor::openDirectory(t.path.string(), true, dir) == 0);
  OpenOptions o;
  o.write = true;
  Descriptor file;
  CHECK(dir.openAt("f", o, file) == kNotCapable);
  o = {};
  o.create = true;
  CHECK(dir.openAt("g", o, file) == kNotCapable);
  CHECK(dir.createDirectoryAt("d") == kNotCapable);
  CHECK(dir.unlinkFileAt("f") == kNotCapable);
  CHECK(dir.renameAt("f", dir, "g") == kNotCapable);
  CHECK(dir.symlinkAt("f", "l") == kNotCapable);
  o = {};
  o.read = true;
  REQUIRE(dir.openAt("f", o, file) == 0);
  CHECK(file.readOnly());
  timespec ts[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
  CHECK(file.setTimes(ts) == kNotCapable);
  CHECK(file.setSize(0) == kNotCapable);
  CHECK(dir.openAt("../x", o, file) == kNotCapable);  // escapes are kNotCapable too
  CHECK(dir.openAt("/etc/passwd", o, file) == kNotCapable);
}

TEST_CASE("host clocks and random", "[wasi][host]") {
  uint64_t a = 0, b = 0, res = 0;
  REQUIRE(clockNow(Clock::Monotonic, a) == 0);
  REQUIRE(clockNow(Clock::Monotonic, b) == 0);
  CHECK(b >= a);
  REQUIRE(clockResolution(Clock::Realtime, res) == 0);
  CHECK(res > 0);
  REQUIRE(clockNow(Clock::Realtime, a) == 0);
  CHECK(a > 1'600'000'000ull * 1'000'000'000ull);  // after 2020
  uint8_t buf[64] = {};
  REQUIRE(randomBytes(buf, sizeof buf) == 0);
  int zeros = 0;
  for (uint8_t v : buf) zeros += v == 0;
  CHECK(zeros < 16);
  InsecureRandom r1, r2;
  CHECK(r1.next() != r2.next());  // independently seeded
  CHECK(r1.seed() == r1.seed());
  CHECK(r1.seed() != r2.seed());
}
