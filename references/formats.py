"""Reading and writing reference files: CSL-JSON, RIS, BibTeX and PubMed MEDLINE.

Every reader turns a file into ``Record``s (plain data, nothing saved) and
every malformed record is reported with its number and line. RIS goes through
rispy (its strictness and line numbers added here), BibTeX through
bibtexparser, MEDLINE through nbib. Every writer
takes references with their creators (and, for full exports, tags and
conditions) prefetched."""

import json
import re
from dataclasses import dataclass, field
from typing import ClassVar

import rispy
from django.utils.translation import gettext as _
from rispy.config import LIST_TYPE_TAGS, TAG_KEY_MAPPING

from references.models import Creator, Reference, normalize_doi, normalize_pmcid, normalize_pmid


class FileFormatError(Exception):
    """A file that cannot be read; ``errors`` say where and why."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


@dataclass
class Record:
    """One reference read from a file, in Reference's field names."""

    where: str
    fields: dict = field(default_factory=dict)
    creators: list = field(default_factory=list)  # dicts: role, family, given, literal
    tags: list = field(default_factory=list)
    conditions: list = field(default_factory=list)  # category slugs


TEXT_FIELDS = [
    "key", "type", "genre", "title", "container_title", "container_title_short", "volume",
    "issue", "page", "event_title", "event_place", "publisher", "publisher_place", "url",
    "abstract", "doi", "pmid", "pmcid", "retraction_url", "open_access_url", "note",
]  # fmt: skip
DATE_FIELDS = ["issued_year", "issued_month", "issued_day"]

# --- CSL-JSON -----------------------------------------------------------------
CSL_NAMES = {
    "key": "id",
    "type": "type",
    "genre": "genre",
    "title": "title",
    "container_title": "container-title",
    "container_title_short": "container-title-short",
    "volume": "volume",
    "issue": "issue",
    "page": "page",
    "event_title": "event-title",
    "event_place": "event-place",
    "publisher": "publisher",
    "publisher_place": "publisher-place",
    "url": "URL",
    "abstract": "abstract",
    "doi": "DOI",
    "pmid": "PMID",
    "pmcid": "PMCID",
}
CSL_TYPES = {
    "article": "article-journal",
    "article-journal": "article-journal",
    "article-magazine": "article-journal",
    "article-newspaper": "article-journal",
    "review": "article-journal",
    "speech": "speech",
    "presentation": "speech",
    "paper-conference": "speech",
    "event": "speech",
    "book": "book",
    "chapter": "chapter",
    "webpage": "webpage",
    "post-weblog": "webpage",
    "post": "webpage",
    "report": "report",
    "thesis": "report",
    "document": "report",
}


def to_csl(reference: Reference, *, full: bool = False, private: bool = False) -> dict:
    """The reference as a CSL-JSON item. ``full`` adds tags and conditions
    (prefetch them), ``private`` the author's private notes."""
    item = {}
    for name, csl in CSL_NAMES.items():
        value = getattr(reference, name)
        if value:
            item[csl] = value
    if reference.date_parts:
        item["issued"] = {"date-parts": [reference.date_parts]}
    authors = [c.to_csl() for c in reference.authors]
    editors = [c.to_csl() for c in reference.editors]
    if authors:
        item["author"] = authors
    if editors:
        item["editor"] = editors
    custom = {}
    if reference.retracted:
        custom["retracted"] = True
        item["status"] = "retracted"
    if reference.retraction_url:
        custom["retraction-url"] = reference.retraction_url
    if reference.open_access_url:
        custom["open-access-url"] = reference.open_access_url
    if full:
        tags = sorted(tag.name for tag in reference.tags.all())
        if tags:
            item["keyword"] = ", ".join(tags)
        conditions = sorted(c.slug for c in reference.conditions.all())
        if conditions:
            custom["conditions"] = conditions
    if private and reference.note:
        item["note"] = reference.note
    if custom:
        item["custom"] = custom
    return item


