from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from solo.admin import SingletonModelAdmin

from references import citations, services
from references.files import human_size, max_upload_bytes
from references.formats import FileFormatError, detect_format
from references.importing import MERGE, REPORT, import_file
from references.models import (
    Attachment,
    BibliographySettings,
    Creator,
    PostReference,
    Reference,
)
from references.views import export_response


class CreatorInline(admin.TabularInline):
    model = Creator
    extra = 1
    fields = ["position", "family", "given", "literal", "role"]
    verbose_name = _("author or editor")
    verbose_name_plural = _("Authors and editors, in the order of the paper (first author: 1)")


class AttachmentForm(forms.ModelForm):
    class Meta:
        model = Attachment
        fields = ["file", "kind", "is_public", "permission_note", "position"]
        # Not Django's "Currently: <link>" widget: the stored file has no public
        # URL (the storage refuses one), so asking for it failed the whole page.
        # "What the file is" shows it, with its download link (checked view).
        widgets = {"file": forms.FileInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["is_public"].label = _("Public: readers can download it")
        self.fields["file"].help_text = _(
            "PDF, PowerPoint (.pptx, .ppt), Word (.docx, .doc) or an image; at most %s. "
            "The type is checked from the content, not the name."
        ) % human_size(max_upload_bytes())

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded is None or "file" not in self.changed_data:
            return uploaded
        services.describe_attachment(self.instance, uploaded)  # raises ValidationError
        same = Attachment.objects.filter(sha256=self.instance.sha256).exclude(pk=self.instance.pk)
        same = same.select_related("reference").first()
        if same is not None:
            raise ValidationError(
                _("This file is already stored: it is the %(kind)s of “%(reference)s”.")
                % {"kind": same.get_kind_display().lower(), "reference": same.reference},
                code="duplicate",
            )
        return uploaded


class AttachmentFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            digest = getattr(form.instance, "sha256", "")
            if not form.cleaned_data or "file" not in form.changed_data or not digest:
                continue
            if digest in seen:
                form.add_error("file", _("The same file is uploaded twice here."))
            seen.add(digest)


class AttachmentInline(admin.StackedInline):
    model = Attachment
    form = AttachmentForm
    formset = AttachmentFormSet
    extra = 0
    fields = ["file", "kind", "is_public", "permission_note", "position", "details", "preview"]
    readonly_fields = ["details", "preview"]
    verbose_name_plural = _("Files (full text, slides, poster) – private ones are for staff only")

    @admin.display(description=_("what the file is"))
    def details(self, obj):
        if not obj.pk:
            return "—"
        return format_html(
            '<strong>{}</strong> · {} · <a href="{}">download</a><br><small>SHA-256 {}</small>',
            _("Public") if obj.is_public else _("Private: staff only"),
            obj.summary,
            obj.get_absolute_url(),
            obj.sha256,
        )

    @admin.display(description=_("first page"))
    def preview(self, obj):
        if obj.pk and obj.thumbnail:
            return format_html(
                '<img src="{}" alt="" width="120" class="admin-thumbnail">', obj.get_thumbnail_url()
            )
        return _("Made in the background after saving (PDFs and images).")


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = Reference.objects.exclude(issued_year=None).order_by("-issued_year")
        return [(y, y) for y in years.values_list("issued_year", flat=True).distinct()]

    def queryset(self, request, queryset):
        return queryset.filter(issued_year=self.value()) if self.value() else queryset


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("BibTeX (.bib), RIS (.ris), PubMed MEDLINE (.nbib) or CSL-JSON (.json)."),
    )
    text = forms.CharField(
        label=_("Or paste the citation"),
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 8, "class": "vLargeTextField"}),
        help_text=_(
            "For one paper: on PubMed, click “Cite”, then “Download .nbib” and open the file, "
            "or copy the BibTeX from Google Scholar or the journal’s “Cite” or “Export "
            "citation” link, and paste it here."
        ),
    )
    on_duplicate = forms.ChoiceField(
        label=_("A reference already in the bibliography (same DOI or PMID)"),
        choices=[
            (MERGE, _("Merge: fill in what it is missing, keep what you wrote")),
            (REPORT, _("Skip it and tell me")),
        ],
        initial=MERGE,
        widget=forms.RadioSelect,
    )

    def clean(self):
        cleaned = super().clean()
        upload, text = cleaned.get("file"), cleaned.get("text")
        if not upload and not text:
            raise ValidationError(
                _("Choose a file, or paste a citation into the box."), code="nothing"
            )
        if upload and text:
            raise ValidationError(
                _("Choose a file or paste a citation, not both: clear one of them."),
                code="both",
            )
        if text:
            try:
                detect_format("", text)
            except FileFormatError:
                self.add_error(
                    "text",
                    ValidationError(
                        _(
                            "This is not a citation format the site reads. Paste BibTeX "
                            "(starting with @article{ or similar), RIS (starting with "
                            "“TY  -”), PubMed MEDLINE (starting with “PMID-”) or CSL-JSON."
                        ),
                        code="unknown_format",
                    ),
                )
        return cleaned

    def data_and_name(self):
        """The bytes to import and a name for messages."""
        upload = self.cleaned_data["file"]
        if upload:
            return upload.read(), upload.name
        return self.cleaned_data["text"].encode(), _("the pasted citation")


