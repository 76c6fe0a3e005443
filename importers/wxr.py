"""A streaming, defensive reader of WordPress eXtended RSS (WXR) 1.0–1.2.

WordPress's exporter writes one ``<rss><channel>`` with the site's details,
its authors and terms first, then one ``<item>`` per post, page, attachment or
menu item, each holding its comments. The reader walks the file with
``iterparse`` and drops every item once it has been turned into a ``WxrItem``,
so memory stays flat however large the export is.

Safety: the parser is defusedxml's, which refuses entity declarations (the
"billion laughs" expansion) and external entities; a DOCTYPE naming an
external DTD (``SYSTEM "http://..."``, ``file:///...``) is refused too, before
anything could fetch it (expat would only skip it, but a WordPress export never
has one); the nesting depth is capped (a WXR file is six levels deep). Every
refusal is a ``WxrError`` with a message meant for the person who uploaded the
file.
"""

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.etree.ElementTree import ParseError, TreeBuilder

import defusedxml
import defusedxml.ElementTree as SafeET
from defusedxml.ElementTree import DefusedXMLParser

SUPPORTED_VERSIONS = ("1.0", "1.1", "1.2")
# rss > channel > item > wp:comment > wp:commentmeta > wp:meta_value is 6.
MAX_DEPTH = 32

_WP_NS = re.compile(r"^https?://wordpress\.org/export/(\d+\.\d+)/$")
_EXCERPT_NS = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/excerpt/$")
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"


class WxrError(Exception):
    """The file cannot be imported; the message says why, for a person."""


@dataclass
class WxrAuthor:
    wp_id: str
    login: str
    email: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass
class WxrTerm:
    """A category or tag. ``parent`` is the parent's slug (as WordPress writes it)."""

    taxonomy: str  # "category" or "post_tag"
    wp_id: str
    slug: str
    name: str
    parent: str = ""
    description: str = ""


@dataclass
class WxrComment:
    wp_id: str
    author: str = ""
    author_email: str = ""
    author_url: str = ""
    author_ip: str = ""
    date: str = ""
    date_gmt: str = ""
    content: str = ""
    approved: str = ""  # "1", "0", "spam", "trash"
    type: str = ""  # "", "comment", "pingback", "trackback"
    parent: str = "0"
    user_id: str = "0"
    meta: dict[str, str] = field(default_factory=dict)  # a repeated key: its latest value
    history: list[str] = field(default_factory=list)  # every akismet_history value, in order

    @property
    def is_ping(self):
        return self.type in ("pingback", "trackback")

    @property
    def state(self):
        """approved / pending / spam / trash ("post-trashed": its post went to the trash)."""
        return {
            "1": "approved",
            "0": "pending",
            "spam": "spam",
            "trash": "trash",
            "post-trashed": "trash",
        }.get(self.approved, "pending")


@dataclass
class WxrItem:
    wp_id: str = ""
    title: str = ""
    link: str = ""
    guid: str = ""
    pub_date: str = ""
    creator: str = ""
    content: str = ""
    excerpt: str = ""
    post_date: str = ""
    post_date_gmt: str = ""
    post_name: str = ""
    status: str = ""
    post_parent: str = "0"
    menu_order: str = "0"
    post_type: str = ""
    post_password: str = ""
    is_sticky: str = "0"
    attachment_url: str = ""
    comment_status: str = ""
    terms: list[tuple[str, str, str]] = field(default_factory=list)  # (domain, slug, name)
    meta: dict[str, str] = field(default_factory=dict)
    comments: list[WxrComment] = field(default_factory=list)

    @property
    def label(self):
        """How the report names this item."""
        title = self.title or "(no title)"
        return f"{self.post_type or 'item'} #{self.wp_id} “{title[:80]}”"

    def categories(self):
        return [(slug, name) for domain, slug, name in self.terms if domain == "category"]

    def tags(self):
        return [(slug, name) for domain, slug, name in self.terms if domain in ("post_tag", "tag")]


