// wasi/p2/sockets_link.cpp -- the component-model binding of wasi:sockets 0.2.12 (network, instance-network, tcp,
// tcp-create-socket, udp, udp-create-socket, ip-name-lookup) over WasiSockets (sockets.h). TCP streams and every
// pollable use the wasi:io resource types addToLinker defined.
// Layer: wasi/p2 (depends on runtime/component).
#include "wasi/p2/sockets_link.h"

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

Val errVal(SockError e) { return Val::err(Val::enumCase(static_cast<uint32_t>(e))); }

template <class T, class F>
Val result(const Expected<T, SockError>& r, F okVal) {
  return r.ok() ? Val::ok(okVal(r.value())) : errVal(r.error());
}
Val unitResult(const Expected<Unit, SockError>& r) { return r.ok() ? Val::ok() : errVal(r.error()); }

Val ipAddressTuple(const IpEndpoint& e) {
  std::vector<Val> parts;
  if (e.v6)
    for (int i = 0; i < 8; ++i) parts.push_back(Val::u16(static_cast<uint16_t>(e.addr[2 * i] << 8 | e.addr[2 * i + 1])));
  else
    for (int i = 0; i < 4; ++i) parts.push_back(Val::u8(e.addr[i]));
  return Val::tuple(std::move(parts));
}

Val ipAddressVal(const SockAddr& a) { return Val::variant(a.ep.v6 ? 1 : 0, ipAddressTuple(a.ep)); }

Val socketAddressVal(const SockAddr& a) {
  if (a.ep.v6)
    return Val::variant(1, Val::record({Val::u16(a.ep.port), Val::u32(a.flowInfo), ipAddressTuple(a.ep),
                                        Val::u32(a.scopeId)}));
  return Val::variant(0, Val::record({Val::u16(a.ep.port), ipAddressTuple(a.ep)}));
}

SockAddr socketAddressArg(const Val& v) {
  SockAddr a;
  const Val* rec = v.payload();
  if (!rec) return a;
  a.ep.v6 = v.index == 1;
  if (!rec->elems.empty()) a.ep.port = static_cast<uint16_t>(rec->elems[0].bits);
  const Val* addr = rec->elems.size() > (a.ep.v6 ? 2u : 1u) ? &rec->elems[a.ep.v6 ? 2 : 1] : nullptr;
  if (addr) {
    if (a.ep.v6) {
      for (size_t i = 0; i < 8 && i < addr->elems.size(); ++i) {
        a.ep.addr[2 * i] = static_cast<uint8_t>(addr->elems[i].bits >> 8);
        a.ep.addr[2 * i + 1] = static_cast<uint8_t>(addr->elems[i].bits);
      }
    } else {
      for (size_t i = 0; i < 4 && i < addr->elems.size(); ++i) a.ep.addr[i] = static_cast<uint8_t>(addr->elems[i].bits);
    }
  }
  if (a.ep.v6 && rec->elems.size() >= 4) {
    a.flowInfo = static_cast<uint32_t>(rec->elems[1].bits);
    a.scopeId = static_cast<uint32_t>(rec->elems[3].bits);
  }
  return a;
}

std::vector<uint8_t> bytesArg(const Val& v) {
  if (v.isBytes) return std::vector<uint8_t>(v.str.begin(), v.str.end());
  std::vector<uint8_t> out;
  out.reserve(v.elems.size());
  for (const Val& e : v.elems) out.push_back(static_cast<uint8_t>(e.bits));
  return out;
}

struct SockTypes {
  ResourceType* network = nullptr;
  ResourceType* tcp = nullptr;
  ResourceType* udp = nullptr;
  ResourceType* incoming = nullptr;
  ResourceType* outgoing = nullptr;
  ResourceType* resolve = nullptr;
  ResourceType* pollable = nullptr;
  ResourceType* input = nullptr;
  ResourceType* output = nullptr;
};

const char* const kTcpOptions[] = {"keep-alive-enabled", "keep-alive-idle-time", "keep-alive-interval",
                                   "keep-alive-count", "hop-limit", "receive-buffer-size", "send-buffer-size"};

Val optionVal(int which, uint64_t v) {
  switch (which) {
    case 0: return Val::boolean(v != 0);
    case 3: return Val::u32(static_cast<uint32_t>(v));
    case 4: return Val::u8(static_cast<uint8_t>(v));
    default: return Val::u64(v);
  }
}

