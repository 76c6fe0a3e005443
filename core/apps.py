from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default = True
    name = "core"
    verbose_name = _("Site")

    def ready(self):
        from core import pagecache

        pagecache.connect_models()


class SiteAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, with our AdminSite (two-step login) as the default site."""

    default = False
    default_site = "core.admin_site.SiteAdmin"
