from io import BytesIO

from django.core.files.base import ContentFile
from django.tasks import task
from PIL import Image

from core import pagecache
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
    # Measured from the bytes: an image's size must be stored, or every load of
    # the row would open the file to find it (ImageField's width/height fields).
    with Image.open(BytesIO(png)) as image:
        width, height = image.size
    Attachment.objects.filter(pk=attachment.pk).update(
        thumbnail=attachment.thumbnail.name, thumbnail_width=width, thumbnail_height=height
    )
    pagecache.invalidate_all()  # update() sends no signal: pages now show the thumbnail
    return attachment.thumbnail.name
