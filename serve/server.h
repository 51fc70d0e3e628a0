// serve/server.h -- `myrt serve`: an HTTP/1.1 server (libmicrohttpd: keep-alive, chunked request bodies, connection
// and header limits, idle timeouts) that answers each request with a fresh instance of a wasi:http proxy component
// (serve/handler.h), on a pool of threads (default: one per online CPU).
//
// Each request: its body is read (up to the body limit, else 413), the guest's handle(request, response-out) runs on
// the connection's thread, and its response (status, headers, body) is sent; a guest failure (trap, timeout, fuel,
// memory limit, no response) answers 500 for that request only and is logged on stderr. Framing headers the guest
// sets (content-length, transfer-encoding, connection, keep-alive) are the server's: not passed through.
// SIGINT/SIGTERM: stop accepting, let requests in flight finish (bounded), then exit 0.
// Layer: serve (libmicrohttpd).
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "serve/handler.h"

namespace myrt::serve {

struct ServerConfig {
  std::string addr = "127.0.0.1:8080";  // HOST:PORT, [V6]:PORT; port 0 = any free port
  unsigned threads = 0;                 // 0: the online CPUs
  unsigned connectionLimit = 0;         // concurrent connections, more are refused (0: the fd limit less 64)
  unsigned idleTimeoutSec = 30;         // a connection silent this long is closed (slow clients)
  size_t headerLimit = 16 * 1024;       // per-connection buffer for the request line and headers (more: 431)
  uint64_t shutdownGraceMs = 10000;     // at SIGINT/SIGTERM: longest wait for requests in flight
  bool verbose = false;                 // access log line per request on stderr
  std::string name;                     // the component's path (messages)
};

// Serves until SIGINT or SIGTERM. Prints "myrt: serving NAME on http://HOST:PORT/" on stderr once listening.
// Returns the process exit code (0 after a signal, 1 when the address cannot be used).
int runServer(ProxyHandler& handler, const ServerConfig& config);

}  // namespace myrt::serve
