"""RSS and Atom feeds: they parse cleanly, carry the full post with absolute
links, dates, authors and categories, answer conditional GETs, and cost the
same number of queries whatever the number of items."""

from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import feedparser
import pytest
import time_machine
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from tests.factories import CategoryFactory, PostFactory, PostUpdateFactory

pytestmark = pytest.mark.django_db

SITE = "https://pain.example.org"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def parse(response):
    assert response.status_code == 200, response.status_code
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    return parsed


@pytest.fixture
def ldn_post(author):
    crps = CategoryFactory(name="CRPS/RSD", slug="crps-rsd")
    post = PostFactory(
        title="Low dose naltrexone & the glia",
        slug="ldn",
        author=author,
        published_at=datetime(2010, 4, 12, 16, 30, tzinfo=UTC),
        excerpt="LDN acts on the microglia.",
        body=(
            '<p>See <a href="/tag/glia/">the glia posts</a> and '
            '<a href="https://pubmed.ncbi.nlm.nih.gov/1/">the paper</a>.</p>'
            '<p><img src="/media/images/glia.png" alt="Microglia"></p>'
        ),
        categories=[crps],
        tags=["naltrexone", "glia"],
    )
    return post


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_site_feed_carries_full_post_dates_author_and_categories(client, ldn_post, url):
    parsed = parse(client.get(url))
    assert parsed.feed.title == "Pain Management"
    assert parsed.feed.link == f"{SITE}/"
    [entry] = parsed.entries
    assert entry.title == "Low dose naltrexone & the glia"
    assert entry.link == f"{SITE}/2010/04/12/ldn/"
    assert entry.author == "Nancy Sajben MD"
    assert entry.published_parsed[:5] == (2010, 4, 12, 16, 30)
    assert entry.updated_parsed is not None
    assert {tag.term for tag in entry.tags} == {"CRPS/RSD", "naltrexone", "glia"}
    assert entry.summary == "<p>LDN acts on the microglia.</p>"
    content = entry.content[0].value
    # Absolute links and images, external links untouched, no script ever.
    assert f'href="{SITE}/tag/glia/"' in content
    assert f'src="{SITE}/media/images/glia.png"' in content
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/1/"' in content
    assert "not a substitute for medical advice" in content
    assert entry.id.startswith("tag:pain.example.org,2010-04-12:post:")


def test_rss_puts_summary_in_description_and_full_text_in_content_encoded(client, ldn_post):
    xml = client.get("/feed/").content.decode()
    assert "<content:encoded>" in xml
    assert "<description>&lt;p&gt;LDN acts on the microglia.&lt;/p&gt;</description>" in xml
    assert "<dc:creator" in xml and "Nancy Sajben MD" in xml
    assert "@" not in xml.split("<item>")[1]  # no author email address leaks


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_a_dated_update_bumps_the_updated_date_and_appears_in_the_content(client, ldn_post, url):
    ldn_post.__class__.objects.filter(pk=ldn_post.pk).update(
        updated_at=datetime(2010, 4, 12, 17, 0, tzinfo=UTC)
    )
    before = parse(client.get(url)).entries[0].updated_parsed
    PostUpdateFactory(post=ldn_post, date=date(2010, 12, 10), text="<p>See the case report.</p>")
    entry = parse(client.get(url)).entries[0]
    assert entry.updated_parsed > before
    assert entry.updated_parsed[:3] == (2010, 12, 10)
    assert "Update December 10, 2010:" in entry.content[0].value
    assert "See the case report." in entry.content[0].value


def test_drafts_and_scheduled_posts_stay_out_until_their_time(client, ldn_post):
    later = timezone.now() + timedelta(days=2)
    PostFactory(title="Scheduled", published_at=later)
    PostFactory(title="Draft", status="draft", published_at=None)
    assert [e.title for e in parse(client.get("/feed/")).entries] == [ldn_post.title]
    with time_machine.travel(later + timedelta(minutes=1)):
        titles = [e.title for e in parse(client.get("/feed/")).entries]
    assert titles == ["Scheduled", ldn_post.title]


def test_category_feed_includes_subcategories_and_tag_feed_its_tag(client, ldn_post):
    pain = CategoryFactory(name="Pain", slug="pain")
    ldn_post.categories.first().__class__.objects.filter(slug="crps-rsd").update(parent=pain)
    PostFactory(title="Unrelated", categories=[CategoryFactory(slug="ms")])
    for url in ["/category/pain/feed/", "/category/pain/feed/atom/"]:
        parsed = parse(client.get(url))
        assert parsed.feed.title == "Pain Management · Pain"
        assert [e.title for e in parsed.entries] == [ldn_post.title]
    parsed = parse(client.get("/tag/glia/feed/"))
    assert [e.title for e in parsed.entries] == [ldn_post.title]
    assert "glia" in parsed.feed.title
    assert client.get("/category/nothing/feed/").status_code == 404
    assert client.get("/tag/nothing/feed/atom/").status_code == 404


