"""The papers and slides a post links to become the bibliography's references,
listed under the post with their files; old addresses follow them."""

import shutil

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from importers.models import ImportedDocument
from importers.pipeline import Importer, Options
from importers.steps import STEPS, DocumentsToReferencesStep
from posts.models import Post
from references import services
from references.models import Attachment, PostReference, Reference
from tests.importers.conftest import DATA, MEDIA

SEED_URL = "/2010/06/22/low-dose-naltrexone-ldn-and-dextromethorphan-off-label-for-pain/"
UPLOADS = "/wp-content/uploads/2010/06/"


def report_lines(out):
    return {line.split()[0]: line.split()[-4:] for line in out.splitlines() if line[:2] == "  "}


def test_documents_become_references_listed_under_the_post(
    import_wxr, client, admin_client, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        import_wxr("seed.xml", "--media-dir", str(MEDIA))
    seed = Post.objects.get(slug__startswith="low-dose")
    listed = [link.reference for link in PostReference.objects.filter(post=seed)]
    # Described from the links' words, only as far as they go.
    zhang, block, gilhooly = listed
    assert (zhang.key, zhang.title, zhang.type) == (
        "zhang2004",
        "Morphinan Neuroprotection",
        "article-journal",
    )
    assert [c.family for c in zhang.creators.all()] == ["Zhang", "Hong", "Kim"]
    assert (zhang.container_title, zhang.volume, zhang.issue, zhang.page, zhang.issued_year) == (
        "Crit.Rev.Neurobiol.",
        "16",
        "4",
        "271-302",
        2004,
    )
    assert "“Morphinan Neuroprotection by Zhang, Hong, Kim, et al," in zhang.note
    assert (block.title, block.container_title, block.volume, block.page) == (
        "Microglia Mediated Neurotoxicity Molecular Mechanisms",
        "Nature Reviews Neurosci",
        "8",
        "57",
    )
    assert not block.creators.exists()  # "Block Zecca Hong" is not reliably three names
    assert (gilhooly.type, gilhooly.event_title, gilhooly.issued_year) == (
        "speech",
        "USC 4th Annual LDN Conference",
        2008,
    )
    assert [(c.family, c.given) for c in gilhooly.creators.all()] == [("Gilhooly", "Tom")]
    assert [a.kind for r in listed for a in r.attachments.all()] == [
        "full-text",
        "full-text",
        "slides",
    ]

    # Readers see them under the post, and the files download.
    page = client.get(SEED_URL).content.decode()
    references = page[page.index('id="references"') :]
    assert references.index("Morphinan Neuroprotection") < references.index(
        "LDN research on MS in Scotland"
    )
    for reference in listed:
        url = reference.attachments.get().get_absolute_url()
        assert f'<a href="{url}"' in page  # in the body and in the list
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith((b"%PDF", b"\xd0\xcf\x11\xe0"))
    # The old addresses of the files and of an attachment page lead there too.
    morphinan = zhang.attachments.get().get_absolute_url()
    for old in (UPLOADS + "Morphinan-Neuroprotection.pdf", SEED_URL + "morphinan-neuroprotection/"):
        response = client.get(old)
        assert response.status_code == 301 and response["Location"] == morphinan
    response = client.get("/?attachment_id=103")
    assert response["Location"] == gilhooly.attachments.get().get_absolute_url()

    # The imported documents remain the record of origin; their media copies went.
    document = ImportedDocument.objects.get(title="Morphinan Neuroprotection")
    assert document.attachment.reference == zhang and not document.file
    assert document.original_url.endswith(UPLOADS + "Morphinan-Neuroprotection.pdf")
    listing = admin_client.get(reverse("admin:importers_importeddocument_changelist"))
    assert "in the bibliography: zhang2004" in listing.content.decode()
    documents_folder = settings.MEDIA_ROOT / "documents"
    assert documents_folder.is_dir()  # they were stored there on the way
    assert not [p for p in documents_folder.rglob("*") if p.is_file()]


def test_the_bibliography_keeps_what_it_has(import_wxr):
    """The same file, or a reference with the same title and year, is not doubled;
    running the export again changes nothing."""
    ours = Reference.objects.create(key="zhang-morphinans", title="Morphinans (our own entry)")
    services.attach_file(
        reference=ours,
        uploaded=SimpleUploadedFile(
            "morphinan.pdf", (MEDIA / "2010/06/Morphinan-Neuroprotection.pdf").read_bytes()
        ),
    )
    block = Reference.objects.create(
        key="block2007",
        title="Microglia mediated neurotoxicity molecular mechanisms",
        issued_year=2007,
    )
    out, _ = import_wxr("seed.xml", "--media-dir", str(MEDIA))
    assert report_lines(out)["references"] == ["1", "1", "1", "0"]
    seed = Post.objects.get(slug__startswith="low-dose")
    listed = list(PostReference.objects.filter(post=seed).values_list("reference__key", flat=True))
    assert listed == ["zhang-morphinans", "block2007", "gilhooly2008"]
    assert block.attachments.get().original_name == "Microglia-Neurotoxicity.pdf"
    assert Reference.objects.count() == 3 and Attachment.objects.count() == 3

    out, _ = import_wxr("seed.xml", "--media-dir", str(MEDIA))
    assert "references" not in report_lines(out)
    assert PostReference.objects.filter(post=seed).count() == 3


def test_documents_from_an_earlier_import_are_adopted(import_wxr, client):
    """An export imported before documents became references (phase 1)."""
    steps = [step for step in STEPS if step is not DocumentsToReferencesStep]
    Importer(DATA / "seed.xml", Options(media_dir=MEDIA), steps=steps).run()
    document = ImportedDocument.objects.get(title="Morphinan Neuroprotection")
    media_url = document.file.url
    assert media_url in Post.objects.get(slug__startswith="low-dose").body
    assert not Reference.objects.exists()

    out, _ = import_wxr("seed.xml", "--media-dir", str(MEDIA))
    assert report_lines(out)["references"] == ["3", "0", "0", "0"]
    document.refresh_from_db()
    new_url = document.attachment.get_absolute_url()
    body = Post.objects.get(slug__startswith="low-dose").body
    assert media_url not in body and f'href="{new_url}"' in body
    response = client.get(UPLOADS + "Morphinan-Neuroprotection.pdf")
    assert response["Location"] == new_url


def test_a_file_the_bibliography_refuses_stays_an_imported_document(import_wxr, tmp_path):
    media = tmp_path / "uploads"
    shutil.copytree(MEDIA, media)
    (media / "2010/06/Microglia-Neurotoxicity.pdf").write_bytes(b"MZ\x90\x00 not a PDF at all")
    out, _ = import_wxr("seed.xml", "--media-dir", str(media))
    assert report_lines(out)["references"] == ["2", "0", "0", "1"]
    assert "document “Microglia Mediated Neurotoxicity”: not added to the bibliography:" in out
    document = ImportedDocument.objects.get(title="Microglia Mediated Neurotoxicity")
    assert document.attachment is None and document.file
    assert f'href="{document.file.url}"' in Post.objects.get(slug__startswith="low-dose").body
    assert Reference.objects.count() == 2
