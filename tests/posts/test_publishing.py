"""Drafts, scheduled posts and staff previews."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError
from django.test import Client
from django.utils import timezone

from posts.models import Post
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_scheduled_post_appears_by_itself_when_its_time_comes(client):
    publish_at = datetime(2030, 5, 1, 16, 0, tzinfo=UTC)
    with time_machine.travel(datetime(2030, 4, 30, 12, 0, tzinfo=UTC), tick=False):
        post = PostFactory(title="Dextromethorphan", published_at=publish_at)
        url = post.get_absolute_url()
        assert client.get(url).status_code == 404
        assert "Dextromethorphan" not in client.get("/").text
        assert "Dextromethorphan" not in client.get("/2030/").text
        assert url not in client.get("/sitemap.xml").text

    # No job runs in between: only the clock moves.
    with time_machine.travel(publish_at + timedelta(seconds=1), tick=False):
        assert client.get(url).status_code == 200
        assert "Dextromethorphan" in client.get("/").text
        assert url in client.get("/sitemap.xml").text


def test_drafts_and_scheduled_posts_are_visible_to_staff_only(staff_client, author):
    draft = PostFactory(status=Post.Status.DRAFT, published_at=None, title="Draft on DXM")
    scheduled = PostFactory(
        title="Scheduled on LDN", published_at=timezone.now() + timedelta(days=3)
    )
    anonymous = Client()

    # A draft has no date yet: "view on site" goes to the preview address.
    assert draft.get_absolute_url() == f"/preview/post/{draft.pk}/"
    assert anonymous.get(draft.get_absolute_url()).status_code == 404
    response = staff_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Only staff can see this page" in response.text

    assert anonymous.get(scheduled.get_absolute_url()).status_code == 404
    response = staff_client.get(scheduled.get_absolute_url())
    assert response.status_code == 200
    assert "Scheduled" in response.text


def test_logged_in_non_staff_cannot_preview(client, django_user_model):
    draft = PostFactory(status=Post.Status.DRAFT, published_at=None)
    reader = django_user_model.objects.create_user("reader", password="x")
    client.force_login(reader)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_publishing_without_a_time_publishes_now():
    post = PostFactory(published_at=None, status=Post.Status.PUBLISHED)
    assert post.published_at is not None
    assert post.published_at <= timezone.now()
    assert post in Post.objects.published()


def test_slug_is_unique_per_day_but_may_repeat_on_other_days():
    day = datetime(2010, 4, 12, 17, tzinfo=UTC)
    PostFactory(slug="ldn", published_at=day)
    PostFactory(slug="ldn", published_at=day + timedelta(days=1))
    with pytest.raises(IntegrityError):
        PostFactory(slug="ldn", published_at=day + timedelta(hours=1))


def test_sidebar_counts_only_published_posts_per_category(client):
    from tests.factories import CategoryFactory

    pain = CategoryFactory(name="Pain", slug="pain")
    quiet = CategoryFactory(name="Quiet", slug="quiet")
    PostFactory.create_batch(2, categories=[pain])
    PostFactory(categories=[pain, quiet], status=Post.Status.DRAFT, published_at=None)
    PostFactory(categories=[quiet], published_at=timezone.now() + timedelta(days=3))
    sidebar = client.get("/").text.split('class="sidebar"')[1]
    assert re.search(r'href="/category/pain/">Pain</a>\s*<span class="count">\(2\)</span>', sidebar)
    # Only a draft and a scheduled post: not listed yet.
    assert "/category/quiet/" not in sidebar
