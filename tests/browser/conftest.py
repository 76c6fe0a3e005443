"""Chromium through Playwright, against pytest-django's live server."""

import os

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make to set up data are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


MISSING_CHROMIUM = (
    f"The browser tests need Chromium, which is not installed at {CHROMIUM}.\n"
    "Install it with `apt-get install -y chromium` (or run .ci/run, which does), "
    "or point CHROMIUM_PATH at a Chromium binary. To run the other tests only: "
    "pytest --ignore=tests/browser"
)


def pytest_collection_finish(session):
    """Stop before running anything when browser tests are selected and
    Chromium is missing: one clear message, not a failure per test at the end."""
    if session.config.option.collectonly or os.path.exists(CHROMIUM):
        return
    if any(item.get_closest_marker("browser") for item in session.items):
        pytest.exit(MISSING_CHROMIUM, returncode=pytest.ExitCode.USAGE_ERROR)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(MISSING_CHROMIUM)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A phone-sized page. Any Content-Security-Policy violation or uncaught
    script error on it fails the test."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems = []
    page.on(
        "console",
        lambda msg: (
            problems.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    yield page
    context.close()
    assert not problems, "Problems in the browser console:\n" + "\n".join(problems)


@pytest.fixture
def audit():
    """Run axe-core on a page; fail on any violation, whatever its impact
    (minor and moderate ones too: the pages have none, so they stay a signal)."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def run(page):
        results = axe.run(page)
        bad = results.response["violations"]
        details = [
            f"{v['id']} ({v['impact']}): {v['help']} -> "
            + "; ".join(node["target"][0] for node in v["nodes"][:3])
            for v in bad
        ]
        assert not bad, f"axe found problems on {page.url}:\n" + "\n".join(details)
        return results

    return run
