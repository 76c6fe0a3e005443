"""Post pages are cached for anonymous readers; their comment form still works
(no per-reader token), refuses other sites, and new comments show at once."""

import re

import pytest
from django.test import Client

from comments.models import Comment
from tests.factories import make_comment, set_comment_settings

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 300


def _form_data(html, **fields):
    """The hidden and visible fields of the comment form, as the page has them."""
    form = re.search(r'<form class="comment-form".*?</form>', html, re.S).group(0)
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    data.update(fields)
    return data


def test_cached_post_page_carries_no_token_and_its_form_works(
    post, django_capture_on_commit_callbacks
):
    set_comment_settings(hold_first_time=False)
    reader = Client()
    first = reader.get(post.get_absolute_url())
    assert first["X-Page-Cache"] == "miss"
    cached = reader.get(post.get_absolute_url())
    assert cached["X-Page-Cache"] == "hit"
    assert "csrfmiddlewaretoken" not in cached.text
    assert "csrftoken" not in cached.cookies

    data = _form_data(
        cached.text,
        name="Liz Reader",
        email="liz@example.com",
        comment="Does LDN help thalamic pain?",
        follow="replies",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/comments/post/", data, headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 302
    assert Comment.objects.filter(comment="Does LDN help thalamic pain?").exists()


def test_another_site_cannot_post_a_comment(post):
    page = Client().get(post.get_absolute_url()).text
    data = _form_data(page, name="X", email="x@example.com", comment="Forged")
    for headers in (
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},
    ):
        response = Client().post("/comments/post/", data, headers=headers)
        assert response.status_code == 403, headers
    assert not Comment.objects.filter(comment="Forged").exists()


def test_an_approved_comment_shows_at_once_on_the_cached_page(
    post, django_capture_on_commit_callbacks
):
    reader = Client()
    reader.get(post.get_absolute_url())
    assert reader.get(post.get_absolute_url())["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        comment = make_comment(post, comment="Held for moderation", status=Comment.Status.PENDING)
    assert "Held for moderation" not in reader.get(post.get_absolute_url()).text
    with django_capture_on_commit_callbacks(execute=True):
        comment.status = Comment.Status.PUBLISHED
        comment.save()
    page = reader.get(post.get_absolute_url())
    assert page["X-Page-Cache"] == "miss"
    assert "Held for moderation" in page.text
