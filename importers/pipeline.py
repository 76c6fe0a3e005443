"""The import: a scan of the whole file, then a list of steps in one transaction.

1. ``scan``: reads the file once, writing nothing. It refuses bad files
   (malformed, hostile, not WXR, unknown version) before anything changes,
   and builds a small ``Index`` of every item (IDs, types, slugs, dates,
   permalinks, parents; never the content) so later steps know the new address
   of every post before they convert the first body.
2. The steps (``importers.steps.STEPS``), in order, inside one database
   transaction. A step either works from the header and the index (authors,
   terms) or streams the items of the kinds it handles (attachments, pages,
   posts). Each records what it made in ``WordPressItem``, the stable mapping
   from WordPress IDs/GUIDs to our objects, which makes a second run of the
   same export change nothing.

A failure rolls everything back, including the files stored on the way; a
trial run (``dry_run``) does all the work and rolls it back at the end.
"""

import hashlib
import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.contrib.contenttypes.models import ContentType
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.text import slugify

from core import pagecache
from importers import wxr
from importers.content import Attachment, ContentConverter
from importers.fetch import Fetcher
from importers.links import LinkMap, normalize_path
from importers.models import ImportedDocument, WordPressItem
from importers.progress import Progress
from importers.report import Report
from posts.models import RESERVED_PAGE_SLUGS, Page, Post

# Bump when the conversion changes, so a re-import refreshes what it made.
CONVERTER_VERSION = "1"


@dataclass
class Options:
    media_dir: Path | None = None
    dry_run: bool = False
    allow_hosts: list[str] = field(default_factory=list)
    skip_pings: bool = False


@dataclass
class ItemInfo:
    """What the scan keeps of an item: enough to plan, never the content."""

    wp_id: str
    post_type: str
    status: str
    slug: str
    title: str
    link: str
    guid: str
    parent: str
    published_at: datetime | None
    attachment_url: str = ""
    planned_url: str = ""
    depth: int = 0
    path: str = ""  # pages: the path of slugs from the top-level page


@dataclass
class Index:
    items: dict[str, ItemInfo] = field(default_factory=dict)
    types: Counter = field(default_factory=Counter)
    creators: set[str] = field(default_factory=set)
    menu_page_ids: set[str] = field(default_factory=set)
    children: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    comments: Counter = field(default_factory=Counter)  # of posts and pages, by state
    pings: int = 0
    other_comments: int = 0  # on attachment pages and other kinds of item

    def count(self, *post_types) -> int:
        return sum(self.types[t] for t in post_types)


def site_key(url: str) -> str:
    """The blog's address without its scheme: http→https moves keep matching."""
    parts = urlsplit(url)
    return (parts.netloc.lower().removeprefix("www.") + parts.path.rstrip("/"))[:200]


def address_key(url: str) -> str:
    """A URL without its scheme, like ``site_key`` (to compare addresses across a move)."""
    parts = urlsplit(url)
    return parts.netloc.lower().removeprefix("www.") + parts.path


def fingerprint(*values) -> str:
    data = json.dumps([CONVERTER_VERSION, *values], sort_keys=True, default=str)
    return hashlib.sha256(data.encode()).hexdigest()


def wp_slug(value: str, *fallbacks: str, max_length: int) -> str:
    """WordPress stores slugs percent-encoded and possibly non-ASCII; our
    addresses use ASCII slugs. Falls back to the title, then e.g. "post-123"."""
    for candidate in (unquote(value or ""), *fallbacks):
        slug = slugify(candidate)[:max_length].strip("-")
        if slug:
            return slug
    return ""


def post_state(item: wxr.WxrItem):
    """(our status, publication time, a note) for a WordPress post.

    publish → published; future → published at its future time (scheduled);
    draft, pending (awaiting review), private (visible only to the author in
    WordPress) and password-protected posts → drafts, so nothing becomes
    public that was not public before."""
    published_at = wp_time(item.post_date_gmt, item.post_date)
    status = item.status
    if status in ("publish", "future") and not item.post_password:
        return Post.Status.PUBLISHED, published_at or timezone.now(), ""
    note = {
        "pending": "was pending review in WordPress; imported as a draft",
        "private": "was private in WordPress; imported as a draft (only staff can see it)",
    }.get(status, "")
    if item.post_password and status in ("publish", "future"):
        note = "was password-protected in WordPress; imported as a draft"
    return Post.Status.DRAFT, published_at, note


def page_state(item: wxr.WxrItem):
    """Pages have no schedule here: only published ones are public."""
    _, published_at, note = post_state(item)
    if item.status == "publish" and not item.post_password:
        return Page.Status.PUBLISHED, published_at, ""
    if item.status == "future":
        note = "was scheduled in WordPress; pages cannot be scheduled here, so it is a draft"
    return Page.Status.DRAFT, published_at, note


