/* tests/capi/capi_http_test.c -- wasi:http proxy components through myrt.h (myrt_http_*): the embedder's requests
 * (method, target, headers, a body as bytes or from a read callback) answered by hello-c-http (../shared), by
 * tests/http's component (its incoming-handler relays a request through wasi:http/outgoing-handler: network grants)
 * and by tests/serve/misbehave (traps with the spec's wording, a timeout, fuel, the memory limit, no response, an
 * error-code); bad requests; one handler used by several threads at once.
 * Usage: capi_http_test TIER HELLO-C-HTTP.wasm HTTP-CLIENT.wasm MISBEHAVE.wasm WASI-TOOL.wasm */
#include <pthread.h>
#include <stdlib.h>

#include "check.h"
#include "myrt.h"

static myrt_component_t* load(const char* path) {
  wasm_byte_vec_t bytes = read_file_bytes(path);
  myrt_component_t* c = NULL;
  myrt_error_t* e = myrt_component_new(&bytes, &c);
  CHECK(e == NULL);
  if (e) myrt_error_delete(e);
  wasm_byte_vec_delete(&bytes);
  return c;
}

/* The error's message starts with `prefix`; deletes the error. */
static int error_starts(myrt_error_t* e, const char* prefix) {
  if (!e) {
    fprintf(stderr, "expected error '%s...', got none\n", prefix);
    return 0;
  }
  wasm_message_t m;
  myrt_error_message(e, &m);
  int ok = strncmp(m.data, prefix, strlen(prefix)) == 0;
  if (!ok) fprintf(stderr, "expected error '%s...', got '%s'\n", prefix, m.data);
  wasm_byte_vec_delete(&m);
  myrt_error_delete(e);
  return ok;
}

static myrt_http_request_t* request(const char* method, const char* path) {
  myrt_http_request_t* r = NULL;
  myrt_error_t* e = myrt_http_request_new(method, "http", "example.com", path, &r);
  CHECK(e == NULL && r != NULL);
  if (e) myrt_error_delete(e);
  return r;
}

/* Runs the request; NULL (and a message) when it failed. */
static myrt_http_response_t* run(myrt_http_handler_t* h, const myrt_http_request_t* r) {
  myrt_http_response_t* resp = NULL;
  wasm_trap_t* trap = NULL;
  myrt_error_t* e = myrt_http_handler_handle(h, r, &resp, &trap);
  if (e) {
    wasm_message_t m;
    myrt_error_message(e, &m);
    fprintf(stderr, "unexpected error: %s\n", m.data);
    wasm_byte_vec_delete(&m);
    myrt_error_delete(e);
  }
  if (trap) {
    fprintf(stderr, "unexpected trap\n");
    wasm_trap_delete(trap);
  }
  return resp;
}

static int body_is(const myrt_http_response_t* resp, const char* expected, size_t len) {
  size_t n = 0;
  const uint8_t* b = myrt_http_response_body(resp, &n);
  int ok = n == len && (len == 0 || memcmp(b, expected, len) == 0);
  if (!ok) fprintf(stderr, "body: expected %zu bytes '%.60s', got %zu '%.60s'\n", len, expected, n, b ? (const char*)b : "");
  return ok;
}

/* The value of header `name` (first occurrence) equals `expected`. */
static int header_is(const myrt_http_response_t* resp, const char* name, const char* expected) {
  for (size_t i = 0; i < myrt_http_response_header_count(resp); ++i) {
    const char *n, *v;
    size_t nl, vl;
    CHECK(myrt_http_response_header(resp, i, &n, &nl, &v, &vl));
    if (nl == strlen(name) && memcmp(n, name, nl) == 0) {
      int ok = vl == strlen(expected) && memcmp(v, expected, vl) == 0;
      if (!ok) fprintf(stderr, "header %s: expected '%s', got '%.*s'\n", name, expected, (int)vl, v);
      return ok;
    }
  }
  fprintf(stderr, "no header %s\n", name);
  return 0;
}

/* ---- a body from a callback: `total` bytes of 'a' in pieces of at most `piece`, or a failure after `fail_after` */
typedef struct {
  size_t total, given, piece, fail_after;
  int calls, finalized;
} source_t;

static int64_t source_read(void* env, uint8_t* buf, size_t cap) {
  source_t* s = (source_t*)env;
  ++s->calls;
  if (s->given >= s->fail_after) return -1;
  size_t n = s->total - s->given;
  if (n > cap) n = cap;
  if (n > s->piece) n = s->piece;
  memset(buf, 'a', n);
  s->given += n;
  return (int64_t)n;
}
static void source_finalize(void* env) { ((source_t*)env)->finalized++; }

