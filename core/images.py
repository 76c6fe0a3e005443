"""Resized renditions of uploaded images, for srcset."""

import hashlib
from io import BytesIO
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps


def rendition_name(name: str, width: int) -> str:
    digest = hashlib.sha256(name.encode()).hexdigest()[:12]
    return str(PurePosixPath("renditions") / f"{PurePosixPath(name).stem}-{digest}-{width}w.webp")


def make_renditions(field_file, widths) -> dict[str, str]:
    """Write WebP copies of ``field_file`` at each width smaller than the original.

    Returns {width: storage name}. Existing renditions are reused.
    """
    result = {}
    with field_file.open("rb") as fh, Image.open(fh) as original:
        image = ImageOps.exif_transpose(original)
        image.load()
    for width in sorted(widths):
        if width >= image.width:
            continue
        name = rendition_name(field_file.name, width)
        if not default_storage.exists(name):
            height = round(image.height * width / image.width)
            resized = image.convert("RGB").resize((width, height), Image.Resampling.LANCZOS)
            buffer = BytesIO()
            resized.save(buffer, format="WEBP", quality=80)
            name = default_storage.save(name, ContentFile(buffer.getvalue()))
        result[str(width)] = name
    return result
