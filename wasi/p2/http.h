// wasi/p2/http.h -- wasi:http/types (0.2.x) on the host: fields with header validation, incoming requests handed to
// a guest's incoming-handler, outgoing responses it builds, request/response bodies as wasi:io streams (on the
// WasiP2 resource table, so wasi:io/streams and poll work on them unchanged), and outgoing requests
// (wasi:http/outgoing-handler: sent by http_client.h when the destination is granted (NetworkGrants: --allow-http,
// -S inherit-network), else answered HTTP-request-denied).
//
// Served bodies are in memory: the server reads a request body completely before it calls the guest (up to its limit)
// and sends the response when the handler has returned (the guest's writes append to a buffer with a cap). Outgoing
// requests stream both ways: the request body is sent as the guest writes it, the response body arrives as it comes
// (http_client.h: flow control, timeouts, trailers).
//
// Header rules (as wasmtime's): names are HTTP tokens (RFC 9110), stored lowercase and compared case-insensitively;
// values are bytes without NUL, CR, LF or other controls than HTAB; invalid -> header-error.invalid-syntax; the
// hop-by-hop and host-controlled names (connection, keep-alive, proxy-authenticate, proxy-authorization,
// proxy-connection, transfer-encoding, upgrade, host, http2-settings) -> header-error.forbidden, and they are removed
// from incoming requests; the fields of a request/response (headers(), incoming ones) are immutable ->
// header-error.immutable.
// Layer: wasi/p2 (depends on wasi/host and WasiP2's table).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "wasi/host/net.h"
#include "wasi/p2/context.h"
#include "wasi/p2/http_client.h"

namespace myrt::wasi::p2 {

// The request as the server received it.
struct HttpRequestData {
  std::string method;         // "GET", "POST", ... (any token)
  std::string pathWithQuery;  // "/info?a=1"
  std::string scheme = "http";
  std::string authority;      // the Host header ("" = none)
  HeaderList headers;         // as received (forbidden ones are removed when the guest sees them)
  std::shared_ptr<const std::string> body = std::make_shared<const std::string>();
  // When set, the body instead: read as the guest reads it (the C API's streaming callback), once.
  std::shared_ptr<host::InputStream> bodyStream;
};

// What the guest answered through its response-outparam.
struct HttpResponseData {
  bool set = false;         // response-outparam.set was called
  bool isError = false;     // ... with err(error-code)
  std::string errorName;    // that error-code's case name
  uint16_t status = 200;
  HeaderList headers;
  std::shared_ptr<std::string> body;  // the body's bytes (null: the guest never took the body)
};

constexpr uint32_t kErrorHttpRequestDenied = 15;
constexpr uint32_t kErrorUriInvalid = 19;
constexpr uint32_t kErrorProtocol = 35;
constexpr uint32_t kErrorInternal = 38;

enum class HeaderError : uint8_t { InvalidSyntax, Forbidden, Immutable };

bool validFieldName(std::string_view name);
bool validFieldValue(std::string_view value);
bool forbiddenFieldName(std::string_view lowercaseName);

class WasiHttp {
 public:
  // `io` holds the streams and pollables of bodies; both must outlive the guest instance.
  // `grants`: the destinations outgoing requests may reach (none by default) and the limits of outgoing requests
  // (maxOutgoingHttp requests alive at once, maxOutgoingHttpBuffer bytes of request bodies not yet sent).
  WasiHttp(WasiP2& io, uint64_t bodyLimit, NetworkGrants grants = {})
      : io_(io), bodyLimit_(bodyLimit), grants_(std::move(grants)),
        budget_(std::make_shared<ByteBudget>(grants_.maxOutgoingHttpBuffer)) {}

  // ---- the server side of one request
  void reset();  // forget every resource (the previous request's instance is gone)
  Rep newIncomingRequest(HttpRequestData req);
  Rep newResponseOutparam();
  const HttpResponseData& response() const { return response_; }
  // Whether the response's body was finished (or never taken: empty). A body dropped unfinished is incomplete.
  bool responseComplete() const;