def write_csl_json(references, *, private=False) -> str:
    items = [to_csl(r, full=True, private=private) for r in references]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def _creators_from_csl(names, role, where):
    creators = []
    for name in names or []:
        if not isinstance(name, dict):
            raise FileFormatError([_("%(where)s: a name is not an object.") % {"where": where}])
        literal = name.get("literal", "")
        family = " ".join(
            p for p in (name.get("non-dropping-particle", ""), name.get("family", "")) if p
        )
        if not family and not literal:
            raise FileFormatError([_("%(where)s: a name has no family name.") % {"where": where}])
        creators.append(
            {"role": role, "family": family, "given": name.get("given", ""), "literal": literal}
        )
    return creators


def _date_from_parts(parts):
    values = [int(p) for p in (parts or [])[:3] if str(p).strip().lstrip("-").isdigit()]
    return dict(zip(DATE_FIELDS, values, strict=False))


def read_csl_json(text: str) -> list[Record]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileFormatError(
            [_("line %(line)d: not valid JSON (%(msg)s).") % {"line": exc.lineno, "msg": exc.msg}]
        ) from exc
    if isinstance(data, dict):
        data = data.get("items", [data])
    if not isinstance(data, list):
        raise FileFormatError([_("A CSL-JSON file holds a list of items.")])
    records, errors = [], []
    for index, item in enumerate(data, 1):
        where = _("item %(n)d") % {"n": index}
        if not isinstance(item, dict):
            errors.append(_("%(where)s: not an object.") % {"where": where})
            continue
        if isinstance(item.get("id"), str | int):
            where += f" ({item['id']})"
        try:
            record = Record(where=where)
            for name, csl in CSL_NAMES.items():
                value = item.get(csl)
                if value not in (None, ""):
                    record.fields[name] = str(value).strip()
            record.fields["type"] = CSL_TYPES.get(item.get("type", ""), "article-journal")
            issued = item.get("issued") or {}
            if isinstance(issued, dict) and issued.get("date-parts"):
                record.fields.update(_date_from_parts(issued["date-parts"][0]))
            elif isinstance(issued, dict) and str(issued.get("raw", "")).strip()[:4].isdigit():
                record.fields["issued_year"] = int(str(issued["raw"]).strip()[:4])
            record.creators = _creators_from_csl(item.get("author"), "author", where)
            record.creators += _creators_from_csl(item.get("editor"), "editor", where)
            custom = item.get("custom") or {}
            record.fields["retracted"] = bool(custom.get("retracted")) or (
                item.get("status") == "retracted"
            )
            record.fields["retraction_url"] = custom.get("retraction-url", "")
            record.fields["open_access_url"] = custom.get("open-access-url", "")
            if item.get("note"):
                record.fields["note"] = str(item["note"])
            keywords = item.get("keyword", "")
            record.tags = [k.strip() for k in re.split(r"[,;]", keywords) if k.strip()]
            record.conditions = list(custom.get("conditions") or [])
            records.append(record)
        except FileFormatError as exc:
            errors.extend(exc.errors)
        except (TypeError, ValueError, AttributeError, IndexError) as exc:
            errors.append(_("%(where)s: %(error)s") % {"where": where, "error": exc})
    if errors:
        raise FileFormatError(errors)
    return records


