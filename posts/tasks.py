from django.conf import settings
from django.tasks import task

from core import pagecache
from core.images import make_renditions
from posts.models import Post


@task
def make_cover_renditions(*, post_id: int):
    """Resize a post's cover image for srcset (runs in the worker)."""
    post = Post.objects.filter(pk=post_id).first()
    if post is None or not post.cover_image:
        return {}
    renditions = make_renditions(post.cover_image, settings.IMAGE_RENDITION_WIDTHS)
    Post.objects.filter(pk=post_id).update(cover_renditions=renditions)
    pagecache.invalidate_all()  # an update() sends no signal: pages now get srcset
    return renditions
