"""Notification emails, as received by a real SMTP server: followers and the
post's author, one message per recipient, plain text + HTML, List-Unsubscribe,
mute links, and retries when the mail server fails (no loss, no duplicates)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from comments.models import Comment, CommentSettings
from tests.factories import (
    AuthorProfileFactory,
    PostFactory,
    make_comment,
    set_comment_settings,
)
from tests.helpers import run_worker

pytestmark = pytest.mark.django_db

AUTHOR_EMAIL = "nsajben@example.com"


@pytest.fixture
def author(author):
    author.email = AUTHOR_EMAIL
    author.save()
    return author


@pytest.fixture
def followers(post):
    """Ann follows every comment (twice: still one email), Bob replies to his comment."""
    return {
        "ann": make_comment(post, user_email="ann@example.com", user_name="Ann", follow="all"),
        "ann_again": make_comment(
            post, user_email="ANN@example.com", user_name="Ann", follow="all"
        ),
        "bob": make_comment(post, user_email="bob@example.com", user_name="Bob", follow="replies"),
        "cy": make_comment(post, user_email="cy@example.com", user_name="Cy", follow=""),
        "dee": make_comment(
            post,
            user_email="dee@example.com",
            user_name="Dee",
            follow="all",
            status=Comment.Status.SPAM,
        ),
    }


def _link(received, path):
    return re.search(rf"https?://\S+?(/comments/{path}/\S+?/)", received.text).group(1)


def _confirm(client, smtp_server, address):
    (message,) = smtp_server.to(address)
    client.post(_link(message, "confirm"))


def test_a_new_public_comment_mails_each_follower_and_the_author_once(
    client, post, comment_form, followers, smtp_server, django_capture_on_commit_callbacks
):
    set_comment_settings(hold_first_time=False)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/comments/post/",
            comment_form(post, reply_to=followers["bob"].pk, email="eve@example.com", name="Eve"),
        )
    with django_capture_on_commit_callbacks(execute=True):
        _confirm(client, smtp_server, "eve@example.com")

    received = smtp_server.received
    assert sorted(r.rcpt_tos[0] for r in received) == sorted(
        ["eve@example.com", "ann@example.com", "bob@example.com", AUTHOR_EMAIL]
    )
    assert all(len(r.rcpt_tos) == 1 and r.to == r.rcpt_tos[0] for r in received)

    (bob,) = smtp_server.to("bob@example.com")
    assert bob.subject == "Eve replied to your comment on “Low dose naltrexone for CRPS”"
    assert "Do you know of LDN" in bob.text and "Do you know of LDN" in bob.html
    assert "eve@example.com" not in bob.text + bob.html
    assert bob.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert bob.header("List-Unsubscribe") == f"<http://127.0.0.1:8000{_link(bob, 'mute')}>"

    (ann,) = smtp_server.to("ann@example.com")
    assert ann.subject == "New comment on “Low dose naltrexone for CRPS”"
    (to_author,) = smtp_server.to(AUTHOR_EMAIL)
    assert to_author.subject == "New comment on “Low dose naltrexone for CRPS”"
    assert "/admin/comments/comment/" in to_author.text
    assert to_author.header("List-Unsubscribe")


def test_held_comments_mail_the_author_with_the_queue_then_followers_on_approval(
    client,
    staff_client,
    post,
    comment_form,
    followers,
    smtp_server,
    django_capture_on_commit_callbacks,
):
    reader = Client()
    with django_capture_on_commit_callbacks(execute=True):
        reader.post("/comments/post/", comment_form(post, email="eve@example.com", name="Eve"))
    with django_capture_on_commit_callbacks(execute=True):
        _confirm(reader, smtp_server, "eve@example.com")
    comment = Comment.objects.get(user_email="eve@example.com")
    assert comment.status == Comment.Status.PENDING
    (to_author,) = smtp_server.to(AUTHOR_EMAIL)
    assert to_author.subject == "Comment awaiting moderation on “Low dose naltrexone for CRPS”"
    assert "Held because: First comment from this email address." in to_author.text
    assert "/admin/comments/comment/?status__exact=pending" in to_author.text
    assert smtp_server.to("ann@example.com") == []

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            "/admin/comments/comment/",
            {"action": "approve", "_selected_action": [comment.pk]},
        )
    assert len(smtp_server.to("ann@example.com")) == 1
    assert len(smtp_server.to(AUTHOR_EMAIL)) == 1  # no second email about the same comment
    # Approving again sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            "/admin/comments/comment/",
            {"action": "approve", "_selected_action": [comment.pk]},
        )
    assert len(smtp_server.to("ann@example.com")) == 1


def test_spam_mails_nobody_and_the_authors_own_comment_skips_the_author(
    client,
    staff_client,
    post,
    comment_form,
    followers,
    smtp_server,
    akismet_server,
    django_capture_on_commit_callbacks,
):
    akismet_server.answer = "spam"
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/comments/post/", comment_form(post, email="spam@example.com"))
    assert smtp_server.received == []

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post("/comments/post/", comment_form(post, comment="The author answers."))
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == [
        "ann@example.com"
    ]  # not Bob (not a reply to him), not Dee (spam), not the author herself


def test_mute_link_asks_first_then_stops_exactly_that_subscription(
    staff_client, post, author, comment_form, smtp_server, django_capture_on_commit_callbacks
):
    bob = make_comment(post, user_email="bob@example.com", follow="replies")
    other_post = PostFactory(author=author)
    bob_elsewhere = make_comment(other_post, user_email="bob@example.com", follow="all")
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post("/comments/post/", comment_form(post, reply_to=bob.pk))
    (message,) = smtp_server.to("bob@example.com")
    mute = _link(message, "mute")

    reader = Client(enforce_csrf_checks=True)
    page = reader.get(mute)
    assert page.status_code == 200
    assert "Stop these emails?" in page.text
    bob.refresh_from_db()
    assert bob.follow == "replies"  # a scanner following the link changed nothing

    # The mail client's one-click POST (RFC 8058): no CSRF token, still works.
    response = reader.post(mute, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    bob.refresh_from_db()
    bob_elsewhere.refresh_from_db()
    assert bob.follow == ""
    assert bob_elsewhere.follow == "all"  # the other subscription is untouched

    smtp_server.clear()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post("/comments/post/", comment_form(post, reply_to=bob.pk, comment="Again"))
    assert smtp_server.to("bob@example.com") == []


def test_muting_all_new_comments_stops_that_post_only(
    staff_client, post, author, comment_form, smtp_server, django_capture_on_commit_callbacks
):
    """Ann follows every comment on two posts, and replies to one of her comments.
    Muting "all new comments" from one post's email stops exactly that."""
    ann_all = make_comment(post, user_email="ann@example.com", user_name="Ann", follow="all")
    ann_replies = make_comment(
        post, user_email="ann@example.com", user_name="Ann", follow="replies"
    )
    other_post = PostFactory(author=author, title="LDN and long COVID")
    ann_elsewhere = make_comment(
        other_post, user_email="ann@example.com", user_name="Ann", follow="all"
    )
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post("/comments/post/", comment_form(post, comment="For everyone"))
    (message,) = smtp_server.to("ann@example.com")
    assert message.subject == "New comment on “Low dose naltrexone for CRPS”"
    mute = _link(message, "mute")
    assert message.header("List-Unsubscribe") == f"<http://127.0.0.1:8000{mute}>"

    page = Client().get(mute)
    assert "every new comment on" in page.text and "Low dose naltrexone for CRPS" in page.text
    ann_all.refresh_from_db()
    assert ann_all.follow == "all"  # opening the link changed nothing
    done = Client(enforce_csrf_checks=True).post(mute, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    for comment in (ann_all, ann_replies, ann_elsewhere):
        comment.refresh_from_db()
    assert (ann_all.follow, ann_replies.follow, ann_elsewhere.follow) == ("", "replies", "all")

    smtp_server.clear()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post("/comments/post/", comment_form(post, comment="Second, for everyone"))
    assert smtp_server.to("ann@example.com") == []
    # Her other subscriptions still work: replies to her comment, the other post.
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            "/comments/post/", comment_form(post, reply_to=ann_replies.pk, comment="To Ann")
        )
        staff_client.post("/comments/post/", comment_form(other_post, comment="Long COVID news"))
    assert sorted(m.subject for m in smtp_server.to("ann@example.com")) == [
        "Nancy Sajben MD replied to your comment on “Low dose naltrexone for CRPS”",
        "New comment on “LDN and long COVID”",
    ]


