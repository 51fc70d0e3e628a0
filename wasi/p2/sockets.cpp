// wasi/p2/sockets.cpp -- wasi:sockets on non-blocking host sockets (see sockets.h).
// Layer: wasi/p2.
#include "wasi/p2/sockets.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <mutex>
#include <thread>

namespace myrt::wasi::p2 {

namespace {

using host::SocketFd;

template <class T>
Expected<T, SockError> fail(SockError e) {
  return Expected<T, SockError>::failure(e);
}
template <class T>
Expected<T, SockError> failErrno(int e) {
  return Expected<T, SockError>::failure(sockErrorFromErrno(e));
}

socklen_t toSockaddr(const SockAddr& a, sockaddr_storage& ss) {
  std::memset(&ss, 0, sizeof ss);
  if (a.ep.v6) {
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(a.ep.port);
    s6->sin6_flowinfo = htonl(a.flowInfo);
    s6->sin6_scope_id = a.scopeId;
    std::memcpy(&s6->sin6_addr, a.ep.addr, 16);
    return sizeof(sockaddr_in6);
  }
  auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
  s4->sin_family = AF_INET;
  s4->sin_port = htons(a.ep.port);
  std::memcpy(&s4->sin_addr, a.ep.addr, 4);
  return sizeof(sockaddr_in);
}

SockAddr fromSockaddr(const sockaddr_storage& ss) {
  SockAddr a;
  if (ss.ss_family == AF_INET6) {
    auto* s6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    a.ep.v6 = true;
    a.ep.port = ntohs(s6->sin6_port);
    a.flowInfo = ntohl(s6->sin6_flowinfo);
    a.scopeId = s6->sin6_scope_id;
    std::memcpy(a.ep.addr, &s6->sin6_addr, 16);
  } else {
    auto* s4 = reinterpret_cast<const sockaddr_in*>(&ss);
    a.ep.port = ntohs(s4->sin_port);
    std::memcpy(a.ep.addr, &s4->sin_addr, 4);
  }
  return a;
}

bool unspecified(const SockAddr& a) {
  static const uint8_t kZero[16] = {};
  return std::memcmp(a.ep.addr, kZero, a.ep.v6 ? 16 : 4) == 0;
}

// A socket of the guest: non-blocking, close-on-exec; IPv6 ones IPv6-only (as wasmtime).
int makeSocket(int type, bool v6) {
  int fd = socket(v6 ? AF_INET6 : AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd >= 0 && v6) {
    int one = 1;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  }
  return fd;
}

Expected<SockAddr, SockError> socketAddress(int fd, bool peer) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if ((peer ? getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len)
            : getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len)) != 0)
    return failErrno<SockAddr>(errno);
  return fromSockaddr(ss);
}

// A pollable on a socket fd (keeps the fd open).
class SocketPollable final : public host::Pollable {
 public:
  SocketPollable(std::shared_ptr<SocketFd> fd, uint32_t events) : fd_(std::move(fd)), events_(events) {}
  host::Wait wait() const override { return events_ ? host::Wait::forFd(fd_->fd(), events_) : host::Wait::ready(); }

 private:
  std::shared_ptr<SocketFd> fd_;
  uint32_t events_;
};

Expected<Unit, SockError> bindTo(int fd, const SockAddr& local, bool tcp) {
  if (tcp) {  // rebinding a port in TIME_WAIT, as wasmtime does
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  }
  sockaddr_storage ss;
  socklen_t len = toSockaddr(local, ss);
  if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0)
    return failErrno<Unit>(errno == EADDRNOTAVAIL ? EADDRNOTAVAIL : errno);
  return Unit{};
}

}  // namespace

