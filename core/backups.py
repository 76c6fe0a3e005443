"""What `manage.py backup` and `restore` need to know."""

import os
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string


def pg_env(settings_dict) -> dict[str, str]:
    """Environment for pg_dump/pg_restore from Django's database settings."""
    env = {**os.environ}
    for key, var in [
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ]:
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    return env


def media_dirs() -> dict[str, Path]:
    """Folders of uploaded files, by the name they have inside the tarball."""
    dirs = {"media": Path(settings.MEDIA_ROOT)}
    for name, where in getattr(settings, "BACKUP_DIRS", {}).items():
        dirs[name] = Path(import_string(where)() if "." in str(where) else where)
    return dirs
