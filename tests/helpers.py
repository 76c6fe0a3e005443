"""Helpers for tests (import them; fixtures live in conftest.py)."""

import re

from django.core.management import call_command

# What the post page costs, whatever the number of tags, categories, updates,
# references, attachments or comments: the post with its categories, tags and
# updates (4), site settings, menu pages, sidebar categories and months (4),
# its references with their authors and files (3), comment settings, the
# thread outline and one page of comments (3).
POST_PAGE_QUERIES = 14


def run_worker(max_tasks: int | None = None) -> None:
    """Process every task that is due now (the real `manage.py db_worker --batch`).

    The worker closes database connections as it goes, so tests that call this
    use ``@pytest.mark.django_db(transaction=True)``."""
    args = ["db_worker", "--batch", "--no-startup-delay", "--no-reload"]
    if max_tasks:
        args += ["--max-tasks", str(max_tasks)]
    call_command(*args, verbosity=0)


def fill_comment_form(page, *, name, email, comment, website=None):
    """Type a reader's comment into the post page's form (Playwright); the
    caller ticks what else it wants and presses Post Comment."""
    form = page.locator("form.comment-form")
    form.get_by_role("textbox", name="Name").fill(name)
    form.get_by_role("textbox", name="Email").fill(email)
    if website is not None:
        form.get_by_role("textbox", name="Website").fill(website)
    form.get_by_role("textbox", name="Comment").fill(comment)


def comment_confirmation_link(message) -> str:
    """The confirmation link in an email received by the test SMTP server."""
    return re.search(r"https?://\S+/comments/confirm/\S+/", message.text).group(0)
