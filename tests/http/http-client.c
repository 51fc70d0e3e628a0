/* http-client: a component making one outgoing HTTP request through wasi:http/outgoing-handler@0.2.12, written in
 * plain C against the canonical ABI (no bindings generator), for tests/http/outgoing_test.py.
 *
 *   fetch(method, scheme, authority, path, body, timeout-ms) -> string
 *
 * body "" sends none; "*N" sends N bytes of 'a' (written after handle(): a streamed, chunked request body); else the
 * text. timeout-ms > 0 sets connect-, first-byte- and between-bytes-timeout. The result is one line:
 *   "status=200;content-type=...;x-...=...;len=N;body=...;trailer:x-...=..."   (body only when shorter than 200 bytes)
 * or "error=<error-code case>" (handle or the future failed), with "body-error=<case>" when the body failed.
 * It also exports wasi:http/incoming-handler: GET /relay/AUTHORITY/PATH answers 200 with the report of
 * fetch("GET", "http", AUTHORITY, "/PATH") (outgoing requests of a `myrt serve` guest); and
 *   burst(count, authority, path, prebody) -> string: several requests alive at once (the per-guest limits).
 * Build: tests/tools/build-c-component.sh tests/http/http-client.c tests/http/wit http-client tests/http/http-client.wasm
 */
#include "../tools/guest_util.h"
#define HTTP "wasi:http/types@0.2.12"
#define HANDLER "wasi:http/outgoing-handler@0.2.12"
#define STREAMS "wasi:io/streams@0.2.12"
#define POLL "wasi:io/poll@0.2.12"
#define IOERR "wasi:io/error@0.2.12"

IMPORT(HTTP, "[constructor]fields") int32_t fields_new(void);
IMPORT(HTTP, "[method]fields.entries") void fields_entries(int32_t self, void *ret);
IMPORT(HTTP, "[resource-drop]fields") void fields_drop(int32_t self);
IMPORT(HTTP, "[constructor]outgoing-request") int32_t req_new(int32_t headers);
IMPORT(HTTP, "[method]outgoing-request.set-method") int32_t req_set_method(int32_t self, int32_t tag, const char *p,
                                                                          size_t n);
IMPORT(HTTP, "[method]outgoing-request.set-scheme") int32_t req_set_scheme(int32_t self, int32_t some, int32_t tag,
                                                                          const char *p, size_t n);
IMPORT(HTTP, "[method]outgoing-request.set-authority") int32_t req_set_authority(int32_t self, int32_t some,
                                                                                const char *p, size_t n);
IMPORT(HTTP, "[method]outgoing-request.set-path-with-query") int32_t req_set_path(int32_t self, int32_t some,
                                                                                 const char *p, size_t n);
IMPORT(HTTP, "[method]outgoing-request.body") void req_body(int32_t self, void *ret);
IMPORT(HTTP, "[method]outgoing-body.write") void outbody_write(int32_t self, void *ret);
IMPORT(HTTP, "[static]outgoing-body.finish") void outbody_finish(int32_t self, int32_t has_trailers,
                                                                 int32_t trailers, void *ret);
IMPORT(HTTP, "[constructor]request-options") int32_t opts_new(void);
IMPORT(HTTP, "[method]request-options.set-connect-timeout") int32_t opts_connect(int32_t self, int32_t some,
                                                                                int64_t ns);
IMPORT(HTTP, "[method]request-options.set-first-byte-timeout") int32_t opts_first(int32_t self, int32_t some,
                                                                                 int64_t ns);
IMPORT(HTTP, "[method]request-options.set-between-bytes-timeout") int32_t opts_between(int32_t self, int32_t some,
                                                                                      int64_t ns);
