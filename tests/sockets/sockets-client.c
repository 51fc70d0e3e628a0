/* sockets-client: a component using wasi:sockets@0.2.12 (tcp, udp, ip-name-lookup), written in plain C against the
 * canonical ABI (no bindings generator), for tests/sockets/sockets_test.py. Addresses are 127.0.0.1 (IPv4).
 *
 *   tcp-echo(port, message) -> string     connect to 127.0.0.1:port, send message, shut down sending, read to the end:
 *                                         "echo=<reply>" or "error=<step>:<error-code>"
 *   tcp-echo6(port, message) -> string    the same to [::1]:port (IPv6)
 *   tcp-accept(port) -> string            bind 127.0.0.1:port, listen, accept one connection, read to the end, answer
 *                                         "got:<message>": "accepted=<message>" or "error=<step>:<error-code>"
 *   udp-echo(port, message) -> string     bind 127.0.0.1:0, send message to 127.0.0.1:port, wait for one datagram:
 *                                         "reply=<data>" or "error=<step>:<error-code>"
 *   resolve(name) -> string               "addresses=<a>,<b>,..." or "error=<error-code>"
 * Build: tests/tools/build-c-component.sh tests/sockets/sockets-client.c tests/sockets/wit sockets-client \
 *        tests/sockets/sockets-client.wasm
 */
#include "../tools/guest_util.h"
#define NET "wasi:sockets/instance-network@0.2.12"
#define TCPC "wasi:sockets/tcp-create-socket@0.2.12"
#define TCP "wasi:sockets/tcp@0.2.12"
#define UDPC "wasi:sockets/udp-create-socket@0.2.12"
#define UDP "wasi:sockets/udp@0.2.12"
#define DNS "wasi:sockets/ip-name-lookup@0.2.12"
#define NETWORK "wasi:sockets/network@0.2.12"
#define STREAMS "wasi:io/streams@0.2.12"
#define POLL "wasi:io/poll@0.2.12"
#define IOERR "wasi:io/error@0.2.12"

typedef int32_t i32;
IMPORT(NET, "instance-network") i32 instance_network(void);
IMPORT(NETWORK, "[resource-drop]network") void network_drop(i32);
IMPORT(TCPC, "create-tcp-socket") void create_tcp(i32 family, void *ret);
/* ip-socket-address flattened: tag, then 11 joined slots (ipv4: port, a, b, c, d) */
#define ADDR_PARAMS i32 tag, i32 p0, i32 p1, i32 p2, i32 p3, i32 p4, i32 p5, i32 p6, i32 p7, i32 p8, i32 p9, i32 p10
IMPORT(TCP, "[method]tcp-socket.start-connect") void tcp_start_connect(i32 self, i32 net, ADDR_PARAMS, void *ret);
IMPORT(TCP, "[method]tcp-socket.finish-connect") void tcp_finish_connect(i32 self, void *ret);
IMPORT(TCP, "[method]tcp-socket.start-bind") void tcp_start_bind(i32 self, i32 net, ADDR_PARAMS, void *ret);
IMPORT(TCP, "[method]tcp-socket.finish-bind") void tcp_finish_bind(i32 self, void *ret);
IMPORT(TCP, "[method]tcp-socket.start-listen") void tcp_start_listen(i32 self, void *ret);
IMPORT(TCP, "[method]tcp-socket.finish-listen") void tcp_finish_listen(i32 self, void *ret);
IMPORT(TCP, "[method]tcp-socket.accept") void tcp_accept(i32 self, void *ret);
IMPORT(TCP, "[method]tcp-socket.subscribe") i32 tcp_subscribe(i32 self);
IMPORT(TCP, "[method]tcp-socket.shutdown") void tcp_shutdown(i32 self, i32 how, void *ret);
IMPORT(TCP, "[resource-drop]tcp-socket") void tcp_drop(i32 self);
IMPORT(UDPC, "create-udp-socket") void create_udp(i32 family, void *ret);
IMPORT(UDP, "[method]udp-socket.start-bind") void udp_start_bind(i32 self, i32 net, ADDR_PARAMS, void *ret);
IMPORT(UDP, "[method]udp-socket.finish-bind") void udp_finish_bind(i32 self, void *ret);
IMPORT(UDP, "[method]udp-socket.stream") void udp_stream(i32 self, i32 some, ADDR_PARAMS, void *ret);
IMPORT(UDP, "[resource-drop]udp-socket") void udp_drop(i32 self);
IMPORT(UDP, "[method]incoming-datagram-stream.receive") void dgram_receive(i32 self, int64_t max, void *ret);
IMPORT(UDP, "[method]incoming-datagram-stream.subscribe") i32 dgram_in_subscribe(i32 self);
IMPORT(UDP, "[resource-drop]incoming-datagram-stream") void dgram_in_drop(i32 self);
IMPORT(UDP, "[method]outgoing-datagram-stream.check-send") void dgram_check_send(i32 self, void *ret);
IMPORT(UDP, "[method]outgoing-datagram-stream.send") void dgram_send(i32 self, const void *list, i32 len, void *ret);
IMPORT(UDP, "[method]outgoing-datagram-stream.subscribe") i32 dgram_out_subscribe(i32 self);
IMPORT(UDP, "[resource-drop]outgoing-datagram-stream") void dgram_out_drop(i32 self);
IMPORT(DNS, "resolve-addresses") void resolve_addresses(i32 net, const char *p, i32 n, void *ret);
IMPORT(DNS, "[method]resolve-address-stream.resolve-next-address") void resolve_next(i32 self, void *ret);
IMPORT(DNS, "[method]resolve-address-stream.subscribe") i32 resolve_subscribe(i32 self);
IMPORT(DNS, "[resource-drop]resolve-address-stream") void resolve_drop(i32 self);
IMPORT(POLL, "[method]pollable.block") void pollable_block(i32 self);
IMPORT(POLL, "[resource-drop]pollable") void pollable_drop(i32 self);
IMPORT(STREAMS, "[method]input-stream.blocking-read") void in_blocking_read(i32 self, int64_t len, void *ret);
IMPORT(STREAMS, "[resource-drop]input-stream") void in_drop(i32 self);
IMPORT(STREAMS, "[method]output-stream.blocking-write-and-flush") void out_write_flush(i32 self, const void *p, i32 n,
                                                                                     void *ret);
