#!/usr/bin/env python3
"""tests/sockets/sockets_test.py -- wasi:sockets on the loopback (CTest label `sockets`).

  sockets_test.py MYRT SOCKETS_CLIENT_WASM [-- RUN_OPTIONS...]

sockets-client.wasm (sockets-client.c) exports tcp-echo, tcp-accept, udp-echo and resolve; this script runs them with
`myrt run --invoke` against servers and clients it runs itself on 127.0.0.1 and checks each one-line report: a TCP echo
through a guest's connect, a connection accepted by a guest's listening socket, a UDP round trip, `localhost`
resolved, a TCP echo over [::1]; every one also without its grant (access-denied, no host socket; resolving: permanent-resolver-failure as
wasmtime), with a grant for another address or port, with the protocol switched off, a refused connection, and bad
--allow-connect / --allow-bind values (usage errors). Every socket operation and run is bounded in time.
"""
import socket
import subprocess
import sys
import threading
import time


def tcp_echo_server(v6=False):
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET)
    s.bind(("::1" if v6 else "127.0.0.1", 0))
    s.listen()
    s.settimeout(60)

    def run():
        while True:
            try:
                c, _ = s.accept()
            except OSError:
                return
            c.settimeout(30)
            data = b""
            while True:
                x = c.recv(4096)
                if not x:
                    break
                data += x
            c.sendall(b"ECHO:" + data)
            c.close()
    threading.Thread(target=run, daemon=True).start()
    return s.getsockname()[1]


def udp_echo_server():
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    u.settimeout(60)

    def run():
        while True:
            try:
                d, a = u.recvfrom(65536)
            except OSError:
                return
            u.sendto(b"UDP:" + d, a)
    threading.Thread(target=run, daemon=True).start()
    return u.getsockname()[1]


