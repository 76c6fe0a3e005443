"""Above the comment form: the notice the author edits in the admin (comments
are public, not medical advice, no doctor–patient relationship, where to turn
in a crisis); below it, the Akismet privacy line."""

import re

import pytest
from django.test import Client

from comments.models import CommentSettings

pytestmark = pytest.mark.django_db


def _respond(html):
    """The reply box of a post page: notice, form and privacy line."""
    return re.search(r'<div id="respond".*?</form>.*?</div>', html, re.S).group(0)


def _notice(html):
    return re.search(r'<div class="comment-notice" role="note">(.*?)</div>', html, re.S).group(1)


def test_the_post_page_shows_the_notice_above_the_form_and_the_akismet_line_below(post):
    html = _respond(Client().get(post.get_absolute_url()).text)
    notice = _notice(html)
    assert "<strong>Comments are public.</strong>" in notice
    assert "they are not medical advice" in notice
    assert "do not create a doctor–patient relationship" in notice
    assert "<strong>In a crisis</strong>" in notice
    assert "call or text 988 (Suicide &amp; Crisis Lifeline, United States)" in notice
    assert "call your local emergency number" in notice

    privacy = re.search(r'<p class="comment-privacy">(.*?)</p>', html, re.S).group(1)
    assert privacy.startswith("This site uses Akismet to reduce spam. ")
    assert (
        '<a href="https://akismet.com/privacy/">Learn how your comment data is processed</a>'
        in privacy
    )
    assert '<a href="/comments/privacy/">Get a copy of your comments, or erase them</a>' in privacy
    # In that order: notice, then the form, then the privacy line.
    assert (
        html.index('class="comment-notice"')
        < html.index('<form class="comment-form"')
        < html.index('class="comment-privacy"')
    )


def test_editing_the_notice_in_the_admin_changes_the_cached_page(
    post, staff_client, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 300
    settings.FRAGMENT_CACHE_SECONDS = 300
    reader = Client()
    assert reader.get(post.get_absolute_url())["X-Page-Cache"] == "miss"
    cached = reader.get(post.get_absolute_url())
    assert cached["X-Page-Cache"] == "hit"
    assert "Comments are public." in _notice(cached.text)

    admin_url = "/admin/comments/commentsettings/"
    form = staff_client.get(admin_url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items() if v is not False}
    data["notice"] = (
        "<p>Your comment is public. Nothing here is medical advice.</p>"
        "<p>In an emergency, call 999 (UK) or 112 (EU).</p>"
        "<script>alert(1)</script>"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(admin_url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert "call 999 (UK)" in CommentSettings.get_solo().notice

    page = reader.get(post.get_absolute_url())
    assert page["X-Page-Cache"] == "miss"
    notice = _notice(page.text)
    assert "<p>Your comment is public. Nothing here is medical advice.</p>" in notice
    assert "<p>In an emergency, call 999 (UK) or 112 (EU).</p>" in notice
    assert "Comments are public." not in notice and "988" not in notice
    assert "<script>" not in notice  # the notice is sanitised
    assert "This site uses Akismet to reduce spam." in page.text
