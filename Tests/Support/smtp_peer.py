#!/usr/bin/env python3
"""A small SMTP server on 127.0.0.1 that records every message, for etl's tests.

    python3 smtp_peer.py --port 0 --log messages.jsonl --port-file port.txt
        [--auth USER:PASSWORD] [--cert cert.pem --key key.pem [--implicit-tls]]
        [--reject-rcpt SUBSTRING]

Speaks enough of RFC 5321 for libcurl and smtplib: EHLO/HELO, STARTTLS (when
--cert is given), AUTH PLAIN and LOGIN (when --auth is given; then MAIL needs a
login), MAIL, RCPT, DATA (dot-unstuffed), RSET, NOOP, QUIT. With --implicit-tls
the socket is TLS from the first byte (smtps). Recipients containing
--reject-rcpt get 550. Each accepted message is appended to --log as one JSON
line: {mail_from, rcpt_to, data, auth_user, tls}. The chosen port is written to
--port-file once the server listens. SIGTERM stops it. Standard library only.
"""
import argparse
import base64
import json
import socketserver
import ssl
import sys
import threading

from peer_serving import serve_until_terminated


class Options:
    auth = None          # (user, password)
    tls_context = None   # ssl.SSLContext when --cert is given
    implicit_tls = False
    reject_rcpt = None
    log_path = None
    log_lock = threading.Lock()


def record(entry):
    if not Options.log_path:
        return
    with Options.log_lock, open(Options.log_path, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry, ensure_ascii=False) + "\n")


class Session(socketserver.StreamRequestHandler):
    timeout = 30

    def setup(self):
        if Options.implicit_tls:
            self.request = Options.tls_context.wrap_socket(self.request, server_side=True)
        super().setup()
        self.tls = Options.implicit_tls
        self.user = None
        self.reset()

    def reset(self):
        self.mail_from = None
        self.rcpt_to = []

    def reply(self, line):
        self.wfile.write((line + "\r\n").encode("utf-8"))
        self.wfile.flush()

    def read_line(self):
        line = self.rfile.readline(65536)
        if not line:
            return None
        return line.decode("utf-8", errors="replace").rstrip("\r\n")

    def starttls(self):
        self.reply("220 ready to start TLS")
        self.wfile.flush()
        self.request = Options.tls_context.wrap_socket(self.request, server_side=True)
        self.rfile = self.request.makefile("rb")
        self.wfile = self.request.makefile("wb")
        self.tls = True
        self.user = None
        self.reset()

    def check_login(self, user, password):
        if Options.auth and (user, password) == Options.auth:
            self.user = user
            self.reply("235 authenticated")
        else:
            self.reply("535 authentication failed")

    def auth(self, arg):
        parts = arg.split()
        mechanism = parts[0].upper() if parts else ""
        if mechanism == "PLAIN":
            token = parts[1] if len(parts) > 1 else None
            if token is None:
                self.reply("334 ")
                token = self.read_line() or ""
            try:
                _, user, password = base64.b64decode(token).decode("utf-8").split("\0")
            except Exception:
                self.reply("501 malformed PLAIN response")
                return
            self.check_login(user, password)
        elif mechanism == "LOGIN":
            if len(parts) > 1:
                user = base64.b64decode(parts[1]).decode("utf-8")
            else:
                self.reply("334 " + base64.b64encode(b"Username:").decode())
                user = base64.b64decode(self.read_line() or "").decode("utf-8")
            self.reply("334 " + base64.b64encode(b"Password:").decode())
            password = base64.b64decode(self.read_line() or "").decode("utf-8")
            self.check_login(user, password)
        else:
            self.reply("504 mechanism not supported")

    def data(self):
        self.reply("354 end data with <CR><LF>.<CR><LF>")
        lines = []
        while True:
            raw = self.rfile.readline(1 << 20)
            if not raw:
                return
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            if line == ".":
                break
            if line.startswith("."):
                line = line[1:]   # dot-unstuffing (RFC 5321 4.5.2)
            lines.append(line)
        record({"mail_from": self.mail_from, "rcpt_to": self.rcpt_to, "data": "\r\n".join(lines) + "\r\n",
                "auth_user": self.user, "tls": self.tls})
        self.reply("250 queued")
        self.reset()

    def handle(self):
        self.reply("220 etl-test-smtp ready")
        while True:
            line = self.read_line()
            if line is None:
                return
            verb, _, arg = line.partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                features = ["250-etl-test-smtp", "250-8BITMIME", "250-SIZE 10485760"]
                if Options.tls_context and not self.tls:
                    features.append("250-STARTTLS")
                if Options.auth:
                    features.append("250-AUTH PLAIN LOGIN")
                features.append("250 HELP")
                for f in features:
                    self.wfile.write((f + "\r\n").encode())
                self.wfile.flush()
            elif verb == "HELO":
                self.reply("250 etl-test-smtp")
            elif verb == "STARTTLS" and Options.tls_context and not self.tls:
                self.starttls()
            elif verb == "AUTH" and Options.auth:
                self.auth(arg)
            elif verb == "MAIL":
                if Options.auth and not self.user:
                    self.reply("530 authentication required")
                    continue
                self.mail_from = arg.split(":", 1)[1].strip().split(" ")[0].strip("<>")
                self.reply("250 ok")
            elif verb == "RCPT":
                address = arg.split(":", 1)[1].strip().strip("<>")
                if Options.reject_rcpt and Options.reject_rcpt in address:
                    self.reply("550 no such user")
                else:
                    self.rcpt_to.append(address)
                    self.reply("250 ok")
            elif verb == "DATA":
                if not self.mail_from or not self.rcpt_to:
                    self.reply("503 need MAIL and RCPT first")
                else:
                    self.data()
            elif verb == "RSET":
                self.reset()
                self.reply("250 ok")
            elif verb == "NOOP":
                self.reply("250 ok")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 command not implemented")


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", default=None)
    parser.add_argument("--port-file", default=None)
    parser.add_argument("--auth", default=None)
    parser.add_argument("--cert", default=None)
    parser.add_argument("--key", default=None)
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--reject-rcpt", default=None)
    args = parser.parse_args()

    Options.log_path = args.log
    Options.reject_rcpt = args.reject_rcpt
    if args.auth:
        user, _, password = args.auth.partition(":")
        Options.auth = (user, password)
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        Options.tls_context = context
        Options.implicit_tls = args.implicit_tls

    server = Server(("127.0.0.1", args.port), Session)
    return serve_until_terminated(server, args.port_file)

if __name__ == "__main__":
    sys.exit(main())
