// wasi/p2/http_client.cpp -- outgoing HTTP on libcurl's multi interface, one client thread per process (see
// http_client.h). Guest threads and the client thread share an ExchangeState under its mutex; eventfds carry
// readiness to the guest's Poller; the client thread is woken with curl_multi_wakeup.
// Layer: wasi/p2.
#include "wasi/p2/http_client.h"

#include "runtime/base/dynlib.h"

#include <errno.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <thread>

#if MYRT_HAVE_CURL
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#endif

namespace myrt::wasi::p2 {

namespace {

constexpr uint32_t kDnsError = 1, kDestinationUnavailable = 3, kConnectionRefused = 6, kConnectionTerminated = 7,
                   kConnectionTimeout = 8, kConnectionReadTimeout = 9, kTlsProtocolError = 12,
                   kTlsCertificateError = 13, kUriInvalid = 19, kResponseIncomplete = 25, kResponseBodySize = 28,
                   kContentCoding = 32, kProtocolError = 35, kLoopDetected = 36, kInternal = 38;
constexpr uint64_t kDefaultTimeoutNs = 600ull * 1000000000ull;  // wasmtime's defaults for all three

int makeEventFd() { return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK); }

// An eventfd as a level: readable while `want` (a counter of 1 or 0).
void setLevel(int fd, bool& cur, bool want) {
  if (fd < 0 || cur == want) return;
  uint64_t v = 1;
  ssize_t r = want ? ::write(fd, &v, sizeof v) : ::read(fd, &v, sizeof v);
  (void)r;
  cur = want;
}

host::Wait waitOn(int fd) { return fd < 0 ? host::Wait::ready() : host::Wait::forFd(fd, EPOLLIN); }

#if MYRT_HAVE_CURL  // the header callback's helpers
std::string lowerName(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool tokenChar(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr);
}

// "Name: value" (a header or trailer line without its CRLF) -> (lowercase name, trimmed value); false if malformed.
bool parseFieldLine(std::string_view line, std::pair<std::string, std::string>& out) {
  const size_t colon = line.find(':');
  if (colon == 0 || colon == std::string_view::npos) return false;
  for (size_t i = 0; i < colon; ++i)
    if (!tokenChar(static_cast<unsigned char>(line[i]))) return false;
  std::string_view v = line.substr(colon + 1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  out = {lowerName(line.substr(0, colon)), std::string(v)};
  return true;
}
#endif

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// RequestBodyPipe

bool ByteBudget::charge(uint64_t n) {
  uint64_t used = used_.load();
  do {
    if (n > limit_ || used > limit_ - n) return false;
  } while (!used_.compare_exchange_weak(used, used + n));
  return true;
}

uint64_t ByteBudget::available() const {
  const uint64_t used = used_.load();
  return used < limit_ ? limit_ - used : 0;
}

RequestBodyPipe::RequestBodyPipe(uint64_t limitBeforeSend, std::shared_ptr<ByteBudget> budget)
    : limit_(limitBeforeSend), budget_(std::move(budget)), fd_(makeEventFd()) {
  std::lock_guard<std::mutex> l(mu_);
  updateLevel();
}

RequestBodyPipe::~RequestBodyPipe() {
  if (budget_ && charged_) budget_->release(charged_);
  if (fd_ >= 0) close(fd_);
}

void RequestBodyPipe::updateLevel() {
  const uint64_t pending = buf_.size() - pos_;
  const uint64_t cap = sending_ ? kBodyWindow : limit_;
  setLevel(fd_, signalled_, !sending_ || pending < cap || finished_ || abandoned_ || failed_ != 0);  // (before sending: checkWrite answers now)
}

int RequestBodyPipe::checkWrite(uint64_t& n) {
  std::lock_guard<std::mutex> l(mu_);
  n = 0;
  if (failed_) return failed_;
  if (finished_ || abandoned_) return host::kClosed;
  const uint64_t pending = buf_.size() - pos_;
  const uint64_t cap = sending_ ? kBodyWindow : limit_;
  n = pending < cap ? cap - pending : 0;
  if (!sending_) {  // nothing drains the buffer yet: a full one is an error, not a wait
    if (budget_) n = std::min(n, budget_->available());
    if (n == 0) return kHttpStreamErrorBase - static_cast<int>(kErrorHttpRequestBodySize);
  }
  return 0;
}

int RequestBodyPipe::write(const uint8_t* p, size_t len) {
  std::function<void()> wake;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (failed_) return failed_;
    if (finished_ || abandoned_) return host::kClosed;
    if (!sending_) {
      if (buf_.size() - pos_ + len > limit_ || (budget_ && !budget_->charge(len)))
        return kHttpStreamErrorBase - static_cast<int>(kErrorHttpRequestBodySize);
      if (budget_) charged_ += len;
    }
    if (pos_ > 0 && pos_ * 2 >= buf_.size()) {
      buf_.erase(0, pos_);
      pos_ = 0;
    }
    if (len) buf_.append(reinterpret_cast<const char*>(p), len);
    written_ += len;
    updateLevel();
    wake = wake_;
  }
  if (wake) wake();
  return 0;
}

host::Wait RequestBodyPipe::readiness() const { return waitOn(fd_); }

void RequestBodyPipe::finish(std::optional<HeaderList> trailers) {
  std::function<void()> wake;
  {
    std::lock_guard<std::mutex> l(mu_);
    finished_ = true;
    trailers_ = std::move(trailers);
    updateLevel();
    wake = wake_;
  }
  if (wake) wake();
}

void RequestBodyPipe::abandon() {
  std::function<void()> wake;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (finished_) return;
    abandoned_ = true;
    updateLevel();
    wake = wake_;
  }
  if (wake) wake();
}

