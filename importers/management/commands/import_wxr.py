from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from importers import services
from importers.pipeline import Options
from importers.progress import BarProgress
from importers.wxr import WxrError


class Command(BaseCommand):
    help = (
        "Import a WordPress export (WXR 1.0–1.2: Tools → Export in WordPress): authors, "
        "categories, tags, pages, posts, images and documents, with redirects from the old "
        "addresses. Running it again with the same file changes nothing; a newer export "
        "adds and updates."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", help="The .xml file WordPress exported.")
        parser.add_argument(
            "--media-dir",
            help="A copy of wp-content/uploads to take files from, instead of fetching "
            "them from the old site.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Do everything, report, then roll it all back: nothing changes.",
        )
        parser.add_argument(
            "--allow-host",
            action="append",
            default=[],
            metavar="HOST",
            help="Also fetch attachments from this host (besides the export's own site). "
            "Repeat for several.",
        )
        parser.add_argument(
            "--skip-pings",
            action="store_true",
            help="Leave out pingbacks and trackbacks.",
        )

    def handle(self, *args, export, media_dir, dry_run, allow_host, skip_pings, **options):
        path = Path(export)
        if not path.is_file():
            raise CommandError(f"There is no file at {path}.")
        if media_dir and not Path(media_dir).is_dir():
            raise CommandError(f"The media folder {media_dir} does not exist.")
        opts = Options(
            media_dir=Path(media_dir) if media_dir else None,
            dry_run=dry_run,
            allow_hosts=[h.strip().lower() for h in allow_host if h.strip()],
            skip_pings=skip_pings,
        )
        progress = BarProgress(self.stderr._out) if options["verbosity"] > 0 else None
        try:
            report = services.import_file(path, opts, progress=progress, source="command")
        except WxrError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(report.as_text())
        if report.dry_run:
            self.stdout.write(self.style.WARNING("Trial run (--dry-run): nothing was changed."))
        elif report.errors:
            self.stdout.write(
                self.style.WARNING(f"Imported, with {len(report.errors)} item(s) left out.")
            )
        else:
            self.stdout.write(self.style.SUCCESS("Imported."))
