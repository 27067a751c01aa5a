#!/usr/bin/env python3
"""A loopback HTTP proxy for tests: answers the first N requests with an injected fault
(default 503 with Retry-After), then forwards every request unchanged, Host header included
so that SigV4 signatures stay valid, to a server on another loopback port.

    flaky-proxy.py --listen PORT|0 --upstream PORT --fail N [--status 503] [--retry-after 1]
                   [--count-file FILE] [--received-file FILE] [--log-file FILE]

It prints "flaky-proxy: listening on http://127.0.0.1:PORT" once bound (--listen 0: a
port the kernel picks). The number of faults served so far is written to --count-file after each one.
With --received-file, "REQUESTS BYTES" (requests forwarded, request body bytes forwarded) is
written there after each forwarded request: a counting relay, with --fail 0. With
--log-file, "METHOD PATH STATUS" of each forwarded request is appended there once answered.
"""
import argparse
import http.client
import http.server
import threading

parser = argparse.ArgumentParser()
parser.add_argument("--listen", type=int, required=True)
parser.add_argument("--upstream", type=int, required=True)
parser.add_argument("--fail", type=int, default=0)
parser.add_argument("--status", type=int, default=503)
parser.add_argument("--retry-after", type=int)
parser.add_argument("--count-file")
parser.add_argument("--received-file")
parser.add_argument("--log-file")
args = parser.parse_args()

lock = threading.Lock()
faults = 0
forwarded = 0
forwarded_bytes = 0
CHUNK = 1 << 20


def count_forwarded(body_bytes):
    global forwarded, forwarded_bytes
    if not args.received_file:
        return
    with lock:
        forwarded += 1
        forwarded_bytes += body_bytes
        with open(args.received_file, "w") as f:
            f.write(f"{forwarded} {forwarded_bytes}")


def take_fault():
    global faults
    with lock:
        if faults >= args.fail:
            return False
        faults += 1
        if args.count_file:
            with open(args.count_file, "w") as f:
                f.write(str(faults))
        return True


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def handle_expect_100(self):
        # Decide before the body is sent: a faulted request never gets 100 Continue, so the
        # client reads the error instead of sending its body.
        self.fault = take_fault()
        if self.fault:
            return True
        return super().handle_expect_100()

    def handle_any(self):
        fault = getattr(self, "fault", None)
        if fault is None:
            fault = take_fault()
        self.fault = None
        if fault:
            body = b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>injected fault</Message></Error>'
            self.send_response(args.status)
            if args.retry_after is not None:
                self.send_header("Retry-After", str(args.retry_after))
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True
            return
        self.forward()

    def forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        upstream = http.client.HTTPConnection("127.0.0.1", args.upstream, timeout=300)
        upstream.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        for name, value in self.headers.items():
            if name.lower() in ("expect", "connection"):
                continue
            upstream.putheader(name, value)
        upstream.endheaders()
        remaining = length
        while remaining > 0:
            data = self.rfile.read(min(CHUNK, remaining))
            if not data:
                break
            upstream.send(data)
            remaining -= len(data)
        count_forwarded(length - remaining)
        response = upstream.getresponse()
        if args.log_file:
            with lock:
                with open(args.log_file, "a") as f:
                    f.write(f"{self.command} {self.path} {response.status}\n")
        body_length = response.getheader("Content-Length")
        self.send_response_only(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() in ("transfer-encoding", "connection", "content-length"):
                continue
            self.send_header(name, value)
        if self.command == "HEAD":
            self.send_header("Content-Length", body_length or "0")
            self.end_headers()
            upstream.close()
            return
        if body_length is None:
            data = response.read()
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        else:
            self.send_header("Content-Length", body_length)
            self.end_headers()
            while True:
                data = response.read(CHUNK)
                if not data:
                    break
                self.wfile.write(data)
        upstream.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


http.server.ThreadingHTTPServer.daemon_threads = True
server = http.server.ThreadingHTTPServer(("127.0.0.1", args.listen), Handler)
# With --listen 0 the kernel picks the port: say which, once it is bound.
print(f"flaky-proxy: listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
server.serve_forever()