static void test_hello(wasm_engine_t* engine, myrt_component_t* hello) {
  myrt_http_handler_t* h = NULL;
  myrt_error_t* e = myrt_http_handler_new(engine, hello, NULL, NULL, &h);
  CHECK(e == NULL && h != NULL);
  if (!h) return;

  myrt_http_request_t* get = request("GET", "/");
  for (int i = 0; i < 2; ++i) {  /* a fresh instance each time: the same answer */
    myrt_http_response_t* resp = run(h, get);
    CHECK(resp != NULL);
    if (!resp) continue;
    CHECK(myrt_http_response_status(resp) == 200);
    CHECK(header_is(resp, "content-type", "text/plain"));
    CHECK(body_is(resp, "hello from a C wasi:http component\n", 35));
    CHECK(!myrt_http_response_header(resp, myrt_http_response_header_count(resp), NULL, NULL, NULL, NULL));
    myrt_http_response_delete(resp);
  }
  myrt_http_request_delete(get);

  /* the target and repeated headers as the guest sees them; a forbidden header is not shown */
  myrt_http_request_t* info = request("GET", "/info?a=1&b=two");
  CHECK(myrt_http_request_add_header(info, "X-Test", "abc", 3) == NULL);
  CHECK(myrt_http_request_add_header(info, "x-test", "def", 3) == NULL);
  CHECK(myrt_http_request_add_header(info, "connection", "close", 5) == NULL);
  myrt_http_response_t* resp = run(h, info);
  CHECK(resp && myrt_http_response_status(resp) == 200);
  const char* want = "method=GET\npath-with-query=/info?a=1&b=two\nx-test=abc,def\n";
  if (resp) CHECK(body_is(resp, want, strlen(want)));
  myrt_http_response_delete(resp);
  myrt_http_request_delete(info);

  myrt_http_request_t* other = request("PURGE", "/info");
  resp = run(h, other);
  want = "method=PURGE\npath-with-query=/info\nx-test=\n";
  CHECK(resp && body_is(resp, want, strlen(want)));
  myrt_http_response_delete(resp);
  myrt_http_request_delete(other);

  /* a body as bytes */
  myrt_http_request_t* echo = request("POST", "/echo");
  myrt_http_request_set_body(echo, (const uint8_t*)"hello, echo", 11);
  resp = run(h, echo);
  CHECK(resp && myrt_http_response_status(resp) == 200);
  if (resp) {
    CHECK(header_is(resp, "x-body-length", "11"));
    CHECK(header_is(resp, "content-type", "application/octet-stream"));
    CHECK(body_is(resp, "hello, echo", 11));
  }
  myrt_http_response_delete(resp);

  /* a body from a callback, read as the guest reads (several calls), twice: each call reads the callback afresh */
  source_t src = {200000, 0, 7000, (size_t)-1, 0, 0};
  myrt_http_request_set_body_callback(echo, source_read, &src, source_finalize);
  resp = run(h, echo);
  CHECK(resp && myrt_http_response_status(resp) == 200);
  CHECK(src.calls >= 200000 / 7000 + 1);
  if (resp) {
    CHECK(header_is(resp, "x-body-length", "200000"));
    size_t n = 0;
    const uint8_t* b = myrt_http_response_body(resp, &n);
    CHECK(n == 200000 && b && b[0] == 'a' && b[199999] == 'a');
  }
  myrt_http_response_delete(resp);
  src.given = 0;
  src.total = 10;
  resp = run(h, echo);
  CHECK(resp && body_is(resp, "aaaaaaaaaa", 10));
  myrt_http_response_delete(resp);
  /* the callback fails after 5 bytes: the guest's read fails (hello-c-http echoes what it got) */
  src.given = 0;
  src.total = 100;
  src.piece = 5;
  src.fail_after = 5;
  resp = run(h, echo);
  CHECK(resp && body_is(resp, "aaaaa", 5));
  if (resp) CHECK(header_is(resp, "x-body-length", "5"));
  myrt_http_response_delete(resp);
  CHECK(src.finalized == 0);
  myrt_http_request_set_body(echo, NULL, 0);  /* replaces the callback: its finalizer runs */
  CHECK(src.finalized == 1);
  resp = run(h, echo);
  CHECK(resp && body_is(resp, "", 0));
  myrt_http_response_delete(resp);
  myrt_http_request_delete(echo);

  /* bad requests */
  myrt_http_request_t* r = NULL;
  CHECK(error_starts(myrt_http_request_new("GE T", NULL, NULL, NULL, &r), "invalid HTTP method"));
  CHECK(r == NULL);
  CHECK(error_starts(myrt_http_request_new("GET", NULL, NULL, "/a b", &r), "invalid request target part"));
  CHECK(error_starts(myrt_http_request_new(NULL, NULL, NULL, NULL, &r), "myrt_http_request_new: null argument"));
  r = request("GET", "/");
  CHECK(error_starts(myrt_http_request_add_header(r, "bad name", "x", 1), "invalid header name"));
  CHECK(error_starts(myrt_http_request_add_header(r, "x-a", "a\nb", 3), "invalid value of header"));
  CHECK(error_starts(myrt_http_handler_handle(h, r, NULL, NULL), "myrt_http_handler_handle: null argument"));
  myrt_http_request_delete(r);
  myrt_http_handler_delete(h);

  /* max_body_bytes */
  myrt_http_handler_options_t small = {0, 0, 4};
  CHECK(myrt_http_handler_new(engine, hello, NULL, &small, &h) == NULL);
  echo = request("POST", "/echo");
  myrt_http_request_set_body(echo, (const uint8_t*)"12345", 5);
  myrt_http_response_t* none = NULL;
  CHECK(error_starts(myrt_http_handler_handle(h, echo, &none, NULL), "the request body (5 bytes) is larger than"));
  CHECK(none == NULL);
  myrt_http_request_delete(echo);
  myrt_http_handler_delete(h);
}

