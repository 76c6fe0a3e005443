"""Starting imports: from the command line, or from the admin as a task."""

import logging
from functools import partial
from pathlib import Path

from django.db import transaction

from importers.models import ImportRun
from importers.pipeline import Importer, Options
from importers.progress import MultiProgress, RunProgress, mark
from importers.report import Report
from importers.wxr import WxrError

logger = logging.getLogger(__name__)


def import_file(path, options: Options, *, progress=None, source="command", run=None) -> Report:
    """Run an import now, recording it as an ImportRun. Raises WxrError for a
    refused file (the run records why)."""
    if run is None:
        run = ImportRun.objects.create(
            file_name=Path(path).name[:300],
            allow_hosts=" ".join(options.allow_hosts)[:500],
            skip_pings=options.skip_pings,
            dry_run=options.dry_run,
            source=source,
        )
    mark(run, status=ImportRun.Status.RUNNING, error="", report={})
    run_progress = RunProgress(run)
    try:
        report = Importer(path, options, progress=MultiProgress(progress, run_progress)).run()
    except WxrError as exc:
        mark(run, status=ImportRun.Status.FAILED, error=str(exc), phase="")
        raise
    except Exception as exc:
        logger.exception("WordPress import %s failed", run.pk)
        mark(
            run,
            status=ImportRun.Status.FAILED,
            phase="",
            error=f"The import stopped on an unexpected error and nothing was changed: {exc}",
        )
        raise
    mark(
        run,
        status=ImportRun.Status.DONE,
        report=report.to_dict(),
        phase="",
        progress_done=run_progress.done,
        progress_total=run_progress.total,
    )
    return report


def repeat_for_real(run: ImportRun, *, user) -> ImportRun:
    """After a trial run: the same file and options, this time for real."""
    new = ImportRun.objects.create(
        file=run.file.name,
        file_name=run.file_name,
        allow_hosts=run.allow_hosts,
        skip_pings=run.skip_pings,
        dry_run=False,
        started_by=user,
        source="admin",
    )
    enqueue(new)
    return new


def enqueue(run):
    from importers.tasks import run_uploaded_import

    transaction.on_commit(partial(run_uploaded_import.enqueue, run_id=run.pk))


def run_uploaded(run_id: int):
    """The task's work: import an uploaded file, then let the file go (a real
    import no longer needs it; a trial run keeps it for "Import for real")."""
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None or run.is_finished or not run.file:
        return
    options = Options(
        dry_run=run.dry_run,
        allow_hosts=run.allow_hosts.lower().split(),
        skip_pings=run.skip_pings,
    )
    try:
        import_file(run.file.path, options, run=run, source="admin")
    except Exception:  # recorded on the run; the worker need not retry
        return
    if not run.dry_run:
        name = run.file.name
        still_used = ImportRun.objects.filter(file=name, status=ImportRun.Status.QUEUED).exists()
        if not still_used:
            run.file.storage.delete(name)
