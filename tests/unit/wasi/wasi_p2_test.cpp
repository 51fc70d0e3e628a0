// tests/unit/wasi/wasi_p2_test.cpp -- WASI 0.2 (wasi/p2) through its C++ face, one WIT function after another:
// wasi:cli (arguments, environment, stdio streams on pipes, terminals, exit), wasi:io (streams, check-write permits,
// errors, pollables on pipes and clocks, poll), wasi:clocks, wasi:random, wasi:filesystem (preopens, open-at with
// every capability rule, streams on files, stat, directory listing without "." and "..", links, renames, escapes,
// read-only preopens), resource drops and traps.
// Layer: tests (wasi/p2, wasi/host).
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/unit/wasi/wasi_harness.h"
#include "wasi/p2/context.h"

using namespace myrt::wasi;
using namespace myrt::wasi::p2;
using myrt::wasitest::TempDir;
namespace df = myrt::wasi::p2::descriptor_flags;
namespace of = myrt::wasi::p2::open_flags;

namespace {

std::vector<uint8_t> bytes(std::string_view s) { return std::vector<uint8_t>(s.begin(), s.end()); }
std::string str(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }

struct Fixture {
  TempDir t;
  int in[2], out[2];
  std::unique_ptr<WasiP2> w;
  explicit Fixture(bool readOnly = false, bool withRo = false) {
    REQUIRE(pipe2(in, O_CLOEXEC) == 0);
    REQUIRE(pipe2(out, O_CLOEXEC) == 0);
    std::filesystem::create_directory(t / "box");
    std::filesystem::create_directory(t / "ro");
    t.write("outside.txt", "secret");
    t.write("box/a.txt", "hello");
    t.write("ro/r.txt", "read only");
    WasiConfig cfg;
    cfg.args = {"prog", "x y"};
    cfg.env = {{"A", "1"}, {"B", "two=2"}};
    cfg.preopens.push_back({(t / "box").string(), "/", readOnly});
    if (withRo) cfg.preopens.push_back({(t / "ro").string(), "/ro", true});
    cfg.stdinFd = in[0];
    cfg.stdoutFd = out[1];
    cfg.stderrFd = -1;
    auto made = WasiP2::create(cfg);
    REQUIRE(made.ok());
    w = std::move(*made);
  }
  ~Fixture() {
    for (int fd : {in[0], in[1], out[0], out[1]})
      if (fd >= 0) close(fd);
  }
  Rep root() {
    auto dirs = w->getDirectories();
    REQUIRE(!dirs.empty());
    CHECK(dirs[0].second == "/");
    return dirs[0].first;
  }
};

}  // namespace

TEST_CASE("p2 cli: arguments, environment, stdio, terminals, exit", "[wasi][p2]") {
  Fixture f;
  CHECK(f.w->getArguments() == std::vector<std::string>{"prog", "x y"});
  CHECK(f.w->getEnvironment() == std::vector<std::pair<std::string, std::string>>{{"A", "1"}, {"B", "two=2"}});
  CHECK(!f.w->initialCwd());
  CHECK(!f.w->getTerminalStdin());  // pipes are not terminals
  CHECK(!f.w->getTerminalStdout());

  Rep out = f.w->getStdout();
  auto permit = f.w->checkWrite(out);
  REQUIRE(permit.ok());
  REQUIRE(permit.value() > 0);
  REQUIRE(f.w->write(out, bytes("hi ")).ok());
  REQUIRE(f.w->blockingWriteAndFlush(out, bytes("there")).ok());
  char buf[16] = {};
  CHECK(read(f.out[0], buf, sizeof buf) == 8);
  CHECK(std::string(buf) == "hi there");
  CHECK(!f.w->takeTrap());
  // Writing beyond the permit is a trap.
  std::vector<uint8_t> big(size_t(permit.value()) + 1, 'x');
  (void)f.w->checkWrite(out);
  (void)f.w->write(out, big);
  CHECK(f.w->takeTrap() == std::optional<std::string>("output-stream.write: more bytes than check-write permitted"));
  (void)f.w->blockingWriteAndFlush(out, std::vector<uint8_t>(4097, 'y'));
  CHECK(f.w->takeTrap().has_value());

  // stdin: nothing yet (read returns empty, never blocks), then data, then the end.
  Rep in = f.w->getStdin();
  auto r = f.w->read(in, 100);
  REQUIRE(r.ok());
  CHECK(r.value().empty());
  Rep sub = f.w->subscribeInput(in);
  CHECK(!f.w->pollableReady(sub));
  REQUIRE(write(f.in[1], "abc", 3) == 3);
  CHECK(f.w->pollableReady(sub));
  r = f.w->blockingRead(in, 100);
  REQUIRE(r.ok());
  CHECK(str(r.value()) == "abc");
  close(f.in[1]);
  f.in[1] = -1;
  r = f.w->blockingRead(in, 100);
  REQUIRE(!r.ok());
  CHECK(r.error().closed);

  // A closed stdio fd: the stream exists and reports closed.
  Rep err = f.w->getStderr();
  auto cw = f.w->checkWrite(err);
  REQUIRE(!cw.ok());
  CHECK(cw.error().closed);

  f.w->exit(false);
  CHECK(f.w->exitCode() == std::optional<uint32_t>(1));
  CHECK(f.w->takeTrap() == std::optional<std::string>(kExitTrap));
}

