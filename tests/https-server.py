#!/usr/bin/env python3
"""A small HTTPS server for stird's tests: x5u and CRL files from a directory.

  https-server.py --dir DIR --cert CERT.pem --key KEY.pem [--port 0]
                  [--bind 127.0.0.1] [--no-tls]

The first line on stdout is the port listened on (useful with --port 0).
Every request line is logged to stderr as "REQ <method> <path> <version>"
when it arrives (before any delay), so tests can count requests.

GET/HEAD /p serves DIR/p.  A JSON sidecar DIR/p.meta changes that:
  {"status": 404,                 status code (default 200, or 404 if no file)
   "headers": {"Cache-Control": "max-age=60"},   extra response headers
   "delay": 1.5,                  seconds to wait before answering
   "hang": true,                  never answer (the connection stays open)
   "raw": "text",                 send text as the whole response (no status
                                  line unless it has one), then close
   "redirect": "https://..."}     answer 302 (or "status") with Location
"""
import argparse
import http.server
import json
import os
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "stird-test-https"

    def log_message(self, fmt, *args):  # the REQ lines are enough
        pass

    def _serve(self, head):
        sys.stderr.write("REQ %s\n" % self.requestline)
        sys.stderr.flush()
        root = self.server.root
        path = urllib.parse.urlsplit(self.path).path
        rel = os.path.normpath(urllib.parse.unquote(path)).lstrip("/")
        full = os.path.join(root, rel)
        if rel.startswith("..") or not os.path.realpath(full).startswith(root):
            full = None
        meta = {}
        if full is not None and os.path.isfile(full + ".meta"):
            with open(full + ".meta", encoding="utf-8") as f:
                meta = json.load(f)
        if meta.get("hang"):
            while not self.server.stopping:
                time.sleep(0.2)
            return
        if meta.get("delay"):
            time.sleep(float(meta["delay"]))
        if "raw" in meta:
            self.wfile.write(meta["raw"].encode("utf-8"))
            self.wfile.flush()
            self.close_connection = True
            return
        body = b""
        status = 404
        if full is not None and os.path.isfile(full):
            with open(full, "rb") as f:
                body = f.read()
            status = 200
        else:
            body = b"not found\n"
        headers = dict(meta.get("headers", {}))
        if "redirect" in meta:
            status = 302
            headers["Location"] = meta["redirect"]
            body = b"moved\n"
        status = int(meta.get("status", status))
        self.send_response(status)
        headers.setdefault("Content-Type", "application/pem-certificate-chain"
                           if status == 200 else "text/plain")
        for k, v in headers.items():
            self.send_header(k, str(v))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def do_GET(self):
        self._serve(False)

    def do_HEAD(self):
        self._serve(True)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    stopping = False

    def handle_error(self, request, client_address):
        pass  # TLS handshake failures, resets: the client's business


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--no-tls", action="store_true", help="plain HTTP")
    a = ap.parse_args()
    if not a.no_tls and (a.cert is None or a.key is None):
        ap.error("--cert and --key are needed unless --no-tls")

    srv = Server((a.bind, a.port), Handler)
    srv.root = os.path.realpath(a.dir)
    if not a.no_tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
        # the handshake runs in the request's thread, not in accept()
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True,
                                     do_handshake_on_connect=False)
    print(srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.stopping = True


if __name__ == "__main__":
    main()
