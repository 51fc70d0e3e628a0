// wasi/p2/http.cpp -- wasi:http/types on the host (see http.h): the resource table, header validation, the request
// and response sides of one served request, and the outgoing-request values a guest builds.
// Layer: wasi/p2.
#include "wasi/p2/http.h"

#include <algorithm>

namespace myrt::wasi::p2 {

namespace {

const char* const kMethods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

WasiHttp::Method methodOf(const std::string& m) {
  for (uint32_t i = 0; i < 9; ++i)
    if (m == kMethods[i]) return {i, {}};
  return {9, m};
}

// The output-stream of an outgoing request's body.
class PipeOutputStream final : public host::OutputStream {
 public:
  explicit PipeOutputStream(std::shared_ptr<RequestBodyPipe> p) : p_(std::move(p)) {}
  int checkWrite(uint64_t& n) override { return p_->checkWrite(n); }
  int write(const uint8_t* p, size_t len) override { return p_->write(p, len); }
  host::Wait readiness() const override { return p_->readiness(); }

 private:
  std::shared_ptr<RequestBodyPipe> p_;
};

// A pollable on an exchange: its response head (future-incoming-response) or its end (future-trailers).
class ExchangePollable final : public host::Pollable {
 public:
  ExchangePollable(std::shared_ptr<HttpExchange> x, bool end) : x_(std::move(x)), end_(end) {}
  host::Wait wait() const override { return end_ ? x_->doneWait() : x_->headersWait(); }

 private:
  std::shared_ptr<HttpExchange> x_;
  bool end_;
};

}  // namespace

const char* httpErrorCodeName(uint32_t index) {
  static const char* const kNames[] = {
      "DNS-timeout", "DNS-error", "destination-not-found", "destination-unavailable", "destination-IP-prohibited",
      "destination-IP-unroutable", "connection-refused", "connection-terminated", "connection-timeout",
      "connection-read-timeout", "connection-write-timeout", "connection-limit-reached", "TLS-protocol-error",
      "TLS-certificate-error", "TLS-alert-received", "HTTP-request-denied", "HTTP-request-length-required",
      "HTTP-request-body-size", "HTTP-request-method-invalid", "HTTP-request-URI-invalid", "HTTP-request-URI-too-long",
      "HTTP-request-header-section-size", "HTTP-request-header-size", "HTTP-request-trailer-section-size",
      "HTTP-request-trailer-size", "HTTP-response-incomplete", "HTTP-response-header-section-size",
      "HTTP-response-header-size", "HTTP-response-body-size", "HTTP-response-trailer-section-size",
      "HTTP-response-trailer-size", "HTTP-response-transfer-coding", "HTTP-response-content-coding",
      "HTTP-response-timeout", "HTTP-upgrade-failed", "HTTP-protocol-error", "loop-detected", "configuration-error",
      "internal-error"};
  return index < sizeof kNames / sizeof kNames[0] ? kNames[index] : "unknown";
}

bool validFieldName(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) == std::string_view::npos)
      return false;
  }
  return true;
}

bool validFieldValue(std::string_view value) {
  for (unsigned char c : value)
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  return true;
}

