// tests/unit/wasi/wasi_sockets_test.cpp -- wasi:sockets on the host (wasi/p2/sockets.h) through its C++ face, and the
// socket grants of wasi/host/net.h: --allow-connect / --allow-bind parsing and matching, denial without a grant (no
// host socket), the WIT's state rules, errno -> error-code, and a TCP connection plus a UDP round trip on 127.0.0.1
// made entirely through WasiSockets (guest components on the loopback: tests/sockets).
// Layer: tests (wasi/p2).
#include <catch2/catch.hpp>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wasi/p2/context.h"
#include "wasi/p2/sockets.h"

using namespace myrt::wasi;
using namespace myrt::wasi::p2;

namespace {

struct Fixture {
  std::unique_ptr<WasiP2> io;
  std::unique_ptr<WasiSockets> s;
  explicit Fixture(NetworkGrants g = {}) {
    WasiConfig cfg;
    cfg.stdinFd = -1;
    auto made = WasiP2::create(cfg);
    REQUIRE(made.ok());
    io = std::move(*made);
    s = std::make_unique<WasiSockets>(*io, std::move(g));
  }
};

SockAddr loopback(uint16_t port) {
  SockAddr a;
  a.ep.addr[0] = 127;
  a.ep.addr[3] = 1;
  a.ep.port = port;
  return a;
}

IpEndpoint ep(std::initializer_list<uint8_t> b, uint16_t port) {
  IpEndpoint e;
  size_t i = 0;
  for (uint8_t x : b) e.addr[i++] = x;
  e.port = port;
  return e;
}

}  // namespace

TEST_CASE("--allow-connect / --allow-bind specs and matching", "[wasi][sockets][net]") {
  auto r = resolveEndpointSpec("127.0.0.1:8080");
  REQUIRE(r.ok());
  REQUIRE(r->size() == 1);
  CHECK(r->at(0) == ep({127, 0, 0, 1}, 8080));
  r = resolveEndpointSpec("[::1]:0");
  REQUIRE(r.ok());
  CHECK(r->at(0).v6);
  CHECK(r->at(0).addr[15] == 1);
  CHECK(r->at(0).port == 0);
  r = resolveEndpointSpec("localhost:53");  // a name: resolved now (/etc/hosts)
  REQUIRE(r.ok());
  CHECK_FALSE(r->empty());
  for (const char* bad : {"127.0.0.1", "127.0.0.1:", "127.0.0.1:70000", "[::1", "a b:1", ":80"}) {
    INFO(bad);
    CHECK_FALSE(resolveEndpointSpec(bad).ok());
  }

  NetworkGrants g;
  CHECK_FALSE(g.allowsSockets(false));  // nothing granted: no socket at all
  CHECK_FALSE(g.allowsConnect(ep({127, 0, 0, 1}, 80)));
  g.connect.push_back(ep({127, 0, 0, 1}, 80));
  g.bind.push_back(ep({0, 0, 0, 0}, 0));  // any IPv4 address, any port
  CHECK(g.allowsSockets(false));
  CHECK(g.allowsSockets(true));
  CHECK(g.allowsConnect(ep({127, 0, 0, 1}, 80)));
  CHECK_FALSE(g.allowsConnect(ep({127, 0, 0, 1}, 81)));
  CHECK_FALSE(g.allowsConnect(ep({127, 0, 0, 2}, 80)));
  CHECK(g.allowsBind(ep({127, 0, 0, 1}, 5000)));
  CHECK(g.allowsBind(ep({10, 1, 2, 3}, 0)));
  IpEndpoint v6 = ep({0}, 5000);
  v6.v6 = true;
  CHECK_FALSE(g.allowsBind(v6));  // the IPv4 wildcard does not cover IPv6
  g.tcp = false;
  CHECK_FALSE(g.allowsSockets(false));
  CHECK(g.allowsSockets(true));
  NetworkGrants all;
  all.inheritNetwork = true;
  CHECK(all.allowsConnect(ep({8, 8, 8, 8}, 53)));
  CHECK(all.allowsBind(v6));
}

TEST_CASE("wasi:sockets without a grant: access-denied, no host socket", "[wasi][sockets]") {
  Fixture f;
  auto t = f.s->createTcpSocket(false);
  REQUIRE_FALSE(t.ok());
  CHECK(t.error() == SockError::AccessDenied);
  auto u = f.s->createUdpSocket(true);
  REQUIRE_FALSE(u.ok());
  CHECK(u.error() == SockError::AccessDenied);
  auto l = f.s->resolveAddresses("localhost");
  REQUIRE_FALSE(l.ok());
  CHECK(l.error() == SockError::PermanentResolverFailure);
  CHECK(f.s->liveResources() == 0);
  CHECK_FALSE(f.io->takeTrap());
}

