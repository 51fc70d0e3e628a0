// capi/http_capi.cpp -- the wasi:http part of myrt.h: the embedder's requests answered by a proxy component through
// serve::ProxyHandler, the code path of `myrt serve` (a fresh store and instance per request, pooled host contexts,
// per-request fuel/timeout/limits). A request's body is bytes or the embedder's read callback, wrapped as a host input
// stream the guest reads through wasi:io; the response (status, headers, body) is copied out of the handler's Outcome.
// Layer: capi.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "capi/capi.h"
#include "serve/handler.h"
#include "wasi/host/net.h"

using namespace myrt;
using namespace myrt::capi;

struct myrt_http_handler_t {
  std::unique_ptr<serve::ProxyHandler> handler;
  int fds[2] = {-1, -1};  // our duplicates of the configuration's stdout/stderr (workers duplicate them again)
  ~myrt_http_handler_t() {
    handler.reset();
    for (int fd : fds)
      if (fd >= 0) close(fd);
  }
};

struct myrt_http_request_t {
  wasi::p2::HttpRequestData data;  // body: the bytes (bodyStream unused here: made per call from the callback)
  myrt_http_body_read_t read = nullptr;
  void* env = nullptr;
  void (*finalizer)(void*) = nullptr;
  void dropCallback() {
    if (finalizer) finalizer(env);
    read = nullptr;
    env = nullptr;
    finalizer = nullptr;
  }
  ~myrt_http_request_t() { dropCallback(); }
};

struct myrt_http_response_t {
  uint16_t status = 0;
  wasi::p2::HeaderList headers;
  std::string body;
};

namespace {

myrt_error_t* newError(std::string message) { return new myrt_error_t{Error(std::move(message))}; }

// The request body from the embedder's callback, read when the guest reads (on the thread running the request).
class CallbackInputStream final : public wasi::host::InputStream {
 public:
  CallbackInputStream(myrt_http_body_read_t read, void* env) : read_(read), env_(env) {}
  int read(uint64_t len, std::vector<uint8_t>& out) override {
    if (done_) return len == 0 ? 0 : wasi::host::kClosed;
    if (len == 0) return 0;
    const size_t n = static_cast<size_t>(std::min<uint64_t>(len, kChunk));
    const size_t old = out.size();
    out.resize(old + n);
    const int64_t got = read_(env_, out.data() + old, n);
    if (got <= 0 || static_cast<uint64_t>(got) > n) {
      out.resize(old);
      done_ = true;
      return got == 0 ? wasi::host::kClosed : EIO;  // the end, or the embedder's failure
    }
    out.resize(old + static_cast<size_t>(got));
    return 0;
  }
  wasi::host::Wait readiness() const override { return wasi::host::Wait::ready(); }

 private:
  static constexpr uint64_t kChunk = 64 * 1024;
  myrt_http_body_read_t read_;
  void* env_;
  bool done_ = false;
};

bool plainText(const char* s) {  // no controls, no spaces
  for (; *s; ++s)
    if (static_cast<unsigned char>(*s) <= 0x20 || *s == 0x7f) return false;
  return true;
}

}  // namespace

