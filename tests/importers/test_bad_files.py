"""Bad and hostile files are refused with a clear message, and nothing is half-imported."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.redirects.models import Redirect
from django.core.management.base import CommandError

from comments.models import Comment
from importers.models import ImportedDocument, ImportedPing, ImportRun, WordPressItem
from importers.steps.content import PostsStep
from posts.models import Category, Image, Page, Post
from references.models import Reference
from tests.importers.conftest import DATA, MEDIA


def nothing_imported(settings):
    media = settings.MEDIA_ROOT
    files = [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
    return not (
        Post.objects.exists()
        or Page.objects.exists()
        or Category.objects.exists()
        or Image.objects.exists()
        or WordPressItem.objects.exists()
        or get_user_model().objects.exists()
        or files
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("billion_laughs.xml", "declares XML entities"),
        ("external_entity.xml", "declares XML entities"),
        ("external_dtd.xml", "refers to an external resource (file:///etc/passwd)"),
        ("deep_nesting.xml", "nests elements more than 32 levels deep"),
        ("malformed.xml", "is not well-formed XML (line"),
        ("malformed_late.xml", "is not well-formed XML (line 371, column 39: mismatched tag)"),
        ("not_wxr.xml", "This is not a WordPress export (WXR) file: it has no wp:wxr_version"),
        ("unknown_version.xml", "WXR version 1.3, which this importer does not know"),
    ],
)
def test_bad_files_are_refused(import_wxr, settings, name, message):
    with pytest.raises(CommandError) as refused:
        import_wxr(name)
    assert message in str(refused.value)
    assert nothing_imported(settings)
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED and message in run.error


def test_an_html_page_is_not_an_export(import_wxr, tmp_path):
    page = tmp_path / "export.xml"
    page.write_text("<html><body><p>Oops, the login page</p></body></html>")
    with pytest.raises(CommandError, match="its root element is <html>"):
        import_wxr(page)


def test_a_missing_file_is_a_clear_error(import_wxr, tmp_path):
    with pytest.raises(CommandError, match="There is no file at"):
        import_wxr(tmp_path / "nope.xml")


def test_a_failure_halfway_rolls_everything_back(import_wxr, settings, monkeypatch):
    """Authors, categories and media are written before posts: a crash while
    importing posts must take them (and the stored files) back."""

    def crash(self, item, ctx):
        raise RuntimeError("disk full")

    monkeypatch.setattr(PostsStep, "handle", crash)
    with pytest.raises(RuntimeError, match="disk full"):
        import_wxr("seed.xml", "--media-dir", str(MEDIA))
    assert nothing_imported(settings)
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED
    assert "nothing was changed: disk full" in run.error


def test_a_file_that_breaks_after_many_items_imports_nothing(import_wxr, settings):
    """malformed_late.xml is the whole seed export (media, pages, posts, 18
    comments, a pingback) followed by a post whose body breaks the XML: the file
    is read to its end before anything is written, so nothing of it stays."""
    with pytest.raises(CommandError) as refused:
        import_wxr("malformed_late.xml", "--media-dir", str(MEDIA))
    message = str(refused.value)
    assert "is not well-formed XML (line 371, column 39: mismatched tag)" in message
    assert "nothing was imported" in message
    line = (DATA / "malformed_late.xml").read_text().splitlines()[370]
    assert "<b>1.5 mg</content:encoded>" in line  # the line the message names
    assert nothing_imported(settings)
    assert not Comment.objects.exists() and not ImportedPing.objects.exists()
    assert not ImportedDocument.objects.exists() and not Reference.objects.exists()
    assert not Redirect.objects.exists()


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE rss SYSTEM "{url}">',
        '<!DOCTYPE rss PUBLIC "-//WordPress//DTD WXR//EN" "{url}">',
        '<!DOCTYPE rss [<!ENTITY % remote SYSTEM "{url}"> %remote;]>',
    ],
    ids=["system-dtd", "public-dtd", "parameter-entity"],
)
def test_external_dtds_and_entities_are_never_fetched(
    import_wxr, file_server, tmp_path, settings, doctype
):
    """The DTD is served by a real server the import would be allowed to reach:
    not one request may arrive, and the file is refused."""
    settings.IMPORTERS_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    url = file_server.url("/wp-content/uploads/wxr.dtd")
    text = (DATA / "wxr10.xml").read_text().replace("<rss", doctype.format(url=url) + "\n<rss", 1)
    path = tmp_path / "export.xml"
    path.write_text(text)
    with pytest.raises(CommandError, match="refused"):
        import_wxr(path)
    assert file_server.requests == []
    assert nothing_imported(settings)
