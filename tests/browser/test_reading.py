"""A reader on a phone: home, a post, an archive and search, in Chromium,
with an axe-core audit (light and dark) and keyboard navigation; the measure,
layout shift, touch targets, sideways scrolling and the printed post."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from comments.models import Comment
from posts.models import Post
from tests.factories import PostFactory
from tests.references.factories import ReferenceFactory

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


@pytest.mark.parametrize("width", [1280, 1400])
def test_measure_on_a_desktop_is_65_to_75_characters(browser, live_server, demo, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + demo.get_absolute_url())
    median_line = page.evaluate(CHARACTERS_PER_LINE)
    context.close()
    assert 65 <= median_line <= 75


def test_stylesheet_has_no_rule_swallowed_by_its_neighbour(page, live_server, demo):
    """The site's CSS uses no nesting: a nested rule is an unclosed brace
    (a bad merge once buried all the comment styles inside .ref-cited-in)."""
    page.goto(live_server.url + demo.get_absolute_url())
    nested = page.evaluate(
        """() => {
            const found = [];
            const walk = (rules) => {
                for (const rule of rules) {
                    if (rule instanceof CSSStyleRule && rule.cssRules.length) {
                        found.push(rule.selectorText + " { " + rule.cssRules[0].cssText);
                    }
                    if (rule.cssRules) walk(rule.cssRules);
                }
            };
            for (const sheet of document.styleSheets) {
                if (sheet.href && sheet.href.includes("/static/css/")) walk(sheet.cssRules);
            }
            return found;
        }"""
    )
    assert nested == []
    # ...and the comment thread is styled: Reply is a 44px-high target.
    reply = page.locator("a.comment__reply").first.bounding_box()
    assert reply["height"] >= 44


@pytest.fixture
def long_lines(demo):
    """The things that push a phone page sideways: a long address in a post, a
    table, a long DOI and address in a reference, a long link in a comment."""
    ReferenceFactory(
        key="longdoi2020",
        title="Pharmacokinetics_of_ultra_low_dose_naltrexone_in_fibromyalgia_and_CRPS",
        doi="10.1177/13524585080951791352458508095179135245850809517913524585",
        url="https://example.org/" + "a-very-long-path-segment-" * 6,
    )
    address = "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC" + "1234567890" * 6
    body = (
        f"<p>See {address} and <a href='{address}'>{address}</a> [@longdoi2020].</p>"
        "<table><tr>" + "<td>Dextromethorphan_hydrobromide_monohydrate</td>" * 6 + "</tr></table>"
    )
    post = PostFactory(title="Long lines", body=body)
    comment = Comment.objects.filter(is_public=True, is_removed=False).first()
    comment.comment = "Look at " + address
    comment.save()
    return post


@pytest.mark.parametrize("width", [320, 375])
def test_nothing_scrolls_sideways_on_a_phone(browser, live_server, demo, long_lines, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    paths = [
        "/",
        demo.get_absolute_url(),
        long_lines.get_absolute_url(),
        "/references/",
        "/references/longdoi2020/",
        "/search/?q=naltrexone",
        "/subscribe/",
    ]
    wide = {}
    for path in paths:
        page.goto(live_server.url + path)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            wide[path] = scroll_width
    context.close()
    assert wide == {}


def test_body_text_needs_no_zoom_on_a_phone(browser, live_server, demo):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + demo.get_absolute_url())
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('.post-body p, .comment__text p, .ref-citation')]
            .map(e => parseFloat(getComputedStyle(e).fontSize))"""
    )
    context.close()
    assert sizes and min(sizes) >= 16


CUMULATIVE_LAYOUT_SHIFT = """
window.layoutShift = 0;
new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
        if (!entry.hadRecentInput) window.layoutShift += entry.value;
    }
}).observe({type: "layout-shift", buffered: true});
"""

SCROLL_TO_THE_END = """async () => {
    for (let y = 0; y < document.documentElement.scrollHeight; y += 300) {
        window.scrollTo({top: y, behavior: "instant"});
        await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 30)));
    }
}"""


def _serve_media(page, live_server):
    """The live server does not serve uploads (DEBUG is off): hand the browser
    the real files, so images load as they would behind the proxy."""
    root = Path(django_settings.MEDIA_ROOT)

    def fulfil(route):
        name = route.request.url.split("/media/", 1)[1].split("?")[0]
        path = root / name
        if path.is_file():
            route.fulfill(path=str(path))
        else:
            route.fulfill(status=404)

    page.route(live_server.url + "/media/**", fulfil)


