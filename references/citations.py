"""Citations in post bodies: ``[@zhang2004]``, ``[@zhang2004; @block2007]``,
``[@zhang2004, p. 280]``, ``[@pmid:15862110]``, ``[@doi:10.1615/...]``.

Numbers are computed at render time, in order of first appearance; a repeat
reuses its number; neighbouring numbers collapse (1–3). Nothing is stored."""

import re
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, Subquery
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from posts.models import Post
from references.formatting import format_references
from references.models import KEY_PATTERN, PostReference, Reference, normalize_doi

CITATION = re.compile(r"\[(\s*@[^\[\]<>]+?)\]")
ITEM = re.compile(
    rf"^@(?:pmid:(?P<pmid>\d+)|doi:(?P<doi>10\.[^\s;]+?)|(?P<key>{KEY_PATTERN})[.:]*)"
    r"\s*(?:,\s*(?P<locator>[^;]+?))?\s*$",
    re.I,
)


@dataclass
class Item:
    text: str
    key: str = ""
    pmid: str = ""
    doi: str = ""
    locator: str = ""

    @property
    def label(self):
        return f"pmid:{self.pmid}" if self.pmid else (f"doi:{self.doi}" if self.doi else self.key)

    def resolve(self, *, by_key: dict, by_pmid: dict, by_doi: dict):
        """What the item names, from tables by key, PMID and DOI (an item
        gives one of the three), or None."""
        if self.pmid:
            return by_pmid.get(self.pmid)
        if self.doi:
            return by_doi.get(self.doi)
        return by_key.get(self.key)

    def names(self, reference) -> bool:
        """Whether the item cites ``reference``."""
        if self.pmid:
            return self.pmid == reference.pmid
        if self.doi:
            return self.doi == reference.doi
        return self.key == reference.key


@dataclass
class Cite:
    start: int
    end: int
    text: str
    items: list


def parse(body: str) -> list[Cite]:
    """Every well-formed citation group in the body, in order."""
    found = []
    for match in CITATION.finditer(body or ""):
        items = []
        for part in match.group(1).split(";"):
            item = ITEM.match(part.strip())
            if item is None:
                break
            key = item.group("key") or ""
            items.append(
                Item(
                    text=part.strip(),
                    key=key,
                    pmid=item.group("pmid") or "",
                    doi=normalize_doi(item.group("doi") or ""),
                    locator=(item.group("locator") or "").strip(),
                )
            )
        else:
            found.append(Cite(match.start(), match.end(), match.group(0), items))
    return found


def lookups(cites):
    keys = {i.key for c in cites for i in c.items if i.key}
    pmids = {i.pmid for c in cites for i in c.items if i.pmid}
    dois = {i.doi for c in cites for i in c.items if i.doi}
    return keys, pmids, dois


def unresolved_identifiers(body: str) -> list[str]:
    """``pmid:``/``doi:`` citations that match no reference (for the post form)."""
    cites = parse(body)
    _keys, pmids, dois = lookups(cites)
    if not pmids and not dois:
        return []
    found = Reference.objects.matching(pmids=pmids, dois=dois).values_list("pmid", "doi")
    known_pmids = {p for p, _d in found}
    known_dois = {d for _p, d in found}
    missing = [f"PMID {p}" for p in sorted(pmids - known_pmids)]
    return missing + [f"DOI {d}" for d in sorted(dois - known_dois)]


def unknown_keys(body: str) -> list[str]:
    keys, _pmids, _dois = lookups(parse(body))
    known = set(Reference.objects.filter(key__in=keys).values_list("key", flat=True))
    return sorted(keys - known)


def _ama_locator(locator: str) -> str:
    return re.sub(r"^(pp?)\.\s*", r"\1", locator)


def collapse(numbers: list[int]) -> list[tuple[int, int]]:
    """[1, 2, 3, 5] → [(1, 3), (5, 5)]; two neighbours stay apart (1,2)."""
    runs = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    result = []
    for start, end in runs:
        if end - start == 1:
            result += [(start, start), (end, end)]
        else:
            result.append((start, end))
    return result


@dataclass
class Entry:
    number: int
    reference: Reference
    cited: bool
    first_cite: str = ""


@dataclass
class Bibliography:
    """A post's rendered body and its numbered reference list."""

    body: str
    entries: list = field(default_factory=list)
    unknown: list = field(default_factory=list)
    style: str = ""

    def __bool__(self):
        return bool(self.entries)


def _link(number: int):
    return format_html(
        '<a href="#ref-{0}" aria-label="{1}">{0}</a>', number, _("Reference %d") % number
    )


