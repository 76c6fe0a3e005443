"""Issue 6: importing a WordPress export of 1,000 posts and 20,000 comments.

The real `manage.py import_wxr` runs as a child process, so its time and peak
memory (the child's peak resident set, VmHWM) are the importer's own. The
comments are really imported (threads two deep, one in ten held for
moderation), and the bench checks that all 20,000 arrived. Memory must stay
flat: the streaming reader alone is measured on the export and on one four
times larger, and the import of a quarter of the export is shown beside the
whole. Everything the import made is removed afterwards so the other benches
see the demo site only.
"""

import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

from django.contrib.auth import get_user_model
from django.contrib.redirects.models import Redirect
from django.db import transaction
from taggit.models import Tag

from comments.models import Comment
from importers.models import ImportRun, WordPressItem
from posts.models import Category, Post

ROOT = Path(__file__).resolve().parent.parent
SITE = "https://bench-wordpress.example.com"
PARAGRAPH = (
    "Low dose naltrexone acts on the microglia, the immune cells of the central nervous "
    "system, and may reduce intractable pain in selected patients. "
)
COMMENT = (
    "Thank you for writing this. My neurologist started me on 1.5 mg and we are going up "
    "slowly; the vivid dreams settled after a week. Is it usual to wait three months? "
)


def cdata(text):
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def write_export(path, posts, comments_per_post):
    start = datetime(2009, 1, 1, 12, 0, tzinfo=UTC)
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
            'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
            f"<title>Bench blog</title><link>{SITE}</link>"
            f"<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>{SITE}</wp:base_site_url>"
            f"<wp:base_blog_url>{SITE}</wp:base_blog_url>\n"
            "<wp:author><wp:author_id>1</wp:author_id><wp:author_login>benchauthor"
            "</wp:author_login><wp:author_email>bench@example.com</wp:author_email>"
            "<wp:author_display_name>Bench Author</wp:author_display_name></wp:author>\n"
        )
        for n in range(20):
            parent = f"bench-topic-{n // 5}" if n % 5 else ""
            out.write(
                f"<wp:category><wp:term_id>{1000 + n}</wp:term_id><wp:category_nicename>"
                f"bench-topic-{n}</wp:category_nicename><wp:category_parent>{parent}"
                f"</wp:category_parent><wp:cat_name>Bench topic {n}</wp:cat_name></wp:category>\n"
            )
        comment_id = 0
        for i in range(posts):
            wp_id = 10_000 + i
            date = start + timedelta(days=i)
            slug = f"bench-wxr-post-{i}"
            link = f"{SITE}/{date:%Y/%m/%d}/{slug}/"
            body = "\n\n".join(
                [PARAGRAPH * 3]
                + [f'See <a href="{SITE}/?p={10_000 + (i * 7) % posts}">an earlier post</a>.']
                + [PARAGRAPH * 2 + "\nA second line in the same paragraph." for _ in range(4)]
                + ['[caption width="300"]<img src="/x.jpg" alt="" /> A figure[/caption]']
            )
            out.write(
                f"<item><title>{escape(f'Bench post {i}: naltrexone & the glia')}</title>"
                f"<link>{link}</link><dc:creator>benchauthor</dc:creator>"
                f'<guid isPermaLink="false">{SITE}/?p={wp_id}</guid>'
                f"<content:encoded>{cdata(body)}</content:encoded>"
                f"<excerpt:encoded>{cdata('')}</excerpt:encoded>"
                f"<wp:post_id>{wp_id}</wp:post_id>"
                f"<wp:post_date>{date:%Y-%m-%d %H:%M:%S}</wp:post_date>"
                f"<wp:post_date_gmt>{date:%Y-%m-%d %H:%M:%S}</wp:post_date_gmt>"
                f"<wp:post_name>{slug}</wp:post_name><wp:status>publish</wp:status>"
                "<wp:post_parent>0</wp:post_parent><wp:menu_order>0</wp:menu_order>"
                "<wp:post_type>post</wp:post_type><wp:is_sticky>0</wp:is_sticky>"
                f'<category domain="category" nicename="bench-topic-{i % 20}">'
                f"Bench topic {i % 20}</category>"
                f'<category domain="post_tag" nicename="bench-tag-{i % 50}">'
                f"bench tag {i % 50}</category>\n"
            )
            for c in range(comments_per_post):
                comment_id += 1
                parent = comment_id - 1 if c % 2 else 0
                approved = "1" if c % 10 else "0"
                out.write(
                    f"<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>"
                    f"<wp:comment_author>{cdata(f'Reader {c}')}</wp:comment_author>"
                    f"<wp:comment_author_email>reader{c}@example.net</wp:comment_author_email>"
                    "<wp:comment_author_IP>198.51.100.7</wp:comment_author_IP>"
                    f"<wp:comment_date_gmt>{date + timedelta(hours=c):%Y-%m-%d %H:%M:%S}"
                    "</wp:comment_date_gmt>"
                    f"<wp:comment_content>{cdata(COMMENT * 2)}</wp:comment_content>"
                    f"<wp:comment_approved>{approved}</wp:comment_approved>"
                    "<wp:comment_type>comment</wp:comment_type>"
                    f"<wp:comment_parent>{parent}</wp:comment_parent>"
                    "<wp:comment_user_id>0</wp:comment_user_id></wp:comment>\n"
                )
            out.write("</item>\n")
        out.write("</channel>\n</rss>\n")
    return path


