"""PostgreSQL full-text search: weights, websearch syntax, highlighted
snippets, tags and updates included, absurd queries handled."""

import pytest
from django.urls import reverse

from tests.factories import PostFactory, PostUpdateFactory

pytestmark = pytest.mark.django_db


def search(client, q):
    response = client.get(reverse("posts:search"), {"q": q})
    assert response.status_code == 200
    return response


def test_title_matches_rank_above_body_matches(client):
    PostFactory(title="Ketamine infusions", body="<p>We also discuss naltrexone briefly.</p>")
    PostFactory(title="Naltrexone for fibromyalgia", body="<p>A Stanford trial.</p>")
    titles = [p.title for p in search(client, "naltrexone").context["object_list"]]
    assert titles == ["Naltrexone for fibromyalgia", "Ketamine infusions"]


def test_stemming_and_websearch_syntax(client):
    PostFactory(title="Glia", body="<p>Microglia are inflamed in chronic pain.</p>")
    PostFactory(title="Opioids", body="<p>Opioids cause pain and inflammation.</p>")
    assert [p.title for p in search(client, "inflaming").context["object_list"]] == ["Glia"]
    assert [p.title for p in search(client, '"chronic pain"').context["object_list"]] == ["Glia"]
    assert [p.title for p in search(client, "pain -microglia").context["object_list"]] == [
        "Opioids"
    ]
    assert {p.title for p in search(client, "glia or opioids").context["object_list"]} == {
        "Glia",
        "Opioids",
    }


def test_updates_and_tags_are_searched(client):
    post = PostFactory(title="LDN", body="<p>Low dose.</p>", tags=["toll-like receptor"])
    assert [p.title for p in search(client, "receptor").context["object_list"]] == ["LDN"]
    PostUpdateFactory(post=post, text="<p>A new case report on thalamic pain.</p>")
    assert [p.title for p in search(client, "thalamic").context["object_list"]] == ["LDN"]


def test_snippet_highlights_matches_and_escapes_the_text(client):
    PostFactory(
        title="Dosing",
        body="<p>Take 4.5 mg &lt;script&gt;alert(1)&lt;/script&gt; &amp; 5 &lt; 6 "
        "of naltrexone at bedtime.</p>",
    )
    response = search(client, "naltrexone")
    assert "<mark>naltrexone</mark>" in response.text
    assert "<script>alert(1)</script>" not in response.text
    assert "&amp; 5 &lt; 6 of <mark>naltrexone</mark>" in response.text


def test_drafts_are_not_found(client):
    PostFactory(title="Secret naltrexone draft", status="draft", published_at=None)
    assert list(search(client, "naltrexone").context["object_list"]) == []


@pytest.mark.parametrize(
    "q",
    ["", "   ", "!!!", "&|!():*", "a" * 10_000, "naltrexone\x00", "\\", "'", '"', "-", "or"],
)
def test_absurd_queries_get_a_normal_page(client, q):
    PostFactory(title="Naltrexone")
    response = search(client, q)
    assert "Search" in response.text


def test_search_form_on_every_page(client):
    post = PostFactory()
    for url in ["/", post.get_absolute_url(), "/search/", "/no-such-page/"]:
        response = client.get(url)
        assert 'role="search"' in response.text
        assert 'name="q"' in response.text


def _found(client, q):
    return [p.title for p in search(client, q).context["object_list"]]


def test_saving_through_the_orm_keeps_the_index_current(client, author):
    """No helper call needed: the post, its updates and its tags index themselves."""
    from posts.models import Post, PostUpdate

    post = Post.objects.create(
        title="Low dose naltrexone",
        slug="ldn",
        author=author,
        body="<p>Glial modulation.</p>",
        status=Post.Status.PUBLISHED,
    )
    assert _found(client, "glial") == ["Low dose naltrexone"]

    update = PostUpdate.objects.create(post=post, text="<p>Zygapophyseal injections.</p>")
    assert _found(client, "zygapophyseal") == ["Low dose naltrexone"]
    update.text = "<p>Quadratus lumborum.</p>"
    update.save()
    assert _found(client, "zygapophyseal") == []
    assert _found(client, "lumborum") == ["Low dose naltrexone"]
    update.delete()
    assert _found(client, "lumborum") == []

    post.tags.add("thalamus")
    assert _found(client, "thalamus") == ["Low dose naltrexone"]
    post.tags.set(["cerebellum"])
    assert _found(client, "thalamus") == []
    assert _found(client, "cerebellum") == ["Low dose naltrexone"]
    tag = post.tags.get()
    tag.name = "hippocampus"
    tag.save()
    assert _found(client, "hippocampus") == ["Low dose naltrexone"]
    post.tags.clear()
    assert _found(client, "hippocampus") == []

    post.title = "Naltrexone at bedtime"
    post.body = "<p>Astrocytes.</p>"
    post.save()
    assert _found(client, "glial") == []
    assert _found(client, "astrocytes") == ["Naltrexone at bedtime"]
