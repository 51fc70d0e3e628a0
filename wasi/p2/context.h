// wasi/p2/context.h -- WASI 0.2: the interfaces `wasi:cli/command` imports, implemented over wasi/host with the same
// capabilities as preview1 (the WasiConfig's args, env, preopens (read-only ones without mutate-directory), stdio).
// One method per WIT function, with the WIT types of types.h; resources are host reps in a ResourceTable (own<T>
// results create one, borrow<T> parameters name one, drop() ends one).
//
// Binding to the component model: a thin adapter (one host function per WIT function, lifting parameters and lowering
// results with the canonical ABI) calls these methods; it maps the guest's handles to reps. A method that must trap
// (exit, an unknown or wrongly typed rep, poll of an empty list, a write beyond check-write's permit) records the
// trap in takeTrap() and returns a default value: the adapter turns it into a host trap. exit() records the exit
// code (exitCode()) and traps with kExitTrap, as preview1's proc_exit does.
// Layer: wasi/p2 (depends on wasi/host).
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "runtime/base/result.h"
#include "wasi/host/clock_random.h"
#include "wasi/host/config.h"
#include "wasi/host/descriptor.h"
#include "wasi/host/poll.h"
#include "wasi/host/stream.h"
#include "wasi/p2/table.h"
#include "wasi/p2/types.h"

namespace myrt::wasi::p2 {

constexpr const char* kExitTrap = "wasi proc_exit";  // the same text as preview1's exit unwinding
constexpr uint64_t kMaxBlockingWrite = 4096;           // blocking-write-and-flush accepts at most this many bytes

// Host errno (or host::kNotCapable) -> error-code.
ErrorCode errorCodeFromHost(int e);

class WasiP2 {
 public:
  static Result<std::unique_ptr<WasiP2>> create(const WasiConfig& config);

  // ---- wasi:cli ----
  std::vector<std::pair<std::string, std::string>> getEnvironment() const { return env_; }
  std::vector<std::string> getArguments() const { return args_; }
  std::optional<std::string> initialCwd() const { return std::nullopt; }
  void exit(bool ok);  // result<_, _>; always traps (kExitTrap)
  Rep getStdin();      // own<input-stream>
  Rep getStdout();     // own<output-stream>
  Rep getStderr();
  std::optional<Rep> getTerminalStdin();  // some(terminal-input) only when the host fd is a terminal
  std::optional<Rep> getTerminalStdout();
  std::optional<Rep> getTerminalStderr();

  // ---- wasi:io/error, poll, streams ----
  std::string errorToDebugString(Rep error);
  bool pollableReady(Rep pollable);
  void pollableBlock(Rep pollable);
  std::vector<uint32_t> poll(const std::vector<Rep>& pollables);

  Expected<std::vector<uint8_t>, StreamError> read(Rep in, uint64_t len);
  Expected<std::vector<uint8_t>, StreamError> blockingRead(Rep in, uint64_t len);
  Expected<uint64_t, StreamError> skip(Rep in, uint64_t len);
  Expected<uint64_t, StreamError> blockingSkip(Rep in, uint64_t len);
  Rep subscribeInput(Rep in);

  Expected<uint64_t, StreamError> checkWrite(Rep out);
  Expected<Unit, StreamError> write(Rep out, const std::vector<uint8_t>& contents);
  Expected<Unit, StreamError> blockingWriteAndFlush(Rep out, const std::vector<uint8_t>& contents);
  Expected<Unit, StreamError> flush(Rep out);
  Expected<Unit, StreamError> blockingFlush(Rep out);
  Expected<Unit, StreamError> writeZeroes(Rep out, uint64_t len);
  Expected<Unit, StreamError> blockingWriteZeroesAndFlush(Rep out, uint64_t len);
  Expected<uint64_t, StreamError> splice(Rep out, Rep in, uint64_t len);
  Expected<uint64_t, StreamError> blockingSplice(Rep out, Rep in, uint64_t len);
  Rep subscribeOutput(Rep out);

