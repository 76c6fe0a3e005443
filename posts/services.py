"""Side effects of writing posts; views and the admin call these."""

from functools import partial

from django.db import transaction

from posts.models import Post
from posts.tasks import make_cover_renditions


def post_saved(*, post: Post, cover_changed: bool):
    """After a post and its tags/updates are saved: refresh its search index and,
    once the transaction commits, resize a new cover image in the worker."""
    post.reindex()
    if cover_changed:
        if post.cover_renditions:
            Post.objects.filter(pk=post.pk).update(cover_renditions={})
        if post.cover_image:
            transaction.on_commit(partial(make_cover_renditions.enqueue, post_id=post.pk))
