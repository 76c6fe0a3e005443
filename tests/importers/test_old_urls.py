"""Old WordPress addresses keep working: permanent redirects to the new ones."""

import pytest

from importers.models import ImportedDocument
from posts.models import Image, Post
from tests.importers.conftest import MEDIA

SEED_URL = "/2010/06/22/low-dose-naltrexone-ldn-and-dextromethorphan-off-label-for-pain/"


@pytest.fixture
def seeded(import_wxr):
    import_wxr("seed.xml", "--media-dir", str(MEDIA))


def redirects_to(client, path, target):
    response = client.get(path)
    assert response.status_code == 301, (path, response.status_code)
    assert response["Location"] == target, path
    return response


def test_query_forms_on_the_home_page(seeded, client):
    documents = {d.title: d.get_absolute_url() for d in ImportedDocument.objects.all()}
    redirects_to(client, "/?p=100", SEED_URL)
    redirects_to(client, "/?p=100&cpage=2", SEED_URL + "?cpage=2")
    redirects_to(client, "/?page_id=7", "/welcome/")
    redirects_to(client, "/?p=8", "/about/")  # ?p= works for pages too in WordPress
    redirects_to(client, "/?cat=4", "/category/crps-rsd/")
    redirects_to(client, "/?tag=glia", "/tag/glia/")
    redirects_to(client, "/?author=1", "/author/nsajben/")
    redirects_to(client, "/?attachment_id=102", documents["Microglia Mediated Neurotoxicity"])
    # Not an imported item: the home page, as before.
    assert client.get("/?p=99999").status_code == 200
    assert client.get("/?utm_source=newsletter").status_code == 200
    # WordPress's search address still searches.
    assert client.get("/?s=naltrexone").status_code == 200


def test_old_comment_addresses(seeded, client, django_assert_num_queries):
    """#comment-N needs nothing: imported comments keep their WordPress numbers."""
    with django_assert_num_queries(1):  # the mapping, its comment and post: one query
        redirects_to(client, "/?replytocom=6", "/comments/6/")
    redirects_to(client, "/?p=100&replytocom=6", "/comments/6/")
    response = client.get("/comments/6/")
    assert response["Location"] == SEED_URL + "#comment-6"
    assert 'id="comment-6"' in client.get(SEED_URL).content.decode()
    # WordPress's pages of comments.
    redirects_to(client, SEED_URL + "comment-page-1/", SEED_URL + "#comments")
    redirects_to(client, SEED_URL + "comment-page-2/", SEED_URL + "?cpage=2#comments")
    redirects_to(client, "/about/comment-page-1/", "/about/")  # pages take no comments here
    assert client.get("/2010/06/22/no-such-post/comment-page-2/").status_code == 404
    # A held comment stays out of sight: the home page, as for any unknown query.
    assert client.get("/?replytocom=16").status_code == 200


def test_old_paths_that_differ(seeded, client):
    image = Image.objects.get()
    morphinan = ImportedDocument.objects.get(title="Morphinan Neuroprotection").attachment
    assert morphinan is not None  # the bibliography's file now
    # Hierarchical category address.
    redirects_to(client, "/category/pain/crps-rsd/", "/category/crps-rsd/")
    # Uploaded files, including WordPress's resized copies.
    redirects_to(
        client,
        "/wp-content/uploads/2010/06/Morphinan-Neuroprotection.pdf",
        morphinan.get_absolute_url(),
    )
    redirects_to(client, "/wp-content/uploads/2010/06/promise-of-ldn-150x150.jpg", image.file.url)
    # An attachment page.
    redirects_to(client, SEED_URL + "morphinan-neuroprotection/", morphinan.get_absolute_url())
    # Addresses that did not change answer directly.
    assert client.get(SEED_URL).status_code == 200
    assert client.get("/about/team/").status_code == 200
    assert client.get("/tag/glia/").status_code == 200


def test_drafts_stay_hidden(import_wxr, client):
    import_wxr("statuses.xml")
    draft = Post.objects.get(title="Private notes")
    response = client.get("/?p=603")
    assert response.status_code == 200  # the home page: no hint that it exists
    assert draft.title not in response.content.decode()


def test_scheduled_posts_stay_hidden_until_their_time(import_wxr, client):
    """WordPress's /?p= for a post scheduled for later does not give away its
    address (the date and slug) before it is published."""
    import_wxr("statuses.xml")
    scheduled = Post.objects.get(title="Scheduled for later")
    assert scheduled.is_scheduled
    response = client.get("/?p=604")
    assert response.status_code == 200  # the home page, as for a draft
    assert scheduled.slug not in response.content.decode()


def test_another_permalink_structure_in_a_subfolder(import_wxr, client):
    import_wxr("permalinks.xml")
    case = Post.objects.get(slug="ldn-case-report")
    follow_up = Post.objects.get(slug="follow-up")
    assert case.get_absolute_url() == "/2011/06/15/ldn-case-report/"
    redirects_to(client, "/blog/ldn-case-report/", case.get_absolute_url())
    redirects_to(client, "/blog/archives/402", follow_up.get_absolute_url())
    redirects_to(
        client,
        "/blog/ldn-case-report/comment-page-3/",
        case.get_absolute_url() + "?cpage=3#comments",
    )
    # Links inside posts follow the move.
    assert f'<a href="{follow_up.get_absolute_url()}">the follow-up</a>' in case.body
    assert f'<a href="{follow_up.get_absolute_url()}#more">more</a>' in case.body
    assert case.author.username == "ns"
