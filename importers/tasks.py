from django.tasks import task

from importers import services


@task
def run_uploaded_import(*, run_id: int):
    """Import a WordPress export uploaded in the admin (runs in the worker)."""
    services.run_uploaded(run_id)