def wp_time(gmt: str, local: str) -> datetime | None:
    """When WordPress dates a post or comment: its GMT time, or else its local
    one, in the blog's time zone, which the export does not say: ours is assumed."""
    if found := wxr.parse_gmt(gmt):
        return found
    naive = wxr.parse_datetime(local)
    return timezone.make_aware(naive) if naive else None


class Context:
    """What the steps share during one import."""

    def __init__(self, *, path, options, header, index, report, progress):
        self.path = path
        self.options = options
        self.header = header
        self.index = index
        self.report = report
        self.progress = progress
        self.site = site_key(header.site_url)
        self.links = LinkMap([header.base_site_url, header.base_blog_url, header.link])
        hosts = {urlsplit(u).hostname for u in (header.base_site_url, header.base_blog_url)}
        self.fetcher = Fetcher(hosts={h for h in hosts if h} | set(options.allow_hosts))
        self.stored_files: list[tuple] = []  # (storage, name): removed if the import rolls back
        self.converted_posts: set[int] = set()  # posts whose body this run wrote
        self.users = {}  # WordPress login -> User
        self.categories = {}  # slug -> Category
        self.tags = {}  # slug -> Tag
        self.attachments = {}  # WordPress ID -> content.Attachment
        self.documents_by_url = {}  # new URL -> ImportedDocument id
        self.documents_by_parent = defaultdict(list)  # post ID -> ImportedDocument ids
        self.redirect_site = Site.objects.get_current()
        self.moved_from: list[str] = []  # earlier addresses of this blog (site keys)
        self._mappings = {}

    def follow_move(self):
        """The same blog imported before from another address (a new domain,
        /blog moved to the root): WordPress keeps every GUID and ID when a blog
        moves, so rows of an earlier import whose GUID *and* WordPress ID match
        an item of this export are this blog's. All that import's rows (authors,
        terms, comments, pings...) then move to this address, and the IDs match
        as on a second run from the same address. A row this address already
        has stays as it is. Runs inside the import's transaction, before any
        mapping is read."""
        by_guid = {info.guid[:500]: info.wp_id for info in self.index.items.values() if info.guid}
        if not by_guid:
            return
        guids, matches = list(by_guid), Counter()
        for start in range(0, len(guids), 5000):  # within SQLite's limit on parameters
            candidates = (
                WordPressItem.objects.filter(kind__in=["post", "page", "attachment"])
                .exclude(site=self.site)
                .filter(guid__in=guids[start : start + 5000])
                .values_list("site", "guid", "wp_id")
            )
            matches.update(site for site, guid, wp_id in candidates if by_guid[guid] == wp_id)
        for old_site, n in matches.most_common():
            clash = WordPressItem.objects.filter(
                site=self.site, kind=OuterRef("kind"), wp_id=OuterRef("wp_id")
            )
            moved = (
                WordPressItem.objects.filter(site=old_site).exclude(Exists(clash)).order_by()
            ).update(site=self.site)
            self.moved_from.append(old_site)
            self.report.note(
                f"This blog was imported before from {old_site} ({n} post(s), page(s) or "
                f"file(s) with the same WordPress IDs and GUIDs): what that import made is "
                f"recognised and now belongs to {self.site} "
                f"({moved} record(s) moved), so nothing is imported twice."
            )

    def same_address_after_move(self, old_url: str, new_url: str) -> bool:
        """Whether ``old_url`` (recorded by an import from an earlier address of
        the blog) is ``new_url`` at the blog's new address."""
        old, new = address_key(old_url), address_key(new_url)
        if not new.startswith(self.site):
            return False
        return any(
            old.startswith(key) and old[len(key) :] == new[len(self.site) :]
            for key in self.moved_from
        )

    def prepare_links(self):
        """Before any body is converted: the planned address of every post and
        page of this export, then what earlier imports made (a "posts only"
        export still links to images imported before)."""
        for info in self.index.items.values():
            if not info.planned_url:
                continue
            self.links.add_url(info.link, info.planned_url)
            self.links.add_query("p", info.wp_id, info.planned_url)
            if info.post_type == "page":
                self.links.add_query("page_id", info.wp_id, info.planned_url)
        rows = WordPressItem.objects.filter(
            site=self.site, kind__in=["post", "page", "attachment"]
        ).select_related("content_type")
        by_type = defaultdict(list)
        for row in rows:
            by_type[row.content_type].append(row)
        for content_type, mappings in by_type.items():
            model = content_type.model_class()
            heavy = {"body", "search_document", "search_vector", "description"}
            names = {f.name for f in model._meta.concrete_fields}
            queryset = model._default_manager.defer(*(heavy & names))
            if model is ImportedDocument:
                queryset = queryset.select_related("attachment__reference")
            objects = queryset.in_bulk([m.object_id for m in mappings])
            for mapping in mappings:
                obj = objects.get(mapping.object_id)
                if obj is None:
                    continue
                if mapping.kind == "attachment":
                    url = obj.get_absolute_url()
                    if not url:
                        continue
                    self.links.add_url(mapping.data.get("url", ""), url)
                    self.links.add_query("attachment_id", mapping.wp_id, url)
                    self.attachments.setdefault(
                        mapping.wp_id,
                        Attachment(
                            url=url,
                            is_image=bool(mapping.data.get("is_image")),
                            title=str(obj),
                            alt=getattr(obj, "alt_text", ""),
                            caption=getattr(obj, "caption", ""),
                        ),
                    )
                    if not mapping.data.get("is_image"):
                        self.documents_by_url.setdefault(url, obj.pk)
                elif getattr(obj, "status", "") == "published":
                    url = obj.get_absolute_url()
                    if mapping.kind == "page":
                        self.links.add_query("page_id", mapping.wp_id, url)
                else:
                    continue
                self.links.add_url(mapping.old_url, url)
                self.links.add_query("p", mapping.wp_id, url)

    # --- The file -------------------------------------------------------------

    def items(self, post_types):
        """Stream the file's items of these post types."""
        for element in wxr.read(self.path):
            if isinstance(element, wxr.WxrItem) and element.post_type in post_types:
                yield element

    # --- The mapping ----------------------------------------------------------

    def mappings(self, kind) -> dict[str, WordPressItem]:
        """This site's mapping rows of one kind, by WordPress ID (loaded once)."""
        if kind not in self._mappings:
            rows = WordPressItem.objects.filter(site=self.site, kind=kind)
            self._mappings[kind] = {row.wp_id: row for row in rows}
        return self._mappings[kind]

    def find(self, kind, wp_id, guid="") -> WordPressItem | None:
        found = self.mappings(kind).get(wp_id)
        if found is None and guid:
            # The same post exported from another address of the blog.
            found = WordPressItem.objects.filter(kind=kind, guid=guid[:500]).first()
        return found

    @staticmethod
    def target(mapping: WordPressItem | None):
        if mapping is None:
            return None
        model = mapping.content_type.model_class()
        return model._default_manager.filter(pk=mapping.object_id).first()

    def record(self, kind, wp_id, obj, *, guid="", old_url="", source_hash="", data=None):
        mapping = self.mappings(kind).get(wp_id)
        if mapping is None:
            mapping = WordPressItem(site=self.site, kind=kind, wp_id=wp_id)
        values = {
            "guid": (guid or "")[:500],
            "old_url": (old_url or "")[:500],
            "source_hash": source_hash,
            "content_type": ContentType.objects.get_for_model(obj),
            "object_id": obj.pk,
            "data": data or {},
        }
        if mapping.pk and all(getattr(mapping, k) == v for k, v in values.items()):
            return mapping  # nothing changed: leave the row (and its updated_at) alone
        for name, value in values.items():
            setattr(mapping, name, value)
        mapping.save()
        self.mappings(kind)[wp_id] = mapping
        return mapping

    # --- Side effects -----------------------------------------------------------

    def save_file(self, field_file, name, content):
        """Store an imported file, remembering it so a rollback removes it."""
        field_file.save(name, content, save=False)
        self.stored_files.append((field_file.storage, field_file.name))

    def redirect(self, old_url: str, new_url: str, item_label: str = ""):
        """A permanent redirect from an old path of this site, unless it is the same."""
        if "://" in old_url:
            old_path = self.links.old_path(old_url)
        else:
            old_path = escape_uri_path(unquote(old_url))
        if not old_path or not new_url or "?" in old_path:
            return  # query forms are answered by the home view (importers.legacy)
        if normalize_path(old_path) == normalize_path(urlsplit(new_url).path) and (
            "://" not in new_url
        ):
            return
        if len(old_path) > 200 or len(new_url) > 200:
            self.report.problem(
                item_label or old_path[:80],
                "its old address is too long for a redirect (200 characters); "
                "links to it will not be redirected",
            )
            return
        redirect, created = Redirect.objects.get_or_create(
            site=self.redirect_site, old_path=old_path, defaults={"new_path": new_url}
        )
        if created:
            self.report.count("redirect", "imported")
        elif redirect.new_path != new_url:
            redirect.new_path = new_url
            redirect.save(update_fields=["new_path"])
            self.report.count("redirect", "updated")
        else:
            self.report.count("redirect", "unchanged")

    def converter(self):
        return ContentConverter(
            resolve=self.links.resolve, attachments=self.attachments, children=self.index.children
        )


