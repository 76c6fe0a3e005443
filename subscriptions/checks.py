from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def site_url_is_https(app_configs, **kwargs):
    """Mail clients offer one-click unsubscribe only for an https address (RFC 8058)."""
    if urlsplit(settings.SITE_URL).scheme == "https":
        return []
    return [
        Warning(
            f"SITE_URL is {settings.SITE_URL!r}: the links in emails, and the one-click "
            "unsubscribe address mail clients use, should be https.",
            hint="Set SITE_URL=https://your-domain in the environment.",
            id="subscriptions.W001",
        )
    ]
