"""A reader on a phone subscribes from the sidebar, confirms from the emailed
link, gets the next post, and unsubscribes from that email in one click;
every page passes the accessibility audit."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from posts import services as post_services
from subscriptions.models import Subscriber
from tests.factories import PostFactory
from tests.subscriptions.conftest import links

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def jenny():
    return Subscriber.objects.get(email="jenny@example.org")


def _link(email, fragment, site):
    return next(url for url in links(email.text, site) if fragment in url)


@pytest.fixture
def site(live_server, settings):
    settings.SITE_URL = live_server.url
    call_command("load_demo", stdout=StringIO())
    return live_server.url


def test_subscribe_confirm_and_unsubscribe_in_one_click(page, site, smtp_server, audit):
    page.goto(site + "/")
    sidebar = page.locator(".sidebar")
    assert (
        sidebar.get_by_role("link", name="RSS posts", exact=True).get_attribute("href")
        == site + "/feed/"
    )
    sidebar.get_by_label("Your email address").fill("jenny@example.org")
    sidebar.get_by_label("Every new post").check()
    sidebar.get_by_role("button", name="Subscribe").click()
    page.wait_for_url("**/subscribe/check-your-email/")
    assert page.get_by_role("heading", level=1).inner_text() == "Check your email"
    audit(page)

    [confirmation] = smtp_server.wait_for(1)
    page.goto(_link(confirmation, "/subscribe/confirm/", site))
    audit(page)
    assert jenny().status == Subscriber.Status.PENDING
    page.get_by_role("button", name="Yes, subscribe me").click()
    page.wait_for_url("**/subscribe/preferences/**")
    assert "you are subscribed" in page.locator(".messages").inner_text()
    audit(page)
    assert jenny().status == Subscriber.Status.CONFIRMED

    post = PostFactory(title="Dextromethorphan for CRPS", published_at=timezone.now())
    post_services.post_saved(post=post)
    smtp_server.wait_for(3)  # Jenny's, and the demo reader's
    [new_post] = smtp_server.to("jenny@example.org")[1:]
    assert new_post.subject == "New post: Dextromethorphan for CRPS"
    page.goto(_link(new_post, "/subscribe/unsubscribe/", site))
    audit(page)
    page.get_by_role("button", name="Unsubscribe").click()
    page.wait_for_url("**/subscribe/preferences/**")
    assert "You are unsubscribed" in page.locator(".messages").inner_text()
    assert jenny().status == Subscriber.Status.UNSUBSCRIBED


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_subscribe_page_passes_the_audit_and_works_by_keyboard(page, site, audit, scheme):
    page.emulate_media(color_scheme=scheme)
    page.goto(site + "/subscribe/")
    audit(page)
    field = page.get_by_label("Your email address")
    field.focus()
    page.keyboard.type("reader@example.org")
    page.keyboard.press("Tab")  # to the choices
    page.keyboard.press("ArrowDown")  # a weekly digest
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Subscribe"  # the honeypot is skipped
    page.keyboard.press("Enter")
    page.wait_for_url("**/subscribe/check-your-email/")
    assert Subscriber.objects.get(email="reader@example.org").frequency == "weekly"
