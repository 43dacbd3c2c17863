#!/usr/bin/env python3
"""A fault-injecting HTTPS proxy in front of the test apiserver (python3 stdlib only; tests only).

It terminates TLS on loopback with a certificate the test makes (signed by the harness CA, so
a kubeconfig that trusts the harness CA trusts it too), forwards every request to the apiserver
over a new verified TLS connection, and sends the answer back. Because it sees the requests in
clear, it can do what a TCP passthrough proxy cannot: answer 429 with Retry-After, drop a
connection after the apiserver acted on the request, and kill a client at an exact request.

Usage: kube_fault_proxy.py --cert C --key K --ca CA --upstream https://127.0.0.1:6443
                           --port-file F [--log L] [--seed N]
                           [--drop 0.2] [--throttle 0.333] [--retry-after 1]
                           [--kill-pid-file P --kill-match 'METHOD REGEX' --kill-nth N
                            --kill-when before|after]

Faults (each connection and each request draws from one seeded random generator, so a seed
replays the same faults for the same traffic):
  --drop P      a connection is dropped with probability P, in one of three ways chosen evenly:
                  tls        closed before the TLS handshake (nothing was sent by the client)
                  request    a request is read, then the connection closed (nothing forwarded)
                  response   a request is forwarded and acted on, the answer thrown away and
                             the connection closed (the client cannot know it was done)
                the last two are drawn per request, so a kept-alive connection serving many
                requests is as likely to be dropped at each of them as a new one
  --throttle P  a request is answered, with probability P, 429 Too Many Requests with
                Retry-After: N seconds and a Status body of reason TooManyRequests (the
                StatusReason the API conventions name for it), without forwarding it.
Kill rule (the kill -9 tests): the Nth request whose "METHOD PATH?QUERY" matches REGEX (Python
re.search) kills the process whose pid is in P with SIGKILL, either before forwarding it
(`before`: the apiserver never sees it) or after the apiserver answered (`after`: done, but the
client never learns it); that connection is then closed without an answer. One kill per run.

The log (--log) gets one JSON line per request: n, method, path (with the query), fault, status
(0 when no answer was sent). Header values are never logged (they carry the bearer token).
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


class State:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.requests = 0
        self.kill_seen = 0
        self.killed = False
        self.log = open(args.log, "a", buffering=1) if args.log else None
        self.kill_re = None
        if args.kill_match:
            method, _, regex = args.kill_match.partition(" ")
            self.kill_method, self.kill_re = method, re.compile(regex)

    def draw(self):
        with LOCK:
            return self.rng.random()

    def choice(self, options):
        with LOCK:
            return self.rng.choice(options)

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
        print(f"kube_fault_proxy: killed {pid} at {method} {path} ({self.args.kill_when})",
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
    for name, value in headers:
        if name.lower() == "content-length":
            length = int(value)
        if name.lower() == "transfer-encoding":
            raise ValueError("chunked request bodies are not supported by this test proxy")
    body = f.read(length) if length else b""
    return method, target, headers, body


def send(sock, status, reason, headers, body):
    out = [f"HTTP/1.1 {status} {reason}"]
    out += [f"{k}: {v}" for k, v in headers]
    out.append(f"Content-Length: {len(body)}")
    sock.sendall(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + body)


def forward(method, target, headers, body):
    up = urlsplit(STATE.args.upstream)
    ctx = ssl.create_default_context(cafile=STATE.args.ca)
    conn = http.client.HTTPSConnection(up.hostname, up.port or 443, context=ctx, timeout=120)
    try:
        sent = [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP and k.lower() != "host"]
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", f"{up.hostname}:{up.port or 443}")
        for k, v in sent:
            conn.putheader(k, v)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        kept = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP_BY_HOP]
        return resp.status, resp.reason, kept, data
    finally:
        conn.close()


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        raw = self.request
        if STATE.draw() < STATE.args.drop / 3:
            STATE.record("-", "-", "drop-before-tls", 0)
            raw.close()
            return
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(STATE.args.cert, STATE.args.key)
        ctx.set_alpn_protocols(["http/1.1"])
        try:
            sock = ctx.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            return
        f = sock.makefile("rb")
        try:
            while True:
                req = read_request(f)
                if req is None:
                    return
                method, target, headers, body = req
                # A kept-alive connection serves many requests: each may be where it is dropped.
                mode = None
                if STATE.draw() < STATE.args.drop * 2 / 3:
                    mode = STATE.choice(["request", "response"])
                if mode == "request":
                    STATE.record(method, target, "drop-request", 0)
                    return
                if STATE.kill_now(method, target):
                    if STATE.args.kill_when == "before":
                        STATE.kill(method, target)
                        STATE.record(method, target, "kill-before", 0)
                        return
                    status, _, _, _ = forward(method, target, headers, body)
                    STATE.kill(method, target)
                    STATE.record(method, target, "kill-after", status)
                    return
                if STATE.draw() < STATE.args.throttle:
                    status_body = json.dumps({
                        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                        "message": "Too many requests, please try again later (injected by the test proxy)",
                        "reason": "TooManyRequests",
                        "details": {"retryAfterSeconds": STATE.args.retry_after},
                        "code": 429}).encode()
                    send(sock, 429, "Too Many Requests",
                         [("Content-Type", "application/json"),
                          ("Retry-After", str(STATE.args.retry_after))], status_body)
                    STATE.record(method, target, "429", 429)
                    continue
                status, reason, rheaders, data = forward(method, target, headers, body)
                if mode == "response":
                    STATE.record(method, target, "drop-response", 0)
                    return
                send(sock, status, reason, rheaders, data)
                STATE.record(method, target, "none", status)
                if any(k.lower() == "connection" and v.lower() == "close" for k, v in headers):
                    return
        except (OSError, ssl.SSLError, ValueError) as e:
            print(f"kube_fault_proxy: {e}", file=sys.stderr, flush=True)
        finally:
            try:
                sock.close()
            except OSError:
                pass


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global STATE
    p = argparse.ArgumentParser()
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--ca", required=True)
    p.add_argument("--upstream", default="https://127.0.0.1:6443")
    p.add_argument("--port-file", required=True)
    p.add_argument("--log")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--drop", type=float, default=0.0)
    p.add_argument("--throttle", type=float, default=0.0)
    p.add_argument("--retry-after", type=int, default=1)
    p.add_argument("--kill-pid-file")
    p.add_argument("--kill-match")
    p.add_argument("--kill-nth", type=int, default=1)
    p.add_argument("--kill-when", choices=["before", "after"], default="after")
    args = p.parse_args()
    STATE = State(args)
    server = Server(("127.0.0.1", 0), Handler)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(args.port_file + ".tmp", args.port_file)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    server.serve_forever()


if __name__ == "__main__":
    main()
