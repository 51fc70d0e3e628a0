// wasi/p2/http_link.cpp -- the component-model binding of wasi:http (types, outgoing-handler) at 0.2.12: one host
// function per WIT function over component values, calling WasiHttp (http.h). Bodies are wasi:io streams of the
// WasiP2 table, so their handles use the resource types addToLinker defined for wasi:io.
// Layer: wasi/p2 (depends on runtime/component).
#include "wasi/p2/http_link.h"

#include <string>

namespace myrt::wasi::p2 {

using component::HostCall;
using component::HostInterface;
using component::Linker;
using component::ResourceType;
using component::Val;

namespace {

using binding::Args;
using binding::finish;
using binding::iface;

std::string bytesOf(const Val& v) {
  if (v.isBytes || v.kind == component::TK::String) return v.str;
  std::string out;
  out.reserve(v.elems.size());
  for (const Val& e : v.elems) out.push_back(static_cast<char>(e.bits));
  return out;
}

Val headerErr(HeaderError e) { return Val::err(Val::variant(static_cast<uint32_t>(e))); }

Val methodVal(const WasiHttp::Method& m) {
  return m.index == 9 ? Val::variant(9, Val::string(m.other)) : Val::variant(m.index);
}
WasiHttp::Method methodArg(const Val& v) {
  WasiHttp::Method m{v.index, {}};
  if (v.payload()) m.other = v.payload()->str;
  return m;
}
Val schemeVal(const std::optional<WasiHttp::Method>& s) {
  if (!s) return Val::none();
  return Val::some(s->index == 2 ? Val::variant(2, Val::string(s->other)) : Val::variant(s->index));
}
Val optString(const std::optional<std::string>& s) { return s ? Val::some(Val::string(*s)) : Val::none(); }
Val unitResult(bool ok) { return ok ? Val::ok() : Val::err(); }

// An error-code value: the case and its payload (empty records and options; internal-error's message).
Val errorCodeVal(const HttpError& e) {
  switch (e.code) {
    case 1:   // DNS-error(DNS-error-payload { rcode, info-code })
    case 14:  // TLS-alert-received(TLS-alert-received-payload { alert-id, alert-message })
    case 24: case 27: case 30:  // field-size-payload { field-name, field-size }
      return Val::variant(e.code, Val::record({Val::none(), Val::none()}));
    case 17: case 21: case 22: case 23: case 26: case 28: case 29: case 31: case 32:  // option<...>
      return Val::variant(e.code, Val::none());
    case 38:  // internal-error(option<string>)
      return Val::variant(e.code, e.message ? Val::some(Val::string(*e.message)) : Val::none());
    default: return Val::variant(e.code);
  }
}

struct HttpTypes {
  ResourceType* fields = nullptr;
  ResourceType* incomingRequest = nullptr;
  ResourceType* incomingBody = nullptr;
  ResourceType* futureTrailers = nullptr;
  ResourceType* outgoingResponse = nullptr;
  ResourceType* outgoingBody = nullptr;
  ResourceType* responseOutparam = nullptr;
  ResourceType* outgoingRequest = nullptr;
  ResourceType* requestOptions = nullptr;
  ResourceType* futureIncomingResponse = nullptr;
  ResourceType* incomingResponse = nullptr;
  ResourceType* pollable = nullptr;
  ResourceType* input = nullptr;
  ResourceType* output = nullptr;
};

void addFields(HostInterface& t, WasiP2* w, WasiHttp* h, const HttpTypes& rt) {
  t.func("[constructor]fields", [w, h, rt](HostCall& call, Args, Val* r) {
    *r = Val::own(rt.fields, h->fieldsNew());
    return finish(call, *w);
  });
  t.func("[static]fields.from-list", [w, h, rt](HostCall& call, Args a, Val* r) {
    HeaderList list;
    for (const Val& e : a[0].elems)
      if (e.elems.size() == 2) list.emplace_back(e.elems[0].str, bytesOf(e.elems[1]));
    auto f = h->fieldsFromList(list);
    *r = f.ok() ? Val::ok(Val::own(rt.fields, f.value())) : headerErr(f.error());
    return finish(call, *w);
  });
  t.func("[method]fields.get", [w, h](HostCall& call, Args a, Val* r) {
    std::vector<Val> out;
    for (std::string& v : h->fieldsGet(a[0].rep(), a[1].str)) out.push_back(Val::bytes(std::move(v)));
    *r = Val::list(std::move(out));
    return finish(call, *w);
  });
  t.func("[method]fields.has", [w, h](HostCall& call, Args a, Val* r) {
    *r = Val::boolean(h->fieldsHas(a[0].rep(), a[1].str));
    return finish(call, *w);
  });
  t.func("[method]fields.set", [w, h](HostCall& call, Args a, Val* r) {
    std::vector<std::string> values;
    for (const Val& v : a[2].elems) values.push_back(bytesOf(v));
    auto s = h->fieldsSet(a[0].rep(), a[1].str, values);
    *r = s.ok() ? Val::ok() : headerErr(s.error());
    return finish(call, *w);
  });
  t.func("[method]fields.delete", [w, h](HostCall& call, Args a, Val* r) {
    auto s = h->fieldsDelete(a[0].rep(), a[1].str);
    *r = s.ok() ? Val::ok() : headerErr(s.error());
    return finish(call, *w);
  });
  t.func("[method]fields.append", [w, h](HostCall& call, Args a, Val* r) {
    auto s = h->fieldsAppend(a[0].rep(), a[1].str, bytesOf(a[2]));
    *r = s.ok() ? Val::ok() : headerErr(s.error());
    return finish(call, *w);
  });
  t.func("[method]fields.entries", [w, h](HostCall& call, Args a, Val* r) {
    std::vector<Val> out;
    for (auto& [k, v] : h->fieldsEntries(a[0].rep())) out.push_back(Val::tuple({Val::string(k), Val::bytes(v)}));
    *r = Val::list(std::move(out));
    return finish(call, *w);
  });
  t.func("[method]fields.clone", [w, h, rt](HostCall& call, Args a, Val* r) {
    *r = Val::own(rt.fields, h->fieldsClone(a[0].rep()));
    return finish(call, *w);
  });
}

void addIncoming(HostInterface& t, WasiP2* w, WasiHttp* h, const HttpTypes& rt) {
  t.func("[method]incoming-request.method", [w, h](HostCall& call, Args a, Val* r) {
    *r = methodVal(h->requestMethod(a[0].rep()));
    return finish(call, *w);
  });
  t.func("[method]incoming-request.path-with-query", [w, h](HostCall& call, Args a, Val* r) {
    *r = optString(h->requestPathWithQuery(a[0].rep()));
    return finish(call, *w);
  });
  t.func("[method]incoming-request.scheme", [w, h](HostCall& call, Args a, Val* r) {
    *r = schemeVal(h->requestScheme(a[0].rep()));
    return finish(call, *w);
  });
  t.func("[method]incoming-request.authority", [w, h](HostCall& call, Args a, Val* r) {
    *r = optString(h->requestAuthority(a[0].rep()));
    return finish(call, *w);
  });
  t.func("[method]incoming-request.headers", [w, h, rt](HostCall& call, Args a, Val* r) {
    *r = Val::own(rt.fields, h->requestHeaders(a[0].rep()));
    return finish(call, *w);
  });
  t.func("[method]incoming-request.consume", [w, h, rt](HostCall& call, Args a, Val* r) {
    auto b = h->requestConsume(a[0].rep());
    *r = b ? Val::ok(Val::own(rt.incomingBody, *b)) : Val::err();
    return finish(call, *w);
  });
  t.func("[method]incoming-body.stream", [w, h, rt](HostCall& call, Args a, Val* r) {
    auto s = h->incomingBodyStream(a[0].rep());
    *r = s ? Val::ok(Val::own(rt.input, *s)) : Val::err();
    return finish(call, *w);
  });
  t.func("[static]incoming-body.finish", [w, h, rt](HostCall& call, Args a, Val* r) {
    *r = Val::own(rt.futureTrailers, h->incomingBodyFinish(a[0].rep()));
    return finish(call, *w);
  });
  t.func("[method]future-trailers.subscribe", [w, h, rt](HostCall& call, Args a, Val* r) {
    *r = Val::own(rt.pollable, h->futureTrailersSubscribe(a[0].rep()));
    return finish(call, *w);
  });
  t.func("[method]future-trailers.get", [w, h, rt](HostCall& call, Args a, Val* r) {
    // option<result<result<option<trailers>, error-code>>>
    auto g = h->futureTrailersGet(a[0].rep());
    if (g.state == 1 && g.error) *r = Val::some(Val::ok(Val::err(errorCodeVal(*g.error))));
    else if (g.state == 1)
      *r = Val::some(Val::ok(Val::ok(g.trailers ? Val::some(Val::own(rt.fields, *g.trailers)) : Val::none())));
    else if (g.state == 2) *r = Val::some(Val::err());
    else *r = Val::none();
    return finish(call, *w);
  });
  // Incoming responses and their futures: from the outgoing-handler.
  t.func("[method]future-incoming-response.subscribe", [w, h, rt](HostCall& call, Args a, Val* r) {
    *r = Val::own(rt.pollable, h->futureResponseSubscribe(a[0].rep()));
    return finish(call, *w);
  });
  t.func("[method]future-incoming-response.get", [w, h, rt](HostCall& call, Args a, Val* r) {
    // option<result<result<incoming-response, error-code>>>
    auto g = h->futureResponseGet(a[0].rep());
    switch (g.state) {
      case 1: *r = Val::some(Val::ok(Val::ok(Val::own(rt.incomingResponse, g.response)))); break;
      case 2: *r = Val::some(Val::ok(Val::err(errorCodeVal(g.error)))); break;
      case 3: *r = Val::some(Val::err()); break;
      default: *r = Val::none(); break;
    }
    return finish(call, *w);
  });
  t.func("[method]incoming-response.status", [w, h](HostCall& call, Args a, Val* r) {
    *r = Val::u16(h->incomingResponseStatus(a[0].rep()));
    return finish(call, *w);
  });
  t.func("[method]incoming-response.headers", [w, h, rt](HostCall& call, Args a, Val* r) {
    *r = Val::own(rt.fields, h->incomingResponseHeaders(a[0].rep()));
    return finish(call, *w);
  });
  t.func("[method]incoming-response.consume", [w, h, rt](HostCall& call, Args a, Val* r) {
    auto b = h->incomingResponseConsume(a[0].rep());
    *r = b ? Val::ok(Val::own(rt.incomingBody, *b)) : Val::err();
    return finish(call, *w);
  });
}

void addOutgoing(HostInterface& t, WasiP2* w, WasiHttp* h, const HttpTypes& rt) {
  t.func("[constructor]outgoing-response", [w, h, rt](HostCall& call, Args a, Val* r) {
    *r = Val::own(rt.outgoingResponse, h->responseNew(a[0].rep()));
    return finish(call, *w);
  });
  t.func("[method]outgoing-response.status-code", [w, h](HostCall& call, Args a, Val* r) {
    *r = Val::u16(h->responseStatus(a[0].rep()));
    return finish(call, *w);
  });
  t.func("[method]outgoing-response.set-status-code", [w, h](HostCall& call, Args a, Val* r) {
    *r = unitResult(h->responseSetStatus(a[0].rep(), a[1].asU32()));
    return finish(call, *w);
  });
  t.func("[method]outgoing-response.headers", [w, h, rt](HostCall& call, Args a, Val* r) {
    *r = Val::own(rt.fields, h->responseHeaders(a[0].rep()));
    return finish(call, *w);
  });
  t.func("[method]outgoing-response.body", [w, h, rt](HostCall& call, Args a, Val* r) {
    auto b = h->responseBody(a[0].rep());
    *r = b ? Val::ok(Val::own(rt.outgoingBody, *b)) : Val::err();
    return finish(call, *w);
  });
  t.func("[method]outgoing-body.write", [w, h, rt](HostCall& call, Args a, Val* r) {
    auto s = h->outgoingBodyWrite(a[0].rep());
    *r = s ? Val::ok(Val::own(rt.output, *s)) : Val::err();
    return finish(call, *w);
  });
  t.func("[static]outgoing-body.finish", [w, h](HostCall& call, Args a, Val* r) {
    std::optional<Rep> trailers;
    if (a[1].isSome() && a[1].payload()) trailers = a[1].payload()->rep();
    *r = h->outgoingBodyFinish(a[0].rep(), trailers) ? Val::ok()
                                                     : Val::err(Val::variant(kErrorInternal, Val::none()));
    return finish(call, *w);
  });
  t.func("[static]response-outparam.set", [w, h](HostCall& call, Args a, Val*) {
    const Val& res = a[1];
    if (!res.isErr() && res.payload()) h->outparamSet(a[0].rep(), res.payload()->rep(), 0);
    else h->outparamSet(a[0].rep(), std::nullopt, res.payload() ? res.payload()->index : kErrorInternal);
    return finish(call, *w);
  });

  t.func("[constructor]outgoing-request", [w, h, rt](HostCall& call, Args a, Val* r) {
    *r = Val::own(rt.outgoingRequest, h->outgoingRequestNew(a[0].rep()));
    return finish(call, *w);
  });
  t.func("[method]outgoing-request.body", [w, h, rt](HostCall& call, Args a, Val* r) {
    auto b = h->outgoingRequestBody(a[0].rep());
    *r = b ? Val::ok(Val::own(rt.outgoingBody, *b)) : Val::err();
    return finish(call, *w);
  });
  t.func("[method]outgoing-request.method", [w, h](HostCall& call, Args a, Val* r) {
    *r = methodVal(h->outgoingRequestMethod(a[0].rep()));
    return finish(call, *w);
  });
  t.func("[method]outgoing-request.set-method", [w, h](HostCall& call, Args a, Val* r) {
    *r = unitResult(h->outgoingRequestSetMethod(a[0].rep(), methodArg(a[1])));
    return finish(call, *w);
  });
  t.func("[method]outgoing-request.path-with-query", [w, h](HostCall& call, Args a, Val* r) {
    *r = optString(h->outgoingRequestPathWithQuery(a[0].rep()));
    return finish(call, *w);
  });
  t.func("[method]outgoing-request.set-path-with-query", [w, h](HostCall& call, Args a, Val* r) {
    std::optional<std::string> p;
    if (a[1].isSome() && a[1].payload()) p = a[1].payload()->str;
    *r = unitResult(h->outgoingRequestSetPathWithQuery(a[0].rep(), std::move(p)));
    return finish(call, *w);
  });
  t.func("[method]outgoing-request.scheme", [w, h](HostCall& call, Args a, Val* r) {
    *r = schemeVal(h->outgoingRequestScheme(a[0].rep()));
    return finish(call, *w);
  });
  t.func("[method]outgoing-request.set-scheme", [w, h](HostCall& call, Args a, Val* r) {
    std::optional<WasiHttp::Method> s;
    if (a[1].isSome() && a[1].payload()) s = methodArg(*a[1].payload());
    *r = unitResult(h->outgoingRequestSetScheme(a[0].rep(), std::move(s)));
    return finish(call, *w);
  });
  t.func("[method]outgoing-request.authority", [w, h](HostCall& call, Args a, Val* r) {
    *r = optString(h->outgoingRequestAuthority(a[0].rep()));
    return finish(call, *w);
  });
  t.func("[method]outgoing-request.set-authority", [w, h](HostCall& call, Args a, Val* r) {
    std::optional<std::string> s;
    if (a[1].isSome() && a[1].payload()) s = a[1].payload()->str;
    *r = unitResult(h->outgoingRequestSetAuthority(a[0].rep(), std::move(s)));
    return finish(call, *w);
  });
  t.func("[method]outgoing-request.headers", [w, h, rt](HostCall& call, Args a, Val* r) {
    *r = Val::own(rt.fields, h->outgoingRequestHeaders(a[0].rep()));
    return finish(call, *w);
  });
  t.func("[constructor]request-options", [w, h, rt](HostCall& call, Args, Val* r) {
    *r = Val::own(rt.requestOptions, h->requestOptionsNew());
    return finish(call, *w);
  });
  const char* const kTimeouts[] = {"connect-timeout", "first-byte-timeout", "between-bytes-timeout"};
  for (int i = 0; i < 3; ++i) {
    t.func(std::string("[method]request-options.") + kTimeouts[i], [w, h, i](HostCall& call, Args a, Val* r) {
      auto v = h->requestOptionsGet(a[0].rep(), i);
      *r = v ? Val::some(Val::u64(*v)) : Val::none();
      return finish(call, *w);
    });
    t.func(std::string("[method]request-options.set-") + kTimeouts[i], [w, h, i](HostCall& call, Args a, Val* r) {
      std::optional<uint64_t> v;
      if (a[1].isSome() && a[1].payload()) v = a[1].payload()->asU64();
      *r = unitResult(h->requestOptionsSet(a[0].rep(), i, v));
      return finish(call, *w);
    });
  }
  t.func("http-error-code", [w](HostCall& call, Args a, Val* r) {
    auto code = w->httpErrorCode(a[0].rep());
    *r = code ? Val::some(errorCodeVal(HttpError{*code, std::nullopt})) : Val::none();
    return finish(call, *w);
  });
}

}  // namespace

HttpResourceTypes addHttpToLinker(Linker& linker, WasiP2& io, WasiHttp& http) {
  WasiP2* w = &io;
  WasiHttp* h = &http;
  HostInterface& t = linker.define(iface("wasi:http/types"));
  auto dtor = [h](WasiHttp::Kind k) { return [h, k](uint32_t rep) { h->drop(k, rep); }; };
  HttpTypes rt;
  rt.fields = t.resource("fields", dtor(WasiHttp::Kind::Fields));
  rt.incomingRequest = t.resource("incoming-request", dtor(WasiHttp::Kind::IncomingRequest));
  rt.incomingBody = t.resource("incoming-body", dtor(WasiHttp::Kind::IncomingBody));
  rt.futureTrailers = t.resource("future-trailers", dtor(WasiHttp::Kind::FutureTrailers));
  rt.outgoingResponse = t.resource("outgoing-response", dtor(WasiHttp::Kind::OutgoingResponse));
  rt.outgoingBody = t.resource("outgoing-body", dtor(WasiHttp::Kind::OutgoingBody));
  rt.responseOutparam = t.resource("response-outparam", dtor(WasiHttp::Kind::ResponseOutparam));
  rt.outgoingRequest = t.resource("outgoing-request", dtor(WasiHttp::Kind::OutgoingRequest));
  rt.requestOptions = t.resource("request-options", dtor(WasiHttp::Kind::RequestOptions));
  rt.futureIncomingResponse = t.resource("future-incoming-response", dtor(WasiHttp::Kind::FutureIncomingResponse));
  rt.incomingResponse = t.resource("incoming-response", dtor(WasiHttp::Kind::IncomingResponse));
  // wasi:io's resource types (addToLinker defines them with their destructors; these calls only look them up)
  rt.pollable = linker.define(iface("wasi:io/poll")).resource("pollable");
  rt.input = linker.define(iface("wasi:io/streams")).resource("input-stream");
  rt.output = linker.define(iface("wasi:io/streams")).resource("output-stream");
  addFields(t, w, h, rt);
  addIncoming(t, w, h, rt);
  addOutgoing(t, w, h, rt);
  // wasi:http/outgoing-handler: a destination needs a grant (--allow-http, -S inherit-network): else
  // HTTP-request-denied.
  linker.define(iface("wasi:http/outgoing-handler")).func("handle", [w, h, rt](HostCall& call, Args a, Val* r) {
    std::optional<Rep> options;
    if (a[1].isSome() && a[1].payload()) options = a[1].payload()->rep();
    auto f = h->handle(a[0].rep(), options);
    *r = f.ok() ? Val::ok(Val::own(rt.futureIncomingResponse, f.value())) : Val::err(errorCodeVal(f.error()));
    return finish(call, *w);
  });
  return HttpResourceTypes{rt.incomingRequest, rt.responseOutparam};
}

}  // namespace myrt::wasi::p2
