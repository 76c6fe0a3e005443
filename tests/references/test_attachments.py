"""The author curates references and their files in the admin; readers get the
files through a view that checks, never from a public media URL."""

import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from PIL import Image

from references.models import Attachment, Reference
from tests.references.factories import (
    ReferenceFactory,
    attach,
    docx_bytes,
    ole_bytes,
    pdf_upload,
    pptx_upload,
)

pytestmark = pytest.mark.django_db


def _reference_form(**overrides):
    data = {
        "type": "article-journal",
        "title": "A Pilot Trial of LDN in Primary Progressive MS",
        "key": "",
        "container_title": "Multiple Sclerosis",
        "container_title_short": "Mult Scler",
        "volume": "14",
        "issue": "",
        "page": "1076-1083",
        "issued_year": "2008",
        "doi": "https://doi.org/10.1177/1352458508095179",
        "pmid": "",
        "pmcid": "",
        "tags": "naltrexone",
        "creators-TOTAL_FORMS": "2",
        "creators-INITIAL_FORMS": "0",
        "creators-0-position": "0",
        "creators-0-family": "Gironi",
        "creators-0-given": "M",
        "creators-0-role": "author",
        "creators-1-position": "1",
        "creators-1-family": "Martinelli-Boneschi",
        "creators-1-given": "F",
        "creators-1-role": "author",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def _with_file(upload, **fields):
    return {
        "attachments-TOTAL_FORMS": "1",
        "attachments-0-file": upload,
        "attachments-0-kind": fields.get("kind", "full-text"),
        "attachments-0-is_public": "on" if fields.get("public", True) else "",
        "attachments-0-permission_note": "Open access (CC BY)",
        "attachments-0-position": "0",
    }


def test_admin_adds_a_reference_with_authors_and_a_pdf(
    staff_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:references_reference_add"),
            _reference_form(**_with_file(pdf_upload("gironi.pdf", pages=3))),
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    reference = Reference.objects.get()
    assert reference.key == "gironi2008"  # made from the first author and the year
    assert reference.doi == "10.1177/1352458508095179"  # link prefix gone, lower case
    assert [str(c) for c in reference.authors] == ["Gironi, M", "Martinelli-Boneschi, F"]
    attachment = reference.attachments.get()
    stored = Path(attachment.file.path)
    assert attachment.mime_type == "application/pdf"
    assert attachment.size == stored.stat().st_size
    assert attachment.sha256 == hashlib.sha256(stored.read_bytes()).hexdigest()
    assert attachment.page_count == 3
    # Outside MEDIA_ROOT: no web server serves it by a guessable address.
    assert not stored.resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    # The thumbnail was made after commit (the task), and is served by the view.
    attachment.refresh_from_db()
    assert attachment.thumbnail
    thumb = Client().get(attachment.get_thumbnail_url())
    assert thumb["Content-Type"] == "image/png"
    image = Image.open(__import__("io").BytesIO(b"".join(thumb.streaming_content)))
    assert image.width == 240
    # Its size is stored (pages reserve its space; loading a row never opens the file).
    assert (attachment.thumbnail_width, attachment.thumbnail_height) == image.size
    assert (
        f'width="{image.width}" height="{image.height}"'
        in Client().get(attachment.reference.get_absolute_url()).text
    )

    page = Client().get(reference.get_absolute_url()).text
    assert f"PDF · {attachment.size_label} · 3 pages" in page
    assert f'src="{attachment.get_thumbnail_url()}"' in page


def test_pptx_slides_are_counted(staff_client):
    reference = ReferenceFactory(type=Reference.Type.TALK, title="LDN research on MS")
    attachment = attach(reference, pptx_upload(slides=4), kind=Attachment.Kind.SLIDES)
    assert attachment.mime_type.endswith("presentationml.presentation")
    assert attachment.summary.startswith("PowerPoint · ") and attachment.summary.endswith(
        " · 4 slides"
    )
    response = Client().get(attachment.get_absolute_url())
    assert response["Content-Disposition"].startswith("attachment;")  # not shown inline
    assert response["Content-Type"] == attachment.mime_type


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            lambda: SimpleUploadedFile("paper.pdf", b"MZ\x90\x00" + b"\x00" * 200),
            "is a program or script",
        ),
        (lambda: SimpleUploadedFile("setup.exe", pdf_upload().read()), "is a program or script"),
        (
            lambda: SimpleUploadedFile("paper.pdf", _png_bytes(), content_type="application/pdf"),
            "is named as a .pdf file but its content is a PNG image",
        ),
        (
            lambda: SimpleUploadedFile("paper.pdf", b"<html><script>alert(1)</script></html>"),
            "is not a PDF, PowerPoint, Word file or image",
        ),
    ],
    ids=["exe-named-pdf", "exe-extension", "png-named-pdf", "html"],
)
def test_admin_refuses_files_that_lie_or_run(staff_client, upload, message):
    response = staff_client.post(
        reverse("admin:references_reference_add"), _reference_form(**_with_file(upload()))
    )
    assert response.status_code == 200
    assert message in response.text
    assert not Reference.objects.exists() and not Attachment.objects.exists()


