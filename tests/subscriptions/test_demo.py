"""`load_demo` adds two made-up subscribers, says what is stored on the
privacy page, and mails nobody about the 2010 seed post; twice is once."""

from io import StringIO

import pytest
from django.core.management import call_command

from subscriptions.models import Mailing, Subscriber

pytestmark = pytest.mark.django_db


def test_demo_subscribers_and_privacy_page(client, mailoutbox):
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    assert sorted(Subscriber.objects.values_list("email", "frequency")) == [
        ("reader@example.com", "immediate"),
        ("weekly.reader@example.com", "weekly"),
    ]
    assert all(s.is_active and s.confirmed_at for s in Subscriber.objects.all())
    assert not Mailing.objects.exists()
    assert mailoutbox == []
    privacy = client.get("/privacy/").text
    assert "Email subscriptions" in privacy
    assert "from which form and from which IP address" in privacy
    assert "delete it" in privacy
