"""`load_demo` loads the seed post's thread with its real nesting."""

from io import StringIO

import pytest
from django.core.management import call_command

from comments.models import Comment
from posts.demo import SEED_SLUG
from posts.models import Post

pytestmark = pytest.mark.django_db

SEED_ORDER = [
    ("Nancy Sajben MD", 0),
    ("liz", 0),
    ("sandrasi", 0),
    ("Heidi Shultz-Hartfield", 0),
    ("Douglas Lewis, D.Sc.", 0),
    ("Nancy Sajben MD", 1),
    ("Loretta Tirone", 2),
    ("Nancy Sajben MD", 3),
    ("Nancy Sajben MD", 0),
    ("Jenny Young", 0),
    ("Jenny Young", 0),
    ("Heather", 0),
    ("Tonia", 0),
    ("Brian Schwartz,PhD", 0),
    ("Nancy Sajben MD", 1),
]


def test_the_seed_thread_is_loaded_with_its_nesting_once(client):
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    post = Post.objects.get(slug=SEED_SLUG)
    comments = list(Comment.objects.filter(post=post).order_by("thread_id", "order"))
    assert [(c.user_name, c.level) for c in comments] == SEED_ORDER
    douglas, answer, loretta, again = comments[4:8]
    assert (answer.parent_id, loretta.parent_id, again.parent_id) == (
        douglas.pk,
        answer.pk,
        loretta.pk,
    )
    assert comments[14].parent_id == comments[13].pk
    assert all(
        c.user and c.user.username == "nsajben" for c in comments if c.user_name.startswith("Nancy")
    )
    assert all(c.user is None for c in comments if not c.user_name.startswith("Nancy"))
    dates = [c.submit_date for c in comments]
    assert dates == sorted(dates) and dates[0] > post.published_at
    assert post.comment_count == 15

    html = client.get(post.get_absolute_url()).text
    assert "15 Responses to “Low Dose Naltrexone" in html
    assert html.count('<span class="badge badge--author">Author</span>') == 5
    assert "heidihartfield@gmail.com" not in html and "LorettaCT3@yahoo.com" not in html
    assert "[Edits: I have made this sentence a paragraph unto itself." in html
    assert "United States Drug Testing Laboratories" in html
