"""Posting a comment: the Akismet check in the request decides what is stored;
anonymous commenters confirm by an emailed link; honeypot and rate limit."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from comments.models import Comment
from tests.factories import make_comment, set_comment_settings

pytestmark = pytest.mark.django_db

BROWSER = {
    "HTTP_USER_AGENT": "Mozilla/5.0 (iPhone) Safari/604.1",
    "HTTP_REFERER": "https://www.google.com/search?q=ldn",
    "REMOTE_ADDR": "198.51.100.23",
}


def _post(client, data, **extra):
    return client.post("/comments/post/", data, **{**BROWSER, **extra})


def _confirm_link(message):
    return re.search(r"https?://\S+/comments/confirm/\S+/", message.body).group(0)


def _path(url):
    return "/" + url.split("/", 3)[3]


def test_anonymous_comment_is_checked_then_confirmed_by_email(
    client, post, comment_form, akismet_server, django_capture_on_commit_callbacks
):
    set_comment_settings(hold_first_time=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, comment_form(post, follow="replies"))
    assert response.status_code == 302
    assert response["Location"] == post.get_absolute_url() + "#comments"

    # Akismet was asked, in the request, with what it uses.
    (check,) = akismet_server.received("comment-check")
    sent = check.form
    assert sent["user_ip"] == "198.51.100.23"
    assert sent["user_agent"] == BROWSER["HTTP_USER_AGENT"]
    assert sent["referrer"] == BROWSER["HTTP_REFERER"]
    assert sent["permalink"] == "http://127.0.0.1:8000" + post.get_absolute_url()
    assert sent["comment_type"] == "comment"
    assert sent["comment_author"] == "Liz Reader"
    assert sent["comment_author_email"] == "liz@example.com"
    assert sent["comment_content"].startswith("Do you know of LDN")
    assert sent["comment_date_gmt"] and sent["comment_post_modified_gmt"]
    assert sent["is_test"] == "1"
    assert sent["blog"] == "https://pain.example.org"

    comment = Comment.objects.get()
    assert comment.status == Comment.Status.UNCONFIRMED
    assert comment.akismet == Comment.Akismet.HAM
    assert (comment.ip_address, comment.user_agent, comment.referrer) == (
        "198.51.100.23",
        BROWSER["HTTP_USER_AGENT"],
        BROWSER["HTTP_REFERER"],
    )
    reader = Client()  # someone else reading the post
    assert "Do you know of LDN" not in reader.get(post.get_absolute_url()).text

    (message,) = mail.outbox
    assert message.to == ["liz@example.com"]
    link = _path(_confirm_link(message))
    # Following the link (a mail scanner does) changes nothing.
    page = client.get(link)
    assert page.status_code == 200
    assert "Do you know of LDN" in page.text
    comment.refresh_from_db()
    assert comment.status == Comment.Status.UNCONFIRMED

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(link)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert comment.confirmed_at is not None
    assert done["Location"] == f"{post.get_absolute_url()}#comment-{comment.pk}"
    page = reader.get(post.get_absolute_url()).text
    assert "Do you know of LDN" in page
    assert "Liz Reader" in page
    assert "liz@example.com" not in page  # never shown


def test_first_time_commenters_are_held_by_default_returning_ones_are_not(
    client, post, comment_form, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, comment_form(post))
    client.post(_path(_confirm_link(mail.outbox[0])))
    first = Comment.objects.get()
    assert first.status == Comment.Status.PENDING
    assert first.hold_reason == "First comment from this email address."

    first.status = Comment.Status.PUBLISHED
    first.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, comment_form(post, comment="Another question, about dosing."))
    client.post(_path(_confirm_link(mail.outbox[0])))
    second = Comment.objects.exclude(pk=first.pk).get()
    assert second.status == Comment.Status.PUBLISHED


def test_spam_is_held_in_the_spam_queue_without_a_confirmation_email(
    client, post, comment_form, akismet_server
):
    akismet_server.answer = "spam"
    response = _post(client, comment_form(post, comment="Cheap pills here"), follow=True)
    assert "awaiting moderation" in response.text
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.SPAM
    assert comment.akismet == Comment.Akismet.SPAM
    assert mail.outbox == []


def test_discard_is_refused_politely_and_nothing_is_stored(
    client, post, comment_form, akismet_server
):
    akismet_server.answer = "discard"
    response = _post(client, comment_form(post, comment="Buy followers now"))
    assert response.status_code == 400
    assert "our spam filter refused this comment" in response.text
    assert "Buy followers now" in response.text  # the text is shown back, not lost
    assert Comment.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("trouble", "reason"),
    [
        ("fail", "Akismet responded with error status: 500"),
        ("stall", "Akismet timed out"),
        ("refuse", "Error making request to Akismet"),
    ],
)
def test_akismet_trouble_before_the_client_is_built_holds_the_comment(
    client, post, comment_form, akismet_server, django_capture_on_commit_callbacks, trouble, reason
):
    """Akismet down when the process first needs it: the key check fails."""
    getattr(akismet_server, trouble)()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, comment_form(post))
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.akismet == Comment.Akismet.ERROR
    assert reason in comment.hold_reason
    # The commenter still confirms their address; the comment then waits for the author.
    client.post(_path(_confirm_link(mail.outbox[0])))
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert reason in comment.hold_reason
    assert akismet_server.received("comment-check") == []  # it never got that far


@pytest.mark.parametrize(
    ("trouble", "reason"),
    [
        ("fail", "No usable answer from Akismet: Akismet responded with error status: 500."),
        ("stall", "No usable answer from Akismet: Akismet timed out."),
        ("refuse", "No usable answer from Akismet: Error making request to Akismet."),
    ],
)
def test_akismet_trouble_at_comment_check_holds_the_comment_never_loses_it(
    client, post, comment_form, akismet_server, django_capture_on_commit_callbacks, trouble, reason
):
    """The process's client is built and its key verified; then Akismet fails
    while checking a comment: the comment is stored, held, and says why."""
    set_comment_settings(hold_first_time=False)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, comment_form(post, comment="A first question, checked fine."))
    assert len(akismet_server.received("verify-key")) == 1
    assert len(akismet_server.received("comment-check")) == 1
    mail.outbox.clear()

    getattr(akismet_server, trouble)()
    second = "A second question, about dosing at night."
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, comment_form(post, comment=second), follow=True)
    assert response.status_code == 200
    assert "We have emailed liz@example.com a link" in response.text

    if trouble == "refuse":
        # Nothing listens, so nothing is recorded: listen again (the record is
        # kept) and show that the same client goes straight to comment-check.
        akismet_server.start()
        _post(client, comment_form(post, comment="A third question, once it is back."))
    checks = akismet_server.received("comment-check")
    assert len(checks) == 2
    assert checks[1].form["comment_content"] == (
        "A third question, once it is back." if trouble == "refuse" else second
    )
    assert checks[1].form["user_ip"] == BROWSER["REMOTE_ADDR"]
    # The key was verified once, before the trouble: what failed was comment-check.
    assert len(akismet_server.received("verify-key")) == 1

    comment = Comment.objects.get(comment=second)
    assert comment.akismet == Comment.Akismet.ERROR
    assert comment.hold_reason == reason
    assert (comment.user_agent, comment.referrer) == (
        BROWSER["HTTP_USER_AGENT"],
        BROWSER["HTTP_REFERER"],
    )
    (message,) = mail.outbox
    client.post(_path(_confirm_link(message)))
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING  # held, though the site publishes at once
    assert comment.hold_reason == reason
    assert second not in Client().get(post.get_absolute_url()).text

    # The moderation queue says why it was held, in the list and on the comment.
    moderator = Client()
    moderator.force_login(post.author)
    queue = moderator.get("/admin/comments/comment/?status__exact=pending")
    assert queue.status_code == 200
    assert reason in queue.text
    detail = moderator.get(f"/admin/comments/comment/{comment.pk}/change/")
    assert reason in detail.text


def test_the_client_is_kept_for_the_process(client, post, comment_form, akismet_server):
    _post(client, comment_form(post, comment="First question"))
    _post(client, comment_form(post, comment="Second question"))
    assert len(akismet_server.received("comment-check")) == 2
    assert len(akismet_server.received("verify-key")) == 1


def test_honeypot_gets_a_clear_message_and_keeps_the_text(client, post, comment_form):
    response = _post(client, comment_form(post, honeypot="http://spam.example"))
    assert response.status_code == 400
    assert "Leave this field empty" in response.text
    assert "Do you know of LDN" in response.text
    assert Comment.objects.count() == 0


def test_rate_limit_per_ip_with_a_clear_message(client, post, comment_form, settings):
    settings.COMMENTS_RATE_LIMIT = 2
    for n in range(2):
        assert _post(client, comment_form(post, comment=f"Question {n}")).status_code == 302
    response = _post(client, comment_form(post, comment="Question 3"))
    assert response.status_code == 429
    assert "Please wait 10 minutes" in response.text
    assert "Question 3" in response.text
    # Another reader, another address: not limited.
    other = _post(client, comment_form(post, comment="Question 4"), REMOTE_ADDR="192.0.2.1")
    assert other.status_code == 302
    assert Comment.objects.count() == 3


def test_invalid_form_shows_what_to_fix_and_keeps_the_text(client, post, comment_form):
    response = _post(client, comment_form(post, email="not-an-address"))
    assert response.status_code == 400
    assert "Enter a valid email address." in response.text
    assert "Do you know of LDN" in response.text
    assert 'aria-invalid="true"' in response.text
    assert Comment.objects.count() == 0


def test_a_form_left_open_too_long_is_shown_again_with_the_text(client, post, comment_form):
    data = comment_form(post)
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        response = _post(client, data)
    assert response.status_code == 400
    assert "send it again" in response.text
    assert "Do you know of LDN" in response.text
    assert Comment.objects.count() == 0


def test_html_is_shown_as_text_and_links_carry_nofollow_ugc(
    client, post, comment_form, django_capture_on_commit_callbacks
):
    set_comment_settings(hold_first_time=False)
    text = "<b>Bold?</b> <script>alert(1)</script>\n\nSee https://pubmed.ncbi.nlm.nih.gov/123/"
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, comment_form(post, comment=text))
    client.post(_path(_confirm_link(mail.outbox[0])))
    html = client.get(post.get_absolute_url()).text
    assert "&lt;b&gt;Bold?&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert (
        '<a rel="nofollow ugc" href="https://pubmed.ncbi.nlm.nih.gov/123/">'
        "https://pubmed.ncbi.nlm.nih.gov/123/</a>"
    ) in html


def test_the_author_posts_at_once_unchecked_and_marked_as_author(
    staff_client, post, comment_form, akismet_server, author
):
    response = staff_client.post(
        "/comments/post/", comment_form(post, comment="Thank you all."), **BROWSER
    )
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PUBLISHED
    assert comment.user == author
    assert comment.user_name == "Nancy Sajben MD"
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    assert akismet_server.received("comment-check") == []
    assert mail.outbox == []
    html = staff_client.get(post.get_absolute_url()).text
    assert 'class="comment comment--by-author"' in html
    assert '<span class="badge badge--author">Author</span>' in html


def test_closed_posts_take_no_comments(client, post, comment_form, settings):
    data = comment_form(post)
    post.comments_open = False
    post.save()
    page = client.get(post.get_absolute_url())
    assert "Comments are closed." in page.text
    assert 'action="/comments/post/"' not in page.text
    response = _post(client, data)
    assert response.status_code == 403
    assert "Comments are closed on this post" in response.text
    assert Comment.objects.count() == 0


def test_comments_close_automatically_after_the_configured_age(client, post, comment_form):
    data = comment_form(post)
    set_comment_settings(close_after_days=30)
    post.published_at = timezone.now() - timedelta(days=31)
    post.save()
    assert _post(client, data).status_code == 403
    post.published_at = timezone.now() - timedelta(days=29)
    post.save()
    data = comment_form(post)
    assert _post(client, data).status_code == 302


@pytest.mark.parametrize(
    ("field", "entry", "value"),
    [
        ("blocked_words", "oxycodone online", {"comment": "Get OXYCODONE ONLINE cheap"}),
        ("blocked_emails", "@spam.example", {"email": "seller@spam.example"}),
        ("blocked_ips", "198.51.100.0/24", {}),
    ],
)
def test_blocklists_hold_for_moderation(
    client, post, comment_form, django_capture_on_commit_callbacks, field, entry, value
):
    set_comment_settings(hold_first_time=False, **{field: f"other\n{entry}\n"})
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, comment_form(post, **value))
    client.post(_path(_confirm_link(mail.outbox[0])))
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert entry in comment.hold_reason


def test_confirmation_links_expire_and_cannot_be_forged(
    client, post, comment_form, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, comment_form(post))
    link = _path(_confirm_link(mail.outbox[0]))
    assert client.post(link[:-3] + "xx/").status_code == 400
    with time_machine.travel(timezone.now() + timedelta(days=7, hours=1)):
        expired = client.post(link)
    assert expired.status_code == 410
    assert "This link has expired" in expired.text
    assert Comment.objects.get().status == Comment.Status.UNCONFIRMED


def test_unconfirmed_comments_go_once_their_link_has_expired(client, post, comment_form):
    now = timezone.now()
    post.published_at = now - timedelta(days=30)
    post.save()
    with time_machine.travel(now - timedelta(days=8)):
        _post(client, comment_form(post, email="old@example.com", comment="Never confirmed."))
    with time_machine.travel(now - timedelta(days=6)):
        _post(client, comment_form(post, email="new@example.com", comment="May still confirm."))
    assert Comment.objects.filter(status=Comment.Status.UNCONFIRMED).count() == 2

    _post(client, comment_form(post, email="liz@example.com", comment="Posted today."))

    kept = set(Comment.objects.values_list("comment", flat=True))
    assert kept == {"May still confirm.", "Posted today."}
    assert not Comment.objects.by_email("old@example.com").exists()


def test_duplicate_comment_is_not_stored_twice(client, post, comment_form):
    data = comment_form(post)
    _post(client, data)
    response = _post(client, data, follow=True)
    assert "already said that" in response.text
    assert Comment.objects.count() == 1


def test_replies_nest_and_the_max_depth_is_kept(
    client, post, comment_form, settings, akismet_server
):
    settings.COMMENTS_MAX_DEPTH = 3
    top = make_comment(post, user_name="Douglas")
    middle = make_comment(post, parent=top, user_name="Nancy")
    deepest = make_comment(post, parent=middle, user_name="Loretta")
    _post(client, comment_form(post, reply_to=deepest.pk, comment="A reply past the depth"))
    reply = Comment.objects.get(comment="A reply past the depth")
    # Past the deepest level it goes beside its parent, under the same comment.
    assert reply.parent_id == middle.pk
    assert reply.level == 2
    assert akismet_server.received("comment-check")[0].form["comment_type"] == "reply"


def test_a_logged_in_reader_skips_email_confirmation(
    client, post, akismet_server, django_capture_on_commit_callbacks
):
    from tests.factories import UserFactory

    set_comment_settings(hold_first_time=False)
    UserFactory(username="marta", email="marta@example.com", first_name="Marta", last_name="Ruiz")
    login = client.post("/account/login/", {"username": "marta", "password": "password"})
    assert login.status_code == 302

    page = client.get(post.get_absolute_url())
    assert "Logged in as <strong>Marta Ruiz</strong>." in page.text
    form = page.context["form"]
    assert "email" not in form.fields and "name" not in form.fields
    data = {name: form[name].value() for name in form.fields}
    data.update(comment="Does LDN help with sleep?", follow="replies", honeypot="")
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, {k: ("" if v is None else v) for k, v in data.items()})

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{post.get_absolute_url()}#comment-{comment.pk}"
    assert comment.status == Comment.Status.PUBLISHED
    assert comment.confirmed_at is not None
    assert (comment.user.username, comment.user_name, comment.user_email) == (
        "marta",
        "Marta Ruiz",
        "marta@example.com",
    )
    # Still checked with Akismet, as a reader (not as the site's staff).
    (check,) = akismet_server.received("comment-check")
    assert check.form["comment_author_email"] == "marta@example.com"
    assert "user_role" not in check.form
    # No confirmation email: the account's address is already known.
    assert [m for m in mail.outbox if "marta@example.com" in m.to] == []
    assert "Does LDN help with sleep?" in Client().get(post.get_absolute_url()).text