# --- RIS --------------------------------------------------------------------------
RIS_TYPES = {
    "article-journal": "JOUR",
    "speech": "CONF",
    "book": "BOOK",
    "chapter": "CHAP",
    "webpage": "ELEC",
    "report": "RPRT",
}
RIS_IMPORT_TYPES = {
    **dict.fromkeys(("JOUR", "JFULL", "ABST", "MGZN", "NEWS", "EJOUR", "INPR"), "article-journal"),
    **dict.fromkeys(("CONF", "CPAPER", "SLIDE", "PCOMM", "HEAR"), "speech"),
    **dict.fromkeys(("BOOK", "EBOOK", "EDBOOK"), "book"),
    **dict.fromkeys(("CHAP", "ECHAP"), "chapter"),
    **dict.fromkeys(("ELEC", "WEB", "BLOG"), "webpage"),
    **dict.fromkeys(("RPRT", "GOVDOC", "THES", "STAND", "GEN"), "report"),
}
RIS_MAPPING = {**TAG_KEY_MAPPING, "ED": "editors", "BT": "book_title", "CT": "caption_title"}
RIS_LIST_TAGS = [*LIST_TYPE_TAGS, "ED"]


class _RisWriter(rispy.RisWriter):
    """rispy's writer with no numbered header line before each record (Zotero
    and EndNote read a bare ``TY``) and no ``;``-joined URLs (a URL may hold ``;``)."""

    DEFAULT_MAPPING = RIS_MAPPING
    DEFAULT_LIST_TAGS = RIS_LIST_TAGS
    DEFAULT_DELIMITER_MAPPING: ClassVar[dict] = {}

    def set_header(self, count):
        return ""


class _RisParser(rispy.RisParser):
    """rispy's parser made strict, with line numbers.

    rispy reads the tags, the repeated (list) tags and continuation lines, but
    it skips anything outside ``TY``…``ER`` silently and drops a record that
    is never closed, and it keeps no line numbers. An import must instead
    refuse a malformed file and say where it failed, so this loop (the one
    part not left to rispy) checks the structure and notes the line on which
    each record starts; the values are still taken by rispy's ``parse_line``
    and ``_add_tag``."""

    DEFAULT_MAPPING = RIS_MAPPING
    DEFAULT_LIST_TAGS = RIS_LIST_TAGS
    DEFAULT_DELIMITER_MAPPING: ClassVar[dict] = {}

    def parse_lines(self, lines):
        self.errors, self.starts = [], []
        result, record, last_tag, start = [], None, None, 0
        for number, raw in enumerate(lines, 1):
            line = raw.rstrip().lstrip("\ufeff")
            if not line:
                continue
            tag, content = self.parse_line(line)
            if tag is None:
                if record is not None:  # a continuation of the previous value
                    self._add_tag(record, last_tag, content, extend_multiline=True)
                    continue
                self.errors.append(
                    _("line %(line)d: expected a tag such as “TY  - JOUR”, found “%(text)s”.")
                    % {"line": number, "text": line[:60]}
                )
            elif tag == self.START_TAG:
                if record is not None:
                    self.errors.append(
                        _("line %(line)d: a new record starts before “ER  -” closed the one "
                          "on line %(start)d.") % {"line": number, "start": start}
                    )  # fmt: skip
                record, last_tag, start = {self.mapping[tag]: content}, tag, number
            elif record is None:
                self.errors.append(
                    _("line %(line)d: “%(tag)s” comes before any “TY  -” line.")
                    % {"line": number, "tag": tag}
                )
            elif tag == self.END_TAG:
                result.append(record)
                self.starts.append(start)
                record = None
            elif tag not in self.ignore:
                self._add_tag(record, tag, content)
                last_tag = tag
        if record is not None:
            self.errors.append(
                _("line %(line)d: the record is not closed with “ER  -”.") % {"line": start}
            )
        return result


def _ris_name(creator: Creator) -> str:
    """A person is always "Family, Given" (the comma stays when there is no
    given name); a group name has no comma, as Zotero reads them."""
    if creator.literal:
        return creator.literal
    return f"{creator.family}, {creator.given}".strip()


def _split_name(text: str, role: str, *, comma_less_is_group: bool = False) -> dict:
    text = text.strip()
    if "," in text:
        family, given = (p.strip() for p in text.split(",", 1))
        return {"role": role, "family": family, "given": given, "literal": ""}
    if comma_less_is_group and " " in text:
        return {"role": role, "family": "", "given": "", "literal": text}
    return {"role": role, "family": text, "given": "", "literal": ""}


