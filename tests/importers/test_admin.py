"""The import from the admin: upload, a task runs it, the page shows progress and the report."""

import re
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from importers.models import ImportRun
from importers.tasks import run_uploaded_import
from posts.models import Post
from tests.helpers import run_worker
from tests.importers.conftest import DATA
from tests.importers.test_media_fetch import attachment, export_served_by

ADD_URL = reverse("admin:importers_importrun_add")


def upload(client, path, **fields):
    data = {"file": SimpleUploadedFile(path.name, path.read_bytes(), "text/xml"), **fields}
    return client.post(ADD_URL, data)


def test_trial_run_then_import_for_real(
    staff_client, file_server, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.IMPORTERS_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    page = staff_client.get(ADD_URL)
    assert page.status_code == 200 and "Start with a trial run" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(staff_client, export_served_by(file_server, tmp_path), dry_run="on")
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    report_page = staff_client.get(run.get_absolute_url()).content.decode()
    assert "What the import would do" in report_page
    assert '<th scope="row">posts</th><td>2</td>' in report_page
    assert "Cree-LDN-MS-Poster.pdf was not fetched: the server answered 404" in report_page
    assert 'http-equiv="refresh"' not in report_page  # finished: no more refreshing
    assert Post.objects.count() == 0  # a trial changes nothing
    assert run.started_by.username == "nsajben" and run.file_name == "seed.xml"

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("admin:importers_importrun_for_real", args=[run.pk]))
    real = ImportRun.objects.exclude(pk=run.pk).get()
    assert response["Location"] == real.get_absolute_url()
    assert real.status == ImportRun.Status.DONE and not real.dry_run
    assert Post.objects.count() == 2
    report_page = staff_client.get(real.get_absolute_url()).content.decode()
    assert "What was imported" in report_page
    # The uploaded export is not kept once it has been imported for real.
    assert not real.file.storage.exists(real.file.name)
    assert "Import for real" not in staff_client.get(run.get_absolute_url()).content.decode()
    listing = staff_client.get(reverse("admin:importers_importrun_changelist")).content.decode()
    # The real run's summary (served from the test server, the post's one http://
    # link still names the old host: two of its documents become references).
    assert "4 files; 3 pages; 2 posts; 2 references; 18 comments · 2 problem(s)" in listing


def test_progress_page_refreshes_until_done(staff_client):
    run = ImportRun.objects.create(
        file_name="seed.xml", status=ImportRun.Status.RUNNING, phase="Posts",
        progress_done=3, progress_total=12,
    )  # fmt: skip
    page = staff_client.get(run.get_absolute_url()).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page  # works without JavaScript
    assert '<progress id="import-progress" max="12" value="3">25%</progress>' in page
    assert "Posts:\n      3 / 12 items (25%)" in page


def _work(run_id):
    """The import task's own work, as the worker runs it, in another thread
    (its own database connection)."""
    try:
        run_uploaded_import.call(run_id=run_id)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_the_page_shows_progress_while_the_import_runs(
    database_tasks, author, file_server, tmp_path, settings
):
    """The import is paused on its last file (the old site's server holds the
    answer); meanwhile the admin page, read over another connection, shows how
    far it got, although nothing of the import is committed yet."""
    from django.test import Client

    settings.IMPORTERS_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    client = Client()
    client.force_login(author)
    held = attachment(990, file_server.url("/hold/last.pdf"))
    upload(client, export_served_by(file_server, tmp_path, extra_items=held), dry_run="")
    run = ImportRun.objects.get()
    worker = threading.Thread(target=_work, args=(run.pk,))
    worker.start()
    try:
        assert file_server.holding.wait(timeout=120), "the import never asked for the file"
        page = client.get(run.get_absolute_url()).content.decode()
        committed = Post.objects.count()
    finally:
        file_server.release.set()
        worker.join(timeout=300)
    assert not worker.is_alive()
    assert committed == 0  # the import's transaction was still open
    assert '<meta http-equiv="refresh" content="3">' in page and "Importing…" in page
    bar = re.search(r'<progress id="import-progress" max="(\d+)" value="(\d+)">', page)
    total, done = int(bar[1]), int(bar[2])
    assert 0 < done < total
    assert f"Media:\n      {done} / {total} items" in page
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    assert run.progress_done == run.progress_total == total
    assert Post.objects.count() == 2


def test_a_refused_file_is_explained(staff_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload(staff_client, DATA / "billion_laughs.xml", dry_run="")
    run = ImportRun.objects.get()
    page = staff_client.get(run.get_absolute_url()).content.decode()
    assert run.status == ImportRun.Status.FAILED
    assert "The file was not imported" in page and "declares XML entities" in page
    assert not Post.objects.exists()


def test_only_xml_files_and_host_names(staff_client, tmp_path):
    text = tmp_path / "export.txt"
    text.write_text("hello")
    response = upload(staff_client, text)
    assert "Choose the .xml file" in response.content.decode()
    response = upload(staff_client, DATA / "slashes.xml", allow_hosts="http://evil.example/")
    assert "Give host names only" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_readers_cannot_import(client):
    response = client.get(ADD_URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db(transaction=True)
def test_the_import_runs_in_the_task_worker(database_tasks, author, settings):
    """A real django.tasks task on the database backend, run by `db_worker`."""
    from django.test import Client

    client = Client()
    client.force_login(author)
    upload(client, DATA / "slashes.xml", dry_run="")
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.QUEUED
    assert "Waiting to start" in client.get(run.get_absolute_url()).content.decode()
    run_worker()
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    assert run.progress_done == run.progress_total > 0
    assert Post.objects.get().title.startswith("Doses 1/2")
