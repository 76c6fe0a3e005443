from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

DATA = Path(__file__).resolve().parent / "data"
MEDIA = DATA / "uploads"


@pytest.fixture(autouse=True)
def _importer_settings(settings, tmp_path):
    settings.IMPORTERS_UPLOAD_ROOT = tmp_path / "imports"


@pytest.fixture
def import_wxr(db):
    """Run `manage.py import_wxr` and return what it printed (stdout, stderr)."""

    def run(name_or_path, *args):
        path = name_or_path if isinstance(name_or_path, Path) else DATA / name_or_path
        out, err = StringIO(), StringIO()
        call_command("import_wxr", str(path), *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    return run
