"""`manage.py check_database`, which `make test` and `make bench` run first."""

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def _check_database(database_url, *arguments):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "ldnsite.settings.test",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check_database", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _server_url(name):
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{name}"


def test_a_server_that_does_not_answer_stops_with_how_to_start_one():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    result = _check_database(f"postgres://postgres@127.0.0.1:{closed_port}/ldnsite")
    assert result.returncode != 0
    assert f"PostgreSQL is not reachable at 127.0.0.1:{closed_port}" in result.stderr
    assert "pg_ctlcluster --skip-systemctl-redirect" in result.stderr
    assert "never fall back to SQLite" in result.stderr


def test_create_makes_the_missing_database_once(django_db_blocker):
    name = f"ldnsite_check_{uuid.uuid4().hex[:8]}"
    try:
        first = _check_database(_server_url(name), "--create")
        assert first.returncode == 0, first.stderr
        assert f"Created the database {name}." in first.stdout
        again = _check_database(_server_url(name), "--create")
        assert again.returncode == 0, again.stderr
        assert "Created" not in again.stdout
        assert "postgresql answers at" in again.stdout
    finally:
        with django_db_blocker.unblock():
            from django.db import connection

            with connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