@pytest.mark.parametrize("width", [375, 1280])
def test_pages_do_not_shift_while_they_load(browser, live_server, demo, width):
    """Cumulative Layout Shift (layout-shift entries) below 0.1, Google's
    "good", while the page loads and the reader scrolls to its end."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.add_init_script(CUMULATIVE_LAYOUT_SHIFT)
    _serve_media(page, live_server)
    shifts = {}
    for path in ["/", demo.get_absolute_url()]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        page.evaluate(SCROLL_TO_THE_END)
        page.wait_for_load_state("networkidle")
        assert page.evaluate(
            "[...document.images].every(img => img.complete && img.naturalWidth > 0)"
        ), path
        shifts[path] = page.evaluate("window.layoutShift")
    context.close()
    assert all(shift < 0.1 for shift in shifts.values()), shifts


TARGET_SIZES = """(selector) => [...document.querySelectorAll(selector)]
    .filter((e) => e.getClientRects().length)
    .map((e) => { const r = e.getBoundingClientRect();
                  return [e.textContent.trim(), Math.round(r.width), Math.round(r.height)]; })"""


def test_touch_targets_are_at_least_24px(page, live_server, demo, settings):
    """WCAG 2.2 AA (2.5.8): the sidebar's lists of links, pagination, Reply and
    the references' back-links. (Links inside a sentence are exempt.)"""
    settings.POSTS_PER_PAGE = 1
    PostFactory(title="A second post, so that there are pages")
    small = []
    for path, selector in [
        (demo.get_absolute_url(), ".sidebar li a, a.comment__reply, .ref-back"),
        ("/", ".pagination a"),
        ("/?page=2", ".pagination a"),
    ]:
        page.goto(live_server.url + path)
        targets = page.evaluate(TARGET_SIZES, selector)
        assert targets, (path, selector)
        small += [t for t in targets if t[1] < 24 or t[2] < 24]
    assert small == []


def test_post_prints_without_sidebar_or_forms(page, live_server, demo):
    # Printed from a phone in dark mode: black on white, all the same.
    page.emulate_media(color_scheme="dark")
    page.goto(live_server.url + demo.get_absolute_url())
    page.emulate_media(media="print", color_scheme="dark")
    for selector in [".sidebar", ".site-header", "form", "#respond", "a.comment__reply"]:
        for element in page.locator(selector).all():
            assert not element.is_visible(), selector
    assert page.locator(".post-body").is_visible()
    assert page.locator(".references").is_visible()
    colors = page.evaluate(
        """() => ['.post-meta', '.ref-file-meta', '.comment__date a', '.post-body p']
            .map(s => getComputedStyle(document.querySelector(s)).color)"""
    )
    # Dark grey or black on the white page (the dark scheme's pale grey would vanish).
    for color in colors:
        red, green, blue = (int(c) for c in color[4:-1].split(", ")[:3])
        assert max(red, green, blue) <= 0x55, colors
    # Each paper or slide deck prints with its full address.
    pdf_link = page.locator(".ref-files a").first
    after = pdf_link.evaluate("a => getComputedStyle(a, '::after').content")
    assert after == f'" ({django_settings.SITE_URL}{pdf_link.get_attribute("href")})"'


FOCUSED = """() => {
    const e = document.activeElement;
    const style = getComputedStyle(e);
    return {
        tag: e.tagName,
        id: e.id,
        classes: typeof e.className === "string" ? e.className : "",
        inCite: !!e.closest("sup.cite"),
        visible: e.matches(":focus-visible"),
        outline: [style.outlineStyle, parseFloat(style.outlineWidth), style.outlineColor],
        page: getComputedStyle(document.body).backgroundColor,
    };
}"""


def _luminance(rgb):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(c) for c in rgb[rgb.index("(") + 1 : -1].split(",")[:3])
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def _contrast(one, other):
    light, dark = sorted([_luminance(one), _luminance(other)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_keyboard_reaches_every_control_with_a_visible_focus(page, live_server, demo, scheme):
    """Tab through the whole post page: the search form, the citation marks and
    back-links, Reply, the comment and subscribe forms; each stop shows a
    focus outline with 3:1 contrast against the page; Tab gets out at the end."""
    page.emulate_media(color_scheme=scheme)
    page.goto(live_server.url + demo.get_absolute_url())
    stops = []
    for _ in range(400):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["tag"] == "BODY" or (stops and "skip-link" in focused["classes"]):
            break  # round the page and out again: no trap
        stops.append(focused)
    else:
        pytest.fail("Tab never left the page")
    assert "skip-link" in stops[0]["classes"]
    ids = {stop["id"] for stop in stops}
    assert {"site-search", "id_comment", "sidebar-email"} <= ids
    assert any(stop["inCite"] for stop in stops)
    for needed in ["ref-back", "comment__reply", "feed-link"]:
        assert any(needed in stop["classes"] for stop in stops), needed
    assert any(stop["tag"] == "BUTTON" for stop in stops)
    faint = [
        stop
        for stop in stops
        if not stop["visible"]
        or stop["outline"][0] == "none"
        or stop["outline"][1] < 2
        or _contrast(stop["outline"][2], stop["page"]) < 3
    ]
    assert faint == []
