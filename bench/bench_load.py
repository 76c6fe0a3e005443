"""Issue 7: a load run through gunicorn (prod settings, deploy/gunicorn.conf.py)
with wrk.

(a) the post page from the page cache (checked: it answers X-Page-Cache: hit);
(c) a static CSS file of the same size through the same gunicorn, as the
ceiling; (b) the same page with the page cache off but the per-process
fragments (settings, sidebar, menu, reference list) on, as a restarted cache
would see it; and (b0) with the page cache and the fragments off, every part
rendered and queried on every request (the settings rows stay in Redis through
django-solo's cache, which has no switch). (b) and (b0) run at 32 and at 4
connections. Prints requests/s, p50/p99 latency and errors.
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
    """gunicorn as production runs it: deploy/gunicorn.conf.py (its worker
    count, one per core, unless WEB_CONCURRENCY says otherwise)."""

    def __init__(self, static_root, **env):
        self.port = _free_port()
        self.env = _env(
            static_root,
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            GUNICORN_ACCESS_LOG="0",
            GUNICORN_LOG_LEVEL="warning",
            **env,
        )

    def __enter__(self):
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "ldnsite.wsgi:application",
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

    def page_cache_header(self, path):
        request = urllib.request.Request(self.url(path), headers={"X-Forwarded-Proto": "https"})
        with urllib.request.urlopen(request) as response:
            return response.headers.get("X-Page-Cache")


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
            f"-d{duration}s",
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
            served = [cached.page_cache_header(path) for _ in range(3)]
            if served[-1] != "hit":
                raise SystemExit(f"(a) must read the page from the cache; X-Page-Cache: {served}")
            a = _wrk(cached.url(path), 32)
            after = cached.page_cache_header(path)
            if after != "hit":
                raise SystemExit(f"the page was invalidated during (a): X-Page-Cache: {after}")
            _print(f"(a) post page, page cache hit, 32 conn ({page_size // 1024} KB)", a)
            print(f"{'    X-Page-Cache before and after (a)':<52} {served[-1]}, {after}")
            c = _wrk(cached.url("/static/bench-ceiling.css"), 32)
            _print("(c) static CSS of the same size, 32 conn", c)
        with Gunicorn(static_root, PAGE_CACHE_SECONDS="0") as uncached:
            assert uncached.page_cache_header(path) is None
            b = _wrk(uncached.url(path), 32)
            _print("(b) page cache off, fragments on, 32 conn", b)
            b4 = _wrk(uncached.url(path), 4)
            _print("(b) page cache off, fragments on, 4 conn", b4)
        with Gunicorn(static_root, PAGE_CACHE_SECONDS="0", FRAGMENT_CACHE_SECONDS="0") as bare:
            assert bare.page_cache_header(path) is None
            b0 = _wrk(bare.url(path), 32)
            _print("(b0) page cache off, fragments off, 32 conn", b0)
            b04 = _wrk(bare.url(path), 4)
            _print("(b0) page cache off, fragments off, 4 conn", b04)
    print(f"{'ratio a/c':<52} {a['rps'] / c['rps']:.2f}   (target >= 0.5)")
    print(f"{'ratio b/c (fragments on)':<52} {b['rps'] / c['rps']:.2f}")
    print(f"{'ratio b0/c (fragments off)':<52} {b0['rps'] / c['rps']:.2f}")
    for label, result in [("(b)", b4), ("(b0)", b04)]:
        print(f"{label + ' at 4 connections, p99':<52} {result['p99']:.1f} ms   (target < 100 ms)")
    workers = os.environ.get("WEB_CONCURRENCY") or len(os.sched_getaffinity(0))
    print(f"{'gunicorn workers (deploy/gunicorn.conf.py)':<52} {workers}")
