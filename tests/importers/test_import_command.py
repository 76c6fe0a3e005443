"""`manage.py import_wxr` with the seed post as WordPress would export it."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.redirects.models import Redirect
from taggit.models import Tag

from comments.models import Comment
from importers.models import DocumentLink, ImportedDocument, ImportedPing, ImportRun, WordPressItem
from posts.models import AuthorProfile, Category, Image, Page, Post
from references.models import Attachment, PostReference, Reference
from tests.factories import PageFactory, UserFactory
from tests.importers.conftest import DATA, MEDIA

SEED_URL = "/2010/06/22/low-dose-naltrexone-ldn-and-dextromethorphan-off-label-for-pain/"


def snapshot():
    """Everything an import writes, to compare two runs."""
    return {
        "posts": list(Post.objects.order_by("pk").values_list("pk", "title", "body", "updated_at")),
        "pages": list(Page.objects.order_by("pk").values_list("pk", "path", "body", "updated_at")),
        "categories": list(Category.objects.order_by("pk").values_list("pk", "name", "parent")),
        "tags": list(Tag.objects.order_by("pk").values_list("pk", "slug")),
        "images": list(Image.objects.order_by("pk").values_list("pk", "file")),
        "documents": list(ImportedDocument.objects.order_by("pk").values_list("pk", "file")),
        "links": DocumentLink.objects.count(),
        "users": list(get_user_model().objects.order_by("pk").values_list("pk", "username")),
        "redirects": list(Redirect.objects.order_by("pk").values_list("old_path", "new_path")),
        "mapping": list(WordPressItem.objects.order_by("pk").values_list("pk", "updated_at")),
        "comments": list(
            Comment.objects.order_by("pk").values_list(
                "pk", "status", "comment", "thread_id", "parent_id", "level", "order"
            )
        ),
        "pings": list(ImportedPing.objects.order_by("pk").values_list("pk", "source_url")),
        "references": list(Reference.objects.order_by("pk").values_list("pk", "updated_at")),
        "files": list(Attachment.objects.order_by("pk").values_list("pk", "sha256")),
        "listed": list(PostReference.objects.order_by("pk").values_list("post", "reference")),
        "counts": list(Post.objects.order_by("pk").values_list("comment_count", "comments_open")),
    }


@pytest.fixture
def seeded(import_wxr):
    out, err = import_wxr("seed.xml", "--media-dir", str(MEDIA))
    return out, err


def test_seed_post_is_imported_with_its_metadata(seeded):
    post = Post.objects.get(slug__startswith="low-dose-naltrexone")
    assert post.title == (
        "Low Dose Naltrexone “LDN” and Dextromethorphan off label for Pain, RSD, "
        "Chronic Fatigue, Fibromyalgia, MS, Crohn’s Disease"
    )
    assert post.status == Post.Status.PUBLISHED
    assert post.published_at == datetime(2010, 6, 22, 18, 1, 2, tzinfo=UTC)
    assert post.get_absolute_url() == SEED_URL
    assert post.is_featured  # wp:is_sticky
    assert post.excerpt.startswith("Low Dose Naltrexone Low dose naltrexone, or LDN")  # <!--more-->
    assert post.author.username == "nsajben"
    assert sorted(post.categories.values_list("slug", flat=True)) == [
        "chronic-fatigue",
        "crohns-disease",
        "crps-rsd",
        "fibromyalgia",
        "multiple-sclerosis",
        "pain",
    ]
    assert sorted(post.tags.values_list("name", flat=True)) == [
        "dextromethorphan",
        "glia",
        "low dose naltrexone",
        "microglia",
    ]
    # The featured image became the cover.
    assert post.cover_image.name == Image.objects.get().file.name
    assert post.cover_alt == "Cover of The Promise of Low Dose Naltrexone Therapy"
    # Found by the search index (post_saved ran).
    assert Post.objects.filter(search_document__icontains="microglia").exists()


def test_seed_body_is_clean_html_with_new_links(seeded):
    body = Post.objects.get(slug__startswith="low-dose-naltrexone").body
    image = Image.objects.get()
    documents = {d.title: d for d in ImportedDocument.objects.all()}
    # wpautop: paragraphs and line breaks, block elements left alone.
    assert "<p><strong>Low Dose Naltrexone</strong></p>" in body
    assert "excitotoxic effects of glutamate.<br>\nMicroglia are the immune cells" in body
    assert "<h3>How does it work?</h3>" in body
    assert "<li><a href=" in body and "<p><li>" not in body
    # [caption] → figure; the resized copy's address → the imported image.
    assert (
        f'<figure><a href="{image.file.url}"><img src="{image.file.url}" '
        'alt="Cover of The Promise of Low Dose Naltrexone Therapy" width="30" height="45"></a>'
        "<figcaption>The Promise of Low Dose Naltrexone Therapy</figcaption></figure>"
    ) in body
    assert "[caption" not in body and "<!--more-->" not in body
    assert "<b>" not in body and "<strong>Update June 22, 2010:</strong>" in body
    # Links to the old site: documents (now the bibliography's files), tag, child
    # category, page by ?page_id=.
    morphinan = documents["Morphinan Neuroprotection"].get_absolute_url()
    assert morphinan.startswith("/references/files/")
    assert f'<a href="{morphinan}">Morphinan Neuroprotection by Zhang' in body
    microglia = documents["Microglia Mediated Neurotoxicity"].get_absolute_url()
    assert f'href="{microglia}"' in body  # it was linked with http://
    assert '<a href="/tag/glia/">here</a>' in body
    assert '<a href="/category/crps-rsd/">here</a>' in body
    assert '<a href="/welcome/">Welcome to my Weblog' in body
    assert 'href="http://get.adobe.com/reader/"' in body  # other sites: untouched
    # The missing file keeps its old address (and is reported).
    assert "https://painblog.example.com/wp-content/uploads/2010/06/Cree-LDN-MS-Poster.pdf" in body
    assert "painblog.example.com/wp-content/uploads/2010/06/Morphinan" not in body


def test_other_post_links_gallery_and_unknown_shortcode(seeded):
    body = Post.objects.get(slug="case-report-severe-rsd").body
    assert f'<a href="{SEED_URL}#comments">the discussion</a>' in body
    assert f'<a href="{SEED_URL}">the overview</a>' in body  # /?p=100
    image = Image.objects.get()
    assert f'<figure><a href="{image.file.url}"><img src="{image.file.url}"' in body  # [gallery]
    assert '[contact-form-7 id="42" title="Ask a question"]' in body  # kept as text
    post = Post.objects.get(slug="case-report-severe-rsd")
    assert post.excerpt == "A case of severe RSD."
    assert not post.is_featured


def test_categories_keep_their_hierarchy_whatever_the_order(seeded):
    pain = Category.objects.get(slug="pain")
    assert Category.objects.get(slug="crps-rsd").parent == pain  # listed before "pain"
    assert Category.objects.get(slug="fibromyalgia").parent == pain
    assert pain.parent is None
    assert Category.objects.get(slug="crohns-disease").name == "Crohn’s disease"
    assert Category.objects.get(slug="crps-rsd").description == "Complex regional pain syndrome."


def test_pages_with_parents_order_and_menu(seeded):
    about = Page.objects.get(path="about")
    team = Page.objects.get(path="about/team")  # the child came first in the file
    assert team.parent == about and team.menu_order == 2
    assert about.show_in_menu  # it was in WordPress's menu
    assert not Page.objects.get(path="welcome").show_in_menu
    assert about.body == (
        "<p>Nancy Sajben MD is a physician specialising in pain medicine in California.</p>\n"
        "<p>She has prescribed ultra-low and low dose naltrexone since 2003.</p>"
    )
    assert Page.objects.get(path="welcome").body.endswith(
        f'Start with <a href="{SEED_URL}">low dose naltrexone</a>.</p>'
    )


def test_authors_are_created_inactive_with_a_display_name(seeded):
    user = get_user_model().objects.get(username="nsajben")
    assert not user.is_active and not user.has_usable_password()
    assert user.email == "nsajben@painblog.example.com"
    assert user.author_profile.display_name == "Nancy Sajben MD"
    assert AuthorProfile.objects.get(user__username="webeditor").display_name == "Web Editor"


def test_existing_account_is_matched_by_email(import_wxr):
    nancy = UserFactory(username="nancy", email="NSajben@painblog.example.com", is_staff=True)
    import_wxr("seed.xml", "--media-dir", str(MEDIA))
    assert not get_user_model().objects.filter(username="nsajben").exists()
    assert set(Post.objects.values_list("author", flat=True)) == {nancy.pk}
    nancy.refresh_from_db()
    assert nancy.is_active and nancy.has_usable_password()  # left as it was
    assert nancy.author_profile.display_name == "Nancy Sajben MD"


def test_media_become_images_and_documents_with_their_links(seeded):
    image = Image.objects.get()
    assert image.alt_text == "Cover of The Promise of Low Dose Naltrexone Therapy"
    assert image.caption == "Elaine A. Moore & Samantha Wilkinson, McFarland, 2009"
    assert (image.width, image.height) == (30, 45)
    # The documents the post links to are the bibliography's files now; each
    # imported document stays as the record of where its file came from.
    documents = ImportedDocument.objects.order_by("title")
    assert [d.original_url.rsplit("/", 1)[1] for d in documents] == [
        "Gilhooly-LDN-MS-Scotland.ppt",
        "Microglia-Neurotoxicity.pdf",
        "Morphinan-Neuroprotection.pdf",
    ]
    seed = Post.objects.get(slug__startswith="low-dose-naltrexone")
    for document in documents:
        assert document.parent_post == seed
        assert not document.file and document.attachment is not None
        with document.attachment.file.open("rb") as handle:
            assert handle.read().startswith((b"%PDF", bytes.fromhex("D0CF11E0")))
    links = DocumentLink.objects.filter(post=seed).order_by("position")
    assert [link.text for link in links] == [
        "Morphinan Neuroprotection by Zhang, Hong, Kim, et al, Crit.Rev.Neurobiol. "
        "16(4):271-302, 2004 (PDF)",
        "Microglia Mediated Neurotoxicity Molecular Mechanisms. Block Zecca Hong, Nature "
        "Reviews Neurosci 8:57, 2007 (PDF)",
        "LDN research on MS in Scotland Dr Tom Gilhooly, USC 4th Annual LDN Conference, "
        "2008 (Powerpoint)",
    ]


def test_report_counts_and_problems(seeded):
    out, err = seeded
    assert "Import finished." in out
    lines = {line.split()[0]: line.split()[-4:] for line in out.splitlines() if line[:2] == "  "}
    assert lines["posts"] == ["2", "0", "0", "0"]
    assert lines["pages"] == ["3", "0", "0", "0"]
    assert lines["authors"] == ["2", "0", "0", "0"]
    assert lines["references"] == ["3", "0", "0", "0"]
    assert lines["comments"] == ["18", "0", "0", "0"]
    assert lines["pingbacks"] == ["1", "0", "0", "0"]
    assert "answer a comment that is not in the export" not in out
    assert (
        "[error] attachment #105 “LDN In MS, Bruce Cree MD, UCSF Poster”: the file "
        "2010/06/Cree-LDN-MS-Poster.pdf is not in the media folder" in out
    )
    assert "the shortcode [contact-form-7] is not known here" in out
    assert "[reference" not in out and "[Edits" not in out  # prose brackets are not shortcodes
    # The progress bar: items done / total and the time left.
    assert "Posts" in err and "ETA" in err and "it/s" not in err
    total = ImportRun.objects.get().progress_total
    assert f"{total}/{total}" in err
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.DONE and run.source == "command"
    assert run.report["counts"]["post"]["imported"] == 2


def test_the_excerpt_from_the_text_before_more_keeps_no_script(import_wxr, tmp_path):
    """The text before <!--more--> becomes the excerpt as words only: what a
    <script> or <style> held is no text of the post's."""
    text = (DATA / "seed.xml").read_text()
    marker = "<content:encoded><![CDATA[<strong>Low Dose Naltrexone</strong>"
    assert marker in text
    path = tmp_path / "scripted.xml"
    path.write_text(
        text.replace(
            marker,
            '<content:encoded><![CDATA[<style>p { color: red }</style><script>alert("x")</script>'
            "<strong>Low Dose</strong> <em>Naltrex</em>one",
        )
    )
    import_wxr(path, "--media-dir", str(MEDIA))
    excerpt = Post.objects.get(slug__startswith="low-dose-naltrexone").excerpt
    assert excerpt.startswith("Low Dose Naltrexone Low dose naltrexone, or LDN"), excerpt
    assert "alert" not in excerpt and "color" not in excerpt


