"""Where attachment files live: outside MEDIA_ROOT, so no file (public or
private) has a web-server URL. Every download goes through
``references.views.attachment_download``, which checks who may have it."""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def files_root() -> Path:
    """REFERENCE_FILES_ROOT, or a folder beside MEDIA_ROOT (``media`` → ``media-private``)."""
    if settings.REFERENCE_FILES_ROOT:
        return Path(settings.REFERENCE_FILES_ROOT)
    media = Path(settings.MEDIA_ROOT)
    return media.with_name(f"{media.name}-private")


class AttachmentStorage(FileSystemStorage):
    """File system storage whose location follows the settings (read on each use).
    Names are content hashes, so writing a name again writes the same bytes."""

    def __init__(self):
        super().__init__(allow_overwrite=True)

    @property
    def base_location(self):
        return str(files_root())

    @property
    def location(self):
        return str(files_root().resolve())

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError(
            "Attachment files have no public URL; link to Attachment.get_absolute_url()."
        )


attachment_storage = AttachmentStorage()


def get_attachment_storage():
    return attachment_storage
