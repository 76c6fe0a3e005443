"""Reactions to other apps' signals (connected in apps.py)."""

from subscriptions import mailings


def post_saved(sender, *, post, imported=False, **kwargs):
    """posts.signals.post_saved: a post and its relations were saved
    (``imported``: by an importer, so it was news elsewhere already)."""
    mailings.post_saved(post, imported=imported)
