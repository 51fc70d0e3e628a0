// serve/server.cpp -- `myrt serve` on libmicrohttpd (see server.h): one epoll daemon per pool thread, the request
// collected in a RequestState (raw URI from the URI-log callback, headers, body up to the limit), the guest run from
// the access handler on that thread, graceful shutdown by sigwait in the calling thread.
// Layer: serve.
#include "serve/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

#include "runtime/base/dynlib.h"
#include "wasi/p2/http.h"

namespace myrt::serve {

namespace {

// libmicrohttpd is loaded when `myrt serve` starts, not linked: linking it makes every myrt process load and
// initialize GnuTLS and its eight libraries (a hello-world run went from 0.43 M to 4.9 M instructions).
struct Mhd {
  decltype(&MHD_start_daemon) start_daemon;
  decltype(&MHD_stop_daemon) stop_daemon;
  decltype(&MHD_quiesce_daemon) quiesce_daemon;
  decltype(&MHD_get_daemon_info) get_daemon_info;
  decltype(&MHD_get_connection_info) get_connection_info;
  decltype(&MHD_get_connection_values) get_connection_values;
  decltype(&MHD_create_response_from_buffer_with_free_callback_cls) create_response_from_buffer_with_free_callback_cls;
  decltype(&MHD_add_response_header) add_response_header;
  decltype(&MHD_queue_response) queue_response;
  decltype(&MHD_destroy_response) destroy_response;
};
Mhd mhd;

// Fills `mhd`; false with the reason when the library or one of its functions is missing.
bool loadMhd(std::string* why) {
  DynLib lib(MYRT_MHD_SONAME, "libmicrohttpd12");
  lib.bind(mhd.start_daemon, "MHD_start_daemon")
      .bind(mhd.stop_daemon, "MHD_stop_daemon")
      .bind(mhd.quiesce_daemon, "MHD_quiesce_daemon")
      .bind(mhd.get_daemon_info, "MHD_get_daemon_info")
      .bind(mhd.get_connection_info, "MHD_get_connection_info")
      .bind(mhd.get_connection_values, "MHD_get_connection_values")
      .bind(mhd.create_response_from_buffer_with_free_callback_cls,
            "MHD_create_response_from_buffer_with_free_callback_cls")
      .bind(mhd.add_response_header, "MHD_add_response_header")
      .bind(mhd.queue_response, "MHD_queue_response")
      .bind(mhd.destroy_response, "MHD_destroy_response");
  if (!lib.ok()) *why = lib.why();
  return lib.ok();
}

struct ServerState {
  ProxyHandler* handler = nullptr;
  const ServerConfig* config = nullptr;
  std::atomic<int64_t> inFlight{0};  // requests between their URI line and their completion
  std::atomic<uint64_t> served{0};
  std::atomic<uint64_t> failed{0};   // answered 500 for a guest failure
  std::mutex logMu;
};

// One request (MHD's per-request context, made by the URI-log callback, freed by the completion callback).
struct RequestState {
  std::string uri;
  std::string body;
  bool started = false;   // the access handler has seen the headers
  bool tooLarge = false;  // the body went past the limit
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
};

void* onUri(void* cls, const char* uri, struct MHD_Connection*) {
  auto* st = static_cast<ServerState*>(cls);
  st->inFlight.fetch_add(1);
  auto* r = new RequestState();
  r->uri = uri ? uri : "";
  return r;
}

void onCompleted(void* cls, struct MHD_Connection*, void** reqCls, enum MHD_RequestTerminationCode) {
  auto* st = static_cast<ServerState*>(cls);
  delete static_cast<RequestState*>(*reqCls);
  *reqCls = nullptr;
  st->inFlight.fetch_sub(1);
}

struct Collected {
  wasi::p2::HttpRequestData* req;
  bool invalid = false;  // a header name that is not a token, or a value with control characters
};

enum MHD_Result collectHeader(void* cls, enum MHD_ValueKind, const char* key, const char* value) {
  auto* col = static_cast<Collected*>(cls);
  auto* req = col->req;
  std::string name = key ? key : "";
  if (!wasi::p2::validFieldName(name) || !wasi::p2::validFieldValue(value ? value : "")) col->invalid = true;
  for (char& c : name)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  if (name == "host") req->authority = value ? value : "";
  req->headers.emplace_back(std::move(name), value ? value : "");
  return MHD_YES;
}

std::string clientAddress(struct MHD_Connection* c) {
  const union MHD_ConnectionInfo* info = mhd.get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (!info || !info->client_addr) return "-";
  char host[INET6_ADDRSTRLEN] = "-";
  const sockaddr* sa = info->client_addr;
  if (sa->sa_family == AF_INET) inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, host, sizeof host);
  else if (sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, host, sizeof host);
  return host;
}

enum MHD_Result sendResponse(struct MHD_Connection* c, unsigned status, const wasi::p2::HeaderList& headers,
                             std::string body) {
  auto* owned = new std::string(std::move(body));
  struct MHD_Response* r = mhd.create_response_from_buffer_with_free_callback_cls(
      owned->size(), owned->data(), [](void* p) { delete static_cast<std::string*>(p); }, owned);
  if (!r) {
    delete owned;
    return MHD_NO;
  }
  for (const auto& [name, value] : headers) {
    // framing is the server's; MHD refuses names/values it cannot send (the guest's were validated already)
    if (name == "content-length" || name == "transfer-encoding" || name == "connection" || name == "keep-alive")
      continue;
    (void)mhd.add_response_header(r, name.c_str(), value.c_str());
  }
  enum MHD_Result ret = mhd.queue_response(c, status, r);
  mhd.destroy_response(r);
  return ret;
}

enum MHD_Result onRequest(void* cls, struct MHD_Connection* c, const char* url, const char* method,
                          const char* version, const char* upload, size_t* uploadSize, void** reqCls) {
  auto* st = static_cast<ServerState*>(cls);
  auto* rs = static_cast<RequestState*>(*reqCls);
  if (!rs) return MHD_NO;  // no URI-log context: cannot happen
  if (!rs->started) {
    rs->started = true;
    return MHD_YES;  // headers seen; the body (if any) follows in the next calls
  }
  if (*uploadSize != 0) {
    const uint64_t limit = st->handler->config().bodyLimit;
    if (!rs->tooLarge && rs->body.size() + *uploadSize <= limit) rs->body.append(upload, *uploadSize);
    else rs->tooLarge = true;
    *uploadSize = 0;
    return MHD_YES;
  }
  // the whole request is here
  unsigned status;
  uint64_t bytes = 0;
  std::string error;
  enum MHD_Result ret;
  if (rs->tooLarge) {
    status = 413;
    ret = sendResponse(c, status, {{"content-type", "text/plain"}}, "request body too large\n");
  } else {
    wasi::p2::HttpRequestData req;
    req.method = method ? method : "GET";
    req.pathWithQuery = rs->uri.empty() ? (url ? url : "/") : rs->uri;
    Collected col{&req};
    mhd.get_connection_values(c, MHD_HEADER_KIND, collectHeader, &col);
    if (col.invalid) {
      status = 400;
      ret = sendResponse(c, status, {{"content-type", "text/plain"}}, "bad request: invalid header field\n");
    } else {
      req.body = std::make_shared<const std::string>(std::move(rs->body));
      Outcome out = st->handler->handle(std::move(req));
      status = out.status;
      bytes = out.body.size();
      error = std::move(out.error);
      ret = sendResponse(c, status, out.headers, std::move(out.body));
    }
  }
  st->served.fetch_add(1);
  if (!error.empty()) st->failed.fetch_add(1);
  if (st->config->verbose || !error.empty()) {
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - rs->start).count();
    std::string line = clientAddress(c) + " \"" + (method ? method : "") + " " + rs->uri + " " +
                       (version ? version : "") + "\" " + std::to_string(status) + " " + std::to_string(bytes);
    char tail[64];
    std::snprintf(tail, sizeof tail, " %.3f ms", ms);
    line += tail;
    std::lock_guard<std::mutex> lock(st->logMu);
    if (st->config->verbose) std::cerr << "myrt: serve: " << line << "\n";
    if (!error.empty()) std::cerr << "myrt: serve: " << rs->uri << ": 500: " << error << "\n";
  }
  return ret;
}

