// wasi/host/net.cpp -- parsing of HOST[:PORT] and the HTTP allow-list (see net.h).
// Layer: wasi/host.
#include "wasi/host/net.h"

#include <arpa/inet.h>

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

bool NetworkGrants::allowsHttp(const HostPort& dest) const {
  if (inheritNetwork) return true;
  for (const HostPort& h : httpHosts)
    if (h.host == dest.host && (!h.port || h.port == dest.port)) return true;
  return false;
}

}  // namespace myrt::wasi
