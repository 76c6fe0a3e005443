"""What happens to comments: posting (after the Akismet check), confirmation,
moderation, moving, anonymising, and the notifications each change triggers.

Views and the admin call these. Emails and Akismet reports are queued as tasks
once the transaction commits.
"""

import logging
from collections import deque
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from comments import akismet, moderation
from comments.models import Comment, CommentSettings
from comments.thread import outline
from core import pagecache
from core.sites import absolute_url
from posts.models import Post

logger = logging.getLogger(__name__)

Status = Comment.Status
# Statuses whose commenters count as followers (a spam comment subscribes nobody).
FOLLOWING_STATUSES = [Status.PUBLISHED, Status.PENDING]


def comment_settings() -> CommentSettings:
    return pagecache.fragment("comment-settings", CommentSettings.get_solo)


# --- Posting -------------------------------------------------------------------


@dataclass
class Submission:
    """What became of a submitted comment."""

    PUBLISHED = "published"
    CONFIRM = "confirm"  # stored; a confirmation email is on its way
    HELD = "held"  # stored, waiting for the moderator (or in the spam queue)
    DISCARDED = "discarded"  # Akismet says blatant spam: nothing stored
    DUPLICATE = "duplicate"

    outcome: str
    comment: Comment | None = None


def reply_parent(post: Post, reply_to: int | None) -> Comment | None:
    """The comment a reply goes under, or None for a top-level comment.

    Past the deepest level, a reply goes beside its parent (as in WordPress),
    so the thread never nests deeper than COMMENTS_MAX_DEPTH."""
    if not reply_to:
        return None
    parent = Comment.objects.published().filter(post=post, pk=reply_to).first()
    if parent is None:
        raise Comment.DoesNotExist
    deepest = settings.COMMENTS_MAX_DEPTH - 1
    if deepest < 1:
        return None  # a flat thread
    while parent.level >= deepest:
        parent = Comment.objects.get(pk=parent.parent_id)
    return parent


def submit_comment(
    *,
    post: Post,
    parent: Comment | None,
    user,
    name: str,
    email: str,
    url: str,
    text: str,
    follow: str,
    ip: str,
    user_agent: str,
    referrer: str,
) -> Submission:
    """Check a new comment with Akismet (in the request) and store it, or not.

    - the post's staff (the author) publish at once, unchecked;
    - Akismet "discard": nothing is stored;
    - Akismet "spam": stored in the spam queue, no email to the typed address;
    - otherwise stored; an anonymous commenter confirms by email first, then
      the comment is published, or held if a rule says so (Akismet gave no
      answer, a blocklist matched, or it is a first comment).
    """
    now = timezone.now()
    user = user if user is not None and user.is_authenticated else None
    comment = Comment(
        post=post,
        parent_id=parent.pk if parent else 0,
        user=user,
        user_name=name[:50],
        user_email=email,
        user_url=url,
        comment=text,
        follow=follow,
        ip_address=ip or None,
        user_agent=user_agent[:500],
        referrer=referrer[:1000],
        submit_date=now,
        site_id=settings.SITE_ID,
    )
    duplicate = (
        Comment.objects.filter(post=post, comment=text)
        .by_email(email)
        .exclude(status=Status.SPAM)
        .first()
    )
    if duplicate is not None:
        return Submission(Submission.DUPLICATE, duplicate)

    if user is not None and user.is_staff:
        comment.status = Status.PUBLISHED
        comment.confirmed_at = now
    else:
        result = akismet.check(comment)
        if result.verdict == akismet.Verdict.DISCARD:
            logger.info("Akismet discarded a comment on post %s from %s", post.pk, ip)
            return Submission(Submission.DISCARDED)
        comment.akismet = {
            akismet.Verdict.HAM: Comment.Akismet.HAM,
            akismet.Verdict.SPAM: Comment.Akismet.SPAM,
            akismet.Verdict.ERROR: Comment.Akismet.ERROR,
        }.get(result.verdict, Comment.Akismet.NOT_CHECKED)
        if result.verdict == akismet.Verdict.SPAM:
            comment.status = Status.SPAM
            comment.hold_reason = _("Akismet says this is spam.")
        else:
            reasons = []
            if result.verdict == akismet.Verdict.ERROR:
                reasons.append(result.detail + ".")
            if blocked := moderation.blocklist_reason(comment, comment_settings()):
                reasons.append(blocked)
            comment.hold_reason = " ".join(reasons)[:300]
            if user is not None:
                comment.confirmed_at = now
                comment.status = _status_once_confirmed(comment)
            else:
                comment.status = Status.UNCONFIRMED

    with transaction.atomic():
        comment.save()
        if comment.status == Status.UNCONFIRMED:
            _queue_email(kind="confirm", comment=comment, to=comment.user_email)
            # Housekeeping that needs no cron: links that expired unused.
            Comment.objects.expired_unconfirmed().delete()
        else:
            _after_change(comment, by_moderator=False)

    if comment.status == Status.PUBLISHED:
        return Submission(Submission.PUBLISHED, comment)
    if comment.status == Status.UNCONFIRMED:
        return Submission(Submission.CONFIRM, comment)
    return Submission(Submission.HELD, comment)


