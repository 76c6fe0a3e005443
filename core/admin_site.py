from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.twofactor import StaffLoginForm

# The author's daily work, in the order of the index page and the side bar.
DAILY_APPS = ["posts", "comments", "references", "subscriptions"]
# Within them, what is used most comes first (others follow, alphabetically).
DAILY_MODELS = {
    "posts": ["Post", "Page", "Category", "Image", "Book", "AuthorProfile"],
    "comments": ["Comment", "CommentSettings"],
    "references": ["Reference", "BibliographySettings"],
    "subscriptions": ["Subscriber", "Mailing", "Delivery"],
}

# Everything else is set up once or looked at when something is wrong: listed
# after the daily apps, under plain names, and folded away on the index page.
TECHNICAL_APP_NAMES = {
    "core": _("Site settings"),
    "importers": _("Moving in (WordPress import)"),
    "auth": _("Accounts and permissions"),
    "otp_totp": _("Two-step login: authenticator apps"),
    "otp_static": _("Two-step login: backup codes"),
    "axes": _("Login attempts (lock-outs)"),
    "redirects": _("Old addresses (redirects)"),
    "sites": _("Site address"),
    "taggit": _("Tags"),
    "django_tasks_database": _("Background tasks"),
}


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

    def get_app_list(self, request, app_label=None):
        """The daily apps first, then the technical ones under plain names."""
        apps = super().get_app_list(request, app_label)
        for app in apps:
            label = app["app_label"]
            app["is_technical"] = label not in DAILY_APPS
            if label in TECHNICAL_APP_NAMES:
                app["name"] = TECHNICAL_APP_NAMES[label]
            order = DAILY_MODELS.get(label, [])
            app["models"].sort(
                key=lambda model, order=order: (
                    order.index(model["object_name"])
                    if model["object_name"] in order
                    else len(order)
                )
            )

        def position(app):
            label = app["app_label"]
            if label in DAILY_APPS:
                return (0, DAILY_APPS.index(label), "")
            return (1, 0, str(app["name"]).lower())

        return sorted(apps, key=position)

    def index(self, request, extra_context=None):
        apps = self.get_app_list(request)
        extra_context = {
            "daily_apps": [app for app in apps if not app["is_technical"]],
            "technical_apps": [app for app in apps if app["is_technical"]],
            **(extra_context or {}),
        }
        return super().index(request, extra_context)
