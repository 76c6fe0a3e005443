"""Staff account pages: password login for the site, and two-step login setup."""

import base64

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import twofactor


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


def _qr_data_uri(text: str) -> str:
    svg = segno.make(text, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _secret_for_humans(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """Set up (or replace) the authenticator app and see fresh backup codes.

    Someone who already has an app must prove it (a verified session) before
    replacing it, so a stolen password alone cannot move the second factor."""
    user = request.user
    if not user.is_staff:
        return redirect("posts:home")
    if twofactor.has_two_factor(user) and not user.is_verified():
        messages.info(request, "Log in with your current code first.")
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))

    if request.method == "POST" and request.POST.get("action") == "backup-codes":
        codes = twofactor.new_backup_codes(user)
        return render(request, "core/two_factor_codes.html", {"codes": codes})

    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if request.method == "POST" and device is not None:
        form = twofactor.ConfirmDeviceForm(request.POST, device=device)
        if form.is_valid():
            twofactor.confirm_totp_device(device)
            otp_login(request, device)
            codes = twofactor.new_backup_codes(user)
            return render(request, "core/two_factor_codes.html", {"codes": codes, "new": True})
    else:
        if request.method == "POST" or device is None:
            device = twofactor.start_totp_setup(user)
        form = twofactor.ConfirmDeviceForm(device=device)
    return render(
        request,
        "core/two_factor.html",
        {
            "form": form,
            "has_device": twofactor.has_two_factor(user),
            "qr": _qr_data_uri(device.config_url),
            "secret": _secret_for_humans(device),
        },
    )