def _one_line(value) -> str:
    """A value on one RIS line: a line break would start a continuation (or,
    looking like ``ER  -``, end the record)."""
    return " ".join(str(value).splitlines()).strip() if value else ""


def to_ris(ref: Reference, *, private: bool = False) -> dict:
    """The reference as a rispy entry (tags by rispy's names); empty values left out."""
    talk = ref.type == Reference.Type.TALK
    entry = {
        "type_of_reference": RIS_TYPES.get(ref.type, "GEN"),
        "id": ref.key,
        "title": ref.title,
        "authors": [_ris_name(c) for c in ref.authors],
        "secondary_authors": [_ris_name(c) for c in ref.editors],
        "secondary_title": ref.event_title if talk else ref.container_title,
        "place_published": ref.event_place if talk else ref.publisher_place,
        "tertiary_title": ref.container_title if talk else "",
        "publisher": ref.publisher,
        "alternate_title1": ref.container_title_short,
        "volume": ref.volume,
        "number": ref.issue,
        "start_page": ref.first_page,
        "end_page": ref.last_page,
        "type_of_work": ref.genre,
        "year": str(ref.issued_year or ""),
        "date": "",
        "doi": ref.doi,
        "accession_number": ref.pmid,
        "custom2": ref.pmcid,
        "urls": [ref.url] if ref.url else [],
        "abstract": ref.abstract,
        "custom3": "Retracted" if ref.retracted else "",
        "custom4": ref.retraction_url,
        "custom5": ref.open_access_url,
        "keywords": sorted(tag.name for tag in ref.tags.all()),
        "custom8": "; ".join(sorted(c.slug for c in ref.conditions.all())),
        # One N1 line per line of the note, so line breaks survive the round trip.
        "notes": ref.note.splitlines() if private and ref.note else [],
    }
    if ref.issued_year and ref.issued_month:
        day = f"{ref.issued_day:02d}" if ref.issued_day else ""
        entry["date"] = f"{ref.issued_year}/{ref.issued_month:02d}/{day}/"
    return {
        name: value if isinstance(value, list) else _one_line(value)
        for name, value in entry.items()
        if value
    }


def write_ris(references, *, private=False) -> str:
    entries = [to_ris(ref, private=private) for ref in references]
    return rispy.dumps(entries, implementation=_RisWriter) if entries else ""


