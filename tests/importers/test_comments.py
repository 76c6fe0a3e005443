"""Comments come over with the posts: threads, states, the author's badge,
pings kept apart, old comment links, and nothing sent on the way."""

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from comments.models import Comment
from importers.models import ImportedPing
from posts.models import Post
from tests.factories import PostFactory, make_comment
from tests.importers.conftest import DATA, MEDIA

SEED_URL = "/2010/06/22/low-dose-naltrexone-ldn-and-dextromethorphan-off-label-for-pain/"
# The seed's thread as WordPress showed it: Douglas Lewis (5) ← Nancy (6) ←
# Loretta (7) ← Nancy (8), and Brian (14) ← Nancy (15).
SEED_THREAD = {
    **dict.fromkeys((1, 2, 3, 4, 5, 9, 10, 11, 12, 13, 14)),
    6: 5,
    7: 6,
    8: 7,
    15: 14,
}


class Thread(HTMLParser):
    """Which comment each comment of a page sits in, as the HTML nests them."""

    def __init__(self, html):
        super().__init__()
        self.stack, self.parents, self.order, self.by_author = [], {}, [], set()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag != "li":
            return
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if "comment" not in classes:
            self.stack.append(None)
            return
        pk = int(attrs["id"].removeprefix("comment-"))
        self.parents[pk] = next((p for p in reversed(self.stack) if p is not None), None)
        self.order.append(pk)
        if "comment--by-author" in classes:
            self.by_author.add(pk)
        self.stack.append(pk)

    def handle_endtag(self, tag):
        if tag == "li":
            self.stack.pop()


def with_state(text, wp_id, state):
    """The export with one comment's wp:comment_approved changed."""
    start = text.index(f"<wp:comment_id>{wp_id}</wp:comment_id>")
    end = text.index("</wp:comment>", start)
    comment = re.sub(
        r"<wp:comment_approved><!\[CDATA\[\w+\]\]>",
        f"<wp:comment_approved><![CDATA[{state}]]>",
        text[start:end],
    )
    return text[:start] + comment + text[end:]


def report_lines(out):
    return {line.split()[0]: line.split()[-4:] for line in out.splitlines() if line[:2] == "  "}


@pytest.fixture
def seeded(import_wxr):
    return import_wxr("seed.xml", "--media-dir", str(MEDIA))[0]


def test_the_seed_thread_as_readers_see_it(seeded, client):
    page = client.get(SEED_URL).content.decode()
    thread = Thread(page)
    # Nested as in WordPress, in its order, under WordPress's own comment numbers.
    assert thread.parents == SEED_THREAD
    assert thread.order == list(range(1, 16))
    assert "15 Responses to “Low Dose Naltrexone" in page
    # The post author's comments (wp:comment_user_id 1) carry the badge.
    assert thread.by_author == {1, 6, 8, 9, 15}
    # Held, spam and pings are not shown as reader comments.
    for hidden in ("Is LDN safe to take with tramadol", "your story gives me hope", "cheap meds"):
        assert hidden not in page
    assert "LDN Research Trust" not in page
    # The text as WordPress showed it: paragraphs, the editor's note kept.
    assert "<p>Dr. Sajben</p>\n<p>Do you know of or have any cases of LDN" in page
    assert "[Edits: I have made this sentence a paragraph unto itself." in page
    assert Comment.objects.get(pk=1).submit_date == datetime(2010, 6, 23, 16, 15, tzinfo=UTC)
    assert Post.objects.get(slug__startswith="low-dose").comment_count == 15


def test_held_comments_wait_in_the_moderation_queue(staff_client, seeded):
    home = staff_client.get(reverse("admin:index")).content.decode()
    assert "2 comments awaiting moderation" in home
    queue = reverse("admin:comments_comment_changelist")
    pending = staff_client.get(queue, {"status__exact": "pending"}).content.decode()
    assert "Maria P." in pending and "Tom" in pending
    assert "Was awaiting moderation in WordPress." in pending
    spam = staff_client.get(queue, {"status__exact": "spam"}).content.decode()
    assert "cheap meds online" in spam and "Akismet said spam, in WordPress." in spam
    # Its link survives as text, shown (escaped) only to the moderator.
    assert Comment.objects.get(pk=18).comment == (
        "Buy naltrexone without prescription here (http://spam.example/pills)"
    )
    assert Comment.objects.get(pk=14).akismet == Comment.Akismet.HAM  # akismet_result false


