// tests/unit/wasi/wasi_host_test.cpp -- WASI preview1 host functions called directly with a real MemoryInst:
// args/environ, stdio, fd operations on files and directories, rights and read-only preopens, clocks, random,
// poll_oneoff, sockets, and guest pointers out of bounds (always errno `fault`, never a host fault).
// Layer: tests (wasi/p1 through its host instance).
#include <sys/socket.h>
#include <sys/mman.h>

#include <catch2/catch.hpp>

#include "tests/unit/wasi/wasi_harness.h"

using namespace myrt;
using namespace myrt::wasitest;
namespace abi = myrt::wasi::abi;
namespace rights = myrt::wasi::abi::rights;

namespace {

constexpr uint32_t kPage = 65536;

wasi::WasiConfig dirConfig(const TempDir& d, bool readOnly = false) {
  wasi::WasiConfig cfg;
  cfg.args = {"prog"};
  cfg.preopens.push_back({d.path.string(), "/sandbox", readOnly});
  cfg.stdinFd = -1;
  cfg.stdoutFd = -1;
  cfg.stderrFd = -1;
  return cfg;
}

}  // namespace

TEST_CASE("wasi: args and environ", "[wasi]") {
  wasi::WasiConfig cfg;
  cfg.args = {"prog", "a b", ""};
  cfg.env = {{"K", "v"}, {"EMPTY", ""}};
  Wasi w(cfg);
  REQUIRE(w.ok());
  CHECK(w.call("args_sizes_get", {I32(0), I32(4)}) == 0);
  CHECK(w.u32(0) == 3);
  CHECK(w.u32(4) == 5 + 4 + 1);
  CHECK(w.call("args_get", {I32(16), I32(64)}) == 0);
  CHECK(w.u32(16) == 64);
  CHECK(w.get(64, 10) == std::string("prog\0a b\0\0", 10));
  CHECK(w.u32(20) == 69);
  CHECK(w.u32(24) == 73);
  CHECK(w.call("environ_sizes_get", {I32(0), I32(4)}) == 0);
  CHECK(w.u32(0) == 2);
  CHECK(w.u32(4) == 4 + 7);
  CHECK(w.call("environ_get", {I32(16), I32(64)}) == 0);
  CHECK(w.get(64, 11) == std::string("K=v\0EMPTY=\0", 11));
  // Out of bounds: the pointer array or the buffer past the end of memory.
  CHECK(w.call("args_get", {I32(kPage - 4), I32(64)}) == abi::kFault);
  CHECK(w.call("args_get", {I32(16), I32(kPage - 5)}) == abi::kFault);
  CHECK(w.call("args_sizes_get", {I32(0xFFFFFFFF), I32(4)}) == abi::kFault);
  CHECK(w.call("environ_get", {I32(16), I32(0xFFFFFFF0)}) == abi::kFault);
}

