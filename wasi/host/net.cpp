// wasi/host/net.cpp -- parsing of HOST[:PORT] and the HTTP allow-list (see net.h).
// Layer: wasi/host.
#include "wasi/host/net.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace myrt::wasi {

namespace {

bool nameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

Error bad(std::string_view text, const char* why) {
  return Error(std::string("expected HOST[:PORT], got '") + std::string(text) + "': " + why);
}

}  // namespace

Result<HostPort> parseHostPort(std::string_view text, bool portRequired, bool allowZeroPort) {
  HostPort out;
  std::string_view host, port;
  bool hasPort = false;
  const bool bracketed = !text.empty() && text[0] == '[';
  if (bracketed) {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return bad(text, "unclosed '['");
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return bad(text, "expected ':' after ']'");
      port = rest.substr(1);
      hasPort = true;
    }
    in6_addr a6;
    if (inet_pton(AF_INET6, std::string(host).c_str(), &a6) != 1) return bad(text, "not an IPv6 address in brackets");
  } else {
    const size_t colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos)
      return bad(text, "an IPv6 address needs brackets: [ADDR]:PORT");
    host = text.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = text.substr(colon + 1);
      hasPort = true;
    }
  }
  if (host.empty()) return bad(text, "empty host");
  if (host.size() > 253) return bad(text, "host name too long");
  for (char c : host) {
    const char l = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (!bracketed && !nameChar(l)) return bad(text, "invalid character in host");
    out.host.push_back(l);
  }
  if (hasPort) {
    if (port.empty() || port.size() > 5) return bad(text, "invalid port");
    uint32_t p = 0;
    for (char c : port) {
      if (c < '0' || c > '9') return bad(text, "invalid port");
      p = p * 10 + uint32_t(c - '0');
    }
    if (p > 65535 || (p == 0 && !allowZeroPort)) return bad(text, "port out of range");
    out.port = static_cast<uint16_t>(p);
  } else if (portRequired) {
    return bad(text, "a port is required");
  }
  return out;
}

Result<std::vector<IpEndpoint>> resolveEndpointSpec(std::string_view spec) {
  auto hp = parseHostPort(spec, /*portRequired=*/true, /*allowZeroPort=*/true);
  if (!hp) return hp.error();
  std::vector<IpEndpoint> out;
  IpEndpoint e;
  e.port = *hp->port;
  if (inet_pton(AF_INET, hp->host.c_str(), e.addr) == 1) {
    out.push_back(e);
    return out;
  }
  if (inet_pton(AF_INET6, hp->host.c_str(), e.addr) == 1) {
    e.v6 = true;
    out.push_back(e);
    return out;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = getaddrinfo(hp->host.c_str(), nullptr, &hints, &res); rc != 0)
    return Error("cannot resolve '" + hp->host + "': " + gai_strerror(rc));
  for (addrinfo* a = res; a; a = a->ai_next) {
    IpEndpoint r;
    r.port = e.port;
    if (a->ai_family == AF_INET) {
      std::memcpy(r.addr, &reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr, 4);
    } else if (a->ai_family == AF_INET6) {
      r.v6 = true;
      std::memcpy(r.addr, &reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr, 16);
    } else {
      continue;
    }
    if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(r);
  }
  freeaddrinfo(res);
  if (out.empty()) return Error("'" + hp->host + "' has no IP address");
  return out;
}

namespace {
bool matches(const std::vector<IpEndpoint>& rules, const IpEndpoint& e) {
  static const uint8_t kZero[16] = {};
  for (const IpEndpoint& r : rules) {
    if (r.v6 != e.v6 || (r.port != 0 && r.port != e.port)) continue;
    const size_t n = r.v6 ? 16 : 4;
    if (std::memcmp(r.addr, kZero, n) == 0 || std::memcmp(r.addr, e.addr, n) == 0) return true;
  }
  return false;
}
}  // namespace

bool NetworkGrants::allowsConnect(const IpEndpoint& e) const { return inheritNetwork || matches(connect, e); }
bool NetworkGrants::allowsBind(const IpEndpoint& e) const { return inheritNetwork || matches(bind, e); }
bool NetworkGrants::allowsSockets(bool udpProtocol) const {
  if (!(udpProtocol ? udp : tcp)) return false;
  return inheritNetwork || !connect.empty() || !bind.empty();
}

bool NetworkGrants::allowsHttp(const HostPort& dest) const {
  if (inheritNetwork) return true;
  for (const HostPort& h : httpHosts)
    if (h.host == dest.host && (!h.port || h.port == dest.port)) return true;
  return false;
}

}  // namespace myrt::wasi
