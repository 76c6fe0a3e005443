"""What the words of a link to a paper say about the paper.

The old blog listed its papers as links such as “Morphinan Neuroprotection by
Zhang, Hong, Kim, et al, Crit.Rev.Neurobiol. 16(4):271-302, 2004 (PDF)” or
“LDN research on MS in Scotland Dr Tom Gilhooly, USC 4th Annual LDN
Conference, 2008 (Powerpoint)”. ``describe()`` takes from such a line only
what it says unambiguously: the title (up to the first comma or sentence),
authors named after “by” or with “Dr” or a degree, a journal citation written
as ``volume(issue):pages``, a conference, a year, the word “poster”. What it
cannot place is not guessed: the whole line stays in the reference's notes.
"""

import re
from dataclasses import dataclass, field
from datetime import date

# Link words that say nothing about the work: the document's own title is used.
GENERIC = {
    "here", "click here", "this", "link", "pdf", "the pdf", "download", "download pdf",
    "slides", "powerpoint", "full text", "the paper", "paper", "article", "file", "more",
}  # fmt: skip

_FORMAT = re.compile(
    r"\s*\(\s*(?:pdf|power\s*point|pptx?|slides|word|docx?)\s*\)", re.I
)  # "(PDF)", "(Powerpoint)"
_SIZE = re.compile(r"\s+\d+(?:[.,]\d+)?\s*(?:[kKmMgG][bB]?|bytes)\s*$")  # "450k", "12M", "80KB"
_YEAR = re.compile(r"(?<![\d(:/-])(1[89]\d{2}|20\d{2})(?![\d)/-])")
_CITATION = re.compile(
    r"^(?P<journal>.*?[^\d\s])\s*(?P<volume>\d{1,4})\s*(?:\(\s*(?P<issue>[\w-]{1,10})\s*\))?"
    r"\s*:\s*(?P<page>\d+(?:\s*[-–—]\s*\d+)?)$"
)
_SURNAME = r"[A-Z][A-Za-z'’-]+"
_GIVEN = r"[A-Z][a-z]+"
_BY_NAME = re.compile(rf"^{_SURNAME}$")
_DR = re.compile(rf"(?:^|\s)Dr\.?\s+(?P<given>{_GIVEN})\s+(?P<family>{_SURNAME})$")
_DEGREE = re.compile(
    rf"^(?P<given>{_GIVEN})\s+(?P<family>{_SURNAME}),?\s+(?:MD|M\.D\.|PhD|Ph\.D\.|DO|DSc|D\.Sc\.)"
    r"(?:\s+et\s+al\.?)?$"
)
_ET_AL = re.compile(r"^et\.?\s+al\.?$", re.I)
_SURNAME_ALONE = re.compile(rf"^(?P<family>{_SURNAME})(?:\s+et\.?\s+al\.?)?$")
_EVENT = re.compile(r"\b(?:Conference|Congress|Symposium|Meeting|Workshop)\b", re.I)
_POSTER = re.compile(r"\bposter\b", re.I)
_SEPARATOR = re.compile(r",\s+|\.\s+(?=[A-Z])")


@dataclass
class Described:
    title: str
    authors: list[tuple[str, str]] = field(default_factory=list)  # (family, given)
    container_title: str = ""
    volume: str = ""
    issue: str = ""
    page: str = ""
    year: int | None = None
    event_title: str = ""
    is_poster: bool = False

    @property
    def is_journal_article(self) -> bool:
        return bool(self.container_title and (self.volume or self.page))


def clean(text: str) -> str:
    """The link's words on one line, without the "(PDF)" marker or a size."""
    text = " ".join((text or "").split())
    text = _FORMAT.sub("", text)
    return _SIZE.sub("", text).strip(" ,.;–-")


def is_generic(text: str) -> bool:
    words = clean(text).lower()
    return len(words) < 4 or words in GENERIC


def describe(text: str, *, fallback_title: str = "") -> Described:
    """What ``text`` (a link's words) reliably says; ``fallback_title`` is used
    when the words name nothing (“here”, “PDF”)."""
    line = clean(text)
    if is_generic(line):
        return Described(title=clean(fallback_title) or line or "(untitled document)")
    found = Described(title="")
    parts = [p.strip() for p in _SEPARATOR.split(line) if p.strip()]
    title = parts[0]
    rest = parts[1:]
    while (
        rest and rest[0][0].islower()
    ):  # ", involvement of toll-like receptor 4": the title goes on
        title = f"{title}, {rest.pop(0)}"

    # The title may end with its authors: "... by Zhang, Hong, Kim, et al" or "... Dr Tom Gilhooly".
    head, by, first = title.partition(" by ")
    if by and _BY_NAME.match(first):
        title = head
        found.authors.append((first, ""))
        while rest and _BY_NAME.match(rest[0]):
            found.authors.append((rest.pop(0), ""))
        if rest and _ET_AL.match(rest[0]):
            rest.pop(0)
    elif (match := _DR.search(title)) and match.start() > 0:
        title = title[: match.start()].strip()
        found.authors.append((match["family"], match["given"]))
    elif rest and (match := _SURNAME_ALONE.match(rest[0])):  # "..., Patel, Ann Pharmacother..."
        rest.pop(0)
        found.authors.append((match["family"], ""))

    for part in rest:
        if match := _DR.fullmatch(part) or _DEGREE.match(part):
            found.authors.append((match["family"], match["given"]))
        elif not found.container_title and (match := _CITATION.match(part)):
            found.container_title = match["journal"].strip(" ,")
            found.volume = match["volume"]
            found.issue = match["issue"] or ""
            found.page = re.sub(r"\s*[-–—]\s*", "-", match["page"])
        elif not found.event_title and _EVENT.search(part):
            found.event_title = _YEAR.sub("", part).strip(" ,")
    years = [
        int(y)
        for y in _YEAR.findall(line)
        if int(y) <= date.today().year + 1  # noqa: DTZ011 - a year, any zone
    ]
    found.year = years[-1] if years else None
    found.is_poster = bool(_POSTER.search(line))
    found.title = title[:500] or clean(fallback_title) or line[:500]
    return found
