"""Plain text of a post's rich text, for summaries, feeds' descriptions and
the search index.

Other apps that add markup of their own to the body register a function that
removes it from plain text (the references app removes ``[@key]`` citation
marks), so posts needs to know nothing about them."""

from core.html import html_to_text

_filters = []


def register_text_filter(func):
    """``func(text) -> text`` removes an app's own markup; it is applied to the
    HTML and the plain text made from a post outside its page (feeds, emails,
    summaries, the search index)."""
    _filters.append(func)
    return func


def without_markup(html: str) -> str:
    """The rich text without other apps' markup (still HTML)."""
    for func in _filters:
        html = func(html)
    return html


def plain_text(html: str) -> str:
    return html_to_text(without_markup(html))