bool RequestBodyPipe::finished() const {
  std::lock_guard<std::mutex> l(mu_);
  return finished_;
}

uint64_t RequestBodyPipe::written() const {
  std::lock_guard<std::mutex> l(mu_);
  return written_;
}

void RequestBodyPipe::startSending(std::function<void()> wake) {
  std::lock_guard<std::mutex> l(mu_);
  sending_ = true;
  wake_ = std::move(wake);
  updateLevel();
}

size_t RequestBodyPipe::take(char* dst, size_t max, int* state) {
  std::lock_guard<std::mutex> l(mu_);
  const size_t n = std::min(max, buf_.size() - pos_);
  if (n) std::memcpy(dst, buf_.data() + pos_, n);
  pos_ += n;
  if (charged_) {  // the bytes written before sending go first
    const uint64_t back = std::min<uint64_t>(n, charged_);
    charged_ -= back;
    budget_->release(back);
  }
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  }
  *state = n ? 0 : abandoned_ ? 2 : finished_ ? 1 : 0;
  updateLevel();
  return n;
}

std::optional<HeaderList> RequestBodyPipe::trailers() {
  std::lock_guard<std::mutex> l(mu_);
  return trailers_;
}

void RequestBodyPipe::fail(int err) {
  std::lock_guard<std::mutex> l(mu_);
  if (!finished_ && !failed_) failed_ = err;
  updateLevel();
}

// ---------------------------------------------------------------------------------------------------------------
// ExchangeState, HttpExchange

struct ExchangeState {
  std::mutex mu;
  int headFd = makeEventFd(), bodyFd = makeEventFd(), doneFd = makeEventFd();
  bool headSig = false, bodySig = false, doneSig = false;
  bool headDone = false, done = false, cancelled = false, recvPaused = false;
  std::optional<HttpError> err;
  uint16_t status = 0;
  HeaderList headers, trailers;
  std::string body;
  size_t bodyPos = 0;
  uint64_t lastByteNs = 0;
  // client thread only
  ClientRequest req;
  void* easy = nullptr;
  void* slist = nullptr;
  uint64_t startNs = 0;
  std::optional<HttpError> abortReason;  // why a callback aborted the transfer

  ~ExchangeState() {
    for (int fd : {headFd, bodyFd, doneFd})
      if (fd >= 0) close(fd);
  }
  void updateLevels() {  // under mu
    setLevel(headFd, headSig, headDone);
    setLevel(bodyFd, bodySig, body.size() > bodyPos || done);
    setLevel(doneFd, doneSig, done);
  }
};

