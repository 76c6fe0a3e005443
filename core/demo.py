"""Demo content for core: the site settings and the Sites framework's domain."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sites.models import Site

from core.models import SiteSettings


def load(*, stdout, style):
    site_settings = SiteSettings.get_solo()
    site_settings.site_title = "Pain Management"
    site_settings.tagline = "Nancy Sajben MD on pain medicine, low dose naltrexone and the glia"
    site_settings.description = (
        "A pain physician's weblog: low dose naltrexone, dextromethorphan, CRPS/RSD, "
        "fibromyalgia, MS and Crohn's disease, with the research behind them."
    )
    site_settings.save()
    domain = urlsplit(settings.SITE_URL).netloc
    Site.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": site_settings.site_title}
    )
    stdout.write("Site settings set.")