def test_the_same_export_twice_changes_nothing(import_wxr):
    import_wxr("seed.xml", "--media-dir", str(MEDIA))
    before = snapshot()
    out, _ = import_wxr("seed.xml", "--media-dir", str(MEDIA))
    assert snapshot() == before
    lines = {line.split()[0]: line.split()[-4:] for line in out.splitlines() if line[:2] == "  "}
    assert lines["posts"] == ["0", "0", "2", "0"]
    assert lines["attachments"] == ["0", "0", "4", "1"]
    assert lines["pages"] == ["0", "0", "3", "0"]
    assert lines["comments"] == ["0", "0", "18", "0"]
    assert lines["pingbacks"] == ["0", "0", "1", "0"]
    assert "references" not in lines  # the documents were adopted the first time


def test_edits_made_here_survive_a_second_run_of_the_same_export(import_wxr):
    import_wxr("seed.xml", "--media-dir", str(MEDIA))
    Post.objects.filter(slug="case-report-severe-rsd").update(title="Edited here")
    import_wxr("seed.xml", "--media-dir", str(MEDIA))
    assert Post.objects.get(slug="case-report-severe-rsd").title == "Edited here"


def test_a_newer_export_adds_and_updates(import_wxr, tmp_path):
    import_wxr("seed.xml", "--media-dir", str(MEDIA))
    text = (DATA / "seed.xml").read_text()
    newer = text.replace(
        "<title><![CDATA[Case report: severe RSD responding to naltrexone]]></title>",
        "<title><![CDATA[Case report: severe RSD, two years on]]></title>",
    )
    extra = """	<item>
		<title><![CDATA[Ketamine and the glia]]></title>
		<link>https://painblog.example.com/2011/01/05/ketamine-and-the-glia/</link>
		<dc:creator><![CDATA[webeditor]]></dc:creator>
		<guid isPermaLink="false">https://painblog.example.com/?p=130</guid>
		<content:encoded><![CDATA[New post.]]></content:encoded>
		<wp:post_id>130</wp:post_id>
		<wp:post_date_gmt><![CDATA[2011-01-05 18:00:00]]></wp:post_date_gmt>
		<wp:post_name><![CDATA[ketamine-and-the-glia]]></wp:post_name>
		<wp:status><![CDATA[publish]]></wp:status>
		<wp:post_type><![CDATA[post]]></wp:post_type>
	</item>
</channel>"""
    path = tmp_path / "newer.xml"
    path.write_text(newer.replace("</channel>", extra))
    out, _ = import_wxr(path, "--media-dir", str(MEDIA))
    lines = {line.split()[0]: line.split()[-4:] for line in out.splitlines() if line[:2] == "  "}
    assert lines["posts"] == ["1", "1", "1", "0"]
    assert Post.objects.get(slug="case-report-severe-rsd").title == (
        "Case report: severe RSD, two years on"
    )
    assert Post.objects.get(slug="ketamine-and-the-glia").author.username == "webeditor"
    assert Post.objects.count() == 3


