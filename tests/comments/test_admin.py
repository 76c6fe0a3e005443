"""The moderation queue in the admin: filters, bulk decisions reported to
Akismet, edits, moves, the author's reply, anonymising and erasing."""

import pytest
from django.test import Client

from comments.models import Comment
from tests.factories import PostFactory, make_comment

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/comments/comment/"
BROWSER = {
    "ip_address": "198.51.100.7",
    "user_agent": "Mozilla/5.0 (X11; Linux) Firefox/140.0",
    "referrer": "https://duckduckgo.com/",
}


def _action(client, action, comments, **extra):
    return client.post(
        CHANGELIST, {"action": action, "_selected_action": [c.pk for c in comments], **extra}
    )


def _change(client, obj, **changes):
    data = {
        "user_name": obj.user_name,
        "user_email": obj.user_email,
        "user_url": obj.user_url,
        "comment": obj.comment,
        "status": obj.status,
        "author_reply": "",
        **changes,
    }
    return client.post(f"{CHANGELIST}{obj.pk}/change/", data)


def test_queue_filters_and_the_pending_count_on_the_admin_index(staff_client, post):
    make_comment(post, comment="Waiting one", status="pending", hold_reason="First comment.")
    make_comment(post, comment="Waiting two", status="pending")
    make_comment(post, comment="Pills", status="spam")
    make_comment(post, comment="Fine", status="published")

    index = staff_client.get("/admin/").text
    queue_link = '<a href="/admin/comments/comment/?status__exact=pending">'
    assert f"{queue_link}2 comments awaiting moderation</a>" in index
    assert "1 in the spam queue" in index

    queue = staff_client.get(CHANGELIST, {"status__exact": "pending"}).text
    assert "Waiting one" in queue and "Waiting two" in queue
    assert "Pills" not in queue and "Fine" not in queue
    assert "First comment." in queue  # why it was held
    assert "Awaiting moderation (2)" in queue and "Spam (1)" in queue and "Approved (1)" in queue
    assert "Pills" in staff_client.get(CHANGELIST, {"status__exact": "spam"}).text


def test_bulk_spam_and_not_spam_report_to_akismet_with_what_was_stored(
    staff_client, post, akismet_server, django_capture_on_commit_callbacks
):
    missed = make_comment(post, comment="Great post! Cheap meds at pills.example", **BROWSER)
    wrongly = make_comment(post, comment="A real question", status="spam", **BROWSER)

    with django_capture_on_commit_callbacks(execute=True):
        _action(staff_client, "mark_spam", [missed])
    missed.refresh_from_db()
    assert missed.status == Comment.Status.SPAM
    (report,) = akismet_server.received("submit-spam")
    assert report.form["user_ip"] == BROWSER["ip_address"]
    assert report.form["user_agent"] == BROWSER["user_agent"]
    assert report.form["referrer"] == BROWSER["referrer"]
    assert report.form["comment_content"] == missed.comment
    assert report.form["permalink"].endswith(post.get_absolute_url())

    with django_capture_on_commit_callbacks(execute=True):
        _action(staff_client, "mark_not_spam", [wrongly])
    wrongly.refresh_from_db()
    assert wrongly.status == Comment.Status.PUBLISHED
    (ham,) = akismet_server.received("submit-ham")
    assert ham.form["user_ip"] == BROWSER["ip_address"]
    assert ham.form["comment_content"] == "A real question"
    assert "A real question" in Client().get(post.get_absolute_url()).text


def test_reports_wait_for_the_commit(
    staff_client, post, akismet_server, django_capture_on_commit_callbacks
):
    comment = make_comment(post, **BROWSER)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _action(staff_client, "mark_spam", [comment])
    assert akismet_server.received("submit-spam") == []
    assert callbacks  # queued, to run once the transaction commits


def test_editing_adds_the_moderator_note(staff_client, post):
    comment = make_comment(post, comment="I take naltroxane 4mg")
    response = _change(staff_client, comment, comment="I take naltrexone 4 mg")
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.moderator_edited_at is not None
    html = Client().get(post.get_absolute_url()).text
    assert "I take naltrexone 4 mg" in html
    assert "Edited by the moderator" in html
    # Saving without changing the text adds no note.
    other = make_comment(post, comment="Untouched")
    _change(staff_client, other)
    other.refresh_from_db()
    assert other.moderator_edited_at is None


