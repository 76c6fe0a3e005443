from django.conf import settings

from core import pagecache
from core.models import SiteSettings


def site(request):
    """The site settings, available to every template as ``site``."""
    return {
        "site": pagecache.fragment("site-settings", SiteSettings.get_solo),
        "SITE_URL": settings.SITE_URL,
    }
