from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations


def set_site_domain(apps, schema_editor):
    """Point the Sites framework (used by comment and redirect libraries) at SITE_URL."""
    Site = apps.get_model("sites", "Site")
    domain = urlsplit(settings.SITE_URL).netloc or "localhost"
    Site.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": domain}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [migrations.RunPython(set_site_domain, migrations.RunPython.noop)]
