#!/usr/bin/env python3
"""Scriptable HTTP/1.1 server on 127.0.0.1 for etl's integration tests.

    python3 http_peer.py --port 0 --script script.json --log requests.jsonl --port-file port.txt

script.json:
    {"routes": {"/inventory": [{"status": 500}, {"status": 200, "body_file": "x.json"}],
                "/hook": [{"status": 200, "body": "ok"}]}}

Each route's responses are served in order; the last one repeats. Response
fields: status, body (text), body_file (relative to the script's folder),
headers {}, delay (seconds to wait before answering), truncate (announce a
Content-Length larger than the body, send the body, close: a cut-off transfer),
no_length (send no Content-Length and close after the body: the client cannot tell a cut),
drop (close the connection without answering), echo (answer with the request's own body).
In body, {seq} becomes the route's 1-based request count (ids the peer "assigns").
Unknown paths get 404. Every request is appended to the log as one JSON line:
{method, path, query, headers, body, received_at} (received_at: Unix time, seconds). The chosen port is written to
--port-file once the server listens. SIGTERM stops it.
Python standard library only.
"""
import argparse
import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from peer_serving import serve_until_terminated


class Script:
    """Per-route response queues; the last response of a route repeats."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        self.base = os.path.dirname(os.path.abspath(path))
        self.routes = {route: list(responses) for route, responses in data.get("routes", {}).items()}
        self.served = {route: 0 for route in self.routes}
        self.lock = threading.Lock()

    def next_response(self, path):
        with self.lock:
            responses = self.routes.get(path)
            if not responses:
                return {"status": 404, "body": "no route for " + path}
            index = min(self.served[path], len(responses) - 1)
            self.served[path] += 1
            return dict(responses[index], seq=self.served[path])

    def body_of(self, response):
        if "body_file" in response:
            with open(os.path.join(self.base, response["body_file"]), "rb") as f:
                return f.read()
        return str(response.get("body", "")).encode("utf-8")


class RequestLog:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()

    def append(self, entry):
        if not self.path:
            return
        line = json.dumps(entry, ensure_ascii=False)
        with self.lock, open(self.path, "a", encoding="utf-8") as f:
            f.write(line + "\n")
            f.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive, so clients can reuse connections
    script = None
    request_log = None

    def log_message(self, fmt, *args):   # quiet: the JSON log is the record
        pass

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size_line = self.rfile.readline().strip()
                size = int(size_line.split(b";")[0] or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def handle_any(self):
        parts = urlsplit(self.path)
        body = self.read_body()
        self.request_log.append({
            "method": self.command,
            "path": parts.path,
            "query": parts.query,
            "headers": {k: v for k, v in self.headers.items()},
            "body": body.decode("utf-8", errors="replace"),
            "received_at": time.time(),
        })
        response = self.script.next_response(parts.path)
        delay = float(response.get("delay", 0))
        if delay > 0:
            time.sleep(delay)
        if response.get("drop"):
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        payload = body if response.get("echo") else self.script.body_of(response)
        payload = payload.replace(b"{seq}", str(response.get("seq", 0)).encode("ascii"))
        try:
            self.send_response(int(response.get("status", 200)))
            headers = {k: str(v) for k, v in response.get("headers", {}).items()}
            lower = {k.lower() for k in headers}
            for name, value in headers.items():
                self.send_header(name, value)
            if response.get("truncate"):
                self.send_header("Content-Length", str(len(payload) + 100))
                self.send_header("Connection", "close")
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if response.get("no_length"):
                # No Content-Length, body ends when the connection closes: a cut-off body looks complete.
                self.send_header("Connection", "close")
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)
                self.wfile.flush()
                self.close_connection = True
                return
            if "content-length" not in lower:
                self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True   # the client gave up (e.g. its timeout ran out)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128   # many clients connecting at once (max_in_flight) must not wait for SYN retries


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--script", required=True)
    parser.add_argument("--log", default=None)
    parser.add_argument("--port-file", default=None)
    args = parser.parse_args()

    Handler.script = Script(args.script)
    Handler.request_log = RequestLog(args.log)
    server = Server(("127.0.0.1", args.port), Handler)
    return serve_until_terminated(server, args.port_file)

if __name__ == "__main__":
    sys.exit(main())