@dataclass
class WxrHeader:
    version: str = ""
    title: str = ""
    link: str = ""
    description: str = ""
    language: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""
    generator: str = ""
    authors: list[WxrAuthor] = field(default_factory=list)
    categories: list[WxrTerm] = field(default_factory=list)
    tags: list[WxrTerm] = field(default_factory=list)
    other_terms: int = 0

    @property
    def site_url(self):
        return (self.base_blog_url or self.base_site_url or self.link).rstrip("/")


def parse_datetime(value: str) -> datetime | None:
    """WordPress's "2010-06-22 18:01:02", naive (the caller knows its zone);
    None for 0000-00-00 or anything else."""
    value = (value or "").strip()
    if not value or value.startswith("0000"):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007 - naive by design
    except ValueError:
        return None


def parse_gmt(value: str) -> datetime | None:
    """WordPress's "2010-06-22 18:01:02" (GMT) as an aware datetime; None for 0000-00-00."""
    naive = parse_datetime(value)
    return naive.replace(tzinfo=UTC) if naive else None


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def _kind(ns: str) -> str:
    """A short name for the namespaces WXR uses."""
    if not ns:
        return ""
    if _WP_NS.match(ns):
        return "wp"
    if _EXCERPT_NS.match(ns):
        return "excerpt"
    if ns == CONTENT_NS:
        return "content"
    if ns == DC_NS:
        return "dc"
    return "other"


def _text(element) -> str:
    return element.text or ""


def _children(element) -> dict[str, str]:
    """{'wp:name': text} for an element's simple children."""
    found = {}
    for child in element:
        ns, name = _split(child.tag)
        key = f"{_kind(ns)}:{name}" if ns else name
        found.setdefault(key, _text(child))
    return found


def _author(element) -> WxrAuthor:
    data = _children(element)
    return WxrAuthor(
        wp_id=data.get("wp:author_id", "").strip(),
        login=data.get("wp:author_login", "").strip(),
        email=data.get("wp:author_email", "").strip(),
        display_name=data.get("wp:author_display_name", "").strip(),
        first_name=data.get("wp:author_first_name", "").strip(),
        last_name=data.get("wp:author_last_name", "").strip(),
    )


def _category(element) -> WxrTerm:
    data = _children(element)
    return WxrTerm(
        taxonomy="category",
        wp_id=data.get("wp:term_id", "").strip(),
        slug=data.get("wp:category_nicename", "").strip(),
        name=html.unescape(data.get("wp:cat_name", "")).strip(),
        parent=data.get("wp:category_parent", "").strip(),
        description=data.get("wp:category_description", ""),
    )


def _tag(element) -> WxrTerm:
    data = _children(element)
    return WxrTerm(
        taxonomy="post_tag",
        wp_id=data.get("wp:term_id", "").strip(),
        slug=data.get("wp:tag_slug", "").strip(),
        name=html.unescape(data.get("wp:tag_name", "")).strip(),
        description=data.get("wp:tag_description", ""),
    )


def _term(element) -> WxrTerm | None:
    """WXR 1.1+ also lists every term as wp:term; only categories and tags matter here."""
    data = _children(element)
    taxonomy = data.get("wp:term_taxonomy", "").strip()
    if taxonomy not in ("category", "post_tag"):
        return None
    return WxrTerm(
        taxonomy=taxonomy,
        wp_id=data.get("wp:term_id", "").strip(),
        slug=data.get("wp:term_slug", "").strip(),
        name=html.unescape(data.get("wp:term_name", "")).strip(),
        parent=data.get("wp:term_parent", "").strip(),
        description=data.get("wp:term_description", ""),
    )


def _meta(element) -> tuple[str, str]:
    data = _children(element)
    return data.get("wp:meta_key", ""), data.get("wp:meta_value", "")


_COMMENT_FIELDS = {
    "comment_id": "wp_id",
    "comment_author": "author",
    "comment_author_email": "author_email",
    "comment_author_url": "author_url",
    "comment_author_IP": "author_ip",
    "comment_date": "date",
    "comment_date_gmt": "date_gmt",
    "comment_content": "content",
    "comment_approved": "approved",
    "comment_type": "type",
    "comment_parent": "parent",
    "comment_user_id": "user_id",
}