def read_ris(text: str) -> list[Record]:
    parser = _RisParser()
    entries = parser.parse_lines(text.splitlines())
    errors = parser.errors
    if errors:
        raise FileFormatError(errors)
    records = []
    for number, (start, ris) in enumerate(zip(parser.starts, entries, strict=True), 1):
        where = _("record %(n)d (line %(line)d)") % {"n": number, "line": start}

        def first(*names, ris=ris):
            for name in names:
                found = ris.get(name, "")
                for value in found if isinstance(found, list) else [found]:
                    if value:
                        return value
            return ""

        ris_type = first("type_of_reference")
        if ris_type not in RIS_IMPORT_TYPES:
            errors.append(
                _("%(where)s: unknown reference type “%(type)s”.")
                % {"where": where, "type": ris_type}
            )
            continue
        title = first("title", "primary_title", "caption_title", "book_title")
        if not title:
            errors.append(_("%(where)s: no title (TI).") % {"where": where})
            continue
        record = Record(where=where)
        kind = RIS_IMPORT_TYPES[ris_type]
        f = record.fields
        f.update(type=kind, title=title, key=first("id"))
        if kind == "speech":
            f["event_title"] = first("secondary_title")
            f["event_place"] = first("place_published")
            f["container_title"] = first("tertiary_title")
        else:
            f["container_title"] = first(
                "secondary_title",
                "alternate_title3",
                "journal_name",
                "book_title" if kind == "chapter" else "",
            )
            f["publisher_place"] = first("place_published")
        f["container_title_short"] = first("alternate_title1", "alternate_title2")
        f.update(volume=first("volume"), issue=first("number"), publisher=first("publisher"))
        f["genre"] = first("type_of_work")
        start_page, end_page = first("start_page"), first("end_page")
        f["page"] = f"{start_page}-{end_page}" if start_page and end_page else start_page
        year_text = first("year", "publication_year", "date")
        date_text = first("date", "publication_year")
        if year_text[:4].isdigit():
            f["issued_year"] = int(year_text[:4])
            parts = list(date_text.split("/"))
            if len(parts) > 1 and parts[1].isdigit():
                f["issued_month"] = int(parts[1])
                if len(parts) > 2 and parts[2].isdigit():
                    f["issued_day"] = int(parts[2])
        f.update(doi=first("doi"), pmid=first("accession_number"), pmcid=first("custom2"))
        f.update(url=first("urls", "file_attachments2"))
        f.update(abstract=first("abstract", "notes_abstract"))
        f["note"] = "\n".join(ris.get("notes", []))
        f["retracted"] = first("custom3").lower() == "retracted"
        f.update(retraction_url=first("custom4"), open_access_url=first("custom5"))
        if f["pmid"] and not f["pmid"].isdigit():
            f["pmid"] = ""  # AN is an accession number in other databases
        record.creators = [
            _split_name(n, "author", comma_less_is_group=True)
            for n in ris.get("authors", []) + ris.get("first_authors", [])
        ]
        record.creators += [
            _split_name(n, "editor", comma_less_is_group=True)
            for n in ris.get("secondary_authors", []) + ris.get("editors", [])
        ]
        record.tags = [k for k in ris.get("keywords", []) if k]
        record.conditions = [c.strip() for c in first("custom8").split(";") if c.strip()]
        records.append(record)
    if errors:
        raise FileFormatError(errors)
    return records


# --- BibTeX ------------------------------------------------------------------------
BIBTEX_TYPES = {
    "article-journal": "article",
    "speech": "misc",
    "book": "book",
    "chapter": "incollection",
    "webpage": "online",
    "report": "techreport",
}
BIBTEX_IMPORT_TYPES = {
    "article": "article-journal",
    "inproceedings": "speech",
    "conference": "speech",
    "book": "book",
    "inbook": "chapter",
    "incollection": "chapter",
    "online": "webpage",
    "www": "webpage",
    "techreport": "report",
    "report": "report",
    "phdthesis": "report",
    "mastersthesis": "report",
}
_LATEX_SPECIAL = str.maketrans({c: f"\\{c}" for c in "&%$#_{}"})
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def _bib_value(value: str, *, keep_lines: bool = False) -> str:
    text = str(value).translate(_LATEX_SPECIAL)
    return "{" + (text if keep_lines else text.replace("\n", " ")) + "}"


def _bib_name(creator: Creator) -> str:
    if creator.literal:
        return "{" + creator.literal.translate(_LATEX_SPECIAL) + "}"
    name = creator.family.translate(_LATEX_SPECIAL)
    if " " in creator.family:
        name = "{" + name + "}"
    return f"{name}, {creator.given.translate(_LATEX_SPECIAL)}" if creator.given else name


