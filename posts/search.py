"""Full-text search over posts: PostgreSQL's, with a plain fallback on SQLite."""

from django.conf import settings
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connection
from django.db.models import F, Q, TextField, Value
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

# Sentinels around matches in headlines: the text is escaped first, then these
# become <mark> tags, so nothing from a post's text is ever interpreted.
_START, _STOP = "\x02", "\x03"


def _postgres():
    return connection.vendor == "postgresql"


def search_vector_for(*, title, tags, summary, body):
    """The weighted vector for a post's parts (None where PostgreSQL is absent)."""
    if not _postgres():
        return None
    config = settings.SEARCH_CONFIG

    def part(text, weight):
        return SearchVector(
            Value(text or "", output_field=TextField()), weight=weight, config=config
        )

    return part(title, "A") + part(tags, "B") + part(summary, "B") + part(body, "C")


def clean_query(raw: str) -> str:
    """A query safe to run: no NULs or control characters, bounded length."""
    text = "".join(ch for ch in raw or "" if ch.isprintable() or ch == " ")
    return " ".join(text.split())[: settings.SEARCH_MAX_QUERY_LENGTH]


def search_posts(queryset, query: str):
    """Posts matching ``query``, best first, each with a ``headline`` snippet."""
    if not query:
        return queryset.none()
    if _postgres():
        search_query = SearchQuery(query, search_type="websearch", config=settings.SEARCH_CONFIG)
        return (
            queryset.filter(search_vector=search_query)
            .annotate(
                rank=SearchRank(F("search_vector"), search_query),
                raw_headline=SearchHeadline(
                    "search_document",
                    search_query,
                    config=settings.SEARCH_CONFIG,
                    start_sel=_START,
                    stop_sel=_STOP,
                    max_words=40,
                    min_words=20,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                ),
            )
            .order_by("-rank", "-published_at")
        )
    words = query.split()[:10]
    condition = Q()
    for word in words:
        condition &= Q(search_document__icontains=word)
    return queryset.filter(condition).order_by("-published_at")


def headline_html(post) -> str:
    """Safe HTML of the snippet for a search result, matches in <mark>."""
    raw = getattr(post, "raw_headline", None)
    if raw is None:
        return escape(Truncator(post.summary).words(40))
    html = escape(raw).replace(_START, "<mark>").replace(_STOP, "</mark>")
    return mark_safe(html)  # noqa: S308 - escaped above, only <mark> added
