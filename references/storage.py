"""Where attachment files live: outside MEDIA_ROOT, so no file (public or
private) has a web-server URL. Every download goes through
``references.views.attachment_download``, which checks who may have it."""

from pathlib import Path

from django.conf import settings

from core.private_storage import PrivateFolderStorage


def files_root() -> Path:
    """REFERENCE_FILES_ROOT, or a folder beside MEDIA_ROOT (``media`` → ``media-private``)."""
    if settings.REFERENCE_FILES_ROOT:
        return Path(settings.REFERENCE_FILES_ROOT)
    media = Path(settings.MEDIA_ROOT)
    return media.with_name(f"{media.name}-private")


class AttachmentStorage(PrivateFolderStorage):
    """Under files_root(). Names are content hashes, so writing a name again
    writes the same bytes."""

    not_served = "Attachment files have no public URL; link to Attachment.get_absolute_url()."

    def __init__(self):
        super().__init__(allow_overwrite=True)

    def folder(self) -> Path:
        return files_root()


attachment_storage = AttachmentStorage()


def get_attachment_storage():
    return attachment_storage
