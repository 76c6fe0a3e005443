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


def _png(width, height):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (width, height), "gray").save(buffer, format="PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def test_author_box_ends_the_post_and_the_author_page_shows_the_profile(
    client, django_assert_max_num_queries
):
    from tests.helpers import POST_PAGE_QUERIES

    profile = AuthorProfileFactory(
        user__username="drs",
        bio="<p>Pain physician in Seattle since 1990, writing about glia.</p>",
        photo=_png(60, 80),
    )
    post = PostFactory(author=profile.user, tags=["glia"])
    client.get(post.get_absolute_url())  # warm the site-settings cache
    with django_assert_max_num_queries(POST_PAGE_QUERIES):
        text = client.get(post.get_absolute_url()).text
    box = text[text.index('<aside class="author-box"') :]
    box = box[: box.index("</aside>")]
    assert "Nancy Sajben MD" in box
    assert "Pain physician in Seattle since 1990" in box
    assert f'src="{profile.photo.url}"' in box
    assert 'width="60" height="80"' in box
    assert 'href="/author/drs/"' in box
    # At the end of the post: after the body and the tags.
    assert text.index("Low dose naltrexone acts") < text.index("Tags:") < text.index(box)

    author_page = client.get("/author/drs/").text
    assert "Pain physician in Seattle since 1990" in author_page
    assert f'src="{profile.photo.url}"' in author_page
    assert 'width="60" height="80"' in author_page


def test_post_without_author_profile_has_no_author_box(client):
    post = PostFactory()
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    assert "author-box" not in response.text


def test_latest_update_newer_than_the_last_edit_is_the_updated_date(client, settings):
    import time_machine

    settings.SITE_URL = "https://pain.example.org"
    settings.TIME_ZONE = "America/Los_Angeles"
    with time_machine.travel(datetime(2010, 5, 1, 18, tzinfo=UTC), tick=False):
        post = PostFactory(published_at=datetime(2010, 4, 12, 17, tzinfo=UTC))
        PostUpdateFactory(post=post, date=date(2010, 6, 22), text="<p>Case reports.</p>")
        PostUpdateFactory(post=post, date=date(2010, 5, 20), text="<p>An earlier one.</p>")
    post.refresh_from_db()
    assert post.updated_at.date() == date(2010, 5, 1)

    text = client.get(post.get_absolute_url()).text
    assert '· Updated <time datetime="2010-06-22T00:00:00-07:00">June 22, 2010</time>' in text
    assert 'content="2010-06-22T00:00:00-07:00"' in text  # article:modified_time
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)
    data = json.loads(block.group(1))
    assert data["dateModified"] == "2010-06-22T00:00:00-07:00"
    assert data["datePublished"].startswith("2010-04-12T")

    sitemap = client.get("/sitemap.xml").text
    # (The sitemap's domain is the Site row's, which migrate sets from SITE_URL.)
    path = re.escape(post.get_absolute_url())
    assert re.search(rf"<loc>[^<]*{path}</loc>\s*<lastmod>2010-06-22</lastmod>", sitemap), sitemap


def _meta(text, attribute, name):
    found = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', text)
    return found.group(1) if found else None


def _canonical(text):
    return re.search(r'<link rel="canonical" href="([^"]*)">', text).group(1)


def test_home_category_and_page_have_their_own_canonical_title_and_description(client, settings):
    from tests.factories import CategoryFactory, PageFactory

    settings.SITE_URL = "https://pain.example.org"
    site = SiteSettings.get_solo()
    site.site_title = "Pain Management Weblog"
    site.description = "A physician writes about chronic pain."
    site.save()
    pain = CategoryFactory(name="CRPS/RSD", slug="crps-rsd", description="Complex pain.")
    PostFactory(categories=[pain])
    PageFactory(title="About", slug="about", body="<p>I am a pain physician &amp; writer.</p>")

    home = client.get("/").text
    assert _canonical(home) == "https://pain.example.org/"
    assert _meta(home, "property", "og:title") == "Pain Management Weblog"
    assert _meta(home, "name", "description") == "A physician writes about chronic pain."
    assert _meta(home, "property", "og:url") == "https://pain.example.org/"

    _assert_own_head(
        client.get("/category/crps-rsd/").text,
        url="https://pain.example.org/category/crps-rsd/",
        title="CRPS/RSD",
        description="Complex pain.",
    )
    _assert_own_head(
        client.get("/about/").text,
        url="https://pain.example.org/about/",
        title="About",
        description="I am a pain physician &amp; writer.",
    )


def _assert_own_head(text, *, url, title, description):
    """The page's own address, title and description in its canonical link,
    <title>, description and Open Graph tags."""
    assert _canonical(text) == url
    assert _meta(text, "property", "og:url") == url
    assert f"<title>{title} · Pain Management Weblog</title>" in text
    assert _meta(text, "property", "og:title") == title
    assert _meta(text, "name", "description") == description
    assert _meta(text, "property", "og:description") == description
