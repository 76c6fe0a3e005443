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

    from tests.references.factories import ReferenceFactory, attach, list_under

    def make(n):
        for i in range(n):
            cited, listed = ReferenceFactory(), ReferenceFactory()
            post = PostFactory(
                author=author,
                categories=CategoryFactory.create_batch(2),
                tags=[f"t{i}", "x"],
                body=f"<p>As shown [@{cited.key}].</p>",
            )
            PostUpdateFactory.create_batch(2, post=post)
            attach(cited, is_public=False)
            attach(listed)
            list_under(post, listed)

    def count(url):
        return _feed_queries(client, url, lambda: CaptureQueriesContext(connection))

    make(2)
    few = {url: count(url) for url in ["/feed/", "/feed/atom/", "/tag/x/feed/"]}
    make(18)
    many = {url: count(url) for url in few}
    assert few == many
    assert max(many.values()) <= 8  # with the references cited and listed, and their files
    atom = parse(client.get("/feed/atom/"))
    assert all(len(entry.enclosures) == 1 for entry in atom.entries)  # the public file


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


@pytest.mark.parametrize("url", ["/category/crps-rsd/feed/", "/tag/glia/feed/atom/"])
def test_category_and_tag_feeds_carry_dates_authors_and_links(client, ldn_post, url):
    ldn_post.__class__.objects.filter(pk=ldn_post.pk).update(
        updated_at=datetime(2010, 4, 12, 17, 0, tzinfo=UTC)
    )
    PostUpdateFactory(post=ldn_post, date=date(2010, 12, 10), text="<p>A case report.</p>")
    parsed = parse(client.get(url))
    assert parsed.feed.link.startswith(f"{SITE}/")
    [entry] = parsed.entries
    assert entry.link == f"{SITE}/2010/04/12/ldn/"
    assert entry.author == "Nancy Sajben MD"
    assert entry.published_parsed[:5] == (2010, 4, 12, 16, 30)
    assert entry.updated_parsed[:3] == (2010, 12, 10)
    assert entry.id.startswith("tag:pain.example.org,2010-04-12:post:")
    assert f'href="{SITE}/tag/glia/"' in entry.content[0].value
    assert client.get(entry.link.removeprefix(SITE)).status_code == 200


def _assert_304_then_200_after(client, url, change, capture):
    """The feed answers 304 to its own ETag until ``change()`` (committed, as
    the admin commits) alters what it shows; then a new ETag and the feed."""
    first = client.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    assert client.get(url, headers={"if-modified-since": modified}).status_code == 304
    with capture(execute=True):
        change()
    # A second later, so that Last-Modified can move too.
    with time_machine.travel(timezone.now() + timedelta(seconds=2)):
        response = client.get(url, headers={"if-none-match": etag})
        assert response.status_code == 200
        assert response["ETag"] != etag
        since = client.get(url, headers={"if-modified-since": modified})
        assert since.status_code == 200
    return parse(response)


def test_conditional_get_on_a_category_feed(client, ldn_post, django_capture_on_commit_callbacks):
    url = "/category/crps-rsd/feed/"
    parsed = _assert_304_then_200_after(
        client,
        url,
        lambda: PostFactory(title="Ketamine", categories=[ldn_post.categories.get()]),
        django_capture_on_commit_callbacks,
    )
    assert parsed.entries[0].title == "Ketamine"


def test_conditional_get_on_a_posts_comments_feed(
    client, ldn_post, django_capture_on_commit_callbacks
):
    from tests.factories import make_comment

    url = "/2010/04/12/ldn/feed/"
    make_comment(ldn_post, user_name="Jenny Young", comment="First.")
    response = client.get(url)
    assert "max-age=600" in response["Cache-Control"]
    parsed = _assert_304_then_200_after(
        client,
        url,
        lambda: make_comment(ldn_post, user_name="Tom", comment="Second."),
        django_capture_on_commit_callbacks,
    )
    assert {e.author for e in parsed.entries} == {"Jenny Young", "Tom"}


def _rename_category(post):
    category = post.categories.get()
    category.name = "Complex regional pain syndrome"
    category.save()


def _rename_tag(post):
    from taggit.models import Tag

    tag = Tag.objects.get(name="glia")
    tag.name = "microglia"
    tag.save()


def _rename_author(post):
    profile = post.author.author_profile
    profile.display_name = "Nancy J. Sajben"
    profile.save()