SockError sockErrorFromErrno(int e) {
  switch (e) {
    case EACCES: case EPERM: return SockError::AccessDenied;
    case EAFNOSUPPORT: case EOPNOTSUPP: case ENOPROTOOPT: case EPROTONOSUPPORT: return SockError::NotSupported;
    case EINVAL: case EDESTADDRREQ: return SockError::InvalidArgument;
    case ENOMEM: case ENOBUFS: return SockError::OutOfMemory;
    case ETIMEDOUT: return SockError::Timeout;
    case EALREADY: return SockError::ConcurrencyConflict;
    case EAGAIN: case EINPROGRESS: return SockError::WouldBlock;
    case EISCONN: case ENOTCONN: return SockError::InvalidState;
    case EMFILE: case ENFILE: return SockError::NewSocketLimit;
    case EADDRNOTAVAIL: return SockError::AddressNotBindable;
    case EADDRINUSE: return SockError::AddressInUse;
    case EHOSTUNREACH: case ENETUNREACH: case ENETDOWN: return SockError::RemoteUnreachable;
    case ECONNREFUSED: return SockError::ConnectionRefused;
    case ECONNRESET: case EPIPE: return SockError::ConnectionReset;
    case ECONNABORTED: return SockError::ConnectionAborted;
    case EMSGSIZE: return SockError::DatagramTooLarge;
    default: return SockError::Unknown;
  }
}

const char* sockErrorName(SockError e) {
  static const char* const kNames[] = {
      "unknown", "access-denied", "not-supported", "invalid-argument", "out-of-memory", "timeout",
      "concurrency-conflict", "not-in-progress", "would-block", "invalid-state", "new-socket-limit",
      "address-not-bindable", "address-in-use", "remote-unreachable", "connection-refused", "connection-reset",
      "connection-aborted", "datagram-too-large", "name-unresolvable", "temporary-resolver-failure",
      "permanent-resolver-failure"};
  return kNames[static_cast<size_t>(e)];
}

void WasiSockets::drop(Kind kind, Rep rep) {
  if (!table_.erase(rep, size_t(kind))) io_.recordTrap("unknown handle dropped");
}

Rep WasiSockets::instanceNetwork() { return table_.add(NetworkRes{}); }

// ---------------------------------------------------------------------------------------------------------------
// tcp

WasiSockets::R<Rep> WasiSockets::createTcpSocket(bool v6) {
  if (!grants_.allowsSockets(false)) return fail<Rep>(SockError::AccessDenied);
  int fd = makeSocket(SOCK_STREAM, v6);
  if (fd < 0) return failErrno<Rep>(errno);
  TcpRes t;
  t.fd = std::make_shared<SocketFd>(fd);
  t.v6 = v6;
  return table_.add(std::move(t));
}

WasiSockets::R<Unit> WasiSockets::tcpStartBind(Rep s, const SockAddr& local) {
  TcpRes* t = tcp(s);
  if (!t) return fail<Unit>(SockError::Unknown);
  if (t->state != TcpState::Unbound) return fail<Unit>(SockError::InvalidState);
  if (local.ep.v6 != t->v6) return fail<Unit>(SockError::InvalidArgument);
  if (!grants_.allowsBind(local.ep)) return fail<Unit>(SockError::AccessDenied);
  auto r = bindTo(t->fd->fd(), local, true);
  if (!r.ok()) return r;
  t->state = TcpState::BindStarted;
  return Unit{};
}

WasiSockets::R<Unit> WasiSockets::tcpFinishBind(Rep s) {
  TcpRes* t = tcp(s);
  if (!t) return fail<Unit>(SockError::Unknown);
  if (t->state != TcpState::BindStarted) return fail<Unit>(SockError::NotInProgress);
  t->state = TcpState::Bound;
  return Unit{};
}

WasiSockets::R<Unit> WasiSockets::tcpStartConnect(Rep s, const SockAddr& remote) {
  TcpRes* t = tcp(s);
  if (!t) return fail<Unit>(SockError::Unknown);
  if (t->state != TcpState::Unbound && t->state != TcpState::Bound) return fail<Unit>(SockError::InvalidState);
  if (remote.ep.v6 != t->v6 || remote.ep.port == 0 || unspecified(remote))
    return fail<Unit>(SockError::InvalidArgument);
  if (!grants_.allowsConnect(remote.ep)) return fail<Unit>(SockError::AccessDenied);
  sockaddr_storage ss;
  socklen_t len = toSockaddr(remote, ss);
  int r;
  do r = connect(t->fd->fd(), reinterpret_cast<sockaddr*>(&ss), len);
  while (r != 0 && errno == EINTR);
  if (r != 0 && errno != EINPROGRESS) return failErrno<Unit>(errno);
  t->state = TcpState::ConnectStarted;
  return Unit{};
}

