#!/usr/bin/env python3
"""A protocol-faithful Vault test server for stackctl's integration tests (python3 stdlib only).

A test double, never shipped. It speaks HTTPS on loopback with a certificate the test makes, and
answers the Vault HTTP API paths stackctl uses with the shapes written in
shared/facts/vault-terraform-eks.md ("facts" below). Every faked behaviour names its source; where
no source was read, it says so, and the client must not depend on that detail.

Usage: vault_server.py --cert server.pem --key server.key --state state.json --port-file F --log L
  state.json: {"namespaces": {"": NS, "team-a": NS, ...}, "sealed": false, "initialized": true,
               "ui_mounts": true}
  NS: {"mounts": {"secret": {"version": 2, "secrets": {"spark/x": {"k": "v"}}}},
       "tokens": {"TOKEN": ["policy", ...]},
       "policies": {"name": ["secret/data/spark/x", "secret/data/other/*"]},   # read paths
       "approle": {"mount": "approle", "role_id": "...", "secret_id": "...", "policies": [...]},
       "kubernetes": {"mount": "kubernetes", "role": "...", "jwt": "...", "policies": [...]}}
  The log gets one JSON line per request: method, path, namespace, whether a token was sent, and
  for revoke-self which token accessor was revoked. Header values are never logged.

Test-only controls (not Vault API; no /v1 prefix, so they cannot shadow a Vault path):
  POST /_test/seal {"sealed": bool}         POST /_test/init {"initialized": bool}
  POST /_test/fail {"status": 503, "count": N}   the next N /v1 requests answer that status
  POST /_test/delete {"namespace","mount","path","version"}  soft-delete a KV v2 version
  POST /_test/destroy {...same}              destroy a KV v2 version
  GET  /_test/tokens                          live tokens (accessors) of minted logins
"""

import argparse
import json
import secrets
import ssl
import sys
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LOCK = threading.Lock()
STATE = {}
MINTED = {}  # token -> {"accessor", "policies", "namespace"}
FAILS = []  # pending forced statuses
LOG = None


def now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def envelope(data=None, auth=None):
    # facts: KV reads carry request_id, lease_id, renewable, lease_duration besides data.
    return {"request_id": secrets.token_hex(8), "lease_id": "", "renewable": False,
            "lease_duration": 0, "data": data, "wrap_info": None, "warnings": None, "auth": auth}


def ns_state(ns):
    return STATE["namespaces"].get(ns)


def kv2_store(mount):
    # KV v2 secrets are kept as version lists; the state file's plain maps become version 1.
    for path, value in list(mount["secrets"].items()):
        if not isinstance(value, dict) or "versions" not in value:
            mount["secrets"][path] = {"versions": [version_entry(value)]}
    return mount["secrets"]


def version_entry(data):
    return {"data": data, "created_time": now(), "deletion_time": "", "destroyed": False,
            "custom_metadata": None}


def policies_of(ns, token):
    if token in MINTED and MINTED[token]["namespace"] == ns:
        return MINTED[token]["policies"]
    st = ns_state(ns)
    if st and token in st.get("tokens", {}):
        return st["tokens"][token]
    return None


def allowed(ns, policies, path):
    # Real Vault evaluates ACL policies per path and capability; here a policy is a list of path
    # globs granting read (a trailing * matches any suffix, as in Vault's policy syntax).
    if "root" in policies:
        return True
    for name in policies:
        for rule in ns_state(ns).get("policies", {}).get(name, []):
            if rule.endswith("*") and path.startswith(rule[:-1]):
                return True
            if rule == path:
                return True
    return False


