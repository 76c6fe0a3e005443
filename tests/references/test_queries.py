"""A post page costs the same queries with 1 reference or 50 (and 100 files)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import PostFactory
from tests.helpers import POST_PAGE_QUERIES
from tests.references.factories import ReferenceFactory, attach, list_under

pytestmark = pytest.mark.django_db


TINY_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"  # noqa: E501


def _post_with(n):
    references = []
    for _i in range(n):
        reference = ReferenceFactory(authors=[("Zhang", "W"), ("Hong", "J-S"), ("Kim", "H")])
        for kind in ("full-text", "slides"):
            data = TINY_PDF + f"% {reference.key} {kind}\n".encode()
            attach(reference, SimpleUploadedFile(f"{kind}.pdf", data), kind=kind)
        references.append(reference)
    cited, listed = references[: n // 2 + 1], references[n // 2 + 1 :]
    body = "".join(f"<p>Claim [@{r.key}] and again [@{r.key}, p. 2].</p>" for r in cited)
    post = PostFactory(body=body)
    list_under(post, *listed)
    return post


def _count(client, post, django_assert_max_num_queries):
    client.get(post.get_absolute_url())  # warm the caches (site settings, formatted entries)
    with django_assert_max_num_queries(POST_PAGE_QUERIES) as captured:
        response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    return len(captured), response.text


def test_post_page_queries_are_constant_with_50_references_and_100_files(
    client, django_assert_max_num_queries
):
    small_count, _html = _count(client, _post_with(1), django_assert_max_num_queries)
    large_count, html = _count(client, _post_with(50), django_assert_max_num_queries)
    assert html.count('<li class="ref" id="ref-') == 50
    assert html.count("PDF · ") == 100
    assert small_count == large_count


def test_kept_reference_list_changes_when_a_reference_does(
    client, settings, django_capture_on_commit_callbacks
):
    settings.FRAGMENT_CACHE_SECONDS = 300
    post = PostFactory(body="<p>Morphinans [@zhang2004].</p>")
    reference = ReferenceFactory(key="zhang2004", title="Morphinan neuroprotection")
    client.get(post.get_absolute_url())
    assert "Morphinan neuroprotection" in client.get(post.get_absolute_url()).text
    with django_capture_on_commit_callbacks(execute=True):
        reference.title = "Morphinan neuroprotection, revised"
        reference.save()
    assert "Morphinan neuroprotection, revised" in client.get(post.get_absolute_url()).text