WasiSockets::R<std::pair<Rep, Rep>> WasiSockets::tcpFinishConnect(Rep s) {
  using RR = R<std::pair<Rep, Rep>>;
  TcpRes* t = tcp(s);
  if (!t) return fail<std::pair<Rep, Rep>>(SockError::Unknown);
  if (t->state != TcpState::ConnectStarted) return fail<std::pair<Rep, Rep>>(SockError::NotInProgress);
  pollfd p{t->fd->fd(), POLLOUT, 0};
  if (::poll(&p, 1, 0) <= 0) return fail<std::pair<Rep, Rep>>(SockError::WouldBlock);
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(t->fd->fd(), SOL_SOCKET, SO_ERROR, &err, &len);
  if (err) {
    t->state = TcpState::Closed;
    return failErrno<std::pair<Rep, Rep>>(err);
  }
  t->state = TcpState::Connected;
  auto in = std::make_shared<host::SocketInputStream>(t->fd);
  auto out = std::make_shared<host::SocketOutputStream>(t->fd);
  t->in = in;
  t->out = out;
  return RR(std::pair<Rep, Rep>{io_.addInputStream(in), io_.addOutputStream(out)});
}

WasiSockets::R<Unit> WasiSockets::tcpStartListen(Rep s) {
  TcpRes* t = tcp(s);
  if (!t) return fail<Unit>(SockError::Unknown);
  if (t->state != TcpState::Bound) return fail<Unit>(SockError::InvalidState);
  if (listen(t->fd->fd(), static_cast<int>(std::min<uint64_t>(t->backlog, 4096))) != 0) return failErrno<Unit>(errno);
  t->state = TcpState::ListenStarted;
  return Unit{};
}

WasiSockets::R<Unit> WasiSockets::tcpFinishListen(Rep s) {
  TcpRes* t = tcp(s);
  if (!t) return fail<Unit>(SockError::Unknown);
  if (t->state != TcpState::ListenStarted) return fail<Unit>(SockError::NotInProgress);
  t->state = TcpState::Listening;
  return Unit{};
}

WasiSockets::R<WasiSockets::Accepted> WasiSockets::tcpAccept(Rep s) {
  TcpRes* t = tcp(s);
  if (!t) return fail<Accepted>(SockError::Unknown);
  if (t->state != TcpState::Listening) return fail<Accepted>(SockError::InvalidState);
  int fd;
  do fd = accept4(t->fd->fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) return failErrno<Accepted>(errno);
  TcpRes c;
  c.fd = std::make_shared<SocketFd>(fd);
  c.v6 = t->v6;
  c.state = TcpState::Connected;
  auto in = std::make_shared<host::SocketInputStream>(c.fd);
  auto out = std::make_shared<host::SocketOutputStream>(c.fd);
  c.in = in;
  c.out = out;
  Accepted a;
  a.socket = table_.add(std::move(c));
  a.in = io_.addInputStream(in);
  a.out = io_.addOutputStream(out);
  return a;
}

WasiSockets::R<SockAddr> WasiSockets::tcpLocalAddress(Rep s) {
  TcpRes* t = tcp(s);
  if (!t) return fail<SockAddr>(SockError::Unknown);
  if (t->state == TcpState::Unbound || t->state == TcpState::BindStarted) return fail<SockAddr>(SockError::InvalidState);
  return socketAddress(t->fd->fd(), false);
}

WasiSockets::R<SockAddr> WasiSockets::tcpRemoteAddress(Rep s) {
  TcpRes* t = tcp(s);
  if (!t) return fail<SockAddr>(SockError::Unknown);
  if (t->state != TcpState::Connected) return fail<SockAddr>(SockError::InvalidState);
  return socketAddress(t->fd->fd(), true);
}

bool WasiSockets::tcpIsListening(Rep s) {
  TcpRes* t = tcp(s);
  return t && t->state == TcpState::Listening;
}

bool WasiSockets::tcpIsV6(Rep s) {
  TcpRes* t = tcp(s);
  return t && t->v6;
}

