from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportersConfig(AppConfig):
    name = "importers"
    verbose_name = _("Moving in (WordPress import)")

    def ready(self):
        from importers import legacy
        from posts.signals import legacy_query

        # `/?p=123`, `/?page_id=`, `/?cat=`... answered by the home view.
        legacy_query.connect(legacy.redirect_for_query, dispatch_uid="importers-legacy-query")
