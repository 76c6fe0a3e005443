from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import module_has_submodule


class Command(BaseCommand):
    help = (
        "Build the demo site from the seed post. Each installed app with a "
        "`demo` module loads its part, in INSTALLED_APPS order. Safe to run again."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            for app_config in apps.get_app_configs():
                if not module_has_submodule(app_config.module, "demo"):
                    continue
                demo = import_module(f"{app_config.name}.demo")
                demo.load(stdout=self.stdout, style=self.style)
        self.stdout.write(self.style.SUCCESS("Demo content is loaded."))
