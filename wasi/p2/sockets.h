// wasi/p2/sockets.h -- wasi:sockets 0.2 on the host: network, instance-network, tcp-create-socket, tcp,
// udp-create-socket, udp, ip-name-lookup, on non-blocking host sockets whose pollables join the wasi:io/poll reactor
// (WasiP2's Poller: a connecting socket waits for EPOLLOUT, a listening one for EPOLLIN, datagram streams for their
// direction) and whose TCP streams are wasi:io streams of the WasiP2 table (wasi/host/socket.h).
//
// Capabilities (NetworkGrants, wasi/host/net.h): create-tcp-socket / create-udp-socket are access-denied, without
// making a host socket, unless the protocol is on (-S tcp / -S udp, on by default as wasmtime) and some address is
// granted (-S inherit-network, --allow-connect, --allow-bind); then each bind is checked against the bind grants and
// each connect / datagram destination against the connect grants (access-denied). Name lookup needs
// -S allow-ip-name-lookup (else permanent-resolver-failure, as wasmtime); it runs getaddrinfo on a host thread.
// State rules as the WIT documents them (invalid-state, not-in-progress, would-block).
// Layer: wasi/p2 (depends on wasi/host and WasiP2's table).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "wasi/host/net.h"
#include "wasi/host/socket.h"
#include "wasi/p2/context.h"

namespace myrt::wasi::p2 {

// wasi:sockets/network error-code (WIT order)
enum class SockError : uint8_t {
  Unknown, AccessDenied, NotSupported, InvalidArgument, OutOfMemory, Timeout, ConcurrencyConflict, NotInProgress,
  WouldBlock, InvalidState, NewSocketLimit, AddressNotBindable, AddressInUse, RemoteUnreachable, ConnectionRefused,
  ConnectionReset, ConnectionAborted, DatagramTooLarge, NameUnresolvable, TemporaryResolverFailure,
  PermanentResolverFailure,
};
SockError sockErrorFromErrno(int e);
const char* sockErrorName(SockError e);

// ip-socket-address
struct SockAddr {
  IpEndpoint ep;
  uint32_t flowInfo = 0, scopeId = 0;  // IPv6 only
};

struct Datagram {
  std::vector<uint8_t> data;
  std::optional<SockAddr> remote;  // incoming: always set
};

class WasiSockets {
 public:
  WasiSockets(WasiP2& io, NetworkGrants grants) : io_(io), grants_(std::move(grants)) {}
  template <class T>
  using R = Expected<T, SockError>;

  Rep instanceNetwork();
  // ---- tcp
  R<Rep> createTcpSocket(bool v6);
  R<Unit> tcpStartBind(Rep s, const SockAddr& local);
  R<Unit> tcpFinishBind(Rep s);
  R<Unit> tcpStartConnect(Rep s, const SockAddr& remote);
  R<std::pair<Rep, Rep>> tcpFinishConnect(Rep s);  // (input-stream, output-stream) on the WasiP2 table
  R<Unit> tcpStartListen(Rep s);
  R<Unit> tcpFinishListen(Rep s);
  struct Accepted {
    Rep socket, in, out;
  };
  R<Accepted> tcpAccept(Rep s);
  R<SockAddr> tcpLocalAddress(Rep s);
  R<SockAddr> tcpRemoteAddress(Rep s);
  bool tcpIsListening(Rep s);
  bool tcpIsV6(Rep s);
  R<Unit> tcpSetListenBacklogSize(Rep s, uint64_t n);
  // socket options: which = 0 keep-alive-enabled, 1 keep-alive-idle-time (ns), 2 keep-alive-interval (ns),
  // 3 keep-alive-count, 4 hop-limit, 5 receive-buffer-size, 6 send-buffer-size
  R<uint64_t> tcpOption(Rep s, int which);
  R<Unit> tcpSetOption(Rep s, int which, uint64_t value);
  Rep tcpSubscribe(Rep s);  // own<pollable>
  R<Unit> tcpShutdown(Rep s, int how);  // 0 receive, 1 send, 2 both
  // ---- udp
  R<Rep> createUdpSocket(bool v6);
  R<Unit> udpStartBind(Rep s, const SockAddr& local);
  R<Unit> udpFinishBind(Rep s);
  R<std::pair<Rep, Rep>> udpStream(Rep s, const std::optional<SockAddr>& remote);  // (incoming, outgoing)
  R<SockAddr> udpLocalAddress(Rep s);
  R<SockAddr> udpRemoteAddress(Rep s);
  bool udpIsV6(Rep s);
  R<uint64_t> udpOption(Rep s, int which);  // 4 unicast-hop-limit, 5 receive-, 6 send-buffer-size
  R<Unit> udpSetOption(Rep s, int which, uint64_t value);
  Rep udpSubscribe(Rep s);
  R<std::vector<Datagram>> udpReceive(Rep in, uint64_t max);
  Rep incomingSubscribe(Rep in);
  R<uint64_t> udpCheckSend(Rep out);
  R<uint64_t> udpSend(Rep out, const std::vector<Datagram>& datagrams);
  Rep outgoingSubscribe(Rep out);
  // ---- ip-name-lookup
  R<Rep> resolveAddresses(std::string_view name);
  R<std::optional<SockAddr>> resolveNextAddress(Rep stream);  // the address only (port 0)
  Rep resolveSubscribe(Rep stream);

  enum class Kind : uint8_t { Network, TcpSocket, UdpSocket, IncomingDatagramStream, OutgoingDatagramStream, ResolveAddressStream };
  void drop(Kind kind, Rep rep);
  void reset() { table_.clear(); }
  size_t liveResources() const { return table_.live(); }

 private:
  enum class TcpState : uint8_t { Unbound, BindStarted, Bound, ListenStarted, Listening, ConnectStarted, Connected, Closed };
  struct NetworkRes {};
  struct TcpRes {
    std::shared_ptr<host::SocketFd> fd;
    bool v6 = false;
    TcpState state = TcpState::Unbound;
    uint64_t backlog = 128;
    std::weak_ptr<host::SocketInputStream> in;
    std::weak_ptr<host::SocketOutputStream> out;
  };
  struct UdpRes {
    std::shared_ptr<host::SocketFd> fd;
    bool v6 = false;
    int bindState = 0;  // 0 unbound, 1 bind started, 2 bound
    std::optional<SockAddr> remote;
  };
  struct DgramStreamRes {
    std::shared_ptr<host::SocketFd> fd;
    bool v6 = false;
    std::optional<SockAddr> remote;  // the connected remote (outgoing)
  };
  struct Lookup;  // shared with the resolver thread
  struct LookupRes {
    std::shared_ptr<Lookup> lookup;
    size_t next = 0;
  };
  using Entry = std::variant<NetworkRes, TcpRes, UdpRes, DgramStreamRes, DgramStreamRes, LookupRes>;  // index = Kind

  template <size_t I>
  std::variant_alternative_t<I, Entry>* get(Rep rep, const char* what) {
    auto* e = table_.template find<I>(rep);
    if (!e) io_.recordTrap(std::string("unknown handle: not a ") + what);
    return e;
  }
  TcpRes* tcp(Rep r) { return get<1>(r, "tcp-socket"); }
  UdpRes* udp(Rep r) { return get<2>(r, "udp-socket"); }

  WasiP2& io_;
  NetworkGrants grants_;
  ResourceTable<Entry> table_;
};

}  // namespace myrt::wasi::p2