def _comment(element) -> WxrComment:
    comment = WxrComment(wp_id="")
    for child in element:
        _ns, name = _split(child.tag)
        if name == "commentmeta":
            key, value = _meta(child)
            comment.meta[key] = value
            if key == "akismet_history":
                comment.history.append(value)
        elif name in _COMMENT_FIELDS:
            value = _text(child)
            if name != "comment_content":
                value = value.strip()
            setattr(comment, _COMMENT_FIELDS[name], value)
    return comment


_ITEM_WP_FIELDS = {
    "post_id": "wp_id",
    "post_date": "post_date",
    "post_date_gmt": "post_date_gmt",
    "post_name": "post_name",
    "status": "status",
    "post_parent": "post_parent",
    "menu_order": "menu_order",
    "post_type": "post_type",
    "post_password": "post_password",
    "is_sticky": "is_sticky",
    "attachment_url": "attachment_url",
    "comment_status": "comment_status",
}


def _item(element) -> WxrItem:
    item = WxrItem()
    has_domain_terms = False
    bare_terms = []
    for child in element:
        ns, name = _split(child.tag)
        kind = _kind(ns)
        if kind == "":
            if name == "title":
                item.title = html.unescape(_text(child)).strip()
            elif name == "link":
                item.link = _text(child).strip()
            elif name == "guid":
                item.guid = _text(child).strip()
            elif name == "pubDate":
                item.pub_date = _text(child).strip()
            elif name == "category":
                domain = child.get("domain", "")
                term_name = html.unescape(_text(child)).strip()
                if domain:
                    has_domain_terms = True
                    item.terms.append((domain, child.get("nicename", "").strip(), term_name))
                else:  # WXR 1.0 repeats each category without its domain
                    bare_terms.append(term_name)
        elif kind == "dc" and name == "creator":
            item.creator = _text(child).strip()
        elif kind == "content" and name == "encoded":
            item.content = _text(child)
        elif kind == "excerpt" and name == "encoded":
            item.excerpt = _text(child)
        elif kind == "wp":
            if name == "postmeta":
                key, value = _meta(child)
                item.meta.setdefault(key, value)
            elif name == "comment":
                item.comments.append(_comment(child))
            elif name in _ITEM_WP_FIELDS:
                setattr(item, _ITEM_WP_FIELDS[name], _text(child).strip())
    if not has_domain_terms:
        item.terms.extend(("category", "", term_name) for term_name in bare_terms if term_name)
    return item


def _refusal(exc: Exception) -> WxrError:
    if isinstance(exc, defusedxml.EntitiesForbidden):
        return WxrError(
            "The file declares XML entities, which WordPress exports never do (this is how "
            "“billion laughs” and external-entity attacks work). It was refused, and nothing "
            "was imported."
        )
    if isinstance(exc, defusedxml.ExternalReferenceForbidden):
        where = f" ({exc.sysid[:200]})" if exc.sysid else ""
        return WxrError(
            f"The file refers to an external resource{where}, an external DTD or entity, "
            "which WordPress exports never do. Nothing was fetched from it; the file was "
            "refused, and nothing was imported."
        )
    if isinstance(exc, defusedxml.DTDForbidden):
        return WxrError("The file declares a DTD, which WordPress exports never do. Refused.")
    if isinstance(exc, ParseError):
        line, column = getattr(exc, "position", (0, 0))
        return WxrError(
            f"The file is not well-formed XML (line {line}, column {column}: "
            f"{str(exc).split(':')[0]}). Export it again from WordPress "
            "(Tools → Export) and upload the new file; nothing was imported."
        )
    return WxrError(f"The file could not be read: {exc}")


class _Parser(DefusedXMLParser):
    """defusedxml's parser (entities and external entities refused), which also
    refuses a DOCTYPE that names an external DTD. A DOCTYPE with only an
    internal subset goes on to the entity checks, whose message is clearer."""

    def __init__(self):
        super().__init__(
            target=TreeBuilder(),
            forbid_dtd=False,
            forbid_entities=True,
            forbid_external=True,
        )
        self.parser.StartDoctypeDeclHandler = self._refuse_external_dtd

    @staticmethod
    def _refuse_external_dtd(name, sysid, pubid, has_internal_subset):
        if sysid or pubid:
            raise defusedxml.ExternalReferenceForbidden(None, None, sysid or pubid, pubid)