void addTcp(HostInterface& t, WasiP2* w, WasiSockets* s, const SockTypes& rt) {
  t.func("[method]tcp-socket.start-bind", [w, s](HostCall& call, Args a, Val* r) {
    *r = unitResult(s->tcpStartBind(a[0].rep(), socketAddressArg(a[2])));
    return finish(call, *w);
  });
  t.func("[method]tcp-socket.finish-bind", [w, s](HostCall& call, Args a, Val* r) {
    *r = unitResult(s->tcpFinishBind(a[0].rep()));
    return finish(call, *w);
  });
  t.func("[method]tcp-socket.start-connect", [w, s](HostCall& call, Args a, Val* r) {
    *r = unitResult(s->tcpStartConnect(a[0].rep(), socketAddressArg(a[2])));
    return finish(call, *w);
  });
  t.func("[method]tcp-socket.finish-connect", [w, s, rt](HostCall& call, Args a, Val* r) {
    *r = result(s->tcpFinishConnect(a[0].rep()), [&](const std::pair<Rep, Rep>& p) {
      return Val::tuple({Val::own(rt.input, p.first), Val::own(rt.output, p.second)});
    });
    return finish(call, *w);
  });
  t.func("[method]tcp-socket.start-listen", [w, s](HostCall& call, Args a, Val* r) {
    *r = unitResult(s->tcpStartListen(a[0].rep()));
    return finish(call, *w);
  });
  t.func("[method]tcp-socket.finish-listen", [w, s](HostCall& call, Args a, Val* r) {
    *r = unitResult(s->tcpFinishListen(a[0].rep()));
    return finish(call, *w);
  });
  t.func("[method]tcp-socket.accept", [w, s, rt](HostCall& call, Args a, Val* r) {
    *r = result(s->tcpAccept(a[0].rep()), [&](const WasiSockets::Accepted& x) {
      return Val::tuple({Val::own(rt.tcp, x.socket), Val::own(rt.input, x.in), Val::own(rt.output, x.out)});
    });
    return finish(call, *w);
  });
  t.func("[method]tcp-socket.local-address", [w, s](HostCall& call, Args a, Val* r) {
    *r = result(s->tcpLocalAddress(a[0].rep()), socketAddressVal);
    return finish(call, *w);
  });
  t.func("[method]tcp-socket.remote-address", [w, s](HostCall& call, Args a, Val* r) {
    *r = result(s->tcpRemoteAddress(a[0].rep()), socketAddressVal);
    return finish(call, *w);
  });
  t.func("[method]tcp-socket.is-listening", [w, s](HostCall& call, Args a, Val* r) {
    *r = Val::boolean(s->tcpIsListening(a[0].rep()));
    return finish(call, *w);
  });
  t.func("[method]tcp-socket.address-family", [w, s](HostCall& call, Args a, Val* r) {
    *r = Val::enumCase(s->tcpIsV6(a[0].rep()) ? 1 : 0);
    return finish(call, *w);
  });
  t.func("[method]tcp-socket.set-listen-backlog-size", [w, s](HostCall& call, Args a, Val* r) {
    *r = unitResult(s->tcpSetListenBacklogSize(a[0].rep(), a[1].asU64()));
    return finish(call, *w);
  });
  for (int i = 0; i < 7; ++i) {
    t.func(std::string("[method]tcp-socket.") + kTcpOptions[i], [w, s, i](HostCall& call, Args a, Val* r) {
      *r = result(s->tcpOption(a[0].rep(), i), [i](uint64_t v) { return optionVal(i, v); });
      return finish(call, *w);
    });
    t.func(std::string("[method]tcp-socket.set-") + kTcpOptions[i], [w, s, i](HostCall& call, Args a, Val* r) {
      *r = unitResult(s->tcpSetOption(a[0].rep(), i, a[1].bits));
      return finish(call, *w);
    });
  }
  t.func("[method]tcp-socket.subscribe", [w, s, rt](HostCall& call, Args a, Val* r) {
    *r = Val::own(rt.pollable, s->tcpSubscribe(a[0].rep()));
    return finish(call, *w);
  });
  t.func("[method]tcp-socket.shutdown", [w, s](HostCall& call, Args a, Val* r) {
    *r = unitResult(s->tcpShutdown(a[0].rep(), static_cast<int>(a[1].index)));
    return finish(call, *w);
  });
}

