from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_save
from django.utils.translation import gettext_lazy as _


class PostsConfig(AppConfig):
    name = "posts"
    verbose_name = _("Writing")

    def ready(self):
        from taggit.models import Tag

        from core import pagecache
        from posts.models import Post

        # A scheduled post going live changes the home page, archives, feeds...
        pagecache.register_schedule(
            lambda: (
                Post.objects.scheduled()
                .order_by("published_at")
                .values_list("published_at", flat=True)
                .first()
            )
        )
        # Tags are part of a post's search index: keep it current when they
        # change (taggit's own models, hence signals).
        m2m_changed.connect(
            _post_tags_changed, sender=Post.tags.through, dispatch_uid="posts-reindex-tags"
        )
        post_save.connect(_tag_renamed, sender=Tag, dispatch_uid="posts-reindex-tag-rename")


def _post_tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    from posts.models import Post

    if not isinstance(instance, Post) or reverse:
        return
    if action == "post_clear" or (action in {"post_add", "post_remove"} and pk_set):
        instance.reindex()


def _tag_renamed(sender, instance, created, **kwargs):
    from posts.models import Post

    if created:
        return
    for post in Post.objects.filter(tags=instance).only("pk", "title", "excerpt", "body"):
        post.reindex()
