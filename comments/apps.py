from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = _("Comments")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import pre_save
        from django_comments_xtd.models import publish_or_unpublish_on_pre_save

        from comments import checks  # noqa: F401 - registers the deploy check
        from comments.models import Comment

        # django-comments-xtd cascades is_public to every reply whenever a
        # comment is saved, and adds nested_count to its ancestors on each
        # save. That would publish held or spam replies when a moderator edits
        # their parent. Visibility here is each comment's own status.
        pre_save.disconnect(publish_or_unpublish_on_pre_save, sender=Comment._meta.label)

        # A post's discussion closing by age changes its page like a scheduled post does.
        from comments.moderation import next_closing
        from core import pagecache

        pagecache.register_schedule(next_closing)
