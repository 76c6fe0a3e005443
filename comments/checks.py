from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def akismet_configured(app_configs, **kwargs):
    """`manage.py check --deploy`: without a key, no comment is checked for spam."""
    if settings.AKISMET_API_KEY:
        return []
    return [
        Warning(
            "AKISMET_API_KEY is not set, so comments are not checked for spam.",
            hint="Get a key at akismet.com and set AKISMET_API_KEY (and AKISMET_SITE_URL).",
            id="comments.W001",
        )
    ]
