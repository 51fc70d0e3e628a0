// wasi/p2/http.h -- wasi:http/types (0.2.x) on the host: fields with header validation, incoming requests handed to
// a guest's incoming-handler, outgoing responses it builds, request/response bodies as wasi:io streams (on the
// WasiP2 resource table, so wasi:io/streams and poll work on them unchanged), and the outgoing-request side of the
// types (the outgoing-handler that sends them is granted separately: without a grant it answers HTTP-request-denied).
//
// Bodies are in memory: the server reads a request body completely before it calls the guest (up to its limit) and
// sends the response when the handler has returned (the guest's writes append to a buffer with a cap). The guest sees
// ordinary streams either way; a wire-level streaming of bodies would change only this layer's producer/consumer.
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

#include "wasi/p2/context.h"

namespace myrt::wasi::p2 {

using HeaderList = std::vector<std::pair<std::string, std::string>>;  // (lowercase name, value bytes)

// The request as the server received it.
struct HttpRequestData {
  std::string method;         // "GET", "POST", ... (any token)
  std::string pathWithQuery;  // "/info?a=1"
  std::string scheme = "http";
  std::string authority;      // the Host header ("" = none)
  HeaderList headers;         // as received (forbidden ones are removed when the guest sees them)
  std::shared_ptr<const std::string> body = std::make_shared<const std::string>();
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

// wasi:http/types error-code cases by index (the WIT's order).
const char* httpErrorCodeName(uint32_t index);
constexpr uint32_t kErrorHttpRequestDenied = 15;
constexpr uint32_t kErrorInternal = 38;

enum class HeaderError : uint8_t { InvalidSyntax, Forbidden, Immutable };

bool validFieldName(std::string_view name);
bool validFieldValue(std::string_view value);
bool forbiddenFieldName(std::string_view lowercaseName);

class WasiHttp {
 public:
  // `io` holds the streams and pollables of bodies; both must outlive the guest instance.
  WasiHttp(WasiP2& io, uint64_t bodyLimit) : io_(io), bodyLimit_(bodyLimit) {}

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
  // none (not ready) / some(ok(ok(none))) the first time / some(err) after: 0 = none, 1 = trailers none, 2 = taken
  int futureTrailersGet(Rep f);

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

  // ---- resources
  enum class Kind : uint8_t {
    Fields, IncomingRequest, IncomingBody, FutureTrailers, OutgoingResponse, OutgoingBody, ResponseOutparam,
    OutgoingRequest, RequestOptions, FutureIncomingResponse, IncomingResponse,
  };
  void drop(Kind kind, Rep rep);
  size_t liveResources() const;
  // A trap message for functions whose resource cannot exist yet (future-incoming-response, incoming-response).
  void badHandle(const char* what) { io_.recordTrap(std::string("unknown handle: not a ") + what); }

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
    std::shared_ptr<const std::string> bytes;
    bool streamTaken = false;
  };
  struct FutureTrailersRes {
    bool taken = false;
  };
  struct OutgoingBodyRes {
    std::shared_ptr<std::string> sink;
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
    std::shared_ptr<std::string> sink;
    bool bodyTaken = false;
  };
  struct RequestOptionsRes {
    std::optional<uint64_t> timeouts[3];
  };
  struct Placeholder {};
  using Entry = std::variant<FieldsRes, IncomingRequestRes, IncomingBodyRes, FutureTrailersRes, OutgoingResponseRes,
                             OutgoingBodyRes, ResponseOutparamRes, OutgoingRequestRes, RequestOptionsRes, Placeholder,
                             Placeholder>;  // index = Kind

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
  ResourceTable<Entry> table_;
  HttpResponseData response_;
  std::shared_ptr<bool> responseFinished_;
};

}  // namespace myrt::wasi::p2
