from django import template

from comments.forms import CommentForm
from comments.moderation import comments_open
from comments.services import comment_settings
from comments.thread import outline, page_items

register = template.Library()


def _positive_int(value, default=None):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if number > 0 else default


@register.inclusion_tag("comments/section.html", takes_context=True)
def comment_section(context, post):
    """The "N Responses" thread of a post page, its pages, and the form.

    Three queries whatever the number of comments: the settings row, the
    outline of the thread, and the comments of the page shown."""
    request = context["request"]
    options = comment_settings()
    out = outline(post)
    page = min(_positive_int(request.GET.get("cpage"), 1), out.num_pages)
    is_open = comments_open(post, options)
    items = page_items(post, out, page, can_reply=is_open)
    reply_to = _positive_int(request.GET.get("replytocom"))
    replying_to = next((i.comment for i in items if i.comment.pk == reply_to), None)
    form = None
    if is_open:
        form = CommentForm(
            post,
            user=request.user,
            initial={"reply_to": replying_to.pk if replying_to else 0},
        )
    return {
        "post": post,
        "request": request,
        "user": context.get("user"),
        "options": options,
        "count": out.count,
        "items": items,
        "page": page,
        "num_pages": out.num_pages,
        "pages": range(1, out.num_pages + 1),
        "is_open": is_open,
        "form": form,
        "replying_to": replying_to,
    }
