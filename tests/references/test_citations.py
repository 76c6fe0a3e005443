"""Citing from posts: numbered marks, the reference list, the author's checks."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from references.models import BibliographySettings, PostReference
from tests.factories import PostFactory
from tests.posts.test_admin import _post_form
from tests.references.factories import ReferenceFactory, list_under

pytestmark = pytest.mark.django_db


def _marks(html):
    return re.findall(r'<(?:sup|span) class="cite"[^>]*>(.*?)</(?:sup|span)>', html)


def _text(fragment):
    return re.sub(r"<[^>]+>", "", fragment)


def _entries(html):
    section = html[html.index('id="references"') :]
    return re.findall(r'<li class="ref[^"]*" id="ref-(\d+)" value="\d+">', section), section


@pytest.fixture
def refs():
    return {
        "a": ReferenceFactory(key="zhang2004", title="Morphinan neuroprotection"),
        "b": ReferenceFactory(key="block2007", title="Microglia mediated neurotoxicity"),
        "c": ReferenceFactory(key="gironi2008", title="A pilot trial of LDN", pmid="18728058"),
        "d": ReferenceFactory(key="patel2007", title="LDN for MS", doi="10.1345/APH.1K158"),
        "e": ReferenceFactory(key="cree2010", title="Pilot trial of LDN in MS"),
        "f": ReferenceFactory(key="smith2007", title="LDN improves active Crohn disease"),
    }


def test_marks_are_numbered_by_first_appearance_and_ranges_collapse(client, refs):
    post = PostFactory(
        body="<p>Glia [@block2007]. Morphinans [@zhang2004; @block2007]. "
        "Trials [@pmid:18728058; @doi:10.1345/aph.1k158; @cree2010] again [@zhang2004, p. 280]. "
        "Gironi [@gironi2008]; all four [@cree2010; @block2007; @zhang2004; @gironi2008].</p>"
    )
    list_under(post, refs["f"], refs["a"])  # smith listed only; zhang listed and cited
    html = client.get(post.get_absolute_url()).text

    assert [_text(m) for m in _marks(html)] == [
        "1",  # block
        "1,2",  # zhang, block → sorted, two neighbours are not a range
        "3–5",  # gironi (pmid), patel (doi), cree
        "2(p280)",  # zhang again, with its page (AMA)
        "3",  # gironi again
        "1–3,5",
    ]
    numbers, section = _entries(html)
    assert numbers == ["1", "2", "3", "4", "5", "6"]
    titles = re.findall(r'<span class="ref-citation">(.*?)</span>', section)
    expected = ["Microglia", "Morphinan", "A pilot trial", "LDN for MS", "Pilot trial", "LDN impr"]
    assert [t.split(". ", 1)[1][: len(e)] for t, e in zip(titles, expected, strict=True)] == (
        expected
    )
    # Each mark jumps to its entry and each cited entry leads back to its first mark.
    assert '<a href="#ref-4" aria-label="Reference 4">4</a>' not in html.split("3–5")[0][-200:]
    assert 'href="#ref-3" aria-label="Reference 3">3</a>–<a href="#ref-5"' in html
    assert 'id="cite-1"' in html and 'class="ref-back" href="#cite-1"' in html
    assert 'class="ref-back" href="#cite-2"' in html  # zhang first cited in the 2nd group
    assert "Crohn" in section.split('id="ref-6"')[1]  # listed only: last, with no back link
    assert 'href="#cite-' not in section.split('id="ref-6"')[1].split("</li>")[0]
    body = html[html.index('<div class="prose post-body">') :].split("</div>")[0]
    assert "[@" not in body
    assert '<meta name="description" content="Glia. Morphinans. Trials again.' in html


def test_unknown_keys_warn_staff_and_read_as_plain_text(client, staff_client, refs):
    post = PostFactory(body="<p>Known [@zhang2004], unknown [@nobody1999; @zhang2004].</p>")
    reader = Client().get(post.get_absolute_url())
    assert reader.status_code == 200
    body = reader.text[reader.text.index('<div class="prose post-body">') :].split("</div>")[0]
    assert 'unknown [@nobody1999]<sup class="cite" id="cite-2"><a href="#ref-1"' in body
    assert "cite-unknown" not in reader.text and "Only staff" not in reader.text

    staff = staff_client.get(post.get_absolute_url()).text
    assert '<mark class="cite-unknown">[@nobody1999: not in the bibliography]</mark>' in staff
    assert "Only staff see this" in staff and "<code>[@nobody1999]</code>" in staff
    numbers, _section = _entries(staff)
    assert numbers == ["1"]


def test_no_references_no_section_and_odd_brackets_left_alone(client):
    post = PostFactory(body="<p>Email [me@example.com] and [@ not a key] stay as typed.</p>")
    html = client.get(post.get_absolute_url()).text
    assert 'id="references"' not in html
    assert "[me@example.com]" in html and "[@ not a key]" in html


def test_style_setting_switches_to_nlm(client, refs):
    post = PostFactory(body="<p>See [@zhang2004; @block2007; @cree2010].</p>")
    ama = client.get(post.get_absolute_url()).text
    assert "<sup" in _marks_wrapper(ama) and "Mult Scler</i>. 2008;14:1076-1083" in ama
    settings_row = BibliographySettings.get_solo()
    settings_row.citation_style = BibliographySettings.Style.NLM
    settings_row.save()
    nlm = client.get(post.get_absolute_url()).text
    assert [_text(m) for m in _marks(nlm)] == ["(1–3)"]
    assert "Mult Scler. 2008;14:1076–83." in nlm  # NLM shortens page ranges


def _marks_wrapper(html):
    return re.search(r'<(sup|span) class="cite"', html).group(0)


# --- the author in the admin ---------------------------------------------------------


def test_admin_refuses_pmid_and_doi_citations_that_resolve_to_nothing(staff_client, author, refs):
    body = "<p>See [@pmid:99999999] and [@doi:10.9999/none] and [@pmid:18728058].</p>"
    response = staff_client.post(reverse("admin:posts_post_add"), _post_form(author, body=body))
    assert response.status_code == 200
    errors = str(response.context["adminform"].form.errors["body"])
    assert "PMID 99999999, DOI 10.9999/none match no reference" in errors
    assert "[@pmid:18728058]" not in errors


def test_admin_cites_and_lists_references_from_the_post_page(staff_client, author, refs):
    page = staff_client.get(reverse("admin:posts_post_add")).text
    assert "[@zhang2004; @block2007]" in page  # how to cite, under the editor
    assert "References listed under the post" in page
    data = _post_form(
        author,
        body="<p>Microglia [@doi:10.1345/aph.1k158] and [@typo2004].</p>",
        **{
            "reference_links-TOTAL_FORMS": "1",
            "reference_links-INITIAL_FORMS": "0",
            "reference_links-0-reference": refs["f"].pk,
            "reference_links-0-position": "0",
        },
    )
    response = staff_client.post(reverse("admin:posts_post_add"), data, follow=True)
    assert response.status_code == 200
    assert "These citation keys match no reference yet: [@typo2004]" in response.text
    link = PostReference.objects.get()
    assert link.reference == refs["f"]
    html = staff_client.get(link.post.get_absolute_url()).text
    numbers, section = _entries(html)
    assert numbers == ["1", "2"]
    assert "LDN for MS" in section.split('id="ref-2"')[0]


def test_reference_autocomplete_finds_by_key_author_and_title(staff_client, refs):
    url = reverse("admin:autocomplete")
    params = {"app_label": "posts", "model_name": "post", "field_name": "reference"}
    response = staff_client.get(
        url,
        {
            **params,
            "app_label": "references",
            "model_name": "postreference",
            "field_name": "reference",
            "term": "zhang2004",
        },
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == [
        "zhang2004: Morphinan neuroprotection (2008)"
    ]


@pytest.mark.django_db
def test_citation_marks_never_reach_summaries_or_the_search_index(client):
    from tests.factories import PostFactory
    from tests.references.factories import ReferenceFactory

    ReferenceFactory(key="zhang2004")
    post = PostFactory(
        excerpt="", body="<p>Morphinans calm the glia [@zhang2004, p. 280] in animals.</p>"
    )
    assert "[@" not in post.summary
    assert "calm the glia in animals" in post.summary
    post.refresh_from_db()
    assert "[@" not in post.search_document
    assert "[@" not in client.get("/").text
    assert "zhang2004" not in client.get("/feed/").text


# --- citation keys: what the admin accepts is exactly what a post can cite ---------

KEYS = [
    ("zhang2004", True),
    ("zhang-2004", True),
    ("zhang_2004", True),
    ("ldn:ms", True),
    ("j.smith2004", True),
    ("_draft", True),
    ("smith2004-", True),
    ("a&b", False),  # stored as &amp; in the body: it could never be cited
    ("a#b", False),
    ("a$b", False),
    ("a%b", False),
    ("a+b", False),
    ("a?b", False),
    ("a~b", False),
    ("zhang2004.", False),  # [@zhang2004.] cites zhang2004: the dot ends the sentence
    ("zhang2004:", False),
    ("-zhang", False),
    ("zhang 2004", False),
]


@pytest.mark.parametrize(("key", "citable"), KEYS, ids=[k for k, _c in KEYS])
def test_the_admin_accepts_exactly_the_keys_a_post_can_cite(staff_client, key, citable):
    from tests.references.test_attachments import _reference_form

    response = staff_client.post(
        reverse("admin:references_reference_add"),
        _reference_form(key=key, doi="", title=f"Paper keyed {key}"),
    )
    if not citable:
        assert response.status_code == 200
        assert "Use letters, digits and - _ : . only, with no spaces and no . or : at the end" in (
            response.text
        )
        return
    assert response.status_code == 302, response.context["adminform"].form.errors
    post = PostFactory(body=f"<p>As shown [@{key}] and again [@{key}, p. 3].</p>")
    html = Client().get(post.get_absolute_url()).text
    assert [_text(m) for m in _marks(html)] == ["1", "1(p3)"]
    numbers, section = _entries(html)
    assert numbers == ["1"] and f"Paper keyed {key}" in section


def test_a_key_followed_by_the_sentence_s_punctuation_is_still_cited(client):
    ReferenceFactory(key="zhang2004", title="Morphinan neuroprotection")
    post = PostFactory(body="<p>See [@zhang2004.] and [@zhang2004:]</p>")
    html = client.get(post.get_absolute_url()).text
    assert [_text(m) for m in _marks(html)] == ["1", "1"]


def test_key_validation_and_the_citation_parser_agree_on_every_character():
    import string

    from django.core.exceptions import ValidationError

    from references import citations
    from references.models import Reference

    field = Reference._meta.get_field("key")
    for char in sorted(set(string.printable) - set(string.whitespace) - set("[]<>;@,")):
        for key in (f"ab{char}cd", f"abcd{char}", f"{char}abcd"):
            try:
                field.run_validators(key)
                valid = True
            except ValidationError:
                valid = False
            cites = citations.parse(f"[@{key}]")
            cited = bool(cites) and [i.key for i in cites[0].items] == [key]
            assert valid == cited, key