TEST_CASE("wasi: stdout and stdin", "[wasi]") {
  int out = memfd_create("out", MFD_CLOEXEC);
  int pipefd[2];
  REQUIRE(pipe(pipefd) == 0);
  REQUIRE(::write(pipefd[1], "input!", 6) == 6);
  close(pipefd[1]);
  wasi::WasiConfig cfg;
  cfg.stdinFd = pipefd[0];
  cfg.stdoutFd = out;
  cfg.stderrFd = -1;
  {
    Wasi w(cfg);
    REQUIRE(w.ok());
    uint32_t n = 0;
    CHECK(w.write(1, "Hello", &n) == 0);
    CHECK(n == 5);
    // Two iovecs, one of them empty with a junk pointer (allowed: nothing is accessed).
    w.put(0x1000, ", world");
    w.put32(0x40, 0x1000);
    w.put32(0x44, 7);
    w.put32(0x48, 0xFFFFFF00);
    w.put32(0x4c, 0);
    CHECK(w.call("fd_write", {I32(1), I32(0x40), I32(2), I32(0x50)}) == 0);
    CHECK(w.u32(0x50) == 7);
    std::string in;
    CHECK(w.read(0, 100, &in) == 0);
    CHECK(in == "input!");
    CHECK(w.read(0, 100, &in) == 0);
    CHECK(in.empty());
    CHECK(w.write(2, "x") == abi::kBadf);  // stderr closed in the config
    CHECK(w.write(0, "x") != 0);           // stdin is not writable (pipe read end)
    CHECK(w.write(99, "x") == abi::kBadf);
    // Bad iovecs: the iovec array, a buffer, or the result pointer out of bounds.
    CHECK(w.call("fd_write", {I32(1), I32(kPage - 4), I32(1), I32(0x50)}) == abi::kFault);
    CHECK(w.call("fd_write", {I32(1), I32(0x40), I32(0x20000000), I32(0x50)}) == abi::kFault);
    w.put32(0x40, kPage - 2);
    w.put32(0x44, 3);
    CHECK(w.call("fd_write", {I32(1), I32(0x40), I32(1), I32(0x50)}) == abi::kFault);
    w.put32(0x40, 0x1000);
    CHECK(w.call("fd_write", {I32(1), I32(0x40), I32(1), I32(kPage - 3)}) == abi::kFault);
    // fdstat of stdout (a regular file here) and of stdin (a pipe: no seek/tell).
    CHECK(w.call("fd_fdstat_get", {I32(1), I32(0x300)}) == 0);
    CHECK(w.u8(0x300) == abi::kRegularFile);
    CHECK(w.call("fd_fdstat_get", {I32(0), I32(0x300)}) == 0);
    CHECK((w.u64(0x308) & rights::kFdSeek) == 0);
    CHECK(w.call("fd_fdstat_get", {I32(0), I32(kPage - 8)}) == abi::kFault);
  }
  char buf[64] = {};
  CHECK(pread(out, buf, sizeof buf, 0) == 12);
  CHECK(std::string(buf) == "Hello, world");
  close(out);
  close(pipefd[0]);
}