class Importer:
    def __init__(self, path, options=None, *, progress=None, steps=None):
        from importers.steps import STEPS

        self.path = Path(path)
        self.options = options or Options()
        self.progress = progress or Progress()
        self.steps = [step() for step in (steps or STEPS)]
        self.report = Report(dry_run=self.options.dry_run)

    def run(self) -> Report:
        started = time.monotonic()
        try:
            self.progress.phase("Reading")
            header, index = self.scan()
            ctx = Context(
                path=self.path,
                options=self.options,
                header=header,
                index=index,
                report=self.report,
                progress=self.progress,
            )
            self.report.site = header.site_url
            self.report.version = header.version
            self.progress.start(sum(step.total(ctx) for step in self.steps))
            self.import_all(ctx)
        finally:
            self.progress.close()
        self.report.seconds = time.monotonic() - started
        return self.report

    def import_all(self, ctx):
        """Every step in one transaction; files stored on the way go if it rolls back."""
        try:
            with transaction.atomic():
                ctx.follow_move()
                ctx.prepare_links()
                for step in self.steps:
                    self.progress.phase(step.label)
                    step.run(ctx)
                if self.options.dry_run:
                    transaction.set_rollback(True)
        except BaseException:
            self._remove_files(ctx)
            raise
        if self.options.dry_run:
            self._remove_files(ctx)
        else:
            transaction.on_commit(pagecache.invalidate_all)

    @staticmethod
    def _remove_files(ctx):
        for storage, name in ctx.stored_files:
            storage.delete(name)

    def scan(self) -> tuple[wxr.WxrHeader, Index]:
        """Read the whole file once, writing nothing; refuse it if it is bad."""
        header = None
        index = Index()
        for element in wxr.read(self.path):
            if isinstance(element, wxr.WxrHeader):
                header = element
                continue
            item = element
            index.types[item.post_type] += 1
            if item.creator:
                index.creators.add(item.creator)
            self.census(item, index)
            if item.post_type == "nav_menu_item" and item.meta.get("_menu_item_object") == "page":
                index.menu_page_ids.add(item.meta.get("_menu_item_object_id", "").strip())
            if item.post_type not in ("post", "page", "attachment"):
                continue
            if item.post_type == "attachment" and item.post_parent not in ("", "0"):
                index.children[item.post_parent].append(item.wp_id)
            state = page_state if item.post_type == "page" else post_state
            status, published_at, _ = state(item)
            index.items[item.wp_id] = ItemInfo(
                wp_id=item.wp_id,
                post_type=item.post_type,
                status=status if item.status not in ("trash", "auto-draft") else item.status,
                slug=wp_slug(
                    item.post_name,
                    item.title,
                    f"{item.post_type}-{item.wp_id}",
                    max_length=200 if item.post_type == "post" else 100,
                ),
                title=item.title,
                link=item.link,
                guid=item.guid,
                parent=item.post_parent,
                published_at=published_at,
                attachment_url=item.attachment_url,
            )
        if header is None:  # pragma: no cover - wxr.read always yields it
            raise wxr.WxrError("The file has no WordPress export header.")
        self.plan(index)
        return header, index

    @staticmethod
    def census(item: wxr.WxrItem, index: Index):
        """Count the comments and pings of posts and pages (the comments step's work)."""
        if item.post_type not in ("post", "page"):
            index.other_comments += len(item.comments)
            return
        for comment in item.comments:
            if comment.is_ping:
                index.pings += 1
            else:
                index.comments[comment.state] += 1

    @staticmethod
    def plan(index: Index):
        """The address every public post and page will have here."""
        for info in index.items.values():
            if info.post_type == "post" and info.status == Post.Status.PUBLISHED:
                info.planned_url = Post(
                    slug=info.slug, published_at=info.published_at
                ).get_absolute_url()
        pages = [info for info in index.items.values() if info.post_type == "page"]
        for info in pages:
            parent = index.items.get(info.parent)
            if (parent is None or parent.post_type != "page") and (
                info.slug in RESERVED_PAGE_SLUGS or info.slug.isdigit()
            ):
                info.slug = f"{info.slug}-page"  # /feed/, /2010/... are the site's own
        for info in pages:
            chain, seen, current = [], set(), info
            while current is not None and current.wp_id not in seen:
                seen.add(current.wp_id)
                chain.append(current.slug)
                parent = index.items.get(current.parent)
                current = parent if parent is not None and parent.post_type == "page" else None
            info.depth = len(chain) - 1
            info.path = "/".join(reversed(chain))
            if info.status == Page.Status.PUBLISHED:
                info.planned_url = reverse("posts:page", kwargs={"path": info.path})
