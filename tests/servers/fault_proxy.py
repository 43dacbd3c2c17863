#!/usr/bin/env python3
"""A fault-injecting HTTP(S) proxy for every network client's tests (python3 stdlib only; tests
only): the Kubernetes apiserver, artifact and checksum mirrors, docker-registry and its token
server, the Vault test server.

It listens on loopback and forwards every request to one upstream (plain HTTP or verified TLS),
sending the answer back. It speaks plain HTTP, or terminates TLS with a certificate the test makes
(--cert/--key), so it sees requests in clear and can do what a TCP passthrough proxy cannot:
answer 429 or 5xx, cut a body short, drop a connection after the upstream acted, stall, and kill a
client at an exact request.

Usage: fault_proxy.py --upstream URL --port-file F [--port P] [--cert C --key K] [--ca CA] [--keep-host]
                      [--log L] [--seed N] [--match 'REGEX'] [--stall-seconds S]
                      [--fault NAME=P ...]
                      [--drop 0.2] [--throttle 0.333] [--retry-after 1]
                      [--kill-pid-file P --kill-match 'METHOD REGEX' --kill-nth N
                       --kill-when before|after]

  --upstream      http://host:port or https://host:port (verified against --ca, else the system
                  CAs)
  --cert/--key    terminate TLS with this certificate (without them the proxy speaks plain HTTP)
  --port P        listen on 127.0.0.1:P (default: any free port); the port is written to F
  --keep-host     forward the client's Host header unchanged (docker-registry builds upload and
                  redirect URLs from it, so they point back at the proxy); else Host names the
                  upstream
  --match REGEX   faults apply only to requests whose "METHOD PATH?QUERY" matches (re.search);
                  the others are forwarded untouched (connection faults apply to every connection)
  --limit N       at most N faults (of --fault) are injected, then every connection and request
                  passes untouched: a transient fault that a bounded retry must ride out

Faults (--fault NAME=P, repeatable; P is a probability, 1 = every time), seeded (--seed) so a run
replays. A request's draw depends only on the seed, the request ("METHOD PATH?QUERY") and how
many times the proxy saw it before: the same request meets the same fault at the same attempt
even when a client sends requests in parallel, in any order (--limit aside, which counts in
arrival order). Connection faults draw from one seeded generator, in the order connections are
accepted. Connection faults, drawn once per accepted connection, in this order:
  drop-connect    closed at accept, before TLS or any byte (nothing reached the upstream)
  stall-connect   accepted, then nothing read or sent (no TLS handshake either) until the client
                  gives up or --stall-seconds pass
Request faults, drawn once per request (one draw, the names below in this order):
  drop-request    the request is read, then the connection closed (nothing forwarded)
  drop-response   forwarded and acted on, the answer thrown away, the connection closed
  stall-response  the request is read, then nothing is sent (nothing forwarded) until the client
                  gives up or --stall-seconds pass
  stall-body      forwarded; the status line, headers (the full Content-Length) and half the body
                  are sent, then nothing until the client gives up or --stall-seconds pass
  truncate-length forwarded; Content-Length says the whole body, half of it is sent, then the
                  connection is closed
  truncate-chunked forwarded; the body is sent chunked, half of it, and the connection closed
                  before the last (zero) chunk
  429             429 Too Many Requests, Retry-After: --retry-after (not forwarded)
  500             500 Internal Server Error, no Retry-After (not forwarded)
  502             502 Bad Gateway (not forwarded)
  503-retry-after 503 Service Unavailable, Retry-After: --retry-after (not forwarded)
  503             503 Service Unavailable, no Retry-After (not forwarded)
A body too short to cut (under 2 bytes) is dropped instead, and logged as drop-response. Injected
error bodies are a Kubernetes Status object (JSON), which every client reads as an error body.

Legacy flags of the deploy tests (tests/integration/deploy_faults.sh; their draws are unchanged, so
their seeds replay as before; drawn before any --fault):
  --drop P      a connection is dropped with probability P, in one of three ways chosen evenly:
                tls (closed before the TLS handshake), request (as drop-request), response (as
                drop-response); the last two are drawn per request
  --throttle P  a request is answered 429 with Retry-After with probability P
Kill rule (the kill -9 tests): the Nth request whose "METHOD PATH?QUERY" matches REGEX (Python
re.search) kills the process whose pid is in P with SIGKILL, either before forwarding it
(`before`: the upstream never sees it) or after the upstream answered (`after`: done, but the
client never learns it); that connection is then closed without an answer. One kill per run.

The log (--log) gets one JSON line per request or faulted connection: n, method, path (with the
query), fault, status (0 when no answer was sent). Header values are never logged (they carry
bearer tokens and Vault tokens).
"""