def _status_once_confirmed(comment: Comment) -> str:
    if comment.hold_reason:
        return Status.PENDING
    if comment_settings().hold_first_time and moderation.is_first_time(comment):
        comment.hold_reason = _("First comment from this email address.")
        return Status.PENDING
    return Status.PUBLISHED


@transaction.atomic
def confirm_comment(comment: Comment) -> Comment:
    """The commenter opened the emailed link and pressed the button."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.confirmed_at is not None:
        return comment
    comment.confirmed_at = timezone.now()
    was_unconfirmed = comment.status == Status.UNCONFIRMED
    if was_unconfirmed:
        comment.status = _status_once_confirmed(comment)
    comment.save()
    # A moderator may have decided already; then confirming only starts the follow.
    _after_change(comment, by_moderator=not was_unconfirmed)
    return comment


def author_reply(*, parent: Comment, user, text: str) -> Comment:
    """The author answers a comment (from the admin or the page): public at once.

    Answering a comment that was waiting approves it first, as in WordPress."""
    with transaction.atomic():
        if parent.status != Status.PUBLISHED:
            set_status([parent], Status.PUBLISHED, by=user)
            parent.refresh_from_db()
        submission = submit_comment(
            post=parent.post,
            parent=reply_parent(parent.post, parent.pk),
            user=user,
            name=display_name_for(user),
            email=user.email,
            url="",
            text=text,
            follow=Comment.Follow.NONE,
            ip="",
            user_agent="",
            referrer="",
        )
    return submission.comment


def display_name_for(user) -> str:
    profile = getattr(user, "author_profile", None)
    if profile is not None:
        return profile.full_name
    return user.get_full_name() or user.get_username()


# --- Moderation ----------------------------------------------------------------


@transaction.atomic
def set_status(comments, status: str, *, by=None, report: bool = False) -> int:
    """Approve, hold or mark as spam; returns how many comments changed.

    ``report`` tells Akismet about the decision (submit-spam for spam,
    submit-ham otherwise) once the transaction commits. Approving a comment
    from the spam queue always reports it as ham: Akismet was wrong."""
    changed = 0
    for comment in comments:
        previous = comment.status
        if previous == status and not report:
            continue
        comment.status = status
        if status == Status.PUBLISHED:
            comment.hold_reason = ""
        comment.save()
        if report or (previous == Status.SPAM and status == Status.PUBLISHED):
            _queue_report(comment, spam=status == Status.SPAM)
        _after_change(comment, by_moderator=True)
        if (
            previous == Status.SPAM
            and status == Status.PUBLISHED
            and comment.follow
            and comment.confirmed_at is None
            and comment.user_email
        ):
            # No confirmation was sent to a spam suspect. Now that it is
            # approved, their wish to follow starts once they confirm.
            _queue_email(kind="confirm", comment=comment, to=comment.user_email)
        changed += previous != status
    return changed


def _queue_report(comment: Comment, *, spam: bool) -> None:
    if not comment.ip_address or (comment.user_id and comment.user.is_staff):
        return
    from comments.tasks import report_to_akismet

    transaction.on_commit(partial(report_to_akismet.enqueue, comment_id=comment.pk, spam=spam))


def _subtree(root: Comment) -> list[Comment]:
    """``root`` and every reply under it, in thread order."""
    thread = list(Comment.objects.filter(thread_id=root.thread_id).order_by("order"))
    inside, found = {root.pk}, []
    for comment in thread:
        if comment.pk == root.pk or (
            comment.parent_id in inside and comment.pk != comment.parent_id
        ):
            inside.add(comment.pk)
            found.append(comment)
    return found


def thread_layout(nodes, *, deepest: int | None = None) -> tuple[dict, set]:
    """The xtd thread fields for a set of comments, from who answers whom.

    ``nodes`` are ``(pk, parent pk or None, sort key)``; siblings are ordered by
    their key. Returns ``({pk: (thread_id, parent_id, level, order,
    nested_count)}, moved)``. With ``deepest`` (the deepest level), a reply
    below it goes beside its parent, as when posting (``reply_parent``);
    ``moved`` holds those. A node whose parent is not among the nodes, or that
    is caught in a loop, starts a thread of its own."""
    keys = {pk: key for pk, _parent, key in nodes}
    children: dict[int, list[int]] = {}
    roots = []
    for pk, parent, _key in nodes:
        if parent is None or parent == pk or parent not in keys or deepest == 0:
            roots.append(pk)
        else:
            children.setdefault(parent, []).append(pk)
    for siblings in children.values():
        siblings.sort(key=keys.__getitem__)
    roots.sort(key=keys.__getitem__)
    rows: dict[int, list] = {}
    moved: set[int] = set()
    queue = deque(roots)
    while len(rows) < len(keys):
        if not queue:  # a loop of replies: its earliest comment starts a thread
            queue.append(min((pk for pk in keys if pk not in rows), key=keys.__getitem__))
        root = queue.popleft()
        if root in rows:
            continue
        walked, path, stack = [], [], [(root, root, 0)]
        while stack:  # depth first, without recursion: threads can be long
            pk, parent, level = stack.pop()
            if pk in rows:
                continue
            del path[level:]
            path.append(pk)
            rows[pk] = [root, parent, level, len(walked) + 1, 0]
            walked.append(pk)
            for child in reversed(children.get(pk, [])):
                if deepest is None or level < deepest:
                    stack.append((child, pk, level + 1))
                else:
                    stack.append((child, path[deepest - 1], deepest))
                    moved.add(child)
        for pk in reversed(walked):  # descendants come after their ancestors
            if pk != root:
                rows[rows[pk][1]][4] += 1 + rows[pk][4]
    layout = {pk: tuple(row) for pk, row in rows.items()}
    return layout, moved


def _renumber(comments: list[Comment], root: Comment) -> None:
    """Give a thread consistent xtd fields (thread, level, order, nested counts)."""
    layout, _moved = thread_layout(
        [(c.pk, None if c.pk == root.pk else c.parent_id, (c.order, c.pk)) for c in comments]
    )
    for pk, (thread_id, parent_id, level, order, nested) in layout.items():
        if thread_id == root.pk:
            Comment.objects.filter(pk=pk).update(
                thread_id=thread_id,
                parent_id=parent_id,
                level=level,
                order=order,
                nested_count=nested,
            )


@transaction.atomic
def move_comment(comment: Comment, to_post: Post) -> int:
    """Move a comment and its replies to another post, as a top-level comment there."""
    source_post_id = comment.post_id
    old_thread_id = comment.thread_id
    moved = _subtree(comment)
    ids = [c.pk for c in moved]
    Comment.objects.filter(pk__in=ids).update(post=to_post, object_pk=str(to_post.pk))
    for c in moved:
        c.post_id = to_post.pk
    _renumber(moved, comment)
    if old_thread_id != comment.pk:
        remaining = list(Comment.objects.filter(thread_id=old_thread_id).exclude(pk__in=ids))
        root = next((c for c in remaining if c.pk == old_thread_id), None)
        if root is not None:
            _renumber(remaining, root)
    refresh_comment_count(source_post_id)
    refresh_comment_count(to_post.pk)
    return len(moved)


@transaction.atomic
def anonymise(emails, *, remove_text: bool) -> int:
    """Name → "Anonymous"; email, IP, browser and website dropped; text kept or removed."""
    comments = Comment.objects.none()
    for email in {e.strip().lower() for e in emails if e and e.strip()}:
        comments |= Comment.objects.by_email(email)
    comments = list(comments.distinct())
    post_ids = set()
    for comment in comments:
        comment.user_name = str(_("Anonymous"))
        comment.user_email = ""
        comment.user_url = ""
        comment.ip_address = None
        comment.user_agent = ""
        comment.referrer = ""
        comment.follow = Comment.Follow.NONE
        if remove_text:
            comment.comment = ""
            comment.is_removed = True
        comment.save()
        post_ids.add(comment.post_id)
    for post_id in post_ids:
        refresh_comment_count(post_id)
    return len(comments)


@transaction.atomic
def erase(email: str) -> int:
    """Erase a commenter's comments: deleted where nobody replied, otherwise kept
    as "removed" placeholders (no name, email, IP or text) so replies still read."""
    ids = list(Comment.objects.by_email(email).values_list("pk", flat=True))
    anonymise([email], remove_text=True)
    children: dict[int, list[int]] = {}
    for pk, parent_id in (
        Comment.objects.filter(parent_id__in=ids)
        .exclude(pk=F("parent_id"))
        .values_list("pk", "parent_id")
    ):
        children.setdefault(parent_id, []).append(pk)
    # Delete what no kept comment hangs from; keep the rest as placeholders.
    deletable, changed = set(ids), True
    while changed:
        changed = False
        for pk in list(deletable):
            if any(child not in deletable for child in children.get(pk, [])):
                deletable.discard(pk)
                changed = True
    leaves = Comment.objects.filter(pk__in=deletable).order_by("-level")
    post_ids = set(leaves.values_list("post_id", flat=True))
    for comment in leaves:
        _decrement_ancestors(comment)
        comment.delete()
    for post_id in post_ids:
        refresh_comment_count(post_id)
    return len(ids)


def _decrement_ancestors(comment: Comment) -> None:
    parent_id = comment.parent_id
    while parent_id and parent_id != comment.pk:
        Comment.objects.filter(pk=parent_id).update(nested_count=F("nested_count") - 1)
        parent = Comment.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
        if parent is None or parent == parent_id:
            break
        parent_id = parent


def export(email: str) -> list[dict]:
    """Everything stored about a commenter's comments (their right of access)."""
    rows = []
    for comment in Comment.objects.by_email(email).select_related("post").order_by("submit_date"):
        rows.append(
            {
                "post": comment.post.title,
                "post_url": absolute_url(comment.post.get_absolute_url()),
                "submitted": comment.submit_date.isoformat(),
                "name": comment.user_name,
                "email": comment.user_email,
                "website": comment.user_url,
                "text": comment.comment,
                "status": comment.get_status_display(),
                "ip_address": comment.ip_address,
                "user_agent": comment.user_agent,
                "referrer": comment.referrer,
                "notifications": comment.get_follow_display(),
            }
        )
    return rows


