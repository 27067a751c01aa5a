#!/usr/bin/env python3
"""A lying agent, for tests: forwards every request to a real agent (with the caller's
Authorization header) and flips one byte in each chunk it returns, so a receiver must
refuse its chunks and fetch them elsewhere. Indexes pass through untouched.

    lying-agent.py UPSTREAM_PORT     prints "lying agent: listening on http://127.0.0.1:PORT"
"""
import http.server, socketserver, sys, urllib.request, urllib.error

upstream = int(sys.argv[1])

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        req = urllib.request.Request(f"http://127.0.0.1:{upstream}{self.path}",
                                     headers={"Authorization": self.headers.get("Authorization", "")})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, body = r.status, bytearray(r.read())
        except urllib.error.HTTPError as e:
            status, body = e.code, bytearray(e.read())
        if status == 200 and "/chunks/" in self.path and body:
            body[0] ^= 0xFF
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

server = Server(("127.0.0.1", 0), Handler)
print(f"lying agent: listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
server.serve_forever()
