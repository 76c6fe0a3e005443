import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core import pagecache
from core.backups import media_dirs, pg_env


class Command(BaseCommand):
    help = (
        "Restore a folder written by `manage.py backup` into the configured database "
        "(which may be empty) and the media folders. Existing tables are replaced."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder")

    def handle(self, *args, folder, **options):
        folder = Path(folder)
        dump = folder / "database.dump"
        if not dump.exists():
            raise CommandError(f"{dump} does not exist: is {folder} a backup folder?")
        if connection.vendor != "postgresql":
            raise CommandError("Restores use pg_restore: set DATABASE_URL to PostgreSQL.")
        if not shutil.which("pg_restore"):
            raise CommandError("pg_restore is not installed (apt-get install postgresql-client).")
        connection.close()
        subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                f"--dbname={connection.settings_dict['NAME']}",
                str(dump),
            ],
            env=pg_env(connection.settings_dict),
            check=True,
        )
        media = folder / "media.tar.gz"
        if media.exists():
            with tempfile.TemporaryDirectory() as unpacked, tarfile.open(media) as tar:
                tar.extractall(unpacked, filter="data")
                for name, target in media_dirs().items():
                    source = Path(unpacked) / name
                    if source.is_dir():
                        shutil.copytree(source, target, dirs_exist_ok=True)
        # Cached pages (and every process's fragments) show the old content.
        pagecache.invalidate_all()
        self.stdout.write(self.style.SUCCESS(f"Restored {folder}"))
