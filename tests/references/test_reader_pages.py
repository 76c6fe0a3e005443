"""The bibliography page, a reference's page, and what reference managers read."""

import re
from urllib.parse import parse_qs

import pytest
from django.urls import reverse

from references.models import Reference
from tests.factories import CategoryFactory, PostFactory
from tests.references.factories import ReferenceFactory, attach, list_under, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def bibliography():
    ms = CategoryFactory(name="MS", slug="multiple-sclerosis")
    gironi = ReferenceFactory(
        key="gironi2008",
        title="A pilot trial of low-dose naltrexone in primary progressive multiple sclerosis",
        authors=[("Gironi", "M"), ("Martinelli-Boneschi", "F")],
        doi="10.1177/1352458508095179",
        pmid="18728058",
        issue="8",
        abstract="Naltrexone at low dose was safe and well tolerated.",
    )
    gironi.conditions.add(ms)
    gironi.tags.add("naltrexone")
    talk = ReferenceFactory(
        key="gilhooly2008",
        type=Reference.Type.TALK,
        title="LDN research on MS in Scotland",
        authors=[("Gilhooly", "Tom")],
        container_title="",
        event_title="USC 4th Annual LDN Conference",
        issued_year=2008,
    )
    old = ReferenceFactory(
        key="cruciani2003",
        title="Naltrexone ULD decreases side effects",
        authors=[("Cruciani", "")],
        issued_year=2003,
        retracted=True,
        retraction_url="https://example.org/retraction",
    )
    return {"gironi": gironi, "talk": talk, "old": old, "ms": ms}


def _listed_keys(client, **params):
    html = client.get(reverse("references:list"), params).text
    return re.findall(r'<abbr class="unapi-id" title="ref:([^"]+)"', html)


def test_bibliography_filters_and_search(client, bibliography):
    assert set(_listed_keys(client)) == {"gironi2008", "gilhooly2008", "cruciani2003"}
    assert _listed_keys(client, type="speech") == ["gilhooly2008"]
    assert _listed_keys(client, year="2003") == ["cruciani2003"]
    assert _listed_keys(client, condition="multiple-sclerosis") == ["gironi2008"]
    assert _listed_keys(client, tag="naltrexone") == ["gironi2008"]
    assert _listed_keys(client, q="martinelli") == ["gironi2008"]  # a second author
    assert _listed_keys(client, q="scotland gilhooly") == ["gilhooly2008"]
    assert _listed_keys(client, q="10.1177/1352458508095179") == ["gironi2008"]
    assert _listed_keys(client, q="nothing-like-this") == []
    html = client.get(reverse("references:list"), {"year": "1850"}).text  # not a choice
    assert "Select a valid choice" not in html and "gironi2008" in html
    retracted = client.get(reverse("references:list"), {"year": "2003"}).text
    assert "Retracted." in retracted and 'href="https://example.org/retraction"' in retracted


def test_reference_page_has_citation_abstract_files_and_cited_in(client, bibliography):
    gironi = bibliography["gironi"]
    pdf = attach(gironi, pdf_upload(title="gironi"))
    PostFactory(title="LDN in MS", body="<p>Safe [@pmid:18728058].</p>")
    listing = PostFactory(title="Reading list")
    list_under(listing, gironi)
    draft = PostFactory(
        title="Draft on MS", body="<p>[@gironi2008]</p>", status="draft", published_at=None
    )
    PostFactory(title="Other", body="<p>[@gironi2008b] is another paper.</p>")

    html = client.get(gironi.get_absolute_url()).text
    assert "Gironi M, Martinelli-Boneschi F. A pilot trial" in html
    assert "Naltrexone at low dose was safe" in html
    assert f'href="{pdf.get_absolute_url()}"' in html and "PDF · " in html
    cited_in = html[html.index('id="cited-heading"') :].split("</section>")[0]
    assert sorted(re.findall(r'">([^<]+)</a>', cited_in)) == ["LDN in MS", "Reading list"]
    assert draft.title not in cited_in and "Other" not in cited_in

    meta = dict(re.findall(r'<meta name="(citation_[a-z_]+)" content="([^"]*)"', html))
    assert meta["citation_title"].startswith("A pilot trial of low-dose naltrexone")
    assert meta["citation_doi"] == "10.1177/1352458508095179"
    assert meta["citation_journal_title"] == "Multiple Sclerosis"
    assert (meta["citation_volume"], meta["citation_issue"]) == ("14", "8")
    assert (meta["citation_firstpage"], meta["citation_lastpage"]) == ("1076", "1083")
    assert meta["citation_publication_date"] == "2008"
    assert meta["citation_pdf_url"].endswith(pdf.get_absolute_url())
    assert re.findall(r'<meta name="citation_author" content="([^"]+)"', html) == [
        "Gironi, M",
        "Martinelli-Boneschi, F",
    ]


