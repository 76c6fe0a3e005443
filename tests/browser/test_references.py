"""A reader on a phone meets the references: the list renders, a citation
mark jumps to its entry and back, and the pages pass the axe audit."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from posts.models import Post
from tests.factories import PostFactory
from tests.references.factories import ReferenceFactory, attach, list_under

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cited_post(live_server):
    call_command("load_demo", stdout=StringIO())
    ReferenceFactory(key="zhang2004x", title="Morphinan neuroprotection", retracted=True)
    block = ReferenceFactory(key="block2007x", title="Microglia-mediated neurotoxicity")
    attach(block)
    extra = ReferenceFactory(key="cree2010x", title="Pilot trial of low dose naltrexone in MS")
    body = "".join(
        f"<p>{'Microglia matter. ' * 40}[@zhang2004x; @block2007x] and more [@block2007x].</p>"
        for _ in range(4)
    )
    post = PostFactory(title="Glia and pain", body=body)
    list_under(post, extra)
    return post


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_citation_mark_jumps_to_its_entry_and_pages_pass_axe(
    page, live_server, cited_post, audit, scheme
):
    page.emulate_media(color_scheme=scheme)
    page.goto(live_server.url + cited_post.get_absolute_url())
    entries = page.locator(".references ol.ref-list > li")
    assert entries.count() == 3
    assert "retracted." in entries.nth(0).inner_text().lower()
    assert "PDF · " in entries.nth(1).inner_text()
    audit(page)

    page.locator("sup.cite a", has_text="2").first.click()
    page.wait_for_url("**#ref-2")
    target = page.locator("#ref-2")
    assert target.is_visible()
    # Scrolled (smoothly) into the phone's viewport.
    expect(target).to_be_in_viewport()
    # ...and back to the text it was cited from.
    target.locator(".ref-back").click()
    page.wait_for_url("**#cite-1")

    for path in ["/references/", "/references/block2007x/", "/references/?type=speech"]:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        audit(page)


def test_seed_post_lists_its_twelve_references(page, live_server, cited_post):
    seed = Post.objects.exclude(pk=cited_post.pk).get()
    page.goto(live_server.url + seed.get_absolute_url())
    assert page.locator(".references ol.ref-list > li").count() == 12
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.keyboard.press("Tab")
    # Keyboard: the citation marks are links a reader can reach and follow.
    page.locator("sup.cite a").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**#ref-1")
