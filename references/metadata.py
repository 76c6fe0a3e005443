"""What reference managers read: COinS (OpenURL in a span) and Highwire
``citation_*`` meta tags (Google Scholar, Zotero)."""

from urllib.parse import urlencode

from references.files import PDF
from references.models import Reference

COINS_GENRES = {
    "article-journal": ("journal", "article"),
    "speech": ("journal", "proceeding"),
    "book": ("book", "book"),
    "chapter": ("book", "bookitem"),
    "webpage": ("journal", "unknown"),
    "report": ("book", "report"),
}


def coins(reference: Reference) -> str:
    """The ``title`` of a ``span.Z3988``: an OpenURL ContextObject (KEV)."""
    fmt, genre = COINS_GENRES.get(reference.type, ("journal", "unknown"))
    pairs = [
        ("ctx_ver", "Z39.88-2004"),
        ("rft_val_fmt", f"info:ofi/fmt:kev:mtx:{fmt}"),
        ("rfr_id", "info:sid/ldnsite:bibliography"),
        ("rft.genre", genre),
    ]
    if fmt == "journal":
        pairs.append(("rft.atitle", reference.title))
        if reference.container_title:
            pairs.append(("rft.jtitle", reference.container_title))
        if reference.container_title_short:
            pairs.append(("rft.stitle", reference.container_title_short))
    elif genre == "bookitem":
        pairs += [("rft.atitle", reference.title), ("rft.btitle", reference.container_title)]
    else:
        pairs.append(("rft.btitle", reference.title))
    for name, value in (
        ("rft.volume", reference.volume),
        ("rft.issue", reference.issue),
        ("rft.spage", reference.first_page),
        ("rft.epage", reference.last_page),
        ("rft.pages", reference.page),
        ("rft.pub", reference.publisher),
        ("rft.place", reference.publisher_place),
    ):
        if value:
            pairs.append((name, value))
    if reference.date_parts:
        pairs.append(("rft.date", "-".join(f"{p:02d}" for p in reference.date_parts)))
    authors = reference.authors
    if authors and not authors[0].literal:
        pairs.append(("rft.aulast", authors[0].family))
        if authors[0].given:
            pairs.append(("rft.aufirst", authors[0].given))
    for creator in authors:
        if creator.literal:
            pairs.append(("rft.aucorp", creator.literal))
        else:
            pairs.append(("rft.au", f"{creator.family}, {creator.given}".strip(", ")))
    if reference.doi:
        pairs.append(("rft_id", f"info:doi/{reference.doi}"))
    if reference.pmid:
        pairs.append(("rft_id", f"info:pmid/{reference.pmid}"))
    if reference.url:
        pairs.append(("rft_id", reference.url))
    return urlencode(pairs)


def highwire(reference: Reference, *, pdf_url: str = "") -> list[tuple[str, str]]:
    """``<meta name="citation_…">`` pairs for a reference page."""
    tags = [("citation_title", reference.title)]
    tags += [("citation_author", str(c)) for c in reference.authors]
    if reference.date_parts:
        tags.append(("citation_publication_date", "/".join(str(p) for p in reference.date_parts)))
    if reference.type == Reference.Type.TALK:
        tags.append(("citation_conference_title", reference.event_title))
    elif reference.type == Reference.Type.CHAPTER:
        tags.append(("citation_inbook_title", reference.container_title))
    elif reference.type == Reference.Type.REPORT:
        tags.append(("citation_technical_report_institution", reference.publisher))
    else:
        tags.append(("citation_journal_title", reference.container_title))
        tags.append(("citation_journal_abbrev", reference.container_title_short))
    tags += [
        ("citation_volume", reference.volume),
        ("citation_issue", reference.issue),
        ("citation_firstpage", reference.first_page),
        ("citation_lastpage", reference.last_page),
        ("citation_publisher", reference.publisher),
        ("citation_doi", reference.doi),
        ("citation_pmid", reference.pmid),
        ("citation_abstract", reference.abstract[:1000]),
        ("citation_pdf_url", pdf_url),
    ]
    return [(name, value) for name, value in tags if value]


def public_pdf(reference: Reference):
    """The first public PDF among the (prefetched) attachments, if any."""
    return next(
        (a for a in reference.attachments.all() if a.is_public and a.mime_type == PDF), None
    )
