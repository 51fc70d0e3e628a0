// tests/unit/wasi/wasi_http_test.cpp -- wasi:http/types on the host (wasi/p2/http.h) through its C++ face: header
// validation (invalid syntax, forbidden names, immutable fields), case-insensitive names, the incoming request and its
// body stream, the outgoing response with its body captured for the server, outparam rules, request-side values.
// Layer: tests (wasi/p2).
#include <catch2/catch.hpp>

#include "wasi/p2/context.h"
#include "wasi/p2/http.h"

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
  CHECK(f.h->futureTrailersGet(trailers) == 1);
  CHECK(f.h->futureTrailersGet(trailers) == 2);
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
