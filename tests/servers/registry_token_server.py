#!/usr/bin/env python3
"""A Docker registry token server for tests: the bearer half of registry auth, on loopback.

    registry_token_server.py --key KEY.pem --cert CERT.pem --issuer ISS --service SVC \
        --user NAME:PASSWORD [--log FILE]

Prints "port N" once listening. Protocol (docker/distribution docs/spec/auth/token.md and
jwt.md; the verifier is registry/auth/token/token.go):
- GET /token?service=SVC&scope=repository:NAME:ACTIONS[&scope=...] with HTTP Basic credentials.
- Known user: 200 {"token", "access_token", "expires_in", "issued_at"}; the token is a JWT (RS256)
  whose header carries x5c = [the signing certificate, base64 DER]; the registry verifies that
  chain against its auth.token.rootcertbundle (the same certificate), then the claims: iss, aud
  (= service), exp/nbf, and access [{type, name, actions}] covering what it needs.
- No or wrong credentials: 401 with a JSON error (no anonymous access in this test server; Docker
  Hub gives anonymous pull tokens for public repositories, which the client also handles).
Faked, and said so: one user, every action granted on every requested repository, no refresh
tokens and no POST (OAuth2) form. Signing uses the openssl command (no Python packages needed).
The log file, when given, records one line per request: the scope and whether credentials were
right; never the password or the token.
"""
import argparse
import base64
import json
import subprocess
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def cert_der_b64(cert_path):
    der = subprocess.run(["openssl", "x509", "-in", cert_path, "-outform", "DER"],
                         check=True, capture_output=True).stdout
    return base64.b64encode(der).decode()


def sign(key_path, data):
    return subprocess.run(["openssl", "dgst", "-sha256", "-sign", key_path],
                          input=data, check=True, capture_output=True).stdout


def make_token(args, x5c, scopes):
    access = []
    for scope in scopes:
        parts = scope.split(":")
        if len(parts) < 3:
            continue
        access.append({"type": parts[0], "name": ":".join(parts[1:-1]),
                       "actions": parts[-1].split(",")})
    now = int(time.time())
    header = {"typ": "JWT", "alg": "RS256", "x5c": [x5c]}
    claims = {"iss": args.issuer, "sub": args.user.split(":", 1)[0], "aud": args.service,
              "exp": now + 300, "nbf": now - 10, "iat": now, "jti": uuid.uuid4().hex,
              "access": access}
    signing_input = (b64url(json.dumps(header).encode()) + "." +
                     b64url(json.dumps(claims).encode())).encode()
    return signing_input.decode() + "." + b64url(sign(args.key, signing_input))


def main():
    p = argparse.ArgumentParser()
    for flag in ("--key", "--cert", "--issuer", "--service", "--user"):
        p.add_argument(flag, required=True)
    p.add_argument("--log")
    args = p.parse_args()
    x5c = cert_der_b64(args.cert)
    expected = "Basic " + base64.b64encode(args.user.encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def reply(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urlparse(self.path)
            if url.path != "/token":
                return self.reply(404, {"errors": [{"code": "NOT_FOUND", "message": url.path}]})
            q = parse_qs(url.query)
            scopes = [s for v in q.get("scope", []) for s in v.split(" ")]
            ok = self.headers.get("Authorization") == expected
            if args.log:
                with open(args.log, "a") as f:
                    f.write("service=%s scope=%s credentials=%s\n" % (
                        ",".join(q.get("service", [])), " ".join(scopes),
                        "ok" if ok else ("wrong" if self.headers.get("Authorization") else "none")))
            if not ok:
                return self.reply(401, {"errors": [{"code": "UNAUTHORIZED",
                                                    "message": "invalid username or password"}]})
            token = make_token(args, x5c, scopes)
            self.reply(200, {"token": token, "access_token": token, "expires_in": 300,
                             "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("port %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
