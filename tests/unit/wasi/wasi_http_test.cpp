// tests/unit/wasi/wasi_http_test.cpp -- wasi:http/types on the host (wasi/p2/http.h) through its C++ face: header
// validation (invalid syntax, forbidden names, immutable fields), case-insensitive names, the incoming request and its
// body stream, the outgoing response with its body captured for the server, outparam rules, request-side values; the
// outgoing side without a network: HOST[:PORT] parsing and grants, denied/invalid requests, the request body pipe,
// curl results -> error-code (requests on the loopback: tests/http).
// Layer: tests (wasi/p2).
#include <catch2/catch.hpp>

#include "wasi/p2/context.h"
#include "wasi/p2/http.h"

#include <errno.h>

using namespace myrt::wasi;
using namespace myrt::wasi::p2;

namespace {

struct Fixture {
  std::unique_ptr<WasiP2> io;
  std::unique_ptr<WasiHttp> h;
  Fixture() {
    WasiConfig cfg;
    cfg.stdinFd = -1;
    auto made = WasiP2::create(cfg);
    REQUIRE(made.ok());
    io = std::move(*made);
    h = std::make_unique<WasiHttp>(*io, 16);  // 16-byte body limit
  }
};

}  // namespace

TEST_CASE("wasi:http field names and values are validated", "[wasi][http]") {
  CHECK(validFieldName("content-type"));
  CHECK(validFieldName("X-Custom_1!"));
  CHECK_FALSE(validFieldName(""));
  CHECK_FALSE(validFieldName("bad name"));
  CHECK_FALSE(validFieldName("colon:"));
  CHECK_FALSE(validFieldName("caf\xc3\xa9"));
  CHECK(validFieldValue("text/plain; charset=utf-8\t"));
  CHECK(validFieldValue(""));
  CHECK_FALSE(validFieldValue("a\r\nInjected: 1"));
  CHECK_FALSE(validFieldValue(std::string("nul\0", 4)));
  CHECK(forbiddenFieldName("connection"));
  CHECK(forbiddenFieldName("transfer-encoding"));
  CHECK(forbiddenFieldName("host"));
  CHECK_FALSE(forbiddenFieldName("content-type"));
}

TEST_CASE("wasi:http fields: set, append, get, delete, entries, clone", "[wasi][http]") {
  Fixture f;
  Rep fs = f.h->fieldsNew();
  CHECK(f.h->fieldsAppend(fs, "X-Test", "a").ok());
  CHECK(f.h->fieldsAppend(fs, "x-test", "b").ok());
  CHECK(f.h->fieldsGet(fs, "X-TEST") == std::vector<std::string>{"a", "b"});
  CHECK(f.h->fieldsHas(fs, "x-Test"));
  CHECK(f.h->fieldsSet(fs, "x-test", {"c"}).ok());
  CHECK(f.h->fieldsGet(fs, "x-test") == std::vector<std::string>{"c"});
  auto bad = f.h->fieldsAppend(fs, "bad name", "v");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error() == HeaderError::InvalidSyntax);
  auto badValue = f.h->fieldsSet(fs, "x-ok", {"line\nbreak"});
  REQUIRE_FALSE(badValue.ok());
  CHECK(badValue.error() == HeaderError::InvalidSyntax);
  auto forbidden = f.h->fieldsSet(fs, "Connection", {"close"});
  REQUIRE_FALSE(forbidden.ok());
  CHECK(forbidden.error() == HeaderError::Forbidden);
  Rep copy = f.h->fieldsClone(fs);
  CHECK(f.h->fieldsDelete(fs, "x-test").ok());
  CHECK_FALSE(f.h->fieldsHas(fs, "x-test"));
  CHECK(f.h->fieldsEntries(copy) == HeaderList{{"x-test", "c"}});
  auto list = f.h->fieldsFromList({{"A", "1"}, {"Upgrade", "h2c"}});
  REQUIRE_FALSE(list.ok());
  CHECK(list.error() == HeaderError::Forbidden);
  auto ok = f.h->fieldsFromList({{"A", "1"}, {"b", "2"}});
  REQUIRE(ok.ok());
  CHECK(f.h->fieldsEntries(ok.value()) == HeaderList{{"a", "1"}, {"b", "2"}});
  CHECK_FALSE(f.io->takeTrap());
}

