#!/usr/bin/env python3
"""A loopback HTTP mirror for the fetcher tests: serves a directory like `python3 -m http.server`,
plus a few misbehaviours a real mirror shows, selected by a path prefix:

  /<path>                     the file under --root, or 404
  /flaky/<n>/<key>/<path>     503 for the first <n> requests of <key>, then the file
  /drop/<n>/<key>/<path>      closes the connection without a response <n> times, then the file
  /busy/<n>/<key>/<path>      429 with "Retry-After: 1" for the first <n> requests, then the file
  /stream/<n>/<ms>            <n> chunked lines "line <i>", <ms> milliseconds apart
  POST, PUT, PATCH, DELETE    routed like GET (flaky, busy, drop); otherwise 200 echoing
                              "<METHOD> <body>"
  /_stats                     JSON: how many requests each path received (not counted itself)

With --tls-cert/--tls-key it speaks HTTPS with that certificate. It binds 127.0.0.1 on --port
(0 = any free port) and prints "PORT <n>" on stdout once listening, so a test can start it without
racing for a port. It exits when its parent process goes away. Test-only; never shipped.
"""
import argparse
import collections
import http.server
import json
import os
import ssl
import sys
import threading
import time

counts = collections.Counter()
lock = threading.Lock()


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # keep test output quiet
        pass

    def _count(self, key):
        with lock:
            counts[key] += 1
            return counts[key]

    def _misbehave(self):
        """Returns True when the request was answered (or dropped) here."""
        parts = self.path.split("/")
        if len(parts) < 5 or parts[1] not in ("flaky", "drop", "busy"):
            return False
        kind, n, key = parts[1], int(parts[2]), parts[3]
        seen = self._count(kind + ":" + key)
        if seen <= n:
            if kind in ("flaky", "busy"):
                body = b"busy\n"
                self.send_response(503 if kind == "flaky" else 429)
                if kind == "busy":
                    self.send_header("Retry-After", "1")
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                self.close_connection = True
                self.connection.shutdown(2)
            return True
        self.path = "/" + "/".join(parts[4:])
        return False

    def _route(self):
        if self.path == "/_stats":
            with lock:
                body = json.dumps(dict(counts)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command == "GET":
                self.wfile.write(body)
            return True
        self._count(self.path)
        return self._misbehave()

    def _stream(self):
        parts = self.path.split("/")
        n, ms = int(parts[2]), int(parts[3])
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for i in range(n):
                line = ("line %d\n" % i).encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                self.wfile.flush()
                time.sleep(ms / 1000.0)
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def do_GET(self):
        if self.path.startswith("/stream/"):
            self._count(self.path)
            return self._stream()
        if not self._route():
            super().do_GET()

    def _with_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length else b""
        if self._route():
            return
        body = self.command.encode() + b" " + data
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_PUT = do_PATCH = do_DELETE = _with_body

    def do_HEAD(self):
        if not self._route():
            super().do_HEAD()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls-cert", help="PEM certificate: serve HTTPS instead of HTTP")
    parser.add_argument("--tls-key", help="PEM private key of --tls-cert")
    args = parser.parse_args()
    root = os.path.abspath(args.root)

    def handler(*a, **kw):
        return Handler(*a, directory=root, **kw)

    # Exit when the test that started us is gone (killed, crashed): never outlive it.
    parent = os.getppid()

    def watch_parent():
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    server.daemon_threads = True
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
