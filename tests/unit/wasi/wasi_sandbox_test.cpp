// tests/unit/wasi/wasi_sandbox_test.cpp -- the path sandbox under both resolvers (openat2 RESOLVE_BENEATH and the
// component walk): `..` above the preopen, absolute paths, symlinks to /etc and to the parent, absolute and relative
// escaping symlinks, symlink loops, trailing slashes, a symlink swapped during open; every path_* function refuses to
// touch anything outside.
// Also a whole module (WAT) calling fd_write and proc_exit through the interpreter.
// Layer: tests (wasi/p1, runtime/text, runtime/interp).
#include <atomic>
#include <cstdio>
#include <thread>

#include <catch2/catch.hpp>

#include "runtime/binary/decoder.h"
#include "runtime/text/wat.h"
#include "runtime/valid/validator.h"
#include "tests/unit/wasi/wasi_harness.h"
#include "wasi/host/sandbox.h"

using namespace myrt;
using namespace myrt::wasitest;
namespace abi = myrt::wasi::abi;
namespace rights = myrt::wasi::abi::rights;

namespace {

struct ResolverGuard {
  explicit ResolverGuard(wasi::Resolver r) { wasi::setResolver(r); }
  ~ResolverGuard() { wasi::setResolver(wasi::Resolver::Auto); }
};

// <tmp>/outside.txt, <tmp>/box/ (the preopen) with: file, dir/inner, links of all kinds.
struct Box {
  TempDir t;
  fs::path box;
  Box() {
    box = t / "box";
    fs::create_directory(box);
    t.write("outside.txt", "secret");
    t.write("box/file", "inside");
    fs::create_directory(box / "dir");
    t.write("box/dir/inner", "inner");
    fs::create_symlink("/etc", box / "etc");
    fs::create_symlink("/etc/passwd", box / "passwd");
    fs::create_symlink("../outside.txt", box / "up");
    fs::create_symlink("..", box / "parent");
    fs::create_symlink("dir/../../box/file", box / "roundtrip");  // leaves the box lexically: refused
    fs::create_symlink("dir/inner", box / "good");
    fs::create_symlink("dir", box / "gooddir");
    fs::create_symlink("loop1", box / "loop2");
    fs::create_symlink("loop2", box / "loop1");
    fs::create_symlink("self", box / "self");
    fs::create_symlink("nonexistent", box / "dangling");
  }
};

wasi::WasiConfig boxConfig(const Box& b) {
  wasi::WasiConfig cfg;
  cfg.preopens.push_back({b.box.string(), "/", false});
  cfg.stdinFd = cfg.stdoutFd = cfg.stderrFd = -1;
  return cfg;
}

void sandboxChecks() {
  Box b;
  Wasi w(boxConfig(b));
  REQUIRE(w.ok());
  uint64_t r = rights::kFdRead;
  auto openErr = [&](const std::string& p, uint32_t lookup = abi::kLookupSymlinkFollow) {
    return w.open(3, p, 0, r, nullptr, 0, lookup);
  };
  // Inside: fine.
  CHECK(openErr("file") == 0);
  CHECK(openErr("./dir/../file") == 0);
  CHECK(openErr("dir/inner") == 0);
  CHECK(openErr("good") == 0);
  CHECK(openErr("gooddir/inner") == 0);
  CHECK(openErr("dir//inner") == 0);
  CHECK(openErr(".") == 0);
  // Escapes.
  CHECK(openErr("..") == abi::kNotcapable);
  CHECK(openErr("../outside.txt") == abi::kNotcapable);
  CHECK(openErr("dir/../../outside.txt") == abi::kNotcapable);
  CHECK(openErr("/etc/passwd") == abi::kNotcapable);
  CHECK(openErr("/") == abi::kNotcapable);
  CHECK(openErr("etc/passwd") == abi::kNotcapable);
  CHECK(openErr("passwd") == abi::kNotcapable);
  CHECK(openErr("up") == abi::kNotcapable);
  CHECK(openErr("parent/outside.txt") == abi::kNotcapable);
  CHECK(openErr("roundtrip") == abi::kNotcapable);
  // Loops and other errors.
  CHECK(openErr("loop1") == abi::kLoop);
  CHECK(openErr("self") == abi::kLoop);
  CHECK(openErr("loop1/x") == abi::kLoop);
  CHECK(openErr("dangling") == abi::kNoent);
  CHECK(openErr("passwd", 0) == abi::kLoop);  // not followed: a symlink with O_NOFOLLOW
  CHECK(openErr("file/") == abi::kNotdir);
  CHECK(openErr("file/x") == abi::kNotdir);
  CHECK(openErr("") == abi::kNoent);
  CHECK(openErr(std::string("fi\0le", 5)) == abi::kInval);
  // Stat never reports on the outside either.
  w.put(0x100, "..");
  CHECK(w.call("path_filestat_get", {I32(3), I32(0), I32(0x100), I32(2), I32(0x300)}) == abi::kNotcapable);
  w.put(0x100, "etc/.");
  CHECK(w.call("path_filestat_get", {I32(3), I32(1), I32(0x100), I32(5), I32(0x300)}) == abi::kNotcapable);
  w.put(0x100, "passwd");  // the link itself (not followed) is inside: fine
  CHECK(w.call("path_filestat_get", {I32(3), I32(0), I32(0x100), I32(6), I32(0x300)}) == 0);
  CHECK(w.call("path_filestat_get", {I32(3), I32(1), I32(0x100), I32(6), I32(0x300)}) == abi::kNotcapable);
  CHECK(w.call("path_filestat_set_times", {I32(3), I32(1), I32(0x100), I32(6), I64(0), I64(0),
                                           I32(abi::kFstMtimNow)}) == abi::kNotcapable);
  // Modifications outside are refused.
  CHECK(w.pathCall("path_create_directory", 3, "../newdir") == abi::kNotcapable);
  CHECK(w.pathCall("path_create_directory", 3, "etc/newdir") == abi::kNotcapable);
  CHECK(w.pathCall("path_create_directory", 3, "parent/newdir") == abi::kNotcapable);
  CHECK(w.pathCall("path_unlink_file", 3, "../outside.txt") == abi::kNotcapable);
  CHECK(w.pathCall("path_unlink_file", 3, "parent/outside.txt") == abi::kNotcapable);
  CHECK(w.pathCall("path_remove_directory", 3, "..") != 0);
  CHECK(w.open(3, "../created", abi::kOflagCreat, r, nullptr) == abi::kNotcapable);
  CHECK(w.open(3, "parent/created", abi::kOflagCreat, r, nullptr) == abi::kNotcapable);
  CHECK(w.open(3, "up", abi::kOflagTrunc, rights::kFdWrite, nullptr) == abi::kNotcapable);
  w.put(0x100, "file");
  w.put(0x180, "../moved");
  CHECK(w.call("path_rename", {I32(3), I32(0x100), I32(4), I32(3), I32(0x180), I32(8)}) == abi::kNotcapable);
  CHECK(w.call("path_link", {I32(3), I32(0), I32(0x100), I32(4), I32(3), I32(0x180), I32(8)}) == abi::kNotcapable);
  w.put(0x100, "up");
  w.put(0x180, "hard");
  CHECK(w.call("path_link", {I32(3), I32(1), I32(0x100), I32(2), I32(3), I32(0x180), I32(4)}) == abi::kNotcapable);
  w.put(0x100, "/etc/shadow");
  w.put(0x180, "abs");
  CHECK(w.call("path_symlink", {I32(0x100), I32(11), I32(3), I32(0x180), I32(3)}) == abi::kNotcapable);
  w.put(0x100, "x");
  w.put(0x180, "../sym");
  CHECK(w.call("path_symlink", {I32(0x100), I32(1), I32(3), I32(0x180), I32(6)}) == abi::kNotcapable);
  w.put(0x180, "parent");
  CHECK(w.call("path_readlink", {I32(3), I32(0x180), I32(6), I32(0x500), I32(64), I32(0x48)}) == 0);
  CHECK(w.get(0x500, w.u32(0x48)) == "..");
  // A relative symlink created by the guest that points outside cannot be followed.
  w.put(0x100, "../../../../../../../../etc/passwd");
  w.put(0x180, "sneaky");
  CHECK(w.call("path_symlink", {I32(0x100), I32(34), I32(3), I32(0x180), I32(6)}) == 0);
  CHECK(openErr("sneaky") == abi::kNotcapable);
  // Nothing outside changed.
  CHECK(readHostFile(b.t / "outside.txt") == "secret");
  CHECK(!fs::exists(b.t / "newdir"));
  CHECK(!fs::exists(b.t / "created"));
  CHECK(!fs::exists(b.t / "moved"));
  CHECK(!fs::exists(b.t / "sym"));
  // The raw resolver: a deep chain of symlinks inside is fine, one too many is a loop.
  auto chainName = [](int i) {
    char name[16];
    std::snprintf(name, sizeof name, "c%d", i);
    return std::string(name);
  };
  for (int i = 0; i < 45; ++i)
    fs::create_symlink(i == 0 ? std::string("file") : chainName(i - 1), b.box / chainName(i));
  CHECK(openErr("c30") == 0);
  CHECK(openErr("c44") == abi::kLoop);
}

}  // namespace