WasiSockets::R<Unit> WasiSockets::tcpSetListenBacklogSize(Rep s, uint64_t n) {
  TcpRes* t = tcp(s);
  if (!t) return fail<Unit>(SockError::Unknown);
  if (n == 0) return fail<Unit>(SockError::InvalidArgument);
  if (t->state == TcpState::ConnectStarted || t->state == TcpState::Connected) return fail<Unit>(SockError::InvalidState);
  t->backlog = n;
  if (t->state == TcpState::Listening && listen(t->fd->fd(), static_cast<int>(std::min<uint64_t>(n, 4096))) != 0)
    return failErrno<Unit>(errno);
  return Unit{};
}

namespace {

struct Opt {
  int level, name;
  uint64_t scale;  // guest unit per host unit (ns per second for the keep-alive times)
};

Opt optionOf(int which, bool v6) {
  switch (which) {
    case 0: return {SOL_SOCKET, SO_KEEPALIVE, 1};
    case 1: return {IPPROTO_TCP, TCP_KEEPIDLE, 1000000000ull};
    case 2: return {IPPROTO_TCP, TCP_KEEPINTVL, 1000000000ull};
    case 3: return {IPPROTO_TCP, TCP_KEEPCNT, 1};
    case 4: return v6 ? Opt{IPPROTO_IPV6, IPV6_UNICAST_HOPS, 1} : Opt{IPPROTO_IP, IP_TTL, 1};
    case 5: return {SOL_SOCKET, SO_RCVBUF, 1};
    default: return {SOL_SOCKET, SO_SNDBUF, 1};
  }
}

Expected<uint64_t, SockError> getOption(int fd, int which, bool v6) {
  const Opt o = optionOf(which, v6);
  int v = 0;
  socklen_t len = sizeof v;
  if (getsockopt(fd, o.level, o.name, &v, &len) != 0) return failErrno<uint64_t>(errno);
  return uint64_t(v < 0 ? 0 : v) * o.scale;
}

Expected<Unit, SockError> setOption(int fd, int which, bool v6, uint64_t value) {
  const Opt o = optionOf(which, v6);
  if (which != 0 && value == 0) return fail<Unit>(SockError::InvalidArgument);  // zero times, counts, sizes, hops
  uint64_t host = value / o.scale;
  if (which == 1 || which == 2) host = std::max<uint64_t>(1, host);  // at least one second
  int v = static_cast<int>(std::min<uint64_t>(host, which == 4 ? 255 : INT32_MAX));
  if (setsockopt(fd, o.level, o.name, &v, sizeof v) != 0) return failErrno<Unit>(errno);
  return Unit{};
}

}  // namespace

WasiSockets::R<uint64_t> WasiSockets::tcpOption(Rep s, int which) {
  TcpRes* t = tcp(s);
  if (!t) return fail<uint64_t>(SockError::Unknown);
  return getOption(t->fd->fd(), which, t->v6);
}

WasiSockets::R<Unit> WasiSockets::tcpSetOption(Rep s, int which, uint64_t value) {
  TcpRes* t = tcp(s);
  if (!t) return fail<Unit>(SockError::Unknown);
  return setOption(t->fd->fd(), which, t->v6, value);
}

Rep WasiSockets::tcpSubscribe(Rep s) {
  TcpRes* t = tcp(s);
  uint32_t ev = 0;
  if (t && t->state == TcpState::ConnectStarted) ev = EPOLLOUT;
  if (t && t->state == TcpState::Listening) ev = EPOLLIN;
  if (!t) return io_.addPollable(std::make_shared<host::SimplePollable>(host::Wait::ready()));
  return io_.addPollable(std::make_shared<SocketPollable>(t->fd, ev));
}

WasiSockets::R<Unit> WasiSockets::tcpShutdown(Rep s, int how) {
  TcpRes* t = tcp(s);
  if (!t) return fail<Unit>(SockError::Unknown);
  if (t->state != TcpState::Connected) return fail<Unit>(SockError::InvalidState);
  const int h = how == 0 ? SHUT_RD : how == 1 ? SHUT_WR : SHUT_RDWR;
  if (how != 0)
    if (auto out = t->out.lock()) (void)out->flush();  // what was written goes before the FIN
  if (::shutdown(t->fd->fd(), h) != 0) return failErrno<Unit>(errno);
  if (how != 1)
    if (auto in = t->in.lock()) in->shutdown();
  if (how != 0)
    if (auto out = t->out.lock()) out->shutdown();
  return Unit{};
}

// ---------------------------------------------------------------------------------------------------------------
// udp

