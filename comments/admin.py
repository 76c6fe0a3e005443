"""The moderation queue: the author's everyday tool for comments."""

from django.contrib import admin, messages
from django.db.models import Count, Exists, OuterRef
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from solo.admin import SingletonModelAdmin

from comments import services
from comments.forms import AdminCommentForm, MoveForm
from comments.models import Comment, CommentSettings
from comments.text import excerpt

Status = Comment.Status


class StatusFilter(admin.SimpleListFilter):
    """Pending / spam / approved, with how many of each."""

    title = _("status")
    parameter_name = "status__exact"

    def lookups(self, request, model_admin):
        counts = dict(Comment.objects.values_list("status").annotate(n=Count("pk")).order_by())
        order = [Status.PENDING, Status.SPAM, Status.PUBLISHED, Status.UNCONFIRMED]
        return [(value, f"{Status(value).label} ({counts.get(value, 0)})") for value in order]

    def queryset(self, request, queryset):
        if self.value() in Status.values:
            return queryset.filter(status=self.value())
        return queryset


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    form = AdminCommentForm
    list_display = [
        "commenter",
        "text_excerpt",
        "reply_link",
        "status",
        "why_held",
        "post_link",
        "submit_date",
    ]
    list_display_links = ["text_excerpt"]
    list_filter = [StatusFilter, "akismet", ("post", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["post"]
    list_per_page = 50
    search_fields = ["user_name", "user_email", "comment", "post__title"]
    date_hierarchy = "submit_date"
    ordering = ["-submit_date"]
    actions = [
        "approve",
        "mark_spam",
        "mark_not_spam",
        "move_to_post",
        "anonymise_keep_text",
        "erase_commenters",
    ]
    readonly_fields = [
        "post_link",
        "in_reply_to",
        "submit_date",
        "status_reason",
        "akismet",
        "ip_address",
        "user_agent",
        "referrer",
        "confirmed_at",
        "follow",
        "moderator_edited_at",
    ]
    fieldsets = [
        (
            None,
            {"fields": ["post_link", "in_reply_to", "comment", "status", "status_reason"]},
        ),
        (
            _("Reply"),
            {"fields": ["author_reply"], "classes": ["author-reply"]},
        ),
        (
            _("Commenter (the email address is never shown on the site)"),
            {"fields": ["user_name", "user_email", "user_url", "follow", "confirmed_at"]},
        ),
        (
            _("Where it came from (sent to Akismet with spam reports)"),
            {
                "fields": [
                    "submit_date",
                    "akismet",
                    "ip_address",
                    "user_agent",
                    "referrer",
                    "moderator_edited_at",
                ],
                "classes": ["collapse"],
            },
        ),
    ]

    def has_add_permission(self, request):
        return False  # comments come from readers; reply to one to write your own

    def get_queryset(self, request):
        staff_replies = Comment.objects.filter(
            parent_id=OuterRef("pk"), user__is_staff=True
        ).exclude(pk=OuterRef("pk"))
        return super().get_queryset(request).annotate(has_staff_reply=Exists(staff_replies))

    # --- Columns ---------------------------------------------------------------

    @admin.display(description=_("commenter"), ordering="user_name")
    def commenter(self, obj):
        badge = " ★" if obj.user_id and obj.user_id == obj.post.author_id else ""
        return format_html("{}{}<br><small>{}</small>", obj.display_name, badge, obj.user_email)

    @admin.display(description=_("comment"))
    def text_excerpt(self, obj):
        if obj.is_removed:
            return _("(removed)")
        return excerpt(obj.comment, 120)

    @admin.display(description=_("reply"))
    def reply_link(self, obj):
        """Opens the comment at its reply box; the reply is public at once."""
        if obj.is_removed or obj.status == Status.SPAM:
            return ""
        url = reverse("admin:comments_comment_change", args=[obj.pk]) + "#id_author_reply"
        replied = getattr(obj, "has_staff_reply", False)
        return format_html(
            '<a href="{}">{}</a>{}',
            url,
            _("Reply again") if replied else _("Reply"),
            format_html("<br><small>{}</small>", _("answered")) if replied else "",
        )

    @admin.display(description=_("post"), ordering="post__title")
    def post_link(self, obj):
        title = Truncator(obj.post.title).words(8)
        return format_html('<a href="{}">{}</a>', obj.post.get_absolute_url(), title)

    @admin.display(description=_("in reply to"))
    def in_reply_to(self, obj):
        if not obj.is_reply:
            return "—"
        parent = Comment.objects.filter(pk=obj.parent_id).first()
        if parent is None:
            return "—"
        url = reverse("admin:comments_comment_change", args=[parent.pk])
        return format_html('<a href="{}">{}</a>', url, str(parent))

    @admin.display(description=_("why held"))
    def why_held(self, obj):
        return obj.hold_reason if obj.status != Status.PUBLISHED else ""

    @admin.display(description=_("why it was held"))
    def status_reason(self, obj):
        return obj.hold_reason or "—"

    # --- Editing ---------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        old_status = form.initial.get("status", obj.status)
        new_status = obj.status
        obj.status = old_status  # status changes go through the service below
        if change and "comment" in form.changed_data:
            obj.moderator_edited_at = timezone.now()
        obj.save()
        if new_status != old_status:
            services.set_status(
                [obj],
                new_status,
                by=request.user,
                report=Status.SPAM in (old_status, new_status),
            )
        reply = form.cleaned_data.get("author_reply", "").strip()
        if reply:
            services.author_reply(parent=obj, user=request.user, text=reply)
            obj.refresh_from_db()
            self.message_user(request, _("Your reply is published."), messages.SUCCESS)

    def delete_model(self, request, obj):
        post_id = obj.post_id
        super().delete_model(request, obj)
        services.refresh_comment_count(post_id)

    def delete_queryset(self, request, queryset):
        post_ids = set(queryset.values_list("post_id", flat=True))
        super().delete_queryset(request, queryset)
        for post_id in post_ids:
            services.refresh_comment_count(post_id)

    def changelist_view(self, request, extra_context=None):
        pending = Comment.objects.pending().count()
        extra_context = {
            "title": ngettext(
                "Comments: %(count)d awaiting moderation",
                "Comments: %(count)d awaiting moderation",
                pending,
            )
            % {"count": pending},
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    # --- Actions ---------------------------------------------------------------

    def _done(self, request, message):
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=_("Approve the selected comments"))
    def approve(self, request, queryset):
        count = services.set_status(list(queryset), Status.PUBLISHED, by=request.user)
        self._done(
            request,
            ngettext("%(count)d comment approved.", "%(count)d comments approved.", count)
            % {"count": count},
        )

    @admin.action(description=_("Mark as spam (and tell Akismet)"))
    def mark_spam(self, request, queryset):
        comments = list(queryset)
        services.set_status(comments, Status.SPAM, by=request.user, report=True)
        self._done(
            request,
            ngettext(
                "%(count)d comment marked as spam and reported.",
                "%(count)d comments marked as spam and reported.",
                len(comments),
            )
            % {"count": len(comments)},
        )

    @admin.action(description=_("Not spam: approve (and tell Akismet)"))
    def mark_not_spam(self, request, queryset):
        comments = list(queryset)
        services.set_status(comments, Status.PUBLISHED, by=request.user, report=True)
        self._done(
            request,
            ngettext(
                "%(count)d comment approved and reported as not spam.",
                "%(count)d comments approved and reported as not spam.",
                len(comments),
            )
            % {"count": len(comments)},
        )

    @admin.action(description=_("Move to another post (with their replies)"))
    def move_to_post(self, request, queryset):
        form = MoveForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            target = form.cleaned_data["post"]
            moved = 0
            # Move the roots first; a reply selected with its parent moves with it.
            for comment in queryset.order_by("level", "submit_date"):
                comment.refresh_from_db()
                if comment.post_id != target.pk:
                    moved += services.move_comment(comment, target)
            # The title goes in as a value: a "%" in it is text, not a format.
            self._done(
                request,
                ngettext(
                    "%(count)d comment moved to “%(post)s”.",
                    "%(count)d comments moved to “%(post)s”.",
                    moved,
                )
                % {"count": moved, "post": target},
            )
            return None
        return self._intermediate(
            request,
            queryset,
            title=_("Move comments to another post"),
            action="move_to_post",
            form=form,
            intro=_(
                "The selected comments and every reply under them move to the post you choose."
            ),
        )

    @admin.action(description=_("Anonymise the commenters (keep their text)"))
    def anonymise_keep_text(self, request, queryset):
        return self._commenter_action(request, queryset, remove_text=False)

    @admin.action(description=_("Erase the commenters' comments (remove name, email, IP and text)"))
    def erase_commenters(self, request, queryset):
        return self._commenter_action(request, queryset, remove_text=True)

    def _commenter_action(self, request, queryset, *, remove_text):
        emails = sorted({c.user_email for c in queryset if c.user_email})
        action = "erase_commenters" if remove_text else "anonymise_keep_text"
        if "apply" in request.POST:
            if remove_text:
                count = sum(services.erase(email) for email in emails)
            else:
                count = services.anonymise(emails, remove_text=False)
            if remove_text:
                done = ngettext("%(count)d comment erased.", "%(count)d comments erased.", count)
            else:
                done = ngettext(
                    "%(count)d comment anonymised.", "%(count)d comments anonymised.", count
                )
            self._done(request, done % {"count": count})
            return None
        affected = Comment.objects.none()
        for email in emails:
            affected |= Comment.objects.by_email(email)
        return self._intermediate(
            request,
            queryset,
            title=_("Erase these commenters' comments?")
            if remove_text
            else _("Anonymise these commenters?"),
            action=action,
            intro=(
                _(
                    "Every comment from these addresses loses its name, email, IP address, "
                    "browser and text. Comments nobody answered are deleted; the others stay "
                    "as “This comment was removed.”"
                )
                if remove_text
                else _(
                    "Every comment from these addresses is shown as “Anonymous”; the email, "
                    "IP address, browser and website are dropped. The text stays."
                )
            ),
            emails=emails,
            affected=affected.distinct().count(),
        )

    def _intermediate(self, request, queryset, *, title, action, intro, form=None, **extra):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "action": action,
            "form": form,
            "queryset": queryset,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            **extra,
        }
        return TemplateResponse(request, "admin/comments/comment/action_confirm.html", context)


@admin.register(CommentSettings)
class CommentSettingsAdmin(SingletonModelAdmin):
    fieldsets = [
        (None, {"fields": ["notice"]}),
        (
            _("Moderation"),
            {
                "fields": [
                    "hold_first_time",
                    "close_after_days",
                    "notify_post_authors",
                    "muted_authors",
                ]
            },
        ),
        (
            _("Blocklists: matching comments are held for you to check"),
            {"fields": ["blocked_words", "blocked_emails", "blocked_ips"]},
        ),
    ]
