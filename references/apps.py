from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferencesConfig(AppConfig):
    name = "references"
    verbose_name = _("Bibliography")

    def ready(self):
        from posts.text import register_text_filter
        from references import citations

        # Summaries, feeds and the search index read "[@key]" marks as nothing.
        register_text_filter(citations.strip)