namespace {

void requestUnpause(const std::shared_ptr<ExchangeState>& s);
void requestCancel(const std::shared_ptr<ExchangeState>& s);

class ResponseBodyStream final : public host::InputStream {
 public:
  explicit ResponseBodyStream(std::shared_ptr<HttpExchange> x) : x_(std::move(x)) {}
  int read(uint64_t len, std::vector<uint8_t>& out) override {
    ExchangeState& s = x_->state();
    bool unpause = false;
    {
      std::lock_guard<std::mutex> l(s.mu);
      const size_t avail = s.body.size() - s.bodyPos;
      if (avail == 0) {
        if (!s.done) return 0;
        return s.err ? kHttpStreamErrorBase - static_cast<int>(s.err->code) : host::kClosed;
      }
      const size_t n = static_cast<size_t>(std::min<uint64_t>(len, avail));
      out.insert(out.end(), s.body.begin() + static_cast<ptrdiff_t>(s.bodyPos),
                 s.body.begin() + static_cast<ptrdiff_t>(s.bodyPos + n));
      s.bodyPos += n;
      if (s.bodyPos == s.body.size()) {
        s.body.clear();
        s.bodyPos = 0;
      } else if (s.bodyPos * 2 >= s.body.size()) {
        s.body.erase(0, s.bodyPos);
        s.bodyPos = 0;
      }
      if (s.recvPaused && s.body.size() - s.bodyPos < kBodyWindow / 2) {
        s.recvPaused = false;
        unpause = true;
      }
      s.updateLevels();
    }
    if (unpause) x_->requestUnpauseForStream();
    return 0;
  }
  host::Wait readiness() const override { return waitOn(x_->state().bodyFd); }

 private:
  std::shared_ptr<HttpExchange> x_;
};

}  // namespace

HttpExchange::~HttpExchange() {
  {
    std::lock_guard<std::mutex> l(s_->mu);
    s_->cancelled = true;
  }
  requestCancel(s_);
}

void HttpExchange::requestUnpauseForStream() { requestUnpause(s_); }

host::Wait HttpExchange::headersWait() const { return waitOn(s_->headFd); }
host::Wait HttpExchange::doneWait() const { return waitOn(s_->doneFd); }

bool HttpExchange::headersReady() const {
  std::lock_guard<std::mutex> l(s_->mu);
  return s_->headDone;
}

std::optional<HttpError> HttpExchange::headError() const {
  std::lock_guard<std::mutex> l(s_->mu);
  return s_->headDone && s_->status == 0 ? s_->err : std::nullopt;
}

uint16_t HttpExchange::status() const {
  std::lock_guard<std::mutex> l(s_->mu);
  return s_->status;
}

HeaderList HttpExchange::headers() const {
  std::lock_guard<std::mutex> l(s_->mu);
  return s_->headers;
}

std::shared_ptr<host::InputStream> HttpExchange::bodyStream(const std::shared_ptr<HttpExchange>& self) {
  return std::make_shared<ResponseBodyStream>(self);
}

bool HttpExchange::done() const {
  std::lock_guard<std::mutex> l(s_->mu);
  return s_->done;
}

std::optional<HttpError> HttpExchange::error() const {
  std::lock_guard<std::mutex> l(s_->mu);
  return s_->err;
}

HeaderList HttpExchange::trailers() const {
  std::lock_guard<std::mutex> l(s_->mu);
  return s_->trailers;
}

// ---------------------------------------------------------------------------------------------------------------
// curl's results -> error-code

HttpError mapCurlError(int code, long osErrno, bool connected, const char* message) {
#if MYRT_HAVE_CURL
  auto e = [](uint32_t c) { return HttpError{c, std::nullopt}; };
  switch (static_cast<CURLcode>(code)) {
    case CURLE_COULDNT_RESOLVE_HOST: return e(kDnsError);
    case CURLE_COULDNT_CONNECT:
      if (osErrno == ETIMEDOUT) return e(kConnectionTimeout);
      if (osErrno == ENETUNREACH || osErrno == EHOSTUNREACH) return e(kDestinationUnavailable);
      return e(kConnectionRefused);
    case CURLE_OPERATION_TIMEDOUT: return e(connected ? kConnectionReadTimeout : kConnectionTimeout);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CIPHER:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_SHUTDOWN_FAILED: return e(kTlsProtocolError);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE: return e(kTlsCertificateError);
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE: return e(kResponseIncomplete);
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR: return e(kConnectionTerminated);
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_UNSUPPORTED_PROTOCOL: return e(kProtocolError);
    case CURLE_URL_MALFORMAT: return e(kUriInvalid);
    case CURLE_BAD_CONTENT_ENCODING: return e(kContentCoding);
    case CURLE_FILESIZE_EXCEEDED: return e(kResponseBodySize);
    case CURLE_TOO_MANY_REDIRECTS: return e(kLoopDetected);
    default: break;
  }
#else
  (void)code, (void)osErrno, (void)connected;
#endif
  return HttpError{kInternal, std::string(message ? message : "HTTP client error")};
}

