"""Publishing from the admin, end to end: the author saves a post (at once,
with the "publish now" action, or scheduled for later), the worker runs, and
the subscriber's email arrives at the SMTP server."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from posts.models import Post
from tests.factories import PostFactory, SubscriberFactory
from tests.helpers import run_worker
from tests.subscriptions.conftest import SITE

pytestmark = pytest.mark.django_db(transaction=True)


def _add_form(author, when, **overrides):
    when = timezone.localtime(when)
    return {
        "title": "Ketamine infusions for CRPS",
        "slug": "ketamine-infusions",
        "body": "<p>What the trials show.</p>",
        "excerpt": "What the ketamine trials show.",
        "status": "published",
        "published_at_0": when.strftime("%Y-%m-%d"),
        "published_at_1": when.strftime("%H:%M:%S"),
        "author": author.pk,
        "tags": "ketamine",
        "cover_alt": "",
        "disclosure": "",
        "updates-TOTAL_FORMS": "0",
        "updates-INITIAL_FORMS": "0",
        "updates-MIN_NUM_FORMS": "0",
        "updates-MAX_NUM_FORMS": "1000",
        "reference_links-TOTAL_FORMS": "0",
        "reference_links-INITIAL_FORMS": "0",
        **overrides,
    }


@pytest.fixture
def reader():
    return SubscriberFactory(email="ann@example.org")


def _add(staff_client, author, when):
    response = staff_client.post(reverse("admin:posts_post_add"), _add_form(author, when))
    assert response.status_code == 302, response.context["adminform"].form.errors
    return Post.objects.get(slug="ketamine-infusions")


def test_a_post_published_in_the_admin_is_emailed(
    database_tasks, smtp_server, staff_client, author, reader
):
    post = _add(staff_client, author, timezone.now())
    run_worker()
    [email] = smtp_server.wait_for(1)
    assert email.rcpt_tos == ["ann@example.org"]
    assert email.subject == "New post: Ketamine infusions for CRPS"
    assert f"{SITE}{post.get_absolute_url()}" in email.text
    assert "What the ketamine trials show." in email.text


def test_the_publish_now_action_emails_the_post(database_tasks, smtp_server, staff_client, reader):
    draft = PostFactory(title="Naltrexone and MS", status="draft", published_at=None)
    response = staff_client.post(
        reverse("admin:posts_post_changelist"),
        {"action": "publish_now", "_selected_action": [draft.pk]},
    )
    assert response.status_code == 302
    run_worker()
    [email] = smtp_server.wait_for(1)
    assert email.rcpt_tos == ["ann@example.org"]
    assert email.subject == "New post: Naltrexone and MS"


def test_a_post_scheduled_in_the_admin_is_emailed_at_its_time(
    database_tasks, smtp_server, staff_client, author, reader
):
    when = (timezone.now() + timedelta(hours=3)).replace(microsecond=0)
    post = _add(staff_client, author, when)
    assert post.is_scheduled
    run_worker()
    with time_machine.travel(when - timedelta(minutes=1)):
        run_worker()
    assert smtp_server.wait_for(1, timeout=0.5) == []
    with time_machine.travel(when + timedelta(minutes=1)):
        run_worker()
    [email] = smtp_server.wait_for(1)
    assert email.rcpt_tos == ["ann@example.org"]
    assert f"{SITE}{post.get_absolute_url()}" in email.text
