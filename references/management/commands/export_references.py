from django.core.management.base import BaseCommand

from references.formats import WRITERS
from references.models import Reference


class Command(BaseCommand):
    help = "Write the whole bibliography as RIS, BibTeX or CSL-JSON (with private notes)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=sorted(WRITERS), default="csl-json")
        parser.add_argument("--output", "-o", help="A file to write (default: standard output).")
        parser.add_argument("--no-notes", action="store_true", help="Leave private notes out.")

    def handle(self, *args, **options):
        writer = WRITERS[options["format"]][0]
        references = Reference.objects.for_export().order_by("key")
        text = writer(references, private=not options["no_notes"])
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as fh:
                fh.write(text)
            self.stdout.write(f"{len(references)} references written to {options['output']}.")
        else:
            self.stdout.write(text, ending="")