@admin.register(Reference)
class ReferenceAdmin(admin.ModelAdmin):
    list_display = ["key", "title", "first_author", "issued_year", "type", "files", "retracted"]
    list_display_links = ["key", "title"]
    list_filter = ["type", YearFilter, "retracted", "conditions", "tags"]
    search_fields = [
        "key",
        "title",
        "container_title",
        "container_title_short",
        "doi",
        "pmid",
        "pmcid",
        "creators__family",
        "creators__literal",
    ]
    filter_horizontal = ["conditions"]
    readonly_fields = ["created_at", "updated_at", "cite_as"]
    inlines = [CreatorInline, AttachmentInline]
    save_on_top = True
    actions = ["export_ris", "export_bibtex", "export_csl_json"]
    change_list_template = "admin/references/reference/change_list.html"
    fieldsets = [
        (None, {"fields": ["type", "title", "key", "cite_as"]}),
        (
            _("Where it was published or presented"),
            {
                "fields": [
                    "container_title",
                    "container_title_short",
                    ("volume", "issue", "page"),
                    ("issued_year", "issued_month", "issued_day"),
                    ("event_title", "genre"),
                    "event_place",
                    ("publisher", "publisher_place"),
                ]
            },
        ),
        (
            _("Identifiers and links"),
            {"fields": [("doi", "pmid", "pmcid"), "url", "open_access_url"]},
        ),
        (_("Retraction"), {"fields": ["retracted", "retraction_url"]}),
        (_("Conditions and tags"), {"fields": ["conditions", "tags"]}),
        (_("Abstract and notes"), {"fields": ["abstract", "note"]}),
        (_("History"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("creators", "attachments")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None:
            return fieldsets
        (name, options), *rest = fieldsets
        tip = format_html(
            '{} <a href="{}">{}</a>',
            _(
                "Have the paper on PubMed, Zotero or the journal’s site? Paste its citation "
                "(or upload the file) instead of typing it:"
            ),
            reverse("admin:references_reference_import"),
            _("Import references"),
        )
        return [(name, {**options, "description": tip}), *rest]

    def view_on_site(self, obj):
        return obj.get_absolute_url()

    @admin.display(description=_("first author"))
    def first_author(self, obj):
        authors = obj.authors
        return f"{authors[0]}{' et al.' if len(authors) > 1 else ''}" if authors else "—"

    @admin.display(description=_("files"))
    def files(self, obj):
        return len(obj.attachments.all()) or "—"

    @admin.display(description=_("to cite it in a post, type"))
    def cite_as(self, obj):
        if not obj.pk:
            return _("[@key], once saved")
        return format_html("<code>[@{}]</code>", obj.key)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Attachment:
            for deleted in formset.deleted_objects:
                services.attachment_deleted(
                    file_name=deleted.file.name, thumbnail_name=deleted.thumbnail.name or ""
                )
            for inline_form in formset.forms:
                if inline_form.instance.pk and "file" in inline_form.changed_data:
                    services.attachment_saved(attachment=inline_form.instance, file_changed=True)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        reference = form.instance
        if not form.cleaned_data.get("key") and not change:
            # The key was made before the authors were saved: make it from them now.
            reference.key = ""
            reference.key = reference.suggest_key()
            reference.save(update_fields=["key"])

    # Export --------------------------------------------------------------------
    def _export(self, queryset, name):
        # Not the change list's prefetch of files: the writers do not read them.
        references = queryset.prefetch_related(None).for_export().order_by("key")
        return export_response(references, name, "references", private=True)

    @admin.action(description=_("Download the selected references as RIS"))
    def export_ris(self, request, queryset):
        return self._export(queryset, "ris")

    @admin.action(description=_("Download the selected references as BibTeX"))
    def export_bibtex(self, request, queryset):
        return self._export(queryset, "bibtex")

    @admin.action(description=_("Download the selected references as CSL-JSON"))
    def export_csl_json(self, request, queryset):
        return self._export(queryset, "csl-json")

    # Import --------------------------------------------------------------------
    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="references_reference_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = ImportForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            data, name = form.data_and_name()
            try:
                report = import_file(
                    data, str(name), on_duplicate=form.cleaned_data["on_duplicate"]
                )
            except FileFormatError as exc:
                errors = exc.errors
            else:
                self.message_user(request, report.summary(), messages.SUCCESS)
                for line in report.lines():
                    self.message_user(request, line, messages.INFO)
                return redirect("admin:references_reference_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import references"),
            "form": form,
            "errors": errors,
        }
        return TemplateResponse(request, "admin/references/reference/import.html", context)


@admin.register(BibliographySettings)
class BibliographySettingsAdmin(SingletonModelAdmin):
    pass


# Used by posts/admin.py: cite and list references from the post's page ----------


class PostReferenceInline(admin.TabularInline):
    model = PostReference
    extra = 1
    autocomplete_fields = ["reference"]
    fields = ["reference", "position"]
    verbose_name = _("listed reference")
    verbose_name_plural = _(
        "References listed under the post (add the ones you do not cite in the text; "
        "cited ones are listed by themselves)"
    )


CITE_HELP = _(
    "To cite a reference, type its key in square brackets: [@zhang2004], several: "
    "[@zhang2004; @block2007], with a page: [@zhang2004, p. 280], or by PubMed ID or DOI: "
    "[@pmid:15862110], [@doi:10.1177/1352458508095179]. Numbers and the reference list are "
    "made when the post is shown."
)


class CitingPostForm(forms.ModelForm):
    """The post form, checking that PubMed ID and DOI citations resolve."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "body" in self.fields:
            self.fields["body"].help_text = format_html(
                '{} <a href="{}" target="_blank" rel="noopener">{}</a>',
                CITE_HELP,
                reverse("admin:references_reference_changelist"),
                _("Find a reference’s key (opens in a new tab)"),
            )

    def clean_body(self):
        body = self.cleaned_data.get("body", "")
        missing = citations.unresolved_identifiers(body)
        if missing:
            raise ValidationError(
                ngettext(
                    "The citation of %(items)s matches no reference in the bibliography. Add "
                    "the reference first (Bibliography → References → Add, or Import), then "
                    "save the post again.",
                    "The citations of %(items)s match no reference in the bibliography. Add "
                    "the references first (Bibliography → References → Add, or Import), then "
                    "save the post again.",
                    len(missing),
                )
                % {"items": ", ".join(missing)},
                code="unresolved_citation",
            )
        return body


class CitationsAdminMixin:
    """Mix into the post admin: the citing help and checks, the list of what
    the body cites (right under it), and the inline of listed references."""

    form = CitingPostForm

    def get_inlines(self, request, obj):
        return [*super().get_inlines(request, obj), PostReferenceInline]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "cited_references"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = []
        for name, options in super().get_fieldsets(request, obj):
            fields = list(options.get("fields", []))
            if "body" in fields and "cited_references" not in fields:
                fields.insert(fields.index("body") + 1, "cited_references")
            fieldsets.append((name, {**options, "fields": fields}))
        return fieldsets

    @admin.display(description=_("cited in the text"))
    def cited_references(self, obj):
        """Each citation in the saved body, with the reference it leads to, or a
        warning and a link to add the reference when none matches."""
        cites = citations.parse(obj.body if obj is not None else "")
        if not cites:
            return _("No citations yet. Saved citations are checked and listed here.")
        items, seen = [], set()
        for cite in cites:
            for item in cite.items:
                if item.label.lower() not in seen:
                    seen.add(item.label.lower())
                    items.append(item)
        keys, pmids, dois = citations.lookups(cites)
        found = list(Reference.objects.matching(keys=keys, pmids=pmids, dois=dois))
        by_key = {ref.key: ref for ref in found}
        by_pmid = {ref.pmid: ref for ref in found if ref.pmid}
        by_doi = {ref.doi: ref for ref in found if ref.doi}
        add_url = reverse("admin:references_reference_add")
        rows = []
        for item in items:
            ref = by_key.get(item.key) or by_pmid.get(item.pmid) or by_doi.get(item.doi)
            if ref is not None:
                rows.append(
                    format_html(
                        '<li><code>[@{}]</code> → <a href="{}">{}</a></li>',
                        item.label,
                        reverse("admin:references_reference_change", args=[ref.pk]),
                        ref,
                    )
                )
            else:
                rows.append(
                    format_html(
                        '<li class="unknown-citation"><code>[@{}]</code> ⚠ {} '
                        '<a href="{}?key={}">{}</a></li>',
                        item.label,
                        _("No reference has this key: readers see it as typed."),
                        add_url,
                        item.key,
                        _("Add it to the bibliography"),
                    )
                    if item.key
                    else format_html(
                        '<li class="unknown-citation"><code>[@{}]</code> ⚠ {}</li>',
                        item.label,
                        _("No reference matches."),
                    )
                )
        return format_html(
            '<ul class="cited-references">{}</ul>', format_html_join("", "{}", ((r,) for r in rows))
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        unknown = citations.unknown_keys(form.instance.body)
        if unknown:
            self.message_user(
                request,
                _(
                    "These citation keys match no reference yet: %(keys)s. Readers see them "
                    "as typed until you add the references."
                )
                % {"keys": ", ".join(f"[@{key}]" for key in unknown)},
                messages.WARNING,
            )
