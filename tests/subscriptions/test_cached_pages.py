"""The sidebar subscribe form sits on cached pages: no per-reader token, and
other sites cannot use it."""

import pytest
from django.test import Client

from subscriptions.models import Subscriber
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_sidebar_form_on_a_cached_page_works_without_a_token(settings, smtp_server):
    settings.PAGE_CACHE_SECONDS = 300
    PostFactory()
    reader = Client()
    reader.get("/")
    page = reader.get("/")
    assert page["X-Page-Cache"] == "hit"
    assert 'class="subscribe-form"' in page.text
    assert "csrfmiddlewaretoken" not in page.text

    response = Client().post(
        "/subscribe/",
        {"email": "reader@example.org", "frequency": "immediate"},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 302
    assert Subscriber.objects.filter(email="reader@example.org").exists()


@pytest.mark.parametrize(
    "headers", [{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}]
)
def test_another_site_cannot_subscribe_someone(headers):
    response = Client().post(
        "/subscribe/", {"email": "victim@example.org", "frequency": "immediate"}, headers=headers
    )
    assert response.status_code == 403
    assert not Subscriber.objects.exists()