import argparse
import json
import os
import random
import re
import signal
import socket
import socketserver
import ssl
import sys
import threading
import http.client
from urllib.parse import urlsplit

LOCK = threading.Lock()
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection",
              "te", "trailer", "upgrade"}
CONNECTION_FAULTS = ["drop-connect", "stall-connect"]
REQUEST_FAULTS = ["drop-request", "drop-response", "stall-response", "stall-body",
                  "truncate-length", "truncate-chunked", "429", "500", "502", "503-retry-after",
                  "503"]
REASONS = {429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
           503: "Service Unavailable"}


class State:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.requests = 0
        self.kill_seen = 0
        self.injected = 0
        self.seen = {}
        self.killed = False
        self.log = open(args.log, "a", buffering=1) if args.log else None
        self.kill_re = None
        self.match = re.compile(args.match) if args.match else None
        self.faults = {}
        for spec in args.fault:
            name, _, p = spec.partition("=")
            if name not in CONNECTION_FAULTS + REQUEST_FAULTS:
                sys.exit(f"fault_proxy: unknown fault {name!r} (known: "
                         f"{', '.join(CONNECTION_FAULTS + REQUEST_FAULTS)})")
            self.faults[name] = float(p or "1")
        if args.kill_match:
            method, _, regex = args.kill_match.partition(" ")
            self.kill_method, self.kill_re = method, re.compile(regex)

    def draw(self):
        with LOCK:
            return self.rng.random()

    def choice(self, options):
        with LOCK:
            return self.rng.choice(options)

    def draw_for(self, key):
        """A draw of its own for the Nth sight of `key` ("METHOD PATH?QUERY"): the same request
        meets the same fault at the same attempt, whatever order concurrent clients send in."""
        with LOCK:
            n = self.seen.get(key, 0)
            self.seen[key] = n + 1
        return random.Random(f"{self.args.seed}:{key}:{n}").random()

    def pick(self, names, key=None):
        """One draw over the configured faults of `names`, in order; None when none was drawn."""
        configured = [(n, self.faults[n]) for n in names if n in self.faults]
        if not configured:
            return None
        r = self.draw() if key is None else self.draw_for(key)
        total = 0.0
        for name, p in configured:
            total += p
            if r < total:
                with LOCK:
                    if self.args.limit is not None and self.injected >= self.args.limit:
                        return None
                    self.injected += 1
                return name
        return None

    def record(self, method, path, fault, status):
        with LOCK:
            self.requests += 1
            if self.log:
                self.log.write(json.dumps({"n": self.requests, "method": method, "path": path,
                                           "fault": fault, "status": status}) + "\n")

    def kill_now(self, method, path):
        """True when this request is the one the kill rule names (counted once per match)."""
        if self.kill_re is None:
            return False
        with LOCK:
            if self.killed or method != self.kill_method or not self.kill_re.search(path):
                return False
            self.kill_seen += 1
            if self.kill_seen != self.args.kill_nth:
                return False
            self.killed = True
            return True

    def kill(self, method, path):
        pid = int(open(self.args.kill_pid_file).read().strip())
        os.kill(pid, signal.SIGKILL)
        print(f"fault_proxy: killed {pid} at {method} {path} ({self.args.kill_when})",
              file=sys.stderr, flush=True)


STATE = None