def test_dry_run_changes_nothing(import_wxr, settings):
    out, _ = import_wxr("seed.xml", "--media-dir", str(MEDIA), "--dry-run")
    assert "Trial run: nothing was changed." in out
    lines = {line.split()[0]: line.split()[-4:] for line in out.splitlines() if line[:2] == "  "}
    assert lines["posts"] == ["2", "0", "0", "0"]  # what would happen
    assert lines["comments"] == ["18", "0", "0", "0"] and lines["references"][0] == "3"
    assert Post.objects.count() == Page.objects.count() == Image.objects.count() == 0
    assert not get_user_model().objects.exists()
    assert not WordPressItem.objects.exists() and not Redirect.objects.exists()
    assert not Comment.objects.exists() and not ImportedPing.objects.exists()
    assert not Reference.objects.exists() and not Attachment.objects.exists()
    # No file stays behind: neither the media library's nor the bibliography's.
    for folder in (settings.MEDIA_ROOT, settings.MEDIA_ROOT.with_name("media-private")):
        assert not folder.exists() or not [p for p in folder.rglob("*") if p.is_file()]


def test_statuses_are_mapped_without_making_anything_public(import_wxr):
    out, _ = import_wxr("statuses.xml")
    states = dict(Post.objects.values_list("title", "status"))
    assert states == {
        "A draft": "draft",
        "Pending review": "draft",
        "Private notes": "draft",
        "Scheduled for later": "published",
        "Members only": "draft",
        "Published normally": "published",
    }
    assert Post.objects.get(title="Scheduled for later").is_scheduled
    assert list(Post.objects.published().values_list("title", flat=True)) == ["Published normally"]
    assert Post.objects.get(title="A draft").slug == "a-draft"  # no slug in WordPress
    assert "was pending review in WordPress; imported as a draft" in out
    assert "was private in WordPress; imported as a draft" in out
    assert "was password-protected in WordPress; imported as a draft" in out
    assert "not imported: it was in WordPress's trash" in out
    future_page = Page.objects.get(title="Future page")
    assert future_page.status == Page.Status.DRAFT
    assert "pages cannot be scheduled here" in out
    # A page called "feed" would hide the site's own /feed/ address.
    assert Page.objects.get(title="Feed").path == "feed-page"


