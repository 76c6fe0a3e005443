"""Imported posts were news on the old site: importing them (even one dated an
hour ago, or one scheduled for later) mails nobody, now or at its time, and
neither does a later edit here. A draft brought in and published here is news."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from posts import services as post_services
from posts.models import Post
from subscriptions.models import Delivery, Mailing
from tests.factories import SubscriberFactory
from tests.helpers import run_worker

ITEM = """
  <item>
    <title><![CDATA[{title}]]></title>
    <link>https://painblog.example.com/?p={wp_id}</link>
    <dc:creator><![CDATA[nsajben]]></dc:creator>
    <guid isPermaLink="false">https://painblog.example.com/?p={wp_id}</guid>
    <content:encoded><![CDATA[<p>Body of {title}.</p>]]></content:encoded>
    <excerpt:encoded><![CDATA[]]></excerpt:encoded>
    <wp:post_id>{wp_id}</wp:post_id>
    <wp:post_date><![CDATA[{date:%Y-%m-%d %H:%M:%S}]]></wp:post_date>
    <wp:post_date_gmt><![CDATA[{date:%Y-%m-%d %H:%M:%S}]]></wp:post_date_gmt>
    <wp:post_name><![CDATA[{slug}]]></wp:post_name>
    <wp:status><![CDATA[{status}]]></wp:status>
    <wp:post_parent>0</wp:post_parent>
    <wp:menu_order>0</wp:menu_order>
    <wp:post_type><![CDATA[post]]></wp:post_type>
    <wp:post_password><![CDATA[]]></wp:post_password>
    <wp:is_sticky>0</wp:is_sticky>
  </item>"""


def _export(path, items):
    head = (
        '<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
        'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
        "<title>Pain Management</title><link>https://painblog.example.com</link>\n"
        "<wp:wxr_version>1.2</wp:wxr_version>\n"
        "<wp:base_site_url>https://painblog.example.com</wp:base_site_url>\n"
        "<wp:base_blog_url>https://painblog.example.com</wp:base_blog_url>\n"
        "<wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[nsajben]]>"
        "</wp:author_login><wp:author_email><![CDATA[nsajben@painblog.example.com]]>"
        "</wp:author_email><wp:author_display_name><![CDATA[Nancy Sajben MD]]>"
        "</wp:author_display_name></wp:author>\n"
    )
    body = "".join(
        ITEM.format(wp_id=700 + i, slug=f"post-{i}", **item) for i, item in enumerate(items)
    )
    path.write_text(head + body + "\n</channel>\n</rss>\n", encoding="utf-8")
    return path


@pytest.fixture
def _import_settings(settings, tmp_path):
    settings.IMPORTERS_UPLOAD_ROOT = tmp_path / "imports"


@pytest.mark.django_db(transaction=True)
def test_an_import_never_mails_its_posts_now_at_their_time_or_after_an_edit(
    database_tasks, smtp_server, tmp_path, _import_settings
):
    from subscriptions import mailings

    SubscriberFactory(email="ann@example.org")
    SubscriberFactory(email="wes@example.org", frequency="weekly")
    mailings.ensure_digest_scheduled()  # the weekly digest's chain runs, as on a live site
    now = timezone.now().replace(microsecond=0)
    later = now + timedelta(hours=2)
    export = _export(
        tmp_path / "export.xml",
        [
            {"title": "Published an hour ago", "date": now - timedelta(minutes=30),
             "status": "publish"},
            {"title": "Scheduled on WordPress", "date": later, "status": "future"},
            {"title": "Still a draft", "date": now - timedelta(days=1), "status": "draft"},
        ],
    )  # fmt: skip

    call_command("import_wxr", str(export), stdout=StringIO(), stderr=StringIO(), verbosity=0)
    recent = Post.objects.get(title="Published an hour ago")
    scheduled = Post.objects.get(title="Scheduled on WordPress")
    assert recent.is_published and scheduled.is_scheduled

    run_worker()
    with time_machine.travel(later + timedelta(minutes=1)):
        run_worker()
    assert smtp_server.wait_for(1, timeout=0.5) == []

    # The author edits them here afterwards: still not news.
    for post in (recent, scheduled):
        post.title += " (edited)"
        post.save()
        post_services.post_saved(post=post)
    with time_machine.travel(later + timedelta(minutes=2)):
        run_worker()
    # Nor do they make a weekly digest.
    with time_machine.travel(now + timedelta(days=8)):
        run_worker()
    assert smtp_server.wait_for(1, timeout=0.5) == []
    assert not Delivery.objects.exists()

    # The mailing log says why: not sent, no recipients.
    log = Mailing.objects.with_counts().filter(post__in=[recent, scheduled])
    assert sorted((m.post_id, m.status, m.recipient_count) for m in log) == sorted(
        [(recent.pk, "not-sent", 0), (scheduled.pk, "not-sent", 0)]
    )

    # A draft brought in and published here is news here.
    with time_machine.travel(now + timedelta(days=9)):
        draft = Post.objects.get(title="Still a draft")
        draft.status, draft.published_at = Post.Status.PUBLISHED, timezone.now()
        draft.save()
        post_services.post_saved(post=draft)
        run_worker()
    [email] = smtp_server.wait_for(1)
    assert email.rcpt_tos == ["ann@example.org"]
    assert email.subject == "New post: Still a draft"


@pytest.mark.django_db
def test_imported_posts_are_not_news_with_the_immediate_backend_either(
    smtp_server, tmp_path, _import_settings, django_capture_on_commit_callbacks
):
    SubscriberFactory(email="ann@example.org")
    export = _export(
        tmp_path / "export.xml",
        [{"title": "Just now", "date": timezone.now() - timedelta(minutes=5), "status": "publish"}],
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_wxr", str(export), stdout=StringIO(), stderr=StringIO(), verbosity=0)
    assert Post.objects.get().is_published
    assert smtp_server.wait_for(1, timeout=0.5) == []
    assert Mailing.objects.get().status == Mailing.Status.NOT_SENT