def test_post_page_carries_coins_for_each_reference(client, bibliography):
    post = PostFactory(body="<p>[@gironi2008]</p>")
    list_under(post, bibliography["talk"])
    html = client.get(post.get_absolute_url()).text
    spans = re.findall(r'<span class="Z3988" title="([^"]+)"></span>', html)
    assert len(spans) == 2
    kev = parse_qs(spans[0].replace("&amp;", "&"))
    assert kev["ctx_ver"] == ["Z39.88-2004"]
    assert kev["rft.atitle"][0].startswith("A pilot trial")
    assert kev["rft.jtitle"] == ["Multiple Sclerosis"]
    assert kev["rft.spage"] == ["1076"] and kev["rft.epage"] == ["1083"]
    assert kev["rft.au"] == ["Gironi, M", "Martinelli-Boneschi, F"]
    assert set(kev["rft_id"]) == {"info:doi/10.1177/1352458508095179", "info:pmid/18728058"}
    assert 'rel="unapi-server"' in html


def test_unapi(client, bibliography):
    url = reverse("references:unapi")
    formats = client.get(url)
    assert formats.status_code == 200 and 'name="ris"' in formats.text
    assert client.get(url, {"id": "ref:gironi2008"}).status_code == 300
    ris = client.get(url, {"id": "ref:gironi2008", "format": "ris"})
    assert ris["Content-Type"].startswith("application/x-research-info-systems")
    assert "DO  - 10.1177/1352458508095179" in ris.text and "AN  - 18728058" in ris.text
    bib = client.get(url, {"id": "ref:gironi2008", "format": "bibtex"}).text
    assert bib.startswith("@article{gironi2008,") and "pmid = {18728058}" in bib
    assert client.get(url, {"id": "ref:nope", "format": "ris"}).status_code == 404
    assert client.get(url, {"id": "ref:gironi2008", "format": "pdf"}).status_code == 406


def test_exports_for_a_reference_a_post_and_everything(client, bibliography):
    one = client.get(reverse("references:export", args=["gironi2008", "json"]))
    assert one["Content-Disposition"] == 'attachment; filename="gironi2008.json"'
    item = one.json()[0]
    assert item["DOI"] == "10.1177/1352458508095179" and item["PMID"] == "18728058"
    assert item["author"][0] == {"family": "Gironi", "given": "M"}
    assert item["issued"] == {"date-parts": [[2008]]}

    post = PostFactory(body="<p>[@gilhooly2008] then [@gironi2008]</p>")
    ris = client.get(reverse("references:export_post", args=[post.pk, "ris"])).text
    assert re.findall(r"^ID  - (.+)$", ris, re.M) == ["gilhooly2008", "gironi2008"]
    assert "T2  - USC 4th Annual LDN Conference" in ris

    everything = client.get(reverse("references:export_all", args=["bib"])).text
    assert sorted(re.findall(r"^@\w+\{([^,]+),", everything, re.M)) == [
        "cruciani2003",
        "gilhooly2008",
        "gironi2008",
    ]
    draft = PostFactory(status="draft", published_at=None)
    assert client.get(reverse("references:export_post", args=[draft.pk, "ris"])).status_code == 404