TEST_CASE("wasi: preopens, files and directories", "[wasi]") {
  TempDir d;
  d.write("hello.txt", "hello file");
  fs::create_directory(d / "sub");
  Wasi w(dirConfig(d));
  REQUIRE(w.ok());
  // Preopen name.
  CHECK(w.call("fd_prestat_get", {I32(3), I32(0x200)}) == 0);
  CHECK(w.u8(0x200) == abi::kPreopentypeDir);
  CHECK(w.u32(0x204) == 8);
  CHECK(w.call("fd_prestat_dir_name", {I32(3), I32(0x210), I32(8)}) == 0);
  CHECK(w.get(0x210, 8) == "/sandbox");
  CHECK(w.call("fd_prestat_dir_name", {I32(3), I32(0x210), I32(7)}) == abi::kNametoolong);
  CHECK(w.call("fd_prestat_dir_name", {I32(3), I32(kPage - 4), I32(8)}) == abi::kFault);
  CHECK(w.call("fd_prestat_get", {I32(4), I32(0x200)}) == abi::kBadf);

  // Read an existing file.
  uint32_t fd;
  REQUIRE(w.open(3, "hello.txt", 0, rights::kFdRead | rights::kFdSeek | rights::kFdTell, &fd) == 0);
  std::string text;
  CHECK(w.read(fd, 5, &text) == 0);
  CHECK(text == "hello");
  CHECK(w.call("fd_tell", {I32(fd), I32(0x300)}) == 0);
  CHECK(w.u64(0x300) == 5);
  CHECK(w.call("fd_seek", {I32(fd), I64(uint64_t(-2)), I32(abi::kWhenceEnd), I32(0x300)}) == 0);
  CHECK(w.u64(0x300) == 8);
  CHECK(w.call("fd_seek", {I32(fd), I64(0), I32(7), I32(0x300)}) == abi::kInval);
  CHECK(w.write(fd, "x") == abi::kNotcapable);  // no fd_write right
  CHECK(w.call("fd_filestat_get", {I32(fd), I32(0x300)}) == abi::kNotcapable);
  CHECK(w.call("fd_close", {I32(fd)}) == 0);
  CHECK(w.call("fd_close", {I32(fd)}) == abi::kBadf);

  // Create, write, positional I/O, size, stat.
  uint64_t rw = rights::kFileBase;
  REQUIRE(w.open(3, "sub/new.txt", abi::kOflagCreat | abi::kOflagExcl, rw, &fd) == 0);
  CHECK(w.write(fd, "0123456789") == 0);
  w.put(0x1000, "AB");
  w.put32(0x40, 0x1000);
  w.put32(0x44, 2);
  CHECK(w.call("fd_pwrite", {I32(fd), I32(0x40), I32(1), I64(3), I32(0x48)}) == 0);
  w.put32(0x40, 0x2000);
  w.put32(0x44, 4);
  CHECK(w.call("fd_pread", {I32(fd), I32(0x40), I32(1), I64(2), I32(0x48)}) == 0);
  CHECK(w.get(0x2000, 4) == "2AB5");
  CHECK(w.call("fd_filestat_set_size", {I32(fd), I64(4)}) == 0);
  CHECK(w.call("fd_filestat_get", {I32(fd), I32(0x300)}) == 0);
  CHECK(w.u8(0x300 + 16) == abi::kRegularFile);
  CHECK(w.u64(0x300 + 32) == 4);
  CHECK(w.call("fd_filestat_set_times", {I32(fd), I64(1000000000ull), I64(2000000000ull),
                                         I32(abi::kFstAtim | abi::kFstMtim)}) == 0);
  CHECK(w.call("fd_filestat_get", {I32(fd), I32(0x300)}) == 0);
  CHECK(w.u64(0x300 + 48) == 2000000000ull);
  CHECK(w.call("fd_filestat_set_times", {I32(fd), I64(0), I64(0), I32(abi::kFstAtim | abi::kFstAtimNow)}) ==
        abi::kInval);
  CHECK(w.call("fd_sync", {I32(fd)}) == 0);
  CHECK(w.call("fd_datasync", {I32(fd)}) == 0);
  CHECK(w.call("fd_advise", {I32(fd), I64(0), I64(0), I32(abi::kAdviceSequential)}) == 0);
  CHECK(w.call("fd_advise", {I32(fd), I64(0), I64(0), I32(9)}) == abi::kInval);
  CHECK(w.call("fd_allocate", {I32(fd), I64(0), I64(100)}) == 0);
  CHECK(readHostFile(d / "sub/new.txt").size() == 100);
  CHECK(w.open(3, "sub/new.txt", abi::kOflagCreat | abi::kOflagExcl, rw, nullptr) == abi::kExist);
  // fd flags: append.
  CHECK(w.call("fd_fdstat_set_flags", {I32(fd), I32(abi::kFdflagAppend)}) == 0);
  CHECK(w.call("fd_fdstat_get", {I32(fd), I32(0x300)}) == 0);
  CHECK((w.u32(0x302) & 0xffff) == abi::kFdflagAppend);
  // Rights only shrink.
  CHECK(w.call("fd_fdstat_set_rights", {I32(fd), I64(rights::kFdRead), I64(0)}) == 0);
  CHECK(w.write(fd, "x") == abi::kNotcapable);
  CHECK(w.call("fd_fdstat_set_rights", {I32(fd), I64(rights::kFdRead | rights::kFdWrite), I64(0)}) ==
        abi::kNotcapable);
  // Renumber onto stdin's slot is not allowed when that slot is closed; onto an open fd it replaces it.
  CHECK(w.call("fd_renumber", {I32(fd), I32(0)}) == abi::kBadf);
  uint32_t fd2;
  REQUIRE(w.open(3, "hello.txt", 0, rights::kFdRead, &fd2) == 0);
  CHECK(w.call("fd_renumber", {I32(fd2), I32(fd)}) == 0);
  CHECK(w.read(fd, 5, &text) == 0);
  CHECK(text == "hello");
  CHECK(w.call("fd_close", {I32(fd2)}) == abi::kBadf);
  CHECK(w.call("fd_close", {I32(fd)}) == 0);

  // Directories: create, list, stat, rename, remove.
  CHECK(w.pathCall("path_create_directory", 3, "sub/dir") == 0);
  CHECK(w.pathCall("path_create_directory", 3, "sub/dir") == abi::kExist);
  CHECK(fs::is_directory(d / "sub/dir"));
  uint32_t dfd;
  REQUIRE(w.open(3, "sub", abi::kOflagDirectory, rights::kFdReaddir | rights::kPathRenameTarget, &dfd) == 0);
  CHECK(w.call("fd_readdir", {I32(dfd), I32(0x4000), I32(4096), I64(0), I32(0x48)}) == 0);
  uint32_t used = w.u32(0x48);
  std::vector<std::string> names;
  uint64_t lastCookie = 0;
  for (uint32_t off = 0; off + abi::kDirentSize <= used;) {
    uint32_t namlen = w.u32(0x4000 + off + 16);
    names.push_back(w.get(0x4000 + off + abi::kDirentSize, namlen));
    lastCookie = w.u64(0x4000 + off);
    off += abi::kDirentSize + namlen;
  }
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{".", "..", "dir", "new.txt"});
  CHECK(w.call("fd_readdir", {I32(dfd), I32(0x4000), I32(4096), I64(lastCookie), I32(0x48)}) == 0);
  CHECK(w.u32(0x48) == 0);
  // A buffer too small for one entry is filled completely (the guest then retries with a bigger one).
  CHECK(w.call("fd_readdir", {I32(dfd), I32(0x4000), I32(10), I64(0), I32(0x48)}) == 0);
  CHECK(w.u32(0x48) == 10);
  CHECK(w.call("fd_readdir", {I32(dfd), I32(kPage - 8), I32(16), I64(0), I32(0x48)}) == abi::kFault);
  CHECK(w.read(dfd, 5, nullptr) == abi::kBadf);  // not a file
  CHECK(w.pathCall("path_remove_directory", 3, "sub") == abi::kNotempty);
  w.put(0x100, "sub/dir");
  w.put(0x180, "dir2");
  CHECK(w.call("path_rename", {I32(3), I32(0x100), I32(7), I32(3), I32(0x180), I32(4)}) == 0);  // sub/dir -> dir2
  CHECK(fs::is_directory(d / "dir2"));
  CHECK(w.call("path_rename", {I32(3), I32(0x100), I32(7), I32(3), I32(0x180), I32(4)}) == abi::kNoent);
  CHECK(w.call("path_rename", {I32(3), I32(0x180), I32(4), I32(dfd), I32(0x180), I32(4)}) == 0);  // -> sub/dir2
  CHECK(fs::is_directory(d / "sub/dir2"));
  CHECK(w.pathCall("path_remove_directory", 3, "sub/dir2") == 0);
  CHECK(w.pathCall("path_unlink_file", 3, "sub/new.txt") == 0);
  CHECK(w.pathCall("path_unlink_file", 3, "sub/new.txt") == abi::kNoent);
  CHECK(w.pathCall("path_unlink_file", 3, "sub") == abi::kIsdir);
  CHECK(w.pathCall("path_create_directory", 1, "x") == abi::kBadf);
  // path_filestat_get and links.
  w.put(0x100, "hello.txt");
  CHECK(w.call("path_filestat_get", {I32(3), I32(0), I32(0x100), I32(9), I32(0x300)}) == 0);
  CHECK(w.u64(0x300 + 32) == 10);
  CHECK(w.call("path_filestat_get", {I32(3), I32(0), I32(0x100), I32(9), I32(kPage - 60)}) == abi::kFault);
  CHECK(w.call("path_filestat_get", {I32(3), I32(0), I32(kPage - 4), I32(9), I32(0x300)}) == abi::kFault);
  w.put(0x180, "hard.txt");
  CHECK(w.call("path_link", {I32(3), I32(0), I32(0x100), I32(9), I32(3), I32(0x180), I32(8)}) == 0);
  CHECK(readHostFile(d / "hard.txt") == "hello file");
  w.put(0x180, "soft");
  CHECK(w.call("path_symlink", {I32(0x100), I32(9), I32(3), I32(0x180), I32(4)}) == 0);
  CHECK(w.call("path_readlink", {I32(3), I32(0x180), I32(4), I32(0x500), I32(64), I32(0x48)}) == 0);
  CHECK(w.get(0x500, w.u32(0x48)) == "hello.txt");
  CHECK(w.call("path_readlink", {I32(3), I32(0x180), I32(4), I32(0x500), I32(3), I32(0x48)}) == 0);
  CHECK(w.u32(0x48) == 3);
  CHECK(w.call("path_readlink", {I32(3), I32(0x100), I32(9), I32(0x500), I32(64), I32(0x48)}) == abi::kInval);
  CHECK(w.call("path_filestat_get", {I32(3), I32(0), I32(0x180), I32(4), I32(0x300)}) == 0);
  CHECK(w.u8(0x300 + 16) == abi::kSymbolicLink);
  CHECK(w.call("path_filestat_get", {I32(3), I32(abi::kLookupSymlinkFollow), I32(0x180), I32(4), I32(0x300)}) == 0);
  CHECK(w.u8(0x300 + 16) == abi::kRegularFile);
  CHECK(w.call("path_filestat_set_times", {I32(3), I32(abi::kLookupSymlinkFollow), I32(0x180), I32(4),
                                           I64(5000000000ull), I64(6000000000ull),
                                           I32(abi::kFstAtim | abi::kFstMtim)}) == 0);
  struct stat st;
  REQUIRE(stat((d / "hello.txt").c_str(), &st) == 0);
  CHECK(st.st_mtim.tv_sec == 6);
  CHECK(w.open(3, "soft", 0, rights::kFdRead, nullptr, 0, 0) == abi::kLoop);  // nofollow on a symlink
  CHECK(w.call("fd_close", {I32(dfd)}) == 0);
  // Closing a preopen is allowed; its number is then free.
  CHECK(w.call("fd_close", {I32(3)}) == 0);
  CHECK(w.call("fd_prestat_get", {I32(3), I32(0x200)}) == abi::kBadf);
}

