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
