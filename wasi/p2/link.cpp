// wasi/p2/link.cpp -- WASI 0.2 host functions over component values: one lambda per WIT function, arguments read
// from Val (borrow/own handles give reps), results built as Val (own results: Val::own(resource type, rep)); a trap
// recorded by WasiP2 (exit, bad reps, permits) becomes a host trap with its message.
// Layer: wasi/p2 (depends on runtime/component).
#include "wasi/p2/link.h"

#include <string>

namespace myrt::wasi::p2 {

using component::HostCall;
using component::HostInterface;
using component::Linker;
using component::ResourceType;
using component::Val;

namespace {

using binding::Args;
using binding::finish;
using binding::iface;

struct Types {
  ResourceType* pollable = nullptr;
  ResourceType* error = nullptr;
  ResourceType* input = nullptr;
  ResourceType* output = nullptr;
  ResourceType* descriptor = nullptr;
  ResourceType* dirStream = nullptr;
  ResourceType* termIn = nullptr;
  ResourceType* termOut = nullptr;
};

std::string_view strArg(const Val& v) { return v.str; }

Val bytesVal(const std::vector<uint8_t>& b) {
  return Val::bytes(std::string(reinterpret_cast<const char*>(b.data()), b.size()));
}

std::vector<uint8_t> bytesArg(const Val& v) {
  if (v.isBytes) return std::vector<uint8_t>(v.str.begin(), v.str.end());
  std::vector<uint8_t> out;
  out.reserve(v.elems.size());
  for (const Val& e : v.elems) out.push_back(static_cast<uint8_t>(e.bits));
  return out;
}

Val streamErr(const Types& t, const StreamError& e) {
  if (e.closed) return Val::variant(1);  // closed
  return Val::variant(0, Val::own(t.error, e.error));  // last-operation-failed(error)
}

template <class T, class F>
Val streamResult(const Types& t, const Expected<T, StreamError>& r, F okVal) {
  if (!r.ok()) return Val::err(streamErr(t, r.error()));
  return okVal(r.value());
}

template <class T, class F>
Val fsResult(const Expected<T, ErrorCode>& r, F okVal) {
  if (!r.ok()) return Val::err(Val::enumCase(static_cast<uint32_t>(r.error())));
  return okVal(r.value());
}

Val unitOk(const Unit&) { return Val::ok(); }

Val datetimeVal(const Datetime& d) { return Val::record({Val::u64(d.seconds), Val::u32(d.nanoseconds)}); }

Val optDatetime(const std::optional<Datetime>& d) { return d ? Val::some(datetimeVal(*d)) : Val::none(); }

Val statVal(const DescriptorStat& s) {
  return Val::record({Val::enumCase(static_cast<uint32_t>(s.type)), Val::u64(s.linkCount), Val::u64(s.size),
                      optDatetime(s.dataAccessTimestamp), optDatetime(s.dataModificationTimestamp),
                      optDatetime(s.statusChangeTimestamp)});
}

NewTimestamp newTimestampArg(const Val& v) {
  NewTimestamp n;
  n.kind = static_cast<NewTimestamp::Kind>(v.index);
  if (n.kind == NewTimestamp::Timestamp && v.payload() && v.payload()->elems.size() == 2) {
    n.time.seconds = v.payload()->elems[0].bits;
    n.time.nanoseconds = static_cast<uint32_t>(v.payload()->elems[1].bits);
  }
  return n;
}

Val hashVal(const MetadataHashValue& h) { return Val::record({Val::u64(h.lower), Val::u64(h.upper)}); }

uint8_t flagsArg(const Val& v) { return static_cast<uint8_t>(v.bits); }

void addCli(Linker& l, WasiP2* w, const Types& t) {
  HostInterface& env = l.define(iface("wasi:cli/environment"));
  env.func("get-environment", [w](HostCall&, Args, Val* r) {
    std::vector<Val> list;
    for (auto& [k, v] : w->getEnvironment()) list.push_back(Val::tuple({Val::string(k), Val::string(v)}));
    *r = Val::list(std::move(list));
    return TrapReason::None;
  });
  env.func("get-arguments", [w](HostCall&, Args, Val* r) {
    std::vector<Val> list;
    for (auto& a : w->getArguments()) list.push_back(Val::string(a));
    *r = Val::list(std::move(list));
    return TrapReason::None;
  });
  env.func("initial-cwd", [w](HostCall&, Args, Val* r) {
    auto cwd = w->initialCwd();
    *r = cwd ? Val::some(Val::string(*cwd)) : Val::none();
    return TrapReason::None;
  });
  l.define(iface("wasi:cli/exit")).func("exit", [w](HostCall& call, Args a, Val*) {
    w->exit(!a[0].isErr());
    return finish(call, *w);
  });
  l.define(iface("wasi:cli/stdin")).func("get-stdin", [w, t](HostCall& call, Args, Val* r) {
    *r = Val::own(t.input, w->getStdin());
    return finish(call, *w);
  });
  l.define(iface("wasi:cli/stdout")).func("get-stdout", [w, t](HostCall& call, Args, Val* r) {
    *r = Val::own(t.output, w->getStdout());
    return finish(call, *w);
  });
  l.define(iface("wasi:cli/stderr")).func("get-stderr", [w, t](HostCall& call, Args, Val* r) {
    *r = Val::own(t.output, w->getStderr());
    return finish(call, *w);
  });
  auto opt = [](ResourceType* rt, std::optional<Rep> rep) { return rep ? Val::some(Val::own(rt, *rep)) : Val::none(); };
  l.define(iface("wasi:cli/terminal-stdin")).func("get-terminal-stdin", [w, t, opt](HostCall& call, Args, Val* r) {
    *r = opt(t.termIn, w->getTerminalStdin());
    return finish(call, *w);
  });
  l.define(iface("wasi:cli/terminal-stdout")).func("get-terminal-stdout", [w, t, opt](HostCall& call, Args, Val* r) {
    *r = opt(t.termOut, w->getTerminalStdout());
    return finish(call, *w);
  });
  l.define(iface("wasi:cli/terminal-stderr")).func("get-terminal-stderr", [w, t, opt](HostCall& call, Args, Val* r) {
    *r = opt(t.termOut, w->getTerminalStderr());
    return finish(call, *w);
  });
}

void addIo(Linker& l, WasiP2* w, const Types& t) {
  HostInterface& err = l.define(iface("wasi:io/error"));
  err.func("[method]error.to-debug-string", [w](HostCall& call, Args a, Val* r) {
    *r = Val::string(w->errorToDebugString(a[0].rep()));
    return finish(call, *w);
  });
  HostInterface& poll = l.define(iface("wasi:io/poll"));
  poll.func("[method]pollable.ready", [w](HostCall& call, Args a, Val* r) {
    *r = Val::boolean(w->pollableReady(a[0].rep()));
    return finish(call, *w);
  });
  poll.func("[method]pollable.block", [w](HostCall& call, Args a, Val*) {
    w->pollableBlock(a[0].rep());
    return finish(call, *w);
  });
  poll.func("poll", [w](HostCall& call, Args a, Val* r) {
    std::vector<Rep> reps;
    for (const Val& v : a[0].elems) reps.push_back(v.rep());
    std::vector<Val> out;
    for (uint32_t i : w->poll(reps)) out.push_back(Val::u32(i));
    *r = Val::list(std::move(out));
    return finish(call, *w);
  });

  HostInterface& s = l.define(iface("wasi:io/streams"));
  auto bytesOk = [](const std::vector<uint8_t>& b) { return Val::ok(bytesVal(b)); };
  auto u64Ok = [](uint64_t n) { return Val::ok(Val::u64(n)); };
  s.func("[method]input-stream.read", [w, t, bytesOk](HostCall& call, Args a, Val* r) {
    *r = streamResult(t, w->read(a[0].rep(), a[1].asU64()), bytesOk);
    return finish(call, *w);
  });
  s.func("[method]input-stream.blocking-read", [w, t, bytesOk](HostCall& call, Args a, Val* r) {
    *r = streamResult(t, w->blockingRead(a[0].rep(), a[1].asU64()), bytesOk);
    return finish(call, *w);
  });
  s.func("[method]input-stream.skip", [w, t, u64Ok](HostCall& call, Args a, Val* r) {
    *r = streamResult(t, w->skip(a[0].rep(), a[1].asU64()), u64Ok);
    return finish(call, *w);
  });
  s.func("[method]input-stream.blocking-skip", [w, t, u64Ok](HostCall& call, Args a, Val* r) {
    *r = streamResult(t, w->blockingSkip(a[0].rep(), a[1].asU64()), u64Ok);
    return finish(call, *w);
  });
  s.func("[method]input-stream.subscribe", [w, t](HostCall& call, Args a, Val* r) {
    *r = Val::own(t.pollable, w->subscribeInput(a[0].rep()));
    return finish(call, *w);
  });
  s.func("[method]output-stream.check-write", [w, t, u64Ok](HostCall& call, Args a, Val* r) {
    *r = streamResult(t, w->checkWrite(a[0].rep()), u64Ok);
    return finish(call, *w);
  });
  s.func("[method]output-stream.write", [w, t](HostCall& call, Args a, Val* r) {
    *r = streamResult(t, w->write(a[0].rep(), bytesArg(a[1])), unitOk);
    return finish(call, *w);
  });
  s.func("[method]output-stream.blocking-write-and-flush", [w, t](HostCall& call, Args a, Val* r) {
    *r = streamResult(t, w->blockingWriteAndFlush(a[0].rep(), bytesArg(a[1])), unitOk);
    return finish(call, *w);
  });
  s.func("[method]output-stream.flush", [w, t](HostCall& call, Args a, Val* r) {
    *r = streamResult(t, w->flush(a[0].rep()), unitOk);
    return finish(call, *w);
  });
  s.func("[method]output-stream.blocking-flush", [w, t](HostCall& call, Args a, Val* r) {
    *r = streamResult(t, w->blockingFlush(a[0].rep()), unitOk);
    return finish(call, *w);
  });
  s.func("[method]output-stream.subscribe", [w, t](HostCall& call, Args a, Val* r) {
    *r = Val::own(t.pollable, w->subscribeOutput(a[0].rep()));
    return finish(call, *w);
  });
  s.func("[method]output-stream.write-zeroes", [w, t](HostCall& call, Args a, Val* r) {
    *r = streamResult(t, w->writeZeroes(a[0].rep(), a[1].asU64()), unitOk);
    return finish(call, *w);
  });
  s.func("[method]output-stream.blocking-write-zeroes-and-flush", [w, t](HostCall& call, Args a, Val* r) {
    *r = streamResult(t, w->blockingWriteZeroesAndFlush(a[0].rep(), a[1].asU64()), unitOk);
    return finish(call, *w);
  });
  s.func("[method]output-stream.splice", [w, t, u64Ok](HostCall& call, Args a, Val* r) {
    *r = streamResult(t, w->splice(a[0].rep(), a[1].rep(), a[2].asU64()), u64Ok);
    return finish(call, *w);
  });
  s.func("[method]output-stream.blocking-splice", [w, t, u64Ok](HostCall& call, Args a, Val* r) {
    *r = streamResult(t, w->blockingSplice(a[0].rep(), a[1].rep(), a[2].asU64()), u64Ok);
    return finish(call, *w);
  });
}

void addClocksRandom(Linker& l, WasiP2* w, const Types& t) {
  HostInterface& mono = l.define(iface("wasi:clocks/monotonic-clock"));
  mono.func("now", [w](HostCall&, Args, Val* r) {
    *r = Val::u64(w->monotonicNow());
    return TrapReason::None;
  });
  mono.func("resolution", [w](HostCall&, Args, Val* r) {
    *r = Val::u64(w->monotonicResolution());
    return TrapReason::None;
  });
  mono.func("subscribe-instant", [w, t](HostCall& call, Args a, Val* r) {
    *r = Val::own(t.pollable, w->subscribeInstant(a[0].asU64()));
    return finish(call, *w);
  });
  mono.func("subscribe-duration", [w, t](HostCall& call, Args a, Val* r) {
    *r = Val::own(t.pollable, w->subscribeDuration(a[0].asU64()));
    return finish(call, *w);
  });
  HostInterface& wall = l.define(iface("wasi:clocks/wall-clock"));
  wall.func("now", [w](HostCall&, Args, Val* r) {
    *r = datetimeVal(w->wallNow());
    return TrapReason::None;
  });
  wall.func("resolution", [w](HostCall&, Args, Val* r) {
    *r = datetimeVal(w->wallResolution());
    return TrapReason::None;
  });
  HostInterface& rnd = l.define(iface("wasi:random/random"));
  rnd.func("get-random-bytes", [w](HostCall& call, Args a, Val* r) {
    *r = bytesVal(w->getRandomBytes(a[0].asU64()));
    return finish(call, *w);
  });
  rnd.func("get-random-u64", [w](HostCall& call, Args, Val* r) {
    *r = Val::u64(w->getRandomU64());
    return finish(call, *w);
  });
  HostInterface& ins = l.define(iface("wasi:random/insecure"));
  ins.func("get-insecure-random-bytes", [w](HostCall& call, Args a, Val* r) {
    *r = bytesVal(w->getInsecureRandomBytes(a[0].asU64()));
    return finish(call, *w);
  });
  ins.func("get-insecure-random-u64", [w](HostCall&, Args, Val* r) {
    *r = Val::u64(w->getInsecureRandomU64());
    return TrapReason::None;
  });
  l.define(iface("wasi:random/insecure-seed")).func("insecure-seed", [w](HostCall&, Args, Val* r) {
    auto [a, b] = w->insecureSeed();
    *r = Val::tuple({Val::u64(a), Val::u64(b)});
    return TrapReason::None;
  });
}

void addFilesystem(Linker& l, WasiP2* w, const Types& t) {
  l.define(iface("wasi:filesystem/preopens")).func("get-directories", [w, t](HostCall& call, Args, Val* r) {
    std::vector<Val> list;
    for (auto& [rep, name] : w->getDirectories())
      list.push_back(Val::tuple({Val::own(t.descriptor, rep), Val::string(name)}));
    *r = Val::list(std::move(list));
    return finish(call, *w);
  });
  HostInterface& fs = l.define(iface("wasi:filesystem/types"));
  auto ownOk = [](ResourceType* rt) { return [rt](Rep rep) { return Val::ok(Val::own(rt, rep)); }; };
  auto m = [](const char* name) { return std::string("[method]descriptor.") + name; };
  fs.func(m("read-via-stream"), [w, ownOk, t](HostCall& call, Args a, Val* r) {
    *r = fsResult(w->readViaStream(a[0].rep(), a[1].asU64()), ownOk(t.input));
    return finish(call, *w);
  });
  fs.func(m("write-via-stream"), [w, ownOk, t](HostCall& call, Args a, Val* r) {
    *r = fsResult(w->writeViaStream(a[0].rep(), a[1].asU64()), ownOk(t.output));
    return finish(call, *w);
  });
  fs.func(m("append-via-stream"), [w, ownOk, t](HostCall& call, Args a, Val* r) {
    *r = fsResult(w->appendViaStream(a[0].rep()), ownOk(t.output));
    return finish(call, *w);
  });
  fs.func(m("advise"), [w](HostCall& call, Args a, Val* r) {
    *r = fsResult(w->advise(a[0].rep(), a[1].asU64(), a[2].asU64(), static_cast<Advice>(a[3].index)), unitOk);
    return finish(call, *w);
  });
  fs.func(m("sync-data"), [w](HostCall& call, Args a, Val* r) {
    *r = fsResult(w->syncData(a[0].rep()), unitOk);
    return finish(call, *w);
  });
  fs.func(m("get-flags"), [w](HostCall& call, Args a, Val* r) {
    *r = fsResult(w->getFlags(a[0].rep()), [](uint8_t f) { return Val::ok(Val::flags(f)); });
    return finish(call, *w);
  });
  fs.func(m("get-type"), [w](HostCall& call, Args a, Val* r) {
    *r = fsResult(w->getType(a[0].rep()),
                  [](DescriptorType d) { return Val::ok(Val::enumCase(static_cast<uint32_t>(d))); });
    return finish(call, *w);
  });
  fs.func(m("set-size"), [w](HostCall& call, Args a, Val* r) {
    *r = fsResult(w->setSize(a[0].rep(), a[1].asU64()), unitOk);
    return finish(call, *w);
  });
  fs.func(m("set-times"), [w](HostCall& call, Args a, Val* r) {
    *r = fsResult(w->setTimes(a[0].rep(), newTimestampArg(a[1]), newTimestampArg(a[2])), unitOk);
    return finish(call, *w);
  });
  fs.func(m("read"), [w](HostCall& call, Args a, Val* r) {
    *r = fsResult(w->readAt(a[0].rep(), a[1].asU64(), a[2].asU64()), [](const auto& p) {
      return Val::ok(Val::tuple({bytesVal(p.first), Val::boolean(p.second)}));
    });
    return finish(call, *w);
  });
  fs.func(m("write"), [w](HostCall& call, Args a, Val* r) {
    *r = fsResult(w->writeAt(a[0].rep(), bytesArg(a[1]), a[2].asU64()), [](uint64_t n) { return Val::ok(Val::u64(n)); });
    return finish(call, *w);
  });
  fs.func(m("read-directory"), [w, ownOk, t](HostCall& call, Args a, Val* r) {
    *r = fsResult(w->readDirectory(a[0].rep()), ownOk(t.dirStream));
    return finish(call, *w);
  });
  fs.func(m("sync"), [w](HostCall& call, Args a, Val* r) {
    *r = fsResult(w->sync(a[0].rep()), unitOk);
    return finish(call, *w);
  });
  fs.func(m("create-directory-at"), [w](HostCall& call, Args a, Val* r) {
    *r = fsResult(w->createDirectoryAt(a[0].rep(), strArg(a[1])), unitOk);
    return finish(call, *w);
  });
  auto statOk = [](const DescriptorStat& s) { return Val::ok(statVal(s)); };
  fs.func(m("stat"), [w, statOk](HostCall& call, Args a, Val* r) {
    *r = fsResult(w->stat(a[0].rep()), statOk);
    return finish(call, *w);
  });
  fs.func(m("stat-at"), [w, statOk](HostCall& call, Args a, Val* r) {
    *r = fsResult(w->statAt(a[0].rep(), flagsArg(a[1]), strArg(a[2])), statOk);
    return finish(call, *w);
  });
  fs.func(m("set-times-at"), [w](HostCall& call, Args a, Val* r) {
    *r = fsResult(w->setTimesAt(a[0].rep(), flagsArg(a[1]), strArg(a[2]), newTimestampArg(a[3]),
                                newTimestampArg(a[4])),
                  unitOk);
    return finish(call, *w);
  });
  fs.func(m("link-at"), [w](HostCall& call, Args a, Val* r) {
    *r = fsResult(w->linkAt(a[0].rep(), flagsArg(a[1]), strArg(a[2]), a[3].rep(), strArg(a[4])), unitOk);
    return finish(call, *w);
  });
  fs.func(m("open-at"), [w, ownOk, t](HostCall& call, Args a, Val* r) {
    *r = fsResult(w->openAt(a[0].rep(), flagsArg(a[1]), strArg(a[2]), flagsArg(a[3]), flagsArg(a[4])),
                  ownOk(t.descriptor));
    return finish(call, *w);
  });
  fs.func(m("readlink-at"), [w](HostCall& call, Args a, Val* r) {
    *r = fsResult(w->readlinkAt(a[0].rep(), strArg(a[1])), [](const std::string& s) { return Val::ok(Val::string(s)); });
    return finish(call, *w);
  });
  fs.func(m("remove-directory-at"), [w](HostCall& call, Args a, Val* r) {
    *r = fsResult(w->removeDirectoryAt(a[0].rep(), strArg(a[1])), unitOk);
    return finish(call, *w);
  });
  fs.func(m("rename-at"), [w](HostCall& call, Args a, Val* r) {
    *r = fsResult(w->renameAt(a[0].rep(), strArg(a[1]), a[2].rep(), strArg(a[3])), unitOk);
    return finish(call, *w);
  });
  fs.func(m("symlink-at"), [w](HostCall& call, Args a, Val* r) {
    *r = fsResult(w->symlinkAt(a[0].rep(), strArg(a[1]), strArg(a[2])), unitOk);
    return finish(call, *w);
  });
  fs.func(m("unlink-file-at"), [w](HostCall& call, Args a, Val* r) {
    *r = fsResult(w->unlinkFileAt(a[0].rep(), strArg(a[1])), unitOk);
    return finish(call, *w);
  });
  fs.func(m("is-same-object"), [w](HostCall& call, Args a, Val* r) {
    *r = Val::boolean(w->isSameObject(a[0].rep(), a[1].rep()));
    return finish(call, *w);
  });
  fs.func(m("metadata-hash"), [w](HostCall& call, Args a, Val* r) {
    *r = fsResult(w->metadataHash(a[0].rep()), [](const MetadataHashValue& h) { return Val::ok(hashVal(h)); });
    return finish(call, *w);
  });
  fs.func(m("metadata-hash-at"), [w](HostCall& call, Args a, Val* r) {
    *r = fsResult(w->metadataHashAt(a[0].rep(), flagsArg(a[1]), strArg(a[2])),
                  [](const MetadataHashValue& h) { return Val::ok(hashVal(h)); });
    return finish(call, *w);
  });
  fs.func("[method]directory-entry-stream.read-directory-entry", [w](HostCall& call, Args a, Val* r) {
    *r = fsResult(w->readDirectoryEntry(a[0].rep()), [](const std::optional<DirectoryEntry>& e) {
      if (!e) return Val::ok(Val::none());
      return Val::ok(Val::some(Val::record({Val::enumCase(static_cast<uint32_t>(e->type)), Val::string(e->name)})));
    });
    return finish(call, *w);
  });
  fs.func("filesystem-error-code", [w](HostCall& call, Args a, Val* r) {
    auto c = w->filesystemErrorCode(a[0].rep());
    *r = c ? Val::some(Val::enumCase(static_cast<uint32_t>(*c))) : Val::none();
    return finish(call, *w);
  });
}

}  // namespace

void addToLinker(Linker& linker, WasiP2& ctx) {
  WasiP2* w = &ctx;
  auto dtor = [w](WasiP2::Kind k) { return [w, k](uint32_t rep) { w->drop(k, rep); }; };
  Types t;
  t.pollable = linker.define(iface("wasi:io/poll")).resource("pollable", dtor(WasiP2::Kind::Pollable));
  t.error = linker.define(iface("wasi:io/error")).resource("error", dtor(WasiP2::Kind::Error));
  HostInterface& streams = linker.define(iface("wasi:io/streams"));
  t.input = streams.resource("input-stream", dtor(WasiP2::Kind::InputStream));
  t.output = streams.resource("output-stream", dtor(WasiP2::Kind::OutputStream));
  HostInterface& fs = linker.define(iface("wasi:filesystem/types"));
  t.descriptor = fs.resource("descriptor", dtor(WasiP2::Kind::Descriptor));
  t.dirStream = fs.resource("directory-entry-stream", dtor(WasiP2::Kind::DirectoryEntryStream));
  t.termIn = linker.define(iface("wasi:cli/terminal-input")).resource("terminal-input", dtor(WasiP2::Kind::TerminalInput));
  t.termOut =
      linker.define(iface("wasi:cli/terminal-output")).resource("terminal-output", dtor(WasiP2::Kind::TerminalOutput));
  addCli(linker, w, t);
  addIo(linker, w, t);
  addClocksRandom(linker, w, t);
  addFilesystem(linker, w, t);
}

}  // namespace myrt::wasi::p2
