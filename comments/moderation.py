"""The site's own moderation rules: blocklists, first-time commenters, and when a
post's discussion is closed. Akismet is asked separately (comments.akismet)."""

import ipaddress
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from comments.models import Comment, CommentSettings
from posts.models import Post


def comments_open(post, comment_settings: CommentSettings) -> bool:
    """Readers can comment: the post is published, open, and not too old."""
    if not post.is_published or not post.comments_open:
        return False
    days = comment_settings.close_after_days
    return not (days and post.published_at < timezone.now() - timedelta(days=days))


def next_closing():
    """When the next post's discussion closes by age (close_after_days), or
    None: a scheduled change for the page cache (core.pagecache)."""
    days = CommentSettings.get_solo().close_after_days
    if not days:
        return None
    age = timedelta(days=days)
    oldest_open = (
        Post.objects.published()
        .filter(comments_open=True, published_at__gt=timezone.now() - age)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    # A second later, so that comments_open() already says closed.
    return oldest_open + age + timedelta(seconds=1) if oldest_open else None


def _ip_matches(ip: str, entries: list[str]) -> str | None:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    for entry in entries:
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return entry
        except ValueError:
            continue
    return None


def _email_matches(email: str, entries: list[str]) -> str | None:
    email = email.lower()
    domain = email.rpartition("@")[2]
    for entry in entries:
        entry = entry.lower()
        bare = entry.lstrip("@")
        if email == entry if "@" in bare else domain == bare:
            return entry
    return None


def blocklist_reason(comment: Comment, comment_settings: CommentSettings) -> str:
    """Why the site-wide blocklists hold this comment, or ""."""
    lines = CommentSettings.lines
    haystack = "\n".join(
        [
            comment.comment,
            comment.user_name,
            comment.user_email,
            comment.user_url,
            comment.user_agent,
        ]
    ).lower()
    for word in lines(comment_settings.blocked_words):
        if word.lower() in haystack:
            return _("Contains a blocked word: “%s”.") % word
    if comment.user_email and (
        entry := _email_matches(comment.user_email, lines(comment_settings.blocked_emails))
    ):
        return _("The email address is blocked (%s).") % entry
    if comment.ip_address and (
        entry := _ip_matches(comment.ip_address, lines(comment_settings.blocked_ips))
    ):
        return _("The IP address is blocked (%s).") % entry
    return ""


def is_first_time(comment: Comment) -> bool:
    """No approved comment yet from this email address (WordPress's rule)."""
    if not comment.user_email:
        return True
    return not (
        Comment.objects.published().by_email(comment.user_email).exclude(pk=comment.pk).exists()
    )
