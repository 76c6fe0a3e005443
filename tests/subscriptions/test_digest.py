"""The weekly digest: a task that sends the week's posts to digest readers
and schedules its own next run (no cron), through the real database worker."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from posts import services as post_services
from subscriptions import mailings
from subscriptions.models import DigestSchedule, Mailing, Subscriber
from tests.factories import PostFactory, PostUpdateFactory, SubscriberFactory
from tests.helpers import run_worker

pytestmark = pytest.mark.django_db(transaction=True)

LA = ZoneInfo("America/Los_Angeles")
WEDNESDAY = datetime(2030, 5, 1, 12, 0, tzinfo=LA)
MONDAY = datetime(2030, 5, 6, 8, 0, tzinfo=LA)


def _digest_tasks():
    return DBTaskResult.objects.filter(
        task_path="subscriptions.tasks.send_weekly_digest", status="READY"
    )


def test_weekly_digest_goes_to_digest_readers_and_schedules_the_next_one(
    database_tasks, smtp_server
):
    with time_machine.travel(WEDNESDAY):
        SubscriberFactory(email="ann@example.org")
        SubscriberFactory(email="wes@example.org", frequency="weekly")
        stale = SubscriberFactory(email="never@example.org", status="pending")
        Subscriber.objects.filter(pk=stale.pk).update(created_at=WEDNESDAY - timedelta(days=31))
        first = PostFactory(
            title="Low dose naltrexone", excerpt="LDN and the glia.", published_at=timezone.now()
        )
        post_services.post_saved(post=first)
        run_worker()
    assert [m.rcpt_tos for m in smtp_server.received] == [["ann@example.org"]]
    assert DigestSchedule.objects.get().next_run_at == MONDAY
    assert _digest_tasks().get().run_after == MONDAY

    with time_machine.travel(WEDNESDAY + timedelta(days=1)):
        second = PostFactory(
            title="Dextromethorphan", excerpt="DXM for CRPS.", published_at=timezone.now()
        )
        post_services.post_saved(post=second)
        update = PostUpdateFactory(post=first, text="<p>A case report.</p>")
        mailings.start_update_mailing(update)  # as the admin action does
        run_worker()
    assert [m.subject for m in smtp_server.to("ann@example.org")][1:] == [
        "New post: Dextromethorphan",
        "Update: Low dose naltrexone",
    ]
    smtp_server.clear()

    with time_machine.travel(MONDAY + timedelta(minutes=1)):
        run_worker()
    [digest] = smtp_server.wait_for(1)
    assert digest.rcpt_tos == ["wes@example.org"]
    assert digest.subject == "Pain Management: 2 new posts this week"
    for text in (digest.text, digest.html):
        assert text.index("Low dose naltrexone") < text.index("Dextromethorphan")
        assert "DXM for CRPS." in text
        assert first.get_absolute_url() in text
    assert "Updates" in digest.html
    assert f"{update.get_absolute_url()}" in digest.text  # digest readers see the update too
    assert digest.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert "weekly digest" in digest.text
    assert not Subscriber.objects.filter(pk=stale.pk).exists()  # housekeeping, no cron
    next_monday = MONDAY + timedelta(days=7)
    assert _digest_tasks().get().run_after == next_monday

    # A quiet week sends nothing, and the chain goes on.
    smtp_server.clear()
    with time_machine.travel(next_monday + timedelta(minutes=1)):
        run_worker()
    assert smtp_server.received == []
    assert _digest_tasks().get().run_after == next_monday + timedelta(days=7)
    assert Mailing.objects.filter(kind="digest").count() == 1


def test_a_broken_chain_is_restarted_and_a_stale_duplicate_does_nothing(database_tasks):
    with time_machine.travel(WEDNESDAY):
        DigestSchedule.objects.create(pk=1, next_run_at=WEDNESDAY - timedelta(days=3))
        schedule = mailings.ensure_digest_scheduled()
        assert schedule.next_run_at == MONDAY
        assert _digest_tasks().count() == 1
        assert mailings.ensure_digest_scheduled().next_run_at == MONDAY  # alive: unchanged
        assert _digest_tasks().count() == 1
        assert mailings.run_digest(period_end=(MONDAY - timedelta(days=7)).isoformat()) is None
    assert DigestSchedule.objects.get().next_run_at == MONDAY


def test_next_digest_time_keeps_the_local_hour_across_daylight_saving():
    # The clocks change on Sunday, November 3, 2030 in Los Angeles.
    after = datetime(2030, 11, 1, 9, 0, tzinfo=LA)
    assert mailings.next_digest_time(after) == datetime(2030, 11, 4, 8, 0, tzinfo=LA)
    assert timezone.localtime(mailings.next_digest_time(after)).hour == 8
