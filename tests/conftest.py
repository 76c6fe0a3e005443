import pytest
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver

from tests.factories import AuthorProfileFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    """The locmem cache outlives each test's database transaction."""
    cache.clear()
    yield
    cache.clear()


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


@pytest.fixture
def file_server():
    """A real HTTP server on 127.0.0.1 serving tests/importers/data/uploads as an
    old WordPress site's /wp-content/uploads/ (tests/servers/files.py)."""
    from pathlib import Path

    from tests.servers.files import FileServer

    root = Path(__file__).resolve().parent / "importers" / "data" / "uploads"
    with FileServer(root) as server:
        yield server