  // ---- fields
  Rep fieldsNew();
  Expected<Rep, HeaderError> fieldsFromList(const HeaderList& entries);
  std::vector<std::string> fieldsGet(Rep f, std::string_view name);
  bool fieldsHas(Rep f, std::string_view name);
  Expected<Unit, HeaderError> fieldsSet(Rep f, std::string_view name, const std::vector<std::string>& values);
  Expected<Unit, HeaderError> fieldsDelete(Rep f, std::string_view name);
  Expected<Unit, HeaderError> fieldsAppend(Rep f, std::string_view name, std::string_view value);
  HeaderList fieldsEntries(Rep f);
  Rep fieldsClone(Rep f);

  // ---- incoming-request
  struct Method {
    uint32_t index = 0;  // get .. patch, 9 = other
    std::string other;
  };
  Method requestMethod(Rep r);
  std::optional<std::string> requestPathWithQuery(Rep r);
  std::optional<Method> requestScheme(Rep r);  // index: 0 HTTP, 1 HTTPS, 2 other
  std::optional<std::string> requestAuthority(Rep r);
  Rep requestHeaders(Rep r);  // a new immutable fields
  std::optional<Rep> requestConsume(Rep r);  // own<incoming-body>, once

  // ---- incoming-body / future-trailers
  std::optional<Rep> incomingBodyStream(Rep b);  // own<input-stream> (on the WasiP2 table), once
  Rep incomingBodyFinish(Rep b);                 // consumes b; own<future-trailers>
  Rep futureTrailersSubscribe(Rep f);            // own<pollable> (ready)
  // option<result<result<option<trailers>, error-code>>>
  struct TrailersGet {
    int state = 0;                // 0 none (not ready), 1 some(ok(...)), 2 some(err) (taken before)
    std::optional<Rep> trailers;  // state 1: own<fields> when there are trailers
    std::optional<HttpError> error;  // state 1: the body failed
  };
  TrailersGet futureTrailersGet(Rep f);

  // ---- outgoing-response / outgoing-body / response-outparam
  Rep responseNew(Rep headers);  // consumes the fields
  uint16_t responseStatus(Rep r);
  bool responseSetStatus(Rep r, uint32_t code);  // false: not a valid status (100..999)
  Rep responseHeaders(Rep r);
  std::optional<Rep> responseBody(Rep r);          // own<outgoing-body>, once
  std::optional<Rep> outgoingBodyWrite(Rep b);     // own<output-stream>, once
  bool outgoingBodyFinish(Rep b, std::optional<Rep> trailers);  // consumes b (and the trailers)
  void outparamSet(Rep param, std::optional<Rep> response, uint32_t errorIndex);  // response or err(errorIndex)

  // ---- outgoing-request / request-options (built by the guest; sent by the outgoing-handler)
  Rep outgoingRequestNew(Rep headers);
  std::optional<Rep> outgoingRequestBody(Rep r);
  Method outgoingRequestMethod(Rep r);
  bool outgoingRequestSetMethod(Rep r, Method m);
  std::optional<std::string> outgoingRequestPathWithQuery(Rep r);
  bool outgoingRequestSetPathWithQuery(Rep r, std::optional<std::string> p);
  std::optional<Method> outgoingRequestScheme(Rep r);
  bool outgoingRequestSetScheme(Rep r, std::optional<Method> s);
  std::optional<std::string> outgoingRequestAuthority(Rep r);
  bool outgoingRequestSetAuthority(Rep r, std::optional<std::string> a);
  Rep outgoingRequestHeaders(Rep r);
  Rep requestOptionsNew();
  std::optional<uint64_t> requestOptionsGet(Rep o, int which);  // 0 connect, 1 first-byte, 2 between-bytes
  bool requestOptionsSet(Rep o, int which, std::optional<uint64_t> ns);

  // ---- outgoing-handler, future-incoming-response, incoming-response
  // handle(request, options): consumes both; own<future-incoming-response> or the error-code.
  Expected<Rep, HttpError> handle(Rep request, std::optional<Rep> options);
  Rep futureResponseSubscribe(Rep f);  // own<pollable>
  // option<result<result<own<incoming-response>, error-code>>>
  struct ResponseGet {
    int state = 0;              // 0 none (not ready), 1 some(ok(ok(response))), 2 some(ok(err(error))), 3 some(err)
    Rep response = 0;
    HttpError error;
  };
  ResponseGet futureResponseGet(Rep f);
  uint16_t incomingResponseStatus(Rep r);
  Rep incomingResponseHeaders(Rep r);                 // a new immutable fields
  std::optional<Rep> incomingResponseConsume(Rep r);  // own<incoming-body>, once

