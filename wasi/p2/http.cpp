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
  if (!table_.erase(rep, size_t(kind))) io_.recordTrap("unknown handle dropped");
}

size_t WasiHttp::liveResources() const { return table_.live(); }

void WasiHttp::reset() {
  table_.clear();
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
  return add(IncomingBodyRes{q->req->body, false});
}

std::optional<Rep> WasiHttp::incomingBodyStream(Rep b) {
  auto* body = get<2>(b, "incoming-body");
  if (!body || body->streamTaken) return std::nullopt;
  body->streamTaken = true;
  return io_.addInputStream(std::make_shared<host::BufferInputStream>(body->bytes));
}

Rep WasiHttp::incomingBodyFinish(Rep b) {
  (void)take<2>(b, "incoming-body");
  return add(FutureTrailersRes{});
}

Rep WasiHttp::futureTrailersSubscribe(Rep f) {
  (void)get<3>(f, "future-trailers");
  return io_.addPollable(std::make_shared<host::SimplePollable>(host::Wait::ready()));
}

int WasiHttp::futureTrailersGet(Rep f) {
  auto* t = get<3>(f, "future-trailers");
  if (!t) return 0;
  if (t->taken) return 2;
  t->taken = true;
  return 1;
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
  if (!body || body->stream) return std::nullopt;
  body->stream = std::make_shared<host::BufferOutputStream>(body->sink, bodyLimit_);
  return io_.addOutputStream(body->stream);
}

bool WasiHttp::outgoingBodyFinish(Rep b, std::optional<Rep> trailers) {
  auto body = take<5>(b, "outgoing-body");
  if (trailers) (void)take<0>(*trailers, "fields");  // HTTP/1.1 responses here carry no trailers: dropped
  if (!body) return false;
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
  o->sink = std::make_shared<std::string>();
  OutgoingBodyRes b;
  b.sink = o->sink;
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

}  // namespace myrt::wasi::p2