def request_privacy_link(*, email: str, what: str) -> None:
    """Email the link that exports or erases a commenter's comments ("export"
    or "erase"), once the transaction commits; nothing if the address never
    commented (the page says the same either way)."""
    if not Comment.objects.by_email(email).exists():
        return
    from comments.tasks import send_privacy_link

    transaction.on_commit(partial(send_privacy_link.enqueue, email=email, what=what))


def mute(payload: dict) -> int:
    """Stop exactly the subscription an email's mute link names."""
    if payload.get("scope") == "replies":
        return Comment.objects.filter(pk=payload["comment"], follow=Comment.Follow.REPLIES).update(
            follow=Comment.Follow.NONE, followup=False
        )
    if payload.get("scope") == "all":
        return (
            Comment.objects.filter(post_id=payload["post"], follow=Comment.Follow.ALL)
            .by_email(payload["email"])
            .update(follow=Comment.Follow.NONE, followup=False)
        )
    if payload.get("scope") == "author":
        # Only the author the email went to: others keep getting theirs.
        author = muted_author(payload)
        if author is None:
            return 0
        CommentSettings.get_solo().muted_authors.add(author)
        return 1
    return 0


def muted_author(payload: dict):
    """The author an author-mute link names: by account, and only while the
    account still has the address the email went to."""
    from django.contrib.auth import get_user_model

    email = (payload.get("email") or "").strip()
    if not email:
        return None
    users = get_user_model().objects.filter(email__iexact=email)
    if "user" in payload:
        return users.filter(pk=payload["user"]).first()
    # Links sent before they named the account: only an unambiguous address.
    found = list(users[:2])
    return found[0] if len(found) == 1 else None