def test_titles_and_bodies_in_many_scripts(import_wxr, client):
    import_wxr("scripts.xml")
    russian = Post.objects.get(title="Низкие дозы налтрексона")
    assert russian.slug == "post-201"  # no ASCII slug can be made from it
    assert "Ναλτρεξόνη σε χαμηλή δόση" in russian.body
    assert "النالتريكسون بجرعة منخفضة" in russian.body
    assert "低剂量纳曲酮 — 日本語: 低用量ナルトレキソン" in russian.body
    assert "נלטרקסון במינון נמוך 💊 ✓" in russian.body
    assert russian.categories.get().name == "Νευρολογία"
    assert russian.tags.get().name == "纳曲酮"
    german = Post.objects.get(slug="cafe-naltrexone-uber-schmerzen")
    assert german.title == "Café naltrexone – Über Schmerzen"
    assert f'<a href="{russian.get_absolute_url()}">по-русски</a>' in german.body
    # The old, percent-encoded address answers with a permanent redirect.
    response = client.get("/2011/02/03/низкие-дозы/")
    assert response.status_code == 301
    assert response["Location"] == russian.get_absolute_url()
    assert client.get(response["Location"]).status_code == 200
    assert client.get(russian.categories.get().get_absolute_url()).status_code == 200
    assert client.get(f"/tag/{russian.tags.get().slug}/").status_code == 200


