// wasi/p1/context.h -- internal state of a WASI preview1 context: the guest fd table (a wasi/host Descriptor with
// preview1's rights and preopen name on top), arguments/environment, the bound guest memory with bounds-checked
// access, and the host-function calling convention shared by context.cpp, fd.cpp and path.cpp.
// Layer: wasi/p1 (internal; embedders use wasi.h), a binding over wasi/host.
#pragma once
#include <sys/stat.h>
#include <sys/uio.h>

#include <cstdint>
#include <cstring>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "runtime/exec/store.h"
#include "wasi/host/descriptor.h"
#include "wasi/host/poll.h"
#include "wasi/p1/abi.h"
#include "wasi/p1/wasi.h"

namespace myrt::wasi {

struct FdEntry {
  host::Descriptor desc;            // the host fd (closed with the entry); desc.readOnly(): beneath a read-only preopen
  uint8_t filetype = abi::kUnknown;
  uint64_t rightsBase = 0;
  uint64_t rightsInheriting = 0;
  bool isPreopen = false;
  std::string preopenName;          // guest path of a preopen
  int hostFd() const { return desc.fd(); }
};

// Host errno (or host::kNotCapable) -> WASI errno.
uint16_t errnoFromHost(int e);
// Host file type / mode -> WASI filetype.
uint8_t filetypeOf(host::FileType t);
inline uint8_t filetypeFromMode(unsigned mode) { return filetypeOf(host::fileTypeFromMode(mode)); }

class WasiState {
 public:
  std::vector<std::string> args;
  std::vector<std::string> env;  // "KEY=value"
  std::vector<std::optional<FdEntry>> fds;
  Instance* guest = nullptr;
  MemoryInst* memory = nullptr;
  std::optional<uint32_t> exitCode;
  // wasi-threads: every thread of a program calls into one state. Each call holds `mu` (the host-function wrapper
  // takes it); a blocking wait releases it (pollUnlocked) so other threads' calls go on, and a caller re-looks-up
  // its fds after such a wait (another thread may have closed or renumbered them). Pollers are per thread.
  std::mutex mu;
  // The calling thread's poller (its interrupt is set from the calling store before each call).
  static host::Poller& poller();
  // poller().poll with `mu` released for the wait (`mu` must be held by the caller).
  int pollUnlocked(std::span<const host::Wait> waits, std::vector<uint32_t>& revents);

  ~WasiState();

  // Guest memory: a host pointer to [addr, addr+len) or nullptr when out of bounds / no memory.
  uint8_t* mem(uint64_t addr, uint64_t len);
  bool load32(uint32_t addr, uint32_t& v) {
    uint8_t* p = mem(addr, 4);
    if (!p) return false;
    std::memcpy(&v, p, 4);
    return true;
  }
  bool store8(uint32_t addr, uint8_t v) { return storeN(addr, &v, 1); }
  bool store16(uint32_t addr, uint16_t v) { return storeN(addr, &v, 2); }
  bool store32(uint32_t addr, uint32_t v) { return storeN(addr, &v, 4); }
  bool store64(uint32_t addr, uint64_t v) { return storeN(addr, &v, 8); }
  bool storeN(uint32_t addr, const void* v, uint32_t n) {
    uint8_t* p = mem(addr, n);
    if (!p) return false;
    std::memcpy(p, v, n);  // little-endian host (x86-64, arm64)
    return true;
  }
  // A guest string (not NUL-terminated) or nullopt when out of bounds.
  std::optional<std::string> string(uint32_t addr, uint32_t len);

  // Guest fd -> entry; errno badf when closed/invalid, notcapable when `need` rights are missing.
  uint16_t lookup(uint32_t fd, uint64_t need, FdEntry*& out);
  uint32_t allocFd(FdEntry e);  // lowest free guest fd >= 3 (UINT32_MAX when the table is full)
  void closeAll();
};

// Host-function convention: arguments as wasm values, result = WASI errno (i32), or kTrapInterrupted: a blocking
// wait (poll_oneoff, a read of a pipe or terminal) was woken by the store's interrupt request, and the host function
// traps "interrupted" instead of returning (the --timeout watchdog, myrt_interrupt_handle_interrupt).
constexpr uint16_t kTrapInterrupted = 0xffff;
using WasiFn = uint16_t (*)(WasiState& s, std::span<const Value> a);
inline uint32_t argU32(std::span<const Value> a, size_t i) { return a[i].i32; }
inline uint64_t argU64(std::span<const Value> a, size_t i) { return a[i].i64; }

struct WasiFnDef {
  const char* name;
  const char* params;  // one letter per parameter: 'i' i32, 'I' i64; the result is always one i32 errno
  WasiFn fn;
};
// Definitions by area (fd.cpp, path.cpp); context.cpp defines the rest and assembles the host instance.
std::span<const WasiFnDef> fdFunctions();
std::span<const WasiFnDef> pathFunctions();

// MYRT_WASI_TRACE (wasi/p1/trace.cpp): "wasi: NAME(args, paths as strings) = ERRNO (name)"; `params` is the
// function's WasiFnDef::params ('I' marks an i64).
std::string traceLine(WasiState& s, const char* name, const char* params, std::span<const Value> args, uint16_t result);
// The witx name of an errno value ("noent"), "?" for an unknown one.
const char* errnoName(uint16_t e);

// Shared helpers (fd.cpp): fill a filestat from a host stat buffer; iovec gathering.
void writeFilestat(uint8_t* out, const struct ::stat& st);
// Guest iovec array -> host iovecs (bounds-checked; at most 1024, the rest is left for a later call).
// Returns success or fault/inval.
uint16_t gatherIovecs(WasiState& s, uint32_t iovs, uint32_t count, std::vector<struct ::iovec>& out);
// Rights a freshly opened fd of type `ft` gets, given the requested and the parent's inheriting rights.
uint64_t maskRightsFor(uint8_t ft, uint64_t rights);

}  // namespace myrt::wasi
