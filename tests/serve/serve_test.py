#!/usr/bin/env python3
"""tests/serve/serve_test.py -- `myrt serve` on the loopback, bounded in time (CTest label `serve`).

  serve_test.py requests MYRT COMPONENT REQUESTS_JSON [-- SERVE_OPTIONS...]
      serves COMPONENT and replays requests.json (../shared/wasi-p2/components/*/requests.json: the requests and the
      responses `jco serve` gives): status, the listed headers (case-insensitive) and the exact body must match.
  serve_test.py failures MYRT MISBEHAVE_WAT
      tests/serve/misbehave.wat: a trap, a timeout, fuel exhaustion, a memory limit, no response and an error-code
      response each answer 500 for that request only; the next request is answered; SIGTERM with a request in
      flight lets it finish, then exits 0.
  serve_test.py isolation MYRT MISBEHAVE_WAT [-- SERVE_OPTIONS...]
      one worker (--threads 1) serves requests one after another: each sees a fresh instance (HEAD in
      misbehave.wat reports any global, memory, table or data segment state an earlier request left), after
      successful requests and after a trap, a timeout, a memory limit, no response and an error-code response.

  serve_test.py hostile MYRT COMPONENT
      hostile clients against the C component (echo route): a malformed request line, a huge header section, a
      slow client (slowloris: an unfinished header section is closed after --idle-timeout while others are served),
      a client disconnecting mid-body, a body over --max-body (413), a chunked body, keep-alive, N concurrent idle
      connections (10,000 within the fd limit); after each the server answers the next request correctly.

Every server listens on 127.0.0.1 port 0 (the port is read from its "serving ... on http://..." line); every socket
operation has a timeout; the server is killed if it outlives the test.
"""
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

TIMEOUT = 60  # seconds for any one request


