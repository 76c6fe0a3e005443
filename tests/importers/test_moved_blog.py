"""The same blog exported again from another address (a new domain, or /blog
moved to the root): WordPress keeps each post's GUID and every ID, so the
import recognises what it made before and doubles nothing."""

import re

import pytest

from comments.models import Comment
from importers.models import ImportedDocument, ImportedPing
from posts.models import Image, Page, Post
from references.models import Attachment, PostReference, Reference
from tests.importers.conftest import DATA, MEDIA
from tests.importers.test_comments import Thread, report_lines, with_state

OLD = "https://painblog.example.com"
GUID = re.compile(r"<guid[^>]*>[^<]*</guid>")


def moved(text, new_address):
    """The export as WordPress writes it after the blog moved: every address
    (the header, links, attachment URLs, links in bodies and comments) is the
    new one; the GUIDs are never changed."""
    guids = GUID.findall(text)
    text = text.replace(OLD, new_address).replace(OLD.replace("https", "http"), new_address)
    found = iter(guids)
    return GUID.sub(lambda _m: next(found), text)


def counts():
    return {
        "posts": Post.objects.count(),
        "pages": Page.objects.count(),
        "images": Image.objects.count(),
        "documents": ImportedDocument.objects.count(),
        "comments": Comment.objects.count(),
        "pings": ImportedPing.objects.count(),
        "references": Reference.objects.count(),
        "files": Attachment.objects.count(),
        "listed": PostReference.objects.count(),
    }


def export_at(tmp_path, address, name, text=None):
    path = tmp_path / name
    path.write_text(moved(text or (DATA / "seed.xml").read_text(), address))
    return path


@pytest.mark.parametrize(
    ("first", "second"),
    [(OLD, "https://nancysajben.example.org"), (OLD + "/blog", OLD)],
    ids=["new-domain", "blog-moved-to-the-root"],
)
def test_the_same_blog_from_another_address_doubles_nothing(import_wxr, tmp_path, first, second):
    import_wxr(export_at(tmp_path, first, "first.xml"), "--media-dir", str(MEDIA))
    before = counts()
    files = sorted(Image.objects.values_list("file", flat=True))
    comment_ids = sorted(Comment.objects.values_list("pk", flat=True))

    out, _ = import_wxr(export_at(tmp_path, second, "moved.xml"), "--media-dir", str(MEDIA))
    assert counts() == before
    assert sorted(Image.objects.values_list("file", flat=True)) == files  # not stored again
    assert sorted(Comment.objects.values_list("pk", flat=True)) == comment_ids
    lines = report_lines(out)
    for kind in ("posts", "pages", "attachments", "comments", "pingbacks", "authors", "tags"):
        assert lines[kind][0] == "0", (kind, lines[kind])
    assert "This blog was imported before from" in out
    assert "its file changed in WordPress" not in out and "numbered afresh" not in out

    # The moved export again: a second run from the new address changes nothing.
    out, _ = import_wxr(export_at(tmp_path, second, "moved.xml"), "--media-dir", str(MEDIA))
    assert counts() == before
    lines = report_lines(out)
    assert lines["comments"] == ["0", "0", "18", "0"] and lines["pingbacks"] == ["0", "0", "1", "0"]
    assert lines["posts"] == ["0", "0", "2", "0"] and lines["pages"] == ["0", "0", "3", "0"]
    assert "This blog was imported before from" not in out


def test_a_newer_export_from_the_new_address_adds_and_updates(import_wxr, tmp_path, client):
    new_address = "https://nancysajben.example.org"
    import_wxr("seed.xml", "--media-dir", str(MEDIA))
    before = counts()
    text = with_state((DATA / "seed.xml").read_text(), 16, "1")  # approved since
    reply = (
        "<wp:comment><wp:comment_id>20</wp:comment_id><wp:comment_author>Nancy Sajben MD"
        "</wp:comment_author><wp:comment_date_gmt>2022-01-01 10:00:00</wp:comment_date_gmt>"
        "<wp:comment_content>Written at the new address.</wp:comment_content>"
        "<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>5</wp:comment_parent>"
        "<wp:comment_user_id>1</wp:comment_user_id></wp:comment>"
    )
    ping = text.index("<wp:comment><wp:comment_id>19</wp:comment_id>")
    text = text[:ping] + reply + text[ping:]
    out, _ = import_wxr(
        export_at(tmp_path, new_address, "newer.xml", text), "--media-dir", str(MEDIA)
    )
    lines = report_lines(out)
    # One new reply; #16 approved since, and Nancy's author links now at the new address.
    assert lines["comments"] == ["1", "6", "12", "0"] and lines["pingbacks"][0] == "0"
    assert counts() == {**before, "comments": before["comments"] + 1}
    assert Comment.objects.get(pk=16).status == Comment.Status.PUBLISHED
    assert Comment.objects.get(pk=1).user_url == new_address
    post = Post.objects.get(slug__startswith="low-dose-naltrexone")
    thread = Thread(client.get(post.get_absolute_url()).content.decode())
    assert thread.parents[20] == 5 and thread.parents[16] is None


def test_a_post_with_another_id_is_found_by_its_guid(import_wxr, tmp_path):
    """A post that came back with another WordPress ID (copied between blogs by
    WordPress's own importer, which keeps the GUID) is the same post."""
    import_wxr("seed.xml", "--media-dir", str(MEDIA))
    before = counts()
    text = (
        (DATA / "seed.xml")
        .read_text()
        .replace("<wp:post_id>110</wp:post_id>", "<wp:post_id>1110</wp:post_id>")
    )
    path = tmp_path / "renumbered.xml"
    path.write_text(text)
    out, _ = import_wxr(path, "--media-dir", str(MEDIA))
    assert counts() == before
    assert report_lines(out)["posts"] == ["0", "0", "2", "0"]  # unchanged, not refused
