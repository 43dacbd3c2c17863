#!/usr/bin/env python3
# A loopback mirror for the integration tests: every checksum file (.sha1, .sha256, .sha512, .md5)
# is answered with a made-up value of the right length, anything else is 404. `stackctl lock`
# needs a checksum per artifact; deploy and drift never download the artifacts themselves.
# Prints the port it listens on, then serves until killed.
import http.server
LEN = {".sha1": 40, ".sha256": 64, ".sha512": 128, ".md5": 32}
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        for ext, n in LEN.items():
            if self.path.endswith(ext):
                body = ("0" * n + "\n").encode()
                self.send_response(200); self.send_header("Content-Length", str(len(body)))
                self.end_headers(); self.wfile.write(body); return
        self.send_response(404); self.send_header("Content-Length", "0"); self.end_headers()
    do_HEAD = do_GET
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
