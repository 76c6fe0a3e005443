"""Post content: sanitizing, dated updates, the recommended book, the
disclaimer, the author and SEO metadata on the post page."""

import json
import re
from datetime import UTC, date, datetime

import pytest

from core.models import SiteSettings
from posts.models import Book
from tests.factories import AuthorProfileFactory, PostFactory, PostUpdateFactory

pytestmark = pytest.mark.django_db


def test_body_is_sanitized_on_save():
    post = PostFactory(
        body='<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:x()">l</a>'
        '<img src="/a.png" onerror="x()"><iframe src="https://e.com"></iframe></p>'
    )
    post.refresh_from_db()
    assert "script" not in post.body
    assert "onclick" not in post.body
    assert "javascript:" not in post.body
    assert "onerror" not in post.body
    assert "iframe" not in post.body
    assert "<p>Hi " in post.body


def test_updates_render_in_date_order_and_bump_the_updated_date(client):
    post = PostFactory(published_at=datetime(2010, 4, 12, 17, tzinfo=UTC))
    PostUpdateFactory(post=post, date=date(2010, 12, 10), text="<p>Second update.</p>")
    PostUpdateFactory(post=post, date=date(2010, 6, 22), text="<p>First update.</p>")
    post.refresh_from_db()
    response = client.get(post.get_absolute_url())
    text = response.text
    assert 'Update <time datetime="2010-06-22">June 22, 2010</time>:' in text
    assert text.index("First update.") < text.index("Second update.")
    # updated_at is today (the rows were just written), later than either update.
    assert post.modified_at == post.updated_at
    # An update dated after the last edit becomes the post's updated date.
    PostUpdateFactory(post=post, date=date(2099, 1, 2), text="<p>Future.</p>")
    assert post.modified_at.date() == date(2099, 1, 2)


def test_post_page_shows_author_book_disclaimer_and_disclosure(client):
    profile = AuthorProfileFactory(user__username="drs")
    book = Book.objects.create(
        title="The Promise of Low Dose Naltrexone Therapy",
        authors="Elaine A. Moore & Samantha Wilkinson",
        publisher="McFarland",
        year=2009,
        blurb="Grounded in clinical and scientific research.",
    )
    settings_row = SiteSettings.get_solo()
    settings_row.medical_disclaimer = "<p>Not a substitute for medical advice.</p>"
    settings_row.save()
    post = PostFactory(
        author=profile.user,
        recommended_book=book,
        disclosure="I have no financial interest.",
        last_reviewed=date(2010, 12, 10),
    )
    text = client.get(post.get_absolute_url()).text
    assert "Nancy Sajben MD" in text
    assert "The Promise of Low Dose Naltrexone Therapy" in text
    assert "Elaine A. Moore &amp; Samantha Wilkinson" in text
    assert "Not a substitute for medical advice." in text
    assert "I have no financial interest." in text
    assert "Last reviewed" in text


def test_post_page_metadata_canonical_open_graph_and_json_ld(client, settings):
    settings.SITE_URL = "https://pain.example.org"
    post = PostFactory(
        title="LDN & DXM",
        excerpt="Naltrexone and dextromethorphan calm the glia.",
        published_at=datetime(2010, 4, 12, 17, tzinfo=UTC),
        tags=["glia"],
    )
    text = client.get(post.get_absolute_url()).text
    url = f"https://pain.example.org{post.get_absolute_url()}"
    assert f'<link rel="canonical" href="{url}">' in text
    assert "<title>LDN &amp; DXM · " in text
    assert '<meta name="description" content="Naltrexone and dextromethorphan' in text
    assert '<meta property="og:type" content="article">' in text
    assert f'<meta property="og:url" content="{url}">' in text
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)
    data = json.loads(block.group(1))
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == "LDN & DXM"
    assert data["url"] == url
    assert data["datePublished"].startswith("2010-04-12T17:00:00")
    assert data["keywords"] == ["glia"]
    assert "dateModified" in data


def test_json_ld_cannot_be_broken_out_of(client):
    post = PostFactory(title="</script><script>alert(1)</script>")
    text = client.get(post.get_absolute_url()).text
    assert "<script>alert(1)</script>" not in text


def test_sitemap_and_robots(client):
    post = PostFactory(published_at=datetime(2010, 4, 12, 17, tzinfo=UTC))
    draft = PostFactory(status="draft", published_at=None, slug="hidden-draft")
    sitemap = client.get("/sitemap.xml")
    assert sitemap.status_code == 200
    assert post.get_absolute_url() in sitemap.text
    assert draft.slug not in sitemap.text
    robots = client.get("/robots.txt")
    assert robots["Content-Type"].startswith("text/plain")
    assert "Sitemap: http" in robots.text
    assert "/sitemap.xml" in robots.text


def test_friendly_404(client):
    response = client.get("/2010/04/12/nothing-here/")
    assert response.status_code == 404
    assert "We could not find that page" in response.text
    assert 'role="search"' in response.text


def test_print_stylesheet_is_linked(client):
    post = PostFactory()
    text = client.get(post.get_absolute_url()).text
    assert 'media="print"' in text
