"""Helpers for tests (import them; fixtures live in conftest.py)."""

from django.core.management import call_command


def run_worker(max_tasks: int | None = None) -> None:
    """Process every task that is due now (the real `manage.py db_worker --batch`).

    The worker closes database connections as it goes, so tests that call this
    use ``@pytest.mark.django_db(transaction=True)``."""
    args = ["db_worker", "--batch", "--no-startup-delay", "--no-reload"]
    if max_tasks:
        args += ["--max-tasks", str(max_tasks)]
    call_command(*args, verbosity=0)