def _mark(numbers_and_locators, style, anchor):
    """One citation mark: superscript (AMA) or in parentheses (NLM)."""
    plain = sorted({n for n, loc in numbers_and_locators if not loc})
    parts = [
        mark_safe("–".join(str(_link(n)) for n in sorted({a, b})))  # noqa: S308
        for a, b in collapse(plain)
    ]
    for number, locator in sorted({(n, loc) for n, loc in numbers_and_locators if loc}):
        if style == "american-medical-association":
            parts.append(format_html("{}({})", _link(number), _ama_locator(locator)))
        else:
            parts.append(format_html("{} {}", _link(number), locator))
    inner = mark_safe(",".join(str(p) for p in parts))  # noqa: S308 - escaped parts
    if style == "american-medical-association":
        return format_html('<sup class="cite" id="{}">{}</sup>', anchor, inner)
    return format_html('<span class="cite" id="{}">({})</span>', anchor, inner)


def build(post, *, staff: bool, style: str) -> Bibliography:
    """Number the post's citations and list its references (one query, and
    two for the authors and files when there are references)."""
    body = post.body or ""
    cites = parse(body)
    keys, pmids, dois = lookups(cites)
    links = PostReference.objects.filter(post=post, reference=OuterRef("pk")).order_by(
        "position", "pk"
    )
    condition = Q(pk__in=PostReference.objects.filter(post=post).values("reference_id"))
    if keys or pmids or dois:
        condition |= Q(pk__in=Reference.objects.matching(keys=keys, pmids=pmids, dois=dois))
    references = list(
        Reference.objects.filter(condition)
        .annotate(
            listed_position=Subquery(links.values("position")[:1]),
            listed_link=Subquery(links.values("pk")[:1]),
        )
        .with_details()
    )
    listed_ids = [
        r.pk
        for r in sorted(
            (r for r in references if r.listed_link is not None),
            key=lambda r: (r.listed_position, r.listed_link),
        )
    ]
    by_key = {r.key: r for r in references}
    by_pmid = {r.pmid: r for r in references if r.pmid}
    by_doi = {r.doi: r for r in references if r.doi}
    by_pk = {r.pk: r for r in references}

    numbers, first_cite, unknown = {}, {}, []
    out, position = [], 0
    for index, cite in enumerate(cites, 1):
        anchor = f"cite-{index}"
        found, missing = [], []
        for item in cite.items:
            ref = item.resolve(by_key=by_key, by_pmid=by_pmid, by_doi=by_doi)
            if ref is None:
                missing.append(item)
                continue
            if ref.pk not in numbers:
                numbers[ref.pk] = len(numbers) + 1
                first_cite[ref.pk] = anchor
            found.append((numbers[ref.pk], item.locator))
        out.append(body[position : cite.start])
        position = cite.end
        for item in missing:
            unknown.append(item.label)
            if staff:
                out.append(
                    str(
                        format_html(
                            '<mark class="cite-unknown">[@{}: {}]</mark>',
                            item.label,
                            _("not in the bibliography"),
                        )
                    )
                )
            else:
                out.append(escape(f"[@{item.text.lstrip('@')}]"))
        if found:
            out.append(str(_mark(found, style, anchor)))
    out.append(body[position:])

    entries = [
        Entry(number=n, reference=by_pk[pk], cited=True, first_cite=first_cite[pk])
        for pk, n in sorted(numbers.items(), key=lambda pair: pair[1])
    ]
    for pk in listed_ids:
        if pk not in numbers and pk in by_pk:
            numbers[pk] = len(numbers) + 1
            entries.append(Entry(number=numbers[pk], reference=by_pk[pk], cited=False))
    if style:  # the list shown on a page: format every entry in one cache round trip
        format_references([entry.reference for entry in entries], style)
    return Bibliography(
        body=mark_safe("".join(out)),  # noqa: S308 - sanitized body + escaped marks
        entries=entries,
        unknown=sorted(set(unknown)),
        style=style,
    )


def citing_posts(reference: Reference, *, user) -> list:
    """The posts ``user`` may see that cite ``reference`` in their text or
    list it under them, newest first."""
    listed = PostReference.objects.filter(reference=reference).values("post_id")
    mentions = Q(body__contains=f"@{reference.key}")
    if reference.pmid:
        mentions |= Q(body__icontains=f"@pmid:{reference.pmid}")
    if reference.doi:
        mentions |= Q(body__icontains=f"@doi:{reference.doi}")
    candidates = Post.objects.visible_to(user).filter(Q(pk__in=listed) | mentions).distinct()
    listed_ids = set(listed.values_list("post_id", flat=True))
    return [
        post
        for post in candidates.order_by("-published_at")
        if post.pk in listed_ids
        or any(item.names(reference) for cite in parse(post.body) for item in cite.items)
    ]


def strip(text: str) -> str:
    """The text without its citation marks (for summaries and meta descriptions)."""
    cites = parse(text)
    for cite in reversed(cites):
        text = text[: cite.start].rstrip(" ") + text[cite.end :]
    return text
