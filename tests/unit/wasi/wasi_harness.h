// tests/unit/wasi/wasi_harness.h -- helpers for the WASI preview1 unit tests: a temporary directory, and a fixture
// that owns a store, a WASI context, its host instance and a guest memory (64 KiB) bound to it, with typed calls
// into the host functions and guest-memory accessors.
// Layer: tests (uses wasi/p1, runtime/exec, runtime/interp).
#pragma once
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "runtime/exec/engine.h"
#include "runtime/interp/interp.h"
#include "wasi/p1/abi.h"
#include "wasi/p1/wasi.h"

namespace myrt::wasitest {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/myrt-wasi-unit-XXXXXX";
    if (mkdtemp(tmpl)) path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path operator/(const std::string& s) const { return path / s; }
  void write(const std::string& rel, const std::string& content) const {
    std::ofstream f(path / rel, std::ios::binary);
    f << content;
  }
};

inline std::string readHostFile(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

inline Value I32(uint32_t v) { return Value::fromI32(v); }
inline Value I64(uint64_t v) { return Value::fromI64(v); }

struct Wasi {
  std::unique_ptr<Store> store;
  std::unique_ptr<wasi::WasiContext> ctx;
  Instance* host = nullptr;
  MemoryInst* mem = nullptr;
  std::string error;

  explicit Wasi(const wasi::WasiConfig& cfg) {
    store = makeInterpreterStore();
    auto c = wasi::WasiContext::create(cfg);
    if (!c.ok()) {
      error = c.error().message;
      return;
    }
    ctx = std::move(c.value());
    host = ctx->createInstance(*store);
    MemoryType mt;
    mt.limits.min = 1;
    mt.limits.max = 1;
    auto m = store->newMemory(mt);
    if (m.ok()) mem = *m;
    ctx->bindMemory(mem);
  }
  bool ok() const { return ctx && mem; }

  // Calls a WASI function; returns its errno (or 0xFFFF if it trapped / is missing).
  uint32_t call(const std::string& name, std::vector<Value> args) {
    FuncInst* f = findExportedFunc(*host, name);
    if (!f) return 0xFFFF;
    std::vector<Value> res(f->numResults());
    InvokeResult r = invoke(*store, f, args, res);
    if (!r.ok()) return 0xFFFF;
    return res.empty() ? 0 : res[0].i32;
  }

  void put(uint32_t addr, const std::string& s) { std::memcpy(mem->base + addr, s.data(), s.size()); }
  std::string get(uint32_t addr, uint32_t len) const {
    return std::string(reinterpret_cast<char*>(mem->base + addr), len);
  }
  void put32(uint32_t addr, uint32_t v) { std::memcpy(mem->base + addr, &v, 4); }
  void put64(uint32_t addr, uint64_t v) { std::memcpy(mem->base + addr, &v, 8); }
  uint32_t u32(uint32_t addr) const {
    uint32_t v;
    std::memcpy(&v, mem->base + addr, 4);
    return v;
  }
  uint64_t u64(uint32_t addr) const {
    uint64_t v;
    std::memcpy(&v, mem->base + addr, 8);
    return v;
  }
  uint8_t u8(uint32_t addr) const { return mem->base[addr]; }

  // path_open(dirfd, path) with the given flags; the new fd in *fd. Path is staged at 0x100, result at 0x80.
  uint32_t open(uint32_t dirfd, const std::string& path, uint32_t oflags, uint64_t rights, uint32_t* fd,
                uint32_t fdflags = 0, uint32_t lookup = wasi::abi::kLookupSymlinkFollow) {
    put(0x100, path);
    uint32_t r = call("path_open", {I32(dirfd), I32(lookup), I32(0x100), I32(uint32_t(path.size())), I32(oflags),
                                    I64(rights), I64(wasi::abi::rights::kAll), I32(fdflags), I32(0x80)});
    if (fd) *fd = r == 0 ? u32(0x80) : UINT32_MAX;
    return r;
  }
  // A path-only call like path_create_directory(dirfd, path, len).
  uint32_t pathCall(const std::string& fn, uint32_t dirfd, const std::string& path) {
    put(0x100, path);
    return call(fn, {I32(dirfd), I32(0x100), I32(uint32_t(path.size()))});
  }
  // fd_write of one buffer (staged at 0x1000, iovec at 0x40, nwritten at 0x48).
  uint32_t write(uint32_t fd, const std::string& data, uint32_t* n = nullptr) {
    put(0x1000, data);
    put32(0x40, 0x1000);
    put32(0x44, uint32_t(data.size()));
    uint32_t r = call("fd_write", {I32(fd), I32(0x40), I32(1), I32(0x48)});
    if (n) *n = u32(0x48);
    return r;
  }
  // fd_read into 0x2000 (up to `max` bytes); the data read in *out.
  uint32_t read(uint32_t fd, uint32_t max, std::string* out) {
    put32(0x40, 0x2000);
    put32(0x44, max);
    uint32_t r = call("fd_read", {I32(fd), I32(0x40), I32(1), I32(0x48)});
    if (out) *out = r == 0 ? get(0x2000, u32(0x48)) : std::string();
    return r;
  }
};

}  // namespace myrt::wasitest