def write_bibtex(references, *, private=False) -> str:
    blocks = []
    for ref in references:
        fields = [("title", "{" + _bib_value(ref.title) + "}")]
        if ref.authors:
            fields.append(("author", "{" + " and ".join(_bib_name(c) for c in ref.authors) + "}"))
        if ref.editors:
            fields.append(("editor", "{" + " and ".join(_bib_name(c) for c in ref.editors) + "}"))
        container = {"article-journal": "journal", "chapter": "booktitle"}.get(ref.type)
        plain = [
            (container or "booktitle", ref.container_title),
            ("shortjournal", ref.container_title_short),
            ("eventtitle", ref.event_title),
            ("venue", ref.event_place),
            ("type", ref.genre),
            ("volume", ref.volume),
            ("number", ref.issue),
            ("pages", ref.page.replace("-", "--") if "--" not in ref.page else ref.page),
            ("year", ref.issued_year or ""),
            ("month", ref.issued_month or ""),
            ("day", ref.issued_day or ""),
            ("institution" if ref.type == "report" else "publisher", ref.publisher),
            ("address", ref.publisher_place),
            ("url", ref.url),
            ("doi", ref.doi),
            ("pmid", ref.pmid),
            ("pmcid", ref.pmcid),
            ("abstract", ref.abstract),
            ("retracted", "true" if ref.retracted else ""),
            ("retractionurl", ref.retraction_url),
            ("oaurl", ref.open_access_url),
            ("keywords", ", ".join(sorted(t.name for t in ref.tags.all()))),
            ("conditions", ", ".join(sorted(c.slug for c in ref.conditions.all()))),
        ]
        fields += [(name, _bib_value(value)) for name, value in plain if value]
        if private and ref.note:  # a braced value may run over lines: the note keeps them
            fields.append(("note", _bib_value(ref.note, keep_lines=True)))
        body = ",\n".join(f"  {name} = {value}" for name, value in fields)
        blocks.append(f"@{BIBTEX_TYPES.get(ref.type, 'misc')}{{{ref.key},\n{body}\n}}\n")
    return "\n".join(blocks)


def _bib_names(value: str, role: str) -> list[dict]:
    from bibtexparser.middlewares.names import (
        parse_single_name_into_parts,
        split_multiple_persons_names,
    )

    creators = []
    for name in split_multiple_persons_names(value):
        name = name.strip()
        if name.startswith("{") and name.endswith("}"):
            creators.append({"role": role, "family": "", "given": "", "literal": name[1:-1]})
            continue
        parts = parse_single_name_into_parts(name, strict=False)
        family = " ".join(parts.von + parts.last).replace("{", "").replace("}", "")
        given = " ".join(parts.first).replace("{", "").replace("}", "")
        if parts.jr:
            family = f"{family} {' '.join(parts.jr)}"
        creators.append({"role": role, "family": family, "given": given, "literal": ""})
    return creators


def _unlatex(value: str) -> str:
    from pylatexenc.latex2text import LatexNodes2Text

    value = str(value).strip()
    while (
        value.startswith("{")
        and value.endswith("}")
        and value.count("{") == 1 + value[1:-1].count("{")
    ):
        value = value[1:-1]
    if not re.search(r"[\\{}$~]", value):
        return value
    return (
        LatexNodes2Text(math_mode="verbatim", keep_braced_groups=False).latex_to_text(value).strip()
    )


