"""Storage for files the web server must never serve (uploaded exports,
reference attachments): kept outside MEDIA_ROOT, handed out only by views
that check who may have them. Apart from core.storage, which loads the S3
client, so that every process need not."""

from pathlib import Path

from django.core.files.storage import FileSystemStorage


class PrivateFolderStorage(FileSystemStorage):
    """Files in a folder outside MEDIA_ROOT that the web server never serves
    (``url()`` refuses). The folder comes from the settings at each use
    (``folder()``), so tests can point it elsewhere."""

    not_served = "These files are not served over HTTP."

    def folder(self) -> Path:
        raise NotImplementedError

    @property
    def base_location(self):
        return str(self.folder())

    @property
    def location(self):
        return str(Path(self.folder()).resolve())

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError(self.not_served)
