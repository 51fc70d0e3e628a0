// wasi/p1/context.cpp -- the WASI preview1 context: configuration -> fd table (stdio, preopens), guest memory access,
// errno mapping, the non-file functions (args, environ, clocks, random, poll_oneoff, proc_exit/raise, sched_yield,
// sockets) and the host instance exporting every function; runStart for embedders.
// Layer: wasi/p1 (depends on runtime/exec), a binding over wasi/host (descriptors, clocks, random, the poller).
// File functions: fd.cpp, path.cpp.
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>

#include "wasi/host/clock_random.h"
#include "wasi/p1/context.h"

namespace myrt::wasi {

using namespace abi;

// ---------------------------------------------------------------------------------------------------------------
// errno and file types

uint16_t errnoFromHost(int e) {
  switch (e) {
    case 0: return kSuccess;
    case E2BIG: return k2big;
    case EACCES: return kAcces;
    case EADDRINUSE: return kAddrinuse;
    case EADDRNOTAVAIL: return kAddrnotavail;
    case EAFNOSUPPORT: return kAfnosupport;
    case EAGAIN: return kAgain;
    case EALREADY: return kAlready;
    case EBADF: return kBadf;
    case EBADMSG: return kBadmsg;
    case EBUSY: return kBusy;
    case ECANCELED: return kCanceled;
    case ECHILD: return kChild;
    case ECONNABORTED: return kConnaborted;
    case ECONNREFUSED: return kConnrefused;
    case ECONNRESET: return kConnreset;
    case EDEADLK: return kDeadlk;
    case EDESTADDRREQ: return kDestaddrreq;
    case EDOM: return kDom;
    case EDQUOT: return kDquot;
    case EEXIST: return kExist;
    case EFAULT: return kFault;
    case EFBIG: return kFbig;
    case EHOSTUNREACH: return kHostunreach;
    case EIDRM: return kIdrm;
    case EILSEQ: return kIlseq;
    case EINPROGRESS: return kInprogress;
    case EINTR: return kIntr;
    case EINVAL: return kInval;
    case EIO: return kIo;
    case EISCONN: return kIsconn;
    case EISDIR: return kIsdir;
    case ELOOP: return kLoop;
    case EMFILE: return kMfile;
    case EMLINK: return kMlink;
    case EMSGSIZE: return kMsgsize;
    case EMULTIHOP: return kMultihop;
    case ENAMETOOLONG: return kNametoolong;
    case ENETDOWN: return kNetdown;
    case ENETRESET: return kNetreset;
    case ENETUNREACH: return kNetunreach;
    case ENFILE: return kNfile;
    case ENOBUFS: return kNobufs;
    case ENODEV: return kNodev;
    case ENOENT: return kNoent;
    case ENOEXEC: return kNoexec;
    case ENOLCK: return kNolck;
    case ENOLINK: return kNolink;
    case ENOMEM: return kNomem;
    case ENOMSG: return kNomsg;
    case ENOPROTOOPT: return kNoprotoopt;
    case ENOSPC: return kNospc;
    case ENOSYS: return kNosys;
    case ENOTCONN: return kNotconn;
    case ENOTDIR: return kNotdir;
    case ENOTEMPTY: return kNotempty;
    case ENOTRECOVERABLE: return kNotrecoverable;
    case ENOTSOCK: return kNotsock;
    case EOPNOTSUPP: return kNotsup;
    case ENOTTY: return kNotty;
    case ENXIO: return kNxio;
    case EOVERFLOW: return kOverflow;
    case EOWNERDEAD: return kOwnerdead;
    case EPERM: return kPerm;
    case EPIPE: return kPipe;
    case EPROTO: return kProto;
    case EPROTONOSUPPORT: return kProtonosupport;
    case EPROTOTYPE: return kPrototype;
    case ERANGE: return kRange;
    case EROFS: return kRofs;
    case ESPIPE: return kSpipe;
    case ESRCH: return kSrch;
    case ESTALE: return kStale;
    case ETIMEDOUT: return kTimedout;
    case ETXTBSY: return kTxtbsy;
    case EXDEV: return kXdev;
    case host::kNotCapable: return kNotcapable;
    default: return kIo;
  }
}

uint8_t filetypeOf(host::FileType t) {
  switch (t) {
    case host::FileType::RegularFile: return kRegularFile;
    case host::FileType::Directory: return kDirectory;
    case host::FileType::SymbolicLink: return kSymbolicLink;
    case host::FileType::CharacterDevice: return kCharacterDevice;
    case host::FileType::BlockDevice: return kBlockDevice;
    case host::FileType::Socket: return kSocketStream;
    case host::FileType::Fifo:  // FIFOs have no preview1 type
    case host::FileType::Unknown: return kUnknown;
  }
  return kUnknown;
}

uint64_t maskRightsFor(uint8_t ft, uint64_t r) {
  switch (ft) {
    case kDirectory: return r & rights::kDirBase;
    case kSocketStream:
    case kSocketDgram: return r & rights::kSocketBase;
    case kRegularFile: return r & rights::kFileBase;
    default: return r & rights::kFileBase & ~(rights::kFdSeek | rights::kFdTell);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// WasiState

WasiState::~WasiState() { closeAll(); }

void WasiState::closeAll() { fds.clear(); }

host::Poller& WasiState::poller() {
  thread_local host::Poller p;
  return p;
}

int WasiState::pollUnlocked(std::span<const host::Wait> waits, std::vector<uint32_t>& revents) {
  mu.unlock();
  const int r = poller().poll(waits, revents);
  mu.lock();
  return r;
}

uint8_t* WasiState::mem(uint64_t addr, uint64_t len) {
  if (!memory && guest) memory = findExportedMemory(*guest, "memory");
  // A wasm32-wasip1-threads program may import its shared memory without exporting it: use that one.
  if (!memory && guest && guest->memories.size() == 1 && guest->memories[0]->type.limits.shared)
    memory = guest->memories[0];
  if (!memory || !memory->inBounds(addr, len)) return nullptr;
  return memory->base + addr;
}

std::optional<std::string> WasiState::string(uint32_t addr, uint32_t len) {
  uint8_t* p = mem(addr, len);
  if (!p) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(p), len);
}

uint16_t WasiState::lookup(uint32_t fd, uint64_t need, FdEntry*& out) {
  if (fd >= fds.size() || !fds[fd]) return kBadf;
  out = &*fds[fd];
  // An operation the fd's kind can never do (fd_read on a directory, path_open on a file) is `badf`; a right that
  // was dropped (fd_fdstat_set_rights, read-only preopen) is `notcapable`.
  if ((maskRightsFor(out->filetype, rights::kAll) & need) != need) return kBadf;
  if ((out->rightsBase & need) != need) return kNotcapable;
  return kSuccess;
}

uint32_t WasiState::allocFd(FdEntry e) {
  for (uint32_t i = 3; i < fds.size(); ++i)
    if (!fds[i]) {
      fds[i] = std::move(e);
      return i;
    }
  if (fds.size() >= (1u << 20)) return UINT32_MAX;
  if (fds.size() < 3) fds.resize(3);
  fds.emplace_back(std::move(e));
  return static_cast<uint32_t>(fds.size() - 1);
}

uint16_t gatherIovecs(WasiState& s, uint32_t iovs, uint32_t count, std::vector<struct ::iovec>& out) {
  out.clear();
  uint8_t* arr = s.mem(iovs, uint64_t(count) * kIovecSize);
  if (!arr) return kFault;
  uint64_t total = 0;
  for (uint32_t i = 0; i < count && out.size() < 1024; ++i) {
    uint32_t buf, len;
    std::memcpy(&buf, arr + i * kIovecSize, 4);
    std::memcpy(&len, arr + i * kIovecSize + 4, 4);
    if (len == 0) continue;
    uint8_t* p = s.mem(buf, len);
    if (!p) return kFault;
    if (total + len > uint64_t(INT32_MAX)) break;  // keep the total representable in the u32 result
    total += len;
    out.push_back({p, len});
  }
  return kSuccess;
}

// ---------------------------------------------------------------------------------------------------------------
// args, environ

namespace {

uint16_t writeStringList(WasiState& s, const std::vector<std::string>& list, uint32_t ptrs, uint32_t buf) {
  uint64_t bytes = 0;
  for (auto& a : list) bytes += a.size() + 1;
  uint8_t* pp = s.mem(ptrs, uint64_t(list.size()) * 4);
  uint8_t* bp = s.mem(buf, bytes);
  if (!pp || !bp) return kFault;
  uint32_t off = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    uint32_t addr = buf + off;
    std::memcpy(pp + i * 4, &addr, 4);
    std::memcpy(bp + off, list[i].c_str(), list[i].size() + 1);
    off += static_cast<uint32_t>(list[i].size() + 1);
  }
  return kSuccess;
}

uint16_t writeListSizes(WasiState& s, const std::vector<std::string>& list, uint32_t countPtr, uint32_t sizePtr) {
  uint64_t bytes = 0;
  for (auto& a : list) bytes += a.size() + 1;
  if (!s.mem(countPtr, 4) || !s.mem(sizePtr, 4)) return kFault;
  (void)s.store32(countPtr, static_cast<uint32_t>(list.size()));
  (void)s.store32(sizePtr, static_cast<uint32_t>(bytes));
  return kSuccess;
}

uint16_t args_get(WasiState& s, std::span<const Value> a) {
  return writeStringList(s, s.args, argU32(a, 0), argU32(a, 1));
}
uint16_t args_sizes_get(WasiState& s, std::span<const Value> a) {
  return writeListSizes(s, s.args, argU32(a, 0), argU32(a, 1));
}
uint16_t environ_get(WasiState& s, std::span<const Value> a) {
  return writeStringList(s, s.env, argU32(a, 0), argU32(a, 1));
}
uint16_t environ_sizes_get(WasiState& s, std::span<const Value> a) {
  return writeListSizes(s, s.env, argU32(a, 0), argU32(a, 1));
}

// ---------------------------------------------------------------------------------------------------------------
// clocks, random, scheduling

bool hostClock(uint32_t id, host::Clock& out) {
  switch (id) {
    case kClockRealtime: out = host::Clock::Realtime; return true;
    case kClockMonotonic: out = host::Clock::Monotonic; return true;
    case kClockProcessCputime: out = host::Clock::ProcessCpu; return true;
    case kClockThreadCputime: out = host::Clock::ThreadCpu; return true;
    default: return false;
  }
}

uint16_t clock_res_get(WasiState& s, std::span<const Value> a) {
  host::Clock c;
  if (!hostClock(argU32(a, 0), c)) return kInval;
  uint64_t ns;
  if (int r = host::clockResolution(c, ns); r != 0) return errnoFromHost(r);
  return s.store64(argU32(a, 1), ns) ? kSuccess : kFault;
}

uint16_t clock_time_get(WasiState& s, std::span<const Value> a) {
  host::Clock c;
  if (!hostClock(argU32(a, 0), c)) return kInval;
  uint64_t ns;
  if (int r = host::clockNow(c, ns); r != 0) return errnoFromHost(r);
  return s.store64(argU32(a, 2), ns) ? kSuccess : kFault;
}

uint16_t random_get(WasiState& s, std::span<const Value> a) {
  uint32_t len = argU32(a, 1);
  uint8_t* p = s.mem(argU32(a, 0), len);
  if (!p) return kFault;
  return errnoFromHost(host::randomBytes(p, len));
}

uint16_t sched_yield_(WasiState&, std::span<const Value>) {
  sched_yield();
  return kSuccess;
}

uint16_t proc_raise(WasiState&, std::span<const Value>) { return kNosys; }

// ---------------------------------------------------------------------------------------------------------------
// poll_oneoff: clock subscriptions (relative or absolute, any clock, as monotonic deadlines) and fd readiness, one
// wait on the context's host::Poller (epoll). Regular files are always ready (nbytes = bytes left to read).

uint16_t poll_oneoff(WasiState& s, std::span<const Value> a) {
  uint32_t in = argU32(a, 0), out = argU32(a, 1), nsubs = argU32(a, 2), neventsPtr = argU32(a, 3);
  if (nsubs == 0) return kInval;
  uint8_t* ip = s.mem(in, uint64_t(nsubs) * kSubscriptionSize);
  uint8_t* op = s.mem(out, uint64_t(nsubs) * kEventSize);
  if (!ip || !op || !s.mem(neventsPtr, 4)) return kFault;
  struct Sub {
    uint64_t userdata;
    uint8_t type;
    uint16_t error = kSuccess;
  };
  std::vector<Sub> subs(nsubs);
  std::vector<host::Wait> waits(nsubs);
  uint64_t now = host::monotonicNow();
  for (uint32_t i = 0; i < nsubs; ++i) {
    const uint8_t* p = ip + uint64_t(i) * kSubscriptionSize;
    Sub& sub = subs[i];
    std::memcpy(&sub.userdata, p, 8);
    sub.type = p[8];
    if (sub.type == kEventClock) {
      uint32_t id;
      uint64_t timeout;
      uint16_t flags;
      std::memcpy(&id, p + 16, 4);
      std::memcpy(&timeout, p + 24, 8);
      std::memcpy(&flags, p + 40, 2);
      host::Clock c;
      if (!hostClock(id, c)) {
        sub.error = kInval;
        waits[i] = host::Wait::ready();
        continue;
      }
      if (flags & kSubclockAbstime) {
        uint64_t n = 0;
        (void)host::clockNow(c, n);
        timeout = timeout > n ? timeout - n : 0;
      }
      waits[i] = host::Wait::until(timeout > UINT64_MAX - now ? UINT64_MAX - 1 : now + timeout);
    } else if (sub.type == kEventFdRead || sub.type == kEventFdWrite) {
      uint32_t fd;
      std::memcpy(&fd, p + 16, 4);
      FdEntry* e = nullptr;
      uint16_t err = s.lookup(fd, rights::kPollFdReadwrite, e);
      if (err != kSuccess) {
        sub.error = err;
        waits[i] = host::Wait::ready();
        continue;
      }
      waits[i] = host::Wait::forFd(e->hostFd(), sub.type == kEventFdRead ? EPOLLIN : EPOLLOUT);
    } else {
      sub.error = kInval;
      waits[i] = host::Wait::ready();
    }
  }
  std::vector<uint32_t> revents;
  if (int r = s.pollUnlocked(waits, revents); r != 0) return r == host::kInterrupted ? kTrapInterrupted : errnoFromHost(r);
  uint32_t nevents = 0;
  for (uint32_t i = 0; i < nsubs; ++i) {
    Sub& sub = subs[i];
    if (!revents[i]) continue;
    uint16_t err = sub.error;
    uint64_t nbytes = 0;
    uint16_t flags = 0;
    if (err == kSuccess && sub.type != kEventClock) {
      uint32_t re = revents[i];
      if (re & EPOLLHUP) flags |= kEventFdReadwriteHangup;
      if (re & EPOLLERR) err = kIo;
      if (sub.type == kEventFdRead) {
        int avail = 0;
        struct stat st;
        int fd = waits[i].fd;
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
          off_t pos = lseek(fd, 0, SEEK_CUR);
          nbytes = pos >= 0 && st.st_size > pos ? uint64_t(st.st_size - pos) : 0;
        } else if (ioctl(fd, FIONREAD, &avail) == 0 && avail > 0) {
          nbytes = uint64_t(avail);
        }
      }
    }
    uint8_t* e = op + uint64_t(nevents) * kEventSize;
    std::memset(e, 0, kEventSize);
    std::memcpy(e, &sub.userdata, 8);
    std::memcpy(e + 8, &err, 2);
    e[10] = sub.type;
    if (sub.type != kEventClock) {
      std::memcpy(e + 16, &nbytes, 8);
      std::memcpy(e + 24, &flags, 2);
    }
    ++nevents;
  }
  (void)s.store32(neventsPtr, nevents);
  return kSuccess;
}

// ---------------------------------------------------------------------------------------------------------------
// sockets (only sockets handed to the guest by the embedder: there is no sock_open in preview1)

uint16_t lookupSocket(WasiState& s, uint32_t fd, uint64_t need, FdEntry*& e) {
  if (uint16_t err = s.lookup(fd, 0, e); err != kSuccess) return err;
  if (e->filetype != kSocketStream && e->filetype != kSocketDgram) return kNotsock;
  if ((e->rightsBase & need) != need) return kNotcapable;
  return kSuccess;
}

uint16_t sock_accept(WasiState& s, std::span<const Value> a) {
  uint32_t flags = argU32(a, 1);
  if (flags & ~uint32_t(kSockAcceptFlags)) return kInval;
  FdEntry* e;
  if (uint16_t err = lookupSocket(s, argU32(a, 0), rights::kSockAccept, e); err != kSuccess) return err;
  if (!s.mem(argU32(a, 2), 4)) return kFault;
  int fd = accept4(e->hostFd(), nullptr, nullptr, SOCK_CLOEXEC | ((flags & kFdflagNonblock) ? SOCK_NONBLOCK : 0));
  if (fd < 0) return errnoFromHost(errno);
  FdEntry n;
  n.desc = host::Descriptor(fd, host::FileType::Socket, false);
  n.filetype = kSocketStream;
  n.rightsBase = rights::kSocketBase & ~rights::kSockAccept;
  uint32_t gfd = s.allocFd(std::move(n));
  if (gfd == UINT32_MAX) return kNfile;  // the entry, closing the fd, is gone
  (void)s.store32(argU32(a, 2), gfd);
  return kSuccess;
}

uint16_t sock_recv(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  if (uint16_t err = lookupSocket(s, argU32(a, 0), rights::kFdRead, e); err != kSuccess) return err;
  uint32_t riflags = argU32(a, 3);
  if (riflags & ~uint32_t(kRiflagRecvPeek | kRiflagRecvWaitall)) return kInval;
  if (!s.mem(argU32(a, 4), 4) || !s.mem(argU32(a, 5), 2)) return kFault;
  std::vector<iovec> iov;
  if (uint16_t err = gatherIovecs(s, argU32(a, 1), argU32(a, 2), iov); err != kSuccess) return err;
  msghdr msg{};
  msg.msg_iov = iov.data();
  msg.msg_iovlen = iov.size();
  int f = ((riflags & kRiflagRecvPeek) ? MSG_PEEK : 0) | ((riflags & kRiflagRecvWaitall) ? MSG_WAITALL : 0);
  ssize_t n = recvmsg(e->hostFd(), &msg, f);
  if (n < 0) return errnoFromHost(errno);
  (void)s.store32(argU32(a, 4), static_cast<uint32_t>(n));
  (void)s.store16(argU32(a, 5), (msg.msg_flags & MSG_TRUNC) ? kRoflagRecvDataTruncated : 0);
  return kSuccess;
}

uint16_t sock_send(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  if (uint16_t err = lookupSocket(s, argU32(a, 0), rights::kFdWrite, e); err != kSuccess) return err;
  if (argU32(a, 3) != 0) return kInval;  // no siflags are defined
  if (!s.mem(argU32(a, 4), 4)) return kFault;
  std::vector<iovec> iov;
  if (uint16_t err = gatherIovecs(s, argU32(a, 1), argU32(a, 2), iov); err != kSuccess) return err;
  msghdr msg{};
  msg.msg_iov = iov.data();
  msg.msg_iovlen = iov.size();
  ssize_t n = sendmsg(e->hostFd(), &msg, MSG_NOSIGNAL);
  if (n < 0) return errnoFromHost(errno);
  (void)s.store32(argU32(a, 4), static_cast<uint32_t>(n));
  return kSuccess;
}

uint16_t sock_shutdown(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  if (uint16_t err = lookupSocket(s, argU32(a, 0), rights::kSockShutdown, e); err != kSuccess) return err;
  int how;
  switch (argU32(a, 1)) {
    case kSdflagRd: how = SHUT_RD; break;
    case kSdflagWr: how = SHUT_WR; break;
    case kSdflagRd | kSdflagWr: how = SHUT_RDWR; break;
    default: return kInval;
  }
  return shutdown(e->hostFd(), how) == 0 ? kSuccess : errnoFromHost(errno);
}

constexpr WasiFnDef kMiscFunctions[] = {
    {"args_get", "ii", args_get},
    {"args_sizes_get", "ii", args_sizes_get},
    {"environ_get", "ii", environ_get},
    {"environ_sizes_get", "ii", environ_sizes_get},
    {"clock_res_get", "ii", clock_res_get},
    {"clock_time_get", "iIi", clock_time_get},
    {"random_get", "ii", random_get},
    {"sched_yield", "", sched_yield_},
    {"proc_raise", "i", proc_raise},
    {"poll_oneoff", "iiii", poll_oneoff},
    {"sock_accept", "iii", sock_accept},
    {"sock_recv", "iiiiii", sock_recv},
    {"sock_send", "iiiii", sock_send},
    {"sock_shutdown", "ii", sock_shutdown},
};

// An fd table entry for a host fd handed to the guest (stdio): duplicated so the guest's fd_close is harmless.
std::optional<FdEntry> stdioEntry(int hostFd) {
  host::Descriptor d = host::Descriptor::duplicate(hostFd);
  if (!d.valid()) return std::nullopt;
  FdEntry e;
  e.filetype = filetypeOf(d.type());
  e.desc = std::move(d);
  e.rightsBase = maskRightsFor(e.filetype, rights::kAll);
  return e;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// WasiContext

Result<std::unique_ptr<WasiContext>> WasiContext::create(const WasiConfig& config) {
  std::unique_ptr<WasiContext> ctx(new WasiContext());
  ctx->state_ = std::make_unique<WasiState>();
  WasiState& s = *ctx->state_;
  s.args = config.args;
  for (auto& [k, v] : config.env) s.env.push_back(k + "=" + v);
  s.fds.resize(3);
  s.fds[0] = stdioEntry(config.stdinFd);
  s.fds[1] = stdioEntry(config.stdoutFd);
  s.fds[2] = stdioEntry(config.stderrFd);
  for (const Preopen& p : config.preopens) {
    FdEntry e;
    if (int r = host::Descriptor::openDirectory(p.hostPath, p.readOnly, e.desc); r != 0)
      return Error("cannot open directory '" + p.hostPath + "': " + std::strerror(r));
    e.filetype = kDirectory;
    e.rightsBase = rights::kDirBase;
    e.rightsInheriting = rights::kDirBase | rights::kFileBase;
    if (p.readOnly) {
      e.rightsBase &= ~rights::kWriting;
      e.rightsInheriting &= ~rights::kWriting;
    }
    e.isPreopen = true;
    e.preopenName = p.guestPath;
    s.fds.emplace_back(std::move(e));
  }
  return ctx;
}

WasiContext::~WasiContext() = default;

Instance* WasiContext::createInstance(Store& store, const Module* onlyImportsOf) {
  Instance* inst = store.newInstance();
  inst->name = kModuleName;
  WasiState* s = state_.get();
  const bool trace = std::getenv("MYRT_WASI_TRACE") != nullptr;  // one decoded stderr line per call (trace.cpp)
  std::vector<std::string_view> imported;  // with onlyImportsOf: the names it imports from this module
  if (onlyImportsOf)
    for (const Import& im : onlyImportsOf->imports)
      if (im.kind == ExternKind::Func && im.module == kModuleName) imported.push_back(im.name);
  auto wanted = [&](std::string_view name) {
    return !onlyImportsOf || std::find(imported.begin(), imported.end(), name) != imported.end();
  };
  auto add = [&](const WasiFnDef& d) {
    if (!wanted(d.name)) return;
    CompositeType ft;
    ft.kind = CompKind::Func;
    for (const char* p = d.params; *p; ++p) ft.params.push_back(*p == 'I' ? ValType::i64() : ValType::i32());
    ft.results.push_back(ValType::i32());
    WasiFn fn = d.fn;
    const char* name = d.name;
    const char* params = d.params;
    FuncInst* f = store.newHostFunc(std::move(ft), [s, fn, name, params, trace](ExecContext& cx,
                                                                                std::span<const Value> args,
                                                                                std::span<Value> results) {
      std::lock_guard<std::mutex> lock(s->mu);  // wasi-threads: calls from several threads (WasiState::mu)
      // Not bound yet (a module's start function calls WASI during instantiation): use the calling instance.
      if (!s->guest && !s->memory) s->guest = cx.caller;
      InterruptFlag& intr = cx.store->interruptFlag();
      WasiState::poller().setInterrupt(host::Interrupt{&intr.requested, intr.wakeFd()});
      uint16_t r = fn(*s, args);
      if (r == kTrapInterrupted) return TrapReason::Interrupted;
      results[0] = Value::fromI32(r);
      if (trace) std::fprintf(stderr, "%s\n", traceLine(*s, name, params, args, r).c_str());
      return TrapReason::None;
    });
    inst->funcs.push_back(f);
    inst->exports.emplace(d.name, Extern::of(f));
  };
  for (const WasiFnDef& d : kMiscFunctions) add(d);
  for (const WasiFnDef& d : fdFunctions()) add(d);
  for (const WasiFnDef& d : pathFunctions()) add(d);
  if (!wanted("proc_exit")) return inst;
  CompositeType exitType;
  exitType.kind = CompKind::Func;
  exitType.params.push_back(ValType::i32());
  const bool traceExit = std::getenv("MYRT_WASI_TRACE") != nullptr;
  FuncInst* exitFn = store.newHostFunc(std::move(exitType), [s, traceExit](ExecContext& cx,
                                                                           std::span<const Value> args,
                                                                           std::span<Value>) {
    {
      std::lock_guard<std::mutex> lock(s->mu);
      s->exitCode = args[0].i32;
    }
    if (traceExit) std::fprintf(stderr, "wasi: proc_exit(%u)\n", static_cast<unsigned>(args[0].i32));
    return cx.hostTrap(kExitTrapMessage);
  });
  inst->funcs.push_back(exitFn);
  inst->exports.emplace("proc_exit", Extern::of(exitFn));
  return inst;
}

Instance* WasiContext::addToStore(Store& store, const Module* onlyImportsOf) {
  Instance* inst = createInstance(store, onlyImportsOf);
  store.registered[kModuleName] = inst;
  return inst;
}

void WasiContext::bindInstance(Instance* guest) {
  state_->guest = guest;
  state_->memory = nullptr;
}

void WasiContext::bindMemory(MemoryInst* memory) { state_->memory = memory; }

std::optional<uint32_t> WasiContext::exitCode() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->exitCode;
}

Result<Preopen> parsePreopen(std::string_view spec, bool readOnly) {
  Preopen p;
  p.readOnly = readOnly;
  size_t sep = spec.find("::");
  p.hostPath = std::string(spec.substr(0, sep));
  p.guestPath = sep == std::string_view::npos ? p.hostPath : std::string(spec.substr(sep + 2));
  if (p.hostPath.empty() || p.guestPath.empty())
    return Error("bad directory '" + std::string(spec) + "': want HOST or HOST::GUEST");
  return p;
}

bool isExitTrap(const Trap& trap) {
  return trap.reason == TrapReason::HostTrap && trap.message == kExitTrapMessage;
}

RunResult runStart(Store& store, Instance& guest, WasiContext& ctx) {
  RunResult r;
  ctx.bindInstance(&guest);
  FuncInst* start = findExportedFunc(guest, "_start");
  if (!start || start->numParams() != 0 || start->numResults() != 0) {
    Trap t;
    t.reason = TrapReason::HostTrap;
    t.message = "no exported function _start of type [] -> []";
    r.trap = std::move(t);
    r.exitCode = 127;
    return r;
  }
  InvokeResult ir = invoke(store, start, {}, {});
  if (ir.trap && ctx.exitCode() && isExitTrap(*ir.trap)) {
    r.exitCode = static_cast<int>(*ctx.exitCode());
  } else if (ir.trap) {
    r.trap = std::move(ir.trap);
    r.exitCode = 134;
  }
  return r;
}

}  // namespace myrt::wasi