TEST_CASE("wasi:http incoming request: method, path, headers immutable, body stream once", "[wasi][http]") {
  Fixture f;
  HttpRequestData req;
  req.method = "PROPFIND";
  req.pathWithQuery = "/a?b=c";
  req.authority = "example.test";
  req.headers = {{"X-Test", "abc"}, {"connection", "keep-alive"}, {"x-test", "def"}};
  req.body = std::make_shared<const std::string>("body bytes");
  Rep r = f.h->newIncomingRequest(req);
  auto m = f.h->requestMethod(r);
  CHECK(m.index == 9);
  CHECK(m.other == "PROPFIND");
  CHECK(f.h->requestPathWithQuery(r) == "/a?b=c");
  CHECK(f.h->requestAuthority(r) == "example.test");
  CHECK(f.h->requestScheme(r)->index == 0);
  Rep hs = f.h->requestHeaders(r);
  CHECK(f.h->fieldsGet(hs, "x-test") == std::vector<std::string>{"abc", "def"});
  CHECK_FALSE(f.h->fieldsHas(hs, "connection"));  // hop-by-hop: removed
  auto imm = f.h->fieldsAppend(hs, "x-new", "1");
  REQUIRE_FALSE(imm.ok());
  CHECK(imm.error() == HeaderError::Immutable);
  auto body = f.h->requestConsume(r);
  REQUIRE(body);
  CHECK_FALSE(f.h->requestConsume(r));  // once
  auto stream = f.h->incomingBodyStream(*body);
  REQUIRE(stream);
  CHECK_FALSE(f.h->incomingBodyStream(*body));
  auto chunk = f.io->blockingRead(*stream, 4);
  REQUIRE(chunk.ok());
  CHECK(std::string(chunk.value().begin(), chunk.value().end()) == "body");
  auto rest = f.io->read(*stream, 100);
  REQUIRE(rest.ok());
  CHECK(std::string(rest.value().begin(), rest.value().end()) == " bytes");
  auto end = f.io->read(*stream, 100);
  REQUIRE_FALSE(end.ok());
  CHECK(end.error().closed);
  Rep trailers = f.h->incomingBodyFinish(*body);
  CHECK(f.h->futureTrailersGet(trailers).state == 1);
  CHECK_FALSE(f.h->futureTrailersGet(trailers).trailers);
  CHECK(f.h->futureTrailersGet(trailers).state == 2);
  CHECK_FALSE(f.io->takeTrap());
}

TEST_CASE("wasi:http outgoing response: status, headers, body captured, finish, outparam", "[wasi][http]") {
  Fixture f;
  Rep param = f.h->newResponseOutparam();
  Rep hs = f.h->fieldsNew();
  REQUIRE(f.h->fieldsAppend(hs, "Content-Type", "text/plain").ok());
  Rep resp = f.h->responseNew(hs);
  CHECK_FALSE(f.h->responseSetStatus(resp, 42));
  CHECK(f.h->responseSetStatus(resp, 418));
  CHECK(f.h->responseStatus(resp) == 418);
  auto body = f.h->responseBody(resp);
  REQUIRE(body);
  CHECK_FALSE(f.h->responseBody(resp));
  f.h->outparamSet(param, resp, 0);
  auto out = f.h->outgoingBodyWrite(*body);
  REQUIRE(out);
  auto permit = f.io->checkWrite(*out);
  REQUIRE(permit.ok());
  CHECK(f.io->write(*out, {'h', 'i'}).ok());
  CHECK_FALSE(f.h->responseComplete());
  std::vector<uint8_t> big(20, 'x');  // past the 16-byte body limit
  CHECK(f.io->checkWrite(*out).ok());
  CHECK_FALSE(f.io->write(*out, big).ok());
  CHECK(f.h->outgoingBodyFinish(*body, std::nullopt));
  CHECK(f.h->responseComplete());
  const HttpResponseData& r = f.h->response();
  CHECK(r.set);
  CHECK(r.status == 418);
  CHECK(r.headers == HeaderList{{"content-type", "text/plain"}});
  CHECK(*r.body == "hi");
  CHECK_FALSE(f.io->takeTrap());
  // a second outparam set on another param traps
  Rep param2 = f.h->newResponseOutparam();
  f.h->outparamSet(param2, std::nullopt, kErrorInternal);
  CHECK(f.io->takeTrap());
}

