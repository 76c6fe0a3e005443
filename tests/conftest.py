import pytest
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver

from tests.factories import AuthorProfileFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    """The locmem cache (and this process's page fragments) outlive each
    test's database transaction."""
    from core import pagecache

    cache.clear()
    pagecache.clear_local()
    yield
    cache.clear()
    pagecache.clear_local()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def author(db):
    return AuthorProfileFactory(user__username="nsajben").user


@pytest.fixture
def staff_client(client, author):
    client.force_login(author)
    return client


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1, with Django's SMTP backend pointed at it."""
    from tests.servers.smtp import SMTPServer

    server = SMTPServer().start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 5},
        }
    }
    yield server
    server.stop()


@receiver(setting_changed)
def _reset_task_backends(*, setting, **kwargs):
    """Django does not rebuild its task backends when TASKS changes in a test."""
    if setting == "TASKS":
        from asgiref.local import Local
        from django.tasks import task_backends

        task_backends.__dict__.pop("settings", None)
        task_backends._settings = None
        task_backends._connections = Local(False)


@pytest.fixture
def database_tasks(settings):
    """The database task backend, for tests of scheduling (run_after), retries
    and crash recovery, which the immediate backend supports neither of.
    Run the queued work with ``run_worker()``."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


# --- Comments: the local Akismet server -----------------------------------------


@receiver(setting_changed)
def _reset_akismet_client(*, setting, **kwargs):
    """The Akismet client is kept for the process; rebuild it when its settings change."""
    if setting.startswith("AKISMET_"):
        from comments.akismet import reset_client

        reset_client()


@pytest.fixture(scope="session")
def _akismet_peer():
    from tests.servers.akismet import AkismetServer

    server = AkismetServer().start()
    yield server
    server.stop()


@pytest.fixture
def akismet_server(_akismet_peer, settings):
    """A real HTTP server speaking Akismet's API on 127.0.0.1, with the site's
    Akismet client pointed at it by configuration (AKISMET_API_URL)."""
    _akismet_peer.reset()
    settings.AKISMET_API_KEY = _akismet_peer.key
    settings.AKISMET_SITE_URL = "https://pain.example.org"
    settings.AKISMET_API_URL = _akismet_peer.url
    settings.AKISMET_TIMEOUT = 0.5
    yield _akismet_peer
    _akismet_peer.reset()


@pytest.fixture
def file_server():
    """A real HTTP server on 127.0.0.1 serving tests/importers/data/uploads as an
    old WordPress site's /wp-content/uploads/ (tests/servers/files.py)."""
    from pathlib import Path

    from tests.servers.files import FileServer

    root = Path(__file__).resolve().parent / "importers" / "data" / "uploads"
    with FileServer(root) as server:
        yield server


@pytest.fixture(scope="session")
def prod_static(tmp_path_factory):
    """Static files collected as in production (hashed names, a manifest)."""
    import subprocess
    import sys

    from tests.prod import ROOT, prod_env

    root = tmp_path_factory.mktemp("static")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=prod_env(DJANGO_STATIC_ROOT=str(root)),
        check=True,
    )
    return root