WasiSockets::R<Rep> WasiSockets::createUdpSocket(bool v6) {
  if (!grants_.allowsSockets(true)) return fail<Rep>(SockError::AccessDenied);
  int fd = makeSocket(SOCK_DGRAM, v6);
  if (fd < 0) return failErrno<Rep>(errno);
  UdpRes u;
  u.fd = std::make_shared<SocketFd>(fd);
  u.v6 = v6;
  return table_.add(std::move(u));
}

WasiSockets::R<Unit> WasiSockets::udpStartBind(Rep s, const SockAddr& local) {
  UdpRes* u = udp(s);
  if (!u) return fail<Unit>(SockError::Unknown);
  if (u->bindState != 0) return fail<Unit>(SockError::InvalidState);
  if (local.ep.v6 != u->v6) return fail<Unit>(SockError::InvalidArgument);
  if (!grants_.allowsBind(local.ep)) return fail<Unit>(SockError::AccessDenied);
  auto r = bindTo(u->fd->fd(), local, false);
  if (!r.ok()) return r;
  u->bindState = 1;
  return Unit{};
}

WasiSockets::R<Unit> WasiSockets::udpFinishBind(Rep s) {
  UdpRes* u = udp(s);
  if (!u) return fail<Unit>(SockError::Unknown);
  if (u->bindState != 1) return fail<Unit>(SockError::NotInProgress);
  u->bindState = 2;
  return Unit{};
}

WasiSockets::R<std::pair<Rep, Rep>> WasiSockets::udpStream(Rep s, const std::optional<SockAddr>& remote) {
  using P = std::pair<Rep, Rep>;
  UdpRes* u = udp(s);
  if (!u) return fail<P>(SockError::Unknown);
  if (u->bindState != 2) return fail<P>(SockError::InvalidState);
  if (remote) {
    if (remote->ep.v6 != u->v6 || remote->ep.port == 0 || unspecified(*remote)) return fail<P>(SockError::InvalidArgument);
    if (!grants_.allowsConnect(remote->ep)) return fail<P>(SockError::AccessDenied);
    sockaddr_storage ss;
    socklen_t len = toSockaddr(*remote, ss);
    if (connect(u->fd->fd(), reinterpret_cast<sockaddr*>(&ss), len) != 0) return failErrno<P>(errno);
  } else if (u->remote) {  // disconnect
    sockaddr_storage ss{};
    ss.ss_family = AF_UNSPEC;
    connect(u->fd->fd(), reinterpret_cast<sockaddr*>(&ss), sizeof(sockaddr));
  }
  u->remote = remote;
  DgramStreamRes d{u->fd, u->v6, remote};
  Rep in = table_.add(Entry(std::in_place_index<3>, d));
  Rep out = table_.add(Entry(std::in_place_index<4>, std::move(d)));
  return P{in, out};
}

WasiSockets::R<SockAddr> WasiSockets::udpLocalAddress(Rep s) {
  UdpRes* u = udp(s);
  if (!u) return fail<SockAddr>(SockError::Unknown);
  if (u->bindState != 2) return fail<SockAddr>(SockError::InvalidState);
  return socketAddress(u->fd->fd(), false);
}

WasiSockets::R<SockAddr> WasiSockets::udpRemoteAddress(Rep s) {
  UdpRes* u = udp(s);
  if (!u) return fail<SockAddr>(SockError::Unknown);
  if (!u->remote) return fail<SockAddr>(SockError::InvalidState);
  return socketAddress(u->fd->fd(), true);
}

bool WasiSockets::udpIsV6(Rep s) {
  UdpRes* u = udp(s);
  return u && u->v6;
}

WasiSockets::R<uint64_t> WasiSockets::udpOption(Rep s, int which) {
  UdpRes* u = udp(s);
  if (!u) return fail<uint64_t>(SockError::Unknown);
  return getOption(u->fd->fd(), which, u->v6);
}

WasiSockets::R<Unit> WasiSockets::udpSetOption(Rep s, int which, uint64_t value) {
  UdpRes* u = udp(s);
  if (!u) return fail<Unit>(SockError::Unknown);
  return setOption(u->fd->fd(), which, u->v6, value);
}

