"""Demo content for comments: the seed post's thread ("Responses"), with its
real nesting, names and texts in the seed's order, dated after the post.

The author's comments belong to the author's account, so they carry the badge.
Idempotent: each comment is found again by its post, name and date.
"""

import json
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model

from comments.models import Comment
from comments.services import refresh_comment_count
from posts import demo as posts_demo
from posts.models import Post

THREAD = Path(__file__).resolve().parent / "demo_content" / "thread.json"


def _demo_email(name: str) -> str:
    """Placeholder addresses: the seed does not give its commenters' emails."""
    return re.sub(r"[^a-z0-9]+", ".", name.lower()).strip(".") + "@example.org"


def load(*, stdout, style):
    post = Post.objects.get(slug=posts_demo.SEED_SLUG)
    author = get_user_model().objects.get(username=posts_demo.AUTHOR_USERNAME)
    tz = ZoneInfo(settings.TIME_ZONE)
    created_pks: list[int] = []
    new = 0
    for entry in json.loads(THREAD.read_text()):
        submitted = datetime.fromisoformat(entry["date"]).replace(tzinfo=tz)
        parent_pk = created_pks[entry["parent"]] if entry["parent"] is not None else 0
        comment = Comment.objects.filter(
            post=post, user_name=entry["name"], submit_date=submitted
        ).first()
        if comment is None:
            comment = Comment(post=post, user_name=entry["name"], submit_date=submitted)
            comment.parent_id = parent_pk
            new += 1
        comment.user = author if entry["author"] else None
        comment.user_email = author.email if entry["author"] else _demo_email(entry["name"])
        comment.comment = entry["text"]
        comment.status = Comment.Status.PUBLISHED
        comment.confirmed_at = submitted
        comment.author_notified_at = comment.followers_notified_at = submitted
        comment.save()
        created_pks.append(comment.pk)
    refresh_comment_count(post.pk)
    stdout.write(f"Seed thread: {len(created_pks)} comments ({new} new).")
