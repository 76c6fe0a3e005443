"""Moving in: a WordPress / Jetpack subscriber CSV, through the admin and
the management command, with original dates kept and every row accounted for."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.html import strip_tags

from subscriptions.models import Subscriber
from tests.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")

JETPACK_CSV = (
    "email_address,subscribed_date,status\r\n"
    "Loretta@Example.com,2011-03-04 10:12:00,Subscribed\r\n"
    "jenny@example.org,03/05/2012,subscribed\r\n"
    "not-an-email,2012-01-01,subscribed\r\n"
    "jenny@EXAMPLE.org,2012-01-01,subscribed\r\n"
    "known@example.org,2010-01-01,subscribed\r\n"
    "pat@example.org,2013-01-01,Not confirmed\r\n"
    "dave@example.org,,subscribed\r\n"
    "\r\n"
).encode("utf-8-sig")


def test_admin_imports_a_jetpack_export_with_a_report(staff_client):
    known = SubscriberFactory(email="known@example.org", status="unsubscribed")
    url = reverse("admin:subscriptions_subscriber_import")
    assert (
        "Import from CSV"
        in staff_client.get(reverse("admin:subscriptions_subscriber_changelist")).text
    )

    def upload(dry_run):
        data = {"file": SimpleUploadedFile("subscribers.csv", JETPACK_CSV, "text/csv")}
        return staff_client.post(url, {**data, **({"dry_run": "on"} if dry_run else {})})

    check = upload(dry_run=True)
    assert "3 subscribers would be imported" in plain(check.text)
    assert Subscriber.objects.count() == 1

    response = upload(dry_run=False)
    text = plain(response.text)
    assert "3 subscribers imported" in text
    assert "4 rows not imported" in text
    report = response.context["report"]
    assert [line for line, *_ in report.invalid] == [4]
    assert [(line, reason) for line, _email, reason in report.duplicates] == [
        (5, "already on line 3 of this file"),
        (6, "already on the list here (left unchanged)"),
    ]
    assert [line for line, *_ in report.skipped] == [7]
    assert [(line, reason) for line, _email, reason in report.warnings] == [
        (8, "no date: the import date is used")
    ]

    loretta = Subscriber.objects.get(email="Loretta@example.com")
    assert loretta.status == Subscriber.Status.CONFIRMED
    assert loretta.confirmed_at == datetime(2011, 3, 4, 10, 12, tzinfo=LA)
    assert loretta.consent_at == loretta.confirmed_at
    assert loretta.source == "Imported from subscribers.csv"
    jenny = Subscriber.objects.get(email="jenny@example.org")
    assert timezone_date(jenny.confirmed_at) == (2012, 3, 5)
    known.refresh_from_db()
    assert known.status == "unsubscribed"  # someone who left is never re-added
    assert not Subscriber.objects.filter(email="pat@example.org").exists()


def plain(html):
    return " ".join(strip_tags(html).split())


def timezone_date(value):
    local = value.astimezone(LA)
    return (local.year, local.month, local.day)


def test_command_imports_a_plain_list_and_refuses_a_file_without_addresses(tmp_path):
    plain = tmp_path / "list.csv"
    plain.write_text("ann@example.org;2010-04-01\nbob@example.org;April 12, 2010\n")
    out = StringIO()
    call_command("import_subscribers", str(plain), "--source", "Old blog", stdout=out)
    assert "Imported 2 subscribers; 0 rows not imported." in out.getvalue()
    bob = Subscriber.objects.get(email="bob@example.org")
    assert bob.source == "Old blog"
    assert timezone_date(bob.confirmed_at) == (2010, 4, 12)

    names = tmp_path / "names.csv"
    names.write_text("name,joined\nBob,2010-01-01\n")
    with pytest.raises(CommandError, match="no column of email addresses"):
        call_command("import_subscribers", str(names), stdout=StringIO())
