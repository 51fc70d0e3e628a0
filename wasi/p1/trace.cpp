// wasi/p1/trace.cpp -- MYRT_WASI_TRACE=1: one stderr line per WASI call, decoded: the function's name, its arguments
// (path arguments as the guest's strings instead of pointer and length), the result errno with its witx name, e.g.
//   wasi: path_open(3, 1, "out.txt", 9, 64, 0, 0, 804) = 44 (noent)
// Layer: wasi/p1 (reads guest memory through WasiState::mem, bounds-checked).
#include <cstdio>
#include <cstring>
#include <string>

#include "wasi/p1/context.h"

namespace myrt::wasi {

namespace {

// witx errno names, indexed by value (abi.h: kSuccess = 0 ... kNotcapable = 76).
constexpr const char* kErrnoNames[] = {
    "success", "2big", "acces", "addrinuse", "addrnotavail", "afnosupport", "again", "already", "badf", "badmsg",
    "busy", "canceled", "child", "connaborted", "connrefused", "connreset", "deadlk", "destaddrreq", "dom", "dquot",
    "exist", "fault", "fbig", "hostunreach", "idrm", "ilseq", "inprogress", "intr", "inval", "io", "isconn", "isdir",
    "loop", "mfile", "mlink", "msgsize", "multihop", "nametoolong", "netdown", "netreset", "netunreach", "nfile",
    "nobufs", "nodev", "noent", "noexec", "nolck", "nolink", "nomem", "nomsg", "noprotoopt", "nospc", "nosys",
    "notconn", "notdir", "notempty", "notrecoverable", "notsock", "notsup", "notty", "nxio", "overflow", "ownerdead",
    "perm", "pipe", "proto", "protonosupport", "prototype", "range", "rofs", "spipe", "srch", "stale", "timedout",
    "txtbsy", "xdev", "notcapable"};
static_assert(sizeof kErrnoNames / sizeof kErrnoNames[0] == 77);

// Which arguments are (pointer, length) pairs of a path: the pointer's index (the length follows it).
struct PathArgs {
  const char* name;
  int first, second;  // -1: none
};
constexpr PathArgs kPathArgs[] = {
    {"path_create_directory", 1, -1}, {"path_filestat_get", 2, -1}, {"path_filestat_set_times", 2, -1},
    {"path_link", 2, 5},              {"path_open", 2, -1},         {"path_readlink", 1, -1},
    {"path_remove_directory", 1, -1}, {"path_rename", 1, 4},        {"path_symlink", 0, 3},
    {"path_unlink_file", 1, -1},
};

std::string quoted(WasiState& s, uint32_t ptr, uint32_t len) {
  const uint32_t shown = len > 256 ? 256 : len;
  const uint8_t* p = s.mem(ptr, shown);
  if (!p) return "<bad pointer>";
  std::string out = "\"";
  for (uint32_t i = 0; i < shown; ++i) {
    const uint8_t c = p[i];
    if (c == '"' || c == '\\') out += '\\', out += static_cast<char>(c);
    else if (c >= 0x20 && c < 0x7f) out += static_cast<char>(c);
    else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  out += '"';
  if (shown < len) out += "...";
  return out;
}

}  // namespace

const char* errnoName(uint16_t e) { return e < sizeof kErrnoNames / sizeof kErrnoNames[0] ? kErrnoNames[e] : "?"; }

std::string traceLine(WasiState& s, const char* name, const char* params, std::span<const Value> args,
                      uint16_t result) {
  int path1 = -1, path2 = -1;
  for (const PathArgs& p : kPathArgs)
    if (std::strcmp(p.name, name) == 0) path1 = p.first, path2 = p.second;
  std::string line = std::string("wasi: ") + name + "(";
  for (size_t i = 0; i < args.size(); ++i) {
    if (i) line += ", ";
    if ((static_cast<int>(i) == path1 || static_cast<int>(i) == path2) && i + 1 < args.size()) {
      line += quoted(s, args[i].i32, args[i + 1].i32);
      ++i;  // the length is part of the string
      continue;
    }
    const bool wide = i < std::strlen(params) && params[i] == 'I';
    line += wide ? std::to_string(static_cast<unsigned long long>(args[i].i64)) : std::to_string(args[i].i32);
  }
  line += ") = " + std::to_string(result) + " (" + errnoName(result) + ")";
  return line;
}

}  // namespace myrt::wasi
