"""Two-step login for staff: a TOTP authenticator app, with one-time backup codes.

django-otp stores the devices and marks a session as verified; this module
gives the author a one-field login ("the code from your app, or a backup
code") instead of django-otp's device chooser, and a setup page.
"""

import secrets

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

BACKUP_CODE_COUNT = 10


def normalise_code(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def has_two_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def verify_code(user, code: str):
    """The device that accepts ``code`` for ``user`` (consuming a backup code), or None.

    Six digits go to the authenticator app; anything else is tried as a
    backup code, so a wrong guess never counts against the other device."""
    code = normalise_code(code)
    if not code:
        return None
    if code.isdigit() and len(code) == 6:
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
    else:
        devices = StaticDevice.objects.filter(user=user, confirmed=True)
    for device in devices:
        allowed, _extra = device.verify_is_allowed()
        if allowed and device.verify_token(code):
            return device
    return None


def new_backup_codes(user) -> list[str]:
    """Replace the user's backup codes with fresh ones (shown once)."""
    codes = [secrets.token_hex(4) for _ in range(BACKUP_CODE_COUNT)]
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name="Backup codes", defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


@transaction.atomic
def confirm_totp_device(device: TOTPDevice) -> None:
    """Make ``device`` (set up and its code checked) the user's authenticator
    app, replacing the one they had."""
    TOTPDevice.objects.filter(user_id=device.user_id, confirmed=True).delete()
    device.confirmed = True
    device.save()


def start_totp_setup(user) -> TOTPDevice:
    """An unconfirmed authenticator device (replacing any earlier unconfirmed one)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


class StaffLoginForm(AdminAuthenticationForm):
    """The admin's login form, asking for the one-time code when it is required."""

    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        required=False,
        max_length=20,
        help_text=_("Six digits from the app, or one of your backup codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"}
        ),
    )

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "no_device": _(
            "Two-step login is required, and this account has no authenticator app yet. "
            "Set one up at %(setup_url)s after logging in there, or ask the site's "
            "administrator to run `manage.py two_factor_setup <username>`."
        ),
        "bad_code": _(
            "That code did not work. Codes from the app change every 30 seconds: "
            "type the current one, or use one of your backup codes."
        ),
    }

    def clean(self):
        cleaned_data = super().clean()
        if not settings.ADMIN_REQUIRE_2FA:
            return cleaned_data
        user = self.get_user()
        if not has_two_factor(user):
            raise forms.ValidationError(
                self.error_messages["no_device"],
                code="no_device",
                params={"setup_url": reverse("core:two_factor")},
            )
        device = verify_code(user, cleaned_data.get("otp_token", ""))
        if device is None:
            raise forms.ValidationError(self.error_messages["bad_code"], code="bad_code")
        # django-otp's user_logged_in handler marks the session as verified.
        user.otp_device = device
        return cleaned_data


class ConfirmDeviceForm(forms.Form):
    code = forms.CharField(
        label=_("The six-digit code your app shows now"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        allowed, _extra = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError(
                _("Too many wrong codes in a row: wait a few seconds, then try the new code.")
            )
        if not self.device.verify_token(code):
            raise forms.ValidationError(
                _("That code does not match. Check the time on your phone and try the next code.")
            )
        return code