def _change_disclaimer(post):
    from core.models import SiteSettings

    site = SiteSettings.get_solo()
    site.medical_disclaimer = "<p>Ask your own physician first.</p>"
    site.save()


def _edit_update(post):
    update = post.updates.get()
    update.text = "<p>The case report is out.</p>"
    update.save()


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        (_rename_category, "Complex regional pain syndrome"),
        (_rename_tag, "microglia"),
        (_rename_author, "Nancy J. Sajben"),
        (_change_disclaimer, "Ask your own physician first."),
        (_edit_update, "The case report is out."),
    ],
)
@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/", "/category/crps-rsd/feed/"])
def test_every_change_a_feed_shows_gives_a_new_etag(
    client, ldn_post, django_capture_on_commit_callbacks, change, shown, url
):
    PostUpdateFactory(post=ldn_post, date=date(2010, 12, 10), text="<p>A case report.</p>")
    parsed = _assert_304_then_200_after(
        client, url, lambda: change(ldn_post), django_capture_on_commit_callbacks
    )
    [entry] = parsed.entries
    everything = entry.content[0].value + entry.author + " ".join(t.term for t in entry.tags)
    assert shown in everything


def test_a_dated_update_added_alone_gives_a_new_etag(client, ldn_post):
    """Even without the shared generation (no commit happens in this test):
    the fingerprint query counts the posts' updates."""
    etag = client.get("/feed/")["ETag"]
    PostUpdateFactory(post=ldn_post, date=date(2010, 4, 12), text="<p>Same day addendum.</p>")
    response = client.get("/feed/", headers={"if-none-match": etag})
    assert response.status_code == 200
    assert "Same day addendum." in parse(response).entries[0].content[0].value


def _reference_files(post):
    """A cited reference with public slides, a listed one with a public PDF
    and a private copy."""
    from tests.references.factories import (
        ReferenceFactory,
        attach,
        list_under,
        pdf_upload,
        pptx_upload,
    )

    cited = ReferenceFactory(key="younger2009")
    listed = ReferenceFactory(key="smith2010")
    slides = attach(cited, pptx_upload(title="LDN talk"), kind="slides")
    paper = attach(listed, pdf_upload(title="The LDN paper"))
    private = attach(listed, pdf_upload(name="copy.pdf", title="Publisher copy"), is_public=False)
    post.body += "<p>As Younger showed [@younger2009].</p>"
    post.save()
    list_under(post, listed)
    return slides, paper, private


def _enclosures(client, url):
    return [(e.href, int(e.length), e.type) for e in parse(client.get(url)).entries[0].enclosures]


def _expected(attachment):
    return (f"{SITE}{attachment.get_absolute_url()}", attachment.size, attachment.mime_type)


def test_reference_files_are_enclosures_and_private_ones_never(client, ldn_post):
    slides, paper, private = _reference_files(ldn_post)
    assert slides.mime_type.endswith("presentationml.presentation")
    assert paper.mime_type == "application/pdf"
    # Atom: every public file, cited references first.
    assert _enclosures(client, "/feed/atom/") == [_expected(slides), _expected(paper)]
    # RSS allows one: the public full text.
    assert _enclosures(client, "/feed/") == [_expected(paper)]
    for url in ["/feed/", "/feed/atom/", "/tag/glia/feed/atom/"]:
        xml = client.get(url).content.decode()
        assert private.get_absolute_url() not in xml
    # The enclosed file downloads, with the length the feed says.
    download = client.get(paper.get_absolute_url())
    assert download.status_code == 200
    assert (
        len(b"".join(download.streaming_content if download.streaming else [download.content]))
        == paper.size
    )


def test_with_a_cover_rss_encloses_the_cover_and_atom_everything(client, ldn_post):
    slides, paper, _private = _reference_files(ldn_post)
    buffer = BytesIO()
    Image.new("RGB", (40, 20), "teal").save(buffer, format="JPEG")
    ldn_post.cover_image.save("cover.jpg", ContentFile(buffer.getvalue()))
    cover = (f"{SITE}{ldn_post.cover_image.url}", len(buffer.getvalue()), "image/jpeg")
    assert _enclosures(client, "/feed/") == [cover]
    assert _enclosures(client, "/feed/atom/") == [cover, _expected(slides), _expected(paper)]