// HOST:PORT or [V6]:PORT -> a socket address (getaddrinfo: names such as localhost work too).
bool parseAddress(const std::string& addr, sockaddr_storage* out, socklen_t* len, std::string* why) {
  std::string host, port;
  if (!addr.empty() && addr[0] == '[') {
    size_t close = addr.find(']');
    if (close == std::string::npos || close + 1 >= addr.size() || addr[close + 1] != ':') {
      *why = "expected [IPV6]:PORT";
      return false;
    }
    host = addr.substr(1, close - 1);
    port = addr.substr(close + 2);
  } else {
    size_t colon = addr.rfind(':');
    if (colon == std::string::npos) {
      *why = "expected HOST:PORT";
      return false;
    }
    host = addr.substr(0, colon);
    port = addr.substr(colon + 1);
  }
  if (host.empty()) host = "0.0.0.0";
  if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
      std::stoul(port) > 65535) {
    *why = "invalid port '" + port + "'";
    return false;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  if (int e = getaddrinfo(host.c_str(), port.c_str(), &hints, &res); e != 0 || !res) {
    *why = "cannot resolve '" + host + "': " + gai_strerror(e);
    return false;
  }
  std::memcpy(out, res->ai_addr, res->ai_addrlen);
  *len = res->ai_addrlen;
  freeaddrinfo(res);
  return true;
}

