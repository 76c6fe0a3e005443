import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from factory.django import DjangoModelFactory

from references import services
from references.demo import placeholder_pdf, placeholder_pptx
from references.models import Creator, PostReference, Reference


class ReferenceFactory(DjangoModelFactory):
    class Meta:
        model = Reference
        skip_postgeneration_save = True

    key = factory.Sequence(lambda n: f"author{n}2008")
    type = Reference.Type.ARTICLE
    title = factory.Sequence(lambda n: f"Low dose naltrexone study number {n}")
    container_title = "Multiple Sclerosis"
    container_title_short = "Mult Scler"
    volume = "14"
    page = "1076-1083"
    issued_year = 2008

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if create:
            for position, (family, given) in enumerate(
                [("Gironi", "M")] if extracted is None else extracted
            ):
                Creator.objects.create(
                    reference=self, family=family, given=given, position=position
                )


def pdf_upload(name="paper.pdf", pages=2, title="A paper"):
    return SimpleUploadedFile(name, placeholder_pdf(title, pages), content_type="application/pdf")


def pptx_upload(name="talk.pptx", slides=3, title="A talk"):
    return SimpleUploadedFile(name, placeholder_pptx(title, slides))


def attach(reference, upload=None, **fields):
    attachment, _created = services.attach_file(
        reference=reference, uploaded=upload or pdf_upload(title=reference.title), **fields
    )
    return attachment


def list_under(post, *references):
    for position, reference in enumerate(references):
        PostReference.objects.create(post=post, reference=reference, position=position)


def ole_bytes(*streams: str) -> bytes:
    """A small OLE compound file (MS-CFB version 3, 512-byte sectors) with the
    named streams at its top, 4 KB each: the container of Word 97–2003 (.doc,
    a "WordDocument" stream) and PowerPoint 97–2003 (.ppt, "PowerPoint
    Document") files. Sector 0 holds the FAT, sector 1 the directory."""
    import struct

    free, end, fat_sector, none = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    assert len(streams) <= 3  # one directory sector: the root and three streams
    fat = [fat_sector, end]
    for _stream in streams:
        first = len(fat)
        fat += [*range(first + 1, first + 8), end]  # eight sectors, chained
    fat += [free] * (128 - len(fat))

    def entry(name, kind, right=none, child=none, start=end, size=0):
        encoded = (name + "\0").encode("utf-16-le")
        return struct.pack(
            "<64sHBBIII16sIQQIQ",
            encoded, len(encoded), kind, 1, none, right, child, b"", 0, 0, 0, start, size,
        )  # fmt: skip

    directory = entry("Root Entry", 5, child=1 if streams else none)
    for index, name in enumerate(streams, 1):
        right = index + 1 if index < len(streams) else none
        directory += entry(name, 2, right=right, start=2 + 8 * (index - 1), size=4096)
    directory += entry("", 0) * (4 - len(streams) - 1)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII109I",
        bytes.fromhex("D0CF11E0A1B11AE1"), b"", 0x3E, 3, 0xFFFE, 9, 6, b"",
        0, 1, 1, 0, 4096, end, 0, end, 0, 0, *[free] * 108,
    )  # fmt: skip
    data = header + struct.pack("<128I", *fat) + directory
    for index, _stream in enumerate(streams):
        data += bytes([index + 1]) * 4096
    return data


def docx_bytes(text="Low dose naltrexone") -> bytes:
    """A minimal Word (.docx) file: the package parts Word itself needs."""
    import io
    import zipfile

    buffer = io.BytesIO()
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxml'
            'formats-package.relationships+xml"/><Default Extension="xml" ContentType='
            f'"application/xml"/><Override PartName="/word/document.xml" ContentType="{main}"/>'
            "</Types>",
        )
        package.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>',
        )
        package.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            f'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p>'
            "</w:body></w:document>",
        )
    return buffer.getvalue()