class Server:
    def __init__(self, myrt, component, options=()):
        self.proc = subprocess.Popen([myrt, "serve", "--addr", "127.0.0.1:0", *options, component],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = []
        deadline = time.time() + 60
        self.port = None
        while time.time() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            self.lines.append(line)
            m = re.search(r"serving .* on http://127\.0\.0\.1:(\d+)/", line)
            if m:
                self.port = int(m.group(1))
                break
        if self.port is None:
            self.proc.kill()
            raise SystemExit("server did not start: " + "".join(self.lines) + self.proc.stderr.read())
        # keep draining stderr so the server never blocks on a full pipe
        self.reader = threading.Thread(target=self._drain, daemon=True)
        self.reader.start()

    def _drain(self):
        for line in self.proc.stderr:
            self.lines.append(line)

    def request(self, method, path, headers=(), body=None, timeout=TIMEOUT):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        c.putrequest(method, path, skip_accept_encoding=True)
        for k, v in headers:
            c.putheader(k, v)
        if body is not None:
            c.putheader("content-length", str(len(body)))
        c.endheaders()
        if body is not None:
            c.send(body)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data

    def stop(self, sig=signal.SIGTERM, timeout=30):
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise SystemExit("server did not stop within %d s after signal %d" % (timeout, sig))
        self.reader.join(timeout=5)
        return rc

    def log(self):
        return "".join(self.lines)


failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def body_of(spec):
    if "body_repeat" in spec:
        ch, n = spec["body_repeat"]
        return (ch * n).encode()
    if "body" in spec:
        return spec["body"].encode()
    return None


def cmd_requests(myrt, component, requests_json, options):
    spec = json.load(open(requests_json))
    srv = Server(myrt, component, options)
    try:
        for req in spec["requests"]:
            headers = req.get("headers", {})
            headers = list(headers.items()) if isinstance(headers, dict) else [tuple(h) for h in headers]
            status, got_headers, data = srv.request(req["method"], req["path"], headers, body_of(req))
            exp = req["expect"]
            check(status == exp["status"], "%s: status %d (expected %d)" % (req["name"], status, exp["status"]))
            for k, v in exp.get("headers", {}).items():
                check(got_headers.get(k.lower()) == v,
                      "%s: header %s: %r (expected %r)" % (req["name"], k, got_headers.get(k.lower()), v))
            want = body_of(exp)
            check(data == want, "%s: body (%d bytes, expected %d)" % (req["name"], len(data), len(want)))
    finally:
        rc = srv.stop()
    check(rc == 0, "exit code %d after SIGTERM" % rc)
    check("stopped after %d requests (0 failed)" % len(spec["requests"]) in srv.log(), "shutdown line counts the requests")


def cmd_failures(myrt, wat):
    tmp = tempfile.mkdtemp(prefix="myrt-serve-")
    wasm = os.path.join(tmp, "misbehave.wasm")
    subprocess.run([myrt, "wat2wasm", wat, "-o", wasm], check=True, timeout=60)

    srv = Server(myrt, wasm, ["--timeout", "300ms", "--max-memory", "4M", "-v"])
    try:
        check(srv.request("GET", "/")[0] == 201, "GET answered 201")
        for method, why in [("POST", "trap: unreachable"), ("PUT", "timeout (--timeout 300 ms): interrupted"),
                            ("DELETE", "trap: unreachable"), ("PATCH", "without setting a response"),
                            ("OPTIONS", "error-code DNS-timeout")]:
            t0 = time.time()
            status, headers, data = srv.request(method, "/" + method.lower())
            check(status == 500 and data == b"internal server error\n", "%s answered 500 (%d)" % (method, status))
            check(("/%s: 500: %s" % (method.lower(), why)) in srv.log() or wait_log(srv, why), "%s logged: %s" % (method, why))
            check(srv.request("GET", "/")[0] == 201, "GET after %s answered 201" % method)
            if method == "PUT":
                check(time.time() - t0 < 10, "PUT ended by the timeout (%.2f s)" % (time.time() - t0))
        check(re.search(r'127\.0\.0\.1 "GET / HTTP/1\.1" 201 0 [0-9.]+ ms', srv.log()) is not None, "-v access log line")
        # graceful shutdown: a request in flight (PUT spins until its 300 ms timeout) still gets its answer
        result = {}
        t = threading.Thread(target=lambda: result.update(r=srv.request("PUT", "/inflight")))
        t.start()
        time.sleep(0.1)
        rc = srv.stop()
        t.join(timeout=30)
        check(result.get("r", (0,))[0] == 500, "request in flight at SIGTERM answered (%s)" % (result.get("r", ("none",))[0],))
        check(rc == 0, "exit code %d after SIGTERM" % rc)
    finally:
        if srv.proc.poll() is None:
            srv.proc.kill()

    srv = Server(myrt, wasm, ["--fuel", "100000"])
    try:
        status = srv.request("PUT", "/spin")[0]
        check(status == 500, "PUT with --fuel answered 500 (%d)" % status)
        check(wait_log(srv, "trap: fuel exhausted"), "fuel exhaustion logged")
        check(srv.request("GET", "/")[0] == 201, "GET after fuel exhaustion answered 201")
    finally:
        rc = srv.stop(signal.SIGINT)
    check(rc == 0, "exit code %d after SIGINT" % rc)
    check("SIGINT: stopped after 2 requests (1 failed)" in srv.log(), "shutdown line after SIGINT")


def cmd_isolation(myrt, wat, options):
    """Every request sees a fresh instance, also when one worker serves them all (--threads 1) one after another:
    HEAD answers 200 only if no earlier request's global, memory size or contents, table size or dropped data
    segment is left (misbehave.wat), after successful requests and after each kind of failure."""
    tmp = tempfile.mkdtemp(prefix="myrt-serve-")
    wasm = os.path.join(tmp, "misbehave.wasm")
    subprocess.run([myrt, "wat2wasm", wat, "-o", wasm], check=True, timeout=60)
    srv = Server(myrt, wasm, ["--threads", "1", "--timeout", "300ms", "--max-memory", "4M"] + list(options))
    try:
        for before in ["HEAD", "HEAD", "GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]:
            status = srv.request(before, "/before")[0]
            check(status == (200 if before == "HEAD" else 201 if before == "GET" else 500),
                  "%s answered %d" % (before, status))
            status = srv.request("HEAD", "/after")[0]
            check(status == 200, "HEAD after %s answered 200 (%d: state left behind)" % (before, status))
        # many in a row, on one keep-alive connection
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=TIMEOUT)
        for i in range(200):
            conn.request("HEAD", "/%d" % i)
            resp = conn.getresponse()
            resp.read()
            check(resp.status == 200, "HEAD #%d on one connection answered 200 (%d)" % (i, resp.status))
        conn.close()
    finally:
        rc = srv.stop()
    check(rc == 0, "exit code %d after SIGTERM" % rc)


def raw(port, data, read=True, timeout=10):
    """Sends raw bytes on a new connection; returns what the server answers until it closes (or the timeout)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
        if not read:
            return b""
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            out += chunk
            if b"\r\n\r\n" in out and b"connection: close" not in out.lower() and len(out) > 12:
                # a complete answer on a kept-alive connection: the status line is enough here
                head = out.split(b"\r\n\r\n", 1)[0].lower()
                if b"content-length: 0" in head or out.endswith(b"\n"):
                    break
        return out
    finally:
        s.close()


def status_of(answer):
    m = re.match(rb"HTTP/1\.[01] (\d{3})", answer)
    return int(m.group(1)) if m else None


def cmd_hostile(myrt, component):
    import resource
    srv = Server(myrt, component, ["--idle-timeout", "2", "--max-body", "1M"])
    ok_root = lambda what: check(srv.request("GET", "/")[0] == 200, "GET / answered after " + what)
    try:
        ans = raw(srv.port, b"GARBAGE\r\n\r\n")
        check(status_of(ans) in (400, None), "malformed request line: %r" % ans[:40])
        ok_root("a malformed request line")
        ans = raw(srv.port, b"GET / HTTP/1.1\r\nHost: x\r\nBad Header Name: 1\r\n\r\n")
        check(status_of(ans) in (400, None), "malformed header line: %r" % ans[:40])
        ok_root("a malformed header")
        ans = raw(srv.port, b"GET / HTTP/1.1\r\nHost: x\r\nX-Huge: " + b"a" * 200000 + b"\r\n\r\n")
        check(status_of(ans) in (413, 431, None), "200 KB header: answered %s" % status_of(ans))
        ok_root("a 200 KB header")
        many = b"".join(b"X-H%d: v\r\n" % i for i in range(20000))
        ans = raw(srv.port, b"GET / HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n")
        check(status_of(ans) in (413, 431, None), "20,000 headers: answered %s" % status_of(ans))
        ok_root("20,000 headers")
        status, _, _ = srv.request("POST", "/echo", body=b"x" * (2 << 20))
        check(status == 413, "2 MB body over --max-body 1M: %d" % status)
        ok_root("a body over the limit")
        # chunked request body and keep-alive: two requests on one connection
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=TIMEOUT)
        c.request("POST", "/echo", body=iter([b"hello, ", b"chunked"]), encode_chunked=True,
                  headers={"transfer-encoding": "chunked"})
        r = c.getresponse()
        check(r.status == 200 and r.read() == b"hello, chunked", "chunked request body echoed")
        c.request("GET", "/")
        r = c.getresponse()
        check(r.status == 200 and r.read() == b"hello from a C wasi:http component\n", "second request on a kept-alive connection")
        c.close()
        # a client disconnecting mid-body
        raw(srv.port, b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + b"y" * 1000, read=False)
        ok_root("a client disconnecting mid-body")
        # slowloris: unfinished header sections do not hold up other clients and are closed after the idle timeout
        slow = []
        for _ in range(50):
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            slow.append(s)
        t0 = time.time()
        ok_root("50 slow clients connected")
        check(time.time() - t0 < 2, "answered while 50 slow clients wait (%.3f s)" % (time.time() - t0))
        closed = 0
        deadline = time.time() + 10
        for s in slow:
            s.settimeout(max(0.1, deadline - time.time()))
            try:
                if s.recv(100) == b"":
                    closed += 1
            except (ConnectionResetError, socket.timeout):
                closed += isinstance(sys.exc_info()[1], ConnectionResetError)
            s.close()
        check(closed == 50, "slow clients closed by the server after --idle-timeout 2 (%d of 50)" % closed)
        check(time.time() - t0 < 9, "within the idle timeout (%.1f s)" % (time.time() - t0))
        ok_root("slow clients")
    finally:
        rc = srv.stop()
    check(rc == 0, "exit code %d after SIGTERM" % rc)

    # a server with the default idle timeout (30 s): opening 10,000 connections takes longer than 2 s
    srv = Server(myrt, component)
    ok_root = lambda what: check(srv.request("GET", "/")[0] == 200, "GET / answered after " + what)
    try:
        # many concurrent connections (10,000 within the fd limit), each idle, then a request through them
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        want = 10000
        if soft < want + 200 and hard >= want + 200:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want + 200, hard))
            soft = want + 200
        n = min(want, soft - 200)
        conns = []
        t0 = time.time()
        try:
            for _ in range(n):
                conns.append(socket.create_connection(("127.0.0.1", srv.port), timeout=10))
        except OSError as e:
            check(False, "opening %d connections: %s after %d" % (n, e, len(conns)))
        # requests on some of them (first, middle, last) while all are open
        answered = 0
        seen = []
        for s in [conns[0], conns[len(conns) // 2], conns[-1]] if conns else []:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            data = b""
            while b"hello from a C" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            answered += status_of(data) == 200
            seen.append(data[:30])
        check(answered == 3, "%d concurrent connections open, requests on 3 of them answered (%d: %r) in %.1f s" % (len(conns), answered, seen, time.time() - t0))
        for s in conns:
            s.close()
        ok_root("%d concurrent connections" % n)
    finally:
        rc = srv.stop()
    check(rc == 0, "exit code %d after SIGTERM" % rc)


def wait_log(srv, text, seconds=5):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if text in srv.log():
            return True
        time.sleep(0.02)
    return False


def main(argv):
    if len(argv) >= 4 and argv[1] == "requests":
        options = argv[5:]
        if options and options[0] == "--":
            options = options[1:]
        cmd_requests(argv[2], argv[3], argv[4], options)
    elif len(argv) == 4 and argv[1] == "hostile":
        cmd_hostile(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "failures":
        cmd_failures(argv[2], argv[3])
    elif len(argv) >= 4 and argv[1] == "isolation":
        options = argv[4:]
        if options and options[0] == "--":
            options = options[1:]
        cmd_isolation(argv[2], argv[3], options)
    else:
        print(__doc__)
        return 2
    print("%d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    signal.alarm(300)  # the whole test, whatever happens
    sys.exit(main(sys.argv))
