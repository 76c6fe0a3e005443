"""Comments, pingbacks and trackbacks of the imported posts."""

import ipaddress
import re
from collections import Counter
from typing import NamedTuple

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _

from comments import services as comment_services
from comments.models import Comment
from importers.content import comment_text
from importers.models import ImportedPing, WordPressItem
from importers.pipeline import fingerprint, wp_time
from importers.steps.base import Step
from importers.steps.content import SKIPPED_STATUSES
from importers.wxr import WxrComment
from posts.models import Post

MAPPING_BATCH = 2000


class Known(NamedTuple):
    """A comment or ping imported before: its mapping row, compactly."""

    pk: int
    object_id: int
    source_hash: str


STATUS = {
    "approved": Comment.Status.PUBLISHED,
    "pending": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
}
# What the report says of one post's comments ({n}: how many).
PROBLEMS = {
    "trash": "{n} comment(s) were in WordPress's trash; not imported",
    "orphan": (
        "{n} reply(ies) answer a comment that is not in the export or was not imported; "
        "shown as top-level comments"
    ),
    "loop": "{n} reply(ies) answer each other in a loop; shown as top-level comments",
    "deep": "{n} reply(ies) were nested deeper than {depth} levels; placed beside their parent",
    "renumbered": (
        "{n} comment(s) were numbered afresh, since some of their WordPress numbers are used "
        "here already: old #comment-N links land on the post, not on the comment "
        "(?replytocom=N links still find it)"
    ),
    "deleted": "{n} comment(s) deleted here after an earlier import were not brought back",
    "trashed_since": (
        "{n} comment(s) imported before are in WordPress's trash now; they stay here (delete "
        "them in Comments if they should go)"
    ),
    "ip": "{n} comment(s) had an IP address that is not one; it was left out",
}
# Akismet's WordPress plugin keeps a history of what happened to a comment.
_AKISMET_EVENT = re.compile(r'"event";s:\d+:"([\w-]+)"')


