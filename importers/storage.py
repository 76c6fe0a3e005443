"""Where uploaded WordPress exports wait for the import task.

Not under MEDIA_ROOT: an export holds drafts and commenters' email addresses,
and media files are served to anyone. The folder (IMPORTERS_UPLOAD_ROOT) must
be shared by the web process and the task worker."""

from pathlib import Path

from django.conf import settings
from django.utils.deconstruct import deconstructible

from core.private_storage import PrivateFolderStorage


@deconstructible(path="importers.storage.UploadStorage")
class UploadStorage(PrivateFolderStorage):
    """Under settings.IMPORTERS_UPLOAD_ROOT; never served over HTTP."""

    not_served = "Uploaded exports are not served over HTTP."

    def folder(self) -> Path:
        return Path(settings.IMPORTERS_UPLOAD_ROOT)


upload_storage = UploadStorage()