def read_bibtex(text: str) -> list[Record]:
    import bibtexparser

    library = bibtexparser.parse_string(text)
    errors = []
    for block in library.failed_blocks:
        detail = getattr(block, "error", None)
        reason = f" ({detail})" if detail and str(detail) else ""
        errors.append(
            _("line %(line)d: this entry cannot be read%(reason)s: “%(text)s”.")
            % {
                "line": (block.start_line or 0) + 1,
                "reason": reason,
                "text": block.raw.strip().splitlines()[0][:60] if block.raw.strip() else "",
            }
        )
    records = []
    for number, entry in enumerate(library.entries, 1):
        where = _("entry %(n)d (line %(line)d, @%(key)s)") % {
            "n": number,
            "line": entry.start_line + 1,
            "key": entry.key,
        }
        fields = {k.lower(): _unlatex(v.value) for k, v in entry.fields_dict.items()}
        raw_fields = {k.lower(): str(v.value) for k, v in entry.fields_dict.items()}
        if not fields.get("title"):
            errors.append(_("%(where)s: no title.") % {"where": where})
            continue
        entry_type = entry.entry_type.lower()
        kind = BIBTEX_IMPORT_TYPES.get(entry_type)
        if kind is None:
            kind = (
                "speech"
                if fields.get("eventtitle")
                else ("webpage" if fields.get("url") and entry_type == "misc" else "report")
            )
        record = Record(where=where)
        f = record.fields
        f.update(type=kind, key=entry.key, title=fields["title"])
        f["container_title"] = (
            fields.get("journal") or fields.get("journaltitle") or fields.get("booktitle", "")
        )
        f["container_title_short"] = fields.get("shortjournal", "")
        f.update(event_title=fields.get("eventtitle", ""), event_place=fields.get("venue", ""))
        f.update(genre=fields.get("type", ""), volume=fields.get("volume", ""))
        f.update(issue=fields.get("number", ""), page=fields.get("pages", "").replace("--", "-"))
        f["publisher"] = fields.get("publisher") or fields.get("institution", "")
        f.update(publisher_place=fields.get("address", ""), url=fields.get("url", ""))
        f.update(doi=fields.get("doi", ""), pmid=fields.get("pmid", ""))
        f.update(pmcid=fields.get("pmcid", ""), abstract=fields.get("abstract", ""))
        f.update(note=fields.get("note", ""), retraction_url=fields.get("retractionurl", ""))
        f["open_access_url"] = fields.get("oaurl", "")
        f["retracted"] = fields.get("retracted", "").lower() == "true"
        year = fields.get("year", "")
        if year[:4].isdigit():
            f["issued_year"] = int(year[:4])
            month = fields.get("month", "").lower()[:3]
            if month.isdigit() or month in MONTHS:
                f["issued_month"] = int(month) if month.isdigit() else MONTHS.index(month) + 1
                if fields.get("day", "").isdigit():
                    f["issued_day"] = int(fields["day"])
        for role in ("author", "editor"):
            if raw_fields.get(role):
                for creator in _bib_names(raw_fields[role], role):
                    creator = {k: _unlatex(v) if k != "role" else v for k, v in creator.items()}
                    record.creators.append(creator)
        record.tags = [
            k.strip() for k in re.split(r"[,;]", fields.get("keywords", "")) if k.strip()
        ]
        record.conditions = [
            c.strip() for c in fields.get("conditions", "").split(",") if c.strip()
        ]
        records.append(record)
    if errors:
        raise FileFormatError(errors)
    if not records:
        raise FileFormatError([_("No BibTeX entries were found in the file.")])
    return records


# --- PubMed MEDLINE (.nbib) ------------------------------------------------------
MEDLINE_START = re.compile(r"^PMID- ?(\d+)", re.M)


def _medline_date(text: str) -> dict:
    parts = str(text or "").split()
    result = {}
    if parts and parts[0][:4].isdigit():
        result["issued_year"] = int(parts[0][:4])
        if len(parts) > 1 and parts[1][:3].lower() in MONTHS:
            result["issued_month"] = MONTHS.index(parts[1][:3].lower()) + 1
            if len(parts) > 2 and parts[2].isdigit():
                result["issued_day"] = int(parts[2])
    return result


