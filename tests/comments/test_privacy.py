"""A commenter asks, through an emailed link, for a copy of their comments or
for them to be erased."""

import json
import re

import pytest
from django.test import Client

from comments.models import Comment
from tests.factories import make_comment

pytestmark = pytest.mark.django_db


def _ask(client, email, what, capture):
    with capture(execute=True):
        return client.post("/comments/privacy/", {"email": email, "what": what})


def _link(received):
    """The link in an email as the SMTP server received it (plain text part)."""
    return re.search(r"https?://\S+?(/comments/privacy/\S+?/)", received.text).group(1)


def test_export_sends_a_link_whose_page_downloads_everything_stored(
    client, post, smtp_server, django_capture_on_commit_callbacks
):
    make_comment(post, user_email="heather@example.com", user_name="Heather", comment="My story")
    make_comment(post, user_email="someone@example.com", comment="Not hers")

    response = _ask(client, "Heather@Example.com", "export", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "we have just sent that address a link" in response.text
    (message,) = smtp_server.received
    assert message.rcpt_tos == ["Heather@Example.com"]
    assert message.to == "Heather@Example.com"
    assert "someone@example.com" not in message.text + message.html
    link = _link(message)
    assert message.subject == "A copy of your comments: your link"
    assert f'href="http://127.0.0.1:8000{link}"' in message.html

    page = client.get(link)
    assert "We have 1 comment from" in page.text
    download = client.post(link)
    assert download["Content-Disposition"] == 'attachment; filename="my-comments.json"'
    data = json.loads(download.content)
    (row,) = data["comments"]
    assert row["text"] == "My story"
    assert row["ip_address"] == "203.0.113.9"
    assert row["post"] == post.title


def test_unknown_addresses_get_the_same_answer_and_no_email(
    client, post, smtp_server, django_capture_on_commit_callbacks
):
    make_comment(post, user_email="somebody@example.com")
    response = _ask(client, "nobody@example.com", "erase", django_capture_on_commit_callbacks)
    assert "If we have comments from nobody@example.com" in response.text
    assert smtp_server.received == []
    # A known address, the same way: the server does get that one.
    _ask(client, "somebody@example.com", "erase", django_capture_on_commit_callbacks)
    assert [m.rcpt_tos for m in smtp_server.received] == [["somebody@example.com"]]


def test_erase_deletes_comments_and_keeps_a_placeholder_where_others_replied(
    client, post, smtp_server, django_capture_on_commit_callbacks
):
    answered = make_comment(
        post, user_email="brian@example.com", user_name="Brian", comment="I am at a loss"
    )
    reply = make_comment(post, parent=answered, user_name="Nancy", comment="Detox is the only way")
    alone = make_comment(post, user_email="brian@example.com", user_name="Brian", comment="Another")
    # His own reply under his comment, which someone else answered: both stay as placeholders.
    own_reply = make_comment(post, parent=alone, user_email="brian@example.com", comment="Me again")
    answer = make_comment(post, parent=own_reply, user_name="Nancy", comment="Answer to both")
    lone = make_comment(post, user_email="brian@example.com", user_name="Brian", comment="Lone")

    _ask(client, "brian@example.com", "erase", django_capture_on_commit_callbacks)
    (message,) = smtp_server.to("brian@example.com")
    assert message.rcpt_tos == ["brian@example.com"]
    link = _link(message)
    assert "Erase your comments?" in client.get(link).text
    assert Comment.objects.filter(user_email="brian@example.com").count() == 4  # GET: no change
    client.post(link)

    assert not Comment.objects.filter(pk=lone.pk).exists()
    assert Comment.objects.filter(pk__in=[alone.pk, own_reply.pk], is_removed=True).count() == 2
    answered.refresh_from_db()
    assert (answered.user_name, answered.user_email, answered.comment, answered.ip_address) == (
        "Anonymous",
        "",
        "",
        None,
    )
    html = Client().get(post.get_absolute_url()).text
    assert "This comment was removed." in html
    assert "Brian" not in html and "I am at a loss" not in html
    assert "Detox is the only way" in html and "Answer to both" in html
    assert f'<li id="comment-{reply.pk}"' in html and f'<li id="comment-{answer.pk}"' in html
    assert "Me again" not in html and "Lone" not in html
    assert "2 Responses to" in html
    # The link has done its job.
    assert client.get(link).status_code == 400


def test_privacy_requests_are_rate_limited(client, django_capture_on_commit_callbacks):
    for _ in range(5):
        assert (
            _ask(client, "a@example.com", "export", django_capture_on_commit_callbacks).status_code
            == 200
        )
    response = _ask(client, "a@example.com", "export", django_capture_on_commit_callbacks)
    assert response.status_code == 429
    assert "Too many requests" in response.text