IMPORT(STREAMS, "[resource-drop]output-stream") void out_drop(i32 self);
IMPORT(IOERR, "[resource-drop]error") void ioerror_drop(i32 self);

static const char *ERRORS[] = {
  "unknown", "access-denied", "not-supported", "invalid-argument", "out-of-memory", "timeout",
  "concurrency-conflict", "not-in-progress", "would-block", "invalid-state", "new-socket-limit",
  "address-not-bindable", "address-in-use", "remote-unreachable", "connection-refused", "connection-reset",
  "connection-aborted", "datagram-too-large", "name-unresolvable", "temporary-resolver-failure",
  "permanent-resolver-failure"};
static const char *error_name(uint8_t e) { return e < sizeof ERRORS / sizeof ERRORS[0] ? ERRORS[e] : "?"; }

typedef struct { char *p; size_t len; } str;
static str result;
static str *finish(buf *out) { result.p = out->p ? out->p : ""; result.len = out->len; return &result; }
static str *fail(buf *out, const char *step, uint8_t code) {
  puts_(out, "error="); puts_(out, step); puts_(out, ":"); puts_(out, error_name(code));
  return finish(out);
}

static void block_on(i32 pollable) { pollable_block(pollable); pollable_drop(pollable); }

#define LOOPBACK(port) 0, (i32)(port), 127, 0, 0, 1, 0, 0, 0, 0, 0, 0
/* ipv6 [::1]:port: port, flow-info, 8 groups, scope-id */
#define LOOPBACK6(port) 1, (i32)(port), 0, 0, 0, 0, 0, 0, 0, 0, 1, 0

/* reads the stream to its end into b */
static void read_all(i32 in, buf *b) {
  for (;;) {
    i32 rr[3] __attribute__((aligned(8)));
    in_blocking_read(in, 65536, rr);
    if (((uint8_t *)rr)[0] != 0) { if (((uint8_t *)rr)[4] == 0) ioerror_drop(rr[2]); return; }
    if (rr[2]) { put(b, (void *)(uintptr_t)rr[1], (size_t)rr[2]); free((void *)(uintptr_t)rr[1]); }
  }
}

