from django.conf import settings


def absolute_url(path: str) -> str:
    """Absolute URL for a site path, built from SITE_URL (usable outside a request)."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL + ("" if path.startswith("/") else "/") + path