def free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    myrt, wasm = argv
    tcp = tcp_echo_server()
    try:
        tcp6 = tcp_echo_server(v6=True)
    except OSError as e:  # a host without IPv6 loopback: the IPv6 cases say so instead of running
        print("note: no IPv6 loopback (%s): the IPv6 cases did not run" % e)
        tcp6 = None
    udp = udp_echo_server()
    refused = free_port()

    def run(grants, call):
        p = subprocess.run([myrt, "run", *extra, *grants, "--invoke", call, wasm], capture_output=True, text=True,
                           timeout=60)
        if p.returncode != 0:
            return "exit %d: %s" % (p.returncode, p.stderr.strip())
        out = p.stdout.strip()
        return out[1:-1] if out.startswith('"') and out.endswith('"') else out

    def accept_case(grants):
        port = free_port()
        got = {}

        def client():  # connects once the guest listens, sends "ping", reads the answer
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    c = socket.create_connection(("127.0.0.1", port), timeout=5)
                except OSError:
                    time.sleep(0.05)
                    continue
                c.settimeout(30)
                c.sendall(b"ping")
                c.shutdown(socket.SHUT_WR)
                data = b""
                while True:
                    x = c.recv(4096)
                    if not x:
                        break
                    data += x
                got["answer"] = data.decode()
                c.close()
                return
        t = threading.Thread(target=client, daemon=True)
        t.start()
        out = run(grants, "tcp-accept(%d)" % port)
        t.join(30 if out.startswith("accepted") else 0.1)
        return out + ("" if "answer" not in got else ";client=" + got["answer"])

    echo = 'tcp-echo(%d, "hello tcp")' % tcp
    uecho = 'udp-echo(%d, "hello udp")' % udp
    inherit = ["-S", "inherit-network"]
    cases = [
        ("tcp: inherit-network", lambda: run(inherit, echo), "echo=ECHO:hello tcp"),
        ("tcp: --allow-connect ADDR:PORT", lambda: run(["--allow-connect", "127.0.0.1:%d" % tcp], echo),
         "echo=ECHO:hello tcp"),
        ("tcp: --allow-connect localhost:PORT", lambda: run(["--allow-connect", "localhost:%d" % tcp], echo),
         "echo=ECHO:hello tcp"),
        ("tcp: --allow-connect ADDR:0 (any port)", lambda: run(["--allow-connect", "127.0.0.1:0"], echo),
         "echo=ECHO:hello tcp"),
        ("tcp: no grant", lambda: run([], echo), "error=create:access-denied"),
        ("tcp: a grant for another port", lambda: run(["--allow-connect", "127.0.0.1:1"], echo),
         "error=connect:access-denied"),
        ("tcp: a bind grant only", lambda: run(["--allow-bind", "127.0.0.1:0"], echo), "error=connect:access-denied"),
        ("tcp: -S tcp=n", lambda: run(inherit + ["-S", "tcp=n"], echo), "error=create:access-denied"),
        ("tcp: IPv6 [::1] with --allow-connect [::1]:PORT",
         lambda: run(["--allow-connect", "[::1]:%d" % tcp6], 'tcp-echo6(%d, "hello v6")' % tcp6), "echo=ECHO:hello v6"),
        ("tcp: IPv6 with an IPv4 grant only", lambda: run(["--allow-connect", "127.0.0.1:0"], 'tcp-echo6(%d, "x")' % tcp6),
         "error=connect:access-denied"),
        ("tcp: refused", lambda: run(inherit, 'tcp-echo(%d, "x")' % refused), "error=connect:connection-refused"),
        ("tcp: accept with --allow-bind", lambda: accept_case(["--allow-bind", "127.0.0.1:0"]),
         "accepted=ping;client=got:ping"),
        ("tcp: accept without a bind grant", lambda: accept_case(["--allow-connect", "127.0.0.1:0"]),
         "error=bind:access-denied"),
        ("udp: inherit-network", lambda: run(inherit, uecho), "reply=UDP:hello udp"),
        ("udp: --allow-bind + --allow-connect",
         lambda: run(["--allow-bind", "127.0.0.1:0", "--allow-connect", "127.0.0.1:%d" % udp], uecho),
         "reply=UDP:hello udp"),
        ("udp: no connect grant", lambda: run(["--allow-bind", "127.0.0.1:0"], uecho), "error=send:access-denied"),
        ("udp: no grant", lambda: run([], uecho), "error=create:access-denied"),
        ("udp: -S udp=n", lambda: run(inherit + ["-S", "udp=n"], uecho), "error=create:access-denied"),
        ("lookup: localhost", lambda: run(["-S", "allow-ip-name-lookup"], 'resolve("localhost")'),
         "addresses=127.0.0.1"),
        ("lookup: an IP literal", lambda: run(["-S", "allow-ip-name-lookup"], 'resolve("10.1.2.3")'),
         "addresses=10.1.2.3"),
        ("lookup: not granted", lambda: run(inherit, 'resolve("localhost")'), "error=permanent-resolver-failure"),
        ("lookup: invalid name", lambda: run(["-S", "allow-ip-name-lookup"], 'resolve("bad name")'),
         "error=invalid-argument"),
    ]
    if tcp6 is None:
        cases = [c for c in cases if "IPv6" not in c[0]]
    failed = 0
    for name, fn, want in cases:
        got = fn()
        # localhost may also resolve to ::1 (then listed after 127.0.0.1 or before it)
        ok = got == want or (name == "lookup: localhost" and got.startswith("addresses=") and
                             "127.0.0.1" in got[len("addresses="):].split(","))
        print("%s %s" % ("ok  " if ok else "FAIL", name) + ("" if ok else "\n  want %s\n  got  %s" % (want, got)))
        failed += not ok
    bad = [("--allow-connect", "127.0.0.1"), ("--allow-connect", "127.0.0.1:x"), ("--allow-connect", "[::1"),
           ("--allow-bind", ":80"), ("--allow-bind", "a b:1")]
    for opt, spec in bad:
        p = subprocess.run([myrt, "run", opt, spec, wasm], capture_output=True, text=True, timeout=60)
        ok = p.returncode == 2 and opt in p.stderr
        print("%s %s '%s' rejected" % ("ok  " if ok else "FAIL", opt, spec) + ("" if ok else ": " + p.stderr))
        failed += not ok
    print("%d of %d failed" % (failed, len(cases) + len(bad)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
