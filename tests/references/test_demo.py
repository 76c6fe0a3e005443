"""`load_demo` builds the seed post's bibliography, with real stored sizes."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from posts.models import Post
from references.files import human_size
from references.models import Attachment, Creator, PostReference, Reference

pytestmark = pytest.mark.django_db


def _counts():
    return [m.objects.count() for m in (Reference, Creator, Attachment, PostReference)]


def test_load_demo_creates_the_seeds_twelve_references(client):
    call_command("load_demo", stdout=StringIO())
    first = _counts()
    call_command("load_demo", stdout=StringIO())
    assert _counts() == first == [12, 16, 11, 12]

    zhang = Reference.objects.get(key="zhang2004")
    assert (zhang.container_title_short, zhang.volume, zhang.issue, zhang.page) == (
        "Crit Rev Neurobiol",
        "16",
        "4",
        "271-302",
    )
    assert [c.family for c in zhang.authors] == ["Zhang", "Hong", "Kim"]
    smith = Reference.objects.get(key="smith2007")
    assert (smith.volume, smith.page) == ("", "")  # the seed gives none: none invented
    tlr4 = Reference.objects.get(key="tlr4-naloxone-naltrexone")
    assert tlr4.title.startswith("Non-stereoselective reversal of neuropathic pain by naloxone")
    assert not tlr4.creators.exists() and tlr4.issued_year is None

    post = Post.objects.get()
    html = client.get(post.get_absolute_url()).text
    section = html[html.index('id="references"') :]
    assert len(re.findall(r'<li class="ref" id="ref-\d+"', section)) == 12
    # The seed's two "[reference below]" are citations now: Cree is 1, Smith 2.
    assert "quality of life in MS <sup" in html and "[reference below]" not in html
    assert "Cree B. LDN In MS" in section.split('id="ref-2"')[0]
    for attachment in Attachment.objects.all():
        size = Path(attachment.file.path).stat().st_size
        assert attachment.size == size
        assert f"{attachment.format_label} · {human_size(size)} · " in section
    slides = Attachment.objects.get(reference__key="gilhooly2008scotland")
    assert slides.summary.startswith("PowerPoint · ") and slides.summary.endswith("6 slides")


def test_demo_thumbnails_have_their_size_stored(django_capture_on_commit_callbacks):
    from references.models import Attachment

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=StringIO())
    thumbnails = Attachment.objects.exclude(thumbnail="")
    assert thumbnails.count() >= 8
    assert not thumbnails.filter(thumbnail_width__isnull=True).exists()