void addUdp(HostInterface& t, WasiP2* w, WasiSockets* s, const SockTypes& rt) {
  t.func("[method]udp-socket.start-bind", [w, s](HostCall& call, Args a, Val* r) {
    *r = unitResult(s->udpStartBind(a[0].rep(), socketAddressArg(a[2])));
    return finish(call, *w);
  });
  t.func("[method]udp-socket.finish-bind", [w, s](HostCall& call, Args a, Val* r) {
    *r = unitResult(s->udpFinishBind(a[0].rep()));
    return finish(call, *w);
  });
  t.func("[method]udp-socket.stream", [w, s, rt](HostCall& call, Args a, Val* r) {
    std::optional<SockAddr> remote;
    if (a[1].isSome() && a[1].payload()) remote = socketAddressArg(*a[1].payload());
    *r = result(s->udpStream(a[0].rep(), remote), [&](const std::pair<Rep, Rep>& p) {
      return Val::tuple({Val::own(rt.incoming, p.first), Val::own(rt.outgoing, p.second)});
    });
    return finish(call, *w);
  });
  t.func("[method]udp-socket.local-address", [w, s](HostCall& call, Args a, Val* r) {
    *r = result(s->udpLocalAddress(a[0].rep()), socketAddressVal);
    return finish(call, *w);
  });
  t.func("[method]udp-socket.remote-address", [w, s](HostCall& call, Args a, Val* r) {
    *r = result(s->udpRemoteAddress(a[0].rep()), socketAddressVal);
    return finish(call, *w);
  });
  t.func("[method]udp-socket.address-family", [w, s](HostCall& call, Args a, Val* r) {
    *r = Val::enumCase(s->udpIsV6(a[0].rep()) ? 1 : 0);
    return finish(call, *w);
  });
  const std::pair<const char*, int> kOptions[] = {
      {"unicast-hop-limit", 4}, {"receive-buffer-size", 5}, {"send-buffer-size", 6}};
  for (auto [name, i] : kOptions) {
    t.func(std::string("[method]udp-socket.") + name, [w, s, i](HostCall& call, Args a, Val* r) {
      *r = result(s->udpOption(a[0].rep(), i), [i](uint64_t v) { return optionVal(i, v); });
      return finish(call, *w);
    });
    t.func(std::string("[method]udp-socket.set-") + name, [w, s, i](HostCall& call, Args a, Val* r) {
      *r = unitResult(s->udpSetOption(a[0].rep(), i, a[1].bits));
      return finish(call, *w);
    });
  }
  t.func("[method]udp-socket.subscribe", [w, s, rt](HostCall& call, Args a, Val* r) {
    *r = Val::own(rt.pollable, s->udpSubscribe(a[0].rep()));
    return finish(call, *w);
  });
  t.func("[method]incoming-datagram-stream.receive", [w, s](HostCall& call, Args a, Val* r) {
    *r = result(s->udpReceive(a[0].rep(), a[1].asU64()), [](const std::vector<Datagram>& ds) {
      std::vector<Val> out;
      for (const Datagram& d : ds)
        out.push_back(Val::record({Val::bytes(std::string(d.data.begin(), d.data.end())), socketAddressVal(*d.remote)}));
      return Val::list(std::move(out));
    });
    return finish(call, *w);
  });
  t.func("[method]incoming-datagram-stream.subscribe", [w, s, rt](HostCall& call, Args a, Val* r) {
    *r = Val::own(rt.pollable, s->incomingSubscribe(a[0].rep()));
    return finish(call, *w);
  });
  t.func("[method]outgoing-datagram-stream.check-send", [w, s](HostCall& call, Args a, Val* r) {
    *r = result(s->udpCheckSend(a[0].rep()), [](uint64_t n) { return Val::u64(n); });
    return finish(call, *w);
  });
  t.func("[method]outgoing-datagram-stream.send", [w, s](HostCall& call, Args a, Val* r) {
    std::vector<Datagram> ds;
    for (const Val& d : a[1].elems) {
      Datagram g;
      if (!d.elems.empty()) g.data = bytesArg(d.elems[0]);
      if (d.elems.size() > 1 && d.elems[1].isSome() && d.elems[1].payload())
        g.remote = socketAddressArg(*d.elems[1].payload());
      ds.push_back(std::move(g));
    }
    *r = result(s->udpSend(a[0].rep(), ds), [](uint64_t n) { return Val::u64(n); });
    return finish(call, *w);
  });
  t.func("[method]outgoing-datagram-stream.subscribe", [w, s, rt](HostCall& call, Args a, Val* r) {
    *r = Val::own(rt.pollable, s->outgoingSubscribe(a[0].rep()));
    return finish(call, *w);
  });
}

}  // namespace

