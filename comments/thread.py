"""A post's thread as readers see it, in a constant number of queries.

Query 1 reads the outline of every approved comment (ids and thread fields
only) to count what is visible and to page the top-level threads. Query 2 reads
the comments of the threads on the requested page. A reply is visible when its
parent is: a reply under a held or spam comment stays out of sight.
"""

import math
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import dateformat, timezone

from comments.models import Comment


@dataclass
class Outline:
    visible: set[int]
    threads: list[int]  # top-level comment ids, in order
    count: int  # visible comments, removed ones not counted

    @property
    def per_page(self) -> int:
        return settings.COMMENTS_PER_PAGE or max(len(self.threads), 1)

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(len(self.threads) / self.per_page))

    def page_of(self, thread_id: int) -> int | None:
        try:
            return self.threads.index(thread_id) // self.per_page + 1
        except ValueError:
            return None

    def threads_on(self, page: int) -> list[int]:
        start = (page - 1) * self.per_page
        return self.threads[start : start + self.per_page]


def outline(post) -> Outline:
    rows = (
        Comment.objects.published()
        .filter(post=post)
        .order_by("thread_id", "order")
        .values_list("pk", "parent_id", "is_removed")
    )
    visible, threads, count = set(), [], 0
    for pk, parent_id, is_removed in rows:
        if parent_id == pk:
            threads.append(pk)
        elif parent_id not in visible:
            continue
        visible.add(pk)
        count += not is_removed
    return Outline(visible=visible, threads=threads, count=count)


@dataclass
class Item:
    """One comment in document order, with what the template must open or
    close, and the strings it shows (worked out once, here, not in the loop)."""

    comment: Comment
    depth: int
    has_children: bool = False
    closes: range = field(default_factory=lambda: range(0))
    anchor: str = ""  # "comment-<id>"
    url: str = ""  # permalink on this page
    reply_url: str = ""  # the no-JavaScript reply link, "" when replies are closed
    by_author: bool = False
    when: str = ""
    when_iso: str = ""


THREAD_FIELDS = [
    "pk",
    "thread_id",
    "parent_id",
    "level",
    "order",
    "user_id",
    "user_name",
    "user_url",
    "submit_date",
    "is_removed",
    "comment_html",
    "moderator_edited_at",
    "post_id",
]


def page_items(post, out: Outline, page: int, *, can_reply: bool = True) -> list[Item]:
    """The comments of the threads on ``page``, flattened depth-first."""
    thread_ids = out.threads_on(page)
    if not thread_ids:
        return []
    comments = [
        comment
        for comment in Comment.objects.published()
        .filter(post=post, thread_id__in=thread_ids)
        .order_by("thread_id", "order")
        .only(*THREAD_FIELDS)
        if comment.pk in out.visible
    ]
    # Depth from the parent actually shown, so the markup always nests correctly.
    depths: dict[int, int] = {}
    for comment in comments:
        depths[comment.pk] = 0 if comment.parent_id == comment.pk else depths[comment.parent_id] + 1
    page_query = f"?cpage={page}" if page > 1 else ""
    post_url = post.get_absolute_url()
    deepest = settings.COMMENTS_MAX_DEPTH - 1
    items = []
    for comment in comments:
        anchor = f"comment-{comment.pk}"
        depth = depths[comment.pk]
        submitted = timezone.localtime(comment.submit_date)
        reply = can_reply and depth < deepest and not comment.is_removed
        items.append(
            Item(
                comment=comment,
                depth=depth,
                anchor=anchor,
                url=f"{post_url}{page_query}#{anchor}",
                reply_url=(
                    f"?{page_query[1:]}{'&' if page_query else ''}replytocom={comment.pk}#respond"
                    if reply
                    else ""
                ),
                by_author=comment.user_id is not None and comment.user_id == post.author_id,
                when=dateformat.format(submitted, r"F j, Y \a\t g:i a"),
                when_iso=submitted.isoformat(),
            )
        )
    for index, item in enumerate(items):
        following = items[index + 1].depth if index + 1 < len(items) else 0
        item.has_children = following > item.depth
        if not item.has_children:
            item.closes = range(item.depth - following)
    return items
