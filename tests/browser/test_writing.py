"""The author writes a post in the admin's WYSIWYG editor and publishes it."""

import pytest

from posts.models import Post
from tests.factories import AuthorProfileFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_author_writes_and_publishes_a_post_in_the_editor(page, live_server):
    AuthorProfileFactory(user__username="writer")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("writer")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + "/admin/posts/post/add/")

    page.get_by_label("Title").press_sequentially("Ketamine and the glia")
    # The slug is filled in from the title as the author types.
    assert page.get_by_label("Slug").input_value() == "ketamine-and-the-glia"
    editor = page.locator(".field-body [contenteditable=true]")
    editor.click()
    page.keyboard.type("Ketamine quiets microglia.")
    page.get_by_label("Status").select_option("published")
    page.locator("#id_published_at_0").fill("2024-03-01")
    page.locator("#id_published_at_1").fill("10:00:00")
    page.get_by_role("button", name="Save", exact=True).first.click()
    page.wait_for_url("**/admin/posts/post/")

    post = Post.objects.get(slug="ketamine-and-the-glia")
    assert post.body == "<p>Ketamine quiets microglia.</p>"
    page.goto(live_server.url + post.get_absolute_url())
    assert page.get_by_role("heading", level=1).inner_text() == "Ketamine and the glia"
