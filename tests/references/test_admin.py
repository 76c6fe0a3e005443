"""The bibliography in the admin: adding a paper the quick way, and files."""

import re

import pytest
from django.urls import reverse

from references.models import Reference
from tests.references.factories import ReferenceFactory, attach, pdf_upload, pptx_upload

pytestmark = pytest.mark.django_db

IMPORT = "admin:references_reference_import"
BIBTEX = """@article{gironi2008,
  title = {A pilot trial of low-dose naltrexone in primary progressive multiple sclerosis},
  author = {Gironi, M. and Martinelli-Boneschi, F.},
  journal = {Multiple Sclerosis},
  year = {2008},
  volume = {14},
  pages = {1076--1083},
  doi = {10.1177/1352458508095179}
}
"""


def test_the_add_form_points_to_importing_a_pasted_citation(staff_client):
    page = staff_client.get(reverse("admin:references_reference_add")).text
    assert f'<a href="{reverse(IMPORT)}">Import references</a>' in page
    assert "Paste its citation" in page
    import_page = staff_client.get(reverse(IMPORT)).text
    assert "Or paste the citation" in import_page and "Download .nbib" in import_page


def test_a_pasted_citation_is_imported(staff_client):
    response = staff_client.post(
        reverse(IMPORT), {"text": BIBTEX, "on_duplicate": "merge"}, follow=True
    )
    assert "1 new, 0 merged" in response.text
    gironi = Reference.objects.get()
    assert (gironi.key, gironi.doi, gironi.page) == (
        "gironi2008",
        "10.1177/1352458508095179",
        "1076-1083",
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose a file, or paste a citation into the box."),
        ({"text": "Gironi M. LDN in MS. Mult Scler 2008."}, "This is not a citation format"),
    ],
)
def test_an_empty_or_unreadable_paste_says_what_to_do(staff_client, data, message):
    response = staff_client.post(reverse(IMPORT), {"on_duplicate": "merge", **data})
    assert response.status_code == 200
    assert message in response.text
    assert "Gironi M. LDN in MS." in response.text or not data  # nothing typed is lost
    assert not Reference.objects.exists()


def test_a_reference_with_files_opens_and_says_who_can_download_them(staff_client):
    """The stored files have no public address: the page must not ask for one."""
    reference = ReferenceFactory()
    public = attach(reference, pdf_upload(title="full text"), is_public=True)
    private = attach(reference, pptx_upload(), is_public=False)
    change = reverse("admin:references_reference_change", args=[reference.pk])
    page = staff_client.get(change)
    assert page.status_code == 200
    assert "Public: readers can download it" in page.text
    assert "<strong>Public</strong> · PDF" in page.text
    assert "<strong>Private: staff only</strong> · PowerPoint" in page.text
    for attachment in (public, private):
        assert f'<a href="{attachment.get_absolute_url()}">download</a>' in page.text


@pytest.mark.parametrize(
    ("action", "pattern"),
    [
        ("export_ris", r"^ID  - (.+)$"),
        ("export_bibtex", r"^@\w+\{([^,]+),"),
        ("export_csl_json", r'^    "id": "([^"]+)"'),
    ],
)
def test_export_actions_download_the_selected_references_with_notes(staff_client, action, pattern):
    chosen = ReferenceFactory(key="zhang2004", note="Private: ask the author for the data.")
    chosen.tags.add("microglia")
    ReferenceFactory(key="block2007")
    response = staff_client.post(
        reverse("admin:references_reference_changelist"),
        {"action": action, "_selected_action": [chosen.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="references.')
    text = response.content.decode()
    assert re.findall(pattern, text, re.M) == ["zhang2004"]
    assert "ask the author for the data" in text and "microglia" in text
