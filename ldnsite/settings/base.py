"""Settings shared by every environment.

The environment is read here and nowhere else. dev.py, test.py and prod.py
start with ``from .base import *`` and only adjust what differs.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# --- Core -------------------------------------------------------------------
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Absolute base URL of the public site, for links in emails and feeds built
# outside a request (tasks, management commands).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_tasks_db",
    "django_prose_editor",
    "taggit",
    "solo",
    "core",
    "posts",
    "subscriptions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ldnsite.urls"
WSGI_APPLICATION = "ldnsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
# DATABASE_URL unset: the embedded default, SQLite under var/.
DATABASE_URL = env("DATABASE_URL", default="")
DATABASES = {
    "default": env.db_url_config(DATABASE_URL or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
CONN_MAX_AGE = env.int("DJANGO_CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Tasks ------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- Mail -------------------------------------------------------------------
# EMAIL_URL: smtp://user:password@host:port (smtp+tls://, smtp+ssl://),
# consolemail:// or filemail:///path/to/folder. Unset: console (dev: var/mail/).
EMAIL_URL = env("EMAIL_URL", default="")
MAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)


def mailers_from_url(url):
    """Turn an EMAIL_URL into Django 6.1's MAILERS setting."""
    parsed = environ.Env.email_url_config(url)
    backend = parsed["EMAIL_BACKEND"]
    if backend.endswith("smtp.EmailBackend"):
        options = {
            "host": parsed.get("EMAIL_HOST") or "localhost",
            "port": parsed.get("EMAIL_PORT") or 25,
            "username": parsed.get("EMAIL_HOST_USER") or "",
            "password": parsed.get("EMAIL_HOST_PASSWORD") or "",
            "use_tls": bool(parsed.get("EMAIL_USE_TLS")),
            "use_ssl": bool(parsed.get("EMAIL_USE_SSL")),
            "timeout": MAIL_TIMEOUT,
        }
    elif backend.endswith("filebased.EmailBackend"):
        options = {"file_path": parsed.get("EMAIL_FILE_PATH") or str(VAR_DIR / "mail")}
    else:
        options = {}
    return {"default": {"BACKEND": backend, "OPTIONS": options}}


MAILERS = mailers_from_url(EMAIL_URL or "consolemail://")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Pain Management Weblog <blog@localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
ADMINS = env.list("DJANGO_ADMINS", default=[])

# --- Auth -------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
ADMIN_URL = env("DJANGO_ADMIN_URL", default="admin/")

# --- Transport security (applied by prod.py) --------------------------------
SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "en-us"
LANGUAGES = [("en", _("English"))]
# The site's time zone: post URLs (/YYYY/MM/DD/slug/) use the date in it.
TIME_ZONE = env("DJANGO_TIME_ZONE", default="America/Los_Angeles")
USE_I18N = True
USE_TZ = True

# --- Static and media files -------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_PERMISSIONS = 0o644

# --- Site behaviour ---------------------------------------------------------
POSTS_PER_PAGE = env.int("POSTS_PER_PAGE", default=10)
# Widths (px) of the resized cover images offered through srcset.
IMAGE_RENDITION_WIDTHS = [480, 800, 1200]
SEARCH_CONFIG = "english"
SEARCH_MAX_QUERY_LENGTH = 200

TAGGIT_CASE_INSENSITIVE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
    },
}

# --- Feeds and subscriptions ------------------------------------------------
# Items in each RSS/Atom feed, and how long readers and proxies may cache one
# (they revalidate with ETag / Last-Modified afterwards).
FEED_ITEMS = env.int("FEED_ITEMS", default=20)
FEED_MAX_AGE = env.int("FEED_MAX_AGE", default=600)
# New-post emails carry the excerpt and a link; True sends the whole post.
SUBSCRIPTIONS_FULL_TEXT = env.bool("SUBSCRIPTIONS_FULL_TEXT", default=False)
# Subscribe attempts allowed per IP address and per hour.
SUBSCRIPTIONS_RATE_LIMIT = env.int("SUBSCRIPTIONS_RATE_LIMIT", default=5)
# Unconfirmed addresses are deleted after this many days.
SUBSCRIPTIONS_PENDING_DAYS = 30
# A post is mailed when it is published, unless its publication time was set
# further back than this (backdated or imported posts are not news).
SUBSCRIPTIONS_NEW_POST_WINDOW_HOURS = 24
# Recipients per SMTP connection, and the waits (seconds) before each retry
# after a temporary failure; after the last one the rest are marked failed.
SUBSCRIPTIONS_BATCH_SIZE = env.int("SUBSCRIPTIONS_BATCH_SIZE", default=100)
SUBSCRIPTIONS_RETRY_DELAYS = [60, 300, 1800, 7200, 21600]
# A mailing with no progress for this long is taken to be stuck (its worker
# died) and is resumed by its watchdog task.
SUBSCRIPTIONS_STALE_AFTER = 600
# The weekly digest: day (0 = Monday) and hour, in TIME_ZONE.
SUBSCRIPTIONS_DIGEST_WEEKDAY = env.int("SUBSCRIPTIONS_DIGEST_WEEKDAY", default=0)
SUBSCRIPTIONS_DIGEST_HOUR = env.int("SUBSCRIPTIONS_DIGEST_HOUR", default=8)
