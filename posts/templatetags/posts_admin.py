from django import template
from django.urls import reverse

from posts.models import Post

register = template.Library()


@register.inclusion_tag("admin/posts/writing_dashboard.html", takes_context=True)
def writing_dashboard(context):
    """The top of the admin's index page: write a post, drafts, what is scheduled."""
    request = context["request"]
    user = request.user
    if not user.has_perm("posts.view_post"):
        return {"show": False}
    changelist = reverse("admin:posts_post_changelist")
    return {
        "show": True,
        "can_add": user.has_perm("posts.add_post"),
        "can_add_reference": user.has_perm("references.add_reference"),
        "drafts": Post.objects.drafts().count(),
        "drafts_url": f"{changelist}?state=draft",
        "scheduled": list(Post.objects.scheduled().order_by("published_at")[:5]),
        "scheduled_count": Post.objects.scheduled().count(),
        "scheduled_url": f"{changelist}?state=scheduled",
        "latest": Post.objects.published().order_by("-published_at").first(),
    }
