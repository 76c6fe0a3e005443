from django.db import models
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField
from solo.models import SingletonModel

from core.html import EDITOR_EXTENSIONS, sanitize_html

DEFAULT_DISCLAIMER = (
    "<p>The material on this site is for informational purposes only. It is not a "
    "substitute for medical advice, diagnosis or treatment provided by a qualified "
    "health care provider.</p>"
)


class SiteSettings(SingletonModel):
    """Site-wide texts the author edits in the admin (one row)."""

    site_title = models.CharField(_("site title"), max_length=120, default="Pain Management")
    tagline = models.CharField(
        _("tagline"),
        max_length=200,
        blank=True,
        default="A physician's weblog on pain medicine",
        help_text=_("One short line shown under the site title."),
    )
    description = models.CharField(
        _("description for search engines"),
        max_length=300,
        blank=True,
        help_text=_("About 150 characters, shown in search results for the home page."),
    )
    medical_disclaimer = ProseEditorField(
        _("medical disclaimer"),
        extensions=EDITOR_EXTENSIONS,
        sanitize=sanitize_html,
        blank=True,
        default=DEFAULT_DISCLAIMER,
        help_text=_("Shown at the end of every post."),
    )

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

    def __str__(self):
        return str(_("Site settings"))

    def save(self, *args, **kwargs):
        self.medical_disclaimer = sanitize_html(self.medical_disclaimer)
        super().save(*args, **kwargs)
