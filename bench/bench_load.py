"""Issue 7: a load run through gunicorn (prod settings) with wrk.

(a) the post page, cached; (b) the same page with the cache off; (c) a static
CSS file of the same size through the same gunicorn, as the ceiling; and (b)
again at 4 connections. Prints requests/s, p50/p99 latency and errors.
"""

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
DURATION = os.environ.get("BENCH_LOAD_SECONDS", "20")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url():
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _env(static_root, **extra):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DJANGO_SETTINGS_MODULE="ldnsite.settings.prod",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=_database_url(),
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7"),
        DJANGO_STATIC_ROOT=str(static_root),
        EMAIL_URL="smtp://127.0.0.1:1025",
        DJANGO_LOG_LEVEL="WARNING",
        **extra,
    )
    return env


class Gunicorn:
    def __init__(self, static_root, **env):
        self.port = _free_port()
        self.env = _env(static_root, **env)

    def __enter__(self):
        workers = str(int(os.environ.get("BENCH_GUNICORN_WORKERS", (os.cpu_count() or 1) * 2)))
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "ldnsite.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                workers,
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2)
                return self
            except OSError:
                time.sleep(0.3)
        self.process.kill()
        raise SystemExit("gunicorn did not answer /healthz within 30 s")

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"


def _wrk(url, connections):
    """A measured run, after a short one that warms every worker up (each
    compiles its templates, connects to the database, fills its caches)."""
    _run_wrk(url, connections, "3")
    return _run_wrk(url, connections, DURATION)


def _run_wrk(url, connections, duration):
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{DURATION}s",
            "--latency",
            "-H",
            "X-Forwarded-Proto: https",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def latency(label):
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    requests = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(non_2xx.group(1)) if non_2xx else 0
    return {"rps": requests, "p50": latency("50"), "p99": latency("99"), "errors": errors}


def _print(label, result):
    print(
        f"{label:<52} {result['rps']:9.1f} req/s   p50 {result['p50']:7.2f} ms   "
        f"p99 {result['p99']:7.2f} ms   errors {result['errors']}"
    )


def post_page_path():
    """The page the load run reads: the seed post (its body, 12 references with
    their files) with 20 comments (its 15, plus 5 more)."""
    from comments.models import Comment
    from posts.demo import SEED_SLUG
    from posts.models import Post
    from tests.factories import make_comment

    post = Post.objects.get(slug=SEED_SLUG)
    for n in range(20 - Comment.objects.published().filter(post=post).count()):
        make_comment(post, user_name=f"Load reader {n}", comment="Thank you, this helped.")
    return post.get_absolute_url()


def run(bench):
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (make bench installs it: apt-get install -y wrk)")
    path = post_page_path()
    response = Client().get(path, secure=True)
    page_size = len(response.content)
    assert "20 Responses" in response.text, "the load run reads a post with 20 comments"
    with tempfile.TemporaryDirectory() as static_root:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=_env(static_root),
            check=True,
        )
        # The ceiling: a static file as large as the page, through the same server.
        (Path(static_root) / "bench-ceiling.css").write_text(
            "/*" + "x" * max(page_size - 4, 0) + "*/"
        )
        with Gunicorn(static_root) as cached:
            urllib.request.urlopen(
                urllib.request.Request(cached.url(path), headers={"X-Forwarded-Proto": "https"})
            )
            a = _wrk(cached.url(path), 32)
            _print(f"(a) post page, cached, 32 conn ({page_size // 1024} KB)", a)
            c = _wrk(cached.url("/static/bench-ceiling.css"), 32)
            _print("(c) static CSS of the same size, 32 conn", c)
        with Gunicorn(static_root, PAGE_CACHE_SECONDS="0") as uncached:
            b = _wrk(uncached.url(path), 32)
            _print("(b) post page, cache off, 32 conn", b)
            b4 = _wrk(uncached.url(path), 4)
            _print("(b) post page, cache off, 4 conn", b4)
    print(f"{'ratio a/c':<52} {a['rps'] / c['rps']:.2f}   (target >= 0.5)")
    print(f"{'ratio b/c':<52} {b['rps'] / c['rps']:.2f}")
    print(f"{'(b) at 4 connections, p99':<52} {b4['p99']:.1f} ms   (target < 100 ms)")
