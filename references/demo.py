"""Demo content for the bibliography: the seed post's twelve references.

Only what the seed gives is filled in (titles, authors, journals, volumes,
pages and years as it types them); what it does not give stays empty. The
attached files are small generated placeholders that say so: the original
PDFs and slides are not part of the seed. Idempotent: references are matched
by key, files by content (SHA-256)."""

import io
import textwrap

from django.core.files.uploadedfile import SimpleUploadedFile

from posts.demo import SEED_SLUG
from posts.models import Category, Post
from references import services
from references.models import Attachment, Creator, PostReference, Reference

T = Reference.Type
K = Attachment.Kind
CONFERENCE = "USC 4th Annual LDN Conference"

# key, type, title, [(family, given)], container, abbreviation, volume, issue, pages, year,
# extra fields, attachment (kind, "pdf"/"pptx", pages or slides), conditions
REFERENCES = [
    (
        "tlr4-naloxone-naltrexone",
        T.ARTICLE,
        "Non-stereoselective reversal of neuropathic pain by naloxone and naltrexone, "
        "involvement of toll-like receptor 4 (TLR4)",
        [], "", "", "", "", "", None, {}, None, ["pain"],
    ),
    (
        "zhang2004",
        T.ARTICLE,
        "Morphinan Neuroprotection",
        [("Zhang", ""), ("Hong", ""), ("Kim", "")],
        "Critical Reviews in Neurobiology", "Crit Rev Neurobiol", "16", "4", "271-302", 2004,
        {}, (K.FULL_TEXT, "pdf", 4), [],
    ),
    (
        "block2007",
        T.ARTICLE,
        "Microglia Mediated Neurotoxicity Molecular Mechanisms",
        [("Block", ""), ("Zecca", ""), ("Hong", "")],
        "Nature Reviews Neuroscience", "Nat Rev Neurosci", "8", "", "57", 2007,
        {}, (K.FULL_TEXT, "pdf", 3), [],
    ),
    (
        "gilhooly2008peroxynitrites",
        T.TALK,
        "Peroxynitrites in MS",
        [("Gilhooly", "Tom")], "", "", "", "", "", 2008,
        {"event_title": CONFERENCE, "issued_month": 10, "issued_day": 8},
        (K.SLIDES, "pdf", 2), ["multiple-sclerosis"],
    ),
    (
        "gilhooly2008scotland",
        T.TALK,
        "LDN research on MS in Scotland",
        [("Gilhooly", "Tom")], "", "", "", "", "", 2008,
        {"event_title": CONFERENCE, "issued_month": 10, "issued_day": 8},
        (K.SLIDES, "pptx", 6), ["multiple-sclerosis"],
    ),
    (
        "cree2008",
        T.TALK,
        "LDN In MS",
        [("Cree", "Bruce")], "", "", "", "", "", 2008,
        {"genre": "Poster", "publisher": "UCSF"},
        (K.POSTER, "pdf", 1), ["multiple-sclerosis"],
    ),
    (
        "gironi2008",
        T.ARTICLE,
        "A Pilot Trial of LDN in Primary Progressive MS",
        [("Gironi", "")],
        "Multiple Sclerosis", "Mult Scler", "14", "", "1076-1083", 2008,
        {}, (K.FULL_TEXT, "pdf", 3), ["multiple-sclerosis"],
    ),
    (
        "patel2007",
        T.ARTICLE,
        "LDN for Treatment of MS – Clinical Trials Are Needed",
        [("Patel", "")],
        "Annals of Pharmacotherapy", "Ann Pharmacother", "41", "9", "1549", 2007,
        {}, (K.FULL_TEXT, "pdf", 1), ["multiple-sclerosis"],
    ),
    (
        "smith2007",
        T.ARTICLE,
        "LDN Improves Active Crohns Disease",
        [("Smith", "Jill")],
        "American Journal of Gastroenterology", "Am J Gastroenterol", "", "", "", 2007,
        {}, (K.FULL_TEXT, "pdf", 2), ["crohns-disease"],
    ),
    (
        "vojdani2008",
        T.TALK,
        "LDN Immune System Autism & HIV",
        [("Vojdani", "")], "", "", "", "", "", 2008,
        {"event_title": CONFERENCE, "issued_month": 10, "issued_day": 8},
        (K.SLIDES, "pptx", 5), [],
    ),
    (
        "vojdani2008part2",
        T.TALK,
        "LDN Immune System Autism & HIV, Part 2",
        [("Vojdani", "")], "", "", "", "", "", 2008,
        {"event_title": CONFERENCE, "issued_month": 10, "issued_day": 8},
        (K.SLIDES, "pptx", 4), [],
    ),
    (
        "cruciani2003",
        T.ARTICLE,
        "Naltrexone ULD Decreases Side Effects and Potentiates the Effect of Methadone",
        [("Cruciani", ""), ("Arbuck", "")],
        "Journal of Pain and Symptom Management", "J Pain Symptom Manage", "", "", "", 2003,
        {}, (K.FULL_TEXT, "pdf", 2), ["pain"],
    ),
]  # fmt: skip