  // ---- wasi:clocks ----
  uint64_t monotonicNow() const;
  uint64_t monotonicResolution() const;
  Rep subscribeInstant(uint64_t when);
  Rep subscribeDuration(uint64_t ns);
  Datetime wallNow() const;
  Datetime wallResolution() const;

  // ---- wasi:random ----
  std::vector<uint8_t> getRandomBytes(uint64_t len);
  uint64_t getRandomU64();
  std::vector<uint8_t> getInsecureRandomBytes(uint64_t len);
  uint64_t getInsecureRandomU64();
  std::pair<uint64_t, uint64_t> insecureSeed() const { return insecure_.seed(); }

  // ---- wasi:filesystem/preopens, types ----
  std::vector<std::pair<Rep, std::string>> getDirectories();  // new own<descriptor> handles each call
  Expected<Rep, ErrorCode> readViaStream(Rep d, uint64_t offset);
  Expected<Rep, ErrorCode> writeViaStream(Rep d, uint64_t offset);
  Expected<Rep, ErrorCode> appendViaStream(Rep d);
  Expected<Unit, ErrorCode> advise(Rep d, uint64_t offset, uint64_t length, Advice advice);
  Expected<Unit, ErrorCode> syncData(Rep d);
  Expected<uint8_t, ErrorCode> getFlags(Rep d);
  Expected<DescriptorType, ErrorCode> getType(Rep d);
  Expected<Unit, ErrorCode> setSize(Rep d, uint64_t size);
  Expected<Unit, ErrorCode> setTimes(Rep d, NewTimestamp atime, NewTimestamp mtime);
  Expected<std::pair<std::vector<uint8_t>, bool>, ErrorCode> readAt(Rep d, uint64_t length, uint64_t offset);
  Expected<uint64_t, ErrorCode> writeAt(Rep d, const std::vector<uint8_t>& buffer, uint64_t offset);
  Expected<Rep, ErrorCode> readDirectory(Rep d);
  Expected<Unit, ErrorCode> sync(Rep d);
  Expected<Unit, ErrorCode> createDirectoryAt(Rep d, std::string_view path);
  Expected<DescriptorStat, ErrorCode> stat(Rep d);
  Expected<DescriptorStat, ErrorCode> statAt(Rep d, uint8_t pathFlags, std::string_view path);
  Expected<Unit, ErrorCode> setTimesAt(Rep d, uint8_t pathFlags, std::string_view path, NewTimestamp atime,
                                       NewTimestamp mtime);
  Expected<Unit, ErrorCode> linkAt(Rep d, uint8_t oldPathFlags, std::string_view oldPath, Rep newDescriptor,
                                   std::string_view newPath);
  Expected<Rep, ErrorCode> openAt(Rep d, uint8_t pathFlags, std::string_view path, uint8_t openFlags,
                                  uint8_t descriptorFlags);
  Expected<std::string, ErrorCode> readlinkAt(Rep d, std::string_view path);
  Expected<Unit, ErrorCode> removeDirectoryAt(Rep d, std::string_view path);
  Expected<Unit, ErrorCode> renameAt(Rep d, std::string_view oldPath, Rep newDescriptor, std::string_view newPath);
  Expected<Unit, ErrorCode> symlinkAt(Rep d, std::string_view oldPath, std::string_view newPath);
  Expected<Unit, ErrorCode> unlinkFileAt(Rep d, std::string_view path);
  bool isSameObject(Rep d, Rep other);
  Expected<MetadataHashValue, ErrorCode> metadataHash(Rep d);
  Expected<MetadataHashValue, ErrorCode> metadataHashAt(Rep d, uint8_t pathFlags, std::string_view path);
  Expected<std::optional<DirectoryEntry>, ErrorCode> readDirectoryEntry(Rep stream);
  std::optional<ErrorCode> filesystemErrorCode(Rep error);
  // wasi:http/types http-error-code: the error-code case of an error raised by an outgoing request's body stream.
  std::optional<uint32_t> httpErrorCode(Rep error);

