"""Subscribing: the form, double opt-in by a link that expires, no
enumeration, and the bots kept out. Emails are read from a real SMTP server."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from subscriptions.models import Subscriber
from tests.factories import SubscriberFactory
from tests.subscriptions.conftest import SITE, link_to, path

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribe(client, django_capture_on_commit_callbacks):
    def post(email="jenny@example.org", frequency="immediate", ip="203.0.113.9", **extra):
        data = {"email": email, "frequency": frequency, "form": "sidebar", "page": "/about/"}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/subscribe/", {**data, **extra}, REMOTE_ADDR=ip)

    return post


def test_subscribe_confirm_by_post_only(client, subscribe, smtp_server):
    response = subscribe()
    assert response.status_code == 302
    assert response["Location"] == "/subscribe/check-your-email/"
    assert "Check your email" in client.get(response["Location"]).text

    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.source == "Sidebar form on /about/"
    assert subscriber.consent_ip == "203.0.113.9"
    assert subscriber.consent_at is not None

    [email] = smtp_server.wait_for(1)
    assert email.rcpt_tos == ["jenny@example.org"]
    assert email.subject == "Confirm your subscription to Pain Management"
    assert email.header("Auto-Submitted") == "auto-generated"
    assert email.header("List-Unsubscribe") is None  # not subscribed to anything yet
    assert "every new post" in email.text
    url = link_to(email.text, "/subscribe/confirm/")
    assert url.startswith(f"{SITE}/subscribe/confirm/")
    assert f'href="{url}"' in email.html

    # A link scanner (or a curious GET) changes nothing.
    page = client.get(path(url))
    assert page.status_code == 200
    assert "Yes, subscribe me" in page.text
    assert "jenny@example.org" in page.text
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING

    # The page's button does.
    response = client.post(path(url), follow=True)
    assert response.status_code == 200
    assert "you are subscribed" in response.text
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert subscriber.confirmed_at is not None
    assert subscriber.frequency == Subscriber.Frequency.IMMEDIATE


def test_confirmation_link_expires_after_seven_days(client, subscribe, smtp_server):
    subscribe()
    url = path(link_to(smtp_server.wait_for(1)[0].text, "/subscribe/confirm/"))
    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        assert client.get(url).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        response = client.get(url)
        assert response.status_code == 410
        assert "This link has expired" in response.text
        assert client.post(url).status_code == 410
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_tampered_link_is_refused(client, subscribe, smtp_server):
    subscribe()
    url = path(link_to(smtp_server.wait_for(1)[0].text, "/subscribe/confirm/"))
    response = client.post(url.replace("/confirm/", "/confirm/x"))
    assert response.status_code == 400
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_resubscribing_reveals_nothing_and_changes_nothing_until_confirmed(
    client, subscribe, smtp_server
):
    known = SubscriberFactory(email="known@example.org", frequency="immediate")
    confirmed_at = known.confirmed_at
    answers = [
        subscribe(email=email, frequency="weekly")
        for email in ("new@example.org", "Known@Example.ORG")
    ]
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0]["Location"] == answers[1]["Location"]

    received = smtp_server.wait_for(2)
    assert sorted(m.rcpt_tos[0] for m in received) == ["known@example.org", "new@example.org"]
    known.refresh_from_db()
    assert (known.frequency, known.confirmed_at) == ("immediate", confirmed_at)
    assert Subscriber.objects.count() == 2

    # The owner confirms: now the new choice applies.
    email = smtp_server.to("known@example.org")[0]
    client.post(path(link_to(email.text, "/subscribe/confirm/")))
    known.refresh_from_db()
    assert known.frequency == "weekly"
    assert known.confirmed_at > confirmed_at


def test_unsubscribed_address_can_subscribe_again_by_confirming(client, subscribe, smtp_server):
    left = SubscriberFactory(email="left@example.org", status="unsubscribed")
    subscribe(email="left@example.org")
    left.refresh_from_db()
    assert left.status == "unsubscribed"
    client.post(path(link_to(smtp_server.wait_for(1)[0].text, "/subscribe/confirm/")))
    left.refresh_from_db()
    assert left.status == "confirmed"
    assert left.unsubscribed_at is None


def test_honeypot_catches_bots_silently(client, subscribe, smtp_server):
    response = subscribe(website="http://cheap-pills.example")
    assert response.status_code == 302
    assert response["Location"] == "/subscribe/check-your-email/"
    assert not Subscriber.objects.exists()
    assert smtp_server.received == []


def test_rate_limit_per_ip(client, subscribe, smtp_server, settings):
    settings.SUBSCRIPTIONS_RATE_LIMIT = 2
    assert subscribe(email="a@example.org").status_code == 302
    assert subscribe(email="b@example.org").status_code == 302
    response = subscribe(email="c@example.org")
    assert response.status_code == 429
    assert "too many subscription requests" in response.text
    assert subscribe(email="d@example.org", ip="198.51.100.7").status_code == 302
    assert set(Subscriber.objects.values_list("email", flat=True)) == {
        "a@example.org",
        "b@example.org",
        "d@example.org",
    }


def test_one_inbox_gets_at_most_three_confirmations_a_day(subscribe, smtp_server):
    for i in range(5):
        assert subscribe(ip=f"198.51.100.{i}").status_code == 302
    assert len(smtp_server.wait_for(3)) == 3
    assert len(smtp_server.received) == 3


def test_bad_address_gets_a_clear_message_and_keeps_the_input(client, subscribe):
    response = subscribe(email="jenny at example")
    assert response.status_code == 200
    assert "does not look like an email address" in response.text
    assert 'value="jenny at example"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert not Subscriber.objects.exists()


def test_the_subscribe_page_and_the_sidebar_form(client):
    page = client.get("/subscribe/")
    assert page.status_code == 200
    assert page.text.count('name="email"') == 1  # the sidebar form steps aside here
    assert "/feed/" in page.text
    home = client.get("/")
    sidebar = home.text.split('class="sidebar"')[1]
    assert 'action="/subscribe/"' in sidebar
    assert 'value="sidebar"' in sidebar
    assert "Every new post" in sidebar and "A weekly digest" in sidebar


def test_admin_adds_someone_who_asked_by_email(
    staff_client, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:subscriptions_subscriber_add"),
            {"email": "LorettaCT3@example.com", "frequency": "immediate"},
        )
    assert response.status_code == 302
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.source == "Added by nsajben in the writing desk"
    [email] = smtp_server.wait_for(1)
    assert email.rcpt_tos == ["LorettaCT3@example.com"]
    response = staff_client.post(
        reverse("admin:subscriptions_subscriber_add"),
        {"email": "lorettact3@EXAMPLE.com", "frequency": "weekly"},
    )
    assert response.status_code == 200
    assert "already on the list" in response.text