class CommentsStep(Step):
    """Each post's comments, with their threads, states and authors.

    - State: approved → published; pending → the moderation queue; spam → the
      spam queue; trash is left out and reported. What Akismet said in
      WordPress (``akismet_result``, the ``akismet_history`` events) is kept,
      and says why a held comment is held.
    - Threads follow ``wp:comment_parent`` in any order in the file; a reply
      to a comment that is not imported is shown as a top-level comment and
      reported; replies nested deeper than COMMENTS_MAX_DEPTH go beside their
      parent. Comments keep their WordPress numbers when all of a post's are
      free (as on a new site), so old ``#comment-123``, ``?replytocom=123`` and
      ``/comments/123/`` links find them.
    - ``wp:comment_user_id`` of a WordPress author links the comment to that
      account: the post author's own comments carry the Author badge.
    - Pingbacks and trackbacks become ``ImportedPing`` records, never reader
      comments (or are left out with --skip-pings).
    - Nothing is sent: no email, no Akismet call. Each post's comments are
      stored in a few queries (``comments.services.import_comments``) and its
      count is refreshed once.

    Each comment is recorded in ``WordPressItem``: running an export again
    changes nothing, a newer one adds comments and updates changed ones, and
    a comment deleted here after an import is not brought back."""

    label = "Comments"
    post_types = ("post", "page")

    def total(self, ctx):
        return sum(ctx.index.comments.values()) + ctx.index.pings

    def run(self, ctx):
        self.authors = {
            author.wp_id: ctx.users[author.login]
            for author in ctx.header.authors
            if author.wp_id and author.login in ctx.users
        }
        self.site = ctx.site
        self.types = {
            "comment": ContentType.objects.get_for_model(Comment),
            "ping": ContentType.objects.get_for_model(ImportedPing),
        }
        self.known = {kind: self.imported_before(kind, ctx) for kind in self.types}
        self.new_mappings = []
        self.seen = set()
        for item in ctx.items(self.post_types):
            if item.comments:
                self.handle(item, ctx)
                ctx.progress.advance(len(item.comments))
            if len(self.new_mappings) >= MAPPING_BATCH:
                self.record_new()
        self.record_new()
        if ctx.index.other_comments:
            ctx.report.count("comment", "skipped", ctx.index.other_comments)
            ctx.report.problem(
                "comments",
                f"{ctx.index.other_comments} comment(s) on attachment pages or other kinds of "
                "item were not imported: only posts take comments here",
            )

    def handle(self, item, ctx):
        unique = []
        for comment in item.comments:  # an ID twice in the file: the first one counts
            if comment.wp_id in self.seen:
                ctx.report.count("ping" if comment.is_ping else "comment", "skipped")
                ctx.report.problem(
                    item.label, f"comment #{comment.wp_id} appears twice in the export; skipped"
                )
            else:
                self.seen.add(comment.wp_id)
                unique.append(comment)
        comments = [c for c in unique if not c.is_ping]
        pings = [c for c in unique if c.is_ping]
        post = self.post_for(item, ctx)
        if post is None:
            for kind, found in (("comment", comments), ("ping", pings)):
                if found:
                    ctx.report.count(kind, "skipped", len(found))
            if item.post_type == "page" and comments:
                ctx.report.problem(
                    item.label,
                    f"pages take no comments here: its {len(comments)} comment(s) were not "
                    "imported",
                )
            elif comments and item.status not in SKIPPED_STATUSES:
                ctx.report.problem(
                    item.label, f"its {len(comments)} comment(s) were not imported either"
                )
            return
        problems = Counter()
        self.import_comments(item, post, comments, ctx, problems)
        self.import_pings(post, pings, ctx)
        for key, n in problems.items():
            if n:
                message = PROBLEMS[key].format(n=n, depth=settings.COMMENTS_MAX_DEPTH)
                ctx.report.problem(item.label, message)

    @staticmethod
    def imported_before(kind, ctx) -> dict[str, Known]:
        """This site's comments (or pings) imported before, by WordPress ID: a
        small row each, read once (none on a first import)."""
        rows = (
            WordPressItem.objects.filter(site=ctx.site, kind=kind)
            .order_by()
            .values_list("wp_id", "pk", "object_id", "source_hash")
        )
        return {wp_id: Known(*row) for wp_id, *row in rows.iterator(chunk_size=5000)}

    def remember(self, kind, wp_id, obj, source_hash, post):
        self.new_mappings.append(
            WordPressItem(
                site=self.site,
                kind=kind,
                wp_id=wp_id,
                content_type=self.types[kind],
                object_id=obj.pk,
                source_hash=source_hash,
                data={"post": post.pk},
            )
        )

    def record_new(self):
        """The mapping rows of what was imported, many posts' at a time."""
        WordPressItem.objects.bulk_create(self.new_mappings, batch_size=MAPPING_BATCH)
        self.new_mappings = []

    @staticmethod
    def recorded_again(known: Known, source_hash):
        WordPressItem.objects.filter(pk=known.pk).update(
            source_hash=source_hash, updated_at=timezone.now()
        )

    @staticmethod
    def post_for(item, ctx):
        if item.post_type != "post":
            return None
        mapping = ctx.find("post", item.wp_id, item.guid)
        if mapping is None:
            return None
        return (
            Post.objects.only("pk", "author_id", "published_at")
            .filter(pk=mapping.object_id)
            .first()
        )

    # --- Comments ---------------------------------------------------------------

    def import_comments(self, item, post, comments, ctx, problems):
        known = self.known["comment"]
        trash = [c for c in comments if c.state == "trash"]
        if trash:
            problems["trash"] += sum(c.wp_id not in known for c in trash)
            problems["trashed_since"] += sum(c.wp_id in known for c in trash)
            ctx.report.count("comment", "skipped", len(trash))
        comments = [c for c in comments if c.state != "trash"]
        if not comments:
            return
        mappings = {c.wp_id: known[c.wp_id] for c in comments if c.wp_id in known}
        stored = Comment.objects.in_bulk([m.object_id for m in mappings.values()])
        by_wp_id = {c.wp_id: c for c in comments}
        new, updated = {}, []
        for comment in comments:
            source_hash = fingerprint(
                comment.author, comment.author_email, comment.author_url, comment.author_ip,
                comment.date, comment.date_gmt, comment.content, comment.approved,
                comment.parent, comment.user_id, comment.meta.get("akismet_result", ""),
                comment.history,
            )  # fmt: skip
            mapping = mappings.get(comment.wp_id)
            if mapping is None:
                new[comment.wp_id] = (comment, source_hash)
                continue
            target = stored.get(mapping.object_id)
            if target is None:
                problems["deleted"] += 1
                ctx.report.count("comment", "skipped")
            elif mapping.source_hash == source_hash:
                ctx.report.count("comment", "unchanged")
            else:
                self.fill(target, comment, post, problems)
                target.save()
                self.recorded_again(mapping, source_hash)
                updated.append(target)
                ctx.report.count("comment", "updated")
        if new:
            self.add(post, new, by_wp_id, stored, mappings, ctx, problems)
        elif updated:
            comment_services.refresh_comment_count(post.pk)

    def add(self, post, new, by_wp_id, stored, mappings, ctx, problems):
        """Store the new comments of one post in one go, parents resolved."""
        made = {}
        for wp_id, (comment, _hash) in new.items():
            made[wp_id] = self.fill(Comment(), comment, post, problems)
            if wp_id.isdigit() and 0 < int(wp_id) < 2**31:
                made[wp_id].pk = int(wp_id)  # kept if all are free: old links use the number
        entries = []
        for wp_id, obj in made.items():
            parent = self.parent(wp_id, by_wp_id, made, stored, mappings, problems)
            entries.append((obj, parent))
        entries.sort(key=lambda entry: (entry[0].submit_date, entry[0].pk or 0))
        result = comment_services.import_comments(post=post, entries=entries)
        problems["renumbered"] += len(result.renumbered)
        problems["deep"] += len(result.moved_up)
        for wp_id, (_comment, source_hash) in new.items():
            self.remember("comment", wp_id, made[wp_id], source_hash, post)
        ctx.report.count("comment", "imported", len(new))

    @staticmethod
    def parent(wp_id, by_wp_id, made, stored, mappings, problems):
        """The comment ``wp_id`` answers: a new one, one imported before, or None.
        A parent that is not in the export (or was not imported), or a loop of
        replies that never reaches the top, makes it a top-level comment."""
        parent_id = by_wp_id[wp_id].parent
        if parent_id in ("", "0"):
            return None
        seen, ancestor = {wp_id}, parent_id
        while ancestor in made:
            if ancestor in seen:
                problems["loop"] += 1
                return None
            seen.add(ancestor)
            ancestor = by_wp_id[ancestor].parent
        if parent_id in made:
            return made[parent_id]
        mapping = mappings.get(parent_id)
        parent = stored.get(mapping.object_id) if mapping is not None else None
        if parent is None:
            problems["orphan"] += 1
        return parent

    def fill(self, target, comment: WxrComment, post, problems):
        """Our comment's fields from WordPress's (a new one, or one imported before)."""
        target.user_name = _fit(comment_text(comment.author) or _("Anonymous"), 50)
        email = comment.author_email.strip()
        target.user_email = email if len(email) <= 254 else ""
        url = comment.author_url.strip()
        target.user_url = url if len(url) <= 200 and url.startswith(("http://", "https://")) else ""
        target.ip_address = _ip(comment.author_ip)
        if comment.author_ip and target.ip_address is None:
            problems["ip"] += 1
        target.submit_date = (
            wp_time(comment.date_gmt, comment.date) or post.published_at or timezone.now()
        )
        target.comment = comment_text(comment.content)
        target.status = STATUS[comment.state]
        target.akismet, target.hold_reason = _moderation(comment)
        target.user = self.authors.get(comment.user_id)
        return target

    # --- Pings ------------------------------------------------------------------

    def import_pings(self, post, pings, ctx):
        if not pings:
            return
        keep = [p for p in pings if p.state != "trash" and not ctx.options.skip_pings]
        skipped = len(pings) - len(keep)
        if skipped:
            ctx.report.count("ping", "skipped", skipped)
        if ctx.options.skip_pings:
            ctx.report.note("Pingbacks and trackbacks were left out (--skip-pings).")
        if not keep:
            return
        known = self.known["ping"]
        mappings = {p.wp_id: known[p.wp_id] for p in keep if p.wp_id in known}
        stored = ImportedPing.objects.in_bulk([m.object_id for m in mappings.values()])
        new = []
        for ping in keep:
            source_hash = fingerprint(
                ping.type, ping.approved, ping.author, ping.author_url, ping.content, ping.date_gmt
            )
            mapping = mappings.get(ping.wp_id)
            target = stored.get(mapping.object_id) if mapping is not None else None
            if mapping is not None and target is None:
                ctx.report.count("ping", "skipped")  # deleted here: stays deleted
            elif mapping is not None and mapping.source_hash == source_hash:
                ctx.report.count("ping", "unchanged")
            elif target is not None:
                self.fill_ping(target, ping, post).save()
                self.recorded_again(mapping, source_hash)
                ctx.report.count("ping", "updated")
            else:
                new.append((ping.wp_id, self.fill_ping(ImportedPing(), ping, post), source_hash))
        ImportedPing.objects.bulk_create([obj for _id, obj, _hash in new])
        for wp_id, obj, source_hash in new:
            self.remember("ping", wp_id, obj, source_hash, post)
        ctx.report.count("ping", "imported", len(new))

    @staticmethod
    def fill_ping(target, ping: WxrComment, post):
        target.post = post
        target.kind = ping.type
        target.state = {"approved": "approved", "spam": "spam"}.get(ping.state, "pending")
        target.source_title = comment_text(ping.author)[:300]
        url = ping.author_url.strip()
        target.source_url = url if len(url) <= 500 else ""
        target.excerpt = comment_text(ping.content)
        target.ip_address = _ip(ping.author_ip)
        target.received_at = (
            wp_time(ping.date_gmt, ping.date) or post.published_at or timezone.now()
        )
        return target


