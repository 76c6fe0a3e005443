"""The shared test peers work: a real SMTP server receives core's emails, and
the database task backend runs scheduled tasks through the real worker."""

from datetime import timedelta

import pytest
import time_machine
from django.tasks import task
from django.utils import timezone

from core.mail import render_email, send_batch, unsubscribe_headers
from tests.helpers import run_worker

RAN = []


@task
def remember(*, value):
    RAN.append(value)
    return value


def test_batch_of_rendered_emails_arrives_one_per_recipient(smtp_server, settings):
    settings.SITE_URL = "https://pain.example.org"
    messages = [
        render_email(
            template_prefix="core/email/test",
            context={"name": name},
            to=f"{name}@example.com",
            headers=unsubscribe_headers("https://pain.example.org/unsubscribe/abc/"),
        )
        for name in ("ann", "bob")
    ]
    assert send_batch(messages) == 2
    received = smtp_server.wait_for(2)
    assert [m.rcpt_tos for m in received] == [["ann@example.com"], ["bob@example.com"]]
    first = received[0]
    assert first.to == "ann@example.com"
    assert first.subject == "Hello ann"
    assert "Dear ann" in first.text
    assert "<p>Dear ann</p>" in first.html
    assert first.header("List-Unsubscribe") == "<https://pain.example.org/unsubscribe/abc/>"
    assert first.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"


def test_temporary_smtp_failure_surfaces_as_an_error(smtp_server):
    import smtplib

    smtp_server.fail_next(1)
    message = render_email(template_prefix="core/email/test", context={"name": "c"}, to="c@x.org")
    with pytest.raises(smtplib.SMTPDataError):
        send_batch([message])
    assert smtp_server.received == []


@pytest.mark.django_db(transaction=True)
def test_database_backend_runs_scheduled_tasks_only_when_due(database_tasks):
    RAN.clear()
    later = timezone.now() + timedelta(hours=1)
    result = remember.using(run_after=later).enqueue(value="x")
    run_worker()
    assert RAN == []
    with time_machine.travel(later + timedelta(seconds=1)):
        run_worker()
    assert RAN == ["x"]
    result.refresh()
    assert result.status == "SUCCESSFUL"