void addSocketsToLinker(Linker& linker, WasiP2& io, WasiSockets& sockets) {
  WasiP2* w = &io;
  WasiSockets* s = &sockets;
  auto dtor = [s](WasiSockets::Kind k) { return [s, k](uint32_t rep) { s->drop(k, rep); }; };
  SockTypes rt;
  HostInterface& net = linker.define(iface("wasi:sockets/network"));
  rt.network = net.resource("network", dtor(WasiSockets::Kind::Network));
  net.func("network-error-code", [w](HostCall& call, Args, Val* r) {
    *r = Val::none();  // (unstable) socket stream errors carry no sockets error-code here
    return finish(call, *w);
  });
  HostInterface& tcp = linker.define(iface("wasi:sockets/tcp"));
  rt.tcp = tcp.resource("tcp-socket", dtor(WasiSockets::Kind::TcpSocket));
  HostInterface& udp = linker.define(iface("wasi:sockets/udp"));
  rt.udp = udp.resource("udp-socket", dtor(WasiSockets::Kind::UdpSocket));
  rt.incoming = udp.resource("incoming-datagram-stream", dtor(WasiSockets::Kind::IncomingDatagramStream));
  rt.outgoing = udp.resource("outgoing-datagram-stream", dtor(WasiSockets::Kind::OutgoingDatagramStream));
  HostInterface& lookup = linker.define(iface("wasi:sockets/ip-name-lookup"));
  rt.resolve = lookup.resource("resolve-address-stream", dtor(WasiSockets::Kind::ResolveAddressStream));
  rt.pollable = linker.define(iface("wasi:io/poll")).resource("pollable");
  rt.input = linker.define(iface("wasi:io/streams")).resource("input-stream");
  rt.output = linker.define(iface("wasi:io/streams")).resource("output-stream");

  linker.define(iface("wasi:sockets/instance-network")).func("instance-network", [w, s, rt](HostCall& call, Args, Val* r) {
    *r = Val::own(rt.network, s->instanceNetwork());
    return finish(call, *w);
  });
  linker.define(iface("wasi:sockets/tcp-create-socket"))
      .func("create-tcp-socket", [w, s, rt](HostCall& call, Args a, Val* r) {
        *r = result(s->createTcpSocket(a[0].index == 1), [&](Rep x) { return Val::own(rt.tcp, x); });
        return finish(call, *w);
      });
  linker.define(iface("wasi:sockets/udp-create-socket"))
      .func("create-udp-socket", [w, s, rt](HostCall& call, Args a, Val* r) {
        *r = result(s->createUdpSocket(a[0].index == 1), [&](Rep x) { return Val::own(rt.udp, x); });
        return finish(call, *w);
      });
  addTcp(tcp, w, s, rt);
  addUdp(udp, w, s, rt);
  lookup.func("resolve-addresses", [w, s, rt](HostCall& call, Args a, Val* r) {
    *r = result(s->resolveAddresses(a[1].str), [&](Rep x) { return Val::own(rt.resolve, x); });
    return finish(call, *w);
  });
  lookup.func("[method]resolve-address-stream.resolve-next-address", [w, s](HostCall& call, Args a, Val* r) {
    *r = result(s->resolveNextAddress(a[0].rep()), [](const std::optional<SockAddr>& x) {
      return x ? Val::some(ipAddressVal(*x)) : Val::none();
    });
    return finish(call, *w);
  });
  lookup.func("[method]resolve-address-stream.subscribe", [w, s, rt](HostCall& call, Args a, Val* r) {
    *r = Val::own(rt.pollable, s->resolveSubscribe(a[0].rep()));
    return finish(call, *w);
  });
}

}  // namespace myrt::wasi::p2