static int write_all(i32 out, const char *p, size_t n) {
  for (size_t off = 0; off < n; off += 4096) {
    size_t k = n - off < 4096 ? n - off : 4096;
    i32 w[3] __attribute__((aligned(8)));
    out_write_flush(out, p + off, (i32)k, w);
    if (((uint8_t *)w)[0] != 0) { if (((uint8_t *)w)[4] == 0) ioerror_drop(w[2]); return 0; }
  }
  return 1;
}

static str *echo_over_tcp(int v6, i32 port, char *msg, size_t msg_len) {
  buf out = {0};
  i32 net = instance_network();
  i32 r[4] __attribute__((aligned(8)));
  create_tcp(v6, r);
  if (((uint8_t *)r)[0]) return fail(&out, "create", ((uint8_t *)r)[4]);
  i32 sock = r[1];
  if (v6) tcp_start_connect(sock, net, LOOPBACK6(port), r);
  else tcp_start_connect(sock, net, LOOPBACK(port), r);
  if (((uint8_t *)r)[0]) return fail(&out, "connect", ((uint8_t *)r)[1]);
  for (;;) {
    tcp_finish_connect(sock, r);
    if (((uint8_t *)r)[0] == 0) break;
    if (((uint8_t *)r)[4] != 8) return fail(&out, "connect", ((uint8_t *)r)[4]);  /* not would-block */
    block_on(tcp_subscribe(sock));
  }
  i32 in = r[1], os = r[2];
  if (!write_all(os, msg, msg_len)) return fail(&out, "write", 0);
  tcp_shutdown(sock, 1, r);                                                         /* send */
  if (((uint8_t *)r)[0]) return fail(&out, "shutdown", ((uint8_t *)r)[1]);
  buf reply = {0};
  read_all(in, &reply);
  puts_(&out, "echo=");
  if (reply.len) put(&out, reply.p, reply.len);
  free(reply.p);
  in_drop(in); out_drop(os); tcp_drop(sock); network_drop(net);
  if (msg_len) free(msg);
  return finish(&out);
}

__attribute__((export_name("tcp-echo")))
str *tcp_echo(i32 port, char *msg, size_t msg_len) { return echo_over_tcp(0, port, msg, msg_len); }

__attribute__((export_name("tcp-echo6")))
str *tcp_echo6(i32 port, char *msg, size_t msg_len) { return echo_over_tcp(1, port, msg, msg_len); }

__attribute__((export_name("tcp-accept")))
str *tcp_accept_one(i32 port) {
  buf out = {0};
  i32 net = instance_network();
  i32 r[4] __attribute__((aligned(8)));
  create_tcp(0, r);
  if (((uint8_t *)r)[0]) return fail(&out, "create", ((uint8_t *)r)[4]);
  i32 sock = r[1];
  tcp_start_bind(sock, net, LOOPBACK(port), r);
  if (((uint8_t *)r)[0]) return fail(&out, "bind", ((uint8_t *)r)[1]);
  tcp_finish_bind(sock, r);
  if (((uint8_t *)r)[0]) return fail(&out, "bind", ((uint8_t *)r)[1]);
  tcp_start_listen(sock, r);
  if (((uint8_t *)r)[0]) return fail(&out, "listen", ((uint8_t *)r)[1]);
  tcp_finish_listen(sock, r);
  if (((uint8_t *)r)[0]) return fail(&out, "listen", ((uint8_t *)r)[1]);
  for (;;) {
    tcp_accept(sock, r);
    if (((uint8_t *)r)[0] == 0) break;
    if (((uint8_t *)r)[4] != 8) return fail(&out, "accept", ((uint8_t *)r)[4]);
    block_on(tcp_subscribe(sock));
  }
  i32 conn = r[1], in = r[2], os = r[3];
  buf msg = {0};
  read_all(in, &msg);
  buf answer = {0};
  puts_(&answer, "got:");
  if (msg.len) put(&answer, msg.p, msg.len);
  write_all(os, answer.p, answer.len);
  in_drop(in); out_drop(os); tcp_drop(conn); tcp_drop(sock); network_drop(net);
  puts_(&out, "accepted=");
  if (msg.len) put(&out, msg.p, msg.len);
  free(msg.p); free(answer.p);
  return finish(&out);
}

