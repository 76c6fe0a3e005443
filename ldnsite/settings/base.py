"""Settings shared by every environment.

The environment is read here and nowhere else. dev.py, test.py and prod.py
start with ``from .base import *`` and only adjust what differs.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.csp import CSP
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
    "core.apps.SiteAdminConfig",  # django.contrib.admin with our AdminSite
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "django.contrib.redirects",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_tasks_db",
    "django_prose_editor",
    "taggit",
    "solo",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_comments_xtd",
    "django_comments",
    "core",
    "posts",
    "references",
    "comments",
    "subscriptions",
    "importers",
]

MIDDLEWARE = [
    # First: answers /healthz before anything checks the Host header (load balancers probe by IP).
    "core.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # ETag / 304 for every page, cached or not.
    "django.middleware.http.ConditionalGetMiddleware",
    # NUL characters in an address never reach the cache, a view or the database.
    "core.middleware.NulCharacterMiddleware",
    # Whole pages for anonymous readers (see core/pagecache.py).
    "core.pagecache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Old addresses that answer 404 get their permanent redirect (the importer makes them).
    "django.contrib.redirects.middleware.RedirectFallbackMiddleware",
    # Last: it answers locked-out logins.
    "axes.middleware.AxesMiddleware",
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
                "django.template.context_processors.csp",
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
            # RedisCache that degrades to "no cache" while Redis is down.
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Anonymous readers get whole cached pages (0 turns this off). Saving one of
# these models invalidates exactly what it appears on (core/pagecache.py).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=60 * 60 * 24)
# Parts every page shows (settings, sidebar, menu) and a post's reference list,
# kept in each process until content changes.
FRAGMENT_CACHE_SECONDS = env.int("FRAGMENT_CACHE_SECONDS", default=60 * 60)
FRAGMENT_CACHE_ENTRIES = 500
PAGE_CACHE_MODELS = [
    "core.SiteSettings",
    "posts.Post",
    "posts.PostUpdate",
    "posts.Page",
    "posts.Category",
    "posts.Book",
    "posts.AuthorProfile",
    "taggit.Tag",  # a tag renamed in the admin (post pages, tag pages, feeds)
    "references.BibliographySettings",
    "references.Reference",
    "references.Creator",
    "references.Attachment",
    "references.PostReference",
    "comments.Comment",
    "comments.CommentSettings",
]

# The site's settings rows (django-solo singletons) are read on every page:
# keep them in the cache; saving one refreshes it.
SOLO_CACHE = "default"
SOLO_CACHE_TIMEOUT = 60 * 60

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
AUTHENTICATION_BACKENDS = [
    # First: refuses logins while an account or address is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Staff must confirm a one-time code (TOTP app or a backup code) to use the
# admin. prod.py always requires it.
ADMIN_REQUIRE_2FA = env.bool("DJANGO_ADMIN_2FA", default=False)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Pain Management weblog")
# Login throttling: after AXES_FAILURE_LIMIT failures for one username from one
# address, further attempts are refused for AXES_COOLOFF_TIME.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/login_locked.html"
AXES_CLIENT_IP_CALLABLE = "core.ratelimit.client_ip"
AXES_VERBOSE = False

# --- Transport security (applied by prod.py) --------------------------------
SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
# Behind the reverse proxy the client's address is the last X-Forwarded-For hop
# (prod.py turns this on unless DJANGO_USE_X_FORWARDED_FOR=false).
BEHIND_PROXY = env.bool("DJANGO_USE_X_FORWARDED_FOR", default=None)
USE_X_FORWARDED_FOR = bool(BEHIND_PROXY)

# --- Browser security, everywhere (so development meets the same rules) ------
# No inline script or style anywhere: scripts and styles come from our own
# static files; the rare inline script carries the request's nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    # The one inline style allowed is the base CSS the admin's editor (Tiptap, in
    # django-prose-editor 0.28) injects; its hash changes only with that library
    # (the browser tests fail on any CSP violation, so an upgrade shows here).
    "style-src": [CSP.SELF, "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

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
# Uploaded media on the local disk (served by the reverse proxy), or in an S3
# bucket when AWS_STORAGE_BUCKET_NAME is set (django-storages; credentials and
# region come from the usual AWS_* variables). Either way only raster images
# are shown inline; other files are downloads (core/storage.py, deploy/Caddyfile).
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default=None)
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)
AWS_S3_CUSTOM_DOMAIN = env("AWS_S3_CUSTOM_DOMAIN", default=None)
AWS_DEFAULT_ACL = None
AWS_S3_FILE_OVERWRITE = False
MEDIA_STORAGE = (
    {"BACKEND": "core.storage.PublicMediaS3Storage"}
    if AWS_STORAGE_BUCKET_NAME
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
)
STORAGES = {
    "default": MEDIA_STORAGE,
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

# --- Logging and error reports ---------------------------------------------
# Logs go to stdout: plain lines in development, one JSON object per line
# when DJANGO_LOG_FORMAT=json (prod's default). Errors are mailed to ADMINS,
# or sent to Sentry when SENTRY_DSN is set.
LOG_FORMAT = env("DJANGO_LOG_FORMAT", default="")
LOG_LEVEL = env("DJANGO_LOG_LEVEL", default="INFO")
SENTRY_DSN = env("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env("SENTRY_ENVIRONMENT", default="production")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(module)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",  # StreamHandler's default is stderr
            "formatter": LOG_FORMAT or "plain",
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {
            "handlers": ["console"] if SENTRY_DSN else ["console", "mail_admins"],
            "level": "WARNING",
            "propagate": False,
        },
        "django.db.backends": {"level": "INFO"},
    },
}

# --- References (the bibliography) ------------------------------------------
# Attached files (PDFs, slides) live outside MEDIA_ROOT and are served only
# through a view that checks who may have them. Unset: a folder beside
# MEDIA_ROOT (var/media → var/media-private).
REFERENCE_FILES_ROOT = env("REFERENCE_FILES_ROOT", default="")
# The largest attachment the admin accepts, in MB.
REFERENCES_MAX_UPLOAD_MB = env.float("REFERENCES_MAX_UPLOAD_MB", default=50)
# `manage.py backup` saves these folders beside MEDIA_ROOT (name: a callable's
# dotted path returning the folder).
BACKUP_DIRS = {"reference-files": "references.storage.files_root"}

# --- Comments (comments/, over django-comments-xtd) -------------------------
COMMENTS_APP = "django_comments_xtd"
COMMENTS_XTD_MODEL = "comments.models.Comment"
# Levels of nesting shown, counting the top one (WordPress's "threaded comments N levels deep").
COMMENTS_MAX_DEPTH = env.int("COMMENTS_MAX_DEPTH", default=5)
COMMENTS_XTD_MAX_THREAD_LEVEL = COMMENTS_MAX_DEPTH - 1
COMMENTS_XTD_THREADED_EMAILS = False  # mail goes through django.tasks, never threads
# Top-level threads per page of comments (?cpage=N); 0 shows them all on one page.
COMMENTS_PER_PAGE = env.int("COMMENTS_PER_PAGE", default=50)
# Comments one IP address may post per window (seconds).
COMMENTS_RATE_LIMIT = env.int("COMMENTS_RATE_LIMIT", default=5)
COMMENTS_RATE_WINDOW = env.int("COMMENTS_RATE_WINDOW", default=600)
# How long emailed links work: confirming a comment, and muting notifications.
COMMENTS_CONFIRM_DAYS = env.int("COMMENTS_CONFIRM_DAYS", default=7)
COMMENTS_MUTE_LINK_DAYS = env.int("COMMENTS_MUTE_LINK_DAYS", default=90)
# How long a comment form stays valid once the page is loaded (django-contrib-comments);
# longer than PAGE_CACHE_SECONDS, since cached pages carry the form.
COMMENTS_TIMEOUT = 3 * 24 * 60 * 60
# Emails and Akismet reports that fail (server down) are tried this many times, backing off.
COMMENTS_RETRY_ATTEMPTS = env.int("COMMENTS_RETRY_ATTEMPTS", default=10)

# Akismet: no key, no check (comments still go through the other rules).
AKISMET_API_KEY = env("AKISMET_API_KEY", default="")
AKISMET_SITE_URL = env("AKISMET_SITE_URL", default=SITE_URL)
# Send the API requests to another base URL (a proxy, or the local test server).
AKISMET_API_URL = env("AKISMET_API_URL", default="")
AKISMET_TIMEOUT = env.float("AKISMET_TIMEOUT", default=2.0)
# Tells Akismet not to learn from these requests: on unless AKISMET_IS_TEST=false,
# and in prod off unless AKISMET_IS_TEST=true.
AKISMET_TEST_MODE = env.bool("AKISMET_IS_TEST", default=None)
AKISMET_IS_TEST = AKISMET_TEST_MODE is not False

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

# --- Importers (WordPress WXR) ---------------------------------------------
# Uploaded exports wait here for the import task: not under MEDIA_ROOT (an
# export holds drafts and commenters' addresses); shared by web and worker.
IMPORTERS_UPLOAD_ROOT = env.path("IMPORTERS_UPLOAD_ROOT", default=VAR_DIR / "imports")
IMPORTERS_MAX_UPLOAD_BYTES = env.int("IMPORTERS_MAX_UPLOAD_MB", default=512) * 1024 * 1024
# Fetching attachments from the old site: per-request timeout (seconds) and
# the largest file accepted.
IMPORTERS_FETCH_TIMEOUT = env.float("IMPORTERS_FETCH_TIMEOUT", default=20.0)
# ...and for the whole of one file's download (a server trickling bytes
# cannot hold the import open).
IMPORTERS_FETCH_TOTAL_TIMEOUT = env.float("IMPORTERS_FETCH_TOTAL_TIMEOUT", default=300.0)
IMPORTERS_FETCH_MAX_BYTES = env.int("IMPORTERS_FETCH_MAX_MB", default=100) * 1024 * 1024
# Private, loopback and link-local addresses are never fetched from, except in
# these networks (CIDR). Tests allow 127.0.0.1/32.
IMPORTERS_FETCH_ALLOWED_NETWORKS = env.list("IMPORTERS_FETCH_ALLOWED_NETWORKS", default=[])