def test_cdata_edge_cases(import_wxr):
    out, _ = import_wxr("cdata.xml")
    post = Post.objects.get()
    assert post.title == "Naltrexone & pain: <b> “quoted”"  # entities, escaped in XML
    # WordPress writes "]]>" as "]]]]><![CDATA[>": two CDATA sections, one text.
    assert "The array a[b[0]]&gt; is compared" in post.body
    assert "A second ]]&gt; in the <em>same</em> body" in post.body
    assert "x &lt; y" in post.body and "&amp; z" in post.body
    assert post.excerpt == "Ends with a bracket ]]>"
    assert Comment.objects.get(pk=90).comment == "A comment with ]]> inside."
    # The reply to a comment that is not in the export is shown at the top level.
    orphan = Comment.objects.get(pk=91)
    assert orphan.parent_id == orphan.thread_id == orphan.pk and orphan.level == 0
    assert "1 reply(ies) answer a comment that is not in the export" in out


def test_slashes_and_backslashes_survive(import_wxr):
    import_wxr("slashes.xml")
    post = Post.objects.get()
    assert post.title == "Doses 1/2 \\ 1/4 and C:\\LDN\\"
    assert r"Windows path C:\Program Files\LDN\dose.txt and a share \\server\share." in post.body
    assert r"A regex \d+\.\d+ mg, an escaped quote \" and \' and a lone backslash \ at" in (
        post.body.replace("&quot;", '"').replace("&#x27;", "'").replace("&#39;", "'")
    )
    assert "http://example.org//double//slash/ and 1 &lt; 2 &gt; 0." in post.body


