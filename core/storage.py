"""Uploaded public media in an S3 bucket (django-storages), stored with the
headers that keep a browser from running them.

The bucket serves files with the Content-Type and Content-Disposition stored
on each object (it cannot add ``X-Content-Type-Options: nosniff``), so these
are set at upload: raster images are shown inline under their own type;
anything else (PDFs, documents, SVG, a file that claims to be HTML) is stored
as ``application/octet-stream`` with ``Content-Disposition: attachment`` and
is downloaded, never rendered on the site's behalf. deploy/Caddyfile does the
same for media on the local disk.
"""

import mimetypes

from storages.backends.s3 import S3Storage

# Shown in the browser: the types a cover or post image can have.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/avif"})


def object_headers(name: str) -> dict[str, str]:
    """The ContentType and ContentDisposition to store a file under."""
    content_type, _encoding = mimetypes.guess_type(name)
    if content_type in INLINE_TYPES:
        return {"ContentType": content_type, "ContentDisposition": "inline"}
    return {"ContentType": "application/octet-stream", "ContentDisposition": "attachment"}


class PublicMediaS3Storage(S3Storage):
    def get_object_parameters(self, name):
        # AWS_S3_OBJECT_PARAMETERS (e.g. CacheControl) stay; these two win.
        return {**super().get_object_parameters(name), **object_headers(name)}