__attribute__((export_name("udp-echo")))
str *udp_echo(i32 port, char *msg, size_t msg_len) {
  buf out = {0};
  i32 net = instance_network();
  i32 r[4] __attribute__((aligned(8)));
  create_udp(0, r);
  if (((uint8_t *)r)[0]) return fail(&out, "create", ((uint8_t *)r)[4]);
  i32 sock = r[1];
  udp_start_bind(sock, net, LOOPBACK(0), r);
  if (((uint8_t *)r)[0]) return fail(&out, "bind", ((uint8_t *)r)[1]);
  udp_finish_bind(sock, r);
  if (((uint8_t *)r)[0]) return fail(&out, "bind", ((uint8_t *)r)[1]);
  udp_stream(sock, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, r);                   /* no remote: sendto */
  if (((uint8_t *)r)[0]) return fail(&out, "stream", ((uint8_t *)r)[4]);
  i32 din = r[1], dout = r[2];
  /* one outgoing-datagram { data, some(ipv4 127.0.0.1:port) } */
  uint8_t d[44] __attribute__((aligned(4)));
  memset(d, 0, sizeof d);
  *(uint32_t *)(d + 0) = (uint32_t)(uintptr_t)msg;
  *(uint32_t *)(d + 4) = (uint32_t)msg_len;
  d[8] = 1; d[12] = 0;
  *(uint16_t *)(d + 16) = (uint16_t)port;
  d[18] = 127; d[19] = 0; d[20] = 0; d[21] = 1;
  uint64_t s[2];
  for (;;) {
    dgram_check_send(dout, s);
    if (((uint8_t *)s)[0]) return fail(&out, "send", ((uint8_t *)s)[8]);
    if (s[1] > 0) break;
    block_on(dgram_out_subscribe(dout));
  }
  dgram_send(dout, d, 1, s);
  if (((uint8_t *)s)[0]) return fail(&out, "send", ((uint8_t *)s)[8]);
  if (s[1] != 1) return fail(&out, "send", 0);
  for (;;) {
    block_on(dgram_in_subscribe(din));
    dgram_receive(din, 1, r);
    if (((uint8_t *)r)[0]) return fail(&out, "receive", ((uint8_t *)r)[4]);
    if (r[2] > 0) break;
  }
  uint8_t *got = (uint8_t *)(uintptr_t)r[1];  /* incoming-datagram { data, remote-address } */
  puts_(&out, "reply=");
  put(&out, (void *)(uintptr_t)*(uint32_t *)got, *(uint32_t *)(got + 4));
  dgram_in_drop(din); dgram_out_drop(dout); udp_drop(sock); network_drop(net);
  if (msg_len) free(msg);
  return finish(&out);
}

__attribute__((export_name("resolve")))
str *resolve(char *name, size_t name_len) {
  buf out = {0};
  i32 net = instance_network();
  i32 r[2] __attribute__((aligned(4)));
  resolve_addresses(net, name, (i32)name_len, r);
  if (((uint8_t *)r)[0]) { puts_(&out, "error="); puts_(&out, error_name(((uint8_t *)r)[4])); return finish(&out); }
  i32 stream = r[1];
  puts_(&out, "addresses=");
  int first = 1;
  for (;;) {
    uint16_t a[12] __attribute__((aligned(8)));  /* result<option<ip-address>, error-code> */
    resolve_next(stream, a);
    uint8_t *ab = (uint8_t *)a;
    if (ab[0]) {
      if (ab[2] == 8) { block_on(resolve_subscribe(stream)); continue; }  /* would-block */
      out.len = 0; puts_(&out, "error="); puts_(&out, error_name(ab[2])); break;
    }
    if (ab[2] == 0) break;                                               /* none: the end */
    if (!first) puts_(&out, ",");
    first = 0;
    if (ab[4] == 0) {                                                    /* ipv4 */
      for (int i = 0; i < 4; i++) { if (i) puts_(&out, "."); putnum(&out, ab[6 + i]); }
    } else {                                                             /* ipv6: hex groups */
      for (int i = 0; i < 8; i++) {
        uint16_t g = *(uint16_t *)(ab + 6 + 2 * i);
        const char *hex = "0123456789abcdef";
        char t[5]; int k = 0;
        if (i) puts_(&out, ":");
        do { t[k++] = hex[g & 15]; g >>= 4; } while (g);
        while (k) put(&out, &t[--k], 1);
      }
    }
  }
  resolve_drop(stream); network_drop(net);
  if (name_len) free(name);
  return finish(&out);
}