def test_empty_fields(import_wxr):
    out, _ = import_wxr("empty.xml")
    post = Post.objects.get()
    assert post.title == "(no title)" and post.slug == "post-501" and post.body == ""
    assert post.author.username == "nsajben"  # no dc:creator: the export's author
    # No GMT date: the local date, read in the site's time zone.
    assert post.published_at.date().isoformat() == "2011-05-01"
    page = Page.objects.get()
    assert page.status == Page.Status.DRAFT and page.slug == "page-502"
    assert "post #501 “(no title)”: it has no title" in out
    assert "attachment #503 “No file”: it has no file address; skipped" in out


def test_wxr_10_and_11(import_wxr, client):
    out, _ = import_wxr("wxr10.xml")
    post = Post.objects.get()
    assert post.author.username == "nsajben"  # from dc:creator: WXR 1.0 lists no authors
    assert list(post.categories.values_list("slug", flat=True)) == ["pain"]
    assert list(post.tags.values_list("name", flat=True)) == ["glia"]
    assert "1 pingbacks/trackbacks" not in out
    assert "pingbacks and trackbacks" in out
    import_wxr("permalinks.xml")
    assert Post.objects.count() == 3


def test_gutenberg_blocks_and_shortcodes(import_wxr):
    out, _ = import_wxr("gutenberg.xml", "--media-dir", str(MEDIA))
    body = Post.objects.get().body
    image = Image.objects.get()
    assert "<!--" not in body and "wp:" not in body
    assert body.startswith("<h2>Glia and pain</h2>")  # h1 is the post title's
    # Blocks are not run through wpautop (as in WordPress 5+): no <br> added.
    assert "<p>Microglia <strong>drive</strong> central sensitisation\nin <em>animal</em>" in body
    assert (
        f'<figure><img src="{image.file.url}" alt="Microglia around a neuron">'
        "<figcaption>Activated microglia</figcaption></figure>"
    ) in body  # the 1024x768 copy's address → the image; WordPress's classes gone
    assert (
        '<a href="https://www.youtube.com/watch?v=abc123">https://www.youtube.com/watch?v=abc123</a>'
    ) in body
    assert "<p>dose = 4.5  # mg<br>at bedtime</p>" in body  # <pre> keeps its lines
    assert f'<figure><img src="{image.file.url}" alt="Glia again"></figure>' in body
    assert '<a href="https://player.example.org/embed/42">' in body  # iframe → link
    assert "alert" not in body and "<script" not in body
    assert "Listen: interview.mp3" in body and "Watch: talk.mp4" in body
    assert '<a href="https://vimeo.com/12345">' in body
    assert "Escaped: [gallery] and a bracket [sic] in prose." in body
    assert "an embedded frame (https://player.example.org/embed/42) became a link" in out


def test_files_outside_the_media_folder_and_scripts_are_refused(import_wxr):
    out, _ = import_wxr("traversal.xml", "--media-dir", str(MEDIA))
    assert "its file path leads outside the media folder; skipped" in out
    assert "files of type “.php” are not imported" in out
    assert not ImportedDocument.objects.exists()


def test_pages_whose_address_is_taken_are_reported_and_their_children_kept(import_wxr):
    about = PageFactory(slug="about", title="About (written here)")
    out, _ = import_wxr("seed.xml", "--media-dir", str(MEDIA))
    assert "page #8 “About”: another page already has the address /about/; not imported" in out
    about.refresh_from_db()
    assert about.title == "About (written here)"  # ours is left alone
    assert Page.objects.get(slug="team").path == "about/team"
