"""WordPress's query-string addresses on the site root: ``/?p=123``,
``/?page_id=``, ``/?attachment_id=``, ``/?cat=``, ``/?tag=``, ``/?author=``,
``/?replytocom=5`` (a comment; imported comments keep their WordPress numbers
where they can, and the mapping finds the others) and ``/?p=123&cpage=2``.

posts' home view asks (through the ``posts.signals.legacy_query`` signal)
whether a query names something imported; this answers with its new address.
"""

from django.db.models import Subquery
from django.urls import reverse

from comments.models import Comment
from importers.models import WordPressItem
from posts.models import Page, Post

# query parameter -> the kinds of imported item it can name
QUERY_KINDS = {
    "p": ["post", "page", "attachment"],
    "page_id": ["page"],
    "attachment_id": ["attachment"],
    "cat": ["category"],
}


def redirect_for_query(sender, query, **kwargs):
    """The new address for a WordPress query, or None."""
    reply_to = query.get("replytocom", "").strip()
    if reply_to.isdigit() and (found := _comment_url(reply_to)):
        return found
    for name, kinds in QUERY_KINDS.items():
        value = query.get(name, "").strip()
        if value.isdigit():
            found = _url_of(WordPressItem.objects.filter(kind__in=kinds, wp_id=value))
            page = query.get("cpage", "").strip()
            if found and name == "p" and page.isdigit() and int(page) > 1:
                found += f"?cpage={int(page)}"
            return found
    tag = query.get("tag", "").strip()
    if tag:
        return _url_of(WordPressItem.objects.filter(kind="tag", data__slug=tag))
    author = query.get("author", "").strip()
    if author.isdigit():
        return _url_of(WordPressItem.objects.filter(kind="author", data__wp_id=author))
    return None


def _comment_url(wp_id):
    """The comment's place on its post's page, for a published comment.

    One query: the latest mapping's comment, with its post (a "comment"
    mapping always names a Comment)."""
    latest = (
        WordPressItem.objects.filter(kind="comment", wp_id=wp_id)
        .order_by("-updated_at")
        .values("object_id")[:1]
    )
    comment = (
        Comment.objects.filter(pk=Subquery(latest), status=Comment.Status.PUBLISHED)
        .select_related("post")
        .first()
    )
    if comment is None or not _is_public(comment.post):
        return None  # a held comment, or a draft's, stays as hidden as it was
    return comment.get_absolute_url()  # /comments/<id>/ finds its page of the thread


def _url_of(mappings):
    for mapping in mappings.select_related("content_type").order_by("-updated_at")[:5]:
        target = mapping.target
        if target is None:
            continue
        if mapping.kind == "tag":
            return reverse("posts:tag", kwargs={"slug": target.slug})
        if mapping.kind == "author":
            return reverse("posts:author", kwargs={"username": target.get_username()})
        if not _is_public(target):
            return None  # a draft or scheduled post stays as hidden as it was in WordPress
        return target.get_absolute_url()
    return None


def _is_public(target) -> bool:
    """Whether readers may see an imported post or page (media always)."""
    if isinstance(target, Post):
        return target.is_published  # not a draft, nor scheduled for later
    if isinstance(target, Page):
        return target.status == Page.Status.PUBLISHED
    return True
