import csv
import json

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from subscriptions import mailings, services
from subscriptions.forms import ImportForm
from subscriptions.imports import import_csv
from subscriptions.models import Delivery, Mailing, Subscriber

CSV_COLUMNS = [
    ("email", "email"),
    ("status", "status"),
    ("receives", "frequency"),
    ("source", "source"),
    ("subscribed", "consent_at"),
    ("ip", "consent_ip"),
    ("confirmed", "confirmed_at"),
    ("unsubscribed", "unsubscribed_at"),
    ("bounced", "bounced_at"),
]


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "status", "frequency", "confirmed_at", "source", "consent_at"]
    list_filter = ["status", "frequency", "confirmed_at"]
    search_fields = ["email", "source"]
    actions = ["export_csv", "export_records", "mark_bounced", "unsubscribe"]
    change_list_template = "subscriptions/admin/subscriber_change_list.html"
    readonly_fields = [
        "status",
        "source",
        "consent_at",
        "consent_ip",
        "confirmed_at",
        "unsubscribed_at",
        "bounced_at",
        "bounce_reason",
        "created_at",
        "emails_sent",
    ]
    fieldsets = [
        (None, {"fields": ["email", "status", "frequency"]}),
        (
            _("Consent record"),
            {"fields": ["source", "consent_at", "consent_ip", "confirmed_at", "created_at"]},
        ),
        (
            _("Leaving and bounces"),
            {"fields": ["unsubscribed_at", "bounced_at", "bounce_reason"]},
        ),
        (_("Emails"), {"fields": ["emails_sent"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "fields": ["email", "frequency"],
                "description": _(
                    "They get an email asking them to confirm; nothing else is sent to "
                    "them until they do."
                ),
            },
        ),
    ]

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [*self.readonly_fields, "email"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        services.request_subscription(
            email=obj.email,
            frequency=obj.frequency,
            source=f"Added by {request.user.get_username()} in the writing desk",
            ip=None,
        )
        saved = Subscriber.objects.with_email(obj.email).get()
        obj.pk, obj.status, obj._state.adding = saved.pk, saved.status, False
        return None

    @admin.display(description=_("emails"))
    def emails_sent(self, obj):
        counts = obj.deliveries.aggregate(
            sent=Count("pk", filter=Q(status=Delivery.Status.SENT)),
            failed=Count("pk", filter=Q(status=Delivery.Status.FAILED)),
        )
        url = (
            reverse("admin:subscriptions_delivery_changelist") + f"?subscriber__id__exact={obj.pk}"
        )
        return format_html(
            '{} sent, {} failed · <a href="{}">see each one</a>',
            counts["sent"],
            counts["failed"],
            url,
        )

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="subscriptions_subscriber_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionError
        report = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            report = import_csv(
                upload.read(),
                source=f"Imported from {upload.name}",
                dry_run=form.cleaned_data["dry_run"],
            )
            if not report.dry_run and not report.error:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d subscriber imported.",
                        "%(count)d subscribers imported.",
                        len(report.imported),
                    )
                    % {"count": len(report.imported)},
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import subscribers from a CSV file"),
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "subscriptions/admin/import.html", context)

    @admin.action(description=_("Download the selected subscribers as CSV"))
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="subscribers-{stamp}.csv"'
        writer = csv.writer(response)
        writer.writerow([label for label, _field in CSV_COLUMNS])
        for subscriber in queryset.order_by("pk").iterator():
            row = []
            for _label, field in CSV_COLUMNS:
                value = getattr(subscriber, field)
                row.append(value.isoformat() if hasattr(value, "isoformat") else value or "")
            writer.writerow(row)
        return response

    @admin.action(description=_("Download everything stored about the selected (JSON)"))
    def export_records(self, request, queryset):
        data = [services.export_record(subscriber) for subscriber in queryset.order_by("pk")]
        response = HttpResponse(
            json.dumps(data, indent=2, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="subscriber-records.json"'
        return response

    @admin.action(description=_("Mark as hard bounces (the address does not work)"))
    def mark_bounced(self, request, queryset):
        count = services.mark_bounced(queryset)
        self.message_user(
            request,
            ngettext(
                "%d address marked as bounced: nothing more is sent to it.",
                "%d addresses marked as bounced: nothing more is sent to them.",
                count,
            )
            % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Unsubscribe the selected"))
    def unsubscribe(self, request, queryset):
        count = 0
        for subscriber in queryset.exclude(status=Subscriber.Status.UNSUBSCRIBED):
            services.unsubscribe(subscriber)
            count += 1
        self.message_user(
            request,
            ngettext("%d subscriber unsubscribed.", "%d subscribers unsubscribed.", count) % count,
            messages.SUCCESS,
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log: looked at, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Mailing)
class MailingAdmin(ReadOnlyAdmin):
    list_display = [
        "subject",
        "kind",
        "post",
        "created_at",
        "status",
        "recipients",
        "sent",
        "failed",
        "interrupted",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["subject", "post__title"]
    list_select_related = ["post"]
    date_hierarchy = "created_at"
    actions = ["resume"]
    fields = [
        "kind",
        "subject",
        "post",
        "update",
        "period_start",
        "period_end",
        "status",
        "attempt",
        "created_at",
        "heartbeat_at",
        "next_attempt_at",
        "finished_at",
        "summary",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts()

    @admin.display(description=_("recipients"), ordering="recipient_count")
    def recipients(self, obj):
        return obj.recipient_count

    @admin.display(description=_("sent"), ordering="sent_count")
    def sent(self, obj):
        return obj.sent_count

    @admin.display(description=_("failed"), ordering="failed_count")
    def failed(self, obj):
        return obj.failed_count

    @admin.display(description=_("interrupted"), ordering="unknown_count")
    def interrupted(self, obj):
        return obj.unknown_count

    @admin.display(description=_("recipients"))
    def summary(self, obj):
        url = reverse("admin:subscriptions_delivery_changelist") + f"?mailing__id__exact={obj.pk}"
        return format_html(
            "Recipients: {} · sent {} · failed {} · interrupted {} · waiting {} · skipped {} · "
            '<a href="{}">see each recipient</a>',
            obj.recipient_count,
            obj.sent_count,
            obj.failed_count,
            obj.unknown_count,
            obj.pending_count + obj.claimed_count,
            obj.skipped_count,
            url,
        )

    @admin.action(description=_("Resume the selected mailings if they are stuck"))
    def resume(self, request, queryset):
        stuck = mailings.stalled().filter(pk__in=queryset.values("pk"))
        for mailing in stuck:
            mailings.watch(mailing_id=mailing.pk)
        self.message_user(
            request,
            ngettext("%d mailing resumed.", "%d mailings resumed.", len(stuck)) % len(stuck)
            if stuck
            else _("None of the selected mailings is stuck."),
            messages.SUCCESS,
        )


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["subscriber", "mailing", "status", "attempts", "sent_at", "reason"]
    list_filter = ["status", "mailing__kind"]
    search_fields = ["subscriber__email", "mailing__subject"]
    list_select_related = ["subscriber", "mailing"]
    actions = ["mark_bounced"]
    fields = ["mailing", "subscriber", "status", "attempts", "attempted_at", "sent_at", "reason"]
    readonly_fields = fields

    @admin.action(description=_("Mark these recipients as hard bounces"))
    def mark_bounced(self, request, queryset):
        subscribers = Subscriber.objects.filter(pk__in=queryset.values("subscriber"))
        reasons = dict(queryset.values_list("subscriber", "reason"))
        count = 0
        for subscriber in subscribers:
            count += services.mark_bounced(
                Subscriber.objects.filter(pk=subscriber.pk),
                reason=reasons.get(subscriber.pk) or "Marked as a hard bounce by the author",
            )
        self.message_user(
            request,
            ngettext("%d address marked as bounced.", "%d addresses marked as bounced.", count)
            % count,
            messages.SUCCESS,
        )