std::string displayAddress(const sockaddr_storage& sa, uint16_t port) {
  char host[INET6_ADDRSTRLEN] = "?";
  if (sa.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&sa)->sin6_addr, host, sizeof host);
  } else {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&sa)->sin_addr, host, sizeof host);
  }
  char out[INET6_ADDRSTRLEN + 16];
  std::snprintf(out, sizeof out, sa.ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u", host, unsigned(port));
  return out;
}

}  // namespace

int runServer(ProxyHandler& handler, const ServerConfig& config) {
  sockaddr_storage sa{};
  socklen_t saLen = 0;
  std::string why;
  if (!loadMhd(&why)) {
    std::cerr << "myrt: serve: " << why << "\n";
    return 1;
  }
  if (!parseAddress(config.addr, &sa, &saLen, &why)) {
    std::cerr << "myrt: serve: --addr " << config.addr << ": " << why << "\n";
    return 2;
  }
  // SIGINT/SIGTERM are taken by sigwait below: block them before MHD starts its threads (which inherit the mask).
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  signal(SIGPIPE, SIG_IGN);

  // Every connection is a descriptor: take the hard limit, and keep 64 for everything else (components' files ...).
  rlimit nofile{};
  unsigned connectionLimit = config.connectionLimit;
  if (getrlimit(RLIMIT_NOFILE, &nofile) == 0) {
    if (nofile.rlim_cur < nofile.rlim_max) {
      nofile.rlim_cur = nofile.rlim_max;
      (void)setrlimit(RLIMIT_NOFILE, &nofile);
      (void)getrlimit(RLIMIT_NOFILE, &nofile);
    }
    const rlim_t room = nofile.rlim_cur > 128 ? nofile.rlim_cur - 64 : 64;
    if (connectionLimit == 0 || connectionLimit > room) connectionLimit = static_cast<unsigned>(std::min<rlim_t>(room, 1u << 20));
  }
  ServerState st;
  st.handler = &handler;
  st.config = &config;
  unsigned threads = config.threads ? config.threads : std::max(1u, std::thread::hardware_concurrency());
  unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC;
  if (sa.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
  if (config.verbose) flags |= MHD_USE_ERROR_LOG;
  struct MHD_Daemon* d = mhd.start_daemon(
      flags, 0, nullptr, nullptr, onRequest, &st,                                  //
      MHD_OPTION_SOCK_ADDR, reinterpret_cast<sockaddr*>(&sa),                       //
      MHD_OPTION_THREAD_POOL_SIZE, threads,                                         //
      MHD_OPTION_CONNECTION_LIMIT, connectionLimit,                          //
      MHD_OPTION_CONNECTION_TIMEOUT, config.idleTimeoutSec,                         //
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, config.headerLimit,                       //
      MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,                                        //
      MHD_OPTION_URI_LOG_CALLBACK, onUri, &st,                                      //
      MHD_OPTION_NOTIFY_COMPLETED, onCompleted, &st,                                //
      MHD_OPTION_THREAD_STACK_SIZE, size_t(8) << 20,                                //
      MHD_OPTION_END);
  if (!d) {
    std::cerr << "myrt: serve: cannot listen on " << config.addr << ": " << std::strerror(errno) << "\n";
    return 1;
  }
  uint16_t port = 0;
  if (const union MHD_DaemonInfo* info = mhd.get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)) port = info->port;
  std::cerr << "myrt: serving " << config.name << " on http://" << displayAddress(sa, port) << "/ (" << threads
            << " threads, tier " << tierName(handler.config().tier) << ")" << std::endl;

  int sig = 0;
  while (sigwait(&sigs, &sig) != 0) {
  }
  // Stop accepting; requests in flight finish (bounded by the grace period), then the daemon closes everything.
  if (MHD_socket listener = mhd.quiesce_daemon(d); listener != MHD_INVALID_SOCKET) close(listener);
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(config.shutdownGraceMs);
  while (st.inFlight.load() > 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const int64_t left = st.inFlight.load();
  mhd.stop_daemon(d);
  std::cerr << "myrt: serve: " << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ": stopped after " << st.served.load()
            << " requests (" << st.failed.load() << " failed)";
  if (left > 0) std::cerr << ", " << left << " in flight cut off after " << config.shutdownGraceMs << " ms";
  std::cerr << std::endl;
  return 0;
}

}  // namespace myrt::serve
