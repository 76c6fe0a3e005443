"""pytest settings: real PostgreSQL, fast hashing, immediate tasks.

Tests of retries, scheduling (run_after) and crash recovery switch TASKS to
the database backend themselves, since the immediate one supports neither.
"""

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASE_URL, env

SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
DEBUG = False
DATABASES = {
    "default": env.db_url_config(DATABASE_URL or "postgres://postgres@127.0.0.1:5432/ldnsite"),
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Most tests change data inside a transaction and read pages at once; the page
# cache tests turn it on (tests/core/test_pagecache.py).
PAGE_CACHE_SECONDS = 0
FRAGMENT_CACHE_SECONDS = 0
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
ALLOWED_HOSTS = ["*"]
