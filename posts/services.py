"""Side effects of writing posts; views and the admin call these."""

from functools import partial

from django.db import transaction

from posts.models import Post
from posts.signals import post_saved as post_saved_signal
from posts.tasks import make_cover_renditions


def post_saved(*, post: Post, cover_changed: bool = False, imported: bool = False):
    """After a post and its tags/updates are saved: resize a new cover image
    in the worker once the transaction commits, and tell other apps
    (``posts.signals.post_saved``; ``imported`` says an importer brought it
    in, so it is not news for subscribers). The search index is already
    current: saving the post, its updates or its tags refreshes it."""
    if cover_changed:
        if post.cover_renditions:
            Post.objects.filter(pk=post.pk).update(cover_renditions={})
        if post.cover_image:
            transaction.on_commit(partial(make_cover_renditions.enqueue, post_id=post.pk))
    post_saved_signal.send(sender=Post, post=post, imported=imported)