def read_request(f):
    """(method, target, headers list, body) or None at the end of the connection."""
    line = f.readline(65537)
    if not line:
        return None
    parts = line.decode("latin-1").rstrip("\r\n").split(" ")
    if len(parts) != 3:
        return None
    method, target, _ = parts
    headers = []
    while True:
        h = f.readline(65537)
        if h in (b"\r\n", b"\n", b""):
            break
        name, _, value = h.decode("latin-1").partition(":")
        headers.append((name.strip(), value.strip()))
    length = 0
    chunked = False
    for name, value in headers:
        if name.lower() == "content-length":
            length = int(value)
        if name.lower() == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if chunked:  # de-chunked here, forwarded with a Content-Length
        body = b""
        while True:
            size = int(f.readline(65537).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while f.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass
                break
            body += f.read(size)
            f.readline(65537)
        headers = [(k, v) for k, v in headers if k.lower() != "transfer-encoding"]
    else:
        body = f.read(length) if length else b""
    return method, target, headers, body


def head(status, reason, headers):
    out = [f"HTTP/1.1 {status} {reason}"]
    out += [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(out) + "\r\n\r\n").encode("latin-1")


def send(sock, status, reason, headers, body, length=None):
    """The whole answer; `length` (a HEAD's upstream Content-Length) overrides len(body)."""
    n = len(body) if length is None else length
    sock.sendall(head(status, reason, headers + [("Content-Length", str(n))]) + body)


def wait_for_close(sock):
    """Holds a connection open, sending nothing, until the client closes it or the stall ends."""
    sock.settimeout(STATE.args.stall_seconds)
    try:
        while sock.recv(65536):
            pass
    except (OSError, ssl.SSLError):
        pass


def status_body(code, retry_after):
    s = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
         "message": f"HTTP {code} injected by the test proxy", "code": code,
         "reason": {429: "TooManyRequests", 500: "InternalError", 503: "ServiceUnavailable"}
         .get(code, "InternalError")}
    if retry_after is not None:
        s["details"] = {"retryAfterSeconds": retry_after}
    return json.dumps(s).encode()


def forward(method, target, headers, body):
    up = urlsplit(STATE.args.upstream)
    port = up.port or (443 if up.scheme == "https" else 80)
    if up.scheme == "https":
        ctx = ssl.create_default_context(cafile=STATE.args.ca)
        conn = http.client.HTTPSConnection(up.hostname, port, context=ctx, timeout=120)
    else:
        conn = http.client.HTTPConnection(up.hostname, port, timeout=120)
    try:
        keep = STATE.args.keep_host
        sent = [(k, v) for k, v in headers
                if k.lower() not in HOP_BY_HOP and (keep or k.lower() != "host")]
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        if not keep or not any(k.lower() == "host" for k, _ in headers):
            conn.putheader("Host", f"{up.hostname}:{port}")
        for k, v in sent:
            conn.putheader(k, v)
        if body or method not in ("GET", "HEAD", "DELETE", "OPTIONS"):
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        length = resp.getheader("Content-Length") if method == "HEAD" else None
        kept = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP_BY_HOP]
        return resp.status, resp.reason, kept, data, (int(length) if length else None)
    finally:
        conn.close()