Rep WasiSockets::udpSubscribe(Rep s) {
  (void)udp(s);
  return io_.addPollable(std::make_shared<host::SimplePollable>(host::Wait::ready()));
}

WasiSockets::R<std::vector<Datagram>> WasiSockets::udpReceive(Rep in, uint64_t max) {
  auto* d = get<3>(in, "incoming-datagram-stream");
  if (!d) return fail<std::vector<Datagram>>(SockError::Unknown);
  std::vector<Datagram> out;
  while (out.size() < max) {
    std::vector<uint8_t> buf(65536);
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    ssize_t n = recvfrom(d->fd->fd(), buf.data(), buf.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&ss), &len);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (out.empty()) return failErrno<std::vector<Datagram>>(errno);
      break;
    }
    buf.resize(static_cast<size_t>(n));
    out.push_back(Datagram{std::move(buf), fromSockaddr(ss)});
  }
  return out;
}

Rep WasiSockets::incomingSubscribe(Rep in) {
  auto* d = get<3>(in, "incoming-datagram-stream");
  if (!d) return io_.addPollable(std::make_shared<host::SimplePollable>(host::Wait::ready()));
  return io_.addPollable(std::make_shared<SocketPollable>(d->fd, EPOLLIN));
}

WasiSockets::R<uint64_t> WasiSockets::udpCheckSend(Rep out) {
  auto* d = get<4>(out, "outgoing-datagram-stream");
  if (!d) return fail<uint64_t>(SockError::Unknown);
  pollfd p{d->fd->fd(), POLLOUT, 0};
  return uint64_t(::poll(&p, 1, 0) > 0 && (p.revents & POLLOUT) ? 64 : 0);
}