def find_mount(ns, path):
    st = ns_state(ns)
    best = None
    for name in st["mounts"]:
        if path == name or path.startswith(name + "/"):
            if best is None or len(name) > len(best):
                best = name
    return best


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet; the JSON log is the record
        pass

    def record(self, **extra):
        entry = {"method": self.command, "path": urlsplit(self.path).path,
                 "namespace": self.headers.get("X-Vault-Namespace", ""),
                 "token_sent": "X-Vault-Token" in self.headers,
                 "vault_request": self.headers.get("X-Vault-Request", "")}
        entry.update(extra)
        with LOCK:
            LOG.write(json.dumps(entry) + "\n")
            LOG.flush()

    def reply(self, status, body=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, *messages):
        # facts: errors >= 400 are {"errors":["..."]}; a missing path is 404 {"errors":[]}.
        self.reply(status, {"errors": list(messages)})

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        try:
            return json.loads(raw) if raw else {}
        except ValueError:
            return None

    def do_GET(self):
        self.route()

    def do_POST(self):
        self.route()

    def do_LIST(self):
        self.route()

    def route(self):
        url = urlsplit(self.path)
        if url.path.startswith("/_test/"):
            return self.control(url.path[len("/_test/"):])
        self.record()
        if not url.path.startswith("/v1/"):
            return self.error(404)
        path = url.path[len("/v1/"):]
        with LOCK:
            forced = FAILS.pop(0) if FAILS else None
        if forced is not None:
            # Retry tests: 412 is what Vault answers when an X-Vault-Index is not yet satisfied
            # and 5xx a failing node (api/client.go DefaultRetryPolicy retries both). The error
            # texts here are made up; the client looks only at the status.
            return self.error(forced, "forced status %d (test server)" % forced)
        if not STATE.get("initialized", True):
            # facts: 501 not initialised. Error text not read in a source.
            return self.error(501, "Vault is not initialized")
        if STATE.get("sealed"):
            # facts: 503 sealed. The text "Vault is sealed" is Vault's ErrSealed as remembered,
            # not read in a source here; the client matches only the substring "sealed".
            return self.error(503, "Vault is sealed")
        ns = self.headers.get("X-Vault-Namespace", "").strip("/")
        if ns_state(ns) is None:
            return self.error(404, "no handler for route \"%s\". route entry not found." % path)
        query = parse_qs(url.query)
        if path.endswith("/login") and path.startswith("auth/") and self.command == "POST":
            return self.login(ns, path)
        token = self.headers.get("X-Vault-Token")
        policies = policies_of(ns, token) if token else None
        if policies is None:
            # Vault answers a missing or unknown token with 403 permission denied.
            return self.error(403, "permission denied")
        if path == "auth/token/lookup-self" and self.command == "GET":
            return self.reply(200, envelope({"policies": policies, "ttl": 3600,
                                             "accessor": self.accessor(token)}))
        if path == "auth/token/revoke-self" and self.command == "POST":
            accessor = self.accessor(token)
            with LOCK:
                MINTED.pop(token, None)
            self.record(revoked=accessor)
            return self.reply(204)  # Vault answers 204 No Content
        if path.startswith("sys/internal/ui/mounts/") and self.command == "GET":
            return self.ui_mounts(ns, path[len("sys/internal/ui/mounts/"):], policies)
        mount = find_mount(ns, path)
        if mount is None:
            return self.error(404, "no handler for route \"%s\". route entry not found." % path)
        rest = path[len(mount) + 1:]
        m = ns_state(ns)["mounts"][mount]
        if m["version"] == 2:
            return self.kv2(ns, mount, m, rest, policies, query)
        return self.kv1(ns, mount, m, rest, policies)

    def accessor(self, token):
        return MINTED[token]["accessor"] if token in MINTED else "static-" + str(len(token))

    def login(self, ns, path):
        st = ns_state(ns)
        req = self.body() or {}
        mount = path[len("auth/"):-len("/login")]
        role = st.get("approle")
        if role and mount == role["mount"]:
            # facts: AppRole POST /v1/auth/<mount>/login {"role_id","secret_id"}. The refusal's
            # status (400) and text are not read in a source here; the client treats 400/401/403
            # alike as a refused login.
            if req.get("role_id") != role["role_id"] or req.get("secret_id") != role["secret_id"]:
                return self.error(400, "invalid role or secret ID")
            return self.mint(ns, role["policies"], {"role_name": "spark"})
        kube = st.get("kubernetes")
        if kube and mount == kube["mount"]:
            # facts: Kubernetes POST /v1/auth/<mount>/login {"role","jwt"}. Real Vault sends the
            # JWT to the cluster's TokenReview API; here it must equal the configured one.
            if req.get("role") != kube["role"]:
                return self.error(400, "invalid role name \"%s\"" % req.get("role"))
            if req.get("jwt") != kube["jwt"]:
                return self.error(403, "permission denied")
            return self.mint(ns, kube["policies"], {"role": kube["role"]})
        return self.error(404, "no handler for route \"%s\". route entry not found." % path)

    def mint(self, ns, policies, metadata):
        token = "hvs." + secrets.token_urlsafe(24)
        accessor = secrets.token_hex(12)
        with LOCK:
            MINTED[token] = {"accessor": accessor, "policies": ["default"] + policies,
                             "namespace": ns}
        self.record(minted=accessor)
        # facts: {"auth":{"client_token","accessor","token_policies","lease_duration","renewable"}}
        return self.reply(200, envelope(None, {
            "client_token": token, "accessor": accessor, "policies": ["default"] + policies,
            "token_policies": ["default"] + policies, "metadata": metadata,
            "lease_duration": 2764800, "renewable": True, "entity_id": "", "token_type": "service",
            "orphan": True}))

    def ui_mounts(self, ns, path, policies):
        if not STATE.get("ui_mounts", True):
            # A server older than this endpoint: 404 (the vault CLI then assumes KV v1).
            return self.error(404)
        mount = find_mount(ns, path)
        if mount is None:
            return self.error(404)
        m = ns_state(ns)["mounts"][mount]
        rest = path[len(mount) + 1:]
        api = mount + ("/data/" if m["version"] == 2 else "/") + rest
        # Vault shows the mount only to a token with some capability on the path; else 403.
        if not allowed(ns, policies, api):
            return self.error(403, "permission denied")
        # facts: data.path (the mount) and data.options.version "1"|"2". A KV v1 mount made
        # without options has options null; the vault CLI reads that as v1.
        options = {"version": "2"} if m["version"] == 2 else None
        return self.reply(200, envelope({"accessor": "kv_" + mount, "config": {},
                                         "description": "", "local": False, "options": options,
                                         "path": mount + "/", "seal_wrap": False, "type": "kv",
                                         "uuid": "00000000-0000-0000-0000-000000000000"}))

    def kv1(self, ns, mount, m, rest, policies):
        if not allowed(ns, policies, mount + "/" + rest):
            return self.error(403, "permission denied")
        if self.command != "GET" or rest not in m["secrets"]:
            return self.error(404)
        # facts: KV v1 read -> {"data":{k:v},"lease_duration":...}; v1 leases default to 768h.
        body = envelope(m["secrets"][rest])
        body["lease_duration"] = 2764800
        return self.reply(200, body)

    def kv2(self, ns, mount, m, rest, policies, query):
        store = kv2_store(m)
        if rest.startswith("data/"):
            path = rest[len("data/"):]
            if not allowed(ns, policies, mount + "/data/" + path):
                return self.error(403, "permission denied")
            if self.command == "POST":
                return self.kv2_write(store, path)
            entry = store.get(path)
            if entry is None:
                return self.error(404)  # facts: never written -> 404 {"errors":[]}
            want = int(query.get("version", ["0"])[0] or 0)
            n = want or len(entry["versions"])
            if n < 1 or n > len(entry["versions"]):
                return self.error(404)
            v = entry["versions"][n - 1]
            meta = {"created_time": v["created_time"], "custom_metadata": v["custom_metadata"],
                    "deletion_time": v["deletion_time"], "destroyed": v["destroyed"], "version": n}
            if v["deletion_time"] or v["destroyed"]:
                # facts: a deleted/destroyed version answers 404 WITH data.data null and its
                # metadata.
                return self.reply(404, envelope({"data": None, "metadata": meta}))
            return self.reply(200, envelope({"data": v["data"], "metadata": meta}))
        if rest.startswith("metadata/") and self.command in ("LIST", "GET"):
            prefix = rest[len("metadata/"):]
            if not allowed(ns, policies, mount + "/metadata/" + prefix):
                return self.error(403, "permission denied")
            keys = sorted({p[len(prefix):].split("/")[0] + ("/" if "/" in p[len(prefix):] else "")
                           for p in store if p.startswith(prefix)})
            if not keys:
                return self.error(404)  # facts: LIST with nothing = 404 {"errors":[]}
            return self.reply(200, envelope({"keys": keys}))
        return self.error(404)

    def kv2_write(self, store, path):
        # facts: POST /v1/<mount>/data/<path> {"options":{"cas":N},"data":{...}}.
        req = self.body()
        if not isinstance(req, dict) or not isinstance(req.get("data"), dict):
            return self.error(400, "no data provided")
        entry = store.setdefault(path, {"versions": []})
        cas = (req.get("options") or {}).get("cas")
        if cas is not None and cas != len(entry["versions"]):
            return self.error(400, "check-and-set parameter did not match the current version")
        entry["versions"].append(version_entry(req["data"]))
        v = entry["versions"][-1]
        return self.reply(200, envelope({"created_time": v["created_time"],
                                         "custom_metadata": None, "deletion_time": "",
                                         "destroyed": False, "version": len(entry["versions"])}))

    def control(self, what):
        req = self.body() or {}
        with LOCK:
            if what == "seal":
                STATE["sealed"] = bool(req.get("sealed"))
            elif what == "init":
                STATE["initialized"] = bool(req.get("initialized"))
            elif what == "fail":
                FAILS.extend([int(req["status"])] * int(req.get("count", 1)))
            elif what in ("delete", "destroy"):
                m = ns_state(req.get("namespace", ""))["mounts"][req["mount"]]
                entry = kv2_store(m)[req["path"]]
                v = entry["versions"][int(req.get("version") or len(entry["versions"])) - 1]
                if what == "delete":
                    v["deletion_time"] = now()
                else:
                    v["destroyed"] = True
                    v["data"] = None
            elif what == "tokens":
                return self.reply(200, {"live": sorted(t["accessor"] for t in MINTED.values())})
            else:
                return self.error(404)
        return self.reply(200, {"ok": True})


def main():
    global LOG
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--state", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    a = ap.parse_args()
    with open(a.state) as f:
        STATE.update(json.load(f))
    LOG = open(a.log, "a")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.replace(a.port_file + ".tmp", a.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