# The seed twice says "[reference below]": the author's citation, written as one.
INLINE_CITATIONS = [
    ("quality of life in MS [reference below]", "quality of life in MS [@cree2008]"),
    ("at Hershey Medical Center [reference below]", "at Hershey Medical Center [@smith2007]"),
]

PERMISSION = "Placeholder made for the demo; the original file is not part of the seed."


def placeholder_pdf(title: str, pages: int) -> bytes:
    """A small PDF saying what it stands for, one page per ``pages``."""
    from PIL import Image, ImageDraw, ImageFont

    font, small = ImageFont.load_default(size=22), ImageFont.load_default(size=14)
    images = []
    for number in range(1, pages + 1):
        image = Image.new("L", (420, 594), 255)
        draw = ImageDraw.Draw(image)
        y = 60
        for line in textwrap.wrap(title, 30):
            draw.text((36, y), line, fill=0, font=font)
            y += 30
        draw.text((36, y + 20), "Demo placeholder: the original", fill=80, font=small)
        draw.text((36, y + 40), "file is not part of the seed.", fill=80, font=small)
        draw.text((36, 550), f"Page {number} of {pages}", fill=80, font=small)
        images.append(image)
    buffer = io.BytesIO()
    images[0].save(buffer, format="PDF", save_all=True, append_images=images[1:], resolution=72)
    return buffer.getvalue()


def placeholder_pptx(title: str, slides: int) -> bytes:
    from pptx import Presentation

    presentation = Presentation()
    for number in range(1, slides + 1):
        slide = presentation.slides.add_slide(presentation.slide_layouts[1])
        slide.shapes.title.text = title if number == 1 else f"{title} ({number})"
        slide.placeholders[1].text = (
            f"Slide {number} of {slides}. Demo placeholder: the original slides are not "
            "part of the seed."
        )
    presentation.core_properties.title = title
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()


def load(*, stdout, style):
    post = Post.objects.get(slug=SEED_SLUG)
    conditions = {c.slug: c for c in Category.objects.all()}
    stored = 0
    for position, row in enumerate(REFERENCES):
        key, kind, title, authors, container, short, volume, issue, pages, year = row[:10]
        extra, attachment, condition_slugs = row[10:]
        reference, _created = Reference.objects.update_or_create(
            key=key,
            defaults={
                "type": kind,
                "title": title,
                "container_title": container,
                "container_title_short": short,
                "volume": volume,
                "issue": issue,
                "page": pages,
                "issued_year": year,
                **extra,
            },
        )
        reference.creators.all().delete()
        Creator.objects.bulk_create(
            Creator(reference=reference, family=family, given=given, position=i)
            for i, (family, given) in enumerate(authors)
        )
        reference.conditions.set([conditions[s] for s in condition_slugs if s in conditions])
        if attachment and not reference.attachments.filter(kind=attachment[0]).exists():
            file_kind, extension, count = attachment
            data = (placeholder_pdf if extension == "pdf" else placeholder_pptx)(title, count)
            upload = SimpleUploadedFile(f"{key}.{extension}", data)
            _attachment, created = services.attach_file(
                reference=reference, uploaded=upload, kind=file_kind, permission_note=PERMISSION
            )
            stored += created
        PostReference.objects.update_or_create(
            post=post, reference=reference, defaults={"position": position}
        )
    body = post.body
    for before, after in INLINE_CITATIONS:
        body = body.replace(before, after)
    if body != post.body:
        Post.objects.filter(pk=post.pk).update(body=body)
    stdout.write(f"Bibliography: {len(REFERENCES)} references, {stored} new files.")
