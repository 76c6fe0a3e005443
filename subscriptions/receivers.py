"""Reactions to other apps' signals (connected in apps.py)."""

from subscriptions import mailings


def post_saved(sender, *, post, **kwargs):
    """posts.signals.post_saved: a post and its relations were saved."""
    mailings.post_saved(post)