def test_admin_refuses_files_over_the_limit(staff_client, settings):
    settings.REFERENCES_MAX_UPLOAD_MB = 0.01  # about 10 KB
    response = staff_client.post(
        reverse("admin:references_reference_add"),
        _reference_form(**_with_file(pdf_upload(pages=3))),
    )
    assert "the largest file the site accepts is 10 KB" in response.text
    assert not Attachment.objects.exists()


def test_the_same_file_is_stored_once(staff_client):
    first = ReferenceFactory(title="Morphinan neuroprotection")
    data = pdf_upload(title="same bytes").read()
    attach(first, SimpleUploadedFile("zhang.pdf", data))
    response = staff_client.post(
        reverse("admin:references_reference_add"),
        _reference_form(**_with_file(SimpleUploadedFile("copy.pdf", data))),
    )
    assert "This file is already stored: it is the full text of" in response.text
    assert Attachment.objects.count() == 1
    files = list((Path(Attachment.objects.get().file.path).parent.parent).glob("*/*"))
    assert len(files) == 1


def test_private_files_are_for_staff_only(staff_client):
    reference = ReferenceFactory(title="Unpublished poster")
    private = attach(reference, pdf_upload(title="private"), is_public=False)
    public = attach(reference, pdf_upload(title="public"), kind=Attachment.Kind.SUPPLEMENT)

    reader = Client()
    assert reader.get(private.get_absolute_url()).status_code == 404
    page = reader.get(reference.get_absolute_url()).text
    assert private.get_absolute_url() not in page and public.get_absolute_url() in page

    response = staff_client.get(private.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{reference.key}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "Staff only" in staff_client.get(reference.get_absolute_url()).text


def test_doi_and_pmid_are_unique_whatever_their_case(staff_client):
    ReferenceFactory(doi="10.1177/abc", pmid="18728058")
    response = staff_client.post(
        reverse("admin:references_reference_add"),
        _reference_form(doi="10.1177/ABC", pmid="18728058"),
    )
    assert response.status_code == 200
    assert "Another reference already has this DOI." in response.text
    assert "Another reference already has this PMID." in response.text
    assert Reference.objects.count() == 1


def _png_bytes():
    import io

    buffer = io.BytesIO()
    Image.new("RGB", (10, 10), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def test_one_file_twice_in_one_save_and_deleting_removes_the_file(
    staff_client, django_capture_on_commit_callbacks
):
    data = pdf_upload(title="twice").read()
    form = _reference_form(
        **{
            **_with_file(SimpleUploadedFile("a.pdf", data)),
            "attachments-TOTAL_FORMS": "2",
            "attachments-1-file": SimpleUploadedFile("b.pdf", data),
            "attachments-1-kind": "supplement",
            "attachments-1-is_public": "on",
            "attachments-1-position": "1",
        },
    )
    response = staff_client.post(reverse("admin:references_reference_add"), form)
    assert "The same file is uploaded twice here." in response.text
    assert not Attachment.objects.exists()

    reference = ReferenceFactory()
    attachment = attach(reference, pdf_upload(title="to delete"))
    stored = Path(attachment.file.path)
    change = reverse("admin:references_reference_change", args=[reference.pk])
    data = _reference_form(
        title=reference.title,
        key=reference.key,
        doi="",
        **{
            "creators-TOTAL_FORMS": "0",
            "attachments-TOTAL_FORMS": "1",
            "attachments-INITIAL_FORMS": "1",
            "attachments-0-id": attachment.pk,
            "attachments-0-reference": reference.pk,
            "attachments-0-kind": "full-text",
            "attachments-0-is_public": "on",
            "attachments-0-position": "0",
            "attachments-0-DELETE": "on",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not Attachment.objects.exists()
    assert not stored.exists()


def test_the_database_keeps_identifiers_unique():
    """Not only the admin's checks: a direct ORM write of a duplicate fails too."""
    first = Reference.objects.create(
        key="gironi2008", title="A", doi="10.1177/ABC", pmid="18728058", pmcid="pmc2580723"
    )
    first.refresh_from_db()
    assert (first.doi, first.pmcid) == ("10.1177/abc", "PMC2580723")  # normalised on save

    duplicates = [
        {"doi": "10.1177/Abc"},
        {"pmid": "18728058"},
        {"pmcid": "PMC2580723"},
    ]
    for number, duplicate in enumerate(duplicates):
        with pytest.raises(IntegrityError), transaction.atomic():
            Reference.objects.create(key=f"copy{number}", title="B", **duplicate)
    # Past save(), too: an upper-case DOI is refused, and so is a case-only duplicate.
    with pytest.raises(IntegrityError), transaction.atomic():
        Reference.objects.bulk_create([Reference(key="raw", title="C", doi="10.1177/XYZ")])
    with pytest.raises(IntegrityError), transaction.atomic():
        Reference.objects.bulk_create([Reference(key="raw", title="C", doi="10.1177/ABC")])
    with pytest.raises(IntegrityError), transaction.atomic():
        Reference.objects.filter(pk=first.pk).update(doi="10.1177/ABC")
    # Empty identifiers are not duplicates.
    Reference.objects.create(key="one", title="D")
    Reference.objects.create(key="two", title="E")
    assert Reference.objects.count() == 3


LEGACY = [
    ("gironi.doc", lambda: ole_bytes("WordDocument", "1Table"), "application/msword", "Word"),
    ("gironi.docx", docx_bytes, "application/vnd.openxmlformats-officedocument."
     "wordprocessingml.document", "Word"),
    ("gilhooly.ppt", lambda: ole_bytes("Current User", "PowerPoint Document"),
     "application/vnd.ms-powerpoint", "PowerPoint"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "data", "mime_type", "label"), LEGACY, ids=[n for n, *_ in LEGACY]
)
def test_admin_tells_office_files_apart_by_content(staff_client, name, data, mime_type, label):
    upload = SimpleUploadedFile(name, data(), content_type="application/octet-stream")
    response = staff_client.post(
        reverse("admin:references_reference_add"), _reference_form(**_with_file(upload))
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    attachment = Attachment.objects.get()
    assert attachment.mime_type == mime_type
    assert attachment.summary == f"{label} · {attachment.size_label}"  # no page count
    assert attachment.download_name.endswith("." + name.rsplit(".", 1)[1])
    download = Client().get(attachment.get_absolute_url())
    assert download["Content-Type"] == mime_type


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "gilhooly.ppt",
            lambda: ole_bytes("WordDocument", "1Table"),
            "“gilhooly.ppt” is named as a .ppt file but its content is a Word file.",
        ),
        (
            "gironi.doc",
            lambda: ole_bytes("PowerPoint Document"),
            "“gironi.doc” is named as a .doc file but its content is a PowerPoint file.",
        ),
        (
            "gironi.doc",
            lambda: ole_bytes("Workbook"),
            "“gironi.doc” is not a PDF, PowerPoint, Word file or image",
        ),
    ],
    ids=["doc-named-ppt", "ppt-named-doc", "xls-named-doc"],
)
def test_admin_refuses_an_office_file_named_as_another(staff_client, name, data, message):
    upload = SimpleUploadedFile(name, data())
    response = staff_client.post(
        reverse("admin:references_reference_add"), _reference_form(**_with_file(upload))
    )
    assert response.status_code == 200
    assert message in response.text
    assert not Reference.objects.exists() and not Attachment.objects.exists()