  // ---- resources
  enum class Kind : uint8_t {
    Fields, IncomingRequest, IncomingBody, FutureTrailers, OutgoingResponse, OutgoingBody, ResponseOutparam,
    OutgoingRequest, RequestOptions, FutureIncomingResponse, IncomingResponse,
  };
  void drop(Kind kind, Rep rep);
  size_t liveResources() const;
  // A trap message for functions whose resource cannot exist yet (future-incoming-response, incoming-response).
  void badHandle(const char* what) { io_.recordTrap(std::string("unknown handle: not a ") + what); }
  const NetworkGrants& grants() const { return grants_; }

 private:
  struct FieldsRes {
    HeaderList entries;
    bool immutable = false;
  };
  struct IncomingRequestRes {
    std::shared_ptr<HttpRequestData> req;
    bool consumed = false;
  };
  struct IncomingBodyRes {
    std::shared_ptr<const std::string> bytes;  // a served request's body
    std::shared_ptr<HttpExchange> exchange;    // or an outgoing request's response body
    std::shared_ptr<host::InputStream> source;  // or a served request's streamed body (HttpRequestData::bodyStream)
    bool streamTaken = false;
  };
  struct FutureTrailersRes {
    std::shared_ptr<HttpExchange> exchange;  // null: a served request (no trailers)
    bool taken = false;
  };
  struct OutgoingBodyRes {
    std::shared_ptr<std::string> sink;
    std::shared_ptr<RequestBodyPipe> pipe;  // an outgoing request's body (instead of sink)
    bool pipeStreamTaken = false;
    std::shared_ptr<host::BufferOutputStream> stream;  // once write() was called
    std::shared_ptr<bool> finished;                    // set by finish (shared with the response)
    bool forResponse = true;
  };
  struct OutgoingResponseRes {
    uint16_t status = 200;
    HeaderList headers;
    std::shared_ptr<std::string> sink;  // once body() was called
    std::shared_ptr<bool> finished;     // shared with the outgoing-body
    bool bodyTaken = false;
  };
  struct ResponseOutparamRes {};
  struct OutgoingRequestRes {
    Method method;
    std::optional<std::string> pathWithQuery, authority;
    std::optional<Method> scheme;
    HeaderList headers;
    std::shared_ptr<RequestBodyPipe> pipe;
    bool bodyTaken = false;
  };
  struct RequestOptionsRes {
    std::optional<uint64_t> timeouts[3];
  };
  struct FutureResponseRes {
    std::shared_ptr<HttpExchange> exchange;
    bool taken = false;
  };
  struct IncomingResponseRes {
    std::shared_ptr<HttpExchange> exchange;
    bool consumed = false;
  };
  using Entry = std::variant<FieldsRes, IncomingRequestRes, IncomingBodyRes, FutureTrailersRes, OutgoingResponseRes,
                             OutgoingBodyRes, ResponseOutparamRes, OutgoingRequestRes, RequestOptionsRes,
                             FutureResponseRes, IncomingResponseRes>;  // index = Kind

  Rep add(Entry e) { return table_.add(std::move(e)); }
  template <size_t I>
  std::variant_alternative_t<I, Entry>* get(Rep rep, const char* what) {
    auto* e = table_.template find<I>(rep);
    if (!e) badHandle(what);
    return e;
  }
  // Removes an own handle the guest passed in (consumed by the call).
  template <size_t I>
  std::optional<std::variant_alternative_t<I, Entry>> take(Rep rep, const char* what) {
    auto* e = get<I>(rep, what);
    if (!e) return std::nullopt;
    auto out = std::move(*e);
    table_.erase(rep, I);
    return out;
  }
  FieldsRes* fields(Rep rep) { return get<0>(rep, "fields"); }
  Expected<FieldsRes*, HeaderError> mutableFields(Rep rep, std::string_view name);
  Rep newFields(HeaderList entries, bool immutable);

  WasiP2& io_;
  uint64_t bodyLimit_;
  NetworkGrants grants_;
  std::shared_ptr<ByteBudget> budget_;               // request bodies buffered before sending (all requests)
  std::vector<std::weak_ptr<HttpExchange>> outgoing_;  // requests started by handle() (alive: not expired)
  ResourceTable<Entry> table_;
  HttpResponseData response_;
  std::shared_ptr<bool> responseFinished_;
};

}  // namespace myrt::wasi::p2