WasiSockets::R<uint64_t> WasiSockets::udpSend(Rep out, const std::vector<Datagram>& datagrams) {
  auto* d = get<4>(out, "outgoing-datagram-stream");
  if (!d) return fail<uint64_t>(SockError::Unknown);
  uint64_t sent = 0;
  for (const Datagram& g : datagrams) {
    ssize_t n;
    if (g.remote) {
      if (g.remote->ep.v6 != d->v6 || g.remote->ep.port == 0 || unspecified(*g.remote))
        return sent ? R<uint64_t>(sent) : fail<uint64_t>(SockError::InvalidArgument);
      if (d->remote && !(d->remote->ep == g.remote->ep))
        return sent ? R<uint64_t>(sent) : fail<uint64_t>(SockError::InvalidArgument);
      if (!grants_.allowsConnect(g.remote->ep)) return sent ? R<uint64_t>(sent) : fail<uint64_t>(SockError::AccessDenied);
      sockaddr_storage ss;
      socklen_t len = toSockaddr(*g.remote, ss);
      n = d->remote ? send(d->fd->fd(), g.data.data(), g.data.size(), MSG_DONTWAIT | MSG_NOSIGNAL)
                    : sendto(d->fd->fd(), g.data.data(), g.data.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                             reinterpret_cast<sockaddr*>(&ss), len);
    } else {
      if (!d->remote) return sent ? R<uint64_t>(sent) : fail<uint64_t>(SockError::InvalidArgument);
      n = send(d->fd->fd(), g.data.data(), g.data.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return sent ? R<uint64_t>(sent) : failErrno<uint64_t>(errno);
    }
    ++sent;
  }
  return sent;
}

Rep WasiSockets::outgoingSubscribe(Rep out) {
  auto* d = get<4>(out, "outgoing-datagram-stream");
  if (!d) return io_.addPollable(std::make_shared<host::SimplePollable>(host::Wait::ready()));
  return io_.addPollable(std::make_shared<SocketPollable>(d->fd, EPOLLOUT));
}

// ---------------------------------------------------------------------------------------------------------------
// ip-name-lookup: getaddrinfo on a host thread; an eventfd says it is done

constexpr int kMaxLookups = 64;

struct WasiSockets::Lookup {
  std::mutex mu;
  bool done = false;
  std::optional<SockError> error;
  std::vector<SockAddr> addresses;
  int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  ~Lookup() {
    if (fd >= 0) close(fd);
  }
};

namespace {
class LookupPollable final : public host::Pollable {
 public:
  LookupPollable(std::shared_ptr<void> keep, int fd) : keep_(std::move(keep)), fd_(fd) {}
  host::Wait wait() const override { return fd_ < 0 ? host::Wait::ready() : host::Wait::forFd(fd_, EPOLLIN); }

 private:
  std::shared_ptr<void> keep_;
  int fd_;
};
}  // namespace

WasiSockets::R<Rep> WasiSockets::resolveAddresses(std::string_view name) {
  if (!grants_.ipNameLookup) return fail<Rep>(SockError::PermanentResolverFailure);
  if (name.empty() || name.size() > 253 || name.find('\0') != std::string_view::npos)
    return fail<Rep>(SockError::InvalidArgument);
  auto l = std::make_shared<Lookup>();
  SockAddr lit;
  if (inet_pton(AF_INET, std::string(name).c_str(), lit.ep.addr) == 1) {
    l->addresses.push_back(lit);
    l->done = true;
  } else if (inet_pton(AF_INET6, std::string(name).c_str(), lit.ep.addr) == 1) {
    lit.ep.v6 = true;
    l->addresses.push_back(lit);
    l->done = true;
  } else {
    for (char c : name)  // a host name: letters, digits, '-', '.', '_'
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_'))
        return fail<Rep>(SockError::InvalidArgument);
    // at most kMaxLookups resolver threads at once in the process (a guest looping on lookups must not exhaust the
    // host's threads): beyond, temporary-resolver-failure
    static std::atomic<int> running{0};
    if (running.fetch_add(1) >= kMaxLookups) {
      running.fetch_sub(1);
      return fail<Rep>(SockError::TemporaryResolverFailure);
    }
    std::thread([l, host = std::string(name)] {
      addrinfo hints{};
      hints.ai_family = AF_UNSPEC;
      hints.ai_socktype = SOCK_STREAM;
      addrinfo* res = nullptr;
      const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &res);
      std::lock_guard<std::mutex> g(l->mu);
      if (rc != 0) {
        l->error = rc == EAI_NONAME || rc == EAI_NODATA || rc == EAI_ADDRFAMILY ? SockError::NameUnresolvable
                   : rc == EAI_AGAIN                                           ? SockError::TemporaryResolverFailure
                                                                               : SockError::PermanentResolverFailure;
      } else {
        for (addrinfo* a = res; a; a = a->ai_next) {
          if (a->ai_family != AF_INET && a->ai_family != AF_INET6) continue;
          sockaddr_storage ss{};
          std::memcpy(&ss, a->ai_addr, a->ai_addrlen);
          SockAddr sa = fromSockaddr(ss);
          sa.ep.port = 0;
          sa.flowInfo = sa.scopeId = 0;
          bool seen = false;
          for (const SockAddr& o : l->addresses) seen = seen || o.ep == sa.ep;
          if (!seen) l->addresses.push_back(sa);
        }
        freeaddrinfo(res);
        if (l->addresses.empty()) l->error = SockError::NameUnresolvable;
      }
      l->done = true;
      uint64_t one = 1;
      ssize_t w = write(l->fd, &one, sizeof one);
      (void)w;
      running.fetch_sub(1);
    }).detach();
  }
  if (l->done) {
    uint64_t one = 1;
    ssize_t w = write(l->fd, &one, sizeof one);
    (void)w;
  }
  return table_.add(LookupRes{std::move(l), 0});
}

WasiSockets::R<std::optional<SockAddr>> WasiSockets::resolveNextAddress(Rep stream) {
  using O = std::optional<SockAddr>;
  auto* r = get<5>(stream, "resolve-address-stream");
  if (!r) return fail<O>(SockError::Unknown);
  std::lock_guard<std::mutex> g(r->lookup->mu);
  if (!r->lookup->done) return fail<O>(SockError::WouldBlock);
  if (r->lookup->error) return fail<O>(*r->lookup->error);
  if (r->next >= r->lookup->addresses.size()) return O{};
  return O{r->lookup->addresses[r->next++]};
}

Rep WasiSockets::resolveSubscribe(Rep stream) {
  auto* r = get<5>(stream, "resolve-address-stream");
  if (!r) return io_.addPollable(std::make_shared<host::SimplePollable>(host::Wait::ready()));
  return io_.addPollable(std::make_shared<LookupPollable>(r->lookup, r->lookup->fd));
}

}  // namespace myrt::wasi::p2
