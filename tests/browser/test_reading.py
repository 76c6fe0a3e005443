"""A reader on a phone: home, a post, an archive and search, in Chromium,
with an axe-core audit (light and dark) and keyboard navigation."""

from io import StringIO

import pytest
from django.core.management import call_command

from posts.models import Post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_server):
    call_command("load_demo", stdout=StringIO())
    return Post.objects.get()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_pass_the_accessibility_audit(page, live_server, demo, audit, scheme):
    page.emulate_media(color_scheme=scheme)
    for path in ["/", demo.get_absolute_url(), "/2010/", "/search/?q=naltrexone", "/about/"]:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        audit(page)


def test_reader_finds_a_post_through_search(page, live_server, demo):
    page.goto(live_server.url + "/")
    page.get_by_label("Search the site").fill("microglia dextromethorphan")
    page.get_by_label("Search the site").press("Enter")
    page.wait_for_url("**/search/?q=*")
    result = page.locator(".post-summary").first
    assert "Low Dose Naltrexone" in result.inner_text()
    assert result.locator("mark").count() >= 1
    result.get_by_role("link").first.click()
    page.wait_for_url("**" + demo.get_absolute_url())
    assert page.get_by_role("heading", level=1).inner_text().startswith("Low Dose Naltrexone")


def test_keyboard_skip_link_and_focus(page, live_server, demo):
    page.goto(live_server.url + demo.get_absolute_url())
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Skip to the content" in focused
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_post_reads_comfortably_on_a_phone(page, live_server, demo):
    page.goto(live_server.url + demo.get_absolute_url())
    # No horizontal scrolling on a 390px-wide screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    font_size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.post-body p')).fontSize)"
    )
    assert font_size >= 17
    line_height = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.post-body p')).lineHeight)"
    )
    assert line_height / font_size >= 1.5


CHARACTERS_PER_LINE = """() => {
    const counts = [];
    for (const p of document.querySelectorAll('.post-body p')) {
        const text = p.firstChild;
        if (!text || text.nodeType !== Node.TEXT_NODE) continue;
        const range = document.createRange();
        let lastTop = null, n = 0;
        for (let i = 0; i < text.length; i++) {
            range.setStart(text, i);
            range.setEnd(text, i + 1);
            const top = range.getBoundingClientRect().top;
            if (lastTop !== null && top > lastTop + 2) { counts.push(n); n = 0; }
            lastTop = top;
            n++;
        }
    }
    counts.sort((a, b) => a - b);
    return counts[Math.floor(counts.length / 2)];
}"""


def test_measure_on_a_desktop_is_65_to_75_characters(browser, live_server, demo):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + demo.get_absolute_url())
    median_line = page.evaluate(CHARACTERS_PER_LINE)
    context.close()
    assert 65 <= median_line <= 75
