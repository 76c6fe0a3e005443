"""Issue 5: feeds of 50 items (time and queries, constant in the number of
items), and one new post mailed to 10,000 confirmed subscribers through a
local SMTP server by the real worker process (time, emails per second, and
the worker's peak memory)."""

import logging
import os
import socket
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from posts import services as post_services
from posts.models import Category, Post, PostUpdate
from subscriptions.models import Delivery, Mailing, Subscriber

ROOT = Path(__file__).resolve().parent.parent
SUBSCRIBERS = 10_000
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def run(bench):
    feeds(bench)
    mailing()


# --- Feeds --------------------------------------------------------------------


def feeds(bench):
    seed = Post.objects.get(slug__startswith="low-dose-naltrexone")
    categories = list(Category.objects.all()[:3])
    now = timezone.now()
    for i in range(60):  # long posts like the seed, with categories, tags and an update
        post = Post.objects.create(
            title=f"Feed bench post {i}",
            slug=f"feed-bench-post-{i}",
            author=seed.author,
            body=seed.body,
            excerpt=seed.excerpt,
            status=Post.Status.PUBLISHED,
            published_at=now - timedelta(hours=i + 1),
        )
        post.categories.set(categories)
        post.tags.set(["glia", f"bench {i}"])
        PostUpdate.objects.create(post=post, text="<p>New evidence on the microglia.</p>")
    client = Client()
    for items in (10, 50):
        with override_settings(FEED_ITEMS=items):
            for label, url in (("RSS", "/feed/"), ("Atom", "/feed/atom/")):
                bench.time_get(f"{label} feed, {items} items", url, repeat=30)
            if items == 50:
                bench.time_get(
                    "category feed (CRPS/RSD), 50 items", "/category/pain/feed/", repeat=30
                )
                etag = client.get("/feed/")["ETag"]

                def conditional(etag=etag):
                    response = client.get("/feed/", headers={"if-none-match": etag})
                    assert response.status_code == 304

                bench.time_call("RSS feed, 50 items, unchanged (304)", conditional)
    with override_settings(FEED_ITEMS=50), CaptureQueriesContext(connection) as captured:
        size = len(client.get("/feed/").content)
    print(f"{'RSS feed of 50 items: size':<52} {size / 1024:7.0f} KB   queries {len(captured):3d}")


# --- Mailing --------------------------------------------------------------------


class _Counter:
    def __init__(self, recipients):
        self.recipients = recipients
        self.count = 0
        self.first = self.last = None

    async def handle_DATA(self, server, session, envelope):
        # Only the mailing's own emails: earlier benches leave comment
        # notifications in the queue, and the worker sends those too.
        if not set(envelope.rcpt_tos) <= self.recipients:
            return "250 OK"
        self.count += 1
        self.last = time.perf_counter()
        self.first = self.first or self.last
        return "250 OK"


def _memory_mb(pid):
    """(current RSS, peak RSS) of a running process, from /proc, in MB."""
    found = {}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    found[line[:5]] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return found.get("VmRSS"), found.get("VmHWM")


def _worker(port):
    """Run `manage.py db_worker --batch` (production settings) until the queue
    is empty; return (wall seconds, peak RSS in MB, RSS samples taken every
    0.2 s while it ran). The peak is the kernel's VmHWM of the worker itself:
    wait4()'s ru_maxrss would carry over this (much larger) bench process's
    high-water mark through fork and exec."""
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ldnsite.settings.prod",
        "DJANGO_SECRET_KEY": "bench-secret-key",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "SITE_URL": "https://pain.example.org",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    start = time.perf_counter()
    command = ["db_worker", "--batch", "--no-startup-delay", "--no-reload", "--verbosity", "0"]
    process = subprocess.Popen(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    samples = []
    peak = 0.0
    while True:
        pid, status, _usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        rss, high_water = _memory_mb(process.pid)
        if rss is not None:
            samples.append(rss)
            peak = max(peak, high_water or 0.0)
        time.sleep(0.1)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"the worker exited with status {status}")
    return elapsed, peak, samples


def _use_database_tasks():
    from asgiref.local import Local
    from django.tasks import task_backends

    task_backends.__dict__.pop("settings", None)
    task_backends._settings = None
    task_backends._connections = Local(False)


def mailing():
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's chatter
    Subscriber.objects.all().delete()
    Subscriber.objects.bulk_create(
        [
            Subscriber(
                email=f"bench{i:05d}@example.org",
                status=Subscriber.Status.CONFIRMED,
                source="bench",
                confirmed_at=timezone.now(),
            )
            for i in range(SUBSCRIBERS)
        ],
        batch_size=2000,
    )
    counter = _Counter(set(Subscriber.objects.values_list("email", flat=True)))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        idle_seconds, idle_rss, _samples = _worker(
            port
        )  # an empty queue: start-up cost and baseline
        with override_settings(TASKS=DATABASE_TASKS):
            _use_database_tasks()
            seed = Post.objects.get(slug__startswith="low-dose-naltrexone")
            post = Post.objects.create(
                title="Mailing bench post",
                slug="mailing-bench-post",
                author=seed.author,
                body=seed.body,
                excerpt=seed.excerpt,
                status=Post.Status.PUBLISHED,
                published_at=timezone.now(),
            )
            post_services.post_saved(post=post)
        _use_database_tasks()
        seconds, rss, samples = _worker(port)
    finally:
        controller.stop()
    mailing = Mailing.objects.get(post=post)
    sent = Delivery.objects.filter(mailing=mailing, status=Delivery.Status.SENT).count()
    if counter.count != SUBSCRIBERS or sent != SUBSCRIBERS:
        raise SystemExit(f"expected {SUBSCRIBERS} emails, the server got {counter.count}")
    sending = (mailing.finished_at - mailing.created_at).total_seconds()
    print(
        f"{'mailing to 10,000 subscribers (worker process)':<52} {seconds:7.1f} s     "
        f"{SUBSCRIBERS / seconds:5.0f} emails/s"
    )
    print(
        f"{'  of which sending (mailing started → finished)':<52} {sending:7.1f} s     "
        f"{SUBSCRIBERS / sending:5.0f} emails/s"
    )
    print(
        f"{'  worker peak memory (VmHWM)':<52} {rss:7.1f} MB    "
        f"(an idle worker: {idle_rss:.1f} MB, {idle_seconds:.1f} s)"
    )
    if len(samples) > 10:
        tenth = len(samples) // 10
        print(
            f"{'  worker RSS while sending (first → last tenth)':<52} "
            f"{statistics.median(samples[tenth : 2 * tenth]):7.1f} → "
            f"{statistics.median(samples[-tenth:]):.1f} MB"
        )
    spread = (counter.last - counter.first) if counter.first else 0
    print(f"{'  SMTP server: first to last message':<52} {spread:7.1f} s")