def test_pingbacks_are_kept_apart_or_left_out(import_wxr, staff_client):
    import_wxr("seed.xml", "--media-dir", str(MEDIA), "--skip-pings")
    assert not ImportedPing.objects.exists()
    out, _ = import_wxr("seed.xml", "--media-dir", str(MEDIA))
    assert report_lines(out)["pingbacks"] == ["1", "0", "0", "0"]
    ping = ImportedPing.objects.get()
    assert (ping.kind, ping.state) == ("pingback", "approved")
    assert ping.source_title == "LDN Research Trust » Reading list"
    assert ping.excerpt == "[…] Dr Sajben's overview of low dose naltrexone […]"
    listing = staff_client.get(reverse("admin:importers_importedping_changelist"))
    assert 'href="https://ldn.example.org/reading-list/"' in listing.content.decode()
    assert not Comment.objects.filter(user_name__startswith="LDN Research Trust").exists()


def test_an_import_sends_nothing_now_or_later(
    import_wxr, staff_client, akismet_server, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        import_wxr("seed.xml", "--media-dir", str(MEDIA))
    seed = Post.objects.get(slug__startswith="low-dose")
    # A reader who follows every new comment on the post, here, after the move.
    make_comment(seed, user_email="follower@example.net", follow=Comment.Follow.ALL)
    assert mailoutbox == []
    # Approving an imported comment publishes it without news: it is years old.
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            reverse("admin:comments_comment_changelist"),
            {"action": "approve", "_selected_action": [16]},
        )
    assert Comment.objects.get(pk=16).status == Comment.Status.PUBLISHED
    assert mailoutbox == []
    assert akismet_server.received("comment-check") == []
    assert akismet_server.received("submit-ham") == []


def test_a_newer_export_adds_and_updates_comments(import_wxr, client, tmp_path):
    import_wxr("seed.xml", "--media-dir", str(MEDIA))
    before = dict(Comment.objects.values_list("pk", "thread_id"))
    text = (DATA / "seed.xml").read_text()
    text = with_state(text, 16, "1")  # Maria's, approved in WordPress since
    text = with_state(text, 13, "trash")  # Tonia's, deleted there since
    new = (
        "<wp:comment><wp:comment_id>20</wp:comment_id><wp:comment_author>Nancy Sajben MD"
        "</wp:comment_author><wp:comment_date_gmt>2022-01-01 10:00:00</wp:comment_date_gmt>"
        "<wp:comment_content>Update: the larger Stanford study has started.</wp:comment_content>"
        "<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>5</wp:comment_parent>"
        "<wp:comment_user_id>1</wp:comment_user_id></wp:comment>"
        "<wp:comment><wp:comment_id>21</wp:comment_id><wp:comment_author>Tom</wp:comment_author>"
        "<wp:comment_date_gmt>2022-02-01 10:00:00</wp:comment_date_gmt><wp:comment_content>"
        "Maria, ask your pharmacist too.</wp:comment_content><wp:comment_approved>1"
        "</wp:comment_approved><wp:comment_parent>16</wp:comment_parent>"
        "<wp:comment_user_id>0</wp:comment_user_id></wp:comment>"
    )
    ping = text.index("<wp:comment><wp:comment_id>19</wp:comment_id>")
    path = tmp_path / "newer.xml"
    path.write_text(text[:ping] + new + text[ping:])

    out, _ = import_wxr(path, "--media-dir", str(MEDIA))
    assert report_lines(out)["comments"] == ["2", "1", "16", "1"]
    assert "1 comment(s) imported before are in WordPress's trash now; they stay here" in out
    # Nothing imported before moved; the new reply goes last in Douglas Lewis's thread.
    assert {pk: t for pk, t in Comment.objects.values_list("pk", "thread_id") if pk in before} == (
        before
    )
    page = client.get(SEED_URL).content.decode()
    thread = Thread(page)
    assert thread.parents == {**SEED_THREAD, 16: None, 20: 5, 21: 16}
    assert thread.order == [1, 2, 3, 4, 5, 6, 7, 8, 20, 9, 10, 11, 12, 13, 14, 15, 16, 21]
    assert 20 in thread.by_author and "18 Responses to" in page


