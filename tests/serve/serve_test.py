#!/usr/bin/env python3
"""tests/serve/serve_test.py -- `myrt serve` on the loopback, bounded in time (CTest label `serve`).

  serve_test.py requests MYRT COMPONENT REQUESTS_JSON [-- SERVE_OPTIONS...]
      serves COMPONENT and replays requests.json (../shared/wasi-p2/components/*/requests.json: the requests and the
      responses `jco serve` gives): status, the listed headers (case-insensitive) and the exact body must match.
  serve_test.py failures MYRT MISBEHAVE_WAT
      tests/serve/misbehave.wat: a trap, a timeout, fuel exhaustion, a memory limit, no response and an error-code
      response each answer 500 for that request only; the next request is answered; SIGTERM with a request in
      flight lets it finish, then exits 0.

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
    elif len(argv) == 4 and argv[1] == "failures":
        cmd_failures(argv[2], argv[3])
    else:
        print(__doc__)
        return 2
    print("%d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    signal.alarm(300)  # the whole test, whatever happens
    sys.exit(main(sys.argv))