// ---------------------------------------------------------------------------------------------------------------
// the client thread

#if MYRT_HAVE_CURL

namespace {

struct CurlApi {
  decltype(&curl_global_init) global_init;
  decltype(&curl_multi_init) multi_init;
  decltype(&curl_multi_add_handle) multi_add_handle;
  decltype(&curl_multi_remove_handle) multi_remove_handle;
  decltype(&curl_multi_perform) multi_perform;
  decltype(&curl_multi_poll) multi_poll;
  decltype(&curl_multi_wakeup) multi_wakeup;
  decltype(&curl_multi_info_read) multi_info_read;
  decltype(&curl_easy_init) easy_init;
  decltype(&curl_easy_setopt) easy_setopt;
  decltype(&curl_easy_getinfo) easy_getinfo;
  decltype(&curl_easy_cleanup) easy_cleanup;
  decltype(&curl_easy_pause) easy_pause;
  decltype(&curl_easy_strerror) easy_strerror;
  decltype(&curl_slist_append) slist_append;
  decltype(&curl_slist_free_all) slist_free_all;
};
CurlApi curl;

bool loadCurl(std::string* why) {
  DynLib lib(MYRT_CURL_SONAME, "libcurl4");
  const char* need = " (libcurl 7.85 or later is needed)";
  lib.bind(curl.global_init, "curl_global_init", need)
      .bind(curl.multi_init, "curl_multi_init", need)
      .bind(curl.multi_add_handle, "curl_multi_add_handle", need)
      .bind(curl.multi_remove_handle, "curl_multi_remove_handle", need)
      .bind(curl.multi_perform, "curl_multi_perform", need)
      .bind(curl.multi_poll, "curl_multi_poll", need)
      .bind(curl.multi_wakeup, "curl_multi_wakeup", need)
      .bind(curl.multi_info_read, "curl_multi_info_read", need)
      .bind(curl.easy_init, "curl_easy_init", need)
      .bind(curl.easy_setopt, "curl_easy_setopt", need)
      .bind(curl.easy_getinfo, "curl_easy_getinfo", need)
      .bind(curl.easy_cleanup, "curl_easy_cleanup", need)
      .bind(curl.easy_pause, "curl_easy_pause", need)
      .bind(curl.easy_strerror, "curl_easy_strerror", need)
      .bind(curl.slist_append, "curl_slist_append", need)
      .bind(curl.slist_free_all, "curl_slist_free_all", need);
  if (!lib.ok()) *why = lib.why();
  return lib.ok();
}

size_t onHeader(char* buf, size_t size, size_t n, void* ud) {
  auto* s = static_cast<ExchangeState*>(ud);
  const size_t len = size * n;
  std::string_view line(buf, len);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  std::lock_guard<std::mutex> l(s->mu);
  if (!s->headDone && line.substr(0, 5) == "HTTP/") {  // the status line of a final or interim response
    const size_t sp = line.find(' ');
    uint32_t code = 0;
    if (sp != std::string_view::npos && line.size() >= sp + 4)
      for (size_t i = sp + 1; i < sp + 4; ++i)
        code = code * 10 + (line[i] >= '0' && line[i] <= '9' ? uint32_t(line[i] - '0') : 1000);
    s->status = code >= 100 && code <= 999 ? static_cast<uint16_t>(code) : 0;
    s->headers.clear();
    return len;
  }
  if (line.empty()) {
    if (!s->headDone && s->status >= 200) {  // the end of the final response's head (1xx heads are skipped)
      s->headDone = true;
      s->lastByteNs = host::monotonicNow();
      s->updateLevels();
    }
    return len;
  }
  std::pair<std::string, std::string> field;
  if (parseFieldLine(line, field)) (s->headDone ? s->trailers : s->headers).push_back(std::move(field));
  return len;
}

size_t onData(char* p, size_t size, size_t n, void* ud) {
  auto* s = static_cast<ExchangeState*>(ud);
  const size_t len = size * n;
  std::lock_guard<std::mutex> l(s->mu);
  if (s->body.size() - s->bodyPos >= kBodyWindow) {  // the guest is not reading: wait for it
    s->recvPaused = true;
    return CURL_WRITEFUNC_PAUSE;
  }
  s->body.append(p, len);
  s->lastByteNs = host::monotonicNow();
  s->updateLevels();
  return len;
}

size_t onRead(char* dst, size_t size, size_t n, void* ud) {
  auto* s = static_cast<ExchangeState*>(ud);
  int state = 0;
  const size_t k = s->req.body->take(dst, size * n, &state);
  if (k) return k;
  if (state == 1) return 0;  // the end of the body
  if (state == 2) {
    s->abortReason = HttpError{kInternal, std::string("the request body was dropped before outgoing-body.finish")};
    return CURL_READFUNC_ABORT;
  }
  return CURL_READFUNC_PAUSE;  // resumed by the guest's next write (requestUnpause)
}

int onTrailers(curl_slist** list, void* ud) {
  auto* s = static_cast<ExchangeState*>(ud);
  if (auto t = s->req.body->trailers())
    for (const auto& [k, v] : *t) *list = curl.slist_append(*list, (k + ": " + v).c_str());
  return CURL_TRAILERFUNC_OK;
}

class Client {
 public:
  Client() {
    multi_ = curl.multi_init();
    if (multi_) thread_ = std::thread([this] { run(); });
  }
  bool ok() const { return multi_ != nullptr; }
  // At exit (atexit, registered after curl_global_init so it runs before the TLS library's own clean-up): the thread
  // ends its transfers and stops.
  void stop() {
    {
      std::lock_guard<std::mutex> g(mu_);
      stop_ = true;
    }
    curl.multi_wakeup(multi_);
    if (thread_.joinable()) thread_.join();
  }
  void submit(std::shared_ptr<ExchangeState> s) { queue(submitted_, std::move(s)); }
  void cancel(std::shared_ptr<ExchangeState> s) { queue(cancelled_, std::move(s)); }
  void unpause(std::shared_ptr<ExchangeState> s) { queue(unpaused_, std::move(s)); }

