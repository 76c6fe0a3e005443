from django.contrib import admin
from solo.admin import SingletonModelAdmin

from core.models import SiteSettings


@admin.register(SiteSettings)
class SiteSettingsAdmin(SingletonModelAdmin):
    fieldsets = [
        (None, {"fields": ["site_title", "tagline", "description"]}),
        ("On every post", {"fields": ["medical_disclaimer"]}),
    ]