def read_medline(text: str) -> list[Record]:
    import nbib

    starts = [(m.start(), text.count("\n", 0, m.start()) + 1) for m in MEDLINE_START.finditer(text)]
    if not starts:
        raise FileFormatError([_("No “PMID-” line: this is not a PubMed MEDLINE (.nbib) file.")])
    prefix = text[: starts[0][0]].strip()
    errors = []
    if prefix:
        errors.append(_("line 1: the file must start with a “PMID-” line."))
    records = []
    bounds = [*(s for s, _line in starts), len(text)]
    for number, (offset, line) in enumerate(starts, 1):
        chunk = text[offset : bounds[number]]
        where = _("record %(n)d (line %(line)d)") % {"n": number, "line": line}
        for extra, raw in enumerate(chunk.splitlines()):
            if raw.strip() and not re.match(r"^([A-Z0-9]{1,4} *- |\s+\S)", raw):
                errors.append(
                    _("line %(line)d: not a MEDLINE field: “%(text)s”.")
                    % {"line": line + extra, "text": raw[:60]}
                )
                break
        try:
            parsed = nbib.read(chunk)
        except Exception as exc:  # nbib raises plain exceptions on bad input
            errors.append(_("%(where)s: %(error)s") % {"where": where, "error": exc})
            continue
        if not parsed or not parsed[0].get("title"):
            errors.append(_("%(where)s: no title (TI).") % {"where": where})
            continue
        item = parsed[0]
        record = Record(where=where)
        f = record.fields
        f.update(type="article-journal", title=str(item["title"]).rstrip("."))
        f["container_title"] = item.get("journal", "")
        f["container_title_short"] = item.get("journal_abbreviated", "")
        f.update(
            volume=str(item.get("journal_volume", "")), issue=str(item.get("journal_issue", ""))
        )
        f.update(page=str(item.get("pages", "")), abstract=item.get("abstract", ""))
        f.update(pmid=str(item.get("pubmed_id", "")), doi=item.get("doi", ""))
        f["pmcid"] = normalize_pmcid(item.get("pmcid", ""))
        f.update(_medline_date(item.get("publication_date", "")))
        for author in item.get("authors", []):
            if author.get("last_name"):
                record.creators.append(
                    {"role": "author", "family": author["last_name"],
                     "given": author.get("first_name", ""), "literal": ""}
                )  # fmt: skip
            elif author.get("author"):
                record.creators.append(_split_name(author["author"], "author"))
        for group in item.get("corporate_authors", []) or []:
            record.creators.append({"role": "author", "family": "", "given": "", "literal": group})
        records.append(record)
    if errors:
        raise FileFormatError(errors)
    return records


# --- choosing a format -------------------------------------------------------------
READERS = {
    "bibtex": read_bibtex,
    "ris": read_ris,
    "medline": read_medline,
    "csl-json": read_csl_json,
}
WRITERS = {
    "ris": (write_ris, "application/x-research-info-systems", "ris"),
    "bibtex": (write_bibtex, "application/x-bibtex", "bib"),
    "csl-json": (write_csl_json, "application/vnd.citationstyles.csl+json", "json"),
}
EXTENSIONS = {"bib": "bibtex", "bibtex": "bibtex", "ris": "ris", "nbib": "medline",
              "medline": "medline", "json": "csl-json"}  # fmt: skip


def detect_format(name: str, text: str) -> str:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension in EXTENSIONS:
        return EXTENSIONS[extension]
    head = text.lstrip("\ufeff \n\r\t")
    if head.startswith(("[", "{")):
        return "csl-json"
    if head.startswith("@"):
        return "bibtex"
    if head.startswith("TY  -"):
        return "ris"
    if head.startswith("PMID-"):
        return "medline"
    raise FileFormatError(
        [
            _("Cannot tell the format of “%(name)s”: use .bib, .ris, .nbib or .json.")
            % {"name": name}
        ]
    )


def read_file(data: bytes, name: str, format: str | None = None) -> list[Record]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileFormatError(
            [_("line %(line)d: the file is not UTF-8 text.") % {"line": line}]
        ) from exc
    format = format or detect_format(name, text)
    records = READERS[format](text)
    for record in records:
        f = record.fields
        f["doi"] = normalize_doi(f.get("doi", ""))
        f["pmid"] = normalize_pmid(f.get("pmid", ""))
        f["pmcid"] = normalize_pmcid(f.get("pmcid", ""))
        for name in TEXT_FIELDS:
            if name in f and f[name] is None:
                f[name] = ""
    return records
