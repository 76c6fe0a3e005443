import shutil
import subprocess
import tarfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core.backups import media_dirs, pg_env


class Command(BaseCommand):
    help = (
        "Back up the PostgreSQL database (pg_dump, custom format) and the uploaded media "
        "(a tarball) into one folder. Restore with `manage.py restore FOLDER`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="Folder to write (default: var/backups/<UTC timestamp>).",
        )

    def handle(self, *args, output=None, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Backups use pg_dump: set DATABASE_URL to the PostgreSQL database.")
        if not shutil.which("pg_dump"):
            raise CommandError("pg_dump is not installed (apt-get install postgresql-client).")
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        folder = Path(output or settings.VAR_DIR / "backups" / stamp)
        folder.mkdir(parents=True, exist_ok=True)

        dump = folder / "database.dump"
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}"],
            env=pg_env(connection.settings_dict),
            check=True,
        )
        with tarfile.open(folder / "media.tar.gz", "w:gz") as tar:
            for name, path in media_dirs().items():
                if path.exists():
                    tar.add(path, arcname=name)
        self.stdout.write(self.style.SUCCESS(f"Backup written to {folder}"))
        self.stdout.write(str(folder))