def injected(sock, method, target, fault):
    """Answers an injected status; True when the connection may go on."""
    code = int(fault.split("-")[0])
    retry = STATE.args.retry_after if fault in ("429", "503-retry-after") else None
    headers = [("Content-Type", "application/json")]
    if retry is not None:
        headers.append(("Retry-After", str(retry)))
    send(sock, code, REASONS[code], headers, status_body(code, retry))
    STATE.record(method, target, fault, code)
    return True


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        raw = self.request
        tls = bool(STATE.args.cert)
        if STATE.args.drop and STATE.draw() < STATE.args.drop / 3:
            STATE.record("-", "-", "drop-before-tls", 0)
            raw.close()
            return
        fault = STATE.pick(CONNECTION_FAULTS)
        if fault == "drop-connect":
            STATE.record("-", "-", fault, 0)
            raw.close()
            return
        if fault == "stall-connect":
            STATE.record("-", "-", fault, 0)
            wait_for_close(raw)
            raw.close()
            return
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(STATE.args.cert, STATE.args.key)
            ctx.set_alpn_protocols(["http/1.1"])
            try:
                sock = ctx.wrap_socket(raw, server_side=True)
            except (ssl.SSLError, OSError):
                return
        else:
            sock = raw
        f = sock.makefile("rb")
        try:
            while True:
                req = read_request(f)
                if req is None:
                    return
                method, target, headers, body = req
                if not self.serve(sock, method, target, headers, body):
                    return
        except (OSError, ssl.SSLError, ValueError) as e:
            print(f"fault_proxy: {e}", file=sys.stderr, flush=True)
        finally:
            try:
                sock.close()
            except OSError:
                pass

    def serve(self, sock, method, target, headers, body):
        """One request; True when the connection may serve another."""
        # A kept-alive connection serves many requests: each may be where it is dropped.
        mode = None
        if STATE.args.drop and STATE.draw() < STATE.args.drop * 2 / 3:
            mode = STATE.choice(["request", "response"])
        if mode == "request":
            STATE.record(method, target, "drop-request", 0)
            return False
        if STATE.kill_now(method, target):
            if STATE.args.kill_when == "before":
                STATE.kill(method, target)
                STATE.record(method, target, "kill-before", 0)
                return False
            status = forward(method, target, headers, body)[0]
            STATE.kill(method, target)
            STATE.record(method, target, "kill-after", status)
            return False
        if STATE.args.throttle and STATE.draw() < STATE.args.throttle:
            return injected(sock, method, target, "429")
        fault = None
        if mode is None and (STATE.match is None or STATE.match.search(f"{method} {target}")):
            fault = STATE.pick(REQUEST_FAULTS, f"{method} {target}")
        if fault == "drop-request":
            STATE.record(method, target, fault, 0)
            return False
        if fault == "stall-response":
            STATE.record(method, target, fault, 0)
            wait_for_close(sock)
            return False
        if fault and fault[0].isdigit():
            return injected(sock, method, target, fault)
        status, reason, rheaders, data, length = forward(method, target, headers, body)
        if mode == "response" or fault == "drop-response" or (
                fault in ("stall-body", "truncate-length", "truncate-chunked") and len(data) < 2):
            STATE.record(method, target, "drop-response", 0)
            return False
        if fault in ("stall-body", "truncate-length"):
            sock.sendall(head(status, reason, rheaders + [("Content-Length", str(len(data)))])
                         + data[:len(data) // 2])
            STATE.record(method, target, fault, status)
            if fault == "stall-body":
                wait_for_close(sock)
            return False
        if fault == "truncate-chunked":
            half = data[:len(data) // 2]
            sock.sendall(head(status, reason, rheaders + [("Transfer-Encoding", "chunked")])
                         + f"{len(half):x}\r\n".encode() + half + b"\r\n")
            STATE.record(method, target, fault, status)
            return False
        send(sock, status, reason, rheaders, b"" if method == "HEAD" else data, length)
        STATE.record(method, target, "none", status)
        return not any(k.lower() == "connection" and v.lower() == "close" for k, v in headers)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global STATE
    p = argparse.ArgumentParser()
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--ca")
    p.add_argument("--upstream", default="https://127.0.0.1:6443")
    p.add_argument("--keep-host", action="store_true")
    p.add_argument("--port-file", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--log")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--match")
    p.add_argument("--fault", action="append", default=[])
    p.add_argument("--limit", type=int)
    p.add_argument("--stall-seconds", type=float, default=300)
    p.add_argument("--drop", type=float, default=0.0)
    p.add_argument("--throttle", type=float, default=0.0)
    p.add_argument("--retry-after", type=int, default=1)
    p.add_argument("--kill-pid-file")
    p.add_argument("--kill-match")
    p.add_argument("--kill-nth", type=int, default=1)
    p.add_argument("--kill-when", choices=["before", "after"], default="after")
    args = p.parse_args()
    if bool(args.cert) != bool(args.key):
        sys.exit("fault_proxy: --cert and --key go together")
    STATE = State(args)
    server = Server(("127.0.0.1", args.port), Handler)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(args.port_file + ".tmp", args.port_file)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    server.serve_forever()


if __name__ == "__main__":
    main()