IMPORT(HTTP, "[method]future-incoming-response.subscribe") int32_t future_subscribe(int32_t self);
IMPORT(HTTP, "[method]future-incoming-response.get") void future_get(int32_t self, void *ret);
IMPORT(HTTP, "[resource-drop]future-incoming-response") void future_drop(int32_t self);
IMPORT(HTTP, "[method]incoming-response.status") int32_t resp_status(int32_t self);
IMPORT(HTTP, "[method]incoming-response.headers") int32_t resp_headers(int32_t self);
IMPORT(HTTP, "[method]incoming-response.consume") void resp_consume(int32_t self, void *ret);
IMPORT(HTTP, "[resource-drop]incoming-response") void resp_drop(int32_t self);
IMPORT(HTTP, "[method]incoming-body.stream") void inbody_stream(int32_t self, void *ret);
IMPORT(HTTP, "[static]incoming-body.finish") int32_t inbody_finish(int32_t self);
IMPORT(HTTP, "[method]future-trailers.subscribe") int32_t trailers_subscribe(int32_t self);
IMPORT(HTTP, "[method]future-trailers.get") void trailers_get(int32_t self, void *ret);
IMPORT(HTTP, "[resource-drop]future-trailers") void trailers_drop(int32_t self);
IMPORT(HTTP, "http-error-code") void http_error_code(int32_t err, void *ret);
IMPORT(HANDLER, "handle") void handle(int32_t request, int32_t has_options, int32_t options, void *ret);
IMPORT(POLL, "[method]pollable.block") void pollable_block(int32_t self);
IMPORT(POLL, "[resource-drop]pollable") void pollable_drop(int32_t self);
IMPORT(STREAMS, "[method]input-stream.blocking-read") void in_blocking_read(int32_t self, int64_t len, void *ret);
IMPORT(STREAMS, "[resource-drop]input-stream") void in_drop(int32_t self);
IMPORT(STREAMS, "[method]output-stream.blocking-write-and-flush") void out_write_flush(int32_t self, const uint8_t *p,
                                                                                     size_t len, void *ret);
IMPORT(STREAMS, "[resource-drop]output-stream") void out_drop(int32_t self);
IMPORT(IOERR, "[resource-drop]error") void ioerror_drop(int32_t self);

