"""The one HTML sanitizer: what the editor can produce is what the site keeps.

The editor (django-prose-editor) and the server share EDITOR_EXTENSIONS, so
the allow-list nh3 applies is exactly the HTML the enabled extensions make.
Importers and anything else that stores rich text go through sanitize_html().
"""

import html
import re

import nh3
from django.conf import settings
from django_prose_editor.config import allowlist_from_extensions, expand_extensions

EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "Image": True,
    "Figure": True,
    "Caption": True,
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
}

_ALLOWLIST = allowlist_from_extensions(expand_extensions(EDITOR_EXTENSIONS))
_cleaner = nh3.Cleaner(**_ALLOWLIST)
_EMPTY = re.compile(r"^\s*<(?P<tag>\w+)>\s*</(?P=tag)>\s*$")


def sanitize_html(value: str) -> str:
    """Keep only the tags and attributes the editor can produce."""
    if not value:
        return ""
    cleaned = _cleaner.clean(value)
    return "" if _EMPTY.match(cleaned) else cleaned


_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|figcaption|tr|div)>|<br\s*/?>", re.I)
_SPACES = re.compile(r"[ \t\r\f\v]+")


def html_to_text(value: str) -> str:
    """Plain text of an HTML fragment, block elements separated by newlines."""
    if not value:
        return ""
    text = _BLOCK_END.sub("\n", value)
    text = html.unescape(nh3.clean(text, tags=set()))
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _absolute_attribute(tag, attribute, value):
    if attribute in {"href", "src"} and value.startswith("/") and not value.startswith("//"):
        return settings.SITE_URL + value
    return value


_absolute_cleaner = nh3.Cleaner(**_ALLOWLIST, attribute_filter=_absolute_attribute)


def absolute_urls(value: str) -> str:
    """The fragment sanitized, with site-relative links and images made absolute
    (SITE_URL), for HTML read away from the site: feeds and emails."""
    if not value:
        return ""
    return _absolute_cleaner.clean(value)
