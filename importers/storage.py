"""Where uploaded WordPress exports wait for the import task.

Not under MEDIA_ROOT: an export holds drafts and commenters' email addresses,
and media files are served to anyone. The folder (IMPORTERS_UPLOAD_ROOT) must
be shared by the web process and the task worker."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible(path="importers.storage.UploadStorage")
class UploadStorage(FileSystemStorage):
    """FileSystemStorage under settings.IMPORTERS_UPLOAD_ROOT, read at each use
    (tests point it at a temporary folder), never served over HTTP."""

    def __init__(self):
        super().__init__()

    @property
    def base_location(self):
        return str(settings.IMPORTERS_UPLOAD_ROOT)

    @property
    def location(self):
        return str(settings.IMPORTERS_UPLOAD_ROOT)

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("Uploaded exports are not served over HTTP.")


upload_storage = UploadStorage()