# Runs a script or `manage.py ...` and, as it exits, reports the process's
# peak resident memory (VmHWM: per address space, so it starts again at exec
# and does not count the forked bench process, as wait4's ru_maxrss would).
PEAK = (
    "import atexit, runpy, sys\n"
    "def peak():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            sys.stderr.write('PEAK_KB=' + line.split()[1] + '\\n')\n"
    "atexit.register(peak)\n"
    "sys.argv = sys.argv[1:]\n"
    "if sys.argv[0] == '-c':\n"
    "    code = sys.argv.pop(1)\n"
    "    sys.argv[0] = '-c'\n"
    "    exec(compile(code, '<bench>', 'exec'), {'__name__': '__main__'})\n"
    "else:\n"
    "    runpy.run_path(sys.argv[0], run_name='__main__')\n"
)


def run_child(args):
    """Run a Python child; return (seconds, peak resident memory in MB, stdout)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ldnsite.settings.test"}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", PEAK, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    peaks = [line for line in result.stderr.splitlines() if line.startswith("PEAK_KB=")]
    return seconds, int(peaks[-1].split("=")[1]) / 1024, result.stdout


READER = (
    "import sys; from importers import wxr\n"
    "n = sum(1 for element in wxr.read(sys.argv[1]) if isinstance(element, wxr.WxrItem))\n"
    "print(n)\n"
)


def cleanup():
    with transaction.atomic():
        mapped = WordPressItem.objects.filter(site__startswith="bench-wordpress.example.com")
        post_ids = list(mapped.filter(kind="post").values_list("object_id", flat=True))
        Post.objects.filter(pk__in=post_ids).delete()
        Category.objects.filter(slug__startswith="bench-topic-").delete()
        Tag.objects.filter(slug__startswith="bench-tag-").delete()
        get_user_model().objects.filter(username="benchauthor").delete()
        Redirect.objects.filter(old_path__contains="bench-").delete()
        mapped.delete()
        ImportRun.objects.all().delete()


def run(bench):
    with tempfile.TemporaryDirectory() as folder:
        quarter = write_export(Path(folder) / "bench250.xml", posts=250, comments_per_post=20)
        small = write_export(Path(folder) / "bench.xml", posts=1000, comments_per_post=20)
        large = write_export(Path(folder) / "bench4x.xml", posts=4000, comments_per_post=20)
        size_mb = small.stat().st_size / 1024 / 1024
        large_mb = large.stat().st_size / 1024 / 1024

        baseline = run_child(["-c", "import django"])[1]
        reader_small = run_child(["-c", READER, str(small)])
        reader_large = run_child(["-c", READER, str(large)])
        print(
            f"{'streaming reader, export of ' + f'{size_mb:.0f} MB':<52} "
            f"{reader_small[0]:7.2f} s   peak {reader_small[1]:6.1f} MB"
        )
        print(
            f"{'streaming reader, export of ' + f'{large_mb:.0f} MB (4x)':<52} "
            f"{reader_large[0]:7.2f} s   peak {reader_large[1]:6.1f} MB"
        )
        print(f"{'(a bare Python with Django imported)':<52} {'':9}   peak {baseline:6.1f} MB")

        try:
            command = ["manage.py", "import_wxr", str(quarter), "--verbosity", "0"]
            seconds, peak, _ = run_child(command)
            print(
                f"{'import_wxr: 250 posts, 5,000 comments (for comparison)':<52} "
                f"{seconds:7.2f} s   peak {peak:6.1f} MB"
            )
            cleanup()
            command = ["manage.py", "import_wxr", str(small), "--verbosity", "0"]
            seconds, peak, output = run_child(command)
            print(
                f"{'import_wxr: 1,000 posts, 20,000 comments (first run)':<52} "
                f"{seconds:7.2f} s   peak {peak:6.1f} MB"
            )
            imported = Post.objects.filter(slug__startswith="bench-wxr-post-")
            comments = Comment.objects.filter(post__in=imported)
            if imported.count() != 1000 or comments.count() != 20_000:
                raise SystemExit("The bench import did not import it all:\n" + output)
            held = comments.filter(status=Comment.Status.PENDING).count()
            replies = comments.exclude(level=0).count()
            print(f"{'  (20,000 comments stored: ' + f'{replies:,} replies, {held:,} held)':<52}")
            seconds, peak, _ = run_child(command)
            print(
                f"{'import_wxr: the same export again (changes nothing)':<52} "
                f"{seconds:7.2f} s   peak {peak:6.1f} MB"
            )
        finally:
            cleanup()
