"""Production: gunicorn behind a TLS-terminating reverse proxy."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    AKISMET_TEST_MODE,
    BEHIND_PROXY,
    CONN_MAX_AGE,
    DATABASE_URL,
    HSTS_SECONDS,
    LOG_FORMAT,
    LOGGING,
    MEDIA_STORAGE,
    SECRET_KEY,
    SENTRY_DSN,
    SENTRY_ENVIRONMENT,
    SSL_REDIRECT,
    env,
)
from .base import MIDDLEWARE as _BASE_MIDDLEWARE

DEBUG = False
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is not set. Generate one with "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'` "
        "and put it in the environment."
    )

# WhiteNoise serves the hashed, compressed static files right after security.
_AFTER_SECURITY = _BASE_MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1
MIDDLEWARE = [
    *_BASE_MIDDLEWARE[:_AFTER_SECURITY],
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *_BASE_MIDDLEWARE[_AFTER_SECURITY:],
]
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DATABASES = {
    "default": {
        **env.db_url_config(DATABASE_URL or "postgres://postgres@db:5432/ldnsite"),
        "CONN_MAX_AGE": CONN_MAX_AGE,
        "CONN_HEALTH_CHECKS": True,
    }
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = SSL_REDIRECT
# The load balancer's health check speaks plain HTTP to gunicorn.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = HSTS_SECONDS
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
USE_X_FORWARDED_FOR = BEHIND_PROXY is not False

# Staff need their authenticator app's code to use the admin.
ADMIN_REQUIRE_2FA = True

# One JSON object per log line on stdout.
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT or "json"

if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        traces_sample_rate=0,
    )

# Real comments: let Akismet learn from them.
AKISMET_IS_TEST = AKISMET_TEST_MODE is True
