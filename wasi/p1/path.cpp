// wasi/p1/path.cpp -- the path_* functions of wasi_snapshot_preview1: preview1's rights and guest pointers are
// checked here; the operations themselves are host::Descriptor's path operations (wasi/host/descriptor.h), which
// resolve every path beneath the directory (wasi/host/sandbox.h).
// Layer: wasi/p1 (internal; table exported through pathFunctions() to context.cpp).
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <string>

#include "wasi/p1/context.h"

namespace myrt::wasi {

using namespace abi;

uint16_t timesFromFst(uint64_t atim, uint64_t mtim, uint32_t fst, timespec ts[2]);  // fd.cpp

namespace {

// Directory fd + guest path argument pair -> entry and path string.
uint16_t dirAndPath(WasiState& s, uint32_t fd, uint64_t need, uint32_t ptr, uint32_t len, FdEntry*& e,
                    std::string& path) {
  if (uint16_t err = s.lookup(fd, need, e); err != kSuccess) {
    if (err == kBadf && fd < s.fds.size() && s.fds[fd]) return kNotdir;  // a path operation on a non-directory
    return err;
  }
  auto p = s.string(ptr, len);
  if (!p) return kFault;
  path = std::move(*p);
  if (path.find('\0') != std::string::npos) return kInval;
  return kSuccess;
}

uint16_t path_create_directory(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  std::string path;
  if (uint16_t err = dirAndPath(s, argU32(a, 0), rights::kPathCreateDirectory, argU32(a, 1), argU32(a, 2), e, path);
      err != kSuccess)
    return err;
  return errnoFromHost(e->desc.createDirectoryAt(path));
}

uint16_t path_filestat_get(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  std::string path;
  if (uint16_t err = dirAndPath(s, argU32(a, 0), rights::kPathFilestatGet, argU32(a, 2), argU32(a, 3), e, path);
      err != kSuccess)
    return err;
  uint8_t* out = s.mem(argU32(a, 4), kFilestatSize);
  if (!out) return kFault;
  struct stat st;
  if (int r = e->desc.statAt(path, argU32(a, 1) & kLookupSymlinkFollow, st); r != 0) return errnoFromHost(r);
  writeFilestat(out, st);
  return kSuccess;
}

uint16_t path_filestat_set_times(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  std::string path;
  if (uint16_t err =
          dirAndPath(s, argU32(a, 0), rights::kPathFilestatSetTimes, argU32(a, 2), argU32(a, 3), e, path);
      err != kSuccess)
    return err;
  timespec ts[2];
  if (uint16_t err = timesFromFst(argU64(a, 4), argU64(a, 5), argU32(a, 6), ts); err != kSuccess) return err;
  return errnoFromHost(e->desc.setTimesAt(path, argU32(a, 1) & kLookupSymlinkFollow, ts));
}

uint16_t path_link(WasiState& s, std::span<const Value> a) {
  FdEntry* eo;
  FdEntry* en;
  std::string oldPath, newPath;
  if (uint16_t err = dirAndPath(s, argU32(a, 0), rights::kPathLinkSource, argU32(a, 2), argU32(a, 3), eo, oldPath);
      err != kSuccess)
    return err;
  if (uint16_t err = dirAndPath(s, argU32(a, 4), rights::kPathLinkTarget, argU32(a, 5), argU32(a, 6), en, newPath);
      err != kSuccess)
    return err;
  return errnoFromHost(eo->desc.linkAt(oldPath, argU32(a, 1) & kLookupSymlinkFollow, en->desc, newPath));
}

uint16_t path_open(WasiState& s, std::span<const Value> a) {
  uint32_t dirflags = argU32(a, 1), oflags = argU32(a, 4), fdflags = argU32(a, 7), resultPtr = argU32(a, 8);
  uint64_t base = argU64(a, 5), inheriting = argU64(a, 6);
  if (oflags & ~uint32_t(kOflagCreat | kOflagDirectory | kOflagExcl | kOflagTrunc)) return kInval;
  if (fdflags & ~uint32_t(kFdflagAppend | kFdflagDsync | kFdflagNonblock | kFdflagRsync | kFdflagSync)) return kInval;
  uint64_t need = rights::kPathOpen;
  if (oflags & kOflagCreat) need |= rights::kPathCreateFile;
  if (oflags & kOflagTrunc) need |= rights::kPathFilestatSetSize;
  FdEntry* e;
  std::string path;
  if (uint16_t err = dirAndPath(s, argU32(a, 0), need, argU32(a, 2), argU32(a, 3), e, path); err != kSuccess)
    return err;
  if (!s.mem(resultPtr, 4)) return kFault;
  constexpr uint64_t kReadRights = rights::kFdRead | rights::kFdReaddir;
  constexpr uint64_t kWriteRights =
      rights::kFdWrite | rights::kFdDatasync | rights::kFdAllocate | rights::kFdFilestatSetSize;
  host::OpenOptions o;
  o.read = base & kReadRights;
  o.write = (base & kWriteRights) || (fdflags & kFdflagAppend) || (oflags & kOflagTrunc);
  o.directory = oflags & kOflagDirectory;
  o.create = oflags & kOflagCreat;
  o.exclusive = oflags & kOflagExcl;
  o.truncate = oflags & kOflagTrunc;
  o.append = fdflags & kFdflagAppend;
  o.nonblock = fdflags & kFdflagNonblock;
  o.dsync = fdflags & kFdflagDsync;
  o.rsync = fdflags & kFdflagRsync;
  o.sync = fdflags & kFdflagSync;
  o.followFinal = dirflags & kLookupSymlinkFollow;
  FdEntry n;
  // Beneath a read-only preopen, asking for write access is refused (notcapable) rather than silently dropped.
  if (int r = e->desc.openAt(path, o, n.desc); r != 0) return errnoFromHost(r);
  n.filetype = filetypeOf(n.desc.type());
  n.rightsBase = maskRightsFor(n.filetype, base & e->rightsInheriting);
  n.rightsInheriting = inheriting & e->rightsInheriting;
  uint32_t gfd = s.allocFd(std::move(n));
  if (gfd == UINT32_MAX) return kNfile;
  (void)s.store32(resultPtr, gfd);
  return kSuccess;
}

uint16_t path_readlink(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  std::string path;
  if (uint16_t err = dirAndPath(s, argU32(a, 0), rights::kPathReadlink, argU32(a, 1), argU32(a, 2), e, path);
      err != kSuccess)
    return err;
  uint32_t bufLen = argU32(a, 4);
  uint8_t* buf = s.mem(argU32(a, 3), bufLen);
  if (!buf || !s.mem(argU32(a, 5), 4)) return kFault;
  std::string target;
  if (int r = e->desc.readlinkAt(path, bufLen, target); r != 0) return errnoFromHost(r);
  std::memcpy(buf, target.data(), target.size());
  (void)s.store32(argU32(a, 5), static_cast<uint32_t>(target.size()));
  return kSuccess;
}

uint16_t path_remove_directory(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  std::string path;
  if (uint16_t err = dirAndPath(s, argU32(a, 0), rights::kPathRemoveDirectory, argU32(a, 1), argU32(a, 2), e, path);
      err != kSuccess)
    return err;
  return errnoFromHost(e->desc.removeDirectoryAt(path));
}

uint16_t path_rename(WasiState& s, std::span<const Value> a) {
  FdEntry* eo;
  FdEntry* en;
  std::string oldPath, newPath;
  if (uint16_t err = dirAndPath(s, argU32(a, 0), rights::kPathRenameSource, argU32(a, 1), argU32(a, 2), eo, oldPath);
      err != kSuccess)
    return err;
  if (uint16_t err = dirAndPath(s, argU32(a, 3), rights::kPathRenameTarget, argU32(a, 4), argU32(a, 5), en, newPath);
      err != kSuccess)
    return err;
  return errnoFromHost(eo->desc.renameAt(oldPath, en->desc, newPath));
}

uint16_t path_symlink(WasiState& s, std::span<const Value> a) {
  auto target = s.string(argU32(a, 0), argU32(a, 1));
  if (!target) return kFault;
  if (target->find('\0') != std::string::npos) return kInval;
  FdEntry* e;
  std::string path;
  if (uint16_t err = dirAndPath(s, argU32(a, 2), rights::kPathSymlink, argU32(a, 3), argU32(a, 4), e, path);
      err != kSuccess)
    return err;
  return errnoFromHost(e->desc.symlinkAt(*target, path));  // absolute targets: notcapable
}

uint16_t path_unlink_file(WasiState& s, std::span<const Value> a) {
  FdEntry* e;
  std::string path;
  if (uint16_t err = dirAndPath(s, argU32(a, 0), rights::kPathUnlinkFile, argU32(a, 1), argU32(a, 2), e, path);
      err != kSuccess)
    return err;
  return errnoFromHost(e->desc.unlinkFileAt(path));
}

constexpr WasiFnDef kPathFunctions[] = {
    {"path_create_directory", "iii", path_create_directory},
    {"path_filestat_get", "iiiii", path_filestat_get},
    {"path_filestat_set_times", "iiiiIIi", path_filestat_set_times},
    {"path_link", "iiiiiii", path_link},
    {"path_open", "iiiiiIIii", path_open},
    {"path_readlink", "iiiiii", path_readlink},
    {"path_remove_directory", "iii", path_remove_directory},
    {"path_rename", "iiiiii", path_rename},
    {"path_symlink", "iiiii", path_symlink},
    {"path_unlink_file", "iii", path_unlink_file},
};

}  // namespace

std::span<const WasiFnDef> pathFunctions() { return kPathFunctions; }

}  // namespace myrt::wasi
