import re
from urllib.parse import urlsplit

import pytest

SITE = "https://pain.example.org"


@pytest.fixture(autouse=True)
def _https_site(settings):
    """Links in emails are absolute https URLs (RFC 8058 wants https)."""
    settings.SITE_URL = SITE


def links(text: str, site: str = SITE) -> list[str]:
    """The site's links in an email body, in order."""
    return re.findall(re.escape(site) + r"/[^\s\"'<>]*", text)


def path(url: str) -> str:
    """The path of an absolute site URL, for the test client."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def link_to(text: str, fragment: str) -> str:
    """The first link in ``text`` whose path contains ``fragment``."""
    return next(url for url in links(text) if fragment in url)