TEST_CASE("wasi: read-only preopen denies writes", "[wasi]") {
  TempDir d;
  d.write("f", "data");
  fs::create_directory(d / "dir");
  Wasi w(dirConfig(d, true));
  REQUIRE(w.ok());
  uint32_t fd;
  CHECK(w.open(3, "f", 0, rights::kFdRead, &fd) == 0);
  CHECK(w.write(fd, "x") == abi::kNotcapable);
  CHECK(w.call("fd_filestat_set_size", {I32(fd), I64(0)}) == abi::kNotcapable);
  CHECK(w.open(3, "f", 0, rights::kFdRead | rights::kFdWrite, nullptr) == abi::kNotcapable);
  CHECK(w.open(3, "g", abi::kOflagCreat, rights::kFdRead, nullptr) == abi::kNotcapable);
  CHECK(w.open(3, "f", abi::kOflagTrunc, rights::kFdRead, nullptr) == abi::kNotcapable);
  CHECK(w.open(3, "f", 0, rights::kFdRead, nullptr, abi::kFdflagAppend) == abi::kNotcapable);
  CHECK(w.pathCall("path_create_directory", 3, "new") == abi::kNotcapable);
  CHECK(w.pathCall("path_unlink_file", 3, "f") == abi::kNotcapable);
  CHECK(w.pathCall("path_remove_directory", 3, "dir") == abi::kNotcapable);
  uint32_t dfd;
  REQUIRE(w.open(3, "dir", abi::kOflagDirectory, rights::kFdReaddir | rights::kPathCreateFile, &dfd) == 0);
  CHECK(w.open(dfd, "x", abi::kOflagCreat, rights::kFdRead, nullptr) == abi::kNotcapable);  // inherited
  CHECK(w.call("fd_fdstat_get", {I32(3), I32(0x300)}) == 0);
  CHECK((w.u64(0x308) & rights::kWriting) == 0);
  CHECK((w.u64(0x310) & rights::kWriting) == 0);
  CHECK(readHostFile(d / "f") == "data");
  CHECK(!fs::exists(d / "new"));
}

