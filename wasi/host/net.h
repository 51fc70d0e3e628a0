// wasi/host/net.h -- network capabilities granted to a guest (wasi:http outgoing requests, wasi:sockets): denied
// unless granted. `-S inherit-network` grants every address; `--allow-http HOST[:PORT]` one HTTP destination (hosts
// compared as the guest names them: lowercase, IPv6 literals without brackets, before any DNS lookup);
// `--allow-connect HOST:PORT` / `--allow-bind ADDR:PORT` socket addresses (names resolved when the option is read;
// port 0: any port; the unspecified address 0.0.0.0 / :: : any address of its family). `-S tcp` / `-S udp` (on by
// default, as wasmtime) switch the protocols; `-S allow-ip-name-lookup` (off by default) lets the guest resolve.
// Layer: wasi/host (depends on runtime/base only).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/result.h"

namespace myrt::wasi {

struct HostPort {
  std::string host;              // lowercase name or address; an IPv6 literal without its brackets
  std::optional<uint16_t> port;  // none: any port (allow-lists) / the scheme's default (authorities)
  bool operator==(const HostPort&) const = default;
};

// "HOST", "HOST:PORT", "[V6]", "[V6]:PORT" (an IPv6 literal needs brackets). HOST is a DNS name (letters, digits,
// '-', '.', '_') or an IPv4/IPv6 literal; PORT 1..65535 (0 too when allowZeroPort). Error text without a prefix
// ("expected HOST[:PORT], got ..."). Also parses the authority of an outgoing request (no userinfo: '@' is refused).
Result<HostPort> parseHostPort(std::string_view text, bool portRequired = false, bool allowZeroPort = false);

// An IP socket address (or an allow-list rule: port 0 = any port, the unspecified address = any address).
struct IpEndpoint {
  bool v6 = false;
  uint8_t addr[16] = {};  // IPv4: the first 4 bytes
  uint16_t port = 0;
  bool operator==(const IpEndpoint&) const = default;
};

// HOST:PORT (IP literal or name; [V6]:PORT) -> the endpoints it names (a name: every address getaddrinfo gives).
Result<std::vector<IpEndpoint>> resolveEndpointSpec(std::string_view spec);

struct NetworkGrants {
  bool inheritNetwork = false;      // -S inherit-network: every destination
  std::vector<HostPort> httpHosts;  // --allow-http: outgoing HTTP(S) requests to these (no port: any port)
  bool tcp = true, udp = true;      // -S tcp / -S udp (no address by themselves)
  bool ipNameLookup = false;        // -S allow-ip-name-lookup
  std::vector<IpEndpoint> connect;  // --allow-connect: TCP connect / UDP send to these
  std::vector<IpEndpoint> bind;     // --allow-bind: TCP / UDP bind to these
  // Limits of one guest (WasiHttp: one store) on outgoing HTTP (wasi/p2/http_client.h): requests alive at once
  // (--max-outgoing-requests; more: handle() answers connection-limit-reached), and bytes of request bodies buffered
  // before they are sent (--max-outgoing-buffer; more: the write fails with HTTP-request-body-size).
  uint32_t maxOutgoingHttp = 32;
  uint64_t maxOutgoingHttpBuffer = uint64_t(64) << 20;
  // Whether an outgoing HTTP request to dest (its port set) is allowed.
  bool allowsHttp(const HostPort& dest) const;
  bool allowsConnect(const IpEndpoint& e) const;
  bool allowsBind(const IpEndpoint& e) const;
  // Whether a socket of the protocol may exist at all (the protocol is on and some address is granted): else
  // create-*-socket is access-denied and no host socket is made.
  bool allowsSockets(bool udpProtocol) const;
};

}  // namespace myrt::wasi