def _entry(html, key):
    """The list item of one reference (found by its unAPI id)."""
    marker = f'title="ref:{key}"'
    start = html.rindex('<li class="ref', 0, html.index(marker))
    return html[start : html.index("</li>", html.index(marker))]


def test_identifier_and_free_full_text_links(client, bibliography):
    gironi = bibliography["gironi"]
    Reference.objects.filter(pk=gironi.pk).update(
        pmcid="PMC2580723", open_access_url="https://europepmc.org/article/PMC/2580723"
    )
    post = PostFactory(body="<p>Safe [@gironi2008].</p>")
    list_under(post, bibliography["talk"])
    links = {
        "https://doi.org/10.1177/1352458508095179": "DOI",
        "https://pubmed.ncbi.nlm.nih.gov/18728058/": "PubMed",
        "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC2580723/": "PMC",
        "https://europepmc.org/article/PMC/2580723": "Free full text",
    }

    for page in (post.get_absolute_url(), reverse("references:list")):
        html = client.get(page).text
        entry = _entry(html, "gironi2008")
        for url, label in links.items():
            assert re.search(rf'<a href="{re.escape(url)}">{label}\b', entry), (page, url)
        talk = _entry(html, "gilhooly2008")  # no identifiers: no links to nowhere
        assert not any(label in talk for label in ("DOI", "PubMed", "PMC", "Free full text"))

    html = client.get(gironi.get_absolute_url()).text
    found = html[html.index('<p class="ref-links">') :].split("</p>")[0]
    for url, label in links.items():
        assert re.search(rf'<a href="{re.escape(url)}">{label}\b', found), url
    html = client.get(bibliography["talk"].get_absolute_url()).text
    found = html[html.index('<p class="ref-links">') :].split("</p>")[0]
    assert "<a " not in found


def test_private_files_never_reach_reference_managers(
    staff_client, bibliography, django_capture_on_commit_callbacks
):
    from django.test import Client

    gironi = bibliography["gironi"]
    with django_capture_on_commit_callbacks(execute=True):
        private = attach(gironi, pdf_upload(title="private copy"), is_public=False)
    private.refresh_from_db()
    assert private.thumbnail  # made, and kept for staff
    post = PostFactory(body="<p>Safe [@gironi2008].</p>")
    reader = Client()
    hidden = private.get_absolute_url()

    html = reader.get(gironi.get_absolute_url()).text
    assert "citation_pdf_url" not in html
    assert hidden not in html and private.get_thumbnail_url() not in html
    for page in (post.get_absolute_url(), reverse("references:list")):
        html = reader.get(page).text
        coins = re.findall(r'<span class="Z3988" title="([^"]+)"></span>', html)
        assert coins and not any(f"attachments/{private.pk}" in c for c in coins)
        assert hidden not in html
    for fmt in ("ris", "bibtex"):
        text = reader.get(reverse("references:unapi"), {"id": "ref:gironi2008", "format": fmt})
        assert text.status_code == 200 and hidden not in text.text
        assert f"/{private.pk}/" not in text.text

    # The thumbnail of a private file: staff only, never cached on the way.
    assert reader.get(private.get_thumbnail_url()).status_code == 404
    response = staff_client.get(private.get_thumbnail_url())
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]

    # With a public PDF too, that one (and only that one) is offered.
    public = attach(gironi, pdf_upload(title="public copy"), kind="supplement")
    html = reader.get(gironi.get_absolute_url()).text
    meta = re.findall(r'<meta name="citation_pdf_url" content="([^"]*)"', html)
    assert len(meta) == 1 and meta[0].endswith(public.get_absolute_url())
    assert hidden not in html
