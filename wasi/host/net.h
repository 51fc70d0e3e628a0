// wasi/host/net.h -- network capabilities granted to a guest (wasi:http outgoing requests now; wasi:sockets next):
// denied unless granted. `-S inherit-network` grants everything; `--allow-http HOST[:PORT]` one HTTP destination.
// Hosts are compared as the guest names them (lowercase; IPv6 literals without brackets), before any DNS lookup.
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

struct NetworkGrants {
  bool inheritNetwork = false;      // -S inherit-network: every destination
  std::vector<HostPort> httpHosts;  // --allow-http: outgoing HTTP(S) requests to these (no port: any port)
  // Whether an outgoing HTTP request to dest (its port set) is allowed.
  bool allowsHttp(const HostPort& dest) const;
};

}  // namespace myrt::wasi
