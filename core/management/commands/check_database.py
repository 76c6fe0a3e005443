from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection


class Command(BaseCommand):
    help = (
        "Stop with a clear message when the configured database server does not answer; "
        "with --create, also create the configured PostgreSQL database if it is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--create", action="store_true", help="Create the database if the server lacks it."
        )

    def handle(self, *args, create=False, **options):
        settings_dict = connection.settings_dict
        where = f"{settings_dict.get('HOST') or 'localhost'}:{settings_dict.get('PORT') or 5432}"
        if connection.vendor != "postgresql":
            raise CommandError(f"Expected PostgreSQL, DATABASE_URL points at {connection.vendor}.")
        try:
            # The maintenance database: it answers even when ours does not exist yet.
            with connection._nodb_cursor() as cursor:
                cursor.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", [settings_dict["NAME"]]
                )
                if create and cursor.fetchone() is None:
                    cursor.execute(
                        f"CREATE DATABASE {connection.ops.quote_name(settings_dict['NAME'])}"
                    )
                    self.stdout.write(f"Created the database {settings_dict['NAME']}.")
        except OperationalError as exc:
            raise CommandError(
                f"PostgreSQL is not reachable at {where} ({str(exc).strip()}).\n"
                "Start the local server with:\n"
                "    pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n"
                "or point DATABASE_URL at a running one "
                "(postgres://user@host:5432/ldnsite). The tests never fall back to SQLite."
            ) from exc
        self.stdout.write(f"{connection.vendor} answers at {where}.")
