"""/healthz: 200 when the database and the cache answer, 503 otherwise, to any
Host header (a load balancer probes by IP address)."""

import pytest
from django.db import connection

from tests.prod import free_port


@pytest.mark.django_db
def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_a_probe_by_ip_address_not_in_allowed_hosts(client, settings):
    settings.ALLOWED_HOSTS = ["pain.example.org"]
    settings.PAGE_CACHE_SECONDS = 300  # the page cache reads the host of other requests
    assert client.get("/", headers={"Host": "10.0.0.5:8000"}).status_code == 400
    response = client.get("/healthz", headers={"Host": "10.0.0.5:8000"})
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_healthz_503_when_the_cache_is_down(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"].startswith("error")
    assert response.json()["database"] == "ok"


@pytest.fixture
def database_unreachable():
    """The database connection pointed at a port where nothing listens, then
    put back (the test runs outside a transaction, so nothing is lost)."""
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.mark.django_db(transaction=True)
def test_healthz_503_when_the_database_is_unreachable(client, settings, database_unreachable):
    settings.ALLOWED_HOSTS = ["pain.example.org"]
    response = client.get("/healthz", headers={"Host": "10.0.0.5"})
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "error: OperationalError",
        "cache": "ok",
    }