TEST_CASE("wasi sandbox: openat2 resolver (when the kernel has it)", "[wasi]") {
  ResolverGuard g(wasi::Resolver::Auto);
  INFO("openat2 available: " << wasi::kernelHasOpenat2());
  sandboxChecks();
}

TEST_CASE("wasi sandbox: component-walk resolver", "[wasi]") {
  ResolverGuard g(wasi::Resolver::Walk);
  REQUIRE(!wasi::host::useOpenat2());
  sandboxChecks();
}

TEST_CASE("wasi: a module writes through fd_write and exits with proc_exit", "[wasi]") {
  const char* wat = R"((module
    (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
    (memory (export "memory") 1)
    (data (i32.const 16) "Hello, WASI!\n")
    (func (export "_start")
      (i32.store (i32.const 0) (i32.const 16))
      (i32.store (i32.const 4) (i32.const 13))
      (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (call $proc_exit (i32.load (i32.const 8)))
      unreachable))
  )";
  auto bin = watToBinary(wat);
  REQUIRE(bin.ok());
  auto mod = decodeModule(std::move(bin.value()));
  REQUIRE(mod.ok());
  REQUIRE(validateModule(*mod).ok());
  auto module = std::make_shared<const Module>(std::move(mod.value()));
  int out = memfd_create("out", MFD_CLOEXEC);
  wasi::WasiConfig cfg;
  cfg.stdoutFd = out;
  auto ctx = wasi::WasiContext::create(cfg);
  REQUIRE(ctx.ok());
  auto store = makeInterpreterStore();
  (*ctx)->addToStore(*store);
  auto imports = resolveImports(*store, *module);
  REQUIRE(imports.ok());
  auto inst = instantiate(*store, module, *imports);
  REQUIRE(inst.ok());
  wasi::RunResult r = wasi::runStart(*store, **inst, **ctx);
  CHECK(!r.trap);
  CHECK(r.exitCode == 13);  // the byte count written, passed to proc_exit
  char buf[32] = {};
  CHECK(pread(out, buf, sizeof buf, 0) == 13);
  CHECK(std::string(buf) == "Hello, WASI!\n");
  close(out);
}