TEST_CASE("wasi:http outparam set with an error code; bad handles trap", "[wasi][http]") {
  Fixture f;
  Rep param = f.h->newResponseOutparam();
  f.h->outparamSet(param, std::nullopt, kErrorHttpRequestDenied);
  CHECK(f.h->response().set);
  CHECK(f.h->response().isError);
  CHECK(f.h->response().errorName == "HTTP-request-denied");
  CHECK_FALSE(f.io->takeTrap());
  (void)f.h->fieldsGet(12345, "x");
  auto t = f.io->takeTrap();
  REQUIRE(t);
  CHECK(*t == "unknown handle: not a fields");
  f.h->reset();
  CHECK(f.h->liveResources() == 0);
}

TEST_CASE("wasi:http outgoing request values", "[wasi][http]") {
  Fixture f;
  Rep r = f.h->outgoingRequestNew(f.h->fieldsNew());
  CHECK(f.h->outgoingRequestMethod(r).index == 0);  // GET
  CHECK(f.h->outgoingRequestSetMethod(r, {9, "PURGE"}));
  CHECK_FALSE(f.h->outgoingRequestSetMethod(r, {9, "BAD METHOD"}));
  CHECK(f.h->outgoingRequestMethod(r).other == "PURGE");
  CHECK(f.h->outgoingRequestSetPathWithQuery(r, "/x?y"));
  CHECK_FALSE(f.h->outgoingRequestSetPathWithQuery(r, std::string("/\r\n")));
  CHECK(f.h->outgoingRequestPathWithQuery(r) == "/x?y");
  CHECK(f.h->outgoingRequestSetAuthority(r, "localhost:1"));
  CHECK(f.h->outgoingRequestAuthority(r) == "localhost:1");
  Rep o = f.h->requestOptionsNew();
  CHECK_FALSE(f.h->requestOptionsGet(o, 0));
  CHECK(f.h->requestOptionsSet(o, 1, 5000));
  CHECK(f.h->requestOptionsGet(o, 1) == 5000u);
  CHECK_FALSE(f.io->takeTrap());
}

TEST_CASE("HOST[:PORT] specs of --allow-http", "[wasi][http][net]") {
  auto hp = parseHostPort("Example.COM");
  REQUIRE(hp.ok());
  CHECK(hp->host == "example.com");
  CHECK_FALSE(hp->port);
  hp = parseHostPort("127.0.0.1:8080");
  REQUIRE(hp.ok());
  CHECK(hp->host == "127.0.0.1");
  CHECK(hp->port == 8080);
  hp = parseHostPort("[::1]:443");
  REQUIRE(hp.ok());
  CHECK(hp->host == "::1");
  CHECK(hp->port == 443);
  hp = parseHostPort("[fe80::1]");
  REQUIRE(hp.ok());
  CHECK(hp->host == "fe80::1");
  CHECK_FALSE(hp->port);
  for (const char* bad : {"", ":80", "host:", "host:0", "host:65536", "host:8o", "host:123456", "::1", "::1:80",
                          "[::1", "[::1]x", "[not-v6]:1", "a b", "user@host", "host/path", "h\xc3\xa9"}) {
    INFO(bad);
    auto r = parseHostPort(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("expected HOST[:PORT]") == 0);
  }
  CHECK(parseHostPort("host:0", false, true).ok());
  CHECK_FALSE(parseHostPort("host", true).ok());

  NetworkGrants g;
  CHECK_FALSE(g.allowsHttp({"example.com", 443}));
  g.httpHosts.push_back({"example.com", std::nullopt});
  g.httpHosts.push_back({"127.0.0.1", 8080});
  CHECK(g.allowsHttp({"example.com", 443}));
  CHECK(g.allowsHttp({"example.com", 80}));
  CHECK_FALSE(g.allowsHttp({"www.example.com", 443}));
  CHECK(g.allowsHttp({"127.0.0.1", 8080}));
  CHECK_FALSE(g.allowsHttp({"127.0.0.1", 8081}));
  g.inheritNetwork = true;
  CHECK(g.allowsHttp({"anything", 1}));
}

