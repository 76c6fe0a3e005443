"""Admin actions other apps' admins offer (posts: email a dated update)."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from posts.models import Post
from subscriptions import mailings
from subscriptions.models import Mailing, Subscriber


@admin.action(description=_("Email the latest dated update to subscribers"))
def email_latest_update(modeladmin, request, queryset):
    """Deliberately send a published post's latest dated update as a mailing,
    after a confirmation page showing what goes to how many people. Each
    update is sent at most once."""
    posts = queryset.published().prefetch_related("updates")
    plan, skipped = [], []
    for post in posts:
        update = max(post.updates.all(), key=lambda u: (u.date, u.pk), default=None)
        if update is None:
            skipped.append((post, _("it has no dated update")))
        elif Mailing.objects.filter(kind=Mailing.Kind.UPDATE, update=update).exists():
            skipped.append((post, _("its latest update was emailed already")))
        else:
            plan.append((post, update))
    for post in queryset.exclude(pk__in=[p.pk for p in posts]):
        skipped.append((post, _("it is not published")))

    if request.POST.get("confirm") == "yes" and plan:
        sent = [
            mailing for _post, update in plan if (mailing := mailings.start_update_mailing(update))
        ]
        modeladmin.message_user(
            request,
            ngettext(
                "The update is being emailed to subscribers.",
                "%(count)d updates are being emailed to subscribers.",
                len(sent),
            )
            % {"count": len(sent)},
            messages.SUCCESS,
        )
        return None
    if not plan:
        modeladmin.message_user(
            request,
            _("Nothing to send: ") + "; ".join(f"“{post}”: {reason}" for post, reason in skipped),
            messages.WARNING,
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": Post._meta,
        "title": _("Email an update to subscribers?"),
        "plan": plan,
        "skipped": skipped,
        "queryset": queryset,
        "recipients": Subscriber.objects.for_new_posts().count(),
        "digest_readers": Subscriber.objects.for_digest().count(),
        "action_name": "email_latest_update",
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "subscriptions/admin/email_update_confirm.html", context)
