"""Running the site as in production, for tests: the prod settings in a
subprocess (gunicorn, the worker, management commands)."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def prod_env(**extra):
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {
        **base,
        "DJANGO_SETTINGS_MODULE": "ldnsite.settings.prod",
        "DJANGO_SECRET_KEY": "x" * 64 + "-a-long-random-production-secret",
        "DJANGO_ALLOWED_HOSTS": "pain.example.org",
        "SITE_URL": "https://pain.example.org",
        "EMAIL_URL": "smtp://127.0.0.1:2525",
        "AKISMET_API_KEY": "0123456789ab",
        **extra,
    }


def database_url_of_this_test_run():
    """The URL of the database this test run uses (for subprocesses)."""
    from django.db import connection

    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Process:
    """A long-running subprocess, stopped with SIGTERM and checked to exit cleanly."""

    def __init__(self, args, env):
        self.popen = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )

    def stop(self, timeout=30):
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
            raise
        return self.popen.returncode, self.popen.stdout.read()


def start_gunicorn(env, *, port=None):
    port = port or free_port()
    process = Process(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "ldnsite.wsgi:application",
            "-c",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        {**env, "GUNICORN_ACCESS_LOG": "0"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        if process.popen.poll() is not None:
            break
        time.sleep(0.3)
    code, output = process.stop()
    raise RuntimeError(f"gunicorn did not start (exit {code}):\n{output}")