TEST_CASE("wasi:sockets tcp state rules and address checks", "[wasi][sockets]") {
  NetworkGrants g;
  g.connect.push_back(ep({127, 0, 0, 1}, 0));
  g.bind.push_back(ep({127, 0, 0, 1}, 0));
  Fixture f(g);
  auto t = f.s->createTcpSocket(false);
  REQUIRE(t.ok());
  Rep s = t.value();
  CHECK(f.s->tcpFinishBind(s).error() == SockError::NotInProgress);
  CHECK(f.s->tcpStartListen(s).error() == SockError::InvalidState);   // not bound
  CHECK(f.s->tcpAccept(s).error() == SockError::InvalidState);        // not listening
  CHECK(f.s->tcpLocalAddress(s).error() == SockError::InvalidState);
  CHECK(f.s->tcpShutdown(s, 2).error() == SockError::InvalidState);   // not connected
  CHECK(f.s->tcpStartConnect(s, loopback(0)).error() == SockError::InvalidArgument);     // port 0
  CHECK(f.s->tcpStartConnect(s, SockAddr{}).error() == SockError::InvalidArgument);      // 0.0.0.0
  SockAddr other = loopback(80);
  other.ep.addr[3] = 2;  // 127.0.0.2: not granted
  CHECK(f.s->tcpStartConnect(s, other).error() == SockError::AccessDenied);
  SockAddr v6;
  v6.ep.v6 = true;
  v6.ep.addr[15] = 1;
  v6.ep.port = 80;
  CHECK(f.s->tcpStartConnect(s, v6).error() == SockError::InvalidArgument);  // an IPv4 socket
  CHECK(f.s->tcpStartBind(s, SockAddr{}).error() == SockError::AccessDenied);  // 0.0.0.0 is not granted
  CHECK(f.s->tcpSetListenBacklogSize(s, 0).error() == SockError::InvalidArgument);
  CHECK(f.s->tcpSetOption(s, 5, 0).error() == SockError::InvalidArgument);  // receive-buffer-size 0
  CHECK(f.s->tcpSetOption(s, 0, 1).ok());                                   // keep-alive on
  CHECK(f.s->tcpOption(s, 0).value() == 1);
  CHECK(f.s->tcpSetOption(s, 1, 30'000'000'000ull).ok());                   // keep-alive-idle-time 30 s
  CHECK(f.s->tcpOption(s, 1).value() == 30'000'000'000ull);
  REQUIRE(f.s->tcpStartBind(s, loopback(0)).ok());
  CHECK(f.s->tcpStartBind(s, loopback(0)).error() == SockError::InvalidState);
  REQUIRE(f.s->tcpFinishBind(s).ok());
  auto local = f.s->tcpLocalAddress(s);
  REQUIRE(local.ok());
  CHECK(local.value().ep.port != 0);
  REQUIRE(f.s->tcpStartListen(s).ok());
  REQUIRE(f.s->tcpFinishListen(s).ok());
  CHECK(f.s->tcpIsListening(s));
  CHECK(f.s->tcpAccept(s).error() == SockError::WouldBlock);  // nobody connected yet

  // a client socket of the same context connects to it; the listener accepts
  auto c = f.s->createTcpSocket(false);
  REQUIRE(c.ok());
  REQUIRE(f.s->tcpStartConnect(c.value(), local.value()).ok());
  f.io->pollableBlock(f.s->tcpSubscribe(c.value()));  // connected (EPOLLOUT)
  auto streams = f.s->tcpFinishConnect(c.value());
  REQUIRE(streams.ok());
  f.io->pollableBlock(f.s->tcpSubscribe(s));
  auto a = f.s->tcpAccept(s);
  REQUIRE(a.ok());
  (void)f.io->write(streams.value().second, {'h', 'i'});  // no check-write permit yet: a trap
  REQUIRE(f.io->takeTrap());
  REQUIRE(f.io->checkWrite(streams.value().second).ok());
  REQUIRE(f.io->write(streams.value().second, {'h', 'i'}).ok());
  auto got = f.io->blockingRead(a.value().in, 10);
  REQUIRE(got.ok());
  CHECK(got.value() == std::vector<uint8_t>{'h', 'i'});
  REQUIRE(f.s->tcpShutdown(c.value(), 1).ok());  // send: the peer reads the end
  auto end = f.io->blockingRead(a.value().in, 10);
  REQUIRE_FALSE(end.ok());
  CHECK(end.error().closed);
  auto peer = f.s->tcpRemoteAddress(a.value().socket);
  REQUIRE(peer.ok());
  CHECK(peer.value().ep.addr[0] == 127);
  CHECK_FALSE(f.io->takeTrap());
}

TEST_CASE("wasi:sockets udp round trip and send rules", "[wasi][sockets]") {
  NetworkGrants g;
  g.inheritNetwork = true;
  Fixture f(g);
  auto a = f.s->createUdpSocket(false), b = f.s->createUdpSocket(false);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(f.s->udpStream(a.value(), std::nullopt).error() == SockError::InvalidState);  // not bound
  for (Rep u : {a.value(), b.value()}) {
    REQUIRE(f.s->udpStartBind(u, loopback(0)).ok());
    REQUIRE(f.s->udpFinishBind(u).ok());
  }
  auto bAddr = f.s->udpLocalAddress(b.value());
  REQUIRE(bAddr.ok());
  auto sa = f.s->udpStream(a.value(), std::nullopt);
  auto sb = f.s->udpStream(b.value(), std::nullopt);
  REQUIRE(sa.ok());
  REQUIRE(sb.ok());
  CHECK(f.s->udpSend(sa.value().second, {Datagram{{'x'}, std::nullopt}}).error() == SockError::InvalidArgument);
  REQUIRE(f.s->udpCheckSend(sa.value().second).value() > 0);
  auto sent = f.s->udpSend(sa.value().second, {Datagram{{'p', 'i', 'n', 'g'}, bAddr.value()}});
  REQUIRE(sent.ok());
  CHECK(sent.value() == 1);
  f.io->pollableBlock(f.s->incomingSubscribe(sb.value().first));
  auto got = f.s->udpReceive(sb.value().first, 4);
  REQUIRE(got.ok());
  REQUIRE(got.value().size() == 1);
  CHECK(got.value()[0].data == std::vector<uint8_t>{'p', 'i', 'n', 'g'});
  CHECK(got.value()[0].remote->ep.port == f.s->udpLocalAddress(a.value()).value().ep.port);
  CHECK(f.s->udpReceive(sb.value().first, 4).value().empty());  // nothing more: empty, not an error
  CHECK_FALSE(f.io->takeTrap());
}

TEST_CASE("errno -> wasi:sockets error-code", "[wasi][sockets]") {
  CHECK(sockErrorFromErrno(ECONNREFUSED) == SockError::ConnectionRefused);
  CHECK(sockErrorFromErrno(EADDRINUSE) == SockError::AddressInUse);
  CHECK(sockErrorFromErrno(EADDRNOTAVAIL) == SockError::AddressNotBindable);
  CHECK(sockErrorFromErrno(EAGAIN) == SockError::WouldBlock);
  CHECK(sockErrorFromErrno(ECONNRESET) == SockError::ConnectionReset);
  CHECK(sockErrorFromErrno(EHOSTUNREACH) == SockError::RemoteUnreachable);
  CHECK(sockErrorFromErrno(EMFILE) == SockError::NewSocketLimit);
  CHECK(sockErrorFromErrno(12345) == SockError::Unknown);
  CHECK(std::string(sockErrorName(SockError::PermanentResolverFailure)) == "permanent-resolver-failure");
}

TEST_CASE("wasi:sockets tcp over IPv6 loopback", "[wasi][sockets]") {
  {  // the host must have ::1 (some containers have no IPv6): said, not failed
    int probe = socket(AF_INET6, SOCK_STREAM, 0);
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    const bool ok = probe >= 0 && bind(probe, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    if (probe >= 0) close(probe);
    if (!ok) {
      WARN("no IPv6 loopback on this host: the IPv6 case did not run");
      return;
    }
  }
  NetworkGrants g;
  IpEndpoint any6;
  any6.v6 = true;  // [::]:0 -- any IPv6 address, any port
  g.bind.push_back(any6);
  g.connect.push_back(any6);
  Fixture f(g);
  SockAddr lo;
  lo.ep.v6 = true;
  lo.ep.addr[15] = 1;
  auto l = f.s->createTcpSocket(true);
  REQUIRE(l.ok());
  CHECK(f.s->tcpIsV6(l.value()));
  CHECK(f.s->tcpStartBind(l.value(), loopback(0)).error() == SockError::InvalidArgument);  // an IPv4 address
  REQUIRE(f.s->tcpStartBind(l.value(), lo).ok());
  REQUIRE(f.s->tcpFinishBind(l.value()).ok());
  REQUIRE(f.s->tcpStartListen(l.value()).ok());
  REQUIRE(f.s->tcpFinishListen(l.value()).ok());
  auto local = f.s->tcpLocalAddress(l.value());
  REQUIRE(local.ok());
  CHECK(local.value().ep.v6);
  CHECK(local.value().ep.addr[15] == 1);
  auto c = f.s->createTcpSocket(true);
  REQUIRE(c.ok());
  REQUIRE(f.s->tcpStartConnect(c.value(), local.value()).ok());
  f.io->pollableBlock(f.s->tcpSubscribe(c.value()));
  auto streams = f.s->tcpFinishConnect(c.value());
  REQUIRE(streams.ok());
  f.io->pollableBlock(f.s->tcpSubscribe(l.value()));
  auto a = f.s->tcpAccept(l.value());
  REQUIRE(a.ok());
  REQUIRE(f.io->checkWrite(a.value().out).ok());
  REQUIRE(f.io->write(a.value().out, {'v', '6'}).ok());
  auto got = f.io->blockingRead(streams.value().first, 10);
  REQUIRE(got.ok());
  CHECK(got.value() == std::vector<uint8_t>{'v', '6'});
  auto peer = f.s->tcpRemoteAddress(c.value());
  REQUIRE(peer.ok());
  CHECK(peer.value().ep.v6);
  CHECK(peer.value().ep.port == local.value().ep.port);
  CHECK_FALSE(f.io->takeTrap());
}