static const char *ERRORS[] = {
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
static const char *error_name(uint8_t tag) { return tag < sizeof ERRORS / sizeof ERRORS[0] ? ERRORS[tag] : "?"; }

static const char *METHODS[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};

/* entries whose name is content-type or starts with "x-", as ";name=value" */
static void put_fields(buf *out, int32_t fields, const char *prefix) {
  int32_t r[2] __attribute__((aligned(4)));
  fields_entries(fields, r);
  int32_t *items = (int32_t *)(uintptr_t)r[0];
  for (int32_t i = 0; i < r[1]; i++) {
    char *name = (char *)(uintptr_t)items[4 * i]; size_t nl = (size_t)items[4 * i + 1];
    char *val = (char *)(uintptr_t)items[4 * i + 2]; size_t vl = (size_t)items[4 * i + 3];
    if ((nl == 12 && !memcmp(name, "content-type", 12)) || (nl > 2 && !memcmp(name, "x-", 2))) {
      puts_(out, ";"); puts_(out, prefix); put(out, name, nl); puts_(out, "="); put(out, val, vl);
    }
    free(name); free(val);
  }
  free(items);
  fields_drop(fields);
}

typedef struct { char *p; size_t len; } str;

/* the request and its one-line report (the arguments stay the caller's) */
static buf do_fetch(const char *method, size_t method_len, const char *scheme, size_t scheme_len,
                    const char *authority, size_t authority_len, const char *path, size_t path_len, const char *body,
                    size_t body_len, uint64_t timeout_ms) {
  buf out = {0};
  int32_t req = req_new(fields_new());
  int32_t mtag = 9;
  for (int i = 0; i < 9; i++)
    if (strlen(METHODS[i]) == method_len && !memcmp(METHODS[i], method, method_len)) mtag = i;
  if (req_set_method(req, mtag, method, method_len) != 0) __builtin_trap();
  int32_t stag = (scheme_len == 4 && !memcmp(scheme, "http", 4)) ? 0 : (scheme_len == 5 && !memcmp(scheme, "https", 5)) ? 1 : 2;
  if (req_set_scheme(req, 1, stag, scheme, scheme_len) != 0) __builtin_trap();
  if (req_set_authority(req, 1, authority, authority_len) != 0) __builtin_trap();
  if (req_set_path(req, 1, path, path_len) != 0) __builtin_trap();
  int32_t ob = -1;
  int32_t r3[3] __attribute__((aligned(8)));
  if (body_len > 0) {
    req_body(req, r3);
    if (((uint8_t *)r3)[0] != 0) __builtin_trap();
    ob = r3[1];
  }
  int32_t opts = -1;
  if (timeout_ms > 0) {
    opts = opts_new();
    int64_t ns = (int64_t)timeout_ms * 1000000;
    if (opts_connect(opts, 1, ns) || opts_first(opts, 1, ns) || opts_between(opts, 1, ns)) __builtin_trap();
  }
  uint64_t ret[8];                      /* result<own<future-incoming-response>, error-code> */
  handle(req, opts >= 0, opts >= 0 ? opts : 0, ret);
  uint8_t *rb = (uint8_t *)ret;
  if (rb[0] != 0) {
    puts_(&out, "error="); puts_(&out, error_name(rb[8]));
    if (ob >= 0) { uint64_t f[8]; outbody_finish(ob, 0, 0, f); }
    goto done;
  }
  int32_t future = *(int32_t *)(rb + 8);
  if (ob >= 0) {                        /* the body after handle(): streamed while the request is under way */
    outbody_write(ob, r3);
    if (((uint8_t *)r3)[0] != 0) __builtin_trap();
    int32_t os = r3[1];
    size_t total = body_len;
    int generated = body[0] == '*';
    if (generated) { total = 0; for (size_t i = 1; i < body_len; i++) total = total * 10 + (size_t)(body[i] - '0'); }
    static uint8_t chunk[4096];
    memset(chunk, 'a', sizeof chunk);
    for (size_t off = 0; off < total; off += 4096) {
      size_t n = total - off < 4096 ? total - off : 4096;
      int32_t w[3] __attribute__((aligned(8)));
      out_write_flush(os, generated ? chunk : (const uint8_t *)body + off, n, w);
      if (((uint8_t *)w)[0] != 0) { if (((uint8_t *)w)[4] == 0) ioerror_drop(w[2]); break; }
    }
    out_drop(os);
    uint64_t f[8];
    outbody_finish(ob, 0, 0, f);
  }
  int32_t p = future_subscribe(future);
  pollable_block(p);
  pollable_drop(p);
  uint64_t g[8];                        /* option<result<result<own<incoming-response>, error-code>>> */
  future_get(future, g);
  uint8_t *gb = (uint8_t *)g;
  future_drop(future);
  if (gb[0] != 1 || gb[8] != 0) __builtin_trap();
  if (gb[16] != 0) { puts_(&out, "error="); puts_(&out, error_name(gb[24])); goto done; }
  int32_t resp = *(int32_t *)(gb + 24);
  puts_(&out, "status="); putnum(&out, (uint64_t)resp_status(resp));
  put_fields(&out, resp_headers(resp), "");
  resp_consume(resp, r3);
  if (((uint8_t *)r3)[0] != 0) __builtin_trap();
  int32_t ib = r3[1];
  inbody_stream(ib, r3);
  if (((uint8_t *)r3)[0] != 0) __builtin_trap();
  int32_t in = r3[1];
  buf content = {0};
  for (;;) {
    int32_t rr[3] __attribute__((aligned(8)));  /* result<list<u8>, stream-error> */
    in_blocking_read(in, 65536, rr);
    if (((uint8_t *)rr)[0] != 0) {
      if (((uint8_t *)rr)[4] == 0) {            /* last-operation-failed(error) */
        uint64_t e[8];
        http_error_code(rr[2], e);
        puts_(&out, ";body-error="); puts_(&out, ((uint8_t *)e)[0] ? error_name(((uint8_t *)e)[8]) : "none");
        ioerror_drop(rr[2]);
      }
      break;
    }
    put(&content, (void *)(uintptr_t)rr[1], (size_t)rr[2]);
    free((void *)(uintptr_t)rr[1]);
  }
  in_drop(in);
  puts_(&out, ";len="); putnum(&out, content.len);
  if (content.len < 200) { puts_(&out, ";body="); if (content.len) put(&out, content.p, content.len); }
  free(content.p);
  int32_t ft = inbody_finish(ib);
  p = trailers_subscribe(ft);
  pollable_block(p);
  pollable_drop(p);
  trailers_get(ft, g);                  /* option<result<result<option<own<trailers>>, error-code>>> */
  if (gb[0] == 1 && gb[8] == 0 && gb[16] == 0 && gb[24] == 1) put_fields(&out, *(int32_t *)(gb + 28), "trailer:");
  trailers_drop(ft);
  resp_drop(resp);
done:
  return out;
}

__attribute__((export_name("fetch")))
str *fetch(char *method, size_t method_len, char *scheme, size_t scheme_len, char *authority, size_t authority_len,
           char *path, size_t path_len, char *body, size_t body_len, uint64_t timeout_ms) {
  static str result;
  buf out = do_fetch(method, method_len, scheme, scheme_len, authority, authority_len, path, path_len, body, body_len,
                     timeout_ms);
  if (method_len) free(method);   /* empty strings point at no allocation (cabi_realloc of size 0) */
  if (scheme_len) free(scheme);
  if (authority_len) free(authority);
  if (path_len) free(path);
  if (body_len) free(body);
  result.p = out.p ? out.p : "";
  result.len = out.len;
  return &result;
}

/* burst(count, authority, path, prebody): makes `count` requests to http://AUTHORITY/PATH (POST with a body of
 * `prebody` bytes, else GET), writes every body before any handle(), then starts them all, keeping every future
 * alive, then waits for each. Report: "I:write-error=CASE" for a failed body write (the per-guest buffer limit) and
 * "I:error=CASE" for a failed handle, then after ';' "I:STATUS " or "I:error=CASE " per started request. */
__attribute__((export_name("burst")))
str *burst(uint32_t count, char *authority, size_t authority_len, char *path, size_t path_len, uint64_t prebody) {
  static str result;
  buf out = {0};
  int32_t *reqs = calloc(count ? count : 1, sizeof(int32_t));
  int32_t *futures = calloc(count ? count : 1, sizeof(int32_t));
  static uint8_t chunk[4096];
  memset(chunk, 'a', sizeof chunk);
  for (uint32_t i = 0; i < count; i++) {
    int32_t req = reqs[i] = req_new(fields_new());
    if (req_set_method(req, prebody ? 2 : 0, "", 0) != 0) __builtin_trap();
    if (req_set_scheme(req, 1, 0, "", 0) != 0) __builtin_trap();
    if (req_set_authority(req, 1, authority, authority_len) != 0) __builtin_trap();
    if (req_set_path(req, 1, path, path_len) != 0) __builtin_trap();
    if (!prebody) continue;
    int32_t r3[3] __attribute__((aligned(8)));
    req_body(req, r3);
    if (((uint8_t *)r3)[0] != 0) __builtin_trap();
    int32_t ob = r3[1];
    outbody_write(ob, r3);
    if (((uint8_t *)r3)[0] != 0) __builtin_trap();
    int32_t os = r3[1];
    for (uint64_t off = 0; off < prebody; off += 4096) {
      size_t n = prebody - off < 4096 ? (size_t)(prebody - off) : 4096;
      int32_t w[3] __attribute__((aligned(8)));
      out_write_flush(os, chunk, n, w);
      if (((uint8_t *)w)[0] != 0) {
        putnum(&out, i);
        puts_(&out, ":write-error=");
        if (((uint8_t *)w)[4] == 0) {
          uint64_t e[8];
          http_error_code(w[2], e);
          puts_(&out, ((uint8_t *)e)[0] ? error_name(((uint8_t *)e)[8]) : "none");
          ioerror_drop(w[2]);
        } else {
          puts_(&out, "closed");
        }
        puts_(&out, " ");
        break;
      }
    }
    out_drop(os);
    uint64_t f[8];
    outbody_finish(ob, 0, 0, f);
  }
  for (uint32_t i = 0; i < count; i++) {
    uint64_t ret[8];
    handle(reqs[i], 0, 0, ret);
    uint8_t *rb = (uint8_t *)ret;
    futures[i] = -1;
    if (rb[0] != 0) {
      putnum(&out, i);
      puts_(&out, ":error=");
      puts_(&out, error_name(rb[8]));
      puts_(&out, " ");
    } else {
      futures[i] = *(int32_t *)(rb + 8);
    }
  }
  puts_(&out, ";");
  for (uint32_t i = 0; i < count; i++) {
    if (futures[i] < 0) continue;
    int32_t p = future_subscribe(futures[i]);
    pollable_block(p);
    pollable_drop(p);
    uint64_t g[8];
    future_get(futures[i], g);
    uint8_t *gb = (uint8_t *)g;
    if (gb[0] != 1 || gb[8] != 0) __builtin_trap();
    putnum(&out, i);
    if (gb[16] != 0) {
      puts_(&out, ":error=");
      puts_(&out, error_name(gb[24]));
    } else {
      int32_t resp = *(int32_t *)(gb + 24);
      puts_(&out, ":");
      putnum(&out, (uint64_t)resp_status(resp));
      resp_drop(resp);
    }
    puts_(&out, " ");
  }
  for (uint32_t i = 0; i < count; i++)
    if (futures[i] >= 0) future_drop(futures[i]);
  free(reqs);
  free(futures);
  if (authority_len) free(authority);
  if (path_len) free(path);
  result.p = out.p ? out.p : "";
  result.len = out.len;
  return &result;
}

/* ---- wasi:http/incoming-handler: GET /relay/AUTHORITY/PATH makes fetch("GET", "http", AUTHORITY, "/PATH") and
 * answers 200 with its report (a guest of `myrt serve` making outgoing requests) */
IMPORT(HTTP, "[method]incoming-request.path-with-query") void inreq_path(int32_t self, void *ret);
IMPORT(HTTP, "[resource-drop]incoming-request") void inreq_drop(int32_t self);
IMPORT(HTTP, "[constructor]outgoing-response") int32_t resp_new(int32_t headers);
IMPORT(HTTP, "[method]outgoing-response.set-status-code") int32_t resp_set_status(int32_t self, int32_t code);
IMPORT(HTTP, "[method]outgoing-response.body") void resp_body(int32_t self, void *ret);
IMPORT(HTTP, "[static]response-outparam.set") void outparam_set(int32_t param, int32_t tag, int32_t a, int32_t b,
                                                                int64_t c, int32_t d, int32_t e, int32_t f, int32_t g);

__attribute__((export_name("wasi:http/incoming-handler@0.2.12#handle")))
void handle_request(int32_t request, int32_t out_param) {
  int32_t r[3] __attribute__((aligned(8)));
  inreq_path(request, r);                               /* option<string> */
  const char *p = ((uint8_t *)r)[0] == 1 ? (const char *)(uintptr_t)r[1] : "/";
  size_t n = ((uint8_t *)r)[0] == 1 ? (size_t)r[2] : 1;
  buf report = {0};
  int status = 404;
  if (n > 7 && !memcmp(p, "/relay/", 7)) {
    const char *auth = p + 7, *slash = memchr(auth, '/', n - 7);
    size_t auth_len = slash ? (size_t)(slash - auth) : n - 7;
    const char *path = slash ? slash : "/";
    size_t path_len = slash ? n - 7 - auth_len : 1;
    report = do_fetch("GET", 3, "http", 4, auth, auth_len, path, path_len, "", 0, 0);
    status = 200;
  } else {
    puts_(&report, "not found");
  }
  int32_t resp = resp_new(fields_new());
  if (resp_set_status(resp, status) != 0) __builtin_trap();
  resp_body(resp, r);
  if (((uint8_t *)r)[0] != 0) __builtin_trap();
  int32_t ob = r[1];
  outparam_set(out_param, 0, resp, 0, 0, 0, 0, 0, 0);
  outbody_write(ob, r);
  if (((uint8_t *)r)[0] != 0) __builtin_trap();
  int32_t os = r[1];
  int32_t w[3] __attribute__((aligned(8)));
  if (report.len) out_write_flush(os, (uint8_t *)report.p, report.len, w);
  out_drop(os);
  uint64_t f[8];
  outbody_finish(ob, 0, 0, f);
  free(report.p);
  inreq_drop(request);
}
