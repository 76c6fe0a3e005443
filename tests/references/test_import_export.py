"""Import and export: every format round-trips, duplicates are never doubled,
a malformed file changes nothing and says where it failed."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from references.models import Creator, Reference
from tests.factories import CategoryFactory
from tests.references.factories import ReferenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rich_bibliography():
    """References that use every field the formats carry."""
    ms = CategoryFactory(name="MS", slug="multiple-sclerosis")
    gironi = ReferenceFactory(
        key="gironi2008",
        title="A pilot trial of low-dose naltrexone in primary progressive MS: 50% & {more}",
        authors=[("Gironi", "M"), ("Martinelli-Boneschi", "F"), ("van der Berg", "J")],
        issue="8",
        issued_month=9,
        issued_day=23,
        doi="10.1177/1352458508095179",
        pmid="18728058",
        pmcid="PMC1234567",
        abstract="Low-dose naltrexone was safe.",
        url="https://journals.example.org/doi/10.1177/1352458508095179",
        open_access_url="https://pmc.example.org/PMC1234567",
        retracted=True,
        retraction_url="https://example.org/notice",
    )
    gironi.conditions.add(ms)
    gironi.tags.add("naltrexone", "multiple sclerosis")
    ReferenceFactory(
        key="vojdani2008",
        type=Reference.Type.TALK,
        genre="Slides",
        title="LDN Immune System Autism & HIV",
        authors=[("Vojdani", "")],
        container_title="",
        container_title_short="",
        volume="",
        page="",
        event_title="USC 4th Annual LDN Conference",
        event_place="Los Angeles, CA",
        issued_month=10,
        issued_day=8,
    )
    chapter = ReferenceFactory(
        key="moore2009",
        type=Reference.Type.CHAPTER,
        title="How naltrexone works",
        authors=[("Moore", "Elaine A")],
        container_title="The Promise of Low Dose Naltrexone Therapy",
        container_title_short="",
        volume="",
        page="12-30",
        publisher="McFarland",
        publisher_place="Jefferson, NC",
        issued_year=2009,
    )
    Creator.objects.create(reference=chapter, role="editor", family="Wilkinson", given="S")
    ReferenceFactory(
        key="who2008",
        type=Reference.Type.REPORT,
        title="Cancer pain relief",
        authors=[],
        container_title="",
        container_title_short="",
        volume="",
        page="",
        publisher="WHO",
    ).creators.create(literal="World Health Organization")
    return Reference.objects.all()


def _export_json(client):
    return client.get(reverse("references:export_all", args=["json"])).json()


@pytest.mark.parametrize("fmt", ["json", "ris", "bib"])
def test_export_then_import_changes_nothing(client, rich_bibliography, tmp_path, fmt):
    before = _export_json(client)
    exported = client.get(reverse("references:export_all", args=[fmt])).content
    path = tmp_path / f"bibliography.{fmt}"
    path.write_bytes(exported)

    # Into the same bibliography: everything matches, nothing changes.
    out = StringIO()
    call_command("import_references", str(path), stdout=out)
    assert "0 new, 0 merged into existing references, 4 already in the bibliography" in (
        out.getvalue()
    )
    assert _export_json(client) == before

    # Into an empty one: the same bibliography comes back.
    Reference.objects.all().delete()
    call_command("import_references", str(path), stdout=StringIO())
    assert _export_json(client) == before


def test_duplicates_are_merged_or_reported_never_doubled(client, tmp_path):
    ReferenceFactory(key="gironi2008", doi="10.1177/1352458508095179", abstract="")
    path = tmp_path / "pubmed.ris"
    path.write_text(
        "TY  - JOUR\nTI  - Another title\nAU  - Gironi, Maira\nDO  - 10.1177/1352458508095179\n"
        "AB  - Low-dose naltrexone was safe.\nPY  - 2008\nER  - \n\n"
        "TY  - JOUR\nTI  - Same paper again in the file\nDO  - 10.1177/1352458508095179\n"
        "ER  - \n\n"
        "TY  - JOUR\nTI  - A new paper\nAU  - Patel, A\nPY  - 2007\nAN  - 17848516\nER  - \n"
    )
    out = StringIO()
    call_command("import_references", str(path), "--on-duplicate=report", stdout=out)
    assert "record 1 (line 1) is already in the bibliography as gironi2008 (same DOI)" in (
        out.getvalue()
    )
    assert "record 2 (line 9) is already in the bibliography as gironi2008" in out.getvalue()
    assert Reference.objects.get(key="gironi2008").abstract == ""
    assert Reference.objects.get(pmid="17848516").key == "patel2007"

    out = StringIO()
    call_command("import_references", str(path), stdout=out)
    assert "Merged into gironi2008 (same DOI): filled abstract." in out.getvalue()
    gironi = Reference.objects.get(key="gironi2008")
    assert gironi.abstract == "Low-dose naltrexone was safe."
    assert gironi.title.startswith("Low dose naltrexone study")  # the author's value kept
    assert Reference.objects.count() == 2


MALFORMED = [
    (
        "broken.bib",
        "@article{ok2008,\n  title = {Fine},\n  year = {2008}\n}\n\n"
        "@article{bad2009,\n  title = {Unclosed,\n  year = 2009\n",
        "line 6",
    ),
    (
        "broken.ris",
        "TY  - JOUR\nTI  - Fine\nER  - \n\nTY  - JOUR\nTI  - No end\nPY  - 2009\n",
        "line 5: the record is not closed",
    ),
    (
        "garbage.ris",
        "TY  - JOUR\nTI  - Fine\nER  - \nthis is not RIS\nTY  - JOUR\nTI  - x\nER  - \n",
        "line 4: expected a tag",
    ),
    ("broken.json", '[{"id": "ok", "title": "Fine"},\n {"id": "bad", "title": }]', "line 2"),
    (
        "bad-values.json",
        '[{"id": "ok", "title": "Fine"}, {"id": "bad", "title": "Bad", "PMID": "abc"}]',
        "item 2 (bad): pmid: A PubMed ID is a number.",
    ),
    (
        "reserved-key.json",
        '[{"id": "ok", "title": "Fine"}, {"id": "export", "title": "Bad"}]',
        "item 2 (export): key: This key is used by the site itself.",
    ),
    (
        "broken.nbib",
        "PMID- 1\nTI  - Fine\n\nPMID- 2\nAU  - Nobody\n",
        "record 2 (line 4): no title",
    ),
]


@pytest.mark.parametrize(("name", "text", "where"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_files_change_nothing_and_say_where(tmp_path, name, text, where):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(CommandError) as error:
        call_command("import_references", str(path), stdout=StringIO())
    assert where in str(error.value)
    assert "nothing changed" in str(error.value)
    assert not Reference.objects.exists()


NBIB = """PMID- 15862110
OWN - NLM
TI  - Morphinan neuroprotection: new insight into the therapy of
      neurodegeneration.
