"""New-post and update mailings, received by a real SMTP server: who gets
them, what they say, their headers and links, once per post, at the post's
time, with a record per recipient and retries of temporary failures."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from posts import services as post_services
from posts.models import Post
from subscriptions.models import Delivery, Mailing, Subscriber
from tests.factories import PostFactory, PostUpdateFactory, SubscriberFactory
from tests.helpers import run_worker
from tests.subscriptions.conftest import SITE, link_to, path


@pytest.fixture
def readers(db):
    return {
        "immediate": SubscriberFactory(email="ann@example.org"),
        "weekly": SubscriberFactory(email="wes@example.org", frequency="weekly"),
        "pending": SubscriberFactory(email="pat@example.org", status="pending"),
        "unsubscribed": SubscriberFactory(email="una@example.org", status="unsubscribed"),
        "bounced": SubscriberFactory(email="bob@example.org", status="bounced"),
    }


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """Save a post as the admin does (posts.services.post_saved after commit)."""

    def save(post):
        with django_capture_on_commit_callbacks(execute=True):
            post_services.post_saved(post=post)
        return post

    return save


def _new_post(**kwargs):
    defaults = {
        "title": "Dextromethorphan for CRPS",
        "excerpt": "Dextromethorphan calms the microglia.",
        "body": '<p>Read <a href="/tag/glia/">more</a>.</p><p><img src="/media/a.png" alt="A"></p>',
        "published_at": timezone.now(),
    }
    return PostFactory(**{**defaults, **kwargs})


@pytest.mark.django_db
def test_new_post_reaches_confirmed_subscribers_once_with_working_links(
    readers, publish, smtp_server, client, author
):
    post = publish(_new_post(author=author))
    [email] = smtp_server.wait_for(1)
    assert email.rcpt_tos == ["ann@example.org"]  # not digest, pending, unsubscribed, bounced
    assert email.subject == "New post: Dextromethorphan for CRPS"
    assert email.header("From") == "Pain Management Weblog <blog@localhost>"
    assert email.header("List-Id") == "Pain Management <posts.pain.example.org>"
    assert email.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    unsubscribe = email.header("List-Unsubscribe").strip("<>")
    # On one line and not RFC 2047-encoded, however long the URL.
    assert dict(email.message.raw_items())["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert unsubscribe.startswith(f"{SITE}/subscribe/unsubscribe/")

    post_url = f"{SITE}{post.get_absolute_url()}"
    for part in (email.text, email.html):
        assert "Dextromethorphan calms the microglia." in part
        assert post_url in part
        assert unsubscribe in part
    assert "<h1" in email.html and "Nancy Sajben MD" in email.text

    # The links work.
    assert client.get(path(post_url)).status_code == 200
    preferences = client.get(path(link_to(email.text, "/subscribe/preferences/")))
    assert "ann@example.org" in preferences.text and "Subscribed" in preferences.text

    # The record: one delivery, sent; the mailing finished.
    mailing = Mailing.objects.with_counts().get()
    assert (mailing.kind, mailing.post, mailing.status) == ("post", post, "done")
    assert (mailing.recipient_count, mailing.sent_count) == (1, 1)
    assert Delivery.objects.get().sent_at is not None

    # RFC 8058 one-click: a POST from the mail client, no cookie, no CSRF token.
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(path(unsubscribe), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    readers["immediate"].refresh_from_db()
    assert readers["immediate"].status == Subscriber.Status.UNSUBSCRIBED


@pytest.mark.django_db
def test_a_post_is_mailed_once_ever(readers, publish, smtp_server):
    post = publish(_new_post())
    publish(post)  # saved again
    post.status = Post.Status.DRAFT
    post.save()
    publish(post)  # unpublished
    post.status, post.published_at = Post.Status.PUBLISHED, timezone.now()
    post.save()
    publish(post)  # and republished
    assert len(smtp_server.wait_for(2, timeout=1)) == 1
    assert Mailing.objects.count() == 1


@pytest.mark.django_db
def test_backdated_and_draft_posts_are_not_mailed(readers, publish, smtp_server):
    publish(_new_post(published_at=timezone.now() - timedelta(days=3)))
    publish(_new_post(slug="draft", status=Post.Status.DRAFT, published_at=None))
    assert smtp_server.wait_for(1, timeout=0.5) == []
    assert not Mailing.objects.exists()


@pytest.mark.django_db
def test_full_text_mode_sends_the_post_with_absolute_links(readers, publish, smtp_server, settings):
    settings.SUBSCRIPTIONS_FULL_TEXT = True
    publish(_new_post())
    [email] = smtp_server.wait_for(1)
    assert f'href="{SITE}/tag/glia/"' in email.html
    assert f'src="{SITE}/media/a.png"' in email.html
    assert "Read more." in email.text


@pytest.mark.django_db(transaction=True)
def test_scheduled_post_is_mailed_at_its_time_and_rescheduling_never_sends_early(
    database_tasks, smtp_server
):
    SubscriberFactory(email="ann@example.org")
    first = timezone.now() + timedelta(hours=1)
    later = timezone.now() + timedelta(hours=3)
    post = _new_post(published_at=first)
    post_services.post_saved(post=post)
    post.published_at = later  # the author moves it
    post.save()
    post_services.post_saved(post=post)

    run_worker()
    with time_machine.travel(first + timedelta(minutes=1)):
        run_worker()
    assert smtp_server.received == []
    assert not Mailing.objects.exists()
    with time_machine.travel(later + timedelta(minutes=1)):
        run_worker()
    assert [m.subject for m in smtp_server.wait_for(1)] == ["New post: Dextromethorphan for CRPS"]
    assert Mailing.objects.get().post_id == post.pk


@pytest.mark.django_db(transaction=True)
def test_permanent_failures_are_recorded_and_temporary_ones_retried_later(
    database_tasks, smtp_server
):
    for name in ("gone", "busy", "fine"):
        SubscriberFactory(email=f"{name}@example.org")
    smtp_server.fail_next(1, "550 5.1.1 No such user here")
    smtp_server.fail_next(1, "451 4.3.0 Mailbox busy, try again later")
    post_services.post_saved(post=_new_post())
    run_worker()
    assert [m.rcpt_tos for m in smtp_server.received] == [["fine@example.org"]]
    mailing = Mailing.objects.get()
    assert mailing.status == Mailing.Status.RETRYING

    def delivery(name):
        return Delivery.objects.get(subscriber__email=f"{name}@example.org")

    assert delivery("gone").status == Delivery.Status.FAILED
    assert delivery("gone").reason == "550 5.1.1 No such user here"
    assert (delivery("busy").status, delivery("busy").attempts) == ("pending", 1)

    run_worker()  # the retry is not due yet
    assert len(smtp_server.received) == 1
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        run_worker()
    assert sorted(r for m in smtp_server.received for r in m.rcpt_tos) == [
        "busy@example.org",
        "fine@example.org",
    ]
    assert delivery("busy").status == Delivery.Status.SENT
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DONE


@pytest.mark.django_db(transaction=True)
def test_gives_up_after_the_last_retry_with_the_reason(database_tasks, smtp_server, settings):
    settings.SUBSCRIPTIONS_RETRY_DELAYS = [60]
    SubscriberFactory(email="busy@example.org")
    smtp_server.fail_next(2, "452 4.2.2 Mailbox full")
    post_services.post_saved(post=_new_post())
    run_worker()
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        run_worker()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.reason == "Gave up after 2 attempts. Last error: 452 4.2.2 Mailbox full"
    assert Mailing.objects.get().status == Mailing.Status.DONE
    assert smtp_server.received == []


@pytest.mark.django_db
def test_someone_who_leaves_mid_mailing_is_skipped(readers, smtp_server):
    from subscriptions import mailings

    post = _new_post()
    mailing = mailings.start_post_mailing(
        post_id=post.pk, published_at=post.published_at.isoformat()
    )
    Subscriber.objects.filter(email="ann@example.org").update(status="unsubscribed")
    mailings.send(mailing_id=mailing.pk)
    assert smtp_server.received == []
    assert Delivery.objects.get().status == Delivery.Status.SKIPPED


@pytest.mark.django_db
def test_author_emails_a_dated_update_deliberately_once(
    readers, staff_client, smtp_server, django_capture_on_commit_callbacks
):
    post = _new_post(published_at=timezone.now() - timedelta(days=30))
    update = PostUpdateFactory(post=post, text="<p>A case report of RSD, see below.</p>")
    changelist = reverse("admin:posts_post_changelist")
    action = {"action": "email_latest_update", "_selected_action": [post.pk]}

    page = staff_client.post(changelist, action)
    assert page.status_code == 200
    assert "Email an update to subscribers?" in page.text
    assert "A case report of RSD" in page.text
    assert smtp_server.received == []  # nothing until confirmed

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(changelist, {**action, "confirm": "yes"})
    assert response.status_code == 302
    [email] = smtp_server.wait_for(1)
    assert email.rcpt_tos == ["ann@example.org"]
    assert email.subject == f"Update: {post.title}"
    assert "A case report of RSD, see below." in email.text
    assert f"{SITE}{post.get_absolute_url()}#update-{update.pk}" in email.text
    assert email.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"

    again = staff_client.post(changelist, {**action, "confirm": "yes"}, follow=True)
    assert "emailed already" in again.text
    assert Mailing.objects.filter(kind="update").count() == 1