def refresh_comment_count(post_id: int) -> None:
    post = Post.objects.filter(pk=post_id).first()
    if post is not None:
        count = outline(post).count
        if count != post.comment_count:
            Post.objects.filter(pk=post_id).update(comment_count=count)
            # Listings show the count: every cached page is stale (update() sends no signal).
            transaction.on_commit(pagecache.invalidate_all)


# --- Imports -------------------------------------------------------------------


@dataclass
class ImportedThread:
    """What ``import_comments`` could not do as asked."""

    renumbered: list[Comment]  # asked for numbers that were not all free: got new ones
    moved_up: list[Comment]  # nested deeper than COMMENTS_MAX_DEPTH: placed beside their parent


def import_comments(*, post: Post, entries: list[tuple[Comment, Comment | None]]) -> ImportedThread:
    """Store many new comments of one post at once (the WordPress importer), in
    a handful of queries whatever their number.

    Each entry is an unsaved comment and the comment it answers: None (top
    level), another of the new ones, or a stored comment of this post. Entries
    come in the order their numbers should follow (oldest first). Comments
    whose ``pk`` is set keep those numbers when all of them are free (as on a
    new site), so links to them by number still work; otherwise they are all
    numbered afresh, in order.

    The thread fields django-comments-xtd keeps (thread, parent, level, order,
    nested count) are worked out for every thread touched, replies past
    COMMENTS_MAX_DEPTH go beside their parent (as when posting), and the post's
    count is refreshed once. Nothing is sent: no Akismet check, no email, and
    none later either when a moderator approves one of them (they are marked
    as already notified)."""
    from django.contrib.contenttypes.models import ContentType
    from django_comments_xtd.models import XtdComment

    from comments.text import comment_html

    if not entries:
        return ImportedThread(renumbered=[], moved_up=[])
    content_type = ContentType.objects.get_for_model(Post)
    new = [comment for comment, _parent in entries]
    for comment in new:
        _set_pk(comment, comment.pk)
        comment.post = post
        comment.content_type = content_type
        comment.object_pk = str(post.pk)
        comment.site_id = comment.site_id or settings.SITE_ID
        comment.is_public = comment.status == Status.PUBLISHED
        comment.followup = bool(comment.follow)
        comment.comment_html = "" if comment.is_removed else comment_html(comment.comment)
        comment.author_notified_at = comment.author_notified_at or comment.submit_date
        comment.followers_notified_at = comment.followers_notified_at or comment.submit_date
    renumbered = _store_base_rows(new)

    # The threads: the new comments, and the stored threads they reply into
    # (a stored comment of another post cannot be answered here: top level).
    is_new = {id(comment) for comment in new}
    parents = {}
    for comment, parent in entries:
        if parent is not None and (id(parent) in is_new or parent.post_id == post.pk):
            parents[comment.pk] = parent
    stored = Comment.objects.filter(
        thread_id__in={p.thread_id for p in parents.values() if id(p) not in is_new}
    ).only(*THREAD_FIELDS, "submit_date")
    nodes = [(c.pk, None if c.parent_id == c.pk else c.parent_id, c) for c in stored]
    nodes += [(c.pk, parents[c.pk].pk if c.pk in parents else None, c) for c in new]
    layout, moved = thread_layout(
        [(pk, parent, (c.submit_date, pk)) for pk, parent, c in nodes],
        deepest=settings.COMMENTS_MAX_DEPTH - 1,
    )
    changed = []
    for pk, _parent, comment in nodes:
        if tuple(getattr(comment, name) for name in THREAD_FIELDS) != layout[pk]:
            for name, value in zip(THREAD_FIELDS, layout[pk], strict=True):
                setattr(comment, name, value)
            if id(comment) not in is_new:
                changed.append(comment)
    _insert(XtdComment, new, XtdComment._meta.local_concrete_fields)
    _insert(Comment, new, Comment._meta.local_concrete_fields)
    for comment in new:
        comment._state.adding = False
        comment._state.db = transaction.get_connection().alias
    if changed:
        XtdComment.norel_objects.bulk_update(changed, THREAD_FIELDS)
    refresh_comment_count(post.pk)
    return ImportedThread(renumbered=renumbered, moved_up=[c for c in new if c.pk in moved])