def _fit(text: str, length: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _ip(value: str):
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def _moderation(comment: WxrComment) -> tuple[str, str]:
    """(what Akismet said, why the comment is held) from WordPress's comment meta."""
    result = comment.meta.get("akismet_result", "").strip()
    events = [e for value in comment.history for e in _AKISMET_EVENT.findall(value)]
    last = events[-1] if events else ""
    last_check = next((e for e in reversed(events) if e.startswith("check-")), "")
    if "akismet_error" in comment.meta or last_check == "check-error":
        akismet = Comment.Akismet.ERROR
    elif result == "true" or last_check == "check-spam":
        akismet = Comment.Akismet.SPAM
    elif result == "false" or last_check == "check-ham":
        akismet = Comment.Akismet.HAM
    else:
        akismet = Comment.Akismet.NOT_CHECKED
    state = comment.state
    if state == "approved":
        return akismet, ""
    if state == "spam":
        if last in ("report-spam", "status-changed-spam"):
            return akismet, _("Marked as spam by the moderator in WordPress.")
        if akismet == Comment.Akismet.SPAM:
            return akismet, _("Akismet said spam, in WordPress.")
        return akismet, _("In WordPress's spam folder.")
    reason = _("Was awaiting moderation in WordPress.")
    if akismet == Comment.Akismet.ERROR:
        reason += " " + _("Akismet did not answer there.")
    elif akismet == Comment.Akismet.SPAM:
        reason += " " + _("Akismet said spam there.")
    return akismet, reason


class OtherItemsStep(Step):
    """Counts what WordPress exports but a blog here has no place for."""

    label = "Other"
    handled = {"post", "page", "attachment"}

    def total(self, ctx):
        return 0

    def run(self, ctx):
        for post_type, n in sorted(ctx.index.types.items()):
            if post_type in self.handled:
                continue
            ctx.report.count("other", "skipped", n)
            if post_type not in ("nav_menu_item", "revision", "customize_changeset"):
                ctx.report.problem(
                    f"{n} item(s) of type “{post_type}”",
                    "this kind of WordPress content has no equivalent here; not imported",
                )
        if ctx.index.menu_page_ids:
            ctx.report.note("Pages in WordPress's menu are shown in the site's top menu.")
