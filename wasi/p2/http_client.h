// wasi/p2/http_client.h -- outgoing HTTP(S) for wasi:http/outgoing-handler, on libcurl (Debian libcurl4).
//
// libcurl is loaded with dlopen at the first request (linking it would load OpenSSL and a dozen libraries into every
// myrt process). One client thread per process drives all transfers with the curl multi interface; the guest's thread
// never blocks in curl. What the guest waits for is an eventfd the client thread signals (a Wait, see
// wasi/host/poll.h), so futures and body streams are ordinary pollables of the wasi:io/poll reactor:
//   - an exchange's response headers (future-incoming-response: ready once, on the headers or an error),
//   - its response body (input-stream: readable while bytes are buffered, at the end, or after an error),
//   - its end (future-trailers),
//   - room in the request body (output-stream of outgoing-body: the guest's writes are buffered and sent as they come;
//     with a content-length header or a body finished before handle() the length is sent, else chunked).
// Response bodies are buffered up to kBodyWindow bytes, then the transfer pauses until the guest reads (flow control);
// request bodies likewise. Timeouts: connect-timeout (curl's), first-byte-timeout (from the connection to the first
// response byte) and between-bytes-timeout (between response body bytes, not while paused for the guest), checked
// by the client thread. Redirects are not followed; proxies from the environment are not used; only http and https.
// Errors become wasi:http error-code cases (mapCurlError).
// Layer: wasi/p2 (depends on wasi/host).
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/base/result.h"
#include "wasi/host/poll.h"
#include "wasi/host/stream.h"

namespace myrt::wasi::p2 {

using HeaderList = std::vector<std::pair<std::string, std::string>>;  // (lowercase name, value bytes)

// A wasi:http/types error-code: the case index (httpErrorCodeName) and internal-error's message.
struct HttpError {
  uint32_t code = 38;  // internal-error
  std::optional<std::string> message;
};

// wasi:http/types error-code cases by index (the WIT's order).
const char* httpErrorCodeName(uint32_t index);

// A host stream result at or below this is a wasi:http error-code: kHttpStreamErrorBase - code (WasiP2 keeps it in
// the error resource; wasi:http/types http-error-code returns it).
constexpr int kHttpStreamErrorBase = -1000;

constexpr uint64_t kBodyWindow = uint64_t(1) << 20;  // bytes buffered per direction before the other side waits

// A byte budget shared by one guest's request-body pipes (NetworkGrants::maxOutgoingHttpBuffer): bytes written
// before the request is sent are charged and given back as the client thread takes them.
class ByteBudget {
 public:
  explicit ByteBudget(uint64_t limit) : limit_(limit) {}
  bool charge(uint64_t n);  // false (nothing charged) when n does not fit
  void release(uint64_t n) { used_.fetch_sub(n); }
  uint64_t available() const;

 private:
  std::atomic<uint64_t> used_{0};
  const uint64_t limit_;
};

constexpr uint32_t kErrorConnectionLimitReached = 11;
constexpr uint32_t kErrorHttpRequestBodySize = 17;

// The request body between the guest (writes; output-stream of outgoing-body) and the client thread (reads).
class RequestBodyPipe {
 public:
  // Before the request is sent the guest may buffer up to limitBeforeSend bytes, and no more than `budget` has
  // left (if given); beyond, checkWrite/write fail with HTTP-request-body-size. Once sending, kBodyWindow.
  explicit RequestBodyPipe(uint64_t limitBeforeSend, std::shared_ptr<ByteBudget> budget = nullptr);
  ~RequestBodyPipe();
  RequestBodyPipe(const RequestBodyPipe&) = delete;
  RequestBodyPipe& operator=(const RequestBodyPipe&) = delete;
  // guest side
  int checkWrite(uint64_t& n);
  int write(const uint8_t* p, size_t len);
  host::Wait readiness() const;
  void finish(std::optional<HeaderList> trailers);  // outgoing-body.finish
  void abandon();                                   // dropped without finish: the request fails
  bool finished() const;
  uint64_t written() const;
  // client side
  void startSending(std::function<void()> wake);  // from now on the window is kBodyWindow; wake() after writes
  // Copies up to `max` bytes; *state: 0 data (or nothing yet: paused), 1 end, 2 abandoned.
  size_t take(char* dst, size_t max, int* state);
  std::optional<HeaderList> trailers();
  void fail(int err);  // the exchange failed: writes report it

 private:
  void updateLevel();  // under mu_: room -> eventfd readable
  mutable std::mutex mu_;
  std::string buf_;
  size_t pos_ = 0;
  uint64_t limit_;
  std::shared_ptr<ByteBudget> budget_;
  uint64_t charged_ = 0;  // bytes of buf_ charged to budget_ (written before sending, not yet taken)
  uint64_t written_ = 0;
  bool sending_ = false, finished_ = false, abandoned_ = false, signalled_ = false;
  int failed_ = 0;
  std::optional<HeaderList> trailers_;
  std::function<void()> wake_;
  int fd_ = -1;  // eventfd: readable while there is room
};

struct ClientRequest {
  std::string method;  // token
  std::string url;     // scheme://authority/path?query
  HeaderList headers;
  std::shared_ptr<RequestBodyPipe> body;  // null: no body
  std::optional<uint64_t> bodyLength;     // the body was finished before handle(): its length (else chunked)
  std::optional<uint64_t> connectTimeoutNs, firstByteTimeoutNs, betweenBytesTimeoutNs;
};

struct ExchangeState;  // shared by the guest's resources and the client thread (http_client.cpp)

// The guest's view of one request in flight: a future response, then its body and trailers. Destroying the last
// reference (the guest dropped the future, the response, its body and trailers) cancels the transfer.
class HttpExchange {
 public:
  explicit HttpExchange(std::shared_ptr<ExchangeState> s) : s_(std::move(s)) {}
  ~HttpExchange();
  HttpExchange(const HttpExchange&) = delete;
  HttpExchange& operator=(const HttpExchange&) = delete;

  host::Wait headersWait() const;   // ready when the response head (or an error) is there
  bool headersReady() const;
  std::optional<HttpError> headError() const;  // the request failed before a response head
  uint16_t status() const;
  HeaderList headers() const;
  // The response body (input-stream): read() gives buffered bytes, kClosed at the end, an error code after a failure.
  std::shared_ptr<host::InputStream> bodyStream(const std::shared_ptr<HttpExchange>& self);
  host::Wait doneWait() const;      // ready when the transfer ended (future-trailers)
  bool done() const;
  std::optional<HttpError> error() const;  // after done: the failure, if any
  HeaderList trailers() const;             // after done

  ExchangeState& state() { return *s_; }
  void requestUnpauseForStream();  // the guest read enough: let the client thread receive again

 private:
  std::shared_ptr<ExchangeState> s_;
};

// Whether this build has the client (configured with libcurl's headers; see CMake MYRT_HTTP_CLIENT).
bool httpClientBuiltIn();
// Starts a request (the first call loads libcurl and starts the client thread). Error: the client is unavailable
// (no libcurl: the message says which package).
Result<std::shared_ptr<HttpExchange>> startHttpRequest(ClientRequest req);

// curl's result for a transfer -> error-code (exposed for tests): `osErrno` = CURLINFO_OS_ERRNO, `connected` whether
// a connection had been made.
HttpError mapCurlError(int curlCode, long osErrno, bool connected, const char* curlMessage);

}  // namespace myrt::wasi::p2