THREAD_FIELDS = ["thread_id", "parent_id", "level", "order", "nested_count"]


def _store_base_rows(new: list[Comment]) -> list[Comment]:
    """Insert the comments' rows of django-contrib-comments' table, with the
    numbers they ask for if every one is free; returns those that asked for a
    number and got another. All or none: threads are shown in the order of
    their numbers, so a mix would put a few old comments after new ones."""
    from django_comments.models import Comment as BaseComment

    wanted = [c.pk for c in new if c.pk is not None]
    clash = len(set(wanted)) < len(wanted) or (
        BaseComment.objects.filter(pk__in=wanted).exists() if wanted else False
    )
    renumbered = [c for c in new if c.pk is not None] if clash else []
    for comment in renumbered:
        _set_pk(comment, None)
    if wanted and not clash:
        _reserve_ids(BaseComment, max(wanted))
    fields = BaseComment._meta.local_concrete_fields
    _insert(BaseComment, [c for c in new if c.pk is not None], fields)
    unnumbered = [c for c in new if c.pk is None]
    without_id = [f for f in fields if f is not BaseComment._meta.pk]
    for comment, pk in zip(unnumbered, _insert(BaseComment, unnumbered, without_id), strict=True):
        _set_pk(comment, pk)
    return renumbered


def _set_pk(comment: Comment, value) -> None:
    """A multi-table model's primary key is one column per table."""
    for model in [*comment._meta.get_parent_list(), type(comment)]:
        setattr(comment, model._meta.pk.attname, value)


