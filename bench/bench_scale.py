"""Issue 7: at scale (10,000 posts, 200,000 comments, 5,000 references, 50,000
subscribers, bulk-inserted), the post page, home page, search and a feed keep
their query counts and their uncached median time."""

from django.db import connection

from bench.bulk import seed_bulk
from posts.models import Post


def _counts():
    with connection.cursor() as cursor:
        counts = {}
        for label, table in [
            ("posts", "posts_post"),
            ("comments", "comments_comment"),
            ("references", "references_reference"),
            ("subscribers", "subscriptions_subscriber"),
        ]:
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[label] = cursor.fetchone()[0]
    return counts


def run(bench):
    seconds = seed_bulk()
    counts = ", ".join(f"{n:,} {label}" for label, n in _counts().items())
    print(f"{'bulk seed (SQL)':<52} {seconds:7.1f} s   ({counts})")
    post = Post.objects.get(slug="bulk-post-5000")
    bench.time_get("scale: post page (20 comments, 3 references)", post.get_absolute_url())
    bench.time_get("scale: home page", "/")
    bench.time_get("scale: search (q=naltrexone glia)", "/search/?q=naltrexone+glia")
    bench.time_get("scale: RSS feed of all posts", "/feed/")
    bench.time_get("scale: category archive", "/category/pain/")
    print("targets: under 100 ms median each, the same query counts as the small site")
