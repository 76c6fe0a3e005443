"""What happens to comments: posting (after the Akismet check), confirmation,
moderation, moving, anonymising, and the notifications each change triggers.

Views and the admin call these. Emails and Akismet reports are queued as tasks
once the transaction commits.
"""

import logging
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
from posts.models import Post

logger = logging.getLogger(__name__)

Status = Comment.Status
# Statuses whose commenters count as followers (a spam comment subscribes nobody).
FOLLOWING_STATUSES = [Status.PUBLISHED, Status.PENDING]


def comment_settings() -> CommentSettings:
    return CommentSettings.get_solo()


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
        Comment.objects.filter(post=post, user_email__iexact=email, comment=text)
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


def _renumber(comments: list[Comment], root: Comment) -> None:
    """Give a thread consistent xtd fields (thread, level, order, nested counts)."""
    children: dict[int, list[Comment]] = {}
    for comment in comments:
        if comment.pk != root.pk:
            children.setdefault(comment.parent_id, []).append(comment)
    ordered: list[tuple[Comment, int]] = []

    def walk(node, level):
        ordered.append((node, level))
        for child in sorted(children.get(node.pk, []), key=lambda c: (c.order, c.pk)):
            walk(child, level + 1)

    walk(root, 0)
    descendants: dict[int, int] = {}
    for node, _level in reversed(ordered):
        descendants[node.pk] = sum(1 + descendants[c.pk] for c in children.get(node.pk, []))
    for position, (node, level) in enumerate(ordered, start=1):
        Comment.objects.filter(pk=node.pk).update(
            thread_id=root.pk,
            parent_id=root.pk if node.pk == root.pk else node.parent_id,
            level=level,
            order=position,
            nested_count=descendants[node.pk],
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
                "post_url": settings.SITE_URL + comment.post.get_absolute_url(),
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
        settings_row = comment_settings()
        settings_row.notify_post_authors = False
        settings_row.save()
        return 1
    return 0


def refresh_comment_count(post_id: int) -> None:
    post = Post.objects.filter(pk=post_id).first()
    if post is not None:
        count = outline(post).count
        if count != post.comment_count:
            Post.objects.filter(pk=post_id).update(comment_count=count)
            # Listings show the count: every cached page is stale (update() sends no signal).
            transaction.on_commit(pagecache.invalidate_all)


# --- Notifications -------------------------------------------------------------


def _after_change(comment: Comment, *, by_moderator: bool) -> None:
    """Inside the transaction that changed ``comment``: keep the post's count,
    and queue the emails this change calls for (each at most once per comment)."""
    refresh_comment_count(comment.post_id)
    now = timezone.now()
    if (
        not by_moderator
        and comment.author_notified_at is None
        and comment.status in (Status.PENDING, Status.PUBLISHED)
    ):
        Comment.objects.filter(pk=comment.pk).update(author_notified_at=now)
        comment.author_notified_at = now
        _notify_author(comment)
    if comment.status == Status.PUBLISHED and comment.followers_notified_at is None:
        Comment.objects.filter(pk=comment.pk).update(followers_notified_at=now)
        comment.followers_notified_at = now
        for email, (scope, subscription) in follower_recipients(comment).items():
            _queue_email(
                kind="followup", comment=comment, to=email, scope=scope, subscription=subscription
            )


def _notify_author(comment: Comment) -> None:
    post = Post.objects.select_related("author").get(pk=comment.post_id)
    author = post.author
    if not author.email or comment.user_id == author.pk:
        return
    if comment.user_email and comment.user_email.lower() == author.email.lower():
        return
    if not comment_settings().notify_post_authors:
        return
    _queue_email(kind="author", comment=comment, to=author.email)


def follower_recipients(comment: Comment) -> dict[str, tuple[str, int]]:
    """Who follows this comment's post: email → (scope, the comment that holds
    the subscription). One entry per address; never the commenter or the author."""
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
    excluded = {comment.user_email.lower()}
    post = Post.objects.select_related("author").get(pk=comment.post_id)
    excluded.add((post.author.email or "").lower())
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