/* ---- several threads on one handler */
typedef struct {
  myrt_http_handler_t* h;
  int ok;
} worker_t;

static void* worker(void* arg) {
  worker_t* w = (worker_t*)arg;
  myrt_http_request_t* r = request("GET", "/");
  for (int i = 0; i < 25; ++i) {
    myrt_http_response_t* resp = run(w->h, r);
    if (resp && myrt_http_response_status(resp) == 200 && body_is(resp, "hello from a C wasi:http component\n", 35))
      ++w->ok;
    myrt_http_response_delete(resp);
  }
  myrt_http_request_delete(r);
  return NULL;
}

static void test_threads(wasm_engine_t* engine, myrt_component_t* hello) {
  myrt_http_handler_t* h = NULL;
  CHECK(myrt_http_handler_new(engine, hello, NULL, NULL, &h) == NULL);
  if (!h) return;
  pthread_t t[4];
  worker_t w[4];
  for (int i = 0; i < 4; ++i) {
    w[i].h = h;
    w[i].ok = 0;
    CHECK(pthread_create(&t[i], NULL, worker, &w[i]) == 0);
  }
  for (int i = 0; i < 4; ++i) {
    pthread_join(t[i], NULL);
    CHECK(w[i].ok == 25);
  }
  myrt_http_handler_delete(h);
}

/* ---- network grants: tests/http's component relays GET /relay/AUTHORITY/PATH through outgoing-handler */
static void test_grants(wasm_engine_t* engine, myrt_component_t* client) {
  myrt_http_handler_t* h = NULL;
  myrt_wasi_config_t* wasi = myrt_wasi_config_new();
  CHECK(myrt_http_handler_new(engine, client, wasi, NULL, &h) == NULL);
  myrt_http_request_t* relay = request("GET", "/relay/127.0.0.1:1/");
  myrt_http_response_t* resp = run(h, relay);
  CHECK(resp && myrt_http_response_status(resp) == 200);
  if (resp) CHECK(body_is(resp, "error=HTTP-request-denied", 25));
  myrt_http_response_delete(resp);
  myrt_http_request_t* missing = request("GET", "/elsewhere");
  resp = run(h, missing);
  CHECK(resp && myrt_http_response_status(resp) == 404);
  if (resp) CHECK(body_is(resp, "not found", 9));
  myrt_http_response_delete(resp);
  myrt_http_handler_delete(h);

  /* granted: the request is made (port 1 on the loopback refuses it) */
  CHECK(error_starts(myrt_wasi_config_allow_http(wasi, "bad host!"), "myrt_wasi_config_allow_http: "));
  CHECK(myrt_wasi_config_allow_http(wasi, "127.0.0.1:1") == NULL);
  CHECK(myrt_http_handler_new(engine, client, wasi, NULL, &h) == NULL);
  myrt_wasi_config_delete(wasi);  /* copied by the handler */
  resp = run(h, relay);
  CHECK(resp && body_is(resp, "error=connection-refused", 24));
  myrt_http_response_delete(resp);
  myrt_http_handler_delete(h);

  wasi = myrt_wasi_config_new();
  myrt_wasi_config_inherit_network(wasi);
  CHECK(myrt_http_handler_new(engine, client, wasi, NULL, &h) == NULL);
  myrt_wasi_config_delete(wasi);
  resp = run(h, relay);
  CHECK(resp && body_is(resp, "error=connection-refused", 24));
  myrt_http_response_delete(resp);
  myrt_http_handler_delete(h);
  myrt_http_request_delete(relay);
  myrt_http_request_delete(missing);
}

