#!/usr/bin/env python3
"""tests/http/outgoing_test.py -- outgoing HTTP (wasi:http/outgoing-handler) on the loopback (CTest label `http`).

  outgoing_test.py MYRT HTTP_CLIENT_WASM [-- RUN_OPTIONS...]

http-client.wasm (http-client.c) exports fetch(method, scheme, authority, path, body, timeout-ms) -> string and makes
one request; this script runs it with `myrt run --invoke` against a test server it starts in-process on 127.0.0.1
port 0 (http.server, HTTP/1.1) and checks the one-line report: status, content-type and x-* headers, body, trailers,
or the error-code. Cases: a GET, a POST streamed after handle() (chunked), a 3 MB response and a 3 MB request (more
than the client's 1 MiB window each way: flow control), response trailers, a denied request (no grant, another host,
another port), a refused connection, a first-byte timeout, a between-bytes timeout, a truncated body, an invalid
authority, https to a plain HTTP server (TLS-protocol-error) and to a server with a self-signed certificate
(TLS-certificate-error; the certificate is made with openssl); the per-guest limits (burst(): requests alive at once
past --max-outgoing-requests -> connection-limit-reached, body bytes buffered before sending past
--max-outgoing-buffer -> HTTP-request-body-size). The same component also exports
wasi:http/incoming-handler (GET /relay/AUTHORITY/PATH fetches http://AUTHORITY/PATH and answers with the report):
`myrt serve --allow-http 127.0.0.1:PORT` of it relays to the test server, and is denied another port. Every request and every myrt run is bounded in time.
"""
import http.client
import http.server
import os
import socket
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time