 private:
  using List = std::vector<std::shared_ptr<ExchangeState>>;
  void queue(List& l, std::shared_ptr<ExchangeState> s) {
    {
      std::lock_guard<std::mutex> g(mu_);
      l.push_back(std::move(s));
    }
    curl.multi_wakeup(multi_);
  }

  void begin(const std::shared_ptr<ExchangeState>& s);
  void finish(const std::shared_ptr<ExchangeState>& s, std::optional<HttpError> e);
  void run();

  CURLM* multi_ = nullptr;
  std::thread thread_;
  std::mutex mu_;
  List submitted_, cancelled_, unpaused_;
  bool stop_ = false;
  List active_;  // client thread only
};

// a + b, at most UINT64_MAX (a guest may ask for any timeout)
uint64_t addSat(uint64_t a, uint64_t b) { return b > UINT64_MAX - a ? UINT64_MAX : a + b; }

template <class T>
void setopt(CURL* e, CURLoption o, T v) {
  curl.easy_setopt(e, o, v);
}

void Client::begin(const std::shared_ptr<ExchangeState>& s) {
  {
    std::lock_guard<std::mutex> l(s->mu);
    if (s->cancelled) return;
  }
  CURL* e = curl.easy_init();
  if (!e) {
    finish(s, HttpError{kInternal, std::string("curl_easy_init failed")});
    return;
  }
  const ClientRequest& r = s->req;
  s->easy = e;
  setopt(e, CURLOPT_PRIVATE, static_cast<void*>(s.get()));
  setopt(e, CURLOPT_URL, r.url.c_str());
  setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  setopt(e, CURLOPT_PROXY, "");  // never a proxy from the environment
  setopt(e, CURLOPT_NOSIGNAL, 1L);
  if (r.method == "HEAD") setopt(e, CURLOPT_NOBODY, 1L);
  else if (r.method != "GET" || r.body) setopt(e, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  curl_slist* list = nullptr;
  bool hasAccept = false, hasExpect = false;
  std::optional<curl_off_t> contentLength;
  for (const auto& [k, v] : r.headers) {
    if (k == "accept") hasAccept = true;
    if (k == "expect") hasExpect = true;
    if (k == "content-length" && r.body) {  // the size curl announces (and checks)
      curl_off_t n = 0;
      bool digits = !v.empty() && v.size() < 19;
      for (char c : v) digits = digits && c >= '0' && c <= '9', n = n * 10 + (c - '0');
      if (digits) {
        contentLength = n;
        continue;
      }
    }
    list = curl.slist_append(list, (v.empty() ? k + ";" : k + ": " + v).c_str());
  }
  if (!hasAccept) list = curl.slist_append(list, "Accept:");  // no header the guest did not ask for
  if (!hasExpect) list = curl.slist_append(list, "Expect:");
  s->slist = list;
  setopt(e, CURLOPT_HTTPHEADER, list);
  if (r.body) {
    setopt(e, CURLOPT_UPLOAD, 1L);
    setopt(e, CURLOPT_READFUNCTION, &onRead);
    setopt(e, CURLOPT_READDATA, static_cast<void*>(s.get()));
    setopt(e, CURLOPT_TRAILERFUNCTION, &onTrailers);
    setopt(e, CURLOPT_TRAILERDATA, static_cast<void*>(s.get()));
    curl_off_t size = -1;  // unknown: chunked
    if (contentLength) size = *contentLength;
    else if (r.bodyLength) size = static_cast<curl_off_t>(*r.bodyLength);
    setopt(e, CURLOPT_INFILESIZE_LARGE, size);
    std::weak_ptr<ExchangeState> weak = s;
    r.body->startSending([weak] {
      if (auto sp = weak.lock()) requestUnpause(sp);
    });
  }
  setopt(e, CURLOPT_HEADERFUNCTION, &onHeader);
  setopt(e, CURLOPT_HEADERDATA, static_cast<void*>(s.get()));
  setopt(e, CURLOPT_WRITEFUNCTION, &onData);
  setopt(e, CURLOPT_WRITEDATA, static_cast<void*>(s.get()));
  const uint64_t connectNs = r.connectTimeoutNs.value_or(kDefaultTimeoutNs);
  setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
         static_cast<long>(std::clamp<uint64_t>(connectNs / 1000000, 1, uint64_t(INT32_MAX))));  // ~24 days at most
  s->startNs = host::monotonicNow();
  if (curl.multi_add_handle(multi_, e) != CURLM_OK) {
    finish(s, HttpError{kInternal, std::string("curl_multi_add_handle failed")});
    return;
  }
  active_.push_back(s);
}

// Ends a transfer: with `e` a failure, else a complete response.
void Client::finish(const std::shared_ptr<ExchangeState>& s, std::optional<HttpError> e) {
  if (s->easy) {
    curl.multi_remove_handle(multi_, static_cast<CURL*>(s->easy));
    curl.easy_cleanup(static_cast<CURL*>(s->easy));
    s->easy = nullptr;
  }
  if (s->slist) {
    curl.slist_free_all(static_cast<curl_slist*>(s->slist));
    s->slist = nullptr;
  }
  std::erase(active_, s);
  if (s->req.body && e) s->req.body->fail(kHttpStreamErrorBase - static_cast<int>(e->code));
  std::lock_guard<std::mutex> l(s->mu);
  if (!s->headDone && !e) e = HttpError{kResponseIncomplete, std::nullopt};
  if (e && !s->err) s->err = std::move(e);
  if (!s->headDone) s->status = 0;  // no response: the future reports the error
  s->headDone = true;
  s->done = true;
  s->updateLevels();
}

void Client::run() {
  for (;;) {
    List sub, can, unp;
    {
      std::lock_guard<std::mutex> g(mu_);
      if (stop_) break;
      sub.swap(submitted_);
      can.swap(cancelled_);
      unp.swap(unpaused_);
    }
    for (auto& s : sub) begin(s);
    for (auto& s : can)
      if (std::find(active_.begin(), active_.end(), s) != active_.end()) finish(s, HttpError{kInternal, std::string("cancelled")});
    for (auto& s : unp)
      if (s->easy) curl.easy_pause(static_cast<CURL*>(s->easy), CURLPAUSE_CONT);
    int running = 0;
    curl.multi_perform(multi_, &running);
    int left = 0;
    while (CURLMsg* m = curl.multi_info_read(multi_, &left)) {
      if (m->msg != CURLMSG_DONE) continue;
      void* priv = nullptr;
      curl.easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
      auto it = std::find_if(active_.begin(), active_.end(), [&](const auto& a) { return a.get() == priv; });
      if (it == active_.end()) continue;
      std::shared_ptr<ExchangeState> s = *it;
      if (m->data.result == CURLE_OK) {
        finish(s, std::nullopt);
        continue;
      }
      long osErr = 0;
      curl_off_t pre = 0;
      curl.easy_getinfo(m->easy_handle, CURLINFO_OS_ERRNO, &osErr);
      curl.easy_getinfo(m->easy_handle, CURLINFO_PRETRANSFER_TIME_T, &pre);
      std::optional<HttpError> e = s->abortReason;
      if (!e) e = mapCurlError(m->data.result, osErr, pre > 0, curl.easy_strerror(m->data.result));
      finish(s, e);
    }
    // first-byte and between-bytes timeouts
    const uint64_t now = host::monotonicNow();
    uint64_t next = now + 1000000000ull;
    List expired;
    for (auto& s : active_) {
      curl_off_t pre = 0;
      curl.easy_getinfo(static_cast<CURL*>(s->easy), CURLINFO_PRETRANSFER_TIME_T, &pre);
      std::lock_guard<std::mutex> l(s->mu);
      uint64_t deadline = UINT64_MAX;
      if (!s->headDone && pre > 0)
        deadline = addSat(s->startNs + uint64_t(pre) * 1000, s->req.firstByteTimeoutNs.value_or(kDefaultTimeoutNs));
      else if (s->headDone && !s->recvPaused)
        deadline = addSat(s->lastByteNs, s->req.betweenBytesTimeoutNs.value_or(kDefaultTimeoutNs));
      if (deadline <= now) expired.push_back(s);
      else next = std::min(next, deadline);
    }
    for (auto& s : expired) finish(s, HttpError{kConnectionReadTimeout, std::nullopt});
    const int waitMs = static_cast<int>(std::max<uint64_t>(1, (next - now + 999999) / 1000000));
    curl.multi_poll(multi_, nullptr, 0, waitMs, nullptr);
  }
  while (!active_.empty()) {
    std::shared_ptr<ExchangeState> s = active_.back();
    finish(s, HttpError{kInternal, std::string("the process is exiting")});
  }
}

std::mutex clientMu;
Client* theClient = nullptr;
std::string clientError;

Client* clientIfStarted() {
  std::lock_guard<std::mutex> l(clientMu);
  return theClient;
}

Result<Client*> startClient() {
  std::lock_guard<std::mutex> l(clientMu);
  if (theClient) return theClient;
  if (!clientError.empty()) return Error(clientError);
  if (!loadCurl(&clientError)) return Error(clientError);
  if (curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    clientError = "curl_global_init failed";
    return Error(clientError);
  }
  auto* c = new Client();  // never deleted: its thread serves the whole process
  if (!c->ok()) {
    clientError = "curl_multi_init failed";
    return Error(clientError);
  }
  theClient = c;
  std::atexit([] {
    if (Client* c = clientIfStarted()) c->stop();
  });
  return c;
}

void requestUnpause(const std::shared_ptr<ExchangeState>& s) {
  if (Client* c = clientIfStarted()) c->unpause(s);
}

void requestCancel(const std::shared_ptr<ExchangeState>& s) {
  if (Client* c = clientIfStarted()) c->cancel(s);
}

}  // namespace

bool httpClientBuiltIn() { return true; }

Result<std::shared_ptr<HttpExchange>> startHttpRequest(ClientRequest req) {
  MYRT_ASSIGN(Client* c, startClient());
  auto s = std::make_shared<ExchangeState>();
  s->req = std::move(req);
  c->submit(s);
  return std::make_shared<HttpExchange>(std::move(s));
}

#else  // !MYRT_HAVE_CURL

namespace {
void requestUnpause(const std::shared_ptr<ExchangeState>&) {}
void requestCancel(const std::shared_ptr<ExchangeState>&) {}
}  // namespace

bool httpClientBuiltIn() { return false; }

Result<std::shared_ptr<HttpExchange>> startHttpRequest(ClientRequest) {
  return Error("unsupported: outgoing HTTP (this myrt was built without libcurl: MYRT_HTTP_CLIENT=OFF)");
}

#endif

}  // namespace myrt::wasi::p2
