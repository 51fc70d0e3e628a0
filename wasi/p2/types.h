// wasi/p2/types.h -- the WIT types of the WASI 0.2 command world as C++ (WIT 0.2.12, ../shared/wasi-p2/wit): enums in
// WIT case order (so a canonical-ABI discriminant is the enumerator's value), flags as bit sets in WIT order, records
// as structs, result<T, E> as Expected<T, E>. Resources are u32 reps into the context's ResourceTable (context.h).
// Layer: wasi/p2 (header only).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace myrt::wasi::p2 {

using Rep = uint32_t;  // a host resource's representation (handle tables of the guest map to it)

struct Unit {};

// result<T, E>
template <class T, class E>
class Expected {
 public:
  Expected(T v) : v_(std::in_place_index<0>, std::move(v)) {}  // NOLINT: implicit, like std::expected
  static Expected failure(E e) { return Expected(std::in_place_index<1>, std::move(e)); }
  bool ok() const { return v_.index() == 0; }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  const E& error() const { return std::get<1>(v_); }

 private:
  template <size_t I, class V>
  Expected(std::in_place_index_t<I> i, V&& v) : v_(i, std::forward<V>(v)) {}
  std::variant<T, E> v_;
};

// wasi:filesystem/types error-code
enum class ErrorCode : uint8_t {
  Access, WouldBlock, Already, BadDescriptor, Busy, Deadlock, Quota, Exist, FileTooLarge, IllegalByteSequence,
  InProgress, Interrupted, Invalid, Io, IsDirectory, Loop, TooManyLinks, MessageSize, NameTooLong, NoDevice, NoEntry,
  NoLock, InsufficientMemory, InsufficientSpace, NotDirectory, NotEmpty, NotRecoverable, Unsupported, NoTty,
  NoSuchDevice, Overflow, NotPermitted, Pipe, ReadOnly, InvalidSeek, TextFileBusy, CrossDevice,
};
const char* errorCodeName(ErrorCode c);

// wasi:io/streams stream-error: closed | last-operation-failed(own<error>)
struct StreamError {
  bool closed = false;
  Rep error = 0;  // when !closed: the error resource
};

enum class DescriptorType : uint8_t {
  Unknown, BlockDevice, CharacterDevice, Directory, Fifo, SymbolicLink, RegularFile, Socket,
};

namespace descriptor_flags {
constexpr uint8_t kRead = 1, kWrite = 2, kFileIntegritySync = 4, kDataIntegritySync = 8, kRequestedWriteSync = 16,
                  kMutateDirectory = 32;
}
namespace path_flags {
constexpr uint8_t kSymlinkFollow = 1;
}
namespace open_flags {
constexpr uint8_t kCreate = 1, kDirectory = 2, kExclusive = 4, kTruncate = 8;
}

// wasi:clocks/wall-clock datetime
struct Datetime {
  uint64_t seconds = 0;
  uint32_t nanoseconds = 0;
  bool operator==(const Datetime&) const = default;
};

struct DescriptorStat {
  DescriptorType type = DescriptorType::Unknown;
  uint64_t linkCount = 0;
  uint64_t size = 0;
  std::optional<Datetime> dataAccessTimestamp, dataModificationTimestamp, statusChangeTimestamp;
};

// new-timestamp: no-change | now | timestamp(datetime)
struct NewTimestamp {
  enum Kind : uint8_t { NoChange, Now, Timestamp } kind = NoChange;
  Datetime time;
};

struct DirectoryEntry {
  DescriptorType type = DescriptorType::Unknown;
  std::string name;
};

enum class Advice : uint8_t { Normal, Sequential, Random, WillNeed, DontNeed, NoReuse };

struct MetadataHashValue {
  uint64_t lower = 0, upper = 0;
  bool operator==(const MetadataHashValue&) const = default;
};

}  // namespace myrt::wasi::p2