BIG = 3 * 1024 * 1024


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, headers=()):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out, True
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(n), False

    def do_GET(self):
        if self.path == "/hello":
            self.send(200, b"hello", [("X-Test", "one"), ("X-Method", self.command)])
        elif self.path == "/big":
            self.send(200, b"b" * BIG)
        elif self.path == "/trailers":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Trailer", "X-Checksum")
            self.end_headers()
            self.wfile.write(b"5\r\nabcde\r\n0\r\nX-Checksum: 42\r\n\r\n")
        elif self.path == "/slow-head":
            time.sleep(3)
            self.send(200, b"late")
        elif self.path == "/slow-body":
            self.send_response(200)
            self.send_header("Content-Length", "10")
            self.end_headers()
            self.wfile.write(b"12345")
            self.wfile.flush()
            time.sleep(3)
            self.wfile.write(b"67890")
        elif self.path == "/truncated":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b"only this")
            self.wfile.flush()
            self.close_connection = True
        else:
            self.send(404, b"not found")

    def do_HEAD(self):
        if self.path == "/hello":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("X-Test", "one")
            self.send_header("X-Method", self.command)
            self.send_header("Content-Length", "5")
            self.end_headers()
        else:
            self.send(404, b"")

    def do_POST(self):
        body, chunked = self.read_body()
        shown = body if len(body) < 100 else b""
        self.send(200, shown, [("X-Received", str(len(body))), ("X-Chunked", "yes" if chunked else "no")])

    do_PUT = do_POST


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # a client that gave up (the timeout cases) leaves a broken pipe behind: expected; anything else is printed
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens on it now: a connection is refused
    return port


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    myrt, wasm = argv
    srv = Server(("127.0.0.1", 0), Handler)
    port = srv.server_address[1]
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    here = "127.0.0.1:%d" % port
    refused = "127.0.0.1:%d" % free_port()
    allow = ["--allow-http", "127.0.0.1:%d" % port]

    # an HTTPS server whose certificate nobody trusts
    tmp = tempfile.mkdtemp()
    key, cert = os.path.join(tmp, "key.pem"), os.path.join(tmp, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True, timeout=60)
    tls = Server(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
    threading.Thread(target=tls.serve_forever, daemon=True).start()
    tls_here = "127.0.0.1:%d" % tls.server_address[1]

    def fetch(grants, method, authority, path, body="", timeout_ms=0, scheme="http"):
        args = [myrt, "run", *extra, *grants, "--invoke",
                'fetch("%s", "%s", "%s", "%s", "%s", %d)' % (method, scheme, authority, path, body, timeout_ms), wasm]
        p = subprocess.run(args, capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            return "exit %d: %s" % (p.returncode, p.stderr.strip())
        out = p.stdout.strip()
        assert out.startswith('"') and out.endswith('"'), out
        return out[1:-1]

    cases = [
        ("GET", allow, "GET", here, "/hello", "", 0,
         "status=200;content-type=text/plain;x-test=one;x-method=GET;len=5;body=hello"),
        ("HEAD", allow, "HEAD", here, "/hello", "", 0,
         "status=200;content-type=text/plain;x-test=one;x-method=HEAD;len=0;body="),
        ("404", allow, "GET", here, "/nothing", "", 0, "status=404;content-type=text/plain;len=9;body=not found"),
        ("POST streamed", allow, "POST", here, "/echo", "posted text", 0,
         "status=200;content-type=text/plain;x-received=11;x-chunked=yes;len=11;body=posted text"),
        ("PUT 3 MB", allow, "PUT", here, "/echo", "*%d" % BIG, 0,
         "status=200;content-type=text/plain;x-received=%d;x-chunked=yes;len=0;body=" % BIG),
        ("GET 3 MB", allow, "GET", here, "/big", "", 0, "status=200;content-type=text/plain;len=%d" % BIG),
        ("trailers", allow, "GET", here, "/trailers", "", 0,
         "status=200;content-type=text/plain;len=5;body=abcde;trailer:x-checksum=42"),
        ("huge timeouts (saturated)", allow, "GET", here, "/hello", "", 18446744073709,
         "status=200;content-type=text/plain;x-test=one;x-method=GET;len=5;body=hello"),
        ("inherit-network", ["-S", "inherit-network"], "GET", here, "/hello", "", 0,
         "status=200;content-type=text/plain;x-test=one;x-method=GET;len=5;body=hello"),
        ("host grant, any port", ["--allow-http", "127.0.0.1"], "GET", here, "/hello", "", 0,
         "status=200;content-type=text/plain;x-test=one;x-method=GET;len=5;body=hello"),
        ("denied: no grant", [], "GET", here, "/hello", "", 0, "error=HTTP-request-denied"),
        ("denied: other host", ["--allow-http", "localhost"], "GET", here, "/hello", "", 0,
         "error=HTTP-request-denied"),
        ("denied: other port", ["--allow-http", "127.0.0.1:1"], "GET", here, "/hello", "", 0,
         "error=HTTP-request-denied"),
        ("refused", ["-S", "inherit-network"], "GET", refused, "/", "", 0, "error=connection-refused"),
        ("first-byte timeout", allow, "GET", here, "/slow-head", "", 500, "error=connection-read-timeout"),
        ("between-bytes timeout", allow, "GET", here, "/slow-body", "", 500,
         "status=200;body-error=connection-read-timeout;len=5;body=12345"),
        ("truncated body", allow, "GET", here, "/truncated", "", 0,
         "status=200;body-error=HTTP-response-incomplete;len=9;body=only this"),
        ("authority with userinfo", ["-S", "inherit-network"], "GET", "user@" + here, "/", "", 0,
         "error=HTTP-request-URI-invalid"),
        ("https to a plain HTTP server", allow, "GET", here, "/hello", "", 0, "error=TLS-protocol-error", "https"),
        ("https, self-signed certificate", ["-S", "inherit-network"], "GET", tls_here, "/hello", "", 0,
         "error=TLS-certificate-error", "https"),
    ]
    failed = 0
    for name, grants, method, authority, path, body, timeout_ms, want, *scheme in cases:
        start = time.monotonic()
        got = fetch(grants, method, authority, path, body, timeout_ms, *scheme)
        took = time.monotonic() - start
        ok = got == want
        if ok and 0 < timeout_ms < 10000 and took > 2.5:  # the server sleeps 3 s: the timeout must end the wait before
            ok, got = False, got + " (took %.1f s)" % took
        print("%s %s" % ("ok  " if ok else "FAIL", name) + ("" if ok else "\n  want %s\n  got  %s" % (want, got)))
        failed += not ok
    # per-guest limits: requests alive at once (--max-outgoing-requests) and request-body bytes buffered before
    # sending (--max-outgoing-buffer); burst() keeps every request alive until all were started
    def burst(opts, count, path, prebody):
        args = [myrt, "run", *extra, *allow, *opts, "--invoke",
                'burst(%d, "%s", "%s", %d)' % (count, here, path, prebody), wasm]
        p = subprocess.run(args, capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            return "exit %d: %s" % (p.returncode, p.stderr.strip())
        return p.stdout.strip().strip('"')

    limit_cases = [
        ("4 requests alive, limit 2", ["--max-outgoing-requests", "2"], 4, "/hello", 0,
         "2:error=connection-limit-reached 3:error=connection-limit-reached ;0:200 1:200 "),
        ("4 requests alive, default limit", [], 4, "/hello", 0, ";0:200 1:200 2:200 3:200 "),
        ("3 x 40000 body bytes before sending, buffer 100000", ["--max-outgoing-buffer", "100000"], 3, "/echo", 40000,
         "2:write-error=HTTP-request-body-size ;0:200 1:200 2:200 "),
        ("3 x 40000 body bytes before sending, default buffer", [], 3, "/echo", 40000, ";0:200 1:200 2:200 "),
    ]
    for name, opts, count, path, prebody, want in limit_cases:
        got = burst(opts, count, path, prebody)
        ok = got == want
        print("%s %s" % ("ok  " if ok else "FAIL", name) + ("" if ok else "\n  want %s\n  got  %s" % (want, got)))
        failed += not ok
    for opts in (["--max-outgoing-buffer", "lots"], ["--max-outgoing-requests", "0"]):
        p = subprocess.run([myrt, "run", *opts, wasm], capture_output=True, text=True, timeout=60)
        ok = p.returncode == 2 and opts[0] in p.stderr
        print("%s %s rejected" % ("ok  " if ok else "FAIL", " ".join(opts)) + ("" if ok else ": " + p.stderr))
        failed += not ok
    # a guest of `myrt serve` making outgoing requests (the grant comes from serve's --allow-http)
    proc = subprocess.Popen([myrt, "serve", "--addr", "127.0.0.1:0", "--threads", "2", *extra,
                             "--allow-http", here, wasm], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = proc.stdout.readline()
        serve_port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
        for name, path, want in [
                ("serve relay", "/relay/%s/hello" % here,
                 "status=200;content-type=text/plain;x-test=one;x-method=GET;len=5;body=hello"),
                ("serve relay: another port denied", "/relay/%s/hello" % refused, "error=HTTP-request-denied")]:
            c = http.client.HTTPConnection("127.0.0.1", serve_port, timeout=60)
            c.request("GET", path)
            got = c.getresponse().read().decode()
            c.close()
            ok = got == want
            print("%s %s" % ("ok  " if ok else "FAIL", name) + ("" if ok else "\n  want %s\n  got  %s" % (want, got)))
            failed += not ok
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    # bad --allow-http values are usage errors
    for spec in ["", "host:", "host:99999", "[::1", "a b", "::1:80"]:
        p = subprocess.run([myrt, "run", "--allow-http", spec, wasm], capture_output=True, text=True, timeout=60)
        ok = p.returncode == 2 and "--allow-http" in p.stderr
        print("%s --allow-http '%s' rejected" % ("ok  " if ok else "FAIL", spec) + ("" if ok else ": " + p.stderr))
        failed += not ok
    srv.shutdown()
    print("%d of %d failed" % (failed, len(cases) + len(limit_cases) + 10))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
