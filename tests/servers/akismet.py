"""A real HTTP server on 127.0.0.1 that speaks the Akismet REST API 1.1.

verify-key, comment-check (ham, spam, and spam with ``X-akismet-pro-tip:
discard``), submit-spam and submit-ham. It records every request it receives
and can be told to answer 500, to stall past the client's timeout, or to
refuse connections (stop listening, then listen again on the same port).

Verdicts follow Akismet's documented test triggers: the author name
``viagra-test-123`` or the address ``akismet-guaranteed-spam@example.com``
give spam, and ``user_role=administrator`` gives ham. Otherwise ``answer``
decides ("ham", "spam" or "discard"); ``answer_for`` sets it per content.
"""

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from tests.servers.smtp import free_port

SUBMITTED = "Thanks for making the web a better place."


@dataclass
class Request:
    path: str
    form: dict[str, str]
    headers: dict[str, str]

    @property
    def endpoint(self) -> str:
        return self.path.rstrip("/").rsplit("/", 1)[-1]


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeAkismet/1.1"

    def log_message(self, format, *args):  # keep test output quiet
        pass

    def do_GET(self):
        self._reply(404, "not found")

    def do_POST(self):
        peer: AkismetServer = self.server.peer
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        form = {key: values[-1] for key, values in parse_qs(body, keep_blank_values=True).items()}
        request = Request(self.path, form, dict(self.headers.items()))
        with peer.lock:
            peer.requests.append(request)
            mode, stall = peer.mode, peer.stall_seconds
        if mode == "stall":
            peer.release.wait(stall)
        if mode == "error":
            self._reply(500, "Internal Server Error")
            return
        self._answer(peer, request)

    def _answer(self, peer, request):
        endpoint = request.endpoint
        if not self.path.startswith("/1.1/"):
            self._reply(404, "not found")
            return
        if endpoint == "verify-key":
            valid = request.form.get("key") == peer.key and request.form.get("blog")
            self._reply(200, "valid" if valid else "invalid")
            return
        if request.form.get("api_key") != peer.key:
            self._reply(200, "invalid", {"X-akismet-debug-help": "Empty or invalid API key"})
            return
        if not request.form.get("user_ip") and endpoint in ("comment-check",):
            self._reply(
                200, "Missing required field: user_ip.", {"X-akismet-debug-help": "user_ip"}
            )
            return
        if endpoint == "comment-check":
            verdict = peer.verdict_for(request.form)
            if verdict == "discard":
                self._reply(200, "true", {"X-akismet-pro-tip": "discard"})
            else:
                self._reply(200, "true" if verdict == "spam" else "false")
            return
        if endpoint in ("submit-spam", "submit-ham"):
            self._reply(200, SUBMITTED)
            return
        self._reply(404, "not found")

    def _reply(self, status, text, headers=None):
        payload = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


class AkismetServer:
    def __init__(self, *, key: str = "test-akismet-key", port: int | None = None):
        self.key = key
        self.port = port or free_port()
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self.release = threading.Event()
        self.answer = "ham"
        self.answers: dict[str, str] = {}
        self.mode = "ok"
        self.stall_seconds = 0.0
        self._httpd = None
        self._thread = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        httpd = ThreadingHTTPServer(("127.0.0.1", self.port), _Handler)
        httpd.daemon_threads = True
        httpd.peer = self
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self.release.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
            self._thread.join(timeout=5)

    # --- What the tests tell it ------------------------------------------------

    def reset(self):
        with self.lock:
            self.requests.clear()
            self.answer = "ham"
            self.answers.clear()
            self.mode = "ok"
        self.release.set()
        self.release = threading.Event()
        if self._httpd is None:
            self.start()

    def answer_for(self, content_contains: str, verdict: str):
        """Answer ``verdict`` when the comment's text contains ``content_contains``."""
        self.answers[content_contains] = verdict

    def fail(self):
        """Answer every request with HTTP 500."""
        self.mode = "error"

    def stall(self, seconds: float = 5.0):
        """Hold every answer for ``seconds`` (longer than the client waits)."""
        self.mode, self.stall_seconds = "stall", seconds

    def refuse(self):
        """Stop listening: connections are refused until ``reset()``."""
        self.stop()

    def verdict_for(self, form: dict) -> str:
        if form.get("user_role") == "administrator":
            return "ham"
        if form.get("comment_author") == "viagra-test-123":
            return "spam"
        if form.get("comment_author_email") == "akismet-guaranteed-spam@example.com":
            return "spam"
        content = form.get("comment_content", "")
        for needle, verdict in self.answers.items():
            if needle in content:
                return verdict
        return self.answer

    # --- What the tests read ---------------------------------------------------

    def received(self, endpoint: str) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.endpoint == endpoint]

    def wait_for(self, endpoint: str, count: int = 1, timeout: float = 5.0) -> list[Request]:
        deadline = time.monotonic() + timeout
        while len(self.received(endpoint)) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.received(endpoint)
