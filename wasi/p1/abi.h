// wasi/p1/abi.h -- the wasi_snapshot_preview1 ABI as data: errno values, rights bits, flags, file types and the
// byte layouts of the structures the guest reads and writes (fdstat, filestat, dirent, prestat, subscription, event).
// Values follow the witx definitions of WASI preview1 (typenames.witx). Header-only.
// Layer: wasi/p1 (depends on nothing). Used by the host functions (wasi/p1/*.cpp) and the WASI tests.
#pragma once
#include <cstdint>

namespace myrt::wasi::abi {

// errno (u16)
constexpr uint16_t kSuccess = 0, k2big = 1, kAcces = 2, kAddrinuse = 3, kAddrnotavail = 4, kAfnosupport = 5;
constexpr uint16_t kAgain = 6, kAlready = 7, kBadf = 8, kBadmsg = 9, kBusy = 10, kCanceled = 11, kChild = 12;
constexpr uint16_t kConnaborted = 13, kConnrefused = 14, kConnreset = 15, kDeadlk = 16, kDestaddrreq = 17, kDom = 18;
constexpr uint16_t kDquot = 19, kExist = 20, kFault = 21, kFbig = 22, kHostunreach = 23, kIdrm = 24, kIlseq = 25;
constexpr uint16_t kInprogress = 26, kIntr = 27, kInval = 28, kIo = 29, kIsconn = 30, kIsdir = 31, kLoop = 32;
constexpr uint16_t kMfile = 33, kMlink = 34, kMsgsize = 35, kMultihop = 36, kNametoolong = 37, kNetdown = 38;
constexpr uint16_t kNetreset = 39, kNetunreach = 40, kNfile = 41, kNobufs = 42, kNodev = 43, kNoent = 44;
constexpr uint16_t kNoexec = 45, kNolck = 46, kNolink = 47, kNomem = 48, kNomsg = 49, kNoprotoopt = 50, kNospc = 51;
constexpr uint16_t kNosys = 52, kNotconn = 53, kNotdir = 54, kNotempty = 55, kNotrecoverable = 56, kNotsock = 57;
constexpr uint16_t kNotsup = 58, kNotty = 59, kNxio = 60, kOverflow = 61, kOwnerdead = 62, kPerm = 63, kPipe = 64;
constexpr uint16_t kProto = 65, kProtonosupport = 66, kPrototype = 67, kRange = 68, kRofs = 69, kSpipe = 70;
constexpr uint16_t kSrch = 71, kStale = 72, kTimedout = 73, kTxtbsy = 74, kXdev = 75, kNotcapable = 76;

// rights (u64 bit set)
namespace rights {
constexpr uint64_t kFdDatasync = 1ull << 0, kFdRead = 1ull << 1, kFdSeek = 1ull << 2,
                   kFdFdstatSetFlags = 1ull << 3, kFdSync = 1ull << 4, kFdTell = 1ull << 5, kFdWrite = 1ull << 6,
                   kFdAdvise = 1ull << 7, kFdAllocate = 1ull << 8, kPathCreateDirectory = 1ull << 9,
                   kPathCreateFile = 1ull << 10, kPathLinkSource = 1ull << 11, kPathLinkTarget = 1ull << 12,
                   kPathOpen = 1ull << 13, kFdReaddir = 1ull << 14, kPathReadlink = 1ull << 15,
                   kPathRenameSource = 1ull << 16, kPathRenameTarget = 1ull << 17, kPathFilestatGet = 1ull << 18,
                   kPathFilestatSetSize = 1ull << 19, kPathFilestatSetTimes = 1ull << 20,
                   kFdFilestatGet = 1ull << 21, kFdFilestatSetSize = 1ull << 22, kFdFilestatSetTimes = 1ull << 23,
                   kPathSymlink = 1ull << 24, kPathRemoveDirectory = 1ull << 25, kPathUnlinkFile = 1ull << 26,
                   kPollFdReadwrite = 1ull << 27, kSockShutdown = 1ull << 28, kSockAccept = 1ull << 29;
constexpr uint64_t kAll = (1ull << 30) - 1;
// What a regular file (or character device, pipe) can ever have.
constexpr uint64_t kFileBase = kFdDatasync | kFdRead | kFdSeek | kFdFdstatSetFlags | kFdSync | kFdTell | kFdWrite |
                               kFdAdvise | kFdAllocate | kFdFilestatGet | kFdFilestatSetSize | kFdFilestatSetTimes |
                               kPollFdReadwrite;
// What a directory can ever have (as base); its inheriting set is kDirBase | kFileBase.
constexpr uint64_t kDirBase = kFdFdstatSetFlags | kFdSync | kFdAdvise | kPathCreateDirectory | kPathCreateFile |
                              kPathLinkSource | kPathLinkTarget | kPathOpen | kFdReaddir | kPathReadlink |
                              kPathRenameSource | kPathRenameTarget | kPathFilestatGet | kPathFilestatSetSize |
                              kPathFilestatSetTimes | kFdFilestatGet | kFdFilestatSetTimes | kPathSymlink |
                              kPathRemoveDirectory | kPathUnlinkFile;
constexpr uint64_t kSocketBase = kFdRead | kFdWrite | kFdFdstatSetFlags | kFdFilestatGet | kPollFdReadwrite |
                                 kSockShutdown | kSockAccept;
// Rights that modify the file system (removed from read-only preopens and everything opened beneath them).
constexpr uint64_t kWriting = kFdDatasync | kFdWrite | kFdAllocate | kPathCreateDirectory | kPathCreateFile |
                              kPathLinkSource | kPathLinkTarget | kPathRenameSource | kPathRenameTarget |
                              kPathFilestatSetSize | kPathFilestatSetTimes | kFdFilestatSetSize |
                              kFdFilestatSetTimes | kPathSymlink | kPathRemoveDirectory | kPathUnlinkFile;
}  // namespace rights

// filetype (u8)
enum Filetype : uint8_t {
  kUnknown = 0, kBlockDevice = 1, kCharacterDevice = 2, kDirectory = 3, kRegularFile = 4, kSocketDgram = 5,
  kSocketStream = 6, kSymbolicLink = 7,
};

// fdflags (u16)
constexpr uint16_t kFdflagAppend = 1, kFdflagDsync = 2, kFdflagNonblock = 4, kFdflagRsync = 8, kFdflagSync = 16;
// oflags (u16)
constexpr uint16_t kOflagCreat = 1, kOflagDirectory = 2, kOflagExcl = 4, kOflagTrunc = 8;
// lookupflags (u32)
constexpr uint32_t kLookupSymlinkFollow = 1;
// fstflags (u16)
constexpr uint16_t kFstAtim = 1, kFstAtimNow = 2, kFstMtim = 4, kFstMtimNow = 8;
// whence (u8)
constexpr uint8_t kWhenceSet = 0, kWhenceCur = 1, kWhenceEnd = 2;
// clockid (u32)
constexpr uint32_t kClockRealtime = 0, kClockMonotonic = 1, kClockProcessCputime = 2, kClockThreadCputime = 3;
// advice (u8)
constexpr uint8_t kAdviceNormal = 0, kAdviceSequential = 1, kAdviceRandom = 2, kAdviceWillneed = 3,
                  kAdviceDontneed = 4, kAdviceNoreuse = 5;
// eventtype (u8), subclockflags (u16), eventrwflags (u16)
constexpr uint8_t kEventClock = 0, kEventFdRead = 1, kEventFdWrite = 2;
constexpr uint16_t kSubclockAbstime = 1;
constexpr uint16_t kEventFdReadwriteHangup = 1;
// riflags / roflags / siflags / sdflags
constexpr uint16_t kRiflagRecvPeek = 1, kRiflagRecvWaitall = 2;
constexpr uint16_t kRoflagRecvDataTruncated = 1;
constexpr uint8_t kSdflagRd = 1, kSdflagWr = 2;
// fdflags accepted by sock_accept
constexpr uint16_t kSockAcceptFlags = kFdflagNonblock;
// preopentype (u8)
constexpr uint8_t kPreopentypeDir = 0;

// Structure layouts (size, alignment 8 unless noted).
// iovec / ciovec: buf u32 @0, buf_len u32 @4 (size 8, align 4)
constexpr uint32_t kIovecSize = 8;
// fdstat: fs_filetype u8 @0, fs_flags u16 @2, fs_rights_base u64 @8, fs_rights_inheriting u64 @16
constexpr uint32_t kFdstatSize = 24;
// filestat: dev @0, ino @8, filetype u8 @16, nlink @24, size @32, atim @40, mtim @48, ctim @56
constexpr uint32_t kFilestatSize = 64;
// dirent: d_next @0, d_ino @8, d_namlen u32 @16, d_type u8 @20; the name follows the 24-byte header
constexpr uint32_t kDirentSize = 24;
// prestat: tag u8 @0, pr_name_len u32 @4 (size 8, align 4)
constexpr uint32_t kPrestatSize = 8;
// subscription: userdata @0, tag u8 @8, then the union @16: clock {id u32 @16, timeout u64 @24, precision u64 @32,
// flags u16 @40}; fd_readwrite {fd u32 @16}
constexpr uint32_t kSubscriptionSize = 48;
// event: userdata @0, error u16 @8, type u8 @10, fd_readwrite {nbytes u64 @16, flags u16 @24}
constexpr uint32_t kEventSize = 32;

}  // namespace myrt::wasi::abi
