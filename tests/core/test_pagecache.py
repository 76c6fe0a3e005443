"""Anonymous readers get cached pages; any change shows at once; nobody ever
gets another person's page."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.tasks import task
from django.test import Client
from django.utils import timezone

from core import pagecache
from posts.models import Post
from tests.factories import PostFactory, PostUpdateFactory, make_comment, set_comment_settings

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    # Longer than any time travel below, so a page is never fresh only because
    # its entry expired.
    settings.PAGE_CACHE_SECONDS = 60 * 60 * 24 * 30


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what would run at commit (the invalidation), as a real save does."""

    def run(change):
        with django_capture_on_commit_callbacks(execute=True):
            change()

    return run


def test_second_anonymous_request_is_served_from_the_cache_without_queries(
    django_assert_num_queries,
):
    post = PostFactory()
    reader = Client()
    first = reader.get(post.get_absolute_url())
    assert first["X-Page-Cache"] == "miss"
    assert "public" in first["Cache-Control"]
    with django_assert_num_queries(0):
        second = reader.get(post.get_absolute_url())
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content


def test_editing_a_post_shows_at_once(commit):
    post = PostFactory(title="Old title")
    reader = Client()
    reader.get(post.get_absolute_url())
    reader.get("/")

    def edit():
        post.title = "New title"
        post.save()

    commit(edit)
    assert "New title" in reader.get(post.get_absolute_url()).text
    assert "New title" in reader.get("/").text


def test_a_dated_update_shows_at_once(commit):
    post = PostFactory()
    reader = Client()
    reader.get(post.get_absolute_url())
    commit(lambda: PostUpdateFactory(post=post, text="<p>Fresh evidence.</p>"))
    assert "Fresh evidence." in reader.get(post.get_absolute_url()).text


def test_scheduled_post_appears_at_its_time_in_cached_pages(commit):
    later = timezone.now() + timedelta(hours=2)
    reader = Client()
    commit(lambda: PostFactory(title="Scheduled LDN post", published_at=later))
    assert "Scheduled LDN post" not in reader.get("/").text
    assert reader.get("/")["X-Page-Cache"] == "hit"
    with time_machine.travel(later + timedelta(seconds=1)):
        response = reader.get("/")
        assert response["X-Page-Cache"] == "miss"
        assert "Scheduled LDN post" in response.text


def test_staff_pages_are_never_stored_nor_served_to_readers(staff_client):
    post = PostFactory()
    staff_page = staff_client.get(post.get_absolute_url())
    assert "Writing desk" in staff_page.text
    assert "private" in staff_page["Cache-Control"]
    assert "X-Page-Cache" not in staff_page
    reader_page = Client().get(post.get_absolute_url())
    assert reader_page["X-Page-Cache"] == "miss"
    assert "Writing desk" not in reader_page.text


def test_drafts_previewed_by_staff_are_not_cached_for_anyone(staff_client):
    draft = PostFactory(status=Post.Status.DRAFT, published_at=None)
    assert staff_client.get(draft.get_absolute_url()).status_code == 200
    assert Client().get(draft.get_absolute_url()).status_code == 404


def test_readers_with_pending_messages_get_a_fresh_page():
    post = PostFactory()
    reader = Client()
    reader.get(post.get_absolute_url())
    reader.cookies["messages"] = "something"
    assert "X-Page-Cache" not in reader.get(post.get_absolute_url())