TEST_CASE("wasi: clocks, random, yield, raise", "[wasi]") {
  wasi::WasiConfig cfg;
  Wasi w(cfg);
  REQUIRE(w.ok());
  CHECK(w.call("clock_time_get", {I32(abi::kClockMonotonic), I64(1), I32(0x10)}) == 0);
  uint64_t t0 = w.u64(0x10);
  CHECK(w.call("clock_time_get", {I32(abi::kClockMonotonic), I64(1), I32(0x10)}) == 0);
  CHECK(w.u64(0x10) >= t0);
  CHECK(w.call("clock_time_get", {I32(abi::kClockRealtime), I64(1), I32(0x10)}) == 0);
  CHECK(w.u64(0x10) > 1600000000ull * 1000000000ull);
  CHECK(w.call("clock_res_get", {I32(abi::kClockRealtime), I32(0x10)}) == 0);
  CHECK(w.u64(0x10) > 0);
  CHECK(w.call("clock_time_get", {I32(17), I64(1), I32(0x10)}) == abi::kInval);
  CHECK(w.call("clock_time_get", {I32(0), I64(1), I32(kPage - 7)}) == abi::kFault);
  CHECK(w.call("clock_res_get", {I32(9), I32(0x10)}) == abi::kInval);
  CHECK(w.call("random_get", {I32(0x100), I32(64)}) == 0);
  CHECK(w.get(0x100, 64) != std::string(64, '\0'));
  CHECK(w.call("random_get", {I32(0x100), I32(0)}) == 0);
  CHECK(w.call("random_get", {I32(0x100), I32(kPage)}) == abi::kFault);
  CHECK(w.call("random_get", {I32(0), I32(kPage)}) == 0);
  CHECK(w.call("sched_yield", {}) == 0);
  CHECK(w.call("proc_raise", {I32(9)}) == abi::kNosys);
}

