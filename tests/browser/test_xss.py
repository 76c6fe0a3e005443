"""The classic XSS payloads, typed where readers can type (a comment's text,
name and web address, a search, a subscriber's email), are shown as text:
Chromium runs none of them, on the public pages or in the admin. Any script
that ran would set ``window.__xss`` or open a dialog; one blocked by the CSP
would be reported on the console, which fails the test too (the ``page``
fixture)."""

from io import StringIO
from urllib.parse import quote

import pytest
from django.core.management import call_command

from comments.models import Comment
from posts.models import Post
from subscriptions.models import Subscriber
from tests.factories import set_comment_settings
from tests.helpers import comment_confirmation_link, fill_comment_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOADS = [
    "<script>window.__xss=1</script>",
    '"><img src=x onerror="window.__xss=1">',
    "<svg onload=window.__xss=1>",
    "'-alert(1)-'",
    "</textarea><script>alert(1)</script>",
]
PAYLOAD_TEXT = "\n\n".join(PAYLOADS)


def assert_nothing_ran(page):
    assert page.evaluate("typeof window.__xss") == "undefined"


@pytest.fixture
def watched_page(page):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    assert dialogs == [], f"a script opened dialogs: {dialogs}"


def test_payloads_in_comments_searches_and_subscriptions_never_run(
    watched_page, live_server, smtp_server, settings
):
    page = watched_page
    settings.SITE_URL = live_server.url
    call_command("load_demo", stdout=StringIO())
    set_comment_settings(hold_first_time=False)
    post = Post.objects.get()
    post_url = live_server.url + post.get_absolute_url()

    # A comment whose name, web address and text are payloads.
    page.goto(post_url)
    fill_comment_form(
        page,
        name='<script>window.__xss=1</script>"><b>',
        email="mallory@example.com",
        website='https://example.org/"><script>window.__xss=1</script>',
        comment=PAYLOAD_TEXT,
    )
    page.get_by_role("button", name="Post Comment").click()
    assert_nothing_ran(page)
    (message,) = smtp_server.wait_for(1)
    page.goto(comment_confirmation_link(message))
    assert_nothing_ran(page)
    page.get_by_role("button", name="Yes, this is my comment").click()
    comment = Comment.objects.get(user_email="mallory@example.com")
    assert comment.status == Comment.Status.PUBLISHED

    page.goto(post_url + f"#comment-{comment.pk}")
    text = page.locator(f"#comment-{comment.pk}").inner_text()
    assert "<script>window.__xss=1</script>" in text  # shown as text
    assert page.locator(f"#comment-{comment.pk} script, #comment-{comment.pk} img").count() == 0
    assert_nothing_ran(page)
    page.goto(post_url + "feed/")  # the comments feed escapes it too
    assert_nothing_ran(page)

    # Searches.
    for payload in PAYLOADS:
        page.goto(f"{live_server.url}/search/?q={quote(payload)}")
        assert_nothing_ran(page)
        assert page.get_by_label("Search the site").first.input_value() == payload[:200]
        page.goto(f"{live_server.url}/?s={quote(payload)}")
        assert_nothing_ran(page)

    # A subscriber's email: refused with the text kept in the field, inert.
    page.goto(live_server.url + "/subscribe/")
    field = page.locator("main").get_by_role("textbox", name="Email")
    field.fill('"><script>window.__xss=1</script>@example.org')
    page.locator("main").get_by_role("button", name="Subscribe").click()
    assert_nothing_ran(page)
    assert not Subscriber.objects.filter(email__contains="script").exists()

    # The author's moderation queue shows the same text, inert.
    page.goto(live_server.url + "/admin/login/?next=/admin/comments/comment/")
    page.get_by_label("Username").fill("nsajben")
    page.get_by_label("Password").fill("ldn-demo-author")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/comments/comment/")
    assert "window.__xss" in page.locator("#result_list").inner_text()
    assert_nothing_ran(page)
    page.goto(f"{live_server.url}/admin/comments/comment/{comment.pk}/change/")
    assert_nothing_ran(page)