def _insert(model, objs, fields) -> list:
    """Insert ``objs``' rows of ``model``'s own table, in batches; the new ids.

    Django's bulk_create refuses multi-table models, so each table is filled
    here the way bulk_create fills a plain one (QuerySet._insert)."""
    if not objs:
        return []
    connection = transaction.get_connection()
    returning = None if model._meta.pk in fields else [model._meta.pk]
    size = max(connection.ops.bulk_batch_size(fields, objs), 1)
    ids = []
    for start in range(0, len(objs), size):
        rows = model._base_manager._insert(
            objs[start : start + size], fields=fields, returning_fields=returning
        )
        ids += [row[0] for row in rows or []]
    return ids


def _reserve_ids(model, up_to: int) -> None:
    """Move ``model``'s id sequence past ``up_to`` at once (PostgreSQL), so a
    comment posted while an import runs never takes a number it is giving out.
    The move is not undone if the import rolls back: numbers are skipped, no more."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        return  # SQLite: one writer at a time, and AUTOINCREMENT follows the largest id
    table = connection.ops.quote_name(model._meta.db_table)
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, %s), GREATEST(%s, COALESCE("
            "pg_sequence_last_value(pg_get_serial_sequence(%s, %s)::regclass), 0)))",
            [table, column, up_to, table, column],
        )


# --- Notifications -------------------------------------------------------------


def _after_change(comment: Comment, *, by_moderator: bool) -> None:
    """Inside the transaction that changed ``comment``: keep the post's count,
    and queue the emails this change calls for (each at most once per comment)."""
    refresh_comment_count(comment.post_id)
    now = timezone.now()
    tell_author = (
        not by_moderator
        and comment.author_notified_at is None
        and comment.status in (Status.PENDING, Status.PUBLISHED)
    )
    tell_followers = comment.status == Status.PUBLISHED and comment.followers_notified_at is None
    if not (tell_author or tell_followers):
        return
    author = Post.objects.select_related("author").get(pk=comment.post_id).author
    if tell_author:
        Comment.objects.filter(pk=comment.pk).update(author_notified_at=now)
        comment.author_notified_at = now
        _notify_author(comment, author)
    if tell_followers:
        Comment.objects.filter(pk=comment.pk).update(followers_notified_at=now)
        comment.followers_notified_at = now
        for email, (scope, subscription) in follower_recipients(comment, author).items():
            _queue_email(
                kind="followup", comment=comment, to=email, scope=scope, subscription=subscription
            )


def _notify_author(comment: Comment, author) -> None:
    if not author.email or comment.user_id == author.pk:
        return
    if comment.user_email and comment.user_email.lower() == author.email.lower():
        return
    if not comment_settings().notifies_author(author):
        return
    _queue_email(kind="author", comment=comment, to=author.email)


def follower_recipients(comment: Comment, author) -> dict[str, tuple[str, int]]:
    """Who follows this comment's post: email → (scope, the comment that holds
    the subscription). One entry per address; never the commenter or the post's
    ``author``."""
    candidates = Comment.objects.filter(
        post_id=comment.post_id,
        status__in=FOLLOWING_STATUSES,
        confirmed_at__isnull=False,
    ).exclude(user_email="")
    found: dict[str, tuple[str, str, int]] = {}
    if comment.is_reply:
        parent = candidates.filter(pk=comment.parent_id, follow=Comment.Follow.REPLIES).first()
        if parent is not None:
            found[parent.user_email.lower()] = (parent.user_email, "replies", parent.pk)
    for follower in candidates.filter(follow=Comment.Follow.ALL).order_by("submit_date"):
        found.setdefault(follower.user_email.lower(), (follower.user_email, "all", follower.pk))
    excluded = {comment.user_email.lower(), (author.email or "").lower()}
    if comment.user_id:
        excluded.add((comment.user.email or "").lower())
    return {email: (scope, pk) for key, (email, scope, pk) in found.items() if key not in excluded}


def _queue_email(*, kind: str, comment: Comment, to: str, scope: str = "", subscription=None):
    from comments.tasks import send_comment_email

    transaction.on_commit(
        partial(
            send_comment_email.enqueue,
            kind=kind,
            comment_id=comment.pk,
            to=to,
            scope=scope,
            subscription_id=subscription,
        )
    )
