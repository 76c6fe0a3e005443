"""Side effects of curating the bibliography; the admin, importers and the demo call these."""

from functools import partial

from django.db import transaction

from references.files import PDF, inspect_upload
from references.models import Attachment, Reference
from references.tasks import make_attachment_thumbnail

THUMBNAILED = {PDF, "image/jpeg", "image/png", "image/gif", "image/webp"}


def describe_attachment(attachment: Attachment, uploaded) -> None:
    """Fill in what the content says (type, size, SHA-256, pages). Raises
    ValidationError for files the site refuses."""
    info = inspect_upload(uploaded)
    attachment.mime_type = info.mime_type
    attachment.size = info.size
    attachment.sha256 = info.sha256
    attachment.page_count = info.page_count
    attachment.original_name = (getattr(uploaded, "name", "") or "")[-255:]


def attachment_saved(*, attachment: Attachment, file_changed: bool) -> None:
    """After an attachment is stored: make its thumbnail in the worker once
    the transaction commits."""
    if file_changed and attachment.mime_type in THUMBNAILED:
        transaction.on_commit(
            partial(make_attachment_thumbnail.enqueue, attachment_id=attachment.pk)
        )


def attach_file(*, reference: Reference, uploaded, **fields) -> tuple[Attachment, bool]:
    """Store a file for a reference, once: the same content (SHA-256) is not
    stored again. Returns (attachment, created)."""
    attachment = Attachment(reference=reference, **fields)
    describe_attachment(attachment, uploaded)
    existing = Attachment.objects.filter(sha256=attachment.sha256).first()
    if existing is not None:
        return existing, False
    uploaded.seek(0)
    attachment.file.save(attachment.original_name or "file", uploaded, save=False)
    attachment.save()
    attachment_saved(attachment=attachment, file_changed=True)
    return attachment, True


def attachment_deleted(*, file_name: str, thumbnail_name: str = "") -> None:
    """Remove a deleted attachment's file and thumbnail once the deletion commits."""
    from references.storage import attachment_storage

    def remove():
        for name in (file_name, thumbnail_name):
            if name:
                attachment_storage.delete(name)

    transaction.on_commit(remove)
