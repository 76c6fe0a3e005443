"""A reader comments, confirms through the emailed link; the author approves it
in the queue and replies on the page; the thread shows the nesting and the
author's badge. Chromium, with the local Akismet and SMTP servers."""

from io import StringIO

import pytest
from django.core.management import call_command

from posts.models import Post
from tests.helpers import comment_confirmation_link, fill_comment_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_server):
    call_command("load_demo", stdout=StringIO())
    return Post.objects.get()


def test_comment_confirm_approve_reply(
    page, live_server, demo, audit, akismet_server, smtp_server, settings
):
    settings.SITE_URL = live_server.url
    post_url = live_server.url + demo.get_absolute_url()

    # A reader comments, asking for replies by email.
    page.goto(post_url)
    fill_comment_form(
        page,
        name="Jenny Young",
        email="jenny@example.com",
        comment="Is 100 mg of dextromethorphan too high a dose for CRPS?",
    )
    page.get_by_label("Replies to my comment").check()
    page.get_by_role("button", name="Post Comment").click()
    assert "We have emailed jenny@example.com a link" in page.locator(".messages").inner_text()
    audit(page)
    assert akismet_server.received("comment-check")[0].form["comment_author"] == "Jenny Young"

    # The emailed link opens a page; the button confirms.
    (message,) = smtp_server.wait_for(1)
    page.goto(comment_confirmation_link(message))
    audit(page)
    page.get_by_role("button", name="Yes, this is my comment").click()
    assert "awaiting moderation" in page.locator(".messages").inner_text()

    # The author approves it in the moderation queue.
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Username").fill("nsajben")
    page.get_by_label("Password").fill("ldn-demo-author")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="1 comment awaiting moderation").click()
    row = page.locator("#result_list tbody tr", has_text="100 mg of dextromethorphan")
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option("approve")
    page.get_by_role("button", name="Run").click()
    assert "1 comment approved." in page.locator(".messagelist").inner_text()

    # On the page, Reply moves the form under the comment (no reload) and she answers.
    page.goto(post_url)
    jenny = page.locator("li.comment", has_text="100 mg of dextromethorphan").first
    jenny_id = jenny.get_attribute("id").removeprefix("comment-")
    assert page.locator("#respond-home #respond").count() == 1  # the form starts below
    # A mark on this document: a navigation (the no-JavaScript path, which
    # loads ?replytocom=...) would replace the document and lose it.
    page.evaluate("window.stillTheSamePage = true")
    before = page.url
    jenny.get_by_role("link", name="Reply to Jenny Young").click()
    assert page.locator("#reply-title").inner_text() == "Reply to Jenny Young"
    assert page.evaluate("window.stillTheSamePage === true")
    assert page.url == before and "replytocom" not in page.url
    # The script moved the form itself: right under Jenny's comment, answering it.
    assert page.locator("#respond-home #respond").count() == 0
    assert jenny.locator(":scope > #respond").count() == 1
    assert page.evaluate(
        "document.querySelector('#respond').previousElementSibling"
        f" === document.querySelector('#comment-{jenny_id} > article')"
    )
    assert page.locator("#respond input[name=reply_to]").input_value() == jenny_id
    assert page.locator("#respond .respond__cancel").is_visible()
    page.get_by_role("textbox", name="Comment").fill(
        "100 mg is more than I usually prescribe; ask your doctor."
    )
    page.get_by_role("button", name="Post Comment").click()

    reply = page.locator("li.comment--by-author", has_text="more than I usually prescribe")
    reply.wait_for()
    assert reply.locator(".badge--author").inner_text() == "Author"
    # The reply is nested inside Jenny's comment.
    assert (
        page.locator("li.comment", has_text="100 mg of dextromethorphan")
        .locator("ol.comment-list--children li.comment--by-author")
        .count()
        == 1
    )
    assert "17 Responses" in page.locator("#comments-title").inner_text()
    audit(page)

    # Jenny follows replies: she hears about it, once.
    smtp_server.wait_for(3)
    replies = [m for m in smtp_server.to("jenny@example.com") if "replied" in m.subject]
    assert len(replies) == 1
    assert "more than I usually prescribe" in replies[0].text


def test_reply_by_keyboard_opens_the_form_and_moves_focus_into_it(page, live_server, demo):
    """Tab to a Reply link, press Enter: the form opens under that comment with
    the cursor in the comment box, ready to type; Tab goes on through the form."""
    page.goto(live_server.url + demo.get_absolute_url())
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('a.comment__reply')"):
            break
    else:
        pytest.fail("Tab never reached a Reply link")
    comment_id = page.evaluate("document.activeElement.dataset.replyTo")
    name = page.evaluate("document.activeElement.dataset.replyName")
    page.keyboard.press("Enter")

    assert page.evaluate("document.activeElement.id") == "id_comment"
    assert page.evaluate(
        f"document.querySelector('#comment-{comment_id}').contains(document.activeElement)"
    )
    assert page.locator("#reply-title").inner_text() == f"Reply to {name}"
    page.keyboard.type("Which dose did you start with?")
    assert page.locator("#id_comment").input_value() == "Which dose did you start with?"
    assert page.locator("#respond input[name=reply_to]").input_value() == comment_id

    # On through the form to its button, and out of it: no trap.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Post Comment":
            break
    else:
        pytest.fail("Tab never reached the Post Comment button")
    for _ in range(10):
        page.keyboard.press("Tab")
        if not page.evaluate("document.querySelector('#respond').contains(document.activeElement)"):
            break
    else:
        pytest.fail("Tab stayed inside the reply form")