def read(path) -> Iterator[WxrHeader | WxrItem]:
    """Yield the header (once, before the first item) and then every item.

    Raises WxrError for a file that is not a WordPress export, an unknown WXR
    version, malformed or hostile XML."""
    header = WxrHeader()
    header_sent = False
    depth = 0
    root_checked = False
    channel = None
    wp_version_ns = ""
    try:
        events = SafeET.iterparse(str(path), events=("start", "end"), parser=_Parser())
        for event, element in events:
            if event == "start":
                depth += 1
                if depth > MAX_DEPTH:
                    raise WxrError(
                        f"The file nests elements more than {MAX_DEPTH} levels deep; a "
                        "WordPress export never does. Refused, and nothing was imported."
                    )
                if not root_checked:
                    root_checked = True
                    if element.tag != "rss":
                        raise WxrError(_not_wxr(f"its root element is <{element.tag}>"))
                elif depth == 2:
                    if element.tag != "channel":
                        raise WxrError(_not_wxr("it has no <channel>"))
                    channel = element
                elif depth == 3 and element.tag == "item" and not header_sent:
                    _check_version(header, wp_version_ns)
                    header_sent = True
                    yield header
                elif not wp_version_ns:
                    ns, _ = _split(element.tag)
                    if _kind(ns) == "wp":
                        wp_version_ns = _WP_NS.match(ns).group(1)
                continue

            depth -= 1
            if depth != 2 or channel is None:
                continue
            ns, name = _split(element.tag)
            kind = _kind(ns)
            if name == "item" and not ns:
                yield _item(element)
            elif kind == "wp":
                _read_header_element(header, name, element)
            elif not ns and name in ("title", "link", "description", "language", "generator"):
                setattr(header, name, _text(element).strip())
            # Done with this child of <channel>: let it go.
            element.clear()
            channel.remove(element)
        if channel is None:
            raise WxrError(_not_wxr("it has no <channel>"))
        if not header_sent:
            _check_version(header, wp_version_ns)
            yield header
    except WxrError:
        raise
    except (ParseError, defusedxml.DefusedXmlException) as exc:
        raise _refusal(exc) from exc
    except OSError as exc:
        raise WxrError(f"The file could not be opened: {exc.strerror or exc}") from exc


def _read_header_element(header: WxrHeader, name: str, element):
    if name == "wxr_version":
        header.version = _text(element).strip()
    elif name == "base_site_url":
        header.base_site_url = _text(element).strip()
    elif name == "base_blog_url":
        header.base_blog_url = _text(element).strip()
    elif name == "author":
        header.authors.append(_author(element))
    elif name == "category":
        header.categories.append(_category(element))
    elif name == "tag":
        header.tags.append(_tag(element))
    elif name == "term":
        term = _term(element)
        if term is None:
            header.other_terms += 1
        elif term.taxonomy == "category" and all(c.slug != term.slug for c in header.categories):
            header.categories.append(term)
        elif term.taxonomy == "post_tag" and all(t.slug != term.slug for t in header.tags):
            header.tags.append(term)


def _not_wxr(reason: str) -> str:
    return (
        f"This is not a WordPress export (WXR) file: {reason}. In WordPress, use "
        "Tools → Export → All content, and upload the file it downloads."
    )


def _check_version(header: WxrHeader, wp_version_ns: str):
    if not header.version:
        if not wp_version_ns:
            raise WxrError(_not_wxr("it has no wp:wxr_version"))
        raise WxrError(_not_wxr("it has no wp:wxr_version, so its format is unknown"))
    if header.version not in SUPPORTED_VERSIONS:
        raise WxrError(
            f"This export is WXR version {header.version[:20]}, which this importer does not "
            f"know (it reads versions {', '.join(SUPPORTED_VERSIONS)}). Nothing was imported."
        )
