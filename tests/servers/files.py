"""A small HTTP file server on 127.0.0.1, standing in for an old WordPress
site's wp-content/uploads: serves a folder, records every request, and has a
few misbehaving addresses (redirects, a slow answer, an endless body, a body
trickled a byte at a time, and an answer held until the test releases it).

    with FileServer(root) as server:
        server.url("/wp-content/uploads/2010/06/a.pdf")
"""

import mimetypes
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that gave up (timeout, size limit) is expected here


class FileServer:
    def __init__(self, root, *, prefix="/wp-content/uploads/"):
        self.root = Path(root).resolve()
        self.prefix = prefix
        self.requests = []
        # /hold/...: ``holding`` is set when the request arrives, and the answer
        # waits for the test to set ``release`` (the import is paused mid-way).
        self.holding = threading.Event()
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                server.requests.append(parts.path)
                query = parse_qs(parts.query)
                if parts.path.startswith("/redirect/"):
                    self.send_response(302)
                    self.send_header("Location", query["to"][0])
                    self.end_headers()
                elif parts.path.startswith("/slow/"):
                    time.sleep(float(query.get("seconds", ["2"])[0]))
                    self.answer(b"late", "application/pdf")
                elif parts.path.startswith("/endless/"):
                    # No Content-Length: only the reader's own count can stop it.
                    self.send_response(200)
                    self.send_header("Content-Type", "application/pdf")
                    self.end_headers()
                    try:
                        for _ in range(1000):
                            self.wfile.write(b"%PDF" + b"x" * 1020)
                    except OSError:
                        pass
                elif parts.path.startswith("/hold/"):
                    server.holding.set()
                    server.release.wait(timeout=120)
                    self.answer(b"%PDF-1.4 held back", "application/pdf")
                elif parts.path.startswith("/trickle/"):
                    # A byte at a time, each well within a read timeout: only a
                    # deadline for the whole download stops it.
                    size = int(query.get("bytes", ["200"])[0])
                    every = float(query.get("every", ["0.05"])[0])
                    self.send_response(200)
                    self.send_header("Content-Type", "application/pdf")
                    self.send_header("Content-Length", str(size))
                    self.end_headers()
                    try:
                        for _ in range(size):
                            self.wfile.write(b"x")
                            self.wfile.flush()
                            time.sleep(every)
                    except OSError:
                        pass  # the client gave up
                else:
                    self.serve_file(parts.path)

            def serve_file(self, path):
                if not path.startswith(server.prefix):
                    return self.send_error(404)
                file = (server.root / unquote(path[len(server.prefix) :])).resolve()
                if not file.is_relative_to(server.root) or not file.is_file():
                    return self.send_error(404)
                content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                self.answer(file.read_bytes(), content_type)

            def answer(self, body, content_type):
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def host(self):
        return f"127.0.0.1:{self.port}"

    def url(self, path):
        return f"http://{self.host}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