extern "C" {

myrt_error_t* myrt_wasi_config_allow_http(myrt_wasi_config_t* c, const char* host_port) {
  if (!c || !host_port) return newError("myrt_wasi_config_allow_http: null argument");
  auto hp = wasi::parseHostPort(host_port);
  if (!hp) return newError("myrt_wasi_config_allow_http: " + hp.error().message);
  c->config.network.httpHosts.push_back(*hp);
  return nullptr;
}

void myrt_wasi_config_inherit_network(myrt_wasi_config_t* c) {
  if (c) c->config.network.inheritNetwork = true;
}

void myrt_wasi_config_set_outgoing_http_limits(myrt_wasi_config_t* c, uint32_t maxRequests, uint64_t maxBufferBytes) {
  if (!c) return;
  if (maxRequests) c->config.network.maxOutgoingHttp = maxRequests;
  if (maxBufferBytes) c->config.network.maxOutgoingHttpBuffer = maxBufferBytes;
}

myrt_error_t* myrt_http_handler_new(wasm_engine_t* engine, const myrt_component_t* component,
                                    const myrt_wasi_config_t* wasi, const myrt_http_handler_options_t* options,
                                    myrt_http_handler_t** out) {
  if (out) *out = nullptr;
  if (!engine || !component || !out) return newError("myrt_http_handler_new: null argument");
  auto h = std::make_unique<myrt_http_handler_t>();
  serve::HandlerConfig hc;
  hc.tier = engine->tier;
  hc.limits = engine->limits;
  if (options) {
    if (options->fuel) hc.fuel = options->fuel;
    if (options->timeout_ms) hc.timeoutMs = options->timeout_ms;
    if (options->max_body_bytes) hc.bodyLimit = options->max_body_bytes;
  }
  if (wasi) {
    hc.wasi = wasi->config;
    for (int i = 0; i < 2; ++i) {
      int& fd = i == 0 ? hc.wasi.stdoutFd : hc.wasi.stderrFd;
      if (fd < 0) continue;
      h->fds[i] = fcntl(fd, F_DUPFD_CLOEXEC, 0);
      if (h->fds[i] < 0) return newError(std::string("myrt_http_handler_new: cannot duplicate stdio: ") + strerror(errno));
      fd = h->fds[i];
    }
  } else {
    hc.wasi.stdoutFd = hc.wasi.stderrFd = -1;
  }
  auto made = serve::ProxyHandler::create(component->c, std::move(hc));
  if (!made) return new myrt_error_t{made.error()};
  h->handler = std::move(*made);
  *out = h.release();
  return nullptr;
}

void myrt_http_handler_delete(myrt_http_handler_t* h) { delete h; }

myrt_error_t* myrt_http_request_new(const char* method, const char* scheme, const char* authority,
                                    const char* path_with_query, myrt_http_request_t** out) {
  if (out) *out = nullptr;
  if (!method || !out) return newError("myrt_http_request_new: null argument");
  if (!wasi::p2::validFieldName(method)) return newError(std::string("invalid HTTP method '") + method + "'");
  for (const char* part : {scheme, authority, path_with_query})
    if (part && !plainText(part)) return newError(std::string("invalid request target part '") + part + "'");
  auto* r = new myrt_http_request_t;
  r->data.method = method;
  r->data.scheme = scheme && *scheme ? scheme : "http";
  r->data.authority = authority ? authority : "";
  r->data.pathWithQuery = path_with_query ? path_with_query : "/";
  *out = r;
  return nullptr;
}

void myrt_http_request_delete(myrt_http_request_t* r) { delete r; }

myrt_error_t* myrt_http_request_add_header(myrt_http_request_t* r, const char* name, const char* value,
                                           size_t value_len) {
  if (!r || !name || (!value && value_len)) return newError("myrt_http_request_add_header: null argument");
  const std::string_view v(value ? value : "", value ? value_len : 0);
  if (!wasi::p2::validFieldName(name)) return newError(std::string("invalid header name '") + name + "'");
  if (!wasi::p2::validFieldValue(v)) return newError(std::string("invalid value of header '") + name + "'");
  std::string n = name;
  for (char& c : n)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  r->data.headers.emplace_back(std::move(n), std::string(v));
  return nullptr;
}

void myrt_http_request_set_body(myrt_http_request_t* r, const uint8_t* bytes, size_t len) {
  if (!r) return;
  r->dropCallback();
  r->data.body = std::make_shared<const std::string>(bytes ? std::string(reinterpret_cast<const char*>(bytes), len)
                                                           : std::string());
}

void myrt_http_request_set_body_callback(myrt_http_request_t* r, myrt_http_body_read_t read, void* env,
                                         void (*finalizer)(void*)) {
  if (!r) return;
  r->dropCallback();
  r->data.body = std::make_shared<const std::string>();
  r->read = read;
  r->env = env;
  r->finalizer = finalizer;
}

myrt_error_t* myrt_http_handler_handle(myrt_http_handler_t* h, const myrt_http_request_t* r,
                                       myrt_http_response_t** out, wasm_trap_t** trap) {
  if (out) *out = nullptr;
  if (trap) *trap = nullptr;
  if (!h || !r || !out) return newError("myrt_http_handler_handle: null argument");
  const uint64_t limit = h->handler->config().bodyLimit;
  if (r->data.body->size() > limit)
    return newError("the request body (" + std::to_string(r->data.body->size()) + " bytes) is larger than max_body_bytes (" +
                    std::to_string(limit) + ")");
  wasi::p2::HttpRequestData req = r->data;  // the body bytes are shared, not copied
  if (r->read) req.bodyStream = std::make_shared<CallbackInputStream>(r->read, r->env);
  serve::Outcome o = h->handler->handle(std::move(req));
  if (o.trap) {
    if (trap) {
      *trap = makeTrap(nullptr, *o.trap);
      H(*trap)->trap->text = std::move(o.trapText);
    }
    return nullptr;
  }
  if (!o.error.empty()) return newError(std::move(o.error));
  *out = new myrt_http_response_t{o.status, std::move(o.headers), std::move(o.body)};
  return nullptr;
}

void myrt_http_response_delete(myrt_http_response_t* r) { delete r; }
uint16_t myrt_http_response_status(const myrt_http_response_t* r) { return r ? r->status : 0; }
size_t myrt_http_response_header_count(const myrt_http_response_t* r) { return r ? r->headers.size() : 0; }
bool myrt_http_response_header(const myrt_http_response_t* r, size_t i, const char** name, size_t* name_len,
                               const char** value, size_t* value_len) {
  if (!r || i >= r->headers.size()) return false;
  const auto& [n, v] = r->headers[i];
  if (name) *name = n.data();
  if (name_len) *name_len = n.size();
  if (value) *value = v.data();
  if (value_len) *value_len = v.size();
  return true;
}
const uint8_t* myrt_http_response_body(const myrt_http_response_t* r, size_t* len) {
  if (len) *len = r ? r->body.size() : 0;
  if (!r || r->body.empty()) return nullptr;
  return reinterpret_cast<const uint8_t*>(r->body.data());
}

}  // extern "C"
