"""Issue 2: the post page and the home page, rendered through the test client."""

from datetime import timedelta

from django.utils import timezone

from posts.models import Post


def run(bench):
    seed = Post.objects.get(slug__startswith="low-dose-naltrexone")
    author = seed.author
    # A home page with a full first page of posts, as on a real blog.
    for i in range(12):
        post = Post.objects.create(
            title=f"Bench post {i}",
            slug=f"bench-post-{i}",
            author=author,
            body="<p>" + "Microglia and naltrexone. " * 80 + "</p>",
            status=Post.Status.PUBLISHED,
            published_at=timezone.now() - timedelta(days=i + 1),
        )
        post.categories.set(seed.categories.all())
        post.tags.set(["bench", "glia"])
        post.reindex()
    bench.time_get("post page (seed post, uncached)", seed.get_absolute_url())
    bench.time_get("home page (10 posts, uncached)", "/")
    bench.time_get("search page (q=naltrexone microglia)", "/search/?q=naltrexone+microglia")