TEST_CASE("wasi: a real trap is reported as a trap, not an exit", "[wasi]") {
  auto bin = watToBinary(R"((module (memory (export "memory") 1) (func (export "_start") unreachable)))");
  REQUIRE(bin.ok());
  auto mod = decodeModule(std::move(bin.value()));
  REQUIRE(mod.ok());
  auto module = std::make_shared<const Module>(std::move(mod.value()));
  auto ctx = wasi::WasiContext::create({});
  REQUIRE(ctx.ok());
  auto store = makeInterpreterStore();
  auto inst = instantiate(*store, module, {});
  REQUIRE(inst.ok());
  wasi::RunResult r = wasi::runStart(*store, **inst, **ctx);
  REQUIRE(r.trap);
  CHECK(r.trap->reason == TrapReason::Unreachable);
  CHECK(r.exitCode == 134);
  CHECK(!(*ctx)->exitCode());
}

namespace {

// A host thread keeps replacing box/link (atomically, by rename) between a directory inside the box and escaping
// targets (`../outside`, an absolute path to it) while the guest opens `link/file` again and again: every open that
// succeeds must read the inside file; the others are refused.
void raceChecks() {
  TempDir t;
  fs::create_directories(t / "box/inside");
  fs::create_directories(t / "outside");
  t.write("box/inside/file", "inside");
  t.write("outside/file", "secret");
  fs::create_symlink("inside", t / "box/link");

  wasi::WasiConfig cfg;
  cfg.preopens.push_back({(t / "box").string(), "/", false});
  cfg.stdinFd = cfg.stdoutFd = cfg.stderrFd = -1;
  Wasi w(cfg);
  REQUIRE(w.ok());

  std::atomic<bool> stop{false};
  std::thread swapper([&] {
    const std::string targets[] = {"inside", "../outside", (t / "outside").string()};
    for (unsigned i = 0; !stop.load(std::memory_order_relaxed); ++i) {
      std::error_code ec;
      fs::remove(t / "box/link.tmp", ec);
      fs::create_symlink(targets[i % 3], t / "box/link.tmp", ec);
      fs::rename(t / "box/link.tmp", t / "box/link", ec);  // atomic replacement
    }
  });
  int inside = 0, refused = 0, leaked = 0;
  for (int i = 0; i < 3000; ++i) {
    uint32_t fd = 0;
    uint32_t r = w.open(3, "link/file", 0, abi::rights::kFdRead, &fd);
    if (r != 0) {
      ++refused;
      continue;
    }
    std::string content;
    CHECK(w.read(fd, 64, &content) == 0);
    if (content == "inside") ++inside;
    else ++leaked;
    CHECK(w.call("fd_close", {I32(fd)}) == 0);
  }
  stop = true;
  swapper.join();
  INFO("inside " << inside << ", refused " << refused);
  CHECK(leaked == 0);
  CHECK(inside + refused == 3000);
}

}  // namespace

TEST_CASE("wasi sandbox: a symlink swapped during open stays inside (openat2 when available)", "[wasi]") {
  ResolverGuard g(wasi::Resolver::Auto);
  raceChecks();
}

TEST_CASE("wasi sandbox: a symlink swapped during open stays inside (component walk)", "[wasi]") {
  ResolverGuard g(wasi::Resolver::Walk);
  raceChecks();
}
