from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, prefetch_related_objects
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView
from taggit.models import Tag, TaggedItem

from core.sites import absolute_url
from posts.models import Category, Post
from references import citations
from references.files import GIF, JPEG, PDF, PNG, WEBP
from references.formats import WRITERS
from references.formatting import format_references
from references.metadata import highwire, public_pdf
from references.models import Attachment, BibliographySettings, Reference

FORMATS = {"ris": "ris", "bib": "bibtex", "json": "csl-json"}
INLINE_TYPES = {PDF, JPEG, PNG, GIF, WEBP}
PER_PAGE = 50


class BibliographyMixin:
    """What the bibliography's pages share: the references with their authors
    and files, and the site's citation style."""

    def get_queryset(self):
        return Reference.objects.with_details()

    def get_context_data(self, **kwargs):
        return super().get_context_data(style=BibliographySettings.current_style(), **kwargs)


class ReferenceFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=200)
    type = forms.ChoiceField(label=gettext_lazy("Type"), required=False)
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), required=False, coerce=int)
    condition = forms.ChoiceField(label=gettext_lazy("Condition"), required=False)
    tag = forms.ChoiceField(label=gettext_lazy("Tag"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        self.fields["type"].choices = anything + list(Reference.Type.choices)
        years = Reference.objects.exclude(issued_year=None).order_by("-issued_year")
        self.fields["year"].choices = anything + [
            (y, y) for y in years.values_list("issued_year", flat=True).distinct()
        ]
        used = Category.objects.filter(references__isnull=False).distinct().order_by("name")
        self.fields["condition"].choices = anything + [(c.slug, c.name) for c in used]
        tags = Tag.objects.filter(
            taggit_taggeditem_items__content_type__model="reference",
            taggit_taggeditem_items__content_type__app_label="references",
        )
        self.fields["tag"].choices = anything + [
            (t.slug, t.name) for t in tags.distinct().order_by("name")
        ]

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["type"]:
            queryset = queryset.filter(type=data["type"])
        if data["year"]:
            queryset = queryset.filter(issued_year=data["year"])
        if data["condition"]:
            queryset = queryset.filter(conditions__slug=data["condition"])
        if data["tag"]:
            tagged = TaggedItem.objects.filter(
                content_type=ContentType.objects.get_for_model(Reference), tag__slug=data["tag"]
            )
            queryset = queryset.filter(pk__in=tagged.values("object_id"))
        for word in data["q"].split()[:10]:
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(container_title__icontains=word)
                | Q(container_title_short__icontains=word)
                | Q(event_title__icontains=word)
                | Q(abstract__icontains=word)
                | Q(key__iexact=word)
                | Q(doi__iexact=word.lower())
                | Q(pmid=word)
                | Q(pk__in=Reference.objects.filter(creators__family__icontains=word).values("pk"))
                | Q(pk__in=Reference.objects.filter(creators__literal__icontains=word).values("pk"))
            )
        return queryset.distinct()

    @property
    def active(self):
        return self.is_valid() and any(self.cleaned_data.values())


class ReferenceListView(BibliographyMixin, ListView):
    template_name = "references/reference_list.html"
    paginate_by = PER_PAGE
    context_object_name = "references"

    def get_queryset(self):
        self.form = ReferenceFilterForm(self.request.GET or None)
        return self.form.filter(super().get_queryset())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            form=self.form, total=Reference.objects.count(), **kwargs
        )
        format_references(context["references"], context["style"])
        return context


class ReferenceDetailView(BibliographyMixin, DetailView):
    template_name = "references/reference_detail.html"
    context_object_name = "reference"
    slug_field = "key"
    slug_url_kwarg = "key"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("tags", "conditions")

    def get_context_data(self, **kwargs):
        reference = self.object
        pdf = public_pdf(reference)
        pdf_url = absolute_url(pdf.get_absolute_url()) if pdf else ""
        return super().get_context_data(
            cited_in=citations.citing_posts(reference, user=self.request.user),
            attachments=reference.visible_attachments(self.request.user),
            highwire=highwire(reference, pdf_url=pdf_url),
            **kwargs,
        )


