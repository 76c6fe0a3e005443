from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection


class Command(BaseCommand):
    help = "Stop with a clear message when the configured database server does not answer."

    def handle(self, *args, **options):
        settings_dict = connection.settings_dict
        where = f"{settings_dict.get('HOST') or 'localhost'}:{settings_dict.get('PORT') or 5432}"
        try:
            # The maintenance database: the test run creates its own database.
            with connection._nodb_cursor() as cursor:
                cursor.execute("SELECT 1")
        except OperationalError as exc:
            raise CommandError(
                f"PostgreSQL is not reachable at {where} ({str(exc).strip()}).\n"
                "Start the local server with:\n"
                "    pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n"
                "or point DATABASE_URL at a running one "
                "(postgres://user@host:5432/ldnsite). The tests never fall back to SQLite."
            ) from exc
        self.stdout.write(f"{connection.vendor} answers at {where}.")