def test_cover_image_is_an_enclosure(client, ldn_post):
    buffer = BytesIO()
    Image.new("RGB", (40, 20), "teal").save(buffer, format="JPEG")
    ldn_post.cover_image.save("cover.jpg", ContentFile(buffer.getvalue()))
    ldn_post.cover_alt = "A diagram"
    ldn_post.save()
    for url in ["/feed/", "/feed/atom/"]:
        [enclosure] = parse(client.get(url)).entries[0].enclosures
        assert enclosure.href == f"{SITE}{ldn_post.cover_image.url}"
        assert enclosure.type == "image/jpeg"
        assert int(enclosure.length) == len(buffer.getvalue())


def test_conditional_get_answers_304_and_says_how_long_to_cache(client, ldn_post):
    response = client.get("/feed/")
    etag, modified = response["ETag"], response["Last-Modified"]
    assert "max-age=600" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    again = client.get("/feed/", headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert client.get("/feed/", headers={"if-modified-since": modified}).status_code == 304
    # Atom and RSS are different documents.
    assert client.get("/feed/atom/", headers={"if-none-match": etag}).status_code == 200
    # A change (here a new post) gives a new ETag.
    PostFactory(title="New post")
    changed = client.get("/feed/", headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_conditional_get_of_an_unchanged_feed_does_not_build_it(
    client, ldn_post, django_assert_max_num_queries
):
    etag = client.get("/feed/")["ETag"]
    with django_assert_max_num_queries(2):  # site settings and the fingerprint
        assert client.get("/feed/", headers={"if-none-match": etag}).status_code == 304


def _feed_queries(client, url, captured_queries):
    client.get(url)  # warm the Sites cache
    with captured_queries() as captured:
        parse(client.get(url))
    return len(captured)


def test_feed_queries_do_not_grow_with_items(client, author, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def make(n):
        for i in range(n):
            post = PostFactory(
                author=author, categories=CategoryFactory.create_batch(2), tags=[f"t{i}", "x"]
            )
            PostUpdateFactory.create_batch(2, post=post)

    def count(url):
        return _feed_queries(client, url, lambda: CaptureQueriesContext(connection))

    make(2)
    few = {url: count(url) for url in ["/feed/", "/feed/atom/", "/tag/x/feed/"]}
    make(18)
    many = {url: count(url) for url in few}
    assert few == many
    assert max(many.values()) <= 7


def test_comments_feed_carries_the_posts_public_comments(client, ldn_post):
    from comments.models import Comment
    from tests.factories import make_comment

    url = "/2010/04/12/ldn/feed/"
    parsed = parse(client.get(url))
    assert parsed.feed.title == "Comments on “Low dose naltrexone & the glia”"
    assert parsed.entries == []

    submitted = datetime(2011, 3, 1, 18, 5, tzinfo=UTC)
    comment = make_comment(
        ldn_post,
        user_name="Jenny Young",
        comment="Is there a different way\nto add me <to> your list? jenny@example.com",
        submit_date=submitted,
    )
    make_comment(ldn_post, comment="Held back", status=Comment.Status.PENDING)
    for feed_url in [url, url + "atom/"]:
        [entry] = parse(client.get(feed_url)).entries
        assert entry.author == "Jenny Young"
        assert entry.link == f"{SITE}/comments/{comment.pk}/"
        assert entry.published_parsed[:5] == (2011, 3, 1, 18, 5)
        assert "&lt;to&gt;" in entry.summary and "<br" in entry.summary
        assert "jenny@example.com" not in entry.summary  # masked, as on the page
    assert client.get("/2010/04/13/ldn/feed/").status_code == 404


def test_old_wordpress_feed_addresses_redirect(client):
    for old in ["/feed/rss2/", "/feed/rss/"]:
        response = client.get(old)
        assert response.status_code == 301
        assert response["Location"] == "/feed/"


def test_every_page_announces_its_feeds_and_the_sidebar_shows_them(client, ldn_post):
    def alternates(url):
        text = client.get(url).text
        head = text.split("</head>")[0]
        return text, [
            line.split('href="')[1].split('"')[0]
            for line in head.splitlines()
            if 'rel="alternate"' in line
        ]

    text, links = alternates("/")
    assert links == [f"{SITE}/feed/", f"{SITE}/feed/atom/"]
    sidebar = text.split('class="sidebar"')[1]
    assert "Subscribe to posts" in sidebar and "RSS posts" in sidebar
    assert f'href="{SITE}/feed/"' in sidebar

    _text, links = alternates("/category/crps-rsd/")
    assert f"{SITE}/category/crps-rsd/feed/" in links
    _text, links = alternates("/tag/glia/")
    assert f"{SITE}/tag/glia/feed/atom/" in links
    text, links = alternates(ldn_post.get_absolute_url())
    assert f"{SITE}/2010/04/12/ldn/feed/" in links
    assert "RSS comments" in text.split('class="sidebar"')[1]
    for link in links:  # and every announced feed parses
        parse(client.get(link.removeprefix(SITE)))