bool forbiddenFieldName(std::string_view n) {
  for (const char* f : {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
                        "transfer-encoding", "upgrade", "host", "http2-settings"})
    if (n == f) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// resources

void WasiHttp::drop(Kind kind, Rep rep) {
  if (kind == Kind::OutgoingBody)  // a request body dropped without finish: the request fails
    if (auto* b = table_.find<5>(rep); b && b->pipe && !b->pipe->finished()) b->pipe->abandon();
  if (!table_.erase(rep, size_t(kind))) io_.recordTrap("unknown handle dropped");
}

size_t WasiHttp::liveResources() const { return table_.live(); }

void WasiHttp::reset() {
  table_.clear();
  outgoing_.clear();
  response_ = HttpResponseData{};
  responseFinished_.reset();
}

Rep WasiHttp::newIncomingRequest(HttpRequestData req) {
  for (auto& h : req.headers) h.first = lower(h.first);
  std::erase_if(req.headers, [](const auto& h) { return forbiddenFieldName(h.first); });
  return add(IncomingRequestRes{std::make_shared<HttpRequestData>(std::move(req)), false});
}

Rep WasiHttp::newResponseOutparam() { return add(ResponseOutparamRes{}); }

// ---------------------------------------------------------------------------------------------------------------
// fields

Rep WasiHttp::newFields(HeaderList entries, bool immutable) { return add(FieldsRes{std::move(entries), immutable}); }

Rep WasiHttp::fieldsNew() { return newFields({}, false); }

Expected<Rep, HeaderError> WasiHttp::fieldsFromList(const HeaderList& entries) {
  HeaderList out;
  for (const auto& [name, value] : entries) {
    if (!validFieldName(name) || !validFieldValue(value)) return Expected<Rep, HeaderError>::failure(HeaderError::InvalidSyntax);
    std::string n = lower(name);
    if (forbiddenFieldName(n)) return Expected<Rep, HeaderError>::failure(HeaderError::Forbidden);
    out.emplace_back(std::move(n), value);
  }
  return newFields(std::move(out), false);
}

std::vector<std::string> WasiHttp::fieldsGet(Rep f, std::string_view name) {
  std::vector<std::string> out;
  FieldsRes* fs = fields(f);
  if (!fs) return out;
  const std::string n = lower(name);
  for (const auto& [k, v] : fs->entries)
    if (k == n) out.push_back(v);
  return out;
}

bool WasiHttp::fieldsHas(Rep f, std::string_view name) {
  FieldsRes* fs = fields(f);
  if (!fs) return false;
  const std::string n = lower(name);
  return std::any_of(fs->entries.begin(), fs->entries.end(), [&](const auto& e) { return e.first == n; });
}

Expected<WasiHttp::FieldsRes*, HeaderError> WasiHttp::mutableFields(Rep rep, std::string_view name) {
  FieldsRes* fs = fields(rep);
  if (!fs) return fs;  // the trap is recorded
  if (fs->immutable) return Expected<FieldsRes*, HeaderError>::failure(HeaderError::Immutable);
  if (!validFieldName(name)) return Expected<FieldsRes*, HeaderError>::failure(HeaderError::InvalidSyntax);
  if (forbiddenFieldName(lower(name))) return Expected<FieldsRes*, HeaderError>::failure(HeaderError::Forbidden);
  return fs;
}

Expected<Unit, HeaderError> WasiHttp::fieldsSet(Rep f, std::string_view name, const std::vector<std::string>& values) {
  auto fs = mutableFields(f, name);
  if (!fs.ok()) return Expected<Unit, HeaderError>::failure(fs.error());
  if (!fs.value()) return Unit{};
  for (const std::string& v : values)
    if (!validFieldValue(v)) return Expected<Unit, HeaderError>::failure(HeaderError::InvalidSyntax);
  const std::string n = lower(name);
  std::erase_if(fs.value()->entries, [&](const auto& e) { return e.first == n; });
  for (const std::string& v : values) fs.value()->entries.emplace_back(n, v);
  return Unit{};
}

Expected<Unit, HeaderError> WasiHttp::fieldsDelete(Rep f, std::string_view name) {
  auto fs = mutableFields(f, name);
  if (!fs.ok()) return Expected<Unit, HeaderError>::failure(fs.error());
  if (!fs.value()) return Unit{};
  const std::string n = lower(name);
  std::erase_if(fs.value()->entries, [&](const auto& e) { return e.first == n; });
  return Unit{};
}

Expected<Unit, HeaderError> WasiHttp::fieldsAppend(Rep f, std::string_view name, std::string_view value) {
  auto fs = mutableFields(f, name);
  if (!fs.ok()) return Expected<Unit, HeaderError>::failure(fs.error());
  if (!fs.value()) return Unit{};
  if (!validFieldValue(value)) return Expected<Unit, HeaderError>::failure(HeaderError::InvalidSyntax);
  fs.value()->entries.emplace_back(lower(name), std::string(value));
  return Unit{};
}

HeaderList WasiHttp::fieldsEntries(Rep f) {
  FieldsRes* fs = fields(f);
  return fs ? fs->entries : HeaderList{};
}

Rep WasiHttp::fieldsClone(Rep f) {
  FieldsRes* fs = fields(f);
  return newFields(fs ? fs->entries : HeaderList{}, false);
}

// ---------------------------------------------------------------------------------------------------------------
// incoming-request, incoming-body, future-trailers

WasiHttp::Method WasiHttp::requestMethod(Rep r) {
  auto* q = get<1>(r, "incoming-request");
  return q ? methodOf(q->req->method) : Method{};
}

std::optional<std::string> WasiHttp::requestPathWithQuery(Rep r) {
  auto* q = get<1>(r, "incoming-request");
  if (!q) return std::nullopt;
  return q->req->pathWithQuery;
}

std::optional<WasiHttp::Method> WasiHttp::requestScheme(Rep r) {
  auto* q = get<1>(r, "incoming-request");
  if (!q) return std::nullopt;
  const std::string& s = q->req->scheme;
  if (s == "http") return Method{0, {}};
  if (s == "https") return Method{1, {}};
  return Method{2, s};
}

std::optional<std::string> WasiHttp::requestAuthority(Rep r) {
  auto* q = get<1>(r, "incoming-request");
  if (!q || q->req->authority.empty()) return std::nullopt;
  return q->req->authority;
}

Rep WasiHttp::requestHeaders(Rep r) {
  auto* q = get<1>(r, "incoming-request");
  return newFields(q ? q->req->headers : HeaderList{}, true);
}

std::optional<Rep> WasiHttp::requestConsume(Rep r) {
  auto* q = get<1>(r, "incoming-request");
  if (!q || q->consumed) return std::nullopt;
  q->consumed = true;
  return add(IncomingBodyRes{q->req->body, nullptr, q->req->bodyStream, false});
}

std::optional<Rep> WasiHttp::incomingBodyStream(Rep b) {
  auto* body = get<2>(b, "incoming-body");
  if (!body || body->streamTaken) return std::nullopt;
  body->streamTaken = true;
  if (body->exchange) return io_.addInputStream(body->exchange->bodyStream(body->exchange));
  if (body->source) return io_.addInputStream(body->source);
  return io_.addInputStream(std::make_shared<host::BufferInputStream>(body->bytes));
}

Rep WasiHttp::incomingBodyFinish(Rep b) {
  auto body = take<2>(b, "incoming-body");
  return add(FutureTrailersRes{body ? body->exchange : nullptr, false});
}

Rep WasiHttp::futureTrailersSubscribe(Rep f) {
  auto* t = get<3>(f, "future-trailers");
  if (t && t->exchange) return io_.addPollable(std::make_shared<ExchangePollable>(t->exchange, true));
  return io_.addPollable(std::make_shared<host::SimplePollable>(host::Wait::ready()));
}

WasiHttp::TrailersGet WasiHttp::futureTrailersGet(Rep f) {
  TrailersGet out;
  auto* t = get<3>(f, "future-trailers");
  if (!t) return out;
  if (t->exchange && !t->exchange->done()) return out;
  if (t->taken) {
    out.state = 2;
    return out;
  }
  t->taken = true;
  out.state = 1;
  if (t->exchange) {
    out.error = t->exchange->error();
    if (!out.error) {
      HeaderList tr = t->exchange->trailers();
      if (!tr.empty()) out.trailers = newFields(std::move(tr), true);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// outgoing-response, outgoing-body, response-outparam

Rep WasiHttp::responseNew(Rep headers) {
  auto fs = take<0>(headers, "fields");
  OutgoingResponseRes r;
  if (fs) r.headers = std::move(fs->entries);
  return add(std::move(r));
}

uint16_t WasiHttp::responseStatus(Rep r) {
  auto* o = get<4>(r, "outgoing-response");
  return o ? o->status : 0;
}

bool WasiHttp::responseSetStatus(Rep r, uint32_t code) {
  auto* o = get<4>(r, "outgoing-response");
  if (!o || code < 100 || code > 999) return false;
  o->status = static_cast<uint16_t>(code);
  return true;
}

Rep WasiHttp::responseHeaders(Rep r) {
  auto* o = get<4>(r, "outgoing-response");
  return newFields(o ? o->headers : HeaderList{}, true);
}

std::optional<Rep> WasiHttp::responseBody(Rep r) {
  auto* o = get<4>(r, "outgoing-response");
  if (!o || o->bodyTaken) return std::nullopt;
  o->bodyTaken = true;
  o->sink = std::make_shared<std::string>();
  o->finished = std::make_shared<bool>(false);
  OutgoingBodyRes b;
  b.sink = o->sink;
  b.finished = o->finished;  // the response and its body share it
  return add(std::move(b));
}

std::optional<Rep> WasiHttp::outgoingBodyWrite(Rep b) {
  auto* body = get<5>(b, "outgoing-body");
  if (!body || body->stream || body->pipeStreamTaken) return std::nullopt;
  if (body->pipe) {
    body->pipeStreamTaken = true;
    return io_.addOutputStream(std::make_shared<PipeOutputStream>(body->pipe));
  }
  body->stream = std::make_shared<host::BufferOutputStream>(body->sink, bodyLimit_);
  return io_.addOutputStream(body->stream);
}

bool WasiHttp::outgoingBodyFinish(Rep b, std::optional<Rep> trailers) {
  auto body = take<5>(b, "outgoing-body");
  std::optional<FieldsRes> fs;
  if (trailers) fs = take<0>(*trailers, "fields");  // served responses here carry no trailers: dropped
  if (!body) return false;
  if (body->pipe) {  // an outgoing request's body: trailers go with it (chunked requests)
    body->pipe->finish(fs ? std::optional<HeaderList>(std::move(fs->entries)) : std::nullopt);
    return true;
  }
  if (body->stream) body->stream->close();
  if (body->finished) *body->finished = true;
  return true;
}

void WasiHttp::outparamSet(Rep param, std::optional<Rep> response, uint32_t errorIndex) {
  if (!take<6>(param, "response-outparam")) return;
  if (response_.set) {
    io_.recordTrap("response-outparam.set called twice");
    return;
  }
  response_.set = true;
  if (!response) {
    response_.isError = true;
    response_.errorName = httpErrorCodeName(errorIndex);
    return;
  }
  auto r = take<4>(*response, "outgoing-response");
  if (!r) return;
  response_.status = r->status;
  response_.headers = std::move(r->headers);
  response_.body = r->sink;
  responseFinished_ = r->finished;
}

bool WasiHttp::responseComplete() const {
  if (!response_.body) return true;  // no body taken: an empty body
  return responseFinished_ && *responseFinished_;
}

// ---------------------------------------------------------------------------------------------------------------
// outgoing-request, request-options

Rep WasiHttp::outgoingRequestNew(Rep headers) {
  auto fs = take<0>(headers, "fields");
  OutgoingRequestRes r;
  if (fs) r.headers = std::move(fs->entries);
  return add(std::move(r));
}

std::optional<Rep> WasiHttp::outgoingRequestBody(Rep r) {
  auto* o = get<7>(r, "outgoing-request");
  if (!o || o->bodyTaken) return std::nullopt;
  o->bodyTaken = true;
  o->pipe = std::make_shared<RequestBodyPipe>(bodyLimit_, budget_);
  OutgoingBodyRes b;
  b.pipe = o->pipe;
  b.finished = std::make_shared<bool>(false);
  b.forResponse = false;
  return add(std::move(b));
}

WasiHttp::Method WasiHttp::outgoingRequestMethod(Rep r) {
  auto* o = get<7>(r, "outgoing-request");
  return o ? o->method : Method{};
}

bool WasiHttp::outgoingRequestSetMethod(Rep r, Method m) {
  auto* o = get<7>(r, "outgoing-request");
  if (!o || (m.index == 9 && !validFieldName(m.other))) return false;  // a method is a token
  o->method = std::move(m);
  return true;
}

std::optional<std::string> WasiHttp::outgoingRequestPathWithQuery(Rep r) {
  auto* o = get<7>(r, "outgoing-request");
  return o ? o->pathWithQuery : std::nullopt;
}

bool WasiHttp::outgoingRequestSetPathWithQuery(Rep r, std::optional<std::string> p) {
  auto* o = get<7>(r, "outgoing-request");
  if (!o) return false;
  if (p && !validFieldValue(*p)) return false;
  o->pathWithQuery = std::move(p);
  return true;
}

std::optional<WasiHttp::Method> WasiHttp::outgoingRequestScheme(Rep r) {
  auto* o = get<7>(r, "outgoing-request");
  return o ? o->scheme : std::nullopt;
}

bool WasiHttp::outgoingRequestSetScheme(Rep r, std::optional<Method> s) {
  auto* o = get<7>(r, "outgoing-request");
  if (!o || (s && s->index == 2 && !validFieldName(s->other))) return false;
  o->scheme = std::move(s);
  return true;
}

std::optional<std::string> WasiHttp::outgoingRequestAuthority(Rep r) {
  auto* o = get<7>(r, "outgoing-request");
  return o ? o->authority : std::nullopt;
}

bool WasiHttp::outgoingRequestSetAuthority(Rep r, std::optional<std::string> a) {
  auto* o = get<7>(r, "outgoing-request");
  if (!o || (a && !validFieldValue(*a))) return false;
  o->authority = std::move(a);
  return true;
}

Rep WasiHttp::outgoingRequestHeaders(Rep r) {
  auto* o = get<7>(r, "outgoing-request");
  return newFields(o ? o->headers : HeaderList{}, true);
}

Rep WasiHttp::requestOptionsNew() { return add(RequestOptionsRes{}); }

std::optional<uint64_t> WasiHttp::requestOptionsGet(Rep o, int which) {
  auto* opts = get<8>(o, "request-options");
  return opts ? opts->timeouts[which] : std::nullopt;
}

bool WasiHttp::requestOptionsSet(Rep o, int which, std::optional<uint64_t> ns) {
  auto* opts = get<8>(o, "request-options");
  if (!opts) return false;
  opts->timeouts[which] = ns;
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// outgoing-handler, future-incoming-response, incoming-response

Expected<Rep, HttpError> WasiHttp::handle(Rep request, std::optional<Rep> options) {
  using R = Expected<Rep, HttpError>;
  auto req = take<7>(request, "outgoing-request");
  std::optional<RequestOptionsRes> opts;
  if (options) opts = take<8>(*options, "request-options");
  if (!req) return R::failure(HttpError{kErrorInternal, std::string("unknown outgoing-request")});
  std::string scheme = "https";  // none: https (as wasmtime)
  if (req->scheme) {
    if (req->scheme->index == 0) scheme = "http";
    else if (req->scheme->index != 1) return R::failure(HttpError{kErrorProtocol, std::nullopt});
  }
  if (!req->authority || req->authority->empty() || req->authority->find('@') != std::string::npos)
    return R::failure(HttpError{kErrorUriInvalid, std::nullopt});
  auto dest = parseHostPort(*req->authority);
  if (!dest) return R::failure(HttpError{kErrorUriInvalid, std::nullopt});
  HostPort target = *dest;
  if (!target.port) target.port = scheme == "http" ? 80 : 443;
  if (!grants_.allowsHttp(target)) return R::failure(HttpError{kErrorHttpRequestDenied, std::nullopt});
  std::string path = req->pathWithQuery.value_or("/");
  if (path.empty()) path = "/";
  if (path[0] != '/') return R::failure(HttpError{kErrorUriInvalid, std::nullopt});
  for (unsigned char c : path)
    if (c <= 0x20 || c == 0x7f || c == '#') return R::failure(HttpError{kErrorUriInvalid, std::nullopt});
  // Requests alive at once: each holds up to kBodyWindow bytes each way (http_client.h) until the guest drops its
  // last resource of it.
  std::erase_if(outgoing_, [](const std::weak_ptr<HttpExchange>& x) { return x.expired(); });
  if (outgoing_.size() >= grants_.maxOutgoingHttp)
    return R::failure(HttpError{kErrorConnectionLimitReached, std::nullopt});
  ClientRequest cr;
  cr.method = req->method.index < 9 ? kMethods[req->method.index] : req->method.other;
  const bool v6 = dest->host.find(':') != std::string::npos;
  cr.url = scheme + "://" + (v6 ? "[" + dest->host + "]" : dest->host) +
           (dest->port ? ":" + std::to_string(*dest->port) : std::string()) + path;
  cr.headers = std::move(req->headers);
  cr.body = req->pipe;
  if (cr.body && cr.body->finished()) cr.bodyLength = cr.body->written();
  if (opts) {
    cr.connectTimeoutNs = opts->timeouts[0];
    cr.firstByteTimeoutNs = opts->timeouts[1];
    cr.betweenBytesTimeoutNs = opts->timeouts[2];
  }
  auto x = startHttpRequest(std::move(cr));
  if (!x) return R::failure(HttpError{kErrorInternal, x.error().message});
  outgoing_.push_back(*x);
  return add(FutureResponseRes{std::move(*x), false});
}

Rep WasiHttp::futureResponseSubscribe(Rep f) {
  auto* fr = get<9>(f, "future-incoming-response");
  if (!fr) return io_.addPollable(std::make_shared<host::SimplePollable>(host::Wait::ready()));
  return io_.addPollable(std::make_shared<ExchangePollable>(fr->exchange, false));
}

WasiHttp::ResponseGet WasiHttp::futureResponseGet(Rep f) {
  ResponseGet out;
  auto* fr = get<9>(f, "future-incoming-response");
  if (!fr || !fr->exchange->headersReady()) return out;
  if (fr->taken) {
    out.state = 3;
    return out;
  }
  fr->taken = true;
  if (auto e = fr->exchange->headError()) {
    out.state = 2;
    out.error = *e;
    return out;
  }
  out.state = 1;
  out.response = add(IncomingResponseRes{fr->exchange, false});
  return out;
}

uint16_t WasiHttp::incomingResponseStatus(Rep r) {
  auto* ir = get<10>(r, "incoming-response");
  return ir ? ir->exchange->status() : 0;
}

Rep WasiHttp::incomingResponseHeaders(Rep r) {
  auto* ir = get<10>(r, "incoming-response");
  return newFields(ir ? ir->exchange->headers() : HeaderList{}, true);
}

std::optional<Rep> WasiHttp::incomingResponseConsume(Rep r) {
  auto* ir = get<10>(r, "incoming-response");
  if (!ir || ir->consumed) return std::nullopt;
  ir->consumed = true;
  return add(IncomingBodyRes{nullptr, ir->exchange, nullptr, false});
}

}  // namespace myrt::wasi::p2
