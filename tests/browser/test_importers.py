"""A reader follows an old WordPress link and lands on the imported post."""

from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command

from posts.models import Post
from tests.importers.conftest import DATA, MEDIA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def imported(live_server):
    call_command(
        "import_wxr",
        str(DATA / "seed.xml"),
        "--media-dir",
        str(MEDIA),
        stdout=StringIO(),
        stderr=StringIO(),
    )
    return Post.objects.get(slug__startswith="low-dose-naltrexone")


def test_old_links_land_on_the_imported_post(page, live_server, imported):
    # An old link to a reply deep in a thread, in WordPress's query form.
    page.goto(live_server.url + "/?p=100#comment-8")
    page.wait_for_url("**" + imported.get_absolute_url() + "#comment-8")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Low Dose Naltrexone")
    # The thread came with the post, nested as it was: each reply sits inside the
    # comment it answers, indented further, and the reader is taken to it.
    assert "15 Responses to" in page.locator("#comments-title").inner_text()
    chain = ["#comment-5", "#comment-6", "#comment-7", "#comment-8"]
    for outer, inner in pairwise(chain):
        assert page.locator(f"{outer} > ol.comment-list--children > {inner}").count() == 1
    lefts = [page.locator(f"{c} > article").bounding_box()["x"] for c in chain]
    assert lefts == sorted(lefts) and len(set(lefts)) == 4
    reply = page.locator("#comment-8")
    # Scrolled to it (smoothly, unless the reader asks for reduced motion).
    page.wait_for_function(
        "() => { const box = document.querySelector('#comment-8').getBoundingClientRect();"
        " return box.top >= 0 && box.bottom <= window.innerHeight + box.height; }"
    )
    assert reply.locator(".badge--author").first.inner_text() == "Author"
    assert "Subscribe to Posts" in reply.locator(":scope > article").inner_text()
    assert page.get_by_text("Is LDN safe to take with tramadol").count() == 0  # still held
    figure = page.locator(".post-body figure img")
    assert figure.get_attribute("alt") == "Cover of The Promise of Low Dose Naltrexone Therapy"
    assert page.evaluate("document.querySelector('.post-body figure img').naturalWidth") == 30
    # A document link from the old post opens the file, now the bibliography's.
    link = page.get_by_role("link", name="Morphinan Neuroprotection by Zhang", exact=False)
    assert link.get_attribute("href").startswith("/references/files/")
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.ok and response.body().startswith(b"%PDF")

    # An old hierarchical category address and the old home link.
    page.goto(live_server.url + "/category/pain/crps-rsd/")
    page.wait_for_url("**/category/crps-rsd/")
    assert "Case report: severe RSD" in page.locator("main").inner_text()
