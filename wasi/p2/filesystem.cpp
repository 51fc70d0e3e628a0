// wasi/p2/filesystem.cpp -- wasi:filesystem/{types, preopens} over host::Descriptor. Capabilities: a preopen grants
// read + mutate-directory (read only, when the preopen is read-only); what open-at returns never has more than its
// directory (write access, creation or truncation beneath a directory without mutate-directory: not-permitted), and
// every path is resolved beneath its directory (escapes: not-permitted). read-directory lists neither "." nor ".."
// (the preview1 adapter adds them).
// Layer: wasi/p2 (depends on wasi/host).
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "wasi/p2/context.h"

namespace myrt::wasi::p2 {

namespace {

using namespace descriptor_flags;

DescriptorType typeOf(host::FileType t) {
  switch (t) {
    case host::FileType::Unknown: return DescriptorType::Unknown;
    case host::FileType::BlockDevice: return DescriptorType::BlockDevice;
    case host::FileType::CharacterDevice: return DescriptorType::CharacterDevice;
    case host::FileType::Directory: return DescriptorType::Directory;
    case host::FileType::Fifo: return DescriptorType::Fifo;
    case host::FileType::SymbolicLink: return DescriptorType::SymbolicLink;
    case host::FileType::RegularFile: return DescriptorType::RegularFile;
    case host::FileType::Socket: return DescriptorType::Socket;
  }
  return DescriptorType::Unknown;
}

Datetime toDatetime(const timespec& t) { return Datetime{uint64_t(t.tv_sec), static_cast<uint32_t>(t.tv_nsec)}; }

DescriptorStat toStat(const struct ::stat& st) {
  DescriptorStat s;
  s.type = typeOf(host::fileTypeFromMode(st.st_mode));
  s.linkCount = uint64_t(st.st_nlink);
  s.size = uint64_t(st.st_size);
  s.dataAccessTimestamp = toDatetime(st.st_atim);
  s.dataModificationTimestamp = toDatetime(st.st_mtim);
  s.statusChangeTimestamp = toDatetime(st.st_ctim);
  return s;
}

// new-timestamp -> utimensat's timespec; invalid nanoseconds: EINVAL.
int toTimespec(const NewTimestamp& n, timespec& t) {
  switch (n.kind) {
    case NewTimestamp::NoChange: t = {0, UTIME_OMIT}; return 0;
    case NewTimestamp::Now: t = {0, UTIME_NOW}; return 0;
    case NewTimestamp::Timestamp:
      if (n.time.nanoseconds >= 1000000000u || n.time.seconds > uint64_t(INT64_MAX)) return EINVAL;
      t = {static_cast<time_t>(n.time.seconds), static_cast<long>(n.time.nanoseconds)};
      return 0;
  }
  return EINVAL;
}

uint64_t mix(uint64_t x) {  // splitmix64's finalizer
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

MetadataHashValue hashOf(const struct ::stat& st) {
  uint64_t dev = uint64_t(st.st_dev), ino = uint64_t(st.st_ino);
  return MetadataHashValue{mix(dev * 0x9e3779b97f4a7c15ull ^ ino), mix(ino * 0x9e3779b97f4a7c15ull ^ ~dev)};
}

template <class T>
Expected<T, ErrorCode> fail(int err) {
  return Expected<T, ErrorCode>::failure(errorCodeFromHost(err));
}

template <class T>
Expected<T, ErrorCode> failCode(ErrorCode c) {
  return Expected<T, ErrorCode>::failure(c);
}

Expected<Unit, ErrorCode> unitOr(int err) {
  if (err != 0) return fail<Unit>(err);
  return Unit{};
}

}  // namespace

std::vector<std::pair<Rep, std::string>> WasiP2::getDirectories() {
  std::vector<std::pair<Rep, std::string>> out;
  for (const Preopened& p : preopens_) {
    uint8_t flags = kRead | (p.desc->readOnly() ? 0 : kMutateDirectory);
    out.emplace_back(add(DescriptorRes{p.desc, flags}), p.name);
  }
  return out;
}

// mode 0: read-via-stream, 1: write-via-stream, 2: append-via-stream
Expected<Rep, ErrorCode> WasiP2::makeStream(Rep rep, uint64_t offset, int mode) {
  DescriptorRes* d = desc(rep);
  if (!d) return Rep(0);
  if (d->desc->isDirectory()) return failCode<Rep>(ErrorCode::IsDirectory);
  if (mode == 0) {
    if (!(d->flags & kRead)) return failCode<Rep>(ErrorCode::BadDescriptor);
    return add(std::shared_ptr<host::InputStream>(std::make_shared<host::FileInputStream>(d->desc, offset)));
  }
  if (!(d->flags & kWrite)) return failCode<Rep>(ErrorCode::BadDescriptor);
  return add(OutputRes{std::make_shared<host::FileOutputStream>(d->desc, offset, mode == 2), 0});
}

Expected<Rep, ErrorCode> WasiP2::readViaStream(Rep d, uint64_t offset) { return makeStream(d, offset, 0); }
Expected<Rep, ErrorCode> WasiP2::writeViaStream(Rep d, uint64_t offset) { return makeStream(d, offset, 1); }
Expected<Rep, ErrorCode> WasiP2::appendViaStream(Rep d) { return makeStream(d, 0, 2); }

Expected<Unit, ErrorCode> WasiP2::advise(Rep rep, uint64_t offset, uint64_t length, Advice advice) {
  DescriptorRes* d = desc(rep);
  if (!d) return Unit{};
  static constexpr int kMap[] = {POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                 POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
  if (d->desc->isDirectory()) return failCode<Unit>(ErrorCode::BadDescriptor);
  return unitOr(d->desc->advise(offset, length, kMap[static_cast<size_t>(advice)]));
}

Expected<Unit, ErrorCode> WasiP2::syncData(Rep rep) {
  DescriptorRes* d = desc(rep);
  if (!d) return Unit{};
  return unitOr(d->desc->datasync());
}

Expected<Unit, ErrorCode> WasiP2::sync(Rep rep) {
  DescriptorRes* d = desc(rep);
  if (!d) return Unit{};
  return unitOr(d->desc->sync());
}

Expected<uint8_t, ErrorCode> WasiP2::getFlags(Rep rep) {
  DescriptorRes* d = desc(rep);
  if (!d) return uint8_t(0);
  uint8_t f = d->flags;
  int fl = 0;
  if (d->desc->statusFlags(fl) == 0) {
    if ((fl & O_SYNC) == O_SYNC) f |= kFileIntegritySync;
    if (fl & O_DSYNC) f |= kDataIntegritySync;
    if ((fl & O_RSYNC) == O_RSYNC && (fl & O_SYNC) == O_SYNC) f |= kRequestedWriteSync;
  }
  return f;
}

Expected<DescriptorType, ErrorCode> WasiP2::getType(Rep rep) {
  DescriptorRes* d = desc(rep);
  if (!d) return DescriptorType::Unknown;
  return typeOf(d->desc->type());
}

Expected<Unit, ErrorCode> WasiP2::setSize(Rep rep, uint64_t size) {
  DescriptorRes* d = desc(rep);
  if (!d) return Unit{};
  if (!(d->flags & kWrite)) return failCode<Unit>(ErrorCode::BadDescriptor);
  return unitOr(d->desc->setSize(size));
}

Expected<Unit, ErrorCode> WasiP2::setTimes(Rep rep, NewTimestamp atime, NewTimestamp mtime) {
  DescriptorRes* d = desc(rep);
  if (!d) return Unit{};
  timespec ts[2];
  if (int r = toTimespec(atime, ts[0]); r != 0) return fail<Unit>(r);
  if (int r = toTimespec(mtime, ts[1]); r != 0) return fail<Unit>(r);
  if (!(d->flags & (kWrite | kMutateDirectory))) return failCode<Unit>(ErrorCode::NotPermitted);
  return unitOr(d->desc->setTimes(ts));
}

Expected<std::pair<std::vector<uint8_t>, bool>, ErrorCode> WasiP2::readAt(Rep rep, uint64_t length,
                                                                          uint64_t offset) {
  using R = std::pair<std::vector<uint8_t>, bool>;
  DescriptorRes* d = desc(rep);
  if (!d) return R{};
  if (d->desc->isDirectory()) return failCode<R>(ErrorCode::IsDirectory);
  if (!(d->flags & kRead)) return failCode<R>(ErrorCode::BadDescriptor);
  R out;
  out.first.resize(static_cast<size_t>(std::min<uint64_t>(length, 1u << 20)));
  iovec iov{out.first.data(), out.first.size()};
  size_t done = 0;
  if (int r = d->desc->preadv(&iov, 1, offset, done); r != 0) return fail<R>(r);
  out.first.resize(done);
  out.second = done == 0 && length > 0;  // end of file
  return out;
}

Expected<uint64_t, ErrorCode> WasiP2::writeAt(Rep rep, const std::vector<uint8_t>& buffer, uint64_t offset) {
  DescriptorRes* d = desc(rep);
  if (!d) return uint64_t(0);
  if (d->desc->isDirectory()) return failCode<uint64_t>(ErrorCode::IsDirectory);
  if (!(d->flags & kWrite)) return failCode<uint64_t>(ErrorCode::BadDescriptor);
  iovec iov{const_cast<uint8_t*>(buffer.data()), buffer.size()};
  size_t done = 0;
  if (int r = d->desc->pwritev(&iov, 1, offset, done); r != 0) return fail<uint64_t>(r);
  return uint64_t(done);
}

Expected<Rep, ErrorCode> WasiP2::readDirectory(Rep rep) {
  DescriptorRes* d = desc(rep);
  if (!d) return Rep(0);
  if (!d->desc->isDirectory()) return failCode<Rep>(ErrorCode::NotDirectory);
  if (!(d->flags & kRead)) return failCode<Rep>(ErrorCode::NotPermitted);
  DirStreamRes s;
  if (int r = d->desc->readDirectory(s.entries); r != 0) return fail<Rep>(r);
  std::erase_if(s.entries, [](const host::DirEntry& e) { return e.name == "." || e.name == ".."; });
  return add(std::move(s));
}

Expected<std::optional<DirectoryEntry>, ErrorCode> WasiP2::readDirectoryEntry(Rep stream) {
  DirStreamRes* s = get<1>(stream, "directory-entry-stream");
  if (!s || s->next >= s->entries.size()) return std::optional<DirectoryEntry>();
  const host::DirEntry& e = s->entries[s->next++];
  return std::optional<DirectoryEntry>(DirectoryEntry{typeOf(e.type), e.name});
}

Expected<Unit, ErrorCode> WasiP2::createDirectoryAt(Rep rep, std::string_view path) {
  DescriptorRes* d = desc(rep);
  if (!d) return Unit{};
  if (!(d->flags & kMutateDirectory)) return failCode<Unit>(ErrorCode::NotPermitted);
  return unitOr(d->desc->createDirectoryAt(path));
}

Expected<DescriptorStat, ErrorCode> WasiP2::stat(Rep rep) {
  DescriptorRes* d = desc(rep);
  if (!d) return DescriptorStat{};
  struct stat st;
  if (int r = d->desc->stat(st); r != 0) return fail<DescriptorStat>(r);
  return toStat(st);
}

Expected<DescriptorStat, ErrorCode> WasiP2::statAt(Rep rep, uint8_t pathFlags, std::string_view path) {
  DescriptorRes* d = desc(rep);
  if (!d) return DescriptorStat{};
  if (!d->desc->isDirectory()) return failCode<DescriptorStat>(ErrorCode::NotDirectory);
  struct stat st;
  if (int r = d->desc->statAt(path, pathFlags & path_flags::kSymlinkFollow, st); r != 0)
    return fail<DescriptorStat>(r);
  return toStat(st);
}

Expected<Unit, ErrorCode> WasiP2::setTimesAt(Rep rep, uint8_t pathFlags, std::string_view path, NewTimestamp atime,
                                             NewTimestamp mtime) {
  DescriptorRes* d = desc(rep);
  if (!d) return Unit{};
  if (!d->desc->isDirectory()) return failCode<Unit>(ErrorCode::NotDirectory);
  if (!(d->flags & kMutateDirectory)) return failCode<Unit>(ErrorCode::NotPermitted);
  timespec ts[2];
  if (int r = toTimespec(atime, ts[0]); r != 0) return fail<Unit>(r);
  if (int r = toTimespec(mtime, ts[1]); r != 0) return fail<Unit>(r);
  return unitOr(d->desc->setTimesAt(path, pathFlags & path_flags::kSymlinkFollow, ts));
}

Expected<Unit, ErrorCode> WasiP2::linkAt(Rep rep, uint8_t oldPathFlags, std::string_view oldPath, Rep newDescriptor,
                                         std::string_view newPath) {
  DescriptorRes* d = desc(rep);
  DescriptorRes* n = desc(newDescriptor);
  if (!d || !n) return Unit{};
  if (!d->desc->isDirectory() || !n->desc->isDirectory()) return failCode<Unit>(ErrorCode::NotDirectory);
  if (!(n->flags & kMutateDirectory)) return failCode<Unit>(ErrorCode::NotPermitted);
  return unitOr(d->desc->linkAt(oldPath, oldPathFlags & path_flags::kSymlinkFollow, *n->desc, newPath));
}

Expected<Rep, ErrorCode> WasiP2::openAt(Rep rep, uint8_t pathFlags, std::string_view path, uint8_t openFlags,
                                        uint8_t descriptorFlags) {
  using namespace open_flags;
  DescriptorRes* d = desc(rep);
  if (!d) return Rep(0);
  if (!d->desc->isDirectory()) return failCode<Rep>(ErrorCode::NotDirectory);
  // Never more than the directory has: write access, creation, truncation and mutate-directory need mutate-directory.
  if (!(d->flags & kMutateDirectory) &&
      ((openFlags & (kCreate | kTruncate)) || (descriptorFlags & (kWrite | kMutateDirectory))))
    return failCode<Rep>(ErrorCode::NotPermitted);
  host::OpenOptions o;
  o.read = descriptorFlags & kRead;
  o.write = descriptorFlags & kWrite;
  o.create = openFlags & kCreate;
  o.directory = openFlags & kDirectory;
  o.exclusive = openFlags & kExclusive;
  o.truncate = openFlags & kTruncate;
  o.sync = descriptorFlags & kFileIntegritySync;
  o.dsync = descriptorFlags & kDataIntegritySync;
  o.rsync = descriptorFlags & kRequestedWriteSync;
  o.followFinal = pathFlags & path_flags::kSymlinkFollow;
  if (o.truncate && !o.write) o.write = true;  // O_TRUNC needs write access on Linux
  host::Descriptor opened;
  if (int r = d->desc->openAt(path, o, opened); r != 0) return fail<Rep>(r);
  uint8_t flags = descriptorFlags & (kRead | kWrite | kFileIntegritySync | kDataIntegritySync |
                                     kRequestedWriteSync | kMutateDirectory);
  if (opened.isDirectory() && (d->flags & kMutateDirectory)) flags |= kMutateDirectory;
  if (opened.isDirectory()) flags |= kRead;
  return add(DescriptorRes{std::make_shared<host::Descriptor>(std::move(opened)), flags});
}

Expected<std::string, ErrorCode> WasiP2::readlinkAt(Rep rep, std::string_view path) {
  DescriptorRes* d = desc(rep);
  if (!d) return std::string();
  if (!d->desc->isDirectory()) return failCode<std::string>(ErrorCode::NotDirectory);
  std::string target;
  if (int r = d->desc->readlinkAt(path, SIZE_MAX, target); r != 0) return fail<std::string>(r);
  return target;
}

Expected<Unit, ErrorCode> WasiP2::removeDirectoryAt(Rep rep, std::string_view path) {
  DescriptorRes* d = desc(rep);
  if (!d) return Unit{};
  if (!d->desc->isDirectory()) return failCode<Unit>(ErrorCode::NotDirectory);
  if (!(d->flags & kMutateDirectory)) return failCode<Unit>(ErrorCode::NotPermitted);
  return unitOr(d->desc->removeDirectoryAt(path));
}

Expected<Unit, ErrorCode> WasiP2::renameAt(Rep rep, std::string_view oldPath, Rep newDescriptor,
                                           std::string_view newPath) {
  DescriptorRes* d = desc(rep);
  DescriptorRes* n = desc(newDescriptor);
  if (!d || !n) return Unit{};
  if (!d->desc->isDirectory() || !n->desc->isDirectory()) return failCode<Unit>(ErrorCode::NotDirectory);
  if (!(d->flags & kMutateDirectory) || !(n->flags & kMutateDirectory)) return failCode<Unit>(ErrorCode::NotPermitted);
  return unitOr(d->desc->renameAt(oldPath, *n->desc, newPath));
}

Expected<Unit, ErrorCode> WasiP2::symlinkAt(Rep rep, std::string_view oldPath, std::string_view newPath) {
  DescriptorRes* d = desc(rep);
  if (!d) return Unit{};
  if (!d->desc->isDirectory()) return failCode<Unit>(ErrorCode::NotDirectory);
  if (!(d->flags & kMutateDirectory)) return failCode<Unit>(ErrorCode::NotPermitted);
  return unitOr(d->desc->symlinkAt(oldPath, newPath));
}

Expected<Unit, ErrorCode> WasiP2::unlinkFileAt(Rep rep, std::string_view path) {
  DescriptorRes* d = desc(rep);
  if (!d) return Unit{};
  if (!d->desc->isDirectory()) return failCode<Unit>(ErrorCode::NotDirectory);
  if (!(d->flags & kMutateDirectory)) return failCode<Unit>(ErrorCode::NotPermitted);
  return unitOr(d->desc->unlinkFileAt(path));
}

bool WasiP2::isSameObject(Rep rep, Rep other) {
  DescriptorRes* a = desc(rep);
  DescriptorRes* b = desc(other);
  if (!a || !b) return false;
  struct stat sa, sb;
  if (a->desc->stat(sa) != 0 || b->desc->stat(sb) != 0) return false;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

Expected<MetadataHashValue, ErrorCode> WasiP2::metadataHash(Rep rep) {
  DescriptorRes* d = desc(rep);
  if (!d) return MetadataHashValue{};
  struct stat st;
  if (int r = d->desc->stat(st); r != 0) return fail<MetadataHashValue>(r);
  return hashOf(st);
}

Expected<MetadataHashValue, ErrorCode> WasiP2::metadataHashAt(Rep rep, uint8_t pathFlags, std::string_view path) {
  DescriptorRes* d = desc(rep);
  if (!d) return MetadataHashValue{};
  if (!d->desc->isDirectory()) return failCode<MetadataHashValue>(ErrorCode::NotDirectory);
  struct stat st;
  if (int r = d->desc->statAt(path, pathFlags & path_flags::kSymlinkFollow, st); r != 0)
    return fail<MetadataHashValue>(r);
  return hashOf(st);
}

std::optional<ErrorCode> WasiP2::filesystemErrorCode(Rep error) {
  ErrorRes* e = get<5>(error, "error");
  if (!e || !e->filesystem) return std::nullopt;
  return errorCodeFromHost(e->err);
}

}  // namespace myrt::wasi::p2