TEST_CASE("wasi:http outgoing-handler: denied without a grant, invalid requests, consumed handles", "[wasi][http]") {
  Fixture f;
  auto request = [&](std::optional<std::string> authority, std::optional<WasiHttp::Method> scheme,
                     std::optional<std::string> path = "/") {
    Rep r = f.h->outgoingRequestNew(f.h->fieldsNew());
    CHECK(f.h->outgoingRequestSetAuthority(r, authority));
    CHECK(f.h->outgoingRequestSetScheme(r, scheme));
    CHECK(f.h->outgoingRequestSetPathWithQuery(r, path));
    return r;
  };
  const WasiHttp::Method http{0, {}};
  Rep opts = f.h->requestOptionsNew();
  auto res = f.h->handle(request("127.0.0.1:1", http), opts);
  REQUIRE_FALSE(res.ok());
  CHECK(res.error().code == kErrorHttpRequestDenied);
  CHECK(f.h->liveResources() == 0);  // the request and the options were consumed
  CHECK_FALSE(f.io->takeTrap());

  NetworkGrants all;
  all.inheritNetwork = true;
  WasiHttp open(*f.io, 16, all);
  auto req = [&](const char* authority, std::optional<WasiHttp::Method> scheme, const char* path) {
    Rep r = open.outgoingRequestNew(open.fieldsNew());
    CHECK(open.outgoingRequestSetAuthority(r, authority ? std::optional<std::string>(authority) : std::nullopt));
    CHECK(open.outgoingRequestSetScheme(r, scheme));
    CHECK(open.outgoingRequestSetPathWithQuery(r, path));
    return open.handle(r, std::nullopt);
  };
  CHECK(req(nullptr, http, "/").error().code == kErrorUriInvalid);           // no authority
  CHECK(req("user@host", http, "/").error().code == kErrorUriInvalid);       // userinfo
  CHECK(req("host:99999", http, "/").error().code == kErrorUriInvalid);      // port out of range
  CHECK(req("host", http, "relative").error().code == kErrorUriInvalid);     // not an absolute path
  CHECK(req("host", http, "/a b").error().code == kErrorUriInvalid);         // a space
  CHECK(req("host", WasiHttp::Method{2, "ftp"}, "/").error().code == kErrorProtocol);
  CHECK(open.liveResources() == 0);
  CHECK_FALSE(f.io->takeTrap());
}

TEST_CASE("wasi:http outgoing request body pipe: window, finish, abandon, failure", "[wasi][http]") {
  RequestBodyPipe p(10);  // 10 bytes may wait before the request is sent
  uint64_t n = 0;
  CHECK(p.checkWrite(n) == 0);
  CHECK(n == 10);
  const uint8_t data[] = {'a', 'b', 'c', 'd'};
  CHECK(p.write(data, 4) == 0);
  CHECK(p.checkWrite(n) == 0);
  CHECK(n == 6);
  CHECK(p.written() == 4);
  bool woken = false;
  p.startSending([&] { woken = true; });
  CHECK(p.checkWrite(n) == 0);
  CHECK(n == kBodyWindow - 4);
  char out[8];
  int state = -1;
  CHECK(p.take(out, 3, &state) == 3);
  CHECK(state == 0);
  CHECK(p.take(out, 8, &state) == 1);
  CHECK(out[0] == 'd');
  CHECK(p.take(out, 8, &state) == 0);
  CHECK(state == 0);  // nothing yet, not finished: the transfer pauses
  CHECK(p.write(data, 2) == 0);
  CHECK(woken);
  p.finish(HeaderList{{"x-sum", "1"}});
  CHECK(p.finished());
  CHECK(p.take(out, 8, &state) == 2);
  CHECK(p.take(out, 8, &state) == 0);
  CHECK(state == 1);  // the end
  REQUIRE(p.trailers());
  CHECK(p.trailers()->at(0).second == "1");
  CHECK(p.checkWrite(n) == myrt::wasi::host::kClosed);

  RequestBodyPipe q(10);
  q.abandon();
  CHECK(q.take(out, 8, &state) == 0);
  CHECK(state == 2);
  RequestBodyPipe r(10);
  r.fail(kHttpStreamErrorBase - 7);
  CHECK(r.write(data, 1) == kHttpStreamErrorBase - 7);
}

