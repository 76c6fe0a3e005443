"""Exactly one email per subscriber when things break mid-mailing: the mail
server dies (and comes back), or the worker process is killed (and the
mailing's watchdog resumes it). Real SMTP server, real database worker."""

import asyncio
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.utils import timezone

from posts import services as post_services
from subscriptions.models import Delivery, Mailing
from tests.factories import PostFactory, SubscriberFactory
from tests.helpers import run_worker
from tests.servers.smtp import SMTPServer, _Handler

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
READERS = [f"reader{i:02d}@example.org" for i in range(30)]


class _TroubleHandler(_Handler):
    async def handle_EHLO(self, smtp, session, envelope, hostname, responses):
        self.server.connections += 1  # each SMTP session starts with EHLO
        session.host_name = hostname
        return responses

    async def handle_DATA(self, smtp, session, envelope):
        server = self.server
        if server.die_before is not None and len(server.received) >= server.die_before:
            # The mail server dies before answering this message.
            server.die_before = None
            threading.Thread(target=server.stop).start()
            await asyncio.sleep(60)  # cancelled by stop()
        result = await super().handle_DATA(smtp, session, envelope)
        if server.kill_after is not None and len(server.received) >= server.kill_after:
            # The worker dies after the server took this message, before it heard so.
            server.kill_after = None
            os.kill(server.worker_pid, signal.SIGKILL)
        return result


class TroubleServer(SMTPServer):
    die_before = kill_after = worker_pid = None
    connections = 0

    def start(self):
        from aiosmtpd.controller import Controller

        self._controller = Controller(_TroubleHandler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self


@pytest.fixture
def smtp(settings):
    server = TroubleServer().start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 5},
        }
    }
    settings.SUBSCRIPTIONS_BATCH_SIZE = 10
    yield server
    server.stop()


@pytest.fixture
def mailing_queued(database_tasks):
    for email in READERS:
        SubscriberFactory(email=email)
    post_services.post_saved(post=PostFactory(published_at=timezone.now()))


def _assert_everyone_got_exactly_one(smtp):
    counts = Counter(r for message in smtp.received for r in message.rcpt_tos)
    assert sorted(counts) == READERS
    assert set(counts.values()) == {1}


def test_mail_server_dies_mid_mailing_comes_back_and_everyone_gets_one(smtp, mailing_queued):
    smtp.die_before = 12
    run_worker()
    assert len(smtp.received) == 12
    assert not smtp.running
    mailing = Mailing.objects.get()
    assert mailing.status == Mailing.Status.RETRYING
    assert Delivery.objects.filter(status="sent").count() == 12
    assert Delivery.objects.filter(status="pending").count() == 18

    smtp.start()
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        run_worker()
    _assert_everyone_got_exactly_one(smtp)
    assert Delivery.objects.filter(status="sent").count() == 30
    # One SMTP connection per batch of 10: 10 + 2 (then it died), 10 + 8 after.
    assert smtp.connections == 4
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DONE


def _worker_env(port):
    db = django_settings.DATABASES["default"]
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ldnsite.settings.prod",
        "DJANGO_SECRET_KEY": django_settings.SECRET_KEY,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "SITE_URL": django_settings.SITE_URL,
        "SUBSCRIPTIONS_BATCH_SIZE": "10",
        "DJANGO_LOG_LEVEL": "WARNING",
    }


def test_worker_killed_mid_mailing_is_resumed_by_the_watchdog_without_duplicates(
    smtp, mailing_queued
):
    smtp.kill_after = 7
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
        cwd=ROOT,
        env=_worker_env(smtp.port),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    smtp.worker_pid = worker.pid
    _, stderr = worker.communicate(timeout=60)
    assert worker.returncode == -signal.SIGKILL, stderr.decode()[-2000:]
    assert len(smtp.received) == 7
    assert Delivery.objects.filter(status="sent").count() == 6
    in_flight = Delivery.objects.get(status="claimed", attempted_at__isnull=False)

    # No cron: the watchdog queued when the mailing started notices the stall.
    with time_machine.travel(timezone.now() + timedelta(minutes=12)):
        run_worker()
    _assert_everyone_got_exactly_one(smtp)
    in_flight.refresh_from_db()
    assert in_flight.status == Delivery.Status.UNKNOWN  # reached the server; not sent twice
    assert Delivery.objects.filter(status="sent").count() == 29
    assert Mailing.objects.get().status == Mailing.Status.DONE
