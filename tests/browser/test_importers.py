"""A reader follows an old WordPress link and lands on the imported post."""

from io import StringIO

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
    page.goto(live_server.url + "/?p=100")
    page.wait_for_url("**" + imported.get_absolute_url())
    assert page.get_by_role("heading", level=1).inner_text().startswith("Low Dose Naltrexone")
    figure = page.locator(".post-body figure img")
    assert figure.get_attribute("alt") == "Cover of The Promise of Low Dose Naltrexone Therapy"
    assert page.evaluate("document.querySelector('.post-body figure img').naturalWidth") == 30
    # A document link from the old post opens the imported file.
    link = page.get_by_role("link", name="Morphinan Neuroprotection by Zhang", exact=False)
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.ok and response.body().startswith(b"%PDF")

    # An old hierarchical category address and the old home link.
    page.goto(live_server.url + "/category/pain/crps-rsd/")
    page.wait_for_url("**/category/crps-rsd/")
    assert "Case report: severe RSD" in page.locator("main").inner_text()