def _visible_attachment(request, pk):
    attachment = (
        Attachment.objects.visible_to(request.user)
        .select_related("reference")
        .filter(pk=pk)
        .first()
    )
    if attachment is None:
        raise Http404(_("No such file."))
    return attachment


def _protect(response, attachment):
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = (
        "public, max-age=86400" if attachment.is_public else "private, no-store"
    )
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@require_GET
def attachment_download(request, pk, filename):
    """A reference's file, for whoever may have it (private files: staff only).
    The type sent is the one sniffed from the content at upload."""
    attachment = _visible_attachment(request, pk)
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.mime_type,
        as_attachment=attachment.mime_type not in INLINE_TYPES,
        filename=attachment.download_name,
    )
    return _protect(response, attachment)


@require_GET
def attachment_thumbnail(request, pk):
    attachment = _visible_attachment(request, pk)
    if not attachment.thumbnail:
        raise Http404(_("No thumbnail yet."))
    response = FileResponse(attachment.thumbnail.open("rb"), content_type="image/png")
    return _protect(response, attachment)


def export_response(references, format_name, filename, *, private=False):
    """``references`` (``for_export()``) as a download in ``format_name``
    (a key of WRITERS); the admin's export actions use it too."""
    writer, content_type, extension = WRITERS[format_name]
    response = HttpResponse(
        writer(references, private=private), content_type=f"{content_type}; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
    return response


def _export(references, fmt, filename):
    return export_response(references, FORMATS[fmt], filename)


@require_GET
def export_all(request, fmt):
    return _export(Reference.objects.for_export().order_by("key"), fmt, "bibliography")


@require_GET
def export_reference(request, key, fmt):
    reference = get_object_or_404(Reference.objects.for_export(), key=key)
    return _export([reference], fmt, reference.key)


@require_GET
def export_post(request, pk, fmt):
    """A post's references, in the order of its reference list."""
    post = get_object_or_404(Post.objects.visible_to(request.user), pk=pk)
    references = [entry.reference for entry in citations.build(post, staff=False, style="").entries]
    prefetch_related_objects(references, "tags", "conditions")  # creators: build has them
    return _export(references, fmt, f"{post.slug}-references")


UNAPI_FORMATS = {
    "ris": (
        "application/x-research-info-systems",
        "https://en.wikipedia.org/wiki/RIS_(file_format)",
    ),
    "bibtex": ("application/x-bibtex", "https://www.bibtex.org/Format/"),
}


@require_GET
def unapi(request):
    """unAPI 1.0: ``?id=ref:<key>&format=ris|bibtex``. Without a format it
    lists the formats (for an id: with status 300)."""
    identifier, fmt = request.GET.get("id", ""), request.GET.get("format", "")
    reference = None
    if identifier:
        key = identifier.removeprefix("ref:")
        reference = Reference.objects.for_export().filter(key=key).first()
        if reference is None:
            return HttpResponse(_("No such item."), status=404, content_type="text/plain")
    if not fmt:
        formats = "".join(
            f'<format name="{name}" type="{mime}" docs="{docs}"/>'
            for name, (mime, docs) in UNAPI_FORMATS.items()
        )
        id_attr = f' id="ref:{escape(reference.key)}"' if reference else ""
        body = f'<?xml version="1.0" encoding="UTF-8"?>\n<formats{id_attr}>{formats}</formats>\n'
        return HttpResponse(body, content_type="application/xml", status=300 if reference else 200)
    if fmt not in UNAPI_FORMATS:
        return HttpResponse(_("Unknown format."), status=406, content_type="text/plain")
    if reference is None:
        return HttpResponse(_("Give an id."), status=400, content_type="text/plain")
    return _export([reference], "ris" if fmt == "ris" else "bib", reference.key)
