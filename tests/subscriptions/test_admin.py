"""The author's side: subscribers with status, confirmation date and source,
counts on the admin index, CSV export, hard bounces, and the mailing log."""

import csv
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from subscriptions import mailings
from subscriptions.models import Delivery, Mailing, Subscriber
from tests.factories import PostFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return [
        SubscriberFactory(email="ann@example.org", source="Sidebar form on /about/"),
        SubscriberFactory(email="wes@example.org", frequency="weekly"),
        SubscriberFactory(email="pat@example.org", status="pending", confirmed_at=None),
        SubscriberFactory(email="una@example.org", status="unsubscribed"),
    ]


def _post_mailing(post):
    mailing = mailings.start_post_mailing(
        post_id=post.pk, published_at=post.published_at.isoformat()
    )
    mailings.send(mailing_id=mailing.pk)
    return mailing


def test_admin_index_shows_the_counts(staff_client, people):
    _post_mailing(PostFactory(title="Low dose naltrexone", published_at=timezone.now()))
    text = " ".join(staff_client.get(reverse("admin:index")).text.split())
    assert "<strong>2</strong> (1 every new post, 1 weekly digest)" in text
    assert "Waiting for confirmation</th><td>1</td>" in text
    assert "Low dose naltrexone</a>" in text and "1 sent" in text


def test_subscriber_list_shows_status_confirmation_and_source(staff_client, people):
    url = reverse("admin:subscriptions_subscriber_changelist")
    text = staff_client.get(url).text
    assert "Sidebar form on /about/" in text
    assert "Waiting for confirmation" in text
    pending = staff_client.get(url, {"status__exact": "pending"}).context["cl"].result_list
    assert [s.email for s in pending] == ["pat@example.org"]
    change = staff_client.get(reverse("admin:subscriptions_subscriber_change", args=[people[0].pk]))
    assert "Consent record" in change.text and "0 sent, 0 failed" in change.text


def test_csv_export_and_record_export(staff_client, people):
    url = reverse("admin:subscriptions_subscriber_changelist")
    selected = [s.pk for s in people]
    response = staff_client.post(url, {"action": "export_csv", "_selected_action": selected})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["email"] for row in rows] == [s.email for s in people]
    assert rows[0]["status"] == "confirmed" and rows[0]["receives"] == "immediate"
    assert rows[0]["source"] == "Sidebar form on /about/"
    assert rows[0]["confirmed"].startswith(str(people[0].confirmed_at.year))
    assert rows[2]["confirmed"] == ""

    response = staff_client.post(
        url, {"action": "export_records", "_selected_action": [people[0].pk]}
    )
    [record] = json.loads(response.content)
    assert record["email"] == "ann@example.org" and "consent" in record


def test_hard_bounce_stops_mailings_and_the_mailing_log_shows_each_recipient(staff_client, people):
    changelist = reverse("admin:subscriptions_subscriber_changelist")
    staff_client.post(changelist, {"action": "mark_bounced", "_selected_action": [people[1].pk]})
    people[1].refresh_from_db()
    assert people[1].status == Subscriber.Status.BOUNCED
    assert people[1].bounced_at is not None

    post = PostFactory(title="Dextromethorphan", published_at=timezone.now())
    mailing = _post_mailing(post)
    assert list(mailing.deliveries.values_list("subscriber__email", flat=True)) == [
        "ann@example.org"
    ]

    log = staff_client.get(reverse("admin:subscriptions_mailing_changelist"), {"q": "Dextro"})
    assert [m.pk for m in log.context["cl"].result_list] == [mailing.pk]
    detail = staff_client.get(reverse("admin:subscriptions_mailing_change", args=[mailing.pk]))
    assert "Recipients: 1 · sent 1 · failed 0" in detail.text
    deliveries = staff_client.get(
        reverse("admin:subscriptions_delivery_changelist"), {"mailing__id__exact": mailing.pk}
    )
    assert [str(d) for d in deliveries.context["cl"].result_list] == ["ann@example.org · Sent"]
    # A log is read, not written.
    assert staff_client.get(reverse("admin:subscriptions_mailing_add")).status_code == 403


def test_bounce_marked_from_the_delivery_log_keeps_the_reason(staff_client, people):
    mailing = Mailing.objects.create(kind="post", subject="LDN")
    delivery = Delivery.objects.create(
        mailing=mailing, subscriber=people[0], status="failed", reason="550 5.1.1 No such user"
    )
    staff_client.post(
        reverse("admin:subscriptions_delivery_changelist"),
        {"action": "mark_bounced", "_selected_action": [delivery.pk]},
    )
    people[0].refresh_from_db()
    assert people[0].status == Subscriber.Status.BOUNCED
    assert people[0].bounce_reason == "550 5.1.1 No such user"


def test_deploy_check_wants_an_https_site_url(settings):
    from django.core.checks import run_checks

    settings.SITE_URL = "http://pain.example.org"
    assert "subscriptions.W001" in [m.id for m in run_checks(include_deployment_checks=True)]
    settings.SITE_URL = "https://pain.example.org"
    assert "subscriptions.W001" not in [m.id for m in run_checks(include_deployment_checks=True)]
