"""WordPress-shaped URLs: posts by date in the site's time zone, archives,
categories, tags, authors, pages; bad input gives 404, never 500."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from posts.models import Page
from tests.factories import CategoryFactory, PageFactory, PostFactory

pytestmark = pytest.mark.django_db


def test_post_url_uses_the_date_in_the_site_time_zone(client, settings):
    settings.TIME_ZONE = "America/Los_Angeles"
    # 02:00 UTC on the 13th is still the 12th in California.
    post = PostFactory(slug="ldn", published_at=datetime(2010, 4, 13, 2, 0, tzinfo=UTC))
    assert post.get_absolute_url() == "/2010/04/12/ldn/"
    response = client.get("/2010/04/12/ldn/")
    assert response.status_code == 200
    assert post.title in response.text
    assert client.get("/2010/04/13/ldn/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/2010/04/12/no-such-post/",
        "/2010/13/01/ldn/",
        "/2010/02/30/ldn/",
        "/2010/00/10/ldn/",
        "/category/nothing/",
        "/tag/nothing/",
        "/author/nobody/",
        "/no-such-page/",
        "/a/b/c/",
    ],
)
def test_unknown_things_are_404(client, url):
    PostFactory(slug="ldn", published_at=datetime(2010, 4, 12, 17, 0, tzinfo=UTC))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99", "1.5"])
def test_malformed_page_numbers_give_404_not_500(client, page):
    PostFactory()
    response = client.get(f"/?page={page}")
    assert response.status_code == 404


def test_home_lists_latest_first_with_featured_on_top_and_paginates(client, settings):
    settings.POSTS_PER_PAGE = 2
    old_featured = PostFactory(
        title="Featured", is_featured=True, published_at=datetime(2009, 1, 1, tzinfo=UTC)
    )
    newer = PostFactory(title="Newest", published_at=datetime(2012, 1, 1, tzinfo=UTC))
    middle = PostFactory(title="Middle", published_at=datetime(2011, 1, 1, tzinfo=UTC))
    page1 = client.get("/")
    titles = [post.title for post in page1.context["object_list"]]
    assert titles == [old_featured.title, newer.title]
    page2 = client.get("/?page=2")
    assert [p.title for p in page2.context["object_list"]] == [middle.title]
    assert 'rel="next"' in page1.text


def test_year_month_and_day_archives(client):
    april = PostFactory(title="April post", published_at=datetime(2010, 4, 12, 17, tzinfo=UTC))
    may = PostFactory(title="May post", published_at=datetime(2010, 5, 3, 17, tzinfo=UTC))
    PostFactory(title="Other year", published_at=datetime(2011, 5, 3, 17, tzinfo=UTC))

    year = client.get("/2010/")
    assert year.status_code == 200
    assert {p.title for p in year.context["object_list"]} == {april.title, may.title}
    month = client.get("/2010/04/")
    assert [p.title for p in month.context["object_list"]] == [april.title]
    day = client.get("/2010/05/03/")
    assert [p.title for p in day.context["object_list"]] == [may.title]
    assert client.get("/2003/").status_code == 404


def test_category_page_includes_posts_of_child_categories(client):
    pain = CategoryFactory(name="Pain", slug="pain")
    crps = CategoryFactory(name="CRPS/RSD", slug="crps-rsd", parent=pain)
    ms = CategoryFactory(name="MS", slug="ms")
    crps_post = PostFactory(title="RSD case", categories=[crps])
    ms_post = PostFactory(title="MS trial", categories=[ms])

    response = client.get("/category/pain/")
    titles = {p.title for p in response.context["object_list"]}
    assert crps_post.title in titles
    assert ms_post.title not in titles
    assert [p.title for p in client.get("/category/crps-rsd/").context["object_list"]] == [
        crps_post.title
    ]


def test_tag_and_author_pages(client, author):
    tagged = PostFactory(title="Glia", tags=["glia"], author=author)
    PostFactory(title="Untagged")
    response = client.get("/tag/glia/")
    assert [p.title for p in response.context["object_list"]] == [tagged.title]
    author_page = client.get(f"/author/{author.username}/")
    assert author_page.status_code == 200
    assert "Nancy Sajben MD" in author_page.text
    assert [p.title for p in author_page.context["object_list"]] == [tagged.title]


def test_pages_at_their_slug_and_nested_under_parent(client):
    about = PageFactory(title="About", slug="about")
    PageFactory(title="Dr Sajben", slug="dr-sajben", parent=about)
    assert client.get("/about/").status_code == 200
    nested = client.get("/about/dr-sajben/")
    assert nested.status_code == 200
    assert "Dr Sajben" in nested.text
    assert client.get("/dr-sajben/").status_code == 404


def test_renaming_a_parent_page_moves_its_children(client):
    about = PageFactory(slug="about")
    child = PageFactory(slug="history", parent=about)
    about.slug = "about-me"
    about.save()
    child.refresh_from_db()
    assert child.get_absolute_url() == "/about-me/history/"
    assert client.get("/about-me/history/").status_code == 200


def test_draft_pages_are_hidden_from_readers(client, staff_client):
    PageFactory(slug="secret", status=Page.Status.DRAFT)
    from django.test import Client

    assert Client().get("/secret/").status_code == 404
    assert staff_client.get("/secret/").status_code == 200


def test_wordpress_search_parameter_on_home(client):
    PostFactory(title="Microglia and pain", body="<p>Microglia are immune cells.</p>")
    PostFactory(title="Unrelated", body="<p>Nothing to see.</p>")
    response = client.get("/?s=microglia")
    assert response.status_code == 200
    assert [p.title for p in response.context["object_list"]] == ["Microglia and pain"]
    assert (
        response.context["object_list"][0].title
        == client.get(reverse("posts:search"), {"q": "microglia"}).context["object_list"][0].title
    )


@pytest.mark.parametrize(
    "url",
    [
        "/%00/",
        "/about%00/",
        "/author/%00/",
        "/author/nsajben%00/",
        "/2010/04/12/ldn%00/",
        "/category/pain%00/",
        "/tag/%00/feed/",
        "/search/%00/",
    ],
)
def test_a_nul_character_in_the_path_is_404(client, author, url):
    PostFactory(slug="ldn", published_at=datetime(2010, 4, 12, 17, 0, tzinfo=UTC))
    PageFactory(slug="about")
    response = client.get(url)
    assert response.status_code == 404
    assert "We could not find that page" in response.text


@pytest.mark.parametrize(
    "url",
    [
        "/?tag=%00",
        "/?p=%00",
        "/?%00=1",
        "/?page=%00",
        "/?s=%00",
        "/category/pain/?page=1%00",
        "/author/nsajben/?x=%00",
        "/about/?preview=%00",
        "/feed/?q=%00",
        "/2010/04/12/ldn/?replytocom=%00",
    ],
)
def test_a_nul_character_in_the_query_string_is_ignored(client, author, url):
    pain = CategoryFactory(slug="pain")
    PostFactory(
        slug="ldn",
        author=author,
        categories=[pain],
        published_at=datetime(2010, 4, 12, 17, 0, tzinfo=UTC),
    )
    PageFactory(slug="about")
    assert client.get(url).status_code == 200


def test_a_search_with_a_nul_character_finds_what_the_rest_asks_for(client):
    PostFactory(title="Naltrexone for fibromyalgia")
    response = client.get("/search/?q=naltrex%00one")
    assert [p.title for p in response.context["object_list"]] == ["Naltrexone for fibromyalgia"]
    assert response.context["query"] == "naltrexone"


@pytest.mark.parametrize(
    "url", ["/9999/", "/9999/12/", "/9999/12/31/", "/0001/01/01/", "/0001/", "/0000/", "/0000/01/"]
)
def test_dates_at_the_ends_of_the_calendar_are_404(client, url):
    PostFactory(published_at=datetime(2010, 4, 12, 17, 0, tzinfo=UTC))
    assert client.get(url).status_code == 404