def test_comment_edge_cases(import_wxr, client):
    out, _ = import_wxr("comments.xml")
    post = Post.objects.get(slug="ketamine-and-the-glia")
    assert not post.comments_open  # wp:comment_status closed
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Comments are closed." in page and 'name="comment"' not in page
    thread = Thread(page)
    # A reply before its parent in the file; two replies past the fifth level go
    # beside their parent; orphans and a loop of replies start threads of their own.
    assert thread.parents == {
        701: None, 702: None, 703: 702, 705: None, 706: None,
        710: None, 711: 710, 712: 711, 713: 712, 714: 713, 715: 713, 716: 713,
        717: None, 718: None, 720: None,
    }  # fmt: skip
    assert thread.order == [701, 702, 703, 705, 706, *range(710, 719), 720]
    # Another WordPress author's comment is linked to the account, with no badge.
    assert Comment.objects.get(pk=701).user.username == "webeditor"
    assert 701 not in thread.by_author
    # WordPress's HTML becomes the plain text comments keep, shown with a safe link.
    html_comment = Comment.objects.get(pk=720)
    assert html_comment.comment == (
        "See the Stanford study (https://pubmed.ncbi.nlm.nih.gov/19587026/) & this:\n"
        "dose < 5 mg.\n\nSecond paragraph"
    )
    assert 'rel="nofollow ugc" href="https://pubmed.ncbi.nlm.nih.gov/19587026/"' in page
    assert "<script" not in html_comment.comment_html
    assert html_comment.user_name == "Clinician & reader of a very long name that WordP…"
    assert len(html_comment.user_name) == 50  # django-contrib-comments' limit
    assert html_comment.ip_address is None
    assert html_comment.submit_date == datetime(2012, 6, 3, 16, 30, tzinfo=UTC)  # local time
    held = Comment.objects.get(pk=721)
    assert (held.status, held.akismet, held.ip_address) == ("pending", "error", "2001:db8::7")
    assert held.hold_reason == "Was awaiting moderation in WordPress. Akismet did not answer there."
    spam = Comment.objects.get(pk=722)
    assert (spam.status, spam.akismet) == ("spam", "ham")  # Akismet missed it; Nancy did not
    assert spam.hold_reason == "Marked as spam by the moderator in WordPress."
    assert ImportedPing.objects.get().kind == "trackback"

    lines = report_lines(out)
    assert lines["comments"] == ["17", "0", "0", "3"]
    label = "post #700 “Ketamine and the glia”"
    for problem in (
        "1 comment(s) were in WordPress's trash; not imported",
        "2 reply(ies) answer a comment that is not in the export or was not imported",
        "2 reply(ies) answer each other in a loop",
        "2 reply(ies) were nested deeper than 5 levels; placed beside their parent",
        "1 comment(s) had an IP address that is not one",
    ):
        assert f"{label}: {problem}" in out
    assert "page #750 “Welcome”: pages take no comments here: its 1 comment(s) were not" in out
    assert "post #760" in out and "comment(s) were not imported either" not in out


def test_numbers_in_use_here_are_not_taken(import_wxr, client):
    """On a site with a comment numbered 5 already, the seed's comments get new
    numbers, all of them, so the thread keeps its order; ?replytocom= links
    still find them through the import's records."""
    written_here = make_comment(PostFactory(), pk=5, thread_id=5)
    out, _ = import_wxr("seed.xml", "--media-dir", str(MEDIA))
    assert "18 comment(s) were numbered afresh" in out
    seed = Post.objects.get(slug__startswith="low-dose")
    assert min(Comment.objects.filter(post=seed).values_list("pk", flat=True)) > 18
    assert Comment.objects.get(pk=5) == written_here  # left alone
    thread = Thread(client.get(SEED_URL).content.decode())
    names = dict(Comment.objects.values_list("pk", "user_name"))
    assert [names[pk] for pk in thread.order][:6] == [
        "Nancy Sajben MD", "liz", "sandrasi", "Heidi Shultz-Hartfield",
        "Douglas Lewis, D.Sc.", "Nancy Sajben MD",
    ]  # fmt: skip
    douglas = Comment.objects.get(post=seed, user_name="Douglas Lewis, D.Sc.")
    assert thread.parents[thread.order[5]] == douglas.pk
    response = client.get("/?replytocom=5")
    assert response.status_code == 301 and response["Location"] == f"/comments/{douglas.pk}/"
