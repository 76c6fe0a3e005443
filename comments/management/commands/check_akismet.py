import akismet as akismet_library
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from comments import akismet


class Command(BaseCommand):
    help = "Check that Akismet accepts the site's key and URL (its verify-key call)."

    def handle(self, *args, **options):
        if not akismet.is_configured():
            raise CommandError("AKISMET_API_KEY is not set: comments are not checked for spam.")
        akismet.reset_client()
        try:
            akismet.get_client()
        except akismet_library.APIKeyError as exc:
            raise CommandError(
                f"Akismet rejected the key for {settings.AKISMET_SITE_URL}. Check "
                "AKISMET_API_KEY and AKISMET_SITE_URL."
            ) from exc
        except akismet_library.AkismetError as exc:
            raise CommandError(f"Akismet did not answer: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(f"Akismet accepts the key for {settings.AKISMET_SITE_URL}.")
        )
