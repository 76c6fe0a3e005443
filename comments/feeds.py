"""What the posts app's comment feed (``<post-url>feed/``) reads from comments."""

from comments.models import Comment


def comments_for_feed(post, *, limit):
    """A post's public comments, newest first. Each has ``comment_html`` (the
    text as shown on the page: escaped, linked, emails and phones masked)."""
    return (
        Comment.objects.published()
        .filter(post=post, is_removed=False)
        .order_by("-submit_date")[:limit]
    )
