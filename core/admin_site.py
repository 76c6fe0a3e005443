from django.conf import settings
from django.contrib import admin

from core.twofactor import StaffLoginForm


class SiteAdmin(admin.AdminSite):
    """The admin, with two-step login when ADMIN_REQUIRE_2FA is on (always in prod)."""

    site_header = "Pain Management: writing desk"
    site_title = "Writing desk"
    index_title = "What would you like to do?"
    login_form = StaffLoginForm
    login_template = "admin/ldnsite_login.html"

    def login(self, request, extra_context=None):
        extra_context = {"two_factor_required": settings.ADMIN_REQUIRE_2FA, **(extra_context or {})}
        return super().login(request, extra_context)

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        return not settings.ADMIN_REQUIRE_2FA or request.user.is_verified()
