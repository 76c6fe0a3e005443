import segno
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import twofactor


class Command(BaseCommand):
    help = (
        "Give a staff account an authenticator app (TOTP) and backup codes, for the "
        "first login when two-step login is required. Prints the QR code, the otpauth "
        "URL and the backup codes; replaces any app the account had."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--no-qr", action="store_true", help="Do not draw the QR code.")

    def handle(self, *args, username, no_qr, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no account called {username!r}.")
        if not user.is_staff:
            raise CommandError(f"{username!r} is not staff: two-step login is for the admin.")
        with transaction.atomic():
            TOTPDevice.objects.filter(user=user).delete()
            device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
            codes = twofactor.new_backup_codes(user)
        self.stdout.write(f"Authenticator app for {username}: scan this, or add the URL by hand.")
        if not no_qr:
            segno.make(device.config_url, error="m").terminal(out=self.stdout, compact=True)
        self.stdout.write(f"otpauth URL: {device.config_url}")
        self.stdout.write("Backup codes (each works once):")
        for code in codes:
            self.stdout.write(f"  {code}")
