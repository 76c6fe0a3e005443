"""The pages a subscriber reaches from the links in every email: preferences,
unsubscribe (a page, and RFC 8058 one-click), export and erase."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from subscriptions import services
from subscriptions.models import Delivery, Mailing, Subscriber
from tests.factories import SubscriberFactory
from tests.subscriptions.conftest import path

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader():
    reader = SubscriberFactory(email="ann@example.org", consent_ip="203.0.113.9")
    mailing = Mailing.objects.create(kind="post", subject="Low dose naltrexone")
    Delivery.objects.create(
        mailing=mailing, subscriber=reader, status="sent", sent_at=timezone.now()
    )
    return reader


def test_preferences_switch_to_the_weekly_digest(client, reader):
    url = path(services.preferences_url(reader))
    page = client.get(url)
    assert page.status_code == 200
    assert "ann@example.org" in page.text
    assert 'value="immediate"' in page.text and "checked" in page.text
    response = client.post(url, {"do": "save", "frequency": "weekly"}, follow=True)
    assert "Saved." in response.text
    reader.refresh_from_db()
    assert reader.frequency == Subscriber.Frequency.WEEKLY
    assert client.post(url, {"do": "save", "frequency": "hourly"}).status_code == 400


def test_preferences_link_in_old_emails_keeps_working(client, reader):
    url = path(services.preferences_url(reader))
    with time_machine.travel(timezone.now() + timedelta(days=800)):
        assert client.get(url).status_code == 200


def test_unsubscribe_page_asks_first_and_its_button_unsubscribes(client, reader):
    url = path(services.unsubscribe_url(reader))
    page = client.get(url)  # a mail scanner following the link changes nothing
    assert "Stop all emails" in page.text
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.CONFIRMED
    response = client.post(url, follow=True)
    assert "You are unsubscribed" in response.text
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.UNSUBSCRIBED
    assert reader.unsubscribed_at is not None
    # And back again from the preferences page.
    response = client.post(response.redirect_chain[-1][0], {"do": "resubscribe"}, follow=True)
    assert "subscribed again" in response.text
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.CONFIRMED
    assert reader.source == "Preferences page"


def test_one_click_unsubscribe_needs_no_login_cookie_or_csrf_token(reader):
    mail_client = Client(enforce_csrf_checks=True)
    url = path(services.unsubscribe_url(reader))
    response = mail_client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.UNSUBSCRIBED
    # A forged link does nothing.
    assert mail_client.post(url[:-3] + "xx/", {"List-Unsubscribe": "One-Click"}).status_code == 400


def test_export_gives_everything_stored(client, reader):
    response = client.post(path(services.preferences_url(reader)), {"do": "export"})
    assert response["Content-Disposition"] == 'attachment; filename="my-subscription.json"'
    data = json.loads(response.content)
    assert data["email"] == "ann@example.org"
    assert data["receives"] == "Every new post"
    assert data["consent"]["ip_address"] == "203.0.113.9"
    assert data["consent"]["source"] == "Sidebar form"
    assert data["consent"]["confirmed_at"]
    assert [e["subject"] for e in data["emails"]] == ["Low dose naltrexone"]
    assert data["emails"][0]["status"] == "Sent"


def test_erase_deletes_the_record_and_its_log(client, reader):
    preferences = path(services.preferences_url(reader))
    erase = preferences + "erase/"
    assert "cannot be undone" in client.get(erase).text
    assert Subscriber.objects.exists()  # not by a GET
    response = client.post(erase, follow=True)
    assert "Your data is deleted" in response.text
    assert not Subscriber.objects.exists()
    assert not Delivery.objects.exists()
    assert Mailing.objects.exists()  # the mailing itself (no personal data) stays
    assert client.get(preferences).status_code == 400
