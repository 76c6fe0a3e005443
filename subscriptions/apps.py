from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = _("Email subscribers")

    def ready(self):
        from posts.models import Post
        from posts.signals import post_saved
        from subscriptions import checks, receivers  # noqa: F401 - registers the checks

        post_saved.connect(
            receivers.post_saved, sender=Post, dispatch_uid="subscriptions.post_saved"
        )
