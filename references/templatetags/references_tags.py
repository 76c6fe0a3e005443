from django import template

from core import pagecache
from references import citations
from references.formatting import format_reference
from references.metadata import coins
from references.models import BibliographySettings

register = template.Library()


@register.simple_tag(takes_context=True)
def post_bibliography(context, post):
    """The post's body with numbered citation marks, and its reference list:
    ``{% post_bibliography post as bibliography %}``."""
    request = context.get("request")
    user = getattr(request, "user", None)
    staff = bool(user and user.is_staff)
    style = BibliographySettings.current_style()
    # Kept until a post or a reference changes (both invalidate the generation).
    return pagecache.fragment(
        f"bibliography:{post.pk}:{post.updated_at.timestamp()}:{style}:{staff}",
        lambda: citations.build(post, staff=staff, style=style),
    )


@register.filter
def formatted(reference, style):
    """The reference in the citation style, as HTML."""
    return format_reference(reference, style)


@register.filter
def coins_title(reference):
    return coins(reference)


@register.filter
def visible_attachments(reference, user):
    return reference.visible_attachments(user)
