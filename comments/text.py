"""Comment text as readers see it: plain text made into paragraphs, URLs made
into links that pass no ranking (rel="nofollow ugc"), email addresses and phone
numbers masked, and any HTML typed shown as text, never interpreted."""

import re

from django.utils.html import urlize
from django.utils.safestring import SafeString, mark_safe

EMAIL_HIDDEN = '<span class="masked">[email address hidden]</span>'
PHONE_HIDDEN = '<span class="masked">[phone number hidden]</span>'

_EMAIL = r"(?P<email>(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,})"
# A phone number: an optional +country code, then three or more groups of
# digits split by spaces, dots, dashes or an (area code); or ten digits in a
# row. Doses ("125-150 mg", "5/250"), years and dates do not match.
_PHONE = r"""(?P<phone>
    (?<![\w/.+-])
    (?:
        (?:\+\d{1,3}[ .-]?|\d{1,3}[ .-])?
        (?:\(\d{1,4}\)[ .-]?|\d{2,4}[ .-])
        \d{2,4}[ .-]\d{3,4}(?:[ .-]\d{2,4})?
      |
        \+?\d{10,13}
    )
    (?![\w/-]|\.\d)
)"""
_SENSITIVE = re.compile(f"{_EMAIL}|{_PHONE}", re.VERBOSE)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_LINK_OPEN = '<a href="'


def _digits(value: str) -> int:
    return sum(ch.isdigit() for ch in value)


def _linkify(text: str) -> str:
    """Escape ``text`` and turn its URLs into links that carry no endorsement."""
    html = urlize(text, trim_url_limit=60, nofollow=False, autoescape=True)
    # urlize escaped everything else, so every "<a href=" here is one it made.
    return html.replace(_LINK_OPEN, '<a rel="nofollow ugc" href="')


def _line_html(line: str) -> str:
    parts, position = [], 0
    for match in _SENSITIVE.finditer(line):
        if match.group("phone") and not 9 <= _digits(match.group("phone")) <= 15:
            continue
        parts.append(_linkify(line[position : match.start()]))
        parts.append(EMAIL_HIDDEN if match.group("email") else PHONE_HIDDEN)
        position = match.end()
    parts.append(_linkify(line[position:]))
    return "".join(parts)


def comment_html(text: str) -> SafeString:
    """The HTML shown for a comment's text."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    paragraphs = []
    for block in _PARAGRAPH_BREAK.split(text):
        lines = [line.strip() for line in block.strip().split("\n")]
        if any(lines):
            paragraphs.append("<p>" + "<br>".join(_line_html(line) for line in lines) + "</p>")
    return mark_safe("\n".join(paragraphs))  # noqa: S308 - every piece is escaped above


def mask_text(text: str) -> str:
    """Plain text with email addresses and phone numbers hidden (for emails)."""

    def replace(match):
        if match.group("email"):
            return "[email address hidden]"
        if 9 <= _digits(match.group("phone")) <= 15:
            return "[phone number hidden]"
        return match.group(0)

    return _SENSITIVE.sub(replace, text or "")


def excerpt(text: str, length: int = 80) -> str:
    """A one-line, masked, plain-text excerpt (admin lists, email subjects)."""
    flat = " ".join(mask_text(text).split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"