def test_an_authors_mute_link_silences_that_author_only(
    post, author, staff_client, comment_form, smtp_server, django_capture_on_commit_callbacks
):
    set_comment_settings(hold_first_time=False)
    colleague = AuthorProfileFactory(
        user__username="colleague", user__email="colleague@example.com", display_name="Ed"
    ).user
    colleague_post = PostFactory(author=colleague, title="Ketamine infusions")

    def comment_on(target, text):
        reader = Client()
        with django_capture_on_commit_callbacks(execute=True):
            reader.post("/comments/post/", comment_form(target, comment=text))
        with django_capture_on_commit_callbacks(execute=True):
            reader.post(_link(smtp_server.received[-1], "confirm"))

    comment_on(post, "First question")
    (to_author,) = smtp_server.to(AUTHOR_EMAIL)
    mute = _link(to_author, "mute")
    assert to_author.header("List-Unsubscribe") == f"<http://127.0.0.1:8000{mute}>"
    assert "Stop these emails?" in Client().get(mute).text
    assert CommentSettings.get_solo().muted_authors.count() == 0  # GET changed nothing
    done = Client().post(mute, follow=True)
    assert "other authors still get theirs" in done.text

    smtp_server.clear()
    comment_on(post, "Second question")
    comment_on(colleague_post, "A question for Ed")
    assert smtp_server.to(AUTHOR_EMAIL) == []
    (to_colleague,) = smtp_server.to("colleague@example.com")
    assert to_colleague.subject == "New comment on “Ketamine infusions”"
    # The site-wide switch is untouched; the admin lists who muted themselves.
    settings_row = CommentSettings.get_solo()
    assert settings_row.notify_post_authors is True
    assert list(settings_row.muted_authors.all()) == [author]
    form = staff_client.get("/admin/comments/commentsettings/").context["adminform"].form
    assert list(form["muted_authors"].value()) == [author.pk]

    # Taken off the list in the admin, she gets them again.
    settings_row.muted_authors.remove(author)
    comment_on(post, "Third question")
    assert len(smtp_server.to(AUTHOR_EMAIL)) == 1


