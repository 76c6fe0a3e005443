"""The embedded default (`make run` without DATABASE_URL) must keep working:
migrate, load_demo and fetch the home page and the seed post on SQLite."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FETCH = """
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
from posts.models import Post
setup_test_environment()
client = Client()
post = Post.objects.get()
for url in ["/", post.get_absolute_url(), "/search/?q=naltrexone", "/2010/"]:
    response = client.get(url)
    print(url, response.status_code, post.title in response.content.decode())
"""


@pytest.mark.slow
def test_sqlite_migrate_load_demo_and_pages(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ldnsite.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "EMAIL_URL": "consolemail://",
    }

    def run(*args):
        return subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        ).stdout

    run("manage.py", "migrate", "--noinput")
    run("manage.py", "load_demo")
    run("manage.py", "load_demo")  # twice: idempotent
    lines = run("-c", FETCH).split("\n")
    results = {line.split()[0]: line.split()[1:] for line in lines if line.strip()}
    assert all(status == "200" for status, _ in results.values()), results
    assert all(found == "True" for _, found in results.values()), results