PG  - 271-302
VI  - 16
IP  - 4
DP  - 2004
AB  - Morphinans are neuroprotective.
FAU - Zhang, Wei
AU  - Zhang W
FAU - Hong, Jau-Shyong
AU  - Hong JS
TA  - Crit Rev Neurobiol
JT  - Critical reviews in neurobiology
AID - 10.1615/CritRevNeurobiol.v16.i4.20 [doi]
SO  - Crit Rev Neurobiol. 2004;16(4):271-302.
"""


def test_admin_imports_a_pubmed_file(staff_client):
    page = staff_client.get(reverse("admin:references_reference_changelist")).text
    assert reverse("admin:references_reference_import") in page
    upload = SimpleUploadedFile("pubmed-zhang.nbib", NBIB.encode())
    response = staff_client.post(
        reverse("admin:references_reference_import"),
        {"file": upload, "on_duplicate": "merge"},
        follow=True,
    )
    assert "1 new, 0 merged" in response.text
    zhang = Reference.objects.get()
    assert zhang.key == "zhang2004"
    assert (
        zhang.title
        == "Morphinan neuroprotection: new insight into the therapy of neurodegeneration"
    )
    assert (zhang.container_title_short, zhang.volume, zhang.issue, zhang.page) == (
        "Crit Rev Neurobiol",
        "16",
        "4",
        "271-302",
    )
    assert zhang.doi == "10.1615/critrevneurobiol.v16.i4.20" and zhang.pmid == "15862110"
    assert [str(c) for c in zhang.authors] == ["Zhang, Wei", "Hong, Jau-Shyong"]


def test_admin_import_shows_the_failing_record(staff_client):
    upload = SimpleUploadedFile("broken.ris", MALFORMED[1][1].encode())
    response = staff_client.post(
        reverse("admin:references_reference_import"), {"file": upload, "on_duplicate": "merge"}
    )
    assert response.status_code == 200
    assert "The file was not imported" in response.text
    assert "line 5: the record is not closed" in response.text
    assert not Reference.objects.exists()


NOTES = {
    "gironi2008": "Asked Dr Gironi for the full text, 3 May 2009.\n\nPermission: 50% & {more}.",
    "moore2009": "Library copy.",
    "who2008": "",
}


@pytest.mark.parametrize(
    ("fmt", "extension"), [("csl-json", "json"), ("ris", "ris"), ("bibtex", "bib")]
)
def test_export_command_keeps_private_notes_through_a_round_trip(
    client, rich_bibliography, tmp_path, fmt, extension
):
    for key, note in NOTES.items():
        Reference.objects.filter(key=key).update(note=note)
    path = tmp_path / f"bibliography.{extension}"
    call_command("export_references", f"--format={fmt}", "-o", str(path), stdout=StringIO())
    exported = path.read_text()
    assert "Asked Dr Gironi" in exported
    # The site's own export, for readers, leaves them out.
    site = client.get(reverse("references:export_all", args=[extension])).text
    assert "Asked Dr Gironi" not in site and "Library copy" not in site
    before = _export_json(client)

    Reference.objects.all().delete()
    call_command("import_references", str(path), f"--format={fmt}", stdout=StringIO())
    assert dict(Reference.objects.values_list("key", "note")) == {**NOTES, "vojdani2008": ""}
    assert _export_json(client) == before


def test_ris_as_other_reference_managers_write_it(tmp_path):
    """Several notes, editors as ED, a URL with a semicolon, a value over two lines."""
    path = tmp_path / "zotero.ris"
    path.write_text(
        "TY  - CHAP\r\nTI  - How naltrexone\r\n  works\r\nAU  - Moore, Elaine A\r\n"
        "ED  - Wilkinson, Samantha\r\nBT  - The Promise of Low Dose Naltrexone Therapy\r\n"
        "UR  - https://example.org/book;jsessionid=1\r\nN1  - First note\r\n"
        "N1  - Second note\r\nPY  - 2009\r\nER  - \r\n"
    )
    call_command("import_references", str(path), stdout=StringIO())
    chapter = Reference.objects.get()
    assert chapter.title == "How naltrexone works"
    assert chapter.container_title == "The Promise of Low Dose Naltrexone Therapy"
    assert chapter.url == "https://example.org/book;jsessionid=1"
    assert chapter.note == "First note\nSecond note"
    assert [(c.role, str(c)) for c in chapter.creators.all()] == [
        ("author", "Moore, Elaine A"),
        ("editor", "Wilkinson, Samantha"),
    ]


def _conflicting_import():
    """Two good records, then one that matches gironi2008 by DOI and would give
    it the PMID that patel2007 has: it fails once the first two are stored."""
    ReferenceFactory(key="gironi2008", doi="10.1177/1352458508095179", abstract="")
    ReferenceFactory(key="patel2007", pmid="17848516")
    return (
        b'[{"id": "good1", "title": "A first good paper"},\n'
        b' {"id": "good2", "title": "A second good paper", "PMID": "11111111"},\n'
        b' {"id": "bad", "title": "Gironi again", "DOI": "10.1177/1352458508095179",\n'
        b'  "PMID": "17848516", "abstract": "Would be filled in."}]\n'
    )


def _nothing_from_the_file_stored():
    assert sorted(Reference.objects.values_list("key", flat=True)) == ["gironi2008", "patel2007"]
    gironi = Reference.objects.get(key="gironi2008")
    assert (gironi.pmid, gironi.abstract) == ("", "")


def test_a_record_failing_inside_the_transaction_leaves_nothing_command(tmp_path):
    path = tmp_path / "conflict.json"
    path.write_bytes(_conflicting_import())
    with pytest.raises(CommandError) as error:
        call_command("import_references", str(path), stdout=StringIO())
    assert "conflict.json was not imported; nothing changed" in str(error.value)
    assert "item 3 (bad): Another reference already has this PMID." in str(error.value)
    _nothing_from_the_file_stored()


def test_a_record_failing_inside_the_transaction_leaves_nothing_admin(staff_client):
    upload = SimpleUploadedFile("conflict.json", _conflicting_import())
    response = staff_client.post(
        reverse("admin:references_reference_import"), {"file": upload, "on_duplicate": "merge"}
    )
    assert response.status_code == 200
    assert "The file was not imported" in response.text
    assert "item 3 (bad): Another reference already has this PMID." in response.text
    _nothing_from_the_file_stored()


def test_a_made_up_key_is_never_one_the_site_keeps(tmp_path):
    path = tmp_path / "untitled.json"
    path.write_text('[{"title": "Export controls on opioid analgesics"}]')
    call_command("import_references", str(path), stdout=StringIO())
    reference = Reference.objects.get()
    assert reference.key == "exportb"
    assert reference.get_absolute_url().endswith("/exportb/")