TEST_CASE("p2 io: poll over clocks and streams, drops, bad handles", "[wasi][p2]") {
  Fixture f;
  uint64_t t0 = f.w->monotonicNow();
  Rep soon = f.w->subscribeDuration(10'000'000);
  Rep later = f.w->subscribeDuration(10'000'000'000ull);
  Rep in = f.w->getStdin();
  Rep inReady = f.w->subscribeInput(in);
  auto ready = f.w->poll({later, soon, inReady});
  CHECK(ready == std::vector<uint32_t>{1});
  CHECK(f.w->monotonicNow() - t0 >= 10'000'000);
  CHECK(f.w->pollableReady(soon));
  CHECK(!f.w->pollableReady(later));
  Rep past = f.w->subscribeInstant(0);
  f.w->pollableBlock(past);  // returns at once
  CHECK(f.w->poll({}).empty());
  CHECK(f.w->takeTrap() == std::optional<std::string>("poll: empty list of pollables"));
  CHECK(f.w->monotonicResolution() > 0);
  Datetime now = f.w->wallNow();
  CHECK(now.seconds > 1'600'000'000ull);
  CHECK(now.nanoseconds < 1'000'000'000u);

  size_t live = f.w->liveResources();
  f.w->drop(WasiP2::Kind::Pollable, soon);
  CHECK(f.w->liveResources() == live - 1);
  CHECK(!f.w->takeTrap());
  f.w->drop(WasiP2::Kind::Pollable, soon);  // twice
  CHECK(f.w->takeTrap().has_value());
  f.w->drop(WasiP2::Kind::InputStream, later);  // wrong kind
  CHECK(f.w->takeTrap().has_value());
  (void)f.w->read(later, 1);  // a pollable is not an input-stream
  CHECK(f.w->takeTrap() == std::optional<std::string>("unknown handle: not a input-stream"));
  (void)f.w->stat(12345);
  CHECK(f.w->takeTrap().has_value());
}

TEST_CASE("p2 random", "[wasi][p2]") {
  Fixture f;
  auto a = f.w->getRandomBytes(32), b = f.w->getRandomBytes(32);
  CHECK(a.size() == 32);
  CHECK(a != b);
  CHECK(f.w->getRandomU64() != f.w->getRandomU64());
  CHECK(f.w->getInsecureRandomBytes(7).size() == 7);
  CHECK(f.w->getInsecureRandomU64() != f.w->getInsecureRandomU64());
  CHECK(f.w->insecureSeed() == f.w->insecureSeed());
}

TEST_CASE("p2 filesystem: open, streams, stat, directories, links", "[wasi][p2]") {
  Fixture f;
  Rep root = f.root();
  auto flags = f.w->getFlags(root);
  REQUIRE(flags.ok());
  CHECK(flags.value() == (df::kRead | df::kMutateDirectory));
  CHECK(f.w->getType(root).value() == DescriptorType::Directory);

  // Read a file through a stream and directly.
  auto fa = f.w->openAt(root, 0, "a.txt", 0, df::kRead);
  REQUIRE(fa.ok());
  auto rs = f.w->readViaStream(fa.value(), 1);
  REQUIRE(rs.ok());
  auto got = f.w->blockingRead(rs.value(), 100);
  REQUIRE(got.ok());
  CHECK(str(got.value()) == "ello");
  auto end = f.w->read(rs.value(), 100);
  REQUIRE(!end.ok());
  CHECK(end.error().closed);
  auto direct = f.w->readAt(fa.value(), 3, 2);
  REQUIRE(direct.ok());
  CHECK(str(direct.value().first) == "llo");
  CHECK(!direct.value().second);
  CHECK(f.w->readAt(fa.value(), 3, 5).value().second);  // at the end
  CHECK(f.w->writeViaStream(fa.value(), 0).error() == ErrorCode::BadDescriptor);  // not opened for writing
  CHECK(f.w->writeAt(fa.value(), bytes("x"), 0).error() == ErrorCode::BadDescriptor);

  // Create, write through a stream and append, stat.
  auto fb = f.w->openAt(root, 0, "sub/b.txt", of::kCreate, df::kRead | df::kWrite);
  CHECK(fb.error() == ErrorCode::NoEntry);
  REQUIRE(f.w->createDirectoryAt(root, "sub").ok());
  CHECK(f.w->createDirectoryAt(root, "sub").error() == ErrorCode::Exist);
  fb = f.w->openAt(root, 0, "sub/b.txt", of::kCreate | of::kExclusive, df::kRead | df::kWrite);
  REQUIRE(fb.ok());
  auto ws = f.w->writeViaStream(fb.value(), 0);
  REQUIRE(ws.ok());
  REQUIRE(f.w->blockingWriteAndFlush(ws.value(), bytes("12345")).ok());
  auto as = f.w->appendViaStream(fb.value());
  REQUIRE(as.ok());
  REQUIRE(f.w->checkWrite(as.value()).ok());
  REQUIRE(f.w->write(as.value(), bytes("678")).ok());
  CHECK(f.w->writeAt(fb.value(), bytes("AB"), 1).value() == 2);
  CHECK(myrt::wasitest::readHostFile(f.t / "box/sub/b.txt") == "1AB45678");
  auto st = f.w->stat(fb.value());
  REQUIRE(st.ok());
  CHECK(st.value().type == DescriptorType::RegularFile);
  CHECK(st.value().size == 8);
  CHECK(st.value().dataModificationTimestamp.has_value());
  REQUIRE(f.w->setSize(fb.value(), 3).ok());
  CHECK(f.w->statAt(root, 0, "sub/b.txt").value().size == 3);
  NewTimestamp t{NewTimestamp::Timestamp, Datetime{1'000'000, 5}};
  REQUIRE(f.w->setTimes(fb.value(), t, t).ok());
  CHECK(f.w->stat(fb.value()).value().dataModificationTimestamp == std::optional<Datetime>(Datetime{1'000'000, 5}));
  CHECK(f.w->setTimesAt(root, 0, "sub/b.txt", NewTimestamp{}, NewTimestamp{NewTimestamp::Now, {}}).ok());
  CHECK(f.w->setTimes(fb.value(), NewTimestamp{NewTimestamp::Timestamp, Datetime{1, 1'000'000'000}}, t).error() ==
        ErrorCode::Invalid);

  // Directory listing: no "." or "..".
  auto ds = f.w->readDirectory(root);
  REQUIRE(ds.ok());
  std::vector<std::string> names;
  for (;;) {
    auto e = f.w->readDirectoryEntry(ds.value());
    REQUIRE(e.ok());
    if (!e.value()) break;
    names.push_back(e.value()->name);
  }
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"a.txt", "sub"});
  CHECK(f.w->readDirectory(fa.value()).error() == ErrorCode::NotDirectory);

  // Links, symlinks, renames, removal, identity.
  REQUIRE(f.w->linkAt(root, 0, "a.txt", root, "hard").ok());
  CHECK(f.w->statAt(root, 0, "hard").value().linkCount == 2);
  REQUIRE(f.w->symlinkAt(root, "a.txt", "soft").ok());
  CHECK(f.w->readlinkAt(root, "soft").value() == "a.txt");
  CHECK(f.w->statAt(root, 0, "soft").value().type == DescriptorType::SymbolicLink);
  CHECK(f.w->statAt(root, path_flags::kSymlinkFollow, "soft").value().type == DescriptorType::RegularFile);
  CHECK(f.w->metadataHashAt(root, path_flags::kSymlinkFollow, "soft").value() == f.w->metadataHash(fa.value()).value());
  CHECK(f.w->metadataHashAt(root, 0, "soft").value() != f.w->metadataHash(fa.value()).value());
  auto fa2 = f.w->openAt(root, 0, "hard", 0, df::kRead);
  REQUIRE(fa2.ok());
  CHECK(f.w->isSameObject(fa.value(), fa2.value()));
  CHECK(!f.w->isSameObject(fa.value(), root));
  REQUIRE(f.w->renameAt(root, "hard", root, "sub/moved").ok());
  CHECK(f.w->removeDirectoryAt(root, "sub").error() == ErrorCode::NotEmpty);
  REQUIRE(f.w->unlinkFileAt(root, "sub/moved").ok());
  REQUIRE(f.w->unlinkFileAt(root, "sub/b.txt").ok());
  REQUIRE(f.w->removeDirectoryAt(root, "sub").ok());
  CHECK(f.w->unlinkFileAt(root, "soft").ok());
  CHECK(f.w->openAt(root, 0, "a.txt", of::kDirectory, df::kRead).error() == ErrorCode::NotDirectory);
  CHECK(f.w->openAt(fa.value(), 0, "x", 0, df::kRead).error() == ErrorCode::NotDirectory);
  CHECK(!f.w->takeTrap());
}

TEST_CASE("p2 filesystem: the sandbox and read-only preopens", "[wasi][p2]") {
  Fixture f(false, true);
  auto dirs = f.w->getDirectories();
  REQUIRE(dirs.size() == 2);
  Rep root = dirs[0].first, ro = dirs[1].first;
  CHECK(dirs[1].second == "/ro");
  CHECK(f.w->getFlags(ro).value() == df::kRead);

  // Escapes: `..`, absolute paths, symlinks leading out. All not-permitted, nothing outside touched.
  CHECK(f.w->openAt(root, 0, "../outside.txt", 0, df::kRead).error() == ErrorCode::NotPermitted);
  CHECK(f.w->openAt(root, 0, "/etc/passwd", 0, df::kRead).error() == ErrorCode::NotPermitted);
  REQUIRE(f.w->symlinkAt(root, "../outside.txt", "up").ok());
  CHECK(f.w->openAt(root, path_flags::kSymlinkFollow, "up", 0, df::kRead).error() == ErrorCode::NotPermitted);
  CHECK(f.w->statAt(root, path_flags::kSymlinkFollow, "up").error() == ErrorCode::NotPermitted);
  CHECK(f.w->symlinkAt(root, "/etc/passwd", "abs").error() == ErrorCode::NotPermitted);
  CHECK(f.w->unlinkFileAt(root, "../outside.txt").error() == ErrorCode::NotPermitted);
  CHECK(f.w->renameAt(root, "a.txt", root, "../stolen").error() == ErrorCode::NotPermitted);
  CHECK(f.w->createDirectoryAt(root, "../made").error() == ErrorCode::NotPermitted);
  CHECK(myrt::wasitest::readHostFile(f.t / "outside.txt") == "secret");
  CHECK(!std::filesystem::exists(f.t / "made"));

  // Read-only: reading works; creating, writing, truncating, removing, renaming into it do not.
  auto r = f.w->openAt(ro, 0, "r.txt", 0, df::kRead);
  REQUIRE(r.ok());
  CHECK(f.w->getFlags(r.value()).value() == df::kRead);
  CHECK(str(f.w->readAt(r.value(), 100, 0).value().first) == "read only");
  CHECK(f.w->openAt(ro, 0, "r.txt", 0, df::kRead | df::kWrite).error() == ErrorCode::NotPermitted);
  CHECK(f.w->openAt(ro, 0, "new", of::kCreate, df::kRead).error() == ErrorCode::NotPermitted);
  CHECK(f.w->openAt(ro, 0, "r.txt", of::kTruncate, df::kRead).error() == ErrorCode::NotPermitted);
  CHECK(f.w->createDirectoryAt(ro, "d").error() == ErrorCode::NotPermitted);
  CHECK(f.w->unlinkFileAt(ro, "r.txt").error() == ErrorCode::NotPermitted);
  CHECK(f.w->renameAt(root, "a.txt", ro, "a.txt").error() == ErrorCode::NotPermitted);
  CHECK(f.w->linkAt(root, 0, "a.txt", ro, "a.txt").error() == ErrorCode::NotPermitted);
  CHECK(f.w->setTimesAt(ro, 0, "r.txt", NewTimestamp{NewTimestamp::Now, {}}, NewTimestamp{}).error() ==
        ErrorCode::NotPermitted);
  CHECK(f.w->setTimes(r.value(), NewTimestamp{NewTimestamp::Now, {}}, NewTimestamp{}).error() ==
        ErrorCode::NotPermitted);
  CHECK(f.w->writeViaStream(r.value(), 0).error() == ErrorCode::BadDescriptor);
  CHECK(myrt::wasitest::readHostFile(f.t / "ro/r.txt") == "read only");
  // A directory opened beneath the read-only preopen cannot mutate either.
  std::filesystem::create_directory(f.t / "ro/inner");
  auto inner = f.w->openAt(ro, 0, "inner", of::kDirectory, df::kRead);
  REQUIRE(inner.ok());
  CHECK(f.w->getFlags(inner.value()).value() == df::kRead);
  CHECK(f.w->createDirectoryAt(inner.value(), "x").error() == ErrorCode::NotPermitted);
  CHECK(f.w->openAt(inner.value(), 0, "x", 0, df::kMutateDirectory).error() == ErrorCode::NotPermitted);

  // Errors from streams carry their code.
  auto rs = f.w->readViaStream(r.value(), 0);
  REQUIRE(rs.ok());
  CHECK(f.w->readViaStream(root, 0).error() == ErrorCode::IsDirectory);
  CHECK(!f.w->takeTrap());
}
