from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostsConfig(AppConfig):
    name = "posts"
    verbose_name = _("Writing")

    def ready(self):
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
