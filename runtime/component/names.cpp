// runtime/component/names.cpp -- extern name validation and semver-compatible interface matching.
// GCC 12 reports a false -Wrestrict in std::string concatenation ("a" + std::string(b); GCC bug 105329).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include "runtime/component/names.h"

#include <cstdint>
#include <vector>

namespace myrt::component {

namespace {
bool isLower(char c) { return c >= 'a' && c <= 'z'; }
bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Splits "a.b.c" style parts.
std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

bool validSemver(std::string_view v) {
  // major.minor.patch(-pre)?(+build)?
  size_t end = v.find_first_of("-+");
  std::string_view core = v.substr(0, end);
  auto parts = split(core, '.');
  if (parts.size() != 3) return false;
  for (auto p : parts) {
    if (p.empty()) return false;
    for (char c : p)
      if (!isDigit(c)) return false;
    if (p.size() > 1 && p[0] == '0') return false;
  }
  if (end != std::string_view::npos) {
    std::string_view rest = v.substr(end + 1);
    if (rest.empty()) return false;
    for (char c : rest)
      if (!(isDigit(c) || isLower(c) || isUpper(c) || c == '.' || c == '-' || c == '+')) return false;
  }
  return true;
}
}  // namespace

bool isKebab(std::string_view l) {
  if (l.empty()) return false;
  // Words of lowercase letters and digits, or of uppercase letters and digits (acronyms); only the first word must
  // start with a letter ("a-1", "sha-256", "a11-B11-123-ABC-abc"; not "1-a").
  bool first = true;
  for (auto word : split(l, '-')) {
    if (word.empty()) return false;
    if (first && !isLower(word[0]) && !isUpper(word[0])) return false;
    first = false;
    bool lower = false, upper = false;
    for (char c : word) {
      if (isDigit(c)) continue;
      if (isLower(c)) lower = true;
      else if (isUpper(c)) upper = true;
      else return false;
    }
    if (lower && upper) return false;
  }
  return true;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (isUpper(x)) x = char(x - 'A' + 'a');
    if (isUpper(y)) y = char(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string uniquenessKey(std::string_view name) {
  std::string k(name);
  for (char& c : k)
    if (isUpper(c)) c = char(c - 'A' + 'a');
  return k;
}

std::string checkExternName(std::string_view n) {
  std::string q;
  q.reserve(n.size() + 2);
  q.push_back('`');
  q.append(n);
  q.push_back('`');
  // dependency / url / hash names: accepted as written (their contents are not interpreted)
  for (const char* p : {"unlocked-dep=", "locked-dep=", "url=", "integrity="})
    if (n.rfind(p, 0) == 0) return "";
  if (n.find(':') != std::string_view::npos) {
    // interface name: ns:pkg/iface(@version)?
    std::string_view rest = n;
    std::string_view version;
    if (size_t at = rest.find('@'); at != std::string_view::npos) {
      version = rest.substr(at + 1);
      rest = rest.substr(0, at);
      if (!validSemver(version)) return q + " is not a valid extern name: invalid version `" + std::string(version) + "`";
    }
    // ns:pkg/iface -- namespace and package lowercase kebab labels; nested namespaces (`a:b:c/d`) and nested
    // projections (`a:b/c/d`) are future syntax and refused.
    auto bad = [&q](const std::string& detail) { return q + " is not a valid extern name: " + detail; };
    auto lowerLabel = [&bad](std::string_view part) -> std::string {
      if (!isKebab(part)) return bad("`" + std::string(part) + "` is not in kebab case");
      for (char c : part)
        if (isUpper(c)) return bad("`" + std::string(part) + "` is not lowercase");
      return "";
    };
    size_t colon = rest.find(':');
    std::string_view ns = rest.substr(0, colon), pkgPath = rest.substr(colon + 1);
    if (std::string e = lowerLabel(ns); !e.empty()) return e;
    const size_t pkgEnd = pkgPath.find_first_of(":/");
    if (std::string e = lowerLabel(pkgPath.substr(0, pkgEnd)); !e.empty()) return e;
    if (pkgEnd != std::string_view::npos && pkgPath[pkgEnd] == ':') return bad("expected `/` after package name");
    if (pkgEnd == std::string_view::npos) return q + " is not a valid extern name: failed to find `/` character";
    std::string_view iface = pkgPath.substr(pkgEnd + 1);
    if (size_t s2 = iface.find('/'); s2 != std::string_view::npos)
      return bad("trailing characters found: `" + std::string(iface.substr(s2)) + "`");
    if (!isKebab(iface)) return bad("`" + std::string(iface) + "` is not in kebab case");
    return "";
  }
  std::string_view l = n;
  for (const char* p : {"[constructor]", "[method]", "[static]", "[async]", "[async method]", "[async static]"}) {
    std::string_view ps(p);
    if (l.substr(0, ps.size()) == ps) {
      l = l.substr(ps.size());
      if (ps == "[method]" || ps == "[static]" || ps == "[async method]" || ps == "[async static]") {
        size_t dot = l.find('.');
        if (dot == std::string_view::npos) return "failed to find `.` character";
        if (!isKebab(l.substr(0, dot))) return "`" + std::string(l.substr(0, dot)) + "` is not in kebab case";
        l = l.substr(dot + 1);
      }
      break;
    }
  }
  if (!isKebab(l)) return "`" + std::string(l) + "` is not in kebab case";
  return "";
}

InterfaceName splitVersion(std::string_view name) {
  InterfaceName r;
  size_t at = name.find('@');
  if (at == std::string_view::npos || name.find(':') == std::string_view::npos) {
    r.base = std::string(name);
    return r;
  }
  r.base = std::string(name.substr(0, at));
  r.version = std::string(name.substr(at + 1));
  return r;
}

bool versionCompatible(std::string_view wanted, std::string_view provided) {
  if (wanted == provided) return true;
  auto parse = [](std::string_view v, uint64_t out[3]) {
    if (v.find_first_of("-+") != std::string_view::npos) return false;  // pre-releases match exactly only
    auto parts = split(v, '.');
    if (parts.size() != 3) return false;
    for (int i = 0; i < 3; ++i) {
      out[i] = 0;
      if (parts[i].empty()) return false;
      for (char c : parts[i]) {
        if (!isDigit(c)) return false;
        out[i] = out[i] * 10 + uint64_t(c - '0');
      }
    }
    return true;
  };
  uint64_t w[3], p[3];
  if (!parse(wanted, w) || !parse(provided, p)) return false;
  if (w[0] != p[0]) return false;
  if (w[0] == 0) {
    if (w[1] != p[1]) return false;
    if (w[1] == 0) return w[2] == p[2];
  }
  return true;  // any version in the same compatibility track (newer or older patch/minor) links
}

}  // namespace myrt::component