def test_the_author_replies_from_the_admin_approving_the_comment(staff_client, post, author):
    question = make_comment(post, comment="Is 4.5 mg too much?", status="pending")
    response = _change(
        staff_client, question, author_reply="Ask your prescriber; most start at 1.5 mg."
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.status == Comment.Status.PUBLISHED
    reply = Comment.objects.get(parent_id=question.pk, level=1)
    assert reply.user == author
    assert reply.status == Comment.Status.PUBLISHED
    html = Client().get(post.get_absolute_url()).text
    assert "most start at 1.5 mg" in html
    assert f'<li id="comment-{reply.pk}" class="comment comment--by-author">' in html


def test_move_a_comment_with_its_replies_to_another_post(staff_client, post, author):
    welcome = PostFactory(author=author, title="Welcome")
    first = make_comment(welcome, comment="Unrelated")
    moved = make_comment(welcome, parent=first, comment="About naltrexone, moved")
    reply = make_comment(welcome, parent=moved, comment="Reply that moves too")
    make_comment(post, comment="Already here")

    page = _action(staff_client, "move_to_post", [moved])
    assert page.status_code == 200
    assert "Move comments to another post" in page.text
    _action(staff_client, "move_to_post", [moved], apply="1", post=post.pk)

    moved.refresh_from_db()
    reply.refresh_from_db()
    assert (moved.post_id, reply.post_id) == (post.pk, post.pk)
    assert (moved.thread_id, moved.parent_id, moved.level) == (moved.pk, moved.pk, 0)
    assert (reply.thread_id, reply.parent_id, reply.level) == (moved.pk, moved.pk, 1)
    first.refresh_from_db()
    assert first.nested_count == 0
    welcome.refresh_from_db()
    post.refresh_from_db()
    assert (welcome.comment_count, post.comment_count) == (1, 3)
    html = Client().get(post.get_absolute_url()).text
    assert "3 Responses" in html
    item = html[html.index(f'<li id="comment-{moved.pk}"') :]
    assert item.index("Reply that moves too") < item.index("</li>")
    assert "About naltrexone, moved" not in Client().get(welcome.get_absolute_url()).text


def test_moving_to_a_post_with_a_percent_sign_in_its_title_says_where_they_went(
    staff_client, post, author
):
    target = PostFactory(author=author, title="LDN helped 100% naturally")
    moved = make_comment(post, comment="Moving on")
    done = staff_client.post(
        CHANGELIST,
        {"action": "move_to_post", "_selected_action": [moved.pk], "apply": "1", "post": target.pk},
        follow=True,
    )
    assert done.status_code == 200
    assert "1 comment moved to “LDN helped 100% naturally”." in done.text
    moved.refresh_from_db()
    assert moved.post_id == target.pk


def test_anonymise_keeps_the_text_and_erase_removes_it(staff_client, post):
    mine = make_comment(
        post, user_name="Loretta", user_email="loretta@example.com", comment="My story", **BROWSER
    )
    answered = make_comment(post, parent=mine, user_name="Nancy", comment="An answer")
    second = make_comment(
        post, user_name="Loretta", user_email="LORETTA@example.com", comment="More", follow="all"
    )

    page = _action(staff_client, "anonymise_keep_text", [mine])
    assert "loretta@example.com" in page.text and "2 comments from" in page.text
    _action(staff_client, "anonymise_keep_text", [mine], apply="1")
    for comment in (mine, second):
        comment.refresh_from_db()
        assert comment.user_name == "Anonymous"
        assert (comment.user_email, comment.ip_address, comment.user_agent, comment.follow) == (
            "",
            None,
            "",
            "",
        )
    assert mine.comment == "My story"

    other = make_comment(
        post, user_name="Tonia", user_email="tonia@example.com", comment="Tonia's question"
    )
    leaf_reply = make_comment(
        post, parent=answered, user_name="Tonia", user_email="tonia@example.com", comment="Thanks!"
    )
    _action(staff_client, "erase_commenters", [other], apply="1")
    assert not Comment.objects.filter(pk__in=[other.pk, leaf_reply.pk]).exists()
    html = Client().get(post.get_absolute_url()).text
    assert "Tonia" not in html and "Thanks!" not in html
    assert "An answer" in html


def test_each_comment_has_a_reply_link_that_opens_the_reply_box(staff_client, post, author):
    question = make_comment(post, comment="Does LDN help CRPS?", status="pending")
    spam = make_comment(post, comment="Cheap pills", status="spam")
    reply_url = f"{CHANGELIST}{question.pk}/change/#id_author_reply"

    queue = staff_client.get(CHANGELIST).text
    assert f'<a href="{reply_url}">Reply</a>' in queue
    assert f"{CHANGELIST}{spam.pk}/change/#id_author_reply" not in queue
    assert 'id="id_author_reply"' in staff_client.get(f"{CHANGELIST}{question.pk}/change/").text

    _change(staff_client, question, author_reply="It can; ask your doctor.")
    queue = staff_client.get(CHANGELIST).text
    assert f'<a href="{reply_url}">Reply again</a><br><small>answered</small>' in queue
    reply = Comment.objects.get(comment="It can; ask your doctor.")
    assert reply.status == "published" and reply.user == author
