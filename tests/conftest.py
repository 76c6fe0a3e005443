import pytest
from django.core.cache import cache

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
