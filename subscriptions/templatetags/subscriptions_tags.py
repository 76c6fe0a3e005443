from django import template
from django.db.models import Count, Q

from posts.templatetags.posts_tags import feed_links
from subscriptions import mailings
from subscriptions.forms import SubscribeForm
from subscriptions.models import DigestSchedule, Mailing, Subscriber

register = template.Library()


@register.inclusion_tag("subscriptions/widget.html", takes_context=True)
def subscribe_widget(context):
    """The sidebar's "Subscribe to posts" form and "RSS posts" links."""
    request = context.get("request")
    form = SubscribeForm(
        auto_id="sidebar-%s",
        initial={"form": "sidebar", "page": request.path if request else ""},
    )
    return {
        "form": form,
        "feeds": feed_links(context),
        "show_form": not context.get("hide_subscribe_widget"),
        "site": context.get("site"),
    }


@register.inclusion_tag("subscriptions/admin/dashboard.html")
def subscription_dashboard():
    """Counts for the admin's index page."""
    status, frequency = Subscriber.Status, Subscriber.Frequency
    counts = Subscriber.objects.aggregate(
        immediate=Count("pk", filter=Q(status=status.CONFIRMED, frequency=frequency.IMMEDIATE)),
        weekly=Count("pk", filter=Q(status=status.CONFIRMED, frequency=frequency.WEEKLY)),
        pending=Count("pk", filter=Q(status=status.PENDING)),
        unsubscribed=Count("pk", filter=Q(status=status.UNSUBSCRIBED)),
        bounced=Count("pk", filter=Q(status=status.BOUNCED)),
    )
    counts["confirmed"] = counts["immediate"] + counts["weekly"]
    return {
        "counts": counts,
        "last_mailing": Mailing.objects.exclude(status=Mailing.Status.NOT_SENT)
        .with_counts()
        .order_by("-created_at")
        .first(),
        "stalled": mailings.stalled().count(),
        "schedule": DigestSchedule.objects.filter(pk=1).first(),
    }
