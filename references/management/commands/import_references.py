from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from references.formats import READERS, FileFormatError
from references.importing import MERGE, REPORT, import_file


class Command(BaseCommand):
    help = (
        "Import references from a BibTeX, RIS, PubMed MEDLINE (.nbib) or CSL-JSON file. "
        "All or nothing: a malformed record stops the import and nothing is saved. "
        "References already in the bibliography (same DOI, PMID or PMCID) are merged "
        "(empty fields filled in) or, with --on-duplicate=report, listed and skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The file to import.")
        parser.add_argument("--format", choices=sorted(READERS), help="Default: from the name.")
        parser.add_argument("--on-duplicate", choices=[MERGE, REPORT], default=MERGE)
        parser.add_argument("--dry-run", action="store_true", help="Check and report only.")

    def handle(self, *args, **options):
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            report = import_file(
                path.read_bytes(),
                path.name,
                format=options["format"],
                on_duplicate=options["on_duplicate"],
                dry_run=options["dry_run"],
            )
        except FileFormatError as exc:
            raise CommandError(
                f"{path.name} was not imported; nothing changed:\n  " + "\n  ".join(exc.errors)
            ) from exc
        for line in report.lines():
            self.stdout.write(line)
        prefix = "Dry run, nothing saved: " if options["dry_run"] else ""
        self.stdout.write(self.style.SUCCESS(prefix + report.summary()))