TEST_CASE("wasi: poll_oneoff", "[wasi]") {
  int out = memfd_create("out", MFD_CLOEXEC);
  wasi::WasiConfig cfg;
  cfg.stdinFd = -1;
  cfg.stdoutFd = out;
  Wasi w(cfg);
  REQUIRE(w.ok());
  // One relative clock of 2 ms.
  auto clockSub = [&](uint32_t at, uint64_t userdata, uint64_t timeoutNs, uint16_t flags) {
    std::memset(w.mem->base + at, 0, abi::kSubscriptionSize);
    w.put64(at, userdata);
    w.mem->base[at + 8] = abi::kEventClock;
    w.put32(at + 16, abi::kClockMonotonic);
    w.put64(at + 24, timeoutNs);
    std::memcpy(w.mem->base + at + 40, &flags, 2);
  };
  clockSub(0x1000, 42, 2000000, 0);
  CHECK(w.call("clock_time_get", {I32(abi::kClockMonotonic), I64(1), I32(0x10)}) == 0);
  uint64_t t0 = w.u64(0x10);
  CHECK(w.call("poll_oneoff", {I32(0x1000), I32(0x2000), I32(1), I32(0x20)}) == 0);
  CHECK(w.call("clock_time_get", {I32(abi::kClockMonotonic), I64(1), I32(0x10)}) == 0);
  CHECK(w.u64(0x10) - t0 >= 2000000);
  CHECK(w.u32(0x20) == 1);
  CHECK(w.u64(0x2000) == 42);
  CHECK(w.u8(0x2000 + 10) == abi::kEventClock);
  // An absolute deadline in the past fires at once; stdout (a file) is writable at once.
  clockSub(0x1000, 7, 1, abi::kSubclockAbstime);
  std::memset(w.mem->base + 0x1030, 0, abi::kSubscriptionSize);
  w.put64(0x1030, 8);
  w.mem->base[0x1030 + 8] = abi::kEventFdWrite;
  w.put32(0x1030 + 16, 1);
  // A closed fd reports badf in its event.
  std::memset(w.mem->base + 0x1060, 0, abi::kSubscriptionSize);
  w.put64(0x1060, 9);
  w.mem->base[0x1060 + 8] = abi::kEventFdRead;
  w.put32(0x1060 + 16, 0);
  CHECK(w.call("poll_oneoff", {I32(0x1000), I32(0x2000), I32(3), I32(0x20)}) == 0);
  CHECK(w.u32(0x20) == 3);
  for (uint32_t i = 0; i < 3; ++i) {
    uint64_t ud = w.u64(0x2000 + i * abi::kEventSize);
    uint16_t err;
    std::memcpy(&err, w.mem->base + 0x2000 + i * abi::kEventSize + 8, 2);
    CHECK(err == (ud == 9 ? abi::kBadf : 0));
  }
  CHECK(w.call("poll_oneoff", {I32(0x1000), I32(0x2000), I32(0), I32(0x20)}) == abi::kInval);
  CHECK(w.call("poll_oneoff", {I32(kPage - 40), I32(0x2000), I32(1), I32(0x20)}) == abi::kFault);
  CHECK(w.call("poll_oneoff", {I32(0x1000), I32(kPage - 16), I32(1), I32(0x20)}) == abi::kFault);
  CHECK(w.call("poll_oneoff", {I32(0x1000), I32(0x2000), I32(0x40000000), I32(0x20)}) == abi::kFault);
  close(out);
}

