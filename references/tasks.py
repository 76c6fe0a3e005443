from django.core.files.base import ContentFile
from django.tasks import task

from references.files import render_thumbnail
from references.models import Attachment


@task
def make_attachment_thumbnail(*, attachment_id: int):
    """Render the first page of a PDF (or shrink an image) for the reference page."""
    attachment = Attachment.objects.filter(pk=attachment_id).first()
    if attachment is None or not attachment.file:
        return None
    with attachment.file.open("rb") as fh:
        data = fh.read()
    png = render_thumbnail(data, attachment.mime_type)
    if png is None:
        return None
    if attachment.thumbnail:
        attachment.thumbnail.delete(save=False)
    attachment.thumbnail.save("thumbnail.png", ContentFile(png), save=False)
    Attachment.objects.filter(pk=attachment.pk).update(
        thumbnail=attachment.thumbnail.name,
        thumbnail_width=attachment.thumbnail_width,
        thumbnail_height=attachment.thumbnail_height,
    )
    return attachment.thumbnail.name