TEST_CASE("wasi:http request bodies before sending: the pipe's limit and the guest's shared budget", "[wasi][http]") {
  constexpr int kBodySize = kHttpStreamErrorBase - static_cast<int>(kErrorHttpRequestBodySize);
  auto budget = std::make_shared<ByteBudget>(15);
  const uint8_t data[12] = {};
  uint64_t n = 0;
  {
    RequestBodyPipe a(10, budget), b(10, budget);
    CHECK(a.write(data, 10) == 0);
    CHECK(a.checkWrite(n) == kBodySize);  // its own limit: an error before sending (nothing would drain it)
    CHECK(a.write(data, 1) == kBodySize);
    CHECK(b.checkWrite(n) == 0);
    CHECK(n == 5);                        // what the budget has left
    CHECK(b.write(data, 6) == kBodySize);
    CHECK(b.write(data, 5) == 0);
    CHECK(b.checkWrite(n) == kBodySize);
    CHECK(budget->available() == 0);
    a.startSending([] {});
    char out[16];
    int state = -1;
    CHECK(a.take(out, 4, &state) == 4);   // taken bytes go back to the budget
    CHECK(budget->available() == 4);
    CHECK(a.write(data, 12) == 0);        // sending: the window, not charged
    CHECK(budget->available() == 4);
    CHECK(b.checkWrite(n) == 0);
    CHECK(n == 4);
  }
  CHECK(budget->available() == 15);       // the pipes gave back what they held
  CHECK(!budget->charge(16));
  CHECK(budget->charge(15));
  CHECK(!budget->charge(1));
}

TEST_CASE("curl results map to wasi:http error-code cases", "[wasi][http]") {
  if (!httpClientBuiltIn()) return;  // -DMYRT_HTTP_CLIENT=OFF: no curl
  auto name = [](int curlCode, long osErrno = 0, bool connected = false) {
    return std::string(httpErrorCodeName(mapCurlError(curlCode, osErrno, connected, "msg").code));
  };
  CHECK(name(6) == "DNS-error");                           // CURLE_COULDNT_RESOLVE_HOST
  CHECK(name(7, ECONNREFUSED) == "connection-refused");    // CURLE_COULDNT_CONNECT
  CHECK(name(7, ETIMEDOUT) == "connection-timeout");
  CHECK(name(7, EHOSTUNREACH) == "destination-unavailable");
  CHECK(name(28) == "connection-timeout");                 // CURLE_OPERATION_TIMEDOUT before a connection
  CHECK(name(28, 0, true) == "connection-read-timeout");
  CHECK(name(35) == "TLS-protocol-error");                 // CURLE_SSL_CONNECT_ERROR
  CHECK(name(60) == "TLS-certificate-error");              // CURLE_PEER_FAILED_VERIFICATION
  CHECK(name(52) == "HTTP-response-incomplete");           // CURLE_GOT_NOTHING
  CHECK(name(18) == "HTTP-response-incomplete");           // CURLE_PARTIAL_FILE
  CHECK(name(56) == "connection-terminated");              // CURLE_RECV_ERROR
  CHECK(name(8) == "HTTP-protocol-error");                 // CURLE_WEIRD_SERVER_REPLY
  CHECK(name(3) == "HTTP-request-URI-invalid");            // CURLE_URL_MALFORMAT
  auto other = mapCurlError(2, 0, false, "failed init");   // CURLE_FAILED_INIT
  CHECK(std::string(httpErrorCodeName(other.code)) == "internal-error");
  CHECK(other.message == "failed init");
}