TEST_CASE("wasi: sockets handed in as stdio", "[wasi]") {
  int sv[2];
  REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
  wasi::WasiConfig cfg;
  cfg.stdinFd = sv[0];
  cfg.stdoutFd = -1;
  cfg.stderrFd = -1;
  Wasi w(cfg);
  REQUIRE(w.ok());
  w.put(0x1000, "ping");
  w.put32(0x40, 0x1000);
  w.put32(0x44, 4);
  CHECK(w.call("sock_send", {I32(0), I32(0x40), I32(1), I32(0), I32(0x48)}) == 0);
  CHECK(w.u32(0x48) == 4);
  char buf[8] = {};
  CHECK(::read(sv[1], buf, sizeof buf) == 4);
  CHECK(::write(sv[1], "pong", 4) == 4);
  w.put32(0x40, 0x2000);
  w.put32(0x44, 16);
  CHECK(w.call("sock_recv", {I32(0), I32(0x40), I32(1), I32(0), I32(0x48), I32(0x4c)}) == 0);
  CHECK(w.get(0x2000, w.u32(0x48)) == "pong");
  CHECK(w.call("sock_recv", {I32(0), I32(0x40), I32(1), I32(0), I32(kPage - 2), I32(0x4c)}) == abi::kFault);
  CHECK(w.call("sock_shutdown", {I32(0), I32(abi::kSdflagWr)}) == 0);
  CHECK(w.call("sock_shutdown", {I32(0), I32(0)}) == abi::kInval);
  CHECK(w.call("sock_shutdown", {I32(5), I32(1)}) == abi::kBadf);
  CHECK(w.call("sock_accept", {I32(0), I32(0), I32(0x48)}) != 0);  // connected, not listening
  CHECK(w.call("sock_accept", {I32(0), I32(0x100), I32(0x48)}) == abi::kInval);
  close(sv[0]);
  close(sv[1]);
  TempDir d;
  Wasi w2(dirConfig(d));
  CHECK(w2.call("sock_shutdown", {I32(3), I32(abi::kSdflagRd)}) == abi::kNotsock);
}

TEST_CASE("wasi: no memory bound gives fault, not a crash", "[wasi]") {
  wasi::WasiConfig cfg;
  Wasi w(cfg);
  REQUIRE(w.ok());
  w.ctx->bindMemory(nullptr);
  CHECK(w.call("args_sizes_get", {I32(0), I32(4)}) == abi::kFault);
  CHECK(w.call("random_get", {I32(0), I32(0)}) == abi::kFault);
}

TEST_CASE("wasi: a missing preopen directory is a configuration error", "[wasi]") {
  wasi::WasiConfig cfg;
  cfg.preopens.push_back({"/nonexistent/myrt-wasi", "/", false});
  auto c = wasi::WasiContext::create(cfg);
  CHECK(!c.ok());
}

TEST_CASE("wasi: writing to a pipe without reader is errno pipe, not SIGPIPE", "[wasi]") {
  int p[2];
  REQUIRE(pipe(p) == 0);
  close(p[0]);
  wasi::WasiConfig cfg;
  cfg.stdinFd = -1;
  cfg.stdoutFd = p[1];
  cfg.stderrFd = -1;
  Wasi w(cfg);
  REQUIRE(w.ok());
  CHECK(w.write(1, "lost") == abi::kPipe);
  CHECK(w.write(1, "lost again") == abi::kPipe);
  close(p[1]);
}

TEST_CASE("wasi: directory specs", "[wasi]") {
  auto a = wasi::parsePreopen("/data");
  REQUIRE(a.ok());
  CHECK(a->hostPath == "/data");
  CHECK(a->guestPath == "/data");
  auto b = wasi::parsePreopen("fixture/dir::/", true);
  REQUIRE(b.ok());
  CHECK(b->hostPath == "fixture/dir");
  CHECK(b->guestPath == "/");
  CHECK(b->readOnly);
  CHECK(!wasi::parsePreopen("").ok());
  CHECK(!wasi::parsePreopen("::/x").ok());
  CHECK(!wasi::parsePreopen("/x::").ok());
}