/* ---- guest failures: misbehave.wat chooses by method */
static void expect_trap(myrt_http_handler_t* h, const char* method, const char* message, myrt_trap_code_t code) {
  myrt_http_request_t* r = request(method, "/");
  myrt_http_response_t* resp = NULL;
  wasm_trap_t* trap = NULL;
  myrt_error_t* e = myrt_http_handler_handle(h, r, &resp, &trap);
  CHECK(e == NULL && resp == NULL && trap != NULL);
  if (e) myrt_error_delete(e);
  if (trap) {
    myrt_trap_code_t got;
    CHECK(myrt_trap_code(trap, &got) && got == code);
    wasm_message_t d;
    myrt_trap_describe(trap, &d);
    CHECK(strncmp(d.data, message, strlen(message)) == 0 && strstr(d.data, "\n  at ") != NULL);
    wasm_byte_vec_delete(&d);
    wasm_frame_vec_t frames;
    wasm_trap_trace(trap, &frames);
    CHECK(frames.size >= 1);
    wasm_frame_vec_delete(&frames);
    CHECK(trap_is(trap, message));
  }
  myrt_http_request_delete(r);
}

static void expect_error(myrt_http_handler_t* h, const char* method, const char* prefix) {
  myrt_http_request_t* r = request(method, "/");
  myrt_http_response_t* resp = NULL;
  wasm_trap_t* trap = NULL;
  CHECK(error_starts(myrt_http_handler_handle(h, r, &resp, &trap), prefix));
  CHECK(resp == NULL && trap == NULL);
  myrt_http_request_delete(r);
}

static void test_failures(const char* tier, myrt_component_t* misbehave) {
  wasm_config_t* config = wasm_config_new();
  myrt_error_t* e = myrt_config_set_tier(config, tier);
  CHECK(e == NULL);
  myrt_config_set_max_memory_bytes(config, 4 << 20);
  wasm_engine_t* engine = wasm_engine_new_with_config(config);
  myrt_http_handler_options_t opts = {0, 300, 0};
  myrt_http_handler_t* h = NULL;
  CHECK(myrt_http_handler_new(engine, misbehave, NULL, &opts, &h) == NULL);
  if (h) {
    myrt_http_request_t* get = request("GET", "/");
    myrt_http_response_t* resp = run(h, get);
    CHECK(resp && myrt_http_response_status(resp) == 201);
    myrt_http_response_delete(resp);
    expect_trap(h, "POST", "unreachable", MYRT_TRAP_UNREACHABLE);
    expect_trap(h, "PUT", "interrupted", MYRT_TRAP_INTERRUPT);     /* timeout_ms */
    expect_trap(h, "DELETE", "unreachable", MYRT_TRAP_UNREACHABLE);  /* memory.grow failed at 4 MiB */
    expect_error(h, "PATCH", "the handler returned without setting a response");
    expect_error(h, "OPTIONS", "the handler answered error-code DNS-timeout");
    resp = run(h, get);  /* still answers */
    CHECK(resp && myrt_http_response_status(resp) == 201);
    myrt_http_response_delete(resp);
    myrt_http_request_delete(get);
    myrt_http_handler_delete(h);
  }
  myrt_http_handler_options_t fuel = {100000, 0, 0};
  CHECK(myrt_http_handler_new(engine, misbehave, NULL, &fuel, &h) == NULL);
  if (h) {
    expect_trap(h, "PUT", "fuel exhausted", MYRT_TRAP_OUT_OF_FUEL);
    myrt_http_handler_delete(h);
  }
  wasm_engine_delete(engine);
}

int main(int argc, char** argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: capi_http_test TIER HELLO-C-HTTP.wasm HTTP-CLIENT.wasm MISBEHAVE.wasm WASI-TOOL.wasm\n");
    return 2;
  }
  wasm_config_t* config = wasm_config_new();
  myrt_error_t* e = myrt_config_set_tier(config, argv[1]);
  CHECK(e == NULL);
  if (e) return 1;
  wasm_engine_t* engine = wasm_engine_new_with_config(config);
  myrt_component_t* hello = load(argv[2]);
  myrt_component_t* client = load(argv[3]);
  myrt_component_t* misbehave = load(argv[4]);
  myrt_component_t* command = load(argv[5]);
  if (!hello || !client || !misbehave || !command) return 1;

  /* not a proxy component; null arguments */
  myrt_http_handler_t* h = NULL;
  CHECK(error_starts(myrt_http_handler_new(engine, command, NULL, NULL, &h),
                     "the component exports no wasi:http/incoming-handler"));
  CHECK(h == NULL);
  CHECK(error_starts(myrt_http_handler_new(NULL, hello, NULL, NULL, &h), "myrt_http_handler_new: null argument"));

  test_hello(engine, hello);
  test_threads(engine, hello);
  test_grants(engine, client);
  test_failures(argv[1], misbehave);

  myrt_component_delete(hello);
  myrt_component_delete(client);
  myrt_component_delete(misbehave);
  myrt_component_delete(command);
  wasm_engine_delete(engine);
  return check_summary();
}