  // ---- resources and traps ----
  enum class Kind : uint8_t {
    Descriptor, DirectoryEntryStream, InputStream, OutputStream, Pollable, Error, TerminalInput, TerminalOutput,
  };
  // resource.drop of an own handle (unknown rep or wrong kind: a trap).
  void drop(Kind kind, Rep rep);
  size_t liveResources() const;
  // Streams and pollables made by other interfaces on this table (wasi:http bodies): own handles of the guest.
  Rep addInputStream(std::shared_ptr<host::InputStream> s) { return add(std::move(s)); }
  Rep addOutputStream(std::shared_ptr<host::OutputStream> s) { return add(OutputRes{std::move(s), 0}); }
  Rep addPollable(std::shared_ptr<host::Pollable> p) { return add(std::move(p)); }
  // Forgets every resource and the recorded trap/exit (a server reuses one context for request after request: the
  // guest's instance that held the handles is gone). Preopens, args, env and stdio stay.
  void reset();
  // The store's interrupt (runtime/exec InterruptFlag): blocking waits (poll, blocking reads/writes) end when it is
  // requested, so a timed-out guest is not stuck in the host.
  void setInterrupt(host::Interrupt i) { poller_.setInterrupt(i); }
  // A trap raised by another interface bound to this context (recorded like this class's own).
  void recordTrap(std::string msg) { setTrap(std::move(msg)); }
  std::optional<std::string> takeTrap() { return std::exchange(trap_, std::nullopt); }
  std::optional<uint32_t> exitCode() const { return exitCode_; }

 private:
  struct DescriptorRes {
    std::shared_ptr<host::Descriptor> desc;
    uint8_t flags = 0;  // descriptor-flags granted
  };
  struct DirStreamRes {
    std::vector<host::DirEntry> entries;
    size_t next = 0;
  };
  struct OutputRes {
    std::shared_ptr<host::OutputStream> s;
    uint64_t permit = 0;  // what the last check-write allowed and write has not used
  };
  struct ErrorRes {
    int err = 0;
    bool filesystem = false;  // raised by a filesystem stream: filesystem-error-code knows it
  };
  struct TerminalInRes {};
  struct TerminalOutRes {};
  using Entry = std::variant<DescriptorRes, DirStreamRes, std::shared_ptr<host::InputStream>, OutputRes,
                             std::shared_ptr<host::Pollable>, ErrorRes, TerminalInRes, TerminalOutRes>;  // index = Kind

  WasiP2() = default;
  Rep add(Entry e) { return table_.add(std::move(e)); }
  template <size_t I>
  std::variant_alternative_t<I, Entry>* get(Rep rep, const char* what) {
    auto* e = table_.template find<I>(rep);
    if (!e) setTrap(std::string("unknown handle: not a ") + what);
    return e;
  }
  DescriptorRes* desc(Rep rep) { return get<0>(rep, "descriptor"); }
  StreamError streamError(int err, bool filesystem);
  void setTrap(std::string msg) {
    if (!trap_) trap_ = std::move(msg);
  }
  Expected<Rep, ErrorCode> makeStream(Rep d, uint64_t offset, int mode);

  std::vector<std::string> args_;
  std::vector<std::pair<std::string, std::string>> env_;
  struct Preopened {
    std::shared_ptr<host::Descriptor> desc;
    std::string name;
  };
  std::vector<Preopened> preopens_;
  std::shared_ptr<host::Descriptor> stdin_, stdout_, stderr_;
  ResourceTable<Entry> table_;
  host::Poller poller_;
  host::InsecureRandom insecure_;
  std::optional<std::string> trap_;
  std::optional<uint32_t> exitCode_;
};

}  // namespace myrt::wasi::p2
