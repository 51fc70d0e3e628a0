// wasi/p1/fd.cpp -- the fd_* functions of wasi_snapshot_preview1 on host fds: read/write (plain and positional),
// seek/tell, fdstat and flags, rights, filestat and sizes/times, preopen names, readdir (getdents64 with cookies =
// entry index), renumber, close, sync, advise, allocate.
// Layer: wasi/p1 (internal; table exported through fdFunctions() to context.cpp). Each function checks preview1's
// rights and guest pointers, then calls the fd's host::Descriptor (wasi/host/descriptor.h).
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/stat.h>

#include <algorithm>

#include "wasi/p1/context.h"

namespace myrt::wasi {

using namespace abi;

namespace {

uint64_t tsNs(const timespec& t) { return uint64_t(t.tv_sec) * 1000000000ull + uint64_t(t.tv_nsec); }

}  // namespace

void writeFilestat(uint8_t* out, const struct ::stat& st) {
  std::memset(out, 0, kFilestatSize);
  uint64_t v[8] = {uint64_t(st.st_dev), uint64_t(st.st_ino), 0, uint64_t(st.st_nlink), uint64_t(st.st_size),
                   tsNs(st.st_atim), tsNs(st.st_mtim), tsNs(st.st_ctim)};
  for (int i = 0; i < 8; ++i)
    if (i != 2) std::memcpy(out + i * 8, &v[i], 8);
  out[16] = filetypeFromMode(st.st_mode);
}

// Shared with path.cpp through a declaration there: converts fstflags + times to utimensat's timespec pair.
uint16_t timesFromFst(uint64_t atim, uint64_t mtim, uint32_t fst, timespec ts[2]) {
  if (fst & ~uint32_t(kFstAtim | kFstAtimNow | kFstMtim | kFstMtimNow)) return kInval;
  if ((fst & kFstAtim) && (fst & kFstAtimNow)) return kInval;
  if ((fst & kFstMtim) && (fst & kFstMtimNow)) return kInval;
  auto set = [](timespec& t, uint64_t ns, bool given, bool now) {
    if (now) {
      t.tv_sec = 0;
      t.tv_nsec = UTIME_NOW;
    } else if (given) {
      t.tv_sec = static_cast<time_t>(ns / 1000000000ull);
      t.tv_nsec = static_cast<long>(ns % 1000000000ull);
    } else {
      t.tv_sec = 0;
      t.tv_nsec = UTIME_OMIT;
    }
  };
  set(ts[0], atim, fst & kFstAtim, fst & kFstAtimNow);
  set(ts[1], mtim, fst & kFstMtim, fst & kFstMtimNow);
  return kSuccess;
}

namespace {

uint16_t fd_advise(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  if (uint16_t err = s.lookup(argU32(a, 0), rights::kFdAdvise, e); err != kSuccess) return err;
  uint32_t advice = argU32(a, 3);
  static constexpr int kMap[] = {POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                 POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
  if (advice > kAdviceNoreuse) return kInval;
  if (e->filetype == kDirectory) return kBadf;
  return errnoFromHost(e->desc.advise(argU64(a, 1), argU64(a, 2), kMap[advice]));
}

uint16_t fd_allocate(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  if (uint16_t err = s.lookup(argU32(a, 0), rights::kFdAllocate, e); err != kSuccess) return err;
  return errnoFromHost(e->desc.allocate(argU64(a, 1), argU64(a, 2)));
}

uint16_t fd_close(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  uint32_t fd = argU32(a, 0);
  if (uint16_t err = s.lookup(fd, 0, e); err != kSuccess) return err;
  s.fds[fd].reset();  // closes the host fd
  return kSuccess;
}

uint16_t fd_datasync(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  if (uint16_t err = s.lookup(argU32(a, 0), rights::kFdDatasync, e); err != kSuccess) return err;
  return errnoFromHost(e->desc.datasync());
}

uint16_t fd_sync(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  if (uint16_t err = s.lookup(argU32(a, 0), rights::kFdSync, e); err != kSuccess) return err;
  return errnoFromHost(e->desc.sync());
}

uint16_t fd_fdstat_get(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  if (uint16_t err = s.lookup(argU32(a, 0), 0, e); err != kSuccess) return err;
  uint8_t* p = s.mem(argU32(a, 1), kFdstatSize);
  if (!p) return kFault;
  int fl = 0;
  uint16_t flags = 0;
  if (e->desc.statusFlags(fl) == 0) {
    if (fl & O_APPEND) flags |= kFdflagAppend;
    if (fl & O_NONBLOCK) flags |= kFdflagNonblock;
    if ((fl & O_SYNC) == O_SYNC)
      flags |= kFdflagSync;
    else if (fl & O_DSYNC)
      flags |= kFdflagDsync;
  }
  std::memset(p, 0, kFdstatSize);
  p[0] = e->filetype;
  std::memcpy(p + 2, &flags, 2);
  std::memcpy(p + 8, &e->rightsBase, 8);
  std::memcpy(p + 16, &e->rightsInheriting, 8);
  return kSuccess;
}

uint16_t fd_fdstat_set_flags(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  if (uint16_t err = s.lookup(argU32(a, 0), rights::kFdFdstatSetFlags, e); err != kSuccess) return err;
  uint32_t flags = argU32(a, 1);
  if (flags & ~uint32_t(kFdflagAppend | kFdflagDsync | kFdflagNonblock | kFdflagRsync | kFdflagSync)) return kInval;
  // Linux cannot change the synchronization flags of an open file.
  if (flags & (kFdflagDsync | kFdflagRsync | kFdflagSync)) return kNotsup;
  return errnoFromHost(e->desc.setAppendNonblock(flags & kFdflagAppend, flags & kFdflagNonblock));
}

uint16_t fd_fdstat_set_rights(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  if (uint16_t err = s.lookup(argU32(a, 0), 0, e); err != kSuccess) return err;
  uint64_t base = argU64(a, 1), inh = argU64(a, 2);
  if ((base & ~e->rightsBase) || (inh & ~e->rightsInheriting)) return kNotcapable;  // rights only shrink
  e->rightsBase = base;
  e->rightsInheriting = inh;
  return kSuccess;
}

uint16_t fd_filestat_get(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  if (uint16_t err = s.lookup(argU32(a, 0), rights::kFdFilestatGet, e); err != kSuccess) return err;
  uint8_t* p = s.mem(argU32(a, 1), kFilestatSize);
  if (!p) return kFault;
  struct stat st;
  if (int r = e->desc.stat(st); r != 0) return errnoFromHost(r);
  writeFilestat(p, st);
  return kSuccess;
}

uint16_t fd_filestat_set_size(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  if (uint16_t err = s.lookup(argU32(a, 0), rights::kFdFilestatSetSize, e); err != kSuccess) return err;
  return errnoFromHost(e->desc.setSize(argU64(a, 1)));
}

uint16_t fd_filestat_set_times(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  if (uint16_t err = s.lookup(argU32(a, 0), rights::kFdFilestatSetTimes, e); err != kSuccess) return err;
  timespec ts[2];
  if (uint16_t err = timesFromFst(argU64(a, 1), argU64(a, 2), argU32(a, 3), ts); err != kSuccess) return err;
  return errnoFromHost(e->desc.setTimes(ts));
}

uint16_t fd_prestat_get(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  if (uint16_t err = s.lookup(argU32(a, 0), 0, e); err != kSuccess) return err;
  if (!e->isPreopen) return kBadf;
  uint8_t* p = s.mem(argU32(a, 1), kPrestatSize);
  if (!p) return kFault;
  std::memset(p, 0, kPrestatSize);
  p[0] = kPreopentypeDir;
  uint32_t len = static_cast<uint32_t>(e->preopenName.size());
  std::memcpy(p + 4, &len, 4);
  return kSuccess;
}

uint16_t fd_prestat_dir_name(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  if (uint16_t err = s.lookup(argU32(a, 0), 0, e); err != kSuccess) return err;
  if (!e->isPreopen) return kBadf;
  uint32_t len = argU32(a, 2);
  if (len < e->preopenName.size()) return kNametoolong;
  uint8_t* p = s.mem(argU32(a, 1), e->preopenName.size());
  if (!p) return kFault;
  std::memcpy(p, e->preopenName.data(), e->preopenName.size());
  return kSuccess;
}

// fd_read / fd_pread / fd_write / fd_pwrite share the gather-and-call shape.
uint16_t doIo(WasiState& s, std::span<const Value> a, bool write, bool positional) {
  FdEntry* e;
  uint64_t need = (write ? rights::kFdWrite : rights::kFdRead) | (positional ? rights::kFdSeek : 0);
  if (uint16_t err = s.lookup(argU32(a, 0), need, e); err != kSuccess) return err;
  uint32_t resultPtr = positional ? argU32(a, 4) : argU32(a, 3);
  if (!s.mem(resultPtr, 4)) return kFault;
  std::vector<iovec> iov;
  if (uint16_t err = gatherIovecs(s, argU32(a, 1), argU32(a, 2), iov); err != kSuccess) return err;
  int n = static_cast<int>(iov.size());
  size_t done = 0;
  int r;
  // A read that would block (pipe, terminal, socket with no data yet: a zero-timeout poll says so) waits for
  // readiness on the context's Poller first, so the store's interrupt can wake it (host::kInterrupted -> trap
  // "interrupted").
  pollfd pfd{e->hostFd(), POLLIN, 0};
  if (!write && !positional && e->desc.type() != host::FileType::RegularFile && !e->desc.isDirectory() &&
      s.poller().interrupt().requested && ::poll(&pfd, 1, 0) == 0) {
    host::Wait w = host::Wait::forFd(e->hostFd(), EPOLLIN);
    std::vector<uint32_t> revents;
    r = s.pollUnlocked(std::span<const host::Wait>(&w, 1), revents);
    if (r == host::kInterrupted) return kTrapInterrupted;
    // Another thread may have closed or renumbered the fd during the wait (WasiState::mu was released).
    if (uint16_t err = s.lookup(argU32(a, 0), need, e); err != kSuccess) return err;
  }
  if (positional)
    r = write ? e->desc.pwritev(iov.data(), n, argU64(a, 3), done) : e->desc.preadv(iov.data(), n, argU64(a, 3), done);
  else
    r = write ? e->desc.writev(iov.data(), n, done) : e->desc.readv(iov.data(), n, done);
  if (r != 0) return errnoFromHost(r);
  (void)s.store32(resultPtr, static_cast<uint32_t>(done));
  return kSuccess;
}

uint16_t fd_read(WasiState& s, std::span<const Value> a) { return doIo(s, a, false, false); }
uint16_t fd_pread(WasiState& s, std::span<const Value> a) { return doIo(s, a, false, true); }
uint16_t fd_write(WasiState& s, std::span<const Value> a) { return doIo(s, a, true, false); }
uint16_t fd_pwrite(WasiState& s, std::span<const Value> a) { return doIo(s, a, true, true); }

uint16_t fd_readdir(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  if (uint16_t err = s.lookup(argU32(a, 0), rights::kFdReaddir, e); err != kSuccess) return err;
  uint32_t buf = argU32(a, 1), len = argU32(a, 2);
  uint64_t cookie = argU64(a, 3);
  uint8_t* out = s.mem(buf, len);
  if (!out || !s.mem(argU32(a, 4), 4)) return kFault;
  std::vector<host::DirEntry> entries;
  if (int r = e->desc.readDirectory(entries); r != 0) return errnoFromHost(r);
  uint32_t used = 0;
  for (uint64_t i = cookie; i < entries.size() && used < len; ++i) {
    const host::DirEntry& d = entries[i];
    uint8_t hdr[kDirentSize] = {};
    uint64_t next = i + 1;
    uint32_t namlen = static_cast<uint32_t>(d.name.size());
    std::memcpy(hdr, &next, 8);
    std::memcpy(hdr + 8, &d.ino, 8);
    std::memcpy(hdr + 16, &namlen, 4);
    hdr[20] = filetypeOf(d.type);
    uint32_t n = std::min<uint32_t>(kDirentSize, len - used);
    std::memcpy(out + used, hdr, n);
    used += n;
    n = std::min<uint32_t>(namlen, len - used);
    std::memcpy(out + used, d.name.data(), n);
    used += n;
  }
  (void)s.store32(argU32(a, 4), used);
  return kSuccess;
}

uint16_t fd_renumber(WasiState& s, std::span<const Value> a) {
  uint32_t from = argU32(a, 0), to = argU32(a, 1);
  FdEntry* ef;
  FdEntry* et;
  if (uint16_t err = s.lookup(from, 0, ef); err != kSuccess) return err;
  if (uint16_t err = s.lookup(to, 0, et); err != kSuccess) return err;
  if (from == to) return kSuccess;
  s.fds[to] = std::move(s.fds[from]);  // closes `to`'s host fd
  s.fds[from].reset();
  return kSuccess;
}

uint16_t fd_seek(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  int64_t off = static_cast<int64_t>(argU64(a, 1));
  uint32_t whence = argU32(a, 2);
  uint64_t need = (off == 0 && whence == kWhenceCur) ? rights::kFdTell : rights::kFdSeek;
  if (uint16_t err = s.lookup(argU32(a, 0), need, e); err != kSuccess) return err;
  int w;
  switch (whence) {
    case kWhenceSet: w = SEEK_SET; break;
    case kWhenceCur: w = SEEK_CUR; break;
    case kWhenceEnd: w = SEEK_END; break;
    default: return kInval;
  }
  if (!s.mem(argU32(a, 3), 8)) return kFault;
  uint64_t pos;
  if (int r = e->desc.seek(off, w, pos); r != 0) return errnoFromHost(r);
  (void)s.store64(argU32(a, 3), pos);
  return kSuccess;
}

uint16_t fd_tell(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  if (uint16_t err = s.lookup(argU32(a, 0), rights::kFdTell, e); err != kSuccess) return err;
  if (!s.mem(argU32(a, 1), 8)) return kFault;
  uint64_t pos;
  if (int r = e->desc.seek(0, SEEK_CUR, pos); r != 0) return errnoFromHost(r);
  (void)s.store64(argU32(a, 1), pos);
  return kSuccess;
}

constexpr WasiFnDef kFdFunctions[] = {
    {"fd_advise", "iIIi", fd_advise},
    {"fd_allocate", "iII", fd_allocate},
    {"fd_close", "i", fd_close},
    {"fd_datasync", "i", fd_datasync},
    {"fd_fdstat_get", "ii", fd_fdstat_get},
    {"fd_fdstat_set_flags", "ii", fd_fdstat_set_flags},
    {"fd_fdstat_set_rights", "iII", fd_fdstat_set_rights},
    {"fd_filestat_get", "ii", fd_filestat_get},
    {"fd_filestat_set_size", "iI", fd_filestat_set_size},
    {"fd_filestat_set_times", "iIIi", fd_filestat_set_times},
    {"fd_pread", "iiiIi", fd_pread},
    {"fd_prestat_get", "ii", fd_prestat_get},
    {"fd_prestat_dir_name", "iii", fd_prestat_dir_name},
    {"fd_pwrite", "iiiIi", fd_pwrite},
    {"fd_read", "iiii", fd_read},
    {"fd_readdir", "iiiIi", fd_readdir},
    {"fd_renumber", "ii", fd_renumber},
    {"fd_seek", "iIii", fd_seek},
    {"fd_sync", "i", fd_sync},
    {"fd_tell", "ii", fd_tell},
    {"fd_write", "iiii", fd_write},
};

}  // namespace

std::span<const WasiFnDef> fdFunctions() { return kFdFunctions; }

}  // namespace myrt::wasi
