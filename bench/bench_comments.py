"""Issue 4: post pages with 20 and 2,000 comments, and posting a comment while
Akismet answers from a local server (tests/servers/akismet.py)."""

from itertools import count

from django.test import override_settings

from comments.akismet import reset_client
from comments.forms import CommentForm
from posts.models import Post
from tests.factories import PostFactory, bulk_comments
from tests.servers.akismet import AkismetServer

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _reset_task_backends():
    """django.tasks keeps its backends; rebuild them after TASKS changes."""
    from asgiref.local import Local
    from django.tasks import task_backends

    task_backends.__dict__.pop("settings", None)
    task_backends._settings = None
    task_backends._connections = Local(False)


def run(bench):
    author = Post.objects.get(slug__startswith="low-dose-naltrexone").author
    small = PostFactory(author=author, title="Bench: 20 comments", slug="bench-20-comments")
    bulk_comments(small, threads=4)
    large = PostFactory(author=author, title="Bench: 2,000 comments", slug="bench-2000-comments")
    bulk_comments(large, threads=400)
    bench.time_get("post page, 20 comments", small.get_absolute_url())
    bench.time_get("post page, 2,000 comments (page 1 of 8)", large.get_absolute_url(), repeat=100)
    bench.time_get(
        "post page, 2,000 comments (?cpage=8)", large.get_absolute_url() + "?cpage=8", repeat=100
    )

    akismet = AkismetServer().start()
    try:
        with override_settings(
            AKISMET_API_KEY=akismet.key,
            AKISMET_API_URL=akismet.url,
            AKISMET_SITE_URL="https://pain.example.org",
            COMMENTS_RATE_LIMIT=1_000_000,
            TASKS=DATABASE_TASKS,
        ):
            reset_client()
            _reset_task_backends()
            form = CommentForm(small)
            numbers = count()

            def post_comment():
                data = {
                    **form.initial,
                    "name": "Bench Reader",
                    "email": "bench@example.com",
                    "url": "",
                    "comment": f"Is a dose of 4.5 mg right for CRPS? ({next(numbers)})",
                    "follow": "replies",
                    "honeypot": "",
                }
                response = bench.client.post("/comments/post/", data, REMOTE_ADDR="192.0.2.10")
                if response.status_code != 302:
                    raise SystemExit(f"posting a comment answered {response.status_code}")

            bench.time_call("post a comment (Akismet on 127.0.0.1, anonymous)", post_comment)
            checks = len(akismet.received("comment-check"))
            print(f"{'':<52} ({checks} comment-check requests answered by the local server)")
    finally:
        akismet.stop()
        reset_client()
        _reset_task_backends()
