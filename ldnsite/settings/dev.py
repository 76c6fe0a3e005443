"""Local development (`make run`): SQLite under var/ unless DATABASE_URL is set."""

from .base import *  # noqa: F403
from .base import EMAIL_URL, SECRET_KEY, VAR_DIR, mailers_from_url

DEBUG = True
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-do-not-use-in-production"

# Mail goes to files in var/mail/ unless EMAIL_URL says otherwise, so the
# confirmation links in them can be opened.
if not EMAIL_URL:
    # Four slashes: django-environ drops the first one of the path.
    MAILERS = mailers_from_url(f"filemail:///{VAR_DIR / 'mail'}")