@pytest.mark.django_db(transaction=True)
def test_an_smtp_failure_is_retried_without_loss_or_duplicates(
    staff_client, post, comment_form, followers, smtp_server, database_tasks
):
    staff_client.post("/comments/post/", comment_form(post, comment="Answer for everyone"))
    smtp_server.fail_next(1)  # the first message is refused with a 451
    run_worker()
    assert len(smtp_server.received) == 0  # ann's only follower email failed, and waits

    later = timezone.now() + timedelta(minutes=2)
    with time_machine.travel(later):
        run_worker()
    assert [r.rcpt_tos for r in smtp_server.received] == [["ann@example.com"]]
    with time_machine.travel(later + timedelta(hours=1)):
        run_worker()
    assert len(smtp_server.to("ann@example.com")) == 1


@pytest.mark.django_db(transaction=True)
def test_a_refused_sender_is_retried_but_a_refused_recipient_is_final(
    staff_client, post, comment_form, followers, smtp_server, database_tasks
):
    """The same rule as the subscriptions' mailings (core.mail.classify): a 5xx
    to the site's sender (a relay setting to fix) is tried again; a 5xx to the
    message is final, and not sent twice."""
    smtp_server.refuse_sender_next(1)
    staff_client.post("/comments/post/", comment_form(post, comment="Answer for everyone"))
    run_worker()
    assert smtp_server.received == []

    later = timezone.now() + timedelta(minutes=2)
    with time_machine.travel(later):
        run_worker()
    assert [r.rcpt_tos for r in smtp_server.received] == [["ann@example.com"]]

    smtp_server.clear()
    smtp_server.fail_next(1, reply="554 5.6.0 Message refused")
    staff_client.post("/comments/post/", comment_form(post, comment="Second answer"))
    with time_machine.travel(later):
        run_worker()
    with time_machine.travel(later + timedelta(hours=1)):
        run_worker()
    assert smtp_server.received == []


@pytest.mark.django_db(transaction=True)
def test_mail_server_down_then_back_loses_nothing(
    client, post, comment_form, followers, smtp_server, database_tasks
):
    set_comment_settings(hold_first_time=False)
    reader = Client()
    reader.post("/comments/post/", comment_form(post, reply_to=followers["bob"].pk))
    run_worker()
    reader.post(_link(smtp_server.to("liz@example.com")[0], "confirm"))

    smtp_server.stop()
    run_worker()  # three emails: all fail to connect, all are queued again
    smtp_server.start()
    assert smtp_server.received[1:] == []
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        run_worker()
    recipients = sorted(r.rcpt_tos[0] for r in smtp_server.received[1:])
    assert recipients == ["ann@example.com", "bob@example.com", AUTHOR_EMAIL]


def test_approving_a_false_positive_asks_its_author_to_confirm_before_following(
    staff_client,
    post,
    smtp_server,
    akismet_server,
    django_capture_on_commit_callbacks,
    comment_form,
):
    akismet_server.answer = "spam"
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(
            "/comments/post/", comment_form(post, email="gail@example.com", follow="replies")
        )
    gail = Comment.objects.get(user_email="gail@example.com")
    assert (gail.status, smtp_server.received) == (Comment.Status.SPAM, [])

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            "/admin/comments/comment/", {"action": "mark_not_spam", "_selected_action": [gail.pk]}
        )
    assert len(akismet_server.received("submit-ham")) == 1
    (message,) = smtp_server.to("gail@example.com")
    assert "is published" in message.text
    # Not confirmed yet: a reply does not mail her.
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post("/comments/post/", comment_form(post, reply_to=gail.pk, comment="One"))
    assert len(smtp_server.to("gail@example.com")) == 1

    Client().post(_link(message, "confirm"))
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post("/comments/post/", comment_form(post, reply_to=gail.pk, comment="Two"))
    assert [m.subject for m in smtp_server.to("gail@example.com")][1:] == [
        "Nancy Sajben MD replied to your comment on “Low dose naltrexone for CRPS”"
    ]