def test_conditional_get_answers_304():
    post = PostFactory()
    reader = Client()
    first = reader.get(post.get_absolute_url())
    etag = first["ETag"]
    again = reader.get(post.get_absolute_url(), headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""


def test_pages_still_render_when_the_cache_server_is_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    post = PostFactory(title="Still readable")
    response = Client().get(post.get_absolute_url())
    assert response.status_code == 200
    assert "Still readable" in response.text


def test_sidebar_is_kept_between_pages_and_refreshed_when_a_post_is_published(commit, settings):
    from datetime import UTC, datetime

    PostFactory(published_at=datetime(2010, 4, 12, 17, tzinfo=UTC))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    staff_like = Client()
    staff_like.cookies["sessionid"] = "none"  # a personal request: no whole-page cache

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            response = staff_like.get(url)
        return len(captured), response.text

    first, text = queries("/2010/")
    assert "April 2010" in text
    second, _ = queries("/2010/04/")
    assert second <= first - 3  # sidebar categories and months, and the menu, kept
    commit(lambda: PostFactory(published_at=datetime(2011, 5, 3, 17, tzinfo=UTC)))
    assert "May 2011" in queries("/2010/")[1]


def test_settings_changes_show_at_once_with_fragments_kept(commit, settings):
    from core.models import SiteSettings

    settings.FRAGMENT_CACHE_SECONDS = 300
    post = PostFactory()
    reader = Client()
    reader.cookies["sessionid"] = "none"  # no whole-page cache: fragments only
    assert "A calm tagline" not in reader.get(post.get_absolute_url()).text

    def change():
        row = SiteSettings.get_solo()
        row.tagline = "A calm tagline"
        row.save()

    commit(change)
    assert "A calm tagline" in reader.get(post.get_absolute_url()).text


@pytest.mark.urls("tests.core.nonce_urls")
def test_a_page_that_used_the_csp_nonce_is_never_stored():
    reader = Client()
    plain = [reader.get("/plain/") for _ in range(2)]
    assert [r["X-Page-Cache"] for r in plain] == ["miss", "hit"]
    first, second = reader.get("/with-nonce/"), reader.get("/with-nonce/")
    for response in (first, second):
        assert "X-Page-Cache" not in response
        nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
        assert f'<script nonce="{nonce}">' in response.text
    assert first.text != second.text  # each response has its own nonce


def test_feeds_keep_their_own_max_age_and_etag_through_the_page_cache(settings):
    PostFactory(title="Feed item")
    settings.PAGE_CACHE_SECONDS = 0
    own_etag = Client().get("/feed/")["ETag"]
    settings.PAGE_CACHE_SECONDS = 300
    reader = Client()
    miss, hit = reader.get("/feed/"), reader.get("/feed/")
    assert (miss["X-Page-Cache"], hit["X-Page-Cache"]) == ("miss", "hit")
    for response in (miss, hit):
        assert f"max-age={settings.FEED_MAX_AGE}" in response["Cache-Control"]
        assert "must-revalidate" not in response["Cache-Control"]
        assert response["ETag"] == own_etag
    again = reader.get("/feed/", headers={"If-None-Match": own_etag})
    assert again.status_code == 304


def test_renaming_a_tag_shows_at_once(commit):
    from taggit.models import Tag

    post = PostFactory(tags=["opioid tapering"])
    reader = Client()
    assert "opioid tapering" in reader.get(post.get_absolute_url()).text
    assert reader.get(post.get_absolute_url())["X-Page-Cache"] == "hit"

    def rename():
        tag = Tag.objects.get(name="opioid tapering")
        tag.name = "Opioid tapering"
        tag.save()

    commit(rename)
    response = reader.get(post.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert "Opioid tapering" in response.text


def test_an_evicted_path_version_never_revives_a_stale_page(commit):
    """Redis may evict a path's version key (allkeys-lru) while a page stored
    under it survives: counting again must not meet that version."""
    from django.core.cache import cache

    post = PostFactory()
    reader = Client()
    reader.get(post.get_absolute_url())
    commit(lambda: make_comment(post, comment="First question"))
    assert "First question" in reader.get(post.get_absolute_url()).text  # stored anew
    cache.delete(pagecache._path_key(post.get_absolute_url()))  # evicted
    commit(lambda: make_comment(post, comment="Second question"))
    assert "Second question" in reader.get(post.get_absolute_url()).text


def test_comments_closing_by_age_show_in_cached_pages(commit):
    post = PostFactory(published_at=timezone.now() - timedelta(days=29))
    commit(lambda: set_comment_settings(close_after_days=30))
    reader = Client()
    assert "Comments are closed" not in reader.get(post.get_absolute_url()).text
    assert reader.get(post.get_absolute_url())["X-Page-Cache"] == "hit"
    with time_machine.travel(timezone.now() + timedelta(days=1, hours=1)):
        response = reader.get(post.get_absolute_url())
        assert response["X-Page-Cache"] == "miss"
        assert "Comments are closed" in response.text


@task
def _generation_seen_by_a_task():
    return pagecache.current_generation()


def test_each_task_reads_the_generation_afresh():
    """A worker outlives many changes: each task sees the generation as it is
    when the task starts, so its fragments (citation style, settings) are
    never kept past a change made by another process."""
    first = _generation_seen_by_a_task.enqueue().return_value
    cache.incr(pagecache.GENERATION_KEY)  # another process saved something
    second = _generation_seen_by_a_task.enqueue().return_value
    assert second == first + 1
