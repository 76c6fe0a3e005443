from django import template
from django.db.models import Count, Q
from django.urls import reverse

from comments.models import Comment

register = template.Library()


@register.inclusion_tag("admin/comments/pending_notice.html", takes_context=True)
def pending_comments_notice(context):
    """The moderation queue's size, for the top of the admin's index page."""
    request = context["request"]
    if not request.user.has_perm("comments.view_comment"):
        return {"show": False}
    counts = Comment.objects.aggregate(
        pending=Count("pk", filter=Q(status=Comment.Status.PENDING)),
        spam=Count("pk", filter=Q(status=Comment.Status.SPAM)),
    )
    changelist = reverse("admin:comments_comment_changelist")
    return {
        "show": True,
        "queue_url": f"{changelist}?status__exact=pending",
        "spam_url": f"{changelist}?status__exact=spam",
        **counts,
    }
