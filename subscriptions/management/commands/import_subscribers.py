from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from subscriptions.imports import import_csv


class Command(BaseCommand):
    help = (
        "Import subscribers from a CSV export (WordPress / Jetpack or another list tool): "
        "kept as confirmed, with their original date; prints a report of rows not imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--source", help="Where they come from (default: the file name).")
        parser.add_argument("--dry-run", action="store_true", help="Check only; import nothing.")

    def handle(self, *args, path, source, dry_run, **options):
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        report = import_csv(
            path.read_bytes(), source=source or f"Imported from {path.name}", dry_run=dry_run
        )
        for line in report.lines():
            self.stdout.write(line)
        if report.error:
            raise CommandError(report.error)
