from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from importers import services
from importers.models import DocumentLink, ImportedDocument, ImportedPing, ImportRun
from importers.report import Report


class ImportRunForm(forms.ModelForm):
    class Meta:
        model = ImportRun
        fields = ["file", "dry_run", "allow_hosts", "skip_pings"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].required = True
        self.fields["file"].widget.attrs["accept"] = ".xml,text/xml,application/xml"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() != ".xml":
            raise forms.ValidationError(
                _("Choose the .xml file that WordPress's Tools → Export downloaded.")
            )
        if upload.size > settings.IMPORTERS_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than the import limit."))
        return upload

    def clean_allow_hosts(self):
        hosts = self.cleaned_data["allow_hosts"].replace(",", " ").lower().split()
        for host in hosts:
            if "/" in host or ":" in host:
                raise forms.ValidationError(
                    _("Give host names only, such as “example.files.wordpress.com”.")
                )
        return " ".join(hosts)


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    form = ImportRunForm
    list_display = ["__str__", "status", "summary", "started_by", "created_at"]
    list_filter = ["status", "dry_run"]
    fieldsets = [
        (
            None,
            {
                "fields": ["file", "dry_run", "allow_hosts", "skip_pings"],
                "description": _(
                    "Upload the export of your WordPress blog. Start with a trial run: it "
                    "shows what would be imported and any problem, without changing "
                    "anything. Images and documents are fetched from the blog's own "
                    "address; running the same file again changes nothing."
                ),
            },
        )
    ]

    def get_urls(self):
        return [
            path(
                "<int:pk>/for-real/",
                self.admin_site.admin_view(self.for_real_view),
                name="importers_importrun_for_real",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("result"))
    def summary(self, obj):
        if obj.status == ImportRun.Status.FAILED:
            return obj.error[:120]
        if obj.status != ImportRun.Status.DONE:
            return f"{obj.percent}%"
        report = Report.from_dict(obj.report)
        short = {
            "attachment": _("files"),
            "page": _("pages"),
            "post": _("posts"),
            "reference": _("references"),
            "comment": _("comments"),
        }
        parts = [
            f"{counts['imported'] + counts['updated']} {short[kind]}"
            for kind, _label, counts in report.rows()
            if kind in short and counts["imported"] + counts["updated"]
        ]
        problems = len(report.problems)
        text = "; ".join(str(part) for part in parts) or str(_("nothing new"))
        return text + (f" · {problems} problem(s)" if problems else "")

    def save_model(self, request, obj, form, change):
        if change:
            return
        obj.file_name = Path(form.cleaned_data["file"].name).name[:300]
        obj.started_by = request.user
        obj.source = "admin"
        super().save_model(request, obj, form, change)
        services.enqueue(obj)

    def response_add(self, request, obj, post_url_continue=None):
        return HttpResponseRedirect(obj.get_absolute_url())

    def has_change_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = get_object_or_404(ImportRun, pk=object_id)
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        report = Report.from_dict(run.report) if run.report else None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(run),
            "run": run,
            "report": report,
            "refresh": not run.is_finished,
            "can_import_for_real": run.dry_run
            and run.status == ImportRun.Status.DONE
            and bool(run.file)
            and run.file.storage.exists(run.file.name)
            and self.has_add_permission(request),
        }
        return TemplateResponse(request, "admin/importers/importrun/report.html", context)

    def for_real_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        run = get_object_or_404(ImportRun, pk=pk, dry_run=True, status=ImportRun.Status.DONE)
        if not self.has_add_permission(request):
            raise PermissionDenied
        new = services.repeat_for_real(run, user=request.user)
        messages.success(request, _("The import has started. This page follows its progress."))
        return HttpResponseRedirect(new.get_absolute_url())

    def delete_model(self, request, obj):
        name = obj.file.name
        super().delete_model(request, obj)
        if name and not ImportRun.objects.filter(file=name).exists():
            obj.file.storage.delete(name)


class DocumentLinkInline(admin.TabularInline):
    model = DocumentLink
    fields = ["post", "page", "text"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ImportedDocument)
class ImportedDocumentAdmin(admin.ModelAdmin):
    """Files attached in WordPress. Those posts link to that the bibliography
    takes are references now; the rest (or those only pages link to) stay here."""

    list_display = ["__str__", "where", "size", "parent_post", "imported_at"]
    list_filter = [("attachment", admin.EmptyFieldListFilter)]
    list_select_related = ["attachment__reference", "parent_post"]
    search_fields = ["title", "description", "links__text", "original_url"]
    readonly_fields = ["original_url", "size", "imported_at", "in_bibliography"]
    fields = [
        "title",
        "file",
        "in_bibliography",
        "description",
        "parent_post",
        "original_url",
        "size",
        "imported_at",
    ]
    raw_id_fields = ["parent_post"]
    inlines = [DocumentLinkInline]

    @admin.display(description=_("where the file is"))
    def where(self, obj):
        if obj.attachment_id:
            return format_html("{} {}", _("in the bibliography:"), obj.attachment.reference.key)
        return obj.file.name or _("(no file)")

    @admin.display(description=_("in the bibliography as"))
    def in_bibliography(self, obj):
        if not obj.attachment_id:
            return _("Not in the bibliography: the file is served from the media folder.")
        reference = obj.attachment.reference
        url = reverse("admin:references_reference_change", args=[reference.pk])
        return format_html('<a href="{}">{}</a> ({})', url, reference, obj.attachment)


@admin.register(ImportedPing)
class ImportedPingAdmin(admin.ModelAdmin):
    """Pingbacks and trackbacks the WordPress blog received: a record, read only."""

    list_display = ["received_at", "source", "post", "kind", "state"]
    list_filter = ["kind", "state"]
    list_select_related = ["post"]
    search_fields = ["source_title", "source_url", "excerpt", "post__title"]
    date_hierarchy = "received_at"
    readonly_fields = [
        "post",
        "kind",
        "state",
        "source_title",
        "source_url",
        "excerpt",
        "ip_address",
        "received_at",
    ]
    fields = readonly_fields

    @admin.display(description=_("from"), ordering="source_title")
    def source(self, obj):
        if obj.source_url.startswith(("http://", "https://")):
            return format_html(
                '<a href="{}" rel="noopener noreferrer nofollow">{}</a>',
                obj.source_url,
                obj.source_title or obj.source_url,
            )
        return obj.source_title

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
