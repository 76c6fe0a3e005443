"""`make backup` / `make restore`: a backup restored into an empty database
brings back every post, comment, subscriber and uploaded file."""

import os
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from PIL import Image as PILImage

from core import pagecache
from posts.models import Image, Post
from tests.factories import PostFactory, SubscriberFactory, make_comment
from tests.references.factories import ReferenceFactory, attach

ROOT = Path(__file__).resolve().parent.parent.parent
REDIS_URL = "redis://127.0.0.1:6379/11"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def empty_database():
    name = f"{connection.settings_dict['NAME']}_restore"
    params = {
        k.lower(): v
        for k, v in connection.settings_dict.items()
        if k in {"HOST", "PORT", "USER", "PASSWORD"} and v
    }
    admin = psycopg2.connect(dbname="postgres", **params)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name, params
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def test_backup_then_restore_into_an_empty_database(tmp_path, empty_database):
    posts = PostFactory.create_batch(3)
    comments = [make_comment(posts[0], comment=f"Question {n}") for n in range(4)]
    subscribers = SubscriberFactory.create_batch(5)
    attachment = attach(ReferenceFactory())  # a PDF, kept outside MEDIA_ROOT
    buffer = BytesIO()
    PILImage.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    image = Image.objects.create(file=ContentFile(buffer.getvalue(), "x.png"), alt_text="red")

    call_command("backup", output=str(tmp_path / "backup"), stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert (tmp_path / "backup" / "database.dump").stat().st_size > 0

    name, params = empty_database
    restored_media = tmp_path / "restored-media"
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{name}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ldnsite.settings.dev",
        "DATABASE_URL": url,
        "DJANGO_MEDIA_ROOT": str(restored_media),
        "REDIS_URL": REDIS_URL,
    }
    # The site's cache (as the restored site's processes share it) holds pages
    # made under this generation; the restore must make them stale.
    site_cache = RedisCache(REDIS_URL, {})
    site_cache.set(pagecache.GENERATION_KEY, 12345, timeout=None)
    subprocess.run(
        [sys.executable, "manage.py", "restore", str(tmp_path / "backup")],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )

    restored = psycopg2.connect(dbname=name, **params)
    with restored.cursor() as cursor:
        cursor.execute("SELECT title FROM posts_post ORDER BY id")
        assert [row[0] for row in cursor.fetchall()] == [p.title for p in posts]
        cursor.execute("SELECT comment FROM django_comments ORDER BY id")
        assert [row[0] for row in cursor.fetchall()] == [c.comment for c in comments]
        cursor.execute("SELECT email FROM subscriptions_subscriber ORDER BY id")
        assert [row[0] for row in cursor.fetchall()] == [s.email for s in subscribers]
    restored.close()
    assert site_cache.get(pagecache.GENERATION_KEY) not in (None, 12345)
    assert (restored_media / image.file.name).read_bytes() == buffer.getvalue()
    restored_private = restored_media.with_name(f"{restored_media.name}-private")
    assert (restored_private / attachment.file.name).read_bytes() == attachment.file.read()
    assert Post.objects.count() == 3  # the original is untouched
    assert Path(settings.MEDIA_ROOT, image.file.name).exists()
