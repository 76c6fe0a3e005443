"""Bad and hostile files are refused with a clear message, and nothing is half-imported."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from importers.models import ImportRun, WordPressItem
from importers.steps.content import PostsStep
from posts.models import Category, Image, Page, Post
from tests.importers.conftest import MEDIA


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
        ("deep_nesting.xml", "nests elements more than 32 levels deep"),
        ("malformed.xml", "is not well-formed XML (line"),
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
